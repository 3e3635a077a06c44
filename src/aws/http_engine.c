/*
 * http_engine.c - the HTTP client engine's calls and run loop: admission through the rate and
 * concurrency caps (and the adaptive retry limiter), attempts on a curl multi handle, retry
 * decisions with backoff timers, and done callbacks delivered from the loop. The libcurl details
 * of a single attempt live in http_engine_transfer.c.
 */
#include "cpw/http_engine.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/log.h"
#include "cpw/time.h"
#include "http_engine_internal.h"

#define S_DEFAULT_MAX_TOTAL_CONNECTIONS 64L
#define S_DEFAULT_MAX_HOST_CONNECTIONS  16L
#define S_DEFAULT_CONNECT_TIMEOUT_MS    10000
#define S_DEFAULT_TIMEOUT_MS            60000
#define S_MAX_POLL_MS                   1000
#define S_MAX_LIMIT_KEYS                16

enum s_call_state {
    S_CALL_WAITING,   /* admission pending: first attempt, backoff, or a rate/slot wait */
    S_CALL_IN_FLIGHT, /* an attempt is on the multi handle */
    S_CALL_DONE,      /* result final; done callback pending */
};

/* Retry state shared by the calls of one scope (a client, in SDK terms). */
struct s_scope {
    struct s_scope *next;
    char *key;
    struct cpw_retry_quota quota;
    struct cpw_adaptive_limiter adaptive;
};

struct s_call {
    struct s_call *next; /* in the engine's live list, or in its done queue */
    struct s_call *prev; /* in the live list only */
    struct cpw_http_engine *engine;
    char *url_base;
    struct cpw_http_request request; /* as submitted; each attempt prepares a fresh copy */
    cpw_http_prepare_fn *prepare;
    cpw_http_classify_fn *classify;
    cpw_http_done_fn *done;
    void *user;
    char **limit_keys;
    size_t limit_key_count;
    enum cpw_http_retry_safety retry_safety;
    struct s_scope *scope;
    int64_t timeout_ms;
    int64_t connect_timeout_ms;
    size_t max_body_bytes;

    enum s_call_state state;
    int64_t due_ms;           /* waiting: not before this time */
    bool slot_wait;           /* waiting: for a concurrency slot, re-checked when an attempt ends */
    unsigned last_quota_cost; /* quota units the latest retry took; 0 if none */
    struct cpw_http_engine_transfer transfer;
    struct cpw_http_result result;
};

struct cpw_http_engine {
    CURLM *multi;
    struct cpw_ratelimit *ratelimit;
    int64_t connect_timeout_ms;
    int64_t timeout_ms;
    size_t max_body_bytes;
    char *ca_file;
    struct cpw_retry_options retry;
    unsigned max_attempts;
    cpw_http_debug_fn *debug;
    void *debug_user;

    CURL **pool; /* idle easy handles */
    size_t pool_count;
    size_t pool_cap;

    struct s_call *live_head; /* waiting or in flight, in submission order */
    struct s_call *live_tail;
    struct s_call *done_head; /* results waiting for their done callback */
    struct s_call *done_tail;
    size_t call_count; /* live + done */
    size_t in_flight;
    struct s_scope *scopes;
    bool running;
    uint64_t attempts_finished;
    struct cpw_http_engine_stats stats;
};

static pthread_once_t s_curl_once = PTHREAD_ONCE_INIT;
static CURLcode s_curl_init_rc = CURLE_OK;

