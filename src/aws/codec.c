/*
 * codec.c - the public codec entry points (dispatch by protocol) and what every protocol file
 * shares: shape lookups, timestamps in their wire forms, scalars as text, key/value pair lists.
 */
#include "cpw/codec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"
#include "cpw/alloc.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/time.h"
#include "cpw/uri.h"

/* ----- shapes ------------------------------------------------------------------------------ */

const char *cpw_codec_str(const json_t *obj, const char *key)
{
    return json_is_object(obj) ? json_string_value(json_object_get(obj, key)) : NULL;
}

const char *cpw_codec_type(const json_t *shape)
{
    const char *t = cpw_codec_str(shape, "type");
    return t ? t : "";
}

const char *cpw_codec_wire_name(const json_t *ref, const char *member_name)
{
    const char *n = cpw_codec_str(ref, "locationName");
    return n ? n : member_name;
}

const char *cpw_codec_ts_format(const json_t *ref, const json_t *shape, const char *dflt)
{
    const char *f = cpw_codec_str(ref, "timestampFormat");
    if (!f) {
        f = cpw_codec_str(shape, "timestampFormat");
    }
    return f ? f : dflt;
}

const json_t *cpw_codec_target(const struct cpw_model_service *svc, const json_t *ref)
{
    const json_t *shape = cpw_model_resolve_ref(svc, ref);
    if (!shape) {
        cpw_raise(CPW_ERR_MODEL, "shape %s is not in the %s model",
                  cpw_codec_str(ref, "shape") ? cpw_codec_str(ref, "shape") : "(none)",
                  cpw_model_name(svc));
    }
    return shape;
}

bool cpw_codec_is_scalar(const json_t *shape)
{
    const char *t = cpw_codec_type(shape);
    return strcmp(t, "structure") != 0 && strcmp(t, "list") != 0 && strcmp(t, "map") != 0;
}

/* ----- timestamps -------------------------------------------------------------------------- */

