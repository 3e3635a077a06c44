/*
 * credentials_imds.c - the EC2 instance metadata service (IMDSv2), last in the chain.
 *
 * PUT /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds: 21600), then with the token in
 * X-aws-ec2-metadata-token: GET /latest/meta-data/iam/security-credentials/ (the role name) and
 * GET .../<role> (the credentials JSON). As in botocore: each request has a 1 s timeout
 * (AWS_METADATA_SERVICE_TIMEOUT seconds) and is made AWS_METADATA_SERVICE_NUM_ATTEMPTS times
 * (default 1); AWS_EC2_METADATA_DISABLED=true skips
 * the source; AWS_EC2_METADATA_SERVICE_ENDPOINT replaces http://169.254.169.254; a token request
 * answered 403/404/405 falls back to IMDSv1 unless AWS_EC2_METADATA_V1_DISABLED=true. Failures
 * here are notes, not errors: outside EC2 there is simply nothing to find.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cpw/alloc.h"
#include "cpw/json.h"
#include "cpw/log.h"
#include "credentials_internal.h"

#define BODY_MAX_BYTES     (64u * 1024u)
#define DEFAULT_TIMEOUT_MS 1000
#define MAX_ATTEMPTS       10
#define ROLE_PATH          "/latest/meta-data/iam/security-credentials/"

struct imds {
    struct cpw_credentials_chain *chain;
    char endpoint[2048];
    int64_t timeout_ms;
    unsigned attempts;
    struct cpw_buf token; /* empty: IMDSv1 */
};

static bool s_env_true(const char *name)
{
    const char *v = getenv(name);
    return v && strcasecmp(v, "true") == 0;
}

/* One request, repeated up to attempts times on transport errors and 5xx. Returns 0 with
 * *status, or -1 with the transport error raised. */
static int s_request(struct imds *imds,
                     const char *method,
                     const char *path,
                     const char *header_name,
                     const char *header_value,
                     long *status,
                     struct cpw_buf *body)
{
    struct cpw_buf url;
    cpw_buf_init(&url, 8192);
    if (cpw_buf_appendf(&url, "%s%s", imds->endpoint, path)) {
        return -1;
    }
    struct cpw_credentials_http req = {
        .method = method,
        .url = cpw_buf_cstr(&url),
        .header_name = header_name,
        .header_value = header_value,
        .timeout_ms = imds->timeout_ms,
    };
    int rc = -1;
    for (unsigned attempt = 1; attempt <= imds->attempts; attempt++) {
        cpw_buf_reset(body);
        rc = cpw_credentials_http_fetch(&req, status, body);
        if (rc == 0 && *status < 500) {
            break;
        }
    }
    cpw_buf_clean_up(&url);
    return rc;
}

static int s_get(struct imds *imds, const char *path, long *status, struct cpw_buf *body)
{
    bool v2 = imds->token.len > 0;
    return s_request(imds, "GET", path, v2 ? "X-aws-ec2-metadata-token" : NULL,
                     v2 ? cpw_buf_cstr(&imds->token) : NULL, status, body);
}

static int s_absent(struct imds *imds, const char *why)
{
    cpw_credentials_note(imds->chain, "imds: %s: %s", imds->endpoint, why);
    return CPW_CREDS_ABSENT;
}

static int s_fetch_token(struct imds *imds)
{
    long status = 0;
    if (s_request(imds, "PUT", "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds", "21600",
                  &status, &imds->token)) {
        return s_absent(imds, cpw_last_error_detail());
    }
    if (status == 200 && imds->token.len) {
        cpw_log_register_secret(cpw_buf_span(&imds->token));
        return 0;
    }
    cpw_buf_clean_up_secure(&imds->token);
    if ((status == 403 || status == 404 || status == 405) &&
        !s_env_true("AWS_EC2_METADATA_V1_DISABLED")) {
        return 0; /* IMDSv1 */
    }
    char why[64];
    snprintf(why, sizeof(why), "token request answered HTTP %ld", status);
    return s_absent(imds, why);
}

