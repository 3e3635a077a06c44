#!/usr/bin/env bash
# --query (JMESPath) in `cpwarden api` and `cpwarden history`, checked against the AWS CLI (Debian's
# v2 at /usr/bin/aws by default) on the same sandbox: for the same operation and expression, both
# must print the same bytes, and a query that does not compile must be refused the way the AWS CLI
# refuses it (same message, exit 252) before any request is sent. Then a real change log (plan and
# apply on the orphans scenario) filtered by `history --query` must equal what jmespath.py, the
# AWS CLI's own library, makes of `history --output json`.
source "$(dirname "$0")/cleanup_lib.sh"

AWS=${CPW_TEST_AWS:-/usr/bin/aws}
if [ ! -x "$AWS" ]; then
    echo "skipped: $AWS is not installed"; exit 77
fi

start_orphans
aws_() { "$AWS" --endpoint-url "$ENDPOINT" --output json "$@"; }
api() { "$CPWARDEN" api --endpoint-url "$ENDPOINT" --paginate "$@"; }

# Same output, byte for byte, from both tools. A query that selects nothing must not pass as equal
# empty outputs, so each comparison also requires a non-trivial answer.
same() {
    local name=$1 service=$2 op=$3 query=$4
    local ours theirs
    ours=$(api "$service" "$op" --query "$query" 2>"$E2E_TMP/ours.err") || {
        echo "cpwarden failed: $(cat "$E2E_TMP/ours.err")"; check "$name" false; return; }
    theirs=$(aws_ "$service" "$op" --query "$query" 2>"$E2E_TMP/theirs.err") || {
        echo "aws failed: $(cat "$E2E_TMP/theirs.err")"; check "$name" false; return; }
    if [ "$ours" != "$theirs" ]; then
        echo "--- cpwarden"; echo "$ours"; echo "--- aws"; echo "$theirs"
    fi
    check "$name: identical" test "$ours" = "$theirs"
    check "$name: not empty" test -n "$ours" -a "$ours" != "[]" -a "$ours" != "null"
}

# The case the manual quotes: the Customer Profiles service-linked roles by name.
q='Roles[?starts_with(RoleName, `AWSServiceRoleForProfile`)].RoleName'
same "SLR names" iam list-roles "$q"
out=$(api iam list-roles --query "$q")
check "SLR names are the scenario's" bash -c "grep -q AWSServiceRoleForProfile_OrphanDomainRole <<<'$out'"
check "no other role listed" bash -c "! grep -v -e AWSServiceRoleForProfile -e '^\[' -e '^\]' <<<'$out'"

same "projection to a hash" iam list-roles \
    'Roles[?starts_with(RoleName, `AWSServiceRoleForProfile`)].{name: RoleName, path: Path}'
same "sort_by, slice and pipe" iam list-roles 'sort_by(Roles, &RoleName)[::-1] | [0].RoleName'
same "functions on the whole answer" iam list-roles \
    '{count: length(Roles), first: min(Roles[].RoleName), names: join(`,`, Roles[].RoleName)}'
same "a scalar" sts get-caller-identity 'Account'
same "a number" iam list-roles 'length(Roles[?Path == `/aws-service-role/profile.amazonaws.com/`])'

# A query that selects nothing prints what the AWS CLI prints (null, an empty list).
check "null result" test "$(api iam list-roles --query 'NoSuchKey')" = "$(aws_ iam list-roles --query 'NoSuchKey')"
check "empty list" test "$(api iam list-roles --query 'Roles[?RoleName == `none`]')" = "[]"

# Refused before any request, with the AWS CLI's message and exit status.
for bad in 'Roles[' 'Roles[?RoleName = `x`]' 'Roles[].'; do
    ours_rc=0; theirs_rc=0
    "$CPWARDEN" api --endpoint-url http://127.0.0.1:9 iam list-roles --query "$bad" \
        >/dev/null 2>"$E2E_TMP/ours.err" || ours_rc=$?
    "$AWS" --endpoint-url http://127.0.0.1:9 iam list-roles --query "$bad" \
        >/dev/null 2>"$E2E_TMP/theirs.err" || theirs_rc=$?
    check "bad query '$bad' exits 252" test "$ours_rc" = 252 -a "$theirs_rc" = 252
    check "bad query '$bad' message as the AWS CLI's" cmp -s "$E2E_TMP/ours.err" "$E2E_TMP/theirs.err"
    cmp -s "$E2E_TMP/ours.err" "$E2E_TMP/theirs.err" || diff "$E2E_TMP/ours.err" "$E2E_TMP/theirs.err" || true
done
rc=0; "$CPWARDEN" api --endpoint-url "$ENDPOINT" iam list-roles --query 'nosuch(Roles)' \
    >/dev/null 2>"$E2E_TMP/err" || rc=$?
check "unknown function refused (252)" test "$rc" = 252
check "unknown function named" grep -q 'Unknown function: nosuch()' "$E2E_TMP/err"
rc=0; "$CPWARDEN" api --endpoint-url "$ENDPOINT" iam list-roles --query 'abs(Roles)' \
    >/dev/null 2>"$E2E_TMP/err" || rc=$?
check "type error exits 255" test "$rc" = 255
check "type error says which function" grep -q 'In function abs(), invalid type' "$E2E_TMP/err"

# history: --query filters the JSON document (and implies --output json).
out=$(cpw history --query 'length(changes)')
check "history --query on an empty journal" test "$out" = "0"
rc=0; cpw history --output csv --query 'changes' >/dev/null 2>&1 || rc=$?
check "history --query with csv is a usage error" test "$rc" = 252

cpw plan --regions "$REGIONS" -o "$E2E_TMP/plan.json" >/dev/null
cpw apply "$E2E_TMP/plan.json" --yes "${FAST[@]}" >/dev/null 2>"$E2E_TMP/apply.err"
cpw history --output json >"$E2E_TMP/history.json"
check "apply left a change log" /usr/bin/python3 -c 'import json,sys
sys.exit(len(json.load(open(sys.argv[1]))["changes"]) < 2)' "$E2E_TMP/history.json"
for q in 'changes[?result == `done`].{step: step, what: what, target: target}' \
         'sort_by(changes, &target)[-1].target' \
         'length(changes[?starts_with(what, `delete`)])' \
         'changes[].plan.checksum | [0]' \
         'max_by(changes, &run).run'; do
    ours=$(cpw history --query "$q")
    theirs=$(/usr/bin/python3 -c 'import json,sys,jmespath
doc = json.load(open(sys.argv[1]))
print(json.dumps(jmespath.search(sys.argv[2], doc)))' "$E2E_TMP/history.json" "$q")
    check "history --query '$q' as jmespath.py" /usr/bin/python3 -c 'import json,sys
sys.exit(json.loads(sys.argv[1]) != json.loads(sys.argv[2]))' "$ours" "$theirs"
    check "history --query '$q' selects something" test -n "$ours" -a "$ours" != "[]" -a "$ours" != "null"
done

finish
