/*
 * sbx_org.h - what the Organizations files of the sandbox share (internal to src/sandbox/):
 * the caller's organization, paging, tagging, targets and the operation handlers that
 * organizations.c lists in its table.
 *
 * organizations.c           the organization, its root, accounts and CreateAccount requests
 * organizations_units.c     organizational units, ListParents and ListChildren
 * organizations_policies.c  policies, policy types, attachments and targets
 * organizations_tags.c      tags of roots, OUs, accounts and policies
 * organizations_accounts.c  member accounts: describe, close, move, remove, list by parent
 * organizations_admin.c     trusted service access and delegated administrators
 * organizations_effective.c DescribeEffectivePolicy (management policies' inheritance)
 *
 * Every handler follows cpw_sbx_op_fn: 0 with *output, 1 after cpw_sbx_fail(), -1 raised.
 */
#ifndef CPW_SANDBOX_SBX_ORG_H
#define CPW_SANDBOX_SBX_ORG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbx_service.h"

#define CPW_ORG_LIST_MAX       20 /* MaxResults' upper bound and default */
#define CPW_ORG_FULL_ACCESS_ID "p-FullAWSAccess"
#define CPW_ORG_SCP            "SERVICE_CONTROL_POLICY"
#define CPW_ORG_RCP            "RESOURCE_CONTROL_POLICY"
#define CPW_ORG_RCP_FULL_ID    "p-RCPFullAWSAccess"

/* An organization as its management account sees it. */
struct cpw_org {
    char id[40];
    char management[16];
    char root_id[40];
    char feature_set[32];
};

/* ----- organizations.c --------------------------------------------------------------------- */

/** The caller's organization into *org: 1 found, 0 none, -1 raised. */
int cpw_org_find(struct cpw_sbx_ctx *ctx, struct cpw_org *org);

/** 0 with *org filled, 1 answered (AWSOrganizationsNotInUseException), -1. */
int cpw_org_need(struct cpw_sbx_ctx *ctx, struct cpw_org *org);

/** As cpw_org_need, and 1 (AccessDeniedException) unless the caller is the management account. */
int cpw_org_need_management(struct cpw_sbx_ctx *ctx, struct cpw_org *org);

/** 1 when the caller is a delegated administrator of org (for any service), 0 not, -1. */
int cpw_org_is_delegated_admin(struct cpw_sbx_ctx *ctx, const struct cpw_org *org);

/**
 * The check of the read operations AWS opens to delegated administrators (ListAccounts,
 * DescribeAccount, ListRoots, ListChildren, DescribePolicy, ...): as cpw_org_need_management,
 * and a member account registered as a delegated administrator for any service passes too.
 */
int cpw_org_need_reader(struct cpw_sbx_ctx *ctx, struct cpw_org *org);

/**
 * Attaches AWS's managed FullAWSAccess (SCP) and RCPFullAWSAccess (RCP) policies to target (a
 * new OU or account of org_id), each when its policy type is enabled in the root. 0 or -1.
 */
int cpw_org_attach_full_access(sqlite3 *db, const char *org_id, const char *target);

/**
 * An organizations ARN in the partition of the caller's signing region into out:
 * arn:P:organizations::MANAGEMENT:KIND/ORG/ID ("root", "ou", "account"; "organization" without id).
 */
void cpw_org_arn(struct cpw_sbx_ctx *ctx,
                 const struct cpw_org *org,
                 const char *kind,
                 const char *id,
                 char *out,
                 size_t cap);

/**
 * The Account object (owned) of a member: Id, Arn, Email, Name, Status and State (ACTIVE, or
 * PENDING_CLOSURE / SUSPENDED after CloseAccount), JoinedMethod, JoinedTimestamp.
 */
json_t *cpw_org_account_json(struct cpw_sbx_ctx *ctx,
                             const struct cpw_org *org,
                             const char *id,
                             const char *name,
                             const char *email,
                             const char *method,
                             int64_t joined_ms);

/**
 * 0 when account is a member of org that ListAccounts shows (created and settled), 1 answered
 * (AccountNotFoundException), -1.
 */
int cpw_org_need_account(struct cpw_sbx_ctx *ctx, const struct cpw_org *org, const char *account);

/** Answers InvalidInputException with reason text (AWS's InvalidInputException reasons). 1. */
int cpw_org_invalid(struct cpw_sbx_ctx *ctx, const char *text);

/* AWS's texts of InvalidInputException reasons (Organizations API reference, Errors). */
#define CPW_ORG_INVALID_ENUM    "You specified an invalid value."
#define CPW_ORG_INVALID_PATTERN "You provided a value that does not match the required pattern."

