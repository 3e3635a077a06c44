/*
 * authz_actions.c - the IAM action and resource ARN of every operation the sandbox routes, after
 * the AWS Service Authorization Reference ("Actions, resources, and condition keys for ...":
 * IAM, AWS STS, AWS Organizations, AWS CloudTrail, Amazon CloudWatch, AWS Account Management,
 * Amazon Connect, Amazon Connect Customer Profiles). An operation whose action supports no
 * resource type is authorized on "*". Where an action names several resource types (AttachPolicy:
 * the policy and the target), the table uses the first one the reference lists.
 * tests/unit/test_sbx_authz_table.c walks every registered service and fails on an operation
 * without a row.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "sbx_authz.h"
#include "sbx_org.h"
#include "sbx_service.h"

#define IAM     "arn:${Partition}:iam::${Account}:"
#define PROFILE "arn:${Partition}:profile:${Region}:${Account}:"
#define DOMAIN  PROFILE "domains/${DomainName}"
#define CONNECT "arn:${Partition}:connect:${Region}:${Account}:"

static const struct cpw_sbx_authz_row s_rows[] = {
    /* ----- IAM (service prefix iam) ----- */
    { "iam", "CreateRole", NULL, IAM "role${Path/}${RoleName}" },
    { "iam", "GetRole", NULL, "${Role}" },
    { "iam", "ListRoles", NULL, "*" },
    { "iam", "UpdateRole", NULL, "${Role}" },
    { "iam", "UpdateRoleDescription", NULL, "${Role}" },
    { "iam", "UpdateAssumeRolePolicy", NULL, "${Role}" },
    { "iam", "DeleteRole", NULL, "${Role}" },
    { "iam", "AttachRolePolicy", NULL, "${Role}" },
    { "iam", "DetachRolePolicy", NULL, "${Role}" },
    { "iam", "ListAttachedRolePolicies", NULL, "${Role}" },
    { "iam", "PutRolePolicy", NULL, "${Role}" },
    { "iam", "GetRolePolicy", NULL, "${Role}" },
    { "iam", "DeleteRolePolicy", NULL, "${Role}" },
    { "iam", "ListRolePolicies", NULL, "${Role}" },
    { "iam", "TagRole", NULL, "${Role}" },
    { "iam", "UntagRole", NULL, "${Role}" },
    { "iam", "ListRoleTags", NULL, "${Role}" },
    { "iam", "PutRolePermissionsBoundary", NULL, "${Role}" },
    { "iam", "DeleteRolePermissionsBoundary", NULL, "${Role}" },
    { "iam", "CreateUser", NULL, IAM "user${Path/}${UserName}" },
    { "iam", "GetUser", NULL, "${User}" },
    { "iam", "ListUsers", NULL, "*" },
    { "iam", "DeleteUser", NULL, "${User}" },
    { "iam", "PutUserPermissionsBoundary", NULL, "${User}" },
    { "iam", "DeleteUserPermissionsBoundary", NULL, "${User}" },
    { "iam", "CreateAccessKey", NULL, "${User}" },
    { "iam", "ListAccessKeys", NULL, "${User}" },
    { "iam", "DeleteAccessKey", NULL, "${User}" },
    { "iam", "UpdateAccessKey", NULL, "${User}" },
    { "iam", "GetAccessKeyLastUsed", NULL, "${KeyUser}" },
    { "iam", "CreatePolicy", NULL, IAM "policy${Path/}${PolicyName}" },
    { "iam", "GetPolicy", NULL, "${PolicyArn}" },
    { "iam", "DeletePolicy", NULL, "${PolicyArn}" },
    { "iam", "ListPolicies", NULL, "*" },
    { "iam", "CreatePolicyVersion", NULL, "${PolicyArn}" },
    { "iam", "GetPolicyVersion", NULL, "${PolicyArn}" },
    { "iam", "ListPolicyVersions", NULL, "${PolicyArn}" },
    { "iam", "DeletePolicyVersion", NULL, "${PolicyArn}" },
    { "iam", "SetDefaultPolicyVersion", NULL, "${PolicyArn}" },
    { "iam", "TagPolicy", NULL, "${PolicyArn}" },
    { "iam", "UntagPolicy", NULL, "${PolicyArn}" },
    { "iam", "ListPolicyTags", NULL, "${PolicyArn}" },
    { "iam", "ListEntitiesForPolicy", NULL, "${PolicyArn}" },
    { "iam", "AttachUserPolicy", NULL, "${User}" },
    { "iam", "DetachUserPolicy", NULL, "${User}" },
    { "iam", "ListAttachedUserPolicies", NULL, "${User}" },
    { "iam", "AttachGroupPolicy", NULL, "${Group}" },
    { "iam", "DetachGroupPolicy", NULL, "${Group}" },
    { "iam", "ListAttachedGroupPolicies", NULL, "${Group}" },
    { "iam", "CreateGroup", NULL, IAM "group${Path/}${GroupName}" },
    { "iam", "GetGroup", NULL, "${Group}" },
    { "iam", "ListGroups", NULL, "*" },
    { "iam", "DeleteGroup", NULL, "${Group}" },
    { "iam", "AddUserToGroup", NULL, "${Group}" },
    { "iam", "RemoveUserFromGroup", NULL, "${Group}" },
    { "iam", "ListGroupsForUser", NULL, "${User}" },
    { "iam", "PutGroupPolicy", NULL, "${Group}" },
    { "iam", "GetGroupPolicy", NULL, "${Group}" },
    { "iam", "DeleteGroupPolicy", NULL, "${Group}" },
    { "iam", "ListGroupPolicies", NULL, "${Group}" },
    { "iam", "PutUserPolicy", NULL, "${User}" },
    { "iam", "GetUserPolicy", NULL, "${User}" },
    { "iam", "DeleteUserPolicy", NULL, "${User}" },
    { "iam", "ListUserPolicies", NULL, "${User}" },
    { "iam", "TagUser", NULL, "${User}" },
    { "iam", "UntagUser", NULL, "${User}" },
    { "iam", "ListUserTags", NULL, "${User}" },
    { "iam", "CreateLoginProfile", NULL, "${User}" },
    { "iam", "GetLoginProfile", NULL, "${User}" },
    { "iam", "UpdateLoginProfile", NULL, "${User}" },
    { "iam", "DeleteLoginProfile", NULL, "${User}" },
    { "iam", "CreateInstanceProfile", NULL, IAM "instance-profile${Path/}${InstanceProfileName}" },
    { "iam", "GetInstanceProfile", NULL, "${InstanceProfile}" },
    { "iam", "DeleteInstanceProfile", NULL, "${InstanceProfile}" },
    { "iam", "ListInstanceProfiles", NULL, "*" },
    { "iam", "AddRoleToInstanceProfile", NULL, "${InstanceProfile}" },
    { "iam", "RemoveRoleFromInstanceProfile", NULL, "${InstanceProfile}" },
    { "iam", "ListInstanceProfilesForRole", NULL, "${Role}" },
    { "iam", "TagInstanceProfile", NULL, "${InstanceProfile}" },
    { "iam", "UntagInstanceProfile", NULL, "${InstanceProfile}" },
    { "iam", "ListInstanceProfileTags", NULL, "${InstanceProfile}" },
    { "iam", "CreateSAMLProvider", NULL, IAM "saml-provider/${Name}" },
    { "iam", "GetSAMLProvider", NULL, "${SAMLProviderArn}" },
    { "iam", "UpdateSAMLProvider", NULL, "${SAMLProviderArn}" },
    { "iam", "ListSAMLProviders", NULL, "*" },
    { "iam", "DeleteSAMLProvider", NULL, "${SAMLProviderArn}" },
    { "iam", "GetAccountSummary", NULL, "*" },
    { "iam", "GetAccountAuthorizationDetails", NULL, "*" },
    { "iam", "GetAccountPasswordPolicy", NULL, "*" },
    { "iam", "UpdateAccountPasswordPolicy", NULL, "*" },
    { "iam", "DeleteAccountPasswordPolicy", NULL, "*" },
    { "iam", "CreateServiceLinkedRole", NULL, IAM "role/aws-service-role/${AWSServiceName}/*" },
    { "iam", "DeleteServiceLinkedRole", NULL, "${Role}" },
    { "iam", "GetServiceLinkedRoleDeletionStatus", NULL, "${TaskRole}" },
    { "iam", "SimulatePrincipalPolicy", NULL, "${PolicySourceArn}" },
    { "iam", "SimulateCustomPolicy", NULL, "*" },
    /* IAM identities: renames, MFA devices, SSH public keys, the credential report */
    { "iam", "UpdateUser", NULL, "${User}" },
    { "iam", "UpdateGroup", NULL, "${Group}" },
    { "iam", "CreateVirtualMFADevice", NULL, IAM "mfa${Path/}${VirtualMFADeviceName}" },
    { "iam", "DeleteVirtualMFADevice", NULL, "${SerialNumber}" },
    { "iam", "ListVirtualMFADevices", NULL, "*" },
    { "iam", "EnableMFADevice", NULL, "${User}" },
    { "iam", "DeactivateMFADevice", NULL, "${User}" },
    { "iam", "ListMFADevices", NULL, "${User}" },
    { "iam", "UploadSSHPublicKey", NULL, "${User}" },
    { "iam", "GetSSHPublicKey", NULL, "${User}" },
    { "iam", "ListSSHPublicKeys", NULL, "${User}" },
    { "iam", "UpdateSSHPublicKey", NULL, "${User}" },
    { "iam", "DeleteSSHPublicKey", NULL, "${User}" },
    { "iam", "GenerateCredentialReport", NULL, "*" },
    { "iam", "GetCredentialReport", NULL, "*" },
    /* ----- AWS STS (sts) ----- */
    /* GetCallerIdentity and GetSessionToken need no permission ("No permissions are required"
     * in the STS API Reference); AssumeRoleWith* are unsigned: the trust policy decides. */
    { "sts", "GetCallerIdentity", NULL, NULL },
    { "sts", "GetSessionToken", NULL, NULL },
    { "sts", "AssumeRole", NULL, "${RoleArn}" },
    { "sts", "AssumeRoleWithWebIdentity", NULL, NULL },
    { "sts", "AssumeRoleWithSAML", NULL, NULL },
    /* GetFederationToken: resource type user (the calling IAM user); GetAccessKeyInfo: none. */
    { "sts", "GetFederationToken", NULL, "${User}" },
    { "sts", "GetAccessKeyInfo", NULL, "*" },
    /* ----- AWS Organizations (organizations) ----- */
    { "organizations", "CreateOrganization", NULL, "*" },
    { "organizations", "DescribeOrganization", NULL, "*" },
    { "organizations", "CreateAccount", NULL, "*" },
    { "organizations", "DescribeCreateAccountStatus", NULL, "*" },
    { "organizations", "ListCreateAccountStatus", NULL, "*" },
    { "organizations", "ListAccounts", NULL, "*" },
    { "organizations", "ListRoots", NULL, "*" },
    { "organizations", "CreateOrganizationalUnit", NULL, "${OrgTarget:ParentId}" },
    { "organizations", "ListOrganizationalUnitsForParent", NULL, "${OrgTarget:ParentId}" },
    { "organizations", "CreatePolicy", NULL, "*" },
    { "organizations", "AttachPolicy", NULL, "${OrgPolicy:PolicyId}" },
    { "organizations", "DetachPolicy", NULL, "${OrgPolicy:PolicyId}" },
    { "organizations", "ListPoliciesForTarget", NULL, "${OrgTarget:TargetId}" },
    { "organizations", "EnablePolicyType", NULL, "${OrgTarget:RootId}" },
    { "organizations", "DisablePolicyType", NULL, "${OrgTarget:RootId}" },
    { "organizations", "DescribePolicy", NULL, "${OrgPolicy:PolicyId}" },
    { "organizations", "UpdatePolicy", NULL, "${OrgPolicy:PolicyId}" },
    { "organizations", "DeletePolicy", NULL, "${OrgPolicy:PolicyId}" },
    { "organizations", "ListPolicies", NULL, "*" },
    { "organizations", "ListTargetsForPolicy", NULL, "${OrgPolicy:PolicyId}" },
    { "organizations", "TagResource", NULL, "${OrgTarget:ResourceId}" },
    { "organizations", "UntagResource", NULL, "${OrgTarget:ResourceId}" },
    { "organizations", "ListTagsForResource", NULL, "${OrgTarget:ResourceId}" },
    { "organizations", "DescribeOrganizationalUnit", NULL, "${OrgTarget:OrganizationalUnitId}" },
    { "organizations", "UpdateOrganizationalUnit", NULL, "${OrgTarget:OrganizationalUnitId}" },
    { "organizations", "DeleteOrganizationalUnit", NULL, "${OrgTarget:OrganizationalUnitId}" },
    { "organizations", "ListParents", NULL, "${OrgTarget:ChildId}" },
    { "organizations", "ListChildren", NULL, "${OrgTarget:ParentId}" },
    { "organizations", "ListAccountsForParent", NULL, "${OrgTarget:ParentId}" },
    { "organizations", "DescribeAccount", NULL, "${OrgTarget:AccountId}" },
    { "organizations", "CloseAccount", NULL, "${OrgTarget:AccountId}" },
    { "organizations", "MoveAccount", NULL, "${OrgTarget:AccountId}" },
    { "organizations", "RemoveAccountFromOrganization", NULL, "${OrgTarget:AccountId}" },
    { "organizations", "DeleteOrganization", NULL, "*" },
    { "organizations", "EnableAWSServiceAccess", NULL, "*" },
    { "organizations", "DisableAWSServiceAccess", NULL, "*" },
    { "organizations", "ListAWSServiceAccessForOrganization", NULL, "*" },
    { "organizations", "RegisterDelegatedAdministrator", NULL, "${OrgTarget:AccountId}" },
    { "organizations", "DeregisterDelegatedAdministrator", NULL, "${OrgTarget:AccountId}" },
    { "organizations", "ListDelegatedAdministrators", NULL, "*" },
    { "organizations", "ListDelegatedServicesForAccount", NULL, "${OrgTarget:AccountId}" },
    { "organizations", "DescribeEffectivePolicy", NULL, "${OrgTarget:TargetId}" },
    /* ----- AWS CloudTrail (cloudtrail) ----- */
    { "cloudtrail", "LookupEvents", NULL, "*" },
    { "cloudtrail", "DescribeTrails", NULL, "*" },
    { "cloudtrail", "CreateTrail", NULL, "${Trail:Name}" },
    { "cloudtrail", "GetTrailStatus", NULL, "${Trail:Name}" },
    { "cloudtrail", "StartLogging", NULL, "${Trail:Name}" },
    { "cloudtrail", "StopLogging", NULL, "${Trail:Name}" },
    { "cloudtrail", "GetEventSelectors", NULL, "${Trail:TrailName}" },
    { "cloudtrail", "PutEventSelectors", NULL, "${Trail:TrailName}" },
    { "cloudtrail", "DeleteTrail", NULL, "${Trail:Name}" },
    /* ----- Amazon CloudWatch (signing name monitoring, prefix cloudwatch): no resource types
     * for these three actions. ----- */
    { "monitoring", "PutMetricData", NULL, "*" },
    { "monitoring", "ListMetrics", NULL, "*" },
    { "monitoring", "GetMetricData", NULL, "*" },
    /* ----- AWS Account Management (account) ----- */
    { "account", "ListRegions", NULL, "${AccountArn}" },
    { "account", "GetRegionOptStatus", NULL, "${AccountArn}" },
    { "account", "EnableRegion", NULL, "${AccountArn}" },
    { "account", "DisableRegion", NULL, "${AccountArn}" },
    /* ----- Amazon Connect (connect) ----- */
    { "connect", "CreateInstance", NULL, "*" },
    { "connect", "ListInstances", NULL, "*" },
    { "connect", "DescribeInstance", NULL, CONNECT "instance/${InstanceId}" },
    { "connect", "DeleteInstance", NULL, CONNECT "instance/${InstanceId}" },
    { "connect", "TagResource", NULL, "${resourceArn}" },
    { "connect", "UntagResource", NULL, "${resourceArn}" },
    { "connect", "ListTagsForResource", NULL, "${resourceArn}" },
    /* ----- Amazon Connect Customer Profiles (signing name and prefix profile) ----- */
    { "profile", "CreateDomain", NULL, DOMAIN },
    { "profile", "GetDomain", NULL, DOMAIN },
    { "profile", "ListDomains", NULL, "*" },
    { "profile", "UpdateDomain", NULL, DOMAIN },
    { "profile", "DeleteDomain", NULL, DOMAIN },
    { "profile", "PutIntegration", NULL, DOMAIN "/integrations/${Uri}" },
    { "profile", "GetIntegration", NULL, DOMAIN "/integrations/${Uri}" },
    { "profile", "ListIntegrations", NULL, DOMAIN },
    { "profile", "DeleteIntegration", NULL, DOMAIN "/integrations/${Uri}" },
    { "profile", "ListAccountIntegrations", NULL, "*" },
    { "profile", "ListWorkflows", NULL, DOMAIN },
    { "profile", "PutProfileObjectType", NULL, DOMAIN "/object-types/${ObjectTypeName}" },
    { "profile", "GetProfileObjectType", NULL, DOMAIN "/object-types/${ObjectTypeName}" },
    { "profile", "ListProfileObjectTypes", NULL, DOMAIN },
    { "profile", "DeleteProfileObjectType", NULL, DOMAIN "/object-types/${ObjectTypeName}" },
    { "profile", "ListProfileObjectTypeTemplates", NULL, "*" },
    { "profile", "GetProfileObjectTypeTemplate", NULL, "*" },
    { "profile", "CreateProfile", NULL, DOMAIN },
    { "profile", "UpdateProfile", NULL, DOMAIN },
    { "profile", "SearchProfiles", NULL, DOMAIN },
    { "profile", "ListProfileAttributeValues", NULL, DOMAIN },
    { "profile", "DeleteProfile", NULL, DOMAIN },
    { "profile", "PutProfileObject", NULL, DOMAIN },
    { "profile", "ListProfileObjects", NULL, DOMAIN },
    { "profile", "CreateEventStream", NULL, DOMAIN "/event-streams/${EventStreamName}" },
    { "profile", "GetEventStream", NULL, DOMAIN "/event-streams/${EventStreamName}" },
    { "profile", "ListEventStreams", NULL, DOMAIN },
    { "profile", "DeleteEventStream", NULL, DOMAIN "/event-streams/${EventStreamName}" },
    { "profile", "CreateCalculatedAttributeDefinition", NULL,
      DOMAIN "/calculated-attributes/${CalculatedAttributeName}" },
    { "profile", "GetCalculatedAttributeDefinition", NULL,
      DOMAIN "/calculated-attributes/${CalculatedAttributeName}" },
    { "profile", "ListCalculatedAttributeDefinitions", NULL, DOMAIN },
    { "profile", "UpdateCalculatedAttributeDefinition", NULL,
      DOMAIN "/calculated-attributes/${CalculatedAttributeName}" },
    { "profile", "DeleteCalculatedAttributeDefinition", NULL,
      DOMAIN "/calculated-attributes/${CalculatedAttributeName}" },
    { "profile", "TagResource", NULL, "${resourceArn}" },
    { "profile", "UntagResource", NULL, "${resourceArn}" },
    { "profile", "ListTagsForResource", NULL, "${resourceArn}" },
    { "profile", "CreateDomainLayout", NULL, DOMAIN "/layouts/${LayoutDefinitionName}" },
    { "profile", "GetDomainLayout", NULL, DOMAIN "/layouts/${LayoutDefinitionName}" },
    { "profile", "UpdateDomainLayout", NULL, DOMAIN "/layouts/${LayoutDefinitionName}" },
    { "profile", "DeleteDomainLayout", NULL, DOMAIN "/layouts/${LayoutDefinitionName}" },
    { "profile", "ListDomainLayouts", NULL, DOMAIN },
    { "profile", "PutDomainObjectType", NULL, DOMAIN "/domain-object-types/${ObjectTypeName}" },
    { "profile", "GetDomainObjectType", NULL, DOMAIN "/domain-object-types/${ObjectTypeName}" },
    { "profile", "ListDomainObjectTypes", NULL, DOMAIN },
    { "profile", "DeleteDomainObjectType", NULL, DOMAIN "/domain-object-types/${ObjectTypeName}" },
    { "profile", "CreateEventTrigger", NULL, DOMAIN "/event-triggers/${EventTriggerName}" },
    { "profile", "GetEventTrigger", NULL, DOMAIN "/event-triggers/${EventTriggerName}" },
    { "profile", "UpdateEventTrigger", NULL, DOMAIN "/event-triggers/${EventTriggerName}" },
    { "profile", "DeleteEventTrigger", NULL, DOMAIN "/event-triggers/${EventTriggerName}" },
    { "profile", "ListEventTriggers", NULL, DOMAIN },
    { "profile", "CreateSegmentDefinition", NULL,
      DOMAIN "/segment-definitions/${SegmentDefinitionName}" },
    { "profile", "GetSegmentDefinition", NULL,
      DOMAIN "/segment-definitions/${SegmentDefinitionName}" },
    { "profile", "ListSegmentDefinitions", NULL, DOMAIN },
    { "profile", "DeleteSegmentDefinition", NULL,
      DOMAIN "/segment-definitions/${SegmentDefinitionName}" },
    { "profile", "CreateSegmentEstimate", NULL, DOMAIN },
    { "profile", "GetSegmentEstimate", NULL, DOMAIN },
    { "profile", "GetSegmentMembership", NULL,
      DOMAIN "/segment-definitions/${SegmentDefinitionName}" },
    { "profile", "CreateSegmentSnapshot", NULL,
      DOMAIN "/segment-definitions/${SegmentDefinitionName}" },
    { "profile", "GetSegmentSnapshot", NULL,
      DOMAIN "/segment-definitions/${SegmentDefinitionName}" },
    { "profile", "CreateIntegrationWorkflow", NULL, DOMAIN },
    { "profile", "GetWorkflow", NULL, DOMAIN },
    { "profile", "GetWorkflowSteps", NULL, DOMAIN },
    { "profile", "DeleteWorkflow", NULL, DOMAIN },
    { "profile", "CreateUploadJob", NULL, DOMAIN },
    { "profile", "GetUploadJob", NULL, DOMAIN },
    { "profile", "GetUploadJobPath", NULL, DOMAIN },
    { "profile", "ListUploadJobs", NULL, DOMAIN },
    { "profile", "StartUploadJob", NULL, DOMAIN },
    { "profile", "StopUploadJob", NULL, DOMAIN },
    { "profile", "AddProfileKey", NULL, DOMAIN },
    { "profile", "DeleteProfileKey", NULL, DOMAIN },
    { "profile", "DeleteProfileObject", NULL, DOMAIN },
    { "profile", "BatchGetProfile", NULL, DOMAIN },
    { "profile", "MergeProfiles", NULL, DOMAIN },
    { "profile", "GetProfileHistoryRecord", NULL, DOMAIN },
    { "profile", "ListProfileHistoryRecords", NULL, DOMAIN },
    { "profile", "GetCalculatedAttributeForProfile", NULL,
      DOMAIN "/calculated-attributes/${CalculatedAttributeName}" },
    { "profile", "BatchGetCalculatedAttributeForProfile", NULL,
      DOMAIN "/calculated-attributes/${CalculatedAttributeName}" },
    { "profile", "ListCalculatedAttributesForProfile", NULL, DOMAIN },
    { "profile", "DetectProfileObjectType", NULL, DOMAIN },
    { "profile", "GetObjectTypeAttributeStatistics", NULL,
      DOMAIN "/object-types/${ObjectTypeName}" },
    { "profile", "ListObjectTypeAttributes", NULL, DOMAIN "/object-types/${ObjectTypeName}" },
    { "profile", "ListObjectTypeAttributeValues", NULL, DOMAIN "/object-types/${ObjectTypeName}" },
    { "profile", "GetMatches", NULL, DOMAIN },
    { "profile", "ListRuleBasedMatches", NULL, DOMAIN },
    { "profile", "GetSimilarProfiles", NULL, DOMAIN },
    { "profile", "GetAutoMergingPreview", NULL, DOMAIN },
    { "profile", "GetIdentityResolutionJob", NULL, DOMAIN },
    { "profile", "ListIdentityResolutionJobs", NULL, DOMAIN },
    { "profile", "CreateRecommender", NULL, DOMAIN "/recommenders/${RecommenderName}" },
    { "profile", "GetRecommender", NULL, DOMAIN "/recommenders/${RecommenderName}" },
    { "profile", "UpdateRecommender", NULL, DOMAIN "/recommenders/${RecommenderName}" },
    { "profile", "DeleteRecommender", NULL, DOMAIN "/recommenders/${RecommenderName}" },
    { "profile", "ListRecommenders", NULL, DOMAIN },
    { "profile", "StartRecommender", NULL, DOMAIN "/recommenders/${RecommenderName}" },
    { "profile", "StopRecommender", NULL, DOMAIN "/recommenders/${RecommenderName}" },
    { "profile", "CreateRecommenderFilter", NULL, DOMAIN },
    { "profile", "GetRecommenderFilter", NULL, DOMAIN },
    { "profile", "DeleteRecommenderFilter", NULL, DOMAIN },
    { "profile", "ListRecommenderFilters", NULL, DOMAIN },
    { "profile", "CreateRecommenderSchema", NULL, DOMAIN },
    { "profile", "GetRecommenderSchema", NULL, DOMAIN },
    { "profile", "DeleteRecommenderSchema", NULL, DOMAIN },
    { "profile", "ListRecommenderSchemas", NULL, DOMAIN },
    { "profile", "ListRecommenderRecipes", NULL, "*" },
    { "profile", "GetProfileRecommendations", NULL, DOMAIN },
};

