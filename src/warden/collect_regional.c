/*
 * collect_regional.c - the collector's calls in one account and region: Connect instances
 * (ListInstances, DescribeInstance), the Customer Profiles integrations found from each
 * instance's ARN (ListAccountIntegrations), Customer Profiles domains (ListDomains, GetDomain,
 * ListIntegrations), CloudTrail CreateDomain events, and the assembly of a region's domains when
 * its last call has ended.
 */
#include <string.h>

#include "collect_internal.h"
#include "cpw/alloc.h"
#include "cpw/json.h"

static const char *s_account(const struct cpw_collect_part *part)
{
    return part->account->id;
}

/* ----- Connect ------------------------------------------------------------------------------ */

struct instance_job {
    json_t *summary;   /* the ListInstances item */
    json_t *described; /* DescribeInstance's Instance, or NULL */
};

static void s_account_integrations_page(struct cpw_collect_call *call, const json_t *output)
{
    struct cpw_collect_part *part = call->part;
    if (!part->account_integrations) {
        part->account_integrations = json_array();
    }
    json_array_extend(part->account_integrations, json_object_get(output, "Items"));
}

static void s_describe_page(struct cpw_collect_call *call, const json_t *output)
{
    struct instance_job *job = call->spec.data;
    json_t *instance = json_object_get(output, "Instance");
    if (json_is_object(instance)) {
        job->described = json_incref(instance);
    }
}

static void s_describe_end(struct cpw_collect_call *call, bool ok, const char *code)
{
    struct instance_job *job = call->spec.data;
    struct cpw_collect_part *part = call->part;
    (void)ok;
    (void)code;
    bool gone = call->outcome == CPW_AWS_OUTCOME_NOT_FOUND; /* deleted since it was listed */
    const json_t *x = job->described ? job->described : job->summary;
    const char *arn = cpw_json_get_string(x, "Arn");
    if (!gone && arn) {
        struct cpw_inv_instance inst = {
            .account = (char *)s_account(part),
            .region = (char *)part->region,
            .id = (char *)cpw_json_get_string(x, "Id"),
            .arn = (char *)arn,
            .alias = (char *)cpw_json_get_string(x, "InstanceAlias"),
            .status = (char *)cpw_json_get_string(x, "InstanceStatus"),
            .service_role_arn = (char *)cpw_json_get_string(x, "ServiceRole"),
            .created_at_s = cpw_collect_time(x, "CreatedTime"),
        };
        cpw_inventory_add_instance(part->account->scan->inv, &inst);
        char key[192];
        cpw_collect_key(key, sizeof(key), s_account(part), part->region, "profile",
                        "ListAccountIntegrations");
        struct cpw_collect_call_spec spec = {
            .service = "customer-profiles",
            .signing = "profile",
            .operation = "ListAccountIntegrations",
            .input = json_pack("{s:s}", "Uri", arn),
            .limit_key = key,
            .in_token = "NextToken",
            .out_token = "NextToken",
            .on_page = s_account_integrations_page,
        };
        cpw_collect_submit(part, &spec);
    }
    json_decref(job->summary);
    json_decref(job->described);
    cpw_free(job);
}

static void s_instances_page(struct cpw_collect_call *call, const json_t *output)
{
    struct cpw_collect_part *part = call->part;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(output, "InstanceSummaryList"), i, item)
    {
        const char *id = cpw_json_get_string(item, "Id");
        if (!id) {
            continue;
        }
        struct instance_job *job = cpw_calloc(1, sizeof(*job));
        job->summary = json_incref(item);
        struct cpw_collect_call_spec spec = {
            .service = "connect",
            .signing = "connect",
            .operation = "DescribeInstance",
            .input = json_pack("{s:s}", "InstanceId", id),
            .limit_key = call->key,
            .on_page = s_describe_page,
            .on_end = s_describe_end,
            .data = job,
            .quiet_not_found = true,
        };
        cpw_collect_submit(part, &spec);
    }
}

void cpw_collect_start_connect(struct cpw_collect_part *part)
{
    char key[192];
    cpw_collect_key(key, sizeof(key), s_account(part), part->region, "connect", "ALL");
    struct cpw_collect_call_spec spec = {
        .service = "connect",
        .signing = "connect",
        .operation = "ListInstances",
        .limit_key = key,
        .in_token = "NextToken",
        .out_token = "NextToken",
        .on_page = s_instances_page,
    };
    cpw_collect_submit(part, &spec);
}

/* ----- Customer Profiles -------------------------------------------------------------------- */

static void s_get_domain_page(struct cpw_collect_call *call, const json_t *output)
{
    json_object_set(call->spec.data, "get", (json_t *)output);
}

static void s_get_domain_end(struct cpw_collect_call *call, bool ok, const char *code)
{
    (void)ok;
    (void)code;
    if (call->outcome == CPW_AWS_OUTCOME_NOT_FOUND) {
        json_object_set_new(call->spec.data, "gone", json_true());
    }
}

static void s_integrations_page(struct cpw_collect_call *call, const json_t *output)
{
    json_array_extend(json_object_get(call->spec.data, "integrations"),
                      json_object_get(output, "Items"));
}

