/*
 * test_settings.c - per-command client settings: each precedence step flips the answer, bad
 * values are clear errors naming their origin. Environment variables are set and restored
 * inside each test; config files live in a temp dir.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/config.h"
#include "cpw/error.h"
#include "cpw/model.h"
#include "cpw/settings.h"
#include "harness.h"

static const char *const s_env_names[] = {
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "AWS_CA_BUNDLE",
    "AWS_DEFAULT_OUTPUT",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_ENDPOINT_URL",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
};

static void s_clear_env(void)
{
    for (size_t i = 0; i < sizeof(s_env_names) / sizeof(s_env_names[0]); i++) {
        unsetenv(s_env_names[i]);
    }
}

static char s_dir[64];
static char s_config_path[128];
static char s_creds_path[128];

/* Writes the config file and points AWS_CONFIG_FILE (and an absent credentials file) at it. */
static void s_files(const char *config_text)
{
    snprintf(s_dir, sizeof(s_dir), "/tmp/cpw-settings-XXXXXX");
    assert_non_null(mkdtemp(s_dir));
    snprintf(s_config_path, sizeof(s_config_path), "%s/config", s_dir);
    snprintf(s_creds_path, sizeof(s_creds_path), "%s/credentials", s_dir);
    FILE *f = fopen(s_config_path, "w");
    assert_non_null(f);
    fputs(config_text, f);
    fclose(f);
    setenv("AWS_CONFIG_FILE", s_config_path, 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", s_creds_path, 1);
}

static void s_remove_files(void)
{
    unlink(s_config_path);
    rmdir(s_dir);
    s_clear_env();
    cpw_model_clean_up();
}

static const char s_config_text[] = "[default]\n"
                                    "region = eu-west-1\n"
                                    "max_attempts = 7\n"
                                    "retry_mode = adaptive\n"
                                    "ca_bundle = /etc/profile-ca.pem\n"
                                    "output = csv\n"
                                    "use_fips_endpoint = true\n"
                                    "use_dualstack_endpoint = true\n"
                                    "ignore_configured_endpoint_urls = true\n"
                                    "endpoint_url = http://127.0.0.1:5005\n"
                                    "[profile dev]\n"
                                    "region = ap-south-1\n"
                                    "[profile broken]\n"
                                    "region = euwest1\n"
                                    "[profile legacy]\n"
                                    "region = us-east-1\n"
                                    "retry_mode = legacy\n";

static struct cpw_settings_options s_opts(void)
{
    return (struct cpw_settings_options){ .use_fips = -1, .use_dualstack = -1 };
}

static void s_expect_origin(const struct cpw_setting_origin *o, const char *text)
{
    struct cpw_buf buf;
    cpw_buf_init(&buf, 256);
    assert_int_equal(cpw_setting_origin_describe(o, &buf), 0);
    assert_string_equal(cpw_buf_cstr(&buf), text);
    cpw_buf_clean_up(&buf);
}

static void s_expect_error(const struct cpw_settings_options *opts, const char *needle)
{
    struct cpw_settings s;
    assert_int_equal(cpw_settings_resolve(opts, &s), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
    if (!strstr(cpw_last_error_detail(), needle)) {
        fail_msg("'%s' not in '%s'", needle, cpw_last_error_detail());
    }
    assert_null(s.region);
}

static void test_region_precedence(void **state)
{
    (void)state;
    s_clear_env();
    s_files(s_config_text);
    struct cpw_settings_options opts = s_opts();
    struct cpw_settings s;

    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_string_equal(s.region, "eu-west-1");
    s_expect_origin(&s.region_origin, "profile default (region)");
    s_expect_origin(&s.profile_origin, "default");
    cpw_settings_clean_up(&s);

    setenv("AWS_DEFAULT_REGION", "us-west-2", 1);
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_string_equal(s.region, "us-west-2");
    s_expect_origin(&s.region_origin, "env AWS_DEFAULT_REGION");
    cpw_settings_clean_up(&s);

    setenv("AWS_REGION", "ca-central-1", 1);
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_string_equal(s.region, "ca-central-1");
    s_expect_origin(&s.region_origin, "env AWS_REGION");
    cpw_settings_clean_up(&s);

    opts.region = "ap-northeast-1";
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_string_equal(s.region, "ap-northeast-1");
    s_expect_origin(&s.region_origin, "option --region");
    cpw_settings_clean_up(&s);
    s_remove_files();
}

static void test_profile_selection(void **state)
{
    (void)state;
    s_clear_env();
    s_files(s_config_text);
    struct cpw_settings_options opts = s_opts();
    struct cpw_settings s;
    setenv("AWS_PROFILE", "dev", 1);
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_string_equal(s.profile, "dev");
    assert_string_equal(s.region, "ap-south-1");
    s_expect_origin(&s.profile_origin, "env AWS_PROFILE");
    s_expect_origin(&s.region_origin, "profile dev (region)");
    /* dev sets none of these: the defaults apply. */
    assert_int_equal(s.max_attempts, 3);
    assert_int_equal(s.retry_mode, CPW_RETRY_MODE_STANDARD);
    assert_int_equal(s.output, CPW_OUTPUT_TABLE);
    assert_false(s.use_fips);
    assert_null(s.ca_bundle);
    assert_int_equal(s.connect_timeout_ms, CPW_SETTINGS_DEFAULT_TIMEOUT_MS);
    cpw_settings_clean_up(&s);

    opts.profile = "legacy";
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_string_equal(s.profile, "legacy");
    s_expect_origin(&s.profile_origin, "option --profile");
    assert_int_equal(s.retry_mode, CPW_RETRY_MODE_LEGACY);
    assert_int_equal(s.max_attempts, 5); /* legacy's default */
    s_expect_origin(&s.max_attempts_origin, "default");
    cpw_settings_clean_up(&s);

    /* A profile someone asked for must exist. */
    opts.profile = "nosuch";
    s_expect_error(&opts, "option --profile: the config profile 'nosuch' could not be found");
    opts.profile = NULL;
    setenv("AWS_PROFILE", "typo", 1);
    s_expect_error(&opts, "env AWS_PROFILE: the config profile 'typo' could not be found");
    s_remove_files();
}

static void test_missing_and_bad_region(void **state)
{
    (void)state;
    s_clear_env();
    s_files("[profile empty]\noutput = json\n[profile broken]\nregion = euwest1\n");
    struct cpw_settings_options opts = s_opts();
    opts.profile = "empty";
    s_expect_error(&opts, "You must specify a region");
    opts.region_optional = true;
    struct cpw_settings s;
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_null(s.region);
    cpw_settings_clean_up(&s);
    opts.region_optional = false;
    opts.profile = "broken";
    s_expect_error(&opts, "profile broken (region): 'euwest1' is not a valid region name");
    opts.region = "us-east-1 ";
    s_expect_error(&opts, "option --region");
    s_remove_files();
}

static void test_retry_settings(void **state)
{
    (void)state;
    s_clear_env();
    s_files(s_config_text);
    struct cpw_settings_options opts = s_opts();
    struct cpw_settings s;
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_int_equal(s.max_attempts, 7);
    s_expect_origin(&s.max_attempts_origin, "profile default (max_attempts)");
    assert_int_equal(s.retry_mode, CPW_RETRY_MODE_ADAPTIVE);
    assert_string_equal(cpw_retry_mode_name(s.retry_mode), "adaptive");
    cpw_settings_clean_up(&s);

    setenv("AWS_MAX_ATTEMPTS", "2", 1);
    setenv("AWS_RETRY_MODE", "legacy", 1);
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_int_equal(s.max_attempts, 2);
    s_expect_origin(&s.max_attempts_origin, "env AWS_MAX_ATTEMPTS");
    assert_int_equal(s.retry_mode, CPW_RETRY_MODE_LEGACY);
    s_expect_origin(&s.retry_mode_origin, "env AWS_RETRY_MODE");
    cpw_settings_clean_up(&s);

    const char *bad_attempts[] = { "abc", "0", "-1", "3.5", " 3", "101", "99999999999999999999" };
    for (size_t i = 0; i < sizeof(bad_attempts) / sizeof(bad_attempts[0]); i++) {
        setenv("AWS_MAX_ATTEMPTS", bad_attempts[i], 1);
        s_expect_error(&opts, "env AWS_MAX_ATTEMPTS: max attempts");
        assert_non_null(strstr(cpw_last_error_detail(), bad_attempts[i]));
    }
    unsetenv("AWS_MAX_ATTEMPTS");
    const char *bad_modes[] = { "fast", "Standard", "retry" };
    for (size_t i = 0; i < sizeof(bad_modes) / sizeof(bad_modes[0]); i++) {
        setenv("AWS_RETRY_MODE", bad_modes[i], 1);
        s_expect_error(&opts, "env AWS_RETRY_MODE: retry mode");
        assert_non_null(strstr(cpw_last_error_detail(), bad_modes[i]));
    }
    s_remove_files();

    /* A bad profile value names the profile and key. */
    s_files("[default]\nregion = us-east-1\nmax_attempts = zero\n");
    s_expect_error(&opts, "profile default (max_attempts)");
    s_remove_files();
}

static void test_ca_bundle_and_timeouts(void **state)
{
    (void)state;
    s_clear_env();
    s_files(s_config_text);
    struct cpw_settings_options opts = s_opts();
    opts.use_fips = 0;
    opts.use_dualstack = 0;
    struct cpw_settings s;
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_string_equal(s.ca_bundle, "/etc/profile-ca.pem");
    s_expect_origin(&s.ca_bundle_origin, "profile default (ca_bundle)");
    s_expect_origin(&s.connect_timeout_origin, "default");
    cpw_settings_clean_up(&s);

    setenv("AWS_CA_BUNDLE", "/tmp/env-ca.pem", 1);
    opts.connect_timeout_ms = 1500;
    opts.read_timeout_ms = 2500;
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_string_equal(s.ca_bundle, "/tmp/env-ca.pem");
    s_expect_origin(&s.ca_bundle_origin, "env AWS_CA_BUNDLE");
    assert_int_equal(s.connect_timeout_ms, 1500);
    assert_int_equal(s.read_timeout_ms, 2500);
    s_expect_origin(&s.read_timeout_origin, "option --read-timeout");
    cpw_settings_clean_up(&s);
    s_remove_files();
}

static void test_output_format(void **state)
{
    (void)state;
    s_clear_env();
    s_files(s_config_text);
    struct cpw_settings_options opts = s_opts();
    opts.use_fips = 0;
    opts.use_dualstack = 0;
    struct cpw_settings s;
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_int_equal(s.output, CPW_OUTPUT_CSV);
    s_expect_origin(&s.output_origin, "profile default (output)");
    cpw_settings_clean_up(&s);

    setenv("AWS_DEFAULT_OUTPUT", "markdown", 1);
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_int_equal(s.output, CPW_OUTPUT_MARKDOWN);
    assert_string_equal(cpw_output_format_name(s.output), "markdown");
    cpw_settings_clean_up(&s);

    opts.output = "json";
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_int_equal(s.output, CPW_OUTPUT_JSON);
    s_expect_origin(&s.output_origin, "option --output");
    cpw_settings_clean_up(&s);

    /* The AWS CLI's other formats resolve (a profile's "output = text" is no error); each
     * command writes them or its default, and the command line refuses an explicit one the
     * command does not offer. */
    static const char *const aws_cli_formats[] = { "text", "yaml", "yaml-stream" };
    for (size_t i = 0; i < 3; i++) {
        opts.output = aws_cli_formats[i];
        assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
        assert_int_equal(s.output, CPW_OUTPUT_TEXT);
        assert_string_equal(cpw_output_format_name(s.output), "text");
        cpw_settings_clean_up(&s);
    }
    opts.output = NULL;
    setenv("AWS_DEFAULT_OUTPUT", "xml", 1);
    s_expect_error(&opts, "env AWS_DEFAULT_OUTPUT: output format 'xml' is not valid");
    s_remove_files();
}

static void test_fips_dualstack_flags(void **state)
{
    (void)state;
    s_clear_env();
    s_files(s_config_text);
    struct cpw_settings_options opts = s_opts();
    struct cpw_settings s;
    /* The profile turns both on. */
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_true(s.use_fips);
    assert_true(s.use_dualstack);
    assert_true(s.ignore_configured_endpoint_urls);
    s_expect_origin(&s.use_fips_origin, "profile default (use_fips_endpoint)");
    cpw_settings_clean_up(&s);
    /* The environment overrides the profile. */
    setenv("AWS_USE_FIPS_ENDPOINT", "FALSE", 1);
    setenv("AWS_USE_DUALSTACK_ENDPOINT", "false", 1);
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false", 1);
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_false(s.use_fips);
    assert_false(s.use_dualstack);
    assert_false(s.ignore_configured_endpoint_urls);
    s_expect_origin(&s.use_dualstack_origin, "env AWS_USE_DUALSTACK_ENDPOINT");
    cpw_settings_clean_up(&s);
    /* The option overrides the environment. */
    opts.use_fips = 1;
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_true(s.use_fips);
    s_expect_origin(&s.use_fips_origin, "option --fips");
    cpw_settings_clean_up(&s);
    setenv("AWS_USE_FIPS_ENDPOINT", "yes", 1);
    opts.use_fips = -1;
    s_expect_error(&opts, "env AWS_USE_FIPS_ENDPOINT: 'yes' is not a boolean");
    s_remove_files();
}

static void test_settings_endpoint(void **state)
{
    (void)state;
    s_clear_env();
    s_files(s_config_text);
    struct cpw_settings_options opts = s_opts();
    opts.use_fips = 0;
    opts.use_dualstack = 0;
    struct cpw_settings s;
    struct cpw_endpoint ep;
    /* The profile ignores configured URLs: IAM goes to the global default. */
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_int_equal(cpw_settings_endpoint(&s, "iam", NULL, &ep), 0);
    assert_string_equal(ep.url, "https://iam.amazonaws.com");
    cpw_endpoint_clean_up(&ep);
    /* One region of a sweep. */
    assert_int_equal(cpw_settings_endpoint(&s, "customer-profiles", "eu-west-2", &ep), 0);
    assert_string_equal(ep.url, "https://profile.eu-west-2.amazonaws.com");
    assert_string_equal(ep.signing_region, "eu-west-2");
    cpw_endpoint_clean_up(&ep);
    cpw_settings_clean_up(&s);
    /* The environment turns ignoring off: the profile's endpoint_url applies. */
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false", 1);
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_int_equal(cpw_settings_endpoint(&s, "iam", NULL, &ep), 0);
    assert_string_equal(ep.url, "http://127.0.0.1:5005");
    assert_string_equal(ep.signing_region, "eu-west-1");
    cpw_endpoint_clean_up(&ep);
    cpw_settings_clean_up(&s);
    /* The option wins and is checked once, up front. */
    opts.endpoint_url = "http://127.0.0.1:4566";
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_int_equal(cpw_settings_endpoint(&s, "iam", NULL, &ep), 0);
    assert_string_equal(ep.url, "http://127.0.0.1:4566");
    s_expect_origin(&s.profile_origin, "default");
    cpw_endpoint_clean_up(&ep);
    cpw_settings_clean_up(&s);
    opts.endpoint_url = "127.0.0.1:4566";
    s_expect_error(&opts, "--endpoint-url");
    s_remove_files();
}

static void test_describe(void **state)
{
    (void)state;
    s_clear_env();
    s_files(s_config_text);
    setenv("AWS_PROFILE", "dev", 1);
    setenv("AWS_MAX_ATTEMPTS", "4", 1);
    struct cpw_settings_options opts = s_opts();
    opts.output = "json";
    struct cpw_settings s;
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    struct cpw_buf text;
    cpw_buf_init(&text, 4096);
    assert_int_equal(cpw_settings_describe(&s, &text), 0);
    const char *t = cpw_buf_cstr(&text);
    assert_non_null(strstr(t, "profile = dev (env AWS_PROFILE)\n"));
    assert_non_null(strstr(t, "region = ap-south-1 (profile dev (region))\n"));
    assert_non_null(strstr(t, "max_attempts = 4 (env AWS_MAX_ATTEMPTS)\n"));
    assert_non_null(strstr(t, "retry_mode = standard (default)\n"));
    assert_non_null(strstr(t, "output = json (option --output)\n"));
    assert_non_null(strstr(t, "read_timeout = 60000 ms (default)\n"));
    cpw_buf_clean_up(&text);
    cpw_settings_clean_up(&s);
    s_remove_files();
}

static void test_borrowed_config(void **state)
{
    (void)state;
    s_clear_env();
    s_files(s_config_text);
    struct cpw_config_load_options load = { .config_path = s_config_path,
                                            .credentials_path = s_creds_path,
                                            .profile = "dev" };
    struct cpw_config *cfg = cpw_config_load(&load);
    assert_non_null(cfg);
    struct cpw_settings_options opts = s_opts();
    opts.config = cfg;
    opts.profile = "dev";
    struct cpw_settings s;
    assert_int_equal(cpw_settings_resolve(&opts, &s), 0);
    assert_string_equal(s.profile, "dev");
    assert_string_equal(s.region, "ap-south-1");
    assert_ptr_equal(s.config, cfg);
    s_expect_origin(&s.profile_origin, "option --profile");
    cpw_settings_clean_up(&s);
    cpw_config_destroy(cfg);
    s_remove_files();
}

CPW_TEST_MAIN("settings",
              CPW_TEST(test_region_precedence),
              CPW_TEST(test_profile_selection),
              CPW_TEST(test_missing_and_bad_region),
              CPW_TEST(test_retry_settings),
              CPW_TEST(test_ca_bundle_and_timeouts),
              CPW_TEST(test_output_format),
              CPW_TEST(test_fips_dualstack_flags),
              CPW_TEST(test_settings_endpoint),
              CPW_TEST(test_describe),
              CPW_TEST(test_borrowed_config))
