/*
 * collect.c - the collector's frame: who the caller is, which accounts are in scope (the
 * caller's, a list, or the organization's), the AssumeRole into each member, the rate-limit keys
 * of every account and region, one paginated AWS call with its scan error on failure, the parts
 * (account x region) and their completion, and the progress counters.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "collect_internal.h"
#include "cpw/alloc.h"
#include "cpw/aws_call.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/log.h"
#include "cpw/model.h"
#include "cpw/ratelimit.h"
#include "cpw/regions.h"
#include "cpw/time.h"

#define DEFAULT_MAX_PAGES          1000u
#define DEFAULT_ACCOUNTS_IN_FLIGHT 32u
#define DEFAULT_PROGRESS_MS        200
/* At most this many of the scan's requests are handed to the HTTP engine at once: more would
 * only wait in libcurl for one of the host's connections (32), each holding a transfer handle
 * and its buffers, so the scan's memory would grow with the requests its rate limits admit. */
#define IN_FLIGHT_KEY "cpwarden-inventory/in-flight"
#define IN_FLIGHT_CAP 96u

/* ----- small helpers ------------------------------------------------------------------------ */

void cpw_collect_key(char *out,
                     size_t cap,
                     const char *account,
                     const char *region,
                     const char *service,
                     const char *what)
{
    snprintf(out, cap, "%s/%s/%s/%s", account, region ? region : "global", service, what);
}

int64_t cpw_collect_time(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (json_is_integer(v)) {
        return (int64_t)json_integer_value(v);
    }
    if (json_is_real(v)) {
        return (int64_t)json_real_value(v);
    }
    int64_t ms = 0;
    if (json_is_string(v) &&
        cpw_time_parse_iso8601_ms(cpw_span_from_cstr(json_string_value(v)), &ms) == 0) {
        return ms / 1000;
    }
    return 0;
}

void cpw_collect_error(struct cpw_collect *scan,
                       const char *account,
                       const char *region,
                       const char *service,
                       const char *operation,
                       const char *code,
                       const char *message)
{
    struct cpw_inv_error e = { .account = (char *)account,
                               .region = (char *)region,
                               .service = (char *)service,
                               .operation = (char *)operation,
                               .code = (char *)code,
                               .message = (char *)message };
    cpw_inventory_add_error(scan->inv, &e);
    scan->progress.scan_errors++;
}

bool cpw_collect_region_unusable(const char *opt_status)
{
    return opt_status && strcmp(opt_status, "ENABLED") != 0 &&
           strcmp(opt_status, "ENABLED_BY_DEFAULT") != 0;
}

void cpw_collect_record_region(struct cpw_inventory *inv,
                               const char *account,
                               const char *region,
                               const struct cpw_collect_region_facts *f)
{
    bool opt_in = cpw_region_is_opt_in(region);
    enum cpw_inv_region_state state = CPW_INV_REGION_UNKNOWN;
    struct cpw_buf why;
    cpw_buf_init(&why, 4096);
    if (!f->reached) {
        (void)cpw_buf_append_cstr(&why, "not read: the account could not be reached");
    } else if (f->skipped) {
        state = CPW_INV_REGION_NOT_ENABLED;
        (void)cpw_buf_appendf(&why, "ListRegions: %s (not called)", f->listed);
    } else if (opt_in && f->unrecognized) {
        (void)cpw_buf_appendf(
          &why, "%s (what an opt-in region the account has not enabled answers)", f->unrecognized);
    } else if (f->listed) {
        state = CPW_INV_REGION_ENABLED;
        (void)cpw_buf_appendf(&why, "ListRegions: %s", f->listed);
    } else if (!opt_in) {
        state = CPW_INV_REGION_ENABLED;
        (void)cpw_buf_append_cstr(&why, "enabled by default (not an opt-in region)");
    } else if (f->errors == 0) {
        state = CPW_INV_REGION_ENABLED;
        (void)cpw_buf_appendf(&why, "%s; the region's scan succeeded",
                              f->list_error ? f->list_error : "ListRegions did not list it");
    } else {
        (void)cpw_buf_appendf(&why, "%s; the region's scan failed",
                              f->list_error ? f->list_error : "ListRegions did not list it");
    }
    struct cpw_inv_region_status st = { .account = (char *)account,
                                        .region = (char *)region,
                                        .state = state,
                                        .evidence = (char *)cpw_buf_cstr(&why) };
    (void)cpw_inventory_add_region_status(inv, &st);
    cpw_buf_clean_up(&why);
}

