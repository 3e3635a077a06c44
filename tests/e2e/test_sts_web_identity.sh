#!/usr/bin/env bash
# test_sts_web_identity.sh - cpwarden's own web-identity credential source (AWS_WEB_IDENTITY_TOKEN_FILE
# + AWS_ROLE_ARN, docs/credentials.md) rehearsed on the sandbox, which serves
# AssumeRoleWithWebIdentity unsigned as AWS does (the token and the role's trust policy are the
# proof): cpwarden, holding no keys, obtains the role's credentials and then makes signed calls
# as the assumed role, allowed and refused by the role's own policy; the same in the China
# partition (ARNs arn:aws-cn:); and GetFederationToken and GetAccessKeyInfo through the AWS CLI.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
AWS=${CPW_TEST_AWS:-/usr/bin/aws}

start_sandbox --no-rate-limits
aws_() { "$AWS" --endpoint-url "$ENDPOINT" "$@"; }
b64url() { printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
jwt() { echo "$(b64url '{"alg":"RS256","typ":"JWT"}').$(b64url "$1").c2lnbmF0dXJl"; }
# as_web_identity ROLE_ARN REGION CMD...: runs CMD with no keys, only the token and the role.
as_web_identity() {
    local role=$1 region=$2; shift 2
    env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_WEB_IDENTITY_TOKEN_FILE="$E2E_TMP/token" \
        AWS_ROLE_ARN="$role" AWS_ROLE_SESSION_NAME=deploy AWS_REGION="$region" \
        AWS_DEFAULT_REGION="$region" "$@"
}

TRUST='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:PART:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}'
READ_ROLES='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListRoles","iam:GetRole"],"Resource":"*"}]}'
jwt '{"iss":"https://token.actions.githubusercontent.com","sub":"repo:example/app:ref:refs/heads/main","aud":"sts.amazonaws.com"}' >"$E2E_TMP/token"

# --- the aws partition ----------------------------------------------------------------------
aws_ iam create-role --role-name ci --assume-role-policy-document "${TRUST/PART/aws}" >/dev/null
aws_ iam put-role-policy --role-name ci --policy-name read-roles --policy-document "$READ_ROLES"
ROLE=arn:aws:iam::123456789012:role/ci

as_web_identity "$ROLE" us-east-1 "$CPWARDEN" api --endpoint-url "$ENDPOINT" sts get-caller-identity \
    >"$E2E_TMP/who.json"
check "cpwarden with only a web identity token is the assumed role (signed GetCallerIdentity)" \
    $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["Arn"] == "arn:aws:sts::123456789012:assumed-role/ci/deploy", d' "$E2E_TMP/who.json"

as_web_identity "$ROLE" us-east-1 "$CPWARDEN" api --endpoint-url "$ENDPOINT" iam list-roles \
    --query 'Roles[].RoleName' --output text >"$E2E_TMP/roles.txt"
check "the assumed role's signed iam list-roles is allowed by its inline policy" \
    grep -qx "ci" "$E2E_TMP/roles.txt"

set +e
as_web_identity "$ROLE" us-east-1 "$CPWARDEN" api --endpoint-url "$ENDPOINT" iam create-user \
    --user-name intruder >/dev/null 2>"$E2E_TMP/denied.err"
RC=$?
set -e
check "the assumed role's signed iam create-user is refused" test "$RC" -ne 0
check "with AccessDenied naming the assumed role" \
    grep -q "AccessDenied.*assumed-role/ci/deploy" "$E2E_TMP/denied.err"
check "and no user was made" \
    test "$(aws_ iam list-users --query 'length(Users)' --output text)" = 0

aws_ cloudtrail lookup-events --lookup-attributes \
    AttributeKey=EventName,AttributeValue=AssumeRoleWithWebIdentity >"$E2E_TMP/events.json"
check "the credentials came from an unsigned AssumeRoleWithWebIdentity (no access key recorded)" \
    $PY -c 'import json,sys; e=json.load(open(sys.argv[1]))["Events"]; d=json.loads(e[0]["CloudTrailEvent"]); assert d["userIdentity"]["type"] == "WebIdentityUser" and "accessKeyId" not in d["userIdentity"], d' "$E2E_TMP/events.json"

# A token whose issuer the trust policy does not name gets nothing.
cp "$E2E_TMP/token" "$E2E_TMP/good-token"
jwt '{"iss":"https://other.example.com","sub":"x","aud":"sts.amazonaws.com"}' >"$E2E_TMP/token"
set +e
as_web_identity "$ROLE" us-east-1 "$CPWARDEN" api --endpoint-url "$ENDPOINT" sts get-caller-identity \
    >/dev/null 2>"$E2E_TMP/other.err"
RC=$?
set -e
check "cpwarden with a token from an untrusted issuer fails" test "$RC" -ne 0
check "with AccessDenied" grep -q "AccessDenied" "$E2E_TMP/other.err"
cp "$E2E_TMP/good-token" "$E2E_TMP/token"

# --- the China partition: every ARN is arn:aws-cn: ------------------------------------------
AWS_DEFAULT_REGION=cn-north-1 aws_ iam create-role --role-name ci-cn \
    --assume-role-policy-document "${TRUST/PART/aws-cn}" --query Role.Arn --output text \
    >"$E2E_TMP/cn-role.txt"
check "a role made in cn-north-1 is arn:aws-cn:" \
    grep -qx "arn:aws-cn:iam::123456789012:role/ci-cn" "$E2E_TMP/cn-role.txt"
as_web_identity arn:aws-cn:iam::123456789012:role/ci-cn cn-north-1 \
    "$CPWARDEN" api --endpoint-url "$ENDPOINT" sts get-caller-identity >"$E2E_TMP/who-cn.json"
check "cpwarden in cn-north-1 is arn:aws-cn:sts::...:assumed-role/ci-cn/deploy" \
    $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["Arn"] == "arn:aws-cn:sts::123456789012:assumed-role/ci-cn/deploy", d' "$E2E_TMP/who-cn.json"
AWS_DEFAULT_REGION=cn-north-1 aws_ sts get-caller-identity --query Arn --output text \
    >"$E2E_TMP/root-cn.txt"
check "the root keys in cn-north-1 are arn:aws-cn:iam::123456789012:root" \
    grep -qx "arn:aws-cn:iam::123456789012:root" "$E2E_TMP/root-cn.txt"

# --- GetFederationToken and GetAccessKeyInfo --------------------------------------------------
aws_ iam create-user --user-name fed >/dev/null
aws_ iam put-user-policy --user-name fed --policy-name all --policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
aws_ iam create-access-key --user-name fed >"$E2E_TMP/fed-key.json"
read -r FK FS < <($PY -c 'import json,sys; k=json.load(open(sys.argv[1]))["AccessKey"]; print(k["AccessKeyId"], k["SecretAccessKey"])' "$E2E_TMP/fed-key.json")
AWS_ACCESS_KEY_ID=$FK AWS_SECRET_ACCESS_KEY=$FS aws_ sts get-federation-token --name Bob \
    --policy '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}' \
    >"$E2E_TMP/fed.json"
check "get-federation-token answers the federated user, its id and the packed policy size" \
    $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); u=d["FederatedUser"]; assert u["Arn"] == "arn:aws:sts::123456789012:federated-user/Bob" and u["FederatedUserId"] == "123456789012:Bob" and 0 < d["PackedPolicySize"] <= 100 and d["Credentials"]["AccessKeyId"].startswith("ASIA"), d' "$E2E_TMP/fed.json"