#define ROW_COUNT (sizeof(s_rows) / sizeof(s_rows[0]))

const struct cpw_sbx_authz_row *cpw_sbx_authz_row_find(const char *service, const char *operation)
{
    for (size_t i = 0; service != NULL && operation != NULL && i < ROW_COUNT; i++) {
        if (strcmp(s_rows[i].operation, operation) == 0 &&
            strcmp(s_rows[i].service, service) == 0) {
            return &s_rows[i];
        }
    }
    return NULL;
}

size_t cpw_sbx_authz_row_count(void)
{
    return ROW_COUNT;
}

const struct cpw_sbx_authz_row *cpw_sbx_authz_row_at(size_t i)
{
    return i < ROW_COUNT ? &s_rows[i] : NULL;
}

const char *cpw_sbx_authz_prefix(const char *service)
{
    return strcmp(service, "monitoring") == 0 ? "cloudwatch" : service;
}

int cpw_sbx_authz_action(const struct cpw_sbx_authz_row *row, char *out, size_t cap)
{
    int n = row->action
              ? snprintf(out, cap, "%s", row->action)
              : snprintf(out, cap, "%s:%s", cpw_sbx_authz_prefix(row->service), row->operation);
    if (n < 0 || (size_t)n >= cap) {
        return cpw_raise(CPW_ERR_LIMIT, "IAM action of %s:%s", row->service, row->operation);
    }
    return 0;
}