/* A short code for a failure that is not an AWS error answer. */
static const char *s_local_code(enum cpw_error error)
{
    switch (error) {
    case CPW_ERR_HTTP:
        return "ConnectionError";
    case CPW_ERR_TIMEOUT:
        return "RequestTimeout";
    case CPW_ERR_CREDENTIALS:
        return "CredentialsError";
    case CPW_ERR_PARSE:
        return "UnreadableResponse";
    case CPW_ERR_CONFIG:
        return "EndpointError";
    default:
        return cpw_error_name(error);
    }
}

/* ----- progress ----------------------------------------------------------------------------- */

static void s_progress(struct cpw_collect *scan, bool finished)
{
    int64_t now = cpw_time_monotonic_ms();
    int64_t interval =
      scan->opts->progress_interval_ms > 0 ? scan->opts->progress_interval_ms : DEFAULT_PROGRESS_MS;
    if (!finished && now - scan->last_progress_ms < interval) {
        return;
    }
    scan->last_progress_ms = now;
    struct cpw_collect_progress *p = &scan->progress;
    struct cpw_http_engine_stats stats;
    cpw_http_engine_get_stats(cpw_aws_client_engine(scan->client), &stats);
    p->requests = stats.requests_sent;
    p->throttles = stats.throttles;
    p->retries = stats.retries;
    p->elapsed_ms = now - scan->started_ms;
    p->remaining_ms = -1;
    if (p->parts_done > 0 && p->parts_total >= p->parts_done) {
        p->remaining_ms =
          (int64_t)((double)p->elapsed_ms * (double)(p->parts_total - p->parts_done) /
                    (double)p->parts_done);
    }
    p->finished = finished;
    if (scan->opts->progress) {
        scan->opts->progress(scan->opts->progress_user, p);
    }
}

/* ----- parts and accounts ------------------------------------------------------------------- */

static void s_start_next_accounts(struct cpw_collect *scan);
static void s_limits(struct cpw_collect *scan, const char *account, const char *region, bool set);

static void s_part_end(struct cpw_collect_part *part)
{
    struct cpw_collect_account *acct = part->account;
    struct cpw_collect *scan = acct->scan;
    if (part->region) {
        cpw_collect_flush_domains(part);
        struct cpw_collect_region_facts facts = {
            .reached = acct->scanned,
            .skipped = part->not_enabled,
            .listed = json_string_value(json_object_get(acct->listed, part->region)),
            .list_error = acct->regions_error,
            .errors = part->errors,
            .unrecognized = part->unrecognized,
        };
        cpw_collect_record_region(scan->inv, acct->id, part->region, &facts);
        cpw_free(part->unrecognized);
        part->unrecognized = NULL;
    }
    json_decref(part->domains);
    json_decref(part->account_integrations);
    part->domains = NULL;
    part->account_integrations = NULL;
    scan->progress.parts_done++;
    scan->progress.regions_done += part->region != NULL; /* the global (IAM) part is no region */
    if (--acct->parts_left == 0) {
        scan->progress.accounts_done++;
        scan->accounts_in_flight--;
        cpw_credentials_provider_destroy(acct->provider);
        acct->provider = NULL;
        /* What only the account's calls needed goes with them: the inventory holds the rest. */
        json_decref(acct->listed);
        acct->listed = NULL;
        cpw_free(acct->regions_error);
        acct->regions_error = NULL;
        for (size_t r = 0; r <= scan->opts->region_count; r++) {
            s_limits(scan, acct->id, acct->parts[r].region, false);
        }
        s_start_next_accounts(scan);
    }
    s_progress(scan, false);
}

static void s_part_release(struct cpw_collect_part *part)
{
    if (--part->pending == 0) {
        s_part_end(part);
    }
}

/* One rate limit of an account: set (rate, burst) when set is true, else removed. */
static void s_limit(struct cpw_collect *scan, const char *key, double rate, double burst, bool set)
{
    if (set) {
        cpw_ratelimit_set(scan->limits, key, rate, burst, 0);
    } else {
        (void)cpw_ratelimit_remove(scan->limits, key);
    }
}

/* Sets (set true) or removes the account's rate limits for one region (NULL: the global
 * services). They are removed when the account ends, so that the registry holds only the
 * accounts in flight, whatever the organization's size. */
