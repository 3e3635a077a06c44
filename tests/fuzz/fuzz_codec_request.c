/*
 * fuzz_codec_request.c - arbitrary bytes as a request to the sandbox: routed, parsed into an
 * input document, validated, and serialized again as a client would. One service per protocol
 * (and one more each), picked by byte 0. The rest is a raw HTTP/1.1 request when it parses as
 * one, otherwise the body of a POST / with the protocol's usual headers. Must never crash, leak
 * or hang.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/codec.h"
#include "cpw/error.h"

static const char *const s_services[][2] = {
    { "sts", "GetCallerIdentity" },         { "iam", "ListRoles" },
    { "customer-profiles", "ListDomains" }, { "sso", "ListAccounts" },
    { "organizations", "ListAccounts" },    { "cloudtrail", "LookupEvents" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The replay harness counts live allocations per input, so the lazily parsed models are
 * released there; libFuzzer (no counting allocator) keeps them for speed.
 */
static void s_release_models(void)
{
    if (cpw_alloc_live_count() > 0) {
        cpw_model_clean_up();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    size_t n = sizeof(s_services) / sizeof(s_services[0]);
    const struct cpw_model_service *svc = cpw_model_service_get(s_services[data[0] % n][0]);
    if (!svc) {
        return 0;
    }
    struct cpw_span raw = cpw_span_from(data + 1, size - 1);
    struct cpw_http_request req;
    cpw_http_request_init(&req);
    if (cpw_http_request_parse(&req, raw) != 0) {
        cpw_http_request_init(&req);
        cpw_http_request_set_method(&req, "POST");
        (void)cpw_http_request_set_target(&req, cpw_span_from_cstr("/"));
        switch (cpw_model_protocol(svc)) {
        case CPW_PROTOCOL_JSON: {
            char target[256];
            snprintf(target, sizeof(target), "%s.%s", cpw_model_target_prefix(svc),
                     s_services[data[0] % n][1]);
            cpw_headers_add_cstr(&req.headers, "X-Amz-Target", target);
            break;
        }
        case CPW_PROTOCOL_QUERY:
            cpw_headers_add_cstr(&req.headers, "Content-Type",
                                 "application/x-www-form-urlencoded; charset=utf-8");
            break;
        default:
            cpw_headers_add_cstr(&req.headers, "Content-Type", "application/json");
            break;
        }
        (void)cpw_buf_append(&req.body, raw);
    }
    const char *operation = NULL;
    if (cpw_codec_route(svc, &req, &operation) != 0 &&
        cpw_model_protocol(svc) != CPW_PROTOCOL_REST_JSON) {
        operation = s_services[data[0] % n][1];
    }
    if (operation) {
        json_t *input = NULL;
        struct cpw_aws_error err;
        cpw_aws_error_init(&err);
        if (cpw_codec_parse_request(svc, operation, &req, &input, &err) == 0) {
            (void)cpw_validate_input(svc, operation, input, &err);
            struct cpw_http_request again;
            cpw_http_request_init(&again);
            (void)cpw_codec_serialize_request(svc, operation, input, &again);
            cpw_http_request_clean_up(&again);
        } else {
            struct cpw_http_response resp;
            cpw_http_response_init(&resp);
            (void)cpw_codec_serialize_error(svc, &err, &resp);
            cpw_http_response_clean_up(&resp);
        }
        json_decref(input);
        cpw_aws_error_clean_up(&err);
    }
    cpw_http_request_clean_up(&req);
    s_release_models();
    return 0;
}
