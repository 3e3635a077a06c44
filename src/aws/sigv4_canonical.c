/*
 * sigv4_canonical.c - the SigV4 canonical request and string to sign, shared by the signer and
 * the verifier so that both directions compute exactly the same bytes.
 *
 * SigV4 docs, "Create a canonical request":
 *   METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n PayloadHash
 */
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/uri.h"
#include "sigv4_internal.h"

bool cpw_sigv4_header_is_unsigned(const char *name)
{
    static const char *const s_unsigned[] = {
        "authorization",   "user-agent", "expect",
        "x-amzn-trace-id", "connection", "transfer-encoding",
    };
    struct cpw_span n = cpw_span_from_cstr(name);
    for (size_t i = 0; i < sizeof(s_unsigned) / sizeof(s_unsigned[0]); i++) {
        if (cpw_span_eq_ignore_case(n, cpw_span_from_cstr(s_unsigned[i]))) {
            return true;
        }
    }
    /* botocore adds amz-sdk-invocation-id and amz-sdk-request after signing. */
    return n.len >= 8 &&
           cpw_span_eq_ignore_case(cpw_span_sub(n, 0, 8), cpw_span_from_cstr("amz-sdk-"));
}

/* ----- canonical URI ------------------------------------------------------------------------ */

/*
 * Removes dot segments and empty segments the way botocore's remove_dot_segments does: "/" in
 * front when the path had one, a trailing "/" only when the path ended with one and something
 * is left.
 */
static int s_normalize_path(struct cpw_buf *out, struct cpw_span path)
{
    size_t max_segments = 1;
    for (size_t i = 0; i < path.len; i++) {
        max_segments += path.ptr[i] == '/';
    }
    struct cpw_span *segments = cpw_calloc(max_segments, sizeof(*segments));
    size_t count = 0;
    struct cpw_span rest = path;
    struct cpw_span segment;
    while (cpw_span_next_token(&rest, '/', &segment)) {
        if (segment.len == 0 || cpw_span_eq_cstr(segment, ".")) {
            continue;
        }
        if (cpw_span_eq_cstr(segment, "..")) {
            count -= count > 0;
            continue;
        }
        segments[count++] = segment;
    }
    int rc = 0;
    if (path.len && path.ptr[0] == '/') {
        rc |= cpw_buf_append_byte(out, '/');
    }
    for (size_t i = 0; i < count && rc == 0; i++) {
        if (i > 0) {
            rc |= cpw_buf_append_byte(out, '/');
        }
        rc |= cpw_buf_append(out, segments[i]);
    }
    if (rc == 0 && count > 0 && path.len && path.ptr[path.len - 1] == '/') {
        rc |= cpw_buf_append_byte(out, '/');
    }
    cpw_free(segments);
    return rc ? -1 : 0;
}

int cpw_sigv4_canonical_uri(struct cpw_buf *out,
                            struct cpw_span path,
                            enum cpw_sigv4_path_mode mode)
{
    if (path.len == 0) {
        return cpw_buf_append_byte(out, '/');
    }
    if (mode == CPW_SIGV4_PATH_AS_IS) {
        return cpw_buf_append(out, path);
    }
    if (mode == CPW_SIGV4_PATH_ENCODE_ONLY) {
        return cpw_uri_encode(out, path, CPW_URI_KEEP_SLASH);
    }
    struct cpw_buf normalized;
    cpw_buf_init(&normalized, CPW_HTTP_MAX_PATH_BYTES);
    int rc = s_normalize_path(&normalized, path);
    if (rc == 0) {
        rc = normalized.len ? cpw_uri_encode(out, cpw_buf_span(&normalized), CPW_URI_KEEP_SLASH)
                            : cpw_buf_append_byte(out, '/');
    }
    cpw_buf_clean_up(&normalized);
    return rc;
}

/* ----- canonical query string --------------------------------------------------------------- */

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

