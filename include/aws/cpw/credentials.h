/*
 * credentials.h - AWS credentials and the chain that finds them, in the order of the AWS SDKs.
 *
 * Order (botocore's): environment variables; the profile's role_arn (AssumeRole from a
 * source_profile or credential_source); web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN,
 * else the profile's web_identity_token_file); the profile's SSO settings; the profile's static
 * keys from the credentials file; the profile's credential_process; the profile's static keys from
 * the config file; the container endpoint (ECS/EKS); the EC2 instance metadata service (IMDSv2).
 * An explicit profile (the --profile option) skips the environment variables, as the AWS CLI does;
 * AWS_PROFILE does not. docs/credentials.md describes every source and error.
 *
 * A source that is not configured is skipped and noted; a source that is configured but fails
 * stops the chain with CPW_ERR_CREDENTIALS and a detail naming the source and the reason. When no
 * source applies the detail lists every source tried ("no credentials: environment: not set;
 * ..."). No detail ever contains a secret: every secret loaded is registered with the log
 * redactor and error details pass through it.
 *
 * Sources that need an AWS API call (STS AssumeRole and AssumeRoleWithWebIdentity, SSO
 * GetRoleCredentials) make it through an injected cpw_aws_invoke_fn, so this module depends on
 * no HTTP engine, signer or codec. The container and IMDS sources use plain blocking libcurl.
 */
#ifndef CPW_CREDENTIALS_H
#define CPW_CREDENTIALS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cpw/config.h"

/* Credentials are refreshed this long before they expire. */
#define CPW_CREDENTIALS_REFRESH_MS (5 * 60 * 1000)

struct cpw_credentials {
    char *access_key_id;     /* owned */
    char *secret_access_key; /* owned, secret */
    char *session_token;     /* owned, secret; NULL for long-term keys */
    int64_t expiration_ms;   /* epoch milliseconds; 0 = never expires */
    const char *source;      /* static storage: "environment", "shared-credentials-file",
                                "config-file", "assume-role", "process", "sso", "container",
                                "imds", "web-identity" */
    char *account_id;        /* owned; NULL when not known */
};

/** Zeroes c. Never fails. */
void cpw_credentials_init(struct cpw_credentials *c);

/**
 * Wipes the secret and the session token (cpw_secure_zero), frees every string and leaves c
 * zeroed. NULL and zeroed structs are fine.
 */
void cpw_credentials_clean_up(struct cpw_credentials *c);

/** Deep copy of src into dst (dst must be zeroed or cleaned up; dst owns the copy). */
void cpw_credentials_copy(struct cpw_credentials *dst, const struct cpw_credentials *src);

/**
 * True when c has an expiry and now_ms is within CPW_CREDENTIALS_REFRESH_MS of it (or past it).
 */
bool cpw_credentials_need_refresh(const struct cpw_credentials *c, int64_t now_ms);

/* ----- AWS API calls made by credential sources ---------------------------------------------- */

struct cpw_aws_invoke {
    const char *service;   /* "sts", "sso" */
    const char *operation; /* "AssumeRole", "AssumeRoleWithWebIdentity", "GetRoleCredentials" */
    const char *region;    /* resolved region (sso_region for SSO) */
    const json_t *input;   /* members as in the botocore model, e.g. {"RoleArn":..., ...} */
    const struct cpw_credentials *credentials; /* NULL: unsigned call (web identity, SSO) */
};

/**
 * Makes one AWS API call. Returns 0 with *output set to an owned JSON document (members as in the
 * model, timestamps as ISO 8601 strings; SSO's expiration stays epoch milliseconds), or -1 with
 * CPW_ERR_AWS or CPW_ERR_HTTP raised and a detail "Code: message". Called from whichever thread
 * asks the provider for credentials.
 */
typedef int(cpw_aws_invoke_fn)(void *ctx, const struct cpw_aws_invoke *call, json_t **output);

/* ----- the chain ---------------------------------------------------------------------------- */

/** A wall clock in epoch milliseconds (tests inject one; the default is cpw_time_now_ms). */
typedef int64_t(cpw_credentials_clock_fn)(void *ctx);

struct cpw_credentials_options {
    const struct cpw_config *config; /* borrowed, must outlive the provider; NULL: no files */
    const char *profile;             /* explicit profile (like --profile); NULL: the config's
                                        active profile. Explicit skips the environment source. */
    const char *region;              /* region for STS calls; NULL: AWS_REGION,
                                        AWS_DEFAULT_REGION, the profile's region, us-east-1 */
    cpw_aws_invoke_fn *invoke;       /* NULL: sources that need an AWS call fail clearly */
    void *invoke_ctx;
    const char *imds_endpoint;       /* NULL: AWS_EC2_METADATA_SERVICE_ENDPOINT, else
                                        http://169.254.169.254 */
    const char *container_endpoint;  /* base for AWS_CONTAINER_CREDENTIALS_RELATIVE_URI; NULL:
                                        http://169.254.170.2 */
    const char *sso_cache_dir;       /* NULL: $HOME/.aws/sso/cache */
    int64_t process_timeout_ms;      /* credential_process limit; 0: 60000 */
    int64_t imds_timeout_ms;         /* per request; 0: 1000 */
    int64_t container_timeout_ms;    /* per request; 0: 2000 */
    cpw_credentials_clock_fn *clock; /* NULL: cpw_time_now_ms (which tests may pin) */
    void *clock_ctx;
};

