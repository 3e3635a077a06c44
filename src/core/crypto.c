/*
 * crypto.c - SHA-256, HMAC-SHA256, hex, base64 and constant-time compare on OpenSSL 3.
 *
 * The SHA-256 EVP_MD is fetched once (OpenSSL 3's implicit fetches take locks on
 * every call; pre-fetching is the maintainers' advice) and shared by all threads; digest
 * contexts are kept for reuse (see cpw_hmac_sha256).
 */
#include "cpw/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"

static pthread_once_t s_once = PTHREAD_ONCE_INIT;
static EVP_MD *s_sha256;

static void s_fetch(void)
{
    s_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static int s_ready(void)
{
    pthread_once(&s_once, s_fetch);
    if (!s_sha256) {
        return cpw_raise(CPW_ERR_CRYPTO, "OpenSSL could not provide SHA256/HMAC");
    }
    return 0;
}

static EVP_MD_CTX *s_md_take(void);
static void s_md_give_back(EVP_MD_CTX *ctx);
static void s_md_pool_clean_up(void);
static bool s_sha256_two(EVP_MD_CTX *ctx, struct cpw_span a, struct cpw_span b, uint8_t *out);

void cpw_crypto_clean_up(void)
{
    s_md_pool_clean_up();
    EVP_MD_free(s_sha256);
    s_sha256 = NULL;
}

int cpw_sha256(struct cpw_span data, uint8_t out[CPW_SHA256_LEN])
{
    if (s_ready()) {
        return -1;
    }
    EVP_MD_CTX *ctx = s_md_take();
    if (!ctx || !s_sha256_two(ctx, data, cpw_span_from(NULL, 0), out)) {
        EVP_MD_CTX_free(ctx);
        return cpw_raise(CPW_ERR_CRYPTO, "SHA-256 failed");
    }
    s_md_give_back(ctx);
    return 0;
}

int cpw_sha1(struct cpw_span data, uint8_t out[CPW_SHA1_LEN])
{
    EVP_MD *sha1 = EVP_MD_fetch(NULL, "SHA1", NULL); /* rare: fetched per call */
    unsigned int out_len = 0;
    int ok =
      sha1 &&
      EVP_Digest(data.len ? data.ptr : (const uint8_t *)"", data.len, out, &out_len, sha1, NULL) &&
      out_len == CPW_SHA1_LEN;
    EVP_MD_free(sha1);
    return ok ? 0 : cpw_raise(CPW_ERR_CRYPTO, "SHA-1 failed");
}

struct cpw_sha256_ctx {
    EVP_MD_CTX *md;
};

struct cpw_sha256_ctx *cpw_sha256_new(void)
{
    if (s_ready()) {
        return NULL;
    }
    struct cpw_sha256_ctx *ctx = cpw_calloc(1, sizeof(*ctx));
    ctx->md = EVP_MD_CTX_new();
    if (!ctx->md || !EVP_DigestInit_ex2(ctx->md, s_sha256, NULL)) {
        cpw_sha256_destroy(ctx);
        cpw_raise(CPW_ERR_CRYPTO, "SHA-256 init failed");
        return NULL;
    }
    return ctx;
}

int cpw_sha256_update(struct cpw_sha256_ctx *ctx, struct cpw_span data)
{
    if (data.len && !EVP_DigestUpdate(ctx->md, data.ptr, data.len)) {
        return cpw_raise(CPW_ERR_CRYPTO, "SHA-256 update failed");
    }
    return 0;
}

int cpw_sha256_final(struct cpw_sha256_ctx *ctx, uint8_t out[CPW_SHA256_LEN])
{
    unsigned int out_len = 0;
    if (!EVP_DigestFinal_ex(ctx->md, out, &out_len) || out_len != CPW_SHA256_LEN) {
        return cpw_raise(CPW_ERR_CRYPTO, "SHA-256 final failed");
    }
    return 0;
}

void cpw_sha256_destroy(struct cpw_sha256_ctx *ctx)
{
    if (!ctx) {
        return;
    }
    EVP_MD_CTX_free(ctx->md);
    cpw_free(ctx);
}

/*
 * SHA-256 digest contexts are reused: EVP_Digest makes and frees one per call, and an HMAC
 * through EVP_MAC costs a context, a digest fetch by name and a copy of the key kept inside
 * OpenSSL. Idle contexts wait in a small pool under a mutex (one per thread in use at most; the
 * rest are freed). HMAC-SHA256 is RFC 2104 over such a context, so that its key pads live on
 * this stack only, and are wiped there.
 */
#define MD_POOL_MAX 8

static pthread_mutex_t s_md_lock = PTHREAD_MUTEX_INITIALIZER;
static EVP_MD_CTX *s_md_pool[MD_POOL_MAX];
static size_t s_md_idle;

static EVP_MD_CTX *s_md_take(void)
{
    EVP_MD_CTX *ctx = NULL;
    pthread_mutex_lock(&s_md_lock);
    if (s_md_idle) {
        ctx = s_md_pool[--s_md_idle];
    }
    pthread_mutex_unlock(&s_md_lock);
    return ctx ? ctx : EVP_MD_CTX_new();
}

static void s_md_give_back(EVP_MD_CTX *ctx)
{
    if (!ctx) {
        return;
    }
    pthread_mutex_lock(&s_md_lock);
    if (s_md_idle < MD_POOL_MAX) {
        s_md_pool[s_md_idle++] = ctx;
        ctx = NULL;
    }
    pthread_mutex_unlock(&s_md_lock);
    EVP_MD_CTX_free(ctx); /* the pool is full: NULL is a no-op */
}

static void s_md_pool_clean_up(void)
{
    pthread_mutex_lock(&s_md_lock);
    for (size_t i = 0; i < s_md_idle; i++) {
        EVP_MD_CTX_free(s_md_pool[i]);
        s_md_pool[i] = NULL;
    }
    s_md_idle = 0;
    pthread_mutex_unlock(&s_md_lock);
}

/* SHA-256 of the concatenation of two spans on ctx. */
static bool s_sha256_two(EVP_MD_CTX *ctx, struct cpw_span a, struct cpw_span b, uint8_t *out)
{
    unsigned int out_len = 0;
    return EVP_DigestInit_ex2(ctx, s_sha256, NULL) &&
           (!a.len || EVP_DigestUpdate(ctx, a.ptr, a.len)) &&
           (!b.len || EVP_DigestUpdate(ctx, b.ptr, b.len)) &&
           EVP_DigestFinal_ex(ctx, out, &out_len) && out_len == CPW_SHA256_LEN;
}

#define HMAC_BLOCK 64 /* SHA-256's block size */

int cpw_hmac_sha256(struct cpw_span key, struct cpw_span data, uint8_t out[CPW_SHA256_LEN])
{
    if (s_ready()) {
        return -1;
    }
    EVP_MD_CTX *ctx = s_md_take();
    uint8_t k0[HMAC_BLOCK] = { 0 };
    uint8_t pad[HMAC_BLOCK];
    uint8_t inner[CPW_SHA256_LEN];
    bool ok = ctx != NULL;
    /* RFC 2104: K0 is the key, hashed first when longer than a block, then zero-padded. */
    if (ok && key.len > HMAC_BLOCK) {
        ok = s_sha256_two(ctx, key, cpw_span_from(NULL, 0), k0);
    } else if (key.len) {
        memcpy(k0, key.ptr, key.len);
    }
    for (size_t i = 0; i < HMAC_BLOCK; i++) {
        pad[i] = (uint8_t)(k0[i] ^ 0x36);
    }
    ok = ok && s_sha256_two(ctx, cpw_span_from(pad, sizeof(pad)), data, inner);
    for (size_t i = 0; i < HMAC_BLOCK; i++) {
        pad[i] = (uint8_t)(k0[i] ^ 0x5c);
    }
    ok = ok && s_sha256_two(ctx, cpw_span_from(pad, sizeof(pad)),
                            cpw_span_from(inner, sizeof(inner)), out);
    cpw_secure_zero(k0, sizeof(k0));
    cpw_secure_zero(pad, sizeof(pad));
    cpw_secure_zero(inner, sizeof(inner));
    if (!ok) {
        EVP_MD_CTX_free(ctx); /* a context in an unknown state is not pooled */
        return cpw_raise(CPW_ERR_CRYPTO, "HMAC-SHA256 failed");
    }
    s_md_give_back(ctx);
    return 0;
}

static const char s_hex_lower[] = "0123456789abcdef";

void cpw_hex_encode_to(char *out, const uint8_t *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = s_hex_lower[bytes[i] >> 4];
        out[2 * i + 1] = s_hex_lower[bytes[i] & 15];
    }
    out[2 * len] = '\0';
}

