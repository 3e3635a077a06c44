/*
 * test_codec_jsonread.c - the one-pass JSON reader (cpw_codec_json_read) against the reference
 * path it accelerates (cpw_json_load, then cpw_codec_json_from_wire): on every golden wire body,
 * on the benchmark's responses, on a table of edge cases and on byte mutations of a real reply,
 * the reader either gives up (and the reference path answers) or returns the very document the
 * reference path returns, members in the same order. Well-formed bodies must be taken.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "aws/codec_internal.h"
#include "aws/codec_rest.h"
#include "cpw/alloc.h"
#include "cpw/codec.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "harness.h"

/* The reference: the document or NULL. */
static json_t *s_reference(const struct cpw_model_service *svc,
                           const json_t *shape,
                           struct cpw_span body,
                           unsigned flags)
{
    json_t *wire = NULL;
    json_t *doc = NULL;
    if (cpw_json_load(body, CPW_JSON_MAX_TEXT_BYTES, &wire)) {
        return NULL;
    }
    if (!shape) {
        return wire;
    }
    (void)cpw_codec_json_from_wire(svc, NULL, shape, wire, flags, 0, &doc);
    json_decref(wire);
    return doc;
}

/* Compact text with members in document order (json_equal would ignore the order). */
static char *s_text(const json_t *doc)
{
    return cpw_json_dump_cstr(doc, CPW_JSON_DUMP_COMPACT);
}

/*
 * Runs both paths; fails the test if the reader returns something the reference path does not.
 * Returns whether the reader took the body.
 */
static bool s_same(const struct cpw_model_service *svc,
                   const json_t *shape,
                   struct cpw_span body,
                   unsigned flags,
                   const char *what)
{
    json_t *fast = NULL;
    int rc = cpw_codec_json_read(svc, shape, body, flags, &fast);
    json_t *ref = s_reference(svc, shape, body, flags);
    if (rc == 0) {
        if (!ref) {
            print_error("%s: the reader took a body the reference refuses: %.*s\n", what,
                        (int)(body.len > 200 ? 200 : body.len), (const char *)body.ptr);
        }
        assert_non_null(ref);
        char *a = s_text(fast);
        char *b = s_text(ref);
        if (strcmp(a, b) != 0) {
            print_error("%s:\n reader    %s\n reference %s\n", what, a, b);
        }
        assert_string_equal(a, b);
        cpw_free(a);
        cpw_free(b);
    } else {
        assert_null(fast);
    }
    json_decref(fast);
    json_decref(ref);
    return rc == 0;
}

static const json_t *s_output_shape(const char *service, const char *operation)
{
    const struct cpw_model_service *svc = cpw_model_service_get(service);
    assert_non_null(svc);
    return cpw_model_output_shape(svc, operation);
}

