/*
 * validate.c - input documents checked against the model before they are sent (client) or
 * handled (sandbox): required members, types, lengths, ranges, enums, patterns, unknown members.
 *
 * Each failure is reported twice: as botocore's ParamValidationError line for the client
 * ("Missing required parameter in input: \"DomainName\"") and as the service's constraint text
 * ("Value 'x' at 'roleName' failed to satisfy constraint: Member must ...") for the sandbox.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "codec_internal.h"
#include "cpw/alloc.h"
#include "cpw/codec.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "validate_internal.h"

#define S_REPORT_MAX   (64u * 1024u)
#define S_MAX_REPORTED 50

struct s_report {
    const struct cpw_model_service *svc;
    struct cpw_buf client;  /* botocore lines, '\n'-separated */
    struct cpw_buf service; /* AWS constraint texts, "; "-separated */
    size_t count;
};

/* botocore: "input" at the top, otherwise the dotted path. */
static const char *s_name(const char *path)
{
    return path[0] ? path : "input";
}

/* AWS member paths start lower-case: RoleName -> roleName. */
static void s_aws_path(const char *path, char *out, size_t size)
{
    snprintf(out, size, "%s", path);
    for (char *p = out; *p; p++) {
        if ((p == out || p[-1] == '.') && *p >= 'A' && *p <= 'Z') {
            *p = (char)(*p - 'A' + 'a');
        }
    }
}

static void s_value_text(const json_t *value, char *out, size_t size)
{
    if (json_is_string(value)) {
        snprintf(out, size, "%s", json_string_value(value));
    } else if (json_is_null(value) || !value) {
        snprintf(out, size, "null");
    } else {
        char *text = cpw_json_dump_cstr(value, CPW_JSON_DUMP_COMPACT);
        snprintf(out, size, "%s", text ? text : "?");
        cpw_free(text);
    }
}

#define S_REDACTED "*** Sensitive Data Redacted ***"

/* Values of members the model marks sensitive never appear in a message. */
static const char *s_shown(const json_t *shape, const char *text)
{
    return json_is_true(json_object_get(shape, "sensitive")) ? S_REDACTED : text;
}

static void s_add(struct s_report *r,
                  const json_t *shape,
                  const char *client_line,
                  const char *path,
                  const json_t *value,
                  const char *constraint)
{
    r->count++;
    if (r->count > S_MAX_REPORTED) {
        return;
    }
    char aws_path[512];
    char raw_text[256];
    char value_text[256];
    s_aws_path(path, aws_path, sizeof(aws_path));
    s_value_text(value, raw_text, sizeof(raw_text));
    snprintf(value_text, sizeof(value_text), "%s", s_shown(shape, raw_text));
    (void)(r->client.len && cpw_buf_append_byte(&r->client, '\n'));
    (void)cpw_buf_append_cstr(&r->client, client_line);
    (void)(r->service.len && cpw_buf_append_cstr(&r->service, "; "));
    if (value) {
        (void)cpw_buf_appendf(&r->service, "Value '%s' at '%s' failed to satisfy constraint: %s",
                              value_text, aws_path, constraint);
    } else {
        (void)cpw_buf_appendf(&r->service, "Value null at '%s' failed to satisfy constraint: %s",
                              aws_path, constraint);
    }
}

static const char *s_json_type(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "dict";
    case JSON_ARRAY:
        return "list";
    case JSON_STRING:
        return "str";
    case JSON_INTEGER:
        return "int";
    case JSON_REAL:
        return "float";
    case JSON_TRUE:
    case JSON_FALSE:
        return "bool";
    default:
        return "NoneType";
    }
}

