/*
 * sigv4_suite.c - reads the AWS signing test suite's context.json (vendored in
 * tests/vectors/sigv4, from awslabs/aws-c-auth) and maps it onto signing options.
 */
#include "cpw/sigv4_suite.h"
#include "cpw/json.h"

#include <jansson.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/time.h"

#define CONTEXT_MAX_BYTES (1024u * 1024u)

void cpw_sigv4_suite_context_init(struct cpw_sigv4_suite_context *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->expires_s = 3600;
    ctx->normalize = true;
}

static void s_free_secret(char *s)
{
    if (s) {
        cpw_secure_zero(s, strlen(s));
        cpw_free(s);
    }
}

void cpw_sigv4_suite_context_clean_up(struct cpw_sigv4_suite_context *ctx)
{
    if (!ctx) {
        return;
    }
    cpw_free(ctx->access_key_id);
    s_free_secret(ctx->secret_access_key);
    s_free_secret(ctx->session_token);
    cpw_free(ctx->region);
    cpw_free(ctx->service);
    cpw_sigv4_suite_context_init(ctx);
}

/* Copies an optional string member; -1 when present with another type. */
static int s_get_string(const json_t *obj, const char *name, char **out)
{
    const json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v)) {
        return 0;
    }
    if (!json_is_string(v)) {
        return cpw_raise(CPW_ERR_PARSE, "context: \"%s\" must be a string", name);
    }
    *out = cpw_strndup(json_string_value(v), json_string_length(v));
    return 0;
}

static int s_get_bool(const json_t *obj, const char *name, bool *out)
{
    const json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v)) {
        return 0;
    }
    if (!json_is_boolean(v)) {
        return cpw_raise(CPW_ERR_PARSE, "context: \"%s\" must be true or false", name);
    }
    *out = json_is_true(v);
    return 0;
}

int cpw_sigv4_suite_context_parse(struct cpw_sigv4_suite_context *ctx, struct cpw_span json)
{
    cpw_sigv4_suite_context_init(ctx);
    json_error_t jerr;
    json_t *root = NULL;
    if (cpw_json_load_ex(json, CPW_JSON_MAX_TEXT_BYTES, CPW_JSON_LOAD_CONTAINER, &root, &jerr)) {
        return cpw_raise(CPW_ERR_PARSE, "context is not valid JSON (line %d, column %d): %s",
                         jerr.line, jerr.column, jerr.text);
    }
    char *timestamp = NULL;
    if (!json_is_object(root)) {
        cpw_raise(CPW_ERR_PARSE, "context must be a JSON object");
        goto on_error;
    }
    const json_t *creds = json_object_get(root, "credentials");
    if (!json_is_object(creds)) {
        cpw_raise(CPW_ERR_CONFIG, "context has no \"credentials\" object");
        goto on_error;
    }
    if (s_get_string(creds, "access_key_id", &ctx->access_key_id) ||
        s_get_string(creds, "secret_access_key", &ctx->secret_access_key) ||
        s_get_string(creds, "token", &ctx->session_token) ||
        s_get_string(root, "region", &ctx->region) ||
        s_get_string(root, "service", &ctx->service) ||
        s_get_string(root, "timestamp", &timestamp) ||
        s_get_bool(root, "normalize", &ctx->normalize) ||
        s_get_bool(root, "sign_body", &ctx->sign_body) ||
        s_get_bool(root, "omit_session_token", &ctx->omit_session_token)) {
        goto on_error;
    }
    if (!ctx->access_key_id || !*ctx->access_key_id || !ctx->secret_access_key) {
        cpw_raise(CPW_ERR_CONFIG,
                  "context credentials need \"access_key_id\" and \"secret_access_key\"");
        goto on_error;
    }
    const json_t *expires = json_object_get(root, "expiration_in_seconds");
    if (expires && !json_is_null(expires)) {
        if (!json_is_integer(expires) || json_integer_value(expires) <= 0 ||
            json_integer_value(expires) > CPW_SIGV4_MAX_EXPIRES_S) {
            cpw_raise(CPW_ERR_PARSE,
                      "context: \"expiration_in_seconds\" must be an integer from 1 to %d",
                      CPW_SIGV4_MAX_EXPIRES_S);
            goto on_error;
        }
        ctx->expires_s = (uint32_t)json_integer_value(expires);
    }
    if (timestamp) {
        int64_t ms = 0;
        if (cpw_time_parse_iso8601_ms(cpw_span_from_cstr(timestamp), &ms)) {
            int64_t s = 0;
            if (cpw_time_parse_amz(cpw_span_from_cstr(timestamp), &s)) {
                cpw_raise(CPW_ERR_PARSE, "context: \"timestamp\" is not an ISO 8601 time");
                goto on_error;
            }
            ms = s * 1000;
        }
        ctx->timestamp_s = ms / 1000;
        ctx->has_timestamp = true;
    }
    cpw_free(timestamp);
    json_decref(root);
    return 0;

on_error:
    cpw_free(timestamp);
    json_decref(root);
    cpw_sigv4_suite_context_clean_up(ctx);
    return -1;
}

int cpw_sigv4_suite_context_load(struct cpw_sigv4_suite_context *ctx, const char *path)
{
    struct cpw_buf text;
    cpw_buf_init(&text, CONTEXT_MAX_BYTES);
    cpw_sigv4_suite_context_init(ctx);
    if (cpw_buf_read_file(&text, path)) {
        cpw_buf_clean_up(&text);
        return -1;
    }
    int rc = cpw_sigv4_suite_context_parse(ctx, cpw_buf_span(&text));
    cpw_buf_clean_up_secure(&text);
    return rc;
}

int cpw_sigv4_suite_sign_options(const struct cpw_sigv4_suite_context *ctx,
                                 bool query,
                                 struct cpw_sigv4_credentials *credentials,
                                 struct cpw_sigv4_sign_options *options)
{
    if (!ctx->region || !ctx->service || !ctx->has_timestamp) {
        return cpw_raise(CPW_ERR_CONFIG,
                         "signing needs \"region\", \"service\" and \"timestamp\" in the context");
    }
    *credentials = (struct cpw_sigv4_credentials){
        .access_key_id = ctx->access_key_id,
        .secret_access_key = ctx->secret_access_key,
        .session_token = ctx->session_token,
    };
    *options = (struct cpw_sigv4_sign_options){
        .credentials = credentials,
        .region = ctx->region,
        .service = ctx->service,
        .timestamp_s = ctx->timestamp_s,
        .location = query ? CPW_SIGV4_LOCATION_QUERY : CPW_SIGV4_LOCATION_HEADERS,
        .expires_s = ctx->expires_s,
        .path_mode = ctx->normalize ? CPW_SIGV4_PATH_NORMALIZE : CPW_SIGV4_PATH_ENCODE_ONLY,
        .payload = CPW_SIGV4_PAYLOAD_HASH_BODY,
        .add_content_sha256_header = ctx->sign_body,
        .omit_session_token = ctx->omit_session_token,
    };
    return 0;
}