static void s_limits(struct cpw_collect *scan, const char *account, const char *region, bool set)
{
    char key[192];
    if (!region) {
        cpw_collect_key(key, sizeof(key), account, NULL, "iam", "ALL");
        s_limit(scan, key, CPW_COLLECT_RATE_IAM, CPW_COLLECT_BURST_IAM, set);
        if (scan->opts->evidence_cloudtrail) {
            cpw_collect_key(key, sizeof(key), account, "us-east-1", "cloudtrail", "LookupEvents");
            s_limit(scan, key, CPW_COLLECT_RATE_CLOUDTRAIL_LOOKUP,
                    CPW_COLLECT_RATE_CLOUDTRAIL_LOOKUP, set);
        }
        cpw_collect_key(key, sizeof(key), account, NULL, "account", "ListRegions");
        s_limit(scan, key, CPW_COLLECT_RATE_ACCOUNT_REGIONS, CPW_COLLECT_BURST_ACCOUNT_REGIONS,
                set);
        return;
    }
    static const char *const list_ops[] = { "ListDomains", "GetDomain", "ListIntegrations" };
    for (size_t i = 0; i < sizeof(list_ops) / sizeof(list_ops[0]); i++) {
        cpw_collect_key(key, sizeof(key), account, region, "profile", list_ops[i]);
        s_limit(scan, key, CPW_COLLECT_RATE_PROFILE_LIST, CPW_COLLECT_RATE_PROFILE_LIST, set);
    }
    cpw_collect_key(key, sizeof(key), account, region, "profile", "ListAccountIntegrations");
    s_limit(scan, key, CPW_COLLECT_RATE_PROFILE_ACCOUNT, CPW_COLLECT_RATE_PROFILE_ACCOUNT, set);
    cpw_collect_key(key, sizeof(key), account, region, "connect", "ALL");
    s_limit(scan, key, CPW_COLLECT_RATE_CONNECT, CPW_COLLECT_BURST_CONNECT, set);
    if (scan->opts->evidence_cloudtrail && strcmp(region, "us-east-1") != 0) {
        cpw_collect_key(key, sizeof(key), account, region, "cloudtrail", "LookupEvents");
        s_limit(scan, key, CPW_COLLECT_RATE_CLOUDTRAIL_LOOKUP, CPW_COLLECT_RATE_CLOUDTRAIL_LOOKUP,
                set);
    }
}

/* Submits the calls of one regional part. */
static void s_start_region(struct cpw_collect_part *part)
{
    struct cpw_collect *scan = part->account->scan;
    part->started = true;
    s_limits(scan, part->account->id, part->region, true);
    cpw_collect_start_connect(part);
    cpw_collect_start_profile(part);
    if (scan->opts->evidence_cloudtrail) {
        cpw_collect_start_regional_evidence(part);
    }
}

/* Once the enabled regions are known, starts the opt-in regions the account has enabled (one
 * it has not enabled ends without a call), and lets every regional part (held open by
 * s_scan_account) end, so that each region's status is recorded with ListRegions' answer. */
static void s_start_regions(struct cpw_collect_account *acct)
{
    struct cpw_collect *scan = acct->scan;
    for (size_t r = 0; r < scan->opts->region_count; r++) {
        struct cpw_collect_part *part = &acct->parts[r];
        const char *listed = json_string_value(json_object_get(acct->listed, part->region));
        /* A part started with the account is not an opt-in region: never listed unusable. */
        if (!part->started && listed && cpw_collect_region_unusable(listed)) {
            part->not_enabled = true;
        } else if (!part->started) {
            s_start_region(part);
        }
        s_part_release(part);
    }
}

static void s_regions_page(struct cpw_collect_call *call, const json_t *output)
{
    struct cpw_collect_account *acct = call->part->account;
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(output, "Regions"), i, item)
    {
        const char *name = cpw_json_get_string(item, "RegionName");
        const char *status = cpw_json_get_string(item, "RegionOptStatus");
        if (name && status) {
            json_object_set_new(acct->listed, name, json_string(status));
        }
    }
}

static void s_regions_end(struct cpw_collect_call *call, bool ok, const char *code)
{
    struct cpw_collect_account *acct = call->part->account;
    if (!ok) {
        /* Not a scan error of its own: what it leaves unknown is the regions' status. */
        struct cpw_buf why;
        cpw_buf_init(&why, 2048);
        (void)cpw_buf_appendf(&why, "ListRegions failed: %s: %s", code ? code : "Error",
                              call->message ? call->message : "");
        acct->regions_error = cpw_strdup(cpw_buf_cstr(&why));
        cpw_buf_clean_up(&why);
        cpw_log(CPW_LOG_WARN,
                "inventory: account %s: %s (opt-in regions count as enabled only where their "
                "scan succeeds)",
                acct->id, acct->regions_error);
        json_object_clear(acct->listed);
    }
    s_start_regions(acct);
}