static int64_t s_floor_div(int64_t a, int64_t b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

static int s_seconds_to_ms(double seconds, int64_t *epoch_ms)
{
    if (!isfinite(seconds) || fabs(seconds) > 253402300799.0) {
        return cpw_raise(CPW_ERR_TIME, "epoch seconds out of range");
    }
    *epoch_ms = (int64_t)llround(seconds * 1000.0);
    return 0;
}

int cpw_codec_doc_time(const json_t *value, int64_t *epoch_ms)
{
    if (json_is_string(value)) {
        return cpw_codec_time_parse(
          cpw_span_from(json_string_value(value), json_string_length(value)), epoch_ms);
    }
    if (json_is_number(value)) {
        return s_seconds_to_ms(json_number_value(value), epoch_ms);
    }
    return cpw_raise(CPW_ERR_VALIDATION, "a timestamp must be an ISO 8601 string or a number");
}

/* Two decimal digits of v (0..99) at out. */
static void s_two(char *out, int v)
{
    out[0] = (char)('0' + v / 10);
    out[1] = (char)('0' + v % 10);
}

/* The general form, through strftime: the years the fast form below leaves out. */
static json_t *s_time_doc_general(int64_t epoch_ms)
{
    char iso[CPW_TIME_ISO8601_LEN + 1];
    int64_t secs = s_floor_div(epoch_ms, 1000);
    int64_t ms = epoch_ms - secs * 1000;
    if (cpw_time_format_iso8601(secs, iso)) {
        return json_string("1970-01-01T00:00:00+00:00");
    }
    char out[48];
    iso[19] = '\0'; /* drop the 'Z' */
    if (ms) {
        snprintf(out, sizeof(out), "%s.%03d000+00:00", iso, (int)ms);
    } else {
        snprintf(out, sizeof(out), "%s+00:00", iso);
    }
    return json_string(out);
}

json_t *cpw_codec_time_doc_new(int64_t epoch_ms)
{
    /* Written by hand rather than through strftime/snprintf: every timestamp of every reply
     * passes here. Four-digit years only; the others take the general form. */
    int64_t secs = s_floor_div(epoch_ms, 1000);
    int ms = (int)(epoch_ms - secs * 1000);
    int64_t days = s_floor_div(secs, 86400);
    int sod = (int)(secs - days * 86400);
    /* civil_from_days (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms") */
    int64_t z = days + 719468;
    int64_t era = s_floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int day = (int)(doy - (153 * mp + 2) / 5 + 1);
    int month = (int)(mp < 10 ? mp + 3 : mp - 9);
    int64_t year = yoe + era * 400 + (month <= 2);
    if (year < 1000 || year > 9999) {
        return s_time_doc_general(epoch_ms);
    }
    char out[40];
    s_two(out, (int)(year / 100));
    s_two(out + 2, (int)(year % 100));
    out[4] = '-';
    s_two(out + 5, month);
    out[7] = '-';
    s_two(out + 8, day);
    out[10] = 'T';
    s_two(out + 11, sod / 3600);
    out[13] = ':';
    s_two(out + 14, sod / 60 % 60);
    out[16] = ':';
    s_two(out + 17, sod % 60);
    size_t n = 19;
    if (ms) {
        out[n++] = '.';
        out[n++] = (char)('0' + ms / 100);
        s_two(out + n, ms % 100);
        n += 2;
        out[n++] = '0'; /* microseconds: botocore's datetime prints six digits */
        out[n++] = '0';
        out[n++] = '0';
    }
    static const char utc[] = "+00:00";
    for (size_t i = 0; i + 1 < sizeof(utc); i++) {
        out[n++] = utc[i];
    }
    return json_stringn_nocheck(out, n);
}

int cpw_codec_time_text(int64_t epoch_ms, const char *fmt, struct cpw_buf *out)
{
    int64_t secs = s_floor_div(epoch_ms, 1000);
    int ms = (int)(epoch_ms - secs * 1000);
    char iso[CPW_TIME_ISO8601_LEN + 1];
    if (strcmp(fmt, "unixTimestamp") == 0) {
        return cpw_buf_appendf(out, "%lld", (long long)secs);
    }
    if (cpw_time_format_iso8601(secs, iso)) {
        return -1;
    }
    if (strcmp(fmt, "rfc822") == 0) {
        static const char *const days[] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
        static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
        int64_t day_index = s_floor_div(secs, 86400);
        int weekday = (int)(((day_index % 7) + 7) % 7);
        int month = (iso[5] - '0') * 10 + (iso[6] - '0');
        /* RFC 822 / IMF-fixdate: "Mon, 01 Jan 2024 00:00:00 GMT", always whole seconds. */
        return cpw_buf_appendf(out, "%s, %.2s %s %.4s %.8s GMT", days[weekday], iso + 8,
                               months[(month - 1) % 12], iso, iso + 11);
    }
    /* iso8601: botocore adds microseconds only when there are any. */
    if (ms) {
        return cpw_buf_appendf(out, "%.19s.%03d000Z", iso, ms);
    }
    return cpw_buf_append_cstr(out, iso);
}

int cpw_codec_time_parse(struct cpw_span text, int64_t *epoch_ms)
{
    if (text.len == 0 || text.len > 64) {
        return cpw_raise(CPW_ERR_TIME, "timestamp text is empty or too long");
    }
    if (cpw_time_parse_iso8601_ms(text, epoch_ms) == 0) {
        return 0;
    }
    int64_t secs = 0;
    if (cpw_time_parse_http_date(text, &secs) == 0) {
        *epoch_ms = secs * 1000;
        return 0;
    }
    char copy[72];
    memcpy(copy, text.ptr, text.len);
    copy[text.len] = '\0';
    char *end = NULL;
    errno = 0;
    double value = strtod(copy, &end);
    if (errno || end == copy || *end != '\0' ||
        !(copy[0] == '-' || (copy[0] >= '0' && copy[0] <= '9'))) {
        return cpw_raise(CPW_ERR_TIME, "not a timestamp: \"%s\"", copy);
    }
    return s_seconds_to_ms(value, epoch_ms);
}

/* ----- scalars ----------------------------------------------------------------------------- */

/* Python's str(float): the shortest text that reads back to the same double. */
static int s_float_text(double v, struct cpw_buf *out)
{
    if (isnan(v)) {
        return cpw_buf_append_cstr(out, "NaN");
    }
    if (isinf(v)) {
        return cpw_buf_append_cstr(out, v > 0 ? "Infinity" : "-Infinity");
    }
    char text[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(text, sizeof(text), "%.*g", prec, v);
        if (strtod(text, NULL) == v) {
            break;
        }
    }
    if (!strpbrk(text, ".e")) {
        return cpw_buf_appendf(out, "%s.0", text);
    }
    return cpw_buf_append_cstr(out, text);
}

int cpw_codec_scalar_text(const json_t *ref,
                          const json_t *shape,
                          const json_t *value,
                          const char *ts_default,
                          struct cpw_buf *out)
{
    const char *t = cpw_codec_type(shape);
    if (strcmp(t, "string") == 0 || strcmp(t, "blob") == 0) {
        if (!json_is_string(value)) {
            return cpw_raise(CPW_ERR_VALIDATION, "expected a string");
        }
        return cpw_buf_append(out,
                              cpw_span_from(json_string_value(value), json_string_length(value)));
    }
    if (strcmp(t, "integer") == 0 || strcmp(t, "long") == 0) {
        if (!json_is_integer(value)) {
            return cpw_raise(CPW_ERR_VALIDATION, "expected an integer");
        }
        return cpw_buf_appendf(out, "%lld", (long long)json_integer_value(value));
    }
    if (strcmp(t, "boolean") == 0) {
        if (!json_is_boolean(value)) {
            return cpw_raise(CPW_ERR_VALIDATION, "expected a boolean");
        }
        return cpw_buf_append_cstr(out, json_is_true(value) ? "true" : "false");
    }
    if (strcmp(t, "float") == 0 || strcmp(t, "double") == 0) {
        if (!json_is_number(value)) {
            return cpw_raise(CPW_ERR_VALIDATION, "expected a number");
        }
        return s_float_text(json_number_value(value), out);
    }
    if (strcmp(t, "timestamp") == 0) {
        int64_t ms = 0;
        if (cpw_codec_doc_time(value, &ms)) {
            return cpw_raise(CPW_ERR_VALIDATION, "expected a timestamp");
        }
        return cpw_codec_time_text(ms, cpw_codec_ts_format(ref, shape, ts_default), out);
    }
    return cpw_raise(CPW_ERR_VALIDATION, "a %s cannot be written as text", t);
}

static int s_parse_int(struct cpw_span text, long long *out)
{
    size_t i = 0;
    bool negative = false;
    if (text.len && text.ptr[0] == '-') {
        negative = true;
        i = 1;
    }
    uint64_t magnitude = 0;
    if (cpw_span_to_u64(cpw_span_sub(text, i, text.len - i),
                        negative ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX, &magnitude)) {
        return -1;
    }
    *out = negative ? (magnitude == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(long long)magnitude)
                    : (long long)magnitude;
    return 0;
}

int cpw_codec_scalar_parse(const json_t *shape, struct cpw_span text, json_t **out)
{
    const char *t = cpw_codec_type(shape);
    *out = NULL;
    if (strcmp(t, "string") == 0 || strcmp(t, "blob") == 0) {
        *out = json_stringn((const char *)(text.len ? text.ptr : (const uint8_t *)""), text.len);
        if (!*out) {
            return cpw_raise(CPW_ERR_PARSE, "a string is not valid UTF-8");
        }
        return 0;
    }
    if (strcmp(t, "integer") == 0 || strcmp(t, "long") == 0) {
        long long v = 0;
        if (s_parse_int(cpw_span_trim(text), &v)) {
            return cpw_raise(CPW_ERR_PARSE, "\"%.*s\" is not an integer",
                             (int)(text.len > 40 ? 40 : text.len), (const char *)text.ptr);
        }
        *out = json_integer((json_int_t)v);
        return 0;
    }
    if (strcmp(t, "boolean") == 0) {
        struct cpw_span v = cpw_span_trim(text);
        if (cpw_span_eq_cstr(v, "true") || cpw_span_eq_cstr(v, "false")) {
            *out = json_boolean(cpw_span_eq_cstr(v, "true"));
            return 0;
        }
        return cpw_raise(CPW_ERR_PARSE, "a boolean must be true or false");
    }
    if (strcmp(t, "float") == 0 || strcmp(t, "double") == 0) {
        char copy[72];
        struct cpw_span v = cpw_span_trim(text);
        if (v.len == 0 || v.len >= sizeof(copy)) {
            return cpw_raise(CPW_ERR_PARSE, "not a number");
        }
        memcpy(copy, v.ptr, v.len);
        copy[v.len] = '\0';
        char *end = NULL;
        double d = strtod(copy, &end);
        if (*end != '\0' || !isfinite(d)) {
            return cpw_raise(CPW_ERR_PARSE, "\"%s\" is not a finite number", copy);
        }
        *out = json_real(d);
        return 0;
    }
    if (strcmp(t, "timestamp") == 0) {
        int64_t ms = 0;
        if (cpw_codec_time_parse(cpw_span_trim(text), &ms)) {
            return cpw_raise(CPW_ERR_PARSE, "not a timestamp");
        }
        *out = cpw_codec_time_doc_new(ms);
        return 0;
    }
    return cpw_raise(CPW_ERR_PARSE, "a %s cannot be read from text", t);
}

/* ----- pairs ------------------------------------------------------------------------------- */

void cpw_codec_pairs_init(struct cpw_codec_pairs *pairs)
{
    memset(pairs, 0, sizeof(*pairs));
}

void cpw_codec_pairs_clean_up(struct cpw_codec_pairs *pairs)
{
    for (size_t i = 0; i < pairs->count; i++) {
        cpw_free(pairs->items[i].key);
        cpw_free(pairs->items[i].value);
    }
    cpw_free(pairs->items);
    cpw_codec_pairs_init(pairs);
}

void cpw_codec_pairs_add(struct cpw_codec_pairs *pairs, const char *key, struct cpw_span value)
{
    if (pairs->count == pairs->cap) {
        pairs->cap = pairs->cap ? pairs->cap * 2 : 16;
        pairs->items = cpw_realloc(pairs->items, pairs->cap * sizeof(*pairs->items));
    }
    pairs->items[pairs->count].key = cpw_strdup(key);
    pairs->items[pairs->count].value = cpw_strndup((const char *)value.ptr, value.len);
    pairs->count++;
}

const char *cpw_codec_pairs_get(const struct cpw_codec_pairs *pairs, const char *key)
{
    for (size_t i = 0; i < pairs->count; i++) {
        if (strcmp(pairs->items[i].key, key) == 0) {
            return pairs->items[i].value;
        }
    }
    return NULL;
}

static int s_form_encode(struct cpw_buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const uint8_t *p = (const uint8_t *)s; *p; p++) {
        int rc;
        if (cpw_uri_is_unreserved(*p)) {
            rc = cpw_buf_append_byte(out, *p);
        } else if (*p == ' ') {
            rc = cpw_buf_append_byte(out, '+');
        } else {
            uint8_t e[3] = { '%', (uint8_t)hex[*p >> 4], (uint8_t)hex[*p & 15] };
            rc = cpw_buf_append(out, cpw_span_from(e, 3));
        }
        if (rc) {
            return -1;
        }
    }
    return 0;
}

