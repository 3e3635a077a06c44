/*
 * codec_rest_bind.c - rest-json HTTP bindings shared by requests and responses: members bound
 * to headers (location "header"), header maps (location "headers" with a prefix), and payload
 * members, in both directions (botocore serialize.py BaseRestSerializer, parsers.py
 * BaseRestParser).
 */
#include <stdio.h>
#include <string.h>

#include "codec_rest.h"
#include "cpw/alloc.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/json.h"

/* botocore _escape_header_list_string: quote values holding a comma or a double quote. */
static int s_append_list_item(struct cpw_buf *out, const char *text, bool quote_if_needed)
{
    if (quote_if_needed && strpbrk(text, ",\"")) {
        if (cpw_buf_append_byte(out, '"')) {
            return -1;
        }
        for (const char *p = text; *p; p++) {
            if ((*p == '"' && cpw_buf_append_byte(out, '\\')) ||
                cpw_buf_append_byte(out, (uint8_t)*p)) {
                return -1;
            }
        }
        return cpw_buf_append_byte(out, '"');
    }
    return cpw_buf_append_cstr(out, text);
}

int cpw_codec_rest_header_value(const struct cpw_model_service *svc,
                                const json_t *mref,
                                const json_t *mshape,
                                const json_t *value,
                                struct cpw_buf *out)
{
    if (strcmp(cpw_codec_type(mshape), "list") == 0) {
        const json_t *iref = json_object_get(mshape, "member");
        const json_t *ishape = cpw_codec_target(svc, iref);
        if (!ishape || !json_is_array(value)) {
            return cpw_raise(CPW_ERR_VALIDATION, "expected a list");
        }
        size_t i;
        const json_t *item;
        bool first = true;
        struct cpw_buf text;
        cpw_buf_init(&text, CPW_HTTP_MAX_HEADER_BYTES);
        json_array_foreach(value, i, item)
        {
            cpw_buf_reset(&text);
            if (json_is_null(item)) {
                continue;
            }
            if (cpw_codec_scalar_text(iref, ishape, item, "rfc822", &text) ||
                (!first && cpw_buf_append_byte(out, ',')) ||
                s_append_list_item(out, cpw_buf_cstr(&text),
                                   strcmp(cpw_codec_type(ishape), "string") == 0)) {
                cpw_buf_clean_up(&text);
                return -1;
            }
            first = false;
        }
        cpw_buf_clean_up(&text);
        return 0;
    }
    if (json_is_true(json_object_get(mshape, "jsonvalue"))) {
        struct cpw_buf raw;
        cpw_buf_init(&raw, CPW_HTTP_MAX_HEADER_BYTES);
        char *compact = cpw_json_dump_cstr(value, CPW_JSON_DUMP_COMPACT | CPW_JSON_DUMP_ASCII);
        int rc = compact ? cpw_base64_encode(out, cpw_span_from_cstr(compact)) : -1;
        cpw_free(compact);
        cpw_buf_clean_up(&raw);
        return rc;
    }
    return cpw_codec_scalar_text(mref, mshape, value, "rfc822", out);
}

int cpw_codec_rest_headers_out(const struct cpw_model_service *svc,
                               const json_t *shape,
                               const json_t *doc,
                               struct cpw_headers *headers,
                               long *status)
{
    const json_t *members = json_object_get(shape, "members");
    const char *key;
    json_t *value;
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_HTTP_MAX_HEADER_BYTES);
    json_object_foreach((json_t *)doc, key, value)
    {
        const json_t *mref = json_object_get(members, key);
        const char *loc = cpw_codec_str(mref, "location");
        if (!mref) {
            cpw_buf_clean_up(&text);
            return cpw_raise(CPW_ERR_VALIDATION, "unknown parameter \"%s\"", key);
        }
        if (!loc || json_is_null(value)) {
            continue;
        }
        const json_t *mshape = cpw_codec_target(svc, mref);
        if (!mshape) {
            cpw_buf_clean_up(&text);
            return -1;
        }
        const char *name = cpw_codec_wire_name(mref, key);
        if (strcmp(loc, "statusCode") == 0 && status) {
            if (!json_is_integer(value)) {
                cpw_buf_clean_up(&text);
                return cpw_raise(CPW_ERR_VALIDATION, "%s: expected an integer", key);
            }
            *status = (long)json_integer_value(value);
        } else if (strcmp(loc, "header") == 0) {
            if (json_is_array(value) && json_array_size(value) == 0) {
                continue; /* botocore: empty lists are not sent */
            }
            cpw_buf_reset(&text);
            if (cpw_codec_rest_header_value(svc, mref, mshape, value, &text)) {
                cpw_buf_clean_up(&text);
                return -1;
            }
            cpw_headers_set(headers, name, cpw_buf_cstr(&text));
        } else if (strcmp(loc, "headers") == 0) {
            if (!json_is_object(value)) {
                cpw_buf_clean_up(&text);
                return cpw_raise(CPW_ERR_VALIDATION, "%s: expected a map", key);
            }
            const char *suffix;
            json_t *v;
            json_object_foreach(value, suffix, v)
            {
                if (!json_is_string(v)) {
                    cpw_buf_clean_up(&text);
                    return cpw_raise(CPW_ERR_VALIDATION, "%s: header values must be strings", key);
                }
                cpw_buf_reset(&text);
                if (cpw_buf_appendf(&text, "%s%s", name, suffix)) {
                    return -1;
                }
                cpw_headers_add_cstr(headers, cpw_buf_cstr(&text), json_string_value(v));
            }
        }
    }
    cpw_buf_clean_up(&text);
    return 0;
}