/* The account's calls, once its credentials are there. */
static void s_scan_account(struct cpw_collect_account *acct)
{
    struct cpw_collect *scan = acct->scan;
    size_t regions = scan->opts->region_count;
    acct->scanned = true;
    acct->listed = json_object();
    /* Hold every part open until all its first calls are submitted; the regional parts until
     * ListRegions has answered. */
    for (size_t r = 0; r <= regions; r++) {
        acct->parts[r].pending++;
    }
    s_limits(scan, acct->id, NULL, true);
    cpw_collect_start_iam(&acct->parts[regions]);
    /* A region enabled by default needs no answer from ListRegions to be read: its calls go
     * now, beside ListRegions (an opt-in region waits for it). */
    for (size_t r = 0; r < regions; r++) {
        if (!cpw_region_is_opt_in(acct->parts[r].region)) {
            s_start_region(&acct->parts[r]);
        }
    }
    if (!cpw_region_offers("account", scan->opts->regions[0])) {
        acct->regions_error = cpw_strdup("AWS Account Management is not offered in this partition");
        s_start_regions(acct);
    } else {
        char key[192];
        cpw_collect_key(key, sizeof(key), acct->id, NULL, "account", "ListRegions");
        struct cpw_collect_call_spec spec = {
            .service = "account",
            .signing = "account",
            .operation = "ListRegions",
            .input = json_pack("{s:i}", "MaxResults", 50),
            .limit_key = key,
            .in_token = "NextToken",
            .out_token = "NextToken",
            .max_pages = 20,
            .on_page = s_regions_page,
            .on_end = s_regions_end,
            .quiet = true,
        };
        cpw_collect_submit(&acct->parts[regions], &spec);
    }
    s_part_release(&acct->parts[regions]);
}

/* Every part of an account that could not be reached ends at once. */
static void s_account_unreachable(struct cpw_collect_account *acct)
{
    for (size_t r = 0; r <= acct->scan->opts->region_count; r++) {
        s_part_end(&acct->parts[r]);
    }
}

static void s_assume_done(void *user, struct cpw_aws_result *r)
{
    struct cpw_collect_account *acct = user;
    struct cpw_collect *scan = acct->scan;
    struct cpw_credentials creds;
    cpw_credentials_init(&creds);
    char role_arn[256];
    snprintf(role_arn, sizeof(role_arn), "arn:%s:iam::%s:role/%s", scan->partition, acct->id,
             scan->opts->role_name ? scan->opts->role_name : CPW_COLLECT_DEFAULT_ROLE_NAME);
    if (r->status == 0 &&
        cpw_credentials_from_assume_role_output(&creds, r->output, role_arn) == 0) {
        struct cpw_credentials_assume_role_options aopts = {
            .source = cpw_aws_client_credentials(scan->client),
            .role_arn = role_arn,
            .invoke = cpw_aws_client_invoke,
            .invoke_ctx = scan->client,
        };
        acct->provider = cpw_credentials_provider_new_assume_role(&aopts);
        cpw_credentials_provider_seed(acct->provider, &creds);
        cpw_credentials_clean_up(&creds);
        s_scan_account(acct);
        return;
    }
    const char *code = r->aws.code      ? r->aws.code
                       : r->status == 0 ? "CredentialsError"
                                        : s_local_code(r->error);
    const char *message = r->aws.code ? (r->aws.message ? r->aws.message : "") : r->detail;
    if (r->status == 0) {
        message = cpw_last_error_detail();
    }
    struct cpw_buf what;
    cpw_buf_init(&what, 4096);
    (void)cpw_buf_appendf(&what, "cannot assume %s: %s", role_arn, message);
    cpw_collect_error(scan, acct->id, NULL, NULL, "AssumeRole", code, cpw_buf_cstr(&what));
    cpw_buf_clean_up(&what);
    cpw_credentials_clean_up(&creds);
    s_account_unreachable(acct);
}