int cpw_codec_pairs_encode(const struct cpw_codec_pairs *pairs, bool form, struct cpw_buf *out)
{
    for (size_t i = 0; i < pairs->count; i++) {
        const struct cpw_codec_pair *p = &pairs->items[i];
        if ((i && cpw_buf_append_byte(out, '&'))) {
            return -1;
        }
        if (form) {
            if (s_form_encode(out, p->key) || cpw_buf_append_byte(out, '=') ||
                s_form_encode(out, p->value)) {
                return -1;
            }
        } else if (cpw_uri_encode(out, cpw_span_from_cstr(p->key), CPW_URI_ENCODE_DEFAULT) ||
                   cpw_buf_append_byte(out, '=') ||
                   cpw_uri_encode(out, cpw_span_from_cstr(p->value), CPW_URI_ENCODE_DEFAULT)) {
            return -1;
        }
    }
    return 0;
}

int cpw_codec_pairs_decode(struct cpw_span text, struct cpw_codec_pairs *pairs)
{
    struct cpw_span rest = text;
    struct cpw_span token;
    struct cpw_buf key;
    struct cpw_buf value;
    cpw_buf_init(&key, CPW_HTTP_MAX_BODY_BYTES);
    cpw_buf_init(&value, CPW_HTTP_MAX_BODY_BYTES);
    int rc = 0;
    while (rc == 0 && cpw_span_next_token(&rest, '&', &token)) {
        if (token.len == 0) {
            continue;
        }
        if (pairs->count >= CPW_CODEC_MAX_PAIRS) {
            rc = cpw_raise(CPW_ERR_LIMIT, "more than %d parameters", CPW_CODEC_MAX_PAIRS);
            break;
        }
        long eq = cpw_span_find_byte(token, '=');
        struct cpw_span k = eq < 0 ? token : cpw_span_sub(token, 0, (size_t)eq);
        struct cpw_span v = eq < 0
                              ? cpw_span_from("", 0)
                              : cpw_span_sub(token, (size_t)eq + 1, token.len - (size_t)eq - 1);
        cpw_buf_reset(&key);
        cpw_buf_reset(&value);
        if (cpw_uri_decode(&key, k, CPW_URI_PLUS_IS_SPACE) ||
            cpw_uri_decode(&value, v, CPW_URI_PLUS_IS_SPACE)) {
            rc = -1;
            break;
        }
        if (memchr(cpw_buf_cstr(&key), 0, key.len) || memchr(cpw_buf_cstr(&value), 0, value.len)) {
            rc = cpw_raise(CPW_ERR_ENCODING, "a parameter contains a NUL byte");
            break;
        }
        cpw_codec_pairs_add(pairs, cpw_buf_cstr(&key), cpw_buf_span(&value));
    }
    cpw_buf_clean_up(&key);
    cpw_buf_clean_up(&value);
    return rc;
}

