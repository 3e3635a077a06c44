/*
 * credentials_web_identity.c - STS AssumeRoleWithWebIdentity from a token file (EKS IRSA, CI
 * OIDC): AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME), each variable
 * falling back to the profile's web_identity_token_file, role_arn and role_session_name, as
 * botocore's AssumeRoleWithWebIdentityProvider does. The token file is read on every call,
 * because the platform rotates it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cpw/alloc.h"
#include "cpw/config.h"
#include "cpw/log.h"
#include "credentials_internal.h"

#define TOKEN_MAX_BYTES (64u * 1024u)

static const char *s_setting(struct cpw_credentials_chain *chain,
                             const char *profile,
                             bool use_env,
                             const char *env_name,
                             const char *key)
{
    const char *v = use_env ? getenv(env_name) : NULL;
    if (v && *v) {
        return v;
    }
    v = cpw_config_get(chain->config, profile, key);
    return v && *v ? v : NULL;
}

int cpw_credentials_from_web_identity(struct cpw_credentials_chain *chain,
                                      const char *profile,
                                      bool use_env,
                                      struct cpw_credentials *out)
{
    const char *token_file =
      s_setting(chain, profile, use_env, "AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file");
    if (!token_file) {
        cpw_credentials_note(chain, "web-identity: AWS_WEB_IDENTITY_TOKEN_FILE not set");
        return CPW_CREDS_ABSENT;
    }
    const char *role_arn = s_setting(chain, profile, use_env, "AWS_ROLE_ARN", "role_arn");
    if (!role_arn) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "web-identity: the token file %s is configured but no role "
                                    "(AWS_ROLE_ARN or the profile's role_arn)",
                                    token_file);
    }
    const char *what = "web-identity";
    struct cpw_buf token;
    cpw_buf_init(&token, TOKEN_MAX_BYTES);
    json_t *input = NULL;
    json_t *output = NULL;
    int rc = -1;
    if (cpw_buf_read_regular_file(&token, token_file)) {
        cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: cannot read the token file: %s", what,
                             cpw_last_error_detail());
        goto cleanup;
    }
    struct cpw_span text = cpw_span_trim(cpw_buf_span(&token));
    while (text.len && (text.ptr[text.len - 1] == '\n' || text.ptr[text.len - 1] == '\r')) {
        text.len--;
    }
    if (text.len == 0) {
        cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: the token file %s is empty", what,
                             token_file);
        goto cleanup;
    }
    cpw_log_register_secret(text);
    char session_name[64];
    const char *configured_name =
      s_setting(chain, profile, use_env, "AWS_ROLE_SESSION_NAME", "role_session_name");
    if (!configured_name) {
        cpw_credentials_default_session_name(chain, session_name);
    }
    input = json_pack("{s:s, s:s, s:s%}", "RoleArn", role_arn, "RoleSessionName",
                      configured_name ? configured_name : session_name, "WebIdentityToken",
                      (const char *)text.ptr, text.len);
    if (!input) {
        cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: the token in %s is not valid UTF-8", what,
                             token_file);
        goto cleanup;
    }
    struct cpw_aws_invoke call = {
        .service = "sts",
        .operation = "AssumeRoleWithWebIdentity",
        .region = cpw_credentials_region(chain, profile),
        .input = input,
        .credentials = NULL,
    };
    if (cpw_credentials_invoke(chain, what, &call, &output) ||
        cpw_credentials_from_sts_output(out, what, "web-identity", output, role_arn)) {
        goto cleanup;
    }
    rc = CPW_CREDS_FOUND;
cleanup:
    json_decref(input);
    json_decref(output);
    cpw_buf_clean_up_secure(&token);
    return rc;
}
