/*
 * http_engine_transfer.c - one attempt of the HTTP engine as a libcurl easy transfer: the
 * request sent exactly as prepared, response headers and body captured under their caps, and
 * libcurl's outcome turned into a transport error category.
 */
#include <string.h>
#include <strings.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "http_engine_internal.h"

/* Set an option or fail the setup with the option's name (never its value). */
#define S_SETOPT(easy, opt, value)                                                                 \
    do {                                                                                           \
        CURLcode setopt_rc_ = curl_easy_setopt((easy), (opt), (value));                            \
        if (setopt_rc_ != CURLE_OK) {                                                              \
            return cpw_raise(CPW_ERR_HTTP, "libcurl refused %s: %s", #opt,                         \
                             curl_easy_strerror(setopt_rc_));                                      \
        }                                                                                          \
    } while (0)

static const char s_empty_body[1] = { 0 };

void cpw_http_engine_transfer_init(struct cpw_http_engine_transfer *t)
{
    memset(t, 0, sizeof(*t));
    cpw_http_request_init(&t->request);
    cpw_http_response_init(&t->response);
}

void cpw_http_engine_transfer_clean_up(struct cpw_http_engine_transfer *t)
{
    curl_slist_free_all(t->headers);
    t->headers = NULL;
    cpw_free(t->url);
    t->url = NULL;
    cpw_http_request_clean_up(&t->request);
    cpw_http_response_clean_up(&t->response);
    t->easy = NULL;
}

int cpw_http_engine_request_copy(struct cpw_http_request *dst, const struct cpw_http_request *src)
{
    cpw_http_request_init(dst);
    dst->method = cpw_strdup(src->method);
    if (cpw_buf_append(&dst->path, cpw_buf_span(&src->path)) ||
        cpw_buf_append(&dst->query, cpw_buf_span(&src->query)) ||
        cpw_buf_append(&dst->body, cpw_buf_span(&src->body))) {
        cpw_http_request_clean_up(dst);
        return -1;
    }
    for (size_t i = 0; i < src->headers.count; i++) {
        cpw_headers_add_cstr(&dst->headers, src->headers.items[i].name,
                             src->headers.items[i].value);
    }
    return 0;
}

/* ----- response capture -------------------------------------------------------------------- */

static size_t s_on_header(char *data, size_t size, size_t count, void *user)
{
    struct cpw_http_engine_transfer *t = user;
    size_t len = size * count;
    t->header_bytes += len;
    if (t->header_bytes > CPW_HTTP_MAX_HEADER_BYTES) {
        t->too_large = true;
        return 0; /* aborts the transfer */
    }
    struct cpw_span line = cpw_span_from(data, len);
    while (line.len > 0 && (line.ptr[line.len - 1] == '\n' || line.ptr[line.len - 1] == '\r')) {
        line.len--;
    }
    if (line.len == 0) {
        return len; /* end of a header block */
    }
    if (cpw_span_starts_with(line, cpw_span_from_cstr("HTTP/"))) {
        /* A new status line (after 1xx): only the final block's headers are kept. */
        cpw_headers_clean_up(&t->response.headers);
        t->header_bytes = len;
        return len;
    }
    if ((line.ptr[0] == ' ' || line.ptr[0] == '\t') && t->response.headers.count > 0) {
        /* obs-fold continuation: join to the previous value with one space. */
        struct cpw_header *last = &t->response.headers.items[t->response.headers.count - 1];
        struct cpw_buf joined;
        cpw_buf_init(&joined, CPW_HTTP_MAX_HEADER_BYTES);
        if (cpw_buf_append_cstr(&joined, last->value) || cpw_buf_append_byte(&joined, ' ') ||
            cpw_buf_append(&joined, cpw_span_trim(line))) {
            t->too_large = true;
            return 0;
        }
        cpw_free(last->value);
        last->value = cpw_buf_detach(&joined);
        return len;
    }
    long colon = cpw_span_find_byte(line, ':');
    if (colon <= 0) {
        return len; /* not a header line; ignore it */
    }
    struct cpw_span name = cpw_span_sub(line, 0, (size_t)colon);
    struct cpw_span value = cpw_span_trim(cpw_span_sub(line, (size_t)colon + 1, line.len));
    cpw_headers_add(&t->response.headers, name, value);
    return len;
}