/* ----- public entry points ----------------------------------------------------------------- */

static int s_check_op(const struct cpw_model_service *svc, const char *operation)
{
    if (!svc || !operation || !cpw_model_operation(svc, operation)) {
        return cpw_raise(CPW_ERR_MODEL, "%s has no operation %s", svc ? cpw_model_name(svc) : "?",
                         operation ? operation : "(null)");
    }
    return 0;
}

int cpw_codec_serialize_request(const struct cpw_model_service *svc,
                                const char *operation,
                                const json_t *input,
                                struct cpw_http_request *out)
{
    if (s_check_op(svc, operation)) {
        return -1;
    }
    json_t *empty = NULL;
    if (!input) {
        input = empty = json_object();
    }
    if (!json_is_object(input)) {
        json_decref(empty);
        return cpw_raise(CPW_ERR_VALIDATION, "the input of %s must be an object", operation);
    }
    int rc;
    switch (cpw_model_protocol(svc)) {
    case CPW_PROTOCOL_JSON:
        rc = cpw_codec_json_serialize_request(svc, operation, input, out);
        break;
    case CPW_PROTOCOL_REST_JSON:
        rc = cpw_codec_rest_serialize_request(svc, operation, input, out);
        break;
    default:
        rc = cpw_codec_query_serialize_request(svc, operation, input, out);
        break;
    }
    json_decref(empty);
    return rc;
}

