/*
 * document_markdown.c - the runbook's documentation template as Markdown, from the JSON
 * documents cpw_document_region() builds: one section per domain with the template's headings.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/backup_file.h"
#include "cpw/document.h"
#include "cpw/json.h"

static const char *s_or(const char *s, const char *fallback)
{
    return s && s[0] ? s : fallback;
}

/* A JSON scalar as text for a table cell. */
static int s_value(struct cpw_buf *out, const json_t *v)
{
    if (json_is_string(v)) {
        return cpw_buf_append_cstr(out, json_string_value(v));
    }
    if (json_is_integer(v)) {
        return cpw_buf_appendf(out, "%lld", (long long)json_integer_value(v));
    }
    if (json_is_boolean(v)) {
        return cpw_buf_append_cstr(out, json_is_true(v) ? "enabled" : "disabled");
    }
    return cpw_buf_append_cstr(out, "none");
}

static int s_list(struct cpw_buf *out, const json_t *array)
{
    if (json_array_size(array) == 0) {
        return cpw_buf_append_cstr(out, "none");
    }
    int rc = cpw_buf_appendf(out, "%zu: ", json_array_size(array));
    size_t i;
    json_t *v;
    json_array_foreach(array, i, v)
    {
        rc = rc || cpw_buf_appendf(out, "%s`%s`", i ? ", " : "", s_or(json_string_value(v), "?"));
    }
    return rc;
}

static int s_row(struct cpw_buf *out, const char *name, const json_t *v)
{
    return cpw_buf_appendf(out, "| %s | ", name) || s_value(out, v) ||
           cpw_buf_append_cstr(out, " |\n");
}

static int s_list_row(struct cpw_buf *out, const char *name, const json_t *array)
{
    return cpw_buf_appendf(out, "| %s | ", name) || s_list(out, array) ||
           cpw_buf_append_cstr(out, " |\n");
}

static int s_domain(struct cpw_buf *out, const json_t *doc)
{
    const json_t *role = json_object_get(doc, "role");
    const json_t *conf = json_object_get(doc, "configuration");
    int rc = cpw_buf_appendf(
      out,
      "# Customer Profiles domain `%s`\n\n"
      "## Overview\n\n"
      "| Field | Value |\n|---|---|\n"
      "| Instance region | %s |\n| Account | %s |\n| Domain name | %s |\n| Domain ARN | %s |\n"
      "| Created | %s |\n| Number of associated instances | %lld |\n\n"
      "## Associated instances\n\n",
      cpw_json_get_string(doc, "domain"), cpw_json_get_string(doc, "region"),
      cpw_json_get_string(doc, "account"), cpw_json_get_string(doc, "domain"),
      cpw_json_get_string(doc, "domain_arn"),
      s_or(cpw_json_get_string(doc, "created_at"), "unknown"),
      (long long)json_integer_value(json_object_get(doc, "associated_instance_count")));
    const json_t *instances = json_object_get(doc, "associated_instances");
    if (json_array_size(instances) == 0) {
        rc = rc || cpw_buf_append_cstr(out, "No integration names a Connect instance.\n\n");
    } else {
        rc = rc || cpw_buf_append_cstr(
                     out, "| Instance | Alias | Region | Status |\n|---|---|---|---|\n");
        size_t i;
        json_t *inst;
        json_array_foreach(instances, i, inst)
        {
            rc = rc || cpw_buf_appendf(
                         out, "| %s | %s | %s | %s |\n", cpw_json_get_string(inst, "arn"),
                         s_or(cpw_json_get_string(inst, "alias"), "-"),
                         cpw_json_get_string(inst, "region"), cpw_json_get_string(inst, "status"));
        }
        rc = rc || cpw_buf_append_cstr(out, "\n");
    }
    rc = rc ||
         cpw_buf_appendf(out,
                         "## Service-linked role\n\n"
                         "| Field | Value |\n|---|---|\n"
                         "| Role ARN | %s |\n| Confidence | %s |\n| How identified | %s |\n\n"
                         "## Configuration\n\n| Setting | Value |\n|---|---|\n",
                         s_or(cpw_json_get_string(role, "arn"), "not identified"),
                         cpw_json_get_string(role, "confidence"), cpw_json_get_string(role, "how"));
    rc = rc ||
         s_row(out, "Default expiration days", json_object_get(conf, "default_expiration_days")) ||
         s_row(out, "Encryption key", json_object_get(conf, "encryption_key")) ||
         s_row(out, "Dead-letter queue", json_object_get(conf, "dead_letter_queue")) ||
         s_row(out, "Matching", json_object_get(conf, "matching")) ||
         s_row(out, "Rule-based matching", json_object_get(conf, "rule_based_matching")) ||
         s_list_row(out, "Object types", json_object_get(conf, "object_types")) ||
         s_list_row(out, "Integrations", json_object_get(conf, "integrations")) ||
         s_list_row(out, "Event streams", json_object_get(conf, "event_streams")) ||
         s_list_row(out, "Calculated attributes", json_object_get(conf, "calculated_attributes"));
    /* Every other kind a backup carries, in the backup's section order, labelled by the
     * section's name ("segment_definitions" -> "Segment definitions"). */
    for (int s = 0; rc == 0 && s < CPW_BACKUP_SECTION_COUNT_; s++) {
        const char *key = cpw_backup_section_name((enum cpw_backup_section)s);
        const json_t *names = json_object_get(conf, key);
        if (!cpw_backup_section_is_list((enum cpw_backup_section)s) || !json_is_array(names) ||
            s <= CPW_BACKUP_CALCULATED_ATTRIBUTES) { /* the four above: listed already */
            continue;
        }
        char label[64];
        snprintf(label, sizeof(label), "%s", key);
        for (char *c = label; *c; c++) {
            *c = *c == '_' ? ' ' : *c;
        }
        label[0] = (char)(label[0] - 'a' + 'A');
        rc = s_list_row(out, label, names);
    }
    rc = rc || s_row(out, "Profile count", json_object_get(conf, "profile_count")) ||
         s_row(out, "Object count", json_object_get(conf, "object_count"));
    rc = rc || cpw_buf_append_cstr(out, "\n## Pre-deletion checklist\n\n");
    size_t i;
    json_t *check;
    json_array_foreach(json_object_get(doc, "checklist"), i, check)
    {
        rc = rc || cpw_buf_appendf(
                     out, "- [%c] %s: %s\n", json_is_true(json_object_get(check, "ok")) ? 'x' : ' ',
                     cpw_json_get_string(check, "item"), cpw_json_get_string(check, "detail"));
    }
    return rc || cpw_buf_append_cstr(out, "\n");
}

int cpw_document_markdown(const json_t *documents, struct cpw_buf *out)
{
    size_t i;
    json_t *doc;
    json_array_foreach(documents, i, doc)
    {
        if (s_domain(out, doc)) {
            return -1;
        }
    }
    if (json_array_size(documents) == 0) {
        return cpw_buf_append_cstr(out, "No Customer Profiles domain found.\n");
    }
    return 0;
}
