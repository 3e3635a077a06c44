/*
 * credentials.c - the credential chain: the order of the sources, the "no credentials" summary,
 * the caching provider, and the helpers every source shares (filling, JSON, errors, STS calls).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/crypto.h"
#include "cpw/log.h"
#include "cpw/time.h"
#include "credentials_internal.h"

#define TRIED_MAX_BYTES  2048
#define DETAIL_MAX_BYTES 4096

/* ----- struct cpw_credentials ----------------------------------------------------------------- */

void cpw_credentials_init(struct cpw_credentials *c)
{
    memset(c, 0, sizeof(*c));
}

static void s_wipe_free(char *s)
{
    if (s) {
        cpw_secure_zero(s, strlen(s));
        cpw_free(s);
    }
}

void cpw_credentials_clean_up(struct cpw_credentials *c)
{
    if (!c) {
        return;
    }
    cpw_free(c->access_key_id);
    s_wipe_free(c->secret_access_key);
    s_wipe_free(c->session_token);
    cpw_free(c->account_id);
    cpw_credentials_init(c);
}

void cpw_credentials_copy(struct cpw_credentials *dst, const struct cpw_credentials *src)
{
    dst->access_key_id = cpw_strdup(src->access_key_id);
    dst->secret_access_key = cpw_strdup(src->secret_access_key);
    dst->session_token = cpw_strdup(src->session_token);
    dst->expiration_ms = src->expiration_ms;
    dst->source = src->source;
    dst->account_id = cpw_strdup(src->account_id);
}

bool cpw_credentials_need_refresh(const struct cpw_credentials *c, int64_t now_ms)
{
    return c->expiration_ms != 0 && now_ms >= c->expiration_ms - CPW_CREDENTIALS_REFRESH_MS;
}

/* ----- helpers shared by the sources ---------------------------------------------------------- */

void cpw_credentials_note(struct cpw_credentials_chain *chain, const char *fmt, ...)
{
    if (chain->tried.len) {
        (void)cpw_buf_append_cstr(&chain->tried, "; ");
    }
    va_list ap;
    va_start(ap, fmt);
    (void)cpw_buf_vappendf(&chain->tried, fmt, ap); /* past the cap the list restarts: fine */
    va_end(ap);
}

int cpw_credentials_fail(enum cpw_error code, const char *fmt, ...)
{
    struct cpw_buf raw;
    struct cpw_buf clean;
    cpw_buf_init(&raw, DETAIL_MAX_BYTES);
    cpw_buf_init(&clean, DETAIL_MAX_BYTES + 256);
    va_list ap;
    va_start(ap, fmt);
    int rc = cpw_buf_vappendf(&raw, fmt, ap);
    va_end(ap);
    if (rc == 0) {
        rc = cpw_log_redact(&clean, cpw_buf_span(&raw));
    }
    cpw_raise(code, "%s", rc == 0 ? cpw_buf_cstr(&clean) : "credential error (detail too long)");
    cpw_buf_clean_up_secure(&raw);
    cpw_buf_clean_up(&clean);
    return -1;
}

/* A value fit for an HTTP header: non-empty, no control characters or spaces. */
static bool s_printable(const char *s)
{
    if (!s || !*s) {
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= ' ' || *p == 0x7f) {
            return false;
        }
    }
    return true;
}

int cpw_credentials_set(struct cpw_credentials *out,
                        const char *what,
                        const char *source,
                        const char *access_key_id,
                        const char *secret_access_key,
                        const char *session_token,
                        int64_t expiration_ms,
                        const char *account_id)
{
    if (secret_access_key && *secret_access_key) {
        cpw_log_register_secret(cpw_span_from_cstr(secret_access_key));
    }
    if (session_token && *session_token) {
        cpw_log_register_secret(cpw_span_from_cstr(session_token));
    }
    if (!access_key_id || !*access_key_id) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: the access key id is missing", what);
    }
    if (!s_printable(access_key_id)) {
        return cpw_credentials_fail(
          CPW_ERR_CREDENTIALS, "%s: the access key id contains spaces or control characters", what);
    }
    if (!secret_access_key || !*secret_access_key) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "%s: the secret access key is missing (access key id %s)", what,
                                    access_key_id);
    }
    if (!s_printable(secret_access_key)) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "%s: the secret access key for %s contains spaces or control "
                                    "characters",
                                    what, access_key_id);
    }
    if (session_token && *session_token && !s_printable(session_token)) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "%s: the session token for %s contains spaces or control "
                                    "characters",
                                    what, access_key_id);
    }
    out->access_key_id = cpw_strdup(access_key_id);
    out->secret_access_key = cpw_strdup(secret_access_key);
    out->session_token = session_token && *session_token ? cpw_strdup(session_token) : NULL;
    out->expiration_ms = expiration_ms;
    out->source = source;
    out->account_id = account_id && *account_id ? cpw_strdup(account_id) : NULL;
    return 0;
}

