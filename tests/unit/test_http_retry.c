/*
 * test_http_retry.c - the HTTP engine's retries against a loopback stub server: attempts counted
 * exactly, prepare once per attempt, classify deciding, max attempts, the retry quota, retry
 * safety, legacy and adaptive modes, and the rate and concurrency caps.
 */
#include "engine_fixture.h"

/* ----- retries ------------------------------------------------------------------------------ */

static void test_throttle_and_5xx_are_retried_with_fresh_prepare(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    /* The drop comes first, on a fresh connection: libcurl itself silently resends a request
     * whose reused connection died, which would hide an attempt from this count. */
    struct cpw_stub_reply script[] = {
        { .action = CPW_STUB_DROP },
        { .status = 429, .body = "{\"__type\":\"ThrottlingException\"}" },
        { .status = 503 },
        { .status = 200, .body = "done" },
    };
    cpw_stub_script(stub, script, 4);
    struct cpw_http_engine *e = s_engine(4, 0);
    struct cpw_http_request req;
    s_request(&req, "GET", "/retry");
    struct s_probe p = { 0 };
    s_run_one(e, &p, cpw_stub_url(stub), &req, NULL);
    assert_int_equal(p.result.error, CPW_ERR_NONE);
    assert_int_equal(p.result.attempts, 4);
    assert_true(cpw_span_eq_cstr(cpw_buf_span(&p.result.response.body), "done"));
    assert_int_equal(p.prepare_calls, 4);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(p.attempts_seen[i], i + 1);
    }
    assert_int_equal(cpw_stub_request_count(stub), 4);
    for (size_t i = 0; i < 4; i++) {
        struct cpw_stub_request got;
        assert_true(cpw_stub_request_get(stub, i, &got));
        char expect[32];
        snprintf(expect, sizeof(expect), "X-Attempt: %zu\n", i + 1);
        assert_non_null(strstr(got.headers, expect));
        /* exactly one X-Attempt header: prepare got a fresh copy each time */
        assert_null(strstr(strstr(got.headers, "X-Attempt") + 1, "X-Attempt"));
        cpw_stub_request_clean_up(&got);
    }
    struct cpw_http_engine_stats stats;
    cpw_http_engine_get_stats(e, &stats);
    assert_int_equal(stats.requests_sent, 4);
    assert_int_equal(stats.retries, 3);
    assert_int_equal(stats.throttles, 1);
    assert_int_equal(stats.transport_errors, 1);
    s_probe_clean_up(&p);
    cpw_http_request_clean_up(&req);
    cpw_http_engine_destroy(e);
    cpw_stub_stop(stub);
}

static void test_max_attempts_then_fail(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    struct cpw_stub_reply boom = { .status = 500, .body = "boom" };
    cpw_stub_set_default(stub, &boom);
    struct cpw_http_engine *e = s_engine(3, 0);
    struct cpw_http_request req;
    s_request(&req, "GET", "/");
    struct s_probe p = { 0 };
    s_run_one(e, &p, cpw_stub_url(stub), &req, NULL);
    assert_int_equal(p.result.error, CPW_ERR_HTTP);
    assert_int_equal(p.result.verdict, CPW_HTTP_VERDICT_RETRY_TRANSIENT);
    assert_int_equal(p.result.attempts, 3);
    assert_true(p.result.max_attempts_reached);
    assert_false(p.result.retry_quota_exhausted);
    assert_true(p.result.has_response); /* the last error body is handed over for parsing */
    assert_int_equal(p.result.response.status, 500);
    assert_true(cpw_span_eq_cstr(cpw_buf_span(&p.result.response.body), "boom"));
    assert_int_equal(cpw_stub_request_count(stub), 3);
    assert_int_equal(p.prepare_calls, 3);
    s_probe_clean_up(&p);
    cpw_http_request_clean_up(&req);
    cpw_http_engine_destroy(e);
    cpw_stub_stop(stub);
}

static enum cpw_http_verdict s_classify_400_throttle_404_fail(
  void *user,
  const struct cpw_http_response *response,
  const struct cpw_http_transport_error *transport)
{
    (void)user;
    if (transport) {
        return CPW_HTTP_VERDICT_RETRY_TRANSIENT;
    }
    if (response->status == 400 &&
        cpw_span_find(cpw_buf_span(&response->body), cpw_span_from_cstr("Throttling")) >= 0) {
        return CPW_HTTP_VERDICT_RETRY_THROTTLE;
    }
    if (response->status >= 500) {
        return CPW_HTTP_VERDICT_RETRY_TRANSIENT;
    }
    return response->status < 300 ? CPW_HTTP_VERDICT_SUCCESS : CPW_HTTP_VERDICT_FAIL;
}

