/*
 * http_engine.h - the HTTP client engine: many calls in flight on one thread over a libcurl
 * multi handle, with AWS retry modes, client-side rate and concurrency caps, and statistics.
 *
 * The engine knows nothing of signing or of AWS error bodies. A call carries a request and three
 * callbacks: prepare (before every attempt: the AWS layer signs the request there, with a fresh
 * date), classify (after every attempt: success, retry as throttled, retry as transient, or fail)
 * and done (exactly once per accepted call, with the result). Callbacks are always made from
 * cpw_http_engine_run(), never from inside cpw_http_engine_submit(), and never for a call whose
 * submit failed. A done callback may submit further calls (pagination, fan-out).
 *
 * Transport: HTTP/1.1, connection reuse through the multi handle's connection cache, TLS peer and
 * host verification always on (system CA store, or the engine's ca_file option, or
 * AWS_CA_BUNDLE), proxies from the environment as libcurl reads them (https_proxy/HTTPS_PROXY,
 * http_proxy, no_proxy/NO_PROXY), no redirects, no compression, no signals. The request goes out
 * as given: the caller's headers in order (a caller-set Host is the Host sent), the body byte for
 * byte, and nothing libcurl would add on its own (no Expect: 100-continue, no default Accept or
 * Content-Type). Response headers are kept in order with their names as received; the body is
 * capped.
 *
 * Thread-safety: an engine and everything it hands out belong to the thread that created it;
 * run one engine per thread. curl_global_init() is done once per process on first use.
 */
#ifndef CPW_HTTP_ENGINE_H
#define CPW_HTTP_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpw/error.h"
#include "cpw/http_msg.h"
#include "cpw/ratelimit.h"
#include "cpw/retry.h"

struct cpw_http_engine;

/** What classify decides about one attempt. */
enum cpw_http_verdict {
    CPW_HTTP_VERDICT_SUCCESS = 0,
    CPW_HTTP_VERDICT_RETRY_THROTTLE = 1,  /* retryable; the service asked us to slow down */
    CPW_HTTP_VERDICT_RETRY_TRANSIENT = 2, /* retryable; a passing fault (5xx, reset, timeout) */
    CPW_HTTP_VERDICT_FAIL = 3,            /* final; never retried */
};

/** Why an attempt got no HTTP response. */
enum cpw_http_transport_category {
    CPW_HTTP_TRANSPORT_NONE = 0,       /* a response arrived */
    CPW_HTTP_TRANSPORT_DNS = 1,        /* host or proxy name did not resolve */
    CPW_HTTP_TRANSPORT_CONNECT = 2,    /* connection refused or unreachable */
    CPW_HTTP_TRANSPORT_TIMEOUT = 3,    /* connect or total timeout */
    CPW_HTTP_TRANSPORT_CONNECTION = 4, /* reset, closed early, empty reply */
    CPW_HTTP_TRANSPORT_TLS = 5,        /* handshake or certificate verification */
    CPW_HTTP_TRANSPORT_BODY_LIMIT = 6, /* the response body passed the cap */
    CPW_HTTP_TRANSPORT_OTHER = 7,
};

#define CPW_HTTP_TRANSPORT_MESSAGE_LEN 256

struct cpw_http_transport_error {
    enum cpw_http_transport_category category;
    int curl_code;                                /* CURLcode, 0 when none */
    bool request_sent;                            /* some request bytes went out */
    char message[CPW_HTTP_TRANSPORT_MESSAGE_LEN]; /* libcurl's message; never headers */
};

/** The category's short name ("timeout", "connect", ...); static storage. */
const char *cpw_http_transport_category_name(enum cpw_http_transport_category category);

/** The verdict's short name ("success", "throttle", ...); static storage. */
const char *cpw_http_verdict_name(enum cpw_http_verdict verdict);

