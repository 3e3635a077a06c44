/*
 * test_credentials.c - the credential chain: environment, profiles, assume-role chains, web
 * identity, SSO, the "no credentials" summary, caching and refresh, and that no error ever
 * prints a secret.
 */
#include "credentials_fixture.h"

#define EXAMPLE_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

static void test_environment(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    setenv("AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", EXAMPLE_SECRET, 1);
    setenv("AWS_SESSION_TOKEN", "env-session-token-1234", 1);
    setenv("AWS_CREDENTIAL_EXPIRATION", "2030-01-01T00:00:00Z", 1);
    struct cpw_credentials_options opts = { 0 };
    struct cpw_credentials c;
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.access_key_id, "AKIAENVEXAMPLE");
    assert_string_equal(c.secret_access_key, EXAMPLE_SECRET);
    assert_string_equal(c.session_token, "env-session-token-1234");
    assert_int_equal(c.expiration_ms, 1893456000000LL);
    assert_string_equal(c.source, "environment");
    cpw_credentials_clean_up(&c);
    assert_null(c.secret_access_key);

    /* A key without a secret says which one is missing. */
    unsetenv("AWS_SECRET_ACCESS_KEY");
    const char *detail = expect_failure(&opts);
    assert_contains(detail, "environment");
    assert_contains(detail, "AWS_ACCESS_KEY_ID is set but not AWS_SECRET_ACCESS_KEY");

    /* A secret without a key: the message names the key and never shows the secret. */
    unsetenv("AWS_ACCESS_KEY_ID");
    setenv("AWS_SECRET_ACCESS_KEY", EXAMPLE_SECRET, 1);
    detail = expect_failure(&opts);
    assert_contains(detail, "a secret key is set but not AWS_ACCESS_KEY_ID");
    assert_null(strstr(detail, EXAMPLE_SECRET));
    fixture_end(&f);
}

static void test_static_profiles_and_file_order(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    fixture_write(&f, ".aws/credentials",
                  "[default]\naws_access_key_id = AKIACREDSFILE\n"
                  "aws_secret_access_key = secret-from-credentials-file\n"
                  "aws_session_token = token-from-credentials-file\n",
                  NULL, 0);
    /* credential_process in the config file loses to the credentials file's keys (it would
     * fail if it ran), and wins over the config file's own keys. */
    fixture_write(&f, ".aws/config",
                  "[default]\ncredential_process = /bin/false\n"
                  "[profile cfg]\naws_access_key_id = AKIACONFIGFILE\n"
                  "aws_secret_access_key = secret-from-config-file\n"
                  "aws_account_id = 123456789012\n",
                  NULL, 0);
    struct cpw_config *cfg = fixture_config(&f, NULL);
    struct cpw_credentials_options opts = { .config = cfg };
    struct cpw_credentials c;
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.access_key_id, "AKIACREDSFILE");
    assert_string_equal(c.session_token, "token-from-credentials-file");
    assert_string_equal(c.source, "shared-credentials-file");
    assert_int_equal(c.expiration_ms, 0);
    cpw_credentials_clean_up(&c);

    opts.profile = "cfg";
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.access_key_id, "AKIACONFIGFILE");
    assert_string_equal(c.source, "config-file");
    assert_string_equal(c.account_id, "123456789012");
    assert_null(c.session_token);
    cpw_credentials_clean_up(&c);
    cpw_config_destroy(cfg);

    /* The files found the default way: $HOME/.aws/..., and AWS_CONFIG_FILE over it. */
    cfg = cpw_config_load(NULL);
    assert_non_null(cfg);
    opts = (struct cpw_credentials_options){ .config = cfg, .profile = "cfg" };
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.access_key_id, "AKIACONFIGFILE");
    cpw_credentials_clean_up(&c);
    cpw_config_destroy(cfg);
    char other[256];
    fixture_write(&f, "other-config",
                  "[profile cfg]\naws_access_key_id = AKIAOTHERFILE\n"
                  "aws_secret_access_key = other-secret-0001\n",
                  other, sizeof(other));
    setenv("AWS_CONFIG_FILE", other, 1);
    cfg = cpw_config_load(NULL);
    assert_non_null(cfg);
    opts.config = cfg;
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.access_key_id, "AKIAOTHERFILE");
    cpw_credentials_clean_up(&c);
    cpw_config_destroy(cfg);
    fixture_end(&f);
}

