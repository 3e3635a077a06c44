/*
 * http_server.h - the sandbox's HTTP/1.1 front on libmicrohttpd.
 *
 * Hands each complete request to a handler as a struct cpw_http_request whose path and query are
 * exactly the bytes the client sent (never unescaped: SigV4 verification needs them raw), with
 * headers in arrival order and the whole body. The handler fills a struct cpw_http_response.
 * Keep-alive, chunked request bodies and "Expect: 100-continue" are handled by libmicrohttpd.
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

/* What the handler gets besides the request. */
struct cpw_http_exchange {
    const struct cpw_http_request *request;
    const char *peer_ip;     /* "127.0.0.1" */
    struct cpw_arena *arena; /* per-request pool, released after the response is sent */
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
    size_t max_request_memory_bytes; /* per-request arena cap; default 32 MiB */
    unsigned idle_timeout_s;         /* connection idle timeout; default 60 */
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
