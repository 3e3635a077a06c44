/*
 * jmespath_func.c - JMESPath's built-in functions (specification, "Built-in Functions").
 *
 * Arity is checked at compile time from the table at the end of this file; argument types here,
 * at call time, before any work, with jmespath.py's wording (the offending value itself is never
 * quoted, so no document content reaches an error message). Sorting is stable, as Python's is, so
 * sort_by and max_by pick the same element the AWS CLI does.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "jmespath_internal.h"

/* Argument type sets. */
enum {
    A_NUMBER = 1 << 0,
    A_STRING = 1 << 1,
    A_BOOLEAN = 1 << 2,
    A_ARRAY = 1 << 3,
    A_OBJECT = 1 << 4,
    A_NULL = 1 << 5,
    A_EXPREF = 1 << 6,
    A_ARRAY_NUMBER = 1 << 7, /* an array whose elements are all numbers */
    A_ARRAY_STRING = 1 << 8, /* an array whose elements are all strings */
    A_ANY = A_NUMBER | A_STRING | A_BOOLEAN | A_ARRAY | A_OBJECT | A_NULL,
};

static int s_type_bit(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_INTEGER:
    case JSON_REAL:
        return A_NUMBER;
    case JSON_STRING:
        return A_STRING;
    case JSON_TRUE:
    case JSON_FALSE:
        return A_BOOLEAN;
    case JSON_ARRAY:
        return A_ARRAY;
    case JSON_OBJECT:
        return A_OBJECT;
    default:
        return A_NULL;
    }
}

/* "['array-number', 'array-string']": the expected types as jmespath.py lists them. */
static void s_describe(int mask, char *buf, size_t size)
{
    static const struct {
        int bit;
        const char *name;
    } names[] = {
        { A_NUMBER, "number" },
        { A_STRING, "string" },
        { A_BOOLEAN, "boolean" },
        { A_ARRAY, "array" },
        { A_OBJECT, "object" },
        { A_NULL, "null" },
        { A_EXPREF, "expref" },
        { A_ARRAY_NUMBER, "array-number" },
        { A_ARRAY_STRING, "array-string" },
    };
    size_t len = 0;
    buf[0] = '\0';
    if ((mask & A_ANY) == A_ANY) {
        snprintf(buf, size, "['any']");
        return;
    }
    len += (size_t)snprintf(buf + len, size - len, "[");
    bool first = true;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && len < size; i++) {
        if (mask & names[i].bit) {
            len +=
              (size_t)snprintf(buf + len, size - len, "%s'%s'", first ? "" : ", ", names[i].name);
            first = false;
        }
    }
    if (len < size) {
        snprintf(buf + len, size - len, "]");
    }
}

static json_t *s_type_error(struct cpw_jmespath_eval *ev,
                            const char *fname,
                            int expected,
                            const char *received)
{
    char want[160];
    s_describe(expected, want, sizeof(want));
    return cpw_jmespath_fail(ev, CPW_JMESPATH_ERR_INVALID_TYPE,
                             "In function %s(), invalid type for value, expected one of: %s, "
                             "received: \"%s\"",
                             fname, want, received);
}

/* True when every element of the array has the type bit elem. */
static bool s_all(const json_t *array, int elem)
{
    for (size_t i = 0; i < json_array_size(array); i++) {
        if (s_type_bit(json_array_get(array, i)) != elem) {
            return false;
        }
    }
    return true;
}

/* Checks args[i] against mask; false (error recorded) when it does not fit. */
static bool s_check(struct cpw_jmespath_eval *ev,
                    const char *fname,
                    const struct cpw_jmespath_arg *arg,
                    int mask)
{
    if (arg->expref) {
        if (mask & A_EXPREF) {
            return true;
        }
        s_type_error(ev, fname, mask, "expref");
        return false;
    }
    int bit = s_type_bit(arg->value);
    if (mask & bit) {
        return true;
    }
    if (bit == A_ARRAY && (((mask & A_ARRAY_NUMBER) && s_all(arg->value, A_NUMBER)) ||
                           ((mask & A_ARRAY_STRING) && s_all(arg->value, A_STRING)))) {
        return true;
    }
    s_type_error(ev, fname, mask, cpw_jmespath_type_name(arg->value));
    return false;
}

