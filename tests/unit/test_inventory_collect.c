/*
 * test_inventory_collect.c - the inventory collector against an in-process sandbox on 127.0.0.1:
 * the built-in `orphans` scenario read through the API gives exactly the findings of the story
 * built by hand in test_inventory.c; an organization is walked through AssumeRole with its
 * leftovers found in member accounts; a member whose role refuses us and a service throttled
 * beyond the retries become scan errors while the rest is still read; CloudTrail evidence ties a
 * domain created through the API to its role with certainty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/aws_client.h"
#include "cpw/error.h"
#include "cpw/inventory.h"
#include "cpw/inventory_collect.h"
#include "cpw/live.h"
#include "cpw/regions.h"
#include "cpw/sandbox.h"
#include "harness.h"
#include "sandbox/sbx_realism.h"

#define MGMT "123456789012"
#define M1   "111111111111"
#define M2   "222222222222"

static struct cpw_sandbox *s_sandbox;

static void s_env(void)
{
    setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", 1);
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_PROFILE");
    unsetenv("AWS_ENDPOINT_URL");
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("AWS_CONFIG_FILE", "/dev/null", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
}

/* Starts the sandbox with a scenario document (taken) and knobs (JSON text or NULL). */
static void s_start(json_t *scenario, const char *knobs_text)
{
    json_t *knobs = knobs_text ? json_loads(knobs_text, 0, NULL) : NULL;
    struct cpw_sandbox_options opts = { .port = 0,
                                        .threads = 2,
                                        .scenario = scenario,
                                        .knobs = knobs,
                                        .slr_deletion_delay_ms = 0,
                                        .create_account_delay_ms = 0 };
    s_sandbox = cpw_sandbox_start(&opts);
    if (!s_sandbox) {
        fail_msg("sandbox: %s", cpw_last_error_detail());
    }
    json_decref(scenario);
    json_decref(knobs);
}

static json_t *s_builtin(const char *spec)
{
    json_t *doc = NULL;
    assert_int_equal(cpw_sbx_builtin_scenario(spec, &doc), 0);
    return doc;
}

static struct cpw_aws_client *s_client(void)
{
    struct cpw_http_engine_options engine = {
        .max_host_connections = 32,
        .retry = { .max_attempts = 2, .backoff_base_ms = 5, .max_backoff_ms = 20 },
    };
    struct cpw_aws_client_options opts = {
        .region = "us-east-1",
        .endpoint_url = cpw_sandbox_url(s_sandbox),
        .engine = &engine,
    };
    struct cpw_aws_client *client = cpw_aws_client_new(&opts);
    assert_non_null(client);
    return client;
}

static const char *const s_two_regions[] = { "us-east-1", "eu-west-2" };

/* What `--regions all` reads: every region where Connect or Customer Profiles is offered. */
static void s_all_regions(struct cpw_region_list *out)
{
    static const char *const services[] = { "connect", "customer-profiles" };
    struct cpw_regions_parse_options ro = {
        .spec = "all", .services = services, .service_count = 2, .current_region = "us-east-1"
    };
    memset(out, 0, sizeof(*out));
    assert_int_equal(cpw_regions_parse(&ro, out), 0);
    assert_true(out->count > 2);
}

/* Scans with opts (regions defaulted to the two above) into a new inventory. */
static struct cpw_inventory *s_scan(struct cpw_collect_options *opts,
                                    struct cpw_collect_result *result)
{
    if (!opts->region_count) {
        opts->regions = s_two_regions;
        opts->region_count = 2;
    }
    struct cpw_aws_client *client = s_client();
    struct cpw_inventory *inv = cpw_inventory_new();
    if (cpw_collect_inventory(client, opts, inv, result)) {
        fail_msg("collect: %s", cpw_last_error_detail());
    }
    cpw_aws_client_destroy(client);
    return inv;
}

static void s_stop(void)
{
    cpw_sandbox_stop(s_sandbox);
    s_sandbox = NULL;
}

struct expect {
    enum cpw_inv_finding_kind kind;
    enum cpw_inv_confidence confidence;
    const char *arn_suffix;
};