static void s_domains_page(struct cpw_collect_call *call, const json_t *output)
{
    struct cpw_collect_part *part = call->part;
    if (!part->domains) {
        part->domains = json_object();
    }
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(output, "Items"), i, item)
    {
        const char *name = cpw_json_get_string(item, "DomainName");
        if (!name || json_object_get(part->domains, name)) {
            continue;
        }
        json_t *entry = json_pack("{s:O, s:[]}", "list", item, "integrations");
        json_object_set_new(part->domains, name, entry);
        char key[192];
        cpw_collect_key(key, sizeof(key), s_account(part), part->region, "profile", "GetDomain");
        struct cpw_collect_call_spec get = {
            .service = "customer-profiles",
            .signing = "profile",
            .operation = "GetDomain",
            .input = json_pack("{s:s}", "DomainName", name),
            .limit_key = key,
            .on_page = s_get_domain_page,
            .on_end = s_get_domain_end,
            .data = entry,
            .quiet_not_found = true,
        };
        cpw_collect_submit(part, &get);
        cpw_collect_key(key, sizeof(key), s_account(part), part->region, "profile",
                        "ListIntegrations");
        struct cpw_collect_call_spec list = {
            .service = "customer-profiles",
            .signing = "profile",
            .operation = "ListIntegrations",
            .input = json_pack("{s:s}", "DomainName", name),
            .limit_key = key,
            .in_token = "NextToken",
            .out_token = "NextToken",
            .on_page = s_integrations_page,
            .data = entry,
            .quiet_not_found = true,
        };
        cpw_collect_submit(part, &list);
    }
}

void cpw_collect_start_profile(struct cpw_collect_part *part)
{
    char key[192];
    cpw_collect_key(key, sizeof(key), s_account(part), part->region, "profile", "ListDomains");
    struct cpw_collect_call_spec spec = {
        .service = "customer-profiles",
        .signing = "profile",
        .operation = "ListDomains",
        .limit_key = key,
        .in_token = "NextToken",
        .out_token = "NextToken",
        .on_page = s_domains_page,
    };
    cpw_collect_submit(part, &spec);
}

static int64_t s_stat(const json_t *get, const char *name)
{
    const json_t *v = json_object_get(json_object_get(get, "Stats"), name);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

static bool s_enabled(const json_t *get, const char *member)
{
    return json_is_true(json_object_get(json_object_get(get, member), "Enabled"));
}

/* Adds an integration item unless one with the same Uri is there. */
static void s_add_integration(struct cpw_inv_integration *list, size_t *count, const json_t *item)
{
    const char *uri = cpw_json_get_string(item, "Uri");
    if (!uri) {
        return;
    }
    for (size_t i = 0; i < *count; i++) {
        if (strcmp(list[i].uri, uri) == 0) {
            return;
        }
    }
    list[*count].uri = (char *)uri;
    list[*count].object_type_name = (char *)cpw_json_get_string(item, "ObjectTypeName");
    list[*count].created_at_s = cpw_collect_time(item, "CreatedAt");
    (*count)++;
}

static void s_flush_domain(struct cpw_collect_part *part, const char *name, const json_t *entry)
{
    if (json_is_true(json_object_get(entry, "gone"))) {
        return;
    }
    const json_t *get = json_object_get(entry, "get");
    const json_t *list = json_object_get(entry, "list");
    const json_t *own = json_object_get(entry, "integrations");
    size_t cap = json_array_size(own) + json_array_size(part->account_integrations) + 1;
    struct cpw_inv_integration *integ = cpw_calloc(cap, sizeof(*integ));
    size_t n = 0;
    size_t i;
    const json_t *item;
    json_array_foreach(own, i, item)
    {
        s_add_integration(integ, &n, item);
    }
    json_array_foreach(part->account_integrations, i, item)
    {
        const char *domain = cpw_json_get_string(item, "DomainName");
        if (domain && strcmp(domain, name) == 0) {
            s_add_integration(integ, &n, item);
        }
    }
    const json_t *tag_map = json_object_get(get ? get : list, "Tags");
    struct cpw_inv_tag *tags = cpw_calloc(json_object_size(tag_map) + 1, sizeof(*tags));
    size_t tag_count = 0;
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)tag_map, k, v)
    {
        tags[tag_count].key = (char *)k;
        tags[tag_count].value = (char *)json_string_value(v);
        tag_count++;
    }
    struct cpw_buf arn;
    cpw_buf_init(&arn, 1024);
    (void)cpw_inventory_domain_arn(&arn, s_account(part), part->region, name);
    struct cpw_inv_domain d = {
        .account = (char *)s_account(part),
        .region = (char *)part->region,
        .name = (char *)name,
        .arn = (char *)cpw_buf_cstr(&arn),
        .created_at_s = cpw_collect_time(get ? get : list, "CreatedAt"),
        .updated_at_s = cpw_collect_time(get ? get : list, "LastUpdatedAt"),
        .profile_count = s_stat(get, "ProfileCount"),
        .object_count = s_stat(get, "ObjectCount"),
        .metering_profile_count = s_stat(get, "MeteringProfileCount"),
        .default_encryption_key = (char *)cpw_json_get_string(get, "DefaultEncryptionKey"),
        .dead_letter_queue_url = (char *)cpw_json_get_string(get, "DeadLetterQueueUrl"),
        .matching_enabled = s_enabled(get, "Matching") || s_enabled(get, "RuleBasedMatching"),
        .tags = tags,
        .tag_count = tag_count,
        .integrations = integ,
        .integration_count = n,
    };
    cpw_inventory_add_domain(part->account->scan->inv, &d);
    cpw_buf_clean_up(&arn);
    cpw_free(tags);
    cpw_free(integ);
}

void cpw_collect_flush_domains(struct cpw_collect_part *part)
{
    const char *name;
    json_t *entry;
    json_object_foreach(part->domains, name, entry)
    {
        s_flush_domain(part, name, entry);
    }
}

/* ----- CloudTrail: CreateDomain in this region ---------------------------------------------- */

void cpw_collect_start_regional_evidence(struct cpw_collect_part *part)
{
    char key[192];
    cpw_collect_key(key, sizeof(key), s_account(part), part->region, "cloudtrail", "LookupEvents");
    cpw_collect_lookup_events(part, part->region, "CreateDomain", key);
}
