/*
 * sandbox.c - the sandbox's request pipeline: SigV4 verification, routing, input parsing and
 * validation with the shared codecs, dispatch to the service logic, and the answer in the
 * service's wire format.
 */
#include "cpw/sandbox.h"
#include "cpw/json.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cpw/alloc.h"
#include "cpw/codec.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/http_server.h"
#include "cpw/log.h"
#include "cpw/model.h"
#include "cpw/sigv4.h"
#include "cpw/time.h"
#include "cpw/uri.h"
#include "sbx.h"
#include "sbx_realism.h"
#include "sbx_state.h"

struct cpw_sandbox {
    struct cpw_sbx *sbx;
    struct cpw_http_server *server;
    struct cpw_sigv4_key_cache *keys;
    char url[96];
    atomic_uint_fast64_t requests;
    atomic_llong clock_offset_ms; /* the emulated services' clock runs ahead by this much */
};

/* Per-request context for the key lookup. */
struct lookup_ctx {
    struct cpw_sandbox *sandbox;
    int64_t now_ms;
    struct cpw_sbx_credentials creds;
    bool found;
};

static int s_lookup(const char *access_key_id, struct cpw_sigv4_secret *out, void *user)
{
    struct lookup_ctx *ctx = user;
    if (cpw_sbx_credentials_lookup(ctx->sandbox->sbx, access_key_id, ctx->now_ms, &ctx->creds)) {
        return -1;
    }
    ctx->found = true;
    out->secret_access_key = ctx->creds.secret_access_key;
    out->session_token = ctx->creds.session_token[0] ? ctx->creds.session_token : NULL;
    return 0;
}

/* The service a request is for, from its credential scope (header or presigned query). */
static bool s_scope_service(const struct cpw_http_request *req, char *out, size_t out_size)
{
    const char *auth = cpw_headers_get(&req->headers, "Authorization");
    struct cpw_span credential = { 0 };
    struct cpw_sigv4_authorization parsed;
    if (auth && cpw_sigv4_parse_authorization(cpw_span_from_cstr(auth), &parsed) == 0) {
        credential = parsed.credential;
    } else {
        struct cpw_span q = cpw_buf_span(&req->query);
        struct cpw_span item;
        static const char key[] = "X-Amz-Credential=";
        while (cpw_span_next_token(&q, '&', &item)) {
            if (cpw_span_starts_with(item, cpw_span_from_cstr(key))) {
                credential = cpw_span_sub(item, sizeof(key) - 1, item.len);
            }
        }
        /* The query form is percent-encoded: "AKID%2F20150830%2F..." */
        struct cpw_buf decoded;
        cpw_buf_init(&decoded, 1024);
        bool ok = credential.ptr && cpw_uri_decode(&decoded, credential, 0) == 0;
        struct cpw_sigv4_scope scope;
        if (ok && cpw_sigv4_parse_credential(cpw_buf_span(&decoded), &scope) == 0 &&
            scope.service.len < out_size) {
            memcpy(out, scope.service.ptr, scope.service.len);
            out[scope.service.len] = '\0';
            cpw_buf_clean_up(&decoded);
            return true;
        }
        cpw_buf_clean_up(&decoded);
        return false;
    }
    struct cpw_sigv4_scope scope;
    if (!credential.ptr || cpw_sigv4_parse_credential(credential, &scope) ||
        scope.service.len >= out_size) {
        return false;
    }
    memcpy(out, scope.service.ptr, scope.service.len);
    out[scope.service.len] = '\0';
    return true;
}

/* Guesses the protocol of a request that names no service (for the error's format). */
static const struct cpw_model_service *s_guess_service(const struct cpw_http_request *req)
{
    const char *target = cpw_headers_get(&req->headers, "X-Amz-Target");
    const char *ctype = cpw_headers_get(&req->headers, "Content-Type");
    if (target) {
        return cpw_model_service_get(strstr(target, "CloudTrail") ? "cloudtrail" : "organizations");
    }
    if (ctype && strstr(ctype, "x-www-form-urlencoded")) {
        struct cpw_span body = cpw_buf_span(&req->body);
        bool iam = cpw_span_find(body, cpw_span_from_cstr("Version=2010-05-08")) >= 0;
        return cpw_model_service_get(iam ? "iam" : "sts");
    }
    return cpw_model_service_get("customer-profiles");
}