static void test_environment_beats_profile_unless_profile_is_explicit(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    fixture_write(&f, ".aws/credentials",
                  "[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = dev-secret-key\n",
                  NULL, 0);
    setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "env-secret-key", 1);
    setenv("AWS_PROFILE", "dev", 1);
    struct cpw_config *cfg = fixture_config(&f, NULL);
    struct cpw_credentials_options opts = { .config = cfg };
    struct cpw_credentials c;
    /* AWS_PROFILE does not override the environment's keys... */
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.access_key_id, "AKIAENV");
    cpw_credentials_clean_up(&c);
    /* ...an explicit profile (--profile) does. */
    opts.profile = "dev";
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.access_key_id, "AKIADEV");
    assert_string_equal(c.source, "shared-credentials-file");
    cpw_credentials_clean_up(&c);
    cpw_config_destroy(cfg);
    fixture_end(&f);
}

static void test_profile_errors_never_print_secrets(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    fixture_write(&f, ".aws/credentials",
                  "[nokey]\naws_secret_access_key = lonely-secret-value-123\n"
                  "[spacey]\naws_access_key_id = AKIASPACEY\n"
                  "aws_secret_access_key = bad secret-value-with-space\n"
                  "[nosecret]\naws_access_key_id = AKIANOSECRET\n",
                  NULL, 0);
    struct cpw_config *cfg = fixture_config(&f, NULL);
    struct cpw_credentials_options opts = { .config = cfg, .profile = "nokey" };
    const char *detail = expect_failure(&opts);
    assert_contains(detail, "profile 'nokey'");
    assert_contains(detail, "a secret key is set but not aws_access_key_id");
    assert_null(strstr(detail, "lonely-secret-value-123"));

    opts.profile = "spacey";
    detail = expect_failure(&opts);
    assert_contains(detail, "secret access key for AKIASPACEY contains spaces");
    assert_null(strstr(detail, "secret-value-with-space"));

    opts.profile = "nosecret";
    detail = expect_failure(&opts);
    assert_contains(detail, "aws_access_key_id is set but not aws_secret_access_key");

    opts.profile = "nope";
    detail = expect_failure(&opts);
    assert_contains(detail, "profile 'nope' does not exist");
    cpw_config_destroy(cfg);
    fixture_end(&f);
}

static void test_no_credentials_lists_every_source(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    struct cpw_credentials_options opts = { 0 };
    const char *detail = expect_failure(&opts);
    const char *order[] = {
        "no credentials found; run 'aws configure'",
        "Tried: environment: AWS_ACCESS_KEY_ID not set",
        "web-identity: AWS_WEB_IDENTITY_TOKEN_FILE not set",
        "profile 'default': not in the config or credentials file",
        "container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "imds: disabled by AWS_EC2_METADATA_DISABLED",
    };
    const char *at = detail;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        const char *found = strstr(at, order[i]);
        if (!found) {
            fail_msg("'%s' missing (in order) from: %s", order[i], detail);
        }
        at = found;
    }
    fixture_end(&f);
}

static const char *const s_chain_config =
  "[profile top]\n"
  "role_arn = arn:aws:iam::111111111111:role/Top\n"
  "source_profile = middle\n"
  "external_id = ext-123\n"
  "role_session_name = my-session\n"
  "duration_seconds = 1800\n"
  "region = eu-west-1\n"
  "[profile middle]\n"
  "role_arn = arn:aws:iam::222222222222:role/Middle\n"
  "source_profile = base\n"
  "[profile base]\n"
  "region = ap-south-1\n"
  "[profile loop-a]\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = loop-b\n"
  "[profile loop-b]\nrole_arn = arn:aws:iam::111111111111:role/B\nsource_profile = loop-c\n"
  "[profile loop-c]\nrole_arn = arn:aws:iam::111111111111:role/C\nsource_profile = loop-b\n"
  "[profile self-keys]\nrole_arn = arn:aws:iam::333333333333:role/Self\n"
  "source_profile = self-keys\n"
  "[profile self-nokeys]\nrole_arn = arn:aws:iam::333333333333:role/Self\n"
  "source_profile = self-nokeys\n"
  "[profile mfa]\nrole_arn = arn:aws:iam::111111111111:role/Mfa\nsource_profile = base\n"
  "mfa_serial = arn:aws:iam::111111111111:mfa/me\n"
  "[profile both]\nrole_arn = arn:aws:iam::111111111111:role/X\nsource_profile = base\n"
  "credential_source = Environment\n"
  "[profile neither]\nrole_arn = arn:aws:iam::111111111111:role/X\n"
  "[profile strange-source]\nrole_arn = arn:aws:iam::111111111111:role/X\n"
  "credential_source = Floppy\n"
  "[profile dangling]\nrole_arn = arn:aws:iam::111111111111:role/X\nsource_profile = ghost\n"
  "[profile from-env]\nrole_arn = arn:aws:iam::444444444444:role/FromEnv\n"
  "credential_source = Environment\n"
  "[profile short]\nrole_arn = arn:aws:iam::111111111111:role/X\nsource_profile = base\n"
  "duration_seconds = 60\n";