int cpw_codec_fill_idempotency_tokens(const struct cpw_model_service *svc,
                                      const char *operation,
                                      json_t *input)
{
    if (s_check_op(svc, operation)) {
        return -1;
    }
    const json_t *shape = cpw_model_input_shape(svc, operation);
    int added = 0;
    const char *name;
    json_t *ref;
    json_object_foreach(json_object_get(shape, "members"), name, ref)
    {
        if (!json_is_true(json_object_get(ref, "idempotencyToken")) ||
            json_object_get(input, name)) {
            continue;
        }
        uint8_t b[16];
        if (cpw_random_bytes(b, sizeof(b))) {
            return -1;
        }
        b[6] = (uint8_t)((b[6] & 0x0F) | 0x40); /* RFC 4122 version 4 */
        b[8] = (uint8_t)((b[8] & 0x3F) | 0x80);
        char uuid[37];
        snprintf(uuid, sizeof(uuid),
                 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                 b[15]);
        json_object_set_new(input, name, json_string(uuid));
        added++;
    }
    return added;
}

int cpw_codec_parse_response(const struct cpw_model_service *svc,
                             const char *operation,
                             const struct cpw_http_response *resp,
                             json_t **output,
                             struct cpw_aws_error *err)
{
    *output = NULL;
    if (s_check_op(svc, operation)) {
        return -1;
    }
    /* botocore: only a status of 301 or more is an error. */
    if (resp->status >= 301) {
        cpw_aws_error_clean_up(err);
        if (cpw_codec_parse_error(svc, resp, err)) {
            return -1;
        }
        return cpw_raise(CPW_ERR_AWS, "%s answered %s (HTTP %ld)", operation, err->code,
                         resp->status);
    }
    switch (cpw_model_protocol(svc)) {
    case CPW_PROTOCOL_JSON:
        return cpw_codec_json_parse_output(svc, operation, resp, output);
    case CPW_PROTOCOL_REST_JSON:
        return cpw_codec_rest_parse_output(svc, operation, resp, output);
    default:
        return cpw_codec_query_parse_output(svc, operation, resp, output);
    }
}

