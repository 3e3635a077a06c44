#!/usr/bin/env bash
# IAM managed policies in the sandbox driven by the AWS CLI v2 (Debian's /usr/bin/aws): the
# create / version / attach / detach / delete round trip, the AWS managed policies every account
# has, and the errors AWS answers (NoSuchEntity for a policy that does not exist, DeleteConflict
# while attached, LimitExceeded past 5 versions, InvalidInput for a role under /aws-service-role/).
source "$(dirname "$0")/lib.sh"

AWS=${CPW_TEST_AWS:-/usr/bin/aws}
ERR_RC=${CPW_TEST_AWS_ERROR_EXIT:-254}
if [ ! -x "$AWS" ]; then
    echo "skipped: $AWS is not installed"; exit 77
fi
aws_() { "$AWS" --endpoint-url "$ENDPOINT" --output json "$@"; }
field() { /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("."):
    d = d[int(k)] if isinstance(d, list) else d[k]
print(d)' "$1"; }
fails_with() { # fails_with CODE aws-args...: the command fails with that AWS error code
    local code=$1; shift
    local err rc
    set +e
    err=$(aws_ "$@" 2>&1 >/dev/null); rc=$?
    set -e
    [ "$rc" = "$ERR_RC" ] && grep -q "($code)" <<<"$err"
}

start_sandbox

doc='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
doc2='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}'
trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}'

out=$(aws_ iam create-policy --policy-name rehearsal --path /cc/ --policy-document "$doc" --description "e2e")
arn=$(echo "$out" | field Policy.Arn)
check "create-policy ARN" test "$arn" = "arn:aws:iam::123456789012:policy/cc/rehearsal"
check "create-policy default version v1" test "$(echo "$out" | field Policy.DefaultVersionId)" = v1
check "duplicate name is EntityAlreadyExists" fails_with EntityAlreadyExists iam create-policy --policy-name rehearsal --policy-document "$doc"

out=$(aws_ iam create-policy-version --policy-arn "$arn" --policy-document "$doc2" --set-as-default)
check "create-policy-version v2" test "$(echo "$out" | field PolicyVersion.VersionId)" = v2
out=$(aws_ iam get-policy-version --policy-arn "$arn" --version-id v2)
# The CLI decodes the URL-encoded document into JSON.
check "get-policy-version returns the document" test "$(echo "$out" | field PolicyVersion.Document.Statement.0.Action)" = s3:PutObject
for v in 3 4 5; do aws_ iam create-policy-version --policy-arn "$arn" --policy-document "$doc" >/dev/null; done
check "a sixth version is LimitExceeded" fails_with LimitExceeded iam create-policy-version --policy-arn "$arn" --policy-document "$doc"
check "list-policy-versions lists 5" test "$(aws_ iam list-policy-versions --policy-arn "$arn" | field Versions | /usr/bin/python3 -c 'import ast,sys; print(len(ast.literal_eval(sys.stdin.read())))')" = 5
aws_ iam set-default-policy-version --policy-arn "$arn" --version-id v1
check "default moved to v1" test "$(aws_ iam get-policy --policy-arn "$arn" | field Policy.DefaultVersionId)" = v1

aws_ iam create-role --role-name app --assume-role-policy-document "$trust" >/dev/null
check "attaching a policy that does not exist is NoSuchEntity" fails_with NoSuchEntity iam attach-role-policy --role-name app --policy-arn arn:aws:iam::123456789012:policy/nope
aws_ iam attach-role-policy --role-name app --policy-arn "$arn"
aws_ iam attach-role-policy --role-name app --policy-arn arn:aws:iam::aws:policy/AmazonConnect_FullAccess
check "attachment count 1" test "$(aws_ iam get-policy --policy-arn "$arn" | field Policy.AttachmentCount)" = 1
check "list-entities-for-policy names the role" test "$(aws_ iam list-entities-for-policy --policy-arn "$arn" | field PolicyRoles.0.RoleName)" = app
check "delete-policy while attached is DeleteConflict" fails_with DeleteConflict iam delete-policy --policy-arn "$arn"
check "delete-role with policies is DeleteConflict" fails_with DeleteConflict iam delete-role --role-name app
out=$(aws_ iam list-policies --scope Local --only-attached)
check "list-policies --scope Local --only-attached" test "$(echo "$out" | field Policies.0.PolicyName)" = rehearsal
out=$(aws_ iam get-policy-version --policy-arn arn:aws:iam::aws:policy/AmazonConnect_FullAccess --version-id v4)
check "AWS managed policy document" test "$(echo "$out" | field PolicyVersion.Document.Statement.0.Action.0)" = "connect:*"

aws_ iam detach-role-policy --role-name app --policy-arn "$arn"
aws_ iam detach-role-policy --role-name app --policy-arn arn:aws:iam::aws:policy/AmazonConnect_FullAccess
check "delete-policy with versions is DeleteConflict" fails_with DeleteConflict iam delete-policy --policy-arn "$arn"
for v in 2 3 4 5; do aws_ iam delete-policy-version --policy-arn "$arn" --version-id "v$v"; done
aws_ iam delete-policy --policy-arn "$arn"
check "deleted policy is NoSuchEntity" fails_with NoSuchEntity iam get-policy --policy-arn "$arn"
aws_ iam delete-role --role-name app

check "a role under /aws-service-role/ is InvalidInput" fails_with InvalidInput iam create-role --role-name fake --path /aws-service-role/x/ --assume-role-policy-document "$trust"

finish
