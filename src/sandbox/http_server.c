/*
 * http_server.c - libmicrohttpd glue: raw request capture, bounded bodies, one handler call per
 * request, per-request arena.
 *
 * libmicrohttpd calls the access handler several times per request: first with the headers,
 * then once per body chunk, then once more with no data, when we answer. The raw request URI
 * (path and query exactly as sent) is captured by the URI-log callback, which also creates the
 * per-request state; the unescape callback is a no-op so nothing is decoded behind our back.
 */
#include "cpw/http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/log.h"

#define DEFAULT_REQUEST_MEMORY (32u * 1024u * 1024u)

struct cpw_http_server {
    struct MHD_Daemon *daemon;
    struct cpw_http_server_options options;
    char *address;
    uint16_t port;
};

struct request_state {
    struct cpw_http_request request;
    struct cpw_arena arena;
    bool headers_done;
    bool too_large;
    bool bad_target;
};

bool cpw_http_is_loopback(const char *address)
{
    if (!address) {
        return false;
    }
    if (strcmp(address, "localhost") == 0 || strcmp(address, "::1") == 0) {
        return true;
    }
    struct in_addr v4;
    return inet_pton(AF_INET, address, &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

static void *s_uri_log(void *cls, const char *uri, struct MHD_Connection *connection)
{
    struct cpw_http_server *server = cls;
    (void)connection;
    struct request_state *st = cpw_calloc(1, sizeof(*st));
    cpw_http_request_init(&st->request);
    st->request.body.max = server->options.max_body_bytes;
    cpw_arena_init(&st->arena, server->options.max_request_memory_bytes);
    if (cpw_http_request_set_target(&st->request, cpw_span_from_cstr(uri))) {
        st->bad_target = true;
    }
    return st;
}

static size_t s_no_unescape(void *cls, struct MHD_Connection *connection, char *s)
{
    (void)cls;
    (void)connection;
    return strlen(s);
}

static enum MHD_Result s_collect_header(void *cls,
                                        enum MHD_ValueKind kind,
                                        const char *key,
                                        const char *value)
{
    (void)kind;
    struct request_state *st = cls;
    cpw_headers_add_cstr(&st->request.headers, key, value ? value : "");
    return MHD_YES;
}

static void s_peer_ip(struct MHD_Connection *connection, char *out, size_t out_size)
{
    const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, out_size, "unknown");
    if (!info || !info->client_addr) {
        return;
    }
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)out_size);
    } else if (sa->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)out_size);
    }
}

static enum MHD_Result s_send(struct MHD_Connection *connection,
                              const struct cpw_http_response *resp)
{
    struct MHD_Response *response = MHD_create_response_from_buffer(
      resp->body.len, resp->body.data ? resp->body.data : (void *)"", MHD_RESPMEM_MUST_COPY);
    if (!response) {
        return MHD_NO;
    }
    for (size_t i = 0; i < resp->headers.count; i++) {
        MHD_add_response_header(response, resp->headers.items[i].name,
                                resp->headers.items[i].value);
    }
    unsigned int status = resp->status >= 100 && resp->status <= 599 ? (unsigned)resp->status : 500;
    enum MHD_Result rc = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return rc;
}

static enum MHD_Result s_plain_error(struct MHD_Connection *connection,
                                     long status,
                                     const char *message)
{
    struct cpw_http_response resp;
    cpw_http_response_init(&resp);
    resp.status = status;
    cpw_headers_add_cstr(&resp.headers, "Content-Type", "text/plain");
    (void)cpw_buf_append_cstr(&resp.body, message);
    enum MHD_Result rc = s_send(connection, &resp);
    cpw_http_response_clean_up(&resp);
    return rc;
}

