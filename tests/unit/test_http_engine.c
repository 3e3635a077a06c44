/*
 * test_http_engine.c - the HTTP client engine against a loopback stub server: exact request
 * bytes, response capture, concurrency on one thread, connection reuse, retries and their
 * limits, rate and concurrency caps, timeouts, the body cap and callback rules.
 */
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/http_engine.h"
#include "cpw/time.h"
#include "harness.h"
#include "stub_server.c" /* shared test helper, compiled into this test */

static double s_zero_random(void *user)
{
    (void)user;
    return 0.0; /* no backoff wait: retries are counted, not timed */
}

static struct cpw_http_engine *s_engine_mode(enum cpw_retry_mode mode,
                                             unsigned max_attempts,
                                             unsigned quota,
                                             const char *ca_file)
{
    struct cpw_http_engine_options o = {
        .ca_file = ca_file,
        .max_host_connections = 8,
        .connect_timeout_ms = 2000,
        .timeout_ms = 5000,
        .retry = { .mode = mode,
                   .max_attempts = max_attempts,
                   .quota_initial = quota,
                   .backoff_base_ms = 1,
                   .random = s_zero_random },
    };
    struct cpw_http_engine *e = cpw_http_engine_new(&o);
    assert_non_null(e);
    return e;
}

static struct cpw_http_engine *s_engine(unsigned max_attempts, unsigned quota)
{
    return s_engine_mode(CPW_RETRY_MODE_STANDARD, max_attempts, quota, NULL);
}

static void s_request(struct cpw_http_request *req, const char *method, const char *target)
{
    cpw_http_request_init(req);
    cpw_http_request_set_method(req, method);
    assert_int_equal(cpw_http_request_set_target(req, cpw_span_from_cstr(target)), 0);
}

/* What a test's callbacks saw. */
struct s_probe {
    unsigned prepare_calls;
    unsigned attempts_seen[16];
    unsigned done_calls;
    bool in_submit;
    bool done_inside_submit;
    struct cpw_http_result result; /* copy of the last result, response moved in */
    int fail_prepare_at;           /* attempt number whose prepare fails; 0: never */
};

static int s_prepare(void *user, struct cpw_http_request *req, unsigned attempt)
{
    struct s_probe *p = user;
    if (p->prepare_calls < 16) {
        p->attempts_seen[p->prepare_calls] = attempt;
    }
    p->prepare_calls++;
    if (p->fail_prepare_at > 0 && attempt == (unsigned)p->fail_prepare_at) {
        return cpw_raise(CPW_ERR_CREDENTIALS, "no credentials for attempt %u", attempt);
    }
    /* A fresh copy each attempt: this header must arrive exactly once per request. */
    char value[16];
    snprintf(value, sizeof(value), "%u", attempt);
    cpw_headers_add_cstr(&req->headers, "X-Attempt", value);
    return 0;
}

static void s_done(void *user, struct cpw_http_result *result)
{
    struct s_probe *p = user;
    p->done_calls++;
    if (p->in_submit) {
        p->done_inside_submit = true;
    }
    cpw_http_response_clean_up(&p->result.response);
    p->result = *result;
    cpw_http_response_init(&result->response);
}

static void s_probe_clean_up(struct s_probe *p)
{
    cpw_http_response_clean_up(&p->result.response);
}

/* Submits one call with the probe's callbacks and runs the engine. */
static void s_run_one(struct cpw_http_engine *e,
                      struct s_probe *p,
                      const char *url,
                      const struct cpw_http_request *req,
                      struct cpw_http_call_options *extra)
{
    struct cpw_http_call_options o = extra ? *extra : (struct cpw_http_call_options){ 0 };
    o.url_base = url;
    o.request = req;
    o.prepare = s_prepare;
    o.done = s_done;
    o.user = p;
    cpw_http_response_init(&p->result.response);
    p->in_submit = true;
    assert_int_equal(cpw_http_engine_submit(e, &o), 0);
    p->in_submit = false;
    assert_int_equal(p->done_calls, 0); /* never from inside submit */
    int rc = cpw_http_engine_run(e);
    if (rc != 0) {
        print_message("run failed: %s\n", cpw_last_error_detail());
    }
    assert_int_equal(rc, 0);
    assert_int_equal(p->done_calls, 1);
    assert_false(p->done_inside_submit);
}

