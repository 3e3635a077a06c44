/*
 * sigv4.h - AWS Signature Version 4, both directions: signing requests (client) and verifying
 * them (sandbox).
 *
 * The algorithm is the one in AWS's "Signature Version 4 signing process" documentation, in the
 * flavour botocore sends for non-S3 services: canonical URI with dot segments removed and the raw
 * (already percent-encoded) path encoded again, canonical query sorted by encoded key and value,
 * canonical headers lower-cased, trimmed and joined with ',', payload hash of the exact body
 * bytes, HMAC-SHA256 key chain "AWS4"+secret -> date -> region -> service -> "aws4_request".
 * Other flavours (the AWS suite's unnormalised paths, S3's single encoding) are options.
 *
 * Secrets (secret keys, derived signing keys) are never copied into error details or results,
 * and every derived key is wiped (cpw_secure_zero) once used or evicted from the cache.
 *
 * Thread-safety: signing and verification are reentrant (no global state); a key cache may be
 * shared by threads (it has its own lock).
 */
#ifndef CPW_SIGV4_H
#define CPW_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpw/buf.h"
#include "cpw/crypto.h"
#include "cpw/http_msg.h"

#define CPW_SIGV4_ALGORITHM        "AWS4-HMAC-SHA256"
#define CPW_SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define CPW_SIGV4_MAX_SKEW_S       (15 * 60)
#define CPW_SIGV4_MAX_EXPIRES_S    (7 * 24 * 3600)
#define CPW_SIGV4_AKID_MAX         128 /* longest access key id accepted */
#define CPW_SIGV4_SCOPE_PART_MAX   64  /* longest region or service name accepted */
#define CPW_SIGV4_MESSAGE_MAX      1024

/** AWS credentials. Every string is borrowed; session_token may be NULL. */
struct cpw_sigv4_credentials {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token;
};

/* ----- signing key derivation and cache ----------------------------------------------------- */

/**
 * Derives the SigV4 signing key HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service),
 * "aws4_request") into out. date is "YYYYMMDD". Returns 0, or -1 with CPW_ERR_CRYPTO. The caller
 * wipes out when done. Thread-safe.
 */
int cpw_sigv4_derive_key(struct cpw_span secret,
                         struct cpw_span date,
                         struct cpw_span region,
                         struct cpw_span service,
                         uint8_t out[CPW_SHA256_LEN]);

/**
 * A small cache of derived signing keys keyed by (access key id, date, region, service), and a
 * digest of the secret, so that a rotated secret never reuses a stale key. Opaque; thread-safe.
 */
struct cpw_sigv4_key_cache;

/** A cache holding at most capacity keys (0 means 16); the least recently used one goes first. */
struct cpw_sigv4_key_cache *cpw_sigv4_key_cache_new(size_t capacity);

/** Wipes every key and frees the cache. NULL is a no-op. */
void cpw_sigv4_key_cache_destroy(struct cpw_sigv4_key_cache *cache);

/**
 * The signing key for these credentials and scope, from the cache or derived and stored.
 * cache may be NULL (always derives). Returns 0, or -1 with CPW_ERR_CRYPTO / CPW_ERR_LIMIT (a
 * scope part too long to cache is still derived, not cached). The caller wipes out when done.
 */
int cpw_sigv4_key_cache_get(struct cpw_sigv4_key_cache *cache,
                            struct cpw_span access_key_id,
                            struct cpw_span secret,
                            struct cpw_span date,
                            struct cpw_span region,
                            struct cpw_span service,
                            uint8_t out[CPW_SHA256_LEN]);

/** Hit and miss counters since the cache was made (tests, diagnostics). */
void cpw_sigv4_key_cache_stats(struct cpw_sigv4_key_cache *cache, size_t *hits, size_t *misses);

/* ----- signing (client) ------------------------------------------------------------------- */

/** Where the signature goes. */
enum cpw_sigv4_location {
    CPW_SIGV4_LOCATION_HEADERS = 0, /* Authorization + X-Amz-Date headers */
    CPW_SIGV4_LOCATION_QUERY,       /* presigned URL: X-Amz-* query parameters */
};

/** How the canonical URI is made from the request's raw path. */
enum cpw_sigv4_path_mode {
    /* botocore for every service but S3: remove dot segments, collapse '//', encode again. */
    CPW_SIGV4_PATH_NORMALIZE = 0,
    /* Encode again but keep the path's segments as they are (the suite's "normalize": false). */
    CPW_SIGV4_PATH_ENCODE_ONLY,
    /* S3: the raw path is the canonical URI. */
    CPW_SIGV4_PATH_AS_IS,
};