static enum MHD_Result s_access(void *cls,
                                struct MHD_Connection *connection,
                                const char *url,
                                const char *method,
                                const char *version,
                                const char *upload_data,
                                size_t *upload_data_size,
                                void **con_cls)
{
    struct cpw_http_server *server = cls;
    struct request_state *st = *con_cls;
    (void)url;
    (void)version;
    if (!st) {
        return MHD_NO; /* cannot happen: the URI-log callback always creates it */
    }
    if (!st->headers_done) {
        st->headers_done = true;
        cpw_http_request_set_method(&st->request, method);
        MHD_get_connection_values(connection, MHD_HEADER_KIND, s_collect_header, st);
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!st->too_large &&
            cpw_buf_append(&st->request.body, cpw_span_from(upload_data, *upload_data_size))) {
            st->too_large = true; /* keep reading (and dropping) so the client sees our 413 */
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (st->bad_target) {
        return s_plain_error(connection, 400, "Bad request target\n");
    }
    if (st->too_large) {
        return s_plain_error(connection, 413, "Request body too large\n");
    }
    char peer[64];
    s_peer_ip(connection, peer, sizeof(peer));
    struct cpw_http_exchange exchange = { .request = &st->request,
                                          .peer_ip = peer,
                                          .arena = &st->arena };
    struct cpw_http_response resp;
    cpw_http_response_init(&resp);
    server->options.handler(server->options.user, &exchange, &resp);
    enum MHD_Result rc = s_send(connection, &resp);
    cpw_http_response_clean_up(&resp);
    return rc;
}

static void s_completed(void *cls,
                        struct MHD_Connection *connection,
                        void **con_cls,
                        enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)connection;
    (void)toe;
    struct request_state *st = *con_cls;
    if (st) {
        cpw_http_request_clean_up(&st->request);
        cpw_arena_clean_up(&st->arena);
        cpw_free(st);
        *con_cls = NULL;
    }
}

static void s_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof(line), fmt, ap);
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n') {
        line[--n] = '\0';
    }
    cpw_log(CPW_LOG_DEBUG, "http server: %s", line);
}

struct cpw_http_server *cpw_http_server_start(const struct cpw_http_server_options *options)
{
    if (!options || !options->handler) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT, "an HTTP server needs a handler");
        return NULL;
    }
    const char *address = options->bind_address ? options->bind_address : "127.0.0.1";
    if (!cpw_http_is_loopback(address) && !options->allow_remote) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                  "refusing to listen on %s: only loopback addresses unless --allow-remote",
                  address);
        return NULL;
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    bool v6 = strchr(address, ':') != NULL;
    const char *numeric = strcmp(address, "localhost") == 0 ? "127.0.0.1" : address;
    if (v6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(options->port);
        if (inet_pton(AF_INET6, numeric, &sin6->sin6_addr) != 1) {
            cpw_raise(CPW_ERR_INVALID_ARGUMENT, "'%s' is not an IPv6 address", address);
            return NULL;
        }
    } else {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(options->port);
        if (inet_pton(AF_INET, numeric, &sin->sin_addr) != 1) {
            cpw_raise(CPW_ERR_INVALID_ARGUMENT, "'%s' is not an IPv4 address", address);
            return NULL;
        }
    }

    struct cpw_http_server *server = cpw_calloc(1, sizeof(*server));
    server->options = *options;
    server->address = cpw_strdup(address);
    if (!server->options.max_body_bytes) {
        server->options.max_body_bytes = CPW_HTTP_MAX_BODY_BYTES;
    }
    if (!server->options.max_request_memory_bytes) {
        server->options.max_request_memory_bytes = DEFAULT_REQUEST_MEMORY;
    }
    unsigned threads = options->threads;
    if (!threads) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cores > 0 && cores < 64 ? (unsigned)cores : 2;
    }
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    if (v6) {
        flags |= MHD_USE_IPv6;
    }
    server->daemon = MHD_start_daemon(
      flags, options->port, NULL, NULL, s_access, server, MHD_OPTION_SOCK_ADDR,
      (struct sockaddr *)&ss, MHD_OPTION_URI_LOG_CALLBACK, s_uri_log, server,
      MHD_OPTION_UNESCAPE_CALLBACK, s_no_unescape, server, MHD_OPTION_NOTIFY_COMPLETED, s_completed,
      server, MHD_OPTION_EXTERNAL_LOGGER, s_mhd_log, server, MHD_OPTION_THREAD_POOL_SIZE, threads,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024), MHD_OPTION_CONNECTION_TIMEOUT,
      options->idle_timeout_s ? options->idle_timeout_s : 60u, MHD_OPTION_END);
    if (!server->daemon) {
        cpw_raise(CPW_ERR_IO, "cannot listen on %s port %u (in use, or not permitted)", address,
                  (unsigned)options->port);
        cpw_http_server_stop(server);
        return NULL;
    }
    const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
    server->port = info ? info->port : options->port;
    return server;
}

uint16_t cpw_http_server_port(const struct cpw_http_server *server)
{
    return server->port;
}

const char *cpw_http_server_address(const struct cpw_http_server *server)
{
    return server->address;
}

void cpw_http_server_stop(struct cpw_http_server *server)
{
    if (!server) {
        return;
    }
    if (server->daemon) {
        MHD_stop_daemon(server->daemon);
    }
    cpw_free(server->address);
    cpw_free(server);
}
