/*
 * aws_client.c - joins the models, codecs, endpoint resolution, credentials, SigV4 and the HTTP
 * engine into AWS API calls (pagination on top is in aws_client_pages.c).
 */
#include "cpw/aws_client.h"

#include <string.h>

#include "cpw/alloc.h"
#include "cpw/codec.h"
#include "cpw/endpoints.h"
#include "cpw/error.h"
#include "cpw/log.h"
#include "cpw/model.h"
#include "cpw/sigv4.h"

struct endpoint_entry {
    char *service;
    char *region;
    struct cpw_endpoint endpoint;
    char *url_base;    /* scheme://host[:port] */
    char *path_prefix; /* "" or "/prefix" (no trailing '/') */
};

struct cpw_aws_client {
    struct cpw_aws_client_options options;         /* strings below are owned copies */
    struct cpw_http_engine_options engine_options; /* options.engine points here (a copy) */
    char *region;
    char *endpoint_url;
    char *profile;
    struct cpw_http_engine *engine;
    struct cpw_credentials_provider *credentials;
    bool own_credentials;
    struct cpw_sigv4_key_cache *keys;
    struct endpoint_entry **endpoints; /* entries never move: calls in flight point at them */
    size_t endpoint_count;
};

/* One call in flight. */
struct pending {
    struct cpw_aws_client *client;
    const struct cpw_model_service *svc;
    const char *operation; /* model storage */
    const struct endpoint_entry *endpoint;
    struct cpw_credentials_provider *credentials;
    struct cpw_credentials static_credentials; /* used when has_static */
    bool has_static;
    bool unsigned_call;
    cpw_aws_done_fn *done;
    void *user;
};

/* ----- endpoints ---------------------------------------------------------------------------- */

/* Splits "https://host:port/prefix" into base and path prefix. */
static void s_split_url(const char *url, char **base, char **prefix)
{
    const char *scheme_end = strstr(url, "://");
    const char *host = scheme_end ? scheme_end + 3 : url;
    const char *slash = strchr(host, '/');
    if (!slash) {
        *base = cpw_strdup(url);
        *prefix = cpw_strdup("");
        return;
    }
    *base = cpw_strndup(url, (size_t)(slash - url));
    size_t len = strlen(slash);
    while (len > 0 && slash[len - 1] == '/') {
        len--;
    }
    *prefix = cpw_strndup(slash, len);
}

static const struct endpoint_entry *s_endpoint(struct cpw_aws_client *client,
                                               const struct cpw_model_service *svc,
                                               const char *region)
{
    const char *name = cpw_model_name(svc);
    for (size_t i = 0; i < client->endpoint_count; i++) {
        if (strcmp(client->endpoints[i]->service, name) == 0 &&
            strcmp(client->endpoints[i]->region, region) == 0) {
            return client->endpoints[i];
        }
    }
    struct cpw_endpoint ep;
    memset(&ep, 0, sizeof(ep));
    struct cpw_endpoint_options opts = {
        .service = name,
        .region = region,
        .endpoint_url = client->endpoint_url,
        .use_fips = client->options.use_fips,
        .use_dualstack = client->options.use_dualstack,
        .ignore_configured_endpoint_urls = client->options.ignore_configured_endpoint_urls,
        .config = client->options.config,
    };
    if (cpw_endpoint_resolve(&opts, &ep)) {
        return NULL;
    }
    client->endpoints =
      cpw_realloc(client->endpoints, (client->endpoint_count + 1) * sizeof(*client->endpoints));
    struct endpoint_entry *entry = cpw_calloc(1, sizeof(*entry));
    client->endpoints[client->endpoint_count++] = entry;
    entry->service = cpw_strdup(name);
    entry->region = cpw_strdup(region);
    entry->endpoint = ep;
    s_split_url(ep.url, &entry->url_base, &entry->path_prefix);
    return entry;
}

/* ----- lifecycle ---------------------------------------------------------------------------- */

