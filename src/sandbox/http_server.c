/*
 * http_server.c - libmicrohttpd glue: raw request capture, bounded bodies, one handler call per
 * request, per-request arena.
 *
 * libmicrohttpd calls the access handler several times per request: first with the headers,
 * then once per body chunk, then once more with no data, when we answer. The raw request URI
 * (path and query exactly as sent) is captured by the URI-log callback, which also creates the
 * per-request state; the unescape callback is a no-op so nothing is decoded behind our back.
 *
 * Hostile clients: libmicrohttpd's idle timeout restarts with every byte, so a client sending one
 * byte every few seconds would hold its connection forever. Every connection is therefore
 * registered (connection-notify callback) with the time its current request began (connection
 * opened, or previous answer sent); a reaper thread shuts down the socket of any connection whose
 * request is not complete within request_timeout_s, and libmicrohttpd then closes it as a peer
 * hang-up. The time the handler itself runs is not counted. Request bodies are reserved against
 * a server-wide in-flight budget when their headers arrive (the declared Content-Length) or as
 * chunks arrive (chunked encoding), and released when the request is done.
 *
 * Held answers: a handler may ask for its answer to go out some milliseconds later (the sandbox's
 * latency knob). The connection is then suspended with its answer ready, and the reaper thread,
 * which wakes at the earliest such time, resumes it; libmicrohttpd calls the access handler again
 * and the answer is queued. No worker thread waits meanwhile, so one slow answer never delays the
 * other connections a worker serves (as a sleeping worker did). A thread-per-connection server
 * simply sleeps in the connection's own thread.
 */
#include "cpw/http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/log.h"
#include "cpw/time.h"

#define DEFAULT_REQUEST_MEMORY (32u * 1024u * 1024u)
/* libmicrohttpd's memory per connection: the request line and headers (up to about 31 KB, many
 * times what a signed AWS request carries, session token included; beyond, it answers 431 or
 * 414 itself), then the answer's headers. It clears all of it between two requests of a connection,
 * so its size is paid on every request (256 KiB was 5 % of one, 64 KiB still 5 % once the rest got
 * cheaper). */
#define CONNECTION_MEMORY (32u * 1024u)
#define REAPER_PERIOD_MS  200

/* One open connection, as the reaper sees it. Guarded by the server's lock. */
struct conn_entry {
    struct conn_entry *prev;
    struct conn_entry *next;
    int fd;
    int64_t since_ms; /* the current request began (monotonic); 0: the handler is running */
    bool reaped;      /* shut down already */
    struct MHD_Connection *held; /* suspended with its answer ready, until resume_at_ms */
    int64_t resume_at_ms;        /* monotonic */
};

struct cpw_http_server {
    struct MHD_Daemon *daemon;
    struct cpw_http_server_options options;
    char *address;
    uint16_t port;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct conn_entry *conns; /* every open connection */
    unsigned conn_count;      /* entries in conns */
    unsigned held_count;      /* entries whose connection is held (suspended) */
    bool stopping;
    bool reaper_started;
    pthread_t reaper;
    atomic_size_t inflight_body; /* body bytes reserved by requests in progress */
};

struct request_state {
    struct cpw_http_request request;
    struct cpw_arena arena;
    struct cpw_http_server *server;
    size_t reserved; /* body bytes reserved against the server's in-flight budget */
    bool headers_done;
    bool too_large;
    bool over_budget;
    bool bad_target;
    bool target_too_long;
    struct cpw_http_stream stream; /* filled by a handler that streams its answer */
    struct MHD_Response *held;     /* the answer, while the connection is held */
    unsigned held_status;
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
    st->server = server;
    cpw_http_request_init(&st->request);
    st->request.body.max = server->options.max_body_bytes;
    cpw_arena_init(&st->arena, server->options.max_request_memory_bytes);
    if (cpw_http_request_set_target(&st->request, cpw_span_from_cstr(uri))) {
        st->bad_target = true;
        st->target_too_long = cpw_last_error() == CPW_ERR_LIMIT;
        cpw_error_clear();
    }
    return st;
}