static void s_assert_findings(const struct cpw_inventory *inv, const struct expect *e, size_t n)
{
    if (cpw_inventory_finding_count(inv) != n) {
        for (size_t i = 0; i < cpw_inventory_finding_count(inv); i++) {
            const struct cpw_inv_finding *f = cpw_inventory_finding(inv, i);
            print_message("finding %zu: %s %s %s\n", i, cpw_inv_finding_kind_name(f->kind),
                          cpw_inv_confidence_name(f->confidence), f->resource_arn);
        }
    }
    assert_int_equal(cpw_inventory_finding_count(inv), n);
    for (size_t i = 0; i < n; i++) {
        const struct cpw_inv_finding *f = cpw_inventory_finding(inv, i);
        assert_string_equal(cpw_inv_finding_kind_name(f->kind),
                            cpw_inv_finding_kind_name(e[i].kind));
        assert_string_equal(cpw_inv_confidence_name(f->confidence),
                            cpw_inv_confidence_name(e[i].confidence));
        size_t len = strlen(f->resource_arn);
        size_t suffix = strlen(e[i].arn_suffix);
        assert_true(len >= suffix);
        assert_string_equal(f->resource_arn + len - suffix, e[i].arn_suffix);
    }
}

static const struct cpw_inv_domain *s_domain(const struct cpw_inventory *inv,
                                             const char *account,
                                             const char *name)
{
    for (size_t i = 0; i < cpw_inventory_domain_count(inv); i++) {
        const struct cpw_inv_domain *d = cpw_inventory_domain(inv, i);
        if (strcmp(d->name, name) == 0 && strcmp(d->account, account) == 0) {
            return d;
        }
    }
    return NULL;
}

static size_t s_count_kind(const struct cpw_inventory *inv,
                           enum cpw_inv_finding_kind kind,
                           const char *account)
{
    size_t n = 0;
    for (size_t i = 0; i < cpw_inventory_finding_count(inv); i++) {
        const struct cpw_inv_finding *f = cpw_inventory_finding(inv, i);
        n += f->kind == kind && (!account || strcmp(f->account, account) == 0);
    }
    return n;
}

/* The runbook's story, read from the API: the same findings as test_inventory.c's by hand. */
static void test_orphans_scenario_gives_the_story_findings(void **state)
{
    (void)state;
    s_start(s_builtin("orphans"), NULL);
    struct cpw_region_list all;
    s_all_regions(&all);
    struct cpw_collect_options opts = { .regions = (const char *const *)all.names,
                                        .region_count = all.count };
    struct cpw_collect_result result;
    struct cpw_inventory *inv = s_scan(&opts, &result);
    size_t region_count = all.count;
    cpw_region_list_clean_up(&all);
    assert_int_equal(cpw_inventory_error_count(inv), 0);
    assert_int_equal(cpw_inventory_instance_count(inv), 1);
    assert_int_equal(cpw_inventory_domain_count(inv), 2);
    assert_int_equal(cpw_inventory_role_count(inv), 5);
    const struct expect expected[] = {
        { CPW_INV_FINDING_ORPHANED_CONNECT_ROLE, CPW_INV_CONFIDENCE_CERTAIN,
          "/AWSServiceRoleForAmazonConnect_DeletedInstance00002" },
        /* every region read, both domains created after June 2023: nothing can use it */
        { CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_CONFIDENCE_CERTAIN,
          "/AWSServiceRoleForProfile" },
        { CPW_INV_FINDING_LEGACY_PROFILE_ROLE, CPW_INV_CONFIDENCE_CERTAIN,
          "/AWSServiceRoleForProfile" },
        { CPW_INV_FINDING_DOMAIN_WITHOUT_INSTANCE, CPW_INV_CONFIDENCE_CERTAIN,
          ":domains/retired-customers" },
    };
    s_assert_findings(inv, expected, 4);
    /* The graph, as in the hand-built story. */
    const struct cpw_inv_domain *live = s_domain(inv, MGMT, "live-customers");
    assert_non_null(live);
    assert_int_equal(live->instance_arn_count, 1);
    assert_int_equal(live->profile_count, 3);
    assert_int_equal(live->role_confidence, CPW_INV_CONFIDENCE_LIKELY);
    assert_non_null(strstr(live->role_arn, "AWSServiceRoleForProfile_LiveDomainRole000001"));
    const struct cpw_inv_domain *retired = s_domain(inv, MGMT, "retired-customers");
    assert_int_equal(retired->profile_count, 2);
    assert_int_equal(retired->instance_arn_count, 0);
    assert_non_null(strstr(retired->role_arn, "AWSServiceRoleForProfile_OrphanDomainRole0002"));
    assert_string_equal(cpw_inventory_instance(inv, 0)->domain_arn, live->arn);
    assert_string_equal(cpw_inventory_instance(inv, 0)->status, "ACTIVE");
    /* The JSON document reads back through the loader with the same content. */
    struct cpw_buf json;
    cpw_buf_init(&json, 16u * 1024u * 1024u);
    assert_int_equal(cpw_inventory_write(inv, CPW_INV_FORMAT_JSON, NULL, &json), 0);
    struct cpw_inventory *back = cpw_inventory_load_json(cpw_buf_span(&json));
    assert_non_null(back);
    s_assert_findings(back, expected, 4);
    assert_int_equal(cpw_inventory_role_count(back), 5);
    assert_int_equal(cpw_inventory_domain_count(back), 2);
    cpw_inventory_destroy(back);
    cpw_buf_clean_up(&json);
    assert_string_equal(result.identity_arn, "arn:aws:iam::123456789012:root");
    assert_int_equal(result.final.parts_done, region_count + 1); /* each region, and IAM */
    assert_int_equal(result.final.regions_done, region_count);   /* progress counts regions */
    assert_int_equal(result.final.regions_total, region_count);
    assert_true(result.final.requests >= 10);
    cpw_collect_result_clean_up(&result);
    cpw_inventory_destroy(inv);
    s_stop();
}