static size_t s_on_body(char *data, size_t size, size_t count, void *user)
{
    struct cpw_http_engine_transfer *t = user;
    size_t len = size * count;
    if (cpw_buf_append(&t->response.body, cpw_span_from(data, len)) != 0) {
        t->too_large = true;
        return 0; /* CURLE_WRITE_ERROR */
    }
    return len;
}

/* ----- request ------------------------------------------------------------------------------ */

static bool s_has_header(const struct cpw_http_request *req, const char *name)
{
    return cpw_headers_get(&req->headers, name) != NULL;
}

static int s_build_headers(struct cpw_http_engine_transfer *t)
{
    struct cpw_buf line;
    cpw_buf_init(&line, CPW_HTTP_MAX_HEADER_BYTES);
    int rc = 0;
    for (size_t i = 0; i < t->request.headers.count; i++) {
        const struct cpw_header *h = &t->request.headers.items[i];
        cpw_buf_reset(&line);
        /* libcurl sends "Name;" as a header with an empty value; "Name:" would delete it. */
        if (h->value[0] == '\0') {
            rc = cpw_buf_appendf(&line, "%s;", h->name);
        } else {
            rc = cpw_buf_appendf(&line, "%s: %s", h->name, h->value);
        }
        if (rc != 0) {
            break;
        }
        struct curl_slist *next = curl_slist_append(t->headers, cpw_buf_cstr(&line));
        if (!next) {
            rc = cpw_raise(CPW_ERR_HTTP, "libcurl could not store a request header");
            break;
        }
        t->headers = next;
    }
    /* "Name:" removes a header libcurl would otherwise add on its own. */
    static const char *const suppressed[] = { "Expect", "Accept", "Content-Type" };
    for (size_t i = 0; rc == 0 && i < sizeof(suppressed) / sizeof(suppressed[0]); i++) {
        if (s_has_header(&t->request, suppressed[i])) {
            continue;
        }
        cpw_buf_reset(&line);
        if ((rc = cpw_buf_appendf(&line, "%s:", suppressed[i])) != 0) {
            break;
        }
        struct curl_slist *next = curl_slist_append(t->headers, cpw_buf_cstr(&line));
        if (!next) {
            rc = cpw_raise(CPW_ERR_HTTP, "libcurl could not store a request header");
            break;
        }
        t->headers = next;
    }
    cpw_buf_clean_up(&line);
    return rc;
}

static int s_set_method(struct cpw_http_engine_transfer *t)
{
    const char *method = t->request.method;
    bool wants_body = t->request.body.len > 0 || strcmp(method, "POST") == 0 ||
                      strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0;
    if (wants_body) {
        const char *body = t->request.body.len ? (const char *)t->request.body.data : s_empty_body;
        S_SETOPT(t->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->request.body.len);
        S_SETOPT(t->easy, CURLOPT_POSTFIELDS, body);
        if (strcmp(method, "POST") != 0) {
            S_SETOPT(t->easy, CURLOPT_CUSTOMREQUEST, method);
        }
    } else if (strcmp(method, "HEAD") == 0) {
        S_SETOPT(t->easy, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "GET") == 0) {
        S_SETOPT(t->easy, CURLOPT_HTTPGET, 1L);
    } else {
        S_SETOPT(t->easy, CURLOPT_CUSTOMREQUEST, method);
    }
    return 0;
}

