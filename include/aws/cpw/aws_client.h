/*
 * aws_client.h - one AWS API call, end to end: model-driven serialization, endpoint resolution,
 * SigV4 signing with the credential chain, the HTTP engine's retries and rate caps, and parsing
 * of the answer into an output document or an AWS error.
 *
 * Calls run asynchronously on the client's engine (submit + run, many in flight on one thread)
 * or one at a time (cpw_aws_client_call). Pagination follows the model's paginator, or the
 * NextToken/Marker conventions where botocore has none (Customer Profiles ListDomains).
 *
 * Thread-safety: a client belongs to the thread that created it (its engine does). The
 * credentials providers it uses may be shared with other threads.
 */
#ifndef CPW_AWS_CLIENT_H
#define CPW_AWS_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cpw/aws_error.h"
#include "cpw/config.h"
#include "cpw/credentials.h"
#include "cpw/http_engine.h"

struct cpw_aws_client;

struct cpw_aws_client_options {
    const struct cpw_config *config; /* borrowed; profile settings (endpoints); may be NULL */
    const char *region;              /* the client region (required) */
    const char *endpoint_url;        /* --endpoint-url, or NULL */
    bool use_fips;
    bool use_dualstack;
    bool ignore_configured_endpoint_urls;
    /* Credentials: borrowed provider; NULL builds one from config + profile whose AssumeRole,
     * web identity and SSO calls go through this client. */
    struct cpw_credentials_provider *credentials;
    const char *profile;                          /* explicit --profile, or NULL */
    const struct cpw_http_engine_options *engine; /* NULL: defaults */
};

/**
 * A new client. Returns an owned client (cpw_aws_client_destroy) or NULL with CPW_ERR_CONFIG
 * (no region), CPW_ERR_HTTP (engine).
 */
struct cpw_aws_client *cpw_aws_client_new(const struct cpw_aws_client_options *options);

/** Frees the client (and the provider and engine it created). NULL is a no-op. */
void cpw_aws_client_destroy(struct cpw_aws_client *client);

/** The engine the client runs on (rate limits, statistics). Borrowed. */
struct cpw_http_engine *cpw_aws_client_engine(struct cpw_aws_client *client);

/**
 * The credentials provider the client signs with by default (the one given in its options, or
 * the chain it built). Borrowed: valid until the client is destroyed.
 */
struct cpw_credentials_provider *cpw_aws_client_credentials(struct cpw_aws_client *client);

/** One call. Strings and documents are borrowed until submit returns (copied inside). */
struct cpw_aws_call {
    const char *service;   /* "customer-profiles", "iam", ... (any name model.h knows) */
    const char *operation; /* model name "ListDomains" or CLI spelling "list-domains" */
    const json_t *input;   /* NULL means {} */
    const char *region;    /* NULL: the client's region */
    struct cpw_credentials_provider *credentials; /* NULL: the client's; borrowed */
    const char *const *limit_keys;                /* rate/concurrency keys, copied */
    size_t limit_key_count;
    bool skip_validation; /* send even what the model's constraints reject (tests) */
    /* cpw_aws_client_call_all_pages only, optional: sees each page's output as it arrives,
     * before the pages are merged (borrowed for the call), as the AWS CLI's text output
     * prints page by page */
    void (*on_page)(void *user, const json_t *page);
    void *page_user;
    /* cpw_aws_client_call_all_pages only, optional, as the AWS CLI's --max-items and
     * --starting-token: at most max_items items of the paginator's first result key (0: all);
     * when some are left, the output gets "NextToken", a resume token to pass back as
     * starting_token. A starting_token that is not a resume token is the service's own. */
    uint64_t max_items;
    const char *starting_token;
};

/** How a call ended. Borrowed by the done callback; take output by setting it to NULL. */
struct cpw_aws_result {
    int status;               /* 0 ok, -1 failed */
    json_t *output;           /* on success: the output document (owned by the result) */
    struct cpw_aws_error aws; /* when the service answered an error (code non-NULL) */
    enum cpw_error error;     /* CPW_ERR_AWS for service errors, else what failed */
    char detail[2304];        /* a secret-free sentence when status is -1 */
    const char *operation;    /* the model name */
    unsigned attempts;
};

typedef void(cpw_aws_done_fn)(void *user, struct cpw_aws_result *result);

/**
 * Queues a call; nothing is sent before cpw_aws_client_run(). Returns 0 (done is called exactly
 * once, from run) or -1 with the error raised (unknown service/operation, invalid input,
 * endpoint) and no callback.
 */
int cpw_aws_client_submit(struct cpw_aws_client *client,
                          const struct cpw_aws_call *call,
                          cpw_aws_done_fn *done,
                          void *user);

/** Runs until every submitted call (also those submitted from callbacks) is done. */
int cpw_aws_client_run(struct cpw_aws_client *client);

/**
 * Blocking: makes one call and returns 0 with *output (owned), or -1. On a service error the
 * error is raised as CPW_ERR_AWS and aws (if not NULL, initialised by the caller) holds it.
 */
int cpw_aws_client_call(struct cpw_aws_client *client,
                        const struct cpw_aws_call *call,
                        json_t **output,
                        struct cpw_aws_error *aws);

/**
 * Blocking, every page: follows the paginator's tokens (or NextToken/Marker) until the last
 * page (or call->max_items) and returns the first page's document with every result list
 * concatenated and the token members removed ("NextToken" holds the resume token when
 * max_items left items). Bounded by max_pages (0: 10000). Same returns as cpw_aws_client_call;
 * a malformed starting_token, or one given to an operation that does not page, is
 * CPW_ERR_INVALID_ARGUMENT.
 */
int cpw_aws_client_call_all_pages(struct cpw_aws_client *client,
                                  const struct cpw_aws_call *call,
                                  unsigned max_pages,
                                  json_t **output,
                                  struct cpw_aws_error *aws);

/**
 * A cpw_aws_invoke_fn over a client (ctx = the client), for credential sources that call STS
 * or SSO. Unsigned calls (credentials NULL) are sent without a signature.
 */
int cpw_aws_client_invoke(void *ctx, const struct cpw_aws_invoke *call, json_t **output);

#endif
