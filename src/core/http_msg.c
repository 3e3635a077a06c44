/*
 * http_msg.c - HTTP messages as data: header lists, request parsing and writing.
 */
#include "cpw/http_msg.h"

#include <string.h>
#include <strings.h>

#include "cpw/alloc.h"
#include "cpw/error.h"

void cpw_headers_init(struct cpw_headers *headers)
{
    headers->items = NULL;
    headers->count = 0;
    headers->cap = 0;
}

void cpw_headers_clean_up(struct cpw_headers *headers)
{
    if (!headers) {
        return;
    }
    for (size_t i = 0; i < headers->count; i++) {
        cpw_free(headers->items[i].name);
        cpw_free(headers->items[i].value);
    }
    cpw_free(headers->items);
    cpw_headers_init(headers);
}

void cpw_headers_add(struct cpw_headers *headers, struct cpw_span name, struct cpw_span value)
{
    if (headers->count == headers->cap) {
        headers->cap = headers->cap ? headers->cap * 2 : 8;
        headers->items = cpw_realloc(headers->items, headers->cap * sizeof(*headers->items));
    }
    struct cpw_header *h = &headers->items[headers->count++];
    h->name = cpw_strndup((const char *)name.ptr, name.len);
    h->value = cpw_strndup((const char *)value.ptr, value.len);
    h->lead_ws[0] = '\0';
}

void cpw_headers_add_cstr(struct cpw_headers *headers, const char *name, const char *value)
{
    cpw_headers_add(headers, cpw_span_from_cstr(name), cpw_span_from_cstr(value));
}

size_t cpw_headers_remove(struct cpw_headers *headers, const char *name)
{
    size_t kept = 0;
    size_t removed = 0;
    for (size_t i = 0; i < headers->count; i++) {
        if (strcasecmp(headers->items[i].name, name) == 0) {
            cpw_free(headers->items[i].name);
            cpw_free(headers->items[i].value);
            removed++;
        } else {
            headers->items[kept++] = headers->items[i];
        }
    }
    headers->count = kept;
    return removed;
}

void cpw_headers_set(struct cpw_headers *headers, const char *name, const char *value)
{
    cpw_headers_remove(headers, name);
    cpw_headers_add_cstr(headers, name, value);
}

const char *cpw_headers_get(const struct cpw_headers *headers, const char *name)
{
    for (size_t i = 0; i < headers->count; i++) {
        if (strcasecmp(headers->items[i].name, name) == 0) {
            return headers->items[i].value;
        }
    }
    return NULL;
}

size_t cpw_headers_count_name(const struct cpw_headers *headers, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < headers->count; i++) {
        n += strcasecmp(headers->items[i].name, name) == 0;
    }
    return n;
}

void cpw_http_request_init(struct cpw_http_request *req)
{
    req->method = NULL;
    cpw_buf_init(&req->path, CPW_HTTP_MAX_PATH_BYTES);
    cpw_buf_init(&req->query, CPW_HTTP_MAX_PATH_BYTES);
    cpw_headers_init(&req->headers);
    cpw_buf_init(&req->body, CPW_HTTP_MAX_BODY_BYTES);
}

void cpw_http_request_clean_up(struct cpw_http_request *req)
{
    if (!req) {
        return;
    }
    cpw_free(req->method);
    req->method = NULL;
    cpw_buf_clean_up(&req->path);
    cpw_buf_clean_up(&req->query);
    cpw_headers_clean_up(&req->headers);
    cpw_buf_clean_up(&req->body);
}

void cpw_http_request_set_method(struct cpw_http_request *req, const char *method)
{
    cpw_free(req->method);
    req->method = cpw_strdup(method);
}

int cpw_http_request_set_target(struct cpw_http_request *req, struct cpw_span target)
{
    if (target.len == 0 || target.ptr[0] != '/') {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "request target must start with '/'");
    }
    cpw_buf_reset(&req->path);
    cpw_buf_reset(&req->query);
    long q = cpw_span_find_byte(target, '?');
    struct cpw_span path = q < 0 ? target : cpw_span_sub(target, 0, (size_t)q);
    if (cpw_buf_append(&req->path, path)) {
        return -1;
    }
    if (q >= 0 && cpw_buf_append(&req->query, cpw_span_sub(target, (size_t)q + 1, target.len))) {
        return -1;
    }
    return 0;
}

/* Next line of raw at *pos, without its CRLF or LF. False at the end of input. */
static bool s_next_line(struct cpw_span raw, size_t *pos, struct cpw_span *line)
{
    if (*pos >= raw.len) {
        return false;
    }
    struct cpw_span rest = cpw_span_sub(raw, *pos, raw.len - *pos);
    long nl = cpw_span_find_byte(rest, '\n');
    size_t len = nl < 0 ? rest.len : (size_t)nl;
    *line = cpw_span_sub(rest, 0, len);
    if (line->len && line->ptr[line->len - 1] == '\r') {
        line->len--;
    }
    *pos += nl < 0 ? rest.len : len + 1;
    return true;
}

static bool s_is_token_char(uint8_t c)
{
    return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?={}", c);
}