/* Reserves n more body bytes against the in-flight budget; false when it would be exceeded. */
static bool s_reserve_body(struct cpw_http_server *server, struct request_state *st, size_t n)
{
    size_t budget = server->options.max_inflight_body_bytes;
    size_t cur = atomic_load(&server->inflight_body);
    do {
        if (n > budget || cur > budget - n) {
            return false;
        }
    } while (!atomic_compare_exchange_weak(&server->inflight_body, &cur, cur + n));
    st->reserved += n;
    return true;
}

static void s_release_body(struct cpw_http_server *server, struct request_state *st)
{
    if (st->reserved) {
        atomic_fetch_sub(&server->inflight_body, st->reserved);
        st->reserved = 0;
    }
}

/* ----- per-request deadline ---------------------------------------------------------------- */

static struct conn_entry *s_entry_of(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

/* Marks the connection's current request as starting now (since_ms = now), or as exempt while
 * the handler runs (now = 0). */
static void s_mark(struct cpw_http_server *server, struct MHD_Connection *connection, int64_t now)
{
    struct conn_entry *e = s_entry_of(connection);
    if (!e) {
        return;
    }
    pthread_mutex_lock(&server->lock);
    e->since_ms = now;
    pthread_mutex_unlock(&server->lock);
}

static void s_notify_connection(void *cls,
                                struct MHD_Connection *connection,
                                void **socket_context,
                                enum MHD_ConnectionNotificationCode toe)
{
    struct cpw_http_server *server = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
          MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct conn_entry *e = cpw_calloc(1, sizeof(*e));
        e->fd = info ? info->connect_fd : -1;
        e->since_ms = cpw_time_monotonic_ms();
        pthread_mutex_lock(&server->lock);
        e->next = server->conns;
        if (server->conns) {
            server->conns->prev = e;
        }
        server->conns = e;
        /* Over the total cap: closed at once (the client may retry), rather than left waiting
         * in the listen queue behind connections that may be hostile. */
        if (++server->conn_count > server->options.max_connections && e->fd >= 0) {
            (void)shutdown(e->fd, SHUT_RDWR);
            e->reaped = true;
        }
        pthread_mutex_unlock(&server->lock);
        *socket_context = e;
        return;
    }
    /* Closed: libmicrohttpd closes the socket only after this returns, so the reaper (which
     * holds the lock while it shuts sockets down) never touches a reused descriptor. */
    struct conn_entry *e = *socket_context;
    if (!e) {
        return;
    }
    pthread_mutex_lock(&server->lock);
    if (e->prev) {
        e->prev->next = e->next;
    } else {
        server->conns = e->next;
    }
    if (e->next) {
        e->next->prev = e->prev;
    }
    server->conn_count--;
    pthread_mutex_unlock(&server->lock);
    cpw_free(e);
    *socket_context = NULL;
}

/* Resumes the held connections due by now (every one when all is set), at most RESUME_BATCH
 * per call; returns how many. Called with the lock held; releases it while resuming (a held
 * connection is never closed by libmicrohttpd, so its entry stays valid). */
#define RESUME_BATCH 64
static unsigned s_resume_due(struct cpw_http_server *server, int64_t now, bool all)
{
    struct MHD_Connection *due[RESUME_BATCH];
    unsigned n = 0;
    for (struct conn_entry *e = server->conns; e && n < RESUME_BATCH; e = e->next) {
        if (e->held && (all || e->resume_at_ms <= now)) {
            due[n++] = e->held;
            e->held = NULL;
            server->held_count--;
        }
    }
    pthread_mutex_unlock(&server->lock);
    for (unsigned i = 0; i < n; i++) {
        MHD_resume_connection(due[i]);
    }
    pthread_mutex_lock(&server->lock);
    return n;
}

/* When the reaper wakes next: REAPER_PERIOD_MS from now, or the earliest held answer's time. */
static int64_t s_next_wake(const struct cpw_http_server *server, int64_t now)
{
    int64_t next = now + REAPER_PERIOD_MS;
    for (const struct conn_entry *e = server->held_count ? server->conns : NULL; e; e = e->next) {
        if (e->held && e->resume_at_ms < next) {
            next = e->resume_at_ms;
        }
    }
    return next;
}

