/*
 * codec_jsonbody.c - documents to and from JSON bodies, shared by the json and rest-json
 * protocols: member names to locationName and back, timestamps in their JSON form, type checks.
 */
#include <stdio.h>
#include <string.h>

#include "codec_internal.h"
#include "cpw/codec.h"
#include "cpw/error.h"

static int s_deep(int code)
{
    return cpw_raise((enum cpw_error)code, "document nested deeper than %d levels",
                     CPW_CODEC_MAX_DEPTH);
}

int cpw_codec_json_to_wire(const struct cpw_model_service *svc,
                           const json_t *ref,
                           const json_t *shape,
                           const json_t *doc,
                           const char *ts_default,
                           unsigned flags,
                           int depth,
                           json_t **out)
{
    *out = NULL;
    if (depth > CPW_CODEC_MAX_DEPTH) {
        return s_deep(CPW_ERR_VALIDATION);
    }
    const char *t = cpw_codec_type(shape);
    if (strcmp(t, "structure") == 0) {
        if (!json_is_object(doc)) {
            return cpw_raise(CPW_ERR_VALIDATION, "expected an object");
        }
        const json_t *members = json_object_get(shape, "members");
        json_t *obj = json_object();
        const char *key;
        json_t *value;
        json_object_foreach((json_t *)doc, key, value)
        {
            const json_t *mref = json_object_get(members, key);
            if (!mref) {
                json_decref(obj);
                return cpw_raise(CPW_ERR_VALIDATION, "unknown parameter \"%s\"", key);
            }
            if (json_is_null(value) ||
                ((flags & CPW_CODEC_JSON_BODY_ONLY) && json_object_get(mref, "location"))) {
                continue;
            }
            const json_t *mshape = cpw_codec_target(svc, mref);
            json_t *wire = NULL;
            if (!mshape || cpw_codec_json_to_wire(svc, mref, mshape, value, ts_default,
                                                  flags & ~(unsigned)CPW_CODEC_JSON_BODY_ONLY,
                                                  depth + 1, &wire)) {
                json_decref(obj);
                return -1;
            }
            json_object_set_new(obj, cpw_codec_wire_name(mref, key), wire);
        }
        *out = obj;
        return 0;
    }
    if (strcmp(t, "list") == 0) {
        if (!json_is_array(doc)) {
            return cpw_raise(CPW_ERR_VALIDATION, "expected a list");
        }
        const json_t *mref = json_object_get(shape, "member");
        const json_t *mshape = cpw_codec_target(svc, mref);
        if (!mshape) {
            return -1;
        }
        json_t *arr = json_array();
        size_t i;
        json_t *value;
        json_array_foreach(doc, i, value)
        {
            json_t *wire = NULL;
            if (cpw_codec_json_to_wire(svc, mref, mshape, value, ts_default,
                                       flags & ~(unsigned)CPW_CODEC_JSON_BODY_ONLY, depth + 1,
                                       &wire)) {
                json_decref(arr);
                return -1;
            }
            json_array_append_new(arr, wire);
        }
        *out = arr;
        return 0;
    }
    if (strcmp(t, "map") == 0) {
        if (!json_is_object(doc)) {
            return cpw_raise(CPW_ERR_VALIDATION, "expected a map");
        }
        const json_t *vref = json_object_get(shape, "value");
        const json_t *vshape = cpw_codec_target(svc, vref);
        if (!vshape) {
            return -1;
        }
        json_t *obj = json_object();
        const char *key;
        json_t *value;
        json_object_foreach((json_t *)doc, key, value)
        {
            json_t *wire = NULL;
            if (cpw_codec_json_to_wire(svc, vref, vshape, value, ts_default,
                                       flags & ~(unsigned)CPW_CODEC_JSON_BODY_ONLY, depth + 1,
                                       &wire)) {
                json_decref(obj);
                return -1;
            }
            json_object_set_new(obj, key, wire);
        }
        *out = obj;
        return 0;
    }
    if (strcmp(t, "timestamp") == 0) {
        int64_t ms = 0;
        if (cpw_codec_doc_time(doc, &ms)) {
            return cpw_raise(CPW_ERR_VALIDATION, "expected a timestamp");
        }
        const char *fmt = cpw_codec_ts_format(ref, shape, ts_default);
        if (strcmp(fmt, "unixTimestamp") == 0) {
            /* botocore sends whole seconds as a JSON integer; services send fractions too. */
            int64_t secs = ms / 1000 - ((ms % 1000) < 0);
            if ((flags & CPW_CODEC_JSON_FRACTIONS) && ms != secs * 1000) {
                *out = json_real((double)ms / 1000.0);
            } else {
                *out = json_integer((json_int_t)secs);
            }
            return 0;
        }
        struct cpw_buf text;
        cpw_buf_init(&text, 128);
        if (cpw_codec_time_text(ms, fmt, &text)) {
            cpw_buf_clean_up(&text);
            return -1;
        }
        *out = json_string(cpw_buf_cstr(&text));
        cpw_buf_clean_up(&text);
        return 0;
    }
    bool ok = false;
    if (strcmp(t, "string") == 0 || strcmp(t, "blob") == 0) {
        ok = json_is_string(doc);
    } else if (strcmp(t, "integer") == 0 || strcmp(t, "long") == 0) {
        ok = json_is_integer(doc);
    } else if (strcmp(t, "boolean") == 0) {
        ok = json_is_boolean(doc);
    } else if (strcmp(t, "float") == 0 || strcmp(t, "double") == 0) {
        ok = json_is_number(doc);
    }
    if (!ok) {
        return cpw_raise(CPW_ERR_VALIDATION, "expected a value of type %s", t);
    }
    *out = json_deep_copy(doc);
    return 0;
}