static int s_no_lookup(const char *access_key_id, struct cpw_sigv4_secret *out, void *user)
{
    (void)access_key_id;
    (void)out;
    (void)user;
    return -1;
}

static void s_answer_error(const struct cpw_model_service *svc,
                           long status,
                           const char *code,
                           const char *message,
                           bool receiver,
                           const char *request_id,
                           struct cpw_http_response *resp)
{
    struct cpw_aws_error err;
    cpw_aws_error_init(&err);
    cpw_aws_error_set(&err, status, code, "%s", message);
    cpw_aws_error_set_field(&err.type, receiver ? "Receiver" : "Sender");
    cpw_aws_error_set_field(&err.request_id, request_id);
    cpw_http_response_clean_up(resp);
    cpw_http_response_init(resp);
    if (!svc || cpw_codec_serialize_error(svc, &err, resp)) {
        cpw_http_response_clean_up(resp);
        cpw_http_response_init(resp);
        resp->status = status;
        cpw_headers_add_cstr(&resp->headers, "Content-Type", "text/plain");
        (void)cpw_buf_appendf(&resp->body, "%s: %s\n", code, message);
    }
    if (!cpw_headers_get(&resp->headers, "x-amzn-RequestId")) {
        cpw_headers_add_cstr(&resp->headers, "x-amzn-RequestId", request_id);
    }
    cpw_aws_error_clean_up(&err);
}

static void s_answer_aws_error(const struct cpw_model_service *svc,
                               const struct cpw_aws_error *err,
                               const char *request_id,
                               struct cpw_http_response *resp)
{
    s_answer_error(svc, err->http_status ? err->http_status : 400, err->code ? err->code : "",
                   err->message ? err->message : "",
                   err->type && strcmp(err->type, "Receiver") == 0, request_id, resp);
}

/*
 * POST /_cpwarden/knobs with a JSON object of realism knobs (docs/sandbox-services.md): applied
 * on top of the current knobs, as a scenario's "knobs" object is, so that a test can turn faults,
 * rate limits or a failure on for one phase only (say, the scan) after building its world with
 * none. A bad key answers 400 and changes nothing. Answers {"ok": true}.
 */
static void s_control_knobs(struct cpw_sandbox *sandbox,
                            const struct cpw_http_request *req,
                            struct cpw_http_response *resp)
{
    if (strcmp(req->method, "POST") != 0) {
        resp->status = 405;
        return;
    }
    json_t *obj = NULL;
    (void)cpw_json_load(cpw_span_from(req->body.data, req->body.len), CPW_JSON_MAX_TEXT_BYTES,
                        &obj);
    struct cpw_sbx_knobs knobs;
    cpw_sbx_get_knobs(sandbox->sbx, &knobs);
    if (!json_is_object(obj) || cpw_sbx_knobs_from_json(obj, &knobs)) {
        resp->status = 400;
        (void)cpw_buf_append_cstr(&resp->body,
                                  "{\"message\": \"POST /_cpwarden/knobs takes a JSON object of "
                                  "known knobs (docs/sandbox-services.md)\"}\n");
        cpw_error_clear();
        json_decref(obj);
        return;
    }
    json_decref(obj);
    cpw_sbx_set_knobs(sandbox->sbx, &knobs);
    (void)cpw_buf_append_cstr(&resp->body, "{\"ok\": true}\n");
}

/*
 * Sandbox control requests (not AWS APIs), under /_cpwarden/:
 *   GET  /_cpwarden/clock                      -> {"now_ms": N, "offset_ms": N}
 *   POST /_cpwarden/clock?advance_ms=N         -> moves the services' clock ahead by N ms
 *   POST /_cpwarden/knobs  {"KNOB": VALUE}     -> changes realism knobs while serving
 * They let tests and rehearsals fast-forward asynchronous work (role deletion tasks, account
 * creation, session expiry) instead of waiting. The clock never moves back.
 */