/* ----- template expansion ------------------------------------------------------------------ */

/* Appends the first column of a one-row query, or fallback when it finds nothing. */
static int s_lookup(struct cpw_sbx_ctx *ctx,
                    struct cpw_buf *out,
                    const char *sql,
                    const char *a,
                    const char *b,
                    const char *fallback_fmt,
                    const char *fallback_name)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db, sql, "ss", a, b);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        rc = cpw_buf_append_cstr(out, cpw_sbx_col(stmt, 0));
    } else if (rc == 0) {
        rc = cpw_buf_appendf(out, fallback_fmt, cpw_sbx_ctx_partition(ctx), a, fallback_name);
    }
    cpw_sbx_sql_done(stmt);
    return rc;
}

/* The caller's own user name (for IAM calls on "the calling user"), or NULL. */
static const char *s_caller_user(const struct cpw_sbx_ctx *ctx)
{
    const char *arn = ctx->req->caller->principal_arn;
    const char *user = arn ? strstr(arn, ":user/") : NULL;
    if (user == NULL) {
        return NULL;
    }
    const char *name = strrchr(user, '/');
    return name + 1;
}

/* The organization of the caller's account: management account and org id (0 found, 1 none). */
static int s_org_of(struct cpw_sbx_ctx *ctx, char *master, size_t master_cap, char *org, size_t cap)
{
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db,
                        "SELECT o.management_account_id, o.org_id FROM org_organizations o"
                        " JOIN org_accounts a ON a.org_id = o.org_id WHERE a.account_id = ?1"
                        " UNION ALL SELECT management_account_id, org_id FROM org_organizations"
                        " WHERE management_account_id = ?1 LIMIT 1",
                        "s", ctx->req->caller->account_id);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        snprintf(master, master_cap, "%s", cpw_sbx_col(stmt, 0));
        snprintf(org, cap, "%s", cpw_sbx_col(stmt, 1));
    }
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : rc == 1 ? 0 : 1;
}

