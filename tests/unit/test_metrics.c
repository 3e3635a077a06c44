/*
 * test_metrics.c - the metrics of `cpwarden metrics`: label escaping, the OpenMetrics text
 * (metadata lines, _total counters, # EOF, families left out when their source is unknown),
 * the values computed from an inventory, the journal and an audit, and the CloudWatch inputs
 * (dimensions, batches, namespace checks).
 */
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/inventory.h"
#include "cpw/json.h"
#include "cpw/metrics.h"
#include "cpw/regions.h"
#include "harness.h"
#include "inventory_fixtures.h"

static void test_escape_label_value(void **state)
{
    (void)state;
    struct cpw_buf out;
    cpw_buf_init(&out, 1024);
    assert_int_equal(cpw_metrics_escape_label_value(&out, "a\\b\"c\nd\te"), 0);
    assert_string_equal(cpw_buf_cstr(&out), "a\\\\b\\\"c\\nd\te");
    cpw_buf_reset(&out);
    assert_int_equal(cpw_metrics_escape_label_value(&out, NULL), 0);
    assert_int_equal(out.len, 0);
    cpw_buf_clean_up(&out);
}

/* The orphans story plus a pending and a failed deletion task and a hostile error code. */
static struct cpw_inventory *s_inventory(void)
{
    struct cpw_inventory *inv = cpw_inventory_new();
    cpw_inventory_set_scanned_at(inv, FX_T0);
    cpw_inventory_add_account(inv, FX_ACCOUNT);
    cpw_inventory_add_region(inv, FX_REGION_A);
    cpw_inventory_add_region(inv, FX_REGION_B);
    fx_instance(inv, FX_ACCOUNT, FX_REGION_A, "inst-a", "ACTIVE",
                "AWSServiceRoleForAmazonConnect_A");
    fx_instance(inv, FX_ACCOUNT, FX_REGION_A, "inst-c", "ACTIVE",
                "AWSServiceRoleForAmazonConnect_A");
    fx_domain(inv, FX_ACCOUNT, FX_REGION_A, "dom-a", FX_T0, "inst-a", "inst-c");
    fx_domain(inv, FX_ACCOUNT, FX_REGION_B, "dom-b", FX_T0, "inst-b", NULL);
    struct cpw_inv_role *r =
      fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, "AWSServiceRoleForProfile_b", FX_T0, NULL);
    r->deletion_status = cpw_strdup("IN_PROGRESS");
    r = fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_CONNECT, "AWSServiceRoleForAmazonConnect_B", FX_T0,
                NULL);
    r->deletion_status = cpw_strdup("FAILED");
    fx_error(inv, FX_ACCOUNT, FX_REGION_B, "connect", "ListInstances", "Bad\"Code\\x");
    fx_error(inv, FX_ACCOUNT, NULL, "iam", "ListRoles", "AccessDenied");
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    return inv;
}

static double s_value(const struct cpw_metrics *m, const char *family, const char *const *pairs)
{
    double v = -1;
    assert_int_equal(cpw_metrics_value(m, family, pairs, &v), 0);
    return v;
}

