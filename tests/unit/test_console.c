/*
 * test_console.c - the console's security checks and routing, without sockets: the Host,
 * Origin, cookie and token checks as functions, then requests handed to cpw_console_handle on a
 * console with no AWS client: refusals in order (Host, Origin, token, cookie, CSRF), the token ->
 * cookie exchange, the security headers, routing and exports, and the answers that need AWS.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console/console_internal.h"
#include "cpw/alloc.h"
#include "cpw/console.h"
#include "cpw/json.h"
#include "harness.h"

#define PORT 4242

static void t_host_and_origin(void **state)
{
    (void)state;
    assert_true(cpw_console_host_allowed("127.0.0.1:4242", PORT));
    assert_true(cpw_console_host_allowed("localhost:4242", PORT));
    assert_true(cpw_console_host_allowed("LOCALHOST:4242", PORT));
    assert_false(cpw_console_host_allowed("127.0.0.1", PORT));
    assert_false(cpw_console_host_allowed("127.0.0.1:42420", PORT));
    assert_false(cpw_console_host_allowed("127.0.0.1:424", PORT));
    assert_false(cpw_console_host_allowed("evil.example:4242", PORT));
    assert_false(cpw_console_host_allowed("127.0.0.1.evil.example:4242", PORT));
    assert_false(cpw_console_host_allowed("localhost:4242@evil", PORT));
    assert_false(cpw_console_host_allowed(NULL, PORT));
    assert_true(cpw_console_origin_allowed("http://127.0.0.1:4242", PORT));
    assert_true(cpw_console_origin_allowed("http://localhost:4242", PORT));
    assert_false(cpw_console_origin_allowed("https://127.0.0.1:4242", PORT));
    assert_false(cpw_console_origin_allowed("http://127.0.0.1:4243", PORT));
    assert_false(cpw_console_origin_allowed("null", PORT));
    assert_false(cpw_console_origin_allowed("http://evil.example", PORT));
}

static void t_cookie_and_tokens(void **state)
{
    (void)state;
    char out[64];
    assert_true(cpw_console_cookie("a=1; cpw_session=abc; b=2", "cpw_session", out, sizeof(out)));
    assert_string_equal(out, "abc");
    assert_true(cpw_console_cookie("cpw_session=xyz", "cpw_session", out, sizeof(out)));
    assert_string_equal(out, "xyz");
    assert_false(cpw_console_cookie("xcpw_session=abc", "cpw_session", out, sizeof(out)));
    assert_false(cpw_console_cookie("cpw_sessionx=abc", "cpw_session", out, sizeof(out)));
    assert_false(cpw_console_cookie("a=1", "cpw_session", out, sizeof(out)));
    assert_false(cpw_console_cookie("cpw_session=0123456789", "cpw_session", out, 4));
    assert_true(cpw_console_token_equal("abc", "abc"));
    assert_false(cpw_console_token_equal("abc", "abd"));
    assert_false(cpw_console_token_equal("abc", "abcd"));
    assert_false(cpw_console_token_equal(NULL, "abc"));
}

struct fixture {
    char dir[64];
    struct cpw_console *console;
    char token[CPW_CONSOLE_TOKEN_LEN + 1];
    char cookie[128];
    char csrf[CPW_CONSOLE_TOKEN_LEN + 1];
};

static const char *const s_regions[] = { "us-east-1" };

/* One request through the handler; resp is the caller's (cleaned up by it). */
static void s_call(struct fixture *f,
                   const char *method,
                   const char *target,
                   const char *const *headers, /* name, value, ..., NULL */
                   const char *body,
                   struct cpw_http_response *resp)
{
    struct cpw_http_request req;
    cpw_http_request_init(&req);
    cpw_http_request_set_method(&req, method);
    assert_int_equal(cpw_http_request_set_target(&req, cpw_span_from_cstr(target)), 0);
    for (size_t i = 0; headers && headers[i]; i += 2) {
        cpw_headers_add_cstr(&req.headers, headers[i], headers[i + 1]);
    }
    if (body) {
        assert_int_equal(cpw_buf_append_cstr(&req.body, body), 0);
    }
    struct cpw_http_stream stream = { 0 };
    struct cpw_http_exchange ex = { .request = &req, .peer_ip = "127.0.0.1", .stream = &stream };
    cpw_http_response_init(resp);
    cpw_console_handle(f->console, &ex, resp);
    assert_null(stream.next); /* nothing here streams */
    cpw_http_request_clean_up(&req);
}

