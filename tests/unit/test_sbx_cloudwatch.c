/*
 * test_sbx_cloudwatch.c - CloudWatch metrics in the sandbox: PutMetricData's checks, dimension
 * sets independent of their order, metrics per region, ListMetrics filters and pages,
 * GetMetricData's statistics per period and what it refuses.
 */
#include "cpw/buf.h"
#include "sbx_test.h"

#define NOW_S (T0_MS / 1000) /* 2026-11-18T...: minute-aligned below */

static void s_put(struct sbx_fixture *fx, const struct sbx_identity *who, const char *data)
{
    struct cpw_buf input;
    cpw_buf_init(&input, 1u << 20);
    assert_int_equal(cpw_buf_appendf(&input, "{\"Namespace\": \"Test\", \"MetricData\": %s}", data),
                     0);
    json_decref(sbx_ok(fx, who, "monitoring", "PutMetricData", cpw_buf_cstr(&input)));
    cpw_buf_clean_up(&input);
}

static void test_put_checks(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    sbx_expect_error(&fx, &fx.root, "monitoring", "PutMetricData",
                     "{\"Namespace\": \"AWS/EC2\", \"MetricData\": [{\"MetricName\": \"m\", "
                     "\"Value\": 1}]}",
                     400, "InvalidParameterValue");
    sbx_expect_error(&fx, &fx.root, "monitoring", "PutMetricData",
                     "{\"Namespace\": \"T\", \"MetricData\": []}", 400, "InvalidParameterValue");
    sbx_expect_error(&fx, &fx.root, "monitoring", "PutMetricData",
                     "{\"Namespace\": \"T\", \"MetricData\": [{\"MetricName\": \"m\", \"Value\": "
                     "1, \"Values\": [1]}]}",
                     400, "InvalidParameterCombination");
    sbx_expect_error(&fx, &fx.root, "monitoring", "PutMetricData",
                     "{\"Namespace\": \"T\", \"MetricData\": [{\"MetricName\": \"m\", \"Value\": "
                     "1, \"Dimensions\": [{\"Name\": \"A\", \"Value\": \"1\"}, {\"Name\": \"A\", "
                     "\"Value\": \"2\"}]}]}",
                     400, "InvalidParameterValue");
    sbx_expect_error(&fx, &fx.root, "monitoring", "PutMetricData",
                     "{\"Namespace\": \"T\", \"MetricData\": [{\"MetricName\": \"m\", \"Value\": "
                     "1, \"Timestamp\": \"2020-01-01T00:00:00Z\"}]}",
                     400, "InvalidParameterValue");
    /* Nothing of a refused call is stored. */
    json_t *out = sbx_ok(&fx, &fx.root, "monitoring", "ListMetrics", NULL);
    assert_int_equal(json_array_size(json_object_get(out, "Metrics")), 0);
    json_decref(out);
    sbx_fixture_close(&fx);
}

static void test_statistics_per_period(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    int64_t minute = (NOW_S - 600) / 60 * 60;
    char data[2048];
    /* The same metric whatever the order of its dimensions. */
    snprintf(data, sizeof(data),
             "[{\"MetricName\": \"m\", \"Dimensions\": [{\"Name\": \"B\", \"Value\": \"2\"}, "
             "{\"Name\": \"A\", \"Value\": \"1\"}], \"Timestamp\": %lld, \"Value\": 4}, "
             "{\"MetricName\": \"m\", \"Dimensions\": [{\"Name\": \"A\", \"Value\": \"1\"}, "
             "{\"Name\": \"B\", \"Value\": \"2\"}], \"Timestamp\": %lld, \"Values\": [2, 10], "
             "\"Counts\": [3, 1]}, "
             "{\"MetricName\": \"m\", \"Dimensions\": [{\"Name\": \"A\", \"Value\": \"1\"}, "
             "{\"Name\": \"B\", \"Value\": \"2\"}], \"Timestamp\": %lld, \"Value\": 7}]",
             (long long)minute, (long long)(minute + 59), (long long)(minute + 120));
    s_put(&fx, &fx.root, data);

    char input[2048];
    const char *stats[] = { "Sum", "Average", "Maximum", "Minimum", "SampleCount" };
    const double want[][2] = { { 20, 7 }, { 4, 7 }, { 10, 7 }, { 2, 7 }, { 5, 1 } };
    for (size_t i = 0; i < 5; i++) {
        snprintf(input, sizeof(input),
                 "{\"StartTime\": %lld, \"EndTime\": %lld, \"ScanBy\": \"TimestampAscending\", "
                 "\"MetricDataQueries\": [{\"Id\": \"q\", \"MetricStat\": {\"Metric\": "
                 "{\"Namespace\": \"Test\", \"MetricName\": \"m\", \"Dimensions\": [{\"Name\": "
                 "\"A\", \"Value\": \"1\"}, {\"Name\": \"B\", \"Value\": \"2\"}]}, \"Period\": "
                 "60, \"Stat\": \"%s\"}}]}",
                 (long long)(minute - 3600), (long long)(minute + 3600), stats[i]);
        json_t *out = sbx_ok(&fx, &fx.root, "monitoring", "GetMetricData", input);
        const json_t *r = json_array_get(json_object_get(out, "MetricDataResults"), 0);
        const json_t *values = json_object_get(r, "Values");
        assert_int_equal(json_array_size(values), 2);
        assert_true(json_real_value(json_array_get(values, 0)) == want[i][0]);
        assert_true(json_real_value(json_array_get(values, 1)) == want[i][1]);
        assert_int_equal(json_array_size(json_object_get(r, "Timestamps")), 2);
        json_decref(out);
    }
    /* Another dimension set is another metric: nothing there. */
    snprintf(input, sizeof(input),
             "{\"StartTime\": %lld, \"EndTime\": %lld, \"MetricDataQueries\": [{\"Id\": \"q\", "
             "\"MetricStat\": {\"Metric\": {\"Namespace\": \"Test\", \"MetricName\": \"m\", "
             "\"Dimensions\": [{\"Name\": \"A\", \"Value\": \"1\"}]}, \"Period\": 300, "
             "\"Stat\": \"Sum\"}}]}",
             (long long)(minute - 3600), (long long)(minute + 3600));
    json_t *out = sbx_ok(&fx, &fx.root, "monitoring", "GetMetricData", input);
    assert_int_equal(json_array_size(json_object_get(
                       json_array_get(json_object_get(out, "MetricDataResults"), 0), "Values")),
                     0);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "monitoring", "GetMetricData",
                     "{\"StartTime\": 1, \"EndTime\": 2, \"MetricDataQueries\": [{\"Id\": \"e\", "
                     "\"Expression\": \"SUM(METRICS())\"}]}",
                     400, "ValidationError");
    sbx_fixture_close(&fx);
}

