/*
 * test_core.c - buffers, spans, errors, time, percent-encoding, crypto helpers, log redaction,
 * terminal-safe text and the safe file openers.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/file.h"
#include "cpw/log.h"
#include "cpw/time.h"
#include "cpw/uri.h"
#include "harness.h"

static void test_buf_append_and_cap(void **state)
{
    (void)state;
    struct cpw_buf buf;
    cpw_buf_init(&buf, 10);
    assert_string_equal(cpw_buf_cstr(&buf), "");
    assert_int_equal(cpw_buf_append_cstr(&buf, "hello"), 0);
    assert_int_equal(cpw_buf_appendf(&buf, "%d%s", 42, "ab"), 0);
    assert_int_equal(buf.len, 9);
    assert_string_equal(cpw_buf_cstr(&buf), "hello42ab");
    assert_int_equal(cpw_buf_append_byte(&buf, 'x'), 0); /* exactly max */
    assert_int_equal(buf.len, 10);
    /* One byte past max fails, frees the buffer and says why. */
    assert_int_equal(cpw_buf_append_byte(&buf, 'y'), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_LIMIT);
    assert_null(buf.data);
    assert_int_equal(buf.len, 0);
    cpw_buf_clean_up(&buf);
}

static void test_buf_detach_and_secure(void **state)
{
    (void)state;
    struct cpw_buf buf;
    cpw_buf_init(&buf, 1024);
    assert_int_equal(cpw_buf_append_cstr(&buf, "owned"), 0);
    char *s = cpw_buf_detach(&buf);
    assert_string_equal(s, "owned");
    assert_null(buf.data);
    cpw_free(s);
    s = cpw_buf_detach(&buf);
    assert_string_equal(s, "");
    cpw_free(s);
    assert_int_equal(cpw_buf_append_cstr(&buf, "secret"), 0);
    cpw_buf_clean_up_secure(&buf);
    assert_null(buf.data);
}

