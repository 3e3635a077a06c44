/*
 * live_state.c - the focused live-state reader of plan and apply: caller identity, a scan of the
 * caller's account for leftovers into an inventory (analysed by the inventory's own rules; regions
 * the account has not enabled are recorded as such and not called, as the collector does), and
 * the facts of one domain or one role that a plan's fingerprint covers.
 */
#include <stdlib.h>
#include <string.h>

#include "collect_internal.h"
#include "cpw/alloc.h"
#include "cpw/aws_call.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/live.h"
#include "cpw/regions.h"
#include "cpw/time.h"

#define CONNECT_ARN_PREFIX "arn:aws:connect:"

int cpw_live_call(struct cpw_aws_client *client,
                  const char *service,
                  const char *operation,
                  json_t *input_owned,
                  const char *region,
                  bool all_pages,
                  json_t **out,
                  bool *exists)
{
    struct cpw_aws_call call = {
        .service = service, .operation = operation, .input = input_owned, .region = region
    };
    enum cpw_aws_outcome outcome;
    int rc = cpw_aws_call_classified(client, &call, all_pages, out, NULL, &outcome);
    if (exists) {
        *exists = true;
    }
    if (rc != 0 && outcome == CPW_AWS_OUTCOME_NOT_FOUND) {
        if (exists) {
            *exists = false;
            rc = 0;
        } else { /* not asked about existence: an error like any other service error */
            cpw_raise(CPW_ERR_AWS, "%s", cpw_last_error_detail());
        }
    }
    json_decref(input_owned);
    return rc;
}

int cpw_live_identity(struct cpw_aws_client *client, char **account, char **arn)
{
    struct cpw_aws_identity who;
    *account = NULL;
    *arn = NULL;
    if (cpw_aws_caller_identity(client, NULL, &who, NULL)) {
        return -1;
    }
    *account = who.account;
    *arn = who.arn;
    who.account = who.arn = NULL;
    cpw_aws_identity_clean_up(&who);
    return 0;
}

static int64_t s_epoch(const char *iso)
{
    int64_t ms = 0;
    if (!iso || cpw_time_parse_iso8601_ms(cpw_span_from_cstr(iso), &ms) != 0) {
        return 0;
    }
    return ms / 1000;
}

static void s_scan_error(struct cpw_inventory *inv,
                         const char *account,
                         const char *region,
                         const char *service,
                         const char *operation)
{
    struct cpw_inv_error e = {
        .account = (char *)account,
        .region = (char *)region,
        .service = (char *)service,
        .operation = (char *)operation,
        .code = (char *)cpw_error_name(cpw_last_error()),
        .message = (char *)cpw_last_error_detail(),
    };
    (void)cpw_inventory_add_error(inv, &e);
}

