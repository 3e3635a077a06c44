/*
 * test_jmespath.c - what the compliance suite does not pin down: the AWS CLI's error messages and
 * columns, the bounds, Python-compatible to_string, that a search never changes its document and
 * that an error never quotes document content.
 */
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/jmespath.h"
#include "cpw/json.h"
#include "harness.h"

static json_t *s_doc(const char *text)
{
    json_t *doc = NULL;
    assert_int_equal(cpw_json_load(cpw_span_from_cstr(text), strlen(text), &doc), 0);
    return doc;
}

/* Compiles expr, which must fail with kind; returns nothing, checks message fragments. */
static void s_refused(const char *expr, enum cpw_jmespath_error_kind kind, const char *message)
{
    struct cpw_jmespath_error err;
    struct cpw_jmespath *q = cpw_jmespath_compile(expr, &err);
    assert_null(q);
    assert_int_equal(err.kind, kind);
    if (strcmp(err.message, message) != 0) {
        fail_msg("message for %s:\n%s\nexpected:\n%s", expr, err.message, message);
    }
}

static void test_syntax_errors_as_the_aws_cli(void **state)
{
    (void)state;
    s_refused("Roles[", CPW_JMESPATH_ERR_SYNTAX,
              "Invalid jmespath expression: Incomplete expression:\n\"Roles[\"\n       ^");
    s_refused("Roles[?a=b]", CPW_JMESPATH_ERR_SYNTAX,
              "Bad jmespath expression: Unknown token '=':\nRoles[?a=b]\n        ^");
    s_refused("Roles[].", CPW_JMESPATH_ERR_SYNTAX,
              "Expecting: ['quoted_identifier', 'unquoted_identifier', 'lbracket', 'lbrace'], "
              "got: eof: Parse error at column 8, token \"\" (EOF), for expression:\n"
              "\"Roles[].\"\n         ^");
    s_refused("a b", CPW_JMESPATH_ERR_SYNTAX,
              "Unexpected token: b: Parse error at column 2, token \"b\" (UNQUOTED_IDENTIFIER), "
              "for expression:\n\"a b\"\n   ^");
    s_refused("", CPW_JMESPATH_ERR_SYNTAX, "Invalid JMESPath expression: cannot be empty.");
    /* Columns count characters, not bytes. */
    struct cpw_jmespath_error err;
    assert_null(cpw_jmespath_compile("'\xc3\xa9\xc3\xa9' #", &err));
    assert_int_equal(err.column, 5);
    assert_int_equal(cpw_last_error(), CPW_ERR_PARSE);
}

static void test_functions_checked_at_compile_time(void **state)
{
    (void)state;
    s_refused("nosuch(@)", CPW_JMESPATH_ERR_UNKNOWN_FUNCTION, "Unknown function: nosuch()");
    s_refused("abs(`1`, `2`)", CPW_JMESPATH_ERR_INVALID_ARITY,
              "Expected 1 argument for function abs(), received 2");
    s_refused("merge()", CPW_JMESPATH_ERR_INVALID_ARITY,
              "Expected at least 1 argument for function merge(), received 0");
}

