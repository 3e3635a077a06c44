/*
 * test_http_engine.c - the HTTP client engine against a loopback stub server: exact request
 * bytes, response capture, concurrency on one thread, connection reuse, TLS verification,
 * timeouts, the body cap and the callback rules.
 */
#include <stdlib.h>

#include "engine_fixture.h"

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
    assert_null(strstr(strstr(got.headers, "Content-Type") + 1, "Content-Type")); /* just one */
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

    /* A form-looking POST without a Content-Type gets none (libcurl would add a form type). */
    struct cpw_http_request post;
    s_request(&post, "POST", "/");
    assert_int_equal(cpw_buf_append_cstr(&post.body, "Action=ListRoles&Version=2010-05-08"), 0);
    struct s_probe p3 = { 0 };
    s_run_one(e, &p3, cpw_stub_url(stub), &post, NULL);
    assert_true(cpw_stub_request_get(stub, 2, &got));
    assert_string_equal(got.method, "POST");
    assert_null(strstr(got.headers, "Content-Type"));
    assert_non_null(strstr(got.headers, "Content-Length: 35\n"));
    assert_true(cpw_span_eq_cstr(cpw_buf_span(&got.body), "Action=ListRoles&Version=2010-05-08"));
    cpw_stub_request_clean_up(&got);
    s_probe_clean_up(&p3);
    cpw_http_request_clean_up(&post);

    struct cpw_http_engine_stats stats;
    cpw_http_engine_get_stats(e, &stats);
    assert_int_equal(stats.calls_submitted, 3);
    assert_int_equal(stats.calls_succeeded, 3);
    assert_int_equal(stats.requests_sent, 3);
    assert_int_equal(stats.bytes_received, 18); /* "answer" three times */
    assert_true(stats.bytes_sent > sizeof(body) - 1);

    s_probe_clean_up(&p);
    s_probe_clean_up(&p2);
    cpw_http_request_clean_up(&req);
    cpw_http_request_clean_up(&get);
    cpw_http_engine_destroy(e);
    cpw_stub_stop(stub);
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
    /* Generous timeouts: the category must be the TLS failure even on a loaded machine, where
     * a 2 s connect budget (handshake included) can run out first. */
    struct cpw_http_engine_options o = { .connect_timeout_ms = 30000,
                                         .timeout_ms = 30000,
                                         .retry = { .max_attempts = 1 } };
    struct cpw_http_engine *e = cpw_http_engine_new(&o);
    assert_non_null(e);
    struct s_probe p = { 0 };
    s_run_one(e, &p, https_url, &req, NULL);
    assert_int_equal(p.result.error, CPW_ERR_HTTP);
    assert_int_equal(p.result.transport.category, CPW_HTTP_TRANSPORT_TLS);
    /* A CA bundle that cannot be read is an error too, never "verification off". */
    o.ca_file = "/nonexistent/cpwarden-ca.pem";
    struct cpw_http_engine *e2 = cpw_http_engine_new(&o);
    assert_non_null(e2);
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
              CPW_TEST(test_unsafe_calls_use_fresh_connections),
              CPW_TEST(test_tls_is_verified),
              CPW_TEST(test_timeout_ends_the_call),
              CPW_TEST(test_body_cap),
              CPW_TEST(test_submit_from_done_callback),
              CPW_TEST(test_bad_submissions_get_no_callback),
              CPW_TEST(test_prepare_failure_ends_the_call),
              CPW_TEST(test_perform_reports_errors))
