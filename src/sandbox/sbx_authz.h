/*
 * sbx_authz.h - authorization of the sandbox's requests (internal to src/sandbox/).
 *
 * Every signed request is authorized before its handler runs, the way AWS documents its policy
 * evaluation logic: dispatch asks cpw_sbx_authorize() inside the request's transaction (under the
 * same store handle and lock the handlers use). The decision itself comes from the aws layer's
 * policy engine (cpw/iam_policy.h); this module knows which IAM action and resource ARN each
 * operation stands for (authz_actions.c, after the Service Authorization Reference), which
 * policies apply to the caller (authz.c: identity, groups, boundary, session policies, the SCPs
 * of every OU from the root to the account), and the request's condition keys.
 */
#ifndef CPW_SANDBOX_SBX_AUTHZ_H
#define CPW_SANDBOX_SBX_AUTHZ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "cpw/buf.h"
#include "cpw/iam_policy.h"
#include "sbx.h"

struct cpw_sbx_ctx;

/*
 * One operation the sandbox routes: its IAM action and the resource ARN it acts on, as a
 * template. Placeholders: ${Partition}, ${Region}, ${Account} (the caller's), ${Member} (the
 * input's string member; "*" when absent), and looked-up ARNs: ${Role}, ${User}, ${Group},
 * ${InstanceProfile} (from RoleName, UserName (the caller's own user when absent), GroupName,
 * InstanceProfileName), ${KeyUser} (the user owning AccessKeyId), ${TaskRole} (the role of a
 * DeletionTaskId), ${OrgTarget:Member} (an Organizations root, OU or account id),
 * ${OrgPolicy:Member}, ${Trail:Member} (a trail name or ARN), ${AccountArn} (the account, or
 * with AccountId the account in the organization). A template "*" is an action that supports no
 * resource type; resource NULL marks an operation AWS serves without authorization
 * (sts:GetCallerIdentity, sts:GetSessionToken, the unsigned AssumeRoleWith* calls).
 */
struct cpw_sbx_authz_row {
    const char *service;   /* signing name: "iam", "monitoring", "profile", ... */
    const char *operation; /* model operation name */
    const char *action;    /* NULL: "<prefix>:<operation>" */
    const char *resource;  /* template, "*", or NULL (not authorized) */
};

/** The row of service/operation, or NULL when the table has none. Static data. */
const struct cpw_sbx_authz_row *cpw_sbx_authz_row_find(const char *service, const char *operation);

/** Number of rows and the i-th row (NULL past the end), for coverage checks. Static data. */
size_t cpw_sbx_authz_row_count(void);
const struct cpw_sbx_authz_row *cpw_sbx_authz_row_at(size_t i);

/** The IAM service prefix of a signing name ("monitoring" -> "cloudwatch"). Static. */
const char *cpw_sbx_authz_prefix(const char *service);

/** Writes the row's action ("profile:DeleteDomain") into out (cap bytes). Returns 0 or -1. */
int cpw_sbx_authz_action(const struct cpw_sbx_authz_row *row, char *out, size_t cap);

/**
 * Expands the row's resource template for the request in ctx and its input into out (appended).
 * Returns 0 or -1 (raised: CPW_ERR_LIMIT, CPW_ERR_STORE).
 */
int cpw_sbx_authz_resource(struct cpw_sbx_ctx *ctx,
                           const struct cpw_sbx_authz_row *row,
                           const json_t *input,
                           struct cpw_buf *out);

/* ----- authorization (authz.c) ------------------------------------------------------------- */

struct cpw_sbx_authz; /* the parsed-policy cache (opaque) */
struct cpw_sbx;

/* cpw_sbx_authz_open / cpw_sbx_authz_close: declared in sbx_service.h for state.c. */

/**
 * cpw_sbx_sql_query on ctx's connection (its kept statements). Release with
 * cpw_sbx_authz_finish, not sqlite3_finalize. Returns NULL with CPW_ERR_STORE.
 */
sqlite3_stmt *cpw_sbx_authz_query(struct cpw_sbx_ctx *ctx, const char *sql, const char *types, ...);

/** cpw_sbx_sql_done. */
void cpw_sbx_authz_finish(struct cpw_sbx_ctx *ctx, sqlite3_stmt *stmt);

/** Documents parsed so far (the cache's misses), for tests and measurements. Thread-safe. */
uint64_t cpw_sbx_authz_parse_count(struct cpw_sbx *sbx);

/**
 * Authorizes the request of ctx (dispatch calls it inside the request's transaction, before the
 * handler). Returns 0 allowed (also with the authz knob off and for operations served without
 * authorization), 1 denied with AccessDenied / AccessDeniedException in ctx->err and AWS's
 * message, or -1 (raised).
 */
int cpw_sbx_authorize(struct cpw_sbx_ctx *ctx);

/**
 * Stores AssumeRole's session policies (input's Policy and PolicyArns) with the temporary
 * credentials access_key_id. Nothing is stored when the input has neither. Returns 0 or -1.
 */
int cpw_sbx_authz_save_session(struct cpw_sbx_ctx *ctx,
                               const char *access_key_id,
                               const json_t *input);

/**
 * The document of a managed policy ARN (AWS managed or the default version of a customer
 * managed one) appended to out: 1 found, 0 no such policy, -1 (raised).
 */