static void s_curl_global_init(void)
{
    /* With CURLOPT_NOSIGNAL libcurl leaves SIGPIPE alone, and a TLS write to a peer that has
     * closed would kill the process: a closed connection must be an error, not a death. */
    signal(SIGPIPE, SIG_IGN);
    s_curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ----- engine lifecycle --------------------------------------------------------------------- */

struct cpw_http_engine *cpw_http_engine_new(const struct cpw_http_engine_options *options)
{
    static const struct cpw_http_engine_options defaults = { 0 };
    if (!options) {
        options = &defaults;
    }
    pthread_once(&s_curl_once, s_curl_global_init);
    if (s_curl_init_rc != CURLE_OK) {
        cpw_raise(CPW_ERR_HTTP, "libcurl could not start: %s", curl_easy_strerror(s_curl_init_rc));
        return NULL;
    }
    if (options->retry.mode != CPW_RETRY_MODE_STANDARD &&
        options->retry.mode != CPW_RETRY_MODE_LEGACY &&
        options->retry.mode != CPW_RETRY_MODE_ADAPTIVE) {
        cpw_raise(CPW_ERR_CONFIG, "unknown retry mode %d", (int)options->retry.mode);
        return NULL;
    }
    struct cpw_http_engine *e = cpw_calloc(1, sizeof(*e));
    e->connect_timeout_ms =
      options->connect_timeout_ms > 0 ? options->connect_timeout_ms : S_DEFAULT_CONNECT_TIMEOUT_MS;
    e->timeout_ms = options->timeout_ms > 0 ? options->timeout_ms : S_DEFAULT_TIMEOUT_MS;
    e->max_body_bytes = options->max_body_bytes ? options->max_body_bytes : CPW_HTTP_MAX_BODY_BYTES;
    const char *ca_file = options->ca_file;
    if (!ca_file || !ca_file[0]) {
        ca_file = getenv("AWS_CA_BUNDLE");
    }
    if (ca_file && ca_file[0]) {
        e->ca_file = cpw_strdup(ca_file);
    }
    e->retry = options->retry;
    e->debug = options->debug;
    e->debug_user = options->debug_user;
    e->max_attempts = cpw_retry_effective_max_attempts(&options->retry);
    e->ratelimit = cpw_ratelimit_new();
    e->multi = curl_multi_init();
    if (!e->multi) {
        cpw_raise(CPW_ERR_HTTP, "libcurl could not create a multi handle");
        goto on_error;
    }
    long total = options->max_total_connections > 0 ? options->max_total_connections
                                                    : S_DEFAULT_MAX_TOTAL_CONNECTIONS;
    long per_host = options->max_host_connections > 0 ? options->max_host_connections
                                                      : S_DEFAULT_MAX_HOST_CONNECTIONS;
    if (curl_multi_setopt(e->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, total) != CURLM_OK ||
        curl_multi_setopt(e->multi, CURLMOPT_MAX_HOST_CONNECTIONS, per_host) != CURLM_OK ||
        curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS, total) != CURLM_OK) {
        cpw_raise(CPW_ERR_HTTP, "libcurl refused the connection limits");
        goto on_error;
    }
    return e;

on_error:
    cpw_http_engine_destroy(e);
    return NULL;
}

static void s_call_free(struct s_call *call)
{
    if (!call) {
        return;
    }
    cpw_http_engine_transfer_clean_up(&call->transfer);
    cpw_http_request_clean_up(&call->request);
    cpw_http_response_clean_up(&call->result.response);
    for (size_t i = 0; i < call->limit_key_count; i++) {
        cpw_free(call->limit_keys[i]);
    }
    cpw_free(call->limit_keys);
    cpw_free(call->url_base);
    cpw_free(call);
}

void cpw_http_engine_destroy(struct cpw_http_engine *engine)
{
    if (!engine) {
        return;
    }
    for (struct s_call *lists[2] = { engine->live_head, engine->done_head }, **l = lists;
         l < lists + 2; l++) {
        struct s_call *call = *l;
        while (call) {
            struct s_call *next = call->next;
            if (call->state == S_CALL_IN_FLIGHT && call->transfer.easy) {
                curl_multi_remove_handle(engine->multi, call->transfer.easy);
                curl_easy_cleanup(call->transfer.easy);
            }
            s_call_free(call);
            call = next;
        }
    }
    for (size_t i = 0; i < engine->pool_count; i++) {
        curl_easy_cleanup(engine->pool[i]);
    }
    cpw_free(engine->pool);
    if (engine->multi) {
        curl_multi_cleanup(engine->multi);
    }
    while (engine->scopes) {
        struct s_scope *next = engine->scopes->next;
        cpw_free(engine->scopes->key);
        cpw_free(engine->scopes);
        engine->scopes = next;
    }
    cpw_ratelimit_destroy(engine->ratelimit);
    cpw_free(engine->ca_file);
    cpw_free(engine);
}

struct cpw_ratelimit *cpw_http_engine_ratelimit(struct cpw_http_engine *engine)
{
    return engine->ratelimit;
}

void cpw_http_engine_get_stats(const struct cpw_http_engine *engine,
                               struct cpw_http_engine_stats *stats)
{
    *stats = engine->stats;
}

