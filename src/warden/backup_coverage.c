/*
 * backup_coverage.c - what a backup carries, in one place: the list sections the export fills
 * with a List operation (every page) and a Get per item, and every other Customer Profiles
 * List/Get operation either carried in a named part of the file or excluded with the reason
 * (docs/backup-format.md, "Coverage"). The export is driven by s_kinds, and the coverage test
 * checks every List/Get operation of the embedded model against cpw_backup_coverage_at.
 */
#include <stddef.h>
#include <string.h>

#include "backup_internal.h"
#include "cpw/backup.h"
#include "cpw/json.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Export order is restore's dependency order, read from the same table (backup_restore.c). */
static const struct cpw_backup_kind s_kinds[] = {
    { CPW_BACKUP_OBJECT_TYPES, "ListProfileObjectTypes", "Items", "ObjectTypeName",
      "GetProfileObjectType", "ObjectTypeName" },
    { CPW_BACKUP_DOMAIN_OBJECT_TYPES, "ListDomainObjectTypes", "Items", "ObjectTypeName",
      "GetDomainObjectType", "ObjectTypeName" },
    { CPW_BACKUP_INTEGRATIONS, "ListIntegrations", "Items", "Uri", NULL, NULL },
    { CPW_BACKUP_WORKFLOWS, "ListWorkflows", "Items", "WorkflowId", "GetWorkflow", "WorkflowId" },
    { CPW_BACKUP_EVENT_STREAMS, "ListEventStreams", "Items", "EventStreamName", "GetEventStream",
      "EventStreamName" },
    { CPW_BACKUP_CALCULATED_ATTRIBUTES, "ListCalculatedAttributeDefinitions", "Items",
      "CalculatedAttributeName", "GetCalculatedAttributeDefinition", "CalculatedAttributeName" },
    { CPW_BACKUP_SEGMENT_DEFINITIONS, "ListSegmentDefinitions", "Items", "SegmentDefinitionName",
      "GetSegmentDefinition", "SegmentDefinitionName" },
    { CPW_BACKUP_EVENT_TRIGGERS, "ListEventTriggers", "Items", "EventTriggerName",
      "GetEventTrigger", "EventTriggerName" },
    { CPW_BACKUP_LAYOUTS, "ListDomainLayouts", "Items", "LayoutDefinitionName", "GetDomainLayout",
      "LayoutDefinitionName" },
    { CPW_BACKUP_RECOMMENDER_SCHEMAS, "ListRecommenderSchemas", "RecommenderSchemas",
      "RecommenderSchemaName", "GetRecommenderSchema", "RecommenderSchemaName" },
    { CPW_BACKUP_RECOMMENDERS, "ListRecommenders", "Recommenders", "RecommenderName",
      "GetRecommender", "RecommenderName" },
    { CPW_BACKUP_RECOMMENDER_FILTERS, "ListRecommenderFilters", "RecommenderFilters",
      "RecommenderFilterName", "GetRecommenderFilter", "RecommenderFilterName" },
};

const struct cpw_backup_kind *cpw_backup_kinds(size_t *count)
{
    *count = COUNT(s_kinds);
    return s_kinds;
}

