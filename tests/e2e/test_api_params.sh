#!/usr/bin/env bash
# `cpwarden api` as AWS CLI users type it: kebab-case parameter flags derived from the model,
# lists as words, shorthand and JSON values, booleans as --flag/--no-flag, file://, the input
# skeleton, --cli-input-json, and pagination on by default; compared with Debian's AWS CLI v2
# on the same sandbox where both can say the same thing.
source "$(dirname "$0")/lib.sh"
AWS=/usr/bin/aws
[ -x "$AWS" ] || { echo "Debian's awscli (v2) is missing: scripts/bootstrap installs it"; exit 1; }
start_sandbox --scenario orphans --no-rate-limits
PY=/usr/bin/python3
api() { "$CPWARDEN" api --endpoint-url "$ENDPOINT" "$@"; }
aws_() { "$AWS" --endpoint-url "$ENDPOINT" "$@"; }
same_json() { $PY -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:3]); sys.exit(a!=b)' "$1" "$2"; }
rc() { "$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err"; echo $?; }

# The skeleton: the same members as the AWS CLI's, nothing sent.
for op in "iam list-roles" "iam create-role" "iam tag-role"; do  # unchanged between the two models
    api $op --generate-cli-skeleton >"$E2E_TMP/ours.json"
    "$AWS" $op --generate-cli-skeleton >"$E2E_TMP/theirs.json"
    check "--generate-cli-skeleton of $op matches the AWS CLI's" same_json "$E2E_TMP/ours.json" "$E2E_TMP/theirs.json"
done

# Parameter flags: the same answers as the AWS CLI's.
role=AWSServiceRoleForProfile_LiveDomainRole000001
check "a string flag (--role-name)" test "$(api iam get-role --role-name "$role" --query Role.Arn)" = \
    "$(aws_ iam get-role --role-name "$role" --query Role.Arn --output json)"
api iam list-roles --path-prefix /aws-service-role/connect.amazonaws.com/ --query 'Roles[].RoleName' >"$E2E_TMP/ours.json"
aws_ iam list-roles --path-prefix /aws-service-role/connect.amazonaws.com/ --query 'Roles[].RoleName' --output json >"$E2E_TMP/theirs.json"
check "--path-prefix, every page by default, as the AWS CLI" same_json "$E2E_TMP/ours.json" "$E2E_TMP/theirs.json"
check "...and not an empty answer" grep -q AWSServiceRoleForAmazonConnect "$E2E_TMP/ours.json"
api cloudtrail lookup-events --region eu-west-2 \
    --lookup-attributes AttributeKey=EventName,AttributeValue=CreateDomain --query 'length(Events)' >"$E2E_TMP/ours.json"
aws_ cloudtrail lookup-events --region eu-west-2 \
    --lookup-attributes AttributeKey=EventName,AttributeValue=CreateDomain --query 'length(Events)' --output json >"$E2E_TMP/theirs.json"
check "a list of structures in shorthand (--lookup-attributes)" same_json "$E2E_TMP/ours.json" "$E2E_TMP/theirs.json"

# Values of every form, read back through the API.
printf '{"Team": "ops"}' >"$E2E_TMP/tags.json"
api customer-profiles create-domain --region eu-west-2 --domain-name flags-domain \
    --default-expiration-days 30 --tags Owner=me,Cost=42 >/dev/null
check "shorthand map and integer: read back" test \
    "$(api customer-profiles get-domain --region eu-west-2 --domain-name flags-domain \
        --query '[DefaultExpirationDays, Tags.Owner, Tags.Cost]' | tr -d ' \n')" = '[30,"me","42"]'
api customer-profiles tag-resource --region eu-west-2 \
    --resource-arn arn:aws:profile:eu-west-2:123456789012:domains/flags-domain --tags "file://$E2E_TMP/tags.json" >/dev/null
check "a JSON value from file://" test \
    "$(api customer-profiles get-domain --region eu-west-2 --domain-name flags-domain --query Tags.Team)" = '"ops"'
printf '{"DomainName": "flags-domain"}' >"$E2E_TMP/input.json"
check "--cli-input-json file://" test \
    "$(api customer-profiles get-domain --region eu-west-2 --cli-input-json "file://$E2E_TMP/input.json" --query DomainName)" = '"flags-domain"'
api connect create-instance --region eu-west-2 --identity-management-type CONNECT_MANAGED \
    --instance-alias flags-instance --inbound-calls-enabled --no-outbound-calls-enabled \
    --query Id >"$E2E_TMP/id.json"
