#!/usr/bin/env bash
# `cpwarden api --output text|table` against Debian's AWS CLI v2 on the same sandbox: the same
# operations and queries must print the same bytes.
source "$(dirname "$0")/lib.sh"
AWS=/usr/bin/aws
[ -x "$AWS" ] || { echo "Debian's awscli (v2) is missing: scripts/bootstrap installs it"; exit 1; }
start_sandbox --scenario orphans --no-rate-limits

# same NAME ARGS...: both clients, both formats, byte for byte; the output must not be empty.
same() {
    local name=$1; shift
    for format in text table; do
        "$CPWARDEN" api --endpoint-url "$ENDPOINT" "$@" --output "$format" >"$E2E_TMP/ours" 2>&1 || true
        "$AWS" --endpoint-url "$ENDPOINT" "$@" --output "$format" >"$E2E_TMP/theirs" 2>&1 || true
        check "$name --output $format prints something" test -s "$E2E_TMP/theirs"
        if ! cmp -s "$E2E_TMP/ours" "$E2E_TMP/theirs"; then
            diff "$E2E_TMP/ours" "$E2E_TMP/theirs" | head -20
            check "$name --output $format is the AWS CLI's" false
        else
            check "$name --output $format is the AWS CLI's" true
        fi
    done
}

same "customer-profiles ListDomains" customer-profiles list-domains --region eu-west-2
same "customer-profiles GetDomain" customer-profiles get-domain --region eu-west-2 --domain-name retired-customers
same "iam ListRoles (every page, nested policies)" iam list-roles
same "a list of lists --query" iam list-roles --query 'Roles[].[RoleName, Path]'
same "sts GetCallerIdentity" sts get-caller-identity
# The members both models know (the AWS CLI's older model lacks InstanceAccessUrl).
same "connect ListInstances" connect list-instances --region us-east-1 --query \
    'InstanceSummaryList[].{Id: Id, Arn: Arn, CreatedTime: CreatedTime, InstanceAlias: InstanceAlias, InstanceStatus: InstanceStatus, InboundCallsEnabled: InboundCallsEnabled, ServiceRole: ServiceRole}'
same "a scalar --query" iam list-roles --query 'Roles[0].RoleName'
same "a list --query" iam list-roles --query 'Roles[].RoleName'
same "a number --query" iam list-roles --query 'length(Roles)'
same "a projection of objects and lists" iam list-roles \
    --query '{names: Roles[].RoleName, first: Roles[0].{n: RoleName, d: MaxSessionDuration, a: AssumeRolePolicyDocument}, flags: [`true`, `false`, `null`, `1.5`]}'
same "wide characters" iam list-roles --query '{a: `"日本語の名前"`, b: `"é"`, c: Roles[0].RoleName}'

# Text is written page by page, the query applied to each page, as the AWS CLI writes it.
same "text page by page" iam list-roles --page-size 2 --query 'Roles[].RoleName'
check "...one line per page" test "$("$CPWARDEN" api --endpoint-url "$ENDPOINT" iam list-roles --page-size 2 \
    --query 'Roles[].RoleName' --output text | wc -l)" -gt 1
same "a query per page" iam list-roles --page-size 2 --query 'length(Roles)'
# The paginator's own limit as a parameter means one page, as in the AWS CLI.
same "--max-results pages by hand" cloudtrail lookup-events --region eu-west-2 --max-results 1 \
    --query '[length(Events), NextToken != null]'

# Nothing at all for what the AWS CLI's table does not print; text prints None for null.
"$CPWARDEN" api --endpoint-url "$ENDPOINT" iam list-roles --query 'Roles[?RoleName == `none`]' --output table >"$E2E_TMP/ours"
check "an empty result prints no table" test ! -s "$E2E_TMP/ours"
check "null as text is None" test "$("$CPWARDEN" api --endpoint-url "$ENDPOINT" iam list-roles --query Nope --output text)" = None
# The format from the environment, as the AWS CLI reads it; json stays the default.
check "AWS_DEFAULT_OUTPUT=text is honoured" test \
    "$(AWS_DEFAULT_OUTPUT=text "$CPWARDEN" api --endpoint-url "$ENDPOINT" sts get-caller-identity --query Account)" = 123456789012
check "json by default" test \
    "$("$CPWARDEN" api --endpoint-url "$ENDPOINT" sts get-caller-identity --query Account)" = '"123456789012"'
check "another format is a usage error" test \
    "$("$CPWARDEN" api --endpoint-url "$ENDPOINT" sts get-caller-identity --output csv >/dev/null 2>&1; echo $?)" = 252
finish