static int s_org_target(struct cpw_sbx_ctx *ctx, const char *id, struct cpw_buf *out)
{
    char master[16] = "";
    char org[64] = "";
    int rc = s_org_of(ctx, master, sizeof(master), org, sizeof(org));
    if (rc != 0 || id == NULL) {
        return rc < 0 ? -1 : cpw_buf_append_cstr(out, "*");
    }
    const char *p = cpw_sbx_ctx_partition(ctx);
    if (strncmp(id, "r-", 2) == 0) {
        return cpw_buf_appendf(out, "arn:%s:organizations::%s:root/%s/%s", p, master, org, id);
    }
    if (strncmp(id, "ou-", 3) == 0) {
        return cpw_buf_appendf(out, "arn:%s:organizations::%s:ou/%s/%s", p, master, org, id);
    }
    return cpw_buf_appendf(out, "arn:%s:organizations::%s:account/%s/%s", p, master, org, id);
}

/* A policy's ARN of its stored type (cpw_org_policy_arn_of): tag_policy, backup_policy, ... */
static int s_org_policy(struct cpw_sbx_ctx *ctx, const char *id, struct cpw_buf *out)
{
    if (id == NULL) {
        return cpw_buf_append_cstr(out, "*");
    }
    struct cpw_org org = { 0 };
    int in_org = s_org_of(ctx, org.management, sizeof(org.management), org.id, sizeof(org.id));
    char arn[300];
    int found = in_org < 0 ? -1 : cpw_org_policy_arn_of(ctx, &org, id, arn, sizeof(arn));
    if (found < 0) {
        return -1;
    }
    /* Outside an organization only AWS's managed policies have an ARN. */
    return cpw_buf_append_cstr(out, in_org == 0 || found == 1 ? arn : "*");
}