/**
 * Reads NextToken (decimal offset) and MaxResults (1..CPW_ORG_LIST_MAX, default the maximum)
 * from input: 0, or 1 answered (InvalidInputException).
 */
int cpw_org_paging(struct cpw_sbx_ctx *ctx, const json_t *input, int64_t *offset, int64_t *max);

/** Sets NextToken on result for a page that stopped at max items after offset. */
void cpw_org_set_next_token(json_t *result, int64_t offset, int64_t max);

/** One list item (owned) from the current row of stmt. */
typedef json_t *cpw_org_row_fn(struct cpw_sbx_ctx *ctx,
                               const struct cpw_org *org,
                               sqlite3_stmt *stmt);

/**
 * A list page: steps stmt, whose query ends in LIMIT max + 1 OFFSET offset (NULL: -1; finalized
 * here), into {key: [row() of each row], NextToken when a row is left over}. 0 with *out, or -1.
 */
int cpw_org_page(struct cpw_sbx_ctx *ctx,
                 const struct cpw_org *org,
                 sqlite3_stmt *stmt,
                 int64_t offset,
                 int64_t max,
                 const char *key,
                 cpw_org_row_fn *row,
                 json_t **out);

/* ----- organizations_policies.c ------------------------------------------------------------ */

/** 1 when the root of org has the policy type enabled, 0 not, -1. */
int cpw_org_type_enabled(struct cpw_sbx_ctx *ctx, const struct cpw_org *org, const char *type);

/** The Root object of org (owned), with its enabled policy types. */
json_t *cpw_org_root_json(struct cpw_sbx_ctx *ctx, const struct cpw_org *org);

/**
 * The ARN of the Organizations policy id of type (as stored: "TAG_POLICY") into out (cap bytes),
 * in the partition of the caller's signing region, the type in lower case:
 * arn:P:organizations::aws:policy/TYPE/ID for an AWS managed policy (org unused),
 * arn:P:organizations::MANAGEMENT:policy/ORG/TYPE/ID for a policy of org.
 */
void cpw_org_policy_arn(struct cpw_sbx_ctx *ctx,
                        const struct cpw_org *org,
                        const char *type,
                        const char *id,
                        bool aws_managed,
                        char *out,
                        size_t cap);

/**
 * The ARN (cpw_org_policy_arn) of the policy id that org can see, of its stored type: 1 found,
 * 0 no such policy (out then holds the ARN id would have as a service control policy of org), -1.
 */
int cpw_org_policy_arn_of(struct cpw_sbx_ctx *ctx,
                          const struct cpw_org *org,
                          const char *id,
                          char *out,
                          size_t cap);

int cpw_org_create_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_describe_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_update_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_delete_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_list_policies(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_attach_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_detach_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_list_policies_for_target(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **out);
int cpw_org_list_targets_for_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **out);
int cpw_org_enable_policy_type(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_disable_policy_type(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);

/* ----- organizations_effective.c ----------------------------------------------------------- */

int cpw_org_describe_effective_policy(struct cpw_sbx_ctx *ctx,
                                      const json_t *input,
                                      json_t **output);

/* ----- organizations_units.c --------------------------------------------------------------- */

/** Whether id is the root, an OU or (accounts_too) an account of org: 1, 0, -1. */
int cpw_org_target_exists(struct cpw_sbx_ctx *ctx,
                          const struct cpw_org *org,
                          const char *id,
                          bool accounts_too);

/** 0 when parent is the root or an OU of org, else 1 (ParentNotFoundException) or -1. */
int cpw_org_need_parent(struct cpw_sbx_ctx *ctx, const struct cpw_org *org, const char *parent);

int cpw_org_create_ou(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_list_ous_for_parent(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_describe_ou(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_update_ou(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_delete_ou(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_list_parents(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_list_children(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);

/* ----- organizations_accounts.c ------------------------------------------------------------ */

int cpw_org_list_accounts(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_list_accounts_for_parent(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **out);
int cpw_org_describe_account(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_close_account(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_move_account(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_remove_account(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_delete_organization(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);

/* ----- organizations_admin.c --------------------------------------------------------------- */

int cpw_org_enable_service_access(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_disable_service_access(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_list_service_access(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_register_admin(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_deregister_admin(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_list_admins(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_list_delegated_services(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **out);

/* ----- organizations_tags.c ---------------------------------------------------------------- */

/** Stores Tags [{Key, Value}] (borrowed; NULL: none) on resource. 0 or -1. */
int cpw_org_tag(struct cpw_sbx_ctx *ctx, const char *resource, const json_t *tags);

int cpw_org_tag_resource(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_untag_resource(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_list_tags_for_resource(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);

#endif