static void test_list_metrics_regions_and_pages(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    struct sbx_identity east;
    sbx_identity_for(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, "us-east-1", &east);
    /* 600 metrics in eu-west-1 (the fixture's region), one in us-east-1. */
    for (int batch = 0; batch < 3; batch++) {
        struct cpw_buf data;
        cpw_buf_init(&data, 1u << 20);
        assert_int_equal(cpw_buf_append_byte(&data, '['), 0);
        for (int i = 0; i < 200; i++) {
            assert_int_equal(cpw_buf_appendf(&data,
                                             "%s{\"MetricName\": \"m\", \"Dimensions\": "
                                             "[{\"Name\": \"N\", \"Value\": \"%04d\"}], "
                                             "\"Value\": 1}",
                                             i ? ", " : "", batch * 200 + i),
                             0);
        }
        assert_int_equal(cpw_buf_append_byte(&data, ']'), 0);
        s_put(&fx, &fx.root, cpw_buf_cstr(&data));
        cpw_buf_clean_up(&data);
    }
    s_put(&fx, &east, "[{\"MetricName\": \"other\", \"Value\": 1}]");

    json_t *page = sbx_ok(&fx, &fx.root, "monitoring", "ListMetrics", "{\"Namespace\": \"Test\"}");
    assert_int_equal(json_array_size(json_object_get(page, "Metrics")), 500);
    const char *token = json_string_value(json_object_get(page, "NextToken"));
    assert_non_null(token);
    char input[256];
    snprintf(input, sizeof(input), "{\"Namespace\": \"Test\", \"NextToken\": \"%s\"}", token);
    json_decref(page);
    page = sbx_ok(&fx, &fx.root, "monitoring", "ListMetrics", input);
    assert_int_equal(json_array_size(json_object_get(page, "Metrics")), 100);
    assert_null(json_object_get(page, "NextToken"));
    json_decref(page);

    page = sbx_ok(&fx, &fx.root, "monitoring", "ListMetrics",
                  "{\"Dimensions\": [{\"Name\": \"N\", \"Value\": \"0042\"}]}");
    assert_int_equal(json_array_size(json_object_get(page, "Metrics")), 1);
    json_decref(page);
    page = sbx_ok(&fx, &east, "monitoring", "ListMetrics", NULL);
    const json_t *metrics = json_object_get(page, "Metrics");
    assert_int_equal(json_array_size(metrics), 1);
    assert_string_equal(
      json_string_value(json_object_get(json_array_get(metrics, 0), "MetricName")), "other");
    json_decref(page);
    sbx_expect_error(&fx, &fx.root, "monitoring", "ListMetrics", "{\"NextToken\": \"x\"}", 400,
                     "InvalidNextToken");
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_cloudwatch",
              CPW_TEST(test_put_checks),
              CPW_TEST(test_statistics_per_period),
              CPW_TEST(test_list_metrics_regions_and_pages))