int cpw_codec_json_from_wire(const struct cpw_model_service *svc,
                             const json_t *ref,
                             const json_t *shape,
                             const json_t *wire,
                             unsigned flags,
                             int depth,
                             json_t **out)
{
    *out = NULL;
    (void)ref;
    if (depth > CPW_CODEC_MAX_DEPTH) {
        return s_deep(CPW_ERR_PARSE);
    }
    const char *t = cpw_codec_type(shape);
    if (strcmp(t, "structure") == 0) {
        if (!json_is_object(wire)) {
            return cpw_raise(CPW_ERR_PARSE, "expected a JSON object");
        }
        const json_t *members = json_object_get(shape, "members");
        json_t *obj = json_object();
        const char *name;
        json_t *mref;
        json_object_foreach((json_t *)members, name, mref)
        {
            if ((flags & CPW_CODEC_JSON_BODY_ONLY) && json_object_get(mref, "location")) {
                continue;
            }
            const json_t *value = json_object_get(wire, cpw_codec_wire_name(mref, name));
            if (!value || json_is_null(value)) {
                continue;
            }
            const json_t *mshape = cpw_codec_target(svc, mref);
            json_t *doc = NULL;
            if (!mshape || cpw_codec_json_from_wire(svc, mref, mshape, value, 0, depth + 1, &doc)) {
                json_decref(obj);
                if (mshape) {
                    char detail[400];
                    snprintf(detail, sizeof(detail), "%s", cpw_last_error_detail());
                    cpw_raise(cpw_last_error(), "%s: %s", name, detail);
                }
                return -1;
            }
            json_object_set_new(obj, name, doc);
        }
        *out = obj;
        return 0;
    }
    if (strcmp(t, "list") == 0) {
        if (!json_is_array(wire)) {
            return cpw_raise(CPW_ERR_PARSE, "expected a JSON array");
        }
        const json_t *mref = json_object_get(shape, "member");
        const json_t *mshape = cpw_codec_target(svc, mref);
        if (!mshape) {
            return -1;
        }
        json_t *arr = json_array();
        size_t i;
        json_t *value;
        json_array_foreach(wire, i, value)
        {
            json_t *doc = NULL;
            if (json_is_null(value)) {
                doc = json_null();
            } else if (cpw_codec_json_from_wire(svc, mref, mshape, value, 0, depth + 1, &doc)) {
                json_decref(arr);
                return -1;
            }
            json_array_append_new(arr, doc);
        }
        *out = arr;
        return 0;
    }
    if (strcmp(t, "map") == 0) {
        if (!json_is_object(wire)) {
            return cpw_raise(CPW_ERR_PARSE, "expected a JSON object for a map");
        }
        const json_t *vref = json_object_get(shape, "value");
        const json_t *vshape = cpw_codec_target(svc, vref);
        if (!vshape) {
            return -1;
        }
        json_t *obj = json_object();
        const char *key;
        json_t *value;
        json_object_foreach((json_t *)wire, key, value)
        {
            json_t *doc = NULL;
            if (json_is_null(value)) {
                doc = json_null();
            } else if (cpw_codec_json_from_wire(svc, vref, vshape, value, 0, depth + 1, &doc)) {
                json_decref(obj);
                return -1;
            }
            json_object_set_new(obj, key, doc);
        }
        *out = obj;
        return 0;
    }
    if (strcmp(t, "timestamp") == 0) {
        int64_t ms = 0;
        if (json_is_number(wire) || json_is_string(wire)) {
            if (cpw_codec_doc_time(wire, &ms) == 0) {
                *out = cpw_codec_time_doc_new(ms);
                return 0;
            }
        }
        return cpw_raise(CPW_ERR_PARSE, "expected a timestamp");
    }
    bool ok = false;
    if (strcmp(t, "string") == 0 || strcmp(t, "blob") == 0) {
        ok = json_is_string(wire);
    } else if (strcmp(t, "integer") == 0 || strcmp(t, "long") == 0) {
        ok = json_is_integer(wire);
    } else if (strcmp(t, "boolean") == 0) {
        ok = json_is_boolean(wire);
    } else if (strcmp(t, "float") == 0 || strcmp(t, "double") == 0) {
        ok = json_is_number(wire);
    }
    if (!ok) {
        return cpw_raise(CPW_ERR_PARSE, "expected a JSON value of type %s", t);
    }
    *out = json_deep_copy(wire);
    return 0;
}