static void s_control(struct cpw_sandbox *sandbox,
                      const struct cpw_http_request *req,
                      const char *request_id,
                      struct cpw_http_response *resp)
{
    resp->status = 200;
    cpw_headers_add_cstr(&resp->headers, "Content-Type", "application/json");
    cpw_headers_add_cstr(&resp->headers, "x-amzn-RequestId", request_id);
    struct cpw_span path = cpw_buf_span(&req->path);
    if (cpw_span_eq_cstr(path, "/_cpwarden/knobs")) {
        s_control_knobs(sandbox, req, resp);
        return;
    }
    if (!cpw_span_eq_cstr(path, "/_cpwarden/clock")) {
        resp->status = 404;
        (void)cpw_buf_append_cstr(&resp->body, "{\"message\": \"unknown control path\"}\n");
        return;
    }
    if (strcmp(req->method, "POST") == 0) {
        struct cpw_span q = cpw_buf_span(&req->query);
        struct cpw_span item;
        uint64_t advance = 0;
        bool found = false;
        while (cpw_span_next_token(&q, '&', &item)) {
            struct cpw_span key = cpw_span_from_cstr("advance_ms=");
            if (cpw_span_starts_with(item, key) &&
                cpw_span_to_u64(cpw_span_sub(item, key.len, item.len), 10ull * 365 * 86400000,
                                &advance) == 0) {
                found = true;
            }
        }
        if (!found) {
            resp->status = 400;
            (void)cpw_buf_append_cstr(&resp->body,
                                      "{\"message\": \"POST /_cpwarden/clock?advance_ms=N\"}\n");
            return;
        }
        atomic_fetch_add(&sandbox->clock_offset_ms, (long long)advance);
    } else if (strcmp(req->method, "GET") != 0) {
        resp->status = 405;
        return;
    }
    long long offset = atomic_load(&sandbox->clock_offset_ms);
    (void)cpw_buf_appendf(&resp->body, "{\"now_ms\": %lld, \"offset_ms\": %lld}\n",
                          (long long)cpw_time_now_ms() + offset, offset);
}

/*
 * A request without any signature that is one of the operations AWS serves unsigned
 * (cpw_sbx_unsigned_operation: STS AssumeRoleWithWebIdentity and AssumeRoleWithSAML): runs it as
 * an anonymous caller of the role's account and answers. False (nothing answered) otherwise.
 */