/* Shuts down every connection whose current request has outlived the deadline, and resumes the
 * held connections as their time comes (all of them once the server stops). */
static void *s_reaper(void *arg)
{
    struct cpw_http_server *server = arg;
    int64_t deadline_ms = (int64_t)server->options.request_timeout_s * 1000;
    pthread_mutex_lock(&server->lock);
    while (!server->stopping) {
        int64_t now = cpw_time_monotonic_ms();
        int64_t wait_ms = s_next_wake(server, now) - now;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        if (wait_ms > 0) {
            until.tv_sec += (time_t)(wait_ms / 1000);
            until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            int rc = pthread_cond_timedwait(&server->wake, &server->lock, &until);
            if (server->stopping || (rc != 0 && rc != ETIMEDOUT)) {
                break;
            }
        }
        now = cpw_time_monotonic_ms();
        while (server->held_count && s_resume_due(server, now, false) == RESUME_BATCH) {
        }
        unsigned reaped = 0;
        for (struct conn_entry *e = server->conns; e; e = e->next) {
            if (!e->reaped && e->since_ms && e->fd >= 0 && now - e->since_ms > deadline_ms) {
                (void)shutdown(e->fd, SHUT_RDWR);
                e->reaped = true;
                reaped++;
            }
        }
        if (reaped) {
            cpw_log(CPW_LOG_DEBUG, "http server: closed %u connection(s) past the %us deadline",
                    reaped, server->options.request_timeout_s);
        }
    }
    /* Stopping: every held connection is resumed, so that none is left suspended when
     * libmicrohttpd stops (it would refuse to); the handlers hold nothing new from now on. */
    while (server->held_count && s_resume_due(server, 0, true)) {
    }
    pthread_mutex_unlock(&server->lock);
    return NULL;
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

/* libmicrohttpd's copy of resp (NULL when out of memory), and its status code. */
static struct MHD_Response *s_response(const struct cpw_http_response *resp, unsigned *status)
{
    struct MHD_Response *response = MHD_create_response_from_buffer(
      resp->body.len, resp->body.data ? resp->body.data : (void *)"", MHD_RESPMEM_MUST_COPY);
    if (!response) {
        return NULL;
    }
    for (size_t i = 0; i < resp->headers.count; i++) {
        MHD_add_response_header(response, resp->headers.items[i].name,
                                resp->headers.items[i].value);
    }
    *status = resp->status >= 100 && resp->status <= 599 ? (unsigned)resp->status : 500;
    return response;
}

static enum MHD_Result s_send(struct MHD_Connection *connection,
                              const struct cpw_http_response *resp)
{
    unsigned status = 500;
    struct MHD_Response *response = s_response(resp, &status);
    if (!response) {
        return MHD_NO;
    }
    enum MHD_Result rc = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return rc;
}

/* Holds resp back for delay_ms: the connection is suspended with the answer ready, and the
 * reaper resumes it when the time comes. Returns false (nothing held) when the server is
 * stopping or the answer cannot be built; the caller then sends it at once. */
static bool s_hold(struct cpw_http_server *server,
                   struct MHD_Connection *connection,
                   struct request_state *st,
                   const struct cpw_http_response *resp,
                   int64_t delay_ms)
{
    struct conn_entry *e = s_entry_of(connection);
    if (!e) {
        return false;
    }
    st->held = s_response(resp, &st->held_status);
    if (!st->held) {
        return false;
    }
    /* Suspended before the reaper can see it, so that it never resumes a running connection. */
    MHD_suspend_connection(connection);
    pthread_mutex_lock(&server->lock);
    bool stopping = server->stopping;
    if (!stopping) {
        e->held = connection;
        e->resume_at_ms = cpw_time_monotonic_ms() + delay_ms;
        server->held_count++;
        pthread_cond_signal(&server->wake); /* it may be due before the reaper's next wake */
    }
    pthread_mutex_unlock(&server->lock);
    if (stopping) {
        MHD_resume_connection(connection); /* answered as soon as libmicrohttpd calls again */
    }
    return true;
}

/* Queues the answer held for this request, now that its connection is resumed. */
static enum MHD_Result s_send_held(struct cpw_http_server *server,
                                   struct MHD_Connection *connection,
                                   struct request_state *st)
{
    s_mark(server, connection, cpw_time_monotonic_ms()); /* the answer must go out in time too */
    enum MHD_Result rc = MHD_queue_response(connection, st->held_status, st->held);
    MHD_destroy_response(st->held);
    st->held = NULL;
    return rc;
}

static ssize_t s_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct cpw_http_stream *stream = cls;
    (void)pos;
    long n = stream->next(stream->user, buf, max);
    return n > 0 && (size_t)n <= max ? (ssize_t)n : MHD_CONTENT_READER_END_OF_STREAM;
}