static void test_exact_request_and_response(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    static const char body[] = "{\"a\":1}\0\x01\xff tail";
    struct cpw_stub_reply reply = {
        .status = 201,
        .headers = "X-Amzn-RequestId: req-1\nX-Multi: one\nX-Multi: two\n",
        .body = "answer",
    };
    cpw_stub_set_default(stub, &reply);
    struct cpw_http_engine *e = s_engine(1, 0);

    struct cpw_http_request req;
    s_request(&req, "PUT", "/domains/a%20b/c?x=1&y=%2F&z");
    cpw_headers_add_cstr(&req.headers, "Host", "profile.us-east-1.amazonaws.com");
    cpw_headers_add_cstr(&req.headers, "X-Amz-Date", "20150830T123600Z");
    cpw_headers_add_cstr(&req.headers, "Content-Type", "application/x-amz-json-1.1");
    cpw_headers_add_cstr(&req.headers, "X-Empty", "");
    assert_int_equal(cpw_buf_append(&req.body, cpw_span_from(body, sizeof(body) - 1)), 0);

    struct s_probe p = { 0 };
    s_run_one(e, &p, cpw_stub_url(stub), &req, NULL);
    assert_int_equal(p.result.error, CPW_ERR_NONE);
    assert_int_equal(p.result.verdict, CPW_HTTP_VERDICT_SUCCESS);
    assert_int_equal(p.result.attempts, 1);
    assert_true(p.result.has_response);
    assert_int_equal(p.result.response.status, 201);
    assert_true(cpw_span_eq_cstr(cpw_buf_span(&p.result.response.body), "answer"));
    /* Names as sent, repeated headers kept in order. */
    bool found_name = false;
    for (size_t i = 0; i < p.result.response.headers.count; i++) {
        if (strcmp(p.result.response.headers.items[i].name, "X-Amzn-RequestId") == 0) {
            found_name = true;
            assert_string_equal(p.result.response.headers.items[i].value, "req-1");
        }
    }
    assert_true(found_name);
    assert_int_equal(cpw_headers_count_name(&p.result.response.headers, "x-multi"), 2);

    struct cpw_stub_request got;
    assert_true(cpw_stub_request_get(stub, 0, &got));
    assert_string_equal(got.method, "PUT");
    assert_string_equal(got.target, "/domains/a%20b/c?x=1&y=%2F&z");
    assert_non_null(strstr(got.headers, "Host: profile.us-east-1.amazonaws.com\n"));
    assert_non_null(strstr(got.headers, "X-Amz-Date: 20150830T123600Z\n"));
    assert_non_null(strstr(got.headers, "Content-Type: application/x-amz-json-1.1\n"));
    assert_non_null(strstr(got.headers, "X-Empty: \n"));
    assert_non_null(strstr(got.headers, "X-Attempt: 1\n"));
    assert_non_null(strstr(got.headers, "Content-Length: 15\n")); /* sizeof(body) - 1 */
    assert_null(strstr(got.headers, "Expect"));
    assert_null(strstr(got.headers, "Accept"));
    assert_null(strstr(got.headers, "User-Agent"));
    assert_null(strstr(got.headers, "Host: 127.0.0.1"));
    assert_true(cpw_span_eq(cpw_buf_span(&got.body), cpw_span_from(body, sizeof(body) - 1)));
    cpw_stub_request_clean_up(&got);

    /* A GET without a body gets no Content-Type or Content-Length from the engine either. */
    struct cpw_http_request get;
    s_request(&get, "GET", "/list");
    struct s_probe p2 = { 0 };
    s_run_one(e, &p2, cpw_stub_url(stub), &get, NULL);
    assert_int_equal(p2.result.error, CPW_ERR_NONE);
    assert_true(cpw_stub_request_get(stub, 1, &got));
    assert_string_equal(got.method, "GET");
    assert_string_equal(got.target, "/list");
    assert_null(strstr(got.headers, "Content-Type"));
    assert_null(strstr(got.headers, "Content-Length"));
    assert_null(strstr(got.headers, "Accept"));
    assert_non_null(strstr(got.headers, "Host: 127.0.0.1:")); /* derived from the URL */
    cpw_stub_request_clean_up(&got);

    struct cpw_http_engine_stats stats;
    cpw_http_engine_get_stats(e, &stats);
    assert_int_equal(stats.calls_submitted, 2);
    assert_int_equal(stats.calls_succeeded, 2);
    assert_int_equal(stats.requests_sent, 2);
    assert_int_equal(stats.bytes_received, 12);
    assert_true(stats.bytes_sent > sizeof(body) - 1);

    s_probe_clean_up(&p);
    s_probe_clean_up(&p2);
    cpw_http_request_clean_up(&req);
    cpw_http_request_clean_up(&get);
    cpw_http_engine_destroy(e);
    cpw_stub_stop(stub);
}

