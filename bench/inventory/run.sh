#!/usr/bin/env bash
# run.sh - the inventory benchmark (docs/performance.md, "Inventory"). Starts `cpwarden sandbox`
# with the generated organization (org:accounts=N,regions=R) and realistic latency, AWS's
# published rate limits on, then times side by side on the same sandbox:
#   (a) the runbook's way: AWS CLI v2 commands in a shell loop (a subset of CLI_ACCOUNTS accounts,
#       extrapolated per call to the whole organization),
#   (b) boto3 with a thread pool of BOTO3_WORKERS,
#   (c) cpwarden inventory --org,
# plus the theoretical floor implied by the rate limits and latency. Then, on a fresh sandbox
# with BIG_ACCOUNTS x BIG_REGIONS and the rates scaled by BIG_RATE_SCALE, cpwarden's peak RSS.
#
# usage: bench/inventory/run.sh [CPWARDEN]   (default ./build/cpwarden)
# Sizes: ACCOUNTS=20 REGIONS=4 LATENCY_MS=30 CLI_ACCOUNTS=1 BOTO3_WORKERS=16
#        BIG_ACCOUNTS=1000 BIG_REGIONS=10 BIG_LATENCY_MS=0 BIG_RATE_SCALE=100 (BIG_ACCOUNTS=0: skip)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CPWARDEN=${1:-./build/cpwarden}
ACCOUNTS=${ACCOUNTS:-20}
REGIONS=${REGIONS:-4}
LATENCY_MS=${LATENCY_MS:-30}
CLI_ACCOUNTS=${CLI_ACCOUNTS:-1}
BOTO3_WORKERS=${BOTO3_WORKERS:-16}
BIG_ACCOUNTS=${BIG_ACCOUNTS:-1000}
BIG_REGIONS=${BIG_REGIONS:-10}
BIG_LATENCY_MS=${BIG_LATENCY_MS:-0}
BIG_RATE_SCALE=${BIG_RATE_SCALE:-100}
ALL_REGIONS=(us-east-1 us-west-2 eu-west-2 eu-central-1 ap-southeast-2 ap-northeast-1
             ca-central-1 ap-southeast-1 ap-northeast-2 af-south-1)