/* An organization: the management account and two members, one of which refuses the role. */
static json_t *s_org_scenario(void)
{
    const char *text =
      "{\"accounts\": [{\"id\": \"" M1 "\"}, {\"id\": \"" M2 "\"}],"
      " \"organization\": {\"account\": \"" MGMT "\", \"members\": [\"" M1 "\", \"" M2 "\"]},"
      " \"roles\": ["
      "  {\"account\": \"" M1 "\", \"name\": \"InventoryReader\", \"assume_role_policy\":"
      "   {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\","
      "    \"Principal\": {\"AWS\": \"arn:aws:iam::" MGMT ":root\"},"
      "    \"Action\": \"sts:AssumeRole\"}]},"
      "   \"managed_policies\": [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]},"
      "  {\"account\": \"" M2 "\", \"name\": \"InventoryReader\", \"assume_role_policy\":"
      "   {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\","
      "    \"Principal\": {\"AWS\": \"arn:aws:iam::999999999999:root\"},"
      "    \"Action\": \"sts:AssumeRole\"}]}}],"
      " \"connect_instances\": ["
      "  {\"account\": \"" M1 "\", \"region\": \"us-east-1\", \"alias\": \"m1-live\"},"
      "  {\"account\": \"" M1 "\", \"region\": \"eu-west-2\", \"alias\": \"m1-gone\","
      "   \"deleted\": true},"
      "  {\"account\": \"" M2 "\", \"region\": \"us-east-1\", \"alias\": \"m2-live\"}],"
      " \"profile_domains\": ["
      "  {\"account\": \"" M1 "\", \"region\": \"us-east-1\", \"name\": \"m1-customers\","
      "   \"integrations\": [{\"connect_instance\": \"m1-live\"}]},"
      "  {\"account\": \"" M1 "\", \"region\": \"eu-west-2\", \"name\": \"m1-leftover\","
      "   \"age_days\": 3, \"integrations\": [{\"connect_instance\": \"m1-gone\"}]},"
      "  {\"account\": \"" M2 "\", \"region\": \"us-east-1\", \"name\": \"m2-customers\","
      "   \"integrations\": [{\"connect_instance\": \"m2-live\"}]}]}";
    json_error_t err;
    json_t *doc = json_loads(text, 0, &err);
    if (!doc) {
        fail_msg("scenario: %s", err.text);
    }
    return doc;
}