/* Evaluates an expression reference on one element. */
static json_t *s_apply(struct cpw_jmespath_eval *ev, const struct cpw_jmespath_arg *arg, json_t *v)
{
    return cpw_jmespath_eval_node(ev, arg->expref, v);
}

/* ----- comparison and stable sort ----------------------------------------------------------- */

struct keyed {
    json_t *key;  /* owned when produced by an expression reference */
    json_t *elem; /* borrowed */
};

/* Orders two numbers or two strings (callers checked the types). */
static int s_cmp(const json_t *a, const json_t *b)
{
    if (json_is_number(a)) {
        if (json_is_integer(a) && json_is_integer(b)) {
            json_int_t x = json_integer_value(a), y = json_integer_value(b);
            return x < y ? -1 : x > y ? 1 : 0;
        }
        double x = cpw_jmespath_number(a), y = cpw_jmespath_number(b);
        return x < y ? -1 : x > y ? 1 : 0;
    }
    size_t la = json_string_length(a), lb = json_string_length(b);
    int c = memcmp(json_string_value(a), json_string_value(b), la < lb ? la : lb);
    return c != 0 ? c : la < lb ? -1 : la > lb ? 1 : 0;
}

/* Bottom-up merge sort: stable, O(n log n), no recursion. */
static void s_sort(struct keyed *items, size_t n)
{
    if (n < 2) {
        return;
    }
    struct keyed *tmp = cpw_calloc(n, sizeof(*tmp));
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                tmp[k++] = s_cmp(items[j].key, items[i].key) < 0 ? items[j++] : items[i++];
            }
            while (i < mid) {
                tmp[k++] = items[i++];
            }
            while (j < hi) {
                tmp[k++] = items[j++];
            }
        }
        memcpy(items, tmp, n * sizeof(*items));
    }
    cpw_free(tmp);
}

/*
 * Evaluates the expression reference on every element of array into items (keys owned). All keys
 * must be numbers or all strings; with first_type set, they must share the first key's type (as
 * sort_by requires). Returns false with an error recorded.
 */
static bool s_keys(struct cpw_jmespath_eval *ev,
                   const char *fname,
                   const struct cpw_jmespath_arg *expref,
                   json_t *array,
                   struct keyed *items)
{
    int want = 0;
    for (size_t i = 0; i < json_array_size(array); i++) {
        items[i].elem = json_array_get(array, i);
        items[i].key = s_apply(ev, expref, items[i].elem);
        if (!items[i].key) {
            return false;
        }
        int bit = s_type_bit(items[i].key);
        if (want == 0 && (bit == A_NUMBER || bit == A_STRING)) {
            want = bit;
        }
        if (bit != want) {
            s_type_error(ev, fname, want ? want : A_NUMBER | A_STRING,
                         cpw_jmespath_type_name(items[i].key));
            return false;
        }
    }
    return true;
}

static void s_keys_free(struct keyed *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_decref(items[i].key);
    }
    cpw_free(items);
}

/* ----- the functions ------------------------------------------------------------------------ */

static json_t *f_abs(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    if (!s_check(ev, "abs", &a[0], A_NUMBER)) {
        return NULL;
    }
    if (json_is_integer(a[0].value)) {
        json_int_t v = json_integer_value(a[0].value);
        if (v > -LLONG_MAX) {
            return json_integer(v < 0 ? -v : v);
        }
    }
    return json_real(fabs(cpw_jmespath_number(a[0].value)));
}

static json_t *f_avg(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    if (!s_check(ev, "avg", &a[0], A_ARRAY_NUMBER)) {
        return NULL;
    }
    size_t count = json_array_size(a[0].value);
    if (count == 0) {
        return json_null();
    }
    double sum = 0;
    for (size_t i = 0; i < count; i++) {
        sum += cpw_jmespath_number(json_array_get(a[0].value, i));
    }
    double avg = sum / (double)count;
    return isfinite(avg) ? json_real(avg) : cpw_jmespath_number_new(ev, avg);
}

