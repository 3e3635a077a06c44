/*
 * bench_client.c - the client's per-call work, in-process: for each of five operations,
 * validate and serialize a representative input, sign the request (SigV4, the signing key
 * derived every time, as botocore's SigV4Auth does), and parse a canned representative response
 * (bench/client/data/OPERATION.{xml,json}) into an output document. No network.
 *
 * bench/client/run.py runs botocore over the same inputs and responses in the same run and
 * reports the ratio. Prints one JSON line per operation: {"operation", "iterations",
 * "seconds", "ops_per_s"} for the whole call, and the microseconds per call of the request
 * half (validate, serialize, sign) and the response half (parse) measured apart. Times are the
 * process's CPU time, so that other work on a shared machine does not count.
 *
 * usage: cpw-bench-client DATA_DIR [ITERATIONS [OPERATION]]   (OPERATION: run that case only)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpw/aws_error.h"
#include "cpw/buf.h"
#include "cpw/codec.h"
#include "cpw/error.h"
#include "cpw/http_msg.h"
#include "cpw/model.h"
#include "cpw/sigv4.h"

struct bench_case {
    const char *service; /* model name */
    const char *operation;
    const char *host;
    const char *region;
    const char *input;    /* JSON */
    const char *response; /* file under DATA_DIR */
    const char *content_type;
};

/* The same cases, inputs and files as run.py. */
static const struct bench_case s_cases[] = {
    { "iam", "ListRoles", "iam.amazonaws.com", "us-east-1",
      "{\"PathPrefix\": \"/aws-service-role/profile.amazonaws.com/\", \"MaxItems\": 20}",
      "ListRoles.xml", "text/xml" },
    { "customer-profiles", "GetDomain", "profile.eu-west-2.amazonaws.com", "eu-west-2",
      "{\"DomainName\": \"retired-customers\"}", "GetDomain.json", "application/json" },
    { "connect", "ListInstances", "connect.eu-west-2.amazonaws.com", "eu-west-2",
      "{\"MaxResults\": 10, \"NextToken\": \"eyJvZmZzZXQiOiAwfQ==\"}", "ListInstances.json",
      "application/json" },
    { "cloudtrail", "LookupEvents", "cloudtrail.eu-west-2.amazonaws.com", "eu-west-2",
      "{\"LookupAttributes\": [{\"AttributeKey\": \"EventName\", \"AttributeValue\": "
      "\"DeleteDomain\"}], \"MaxResults\": 10}",
      "LookupEvents.json", "application/x-amz-json-1.1" },
    { "iam", "CreateServiceLinkedRole", "iam.amazonaws.com", "us-east-1",
      "{\"AWSServiceName\": \"profile.amazonaws.com\", \"Description\": \"Customer Profiles "
      "domain role\", \"CustomSuffix\": \"Suffix00000000000001\"}",
      "CreateServiceLinkedRole.xml", "text/xml" },
};

/* CPU time of this process, not wall time: on a shared machine the scheduler's share would
 * otherwise be measured too (run.py uses Python's process_time for the same reason). */
static double s_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum phases {
    PHASE_REQUEST = 1,  /* validate, serialize, sign */
    PHASE_RESPONSE = 2, /* parse the canned response */
    PHASE_ALL = 3,
};

/* One call's client-side work (the given phases); 0 or -1 with the error raised. */
static int s_one(const struct cpw_model_service *svc,
                 const struct bench_case *c,
                 const json_t *input,
                 const struct cpw_http_response *resp,
                 unsigned phases)
{
    struct cpw_http_request req;
    cpw_http_request_init(&req);
    struct cpw_aws_error err;
    cpw_aws_error_init(&err);
    json_t *output = NULL;
    int rc = -1;
    struct cpw_sigv4_credentials creds = { .access_key_id = "AKIAIOSFODNN7EXAMPLE",
                                           .secret_access_key =
                                             "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
    struct cpw_sigv4_sign_options sopts = { .credentials = &creds,
                                            .region = c->region,
                                            .service = cpw_model_signing_name(svc) };
    if (phases & PHASE_REQUEST) {
        if (cpw_validate_input(svc, c->operation, input, NULL) ||
            cpw_codec_serialize_request(svc, c->operation, input, &req)) {
            goto cleanup;
        }
        cpw_headers_add_cstr(&req.headers, "Host", c->host);
        if (cpw_sigv4_sign(&req, &sopts, NULL)) {
            goto cleanup;
        }
    }
    if (phases & PHASE_RESPONSE) {
        if (cpw_codec_parse_response(svc, c->operation, resp, &output, &err)) {
            goto cleanup;
        }
        (void)cpw_codec_customize_output(svc, c->operation, output);
    }
    rc = 0;
cleanup:
    json_decref(output);
    cpw_aws_error_clean_up(&err);
    cpw_http_request_clean_up(&req);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DATA_DIR [ITERATIONS [OPERATION]]\n", argv[0]);
        return 2;
    }
    long iterations = argc > 2 ? strtol(argv[2], NULL, 10) : 20000;
    if (iterations < 1 || iterations > 100000000) {
        fprintf(stderr, "bench_client: ITERATIONS from 1 to 100000000\n");
        return 2;
    }
    int status = 0;
    for (size_t i = 0; i < sizeof(s_cases) / sizeof(s_cases[0]); i++) {
        const struct bench_case *c = &s_cases[i];
        if (argc > 3 && strcmp(argv[3], c->operation) != 0) {
            continue;
        }
        const struct cpw_model_service *svc = cpw_model_service_get(c->service);
        json_error_t jerr;
        json_t *input = json_loads(c->input, 0, &jerr);
        struct cpw_http_response resp;
        cpw_http_response_init(&resp);
        struct cpw_buf path;
        cpw_buf_init(&path, 4096);
        int ok = svc && input && cpw_buf_appendf(&path, "%s/%s", argv[1], c->response) == 0 &&
                 cpw_buf_read_file(&resp.body, cpw_buf_cstr(&path)) == 0;
        resp.status = 200;
        cpw_headers_add_cstr(&resp.headers, "Content-Type", c->content_type);
        cpw_headers_add_cstr(&resp.headers, "x-amzn-RequestId",
                             "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE");
        if (ok && s_one(svc, c, input, &resp, PHASE_ALL)) { /* warm-up, and proof it works */
            ok = 0;
        }
        if (!ok) {
            fprintf(stderr, "bench_client: %s %s: %s\n", c->service, c->operation,
                    cpw_last_error_detail());
            status = 1;
        } else {
            double seconds[4] = { 0 };
            for (unsigned phases = PHASE_REQUEST; phases <= PHASE_ALL; phases++) {
                double t0 = s_now_s();
                for (long n = 0; n < iterations; n++) {
                    if (s_one(svc, c, input, &resp, phases)) {
                        status = 1;
                        break;
                    }
                }
                seconds[phases] = s_now_s() - t0;
            }
            printf("{\"operation\": \"%s\", \"iterations\": %ld, \"seconds\": %.4f, "
                   "\"ops_per_s\": %.1f, \"request_us\": %.2f, \"response_us\": %.2f}\n",
                   c->operation, iterations, seconds[PHASE_ALL],
                   (double)iterations / seconds[PHASE_ALL],
                   seconds[PHASE_REQUEST] * 1e6 / (double)iterations,
                   seconds[PHASE_RESPONSE] * 1e6 / (double)iterations);
        }
        cpw_buf_clean_up(&path);
        cpw_http_response_clean_up(&resp);
        json_decref(input);
    }
    cpw_model_clean_up();
    return status;
}