static int s_setup(struct imds *imds, struct cpw_credentials_chain *chain)
{
    imds->chain = chain;
    const char *endpoint = chain->opts->imds_endpoint;
    if (!endpoint || !*endpoint) {
        endpoint = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    }
    if (!endpoint || !*endpoint) {
        endpoint = "http://169.254.169.254";
    }
    snprintf(imds->endpoint, sizeof(imds->endpoint), "%s", endpoint);
    size_t len = strlen(imds->endpoint);
    while (len && imds->endpoint[len - 1] == '/') {
        imds->endpoint[--len] = '\0';
    }
    imds->timeout_ms =
      chain->opts->imds_timeout_ms > 0 ? chain->opts->imds_timeout_ms : DEFAULT_TIMEOUT_MS;
    const char *timeout = getenv("AWS_METADATA_SERVICE_TIMEOUT");
    uint64_t seconds = 0;
    if (chain->opts->imds_timeout_ms <= 0 && timeout && *timeout) {
        if (cpw_span_to_u64(cpw_span_from_cstr(timeout), 60, &seconds) || seconds == 0) {
            return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                        "imds: AWS_METADATA_SERVICE_TIMEOUT '%s' is not a number "
                                        "of seconds from 1 to 60",
                                        timeout);
        }
        imds->timeout_ms = (int64_t)seconds * 1000;
    }
    imds->attempts = 1;
    const char *attempts = getenv("AWS_METADATA_SERVICE_NUM_ATTEMPTS");
    uint64_t n = 0;
    if (attempts && *attempts) {
        if (cpw_span_to_u64(cpw_span_from_cstr(attempts), MAX_ATTEMPTS, &n) || n == 0) {
            return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                        "imds: AWS_METADATA_SERVICE_NUM_ATTEMPTS '%s' is not a "
                                        "number from 1 to %d",
                                        attempts, MAX_ATTEMPTS);
        }
        imds->attempts = (unsigned)n;
    }
    cpw_buf_init(&imds->token, 4096);
    return 0;
}

int cpw_credentials_from_imds(struct cpw_credentials_chain *chain, struct cpw_credentials *out)
{
    if (s_env_true("AWS_EC2_METADATA_DISABLED")) {
        cpw_credentials_note(chain, "imds: disabled by AWS_EC2_METADATA_DISABLED");
        return CPW_CREDS_ABSENT;
    }
    struct imds imds = { 0 };
    if (s_setup(&imds, chain)) {
        return -1;
    }
    struct cpw_buf body;
    struct cpw_buf path;
    cpw_buf_init(&body, BODY_MAX_BYTES);
    cpw_buf_init(&path, 4096);
    json_t *doc = NULL;
    long status = 0;
    int rc = s_fetch_token(&imds);
    if (rc) {
        goto cleanup;
    }
    if (s_get(&imds, ROLE_PATH, &status, &body)) {
        rc = s_absent(&imds, cpw_last_error_detail());
        goto cleanup;
    }
    if (status == 404) {
        rc = s_absent(&imds, "no IAM role is attached to this instance");
        goto cleanup;
    }
    struct cpw_span role = cpw_span_trim(cpw_buf_span(&body));
    long newline = cpw_span_find_byte(role, '\n');
    if (newline >= 0) {
        role = cpw_span_trim(cpw_span_sub(role, 0, (size_t)newline));
    }
    if (status != 200 || role.len == 0 || cpw_span_find_byte(role, '/') >= 0) {
        char why[64];
        snprintf(why, sizeof(why), "role name request answered HTTP %ld", status);
        rc = s_absent(&imds, why);
        goto cleanup;
    }
    if (cpw_buf_appendf(&path, "%s%.*s", ROLE_PATH, (int)role.len, (const char *)role.ptr) ||
        s_get(&imds, cpw_buf_cstr(&path), &status, &body)) {
        rc = s_absent(&imds, cpw_last_error_detail());
        goto cleanup;
    }
    if (status != 200) {
        char why[64];
        snprintf(why, sizeof(why), "credentials request answered HTTP %ld", status);
        rc = s_absent(&imds, why);
        goto cleanup;
    }
    (void)cpw_json_load_ex(cpw_buf_span(&body), CPW_JSON_MAX_TEXT_BYTES, CPW_JSON_LOAD_CONTAINER,
                           &doc, NULL);
    const json_t *code = json_object_get(doc, "Code");
    if (json_is_string(code) && strcmp(json_string_value(code), "Success") != 0) {
        rc = s_absent(&imds, "the credentials answer is not Code Success");
        goto cleanup;
    }
    static const struct cpw_credentials_json_names names = {
        .access_key_id = "AccessKeyId",
        .secret_access_key = "SecretAccessKey",
        .session_token = "Token",
        .expiration = "Expiration",
    };
    if (cpw_credentials_from_json(out, "imds", "imds", doc, &names, NULL)) {
        rc = s_absent(&imds, cpw_last_error_detail());
        goto cleanup;
    }
    rc = CPW_CREDS_FOUND;
cleanup:
    json_decref(doc);
    cpw_buf_clean_up_secure(&imds.token);
    cpw_buf_clean_up_secure(&body);
    cpw_buf_clean_up(&path);
    return rc;
}