/* Operations outside s_kinds: carried (where) or excluded (why). */
static const struct cpw_backup_coverage s_others[] = {
    { "GetDomain", "settings, matching, rule_based_matching", NULL },
    { "ListTagsForResource", "tags (and each item's own Tags member)", NULL },
    { "GetIntegration", "integrations (ListIntegrations returns the same members)", NULL },
    { "ListProfileAttributeValues", "records (names the profiles, with --with-profiles)", NULL },
    { "ListProfileObjects", "records (each profile's objects, with --with-profiles)", NULL },
    { "ListObjectTypeAttributes", "object_types (the attributes are the object type's Fields)",
      NULL },
    { "ListDomains", NULL, "lists the account's domains, not a domain's content" },
    { "ListAccountIntegrations", NULL,
      "the account's view of the integrations the integrations section carries per domain" },
    { "ListProfileObjectTypeTemplates", NULL,
      "templates are published by AWS, not held by the domain (object types name theirs)" },
    { "GetProfileObjectTypeTemplate", NULL,
      "templates are published by AWS, not held by the domain (object types name theirs)" },
    { "ListRecommenderRecipes", NULL,
      "recipes are published by AWS; recommenders name theirs (RecommenderRecipeName)" },
    { "GetProfileRecommendations", NULL,
      "a recommender's output: trained state, recomputed after the recommender is retrained" },
    { "GetWorkflowSteps", NULL,
      "a workflow's run history, written by the service; it cannot be written back" },
    { "ListIdentityResolutionJobs", NULL,
      "job history; the matching configuration that drives the jobs is in settings" },
    { "GetIdentityResolutionJob", NULL,
      "job history; the matching configuration that drives the jobs is in settings" },
    { "GetMatches", NULL,
      "computed by identity resolution from the profiles; recomputed after a restore" },
    { "ListRuleBasedMatches", NULL,
      "computed by rule-based matching from the profiles; recomputed after a restore" },
    { "GetAutoMergingPreview", NULL, "a preview computed on request, not stored content" },
    { "GetSimilarProfiles", NULL, "computed on request from the profiles, not stored content" },
    { "ListUploadJobs", NULL,
      "one-shot imports: what they imported is in the profiles (records), their run history "
      "cannot be written back" },
    { "GetUploadJob", NULL,
      "one-shot imports: what they imported is in the profiles (records), their run history "
      "cannot be written back" },
    { "GetUploadJobPath", NULL, "a short-lived pre-signed upload URL, not content" },
    { "GetSegmentEstimate", NULL,
      "computed from a segment definition (carried) and the profiles on request" },
    { "GetSegmentMembership", NULL,
      "computed from a segment definition (carried) and the profiles on request" },
    { "GetSegmentSnapshot", NULL,
      "an export job's result, computed from a segment definition (carried) and the profiles" },
    { "ListProfileHistoryRecords", NULL,
      "history written by the service as profiles change; it cannot be written back" },
    { "GetProfileHistoryRecord", NULL,
      "history written by the service as profiles change; it cannot be written back" },
    { "ListCalculatedAttributesForProfile", NULL,
      "values computed from the objects by the definitions (carried)" },
    { "GetCalculatedAttributeForProfile", NULL,
      "values computed from the objects by the definitions (carried)" },
    { "GetObjectTypeAttributeStatistics", NULL, "statistics computed from the objects on request" },
    { "ListObjectTypeAttributeValues", NULL,
      "values of the objects' fields, carried in the objects themselves (records)" },
};

size_t cpw_backup_coverage_count(void)
{
    return COUNT(s_kinds) * 2 + COUNT(s_others);
}

int cpw_backup_coverage_at(size_t i, struct cpw_backup_coverage *out)
{
    if (i < COUNT(s_kinds) * 2) {
        const struct cpw_backup_kind *k = &s_kinds[i / 2];
        out->operation = (i % 2) ? k->get_op : k->list_op;
        out->carried_in = cpw_backup_section_name(k->section);
        out->excluded_because = NULL;
        return out->operation ? 0 : 1; /* a kind without a Get: nothing at this index */
    }
    i -= COUNT(s_kinds) * 2;
    if (i >= COUNT(s_others)) {
        return -1;
    }
    *out = s_others[i];
    return 0;
}

unsigned cpw_backup_count_kinds(struct cpw_aws_client *client,
                                const char *region,
                                const char *domain,
                                uint64_t counts[CPW_BACKUP_SECTION_COUNT_])
{
    memset(counts, 0, sizeof(uint64_t) * CPW_BACKUP_SECTION_COUNT_);
    unsigned failed = 0;
    for (size_t k = 0; k < COUNT(s_kinds); k++) {
        if (s_kinds[k].section <= CPW_BACKUP_CALCULATED_ATTRIBUTES) {
            continue; /* counted by their own means */
        }
        json_t *out = NULL;
        if (cpw_backup_call(client, region, "customer-profiles", s_kinds[k].list_op,
                            json_pack("{s:s}", "DomainName", domain), true, &out)) {
            failed++;
            continue;
        }
        counts[s_kinds[k].section] = json_array_size(json_object_get(out, s_kinds[k].items_key));
        json_decref(out);
    }
    return failed;
}