/* ----- submit ------------------------------------------------------------------------------- */

static struct s_scope *s_scope_get(struct cpw_http_engine *e, const char *key)
{
    for (struct s_scope *s = e->scopes; s; s = s->next) {
        if (strcmp(s->key, key) == 0) {
            return s;
        }
    }
    struct s_scope *s = cpw_calloc(1, sizeof(*s));
    s->key = cpw_strdup(key);
    cpw_retry_quota_init(&s->quota, e->retry.quota_initial);
    cpw_adaptive_limiter_init(&s->adaptive, cpw_time_monotonic_ms());
    s->next = e->scopes;
    e->scopes = s;
    return s;
}

static bool s_has_crlf(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

static int s_validate(const struct cpw_http_call_options *o)
{
    if (!o || !o->done) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "an HTTP call needs a done callback");
    }
    if (!o->request || !o->request->method || !o->request->method[0] ||
        strpbrk(o->request->method, " \t\r\n")) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "an HTTP call needs a request with a method");
    }
    const char *base = o->url_base;
    if (!base || !(strncmp(base, "http://", 7) == 0 || strncmp(base, "https://", 8) == 0)) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "URL base must start with http:// or https://");
    }
    const char *host = strstr(base, "://") + 3;
    if (!host[0] || strpbrk(host, "/?# \t\r\n")) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "URL base must be scheme://host[:port] only");
    }
    const struct cpw_http_request *r = o->request;
    if (r->path.len == 0 || r->path.data[0] != '/') {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "request path must start with '/'");
    }
    for (size_t i = 0; i < r->headers.count; i++) {
        const struct cpw_header *h = &r->headers.items[i];
        if (!h->name[0] || strpbrk(h->name, ": \t\r\n") || s_has_crlf(h->value)) {
            return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "request header %zu is malformed", i);
        }
    }
    if (o->limit_key_count > S_MAX_LIMIT_KEYS || (o->limit_key_count && !o->limit_keys)) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "at most %d limit keys per call",
                         S_MAX_LIMIT_KEYS);
    }
    for (size_t i = 0; i < o->limit_key_count; i++) {
        if (!o->limit_keys[i]) {
            return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "limit key %zu is NULL", i);
        }
    }
    return 0;
}

int cpw_http_engine_submit(struct cpw_http_engine *engine,
                           const struct cpw_http_call_options *options)
{
    if (!engine) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "no engine");
    }
    if (s_validate(options) != 0) {
        return -1;
    }
    struct s_call *call = cpw_calloc(1, sizeof(*call));
    cpw_http_engine_transfer_init(&call->transfer);
    cpw_http_response_init(&call->result.response);
    if (cpw_http_engine_request_copy(&call->request, options->request) != 0) {
        cpw_http_engine_transfer_clean_up(&call->transfer);
        cpw_http_response_clean_up(&call->result.response);
        cpw_free(call);
        return -1;
    }
    call->engine = engine;
    call->url_base = cpw_strdup(options->url_base);
    call->prepare = options->prepare;
    call->classify = options->classify ? options->classify : cpw_http_classify_default;
    call->done = options->done;
    call->user = options->user;
    if (options->limit_key_count) {
        call->limit_keys = cpw_calloc(options->limit_key_count, sizeof(char *));
        for (size_t i = 0; i < options->limit_key_count; i++) {
            call->limit_keys[i] = cpw_strdup(options->limit_keys[i]);
        }
        call->limit_key_count = options->limit_key_count;
    }
    call->retry_safety = options->retry_safety;
    call->scope =
      s_scope_get(engine, options->retry_scope ? options->retry_scope : options->url_base);
    call->timeout_ms = options->timeout_ms > 0 ? options->timeout_ms : engine->timeout_ms;
    call->connect_timeout_ms =
      options->connect_timeout_ms > 0 ? options->connect_timeout_ms : engine->connect_timeout_ms;
    call->max_body_bytes =
      options->max_body_bytes ? options->max_body_bytes : engine->max_body_bytes;
    call->state = S_CALL_WAITING;
    call->due_ms = 0;
    call->prev = engine->live_tail;
    if (engine->live_tail) {
        engine->live_tail->next = call;
    } else {
        engine->live_head = call;
    }
    engine->live_tail = call;
    engine->call_count++;
    engine->stats.calls_submitted++;
    return 0;
}

