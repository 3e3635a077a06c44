/*
 * codec_errors.c - AWS error responses in both directions: reading them exactly as botocore
 * 1.43 does (parsers.py; the variants R1-R9, Q1-Q6, J1-J4 of tests/unit/test_codec.c) and writing
 * them the way each protocol's services send them.
 */
#include <stdio.h>
#include <string.h>

#include "codec_internal.h"
#include "cpw/alloc.h"
#include "cpw/codec.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/xml.h"

/* Python's http.client.responses, for the statuses a generic error can carry. */
static const char *s_reason(long status)
{
    switch (status) {
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    case 507:
        return "Insufficient Storage";
    case 508:
        return "Loop Detected";
    case 510:
        return "Not Extended";
    case 511:
        return "Network Authentication Required";
    default:
        return "";
    }
}

/* botocore: code.split(':', 1)[0], then the part after the last '#'. */
static void s_strip_code(char *code)
{
    char *colon = strchr(code, ':');
    if (colon) {
        *colon = '\0';
    }
    char *hash = strrchr(code, '#');
    if (hash) {
        memmove(code, hash + 1, strlen(hash + 1) + 1);
    }
}

static void s_request_id_header(const struct cpw_http_response *resp, struct cpw_aws_error *err)
{
    const char *id = cpw_headers_get(&resp->headers, "x-amzn-RequestId");
    if (id) {
        cpw_aws_error_set_field(&err->request_id, id);
    }
}

/* BaseJSONParser._parse_body_as_json: empty -> {}, not JSON -> {"message": body}. */
static json_t *s_error_body(const struct cpw_http_response *resp)
{
    struct cpw_span body = cpw_buf_span(&resp->body);
    if (body.len == 0) {
        return json_object();
    }
    json_t *parsed = NULL;
    if (cpw_json_load(body, CPW_JSON_MAX_TEXT_BYTES, &parsed) == 0 && json_is_object(parsed)) {
        return parsed;
    }
    json_decref(parsed);
    cpw_error_clear();
    json_t *obj = json_object();
    json_t *text = json_stringn((const char *)body.ptr, body.len);
    json_object_set_new(obj, "message", text ? text : json_string("(binary body)"));
    return obj;
}

static int s_parse_json_error(const struct cpw_http_response *resp,
                              bool rest,
                              struct cpw_aws_error *err)
{
    json_t *body = s_error_body(resp);
    const char *message = cpw_codec_str(body, "message");
    if (!json_object_get(body, "message")) {
        message = cpw_codec_str(body, "Message");
    }
    char status[24];
    snprintf(status, sizeof(status), "%ld", resp->status);
    const char *code = json_object_get(body, "__type") ? cpw_codec_str(body, "__type") : status;
    if (rest) {
        /* RestJSONParser._inject_error_code: the header wins, then body code/Code. */
        const char *header = cpw_headers_get(&resp->headers, "x-amzn-ErrorType");
        if (header) {
            code = header;
        } else if (json_object_get(body, "code")) {
            code = cpw_codec_str(body, "code");
        } else if (json_object_get(body, "Code")) {
            code = cpw_codec_str(body, "Code");
        }
    }
    char *stripped = cpw_strdup(code ? code : "");
    s_strip_code(stripped);
    cpw_aws_error_set(err, resp->status, stripped, "%s", message ? message : "");
    cpw_free(stripped);
    s_request_id_header(resp, err);
    json_decref(body);
    return 0;
}

static char *s_child_text(const struct cpw_xml_node *node, const char *name)
{
    const struct cpw_xml_node *c = cpw_xml_child(node, name);
    return c ? cpw_xml_text(c) : NULL;
}

static int s_parse_query_error(const struct cpw_http_response *resp, struct cpw_aws_error *err)
{
    struct cpw_xml_doc *doc = cpw_xml_parse(cpw_buf_span(&resp->body));
    if (!doc) {
        char detail[400];
        snprintf(detail, sizeof(detail), "%s", cpw_last_error_detail());
        return cpw_raise(CPW_ERR_PARSE, "Unable to parse response (%s), invalid XML received",
                         detail);
    }
    const struct cpw_xml_node *root = cpw_xml_root(doc);
    const struct cpw_xml_node *error = cpw_xml_child(root, "Error");
    if (!error) {
        const struct cpw_xml_node *errors = cpw_xml_child(root, "Errors");
        error = cpw_xml_child(errors, "Error");
    }
    char *code = s_child_text(error, "Code");
    char *message = s_child_text(error, "Message");
    char *type = s_child_text(error, "Type");
    char *request_id = s_child_text(root, "RequestId");
    cpw_aws_error_set(err, resp->status, code ? code : "", "%s", message ? message : "");
    if (!message) {
        cpw_aws_error_set_field(&err->message, NULL); /* botocore: "Unknown" when printed */
    }
    cpw_aws_error_set_field(&err->type, type);
    if (request_id) {
        cpw_aws_error_set_field(&err->request_id, request_id);
    }
    cpw_free(code);
    cpw_free(message);
    cpw_free(type);
    cpw_free(request_id);
    cpw_xml_doc_destroy(doc);
    return 0;
}

