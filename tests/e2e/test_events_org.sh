#!/usr/bin/env bash
# test_events_org.sh - `cpwarden events --org` on the sandbox's "org:" scenario: a change made
# inside a member account (through its OrganizationAccountAccessRole) is listed
# under that member with the assumed role as the actor, and the management account's own change
# under the management account.
# shellcheck source=cleanup_lib.sh
source "$(dirname "$0")/cleanup_lib.sh"

AWSCLI=/usr/bin/aws
[ -x "$AWSCLI" ] || { echo "the AWS CLI v2 (Debian's awscli) is missing"; exit 77; }
start_sandbox --scenario 'org:accounts=3,regions=1,leftover=0,seed=3' --no-rate-limits
export AWS_ENDPOINT_URL="$ENDPOINT"
MEMBER=200000000002
printf '[profile member]\nrole_arn = arn:aws:iam::%s:role/OrganizationAccountAccessRole\n' \
    "$MEMBER" >"$AWS_CONFIG_FILE"
printf 'credential_source = Environment\n' >>"$AWS_CONFIG_FILE"

# (cpwarden api: the AWS CLI v2 packaged by Debian ignores AWS_ENDPOINT_URL for the AssumeRole
# call its profile makes.)
cpw api customer-profiles create-domain \
    '{"DomainName": "member-made", "DefaultExpirationDays": 5}' --profile member \
    --region us-east-1 >/dev/null
check "the change in the member was made" test $? -eq 0
"$AWSCLI" --endpoint-url "$ENDPOINT" customer-profiles create-domain --domain-name management-made \
    --default-expiration-days 5 --region us-east-1 >/dev/null

cpw events --org --regions us-east-1 --since 1h --output json >"$E2E_TMP/org.json"
check "events --org exits 0" test $? -eq 0
check "each change under its account, with its actor" /usr/bin/python3 - "$E2E_TMP/org.json" \
    "$MEMBER" <<'PY'
import json, sys
doc, member = json.load(open(sys.argv[1])), sys.argv[2]
ev = {e["resource"]: e for e in doc["events"] if e["event"] == "CreateDomain"}
m = ev["member-made"]
assert m["account"] == member, m
assert m["actor"].startswith("arn:aws:sts::%s:assumed-role/OrganizationAccountAccessRole/" % member), m
assert m["actor_type"] == "AssumedRole", m
assert ev["management-made"]["account"] != member, ev["management-made"]
assert doc["errors"] == [], doc["errors"]
PY
cpw events --regions us-east-1 --since 1h --output json >"$E2E_TMP/own.json"
check "without --org only the caller's account is read" /usr/bin/python3 -c '
import json,sys; ev=json.load(open(sys.argv[1]))["events"]
sys.exit(any(e["resource"] == "member-made" for e in ev) or
         not any(e["resource"] == "management-made" for e in ev))' "$E2E_TMP/own.json"

# A member whose access role is gone: its account fails alone (exit 3), the others are listed.
BROKEN=200000000003
printf '[profile broken]\nrole_arn = arn:aws:iam::%s:role/OrganizationAccountAccessRole\n' \
    "$BROKEN" >>"$AWS_CONFIG_FILE"
printf 'credential_source = Environment\n' >>"$AWS_CONFIG_FILE"
# With authorization on a role cannot delete itself once its policy is gone: a second
# administrator role in the member removes it.
MGMT=$(cpw api sts get-caller-identity --query Account --output text)
cpw api iam create-role --profile broken "$(/usr/bin/python3 -c 'import json,sys
t={"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
   "Principal": {"AWS": "arn:aws:iam::%s:root" % sys.argv[1]}}]}
print(json.dumps({"RoleName": "Breaker", "AssumeRolePolicyDocument": json.dumps(t)}))' "$MGMT")" \
    >/dev/null
cpw api iam attach-role-policy --profile broken '{"RoleName": "Breaker",
    "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}' >/dev/null
printf '[profile breaker]\nrole_arn = arn:aws:iam::%s:role/Breaker\ncredential_source = Environment\n' \
    "$BROKEN" >>"$AWS_CONFIG_FILE"
cpw api iam detach-role-policy --profile breaker '{"RoleName": "OrganizationAccountAccessRole",
    "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}' >/dev/null
cpw api iam delete-role --profile breaker '{"RoleName": "OrganizationAccountAccessRole"}' >/dev/null
rc=0
cpw events --org --regions us-east-1 --since 1h --output json >"$E2E_TMP/broken.json" \
    2>"$E2E_TMP/broken.err" || rc=$?
check "an unreachable member gives exit 3" test "$rc" -eq 3
check "...named on stderr" grep -q "cpwarden events: $BROKEN" "$E2E_TMP/broken.err"
check "...and in the errors, with the other members' events still listed" /usr/bin/python3 - \
    "$E2E_TMP/broken.json" "$BROKEN" <<'PY'
import json, sys
doc, broken = json.load(open(sys.argv[1])), sys.argv[2]
assert [e["account"] for e in doc["errors"]] == [broken], doc["errors"]
assert any(e["resource"] == "member-made" for e in doc["events"]), doc["events"]
PY
finish