static void s_scan_region(struct cpw_aws_client *client,
                          const char *account,
                          const char *region,
                          struct cpw_inventory *inv)
{
    json_t *out = NULL;
    if (cpw_live_call(client, "connect", "ListInstances", NULL, region, true, &out, NULL)) {
        s_scan_error(inv, account, region, "connect", "ListInstances");
    } else {
        size_t i;
        json_t *item;
        json_array_foreach(cpw_json_get(out, "InstanceSummaryList"), i, item)
        {
            struct cpw_inv_instance in = {
                .account = (char *)account,
                .region = (char *)region,
                .id = (char *)cpw_json_get_string(item, "Id"),
                .arn = (char *)cpw_json_get_string(item, "Arn"),
                .alias = (char *)cpw_json_get_string(item, "InstanceAlias"),
                .status = (char *)cpw_json_get_string(item, "InstanceStatus"),
                .service_role_arn = (char *)cpw_json_get_string(item, "ServiceRole"),
                .created_at_s = s_epoch(cpw_json_get_string(item, "CreatedTime")),
            };
            (void)cpw_inventory_add_instance(inv, &in);
        }
    }
    json_decref(out);
    if (cpw_live_call(client, "customer-profiles", "ListDomains", NULL, region, true, &out, NULL)) {
        s_scan_error(inv, account, region, "profile", "ListDomains");
        return;
    }
    size_t i;
    json_t *item;
    json_array_foreach(cpw_json_get(out, "Items"), i, item)
    {
        const char *name = cpw_json_get_string(item, "DomainName");
        if (!name) {
            continue;
        }
        struct cpw_buf arn;
        cpw_buf_init(&arn, 2048);
        (void)cpw_inventory_domain_arn(&arn, account, region, name);
        struct cpw_inv_domain d = {
            .account = (char *)account,
            .region = (char *)region,
            .name = (char *)name,
            .arn = (char *)cpw_buf_cstr(&arn),
            .created_at_s = s_epoch(cpw_json_get_string(item, "CreatedAt")),
            .profile_count = -1,
            .object_count = -1,
            .metering_profile_count = -1,
        };
        json_t *integ = NULL;
        bool exists = true;
        if (cpw_live_call(client, "customer-profiles", "ListIntegrations",
                          json_pack("{s:s}", "DomainName", name), region, true, &integ, &exists)) {
            s_scan_error(inv, account, region, "profile", "ListIntegrations");
        } else if (exists) {
            size_t n = json_array_size(cpw_json_get(integ, "Items"));
            d.integrations = cpw_calloc(n ? n : 1, sizeof(*d.integrations));
            size_t k;
            json_t *it;
            json_array_foreach(cpw_json_get(integ, "Items"), k, it)
            {
                d.integrations[k].uri = (char *)cpw_json_get_string(it, "Uri");
                d.integrations[k].object_type_name =
                  (char *)cpw_json_get_string(it, "ObjectTypeName");
                d.integrations[k].created_at_s = s_epoch(cpw_json_get_string(it, "CreatedAt"));
            }
            d.integration_count = n;
        }
        if (exists) {
            (void)cpw_inventory_add_domain(inv, &d);
        }
        cpw_free(d.integrations);
        json_decref(integ);
        cpw_buf_clean_up(&arn);
    }
    json_decref(out);
}

static void s_scan_roles(struct cpw_aws_client *client,
                         const char *account,
                         const char *path,
                         struct cpw_inventory *inv)
{
    json_t *out = NULL;
    if (cpw_live_call(client, "iam", "ListRoles", json_pack("{s:s}", "PathPrefix", path), NULL,
                      true, &out, NULL)) {
        s_scan_error(inv, account, NULL, "iam", "ListRoles");
        return;
    }
    size_t i;
    json_t *item;
    json_array_foreach(cpw_json_get(out, "Roles"), i, item)
    {
        struct cpw_inv_role r = {
            .account = (char *)account,
            .name = (char *)cpw_json_get_string(item, "RoleName"),
            .arn = (char *)cpw_json_get_string(item, "Arn"),
            .path = (char *)cpw_json_get_string(item, "Path"),
            .created_at_s = s_epoch(cpw_json_get_string(item, "CreateDate")),
        };
        (void)cpw_inventory_add_role(inv, &r);
    }
    json_decref(out);
}

void cpw_live_list_regions(struct cpw_aws_client *client,
                           const char *region,
                           json_t *listed,
                           char **why)
{
    json_t *out = NULL;
    *why = NULL;
    if (!region || !cpw_region_offers("account", region)) {
        *why = cpw_strdup("AWS Account Management is not offered in this partition");
        return;
    }
    if (cpw_live_call(client, "account", "ListRegions", json_pack("{s:i}", "MaxResults", 50), NULL,
                      true, &out, NULL)) {
        struct cpw_buf line;
        cpw_buf_init(&line, 4096);
        (void)cpw_buf_appendf(&line, "ListRegions failed: %s", cpw_last_error_detail());
        *why = cpw_strdup(cpw_buf_cstr(&line));
        cpw_buf_clean_up(&line);
        return;
    }
    size_t i;
    json_t *item;
    json_array_foreach(cpw_json_get(out, "Regions"), i, item)
    {
        const char *name = cpw_json_get_string(item, "RegionName");
        const char *status = cpw_json_get_string(item, "RegionOptStatus");
        if (name && status) {
            json_object_set_new(listed, name, json_string(status));
        }
    }
    json_decref(out);
}

