/*
 * test_codec_golden.c - replays the files in tests/golden/wire (written by scripts/gen-wire-golden
 * from botocore 1.43) against the codecs in both directions: client serialize(input)            ==
 * the request botocore sent server route + parse(that request) == the input document client
 * parse(raw reply)            == botocore's parsed output client parse(server serialize(output)) ==
 * the output document and, for error replies, the code/message/type/request id botocore read, plus
 * a round trip through serialize_error.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/codec.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "harness.h"

static int s_failures;
static int s_inexact_json;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            s_failures++;                                                                          \
            print_message("  %s: ", name);                                                         \
            print_message(__VA_ARGS__);                                                            \
            print_message("\n");                                                                   \
        }                                                                                          \
    } while (0)

static char *s_dump(const json_t *v)
{
    return v ? json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY) : cpw_strdup("NULL");
}

static void s_check_json(const char *name, const char *what, const json_t *got, const json_t *want)
{
    if (got && want && cpw_json_equal(got, want)) {
        return;
    }
    char *g = s_dump(got);
    char *w = s_dump(want);
    CHECK(0, "%s differs\n    got:  %s\n    want: %s", what, g, w);
    cpw_free(g);
    cpw_free(w);
}

static bool s_is_json_type(const char *ct)
{
    return ct && strstr(ct, "json") != NULL;
}

static void s_check_body(const char *name,
                         const char *what,
                         const char *ct,
                         struct cpw_span got,
                         const char *want)
{
    /* Bytes as botocore writes them; for JSON, a semantic diff helps explain a mismatch. */
    if (cpw_span_eq_cstr(got, want)) {
        return;
    }
    s_inexact_json++;
    if (s_is_json_type(ct) && got.len && want[0]) {
        json_t *g = NULL;
        json_t *w = NULL;
        CHECK(cpw_json_load(got, 1u << 24, &g) == 0, "%s is not JSON: %.*s", what, (int)got.len,
              (const char *)got.ptr);
        CHECK(cpw_json_load(cpw_span_from_cstr(want), 1u << 24, &w) == 0, "golden %s", what);
        if (g && w) {
            s_check_json(name, what, g, w);
        }
        json_decref(g);
        json_decref(w);
        return;
    }
    CHECK(cpw_span_eq_cstr(got, want), "%s differs\n    got:  %.*s\n    want: %s", what,
          (int)got.len, (const char *)got.ptr, want);
}

static void s_fill_response(const json_t *golden, struct cpw_http_response *resp)
{
    const json_t *r = json_object_get(golden, "response");
    resp->status = (long)json_integer_value(json_object_get(r, "status"));
    const char *key;
    json_t *value;
    json_object_foreach(json_object_get(r, "headers"), key, value)
    {
        cpw_headers_add_cstr(&resp->headers, key, json_string_value(value));
    }
    assert_int_equal(cpw_buf_append_cstr(&resp->body, cpw_json_get_string(r, "body")), 0);
}

/*
 * With CPW_CODEC_SERVED_DIR set, every reply the sandbox side serialized is written there as
 * JSON (with what a client must read from it), so tests/e2e/test_codec_botocore.py can check
 * that botocore reads the sandbox's replies the same way.
 */
static void s_dump_served(const char *name,
                          const json_t *golden,
                          const struct cpw_http_response *resp,
                          const char *key,
                          const json_t *expected)
{
    const char *dir = getenv("CPW_CODEC_SERVED_DIR");
    if (!dir || !dir[0]) {
        return;
    }
    json_t *headers = json_object();
    for (size_t i = 0; i < resp->headers.count; i++) {
        json_object_set_new(headers, resp->headers.items[i].name,
                            json_string(resp->headers.items[i].value));
    }
    json_t *doc = json_pack(
      "{s:O, s:O, s:i, s:o, s:s%, s:O}", "service", json_object_get(golden, "service"), "operation",
      json_object_get(golden, "operation"), "status", (json_int_t)resp->status, "headers", headers,
      "body", (const char *)resp->body.data, resp->body.len, key, expected);
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_non_null(doc);
    assert_int_equal(json_dump_file(doc, path, JSON_INDENT(1)), 0);
    json_decref(doc);
}

