/*
 * jmespath_eval.c - evaluates a compiled JMESPath tree against a jansson document.
 *
 * Every evaluation step returns a new reference (JSON null for "nothing"), or NULL after recording
 * an error, so ownership is the same at every node. Values of the input document are shared by
 * reference and never modified; every array or object a step builds is new. Each visited node
 * counts against CPW_JMESPATH_MAX_STEPS, so no expression can make a search run without bound.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "jmespath_internal.h"

static _Thread_local struct cpw_jmespath_error s_last_error;

json_t *cpw_jmespath_fail(struct cpw_jmespath_eval *ev,
                          enum cpw_jmespath_error_kind kind,
                          const char *fmt,
                          ...)
{
    if (ev->err->kind == CPW_JMESPATH_OK) {
        ev->err->kind = kind;
        va_list ap;
        va_start(ap, fmt);
        (void)vsnprintf(ev->err->message, sizeof(ev->err->message), fmt, ap);
        va_end(ap);
    }
    return NULL;
}

bool cpw_jmespath_charge(struct cpw_jmespath_eval *ev, size_t n)
{
    ev->items += n;
    if (ev->items > CPW_JMESPATH_MAX_ITEMS) {
        cpw_jmespath_fail(ev, CPW_JMESPATH_ERR_LIMIT,
                          "the query's result would hold more than %u values",
                          CPW_JMESPATH_MAX_ITEMS);
        return false;
    }
    return true;
}

bool cpw_jmespath_truthy(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_NULL:
    case JSON_FALSE:
        return false;
    case JSON_STRING:
        return json_string_length(v) > 0;
    case JSON_ARRAY:
        return json_array_size(v) > 0;
    case JSON_OBJECT:
        return json_object_size(v) > 0;
    default:
        return true;
    }
}

double cpw_jmespath_number(const json_t *v)
{
    return json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
}

json_t *cpw_jmespath_number_new(struct cpw_jmespath_eval *ev, double d)
{
    if (!isfinite(d)) {
        return cpw_jmespath_fail(ev, CPW_JMESPATH_ERR_INVALID_VALUE,
                                 "the result is not a finite number");
    }
    /* 2^63 is exactly representable; anything below it in magnitude fits json_int_t. */
    if (d == floor(d) && d > -9223372036854775808.0 && d < 9223372036854775808.0) {
        return json_integer((json_int_t)d);
    }
    return json_real(d);
}

const char *cpw_jmespath_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    default:
        return "null";
    }
}

/* Numbers compare by value; integers exactly, anything with a real as doubles. */
static int s_number_cmp(const json_t *a, const json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b)) {
        json_int_t x = json_integer_value(a), y = json_integer_value(b);
        return x < y ? -1 : x > y ? 1 : 0;
    }
    double x = cpw_jmespath_number(a), y = cpw_jmespath_number(b);
    return x < y ? -1 : x > y ? 1 : 0;
}

/* Strings compare by code point, which is UTF-8's byte order. */
static int s_string_cmp(const json_t *a, const json_t *b)
{
    size_t la = json_string_length(a), lb = json_string_length(b);
    int c = memcmp(json_string_value(a), json_string_value(b), la < lb ? la : lb);
    if (c != 0) {
        return c < 0 ? -1 : 1;
    }
    return la < lb ? -1 : la > lb ? 1 : 0;
}

bool cpw_jmespath_equal(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        return s_number_cmp(a, b) == 0;
    }
    if (json_typeof(a) != json_typeof(b)) {
        return false;
    }
    switch (json_typeof(a)) {
    case JSON_STRING:
        return s_string_cmp(a, b) == 0;
    case JSON_ARRAY: {
        size_t n = json_array_size(a);
        if (n != json_array_size(b)) {
            return false;
        }
        for (size_t i = 0; i < n; i++) {
            if (!cpw_jmespath_equal(json_array_get(a, i), json_array_get(b, i))) {
                return false;
            }
        }
        return true;
    }
    case JSON_OBJECT: {
        if (json_object_size(a) != json_object_size(b)) {
            return false;
        }
        const char *key;
        size_t key_len;
        json_t *value;
        json_object_keylen_foreach((json_t *)a, key, key_len, value)
        {
            json_t *other = json_object_getn(b, key, key_len);
            if (!other || !cpw_jmespath_equal(value, other)) {
                return false;
            }
        }
        return true;
    }
    default:
        return true; /* true, false, null */
    }
}