int cpw_codec_route(const struct cpw_model_service *svc,
                    const struct cpw_http_request *req,
                    const char **operation)
{
    *operation = NULL;
    switch (cpw_model_protocol(svc)) {
    case CPW_PROTOCOL_JSON: {
        const char *target = cpw_headers_get(&req->headers, "X-Amz-Target");
        const char *prefix = cpw_model_target_prefix(svc);
        size_t n = prefix ? strlen(prefix) : 0;
        if (target && prefix && strncmp(target, prefix, n) == 0 && target[n] == '.') {
            const json_t *op = cpw_model_operation(svc, target + n + 1);
            if (op) {
                *operation = cpw_codec_str(op, "name");
                return 0;
            }
        }
        return cpw_raise(CPW_ERR_NOT_FOUND, "no %s operation for X-Amz-Target",
                         cpw_model_name(svc));
    }
    case CPW_PROTOCOL_REST_JSON:
        return cpw_codec_rest_route(svc, req, operation);
    default:
        return cpw_codec_query_route(svc, req, operation);
    }
}

int cpw_codec_parse_request(const struct cpw_model_service *svc,
                            const char *operation,
                            const struct cpw_http_request *req,
                            json_t **input,
                            struct cpw_aws_error *err)
{
    *input = NULL;
    if (s_check_op(svc, operation)) {
        return -1;
    }
    int rc;
    enum cpw_protocol protocol = cpw_model_protocol(svc);
    switch (protocol) {
    case CPW_PROTOCOL_JSON:
        rc = cpw_codec_json_parse_request(svc, operation, req, input);
        break;
    case CPW_PROTOCOL_REST_JSON:
        rc = cpw_codec_rest_parse_request(svc, operation, req, input);
        break;
    default:
        rc = cpw_codec_query_parse_request(svc, operation, req, input);
        break;
    }
    if (rc == 0) {
        return 0;
    }
    /* Keep the internal detail; answer with what the service would send. */
    enum cpw_error code = cpw_last_error();
    char detail[512];
    snprintf(detail, sizeof(detail), "%s", cpw_last_error_detail());
    if (protocol == CPW_PROTOCOL_JSON) {
        cpw_aws_error_set(err, 400, "SerializationException", "%s", detail);
    } else if (protocol == CPW_PROTOCOL_QUERY) {
        bool encoding = code == CPW_ERR_ENCODING || code == CPW_ERR_LIMIT;
        cpw_aws_error_set(err, encoding ? 404 : 400,
                          encoding ? "MalformedQueryString" : "InvalidParameterValue", "%s",
                          detail);
        cpw_aws_error_set_field(&err->type, "Sender");
    } else {
        cpw_aws_error_set(err, 400, cpw_codec_validation_error_code(svc, operation), "%s", detail);
    }
    return cpw_raise(CPW_ERR_PARSE, "%s", detail);
}