/* ----- concurrency ------------------------------------------------------------------------ */

struct s_fanout {
    unsigned done;
    unsigned ok;
};

static void s_fanout_done(void *user, struct cpw_http_result *result)
{
    struct s_fanout *f = user;
    f->done++;
    if (result->error == CPW_ERR_NONE && result->response.status == 200) {
        f->ok++;
    }
}

static void s_submit_many(struct cpw_http_engine *e,
                          const char *url,
                          unsigned count,
                          struct s_fanout *f,
                          const char *const *keys,
                          size_t key_count)
{
    struct cpw_http_request req;
    s_request(&req, "GET", "/item");
    for (unsigned i = 0; i < count; i++) {
        struct cpw_http_call_options o = {
            .url_base = url,
            .request = &req,
            .done = s_fanout_done,
            .user = f,
            .limit_keys = keys,
            .limit_key_count = key_count,
        };
        assert_int_equal(cpw_http_engine_submit(e, &o), 0);
    }
    cpw_http_request_clean_up(&req); /* the engine keeps its own copies */
}

static void test_many_calls_overlap_on_one_thread(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    struct cpw_stub_reply slow = { .status = 200, .body = "ok", .delay_ms = 40 };
    cpw_stub_set_default(stub, &slow);
    struct cpw_http_engine *e = s_engine(1, 0);
    struct s_fanout f = { 0 };
    s_submit_many(e, cpw_stub_url(stub), 100, &f, NULL, 0);
    assert_int_equal(f.done, 0);
    assert_int_equal(cpw_http_engine_run(e), 0);
    assert_int_equal(f.done, 100);
    assert_int_equal(f.ok, 100);
    assert_int_equal(cpw_stub_request_count(stub), 100);
    /* The stub handled several requests at once: the calls overlapped. */
    size_t max_concurrent = cpw_stub_max_concurrent(stub);
    assert_true(max_concurrent > 1);
    assert_true(max_concurrent <= 8); /* max_host_connections */
    /* Connections were reused: far fewer TCP connections than requests. */
    assert_true(cpw_stub_connection_count(stub) <= 8);
    struct cpw_http_engine_stats stats;
    cpw_http_engine_get_stats(e, &stats);
    assert_int_equal(stats.requests_sent, 100);
    assert_true(stats.max_in_flight > 1);
    cpw_http_engine_destroy(e);
    cpw_stub_stop(stub);
}

static void test_sequential_calls_reuse_one_connection(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    struct cpw_http_engine *e = s_engine(1, 0);
    struct cpw_http_request req;
    s_request(&req, "POST", "/");
    assert_int_equal(cpw_buf_append_cstr(&req.body, "Action=GetCallerIdentity"), 0);
    for (int i = 0; i < 20; i++) {
        struct cpw_http_call_options o = { .url_base = cpw_stub_url(stub), .request = &req };
        struct cpw_http_response resp;
        assert_int_equal(cpw_http_engine_perform(e, &o, &resp, NULL), 0);
        assert_int_equal(resp.status, 200);
        cpw_http_response_clean_up(&resp);
    }
    assert_int_equal(cpw_stub_request_count(stub), 20);
    assert_int_equal(cpw_stub_connection_count(stub), 1);
    cpw_http_request_clean_up(&req);
    cpw_http_engine_destroy(e);
    cpw_stub_stop(stub);
}

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

