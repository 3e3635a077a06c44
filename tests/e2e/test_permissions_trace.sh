#!/usr/bin/env bash
# test_permissions_trace.sh - the action table of `cpwarden policy` (docs/permissions.md) is what
# the commands really call: each command runs against the sandbox with --debug, the IAM actions
# of the requests it sent are read from the wire (permissions_trace.py), and the test fails when
# a called action is missing from that command's rows, or when a row the table says every run
# needs (no "when") was never called.
# shellcheck source=cleanup_lib.sh
source "$(dirname "$0")/cleanup_lib.sh"

TRACE=("$(dirname "$0")/permissions_trace.py" "$CPW_SOURCE_DIR/src/models")
start_orphans

# traced NAME CMD...: runs a cpwarden command with --debug, its actions into $E2E_TMP/NAME.actions
traced() {
    local name=$1; shift
    local rc=0
    cpw "$@" --debug >"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err" </dev/null || rc=$?
    check "$name exits 0 (got $rc)" test "$rc" -eq 0
    [ "$rc" -eq 0 ] || tail -5 "$E2E_TMP/$name.err"
    /usr/bin/python3 "${TRACE[@]}" "$E2E_TMP/$name.err" >>"$E2E_TMP/$name.actions"
}

# compare COMMAND STRICT ACTIONS-FILE...: called ⊆ rows; with STRICT=1 also every-run rows ⊆ called.
compare() {
    local command=$1 strict=$2; shift 2
    cpw policy --command "$command" --rows >"$E2E_TMP/$command.rows"
    check "$command: the table holds every action called (and, strict, calls every one it needs)" \
        /usr/bin/python3 - "$E2E_TMP/$command.rows" "$strict" "$@" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
strict = sys.argv[2] == "1"
called = set()
for path in sys.argv[3:]:
    called |= {l.strip() for l in open(path) if l.strip()}
listed = {r["action"] for r in rows}
always = {r["action"] for r in rows if r["when"] is None}
missing = sorted(called - listed)
unused = sorted(always - called) if strict else []
if missing:
    print("called but not in the table:", missing)
if unused:
    print("in the table for every run but never called:", unused)
sys.exit(1 if missing or unused else 0)
PY
}

traced inventory inventory --regions "$REGIONS" --output json
traced inventory_ct inventory --regions "$REGIONS" --evidence cloudtrail --output json
compare inventory 1 "$E2E_TMP/inventory.actions" "$E2E_TMP/inventory_ct.actions"

traced plan plan --regions "$REGIONS" -o "$E2E_TMP/plan.json"
compare plan 1 "$E2E_TMP/plan.actions"

traced backup backup --domain "$LIVE_DOMAIN" --region us-east-1 --with-profiles \
    -o "$E2E_TMP/live.backup"
compare backup 1 "$E2E_TMP/backup.actions"

traced restore restore "$E2E_TMP/live.backup" --domain restored-copy --region us-west-2
compare restore 1 "$E2E_TMP/restore.actions"

traced document document --domain "$LIVE_DOMAIN" --region us-east-1
traced document_all document --all --regions us-east-1
compare document 1 "$E2E_TMP/document.actions" "$E2E_TMP/document_all.actions"

traced events events --regions us-east-1 --since 1h
compare events 1 "$E2E_TMP/events.actions"

traced metrics metrics --cloudwatch cpwarden-test
compare metrics 1 "$E2E_TMP/metrics.actions"

# apply last: it deletes what the others read. Its journal's deletion tasks then make audit and
# doctor ask for their status.
traced apply apply "$E2E_TMP/plan.json" --yes "${FAST[@]}"
compare apply 1 "$E2E_TMP/apply.actions"

traced audit audit --regions "$REGIONS" --output json
compare audit 1 "$E2E_TMP/audit.actions"

# doctor: the caller (the root user is not simulated) and a role simulated in its place; exit 6
# is a finding, not a failure of the run.
doctor_traced() {
    cpw doctor "$@" --debug >"$E2E_TMP/doctor.out" 2>"$E2E_TMP/doctor.err" </dev/null || true
    check "doctor printed its report" grep -q '"checks"' "$E2E_TMP/doctor.out"
    /usr/bin/python3 "${TRACE[@]}" "$E2E_TMP/doctor.err" >>"$E2E_TMP/doctor.actions"
}
cpw api iam create-role --role-name cpwarden-trace --assume-role-policy-document \
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS":
    "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}' >/dev/null
doctor_traced --regions us-east-1 --output json
doctor_traced --regions us-east-1 --output json --principal \
    arn:aws:iam::123456789012:role/cpwarden-trace
compare doctor 1 "$E2E_TMP/doctor.actions"

# Across an organization: the management account's calls (ListAccounts, AssumeRole) and the
# members' (through the assumed role) are all in the commands' rows.
stop_sandbox
start_sandbox --scenario 'org:accounts=3,regions=1,leftover=1,seed=5' --no-rate-limits \
    --slr-deletion-delay-ms 100
export AWS_ENDPOINT_URL="$ENDPOINT"
traced inventory_org inventory --org --regions us-east-1 --output json
compare inventory 0 "$E2E_TMP/inventory_org.actions"
traced plan_org plan --org --regions us-east-1 -o "$E2E_TMP/plan-org.json"
compare plan 0 "$E2E_TMP/plan_org.actions"
traced audit_org audit --org --regions us-east-1 --output json
compare audit 0 "$E2E_TMP/audit_org.actions"
traced events_org events --org --regions us-east-1 --since 1h
compare events 0 "$E2E_TMP/events_org.actions"
cpw doctor --org --regions us-east-1 --output json --debug >/dev/null 2>"$E2E_TMP/doctor_org.err" ||
    true
/usr/bin/python3 "${TRACE[@]}" "$E2E_TMP/doctor_org.err" >"$E2E_TMP/doctor_org.actions"
compare doctor 0 "$E2E_TMP/doctor_org.actions"
ids=$(/usr/bin/python3 -c 'import json,sys; print(",".join(sorted({a["target"]["account"]
    for a in json.load(open(sys.argv[1]))["actions"] if a["status"] == "planned"})))' \
    "$E2E_TMP/plan-org.json")
if [ -n "$ids" ]; then
    traced apply_org apply "$E2E_TMP/plan-org.json" --yes "${FAST[@]}"
    compare apply 0 "$E2E_TMP/apply_org.actions"
fi
check "organizations:ListAccounts and sts:AssumeRole were seen across the organization" \
    grep -qx 'sts:AssumeRole' "$E2E_TMP/inventory_org.actions"

finish