struct cpw_aws_client *cpw_aws_client_new(const struct cpw_aws_client_options *options)
{
    if (!options || !options->region || !*options->region) {
        cpw_raise(CPW_ERR_CONFIG, "You must specify a region (--region, AWS_REGION, "
                                  "AWS_DEFAULT_REGION or the profile's region).");
        return NULL;
    }
    struct cpw_aws_client *client = cpw_calloc(1, sizeof(*client));
    client->options = *options;
    client->region = cpw_strdup(options->region);
    client->endpoint_url = cpw_strdup(options->endpoint_url);
    client->profile = cpw_strdup(options->profile);
    client->options.region = client->region;
    client->options.endpoint_url = client->endpoint_url;
    client->options.profile = client->profile;
    if (options->engine) {
        /* Kept for the private clients of cpw_aws_client_invoke, which may run long after the
         * caller's engine options went out of scope. */
        client->engine_options = *options->engine;
        client->options.engine = &client->engine_options;
    }
    client->engine = cpw_http_engine_new(options->engine);
    if (!client->engine) {
        goto on_error;
    }
    client->keys = cpw_sigv4_key_cache_new(0);
    if (options->credentials) {
        client->credentials = options->credentials;
    } else {
        struct cpw_credentials_options copts = {
            .config = options->config,
            .profile = options->profile,
            .region = options->region,
            .invoke = cpw_aws_client_invoke,
            .invoke_ctx = client,
        };
        client->credentials = cpw_credentials_provider_new(&copts);
        client->own_credentials = true;
    }
    return client;

on_error:
    cpw_aws_client_destroy(client);
    return NULL;
}

void cpw_aws_client_destroy(struct cpw_aws_client *client)
{
    if (!client) {
        return;
    }
    for (size_t i = 0; i < client->endpoint_count; i++) {
        struct endpoint_entry *entry = client->endpoints[i];
        cpw_free(entry->service);
        cpw_free(entry->region);
        cpw_free(entry->url_base);
        cpw_free(entry->path_prefix);
        cpw_endpoint_clean_up(&entry->endpoint);
        cpw_free(entry);
    }
    cpw_free(client->endpoints);
    if (client->own_credentials) {
        cpw_credentials_provider_destroy(client->credentials);
    }
    cpw_sigv4_key_cache_destroy(client->keys);
    cpw_http_engine_destroy(client->engine);
    cpw_free(client->region);
    cpw_free(client->endpoint_url);
    cpw_free(client->profile);
    cpw_free(client);
}

struct cpw_http_engine *cpw_aws_client_engine(struct cpw_aws_client *client)
{
    return client->engine;
}

struct cpw_credentials_provider *cpw_aws_client_credentials(struct cpw_aws_client *client)
{
    return client->credentials;
}

/* ----- one call ----------------------------------------------------------------------------- */

static void s_pending_destroy(struct pending *p)
{
    if (!p) {
        return;
    }
    cpw_credentials_clean_up(&p->static_credentials);
    cpw_free(p);
}

static int s_prepare(void *user, struct cpw_http_request *req, unsigned attempt)
{
    struct pending *p = user;
    (void)attempt;
    if (p->unsigned_call) {
        return 0;
    }
    struct cpw_credentials creds;
    cpw_credentials_init(&creds);
    const struct cpw_credentials *use = &p->static_credentials;
    if (!p->has_static) {
        if (cpw_credentials_provider_get(p->credentials, &creds)) {
            return -1;
        }
        use = &creds;
    }
    struct cpw_sigv4_credentials sig = {
        .access_key_id = use->access_key_id,
        .secret_access_key = use->secret_access_key,
        .session_token = use->session_token,
    };
    struct cpw_sigv4_sign_options opts = {
        .credentials = &sig,
        .region = p->endpoint->endpoint.signing_region,
        .service = p->endpoint->endpoint.signing_name,
        .key_cache = p->client->keys,
    };
    int rc = cpw_sigv4_sign(req, &opts, NULL);
    cpw_credentials_clean_up(&creds);
    return rc;
}

static enum cpw_http_verdict s_classify(void *user,
                                        const struct cpw_http_response *resp,
                                        const struct cpw_http_transport_error *transport)
{
    struct pending *p = user;
    if (!resp) {
        return cpw_http_classify_default(NULL, NULL, transport);
    }
    if (resp->status < 300) {
        return CPW_HTTP_VERDICT_SUCCESS;
    }
    struct cpw_aws_error err;
    cpw_aws_error_init(&err);
    json_t *ignored = NULL;
    (void)cpw_codec_parse_response(p->svc, p->operation, resp, &ignored, &err);
    json_decref(ignored);
    enum cpw_http_verdict verdict = CPW_HTTP_VERDICT_FAIL;
    if (err.code) {
        if (err.error_class == CPW_AWS_ERROR_THROTTLING) {
            verdict = CPW_HTTP_VERDICT_RETRY_THROTTLE;
        } else if (err.error_class == CPW_AWS_ERROR_TRANSIENT) {
            verdict = CPW_HTTP_VERDICT_RETRY_TRANSIENT;
        }
    } else if (resp->status >= 500) {
        verdict = CPW_HTTP_VERDICT_RETRY_TRANSIENT; /* unparseable 5xx: a proxy or a crash */
    }
    cpw_aws_error_clean_up(&err);
    return verdict;
}