static void test_org_walk_with_a_refused_role(void **state)
{
    (void)state;
    s_start(s_org_scenario(), NULL);
    struct cpw_collect_options opts = { .org = true, .role_name = "InventoryReader" };
    struct cpw_collect_result result;
    struct cpw_inventory *inv = s_scan(&opts, &result);
    assert_int_equal(cpw_inventory_account_count(inv), 3);
    /* Member 2 refused: one AssumeRole error, nothing of its resources. */
    assert_int_equal(cpw_inventory_error_count(inv), 1);
    const struct cpw_inv_error *e = cpw_inventory_error(inv, 0);
    assert_string_equal(e->account, M2);
    assert_string_equal(e->operation, "AssumeRole");
    assert_string_equal(e->code, "AccessDenied");
    assert_null(e->region);
    assert_null(e->service);
    assert_null(s_domain(inv, M2, "m2-customers"));
    /* Member 1 read through its role: its live pair and its leftover. */
    const struct cpw_inv_domain *live = s_domain(inv, M1, "m1-customers");
    assert_non_null(live);
    assert_int_equal(live->instance_arn_count, 1);
    const struct cpw_inv_domain *left = s_domain(inv, M1, "m1-leftover");
    assert_non_null(left);
    const struct cpw_inv_finding *f =
      cpw_inventory_find_finding(inv, CPW_INV_FINDING_DOMAIN_WITHOUT_INSTANCE, left->arn);
    assert_non_null(f);
    assert_int_equal(f->confidence, CPW_INV_CONFIDENCE_CERTAIN);
    assert_int_equal(s_count_kind(inv, CPW_INV_FINDING_ORPHANED_CONNECT_ROLE, M1), 1);
    assert_int_equal(s_count_kind(inv, CPW_INV_FINDING_DOMAIN_WITHOUT_INSTANCE, NULL), 1);
    assert_int_equal(cpw_inventory_instance_count(inv), 1);
    /* --exclude-accounts drops the refusing member: a clean scan. */
    cpw_collect_result_clean_up(&result);
    cpw_inventory_destroy(inv);
    const char *const exclude[] = { M2 };
    opts = (struct cpw_collect_options){
        .org = true, .role_name = "InventoryReader", .exclude_accounts = exclude, .exclude_count = 1
    };
    inv = s_scan(&opts, &result);
    assert_int_equal(cpw_inventory_account_count(inv), 2);
    assert_int_equal(cpw_inventory_error_count(inv), 0);
    cpw_collect_result_clean_up(&result);
    cpw_inventory_destroy(inv);
    s_stop();
}

/* The state recorded for account/region, or -1 when none was recorded. */
static int s_region_state(const struct cpw_inventory *inv, const char *account, const char *region)
{
    const struct cpw_inv_region_status *st = cpw_inventory_find_region_status(inv, account, region);
    return st ? (int)st->state : -1;
}

static const char *s_region_evidence(const struct cpw_inventory *inv,
                                     const char *account,
                                     const char *region)
{
    const struct cpw_inv_region_status *st = cpw_inventory_find_region_status(inv, account, region);
    assert_non_null(st);
    assert_non_null(st->evidence);
    return st->evidence;
}

/* The generated organization: every member read through OrganizationAccountAccessRole, and the
 * opt-in region af-south-1 read only where the member enabled it (the 1st and 3rd). */
