/*
 * test_credentials_process.c - credential_process: scripts written to a scratch directory that
 * succeed, print bad JSON or the wrong Version, exit non-zero, or hang past a small time limit.
 */
#include <sys/stat.h>

#include "credentials_fixture.h"

/* Writes an executable script HOME/name and a profile that runs it with args. */
static void s_script(struct fixture *f, const char *name, const char *body, const char *args)
{
    char path[256];
    fixture_write(f, name, body, path, sizeof(path));
    assert_int_equal(chmod(path, 0700), 0);
    char config[1024];
    snprintf(config, sizeof(config), "[profile %s]\ncredential_process = %s %s\n", name, path,
             args);
    FILE *file = fopen(f->config, "a");
    assert_non_null(file);
    fputs(config, file);
    fclose(file);
}

static void test_process_success(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    /* The script checks that quoting reached it as the CLI would split it. */
    s_script(&f, "ok",
             "#!/bin/sh\n"
             "[ \"$1\" = 'hello world' ] && [ \"$2\" = 'it'\"'\"'s' ] || exit 3\n"
             "cat <<'EOF'\n"
             "{\"Version\": 1, \"AccessKeyId\": \"ASIAPROCESS\",\n"
             " \"SecretAccessKey\": \"process-secret-key-0001\",\n"
             " \"SessionToken\": \"process-token-0001\",\n"
             " \"Expiration\": \"2030-01-01T00:00:00Z\", \"AccountId\": \"999999999999\"}\n"
             "EOF\n",
             "'hello world' \"it's\"");
    s_script(&f, "nosession",
             "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIALONG\", "
             "\"SecretAccessKey\": \"long-term-secret-0001\"}'\n",
             "");
    struct cpw_config *cfg = fixture_config(&f, NULL);
    struct cpw_credentials_options opts = { .config = cfg, .profile = "ok" };
    struct cpw_credentials c;
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.access_key_id, "ASIAPROCESS");
    assert_string_equal(c.secret_access_key, "process-secret-key-0001");
    assert_string_equal(c.session_token, "process-token-0001");
    assert_int_equal(c.expiration_ms, 1893456000000LL);
    assert_string_equal(c.account_id, "999999999999");
    assert_string_equal(c.source, "process");
    cpw_credentials_clean_up(&c);

    opts.profile = "nosession";
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.access_key_id, "AKIALONG");
    assert_null(c.session_token);
    assert_int_equal(c.expiration_ms, 0);
    cpw_credentials_clean_up(&c);
    cpw_config_destroy(cfg);
    fixture_end(&f);
}

