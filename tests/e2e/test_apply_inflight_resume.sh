#!/usr/bin/env bash
# test_apply_inflight_resume.sh - apply killed (SIGKILL) while its DeleteServiceLinkedRole call is
# in flight, then resumed: every successful deletion call must end up recorded by exactly one
# `done` or `already` record of its step (invariant I2, docs/safety.md), and the resume must make
# no second deletion call of its own.
#
# "In flight" is made deterministic by a relay between apply and the sandbox (127.0.0.1): it
# passes every exchange through until a request names DeleteServiceLinkedRole; then it either
# forwards that request, reads the sandbox's whole answer (IAM has started the deletion and
# CloudTrail holds the call) and keeps the answer from apply ("reach"), or keeps the request from
# the sandbox ("drop"). Either way it then writes a file, and apply, still waiting for its answer,
# is killed. Nothing waits on a timer: the test polls for that file, bounded.
# shellcheck source=cleanup_lib.sh
source "$(dirname "$0")/cleanup_lib.sh"

cat >"$E2E_TMP/relay.py" <<'PY'
import socket, sys, threading
upstream_host, upstream_port = sys.argv[1], int(sys.argv[2])
port_file, held_file, mode = sys.argv[3], sys.argv[4], sys.argv[5]
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(64)
held = threading.Event()

def mark():
    if not held.is_set():
        held.set()
        with open(held_file, "w") as f:
            f.write("held\n")

def serve(client):
    up = socket.create_connection((upstream_host, upstream_port))
    state = {"hold": False}
    def to_client():
        while True:
            data = up.recv(65536)
            if not data:
                break
            if state["hold"]:
                mark()  # the sandbox has answered: the call reached it, apply never learns
                continue
            client.sendall(data)
    threading.Thread(target=to_client, daemon=True).start()
    seen = b""
    while True:
        data = client.recv(65536)
        if not data:
            break
        seen = (seen + data)[-4096:]
        if not held.is_set() and b"DeleteServiceLinkedRole" in seen:
            state["hold"] = True
            if mode == "drop":
                mark()
                continue
        if state["hold"] and mode == "drop":
            continue
        up.sendall(data)

with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
import os
os.rename(port_file + ".tmp", port_file)
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY

# The plan: the orphaned domain and its role, which stays behind (wait, DeleteServiceLinkedRole,
# poll, verify). Deletion tasks stay IN_PROGRESS until the test moves the sandbox's clock.
RELAY_PID=""
stop_relay() {
    if [ -n "$RELAY_PID" ]; then
        kill "$RELAY_PID" 2>/dev/null || true
        wait "$RELAY_PID" 2>/dev/null || true
        RELAY_PID=""
    fi
}
trap 'stop_relay; cleanup' EXIT