static json_t *s_round(struct cpw_jmespath_eval *ev,
                       struct cpw_jmespath_arg *a,
                       const char *fname,
                       double (*round_fn)(double))
{
    if (!s_check(ev, fname, &a[0], A_NUMBER)) {
        return NULL;
    }
    if (json_is_integer(a[0].value)) {
        return json_incref(a[0].value);
    }
    return cpw_jmespath_number_new(ev, round_fn(json_real_value(a[0].value)));
}

static json_t *f_ceil(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    return s_round(ev, a, "ceil", ceil);
}

static json_t *f_floor(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    return s_round(ev, a, "floor", floor);
}

static bool s_has_substring(const json_t *hay, const json_t *needle)
{
    struct cpw_span h = cpw_span_from(json_string_value(hay), json_string_length(hay));
    struct cpw_span s = cpw_span_from(json_string_value(needle), json_string_length(needle));
    return cpw_span_find(h, s) >= 0;
}

static json_t *f_contains(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    if (!s_check(ev, "contains", &a[0], A_ARRAY | A_STRING) ||
        !s_check(ev, "contains", &a[1], A_ANY)) {
        return NULL;
    }
    if (json_is_string(a[0].value)) {
        return json_boolean(json_is_string(a[1].value) && s_has_substring(a[0].value, a[1].value));
    }
    for (size_t i = 0; i < json_array_size(a[0].value); i++) {
        if (cpw_jmespath_equal(json_array_get(a[0].value, i), a[1].value)) {
            return json_true();
        }
    }
    return json_false();
}

static json_t *s_affix(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, bool at_end)
{
    const char *fname = at_end ? "ends_with" : "starts_with";
    if (!s_check(ev, fname, &a[0], A_STRING) || !s_check(ev, fname, &a[1], A_STRING)) {
        return NULL;
    }
    size_t hl = json_string_length(a[0].value), nl = json_string_length(a[1].value);
    if (nl > hl) {
        return json_false();
    }
    const char *h = json_string_value(a[0].value) + (at_end ? hl - nl : 0);
    return json_boolean(memcmp(h, json_string_value(a[1].value), nl) == 0);
}

static json_t *f_ends_with(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    return s_affix(ev, a, true);
}

static json_t *f_starts_with(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    return s_affix(ev, a, false);
}

static json_t *s_string_from_buf(struct cpw_jmespath_eval *ev, struct cpw_buf *buf, int rc)
{
    if (rc) {
        cpw_buf_clean_up(buf);
        return cpw_jmespath_fail(ev, CPW_JMESPATH_ERR_LIMIT, "a string would exceed %u bytes",
                                 CPW_JMESPATH_MAX_STRING_BYTES);
    }
    json_t *out = json_stringn(buf->len ? (const char *)buf->data : "", buf->len);
    cpw_buf_clean_up(buf);
    return out ? out : cpw_jmespath_fail(ev, CPW_JMESPATH_ERR_INVALID_VALUE, "not UTF-8");
}

static json_t *f_join(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    if (!s_check(ev, "join", &a[0], A_STRING) || !s_check(ev, "join", &a[1], A_ARRAY_STRING)) {
        return NULL;
    }
    struct cpw_buf buf;
    cpw_buf_init(&buf, CPW_JMESPATH_MAX_STRING_BYTES);
    int rc = 0;
    struct cpw_span glue =
      cpw_span_from(json_string_value(a[0].value), json_string_length(a[0].value));
    for (size_t i = 0; rc == 0 && i < json_array_size(a[1].value); i++) {
        const json_t *s = json_array_get(a[1].value, i);
        rc = i ? cpw_buf_append(&buf, glue) : 0;
        rc = rc ? rc
                : cpw_buf_append(&buf, cpw_span_from(json_string_value(s), json_string_length(s)));
    }
    return s_string_from_buf(ev, &buf, rc);
}

