/*
 * console.c - the console's life (tokens, store, server), the security checks every request
 * goes through, the routing and the answer functions (console.h, docs/console.md).
 */
#include "cpw/console.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "console_internal.h"
#include "cpw/alloc.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/log.h"
#include "cpw/uri.h"

#define CSP                                                                                        \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; "               \
    "form-action 'self'"

/* ----- the security checks ------------------------------------------------------------------ */

bool cpw_console_token_equal(const char *a, const char *b)
{
    if (!a || !b) {
        return false;
    }
    return cpw_ct_equal(cpw_span_from_cstr(a), cpw_span_from_cstr(b));
}

/* True when text is exactly prefix followed by ":port". */
static bool s_names_port(const char *text, const char *prefix, uint16_t port)
{
    size_t n = strlen(prefix);
    if (strncasecmp(text, prefix, n) != 0 || text[n] != ':') {
        return false;
    }
    char want[8];
    snprintf(want, sizeof(want), "%u", (unsigned)port);
    return strcmp(text + n + 1, want) == 0;
}

bool cpw_console_host_allowed(const char *host, uint16_t port)
{
    return host && (s_names_port(host, "127.0.0.1", port) || s_names_port(host, "localhost", port));
}

bool cpw_console_origin_allowed(const char *origin, uint16_t port)
{
    return origin && (s_names_port(origin, "http://127.0.0.1", port) ||
                      s_names_port(origin, "http://localhost", port));
}

bool cpw_console_cookie(const char *header, const char *name, char *out, size_t cap)
{
    if (!header || cap == 0) {
        return false;
    }
    struct cpw_span rest = cpw_span_from_cstr(header);
    struct cpw_span item;
    size_t name_len = strlen(name);
    for (int guard = 0; guard < 256 && cpw_span_next_token(&rest, ';', &item); guard++) {
        item = cpw_span_trim(item);
        if (item.len > name_len && memcmp(item.ptr, name, name_len) == 0 &&
            item.ptr[name_len] == '=') {
            size_t len = item.len - name_len - 1;
            if (len >= cap) {
                return false;
            }
            memcpy(out, item.ptr + name_len + 1, len);
            out[len] = '\0';
            return true;
        }
    }
    return false;
}

/* A token: 32 random bytes, base64url without padding. */
static int s_token(char out[CPW_CONSOLE_TOKEN_LEN + 1])
{
    uint8_t bytes[CPW_CONSOLE_TOKEN_BYTES];
    struct cpw_buf b64;
    cpw_buf_init(&b64, 128);
    int rc = cpw_random_bytes(bytes, sizeof(bytes));
    rc = rc ? rc : cpw_base64_encode(&b64, cpw_span_from(bytes, sizeof(bytes)));
    cpw_secure_zero(bytes, sizeof(bytes));
    size_t n = 0;
    for (size_t i = 0; rc == 0 && i < b64.len && n < CPW_CONSOLE_TOKEN_LEN; i++) {
        char ch = (char)b64.data[i];
        if (ch == '=') {
            break;
        }
        out[n++] = ch == '+' ? '-' : ch == '/' ? '_' : ch;
    }
    out[n] = '\0';
    cpw_buf_clean_up_secure(&b64);
    return rc == 0 && n == CPW_CONSOLE_TOKEN_LEN
             ? 0
             : cpw_raise(CPW_ERR_INTERNAL, "cannot make a random token");
}

/* ----- answers ------------------------------------------------------------------------------ */

static void s_security_headers(struct cpw_http_response *resp)
{
    cpw_headers_set(&resp->headers, "Content-Security-Policy", CSP);
    cpw_headers_set(&resp->headers, "X-Content-Type-Options", "nosniff");
    cpw_headers_set(&resp->headers, "Referrer-Policy", "no-referrer");
    cpw_headers_set(&resp->headers, "X-Frame-Options", "DENY");
    cpw_headers_set(&resp->headers, "Cross-Origin-Opener-Policy", "same-origin");
    cpw_headers_set(&resp->headers, "Cross-Origin-Resource-Policy", "same-origin");
    cpw_headers_set(&resp->headers, "Cache-Control", "no-store");
}