static bool s_handle_unsigned(struct cpw_sandbox *sandbox,
                              const struct cpw_http_exchange *ex,
                              const char *request_id,
                              int64_t now_ms,
                              struct cpw_http_response *resp)
{
    const struct cpw_http_request *req = ex->request;
    const struct cpw_model_service *svc = cpw_model_service_get("sts");
    const char *operation = NULL;
    if (svc == NULL || cpw_headers_get(&req->headers, "Authorization") != NULL ||
        cpw_codec_route(svc, req, &operation) != 0 ||
        !cpw_sbx_unsigned_operation("sts", operation)) {
        cpw_error_clear();
        return false;
    }
    json_t *input = NULL;
    json_t *output = NULL;
    struct cpw_aws_error aws;
    cpw_aws_error_init(&aws);
    if (cpw_codec_parse_request(svc, operation, req, &input, &aws) ||
        cpw_validate_input(svc, operation, input, &aws)) {
        cpw_aws_error_set_field(&aws.request_id, request_id);
        s_answer_aws_error(svc, &aws, request_id, resp);
        goto cleanup;
    }
    /* The call is the role's account's (CloudTrail records it there, as AWS does), in the role's
     * partition: an unsigned request names no region, the endpoint it reaches does on AWS. */
    const char *role_arn = json_string_value(json_object_get(input, "RoleArn"));
    char account_id[16] = "000000000000";
    char partition[32] = "aws";
    const char *region = NULL;
    if (cpw_sbx_arn_partition(role_arn, partition, sizeof(partition))) {
        size_t at = 4 + strlen(partition) + strlen(":iam::");
        if (strncmp(role_arn + 4 + strlen(partition), ":iam::", 6) == 0 &&
            strlen(role_arn) > at + 12) {
            snprintf(account_id, sizeof(account_id), "%.12s", role_arn + at);
        }
        region = strcmp(partition, "aws") == 0 ? NULL : cpw_sbx_partition_region(partition);
    }
    struct cpw_sbx_caller caller = {
        .access_key_id = NULL, /* no key: CloudTrail records none */
        .account_id = account_id,
        .region = region ? region : "us-east-1",
        .source_ip = ex->peer_ip,
        .user_agent = cpw_headers_get(&req->headers, "User-Agent"),
    };
    struct cpw_sbx_request sreq = {
        .service = "sts",
        .operation = operation,
        .input = input,
        .caller = &caller,
        .request_id = request_id,
        .now_ms = now_ms,
        .endpoint = sandbox->url,
    };
    struct cpw_sbx_error serr;
    memset(&serr, 0, sizeof(serr));
    int rc = cpw_sbx_dispatch(sandbox->sbx, &sreq, &output, &serr);
    if (rc == 1) {
        s_answer_error(svc, serr.status, serr.code, serr.message, serr.receiver, request_id, resp);
    } else if (rc < 0 || cpw_codec_serialize_response(svc, operation, output, request_id, resp)) {
        cpw_log(CPW_LOG_ERROR, "sandbox: sts %s failed: %s", operation, cpw_last_error_detail());
        s_answer_error(svc, 500, "InternalFailure",
                       "The request processing has failed because of an unknown error.", true,
                       request_id, resp);
    } else if (!cpw_headers_get(&resp->headers, "x-amzn-RequestId")) {
        cpw_headers_add_cstr(&resp->headers, "x-amzn-RequestId", request_id);
    }
cleanup:
    json_decref(input);
    json_decref(output);
    cpw_aws_error_clean_up(&aws);
    return true;
}