static const char *const s_chain_credentials =
  "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret-key-0001\n"
  "[self-keys]\naws_access_key_id = AKIASELF\naws_secret_access_key = self-secret-key-0001\n";

static void test_assume_role_chain(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    fixture_write(&f, ".aws/config", s_chain_config, NULL, 0);
    fixture_write(&f, ".aws/credentials", s_chain_credentials, NULL, 0);
    cpw_time_pin_ms(1700000000000LL);
    struct cpw_config *cfg = fixture_config(&f, "top");
    struct fake_aws fake;
    fake_init(&fake);
    struct cpw_credentials_options opts = fixture_options(cfg, &fake);
    struct cpw_credentials c;
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);

    /* base's keys assume Middle, whose credentials assume Top. */
    assert_int_equal(fake.count, 2);
    assert_string_equal(fake.calls[0].service, "sts");
    assert_string_equal(fake.calls[0].operation, "AssumeRole");
    assert_string_equal(fake_input(&fake, 0, "RoleArn"), "arn:aws:iam::222222222222:role/Middle");
    assert_string_equal(fake_input(&fake, 0, "RoleSessionName"), "cpwarden-session-1700000000");
    assert_null(fake_input(&fake, 0, "ExternalId"));
    assert_null(json_object_get(fake.calls[0].input, "DurationSeconds"));
    assert_string_equal(fake.calls[0].source_akid, "AKIABASE");
    assert_string_equal(fake.calls[0].region, "us-east-1");

    assert_string_equal(fake_input(&fake, 1, "RoleArn"), "arn:aws:iam::111111111111:role/Top");
    assert_string_equal(fake_input(&fake, 1, "RoleSessionName"), "my-session");
    assert_string_equal(fake_input(&fake, 1, "ExternalId"), "ext-123");
    assert_int_equal(json_integer_value(json_object_get(fake.calls[1].input, "DurationSeconds")),
                     1800);
    assert_string_equal(fake.calls[1].source_akid, "ASIAFAKE1");
    assert_string_equal(fake.calls[1].region, "eu-west-1");

    assert_string_equal(c.access_key_id, "ASIAFAKE2");
    assert_string_equal(c.session_token, "fake-token-2-FwoGZXIvYXdzEJr");
    assert_string_equal(c.source, "assume-role");
    assert_string_equal(c.account_id, "111111111111");
    assert_int_equal(c.expiration_ms, 1700000000000LL + 3600000);
    cpw_credentials_clean_up(&c);

    /* A profile that is its own source uses its static keys for the one call. */
    fake_clean_up(&fake);
    fake_init(&fake);
    opts.profile = "self-keys";
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_int_equal(fake.count, 1);
    assert_string_equal(fake.calls[0].source_akid, "AKIASELF");
    assert_string_equal(c.account_id, "333333333333");
    cpw_credentials_clean_up(&c);

    /* credential_source = Environment, under an explicit profile (which skips the environment
     * source itself). */
    fake_clean_up(&fake);
    fake_init(&fake);
    setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "env-secret-key-0001", 1);
    opts.profile = "from-env";
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_int_equal(fake.count, 1);
    assert_string_equal(fake.calls[0].source_akid, "AKIAFROMENV");
    assert_string_equal(c.source, "assume-role");
    cpw_credentials_clean_up(&c);
    unsetenv("AWS_ACCESS_KEY_ID");
    const char *detail = expect_failure(&opts);
    assert_contains(detail, "assume-role: profile 'from-env': credential_source Environment: "
                            "environment: a secret key is set but not AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    detail = expect_failure(&opts);
    assert_contains(detail, "credential_source Environment gave no credentials");
    fake_clean_up(&fake);
    cpw_config_destroy(cfg);
    fixture_end(&f);
}

