/*
 * iam_authz_details.c - GetAccountAuthorizationDetails in the sandbox: every user, group and role
 * of the account with their inline and attached policies, and the managed policies (every
 * customer managed one, and the AWS managed ones in use) with all their versions. Built from the
 * other IAM handlers, so it answers exactly what they do. One page: IsTruncated is false.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "sbx_service.h"

typedef int (*s_op_fn)(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output);

/* Runs an IAM handler on input (stolen); its output (owned) or NULL with an error raised. */
static json_t *s_call(struct cpw_sbx_ctx *ctx, s_op_fn fn, json_t *input)
{
    json_t *out = NULL;
    int rc = input ? fn(ctx, input, &out) : -1;
    json_decref(input);
    if (rc != 0) {
        json_decref(out);
        if (rc == 1) {
            cpw_raise(CPW_ERR_STORE, "IAM details: %s", ctx->err->message);
        }
        return NULL;
    }
    return out;
}

/* [{"PolicyName", "PolicyDocument"}] of an entity's inline policies. */
static json_t *s_inline(struct cpw_sbx_ctx *ctx,
                        s_op_fn list,
                        s_op_fn get,
                        const char *key,
                        const char *name)
{
    json_t *names = s_call(ctx, list, json_pack("{s:s}", key, name));
    if (names == NULL) {
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *pn;
    json_array_foreach(json_object_get(names, "PolicyNames"), i, pn)
    {
        json_t *doc =
          s_call(ctx, get, json_pack("{s:s,s:s}", key, name, "PolicyName", json_string_value(pn)));
        if (doc == NULL) {
            json_decref(out);
            json_decref(names);
            return NULL;
        }
        json_array_append_new(out, json_pack("{s:O,s:O}", "PolicyName", pn, "PolicyDocument",
                                             json_object_get(doc, "PolicyDocument")));
        json_decref(doc);
    }
    json_decref(names);
    return out;
}

static json_t *s_attached(struct cpw_sbx_ctx *ctx, s_op_fn list, const char *key, const char *name)
{
    json_t *out = s_call(ctx, list, json_pack("{s:s}", key, name));
    json_t *policies = out ? json_incref(json_object_get(out, "AttachedPolicies")) : NULL;
    json_decref(out);
    return policies;
}

static bool s_wanted(const json_t *filter, const char *kind)
{
    if (json_array_size(filter) == 0) {
        return true;
    }
    size_t i;
    json_t *f;
    json_array_foreach(filter, i, f)
    {
        if (json_is_string(f) && strcmp(json_string_value(f), kind) == 0) {
            return true;
        }
    }
    return false;
}

static int s_users(struct cpw_sbx_ctx *ctx, json_t *list)
{
    json_t *users = s_call(ctx, cpw_sbx_iam_list_users, json_pack("{s:i}", "MaxItems", 1000));
    if (users == NULL) {
        return -1;
    }
    size_t i;
    json_t *u;
    int rc = 0;
    json_array_foreach(json_object_get(users, "Users"), i, u)
    {
        const char *name = json_string_value(json_object_get(u, "UserName"));
        json_t *detail = json_deep_copy(u);
        json_t *pols = s_inline(ctx, cpw_sbx_iam_list_user_policies, cpw_sbx_iam_get_user_policy,
                                "UserName", name);
        json_t *attached =
          s_attached(ctx, cpw_sbx_iam_list_attached_user_policies, "UserName", name);
        json_t *groups = s_call(ctx, cpw_sbx_iam_list_groups_for_user,
                                json_pack("{s:s,s:i}", "UserName", name, "MaxItems", 1000));
        json_t *tags =
          s_call(ctx, cpw_sbx_iam_list_user_tags, json_pack("{s:s}", "UserName", name));
        if (pols == NULL || attached == NULL || groups == NULL || tags == NULL) {
            rc = -1;
        } else {
            json_t *names = json_array();
            size_t j;
            json_t *g;
            json_array_foreach(json_object_get(groups, "Groups"), j, g)
            {
                json_array_append(names, json_object_get(g, "GroupName"));
            }
            json_object_set_new(detail, "GroupList", names);
            json_object_set(detail, "UserPolicyList", pols);
            json_object_set(detail, "AttachedManagedPolicies", attached);
            json_object_set(detail, "Tags", json_object_get(tags, "Tags"));
            json_array_append(list, detail);
        }
        json_decref(detail);
        json_decref(pols);
        json_decref(attached);
        json_decref(groups);
        json_decref(tags);
        if (rc != 0) {
            break;
        }
    }
    json_decref(users);
    return rc;
}

static int s_groups(struct cpw_sbx_ctx *ctx, json_t *list)
{
    json_t *groups = s_call(ctx, cpw_sbx_iam_list_groups, json_pack("{s:i}", "MaxItems", 1000));
    if (groups == NULL) {
        return -1;
    }
    size_t i;
    json_t *g;
    int rc = 0;
    json_array_foreach(json_object_get(groups, "Groups"), i, g)
    {
        const char *name = json_string_value(json_object_get(g, "GroupName"));
        json_t *pols = s_inline(ctx, cpw_sbx_iam_list_group_policies, cpw_sbx_iam_get_group_policy,
                                "GroupName", name);
        json_t *attached =
          s_attached(ctx, cpw_sbx_iam_list_attached_group_policies, "GroupName", name);
        if (pols == NULL || attached == NULL) {
            rc = -1;
        } else {
            json_t *detail = json_deep_copy(g);
            json_object_set(detail, "GroupPolicyList", pols);
            json_object_set(detail, "AttachedManagedPolicies", attached);
            json_array_append_new(list, detail);
        }
        json_decref(pols);
        json_decref(attached);
        if (rc != 0) {
            break;
        }
    }
    json_decref(groups);
    return rc;
}

static int s_roles(struct cpw_sbx_ctx *ctx, json_t *list)
{
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db, "SELECT name FROM iam_roles WHERE account_id = ? ORDER BY name",
                        "s", ctx->req->caller->account_id);
    int rc = 0;
    while (stmt != NULL && rc == 0 && cpw_sbx_sql_step(stmt) == 1) {
        const char *name = cpw_sbx_col(stmt, 0);
        json_t *role = cpw_sbx_iam_role_json(ctx->db, ctx->req->caller->account_id, name, true);
        json_t *pols = s_inline(ctx, cpw_sbx_iam_list_role_policies, cpw_sbx_iam_get_role_policy,
                                "RoleName", name);
        json_t *attached =
          s_attached(ctx, cpw_sbx_iam_list_attached_role_policies, "RoleName", name);
        json_t *profiles = s_call(ctx, cpw_sbx_iam_list_instance_profiles_for_role,
                                  json_pack("{s:s,s:i}", "RoleName", name, "MaxItems", 1000));
        if (role == NULL || pols == NULL || attached == NULL || profiles == NULL) {
            rc = -1;
        } else {
            /* RoleDetail has no MaxSessionDuration or Description */
            json_object_del(role, "MaxSessionDuration");
            json_object_del(role, "Description");
            json_object_set(role, "RolePolicyList", pols);
            json_object_set(role, "AttachedManagedPolicies", attached);
            json_object_set(role, "InstanceProfileList",
                            json_object_get(profiles, "InstanceProfiles"));
            if (json_object_get(role, "Tags") == NULL) {
                json_object_set_new(role, "Tags", json_array());
            }
            json_array_append(list, role);
        }
        json_decref(role);
        json_decref(pols);
        json_decref(attached);
        json_decref(profiles);
    }
    cpw_sbx_sql_done(stmt);
    return stmt == NULL ? -1 : rc;
}

