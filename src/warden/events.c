/*
 * events.c - the CloudTrail lookups of `cpwarden events` and the reading of each event
 * (events.h). Joining with the journal and the output formats: events_format.c; the state file:
 * events_state.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/events.h"
#include "cpw/inventory.h"
#include "cpw/inventory_collect.h"
#include "cpw/json.h"
#include "cpw/ratelimit.h"
#include "cpw/time.h"

/* The events asked for, with the source that must have recorded them, in the order a lifecycle
 * has them: creations, then deletions in the order an apply makes them. CloudTrail times have
 * one-second resolution, so events of the same second are listed in this order (a create before
 * the delete of the same second), not in the order of their random event ids. */
struct wanted {
    const char *name;
    const char *source;
    const char *resource_type;
    bool iam; /* looked up in CPW_EVENTS_IAM_REGION only */
};

static const struct wanted s_wanted[] = {
    { "CreateServiceLinkedRole", "iam.amazonaws.com", "service-linked-role", true },
    { "CreateInstance", "connect.amazonaws.com", "instance", false },
    { "CreateDomain", "profile.amazonaws.com", "domain", false },
    { "UpdateDomain", "profile.amazonaws.com", "domain", false },
    { "PutIntegration", "profile.amazonaws.com", "integration", false },
    { "DeleteIntegration", "profile.amazonaws.com", "integration", false },
    { "DeleteDomain", "profile.amazonaws.com", "domain", false },
    { "DeleteInstance", "connect.amazonaws.com", "instance", false },
    { "DeleteServiceLinkedRole", "iam.amazonaws.com", "service-linked-role", true },
    { "DeleteRole", "iam.amazonaws.com", "service-linked-role", true },
};

#define WANTED_COUNT (sizeof(s_wanted) / sizeof(s_wanted[0]))

void cpw_event_clean_up(struct cpw_event *ev)
{
    char **strings[] = { &ev->event_id,      &ev->account,       &ev->region,     &ev->event_name,
                         &ev->event_source,  &ev->resource_type, &ev->resource,   &ev->actor,
                         &ev->actor_type,    &ev->invoked_by,    &ev->error_code, &ev->source_ip,
                         &ev->plan_checksum, &ev->step };
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        cpw_free(*strings[i]);
    }
    memset(ev, 0, sizeof(*ev));
}

void cpw_events_clean_up(struct cpw_events *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        cpw_event_clean_up(&list->items[i]);
    }
    for (size_t i = 0; i < list->error_count; i++) {
        cpw_free(list->errors[i].account);
        cpw_free(list->errors[i].region);
        cpw_free(list->errors[i].message);
    }
    cpw_free(list->items);
    cpw_free(list->errors);
    memset(list, 0, sizeof(*list));
}

static const struct wanted *s_find_wanted(const char *name, const char *source)
{
    for (size_t i = 0; name && source && i < WANTED_COUNT; i++) {
        if (strcmp(s_wanted[i].name, name) == 0 && strcmp(s_wanted[i].source, source) == 0) {
            return &s_wanted[i];
        }
    }
    return NULL;
}