/** How a call ended, handed to done. */
struct cpw_http_result {
    enum cpw_http_verdict verdict;     /* the last attempt's verdict (SUCCESS only on success) */
    enum cpw_error error;              /* CPW_ERR_NONE on success, otherwise why the call failed */
    char detail[2048];                 /* a secret-free sentence when error is set */
    unsigned attempts;                 /* attempts made, 0 when prepare failed on the first */
    bool has_response;                 /* the last attempt produced response */
    struct cpw_http_response response; /* owned by the result; may be taken (see done) */
    struct cpw_http_transport_error transport; /* the last attempt's transport error, if any */
    bool retry_quota_exhausted;                /* a retry was wanted but the quota was empty */
    bool max_attempts_reached;                 /* a retry was wanted but attempts ran out */
};

/**
 * Called before every attempt (1-based) with a fresh copy of the call's request, which it may
 * change (add auth headers, a date). Returns 0, or -1 after cpw_raise() to end the call: its done
 * then gets that error and no further attempt is made.
 */
typedef int(cpw_http_prepare_fn)(void *user, struct cpw_http_request *request, unsigned attempt);

/**
 * Decides about an attempt: response is the answer (NULL when transport failed), transport the
 * failure (NULL when a response arrived). Both are borrowed for the call. NULL classify uses
 * cpw_http_classify_default.
 */
typedef enum cpw_http_verdict(cpw_http_classify_fn)(
  void *user,
  const struct cpw_http_response *response,
  const struct cpw_http_transport_error *transport);

/**
 * Receives the call's result exactly once. The result is borrowed for the duration of the
 * callback; to keep the response, move it out (copy the struct, then cpw_http_response_init() the
 * one in the result). May submit more calls on the same engine.
 */
typedef void(cpw_http_done_fn)(void *user, struct cpw_http_result *result);

/** When a retryable verdict may actually be retried. */
enum cpw_http_retry_safety {
    CPW_HTTP_RETRY_SAFE = 0,        /* idempotent: retry whenever the verdict says so */
    CPW_HTTP_RETRY_UNSENT_ONLY = 1, /* retry only failures where no request byte was sent */
    CPW_HTTP_RETRY_NEVER = 2,       /* one attempt, whatever happens */
};

struct cpw_http_call_options {
    const char *url_base;                   /* "scheme://host[:port]", no path; copied */
    const struct cpw_http_request *request; /* copied at submit; the caller keeps its own */
    cpw_http_prepare_fn *prepare;           /* optional */
    cpw_http_classify_fn *classify;         /* optional: cpw_http_classify_default */
    cpw_http_done_fn *done;                 /* required */
    void *user;                             /* passed to the callbacks */
    const char *const *limit_keys;          /* rate/concurrency keys; copied */
    size_t limit_key_count;
    enum cpw_http_retry_safety retry_safety;
    const char *retry_scope;    /* calls sharing a scope share a retry quota and adaptive rate;
                                   NULL: url_base */
    int64_t timeout_ms;         /* whole attempt; 0: engine default */
    int64_t connect_timeout_ms; /* 0: engine default */
    size_t max_body_bytes;      /* response body cap; 0: engine default */
};

/**
 * One attempt on the wire, for a debug sink: first the request exactly as it goes out (signed),
 * then how the attempt ended (the response, or the transport error). Everything is borrowed for
 * the duration of the callback.
 */
struct cpw_http_debug_event {
    const char *url_base;                             /* "scheme://host[:port]" */
    unsigned attempt;                                 /* 1-based */
    const struct cpw_http_request *request;           /* set when the attempt starts, else NULL */
    const struct cpw_http_response *response;         /* set when an answer arrived, else NULL */
    const struct cpw_http_transport_error *transport; /* set when none arrived, else NULL */
};

/** Receives every attempt's exchange (--debug). Called from cpw_http_engine_run only. */
typedef void(cpw_http_debug_fn)(void *user, const struct cpw_http_debug_event *event);

/**
 * A debug sink that writes the exchange to user (a FILE *; NULL: stderr) as HTTP text: the
 * request line, headers and body, then the status line, headers and body. Secrets are redacted
 * before anything is written (the log redactor: SigV4 signatures, security tokens, secret keys
 * and session tokens in JSON and XML bodies, registered credentials), control characters are
 * escaped and bodies are cut after 1 MiB.
 */
void cpw_http_debug_print(void *user, const struct cpw_http_debug_event *event);