read -r TK TS TT < <($PY -c 'import json,sys; c=json.load(open(sys.argv[1]))["Credentials"]; print(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])' "$E2E_TMP/fed.json")
AWS_ACCESS_KEY_ID=$TK AWS_SECRET_ACCESS_KEY=$TS AWS_SESSION_TOKEN=$TT aws_ sts get-caller-identity \
    --query Arn --output text >"$E2E_TMP/fed-who.txt"
check "the federated user's get-caller-identity is its federated-user ARN" \
    grep -qx "arn:aws:sts::123456789012:federated-user/Bob" "$E2E_TMP/fed-who.txt"
AWS_ACCESS_KEY_ID=$TK AWS_SECRET_ACCESS_KEY=$TS AWS_SESSION_TOKEN=$TT aws_ iam list-users \
    --query 'Users[].UserName' --output text >"$E2E_TMP/fed-users.txt"
check "the federated user may do what both its user and its session policy allow" \
    grep -qx "fed" "$E2E_TMP/fed-users.txt"
set +e
AWS_ACCESS_KEY_ID=$TK AWS_SECRET_ACCESS_KEY=$TS AWS_SESSION_TOKEN=$TT aws_ iam list-roles \
    >/dev/null 2>"$E2E_TMP/fed-roles.err"
RC=$?
set -e
check "but not what only its user allows" test "$RC" -ne 0
check "with AccessDenied naming the session policy" \
    grep -q "AccessDenied.*federated-user/Bob.*no session policy allows" "$E2E_TMP/fed-roles.err"
set +e
AWS_ACCESS_KEY_ID=$TK AWS_SECRET_ACCESS_KEY=$TS AWS_SESSION_TOKEN=$TT aws_ sts get-federation-token \
    --name Again >/dev/null 2>"$E2E_TMP/again.err"
RC=$?
set -e
check "session credentials cannot call get-federation-token" test "$RC" -ne 0
check "with AccessDenied" grep -q "AccessDenied" "$E2E_TMP/again.err"
aws_ sts get-access-key-info --access-key-id "$FK" --query Account --output text >"$E2E_TMP/acct.txt"
check "get-access-key-info answers the account of a user's key" \
    grep -qx 123456789012 "$E2E_TMP/acct.txt"

stop_sandbox
finish