static bool s_starts(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A role of Customer Profiles or Amazon Connect, by name or by the service named. */
static bool s_our_role(const char *role_name, const char *service_name)
{
    return s_starts(role_name, "AWSServiceRoleForProfile") ||
           s_starts(role_name, "AWSServiceRoleForAmazonConnect") ||
           (service_name && (strcmp(service_name, CPW_INV_PROFILE_PRINCIPAL) == 0 ||
                             strcmp(service_name, CPW_INV_CONNECT_PRINCIPAL) == 0 ||
                             strcmp(service_name, "synchronization.connect.amazonaws.com") == 0));
}

static char *s_dup(const char *s)
{
    return cpw_strdup(s ? s : "");
}

/* The resource the event is about, from its request and response. */
static const char *s_resource(const struct wanted *w, const json_t *req, const json_t *resp)
{
    if (strcmp(w->resource_type, "instance") == 0) {
        const char *id = cpw_json_get_string(req, "instanceId");
        id = id ? id : cpw_json_get_string(resp, "id");
        return id ? id : cpw_json_get_string(req, "instanceAlias");
    }
    if (strcmp(w->resource_type, "service-linked-role") == 0) {
        const char *name = cpw_json_get_string(req, "roleName");
        return name ? name : cpw_json_get_string(cpw_json_get(resp, "role"), "roleName");
    }
    if (strcmp(w->resource_type, "integration") == 0) {
        const char *uri = cpw_json_get_string(req, "uri");
        return uri ? uri : cpw_json_get_string(req, "domainName");
    }
    return cpw_json_get_string(req, "domainName");
}

/* The first Resources[].ResourceName of the lookup item, or NULL. */
static const char *s_listed_resource(const json_t *item)
{
    return cpw_json_get_string(json_array_get(cpw_json_get(item, "Resources"), 0), "ResourceName");
}

static int s_event_time(const json_t *item, const json_t *record, int64_t *out)
{
    const json_t *t = cpw_json_get(item, "EventTime");
    if (json_is_number(t)) {
        *out = (int64_t)json_number_value(t);
        return 0;
    }
    const char *text =
      json_is_string(t) ? json_string_value(t) : cpw_json_get_string(record, "eventTime");
    int64_t ms = 0;
    if (!text || cpw_time_parse_iso8601_ms(cpw_span_from_cstr(text), &ms) != 0) {
        return cpw_raise(CPW_ERR_PARSE, "CloudTrail event without a readable EventTime");
    }
    *out = ms / 1000;
    return 0;
}

int cpw_event_from_lookup(const json_t *item, const char *account, struct cpw_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    const char *id = cpw_json_get_string(item, "EventId");
    const char *name = cpw_json_get_string(item, "EventName");
    const char *body = cpw_json_get_string(item, "CloudTrailEvent");
    if (!id || !name) {
        return cpw_raise(CPW_ERR_PARSE, "CloudTrail event without EventId or EventName");
    }
    json_t *record = NULL;
    if (body && cpw_json_load(cpw_span_from_cstr(body), CPW_JSON_MAX_TEXT_BYTES, &record) != 0) {
        return cpw_raise(CPW_ERR_PARSE, "CloudTrail event %s: CloudTrailEvent is not JSON: %s", id,
                         cpw_last_error_detail());
    }
    const char *source = cpw_json_get_string(item, "EventSource");
    source = source ? source : cpw_json_get_string(record, "eventSource");
    const struct wanted *w = s_find_wanted(name, source);
    const json_t *req = cpw_json_get(record, "requestParameters");
    const json_t *resp = cpw_json_get(record, "responseElements");
    int rc = 0;
    if (!w) {
        goto done; /* another service's event of the same name */
    }
    const char *resource = s_resource(w, req, resp);
    if (w->iam && !s_our_role(resource ? resource : s_listed_resource(item),
                              cpw_json_get_string(req, "aWSServiceName"))) {
        goto done; /* a role of another service */
    }
    int64_t when = 0;
    if (s_event_time(item, record, &when) != 0) {
        rc = -1;
        goto done;
    }
    const json_t *who = cpw_json_get(record, "userIdentity");
    const char *arn = cpw_json_get_string(who, "arn");
    const char *type = cpw_json_get_string(who, "type");
    const char *user = cpw_json_get_string(item, "Username");
    const char *recipient = cpw_json_get_string(record, "recipientAccountId");
    ev->event_id = cpw_strdup(id);
    ev->time_s = when;
    ev->account = s_dup(recipient ? recipient : account);
    ev->region = s_dup(cpw_json_get_string(record, "awsRegion"));
    ev->event_name = cpw_strdup(name);
    ev->event_source = cpw_strdup(w->source);
    ev->resource_type = cpw_strdup(w->resource_type);
    ev->resource = s_dup(resource ? resource : s_listed_resource(item));
    ev->actor = s_dup(arn ? arn : user);
    ev->actor_type = s_dup(type);
    ev->invoked_by = s_dup(cpw_json_get_string(who, "invokedBy"));
    ev->error_code = s_dup(cpw_json_get_string(record, "errorCode"));
    ev->source_ip = s_dup(cpw_json_get_string(record, "sourceIPAddress"));
    rc = 1;

done:
    cpw_json_release(record);
    return rc;
}

/* ----- collecting -------------------------------------------------------------------------- */

static int s_add_error(struct cpw_events *list,
                       const char *account,
                       const char *region,
                       const char *message)
{
    list->errors = cpw_realloc(list->errors, (list->error_count + 1) * sizeof(*list->errors));
    struct cpw_events_error *e = &list->errors[list->error_count++];
    e->account = s_dup(account);
    e->region = s_dup(region);
    e->message = s_dup(message);
    return 0;
}

static int s_add_event(struct cpw_events *list, struct cpw_event *ev)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 32;
        list->items = cpw_realloc(list->items, list->cap * sizeof(*list->items));
    }
    list->items[list->count++] = *ev;
    memset(ev, 0, sizeof(*ev));
    return 0;
}

static void s_limit_key(char *out, size_t cap, const char *account, const char *region)
{
    snprintf(out, cap, "%s/%s/cloudtrail/LookupEvents", account, region);
}

/* CloudTrail's published rate, LookupEvents 2 per second per account and region, set once per
 * account and region (setting a limit again refills its bucket). */
