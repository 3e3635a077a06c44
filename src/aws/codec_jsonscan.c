/*
 * codec_jsonscan.c - the byte-level scanner of the one-pass JSON reader (codec_jsonread.c):
 * whitespace, strings (UTF-8 checked, escapes decoded into the reader's scratch buffer), numbers
 * and literals, accepted exactly where jansson accepts them, so that anything else sends the body
 * down the reference path.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec_jsonread_internal.h"
#include "cpw/alloc.h"

#define NUMBER_MAX_CHARS 64

void cpw_jr_ws(struct reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t')) {
        r->p++;
    }
}

/* Length of the valid UTF-8 sequence at p (as jansson's utf8_check_full accepts it), or 0. */
static size_t s_utf8_len(const uint8_t *p, const uint8_t *end)
{
    uint8_t c = p[0];
    size_t n;
    uint32_t min;
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
        v = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
        v = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
        v = c & 0x07u;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            return 0;
        }
        v = (v << 6) | (p[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        return 0;
    }
    return n;
}

static int s_hex4(const uint8_t *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t c = p[i];
        uint32_t d;
        if (c >= '0' && c <= '9') {
            d = (uint32_t)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            d = (uint32_t)(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            d = (uint32_t)(c - 'A' + 10);
        } else {
            return -1;
        }
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

static size_t s_put_utf8(char *dst, uint32_t cp)
{
    if (cp < 0x80) {
        dst[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        dst[0] = (char)(0xC0 | (cp >> 6));
        dst[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        dst[0] = (char)(0xE0 | (cp >> 12));
        dst[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        dst[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    dst[0] = (char)(0xF0 | (cp >> 18));
    dst[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    dst[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    dst[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* The high bit of each byte of v (eight bytes of a string, little-endian or not) that may need
 * decoding: '"', '\\', a control byte or a byte >= 0x80 (the "has a zero byte" bit trick on each
 * condition). A borrow can also mark a byte above a marked one, never below: the lowest mark is
 * exact. */
static inline uint64_t s_special(uint64_t v)
{
    uint64_t quote = v ^ (ONES * '"');
    uint64_t slash = v ^ (ONES * '\\');
    return (((quote - ONES) & ~quote) | ((slash - ONES) & ~slash) | (v - ONES * 0x20) | v) & HIGHS;
}

/* The index (0-7) in memory order of the first byte marked in special (not 0). */
static inline size_t s_first_marked(uint64_t special)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
    return (size_t)__builtin_ctzll(special) >> 3;
#else
    size_t i = 0;
    uint8_t bytes[8];
    memcpy(bytes, &special, sizeof(bytes));
    while (i < 7 && !bytes[i]) {
        i++;
    }
    return i;
#endif
}

static inline bool s_plain(uint8_t c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Bytes from p (at most up to end) that need no decoding: printable ASCII other than '"' and
 * '\\'. Eight at a time while it can. */
static inline size_t s_plain_run(const uint8_t *p, const uint8_t *end)
{
    const uint8_t *q = p;
    while (end - q >= 8) {
        uint64_t v;
        memcpy(&v, q, sizeof(v));
        uint64_t special = s_special(v);
        if (special) {
            return (size_t)(q - p) + s_first_marked(special);
        }
        q += 8;
    }
    while (q < end && s_plain(*q)) {
        q++;
    }
    return (size_t)(q - p);
}

/* Makes room for need decoded bytes, keeping the first keep: the first string that outgrows the
 * reader's own buffer moves to the heap, sized by the rest of the body from its start (decoded
 * text is never longer than its raw form). */
static void s_scratch_room(struct reader *r, const uint8_t *start, size_t keep, size_t need)
{
    if (need <= r->scratch_cap) {
        return;
    }
    size_t cap = (size_t)(r->end - start) + 4;
    if (cap < need) {
        cap = need;
    }
    char *heap = cpw_malloc(cap);
    memcpy(heap, r->scratch, keep);
    if (r->scratch != r->scratch_inline) {
        cpw_free(r->scratch);
    }
    r->scratch = heap;
    r->scratch_cap = cap;
}

/* The escaped remainder of a string whose first raw bytes [start, r->p) need no decoding. */
static int s_string_slow(struct reader *r, const uint8_t *start, struct text *out)
{
    /* Locals rather than r->p: a store through dst may alias the reader, which the compiler
     * would then reload for every byte. */
    const uint8_t *p = r->p;
    const uint8_t *end = r->end;
    size_t n = (size_t)(p - start);
    if (!r->scratch) {
        r->scratch = r->scratch_inline;
        r->scratch_cap = sizeof(r->scratch_inline);
    }
    /* Decoded text is never longer than its raw form: room for the rest of the body means no
     * room checks below (bodies past the reader's own buffer move it to the heap, once). */
    s_scratch_room(r, start, 0, (size_t)(end - start) + 4);
    char *dst = r->scratch;
    memcpy(dst, start, n);
    while (p < end) {
        uint8_t c = *p;
        if (c == '"') {
            r->p = p + 1;
            out->ptr = dst;
            out->len = n;
            return 0;
        }
        if (c >= 0x20 && c < 0x80 && c != '\\') {
            /* A run between escapes, eight bytes at a time: the store may pass the run's end
             * (within the room reserved above, since p + 8 <= end); the bytes after it are
             * overwritten next. */
            while (end - p >= 8) {
                uint64_t v;
                memcpy(&v, p, sizeof(v));
                memcpy(dst + n, &v, sizeof(v));
                uint64_t special = s_special(v);
                if (!special) {
                    n += 8;
                    p += 8;
                    continue;
                }
                size_t k = s_first_marked(special);
                n += k;
                p += k;
                /* \" and \\ (most escapes in JSON held in a string) without leaving the run */
                if (p[0] == '\\' && end - p >= 2 && (p[1] == '"' || p[1] == '\\')) {
                    dst[n++] = (char)p[1];
                    p += 2;
                    continue;
                }
                break;
            }
            while (p < end && s_plain(*p)) {
                dst[n++] = (char)*p++;
            }
            continue;
        }
        if (c < 0x20) {
            return -1;
        }
        if (c >= 0x80) {
            size_t len = s_utf8_len(p, end);
            if (!len) {
                return -1;
            }
            memcpy(dst + n, p, len);
            n += len;
            p += len;
            continue;
        }
        if (end - p < 2) {
            return -1;
        }
        uint8_t e = p[1];
        p += 2;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            dst[n++] = (char)e;
            continue;
        case 'b':
            dst[n++] = '\b';
            continue;
        case 'f':
            dst[n++] = '\f';
            continue;
        case 'n':
            dst[n++] = '\n';
            continue;
        case 'r':
            dst[n++] = '\r';
            continue;
        case 't':
            dst[n++] = '\t';
            continue;
        case 'u':
            break;
        default:
            return -1;
        }
        uint32_t cp = 0;
        if (end - p < 4 || s_hex4(p, &cp)) {
            return -1;
        }
        p += 4;
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return -1; /* a lone low surrogate */
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = 0;
            if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || s_hex4(p + 2, &low) || low < 0xDC00 ||
                low > 0xDFFF) {
                return -1;
            }
            p += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        if (cp == 0) {
            return -1; /* jansson refuses \\u0000 without JSON_ALLOW_NUL */
        }
        n += s_put_utf8(dst + n, cp);
    }
    return -1;
}

/* Reads a string (r->p at its opening quote) into out. */
int cpw_jr_string(struct reader *r, struct text *out)
{
    r->p++;
    const uint8_t *start = r->p;
    r->p += s_plain_run(r->p, r->end);
    if (r->p < r->end && *r->p == '"') {
        out->ptr = (const char *)start;
        out->len = (size_t)(r->p - start);
        r->p++;
        return 0;
    }
    return s_string_slow(r, start, out);
}

/* A JSON number as jansson reads it: an integer in range, or a finite real. */
int cpw_jr_number(struct reader *r, struct number *out)
{
    const uint8_t *start = r->p;
    const uint8_t *q = r->p;
    bool negative = false;
    if (q < r->end && *q == '-') {
        negative = true;
        q++;
    }
    if (q >= r->end || *q < '0' || *q > '9') {
        return -1;
    }
    uint64_t magnitude = 0;
    bool overflow = false;
    if (*q == '0') {
        q++;
        if (q < r->end && *q >= '0' && *q <= '9') {
            return -1;
        }
    } else {
        while (q < r->end && *q >= '0' && *q <= '9') {
            uint64_t d = (uint64_t)(*q - '0');
            if (magnitude > (UINT64_MAX - d) / 10) {
                overflow = true;
            } else {
                magnitude = magnitude * 10 + d;
            }
            q++;
        }
    }
    bool real = false;
    if (q < r->end && *q == '.') {
        real = true;
        q++;
        if (q >= r->end || *q < '0' || *q > '9') {
            return -1;
        }
        while (q < r->end && *q >= '0' && *q <= '9') {
            q++;
        }
    }
    if (q < r->end && (*q == 'e' || *q == 'E')) {
        real = true;
        q++;
        if (q < r->end && (*q == '+' || *q == '-')) {
            q++;
        }
        if (q >= r->end || *q < '0' || *q > '9') {
            return -1;
        }
        while (q < r->end && *q >= '0' && *q <= '9') {
            q++;
        }
    }
    r->p = q;
    if (!real) {
        uint64_t limit = negative ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
        if (overflow || magnitude > limit) {
            return -1; /* jansson: "too big integer" */
        }
        out->is_integer = true;
        out->integer =
          negative ? (magnitude == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(long long)magnitude)
                   : (long long)magnitude;
        out->real = (double)out->integer;
        return 0;
    }
    size_t len = (size_t)(q - start);
    char copy[NUMBER_MAX_CHARS + 1];
    if (len > NUMBER_MAX_CHARS) {
        return -1;
    }
    memcpy(copy, start, len);
    copy[len] = '\0';
    double d = strtod(copy, NULL);
    if (isinf(d)) {
        return -1; /* jansson: "real number overflow" */
    }
    out->is_integer = false;
    out->integer = 0;
    out->real = d;
    return 0;
}

int cpw_jr_literal(struct reader *r, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0) {
        return -1;
    }
    r->p += n;
    return 0;
}

int cpw_jr_next(struct reader *r, char close)
{
    cpw_jr_ws(r);
    if (r->p < r->end && *r->p == ',') {
        r->p++;
        cpw_jr_ws(r);
        return 1;
    }
    if (r->p < r->end && *r->p == (uint8_t)close) {
        r->p++;
        return 0;
    }
    return -1;
}