/* A trail's ARN from a name or an ARN. */
static int s_trail(struct cpw_sbx_ctx *ctx, const char *name, struct cpw_buf *out)
{
    if (name == NULL) {
        return cpw_buf_append_cstr(out, "*");
    }
    if (strncmp(name, "arn:", 4) == 0) {
        return cpw_buf_append_cstr(out, name);
    }
    const char *region = ctx->req->caller->region ? ctx->req->caller->region : "us-east-1";
    return cpw_buf_appendf(out, "arn:%s:cloudtrail:%s:%s:trail/%s", cpw_sbx_ctx_partition(ctx),
                           region, ctx->req->caller->account_id, name);
}

/* task/aws-service-role/<principal>/<role>/<uuid> -> the role's ARN. */
static int s_task_role(struct cpw_sbx_ctx *ctx, const char *task, struct cpw_buf *out)
{
    static const char prefix[] = "task/";
    const char *end = task ? strrchr(task, '/') : NULL;
    if (task == NULL || strncmp(task, prefix, sizeof(prefix) - 1) != 0 || end == NULL ||
        end <= task + sizeof(prefix) - 1) {
        return cpw_buf_append_cstr(out, "*");
    }
    const char *role = task + sizeof(prefix) - 1;
    return cpw_buf_appendf(out, "arn:%s:iam::%s:role/%.*s", cpw_sbx_ctx_partition(ctx),
                           ctx->req->caller->account_id, (int)(end - role), role);
}

