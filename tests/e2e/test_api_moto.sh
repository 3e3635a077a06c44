#!/usr/bin/env bash
# `cpwarden api` against moto's server, an AWS emulator nobody here wrote: identity, IAM roles
# across several pages merged by --paginate, the service-linked-role calls, Connect instances
# through their whole life, Organizations, and a service moto lacks (Customer Profiles answers an
# HTML 500) reported as a readable error with a non-zero exit. moto does not check signatures, so
# this proves serialization and parsing, not signing (the sandbox tests prove signing).
# Skipped (77) when moto is not importable by the python3 on PATH.
source "$(dirname "$0")/lib.sh"

MOTO_PY=${MOTO_PYTHON:-python3}
if ! "$MOTO_PY" -c 'import moto.server' 2>/dev/null; then
    echo "skipped: moto's server is not importable by $MOTO_PY"; exit 77
fi
field() { /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("."):
    d = d[int(k)] if isinstance(d, list) else d[k]
print(d)' "$1"; }
count() { /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d[sys.argv[1]]))' "$1"; }

MOTO_PID=""
stop_moto() {
    if [ -n "$MOTO_PID" ] && kill -0 "$MOTO_PID" 2>/dev/null; then
        kill -TERM "$MOTO_PID" 2>/dev/null || true
        wait "$MOTO_PID" 2>/dev/null || true
    fi
}
trap 'stop_moto; cleanup' EXIT

# moto takes a fixed port: ask the kernel for a free one, then wait (bounded, 60 s) for moto to
# answer on it; a lost race for the port is retried with another one.
for attempt in 1 2 3; do
    port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$MOTO_PY" -m moto.server -H 127.0.0.1 -p "$port" >"$E2E_TMP/moto.log" 2>&1 &
    MOTO_PID=$!
    up=0
    for _ in $(seq 1 600); do
        if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/moto-api/"; then up=1; break; fi
        kill -0 "$MOTO_PID" 2>/dev/null || break
        sleep 0.1
    done
    [ "$up" = 1 ] && break
    stop_moto; MOTO_PID=""
done
if [ -z "$MOTO_PID" ]; then
    echo "moto's server did not start:"; cat "$E2E_TMP/moto.log"; exit 1
fi
api() { "$CPWARDEN" api --endpoint-url "http://127.0.0.1:$port" --region us-east-1 "$@"; }

# --- STS ----------------------------------------------------------------------------------------
out=$(api sts GetCallerIdentity)
check "GetCallerIdentity account" test "$(echo "$out" | field Account)" = 123456789012
check "GetCallerIdentity ARN" bash -c "[[ '$(echo "$out" | field Arn)' == arn:aws:sts::123456789012:* ]]"

# --- IAM ListRoles: 12 roles, pages of 5 --------------------------------------------------------
for i in $(seq -w 1 12); do
    api iam CreateRole "{\"RoleName\": \"moto-page-$i\", \"Path\": \"/paging/\",
        \"AssumeRolePolicyDocument\": \"{\\\"Version\\\": \\\"2012-10-17\\\", \\\"Statement\\\": []}\"}" >/dev/null
