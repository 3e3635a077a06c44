/*
 * json.c - the one place that knows jansson's loading flags and reference rules.
 */
#include "cpw/json.h"

#include <string.h>

#include "cpw/error.h"

int cpw_json_load(struct cpw_span text, size_t max_bytes, json_t **out)
{
    return cpw_json_load_ex(text, max_bytes, CPW_JSON_LOAD_ANY, out, NULL);
}

int cpw_json_load_ex(struct cpw_span text,
                     size_t max_bytes,
                     unsigned flags,
                     json_t **out,
                     json_error_t *where)
{
    json_error_t local;
    json_error_t *jerr = where ? where : &local;
    *out = NULL;
    if (text.len > max_bytes) {
        memset(jerr, 0, sizeof(*jerr));
        snprintf(jerr->text, sizeof(jerr->text), "JSON text of %zu bytes exceeds %zu", text.len,
                 max_bytes);
        return cpw_raise(CPW_ERR_LIMIT, "JSON text of %zu bytes exceeds %zu", text.len, max_bytes);
    }
    size_t jflags = JSON_REJECT_DUPLICATES;
    if (!(flags & CPW_JSON_LOAD_CONTAINER)) {
        jflags |= JSON_DECODE_ANY;
    }
    json_t *value =
      json_loadb((const char *)(text.len ? text.ptr : (const uint8_t *)""), text.len, jflags, jerr);
    if (!value) {
        return cpw_raise(CPW_ERR_PARSE, "malformed JSON at line %d column %d: %s", jerr->line,
                         jerr->column, jerr->text);
    }
    *out = value;
    return 0;
}

json_t *cpw_json_load_cstr(const char *text)
{
    json_t *value = NULL;
    if (text) {
        (void)cpw_json_load(cpw_span_from_cstr(text), CPW_JSON_MAX_TEXT_BYTES, &value);
    }
    return value;
}

static size_t s_dump_flags(unsigned flags)
{
    size_t jflags = JSON_ENCODE_ANY;
    if (flags & CPW_JSON_DUMP_COMPACT) {
        jflags |= JSON_COMPACT;
    }
    if (flags & CPW_JSON_DUMP_SORT_KEYS) {
        jflags |= JSON_SORT_KEYS;
    }
    if (flags & CPW_JSON_DUMP_ASCII) {
        jflags |= JSON_ENSURE_ASCII;
    }
    if (flags & CPW_JSON_DUMP_INDENT2) {
        jflags |= JSON_INDENT(2);
    } else if (flags & CPW_JSON_DUMP_INDENT4) {
        jflags |= JSON_INDENT(4);
    }
    return jflags;
}

static int s_dump_cb(const char *buffer, size_t size, void *data)
{
    return cpw_buf_append((struct cpw_buf *)data, cpw_span_from(buffer, size)) ? -1 : 0;
}

int cpw_json_dump(const json_t *value, struct cpw_buf *out)
{
    size_t start = out->len;
    /* Without JSON_COMPACT and with indent 0 jansson separates as ", " and ": " (Python's). */
    if (json_dump_callback(value, s_dump_cb, out, JSON_ENSURE_ASCII | JSON_ENCODE_ANY) != 0) {
        if (cpw_last_error() != CPW_ERR_LIMIT) {
            return cpw_raise(CPW_ERR_INTERNAL, "JSON could not be written");
        }
        return -1;
    }
    /* Python writes \u00e9 where jansson writes \u00E9; every backslash starts an escape. */
    for (size_t i = start; i + 1 < out->len; i++) {
        if (out->data[i] != '\\') {
            continue;
        }
        if (out->data[i + 1] == 'u') {
            for (size_t j = i + 2; j < i + 6 && j < out->len; j++) {
                if (out->data[j] >= 'A' && out->data[j] <= 'F') {
                    out->data[j] = (uint8_t)(out->data[j] - 'A' + 'a');
                }
            }
        }
        i++; /* skip the escaped character */
    }
    return 0;
}

int cpw_json_dump_document(const json_t *value, struct cpw_buf *out)
{
    if (json_dump_callback(value, s_dump_cb, out, JSON_INDENT(2) | JSON_ENCODE_ANY) != 0) {
        return cpw_last_error() == CPW_ERR_LIMIT
                 ? -1
                 : cpw_raise(CPW_ERR_INTERNAL, "JSON could not be written");
    }
    return cpw_buf_append_byte(out, '\n');
}

int cpw_json_dump_with(const json_t *value, unsigned flags, struct cpw_buf *out)
{
    if (json_dump_callback(value, s_dump_cb, out, s_dump_flags(flags)) != 0) {
        return cpw_last_error() == CPW_ERR_LIMIT
                 ? -1
                 : cpw_raise(CPW_ERR_INTERNAL, "JSON could not be written");
    }
    return 0;
}

char *cpw_json_dump_cstr(const json_t *value, unsigned flags)
{
    if (!value) {
        return NULL;
    }
    char *text = json_dumps(value, s_dump_flags(flags)); /* allocated by cpw_malloc (alloc.c) */
    if (!text) {
        cpw_raise(CPW_ERR_INTERNAL, "JSON could not be written");
    }
    return text;
}

int cpw_json_dump_stream(const json_t *value, unsigned flags, FILE *stream)
{
    if (json_dumpf(value, stream, s_dump_flags(flags)) != 0) {
        return cpw_raise(CPW_ERR_IO, "JSON could not be written");
    }
    return 0;
}

int cpw_json_expect_keys(const json_t *obj,
                         const char *what,
                         const char *where,
                         const char *const *keys,
                         size_t n)
{
    if (!json_is_object(obj)) {
        return cpw_raise(CPW_ERR_PARSE, "%s: %s must be an object", what, where);
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value)
    {
        bool known = false;
        for (size_t i = 0; i < n && !known; i++) {
            known = strcmp(key, keys[i]) == 0;
        }
        if (!known) {
            return cpw_raise(CPW_ERR_PARSE, "%s: unknown field '%s' in %s", what, key, where);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!json_object_get(obj, keys[i])) {
            return cpw_raise(CPW_ERR_PARSE, "%s: missing field '%s' in %s", what, keys[i], where);
        }
    }
    return 0;
}

json_t *cpw_json_project(const json_t *src, const char *const *keys)
{
    json_t *out = json_object();
    for (size_t i = 0; json_is_object(src) && keys[i]; i++) {
        json_t *v = json_object_get(src, keys[i]);
        bool empty = (json_is_object(v) && json_object_size(v) == 0) ||
                     (json_is_array(v) && json_array_size(v) == 0);
        if (v && !json_is_null(v) && !empty) {
            json_object_set(out, keys[i], v);
        }
    }
    return out;
}

const char *cpw_json_get_string(const json_t *obj, const char *key)
{
    return json_string_value(cpw_json_get(obj, key));
}

json_t *cpw_json_get(const json_t *obj, const char *key)
{
    if (!obj || !json_is_object(obj)) {
        return NULL;
    }
    return json_object_get(obj, key);
}

void cpw_json_set_take(json_t *obj, const char *key, json_t *value)
{
    json_object_set_new(obj, key, value);
}

void cpw_json_append_take(json_t *array, json_t *value)
{
    json_array_append_new(array, value);
}

void cpw_json_release(json_t *value)
{
    json_decref(value);
}

bool cpw_json_equal(const json_t *a, const json_t *b)
{
    return json_equal(a, b) == 1;
}