/* ----- completion --------------------------------------------------------------------------- */

/* Moves call from the live list to the done queue with its final error. */
static void s_finish(struct cpw_http_engine *e,
                     struct s_call *call,
                     enum cpw_error error,
                     const char *fmt,
                     ...) __attribute__((format(printf, 4, 5)));

static void s_finish(struct cpw_http_engine *e,
                     struct s_call *call,
                     enum cpw_error error,
                     const char *fmt,
                     ...)
{
    if (call->prev) {
        call->prev->next = call->next;
    } else {
        e->live_head = call->next;
    }
    if (call->next) {
        call->next->prev = call->prev;
    } else {
        e->live_tail = call->prev;
    }
    call->next = NULL;
    call->prev = NULL;
    call->state = S_CALL_DONE;
    call->result.error = error;
    call->result.detail[0] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(call->result.detail, sizeof(call->result.detail), fmt, ap);
        va_end(ap);
    }
    if (error == CPW_ERR_NONE) {
        e->stats.calls_succeeded++;
    } else {
        e->stats.calls_failed++;
    }
    if (e->done_tail) {
        e->done_tail->next = call;
    } else {
        e->done_head = call;
    }
    e->done_tail = call;
}

static void s_deliver_done(struct cpw_http_engine *e)
{
    while (e->done_head) {
        struct s_call *call = e->done_head;
        e->done_head = call->next;
        if (!e->done_head) {
            e->done_tail = NULL;
        }
        call->next = NULL;
        call->done(call->user, &call->result);
        e->call_count--;
        s_call_free(call);
    }
}

/* ----- admission and attempts --------------------------------------------------------------- */

static CURL *s_easy_get(struct cpw_http_engine *e)
{
    if (e->pool_count > 0) {
        CURL *easy = e->pool[--e->pool_count];
        curl_easy_reset(easy);
        return easy;
    }
    return curl_easy_init();
}

static void s_easy_put(struct cpw_http_engine *e, CURL *easy)
{
    if (e->pool_count == e->pool_cap) {
        e->pool_cap = e->pool_cap ? e->pool_cap * 2 : 16;
        e->pool = cpw_realloc(e->pool, e->pool_cap * sizeof(*e->pool));
    }
    e->pool[e->pool_count++] = easy;
}

static void s_release_limits(struct cpw_http_engine *e, struct s_call *call)
{
    cpw_ratelimit_release(e->ratelimit, (const char *const *)call->limit_keys,
                          call->limit_key_count);
}

enum s_start_outcome { S_STARTED, S_WAITING, S_FINISHED };