static void test_golden_bodies(void **state)
{
    (void)state;
    char *dir_path = cpw_test_source_path("tests/golden/wire");
    DIR *dir = opendir(dir_path);
    assert_non_null(dir);
    size_t taken = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (!strstr(entry->d_name, ".json")) {
            continue;
        }
        struct cpw_buf path;
        struct cpw_buf text;
        cpw_buf_init(&path, 4096);
        cpw_buf_init(&text, CPW_JSON_MAX_TEXT_BYTES);
        assert_int_equal(cpw_buf_appendf(&path, "%s/%s", dir_path, entry->d_name), 0);
        assert_int_equal(cpw_buf_read_file(&text, cpw_buf_cstr(&path)), 0);
        json_t *golden = NULL;
        assert_int_equal(cpw_json_load(cpw_buf_span(&text), CPW_JSON_MAX_TEXT_BYTES, &golden), 0);
        const char *service = json_string_value(json_object_get(golden, "service"));
        const char *operation = json_string_value(json_object_get(golden, "operation"));
        const struct cpw_model_service *svc = cpw_model_service_get(service);
        assert_non_null(svc);
        enum cpw_protocol protocol = cpw_model_protocol(svc);
        if (protocol != CPW_PROTOCOL_QUERY) {
            unsigned flags = protocol == CPW_PROTOCOL_REST_JSON ? CPW_CODEC_JSON_BODY_ONLY : 0;
            const json_t *shapes[2] = { cpw_model_input_shape(svc, operation),
                                        cpw_model_output_shape(svc, operation) };
            const char *halves[2] = { "request", "response" };
            for (int i = 0; i < 2; i++) {
                const json_t *half = json_object_get(golden, halves[i]);
                const char *body = json_string_value(json_object_get(half, "body"));
                const json_t *status = json_object_get(half, "status");
                if (!shapes[i] || !body || !*body || cpw_codec_rest_payload(shapes[i]) ||
                    (status && json_integer_value(status) >= 300)) { /* an error reply */
                    continue;
                }
                bool took = s_same(svc, shapes[i], cpw_span_from_cstr(body), flags, entry->d_name);
                if (!took) {
                    print_error("%s %s: the reader gave up on a golden body\n", entry->d_name,
                                halves[i]);
                }
                assert_true(took);
                taken++;
            }
        }
        json_decref(golden);
        cpw_buf_clean_up(&path);
        cpw_buf_clean_up(&text);
    }
    closedir(dir);
    cpw_free(dir_path);
    assert_true(taken >= 20); /* the golden set holds dozens of json and rest-json bodies */
    cpw_model_clean_up();
}

static void s_bench_file(const char *service, const char *operation, const char *file)
{
    char *path = cpw_test_source_path(file);
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_JSON_MAX_TEXT_BYTES);
    assert_int_equal(cpw_buf_read_file(&text, path), 0);
    const struct cpw_model_service *svc = cpw_model_service_get(service);
    unsigned flags =
      cpw_model_protocol(svc) == CPW_PROTOCOL_REST_JSON ? CPW_CODEC_JSON_BODY_ONLY : 0;
    assert_true(s_same(svc, s_output_shape(service, operation), cpw_buf_span(&text), flags, file));
    cpw_buf_clean_up(&text);
    cpw_free(path);
}

static void test_bench_responses(void **state)
{
    (void)state;
    s_bench_file("cloudtrail", "LookupEvents", "bench/client/data/LookupEvents.json");
    s_bench_file("connect", "ListInstances", "bench/client/data/ListInstances.json");
    s_bench_file("customer-profiles", "GetDomain", "bench/client/data/GetDomain.json");
    cpw_model_clean_up();
}

struct edge {
    const char *body;
    bool taken; /* the reader must take it (else: either way, but never a different answer) */
};

static void s_edges(const char *service,
                    const char *operation,
                    const struct edge *rows,
                    size_t count,
                    bool generic)
{
    const struct cpw_model_service *svc = cpw_model_service_get(service);
    const json_t *shape = generic ? NULL : s_output_shape(service, operation);
    for (size_t i = 0; i < count; i++) {
        bool took = s_same(svc, shape, cpw_span_from_cstr(rows[i].body), 0, rows[i].body);
        if (rows[i].taken && !took) {
            print_error("the reader gave up on %s\n", rows[i].body);
        }
        assert_true(!rows[i].taken || took);
    }
}