static void test_generated_org_is_read_whole(void **state)
{
    (void)state;
    json_t *doc = s_builtin("org:accounts=4,regions=2,leftover=0.5,seed=3");
    size_t deleted = 0;
    size_t pairs = json_array_size(json_object_get(doc, "connect_instances"));
    size_t i;
    const json_t *x;
    json_array_foreach(json_object_get(doc, "connect_instances"), i, x)
    {
        deleted += json_is_true(json_object_get(x, "deleted"));
    }
    assert_true(deleted > 0);
    assert_int_equal(pairs, 10); /* 4 x 2 regions + af-south-1 in two members */
    s_start(doc, NULL);
    static const char *const regions[] = { "us-east-1", "us-west-2", "af-south-1" };
    struct cpw_collect_options opts = {
        .org = true, .max_accounts_in_flight = 2, .regions = regions, .region_count = 3
    };
    struct cpw_collect_result result;
    struct cpw_inventory *inv = s_scan(&opts, &result);
    /* No call reached af-south-1 where it is not enabled: it would have answered 403. */
    for (i = 0; i < cpw_inventory_error_count(inv); i++) {
        const struct cpw_inv_error *e = cpw_inventory_error(inv, i);
        print_message("error: %s %s %s %s %s\n", e->account, e->region ? e->region : "-",
                      e->operation ? e->operation : "-", e->code, e->message);
    }
    assert_int_equal(cpw_inventory_error_count(inv), 0);
    assert_int_equal(cpw_inventory_account_count(inv), 5);
    assert_int_equal(cpw_inventory_domain_count(inv), pairs);
    assert_int_equal(cpw_inventory_instance_count(inv), pairs - deleted);
    assert_int_equal(cpw_inventory_role_count(inv), 2 * pairs);
    assert_int_equal(s_count_kind(inv, CPW_INV_FINDING_DOMAIN_WITHOUT_INSTANCE, NULL), deleted);
    assert_int_equal(s_count_kind(inv, CPW_INV_FINDING_ORPHANED_CONNECT_ROLE, NULL), deleted);
    assert_non_null(s_domain(inv, "200000000001", "customers-af-south-1"));
    assert_non_null(s_domain(inv, "200000000003", "customers-af-south-1"));
    /* A status for every account and region. */
    assert_int_equal(cpw_inventory_region_status_count(inv), 5 * 3);
    static const char *const ids[] = { MGMT, "200000000001", "200000000002", "200000000003",
                                       "200000000004" };
    for (i = 0; i < 5; i++) {
        assert_int_equal(s_region_state(inv, ids[i], "us-east-1"), CPW_INV_REGION_ENABLED);
        assert_int_equal(s_region_state(inv, ids[i], "us-west-2"), CPW_INV_REGION_ENABLED);
        bool opted_in = i == 1 || i == 3;
        assert_int_equal(s_region_state(inv, ids[i], "af-south-1"),
                         opted_in ? CPW_INV_REGION_ENABLED : CPW_INV_REGION_NOT_ENABLED);
        assert_non_null(strstr(s_region_evidence(inv, ids[i], "af-south-1"),
                               opted_in ? "ListRegions: ENABLED" : "ListRegions: DISABLED"));
    }
    assert_int_equal(result.final.accounts_done, 5);
    assert_int_equal(result.final.parts_done, 20);
    assert_int_equal(result.final.regions_done, 15); /* 5 accounts x 3 regions, IAM apart */
    cpw_collect_result_clean_up(&result);
    cpw_inventory_destroy(inv);
    s_stop();
}

/* An organization listed over three pages (20 accounts a page): every account of every page is
 * read, each page's accounts started while the next page is asked for. When ListAccounts fails,
 * the caller's own account is read and the failure is a scan error. */
static void test_org_listed_over_pages(void **state)
{
    (void)state;
    s_start(s_builtin("org:accounts=44,regions=1,leftover=0,seed=5"), NULL);
    static const char *const regions[] = { "us-east-1" };
    struct cpw_collect_options opts = { .org = true, .regions = regions, .region_count = 1 };
    struct cpw_collect_result result;
    struct cpw_inventory *inv = s_scan(&opts, &result);
    assert_int_equal(cpw_inventory_error_count(inv), 0);
    assert_int_equal(cpw_inventory_account_count(inv), 45);
    assert_int_equal(result.final.accounts_done, 45);
    assert_int_equal(result.final.accounts_total, 45);
    assert_int_equal(cpw_inventory_domain_count(inv), 44);
    assert_string_equal(result.caller_account, MGMT);
    cpw_collect_result_clean_up(&result);
    cpw_inventory_destroy(inv);
    s_stop();

    s_start(s_builtin("org:accounts=44,regions=1,leftover=0,seed=5"),
            "{\"fault_probability\": 1, \"fault_kind\": \"throttle\","
            " \"fault_operation\": \"ListAccounts\"}");
    inv = s_scan(&opts, &result);
    assert_int_equal(cpw_inventory_account_count(inv), 1);
    assert_int_equal(result.final.accounts_done, 1);
    assert_int_equal(cpw_inventory_error_count(inv), 1);
    const struct cpw_inv_error *e = cpw_inventory_error(inv, 0);
    assert_string_equal(e->account, MGMT);
    assert_string_equal(e->service, "organizations");
    assert_string_equal(e->operation, "ListAccounts");
    assert_string_equal(e->code, "TooManyRequestsException");
    cpw_collect_result_clean_up(&result);
    cpw_inventory_destroy(inv);
    s_stop();
}

/* Customer Profiles throttles every request: scan errors per region, the rest still read, and
 * no orphan certain where a domain might have been missed. */
