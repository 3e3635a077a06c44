/*
 * document.c - `cpwarden document` as a library call: reads a region's Customer Profiles
 * domains, the Connect instances their integrations name, the Customer Profiles service-linked
 * roles and the CloudTrail events that tie a role to its domain, links them with the inventory's
 * rules, and fills in the runbook's documentation template (document.h) as JSON.
 */
#include "cpw/document.h"

#include <stdio.h>
#include <string.h>

#include "backup_internal.h"
#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/inventory.h"
#include "cpw/json.h"
#include "cpw/time.h"

#define SERVICE "customer-profiles"

static int64_t s_time(const json_t *value)
{
    if (json_is_integer(value)) {
        return (int64_t)json_integer_value(value);
    }
    if (json_is_real(value)) {
        return (int64_t)json_real_value(value);
    }
    int64_t ms = 0;
    if (json_is_string(value) &&
        cpw_time_parse_iso8601_ms(cpw_span_from_cstr(json_string_value(value)), &ms) == 0) {
        return ms / 1000;
    }
    return 0;
}

static json_t *s_iso(int64_t epoch_s)
{
    char text[CPW_TIME_ISO8601_LEN + 1];
    if (epoch_s <= 0 || cpw_time_format_iso8601(epoch_s, text)) {
        return json_null();
    }
    return json_string(text);
}

/* Connect instance ARN: arn:aws:connect:REGION:ACCOUNT:instance/ID. */
static bool s_instance_arn(const char *uri, char region[64], char account[16], char id[128])
{
    return uri && strncmp(uri, "arn:aws:connect:", 16) == 0 &&
           sscanf(uri + 16, "%63[^:]:%15[^:]:instance/%127s", region, account, id) == 3;
}

/* The Customer Profiles service-linked roles of the account, into inv. */
static int s_roles(struct cpw_aws_client *client, const char *account, struct cpw_inventory *inv)
{
    json_t *out = NULL;
    if (cpw_backup_call(client, NULL, "iam", "ListRoles",
                        json_pack("{s:s}", "PathPrefix", CPW_INV_PROFILE_ROLE_PATH), true, &out)) {
        return -1;
    }
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(out, "Roles"), i, r)
    {
        struct cpw_inv_role role = {
            .account = (char *)account,
            .name = (char *)cpw_json_get_string(r, "RoleName"),
            .arn = (char *)cpw_json_get_string(r, "Arn"),
            .path = (char *)cpw_json_get_string(r, "Path"),
            .created_at_s = s_time(json_object_get(r, "CreateDate")),
        };
        (void)cpw_inventory_add_role(inv, &role);
    }
    json_decref(out);
    return 0;
}

/* CloudTrail events named event_name in region, reduced to what the linking rules read. */
static int s_events(struct cpw_aws_client *client,
                    const char *region,
                    const char *account,
                    const char *event_name,
                    struct cpw_inventory *inv)
{
    json_t *out = NULL;
    if (cpw_backup_call(client, region, "cloudtrail", "LookupEvents",
                        json_pack("{s:[{s:s,s:s}]}", "LookupAttributes", "AttributeKey",
                                  "EventName", "AttributeValue", event_name),
                        true, &out)) {
        return -1;
    }
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(out, "Events"), i, e)
    {
        const char *text = cpw_json_get_string(e, "CloudTrailEvent");
        json_t *body = text ? cpw_json_load_cstr(text) : NULL;
        json_t *params = json_object_get(body, "requestParameters");
        char *names[8];
        size_t name_count = 0;
        size_t k;
        json_t *res;
        json_array_foreach(json_object_get(e, "Resources"), k, res)
        {
            const char *n = cpw_json_get_string(res, "ResourceName");
            if (n && name_count < 8) {
                names[name_count++] = (char *)n;
            }
        }
        struct cpw_inv_tag tags[2];
        size_t tag_count = 0;
        static const char *const keys[] = { "aWSServiceName", "domainName" };
        for (size_t p = 0; p < 2; p++) {
            const char *v = cpw_json_get_string(params, keys[p]);
            if (v) {
                tags[tag_count++] = (struct cpw_inv_tag){ (char *)keys[p], (char *)v };
            }
        }
        struct cpw_inv_event event = {
            .account = (char *)account,
            .region = (char *)region,
            .event_name = (char *)cpw_json_get_string(e, "EventName"),
            .event_time_s = s_time(json_object_get(e, "EventTime")),
            .resource_names = names,
            .resource_name_count = name_count,
            .invoked_by =
              (char *)cpw_json_get_string(json_object_get(body, "userIdentity"), "invokedBy"),
            .request_parameters = tags,
            .request_parameter_count = tag_count,
        };
        (void)cpw_inventory_add_event(inv, &event);
        json_decref(body);
    }
    json_decref(out);
    return 0;
}