static void s_start_account(struct cpw_collect_account *acct)
{
    struct cpw_collect *scan = acct->scan;
    acct->started = true;
    scan->accounts_in_flight++;
    cpw_inventory_add_account(scan->inv, acct->id);
    if (strcmp(acct->id, scan->caller_account) == 0) {
        s_scan_account(acct);
        return;
    }
    char role_arn[256];
    char session[64];
    snprintf(role_arn, sizeof(role_arn), "arn:%s:iam::%s:role/%s", scan->partition, acct->id,
             scan->opts->role_name ? scan->opts->role_name : CPW_COLLECT_DEFAULT_ROLE_NAME);
    snprintf(session, sizeof(session), "cpwarden-inventory-%lld",
             (long long)(cpw_time_now_ms() / 1000));
    json_t *input = json_pack("{s:s, s:s}", "RoleArn", role_arn, "RoleSessionName", session);
    char key[192];
    cpw_collect_key(key, sizeof(key), scan->caller_account, NULL, "sts", "ALL");
    const char *keys[] = { key };
    struct cpw_aws_call call = { .service = "sts",
                                 .operation = "AssumeRole",
                                 .input = input,
                                 .limit_keys = keys,
                                 .limit_key_count = 1 };
    int rc = cpw_aws_client_submit(scan->client, &call, s_assume_done, acct);
    json_decref(input);
    if (rc) {
        cpw_collect_error(scan, acct->id, NULL, NULL, "AssumeRole", s_local_code(cpw_last_error()),
                          cpw_last_error_detail());
        s_account_unreachable(acct);
    }
}

static void s_start_next_accounts(struct cpw_collect *scan)
{
    unsigned cap = scan->opts->max_accounts_in_flight ? scan->opts->max_accounts_in_flight
                                                      : DEFAULT_ACCOUNTS_IN_FLIGHT;
    while (scan->next_account < scan->account_count && scan->accounts_in_flight < cap) {
        s_start_account(scan->accounts[scan->next_account++]);
    }
}

/* ----- one call ----------------------------------------------------------------------------- */

static void s_call_free(struct cpw_collect_call *call)
{
    json_decref(call->spec.input);
    cpw_free(call);
}

static int s_call_send(struct cpw_collect_call *call);

static void s_call_done(void *user, struct cpw_aws_result *r)
{
    struct cpw_collect_call *call = user;
    struct cpw_collect_part *part = call->part;
    struct cpw_collect *scan = part->account->scan;
    if (r->status == 0) {
        call->pages++;
        if (call->spec.on_page) {
            call->spec.on_page(call, r->output);
        }
        const char *token = call->spec.out_token
                              ? json_string_value(json_object_get(r->output, call->spec.out_token))
                              : NULL;
        bool more = token && *token;
        if (call->spec.more && !json_is_true(json_object_get(r->output, call->spec.more))) {
            more = false;
        }
        unsigned max_pages = call->spec.max_pages ? call->spec.max_pages : DEFAULT_MAX_PAGES;
        if (more && call->pages < max_pages) {
            json_object_set_new(call->spec.input, call->spec.in_token, json_string(token));
            if (s_call_send(call) == 0) {
                return; /* still pending */
            }
            const char *local = s_local_code(cpw_last_error());
            call->message = cpw_last_error_detail();
            call->outcome = CPW_AWS_OUTCOME_OTHER;
            if (!call->spec.quiet) {
                cpw_collect_error(scan, part->account->id, call->spec.region, call->spec.signing,
                                  call->spec.operation, local, call->message);
                part->errors++;
            }
            if (call->spec.on_end) {
                call->spec.on_end(call, false, local);
            }
        } else if (call->spec.on_end) {
            call->spec.on_end(call, true, NULL);
        }
    } else {
        const char *code = r->aws.code ? r->aws.code : s_local_code(r->error);
        /* Only a service answer is classified: a local failure is never not-found. */
        call->outcome = r->error == CPW_ERR_AWS
                          ? cpw_aws_classify(call->spec.service, r->status, &r->aws)
                          : CPW_AWS_OUTCOME_OTHER;
        bool quiet = call->spec.quiet ||
                     (call->spec.quiet_not_found && call->outcome == CPW_AWS_OUTCOME_NOT_FOUND);
        const char *message = r->aws.code && r->aws.message ? r->aws.message : r->detail;
        call->message = message;
        if (!quiet) {
            cpw_collect_error(scan, part->account->id, call->spec.region, call->spec.signing,
                              call->spec.operation, code, message);
            part->errors++;
            if (part->region && !part->unrecognized &&
                strcmp(code, "UnrecognizedClientException") == 0) {
                struct cpw_buf what;
                cpw_buf_init(&what, 2048);
                (void)cpw_buf_appendf(&what, "%s %s: %s: %s", call->spec.signing,
                                      call->spec.operation, code, message ? message : "");
                part->unrecognized = cpw_strdup(cpw_buf_cstr(&what));
                cpw_buf_clean_up(&what);
            }
        }
        if (call->spec.on_end) {
            call->spec.on_end(call, false, code);
        }
    }
    s_call_free(call);
    s_part_release(part);
}