/* The error code of a JSON error answer (into out). */
static void s_code(const struct cpw_http_response *resp, char *out, size_t cap)
{
    json_t *doc = NULL;
    out[0] = '\0';
    if (cpw_json_load(cpw_buf_span(&resp->body), 1u << 20, &doc) == 0) {
        const char *code = cpw_json_get_string(cpw_json_get(doc, "error"), "code");
        snprintf(out, cap, "%s", code ? code : "");
    }
    cpw_json_release(doc);
}

static int s_setup(void **state)
{
    if (cpw_test_setup(state)) {
        return -1;
    }
    struct fixture *f = cpw_calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/cpw-console-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    struct cpw_console_options opts = {
        .port = PORT,
        .account = "123456789012",
        .caller_arn = "arn:aws:iam::123456789012:root",
        .regions = s_regions,
        .region_count = 1,
        .state_dir = f->dir,
    };
    f->console = cpw_console_new(&opts);
    assert_non_null(f->console);
    const char *url = cpw_console_url(f->console);
    const char *t = strstr(url, "?token=");
    assert_non_null(t);
    snprintf(f->token, sizeof(f->token), "%s", t + 7);
    assert_int_equal(strlen(f->token), CPW_CONSOLE_TOKEN_LEN);
    *state = f;
    return 0;
}

/* Removes the files of dir (no subdirectories left), then dir. */
static void s_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    for (int guard = 0; d && guard < 1000 && (e = readdir(d)) != NULL; guard++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            (void)unlink(path);
        }
    }
    if (d) {
        closedir(d);
    }
    assert_int_equal(rmdir(dir), 0);
}

static int s_teardown(void **state)
{
    struct fixture *f = *state;
    cpw_console_destroy(f->console);
    char plans[128];
    snprintf(plans, sizeof(plans), "%s/plans", f->dir);
    s_remove_dir(plans);
    s_remove_dir(f->dir);
    cpw_free(f);
    return cpw_test_teardown(state);
}

/* The token exchanged for the cookie, then the CSRF token read from the session. */
static void s_sign_in(struct fixture *f)
{
    char target[128];
    snprintf(target, sizeof(target), "/?token=%s", f->token);
    const char *const h[] = { "Host", "127.0.0.1:4242", NULL };
    struct cpw_http_response resp;
    s_call(f, "GET", target, h, NULL, &resp);
    assert_int_equal(resp.status, 303);
    assert_string_equal(cpw_headers_get(&resp.headers, "Location"), "/");
    const char *set = cpw_headers_get(&resp.headers, "Set-Cookie");
    assert_non_null(set);
    assert_non_null(strstr(set, "; HttpOnly; SameSite=Strict; Path=/"));
    assert_null(strstr(set, f->token)); /* the session is not the access token */
    size_t n = strcspn(set, ";");
    assert_true(n < sizeof(f->cookie));
    memcpy(f->cookie, set, n);
    f->cookie[n] = '\0';
    cpw_http_response_clean_up(&resp);

    const char *const h2[] = { "Host", "127.0.0.1:4242", "Cookie", f->cookie, NULL };
    s_call(f, "GET", "/api/session", h2, NULL, &resp);
    assert_int_equal(resp.status, 200);
    json_t *doc = NULL;
    assert_int_equal(cpw_json_load(cpw_buf_span(&resp.body), 1u << 20, &doc), 0);
    snprintf(f->csrf, sizeof(f->csrf), "%s", cpw_json_get_string(doc, "csrf_token"));
    assert_int_equal(strlen(f->csrf), CPW_CONSOLE_TOKEN_LEN);
    assert_string_not_equal(f->csrf, f->token);
    assert_string_equal(cpw_json_get_string(cpw_json_get(doc, "identity"), "account"),
                        "123456789012");
    cpw_json_release(doc);
    cpw_http_response_clean_up(&resp);
}