static int s_policies(struct cpw_sbx_ctx *ctx, const json_t *filter, json_t *list)
{
    bool local = s_wanted(filter, "LocalManagedPolicy");
    bool aws = s_wanted(filter, "AWSManagedPolicy");
    json_t *all = s_call(ctx, cpw_sbx_iam_list_policies, json_pack("{s:i}", "MaxItems", 1000));
    if (all == NULL) {
        return -1;
    }
    size_t i;
    json_t *p;
    int rc = 0;
    json_array_foreach(json_object_get(all, "Policies"), i, p)
    {
        const char *arn = json_string_value(json_object_get(p, "Arn"));
        bool is_aws = cpw_sbx_aws_policy_find(arn) != NULL;
        if ((is_aws && (!aws || json_integer_value(json_object_get(p, "AttachmentCount")) == 0)) ||
            (!is_aws && !local)) {
            continue;
        }
        json_t *versions =
          s_call(ctx, cpw_sbx_iam_list_policy_versions, json_pack("{s:s}", "PolicyArn", arn));
        if (versions == NULL) {
            rc = -1;
            break;
        }
        json_t *full = json_array();
        size_t j;
        json_t *v;
        json_array_foreach(json_object_get(versions, "Versions"), j, v)
        {
            json_t *one = s_call(ctx, cpw_sbx_iam_get_policy_version,
                                 json_pack("{s:s,s:O}", "PolicyArn", arn, "VersionId",
                                           json_object_get(v, "VersionId")));
            if (one == NULL) {
                rc = -1;
                break;
            }
            json_array_append(full, json_object_get(one, "PolicyVersion"));
            json_decref(one);
        }
        json_decref(versions);
        if (rc != 0) {
            json_decref(full);
            break;
        }
        json_t *detail = json_deep_copy(p);
        json_object_del(detail, "Tags");
        json_object_set_new(detail, "PolicyVersionList", full);
        json_array_append_new(list, detail);
    }
    json_decref(all);
    return rc;
}

int cpw_sbx_iam_get_account_authorization_details(struct cpw_sbx_ctx *ctx,
                                                  const json_t *in,
                                                  json_t **out)
{
    const json_t *filter = json_object_get(in, "Filter");
    json_t *users = json_array();
    json_t *groups = json_array();
    json_t *roles = json_array();
    json_t *policies = json_array();
    json_t *result =
      json_pack("{s:o,s:o,s:o,s:o,s:b}", "UserDetailList", users, "GroupDetailList", groups,
                "RoleDetailList", roles, "Policies", policies, "IsTruncated", 0);
    int rc = 0;
    if (rc == 0 && s_wanted(filter, "User")) {
        rc = s_users(ctx, users);
    }
    if (rc == 0 && s_wanted(filter, "Group")) {
        rc = s_groups(ctx, groups);
    }
    if (rc == 0 && s_wanted(filter, "Role")) {
        rc = s_roles(ctx, roles);
    }
    if (rc == 0) {
        rc = s_policies(ctx, filter, policies);
    }
    if (rc != 0) {
        json_decref(result);
        return -1;
    }
    *out = result;
    return 0;
}