/** Which payload hash the canonical request ends with. */
enum cpw_sigv4_payload {
    CPW_SIGV4_PAYLOAD_HASH_BODY = 0, /* hex SHA-256 of the body bytes */
    CPW_SIGV4_PAYLOAD_UNSIGNED,      /* the literal UNSIGNED-PAYLOAD */
    CPW_SIGV4_PAYLOAD_GIVEN,         /* options.payload_hash, as given */
};

/** Signing options; fill with designated initialisers, zero means the botocore default. */
struct cpw_sigv4_sign_options {
    const struct cpw_sigv4_credentials *credentials; /* required, borrowed */
    const char *region;                              /* required: "us-east-1" */
    const char *service;                             /* required: signing name, "profile" */
    int64_t timestamp_s;                   /* signing time; 0 means cpw_time_now_s() (pinnable) */
    enum cpw_sigv4_location location;      /* headers (default) or presigned query */
    uint32_t expires_s;                    /* presigned lifetime; 0 means 3600; at most 7 days */
    enum cpw_sigv4_path_mode path_mode;    /* default CPW_SIGV4_PATH_NORMALIZE */
    enum cpw_sigv4_payload payload;        /* default: hash the body */
    const char *payload_hash;              /* for CPW_SIGV4_PAYLOAD_GIVEN */
    bool add_content_sha256_header;        /* header signing: send x-amz-content-sha256 */
    bool omit_session_token;               /* add the token after signing, unsigned (legacy) */
    struct cpw_sigv4_key_cache *key_cache; /* optional, borrowed */
};

/** What signing computed, for debugging and tests. Owned; init/clean_up. */
struct cpw_sigv4_signing {
    struct cpw_buf canonical_request;
    struct cpw_buf string_to_sign;
    char signature[CPW_SHA256_HEX_LEN + 1];
};

/** Prepares empty outputs (caller storage). Never fails. */
void cpw_sigv4_signing_init(struct cpw_sigv4_signing *signing);

/** Frees the outputs' buffers and leaves them empty. NULL is a no-op. */
void cpw_sigv4_signing_clean_up(struct cpw_sigv4_signing *signing);

/**
 * Signs req in place. Header signing first removes any Authorization, X-Amz-Date,
 * X-Amz-Security-Token (and x-amz-content-sha256 when it adds one), then appends
 * X-Amz-Security-Token (with a session token), X-Amz-Date, x-amz-content-sha256 (when asked)
 * and Authorization. Query signing appends X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
 * X-Amz-SignedHeaders, X-Amz-Expires, X-Amz-Security-Token and X-Amz-Signature to the query.
 * Every header present is signed except Authorization, User-Agent, Expect, X-Amzn-Trace-Id,
 * Connection, Transfer-Encoding and amz-sdk-*; the request must have a Host header.
 * When out is not NULL it receives the canonical request, string to sign and signature.
 * Returns 0, or -1 with CPW_ERR_INVALID_ARGUMENT / CPW_ERR_LIMIT / CPW_ERR_CRYPTO (req is then
 * unspecified but valid for clean-up). Thread-safe for distinct requests.
 */
int cpw_sigv4_sign(struct cpw_http_request *req,
                   const struct cpw_sigv4_sign_options *options,
                   struct cpw_sigv4_signing *out);

/* ----- parsing what the client sent --------------------------------------------------------- */

/**
 * The parts of an Authorization header "AWS4-HMAC-SHA256 Credential=AK/DATE/REGION/SERVICE/
 * aws4_request, SignedHeaders=a;b, Signature=hex". Every span borrows the header text; a part
 * that was not present has ptr == NULL.
 */
struct cpw_sigv4_authorization {
    struct cpw_span algorithm;
    struct cpw_span credential;
    struct cpw_span signed_headers;
    struct cpw_span signature;
};

/**
 * Parses an Authorization header value. Accepts the spacing variants clients send (", " or ","
 * between parameters, runs of spaces and tabs). Returns 0 when the algorithm is AWS4-HMAC-SHA256
 * (missing parameters are left NULL for the caller to report), or -1 with
 * CPW_ERR_SIGV4_INCOMPLETE (another scheme, a repeated parameter, a parameter without '=').
 * Thread-safe; reads at most header.len bytes.
 */
int cpw_sigv4_parse_authorization(struct cpw_span header, struct cpw_sigv4_authorization *out);

/** A credential scope "AKID/DATE/REGION/SERVICE/aws4_request", split; spans borrow. */
struct cpw_sigv4_scope {
    struct cpw_span access_key_id;
    struct cpw_span date;
    struct cpw_span region;
    struct cpw_span service;
    struct cpw_span terminator;
};