static void test_span_helpers(void **state)
{
    (void)state;
    struct cpw_span s = cpw_span_from_cstr("  a;bb;;c  ");
    struct cpw_span t = cpw_span_trim(s);
    assert_true(cpw_span_eq_cstr(t, "a;bb;;c"));
    const char *expected[] = { "a", "bb", "", "c" };
    struct cpw_span tok;
    size_t n = 0;
    while (cpw_span_next_token(&t, ';', &tok)) {
        assert_true(n < 4);
        assert_true(cpw_span_eq_cstr(tok, expected[n]));
        n++;
    }
    assert_int_equal(n, 4);
    assert_true(
      cpw_span_eq_ignore_case(cpw_span_from_cstr("X-Amz-Date"), cpw_span_from_cstr("x-amz-date")));
    assert_false(
      cpw_span_eq_ignore_case(cpw_span_from_cstr("X-Amz-Date"), cpw_span_from_cstr("x-amz-datE1")));
    assert_int_equal(cpw_span_find(cpw_span_from_cstr("abcabd"), cpw_span_from_cstr("abd")), 3);
    assert_int_equal(cpw_span_find(cpw_span_from_cstr("abc"), cpw_span_from_cstr("x")), -1);
    uint64_t v = 0;
    assert_int_equal(cpw_span_to_u64(cpw_span_from_cstr("18446744073709551615"), UINT64_MAX, &v),
                     0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(cpw_span_to_u64(cpw_span_from_cstr("18446744073709551616"), UINT64_MAX, &v),
                     -1);
    assert_int_equal(cpw_span_to_u64(cpw_span_from_cstr("901"), 900, &v), -1);
    assert_int_equal(cpw_span_to_u64(cpw_span_from_cstr("-1"), 900, &v), -1);
    assert_int_equal(cpw_span_to_u64(cpw_span_from_cstr(""), 900, &v), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_PARSE);
}

static void test_error_slot(void **state)
{
    (void)state;
    assert_int_equal(cpw_raise(CPW_ERR_IO, "disk %s", "gone"), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_IO);
    assert_string_equal(cpw_last_error_detail(), "disk gone");
    assert_string_equal(cpw_error_name(CPW_ERR_IO), "CPW_ERR_IO");
    assert_string_equal(cpw_error_str(CPW_ERR_LIMIT), "a size limit was exceeded");
    assert_string_equal(cpw_error_name((enum cpw_error)9999), "CPW_ERR_UNKNOWN");
    cpw_error_clear();
    assert_int_equal(cpw_last_error(), CPW_ERR_NONE);
}

static void test_time_formats(void **state)
{
    (void)state;
    char iso[CPW_TIME_ISO8601_LEN + 1];
    char iso_ms[CPW_TIME_ISO8601_MS_LEN + 1];
    char amz[CPW_TIME_AMZ_LEN + 1];
    char date[CPW_TIME_DATE_LEN + 1];
    int64_t t = 1440938160; /* 2015-08-30T12:36:00Z, the SigV4 suite's time */
    assert_int_equal(cpw_time_format_iso8601(t, iso), 0);
    assert_string_equal(iso, "2015-08-30T12:36:00Z");
    assert_int_equal(cpw_time_format_iso8601_ms(t * 1000 + 7, iso_ms), 0);
    assert_string_equal(iso_ms, "2015-08-30T12:36:00.007Z");
    assert_int_equal(cpw_time_format_amz(t, amz), 0);
    assert_string_equal(amz, "20150830T123600Z");
    assert_int_equal(cpw_time_format_date(t, date), 0);
    assert_string_equal(date, "20150830");

    int64_t back = 0;
    assert_int_equal(cpw_time_parse_amz(cpw_span_from_cstr("20150830T123600Z"), &back), 0);
    assert_true(back == t);
    assert_int_equal(cpw_time_parse_amz(cpw_span_from_cstr("20150830T123600"), &back), -1);
    assert_int_equal(cpw_time_parse_amz(cpw_span_from_cstr("20150231T123600Z"), &back), -1);
    int64_t ms = 0;
    assert_int_equal(cpw_time_parse_iso8601_ms(cpw_span_from_cstr("2015-08-30T12:36:00Z"), &ms), 0);
    assert_true(ms == t * 1000);
    assert_int_equal(
      cpw_time_parse_iso8601_ms(cpw_span_from_cstr("2015-08-30T14:36:00.250+02:00"), &ms), 0);
    assert_true(ms == t * 1000 + 250);
    assert_int_equal(cpw_time_parse_iso8601_ms(cpw_span_from_cstr("2015-08-30T12:36:00"), &ms), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_TIME);
    assert_int_equal(cpw_time_parse_iso8601_ms(cpw_span_from_cstr("2016-02-29T00:00:00Z"), &ms), 0);
    assert_int_equal(cpw_time_parse_iso8601_ms(cpw_span_from_cstr("2015-02-29T00:00:00Z"), &ms),
                     -1);
    assert_int_equal(
      cpw_time_parse_http_date(cpw_span_from_cstr("Sun, 30 Aug 2015 12:36:00 GMT"), &back), 0);
    assert_true(back == t);

    cpw_time_pin_ms(t * 1000);
    assert_true(cpw_time_now_s() == t);
    cpw_time_pin_ms(-1);
    assert_true(cpw_time_now_s() > t);
}

static void test_uri_encoding(void **state)
{
    (void)state;
    struct cpw_buf out;
    cpw_buf_init(&out, 1024);
    assert_int_equal(cpw_uri_encode(&out, cpw_span_from_cstr("a b/c~d+e*é"), 0), 0);
    assert_string_equal(cpw_buf_cstr(&out), "a%20b%2Fc~d%2Be%2A%C3%A9");
    cpw_buf_reset(&out);
    assert_int_equal(cpw_uri_encode(&out, cpw_span_from_cstr("/a b/c"), CPW_URI_KEEP_SLASH), 0);
    assert_string_equal(cpw_buf_cstr(&out), "/a%20b/c");
    cpw_buf_reset(&out);
    assert_int_equal(cpw_uri_decode(&out, cpw_span_from_cstr("a%20b+c%2f"), CPW_URI_PLUS_IS_SPACE),
                     0);
    assert_string_equal(cpw_buf_cstr(&out), "a b c/");
    cpw_buf_reset(&out);
    assert_int_equal(cpw_uri_decode(&out, cpw_span_from_cstr("a+b"), 0), 0);
    assert_string_equal(cpw_buf_cstr(&out), "a+b");
    cpw_buf_reset(&out);
    assert_int_equal(cpw_uri_decode(&out, cpw_span_from_cstr("bad%2"), 0), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_ENCODING);
    cpw_buf_reset(&out);
    assert_int_equal(cpw_uri_decode(&out, cpw_span_from_cstr("bad%zz"), 0), -1);
    cpw_buf_clean_up(&out);
}

static void test_crypto(void **state)
{
    (void)state;
    uint8_t digest[CPW_SHA256_LEN];
    char hex[CPW_SHA256_HEX_LEN + 1];
    assert_int_equal(cpw_sha256(cpw_span_from_cstr(""), digest), 0);
    cpw_hex_encode_to(hex, digest, sizeof(digest));
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    /* RFC 4231 test case 2 */
    assert_int_equal(cpw_hmac_sha256(cpw_span_from_cstr("Jefe"),
                                     cpw_span_from_cstr("what do ya want for nothing?"), digest),
                     0);
    cpw_hex_encode_to(hex, digest, sizeof(digest));
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    struct cpw_sha256_ctx *ctx = cpw_sha256_new();
    assert_non_null(ctx);
    assert_int_equal(cpw_sha256_update(ctx, cpw_span_from_cstr("ab")), 0);
    assert_int_equal(cpw_sha256_update(ctx, cpw_span_from_cstr("c")), 0);
    assert_int_equal(cpw_sha256_final(ctx, digest), 0);
    cpw_sha256_destroy(ctx);
    cpw_hex_encode_to(hex, digest, sizeof(digest));
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    uint8_t raw[4];
    assert_int_equal(cpw_hex_decode(cpw_span_from_cstr("DEadBEef"), raw, sizeof(raw)), 4);
    assert_int_equal(raw[0], 0xde);
    assert_int_equal(cpw_hex_decode(cpw_span_from_cstr("abc"), raw, sizeof(raw)), -1);
    assert_int_equal(cpw_hex_decode(cpw_span_from_cstr("zz"), raw, sizeof(raw)), -1);
    assert_true(cpw_ct_equal(cpw_span_from_cstr("abc"), cpw_span_from_cstr("abc")));
    assert_false(cpw_ct_equal(cpw_span_from_cstr("abc"), cpw_span_from_cstr("abd")));
    assert_false(cpw_ct_equal(cpw_span_from_cstr("abc"), cpw_span_from_cstr("ab")));

    struct cpw_buf b64;
    struct cpw_buf back;
    cpw_buf_init(&b64, 256);
    cpw_buf_init(&back, 256);
    const char *inputs[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    const char *outputs[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
    for (size_t i = 0; i < 7; i++) {
        cpw_buf_reset(&b64);
        cpw_buf_reset(&back);
        assert_int_equal(cpw_base64_encode(&b64, cpw_span_from_cstr(inputs[i])), 0);
        assert_string_equal(cpw_buf_cstr(&b64), outputs[i]);
        assert_int_equal(cpw_base64_decode(&back, cpw_buf_span(&b64)), 0);
        assert_string_equal(cpw_buf_cstr(&back), inputs[i]);
    }
    assert_int_equal(cpw_base64_decode(&back, cpw_span_from_cstr("Zg=a")), -1);
    assert_int_equal(cpw_base64_decode(&back, cpw_span_from_cstr("Zg*=")), -1);
    cpw_buf_clean_up(&b64);
    cpw_buf_clean_up(&back);
}

struct captured {
    char line[1024];
    int count;
};

static void s_capture(enum cpw_log_level level, const char *line, void *user)
{
    (void)level;
    struct captured *c = user;
    strncpy(c->line, line, sizeof(c->line) - 1);
    c->count++;
}

static void test_log_never_prints_secrets(void **state)
{
    (void)state;
    struct captured cap = { { 0 }, 0 };
    cpw_log_set_sink(s_capture, &cap);
    cpw_log_set_level(CPW_LOG_INFO);
    cpw_log(CPW_LOG_DEBUG, "not shown");
    assert_int_equal(cap.count, 0);

    const char *secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    cpw_log_register_secret(cpw_span_from_cstr(secret));
    cpw_log(CPW_LOG_INFO, "loaded key %s from env", secret);
    assert_int_equal(cap.count, 1);
    assert_null(strstr(cap.line, secret));
    assert_string_equal(cap.line, "loaded key **** from env");

    cpw_log(CPW_LOG_WARN,
            "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a");
    assert_non_null(strstr(cap.line, "Signature=****"));
    assert_null(strstr(cap.line, "5fa00fa3"));
    cpw_log(CPW_LOG_WARN, "url ?X-Amz-Security-Token=FQoGZXIvYXdzE&X-Amz-Signature=abcdef01 end");
    assert_null(strstr(cap.line, "FQoGZXIvYXdzE"));
    assert_null(strstr(cap.line, "abcdef01"));
    cpw_log(CPW_LOG_WARN, "line aws_secret_access_key = abcdEFGHsecret");
    assert_null(strstr(cap.line, "abcdEFGHsecret"));
    cpw_log(CPW_LOG_WARN, "{\"SecretAccessKey\": \"zzzSECRETzzz\", \"AccessKeyId\": \"AKIA\"}");
    assert_null(strstr(cap.line, "zzzSECRETzzz"));
    assert_non_null(strstr(cap.line, "AccessKeyId"));
    /* Log lines quote servers: a terminal escape in what they said is shown, not obeyed. */
    cpw_log(CPW_LOG_WARN, "server said %s", "\x1b[2Jgone\x07\nnext line");
    assert_string_equal(cap.line, "server said \\x1b[2Jgone\\x07\nnext line");

    cpw_log_set_sink(NULL, NULL);
    cpw_log_set_level(CPW_LOG_WARN);
    cpw_log_forget_secrets();
}

static void test_read_file_limits(void **state)
{
    (void)state;
    struct cpw_buf buf;
    cpw_buf_init(&buf, 1 << 20);
    char *path = cpw_test_source_path("CMakeLists.txt");
    assert_int_equal(cpw_buf_read_file(&buf, path), 0);
    assert_true(buf.len > 100);
    assert_non_null(strstr(cpw_buf_cstr(&buf), "project(cpwarden"));
    struct cpw_buf small;
    cpw_buf_init(&small, 10);
    assert_int_equal(cpw_buf_read_file(&small, path), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_LIMIT);
    assert_int_equal(cpw_buf_read_file(&small, "/nonexistent/file"), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_IO);
    cpw_free(path);
    cpw_buf_clean_up(&buf);
    cpw_buf_clean_up(&small);
}

/* Wrapping the cause is the common idiom; the slot being replaced is also an argument. */
static void test_raise_wraps_its_own_detail(void **state)
{
    (void)state;
    cpw_raise(CPW_ERR_IO, "cannot open /x/credentials: %s", "Permission denied");
    cpw_raise(CPW_ERR_CONFIG, "reading the configuration: %s", cpw_last_error_detail());
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
    assert_string_equal(cpw_last_error_detail(),
                        "reading the configuration: cannot open /x/credentials: Permission denied");
    cpw_raise(CPW_ERR_PARSE, "%s", cpw_last_error_detail()); /* the same text, unchanged */
    assert_string_equal(cpw_last_error_detail(),
                        "reading the configuration: cannot open /x/credentials: Permission denied");
    cpw_error_clear();
}

static void s_expect_printable(const char *in, unsigned flags, const char *want)
{
    struct cpw_buf out;
    cpw_buf_init(&out, 1024);
    assert_int_equal(cpw_buf_append_printable(&out, cpw_span_from_cstr(in), flags), 0);
    assert_string_equal(cpw_buf_cstr(&out), want);
    cpw_buf_clean_up(&out);
}

static void test_printable_escapes_terminal_controls(void **state)
{
    (void)state;
    s_expect_printable("plain text, 100%", 0, "plain text, 100%");
    s_expect_printable("\x1b[2Jclear", 0, "\\x1b[2Jclear");
    s_expect_printable("a\x07"
                       "b\x7f"
                       "c\r\n",
                       0, "a\\x07b\\x7fc\\x0d\\x0a");
    s_expect_printable("line 1\n\tline 2\r", CPW_PRINTABLE_KEEP_NEWLINES, "line 1\n\tline 2\\x0d");
    /* C1 controls, raw (0x9b is CSI on 8-bit terminals) and UTF-8 encoded (U+009B). */
    s_expect_printable("x\x9b"
                       "2Jy",
                       0, "x\\x9b2Jy");
    s_expect_printable("x\xc2\x9b"
                       "2J",
                       0, "x\\xc2\\x9b2J");
    /* Valid UTF-8 stays (U+00E9, U+65E5, U+1F600); invalid and overlong forms are escaped. */
    s_expect_printable("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80", 0,
                       "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80");
    s_expect_printable("\xc0\xaf\xed\xa0\x80\xe6\x97", 0, "\\xc0\\xaf\\xed\\xa0\\x80\\xe6\\x97");
    /* The cap holds: a failed append leaves the buffer empty with CPW_ERR_LIMIT. */
    struct cpw_buf small;
    cpw_buf_init(&small, 8);
    assert_int_equal(cpw_buf_append_printable(&small, cpw_span_from_cstr("\x1b\x1b\x1b"), 0), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_LIMIT);
    cpw_buf_clean_up(&small);
}

static void s_scratch(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/cpw-core-XXXXXX");
    assert_non_null(mkdtemp(dir));
}

static void s_write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A link planted where account data goes: refused, and what it points to keeps its content. */
static void test_private_files_never_follow_links(void **state)
{
    (void)state;
    char dir[64];
    char victim[128];
    char link[128];
    char fifo[128];
    char fresh[128];
    s_scratch(dir, sizeof(dir));
    snprintf(victim, sizeof(victim), "%s/victim", dir);
    snprintf(link, sizeof(link), "%s/out.json", dir);
    snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
    snprintf(fresh, sizeof(fresh), "%s/fresh", dir);
    s_write_text(victim, "precious\n");
    assert_int_equal(chmod(victim, 0644), 0);
    assert_int_equal(symlink(victim, link), 0);
    assert_int_equal(mkfifo(fifo, 0600), 0);

    assert_int_equal(cpw_file_open_private(link, O_WRONLY | O_CREAT | O_TRUNC), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_IO);
    assert_non_null(strstr(cpw_last_error_detail(), "is a symbolic link: refusing to write"));
    assert_int_equal(cpw_file_refuse_link(link), -1);
    assert_non_null(strstr(cpw_last_error_detail(), "out.json is a symbolic link"));
    struct stat st;
    assert_int_equal(stat(victim, &st), 0);
    assert_int_equal(st.st_size, 9);
    assert_int_equal(st.st_mode & 0777, 0644);

    /* A FIFO without a reader neither blocks nor is accepted. */
    assert_int_equal(cpw_file_open_private(fifo, O_WRONLY | O_CREAT | O_TRUNC), -1);
    assert_non_null(strstr(cpw_last_error_detail(), "is not a regular file (a FIFO)"));

    /* A regular file: created 0600, or tightened to 0600. */
    int fd = cpw_file_open_private(fresh, O_WRONLY | O_CREAT | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    close(fd);
    assert_int_equal(cpw_file_refuse_link(fresh), 0);
    assert_int_equal(cpw_file_refuse_link(victim), 0);
    fd = cpw_file_open_private(victim, O_RDWR);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(stat(victim, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    unlink(link);
    unlink(fifo);
    unlink(fresh);
    unlink(victim);
    rmdir(dir);
}

/* Configuration is read from regular files only, and a FIFO cannot block the reader. */
static void test_read_regular_file_refuses_others(void **state)
{
    (void)state;
    char dir[64];
    char fifo[128];
    char file[128];
    char link[128];
    s_scratch(dir, sizeof(dir));
    snprintf(fifo, sizeof(fifo), "%s/credentials", dir);
    snprintf(file, sizeof(file), "%s/config", dir);
    snprintf(link, sizeof(link), "%s/link", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    s_write_text(file, "[default]\nregion = eu-west-1\n");
    assert_int_equal(symlink(file, link), 0);

    struct cpw_buf buf;
    cpw_buf_init(&buf, 1024);
    assert_int_equal(cpw_buf_read_regular_file(&buf, fifo), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_IO);
    assert_non_null(strstr(cpw_last_error_detail(), "credentials is not a regular file (a FIFO)"));
    assert_int_equal(cpw_buf_read_regular_file(&buf, dir), -1);
    assert_non_null(strstr(cpw_last_error_detail(), "is not a regular file (a directory)"));
    assert_null(buf.data); /* refused before anything was allocated */
    assert_int_equal(cpw_buf_read_regular_file(&buf, link), 0); /* links are followed to read */
    assert_string_equal(cpw_buf_cstr(&buf), "[default]\nregion = eu-west-1\n");
    cpw_buf_clean_up(&buf);
    struct cpw_buf small;
    cpw_buf_init(&small, 8);
    assert_int_equal(cpw_buf_read_regular_file(&small, file), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_LIMIT);
    assert_null(small.data);

    unlink(fifo);
    unlink(link);
    unlink(file);
    rmdir(dir);
}

static void test_edit_distance(void **state)
{
    (void)state;
    assert_int_equal(cpw_edit_distance("inventory", "inventory"), 0);
    assert_int_equal(cpw_edit_distance("inventroy", "inventory"), 2); /* a swap is two edits */
    assert_int_equal(cpw_edit_distance("regons", "regions"), 1);
    assert_int_equal(cpw_edit_distance("", "abc"), 3);
    assert_int_equal(cpw_edit_distance("eu-wset-1", "eu-west-1"), 2);
    char long_word[CPW_EDIT_DISTANCE_MAX_LEN + 2];
    memset(long_word, 'a', sizeof(long_word) - 1);
    long_word[sizeof(long_word) - 1] = '\0';
    assert_true(cpw_edit_distance(long_word, "a") == SIZE_MAX);
}

CPW_TEST_MAIN("core",
              CPW_TEST(test_buf_append_and_cap),
              CPW_TEST(test_buf_detach_and_secure),
              CPW_TEST(test_span_helpers),
              CPW_TEST(test_error_slot),
              CPW_TEST(test_time_formats),
              CPW_TEST(test_uri_encoding),
              CPW_TEST(test_crypto),
              CPW_TEST(test_log_never_prints_secrets),
              CPW_TEST(test_read_file_limits),
              CPW_TEST(test_raise_wraps_its_own_detail),
              CPW_TEST(test_printable_escapes_terminal_controls),
              CPW_TEST(test_private_files_never_follow_links),
              CPW_TEST(test_read_regular_file_refuses_others),
              CPW_TEST(test_edit_distance))