void console_bytes(struct console_req *r,
                   long status,
                   const char *type,
                   struct cpw_span bytes,
                   const char *attachment)
{
    struct cpw_http_response *resp = r->response;
    resp->status = status;
    cpw_buf_reset(&resp->body);
    if (cpw_buf_append(&resp->body, bytes)) {
        cpw_buf_reset(&resp->body);
        resp->status = 500;
    }
    cpw_headers_set(&resp->headers, "Content-Type", type);
    if (attachment) {
        char value[512];
        snprintf(value, sizeof(value), "attachment; filename=\"%s\"", attachment);
        cpw_headers_set(&resp->headers, "Content-Disposition", value);
    }
}

void console_error(struct console_req *r, long status, const char *code, const char *fmt, ...)
{
    struct cpw_buf msg;
    cpw_buf_init(&msg, 8192);
    va_list ap;
    va_start(ap, fmt);
    (void)cpw_buf_vappendf(&msg, fmt, ap);
    va_end(ap);
    json_t *doc = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", cpw_buf_cstr(&msg));
    cpw_buf_clean_up(&msg);
    struct cpw_buf text;
    cpw_buf_init(&text, 64u * 1024u);
    if (!doc || cpw_json_dump(doc, &text)) {
        cpw_buf_reset(&text);
        (void)cpw_buf_append_cstr(&text,
                                  "{\"error\":{\"code\":\"InternalError\",\"message\":\"\"}}");
    }
    cpw_json_release(doc);
    console_bytes(r, status, "application/json", cpw_buf_span(&text), NULL);
    cpw_buf_clean_up(&text);
}

bool console_query(const struct console_req *r, const char *name, struct cpw_buf *out)
{
    struct cpw_span rest = cpw_buf_span(&r->query);
    struct cpw_span item;
    size_t n = strlen(name);
    for (int guard = 0; guard < 256 && cpw_span_next_token(&rest, '&', &item); guard++) {
        if (item.len >= n && memcmp(item.ptr, name, n) == 0 &&
            (item.len == n || item.ptr[n] == '=')) {
            struct cpw_span value =
              item.len > n ? cpw_span_sub(item, n + 1, item.len - n - 1) : cpw_span_from("", 0);
            cpw_buf_reset(out);
            return cpw_uri_decode(out, value, CPW_URI_PLUS_IS_SPACE) == 0 &&
                   memchr(out->data ? (const void *)out->data : "", 0, out->len) == NULL;
        }
    }
    return false;
}

void console_reply(struct console_req *r, json_t *doc, const char *name)
{
    struct cpw_buf format;
    cpw_buf_init(&format, 64);
    bool asked = console_query(r, "format", &format);
    const char *f = asked ? cpw_buf_cstr(&format) : "json";
    struct cpw_buf text;
    cpw_buf_init(&text, 256u * 1024u * 1024u);
    char file[128];
    int rc = 0;
    const char *type = "application/json";
    if (strcmp(f, "json") == 0) {
        rc = cpw_json_dump_document(doc, &text);
        snprintf(file, sizeof(file), "%s.json", name);
    } else if (strcmp(f, "csv") == 0) {
        rc = console_export_csv(doc, &text);
        type = "text/csv; charset=utf-8";
        snprintf(file, sizeof(file), "%s.csv", name);
    } else if (strcmp(f, "md") == 0) {
        rc = console_export_markdown(doc, name, &text);
        type = "text/markdown; charset=utf-8";
        snprintf(file, sizeof(file), "%s.md", name);
    } else {
        cpw_json_release(doc);
        cpw_buf_clean_up(&text);
        cpw_buf_clean_up(&format);
        console_error(r, 400, "InvalidFormat", "format takes json, csv or md");
        return;
    }
    cpw_json_release(doc);
    if (rc) {
        console_error(r, 500, "InternalError", "cannot write the answer: %s",
                      cpw_last_error_detail());
    } else {
        console_bytes(r, 200, type, cpw_buf_span(&text), asked ? file : NULL);
    }
    cpw_buf_clean_up(&text);
    cpw_buf_clean_up(&format);
}

/* ----- static assets ------------------------------------------------------------------------ */

static void s_asset(struct console_req *r, const char *path)
{
    for (size_t i = 0; i < cpw_console_asset_count; i++) {
        if (strcmp(cpw_console_assets[i].path, path) == 0) {
            console_bytes(r, 200, cpw_console_assets[i].type,
                          cpw_span_from(cpw_console_assets[i].data, cpw_console_assets[i].size),
                          NULL);
            return;
        }
    }
    console_error(r, 404, "NotFound", "no such asset");
}

