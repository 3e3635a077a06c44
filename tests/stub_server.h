/*
 * stub_server.h - a scriptable HTTP/1.1 server on 127.0.0.1 (ephemeral port) for tests, on
 * libmicrohttpd with a thread per connection.
 *
 * Replies are scripted by request order (the Nth request to arrive gets script[N], later ones
 * the default reply): respond with a status, headers and body after an optional delay, drop the
 * connection without answering, or hang until the client gives up. The stub records every
 * request (method, raw target, headers in order with names as received, body) and counts
 * requests, TCP connections and the most requests it was handling at once.
 *
 * Thread-safety: the stub's threads and the test thread share the counters and records under a
 * mutex; the query functions may be called from the test thread at any time.
 */
#ifndef CPW_TEST_STUB_SERVER_H
#define CPW_TEST_STUB_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "cpw/buf.h"

enum cpw_stub_action {
    CPW_STUB_RESPOND = 0,
    CPW_STUB_DROP = 1, /* close the connection without a response */
    CPW_STUB_HANG = 2, /* never answer (until the client goes away or the stub stops) */
};

struct cpw_stub_reply {
    enum cpw_stub_action action;
    unsigned status;     /* 0: 200 */
    const char *headers; /* "Name: value\n" lines; borrowed, must outlive the stub */
    const char *body;    /* borrowed, must outlive the stub; NULL: empty */
    size_t body_len;     /* 0: strlen(body) */
    unsigned delay_ms;   /* wait before answering */
};

/** One request as the stub received it (copies, owned by the caller of _request_get). */
struct cpw_stub_request {
    char *method;
    char *target;  /* raw "/path?query" */
    char *headers; /* "Name: value\n" lines in arrival order */
    struct cpw_buf body;
};

struct cpw_stub_server;

/** Starts a stub on 127.0.0.1 with an ephemeral port; NULL on failure. */
struct cpw_stub_server *cpw_stub_start(void);

/** Stops the stub (waking hanging and delayed handlers) and frees it. NULL is a no-op. */
void cpw_stub_stop(struct cpw_stub_server *stub);

/** "http://127.0.0.1:PORT"; borrowed, valid while the stub runs. */
const char *cpw_stub_url(const struct cpw_stub_server *stub);

/** Replies for the next requests in arrival order (copied array; strings borrowed). */
void cpw_stub_script(struct cpw_stub_server *stub,
                     const struct cpw_stub_reply *replies,
                     size_t count);

/** The reply for requests past the script (initially 200 with an empty body). */
void cpw_stub_set_default(struct cpw_stub_server *stub, const struct cpw_stub_reply *reply);

/** Requests received so far. */
size_t cpw_stub_request_count(struct cpw_stub_server *stub);

/** TCP connections accepted so far. */
size_t cpw_stub_connection_count(struct cpw_stub_server *stub);

/** The most requests being handled (received, not yet answered) at the same time. */
size_t cpw_stub_max_concurrent(struct cpw_stub_server *stub);

/**
 * Copies request number index (0-based, arrival order) into *out. Returns false if there is no
 * such request. Release with cpw_stub_request_clean_up.
 */
bool cpw_stub_request_get(struct cpw_stub_server *stub, size_t index, struct cpw_stub_request *out);

void cpw_stub_request_clean_up(struct cpw_stub_request *req);

#endif
