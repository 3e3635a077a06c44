/*
 * sbx_service.h - what the sandbox's service files share (internal to src/sandbox/).
 *
 * The state store (state.c), the request context handed to operation handlers, SQL helpers,
 * identifier generators, CloudTrail recording and the IAM helpers other services reuse (creating
 * roles, service-linked roles). Everything here runs inside the request's transaction, on the
 * connection in ctx->db (the writer, under the sandbox's lock, or a read connection taken for the
 * request alone: see sbx_state.h): none of it is thread-safe on its own.
 */
#ifndef CPW_SANDBOX_SBX_SERVICE_H
#define CPW_SANDBOX_SBX_SERVICE_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>

#include "cpw/buf.h"
#include "cpw/json.h"
#include "sbx.h"

#define CPW_SBX_MAX_SERVICES   16
#define CPW_SBX_MAX_HOOKS      8
#define CPW_SBX_SCHEMA_VERSION 1

struct cpw_sbx_hook {
    char principal[128];
    cpw_sbx_role_usage_fn fn;
    void *user;
};

struct cpw_sbx_realism; /* knobs and rate-limit state (sbx_knobs.c) */

struct cpw_sbx_readers; /* the read connections (state.c, sbx_state.h) */

struct cpw_sbx {
    sqlite3 *db;          /* the writer connection */
    pthread_mutex_t lock; /* the writer's: held for every write transaction */
    struct cpw_sbx_readers *readers;
    char *tmp_dir; /* the private directory of an "in-memory" sandbox's database; owned */
    /* read by requests on read connections while cpw_sbx_set_knobs may change them */
    _Atomic int64_t slr_deletion_delay_ms;
    _Atomic int64_t create_account_delay_ms;
    const struct cpw_sbx_service *services[CPW_SBX_MAX_SERVICES];
    size_t service_count;
    struct cpw_sbx_hook hooks[CPW_SBX_MAX_HOOKS];
    size_t hook_count;
    struct cpw_sbx_realism *realism;
    struct cpw_sbx_authz *authz; /* authorization: the parsed-policy cache (authz.c) */
};

struct cpw_sbx_ctx {
    struct cpw_sbx *sbx;
    sqlite3 *db;
    const struct cpw_sbx_request *req;
    struct cpw_sbx_error *err;
    json_t *resources; /* [{"ResourceType", "ResourceName"}] for the CloudTrail event; owned */
};

/*
 * Authorization (authz.c, sbx_authz.h): cpw_sbx_open creates its tables and parsed-policy cache
 * inside the schema transaction (0 or -1); cpw_sbx_close frees them (NULL-safe).
 */
int cpw_sbx_authz_open(struct cpw_sbx *sbx);
void cpw_sbx_authz_close(struct cpw_sbx *sbx);

/* The built-in services (one per file). */
extern const struct cpw_sbx_service cpw_sbx_iam_service;
extern const struct cpw_sbx_service cpw_sbx_sts_service;
extern const struct cpw_sbx_service cpw_sbx_organizations_service;
extern const struct cpw_sbx_service cpw_sbx_cloudtrail_service;
extern const struct cpw_sbx_service cpw_sbx_account_service;
extern const struct cpw_sbx_service cpw_sbx_cloudwatch_service;

/*
 * IAM's operation handlers (cpw_sbx_op_fn: 0 output, 1 AWS error in ctx->err, -1 raised), one per
 * model operation of the same name. They live in iam_role_policies.c, iam_users.c and
 * iam_slr.c; iam_roles.c owns the operation table.
 */
int cpw_sbx_iam_attach_role_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_detach_role_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_list_attached_role_policies(struct cpw_sbx_ctx *ctx,
                                            const json_t *input,
                                            json_t **output);