static void s_client_request(const char *name,
                             const struct cpw_model_service *svc,
                             const char *op,
                             const json_t *golden)
{
    const json_t *want = json_object_get(golden, "request");
    struct cpw_http_request req;
    cpw_http_request_init(&req);
    int rc = cpw_codec_serialize_request(svc, op, json_object_get(golden, "input"), &req);
    CHECK(rc == 0, "serialize_request failed: %s", cpw_last_error_detail());
    if (rc == 0) {
        CHECK(strcmp(req.method, cpw_json_get_string(want, "method")) == 0, "method %s",
              req.method);
        CHECK(strcmp(cpw_buf_cstr(&req.path), cpw_json_get_string(want, "path")) == 0,
              "path %s, want %s", cpw_buf_cstr(&req.path), cpw_json_get_string(want, "path"));
        CHECK(strcmp(cpw_buf_cstr(&req.query), cpw_json_get_string(want, "query")) == 0,
              "query %s, want %s", cpw_buf_cstr(&req.query), cpw_json_get_string(want, "query"));
        const json_t *headers = json_object_get(want, "headers");
        const char *key;
        json_t *value;
        json_object_foreach((json_t *)headers, key, value)
        {
            const char *got = cpw_headers_get(&req.headers, key);
            CHECK(got && strcmp(got, json_string_value(value)) == 0, "header %s: %s, want %s", key,
                  got ? got : "(none)", json_string_value(value));
        }
        CHECK(req.headers.count == json_object_size(headers), "%zu headers, want %zu",
              req.headers.count, json_object_size(headers));
        s_check_body(name, "request body", cpw_headers_get(&req.headers, "Content-Type"),
                     cpw_buf_span(&req.body), cpw_json_get_string(want, "body"));
    }
    cpw_http_request_clean_up(&req);
}

static void s_server_request(const char *name,
                             const struct cpw_model_service *svc,
                             const char *op,
                             const json_t *golden)
{
    const json_t *want = json_object_get(golden, "request");
    struct cpw_http_request req;
    cpw_http_request_init(&req);
    cpw_http_request_set_method(&req, cpw_json_get_string(want, "method"));
    char target[4096];
    const char *query = cpw_json_get_string(want, "query");
    snprintf(target, sizeof(target), "%s%s%s", cpw_json_get_string(want, "path"),
             query[0] ? "?" : "", query);
    assert_int_equal(cpw_http_request_set_target(&req, cpw_span_from_cstr(target)), 0);
    const char *key;
    json_t *value;
    json_object_foreach(json_object_get(want, "headers"), key, value)
    {
        cpw_headers_add_cstr(&req.headers, key, json_string_value(value));
    }
    assert_int_equal(cpw_buf_append_cstr(&req.body, cpw_json_get_string(want, "body")), 0);

    const char *routed = NULL;
    int rc = cpw_codec_route(svc, &req, &routed);
    CHECK(rc == 0 && strcmp(routed, op) == 0, "routed to %s: %s", routed ? routed : "(none)",
          rc ? cpw_last_error_detail() : "");
    json_t *input = NULL;
    struct cpw_aws_error err;
    cpw_aws_error_init(&err);
    rc = cpw_codec_parse_request(svc, op, &req, &input, &err);
    CHECK(rc == 0, "parse_request failed: %s", err.message ? err.message : "");
    if (rc == 0) {
        s_check_json(name, "server-parsed input", input, json_object_get(golden, "input"));
    }
    json_decref(input);
    cpw_aws_error_clean_up(&err);
    cpw_http_request_clean_up(&req);
}

static void s_client_response(const char *name,
                              const struct cpw_model_service *svc,
                              const char *op,
                              const json_t *golden)
{
    struct cpw_http_response resp;
    cpw_http_response_init(&resp);
    s_fill_response(golden, &resp);
    json_t *output = NULL;
    struct cpw_aws_error err;
    cpw_aws_error_init(&err);
    int rc = cpw_codec_parse_response(svc, op, &resp, &output, &err);
    CHECK(rc == 0, "parse_response failed: %s", cpw_last_error_detail());
    if (rc == 0) {
        s_check_json(name, "client-parsed output", output, json_object_get(golden, "output"));
    }
    json_decref(output);
    cpw_aws_error_clean_up(&err);
    cpw_http_response_clean_up(&resp);
}

static void s_server_response(const char *name,
                              const struct cpw_model_service *svc,
                              const char *op,
                              const json_t *golden)
{
    struct cpw_http_response resp;
    cpw_http_response_init(&resp);
    const json_t *want = json_object_get(golden, "output");
    int rc = cpw_codec_serialize_response(svc, op, want, "rid-42", &resp);
    CHECK(rc == 0, "serialize_response failed: %s", cpw_last_error_detail());
    json_t *output = NULL;
    struct cpw_aws_error err;
    cpw_aws_error_init(&err);
    if (rc == 0) {
        CHECK(resp.status < 300, "status %ld", resp.status);
        rc = cpw_codec_parse_response(svc, op, &resp, &output, &err);
        CHECK(rc == 0, "reading back the served reply failed: %s\n%s", cpw_last_error_detail(),
              cpw_buf_cstr(&resp.body));
        if (rc == 0) {
            s_check_json(name, "served output read back", output, want);
        }
        s_dump_served(name, golden, &resp, "output", want);
        if (cpw_model_protocol(svc) == CPW_PROTOCOL_QUERY) {
            CHECK(strstr(cpw_buf_cstr(&resp.body), "<RequestId>rid-42</RequestId>") != NULL,
                  "no request id in %s", cpw_buf_cstr(&resp.body));
        } else {
            const char *id = cpw_headers_get(&resp.headers, "x-amzn-RequestId");
            CHECK(id && strcmp(id, "rid-42") == 0, "x-amzn-RequestId %s", id ? id : "(none)");
        }
    }
    json_decref(output);
    cpw_aws_error_clean_up(&err);
    cpw_http_response_clean_up(&resp);
}

