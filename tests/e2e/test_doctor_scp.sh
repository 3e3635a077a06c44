#!/usr/bin/env bash
# test_doctor_scp.sh - the runbook's SCP troubleshooting, rehearsed: an SCP denying
# profile:DeleteDomain attached to one member account makes `cpwarden doctor --org` exit 6 with
# that member's profile:DeleteDomain denied "by a service control policy" and the SCP named
# (id and name) in the fix, and no other account blamed; `apply` fails on that member's
# DeleteDomain with AWS's message naming the SCP as the cause.
#
# Needs the sandbox to enforce SCPs and to answer iam:SimulatePrincipalPolicy; until it does,
# the test fails saying so.
# shellcheck source=cleanup_lib.sh
source "$(dirname "$0")/cleanup_lib.sh"

start_sandbox --scenario 'org:accounts=3,regions=1,leftover=1,seed=7' --no-rate-limits \
    --slr-deletion-delay-ms 100
export AWS_ENDPOINT_URL="$ENDPOINT"
MEMBER=200000000002
REGION=us-east-1

cpw doctor --org --regions "$REGION" --command apply --output json >"$E2E_TMP/before.json" \
    2>/dev/null || true
if grep -q '"subject": "iam:SimulatePrincipalPolicy"' "$E2E_TMP/before.json"; then
    echo "waits for: iam:SimulatePrincipalPolicy in the sandbox (doctor fell back to probes)"
    exit 1
fi
check "before any SCP: no permission problem in any account" /usr/bin/python3 -c '
import json,sys; rows=json.load(open(sys.argv[1]))["checks"]
sys.exit(any(r["check"] == "permission" and r["status"] == "fail" for r in rows))' \
    "$E2E_TMP/before.json"

ROOT=$(cpw api organizations list-roots --query 'Roots[0].Id' --output text)
cpw api organizations enable-policy-type --root-id "$ROOT" \
    --policy-type SERVICE_CONTROL_POLICY >/dev/null 2>&1 || true
SCP=$(cpw api organizations create-policy --name DenyDeleteDomain \
    --type SERVICE_CONTROL_POLICY --description "no domain deletion in this account" \
    --content '{"Version": "2012-10-17", "Statement": [{"Sid": "NoDomainDeletion",
        "Effect": "Deny", "Action": "profile:DeleteDomain", "Resource": "*"}]}' \
    --query Policy.PolicySummary.Id --output text)
check "the SCP was created" test -n "$SCP"
cpw api organizations attach-policy --policy-id "$SCP" --target-id "$MEMBER" >/dev/null

rc=0
cpw doctor --org --regions "$REGION" --command apply --output json >"$E2E_TMP/scp.json" || rc=$?
check "doctor --org exits 6 (got $rc)" test "$rc" -eq 6
check "the member's profile:DeleteDomain is denied by an SCP, the SCP named by id and name" \
    /usr/bin/python3 - "$E2E_TMP/scp.json" "$MEMBER" "$SCP" <<'PY'
import json, sys
rows, member, scp = json.load(open(sys.argv[1]))["checks"], sys.argv[2], sys.argv[3]
fails = [r for r in rows if r["check"] == "permission" and r["status"] == "fail"]
mine = [r for r in fails if r["account"] == member and r["subject"] == "profile:DeleteDomain"]
assert len(mine) == 1, fails
r = mine[0]
assert "service control policy" in r["detail"], r
assert scp in r["fix"] and "DenyDeleteDomain" in r["fix"], r["fix"]
others = [r for r in fails if r is not mine[0]]
assert not others, others
PY
cpw doctor --org --regions "$REGION" --command apply >"$E2E_TMP/scp.txt" || true
check "the table prints the fix naming the SCP" grep -q "fix: look at SCP $SCP (DenyDeleteDomain)" \
    "$E2E_TMP/scp.txt"

# apply fails on that step, with AWS's message naming the SCP as the cause.
cpw plan --org --regions "$REGION" -o "$E2E_TMP/plan.json" >/dev/null
if /usr/bin/python3 -c 'import json,sys; sys.exit(not any(a["kind"] == "delete-domain" and
    a["target"]["account"] == sys.argv[2] and a["status"] == "planned"
    for a in json.load(open(sys.argv[1]))["actions"]))' "$E2E_TMP/plan.json" "$MEMBER"; then
    rc=0
    cpw apply "$E2E_TMP/plan.json" --yes "${FAST[@]}" --max-retries 0 >"$E2E_TMP/apply.out" \
        2>"$E2E_TMP/apply.err" || rc=$?
    check "apply fails (got $rc)" test "$rc" -ne 0
    check "...on the member's DeleteDomain, with an explicit deny in a service control policy" \
        grep -q "DeleteDomain.*explicit deny in a service control policy" "$E2E_TMP/apply.err"
else
    echo "note: no domain of $MEMBER planned for deletion in this scenario"
fi

finish
