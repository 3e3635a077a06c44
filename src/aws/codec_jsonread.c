/*
 * codec_jsonread.c - one pass from JSON wire bytes to the output document, guided by the model.
 *
 * The reference path (cpw_json_load, then cpw_codec_json_from_wire) builds a jansson tree of the
 * whole body and then a second tree for the document. This reader walks the bytes once: members
 * the model knows become document values directly (renamed from their locationName, timestamps
 * converted, type-checked as cpw_codec_json_from_wire does), strings without escapes are copied
 * once from the body, and the document's members are inserted in the model's member order, as
 * the reference path inserts them.
 *
 * It is an accelerator, not a second definition of the protocol: whenever a body is anything
 * but well-formed JSON that the reference path would accept with the same result (a syntax
 * error, a type mismatch, a duplicate key, a number out of range, nesting past the limits, a
 * form it does not handle), it gives up without raising and the caller runs the reference path,
 * which then produces the document or the exact error it always produced. Values of members the
 * model does not know are read as generic JSON (and discarded) so that the body is checked as
 * strictly as jansson checks it (UTF-8, escapes, duplicate keys, integer and real range).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"
#include "cpw/alloc.h"
#include "cpw/codec.h"
#include "cpw/json.h"

#define GENERIC_MAX_DEPTH 256 /* under jansson's 2048: deeper bodies go the reference way */
#define STRUCT_MAX_SEEN   128 /* members present in one object; more go the reference way */
#define NUMBER_MAX_CHARS  64

#define MEMO_SLOTS 64

/* What a member reference leads to, remembered for the call (lists repeat the same members). */
struct memo {
    const json_t *ref;
    const json_t *shape; /* the target shape; NULL: not resolved */
    int kind;            /* enum kind of shape */
    const char *wire;    /* locationName or NULL */
    bool located;        /* bound to a header, the URI, the query string or the status */
};

struct reader {
    const uint8_t *p;
    const uint8_t *end;
    const struct cpw_model_service *svc;
    char *scratch; /* decoded strings with escapes: scratch_inline, or owned when larger */
    size_t scratch_cap;
    char scratch_inline[16384];
    struct memo memo[MEMO_SLOTS];
};

/* A decoded string: either a span of the body or of the scratch buffer (valid until the next
 * string is decoded). */
struct text {
    const char *ptr;
    size_t len;
};

static void s_ws(struct reader *r)
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

/* Bytes from p (at most up to end) that need no decoding: printable ASCII other than '"' and
 * '\\'. Eight at a time while it can (the "has a zero byte" bit trick on each condition). */
static inline size_t s_plain_run(const uint8_t *p, const uint8_t *end)
{
    const uint64_t ones = 0x0101010101010101ull;
    const uint64_t highs = 0x8080808080808080ull;
    const uint8_t *q = p;
    while (end - q >= 8) {
        uint64_t v;
        memcpy(&v, q, sizeof(v));
        uint64_t quote = v ^ (ones * '"');
        uint64_t slash = v ^ (ones * '\\');
        uint64_t special =
          ((quote - ones) & ~quote) | ((slash - ones) & ~slash) | (v - ones * 0x20) | v;
        if (special & highs) {
            break;
        }
        q += 8;
    }
    while (q < end && *q >= 0x20 && *q < 0x80 && *q != '"' && *q != '\\') {
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
            dst[n++] = (char)c;
            p++;
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
static int s_string(struct reader *r, struct text *out)
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

struct number {
    bool is_integer;
    long long integer;
    double real;
};

/* A JSON number as jansson reads it: an integer in range, or a finite real. */
static int s_number(struct reader *r, struct number *out)
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

static int s_literal(struct reader *r, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0) {
        return -1;
    }
    r->p += n;
    return 0;
}

/* ----- generic JSON (members the model does not know; documents without a shape) ----------- */

static int s_generic(struct reader *r, int depth, json_t **out);

static int s_generic_object(struct reader *r, int depth, json_t **out)
{
    json_t *obj = json_object();
    r->p++; /* '{' */
    s_ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        *out = obj;
        return 0;
    }
    while (r->p < r->end && *r->p == '"') {
        struct text key;
        json_t *value = NULL;
        if (s_string(r, &key)) {
            break;
        }
        /* The key must outlive the value's strings, which reuse the scratch buffer. */
        char small[128];
        char *copy = key.len < sizeof(small) ? small : cpw_malloc(key.len + 1);
        memcpy(copy, key.ptr, key.len);
        copy[key.len] = '\0';
        s_ws(r);
        int rc = -1;
        if (r->p < r->end && *r->p == ':') {
            r->p++;
            s_ws(r);
            /* JSON_REJECT_DUPLICATES */
            if (!json_object_getn(obj, copy, key.len) && s_generic(r, depth + 1, &value) == 0) {
                rc = json_object_setn_new_nocheck(obj, copy, key.len, value);
            }
        }
        if (copy != small) {
            cpw_free(copy);
        }
        if (rc) {
            break;
        }
        s_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            s_ws(r);
            continue;
        }
        if (r->p < r->end && *r->p == '}') {
            r->p++;
            *out = obj;
            return 0;
        }
        break;
    }
    json_decref(obj);
    return -1;
}

