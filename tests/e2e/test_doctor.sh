#!/usr/bin/env bash
# test_doctor.sh - `cpwarden doctor` against the sandbox: everything allowed exits 0 with the
# credentials' source, the clock, the identity and each region that answers; a DeleteDomain that
# failed shows when the runbook's 15 minutes let the next attempt go; missing or refused
# credentials are problems (exit 6) with their fix; the three outputs; usage errors.
# shellcheck source=cleanup_lib.sh
source "$(dirname "$0")/cleanup_lib.sh"

start_orphans
REG=us-east-1,eu-west-2

rc=0
cpw doctor --regions "$REG" --output json >"$E2E_TMP/ok.json" 2>"$E2E_TMP/ok.err" || rc=$?
check "doctor with the root keys exits 0 (got $rc)" test "$rc" -eq 0
check "credentials, clock, identity, regions, permissions, delete-domain and throttling rows" \
    /usr/bin/python3 - "$E2E_TMP/ok.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
rows = doc["checks"]
by = {}
for r in rows:
    by.setdefault(r["check"], []).append(r)
assert doc["problems"] == 0, doc
cred = by["credentials"][0]
assert cred["subject"] == "environment" and cred["status"] == "ok", cred
assert "EXAMPLEKEY" not in json.dumps(doc) and "wJalr" not in json.dumps(doc)  # no secret
assert by["clock"][0]["status"] == "ok", by["clock"]
assert by["identity"][0]["subject"] == "arn:aws:iam::123456789012:root", by["identity"]
regions = {r["subject"]: r["status"] for r in by["regions"]}
assert regions == {"us-east-1": "ok", "eu-west-2": "ok"}, regions
assert by["permission"][0]["subject"] == "root", by["permission"]
assert by["delete-domain"][0]["status"] == "ok", by["delete-domain"]
assert by["throttling"][0]["status"] == "ok", by["throttling"]
PY

# A DeleteDomain that fails: doctor says when the next attempt is allowed (15 minutes after).
curl -fsS -X POST "$ENDPOINT/_cpwarden/knobs" -d '{"delete_domain_failure": "internal"}' >/dev/null
cpw plan --regions all -o "$E2E_TMP/plan.json" >/dev/null
cpw apply "$E2E_TMP/plan.json" --yes "${FAST[@]}" --max-retries 0 >/dev/null 2>&1 || true
rc=0
cpw doctor --regions "$REG" --output json >"$E2E_TMP/dd.json" || rc=$?
check "a failed DeleteDomain is a warning, not a problem (exit 0, got $rc)" test "$rc" -eq 0
check "...naming the domain, the error and the time of the next attempt" \
    /usr/bin/python3 - "$E2E_TMP/dd.json" "$ORPHAN_DOMAIN" <<'PY'
import json, sys, datetime
rows = [r for r in json.load(open(sys.argv[1]))["checks"] if r["check"] == "delete-domain"]
r = [r for r in rows if r["subject"] == "eu-west-2 " + sys.argv[2]]
assert len(r) == 1 and r[0]["status"] == "warn", rows
assert "InternalServerException" in r[0]["detail"], r
failed = datetime.datetime.strptime(r[0]["detail"].split(" at ")[1].split(" ")[0], "%Y-%m-%dT%H:%M:%SZ")
nxt = failed + datetime.timedelta(minutes=15)
assert "next attempt is allowed at %sZ" % nxt.isoformat() in r[0]["fix"], r[0]["fix"]
PY
# The deletion tasks apply journaled are read back (the roles' tasks, by their ids).
check "the journal's deletion tasks are asked for" /usr/bin/python3 -c '
import json,sys; rows=[r for r in json.load(open(sys.argv[1]))["checks"] if r["check"] == "deletion-task"]
sys.exit(not rows or not all(r["subject"].startswith("task/aws-service-role/") for r in rows))' \
    "$E2E_TMP/dd.json"

cpw doctor --regions eu-west-2 >"$E2E_TMP/dd.txt" || true
check "the table prints each warning's fix" grep -q "       fix: wait 15 minutes between attempts" \
    "$E2E_TMP/dd.txt"
cpw doctor --regions eu-west-2 --output markdown >"$E2E_TMP/dd.md" || true
check "markdown: a table and the fixes" grep -q "^## Fixes" "$E2E_TMP/dd.md"

# No credentials at all: a problem with the fix, exit 6, nothing else asked.
rc=0
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$CPWARDEN" doctor --regions us-east-1 \
    --output json >"$E2E_TMP/none.json" || rc=$?
check "no credentials: exit 6 (got $rc)" test "$rc" -eq 6
check "...the credentials row fails and says how to configure them" /usr/bin/python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); r=d["checks"][0]
sys.exit(not (r["check"] == "credentials" and r["status"] == "fail" and "AWS_PROFILE" in r["fix"]))' \
    "$E2E_TMP/none.json"

# Keys the endpoint refuses: the identity fails, the clock is still compared.
rc=0
AWS_SECRET_ACCESS_KEY=not-the-secret cpw doctor --regions us-east-1 --output json \
    >"$E2E_TMP/bad.json" || rc=$?
check "refused keys: exit 6 (got $rc)" test "$rc" -eq 6
check "...identity fails, the clock row is there, the wrong secret is not printed" \
    /usr/bin/python3 -c '
import json,sys; t=open(sys.argv[1]).read(); d=json.loads(t); c={r["check"]: r for r in d["checks"]}
sys.exit(not (c["identity"]["status"] == "fail" and "clock" in c and "not-the-secret" not in t))' \
    "$E2E_TMP/bad.json"

rc=0
cpw doctor --command sign >/dev/null 2>&1 || rc=$?
check "an unknown --command is a usage error" test "$rc" -eq 252
rc=0
cpw doctor --principal bob >/dev/null 2>&1 || rc=$?
check "--principal takes an ARN" test "$rc" -eq 252
rc=0
cpw doctor --output csv >/dev/null 2>&1 || rc=$?
check "--output csv is refused" test "$rc" -eq 252

finish
