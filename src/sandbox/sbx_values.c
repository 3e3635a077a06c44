/*
 * sbx_values.c - the small values every service file makes or reads (sbx_state.h): random
 * identifiers, UUIDs and request ids, times as the services answer them, input getters, the
 * service error with its message, and name and account-id checks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/time.h"
#include "sbx_state.h"

int cpw_sbx_random_chars(char *out, size_t n, const char *alphabet)
{
    uint8_t bytes[128];
    size_t len = strlen(alphabet);
    if (n > sizeof(bytes) || cpw_random_bytes(bytes, n) != 0) {
        return cpw_raise(CPW_ERR_CRYPTO, "random identifier");
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = alphabet[bytes[i] % len];
    }
    out[n] = '\0';
    return 0;
}

int cpw_sbx_uuid(char out[37])
{
    uint8_t b[16];
    if (cpw_random_bytes(b, sizeof(b)) != 0) {
        return -1;
    }
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    char hex[33];
    cpw_hex_encode_to(hex, b, sizeof(b));
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
    return 0;
}

/* SplitMix64's finalizer: a bijection on 64 bits that scatters consecutive inputs. */
static uint64_t s_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void cpw_sbx_request_id(char out[37])
{
    /* Per thread: two 64-bit keys drawn once, and a counter. x = mix(k1 + n) differs for every
     * n of the thread (mix is a bijection) and fills 64 of the bits the version and variant
     * leave alone, so a thread never repeats an id; the keys make threads' ids unrelated. */
    static _Thread_local struct {
        uint64_t k1, k2, n;
        bool seeded;
    } s_gen;
    if (!s_gen.seeded) {
        uint8_t seed[16];
        if (cpw_random_bytes(seed, sizeof(seed)) != 0) {
            /* No randomness: time and this thread's state address still tell threads apart. */
            uint64_t t = (uint64_t)cpw_time_now_ms();
            uint64_t a = (uint64_t)(uintptr_t)&s_gen;
            memcpy(seed, &t, sizeof(t));
            memcpy(seed + 8, &a, sizeof(a));
            cpw_error_clear();
        }
        memcpy(&s_gen.k1, seed, 8);
        memcpy(&s_gen.k2, seed + 8, 8);
        cpw_secure_zero(seed, sizeof(seed));
        s_gen.seeded = true;
    }
    s_gen.n++;
    uint64_t x = s_mix64(s_gen.k1 + s_gen.n);
    uint64_t y = s_mix64(s_gen.k2 ^ (s_gen.n * 0x9e3779b97f4a7c15ull));
    uint8_t b[16];
    for (int i = 0; i < 6; i++) {
        b[i] = (uint8_t)(x >> (8 * i));
    }
    b[7] = (uint8_t)(x >> 48);
    b[9] = (uint8_t)(x >> 56);
    b[6] = (uint8_t)(0x40 | (y & 0x0f));        /* version 4 */
    b[8] = (uint8_t)(0x80 | ((y >> 4) & 0x3f)); /* variant 10 */
    for (int i = 10; i < 16; i++) {
        b[i] = (uint8_t)(y >> (8 * (i - 8)));
    }
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < sizeof(b); i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out[o++] = '-';
        }
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 0x0f];
    }
    out[o] = '\0';
}

json_t *cpw_sbx_time_json(int64_t epoch_ms)
{
    char text[CPW_TIME_ISO8601_LEN + 1] = "";
    cpw_time_format_iso8601(epoch_ms / 1000, text);
    return json_string(text);
}

const char *cpw_sbx_in_str(const json_t *input, const char *key)
{
    const json_t *v = json_object_get(input, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int cpw_sbx_in_int(const json_t *input, const char *key, int64_t def, int64_t *out)
{
    const json_t *v = json_object_get(input, key);
    *out = def;
    if (v == NULL || json_is_null(v)) {
        return 0;
    }
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return 0;
    }
    uint64_t u = 0;
    if (json_is_string(v) &&
        cpw_span_to_u64(cpw_span_from_cstr(json_string_value(v)), INT64_MAX, &u) == 0) {
        *out = (int64_t)u;
        return 0;
    }
    return cpw_raise(CPW_ERR_VALIDATION, "%s is not an integer", key);
}

int cpw_sbx_in_time(const json_t *input, const char *key, int64_t *out_ms)
{
    const json_t *v = json_object_get(input, key);
    if (v == NULL || json_is_null(v)) {
        return 0;
    }
    if (json_is_number(v)) {
        *out_ms = (int64_t)(json_number_value(v) * 1000.0);
        return 2;
    }
    if (json_is_string(v) &&
        cpw_time_parse_iso8601_ms(cpw_span_from_cstr(json_string_value(v)), out_ms) == 0) {
        return 2;
    }
    return 1;
}

int cpw_sbx_fail(struct cpw_sbx_ctx *ctx, long status, const char *code, const char *fmt, ...)
{
    struct cpw_sbx_error *err = ctx->err;
    memset(err, 0, sizeof(*err));
    err->status = status;
    snprintf(err->code, sizeof(err->code), "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    err->receiver = status >= 500;
    return 1;
}

bool cpw_sbx_name_ok(const char *name, size_t min, size_t max)
{
    size_t len = name ? strlen(name) : 0;
    if (len < min || len > max) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  strchr("_+=,.@-", c) != NULL;
        if (!ok) {
            return false;
        }
    }
    return true;
}

bool cpw_sbx_is_account_id(const char *s)
{
    if (s == NULL || strlen(s) != 12) {
        return false;
    }
    for (size_t i = 0; i < 12; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}
