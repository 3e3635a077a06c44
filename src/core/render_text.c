/*
 * render_text.c - the AWS CLI's `--output text` (awscli/text.py, rule for rule) and Python's
 * str() of a JSON scalar, which both output formats print.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/render.h"

#define TEXT_MAX_DEPTH 64 /* deeper documents are cut there */

/* ----- scalars as Python's str() ---------------------------------------------------------- */

/* repr() of a double: the shortest digits that read back the same, in fixed notation when the
 * decimal exponent is in [-4, 16) (with ".0" when integral), else as d.ddde+XX. */
static int s_python_float(double d, struct cpw_buf *out)
{
    if (isnan(d)) {
        return cpw_buf_append_cstr(out, "nan");
    }
    if (isinf(d)) {
        return cpw_buf_append_cstr(out, d < 0 ? "-inf" : "inf");
    }
    char sci[64];
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(sci, sizeof(sci), "%.*e", precision - 1, d);
        if (strtod(sci, NULL) == d) {
            break;
        }
    }
    /* sci is "[-]D[.DDD]e[+-]XX": take the sign, the digits and the exponent apart */
    const char *p = sci;
    int rc = 0;
    if (*p == '-') {
        rc = cpw_buf_append_byte(out, '-');
        p++;
    }
    char digits[32];
    size_t n = 0;
    for (; *p && *p != 'e' && n + 1 < sizeof(digits); p++) {
        if (isdigit((unsigned char)*p)) {
            digits[n++] = *p;
        }
    }
    while (n > 1 && digits[n - 1] == '0') {
        n--; /* %.*e may pad the shortest digits with zeros */
    }
    digits[n] = '\0';
    long exp = *p == 'e' ? strtol(p + 1, NULL, 10) : 0;
    if (exp >= -4 && exp < 16) {
        if (exp < 0) {
            rc = rc ? rc : cpw_buf_append_cstr(out, "0.");
            for (long i = 0; i < -exp - 1 && rc == 0; i++) {
                rc = cpw_buf_append_byte(out, '0');
            }
            return rc ? rc : cpw_buf_append_cstr(out, digits);
        }
        size_t whole = (size_t)exp + 1;
        for (size_t i = 0; i < whole && rc == 0; i++) {
            rc = cpw_buf_append_byte(out, i < n ? (uint8_t)digits[i] : '0');
        }
        rc = rc ? rc : cpw_buf_append_byte(out, '.');
        return rc ? rc : cpw_buf_append_cstr(out, n > whole ? digits + whole : "0");
    }
    rc = rc ? rc : cpw_buf_append_byte(out, (uint8_t)digits[0]);
    if (n > 1) {
        rc = rc ? rc : cpw_buf_appendf(out, ".%s", digits + 1);
    }
    return rc ? rc : cpw_buf_appendf(out, "e%c%02ld", exp < 0 ? '-' : '+', labs(exp));
}

/* repr() of a str: single quotes unless the text has ' and no ", backslash escapes for the
 * quote, backslash, \t \n \r and other control characters. */
static int s_python_str_repr(const char *text, size_t len, struct cpw_buf *out)
{
    bool has_single = memchr(text, '\'', len) != NULL;
    bool has_double = memchr(text, '"', len) != NULL;
    char quote = has_single && !has_double ? '"' : '\'';
    int rc = cpw_buf_append_byte(out, (uint8_t)quote);
    for (size_t i = 0; i < len && rc == 0; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\\' || c == (unsigned char)quote) {
            rc = cpw_buf_appendf(out, "\\%c", c);
        } else if (c == '\t') {
            rc = cpw_buf_append_cstr(out, "\\t");
        } else if (c == '\n') {
            rc = cpw_buf_append_cstr(out, "\\n");
        } else if (c == '\r') {
            rc = cpw_buf_append_cstr(out, "\\r");
        } else if (c < 0x20 || c == 0x7f) {
            rc = cpw_buf_appendf(out, "\\x%02x", c);
        } else if (c == 0xc2 && i + 1 < len && (unsigned char)text[i + 1] >= 0x80 &&
                   (unsigned char)text[i + 1] <= 0xa0) {
            /* U+0080..U+00A0 are not printable for Python either */
            rc = cpw_buf_appendf(out, "\\x%02x", (unsigned char)text[i + 1]);
            i++;
        } else {
            rc = cpw_buf_append_byte(out, c);
        }
    }
    return rc ? rc : cpw_buf_append_byte(out, (uint8_t)quote);
}

/* repr() of a value: what Python's str() writes for a list or dict inside a text or table cell
 * ({'Key': 'v', 'N': 1}, [True, None]). Deeper than TEXT_MAX_DEPTH: "...". */