static bool s_type_ok(const char *t, const json_t *v, const char **valid)
{
    if (strcmp(t, "structure") == 0 || strcmp(t, "map") == 0) {
        *valid = "<class 'dict'>";
        return json_is_object(v);
    }
    if (strcmp(t, "list") == 0) {
        *valid = "<class 'list'>, <class 'tuple'>";
        return json_is_array(v);
    }
    if (strcmp(t, "string") == 0) {
        *valid = "<class 'str'>";
        return json_is_string(v);
    }
    if (strcmp(t, "integer") == 0 || strcmp(t, "long") == 0) {
        *valid = "<class 'int'>";
        return json_is_integer(v);
    }
    if (strcmp(t, "boolean") == 0) {
        *valid = "<class 'bool'>";
        return json_is_boolean(v);
    }
    if (strcmp(t, "float") == 0 || strcmp(t, "double") == 0) {
        *valid = "<class 'float'>, <class 'decimal.Decimal'>, <class 'int'>";
        return json_is_number(v);
    }
    if (strcmp(t, "timestamp") == 0) {
        *valid = "<class 'datetime.datetime'>, <class 'str'>";
        int64_t ms = 0;
        bool ok = (json_is_string(v) || json_is_number(v)) && cpw_codec_doc_time(v, &ms) == 0;
        cpw_error_clear();
        return ok;
    }
    if (strcmp(t, "blob") == 0) {
        *valid = "<class 'bytes'>, <class 'bytearray'>, file-like object";
        if (!json_is_string(v)) {
            return false;
        }
        struct cpw_buf raw;
        cpw_buf_init(&raw, CPW_HTTP_MAX_BODY_BYTES);
        bool ok =
          cpw_base64_decode(&raw, cpw_span_from(json_string_value(v), json_string_length(v))) == 0;
        cpw_buf_clean_up(&raw);
        cpw_error_clear();
        return ok;
    }
    *valid = "?";
    return true;
}

/* Characters (code points) in a UTF-8 string, as botocore's len(str) counts them. */
static size_t s_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    }
    return n;
}

static void s_check(struct s_report *r,
                    const json_t *shape,
                    const json_t *value,
                    const char *path,
                    int depth);

static void s_lengths(struct s_report *r,
                      const json_t *shape,
                      const json_t *value,
                      const char *path,
                      size_t length)
{
    char line[1024];
    char constraint[128];
    const json_t *min = json_object_get(shape, "min");
    const json_t *max = json_object_get(shape, "max");
    if (json_is_number(min) && (double)length < json_number_value(min)) {
        snprintf(line, sizeof(line),
                 "Invalid length for parameter %s, value: %zu, valid min length: %.0f",
                 s_name(path), length, json_number_value(min));
        snprintf(constraint, sizeof(constraint),
                 "Member must have length greater than or equal to %.0f", json_number_value(min));
        s_add(r, shape, line, path, value, constraint);
    }
    if (json_is_number(max) && (double)length > json_number_value(max)) {
        snprintf(line, sizeof(line),
                 "Invalid length for parameter %s, value: %zu, valid max length: %.0f",
                 s_name(path), length, json_number_value(max));
        snprintf(constraint, sizeof(constraint),
                 "Member must have length less than or equal to %.0f", json_number_value(max));
        s_add(r, shape, line, path, value, constraint);
    }
}

static void s_string(struct s_report *r, const json_t *shape, const json_t *value, const char *path)
{
    char line[2048];
    char constraint[1200];
    const char *text = json_string_value(value);
    s_lengths(r, shape, value, path, s_chars(text, json_string_length(value)));
    const json_t *values = json_object_get(shape, "enum");
    if (json_is_array(values)) {
        bool found = false;
        size_t i;
        const json_t *e;
        json_array_foreach(values, i, e)
        {
            if (json_is_string(e) && strcmp(json_string_value(e), text) == 0) {
                found = true;
                break;
            }
        }
        /* The list of valid values is written only for the report of a value not in it. */
        struct cpw_buf list;
        cpw_buf_init(&list, 1024);
        if (!found) {
            json_array_foreach(values, i, e)
            {
                (void)cpw_buf_appendf(&list, "%s%s", i ? ", " : "", json_string_value(e));
            }
            snprintf(line, sizeof(line),
                     "Invalid value for parameter %s, value: %s, valid values: %s", s_name(path),
                     s_shown(shape, text), cpw_buf_cstr(&list));
            snprintf(constraint, sizeof(constraint), "Member must satisfy enum value set: [%s]",
                     cpw_buf_cstr(&list));
            s_add(r, shape, line, path, value, constraint);
        }
        cpw_buf_clean_up(&list);
    }
    const char *pattern = cpw_codec_str(shape, "pattern");
    if (pattern && strlen(text) == json_string_length(value) &&
        cpw_validate_pattern_match(pattern, text) == 0) {
        snprintf(line, sizeof(line), "Invalid value for parameter %s, value: %s, valid pattern: %s",
                 s_name(path), s_shown(shape, text), pattern);
        snprintf(constraint, sizeof(constraint),
                 "Member must satisfy regular expression pattern: %s", pattern);
        s_add(r, shape, line, path, value, constraint);
    }
}