static void test_classify_decides_and_fail_is_never_retried(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    struct cpw_stub_reply script[] = {
        { .status = 400, .body = "<Code>Throttling</Code>" },
        { .status = 404, .body = "<Code>NoSuchEntity</Code>" },
        { .status = 200 },
    };
    cpw_stub_script(stub, script, 3);
    struct cpw_http_engine *e = s_engine(5, 0);
    struct cpw_http_request req;
    s_request(&req, "GET", "/");
    struct s_probe p = { 0 };
    struct cpw_http_call_options extra = { .classify = s_classify_400_throttle_404_fail };
    s_run_one(e, &p, cpw_stub_url(stub), &req, &extra);
    assert_int_equal(p.result.verdict, CPW_HTTP_VERDICT_FAIL);
    assert_int_equal(p.result.error, CPW_ERR_HTTP);
    assert_int_equal(p.result.attempts, 2); /* throttle retried, 404 final */
    assert_int_equal(p.result.response.status, 404);
    assert_false(p.result.max_attempts_reached);
    assert_int_equal(cpw_stub_request_count(stub), 2);
    struct cpw_http_engine_stats stats;
    cpw_http_engine_get_stats(e, &stats);
    assert_int_equal(stats.throttles, 1);
    assert_int_equal(stats.retries, 1);
    assert_int_equal(stats.calls_failed, 1);
    s_probe_clean_up(&p);
    cpw_http_request_clean_up(&req);
    cpw_http_engine_destroy(e);
    cpw_stub_stop(stub);
}

static void test_retry_quota_exhaustion_stops_retries(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    struct cpw_stub_reply boom = { .status = 503 };
    cpw_stub_set_default(stub, &boom);
    /* Quota 12: two retries at 5 units each, then 2 units left, less than a retry costs. */
    struct cpw_http_engine *e = s_engine(10, 12);
    struct cpw_http_request req;
    s_request(&req, "GET", "/");
    struct s_probe p = { 0 };
    s_run_one(e, &p, cpw_stub_url(stub), &req, NULL);
    assert_int_equal(p.result.attempts, 3);
    assert_true(p.result.retry_quota_exhausted);
    assert_false(p.result.max_attempts_reached);
    /* The quota is shared by the scope: the next call gets no retry at all. */
    struct s_probe p2 = { 0 };
    s_run_one(e, &p2, cpw_stub_url(stub), &req, NULL);
    assert_int_equal(p2.result.attempts, 1);
    assert_true(p2.result.retry_quota_exhausted);
    /* A different scope has its own quota. */
    struct s_probe p3 = { 0 };
    struct cpw_http_call_options extra = { .retry_scope = "other-client" };
    s_run_one(e, &p3, cpw_stub_url(stub), &req, &extra);
    assert_int_equal(p3.result.attempts, 3);
    assert_int_equal(cpw_stub_request_count(stub), 7);
    s_probe_clean_up(&p);
    s_probe_clean_up(&p2);
    s_probe_clean_up(&p3);
    cpw_http_request_clean_up(&req);
    cpw_http_engine_destroy(e);
    cpw_stub_stop(stub);
}

static void test_retry_safety(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    struct cpw_stub_reply drop = { .action = CPW_STUB_DROP };
    cpw_stub_set_default(stub, &drop);
    struct cpw_http_engine *e = s_engine(3, 0);
    struct cpw_http_request req;
    s_request(&req, "POST", "/create");
    /* Dropped after the request went out: an unsent-only call is not repeated. */
    struct s_probe p = { 0 };
    struct cpw_http_call_options unsent_only = { .retry_safety = CPW_HTTP_RETRY_UNSENT_ONLY };
    s_run_one(e, &p, cpw_stub_url(stub), &req, &unsent_only);
    assert_int_equal(p.result.attempts, 1);
    assert_int_equal(p.result.transport.category, CPW_HTTP_TRANSPORT_CONNECTION);
    assert_true(p.result.transport.request_sent);
    assert_false(p.result.has_response);
    assert_int_equal(p.result.error, CPW_ERR_HTTP);
    assert_int_equal(cpw_stub_request_count(stub), 1);
    /* Never means one attempt whatever the verdict. */
    struct s_probe p2 = { 0 };
    struct cpw_http_call_options never = { .retry_safety = CPW_HTTP_RETRY_NEVER };
    s_run_one(e, &p2, cpw_stub_url(stub), &req, &never);
    assert_int_equal(p2.result.attempts, 1);
    assert_int_equal(cpw_stub_request_count(stub), 2);

    /* Connection refused sends nothing, so even an unsent-only call is retried. */
    char closed_url[64];
    snprintf(closed_url, sizeof(closed_url), "%s", cpw_stub_url(stub));
    cpw_stub_stop(stub);
    struct s_probe p3 = { 0 };
    s_run_one(e, &p3, closed_url, &req, &unsent_only);
    assert_int_equal(p3.result.attempts, 3);
    assert_int_equal(p3.result.transport.category, CPW_HTTP_TRANSPORT_CONNECT);
    assert_false(p3.result.transport.request_sent);
    assert_true(p3.result.max_attempts_reached);
    assert_true(p3.result.transport.message[0] != '\0');
    s_probe_clean_up(&p);
    s_probe_clean_up(&p2);
    s_probe_clean_up(&p3);
    cpw_http_request_clean_up(&req);
    cpw_http_engine_destroy(e);
}

