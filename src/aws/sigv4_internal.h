/*
 * sigv4_internal.h - what the SigV4 signer and verifier share inside libcpw: the canonical
 * request and string-to-sign builders (sigv4_canonical.c).
 */
#ifndef CPW_SIGV4_INTERNAL_H
#define CPW_SIGV4_INTERNAL_H

#include <stdbool.h>

#include "cpw/buf.h"
#include "cpw/http_msg.h"
#include "cpw/sigv4.h"

/* Caps on what canonicalisation builds; the inputs are already capped by cpw_http_request. */
#define CPW_SIGV4_CANONICAL_MAX    (1024u * 1024u)
#define CPW_SIGV4_MAX_SIGNED       64 /* headers in SignedHeaders */
#define CPW_SIGV4_MAX_QUERY_PARAMS 512

/** Input of the canonical request. Everything borrowed. */
struct cpw_sigv4_canon_input {
    const char *method;
    struct cpw_span path;  /* raw path from the request line */
    struct cpw_span query; /* raw query without '?' */
    const struct cpw_headers *headers;
    struct cpw_span signed_headers; /* "host;x-amz-date": lower-case names, ';'-separated */
    enum cpw_sigv4_path_mode path_mode;
    struct cpw_span payload_hash;       /* 64 hex digits or UNSIGNED-PAYLOAD */
    struct cpw_span skip_query_keys[2]; /* keys left out of the canonical query (ptr NULL: none) */
};

/** Appends the canonical URI of path per mode. Returns 0 or -1 (CPW_ERR_LIMIT). */
int cpw_sigv4_canonical_uri(struct cpw_buf *out,
                            struct cpw_span path,
                            enum cpw_sigv4_path_mode mode);

/**
 * Appends the canonical query string of a raw query: pairs split on '&' and the first '=', each
 * side percent-decoded (a stray '%' is kept literally) and encoded again per SigV4, sorted by
 * key then value, joined with '&'. Pairs whose encoded key equals skip[0] or skip[1] are left
 * out (a span with ptr NULL skips nothing).
 */
int cpw_sigv4_canonical_query(struct cpw_buf *out,
                              struct cpw_span query,
                              const struct cpw_span skip[2]);

/**
 * Appends the canonical headers block ("name:value\n" per signed name, values of repeated
 * headers trimmed, inner whitespace collapsed, joined with ','). Returns 0 or -1.
 */
int cpw_sigv4_canonical_headers(struct cpw_buf *out,
                                const struct cpw_headers *headers,
                                struct cpw_span signed_headers);

/** Builds the whole canonical request into out (reset first). Returns 0 or -1. */
int cpw_sigv4_canonical_request(struct cpw_buf *out, const struct cpw_sigv4_canon_input *in);

/**
 * Builds the string to sign into out (reset first) for the canonical request, the X-Amz-Date
 * value and the scope "DATE/REGION/SERVICE/aws4_request". Returns 0 or -1.
 */
int cpw_sigv4_string_to_sign(struct cpw_buf *out,
                             struct cpw_span canonical_request,
                             struct cpw_span amz_date,
                             struct cpw_span scope);

/** Hex HMAC-SHA256(key, string_to_sign) into out (65 bytes). Returns 0 or -1. */
int cpw_sigv4_signature_hex(const uint8_t key[CPW_SHA256_LEN],
                            struct cpw_span string_to_sign,
                            char out[CPW_SHA256_HEX_LEN + 1]);

/** Hex SHA-256 of data into out (65 bytes). Returns 0 or -1. */
int cpw_sigv4_hash_hex(struct cpw_span data, char out[CPW_SHA256_HEX_LEN + 1]);

/** True for a header the signer never signs (case-insensitive name). */
bool cpw_sigv4_header_is_unsigned(const char *name);

#endif