static void test_throttled_service_is_a_scan_error(void **state)
{
    (void)state;
    s_start(s_builtin("orphans"), "{\"fault_probability\": 1, \"fault_kind\": \"throttle\","
                                  " \"fault_service\": \"profile\"}");
    struct cpw_collect_options opts = { 0 };
    struct cpw_collect_result result;
    struct cpw_inventory *inv = s_scan(&opts, &result);
    /* ListDomains in both regions, ListAccountIntegrations for the live instance. */
    assert_int_equal(cpw_inventory_error_count(inv), 3);
    size_t list_domains = 0;
    for (size_t i = 0; i < 3; i++) {
        const struct cpw_inv_error *e = cpw_inventory_error(inv, i);
        assert_string_equal(e->service, "profile");
        assert_string_equal(e->code, "ThrottlingException");
        list_domains += strcmp(e->operation, "ListDomains") == 0;
    }
    assert_int_equal(list_domains, 2);
    assert_true(result.final.throttles >= 4); /* every attempt of both regions */
    assert_int_equal(cpw_inventory_domain_count(inv), 0);
    assert_int_equal(cpw_inventory_instance_count(inv), 1);
    assert_int_equal(cpw_inventory_role_count(inv), 5);
    for (size_t i = 0; i < cpw_inventory_finding_count(inv); i++) {
        const struct cpw_inv_finding *f = cpw_inventory_finding(inv, i);
        if (f->kind == CPW_INV_FINDING_ORPHANED_PROFILE_ROLE) {
            assert_int_equal(f->confidence, CPW_INV_CONFIDENCE_POSSIBLE);
        }
    }
    /* Connect was read: its orphaned role stays certain. */
    assert_int_equal(s_count_kind(inv, CPW_INV_FINDING_ORPHANED_CONNECT_ROLE, NULL), 1);
    cpw_collect_result_clean_up(&result);
    cpw_inventory_destroy(inv);
    s_stop();
}

/* A domain created through the API records CreateDomain and CreateServiceLinkedRole in
 * CloudTrail; --evidence cloudtrail over every region where Customer Profiles is offered makes
 * its role link certain. Over two regions it makes none: a CreateDomain in a region whose trail
 * was not read could be the one the role was created for. */
static void test_cloudtrail_evidence_links_certainly(void **state)
{
    (void)state;
    /* two scans back to back: the second must not meet the first's drained LookupEvents buckets */
    s_start(json_object(), "{\"rate_limits\": false}");
    struct cpw_aws_client *client = s_client();
    json_t *in = json_pack("{s:s,s:i}", "DomainName", "fresh", "DefaultExpirationDays", 30);
    json_t *out = NULL;
    struct cpw_aws_call call = { .service = "customer-profiles",
                                 .operation = "CreateDomain",
                                 .input = in,
                                 .region = "eu-west-2" };
    assert_int_equal(cpw_aws_client_call(client, &call, &out, NULL), 0);
    json_decref(out);
    json_decref(in);
    cpw_aws_client_destroy(client);

    struct cpw_collect_options opts = { .evidence_cloudtrail = true };
    struct cpw_collect_result result;
    struct cpw_inventory *inv = s_scan(&opts, &result); /* two regions */
    assert_int_equal(cpw_inventory_error_count(inv), 0);
    assert_true(cpw_inventory_event_count(inv) >= 2);
    const struct cpw_inv_domain *d = s_domain(inv, MGMT, "fresh");
    assert_non_null(d);
    assert_null(d->role_arn);
    cpw_collect_result_clean_up(&result);
    cpw_inventory_destroy(inv);

    struct cpw_region_list all = { 0 };
    assert_int_equal(cpw_regions_for_service("customer-profiles", "aws", &all), 0);
    struct cpw_collect_options every = { .evidence_cloudtrail = true,
                                         .regions = (const char *const *)all.names,
                                         .region_count = all.count };
    inv = s_scan(&every, &result);
    for (size_t i = 0; i < cpw_inventory_error_count(inv); i++) {
        const struct cpw_inv_error *e = cpw_inventory_error(inv, i);
        print_message("scan error: %s %s %s %s: %s\n", e->region ? e->region : "-",
                      e->service ? e->service : "-", e->operation ? e->operation : "-",
                      e->code ? e->code : "-", e->message ? e->message : "-");
    }
    assert_int_equal(cpw_inventory_error_count(inv), 0);
    d = s_domain(inv, MGMT, "fresh");
    assert_non_null(d);
    assert_non_null(d->role_arn);
    assert_int_equal(d->role_confidence, CPW_INV_CONFIDENCE_CERTAIN);
    cpw_collect_result_clean_up(&result);
    cpw_inventory_destroy(inv);
    cpw_region_list_clean_up(&all);
    s_stop();
}

