/*
 * credentials_internal.h - what the credential sources (src/aws/credentials_*.c) share.
 *
 * A source function returns CPW_CREDS_FOUND with out filled, CPW_CREDS_ABSENT after noting why
 * it does not apply (cpw_credentials_note), or -1 with CPW_ERR_CREDENTIALS raised (through
 * cpw_credentials_fail, which redacts) when it is configured but fails.
 */
#ifndef CPW_CREDENTIALS_INTERNAL_H
#define CPW_CREDENTIALS_INTERNAL_H

#include <jansson.h>

#include "cpw/buf.h"
#include "cpw/credentials.h"
#include "cpw/error.h"

enum {
    CPW_CREDS_FOUND = 0,
    CPW_CREDS_ABSENT = 1,
};

/* One walk of the chain. */
struct cpw_credentials_chain {
    const struct cpw_credentials_options *opts;
    const struct cpw_config *config; /* never NULL inside the chain */
    const char *profile;             /* the active profile name */
    struct cpw_buf tried;            /* "environment: not set; profile 'x': ..." */
};

/** Appends "; what" to the list of sources tried. */
void cpw_credentials_note(struct cpw_credentials_chain *chain, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/**
 * Formats the detail, passes it through the log redactor and raises code with it. Returns -1.
 */
int cpw_credentials_fail(enum cpw_error code, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/**
 * Fills out from the given strings (copied) and registers the secret and token with the log
 * redactor. Rejects empty values and control characters (without echoing them): -1 with
 * CPW_ERR_CREDENTIALS and "WHAT: ...". token and account_id may be NULL.
 */
int cpw_credentials_set(struct cpw_credentials *out,
                        const char *what,
                        const char *source,
                        const char *access_key_id,
                        const char *secret_access_key,
                        const char *session_token,
                        int64_t expiration_ms,
                        const char *account_id);

/** Names of the members of a credentials JSON document, which differ between sources. */
struct cpw_credentials_json_names {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token;
    const char *expiration; /* ISO 8601 string, or (expiration_is_epoch_ms) a number */
    bool expiration_is_epoch_ms;
};

/** Fills out from the JSON object doc using names (see cpw_credentials_set for errors). */
int cpw_credentials_from_json(struct cpw_credentials *out,
                              const char *what,
                              const char *source,
                              const json_t *doc,
                              const struct cpw_credentials_json_names *names,
                              const char *account_id);

/**
 * Fills out from an STS AssumeRole / AssumeRoleWithWebIdentity output ({"Credentials": {...},
 * "AssumedRoleUser": {"Arn": ...}}); the account comes from the assumed role's ARN, else from
 * role_arn.
 */
int cpw_credentials_from_sts_output(struct cpw_credentials *out,
                                    const char *what,
                                    const char *source,
                                    const json_t *output,
                                    const char *role_arn);

/** Now, in epoch milliseconds, by the options' clock. */
int64_t cpw_credentials_now_ms(const struct cpw_credentials_options *opts);

/** The session name for an assumed role when none is configured: "cpwarden-session-<epoch s>". */
void cpw_credentials_default_session_name(const struct cpw_credentials_chain *chain, char out[64]);

/** The account id inside an ARN ("arn:aws:iam::123456789012:role/x"), copied, or NULL. */
char *cpw_credentials_arn_account(const char *arn);

/** The region for STS calls (see struct cpw_credentials_options). Borrowed. */
const char *cpw_credentials_region(const struct cpw_credentials_chain *chain, const char *profile);

/**
 * Calls opts->invoke, turning its absence or failure into CPW_ERR_CREDENTIALS "WHAT: ...".
 * Returns 0 with *output owned by the caller, or -1.
 */
int cpw_credentials_invoke(struct cpw_credentials_chain *chain,
                           const char *what,
                           const struct cpw_aws_invoke *call,
                           json_t **output);

/* ----- sources --------------------------------------------------------------------------- */

/** AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (ABSENT when neither key). */
int cpw_credentials_from_env(struct cpw_credentials_chain *chain, struct cpw_credentials *out);

/**
 * The active profile's part of the chain, in order: role_arn (assume role), web identity (the
 * environment's variables first), SSO, the credentials file's keys, credential_process, the
 * config file's keys. A source_profile is resolved the same way, minus the environment.
 */
int cpw_credentials_from_profile(struct cpw_credentials_chain *chain, struct cpw_credentials *out);

/** Web identity: the environment variables (when use_env), else the profile's settings. */
int cpw_credentials_from_web_identity(struct cpw_credentials_chain *chain,
                                      const char *profile,
                                      bool use_env,
                                      struct cpw_credentials *out);

/** Runs a credential_process command line for profile (named in errors). */
int cpw_credentials_from_process(struct cpw_credentials_chain *chain,
                                 const char *profile,
                                 const char *command,
                                 struct cpw_credentials *out);

/** SSO for profile (ABSENT when the profile has no SSO settings). */
int cpw_credentials_from_sso(struct cpw_credentials_chain *chain,
                             const char *profile,
                             struct cpw_credentials *out);

/** The container endpoint (ABSENT when neither URI variable is set). */
int cpw_credentials_from_container(struct cpw_credentials_chain *chain,
                                   struct cpw_credentials *out);

/** IMDSv2 (ABSENT when disabled or when nothing usable answers; the note says which). */
int cpw_credentials_from_imds(struct cpw_credentials_chain *chain, struct cpw_credentials *out);

/* ----- plain HTTP for the container and IMDS sources ------------------------------------------ */

struct cpw_credentials_http {
    const char *method; /* "GET" or "PUT" */
    const char *url;
    const char *header_name; /* one optional request header */
    const char *header_value;
    int64_t timeout_ms;
};

/**
 * One blocking request with libcurl. Returns 0 with *status and the body appended to body (capped
 * by body->max), or -1 with CPW_ERR_HTTP / CPW_ERR_TIMEOUT and curl's reason (no header values).
 */
int cpw_credentials_http_fetch(const struct cpw_credentials_http *req,
                               long *status,
                               struct cpw_buf *body);

#endif