static json_t *s_keys_or_values(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, bool keys)
{
    if (!s_check(ev, keys ? "keys" : "values", &a[0], A_OBJECT) ||
        !cpw_jmespath_charge(ev, json_object_size(a[0].value))) {
        return NULL;
    }
    json_t *out = json_array();
    const char *key;
    size_t key_len;
    json_t *value;
    json_object_keylen_foreach(a[0].value, key, key_len, value)
    {
        json_array_append_new(out, keys ? json_stringn(key, key_len) : json_incref(value));
    }
    return out;
}

static json_t *f_keys(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    return s_keys_or_values(ev, a, true);
}

static json_t *f_values(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    return s_keys_or_values(ev, a, false);
}

static size_t s_code_points(const json_t *s)
{
    size_t count = 0;
    const char *p = json_string_value(s);
    for (size_t i = 0; i < json_string_length(s); i++) {
        if (((unsigned char)p[i] & 0xC0u) != 0x80u) {
            count++;
        }
    }
    return count;
}

static json_t *f_length(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    if (!s_check(ev, "length", &a[0], A_STRING | A_ARRAY | A_OBJECT)) {
        return NULL;
    }
    size_t len = json_is_string(a[0].value)  ? s_code_points(a[0].value)
                 : json_is_array(a[0].value) ? json_array_size(a[0].value)
                                             : json_object_size(a[0].value);
    return json_integer((json_int_t)len);
}

static json_t *f_map(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    if (!s_check(ev, "map", &a[0], A_EXPREF) || !s_check(ev, "map", &a[1], A_ARRAY) ||
        !cpw_jmespath_charge(ev, json_array_size(a[1].value))) {
        return NULL;
    }
    json_t *out = json_array();
    for (size_t i = 0; i < json_array_size(a[1].value); i++) {
        json_t *r = s_apply(ev, &a[0], json_array_get(a[1].value, i));
        if (!r) {
            json_decref(out);
            return NULL;
        }
        json_array_append_new(out, r);
    }
    return out;
}

static json_t *s_extreme(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, bool max)
{
    if (!s_check(ev, max ? "max" : "min", &a[0], A_ARRAY_NUMBER | A_ARRAY_STRING)) {
        return NULL;
    }
    json_t *best = NULL;
    for (size_t i = 0; i < json_array_size(a[0].value); i++) {
        json_t *v = json_array_get(a[0].value, i);
        if (!best || (max ? s_cmp(v, best) > 0 : s_cmp(v, best) < 0)) {
            best = v;
        }
    }
    return best ? json_incref(best) : json_null();
}

static json_t *f_max(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    return s_extreme(ev, a, true);
}

static json_t *f_min(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    return s_extreme(ev, a, false);
}

static json_t *s_extreme_by(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, bool max)
{
    const char *fname = max ? "max_by" : "min_by";
    if (!s_check(ev, fname, &a[0], A_ARRAY) || !s_check(ev, fname, &a[1], A_EXPREF)) {
        return NULL;
    }
    size_t count = json_array_size(a[0].value);
    struct keyed *items = cpw_calloc(count ? count : 1, sizeof(*items));
    json_t *out = NULL;
    if (s_keys(ev, fname, &a[1], a[0].value, items)) {
        size_t best = 0;
        for (size_t i = 1; i < count; i++) {
            int c = s_cmp(items[i].key, items[best].key);
            if (max ? c > 0 : c < 0) {
                best = i;
            }
        }
        out = count ? json_incref(items[best].elem) : json_null();
    }
    s_keys_free(items, count);
    return out;
}

static json_t *f_max_by(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    return s_extreme_by(ev, a, true);
}

static json_t *f_min_by(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    return s_extreme_by(ev, a, false);
}

static json_t *f_merge(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!s_check(ev, "merge", &a[i], A_OBJECT)) {
            return NULL;
        }
    }
    json_t *out = json_object();
    for (size_t i = 0; i < n; i++) {
        if (!cpw_jmespath_charge(ev, json_object_size(a[i].value))) {
            json_decref(out);
            return NULL;
        }
        json_object_update(out, a[i].value);
    }
    return out;
}

