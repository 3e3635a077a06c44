/*
 * test_render_output.c - the AWS CLI's text and table output formats. The expected bytes were
 * produced by the AWS CLI v2's own formatters (awscli/text.py format_text and awscli/formatter.py
 * TableFormatter, colours off) on the same documents; tests/e2e/test_api_output.sh compares
 * against the installed AWS CLI live.
 */
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/json.h"
#include "cpw/render.h"
#include "harness.h"

/* clang-format off */
/* roles */ static const char s_roles_json[] = "{\"Roles\": [{\"RoleName\": \"a\", \"Path\": \"/\", \"MaxSessionDuration\": 3600, \"Tags\": [{\"Key\": \"k\", \"Value\": \"v\"}], \"Policy\": {\"Version\": \"2012\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s:A\", \"s:B\"]}]}}, {\"RoleName\": \"bb\", \"Path\": \"/x/\", \"Description\": null, \"Flag\": true}], \"IsTruncated\": false}";
static const char s_roles_text[] =
"False\n"
"ROLES\t\t\t3600\t/\ta\n"
"POLICY\t2012\n"
"STATEMENT\tAllow\n"
"ACTION\ts:A\n"
"ACTION\ts:B\n"
"TAGS\tk\tv\n"
"ROLES\tNone\tTrue\t\t/x/\tbb\n";
static const char s_roles_table[] =
"---------------------------------------------------------------------\n"
"|                                Op                                 |\n"
"+-----------------------------------------+-------------------------+\n"
"|  IsTruncated                            |  False                  |\n"
"+-----------------------------------------+-------------------------+\n"
"||                              Roles                              ||\n"
"|+-------------+-------+----------------------+-------+------------+|\n"
"|| Description | Flag  | MaxSessionDuration   | Path  | RoleName   ||\n"
"|+-------------+-------+----------------------+-------+------------+|\n"
"||             |       |  3600                |  /    |  a         ||\n"
"|+-------------+-------+----------------------+-------+------------+|\n"
"|||                            Policy                             |||\n"
"||+------------------------------------+--------------------------+||\n"
"|||  Version                           |  2012                    |||\n"
"||+------------------------------------+--------------------------+||\n"
"||||                          Statement                          ||||\n"
"|||+-------------------------------------------------------------+|||\n"
"||||                           Effect                            ||||\n"
"|||+-------------------------------------------------------------+|||\n"
"||||  Allow                                                      ||||\n"
"|||+-------------------------------------------------------------+|||\n"
"|||||                          Action                           |||||\n"
"||||+-----------------------------------------------------------+||||\n"
"|||||  s:A                                                      |||||\n"
"|||||  s:B                                                      |||||\n"
"||||+-----------------------------------------------------------+||||\n"
"|||                             Tags                              |||\n"
"||+--------------------------+------------------------------------+||\n"
"|||            Key           |               Value                |||\n"
"||+--------------------------+------------------------------------+||\n"
"|||  k                       |  v                                 |||\n"
"||+--------------------------+------------------------------------+||\n"
"||                              Roles                              ||\n"
"|+-------------+-------+----------------------+-------+------------+|\n"
"|| Description | Flag  | MaxSessionDuration   | Path  | RoleName   ||\n"
"|+-------------+-------+----------------------+-------+------------+|\n"
"||  None       |  True |                      |  /x/  |  bb        ||\n"
"|+-------------+-------+----------------------+-------+------------+|\n";
/* scalars */ static const char s_scalars_json[] = "[true, false, null, 1.5, 0.0001, 1e+20, 100, \"x\", -2.5e-07, 123456789.125, 1.0]";
static const char s_scalars_text[] =
"True\tFalse\tNone\t1.5\t0.0001\t1e+20\t100\tx\t-2.5e-07\t123456789.125\t1.0\n";
static const char s_scalars_table[] =
"-------------------\n"
"|       Op        |\n"
"+-----------------+\n"
"|  True           |\n"
"|  False          |\n"
"|  None           |\n"
"|  1.5            |\n"
"|  0.0001         |\n"
"|  1e+20          |\n"
"|  100            |\n"
"|  x              |\n"
"|  -2.5e-07       |\n"
"|  123456789.125  |\n"
"|  1.0            |\n"
"+-----------------+\n";
/* lol */ static const char s_lol_json[] = "{\"L\": [[1, 2], [3, 4]], \"S\": [\"a\", \"b\"]}";
static const char s_lol_text[] =
"L\t1\n"
"L\t2\n"
"L\t3\n"
"L\t4\n"
"S\ta\n"
"S\tb\n";
static const char s_lol_table[] =
"--------------\n"
"|     Op     |\n"
"+------------+\n"
"||     L    ||\n"
"|+----+-----+|\n"
"||  1 |  2  ||\n"
"||  3 |  4  ||\n"
"|+----+-----+|\n"
"||     S    ||\n"
"|+----------+|\n"
"||  a       ||\n"
"||  b       ||\n"
"|+----------+|\n";
/* wide */ static const char s_wide_json[] = "{\"Items\": [{\"DomainName\": \"retired-customers-with-a-rather-long-name\", \"CreatedAt\": \"2026-11-05T22:36:48+00:00\", \"LastUpdatedAt\": \"2026-11-05T22:36:48+00:00\"}], \"Nested\": {\"A\": \"1\", \"B\": \"2\"}}";
static const char s_wide_text[] =
"ITEMS\t2026-11-05T22:36:48+00:00\tretired-customers-with-a-rather-long-name\t2026-11-05T22:36:48+00:00\n"
"NESTED\t1\t2\n";
static const char s_wide_table[] =
"------------------------------------------------------------------\n"
"|                               Op                               |\n"
"+----------------------------------------------------------------+\n"
"||                             Items                            ||\n"
"|+----------------+---------------------------------------------+|\n"
"||  CreatedAt     |  2026-11-05T22:36:48+00:00                  ||\n"
"||  DomainName    |  retired-customers-with-a-rather-long-name  ||\n"
"||  LastUpdatedAt |  2026-11-05T22:36:48+00:00                  ||\n"
"|+----------------+---------------------------------------------+|\n"
"||                            Nested                            ||\n"
"|+------------------------------+-------------------------------+|\n"
"||  A                           |  1                            ||\n"
"||  B                           |  2                            ||\n"
"|+------------------------------+-------------------------------+|\n";
/* unicode */ static const char s_unicode_json[] = "{\"Name\": \"日本語のドメイン\", \"Other\": \"é\", \"N\": 1}";
static const char s_unicode_text[] =
"1\t日本語のドメイン\té\n";
static const char s_unicode_table[] =
"------------------------------------\n"
"|                Op                |\n"
"+---+--------------------+---------+\n"
"| N |       Name         |  Other  |\n"
"+---+--------------------+---------+\n"
"|  1|  日本語のドメイン  |  é     |\n"
"+---+--------------------+---------+\n";
static const char s_wide_table_120[] =
"-----------------------------------------------------------------------------------------------------------\n"
"|                                                   Op                                                    |\n"
"+---------------------------------------------------------------------------------------------------------+\n"
"||                                                 Items                                                 ||\n"
"|+---------------------------+---------------------------------------------+-----------------------------+|\n"
"||         CreatedAt         |                 DomainName                  |        LastUpdatedAt        ||\n"
"|+---------------------------+---------------------------------------------+-----------------------------+|\n"
"||  2026-11-05T22:36:48+00:00|  retired-customers-with-a-rather-long-name  |  2026-11-05T22:36:48+00:00  ||\n"
"|+---------------------------+---------------------------------------------+-----------------------------+|\n"
"||                                                Nested                                                 ||\n"
"|+--------------------------------------------------+----------------------------------------------------+|\n"
"||                         A                        |                         B                          ||\n"
"|+--------------------------------------------------+----------------------------------------------------+|\n"
"||  1                                               |  2                                                 ||\n"
"|+--------------------------------------------------+----------------------------------------------------+|\n";
static const char s_scalar_table[] =
"----------\n"
"|GetThing|\n"
"+--------+\n";
static const char s_mixed_json[] = "{\"Items\": [{\"Key\": \"a\", \"Value\": 1}, {\"Key\": {\"Nested\": \"it's\", \"N\": [true, null, 1.5]}, \"Value\": 2}]}";
static const char s_mixed_text[] =
"ITEMS\ta\t1\n"
"ITEMS\t{'Nested': \"it's\", 'N': [True, None, 1.5]}\t2\n";
static const char s_mixed_table[] =
"-----------------------------------------------------------\n"
"|                           Op                            |\n"
"+---------------------------------------------------------+\n"
"||                         Items                         ||\n"
"|+-----------------------+-------------------------------+|\n"
"||          Key          |             Value             ||\n"
"|+-----------------------+-------------------------------+|\n"
"||  a                    |  1                            ||\n"
"|+-----------------------+-------------------------------+|\n"
"|||                         Key                         |||\n"
"||+-----------------------------------------------------+||\n"
"||                         Items                         ||\n"
"|+----------------------------------------------+--------+|\n"
"||                      Key                     | Value  ||\n"
"|+----------------------------------------------+--------+|\n"
"||  {'Nested': \"it's\", 'N': [True, None, 1.5]}  |  2     ||\n"
"|+----------------------------------------------+--------+|\n"
"|||                         Key                         |||\n"
"||+-----------------------------+-----------------------+||\n"
"|||  Nested                     |  it's                 |||\n"
"||+-----------------------------+-----------------------+||\n"
"||||                         N                         ||||\n"
"|||+---------------------------------------------------+|||\n"
"||||  True                                             ||||\n"
"||||  None                                             ||||\n"
"||||  1.5                                              ||||\n"
"|||+---------------------------------------------------+|||\n";
static const char s_listdicts_json[] = "[[\"first\"], [null], {\"OnlyKey\": [1]}, [{\"A\": 1, \"B\": {\"C\": 2}}, {\"A\": 3, \"B\": {\"C\": 4}}]]";
static const char s_listdicts_table[] =
"--------------\n"
"|     Op     |\n"
"+------------+\n"
"|      A     |\n"
"+------------+\n"
"|  first     |\n"
"|  None      |\n"
"|  OnlyKey   |\n"
"|  1         |\n"
"+------------+\n"
"||     B    ||\n"
"|+----+-----+|\n"
"||  C |  2  ||\n"
"|+----+-----+|\n"
"+------------+\n"
"|      A     |\n"
"+------------+\n"
"|  3         |\n"
"+------------+\n"
"||     B    ||\n"
"|+----+-----+|\n"
"||  C |  4  ||\n"
"|+----+-----+|\n";
/* clang-format on */

