/*
 * customer_profiles_streams.c - Customer Profiles event streams and calculated attribute
 * definitions in the sandbox: Create/Get/List/DeleteEventStream (one per domain, as AWS's quota
 * says) and Create/Get/List/Update/DeleteCalculatedAttributeDefinition (50 per domain). Streams
 * deliver nothing; calculated attributes report COMPLETED readiness at once.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "sbx_contact.h"

#define EVENT_STREAM_QUOTA 1  /* per domain, not adjustable (docs/aws-facts.md §6.1) */
#define CALC_ATTR_QUOTA    50 /* per domain, not adjustable */

static void s_stream_arn(struct cpw_sbx_ctx *ctx,
                         const char *domain,
                         const char *name,
                         char *out,
                         size_t cap)
{
    char suffix[200];
    snprintf(suffix, sizeof(suffix), "event-streams/%s", name ? name : "");
    cpw_cp_arn(ctx, domain ? domain : "", suffix, out, cap);
}

int cpw_cp_create_event_stream(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "EventStreamName");
    const char *uri = cpw_sbx_in_str(input, "Uri");
    char arn[600];
    s_stream_arn(ctx, domain, name, arn, sizeof(arn));
    cpw_sbx_add_resource(ctx, "AWS::CustomerProfiles::EventStream", arn);
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc == 0) {
        rc = cpw_cp_check_tags(ctx, json_object_get(input, "Tags"));
    }
    if (rc != 0) {
        return rc;
    }
    if (name == NULL || name[0] == '\0' || uri == NULL || strncmp(uri, "arn:", 4) != 0) {
        return cpw_cp_bad(ctx, "EventStreamName and Uri (a Kinesis stream ARN) are required.");
    }
    int64_t count = cpw_cp_item_count(ctx, domain, CPW_CP_EVENT_STREAM);
    if (count < 0) {
        return -1;
    }
    if (count >= EVENT_STREAM_QUOTA) {
        return cpw_cp_bad(ctx, "Domain %s already has an event stream; a domain can have %d.",
                          domain, EVENT_STREAM_QUOTA);
    }
    json_t *doc = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s}}", "DomainName", domain,
                            "EventStreamName", name, "EventStreamArn", arn, "State", "RUNNING",
                            "DestinationDetails", "Uri", uri, "Status", "HEALTHY");
    const json_t *tags = json_object_get(input, "Tags");
    if (tags != NULL) {
        json_object_set_new(doc, "Tags", json_deep_copy(tags));
    }
    rc = cpw_cp_item_put(ctx, domain, CPW_CP_EVENT_STREAM, name, doc);
    json_decref(doc);
    if (rc != 0) {
        return -1;
    }
    *output = json_pack("{s:s}", "EventStreamArn", arn);
    if (tags != NULL) {
        json_object_set_new(*output, "Tags", json_deep_copy(tags));
    }
    return 0;
}

int cpw_cp_get_event_stream(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "EventStreamName");
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    if (cpw_cp_item_get(ctx, domain, CPW_CP_EVENT_STREAM, name ? name : "", output) != 0) {
        return -1;
    }
    if (*output == NULL) {
        return cpw_cp_not_found(ctx, "Event stream %s does not exist.", name ? name : "");
    }
    json_object_del(*output, "LastUpdatedAt");
    json_object_del(*output, "EventStreamName");
    return 0;
}

static json_t *s_stream_summary(const json_t *doc)
{
    json_t *item =
      json_pack("{s:O,s:O,s:O,s:O}", "DomainName", json_object_get(doc, "DomainName"),
                "EventStreamName", json_object_get(doc, "EventStreamName"), "EventStreamArn",
                json_object_get(doc, "EventStreamArn"), "State", json_object_get(doc, "State"));
    const json_t *dest = json_object_get(doc, "DestinationDetails");
    json_object_set_new(item, "DestinationSummary",
                        json_pack("{s:O,s:O}", "Uri", json_object_get(dest, "Uri"), "Status",
                                  json_object_get(dest, "Status")));
    if (json_object_get(doc, "Tags") != NULL) {
        json_object_set(item, "Tags", json_object_get(doc, "Tags"));
    }
    return item;
}

int cpw_cp_list_event_streams(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return cpw_cp_item_list(ctx, input, cpw_sbx_in_str(input, "DomainName"), CPW_CP_EVENT_STREAM,
                            s_stream_summary, output);
}

int cpw_cp_delete_event_stream(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "EventStreamName");
    char arn[600];
    s_stream_arn(ctx, domain, name, arn, sizeof(arn));
    cpw_sbx_add_resource(ctx, "AWS::CustomerProfiles::EventStream", arn);
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    rc = cpw_cp_item_delete(ctx, domain, CPW_CP_EVENT_STREAM, name ? name : "");
    if (rc <= 0) {
        return rc < 0 ? -1
                      : cpw_cp_not_found(ctx, "Event stream %s does not exist.", name ? name : "");
    }
    *output = json_object();
    return 0;
}

