/*
 * credentials_fixture.h - what the credential chain tests share: a scratch HOME with AWS files,
 * an environment saved and restored around each test, and a fake AWS invoke function that
 * answers like STS and SSO and records every call.
 */
#ifndef CPW_TEST_CREDENTIALS_FIXTURE_H
#define CPW_TEST_CREDENTIALS_FIXTURE_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/config.h"
#include "cpw/credentials.h"
#include "cpw/error.h"
#include "cpw/log.h"
#include "cpw/time.h"
#include "harness.h"

/* Every variable the chain reads; each test starts with all of them unset. */
static const char *const s_fixture_vars[] = {
    "HOME",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_ACCOUNT_ID",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_EC2_METADATA_V1_DISABLED",
    "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
    "AWS_METADATA_SERVICE_TIMEOUT",
};
#define FIXTURE_VAR_COUNT (sizeof(s_fixture_vars) / sizeof(s_fixture_vars[0]))

struct fixture {
    char dir[64];     /* the scratch HOME */
    char config[128]; /* HOME/.aws/config */
    char credentials[128];
    char *saved[FIXTURE_VAR_COUNT]; /* plain libc copies: they outlive the leak check */
    bool had[FIXTURE_VAR_COUNT];
};

/* Saves and clears the environment, makes HOME/.aws and points the files there. IMDS is
 * disabled so that no test ever reaches for 169.254.169.254; tests that want it set an
 * endpoint on loopback. */