static int s_header_to_doc(const struct cpw_model_service *svc,
                           const json_t *mshape,
                           const char *text,
                           json_t **out)
{
    if (strcmp(cpw_codec_type(mshape), "list") == 0) {
        /* RFC 7230 lists: comma separated, items trimmed (botocore _handle_list). */
        const json_t *ishape = cpw_codec_target(svc, json_object_get(mshape, "member"));
        if (!ishape) {
            return -1;
        }
        json_t *arr = json_array();
        struct cpw_span rest = cpw_span_from_cstr(text);
        struct cpw_span token;
        while (cpw_span_next_token(&rest, ',', &token)) {
            json_t *item = NULL;
            if (cpw_codec_scalar_parse(ishape, cpw_span_trim(token), &item)) {
                json_decref(arr);
                return -1;
            }
            json_array_append_new(arr, item);
        }
        *out = arr;
        return 0;
    }
    if (json_is_true(json_object_get(mshape, "jsonvalue"))) {
        struct cpw_buf raw;
        cpw_buf_init(&raw, CPW_HTTP_MAX_HEADER_BYTES);
        int rc = cpw_base64_decode(&raw, cpw_span_from_cstr(text));
        if (rc == 0) {
            rc = cpw_json_load(cpw_buf_span(&raw), CPW_HTTP_MAX_HEADER_BYTES, out);
        }
        cpw_buf_clean_up(&raw);
        return rc;
    }
    return cpw_codec_scalar_parse(mshape, cpw_span_from_cstr(text), out);
}

int cpw_codec_rest_headers_in(const struct cpw_model_service *svc,
                              const json_t *shape,
                              const struct cpw_headers *headers,
                              long status,
                              json_t *doc)
{
    const json_t *members = json_object_get(shape, "members");
    const char *name;
    json_t *mref;
    json_object_foreach((json_t *)members, name, mref)
    {
        const char *loc = cpw_codec_str(mref, "location");
        if (!loc) {
            continue;
        }
        const json_t *mshape = cpw_codec_target(svc, mref);
        if (!mshape) {
            return -1;
        }
        const char *wire = cpw_codec_wire_name(mref, name);
        json_t *value = NULL;
        if (strcmp(loc, "statusCode") == 0 && status > 0) {
            value = json_integer(status);
        } else if (strcmp(loc, "header") == 0) {
            const char *text = cpw_headers_get(headers, wire);
            if (text && s_header_to_doc(svc, mshape, text, &value)) {
                char detail[300];
                snprintf(detail, sizeof(detail), "%s", cpw_last_error_detail());
                return cpw_raise(CPW_ERR_PARSE, "header %s: %s", wire, detail);
            }
        } else if (strcmp(loc, "headers") == 0) {
            value = json_object();
            size_t n = strlen(wire);
            for (size_t i = 0; i < headers->count; i++) {
                if (strncasecmp(headers->items[i].name, wire, n) == 0) {
                    json_t *v = json_string(headers->items[i].value);
                    if (v) {
                        json_object_set_new(value, headers->items[i].name + n, v);
                    }
                }
            }
        }
        if (value) {
            json_object_set_new(doc, name, value);
        }
    }
    return 0;
}

const char *cpw_codec_rest_payload(const json_t *shape)
{
    return cpw_codec_str(shape, "payload");
}

