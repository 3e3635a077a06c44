/*
 * test_protect.c - cpwarden's own configuration: parsing, file:line errors, and the verdicts
 * (with the rule named in the reason) that plans rely on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/protect.h"
#include "harness.h"

static char s_dir[64];
static char s_path[128];

static void s_write(const char *text)
{
    snprintf(s_dir, sizeof(s_dir), "/tmp/cpw-protect-XXXXXX");
    assert_non_null(mkdtemp(s_dir));
    snprintf(s_path, sizeof(s_path), "%s/config", s_dir);
    FILE *f = fopen(s_path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void s_cleanup(void)
{
    unlink(s_path);
    rmdir(s_dir);
}

static const char *s_good = "# cpwarden\n"
                            "[accounts]\n"
                            "blocklist = 111111111111, 222222222222\n"
                            "\n"
                            "[protect]\n"
                            "domains = prod-*, *-keep\n"
                            "roles = AWSServiceRoleForAmazonConnect_Keep*\n"
                            "domains = legacy\n";

static void test_globs_blocklist_and_default_tag(void **state)
{
    (void)state;
    s_write(s_good);
    struct cpw_protect *cfg = cpw_protect_load(s_path);
    assert_non_null(cfg);
    char *reason = NULL;

    assert_int_equal(
      cpw_protect_check(cfg, "123456789012", CPW_PROTECT_DOMAIN, "orphan-dom", NULL, 0, &reason),
      CPW_PROTECT_ALLOWED);
    assert_null(reason);

    assert_int_equal(
      cpw_protect_check(cfg, "123456789012", CPW_PROTECT_DOMAIN, "prod-main", NULL, 0, &reason),
      CPW_PROTECT_PROTECTED);
    assert_non_null(strstr(reason, "'prod-*'"));
    assert_non_null(strstr(reason, "[protect] domains"));
    assert_non_null(strstr(reason, "config:6"));
    cpw_free(reason);

    /* A second domains line adds to the list. */
    assert_int_equal(
      cpw_protect_check(cfg, "123456789012", CPW_PROTECT_DOMAIN, "legacy", NULL, 0, &reason),
      CPW_PROTECT_PROTECTED);
    assert_non_null(strstr(reason, "config:8"));
    cpw_free(reason);

    /* Role globs apply to roles only. */
    assert_int_equal(
      cpw_protect_check(cfg, "123456789012", CPW_PROTECT_ROLE, "prod-main", NULL, 0, NULL),
      CPW_PROTECT_ALLOWED);
    assert_int_equal(cpw_protect_check(cfg, "123456789012", CPW_PROTECT_ROLE,
                                       "AWSServiceRoleForAmazonConnect_KeepMe", NULL, 0, &reason),
                     CPW_PROTECT_PROTECTED);
    assert_non_null(strstr(reason, "[protect] roles"));
    cpw_free(reason);

    assert_int_equal(
      cpw_protect_check(cfg, "222222222222", CPW_PROTECT_DOMAIN, "anything", NULL, 0, &reason),
      CPW_PROTECT_PROTECTED);
    assert_non_null(strstr(reason, "account 222222222222 is on the blocklist"));
    cpw_free(reason);

    /* The default protecting tag: cpwarden:protect with any value. */
    struct cpw_tag tags[] = { { "team", "x" }, { "cpwarden:protect", "no-really" } };
    assert_int_equal(
      cpw_protect_check(cfg, "123456789012", CPW_PROTECT_DOMAIN, "orphan-dom", tags, 2, &reason),
      CPW_PROTECT_PROTECTED);
    assert_non_null(strstr(reason, "cpwarden:protect=no-really"));
    cpw_free(reason);
    assert_int_equal(
      cpw_protect_check(cfg, "123456789012", CPW_PROTECT_DOMAIN, "orphan-dom", tags, 1, NULL),
      CPW_PROTECT_ALLOWED);
    cpw_protect_destroy(cfg);
    s_cleanup();
}

static void test_allowlist_and_tag_value(void **state)
{
    (void)state;
    s_write("[accounts]\nallow = 333333333333\n[protect]\ntag_key = keep\ntag_value = true\n");
    struct cpw_protect *cfg = cpw_protect_load(s_path);
    assert_non_null(cfg);
    char *reason = NULL;
    assert_int_equal(
      cpw_protect_check(cfg, "123456789012", CPW_PROTECT_ACCOUNT, NULL, NULL, 0, &reason),
      CPW_PROTECT_PROTECTED);
    assert_non_null(strstr(reason, "not on the allowlist"));
    cpw_free(reason);
    assert_int_equal(
      cpw_protect_check(cfg, "333333333333", CPW_PROTECT_ACCOUNT, NULL, NULL, 0, NULL),
      CPW_PROTECT_ALLOWED);
    struct cpw_tag no[] = { { "keep", "false" }, { "cpwarden:protect", "true" } };
    struct cpw_tag yes[] = { { "keep", "true" } };
    assert_int_equal(cpw_protect_check(cfg, "333333333333", CPW_PROTECT_ROLE, "r", no, 2, NULL),
                     CPW_PROTECT_ALLOWED);
    assert_int_equal(cpw_protect_check(cfg, "333333333333", CPW_PROTECT_ROLE, "r", yes, 1, &reason),
                     CPW_PROTECT_PROTECTED);
    assert_non_null(strstr(reason, "keep=true"));
    cpw_free(reason);
    cpw_protect_destroy(cfg);
    s_cleanup();
}

static void s_expect_error(const char *text, const char *fragment)
{
    s_write(text);
    assert_null(cpw_protect_load(s_path));
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
    if (!strstr(cpw_last_error_detail(), fragment)) {
        fail_msg("detail '%s' lacks '%s'", cpw_last_error_detail(), fragment);
    }
    s_cleanup();
}