int cpw_credentials_from_json(struct cpw_credentials *out,
                              const char *what,
                              const char *source,
                              const json_t *doc,
                              const struct cpw_credentials_json_names *names,
                              const char *account_id)
{
    if (!json_is_object(doc)) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: the answer is not a JSON object",
                                    what);
    }
    const json_t *akid = json_object_get(doc, names->access_key_id);
    const json_t *secret = json_object_get(doc, names->secret_access_key);
    const json_t *token = names->session_token ? json_object_get(doc, names->session_token) : NULL;
    const json_t *expiration = json_object_get(doc, names->expiration);
    if (!json_is_string(akid)) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: %s is missing or not a string", what,
                                    names->access_key_id);
    }
    if (!json_is_string(secret)) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: %s is missing or not a string", what,
                                    names->secret_access_key);
    }
    if (token && !json_is_string(token) && !json_is_null(token)) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: %s is not a string", what,
                                    names->session_token);
    }
    int64_t expiration_ms = 0;
    if (expiration && !json_is_null(expiration)) {
        if (names->expiration_is_epoch_ms && json_is_integer(expiration)) {
            expiration_ms = (int64_t)json_integer_value(expiration);
        } else if (!json_is_string(expiration) ||
                   cpw_time_parse_iso8601_ms(cpw_span_from_cstr(json_string_value(expiration)),
                                             &expiration_ms)) {
            return cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: %s is not an ISO 8601 timestamp",
                                        what, names->expiration);
        }
    }
    const json_t *account = json_object_get(doc, "AccountId");
    if (!account_id && json_is_string(account)) {
        account_id = json_string_value(account);
    }
    return cpw_credentials_set(
      out, what, source, json_string_value(akid), json_string_value(secret),
      json_is_string(token) ? json_string_value(token) : NULL, expiration_ms, account_id);
}

char *cpw_credentials_arn_account(const char *arn)
{
    /* arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE */
    if (!arn || strncmp(arn, "arn:", 4) != 0) {
        return NULL;
    }
    const char *p = arn;
    for (int colons = 0; colons < 4; colons++) {
        p = strchr(p, ':');
        if (!p) {
            return NULL;
        }
        p++;
    }
    const char *end = strchr(p, ':');
    if (!end || end == p) {
        return NULL;
    }
    return cpw_strndup(p, (size_t)(end - p));
}

int cpw_credentials_from_sts_output(struct cpw_credentials *out,
                                    const char *what,
                                    const char *source,
                                    const json_t *output,
                                    const char *role_arn)
{
    static const struct cpw_credentials_json_names names = {
        .access_key_id = "AccessKeyId",
        .secret_access_key = "SecretAccessKey",
        .session_token = "SessionToken",
        .expiration = "Expiration",
    };
    const json_t *user = json_object_get(output, "AssumedRoleUser");
    const json_t *arn = json_object_get(user, "Arn");
    char *account =
      cpw_credentials_arn_account(json_is_string(arn) ? json_string_value(arn) : role_arn);
    if (!account) {
        account = cpw_credentials_arn_account(role_arn);
    }
    int rc = cpw_credentials_from_json(out, what, source, json_object_get(output, "Credentials"),
                                       &names, account);
    cpw_free(account);
    return rc;
}

int64_t cpw_credentials_now_ms(const struct cpw_credentials_options *opts)
{
    return opts->clock ? opts->clock(opts->clock_ctx) : cpw_time_now_ms();
}

void cpw_credentials_default_session_name(const struct cpw_credentials_chain *chain, char out[64])
{
    snprintf(out, 64, "cpwarden-session-%lld",
             (long long)(cpw_credentials_now_ms(chain->opts) / 1000));
}

const char *cpw_credentials_region(const struct cpw_credentials_chain *chain, const char *profile)
{
    if (chain->opts->region && *chain->opts->region) {
        return chain->opts->region;
    }
    const char *env = getenv("AWS_REGION");
    if (env && *env) {
        return env;
    }
    env = getenv("AWS_DEFAULT_REGION");
    if (env && *env) {
        return env;
    }
    const char *region = cpw_config_get(chain->config, profile, "region");
    return region && *region ? region : "us-east-1";
}