static int s_python_repr(const json_t *value, int depth, struct cpw_buf *out)
{
    if (depth > TEXT_MAX_DEPTH) {
        return cpw_buf_append_cstr(out, "...");
    }
    int rc = 0;
    if (json_is_object(value)) {
        const char *key;
        const json_t *v;
        bool first = true;
        rc = cpw_buf_append_byte(out, '{');
        json_object_foreach((json_t *)value, key, v)
        {
            rc = rc || first ? rc : cpw_buf_append_cstr(out, ", ");
            rc = rc ? rc : s_python_str_repr(key, strlen(key), out);
            rc = rc ? rc : cpw_buf_append_cstr(out, ": ");
            rc = rc ? rc : s_python_repr(v, depth + 1, out);
            first = false;
        }
        return rc ? rc : cpw_buf_append_byte(out, '}');
    }
    if (json_is_array(value)) {
        size_t i;
        const json_t *v;
        rc = cpw_buf_append_byte(out, '[');
        json_array_foreach((json_t *)value, i, v)
        {
            rc = rc || i == 0 ? rc : cpw_buf_append_cstr(out, ", ");
            rc = rc ? rc : s_python_repr(v, depth + 1, out);
        }
        return rc ? rc : cpw_buf_append_byte(out, ']');
    }
    if (json_is_string(value)) {
        return s_python_str_repr(json_string_value(value), json_string_length(value), out);
    }
    return cpw_render_scalar(value, out);
}

int cpw_render_scalar(const json_t *value, struct cpw_buf *out)
{
    switch (json_typeof(value)) {
    case JSON_STRING:
        return cpw_buf_append(out,
                              cpw_span_from(json_string_value(value), json_string_length(value)));
    case JSON_INTEGER:
        return cpw_buf_appendf(out, "%lld", (long long)json_integer_value(value));
    case JSON_REAL:
        return s_python_float(json_real_value(value), out);
    case JSON_TRUE:
        return cpw_buf_append_cstr(out, "True");
    case JSON_FALSE:
        return cpw_buf_append_cstr(out, "False");
    case JSON_NULL:
        return cpw_buf_append_cstr(out, "None");
    case JSON_OBJECT:
    case JSON_ARRAY:
        break;
    }
    return s_python_repr(value, 0, out); /* a structure where the layout expected a scalar */
}

/* ----- text --------------------------------------------------------------------------------- */

static bool s_scalar(const json_t *v)
{
    return !json_is_object(v) && !json_is_array(v);
}

static int s_cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The object's keys, sorted (Python's sorted() on str: code point order, as UTF-8 bytes). */
static const char **s_sorted_keys(const json_t *obj, size_t *count)
{
    size_t n = json_object_size(obj);
    const char **keys = cpw_calloc(n + 1, sizeof(*keys));
    size_t i = 0;
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)obj, key, value)
    {
        (void)value;
        keys[i++] = key;
    }
    qsort(keys, i, sizeof(*keys), s_cmp_keys);
    *count = i;
    return keys;
}

static int s_upper(const char *identifier, struct cpw_buf *out)
{
    int rc = 0;
    for (const char *p = identifier; *p && rc == 0; p++) {
        rc = cpw_buf_append_byte(out, (uint8_t)toupper((unsigned char)*p));
    }
    return rc;
}

struct keyset {
    const char **keys; /* sorted, borrowed from the documents */
    size_t count;
};

static bool s_keyset_has(const struct keyset *set, const char *key)
{
    return bsearch(&key, set->keys, set->count, sizeof(*set->keys), s_cmp_keys) != NULL;
}

static int s_format(const json_t *item,
                    const char *identifier,
                    const struct keyset *scalar_keys,
                    int depth,
                    struct cpw_buf *out);

static int s_scalar_list(const json_t *list,
                         bool scalars_only,
                         const char *identifier,
                         struct cpw_buf *out)
{
    int rc = 0;
    bool first = true;
    size_t i;
    const json_t *el;
    json_array_foreach((json_t *)list, i, el)
    {
        if (scalars_only && !s_scalar(el)) {
            continue;
        }
        if (identifier) {
            rc = rc ? rc : s_upper(identifier, out);
            rc = rc ? rc : cpw_buf_append_byte(out, '\t');
            rc = rc ? rc : cpw_render_scalar(el, out);
            rc = rc ? rc : cpw_buf_append_byte(out, '\n');
        } else {
            rc = rc ? rc : (first ? 0 : cpw_buf_append_byte(out, '\t'));
            rc = rc ? rc : cpw_render_scalar(el, out);
        }
        first = false;
    }
    return rc || identifier ? rc : cpw_buf_append_byte(out, '\n');
}