int cpw_codec_serialize_response(const struct cpw_model_service *svc,
                                 const char *operation,
                                 const json_t *output,
                                 const char *request_id,
                                 struct cpw_http_response *out)
{
    if (s_check_op(svc, operation)) {
        return -1;
    }
    json_t *empty = NULL;
    if (!output) {
        output = empty = json_object();
    }
    int rc;
    switch (cpw_model_protocol(svc)) {
    case CPW_PROTOCOL_JSON:
        rc = cpw_codec_json_serialize_response(svc, operation, output, out);
        break;
    case CPW_PROTOCOL_REST_JSON:
        rc = cpw_codec_rest_serialize_response(svc, operation, output, out);
        break;
    default:
        rc = cpw_codec_query_serialize_response(svc, operation, output, request_id, out);
        break;
    }
    if (rc == 0 && request_id && cpw_model_protocol(svc) != CPW_PROTOCOL_QUERY) {
        cpw_headers_set(&out->headers, "x-amzn-RequestId", request_id);
    }
    json_decref(empty);
    return rc;
}

const char *cpw_codec_validation_error_code(const struct cpw_model_service *svc,
                                            const char *operation)
{
    static const char *const preferred[] = { "ValidationException", "BadRequestException",
                                             "InvalidParameterException", "InvalidInputException",
                                             "InvalidRequestException" };
    enum cpw_protocol protocol = cpw_model_protocol(svc);
    if (protocol == CPW_PROTOCOL_QUERY) {
        return "ValidationError";
    }
    const json_t *errors = json_object_get(cpw_model_operation(svc, operation), "errors");
    for (size_t p = 0; p < sizeof(preferred) / sizeof(*preferred); p++) {
        size_t i;
        const json_t *ref;
        json_array_foreach(errors, i, ref)
        {
            if (strcmp(cpw_codec_str(ref, "shape") ? cpw_codec_str(ref, "shape") : "",
                       preferred[p]) == 0) {
                return preferred[p];
            }
        }
    }
    /* Not modelled for this operation: the service's own shape, when it has one. */
    for (size_t p = 0; p < sizeof(preferred) / sizeof(*preferred); p++) {
        if (cpw_model_shape(svc, preferred[p])) {
            return preferred[p];
        }
    }
    return protocol == CPW_PROTOCOL_JSON ? "ValidationException" : "BadRequestException";
}