static int s_generic_array(struct reader *r, int depth, json_t **out)
{
    json_t *arr = json_array();
    r->p++; /* '[' */
    s_ws(r);
    if (r->p < r->end && *r->p == ']') {
        r->p++;
        *out = arr;
        return 0;
    }
    while (r->p < r->end) {
        json_t *value = NULL;
        if (s_generic(r, depth + 1, &value)) {
            break;
        }
        json_array_append_new(arr, value);
        s_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            s_ws(r);
            continue;
        }
        if (r->p < r->end && *r->p == ']') {
            r->p++;
            *out = arr;
            return 0;
        }
        break;
    }
    json_decref(arr);
    return -1;
}

static int s_generic(struct reader *r, int depth, json_t **out)
{
    *out = NULL;
    if (depth > GENERIC_MAX_DEPTH || r->p >= r->end) {
        return -1;
    }
    switch (*r->p) {
    case '{':
        return s_generic_object(r, depth, out);
    case '[':
        return s_generic_array(r, depth, out);
    case '"': {
        struct text t;
        if (s_string(r, &t)) {
            return -1;
        }
        *out = json_stringn_nocheck(t.ptr, t.len);
        return 0;
    }
    case 't':
        *out = s_literal(r, "true") ? NULL : json_true();
        return *out ? 0 : -1;
    case 'f':
        *out = s_literal(r, "false") ? NULL : json_false();
        return *out ? 0 : -1;
    case 'n':
        *out = s_literal(r, "null") ? NULL : json_null();
        return *out ? 0 : -1;
    default: {
        struct number num;
        if (s_number(r, &num)) {
            return -1;
        }
        *out = num.is_integer ? json_integer((json_int_t)num.integer) : json_real(num.real);
        return 0;
    }
    }
}

/* ----- modelled values --------------------------------------------------------------------- */

enum kind {
    KIND_OTHER,
    KIND_STRUCTURE,
    KIND_LIST,
    KIND_MAP,
    KIND_TIMESTAMP,
    KIND_STRING, /* and blob: the wire's base64 text stays as it is */
    KIND_INTEGER,
    KIND_BOOLEAN,
    KIND_NUMBER,
};