int cpw_sbx_authz_managed_document(struct cpw_sbx_ctx *ctx, const char *arn, struct cpw_buf *out);

/* Who is evaluated: a caller, or the principal SimulatePrincipalPolicy names. */
struct cpw_sbx_authz_subject {
    enum cpw_iam_principal_kind kind;
    char arn[512]; /* as AWS names the caller in messages */
    char account[16];
    char name[128];         /* user name or role name; "" for root */
    char role_arn[512];     /* role sessions: the role (filled by gather); else "" */
    char access_key_id[32]; /* the credentials (session policies); may be "" */
};

/** Fills out from a principal ARN (user, role, assumed-role session, root). Returns 0. */
int cpw_sbx_authz_subject_parse(const char *principal_arn,
                                const char *account,
                                const char *access_key_id,
                                struct cpw_sbx_authz_subject *out);

#define CPW_SBX_AUTHZ_MAX_IDENTITY  64
#define CPW_SBX_AUTHZ_MAX_BOUNDARY  1
#define CPW_SBX_AUTHZ_MAX_SESSION   11 /* one inline policy and ten PolicyArns */
#define CPW_SBX_AUTHZ_MAX_LEVELS    8  /* root, five levels of OUs, the account */
#define CPW_SBX_AUTHZ_MAX_PER_LEVEL 8  /* AWS allows five SCPs per target */
#define CPW_SBX_AUTHZ_MAX_HELD      160

/* A cached parsed policy (authz_cache.c); policy NULL when the document does not parse. */
struct cpw_sbx_authz_entry {
    uint64_t hash;
    struct cpw_iam_policy *policy; /* NULL: the document does not parse */
    unsigned refs;                 /* requests holding it: it stays in place until 0 */
    bool used;
};

/**
 * The cached policy keyed by (type, id, key), parsed from text (or, when text is NULL, from
 * column 1 of stmt) on a miss; held (refs + 1) until cpw_sbx_authz_release. NULL when every
 * cache slot is held. Thread-safe.
 */
struct cpw_sbx_authz_entry *cpw_sbx_authz_acquire(struct cpw_sbx_authz *cache,
                                                  enum cpw_iam_policy_type type,
                                                  const char *id,
                                                  const char *key,
                                                  sqlite3_stmt *stmt,
                                                  const char *text);

/** Gives back an entry cpw_sbx_authz_acquire returned. Thread-safe. */
void cpw_sbx_authz_release(struct cpw_sbx_authz *cache, struct cpw_sbx_authz_entry *entry);

/* The policies that apply to a subject, held from the cache until released. */
struct cpw_sbx_authz_set {
    struct cpw_sbx_authz *cache;
    struct cpw_sbx_authz_entry *held[CPW_SBX_AUTHZ_MAX_HELD];
    size_t held_count;
    const struct cpw_iam_policy *identity[CPW_SBX_AUTHZ_MAX_IDENTITY];
    size_t identity_count;
    const struct cpw_iam_policy *boundary[CPW_SBX_AUTHZ_MAX_BOUNDARY];
    size_t boundary_count;
    bool has_boundary;
    const struct cpw_iam_policy *session[CPW_SBX_AUTHZ_MAX_SESSION];
    size_t session_count;
    bool has_session;
    const struct cpw_iam_policy *scp[CPW_SBX_AUTHZ_MAX_LEVELS][CPW_SBX_AUTHZ_MAX_PER_LEVEL];
    size_t scp_counts[CPW_SBX_AUTHZ_MAX_LEVELS];
    char scp_targets[CPW_SBX_AUTHZ_MAX_LEVELS][72];
    struct cpw_iam_org_level levels[CPW_SBX_AUTHZ_MAX_LEVELS];
    size_t scp_level_count;
    char org_id[64];                  /* the account's organization, "" when none */
    bool management_account;          /* the subject's account manages the organization */
    struct cpw_iam_policy_set engine; /* points into the arrays above */
};

/**
 * Gathers the policies of subject (identity, groups, boundary, session, SCP levels) into set;
 * fills subject->role_arn for role sessions. Returns 0 (release with cpw_sbx_authz_set_release)
 * or -1 (raised; nothing held).
 */
int cpw_sbx_authz_gather(struct cpw_sbx_ctx *ctx,
                         struct cpw_sbx_authz_subject *subject,
                         struct cpw_sbx_authz_set *set);

/** Releases what set holds from the cache. */
void cpw_sbx_authz_set_release(struct cpw_sbx_authz_set *set);

/** The engine's principal for subject (borrows subject's strings). */
void cpw_sbx_authz_principal(const struct cpw_sbx_authz_subject *subject,
                             const struct cpw_sbx_authz_set *set,
                             struct cpw_iam_principal *out);

/** Adds the principal's and the request's global condition keys (aws:PrincipalArn, ...). */
int cpw_sbx_authz_base_context(struct cpw_sbx_ctx *ctx,
                               const struct cpw_sbx_authz_subject *subject,
                               const struct cpw_sbx_authz_set *set,
                               struct cpw_iam_context *context);

/** Adds the keys the input of service:operation carries (tags, iam:PolicyARN, ...). */
int cpw_sbx_authz_request_context(struct cpw_sbx_ctx *ctx,
                                  const char *service,
                                  const char *operation,
                                  const json_t *input,
                                  struct cpw_iam_context *context);

#endif