/* Decodes %XY escapes (a '%' without two hex digits stays literal), then encodes per SigV4. */
static int s_reencode(struct cpw_buf *out, struct cpw_span in)
{
    for (size_t i = 0; i < in.len; i++) {
        uint8_t c = in.ptr[i];
        if (c == '%' && i + 2 < in.len && s_hex_digit(in.ptr[i + 1]) >= 0 &&
            s_hex_digit(in.ptr[i + 2]) >= 0) {
            c = (uint8_t)(s_hex_digit(in.ptr[i + 1]) * 16 + s_hex_digit(in.ptr[i + 2]));
            i += 2;
        }
        if (cpw_uri_encode(out, cpw_span_from(&c, 1), CPW_URI_ENCODE_DEFAULT)) {
            return -1;
        }
    }
    return 0;
}

struct query_pair {
    char *text;     /* "key=value", owned */
    size_t key_len; /* bytes of key in text */
    size_t len;
};

static int s_pair_cmp(const void *a, const void *b)
{
    const struct query_pair *x = a;
    const struct query_pair *y = b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->text, y->text, n);
    if (c != 0) {
        return c;
    }
    if (x->key_len != y->key_len) {
        return x->key_len < y->key_len ? -1 : 1;
    }
    size_t xv = x->len - x->key_len - 1;
    size_t yv = y->len - y->key_len - 1;
    n = xv < yv ? xv : yv;
    c = memcmp(x->text + x->key_len + 1, y->text + y->key_len + 1, n);
    if (c != 0) {
        return c;
    }
    return xv < yv ? -1 : xv > yv;
}

int cpw_sigv4_canonical_query(struct cpw_buf *out,
                              struct cpw_span query,
                              const struct cpw_span skip[2])
{
    size_t max_pairs = 1;
    for (size_t i = 0; i < query.len; i++) {
        max_pairs += query.ptr[i] == '&';
    }
    if (max_pairs > CPW_SIGV4_MAX_QUERY_PARAMS) {
        return cpw_raise(CPW_ERR_LIMIT, "query has more than %d parameters",
                         CPW_SIGV4_MAX_QUERY_PARAMS);
    }
    struct query_pair *pairs = cpw_calloc(max_pairs, sizeof(*pairs));
    size_t count = 0;
    int rc = 0;
    struct cpw_span rest = query;
    struct cpw_span piece;
    struct cpw_buf pair;
    cpw_buf_init(&pair, CPW_SIGV4_CANONICAL_MAX);
    while (rc == 0 && cpw_span_next_token(&rest, '&', &piece)) {
        if (piece.len == 0) {
            continue;
        }
        long eq = cpw_span_find_byte(piece, '=');
        struct cpw_span key = eq < 0 ? piece : cpw_span_sub(piece, 0, (size_t)eq);
        struct cpw_span value =
          eq < 0 ? cpw_span_from("", 0) : cpw_span_sub(piece, (size_t)eq + 1, piece.len);
        cpw_buf_reset(&pair);
        if (s_reencode(&pair, key)) {
            rc = -1;
            break;
        }
        size_t key_len = pair.len;
        if ((skip[0].ptr && cpw_span_eq(cpw_buf_span(&pair), skip[0])) ||
            (skip[1].ptr && cpw_span_eq(cpw_buf_span(&pair), skip[1]))) {
            continue;
        }
        if (cpw_buf_append_byte(&pair, '=') || s_reencode(&pair, value)) {
            rc = -1;
            break;
        }
        pairs[count].key_len = key_len;
        pairs[count].len = pair.len;
        pairs[count].text = cpw_strndup(cpw_buf_cstr(&pair), pair.len);
        count++;
    }
    cpw_buf_clean_up(&pair);
    if (rc == 0) {
        /* SigV4: sort by encoded key, then by encoded value. */
        qsort(pairs, count, sizeof(*pairs), s_pair_cmp);
        for (size_t i = 0; i < count && rc == 0; i++) {
            if (i > 0) {
                rc = cpw_buf_append_byte(out, '&');
            }
            if (rc == 0) {
                rc = cpw_buf_append(out, cpw_span_from(pairs[i].text, pairs[i].len));
            }
        }
    }
    for (size_t i = 0; i < count; i++) {
        cpw_free(pairs[i].text);
    }
    cpw_free(pairs);
    return rc;
}

/* ----- canonical headers -------------------------------------------------------------------- */

