/*
 * credentials_env.c - the environment source: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN (or the legacy AWS_SECURITY_TOKEN), AWS_CREDENTIAL_EXPIRATION and
 * AWS_ACCOUNT_ID, as botocore's EnvProvider reads them.
 */
#include <stdlib.h>

#include "cpw/time.h"
#include "credentials_internal.h"

static const char *s_env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

int cpw_credentials_from_env(struct cpw_credentials_chain *chain, struct cpw_credentials *out)
{
    const char *akid = s_env("AWS_ACCESS_KEY_ID");
    const char *secret = s_env("AWS_SECRET_ACCESS_KEY");
    if (!akid && !secret) {
        cpw_credentials_note(chain, "environment: AWS_ACCESS_KEY_ID not set");
        return CPW_CREDS_ABSENT;
    }
    if (!secret) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "environment: AWS_ACCESS_KEY_ID is set but not "
                                    "AWS_SECRET_ACCESS_KEY");
    }
    if (!akid) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "environment: a secret key is set but not AWS_ACCESS_KEY_ID");
    }
    const char *token = s_env("AWS_SESSION_TOKEN");
    if (!token) {
        token = s_env("AWS_SECURITY_TOKEN");
    }
    int64_t expiration_ms = 0;
    const char *expiration = s_env("AWS_CREDENTIAL_EXPIRATION");
    if (expiration && cpw_time_parse_iso8601_ms(cpw_span_from_cstr(expiration), &expiration_ms)) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "environment: AWS_CREDENTIAL_EXPIRATION '%s' is not an ISO "
                                    "8601 timestamp",
                                    expiration);
    }
    if (cpw_credentials_set(out, "environment", "environment", akid, secret, token, expiration_ms,
                            s_env("AWS_ACCOUNT_ID"))) {
        return -1;
    }
    return CPW_CREDS_FOUND;
}