static int s_limits(const struct cpw_events_account *acct, const struct cpw_events_options *opts)
{
    struct cpw_ratelimit *rl = cpw_http_engine_ratelimit(cpw_aws_client_engine(acct->client));
    char key[192];
    for (size_t r = 0; r <= opts->region_count; r++) {
        const char *region = r < opts->region_count ? opts->regions[r] : CPW_EVENTS_IAM_REGION;
        s_limit_key(key, sizeof(key), acct->account, region);
        if (cpw_ratelimit_set(rl, key, CPW_COLLECT_RATE_CLOUDTRAIL_LOOKUP,
                              CPW_COLLECT_RATE_CLOUDTRAIL_LOOKUP, 0) != 0) {
            return -1;
        }
    }
    return 0;
}

/* One LookupEvents of one event name in one region, page after page, run on the account's
 * client with the other lookups of the account (each region has its own rate). */
struct lookup {
    const struct cpw_events_account *acct;
    const char *region;
    const struct wanted *w;
    int64_t since_s;
    struct cpw_events *list;
    json_t *input; /* owned; NextToken set for the next page */
    char key[192];
    unsigned pages;
};

static int s_submit(struct lookup *lk);

static void s_lookup_error(struct lookup *lk, const char *detail)
{
    char message[1024];
    snprintf(message, sizeof(message), "LookupEvents %s: %s", lk->w->name, detail);
    s_add_error(lk->list, lk->acct->account, lk->region, message);
}

static void s_page_done(void *user, struct cpw_aws_result *result)
{
    struct lookup *lk = user;
    if (result->status != 0) {
        s_lookup_error(lk, result->detail);
        return;
    }
    const json_t *events = cpw_json_get(result->output, "Events");
    for (size_t i = 0; i < json_array_size(events); i++) {
        struct cpw_event ev;
        int got = cpw_event_from_lookup(json_array_get(events, i), lk->acct->account, &ev);
        if (got < 0) {
            s_lookup_error(lk, cpw_last_error_detail());
            cpw_error_clear();
        } else if (got == 1 && ev.time_s >= lk->since_s) {
            s_add_event(lk->list, &ev);
        } else if (got == 1) {
            cpw_event_clean_up(&ev);
        }
    }
    const char *next = cpw_json_get_string(result->output, "NextToken");
    if (!next || !*next) {
        return;
    }
    if (++lk->pages >= CPW_EVENTS_MAX_PAGES) {
        s_lookup_error(lk, "more pages than cpwarden reads; narrow --since");
        return;
    }
    cpw_json_set_take(lk->input, "NextToken", json_string(next));
    if (s_submit(lk) != 0) {
        s_lookup_error(lk, cpw_last_error_detail());
        cpw_error_clear();
    }
}

static int s_submit(struct lookup *lk)
{
    const char *keys[] = { lk->key };
    struct cpw_aws_call call = {
        .service = "cloudtrail",
        .operation = "LookupEvents",
        .input = lk->input,
        .region = lk->region,
        .limit_keys = keys,
        .limit_key_count = 1,
    };
    return cpw_aws_client_submit(lk->acct->client, &call, s_page_done, lk);
}

/* Every lookup of one account, concurrently across regions. Returns 0 or -1 (internal). */
static int s_account(const struct cpw_events_account *acct,
                     const struct cpw_events_options *opts,
                     struct cpw_events *list)
{
    char start[CPW_TIME_ISO8601_LEN + 1];
    if (cpw_time_format_iso8601(opts->since_s, start) != 0 || s_limits(acct, opts) != 0) {
        return -1;
    }
    size_t cap = WANTED_COUNT * (opts->region_count + 1);
    struct lookup *lks = cpw_calloc(cap, sizeof(*lks));
    size_t n = 0;
    for (size_t i = 0; i < WANTED_COUNT; i++) {
        size_t regions = s_wanted[i].iam ? 1 : opts->region_count;
        for (size_t r = 0; r < regions; r++) {
            struct lookup *lk = &lks[n++];
            lk->acct = acct;
            lk->region = s_wanted[i].iam ? CPW_EVENTS_IAM_REGION : opts->regions[r];
            lk->w = &s_wanted[i];
            lk->since_s = opts->since_s;
            lk->list = list;
            s_limit_key(lk->key, sizeof(lk->key), acct->account, lk->region);
            lk->input =
              json_pack("{s:[{s:s, s:s}], s:s}", "LookupAttributes", "AttributeKey", "EventName",
                        "AttributeValue", s_wanted[i].name, "StartTime", start);
            if (s_submit(lk) != 0) {
                s_lookup_error(lk, cpw_last_error_detail());
                cpw_error_clear();
            }
        }
    }
    int rc = cpw_aws_client_run(acct->client);
    for (size_t i = 0; i < n; i++) {
        json_decref(lks[i].input);
    }
    cpw_free(lks);
    return rc < 0 ? -1 : 0;
}