/* The assume-role provider: resolves through STS with the source's credentials, refreshes
 * after an invalidation, and fails with CPW_ERR_CREDENTIALS when the trust policy refuses. */
static void test_assume_role_provider(void **state)
{
    (void)state;
    s_start(s_org_scenario(), NULL);
    struct cpw_aws_client *client = s_client();
    struct cpw_credentials_assume_role_options aopts = {
        .source = cpw_aws_client_credentials(client),
        .role_arn = "arn:aws:iam::" M1 ":role/InventoryReader",
        .invoke = cpw_aws_client_invoke,
        .invoke_ctx = client,
    };
    struct cpw_credentials_provider *p = cpw_credentials_provider_new_assume_role(&aopts);
    struct cpw_credentials c;
    assert_int_equal(cpw_credentials_provider_get(p, &c), 0);
    assert_string_equal(c.account_id, M1);
    assert_non_null(c.session_token);
    char *first_key = cpw_strdup(c.access_key_id);
    cpw_credentials_clean_up(&c);
    /* Calls signed with it act in the member account. */
    json_t *out = NULL;
    struct cpw_aws_call call = { .service = "sts",
                                 .operation = "GetCallerIdentity",
                                 .credentials = p };
    assert_int_equal(cpw_aws_client_call(client, &call, &out, NULL), 0);
    assert_string_equal(json_string_value(json_object_get(out, "Account")), M1);
    json_decref(out);
    cpw_credentials_provider_invalidate(p);
    assert_int_equal(cpw_credentials_provider_get(p, &c), 0);
    assert_string_not_equal(c.access_key_id, first_key); /* a new session */
    cpw_credentials_clean_up(&c);
    cpw_free(first_key);
    cpw_credentials_provider_destroy(p);

    aopts.role_arn = "arn:aws:iam::" M2 ":role/InventoryReader";
    p = cpw_credentials_provider_new_assume_role(&aopts);
    assert_int_equal(cpw_credentials_provider_get(p, &c), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_CREDENTIALS);
    assert_non_null(strstr(cpw_last_error_detail(), "AccessDenied"));
    cpw_credentials_provider_destroy(p);
    cpw_aws_client_destroy(client);
    s_stop();
}

/* A region the account disabled keeps what it held (AWS keeps resources of a disabled region);
 * the collector never calls there. With the opt_in_error knob off, the sandbox would serve the
 * domain to any call, so its absence proves that no call was made. */
static void test_disabled_region_is_not_called(void **state)
{
    (void)state;
    json_t *doc = json_pack("{s:[{s:s,s:s}]}", "profile_domains", "region", "af-south-1", "name",
                            "kept-while-disabled", "role_suffix", "KeptWhileDisabled001");
    s_start(doc, "{\"opt_in_error\": \"none\"}");
    static const char *const regions[] = { "us-east-1", "af-south-1" };
    struct cpw_collect_options opts = { .regions = regions, .region_count = 2 };
    struct cpw_collect_result result;
    struct cpw_inventory *inv = s_scan(&opts, &result);
    assert_int_equal(cpw_inventory_error_count(inv), 0);
    assert_null(s_domain(inv, MGMT, "kept-while-disabled"));
    assert_int_equal(s_region_state(inv, MGMT, "af-south-1"), CPW_INV_REGION_NOT_ENABLED);
    assert_int_equal(s_region_state(inv, MGMT, "us-east-1"), CPW_INV_REGION_ENABLED);
    assert_int_equal(result.final.parts_done, 3);
    /* STS, ListRegions, IAM's two ListRoles and GetRole of the domain's role, us-east-1's
     * ListInstances and ListDomains: any more would be calls in af-south-1. */
    assert_int_equal(result.final.requests, 7);
    cpw_collect_result_clean_up(&result);
    cpw_inventory_destroy(inv);
    s_stop();
}

/* The role may not call account:ListRegions: opt-in regions whose scan succeeds are enabled,
 * the others unknown with both reasons; default regions are enabled; no region is silently
 * empty. */