static void s_stream_free(void *cls)
{
    struct cpw_http_stream *stream = cls;
    if (stream->release) {
        stream->release(stream->user);
    }
    cpw_free(stream);
}

/* Queues a streamed answer: the headers of resp, the body from stream (moved into the
 * response, released with it). */
static enum MHD_Result s_send_stream(struct MHD_Connection *connection,
                                     const struct cpw_http_response *resp,
                                     struct cpw_http_stream *stream)
{
    struct cpw_http_stream *owned = cpw_calloc(1, sizeof(*owned));
    *owned = *stream;
    memset(stream, 0, sizeof(*stream));
    struct MHD_Response *response = MHD_create_response_from_callback(
      MHD_SIZE_UNKNOWN, 4096, s_stream_read, owned, s_stream_free);
    if (!response) {
        s_stream_free(owned);
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

static enum MHD_Result s_slow_down(struct MHD_Connection *connection)
{
    return s_plain_error(connection, 503,
                         "SlowDown: the server holds too many request bodies at once; "
                         "retry shortly\n");
}

/* True when every value of the repeated header name is the same. */
static bool s_same_values(const struct cpw_headers *headers, const char *name)
{
    const char *first = cpw_headers_get(headers, name);
    for (size_t i = 0; first && i < headers->count; i++) {
        if (strcasecmp(headers->items[i].name, name) == 0 &&
            strcmp(headers->items[i].value, first) != 0) {
            return false;
        }
    }
    return true;
}

/*
 * The checks made once the headers are in, before any body byte is read: malformed framing,
 * unsupported transfer codings, a missing Host, an over-long target, a declared body over the
 * size cap or over what is left of the in-flight budget (reserved here when it fits).
 */
static enum MHD_Result s_check_headers(struct cpw_http_server *server,
                                       struct MHD_Connection *connection,
                                       struct request_state *st,
                                       const char *version)
{
    const struct cpw_headers *h = &st->request.headers;
    if (st->bad_target) {
        return s_plain_error(connection, st->target_too_long ? 414 : 400,
                             st->target_too_long ? "Request-URI too long\n"
                                                 : "Bad request target\n");
    }
    if (version && strcmp(version, MHD_HTTP_VERSION_1_1) == 0 && !cpw_headers_get(h, "Host")) {
        return s_plain_error(connection, 400, "HTTP/1.1 requests need a Host header\n");
    }
    const char *te = cpw_headers_get(h, "Transfer-Encoding");
    const char *cl = cpw_headers_get(h, "Content-Length");
    if (te) {
        if (cpw_headers_count_name(h, "Transfer-Encoding") != 1 ||
            !cpw_span_eq_ignore_case(cpw_span_trim(cpw_span_from_cstr(te)),
                                     cpw_span_from_cstr("chunked"))) {
            return s_plain_error(connection, 501,
                                 "Transfer-Encoding not implemented: only chunked is supported\n");
        }
        if (cl) {
            return s_plain_error(connection, 400,
                                 "Content-Length and Transfer-Encoding are exclusive\n");
        }
        return MHD_YES;
    }
    if (!cl) {
        return MHD_YES;
    }
    uint64_t length = 0;
    if (!s_same_values(h, "Content-Length") ||
        cpw_span_to_u64(cpw_span_trim(cpw_span_from_cstr(cl)), UINT64_MAX, &length)) {
        return s_plain_error(connection, 400, "Content-Length is malformed or repeated\n");
    }
    if (length > server->options.max_body_bytes) {
        return s_plain_error(connection, 413, "Request body too large\n");
    }
    if (length && !s_reserve_body(server, st, (size_t)length)) {
        return s_slow_down(connection);
    }
    if (length && cpw_buf_reserve(&st->request.body, (size_t)length)) {
        return s_plain_error(connection, 413, "Request body too large\n");
    }
    return MHD_YES;
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
    if (!st) {
        return MHD_NO; /* cannot happen: the URI-log callback always creates it */
    }
    if (st->held) {
        return s_send_held(server, connection, st);
    }
    if (!st->headers_done) {
        st->headers_done = true;
        cpw_http_request_set_method(&st->request, method);
        MHD_get_connection_values(connection, MHD_HEADER_KIND, s_collect_header, st);
        /* Answered at once, before any body is read (libmicrohttpd then closes the connection). */
        return s_check_headers(server, connection, st, version);
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (st->too_large || st->over_budget) {
            return MHD_YES; /* keep reading (and dropping) so the client sees our answer */
        }
        size_t total = st->request.body.len + n;
        /* A chunked body is reserved as it grows; over what is left of the budget: 503. */
        st->over_budget = total <= server->options.max_body_bytes && total > st->reserved &&
                          !s_reserve_body(server, st, total - st->reserved);
        st->too_large = !st->over_budget &&
                        (total > server->options.max_body_bytes ||
                         cpw_buf_append(&st->request.body, cpw_span_from(upload_data, n)) != 0);
        if (st->too_large || st->over_budget) {
            cpw_buf_clean_up(&st->request.body);
            s_release_body(server, st);
        }
        return MHD_YES;
    }
    if (st->bad_target) {
        return s_plain_error(connection, st->target_too_long ? 414 : 400,
                             st->target_too_long ? "Request-URI too long\n"
                                                 : "Bad request target\n");
    }
    if (st->too_large) {
        return s_plain_error(connection, 413, "Request body too large\n");
    }
    if (st->over_budget) {
        return s_slow_down(connection);
    }
    char peer[64];
    s_peer_ip(connection, peer, sizeof(peer));
    int64_t delay_ms = 0;
    struct cpw_http_exchange exchange = { .request = &st->request,
                                          .peer_ip = peer,
                                          .arena = &st->arena,
                                          .stream = &st->stream,
                                          .delay_ms = &delay_ms };
    struct cpw_http_response resp;
    cpw_http_response_init(&resp);
    s_mark(server, connection, 0); /* the handler's own time is not the client's */
    server->options.handler(server->options.user, &exchange, &resp);
    /* The body is no longer needed: its memory and budget are free before the answer goes out. */
    cpw_buf_clean_up(&st->request.body);
    s_release_body(server, st);
    enum MHD_Result rc;
    if (st->stream.next) { /* a stream lasts as long as it has something to say */
        rc = s_send_stream(connection, &resp, &st->stream);
        cpw_http_response_clean_up(&resp);
        return rc;
    }
    if (delay_ms > 0 && server->options.thread_per_connection) {
        struct timespec ts = { .tv_sec = (time_t)(delay_ms / 1000),
                               .tv_nsec = (long)(delay_ms % 1000) * 1000000L };
        nanosleep(&ts, NULL); /* the connection's own thread: nobody else waits */
    } else if (delay_ms > 0 && s_hold(server, connection, st, &resp, delay_ms)) {
        cpw_http_response_clean_up(&resp);
        return MHD_YES;
    }
    s_mark(server, connection, cpw_time_monotonic_ms()); /* the answer must go out in time too */
    rc = s_send(connection, &resp);
    cpw_http_response_clean_up(&resp);
    return rc;
}

static void s_completed(void *cls,
                        struct MHD_Connection *connection,
                        void **con_cls,
                        enum MHD_RequestTerminationCode toe)
{
    struct cpw_http_server *server = cls;
    (void)toe;
    /* The next request on this connection starts its deadline now. */
    s_mark(server, connection, cpw_time_monotonic_ms());
    struct request_state *st = *con_cls;
    if (st) {
        if (st->held) {
            MHD_destroy_response(st->held);
        }
        s_release_body(server, st);
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

/* Raises the soft open-file limit towards want (never above the hard limit), so that the
 * connection caps, not EMFILE, decide who is turned away. */
static void s_raise_fd_limit(rlim_t want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want) {
        return;
    }
    rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
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
    if (!server->options.request_timeout_s) {
        server->options.request_timeout_s = CPW_HTTP_DEFAULT_REQUEST_TIMEOUT_S;
    }
    if (!server->options.max_connections) {
        server->options.max_connections = CPW_HTTP_DEFAULT_MAX_CONNECTIONS;
    }
    if (!server->options.max_connections_per_client) {
        server->options.max_connections_per_client = CPW_HTTP_DEFAULT_MAX_CONNECTIONS_PER_IP;
    }
    if (!server->options.max_inflight_body_bytes) {
        server->options.max_inflight_body_bytes = CPW_HTTP_DEFAULT_MAX_INFLIGHT_BODY;
    }
    pthread_mutex_init(&server->lock, NULL);
    pthread_cond_init(&server->wake, NULL);
    atomic_init(&server->inflight_body, 0);
    unsigned threads = options->threads;
    if (!threads) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cores > 0 && cores < 64 ? (unsigned)cores : 2;
    }
    /* The total cap is enforced when a connection opens (s_notify_connection); libmicrohttpd's
     * own cap, shared among its threads, sits above it so that it never stops accepting first. */
    unsigned mhd_limit = server->options.max_connections + 64u + threads;
    s_raise_fd_limit(mhd_limit + 64u);
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    if (options->thread_per_connection) {
        flags |= MHD_USE_THREAD_PER_CONNECTION;
        threads = 0; /* no pool: each connection has its thread */
    } else {
        flags |= MHD_ALLOW_SUSPEND_RESUME; /* held answers (s_hold) */
    }
    if (v6) {
        flags |= MHD_USE_IPv6;
    }
    server->daemon = MHD_start_daemon(
      flags, options->port, NULL, NULL, s_access, server, MHD_OPTION_SOCK_ADDR,
      (struct sockaddr *)&ss, MHD_OPTION_URI_LOG_CALLBACK, s_uri_log, server,
      MHD_OPTION_UNESCAPE_CALLBACK, s_no_unescape, server, MHD_OPTION_NOTIFY_COMPLETED, s_completed,
      server, MHD_OPTION_NOTIFY_CONNECTION, s_notify_connection, server, MHD_OPTION_EXTERNAL_LOGGER,
      s_mhd_log, server, MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      (size_t)CONNECTION_MEMORY, MHD_OPTION_CONNECTION_TIMEOUT,
      options->idle_timeout_s ? options->idle_timeout_s : 60u, MHD_OPTION_CONNECTION_LIMIT,
      mhd_limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT, server->options.max_connections_per_client,
      MHD_OPTION_END);
    if (!server->daemon) {
        cpw_raise(CPW_ERR_IO, "cannot listen on %s port %u (in use, or not permitted)", address,
                  (unsigned)options->port);
        cpw_http_server_stop(server);
        return NULL;
    }
    const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
    server->port = info ? info->port : options->port;
    if (pthread_create(&server->reaper, NULL, s_reaper, server) != 0) {
        cpw_raise(CPW_ERR_IO, "cannot start the request-deadline thread");
        cpw_http_server_stop(server);
        return NULL;
    }
    server->reaper_started = true;
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
    if (server->reaper_started) {
        pthread_mutex_lock(&server->lock);
        server->stopping = true;
        pthread_cond_signal(&server->wake);
        pthread_mutex_unlock(&server->lock);
        pthread_join(server->reaper, NULL);
    }
    if (server->daemon) {
        MHD_stop_daemon(server->daemon); /* closes every connection: the list empties */
    }
    pthread_mutex_destroy(&server->lock);
    pthread_cond_destroy(&server->wake);
    cpw_free(server->address);
    cpw_free(server);
}