static void test_errors_name_file_and_line(void **state)
{
    (void)state;
    s_expect_error("[accounts]\nblocklist = 12345\n", "config:2: '12345' is not an AWS account id");
    s_expect_error("[accounts]\nblocklist = 111111111111,, 222222222222\n", "config:2: empty");
    s_expect_error("[protect]\n\ndomain = prod-*\n", "config:3: unknown key 'domain'");
    s_expect_error("[protekt]\n", "config:1: unknown section [protekt]");
    s_expect_error("[protect]\njust words\n", "config:2: expected 'key = value'");
    s_expect_error("domains = x\n", "config:1: setting outside of any [section]");
    s_expect_error("[protect\n", "config:1: malformed section header");
    s_expect_error("[protect]\ntag_key =\n", "config:2: tag_key needs a value");
    s_expect_error("[accounts]\nallow =\n", "config:2: empty item");
}

static void test_paths(void **state)
{
    (void)state;
    /* An explicit path that does not exist is an error. */
    assert_null(cpw_protect_load("/nonexistent/cpwarden/config"));
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);

    /* The default path follows XDG_CONFIG_HOME; a missing default file gives the defaults. */
    char *saved = getenv("XDG_CONFIG_HOME") ? cpw_strdup(getenv("XDG_CONFIG_HOME")) : NULL;
    setenv("XDG_CONFIG_HOME", "/nonexistent-xdg", 1);
    char *path = cpw_protect_default_path();
    assert_string_equal(path, "/nonexistent-xdg/cpwarden/config");
    cpw_free(path);
    struct cpw_protect *cfg = cpw_protect_load(NULL);
    assert_non_null(cfg);
    struct cpw_tag tag[] = { { CPW_PROTECT_DEFAULT_TAG_KEY, "" } };
    assert_int_equal(cpw_protect_check(cfg, "123456789012", CPW_PROTECT_DOMAIN, "d", tag, 1, NULL),
                     CPW_PROTECT_PROTECTED);
    cpw_protect_destroy(cfg);

    /* A file at the default place is read. */
    s_write("[protect]\ndomains = *\n");
    char xdg[96];
    snprintf(xdg, sizeof(xdg), "%s/xdg", s_dir);
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/cpwarden", xdg);
    assert_int_equal(mkdir(xdg, 0700), 0);
    assert_int_equal(mkdir(sub, 0700), 0);
    char moved[160];
    snprintf(moved, sizeof(moved), "%s/config", sub);
    assert_int_equal(rename(s_path, moved), 0);
    setenv("XDG_CONFIG_HOME", xdg, 1);
    cfg = cpw_protect_load(NULL);
    assert_non_null(cfg);
    assert_string_equal(cpw_protect_path(cfg), moved);
    assert_int_equal(
      cpw_protect_check(cfg, "123456789012", CPW_PROTECT_DOMAIN, "any", NULL, 0, NULL),
      CPW_PROTECT_PROTECTED);
    cpw_protect_destroy(cfg);
    unlink(moved);
    rmdir(sub);
    rmdir(xdg);
    rmdir(s_dir);
    if (saved) {
        setenv("XDG_CONFIG_HOME", saved, 1);
        cpw_free(saved);
    } else {
        unsetenv("XDG_CONFIG_HOME");
    }
}

/* A blocklist longer than any line buffer is read whole; indentation means nothing (an
 * indented line is a setting of its own); a header alone on the last line is still checked. */
static void test_long_lines_and_indentation(void **state)
{
    (void)state;
    char text[2048] = "[accounts]\nblocklist = ";
    for (unsigned i = 0; i < 40; i++) {
        char id[16];
        snprintf(id, sizeof(id), "%s1000000000%02u", i ? ", " : "", i);
        strncat(text, id, sizeof(text) - strlen(text) - 1);
    }
    strncat(text, "\n[protect]\n  domains = prod-*\n    roles = Keep*\n",
            sizeof(text) - strlen(text) - 1);
    s_write(text);
    struct cpw_protect *cfg = cpw_protect_load(s_path);
    assert_non_null(cfg);
    char *reason = NULL;
    assert_int_equal(
      cpw_protect_check(cfg, "100000000039", CPW_PROTECT_ACCOUNT, NULL, NULL, 0, &reason),
      CPW_PROTECT_PROTECTED);
    assert_non_null(strstr(reason, "config:2"));
    cpw_free(reason);
    assert_int_equal(
      cpw_protect_check(cfg, "123456789012", CPW_PROTECT_DOMAIN, "prod-x", NULL, 0, NULL),
      CPW_PROTECT_PROTECTED);
    assert_int_equal(
      cpw_protect_check(cfg, "123456789012", CPW_PROTECT_ROLE, "KeepMe", NULL, 0, &reason),
      CPW_PROTECT_PROTECTED);
    assert_non_null(strstr(reason, "config:5"));
    cpw_free(reason);
    cpw_protect_destroy(cfg);
    s_cleanup();

    s_expect_error("[protect]\ndomains = a\n[bogus]", "config:3: unknown section [bogus]");
    s_expect_error("[protect]\ndomains = a\n  just words\n", "config:3: expected 'key = value'");
}

CPW_TEST_MAIN("protect",
              CPW_TEST(test_globs_blocklist_and_default_tag),
              CPW_TEST(test_allowlist_and_tag_value),
              CPW_TEST(test_errors_name_file_and_line),
              CPW_TEST(test_paths),
              CPW_TEST(test_long_lines_and_indentation))