/* _all_scalar_keys: every key with a scalar value in any object of the list, sorted. */
static void s_all_scalar_keys(const json_t *list, struct keyset *set)
{
    size_t cap = 0;
    size_t i;
    const json_t *el;
    json_array_foreach((json_t *)list, i, el)
    {
        cap += json_is_object(el) ? json_object_size(el) : 0;
    }
    set->keys = cpw_calloc(cap + 1, sizeof(*set->keys));
    set->count = 0;
    json_array_foreach((json_t *)list, i, el)
    {
        const char *key;
        const json_t *value;
        if (!json_is_object(el)) {
            continue;
        }
        json_object_foreach((json_t *)el, key, value)
        {
            if (s_scalar(value)) {
                set->keys[set->count++] = key;
            }
        }
    }
    qsort(set->keys, set->count, sizeof(*set->keys), s_cmp_keys);
    size_t unique = 0;
    for (size_t k = 0; k < set->count; k++) {
        if (unique == 0 || strcmp(set->keys[unique - 1], set->keys[k]) != 0) {
            set->keys[unique++] = set->keys[k];
        }
    }
    set->count = unique;
}

static int s_format_list(const json_t *list, const char *identifier, int depth, struct cpw_buf *out)
{
    size_t n = json_array_size(list);
    if (n == 0) {
        return 0;
    }
    bool any_dict = false;
    bool any_list = false;
    for (size_t i = 0; i < n; i++) {
        any_dict = any_dict || json_is_object(json_array_get(list, i));
        any_list = any_list || json_is_array(json_array_get(list, i));
    }
    int rc = 0;
    if (any_dict) {
        struct keyset keys;
        s_all_scalar_keys(list, &keys);
        for (size_t i = 0; i < n && rc == 0; i++) {
            rc = s_format(json_array_get(list, i), identifier, &keys, depth + 1, out);
        }
        cpw_free(keys.keys);
        return rc;
    }
    if (any_list) {
        bool any_scalar = false;
        for (size_t i = 0; i < n; i++) {
            any_scalar = any_scalar || s_scalar(json_array_get(list, i));
        }
        if (any_scalar) {
            rc = s_scalar_list(list, true, identifier, out);
        }
        for (size_t i = 0; i < n && rc == 0; i++) {
            const json_t *el = json_array_get(list, i);
            if (!s_scalar(el)) {
                rc = s_format(el, identifier, NULL, depth + 1, out);
            }
        }
        return rc;
    }
    return s_scalar_list(list, false, identifier, out);
}

static int s_format_dict(const json_t *obj,
                         const char *identifier,
                         const struct keyset *scalar_keys,
                         int depth,
                         struct cpw_buf *out)
{
    size_t count = 0;
    const char **keys = s_sorted_keys(obj, &count);
    int rc = 0;
    /* the scalars' line: the given keys (missing ones empty), else this object's scalar keys */
    size_t columns = 0;
    if (scalar_keys) {
        columns = scalar_keys->count;
    } else {
        for (size_t k = 0; k < count; k++) {
            columns += s_scalar(json_object_get(obj, keys[k]));
        }
    }
    if (columns) {
        bool first = true;
        if (identifier) {
            rc = s_upper(identifier, out);
            first = false;
        }
        size_t total = scalar_keys ? scalar_keys->count : count;
        for (size_t k = 0; k < total && rc == 0; k++) {
            const char *key = scalar_keys ? scalar_keys->keys[k] : keys[k];
            const json_t *value = json_object_get(obj, key);
            if (!scalar_keys && !s_scalar(value)) {
                continue;
            }
            rc = first ? 0 : cpw_buf_append_byte(out, '\t');
            first = false;
            rc = rc ? rc : (value ? cpw_render_scalar(value, out) : 0);
        }
        rc = rc ? rc : cpw_buf_append_byte(out, '\n');
    }
    /* then every other member, each under its own name */
    for (size_t k = 0; k < count && rc == 0; k++) {
        const json_t *value = json_object_get(obj, keys[k]);
        bool rest = scalar_keys ? !s_keyset_has(scalar_keys, keys[k]) : !s_scalar(value);
        if (rest) {
            rc = s_format(value, keys[k], NULL, depth + 1, out);
        }
    }
    cpw_free(keys);
    return rc;
}

static int s_format(const json_t *item,
                    const char *identifier,
                    const struct keyset *scalar_keys,
                    int depth,
                    struct cpw_buf *out)
{
    if (depth > TEXT_MAX_DEPTH) {
        int rc = cpw_render_scalar(item, out);
        return rc ? rc : cpw_buf_append_byte(out, '\n');
    }
    if (json_is_object(item)) {
        return s_format_dict(item, identifier, scalar_keys, depth, out);
    }
    if (json_is_array(item)) {
        return s_format_list(item, identifier, depth, out);
    }
    int rc = cpw_render_scalar(item, out);
    return rc ? rc : cpw_buf_append_byte(out, '\n');
}

int cpw_render_text(const json_t *doc, struct cpw_buf *out)
{
    if (!doc) {
        return cpw_buf_append_cstr(out, "None\n");
    }
    return s_format(doc, NULL, NULL, 0, out);
}
