/*
 * permissions.c - the per-command IAM action table and the least-privilege policy built from it
 * (permissions.h). The rows follow the calls each command makes (the warden modules and the command
 * files); tests/e2e/test_permissions_trace.sh holds them to the calls seen on the wire.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/permissions.h"

#define DEFAULT_ROLE_NAME "OrganizationAccountAccessRole"

static const char *const s_commands[] = {
    "inventory", "plan",     "apply",  "backup",  "restore",
    "audit",     "document", "events", "metrics", "doctor",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *label;
    const char *tmpl;
} s_resources[] = {
#define CPW_PERMISSIONS_RESOURCE_ROW(id, label, tmpl) { label, tmpl },
    CPW_PERMISSIONS_RESOURCE_LIST(CPW_PERMISSIONS_RESOURCE_ROW)
#undef CPW_PERMISSIONS_RESOURCE_ROW
};

/* command, action, resource group, when (NULL: every run), why */
static const struct cpw_permission s_rows[] = {
    { "inventory", "sts:GetCallerIdentity", CPW_PERMISSIONS_RES_ANY, NULL,
      "the caller's account and ARN, which every report names (AWS allows it to everyone; listed "
      "because it is called)" },
    { "inventory", "account:ListRegions", CPW_PERMISSIONS_RES_ANY, NULL,
      "which opt-in regions are enabled, so that disabled ones are not scanned" },
    { "inventory", "iam:ListRoles", CPW_PERMISSIONS_RES_ANY, NULL,
      "the service-linked roles of Customer Profiles and Connect, by path" },
    { "inventory", "iam:GetRole", CPW_PERMISSIONS_RES_PROFILE_ROLES, NULL,
      "each Customer Profiles role's last use and tags" },
    { "inventory", "iam:GetRole", CPW_PERMISSIONS_RES_CONNECT_ROLES, NULL,
      "each Connect role's last use and tags" },
    { "inventory", "connect:ListInstances", CPW_PERMISSIONS_RES_ANY, NULL,
      "the Connect instances of each region" },
    { "inventory", "connect:DescribeInstance", CPW_PERMISSIONS_RES_INSTANCES, NULL,
      "each instance's status and service-linked role" },
    { "inventory", "profile:ListDomains", CPW_PERMISSIONS_RES_ANY, NULL,
      "the Customer Profiles domains of each region" },
    { "inventory", "profile:GetDomain", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "each domain's settings, counts and creation time" },
    { "inventory", "profile:ListIntegrations", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the Connect instances each domain is integrated with" },
    { "inventory", "profile:ListAccountIntegrations", CPW_PERMISSIONS_RES_ANY, NULL,
      "the domain each Connect instance's integration points to" },
    { "inventory", "cloudtrail:LookupEvents", CPW_PERMISSIONS_RES_ANY, "--evidence cloudtrail",
      "who created each domain and role (CreateDomain, CreateServiceLinkedRole), linking them for "
      "certain" },
    { "inventory", "organizations:ListAccounts", CPW_PERMISSIONS_RES_ANY, "--org",
      "the member accounts to cover" },
    { "inventory", "sts:AssumeRole", CPW_PERMISSIONS_RES_MEMBER_ROLE, "--org",
      "the role that reaches each member account" },
    { "plan", "sts:GetCallerIdentity", CPW_PERMISSIONS_RES_ANY, NULL,
      "the caller's account and ARN, which every report names (AWS allows it to everyone; listed "
      "because it is called)" },
    { "plan", "account:ListRegions", CPW_PERMISSIONS_RES_ANY, NULL,
      "which opt-in regions are enabled, so that disabled ones are not scanned" },
    { "plan", "iam:ListRoles", CPW_PERMISSIONS_RES_ANY, NULL,
      "the service-linked roles of Customer Profiles and Connect, by path" },
    { "plan", "iam:GetRole", CPW_PERMISSIONS_RES_PROFILE_ROLES, NULL,
      "each Customer Profiles role's last use and tags" },
    { "plan", "iam:GetRole", CPW_PERMISSIONS_RES_CONNECT_ROLES, NULL,
      "each Connect role's last use and tags" },
    { "plan", "connect:ListInstances", CPW_PERMISSIONS_RES_ANY, NULL,
      "the Connect instances of each region" },
    { "plan", "connect:DescribeInstance", CPW_PERMISSIONS_RES_INSTANCES, NULL,
      "each instance's status and service-linked role" },
    { "plan", "profile:ListDomains", CPW_PERMISSIONS_RES_ANY, NULL,
      "the Customer Profiles domains of each region" },
    { "plan", "profile:GetDomain", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "each domain's settings, counts and creation time" },
    { "plan", "profile:ListIntegrations", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the Connect instances each domain is integrated with" },
    { "plan", "profile:ListProfileObjectTypes", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's object types (the pre-deletion checklist)" },
    { "plan", "profile:ListDomainObjectTypes", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's domain object types (the pre-deletion checklist)" },
    { "plan", "profile:ListWorkflows", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's workflows (the pre-deletion checklist)" },
    { "plan", "profile:ListEventStreams", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's event streams (the pre-deletion checklist)" },
    { "plan", "profile:ListCalculatedAttributeDefinitions", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's calculated attributes (the pre-deletion checklist)" },
    { "plan", "profile:ListSegmentDefinitions", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's segment definitions (the pre-deletion checklist)" },
    { "plan", "profile:ListEventTriggers", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's event triggers (the pre-deletion checklist)" },
    { "plan", "profile:ListDomainLayouts", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's layouts (the pre-deletion checklist)" },
    { "plan", "profile:ListRecommenderSchemas", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's recommender schemas (the pre-deletion checklist)" },
    { "plan", "profile:ListRecommenders", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's recommenders (the pre-deletion checklist)" },
    { "plan", "profile:ListRecommenderFilters", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's recommender filters (the pre-deletion checklist)" },
    { "plan", "organizations:ListAccounts", CPW_PERMISSIONS_RES_ANY, "--org",
      "the member accounts to cover" },
    { "plan", "sts:AssumeRole", CPW_PERMISSIONS_RES_MEMBER_ROLE, "--org",
      "the role that reaches each member account" },
    { "apply", "sts:GetCallerIdentity", CPW_PERMISSIONS_RES_ANY, NULL,
      "the caller's account and ARN, which every report names (AWS allows it to everyone; listed "
      "because it is called)" },
    { "apply", "account:ListRegions", CPW_PERMISSIONS_RES_ANY, NULL,
      "which opt-in regions are enabled, so that disabled ones are not scanned" },
    { "apply", "iam:ListRoles", CPW_PERMISSIONS_RES_ANY, NULL,
      "the service-linked roles of Customer Profiles and Connect, by path" },
    { "apply", "iam:GetRole", CPW_PERMISSIONS_RES_ROLES, NULL,
      "each role's last use, and that a deleted role is gone: a deleted role has no path left "
      "for IAM to match, so the check is allowed on any role name (read-only)" },
    { "apply", "connect:ListInstances", CPW_PERMISSIONS_RES_ANY, NULL,
      "the Connect instances of each region" },
    { "apply", "connect:DescribeInstance", CPW_PERMISSIONS_RES_INSTANCES, NULL,
      "each instance's status and service-linked role" },
    { "apply", "profile:ListDomains", CPW_PERMISSIONS_RES_ANY, NULL,
      "the Customer Profiles domains of each region" },
    { "apply", "profile:GetDomain", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "each domain's settings, counts and creation time" },
    { "apply", "profile:ListIntegrations", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the Connect instances each domain is integrated with" },
    { "apply", "profile:ListProfileObjectTypes", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's object types (the backup taken before the domain is deleted)" },
    { "apply", "profile:ListDomainObjectTypes", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's domain object types (the backup taken before the domain is deleted)" },
    { "apply", "profile:ListWorkflows", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's workflows (the backup taken before the domain is deleted)" },
    { "apply", "profile:ListEventStreams", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's event streams (the backup taken before the domain is deleted)" },
    { "apply", "profile:ListCalculatedAttributeDefinitions", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's calculated attributes (the backup taken before the domain is deleted)" },
    { "apply", "profile:ListSegmentDefinitions", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's segment definitions (the backup taken before the domain is deleted)" },
    { "apply", "profile:ListEventTriggers", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's event triggers (the backup taken before the domain is deleted)" },
    { "apply", "profile:ListDomainLayouts", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's layouts (the backup taken before the domain is deleted)" },
    { "apply", "profile:ListRecommenderSchemas", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's recommender schemas (the backup taken before the domain is deleted)" },
    { "apply", "profile:ListRecommenders", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's recommenders (the backup taken before the domain is deleted)" },
    { "apply", "profile:ListRecommenderFilters", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's recommender filters (the backup taken before the domain is deleted)" },
    { "apply", "profile:ListTagsForResource", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's tags, for the backup" },
    { "apply", "profile:GetProfileObjectType", CPW_PERMISSIONS_RES_DOMAINS,
      "the domain has such items", "each object type's whole definition, for the backup" },
    { "apply", "profile:GetDomainObjectType", CPW_PERMISSIONS_RES_DOMAINS,
      "the domain has such items", "each domain object type's whole definition, for the backup" },
    { "apply", "profile:GetWorkflow", CPW_PERMISSIONS_RES_DOMAINS, "the domain has such items",
      "each workflow's whole definition, for the backup" },
    { "apply", "profile:GetEventStream", CPW_PERMISSIONS_RES_DOMAINS, "the domain has such items",
      "each event stream's whole definition, for the backup" },
    { "apply", "profile:GetCalculatedAttributeDefinition", CPW_PERMISSIONS_RES_DOMAINS,
      "the domain has such items", "each calculated attribute's whole definition, for the backup" },
    { "apply", "profile:GetSegmentDefinition", CPW_PERMISSIONS_RES_DOMAINS,
      "the domain has such items", "each segment definition's whole definition, for the backup" },
    { "apply", "profile:GetEventTrigger", CPW_PERMISSIONS_RES_DOMAINS, "the domain has such items",
      "each event trigger's whole definition, for the backup" },
    { "apply", "profile:GetDomainLayout", CPW_PERMISSIONS_RES_DOMAINS, "the domain has such items",
      "each layout's whole definition, for the backup" },
    { "apply", "profile:GetRecommenderSchema", CPW_PERMISSIONS_RES_DOMAINS,
      "the domain has such items", "each recommender schema's whole definition, for the backup" },
    { "apply", "profile:GetRecommender", CPW_PERMISSIONS_RES_DOMAINS, "the domain has such items",
      "each recommender's whole definition, for the backup" },
    { "apply", "profile:GetRecommenderFilter", CPW_PERMISSIONS_RES_DOMAINS,
      "the domain has such items", "each recommender filter's whole definition, for the backup" },
    { "apply", "profile:DeleteIntegration", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "removes a domain's integration before the domain (runbook order)" },
    { "apply", "profile:DeleteDomain", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "deletes the orphaned domain" },
    { "apply", "iam:DeleteServiceLinkedRole", CPW_PERMISSIONS_RES_PROFILE_ROLES, NULL,
      "deletes the domain's orphaned AWSServiceRoleForProfile_* role" },
    { "apply", "iam:DeleteServiceLinkedRole", CPW_PERMISSIONS_RES_CONNECT_ROLES, NULL,
      "deletes an orphaned AWSServiceRoleForAmazonConnect_* role" },
    { "apply", "iam:GetServiceLinkedRoleDeletionStatus", CPW_PERMISSIONS_RES_PROFILE_ROLES, NULL,
      "polls each deletion task until it ends" },
    { "apply", "iam:GetServiceLinkedRoleDeletionStatus", CPW_PERMISSIONS_RES_CONNECT_ROLES, NULL,
      "polls each deletion task until it ends" },
    { "apply", "cloudtrail:LookupEvents", CPW_PERMISSIONS_RES_ANY,
      "a run stopped during a role's deletion is resumed",
      "whether the stopped run's DeleteServiceLinkedRole reached IAM, and its deletion task" },
    { "apply", "organizations:DescribeOrganization", CPW_PERMISSIONS_RES_ANY,
      "a plan made with --org", "that the caller is still the organization's management account" },
    { "apply", "organizations:ListAccounts", CPW_PERMISSIONS_RES_ANY, "a plan made with --org",
      "the member accounts to cover" },
    { "apply", "sts:AssumeRole", CPW_PERMISSIONS_RES_MEMBER_ROLE, "a plan made with --org",
      "the role that reaches each member account" },
    { "backup", "sts:GetCallerIdentity", CPW_PERMISSIONS_RES_ANY, NULL,
      "the account the backup file records (AWS allows it to everyone; listed because it is "
      "called)" },
    { "backup", "profile:GetDomain", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's settings, matching and rule-based matching" },
    { "backup", "profile:ListTagsForResource", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's tags" },
    { "backup", "profile:ListIntegrations", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's integrations" },
    { "backup", "profile:ListProfileObjectTypes", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's object types (exported whole)" },
    { "backup", "profile:ListDomainObjectTypes", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's domain object types (exported whole)" },
    { "backup", "profile:ListWorkflows", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's workflows (exported whole)" },
    { "backup", "profile:ListEventStreams", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's event streams (exported whole)" },
    { "backup", "profile:ListCalculatedAttributeDefinitions", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's calculated attributes (exported whole)" },
    { "backup", "profile:ListSegmentDefinitions", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's segment definitions (exported whole)" },
    { "backup", "profile:ListEventTriggers", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's event triggers (exported whole)" },
    { "backup", "profile:ListDomainLayouts", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's layouts (exported whole)" },
    { "backup", "profile:ListRecommenderSchemas", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's recommender schemas (exported whole)" },
    { "backup", "profile:ListRecommenders", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's recommenders (exported whole)" },
    { "backup", "profile:ListRecommenderFilters", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's recommender filters (exported whole)" },
    { "backup", "profile:GetProfileObjectType", CPW_PERMISSIONS_RES_DOMAINS,
      "the domain has such items", "each object type's whole definition, for the backup" },
    { "backup", "profile:GetDomainObjectType", CPW_PERMISSIONS_RES_DOMAINS,
      "the domain has such items", "each domain object type's whole definition, for the backup" },
    { "backup", "profile:GetWorkflow", CPW_PERMISSIONS_RES_DOMAINS, "the domain has such items",
      "each workflow's whole definition, for the backup" },
    { "backup", "profile:GetEventStream", CPW_PERMISSIONS_RES_DOMAINS, "the domain has such items",
      "each event stream's whole definition, for the backup" },
    { "backup", "profile:GetCalculatedAttributeDefinition", CPW_PERMISSIONS_RES_DOMAINS,
      "the domain has such items", "each calculated attribute's whole definition, for the backup" },
    { "backup", "profile:GetSegmentDefinition", CPW_PERMISSIONS_RES_DOMAINS,
      "the domain has such items", "each segment definition's whole definition, for the backup" },
    { "backup", "profile:GetEventTrigger", CPW_PERMISSIONS_RES_DOMAINS, "the domain has such items",
      "each event trigger's whole definition, for the backup" },
    { "backup", "profile:GetDomainLayout", CPW_PERMISSIONS_RES_DOMAINS, "the domain has such items",
      "each layout's whole definition, for the backup" },
    { "backup", "profile:GetRecommenderSchema", CPW_PERMISSIONS_RES_DOMAINS,
      "the domain has such items", "each recommender schema's whole definition, for the backup" },
    { "backup", "profile:GetRecommender", CPW_PERMISSIONS_RES_DOMAINS, "the domain has such items",
      "each recommender's whole definition, for the backup" },
    { "backup", "profile:GetRecommenderFilter", CPW_PERMISSIONS_RES_DOMAINS,
      "the domain has such items", "each recommender filter's whole definition, for the backup" },
    { "backup", "profile:SearchProfiles", CPW_PERMISSIONS_RES_DOMAINS, "--with-profiles",
      "each profile, by its id" },
    { "backup", "profile:ListProfileAttributeValues", CPW_PERMISSIONS_RES_DOMAINS,
      "--with-profiles", "the ids of every profile of the domain" },
    { "backup", "profile:ListProfileObjects", CPW_PERMISSIONS_RES_DOMAINS, "--with-profiles",
      "each profile's objects" },
    { "restore", "sts:GetCallerIdentity", CPW_PERMISSIONS_RES_ANY, NULL,
      "the account restored into (AWS allows it to everyone; listed because it is called)" },
    { "restore", "profile:GetDomain", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "whether the domain exists and with which settings" },
    { "restore", "profile:CreateDomain", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "recreates the domain" },
    { "restore", "profile:UpdateDomain", CPW_PERMISSIONS_RES_DOMAINS,
      "the domain exists with other settings and --force",
      "brings its settings back to the backup's" },
    { "restore", "profile:TagResource", CPW_PERMISSIONS_RES_DOMAINS, "the backup holds tags",
      "restores the domain's tags" },
    { "restore", "profile:GetProfileObjectType", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds object types",
      "whether each of the object types is already there and equal" },
    { "restore", "profile:PutProfileObjectType", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds object types", "recreates the object types" },
    { "restore", "profile:GetDomainObjectType", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds domain object types",
      "whether each of the domain object types is already there and equal" },
    { "restore", "profile:PutDomainObjectType", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds domain object types", "recreates the domain object types" },
    { "restore", "profile:GetCalculatedAttributeDefinition", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds calculated attributes",
      "whether each of the calculated attributes is already there and equal" },
    { "restore", "profile:CreateCalculatedAttributeDefinition", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds calculated attributes", "recreates the calculated attributes" },
    { "restore", "profile:UpdateCalculatedAttributeDefinition", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds calculated attributes", "updates the calculated attributes" },
    { "restore", "profile:GetSegmentDefinition", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds segment definitions",
      "whether each of the segment definitions is already there and equal" },
    { "restore", "profile:CreateSegmentDefinition", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds segment definitions", "recreates the segment definitions" },
    { "restore", "profile:GetEventTrigger", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds event triggers",
      "whether each of the event triggers is already there and equal" },
    { "restore", "profile:CreateEventTrigger", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds event triggers", "recreates the event triggers" },
    { "restore", "profile:UpdateEventTrigger", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds event triggers", "updates the event triggers" },
    { "restore", "profile:GetIntegration", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds integrations",
      "whether each of the integrations is already there and equal" },
    { "restore", "profile:PutIntegration", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds integrations", "recreates the integrations" },
    { "restore", "profile:GetEventStream", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds event streams",
      "whether each of the event streams is already there and equal" },
    { "restore", "profile:CreateEventStream", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds event streams", "recreates the event streams" },
    { "restore", "profile:GetDomainLayout", CPW_PERMISSIONS_RES_DOMAINS, "the backup holds layouts",
      "whether each of the layouts is already there and equal" },
    { "restore", "profile:CreateDomainLayout", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds layouts", "recreates the layouts" },
    { "restore", "profile:UpdateDomainLayout", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds layouts", "updates the layouts" },
    { "restore", "profile:GetRecommenderSchema", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds recommender schemas",
      "whether each of the recommender schemas is already there and equal" },
    { "restore", "profile:CreateRecommenderSchema", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds recommender schemas", "recreates the recommender schemas" },
    { "restore", "profile:GetRecommender", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds recommenders",
      "whether each of the recommenders is already there and equal" },
    { "restore", "profile:CreateRecommender", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds recommenders", "recreates the recommenders" },
    { "restore", "profile:UpdateRecommender", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds recommenders", "updates the recommenders" },
    { "restore", "profile:GetRecommenderFilter", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds recommender filters",
      "whether each of the recommender filters is already there and equal" },
    { "restore", "profile:CreateRecommenderFilter", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds recommender filters", "recreates the recommender filters" },
    { "restore", "profile:ListAccountIntegrations", CPW_PERMISSIONS_RES_ANY,
      "the backup holds integrations",
      "whether an instance's integration already points to another domain" },
    { "restore", "connect:DescribeInstance", CPW_PERMISSIONS_RES_INSTANCES,
      "the backup holds integrations", "whether the integrated Connect instance still exists" },
    { "restore", "profile:CreateProfile", CPW_PERMISSIONS_RES_DOMAINS, "the backup holds profiles",
      "recreates each profile" },
    { "restore", "profile:UpdateProfile", CPW_PERMISSIONS_RES_DOMAINS, "the backup holds profiles",
      "brings an existing profile back to the backup's" },
    { "restore", "profile:SearchProfiles", CPW_PERMISSIONS_RES_DOMAINS, "the backup holds profiles",
      "whether each profile is already there" },
    { "restore", "profile:PutProfileObject", CPW_PERMISSIONS_RES_DOMAINS,
      "the backup holds profile objects", "recreates each profile's objects" },
    { "audit", "sts:GetCallerIdentity", CPW_PERMISSIONS_RES_ANY, NULL,
      "the caller's account and ARN, which every report names (AWS allows it to everyone; listed "
      "because it is called)" },
    { "audit", "account:ListRegions", CPW_PERMISSIONS_RES_ANY, NULL,
      "which opt-in regions are enabled, so that disabled ones are not scanned" },
    { "audit", "iam:ListRoles", CPW_PERMISSIONS_RES_ANY, NULL,
      "the service-linked roles of Customer Profiles and Connect, by path" },
    { "audit", "iam:GetRole", CPW_PERMISSIONS_RES_PROFILE_ROLES, NULL,
      "each Customer Profiles role's last use and tags" },
    { "audit", "iam:GetRole", CPW_PERMISSIONS_RES_CONNECT_ROLES, NULL,
      "each Connect role's last use and tags" },
    { "audit", "connect:ListInstances", CPW_PERMISSIONS_RES_ANY, NULL,
      "the Connect instances of each region" },
    { "audit", "connect:DescribeInstance", CPW_PERMISSIONS_RES_INSTANCES, NULL,
      "each instance's status and service-linked role" },
    { "audit", "profile:ListDomains", CPW_PERMISSIONS_RES_ANY, NULL,
      "the Customer Profiles domains of each region" },
    { "audit", "profile:GetDomain", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "each domain's settings, counts and creation time" },
    { "audit", "profile:ListIntegrations", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the Connect instances each domain is integrated with" },
    { "audit", "profile:ListAccountIntegrations", CPW_PERMISSIONS_RES_ANY, NULL,
      "the domain each Connect instance's integration points to" },
    { "audit", "cloudtrail:DescribeTrails", CPW_PERMISSIONS_RES_ANY, NULL,
      "the trails of each account (rule cloudtrail)" },
    { "audit", "cloudtrail:GetTrailStatus", CPW_PERMISSIONS_RES_TRAILS, "the account has trails",
      "whether each trail is logging" },
    { "audit", "cloudtrail:GetEventSelectors", CPW_PERMISSIONS_RES_TRAILS, "the account has trails",
      "whether each trail records management events" },
    { "audit", "iam:GetServiceLinkedRoleDeletionStatus", CPW_PERMISSIONS_RES_PROFILE_ROLES,
      "the journal holds deletion tasks",
      "the status of each deletion task cpwarden apply submitted" },
    { "audit", "iam:GetServiceLinkedRoleDeletionStatus", CPW_PERMISSIONS_RES_CONNECT_ROLES,
      "the journal holds deletion tasks",
      "the status of each deletion task cpwarden apply submitted" },
    { "audit", "iam:GetAccountAuthorizationDetails", CPW_PERMISSIONS_RES_ANY, NULL,
      "every user, group, role and policy of each account (rule least-privilege)" },
    { "audit", "organizations:ListAccounts", CPW_PERMISSIONS_RES_ANY, "--org",
      "the member accounts to cover" },
    { "audit", "sts:AssumeRole", CPW_PERMISSIONS_RES_MEMBER_ROLE, "--org",
      "the role that reaches each member account" },
    { "document", "sts:GetCallerIdentity", CPW_PERMISSIONS_RES_ANY, NULL,
      "the account the document names (AWS allows it to everyone; listed because it is called)" },
    { "document", "profile:ListDomains", CPW_PERMISSIONS_RES_ANY, "--all",
      "every domain of the region" },
    { "document", "profile:GetDomain", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's settings and counts" },
    { "document", "profile:ListIntegrations", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the Connect instances the domain's integrations name" },
    { "document", "profile:ListProfileObjectTypes", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's object types (the configuration summary)" },
    { "document", "profile:ListDomainObjectTypes", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's domain object types (the configuration summary)" },
    { "document", "profile:ListWorkflows", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's workflows (the configuration summary)" },
    { "document", "profile:ListEventStreams", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's event streams (the configuration summary)" },
    { "document", "profile:ListCalculatedAttributeDefinitions", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's calculated attributes (the configuration summary)" },
    { "document", "profile:ListSegmentDefinitions", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's segment definitions (the configuration summary)" },
    { "document", "profile:ListEventTriggers", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's event triggers (the configuration summary)" },
    { "document", "profile:ListDomainLayouts", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's layouts (the configuration summary)" },
    { "document", "profile:ListRecommenderSchemas", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's recommender schemas (the configuration summary)" },
    { "document", "profile:ListRecommenders", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's recommenders (the configuration summary)" },
    { "document", "profile:ListRecommenderFilters", CPW_PERMISSIONS_RES_DOMAINS, NULL,
      "the domain's recommender filters (the configuration summary)" },
    { "document", "connect:DescribeInstance", CPW_PERMISSIONS_RES_INSTANCES, NULL,
      "the status of each instance an integration names" },
    { "document", "iam:ListRoles", CPW_PERMISSIONS_RES_ANY, NULL,
      "the domain's AWSServiceRoleForProfile_* role" },
    { "document", "cloudtrail:LookupEvents", CPW_PERMISSIONS_RES_ANY, NULL,
      "who created the domain and role, linking them for certain" },
    { "events", "sts:GetCallerIdentity", CPW_PERMISSIONS_RES_ANY, NULL,
      "the caller's account, whose events are read (AWS allows it to everyone; listed because it "
      "is called)" },
    { "events", "cloudtrail:LookupEvents", CPW_PERMISSIONS_RES_ANY, NULL,
      "the management events of instances, domains and their roles" },
    { "events", "organizations:ListAccounts", CPW_PERMISSIONS_RES_ANY, "--org",
      "the member accounts to cover" },
    { "events", "sts:AssumeRole", CPW_PERMISSIONS_RES_MEMBER_ROLE, "--org",
      "the role that reaches each member account" },
    { "metrics", "cloudwatch:PutMetricData", CPW_PERMISSIONS_RES_ANY, "--cloudwatch",
      "publishes the metrics to CloudWatch" },
    { "doctor", "sts:GetCallerIdentity", CPW_PERMISSIONS_RES_ANY, NULL,
      "the caller's identity, and the clock skew from the answer's Date (AWS allows it to "
      "everyone; listed because it is called)" },
    { "doctor", "iam:SimulatePrincipalPolicy", CPW_PERMISSIONS_RES_ANY, NULL,
      "whether the caller may call each action every command needs" },
    { "doctor", "profile:ListDomains", CPW_PERMISSIONS_RES_ANY, NULL,
      "which regions answer (one page of one item per region)" },
    { "doctor", "cloudtrail:LookupEvents", CPW_PERMISSIONS_RES_ANY, NULL,
      "recent DeleteDomain failures, and when the next attempt is allowed" },
    { "doctor", "iam:GetServiceLinkedRoleDeletionStatus", CPW_PERMISSIONS_RES_PROFILE_ROLES,
      "the journal holds deletion tasks", "pending or failed deletion tasks and what blocks them" },
    { "doctor", "iam:GetServiceLinkedRoleDeletionStatus", CPW_PERMISSIONS_RES_CONNECT_ROLES,
      "the journal holds deletion tasks", "pending or failed deletion tasks and what blocks them" },
    { "doctor", "iam:ListRoles", CPW_PERMISSIONS_RES_ANY, "the simulation is refused",
      "a dry probe of IAM reads" },
    { "doctor", "connect:ListInstances", CPW_PERMISSIONS_RES_ANY, "the simulation is refused",
      "a dry probe of Connect reads" },
    { "doctor", "organizations:ListAccounts", CPW_PERMISSIONS_RES_ANY, "--org",
      "the member accounts to check" },
    { "doctor", "sts:AssumeRole", CPW_PERMISSIONS_RES_MEMBER_ROLE, "--org",
      "the role that reaches each member account" },
    { "doctor", "organizations:ListParents", CPW_PERMISSIONS_RES_ANY,
      "an action is denied by an SCP",
      "the organizational units from the member account to the root" },
    { "doctor", "organizations:ListRoots", CPW_PERMISSIONS_RES_ANY, "an action is denied by an SCP",
      "the root, where ListParents cannot walk the account's path" },
    { "doctor", "organizations:ListPoliciesForTarget", CPW_PERMISSIONS_RES_ANY,
      "an action is denied by an SCP", "the SCPs attached to the account and each of its OUs" },
    { "doctor", "organizations:DescribePolicy", CPW_PERMISSIONS_RES_ANY,
      "an action is denied by an SCP", "each SCP's document" },
    { "doctor", "iam:SimulateCustomPolicy", CPW_PERMISSIONS_RES_ANY,
      "an action is denied by an SCP", "which SCP denies the action" },
};

const struct cpw_permission *cpw_permissions(size_t *count)
{
    *count = COUNT(s_rows);
    return s_rows;
}

const char *const *cpw_permissions_commands(size_t *count)
{
    *count = COUNT(s_commands);
    return s_commands;
}

bool cpw_permissions_has_command(const char *name)
{
    for (size_t i = 0; name && i < COUNT(s_commands); i++) {
        if (strcmp(s_commands[i], name) == 0) {
            return true;
        }
    }
    return false;
}

const char *cpw_permissions_resource_label(enum cpw_permissions_resource resource)
{
    return (size_t)resource < COUNT(s_resources) ? s_resources[resource].label : "Unknown";
}

const char *cpw_permissions_resource_template(enum cpw_permissions_resource resource)
{
    return (size_t)resource < COUNT(s_resources) ? s_resources[resource].tmpl : "*";
}

int cpw_permissions_resource(enum cpw_permissions_resource resource,
                             const struct cpw_permissions_options *options,
                             char *out,
                             size_t out_size)
{
    const char *partition = options && options->partition ? options->partition : "aws";
    const char *role = options && options->role_name ? options->role_name : DEFAULT_ROLE_NAME;
    const char *account = options && options->account ? options->account : NULL;
    const char *t = cpw_permissions_resource_template(resource);
    struct cpw_buf b;
    cpw_buf_init(&b, out_size > 0 ? out_size - 1 : 0);
    int rc = 0;
    /* ${Partition}, ${RoleName}; with an account, the account field of the ARN (the 5th) too */
    int field = 0;
    for (const char *p = t; *p && rc == 0; p++) {
        if (strncmp(p, "${Partition}", 12) == 0) {
            rc = cpw_buf_append_cstr(&b, partition);
            p += 11;
        } else if (strncmp(p, "${RoleName}", 11) == 0) {
            rc = cpw_buf_append_cstr(&b, role);
            p += 10;
        } else if (*p == ':' && field < 5) {
            field++;
            rc = cpw_buf_append_byte(&b, ':');
            if (rc == 0 && field == 4 && account && p[1] == '*') {
                rc = cpw_buf_append_cstr(&b, account);
                p++;
            }
        } else {
            rc = cpw_buf_append_byte(&b, (unsigned char)*p);
        }
    }
    if (rc == 0) {
        memcpy(out, b.data ? (const char *)b.data : "", b.len);
        out[b.len] = '\0';
    }
    cpw_buf_clean_up(&b);
    return rc ? cpw_raise(CPW_ERR_LIMIT, "resource ARN longer than %zu bytes", out_size) : 0;
}

/* The commands options select, in table order; -1 naming an unknown one. */
static int s_selected(const struct cpw_permissions_options *options, bool selected[])
{
    size_t n = options ? options->command_count : 0;
    for (size_t c = 0; c < COUNT(s_commands); c++) {
        selected[c] = n == 0;
    }
    for (size_t i = 0; i < n; i++) {
        size_t c = 0;
        while (c < COUNT(s_commands) && strcmp(s_commands[c], options->commands[i]) != 0) {
            c++;
        }
        if (c == COUNT(s_commands)) {
            return cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                             "no command '%s' calls AWS (commands: inventory, plan, apply, backup, "
                             "restore, audit, document, events, metrics, doctor)",
                             options->commands[i]);
        }
        selected[c] = true;
    }
    return 0;
}

static void s_sid(const char *command,
                  enum cpw_permissions_resource resource,
                  char *out,
                  size_t out_size)
{
    snprintf(out, out_size, "%c%s%s",
             command[0] >= 'a' && command[0] <= 'z' ? command[0] - 'a' + 'A' : command[0],
             command + 1, cpw_permissions_resource_label(resource));
}

static int s_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *cpw_permissions_statement(const struct cpw_permission *const *rows,
                                  size_t count,
                                  const struct cpw_permissions_options *options)
{
    if (count == 0) {
        return NULL;
    }
    char sid[96];
    char arn[512];
    s_sid(rows[0]->command, rows[0]->resource, sid, sizeof(sid));
    if (cpw_permissions_resource(rows[0]->resource, options, arn, sizeof(arn))) {
        return NULL;
    }
    const char **names = cpw_calloc(count, sizeof(*names));
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++) {
            seen = strcmp(names[k], rows[i]->action) == 0;
        }
        if (!seen) {
            names[n++] = rows[i]->action;
        }
    }
    qsort(names, n, sizeof(*names), s_cmp_str);
    json_t *actions = json_array();
    for (size_t i = 0; i < n; i++) {
        cpw_json_append_take(actions, json_string(names[i]));
    }
    cpw_free(names);
    json_t *st = json_object();
    cpw_json_set_take(st, "Sid", json_string(sid));
    cpw_json_set_take(st, "Effect", json_string("Allow"));
    cpw_json_set_take(st, "Action", actions);
    cpw_json_set_take(st, "Resource", json_string(arn));
    return st;
}

/* True when an earlier statement grants action on the resource group already. */
static bool s_granted(const char *action,
                      enum cpw_permissions_resource resource,
                      const struct cpw_permission *const *granted,
                      size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (granted[i]->resource == resource && strcmp(granted[i]->action, action) == 0) {
            return true;
        }
    }
    return false;
}

json_t *cpw_permissions_policy(const struct cpw_permissions_options *options)
{
    bool selected[COUNT(s_commands)];
    if (s_selected(options, selected)) {
        return NULL;
    }
    json_t *statements = json_array();
    const struct cpw_permission *group[COUNT(s_rows)];
    const struct cpw_permission *granted[COUNT(s_rows)];
    size_t granted_count = 0;
    for (size_t c = 0; c < COUNT(s_commands); c++) {
        if (!selected[c]) {
            continue;
        }
        /* Groups in the order of their first row in the command's rows. */
        for (int r = 0; r < CPW_PERMISSIONS_RES_COUNT; r++) {
            size_t n = 0;
            for (size_t i = 0; i < COUNT(s_rows); i++) {
                if (strcmp(s_rows[i].command, s_commands[c]) == 0 && (int)s_rows[i].resource == r &&
                    !s_granted(s_rows[i].action, s_rows[i].resource, granted, granted_count)) {
                    group[n++] = &s_rows[i];
                }
            }
            for (size_t i = 0; i < n; i++) {
                granted[granted_count++] = group[i];
            }
            json_t *st = cpw_permissions_statement(group, n, options);
            if (n > 0 && !st) {
                json_decref(statements);
                return NULL;
            }
            if (st) {
                cpw_json_append_take(statements, st);
            }
        }
    }
    json_t *doc = json_object();
    cpw_json_set_take(doc, "Version", json_string("2012-10-17"));
    cpw_json_set_take(doc, "Statement", statements);
    return doc;
}

json_t *cpw_permissions_rows(const struct cpw_permissions_options *options)
{
    bool selected[COUNT(s_commands)];
    if (s_selected(options, selected)) {
        return NULL;
    }
    json_t *rows = json_array();
    for (size_t c = 0; c < COUNT(s_commands); c++) {
        for (size_t i = 0; selected[c] && i < COUNT(s_rows); i++) {
            const struct cpw_permission *p = &s_rows[i];
            if (strcmp(p->command, s_commands[c]) != 0) {
                continue;
            }
            char arn[512];
            char sid[96];
            if (cpw_permissions_resource(p->resource, options, arn, sizeof(arn))) {
                json_decref(rows);
                return NULL;
            }
            s_sid(p->command, p->resource, sid, sizeof(sid));
            cpw_json_append_take(rows, json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s}", "command",
                                                 p->command, "action", p->action, "resource", arn,
                                                 "when", p->when, "why", p->why, "sid", sid));
        }
    }
    return rows;
}

int cpw_permissions_table(const struct cpw_permissions_options *options, struct cpw_buf *out)
{
    json_t *rows = cpw_permissions_rows(options);
    if (!rows) {
        return -1;
    }
    size_t w_cmd = strlen("COMMAND");
    size_t w_act = strlen("ACTION");
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        size_t a = strlen(cpw_json_get_string(r, "command"));
        size_t b = strlen(cpw_json_get_string(r, "action"));
        w_cmd = a > w_cmd ? a : w_cmd;
        w_act = b > w_act ? b : w_act;
    }
    int rc = cpw_buf_appendf(out, "%-*s  %-*s  %s\n", (int)w_cmd, "COMMAND", (int)w_act, "ACTION",
                             "RESOURCE");
    json_array_foreach(rows, i, r)
    {
        const char *when = cpw_json_get_string(r, "when");
        rc = rc ? rc
                : cpw_buf_appendf(out, "%-*s  %-*s  %s\n%-*s  %s%s%s", (int)w_cmd,
                                  cpw_json_get_string(r, "command"), (int)w_act,
                                  cpw_json_get_string(r, "action"),
                                  cpw_json_get_string(r, "resource"), (int)w_cmd, "",
                                  when ? "when " : "", when ? when : "", when ? ": " : "");
        rc = rc ? rc : cpw_buf_appendf(out, "%s\n", cpw_json_get_string(r, "why"));
    }
    json_decref(rows);
    return rc;
}

int cpw_permissions_markdown(const struct cpw_permissions_options *options, struct cpw_buf *out)
{
    json_t *rows = cpw_permissions_rows(options);
    if (!rows) {
        return -1;
    }
    int rc = 0;
    const char *current = "";
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        const char *cmd = cpw_json_get_string(r, "command");
        if (strcmp(cmd, current) != 0) {
            current = cmd;
            rc = rc ? rc
                    : cpw_buf_appendf(out,
                                      "%s### cpwarden %s\n\n"
                                      "| Action | Resource | When | Why |\n"
                                      "|---|---|---|---|\n",
                                      i ? "\n" : "", cmd);
        }
        const char *when = cpw_json_get_string(r, "when");
        rc =
          rc ? rc
             : cpw_buf_appendf(out, "| `%s` | `%s` | %s | %s |\n", cpw_json_get_string(r, "action"),
                               cpw_json_get_string(r, "resource"), when ? when : "every run",
                               cpw_json_get_string(r, "why"));
    }
    json_decref(rows);
    return rc;
}