int cpw_sbx_iam_put_role_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_get_role_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_delete_role_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_list_role_policies(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_tag_role(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_untag_role(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_list_role_tags(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_create_user(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_get_user(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_list_users(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_delete_user(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_create_access_key(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_list_access_keys(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_delete_access_key(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_create_slr_op(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_delete_slr_op(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_slr_status_op(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);

/**
 * Finds role name of the caller's account: 0 found (its service principal, "" for ordinary
 * roles, copied to slr_principal when not NULL), 1 NoSuchEntity answered, -1.
 */
int cpw_sbx_iam_need_role(struct cpw_sbx_ctx *ctx,
                          const char *name,
                          char *slr_principal,
                          size_t cap);
/** Like cpw_sbx_iam_need_role, and answers UnmodifiableEntity for service-linked roles. */
int cpw_sbx_iam_need_modifiable_role(struct cpw_sbx_ctx *ctx, const char *name);
/** Which IAM grammar a policy document is held to (iam_policy_check.c). */
enum cpw_sbx_policy_kind {
    CPW_SBX_POLICY_IDENTITY = 0, /* a managed or inline permissions policy: no Principal */
    CPW_SBX_POLICY_TRUST,        /* a role's trust policy: Principal required, no Resource */
};
/**
 * 0 when IAM accepts document as a policy of kind, else 1 with MalformedPolicyDocument answered
 * in IAM's words (cpw_sbx_iam_policy_problem), or -1.
 */
int cpw_sbx_iam_check_policy(struct cpw_sbx_ctx *ctx,
                             const char *document,
                             enum cpw_sbx_policy_kind kind);
/** text URL-encoded as IAM returns policy documents, as a new json string (owned). */
json_t *cpw_sbx_iam_url_encoded(const char *text);
/**
 * IAM list paging: validates MaxItems (1-1000, default 100) into *max_items and decodes Marker
 * into after (caller's buffer: the first name to return). Returns 0, or 1 with the AWS error.
 */
int cpw_sbx_iam_page_start(struct cpw_sbx_ctx *ctx,
                           const json_t *input,
                           struct cpw_buf *after,
                           int64_t *max_items);
/** Sets result's Marker to the opaque form of the next name to return. */
void cpw_sbx_iam_page_marker(json_t *result, const char *next_name);
/** One element of a list page (owned) from the current row; arg is the caller's. */
typedef json_t *(*cpw_sbx_iam_row_fn)(sqlite3_stmt *stmt, void *arg);
/**
 * The page an IAM Marker/MaxItems list answers: steps stmt (ordered by its column marker_col,
 * LIMIT max_items + 1), puts row(stmt, arg) of the first max_items rows in a list under
 * list_key, and the next row's Marker and IsTruncated beside it. Releases stmt (NULL: -1).
 * Returns 0 with *out (owned) or -1.
 */
int cpw_sbx_iam_page_answer(sqlite3_stmt *stmt,
                            const char *list_key,
                            int64_t max_items,
                            int marker_col,
                            cpw_sbx_iam_row_fn row,
                            void *arg,
                            json_t **out);
/** Adds the role to the CloudTrail resources of the request. */
void cpw_sbx_iam_add_role_resource(struct cpw_sbx_ctx *ctx, const char *name);

/*
 * Tags of roles, managed policies and instance profiles (iam_tags.c), a JSON array of
 * {"Key","Value"} in stored order. Keys are case-insensitive, as in IAM.
 * tags_check answers InvalidInput when a request names a key twice: 0, or 1 answered.
 * tags_merge adds add to tags (an existing key is replaced in place) and answers LimitExceeded
 * past 50 tags: 0, or 1 answered (tags then partly merged: discard it).
 * tags_remove drops the tags whose keys are in keys. tags_page answers a List*Tags page of tags
 * (MaxItems, Marker) in *output (owned): 0, or 1 answered.
 */
int cpw_sbx_iam_tags_check(struct cpw_sbx_ctx *ctx, const json_t *tags);
int cpw_sbx_iam_tags_merge(struct cpw_sbx_ctx *ctx, json_t *tags, const json_t *add);
void cpw_sbx_iam_tags_remove(json_t *tags, const json_t *keys);
int cpw_sbx_iam_tags_page(struct cpw_sbx_ctx *ctx,
                          const json_t *tags,
                          const json_t *input,
                          json_t **output);

/** Inserts an IAM user (0, 1 name taken, -1); *user (owned) gets the User document if asked. */
int cpw_sbx_iam_insert_user(sqlite3 *db,
                            const char *account_id,
                            const char *name,
                            const char *path,
                            int64_t now_ms,
                            json_t **user);
/**
 * Adds an access key for a user (or, with user_name NULL, root). access_key_id/secret NULL:
 * generated. *key (owned, may be NULL) gets the AccessKey document with the secret.
 * Returns 0, 1 (key id taken) or -1.
 */
int cpw_sbx_iam_insert_access_key(sqlite3 *db,
                                  const char *account_id,
                                  const char *user_name,
                                  const char *access_key_id,
                                  const char *secret,
                                  int64_t now_ms,
                                  json_t **key);

/* An AWS managed policy (iam_aws_policies.c): static data, the same in every account. */
struct cpw_sbx_aws_policy {
    const char *name;       /* "AdministratorAccess" */
    const char *path;       /* "/" or "/aws-service-role/" */
    const char *policy_id;  /* "ANPA..." */
    const char *version_id; /* the default (and only) version: "v4" */
    const char *created;    /* ISO 8601 */
    const char *updated;    /* ISO 8601 */
    const char *description;
    const char *document; /* the JSON policy document */
    bool service_linked;  /* attachable to service-linked roles only */
};

/** Number of AWS managed policies, and the i-th (NULL past the end). */
size_t cpw_sbx_aws_policy_count(void);
const struct cpw_sbx_aws_policy *cpw_sbx_aws_policy_at(size_t i);
/** The AWS managed policy of arn (any partition), or NULL. */
const struct cpw_sbx_aws_policy *cpw_sbx_aws_policy_find(const char *arn);

/*
 * Managed policies (iam_policies.c). cpw_sbx_iam_need_policy answers NoSuchEntity ("Policy ARN
 * does not exist or is not attachable.") unless arn names an AWS managed policy or a customer
 * managed policy of the caller's account: 0 exists, 1 answered, -1.
 */
int cpw_sbx_iam_need_policy(struct cpw_sbx_ctx *ctx, const char *arn);
/** The customer managed policy arn of the caller's account: 1 found (name copied), 0, -1. */
int cpw_sbx_iam_find_local_policy(struct cpw_sbx_ctx *ctx, const char *arn, char *name, size_t cap);
/** Like need_policy, for customer managed policies only (AWS ones are read-only): 0, 1, -1. */
int cpw_sbx_iam_need_local_policy(struct cpw_sbx_ctx *ctx, const char *arn, char *name, size_t cap);
/** Answers NoSuchEntity for the policy arn; returns 1. */
int cpw_sbx_iam_no_policy(struct cpw_sbx_ctx *ctx, const char *arn);
/** A managed policy document: JSON and within IAM's size quota. 0, or 1 answered. */
int cpw_sbx_iam_check_policy_document(struct cpw_sbx_ctx *ctx, const char *document);
int cpw_sbx_iam_create_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_get_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_delete_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_list_policies(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
/* Policy versions (iam_policy_versions.c). */
int cpw_sbx_iam_create_policy_version(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_get_policy_version(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_list_policy_versions(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_delete_policy_version(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_set_default_policy_version(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_tag_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_untag_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_list_policy_tags(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_list_entities_for_policy(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_attach_user_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_detach_user_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_list_attached_user_policies(struct cpw_sbx_ctx *ctx,
                                            const json_t *in,
                                            json_t **out);
int cpw_sbx_iam_attach_group_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_detach_group_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_list_attached_group_policies(struct cpw_sbx_ctx *ctx,
                                             const json_t *in,
                                             json_t **out);

/*
 * Groups and user extras (iam_groups.c): groups, membership, group inline policies, user inline
 * policies, tags and login profiles, access-key state, instance profiles, account summary and
 * password policy.
 */
int cpw_sbx_iam_create_group(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_get_group(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_list_groups(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_delete_group(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_add_user_to_group(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_remove_user_from_group(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_list_groups_for_user(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_put_group_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_get_group_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_delete_group_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_list_group_policies(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_put_user_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_get_user_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_delete_user_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_list_user_policies(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);

/*
 * Users' tags and login profiles, access-key state, instance profiles, account summary and
 * password policy (iam_accounts.c).
 */
int cpw_sbx_iam_tag_user(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_untag_user(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_list_user_tags(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_create_login_profile(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_get_login_profile(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_update_login_profile(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_delete_login_profile(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_update_access_key(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_get_access_key_last_used(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_get_account_summary(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_get_account_password_policy(struct cpw_sbx_ctx *ctx,
                                            const json_t *in,
                                            json_t **out);
int cpw_sbx_iam_update_account_password_policy(struct cpw_sbx_ctx *ctx,
                                               const json_t *in,
                                               json_t **out);
int cpw_sbx_iam_delete_account_password_policy(struct cpw_sbx_ctx *ctx,
                                               const json_t *in,
                                               json_t **out);
/*
 * IAM identities: renaming users and groups (iam_users.c, iam_groups.c), MFA devices
 * (iam_mfa.c), SSH public keys (iam_ssh_keys.c) and the credential report
 * (iam_credential_report.c). cpw_sbx_iam_identity_schema creates their tables.
 */
extern const char cpw_sbx_iam_identity_schema[];
int cpw_sbx_iam_update_user(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_update_group(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_sbx_iam_create_virtual_mfa_device(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_delete_virtual_mfa_device(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_list_virtual_mfa_devices(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_enable_mfa_device(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_deactivate_mfa_device(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_list_mfa_devices(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_upload_ssh_public_key(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_get_ssh_public_key(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_list_ssh_public_keys(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_update_ssh_public_key(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_delete_ssh_public_key(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_generate_credential_report(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_get_credential_report(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
/*
 * Permissions boundaries and the policy simulator (authz_iam.c). on_create stores CreateRole's /
 * CreateUser's PermissionsBoundary (0, 1 answered NoSuchEntity, -1) and shows it in doc;
 * describe adds PermissionsBoundary to a GetRole / GetUser document (0 or -1).
 */
int cpw_sbx_iam_put_role_permissions_boundary(struct cpw_sbx_ctx *ctx,
                                              const json_t *in,
                                              json_t **out);
int cpw_sbx_iam_delete_role_permissions_boundary(struct cpw_sbx_ctx *ctx,
                                                 const json_t *in,
                                                 json_t **out);
int cpw_sbx_iam_put_user_permissions_boundary(struct cpw_sbx_ctx *ctx,
                                              const json_t *in,
                                              json_t **out);
int cpw_sbx_iam_delete_user_permissions_boundary(struct cpw_sbx_ctx *ctx,
                                                 const json_t *in,
                                                 json_t **out);
int cpw_sbx_iam_simulate_principal_policy(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_simulate_custom_policy(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_authz_boundary_on_create(struct cpw_sbx_ctx *ctx,
                                     bool role,
                                     const char *name,
                                     const json_t *input,
                                     json_t *doc);
int cpw_sbx_authz_boundary_describe(struct cpw_sbx_ctx *ctx,
                                    bool role,
                                    const char *name,
                                    json_t *doc);

/* Instance profiles (iam_instance_profiles.c) and SAML providers (iam_saml_providers.c). */
int cpw_sbx_iam_create_instance_profile(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_get_instance_profile(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_delete_instance_profile(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_list_instance_profiles(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_add_role_to_instance_profile(struct cpw_sbx_ctx *ctx,
                                             const json_t *in,
                                             json_t **out);
int cpw_sbx_iam_remove_role_from_instance_profile(struct cpw_sbx_ctx *ctx,
                                                  const json_t *in,
                                                  json_t **out);
int cpw_sbx_iam_list_instance_profiles_for_role(struct cpw_sbx_ctx *ctx,
                                                const json_t *in,
                                                json_t **out);
int cpw_sbx_iam_tag_instance_profile(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_untag_instance_profile(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_list_instance_profile_tags(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_create_saml_provider(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_get_saml_provider(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_update_saml_provider(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_list_saml_providers(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);
int cpw_sbx_iam_delete_saml_provider(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out);

/** GetAccountAuthorizationDetails (iam_authz_details.c): one page with every entity. */
int cpw_sbx_iam_get_account_authorization_details(struct cpw_sbx_ctx *ctx,
                                                  const json_t *in,
                                                  json_t **out);
/**
 * Records that the caller's access key signed a request for service (GetAccessKeyLastUsed):
 * dispatch calls it for every request. Returns 0 or -1.
 */
int cpw_sbx_iam_note_key_use(struct cpw_sbx_ctx *ctx);

/* ----- partitions (partition.c) ------------------------------------------------------------ */

/** The ARN partition of region ("aws", "aws-cn", "aws-us-gov"; "aws" when unknown). Static. */
const char *cpw_sbx_partition(const char *region);
/** The ARN partition of the request's signing region. Static. */
const char *cpw_sbx_ctx_partition(const struct cpw_sbx_ctx *ctx);
/**
 * arn with its partition replaced by partition ("arn:aws:iam::A:root" -> "arn:aws-cn:iam::A:root"),
 * into out (cap bytes). An ARN is answered in the partition of the request that asks for it.
 * Returns 0, or -1 (CPW_ERR_INVALID_ARGUMENT) when arn is not "arn:PARTITION:..." or does not fit.
 */
int cpw_sbx_partition_arn(const char *partition, const char *arn, char *out, size_t cap);

/* ----- errors ------------------------------------------------------------------------------ */

/** Sets ctx->err to an AWS error (Sender fault) and returns 1. */
int cpw_sbx_fail(struct cpw_sbx_ctx *ctx, long status, const char *code, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));

/* ----- SQL --------------------------------------------------------------------------------- */

/**
 * A statement for sql (the first statement of the text) with the varargs bound by types: 's'
 * text (NULL binds NULL, copied), 'i' int64_t. On the sandbox's connections the statement is
 * the one prepared by an earlier call with the same text, kept by the connection (sql.c): do
 * not finalize it, and release it with cpw_sbx_sql_done before the connection changes hands
 * (the end of the request). sql may be any text (the cache keeps a copy). Used by the thread
 * holding db. Returns the statement or NULL with CPW_ERR_STORE.
 */
sqlite3_stmt *cpw_sbx_sql_query(sqlite3 *db, const char *sql, const char *types, ...);
/** cpw_sbx_sql_query with a va_list. */
sqlite3_stmt *cpw_sbx_sql_vquery(sqlite3 *db, const char *sql, const char *types, va_list ap);
/** Releases a statement from cpw_sbx_sql_query: resets it and clears its bindings when the
 * connection keeps it, finalizes it otherwise (NULL is a no-op). */
void cpw_sbx_sql_done(sqlite3_stmt *stmt);
/** Like cpw_sbx_sql_query, steps to completion, releases. Returns sqlite3_changes() or -1. */
int cpw_sbx_sql_do(sqlite3 *db, const char *sql, const char *types, ...);
/** Steps: 1 a row, 0 done, -1 (CPW_ERR_STORE). */
int cpw_sbx_sql_step(sqlite3_stmt *stmt);
/** Column i as text ("" for NULL; borrowed until the next step). */
const char *cpw_sbx_col(sqlite3_stmt *stmt, int i);
/** Runs a statement list without parameters (a text without ';', one statement, through the
 * connection's kept statements). Returns 0 or -1 (CPW_ERR_STORE). */
int cpw_sbx_sql_exec(sqlite3 *db, const char *sql);

/* ----- identifiers and times --------------------------------------------------------------- */

/** n random characters of alphabet into out (n+1 bytes). Returns 0 or -1. */
int cpw_sbx_random_chars(char *out, size_t n, const char *alphabet);
#define CPW_SBX_UPPER_ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
#define CPW_SBX_ALNUM       "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define CPW_SBX_LOWER_ALNUM "abcdefghijklmnopqrstuvwxyz0123456789"
/** A random UUID v4 into out (37 bytes). Returns 0 or -1. */
int cpw_sbx_uuid(char out[37]);
/** "YYYY-MM-DDTHH:MM:SSZ" of epoch ms as a new json string (owned). */
json_t *cpw_sbx_time_json(int64_t epoch_ms);

/* ----- input documents --------------------------------------------------------------------- */

/** The string member key of input, or NULL when absent or not a string. Borrowed. */
const char *cpw_sbx_in_str(const json_t *input, const char *key);
/** The integer member key (a JSON integer or a decimal string), or def when absent. */
int cpw_sbx_in_int(const json_t *input, const char *key, int64_t def, int64_t *out);
/** An epoch ms from a number (epoch seconds) or an ISO 8601 string; 0 absent, 1 bad, 2 set. */
int cpw_sbx_in_time(const json_t *input, const char *key, int64_t *out_ms);

/** True when name has min..max characters of IAM's [\w+=,.@-] (role, user, policy, session). */
bool cpw_sbx_name_ok(const char *name, size_t min, size_t max);
/** True for a 12-digit account id. */
bool cpw_sbx_is_account_id(const char *s);

/* ----- accounts ---------------------------------------------------------------------------- */

/** 1 when the account exists, 0 when not, -1 (raised). */
int cpw_sbx_account_exists(sqlite3 *db, const char *account_id);
/** Creates an account (ignored when it exists). Returns 0 or -1. */
int cpw_sbx_account_create(sqlite3 *db,
                           const char *account_id,
                           const char *name,
                           const char *email,
                           int64_t now_ms);

/* ----- regions (account.c) ----------------------------------------------------------------- */

/**
 * The opt-in status of region for account_id at now_ms, as ListRegions reports it (static
 * string): ENABLED_BY_DEFAULT for a region that is not opt-in, else ENABLED, ENABLING,
 * DISABLING or DISABLED (never enabled). Returns 0 or -1 (raised).
 */
int cpw_sbx_region_status(sqlite3 *db,
                          const char *account_id,
                          const char *region,
                          int64_t now_ms,
                          const char **status);

/**
 * Sets an opt-in region of account_id to enabled (or disabled), reached at settles_ms (before
 * then it reports ENABLING / DISABLING). Returns 0 or -1.
 */
int cpw_sbx_region_set(sqlite3 *db,
                       const char *account_id,
                       const char *region,
                       bool enabled,
                       int64_t settles_ms);

/**
 * Answers for a regional request (every service but the global ones and STS) in a region the
 * caller's account cannot use: with the service_regions knob, 403 InvalidSignatureException when
 * the service is not offered there; an opt-in region that is not ENABLED for the account answers
 * 403 UnrecognizedClientException (or as the opt_in_error knob says). Returns 0 (go on), 1
 * (answered in ctx->err) or -1.
 */
int cpw_sbx_region_gate(struct cpw_sbx_ctx *ctx, const struct cpw_sbx_service *service);

/* ----- CloudTrail -------------------------------------------------------------------------- */

/** Adds {"ResourceType": type, "ResourceName": name} to the event of this request. */
void cpw_sbx_add_resource(struct cpw_sbx_ctx *ctx, const char *type, const char *name);

/* An event a service makes itself (e.g. creating its service-linked role). */
struct cpw_sbx_service_event {
    const char *account_id;   /* recipient account */
    const char *event_source; /* "iam.amazonaws.com" */
    const char *event_name;   /* "CreateServiceLinkedRole" */
    const char *region;       /* "us-east-1" for IAM */
    const char *invoked_by;   /* "profile.amazonaws.com" */
    const json_t *request;    /* input document (model member names), borrowed, may be NULL */
    const json_t *response;   /* output document, borrowed, may be NULL */
    const json_t *resources;  /* [{"ResourceType","ResourceName"}], borrowed, may be NULL */
    const char *error_code;   /* NULL on success */
    const char *error_message;
};

/** Records a service-made event (userIdentity type AWSService). Returns 0 or -1. */
int cpw_sbx_record_service_event(struct cpw_sbx_ctx *ctx, const struct cpw_sbx_service_event *ev);

/**
 * Records the event of the caller's request (dispatch calls this for every mutating call).
 * output is NULL for a failed call (err then holds the error). Returns 0 or -1.
 */
int cpw_sbx_record_call_event(struct cpw_sbx_ctx *ctx,
                              const struct cpw_sbx_service *service,
                              const json_t *output);

/** The CloudTrail region of a service's events: us-east-1 for global services. */
const char *cpw_sbx_event_region(const struct cpw_sbx_service *service, const char *region);

/* ----- IAM helpers other services use ------------------------------------------------------ */

struct cpw_sbx_role_spec {
    const char *account_id;
    const char *name;
    const char *path;          /* NULL: "/" */
    const char *trust_policy;  /* JSON text */
    const char *description;   /* may be NULL */
    int64_t max_session_s;     /* 0: 3600 */
    const json_t *tags;        /* [{"Key","Value"}] or NULL */
    const char *slr_principal; /* service-linked roles: the service principal */
    int64_t now_ms;
    const char *partition; /* ARN partition; NULL: "aws" */
};

/**
 * Inserts a role. Returns 0, 1 when the name is taken, 2 at the 1,000-role quota, or -1.
 */
int cpw_sbx_iam_insert_role(sqlite3 *db, const struct cpw_sbx_role_spec *spec);

/**
 * The Role document of a role (GetRole's shape; with_last_used adds RoleLastUsed and Tags), or
 * NULL with CPW_ERR_NOT_FOUND when the role does not exist (or CPW_ERR_STORE). Owned.
 */
json_t *cpw_sbx_iam_role_json(sqlite3 *db,
                              const char *account_id,
                              const char *name,
                              bool with_last_used);

/** Attaches a managed policy to a role (idempotent). Returns 0 or -1. */
int cpw_sbx_iam_attach_policy(sqlite3 *db,
                              const char *account_id,
                              const char *role,
                              const char *policy_arn);

/**
 * Creates a service-linked role as CreateServiceLinkedRole does, with AWS's naming for the
 * principal; custom_suffix may be NULL (generated where the service requires a suffix). With
 * legacy_unsuffixed the Customer Profiles role is created without a suffix (old accounts).
 * Returns 0 with *role (owned), 1 with an AWS error in ctx->err, or -1.
 */
int cpw_sbx_iam_create_slr(struct cpw_sbx_ctx *ctx,
                           const char *account_id,
                           const char *principal,
                           const char *custom_suffix,
                           const char *description,
                           bool legacy_unsuffixed,
                           json_t **role);

/**
 * Deletes a service-linked role at once on behalf of its service (Customer Profiles deleting the
 * role of a deleted domain), with its policies, and records the CloudTrail event
 * DeleteServiceLinkedRole invoked by the role's principal. Returns 0, 1 when there is no such
 * service-linked role, or -1.
 */
int cpw_sbx_iam_delete_slr_as_service(struct cpw_sbx_ctx *ctx,
                                      const char *account_id,
                                      const char *role_name);

/** Settles the account's due service-linked role deletion tasks. Returns 0 or -1. */
int cpw_sbx_iam_settle_tasks(struct cpw_sbx_ctx *ctx, const char *account_id);

/**
 * Creates an organization managed by management_account (which must exist and belong to no
 * organization). Returns 0, 1 when the account already belongs to one, or -1.
 */
int cpw_sbx_org_create(sqlite3 *db,
                       const char *management_account,
                       const char *feature_set,
                       int64_t now_ms);

/**
 * Adds an existing account to the organization of management_account, with an
 * OrganizationAccountAccessRole trusting the management account. Returns 0, 1 when there is no
 * such organization or the account already belongs to one, or -1.
 */
int cpw_sbx_org_add_member(sqlite3 *db,
                           const char *management_account,
                           const char *account_id,
                           int64_t now_ms);

/** Settles the organization's due CreateAccount requests. Returns 0 or -1. */
int cpw_sbx_org_settle(struct cpw_sbx_ctx *ctx);

#endif