static int s_call_send(struct cpw_collect_call *call)
{
    const char *keys[2] = { IN_FLIGHT_KEY, NULL };
    size_t key_count = 1;
    if (call->key[0]) {
        keys[key_count++] = call->key;
    }
    struct cpw_aws_call c = {
        .service = call->spec.service,
        .operation = call->spec.operation,
        .input = call->spec.input,
        .region = call->spec.region,
        .credentials = call->part->account->provider,
        .limit_keys = keys,
        .limit_key_count = key_count,
    };
    return cpw_aws_client_submit(call->part->account->scan->client, &c, s_call_done, call);
}

void cpw_collect_submit(struct cpw_collect_part *part, const struct cpw_collect_call_spec *spec)
{
    struct cpw_collect *scan = part->account->scan;
    struct cpw_collect_call *call = cpw_calloc(1, sizeof(*call));
    call->part = part;
    call->spec = *spec;
    if (!call->spec.input) {
        call->spec.input = json_object();
    }
    if (!call->spec.region) {
        call->spec.region = part->region;
    }
    if (spec->limit_key) {
        snprintf(call->key, sizeof(call->key), "%s", spec->limit_key);
    }
    part->pending++;
    if (s_call_send(call)) {
        const char *local = s_local_code(cpw_last_error());
        call->message = cpw_last_error_detail();
        call->outcome = CPW_AWS_OUTCOME_OTHER;
        if (!spec->quiet) {
            cpw_collect_error(scan, part->account->id, call->spec.region, spec->signing,
                              spec->operation, local, call->message);
            part->errors++;
        }
        if (spec->on_end) {
            spec->on_end(call, false, local);
        }
        s_call_free(call);
        s_part_release(part);
    }
}

/* ----- scope -------------------------------------------------------------------------------- */

static bool s_listed(const char *const *list, size_t count, const char *id)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(list[i], id) == 0) {
            return true;
        }
    }
    return false;
}

static void s_add_account(struct cpw_collect *scan, const char *id)
{
    const struct cpw_collect_options *o = scan->opts;
    if (s_listed(o->exclude_accounts, o->exclude_count, id)) {
        return;
    }
    for (size_t i = 0; i < scan->account_count; i++) {
        if (strcmp(scan->accounts[i]->id, id) == 0) {
            return;
        }
    }
    struct cpw_collect_account *acct = cpw_calloc(1, sizeof(*acct));
    acct->scan = scan;
    acct->id = cpw_strdup(id);
    acct->parts = cpw_calloc(o->region_count + 1, sizeof(*acct->parts));
    for (size_t r = 0; r <= o->region_count; r++) {
        acct->parts[r].account = acct;
        acct->parts[r].region = r < o->region_count ? o->regions[r] : NULL;
    }
    acct->parts_left = o->region_count + 1;
    scan->accounts = cpw_realloc(scan->accounts, (scan->account_count + 1) * sizeof(void *));
    scan->accounts[scan->account_count++] = acct;
}

/* Once the caller is known: the caller's own account when no list was asked for, or when the
 * organization's could not be read (with that failure as a scan error), then as many accounts as
 * may run. Called again whenever a page of the organization's accounts arrives. */
static void s_begin(struct cpw_collect *scan)
{
    if (!scan->caller_account) {
        return; /* GetCallerIdentity has not answered yet */
    }
    if (!scan->began) {
        scan->began = true;
        char key[192];
        cpw_collect_key(key, sizeof(key), scan->caller_account, NULL, "sts", "ALL");
        cpw_ratelimit_set(scan->limits, key, CPW_COLLECT_RATE_STS, CPW_COLLECT_RATE_STS, 0);
        if (!scan->opts->org && !scan->opts->account_count) {
            s_add_account(scan, scan->caller_account);
        }
    }
    if (scan->list_error_code) {
        cpw_collect_error(scan, scan->caller_account, NULL, "organizations", "ListAccounts",
                          scan->list_error_code, scan->list_error_message);
        cpw_free(scan->list_error_code);
        cpw_free(scan->list_error_message);
        scan->list_error_code = scan->list_error_message = NULL;
        s_add_account(scan, scan->caller_account); /* what can be read without the list */
    }
    scan->progress.accounts_total = scan->account_count;
    scan->progress.parts_total = scan->account_count * (scan->opts->region_count + 1);
    scan->progress.regions_total = scan->account_count * scan->opts->region_count;
    s_start_next_accounts(scan);
}

