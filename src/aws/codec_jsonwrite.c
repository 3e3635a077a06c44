/*
 * codec_jsonwrite.c - an input document straight to the JSON request body, guided by the model.
 *
 * The reference path (cpw_codec_json_to_wire, then cpw_json_dump) builds a jansson tree of the
 * wire form and then prints it. This writer prints the wire form directly, byte for byte as
 * cpw_json_dump prints that tree: members in the document's order under their wire names, ", "
 * and ": " between items, non-ASCII as lower-case \u escapes, timestamps as whole epoch seconds.
 *
 * Like the one-pass reader it is an accelerator: for anything the reference path would write
 * differently or refuse (an unknown member, a type mismatch, a real number, a timestamp in
 * another format, two members under one wire name, nesting past the limit) it gives up, leaves
 * out as it was and raises nothing, and the caller runs the reference path.
 */
#include <string.h>

#include "codec_internal.h"
#include "cpw/buf.h"
#include "cpw/codec.h"

#define WRITE_MAX_MEMBERS 64 /* members written into one object; more go the reference way */

static const char s_hex[] = "0123456789abcdef";

static int s_put(struct cpw_buf *out, const char *text, size_t len)
{
    return cpw_buf_append(out, cpw_span_from((const uint8_t *)text, len));
}

/* \uXXXX for one UTF-16 unit. */
static int s_put_u(struct cpw_buf *out, uint32_t unit)
{
    char e[6] = { '\\',
                  'u',
                  s_hex[(unit >> 12) & 0xF],
                  s_hex[(unit >> 8) & 0xF],
                  s_hex[(unit >> 4) & 0xF],
                  s_hex[unit & 0xF] };
    return s_put(out, e, sizeof(e));
}

/* A JSON string as jansson writes it with JSON_ENSURE_ASCII (and cpw_json_dump's lower case). */
static int s_string(struct cpw_buf *out, const char *s, size_t len)
{
    const uint8_t *p = (const uint8_t *)s;
    const uint8_t *end = p + len;
    if (cpw_buf_append_byte(out, '"')) {
        return -1;
    }
    while (p < end) {
        const uint8_t *run = p;
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
            p++;
        }
        if (p > run && s_put(out, (const char *)run, (size_t)(p - run))) {
            return -1;
        }
        if (p == end) {
            break;
        }
        uint8_t c = *p;
        int rc;
        if (c < 0x80) {
            const char *esc = c == '"'    ? "\\\""
                              : c == '\\' ? "\\\\"
                              : c == '\b' ? "\\b"
                              : c == '\f' ? "\\f"
                              : c == '\n' ? "\\n"
                              : c == '\r' ? "\\r"
                              : c == '\t' ? "\\t"
                                          : NULL;
            rc = esc ? s_put(out, esc, 2) : s_put_u(out, c);
            p++;
        } else {
            /* jansson's strings hold valid UTF-8: the sequence's length from its lead byte */
            size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            if ((size_t)(end - p) < n) {
                return -1;
            }
            uint32_t cp = c & (n == 2 ? 0x1Fu : n == 3 ? 0x0Fu : 0x07u);
            for (size_t i = 1; i < n; i++) {
                cp = cp << 6 | (p[i] & 0x3Fu);
            }
            p += n;
            if (cp >= 0x10000) {
                cp -= 0x10000;
                rc = s_put_u(out, 0xD800 | (cp >> 10)) || s_put_u(out, 0xDC00 | (cp & 0x3FF));
            } else {
                rc = s_put_u(out, cp);
            }
        }
        if (rc) {
            return -1;
        }
    }
    return cpw_buf_append_byte(out, '"');
}

static int s_integer(struct cpw_buf *out, long long v)
{
    char digits[24];
    size_t n = 0;
    unsigned long long m = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        digits[sizeof(digits) - 1 - n++] = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    if (v < 0) {
        digits[sizeof(digits) - 1 - n++] = '-';
    }
    return s_put(out, digits + sizeof(digits) - n, n);
}

static int s_value(const struct cpw_model_service *svc,
                   const json_t *ref,
                   const json_t *shape,
                   const json_t *doc,
                   unsigned flags,
                   int depth,
                   struct cpw_buf *out);

