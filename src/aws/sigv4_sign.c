/*
 * sigv4_sign.c - SigV4 signing of an outgoing request, in headers (Authorization) or as a
 * presigned query string, as botocore and the AWS signing test suite do it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/time.h"
#include "cpw/uri.h"
#include "sigv4_internal.h"

void cpw_sigv4_signing_init(struct cpw_sigv4_signing *signing)
{
    cpw_buf_init(&signing->canonical_request, CPW_SIGV4_CANONICAL_MAX);
    cpw_buf_init(&signing->string_to_sign, 4096);
    signing->signature[0] = '\0';
}

void cpw_sigv4_signing_clean_up(struct cpw_sigv4_signing *signing)
{
    if (!signing) {
        return;
    }
    cpw_buf_clean_up(&signing->canonical_request);
    cpw_buf_clean_up(&signing->string_to_sign);
    signing->signature[0] = '\0';
}

static int s_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The signed header list: every header name present, lower-cased, sorted, without repeats,
 * leaving out the ones never signed (and the session token when it is added unsigned).
 */
static int s_signed_header_list(struct cpw_buf *out,
                                const struct cpw_headers *headers,
                                bool skip_token)
{
    if (headers->count > CPW_SIGV4_MAX_SIGNED * 4) {
        return cpw_raise(CPW_ERR_LIMIT, "too many headers to sign (%zu)", headers->count);
    }
    char **names = cpw_calloc(headers->count + 1, sizeof(*names));
    size_t count = 0;
    int rc = 0;
    for (size_t i = 0; i < headers->count; i++) {
        const char *name = headers->items[i].name;
        if (cpw_sigv4_header_is_unsigned(name) ||
            (skip_token && cpw_span_eq_ignore_case(cpw_span_from_cstr(name),
                                                   cpw_span_from_cstr("x-amz-security-token")))) {
            continue;
        }
        char *lower = cpw_strdup(name);
        for (char *p = lower; *p; p++) {
            if (*p >= 'A' && *p <= 'Z') {
                *p = (char)(*p - 'A' + 'a');
            }
        }
        names[count++] = lower;
    }
    qsort(names, count, sizeof(*names), s_name_cmp);
    size_t written = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        if (i > 0 && strcmp(names[i], names[i - 1]) == 0) {
            continue;
        }
        if (written++ > 0) {
            rc = cpw_buf_append_byte(out, ';');
        }
        if (rc == 0) {
            rc = cpw_buf_append_cstr(out, names[i]);
        }
    }
    for (size_t i = 0; i < count; i++) {
        cpw_free(names[i]);
    }
    cpw_free(names);
    return rc;
}

static int s_check_options(const struct cpw_http_request *req,
                           const struct cpw_sigv4_sign_options *o)
{
    const struct cpw_sigv4_credentials *c = o->credentials;
    if (!c || !c->access_key_id || !*c->access_key_id || !c->secret_access_key) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "SigV4 signing needs an access key and secret");
    }
    if (!o->region || !*o->region || !o->service || !*o->service) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "SigV4 signing needs a region and a service");
    }
    if (strlen(c->access_key_id) > CPW_SIGV4_AKID_MAX) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "access key id is longer than %d bytes",
                         CPW_SIGV4_AKID_MAX);
    }
    if (strchr(o->region, '/') || strchr(o->service, '/') || strchr(c->access_key_id, '/')) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                         "access key id, region and service must not contain '/'");
    }
    if (o->payload == CPW_SIGV4_PAYLOAD_GIVEN && (!o->payload_hash || !*o->payload_hash)) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "payload hash option given without a hash");
    }
    if (o->expires_s > CPW_SIGV4_MAX_EXPIRES_S) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "X-Amz-Expires must be at most %d seconds",
                         CPW_SIGV4_MAX_EXPIRES_S);
    }
    if (!req->method || !cpw_headers_get(&req->headers, "host")) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "the request needs a method and a Host header");
    }
    return 0;
}

/* Appends "&Key=value" (or "Key=value" to an empty query), the value encoded per SigV4. */
static int s_query_add(struct cpw_buf *query, const char *key, const char *value)
{
    if ((query->len && cpw_buf_append_byte(query, '&')) || cpw_buf_append_cstr(query, key) ||
        cpw_buf_append_byte(query, '=')) {
        return -1;
    }
    return cpw_uri_encode(query, cpw_span_from_cstr(value), CPW_URI_ENCODE_DEFAULT);
}

int cpw_sigv4_sign(struct cpw_http_request *req,
                   const struct cpw_sigv4_sign_options *options,
                   struct cpw_sigv4_signing *out)
{
    int rc = -1;
    struct cpw_sigv4_signing local;
    struct cpw_sigv4_signing *sig = out ? out : &local;
    struct cpw_buf signed_headers;
    struct cpw_buf scope;
    uint8_t key[CPW_SHA256_LEN] = { 0 };
    char amz_date[CPW_TIME_AMZ_LEN + 1];
    char date[CPW_TIME_DATE_LEN + 1];
    char payload_hash[CPW_SHA256_HEX_LEN + 1];
    cpw_sigv4_signing_init(&local);
    if (out) {
        cpw_buf_reset(&out->canonical_request);
        cpw_buf_reset(&out->string_to_sign);
    }
    cpw_buf_init(&signed_headers, 4096);
    cpw_buf_init(&scope, 512);