static const char s_unauthorized_page[] =
  "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>cpwarden console"
  "</title></head><body><h1>401 Unauthorized</h1><p>Open the address that <code>cpwarden "
  "console</code> printed (it carries the access token).</p></body></html>\n";

/* ----- routing ------------------------------------------------------------------------------ */

static bool s_is(const struct console_req *r, const char *method, const char *path)
{
    return strcmp(r->method, method) == 0 && strcmp(r->path, path) == 0;
}

/* The segment of path after prefix up to suffix ("/api/plans/" NAME "/confirmation"), copied
 * into out; false when path does not have that shape or the segment holds a '/'. */
static bool s_segment(const char *path,
                      const char *prefix,
                      const char *suffix,
                      char *out,
                      size_t cap)
{
    size_t p = strlen(prefix);
    size_t s = strlen(suffix);
    size_t n = strlen(path);
    if (n <= p + s || strncmp(path, prefix, p) != 0 || strcmp(path + n - s, suffix) != 0) {
        return false;
    }
    size_t len = n - p - s;
    if (len >= cap || memchr(path + p, '/', len)) {
        return false;
    }
    memcpy(out, path + p, len);
    out[len] = '\0';
    return true;
}

static void s_route_api(struct console_req *r)
{
    char seg[256];
    bool get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    if (get && strcmp(r->path, "/api/session") == 0) {
        console_api_session(r);
    } else if (s_is(r, "POST", "/api/scan")) {
        console_api_scan(r);
    } else if (get && s_segment(r->path, "/api/scan/", "/events", seg, sizeof(seg))) {
        console_api_events(r, seg, false);
    } else if (get && strcmp(r->path, "/api/overview") == 0) {
        console_api_overview(r);
    } else if (get && strcmp(r->path, "/api/graph") == 0) {
        console_api_graph(r, false);
    } else if (get && strcmp(r->path, "/api/graph.dot") == 0) {
        console_api_graph(r, true);
    } else if (get && strcmp(r->path, "/api/findings") == 0) {
        console_api_findings(r, NULL);
    } else if (get && s_segment(r->path, "/api/findings/", "", seg, sizeof(seg))) {
        console_api_findings(r, seg);
    } else if (get && strcmp(r->path, "/api/domain") == 0) {
        console_api_domain(r);
    } else if (s_is(r, "POST", "/api/plan")) {
        console_api_plan(r);
    } else if (get && strcmp(r->path, "/api/plans") == 0) {
        console_api_plans(r);
    } else if (get && s_segment(r->path, "/api/plans/", "/confirmation", seg, sizeof(seg))) {
        console_api_plan_confirmation(r, seg);
    } else if (get && s_segment(r->path, "/api/plans/", "", seg, sizeof(seg))) {
        console_api_plan_file(r, seg);
    } else if (s_is(r, "POST", "/api/apply")) {
        console_api_apply(r);
    } else if (get && s_segment(r->path, "/api/apply/", "/events", seg, sizeof(seg))) {
        console_api_events(r, seg, true);
    } else if (get && strcmp(r->path, "/api/history") == 0) {
        console_api_history(r);
    } else if (get && strcmp(r->path, "/api/snapshots") == 0) {
        console_api_snapshots(r);
    } else if (get && strcmp(r->path, "/api/snapshots/diff") == 0) {
        console_api_snapshots_diff(r);
    } else if (get && strcmp(r->path, "/api/audit") == 0) {
        console_api_audit(r);
    } else if (s_is(r, "POST", "/api/audit")) {
        console_api_audit_run(r);
    } else if (get && strcmp(r->path, "/api/doctor") == 0) {
        console_api_doctor(r);
    } else {
        console_error(r, 404, "NotFound", "no such API");
    }
}