/* Tries to start the next attempt of a waiting call at now_ms. */
static enum s_start_outcome s_try_start(struct cpw_http_engine *e,
                                        struct s_call *call,
                                        int64_t now_ms)
{
    if (call->due_ms > now_ms) {
        return S_WAITING;
    }
    bool adaptive = e->retry.mode == CPW_RETRY_MODE_ADAPTIVE;
    if (adaptive) {
        int64_t wait_ms = cpw_adaptive_limiter_acquire(&call->scope->adaptive, now_ms);
        if (wait_ms > 0) {
            call->due_ms = now_ms + wait_ms;
            return S_WAITING;
        }
    }
    int64_t wait_ms = 0;
    enum cpw_ratelimit_verdict v = cpw_ratelimit_acquire(
      e->ratelimit, (const char *const *)call->limit_keys, call->limit_key_count, now_ms, &wait_ms);
    if (v != CPW_RATELIMIT_ADMIT) {
        if (adaptive) {
            cpw_adaptive_limiter_refund(&call->scope->adaptive); /* the token was not used */
        }
        call->slot_wait = v == CPW_RATELIMIT_WAIT_SLOT;
        call->due_ms = call->slot_wait ? now_ms : now_ms + wait_ms;
        return S_WAITING;
    }

    call->slot_wait = false;
    unsigned attempt = ++call->result.attempts;
    struct cpw_http_engine_transfer *t = &call->transfer;
    cpw_http_engine_transfer_clean_up(t);
    cpw_http_engine_transfer_init(t);
    cpw_error_clear(); /* a prepare that fails without raising must not report a stale code */
    if (cpw_http_engine_request_copy(&t->request, &call->request) != 0 ||
        (call->prepare && call->prepare(call->user, &t->request, attempt) != 0)) {
        s_release_limits(e, call);
        call->result.attempts = attempt - 1;
        enum cpw_error code = cpw_last_error();
        s_finish(e, call, code != CPW_ERR_NONE ? code : CPW_ERR_INTERNAL,
                 "preparing attempt %u failed: %s", attempt, cpw_last_error_detail());
        return S_FINISHED;
    }
    t->easy = s_easy_get(e);
    struct cpw_http_engine_transfer_settings settings = {
        .url_base = call->url_base,
        .connect_timeout_ms = call->connect_timeout_ms,
        .timeout_ms = call->timeout_ms,
        .max_body_bytes = call->max_body_bytes,
        .ca_file = e->ca_file,
        /* libcurl silently resends a request whose reused connection died before an answer;
         * a call that must not be repeated therefore never rides a reused connection. */
        .fresh_connection = call->retry_safety != CPW_HTTP_RETRY_SAFE,
        .private_data = call,
    };
    CURLMcode mc = CURLM_OK;
    if (!t->easy || cpw_http_engine_transfer_setup(t, &settings) != 0 ||
        (mc = curl_multi_add_handle(e->multi, t->easy)) != CURLM_OK) {
        if (mc != CURLM_OK) {
            cpw_raise(CPW_ERR_HTTP, "libcurl could not start a transfer: %s",
                      curl_multi_strerror(mc));
        } else if (!t->easy) {
            cpw_raise(CPW_ERR_HTTP, "libcurl could not create a transfer");
        }
        if (t->easy) {
            s_easy_put(e, t->easy);
            t->easy = NULL;
        }
        s_release_limits(e, call);
        s_finish(e, call, cpw_last_error(), "attempt %u could not start: %s", attempt,
                 cpw_last_error_detail());
        return S_FINISHED;
    }
    if (e->debug) {
        struct cpw_http_debug_event ev = { .url_base = call->url_base,
                                           .attempt = attempt,
                                           .request = &t->request };
        e->debug(e->debug_user, &ev);
    }
    call->state = S_CALL_IN_FLIGHT;
    e->in_flight++;
    e->stats.requests_sent++;
    if (e->in_flight > e->stats.max_in_flight) {
        e->stats.max_in_flight = e->in_flight;
    }
    return S_STARTED;
}

/* Starts every waiting call that may go now. */
static void s_start_ready(struct cpw_http_engine *e, int64_t now_ms)
{
    struct s_call *call = e->live_head;
    while (call) {
        struct s_call *next = call->next; /* call may move to the done queue */
        if (call->state == S_CALL_WAITING) {
            s_try_start(e, call, now_ms);
        }
        call = next;
    }
}

/*
 * Scans the waiting calls: the earliest timer of those waiting on time (INT64_MAX if none), and
 * whether any waits for a concurrency slot.
 */
static int64_t s_next_due(const struct cpw_http_engine *e, bool *any_slot_wait)
{
    int64_t next = INT64_MAX;
    *any_slot_wait = false;
    for (const struct s_call *c = e->live_head; c; c = c->next) {
        if (c->state != S_CALL_WAITING) {
            continue;
        }
        if (c->slot_wait) {
            *any_slot_wait = true;
        } else if (c->due_ms < next) {
            next = c->due_ms;
        }
    }
    return next;
}

/* ----- retry decision ----------------------------------------------------------------------- */

static bool s_is_timeout_like(enum cpw_http_transport_category c)
{
    return c == CPW_HTTP_TRANSPORT_TIMEOUT || c == CPW_HTTP_TRANSPORT_CONNECTION ||
           c == CPW_HTTP_TRANSPORT_CONNECT || c == CPW_HTTP_TRANSPORT_DNS;
}

static void s_fail(struct cpw_http_engine *e, struct s_call *call, const char *why)
{
    const struct cpw_http_result *r = &call->result;
    if (r->transport.category != CPW_HTTP_TRANSPORT_NONE) {
        enum cpw_error code = CPW_ERR_HTTP;
        if (r->transport.category == CPW_HTTP_TRANSPORT_TIMEOUT) {
            code = CPW_ERR_TIMEOUT;
        } else if (r->transport.category == CPW_HTTP_TRANSPORT_BODY_LIMIT) {
            code = CPW_ERR_LIMIT;
        }
        s_finish(e, call, code, "%s error after %u attempt(s)%s: %s",
                 cpw_http_transport_category_name(r->transport.category), r->attempts, why,
                 r->transport.message);
    } else {
        s_finish(e, call, CPW_ERR_HTTP, "HTTP status %ld (%s) after %u attempt(s)%s",
                 r->response.status, cpw_http_verdict_name(r->verdict), r->attempts, why);
    }
}

