/*
 * stub_server.c - the scriptable loopback HTTP server of stub_server.h, on libmicrohttpd.
 */
#include "stub_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "cpw/alloc.h"

#define CPW_STUB_MAX_RECORDS 512
#define CPW_STUB_HANG_MAX_MS 10000

struct cpw_stub_server {
    struct MHD_Daemon *daemon;
    char url[64];
    pthread_mutex_t lock;
    pthread_cond_t wake; /* broadcast on stop */
    bool stopping;
    struct cpw_stub_reply *script;
    size_t script_count;
    struct cpw_stub_reply default_reply;
    size_t requests;
    size_t connections;
    size_t current;
    size_t max_current;
    struct cpw_stub_request records[CPW_STUB_MAX_RECORDS];
};

/* Per-request state (MHD's con_cls). */
struct cpw_stub_exchange {
    size_t index;
    bool counted;      /* still in stub->current */
    bool headers_done; /* the handler's first call happened */
    char *target;
    struct cpw_buf headers;
    struct cpw_buf body;
};

static void cpw_stub_uncount(struct cpw_stub_server *stub, struct cpw_stub_exchange *x)
{
    pthread_mutex_lock(&stub->lock);
    if (x->counted) {
        x->counted = false;
        stub->current--;
    }
    pthread_mutex_unlock(&stub->lock);
}

static void *cpw_stub_on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)conn;
    struct cpw_stub_server *stub = cls;
    struct cpw_stub_exchange *x = cpw_calloc(1, sizeof(*x));
    x->target = cpw_strdup(uri);
    cpw_buf_init(&x->headers, 1u << 20);
    cpw_buf_init(&x->body, 64u << 20);
    pthread_mutex_lock(&stub->lock);
    x->index = stub->requests++;
    x->counted = true;
    stub->current++;
    if (stub->current > stub->max_current) {
        stub->max_current = stub->current;
    }
    pthread_mutex_unlock(&stub->lock);
    return x;
}

static enum MHD_Result cpw_stub_collect_header(void *cls,
                                               enum MHD_ValueKind kind,
                                               const char *key,
                                               const char *value)
{
    (void)kind;
    struct cpw_buf *headers = cls;
    cpw_buf_appendf(headers, "%s: %s\n", key, value ? value : "");
    return MHD_YES;
}

static void cpw_stub_record(struct cpw_stub_server *stub,
                            struct cpw_stub_exchange *x,
                            const char *method)
{
    pthread_mutex_lock(&stub->lock);
    if (x->index < CPW_STUB_MAX_RECORDS) {
        struct cpw_stub_request *r = &stub->records[x->index];
        r->method = cpw_strdup(method);
        r->target = cpw_strdup(x->target);
        r->headers = cpw_strdup(cpw_buf_cstr(&x->headers));
        cpw_buf_init(&r->body, 64u << 20);
        cpw_buf_append(&r->body, cpw_buf_span(&x->body));
    }
    pthread_mutex_unlock(&stub->lock);
}

/* Waits up to ms for the stub to stop; returns true if it is stopping. */
static bool cpw_stub_wait(struct cpw_stub_server *stub, unsigned ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += ms / 1000;
    deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&stub->lock);
    int rc = 0;
    while (!stub->stopping && rc != ETIMEDOUT) {
        rc = pthread_cond_timedwait(&stub->wake, &stub->lock, &deadline);
    }
    bool stopping = stub->stopping;
    pthread_mutex_unlock(&stub->lock);
    return stopping;
}