static json_t *s_doc(const char *text)
{
    json_t *doc = NULL;
    assert_int_equal(cpw_json_load(cpw_span_from_cstr(text), strlen(text), &doc), 0);
    return doc;
}

static void s_expect_text(const char *json, const char *expected)
{
    json_t *doc = s_doc(json);
    struct cpw_buf out;
    cpw_buf_init(&out, 1u << 20);
    assert_int_equal(cpw_render_text(doc, &out), 0);
    if (strcmp(cpw_buf_cstr(&out), expected) != 0) {
        fail_msg("text of %s:\n%s\nexpected:\n%s", json, cpw_buf_cstr(&out), expected);
    }
    cpw_buf_clean_up(&out);
    json_decref(doc);
}

static void s_expect_table(const char *json, size_t width, const char *title, const char *expected)
{
    json_t *doc = s_doc(json);
    struct cpw_buf out;
    cpw_buf_init(&out, 1u << 20);
    struct cpw_render_table_options options = { .title = title, .terminal_width = width };
    assert_int_equal(cpw_render_table(doc, &options, &out), 0);
    if (strcmp(cpw_buf_cstr(&out), expected) != 0) {
        fail_msg("table of %s:\n%s\nexpected:\n%s", json, cpw_buf_cstr(&out), expected);
    }
    cpw_buf_clean_up(&out);
    json_decref(doc);
}

