#!/usr/bin/env bash
# The runbook, verbatim: the commands an administrator types with the AWS CLI v2 (Debian's
# /usr/bin/aws, a client nobody here wrote) to find and remove what a deleted Connect instance
# left behind, against the sandbox's `orphans` scenario with the domain role persisting after
# DeleteDomain. Then the published request rate (a bounded burst from boto3), the
# Connect instance quota and tags.
source "$(dirname "$0")/lib.sh"

AWS=/usr/bin/aws
if [ ! -x "$AWS" ]; then
    echo "skipped: Debian's awscli (v2) is not installed"; exit 77
fi
aws_() { "$AWS" --endpoint-url "$ENDPOINT" --output json "$@"; }
field() { /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("."):
    d = d[int(k)] if isinstance(d, list) else d[k]
print(d)' "$1"; }
names() { /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin)
print(" ".join(sorted(x[sys.argv[2]] for x in d[sys.argv[1]])))' "$1" "$2"; }

# The domain role persists after DeleteDomain (the runbook's "role remains"); role cleanup and
# deletion tasks come due at once so that persistence, not a delay, keeps the role.
start_sandbox --scenario orphans --role-persists --knob domain_role_cleanup_ms=0 \
    --slr-deletion-delay-ms 300
R=eu-west-2
ACCT=123456789012
DOMAIN=retired-customers
DOMAIN_ARN="arn:aws:profile:$R:$ACCT:domains/$DOMAIN"
DEAD_INSTANCE_ARN="arn:aws:connect:$R:$ACCT:instance/5d2e8b1c-3f4a-4b5c-9d6e-000000000002"
DOMAIN_ROLE=AWSServiceRoleForProfile_OrphanDomainRole0002

# --- Identify service-linked roles and domains -------------------------------------------------
out=$(aws_ iam list-roles --path-prefix "/aws-service-role/profile.amazonaws.com/")
check "profile SLRs listed" test "$(echo "$out" | names Roles RoleName)" = \
    "AWSServiceRoleForProfile AWSServiceRoleForProfile_LiveDomainRole000001 $DOMAIN_ROLE"
out=$(aws_ iam list-roles --path-prefix "/aws-service-role/connect.amazonaws.com/")
check "connect SLRs listed (the deleted instance's stays)" test "$(echo "$out" | names Roles RoleName)" = \
    "AWSServiceRoleForAmazonConnect_DeletedInstance00002 AWSServiceRoleForAmazonConnect_LiveInstanceRole0001"
out=$(aws_ customer-profiles list-domains --region "$R")
check "list-domains in $R" test "$(echo "$out" | names Items DomainName)" = "$DOMAIN"
out=$(aws_ customer-profiles list-domains --region us-east-1)
check "list-domains in us-east-1" test "$(echo "$out" | names Items DomainName)" = live-customers
out=$(aws_ customer-profiles get-domain --domain-name "$DOMAIN" --region "$R")
check "get-domain name" test "$(echo "$out" | field DomainName)" = "$DOMAIN"
check "get-domain profile count" test "$(echo "$out" | field Stats.ProfileCount)" = 2
check "get-domain expiration days" test "$(echo "$out" | field DefaultExpirationDays)" = 366
out=$(aws_ customer-profiles list-account-integrations --uri "$DEAD_INSTANCE_ARN" --region "$R")
check "integration of the deleted instance names the domain" test "$(echo "$out" | field Items.0.DomainName)" = "$DOMAIN"
out=$(aws_ connect list-instances --region "$R")
check "no instance left in $R" test "$(echo "$out" | field InstanceSummaryList)" = "[]"
out=$(aws_ connect list-instances --region us-east-1)
check "live instance in us-east-1" test "$(echo "$out" | field InstanceSummaryList.0.InstanceAlias)" = live-contact-center

# --- The role cannot go while the domain uses it: FAILED with a RoleUsageList -------------------
poll_task() { # TASK: bounded polling (15 s) until the task leaves IN_PROGRESS; prints the reply
    local out
    for _ in $(seq 1 30); do
        out=$(aws_ iam get-service-linked-role-deletion-status --deletion-task-id "$1")
        [ "$(echo "$out" | field Status)" != IN_PROGRESS ] && break
        sleep 0.5
    done
    echo "$out"
}
task=$(aws_ iam delete-service-linked-role --role-name "$DOMAIN_ROLE" | field DeletionTaskId)
check "deletion task id" bash -c "[[ '$task' == task/aws-service-role/profile.amazonaws.com/$DOMAIN_ROLE/* ]]"
out=$(poll_task "$task")
check "task FAILED while the domain exists" test "$(echo "$out" | field Status)" = FAILED
check "RoleUsageList names the region" test "$(echo "$out" | field Reason.RoleUsageList.0.Region)" = "$R"
check "RoleUsageList names the domain ARN" test "$(echo "$out" | field Reason.RoleUsageList.0.Resources.0)" = "$DOMAIN_ARN"
check "CLI prints ARN and region" bash -c "grep -q '$DOMAIN_ARN' <<<'$out' && grep -q '\"$R\"' <<<'$out'"

# --- Delete the domain, verify removal ----------------------------------------------------------
out=$(aws_ customer-profiles delete-domain --domain-name "$DOMAIN" --region "$R")
check "delete-domain message" test "$(echo "$out" | field Message)" = "Domain Deleted"
out=$(aws_ customer-profiles list-domains --region "$R")
check "domain gone from list-domains" test "$(echo "$out" | field Items)" = "[]"
set +e
err=$(aws_ customer-profiles get-domain --domain-name "$DOMAIN" --region "$R" 2>&1 >/dev/null); rc=$?
set -e
check "get-domain after delete: exit 254" test "$rc" = 254
check "get-domain after delete: ResourceNotFoundException" grep -q "(ResourceNotFoundException) when calling the GetDomain operation" <<<"$err"

# --- The role persists; remove it -------------------------------------------------------------
out=$(aws_ iam list-roles --path-prefix "/aws-service-role/profile.amazonaws.com/")
check "domain role persists after delete-domain" grep -q "\"$DOMAIN_ROLE\"" <<<"$out"
task=$(aws_ iam delete-service-linked-role --role-name "$DOMAIN_ROLE" | field DeletionTaskId)
out=$(poll_task "$task")
check "task SUCCEEDED once the domain is gone" test "$(echo "$out" | field Status)" = SUCCEEDED
out=$(aws_ iam list-roles --path-prefix "/aws-service-role/profile.amazonaws.com/")
check "domain role gone" bash -c "! grep -q '\"$DOMAIN_ROLE\"' <<<'$out'"

# --- Throttling at the published rate: ListDomains 5/s, burst 5 ---------------------------------
# A bounded burst of 20 concurrent calls from boto3 (one attempt each). In T seconds at most
# 5 + 5*T (+1 for a refill at the edge) are admitted; every other call must be answered 429
# ThrottlingException.
read -r ok throttled other elapsed_ms < <(/usr/bin/python3 - "$ENDPOINT" <<'PY'
import concurrent.futures, sys, time
import boto3, botocore.config, botocore.exceptions
cp = boto3.client("customer-profiles", endpoint_url=sys.argv[1], region_name="us-west-2",
                  config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"},
                                                max_pool_connections=20))
def call(_):
    try:
        cp.list_domains()
        return "ok"
    except botocore.exceptions.ClientError as e:
        err = e.response["Error"]["Code"]
        status = e.response["ResponseMetadata"]["HTTPStatusCode"]
        return "throttled" if (err, status) == ("ThrottlingException", 429) else "other"
t0 = time.monotonic()
with concurrent.futures.ThreadPoolExecutor(20) as pool:
    results = list(pool.map(call, range(20)))
ms = int((time.monotonic() - t0) * 1000)
print(results.count("ok"), results.count("throttled"), results.count("other"), ms)
PY
)
max_ok=$((5 + 5 * elapsed_ms / 1000 + 1))
echo "burst: $ok ok, $throttled throttled, $other other in $elapsed_ms ms (at most $max_ok admitted)"
check "burst: only throttling errors" test "$other" = 0
check "burst: the first 5 pass" test "$ok" -ge 5
check "burst: no more than the rate admits" test "$ok" -le "$max_ok"
check "burst: every other call throttled" test "$((ok + throttled))" = 20

