/*
 * test_config.c - the shared config/credentials file reader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/config.h"
#include "cpw/error.h"
#include "harness.h"

static char s_dir[64];

static void s_write(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", s_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static struct cpw_config *s_load(const char *profile)
{
    char config[128];
    char creds[128];
    snprintf(config, sizeof(config), "%s/config", s_dir);
    snprintf(creds, sizeof(creds), "%s/credentials", s_dir);
    struct cpw_config_load_options opts = { .config_path = config,
                                            .credentials_path = creds,
                                            .profile = profile };
    return cpw_config_load(&opts);
}

static void s_make_dir(void)
{
    snprintf(s_dir, sizeof(s_dir), "/tmp/cpw-config-XXXXXX");
    assert_non_null(mkdtemp(s_dir));
}

static void s_remove_dir(void)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/config", s_dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/credentials", s_dir);
    unlink(path);
    rmdir(s_dir);
}

static void test_profiles_and_precedence(void **state)
{
    (void)state;
    s_make_dir();
    s_write("config", "# comment\n"
                      "[default]\n"
                      "region = eu-west-1\n"
                      "aws_access_key_id = FROMCONFIG\n"
                      "\n"
                      "[profile dev]\n"
                      "region=us-east-1\r\n"
                      "role_arn = arn:aws:iam::111111111111:role/Admin\n"
                      "source_profile = default\n"
                      "services = local\n"
                      "[sso-session corp]\n"
                      "sso_region = eu-central-1\n"
                      "[services local]\n"
                      "customer_profiles =\n"
                      "  endpoint_url = http://127.0.0.1:4566\n"
                      "iam =\n"
                      "    endpoint_url = http://127.0.0.1:4567\n"
                      "; trailing comment\n");
    s_write("credentials", "[default]\naws_access_key_id = FROMCREDS\n"
                           "aws_secret_access_key = s3cr3t\n[other]\nregion = ap-south-1\n");
    struct cpw_config *cfg = s_load(NULL);
    assert_non_null(cfg);
    assert_string_equal(cpw_config_get(cfg, "default", "region"), "eu-west-1");
    /* The credentials file wins for the same key. */
    assert_string_equal(cpw_config_get(cfg, "default", "aws_access_key_id"), "FROMCREDS");
    assert_string_equal(cpw_config_get(cfg, "dev", "region"), "us-east-1");
    assert_string_equal(cpw_config_get(cfg, "dev", "source_profile"), "default");
    assert_null(cpw_config_get(cfg, "dev", "aws_access_key_id"));
    assert_true(cpw_config_has_profile(cfg, "other"));
    assert_false(cpw_config_has_profile(cfg, "corp"));
    assert_string_equal(cpw_config_get_section(cfg, "sso-session", "corp", "sso_region"),
                        "eu-central-1");
    assert_string_equal(
      cpw_config_get_section(cfg, "services", "local", "customer_profiles.endpoint_url"),
      "http://127.0.0.1:4566");
    assert_string_equal(cpw_config_get_section(cfg, "services", "local", "iam.endpoint_url"),
                        "http://127.0.0.1:4567");
    assert_null(cpw_config_get_section(cfg, "services", "local", "customer_profiles"));
    cpw_config_destroy(cfg);

    cfg = s_load("dev");
    assert_non_null(cfg);
    assert_string_equal(cpw_config_profile(cfg), "dev");
    assert_string_equal(cpw_config_get(cfg, NULL, "region"), "us-east-1");
    cpw_config_destroy(cfg);
    s_remove_dir();
}

static void test_missing_files_are_empty(void **state)
{
    (void)state;
    s_make_dir();
    struct cpw_config *cfg = s_load(NULL);
    assert_non_null(cfg);
    assert_null(cpw_config_get(cfg, NULL, "region"));
    cpw_config_destroy(cfg);
    s_remove_dir();
}

static void test_malformed_files_say_where(void **state)
{
    (void)state;
    const char *bad[] = {
        "[default\nregion = x\n",
        "region = x\n",
        "[default]\nthis line has no equals\n",
        "[profile ]\nregion = x\n",
    };
    const unsigned lines[] = { 1, 1, 2, 1 };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        s_make_dir();
        s_write("config", bad[i]);
        struct cpw_config *cfg = s_load(NULL);
        assert_null(cfg);
        assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
        char where[64];
        snprintf(where, sizeof(where), "config:%u:", lines[i]);
        assert_non_null(strstr(cpw_last_error_detail(), where));
        s_remove_dir();
    }
}