/* The names of a list's items (under items_key): [name, ...]. */
static json_t *s_names_in(struct cpw_aws_client *client,
                          const char *region,
                          const char *domain,
                          const char *op,
                          const char *items_key,
                          const char *member)
{
    json_t *out = NULL;
    if (cpw_backup_call(client, region, SERVICE, op, json_pack("{s:s}", "DomainName", domain), true,
                        &out)) {
        return NULL;
    }
    json_t *names = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(out, items_key), i, item)
    {
        const char *n = cpw_json_get_string(item, member);
        if (n) {
            json_array_append_new(names, json_string(n));
        }
    }
    json_decref(out);
    return names;
}

static json_t *s_names(struct cpw_aws_client *client,
                       const char *region,
                       const char *domain,
                       const char *op,
                       const char *member)
{
    return s_names_in(client, region, domain, op, "Items", member);
}

/* Every other kind a backup carries (backup_coverage.c): section name -> [item names]. */
static json_t *s_other_kinds(struct cpw_aws_client *client, const char *region, const char *domain)
{
    size_t n = 0;
    const struct cpw_backup_kind *kinds = cpw_backup_kinds(&n);
    json_t *all = json_object();
    for (size_t k = 0; k < n; k++) {
        switch (kinds[k].section) {
        case CPW_BACKUP_OBJECT_TYPES: /* listed on their own, as before */
        case CPW_BACKUP_INTEGRATIONS:
        case CPW_BACKUP_EVENT_STREAMS:
        case CPW_BACKUP_CALCULATED_ATTRIBUTES:
            continue;
        default:
            break;
        }
        json_t *names = s_names_in(client, region, domain, kinds[k].list_op, kinds[k].items_key,
                                   kinds[k].name_member);
        if (!names) {
            json_decref(all);
            return NULL;
        }
        json_object_set_new(all, cpw_backup_section_name(kinds[k].section), names);
    }
    return all;
}

struct domain_facts {
    json_t *settings;                                             /* GetDomain */
    json_t *integrations;                                         /* ListIntegrations items */
    json_t *object_types, *event_streams, *calculated_attributes; /* names */
    json_t *other_kinds; /* section name -> [names], every other kind a backup carries */
    json_t *instances;   /* [{arn, id, region, status, alias}] */
};

static void s_facts_clean_up(struct domain_facts *f)
{
    json_decref(f->settings);
    json_decref(f->integrations);
    json_decref(f->object_types);
    json_decref(f->event_streams);
    json_decref(f->calculated_attributes);
    json_decref(f->other_kinds);
    json_decref(f->instances);
}