/* The checks every request passes, in order; false when the answer is already made. */
static bool s_admit(struct cpw_console *c, struct console_req *r)
{
    const struct cpw_headers *h = &r->exchange->request->headers;
    if (cpw_headers_count_name(h, "Host") != 1 ||
        !cpw_console_host_allowed(cpw_headers_get(h, "Host"), c->port)) {
        console_error(r, 421, "MisdirectedRequest",
                      "the Host header must name this console (127.0.0.1 or localhost, its port)");
        return false;
    }
    const char *origin = cpw_headers_get(h, "Origin");
    if (cpw_headers_count_name(h, "Origin") > 1 ||
        (origin && !cpw_console_origin_allowed(origin, c->port))) {
        console_error(r, 403, "ForbiddenOrigin", "requests from other origins are refused");
        return false;
    }
    struct cpw_buf token;
    cpw_buf_init(&token, 256);
    bool has_token = strcmp(r->path, "/") == 0 && console_query(r, "token", &token);
    if (has_token) {
        bool ok = cpw_console_token_equal(cpw_buf_cstr(&token), c->token);
        cpw_buf_clean_up_secure(&token);
        if (!ok) {
            console_bytes(r, 401, "text/html; charset=utf-8",
                          cpw_span_from_cstr(s_unauthorized_page), NULL);
            return false;
        }
        char cookie[256];
        snprintf(cookie, sizeof(cookie), "%s=%s; HttpOnly; SameSite=Strict; Path=/",
                 CPW_CONSOLE_COOKIE, c->session);
        cpw_headers_set(&r->response->headers, "Set-Cookie", cookie);
        cpw_headers_set(&r->response->headers, "Location", "/");
        console_bytes(r, 303, "text/plain; charset=utf-8", cpw_span_from_cstr("See /\n"), NULL);
        cpw_secure_zero(cookie, sizeof(cookie));
        return false;
    }
    cpw_buf_clean_up(&token);
    char session[CPW_CONSOLE_TOKEN_LEN + 8];
    bool ok = false;
    for (size_t i = 0; i < h->count && !ok; i++) { /* any Cookie header may carry it */
        if (strcasecmp(h->items[i].name, "Cookie") == 0 &&
            cpw_console_cookie(h->items[i].value, CPW_CONSOLE_COOKIE, session, sizeof(session))) {
            ok = cpw_console_token_equal(session, c->session);
        }
    }
    cpw_secure_zero(session, sizeof(session));
    if (!ok) {
        if (strncmp(r->path, "/api/", 5) == 0) {
            console_error(r, 401, "Unauthorized",
                          "open the address 'cpwarden console' printed to get a session");
        } else {
            console_bytes(r, 401, "text/html; charset=utf-8",
                          cpw_span_from_cstr(s_unauthorized_page), NULL);
        }
        return false;
    }
    bool safe = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    if (!safe && (cpw_headers_count_name(h, "X-CSRF-Token") != 1 ||
                  !cpw_console_token_equal(cpw_headers_get(h, "X-CSRF-Token"), c->csrf))) {
        console_error(r, 403, "InvalidCsrfToken",
                      "state-changing requests need the X-CSRF-Token of GET /api/session");
        return false;
    }
    return true;
}

void cpw_console_handle(void *user,
                        const struct cpw_http_exchange *exchange,
                        struct cpw_http_response *response)
{
    struct cpw_console *c = user;
    struct console_req r = {
        .console = c,
        .exchange = exchange,
        .method = exchange->request->method ? exchange->request->method : "",
        .response = response,
    };
    s_security_headers(response);
    cpw_buf_init(&r.query, CPW_HTTP_MAX_PATH_BYTES);
    (void)cpw_buf_append(&r.query, cpw_buf_span(&exchange->request->query));
    struct cpw_buf path;
    cpw_buf_init(&path, sizeof(r.path) - 1);
    if (cpw_uri_decode(&path, cpw_buf_span(&exchange->request->path), CPW_URI_DECODE_DEFAULT) ||
        path.len == 0 || memchr(path.data, 0, path.len) || strstr(cpw_buf_cstr(&path), "..")) {
        snprintf(r.path, sizeof(r.path), "/");
        console_error(&r, 400, "BadRequest", "malformed path");
        goto done;
    }
    snprintf(r.path, sizeof(r.path), "%s", cpw_buf_cstr(&path));
    if (!s_admit(c, &r)) {
        goto done;
    }
    bool get = strcmp(r.method, "GET") == 0 || strcmp(r.method, "HEAD") == 0;
    if (strcmp(r.path, "/") == 0 || strcmp(r.path, "/index.html") == 0) {
        if (get) {
            s_asset(&r, "index.html");
        } else {
            console_error(&r, 405, "MethodNotAllowed", "GET only");
        }
    } else if (strncmp(r.path, "/assets/", 8) == 0) {
        if (get) {
            s_asset(&r, r.path + 8);
        } else {
            console_error(&r, 405, "MethodNotAllowed", "GET only");
        }
    } else if (strncmp(r.path, "/api/", 5) == 0) {
        s_route_api(&r);
    } else {
        console_error(&r, 404, "NotFound", "no such page");
    }
done:
    cpw_buf_clean_up(&path);
    cpw_buf_clean_up(&r.query);
}