static void test_assume_role_loops_and_errors(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    fixture_write(&f, ".aws/config", s_chain_config, NULL, 0);
    fixture_write(&f, ".aws/credentials", s_chain_credentials, NULL, 0);
    struct cpw_config *cfg = fixture_config(&f, NULL);
    struct fake_aws fake;
    fake_init(&fake);
    struct cpw_credentials_options opts = fixture_options(cfg, &fake);
    const struct {
        const char *profile;
        const char *expected;
    } cases[] = {
        { "loop-a", "profile loop: loop-b -> loop-c -> loop-b" },
        { "self-nokeys", "profile loop: self-nokeys -> self-nokeys" },
        { "mfa", "MFA is not supported non-interactively" },
        { "both", "both source_profile and credential_source are set" },
        { "neither", "role_arn needs a source_profile or a credential_source" },
        { "strange-source", "credential_source 'Floppy' is not one of Environment" },
        { "dangling", "source_profile 'ghost' does not exist" },
        { "short", "duration_seconds '60' is not a number of seconds from 900" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        opts.profile = cases[i].profile;
        const char *detail = expect_failure(&opts);
        if (!strstr(detail, cases[i].expected)) {
            fail_msg("profile %s: expected '%s' in: %s", cases[i].profile, cases[i].expected,
                     detail);
        }
    }
    /* None of those reached STS. */
    assert_int_equal(fake.count, 0);

    /* STS refuses: the error names the source, the profile and the AWS error code. */
    fake.error = "AccessDenied: User: arn:aws:iam::111111111111:user/base is not authorized";
    opts.profile = "top";
    const char *detail = expect_failure(&opts);
    assert_contains(detail, "assume-role: profile 'middle'");
    assert_contains(detail, "sts AssumeRole failed: AccessDenied");
    assert_null(strstr(detail, "base-secret-key-0001"));
    assert_int_equal(fake.count, 1);

    /* Without an invoke function the chain says so instead of crashing. */
    opts.invoke = NULL;
    detail = expect_failure(&opts);
    assert_contains(detail, "needs an AWS API call");
    fake_clean_up(&fake);
    cpw_config_destroy(cfg);
    fixture_end(&f);
}

static void test_web_identity(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    char token_path[256];
    fixture_write(&f, "token", "eyJhbGciOiJSUzI1NiJ9.web-identity-token.sig\n", token_path,
                  sizeof(token_path));
    fixture_write(&f, ".aws/config",
                  "[profile wi]\nrole_arn = arn:aws:iam::555555555555:role/FromProfile\n"
                  "web_identity_token_file = ",
                  NULL, 0);
    /* The profile's token file: append the path to the config line written above. */
    FILE *file = fopen(f.config, "a");
    assert_non_null(file);
    fprintf(file, "%s\n", token_path);
    fclose(file);
    struct cpw_config *cfg = fixture_config(&f, NULL);
    struct fake_aws fake;
    fake_init(&fake);
    struct cpw_credentials_options opts = fixture_options(cfg, &fake);

    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token_path, 1);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::666666666666:role/FromEnv", 1);
    setenv("AWS_ROLE_SESSION_NAME", "ci-run-42", 1);
    struct cpw_credentials c;
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_int_equal(fake.count, 1);
    assert_string_equal(fake.calls[0].operation, "AssumeRoleWithWebIdentity");
    assert_string_equal(fake.calls[0].source_akid, ""); /* unsigned */
    assert_string_equal(fake_input(&fake, 0, "RoleArn"), "arn:aws:iam::666666666666:role/FromEnv");
    assert_string_equal(fake_input(&fake, 0, "RoleSessionName"), "ci-run-42");
    assert_string_equal(fake_input(&fake, 0, "WebIdentityToken"),
                        "eyJhbGciOiJSUzI1NiJ9.web-identity-token.sig");
    assert_string_equal(c.source, "web-identity");
    assert_string_equal(c.account_id, "666666666666");
    cpw_credentials_clean_up(&c);

    /* The profile's settings, when the environment has none. */
    unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
    unsetenv("AWS_ROLE_ARN");
    unsetenv("AWS_ROLE_SESSION_NAME");
    opts.profile = "wi";
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_int_equal(fake.count, 2);
    assert_string_equal(fake_input(&fake, 1, "RoleArn"),
                        "arn:aws:iam::555555555555:role/FromProfile");
    assert_non_null(strstr(fake_input(&fake, 1, "RoleSessionName"), "cpwarden-session-"));
    cpw_credentials_clean_up(&c);

    /* A token file without a role is an error that says what is missing. */
    opts.profile = NULL;
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token_path, 1);
    const char *detail = expect_failure(&opts);
    assert_contains(detail, "web-identity");
    assert_contains(detail, "AWS_ROLE_ARN");
    /* An STS error keeps the token out of the message. */
    setenv("AWS_ROLE_ARN", "arn:aws:iam::666666666666:role/FromEnv", 1);
    fake.error = "InvalidIdentityToken: token eyJhbGciOiJSUzI1NiJ9.web-identity-token.sig is bad";
    detail = expect_failure(&opts);
    assert_contains(detail, "InvalidIdentityToken");
    assert_null(strstr(detail, "web-identity-token.sig"));
    /* A FIFO as the token file is refused at once, never read (it would block forever). */
    char fifo_path[300];
    snprintf(fifo_path, sizeof(fifo_path), "%s/token-fifo", f.dir);
    assert_int_equal(mkfifo(fifo_path, 0600), 0);
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", fifo_path, 1);
    detail = expect_failure(&opts);
    assert_contains(detail, "token-fifo is not a regular file (a FIFO)");
    unlink(fifo_path);
    fake_clean_up(&fake);
    cpw_config_destroy(cfg);
    fixture_end(&f);
}