static void test_edge_cases(void **state)
{
    (void)state;
    /* cloudtrail LookupEvents: Events (list of Event), NextToken; Event.EventTime a timestamp,
     * Event.Resources a list, Event.ReadOnly a string. */
    static const struct edge lookup[] = {
        { "{}", true },
        { " \t\r\n{ } \n", true },
        { "{\"NextToken\": null}", true },
        { "{\"NextToken\": \"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"}", true },
        { "{\"NextToken\": \"\\u00e9\\u20AC\\ud83d\\ude00 caf\xc3\xa9 \xe2\x82\xac\"}", true },
        { "{\"NextToken\": \"\\u0000\"}", false },
        { "{\"NextToken\": \"\\ud83d\"}", false },
        { "{\"NextToken\": \"\\ude00\"}", false },
        { "{\"NextToken\": \"\\x\"}", false },
        { "{\"NextToken\": \"\xc3\x28\"}", false },
        { "{\"NextToken\": \"\xed\xa0\x80\"}", false },
        { "{\"NextToken\": \"\xc0\xaf\"}", false },
        { "{\"NextToken\": \"tab\there\"}", false },
        { "{\"NextToken\": \"unterminated}", false },
        { "{\"NextToken\": 5}", false },
        { "{\"NextToken\": \"a\", \"NextToken\": \"b\"}", false },
        { "{\"Unknown\": 1, \"Unknown\": 2}", false },
        { "{\"Unknown\": {\"x\": [1, 2.5e3, -0, true, false, null, \"s\"]}, \"NextToken\": \"t\"}",
          true },
        { "{\"Unknown\": {\"x\": 1, \"x\": 2}}", false },
        { "{\"Unknown\": 99999999999999999999}", false },
        { "{\"Unknown\": 1e999}", false },
        { "{\"Unknown\": 1e-999}", true },
        { "{\"Unknown\": 01}", false },
        { "{\"Unknown\": 1.}", false },
        { "{\"Unknown\": .5}", false },
        { "{\"Unknown\": -}", false },
        { "{\"Unknown\": tru}", false },
        { "{\"Unknown\": truex}", false },
        { "{\"Events\": []}", true },
        { "{\"Events\": [null, {}]}", true },
        { "{\"Events\": {}}", false },
        { "{\"Events\": [{\"EventTime\": 1709214307}]}", true },
        { "{\"Events\": [{\"EventTime\": 1709214307.25}]}", true },
        { "{\"Events\": [{\"EventTime\": -1.5}]}", true },
        { "{\"Events\": [{\"EventTime\": \"2024-02-29T13:45:07Z\"}]}", true },
        { "{\"Events\": [{\"EventTime\": \"Thu, 29 Feb 2024 13:45:07 GMT\"}]}", true },
        { "{\"Events\": [{\"EventTime\": \"1709214307\"}]}", true },
        { "{\"Events\": [{\"EventTime\": \"yesterday\"}]}", false },
        { "{\"Events\": [{\"EventTime\": true}]}", false },
        { "{\"Events\": [{\"EventTime\": 1e300}]}", false },
        { "{\"Events\": [{\"ReadOnly\": true}]}", false },
        { "{\"Events\": [{\"Resources\": [{\"ResourceName\": \"n\", \"ResourceType\": \"t\"}], "
          "\"EventId\": \"e\", \"CloudTrailEvent\": \"{\\\"a\\\": 1}\", \"EventName\": \"x\"}]}",
          true },
        { "{\"NextToken\": \"t\"} x", false },
        { "{\"NextToken\": \"t\",}", false },
        { "{\"NextToken\" \"t\"}", false },
        { "{\"NextToken\": \"t\"", false },
        { "[]", false },
        { "\"s\"", false },
        { "", false },
    };
    s_edges("cloudtrail", "LookupEvents", lookup, sizeof(lookup) / sizeof(lookup[0]), false);

    /* customer-profiles GetDomain: integers (DefaultExpirationDays), a map (Tags), a structure
     * (Stats with longs), timestamps. */
    static const struct edge domain[] = {
        { "{\"DefaultExpirationDays\": 366, \"Tags\": {\"b\": \"1\", \"a\": \"2\"}}", true },
        { "{\"DefaultExpirationDays\": 1.0}", false },
        { "{\"DefaultExpirationDays\": 9223372036854775807}", true },
        { "{\"DefaultExpirationDays\": -9223372036854775808}", true },
        { "{\"DefaultExpirationDays\": 9223372036854775808}", false },
        { "{\"Tags\": {\"a\": null}}", true },
        { "{\"Tags\": {\"a\": \"1\", \"a\": \"2\"}}", false },
        { "{\"Tags\": {\"\\u00e9\": \"1\"}}", true },
        { "{\"Tags\": {\"a\": 1}}", false },
        { "{\"Stats\": {\"ProfileCount\": 5, \"TotalSize\": 10}}", true },
        { "{\"CreatedAt\": 1.7e9, \"LastUpdatedAt\": 1700000000}", true },
        { "{\"Tags\": {\"a\": \"b\"}, \"DomainName\": \"d\"}", true },
    };
    s_edges("customer-profiles", "GetDomain", domain, sizeof(domain) / sizeof(domain[0]), false);

    /* Without a shape: any JSON value, as cpw_json_load reads it (IAM's policy documents). */
    static const struct edge generic[] = {
        { "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\"}]}", true },
        { "{\"b\": 1, \"a\": 2}", true },
        { "{\"a\": 1, \"a\": 2}", false },
        { "\"just a string\"", true },
        { "42", true },
        { "-3.25e2", true },
        { "null", true },
        { "[1, [2, [3]]]", true },
        { "[1, 2", false },
        { "{\"a\" : [ ] , \"b\" : { } }", true },
    };
    s_edges("iam", "ListRoles", generic, sizeof(generic) / sizeof(generic[0]), true);
    cpw_model_clean_up();
}