static void test_bounds(void **state)
{
    (void)state;
    size_t long_len = CPW_JMESPATH_MAX_EXPR_BYTES + 1;
    char *text = cpw_malloc(long_len + 1);
    memset(text, 'a', long_len);
    text[long_len] = '\0';
    struct cpw_jmespath_error err;
    assert_null(cpw_jmespath_compile(text, &err));
    assert_int_equal(err.kind, CPW_JMESPATH_ERR_LIMIT);
    assert_int_equal(cpw_last_error(), CPW_ERR_LIMIT);
    /* Nesting past the cap, by parentheses and by a chain of fields. */
    memset(text, '(', 300);
    text[300] = 'a';
    text[301] = '\0';
    assert_null(cpw_jmespath_compile(text, &err));
    assert_int_equal(err.kind, CPW_JMESPATH_ERR_LIMIT);
    for (size_t i = 0; i < 600; i += 2) {
        text[i] = 'a';
        text[i + 1] = '.';
    }
    text[600] = 'a';
    text[601] = '\0';
    assert_null(cpw_jmespath_compile(text, &err));
    assert_int_equal(err.kind, CPW_JMESPATH_ERR_LIMIT);
    /* A search that would build more than CPW_JMESPATH_MAX_ITEMS values stops: a document that
     * shares one value ten times at each of eight levels is small, its projection is not. */
    json_t *level = json_true();
    for (int i = 0; i < 8; i++) {
        json_t *list = json_array();
        for (int k = 0; k < 10; k++) {
            json_array_append(list, level);
        }
        json_decref(level);
        level = json_pack("{s:o}", "a", list);
    }
    struct cpw_jmespath *blowup =
      cpw_jmespath_compile("a[*].a[*].a[*].a[*].a[*].a[*].a[*].a[*]", &err);
    assert_non_null(blowup);
    json_t *out = NULL;
    assert_int_equal(cpw_jmespath_search(blowup, level, &out), -1);
    assert_null(out);
    assert_int_equal(cpw_jmespath_last_error()->kind, CPW_JMESPATH_ERR_LIMIT);
    assert_non_null(strstr(cpw_jmespath_last_error()->message, "result would hold more than"));
    assert_int_equal(cpw_last_error(), CPW_ERR_LIMIT);
    /* Two levels fewer is 10^6 values: within the bound. */
    cpw_jmespath_destroy(blowup);
    blowup = cpw_jmespath_compile("a[0].a[0].a[*].a[*].a[*].a[*].a[*].a[*]", &err);
    assert_non_null(blowup);
    assert_int_equal(cpw_jmespath_search(blowup, level, &out), 0);
    assert_int_equal(json_array_size(out), 10);
    json_decref(out);
    cpw_jmespath_destroy(blowup);
    json_decref(level);
    /* Just under the cap compiles. */
    text[101] = '\0';
    struct cpw_jmespath *q = cpw_jmespath_compile(text, &err);
    assert_non_null(q);
    cpw_jmespath_destroy(q);
    cpw_free(text);
}

static void s_expect(const char *expr, const char *doc_text, const char *expected_text)
{
    json_t *doc = s_doc(doc_text);
    json_t *expected = s_doc(expected_text);
    struct cpw_jmespath *q = cpw_jmespath_compile(expr, NULL);
    assert_non_null(q);
    json_t *out = NULL;
    assert_int_equal(cpw_jmespath_search(q, doc, &out), 0);
    if (!json_equal(out, expected)) {
        struct cpw_buf b;
        cpw_buf_init(&b, 4096);
        (void)cpw_json_dump(out, &b);
        fail_msg("%s gave %s, expected %s", expr, cpw_buf_cstr(&b), expected_text);
    }
    json_decref(out);
    json_decref(expected);
    json_decref(doc);
    cpw_jmespath_destroy(q);
}