static void s_done(void *user, struct cpw_http_result *http)
{
    struct pending *p = user;
    struct cpw_aws_result r;
    memset(&r, 0, sizeof(r));
    cpw_aws_error_init(&r.aws);
    r.operation = p->operation;
    r.attempts = http->attempts;
    r.status = -1;
    if (http->has_response) {
        if (cpw_codec_parse_response(p->svc, p->operation, &http->response, &r.output, &r.aws) ==
            0) {
            (void)cpw_codec_customize_output(p->svc, p->operation, r.output);
            r.status = 0;
        } else if (r.aws.code) {
            struct cpw_buf line;
            cpw_buf_init(&line, sizeof(r.detail) - 1);
            (void)cpw_aws_error_format(&r.aws, p->operation, &line);
            snprintf(r.detail, sizeof(r.detail), "%s", cpw_buf_cstr(&line));
            cpw_buf_clean_up(&line);
            r.error = CPW_ERR_AWS;
        } else {
            r.error = cpw_last_error();
            snprintf(r.detail, sizeof(r.detail), "%s: unreadable response from %s: %s",
                     p->operation, p->endpoint->endpoint.url, cpw_last_error_detail());
        }
    } else {
        r.error = http->error != CPW_ERR_NONE ? http->error : CPW_ERR_HTTP;
        snprintf(r.detail, sizeof(r.detail), "%s: %s", p->operation,
                 http->detail[0] ? http->detail : cpw_error_str(r.error));
    }
    p->done(p->user, &r);
    json_decref(r.output);
    cpw_aws_error_clean_up(&r.aws);
    s_pending_destroy(p);
}

static bool s_operation_is_unsigned(const struct cpw_model_service *svc, const char *operation)
{
    const json_t *op = cpw_model_operation(svc, operation);
    const char *authtype = json_string_value(json_object_get(op, "authtype"));
    if (authtype && strcmp(authtype, "none") == 0) {
        return true;
    }
    const json_t *auth = json_object_get(op, "auth");
    if (json_is_array(auth) && json_array_size(auth) == 1) {
        const char *only = json_string_value(json_array_get(auth, 0));
        return only && strcmp(only, "smithy.api#noAuth") == 0;
    }
    return false;
}

static int s_submit(struct cpw_aws_client *client,
                    const struct cpw_aws_call *call,
                    const struct cpw_credentials *static_credentials,
                    bool force_unsigned,
                    cpw_aws_done_fn *done,
                    void *user)
{
    const struct cpw_model_service *svc = cpw_model_service_get(call->service);
    if (!svc) {
        return -1;
    }
    const char *operation = cpw_model_operation_resolve(svc, call->operation);
    if (!operation) {
        return -1;
    }
    json_t *empty = NULL;
    const json_t *input = call->input;
    if (!input) {
        empty = json_object();
        input = empty;
    }
    struct cpw_http_request req;
    cpw_http_request_init(&req);
    struct pending *p = NULL;
    int rc = -1;
    if (!call->skip_validation && cpw_validate_input(svc, operation, input, NULL)) {
        goto cleanup;
    }
    const struct endpoint_entry *endpoint =
      s_endpoint(client, svc, call->region ? call->region : client->region);
    if (!endpoint || cpw_codec_serialize_request(svc, operation, input, &req)) {
        goto cleanup;
    }
    if (endpoint->path_prefix[0]) {
        struct cpw_buf path;
        cpw_buf_init(&path, CPW_HTTP_MAX_PATH_BYTES);
        if (cpw_buf_append_cstr(&path, endpoint->path_prefix) ||
            cpw_buf_append(&path, cpw_buf_span(&req.path))) {
            cpw_buf_clean_up(&path);
            goto cleanup;
        }
        cpw_buf_clean_up(&req.path);
        req.path = path;
    }
    cpw_headers_set(&req.headers, "Host", endpoint->endpoint.hostname);
    cpw_headers_set(&req.headers, "User-Agent", "cpwarden/" CPW_VERSION);

    p = cpw_calloc(1, sizeof(*p));
    p->client = client;
    p->svc = svc;
    p->operation = operation;
    p->endpoint = endpoint;
    p->credentials = call->credentials ? call->credentials : client->credentials;
    p->unsigned_call = force_unsigned || s_operation_is_unsigned(svc, operation);
    if (static_credentials) {
        cpw_credentials_copy(&p->static_credentials, static_credentials);
        p->has_static = true;
    }
    p->done = done;
    p->user = user;
    struct cpw_http_call_options opts = {
        .url_base = endpoint->url_base,
        .request = &req,
        .prepare = s_prepare,
        .classify = s_classify,
        .done = s_done,
        .user = p,
        .limit_keys = call->limit_keys,
        .limit_key_count = call->limit_key_count,
        .retry_safety = CPW_HTTP_RETRY_SAFE,
    };
    if (cpw_http_engine_submit(client->engine, &opts)) {
        s_pending_destroy(p);
        goto cleanup;
    }
    rc = 0;

cleanup:
    cpw_http_request_clean_up(&req);
    json_decref(empty);
    return rc;
}