static int64_t s_fixed_clock(void *ctx)
{
    return *(const int64_t *)ctx;
}

static void test_sso(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    cpw_time_pin_ms(1800000000000LL); /* 2027-01-15T08:00:00Z */
    fixture_mkdir(&f, ".aws/sso");
    fixture_mkdir(&f, ".aws/sso/cache");
    fixture_write(&f, ".aws/config",
                  "[profile dev]\nsso_session = my-sso\nsso_account_id = 777777777777\n"
                  "sso_role_name = Admin\n"
                  "[sso-session my-sso]\nsso_start_url = https://corp.awsapps.com/start\n"
                  "sso_region = eu-central-1\n"
                  "[profile legacy]\nsso_start_url = https://corp.awsapps.com/start\n"
                  "sso_region = us-west-2\nsso_account_id = 888888888888\n"
                  "sso_role_name = ReadOnly\n"
                  "[profile partial]\nsso_account_id = 888888888888\n",
                  NULL, 0);
    /* sha1("my-sso") and sha1("https://corp.awsapps.com/start"), as `aws sso login` names them. */
    fixture_write(&f, ".aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json",
                  "{\"accessToken\": \"sso-access-token-session\", "
                  "\"expiresAt\": \"2027-01-15T09:00:00Z\", \"region\": \"eu-central-1\"}",
                  NULL, 0);
    fixture_write(&f, ".aws/sso/cache/a51746d4aa793ae07b25e90c3a5db96fc7832bd7.json",
                  "{\"accessToken\": \"sso-access-token-legacy\", "
                  "\"expiresAt\": \"2027-01-15T07:59:00UTC\"}",
                  NULL, 0);
    struct cpw_config *cfg = fixture_config(&f, NULL);
    struct fake_aws fake;
    fake_init(&fake);
    fake.sso_token = "sso-access-token-session";
    struct cpw_credentials_options opts = fixture_options(cfg, &fake);
    opts.profile = "dev";
    struct cpw_credentials c;
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_int_equal(fake.count, 1);
    assert_string_equal(fake.calls[0].service, "sso");
    assert_string_equal(fake.calls[0].operation, "GetRoleCredentials");
    assert_string_equal(fake.calls[0].region, "eu-central-1");
    assert_string_equal(fake.calls[0].source_akid, "");
    assert_string_equal(fake_input(&fake, 0, "roleName"), "Admin");
    assert_string_equal(fake_input(&fake, 0, "accountId"), "777777777777");
    assert_string_equal(fake_input(&fake, 0, "accessToken"), "sso-access-token-session");
    assert_string_equal(c.source, "sso");
    assert_string_equal(c.account_id, "777777777777");
    assert_int_equal(c.expiration_ms, 1800000000000LL + 3600000);
    cpw_credentials_clean_up(&c);

    /* The legacy profile's token (named by the start URL) expired a minute ago. */
    opts.profile = "legacy";
    const char *detail = expect_failure(&opts);
    assert_contains(detail, "sso: profile 'legacy'");
    assert_contains(detail, "expired");
    assert_contains(detail, "aws sso login --profile legacy");
    assert_null(strstr(detail, "sso-access-token-legacy"));
    assert_int_equal(fake.count, 1);

    /* A token SSO no longer accepts: UnauthorizedException, with the same advice. */
    fake.sso_token = "some-other-token";
    opts.profile = "dev";
    detail = expect_failure(&opts);
    assert_contains(detail, "UnauthorizedException");
    assert_contains(detail, "aws sso login --profile dev");
    assert_null(strstr(detail, "sso-access-token-session"));

    /* No cached token at all. */
    char cached[256];
    snprintf(cached, sizeof(cached),
             "%s/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json", f.dir);
    assert_int_equal(unlink(cached), 0);
    detail = expect_failure(&opts);
    assert_contains(detail, "no cached SSO token for sso-session 'my-sso'");
    assert_contains(detail, "aws sso login --profile dev");

    /* The options' clock decides expiry: an hour earlier the legacy token was still valid (and
     * legacy profiles call SSO in their own sso_region). */
    int64_t earlier = 1800000000000LL - 3600000;
    opts.clock = s_fixed_clock;
    opts.clock_ctx = &earlier;
    opts.profile = "legacy";
    fake.sso_token = "sso-access-token-legacy";
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(fake_input(&fake, fake.count - 1, "accountId"), "888888888888");
    assert_string_equal(fake_input(&fake, fake.count - 1, "roleName"), "ReadOnly");
    assert_string_equal(fake.calls[fake.count - 1].region, "us-west-2");
    cpw_credentials_clean_up(&c);
    opts.clock = NULL;

    opts.profile = "partial";
    detail = expect_failure(&opts);
    assert_contains(detail, "lack sso_start_url, sso_region, sso_role_name");
    fake_clean_up(&fake);
    cpw_config_destroy(cfg);
    fixture_end(&f);
}

