/*
 * test_sbx_knobs.c - the sandbox's realism knobs through cpw_sbx_admit(): AWS's published rates
 * counted in bounded bursts on a moved clock, each service's own throttling error, faults and
 * latency reproducible from the seed, and the knobs read from JSON.
 */
#include "sbx_test.h"

#include "sandbox/sbx_realism.h"

/* Number of admitted requests among n sent at now_ms. */
static int s_burst(struct cpw_sbx *sbx,
                   const char *service,
                   const char *op,
                   const char *account,
                   const char *region,
                   int64_t now_ms,
                   int n,
                   struct cpw_sbx_error *last)
{
    int admitted = 0;
    for (int i = 0; i < n; i++) {
        int64_t delay = -1;
        enum cpw_sbx_admission a =
          cpw_sbx_admit(sbx, service, op, account, region, now_ms, last, &delay);
        admitted += a == CPW_SBX_ADMITTED;
    }
    return admitted;
}

static void test_published_rates(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    struct cpw_sbx_error err;
    const char *acct = "123456789012";
    int64_t t = T0_MS;
    /* Customer Profiles DeleteDomain: 1 per second. */
    assert_int_equal(s_burst(fx.sbx, "profile", "DeleteDomain", acct, "us-east-1", t, 10, &err), 1);
    assert_string_equal(err.code, "ThrottlingException");
    assert_int_equal(err.status, 429);
    assert_int_equal(
      s_burst(fx.sbx, "profile", "DeleteDomain", acct, "us-east-1", t + 999, 5, &err), 0);
    assert_int_equal(
      s_burst(fx.sbx, "profile", "DeleteDomain", acct, "us-east-1", t + 1000, 5, &err), 1);
    /* Per region, per account, per operation. */
    assert_int_equal(s_burst(fx.sbx, "profile", "DeleteDomain", acct, "eu-west-2", t, 5, &err), 1);
    assert_int_equal(
      s_burst(fx.sbx, "profile", "DeleteDomain", "111111111111", "us-east-1", t, 5, &err), 1);
    /* ListDomains: 5 per second; 400 ms later two more. */
    assert_int_equal(s_burst(fx.sbx, "profile", "ListDomains", acct, "us-east-1", t, 20, &err), 5);
    assert_int_equal(
      s_burst(fx.sbx, "profile", "ListDomains", acct, "us-east-1", t + 400, 20, &err), 2);
    /* Connect: 2 per second with a burst of 5, shared by all operations. */
    int connect = s_burst(fx.sbx, "connect", "ListInstances", acct, "us-east-1", t, 3, &err) +
                  s_burst(fx.sbx, "connect", "DescribeInstance", acct, "us-east-1", t, 10, &err);
    assert_int_equal(connect, 5);
    assert_int_equal(err.status, 429);
    assert_int_equal(
      s_burst(fx.sbx, "connect", "ListInstances", acct, "us-east-1", t + 1000, 10, &err), 2);
    /* CloudTrail LookupEvents: 2 per second. */
    assert_int_equal(s_burst(fx.sbx, "cloudtrail", "LookupEvents", acct, "us-east-1", t, 10, &err),
                     2);
    assert_string_equal(err.code, "ThrottlingException");
    /* IAM: the sandbox's documented default, global per account, answered as IAM does. */
    assert_int_equal(s_burst(fx.sbx, "iam", "ListRoles", acct, "us-east-1", t, 30, &err) +
                       s_burst(fx.sbx, "iam", "GetRole", acct, "eu-west-1", t, 30, &err),
                     40);
    assert_string_equal(err.code, "Throttling");
    assert_int_equal(err.status, 400);
    assert_string_equal(err.message, "Rate exceeded");

    /* Many accounts: every one has its own bucket (the table recycles, never refuses). */
    int fresh = 0;
    for (int i = 0; i < 5000; i++) {
        char other[16];
        snprintf(other, sizeof(other), "3%011d", i);
        fresh += s_burst(fx.sbx, "profile", "DeleteDomain", other, "us-east-1", t, 1, &err);
    }
    assert_int_equal(fresh, 5000);

    double rate = 0;
    double burst = 0;
    assert_true(cpw_sbx_rate_of("profile", "SearchProfiles", &rate, &burst));
    assert_true(rate == 100.0);
    assert_false(cpw_sbx_rate_of("s3", "GetObject", &rate, &burst));

    /* Off switch. */
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_init(&knobs);
    knobs.rate_limits = false;
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    assert_int_equal(s_burst(fx.sbx, "profile", "DeleteDomain", acct, "us-east-1", t, 50, &err),
                     50);
    sbx_fixture_close(&fx);
}