bool cpw_live_region_usable(const char *opt_status)
{
    return !cpw_collect_region_unusable(opt_status);
}

int cpw_live_scan(struct cpw_aws_client *client,
                  const char *account,
                  const struct cpw_region_list *regions,
                  struct cpw_inventory *inv)
{
    cpw_inventory_set_scanned_at(inv, cpw_time_now_s());
    cpw_inventory_add_account(inv, account);
    json_t *listed = json_object();
    char *why = NULL;
    cpw_live_list_regions(client, regions->count ? regions->names[0] : NULL, listed, &why);
    for (size_t r = 0; r < regions->count; r++) {
        const char *region = regions->names[r];
        cpw_inventory_add_region(inv, region);
        struct cpw_collect_region_facts facts = {
            .reached = true,
            .listed = json_string_value(json_object_get(listed, region)),
            .list_error = why,
        };
        /* A region the account has not enabled holds nothing usable: no call there. */
        facts.skipped = !cpw_live_region_usable(facts.listed);
        if (!facts.skipped) {
            size_t before = cpw_inventory_error_count(inv);
            s_scan_region(client, account, region, inv);
            facts.errors = (unsigned)(cpw_inventory_error_count(inv) - before);
            for (size_t e = before; e < cpw_inventory_error_count(inv) && !facts.unrecognized;
                 e++) {
                const char *message = cpw_inventory_error(inv, e)->message;
                if (message && strstr(message, "UnrecognizedClientException")) {
                    facts.unrecognized = message;
                }
            }
        }
        cpw_collect_record_region(inv, account, region, &facts);
    }
    json_decref(listed);
    cpw_free(why);
    s_scan_roles(client, account, CPW_INV_PROFILE_ROLE_PATH, inv);
    s_scan_roles(client, account, CPW_INV_CONNECT_ROLE_PATH, inv);
    return cpw_inventory_analyze(inv);
}

/* Tags as a map (Customer Profiles) or a [{Key, Value}] list (IAM), copied into *tags. */
static size_t s_tags(const json_t *doc, struct cpw_tag **tags)
{
    size_t n = json_is_object(doc) ? json_object_size(doc) : json_array_size(doc);
    *tags = cpw_calloc(n ? n : 1, sizeof(**tags));
    size_t count = 0;
    if (json_is_object(doc)) {
        const char *key;
        json_t *value;
        json_object_foreach((json_t *)doc, key, value)
        {
            (*tags)[count].key = cpw_strdup(key);
            (*tags)[count].value =
              cpw_strdup(json_is_string(value) ? json_string_value(value) : "");
            count++;
        }
    } else {
        size_t i;
        json_t *item;
        json_array_foreach((json_t *)doc, i, item)
        {
            const char *k = cpw_json_get_string(item, "Key");
            const char *v = cpw_json_get_string(item, "Value");
            (*tags)[count].key = cpw_strdup(k ? k : "");
            (*tags)[count].value = cpw_strdup(v ? v : "");
            count++;
        }
    }
    return count;
}

static void s_tags_free(struct cpw_tag *tags, size_t n)
{
    for (size_t i = 0; tags && i < n; i++) {
        cpw_free((char *)tags[i].key);
        cpw_free((char *)tags[i].value);
    }
    cpw_free(tags);
}

/* Items of a listing of the domain, counted (0 when the domain vanished meanwhile). */
static int s_count(struct cpw_aws_client *client,
                   const char *operation,
                   const char *region,
                   const char *name,
                   uint64_t *count)
{
    json_t *out = NULL;
    bool exists = true;
    if (cpw_live_call(client, "customer-profiles", operation,
                      json_pack("{s:s}", "DomainName", name), region, true, &out, &exists)) {
        return -1;
    }
    *count = exists ? json_array_size(cpw_json_get(out, "Items")) : 0;
    json_decref(out);
    return 0;
}