/* Strings longer than the reader's own buffer, escaped at the start, the middle and the end. */
static void test_long_strings(void **state)
{
    (void)state;
    const struct cpw_model_service *svc = cpw_model_service_get("cloudtrail");
    const json_t *shape = s_output_shape("cloudtrail", "LookupEvents");
    /* the last: escaped quotes and backslashes back to back, decoded within a plain run */
    static const char *const pieces[] = { "abcdefgh", "\\\"q\\\"", "\\u00e9\xc3\xa9", "\\n\\t",
                                          "\\\\\\\"\\\\x\\\"" };
    for (size_t variant = 0; variant < 5; variant++) {
        struct cpw_buf body;
        cpw_buf_init(&body, 1u << 20);
        assert_int_equal(cpw_buf_append_cstr(&body, "{\"Events\": [{\"CloudTrailEvent\": \""), 0);
        for (size_t i = 0; i < 3000; i++) {
            /* variant 0: plain; 1..4: one kind of escape every 7 pieces */
            const char *piece = variant && i % 7 == 0 ? pieces[variant] : pieces[0];
            assert_int_equal(cpw_buf_append_cstr(&body, piece), 0);
        }
        assert_int_equal(cpw_buf_append_cstr(&body, "\"}], \"NextToken\": \"\\u00e9\"}"), 0);
        assert_true(s_same(svc, shape, cpw_buf_span(&body), 0, "long string"));
        cpw_buf_clean_up(&body);
    }
    cpw_model_clean_up();
}

/* Every kind of damage at many offsets of a real reply: never an answer the reference lacks. */
static void test_mutations(void **state)
{
    (void)state;
    char *path = cpw_test_source_path("bench/client/data/LookupEvents.json");
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_JSON_MAX_TEXT_BYTES);
    assert_int_equal(cpw_buf_read_file(&text, path), 0);
    const struct cpw_model_service *svc = cpw_model_service_get("cloudtrail");
    const json_t *shape = s_output_shape("cloudtrail", "LookupEvents");
    static const uint8_t damage[] = { '"', '\\', '{', '}', ',', ':', '0', 'x', 0x01, 0xC3, ' ' };
    size_t taken = 0;
    for (size_t at = 0; at < text.len; at += 97) {
        for (size_t d = 0; d < sizeof(damage); d++) {
            uint8_t saved = text.data[at];
            text.data[at] = damage[d];
            taken += s_same(svc, shape, cpw_buf_span(&text), 0, "mutation");
            text.data[at] = saved;
        }
        /* and the body cut short there */
        taken += s_same(svc, shape, cpw_span_from(text.data, at), 0, "truncation");
    }
    assert_true(taken > 0); /* a space for a space, a digit in a string: still well-formed */
    cpw_buf_clean_up(&text);
    cpw_free(path);
    cpw_model_clean_up();
}