static void t_refusals(void **state)
{
    struct fixture *f = *state;
    struct cpw_http_response resp;
    char code[64];
    char target[128];
    snprintf(target, sizeof(target), "/?token=%s", f->token);

    /* A wrong Host is refused before the token is even looked at. */
    const char *const evil_host[] = { "Host", "evil.example:4242", NULL };
    s_call(f, "GET", target, evil_host, NULL, &resp);
    assert_int_equal(resp.status, 421);
    assert_null(cpw_headers_get(&resp.headers, "Set-Cookie"));
    cpw_http_response_clean_up(&resp);
    const char *const two_hosts[] = { "Host", "127.0.0.1:4242", "Host", "evil.example", NULL };
    s_call(f, "GET", target, two_hosts, NULL, &resp);
    assert_int_equal(resp.status, 421);
    cpw_http_response_clean_up(&resp);

    const char *const evil_origin[] = { "Host", "127.0.0.1:4242", "Origin", "http://evil.example",
                                        NULL };
    s_call(f, "GET", target, evil_origin, NULL, &resp);
    assert_int_equal(resp.status, 403);
    s_code(&resp, code, sizeof(code));
    assert_string_equal(code, "ForbiddenOrigin");
    cpw_http_response_clean_up(&resp);

    const char *const host[] = { "Host", "127.0.0.1:4242", NULL };
    s_call(f, "GET", "/?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", host, NULL, &resp);
    assert_int_equal(resp.status, 401);
    assert_null(cpw_headers_get(&resp.headers, "Set-Cookie"));
    cpw_http_response_clean_up(&resp);

    s_call(f, "GET", "/api/session", host, NULL, &resp);
    assert_int_equal(resp.status, 401);
    s_code(&resp, code, sizeof(code));
    assert_string_equal(code, "Unauthorized");
    assert_null(strstr(cpw_buf_cstr(&resp.body), f->csrf[0] ? f->csrf : "\x01"));
    cpw_http_response_clean_up(&resp);

    s_call(f, "GET", "/assets/app.js", host, NULL, &resp);
    assert_int_equal(resp.status, 401);
    cpw_http_response_clean_up(&resp);

    const char *const forged[] = { "Host", "127.0.0.1:4242", "Cookie",
                                   "cpw_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                   NULL };
    s_call(f, "GET", "/api/session", forged, NULL, &resp);
    assert_int_equal(resp.status, 401);
    cpw_http_response_clean_up(&resp);

    s_sign_in(f);
    const char *const no_csrf[] = { "Host", "127.0.0.1:4242", "Cookie", f->cookie, NULL };
    s_call(f, "POST", "/api/scan", no_csrf, "{}", &resp);
    assert_int_equal(resp.status, 403);
    s_code(&resp, code, sizeof(code));
    assert_string_equal(code, "InvalidCsrfToken");
    cpw_http_response_clean_up(&resp);

    const char *const bad_csrf[] = { "Host",         "127.0.0.1:4242", "Cookie", f->cookie,
                                     "X-CSRF-Token", f->token,         NULL };
    s_call(f, "POST", "/api/scan", bad_csrf, "{}", &resp);
    assert_int_equal(resp.status, 403); /* the access token is not the CSRF token */
    cpw_http_response_clean_up(&resp);

    /* The right CSRF token passes the checks; without an AWS client the scan cannot run. */
    const char *const ok[] = { "Host",    "localhost:4242",        "Cookie",
                               f->cookie, "X-CSRF-Token",          f->csrf,
                               "Origin",  "http://localhost:4242", NULL };
    s_call(f, "POST", "/api/scan", ok, "{}", &resp);
    assert_int_equal(resp.status, 503);
    s_code(&resp, code, sizeof(code));
    assert_string_equal(code, "NoClient");
    cpw_http_response_clean_up(&resp);
}

static void t_routes_and_headers(void **state)
{
    struct fixture *f = *state;
    struct cpw_http_response resp;
    char code[64];
    s_sign_in(f);
    const char *const h[] = { "Host", "127.0.0.1:4242", "Cookie", f->cookie, NULL };

    s_call(f, "GET", "/", h, NULL, &resp);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(cpw_headers_get(&resp.headers, "Content-Type"), "text/html"));
    assert_string_equal(cpw_headers_get(&resp.headers, "Content-Security-Policy"),
                        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' "
                        "data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; "
                        "base-uri 'none'; form-action 'self'");
    assert_string_equal(cpw_headers_get(&resp.headers, "X-Content-Type-Options"), "nosniff");
    assert_string_equal(cpw_headers_get(&resp.headers, "Referrer-Policy"), "no-referrer");
    assert_non_null(strstr(cpw_buf_cstr(&resp.body), "<html"));
    cpw_http_response_clean_up(&resp);

    /* Every embedded asset is served with its type; the table is sorted and complete. */
    assert_true(cpw_console_asset_count >= 3);
    for (size_t i = 0; i < cpw_console_asset_count; i++) {
        char target[256];
        snprintf(target, sizeof(target), "/assets/%s", cpw_console_assets[i].path);
        s_call(f, "GET", target, h, NULL, &resp);
        assert_int_equal(resp.status, 200);
        assert_int_equal(resp.body.len, cpw_console_assets[i].size);
        assert_string_equal(cpw_headers_get(&resp.headers, "Content-Type"),
                            cpw_console_assets[i].type);
        cpw_http_response_clean_up(&resp);
    }
    s_call(f, "GET", "/assets/../state.db", h, NULL, &resp);
    assert_int_equal(resp.status, 400);
    cpw_http_response_clean_up(&resp);
    s_call(f, "GET", "/assets/%2e%2e/state.db", h, NULL, &resp);
    assert_int_equal(resp.status, 400);
    cpw_http_response_clean_up(&resp);
    s_call(f, "GET", "/assets/none.js", h, NULL, &resp);
    assert_int_equal(resp.status, 404);
    cpw_http_response_clean_up(&resp);

    s_call(f, "GET", "/api/overview", h, NULL, &resp);
    assert_int_equal(resp.status, 404);
    s_code(&resp, code, sizeof(code));
    assert_string_equal(code, "NoScan");
    assert_string_equal(cpw_headers_get(&resp.headers, "Cache-Control"), "no-store");
    cpw_http_response_clean_up(&resp);

    s_call(f, "GET", "/api/nothing", h, NULL, &resp);
    assert_int_equal(resp.status, 404);
    cpw_http_response_clean_up(&resp);
    s_call(f, "GET", "/api/scan/scan-1/events", h, NULL, &resp);
    assert_int_equal(resp.status, 404);
    cpw_http_response_clean_up(&resp);
    s_call(f, "GET", "/api/audit", h, NULL, &resp);
    assert_int_equal(resp.status, 404);
    s_code(&resp, code, sizeof(code));
    assert_string_equal(code, "NoAudit");
    cpw_http_response_clean_up(&resp);
    s_call(f, "GET", "/api/plans/..%2fstate.db", h, NULL, &resp);
    assert_int_equal(resp.status, 400);
    cpw_http_response_clean_up(&resp);
    s_call(f, "GET", "/api/plans/x.txt", h, NULL, &resp);
    assert_int_equal(resp.status, 400);
    cpw_http_response_clean_up(&resp);

    s_call(f, "GET", "/api/plans?format=csv", h, NULL, &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(cpw_headers_get(&resp.headers, "Content-Disposition"),
                        "attachment; filename=\"plans.csv\"");
    cpw_http_response_clean_up(&resp);
    s_call(f, "GET", "/api/history?format=md", h, NULL, &resp);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(cpw_buf_cstr(&resp.body), "# cpwarden console: history"));
    cpw_http_response_clean_up(&resp);
    s_call(f, "GET", "/api/history?format=xml", h, NULL, &resp);
    assert_int_equal(resp.status, 400);
    cpw_http_response_clean_up(&resp);

    const char *const post[] = { "Host",         "127.0.0.1:4242", "Cookie", f->cookie,
                                 "X-CSRF-Token", f->csrf,          NULL };
    s_call(f, "POST", "/api/plan", post, "[1]", &resp);
    assert_int_equal(resp.status, 400);
    cpw_http_response_clean_up(&resp);
    s_call(f, "POST", "/api/apply", post, "{\"plan\":\"../x.json\",\"confirmation\":\"1\"}", &resp);
    assert_int_equal(resp.status, 400);
    cpw_http_response_clean_up(&resp);
    s_call(f, "POST", "/api/apply", post, "{\"plan\":\"p.json\",\"confirmation\":\"1\"}", &resp);
    assert_int_equal(resp.status, 404);
    cpw_http_response_clean_up(&resp);
    s_call(f, "DELETE", "/", post, NULL, &resp);
    assert_int_equal(resp.status, 405);
    cpw_http_response_clean_up(&resp);
}