int cpw_aws_client_submit(struct cpw_aws_client *client,
                          const struct cpw_aws_call *call,
                          cpw_aws_done_fn *done,
                          void *user)
{
    if (!done) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "an AWS call needs a done callback");
    }
    return s_submit(client, call, NULL, false, done, user);
}

int cpw_aws_client_run(struct cpw_aws_client *client)
{
    return cpw_http_engine_run(client->engine);
}

/* ----- blocking calls ----------------------------------------------------------------------- */

struct sync_result {
    bool finished;
    int status;
    json_t *output;
    struct cpw_aws_error *aws;
    enum cpw_error error;
    char detail[2304];
};

static void s_sync_done(void *user, struct cpw_aws_result *r)
{
    struct sync_result *s = user;
    s->finished = true;
    s->status = r->status;
    s->error = r->error;
    snprintf(s->detail, sizeof(s->detail), "%s", r->detail);
    if (r->status == 0) {
        s->output = r->output;
        r->output = NULL;
    } else if (s->aws && r->aws.code) {
        cpw_aws_error_clean_up(s->aws);
        *s->aws = r->aws;
        cpw_aws_error_init(&r->aws);
    }
}

static int s_call(struct cpw_aws_client *client,
                  const struct cpw_aws_call *call,
                  const struct cpw_credentials *static_credentials,
                  bool force_unsigned,
                  json_t **output,
                  struct cpw_aws_error *aws)
{
    struct sync_result s;
    memset(&s, 0, sizeof(s));
    s.aws = aws;
    *output = NULL;
    if (s_submit(client, call, static_credentials, force_unsigned, s_sync_done, &s)) {
        return -1;
    }
    if (cpw_http_engine_run(client->engine) || !s.finished) {
        json_decref(s.output);
        return s.finished ? cpw_raise(s.error, "%s", s.detail) : -1;
    }
    if (s.status != 0) {
        return cpw_raise(s.error != CPW_ERR_NONE ? s.error : CPW_ERR_AWS, "%s", s.detail);
    }
    *output = s.output;
    return 0;
}

int cpw_aws_client_call(struct cpw_aws_client *client,
                        const struct cpw_aws_call *call,
                        json_t **output,
                        struct cpw_aws_error *aws)
{
    return s_call(client, call, NULL, false, output, aws);
}

/* ----- calls made by credential sources ----------------------------------------------------- */

int cpw_aws_client_invoke(void *ctx, const struct cpw_aws_invoke *invoke, json_t **output)
{
    struct cpw_aws_client *parent = ctx;
    /* A private client: the parent's engine may be inside a callback that asked for
     * credentials, and an engine must not be run from its own callbacks. */
    struct cpw_aws_client_options opts = parent->options;
    opts.region = invoke->region ? invoke->region : parent->region;
    opts.credentials = parent->credentials; /* never used: calls below are static or unsigned */
    struct cpw_aws_client *client = cpw_aws_client_new(&opts);
    if (!client) {
        return -1;
    }
    struct cpw_aws_call call = { .service = invoke->service,
                                 .operation = invoke->operation,
                                 .input = invoke->input };
    struct cpw_aws_error aws;
    cpw_aws_error_init(&aws);
    int rc = s_call(client, &call, invoke->credentials, invoke->credentials == NULL, output, &aws);
    if (rc && aws.code) {
        rc = cpw_raise(CPW_ERR_AWS, "%s: %s", aws.code, aws.message ? aws.message : "");
    }
    cpw_aws_error_clean_up(&aws);
    cpw_aws_client_destroy(client);
    return rc;
}
