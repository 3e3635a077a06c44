/*
 * sigv4_suite.h - the AWS signing test suite's case format (context.json), used by
 * `cpwarden sign` and by the vector tests.
 *
 * A context holds the credentials (access_key_id, secret_access_key, optional token), region,
 * service, timestamp (ISO 8601), expiration_in_seconds, normalize, sign_body and
 * omit_session_token. Fields other than the credentials are optional here; signing checks that
 * region, service and timestamp are present.
 *
 * Ownership: the context owns its strings; clean_up wipes the secret and the token.
 * Thread-safety: plain data, no shared state.
 */
#ifndef CPW_SIGV4_SUITE_H
#define CPW_SIGV4_SUITE_H

#include <stdbool.h>
#include <stdint.h>

#include "cpw/buf.h"
#include "cpw/sigv4.h"

struct cpw_sigv4_suite_context {
    char *access_key_id;     /* owned */
    char *secret_access_key; /* owned, wiped on clean-up */
    char *session_token;     /* owned or NULL, wiped on clean-up */
    char *region;            /* owned or NULL */
    char *service;           /* owned or NULL */
    bool has_timestamp;
    int64_t timestamp_s;
    uint32_t expires_s; /* expiration_in_seconds; 3600 when absent */
    bool normalize;     /* true when absent */
    bool sign_body;
    bool omit_session_token;
};

/** Prepares an empty context. Never fails. */
void cpw_sigv4_suite_context_init(struct cpw_sigv4_suite_context *ctx);

/** Frees the strings (wiping the secrets) and leaves the context empty. NULL is a no-op. */
void cpw_sigv4_suite_context_clean_up(struct cpw_sigv4_suite_context *ctx);

/**
 * Parses context.json text into ctx (cleaned up first). Returns 0, or -1 with CPW_ERR_PARSE
 * (not JSON, or a field of the wrong type / malformed timestamp; the detail names the field
 * and never holds a value) or CPW_ERR_CONFIG (credentials missing), leaving ctx empty.
 */
int cpw_sigv4_suite_context_parse(struct cpw_sigv4_suite_context *ctx, struct cpw_span json);

/** Reads and parses a context.json file. Returns 0, or -1 (CPW_ERR_IO or as above). */
int cpw_sigv4_suite_context_load(struct cpw_sigv4_suite_context *ctx, const char *path);

/**
 * Fills credentials and options for signing a case the way the suite expects (header or query
 * variant). Both borrow from ctx, which must outlive them. Returns 0, or -1 with
 * CPW_ERR_CONFIG when region, service or timestamp is missing.
 */
int cpw_sigv4_suite_sign_options(const struct cpw_sigv4_suite_context *ctx,
                                 bool query,
                                 struct cpw_sigv4_credentials *credentials,
                                 struct cpw_sigv4_sign_options *options);

#endif