static enum kind s_kind(const json_t *shape)
{
    const char *t = cpw_codec_type(shape);
    switch (t[0]) {
    case 's':
        return strcmp(t, "structure") == 0 ? KIND_STRUCTURE
               : strcmp(t, "string") == 0  ? KIND_STRING
                                           : KIND_OTHER;
    case 'l':
        return strcmp(t, "list") == 0   ? KIND_LIST
               : strcmp(t, "long") == 0 ? KIND_INTEGER
                                        : KIND_OTHER;
    case 'm':
        return strcmp(t, "map") == 0 ? KIND_MAP : KIND_OTHER;
    case 't':
        return strcmp(t, "timestamp") == 0 ? KIND_TIMESTAMP : KIND_OTHER;
    case 'b':
        return strcmp(t, "blob") == 0      ? KIND_STRING
               : strcmp(t, "boolean") == 0 ? KIND_BOOLEAN
                                           : KIND_OTHER;
    case 'i':
        return strcmp(t, "integer") == 0 ? KIND_INTEGER : KIND_OTHER;
    case 'f':
        return strcmp(t, "float") == 0 ? KIND_NUMBER : KIND_OTHER;
    case 'd':
        return strcmp(t, "double") == 0 ? KIND_NUMBER : KIND_OTHER;
    default:
        return KIND_OTHER;
    }
}

/* The memo of ref (its .shape NULL when the model lacks the target). */
static struct memo s_ref(struct reader *r, const json_t *ref)
{
    struct memo *m = &r->memo[((uintptr_t)ref >> 4) % MEMO_SLOTS];
    if (m->ref != ref || !ref) {
        m->ref = ref;
        m->shape = cpw_model_resolve_ref(r->svc, ref);
        m->kind = m->shape ? (int)s_kind(m->shape) : KIND_OTHER;
        m->wire = cpw_codec_str(ref, "locationName");
        m->located = json_object_get(ref, "location") != NULL;
    }
    return *m;
}

static int s_value(struct reader *r, const json_t *shape, int kind, int depth, json_t **out);

/* Skips the value at r->p after checking it as jansson would. */
static int s_skip(struct reader *r, int depth)
{
    json_t *ignored = NULL;
    int rc = s_generic(r, depth, &ignored);
    json_decref(ignored);
    return rc;
}

/* The member of a structure renamed to key on the wire (its locationName), or NULL. */
static const json_t *s_renamed(const json_t *members, const char *key, size_t len)
{
    const char *member;
    json_t *ref;
    json_object_foreach((json_t *)members, member, ref)
    {
        const char *wire = cpw_codec_str(ref, "locationName");
        if (wire && strlen(wire) == len && memcmp(wire, key, len) == 0) {
            return ref;
        }
    }
    return NULL;
}

struct seen {
    const json_t *mref;
    json_t *value; /* owned; NULL for a JSON null */
};

static int s_structure(struct reader *r,
                       const json_t *shape,
                       unsigned flags,
                       int depth,
                       json_t **out)
{
    if (r->p >= r->end || *r->p != '{') {
        return -1;
    }
    const json_t *members = json_object_get(shape, "members");
    struct seen seen[STRUCT_MAX_SEEN];
    size_t n_seen = 0;
    int rc = -1;
    r->p++;
    s_ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        rc = 0;
        goto done;
    }
    while (r->p < r->end && *r->p == '"') {
        struct text key;
        if (s_string(r, &key)) {
            goto done;
        }
        /* The member whose wire name is key: its locationName, else its name. */
        const json_t *mref = json_object_getn(members, key.ptr, key.len);
        struct memo m = { 0 };
        if (mref) {
            m = s_ref(r, mref);
            if (m.wire && !(strlen(m.wire) == key.len && memcmp(m.wire, key.ptr, key.len) == 0)) {
                mref = NULL;
            }
        }
        if (!mref) {
            mref = s_renamed(members, key.ptr, key.len);
            if (mref) {
                m = s_ref(r, mref);
            }
        }
        if (mref && !m.shape) {
            goto done; /* the model lacks the member's shape: the reference path says so */
        }
        if (mref && (flags & CPW_CODEC_JSON_BODY_ONLY) && m.located) {
            mref = NULL;
        }
        s_ws(r);
        if (r->p >= r->end || *r->p != ':') {
            goto done;
        }
        r->p++;
        s_ws(r);
        if (!mref) {
            /* Unknown here: read and drop. A repeated unknown key is left to the reference
             * path's duplicate check by refusing every structure with one (rare). */
            if (s_skip(r, depth + 1)) {
                goto done;
            }
            if (n_seen >= STRUCT_MAX_SEEN) {
                goto done;
            }
            seen[n_seen++] = (struct seen){ .mref = NULL, .value = NULL };
        } else {
            for (size_t i = 0; i < n_seen; i++) {
                if (seen[i].mref == mref) {
                    goto done; /* a duplicate key */
                }
            }
            if (n_seen >= STRUCT_MAX_SEEN) {
                goto done;
            }
            json_t *value = NULL;
            if (r->p < r->end && *r->p == 'n') {
                if (s_literal(r, "null")) {
                    goto done;
                }
            } else {
                if (s_value(r, m.shape, m.kind, depth + 1, &value)) {
                    goto done;
                }
            }
            seen[n_seen++] = (struct seen){ .mref = mref, .value = value };
        }
        s_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            s_ws(r);
            continue;
        }
        if (r->p < r->end && *r->p == '}') {
            r->p++;
            rc = 0;
        }
        break;
    }
