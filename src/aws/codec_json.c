/*
 * codec_json.c - the json 1.0/1.1 protocol (CloudTrail, Organizations): POST / with
 * X-Amz-Target "{targetPrefix}.{Operation}" and the whole input or output as a JSON body.
 */
#include <stdio.h>
#include <string.h>

#include "codec_internal.h"
#include "cpw/codec.h"
#include "cpw/error.h"
#include "cpw/json.h"

static void s_content_type(const struct cpw_model_service *svc, char *out, size_t size)
{
    const char *version = cpw_model_json_version(svc);
    snprintf(out, size, "application/x-amz-json-%s", version ? version : "1.0");
}

int cpw_codec_json_serialize_request(const struct cpw_model_service *svc,
                                     const char *operation,
                                     const json_t *input,
                                     struct cpw_http_request *out)
{
    const json_t *op = cpw_model_operation(svc, operation);
    const json_t *http = json_object_get(op, "http");
    const char *method = cpw_codec_str(http, "method");
    cpw_http_request_set_method(out, method ? method : "POST");
    const char *uri = cpw_codec_str(http, "requestUri");
    if (cpw_http_request_set_target(out, cpw_span_from_cstr(uri ? uri : "/"))) {
        return -1;
    }
    char target[256];
    snprintf(target, sizeof(target), "%s.%s", cpw_model_target_prefix(svc), operation);
    char content_type[64];
    s_content_type(svc, content_type, sizeof(content_type));
    cpw_headers_set(&out->headers, "X-Amz-Target", target);
    cpw_headers_set(&out->headers, "Content-Type", content_type);

    const json_t *shape = cpw_model_input_shape(svc, operation);
    json_t *body = NULL;
    if (shape && cpw_codec_json_write(svc, shape, input, 0, &out->body) == 0) {
        return 0; /* written directly; else the wire tree below, for its bytes or its error */
    }
    if (shape) {
        if (cpw_codec_json_to_wire(svc, NULL, shape, input, "unixTimestamp", 0, 0, &body)) {
            return -1;
        }
    } else if (json_object_size(input)) {
        return cpw_raise(CPW_ERR_VALIDATION, "%s takes no input", operation);
    } else {
        body = json_object();
    }
    int rc = cpw_json_dump(body, &out->body);
    json_decref(body);
    return rc;
}

static int s_body_to_doc(const struct cpw_model_service *svc,
                         const json_t *shape,
                         struct cpw_span body,
                         json_t **doc)
{
    *doc = NULL;
    if (!shape) {
        *doc = json_object();
        return 0;
    }
    if (body.len == 0) {
        *doc = json_object();
        return 0;
    }
    if (cpw_codec_json_read(svc, shape, body, 0, doc) == 0) {
        return 0;
    }
    json_t *wire = NULL;
    if (cpw_json_load(body, CPW_JSON_MAX_TEXT_BYTES, &wire)) {
        return -1;
    }
    int rc = cpw_codec_json_from_wire(svc, NULL, shape, wire, 0, 0, doc);
    json_decref(wire);
    return rc;
}

int cpw_codec_json_parse_request(const struct cpw_model_service *svc,
                                 const char *operation,
                                 const struct cpw_http_request *req,
                                 json_t **input)
{
    return s_body_to_doc(svc, cpw_model_input_shape(svc, operation), cpw_buf_span(&req->body),
                         input);
}

int cpw_codec_json_parse_output(const struct cpw_model_service *svc,
                                const char *operation,
                                const struct cpw_http_response *resp,
                                json_t **output)
{
    return s_body_to_doc(svc, cpw_model_output_shape(svc, operation), cpw_buf_span(&resp->body),
                         output);
}

int cpw_codec_json_serialize_response(const struct cpw_model_service *svc,
                                      const char *operation,
                                      const json_t *output,
                                      struct cpw_http_response *out)
{
    const json_t *shape = cpw_model_output_shape(svc, operation);
    char content_type[64];
    s_content_type(svc, content_type, sizeof(content_type));
    if (shape &&
        cpw_codec_json_write(svc, shape, output, CPW_CODEC_JSON_FRACTIONS, &out->body) == 0) {
        out->status = 200;
        cpw_headers_set(&out->headers, "Content-Type", content_type);
        return 0;
    }
    json_t *body = NULL;
    if (shape) {
        if (cpw_codec_json_to_wire(svc, NULL, shape, output, "unixTimestamp",
                                   CPW_CODEC_JSON_FRACTIONS, 0, &body)) {
            return -1;
        }
    } else {
        body = json_object();
    }
    out->status = 200;
    cpw_headers_set(&out->headers, "Content-Type", content_type);
    int rc = cpw_json_dump(body, &out->body);
    json_decref(body);
    return rc;
}
