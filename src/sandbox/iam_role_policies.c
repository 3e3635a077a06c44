/*
 * iam_role_policies.c - the policies and tags of IAM roles in the sandbox: managed policy
 * attachments (the policy must exist: iam_policies.c), inline policies (returned
 * URL-encoded, as IAM does) and tags. Service-linked roles refuse all but reads.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "sbx_service.h"

#define MANAGED_PER_ROLE 10

static const char *s_account(struct cpw_sbx_ctx *ctx)
{
    return ctx->req->caller->account_id;
}

/* ----- managed and inline policies --------------------------------------------------------- */

int cpw_sbx_iam_attach_role_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "RoleName");
    const char *arn = cpw_sbx_in_str(input, "PolicyArn");
    int rc = cpw_sbx_iam_need_modifiable_role(ctx, name);
    if (rc != 0) {
        return rc;
    }
    rc = cpw_sbx_iam_need_policy(ctx, arn);
    if (rc != 0) {
        return rc;
    }
    const struct cpw_sbx_aws_policy *aws_policy = cpw_sbx_aws_policy_find(arn);
    if (aws_policy != NULL && aws_policy->service_linked) {
        return cpw_sbx_fail(ctx, 400, "PolicyNotAttachable",
                            "Cannot attach a Service Role Policy to a Customer Role.");
    }
    /* IAM quota: 10 managed policies per role (docs/aws-facts.md §6.3). */
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT count(*), sum(policy_arn = ?3) FROM"
                                           " iam_role_attached WHERE account_id = ?1 AND"
                                           " role_name = ?2",
                                           "sss", s_account(ctx), name, arn);
    rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    int64_t attached = rc == 1 ? sqlite3_column_int64(stmt, 0) : 0;
    bool already = rc == 1 && sqlite3_column_int64(stmt, 1) > 0;
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        return -1;
    }
    if (!already && attached >= MANAGED_PER_ROLE) {
        return cpw_sbx_fail(ctx, 409, "LimitExceeded",
                            "Cannot exceed quota for PoliciesPerRole: %d", MANAGED_PER_ROLE);
    }
    if (cpw_sbx_iam_attach_policy(ctx->db, s_account(ctx), name, arn) != 0) {
        return -1;
    }
    cpw_sbx_iam_add_role_resource(ctx, name);
    *output = json_object();
    return 0;
}

int cpw_sbx_iam_detach_role_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "RoleName");
    const char *arn = cpw_sbx_in_str(input, "PolicyArn");
    int rc = cpw_sbx_iam_need_modifiable_role(ctx, name);
    if (rc != 0) {
        return rc;
    }
    int n = cpw_sbx_sql_do(
      ctx->db, "DELETE FROM iam_role_attached WHERE account_id=? AND role_name=? AND policy_arn=?",
      "sss", s_account(ctx), name, arn);
    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "Policy %s was not found.", arn ? arn : "");
    }
    cpw_sbx_iam_add_role_resource(ctx, name);
    *output = json_object();
    return 0;
}

int cpw_sbx_iam_list_attached_role_policies(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *name = cpw_sbx_in_str(in, "RoleName");
    int rc = cpw_sbx_iam_need_role(ctx, name, NULL, 0);
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT policy_arn FROM iam_role_attached WHERE"
                                           " account_id = ? AND role_name = ? ORDER BY policy_arn",
                                           "ss", s_account(ctx), name);
    if (stmt == NULL) {
        return -1;
    }
    json_t *list = json_array();
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        const char *arn = cpw_sbx_col(stmt, 0);
        const char *slash = strrchr(arn, '/');
        json_array_append_new(
          list, json_pack("{s:s,s:s}", "PolicyName", slash ? slash + 1 : arn, "PolicyArn", arn));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(list);
        return -1;
    }
    *out = json_pack("{s:o,s:b}", "AttachedPolicies", list, "IsTruncated", 0);
    return 0;
}

int cpw_sbx_iam_put_role_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "RoleName");
    const char *policy = cpw_sbx_in_str(input, "PolicyName");
    const char *document = cpw_sbx_in_str(input, "PolicyDocument");
    int rc = cpw_sbx_iam_need_modifiable_role(ctx, name);
    if (rc == 0) {
        rc = cpw_sbx_iam_check_policy(ctx, document, CPW_SBX_POLICY_IDENTITY);
    }
    if (rc != 0) {
        return rc;
    }
    if (policy == NULL || !cpw_sbx_name_ok(policy, 1, 128)) {
        return cpw_sbx_fail(ctx, 400, "ValidationError", "PolicyName is not valid");
    }
    if (cpw_sbx_sql_do(ctx->db,
                       "INSERT OR REPLACE INTO iam_role_inline(account_id, role_name, policy_name,"
                       " document) VALUES (?, ?, ?, ?)",
                       "ssss", s_account(ctx), name, policy, document) < 0) {
        return -1;
    }
    cpw_sbx_iam_add_role_resource(ctx, name);
    *output = json_object();
    return 0;
}