/* ----- calculated attribute definitions ---------------------------------------------------- */

static const char *const s_statistics[] = {
    "FIRST_OCCURRENCE", "LAST_OCCURRENCE", "COUNT",   "SUM",
    "MINIMUM",          "MAXIMUM",         "AVERAGE", "MAX_OCCURRENCE"
};

int cpw_cp_create_calc_attr(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "CalculatedAttributeName");
    const char *statistic = cpw_sbx_in_str(input, "Statistic");
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc == 0) {
        rc = cpw_cp_check_tags(ctx, json_object_get(input, "Tags"));
    }
    if (rc != 0) {
        return rc;
    }
    bool known = false;
    for (size_t i = 0; statistic != NULL && i < sizeof(s_statistics) / sizeof(s_statistics[0]);
         i++) {
        known = known || strcmp(statistic, s_statistics[i]) == 0;
    }
    const json_t *details = json_object_get(input, "AttributeDetails");
    if (name == NULL || name[0] == '\0' || !known || !json_is_object(details)) {
        return cpw_cp_bad(ctx, "CalculatedAttributeName, AttributeDetails and a valid Statistic"
                               " are required.");
    }
    json_t *existing = NULL;
    if (cpw_cp_item_get(ctx, domain, CPW_CP_CALC_ATTR, name, &existing) != 0) {
        return -1;
    }
    if (existing != NULL) {
        json_decref(existing);
        return cpw_cp_bad(ctx, "Calculated attribute %s already exists.", name);
    }
    if (cpw_cp_item_count(ctx, domain, CPW_CP_CALC_ATTR) >= CALC_ATTR_QUOTA) {
        return cpw_cp_bad(ctx, "Domain %s already has %d calculated attributes.", domain,
                          CALC_ATTR_QUOTA);
    }
    json_t *doc = json_deep_copy(input);
    json_object_del(doc, "DomainName");
    json_object_set_new(doc, "Status", json_string("COMPLETED"));
    json_object_set_new(doc, "Readiness", json_pack("{s:i}", "ProgressPercentage", 100));
    rc = cpw_cp_item_put(ctx, domain, CPW_CP_CALC_ATTR, name, doc);
    json_decref(doc);
    if (rc != 0 || cpw_cp_item_get(ctx, domain, CPW_CP_CALC_ATTR, name, output) != 0) {
        return -1;
    }
    return 0;
}

int cpw_cp_get_calc_attr(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "CalculatedAttributeName");
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    if (cpw_cp_item_get(ctx, domain, CPW_CP_CALC_ATTR, name ? name : "", output) != 0) {
        return -1;
    }
    return *output
             ? 0
             : cpw_cp_not_found(ctx, "Calculated attribute %s does not exist.", name ? name : "");
}

static json_t *s_calc_item(const json_t *doc)
{
    static const char *const keep[] = {
        "CalculatedAttributeName", "DisplayName", "Description",       "CreatedAt",
        "LastUpdatedAt",           "Status",      "UseHistoricalData", "Tags"
    };
    json_t *item = json_object();
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
        json_t *v = json_object_get(doc, keep[i]);
        if (v != NULL) {
            json_object_set(item, keep[i], v);
        }
    }
    return item;
}

int cpw_cp_list_calc_attrs(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return cpw_cp_item_list(ctx, input, cpw_sbx_in_str(input, "DomainName"), CPW_CP_CALC_ATTR,
                            s_calc_item, output);
}

int cpw_cp_update_calc_attr(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "CalculatedAttributeName");
    json_t *doc = NULL;
    int rc = cpw_cp_get_calc_attr(ctx, input, &doc);
    if (rc != 0) {
        return rc;
    }
    static const char *const fields[] = { "DisplayName", "Description", "Conditions" };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const json_t *v = json_object_get(input, fields[i]);
        if (v != NULL) {
            json_object_set_new(doc, fields[i], json_deep_copy(v));
        }
    }
    rc = cpw_cp_item_put(ctx, domain, CPW_CP_CALC_ATTR, name, doc);
    json_decref(doc);
    if (rc != 0 || cpw_cp_item_get(ctx, domain, CPW_CP_CALC_ATTR, name, output) != 0) {
        return -1;
    }
    return 0;
}

int cpw_cp_delete_calc_attr(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "CalculatedAttributeName");
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    rc = cpw_cp_item_delete(ctx, domain, CPW_CP_CALC_ATTR, name ? name : "");
    if (rc <= 0) {
        return rc < 0 ? -1
                      : cpw_cp_not_found(ctx, "Calculated attribute %s does not exist.",
                                         name ? name : "");
    }
    *output = json_object();
    return 0;
}