static json_t *f_not_null(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!s_check(ev, "not_null", &a[i], A_ANY)) {
            return NULL;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!json_is_null(a[i].value)) {
            return json_incref(a[i].value);
        }
    }
    return json_null();
}

static json_t *f_reverse(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    if (!s_check(ev, "reverse", &a[0], A_STRING | A_ARRAY) ||
        !cpw_jmespath_charge(ev, json_array_size(a[0].value))) {
        return NULL;
    }
    if (json_is_array(a[0].value)) {
        json_t *out = json_array();
        for (size_t i = json_array_size(a[0].value); i > 0; i--) {
            json_array_append(out, json_array_get(a[0].value, i - 1));
        }
        return out;
    }
    /* Code points in reverse order: copy each UTF-8 sequence from the end. */
    const char *s = json_string_value(a[0].value);
    size_t len = json_string_length(a[0].value);
    char *r = cpw_malloc(len + 1);
    size_t w = 0;
    size_t end = len;
    while (end > 0) {
        size_t start = end - 1;
        while (start > 0 && ((unsigned char)s[start] & 0xC0u) == 0x80u) {
            start--;
        }
        memcpy(r + w, s + start, end - start);
        w += end - start;
        end = start;
    }
    json_t *out = json_stringn(r, len);
    cpw_free(r);
    return out ? out : cpw_jmespath_fail(ev, CPW_JMESPATH_ERR_INVALID_VALUE, "not UTF-8");
}

static json_t *s_sorted(struct keyed *items, size_t count)
{
    s_sort(items, count);
    json_t *out = json_array();
    for (size_t i = 0; i < count; i++) {
        json_array_append(out, items[i].elem);
    }
    return out;
}

static json_t *f_sort(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    if (!s_check(ev, "sort", &a[0], A_ARRAY_NUMBER | A_ARRAY_STRING) ||
        !cpw_jmespath_charge(ev, json_array_size(a[0].value))) {
        return NULL;
    }
    size_t count = json_array_size(a[0].value);
    struct keyed *items = cpw_calloc(count ? count : 1, sizeof(*items));
    for (size_t i = 0; i < count; i++) {
        items[i].elem = items[i].key = json_array_get(a[0].value, i);
    }
    json_t *out = s_sorted(items, count);
    cpw_free(items);
    ev->steps += count;
    return out;
}

static json_t *f_sort_by(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    if (!s_check(ev, "sort_by", &a[0], A_ARRAY) || !s_check(ev, "sort_by", &a[1], A_EXPREF) ||
        !cpw_jmespath_charge(ev, json_array_size(a[0].value))) {
        return NULL;
    }
    size_t count = json_array_size(a[0].value);
    struct keyed *items = cpw_calloc(count ? count : 1, sizeof(*items));
    json_t *out = s_keys(ev, "sort_by", &a[1], a[0].value, items) ? s_sorted(items, count) : NULL;
    s_keys_free(items, count);
    return out;
}

static json_t *f_sum(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    if (!s_check(ev, "sum", &a[0], A_ARRAY_NUMBER)) {
        return NULL;
    }
    /* Integers stay integers (as Python's sum) until a real or an overflow appears. */
    json_int_t isum = 0;
    double dsum = 0;
    bool integral = true;
    for (size_t i = 0; i < json_array_size(a[0].value); i++) {
        const json_t *v = json_array_get(a[0].value, i);
        if (integral && json_is_integer(v)) {
            json_int_t x = json_integer_value(v);
            if ((x > 0 && isum > LLONG_MAX - x) || (x < 0 && isum < -LLONG_MAX - 1 - x)) {
                integral = false;
                dsum = (double)isum + (double)x;
            } else {
                isum += x;
            }
            continue;
        }
        if (integral) {
            integral = false;
            dsum = (double)isum;
        }
        dsum += cpw_jmespath_number(v);
    }
    if (integral) {
        return json_integer(isum);
    }
    return isfinite(dsum) ? json_real(dsum) : cpw_jmespath_number_new(ev, dsum);
}