static void test_unsafe_calls_use_fresh_connections(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    struct cpw_http_engine *e = s_engine(1, 0);
    struct cpw_http_request req;
    s_request(&req, "POST", "/");
    struct cpw_http_call_options safe = { .url_base = cpw_stub_url(stub), .request = &req };
    struct cpw_http_call_options never = safe;
    never.retry_safety = CPW_HTTP_RETRY_NEVER;
    struct cpw_http_response resp;
    assert_int_equal(cpw_http_engine_perform(e, &safe, &resp, NULL), 0);
    cpw_http_response_clean_up(&resp);
    assert_int_equal(cpw_http_engine_perform(e, &safe, &resp, NULL), 0);
    cpw_http_response_clean_up(&resp);
    assert_int_equal(cpw_stub_connection_count(stub), 1);
    /* libcurl would silently resend on a dead reused connection: an unrepeatable call never
     * takes one. */
    assert_int_equal(cpw_http_engine_perform(e, &never, &resp, NULL), 0);
    cpw_http_response_clean_up(&resp);
    assert_int_equal(cpw_stub_connection_count(stub), 2);
    assert_int_equal(cpw_stub_request_count(stub), 3);
    cpw_http_request_clean_up(&req);
    cpw_http_engine_destroy(e);
    cpw_stub_stop(stub);
}

static void test_tls_is_verified(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    /* https:// to a plain-HTTP server: the handshake must fail, not fall back. */
    char https_url[64];
    snprintf(https_url, sizeof(https_url), "https://%s", cpw_stub_url(stub) + strlen("http://"));
    struct cpw_http_request req;
    s_request(&req, "GET", "/");
    struct cpw_http_engine *e = s_engine(1, 0);
    struct s_probe p = { 0 };
    s_run_one(e, &p, https_url, &req, NULL);
    assert_int_equal(p.result.error, CPW_ERR_HTTP);
    assert_int_equal(p.result.transport.category, CPW_HTTP_TRANSPORT_TLS);
    /* A CA bundle that cannot be read is an error too, never "verification off". */
    struct cpw_http_engine *e2 =
      s_engine_mode(CPW_RETRY_MODE_STANDARD, 1, 0, "/nonexistent/cpwarden-ca.pem");
    struct s_probe p2 = { 0 };
    s_run_one(e2, &p2, https_url, &req, NULL);
    assert_int_equal(p2.result.transport.category, CPW_HTTP_TRANSPORT_TLS);
    s_probe_clean_up(&p);
    s_probe_clean_up(&p2);
    cpw_http_request_clean_up(&req);
    cpw_http_engine_destroy(e);
    cpw_http_engine_destroy(e2);
    cpw_stub_stop(stub);
}

/* ----- limits ------------------------------------------------------------------------------- */

static void test_timeout_ends_the_call(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    struct cpw_stub_reply hang = { .action = CPW_STUB_HANG };
    cpw_stub_set_default(stub, &hang);
    struct cpw_http_engine *e = s_engine(2, 0);
    struct cpw_http_request req;
    s_request(&req, "GET", "/slow");
    struct s_probe p = { 0 };
    struct cpw_http_call_options extra = { .timeout_ms = 200 };
    int64_t start = cpw_time_monotonic_ms();
    s_run_one(e, &p, cpw_stub_url(stub), &req, &extra);
    int64_t elapsed = cpw_time_monotonic_ms() - start;
    assert_int_equal(p.result.error, CPW_ERR_TIMEOUT);
    assert_int_equal(p.result.transport.category, CPW_HTTP_TRANSPORT_TIMEOUT);
    assert_int_equal(p.result.attempts, 2); /* timeouts are transient: retried once */
    assert_true(elapsed < 5000);
    assert_int_equal(cpw_stub_request_count(stub), 2);
    s_probe_clean_up(&p);
    cpw_http_request_clean_up(&req);
    cpw_http_engine_destroy(e);
    cpw_stub_stop(stub);
}