static void test_process_bad_output(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    s_script(&f, "badjson",
             "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIAX\", "
             "\"SecretAccessKey\": \"half-printed-secret-0001\"'\n",
             "");
    s_script(&f, "version2",
             "#!/bin/sh\necho '{\"Version\": 2, \"AccessKeyId\": \"AKIAX\", "
             "\"SecretAccessKey\": \"version-two-secret-0001\"}'\n",
             "");
    s_script(&f, "nosecret", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIAX\"}'\n",
             "");
    s_script(&f, "badexpiry",
             "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIAX\", "
             "\"SecretAccessKey\": \"expiry-secret-0001\", \"Expiration\": \"tomorrow\"}'\n",
             "");
    struct cpw_config *cfg = fixture_config(&f, NULL);
    struct cpw_credentials_options opts = { .config = cfg };
    const struct {
        const char *profile;
        const char *expected;
        const char *secret;
    } cases[] = {
        { "badjson", "did not print a JSON object", "half-printed-secret-0001" },
        { "version2", "unsupported Version (only 1 is supported)", "version-two-secret-0001" },
        { "nosecret", "SecretAccessKey is missing", NULL },
        { "badexpiry", "Expiration is not an ISO 8601 timestamp", "expiry-secret-0001" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        opts.profile = cases[i].profile;
        const char *detail = expect_failure(&opts);
        assert_contains(detail, "process: profile '");
        assert_contains(detail, cases[i].expected);
        if (cases[i].secret) {
            assert_null(strstr(detail, cases[i].secret));
        }
    }
    cpw_config_destroy(cfg);
    fixture_end(&f);
}

static void test_process_failure_shows_stderr_without_secrets(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    s_script(&f, "fails",
             "#!/bin/sh\n"
             "echo 'partial {\"SecretAccessKey\": \"stdout-secret-0001\"'\n"
             "echo 'login failed: \"SecretAccessKey\": \"stderr-secret-0001\"' >&2\n"
             "exit 7\n",
             "");
    FILE *file = fopen(f.config, "a");
    assert_non_null(file);
    fputs("[profile absent]\ncredential_process = /nonexistent/cpw-helper --flag\n"
          "[profile unterminated]\ncredential_process = helper 'open\n",
          file);
    fclose(file);
    struct cpw_config *cfg = fixture_config(&f, NULL);
    struct cpw_credentials_options opts = { .config = cfg, .profile = "fails" };
    const char *detail = expect_failure(&opts);
    assert_contains(detail, "process: profile 'fails'");
    assert_contains(detail, "exit status 7");
    assert_contains(detail, "login failed");
    assert_null(strstr(detail, "stderr-secret-0001"));
    assert_null(strstr(detail, "stdout-secret-0001"));

    opts.profile = "absent";
    detail = expect_failure(&opts);
    assert_contains(detail, "cannot start '/nonexistent/cpw-helper'");

    opts.profile = "unterminated";
    detail = expect_failure(&opts);
    assert_contains(detail, "unterminated quote");
    cpw_config_destroy(cfg);
    fixture_end(&f);
}

/* What a failing helper may print on stderr: its JSON, keys of every shape, a terminal escape. */
static void test_process_stderr_is_redacted_and_printable(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    s_script(&f, "leaky",
             "#!/bin/sh\n"
             "printf '%s\\n' 'debug: {\"AccessKeyId\": \"ASIAJSONFIELD0000001\", "
             "\"SecretAccessKey\":\"json/secret+value\", \"SessionToken\" : \"tok-0001\"}' >&2\n"
             "printf '%s\\n' 'raw key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY in the cache' >&2\n"
             "printf '%s\\n' 'id AKIAIOSFODNN7EXAMPLE token "
             "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample' >&2\n"
             "printf 'in /usr/local/bin/helper\\033[2J\\n' >&2\n"
             "printf 'aws_session_token=plain-token-0001\\n' >&2\n"
             "exit 2\n",
             "");
    struct cpw_config *cfg = fixture_config(&f, NULL);
    struct cpw_credentials_options opts = { .config = cfg, .profile = "leaky" };
    const char *detail = expect_failure(&opts);
    assert_contains(detail, "exit status 2");
    assert_contains(detail, "\"AccessKeyId\": \"[redacted]\"");
    /* The log's redactor masks these shapes too ("****"), whichever runs last. */
    assert_contains(detail, "\"SecretAccessKey\":");
    assert_contains(detail, "\"SessionToken\" : ");
    assert_contains(detail, "aws_session_token=");
    assert_contains(detail, "raw key [redacted] in the cache");
    assert_contains(detail, "id [redacted] token [redacted]");
    assert_contains(detail, "/usr/local/bin/helper\\x1b[2J"); /* paths stay, ESC is shown */
    const char *secrets[] = { "ASIAJSONFIELD", "json/secret",  "tok-0001",         "wJalrXUtnFEMI",
                              "AKIAIOSFODNN7", "IQoJb3JpZ2lu", "plain-token-0001", "\x1b" };
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        assert_null(strstr(detail, secrets[i]));
    }
    cpw_config_destroy(cfg);
    fixture_end(&f);
}

static void test_process_timeout(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    /* The script's child keeps stdout open too: the whole process group must be killed. */
    s_script(&f, "hangs", "#!/bin/sh\nsleep 30 &\nsleep 30\n", "");
    struct cpw_config *cfg = fixture_config(&f, NULL);
    struct cpw_credentials_options opts = { .config = cfg,
                                            .profile = "hangs",
                                            .process_timeout_ms = 300 };
    int64_t start = cpw_time_monotonic_ms();
    const char *detail = expect_failure(&opts);
    int64_t elapsed = cpw_time_monotonic_ms() - start;
    assert_contains(detail, "did not finish within 300 ms");
    assert_true(elapsed >= 300);
    assert_true(elapsed < 10000);
    cpw_config_destroy(cfg);
    fixture_end(&f);
}

static void test_process_as_source_profile(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    s_script(&f, "helper",
             "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIAHELPER\", "
             "\"SecretAccessKey\": \"helper-secret-0001\"}'\n",
             "");
    FILE *file = fopen(f.config, "a");
    assert_non_null(file);
    fputs("[profile role]\nrole_arn = arn:aws:iam::131313131313:role/R\nsource_profile = helper\n",
          file);
    fclose(file);
    struct cpw_config *cfg = fixture_config(&f, NULL);
    struct fake_aws fake;
    fake_init(&fake);
    struct cpw_credentials_options opts = fixture_options(cfg, &fake);
    opts.profile = "role";
    struct cpw_credentials c;
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_int_equal(fake.count, 1);
    assert_string_equal(fake.calls[0].source_akid, "AKIAHELPER");
    assert_string_equal(c.source, "assume-role");
    assert_string_equal(c.account_id, "131313131313");
    cpw_credentials_clean_up(&c);
    fake_clean_up(&fake);
    cpw_config_destroy(cfg);
    fixture_end(&f);
}

CPW_TEST_MAIN("credentials_process",
              CPW_TEST(test_process_success),
              CPW_TEST(test_process_bad_output),
              CPW_TEST(test_process_failure_shows_stderr_without_secrets),
              CPW_TEST(test_process_stderr_is_redacted_and_printable),
              CPW_TEST(test_process_timeout),
              CPW_TEST(test_process_as_source_profile))
