#!/usr/bin/env bash
# test_org_sts_awscli.sh - Organizations and STS fidelity through clients nobody here wrote:
#   * the AWS CLI v2: CreateAccount with an email another account uses is accepted and ends
#     FAILED with EMAIL_ALREADY_EXISTS; a member account (through OrganizationAccountAccessRole)
#     is refused ListAccounts with AWS's AccessDeniedException;
#   * cpwarden's own web-identity credential source (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN):
#     `cpwarden api sts get-caller-identity` answers the assumed-role ARN, the sandbox serving
#     AssumeRoleWithWebIdentity unsigned as AWS does; the AWS CLI is refused for a token whose
#     issuer the role's trust policy does not name;
#   * Connect CreateInstance refuses an InstanceAlias outside the model's pattern (starting "d-").
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
AWS=${CPW_TEST_AWS:-/usr/bin/aws}

start_sandbox --no-rate-limits
aws_() { "$AWS" --endpoint-url "$ENDPOINT" "$@"; }

# --- Organizations: duplicate email -------------------------------------------------------
aws_ organizations create-organization --feature-set ALL >/dev/null
aws_ organizations create-account --account-name one --email same@example.com \
    >"$E2E_TMP/one.json"
aws_ organizations create-account --account-name two --email same@example.com \
    >"$E2E_TMP/two.json"
check "aws organizations create-account with a used email is accepted (IN_PROGRESS)" \
    $PY -c 'import json,sys; s=json.load(open(sys.argv[1]))["CreateAccountStatus"]; assert s["State"] == "IN_PROGRESS", s' "$E2E_TMP/two.json"
advance_clock 60000
REQ=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["CreateAccountStatus"]["Id"])' "$E2E_TMP/two.json")
aws_ organizations describe-create-account-status --create-account-request-id "$REQ" \
    >"$E2E_TMP/two-status.json"
check "the request ends FAILED with EMAIL_ALREADY_EXISTS and no account" \
    $PY -c 'import json,sys; s=json.load(open(sys.argv[1]))["CreateAccountStatus"]; assert s["State"] == "FAILED" and s["FailureReason"] == "EMAIL_ALREADY_EXISTS" and "AccountId" not in s, s' "$E2E_TMP/two-status.json"
aws_ organizations list-create-account-status --states FAILED >"$E2E_TMP/failed.json"
check "list-create-account-status --states FAILED lists only it" \
    $PY -c 'import json,sys; l=json.load(open(sys.argv[1]))["CreateAccountStatuses"]; assert [s["AccountName"] for s in l] == ["two"], l' "$E2E_TMP/failed.json"

# --- Organizations: a member account is refused the management APIs ----------------------
MEMBER=$(aws_ organizations list-accounts --query "Accounts[?Name=='one'].Id" --output text)
aws_ sts assume-role --role-arn "arn:aws:iam::$MEMBER:role/OrganizationAccountAccessRole" \
    --role-session-name member >"$E2E_TMP/member.json"
member_env() {
    $PY -c 'import json,sys; c=json.load(open(sys.argv[1]))["Credentials"]; print(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])' "$E2E_TMP/member.json"
}
read -r MK MS MT < <(member_env)
set +e
AWS_ACCESS_KEY_ID=$MK AWS_SECRET_ACCESS_KEY=$MS AWS_SESSION_TOKEN=$MT \
    aws_ organizations list-accounts >"$E2E_TMP/denied.out" 2>"$E2E_TMP/denied.err"
RC=$?
set -e
check "a member's list-accounts fails" test "$RC" -ne 0
check "with AccessDeniedException and AWS's message" \
    grep -q "AccessDeniedException.*You don't have permissions to access this resource." \
    "$E2E_TMP/denied.err"
AWS_ACCESS_KEY_ID=$MK AWS_SECRET_ACCESS_KEY=$MS AWS_SESSION_TOKEN=$MT \
    aws_ organizations describe-organization >"$E2E_TMP/org.json"
check "a member may still describe its organization" grep -q MasterAccountId "$E2E_TMP/org.json"

# --- STS: cpwarden's web-identity credential source against the sandbox -------------------
aws_ iam create-role --role-name ci --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}' >/dev/null
b64url() { printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
jwt() { echo "$(b64url '{"alg":"RS256","typ":"JWT"}').$(b64url "$1").c2lnbmF0dXJl"; }
jwt '{"iss":"https://token.actions.githubusercontent.com","sub":"repo:example/app:ref:refs/heads/main","aud":"sts.amazonaws.com"}' >"$E2E_TMP/token"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_WEB_IDENTITY_TOKEN_FILE="$E2E_TMP/token" \
    AWS_ROLE_ARN=arn:aws:iam::123456789012:role/ci AWS_ROLE_SESSION_NAME=deploy \
    "$CPWARDEN" api --endpoint-url "$ENDPOINT" sts get-caller-identity >"$E2E_TMP/who.json"
check "cpwarden api sts get-caller-identity with a web identity token is the assumed role" \
    $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["Arn"] == "arn:aws:sts::123456789012:assumed-role/ci/deploy", d' "$E2E_TMP/who.json"

aws_ cloudtrail lookup-events --lookup-attributes \
    AttributeKey=EventName,AttributeValue=AssumeRoleWithWebIdentity >"$E2E_TMP/events.json"
check "CloudTrail records the unsigned call as a WebIdentityUser's" \
    $PY -c 'import json,sys; e=json.load(open(sys.argv[1]))["Events"]; d=json.loads(e[0]["CloudTrailEvent"]); assert d["userIdentity"]["type"] == "WebIdentityUser", d' "$E2E_TMP/events.json"

jwt '{"iss":"https://other.example.com","sub":"x","aud":"sts.amazonaws.com"}' >"$E2E_TMP/other"
set +e
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
    "$AWS" --endpoint-url "$ENDPOINT" sts assume-role-with-web-identity \
    --role-arn arn:aws:iam::123456789012:role/ci --role-session-name s2 \
    --web-identity-token "$(cat "$E2E_TMP/other")" >/dev/null 2>"$E2E_TMP/other.err"
RC=$?
set -e
check "aws sts assume-role-with-web-identity from an issuer the role does not trust is refused" \
    test "$RC" -ne 0
check "with AccessDenied" grep -q "AccessDenied" "$E2E_TMP/other.err"

# --- Connect: an InstanceAlias outside the model's pattern -----------------------------------
set +e
aws_ connect create-instance --identity-management-type CONNECT_MANAGED --instance-alias d-bad \
    --inbound-calls-enabled --outbound-calls-enabled >/dev/null 2>"$E2E_TMP/alias.err"
RC=$?
set -e
check "aws connect create-instance --instance-alias d-bad is refused" test "$RC" -ne 0
check "with InvalidRequestException" grep -q "InvalidRequestException" "$E2E_TMP/alias.err"

stop_sandbox
finish