/* A directory where the credentials file should be: refused as configuration, nothing leaked
 * (the harness counts allocations), and /dev/null still means "no file". */
static void test_non_regular_files_are_refused(void **state)
{
    (void)state;
    s_make_dir();
    char creds[128];
    snprintf(creds, sizeof(creds), "%s/credentials", s_dir);
    assert_int_equal(mkdir(creds, 0700), 0);
    struct cpw_config *cfg = s_load(NULL);
    assert_null(cfg);
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
    assert_non_null(
      strstr(cpw_last_error_detail(), "credentials is not a regular file (a directory)"));
    rmdir(creds);

    struct cpw_config_load_options opts = { .config_path = "/dev/null",
                                            .credentials_path = "/dev/null" };
    cfg = cpw_config_load(&opts);
    assert_non_null(cfg);
    assert_null(cpw_config_get(cfg, NULL, "region"));
    cpw_config_destroy(cfg);
    s_remove_dir();
}

/* The AWS CLI's reading (botocore over configparser): nested sub-settings under a key without a
 * value, lower-case keys, no inline comments, continuation lines, a section given twice adding
 * up, and values and names longer than any line buffer. */
static void test_aws_cli_semantics(void **state)
{
    (void)state;
    s_make_dir();
    s_write("config", "[profile dev]\n"
                      "Region = eu-west-2\n"
                      "s3 =\n"
                      "  max_concurrent_requests = 20\n"
                      "\n"
                      "  addressing_style=path\n"
                      "output = json ; kept\n"
                      "note = first\n"
                      "  second line\n"
                      "[services local]\n"
                      "customer_profiles =\n"
                      "  endpoint_url = http://127.0.0.1:4566\n"
                      "[profile other]\n"
                      "region = us-west-2\n"
                      "[profile dev]\n"
                      "region = us-east-1\n"
                      "retry_mode = adaptive\n");
    char creds[4096];
    char token[1501];
    for (size_t i = 0; i < sizeof(token) - 1; i++) {
        token[i] = (char)('a' + i % 26);
    }
    token[sizeof(token) - 1] = '\0';
    const char *long_name = "member-account-production-AdministratorAccess-012345678901";
    snprintf(creds, sizeof(creds),
             "[dev]\naws_access_key_id = AKIDEXAMPLE\naws_session_token = %s\n"
             "[%s]\naws_access_key_id = AKIDLONG\n",
             token, long_name);
    s_write("credentials", creds);
    struct cpw_config *cfg = s_load("dev");
    assert_non_null(cfg);
    assert_string_equal(cpw_config_get(cfg, NULL, "region"), "us-east-1"); /* the last wins */
    assert_string_equal(cpw_config_get(cfg, NULL, "retry_mode"), "adaptive");
    assert_string_equal(cpw_config_get(cfg, NULL, "s3.max_concurrent_requests"), "20");
    assert_string_equal(cpw_config_get(cfg, NULL, "s3.addressing_style"), "path");
    assert_null(cpw_config_get(cfg, NULL, "s3"));
    assert_string_equal(cpw_config_get(cfg, NULL, "output"), "json ; kept");
    assert_string_equal(cpw_config_get(cfg, NULL, "note"), "first\nsecond line");
    assert_string_equal(cpw_config_get(cfg, "other", "region"), "us-west-2");
    assert_string_equal(
      cpw_config_get_section(cfg, "services", "local", "customer_profiles.endpoint_url"),
      "http://127.0.0.1:4566");
    assert_string_equal(cpw_config_get(cfg, NULL, "aws_session_token"), token);
    assert_string_equal(cpw_config_get(cfg, long_name, "aws_access_key_id"), "AKIDLONG");
    assert_true(cpw_config_has_profile(cfg, long_name));
    cpw_config_destroy(cfg);
    s_remove_dir();
}

static void test_nested_block_needs_settings(void **state)
{
    (void)state;
    s_make_dir();
    s_write("config", "[default]\ns3 =\n  not a setting\n");
    assert_null(s_load(NULL));
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
    assert_non_null(
      strstr(cpw_last_error_detail(), "config:3: expected 'key = value' under 's3 ='"));
    s_remove_dir();
}

CPW_TEST_MAIN("config",
              CPW_TEST(test_profiles_and_precedence),
              CPW_TEST(test_missing_files_are_empty),
              CPW_TEST(test_malformed_files_say_where),
              CPW_TEST(test_non_regular_files_are_refused),
              CPW_TEST(test_aws_cli_semantics),
              CPW_TEST(test_nested_block_needs_settings))