static int s_uri_cmp(const void *a, const void *b)
{
    const struct cpw_plan_integration_input *x = a;
    const struct cpw_plan_integration_input *y = b;
    return strcmp(x->uri, y->uri);
}

/* "arn:aws:connect:REGION:ACCOUNT:instance/ID": region and id, or false. */
static bool s_connect_instance(const char *uri, char *region, size_t region_size, const char **id)
{
    if (!uri || strncmp(uri, CONNECT_ARN_PREFIX, strlen(CONNECT_ARN_PREFIX)) != 0) {
        return false;
    }
    const char *r = uri + strlen(CONNECT_ARN_PREFIX);
    const char *colon = strchr(r, ':');
    const char *slash = strstr(uri, ":instance/");
    if (!colon || !slash || (size_t)(colon - r) >= region_size || strchr(slash + 10, '/')) {
        return false;
    }
    memcpy(region, r, (size_t)(colon - r));
    region[colon - r] = '\0';
    *id = slash + 10;
    return **id != '\0';
}

static int s_observe_integrations(struct cpw_aws_client *client,
                                  struct cpw_live_domain *out,
                                  const json_t *items)
{
    size_t n = json_array_size(items);
    out->integrations = cpw_calloc(n ? n : 1, sizeof(*out->integrations));
    out->instances = cpw_calloc(n ? n : 1, sizeof(*out->instances));
    size_t i;
    json_t *it;
    json_array_foreach((json_t *)items, i, it)
    {
        const char *uri = cpw_json_get_string(it, "Uri");
        const char *type = cpw_json_get_string(it, "ObjectTypeName");
        struct cpw_plan_integration_input *in = &out->integrations[out->input.integration_count++];
        in->uri = cpw_strdup(uri ? uri : "");
        in->object_type_name = type ? cpw_strdup(type) : NULL;
    }
    qsort(out->integrations, out->input.integration_count, sizeof(*out->integrations), s_uri_cmp);
    for (i = 0; i < out->input.integration_count; i++) {
        struct cpw_plan_integration_input *in = &out->integrations[i];
        char region[64];
        const char *id = NULL;
        if (!s_connect_instance(in->uri, region, sizeof(region), &id)) {
            continue;
        }
        json_t *desc = NULL;
        bool exists = true;
        if (cpw_live_call(client, "connect", "DescribeInstance",
                          json_pack("{s:s}", "InstanceId", id), region, false, &desc, &exists)) {
            return -1;
        }
        const char *status = cpw_json_get_string(cpw_json_get(desc, "Instance"), "InstanceStatus");
        struct cpw_plan_instance_input *inst = &out->instances[out->input.instance_count++];
        inst->arn = cpw_strdup(in->uri);
        inst->status = cpw_strdup(exists ? (status ? status : "UNKNOWN") : "DELETED");
        in->dangling = !exists;
        json_decref(desc);
    }
    return 0;
}

int cpw_live_observe_domain(struct cpw_aws_client *client,
                            const char *account,
                            const char *region,
                            const char *name,
                            struct cpw_live_domain *out,
                            bool *exists)
{
    memset(out, 0, sizeof(*out));
    json_t *domain = NULL;
    json_t *integ = NULL;
    int rc = -1;
    if (cpw_live_call(client, "customer-profiles", "GetDomain",
                      json_pack("{s:s}", "DomainName", name), region, false, &domain, exists)) {
        goto cleanup;
    }
    if (!*exists) {
        rc = 0;
        goto cleanup;
    }
    struct cpw_buf arn;
    cpw_buf_init(&arn, 2048);
    (void)cpw_inventory_domain_arn(&arn, account, region, name);
    out->arn = cpw_buf_detach(&arn);
    out->account = cpw_strdup(account);
    out->region = cpw_strdup(region);
    out->name = cpw_strdup(name);
    out->input.tag_count = s_tags(cpw_json_get(domain, "Tags"), &out->tags);
    const json_t *stats = cpw_json_get(domain, "Stats");
    const json_t *profiles = cpw_json_get(stats, "ProfileCount");
    out->input.profile_count_known = json_is_integer(profiles);
    out->input.profile_count =
      out->input.profile_count_known ? (uint64_t)json_integer_value(profiles) : 0;
    out->input.object_count = (uint64_t)json_integer_value(cpw_json_get(stats, "ObjectCount"));
    bool still = true;
    if (cpw_live_call(client, "customer-profiles", "ListIntegrations",
                      json_pack("{s:s}", "DomainName", name), region, true, &integ, &still) ||
        s_observe_integrations(client, out, cpw_json_get(integ, "Items")) ||
        s_count(client, "ListProfileObjectTypes", region, name, &out->input.object_type_count) ||
        s_count(client, "ListEventStreams", region, name, &out->input.event_stream_count) ||
        s_count(client, "ListCalculatedAttributeDefinitions", region, name,
                &out->input.calculated_attribute_count)) {
        goto cleanup;
    }
    out->input.account = out->account;
    out->input.region = out->region;
    out->input.name = out->name;
    out->input.arn = out->arn;
    out->input.tags = out->tags;
    out->input.instances = out->instances;
    out->input.integrations = out->integrations;
    rc = 0;
cleanup:
    if (rc != 0) {
        cpw_live_domain_clean_up(out);
    }
    json_decref(domain);
    json_decref(integ);
    return rc;
}

