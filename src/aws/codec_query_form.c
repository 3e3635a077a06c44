/*
 * codec_query_form.c - the query protocol's requests (IAM, STS): an
 * application/x-www-form-urlencoded POST of Action, Version and the input flattened into
 * dotted keys (".member.N" lists unless flattened, ".entry.N.key/.value" maps), per botocore's
 * QuerySerializer, and the sandbox's inverse of it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "codec_internal.h"
#include "cpw/alloc.h"
#include "cpw/codec.h"
#include "cpw/error.h"

static bool s_flattened(const json_t *ref, const json_t *shape)
{
    return json_is_true(json_object_get(ref, "flattened")) ||
           json_is_true(json_object_get(shape, "flattened"));
}

/* The dotted prefix of a list's items (without ".N"). */
static void s_list_prefix(const json_t *ref,
                          const json_t *shape,
                          const char *prefix,
                          char *out,
                          size_t size)
{
    const json_t *iref = json_object_get(shape, "member");
    const char *item_name = cpw_codec_str(iref, "locationName");
    if (s_flattened(ref, shape)) {
        const char *dot = strrchr(prefix, '.');
        if (item_name && dot) {
            snprintf(out, size, "%.*s.%s", (int)(dot - prefix), prefix, item_name);
        } else {
            snprintf(out, size, "%s", item_name && !dot ? item_name : prefix);
        }
    } else {
        snprintf(out, size, "%s.%s", prefix, item_name ? item_name : "member");
    }
}

static int s_form_out(const struct cpw_model_service *svc,
                      const json_t *ref,
                      const json_t *shape,
                      const json_t *value,
                      const char *prefix,
                      struct cpw_codec_pairs *pairs,
                      int depth)
{
    char child[1280];
    if (depth > CPW_CODEC_MAX_DEPTH || strlen(prefix) > 900) {
        return cpw_raise(CPW_ERR_VALIDATION, "input nested too deeply");
    }
    const char *t = cpw_codec_type(shape);
    if (strcmp(t, "structure") == 0) {
        if (!json_is_object(value)) {
            return cpw_raise(CPW_ERR_VALIDATION, "%s: expected an object",
                             prefix[0] ? prefix : "input");
        }
        const json_t *members = json_object_get(shape, "members");
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)value, key, v)
        {
            const json_t *mref = json_object_get(members, key);
            if (!mref) {
                return cpw_raise(CPW_ERR_VALIDATION, "unknown parameter \"%s\"", key);
            }
            if (json_is_null(v)) {
                continue;
            }
            const json_t *mshape = cpw_codec_target(svc, mref);
            const char *name = cpw_codec_wire_name(mref, key);
            snprintf(child, sizeof(child), "%s%s%s", prefix, prefix[0] ? "." : "", name);
            if (!mshape || s_form_out(svc, mref, mshape, v, child, pairs, depth + 1)) {
                return -1;
            }
        }
        return 0;
    }
    if (strcmp(t, "list") == 0) {
        if (!json_is_array(value)) {
            return cpw_raise(CPW_ERR_VALIDATION, "%s: expected a list", prefix);
        }
        if (json_array_size(value) == 0) {
            cpw_codec_pairs_add(pairs, prefix, cpw_span_from("", 0)); /* botocore sends "Name=" */
            return 0;
        }
        const json_t *iref = json_object_get(shape, "member");
        const json_t *ishape = cpw_codec_target(svc, iref);
        char list_prefix[1024];
        s_list_prefix(ref, shape, prefix, list_prefix, sizeof(list_prefix));
        size_t i;
        json_t *item;
        json_array_foreach(value, i, item)
        {
            snprintf(child, sizeof(child), "%s.%zu", list_prefix, i + 1);
            if (!ishape || s_form_out(svc, iref, ishape, item, child, pairs, depth + 1)) {
                return -1;
            }
        }
        return 0;
    }
    if (strcmp(t, "map") == 0) {
        if (!json_is_object(value)) {
            return cpw_raise(CPW_ERR_VALIDATION, "%s: expected a map", prefix);
        }
        const json_t *kref = json_object_get(shape, "key");
        const json_t *vref = json_object_get(shape, "value");
        const json_t *vshape = cpw_codec_target(svc, vref);
        const char *ksuffix = cpw_codec_wire_name(kref, "key");
        const char *vsuffix = cpw_codec_wire_name(vref, "value");
        const char *entry = s_flattened(ref, shape) ? "" : ".entry";
        size_t i = 0;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)value, k, v)
        {
            i++;
            snprintf(child, sizeof(child), "%s%s.%zu.%s", prefix, entry, i, ksuffix);
            cpw_codec_pairs_add(pairs, child, cpw_span_from_cstr(k));
            snprintf(child, sizeof(child), "%s%s.%zu.%s", prefix, entry, i, vsuffix);
            if (!vshape || s_form_out(svc, vref, vshape, v, child, pairs, depth + 1)) {
                return -1;
            }
        }
        return 0;
    }
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_HTTP_MAX_BODY_BYTES);
    int rc = cpw_codec_scalar_text(ref, shape, value, "iso8601", &text);
    if (rc == 0) {
        cpw_codec_pairs_add(pairs, prefix, cpw_buf_span(&text));
    } else {
        char detail[200];
        snprintf(detail, sizeof(detail), "%s", cpw_last_error_detail());
        rc = cpw_raise(CPW_ERR_VALIDATION, "%s: %s", prefix, detail);
    }
    cpw_buf_clean_up(&text);
    return rc;
}

