/*
 * credentials_sso.c - IAM Identity Center (SSO) profiles: the access token that `aws sso login`
 * cached, exchanged for role credentials with SSO GetRoleCredentials.
 *
 * Two profile shapes, as in the AWS CLI: sso_session = NAME (settings in [sso-session NAME]:
 * sso_start_url, sso_region) or the legacy sso_start_url + sso_region in the profile; both need
 * sso_account_id and sso_role_name. The token cache file is ~/.aws/sso/cache/<sha1 hex>.json,
 * the SHA-1 being of the session name (sso_session profiles) or of the start URL (legacy ones),
 * with members accessToken and expiresAt. Refreshing the token (SSO OIDC) is left to
 * `aws sso login`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpw/alloc.h"
#include "cpw/config.h"
#include "cpw/crypto.h"
#include "cpw/json.h"
#include "cpw/log.h"
#include "cpw/time.h"
#include "credentials_internal.h"

#define CACHE_MAX_BYTES (256u * 1024u)

struct sso_settings {
    const char *session; /* NULL for legacy profiles */
    const char *start_url;
    const char *region;
    const char *account_id;
    const char *role_name;
};

static const char *s_get(struct cpw_credentials_chain *chain, const char *profile, const char *key)
{
    const char *v = cpw_config_get(chain->config, profile, key);
    return v && *v ? v : NULL;
}

static int s_settings(struct cpw_credentials_chain *chain,
                      const char *profile,
                      const char *what,
                      struct sso_settings *s)
{
    s->session = s_get(chain, profile, "sso_session");
    s->account_id = s_get(chain, profile, "sso_account_id");
    s->role_name = s_get(chain, profile, "sso_role_name");
    if (s->session) {
        s->start_url =
          cpw_config_get_section(chain->config, "sso-session", s->session, "sso_start_url");
        s->region = cpw_config_get_section(chain->config, "sso-session", s->session, "sso_region");
        if (!s->start_url || !s->region) {
            return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                        "%s: [sso-session %s] in %s needs sso_start_url and "
                                        "sso_region",
                                        what, s->session, cpw_config_path(chain->config));
        }
    } else {
        s->start_url = s_get(chain, profile, "sso_start_url");
        s->region = s_get(chain, profile, "sso_region");
    }
    const char *missing[4];
    size_t n = 0;
    if (!s->start_url) {
        missing[n++] = "sso_start_url";
    }
    if (!s->region) {
        missing[n++] = "sso_region";
    }
    if (!s->account_id) {
        missing[n++] = "sso_account_id";
    }
    if (!s->role_name) {
        missing[n++] = "sso_role_name";
    }
    if (n) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: the SSO settings lack %s%s%s%s%s%s%s",
                                    what, missing[0], n > 1 ? ", " : "", n > 1 ? missing[1] : "",
                                    n > 2 ? ", " : "", n > 2 ? missing[2] : "", n > 3 ? ", " : "",
                                    n > 3 ? missing[3] : "");
    }
    return 0;
}

static char *s_cache_path(struct cpw_credentials_chain *chain, const char *key)
{
    uint8_t digest[CPW_SHA1_LEN];
    char hex[2 * CPW_SHA1_LEN + 1];
    if (cpw_sha1(cpw_span_from_cstr(key), digest)) {
        return NULL;
    }
    cpw_hex_encode_to(hex, digest, sizeof(digest));
    struct cpw_buf path;
    cpw_buf_init(&path, 4096);
    int rc;
    if (chain->opts->sso_cache_dir) {
        rc = cpw_buf_appendf(&path, "%s/%s.json", chain->opts->sso_cache_dir, hex);
    } else {
        const char *home = getenv("HOME");
        rc = cpw_buf_appendf(&path, "%s/.aws/sso/cache/%s.json", home ? home : "", hex);
    }
    return rc ? NULL : cpw_buf_detach(&path);
}

/* expiresAt is ISO 8601; older CLIs wrote "2019-11-14T04:05:45UTC". */
static int s_parse_expiry(const char *text, int64_t *epoch_ms)
{
    char fixed[64];
    size_t len = strlen(text);
    if (len > 3 && len < sizeof(fixed) && strcmp(text + len - 3, "UTC") == 0) {
        memcpy(fixed, text, len - 3);
        fixed[len - 3] = 'Z';
        fixed[len - 2] = '\0';
        text = fixed;
    }
    return cpw_time_parse_iso8601_ms(cpw_span_from_cstr(text), epoch_ms);
}

