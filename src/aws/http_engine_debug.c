/*
 * http_engine_debug.c - the wire exchange as HTTP text for --debug, with secrets redacted.
 *
 * The text goes through the log redactor as a whole (so a signature, a security token header or
 * a secret in a JSON or XML body is masked wherever it stands) and then through the printable
 * filter (a body is remote input: no terminal escape gets through).
 */
#include <stdio.h>

#include "cpw/error.h"
#include "cpw/http_engine.h"
#include "cpw/log.h"

#define DEBUG_BODY_SHOWN ((size_t)1024 * 1024)
#define DEBUG_TEXT_MAX   ((size_t)4 * 1024 * 1024)

static int s_headers(struct cpw_buf *out, const struct cpw_headers *headers)
{
    int rc = 0;
    for (size_t i = 0; i < headers->count && rc == 0; i++) {
        rc = cpw_buf_appendf(out, "%s: %s\n", headers->items[i].name, headers->items[i].value);
    }
    return rc;
}

static int s_body(struct cpw_buf *out, const struct cpw_buf *body)
{
    int rc = cpw_buf_append_byte(out, '\n');
    if (body->len == 0) {
        return rc;
    }
    size_t shown = body->len < DEBUG_BODY_SHOWN ? body->len : DEBUG_BODY_SHOWN;
    rc = rc ? rc : cpw_buf_append(out, cpw_span_from(body->data, shown));
    if (rc == 0 && shown < body->len) {
        rc = cpw_buf_appendf(out, "\n(%zu more bytes not shown)", body->len - shown);
    }
    return rc ? rc : cpw_buf_append_byte(out, '\n');
}

void cpw_http_debug_print(void *user, const struct cpw_http_debug_event *event)
{
    FILE *stream = user ? (FILE *)user : stderr;
    struct cpw_buf raw;
    struct cpw_buf redacted;
    struct cpw_buf shown;
    cpw_buf_init(&raw, DEBUG_TEXT_MAX);
    cpw_buf_init(&redacted, 2 * DEBUG_TEXT_MAX);
    cpw_buf_init(&shown, 8 * DEBUG_TEXT_MAX);
    int rc = 0;
    if (event->request) {
        const struct cpw_http_request *req = event->request;
        rc = cpw_buf_appendf(&raw, "cpwarden: debug: HTTP request, attempt %u, to %s\n",
                             event->attempt, event->url_base ? event->url_base : "");
        rc = rc ? rc
                : cpw_buf_appendf(&raw, "%s %s%s%s HTTP/1.1\n", req->method ? req->method : "",
                                  cpw_buf_cstr(&req->path), req->query.len ? "?" : "",
                                  cpw_buf_cstr(&req->query));
        rc = rc ? rc : s_headers(&raw, &req->headers);
        rc = rc ? rc : s_body(&raw, &req->body);
    } else if (event->response) {
        const struct cpw_http_response *resp = event->response;
        rc = cpw_buf_appendf(&raw, "cpwarden: debug: HTTP response, attempt %u, from %s\n",
                             event->attempt, event->url_base ? event->url_base : "");
        rc = rc ? rc : cpw_buf_appendf(&raw, "HTTP/1.1 %ld\n", resp->status);
        rc = rc ? rc : s_headers(&raw, &resp->headers);
        rc = rc ? rc : s_body(&raw, &resp->body);
    } else if (event->transport) {
        rc = cpw_buf_appendf(
          &raw, "cpwarden: debug: HTTP attempt %u to %s got no response: %s: %s\n", event->attempt,
          event->url_base ? event->url_base : "",
          cpw_http_transport_category_name(event->transport->category), event->transport->message);
    }
    if (rc != 0) {
        cpw_buf_reset(&raw);
        (void)cpw_buf_append_cstr(&raw, "cpwarden: debug: (HTTP exchange too long to show)\n");
    }
    if (cpw_log_redact(&redacted, cpw_buf_span(&raw)) == 0 &&
        cpw_buf_append_printable(&shown, cpw_buf_span(&redacted), CPW_PRINTABLE_KEEP_NEWLINES) ==
          0 &&
        shown.len) {
        fwrite(shown.data, 1, shown.len, stream);
        fflush(stream);
    }
    cpw_buf_clean_up_secure(&raw);
    cpw_buf_clean_up_secure(&redacted);
    cpw_buf_clean_up(&shown);
}
