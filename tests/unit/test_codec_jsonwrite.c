/*
 * test_codec_jsonwrite.c - the direct JSON body writer (cpw_codec_json_write) against the
 * reference path it accelerates (cpw_codec_json_to_wire, then cpw_json_dump): on the input and
 * output document of every golden wire file (whatever the service's protocol: the shapes are
 * the same kinds) and on a table of edge cases, the writer either gives up, leaving the buffer
 * as it was, or writes the very bytes the reference writes. Ordinary documents must be taken.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "aws/codec_internal.h"
#include "cpw/alloc.h"
#include "cpw/codec.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "harness.h"

#define PREFIX "prefix:"

/* Runs both; fails the test on any difference. Returns whether the writer took doc. */
static bool s_same(const struct cpw_model_service *svc,
                   const json_t *shape,
                   const json_t *doc,
                   unsigned flags,
                   const char *what)
{
    struct cpw_buf fast;
    cpw_buf_init(&fast, 1u << 20);
    assert_int_equal(cpw_buf_append_cstr(&fast, PREFIX), 0);
    int rc = cpw_codec_json_write(svc, shape, doc, flags, &fast);

    struct cpw_buf ref;
    cpw_buf_init(&ref, 1u << 20);
    assert_int_equal(cpw_buf_append_cstr(&ref, PREFIX), 0);
    json_t *wire = NULL;
    int ref_rc = cpw_codec_json_to_wire(svc, NULL, shape, doc, "unixTimestamp", flags, 0, &wire);
    if (ref_rc == 0) {
        ref_rc = cpw_json_dump(wire, &ref);
    }
    json_decref(wire);
    if (rc == 0) {
        if (ref_rc) {
            print_error("%s: the writer took a document the reference refuses: %s\n", what,
                        cpw_buf_cstr(&fast));
        }
        assert_int_equal(ref_rc, 0);
        if (strcmp(cpw_buf_cstr(&fast), cpw_buf_cstr(&ref)) != 0) {
            print_error("%s:\n writer    %s\n reference %s\n", what, cpw_buf_cstr(&fast),
                        cpw_buf_cstr(&ref));
        }
        assert_string_equal(cpw_buf_cstr(&fast), cpw_buf_cstr(&ref));
    } else {
        assert_string_equal(cpw_buf_cstr(&fast), PREFIX); /* nothing left behind */
        assert_int_equal(fast.len, strlen(PREFIX));
    }
    cpw_buf_clean_up(&fast);
    cpw_buf_clean_up(&ref);
    return rc == 0;
}

static void test_golden_documents(void **state)
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
        const json_t *shapes[2] = { cpw_model_input_shape(svc, operation),
                                    cpw_model_output_shape(svc, operation) };
        const json_t *docs[2] = { json_object_get(golden, "input"),
                                  json_object_get(golden, "output") };
        for (int i = 0; i < 2; i++) {
            if (!shapes[i] || !json_is_object(docs[i])) {
                continue;
            }
            for (unsigned flags = 0; flags <= CPW_CODEC_JSON_FRACTIONS;
                 flags += CPW_CODEC_JSON_FRACTIONS) {
                taken += s_same(svc, shapes[i], docs[i], flags, entry->d_name);
            }
        }
        json_decref(golden);
        cpw_buf_clean_up(&path);
        cpw_buf_clean_up(&text);
    }
    closedir(dir);
    cpw_free(dir_path);
    assert_true(taken >= 60); /* most golden documents hold no real number */
    cpw_model_clean_up();
}

struct edge {
    const char *doc; /* a LookupEvents input, as JSON text */
    bool taken;
};

