/*
 * test_ini.c - the libinih wrapper (cpw/ini.h): events in order with their line numbers, pieces
 * longer than Debian's libinih buffers passed whole, the dialect's settings, and every error
 * naming its line.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/ini.h"
#include "harness.h"

/* Every event as one line "LINE [SECTION] KEY=VALUE" (+ for a continuation, HEADER for a
 * header), so a test compares the whole parse at once. */
struct log {
    struct cpw_buf text;
    unsigned fail_at; /* the handler fails on this line (0: never) */
    unsigned calls;
};

static int s_log(void *user, const struct cpw_ini_item *item)
{
    struct log *log = user;
    log->calls++;
    if (item->line == log->fail_at) {
        return cpw_raise(CPW_ERR_CONFIG, "handler refused line %u", item->line);
    }
    if (!item->key) {
        (void)cpw_buf_appendf(&log->text, "%u HEADER [%s]\n", item->line, item->section);
    } else {
        (void)cpw_buf_appendf(&log->text, "%u [%s] %s%s=%s\n", item->line, item->section,
                              item->continuation ? "+" : "", item->key, item->value);
    }
    return 0;
}

static int s_parse(const char *text, size_t len, struct log *log)
{
    cpw_buf_init(&log->text, 1u << 20);
    return cpw_ini_parse((struct cpw_span){ .ptr = (const uint8_t *)text, .len = len }, "f.ini",
                         s_log, log);
}

static void s_expect(const char *text, const char *events)
{
    struct log log = { 0 };
    assert_int_equal(s_parse(text, strlen(text), &log), 0);
    assert_string_equal(cpw_buf_cstr(&log.text), events);
    cpw_buf_clean_up(&log.text);
}

static void s_expect_error(const char *text, size_t len, const char *detail)
{
    struct log log = { 0 };
    assert_int_equal(s_parse(text, len, &log), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
    if (!strstr(cpw_last_error_detail(), detail)) {
        fail_msg("detail '%s' lacks '%s'", cpw_last_error_detail(), detail);
    }
    cpw_buf_clean_up(&log.text);
}

static void test_events_in_order(void **state)
{
    (void)state;
    s_expect("top = 1\n"
             "[a]\n"
             "# comment\n"
             "  ; indented comment\n"
             "k = v\n"
             "colon: yes\n"
             "empty =\n"
             "  sub = 2\n"
             "\n"
             "  more=3\n"
             "[b] trailing text\n"
             "[a]\n"
             "  k2 = w\n",
             "1 [] top=1\n"
             "2 HEADER [a]\n"
             "5 [a] k=v\n"
             "6 [a] colon=yes\n"
             "7 [a] empty=\n"
             "8 [a] +empty=sub = 2\n"
             "10 [a] +empty=more=3\n"
             "11 HEADER [b]\n"
             "12 HEADER [a]\n"
             "13 [a] k2=w\n"); /* indented right after a header: a key of its own */
}

static void test_dialect(void **state)
{
    (void)state;
    /* No inline comments (the AWS CLI keeps them in the value), CRLF, a BOM, a header on the
     * last line without a newline, spaces kept inside values. */
    s_expect("\xEF\xBB\xBF[ s p ]\r\n"
             "region = us-east-1 ; not a comment\r\n"
             "hash = a # b\r\n"
             "x =   two  words  \r\n"
             "[last]",
             "1 HEADER [ s p ]\n"
             "2 [ s p ] region=us-east-1 ; not a comment\n"
             "3 [ s p ] hash=a # b\n"
             "4 [ s p ] x=two  words\n"
             "5 HEADER [last]\n");
}

/* Debian's libinih keeps 200 bytes of a line and 50 of a name: longer ones come through whole. */
static void test_long_pieces_come_whole(void **state)
{
    (void)state;
    struct cpw_buf text;
    struct cpw_buf want;
    cpw_buf_init(&text, 1u << 20);
    cpw_buf_init(&want, 1u << 20);
    char token[3001];
    for (size_t i = 0; i < sizeof(token) - 1; i++) {
        token[i] = (char)('A' + i % 26);
    }
    token[sizeof(token) - 1] = '\0';
    const char *section = "profile a-profile-name-much-longer-than-fifty-bytes-0123456789";
    const char *key = "a_key_name_that_is_longer_than_fifty_bytes_abcdefghij";
    (void)cpw_buf_appendf(&text,
                          "[%s]\n%s = %s\ncontinued =\n  %s\n[\x1d"
                          "0]\nk = \x1d"
                          "1\n",
                          section, key, token, token);
    (void)cpw_buf_appendf(&want,
                          "1 HEADER [%s]\n2 [%s] %s=%s\n3 [%s] continued=\n"
                          "4 [%s] +continued=%s\n5 HEADER [\x1d"
                          "0]\n6 [\x1d"
                          "0] k=\x1d"
                          "1\n",
                          section, section, key, token, section, section, token);
    struct log log = { 0 };
    assert_int_equal(s_parse(cpw_buf_cstr(&text), text.len, &log), 0);
    assert_string_equal(cpw_buf_cstr(&log.text), cpw_buf_cstr(&want));
    cpw_buf_clean_up(&log.text);
    cpw_buf_clean_up(&text);
    cpw_buf_clean_up(&want);
}

static void test_errors_name_the_line(void **state)
{
    (void)state;
    const char *t1 = "[a]\nk = v\n[broken\nz = 1\n";
    s_expect_error(t1, strlen(t1), "f.ini:3: malformed section header");
    const char *t2 = "[a]\n\njust words\n";
    s_expect_error(t2, strlen(t2), "f.ini:3: expected 'key = value'");
    const char *t3 = "[a]\n= v\n";
    s_expect_error(t3, strlen(t3), "f.ini:2: expected 'key = value'");
    const char t4[] = "[a]\nk = v\0w\n";
    s_expect_error(t4, sizeof(t4) - 1, "f.ini:2: a NUL byte");

    /* The first malformed line stops the parse: nothing after it reaches the handler. */
    struct log log = { 0 };
    const char *t5 = "[a]\nbad\nk = v\n";
    assert_int_equal(s_parse(t5, strlen(t5), &log), -1);
    assert_string_equal(cpw_buf_cstr(&log.text), "1 HEADER [a]\n");
    cpw_buf_clean_up(&log.text);

    /* A handler's error is the parse's, and stops it. */
    log = (struct log){ .fail_at = 2 };
    const char *t6 = "[a]\nk = v\n[b]\nj = w\n";
    assert_int_equal(s_parse(t6, strlen(t6), &log), -1);
    assert_string_equal(cpw_last_error_detail(), "handler refused line 2");
    assert_int_equal(log.calls, 2);
    cpw_buf_clean_up(&log.text);

    /* A header refused by the handler stops the parse before the lines under it. */
    log = (struct log){ .fail_at = 1 };
    const char *t7 = "[a]\nk = v\n";
    assert_int_equal(s_parse(t7, strlen(t7), &log), -1);
    assert_int_equal(log.calls, 1);
    cpw_buf_clean_up(&log.text);
}

static void test_empty_input(void **state)
{
    (void)state;
    s_expect("", "");
    s_expect("\n\n# only comments\n", "");
}

CPW_TEST_MAIN("ini",
              CPW_TEST(test_events_in_order),
              CPW_TEST(test_dialect),
              CPW_TEST(test_long_pieces_come_whole),
              CPW_TEST(test_errors_name_the_line),
              CPW_TEST(test_empty_input))