/* ----- compact JSON as Python's json.dumps(v, separators=(',', ':')) ------------------------- */

/* Python's repr of a float: the shortest digits that read back, fixed for 1e-4 <= |d| < 1e16. */
static int s_dump_real(double d, struct cpw_buf *out)
{
    char sci[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(sci, sizeof(sci), "%.*e", prec - 1, d);
        if (strtod(sci, NULL) == d) {
            break;
        }
    }
    /* sci is [-]D[.DDD]e[+-]XX: collect the digits and the exponent. */
    const char *s = sci;
    bool negative = *s == '-';
    if (negative) {
        s++;
    }
    char digits[24];
    size_t n = 0;
    for (; *s && *s != 'e'; s++) {
        if (*s >= '0' && *s <= '9' && n + 1 < sizeof(digits)) {
            digits[n++] = *s;
        }
    }
    long exp10 = *s == 'e' ? strtol(s + 1, NULL, 10) : 0;
    while (n > 1 && digits[n - 1] == '0') {
        n--;
    }
    digits[n] = '\0';
    int rc = negative ? cpw_buf_append_byte(out, '-') : 0;
    if (exp10 >= -5 + 1 && exp10 < 16) {
        if (exp10 >= 0) {
            for (long i = 0; rc == 0 && i <= exp10; i++) {
                rc = cpw_buf_append_byte(out, (uint8_t)((size_t)i < n ? digits[i] : '0'));
            }
            rc = rc ? rc : cpw_buf_append_byte(out, '.');
            if ((size_t)exp10 + 1 < n) {
                rc = rc ? rc : cpw_buf_append_cstr(out, digits + exp10 + 1);
            } else {
                rc = rc ? rc : cpw_buf_append_byte(out, '0');
            }
        } else {
            rc = rc ? rc : cpw_buf_append_cstr(out, "0.");
            for (long i = -1; rc == 0 && i > exp10; i--) {
                rc = cpw_buf_append_byte(out, '0');
            }
            rc = rc ? rc : cpw_buf_append_cstr(out, digits);
        }
        return rc;
    }
    rc = rc ? rc : cpw_buf_append_byte(out, (uint8_t)digits[0]);
    if (n > 1) {
        rc = rc ? rc : cpw_buf_append_byte(out, '.');
        rc = rc ? rc : cpw_buf_append_cstr(out, digits + 1);
    }
    return rc ? rc : cpw_buf_appendf(out, "e%c%02ld", exp10 < 0 ? '-' : '+', labs(exp10));
}

static int s_dump_string(const char *s, size_t len, struct cpw_buf *out)
{
    int rc = cpw_buf_append_byte(out, '"');
    for (size_t i = 0; rc == 0 && i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            rc = cpw_buf_append_byte(out, '\\');
            rc = rc ? rc : cpw_buf_append_byte(out, c);
            i++;
            continue;
        }
        if (c >= 0x20 && c < 0x7f) {
            rc = cpw_buf_append_byte(out, c);
            i++;
            continue;
        }
        const char *simple = c == '\n'   ? "\\n"
                             : c == '\r' ? "\\r"
                             : c == '\t' ? "\\t"
                             : c == '\b' ? "\\b"
                             : c == '\f' ? "\\f"
                                         : NULL;
        if (simple) {
            rc = cpw_buf_append_cstr(out, simple);
            i++;
            continue;
        }
        /* Decode one UTF-8 sequence (jansson guarantees valid UTF-8). */
        size_t extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        uint32_t cp = extra == 3 ? c & 0x07u : extra == 2 ? c & 0x0Fu : extra == 1 ? c & 0x1Fu : c;
        for (size_t k = 1; k <= extra && i + k < len; k++) {
            cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3Fu);
        }
        i += 1 + extra;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            rc =
              cpw_buf_appendf(out, "\\u%04x\\u%04x", 0xD800u + (cp >> 10), 0xDC00u + (cp & 0x3FFu));
        } else {
            rc = cpw_buf_appendf(out, "\\u%04x", cp);
        }
    }
    return rc ? rc : cpw_buf_append_byte(out, '"');
}