static void test_edge_cases(void **state)
{
    (void)state;
    static const struct edge rows[] = {
        { "{}", true },
        { "{\"MaxResults\": 10, \"NextToken\": null}", true },
        { "{\"MaxResults\": -9223372036854775808}", true },
        { "{\"MaxResults\": 9223372036854775807}", true },
        { "{\"MaxResults\": 1.5}", false },
        { "{\"MaxResults\": \"10\"}", false },
        { "{\"Unknown\": 1}", false },
        { "{\"Unknown\": null}", false },
        { "{\"NextToken\": \"\\\" \\\\ / \\b \\f \\n \\r \\t \\u0001 \\u001f \\u007f\"}", true },
        { "{\"NextToken\": \"caf\\u00e9 \\u20ac \\ud83d\\ude00 \\u0800 \\uffff\"}", true },
        { "{\"NextToken\": \"\"}", true },
        { "{\"StartTime\": 1700000000, \"EndTime\": \"2024-02-29T13:45:07Z\"}", true },
        { "{\"StartTime\": \"2024-02-29T13:45:07.250Z\"}", true },
        { "{\"StartTime\": -1}", true },
        { "{\"StartTime\": 1.5}", false },
        { "{\"StartTime\": \"yesterday\"}", false },
        { "{\"StartTime\": true}", false },
        { "{\"LookupAttributes\": []}", true },
        { "{\"LookupAttributes\": [{\"AttributeKey\": \"EventName\", \"AttributeValue\": \"x\"}, "
          "{\"AttributeValue\": \"y\", \"AttributeKey\": \"Username\"}]}",
          true },
        { "{\"LookupAttributes\": [null]}", false },
        { "{\"LookupAttributes\": {}}", false },
        { "{\"LookupAttributes\": [{\"Bad\": 1}]}", false },
        { "{\"EventCategory\": \"insight\", \"MaxResults\": 0}", true },
        { "[]", false },
    };
    const struct cpw_model_service *svc = cpw_model_service_get("cloudtrail");
    const json_t *shape = cpw_model_input_shape(svc, "LookupEvents");
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        json_t *doc = NULL;
        assert_int_equal(cpw_json_load(cpw_span_from_cstr(rows[i].doc), 1u << 20, &doc), 0);
        for (unsigned flags = 0; flags <= CPW_CODEC_JSON_FRACTIONS;
             flags += CPW_CODEC_JSON_FRACTIONS) {
            /* with fractions a timestamp off the second goes the reference way (a real) */
            bool must = rows[i].taken && flags == 0;
            bool took = s_same(svc, shape, doc, flags, rows[i].doc);
            if (must && !took) {
                print_error("the writer gave up on %s\n", rows[i].doc);
            }
            assert_true(!must || took);
        }
        json_decref(doc);
    }
    /* a map of strings, and a string with an embedded NUL */
    const struct cpw_model_service *cp = cpw_model_service_get("customer-profiles");
    const json_t *tags_shape = cpw_model_input_shape(cp, "TagResource");
    json_t *doc = json_pack("{s:s,s:{s:s,s:s%}}", "resourceArn", "arn:x", "tags", "b", "1", "a",
                            "x\0y", (size_t)3);
    assert_non_null(doc);
    assert_true(s_same(cp, tags_shape, doc, CPW_CODEC_JSON_BODY_ONLY, "map"));
    json_decref(doc);
    cpw_model_clean_up();
}

/* The request a client sends: the json protocol's serializer takes the direct path and its
 * body is the reference's. */
static void test_request_body(void **state)
{
    (void)state;
    const struct cpw_model_service *svc = cpw_model_service_get("cloudtrail");
    json_t *input = json_pack("{s:[{s:s,s:s}],s:i}", "LookupAttributes", "AttributeKey",
                              "EventName", "AttributeValue", "DeleteDomain", "MaxResults", 10);
    struct cpw_http_request req;
    cpw_http_request_init(&req);
    assert_int_equal(cpw_codec_serialize_request(svc, "LookupEvents", input, &req), 0);
    assert_string_equal(cpw_buf_cstr(&req.body),
                        "{\"LookupAttributes\": [{\"AttributeKey\": \"EventName\", "
                        "\"AttributeValue\": \"DeleteDomain\"}], \"MaxResults\": 10}");
    cpw_http_request_clean_up(&req);
    json_decref(input);
    cpw_model_clean_up();
}

CPW_TEST_MAIN("codec_jsonwrite",
              CPW_TEST(test_golden_documents),
              CPW_TEST(test_edge_cases),
              CPW_TEST(test_request_body))
