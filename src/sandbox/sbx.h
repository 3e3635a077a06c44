/*
 * sbx.h - the contract between the sandbox's HTTP front and its service logic (internal).
 *
 * The front (server.c) verifies the SigV4 signature, routes the request to (service, operation)
 * with the shared protocol codecs, parses and validates the input document, and then calls
 * cpw_sbx_dispatch(). Service logic never sees HTTP: it works on JSON documents whose keys are
 * the botocore model's member names, and on the state store. It answers either an output
 * document or an AWS error (code, message, HTTP status), which the front serializes in the
 * service's protocol.
 */
#ifndef CPW_SANDBOX_SBX_H
#define CPW_SANDBOX_SBX_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cpw/sandbox.h"

/* An AWS error answered by the emulated service (not an internal failure). */
struct cpw_sbx_error {
    long status;        /* HTTP status, e.g. 404 */
    char code[96];      /* "NoSuchEntity" */
    char message[1024]; /* AWS's message text */
    bool receiver;      /* query protocol <Type>: Receiver (server fault) instead of Sender */
};

/* Who is calling, as established from the verified signature. */
struct cpw_sbx_caller {
    const char *access_key_id;
    const char *account_id;    /* "123456789012" */
    const char *principal_arn; /* "arn:aws:iam::123456789012:root", "...:assumed-role/R/s" */
    const char *user_id;       /* GetCallerIdentity's UserId */
    const char *region;        /* the credential scope's region */
    const char *source_ip;     /* "127.0.0.1" */
    const char *user_agent;    /* may be NULL */
};

struct cpw_sbx_request {
    const char *service;   /* signing name: "iam", "sts", "organizations", "cloudtrail", ... */
    const char *operation; /* model name: "CreateServiceLinkedRole" */
    const json_t *input;   /* validated input document (borrowed) */
    const struct cpw_sbx_caller *caller;
    const char *request_id;
    int64_t now_ms;       /* the sandbox clock for this request */
    const char *endpoint; /* the front's own URL ("http://127.0.0.1:PORT"); NULL outside HTTP */
};

/* ----- the sandbox object ------------------------------------------------------------------- */

struct cpw_sbx; /* opaque: the state store plus the registered services */

#define CPW_SBX_DEFAULT_ACCOUNT    CPW_SANDBOX_DEFAULT_ACCOUNT
#define CPW_SBX_ROOT_ACCESS_KEY_ID CPW_SANDBOX_ROOT_ACCESS_KEY_ID
#define CPW_SBX_ROOT_SECRET_KEY    CPW_SANDBOX_ROOT_SECRET_KEY
/* A DeleteServiceLinkedRole task stays IN_PROGRESS this long. AWS documents no duration; 20 s
 * is longer than an AWS CLI start, so a rehearsal by hand sees the task pending at least once. */
#define CPW_SBX_DEFAULT_SLR_DELETE_MS     20000
#define CPW_SBX_DEFAULT_CREATE_ACCOUNT_MS 1000 /* CreateAccount stays IN_PROGRESS */

struct cpw_sbx_options {
    const char *data_dir;            /* DIR/sandbox.db (mode 0600); NULL: in memory */
    int64_t slr_deletion_delay_ms;   /* < 0: CPW_SBX_DEFAULT_SLR_DELETE_MS; 0 allowed */
    int64_t create_account_delay_ms; /* < 0: CPW_SBX_DEFAULT_CREATE_ACCOUNT_MS; 0 allowed */
};

/**
 * Opens (creating if needed) the sandbox state: DIR/sandbox.db when opts->data_dir is set, else
 * an in-memory database. Creates or migrates the schema, seeds the default account and its root
 * credentials, and registers the built-in services (iam, sts, organizations, cloudtrail,
 * account, profile, connect).
 * Returns an owned object (release with cpw_sbx_close) or NULL with CPW_ERR_STORE / CPW_ERR_IO.
 * opts may be NULL (in memory, defaults).
 *
 * The database is always in WAL mode; without data_dir it lives in a private 0700 directory
 * under $TMPDIR (or /tmp), removed by cpw_sbx_close.
 * Thread-safety: the returned object may be used by any number of threads at once. Writes run
 * one at a time on a writer connection; reads and credentials lookups run on per-thread read
 * connections in their own snapshots, without waiting for a write in progress (sbx_state.h). A
 * request sees every write whose dispatch returned before it began.
 */
