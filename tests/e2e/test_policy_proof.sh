#!/usr/bin/env bash
# test_policy_proof.sh - the policy `cpwarden policy --command C` prints is exactly enough, proven
# on the sandbox with authorization on: a role holding that policy and nothing else runs C
# successfully; then, for each statement removed in turn, C fails or reports the refused call
# (when the statement holds an action every run of C calls) and `cpwarden doctor --principal ROLE --command C` exits 6 and
# names the removed actions, and only those, as denied.
#
# Needs the sandbox to authorize requests and to answer iam:SimulatePrincipalPolicy; until it
# does, the test fails saying so.
# shellcheck source=cleanup_lib.sh
source "$(dirname "$0")/cleanup_lib.sh"

ACCOUNT=123456789012
ROLE=cpwarden-proof
ROLE_ARN="arn:aws:iam::$ACCOUNT:role/$ROLE"
printf '[profile proof]\nrole_arn = %s\ncredential_source = Environment\n' "$ROLE_ARN" \
    >"$AWS_CONFIG_FILE"
TRUST='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::'$ACCOUNT':root"}, "Action": "sts:AssumeRole"}]}'

# fresh: a new orphans sandbox with the role (no permissions yet).
fresh() {
    start_orphans
    cpw api iam create-role --role-name "$ROLE" --assume-role-policy-document "$TRUST" >/dev/null
}

# grant FILE: the role's only policy becomes FILE (an inline policy, replaced each time).
grant() {
    cpw api iam put-role-policy --role-name "$ROLE" --policy-name cpwarden \
        --policy-document "file://$1" >/dev/null
}

# What the test needs of the sandbox, said plainly when it is missing.
fresh
echo '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:GetCallerIdentity",
    "Resource": "*"}]}' >"$E2E_TMP/id-only.json"
grant "$E2E_TMP/id-only.json"
if cpw api customer-profiles list-domains --profile proof >/dev/null 2>&1; then
    echo "waits for: authorization in the sandbox (a role without profile:ListDomains may list"
    echo "domains here); it comes with the sandbox's IAM and SCP enforcement"
    exit 1
fi
cpw doctor --principal "$ROLE_ARN" --command events --regions us-east-1 --output json \
    >"$E2E_TMP/gate.json" 2>/dev/null || true
if grep -q '"subject": "iam:SimulatePrincipalPolicy"' "$E2E_TMP/gate.json"; then
    echo "waits for: iam:SimulatePrincipalPolicy in the sandbox (doctor fell back to probes)"
    exit 1
fi

# run_as COMMAND...: the command as the role; its exit status.
run_as() {
    local rc=0
    cpw "$@" --profile proof >"$E2E_TMP/run.out" 2>"$E2E_TMP/run.err" </dev/null || rc=$?
    return $rc
}

# refused RC: the run failed (non-zero exit), or said that AWS refused a call or that it could
# not tell (plan writes its plan with warnings, document its checklist with the error or an
# instance's status UNKNOWN: both exit 0).
refused() {
    [ "$1" -ne 0 ] ||
        grep -qE "not authorized|AccessDenied|UNKNOWN" "$E2E_TMP/run.err" "$E2E_TMP/run.out"
}

