/*
 * fuzz_codec_response.c - arbitrary bytes as a reply (status, an x-amzn-ErrorType header and a
 * body) through cpw_codec_parse_response for one operation per protocol, then what the sandbox
 * would send for the result read back again. Must never crash, leak or hang.
 *
 * Input layout: byte 0 picks the operation, bytes 1-2 the status (100..599), then an optional
 * header value up to the first '\n' when byte 3 is '!', then the body.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/codec.h"
#include "cpw/error.h"

static const char *const s_ops[][2] = {
    { "sts", "AssumeRole" },
    { "iam", "ListRoles" },
    { "sso", "GetRoleCredentials" },
    { "customer-profiles", "ListDomains" },
    { "cloudtrail", "LookupEvents" },
    { "sts", "GetCallerIdentity" },
    { "customer-profiles", "GetSegmentEstimate" },
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
    if (size < 3) {
        return 0;
    }
    size_t n_ops = sizeof(s_ops) / sizeof(s_ops[0]);
    const char *service = s_ops[data[0] % n_ops][0];
    const char *operation = s_ops[data[0] % n_ops][1];
    const struct cpw_model_service *svc = cpw_model_service_get(service);
    if (!svc) {
        return 0;
    }
    struct cpw_http_response resp;
    cpw_http_response_init(&resp);
    resp.status = 100 + (long)(((unsigned)data[1] << 8 | data[2]) % 500u);
    struct cpw_span rest = cpw_span_from(data + 3, size - 3);
    if (rest.len && rest.ptr[0] == '!') {
        long nl = cpw_span_find_byte(rest, '\n');
        if (nl > 0) {
            char header[256];
            size_t len = (size_t)nl - 1 < sizeof(header) - 1 ? (size_t)nl - 1 : sizeof(header) - 1;
            memcpy(header, rest.ptr + 1, len);
            header[len] = '\0';
            if (strlen(header) == len) {
                cpw_headers_add_cstr(&resp.headers, "x-amzn-ErrorType", header);
            }
            rest = cpw_span_sub(rest, (size_t)nl + 1, rest.len);
        }
    }
    (void)cpw_buf_append(&resp.body, rest);

    json_t *output = NULL;
    struct cpw_aws_error err;
    cpw_aws_error_init(&err);
    if (cpw_codec_parse_response(svc, operation, &resp, &output, &err) == 0) {
        struct cpw_http_response served;
        cpw_http_response_init(&served);
        if (cpw_codec_serialize_response(svc, operation, output, "rid", &served) == 0) {
            json_t *again = NULL;
            struct cpw_aws_error err2;
            cpw_aws_error_init(&err2);
            (void)cpw_codec_parse_response(svc, operation, &served, &again, &err2);
            json_decref(again);
            cpw_aws_error_clean_up(&err2);
        }
        cpw_http_response_clean_up(&served);
    } else if (cpw_last_error() == CPW_ERR_AWS) {
        struct cpw_http_response served;
        cpw_http_response_init(&served);
        (void)cpw_codec_serialize_error(svc, &err, &served);
        cpw_http_response_clean_up(&served);
        struct cpw_buf line;
        cpw_buf_init(&line, 1u << 20);
        (void)cpw_aws_error_format(&err, operation, &line);
        cpw_buf_clean_up(&line);
    }
    json_decref(output);
    cpw_aws_error_clean_up(&err);
    cpw_http_response_clean_up(&resp);
    s_release_models();
    return 0;
}
