# test_cleanup_crash.sh - crash safety of apply: the process is killed with SIGKILL right after
# each journal record in turn (the test hook --kill-after-record N), then the same plan is
# applied again. Every interrupted run must end in the same state as an uninterrupted one, with
# the backup intact and no step done twice: checked in the journal (each action done once) and
# in the sandbox's CloudTrail (one DeleteDomain, one DeleteServiceLinkedRole). And a resumed run
# gets no pass on safety: when the domain came alive while the run was interrupted, the resumed
# run refuses to delete it.
# shellcheck source=cleanup_lib.sh
source "$(dirname "$0")/cleanup_lib.sh"

# A plan with every kind of step: the domain and its role that stays behind (wait, then
# DeleteServiceLinkedRole, poll, verify).
make_plan() { # OUT
    cpw plan --domain "$ORPHAN_DOMAIN" --region eu-west-2 --role "$ORPHAN_DOMAIN_ROLE" \
        -o "$1" >/dev/null
}

apply_plan() { # PLAN STATE_DIR [APPLY OPTIONS...]
    cpw apply "$1" --yes --state "$2" --poll-interval 20ms --wait 300ms "${@:3}" >/dev/null 2>&1
}

# final_state_ok STATE_DIR: what an uninterrupted run leaves, and nothing done twice. Few
# probes (each a process), judged together in one place.
final_state_ok() {
    local state=$1
    cpw api iam list-roles '{"PathPrefix": "/aws-service-role/"}' >"$state/roles.json" &&
        cpw api customer-profiles list-domains --region eu-west-2 >"$state/eu.json" &&
        cpw api cloudtrail lookup-events --paginate --region eu-west-2 >"$state/ct-eu.json" &&
        cpw api cloudtrail lookup-events --paginate --region us-east-1 >"$state/ct-us.json" &&
        cpw history --state "$state" --output json >"$state/history.json" || return 1
    /usr/bin/python3 - "$state" "$ACTIONS" <<'PY'
import collections, glob, hashlib, json, sys
d, actions = sys.argv[1], sys.argv[2].split()
roles = {r["RoleName"] for r in json.load(open(d + "/roles.json"))["Roles"]}
eu = {x["DomainName"] for x in json.load(open(d + "/eu.json")).get("Items", [])}
events = collections.Counter(
    e["EventName"] for f in ("ct-eu", "ct-us")
    for e in json.load(open(d + "/" + f + ".json"))["Events"])
problems = []
if "retired-customers" in eu: problems.append("orphaned domain still there")
if "AWSServiceRoleForProfile_OrphanDomainRole0002" in roles: problems.append("domain role left")
for keep in ("AWSServiceRoleForProfile_LiveDomainRole000001",
             "AWSServiceRoleForAmazonConnect_LiveInstanceRole0001",
             "AWSServiceRoleForAmazonConnect_DeletedInstance00002"):
    if keep not in roles: problems.append(keep + " gone (not in the plan)")
for name in ("DeleteDomain", "DeleteIntegration", "DeleteServiceLinkedRole"):
    if events[name] != 1: problems.append("%s called %d times" % (name, events[name]))
changes = json.load(open(d + "/history.json"))["changes"]
done = collections.Counter(c["step"] for c in changes if c["result"] in ("done", "already"))
for a in actions:
    if done[a] != 1: problems.append("%s done %d times in the journal" % (a, done[a]))
backups = glob.glob(d + "/backups/*.cpwbackup")
if len(backups) != 1:
    problems.append("%d backups" % len(backups))
else:
    data = open(backups[0], "rb").read()
    body, _, last = data.rstrip(b"\n").rpartition(b"\n")
    if hashlib.sha256(body + b"\n").hexdigest() != json.loads(last)["trailer"]["sha256"]:
        problems.append("backup damaged")
for p in problems: print("  " + p)
sys.exit(1 if problems else 0)
PY
}