TMP=$(mktemp -d /tmp/cpw-bench-XXXXXX)
SBX=""
cleanup() {
    if [ -n "$SBX" ]; then kill "$SBX" 2>/dev/null || true; wait "$SBX" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""
export AWS_CONFIG_FILE="$TMP/config" AWS_SHARED_CREDENTIALS_FILE="$TMP/credentials"
: >"$AWS_CONFIG_FILE"; : >"$AWS_SHARED_CREDENTIALS_FILE"
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL AWS_MAX_ATTEMPTS AWS_RETRY_MODE

regions_csv() { local IFS=,; echo "${ALL_REGIONS[*]:0:$1}"; }
py() { /usr/bin/python3 "$@"; }
json_field() { py -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
ratio() { echo "scale=1; $1 / $2" | bc; }

# start_sandbox ACCOUNTS REGIONS LATENCY [ARGS...]: threads enough that latency never queues.
start_sandbox() {
    local n=$1 r=$2 lat=$3
    shift 3
    rm -f "$TMP/ready"
    "$CPWARDEN" sandbox --port 0 --ready-file "$TMP/ready" --threads 64 \
        --scenario "org:accounts=$n,regions=$r,leftover=0.3,seed=1" --latency-ms "$lat" "$@" \
        >"$TMP/sbx.out" 2>&1 &
    SBX=$!
    for _ in $(seq 1 600); do [ -s "$TMP/ready" ] && break; sleep 0.1; done
    ENDPOINT=$(cat "$TMP/ready")
}
stop_sandbox() { kill "$SBX"; wait "$SBX" || true; SBX=""; }

# run_cpwarden NAME REGIONS: times one `cpwarden inventory --org`; sets S, KB, CALLS.
run_cpwarden() {
    /usr/bin/time -f "%e %M" -o "$TMP/$1.time" "$CPWARDEN" --log-level info inventory --org \
        --endpoint-url "$ENDPOINT" --regions "$2" --no-save --output json \
        >"$TMP/$1.json" 2>"$TMP/$1.err" || true
    read -r S KB <"$TMP/$1.time"
    CALLS=$(sed -n 's/.*: \([0-9]*\) requests.*/\1/p' "$TMP/$1.err" | tail -1)
}

summary() {
    py -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("  inventory: %d accounts, %d instances, %d domains, %d roles, %d findings, %d scan errors"
      % (len(d["accounts"]), len(d["instances"]), len(d["domains"]), len(d["roles"]),
         len(d["findings"]), len(d["errors"])))' "$1"
}

echo "== org: $ACCOUNTS member accounts x $REGIONS regions, latency ${LATENCY_MS} ms, AWS rate limits on"
RCSV=$(regions_csv "$REGIONS")
start_sandbox "$ACCOUNTS" "$REGIONS" "$LATENCY_MS"

run_cpwarden cpw "$RCSV"
CPW_S=$S CPW_KB=$KB CPW_CALLS=$CALLS
echo "cpwarden: ${CPW_S} s, ${CPW_CALLS} requests, peak RSS ${CPW_KB} KiB"
summary "$TMP/cpw.json"

B3=$(py "$HERE/boto3_inventory.py" "$ENDPOINT" "$RCSV" "$BOTO3_WORKERS" 2>"$TMP/b3.err")
B3_S=$(json_field "$B3" seconds)
B3_CALLS=$(json_field "$B3" calls)
echo "boto3 ($BOTO3_WORKERS threads): ${B3_S} s, ${B3_CALLS} calls, $(json_field "$B3" errors) failed parts"

SUBSET=$(seq 1 "$CLI_ACCOUNTS" | while read -r i; do printf '%012d ' $((200000000000 + i)); done)
# shellcheck disable=SC2086
CLI=$(bash "$HERE/runbook_awscli.sh" "$ENDPOINT" "$RCSV" $SUBSET)
CLI_SUB_CALLS=$(echo "$CLI" | sed 's/.*calls=\([0-9]*\).*/\1/')
CLI_SUB_S=$(echo "$CLI" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
CLI_S=$(echo "scale=1; $CLI_SUB_S * $B3_CALLS / $CLI_SUB_CALLS" | bc)
echo "AWS CLI runbook: ${CLI_SUB_CALLS} calls for $CLI_ACCOUNTS account(s) in ${CLI_SUB_S} s;" \
     "extrapolated per call to the ${B3_CALLS} calls of the whole org: ${CLI_S} s"
stop_sandbox

# The floor: the longest dependent chain (AssumeRole -> ListInstances -> DescribeInstance ->
# ListAccountIntegrations) at the latency; all calls spread over 32 connections at the latency;
# the tightest per-account rate (IAM's 10/s after a burst of 10: ListRoles x2 + a GetRole per
# role, 2 roles per region). The largest of the three.
FLOOR=$(py -c '
import sys
calls, lat, regions = int(sys.argv[1]), float(sys.argv[2]) / 1000, int(sys.argv[3])
print(round(max(4 * lat, calls * lat / 32, max(0.0, (2 + 2 * regions - 10) / 10.0)), 2))
' "$CPW_CALLS" "$LATENCY_MS" "$REGIONS")
echo "floor: ${FLOOR} s"
echo "ratios: AWS CLI / cpwarden = $(ratio "$CLI_S" "$CPW_S")x;" \
     "boto3 / cpwarden = $(ratio "$B3_S" "$CPW_S")x; cpwarden / floor = $(ratio "$CPW_S" "$FLOOR")x"

if [ "$BIG_ACCOUNTS" -gt 0 ]; then
    echo "== memory: $BIG_ACCOUNTS accounts x $BIG_REGIONS regions, latency ${BIG_LATENCY_MS} ms," \
         "rates x$BIG_RATE_SCALE"
    start_sandbox "$BIG_ACCOUNTS" "$BIG_REGIONS" "$BIG_LATENCY_MS" --knob "rate_scale=$BIG_RATE_SCALE"
    run_cpwarden big "$(regions_csv "$BIG_REGIONS")"
    echo "cpwarden: ${S} s, ${CALLS} requests, peak RSS ${KB} KiB"
    summary "$TMP/big.json"
    stop_sandbox
fi