int cpw_jmespath_dump_compact(const json_t *v, struct cpw_buf *out)
{
    int rc = 0;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        rc = cpw_buf_append_byte(out, '{');
        const char *key;
        size_t key_len;
        json_t *value;
        bool first = true;
        json_object_keylen_foreach((json_t *)v, key, key_len, value)
        {
            if (rc == 0 && !first) {
                rc = cpw_buf_append_byte(out, ',');
            }
            first = false;
            rc = rc ? rc : s_dump_string(key, key_len, out);
            rc = rc ? rc : cpw_buf_append_byte(out, ':');
            rc = rc ? rc : cpw_jmespath_dump_compact(value, out);
            if (rc) {
                break;
            }
        }
        return rc ? rc : cpw_buf_append_byte(out, '}');
    }
    case JSON_ARRAY:
        rc = cpw_buf_append_byte(out, '[');
        for (size_t i = 0; rc == 0 && i < json_array_size(v); i++) {
            rc = i ? cpw_buf_append_byte(out, ',') : 0;
            rc = rc ? rc : cpw_jmespath_dump_compact(json_array_get(v, i), out);
        }
        return rc ? rc : cpw_buf_append_byte(out, ']');
    case JSON_STRING:
        return s_dump_string(json_string_value(v), json_string_length(v), out);
    case JSON_INTEGER:
        return cpw_buf_appendf(out, "%lld", (long long)json_integer_value(v));
    case JSON_REAL:
        return s_dump_real(json_real_value(v), out);
    case JSON_TRUE:
        return cpw_buf_append_cstr(out, "true");
    case JSON_FALSE:
        return cpw_buf_append_cstr(out, "false");
    default:
        return cpw_buf_append_cstr(out, "null");
    }
}

/* ----- the tree ----------------------------------------------------------------------------- */

/* Python's slice.indices(): clamps start and stop for the step's direction. */
static long long s_slice_bound(long long v, long long len, long long step, bool has, bool is_start)
{
    if (!has) {
        if (step > 0) {
            return is_start ? 0 : len;
        }
        return is_start ? len - 1 : -1;
    }
    if (v < 0) {
        v += len;
        if (v < 0) {
            v = step < 0 ? -1 : 0;
        }
    } else if (v >= len) {
        v = step < 0 ? len - 1 : len;
    }
    return v;
}

static json_t *s_slice(struct cpw_jmespath_eval *ev, const struct cpw_jmespath_node *n, json_t *v)
{
    if (!json_is_array(v)) {
        return json_null(); /* as jmespath.py: the step is only checked on an array */
    }
    long long step = n->has_slice[2] ? n->slice[2] : 1;
    if (step == 0) {
        return cpw_jmespath_fail(ev, CPW_JMESPATH_ERR_INVALID_VALUE,
                                 "Invalid slice expression: step cannot be 0");
    }
    long long len = (long long)json_array_size(v);
    long long start = s_slice_bound(n->slice[0], len, step, n->has_slice[0], true);
    long long stop = s_slice_bound(n->slice[1], len, step, n->has_slice[1], false);
    long long span = step > 0 ? stop - start : start - stop;
    long long abs_step = step > 0 ? step : -step;
    size_t count = span > 0 ? (size_t)((span + abs_step - 1) / abs_step) : 0;
    if (!cpw_jmespath_charge(ev, count)) {
        return NULL;
    }
    json_t *out = json_array();
    for (long long i = start; step > 0 ? i < stop : i > stop; i += step) {
        json_array_append(out, json_array_get(v, (size_t)i));
    }
    return out;
}

/* Appends r to out unless it is null; consumes r. False past the item bound. */
static bool s_collect(struct cpw_jmespath_eval *ev, json_t *out, json_t *r)
{
    if (json_is_null(r)) {
        json_decref(r);
        return true;
    }
    json_array_append_new(out, r);
    return cpw_jmespath_charge(ev, 1);
}