static void t_exports(void **state)
{
    (void)state;
    json_t *doc = cpw_json_load_cstr("{\"n\": 2, \"items\": [{\"a\": \"x,y\", \"b\": 1}, "
                                     "{\"a\": \"p|q\", \"c\": [1, 2], \"b\": null}]}");
    assert_non_null(doc);
    struct cpw_buf out;
    cpw_buf_init(&out, 1u << 20);
    assert_int_equal(console_export_csv(doc, &out), 0);
    assert_string_equal(cpw_buf_cstr(&out), "a,b,c\r\n\"x,y\",1,\r\np|q,,\"[1, 2]\"\r\n");
    cpw_buf_reset(&out);
    assert_int_equal(console_export_markdown(doc, "t", &out), 0);
    assert_string_equal(cpw_buf_cstr(&out),
                        "# cpwarden console: t\n\n| a | b | c |\n|---|---|---|\n"
                        "| x,y | 1 |  |\n| p\\|q |  | [1, 2] |\n");
    cpw_buf_clean_up(&out);
    cpw_json_release(doc);
}

CPW_TEST_MAIN("console",
              CPW_TEST(t_host_and_origin),
              CPW_TEST(t_cookie_and_tokens),
              cmocka_unit_test_setup_teardown(t_refusals, s_setup, s_teardown),
              cmocka_unit_test_setup_teardown(t_routes_and_headers, s_setup, s_teardown),
              CPW_TEST(t_exports))