int cpw_codec_query_serialize_request(const struct cpw_model_service *svc,
                                      const char *operation,
                                      const json_t *input,
                                      struct cpw_http_request *out)
{
    const json_t *http = json_object_get(cpw_model_operation(svc, operation), "http");
    const char *method = cpw_codec_str(http, "method");
    const char *uri = cpw_codec_str(http, "requestUri");
    cpw_http_request_set_method(out, method ? method : "POST");
    if (cpw_http_request_set_target(out, cpw_span_from_cstr(uri ? uri : "/"))) {
        return -1;
    }
    cpw_headers_set(&out->headers, "Content-Type",
                    "application/x-www-form-urlencoded; charset=utf-8");
    struct cpw_codec_pairs pairs;
    cpw_codec_pairs_init(&pairs);
    cpw_codec_pairs_add(&pairs, "Action", cpw_span_from_cstr(operation));
    cpw_codec_pairs_add(&pairs, "Version", cpw_span_from_cstr(cpw_model_api_version(svc)));
    const json_t *shape = cpw_model_input_shape(svc, operation);
    int rc = 0;
    if (shape) {
        rc = s_form_out(svc, NULL, shape, input, "", &pairs, 0);
    } else if (json_object_size(input)) {
        rc = cpw_raise(CPW_ERR_VALIDATION, "%s takes no input", operation);
    }
    if (rc == 0) {
        rc = cpw_codec_pairs_encode(&pairs, true, &out->body);
    }
    cpw_codec_pairs_clean_up(&pairs);
    return rc;
}

/* ----- server side ------------------------------------------------------------------------- */

static bool s_has_prefix(const struct cpw_codec_pairs *pairs, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < pairs->count; i++) {
        const char *k = pairs->items[i].key;
        if (strncmp(k, prefix, n) == 0 && (k[n] == '\0' || k[n] == '.')) {
            return true;
        }
    }
    return false;
}