static json_t *s_project(struct cpw_jmespath_eval *ev, const struct cpw_jmespath_node *n, json_t *v)
{
    json_t *base = cpw_jmespath_eval_node(ev, n->left, v);
    if (!base) {
        return NULL;
    }
    json_t *out = NULL;
    if (n->type == CPW_JP_VALUE_PROJECTION ? !json_is_object(base) : !json_is_array(base)) {
        json_decref(base);
        return json_null();
    }
    out = json_array();
    if (json_is_object(base)) {
        const char *key;
        json_t *elem;
        json_object_foreach(base, key, elem)
        {
            json_t *r = cpw_jmespath_eval_node(ev, n->right, elem);
            if (!r) {
                goto on_error;
            }
            if (!s_collect(ev, out, r)) {
                goto on_error;
            }
        }
    } else {
        for (size_t i = 0; i < json_array_size(base); i++) {
            json_t *elem = json_array_get(base, i);
            if (n->type == CPW_JP_FILTER) {
                json_t *c = cpw_jmespath_eval_node(ev, n->cond, elem);
                if (!c) {
                    goto on_error;
                }
                bool keep = cpw_jmespath_truthy(c);
                json_decref(c);
                if (!keep) {
                    continue;
                }
            }
            json_t *r = cpw_jmespath_eval_node(ev, n->right, elem);
            if (!r) {
                goto on_error;
            }
            if (!s_collect(ev, out, r)) {
                goto on_error;
            }
        }
    }
    json_decref(base);
    return out;

on_error:
    json_decref(out);
    json_decref(base);
    return NULL;
}