done:
    if (rc == 0) {
        size_t unknown = 0;
        for (size_t i = 0; i < n_seen; i++) {
            unknown += seen[i].mref == NULL;
        }
        if (unknown > 1) {
            rc = -1; /* possibly a repeated unknown key: the reference path decides */
        }
    }
    if (rc == 0) {
        /* The document lists members in the model's order, as cpw_codec_json_from_wire does. */
        json_t *obj = json_object();
        const char *name;
        json_t *ref;
        size_t placed = 0;
        json_object_foreach((json_t *)members, name, ref)
        {
            if (placed == n_seen) {
                break;
            }
            for (size_t i = 0; i < n_seen; i++) {
                if (seen[i].mref == ref) {
                    placed++;
                    if (seen[i].value) {
                        json_object_set_new_nocheck(obj, name, seen[i].value);
                        seen[i].value = NULL;
                    }
                    break;
                }
            }
        }
        *out = obj;
    }
    for (size_t i = 0; i < n_seen; i++) {
        json_decref(seen[i].value);
    }
    return rc;
}

static int s_list(struct reader *r, const json_t *shape, int depth, json_t **out)
{
    if (r->p >= r->end || *r->p != '[') {
        return -1;
    }
    struct memo m = s_ref(r, json_object_get(shape, "member"));
    if (!m.shape) {
        return -1;
    }
    json_t *arr = json_array();
    r->p++;
    s_ws(r);
    if (r->p < r->end && *r->p == ']') {
        r->p++;
        *out = arr;
        return 0;
    }
    while (r->p < r->end) {
        json_t *value = NULL;
        if (*r->p == 'n') {
            if (s_literal(r, "null")) {
                break;
            }
            value = json_null();
        } else if (s_value(r, m.shape, m.kind, depth + 1, &value)) {
            break;
        }
        json_array_append_new(arr, value);
        s_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            s_ws(r);
            continue;
        }
        if (r->p < r->end && *r->p == ']') {
            r->p++;
            *out = arr;
            return 0;
        }
        break;
    }
    json_decref(arr);
    return -1;
}

static int s_map(struct reader *r, const json_t *shape, int depth, json_t **out)
{
    if (r->p >= r->end || *r->p != '{') {
        return -1;
    }
    struct memo m = s_ref(r, json_object_get(shape, "value"));
    if (!m.shape) {
        return -1;
    }
    json_t *obj = json_object();
    r->p++;
    s_ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        *out = obj;
        return 0;
    }
    while (r->p < r->end && *r->p == '"') {
        struct text key;
        if (s_string(r, &key)) {
            break;
        }
        char small[128];
        char *copy = key.len < sizeof(small) ? small : cpw_malloc(key.len + 1);
        memcpy(copy, key.ptr, key.len);
        copy[key.len] = '\0';
        int rc = -1;
        s_ws(r);
        if (r->p < r->end && *r->p == ':' && !json_object_getn(obj, copy, key.len)) {
            r->p++;
            s_ws(r);
            json_t *value = NULL;
            if (r->p < r->end && *r->p == 'n') {
                value = s_literal(r, "null") ? NULL : json_null();
            } else if (s_value(r, m.shape, m.kind, depth + 1, &value)) {
                value = NULL;
            }
            rc = value ? json_object_setn_new_nocheck(obj, copy, key.len, value) : -1;
        }
        if (copy != small) {
            cpw_free(copy);
        }
        if (rc) {
            break;
        }
        s_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            s_ws(r);
            continue;
        }
        if (r->p < r->end && *r->p == '}') {
            r->p++;
            *out = obj;
            return 0;
        }
        break;
    }
    json_decref(obj);
    return -1;
}

