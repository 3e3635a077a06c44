# lib.sh - shared helpers for the end-to-end tests (sourced, not run).
# Starts `cpwarden sandbox` on an ephemeral loopback port and points the real AWS CLI at it.
set -euo pipefail

: "${CPWARDEN:?CPWARDEN must name the cpwarden binary}"
E2E_TMP=$(mktemp -d /tmp/cpw-e2e-XXXXXX)
SANDBOX_PID=""
PASSED=0
FAILED=0

cleanup() {
    if [ -n "$SANDBOX_PID" ] && kill -0 "$SANDBOX_PID" 2>/dev/null; then
        kill -TERM "$SANDBOX_PID" 2>/dev/null || true
        wait "$SANDBOX_PID" 2>/dev/null || true
    fi
    rm -rf "$E2E_TMP"
}
trap cleanup EXIT

# start_sandbox [ARGS...]: starts the sandbox, waits (bounded) for its ready file, sets ENDPOINT.
# Deletion tasks of service-linked roles settle after 2 s here (the default is 20 s) so the suite
# stays fast; ARGS may give another --slr-deletion-delay-ms (the last one wins).
start_sandbox() {
    rm -f "$E2E_TMP/ready"
    "$CPWARDEN" sandbox --port 0 --ready-file "$E2E_TMP/ready" --slr-deletion-delay-ms 2000 "$@" \
        >"$E2E_TMP/sandbox.out" 2>"$E2E_TMP/sandbox.err" &
    SANDBOX_PID=$!
    for _ in $(seq 1 200); do
        [ -s "$E2E_TMP/ready" ] && break
        if ! kill -0 "$SANDBOX_PID" 2>/dev/null; then
            echo "sandbox exited early:"; cat "$E2E_TMP/sandbox.err"; exit 1
        fi
        sleep 0.05
    done
    [ -s "$E2E_TMP/ready" ] || { echo "sandbox did not become ready in 10 s"; exit 1; }
    ENDPOINT=$(cat "$E2E_TMP/ready")
}

# advance_clock MS: moves the sandbox services' clock ahead (docs/sandbox.md, control API).
advance_clock() {
    curl -fsS -X POST "$ENDPOINT/_cpwarden/clock?advance_ms=$1" >/dev/null
}

stop_sandbox() {
    kill -TERM "$SANDBOX_PID"
    wait "$SANDBOX_PID" || { echo "sandbox exited with $?"; exit 1; }
    SANDBOX_PID=""
}

# An isolated AWS environment: the sandbox's root keys, a region, one attempt, no files.
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL
export AWS_DEFAULT_REGION=us-east-1
export AWS_MAX_ATTEMPTS=1
export AWS_RETRY_MODE=standard
export AWS_EC2_METADATA_DISABLED=true
export AWS_PAGER=""
export AWS_CONFIG_FILE="$E2E_TMP/aws-config"
export AWS_SHARED_CREDENTIALS_FILE="$E2E_TMP/aws-credentials"
: >"$AWS_CONFIG_FILE"
: >"$AWS_SHARED_CREDENTIALS_FILE"
# cpwarden's own state and protections stay in the test's directory, never the user's.
export XDG_STATE_HOME="$E2E_TMP/state" XDG_CONFIG_HOME="$E2E_TMP/config"

# check NAME CONDITION...: records one assertion.
check() {
    local name=$1; shift
    if "$@"; then
        PASSED=$((PASSED + 1))
    else
        FAILED=$((FAILED + 1))
        echo "FAILED: $name"
    fi
}

finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
