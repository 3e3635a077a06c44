/*
 * json.c - the one place that knows jansson's loading flags and reference rules.
 */
#include "cpw/json.h"

#include "cpw/error.h"

int cpw_json_load(struct cpw_span text, size_t max_bytes, json_t **out)
{
    *out = NULL;
    if (text.len > max_bytes) {
        return cpw_raise(CPW_ERR_LIMIT, "JSON text of %zu bytes exceeds %zu", text.len, max_bytes);
    }
    json_error_t jerr;
    json_t *value = json_loadb((const char *)(text.len ? text.ptr : (const uint8_t *)""), text.len,
                               JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!value) {
        return cpw_raise(CPW_ERR_PARSE, "malformed JSON at line %d column %d: %s", jerr.line,
                         jerr.column, jerr.text);
    }
    *out = value;
    return 0;
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