static int s_account_arn(struct cpw_sbx_ctx *ctx, const json_t *input, struct cpw_buf *out)
{
    const char *account = cpw_sbx_in_str(input, "AccountId");
    const char *p = cpw_sbx_ctx_partition(ctx);
    if (account == NULL || strcmp(account, ctx->req->caller->account_id) == 0) {
        return cpw_buf_appendf(out, "arn:%s:account::%s:account", p, ctx->req->caller->account_id);
    }
    char master[16] = "";
    char org[64] = "";
    int rc = s_org_of(ctx, master, sizeof(master), org, sizeof(org));
    if (rc != 0) {
        return rc < 0 ? -1 : cpw_buf_appendf(out, "arn:%s:account::%s:account", p, account);
    }
    return cpw_buf_appendf(out, "arn:%s:account::%s:account/%s/%s", p, master, org, account);
}

static int s_placeholder(struct cpw_sbx_ctx *ctx,
                         const json_t *input,
                         const char *name,
                         struct cpw_buf *out)
{
    const char *account = ctx->req->caller->account_id;
    const char *colon = strchr(name, ':');
    const char *member = colon ? colon + 1 : name;
    const char *value = cpw_sbx_in_str(input, member);
    if (strcmp(name, "Partition") == 0) {
        return cpw_buf_append_cstr(out, cpw_sbx_ctx_partition(ctx));
    }
    if (strcmp(name, "Region") == 0) {
        return cpw_buf_append_cstr(out, ctx->req->caller->region ? ctx->req->caller->region
                                                                 : "us-east-1");
    }
    if (strcmp(name, "Account") == 0) {
        return cpw_buf_append_cstr(out, account);
    }
    if (strcmp(name, "Path/") == 0) {
        const char *path = cpw_sbx_in_str(input, "Path");
        return cpw_buf_append_cstr(out, path && path[0] ? path : "/");
    }
    if (strcmp(name, "Role") == 0) {
        return s_lookup(ctx, out, "SELECT arn FROM iam_roles WHERE account_id = ? AND name = ?",
                        account, cpw_sbx_in_str(input, "RoleName"), "arn:%s:iam::%s:role/%s",
                        value ? value : "*");
    }
    if (strcmp(name, "User") == 0 || strcmp(name, "KeyUser") == 0) {
        const char *user = cpw_sbx_in_str(input, "UserName");
        if (strcmp(name, "KeyUser") == 0) {
            return s_lookup(ctx, out,
                            "SELECT u.arn FROM access_keys k JOIN iam_users u ON"
                            " u.account_id = k.account_id AND u.name = k.user_name"
                            " WHERE k.account_id = ? AND k.access_key_id = ?",
                            account, cpw_sbx_in_str(input, "AccessKeyId"), "arn:%s:iam::%s:%s",
                            "user/*");
        }
        if (user == NULL) {
            user = s_caller_user(ctx);
        }
        if (user == NULL) { /* root acting on itself */
            return cpw_buf_appendf(out, "arn:%s:iam::%s:root", cpw_sbx_ctx_partition(ctx), account);
        }
        return s_lookup(ctx, out, "SELECT arn FROM iam_users WHERE account_id = ? AND name = ?",
                        account, user, "arn:%s:iam::%s:user/%s", user);
    }
    if (strcmp(name, "Group") == 0) {
        const char *group = cpw_sbx_in_str(input, "GroupName");
        return s_lookup(ctx, out, "SELECT arn FROM iam_groups WHERE account_id = ? AND name = ?",
                        account, group, "arn:%s:iam::%s:group/%s", group ? group : "*");
    }
    if (strcmp(name, "InstanceProfile") == 0) {
        const char *ip = cpw_sbx_in_str(input, "InstanceProfileName");
        return s_lookup(ctx, out,
                        "SELECT arn FROM iam_instance_profiles WHERE account_id = ? AND name = ?",
                        account, ip, "arn:%s:iam::%s:instance-profile/%s", ip ? ip : "*");
    }
    if (strcmp(name, "TaskRole") == 0) {
        return s_task_role(ctx, cpw_sbx_in_str(input, "DeletionTaskId"), out);
    }
    if (strcmp(name, "AccountArn") == 0) {
        return s_account_arn(ctx, input, out);
    }
    if (strncmp(name, "OrgTarget:", 10) == 0) {
        return s_org_target(ctx, value, out);
    }
    if (strncmp(name, "OrgPolicy:", 10) == 0) {
        return s_org_policy(ctx, value, out);
    }
    if (strncmp(name, "Trail:", 6) == 0) {
        return s_trail(ctx, value, out);
    }
    return cpw_buf_append_cstr(out, value && value[0] ? value : "*");
}

int cpw_sbx_authz_resource(struct cpw_sbx_ctx *ctx,
                           const struct cpw_sbx_authz_row *row,
                           const json_t *input,
                           struct cpw_buf *out)
{
    const char *t = row->resource ? row->resource : "*";
    while (*t != '\0') {
        const char *open = strstr(t, "${");
        const char *close = open ? strchr(open, '}') : NULL;
        if (open == NULL || close == NULL) {
            return cpw_buf_append_cstr(out, t);
        }
        char name[64];
        if (cpw_buf_append(out, cpw_span_from(t, (size_t)(open - t))) != 0 ||
            (size_t)(close - open - 2) >= sizeof(name)) {
            return cpw_raise(CPW_ERR_LIMIT, "resource template of %s", row->operation);
        }
        memcpy(name, open + 2, (size_t)(close - open - 2));
        name[close - open - 2] = '\0';
        if (s_placeholder(ctx, input, name, out) != 0) {
            return -1;
        }
        t = close + 1;
    }
    return 0;
}