static json_t *f_to_array(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    if (!s_check(ev, "to_array", &a[0], A_ANY)) {
        return NULL;
    }
    if (json_is_array(a[0].value)) {
        return json_incref(a[0].value);
    }
    if (!cpw_jmespath_charge(ev, 1)) {
        return NULL;
    }
    json_t *out = json_array();
    json_array_append(out, a[0].value);
    return out;
}

static json_t *f_to_string(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    if (!s_check(ev, "to_string", &a[0], A_ANY)) {
        return NULL;
    }
    if (json_is_string(a[0].value)) {
        return json_incref(a[0].value);
    }
    struct cpw_buf buf;
    cpw_buf_init(&buf, CPW_JMESPATH_MAX_STRING_BYTES);
    int rc = cpw_jmespath_dump_compact(a[0].value, &buf);
    return s_string_from_buf(ev, &buf, rc);
}

/* Python's int(s), then float(s): decimal only (no inf, nan or hexadecimal). */
static json_t *s_parse_number(const char *s, size_t len)
{
    while (len && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
        s++;
        len--;
    }
    while (len &&
           (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r')) {
        len--;
    }
    if (len == 0 || len > 400) {
        return json_null();
    }
    char text[401];
    memcpy(text, s, len);
    text[len] = '\0';
    bool integer = true, digit = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c >= '0' && c <= '9') {
            digit = true;
        } else if ((c == '+' || c == '-') && (i == 0 || text[i - 1] == 'e' || text[i - 1] == 'E')) {
            integer = integer && i == 0;
        } else if (c == '.' || c == 'e' || c == 'E') {
            integer = false;
        } else {
            return json_null();
        }
    }
    if (!digit) {
        return json_null();
    }
    char *end = NULL;
    errno = 0;
    if (integer) {
        long long v = strtoll(text, &end, 10);
        if (errno == 0 && end && *end == '\0') {
            return json_integer(v);
        }
    }
    errno = 0;
    double d = strtod(text, &end);
    if (!end || *end != '\0' || !isfinite(d)) {
        return json_null();
    }
    return json_real(d);
}

static json_t *f_to_number(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    if (!s_check(ev, "to_number", &a[0], A_ANY)) {
        return NULL;
    }
    if (json_is_number(a[0].value)) {
        return json_incref(a[0].value);
    }
    if (json_is_string(a[0].value)) {
        return s_parse_number(json_string_value(a[0].value), json_string_length(a[0].value));
    }
    return json_null();
}

static json_t *f_type(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *a, size_t n)
{
    (void)n;
    if (!s_check(ev, "type", &a[0], A_ANY)) {
        return NULL;
    }
    return json_string(cpw_jmespath_type_name(a[0].value));
}

static const struct cpw_jmespath_function s_functions[] = {
    { "abs", 1, false, f_abs },
    { "avg", 1, false, f_avg },
    { "ceil", 1, false, f_ceil },
    { "contains", 2, false, f_contains },
    { "ends_with", 2, false, f_ends_with },
    { "floor", 1, false, f_floor },
    { "join", 2, false, f_join },
    { "keys", 1, false, f_keys },
    { "length", 1, false, f_length },
    { "map", 2, false, f_map },
    { "max", 1, false, f_max },
    { "max_by", 2, false, f_max_by },
    { "merge", 1, true, f_merge },
    { "min", 1, false, f_min },
    { "min_by", 2, false, f_min_by },
    { "not_null", 1, true, f_not_null },
    { "reverse", 1, false, f_reverse },
    { "sort", 1, false, f_sort },
    { "sort_by", 2, false, f_sort_by },
    { "starts_with", 2, false, f_starts_with },
    { "sum", 1, false, f_sum },
    { "to_array", 1, false, f_to_array },
    { "to_number", 1, false, f_to_number },
    { "to_string", 1, false, f_to_string },
    { "type", 1, false, f_type },
    { "values", 1, false, f_values },
};

const struct cpw_jmespath_function *cpw_jmespath_function_find(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(s_functions) / sizeof(s_functions[0]); i++) {
        if (strlen(s_functions[i].name) == len && memcmp(s_functions[i].name, name, len) == 0) {
            return &s_functions[i];
        }
    }
    return NULL;
}