/* The outcomes of n GetDomain admissions as a string of 'a' / 'f'. */
static void s_outcomes(struct cpw_sbx *sbx,
                       const char *service,
                       int n,
                       char *out,
                       struct cpw_sbx_error *err)
{
    for (int i = 0; i < n; i++) {
        int64_t delay = 0;
        out[i] = cpw_sbx_admit(sbx, service, "GetDomain", "123456789012", "us-east-1", T0_MS, err,
                               &delay) == CPW_SBX_ADMITTED
                   ? 'a'
                   : 'f';
    }
    out[n] = '\0';
}

static void test_faults_deterministic(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_init(&knobs);
    knobs.rate_limits = false;
    knobs.seed = 42;
    knobs.fault_probability = 0.3;
    knobs.fault_kind = CPW_SBX_FAULT_INTERNAL;
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    struct cpw_sbx_error err;
    char first[201];
    char second[201];
    s_outcomes(fx.sbx, "profile", 200, first, &err);
    cpw_sbx_set_knobs(fx.sbx, &knobs); /* same seed: same sequence */
    s_outcomes(fx.sbx, "profile", 200, second, &err);
    assert_string_equal(first, second);
    int faults = 0;
    for (int i = 0; i < 200; i++) {
        faults += first[i] == 'f';
    }
    assert_true(faults > 30 && faults < 90);
    knobs.seed = 43;
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    s_outcomes(fx.sbx, "profile", 200, second, &err);
    assert_string_not_equal(first, second);
    /* The last fault of the run tells which error: the service's 500. */
    knobs.fault_probability = 1.0;
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    s_outcomes(fx.sbx, "profile", 1, second, &err);
    assert_string_equal(err.code, "InternalServerException");
    assert_int_equal(err.status, 500);
    assert_true(err.receiver);
    s_outcomes(fx.sbx, "connect", 1, second, &err);
    assert_string_equal(err.code, "InternalServiceException");
    knobs.fault_kind = CPW_SBX_FAULT_UNAVAILABLE;
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    s_outcomes(fx.sbx, "iam", 1, second, &err);
    assert_int_equal(err.status, 503);
    knobs.fault_kind = CPW_SBX_FAULT_THROTTLE;
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    s_outcomes(fx.sbx, "sts", 1, second, &err);
    assert_string_equal(err.code, "Throttling");
    /* Targeted at one service: the others are untouched. */
    snprintf(knobs.fault_service, sizeof(knobs.fault_service), "connect");
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    s_outcomes(fx.sbx, "profile", 20, second, &err);
    assert_string_equal(second, "aaaaaaaaaaaaaaaaaaaa");
    s_outcomes(fx.sbx, "connect", 3, second, &err);
    assert_string_equal(second, "fff");
    sbx_fixture_close(&fx);
}