int cpw_credentials_invoke(struct cpw_credentials_chain *chain,
                           const char *what,
                           const struct cpw_aws_invoke *call,
                           json_t **output)
{
    *output = NULL;
    if (!chain->opts->invoke) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "%s: %s %s needs an AWS API call, and none is available here",
                                    what, call->service, call->operation);
    }
    if (chain->opts->invoke(chain->opts->invoke_ctx, call, output)) {
        json_decref(*output);
        *output = NULL;
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: %s %s failed: %s", what,
                                    call->service, call->operation, cpw_last_error_detail());
    }
    if (!*output) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: %s %s returned nothing", what,
                                    call->service, call->operation);
    }
    return 0;
}

/* ----- the chain -------------------------------------------------------------------------- */

int cpw_credentials_resolve(const struct cpw_credentials_options *opts, struct cpw_credentials *out)
{
    struct cpw_credentials_options none = { 0 };
    opts = opts ? opts : &none;
    struct cpw_config *empty = NULL;
    struct cpw_credentials_chain chain = { .opts = opts, .config = opts->config };
    if (!chain.config) {
        empty = cpw_config_new_empty(opts->profile);
        chain.config = empty;
    }
    chain.profile = opts->profile ? opts->profile : cpw_config_profile(chain.config);
    cpw_buf_init(&chain.tried, TRIED_MAX_BYTES);
    cpw_credentials_init(out);

    int rc = CPW_CREDS_ABSENT;
    if (opts->profile) {
        cpw_credentials_note(&chain, "environment: skipped for the explicit profile '%s'",
                             opts->profile);
    } else {
        rc = cpw_credentials_from_env(&chain, out);
    }
    if (rc == CPW_CREDS_ABSENT) {
        rc = cpw_credentials_from_profile(&chain, out);
    }
    if (rc == CPW_CREDS_ABSENT) {
        rc = cpw_credentials_from_container(&chain, out);
    }
    if (rc == CPW_CREDS_ABSENT) {
        rc = cpw_credentials_from_imds(&chain, out);
    }
    if (rc == CPW_CREDS_ABSENT) {
        rc = cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                  "no credentials found; run 'aws configure' (or 'aws sso "
                                  "login'), export AWS_ACCESS_KEY_ID with its secret key, or "
                                  "name a profile with --profile. Tried: %s",
                                  cpw_buf_cstr(&chain.tried));
    }
    if (rc != CPW_CREDS_FOUND) {
        cpw_credentials_clean_up(out);
    } else {
        cpw_log(CPW_LOG_DEBUG, "credentials: %s from %s", out->access_key_id, out->source);
    }
    cpw_buf_clean_up(&chain.tried);
    cpw_config_destroy(empty);
    return rc == CPW_CREDS_FOUND ? 0 : -1;
}

/* ----- the caching provider ------------------------------------------------------------------ */

/* An assumed role's configuration (cpw_credentials_provider_new_assume_role). */
struct assume_role {
    struct cpw_credentials_provider *source; /* borrowed */
    char *role_arn;
    char *session_name; /* NULL: the default */
    char *region;
    cpw_aws_invoke_fn *invoke;
    void *invoke_ctx;
};

struct cpw_credentials_provider {
    struct cpw_credentials_options opts; /* strings owned (copies) */
    struct assume_role *assume;          /* NULL: the chain */
    pthread_mutex_t lock;
    struct cpw_credentials cached; /* access_key_id NULL: nothing cached */
};

static const char *s_dup_opt(const char *s)
{
    return s ? cpw_strdup(s) : NULL;
}

struct cpw_credentials_provider *cpw_credentials_provider_new(
  const struct cpw_credentials_options *opts)
{
    struct cpw_credentials_provider *p = cpw_calloc(1, sizeof(*p));
    if (opts) {
        p->opts = *opts;
    }
    p->opts.profile = s_dup_opt(p->opts.profile);
    p->opts.region = s_dup_opt(p->opts.region);
    p->opts.imds_endpoint = s_dup_opt(p->opts.imds_endpoint);
    p->opts.container_endpoint = s_dup_opt(p->opts.container_endpoint);
    p->opts.sso_cache_dir = s_dup_opt(p->opts.sso_cache_dir);
    pthread_mutex_init(&p->lock, NULL);
    return p;
}