static bool s_is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* SigV4: trim the value and collapse inner runs of whitespace to one space. */
static int s_append_trimmed(struct cpw_buf *out, const char *value)
{
    bool pending_space = false;
    bool any = false;
    for (const uint8_t *p = (const uint8_t *)value; *p; p++) {
        if (s_is_space(*p)) {
            pending_space = any;
            continue;
        }
        if (pending_space && cpw_buf_append_byte(out, ' ')) {
            return -1;
        }
        pending_space = false;
        any = true;
        if (cpw_buf_append_byte(out, *p)) {
            return -1;
        }
    }
    return 0;
}

int cpw_sigv4_canonical_headers(struct cpw_buf *out,
                                const struct cpw_headers *headers,
                                struct cpw_span signed_headers)
{
    struct cpw_span rest = signed_headers;
    struct cpw_span name;
    while (cpw_span_next_token(&rest, ';', &name)) {
        if (cpw_buf_append(out, name) || cpw_buf_append_byte(out, ':')) {
            return -1;
        }
        bool first = true;
        for (size_t i = 0; i < headers->count; i++) {
            if (!cpw_span_eq_ignore_case(name, cpw_span_from_cstr(headers->items[i].name))) {
                continue;
            }
            if (!first && cpw_buf_append_byte(out, ',')) {
                return -1;
            }
            first = false;
            if (s_append_trimmed(out, headers->items[i].value)) {
                return -1;
            }
        }
        if (cpw_buf_append_byte(out, '\n')) {
            return -1;
        }
    }
    return 0;
}

/* ----- whole request, string to sign, signature --------------------------------------------- */

int cpw_sigv4_canonical_request(struct cpw_buf *out, const struct cpw_sigv4_canon_input *in)
{
    cpw_buf_reset(out);
    if (cpw_buf_append_cstr(out, in->method) || cpw_buf_append_byte(out, '\n') ||
        cpw_sigv4_canonical_uri(out, in->path, in->path_mode) || cpw_buf_append_byte(out, '\n') ||
        cpw_sigv4_canonical_query(out, in->query, in->skip_query_keys) ||
        cpw_buf_append_byte(out, '\n') ||
        cpw_sigv4_canonical_headers(out, in->headers, in->signed_headers) ||
        cpw_buf_append_byte(out, '\n') || cpw_buf_append(out, in->signed_headers) ||
        cpw_buf_append_byte(out, '\n') || cpw_buf_append(out, in->payload_hash)) {
        return -1;
    }
    return 0;
}

int cpw_sigv4_hash_hex(struct cpw_span data, char out[CPW_SHA256_HEX_LEN + 1])
{
    uint8_t digest[CPW_SHA256_LEN];
    if (cpw_sha256(data, digest)) {
        return -1;
    }
    cpw_hex_encode_to(out, digest, sizeof(digest));
    return 0;
}

int cpw_sigv4_string_to_sign(struct cpw_buf *out,
                             struct cpw_span canonical_request,
                             struct cpw_span amz_date,
                             struct cpw_span scope)
{
    char hash[CPW_SHA256_HEX_LEN + 1];
    cpw_buf_reset(out);
    if (cpw_sigv4_hash_hex(canonical_request, hash)) {
        return -1;
    }
    /* Appended piece by piece: a printf-style format costs more than the hashing here. */
    return cpw_buf_append_cstr(out, CPW_SIGV4_ALGORITHM "\n") || cpw_buf_append(out, amz_date) ||
               cpw_buf_append_byte(out, '\n') || cpw_buf_append(out, scope) ||
               cpw_buf_append_byte(out, '\n') || cpw_buf_append_cstr(out, hash)
             ? -1
             : 0;
}

int cpw_sigv4_signature_hex(const uint8_t key[CPW_SHA256_LEN],
                            struct cpw_span string_to_sign,
                            char out[CPW_SHA256_HEX_LEN + 1])
{
    uint8_t mac[CPW_SHA256_LEN];
    if (cpw_hmac_sha256(cpw_span_from(key, CPW_SHA256_LEN), string_to_sign, mac)) {
        return -1;
    }
    cpw_hex_encode_to(out, mac, sizeof(mac));
    return 0;
}