static json_t *s_flatten(struct cpw_jmespath_eval *ev, const struct cpw_jmespath_node *n, json_t *v)
{
    json_t *base = cpw_jmespath_eval_node(ev, n->left, v);
    if (!base || !json_is_array(base)) {
        json_decref(base);
        return base ? json_null() : NULL;
    }
    json_t *out = json_array();
    for (size_t i = 0; i < json_array_size(base); i++) {
        json_t *elem = json_array_get(base, i);
        if (json_is_array(elem)) {
            json_array_extend(out, elem);
        } else {
            json_array_append(out, elem);
        }
    }
    ev->steps += json_array_size(out);
    json_decref(base);
    if (!cpw_jmespath_charge(ev, json_array_size(out))) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static json_t *s_multi(struct cpw_jmespath_eval *ev, const struct cpw_jmespath_node *n, json_t *v)
{
    if (json_is_null(v)) {
        return json_null();
    }
    if (!cpw_jmespath_charge(ev, n->count)) {
        return NULL;
    }
    json_t *out = n->type == CPW_JP_MULTI_LIST ? json_array() : json_object();
    for (size_t i = 0; i < n->count; i++) {
        json_t *r = cpw_jmespath_eval_node(ev, n->items[i], v);
        if (!r) {
            json_decref(out);
            return NULL;
        }
        if (n->type == CPW_JP_MULTI_LIST) {
            json_array_append_new(out, r);
        } else {
            json_object_set_new(out, n->keys[i], r);
        }
    }
    return out;
}

static json_t *s_compare(struct cpw_jmespath_eval *ev, const struct cpw_jmespath_node *n, json_t *v)
{
    json_t *a = cpw_jmespath_eval_node(ev, n->left, v);
    json_t *b = a ? cpw_jmespath_eval_node(ev, n->right, v) : NULL;
    json_t *out = NULL;
    if (a && b) {
        if (n->cmp == CPW_JP_EQ || n->cmp == CPW_JP_NE) {
            out = json_boolean(cpw_jmespath_equal(a, b) == (n->cmp == CPW_JP_EQ));
        } else {
            int c = 0;
            bool comparable = true;
            if (json_is_number(a) && json_is_number(b)) {
                c = s_number_cmp(a, b);
            } else if (json_is_string(a) && json_is_string(b)) {
                c = s_string_cmp(a, b);
            } else {
                comparable = false;
            }
            out = !comparable           ? json_null()
                  : n->cmp == CPW_JP_LT ? json_boolean(c < 0)
                  : n->cmp == CPW_JP_LE ? json_boolean(c <= 0)
                  : n->cmp == CPW_JP_GT ? json_boolean(c > 0)
                                        : json_boolean(c >= 0);
        }
    }
    json_decref(a);
    json_decref(b);
    return out;
}

static json_t *s_function(struct cpw_jmespath_eval *ev,
                          const struct cpw_jmespath_node *n,
                          json_t *v)
{
    struct cpw_jmespath_arg *args = cpw_calloc(n->count ? n->count : 1, sizeof(*args));
    json_t *out = NULL;
    size_t i = 0;
    for (; i < n->count; i++) {
        if (n->items[i]->type == CPW_JP_EXPREF) {
            args[i].expref = n->items[i]->left;
            continue;
        }
        args[i].value = cpw_jmespath_eval_node(ev, n->items[i], v);
        if (!args[i].value) {
            goto cleanup;
        }
    }
    out = n->function->call(ev, args, n->count);

cleanup:
    for (size_t k = 0; k < i; k++) {
        json_decref(args[k].value);
    }
    cpw_free(args);
    return out;
}

json_t *cpw_jmespath_eval_node(struct cpw_jmespath_eval *ev,
                               const struct cpw_jmespath_node *n,
                               json_t *value)
{
    if (++ev->steps > CPW_JMESPATH_MAX_STEPS) {
        return cpw_jmespath_fail(ev, CPW_JMESPATH_ERR_LIMIT, "the query visits more than %u values",
                                 CPW_JMESPATH_MAX_STEPS);
    }
    json_t *a = NULL, *out = NULL;
    switch (n->type) {
    case CPW_JP_IDENTITY:
    case CPW_JP_CURRENT:
        return json_incref(value);
    case CPW_JP_FIELD:
        out = json_is_object(value) ? json_object_getn(value, n->name, n->name_len) : NULL;
        return out ? json_incref(out) : json_null();
    case CPW_JP_SUBEXPR:
    case CPW_JP_INDEX_EXPR:
    case CPW_JP_PIPE:
        a = cpw_jmespath_eval_node(ev, n->left, value);
        if (!a) {
            return NULL;
        }
        out = cpw_jmespath_eval_node(ev, n->right, a);
        json_decref(a);
        return out;
    case CPW_JP_INDEX: {
        if (!json_is_array(value)) {
            return json_null();
        }
        long long len = (long long)json_array_size(value);
        long long i = n->slice[0] < 0 ? n->slice[0] + len : n->slice[0];
        return i >= 0 && i < len ? json_incref(json_array_get(value, (size_t)i)) : json_null();
    }
    case CPW_JP_SLICE:
        return s_slice(ev, n, value);
    case CPW_JP_LIST_PROJECTION:
    case CPW_JP_VALUE_PROJECTION:
    case CPW_JP_FILTER:
        return s_project(ev, n, value);
    case CPW_JP_FLATTEN:
        return s_flatten(ev, n, value);
    case CPW_JP_LITERAL:
        return json_incref(n->literal);
    case CPW_JP_MULTI_LIST:
    case CPW_JP_MULTI_HASH:
        return s_multi(ev, n, value);
    case CPW_JP_OR:
    case CPW_JP_AND:
        a = cpw_jmespath_eval_node(ev, n->left, value);
        if (!a || cpw_jmespath_truthy(a) == (n->type == CPW_JP_OR)) {
            return a;
        }
        json_decref(a);
        return cpw_jmespath_eval_node(ev, n->right, value);
    case CPW_JP_NOT:
        a = cpw_jmespath_eval_node(ev, n->left, value);
        out = a ? json_boolean(!cpw_jmespath_truthy(a)) : NULL;
        json_decref(a);
        return out;
    case CPW_JP_COMPARE:
        return s_compare(ev, n, value);
    case CPW_JP_FUNCTION:
        return s_function(ev, n, value);
    case CPW_JP_EXPREF:
        return json_null(); /* only meaningful as a function argument */
    }
    return cpw_jmespath_fail(ev, CPW_JMESPATH_ERR_SYNTAX, "unknown expression node");
}

int cpw_jmespath_search(const struct cpw_jmespath *q, const json_t *doc, json_t **out)
{
    *out = NULL;
    memset(&s_last_error, 0, sizeof(s_last_error));
    if (!q) {
        s_last_error.kind = CPW_JMESPATH_ERR_SYNTAX;
        snprintf(s_last_error.message, sizeof(s_last_error.message), "no expression");
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "no JMESPath expression to search with");
    }
    struct cpw_jmespath_eval ev = { .err = &s_last_error };
    json_t *input = doc ? (json_t *)doc : json_null();
    json_t *result = cpw_jmespath_eval_node(&ev, q->root, input);
    if (!result) {
        if (s_last_error.kind == CPW_JMESPATH_OK) {
            s_last_error.kind = CPW_JMESPATH_ERR_LIMIT;
            snprintf(s_last_error.message, sizeof(s_last_error.message),
                     "the query could not be evaluated");
        }
        return cpw_raise(s_last_error.kind == CPW_JMESPATH_ERR_LIMIT ? CPW_ERR_LIMIT
                                                                     : CPW_ERR_INVALID_ARGUMENT,
                         "%s", s_last_error.message);
    }
    *out = result;
    return 0;
}

const struct cpw_jmespath_error *cpw_jmespath_last_error(void)
{
    return &s_last_error;
}
