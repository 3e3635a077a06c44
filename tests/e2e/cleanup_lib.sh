# cleanup_lib.sh - helpers for the plan/apply/history end-to-end tests (sourced, not run).
# Builds on lib.sh: a sandbox with the built-in "orphans" scenario (no rate limits, short
# asynchronous delays), cpwarden pointed at it through AWS_ENDPOINT_URL, isolated config and
# state directories, and probes of the sandbox's state and CloudTrail.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export XDG_CONFIG_HOME="$E2E_TMP/config"
export XDG_STATE_HOME="$E2E_TMP/state"
REGIONS=all # the whole scope: roles are global, so only it proves a role unused
LIVE_DOMAIN=live-customers
ORPHAN_DOMAIN=retired-customers
ORPHAN_DOMAIN_ROLE=AWSServiceRoleForProfile_OrphanDomainRole0002
LIVE_DOMAIN_ROLE=AWSServiceRoleForProfile_LiveDomainRole000001
ORPHAN_CONNECT_ROLE=AWSServiceRoleForAmazonConnect_DeletedInstance00002
LIVE_CONNECT_ROLE=AWSServiceRoleForAmazonConnect_LiveInstanceRole0001

# start_orphans [SANDBOX ARGS...]: a fresh in-memory sandbox with the orphans scenario.
start_orphans() {
    if [ -n "$SANDBOX_PID" ]; then stop_sandbox; fi
    start_sandbox --scenario orphans --no-rate-limits --knob domain_role_cleanup_ms=200 \
        --slr-deletion-delay-ms 100 "$@"
    export AWS_ENDPOINT_URL="$ENDPOINT"
}

cpw() { "$CPWARDEN" "$@"; }
not() { ! "$@"; }

# Fast waits for apply: the runbook's 15 minutes become fractions of a second.
FAST=(--poll-interval 20ms --wait 2s --retry-interval 50ms)

domain_exists() { # NAME REGION
    cpw api customer-profiles get-domain "{\"DomainName\": \"$1\"}" --region "$2" >/dev/null 2>&1
}

role_exists() { # NAME
    cpw api iam get-role "{\"RoleName\": \"$1\"}" >/dev/null 2>&1
}

# role_gone_within NAME: bounded polling (the service removes a domain's role asynchronously).
role_gone_within() {
    for _ in $(seq 1 100); do
        role_exists "$1" || return 0
        sleep 0.05
    done
    return 1
}

count_events() { # EVENT_NAME REGION: how many CloudTrail events of that name
    cpw api cloudtrail lookup-events --paginate --region "$2" \
        "{\"LookupAttributes\": [{\"AttributeKey\": \"EventName\", \"AttributeValue\": \"$1\"}]}" |
        /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["Events"]))'
}

file_mode() { stat -c %a "$1"; }

# backup_intact FILE: every line JSON, the trailer's sha256 over the bytes before it.
backup_intact() {
    /usr/bin/python3 - "$1" <<'PY'
import hashlib, json, sys
data = open(sys.argv[1], "rb").read()
body, _, last = data.rstrip(b"\n").rpartition(b"\n")
trailer = json.loads(last)["trailer"]
for line in body.split(b"\n"):
    json.loads(line)
assert json.loads(body.split(b"\n")[0])["format"] == "cpwarden-backup"
sys.exit(0 if hashlib.sha256(body + b"\n").hexdigest() == trailer["sha256"] else 1)
PY
}
