/*
 * engine_fixture.h - helpers the HTTP engine tests share: an engine with test-sized retry
 * settings (no backoff wait), request builders, and probes that record what the callbacks saw.
 * Header-only (static inline) so each test binary stays one source file.
 */
#ifndef CPW_TEST_ENGINE_FIXTURE_H
#define CPW_TEST_ENGINE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/http_engine.h"
#include "cpw/time.h"
#include "harness.h"
#include "stub_server.h"

static inline double s_zero_random(void *user)
{
    (void)user;
    return 0.0; /* no backoff wait: retries are counted, not timed */
}

/* Loopback tests must not go through a proxy the environment happens to name. */
static inline void s_no_proxy_environment(void)
{
    static const char *const names[] = { "http_proxy",  "HTTP_PROXY", "https_proxy",
                                         "HTTPS_PROXY", "all_proxy",  "ALL_PROXY" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        unsetenv(names[i]);
    }
}

static inline struct cpw_http_engine *s_engine_mode(enum cpw_retry_mode mode,
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
    s_no_proxy_environment();
    struct cpw_http_engine *e = cpw_http_engine_new(&o);
    assert_non_null(e);
    return e;
}

static inline struct cpw_http_engine *s_engine(unsigned max_attempts, unsigned quota)
{
    return s_engine_mode(CPW_RETRY_MODE_STANDARD, max_attempts, quota, NULL);
}

static inline void s_request(struct cpw_http_request *req, const char *method, const char *target)
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

static inline int s_prepare(void *user, struct cpw_http_request *req, unsigned attempt)
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

static inline void s_done(void *user, struct cpw_http_result *result)
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

static inline void s_probe_clean_up(struct s_probe *p)
{
    cpw_http_response_clean_up(&p->result.response);
}

/* Submits one call with the probe's callbacks and runs the engine. */
static inline void s_run_one(struct cpw_http_engine *e,
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

struct s_fanout {
    unsigned done;
    unsigned ok;
};

static inline void s_fanout_done(void *user, struct cpw_http_result *result)
{
    struct s_fanout *f = user;
    f->done++;
    if (result->error == CPW_ERR_NONE && result->response.status == 200) {
        f->ok++;
    }
}

static inline void s_submit_many(struct cpw_http_engine *e,
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

#endif
