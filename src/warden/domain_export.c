/*
 * domain_export.c - exports a Customer Profiles domain's configuration from AWS into a verified
 * backup file, the first step before any deletion of the domain.
 */
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/domain_export.h"
#include "cpw/error.h"
#include "cpw/inventory.h"
#include "cpw/json.h"
#include "cpw/live.h"

struct exporter {
    const struct cpw_domain_export_options *opts;
};

static int s_call(const struct exporter *ex,
                  const char *operation,
                  json_t *input_owned,
                  bool all_pages,
                  json_t **out,
                  bool *exists)
{
    return cpw_live_call(ex->opts->client, "customer-profiles", operation, input_owned,
                         ex->opts->region, all_pages, out, exists);
}

/* Lists the domain's items with list_op, then fetches each in full with get_op by key. */
static json_t *s_list_full(const struct exporter *ex,
                           const char *list_op,
                           const char *get_op,
                           const char *key)
{
    json_t *list = NULL;
    if (s_call(ex, list_op, json_pack("{s:s}", "DomainName", ex->opts->domain), true, &list,
               NULL)) {
        return NULL;
    }
    json_t *all = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(cpw_json_get(list, "Items"), i, item)
    {
        const char *name = cpw_json_get_string(item, key);
        json_t *full = NULL;
        bool exists = true;
        if (!get_op || !name) {
            json_array_append(all, item);
            continue;
        }
        if (s_call(ex, get_op, json_pack("{s:s,s:s}", "DomainName", ex->opts->domain, key, name),
                   false, &full, &exists)) {
            json_decref(all);
            json_decref(list);
            return NULL;
        }
        if (exists) {
            json_array_append_new(all, full);
        }
    }
    json_decref(list);
    return all;
}

int cpw_domain_export(const struct cpw_domain_export_options *opts,
                      bool *exists,
                      struct cpw_backup_counts *counts)
{
    struct exporter ex = { .opts = opts };
    json_t *domain = NULL;
    json_t *tags = NULL;
    json_t *sections[CPW_BACKUP_SECTION_COUNT_] = { 0 };
    struct cpw_backup_writer *writer = NULL;
    struct cpw_backup_reader *reader = NULL;
    struct cpw_buf arn;
    cpw_buf_init(&arn, 2048);
    bool found = true;
    int rc = -1;
    if (!opts || !opts->client || !opts->path || !opts->domain || !opts->region) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT, "an export needs a client, a domain and a path");
        goto cleanup;
    }
    if (s_call(&ex, "GetDomain", json_pack("{s:s}", "DomainName", opts->domain), false, &domain,
               &found)) {
        goto cleanup;
    }
    if (!found) {
        rc = 0;
        goto cleanup;
    }
    (void)cpw_inventory_domain_arn(&arn, opts->account, opts->region, opts->domain);
    if (s_call(&ex, "ListTagsForResource", json_pack("{s:s}", "resourceArn", cpw_buf_cstr(&arn)),
               false, &tags, NULL)) {
        goto cleanup;
    }
    sections[CPW_BACKUP_SETTINGS] = json_incref(domain);
    sections[CPW_BACKUP_TAGS] = json_incref(cpw_json_get(tags, "tags"));
    sections[CPW_BACKUP_MATCHING] = json_incref(cpw_json_get(domain, "Matching"));
    sections[CPW_BACKUP_RULE_BASED_MATCHING] =
      json_incref(cpw_json_get(domain, "RuleBasedMatching"));
    sections[CPW_BACKUP_INTEGRATIONS] = s_list_full(&ex, "ListIntegrations", NULL, NULL);
    sections[CPW_BACKUP_OBJECT_TYPES] =
      s_list_full(&ex, "ListProfileObjectTypes", "GetProfileObjectType", "ObjectTypeName");
    sections[CPW_BACKUP_EVENT_STREAMS] =
      s_list_full(&ex, "ListEventStreams", "GetEventStream", "EventStreamName");
    sections[CPW_BACKUP_CALCULATED_ATTRIBUTES] =
      s_list_full(&ex, "ListCalculatedAttributeDefinitions", "GetCalculatedAttributeDefinition",
                  "CalculatedAttributeName");
    if (!sections[CPW_BACKUP_INTEGRATIONS] || !sections[CPW_BACKUP_OBJECT_TYPES] ||
        !sections[CPW_BACKUP_EVENT_STREAMS] || !sections[CPW_BACKUP_CALCULATED_ATTRIBUTES]) {
        goto cleanup;
    }
    const json_t *stats = cpw_json_get(domain, "Stats");
    struct cpw_backup_counts c = {
        .profiles = (uint64_t)json_integer_value(cpw_json_get(stats, "ProfileCount")),
        .objects = (uint64_t)json_integer_value(cpw_json_get(stats, "ObjectCount")),
        .object_types = json_array_size(sections[CPW_BACKUP_OBJECT_TYPES]),
        .integrations = json_array_size(sections[CPW_BACKUP_INTEGRATIONS]),
        .event_streams = json_array_size(sections[CPW_BACKUP_EVENT_STREAMS]),
        .calculated_attributes = json_array_size(sections[CPW_BACKUP_CALCULATED_ATTRIBUTES]),
    };
    struct cpw_backup_writer_options wopts = {
        .path = opts->path,
        .account = opts->account,
        .region = opts->region,
        .domain = opts->domain,
        .source_identity = opts->source_identity,
        .counts = c,
    };
    writer = cpw_backup_writer_new(&wopts);
    if (!writer) {
        goto cleanup;
    }
    for (int s = 0; s < CPW_BACKUP_SECTION_COUNT_; s++) {
        if (sections[s] &&
            cpw_backup_writer_add_section(writer, (enum cpw_backup_section)s, sections[s])) {
            goto cleanup;
        }
    }
    if (cpw_backup_writer_finish(writer)) {
        goto cleanup;
    }
    reader = cpw_backup_reader_open(opts->path); /* verified: version, trailer, sha256 */
    if (!reader) {
        goto cleanup;
    }
    if (counts) {
        *counts = c;
    }
    rc = 0;
cleanup:
    if (exists) {
        *exists = found;
    }
    cpw_backup_reader_destroy(reader);
    cpw_backup_writer_destroy(writer);
    for (int s = 0; s < CPW_BACKUP_SECTION_COUNT_; s++) {
        json_decref(sections[s]);
    }
    json_decref(tags);
    json_decref(domain);
    cpw_buf_clean_up(&arn);
    return rc;
}