# interrupted_run NAME MODE: a fresh sandbox and plan, apply through the relay killed while its
# DeleteServiceLinkedRole is in flight. Sets STATE, PLAN, ROLE_STEP.
interrupted_run() {
    local name=$1 mode=$2
    stop_relay
    start_orphans --role-persists --slr-deletion-delay-ms 3600000
    STATE="$E2E_TMP/$name-state"
    PLAN="$E2E_TMP/$name-plan.json"
    cpw plan --domain "$ORPHAN_DOMAIN" --region eu-west-2 --role "$ORPHAN_DOMAIN_ROLE" \
        -o "$PLAN" >/dev/null
    ROLE_STEP=$(/usr/bin/python3 -c 'import json,sys
print([a["id"] for a in json.load(open(sys.argv[1]))["actions"]
       if a["kind"] == "delete-service-linked-role"][0])' "$PLAN")
    local hostport=${ENDPOINT#http://}
    rm -f "$E2E_TMP/relay.port" "$E2E_TMP/held"
    /usr/bin/python3 "$E2E_TMP/relay.py" "${hostport%:*}" "${hostport##*:}" \
        "$E2E_TMP/relay.port" "$E2E_TMP/held" "$mode" &
    RELAY_PID=$!
    for _ in $(seq 1 200); do
        [ -s "$E2E_TMP/relay.port" ] && break
        sleep 0.05
    done
    AWS_ENDPOINT_URL="http://127.0.0.1:$(cat "$E2E_TMP/relay.port")" \
        "$CPWARDEN" apply "$PLAN" --yes --state "$STATE" --poll-interval 20ms --wait 300ms \
        >"$E2E_TMP/$name-first.out" 2>&1 &
    local apply_pid=$!
    for _ in $(seq 1 600); do
        [ -e "$E2E_TMP/held" ] && break
        kill -0 "$apply_pid" 2>/dev/null || break
        sleep 0.05
    done
    check "$name: the DeleteServiceLinkedRole call is held in flight" test -e "$E2E_TMP/held"
    kill -KILL "$apply_pid" 2>/dev/null || true
    local rc=0
    wait "$apply_pid" || rc=$?
    check "$name: apply was killed with its call in flight (SIGKILL)" test "$rc" -eq 137
    stop_relay
    cpw history --state "$STATE" --output json >"$E2E_TMP/$name-h0.json"
    check "$name: the journal shows the role step interrupted" /usr/bin/python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["changes"]
sys.exit(0 if [x["result"] for x in c if x["step"] == sys.argv[2]] == ["interrupted"] else 1)' \
        "$E2E_TMP/$name-h0.json" "$ROLE_STEP"
}

resume() { # NAME TAG -> exit status in RESUME_RC, output in $E2E_TMP/NAME-TAG.out
    RESUME_RC=0
    cpw apply "$PLAN" --yes --state "$STATE" --poll-interval 20ms --wait 300ms \
        >"$E2E_TMP/$1-$2.out" 2>&1 || RESUME_RC=$?
}

# judged NAME TAG WANT_OUTCOME WANT_CALLS [DETAIL_WORDS]: the I2 judgement after a resume, read
# from the journal and the sandbox's CloudTrail. The role step is recorded done or already
# exactly once (as WANT_OUTCOME, its detail containing DETAIL_WORDS); CloudTrail shows
# WANT_CALLS successful DeleteServiceLinkedRole calls and no failed one, one deletion task, and
# the journal's task is CloudTrail's; nothing outside the plan was deleted.
judged() {
    local name=$1 tag=$2
    cpw history --state "$STATE" --output json >"$E2E_TMP/$name-$tag-h.json" &&
        cpw api cloudtrail lookup-events --paginate --region us-east-1 >"$E2E_TMP/$name-ct-us.json" &&
        cpw api cloudtrail lookup-events --paginate --region eu-west-2 >"$E2E_TMP/$name-ct-eu.json" &&
        cpw api iam list-roles '{"PathPrefix": "/aws-service-role/"}' >"$E2E_TMP/$name-roles.json" &&
        cpw api customer-profiles list-domains --region us-east-1 >"$E2E_TMP/$name-us.json" ||
        return 1
    /usr/bin/python3 - "$E2E_TMP/$name" "$tag" "$ROLE_STEP" "$3" "$4" "${5:-}" \
        "$ORPHAN_DOMAIN" "$ORPHAN_DOMAIN_ROLE" "$LIVE_DOMAIN" <<'PY'
import json, sys
base, tag, step, want, calls, words, domain, role, live = sys.argv[1:]
changes = json.load(open("%s-%s-h.json" % (base, tag)))["changes"]
rec = [c for c in changes if c["step"] == step and c["result"] in ("done", "already")]
problems = []
if len(rec) != 1:
    problems.append("role step recorded done/already %d times" % len(rec))
elif rec[0]["result"] != want:
    problems.append("role step recorded %s, not %s: %s" % (rec[0]["result"], want, rec[0]["detail"]))
elif words and words not in rec[0]["detail"]:
    problems.append("role step's detail lacks %r: %s" % (words, rec[0]["detail"]))
events = []
for region in ("us", "eu"):
    for e in json.load(open("%s-ct-%s.json" % (base, region)))["Events"]:
        body = json.loads(e["CloudTrailEvent"])
        if body.get("eventName") in ("DeleteDomain", "DeleteIntegration", "DeleteServiceLinkedRole"):
            events.append(body)
slr = [b for b in events if b["eventName"] == "DeleteServiceLinkedRole"]
ok = [b for b in slr if b.get("errorCode") is None]
if len(ok) != int(calls) or len(slr) != len(ok):
    problems.append("%d DeleteServiceLinkedRole calls (%d successful), expected %s successful and "
                    "no other" % (len(slr), len(ok), calls))
tasks = {b["responseElements"]["deletionTaskId"] for b in ok}
if len(tasks) > 1:
    problems.append("%d deletion tasks" % len(tasks))
if want == "done" and rec and tasks and ("deletion task %s" % next(iter(tasks))) not in rec[0]["detail"]:
    problems.append("the journal does not name CloudTrail's task: %s" % rec[0]["detail"])
for b in events:
    p = b.get("requestParameters") or {}
    if p.get("domainName", domain) != domain or p.get("roleName", role) != role:
        problems.append("%s of something not planned: %s" % (b["eventName"], p))
roles = {r["RoleName"] for r in json.load(open(base + "-roles.json"))["Roles"]}
for keep in ("AWSServiceRoleForProfile_LiveDomainRole000001",
             "AWSServiceRoleForAmazonConnect_LiveInstanceRole0001",
             "AWSServiceRoleForAmazonConnect_DeletedInstance00002"):
    if keep not in roles:
        problems.append(keep + " is gone (not in the plan)")
if live not in {d["DomainName"] for d in json.load(open(base + "-us.json")).get("Items", [])}:
    problems.append("the live domain is gone")
for p in problems:
    print("  " + p)
sys.exit(1 if problems else 0)
PY
}

fault_role_deletion() { # every later DeleteServiceLinkedRole fails (500)
    curl -fsS -X POST "$ENDPOINT/_cpwarden/knobs" -d '{"fault_probability": 1,
        "fault_kind": "internal", "fault_operation": "DeleteServiceLinkedRole"}' >/dev/null
}

# ---- the deletion still IN_PROGRESS at resume; the resume's own call would fail -------------
interrupted_run pending reach
check "pending: the role still exists at resume (its deletion pending)" role_exists "$ORPHAN_DOMAIN_ROLE"
fault_role_deletion
resume pending r1
check "pending: the resume says its poll is still waiting (exit 1)" test "$RESUME_RC" -eq 1
check "pending: after the resume, the interrupted deletion is journaled once, with its task" \
    judged pending r1 "done" 1 "not submitted again"
advance_clock 7200000
resume pending r2
check "pending: once the task succeeds, the next run completes (exit 0)" test "$RESUME_RC" -eq 0
check "pending: the role is gone" not role_exists "$ORPHAN_DOMAIN_ROLE"
check "pending: still one record, one call, one task" judged pending r2 "done" 1 "not submitted again"

# ---- the deletion already SUCCEEDED (role gone) at resume ------------------------------------
interrupted_run succeeded reach
advance_clock 7200000
check "succeeded: the role is gone before the resume" not role_exists "$ORPHAN_DOMAIN_ROLE"
fault_role_deletion
resume succeeded r1
check "succeeded: the resume completes (exit 0)" test "$RESUME_RC" -eq 0
check "succeeded: the deletion is journaled once as already, naming the interrupted run" \
    judged succeeded r1 already 1 "stopped during this step"

# ---- the call never reached IAM: the resume checks and deletes, once -------------------------
interrupted_run dropped drop
check "dropped: the role is untouched after the kill" role_exists "$ORPHAN_DOMAIN_ROLE"
resume dropped r1
check "dropped: the resume ends waiting on the task it submitted (exit 1)" test "$RESUME_RC" -eq 1
check "dropped: the resume's own deletion is journaled once, saying CloudTrail shows none before" \
    judged dropped r1 "done" 1 \
    "CloudTrail shows no successful DeleteServiceLinkedRole of $ORPHAN_DOMAIN_ROLE); deletion task"

stop_relay
finish