static void s_identity_done(void *user, struct cpw_aws_result *r)
{
    struct cpw_collect *scan = user;
    struct cpw_aws_identity who;
    memset(&who, 0, sizeof(who));
    if (r->status == 0 && cpw_aws_identity_from_output(r->output, &who) == 0) {
        scan->caller_account = who.account;
        scan->caller_arn = who.arn;
        scan->partition = who.partition;
        who.account = who.arn = who.partition = NULL;
        cpw_aws_identity_clean_up(&who);
        s_begin(scan);
        return;
    }
    struct cpw_buf what;
    cpw_buf_init(&what, 4096);
    if (r->status != 0 && r->aws.code) {
        /* Unknown or expired keys are a credentials problem, as the AWS CLI reports them. */
        scan->identity_error = CPW_ERR_CREDENTIALS;
        (void)cpw_buf_appendf(&what, "sts GetCallerIdentity: %s: %s", r->aws.code,
                              r->aws.message ? r->aws.message : "");
    } else {
        scan->identity_error = r->status != 0 ? r->error : cpw_last_error();
        (void)cpw_buf_append_cstr(&what, r->status != 0 ? r->detail : cpw_last_error_detail());
    }
    scan->identity_detail = cpw_strdup(cpw_buf_cstr(&what));
    cpw_buf_clean_up(&what);
}

static int s_list_accounts(struct cpw_collect *scan, const char *token);

/* One page of the organization's accounts: the active ones in scope join the scan (and start,
 * once the caller is known) while the next page is asked for. */
static void s_accounts_page(void *user, struct cpw_aws_result *r)
{
    struct cpw_collect *scan = user;
    if (r->status != 0) {
        scan->list_error_code = cpw_strdup(r->aws.code ? r->aws.code : s_local_code(r->error));
        scan->list_error_message =
          cpw_strdup(r->aws.code && r->aws.message ? r->aws.message : r->detail);
        s_begin(scan);
        return;
    }
    size_t i;
    const json_t *a;
    json_array_foreach(json_object_get(r->output, "Accounts"), i, a)
    {
        const char *id = cpw_json_get_string(a, "Id");
        const char *status = cpw_json_get_string(a, "Status");
        if (!id || (status && strcmp(status, "ACTIVE") != 0)) {
            continue;
        }
        if (scan->opts->account_count &&
            !s_listed(scan->opts->accounts, scan->opts->account_count, id)) {
            continue;
        }
        s_add_account(scan, id);
    }
    const char *token = cpw_json_get_string(r->output, "NextToken");
    if (token && *token) {
        if (++scan->list_pages >= DEFAULT_MAX_PAGES) {
            cpw_raise(CPW_ERR_LIMIT, "the organization lists more than %u pages of accounts",
                      DEFAULT_MAX_PAGES);
        }
        if (scan->list_pages >= DEFAULT_MAX_PAGES || s_list_accounts(scan, token)) {
            scan->list_error_code = cpw_strdup(s_local_code(cpw_last_error()));
            scan->list_error_message = cpw_strdup(cpw_last_error_detail());
        }
    }
    s_begin(scan);
}

/* Asks for one page of the organization's accounts (token NULL: the first). */
static int s_list_accounts(struct cpw_collect *scan, const char *token)
{
    json_t *input = token ? json_pack("{s:s}", "NextToken", token) : NULL;
    struct cpw_aws_call call = { .service = "organizations",
                                 .operation = "ListAccounts",
                                 .input = input };
    int rc = cpw_aws_client_submit(scan->client, &call, s_accounts_page, scan);
    json_decref(input);
    return rc;
}

/* ----- entry point -------------------------------------------------------------------------- */

/* Parses the service models the accounts' calls use, on a thread of its own while the first
 * calls (who is calling, the organization's accounts, AssumeRole) are in flight: parsed on first
 * use instead, they held up every answer that needed them (Connect's model alone is 570 KB). */
static void *s_preload_models(void *arg)
{
    const struct cpw_collect *scan = arg;
    static const char *const models[] = { "account", "iam", "connect", "customer-profiles" };
    for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
        (void)cpw_model_service_get(models[i]);
    }
    if (scan->opts->evidence_cloudtrail) {
        (void)cpw_model_service_get("cloudtrail");
    }
    return NULL;
}

void cpw_collect_result_clean_up(struct cpw_collect_result *result)
{
    if (!result) {
        return;
    }
    cpw_free(result->identity_arn);
    cpw_free(result->caller_account);
    memset(result, 0, sizeof(*result));
}