static int s_value(struct reader *r, const json_t *shape, int kind, int depth, json_t **out)
{
    *out = NULL;
    if (depth > CPW_CODEC_MAX_DEPTH || r->p >= r->end) {
        return -1;
    }
    switch ((enum kind)kind) {
    case KIND_STRUCTURE:
        return s_structure(r, shape, 0, depth, out);
    case KIND_LIST:
        return s_list(r, shape, depth, out);
    case KIND_MAP:
        return s_map(r, shape, depth, out);
    case KIND_STRING: {
        struct text t;
        if (*r->p != '"' || s_string(r, &t)) {
            return -1;
        }
        *out = json_stringn_nocheck(t.ptr, t.len);
        return 0;
    }
    case KIND_TIMESTAMP: {
        int64_t ms = 0;
        if (*r->p == '"') {
            struct text t;
            if (s_string(r, &t) || cpw_codec_time_parse(cpw_span_from(t.ptr, t.len), &ms)) {
                return -1;
            }
        } else {
            struct number num;
            double seconds;
            if (s_number(r, &num)) {
                return -1;
            }
            seconds = num.real;
            if (!isfinite(seconds) || fabs(seconds) > 253402300799.0) {
                return -1;
            }
            ms = (int64_t)llround(seconds * 1000.0);
        }
        *out = cpw_codec_time_doc_new(ms);
        return 0;
    }
    case KIND_INTEGER:
    case KIND_NUMBER: {
        struct number num;
        if (s_number(r, &num)) {
            return -1;
        }
        if (num.is_integer) {
            *out = json_integer((json_int_t)num.integer);
            return 0;
        }
        if (kind == KIND_INTEGER) {
            return -1;
        }
        *out = json_real(num.real);
        return 0;
    }
    case KIND_BOOLEAN:
        if (s_literal(r, "true") == 0) {
            *out = json_true();
            return 0;
        }
        if (s_literal(r, "false") == 0) {
            *out = json_false();
            return 0;
        }
        return -1;
    default:
        return -1;
    }
}

int cpw_codec_json_read(const struct cpw_model_service *svc,
                        const json_t *shape,
                        struct cpw_span body,
                        unsigned flags,
                        json_t **out)
{
    *out = NULL;
    if (body.len > CPW_JSON_MAX_TEXT_BYTES) {
        return -1;
    }
    struct reader r;
    r.p = body.ptr;
    r.end = body.ptr + body.len;
    r.svc = svc;
    r.scratch = NULL;
    r.scratch_cap = 0;
    memset(r.memo, 0, sizeof(r.memo));
    json_t *doc = NULL;
    int rc = -1;
    s_ws(&r);
    if (r.p >= r.end) {
        goto cleanup;
    }
    if (!shape) {
        rc = s_generic(&r, 0, &doc);
    } else if (s_kind(shape) == KIND_STRUCTURE) {
        rc = s_structure(&r, shape, flags, 0, &doc);
    } else {
        rc = s_value(&r, shape, (int)s_kind(shape), 0, &doc);
    }
    if (rc == 0) {
        s_ws(&r);
        if (r.p != r.end) {
            rc = -1;
        }
    }
cleanup:
    if (r.scratch != r.scratch_inline) {
        cpw_free(r.scratch);
    }
    if (rc) {
        json_decref(doc);
        return -1;
    }
    *out = doc;
    return 0;
}