# The reference: an uninterrupted run, which also tells how many records a run writes.
start_orphans --role-persists
make_plan "$E2E_TMP/ref.json"
ACTIONS=$(/usr/bin/python3 -c 'import json,sys
print(" ".join(a["id"] for a in json.load(open(sys.argv[1]))["actions"] if a["status"] == "planned"))' \
    "$E2E_TMP/ref.json")
apply_plan "$E2E_TMP/ref.json" "$E2E_TMP/ref-state"
check "the uninterrupted run exits 0" test $? -eq 0
check "the uninterrupted run reaches the final state" final_state_ok "$E2E_TMP/ref-state"
check "the live domain is untouched" domain_exists "$LIVE_DOMAIN" us-east-1
records=$(($(echo "$ACTIONS" | wc -w) * 2))
check "the plan has every kind of domain step (8 actions)" test "$records" -eq 16

# Every iteration starts from the same scenario, so the reference plan is fresh for each (apply
# checks that before it starts); each gets its own state directory, so its own journal.
for n in $(seq 1 "$records"); do
    start_orphans --role-persists
    rc=0
    apply_plan "$E2E_TMP/ref.json" "$E2E_TMP/state-$n" --kill-after-record "$n" || rc=$?
    check "killed after record $n (SIGKILL)" test "$rc" -eq 137
    rc=0
    apply_plan "$E2E_TMP/ref.json" "$E2E_TMP/state-$n" || rc=$?
    check "the re-run after record $n exits 0" test "$rc" -eq 0
    check "after record $n: same final state, nothing twice" final_state_ok "$E2E_TMP/state-$n"
done
check "history shows the interrupted step of a killed run" \
    bash -c "'$CPWARDEN' history --state '$E2E_TMP/state-1' | grep -q interrupted"

# ---- interrupted after the backup; meanwhile the domain comes alive; applied again ---------
start_orphans --knob instance_activation_ms=0
make_plan "$E2E_TMP/alive.json"
rc=0
apply_plan "$E2E_TMP/alive.json" "$E2E_TMP/alive-state" --kill-after-record 2 || rc=$?
check "killed right after the backup's result (SIGKILL)" test "$rc" -eq 137
instance=$(cpw api connect create-instance --region eu-west-2 \
    '{"IdentityManagementType": "CONNECT_MANAGED", "InstanceAlias": "came-back",
      "InboundCallsEnabled": true, "OutboundCallsEnabled": true}' |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["Arn"])')
cpw api customer-profiles put-integration --region eu-west-2 \
    "{\"DomainName\": \"$ORPHAN_DOMAIN\", \"Uri\": \"$instance\", \"ObjectTypeName\": \"CTR\"}" \
    >/dev/null
for name in Ada Grace; do
    cpw api customer-profiles create-profile --region eu-west-2 \
        "{\"DomainName\": \"$ORPHAN_DOMAIN\", \"FirstName\": \"$name\"}" >/dev/null
done
check "the instance now using the domain is ACTIVE" bash -c "'$CPWARDEN' api connect \
    describe-instance --region eu-west-2 '{\"InstanceId\": \"${instance##*/}\"}' | grep -q ACTIVE"
rc=0
cpw apply "$E2E_TMP/alive.json" --yes --state "$E2E_TMP/alive-state" --poll-interval 20ms \
    --wait 300ms >"$E2E_TMP/alive.out" 2>"$E2E_TMP/alive.err" || rc=$?
check "the resumed run refuses: exit 4" test "$rc" -eq 4
check "... the domain, now in use, still exists" domain_exists "$ORPHAN_DOMAIN" eu-west-2
check "... the refusal names the live instance" grep -q \
    "refused: domain $ORPHAN_DOMAIN is now used by Connect instance $instance (ACTIVE)" \
    "$E2E_TMP/alive.err"
check "... neither DeleteIntegration nor DeleteDomain was called" \
    test "$(count_events DeleteIntegration eu-west-2)" -eq 0 -a \
    "$(count_events DeleteDomain eu-west-2)" -eq 0
cpw history --state "$E2E_TMP/alive-state" --output json >"$E2E_TMP/alive-history.json"
check "... the journal records the refusal with its reason, and no deletion" \
    /usr/bin/python3 - "$E2E_TMP/alive-history.json" "$instance" <<'PY'
import json, sys
changes = json.load(open(sys.argv[1]))["changes"]
refused = [c for c in changes if c["result"] == "refused"]
done = [c for c in changes if c["result"] == "done"]
ok = (len(refused) == 1 and refused[0]["what"] == "delete-integration"
      and sys.argv[2] in refused[0]["detail"]
      and [c["what"] for c in done] == ["backup-domain"])
sys.exit(0 if ok else 1)
PY

finish
