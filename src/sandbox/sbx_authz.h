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

#include "cpw/buf.h"
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

#endif
