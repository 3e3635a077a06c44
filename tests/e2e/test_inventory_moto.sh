#!/usr/bin/env bash
# test_inventory_moto.sh - `cpwarden inventory` against moto's server, an emulator nobody here
# wrote: its Connect instances and IAM service-linked roles are inventoried, and Customer
# Profiles, which moto does not implement, is a reported scan error (exit 3), not a crash.
# Skipped (77) when moto is not installed.
source "$(dirname "$0")/lib.sh"

if ! python3 -c 'import moto.server' >/dev/null 2>&1; then
    echo "moto is not installed: skipped"
    exit 77
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m moto.server -H 127.0.0.1 -p "$PORT" >"$E2E_TMP/moto.out" 2>&1 &
MOTO_PID=$!
trap 'kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true; cleanup' EXIT
ENDPOINT="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do
    curl -s -o /dev/null "$ENDPOINT/moto-api/" && break
    kill -0 "$MOTO_PID" 2>/dev/null || { echo "moto exited:"; cat "$E2E_TMP/moto.out"; exit 1; }
    sleep 0.1
done
curl -s -o /dev/null "$ENDPOINT/moto-api/" || { echo "moto did not start in 10 s"; exit 1; }

api() { "$CPWARDEN" api --endpoint-url "$ENDPOINT" "$@"; }
api connect CreateInstance '{"IdentityManagementType": "CONNECT_MANAGED", "InstanceAlias": "moto-cc",
  "InboundCallsEnabled": true, "OutboundCallsEnabled": true}' >"$E2E_TMP/inst.json"
api iam CreateServiceLinkedRole '{"AWSServiceName": "connect.amazonaws.com"}' >/dev/null
api iam CreateServiceLinkedRole '{"AWSServiceName": "profile.amazonaws.com", "CustomSuffix": "dom1"}' >/dev/null

set +e
AWS_MAX_ATTEMPTS=1 "$CPWARDEN" inventory --endpoint-url "$ENDPOINT" --regions us-east-1 --no-save \
    >"$E2E_TMP/inv.json" 2>"$E2E_TMP/inv.err"
rc=$?
set -e
check "Customer Profiles missing makes the scan partial (exit 3)" [ "$rc" -eq 3 ]
check "instances and roles inventoried, Customer Profiles a scan error" /usr/bin/python3 - "$E2E_TMP/inv.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert [i["alias"] for i in d["instances"]] == ["moto-cc"], d["instances"]
names = sorted(r["name"] for r in d["roles"])
assert names == ["AWSServiceRoleForconnect", "AWSServiceRoleForprofile_dom1"], names
services = {e["service"] for e in d["errors"]}
assert services == {"profile"}, d["errors"]
assert any(e["operation"] == "ListDomains" for e in d["errors"]), d["errors"]
# What could not be read never yields a certain orphaned Customer Profiles role.
assert not any(f["kind"] == "orphaned-profile-role" and f["confidence"] == "certain"
               for f in d["findings"]), d["findings"]
EOF
check "no crash message on stderr" bash -c "! grep -qi 'internal\|abort\|segmentation' '$E2E_TMP/inv.err'"

finish
