/*
 * test_jmespath_compliance.c - the official JMESPath compliance suite (tests/vectors/jmespath/,
 * vendored with its licence) against cpwarden's JMESPath: every case of every file. A `result`
 * case must compile, evaluate and equal the expected value (numbers compared by value); an `error`
 * case must fail with the expected kind (syntax, invalid-type, invalid-value, invalid-arity,
 * unknown-function), at compile or at search time; a `bench` case must compile and evaluate.
 * Each file is one test; it prints every case that does not pass and the file's pass count.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/jmespath.h"
#include "cpw/json.h"
#include "harness.h"

#define SUITE_FILE_MAX (4u * 1024u * 1024u)

static unsigned s_total_passed;
static unsigned s_total_cases;

static void s_print_value(const char *label, const json_t *v)
{
    struct cpw_buf b;
    cpw_buf_init(&b, 1u << 20);
    if (v && cpw_json_dump(v, &b) == 0) {
        print_message("    %s: %.300s\n", label, cpw_buf_cstr(&b));
    }
    cpw_buf_clean_up(&b);
}

/* Runs one case; returns true when it passes (and prints why when it does not). */
static bool s_case(const char *file, const json_t *given, const json_t *c)
{
    const char *expr = cpw_json_get_string(c, "expression");
    const char *error = cpw_json_get_string(c, "error");
    const json_t *expected = cpw_json_get(c, "result");
    bool bench = cpw_json_get(c, "bench") != NULL;
    if (!expr || (!error && !expected && !bench)) {
        print_message("%s: malformed case\n", file);
        return false;
    }
    struct cpw_jmespath_error err;
    struct cpw_jmespath *q = cpw_jmespath_compile(expr, &err);
    json_t *out = NULL;
    enum cpw_jmespath_error_kind kind = CPW_JMESPATH_OK;
    const char *message = "";
    if (!q) {
        kind = err.kind;
        message = err.message;
    } else if (cpw_jmespath_search(q, given, &out) != 0) {
        kind = cpw_jmespath_last_error()->kind;
        message = cpw_jmespath_last_error()->message;
    }
    bool ok;
    if (error) {
        ok = kind != CPW_JMESPATH_OK && strcmp(cpw_jmespath_error_kind_name(kind), error) == 0;
    } else if (bench) {
        ok = kind == CPW_JMESPATH_OK;
    } else {
        ok = kind == CPW_JMESPATH_OK && cpw_jmespath_equal(out, expected);
    }
    if (!ok) {
        print_message("FAILED %s: %s\n", file, expr);
        if (error) {
            print_message("    expected error %s, got %s\n", error,
                          cpw_jmespath_error_kind_name(kind));
        } else {
            s_print_value("expected", expected);
        }
        if (kind != CPW_JMESPATH_OK) {
            print_message("    error (%s): %.300s\n", cpw_jmespath_error_kind_name(kind), message);
        } else {
            s_print_value("actual", out);
        }
    }
    json_decref(out);
    cpw_jmespath_destroy(q);
    return ok;
}

static void s_run_file(const char *name)
{
    char relative[128];
    snprintf(relative, sizeof(relative), "tests/vectors/jmespath/%s.json", name);
    char *path = cpw_test_source_path(relative);
    struct cpw_buf text;
    cpw_buf_init(&text, SUITE_FILE_MAX);
    if (cpw_buf_read_file(&text, path) != 0) {
        fail_msg("cannot read %s: %s", path, cpw_last_error_detail());
    }
    json_t *suites = NULL;
    assert_int_equal(cpw_json_load(cpw_buf_span(&text), SUITE_FILE_MAX, &suites), 0);
    assert_true(json_is_array(suites) && json_array_size(suites) > 0);
    unsigned passed = 0, cases = 0;
    for (size_t i = 0; i < json_array_size(suites); i++) {
        const json_t *suite = json_array_get(suites, i);
        const json_t *given = cpw_json_get(suite, "given");
        const json_t *list = cpw_json_get(suite, "cases");
        for (size_t k = 0; k < json_array_size(list); k++) {
            cases++;
            passed += s_case(name, given, json_array_get(list, k)) ? 1 : 0;
        }
    }
    print_message("%s.json: %u of %u cases pass\n", name, passed, cases);
    s_total_passed += passed;
    s_total_cases += cases;
    print_message("suite so far: %u of %u cases pass\n", s_total_passed, s_total_cases);
    json_decref(suites);
    cpw_buf_clean_up(&text);
    cpw_free(path);
    assert_true(cases > 0);
    assert_int_equal(passed, cases);
}

#define SUITE_TEST(name)                                                                           \
    static void test_##name(void **state)                                                          \
    {                                                                                              \
        (void)state;                                                                               \
        s_run_file(#name);                                                                         \
    }

SUITE_TEST(basic)
SUITE_TEST(benchmarks)
SUITE_TEST(boolean)
SUITE_TEST(current)
SUITE_TEST(escape)
SUITE_TEST(filters)
SUITE_TEST(functions)
SUITE_TEST(identifiers)
SUITE_TEST(indices)
SUITE_TEST(literal)
SUITE_TEST(multiselect)
SUITE_TEST(pipe)
SUITE_TEST(slice)
SUITE_TEST(syntax)
SUITE_TEST(unicode)
SUITE_TEST(wildcard)

CPW_TEST_MAIN("jmespath compliance",
              CPW_TEST(test_basic),
              CPW_TEST(test_benchmarks),
              CPW_TEST(test_boolean),
              CPW_TEST(test_current),
              CPW_TEST(test_escape),
              CPW_TEST(test_filters),
              CPW_TEST(test_functions),
              CPW_TEST(test_identifiers),
              CPW_TEST(test_indices),
              CPW_TEST(test_literal),
              CPW_TEST(test_multiselect),
              CPW_TEST(test_pipe),
              CPW_TEST(test_slice),
              CPW_TEST(test_syntax),
              CPW_TEST(test_unicode),
              CPW_TEST(test_wildcard))