static void test_text_sections_and_identifiers(void **state)
{
    (void)state;
    s_expect_text(s_roles_json, s_roles_text);
    s_expect_text(s_lol_json, s_lol_text);
    s_expect_text(s_wide_json, s_wide_text);
}

static void test_scalars_as_python_prints_them(void **state)
{
    (void)state;
    s_expect_text(s_scalars_json, s_scalars_text);
    s_expect_table(s_scalars_json, 80, "Op", s_scalars_table);
    s_expect_text("\"plain\"", "plain\n");
    s_expect_text("null", "None\n");
    s_expect_text("{}", "");
    s_expect_text("[]", "");
}

static void test_table_nested_sections(void **state)
{
    (void)state;
    s_expect_table(s_roles_json, 80, "Op", s_roles_table);
    s_expect_table(s_lol_json, 80, "Op", s_lol_table);
}

static void test_table_turns_vertical_only_when_too_wide(void **state)
{
    (void)state;
    s_expect_table(s_wide_json, 80, "Op", s_wide_table);
    s_expect_table(s_wide_json, 120, "Op", s_wide_table_120);
    assert_string_not_equal(s_wide_table, s_wide_table_120); /* the two layouts differ */
}

static void test_table_counts_wide_characters_twice(void **state)
{
    (void)state;
    s_expect_text(s_unicode_json, s_unicode_text);
    s_expect_table(s_unicode_json, 80, "Op", s_unicode_table);
    assert_int_equal(cpw_render_text_width(cpw_span_from_cstr("abc")), 3);
    assert_int_equal(cpw_render_text_width(cpw_span_from_cstr("\xe6\x97\xa5\xe6\x9c\xac")), 4);
    assert_int_equal(cpw_render_text_width(cpw_span_from_cstr("\xc3\xa9")), 2); /* ambiguous */
    assert_int_equal(cpw_render_text_width(cpw_span_from_cstr("\xc3\xa0")), 2);
    assert_int_equal(cpw_render_text_width(cpw_span_from_cstr("\xc4\x83")), 1); /* narrow */
    assert_int_equal(cpw_render_text_width(cpw_span_from("\xff\xe6", 2)), 2);   /* invalid */
}

