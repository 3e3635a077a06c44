#!/usr/bin/env bash
# --debug prints every HTTP exchange (request line, headers, body; status, headers, body) on
# stderr, with the secrets masked: the secret key, the SigV4 signature, the session token, and
# the credentials in an STS answer never appear on either stream.
source "$(dirname "$0")/lib.sh"
start_sandbox --scenario orphans --no-rate-limits
api() { "$CPWARDEN" --debug api --endpoint-url "$ENDPOINT" "$@"; }
# no_secret FILE WHAT...: none of the values appears in FILE
no_secret() {
    local file=$1; shift
    for value in "$@"; do
        if grep -qF -- "$value" "$file"; then return 1; fi
    done
}
# A SigV4 signature is 64 hex digits; nothing that long is shown.
no_signature() { ! grep -Eq '[0-9a-f]{64}' "$1"; }

api sts get-caller-identity >"$E2E_TMP/out" 2>"$E2E_TMP/err"
check "the call still prints its answer on stdout" grep -q '"Account": "123456789012"' "$E2E_TMP/out"
check "the request line" grep -qx 'POST / HTTP/1.1' "$E2E_TMP/err"
check "the request's headers" grep -q '^X-Amz-Date: ' "$E2E_TMP/err"
check "the request's body" grep -qx 'Action=GetCallerIdentity&Version=2011-06-15' "$E2E_TMP/err"
check "the signed header, its signature masked" \
    grep -q "^Authorization: AWS4-HMAC-SHA256 Credential=$AWS_ACCESS_KEY_ID/.*, Signature=\*\*\*\*$" "$E2E_TMP/err"
check "the status line" grep -qx 'HTTP/1.1 200' "$E2E_TMP/err"
check "the response's headers" grep -q '^Content-Type: text/xml' "$E2E_TMP/err"
check "the response's body" grep -q '<Account>123456789012</Account>' "$E2E_TMP/err"
cat "$E2E_TMP/out" "$E2E_TMP/err" >"$E2E_TMP/all"
check "no secret key anywhere" no_secret "$E2E_TMP/all" "$AWS_SECRET_ACCESS_KEY"
check "no signature anywhere" no_signature "$E2E_TMP/all"

# Temporary credentials: the STS answer carrying them is shown masked...
"$CPWARDEN" api --endpoint-url "$ENDPOINT" sts get-session-token --output text \
    --query 'Credentials.[AccessKeyId, SecretAccessKey, SessionToken]' >"$E2E_TMP/creds"
read -r key secret token <"$E2E_TMP/creds"
check "the sandbox gave temporary credentials" test -n "$token"
api sts get-session-token >/dev/null 2>"$E2E_TMP/err"
check "an STS answer is shown" grep -q '<SecretAccessKey>\*\*\*\*</SecretAccessKey>' "$E2E_TMP/err"
check "...its session token masked" grep -q '<SessionToken>\*\*\*\*</SessionToken>' "$E2E_TMP/err"
check "...and no secret of the caller's" no_secret "$E2E_TMP/err" "$AWS_SECRET_ACCESS_KEY"
check "...nor a signature" no_signature "$E2E_TMP/err"

# ...and a call made with them shows no secret, token or signature (--debug after the command).
AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token \
    "$CPWARDEN" api --endpoint-url "$ENDPOINT" iam list-roles --debug >"$E2E_TMP/out" 2>"$E2E_TMP/err"
check "iam list-roles with a session answers" grep -q '"RoleName"' "$E2E_TMP/out"
check "its request line" grep -qx 'POST / HTTP/1.1' "$E2E_TMP/err"
check "its body" grep -q '^Action=ListRoles&' "$E2E_TMP/err"
check "its response" grep -q '<ListRolesResponse' "$E2E_TMP/err"
check "the security token header, masked" grep -qx 'X-Amz-Security-Token: \*\*\*\*' "$E2E_TMP/err"
cat "$E2E_TMP/out" "$E2E_TMP/err" >"$E2E_TMP/all"
check "no session secret or token anywhere" no_secret "$E2E_TMP/all" "$secret" "$token"
check "no signature anywhere" no_signature "$E2E_TMP/all"

# Every command that calls AWS shows its exchange; without --debug nothing is shown.
"$CPWARDEN" inventory --endpoint-url "$ENDPOINT" --regions eu-west-2 --output json --debug \
    >/dev/null 2>"$E2E_TMP/err"
check "inventory --debug shows its calls" grep -q '^HTTP/1.1 200$' "$E2E_TMP/err"
check "...without secrets" no_secret "$E2E_TMP/err" "$AWS_SECRET_ACCESS_KEY"
check "...or signatures" no_signature "$E2E_TMP/err"
"$CPWARDEN" api --endpoint-url "$ENDPOINT" sts get-caller-identity >/dev/null 2>"$E2E_TMP/err"
check "no exchange without --debug" test ! -s "$E2E_TMP/err"
finish
