#!/usr/bin/env bash
# runbook_awscli.sh - the runbook's way: the AWS CLI v2 in a shell loop over accounts and regions,
# one command at a time (aws sts assume-role, aws connect list-instances / describe-instance,
# aws customer-profiles list-domains / get-domain / list-integrations /
# list-account-integrations, aws iam list-roles / get-role). Prints one line:
#   accounts=N calls=C seconds=S
# usage: runbook_awscli.sh ENDPOINT REGIONS(comma) ACCOUNT...
set -euo pipefail
ENDPOINT=$1; shift
IFS=, read -r -a REGIONS <<<"$1"; shift
AWS=${AWS:-/usr/bin/aws}
CALLS_FILE=$(mktemp)
trap 'rm -f "$CALLS_FILE"' EXIT
aws_() { echo >>"$CALLS_FILE"; "$AWS" --endpoint-url "$ENDPOINT" --output text "$@"; }
START=$(date +%s.%N)
ROOT_KEY=$AWS_ACCESS_KEY_ID ROOT_SECRET=$AWS_SECRET_ACCESS_KEY
for account in "$@"; do
    export AWS_ACCESS_KEY_ID=$ROOT_KEY AWS_SECRET_ACCESS_KEY=$ROOT_SECRET
    unset AWS_SESSION_TOKEN
    read -r key secret token < <(aws_ sts assume-role \
        --role-arn "arn:aws:iam::$account:role/OrganizationAccountAccessRole" \
        --role-session-name runbook \
        --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]')
    export AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token
    for prefix in /aws-service-role/profile.amazonaws.com/ /aws-service-role/connect.amazonaws.com/; do
        for role in $(aws_ iam list-roles --path-prefix "$prefix" --query 'Roles[].RoleName'); do
            aws_ iam get-role --role-name "$role" >/dev/null
        done
    done
    for region in "${REGIONS[@]}"; do
        while read -r id arn; do
            [ -n "$id" ] || continue
            aws_ connect describe-instance --region "$region" --instance-id "$id" >/dev/null
            aws_ customer-profiles list-account-integrations --region "$region" --uri "$arn" >/dev/null
        done < <(aws_ connect list-instances --region "$region" \
                    --query 'InstanceSummaryList[].[Id,Arn]')
        for domain in $(aws_ customer-profiles list-domains --region "$region" \
                            --query 'Items[].DomainName'); do
            aws_ customer-profiles get-domain --region "$region" --domain-name "$domain" >/dev/null
            aws_ customer-profiles list-integrations --region "$region" --domain-name "$domain" >/dev/null
        done
    done
done
END=$(date +%s.%N)
echo "accounts=$# calls=$(wc -l <"$CALLS_FILE") seconds=$(echo "$END - $START" | bc)"