static void test_to_string_writes_json_as_python(void **state)
{
    (void)state;
    s_expect("to_string(@)", "[1, 2.5, 0.1, 1e21, 0.00001, 100.0, \"\\u00e9\\ud834\\udd1e/\"]",
             "\"[1,2.5,0.1,1e+21,1e-05,100.0,\\\"\\\\u00e9\\\\ud834\\\\udd1e/\\\"]\"");
    s_expect("to_string(@)", "{\"b\": true, \"a\": null}", "\"{\\\"b\\\":true,\\\"a\\\":null}\"");
    s_expect("sum(@)", "[1, 2, 3]", "6");
    s_expect("sort_by(@, &k)[].v",
             "[{\"k\": 2, \"v\": \"x\"}, {\"k\": 1, \"v\": \"y\"}, "
             "{\"k\": 2, \"v\": \"z\"}]",
             "[\"y\", \"x\", \"z\"]");
    s_expect("reverse('a\xc3\xa9' )", "{}", "\"\\u00e9a\"");
    s_expect("`[1, 2]` == `[1.0, 2]`", "{}", "true");
    s_expect("a < 'b'", "{\"a\": \"a\"}", "true");
    s_expect("a < `1`", "{\"a\": \"a\"}", "null");
    /* As jmespath.py: a slice right after an index does not project; one after a field does. */
    s_expect("a[0][0:2].b", "{\"a\": [[{\"b\": 1}, {\"b\": 2}]]}", "null");
    s_expect("a[0][0:2][0].b", "{\"a\": [[{\"b\": 1}, {\"b\": 2}]]}", "1");
    s_expect("a[0:2].b", "{\"a\": [{\"b\": 1}, {\"b\": 2}]}", "[1, 2]");
    /* contains compares as JMESPath does: false is not 0. */
    s_expect("contains(`[0]`, `false`)", "{}", "false");
}

static void test_search_leaves_document_unchanged(void **state)
{
    (void)state;
    const char *text = "{\"Roles\": [{\"RoleName\": \"b\", \"Tags\": [1, 2]}, "
                       "{\"RoleName\": \"a\", \"Tags\": [3]}]}";
    json_t *doc = s_doc(text);
    json_t *copy = s_doc(text);
    struct cpw_jmespath *q =
      cpw_jmespath_compile("{s: sort_by(Roles, &RoleName), r: reverse(Roles), f: Roles[].Tags[], "
                           "m: merge(Roles[0], {RoleName: 'x'})}",
                           NULL);
    assert_non_null(q);
    for (int i = 0; i < 2; i++) {
        json_t *out = NULL;
        assert_int_equal(cpw_jmespath_search(q, doc, &out), 0);
        assert_string_equal(cpw_json_get_string(cpw_json_get(out, "m"), "RoleName"), "x");
        assert_int_equal(json_array_size(cpw_json_get(out, "f")), 3);
        json_decref(out);
        assert_true(json_equal(doc, copy));
    }
    cpw_jmespath_destroy(q);
    json_decref(copy);
    json_decref(doc);
}

static void test_type_error_does_not_quote_the_value(void **state)
{
    (void)state;
    json_t *doc = s_doc("{\"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG\"}");
    struct cpw_jmespath *q = cpw_jmespath_compile("abs(SecretAccessKey)", NULL);
    assert_non_null(q);
    json_t *out = NULL;
    assert_int_equal(cpw_jmespath_search(q, doc, &out), -1);
    assert_null(out);
    const struct cpw_jmespath_error *err = cpw_jmespath_last_error();
    assert_int_equal(err->kind, CPW_JMESPATH_ERR_INVALID_TYPE);
    assert_non_null(strstr(err->message, "In function abs(), invalid type"));
    assert_null(strstr(err->message, "wJalr"));
    assert_null(strstr(cpw_last_error_detail(), "wJalr"));
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    cpw_jmespath_destroy(q);
    /* A slice step of 0 is a value error at search time. */
    q = cpw_jmespath_compile("`[1, 2]`[::0]", NULL);
    assert_non_null(q);
    assert_int_equal(cpw_jmespath_search(q, doc, &out), -1);
    assert_int_equal(cpw_jmespath_last_error()->kind, CPW_JMESPATH_ERR_INVALID_VALUE);
    cpw_jmespath_destroy(q);
    json_decref(doc);
}

CPW_TEST_MAIN("jmespath",
              CPW_TEST(test_syntax_errors_as_the_aws_cli),
              CPW_TEST(test_functions_checked_at_compile_time),
              CPW_TEST(test_bounds),
              CPW_TEST(test_to_string_writes_json_as_python),
              CPW_TEST(test_search_leaves_document_unchanged),
              CPW_TEST(test_type_error_does_not_quote_the_value))