/* ----- life --------------------------------------------------------------------------------- */

struct cpw_console *cpw_console_new(const struct cpw_console_options *opts)
{
    struct cpw_console *c = cpw_calloc(1, sizeof(*c));
    c->opts = *opts;
    c->port = opts->port;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->changed, NULL);
    cpw_buf_init(&c->state_dir, 4096);
    cpw_buf_init(&c->plans_dir, 4096);
    if (s_token(c->token) || s_token(c->session) || s_token(c->csrf)) {
        cpw_console_destroy(c);
        return NULL;
    }
    if (opts->state_dir ? cpw_buf_append_cstr(&c->state_dir, opts->state_dir)
                        : cpw_store_default_dir(&c->state_dir)) {
        cpw_console_destroy(c);
        return NULL;
    }
    struct cpw_store_options so = { .dir = cpw_buf_cstr(&c->state_dir) };
    c->store = cpw_store_open(&so);
    if (!c->store || cpw_buf_appendf(&c->plans_dir, "%s/plans", cpw_buf_cstr(&c->state_dir))) {
        cpw_console_destroy(c);
        return NULL;
    }
    if (mkdir(cpw_buf_cstr(&c->plans_dir), 0700) != 0) {
        struct stat st;
        if (lstat(cpw_buf_cstr(&c->plans_dir), &st) != 0 || !S_ISDIR(st.st_mode)) {
            cpw_raise(CPW_ERR_IO, "cannot make the plans directory %s",
                      cpw_buf_cstr(&c->plans_dir));
            cpw_console_destroy(c);
            return NULL;
        }
    }
    /* A stored snapshot counts as a scan. */
    c->inv = cpw_inventory_snapshot_load(c->store, 0);
    if (c->inv) {
        struct cpw_store_snapshot_info *list = NULL;
        size_t count = 0;
        if (cpw_store_snapshot_list(c->store, 1, &list, &count) == 0 && count) {
            c->snapshot_id = list[0].id;
        }
        cpw_store_snapshot_list_free(list, count);
    }
    cpw_error_clear();
    snprintf(c->url, sizeof(c->url), "http://127.0.0.1:%u/?token=%s", (unsigned)c->port, c->token);
    return c;
}

int cpw_console_listen(struct cpw_console *c)
{
    struct cpw_http_server_options so = {
        .bind_address = "127.0.0.1",
        .port = c->opts.port,
        .thread_per_connection = true, /* event streams wait for their next event */
        .max_connections = 64,
        .max_connections_per_client = 64,
        .max_body_bytes = 1024u * 1024u,
        .handler = cpw_console_handle,
        .user = c,
    };
    c->server = cpw_http_server_start(&so);
    if (!c->server) {
        return -1;
    }
    c->port = cpw_http_server_port(c->server);
    snprintf(c->url, sizeof(c->url), "http://127.0.0.1:%u/?token=%s", (unsigned)c->port, c->token);
    return 0;
}

const char *cpw_console_url(const struct cpw_console *c)
{
    return c->url;
}

void cpw_console_destroy(struct cpw_console *c)
{
    if (!c) {
        return;
    }
    pthread_mutex_lock(&c->lock);
    c->stopping = true;
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
    cpw_http_server_stop(c->server); /* streams see stopping and end */
    console_jobs_clean_up(c);
    cpw_inventory_destroy(c->inv);
    cpw_store_destroy(c->store);
    cpw_buf_clean_up(&c->state_dir);
    cpw_buf_clean_up(&c->plans_dir);
    cpw_secure_zero(c->token, sizeof(c->token));
    cpw_secure_zero(c->session, sizeof(c->session));
    cpw_secure_zero(c->csrf, sizeof(c->csrf));
    cpw_secure_zero(c->url, sizeof(c->url));
    pthread_cond_destroy(&c->changed);
    pthread_mutex_destroy(&c->lock);
    cpw_free(c);
}
