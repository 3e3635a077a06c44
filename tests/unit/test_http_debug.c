/*
 * test_http_debug.c - the engine's debug hook (--debug): it sees every attempt's request as sent
 * and how the attempt ended, and the printing sink masks every secret before writing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/http_engine.h"
#include "cpw/log.h"
#include "harness.h"
#include "stub_server.h"

#define SECRET    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define TOKEN     "IQoJb3JpZ2luX2VjEkPT+oHoG333onE2eKstCjkXPx717AVNgv7lZExF"
#define SIGNATURE "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"

struct seen {
    unsigned requests;
    unsigned responses;
    unsigned transport_errors;
    long last_status;
    char last_target[64];
};

static void s_record(void *user, const struct cpw_http_debug_event *event)
{
    struct seen *seen = user;
    if (event->request) {
        seen->requests++;
        snprintf(seen->last_target, sizeof(seen->last_target), "%s %s", event->request->method,
                 cpw_buf_cstr(&event->request->path));
    } else if (event->response) {
        seen->responses++;
        seen->last_status = event->response->status;
    } else if (event->transport) {
        seen->transport_errors++;
    }
}

static void test_the_hook_sees_each_attempt(void **state)
{
    (void)state;
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    struct cpw_stub_reply replies[] = { { .status = 503, .body = "busy" }, { .status = 200 } };
    cpw_stub_script(stub, replies, 2);
    struct seen seen = { 0 };
    struct cpw_http_engine_options eo = { .debug = s_record, .debug_user = &seen };
    eo.retry.mode = CPW_RETRY_MODE_STANDARD;
    eo.retry.max_attempts = 3;
    eo.retry.backoff_base_ms = 1;
    eo.retry.max_backoff_ms = 1;
    struct cpw_http_engine *e = cpw_http_engine_new(&eo);
    assert_non_null(e);
    struct cpw_http_request req;
    cpw_http_request_init(&req);
    cpw_http_request_set_method(&req, "POST");
    assert_int_equal(cpw_http_request_set_target(&req, cpw_span_from_cstr("/x")), 0);
    struct cpw_http_call_options o = { .url_base = cpw_stub_url(stub), .request = &req };
    struct cpw_http_response resp;
    assert_int_equal(cpw_http_engine_perform(e, &o, &resp, NULL), 0);
    assert_int_equal(resp.status, 200);
    assert_int_equal(seen.requests, 2); /* the retried attempt too */
    assert_int_equal(seen.responses, 2);
    assert_int_equal(seen.transport_errors, 0);
    assert_int_equal(seen.last_status, 200);
    assert_string_equal(seen.last_target, "POST /x");
    cpw_http_response_clean_up(&resp);
    cpw_http_request_clean_up(&req);
    cpw_http_engine_destroy(e);
    cpw_stub_stop(stub);
}

/* What cpw_http_debug_print writes for event, as a string (owned). */
static char *s_printed(const struct cpw_http_debug_event *event)
{
    char *text = NULL;
    size_t len = 0;
    FILE *stream = open_memstream(&text, &len);
    assert_non_null(stream);
    cpw_http_debug_print(stream, event);
    fclose(stream);
    char *copy = cpw_strdup(text);
    free(text); /* open_memstream's buffer comes from libc */
    return copy;
}

static void test_the_printed_exchange_hides_secrets(void **state)
{
    (void)state;
    struct cpw_http_request req;
    cpw_http_request_init(&req);
    cpw_http_request_set_method(&req, "POST");
    assert_int_equal(cpw_http_request_set_target(&req, cpw_span_from_cstr("/p?a=1")), 0);
    cpw_headers_add_cstr(&req.headers, "Authorization",
                         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261204/us-east-1/iam/"
                         "aws4_request, SignedHeaders=host;x-amz-date, Signature=" SIGNATURE);
    cpw_headers_add_cstr(&req.headers, "X-Amz-Security-Token", TOKEN);
    assert_int_equal(cpw_buf_append_cstr(&req.body, "Action=ListRoles&Version=2010-05-08"), 0);
    struct cpw_http_debug_event ev = { .url_base = "http://127.0.0.1:1",
                                       .attempt = 1,
                                       .request = &req };
    char *out = s_printed(&ev);
    assert_non_null(strstr(out, "POST /p?a=1 HTTP/1.1\n"));
    assert_non_null(strstr(out, "Credential=AKIDEXAMPLE/20261204/us-east-1/iam/aws4_request"));
    assert_non_null(strstr(out, "Signature=****\n"));
    assert_non_null(strstr(out, "X-Amz-Security-Token: ****\n"));
    assert_non_null(strstr(out, "\n\nAction=ListRoles&Version=2010-05-08\n"));
    assert_null(strstr(out, SIGNATURE));
    assert_null(strstr(out, TOKEN));
    cpw_free(out);
    cpw_http_request_clean_up(&req);

    /* Credentials in an answer: XML (STS) and JSON (SSO), and a terminal escape in a body. */
    struct cpw_http_response resp;
    cpw_http_response_init(&resp);
    resp.status = 200;
    cpw_headers_add_cstr(&resp.headers, "Content-Type", "text/xml");
    assert_int_equal(cpw_buf_append_cstr(&resp.body,
                                         "<SecretAccessKey>" SECRET
                                         "</SecretAccessKey><SessionToken>" TOKEN
                                         "</SessionToken>{\"roleCredentials\": "
                                         "{\"secretAccessKey\": \"" SECRET
                                         "\", \"sessionToken\": \"" TOKEN "\"}}\x1b[31m"),
                     0);
    struct cpw_http_debug_event answer = { .url_base = "http://127.0.0.1:1",
                                           .attempt = 1,
                                           .response = &resp };
    out = s_printed(&answer);
    assert_non_null(strstr(out, "HTTP/1.1 200\nContent-Type: text/xml\n\n"));
    assert_non_null(strstr(out, "<SecretAccessKey>****</SecretAccessKey>"));
    assert_non_null(strstr(out, "<SessionToken>****</SessionToken>"));
    assert_null(strstr(out, SECRET));
    assert_null(strstr(out, TOKEN));
    assert_null(strchr(out, '\x1b'));
    cpw_free(out);
    cpw_http_response_clean_up(&resp);
}

static void test_registered_secrets_are_masked_anywhere(void **state)
{
    (void)state;
    cpw_log_register_secret(cpw_span_from_cstr("a-registered-secret-value"));
    struct cpw_http_request req;
    cpw_http_request_init(&req);
    cpw_http_request_set_method(&req, "POST");
    assert_int_equal(cpw_http_request_set_target(&req, cpw_span_from_cstr("/")), 0);
    assert_int_equal(cpw_buf_append_cstr(&req.body, "Password=a-registered-secret-value"), 0);
    struct cpw_http_debug_event ev = { .url_base = "http://h", .attempt = 2, .request = &req };
    char *out = s_printed(&ev);
    assert_null(strstr(out, "a-registered-secret-value"));
    assert_non_null(strstr(out, "attempt 2"));
    cpw_free(out);
    cpw_http_request_clean_up(&req);
    cpw_log_forget_secrets();
}

CPW_TEST_MAIN("http_debug",
              CPW_TEST(test_the_hook_sees_each_attempt),
              CPW_TEST(test_the_printed_exchange_hides_secrets),
              CPW_TEST(test_registered_secrets_are_masked_anywhere))