static void s_capture_log(enum cpw_log_level level, const char *line, void *user)
{
    (void)level;
    char *out = user;
    size_t used = strlen(out);
    snprintf(out + used, 1024 - used, "%s\n", line);
}

static void test_provider_caches_and_refreshes(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    fixture_write(&f, ".aws/config", s_chain_config, NULL, 0);
    fixture_write(&f, ".aws/credentials", s_chain_credentials, NULL, 0);
    int64_t t0 = 1700000000000LL;
    cpw_time_pin_ms(t0);
    struct cpw_config *cfg = fixture_config(&f, "self-keys");
    struct fake_aws fake;
    fake_init(&fake);
    struct cpw_credentials_options opts = fixture_options(cfg, &fake);
    struct cpw_credentials_provider *provider = cpw_credentials_provider_new(&opts);
    struct cpw_credentials c;

    assert_int_equal(cpw_credentials_provider_get(provider, &c), 0);
    assert_string_equal(c.access_key_id, "ASIAFAKE1");
    cpw_credentials_clean_up(&c);
    /* 54 minutes later (6 minutes before expiry): still cached. */
    cpw_time_pin_ms(t0 + 54 * 60000);
    assert_int_equal(cpw_credentials_provider_get(provider, &c), 0);
    assert_string_equal(c.access_key_id, "ASIAFAKE1");
    assert_int_equal(fake.count, 1);
    cpw_credentials_clean_up(&c);
    /* 56 minutes: inside the 5-minute window, refreshed. */
    cpw_time_pin_ms(t0 + 56 * 60000);
    assert_int_equal(cpw_credentials_provider_get(provider, &c), 0);
    assert_string_equal(c.access_key_id, "ASIAFAKE2");
    assert_int_equal(fake.count, 2);
    cpw_credentials_clean_up(&c);
    /* A failed refresh keeps handing out credentials that have not expired yet, and says so
     * in the log without the source profile's secret. */
    fake.error = "Throttling: Rate exceeded for self-secret-key-0001";
    char logged[1024] = "";
    cpw_log_set_sink(s_capture_log, logged);
    cpw_time_pin_ms(t0 + 113 * 60000);
    assert_int_equal(cpw_credentials_provider_get(provider, &c), 0);
    cpw_log_set_sink(NULL, NULL);
    assert_string_equal(c.access_key_id, "ASIAFAKE2");
    assert_int_equal(fake.count, 3);
    assert_contains(logged, "refresh failed");
    assert_contains(logged, "Throttling");
    assert_null(strstr(logged, "self-secret-key-0001"));
    cpw_credentials_clean_up(&c);
    /* ...but not expired ones. */
    cpw_time_pin_ms(t0 + 117 * 60000);
    assert_int_equal(cpw_credentials_provider_get(provider, &c), -1);
    assert_contains(cpw_last_error_detail(), "Throttling");
    assert_null(c.access_key_id);
    /* Recovery, then invalidate forces a new resolution. */
    fake.error = NULL;
    assert_int_equal(cpw_credentials_provider_get(provider, &c), 0);
    cpw_credentials_clean_up(&c);
    size_t calls = fake.count;
    cpw_credentials_provider_invalidate(provider);
    assert_int_equal(cpw_credentials_provider_get(provider, &c), 0);
    assert_int_equal(fake.count, calls + 1);
    cpw_credentials_clean_up(&c);

    cpw_credentials_provider_destroy(provider);
    fake_clean_up(&fake);
    cpw_config_destroy(cfg);
    fixture_end(&f);
}

