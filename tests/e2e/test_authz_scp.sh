# test_authz_scp.sh - the runbook's SCP troubleshooting rehearsed on the sandbox, with
# authorization on (the default): an SCP denying profile:DeleteDomain attached to a member
# account of an "org:" scenario makes `apply` fail on exactly that member's DeleteDomain steps
# with AWS's message naming the service control policy, and the domains stay; a member cannot
# list the organization's accounts; a user without policies is refused with the identity-based
# message through the AWS CLI v2 (IAM's XML AccessDenied) and boto3 (Customer Profiles' JSON
# AccessDeniedException); `sandbox --no-authz` turns it all off.
# shellcheck source=cleanup_lib.sh
source "$(dirname "$0")/cleanup_lib.sh"

SCENARIO='org:accounts=4,regions=1,leftover=0.6,seed=3'
ORG_REGIONS=us-east-1

start_org() { # [SANDBOX ARGS...]
    if [ -n "$SANDBOX_PID" ]; then stop_sandbox; fi
    start_sandbox --scenario "$SCENARIO" --no-rate-limits --knob domain_role_cleanup_ms=200 \
        --slr-deletion-delay-ms 100 "$@"
    export AWS_ENDPOINT_URL="$ENDPOINT"
    rm -rf "$XDG_STATE_HOME"
}

: >"$AWS_CONFIG_FILE"
for m in $(seq -f "2000000000%02g" 1 4); do
    printf '[profile m%s]\nrole_arn = arn:aws:iam::%s:role/OrganizationAccountAccessRole\n' \
        "$m" "$m" >>"$AWS_CONFIG_FILE"
    printf 'credential_source = Environment\n' >>"$AWS_CONFIG_FILE"
done
in_member() { local account=$1; shift; cpw api "$@" --profile "m$account"; }
in_member_quiet() { in_member "$@" >/dev/null 2>&1; }

# deny_delete_domain ACCOUNT: an SCP denying profile:DeleteDomain, attached to ACCOUNT.
deny_delete_domain() {
    local content id
    content='{"Version": "2012-10-17", "Statement": [{"Sid": "NoDomainDeletes", "Effect": "Deny", "Action": "profile:DeleteDomain", "Resource": "*"}]}'
    id=$(cpw api organizations create-policy "$(/usr/bin/python3 -c 'import json,sys
print(json.dumps({"Name": "no-domain-deletes", "Description": "runbook rehearsal",
                  "Type": "SERVICE_CONTROL_POLICY", "Content": sys.argv[1]}))' "$content")" \
        --query Policy.PolicySummary.Id --output text)
    cpw api organizations attach-policy "{\"PolicyId\": \"$id\", \"TargetId\": \"$1\"}" >/dev/null
}

# ---- an SCP in a member account: apply fails on that step with AWS's message -------------------
start_org
cpw plan --org --regions "$ORG_REGIONS" -o "$E2E_TMP/plan.json" >/dev/null
read -r TARGET DOMAIN _ < <(/usr/bin/python3 - "$E2E_TMP/plan.json" <<'PY'
import json, sys
for a in json.load(open(sys.argv[1]))["actions"]:
    if a["kind"] == "delete-domain" and a["status"] == "planned":
        print(a["target"]["account"], a["target"]["name"], a["target"]["region"]); break
PY
)
check "the plan deletes a leftover domain in a member account" test -n "$TARGET"
deny_delete_domain "$TARGET"

rc=0
cpw apply "$E2E_TMP/plan.json" --yes "${FAST[@]}" --output json >"$E2E_TMP/apply.json" \
    2>"$E2E_TMP/apply.err" || rc=$?
check "apply exits 1: a step failed" test "$rc" -eq 1
check "exactly the member's DeleteDomain steps failed, with the SCP message" \
    /usr/bin/python3 - "$E2E_TMP/apply.json" "$TARGET" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); target = sys.argv[2]
failed = [s for s in d["steps"] if s["outcome"] == "failed"]
ok = failed and all(s["account"] == target for s in failed)
ok = ok and all("AccessDeniedException" in s["detail"] and
                "is not authorized to perform: profile:DeleteDomain" in s["detail"] and
                "with an explicit deny in a service control policy" in s["detail"]
                for s in failed)
others = [s for s in d["steps"] if s["account"] != target and s["outcome"] == "failed"]
if not ok or others:
    print(json.dumps(d["steps"], indent=1)[:3000])
sys.exit(not ok or bool(others))
PY
check "the domain is untouched in the member" \
    in_member_quiet "$TARGET" customer-profiles get-domain "{\"DomainName\": \"$DOMAIN\"}" \
    --region "$ORG_REGIONS"