/**
 * Splits a credential into its five '/'-separated parts. Returns 0, or -1 with
 * CPW_ERR_SIGV4_INCOMPLETE when there are not exactly five non-empty parts.
 */
int cpw_sigv4_parse_credential(struct cpw_span credential, struct cpw_sigv4_scope *out);

/* ----- verification (server) -------------------------------------------------------------- */

/** What a key lookup returns: borrowed strings that stay valid until cpw_sigv4_verify returns. */
struct cpw_sigv4_secret {
    const char *secret_access_key;
    const char *session_token; /* NULL: long-term key, no token may be sent */
};

/**
 * Finds the secret of an access key id (NUL-terminated, at most CPW_SIGV4_AKID_MAX bytes,
 * [A-Za-z0-9_.-] only). Returns 0 and fills out when the key is known, -1 when it is not.
 * Called at most once per verification, on the verifying thread.
 */
typedef int(cpw_sigv4_lookup_fn)(const char *access_key_id,
                                 struct cpw_sigv4_secret *out,
                                 void *user);

/** Verification options; zero means the AWS default. */
struct cpw_sigv4_verify_options {
    cpw_sigv4_lookup_fn *lookup; /* required */
    void *lookup_user;
    const char *service;         /* expected signing name; NULL accepts any */
    int64_t now_s;               /* server time; 0 means cpw_time_now_s() (pinnable) */
    int64_t max_skew_s;          /* header auth window; 0 means CPW_SIGV4_MAX_SKEW_S */
    const char *skew_error_code; /* NULL means "SignatureDoesNotMatch" (IAM, STS) */
    enum cpw_sigv4_path_mode path_mode;
    bool allow_unsigned_payload; /* accept x-amz-content-sha256: UNSIGNED-PAYLOAD */
    bool rest_json_errors;       /* API Gateway-fronted services: 403 "Missing Authentication
                                    Token" and 403 for IncompleteSignature */
    struct cpw_sigv4_key_cache *key_cache; /* optional, borrowed */
    struct cpw_sigv4_signing *debug;       /* optional: receives what the verifier computed */
};

enum cpw_sigv4_verdict {
    CPW_SIGV4_VERIFIED = 0,
    CPW_SIGV4_MISSING_AUTH,   /* MissingAuthenticationToken */
    CPW_SIGV4_INCOMPLETE,     /* IncompleteSignature */
    CPW_SIGV4_UNKNOWN_KEY,    /* InvalidClientTokenId (also a wrong or missing token) */
    CPW_SIGV4_MISMATCH,       /* SignatureDoesNotMatch */
    CPW_SIGV4_SCOPE_MISMATCH, /* SignatureDoesNotMatch: scope date or service is wrong */
    CPW_SIGV4_SKEWED,         /* options.skew_error_code: outside the clock skew window */
    CPW_SIGV4_EXPIRED,        /* RequestExpired: presigned URL past X-Amz-Expires */
    CPW_SIGV4_INTERNAL,       /* InternalFailure: the server could not compute (500) */
};

/** The outcome of a verification. Plain data, no ownership; every string is NUL-terminated. */
struct cpw_sigv4_verify_result {
    enum cpw_sigv4_verdict verdict;
    const char *aws_code; /* static: "SignatureDoesNotMatch", ... ("" when verified) */
    int http_status;      /* suggested status: 200 when verified */
    char message[CPW_SIGV4_MESSAGE_MAX]; /* AWS's wording; never holds a secret */
    bool presigned;                      /* the signature came in the query */
    /* Parsed from the credential scope when it could be parsed ("" otherwise): */
    char access_key_id[CPW_SIGV4_AKID_MAX + 1];
    char date[9];
    char region[CPW_SIGV4_SCOPE_PART_MAX + 1];
    char service[CPW_SIGV4_SCOPE_PART_MAX + 1];
    int64_t request_time_s; /* X-Amz-Date (or Date) as epoch seconds; 0 if unknown */
};

/**
 * Verifies the SigV4 signature of req (header or presigned query) and fills result. Only the
 * headers named in SignedHeaders are used (host must be one); signatures are compared in
 * constant time. Returns 0 when the check ran to a verdict (result->verdict says which; an AWS
 * error is not a failure of this function), or -1 with a raised code when it could not compute
 * (crypto failure, size limits): result->verdict is then CPW_SIGV4_INTERNAL. Reentrant.
 */
int cpw_sigv4_verify(const struct cpw_http_request *req,
                     const struct cpw_sigv4_verify_options *options,
                     struct cpw_sigv4_verify_result *result);

/** "SignatureDoesNotMatch" etc. for a verdict (the default codes); static storage. */
const char *cpw_sigv4_verdict_code(enum cpw_sigv4_verdict verdict);

#endif
