/*
 * iam_aws_policies.c - the AWS managed policies every sandbox account sees under
 * arn:aws:iam::aws:policy/..., with their documents.
 *
 * The documents are AWS's (AWS Managed Policy Reference Guide,
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/), as published there and as
 * recorded by the public zoph-io/MAMIP history of AWS managed policies; the version each entry
 * reproduces is its version_id. ReadOnlyAccess is abbreviated to the read actions of the services
 * the sandbox emulates (the real document lists several thousand actions of every service).
 * docs/sandbox-services.md lists them.
 */
#include <string.h>

#include "sbx_service.h"

static const struct cpw_sbx_aws_policy s_policies[] = {
    {
      .name = "AdministratorAccess",
      .path = "/",
      .policy_id = "ANPAIWMBCKSKIEE64ZLYK",
      .version_id = "v1",
      .created = "2015-02-06T18:39:46Z",
      .updated = "2015-02-06T18:39:46Z",
      .description = "Provides full access to AWS services and resources.",
      .document =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
        "\"Resource\":\"*\"}]}",
    },
    {
      .name = "ReadOnlyAccess",
      .path = "/",
      .policy_id = "ANPAILL3HVNFSB6DCOWYQ",
      .version_id = "v1",
      .created = "2015-02-06T18:39:48Z",
      .updated = "2015-02-06T18:39:48Z",
      .description = "Provides read-only access to AWS services and resources.",
      .document = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"ReadOnlyActions\","
                  "\"Effect\":\"Allow\",\"Action\":[\"account:Get*\",\"account:List*\","
                  "\"cloudtrail:Describe*\",\"cloudtrail:Get*\",\"cloudtrail:List*\","
                  "\"cloudtrail:LookupEvents\",\"cloudwatch:Describe*\",\"cloudwatch:Get*\","
                  "\"cloudwatch:List*\",\"connect:Describe*\",\"connect:Get*\",\"connect:List*\","
                  "\"iam:Generate*\",\"iam:Get*\",\"iam:List*\",\"iam:Simulate*\","
                  "\"organizations:Describe*\",\"organizations:List*\",\"profile:Get*\","
                  "\"profile:List*\",\"profile:SearchProfiles\",\"sts:GetCallerIdentity\"],"
                  "\"Resource\":\"*\"}]}",
    },
    {
      .name = "IAMFullAccess",
      .path = "/",
      .policy_id = "ANPAI7XKCFMBPM3QQRRVQ",
      .version_id = "v2",
      .created = "2015-02-06T18:40:38Z",
      .updated = "2019-06-21T19:40:00Z",
      .description = "Provides full access to IAM via the AWS Management Console.",
      .document = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
                  "\"iam:*\",\"organizations:DescribeAccount\","
                  "\"organizations:DescribeOrganization\","
                  "\"organizations:DescribeOrganizationalUnit\","
                  "\"organizations:DescribePolicy\",\"organizations:ListChildren\","
                  "\"organizations:ListParents\",\"organizations:ListPoliciesForTarget\","
                  "\"organizations:ListRoots\",\"organizations:ListPolicies\","
                  "\"organizations:ListTargetsForPolicy\"],\"Resource\":\"*\"}]}",
    },
    {
      .name = "AmazonConnect_FullAccess",
      .path = "/",
      .policy_id = "ANPAIPZZCFFL2PTFMYPNW",
      .version_id = "v4",
      .created = "2020-11-20T19:54:08Z",
      .updated = "2023-03-07T14:49:25Z",
      .description = "Provides full access to Amazon Connect via the AWS Management Console and "
                     "public APIs.",
      .document =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
        "\"connect:*\",\"ds:CreateAlias\",\"ds:AuthorizeApplication\","
        "\"ds:CreateIdentityPoolDirectory\",\"ds:DeleteDirectory\",\"ds:DescribeDirectories\","
        "\"ds:UnauthorizeApplication\",\"firehose:DescribeDeliveryStream\","
        "\"firehose:ListDeliveryStreams\",\"kinesis:DescribeStream\",\"kinesis:ListStreams\","
        "\"kms:DescribeKey\",\"kms:ListAliases\",\"lex:GetBots\",\"lex:ListBots\","
        "\"lex:ListBotAliases\",\"logs:CreateLogGroup\",\"s3:GetBucketLocation\","
        "\"s3:ListAllMyBuckets\",\"lambda:ListFunctions\",\"ds:CheckAlias\","
        "\"profile:ListAccountIntegrations\",\"profile:GetDomain\",\"profile:ListDomains\","
        "\"profile:GetProfileObjectType\",\"profile:ListProfileObjectTypeTemplates\"],"
        "\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Action\":[\"profile:AddProfileKey\","
        "\"profile:CreateDomain\",\"profile:CreateProfile\",\"profile:DeleteDomain\","
        "\"profile:DeleteIntegration\",\"profile:DeleteProfile\",\"profile:DeleteProfileKey\","
        "\"profile:DeleteProfileObject\",\"profile:DeleteProfileObjectType\","
        "\"profile:GetIntegration\",\"profile:GetMatches\",\"profile:GetProfileObjectType\","
        "\"profile:ListIntegrations\",\"profile:ListProfileObjects\","
        "\"profile:ListProfileObjectTypes\",\"profile:ListTagsForResource\","
        "\"profile:MergeProfiles\",\"profile:PutIntegration\",\"profile:PutProfileObject\","
        "\"profile:PutProfileObjectType\",\"profile:SearchProfiles\",\"profile:TagResource\","
        "\"profile:UntagResource\",\"profile:UpdateDomain\",\"profile:UpdateProfile\"],"
        "\"Resource\":\"arn:aws:profile:*:*:domains/amazon-connect-*\"},{\"Effect\":\"Allow\","
        "\"Action\":[\"s3:CreateBucket\",\"s3:GetBucketAcl\"],"
        "\"Resource\":\"arn:aws:s3:::amazon-connect-*\"},{\"Effect\":\"Allow\","
        "\"Action\":[\"servicequotas:GetServiceQuota\"],"
        "\"Resource\":\"arn:aws:servicequotas:*:*:connect/*\"},{\"Effect\":\"Allow\","
        "\"Action\":\"iam:CreateServiceLinkedRole\",\"Resource\":\"*\",\"Condition\":{"
        "\"StringEquals\":{\"iam:AWSServiceName\":\"connect.amazonaws.com\"}}},{\"Effect\":"
        "\"Allow\",\"Action\":\"iam:DeleteServiceLinkedRole\",\"Resource\":"
        "\"arn:aws:iam::*:role/aws-service-role/connect.amazonaws.com/"
        "AWSServiceRoleForAmazonConnect*\"},{\"Effect\":\"Allow\",\"Action\":"
        "\"iam:CreateServiceLinkedRole\",\"Resource\":"
        "\"arn:aws:iam::*:role/aws-service-role/profile.amazonaws.com/*\",\"Condition\":{"
        "\"StringEquals\":{\"iam:AWSServiceName\":\"profile.amazonaws.com\"}}}]}",
    },
    {
      .name = "AmazonConnectReadOnlyAccess",
      .path = "/",
      .policy_id = "ANPAIGMBEIIFW7WBLYMJE",
      .version_id = "v4",
      .created = "2018-10-17T21:00:44Z",
      .updated = "2024-06-19T15:15:00Z",
      .description = "Grants permission to view the Amazon Connect instances in your AWS account.",
      .document = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"AllowConnectReadOnly\","
                  "\"Effect\":\"Allow\",\"Action\":[\"connect:Get*\",\"connect:Describe*\","
                  "\"connect:List*\",\"ds:DescribeDirectories\"],\"Resource\":\"*\"},{\"Sid\":"
                  "\"DenyConnectEmergencyAccess\",\"Effect\":\"Deny\",\"Action\":"
                  "\"connect:AdminGetEmergencyAccessToken\",\"Resource\":\"*\"}]}",
    },
    {
      .name = "AmazonConnectServiceLinkedRolePolicy",
      .path = "/aws-service-role/",
      .policy_id = "ANPAI5ZLBBXOIHPCDGXJQ",
      .version_id = "v9",
      .created = "2018-09-07T00:21:43Z",
      .updated = "2023-09-27T21:05:04Z",
      .description = "Allows Amazon Connect to create and manage AWS resources on your behalf.",
      .service_linked = true,
      .document =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
        "\"connect:*\"],\"Resource\":[\"*\"]},{\"Effect\":\"Allow\",\"Action\":["
        "\"iam:DeleteRole\"],\"Resource\":\"arn:aws:iam::*:role/aws-service-role/"
        "connect.amazonaws.com/AWSServiceRoleForAmazonConnect_*\"},{\"Effect\":\"Allow\","
        "\"Action\":[\"s3:GetObject\",\"s3:GetObjectAcl\",\"s3:PutObject\",\"s3:PutObjectAcl\","
        "\"s3:DeleteObject\"],\"Resource\":[\"arn:aws:s3:::amazon-connect-*/*\"]},{\"Effect\":"
        "\"Allow\",\"Action\":[\"s3:GetBucketLocation\",\"s3:GetBucketAcl\"],\"Resource\":["
        "\"arn:aws:s3:::amazon-connect-*\"]},{\"Effect\":\"Allow\",\"Action\":["
        "\"logs:CreateLogStream\",\"logs:DescribeLogStreams\",\"logs:PutLogEvents\"],"
        "\"Resource\":[\"arn:aws:logs:*:*:log-group:/aws/connect/*:*\"]},{\"Effect\":\"Allow\","
        "\"Action\":[\"lex:ListBots\",\"lex:ListBotAliases\"],\"Resource\":\"*\"},{\"Effect\":"
        "\"Allow\",\"Action\":[\"profile:SearchProfiles\",\"profile:CreateProfile\","
        "\"profile:UpdateProfile\",\"profile:AddProfileKey\","
        "\"profile:ListProfileObjectTypes\"],\"Resource\":"
        "\"arn:aws:profile:*:*:domains/amazon-connect-*\"},{\"Effect\":\"Allow\",\"Action\":["
        "\"profile:ListProfileObjects\",\"profile:GetProfileObjectType\"],\"Resource\":["
        "\"arn:aws:profile:*:*:domains/amazon-connect-*/object-types/*\"]},{\"Effect\":"
        "\"Allow\",\"Action\":[\"profile:ListAccountIntegrations\"],\"Resource\":\"*\"},{"
        "\"Effect\":\"Allow\",\"Action\":[\"profile:ListProfileObjectTypeTemplates\","
        "\"profile:GetProfileObjectTypeTemplate\"],\"Resource\":"
        "\"arn:aws:profile:*:*:/templates*\"},{\"Effect\":\"Allow\",\"Action\":["
        "\"wisdom:CreateContent\",\"wisdom:DeleteContent\",\"wisdom:CreateKnowledgeBase\","
        "\"wisdom:GetAssistant\",\"wisdom:GetKnowledgeBase\",\"wisdom:GetContent\","
        "\"wisdom:GetRecommendations\",\"wisdom:GetSession\","
        "\"wisdom:NotifyRecommendationsReceived\",\"wisdom:QueryAssistant\","
        "\"wisdom:StartContentUpload\",\"wisdom:UpdateContent\",\"wisdom:UntagResource\","
        "\"wisdom:TagResource\",\"wisdom:CreateSession\"],\"Resource\":\"*\",\"Condition\":{"
        "\"StringEquals\":{\"aws:ResourceTag/AmazonConnectEnabled\":\"True\"}}},{\"Effect\":"
        "\"Allow\",\"Action\":[\"wisdom:ListAssistants\",\"wisdom:ListKnowledgeBases\"],"
        "\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Action\":\"cloudwatch:PutMetricData\","
        "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"cloudwatch:namespace\":"
        "\"AWS/Connect\"}}}]}",
    },
    {
      .name = "CustomerProfilesServiceLinkedRolePolicy",
      .path = "/aws-service-role/",
      .policy_id = "ANPAZKAPJZG4JCUSTPROF",
      .version_id = "v1",
      .created = "2023-03-07T22:56:52Z",
      .updated = "2023-03-07T22:56:52Z",
      .description = "Allows Amazon Connect Customer Profiles to publish metrics and clean up "
                     "its service-linked role.",
      .service_linked = true,
      .document = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
                  "\"cloudwatch:PutMetricData\"],\"Resource\":\"*\",\"Condition\":{"
                  "\"StringEquals\":{\"cloudwatch:namespace\":\"AWS/CustomerProfiles\"}}},{"
                  "\"Effect\":\"Allow\",\"Action\":[\"iam:DeleteRole\"],\"Resource\":"
                  "\"arn:aws:iam::*:role/aws-service-role/profile.amazonaws.com/"
                  "AWSServiceRoleForProfile_*\"}]}",
    },
};

size_t cpw_sbx_aws_policy_count(void)
{
    return sizeof(s_policies) / sizeof(s_policies[0]);
}

const struct cpw_sbx_aws_policy *cpw_sbx_aws_policy_at(size_t i)
{
    return i < cpw_sbx_aws_policy_count() ? &s_policies[i] : NULL;
}

const struct cpw_sbx_aws_policy *cpw_sbx_aws_policy_find(const char *arn)
{
    /* arn:PARTITION:iam::aws:policy/PATH/NAME: compare what follows ":iam::aws:policy" */
    const char *tail = arn ? strstr(arn, ":iam::aws:policy/") : NULL;
    if (tail == NULL || strncmp(arn, "arn:aws", 7) != 0) {
        return NULL;
    }
    tail += strlen(":iam::aws:policy");
    for (size_t i = 0; i < cpw_sbx_aws_policy_count(); i++) {
        const struct cpw_sbx_aws_policy *p = &s_policies[i];
        size_t plen = strlen(p->path);
        if (strncmp(tail, p->path, plen) == 0 && strcmp(tail + plen, p->name) == 0) {
            return p;
        }
    }
    return NULL;
}