static int s_form_in(const struct cpw_model_service *svc,
                     const json_t *ref,
                     const json_t *shape,
                     const char *prefix,
                     const struct cpw_codec_pairs *pairs,
                     int depth,
                     json_t **out)
{
    char child[1280];
    *out = NULL;
    if (depth > CPW_CODEC_MAX_DEPTH || strlen(prefix) > 900) {
        return cpw_raise(CPW_ERR_PARSE, "parameters nested too deeply");
    }
    const char *t = cpw_codec_type(shape);
    if (strcmp(t, "structure") == 0) {
        if (prefix[0] && !s_has_prefix(pairs, prefix)) {
            return 0;
        }
        json_t *obj = json_object();
        const char *name;
        json_t *mref;
        json_object_foreach(json_object_get(shape, "members"), name, mref)
        {
            const json_t *mshape = cpw_codec_target(svc, mref);
            snprintf(child, sizeof(child), "%s%s%s", prefix, prefix[0] ? "." : "",
                     cpw_codec_wire_name(mref, name));
            json_t *value = NULL;
            if (!mshape || s_form_in(svc, mref, mshape, child, pairs, depth + 1, &value)) {
                json_decref(obj);
                return -1;
            }
            if (value) {
                json_object_set_new(obj, name, value);
            }
        }
        *out = obj;
        return 0;
    }
    if (strcmp(t, "list") == 0) {
        const json_t *iref = json_object_get(shape, "member");
        const json_t *ishape = cpw_codec_target(svc, iref);
        char list_prefix[1024];
        s_list_prefix(ref, shape, prefix, list_prefix, sizeof(list_prefix));
        const char *empty = cpw_codec_pairs_get(pairs, prefix);
        if (!ishape) {
            return -1;
        }
        if (empty && !empty[0]) {
            *out = json_array();
        }
        for (size_t i = 1; i <= CPW_CODEC_MAX_PAIRS; i++) {
            snprintf(child, sizeof(child), "%s.%zu", list_prefix, i);
            if (!s_has_prefix(pairs, child)) {
                break;
            }
            json_t *item = NULL;
            if (s_form_in(svc, iref, ishape, child, pairs, depth + 1, &item)) {
                json_decref(*out);
                *out = NULL;
                return -1;
            }
            if (!*out) {
                *out = json_array();
            }
            json_array_append_new(*out, item ? item : json_null());
        }
        return 0;
    }
    if (strcmp(t, "map") == 0) {
        const json_t *kref = json_object_get(shape, "key");
        const json_t *vref = json_object_get(shape, "value");
        const json_t *vshape = cpw_codec_target(svc, vref);
        const char *entry = s_flattened(ref, shape) ? "" : ".entry";
        if (!vshape) {
            return -1;
        }
        for (size_t i = 1; i <= CPW_CODEC_MAX_PAIRS; i++) {
            snprintf(child, sizeof(child), "%s%s.%zu.%s", prefix, entry, i,
                     cpw_codec_wire_name(kref, "key"));
            const char *key = cpw_codec_pairs_get(pairs, child);
            if (!key) {
                break;
            }
            snprintf(child, sizeof(child), "%s%s.%zu.%s", prefix, entry, i,
                     cpw_codec_wire_name(vref, "value"));
            json_t *value = NULL;
            if (s_form_in(svc, vref, vshape, child, pairs, depth + 1, &value)) {
                json_decref(*out);
                *out = NULL;
                return -1;
            }
            if (!*out) {
                *out = json_object();
            }
            json_object_set_new(*out, key, value ? value : json_null());
        }
        return 0;
    }
    const char *text = cpw_codec_pairs_get(pairs, prefix);
    if (!text) {
        return 0;
    }
    if (cpw_codec_scalar_parse(shape, cpw_span_from_cstr(text), out)) {
        return cpw_raise(CPW_ERR_PARSE, "Invalid value for parameter %s", prefix);
    }
    return 0;
}

/* Form fields: from a form body when there is one (a POST's parameters are its body's; the query
 * string is then ignored, so that a parameter added to the URL can never override or extend the
 * body's), else from the query string (GET). */
static int s_request_pairs(const struct cpw_http_request *req, struct cpw_codec_pairs *pairs)
{
    const char *ct = cpw_headers_get(&req->headers, "Content-Type");
    if (req->body.len && (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0)) {
        return cpw_codec_pairs_decode(cpw_buf_span(&req->body), pairs);
    }
    return cpw_codec_pairs_decode(cpw_buf_span(&req->query), pairs);
}

int cpw_codec_query_route(const struct cpw_model_service *svc,
                          const struct cpw_http_request *req,
                          const char **operation)
{
    struct cpw_codec_pairs pairs;
    cpw_codec_pairs_init(&pairs);
    int rc = s_request_pairs(req, &pairs);
    const char *action = rc == 0 ? cpw_codec_pairs_get(&pairs, "Action") : NULL;
    const json_t *op = action ? cpw_model_operation(svc, action) : NULL;
    if (op) {
        *operation = cpw_codec_str(op, "name");
    }
    cpw_codec_pairs_clean_up(&pairs);
    if (!op) {
        return cpw_raise(CPW_ERR_NOT_FOUND, "no %s operation for this Action", cpw_model_name(svc));
    }
    return 0;
}

int cpw_codec_query_parse_request(const struct cpw_model_service *svc,
                                  const char *operation,
                                  const struct cpw_http_request *req,
                                  json_t **input)
{
    struct cpw_codec_pairs pairs;
    cpw_codec_pairs_init(&pairs);
    int rc = s_request_pairs(req, &pairs);
    const json_t *shape = cpw_model_input_shape(svc, operation);
    *input = NULL;
    if (rc == 0 && shape) {
        rc = s_form_in(svc, NULL, shape, "", &pairs, 0, input);
    }
    cpw_codec_pairs_clean_up(&pairs);
    if (rc) {
        json_decref(*input);
        *input = NULL;
        return -1;
    }
    if (!*input) {
        *input = json_object();
    }
    return 0;
}