int cpw_sbx_iam_get_role_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "RoleName");
    const char *policy = cpw_sbx_in_str(input, "PolicyName");
    int rc = cpw_sbx_iam_need_role(ctx, name, NULL, 0);
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT role_name, policy_name, document FROM"
                                           " iam_role_inline WHERE account_id = ? AND"
                                           " role_name = ? AND policy_name = ?",
                                           "sss", s_account(ctx), name, policy);
    if (stmt == NULL) {
        return -1;
    }
    rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        *output = json_pack("{s:s,s:s,s:o}", "RoleName", cpw_sbx_col(stmt, 0), "PolicyName",
                            cpw_sbx_col(stmt, 1), "PolicyDocument",
                            cpw_sbx_iam_url_encoded(cpw_sbx_col(stmt, 2)));
    }
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity",
                            "The role policy with name %s cannot be found.", policy ? policy : "");
    }
    return rc < 0 ? -1 : 0;
}

int cpw_sbx_iam_delete_role_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "RoleName");
    const char *policy = cpw_sbx_in_str(input, "PolicyName");
    int rc = cpw_sbx_iam_need_modifiable_role(ctx, name);
    if (rc != 0) {
        return rc;
    }
    int n = cpw_sbx_sql_do(
      ctx->db, "DELETE FROM iam_role_inline WHERE account_id=? AND role_name=? AND policy_name=?",
      "sss", s_account(ctx), name, policy);
    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity",
                            "The role policy with name %s cannot be found.", policy ? policy : "");
    }
    cpw_sbx_iam_add_role_resource(ctx, name);
    *output = json_object();
    return 0;
}

int cpw_sbx_iam_list_role_policies(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "RoleName");
    int rc = cpw_sbx_iam_need_role(ctx, name, NULL, 0);
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT policy_name FROM iam_role_inline WHERE"
                                           " account_id = ? AND role_name = ? ORDER BY policy_name",
                                           "ss", s_account(ctx), name);
    if (stmt == NULL) {
        return -1;
    }
    json_t *names = json_array();
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        json_array_append_new(names, json_string(cpw_sbx_col(stmt, 0)));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(names);
        return -1;
    }
    *output = json_pack("{s:o,s:b}", "PolicyNames", names, "IsTruncated", 0);
    return 0;
}

/* ----- tags -------------------------------------------------------------------------------- */

static json_t *s_load_tags(struct cpw_sbx_ctx *ctx, const char *name)
{
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db, "SELECT tags FROM iam_roles WHERE account_id = ? AND name = ?",
                        "ss", s_account(ctx), name);
    if (stmt == NULL) {
        return NULL;
    }
    json_t *tags = NULL;
    if (cpw_sbx_sql_step(stmt) == 1) {
        tags = cpw_json_load_cstr(cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    return json_is_array(tags) ? tags : (json_decref(tags), json_array());
}

static int s_store_tags(struct cpw_sbx_ctx *ctx, const char *name, json_t *tags)
{
    char *text = cpw_json_dump_cstr(tags, CPW_JSON_DUMP_COMPACT);
    int rc = cpw_sbx_sql_do(ctx->db, "UPDATE iam_roles SET tags = ? WHERE account_id=? AND name=?",
                            "sss", text, s_account(ctx), name);
    cpw_free(text);
    return rc < 0 ? -1 : 0;
}

int cpw_sbx_iam_tag_role(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "RoleName");
    int rc = cpw_sbx_iam_need_role(ctx, name, NULL, 0);
    if (rc != 0) {
        return rc;
    }
    json_t *tags = s_load_tags(ctx, name);
    if (tags == NULL) {
        return -1;
    }
    rc = cpw_sbx_iam_tags_merge(ctx, tags, json_object_get(input, "Tags"));
    if (rc == 0) {
        rc = s_store_tags(ctx, name, tags);
    }
    json_decref(tags);
    if (rc != 0) {
        return rc;
    }
    cpw_sbx_iam_add_role_resource(ctx, name);
    *output = json_object();
    return 0;
}

int cpw_sbx_iam_untag_role(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "RoleName");
    int rc = cpw_sbx_iam_need_role(ctx, name, NULL, 0);
    if (rc != 0) {
        return rc;
    }
    json_t *tags = s_load_tags(ctx, name);
    if (tags == NULL) {
        return -1;
    }
    cpw_sbx_iam_tags_remove(tags, json_object_get(input, "TagKeys"));
    rc = s_store_tags(ctx, name, tags);
    json_decref(tags);
    if (rc != 0) {
        return rc;
    }
    cpw_sbx_iam_add_role_resource(ctx, name);
    *output = json_object();
    return 0;
}

int cpw_sbx_iam_list_role_tags(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "RoleName");
    int rc = cpw_sbx_iam_need_role(ctx, name, NULL, 0);
    if (rc != 0) {
        return rc;
    }
    json_t *tags = s_load_tags(ctx, name);
    if (tags == NULL) {
        return -1;
    }
    rc = cpw_sbx_iam_tags_page(ctx, tags, input, output);
    json_decref(tags);
    return rc;
}
