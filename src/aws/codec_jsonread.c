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

#include "codec_jsonread_internal.h"
#include "cpw/alloc.h"
#include "cpw/codec.h"
#include "cpw/json.h"

#define GENERIC_MAX_DEPTH 256 /* under jansson's 2048: deeper bodies go the reference way */
#define STRUCT_MAX_SEEN   128 /* members present in one object; more go the reference way */

/* ----- generic JSON (members the model does not know; documents without a shape) ----------- */

static int s_generic(struct reader *r, int depth, json_t **out);

static int s_generic_object(struct reader *r, int depth, json_t **out)
{
    json_t *obj = json_object();
    r->p++; /* '{' */
    cpw_jr_ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        *out = obj;
        return 0;
    }
    while (r->p < r->end && *r->p == '"') {
        struct text key;
        json_t *value = NULL;
        if (cpw_jr_string(r, &key)) {
            break;
        }
        /* The key must outlive the value's strings, which reuse the scratch buffer. */
        char small[128];
        char *copy = key.len < sizeof(small) ? small : cpw_malloc(key.len + 1);
        memcpy(copy, key.ptr, key.len);
        copy[key.len] = '\0';
        cpw_jr_ws(r);
        int rc = -1;
        if (r->p < r->end && *r->p == ':') {
            r->p++;
            cpw_jr_ws(r);
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
        int next = cpw_jr_next(r, '}');
        if (next > 0) {
            continue;
        }
        if (next == 0) {
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
    cpw_jr_ws(r);
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
        int next = cpw_jr_next(r, ']');
        if (next > 0) {
            continue;
        }
        if (next == 0) {
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
        if (cpw_jr_string(r, &t)) {
            return -1;
        }
        *out = json_stringn_nocheck(t.ptr, t.len);
        return 0;
    }
    case 't':
        *out = cpw_jr_literal(r, "true") ? NULL : json_true();
        return *out ? 0 : -1;
    case 'f':
        *out = cpw_jr_literal(r, "false") ? NULL : json_false();
        return *out ? 0 : -1;
    case 'n':
        *out = cpw_jr_literal(r, "null") ? NULL : json_null();
        return *out ? 0 : -1;
    default: {
        struct number num;
        if (cpw_jr_number(r, &num)) {
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
    cpw_jr_ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        rc = 0;
        goto done;
    }
    while (r->p < r->end && *r->p == '"') {
        struct text key;
        if (cpw_jr_string(r, &key)) {
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
        cpw_jr_ws(r);
        if (r->p >= r->end || *r->p != ':') {
            goto done;
        }
        r->p++;
        cpw_jr_ws(r);
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
                if (cpw_jr_literal(r, "null")) {
                    goto done;
                }
            } else {
                if (s_value(r, m.shape, m.kind, depth + 1, &value)) {
                    goto done;
                }
            }
            seen[n_seen++] = (struct seen){ .mref = mref, .value = value };
        }
        int next = cpw_jr_next(r, '}');
        if (next > 0) {
            continue;
        }
        rc = next;
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
    cpw_jr_ws(r);
    if (r->p < r->end && *r->p == ']') {
        r->p++;
        *out = arr;
        return 0;
    }
    while (r->p < r->end) {
        json_t *value = NULL;
        if (*r->p == 'n') {
            if (cpw_jr_literal(r, "null")) {
                break;
            }
            value = json_null();
        } else if (s_value(r, m.shape, m.kind, depth + 1, &value)) {
            break;
        }
        json_array_append_new(arr, value);
        int next = cpw_jr_next(r, ']');
        if (next > 0) {
            continue;
        }
        if (next == 0) {
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
    cpw_jr_ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        *out = obj;
        return 0;
    }
    while (r->p < r->end && *r->p == '"') {
        struct text key;
        if (cpw_jr_string(r, &key)) {
            break;
        }
        char small[128];
        char *copy = key.len < sizeof(small) ? small : cpw_malloc(key.len + 1);
        memcpy(copy, key.ptr, key.len);
        copy[key.len] = '\0';
        int rc = -1;
        cpw_jr_ws(r);
        if (r->p < r->end && *r->p == ':' && !json_object_getn(obj, copy, key.len)) {
            r->p++;
            cpw_jr_ws(r);
            json_t *value = NULL;
            if (r->p < r->end && *r->p == 'n') {
                value = cpw_jr_literal(r, "null") ? NULL : json_null();
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
        int next = cpw_jr_next(r, '}');
        if (next > 0) {
            continue;
        }
        if (next == 0) {
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
        if (*r->p != '"' || cpw_jr_string(r, &t)) {
            return -1;
        }
        *out = json_stringn_nocheck(t.ptr, t.len);
        return 0;
    }
    case KIND_TIMESTAMP: {
        int64_t ms = 0;
        if (*r->p == '"') {
            struct text t;
            if (cpw_jr_string(r, &t) || cpw_codec_time_parse(cpw_span_from(t.ptr, t.len), &ms)) {
                return -1;
            }
        } else {
            struct number num;
            double seconds;
            if (cpw_jr_number(r, &num)) {
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
        if (cpw_jr_number(r, &num)) {
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
        if (cpw_jr_literal(r, "true") == 0) {
            *out = json_true();
            return 0;
        }
        if (cpw_jr_literal(r, "false") == 0) {
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
    cpw_jr_ws(&r);
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
        cpw_jr_ws(&r);
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
