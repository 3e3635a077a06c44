#!/usr/bin/env bash
# `cpwarden api` takes the AWS CLI's shorthand for nested structures and lists: the same
# command line sent by cpwarden and by Debian's AWS CLI v2 stores the same thing in the sandbox.
source "$(dirname "$0")/lib.sh"
AWS=/usr/bin/aws
[ -x "$AWS" ] || { echo "Debian's awscli (v2) is missing: scripts/bootstrap installs it"; exit 1; }
start_sandbox --scenario orphans --no-rate-limits
PY=/usr/bin/python3
api() { "$CPWARDEN" api --endpoint-url "$ENDPOINT" "$@"; }
aws_() { "$AWS" --endpoint-url "$ENDPOINT" "$@"; }
same_json() { $PY -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:3]); sys.exit(a!=b)' "$1" "$2"; }
rc() { "$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err"; echo $?; }

# Nested structures, a list of lists and booleans, in one shorthand value.
matching='Enabled=true,JobSchedule={DayOfTheWeek=MONDAY,Time=02:00},AutoMerging={Enabled=true,Consolidation={MatchingAttributesList=[[EmailAddress,FirstName],[PhoneNumber]]},ConflictResolution={ConflictResolvingModel=SOURCE,SourceName="crm, main"}}'
api customer-profiles create-domain --region eu-west-2 --domain-name ours --default-expiration-days 30 \
    --matching "$matching" >/dev/null
aws_ customer-profiles create-domain --region eu-west-2 --domain-name theirs --default-expiration-days 30 \
    --matching "$matching" >/dev/null
api customer-profiles get-domain --region eu-west-2 --domain-name ours --query Matching >"$E2E_TMP/ours.json"
aws_ customer-profiles get-domain --region eu-west-2 --domain-name theirs --query Matching --output json >"$E2E_TMP/theirs.json"
check "nested shorthand stores what the AWS CLI's stores" same_json "$E2E_TMP/ours.json" "$E2E_TMP/theirs.json"
check "...a list of lists" test "$(api customer-profiles get-domain --region eu-west-2 --domain-name ours \
    --query 'Matching.AutoMerging.Consolidation.MatchingAttributesList[1][0]' --output text)" = PhoneNumber
check "...a quoted value with a comma" test "$(api customer-profiles get-domain --region eu-west-2 --domain-name ours \
    --query 'Matching.AutoMerging.ConflictResolution.SourceName' --output text)" = "crm, main"
check "...booleans read from their text" test "$(api customer-profiles get-domain --region eu-west-2 --domain-name ours \
    --query 'Matching.AutoMerging.Enabled' --output json)" = true

# A list of structures, one shorthand word each.
api iam create-role --role-name shorthand-role --assume-role-policy-document '{"Version":"2012-10-17","Statement":[]}' \
    --tags Key=team,Value=ops Key=cost,Value=center-42 >/dev/null
api iam list-role-tags --role-name shorthand-role --query Tags >"$E2E_TMP/ours.json"
aws_ iam create-role --role-name shorthand-role-2 --assume-role-policy-document '{"Version":"2012-10-17","Statement":[]}' \
    --tags Key=team,Value=ops Key=cost,Value=center-42 >/dev/null
aws_ iam list-role-tags --role-name shorthand-role-2 --query Tags --output json >"$E2E_TMP/theirs.json"
check "a list of structures as words, as the AWS CLI" same_json "$E2E_TMP/ours.json" "$E2E_TMP/theirs.json"
check "...both tags" grep -q '"center-42"' "$E2E_TMP/ours.json"

# Mistakes are usage errors that show where, in the AWS CLI's words.
check "a shorthand syntax error is a usage error" \
    test "$(rc api customer-profiles create-domain --region eu-west-2 --domain-name bad --default-expiration-days 1 \
        --matching 'Enabled=true,JobSchedule={Time=02:00')" = 252
check "...naming the flag and what was expected" grep -q "Error parsing parameter '--matching': Expected: ','" "$E2E_TMP/err"
check "...with a caret under the place" grep -q '^ *\^$' "$E2E_TMP/err"
check "an unknown nested member is a usage error" \
    test "$(rc api customer-profiles create-domain --region eu-west-2 --domain-name bad --default-expiration-days 1 \
        --matching 'Enabled=true,JobSchedule={Tme=02:00}')" = 252
check "...naming it" grep -q "unknown member 'Tme'" "$E2E_TMP/err"
check "a structure where a word goes is refused" \
    test "$(rc api customer-profiles create-domain --region eu-west-2 --domain-name bad --default-expiration-days 1 \
        --matching 'Enabled={a=b}')" = 252
check "nothing was created by the refused calls" test "$(api customer-profiles list-domains --region eu-west-2 \
    --query 'length(Items[?DomainName == `bad`])')" = 0
finish