int cpw_codec_rest_body_out(const struct cpw_model_service *svc,
                            const json_t *shape,
                            const json_t *doc,
                            bool always_json,
                            struct cpw_buf *body,
                            bool *is_json)
{
    unsigned fractions = always_json ? CPW_CODEC_JSON_FRACTIONS : 0; /* responses */
    *is_json = false;
    const char *payload = cpw_codec_rest_payload(shape);
    json_t *wire = NULL;
    if (payload) {
        const json_t *pref = json_object_get(json_object_get(shape, "members"), payload);
        const json_t *pshape = cpw_codec_target(svc, pref);
        const json_t *value = json_object_get(doc, payload);
        if (!pshape) {
            return -1;
        }
        const char *t = cpw_codec_type(pshape);
        if (strcmp(t, "blob") == 0 || strcmp(t, "string") == 0) {
            if (!value || json_is_null(value)) {
                return 0;
            }
            if (!json_is_string(value)) {
                return cpw_raise(CPW_ERR_VALIDATION, "%s: expected a string", payload);
            }
            struct cpw_span text =
              cpw_span_from(json_string_value(value), json_string_length(value));
            return strcmp(t, "blob") == 0 ? cpw_base64_decode(body, text)
                                          : cpw_buf_append(body, text);
        }
        if (value && !json_is_null(value)) {
            if (cpw_codec_json_to_wire(svc, pref, pshape, value, "unixTimestamp", fractions, 0,
                                       &wire)) {
                return -1;
            }
        } else {
            wire = json_object();
        }
    } else {
        if (cpw_codec_json_to_wire(svc, NULL, shape, doc, "unixTimestamp",
                                   CPW_CODEC_JSON_BODY_ONLY | fractions, 0, &wire)) {
            return -1;
        }
        bool has_body_members = false;
        const char *name;
        json_t *mref;
        json_object_foreach(json_object_get(shape, "members"), name, mref)
        {
            has_body_members |= json_object_get(mref, "location") == NULL;
        }
        /* RestJSONSerializer: {} whenever the shape has body members; responses always. */
        if (json_object_size(wire) == 0 && !has_body_members && !always_json) {
            json_decref(wire);
            return 0;
        }
    }
    *is_json = true;
    int rc = cpw_json_dump(wire, body);
    json_decref(wire);
    return rc;
}

int cpw_codec_rest_body_in(const struct cpw_model_service *svc,
                           const json_t *shape,
                           struct cpw_span body,
                           json_t *doc)
{
    const char *payload = cpw_codec_rest_payload(shape);
    const json_t *pref =
      payload ? json_object_get(json_object_get(shape, "members"), payload) : NULL;
    const json_t *pshape = pref ? cpw_codec_target(svc, pref) : shape;
    if (!pshape) {
        return -1;
    }
    const char *t = cpw_codec_type(pshape);
    if (payload && (strcmp(t, "blob") == 0 || strcmp(t, "string") == 0)) {
        json_t *value = NULL;
        if (strcmp(t, "blob") == 0) {
            struct cpw_buf b64;
            cpw_buf_init(&b64, CPW_HTTP_MAX_BODY_BYTES * 2);
            if (cpw_base64_encode(&b64, body)) {
                return -1;
            }
            value = json_string(cpw_buf_cstr(&b64));
            cpw_buf_clean_up(&b64);
        } else {
            value =
              json_stringn((const char *)(body.len ? body.ptr : (const uint8_t *)""), body.len);
            if (!value) {
                return cpw_raise(CPW_ERR_PARSE, "the body is not valid UTF-8");
            }
        }
        json_object_set_new(doc, payload, value);
        return 0;
    }
    if (body.len == 0) {
        return 0;
    }
    unsigned flags = payload ? 0 : CPW_CODEC_JSON_BODY_ONLY;
    json_t *parsed = NULL;
    if (cpw_codec_json_read(svc, pshape, body, flags, &parsed)) {
        /* Not taken by the one-pass reader: the reference path gives the document or the
         * error. */
        json_t *wire = NULL;
        if (cpw_json_load(body, CPW_JSON_MAX_TEXT_BYTES, &wire)) {
            return -1;
        }
        int rc = cpw_codec_json_from_wire(svc, pref, pshape, wire, flags, 0, &parsed);
        json_decref(wire);
        if (rc) {
            return -1;
        }
    }
    if (payload) {
        json_object_set_new(doc, payload, parsed);
        return 0;
    }
    json_object_update(doc, parsed);
    json_decref(parsed);
    return 0;
}
