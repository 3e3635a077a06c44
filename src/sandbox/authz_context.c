/*
 * authz_context.c - the condition keys of a sandbox request for the policy engine: the global
 * keys every request carries (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalOrgID,
 * aws:PrincipalTag/KEY, aws:PrincipalType, aws:userid, aws:username, aws:RequestedRegion,
 * aws:SourceIp, aws:CurrentTime, aws:EpochTime, aws:SecureTransport) and those its input
 * carries (aws:RequestTag/KEY and aws:TagKeys from the tags it sets or removes,
 * aws:ResourceTag/KEY of the IAM role or user, or the Organizations resource, it acts on,
 * iam:AWSServiceName, iam:PolicyARN, iam:PermissionsBoundary, sts:ExternalId,
 * sts:RoleSessionName). docs/authorization.md ("Not modelled") lists what is not modelled.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/iam_policy.h"
#include "cpw/json.h"
#include "sbx_authz.h"
#include "sbx_service.h"

/* ----- the request context ------------------------------------------------------------------ */

/* Adds aws:<prefix>/<Key> = Value for every tag of a [{"Key","Value"}] list or {"k": "v"} map,
 * and the keys to aws:TagKeys when tag_keys. */
static int s_tags_to_context(struct cpw_iam_context *c,
                             const char *prefix,
                             const json_t *tags,
                             bool tag_keys)
{
    char key[300];
    int rc = 0;
    if (json_is_array(tags)) {
        size_t i;
        json_t *t;
        json_array_foreach(tags, i, t)
        {
            const char *k = json_string_value(json_object_get(t, "Key"));
            const char *v = json_string_value(json_object_get(t, "Value"));
            if (k == NULL) {
                k = json_string_value(t); /* TagKeys lists */
            }
            if (k == NULL) {
                continue;
            }
            snprintf(key, sizeof(key), "%s/%s", prefix, k);
            if ((v != NULL && prefix[0] != '\0' && cpw_iam_context_set(c, key, v) != 0) ||
                (tag_keys && cpw_iam_context_add(c, "aws:TagKeys", k) != 0)) {
                rc = -1;
            }
        }
    } else if (json_is_object(tags)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)tags, k, v)
        {
            snprintf(key, sizeof(key), "%s/%s", prefix, k);
            if ((json_is_string(v) && prefix[0] != '\0' &&
                 cpw_iam_context_set(c, key, json_string_value(v)) != 0) ||
                (tag_keys && cpw_iam_context_add(c, "aws:TagKeys", k) != 0)) {
                rc = -1;
            }
        }
    }
    return rc;
}

/* Adds the tags stored as a JSON list in the first column of sql's row, under prefix. */
static int s_stored_tags(struct cpw_sbx_ctx *ctx,
                         struct cpw_iam_context *c,
                         const char *prefix,
                         const char *sql,
                         const char *a,
                         const char *b)
{
    if (a == NULL || b == NULL) {
        return 0;
    }
    sqlite3_stmt *stmt = cpw_sbx_authz_query(ctx, sql, "ss", a, b);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        json_t *tags = cpw_json_load_cstr(cpw_sbx_col(stmt, 0));
        rc = s_tags_to_context(c, prefix, tags, false);
        json_decref(tags);
    }
    cpw_sbx_authz_finish(ctx, stmt);
    return rc < 0 ? -1 : 0;
}

#define ROLE_TAGS_SQL "SELECT tags FROM iam_roles WHERE account_id = ? AND name = ?"
#define USER_TAGS_SQL "SELECT tags FROM iam_user_meta WHERE account_id = ? AND user_name = ?"

int cpw_sbx_authz_base_context(struct cpw_sbx_ctx *ctx,
                               const struct cpw_sbx_authz_subject *subject,
                               const struct cpw_sbx_authz_set *set,
                               struct cpw_iam_context *c)
{
    const struct cpw_sbx_caller *caller = ctx->req->caller;
    char num[32];
    int rc = 0;
    const char *principal_arn = subject->role_arn[0] ? subject->role_arn : subject->arn;
    rc |= cpw_iam_context_set(c, "aws:PrincipalArn", principal_arn);
    rc |= cpw_iam_context_set(c, "aws:PrincipalAccount", subject->account);
    if (set->org_id[0] != '\0') {
        rc |= cpw_iam_context_set(c, "aws:PrincipalOrgID", set->org_id);
    }
    static const char *const types[] = {
        [CPW_IAM_PRINCIPAL_USER] = "User",
        [CPW_IAM_PRINCIPAL_ROLE_SESSION] = "AssumedRole",
        [CPW_IAM_PRINCIPAL_ROOT] = "Account",
        [CPW_IAM_PRINCIPAL_FEDERATED] = "FederatedUser",
        [CPW_IAM_PRINCIPAL_SERVICE] = "AWSService",
    };
    rc |= cpw_iam_context_set(c, "aws:PrincipalType", types[subject->kind]);
    if (caller->user_id != NULL && subject->arn[0] != '\0' &&
        strcmp(caller->principal_arn ? caller->principal_arn : "", subject->arn) == 0) {
        rc |= cpw_iam_context_set(c, "aws:userid", caller->user_id);
    }
    if (subject->kind == CPW_IAM_PRINCIPAL_USER) {
        rc |= cpw_iam_context_set(c, "aws:username", subject->name);
        rc |=
          s_stored_tags(ctx, c, "aws:PrincipalTag", USER_TAGS_SQL, subject->account, subject->name);
    } else if (subject->kind == CPW_IAM_PRINCIPAL_ROLE_SESSION) {
        rc |=
          s_stored_tags(ctx, c, "aws:PrincipalTag", ROLE_TAGS_SQL, subject->account, subject->name);
    }
    if (caller->region != NULL) {
        rc |= cpw_iam_context_set(c, "aws:RequestedRegion", caller->region);
    }
    if (caller->source_ip != NULL) {
        rc |= cpw_iam_context_set(c, "aws:SourceIp", caller->source_ip);
    }
    json_t *now = cpw_sbx_time_json(ctx->req->now_ms);
    rc |= cpw_iam_context_set(c, "aws:CurrentTime", json_string_value(now));
    json_decref(now);
    snprintf(num, sizeof(num), "%lld", (long long)(ctx->req->now_ms / 1000));
    rc |= cpw_iam_context_set(c, "aws:EpochTime", num);
    bool secure = ctx->req->endpoint != NULL && strncmp(ctx->req->endpoint, "https:", 6) == 0;
    rc |= cpw_iam_context_set(c, "aws:SecureTransport", secure ? "true" : "false");
    return rc != 0 ? -1 : 0;
}

