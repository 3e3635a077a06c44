#!/usr/bin/env bash
# test_policy_iam.sh - `cpwarden policy` prints valid JSON that IAM's CreatePolicy accepts in the
# sandbox, for every command and for each alone, and reads back unchanged; the output is stable.
# shellcheck source=cleanup_lib.sh
source "$(dirname "$0")/cleanup_lib.sh"

start_orphans
cpw policy >"$E2E_TMP/all.json"
check "policy exits 0 and prints a JSON document" /usr/bin/python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["Version"] != "2012-10-17" or not d["Statement"])' \
    "$E2E_TMP/all.json"
cpw policy >"$E2E_TMP/again.json"
check "the same document twice (stable order)" cmp -s "$E2E_TMP/all.json" "$E2E_TMP/again.json"

# create_and_read NAME FILE: CreatePolicy, then the default version's document equals FILE's.
create_and_read() {
    local name=$1 file=$2 arn
    arn=$(cpw api iam create-policy --policy-name "$name" \
        --policy-document "file://$file" --query Policy.Arn --output text) || return 1
    cpw api iam get-policy-version --policy-arn "$arn" --version-id v1 --output json \
        >"$E2E_TMP/$name.read" || return 1
    /usr/bin/python3 - "$file" "$E2E_TMP/$name.read" <<'PY'
import json, sys, urllib.parse
want = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2]))["PolicyVersion"]["Document"]
if isinstance(got, str):
    got = json.loads(urllib.parse.unquote(got))
sys.exit(0 if got == want else 1)
PY
}
check "CreatePolicy accepts the policy of every command, read back unchanged" \
    create_and_read cpwarden-all "$E2E_TMP/all.json"
for c in inventory plan apply backup restore audit document events metrics doctor; do
    cpw policy --command "$c" >"$E2E_TMP/$c.json"
    check "CreatePolicy accepts the policy of $c" create_and_read "cpwarden-$c" "$E2E_TMP/$c.json"
done
check "the whole policy stays under IAM's 6,144 characters" /usr/bin/python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); sys.exit(len(json.dumps(d, separators=(",", ":"))) >= 6144)' \
    "$E2E_TMP/all.json"
cpw policy --command inventory,plan --partition aws-us-gov >"$E2E_TMP/gov.json"
check "--partition puts the partition in every ARN" /usr/bin/python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
arns=[s["Resource"] for s in d["Statement"] if s["Resource"] != "*"]
sys.exit(not arns or not all(a.startswith("arn:aws-us-gov:") for a in arns))' "$E2E_TMP/gov.json"
rc=0
cpw policy --command sign >/dev/null 2>&1 || rc=$?
check "a command that calls no AWS is a usage error" test "$rc" -eq 252
cpw policy --output markdown >"$E2E_TMP/table.md"
check "docs/permissions.md holds the table as printed" /usr/bin/python3 -c '
import sys; sys.exit(open(sys.argv[1]).read() not in open(sys.argv[2]).read())' \
    "$E2E_TMP/table.md" "$CPW_SOURCE_DIR/docs/permissions.md"

finish