static void test_values_from_inventory(void **state)
{
    (void)state;
    struct cpw_inventory *inv = s_inventory();
    struct cpw_journal_entry steps[3] = { { .outcome = "done" },
                                          { .outcome = "done" },
                                          { .outcome = "started" } };
    struct cpw_metrics_source src = { .inv = inv,
                                      .now_s = FX_T0 + 90,
                                      .snapshot_id = 7,
                                      .saved_at_s = FX_T0 + 12,
                                      .identity = "arn:aws:iam::111111111111:root",
                                      .scope = "accounts=caller regions=us-east-1,us-west-2",
                                      .snapshot_count = 3,
                                      .with_journal = true,
                                      .journal = steps,
                                      .journal_count = 3 };
    struct cpw_metrics *m = cpw_metrics_new();
    assert_int_equal(cpw_metrics_collect(m, &src), 0);

    assert_true(s_value(m, "cpwarden_resources",
                        (const char *const[]){ "account", FX_ACCOUNT, "region", FX_REGION_A, "kind",
                                               "instance", NULL }) == 2);
    assert_true(s_value(m, "cpwarden_resources",
                        (const char *const[]){ "account", FX_ACCOUNT, "region", FX_REGION_B, "kind",
                                               "instance", NULL }) == 0);
    assert_true(s_value(m, "cpwarden_resources",
                        (const char *const[]){ "account", FX_ACCOUNT, "region", FX_REGION_A, "kind",
                                               "integration", NULL }) == 2);
    assert_true(s_value(m, "cpwarden_resources",
                        (const char *const[]){ "account", FX_ACCOUNT, "region", "global", "kind",
                                               "profile-role", NULL }) == 1);
    assert_true(s_value(m, "cpwarden_deletion_tasks_pending",
                        (const char *const[]){ "account", FX_ACCOUNT, NULL }) == 1);
    assert_true(s_value(m, "cpwarden_deletion_tasks_failed",
                        (const char *const[]){ "account", FX_ACCOUNT, NULL }) == 1);
    assert_true(s_value(m, "cpwarden_scan_errors",
                        (const char *const[]){ "account", FX_ACCOUNT, "region", "global", "service",
                                               "iam", "code", "AccessDenied", NULL }) == 1);
    assert_true(s_value(m, "cpwarden_scan_age_seconds", NULL) == 90);
    assert_true(s_value(m, "cpwarden_scan_duration_seconds", NULL) == 12);
    assert_true(
      s_value(m, "cpwarden_cleanup_steps", (const char *const[]){ "outcome", "done", NULL }) == 2);
    assert_true(s_value(m, "cpwarden_cleanup_steps",
                        (const char *const[]){ "outcome", "failed", NULL }) == 0);
    /* Every finding of the inventory is counted once. */
    size_t findings = cpw_inventory_finding_count(inv);
    assert_true(findings > 0);
    const struct cpw_inv_finding *f = cpw_inventory_finding(inv, 0);
    assert_true(s_value(m, "cpwarden_findings",
                        (const char *const[]){
                          "account", f->account, "region", f->region ? f->region : "global", "kind",
                          cpw_inv_finding_kind_name(f->kind), "confidence",
                          cpw_inv_confidence_name(f->confidence), NULL }) >= 1);

    struct cpw_buf out;
    cpw_buf_init(&out, 1u << 20);
    assert_int_equal(cpw_metrics_write_openmetrics(m, &out), 0);
    const char *text = cpw_buf_cstr(&out);
    assert_non_null(strstr(text, "# TYPE cpwarden_cleanup_steps counter\n"));
    assert_non_null(strstr(text, "cpwarden_cleanup_steps_total{outcome=\"done\"} 2\n"));
    assert_non_null(strstr(text, "# TYPE cpwarden_scan_age_seconds gauge\n"
                                 "# UNIT cpwarden_scan_age_seconds seconds\n"));
    assert_non_null(strstr(text, "cpwarden_snapshot_info{snapshot_id=\"7\",scope=\"accounts="
                                 "caller regions=us-east-1,us-west-2\",identity=\"arn:aws:iam::"
                                 "111111111111:root\"} 1\n"));
    /* The hostile error code stays inside its quotes. */
    assert_non_null(strstr(text, "code=\"Bad\\\"Code\\\\x\"} 1\n"));
    /* No audit source: its families are absent, not zero. */
    assert_null(strstr(text, "cpwarden_audit"));
    size_t len = strlen(text);
    assert_true(len > 6 && strcmp(text + len - 6, "# EOF\n") == 0);
    assert_null(strstr(text, "\n\n"));
    cpw_buf_clean_up(&out);
    cpw_metrics_destroy(m);
    cpw_inventory_destroy(inv);
}