static enum MHD_Result cpw_stub_respond(struct cpw_stub_server *stub,
                                        struct MHD_Connection *conn,
                                        struct cpw_stub_exchange *x,
                                        const struct cpw_stub_reply *reply)
{
    const char *body = reply->body ? reply->body : "";
    size_t body_len = reply->body_len ? reply->body_len : strlen(body);
    struct MHD_Response *resp =
      MHD_create_response_from_buffer(body_len, (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        cpw_stub_uncount(stub, x);
        return MHD_NO;
    }
    const char *p = reply->headers ? reply->headers : "";
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        if (colon) {
            char *name = cpw_strndup(p, (size_t)(colon - p));
            const char *v = colon + 1;
            while (*v == ' ') {
                v++;
            }
            char *value = cpw_strndup(v, len - (size_t)(v - p));
            MHD_add_response_header(resp, name, value);
            cpw_free(name);
            cpw_free(value);
        }
        p += len + (eol ? 1 : 0);
    }
    cpw_stub_uncount(stub, x); /* answered: the client may now reuse its slot */
    enum MHD_Result rc =
      MHD_queue_response(conn, reply->status ? reply->status : MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result cpw_stub_handle(void *cls,
                                       struct MHD_Connection *conn,
                                       const char *url,
                                       const char *method,
                                       const char *version,
                                       const char *upload_data,
                                       size_t *upload_data_size,
                                       void **con_cls)
{
    (void)url;
    (void)version;
    struct cpw_stub_server *stub = cls;
    struct cpw_stub_exchange *x = *con_cls;
    if (!x) {
        return MHD_NO;
    }
    if (!x->headers_done) {
        /* First call: the headers are complete. */
        x->headers_done = true;
        MHD_get_connection_values(conn, MHD_HEADER_KIND, cpw_stub_collect_header, &x->headers);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        cpw_buf_append(&x->body, cpw_span_from(upload_data, *upload_data_size));
        *upload_data_size = 0;
        return MHD_YES;
    }
    cpw_stub_record(stub, x, method);
    struct cpw_stub_reply reply;
    pthread_mutex_lock(&stub->lock);
    reply = x->index < stub->script_count ? stub->script[x->index] : stub->default_reply;
    pthread_mutex_unlock(&stub->lock);
    if (reply.delay_ms > 0 && cpw_stub_wait(stub, reply.delay_ms)) {
        cpw_stub_uncount(stub, x);
        return MHD_NO;
    }
    switch (reply.action) {
    case CPW_STUB_DROP:
        cpw_stub_uncount(stub, x);
        return MHD_NO;
    case CPW_STUB_HANG:
        cpw_stub_wait(stub, CPW_STUB_HANG_MAX_MS);
        cpw_stub_uncount(stub, x);
        return MHD_NO;
    case CPW_STUB_RESPOND:
    default:
        return cpw_stub_respond(stub, conn, x, &reply);
    }
}

static void cpw_stub_completed(void *cls,
                               struct MHD_Connection *conn,
                               void **con_cls,
                               enum MHD_RequestTerminationCode code)
{
    (void)conn;
    (void)code;
    struct cpw_stub_server *stub = cls;
    struct cpw_stub_exchange *x = *con_cls;
    if (!x) {
        return;
    }
    cpw_stub_uncount(stub, x);
    cpw_free(x->target);
    cpw_buf_clean_up(&x->headers);
    cpw_buf_clean_up(&x->body);
    cpw_free(x);
    *con_cls = NULL;
}

static void cpw_stub_on_connection(void *cls,
                                   struct MHD_Connection *conn,
                                   void **socket_context,
                                   enum MHD_ConnectionNotificationCode code)
{
    (void)conn;
    (void)socket_context;
    struct cpw_stub_server *stub = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        pthread_mutex_lock(&stub->lock);
        stub->connections++;
        pthread_mutex_unlock(&stub->lock);
    }
}

struct cpw_stub_server *cpw_stub_start(void)
{
    struct cpw_stub_server *stub = cpw_calloc(1, sizeof(*stub));
    pthread_mutex_init(&stub->lock, NULL);
    pthread_cond_init(&stub->wake, NULL);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    stub->daemon = MHD_start_daemon(
      MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL,
      cpw_stub_handle, stub, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
      MHD_OPTION_URI_LOG_CALLBACK, cpw_stub_on_uri, stub, MHD_OPTION_NOTIFY_COMPLETED,
      cpw_stub_completed, stub, MHD_OPTION_NOTIFY_CONNECTION, cpw_stub_on_connection, stub,
      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30, MHD_OPTION_END);
    if (!stub->daemon) {
        cpw_stub_stop(stub);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(stub->daemon, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(stub->url, sizeof(stub->url), "http://127.0.0.1:%u", info ? (unsigned)info->port : 0u);
    return stub;
}

void cpw_stub_stop(struct cpw_stub_server *stub)
{
    if (!stub) {
        return;
    }
    pthread_mutex_lock(&stub->lock);
    stub->stopping = true;
    pthread_cond_broadcast(&stub->wake);
    pthread_mutex_unlock(&stub->lock);
    if (stub->daemon) {
        MHD_stop_daemon(stub->daemon);
    }
    for (size_t i = 0; i < CPW_STUB_MAX_RECORDS; i++) {
        cpw_stub_request_clean_up(&stub->records[i]);
    }
    cpw_free(stub->script);
    pthread_cond_destroy(&stub->wake);
    pthread_mutex_destroy(&stub->lock);
    cpw_free(stub);
}

const char *cpw_stub_url(const struct cpw_stub_server *stub)
{
    return stub->url;
}

void cpw_stub_script(struct cpw_stub_server *stub,
                     const struct cpw_stub_reply *replies,
                     size_t count)
{
    struct cpw_stub_reply *copy = cpw_calloc(count ? count : 1, sizeof(*copy));
    memcpy(copy, replies, count * sizeof(*copy));
    pthread_mutex_lock(&stub->lock);
    cpw_free(stub->script);
    stub->script = copy;
    stub->script_count = count;
    pthread_mutex_unlock(&stub->lock);
}

void cpw_stub_set_default(struct cpw_stub_server *stub, const struct cpw_stub_reply *reply)
{
    pthread_mutex_lock(&stub->lock);
    stub->default_reply = *reply;
    pthread_mutex_unlock(&stub->lock);
}

static size_t cpw_stub_read_counter(struct cpw_stub_server *stub, const size_t *counter)
{
    pthread_mutex_lock(&stub->lock);
    size_t v = *counter;
    pthread_mutex_unlock(&stub->lock);
    return v;
}

size_t cpw_stub_request_count(struct cpw_stub_server *stub)
{
    return cpw_stub_read_counter(stub, &stub->requests);
}

size_t cpw_stub_connection_count(struct cpw_stub_server *stub)
{
    return cpw_stub_read_counter(stub, &stub->connections);
}

size_t cpw_stub_max_concurrent(struct cpw_stub_server *stub)
{
    return cpw_stub_read_counter(stub, &stub->max_current);
}

bool cpw_stub_request_get(struct cpw_stub_server *stub, size_t index, struct cpw_stub_request *out)
{
    memset(out, 0, sizeof(*out));
    bool found = false;
    pthread_mutex_lock(&stub->lock);
    if (index < CPW_STUB_MAX_RECORDS && stub->records[index].method) {
        const struct cpw_stub_request *r = &stub->records[index];
        out->method = cpw_strdup(r->method);
        out->target = cpw_strdup(r->target);
        out->headers = cpw_strdup(r->headers);
        cpw_buf_init(&out->body, 64u << 20);
        cpw_buf_append(&out->body, cpw_buf_span(&r->body));
        found = true;
    }
    pthread_mutex_unlock(&stub->lock);
    return found;
}

void cpw_stub_request_clean_up(struct cpw_stub_request *req)
{
    cpw_free(req->method);
    cpw_free(req->target);
    cpw_free(req->headers);
    cpw_buf_clean_up(&req->body);
    memset(req, 0, sizeof(*req));
}
