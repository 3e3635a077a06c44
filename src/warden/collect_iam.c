/*
 * collect_iam.c - the collector's global calls for one account: the service-linked roles of
 * Customer Profiles and Connect (IAM ListRoles by path prefix, all pages, then GetRole for
 * RoleLastUsed and tags), and CloudTrail evidence (LookupEvents, whose IAM events live in
 * us-east-1: docs/aws-facts.md §7.1), reduced to the facts the linking rules use.
 */
#include <string.h>

#include "collect_internal.h"
#include "cpw/alloc.h"
#include "cpw/json.h"

#define EVENT_MAX_PAGES 20u

/* ----- CloudTrail --------------------------------------------------------------------------- */

static void s_event(struct cpw_collect_part *part, const char *region, const json_t *e)
{
    json_t *detail = NULL;
    const char *text = cpw_json_get_string(e, "CloudTrailEvent");
    if (text) {
        (void)cpw_json_load(cpw_span_from_cstr(text), CPW_JSON_MAX_TEXT_BYTES, &detail);
    }
    const json_t *resources = json_object_get(e, "Resources");
    char **names = cpw_calloc(json_array_size(resources) + 1, sizeof(*names));
    size_t name_count = 0;
    size_t i;
    const json_t *r;
    json_array_foreach(resources, i, r)
    {
        const char *name = cpw_json_get_string(r, "ResourceName");
        if (name) {
            names[name_count++] = (char *)name;
        }
    }
    static const char *const keys[] = { "aWSServiceName", "domainName", "DomainName" };
    const json_t *params = json_object_get(detail, "requestParameters");
    struct cpw_inv_tag tags[3];
    size_t tag_count = 0;
    for (size_t k = 0; k < 3; k++) {
        const char *v = cpw_json_get_string(params, keys[k]);
        if (v) {
            tags[tag_count++] = (struct cpw_inv_tag){ .key = (char *)keys[k], .value = (char *)v };
        }
    }
    struct cpw_inv_event ev = {
        .account = part->account->id,
        .region = (char *)region,
        .event_name = (char *)cpw_json_get_string(e, "EventName"),
        .event_time_s = cpw_collect_time(e, "EventTime"),
        .resource_names = names,
        .resource_name_count = name_count,
        .invoked_by =
          (char *)cpw_json_get_string(json_object_get(detail, "userIdentity"), "invokedBy"),
        .request_parameters = tags,
        .request_parameter_count = tag_count,
    };
    cpw_inventory_add_event(part->account->scan->inv, &ev);
    cpw_free(names);
    json_decref(detail);
}

static void s_events_page(struct cpw_collect_call *call, const json_t *output)
{
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(output, "Events"), i, e)
    {
        s_event(call->part, call->spec.region, e);
    }
}

void cpw_collect_lookup_events(struct cpw_collect_part *part,
                               const char *region,
                               const char *event_name,
                               const char *limit_key)
{
    struct cpw_collect_call_spec spec = {
        .service = "cloudtrail",
        .signing = "cloudtrail",
        .operation = "LookupEvents",
        .input = json_pack("{s:[{s:s, s:s}]}", "LookupAttributes", "AttributeKey", "EventName",
                           "AttributeValue", event_name),
        .region = region,
        .limit_key = limit_key,
        .in_token = "NextToken",
        .out_token = "NextToken",
        .max_pages = EVENT_MAX_PAGES,
        .on_page = s_events_page,
    };
    cpw_collect_submit(part, &spec);
}

/* ----- IAM ---------------------------------------------------------------------------------- */

struct role_job {
    json_t *listed; /* the ListRoles item */
    json_t *got;    /* GetRole's Role, or NULL */
};

static void s_get_role_page(struct cpw_collect_call *call, const json_t *output)
{
    struct role_job *job = call->spec.data;
    json_t *role = json_object_get(output, "Role");
    if (json_is_object(role)) {
        job->got = json_incref(role);
    }
}

static void s_get_role_end(struct cpw_collect_call *call, bool ok, const char *code)
{
    struct role_job *job = call->spec.data;
    (void)ok;
    (void)code;
    if (call->outcome != CPW_AWS_OUTCOME_NOT_FOUND) { /* deleted since it was listed */
        const json_t *x = job->got ? job->got : job->listed;
        const json_t *last = json_object_get(x, "RoleLastUsed");
        const json_t *tag_list = json_object_get(x, "Tags");
        struct cpw_inv_tag *tags = cpw_calloc(json_array_size(tag_list) + 1, sizeof(*tags));
        size_t tag_count = 0;
        size_t i;
        const json_t *t;
        json_array_foreach(tag_list, i, t)
        {
            tags[tag_count].key = (char *)cpw_json_get_string(t, "Key");
            tags[tag_count].value = (char *)cpw_json_get_string(t, "Value");
            tag_count += tags[tag_count].key != NULL;
        }
        struct cpw_inv_role role = {
            .account = call->part->account->id,
            .name = (char *)cpw_json_get_string(x, "RoleName"),
            .arn = (char *)cpw_json_get_string(x, "Arn"),
            .path = (char *)cpw_json_get_string(x, "Path"),
            .created_at_s = cpw_collect_time(x, "CreateDate"),
            .last_used_at_s = cpw_collect_time(last, "LastUsedDate"),
            .last_used_region = (char *)cpw_json_get_string(last, "Region"),
            .tags = tags,
            .tag_count = tag_count,
        };
        if (role.arn) {
            cpw_inventory_add_role(call->part->account->scan->inv, &role);
        }
        cpw_free(tags);
    }
    json_decref(job->listed);
    json_decref(job->got);
    cpw_free(job);
}

static void s_roles_page(struct cpw_collect_call *call, const json_t *output)
{
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(output, "Roles"), i, item)
    {
        const char *name = cpw_json_get_string(item, "RoleName");
        if (!name) {
            continue;
        }
        struct role_job *job = cpw_calloc(1, sizeof(*job));
        job->listed = json_incref(item);
        struct cpw_collect_call_spec spec = {
            .service = "iam",
            .signing = "iam",
            .operation = "GetRole",
            .input = json_pack("{s:s}", "RoleName", name),
            .limit_key = call->key,
            .on_page = s_get_role_page,
            .on_end = s_get_role_end,
            .data = job,
            .quiet_not_found = true,
        };
        cpw_collect_submit(call->part, &spec);
    }
}

void cpw_collect_start_iam(struct cpw_collect_part *part)
{
    static const char *const paths[] = { CPW_INV_PROFILE_ROLE_PATH, CPW_INV_CONNECT_ROLE_PATH };
    char key[192];
    cpw_collect_key(key, sizeof(key), part->account->id, NULL, "iam", "ALL");
    for (size_t i = 0; i < 2; i++) {
        struct cpw_collect_call_spec spec = {
            .service = "iam",
            .signing = "iam",
            .operation = "ListRoles",
            .input = json_pack("{s:s}", "PathPrefix", paths[i]),
            .limit_key = key,
            .in_token = "Marker",
            .out_token = "Marker",
            .more = "IsTruncated",
            .on_page = s_roles_page,
        };
        cpw_collect_submit(part, &spec);
    }
    if (part->account->scan->opts->evidence_cloudtrail) {
        cpw_collect_key(key, sizeof(key), part->account->id, "us-east-1", "cloudtrail",
                        "LookupEvents");
        cpw_collect_lookup_events(part, "us-east-1", "CreateServiceLinkedRole", key);
    }
}