static void test_retry_after_hint_stretches_the_backoff(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    struct cpw_stub_reply script[] = {
        { .status = 503, .headers = "x-amz-retry-after: 300\n" },
        { .status = 200 },
    };
    cpw_stub_script(stub, script, 2);
    struct cpw_http_engine *e = s_engine(3, 0);
    struct cpw_http_request req;
    s_request(&req, "GET", "/");
    struct s_probe p = { 0 };
    int64_t start = cpw_time_monotonic_ms();
    s_run_one(e, &p, cpw_stub_url(stub), &req, NULL);
    int64_t elapsed = cpw_time_monotonic_ms() - start;
    assert_int_equal(p.result.error, CPW_ERR_NONE);
    assert_int_equal(p.result.attempts, 2);
    /* The backoff draw is 0; only the service's hint can account for the wait. */
    assert_true(elapsed >= 299);
    s_probe_clean_up(&p);
    cpw_http_request_clean_up(&req);
    cpw_http_engine_destroy(e);
    cpw_stub_stop(stub);
}

static void test_legacy_mode_has_no_quota(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    struct cpw_stub_reply boom = { .status = 502 };
    cpw_stub_set_default(stub, &boom);
    struct cpw_http_request req;
    s_request(&req, "GET", "/");
    /* Same quota of 5 units: standard stops after one retry, legacy retries to the maximum. */
    struct cpw_http_engine *standard = s_engine_mode(CPW_RETRY_MODE_STANDARD, 4, 5, NULL);
    struct s_probe p = { 0 };
    s_run_one(standard, &p, cpw_stub_url(stub), &req, NULL);
    assert_int_equal(p.result.attempts, 2);
    assert_true(p.result.retry_quota_exhausted);
    struct cpw_http_engine *legacy = s_engine_mode(CPW_RETRY_MODE_LEGACY, 4, 5, NULL);
    struct s_probe p2 = { 0 };
    s_run_one(legacy, &p2, cpw_stub_url(stub), &req, NULL);
    assert_int_equal(p2.result.attempts, 4);
    assert_true(p2.result.max_attempts_reached);
    assert_false(p2.result.retry_quota_exhausted);
    assert_int_equal(cpw_stub_request_count(stub), 6);
    s_probe_clean_up(&p);
    s_probe_clean_up(&p2);
    cpw_http_request_clean_up(&req);
    cpw_http_engine_destroy(standard);
    cpw_http_engine_destroy(legacy);
    cpw_stub_stop(stub);
}

static void test_adaptive_mode_paces_after_throttle(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    struct cpw_stub_reply script[] = { { .status = 429 }, { .status = 200 } };
    cpw_stub_script(stub, script, 2);
    struct cpw_http_engine *e = s_engine_mode(CPW_RETRY_MODE_ADAPTIVE, 3, 0, NULL);
    struct cpw_http_request req;
    s_request(&req, "GET", "/");
    /* Before any throttle the limiter is off: a burst goes out together. */
    struct s_probe p = { 0 };
    int64_t start = cpw_time_monotonic_ms();
    s_run_one(e, &p, cpw_stub_url(stub), &req, NULL);
    int64_t elapsed = cpw_time_monotonic_ms() - start;
    assert_int_equal(p.result.error, CPW_ERR_NONE);
    assert_int_equal(p.result.attempts, 2);
    /* The backoff draw is 0 here, so any wait is the limiter's. After the throttle the fill rate
     * is 0.7 x the measured send rate, which one request in at least half a second puts at most
     * at 0.7 x 1.6/s (or the 0.5/s floor), and the bucket starts empty: the token is at least
     * 1 / 1.12 s away. */
    assert_true(elapsed >= 850);
    assert_true(elapsed < 10000);
    s_probe_clean_up(&p);
    cpw_http_request_clean_up(&req);
    cpw_http_engine_destroy(e);
    cpw_stub_stop(stub);
}