int cpw_http_engine_transfer_setup(struct cpw_http_engine_transfer *t,
                                   const struct cpw_http_engine_transfer_settings *settings)
{
    struct cpw_buf url;
    cpw_buf_init(&url, CPW_HTTP_MAX_PATH_BYTES * 3);
    if (cpw_buf_append_cstr(&url, settings->url_base) ||
        cpw_buf_append(&url, cpw_buf_span(&t->request.path)) ||
        (t->request.query.len > 0 && (cpw_buf_append_byte(&url, '?') ||
                                      cpw_buf_append(&url, cpw_buf_span(&t->request.query))))) {
        cpw_buf_clean_up(&url);
        return -1;
    }
    t->url = cpw_buf_detach(&url);
    cpw_http_response_clean_up(&t->response);
    cpw_http_response_init(&t->response);
    t->response.body.max = settings->max_body_bytes;
    t->header_bytes = 0;
    t->too_large = false;
    t->errbuf[0] = '\0';

    CURL *e = t->easy;
    S_SETOPT(e, CURLOPT_URL, t->url);
    S_SETOPT(e, CURLOPT_PROTOCOLS_STR, "http,https");
    S_SETOPT(e, CURLOPT_NOSIGNAL, 1L);
    S_SETOPT(e, CURLOPT_ERRORBUFFER, t->errbuf);
    S_SETOPT(e, CURLOPT_PRIVATE, settings->private_data);
    /* HTTP/1.1 keeps header names exactly as sent and received. */
    S_SETOPT(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    S_SETOPT(e, CURLOPT_CONNECTTIMEOUT_MS, (long)settings->connect_timeout_ms);
    S_SETOPT(e, CURLOPT_TIMEOUT_MS, (long)settings->timeout_ms);
    S_SETOPT(e, CURLOPT_SSL_VERIFYPEER, 1L);
    S_SETOPT(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (settings->ca_file) {
        S_SETOPT(e, CURLOPT_CAINFO, settings->ca_file);
    }
    if (settings->fresh_connection) {
        S_SETOPT(e, CURLOPT_FRESH_CONNECT, 1L);
    }
    S_SETOPT(e, CURLOPT_FOLLOWLOCATION, 0L);
    S_SETOPT(e, CURLOPT_FAILONERROR, 0L);
    S_SETOPT(e, CURLOPT_TCP_KEEPALIVE, 1L);
    S_SETOPT(e, CURLOPT_HEADERFUNCTION, s_on_header);
    S_SETOPT(e, CURLOPT_HEADERDATA, t);
    S_SETOPT(e, CURLOPT_WRITEFUNCTION, s_on_body);
    S_SETOPT(e, CURLOPT_WRITEDATA, t);
    if (s_set_method(t) != 0 || s_build_headers(t) != 0) {
        return -1;
    }
    S_SETOPT(e, CURLOPT_HTTPHEADER, t->headers);
    return 0;
}

/* ----- outcome ------------------------------------------------------------------------------ */

static enum cpw_http_transport_category s_category(CURLcode code, bool too_large)
{
    if (too_large) {
        return CPW_HTTP_TRANSPORT_BODY_LIMIT;
    }
    switch (code) {
    case CURLE_OK:
        return CPW_HTTP_TRANSPORT_NONE;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return CPW_HTTP_TRANSPORT_DNS;
    case CURLE_COULDNT_CONNECT:
        return CPW_HTTP_TRANSPORT_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return CPW_HTTP_TRANSPORT_TIMEOUT;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:
        return CPW_HTTP_TRANSPORT_CONNECTION;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
        return CPW_HTTP_TRANSPORT_TLS;
    default:
        return CPW_HTTP_TRANSPORT_OTHER;
    }
}

void cpw_http_engine_transfer_finish(struct cpw_http_engine_transfer *t,
                                     CURLcode code,
                                     struct cpw_http_transport_error *transport,
                                     uint64_t *bytes_sent,
                                     uint64_t *bytes_received)
{
    memset(transport, 0, sizeof(*transport));
    long request_size = 0;
    curl_off_t uploaded = 0;
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_REQUEST_SIZE, &request_size);
    curl_easy_getinfo(t->easy, CURLINFO_SIZE_UPLOAD_T, &uploaded);
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    *bytes_sent +=
      (uint64_t)(request_size > 0 ? request_size : 0) + (uint64_t)(uploaded > 0 ? uploaded : 0);
    *bytes_received += t->response.body.len;
    t->response.status = status;

    transport->category = s_category(code, t->too_large);
    transport->curl_code = (int)code;
    transport->request_sent = request_size > 0;
    if (transport->category == CPW_HTTP_TRANSPORT_NONE) {
        return;
    }
    const char *message = t->errbuf[0] ? t->errbuf : curl_easy_strerror(code);
    if (t->too_large) {
        message = "the response passed its size cap";
    }
    size_t n = strlen(message);
    if (n >= sizeof(transport->message)) {
        n = sizeof(transport->message) - 1;
    }
    memcpy(transport->message, message, n);
    transport->message[n] = '\0';
    while (n > 0 && (transport->message[n - 1] == '\n' || transport->message[n - 1] == '\r')) {
        transport->message[--n] = '\0';
    }
}