static int s_read_domain(struct cpw_aws_client *client,
                         const char *region,
                         const char *account,
                         const char *domain,
                         struct domain_facts *f,
                         struct cpw_inventory *inv)
{
    json_t *ints = NULL;
    if (cpw_backup_call(client, region, SERVICE, "GetDomain",
                        json_pack("{s:s}", "DomainName", domain), false, &f->settings) ||
        cpw_backup_call(client, region, SERVICE, "ListIntegrations",
                        json_pack("{s:s}", "DomainName", domain), true, &ints)) {
        return -1;
    }
    f->integrations = json_incref(json_object_get(ints, "Items"));
    json_decref(ints);
    if (!f->integrations) {
        f->integrations = json_array();
    }
    if (!(f->object_types =
            s_names(client, region, domain, "ListProfileObjectTypes", "ObjectTypeName")) ||
        !(f->event_streams =
            s_names(client, region, domain, "ListEventStreams", "EventStreamName")) ||
        !(f->calculated_attributes =
            s_names(client, region, domain, "ListCalculatedAttributeDefinitions",
                    "CalculatedAttributeName")) ||
        !(f->other_kinds = s_other_kinds(client, region, domain))) {
        return -1;
    }
    f->instances = json_array();
    size_t n = json_array_size(f->integrations);
    struct cpw_inv_integration *links = cpw_calloc(n + 1, sizeof(*links));
    size_t i;
    json_t *it;
    json_array_foreach(f->integrations, i, it)
    {
        const char *uri = cpw_json_get_string(it, "Uri");
        links[i] = (struct cpw_inv_integration){
            .uri = (char *)uri,
            .object_type_name = (char *)cpw_json_get_string(it, "ObjectTypeName"),
            .created_at_s = s_time(json_object_get(it, "CreatedAt")),
        };
        char ireg[64], iacct[16], id[128];
        if (!s_instance_arn(uri, ireg, iacct, id)) {
            continue;
        }
        json_t *desc = NULL;
        const char *status = "UNKNOWN";
        const char *detail = "";
        if (cpw_backup_call(client, ireg, "connect", "DescribeInstance",
                            json_pack("{s:s}", "InstanceId", id), false, &desc) == 0) {
            json_t *inst = json_object_get(desc, "Instance");
            status = cpw_json_get_string(inst, "InstanceStatus");
            status = status ? status : "UNKNOWN";
            struct cpw_inv_instance add = {
                .account = (char *)account,
                .region = ireg,
                .id = id,
                .arn = (char *)uri,
                .alias = (char *)cpw_json_get_string(inst, "InstanceAlias"),
                .status = (char *)status,
                .service_role_arn = (char *)cpw_json_get_string(inst, "ServiceRole"),
            };
            (void)cpw_inventory_add_instance(inv, &add);
        } else if (cpw_last_error() == CPW_ERR_NOT_FOUND) {
            status = "GONE";
            detail = "DescribeInstance: the instance does not exist";
        } else {
            detail = cpw_last_error_detail();
        }
        json_t *alias = json_object_get(json_object_get(desc, "Instance"), "InstanceAlias");
        json_array_append_new(f->instances, json_pack("{s:s,s:s,s:s,s:s,s:O?,s:s}", "arn", uri,
                                                      "id", id, "region", ireg, "status", status,
                                                      "alias", alias, "detail", detail));
        json_decref(desc);
    }
    json_t *stats = json_object_get(f->settings, "Stats");
    struct cpw_inv_domain add = {
        .account = (char *)account,
        .region = (char *)region,
        .name = (char *)domain,
        .created_at_s = s_time(json_object_get(f->settings, "CreatedAt")),
        .profile_count = json_is_integer(json_object_get(stats, "ProfileCount"))
                           ? (int64_t)json_integer_value(json_object_get(stats, "ProfileCount"))
                           : -1,
        .object_count = -1,
        .metering_profile_count = -1,
        .integrations = links,
        .integration_count = n,
    };
    (void)cpw_inventory_add_domain(inv, &add);
    cpw_free(links);
    return 0;
}

static json_t *s_check(const char *item, bool ok, const char *detail)
{
    return json_pack("{s:s,s:b,s:s}", "item", item, "ok", ok, "detail", detail);
}