/* One attempt of call ended with code. */
static void s_attempt_done(struct cpw_http_engine *e,
                           struct s_call *call,
                           CURLcode code,
                           int64_t now_ms)
{
    struct cpw_http_engine_transfer *t = &call->transfer;
    struct cpw_http_result *r = &call->result;
    cpw_http_engine_transfer_finish(t, code, &r->transport, &e->stats.bytes_sent,
                                    &e->stats.bytes_received);
    if (e->debug) {
        bool answered = r->transport.category == CPW_HTTP_TRANSPORT_NONE;
        struct cpw_http_debug_event ev = { .url_base = call->url_base,
                                           .attempt = r->attempts,
                                           .response = answered ? &t->response : NULL,
                                           .transport = answered ? NULL : &r->transport };
        e->debug(e->debug_user, &ev);
    }
    curl_multi_remove_handle(e->multi, t->easy);
    s_easy_put(e, t->easy);
    t->easy = NULL;
    e->in_flight--;
    e->attempts_finished++;
    s_release_limits(e, call);
    call->state = S_CALL_WAITING;

    /* The result keeps the latest attempt's response (or none). */
    cpw_http_response_clean_up(&r->response);
    r->response = t->response;
    cpw_http_response_init(&t->response);
    bool got_response = r->transport.category == CPW_HTTP_TRANSPORT_NONE;
    r->has_response = got_response;
    if (!got_response) {
        cpw_http_response_clean_up(&r->response);
        cpw_http_response_init(&r->response);
        e->stats.transport_errors++;
    }

    if (r->transport.category == CPW_HTTP_TRANSPORT_BODY_LIMIT) {
        r->verdict = CPW_HTTP_VERDICT_FAIL; /* a retry would get the same oversize answer */
    } else {
        r->verdict = call->classify(call->user, got_response ? &r->response : NULL,
                                    got_response ? NULL : &r->transport);
    }
    bool throttled = r->verdict == CPW_HTTP_VERDICT_RETRY_THROTTLE;
    if (throttled) {
        e->stats.throttles++;
    }
    if (e->retry.mode == CPW_RETRY_MODE_ADAPTIVE) {
        cpw_adaptive_limiter_update(&call->scope->adaptive, throttled, now_ms);
    }
    bool uses_quota = e->retry.mode != CPW_RETRY_MODE_LEGACY;

    if (r->verdict == CPW_HTTP_VERDICT_SUCCESS) {
        if (uses_quota) {
            cpw_retry_quota_release(&call->scope->quota, call->last_quota_cost
                                                           ? call->last_quota_cost
                                                           : CPW_RETRY_QUOTA_NO_RETRY_REFUND);
        }
        s_finish(e, call, CPW_ERR_NONE, NULL);
        return;
    }
    if (r->verdict == CPW_HTTP_VERDICT_FAIL) {
        s_fail(e, call, "");
        return;
    }
    if (call->retry_safety == CPW_HTTP_RETRY_NEVER ||
        (call->retry_safety == CPW_HTTP_RETRY_UNSENT_ONLY &&
         (got_response || r->transport.request_sent))) {
        s_fail(e, call, ", not retried: not safe to repeat");
        return;
    }
    if (r->attempts >= e->max_attempts) {
        r->max_attempts_reached = true;
        s_fail(e, call, ", max attempts reached");
        return;
    }
    if (uses_quota) {
        unsigned cost = !got_response && s_is_timeout_like(r->transport.category)
                          ? CPW_RETRY_QUOTA_TIMEOUT_COST
                          : CPW_RETRY_QUOTA_COST;
        if (!cpw_retry_quota_acquire(&call->scope->quota, cost)) {
            r->retry_quota_exhausted = true;
            s_fail(e, call, ", retry quota exhausted");
            return;
        }
        call->last_quota_cost = cost;
    }
    int64_t delay_ms = cpw_retry_backoff_ms(e->retry.backoff_base_ms, e->retry.max_backoff_ms,
                                            r->attempts, cpw_retry_random(&e->retry));
    if (got_response) {
        const char *hint = cpw_headers_get(&r->response.headers, CPW_RETRY_HINT_HEADER);
        delay_ms = cpw_retry_apply_hint_ms(delay_ms, cpw_span_from_cstr(hint));
    }
    call->due_ms = now_ms + delay_ms;
    e->stats.retries++;
    cpw_log(CPW_LOG_DEBUG, "HTTP attempt %u: %s; retrying in %lld ms", r->attempts,
            cpw_http_verdict_name(r->verdict), (long long)delay_ms);
}