static void test_latency_and_json(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_init(&knobs);
    json_t *doc = json_loads("{\"seed\":9,\"rate_limits\":false,\"latency_ms\":100,"
                             "\"latency_jitter_ms\":50,\"fault_kind\":\"throttle\","
                             "\"delete_domain_failure\":\"denied\",\"domain_role_persists\":true}",
                             0, NULL);
    assert_int_equal(cpw_sbx_knobs_from_json(doc, &knobs), 0);
    json_decref(doc);
    assert_true(knobs.domain_role_persists);
    assert_int_equal(knobs.delete_domain_failure, CPW_SBX_DELETE_DOMAIN_DENIED);
    assert_int_equal(knobs.fault_kind, CPW_SBX_FAULT_THROTTLE);
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    struct cpw_sbx_error err;
    int64_t delays[20];
    bool varied = false;
    for (int i = 0; i < 20; i++) {
        assert_int_equal(cpw_sbx_admit(fx.sbx, "profile", "GetDomain", "123456789012", "us-east-1",
                                       T0_MS, &err, &delays[i]),
                         CPW_SBX_ADMITTED);
        assert_true(delays[i] >= 100 && delays[i] <= 150);
        varied = varied || delays[i] != delays[0];
    }
    assert_true(varied);
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    for (int i = 0; i < 20; i++) {
        int64_t d = 0;
        cpw_sbx_admit(fx.sbx, "profile", "GetDomain", "123456789012", "us-east-1", T0_MS, &err, &d);
        assert_int_equal(d, delays[i]);
    }
    /* DeleteDomain answers the configured failure and deletes nothing. */
    json_decref(sbx_ok(&fx, &fx.root, "profile", "CreateDomain",
                       "{\"DomainName\":\"d\",\"DefaultExpirationDays\":5}"));
    sbx_expect_error(&fx, &fx.root, "profile", "DeleteDomain", "{\"DomainName\":\"d\"}", 403,
                     "AccessDeniedException");
    json_decref(sbx_ok(&fx, &fx.root, "profile", "GetDomain", "{\"DomainName\":\"d\"}"));

    doc = json_loads("{\"latency\":1}", 0, NULL);
    assert_int_equal(cpw_sbx_knobs_from_json(doc, &knobs), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
    json_decref(doc);
    doc = json_loads("{\"fault_kind\":\"sometimes\"}", 0, NULL);
    assert_int_equal(cpw_sbx_knobs_from_json(doc, &knobs), -1);
    json_decref(doc);
    cpw_error_clear();

    /* Knobs also come from a scenario. */
    doc = json_loads("{\"knobs\":{\"instance_activation_ms\":0}}", 0, NULL);
    assert_int_equal(cpw_sbx_load_scenario(fx.sbx, doc), 0);
    json_decref(doc);
    cpw_sbx_get_knobs(fx.sbx, &knobs);
    assert_int_equal(knobs.instance_activation_ms, 0);
    assert_true(knobs.domain_role_persists); /* the rest kept */
    doc = json_loads("{\"knobs\":{\"bogus\":true}}", 0, NULL);
    assert_int_equal(cpw_sbx_load_scenario(fx.sbx, doc), -1);
    json_decref(doc);
    cpw_error_clear();
    sbx_fixture_close(&fx);
}

static void test_async_delays(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_init(&knobs);
    knobs.slr_deletion_delay_ms = 3 * CPW_SBX_DEFAULT_SLR_DELETE_MS;
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateServiceLinkedRole",
                       "{\"AWSServiceName\":\"connect.amazonaws.com\",\"CustomSuffix\":\"x\"}"));
    json_t *out = sbx_ok(&fx, &fx.root, "iam", "DeleteServiceLinkedRole",
                         "{\"RoleName\":\"AWSServiceRoleForAmazonConnect_x\"}");
    char input[300];
    snprintf(input, sizeof(input), "{\"DeletionTaskId\":\"%s\"}",
             json_string_value(json_object_get(out, "DeletionTaskId")));
    json_decref(out);
    fx.now_ms += CPW_SBX_DEFAULT_SLR_DELETE_MS; /* the default delay is no longer enough */
    out = sbx_ok(&fx, &fx.root, "iam", "GetServiceLinkedRoleDeletionStatus", input);
    assert_string_equal(json_string_value(json_object_get(out, "Status")), "IN_PROGRESS");
    json_decref(out);
    fx.now_ms += 2 * CPW_SBX_DEFAULT_SLR_DELETE_MS;
    out = sbx_ok(&fx, &fx.root, "iam", "GetServiceLinkedRoleDeletionStatus", input);
    assert_string_equal(json_string_value(json_object_get(out, "Status")), "SUCCEEDED");
    json_decref(out);
    sbx_fixture_close(&fx);
}

/* By default a deletion task outlives an AWS CLI start or two: still pending after 15 s. */
static void test_slr_deletion_default_is_visible(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    assert_int_equal(CPW_SBX_DEFAULT_SLR_DELETE_MS, 20000);
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateServiceLinkedRole",
                       "{\"AWSServiceName\":\"connect.amazonaws.com\",\"CustomSuffix\":\"y\"}"));
    json_t *out = sbx_ok(&fx, &fx.root, "iam", "DeleteServiceLinkedRole",
                         "{\"RoleName\":\"AWSServiceRoleForAmazonConnect_y\"}");
    char input[300];
    snprintf(input, sizeof(input), "{\"DeletionTaskId\":\"%s\"}",
             json_string_value(json_object_get(out, "DeletionTaskId")));
    json_decref(out);
    fx.now_ms += 15000;
    out = sbx_ok(&fx, &fx.root, "iam", "GetServiceLinkedRoleDeletionStatus", input);
    assert_string_equal(json_string_value(json_object_get(out, "Status")), "IN_PROGRESS");
    json_decref(out);
    fx.now_ms += 5000;
    out = sbx_ok(&fx, &fx.root, "iam", "GetServiceLinkedRoleDeletionStatus", input);
    assert_string_equal(json_string_value(json_object_get(out, "Status")), "SUCCEEDED");
    json_decref(out);
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_knobs",
              CPW_TEST(test_async_delays),
              CPW_TEST(test_slr_deletion_default_is_visible),
              CPW_TEST(test_published_rates),
              CPW_TEST(test_faults_deterministic),
              CPW_TEST(test_latency_and_json))
