/*
 * credentials_container.c - the container credentials endpoint (ECS task roles, EKS Pod
 * Identity), as botocore's ContainerProvider reads it.
 *
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is fetched from http://169.254.170.2<uri>;
 * AWS_CONTAINER_CREDENTIALS_FULL_URI is fetched as given, but over plain http only from a
 * loopback address or the ECS/EKS hosts (169.254.170.2, 169.254.170.23, fd00:ec2::23,
 * localhost). AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read on every call) or else
 * AWS_CONTAINER_AUTHORIZATION_TOKEN is sent as the Authorization header. Transport errors and 5xx
 * answers are tried up to three times; any other non-200 answer fails at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/json.h"
#include "cpw/log.h"
#include "credentials_internal.h"

#define BODY_MAX_BYTES     (64u * 1024u)
#define TOKEN_MAX_BYTES    (16u * 1024u)
#define DEFAULT_TIMEOUT_MS 2000
#define ATTEMPTS           3

static const char *s_env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* True when host (no brackets) is a loopback address or one of the container hosts. */
static bool s_allowed_host(const char *host, size_t len)
{
    static const char *const allowed[] = { "169.254.170.2", "169.254.170.23", "fd00:ec2::23",
                                           "localhost", "::1" };
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
        if (strlen(allowed[i]) == len && strncmp(host, allowed[i], len) == 0) {
            return true;
        }
    }
    /* 127.0.0.0/8: four dotted decimal parts, the first 127. */
    if (len < 9 || strncmp(host, "127.", 4) != 0) {
        return false;
    }
    unsigned dots = 0;
    for (size_t i = 0; i < len; i++) {
        if (host[i] == '.') {
            dots++;
        } else if (host[i] < '0' || host[i] > '9') {
            return false;
        }
    }
    return dots == 3;
}

static int s_check_full_uri(const char *uri)
{
    if (strncmp(uri, "https://", 8) == 0) {
        return 0;
    }
    if (strncmp(uri, "http://", 7) != 0) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "container: AWS_CONTAINER_CREDENTIALS_FULL_URI '%s' is not an "
                                    "http or https URL",
                                    uri);
    }
    const char *host = uri + 7;
    const char *at = strpbrk(host, "@/");
    if (at && *at == '@') {
        host = at + 1;
    }
    size_t len;
    if (*host == '[') {
        const char *close = strchr(host, ']');
        if (!close) {
            return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                        "container: AWS_CONTAINER_CREDENTIALS_FULL_URI '%s' is "
                                        "malformed",
                                        uri);
        }
        host++;
        len = (size_t)(close - host);
    } else {
        len = strcspn(host, ":/?#");
    }
    if (!s_allowed_host(host, len)) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "container: AWS_CONTAINER_CREDENTIALS_FULL_URI host '%.*s' is "
                                    "not allowed over plain http (only loopback addresses, "
                                    "169.254.170.2, 169.254.170.23, fd00:ec2::23 and localhost)",
                                    (int)len, host);
    }
    return 0;
}

/* The Authorization value into token (empty when none is configured). */
static int s_authorization(struct cpw_buf *token)
{
    const char *file = s_env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (file) {
        if (cpw_buf_read_regular_file(token, file)) {
            return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                        "container: cannot read "
                                        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: %s",
                                        cpw_last_error_detail());
        }
        struct cpw_span t = cpw_span_trim(cpw_buf_span(token));
        while (t.len && (t.ptr[t.len - 1] == '\n' || t.ptr[t.len - 1] == '\r')) {
            t.len--;
            t = cpw_span_trim(t);
        }
        if (token->data) {
            memmove(token->data, t.ptr, t.len);
            token->len = t.len;
            token->data[t.len] = '\0';
        }
    } else {
        const char *value = s_env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
        if (value && cpw_buf_append_cstr(token, value)) {
            return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                        "container: AWS_CONTAINER_AUTHORIZATION_TOKEN is too long");
        }
    }
    for (size_t i = 0; token->data && i < token->len; i++) {
        if (token->data[i] == '\r' || token->data[i] == '\n') {
            return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                        "container: the authorization token contains a line "
                                        "break");
        }
    }
    cpw_log_register_secret(cpw_buf_span(token));
    return 0;
}

int cpw_credentials_from_container(struct cpw_credentials_chain *chain, struct cpw_credentials *out)
{
    const char *relative = s_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = s_env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (!relative && !full) {
        cpw_credentials_note(chain, "container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and "
                                    "AWS_CONTAINER_CREDENTIALS_FULL_URI not set");
        return CPW_CREDS_ABSENT;
    }
    struct cpw_buf url;
    struct cpw_buf token;
    struct cpw_buf body;
    cpw_buf_init(&url, 8192);
    cpw_buf_init(&token, TOKEN_MAX_BYTES);
    cpw_buf_init(&body, BODY_MAX_BYTES);
    json_t *doc = NULL;
    int rc = -1;
    if (relative) {
        const char *base = chain->opts->container_endpoint ? chain->opts->container_endpoint
                                                           : "http://169.254.170.2";
        if (cpw_buf_appendf(&url, "%s%s%s", base, relative[0] == '/' ? "" : "/", relative)) {
            cpw_credentials_fail(CPW_ERR_CREDENTIALS, "container: the URI is too long");
            goto cleanup;
        }
    } else if (s_check_full_uri(full) || cpw_buf_append_cstr(&url, full)) {
        goto cleanup;
    }
    if (s_authorization(&token)) {
        goto cleanup;
    }
    struct cpw_credentials_http req = {
        .method = "GET",
        .url = cpw_buf_cstr(&url),
        .header_name = token.len ? "Authorization" : NULL,
        .header_value = cpw_buf_cstr(&token),
        .timeout_ms = chain->opts->container_timeout_ms > 0 ? chain->opts->container_timeout_ms
                                                            : DEFAULT_TIMEOUT_MS,
    };
    long status = 0;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
        cpw_buf_reset(&body);
        int fetch_rc = cpw_credentials_http_fetch(&req, &status, &body);
        if (fetch_rc == 0 && status == 200) {
            break;
        }
        bool retry = (fetch_rc != 0 || status >= 500) && attempt < ATTEMPTS;
        if (retry) {
            continue;
        }
        if (fetch_rc) {
            cpw_credentials_fail(CPW_ERR_CREDENTIALS, "container: %s: %s", req.url,
                                 cpw_last_error_detail());
        } else {
            cpw_credentials_fail(CPW_ERR_CREDENTIALS, "container: %s answered HTTP %ld", req.url,
                                 status);
        }
        goto cleanup;
    }
    (void)cpw_json_load_ex(cpw_buf_span(&body), CPW_JSON_MAX_TEXT_BYTES, CPW_JSON_LOAD_CONTAINER,
                           &doc, NULL);
    static const struct cpw_credentials_json_names names = {
        .access_key_id = "AccessKeyId",
        .secret_access_key = "SecretAccessKey",
        .session_token = "Token",
        .expiration = "Expiration",
    };
    char what[256];
    snprintf(what, sizeof(what), "container: %s", req.url);
    if (cpw_credentials_from_json(out, what, "container", doc, &names, NULL)) {
        goto cleanup;
    }
    rc = CPW_CREDS_FOUND;
cleanup:
    json_decref(doc);
    cpw_buf_clean_up(&url);
    cpw_buf_clean_up_secure(&token);
    cpw_buf_clean_up_secure(&body);
    return rc;
}