static void s_range(struct s_report *r, const json_t *shape, const json_t *value, const char *path)
{
    char line[1024];
    char constraint[128];
    double v = json_number_value(value);
    const json_t *min = json_object_get(shape, "min");
    const json_t *max = json_object_get(shape, "max");
    if (json_is_number(min) && v < json_number_value(min)) {
        snprintf(line, sizeof(line),
                 "Invalid value for parameter %s, value: %g, valid min value: %g", s_name(path), v,
                 json_number_value(min));
        snprintf(constraint, sizeof(constraint),
                 "Member must have value greater than or equal to %g", json_number_value(min));
        s_add(r, shape, line, path, value, constraint);
    }
    if (json_is_number(max) && v > json_number_value(max)) {
        snprintf(line, sizeof(line),
                 "Invalid value for parameter %s, value: %g, valid max value: %g", s_name(path), v,
                 json_number_value(max));
        snprintf(constraint, sizeof(constraint), "Member must have value less than or equal to %g",
                 json_number_value(max));
        s_add(r, shape, line, path, value, constraint);
    }
}

static void s_structure(struct s_report *r,
                        const json_t *shape,
                        const json_t *value,
                        const char *path,
                        int depth)
{
    char line[2048];
    char child[512];
    const json_t *members = json_object_get(shape, "members");
    size_t i;
    const json_t *req;
    json_array_foreach(json_object_get(shape, "required"), i, req)
    {
        const json_t *v = json_object_get(value, json_string_value(req));
        if (!v || json_is_null(v)) {
            snprintf(line, sizeof(line), "Missing required parameter in %s: \"%s\"", s_name(path),
                     json_string_value(req));
            snprintf(child, sizeof(child), "%s%s%s", path, path[0] ? "." : "",
                     json_string_value(req));
            s_add(r, NULL, line, child, NULL, "Member must not be null");
        }
    }
    if (json_is_true(json_object_get(shape, "union"))) {
        /* botocore: a tagged union takes exactly one member. */
        size_t set = 0;
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)value, key, v)
        {
            set += !json_is_null(v);
        }
        if (set != 1) {
            struct cpw_buf names;
            cpw_buf_init(&names, 8192);
            const char *name;
            json_t *ignored;
            json_object_foreach((json_t *)members, name, ignored)
            {
                (void)cpw_buf_appendf(&names, "%s%s", names.len ? ", " : "", name);
            }
            snprintf(line, sizeof(line),
                     "Invalid number of parameters set for tagged union structure %s. Can only "
                     "set one of the following keys: %s.",
                     s_name(path), cpw_buf_cstr(&names));
            s_add(r, NULL, line, path, value, "Member must have exactly one member set");
            cpw_buf_clean_up(&names);
        }
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)value, key, v)
    {
        snprintf(child, sizeof(child), "%s%s%s", path, path[0] ? "." : "", key);
        const json_t *mref = json_object_get(members, key);
        if (!mref) {
            struct cpw_buf names;
            cpw_buf_init(&names, 8192);
            const char *name;
            json_t *ignored;
            bool first = true;
            json_object_foreach((json_t *)members, name, ignored)
            {
                (void)cpw_buf_appendf(&names, "%s%s", first ? "" : ", ", name);
                first = false;
            }
            snprintf(line, sizeof(line), "Unknown parameter in %s: \"%s\", must be one of: %s",
                     s_name(path), key, cpw_buf_cstr(&names));
            s_add(r, NULL, line, child, v, "Member is not known to the service");
            cpw_buf_clean_up(&names);
            continue;
        }
        if (json_is_null(v)) {
            continue;
        }
        const json_t *mshape = cpw_model_resolve_ref(r->svc, mref);
        if (mshape) {
            s_check(r, mshape, v, child, depth + 1);
        }
    }
}