int cpw_collect_inventory(struct cpw_aws_client *client,
                          const struct cpw_collect_options *opts,
                          struct cpw_inventory *inv,
                          struct cpw_collect_result *result)
{
    memset(result, 0, sizeof(*result));
    if (!client || !opts || !inv || opts->region_count == 0) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "the inventory needs a client and a region");
    }
    struct cpw_collect scan = {
        .client = client,
        .limits = cpw_http_engine_ratelimit(cpw_aws_client_engine(client)),
        .opts = opts,
        .inv = inv,
        .started_ms = cpw_time_monotonic_ms(),
    };
    int rc = -1;
    cpw_inventory_set_scanned_at(inv, cpw_time_now_s());
    cpw_ratelimit_set(scan.limits, IN_FLIGHT_KEY, 0, 0, IN_FLIGHT_CAP);
    for (size_t r = 0; r < opts->region_count; r++) {
        cpw_inventory_add_region(inv, opts->regions[r]);
    }
    /* Who is calling and which accounts the organization has are asked at once; the accounts
     * start once the caller is known, each page's while the next is read. */
    struct cpw_aws_call who = { .service = "sts", .operation = "GetCallerIdentity" };
    if (cpw_aws_client_submit(client, &who, s_identity_done, &scan)) {
        goto cleanup;
    }
    if (opts->org && s_list_accounts(&scan, NULL)) {
        scan.list_error_code = cpw_strdup(s_local_code(cpw_last_error()));
        scan.list_error_message = cpw_strdup(cpw_last_error_detail());
    } else if (!opts->org) {
        for (size_t i = 0; i < opts->account_count; i++) {
            s_add_account(&scan, opts->accounts[i]);
        }
    }
    pthread_t preload;
    bool preloading = pthread_create(&preload, NULL, s_preload_models, &scan) == 0;
    if (cpw_aws_client_run(client)) {
        cpw_log(CPW_LOG_WARN, "inventory: the HTTP engine stopped: %s", cpw_last_error_detail());
    }
    if (preloading) {
        pthread_join(preload, NULL);
    }
    if (!scan.caller_account) {
        cpw_raise(scan.identity_detail ? scan.identity_error : CPW_ERR_INTERNAL, "%s",
                  scan.identity_detail ? scan.identity_detail
                                       : "sts GetCallerIdentity did not answer");
        goto cleanup;
    }
    result->identity_arn = cpw_strdup(scan.caller_arn);
    result->caller_account = cpw_strdup(scan.caller_account);
    s_progress(&scan, true);
    for (size_t i = 0; i < scan.account_count; i++) {
        if (!scan.accounts[i]->started || scan.accounts[i]->parts_left) {
            cpw_collect_error(&scan, scan.accounts[i]->id, NULL, NULL, NULL, "NotScanned",
                              "the scan ended before this account was read");
        }
    }
    cpw_log(CPW_LOG_INFO,
            "inventory: %zu account(s) x %zu region(s): %llu requests, %llu throttled, %llu "
            "retries, %zu scan error(s) in %lld ms",
            scan.account_count, opts->region_count, (unsigned long long)scan.progress.requests,
            (unsigned long long)scan.progress.throttles, (unsigned long long)scan.progress.retries,
            cpw_inventory_error_count(inv), (long long)scan.progress.elapsed_ms);
    result->accounts_scanned = scan.account_count;
    result->scan_errors = cpw_inventory_error_count(inv);
    result->final = scan.progress;
    cpw_inventory_analyze(inv);
    rc = 0;

cleanup:
    for (size_t i = 0; i < scan.account_count; i++) {
        struct cpw_collect_account *acct = scan.accounts[i];
        for (size_t r = 0; r <= opts->region_count; r++) {
            json_decref(acct->parts[r].domains);
            json_decref(acct->parts[r].account_integrations);
            cpw_free(acct->parts[r].unrecognized);
        }
        json_decref(acct->listed);
        cpw_free(acct->regions_error);
        cpw_credentials_provider_destroy(acct->provider);
        cpw_free(acct->parts);
        cpw_free(acct->id);
        cpw_free(acct);
    }
    cpw_free(scan.accounts);
    cpw_free(scan.caller_account);
    cpw_free(scan.caller_arn);
    cpw_free(scan.partition);
    cpw_free(scan.identity_detail);
    cpw_free(scan.list_error_code);
    cpw_free(scan.list_error_message);
    return rc;
}