void cpw_live_domain_clean_up(struct cpw_live_domain *d)
{
    if (!d) {
        return;
    }
    cpw_free(d->account);
    cpw_free(d->region);
    cpw_free(d->name);
    cpw_free(d->arn);
    s_tags_free(d->tags, d->input.tag_count);
    for (size_t i = 0; d->instances && i < d->input.instance_count; i++) {
        cpw_free((char *)d->instances[i].arn);
        cpw_free((char *)d->instances[i].status);
    }
    cpw_free(d->instances);
    for (size_t i = 0; d->integrations && i < d->input.integration_count; i++) {
        cpw_free((char *)d->integrations[i].uri);
        cpw_free((char *)d->integrations[i].object_type_name);
    }
    cpw_free(d->integrations);
    memset(d, 0, sizeof(*d));
}

int cpw_live_observe_role(struct cpw_aws_client *client,
                          const char *account,
                          const char *name,
                          enum cpw_plan_role_kind kind,
                          const char *linked_resource,
                          struct cpw_live_role *out,
                          bool *exists)
{
    memset(out, 0, sizeof(*out));
    json_t *doc = NULL;
    if (cpw_live_call(client, "iam", "GetRole", json_pack("{s:s}", "RoleName", name), NULL, false,
                      &doc, exists)) {
        return -1;
    }
    if (*exists) {
        const json_t *role = cpw_json_get(doc, "Role");
        const char *arn = cpw_json_get_string(role, "Arn");
        const char *used = cpw_json_get_string(cpw_json_get(role, "RoleLastUsed"), "LastUsedDate");
        out->account = cpw_strdup(account);
        out->name = cpw_strdup(name);
        out->arn = cpw_strdup(arn ? arn : "");
        if (used) {
            char iso[CPW_TIME_ISO8601_LEN + 1];
            out->last_used =
              cpw_strdup(cpw_time_format_iso8601(s_epoch(used), iso) == 0 ? iso : used);
        }
        out->linked_resource = linked_resource ? cpw_strdup(linked_resource) : NULL;
        out->input.tag_count = s_tags(cpw_json_get(role, "Tags"), &out->tags);
        out->input.kind = kind;
        out->input.account = out->account;
        out->input.name = out->name;
        out->input.arn = out->arn;
        out->input.linked_resource = out->linked_resource;
        out->input.last_used = out->last_used;
        out->input.tags = out->tags;
    }
    json_decref(doc);
    return 0;
}

void cpw_live_role_clean_up(struct cpw_live_role *r)
{
    if (!r) {
        return;
    }
    cpw_free(r->account);
    cpw_free(r->name);
    cpw_free(r->arn);
    cpw_free(r->last_used);
    cpw_free(r->linked_resource);
    s_tags_free(r->tags, r->input.tag_count);
    memset(r, 0, sizeof(*r));
}