struct cpw_sbx *cpw_sbx_open(const struct cpw_sbx_options *opts);

/** Closes the database and frees everything. NULL is a no-op. No request may be in flight. */
void cpw_sbx_close(struct cpw_sbx *sbx);

/**
 * Runs one operation in one transaction. Returns 0 with *output set (owned by the caller; decref
 * it), 1 with an AWS error in *err (*output NULL), or -1 for an internal failure (raised; the
 * front answers 500 InternalFailure). Modeled operations that the sandbox does not emulate answer
 * 501 NotImplemented naming the operation. Mutating calls (not Get*, List*, Describe*,
 * LookupEvents) are recorded as CloudTrail events, failed ones included. Thread-safe.
 */
int cpw_sbx_dispatch(struct cpw_sbx *sbx,
                     const struct cpw_sbx_request *req,
                     json_t **output,
                     struct cpw_sbx_error *err);

/**
 * True when the service registered under signing name service has a handler for the model
 * operation (false: dispatch answers 501 NotImplemented or InvalidAction). For coverage checks.
 * Call before serving requests or while none is in flight.
 */
bool cpw_sbx_emulates(const struct cpw_sbx *sbx, const char *service, const char *operation);

struct cpw_aws_error;

/**
 * Rewords a request-validation error of service (its signing name) as the service words it:
 * Organizations answers InvalidInputException with the text of the reason (INVALID_ENUM,
 * INVALID_PATTERN, ...) instead of the generic "N validation errors detected" list. Other
 * services' errors are left as they are. Never fails.
 */
void cpw_sbx_org_validation_message(const char *service, struct cpw_aws_error *err);

/** True for the operations AWS serves without a signature (sts:AssumeRoleWithWebIdentity,
 * sts:AssumeRoleWithSAML); the HTTP front end dispatches them unsigned. */
bool cpw_sbx_unsigned_operation(const char *service, const char *operation);

/* The HTTP front end places an unsigned request in its role's partition (partition.c). */
/** The partition of arn ("arn:aws-cn:..." -> "aws-cn") into out, or false when not an ARN. */
bool cpw_sbx_arn_partition(const char *arn, char *out, size_t cap);
/** A region of partition (its first listed one: "cn-north-1" for "aws-cn"), or NULL. Static. */
const char *cpw_sbx_partition_region(const char *partition);

/* ----- credentials, for the SigV4 verifier ------------------------------------------------- */

struct cpw_sbx_credentials {
    char access_key_id[32];
    char secret_access_key[64]; /* wiped by cpw_sbx_credentials_clean_up */
    char session_token[512];    /* "" for long-term keys; else the request must carry it */
    int64_t expires_ms;         /* 0: never */
    bool expired;               /* temporary credentials past expires_ms: answer ExpiredToken */
    char account_id[16];
    char principal_arn[512];
    char user_id[256]; /* root: account id; user: AIDA...; role: AROA...:session */
};

/**
 * Finds the credentials of an access key id as of now_ms. Returns 0 (out filled; out->expired
 * tells whether temporary credentials have run out), or -1 with CPW_ERR_SIGV4_UNKNOWN_KEY for an
 * unknown or deleted key, or CPW_ERR_STORE. Thread-safe.
 */
int cpw_sbx_credentials_lookup(struct cpw_sbx *sbx,
                               const char *access_key_id,
                               int64_t now_ms,
                               struct cpw_sbx_credentials *out);

/** Wipes the secret and session token of out. */
void cpw_sbx_credentials_clean_up(struct cpw_sbx_credentials *creds);