struct cpw_http_engine_options {
    long max_total_connections; /* 0: 64 */
    long max_host_connections;  /* 0: 16 */
    int64_t connect_timeout_ms; /* 0: 10000 */
    int64_t timeout_ms;         /* per attempt; 0: 60000 */
    size_t max_body_bytes;      /* 0: CPW_HTTP_MAX_BODY_BYTES */
    const char *ca_file;        /* PEM bundle; NULL: AWS_CA_BUNDLE, else the system store */
    struct cpw_retry_options retry;
    cpw_http_debug_fn *debug; /* optional: sees every request and response (--debug) */
    void *debug_user;         /* passed to debug */
};

struct cpw_http_engine_stats {
    uint64_t calls_submitted;
    uint64_t calls_succeeded;
    uint64_t calls_failed;
    uint64_t requests_sent; /* attempts started: one HTTP request each */
    uint64_t retries;
    uint64_t throttles;        /* attempts classified as throttled */
    uint64_t transport_errors; /* attempts that got no response */
    uint64_t bytes_sent;       /* request bytes incl. headers */
    uint64_t bytes_received;   /* response body bytes */
    uint64_t max_in_flight;    /* most attempts on the wire at once */
};

/**
 * A new engine. options may be NULL (all defaults). Returns an owned engine (release with
 * cpw_http_engine_destroy), or NULL with CPW_ERR_HTTP when libcurl cannot start, or
 * CPW_ERR_CONFIG for a bad option.
 */
struct cpw_http_engine *cpw_http_engine_new(const struct cpw_http_engine_options *options);

/**
 * Releases the engine. Calls not yet done are abandoned without their done callback (destroy only
 * after run returned, or when giving up). NULL is a no-op.
 */
void cpw_http_engine_destroy(struct cpw_http_engine *engine);

/**
 * Accepts a call; nothing is sent before cpw_http_engine_run(). Returns 0 (done will be called
 * exactly once, from run), or -1 with CPW_ERR_INVALID_ARGUMENT (no done, bad url_base, no method)
 * and no callback at all.
 */
int cpw_http_engine_submit(struct cpw_http_engine *engine,
                           const struct cpw_http_call_options *options);

/**
 * Drives every call until all, including those submitted from done callbacks, are done. Waits in
 * curl_multi_poll, with timeouts from the earliest backoff or rate-limit timer; never sleeps
 * otherwise. Returns 0, or -1 with CPW_ERR_HTTP when libcurl's multi interface itself fails
 * (calls then end with that error). Must not be called from a callback.
 */
int cpw_http_engine_run(struct cpw_http_engine *engine);

/**
 * Blocking convenience: submits one call (options->done and ->user are ignored; prepare and
 * classify get options->user) and runs the engine until everything is done. On success moves
 * the response into *out (initialised by this function) and returns 0; otherwise returns -1
 * with the call's error raised (CPW_ERR_TIMEOUT, CPW_ERR_HTTP, CPW_ERR_LIMIT, or prepare's
 * error), and *out holds the last response if there was one. result, if not NULL, receives the
 * attempts, verdict and transport error (its response is left empty).
 */
int cpw_http_engine_perform(struct cpw_http_engine *engine,
                            const struct cpw_http_call_options *options,
                            struct cpw_http_response *out,
                            struct cpw_http_result *result);

/**
 * The engine's rate and concurrency registry, borrowed: fill it with cpw_ratelimit_set() before
 * or between runs (or from callbacks).
 */
struct cpw_ratelimit *cpw_http_engine_ratelimit(struct cpw_http_engine *engine);

/** Copies the engine's counters into *stats. */
void cpw_http_engine_get_stats(const struct cpw_http_engine *engine,
                               struct cpw_http_engine_stats *stats);

/**
 * The classification used when a call has none: transport failures other than the body cap are
 * transient; 429 is throttling; 500, 502, 503 and 504 are transient; 1xx-3xx succeed; anything
 * else fails.
 */
enum cpw_http_verdict cpw_http_classify_default(void *user,
                                                const struct cpw_http_response *response,
                                                const struct cpw_http_transport_error *transport);

#endif