static void s_handle(void *user, const struct cpw_http_exchange *ex, struct cpw_http_response *resp)
{
    struct cpw_sandbox *sandbox = user;
    const struct cpw_http_request *req = ex->request;
    atomic_fetch_add(&sandbox->requests, 1);
    char request_id[37];
    cpw_sbx_request_id(request_id);
    int64_t real_ms = cpw_time_now_ms();
    /* Signatures are checked against real time (clients sign with it); the services' clock
     * (asynchronous tasks, credential expiry, rate limits) can be moved ahead for tests. */
    int64_t now_ms = real_ms + (int64_t)atomic_load(&sandbox->clock_offset_ms);
    if (cpw_span_starts_with(cpw_buf_span(&req->path), cpw_span_from_cstr("/_cpwarden/"))) {
        s_control(sandbox, req, request_id, resp);
        return;
    }

    char service_name[64];
    if (!s_scope_service(req, service_name, sizeof(service_name))) {
        if (s_handle_unsigned(sandbox, ex, request_id, now_ms, resp)) {
            return;
        }
        const struct cpw_model_service *guess = s_guess_service(req);
        bool rest_json = guess && cpw_model_protocol(guess) == CPW_PROTOCOL_REST_JSON;
        struct cpw_sigv4_verify_options nopts = { .lookup = s_no_lookup,
                                                  .now_s = real_ms / 1000,
                                                  .rest_json_errors = rest_json };
        struct cpw_sigv4_verify_result v;
        /* No signature (MissingAuthenticationToken), or an Authorization header or presigned
         * query the scope cannot be read from (IncompleteSignature): the verifier says which, in
         * the format of the service the request looks meant for. */
        if (cpw_sigv4_verify(req, &nopts, &v) == 0 && v.verdict != CPW_SIGV4_VERIFIED) {
            s_answer_error(guess, v.http_status, v.aws_code, v.message,
                           v.verdict == CPW_SIGV4_INTERNAL, request_id, resp);
            return;
        }
        cpw_error_clear();
        s_answer_error(guess, 403, "MissingAuthenticationToken",
                       rest_json ? "Missing Authentication Token"
                                 : "Request is missing Authentication Token",
                       false, request_id, resp);
        return;
    }
    const struct cpw_model_service *svc = cpw_model_service_get(service_name);
    if (!svc) {
        char message[160];
        snprintf(message, sizeof(message), "The sandbox does not emulate the service '%s'.",
                 service_name);
        s_answer_error(s_guess_service(req), 400, "UnrecognizedClientException", message, false,
                       request_id, resp);
        return;
    }

    struct lookup_ctx lookup = { .sandbox = sandbox, .now_ms = now_ms };
    struct cpw_sigv4_verify_options vopts = {
        .lookup = s_lookup,
        .lookup_user = &lookup,
        .service = cpw_model_signing_name(svc),
        .now_s = real_ms / 1000,
        .key_cache = sandbox->keys,
        .rest_json_errors = cpw_model_protocol(svc) == CPW_PROTOCOL_REST_JSON,
    };
    struct cpw_sigv4_verify_result verdict;
    json_t *input = NULL;
    json_t *output = NULL;
    struct cpw_aws_error aws;
    cpw_aws_error_init(&aws);
    if (cpw_sigv4_verify(req, &vopts, &verdict) || verdict.verdict != CPW_SIGV4_VERIFIED) {
        s_answer_error(svc, verdict.http_status ? verdict.http_status : 500,
                       verdict.aws_code && *verdict.aws_code ? verdict.aws_code : "InternalFailure",
                       verdict.message, verdict.verdict == CPW_SIGV4_INTERNAL, request_id, resp);
        goto cleanup;
    }
    if (lookup.creds.expired) {
        s_answer_error(svc, 403, "ExpiredToken",
                       "The security token included in the request is expired", false, request_id,
                       resp);
        goto cleanup;
    }

    const char *operation = NULL;
    if (cpw_codec_route(svc, req, &operation)) {
        bool query = cpw_model_protocol(svc) == CPW_PROTOCOL_QUERY;
        s_answer_error(svc, query ? 400 : 404,
                       query ? "InvalidAction" : "UnknownOperationException",
                       query ? "The action or operation requested is invalid."
                             : "The requested operation is not recognized by the service.",
                       false, request_id, resp);
        goto cleanup;
    }
    if (cpw_codec_parse_request(svc, operation, req, &input, &aws) ||
        cpw_validate_input(svc, operation, input, &aws)) {
        cpw_sbx_org_validation_message(cpw_model_signing_name(svc), &aws);
        cpw_aws_error_set_field(&aws.request_id, request_id);
        s_answer_aws_error(svc, &aws, request_id, resp);
        goto cleanup;
    }

    struct cpw_sbx_caller caller;
    cpw_sbx_caller_from_credentials(&lookup.creds, verdict.region, ex->peer_ip,
                                    cpw_headers_get(&req->headers, "User-Agent"), &caller);
    struct cpw_sbx_request sreq = {
        .service = cpw_model_signing_name(svc),
        .operation = operation,
        .input = input,
        .caller = &caller,
        .request_id = request_id,
        .now_ms = now_ms,
        .endpoint = sandbox->url,
    };
    struct cpw_sbx_error serr;
    memset(&serr, 0, sizeof(serr));
    int64_t delay_ms = 0;
    enum cpw_sbx_admission admission =
      cpw_sbx_admit(sandbox->sbx, sreq.service, operation, caller.account_id, verdict.region,
                    now_ms, &serr, &delay_ms);
    if (admission != CPW_SBX_ADMITTED) {
        s_answer_error(svc, serr.status, serr.code, serr.message, serr.receiver, request_id, resp);
        goto cleanup;
    }
    /* The latency knob: the answer is meant to take this long. It goes out that much later,
     * without a worker waiting for it (a worker serves other connections meanwhile). */
    *ex->delay_ms = delay_ms;
    int rc = cpw_sbx_dispatch(sandbox->sbx, &sreq, &output, &serr);
    if (rc == 1) {
        s_answer_error(svc, serr.status, serr.code, serr.message, serr.receiver, request_id, resp);
    } else if (rc < 0) {
        cpw_log(CPW_LOG_ERROR, "sandbox: %s %s failed: %s", service_name, operation,
                cpw_last_error_detail());
        s_answer_error(svc, 500, "InternalFailure",
                       "The request processing has failed because of an unknown error.", true,
                       request_id, resp);
    } else if (cpw_codec_serialize_response(svc, operation, output, request_id, resp)) {
        cpw_log(CPW_LOG_ERROR, "sandbox: %s %s: cannot serialize the answer: %s", service_name,
                operation, cpw_last_error_detail());
        s_answer_error(svc, 500, "InternalFailure",
                       "The request processing has failed because of an unknown error.", true,
                       request_id, resp);
    } else if (!cpw_headers_get(&resp->headers, "x-amzn-RequestId")) {
        cpw_headers_add_cstr(&resp->headers, "x-amzn-RequestId", request_id);
    }

cleanup:
    json_decref(input);
    json_decref(output);
    cpw_aws_error_clean_up(&aws);
    if (lookup.found) {
        cpw_sbx_credentials_clean_up(&lookup.creds);
    }
}