static inline void fixture_begin(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    for (size_t i = 0; i < FIXTURE_VAR_COUNT; i++) {
        const char *v = getenv(s_fixture_vars[i]);
        f->had[i] = v != NULL;
        f->saved[i] = v ? strdup(v) : NULL;
        unsetenv(s_fixture_vars[i]);
    }
    snprintf(f->dir, sizeof(f->dir), "/tmp/cpw-creds-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char aws[128];
    snprintf(aws, sizeof(aws), "%s/.aws", f->dir);
    assert_int_equal(mkdir(aws, 0700), 0);
    snprintf(f->config, sizeof(f->config), "%s/.aws/config", f->dir);
    snprintf(f->credentials, sizeof(f->credentials), "%s/.aws/credentials", f->dir);
    setenv("HOME", f->dir, 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

/* Writes text to HOME-relative path (directories must exist). Returns the full path in out. */
static inline void fixture_write(const struct fixture *f,
                                 const char *relative,
                                 const char *text,
                                 char *out,
                                 size_t out_size)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", f->dir, relative);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs(text, file);
    fclose(file);
    if (out) {
        snprintf(out, out_size, "%s", path);
    }
}

static inline void fixture_mkdir(const struct fixture *f, const char *relative)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", f->dir, relative);
    assert_int_equal(mkdir(path, 0700), 0);
}

static inline struct cpw_config *fixture_config(const struct fixture *f, const char *profile)
{
    struct cpw_config_load_options opts = {
        .config_path = f->config,
        .credentials_path = f->credentials,
        .profile = profile,
    };
    struct cpw_config *cfg = cpw_config_load(&opts);
    assert_non_null(cfg);
    return cfg;
}

/* Restores the environment, removes the scratch HOME and forgets the secrets the test
 * registered (they live in the redactor's table, which the leak check would count). */
static inline void fixture_end(struct fixture *f)
{
    char command[160];
    snprintf(command, sizeof(command), "rm -rf '%s'", f->dir);
    assert_int_equal(system(command), 0);
    for (size_t i = 0; i < FIXTURE_VAR_COUNT; i++) {
        if (f->had[i]) {
            setenv(s_fixture_vars[i], f->saved[i], 1);
        } else {
            unsetenv(s_fixture_vars[i]);
        }
        free(f->saved[i]);
    }
    cpw_log_forget_secrets();
}

/* Fails with both strings shown when needle is not in haystack. */
#define assert_contains(haystack, needle)                                                          \
    do {                                                                                           \
        const char *h_ = (haystack);                                                               \
        if (!strstr(h_, (needle))) {                                                               \
            fail_msg("'%s' not in: %s", (needle), h_);                                             \
        }                                                                                          \
    } while (0)

/* ----- the fake AWS --------------------------------------------------------------------------- */

#define FAKE_MAX_CALLS 16

struct fake_call {
    char service[16];
    char operation[64];
    char region[32];
    json_t *input;        /* deep copy */
    char source_akid[64]; /* "" for unsigned calls */
};

struct fake_aws {
    pthread_mutex_t lock;
    struct fake_call calls[FAKE_MAX_CALLS];
    size_t count;
    const char *error;     /* set: every call fails with CPW_ERR_AWS and this detail */
    int64_t lifetime_ms;   /* of issued credentials; 0: one hour */
    const char *sso_token; /* the only accessToken GetRoleCredentials accepts */
};

static inline void fake_init(struct fake_aws *fake)
{
    memset(fake, 0, sizeof(*fake));
    pthread_mutex_init(&fake->lock, NULL);
}

static inline void fake_clean_up(struct fake_aws *fake)
{
    for (size_t i = 0; i < fake->count && i < FAKE_MAX_CALLS; i++) {
        json_decref(fake->calls[i].input);
    }
    pthread_mutex_destroy(&fake->lock);
}

static inline const char *fake_input(const struct fake_aws *fake, size_t call, const char *key)
{
    assert_true(call < fake->count);
    const json_t *v = json_object_get(fake->calls[call].input, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Answers like STS (AssumeRole, AssumeRoleWithWebIdentity) and SSO (GetRoleCredentials). Issued
 * keys are "ASIAFAKE<n>" with secret "fake-secret-<n>-wJalrXUtnFEMI" and token
 * "fake-token-<n>-FwoGZXIvYXdzEJr". */
static inline int fake_invoke(void *ctx, const struct cpw_aws_invoke *call, json_t **output)
{
    struct fake_aws *fake = ctx;
    pthread_mutex_lock(&fake->lock);
    size_t n = fake->count++;
    if (n < FAKE_MAX_CALLS) {
        struct fake_call *c = &fake->calls[n];
        snprintf(c->service, sizeof(c->service), "%s", call->service);
        snprintf(c->operation, sizeof(c->operation), "%s", call->operation);
        snprintf(c->region, sizeof(c->region), "%s", call->region);
        c->input = json_deep_copy(call->input);
        snprintf(c->source_akid, sizeof(c->source_akid), "%s",
                 call->credentials ? call->credentials->access_key_id : "");
    }
    pthread_mutex_unlock(&fake->lock);
    if (fake->error) {
        return cpw_raise(CPW_ERR_AWS, "%s", fake->error);
    }
    char akid[32];
    char secret[64];
    char token[64];
    snprintf(akid, sizeof(akid), "ASIAFAKE%zu", n + 1);
    snprintf(secret, sizeof(secret), "fake-secret-%zu-wJalrXUtnFEMI", n + 1);
    snprintf(token, sizeof(token), "fake-token-%zu-FwoGZXIvYXdzEJr", n + 1);
    int64_t expiration_ms = cpw_time_now_ms() + (fake->lifetime_ms ? fake->lifetime_ms : 3600000);
    if (strcmp(call->service, "sso") == 0) {
        const json_t *given = json_object_get(call->input, "accessToken");
        if (!fake->sso_token || !json_is_string(given) ||
            strcmp(json_string_value(given), fake->sso_token) != 0) {
            return cpw_raise(CPW_ERR_AWS,
                             "UnauthorizedException: Session token not found or invalid");
        }
        *output = json_pack("{s:{s:s, s:s, s:s, s:I}}", "roleCredentials", "accessKeyId", akid,
                            "secretAccessKey", secret, "sessionToken", token, "expiration",
                            (json_int_t)expiration_ms);
        return 0;
    }
    char expiration[CPW_TIME_ISO8601_LEN + 1];
    cpw_time_format_iso8601(expiration_ms / 1000, expiration);
    const char *role_arn = json_string_value(json_object_get(call->input, "RoleArn"));
    char account[13] = "000000000000";
    if (role_arn && strlen(role_arn) > 25) {
        memcpy(account, role_arn + 13, 12); /* arn:aws:iam::ACCOUNT:role/... */
    }
    char user_arn[128];
    snprintf(user_arn, sizeof(user_arn), "arn:aws:sts::%s:assumed-role/Fake/session", account);
    *output =
      json_pack("{s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s}}", "Credentials", "AccessKeyId", akid,
                "SecretAccessKey", secret, "SessionToken", token, "Expiration", expiration,
                "AssumedRoleUser", "Arn", user_arn, "AssumedRoleId", "AROAFAKE:session");
    return 0;
}

/* The options most tests use: the loaded config and the fake AWS. */
static inline struct cpw_credentials_options fixture_options(const struct cpw_config *cfg,
                                                             struct fake_aws *fake)
{
    struct cpw_credentials_options opts = {
        .config = cfg,
        .invoke = fake_invoke,
        .invoke_ctx = fake,
    };
    return opts;
}

/* Resolves and expects failure; returns the detail (borrowed until the next raise). */
static inline const char *expect_failure(const struct cpw_credentials_options *opts)
{
    struct cpw_credentials c;
    assert_int_equal(cpw_credentials_resolve(opts, &c), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_CREDENTIALS);
    assert_null(c.access_key_id);
    return cpw_last_error_detail();
}

#endif