/* The event's place in s_wanted (WANTED_COUNT for another name). */
static size_t s_lifecycle_rank(const char *name)
{
    size_t i = 0;
    while (i < WANTED_COUNT && !(name && strcmp(s_wanted[i].name, name) == 0)) {
        i++;
    }
    return i;
}

static int s_compare(const void *a, const void *b)
{
    const struct cpw_event *x = a;
    const struct cpw_event *y = b;
    if (x->time_s != y->time_s) {
        return x->time_s < y->time_s ? -1 : 1;
    }
    size_t rx = s_lifecycle_rank(x->event_name);
    size_t ry = s_lifecycle_rank(y->event_name);
    if (rx != ry) {
        return rx < ry ? -1 : 1;
    }
    return strcmp(x->event_id, y->event_id);
}

int cpw_events_collect(const struct cpw_events_options *opts, struct cpw_events *list)
{
    if (!opts || !list) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "events need options and a list");
    }
    int rc = 0;
    for (size_t a = 0; rc == 0 && a < opts->account_count; a++) {
        const struct cpw_events_account *acct = &opts->accounts[a];
        if (!acct->client) {
            s_add_error(list, acct->account, "", acct->error ? acct->error : "not reachable");
            continue;
        }
        rc = s_account(acct, opts, list);
    }
    cpw_events_sort(list);
    return rc;
}

void cpw_events_sort(struct cpw_events *list)
{
    if (list->count > 1) {
        qsort(list->items, list->count, sizeof(*list->items), s_compare);
    }
    /* An event found twice (the same id: the same time and name) is listed once. */
    size_t kept = 0;
    for (size_t i = 0; i < list->count; i++) {
        if (kept > 0 && strcmp(list->items[kept - 1].event_id, list->items[i].event_id) == 0) {
            cpw_event_clean_up(&list->items[i]);
        } else {
            list->items[kept++] = list->items[i];
        }
    }
    list->count = kept;
}

static int s_call(struct cpw_aws_client *client,
                  const char *service,
                  const char *operation,
                  bool all,
                  json_t **out)
{
    struct cpw_aws_error aws;
    cpw_aws_error_init(&aws);
    struct cpw_aws_call call = { .service = service, .operation = operation };
    int rc = all ? cpw_aws_client_call_all_pages(client, &call, 0, out, &aws)
                 : cpw_aws_client_call(client, &call, out, &aws);
    if (rc && aws.code) {
        cpw_raise(CPW_ERR_AWS, "%s %s: %s: %s", service, operation, aws.code,
                  aws.message ? aws.message : "");
    }
    cpw_aws_error_clean_up(&aws);
    return rc;
}

static int s_compare_ids(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int cpw_events_accounts(struct cpw_aws_client *caller,
                        bool org,
                        char **caller_account,
                        char **caller_arn,
                        char ***ids,
                        size_t *count)
{
    *caller_account = NULL;
    *caller_arn = NULL;
    *ids = NULL;
    *count = 0;
    json_t *who = NULL;
    json_t *list = NULL;
    int rc = -1;
    if (s_call(caller, "sts", "GetCallerIdentity", false, &who) != 0) {
        goto cleanup;
    }
    const char *account = cpw_json_get_string(who, "Account");
    const char *arn = cpw_json_get_string(who, "Arn");
    if (!account || !arn) {
        cpw_raise(CPW_ERR_AWS, "GetCallerIdentity answered without Account or Arn");
        goto cleanup;
    }
    *caller_account = cpw_strdup(account);
    *caller_arn = cpw_strdup(arn);
    if (!org) {
        *ids = cpw_calloc(1, sizeof(char *));
        (*ids)[0] = cpw_strdup(account);
        *count = 1;
        rc = 0;
        goto cleanup;
    }
    if (s_call(caller, "organizations", "ListAccounts", true, &list) != 0) {
        goto cleanup;
    }
    const json_t *accounts = cpw_json_get(list, "Accounts");
    *ids = cpw_calloc(json_array_size(accounts) + 1, sizeof(char *));
    for (size_t i = 0; i < json_array_size(accounts); i++) {
        const json_t *a = json_array_get(accounts, i);
        const char *id = cpw_json_get_string(a, "Id");
        const char *status = cpw_json_get_string(a, "State");
        status = status ? status : cpw_json_get_string(a, "Status");
        if (id && status && strcmp(status, "ACTIVE") == 0) {
            (*ids)[(*count)++] = cpw_strdup(id);
        }
    }
    qsort(*ids, *count, sizeof(char *), s_compare_ids);
    rc = 0;

cleanup:
    cpw_json_release(who);
    cpw_json_release(list);
    return rc;
}
