/*
 * crypto.h - the hashing libcpw needs, on OpenSSL 3 (SHA-256 fetched once, contexts reused).
 *
 * Thread-safety: every function is thread-safe; the algorithms are fetched on first use under
 * pthread_once and kept for the process lifetime, and idle digest contexts in a small pool (both
 * released by cpw_crypto_clean_up at exit).
 */
#ifndef CPW_CRYPTO_H
#define CPW_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpw/buf.h"

#define CPW_SHA256_LEN     32
#define CPW_SHA256_HEX_LEN 64

/** SHA-256 of data into out. Returns 0, or -1 with CPW_ERR_CRYPTO. */
int cpw_sha256(struct cpw_span data, uint8_t out[CPW_SHA256_LEN]);

#define CPW_SHA1_LEN 20

/**
 * SHA-1 of data into out. Not for security: only to compute names that other tools derive with
 * it (the AWS CLI's SSO token cache file names). Returns 0, or -1 with CPW_ERR_CRYPTO.
 */
int cpw_sha1(struct cpw_span data, uint8_t out[CPW_SHA1_LEN]);

/** Streaming SHA-256, for bodies too large to hold. Opaque; new/update/final/destroy. */
struct cpw_sha256_ctx;
struct cpw_sha256_ctx *cpw_sha256_new(void);
int cpw_sha256_update(struct cpw_sha256_ctx *ctx, struct cpw_span data);
int cpw_sha256_final(struct cpw_sha256_ctx *ctx, uint8_t out[CPW_SHA256_LEN]);
void cpw_sha256_destroy(struct cpw_sha256_ctx *ctx);

/** HMAC-SHA256(key, data) into out. Returns 0, or -1 with CPW_ERR_CRYPTO. */
int cpw_hmac_sha256(struct cpw_span key, struct cpw_span data, uint8_t out[CPW_SHA256_LEN]);

/** Appends the lower-case hex of bytes to out. Returns 0 or -1. */
int cpw_hex_encode(struct cpw_buf *out, struct cpw_span bytes);

/** Writes lower-case hex of len bytes into out (2*len+1 bytes, NUL-terminated). */
void cpw_hex_encode_to(char *out, const uint8_t *bytes, size_t len);

/**
 * Decodes hex (either case) into out (capacity out_cap). Returns the byte count, or -1 with
 * CPW_ERR_ENCODING for odd length / bad digits / too long.
 */
long cpw_hex_decode(struct cpw_span hex, uint8_t *out, size_t out_cap);

/** Constant-time comparison of two equal-length byte strings (false if lengths differ). */
bool cpw_ct_equal(struct cpw_span a, struct cpw_span b);

/** Overwrites len bytes at p in a way the compiler may not remove. */
void cpw_secure_zero(void *p, size_t len);

/** Fills out with len cryptographically random bytes. Returns 0, or -1 with CPW_ERR_CRYPTO. */
int cpw_random_bytes(uint8_t *out, size_t len);

/** Base64 (standard alphabet, padded) of bytes appended to out. Returns 0 or -1. */
int cpw_base64_encode(struct cpw_buf *out, struct cpw_span bytes);

/** Decodes standard base64 (padding required) appended to out. -1 with CPW_ERR_ENCODING. */
int cpw_base64_decode(struct cpw_buf *out, struct cpw_span text);

/** Releases the fetched algorithms (process exit; optional). */
void cpw_crypto_clean_up(void);

#endif