static void test_audit_and_unknown_sources(void **state)
{
    (void)state;
    struct cpw_inventory *inv = cpw_inventory_new(); /* no scan time, nothing scanned */
    struct cpw_metrics_audit_row rows[] = {
        { "tagging", "warning", FX_ACCOUNT, FX_REGION_A, 3 },
        { "tagging", "warning", FX_ACCOUNT, FX_REGION_A, 2 },
        { "cloudtrail", "error", FX_ACCOUNT, NULL, 1 },
    };
    struct cpw_metrics_audit audit = { .audited_at_s = FX_T0, .rows = rows, .row_count = 3 };
    struct cpw_metrics_source src = { .inv = inv, .now_s = FX_T0, .audit = &audit };
    struct cpw_metrics *m = cpw_metrics_new();
    assert_int_equal(cpw_metrics_collect(m, &src), 0);
    assert_true(s_value(m, "cpwarden_audit_violations",
                        (const char *const[]){ "rule", "tagging", "severity", "warning", "account",
                                               FX_ACCOUNT, "region", FX_REGION_A, NULL }) == 5);
    assert_true(s_value(m, "cpwarden_audit_violations",
                        (const char *const[]){ "rule", "cloudtrail", "severity", "error", "account",
                                               FX_ACCOUNT, "region", "global", NULL }) == 1);
    struct cpw_buf out;
    cpw_buf_init(&out, 1u << 20);
    assert_int_equal(cpw_metrics_write_openmetrics(m, &out), 0);
    const char *text = cpw_buf_cstr(&out);
    assert_non_null(strstr(text, "cpwarden_audit_timestamp_seconds 1700000000\n"));
    assert_null(strstr(text, "cpwarden_scan_age_seconds"));            /* scan time unknown */
    assert_null(strstr(text, "cpwarden_snapshot_info"));               /* not from the store */
    assert_null(strstr(text, "cpwarden_cleanup_steps"));               /* journal not read */
    assert_non_null(strstr(text, "# TYPE cpwarden_findings gauge\n")); /* known, empty */
    assert_int_equal(cpw_metrics_value(m, "cpwarden_resources", NULL, &(double){ 0 }), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_NOT_FOUND);
    cpw_buf_clean_up(&out);
    cpw_metrics_destroy(m);
    cpw_inventory_destroy(inv);
    m = cpw_metrics_new();
    assert_int_equal(cpw_metrics_collect(m, NULL), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    cpw_metrics_destroy(m);
}

static void test_cloudwatch_inputs(void **state)
{
    (void)state;
    /* 150 accounts x 2 regions: 150 x (2 x 3 + 2) resources + 2 x 150 deletion samples. */
    struct cpw_inventory *inv = cpw_inventory_new();
    cpw_inventory_set_scanned_at(inv, FX_T0);
    cpw_inventory_add_region(inv, FX_REGION_A);
    cpw_inventory_add_region(inv, FX_REGION_B);
    for (int i = 0; i < 150; i++) {
        char id[16];
        snprintf(id, sizeof(id), "%012d", 100000 + i);
        cpw_inventory_add_account(inv, id);
    }
    struct cpw_metrics_source src = { .inv = inv, .now_s = FX_T0 + 5 };
    struct cpw_metrics *m = cpw_metrics_new();
    assert_int_equal(cpw_metrics_collect(m, &src), 0);
    size_t samples = cpw_metrics_sample_count(m);
    assert_int_equal(samples, 150 * 8 + 300 + 2); /* + scan timestamp and age */

    json_t *inputs = NULL;
    assert_int_equal(cpw_metrics_cloudwatch_inputs(m, "", FX_T0, &inputs), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    assert_int_equal(cpw_metrics_cloudwatch_inputs(m, ":bad", FX_T0, &inputs), -1);
    assert_int_equal(cpw_metrics_cloudwatch_inputs(m, "Cpwarden", FX_T0, &inputs), 0);
    /* The scan timestamp is not published (ScanAge is): one datum fewer than samples. */
    size_t total = 0;
    for (size_t i = 0; i < json_array_size(inputs); i++) {
        const json_t *in = json_array_get(inputs, i);
        assert_string_equal(cpw_json_get_string(in, "Namespace"), "Cpwarden");
        size_t n = json_array_size(cpw_json_get(in, "MetricData"));
        assert_true(n >= 1 && n <= CPW_METRICS_CLOUDWATCH_BATCH);
        total += n;
    }
    assert_int_equal(total, samples - 1);
    assert_int_equal(json_array_size(inputs), (samples - 1 + 499) / 500);
    /* A resources datum: its dimensions named like the labels, upper-cased. */
    const json_t *first = NULL;
    const json_t *data = cpw_json_get(json_array_get(inputs, 0), "MetricData");
    for (size_t i = 0; !first && i < json_array_size(data); i++) {
        const char *name = cpw_json_get_string(json_array_get(data, i), "MetricName");
        first = strcmp(name, "Resources") == 0 ? json_array_get(data, i) : NULL;
    }
    assert_non_null(first);
    const json_t *dims = cpw_json_get(first, "Dimensions");
    assert_int_equal(json_array_size(dims), 3);
    assert_string_equal(cpw_json_get_string(json_array_get(dims, 0), "Name"), "Account");
    assert_string_equal(cpw_json_get_string(json_array_get(dims, 1), "Name"), "Region");
    assert_string_equal(cpw_json_get_string(json_array_get(dims, 2), "Name"), "Kind");
    assert_string_equal(cpw_json_get_string(first, "Unit"), "Count");
    assert_string_equal(cpw_json_get_string(first, "Timestamp"), "2023-11-14T22:13:20Z");
    cpw_json_release(inputs);
    cpw_metrics_destroy(m);
    cpw_inventory_destroy(inv);
}

CPW_TEST_MAIN("metrics",
              CPW_TEST(test_escape_label_value),
              CPW_TEST(test_values_from_inventory),
              CPW_TEST(test_audit_and_unknown_sources),
              CPW_TEST(test_cloudwatch_inputs))
