/*
 * test_shorthand.c - the AWS CLI's shorthand syntax. The cases are the AWS CLI user guide's
 * examples and the grammar's corners; the expected documents and error messages are what the AWS
 * CLI v2's own parser (awscli/shorthand.py ShorthandParser) returns for the same input.
 */
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/shorthand.h"
#include "harness.h"

/* clang-format off */
static const struct { const char *input; const char *json; } s_cases[] = {
    { "key1=value1,key2=value2,key3=value3", "{\"key1\": \"value1\", \"key2\": \"value2\", \"key3\": \"value3\"}" },
    { "ReadCapacityUnits=15,WriteCapacityUnits=10", "{\"ReadCapacityUnits\": \"15\", \"WriteCapacityUnits\": \"10\"}" },
    { "Key=My1stTag,Value=Value1", "{\"Key\": \"My1stTag\", \"Value\": \"Value1\"}" },
    { "DeviceName=/dev/sda1,Ebs={VolumeSize=20,VolumeType=gp2}", "{\"DeviceName\": \"/dev/sda1\", \"Ebs\": {\"VolumeSize\": \"20\", \"VolumeType\": \"gp2\"}}" },
    { "Name=tag:Name,Values=web,db", "{\"Name\": \"tag:Name\", \"Values\": [\"web\", \"db\"]}" },
    { "foo=a,b,c=d,e=f", "{\"foo\": [\"a\", \"b\"], \"c\": \"d\", \"e\": \"f\"}" },
    { "Key=[a,b],Nested={A=1,B=x}", "{\"Key\": [\"a\", \"b\"], \"Nested\": {\"A\": \"1\", \"B\": \"x\"}}" },
    { "a=[{b=1,c=[x,y]},{b=2}],d={e={f=g}}", "{\"a\": [{\"b\": \"1\", \"c\": [\"x\", \"y\"]}, {\"b\": \"2\"}], \"d\": {\"e\": {\"f\": \"g\"}}}" },
    { "a='quoted, with comma',b=\"dq \\\" here\"", "{\"a\": \"quoted, with comma\", \"b\": \"dq \\\" here\"}" },
    { "a=x\\,y,b=z", "{\"a\": \"x,y\", \"b\": \"z\"}" },
    { "a = b , c = d", "{\"a\": \"b\", \"c\": \"d\"}" },
    { "a=", "{\"a\": \"\"}" },
    { "a=,b=c", "{\"a\": \"\", \"b\": \"c\"}" },
    { "a=[],b={}", "{\"a\": [], \"b\": {}}" },
    { "a=value with spaces   ", "{\"a\": \"value with spaces\"}" },
    { "a=b=c", "{\"a\": \"b=c\"}" },
    { "a=http://x.com/p?q=1", "{\"a\": \"http://x.com/p?q=1\"}" },
    { "k=[ a , b ]", "{\"k\": [\"a\", \"b\"]}" },
    { "a=é,b=日本", "{\"a\": \"é\", \"b\": \"日本\"}" },
    { "a='it\\'s'", "{\"a\": \"it's\"}" },
    { "a=b,c", "{\"a\": [\"b\", \"c\"]}" },
    { "Key=k1,Value=[v1,v2]", "{\"Key\": \"k1\", \"Value\": [\"v1\", \"v2\"]}" },
};
static const struct { const char *input; const char *message; } s_errors[] = {
    { "=,=", "Second instance of key \"\" encountered for input:\n=,=\n  ^\nThis is often because there is a preceding \",\" instead of a space." },
    { "k={é=x,日", "Expected: '=', received: 'é' for input:\nk={é=x,日\n   ^" },
    { "a", "Expected: '=', received: 'EOF' for input:\na\n ^" },
    { "a=b,a=c", "Second instance of key \"a\" encountered for input:\na=b,a=c\n    ^\nThis is often because there is a preceding \",\" instead of a space." },
    { "a=[b", "Expected: ',', received: 'EOF' for input:\na=[b\n    ^" },
    { "a={b=c", "Expected: ',', received: 'EOF' for input:\na={b=c\n      ^" },
    { "a='x", "Expected: '<singled quoted>', received: '<none>' for input:\na='x\n  ^" },
    { "a=b,\nb==c", "Expected: ',', received: '=' for input:\na=b,\nb==c\n  ^" },
};

/* clang-format on */

static void test_documents_as_the_aws_cli_parses_them(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(s_cases) / sizeof(s_cases[0]); i++) {
        json_t *got = NULL;
        json_t *want = NULL;
        if (cpw_shorthand_parse(s_cases[i].input, &got) != 0) {
            fail_msg("%s: %s", s_cases[i].input, cpw_last_error_detail());
        }
        assert_int_equal(
          cpw_json_load(cpw_span_from_cstr(s_cases[i].json), strlen(s_cases[i].json), &want), 0);
        if (!cpw_json_equal(got, want)) {
            struct cpw_buf text;
            cpw_buf_init(&text, 1u << 16);
            (void)cpw_json_dump(got, &text);
            fail_msg("%s gave %s, expected %s", s_cases[i].input, cpw_buf_cstr(&text),
                     s_cases[i].json);
        }
        json_decref(got);
        json_decref(want);
    }
}

static void test_errors_as_the_aws_cli_words_them(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(s_errors) / sizeof(s_errors[0]); i++) {
        json_t *got = NULL;
        assert_int_equal(cpw_shorthand_parse(s_errors[i].input, &got), -1);
        assert_null(got);
        assert_int_equal(cpw_last_error(), CPW_ERR_PARSE);
        if (strcmp(cpw_last_error_detail(), s_errors[i].message) != 0) {
            fail_msg("%s:\n%s\nexpected:\n%s", s_errors[i].input, cpw_last_error_detail(),
                     s_errors[i].message);
        }
    }
}

static void test_bounded_and_strict(void **state)
{
    (void)state;
    /* nesting deeper than the parser's bound is refused, not a stack overflow */
    char deep[4096];
    size_t n = 0;
    deep[n++] = 'a';
    deep[n++] = '=';
    for (int i = 0; i < 1000; i++) {
        deep[n++] = '[';
    }
    deep[n] = '\0';
    json_t *got = NULL;
    assert_int_equal(cpw_shorthand_parse(deep, &got), -1);
    assert_null(got);
    /* text that is not UTF-8 cannot become a JSON string */
    assert_int_equal(cpw_shorthand_parse("a=\xff\xfe", &got), -1);
    assert_null(got);
    /* an escaped comma in a csv list stays in its value */
    assert_int_equal(cpw_shorthand_parse("a=x,y\\,z", &got), 0);
    assert_string_equal(json_string_value(json_array_get(json_object_get(got, "a"), 1)), "y,z");
    json_decref(got);
}

CPW_TEST_MAIN("shorthand",
              CPW_TEST(test_documents_as_the_aws_cli_parses_them),
              CPW_TEST(test_errors_as_the_aws_cli_words_them),
              CPW_TEST(test_bounded_and_strict))