static void test_table_scalar_and_nothing(void **state)
{
    (void)state;
    s_expect_table("\"just-a-string\"", 80, "GetThing", s_scalar_table);
    const char *falsy[] = { "null", "false", "0", "0.0", "\"\"", "[]", "{}" };
    for (size_t i = 0; i < sizeof(falsy) / sizeof(falsy[0]); i++) {
        s_expect_table(falsy[i], 80, "Op", ""); /* the AWS CLI prints nothing for these */
    }
}

/* Where the layout meets a structure in a scalar's place, Python's str() of it (its repr) is
 * printed; a dict among a list's rows gives its keys as the row; a nested list of objects makes
 * untitled sections. */
static void test_structures_in_scalar_places(void **state)
{
    (void)state;
    s_expect_text(s_mixed_json, s_mixed_text);
    s_expect_table(s_mixed_json, 80, "Op", s_mixed_table);
    s_expect_table(s_listdicts_json, 80, "Op", s_listdicts_table);
}

static void test_table_colours_values_and_bars(void **state)
{
    (void)state;
    json_t *doc = s_doc("{\"A\": {\"B\": \"v\", \"C\": \"w\"}}");
    struct cpw_buf out;
    cpw_buf_init(&out, 1u << 20);
    struct cpw_render_table_options options = { .title = "Op",
                                                .terminal_width = 80,
                                                .color = true };
    assert_int_equal(cpw_render_table(doc, &options, &out), 0);
    assert_non_null(strstr(cpw_buf_cstr(&out), "\x1b[1m\x1b[34mv\x1b[0m"));
    assert_non_null(strstr(cpw_buf_cstr(&out), "\x1b[2m\x1b[33m|\x1b[0m"));
    cpw_buf_clean_up(&out);
    json_decref(doc);
}

CPW_TEST_MAIN("render_output",
              CPW_TEST(test_text_sections_and_identifiers),
              CPW_TEST(test_scalars_as_python_prints_them),
              CPW_TEST(test_table_nested_sections),
              CPW_TEST(test_table_turns_vertical_only_when_too_wide),
              CPW_TEST(test_table_counts_wide_characters_twice),
              CPW_TEST(test_table_scalar_and_nothing),
              CPW_TEST(test_structures_in_scalar_places),
              CPW_TEST(test_table_colours_values_and_bars))