static int s_structure(const struct cpw_model_service *svc,
                       const json_t *shape,
                       const json_t *doc,
                       unsigned flags,
                       int depth,
                       struct cpw_buf *out)
{
    if (!json_is_object(doc)) {
        return -1;
    }
    const json_t *members = json_object_get(shape, "members");
    const char *written[WRITE_MAX_MEMBERS];
    size_t n_written = 0;
    const char *key;
    json_t *value;
    if (cpw_buf_append_byte(out, '{')) {
        return -1;
    }
    json_object_foreach((json_t *)doc, key, value)
    {
        const json_t *mref = json_object_get(members, key);
        if (!mref) {
            return -1;
        }
        if (json_is_null(value) ||
            ((flags & CPW_CODEC_JSON_BODY_ONLY) && json_object_get(mref, "location"))) {
            continue;
        }
        const json_t *mshape = cpw_codec_target(svc, mref);
        const char *wire = cpw_codec_wire_name(mref, key);
        if (!mshape || n_written >= WRITE_MAX_MEMBERS) {
            return -1;
        }
        for (size_t i = 0; i < n_written; i++) {
            if (strcmp(written[i], wire) == 0) {
                return -1; /* the tree keeps one member per wire name */
            }
        }
        if ((n_written && s_put(out, ", ", 2)) || s_string(out, wire, strlen(wire)) ||
            s_put(out, ": ", 2) ||
            s_value(svc, mref, mshape, value, flags & ~(unsigned)CPW_CODEC_JSON_BODY_ONLY,
                    depth + 1, out)) {
            return -1;
        }
        written[n_written++] = wire;
    }
    return cpw_buf_append_byte(out, '}');
}

static int s_value(const struct cpw_model_service *svc,
                   const json_t *ref,
                   const json_t *shape,
                   const json_t *doc,
                   unsigned flags,
                   int depth,
                   struct cpw_buf *out)
{
    if (depth > CPW_CODEC_MAX_DEPTH) {
        return -1;
    }
    const char *t = cpw_codec_type(shape);
    if (strcmp(t, "structure") == 0) {
        return s_structure(svc, shape, doc, flags, depth, out);
    }
    if (strcmp(t, "list") == 0) {
        const json_t *mref = json_object_get(shape, "member");
        const json_t *mshape = cpw_codec_target(svc, mref);
        if (!json_is_array(doc) || !mshape || cpw_buf_append_byte(out, '[')) {
            return -1;
        }
        size_t i;
        json_t *value;
        json_array_foreach(doc, i, value)
        {
            if ((i && s_put(out, ", ", 2)) ||
                s_value(svc, mref, mshape, value, flags, depth + 1, out)) {
                return -1;
            }
        }
        return cpw_buf_append_byte(out, ']');
    }
    if (strcmp(t, "map") == 0) {
        const json_t *vref = json_object_get(shape, "value");
        const json_t *vshape = cpw_codec_target(svc, vref);
        if (!json_is_object(doc) || !vshape || cpw_buf_append_byte(out, '{')) {
            return -1;
        }
        const char *key;
        json_t *value;
        bool first = true;
        json_object_foreach((json_t *)doc, key, value)
        {
            if ((!first && s_put(out, ", ", 2)) || s_string(out, key, strlen(key)) ||
                s_put(out, ": ", 2) || s_value(svc, vref, vshape, value, flags, depth + 1, out)) {
                return -1;
            }
            first = false;
        }
        return cpw_buf_append_byte(out, '}');
    }
    if (strcmp(t, "timestamp") == 0) {
        int64_t ms = 0;
        if (!json_is_string(doc) && !json_is_integer(doc)) {
            return -1;
        }
        if (cpw_codec_doc_time(doc, &ms) ||
            strcmp(cpw_codec_ts_format(ref, shape, "unixTimestamp"), "unixTimestamp") != 0 ||
            ((flags & CPW_CODEC_JSON_FRACTIONS) && ms % 1000 != 0)) {
            return -1;
        }
        return s_integer(out, (long long)(ms / 1000 - ((ms % 1000) < 0)));
    }
    if (strcmp(t, "string") == 0 || strcmp(t, "blob") == 0) {
        return json_is_string(doc) ? s_string(out, json_string_value(doc), json_string_length(doc))
                                   : -1;
    }
    if (strcmp(t, "integer") == 0 || strcmp(t, "long") == 0 || strcmp(t, "float") == 0 ||
        strcmp(t, "double") == 0) {
        /* a real goes the reference way (jansson's %.17g form) */
        return json_is_integer(doc) ? s_integer(out, (long long)json_integer_value(doc)) : -1;
    }
    if (strcmp(t, "boolean") == 0) {
        if (json_is_true(doc)) {
            return s_put(out, "true", 4);
        }
        return json_is_false(doc) ? s_put(out, "false", 5) : -1;
    }
    return -1;
}

int cpw_codec_json_write(const struct cpw_model_service *svc,
                         const json_t *shape,
                         const json_t *doc,
                         unsigned flags,
                         struct cpw_buf *out)
{
    size_t start = out->len;
    if (s_value(svc, NULL, shape, doc, flags, 0, out) == 0) {
        return 0;
    }
    out->len = start; /* cpw_buf keeps its text NUL-terminated */
    if (out->data) {
        out->data[start] = '\0';
    }
    return -1;
}