# --- Quotas: a third Connect instance in a region ----------------------------------------------
aws_ connect create-instance --identity-management-type CONNECT_MANAGED --instance-alias second-cc \
    --inbound-calls-enabled --outbound-calls-enabled --region us-east-1 >/dev/null
set +e
err=$(aws_ connect create-instance --identity-management-type CONNECT_MANAGED --instance-alias third-cc \
    --inbound-calls-enabled --outbound-calls-enabled --region us-east-1 2>&1 >/dev/null); rc=$?
set -e
check "third instance: exit 254" test "$rc" = 254
check "third instance: ServiceQuotaExceededException" grep -q "(ServiceQuotaExceededException) when calling the CreateInstance operation" <<<"$err"

# --- Tags (the runbook's tagging audit) ---------------------------------------------------------
LIVE_ARN="arn:aws:profile:us-east-1:$ACCT:domains/live-customers"
aws_ customer-profiles tag-resource --resource-arn "$LIVE_ARN" --tags owner=ops,cost-center=42 --region us-east-1
out=$(aws_ customer-profiles list-tags-for-resource --resource-arn "$LIVE_ARN" --region us-east-1)
check "domain tags" test "$(echo "$out" | field tags.owner)/$(echo "$out" | field tags.cost-center)" = "ops/42"
aws_ customer-profiles untag-resource --resource-arn "$LIVE_ARN" --tag-keys owner --region us-east-1
out=$(aws_ customer-profiles list-tags-for-resource --resource-arn "$LIVE_ARN" --region us-east-1)
check "untagged key gone" test "$(echo "$out" | /usr/bin/python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)["tags"]))')" = "['cost-center']"

finish