static void test_list_regions_denied(void **state)
{
    (void)state;
    json_t *doc =
      json_pack("{s:[{s:s,s:[s]}],s:[{s:s,s:s,s:s}]}", "accounts", "id", MGMT, "enabled_regions",
                "af-south-1", "profile_domains", "region", "af-south-1", "name", "cape-town",
                "role_suffix", "CapeTownDomainRole01");
    s_start(doc, "{\"fault_probability\": 1, \"fault_kind\": \"denied\","
                 " \"fault_service\": \"account\"}");
    static const char *const regions[] = { "us-east-1", "af-south-1", "me-south-1" };
    struct cpw_collect_options opts = { .regions = regions, .region_count = 3 };
    struct cpw_collect_result result;
    struct cpw_inventory *inv = s_scan(&opts, &result);
    assert_non_null(s_domain(inv, MGMT, "cape-town"));
    assert_int_equal(s_region_state(inv, MGMT, "us-east-1"), CPW_INV_REGION_ENABLED);
    assert_int_equal(s_region_state(inv, MGMT, "af-south-1"), CPW_INV_REGION_ENABLED);
    assert_non_null(strstr(s_region_evidence(inv, MGMT, "af-south-1"), "AccessDeniedException"));
    /* me-south-1 is not enabled: its calls answer UnrecognizedClientException. */
    assert_int_equal(s_region_state(inv, MGMT, "me-south-1"), CPW_INV_REGION_UNKNOWN);
    assert_non_null(
      strstr(s_region_evidence(inv, MGMT, "me-south-1"), "UnrecognizedClientException"));
    /* The scan errors are me-south-1's, each an UnrecognizedClientException. */
    assert_true(cpw_inventory_error_count(inv) >= 2);
    for (size_t i = 0; i < cpw_inventory_error_count(inv); i++) {
        const struct cpw_inv_error *e = cpw_inventory_error(inv, i);
        assert_non_null(e->region);
        assert_string_equal(e->region, "me-south-1");
        assert_string_equal(e->code, "UnrecognizedClientException");
    }
    cpw_collect_result_clean_up(&result);
    cpw_inventory_destroy(inv);
    s_stop();
}

/* Plan's focused scan respects the account's regions the same way. */
static void test_live_scan_skips_disabled_region(void **state)
{
    (void)state;
    json_t *doc = json_pack("{s:[{s:s,s:s},{s:s,s:s}]}", "profile_domains", "region", "af-south-1",
                            "name", "kept-while-disabled", "region", "us-east-1", "name", "home");
    s_start(doc, "{\"opt_in_error\": \"none\"}");
    struct cpw_aws_client *client = s_client();
    struct cpw_region_list regions = { 0 };
    cpw_region_list_add(&regions, "us-east-1");
    cpw_region_list_add(&regions, "af-south-1");
    struct cpw_inventory *inv = cpw_inventory_new();
    assert_int_equal(cpw_live_scan(client, MGMT, &regions, inv), 0);
    assert_int_equal(cpw_inventory_error_count(inv), 0);
    assert_non_null(s_domain(inv, MGMT, "home"));
    assert_null(s_domain(inv, MGMT, "kept-while-disabled"));
    assert_int_equal(s_region_state(inv, MGMT, "af-south-1"), CPW_INV_REGION_NOT_ENABLED);
    assert_int_equal(s_region_state(inv, MGMT, "us-east-1"), CPW_INV_REGION_ENABLED);
    cpw_inventory_destroy(inv);
    cpw_region_list_clean_up(&regions);
    cpw_aws_client_destroy(client);
    s_stop();
}

static int s_setup(void **state)
{
    s_env();
    return cpw_test_setup(state);
}

#define COLLECT_TEST(fn) cmocka_unit_test_setup_teardown(fn, s_setup, cpw_test_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        COLLECT_TEST(test_orphans_scenario_gives_the_story_findings),
        COLLECT_TEST(test_org_walk_with_a_refused_role),
        COLLECT_TEST(test_generated_org_is_read_whole),
        COLLECT_TEST(test_disabled_region_is_not_called),
        COLLECT_TEST(test_list_regions_denied),
        COLLECT_TEST(test_live_scan_skips_disabled_region),
        COLLECT_TEST(test_org_listed_over_pages),
        COLLECT_TEST(test_throttled_service_is_a_scan_error),
        COLLECT_TEST(test_cloudtrail_evidence_links_certainly),
        COLLECT_TEST(test_assume_role_provider),
    };
    return cpw_test_run("inventory_collect", tests, sizeof(tests) / sizeof(tests[0]));
}