/* Document timestamps are written by hand now: the forms strftime gave, across the calendar. */
static void test_document_timestamps(void **state)
{
    (void)state;
    static const struct {
        int64_t epoch_ms;
        const char *text;
    } rows[] = {
        { 0, "1970-01-01T00:00:00+00:00" },
        { 1709214307000, "2024-02-29T13:45:07+00:00" },
        { 1709214307250, "2024-02-29T13:45:07.250000+00:00" },
        { 1709214307007, "2024-02-29T13:45:07.007000+00:00" },
        { -1500, "1969-12-31T23:59:58.500000+00:00" },
        { 951782400000, "2000-02-29T00:00:00+00:00" },
        { 4107542399000, "2100-02-28T23:59:59+00:00" },
        { 253402300799999, "9999-12-31T23:59:59.999000+00:00" },
        { -30610224000000, "1000-01-01T00:00:00+00:00" },
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        json_t *doc = cpw_codec_time_doc_new(rows[i].epoch_ms);
        assert_string_equal(json_string_value(doc), rows[i].text);
        json_decref(doc);
    }
}

/* A ListRoles page: every role's trust policy decoded to an object; a role's tags (a shape
 * without policies, which the walk now skips) and a policy document nested in a list still
 * handled. */
static void test_iam_policies_decoded(void **state)
{
    (void)state;
    const struct cpw_model_service *iam = cpw_model_service_get("iam");
    char *path = cpw_test_source_path("bench/client/data/ListRoles.xml");
    struct cpw_http_response resp;
    cpw_http_response_init(&resp);
    resp.status = 200;
    assert_int_equal(cpw_buf_read_file(&resp.body, path), 0);
    json_t *out = NULL;
    struct cpw_aws_error err;
    cpw_aws_error_init(&err);
    assert_int_equal(cpw_codec_parse_response(iam, "ListRoles", &resp, &out, &err), 0);
    assert_int_equal(cpw_codec_customize_output(iam, "ListRoles", out), 0);
    const json_t *roles = json_object_get(out, "Roles");
    assert_int_equal(json_array_size(roles), 20);
    size_t i;
    const json_t *role;
    json_array_foreach(roles, i, role)
    {
        const json_t *policy = json_object_get(role, "AssumeRolePolicyDocument");
        assert_true(json_is_object(policy));
        assert_non_null(json_object_get(policy, "Statement"));
    }
    json_decref(out);

    /* GetAccountAuthorizationDetails: policy documents inside lists of structures. */
    out = json_pack("{s:[{s:s,s:[{s:s}],s:[{s:s,s:s}]}]}", "RoleDetailList", "RoleName", "r",
                    "RolePolicyList", "PolicyDocument", "%7B%22a%22%3A1%7D", "Tags", "Key", "k",
                    "Value", "%7B%7D");
    assert_int_equal(cpw_codec_customize_output(iam, "GetAccountAuthorizationDetails", out), 0);
    const json_t *detail = json_array_get(json_object_get(out, "RoleDetailList"), 0);
    const json_t *inline_policy = json_object_get(
      json_array_get(json_object_get(detail, "RolePolicyList"), 0), "PolicyDocument");
    assert_int_equal(json_integer_value(json_object_get(inline_policy, "a")), 1);
    const json_t *tag = json_array_get(json_object_get(detail, "Tags"), 0);
    assert_string_equal(json_string_value(json_object_get(tag, "Value")), "%7B%7D");
    json_decref(out);
    cpw_aws_error_clean_up(&err);
    cpw_http_response_clean_up(&resp);
    cpw_free(path);
    cpw_model_clean_up();
}

CPW_TEST_MAIN("codec_jsonread",
              CPW_TEST(test_iam_policies_decoded),
              CPW_TEST(test_document_timestamps),
              CPW_TEST(test_golden_bodies),
              CPW_TEST(test_bench_responses),
              CPW_TEST(test_edge_cases),
              CPW_TEST(test_long_strings),
              CPW_TEST(test_mutations))