static void s_check(struct s_report *r,
                    const json_t *shape,
                    const json_t *value,
                    const char *path,
                    int depth)
{
    char line[1024];
    char value_text[200];
    const char *t = cpw_codec_type(shape);
    const char *valid = NULL;
    if (depth > CPW_CODEC_MAX_DEPTH) {
        s_add(r, NULL, "Input nested too deeply", path, NULL, "Member must not nest this deep");
        return;
    }
    if (!s_type_ok(t, value, &valid)) {
        s_value_text(value, value_text, sizeof(value_text));
        snprintf(line, sizeof(line),
                 "Invalid type for parameter %s, value: %s, type: <class '%s'>, valid types: %s",
                 s_name(path), s_shown(shape, value_text), s_json_type(value), valid);
        s_add(r, shape, line, path, value, "Member must be of the type the model declares");
        return;
    }
    char child[512];
    if (strcmp(t, "structure") == 0) {
        s_structure(r, shape, value, path, depth);
    } else if (strcmp(t, "list") == 0) {
        s_lengths(r, shape, value, path, json_array_size(value));
        const json_t *ishape = cpw_model_resolve_ref(r->svc, json_object_get(shape, "member"));
        size_t i;
        const json_t *item;
        json_array_foreach(value, i, item)
        {
            snprintf(child, sizeof(child), "%s[%zu]", s_name(path), i);
            if (ishape) {
                s_check(r, ishape, item, child, depth + 1);
            }
        }
    } else if (strcmp(t, "map") == 0) {
        s_lengths(r, shape, value, path, json_object_size(value));
        const json_t *kshape = cpw_model_resolve_ref(r->svc, json_object_get(shape, "key"));
        const json_t *vshape = cpw_model_resolve_ref(r->svc, json_object_get(shape, "value"));
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)value, key, v)
        {
            snprintf(child, sizeof(child), "%s.%s", s_name(path), key);
            json_t *key_value = json_string(key);
            if (kshape && key_value) {
                s_check(r, kshape, key_value, child, depth + 1);
            }
            json_decref(key_value);
            if (vshape) {
                s_check(r, vshape, v, child, depth + 1);
            }
        }
    } else if (strcmp(t, "string") == 0) {
        s_string(r, shape, value, path);
    } else if (strcmp(t, "integer") == 0 || strcmp(t, "long") == 0 || strcmp(t, "float") == 0 ||
               strcmp(t, "double") == 0) {
        s_range(r, shape, value, path);
    }
}

int cpw_validate_input(const struct cpw_model_service *svc,
                       const char *operation,
                       const json_t *input,
                       struct cpw_aws_error *err)
{
    if (!svc || !operation || !cpw_model_operation(svc, operation)) {
        return cpw_raise(CPW_ERR_MODEL, "no operation %s", operation ? operation : "(null)");
    }
    const json_t *shape = cpw_model_input_shape(svc, operation);
    struct s_report r = { .svc = svc };
    cpw_buf_init(&r.client, S_REPORT_MAX);
    cpw_buf_init(&r.service, S_REPORT_MAX);
    json_t *empty = NULL;
    if (!input) {
        input = empty = json_object();
    }
    if (shape) {
        s_check(&r, shape, input, "", 0);
    } else if (!json_is_object(input) || json_object_size(input)) {
        s_add(&r, NULL, "Unknown parameter in input: the operation takes no parameters", "", input,
              "Member is not known to the service");
    }
    json_decref(empty);
    int rc = 0;
    if (r.count) {
        if (err) {
            cpw_aws_error_set(err, 400, cpw_codec_validation_error_code(svc, operation),
                              "%zu validation error%s detected: %s", r.count,
                              r.count == 1 ? "" : "s", cpw_buf_cstr(&r.service));
            if (cpw_model_protocol(svc) == CPW_PROTOCOL_QUERY) {
                cpw_aws_error_set_field(&err->type, "Sender");
            }
        }
        rc = cpw_raise(CPW_ERR_VALIDATION, "Parameter validation failed:\n%s",
                       cpw_buf_cstr(&r.client));
    }
    cpw_buf_clean_up(&r.client);
    cpw_buf_clean_up(&r.service);
    return rc;
}
