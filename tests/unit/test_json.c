/*
 * test_json.c - core/json, the one wrapper of jansson: loading (duplicate keys always refused,
 * the top-level shape, the size cap and where a failure is), every dump variant's exact bytes,
 * and the strict key check's errors.
 */
#include <jansson.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "harness.h"

static void test_load_policy(void **state)
{
    (void)state;
    json_t *v = NULL;
    json_error_t where;
    /* duplicates are refused whatever the flags */
    assert_int_equal(
      cpw_json_load_ex(cpw_span_from_cstr("{\"a\":1,\"a\":2}"), 100, CPW_JSON_LOAD_ANY, &v, &where),
      -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_PARSE);
    assert_non_null(strstr(where.text, "duplicate"));
    assert_null(v);
    assert_int_equal(cpw_json_load_ex(cpw_span_from_cstr("[{\"k\":1,\"k\":1}]"), 100,
                                      CPW_JSON_LOAD_CONTAINER, &v, NULL),
                     -1);
    assert_null(cpw_json_load_cstr("{\"x\":true,\"x\":false}"));
    assert_int_equal(cpw_last_error(), CPW_ERR_PARSE);
    /* shapes */
    assert_int_equal(cpw_json_load_ex(cpw_span_from_cstr("42"), 100, CPW_JSON_LOAD_ANY, &v, NULL),
                     0);
    assert_int_equal(json_integer_value(v), 42);
    cpw_json_release(v);
    assert_int_equal(
      cpw_json_load_ex(cpw_span_from_cstr("42"), 100, CPW_JSON_LOAD_CONTAINER, &v, &where), -1);
    assert_null(v);
    /* the cap, with the sentence in where */
    assert_int_equal(
      cpw_json_load_ex(cpw_span_from_cstr("[1, 2, 3]"), 4, CPW_JSON_LOAD_ANY, &v, &where), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_LIMIT);
    assert_string_equal(where.text, "JSON text of 9 bytes exceeds 4");
    /* line and column of a malformed text */
    assert_int_equal(
      cpw_json_load_ex(cpw_span_from_cstr("{\n  \"a\": }"), 100, CPW_JSON_LOAD_ANY, &v, &where),
      -1);
    assert_int_equal(where.line, 2);
    assert_null(cpw_json_load_cstr(NULL));
    v = cpw_json_load_cstr("{\"b\": [1]}");
    assert_non_null(v);
    cpw_json_release(v);
}

static void s_expect_dump(const json_t *v, unsigned flags, const char *want)
{
    struct cpw_buf out;
    cpw_buf_init(&out, 1024);
    assert_int_equal(cpw_json_dump_with(v, flags, &out), 0);
    assert_string_equal(cpw_buf_cstr(&out), want);
    cpw_buf_clean_up(&out);
    char *text = cpw_json_dump_cstr(v, flags);
    assert_string_equal(text, want);
    cpw_free(text);
}

static void test_dump_variants(void **state)
{
    (void)state;
    json_t *v = json_pack("{s:i, s:[i, s]}", "b", 1, "a", 2, "\xc3\xa9");
    s_expect_dump(v, CPW_JSON_DUMP_COMPACT, "{\"b\":1,\"a\":[2,\"\xc3\xa9\"]}");
    s_expect_dump(v, CPW_JSON_DUMP_COMPACT | CPW_JSON_DUMP_SORT_KEYS,
                  "{\"a\":[2,\"\xc3\xa9\"],\"b\":1}");
    s_expect_dump(v, CPW_JSON_DUMP_COMPACT | CPW_JSON_DUMP_ASCII,
                  "{\"b\":1,\"a\":[2,\"\\u00E9\"]}");
    s_expect_dump(v, 0, "{\"b\": 1, \"a\": [2, \"\xc3\xa9\"]}");
    s_expect_dump(v, CPW_JSON_DUMP_INDENT2 | CPW_JSON_DUMP_SORT_KEYS,
                  "{\n  \"a\": [\n    2,\n    \"\xc3\xa9\"\n  ],\n  \"b\": 1\n}");
    s_expect_dump(v, CPW_JSON_DUMP_INDENT4 | CPW_JSON_DUMP_ASCII,
                  "{\n    \"b\": 1,\n    \"a\": [\n        2,\n        \"\\u00E9\"\n    ]\n}");
    json_t *s = json_string("x");
    s_expect_dump(s, CPW_JSON_DUMP_COMPACT, "\"x\""); /* any value */
    cpw_json_release(s);
    /* a full buffer is CPW_ERR_LIMIT */
    struct cpw_buf small;
    cpw_buf_init(&small, 4);
    assert_int_equal(cpw_json_dump_with(v, CPW_JSON_DUMP_COMPACT, &small), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_LIMIT);
    cpw_buf_clean_up(&small);
    assert_null(cpw_json_dump_cstr(NULL, 0));
    cpw_json_release(v);
}

static void test_expect_keys(void **state)
{
    (void)state;
    static const char *const keys[] = { "id", "kind" };
    json_t *ok = json_pack("{s:s, s:s}", "kind", "k", "id", "i");
    assert_int_equal(cpw_json_expect_keys(ok, "plan", "actions[0]", keys, 2), 0);
    json_t *extra = json_pack("{s:s, s:s, s:i}", "id", "i", "kind", "k", "colour", 1);
    assert_int_equal(cpw_json_expect_keys(extra, "plan", "actions[3]", keys, 2), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_PARSE);
    assert_string_equal(cpw_last_error_detail(), "plan: unknown field 'colour' in actions[3]");
    json_t *missing = json_pack("{s:s}", "id", "i");
    assert_int_equal(cpw_json_expect_keys(missing, "backup", "the trailer", keys, 2), -1);
    assert_string_equal(cpw_last_error_detail(), "backup: missing field 'kind' in the trailer");
    json_t *arr = json_array();
    assert_int_equal(cpw_json_expect_keys(arr, "plan", "caller", keys, 2), -1);
    assert_string_equal(cpw_last_error_detail(), "plan: caller must be an object");
    assert_int_equal(cpw_json_expect_keys(NULL, "plan", "caller", keys, 2), -1);
    cpw_json_release(ok);
    cpw_json_release(extra);
    cpw_json_release(missing);
    cpw_json_release(arr);
}

static void test_project(void **state)
{
    (void)state;
    static const char *const keys[] = { "A", "B", "C", "D", "E", NULL };
    json_t *src = json_pack("{s:i, s:n, s:{}, s:[], s:[i], s:s}", "A", 1, "B", "C", "D", "E", 2,
                            "F", "not asked");
    json_t *got = cpw_json_project(src, keys);
    json_t *want = json_pack("{s:i, s:[i]}", "A", 1, "E", 2);
    assert_true(cpw_json_equal(got, want));
    cpw_json_release(got);
    got = cpw_json_project(json_array_get(src, 0), keys); /* not an object: {} */
    assert_int_equal(json_object_size(got), 0);
    cpw_json_release(got);
    cpw_json_release(want);
    cpw_json_release(src);
}

CPW_TEST_MAIN("json",
              CPW_TEST(test_project),
              CPW_TEST(test_load_policy),
              CPW_TEST(test_dump_variants),
              CPW_TEST(test_expect_keys))