/**
 * Walks the chain once, without caching. Returns 0 with out filled (owned by the caller; release
 * with cpw_credentials_clean_up), or -1 with CPW_ERR_CREDENTIALS (out left zeroed). Reads the
 * environment at call time. Thread-safe as long as nobody changes the environment meanwhile.
 */
int cpw_credentials_resolve(const struct cpw_credentials_options *opts,
                            struct cpw_credentials *out);

struct cpw_credentials_provider;

/**
 * A caching resolver over the chain. The options are copied (strings duplicated; the config and
 * invoke_ctx stay borrowed). Owned by the caller (cpw_credentials_provider_destroy). Never NULL.
 */
struct cpw_credentials_provider *cpw_credentials_provider_new(
  const struct cpw_credentials_options *opts);

/** Wipes the cached credentials and frees the provider. NULL is a no-op. */
void cpw_credentials_provider_destroy(struct cpw_credentials_provider *provider);

/**
 * Hands out a copy of the current credentials (owned by the caller; cpw_credentials_clean_up),
 * resolving them on first use and again when they are within CPW_CREDENTIALS_REFRESH_MS of
 * expiry. If a refresh fails while the cached credentials have not yet expired they are still
 * handed out (and a warning is logged). Returns 0, or -1 with CPW_ERR_CREDENTIALS.
 * Thread-safe: concurrent callers share one resolution (the others wait for it).
 */
int cpw_credentials_provider_get(struct cpw_credentials_provider *provider,
                                 struct cpw_credentials *out);

/** Drops the cached credentials so that the next get resolves again. Thread-safe. */
void cpw_credentials_provider_invalidate(struct cpw_credentials_provider *provider);

/* ----- assumed roles from explicit source credentials ------------------------------------- */

struct cpw_credentials_assume_role_options {
    struct cpw_credentials_provider *source; /* borrowed, must outlive the provider: the
                                                credentials that call AssumeRole */
    const char *role_arn;                    /* required */
    const char *session_name;                /* NULL: "cpwarden-session-<epoch s>" */
    const char *region;                      /* region for STS; NULL: us-east-1 */
    cpw_aws_invoke_fn *invoke;               /* required: makes the STS call */
    void *invoke_ctx;
};

/**
 * A caching provider whose credentials come from STS AssumeRole of role_arn, called with the
 * source provider's credentials (cross-account access, e.g. OrganizationAccountAccessRole in
 * every member of an organization). The options are copied (strings duplicated; source and
 * invoke_ctx stay borrowed). Refreshes like any provider. Owned by the caller
 * (cpw_credentials_provider_destroy). Never NULL.
 */
struct cpw_credentials_provider *cpw_credentials_provider_new_assume_role(
  const struct cpw_credentials_assume_role_options *opts);

/**
 * Puts credentials obtained elsewhere (an AssumeRole made asynchronously) into the provider's
 * cache, so that its first get needs no call. c is copied. Thread-safe.
 */
void cpw_credentials_provider_seed(struct cpw_credentials_provider *provider,
                                   const struct cpw_credentials *c);

/**
 * Fills out (zeroed by the caller) from an STS AssumeRole output document ({"Credentials":
 * {...}, "AssumedRoleUser": {"Arn": ...}}); the account comes from the assumed role's ARN, else
 * from role_arn. The secret and token are registered with the log redactor. Returns 0, or -1
 * with CPW_ERR_CREDENTIALS (a missing or malformed member; no value is echoed).
 */
int cpw_credentials_from_assume_role_output(struct cpw_credentials *out,
                                            const json_t *output,
                                            const char *role_arn);

/**
 * Splits a command line the way the AWS CLI splits credential_process (POSIX shlex: whitespace
 * separates words, single quotes are literal, double quotes allow \" and \\, a backslash outside
 * quotes escapes the next character). Returns a NULL-terminated array of owned strings (free with
 * cpw_credentials_argv_free) or NULL with CPW_ERR_CONFIG for an unterminated quote or an empty
 * command.
 */
char **cpw_credentials_split_command(const char *command);

/** Frees what cpw_credentials_split_command returned. NULL is a no-op. */
void cpw_credentials_argv_free(char **argv);

#endif