    if (s_check_options(req, options)) {
        goto cleanup;
    }
    const struct cpw_sigv4_credentials *creds = options->credentials;
    const char *token = creds->session_token && *creds->session_token ? creds->session_token : NULL;
    bool presign = options->location == CPW_SIGV4_LOCATION_QUERY;
    int64_t when = options->timestamp_s ? options->timestamp_s : cpw_time_now_s();
    if (cpw_time_format_amz(when, amz_date) || cpw_time_format_date(when, date)) {
        goto cleanup;
    }
    if (cpw_buf_append_cstr(&scope, date) || cpw_buf_append_byte(&scope, '/') ||
        cpw_buf_append_cstr(&scope, options->region) || cpw_buf_append_byte(&scope, '/') ||
        cpw_buf_append_cstr(&scope, options->service) ||
        cpw_buf_append_cstr(&scope, "/aws4_request")) {
        goto cleanup;
    }

    /* Payload hash. */
    if (options->payload == CPW_SIGV4_PAYLOAD_UNSIGNED) {
        memcpy(payload_hash, CPW_SIGV4_UNSIGNED_PAYLOAD, sizeof(CPW_SIGV4_UNSIGNED_PAYLOAD));
    } else if (options->payload == CPW_SIGV4_PAYLOAD_GIVEN) {
        size_t n = strlen(options->payload_hash);
        if (n > CPW_SHA256_HEX_LEN) {
            cpw_raise(CPW_ERR_INVALID_ARGUMENT, "payload hash is longer than 64 characters");
            goto cleanup;
        }
        memcpy(payload_hash, options->payload_hash, n + 1);
    } else if (cpw_sigv4_hash_hex(cpw_buf_span(&req->body), payload_hash)) {
        goto cleanup;
    }

    if (!presign) {
        /* Re-signing replaces what an earlier signature added. */
        cpw_headers_remove(&req->headers, "authorization");
        cpw_headers_remove(&req->headers, "x-amz-date");
        if (token) {
            cpw_headers_remove(&req->headers, "x-amz-security-token");
            cpw_headers_add_cstr(&req->headers, "X-Amz-Security-Token", token);
        }
        cpw_headers_add_cstr(&req->headers, "X-Amz-Date", amz_date);
        if (options->add_content_sha256_header) {
            cpw_headers_remove(&req->headers, "x-amz-content-sha256");
            cpw_headers_add_cstr(&req->headers, "x-amz-content-sha256", payload_hash);
        }
    }
    if (s_signed_header_list(&signed_headers, &req->headers, options->omit_session_token)) {
        goto cleanup;
    }
    if (presign) {
        char expires[24];
        snprintf(expires, sizeof(expires), "%u", options->expires_s ? options->expires_s : 3600u);
        char credential[CPW_SIGV4_AKID_MAX + 256];
        snprintf(credential, sizeof(credential), "%s/%s", creds->access_key_id,
                 cpw_buf_cstr(&scope));
        if (s_query_add(&req->query, "X-Amz-Algorithm", CPW_SIGV4_ALGORITHM) ||
            s_query_add(&req->query, "X-Amz-Credential", credential) ||
            s_query_add(&req->query, "X-Amz-Date", amz_date) ||
            s_query_add(&req->query, "X-Amz-SignedHeaders", cpw_buf_cstr(&signed_headers)) ||
            s_query_add(&req->query, "X-Amz-Expires", expires) ||
            (token && !options->omit_session_token &&
             s_query_add(&req->query, "X-Amz-Security-Token", token))) {
            goto cleanup;
        }
    }

    struct cpw_sigv4_canon_input in = {
        .method = req->method,
        .path = cpw_buf_span(&req->path),
        .query = cpw_buf_span(&req->query),
        .headers = &req->headers,
        .signed_headers = cpw_buf_span(&signed_headers),
        .path_mode = options->path_mode,
        .payload_hash = cpw_span_from_cstr(payload_hash),
    };
    if (cpw_sigv4_canonical_request(&sig->canonical_request, &in) ||
        cpw_sigv4_string_to_sign(&sig->string_to_sign, cpw_buf_span(&sig->canonical_request),
                                 cpw_span_from_cstr(amz_date), cpw_buf_span(&scope))) {
        goto cleanup;
    }
    if (cpw_sigv4_key_cache_get(options->key_cache, cpw_span_from_cstr(creds->access_key_id),
                                cpw_span_from_cstr(creds->secret_access_key),
                                cpw_span_from_cstr(date), cpw_span_from_cstr(options->region),
                                cpw_span_from_cstr(options->service), key) ||
        cpw_sigv4_signature_hex(key, cpw_buf_span(&sig->string_to_sign), sig->signature)) {
        goto cleanup;
    }

    if (presign) {
        if ((token && options->omit_session_token &&
             s_query_add(&req->query, "X-Amz-Security-Token", token)) ||
            s_query_add(&req->query, "X-Amz-Signature", sig->signature)) {
            goto cleanup;
        }
    } else {
        struct cpw_buf auth;
        cpw_buf_init(&auth, 8192);
        if (cpw_buf_append_cstr(&auth, CPW_SIGV4_ALGORITHM " Credential=") ||
            cpw_buf_append_cstr(&auth, creds->access_key_id) || cpw_buf_append_byte(&auth, '/') ||
            cpw_buf_append(&auth, cpw_buf_span(&scope)) ||
            cpw_buf_append_cstr(&auth, ", SignedHeaders=") ||
            cpw_buf_append(&auth, cpw_buf_span(&signed_headers)) ||
            cpw_buf_append_cstr(&auth, ", Signature=") ||
            cpw_buf_append_cstr(&auth, sig->signature)) {
            goto cleanup;
        }
        cpw_headers_add_cstr(&req->headers, "Authorization", cpw_buf_cstr(&auth));
        cpw_buf_clean_up(&auth);
    }
    rc = 0;

cleanup:
    cpw_secure_zero(key, sizeof(key));
    cpw_buf_clean_up(&signed_headers);
    cpw_buf_clean_up(&scope);
    cpw_sigv4_signing_clean_up(&local);
    return rc;
}