static void test_concurrency_cap_is_never_exceeded(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    struct cpw_stub_reply slow = { .status = 200, .delay_ms = 20 };
    cpw_stub_set_default(stub, &slow);
    struct cpw_http_engine *e = s_engine(1, 0);
    assert_int_equal(
      cpw_ratelimit_set(cpw_http_engine_ratelimit(e), "acct/us-east-1/connect/ALL", 0, 0, 3), 0);
    const char *keys[] = { "acct/us-east-1/connect/ALL" };
    struct s_fanout f = { 0 };
    s_submit_many(e, cpw_stub_url(stub), 30, &f, keys, 1);
    assert_int_equal(cpw_http_engine_run(e), 0);
    assert_int_equal(f.ok, 30);
    assert_true(cpw_stub_max_concurrent(stub) <= 3);
    struct cpw_http_engine_stats stats;
    cpw_http_engine_get_stats(e, &stats);
    assert_int_equal(stats.max_in_flight, 3); /* the cap was reached, never passed */
    assert_int_equal(cpw_ratelimit_in_flight(cpw_http_engine_ratelimit(e), keys[0]), 0);
    cpw_http_engine_destroy(e);
    cpw_stub_stop(stub);
}

static void test_rate_limit_paces_calls(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    struct cpw_http_engine *e = s_engine(1, 0);
    /* 50/s with a burst of 2: 6 calls need at least 4 refills of 20 ms each. */
    assert_int_equal(cpw_ratelimit_set(cpw_http_engine_ratelimit(e), "op", 50.0, 2.0, 0), 0);
    const char *keys[] = { "op" };
    struct s_fanout f = { 0 };
    int64_t start = cpw_time_monotonic_ms();
    s_submit_many(e, cpw_stub_url(stub), 6, &f, keys, 1);
    assert_int_equal(cpw_http_engine_run(e), 0);
    int64_t elapsed = cpw_time_monotonic_ms() - start;
    assert_int_equal(f.ok, 6);
    assert_true(elapsed >= 79); /* a lower bound the bucket guarantees */
    cpw_http_engine_destroy(e);
    cpw_stub_stop(stub);
}

static void test_cap_that_never_frees_ends_the_calls(void **state)
{
    (void)state;
    struct cpw_http_engine *e = s_engine(1, 0);
    struct cpw_ratelimit *rl = cpw_http_engine_ratelimit(e);
    assert_int_equal(cpw_ratelimit_set(rl, "held", 0, 0, 1), 0);
    const char *keys[] = { "held" };
    int64_t wait = 0;
    /* Someone outside the engine holds the only slot and never gives it back. */
    assert_int_equal(cpw_ratelimit_acquire(rl, keys, 1, 0, &wait), CPW_RATELIMIT_ADMIT);
    struct s_fanout f = { 0 };
    s_submit_many(e, "http://127.0.0.1:9", 2, &f, keys, 1);
    assert_int_equal(cpw_http_engine_run(e), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_INTERNAL);
    assert_int_equal(f.done, 2); /* every accepted call still gets its done */
    assert_int_equal(f.ok, 0);
    cpw_http_engine_destroy(e);
}

CPW_TEST_MAIN("http_retry",
              CPW_TEST(test_throttle_and_5xx_are_retried_with_fresh_prepare),
              CPW_TEST(test_max_attempts_then_fail),
              CPW_TEST(test_classify_decides_and_fail_is_never_retried),
              CPW_TEST(test_retry_quota_exhaustion_stops_retries),
              CPW_TEST(test_retry_safety),
              CPW_TEST(test_retry_after_hint_stretches_the_backoff),
              CPW_TEST(test_legacy_mode_has_no_quota),
              CPW_TEST(test_adaptive_mode_paces_after_throttle),
              CPW_TEST(test_concurrency_cap_is_never_exceeded),
              CPW_TEST(test_rate_limit_paces_calls),
              CPW_TEST(test_cap_that_never_frees_ends_the_calls))