static json_t *s_build(const char *account,
                       const char *region,
                       const char *domain,
                       const struct domain_facts *f,
                       const struct cpw_inv_domain *linked,
                       const char *role_note,
                       struct cpw_store *store)
{
    const json_t *s = f->settings;
    json_t *stats = json_object_get(s, "Stats");
    json_t *profile_count = json_object_get(stats, "ProfileCount");
    size_t active = 0;
    size_t i;
    json_t *inst;
    json_array_foreach(f->instances, i, inst)
    {
        active += strcmp(cpw_json_get_string(inst, "status"), "ACTIVE") == 0;
    }
    const char *role_arn = linked ? linked->role_arn : NULL;
    const char *confidence =
      linked && linked->role_arn ? cpw_inv_confidence_name(linked->role_confidence) : "none";
    char how[512];
    if (role_arn) {
        snprintf(how, sizeof(how), "%s link (%s)%s%s", confidence,
                 linked->role_confidence == CPW_INV_CONFIDENCE_CERTAIN
                   ? "CloudTrail: the role was created by profile.amazonaws.com for this "
                     "domain's CreateDomain"
                 : linked->role_confidence == CPW_INV_CONFIDENCE_LIKELY
                   ? "the only Customer Profiles role created within 10 minutes of the domain"
                   : "the only unlinked Customer Profiles role last used in this region",
                 role_note[0] ? "; " : "", role_note);
    } else {
        snprintf(how, sizeof(how),
                 "no AWSServiceRoleForProfile_* role could be tied to this domain%s%s (from one "
                 "region no link is sure: a domain created elsewhere in the same minutes could own "
                 "the role; `cpwarden inventory --regions all --evidence cloudtrail` ties it)",
                 role_note[0] ? ": " : "", role_note);
    }
    /* the backups index */
    json_t *backup = json_null();
    char backup_detail[1200] = "no backup of this domain in the backups index";
    if (!store) {
        snprintf(backup_detail, sizeof(backup_detail), "the backups index was not consulted");
    } else {
        struct cpw_store_backup *list = NULL;
        size_t count = 0;
        if (cpw_store_backup_list(store, account, region, domain, &list, &count) == 0 &&
            count > 0) {
            json_decref(backup);
            backup = json_pack("{s:I,s:o,s:s,s:s}", "id", (json_int_t)list[0].id, "created_at",
                               s_iso(list[0].created_at_s), "path", list[0].path, "sha256",
                               list[0].sha256);
            snprintf(backup_detail, sizeof(backup_detail), "backup %lld: %s", (long long)list[0].id,
                     list[0].path);
        }
        cpw_store_backup_list_free(list, count);
    }
    char active_detail[128], count_detail[128];
    snprintf(active_detail, sizeof(active_detail), "%zu of %zu associated instances ACTIVE", active,
             json_array_size(f->instances));
    if (json_is_integer(profile_count)) {
        snprintf(count_detail, sizeof(count_detail), "%lld profiles",
                 (long long)json_integer_value(profile_count));
    } else {
        snprintf(count_detail, sizeof(count_detail), "GetDomain answered no profile count");
    }
    json_t *rbm = json_object_get(s, "RuleBasedMatching");
    json_t *uris = json_array();
    json_array_foreach(f->integrations, i, inst)
    {
        json_array_append(uris, json_object_get(inst, "Uri"));
    }
    struct cpw_buf arn;
    cpw_buf_init(&arn, 2048);
    (void)cpw_inventory_domain_arn(&arn, account, region, domain);
    json_t *doc = json_pack(
      "{s:s,s:s,s:s,s:s,s:o,s:I,s:O,s:{s:s?,s:s,s:s},"
      " s:{s:O?,s:O?,s:O?,s:b,s:O?,s:O,s:o,s:O,s:O,s:O?,s:O?},"
      " s:[o,o,o,o]}",
      "region", region, "account", account, "domain", domain, "domain_arn", cpw_buf_cstr(&arn),
      "created_at", s_iso(s_time(json_object_get(s, "CreatedAt"))), "associated_instance_count",
      (json_int_t)json_array_size(f->instances), "associated_instances", f->instances, "role",
      "arn", role_arn, "confidence", confidence, "how", how, "configuration",
      "default_expiration_days", json_object_get(s, "DefaultExpirationDays"), "encryption_key",
      json_object_get(s, "DefaultEncryptionKey"), "dead_letter_queue",
      json_object_get(s, "DeadLetterQueueUrl"), "matching",
      json_is_true(json_object_get(json_object_get(s, "Matching"), "Enabled")),
      "rule_based_matching", json_object_get(rbm, "Status"), "object_types", f->object_types,
      "integrations", uris, "event_streams", f->event_streams, "calculated_attributes",
      f->calculated_attributes, "profile_count", profile_count, "object_count",
      json_object_get(stats, "ObjectCount"), "checklist",
      s_check("no ACTIVE instance uses the domain", active == 0, active_detail),
      s_check("profile count recorded", json_is_integer(profile_count), count_detail),
      s_check("backup exists", !json_is_null(backup), backup_detail),
      s_check("role identified", role_arn != NULL, how));
    json_object_set_new(doc, "backup", backup);
    json_object_update(json_object_get(doc, "configuration"), f->other_kinds);
    cpw_buf_clean_up(&arn);
    return doc;
}