check "the refusal is in the member's CloudTrail as AccessDenied" /usr/bin/python3 -c '
import json,subprocess,sys
out=subprocess.run(sys.argv[1:], capture_output=True, text=True, check=True).stdout
ev=[json.loads(e["CloudTrailEvent"]) for e in json.loads(out)["Events"]]
sys.exit(not any(e.get("errorCode") in ("AccessDenied","AccessDeniedException") for e in ev))' \
    "$CPWARDEN" api cloudtrail lookup-events --profile "m$TARGET" --region "$ORG_REGIONS" \
    '{"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "DeleteDomain"}]}'

# ---- a member cannot list the organization's accounts -------------------------------------
out=$(in_member "$TARGET" organizations list-accounts 2>&1 || true)
check "a member's ListAccounts is refused (AccessDeniedException)" \
    grep -q "AccessDeniedException" <<<"$out"

# ---- the simulator names the SCP --------------------------------------------------------------
in_member "$TARGET" iam simulate-principal-policy --output json \
    "{\"PolicySourceArn\": \"arn:aws:iam::$TARGET:role/OrganizationAccountAccessRole\",
      \"ActionNames\": [\"profile:DeleteDomain\", \"profile:ListDomains\"]}" >"$E2E_TMP/sim.json"
check "SimulatePrincipalPolicy: explicitDeny by the organization, ListDomains allowed" \
    /usr/bin/python3 -c 'import json,sys
r=json.load(open(sys.argv[1]))["EvaluationResults"]
d={x["EvalActionName"]: x for x in r}
sys.exit(not (d["profile:DeleteDomain"]["EvalDecision"] == "explicitDeny"
     and d["profile:DeleteDomain"]["OrganizationsDecisionDetail"]["AllowedByOrganizations"] is False
     and d["profile:ListDomains"]["EvalDecision"] == "allowed"))' "$E2E_TMP/sim.json"

# ---- a user without policies, through the AWS CLI v2 and boto3 -------------------------------
cpw api iam create-user '{"UserName": "nobody"}' >/dev/null
cpw api iam create-access-key '{"UserName": "nobody"}' --output json >"$E2E_TMP/key.json"
KEY_ID=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccessKey"]["AccessKeyId"])' "$E2E_TMP/key.json")
KEY_SECRET=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccessKey"]["SecretAccessKey"])' "$E2E_TMP/key.json")
rc=0
AWS_ACCESS_KEY_ID=$KEY_ID AWS_SECRET_ACCESS_KEY=$KEY_SECRET /usr/bin/aws iam list-roles \
    --endpoint-url "$ENDPOINT" >/dev/null 2>"$E2E_TMP/cli.err" || rc=$?
check "AWS CLI v2: iam list-roles fails" test "$rc" -ne 0
check "... with AccessDenied and the identity-based message" grep -qE \
    "\\(AccessDenied\\) when calling the ListRoles operation.*: User: arn:aws:iam::123456789012:user/nobody is not authorized to perform: iam:ListRoles.*because no identity-based policy allows the iam:ListRoles action" \
    "$E2E_TMP/cli.err"
check "boto3: Customer Profiles answers a 403 AccessDeniedException" \
    /usr/bin/python3 - "$ENDPOINT" "$KEY_ID" "$KEY_SECRET" <<'PY'
import sys
import boto3, botocore.exceptions
c = boto3.client("customer-profiles", endpoint_url=sys.argv[1], region_name="us-east-1",
                 aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
try:
    c.list_domains()
except botocore.exceptions.ClientError as e:
    err, status = e.response["Error"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    sys.exit(not (err["Code"] == "AccessDeniedException" and status == 403 and
                  "no identity-based policy allows the profile:ListDomains action" in err["Message"]))
sys.exit(1)
PY

# ---- --no-authz: the same SCP changes nothing -------------------------------------------------
start_org --no-authz
deny_delete_domain "$TARGET"
cpw plan --org --regions "$ORG_REGIONS" -o "$E2E_TMP/plan2.json" >/dev/null
rc=0
cpw apply "$E2E_TMP/plan2.json" --yes "${FAST[@]}" --output json >"$E2E_TMP/apply2.json" \
    2>"$E2E_TMP/apply2.err" || rc=$?
check "with --no-authz apply succeeds despite the SCP" test "$rc" -eq 0
check "... and the domain is gone" not in_member_quiet "$TARGET" customer-profiles get-domain \
    "{\"DomainName\": \"$DOMAIN\"}" --region "$ORG_REGIONS"
out=$(in_member "$TARGET" organizations list-accounts 2>&1 || true)
check "... the member's ListAccounts still answers as AWS does (organization-level refusal)" \
    grep -q "AccessDeniedException" <<<"$out"

finish