done
out=$(api iam ListRoles --no-paginate '{"PathPrefix": "/paging/", "MaxItems": 5}')
check "one page holds 5" test "$(echo "$out" | count Roles)" = 5
check "one page is truncated" test "$(echo "$out" | field IsTruncated)" = True
out=$(api iam ListRoles '{"PathPrefix": "/paging/", "MaxItems": 5}' --paginate)
check "--paginate merges 12 roles from 3 pages" test "$(echo "$out" | count Roles)" = 12
names=$(echo "$out" | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["Roles"]; print(len({x["RoleName"] for x in r}))')
check "--paginate: 12 distinct names" test "$names" = 12
check "--paginate drops the marker" bash -c "! grep -q '\"Marker\"' <<<'$out'"

# --- IAM service-linked roles -------------------------------------------------------------------
out=$(api iam CreateServiceLinkedRole '{"AWSServiceName": "profile.amazonaws.com"}')
role=$(echo "$out" | field Role.RoleName)
check "SLR path" test "$(echo "$out" | field Role.Path)" = "/aws-service-role/profile.amazonaws.com/"
out=$(api iam ListRoles '{"PathPrefix": "/aws-service-role/profile.amazonaws.com/"}')
check "ListRoles by prefix finds the SLR" test "$(echo "$out" | field Roles.0.RoleName)" = "$role"
task=$(api iam DeleteServiceLinkedRole "{\"RoleName\": \"$role\"}" | field DeletionTaskId)
check "deletion task id" test -n "$task"
status=$(api iam GetServiceLinkedRoleDeletionStatus "{\"DeletionTaskId\": \"$task\"}" | field Status)
check "deletion status is a task state" bash -c "[[ '$status' =~ ^(SUCCEEDED|IN_PROGRESS|NOT_STARTED)$ ]]"
set +e
err=$(api iam GetRole "{\"RoleName\": \"$role\"}" 2>&1 >/dev/null); rc=$?
set -e
check "deleted SLR: exit 254" test "$rc" = 254
check "deleted SLR: NoSuchEntity" grep -q "(NoSuchEntity) when calling the GetRole operation" <<<"$err"

# --- Connect instances --------------------------------------------------------------------------
out=$(api connect CreateInstance '{"IdentityManagementType": "CONNECT_MANAGED",
        "InstanceAlias": "moto-cc", "InboundCallsEnabled": true, "OutboundCallsEnabled": false}')
id=$(echo "$out" | field Id)
check "CreateInstance ARN" test "$(echo "$out" | field Arn)" = "arn:aws:connect:us-east-1:123456789012:instance/$id"
out=$(api connect ListInstances --paginate)
check "ListInstances has it" test "$(echo "$out" | field InstanceSummaryList.0.Id)" = "$id"
check "ListInstances alias" test "$(echo "$out" | field InstanceSummaryList.0.InstanceAlias)" = moto-cc
out=$(api connect DescribeInstance "{\"InstanceId\": \"$id\"}")
check "DescribeInstance alias" test "$(echo "$out" | field Instance.InstanceAlias)" = moto-cc
check "DescribeInstance booleans parsed" test "$(echo "$out" | field Instance.OutboundCallsEnabled)" = False
check "DescribeInstance timestamp" bash -c "[[ '$(echo "$out" | field Instance.CreatedTime)' == 20*+00:00 ]]"
api connect DeleteInstance "{\"InstanceId\": \"$id\"}" >/dev/null
check "ListInstances empty after delete" test "$(api connect ListInstances | count InstanceSummaryList)" = 0
set +e
err=$(api connect DescribeInstance "{\"InstanceId\": \"$id\"}" 2>&1 >/dev/null); rc=$?
set -e
check "deleted instance: exit 254" test "$rc" = 254
check "deleted instance: ResourceNotFoundException" grep -q "(ResourceNotFoundException) when calling the DescribeInstance operation" <<<"$err"

# --- Organizations ------------------------------------------------------------------------------
out=$(api organizations CreateOrganization '{"FeatureSet": "ALL"}')
check "organization management account" test "$(echo "$out" | field Organization.MasterAccountId)" = 123456789012
out=$(api organizations ListAccounts)
check "ListAccounts lists the management account" test "$(echo "$out" | field Accounts.0.Id)" = 123456789012

# --- a service moto does not have: a readable error, not a crash --------------------------------
set +e
err=$(api customer-profiles ListDomains 2>&1 >"$E2E_TMP/cp.out"); rc=$?
set -e
check "Customer Profiles: exit 254 (service error)" test "$rc" = 254
check "Customer Profiles: names the status and operation" grep -q "An error occurred (500) when calling the ListDomains operation" <<<"$err"
check "Customer Profiles: nothing on stdout" test ! -s "$E2E_TMP/cp.out"

finish