int cpw_document_region(struct cpw_aws_client *client,
                        const char *region,
                        const char *domain,
                        const struct cpw_document_options *options,
                        json_t *documents)
{
    struct cpw_document_options none = { 0 };
    const struct cpw_document_options *opts = options ? options : &none;
    char account[16] = "";
    json_t *names = NULL;
    struct cpw_inventory *inv = cpw_inventory_new();
    struct domain_facts *facts = NULL;
    size_t count = 0;
    int rc = -1;
    char role_note[512] = "";
    if (opts->account) {
        snprintf(account, sizeof(account), "%s", opts->account);
    } else if (cpw_backup_caller(client, region, account, NULL, 0)) {
        goto cleanup;
    }
    if (domain) {
        names = json_pack("[s]", domain);
    } else {
        json_t *out = NULL;
        if (cpw_backup_call(client, region, SERVICE, "ListDomains", NULL, true, &out)) {
            goto cleanup;
        }
        names = json_array();
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(out, "Items"), i, item)
        {
            json_array_append(names, json_object_get(item, "DomainName"));
        }
        json_decref(out);
    }
    count = json_array_size(names);
    facts = cpw_calloc(count + 1, sizeof(*facts));
    for (size_t i = 0; i < count; i++) {
        if (s_read_domain(client, region, account, json_string_value(json_array_get(names, i)),
                          &facts[i], inv)) {
            goto cleanup;
        }
    }
    /* Role evidence: failures lower the confidence, they do not fail the document. */
    if (s_roles(client, account, inv)) {
        snprintf(role_note, sizeof(role_note), "IAM ListRoles failed: %s", cpw_last_error_detail());
    } else if (s_events(client, "us-east-1", account, "CreateServiceLinkedRole", inv) ||
               s_events(client, region, account, "CreateDomain", inv)) {
        snprintf(role_note, sizeof(role_note), "CloudTrail LookupEvents failed: %s",
                 cpw_last_error_detail());
    }
    cpw_inventory_add_account(inv, account);
    cpw_inventory_add_region(inv, region);
    (void)cpw_inventory_analyze(inv);
    for (size_t i = 0; i < count; i++) {
        const char *name = json_string_value(json_array_get(names, i));
        struct cpw_buf arn;
        cpw_buf_init(&arn, 2048);
        (void)cpw_inventory_domain_arn(&arn, account, region, name);
        const struct cpw_inv_domain *linked = cpw_inventory_find_domain(inv, cpw_buf_cstr(&arn));
        json_array_append_new(
          documents, s_build(account, region, name, &facts[i], linked, role_note, opts->store));
        cpw_buf_clean_up(&arn);
    }
    rc = 0;
cleanup:
    for (size_t i = 0; facts && i < count; i++) {
        s_facts_clean_up(&facts[i]);
    }
    cpw_free(facts);
    json_decref(names);
    cpw_inventory_destroy(inv);
    return rc;
}