int cpw_http_request_parse(struct cpw_http_request *req, struct cpw_span raw)
{
    cpw_http_request_init(req);
    size_t pos = 0;
    struct cpw_span line;
    size_t header_bytes = 0;
    if (!s_next_line(raw, &pos, &line)) {
        cpw_raise(CPW_ERR_PARSE, "empty HTTP request");
        goto on_error;
    }
    /* Request line: METHOD SP target SP HTTP/x.y */
    long sp1 = cpw_span_find_byte(line, ' ');
    if (sp1 <= 0) {
        cpw_raise(CPW_ERR_PARSE, "request line has no method");
        goto on_error;
    }
    struct cpw_span method = cpw_span_sub(line, 0, (size_t)sp1);
    for (size_t i = 0; i < method.len; i++) {
        if (!s_is_token_char(method.ptr[i])) {
            cpw_raise(CPW_ERR_PARSE, "request method contains an invalid character");
            goto on_error;
        }
    }
    struct cpw_span rest = cpw_span_sub(line, (size_t)sp1 + 1, line.len);
    /* The target may contain spaces in the SigV4 suite (get-space-*); the version is the last
     * word. */
    size_t end = rest.len;
    while (end > 0 && rest.ptr[end - 1] != ' ') {
        end--;
    }
    if (end == 0 || !cpw_span_starts_with(cpw_span_sub(rest, end, rest.len - end),
                                          cpw_span_from_cstr("HTTP/"))) {
        cpw_raise(CPW_ERR_PARSE, "request line has no HTTP version");
        goto on_error;
    }
    struct cpw_span target = cpw_span_sub(rest, 0, end - 1);
    req->method = cpw_strndup((const char *)method.ptr, method.len);
    if (cpw_http_request_set_target(req, target)) {
        cpw_raise(cpw_last_error() == CPW_ERR_LIMIT ? CPW_ERR_LIMIT : CPW_ERR_PARSE,
                  "request target is invalid: %s", cpw_last_error_detail());
        goto on_error;
    }
    /* Header fields until an empty line. */
    for (;;) {
        if (!s_next_line(raw, &pos, &line)) {
            break; /* no body and no final empty line: accepted (suite files) */
        }
        if (line.len == 0) {
            break;
        }
        header_bytes += line.len;
        if (header_bytes > CPW_HTTP_MAX_HEADER_BYTES) {
            cpw_raise(CPW_ERR_LIMIT, "request headers exceed %u bytes", CPW_HTTP_MAX_HEADER_BYTES);
            goto on_error;
        }
        if (line.ptr[0] == ' ' || line.ptr[0] == '\t') {
            /* obs-fold: continues the previous header's value. */
            if (req->headers.count == 0) {
                cpw_raise(CPW_ERR_PARSE, "continuation line before any header");
                goto on_error;
            }
            struct cpw_header *prev = &req->headers.items[req->headers.count - 1];
            size_t old = strlen(prev->value);
            prev->value = cpw_realloc(prev->value, old + 1 + line.len + 1);
            prev->value[old] = '\n';
            memcpy(prev->value + old + 1, line.ptr, line.len);
            prev->value[old + 1 + line.len] = '\0';
            continue;
        }
        long colon = cpw_span_find_byte(line, ':');
        if (colon <= 0) {
            cpw_raise(CPW_ERR_PARSE, "header line without a name and ':'");
            goto on_error;
        }
        struct cpw_span name = cpw_span_sub(line, 0, (size_t)colon);
        for (size_t i = 0; i < name.len; i++) {
            if (!s_is_token_char(name.ptr[i])) {
                cpw_raise(CPW_ERR_PARSE, "header name contains an invalid character");
                goto on_error;
            }
        }
        struct cpw_span value = cpw_span_sub(line, (size_t)colon + 1, line.len);
        char lead_ws[sizeof(req->headers.items[0].lead_ws)] = { 0 };
        size_t lead_len = 0;
        while (value.len && (value.ptr[0] == ' ' || value.ptr[0] == '\t')) {
            if (lead_len + 1 < sizeof(lead_ws)) {
                lead_ws[lead_len++] = (char)value.ptr[0];
            }
            value.ptr++;
            value.len--;
        }
        cpw_headers_add(&req->headers, name, value);
        memcpy(req->headers.items[req->headers.count - 1].lead_ws, lead_ws, sizeof(lead_ws));
    }
    if (pos < raw.len && cpw_buf_append(&req->body, cpw_span_sub(raw, pos, raw.len - pos))) {
        goto on_error;
    }
    return 0;

on_error:
    cpw_http_request_clean_up(req);
    return -1;
}

int cpw_http_request_write(const struct cpw_http_request *req, struct cpw_buf *out)
{
    if (cpw_buf_appendf(out, "%s %s%s%s HTTP/1.1\n", req->method ? req->method : "GET",
                        cpw_buf_cstr(&req->path), req->query.len ? "?" : "",
                        cpw_buf_cstr(&req->query))) {
        return -1;
    }
    for (size_t i = 0; i < req->headers.count; i++) {
        if (cpw_buf_appendf(out, "%s:%s%s\n", req->headers.items[i].name,
                            req->headers.items[i].lead_ws, req->headers.items[i].value)) {
            return -1;
        }
    }
    /* The empty line that ends the header section is always written, as HTTP requires. */
    if (cpw_buf_append_byte(out, '\n') || cpw_buf_append(out, cpw_buf_span(&req->body))) {
        return -1;
    }
    return 0;
}

void cpw_http_response_init(struct cpw_http_response *resp)
{
    resp->status = 0;
    cpw_headers_init(&resp->headers);
    cpw_buf_init(&resp->body, CPW_HTTP_MAX_BODY_BYTES);
}

void cpw_http_response_clean_up(struct cpw_http_response *resp)
{
    if (!resp) {
        return;
    }
    cpw_headers_clean_up(&resp->headers);
    cpw_buf_clean_up(&resp->body);
    resp->status = 0;
}