struct cpw_sandbox *cpw_sandbox_start(const struct cpw_sandbox_options *options)
{
    struct cpw_sandbox_options defaults = { .slr_deletion_delay_ms = -1,
                                            .create_account_delay_ms = -1 };
    if (!options) {
        options = &defaults;
    }
    struct cpw_sandbox *sandbox = cpw_calloc(1, sizeof(*sandbox));
    struct cpw_sbx_options sopts = {
        .data_dir = options->data_dir,
        .slr_deletion_delay_ms = options->slr_deletion_delay_ms,
        .create_account_delay_ms = options->create_account_delay_ms,
    };
    sandbox->sbx = cpw_sbx_open(&sopts);
    if (!sandbox->sbx) {
        goto on_error;
    }
    if (options->scenario && cpw_sbx_load_scenario(sandbox->sbx, options->scenario)) {
        goto on_error;
    }
    if (options->knobs) {
        struct cpw_sbx_knobs knobs;
        cpw_sbx_get_knobs(sandbox->sbx, &knobs);
        if (cpw_sbx_knobs_from_json(options->knobs, &knobs)) {
            goto on_error;
        }
        cpw_sbx_set_knobs(sandbox->sbx, &knobs);
    }
    sandbox->keys = cpw_sigv4_key_cache_new(64);
    struct cpw_http_server_options hopts = {
        .bind_address = options->bind_address,
        .port = options->port,
        .allow_remote = options->allow_remote,
        .threads = options->threads,
        .request_timeout_s = options->request_timeout_s,
        .max_connections = options->max_connections,
        .max_connections_per_client = options->max_connections_per_client,
        .max_inflight_body_bytes = options->max_inflight_body_bytes,
        .handler = s_handle,
        .user = sandbox,
    };
    sandbox->server = cpw_http_server_start(&hopts);
    if (!sandbox->server) {
        goto on_error;
    }
    const char *address = cpw_http_server_address(sandbox->server);
    bool v6 = strchr(address, ':') != NULL;
    snprintf(sandbox->url, sizeof(sandbox->url), v6 ? "http://[%s]:%u" : "http://%s:%u", address,
             (unsigned)cpw_http_server_port(sandbox->server));
    return sandbox;

on_error:
    cpw_sandbox_stop(sandbox);
    return NULL;
}

uint16_t cpw_sandbox_port(const struct cpw_sandbox *sandbox)
{
    return cpw_http_server_port(sandbox->server);
}

const char *cpw_sandbox_url(const struct cpw_sandbox *sandbox)
{
    return sandbox->url;
}

uint64_t cpw_sandbox_request_count(const struct cpw_sandbox *sandbox)
{
    return atomic_load(&sandbox->requests);
}

void cpw_sandbox_stop(struct cpw_sandbox *sandbox)
{
    if (!sandbox) {
        return;
    }
    cpw_http_server_stop(sandbox->server);
    cpw_sbx_close(sandbox->sbx);
    cpw_sigv4_key_cache_destroy(sandbox->keys);
    cpw_free(sandbox);
}