/**
 * Fills caller from creds (borrowing its strings) with the given region, source ip and user
 * agent (borrowed; user_agent may be NULL). creds must outlive caller.
 */
void cpw_sbx_caller_from_credentials(const struct cpw_sbx_credentials *creds,
                                     const char *region,
                                     const char *source_ip,
                                     const char *user_agent,
                                     struct cpw_sbx_caller *caller);

/* ----- scenarios --------------------------------------------------------------------------- */

/**
 * Loads a scenario document (docs/sandbox-scenarios.md) in one transaction: accounts, an
 * organization, users with access keys, roles and service-linked roles, Connect instances,
 * Customer Profiles domains and realism knobs (sbx_realism.h). On a bad element nothing
 * is changed and -1 is returned with CPW_ERR_CONFIG and a detail naming the element's path
 * ("$.roles[1].name: ..."). Borrows scenario. Thread-safe.
 */
int cpw_sbx_load_scenario(struct cpw_sbx *sbx, const json_t *scenario);

/* ----- service registration ---------------------------------------------------------------- */

/* One request in flight, handed to operation handlers (see sbx_service.h for its accessors). */
struct cpw_sbx_ctx;

/**
 * An operation handler: reads input (borrowed; may be an empty object), answers 0 with *output
 * (owned, handed to dispatch), 1 after cpw_sbx_fail(), or -1 after cpw_raise(). It runs inside
 * the request's transaction (it must not call back into dispatch): everything it writes is undone
 * on 1 or -1. Reads may run on a read connection, which refuses writes: the request then runs
 * again on the writer, so a read handler must have no effect outside the database.
 */
typedef int (*cpw_sbx_op_fn)(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);

struct cpw_sbx_op {
    const char *name; /* model operation name */
    cpw_sbx_op_fn fn;
};

struct cpw_sbx_service {
    const char *signing_name; /* "profile" */
    const char *model_name;   /* "customer-profiles": to tell modeled-but-missing operations */
    const char *event_source; /* "profile.amazonaws.com" */
    bool global;              /* events recorded in us-east-1 (IAM, STS, Organizations) */
    const struct cpw_sbx_op *ops;
    size_t op_count;
    const char *schema_sql; /* CREATE TABLE IF NOT EXISTS ... run at registration; may be NULL */
    /* more statements run after schema_sql (C caps one string literal at 4095 characters) */
    const char *schema_sql_more;
};

/**
 * Adds a service to sbx (service and everything it points to are borrowed and must outlive sbx;
 * use static storage). Runs its schema. A second registration of the same signing name replaces
 * the first. Returns 0, or -1 (CPW_ERR_LIMIT past 16 services, CPW_ERR_STORE). Call before
 * serving requests (not thread-safe against dispatch).
 */
int cpw_sbx_register_service(struct cpw_sbx *sbx, const struct cpw_sbx_service *service);

/**
 * Asked when a service-linked role deletion task comes due: append to role_usage_list one
 * {"Region": "...", "Resources": ["arn", ...]} object per region where a resource still uses the
 * role (nothing appended: the role may go). Returns 0 or -1 (raised). Runs inside the request's
 * transaction, under the sandbox's mutex: it may read and write the state through ctx (see
 * sbx_service.h) but must not call cpw_sbx_dispatch() or cpw_sbx_credentials_lookup().
 */
typedef int (*cpw_sbx_role_usage_fn)(void *user,
                                     struct cpw_sbx_ctx *ctx,
                                     const char *account_id,
                                     const char *role_arn,
                                     json_t *role_usage_list);

/**
 * Registers the usage hook of the service whose principal is service_principal
 * ("profile.amazonaws.com"); user is passed back. Replaces an earlier hook of that principal.
 * Returns 0 or -1 (CPW_ERR_LIMIT). Call before serving requests.
 */
int cpw_sbx_register_role_usage_hook(struct cpw_sbx *sbx,
                                     const char *service_principal,
                                     cpw_sbx_role_usage_fn fn,
                                     void *user);

#endif