static void test_body_cap(void **state)
{
    (void)state;
    static char big[4096];
    memset(big, 'x', sizeof(big));
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    struct cpw_stub_reply reply = { .status = 200, .body = big, .body_len = sizeof(big) };
    cpw_stub_set_default(stub, &reply);
    struct cpw_http_engine *e = s_engine(3, 0);
    struct cpw_http_request req;
    s_request(&req, "GET", "/big");
    struct s_probe p = { 0 };
    struct cpw_http_call_options capped = { .max_body_bytes = 1024 };
    s_run_one(e, &p, cpw_stub_url(stub), &req, &capped);
    assert_int_equal(p.result.error, CPW_ERR_LIMIT);
    assert_int_equal(p.result.transport.category, CPW_HTTP_TRANSPORT_BODY_LIMIT);
    assert_int_equal(p.result.attempts, 1); /* never retried */
    assert_false(p.result.has_response);
    /* Exactly at the cap is fine. */
    struct s_probe p2 = { 0 };
    struct cpw_http_call_options exact = { .max_body_bytes = sizeof(big) };
    s_run_one(e, &p2, cpw_stub_url(stub), &req, &exact);
    assert_int_equal(p2.result.error, CPW_ERR_NONE);
    assert_int_equal(p2.result.response.body.len, sizeof(big));
    s_probe_clean_up(&p);
    s_probe_clean_up(&p2);
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

/* ----- callbacks ---------------------------------------------------------------------------- */

struct s_pager {
    struct cpw_http_engine *engine;
    const char *url;
    unsigned pages;
};

static void s_page_done(void *user, struct cpw_http_result *result)
{
    struct s_pager *pg = user;
    assert_int_equal(result->error, CPW_ERR_NONE);
    pg->pages++;
    if (pg->pages < 3) {
        struct cpw_http_request next;
        s_request(&next, "GET", pg->pages == 1 ? "/page?token=1" : "/page?token=2");
        struct cpw_http_call_options o = {
            .url_base = pg->url, .request = &next, .done = s_page_done, .user = pg
        };
        assert_int_equal(cpw_http_engine_submit(pg->engine, &o), 0);
        cpw_http_request_clean_up(&next);
    }
}

static void test_submit_from_done_callback(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    struct cpw_http_engine *e = s_engine(1, 0);
    struct s_pager pg = { .engine = e, .url = cpw_stub_url(stub) };
    struct cpw_http_request first;
    s_request(&first, "GET", "/page");
    struct cpw_http_call_options o = {
        .url_base = pg.url, .request = &first, .done = s_page_done, .user = &pg
    };
    assert_int_equal(cpw_http_engine_submit(e, &o), 0);
    assert_int_equal(cpw_http_engine_run(e), 0);
    assert_int_equal(pg.pages, 3);
    struct cpw_stub_request got;
    assert_true(cpw_stub_request_get(stub, 2, &got));
    assert_string_equal(got.target, "/page?token=2");
    cpw_stub_request_clean_up(&got);
    cpw_http_request_clean_up(&first);
    cpw_http_engine_destroy(e);
    cpw_stub_stop(stub);
}

static void s_never_called(void *user, struct cpw_http_result *result)
{
    (void)result;
    (*(int *)user)++;
}

static void test_bad_submissions_get_no_callback(void **state)
{
    (void)state;
    struct cpw_http_engine *e = s_engine(1, 0);
    int calls = 0;
    struct cpw_http_request req;
    s_request(&req, "GET", "/");
    struct cpw_http_call_options no_done = { .url_base = "http://127.0.0.1:1", .request = &req };
    assert_int_equal(cpw_http_engine_submit(e, &no_done), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    const char *bad_bases[] = { NULL, "ftp://x", "http://", "http://host/path", "127.0.0.1:80" };
    for (size_t i = 0; i < sizeof(bad_bases) / sizeof(bad_bases[0]); i++) {
        struct cpw_http_call_options o = {
            .url_base = bad_bases[i], .request = &req, .done = s_never_called, .user = &calls
        };
        assert_int_equal(cpw_http_engine_submit(e, &o), -1);
    }
    cpw_headers_add_cstr(&req.headers, "X-Bad", "a\r\nInjected: yes");
    struct cpw_http_call_options o = {
        .url_base = "http://127.0.0.1:1", .request = &req, .done = s_never_called, .user = &calls
    };
    assert_int_equal(cpw_http_engine_submit(e, &o), -1);
    assert_int_equal(cpw_http_engine_run(e), 0); /* nothing accepted: returns at once */
    assert_int_equal(calls, 0);
    struct cpw_http_engine_stats stats;
    cpw_http_engine_get_stats(e, &stats);
    assert_int_equal(stats.calls_submitted, 0);
    cpw_http_request_clean_up(&req);
    cpw_http_engine_destroy(e);
}

static void test_prepare_failure_ends_the_call(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    struct cpw_stub_reply boom = { .status = 500 };
    cpw_stub_set_default(stub, &boom);
    struct cpw_http_engine *e = s_engine(5, 0);
    struct cpw_http_request req;
    s_request(&req, "GET", "/");
    struct s_probe p = { .fail_prepare_at = 1 };
    s_run_one(e, &p, cpw_stub_url(stub), &req, NULL);
    assert_int_equal(p.result.error, CPW_ERR_CREDENTIALS);
    assert_int_equal(p.result.attempts, 0);
    assert_int_equal(cpw_stub_request_count(stub), 0);
    /* Failing on a retry's prepare stops the retries there. */
    struct s_probe p2 = { .fail_prepare_at = 3 };
    s_run_one(e, &p2, cpw_stub_url(stub), &req, NULL);
    assert_int_equal(p2.result.error, CPW_ERR_CREDENTIALS);
    assert_int_equal(p2.result.attempts, 2);
    assert_int_equal(cpw_stub_request_count(stub), 2);
    s_probe_clean_up(&p);
    s_probe_clean_up(&p2);
    cpw_http_request_clean_up(&req);
    cpw_http_engine_destroy(e);
    cpw_stub_stop(stub);
}

static void test_perform_reports_errors(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    struct cpw_stub_reply nope = { .status = 403, .body = "denied" };
    cpw_stub_set_default(stub, &nope);
    struct cpw_http_engine *e = s_engine(3, 0);
    struct cpw_http_request req;
    s_request(&req, "GET", "/");
    struct cpw_http_call_options o = { .url_base = cpw_stub_url(stub), .request = &req };
    struct cpw_http_response resp;
    struct cpw_http_result result;
    assert_int_equal(cpw_http_engine_perform(e, &o, &resp, &result), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_HTTP);
    assert_int_equal(result.attempts, 1);
    assert_int_equal(result.verdict, CPW_HTTP_VERDICT_FAIL);
    assert_int_equal(resp.status, 403); /* the error body is kept for the caller to parse */
    assert_true(cpw_span_eq_cstr(cpw_buf_span(&resp.body), "denied"));
    cpw_http_response_clean_up(&resp);
    cpw_http_request_clean_up(&req);
    cpw_http_engine_destroy(e);
    cpw_stub_stop(stub);
}

CPW_TEST_MAIN("http_engine",
              CPW_TEST(test_exact_request_and_response),
              CPW_TEST(test_many_calls_overlap_on_one_thread),
              CPW_TEST(test_sequential_calls_reuse_one_connection),
              CPW_TEST(test_throttle_and_5xx_are_retried_with_fresh_prepare),
              CPW_TEST(test_max_attempts_then_fail),
              CPW_TEST(test_classify_decides_and_fail_is_never_retried),
              CPW_TEST(test_retry_quota_exhaustion_stops_retries),
              CPW_TEST(test_retry_safety),
              CPW_TEST(test_legacy_mode_has_no_quota),
              CPW_TEST(test_adaptive_mode_paces_after_throttle),
              CPW_TEST(test_unsafe_calls_use_fresh_connections),
              CPW_TEST(test_tls_is_verified),
              CPW_TEST(test_timeout_ends_the_call),
              CPW_TEST(test_body_cap),
              CPW_TEST(test_concurrency_cap_is_never_exceeded),
              CPW_TEST(test_rate_limit_paces_calls),
              CPW_TEST(test_cap_that_never_frees_ends_the_calls),
              CPW_TEST(test_submit_from_done_callback),
              CPW_TEST(test_bad_submissions_get_no_callback),
              CPW_TEST(test_prepare_failure_ends_the_call),
              CPW_TEST(test_perform_reports_errors))