int cpw_hex_encode(struct cpw_buf *out, struct cpw_span bytes)
{
    if (cpw_buf_reserve(out, bytes.len * 2)) {
        return -1;
    }
    cpw_hex_encode_to((char *)out->data + out->len, bytes.ptr, bytes.len);
    out->len += bytes.len * 2;
    return 0;
}

static int s_hex_digit(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

long cpw_hex_decode(struct cpw_span hex, uint8_t *out, size_t out_cap)
{
    if (hex.len % 2 != 0 || hex.len / 2 > out_cap) {
        return cpw_raise(CPW_ERR_ENCODING, "hex string of %zu digits does not fit %zu bytes",
                         hex.len, out_cap);
    }
    for (size_t i = 0; i < hex.len / 2; i++) {
        int hi = s_hex_digit(hex.ptr[2 * i]);
        int lo = s_hex_digit(hex.ptr[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return cpw_raise(CPW_ERR_ENCODING, "not a hex digit at offset %zu", 2 * i);
        }
        out[i] = (uint8_t)(hi * 16 + lo);
    }
    return (long)(hex.len / 2);
}

bool cpw_ct_equal(struct cpw_span a, struct cpw_span b)
{
    if (a.len != b.len) {
        return false;
    }
    return a.len == 0 || CRYPTO_memcmp(a.ptr, b.ptr, a.len) == 0;
}

void cpw_secure_zero(void *p, size_t len)
{
    if (p && len) {
        OPENSSL_cleanse(p, len);
    }
}

int cpw_random_bytes(uint8_t *out, size_t len)
{
    if (len > (size_t)INT32_MAX || RAND_bytes(out, (int)len) != 1) {
        return cpw_raise(CPW_ERR_CRYPTO, "no random bytes available");
    }
    return 0;
}

static const char s_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int cpw_base64_encode(struct cpw_buf *out, struct cpw_span bytes)
{
    if (cpw_buf_reserve(out, (bytes.len + 2) / 3 * 4)) {
        return -1;
    }
    char *dst = (char *)out->data + out->len;
    size_t n = 0;
    for (size_t i = 0; i < bytes.len; i += 3) {
        uint32_t v = (uint32_t)bytes.ptr[i] << 16;
        size_t left = bytes.len - i;
        if (left > 1) {
            v |= (uint32_t)bytes.ptr[i + 1] << 8;
        }
        if (left > 2) {
            v |= bytes.ptr[i + 2];
        }
        dst[n++] = s_b64[(v >> 18) & 63];
        dst[n++] = s_b64[(v >> 12) & 63];
        dst[n++] = left > 1 ? s_b64[(v >> 6) & 63] : '=';
        dst[n++] = left > 2 ? s_b64[v & 63] : '=';
    }
    out->len += n;
    out->data[out->len] = '\0';
    return 0;
}

static int s_b64_value(uint8_t c)
{
    const char *hit = c ? strchr(s_b64, c) : NULL;
    return hit ? (int)(hit - s_b64) : -1;
}

int cpw_base64_decode(struct cpw_buf *out, struct cpw_span text)
{
    if (text.len % 4 != 0) {
        return cpw_raise(CPW_ERR_ENCODING, "base64 length %zu is not a multiple of 4", text.len);
    }
    for (size_t i = 0; i < text.len; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            uint8_t c = text.ptr[i + (size_t)k];
            if (c == '=' && i + 4 == text.len && k >= 2) {
                v[k] = 0;
                pad++;
            } else if (pad || (v[k] = s_b64_value(c)) < 0) {
                return cpw_raise(CPW_ERR_ENCODING, "invalid base64 at offset %zu", i + (size_t)k);
            }
        }
        uint32_t bits =
          (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        uint8_t chunk[3] = { (uint8_t)(bits >> 16), (uint8_t)(bits >> 8), (uint8_t)bits };
        if (cpw_buf_append(out, cpw_span_from(chunk, (size_t)(3 - pad)))) {
            return -1;
        }
    }
    return 0;
}