struct getter {
    struct cpw_credentials_provider *provider;
    int failures;
};

static void *s_getter(void *arg)
{
    struct getter *g = arg;
    for (int i = 0; i < 50; i++) {
        struct cpw_credentials c;
        if (cpw_credentials_provider_get(g->provider, &c) != 0 ||
            strcmp(c.access_key_id, "ASIAFAKE1") != 0) {
            g->failures++;
        }
        cpw_credentials_clean_up(&c);
    }
    return NULL;
}

static void test_provider_concurrent_get_resolves_once(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    fixture_write(&f, ".aws/config", s_chain_config, NULL, 0);
    fixture_write(&f, ".aws/credentials", s_chain_credentials, NULL, 0);
    struct cpw_config *cfg = fixture_config(&f, "self-keys");
    struct fake_aws fake;
    fake_init(&fake);
    struct cpw_credentials_options opts = fixture_options(cfg, &fake);
    struct cpw_credentials_provider *provider = cpw_credentials_provider_new(&opts);
    pthread_t threads[4];
    struct getter getters[4];
    for (int i = 0; i < 4; i++) {
        getters[i] = (struct getter){ .provider = provider };
        assert_int_equal(pthread_create(&threads[i], NULL, s_getter, &getters[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(getters[i].failures, 0);
    }
    assert_int_equal(fake.count, 1);
    cpw_credentials_provider_destroy(provider);
    fake_clean_up(&fake);
    cpw_config_destroy(cfg);
    fixture_end(&f);
}

static void test_split_command(void **state)
{
    (void)state;
    const struct {
        const char *line;
        const char *words[5];
    } cases[] = {
        { "/bin/echo a b", { "/bin/echo", "a", "b", NULL } },
        { "  tool   --x  ", { "tool", "--x", NULL } },
        { "tool 'a b' \"c d\"", { "tool", "a b", "c d", NULL } },
        { "tool \"say \\\"hi\\\"\" 'it\\s'", { "tool", "say \"hi\"", "it\\s", NULL } },
        { "tool a\\ b x''y \"\"", { "tool", "a b", "xy", "", NULL } },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char **argv = cpw_credentials_split_command(cases[i].line);
        assert_non_null(argv);
        size_t n = 0;
        for (; cases[i].words[n]; n++) {
            assert_non_null(argv[n]);
            assert_string_equal(argv[n], cases[i].words[n]);
        }
        assert_null(argv[n]);
        cpw_credentials_argv_free(argv);
    }
    const char *bad[] = { "tool 'open", "tool \"open", "", "   ", "tool \\" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_null(cpw_credentials_split_command(bad[i]));
        assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
    }
}

CPW_TEST_MAIN("credentials",
              CPW_TEST(test_environment),
              CPW_TEST(test_static_profiles_and_file_order),
              CPW_TEST(test_environment_beats_profile_unless_profile_is_explicit),
              CPW_TEST(test_profile_errors_never_print_secrets),
              CPW_TEST(test_no_credentials_lists_every_source),
              CPW_TEST(test_assume_role_chain),
              CPW_TEST(test_assume_role_loops_and_errors),
              CPW_TEST(test_web_identity),
              CPW_TEST(test_sso),
              CPW_TEST(test_provider_caches_and_refreshes),
              CPW_TEST(test_provider_concurrent_get_resolves_once),
              CPW_TEST(test_split_command))