/* Reads the cached token: 0 with *doc owned (the token inside it), or -1. */
static int s_read_token(struct cpw_credentials_chain *chain,
                        const char *profile,
                        const char *what,
                        const struct sso_settings *s,
                        json_t **doc,
                        const char **token)
{
    *doc = NULL;
    const char *key = s->session ? s->session : s->start_url;
    char *path = s_cache_path(chain, key);
    struct cpw_buf text;
    cpw_buf_init(&text, CACHE_MAX_BYTES);
    int rc = -1;
    struct stat st;
    if (!path) {
        cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: cannot name the token cache file", what);
        goto cleanup;
    }
    if (stat(path, &st) != 0 && errno == ENOENT) {
        cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                             "%s: no cached SSO token for %s '%s' (%s); run `aws sso login "
                             "--profile %s`",
                             what, s->session ? "sso-session" : "start URL", key, path, profile);
        goto cleanup;
    }
    if (cpw_buf_read_regular_file(&text, path)) {
        cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: cannot read the SSO token cache: %s", what,
                             cpw_last_error_detail());
        goto cleanup;
    }
    (void)cpw_json_load_ex(cpw_buf_span(&text), CPW_JSON_MAX_TEXT_BYTES, CPW_JSON_LOAD_CONTAINER,
                           doc, NULL);
    const json_t *access = json_object_get(*doc, "accessToken");
    const json_t *expires = json_object_get(*doc, "expiresAt");
    if (!json_is_string(access) || !json_is_string(expires)) {
        cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                             "%s: the SSO token cache %s has no accessToken/expiresAt; run `aws "
                             "sso login --profile %s`",
                             what, path, profile);
        goto cleanup;
    }
    cpw_log_register_secret(cpw_span_from_cstr(json_string_value(access)));
    int64_t expires_ms = 0;
    if (s_parse_expiry(json_string_value(expires), &expires_ms)) {
        cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                             "%s: the SSO token cache %s has an unreadable expiresAt", what, path);
        goto cleanup;
    }
    if (expires_ms <= cpw_credentials_now_ms(chain->opts)) {
        cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                             "%s: the SSO token expired at %s; run `aws sso login --profile %s`",
                             what, json_string_value(expires), profile);
        goto cleanup;
    }
    *token = json_string_value(access);
    rc = 0;
cleanup:
    if (rc) {
        json_decref(*doc);
        *doc = NULL;
    }
    cpw_buf_clean_up_secure(&text);
    cpw_free(path);
    return rc;
}

int cpw_credentials_from_sso(struct cpw_credentials_chain *chain,
                             const char *profile,
                             struct cpw_credentials *out)
{
    if (!s_get(chain, profile, "sso_session") && !s_get(chain, profile, "sso_start_url") &&
        !s_get(chain, profile, "sso_account_id") && !s_get(chain, profile, "sso_role_name")) {
        return CPW_CREDS_ABSENT;
    }
    char what[256];
    snprintf(what, sizeof(what), "sso: profile '%s'", profile);
    struct sso_settings s = { 0 };
    if (s_settings(chain, profile, what, &s)) {
        return -1;
    }
    json_t *cache = NULL;
    json_t *input = NULL;
    json_t *output = NULL;
    const char *token = NULL;
    int rc = -1;
    if (s_read_token(chain, profile, what, &s, &cache, &token)) {
        goto cleanup;
    }
    input = json_pack("{s:s, s:s, s:s}", "roleName", s.role_name, "accountId", s.account_id,
                      "accessToken", token);
    struct cpw_aws_invoke call = {
        .service = "sso",
        .operation = "GetRoleCredentials",
        .region = s.region,
        .input = input,
        .credentials = NULL,
    };
    if (cpw_credentials_invoke(chain, what, &call, &output)) {
        if (strstr(cpw_last_error_detail(), "Unauthorized")) {
            cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                 "%s; the SSO token is no longer accepted: run `aws sso login "
                                 "--profile %s`",
                                 cpw_last_error_detail(), profile);
        }
        goto cleanup;
    }
    static const struct cpw_credentials_json_names names = {
        .access_key_id = "accessKeyId",
        .secret_access_key = "secretAccessKey",
        .session_token = "sessionToken",
        .expiration = "expiration",
        .expiration_is_epoch_ms = true,
    };
    if (cpw_credentials_from_json(out, what, "sso", json_object_get(output, "roleCredentials"),
                                  &names, s.account_id)) {
        goto cleanup;
    }
    rc = CPW_CREDS_FOUND;
cleanup:
    json_decref(cache);
    json_decref(input);
    json_decref(output);
    return rc;
}