static void s_check_str(const char *name, const char *what, const char *got, const json_t *want)
{
    const char *w = json_is_string(want) ? json_string_value(want) : NULL;
    bool same = (!got && !w) || (got && w && strcmp(got, w) == 0);
    CHECK(same, "%s: got %s, want %s", what, got ? got : "(null)", w ? w : "(null)");
}

static void s_error_case(const char *name,
                         const struct cpw_model_service *svc,
                         const char *op,
                         const json_t *golden)
{
    const json_t *want = json_object_get(golden, "error");
    struct cpw_http_response resp;
    cpw_http_response_init(&resp);
    s_fill_response(golden, &resp);
    json_t *output = NULL;
    struct cpw_aws_error err;
    cpw_aws_error_init(&err);
    int rc = cpw_codec_parse_response(svc, op, &resp, &output, &err);
    CHECK(rc == -1 && cpw_last_error() == CPW_ERR_AWS, "expected an AWS error (%s)",
          cpw_last_error_detail());
    s_check_str(name, "code", err.code, json_object_get(want, "code"));
    s_check_str(name, "message", err.message, json_object_get(want, "message"));
    s_check_str(name, "type", err.type, json_object_get(want, "type"));
    s_check_str(name, "request id", err.request_id, json_object_get(want, "request_id"));
    CHECK(err.http_status == resp.status, "status %ld", err.http_status);

    /* What the sandbox sends for this error reads back the same. */
    struct cpw_http_response served;
    cpw_http_response_init(&served);
    assert_int_equal(cpw_codec_serialize_error(svc, &err, &served), 0);
    s_dump_served(name, golden, &served, "error", want);
    struct cpw_aws_error back;
    cpw_aws_error_init(&back);
    rc = cpw_codec_parse_response(svc, op, &served, &output, &back);
    CHECK(rc == -1 && cpw_last_error() == CPW_ERR_AWS, "served error not read as an error");
    CHECK(back.code && err.code && strcmp(back.code, err.code) == 0, "served code %s, want %s",
          back.code ? back.code : "(null)", err.code);
    CHECK(back.message && err.message && strcmp(back.message, err.message) == 0,
          "served message %s", back.message ? back.message : "(null)");
    cpw_aws_error_clean_up(&back);
    cpw_http_response_clean_up(&served);
    cpw_aws_error_clean_up(&err);
    cpw_http_response_clean_up(&resp);
}

static int s_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_golden_wire_files(void **state)
{
    (void)state;
    char *dir_path = cpw_test_source_path("tests/golden/wire");
    DIR *dir = opendir(dir_path);
    assert_non_null(dir);
    char *names[512];
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL && count < 512) {
        size_t n = strlen(entry->d_name);
        if (n > 5 && strcmp(entry->d_name + n - 5, ".json") == 0) {
            names[count++] = cpw_strdup(entry->d_name);
        }
    }
    closedir(dir);
    qsort(names, count, sizeof(*names), s_cmp);
    assert_true(count >= 40);
    size_t errors_seen = 0;
    for (size_t i = 0; i < count; i++) {
        const char *name = names[i];
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir_path, name);
        struct cpw_buf text;
        cpw_buf_init(&text, 1u << 24);
        assert_int_equal(cpw_buf_read_file(&text, path), 0);
        json_t *golden = NULL;
        assert_int_equal(cpw_json_load(cpw_buf_span(&text), 1u << 24, &golden), 0);
        cpw_buf_clean_up(&text);
        const struct cpw_model_service *svc =
          cpw_model_service_get(cpw_json_get_string(golden, "service"));
        assert_non_null(svc);
        const char *op = cpw_json_get_string(golden, "operation");
        if (json_object_get(golden, "error")) {
            s_error_case(name, svc, op, golden);
            errors_seen++;
        } else {
            s_client_request(name, svc, op, golden);
            s_server_request(name, svc, op, golden);
            s_client_response(name, svc, op, golden);
            s_server_response(name, svc, op, golden);
        }
        json_decref(golden);
        cpw_free(names[i]);
    }
    cpw_free(dir_path);
    cpw_model_clean_up();
    assert_true(errors_seen >= 15);
    assert_int_equal(s_failures, 0);
    /* Every request body is byte-identical to botocore's (the JSON diff above explains any miss).
     */
    assert_int_equal(s_inexact_json, 0);
}

CPW_TEST_MAIN("codec_golden", CPW_TEST(test_golden_wire_files))