id=$(tr -d '"' <"$E2E_TMP/id.json")
check "booleans as --flag and --no-flag" test \
    "$(api connect describe-instance --region eu-west-2 --instance-id "$id" \
        --query '[Instance.InboundCallsEnabled, Instance.OutboundCallsEnabled]' | tr -d ' \n')" = '[true,false]'

# Pagination: every page by default, one with --no-paginate, a cap with --max-items.
check "--page-size 1 still gives every role (all pages)" test \
    "$(api iam list-roles --page-size 1 --query 'length(Roles)')" = "$(aws_ iam list-roles --query 'length(Roles)' --output json)"
check "--no-paginate --max-items 1 is IAM's own MaxItems: one page of one" test \
    "$(api iam list-roles --max-items 1 --no-paginate --query 'length(Roles)')" = 1
check "--max-items 2 caps the merged list" test "$(api iam list-roles --max-items 2 --query 'length(Roles)')" = 2
# --max-items / --starting-token byte for byte as the AWS CLI: the resume token (NextToken) when
# a page is cut or ends on the cap, resuming from it, text output's NEXTTOKEN line, the old
# TOKEN___N form, and paging arguments refused with paging off.
same_out() {  # same_out ARGS...: both clients' stdout and exit status identical
    api "$@" >"$E2E_TMP/ours.out" 2>"$E2E_TMP/ours.err"; local ours=$?
    aws_ "$@" >"$E2E_TMP/theirs.out" 2>"$E2E_TMP/theirs.err"; local theirs=$?
    [ "$ours" = "$theirs" ] && cmp -s "$E2E_TMP/ours.out" "$E2E_TMP/theirs.out"
}
q='{n:Roles[].RoleName,t:NextToken}'
check "--max-items 2 cuts a page: the same names and NextToken as the AWS CLI" \
    same_out iam list-roles --max-items 2 --query "$q" --output json
check "...and the resume token says so" \
    $PY -c 'import json,sys,base64; t=json.load(open(sys.argv[1]))["t"]; d=json.loads(base64.b64decode(t)); sys.exit(d.get("boto_truncate_amount")!=2)' "$E2E_TMP/ours.out"
check "--max-items 2 --page-size 2 ends on a page: the page's own token" \
    same_out iam list-roles --max-items 2 --page-size 2 --query "$q" --output json
check "--max-items 3 --page-size 2 cuts the second page" \
    same_out iam list-roles --max-items 3 --page-size 2 --query "$q" --output json
token=$(api iam list-roles --max-items 2 --query NextToken | tr -d '"')
check "--starting-token resumes where the cut page left off" \
    same_out iam list-roles --max-items 2 --starting-token "$token" --query "$q" --output json
check "...with the items after the first two" test \
    "$(api iam list-roles --max-items 2 --starting-token "$token" --query 'Roles[0].RoleName')" = \
    "$(api iam list-roles --query 'Roles[2].RoleName')"
check "text output: the pages, then NEXTTOKEN" same_out iam list-roles --max-items 2 --page-size 1 --output text
check "...which is there" grep -q '^NEXTTOKEN' "$E2E_TMP/ours.out"
marker=$(api iam list-roles --no-paginate --max-items 1 --query Marker --output text)
check "the old TOKEN___N starting token, as the AWS CLI reads it" \
    same_out iam list-roles --max-items 1 --starting-token "${marker}___1" --query "$q" --output json
check "--no-paginate with --page-size is refused as by the AWS CLI (252)" \
    same_out iam list-roles --no-paginate --page-size 1
check "...saying why" grep -q "Cannot specify --no-paginate along with pagination arguments: --page-size" "$E2E_TMP/ours.err"
check "a malformed resume token is refused before any call" \
    test "$(rc api iam list-roles --starting-token "$(printf '{"Marker": 5}' | base64)")" = 252

# Usage errors are found before any call (252), with the nearest flag suggested.
check "an unknown parameter flag is a usage error" \
    test "$(rc api customer-profiles get-domain --region eu-west-2 --domian-name x)" = 252
check "...suggesting the right one" grep -q "did you mean '--domain-name'" "$E2E_TMP/err"
check "a bad integer is a usage error" \
    test "$(rc api customer-profiles create-domain --region eu-west-2 --domain-name z --default-expiration-days soon)" = 252
check "...naming the flag" grep -q -- "--default-expiration-days: expected an integer" "$E2E_TMP/err"
check "a missing value is named" \
    test "$(rc api iam get-role --role-name)" = 252
finish
