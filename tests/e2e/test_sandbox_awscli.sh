#!/usr/bin/env bash
# The sandbox driven by Debian's AWS CLI v2 (/usr/bin/aws), a client nobody here wrote: identity,
# the runbook's service-linked-role commands through every task state, errors as the CLI prints
# them, Organizations + AssumeRole into member accounts, CloudTrail, and state across restarts.
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

# The deletion task must still be IN_PROGRESS after three AWS CLI runs, even on a loaded machine
# (an ASan build beside other end-to-end tests): 30 s, with the waiter below bounded at 60 s.
start_sandbox --slr-deletion-delay-ms 30000 --data "$E2E_TMP/state"

# --- identity ---------------------------------------------------------------------------------
out=$(aws_ sts get-caller-identity)
check "caller is the default account" test "$(echo "$out" | field Account)" = 123456789012
check "caller is root" test "$(echo "$out" | field Arn)" = "arn:aws:iam::123456789012:root"

# --- service-linked roles, as the runbook lists and deletes them --------------------------------
out=$(aws_ iam create-service-linked-role --aws-service-name profile.amazonaws.com)
role=$(echo "$out" | field Role.RoleName)
check "profile SLR name" bash -c "[[ '$role' == AWSServiceRoleForProfile_* ]]"
check "profile SLR path" test "$(echo "$out" | field Role.Path)" = "/aws-service-role/profile.amazonaws.com/"
out=$(aws_ iam list-roles --path-prefix "/aws-service-role/profile.amazonaws.com/")
check "list-roles by path prefix finds it" test "$(echo "$out" | field Roles.0.RoleName)" = "$role"
out=$(aws_ iam list-roles --path-prefix "/aws-service-role/connect.amazonaws.com/")
check "other prefix finds nothing" test "$(echo "$out" | field Roles)" = "[]"

set +e
err=$(aws_ iam delete-role --role-name "$role" 2>&1 >/dev/null); rc=$?
set -e
check "delete-role on an SLR exits 254" test "$rc" = 254
check "delete-role on an SLR is UnmodifiableEntity" grep -q "(UnmodifiableEntity) when calling the DeleteRole operation" <<<"$err"

task=$(aws_ iam delete-service-linked-role --role-name "$role" | field DeletionTaskId)
check "task id format" bash -c "[[ '$task' == task/aws-service-role/profile.amazonaws.com/$role/* ]]"
again=$(aws_ iam delete-service-linked-role --role-name "$role" | field DeletionTaskId)
check "same task id while pending" test "$again" = "$task"
status=$(aws_ iam get-service-linked-role-deletion-status --deletion-task-id "$task" | field Status)
check "task starts IN_PROGRESS" test "$status" = IN_PROGRESS
for _ in $(seq 1 300); do   # a waiter: bounded polling (60 s), as Terraform polls this API
    status=$(aws_ iam get-service-linked-role-deletion-status --deletion-task-id "$task" | field Status)
    [ "$status" = IN_PROGRESS ] || break
    sleep 0.2
done
check "task ends SUCCEEDED" test "$status" = SUCCEEDED
set +e
err=$(aws_ iam get-role --role-name "$role" 2>&1 >/dev/null); rc=$?
set -e
check "role is gone (NoSuchEntity)" grep -q "(NoSuchEntity)" <<<"$err"
set +e
err=$(aws_ iam get-service-linked-role-deletion-status --deletion-task-id "task/aws-service-role/x/y/nope" 2>&1 >/dev/null); rc=$?
set -e
check "unknown task is an error" test "$rc" = 254

# --- signatures ---------------------------------------------------------------------------------
set +e
err=$(AWS_SECRET_ACCESS_KEY=wrong-secret "$AWS" --endpoint-url "$ENDPOINT" sts get-caller-identity 2>&1 >/dev/null); rc=$?
set -e
check "wrong secret exits 254" test "$rc" = 254
check "wrong secret is SignatureDoesNotMatch" grep -q "(SignatureDoesNotMatch)" <<<"$err"
set +e
err=$(AWS_ACCESS_KEY_ID=AKIAUNKNOWNKEY000000 "$AWS" --endpoint-url "$ENDPOINT" sts get-caller-identity 2>&1 >/dev/null)
set -e
check "unknown key is InvalidClientTokenId" grep -q "(InvalidClientTokenId)" <<<"$err"

# --- Organizations: two new accounts reached through AssumeRole ---------------------------------
aws_ organizations create-organization --feature-set ALL >/dev/null
members=()
for name in alpha beta; do
    req=$(aws_ organizations create-account --email "$name@example.com" --account-name "$name" | field CreateAccountStatus.Id)
    for _ in $(seq 1 100); do
        out=$(aws_ organizations describe-create-account-status --create-account-request-id "$req")
        state=$(echo "$out" | field CreateAccountStatus.State)
        [ "$state" = IN_PROGRESS ] || break
        sleep 0.1
    done
    check "account $name created" test "$state" = SUCCEEDED
    members+=("$(echo "$out" | field CreateAccountStatus.AccountId)")
done
count=$(aws_ organizations list-accounts | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["Accounts"]))')
check "organization has 3 accounts" test "$count" = 3
for acct in "${members[@]}"; do
    creds=$(aws_ sts assume-role --role-arn "arn:aws:iam::$acct:role/OrganizationAccountAccessRole" --role-session-name e2e)
    who=$(AWS_ACCESS_KEY_ID=$(echo "$creds" | field Credentials.AccessKeyId) \
          AWS_SECRET_ACCESS_KEY=$(echo "$creds" | field Credentials.SecretAccessKey) \
          AWS_SESSION_TOKEN=$(echo "$creds" | field Credentials.SessionToken) \
          "$AWS" --endpoint-url "$ENDPOINT" --output json sts get-caller-identity)
    check "assumed into $acct" test "$(echo "$who" | field Account)" = "$acct"
    check "assumed-role ARN" test "$(echo "$who" | field Arn)" = "arn:aws:sts::$acct:assumed-role/OrganizationAccountAccessRole/e2e"
done

# --- CloudTrail finds those calls ---------------------------------------------------------------
for event in CreateServiceLinkedRole DeleteServiceLinkedRole CreateAccount AssumeRole; do
    n=$(aws_ cloudtrail lookup-events --lookup-attributes "AttributeKey=EventName,AttributeValue=$event" \
        | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["Events"]))')
    check "CloudTrail has $event" test "$n" -ge 1
done

# --- state survives a restart -------------------------------------------------------------------
aws_ iam create-role --role-name keep-me --assume-role-policy-document '{"Version":"2012-10-17","Statement":[]}' >/dev/null
stop_sandbox
start_sandbox --data "$E2E_TMP/state"
check "role survived the restart" test "$(aws_ iam get-role --role-name keep-me | field Role.RoleName)" = keep-me

finish
