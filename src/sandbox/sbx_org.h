/*
 * sbx_org.h - what the Organizations files of the sandbox share (internal to src/sandbox/):
 * the caller's organization, paging, tagging, targets and the operation handlers that
 * organizations.c lists in its table.
 *
 * organizations.c           the organization, its root, accounts and CreateAccount requests
 * organizations_units.c     organizational units, ListParents and ListChildren
 * organizations_policies.c  policies, policy types, attachments and targets
 * organizations_tags.c      tags of roots, OUs, accounts and policies
 *
 * Every handler follows cpw_sbx_op_fn: 0 with *output, 1 after cpw_sbx_fail(), -1 raised.
 */
#ifndef CPW_SANDBOX_SBX_ORG_H
#define CPW_SANDBOX_SBX_ORG_H

#include <stdbool.h>
#include <stdint.h>

#include "sbx_service.h"

#define CPW_ORG_LIST_MAX       20 /* MaxResults' upper bound and default */
#define CPW_ORG_FULL_ACCESS_ID "p-FullAWSAccess"
#define CPW_ORG_SCP            "SERVICE_CONTROL_POLICY"

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

/** Attaches FullAWSAccess to target (a new root, OU or account). 0 or -1. */
int cpw_org_attach_full_access(sqlite3 *db, const char *target);

/**
 * Reads NextToken (decimal offset) and MaxResults (1..CPW_ORG_LIST_MAX, default the maximum)
 * from input: 0, or 1 answered (InvalidInputException).
 */
int cpw_org_paging(struct cpw_sbx_ctx *ctx, const json_t *input, int64_t *offset, int64_t *max);

/** Sets NextToken on result for a page that stopped at max items after offset. */
void cpw_org_set_next_token(json_t *result, int64_t offset, int64_t max);

/* ----- organizations_policies.c ------------------------------------------------------------ */

/** 1 when the root of org has the policy type enabled, 0 not, -1. */
int cpw_org_type_enabled(struct cpw_sbx_ctx *ctx, const struct cpw_org *org, const char *type);

/** The Root object of org (owned), with its enabled policy types. */
json_t *cpw_org_root_json(struct cpw_sbx_ctx *ctx, const struct cpw_org *org);

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

/* ----- organizations_tags.c ---------------------------------------------------------------- */

/** Stores Tags [{Key, Value}] (borrowed; NULL: none) on resource. 0 or -1. */
int cpw_org_tag(struct cpw_sbx_ctx *ctx, const char *resource, const json_t *tags);

int cpw_org_tag_resource(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_untag_resource(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);
int cpw_org_list_tags_for_resource(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);

#endif
