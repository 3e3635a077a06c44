/*
 * http_server.h - the sandbox's HTTP/1.1 front on libmicrohttpd.
 *
 * Hands each complete request to a handler as a struct cpw_http_request whose path and query are
 * exactly the bytes the client sent (never unescaped: SigV4 verification needs them raw), with
 * headers in arrival order and the whole body. The handler fills a struct cpw_http_response.
 * Keep-alive, chunked request bodies and "Expect: 100-continue" are handled by libmicrohttpd.
 *
 * Hostile clients (docs/sandbox.md, "Hostile clients"): every request must arrive whole within
 * request_timeout_s of the connection opening or of the previous answer (bytes trickling in do
 * not extend it), after which the connection is closed; connections are capped in total and per
 * client address (the ones over a cap are closed at once); request bodies held in memory are
 * capped in total (a request whose body would exceed it is answered 503 SlowDown at once). HTTP
 * corner cases are answered before the handler runs: two different Content-Length headers or a
 * Content-Length with chunked encoding 400, a Transfer-Encoding other than "chunked" 501, a
 * target longer than CPW_HTTP_MAX_PATH_BYTES 414, HTTP/1.1 without Host 400.
 *
 * Thread-safety: the handler runs on the server's worker threads, several at once; it must be
 * thread-safe. start/stop are called from one controlling thread.
 */
#ifndef CPW_HTTP_SERVER_H
#define CPW_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpw/arena.h"
#include "cpw/http_msg.h"

struct cpw_http_server;

#define CPW_HTTP_DEFAULT_REQUEST_TIMEOUT_S      30u
#define CPW_HTTP_DEFAULT_MAX_CONNECTIONS        512u
#define CPW_HTTP_DEFAULT_MAX_CONNECTIONS_PER_IP 128u
#define CPW_HTTP_DEFAULT_MAX_INFLIGHT_BODY      ((size_t)64 * 1024 * 1024)

/*
 * A body produced while it is sent (server-sent events): instead of the response's body, the
 * server calls next until it returns -1. next writes at most cap bytes to out and returns how
 * many (> 0), or -1 at the end of the stream; it may block (bounded: it must come back within a
 * few seconds, e.g. with a comment line) only on a server started with thread_per_connection.
 * release, when set, is called once when the stream is done (finished, or the client left).
 * The request deadline does not apply while a stream is being sent.
 */
typedef long(cpw_http_stream_fn)(void *user, char *out, size_t cap);
typedef void(cpw_http_stream_release_fn)(void *user);

struct cpw_http_stream {
    cpw_http_stream_fn *next; /* NULL: the response's body is sent as usual */
    cpw_http_stream_release_fn *release;
    void *user;
};

/* What the handler gets besides the request. */
struct cpw_http_exchange {
    const struct cpw_http_request *request;
    const char *peer_ip;            /* "127.0.0.1" */
    struct cpw_arena *arena;        /* per-request pool, released after the response is sent */
    struct cpw_http_stream *stream; /* zeroed; the handler fills it to stream the body */
    int64_t *delay_ms; /* 0; the handler sets it to have its answer go out that many ms later,
                          without a worker thread waiting meanwhile (not with a stream) */
};

typedef void(cpw_http_handler_fn)(void *user,
                                  const struct cpw_http_exchange *exchange,
                                  struct cpw_http_response *response);

struct cpw_http_server_options {
    const char *bind_address; /* default "127.0.0.1" */
    uint16_t port;            /* 0: pick a free port (read it back with cpw_http_server_port) */
    bool allow_remote;        /* needed to bind anything but a loopback address */
    unsigned threads;         /* worker threads; 0: one per core */
    size_t max_body_bytes;    /* default CPW_HTTP_MAX_BODY_BYTES; larger bodies get 413 */
    size_t max_request_memory_bytes;     /* per-request arena cap; default 32 MiB */
    unsigned idle_timeout_s;             /* connection idle timeout; default 60 */
    unsigned request_timeout_s;          /* whole-request deadline; default 30 */
    unsigned max_connections;            /* open connections in total; default 512 */
    unsigned max_connections_per_client; /* open connections per client address; default 128 */
    size_t max_inflight_body_bytes;      /* request bodies held at once; default 64 MiB */
    bool thread_per_connection; /* one thread per connection (streams may block); threads unused */
    cpw_http_handler_fn *handler;
    void *user;
};

/**
 * Starts listening and serving. Returns an owned server (stop with cpw_http_server_stop), or
 * NULL with CPW_ERR_INVALID_ARGUMENT (non-loopback address without allow_remote, bad address)
 * or CPW_ERR_IO (cannot bind: port in use, permission).
 */
struct cpw_http_server *cpw_http_server_start(const struct cpw_http_server_options *options);

/** The port actually bound. */
uint16_t cpw_http_server_port(const struct cpw_http_server *server);

/** The address bound, as given ("127.0.0.1"). Borrowed. */
const char *cpw_http_server_address(const struct cpw_http_server *server);

/** Stops accepting, finishes in-flight requests, frees everything. NULL is a no-op. */
void cpw_http_server_stop(struct cpw_http_server *server);

/** True for 127.0.0.0/8, ::1 and "localhost". */
bool cpw_http_is_loopback(const char *address);

#endif