void cpw_credentials_provider_destroy(struct cpw_credentials_provider *p)
{
    if (!p) {
        return;
    }
    cpw_credentials_clean_up(&p->cached);
    cpw_free((char *)p->opts.profile);
    cpw_free((char *)p->opts.region);
    cpw_free((char *)p->opts.imds_endpoint);
    cpw_free((char *)p->opts.container_endpoint);
    cpw_free((char *)p->opts.sso_cache_dir);
    if (p->assume) {
        cpw_free(p->assume->role_arn);
        cpw_free(p->assume->session_name);
        cpw_free(p->assume->region);
        cpw_free(p->assume);
    }
    pthread_mutex_destroy(&p->lock);
    cpw_free(p);
}

int cpw_credentials_from_assume_role_output(struct cpw_credentials *out,
                                            const json_t *output,
                                            const char *role_arn)
{
    return cpw_credentials_from_sts_output(out, "assume-role", "assume-role", output, role_arn);
}

/* AssumeRole of a.role_arn with the source provider's credentials. */
static int s_assume_role_resolve(const struct assume_role *a, struct cpw_credentials *out)
{
    cpw_credentials_init(out);
    struct cpw_credentials source;
    if (cpw_credentials_provider_get(a->source, &source)) {
        return -1;
    }
    char session[64];
    if (!a->session_name) {
        snprintf(session, sizeof(session), "cpwarden-session-%lld",
                 (long long)(cpw_time_now_ms() / 1000));
    }
    json_t *input = json_pack("{s:s, s:s}", "RoleArn", a->role_arn, "RoleSessionName",
                              a->session_name ? a->session_name : session);
    json_t *output = NULL;
    struct cpw_aws_invoke call = {
        .service = "sts",
        .operation = "AssumeRole",
        .region = a->region ? a->region : "us-east-1",
        .input = input,
        .credentials = &source,
    };
    int rc = -1;
    if (!a->invoke || a->invoke(a->invoke_ctx, &call, &output) || !output) {
        cpw_credentials_fail(CPW_ERR_CREDENTIALS, "assume-role %s: sts AssumeRole failed: %s",
                             a->role_arn, cpw_last_error_detail());
    } else {
        rc = cpw_credentials_from_assume_role_output(out, output, a->role_arn);
    }
    json_decref(output);
    json_decref(input);
    cpw_credentials_clean_up(&source);
    return rc;
}

struct cpw_credentials_provider *cpw_credentials_provider_new_assume_role(
  const struct cpw_credentials_assume_role_options *opts)
{
    struct cpw_credentials_provider *p = cpw_credentials_provider_new(NULL);
    p->assume = cpw_calloc(1, sizeof(*p->assume));
    p->assume->source = opts->source;
    p->assume->role_arn = cpw_strdup(opts->role_arn ? opts->role_arn : "");
    p->assume->session_name = cpw_strdup(opts->session_name);
    p->assume->region = cpw_strdup(opts->region);
    p->assume->invoke = opts->invoke;
    p->assume->invoke_ctx = opts->invoke_ctx;
    return p;
}

void cpw_credentials_provider_seed(struct cpw_credentials_provider *p,
                                   const struct cpw_credentials *c)
{
    pthread_mutex_lock(&p->lock);
    cpw_credentials_clean_up(&p->cached);
    cpw_credentials_copy(&p->cached, c);
    pthread_mutex_unlock(&p->lock);
}

int cpw_credentials_provider_get(struct cpw_credentials_provider *p, struct cpw_credentials *out)
{
    cpw_credentials_init(out);
    int rc = 0;
    pthread_mutex_lock(&p->lock);
    int64_t now_ms = cpw_credentials_now_ms(&p->opts);
    if (!p->cached.access_key_id || cpw_credentials_need_refresh(&p->cached, now_ms)) {
        struct cpw_credentials fresh;
        int resolved = p->assume ? s_assume_role_resolve(p->assume, &fresh)
                                 : cpw_credentials_resolve(&p->opts, &fresh);
        if (resolved == 0) {
            cpw_credentials_clean_up(&p->cached);
            p->cached = fresh;
        } else if (p->cached.access_key_id && now_ms < p->cached.expiration_ms) {
            cpw_log(CPW_LOG_WARN,
                    "credentials: refresh failed, using the current ones until "
                    "they expire: %s",
                    cpw_last_error_detail());
        } else {
            cpw_credentials_clean_up(&p->cached);
            rc = -1;
        }
    }
    if (rc == 0) {
        cpw_credentials_copy(out, &p->cached);
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

void cpw_credentials_provider_invalidate(struct cpw_credentials_provider *p)
{
    pthread_mutex_lock(&p->lock);
    cpw_credentials_clean_up(&p->cached);
    pthread_mutex_unlock(&p->lock);
}