int cpw_sbx_authz_request_context(struct cpw_sbx_ctx *ctx,
                                  const char *service,
                                  const char *operation,
                                  const json_t *input,
                                  struct cpw_iam_context *c)
{
    const char *account = ctx->req->caller->account_id;
    int rc = 0;
    /* aws:RequestTag/KEY and aws:TagKeys from the tags the request sets or removes. */
    static const char *const tag_members[] = { "Tags", "tags", "TagsList" };
    for (size_t i = 0; i < sizeof(tag_members) / sizeof(tag_members[0]); i++) {
        const json_t *tags = json_object_get(input, tag_members[i]);
        if (tags != NULL) {
            rc |= s_tags_to_context(c, "aws:RequestTag", tags, true);
        }
    }
    static const char *const key_members[] = { "TagKeys", "tagKeys" };
    for (size_t i = 0; i < sizeof(key_members) / sizeof(key_members[0]); i++) {
        const json_t *keys = json_object_get(input, key_members[i]);
        if (keys != NULL) {
            rc |= s_tags_to_context(c, "", keys, true);
        }
    }
    /* aws:ResourceTag/KEY of the IAM role or user acted on. */
    if (strcmp(service, "iam") == 0) {
        const char *role = cpw_sbx_in_str(input, "RoleName");
        const char *user = cpw_sbx_in_str(input, "UserName");
        if (role != NULL) {
            rc |= s_stored_tags(ctx, c, "aws:ResourceTag", ROLE_TAGS_SQL, account, role);
        } else if (user != NULL) {
            rc |= s_stored_tags(ctx, c, "aws:ResourceTag", USER_TAGS_SQL, account, user);
        }
        const char *v;
        if (strcmp(operation, "CreateServiceLinkedRole") == 0 &&
            (v = cpw_sbx_in_str(input, "AWSServiceName")) != NULL) {
            rc |= cpw_iam_context_set(c, "iam:AWSServiceName", v);
        }
        if (strstr(operation, "Policy") != NULL &&
            (strncmp(operation, "Attach", 6) == 0 || strncmp(operation, "Detach", 6) == 0) &&
            (v = cpw_sbx_in_str(input, "PolicyArn")) != NULL) {
            rc |= cpw_iam_context_set(c, "iam:PolicyARN", v);
        }
        if ((v = cpw_sbx_in_str(input, "PermissionsBoundary")) != NULL) {
            rc |= cpw_iam_context_set(c, "iam:PermissionsBoundary", v);
        }
    } else if (strcmp(service, "sts") == 0 && strcmp(operation, "AssumeRole") == 0) {
        const char *arn = cpw_sbx_in_str(input, "RoleArn");
        const char *v;
        if (arn != NULL && strlen(arn) > 25 && strrchr(arn, '/') != NULL) {
            char role_account[16];
            snprintf(role_account, sizeof(role_account), "%.12s", arn + 13);
            rc |= s_stored_tags(ctx, c, "aws:ResourceTag", ROLE_TAGS_SQL, role_account,
                                strrchr(arn, '/') + 1);
        }
        if ((v = cpw_sbx_in_str(input, "ExternalId")) != NULL) {
            rc |= cpw_iam_context_set(c, "sts:ExternalId", v);
        }
        if ((v = cpw_sbx_in_str(input, "RoleSessionName")) != NULL) {
            rc |= cpw_iam_context_set(c, "sts:RoleSessionName", v);
        }
    } else if (strcmp(service, "organizations") == 0) {
        const char *id = cpw_sbx_in_str(input, "ResourceId");
        if (id == NULL) {
            id = cpw_sbx_in_str(input, "TargetId");
        }
        if (id != NULL) {
            sqlite3_stmt *stmt = cpw_sbx_authz_query(
              ctx, "SELECT key, value FROM org_tags WHERE resource_id = ?", "s", id);
            int step = stmt ? 0 : -1;
            while (stmt != NULL && (step = cpw_sbx_sql_step(stmt)) == 1) {
                char key[300];
                snprintf(key, sizeof(key), "aws:ResourceTag/%s", cpw_sbx_col(stmt, 0));
                rc |= cpw_iam_context_set(c, key, cpw_sbx_col(stmt, 1));
            }
            cpw_sbx_authz_finish(ctx, stmt);
            rc |= step < 0 ? -1 : 0;
        }
    }
    return rc != 0 ? -1 : 0;
}