# prove NAME SETUP RUN...: SETUP (a function) prepares each run; RUN is the command line.
prove() {
    local name=$1 setup=$2; shift 2
    cpw policy --command "$name" >"$E2E_TMP/$name.policy"
    cpw policy --command "$name" --rows >"$E2E_TMP/$name.rows"
    $setup
    grant "$E2E_TMP/$name.policy"
    local rc=0
    run_as "$@" || rc=$?
    check "$name succeeds with exactly its policy (got $rc)" test "$rc" -eq 0
    [ "$rc" -eq 0 ] || tail -3 "$E2E_TMP/run.err"
    local sids
    sids=$(/usr/bin/python3 -c 'import json,sys
print(" ".join(s["Sid"] for s in json.load(open(sys.argv[1]))["Statement"]))' "$E2E_TMP/$name.policy")
    for sid in $sids; do
        $setup
        /usr/bin/python3 - "$E2E_TMP/$name.policy" "$sid" "$E2E_TMP/$name.rows" \
            "$E2E_TMP/without.json" "$E2E_TMP/removed.txt" "$E2E_TMP/needed.txt" <<'PY'
import json, sys
policy, sid, rows = json.load(open(sys.argv[1])), sys.argv[2], json.load(open(sys.argv[3]))
removed = [s for s in policy["Statement"] if s["Sid"] == sid][0]
policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != sid]
if not policy["Statement"]:  # IAM refuses an empty policy: allow nothing useful instead
    policy["Statement"] = [{"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}]
json.dump(policy, open(sys.argv[4], "w"))
open(sys.argv[5], "w").write("\n".join(removed["Action"]) + "\n")
# GetCallerIdentity is answered whatever the policies say: removing it cannot fail a run
always = {r["action"] for r in rows if r["when"] is None and r["sid"] == sid
          and r["action"] != "sts:GetCallerIdentity"}
open(sys.argv[6], "w").write("\n".join(sorted(always)))
PY
        grant "$E2E_TMP/without.json"
        if [ -s "$E2E_TMP/needed.txt" ]; then
            rc=0
            run_as "$@" || rc=$?
            check "$name without $sid fails, or reports the refused call (exit $rc)" \
                refused "$rc"
        else
            echo "note: $sid holds no action this run of $name needs a permission for"
            echo "      ($(tr '\n' ' ' <"$E2E_TMP/removed.txt")): only doctor is checked"
        fi
        rc=0
        cpw doctor --principal "$ROLE_ARN" --command "$name" --regions us-east-1 --output json \
            >"$E2E_TMP/doctor.json" 2>"$E2E_TMP/doctor.err" || rc=$?
        if [ "$(grep -cv '^sts:GetCallerIdentity$' "$E2E_TMP/removed.txt")" -gt 0 ]; then
            check "doctor exits 6 without $sid (got $rc)" test "$rc" -eq 6
        fi
        check "doctor names the actions of $sid as denied, and nothing else" \
            /usr/bin/python3 - "$E2E_TMP/doctor.json" "$E2E_TMP/removed.txt" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["checks"]
removed = {l.strip() for l in open(sys.argv[2]) if l.strip()} - {"sts:GetCallerIdentity"}
if not removed:  # nothing doctor checks was removed: it must find nothing denied
    sys.exit(1 if any(r["check"] == "permission" and r["status"] == "fail" for r in rows) else 0)
denied = {r["subject"] for r in rows if r["check"] == "permission" and r["status"] == "fail"}
if not denied or not denied <= removed:
    print("removed:", sorted(removed), "doctor denied:", sorted(denied))
    sys.exit(1)
PY
    done
}

orphans_again() { fresh; }
same() { :; }
plan_first() {
    fresh
    cpw plan --regions all -o "$E2E_TMP/plan.json" >/dev/null
}
backup_first() {
    fresh
    cpw backup --domain "$LIVE_DOMAIN" --region us-east-1 -o "$E2E_TMP/live.backup" >/dev/null
}

fresh
prove inventory same inventory --regions all --output json
prove plan same plan --regions all -o "$E2E_TMP/role-plan.json"
prove backup same backup --domain "$LIVE_DOMAIN" --region us-east-1 -o "$E2E_TMP/b.backup"
prove document same document --domain "$LIVE_DOMAIN" --region us-east-1
prove events same events --regions us-east-1 --since 1h
prove audit same audit --regions all --output json --no-save
prove restore backup_first restore "$E2E_TMP/live.backup" --domain proof-copy --region us-west-2
prove apply plan_first apply "$E2E_TMP/plan.json" --yes "${FAST[@]}" --max-retries 0

finish