/* Handles every transfer libcurl reports finished. */
static void s_collect(struct cpw_http_engine *e, int64_t now_ms)
{
    CURLMsg *msg;
    int left = 0;
    while ((msg = curl_multi_info_read(e->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE) {
            continue;
        }
        struct s_call *call = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&call);
        CURLcode code = msg->data.result;
        if (call) {
            s_attempt_done(e, call, code, now_ms);
        }
    }
}

/* Ends every live call with error (libcurl's multi interface broke). */
static void s_fail_all(struct cpw_http_engine *e, const char *why)
{
    while (e->live_head) {
        struct s_call *call = e->live_head;
        if (call->state == S_CALL_IN_FLIGHT && call->transfer.easy) {
            curl_multi_remove_handle(e->multi, call->transfer.easy);
            s_easy_put(e, call->transfer.easy);
            call->transfer.easy = NULL;
            e->in_flight--;
            s_release_limits(e, call);
        }
        s_finish(e, call, CPW_ERR_HTTP, "%s", why);
    }
}

/* ----- run ---------------------------------------------------------------------------------- */

int cpw_http_engine_run(struct cpw_http_engine *engine)
{
    if (!engine) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "no engine");
    }
    if (engine->running) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "the engine is already running");
    }
    engine->running = true;
    int rc = 0;
    while (engine->call_count > 0) {
        s_start_ready(engine, cpw_time_monotonic_ms());
        bool any_slot_wait = false;
        int64_t next_due_ms = s_next_due(engine, &any_slot_wait);
        if (engine->in_flight == 0 && next_due_ms == INT64_MAX && any_slot_wait &&
            !engine->done_head) {
            /* Every live call waits for a concurrency slot, nothing on the wire will free one,
             * and no callback is pending that could raise a cap: it would wait forever. */
            s_fail_all(engine, "calls could not be admitted: a concurrency cap never frees");
            s_deliver_done(engine);
            rc = cpw_raise(CPW_ERR_INTERNAL, "HTTP engine stalled on concurrency caps");
            break;
        }
        s_deliver_done(engine);
        if (engine->call_count == 0) {
            break;
        }
        int running = 0;
        uint64_t finished_before = engine->attempts_finished;
        CURLMcode mc = curl_multi_perform(engine->multi, &running);
        if (mc != CURLM_OK) {
            rc = cpw_raise(CPW_ERR_HTTP, "libcurl multi interface failed: %s",
                           curl_multi_strerror(mc));
            s_fail_all(engine, "the HTTP engine's transfer loop failed");
            s_deliver_done(engine);
            break;
        }
        int64_t now_ms = cpw_time_monotonic_ms();
        s_collect(engine, now_ms);
        if (engine->done_head || engine->attempts_finished != finished_before) {
            continue; /* deliver results; retries and slot waiters may start at once */
        }
        next_due_ms = s_next_due(engine, &any_slot_wait);
        if (next_due_ms <= now_ms) {
            continue;
        }
        int64_t wait_ms = S_MAX_POLL_MS;
        if (next_due_ms - now_ms < wait_ms) {
            wait_ms = next_due_ms - now_ms;
        }
        mc = curl_multi_poll(engine->multi, NULL, 0, (int)wait_ms, NULL);
        if (mc != CURLM_OK) {
            rc = cpw_raise(CPW_ERR_HTTP, "libcurl poll failed: %s", curl_multi_strerror(mc));
            s_fail_all(engine, "the HTTP engine's poll failed");
            s_deliver_done(engine);
            break;
        }
    }
    engine->running = false;
    return rc;
}