int cpw_codec_parse_error(const struct cpw_model_service *svc,
                          const struct cpw_http_response *resp,
                          struct cpw_aws_error *err)
{
    /* ResponseParser._is_generic_error_response: 5xx with an empty or HTML body. */
    struct cpw_span body = cpw_span_trim(cpw_buf_span(&resp->body));
    while (body.len && (body.ptr[0] == '\n' || body.ptr[0] == '\r')) {
        body = cpw_span_sub(body, 1, body.len - 1);
    }
    if (resp->status >= 500 &&
        (body.len == 0 || cpw_span_starts_with(body, cpw_span_from_cstr("<html>")))) {
        char status[24];
        snprintf(status, sizeof(status), "%ld", resp->status);
        cpw_aws_error_set(err, resp->status, status, "%s", s_reason(resp->status));
        return 0;
    }
    switch (cpw_model_protocol(svc)) {
    case CPW_PROTOCOL_JSON:
        return s_parse_json_error(resp, false, err);
    case CPW_PROTOCOL_REST_JSON:
        return s_parse_json_error(resp, true, err);
    default:
        return s_parse_query_error(resp, err);
    }
}

/* The model's error shape called code (by name or by error.code), or NULL. */
static const json_t *s_error_shape(const struct cpw_model_service *svc, const char *code)
{
    const json_t *shape = cpw_model_shape(svc, code);
    if (shape && json_is_true(json_object_get(shape, "exception"))) {
        return shape;
    }
    const json_t *shapes = json_object_get(cpw_model_document(svc), "shapes");
    const char *name;
    const json_t *s;
    json_object_foreach((json_t *)shapes, name, s)
    {
        const char *c = cpw_codec_str(json_object_get(s, "error"), "code");
        if (c && strcmp(c, code) == 0) {
            return s;
        }
    }
    return NULL;
}

int cpw_codec_serialize_error(const struct cpw_model_service *svc,
                              const struct cpw_aws_error *err,
                              struct cpw_http_response *out)
{
    const char *code = err->code && err->code[0] ? err->code : "InternalFailure";
    const char *message = err->message ? err->message : "";
    const json_t *shape = s_error_shape(svc, code);
    const json_t *status = json_object_get(json_object_get(shape, "error"), "httpStatusCode");
    out->status = json_is_integer(status)   ? (long)json_integer_value(status)
                  : err->http_status >= 300 ? err->http_status
                                            : 400;
    if (err->request_id) {
        cpw_headers_set(&out->headers, "x-amzn-RequestId", err->request_id);
    }
    enum cpw_protocol protocol = cpw_model_protocol(svc);
    if (protocol == CPW_PROTOCOL_QUERY) {
        const char *type = err->type ? err->type : out->status >= 500 ? "Receiver" : "Sender";
        struct cpw_xml_writer *w = cpw_xml_writer_new();
        int rc = cpw_xml_start(w, "ErrorResponse", cpw_model_xml_namespace(svc)) ||
                 cpw_xml_start(w, "Error", NULL) || cpw_xml_element(w, "Type", type) ||
                 cpw_xml_element(w, "Code", code) || cpw_xml_element(w, "Message", message) ||
                 cpw_xml_end(w) ||
                 cpw_xml_element(w, "RequestId", err->request_id ? err->request_id : "") ||
                 cpw_xml_writer_finish(w, &out->body);
        cpw_xml_writer_destroy(w);
        cpw_headers_set(&out->headers, "Content-Type", "text/xml");
        return rc ? -1 : 0;
    }
    json_t *body = json_object();
    if (protocol == CPW_PROTOCOL_JSON) {
        char content_type[64];
        snprintf(content_type, sizeof(content_type), "application/x-amz-json-%s",
                 cpw_model_json_version(svc) ? cpw_model_json_version(svc) : "1.0");
        cpw_headers_set(&out->headers, "Content-Type", content_type);
        json_object_set_new(body, "__type", json_string(code));
        json_object_set_new(body, "message", json_string(message));
    } else {
        cpw_headers_set(&out->headers, "Content-Type", "application/json");
        cpw_headers_set(&out->headers, "x-amzn-ErrorType", code);
        json_object_set_new(body, "message", json_string(message));
        json_object_set_new(body, "Message", json_string(message));
    }
    int rc = cpw_json_dump(body, &out->body);
    json_decref(body);
    return rc;
}
