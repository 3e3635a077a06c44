/*
 * iam_policy_versions.c - the versions of IAM customer managed policies in the sandbox: up to 5
 * per policy, numbered v1, v2, ... never reused, one of them the default (what the policy
 * grants). AWS managed policies (iam_aws_policies.c) show their one default version.
 *
 * As IAM does, documents are returned URL-encoded, and only by GetPolicyVersion (and
 * GetAccountAuthorizationDetails): CreatePolicyVersion and ListPolicyVersions leave Document out
 * (IAM API reference, PolicyVersion data type). ListPolicyVersions lists the newest first.
 */
#include <stdio.h>
#include <string.h>

#include "sbx_service.h"

#define VERSIONS_PER_POLICY 5

static const char *s_account(struct cpw_sbx_ctx *ctx)
{
    return ctx->req->caller->account_id;
}

static json_t *s_version_json(const char *version_id,
                              const char *document,
                              bool is_default,
                              json_t *created)
{
    json_t *v = json_object();
    if (document != NULL) {
        json_object_set_new(v, "Document", cpw_sbx_iam_url_encoded(document));
    }
    json_object_set_new(v, "VersionId", json_string(version_id));
    json_object_set_new(v, "IsDefaultVersion", json_boolean(is_default));
    json_object_set_new(v, "CreateDate", created);
    return v;
}

int cpw_sbx_iam_create_policy_version(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *arn = cpw_sbx_in_str(in, "PolicyArn");
    const char *document = cpw_sbx_in_str(in, "PolicyDocument");
    const json_t *set_default = json_object_get(in, "SetAsDefault");
    bool make_default =
      json_is_true(set_default) ||
      (json_is_string(set_default) && strcmp(json_string_value(set_default), "true") == 0);
    char name[256];
    int rc = cpw_sbx_iam_need_local_policy(ctx, arn, name, sizeof(name));
    if (rc == 0) {
        rc = cpw_sbx_iam_check_policy_document(ctx, document);
    }
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT (SELECT count(*) FROM iam_policy_versions WHERE account_id = ?1 AND"
      " policy_name = ?2), next_version FROM iam_policies WHERE account_id = ?1 AND name = ?2",
      "ss", s_account(ctx), name);
    rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    int versions = rc == 1 ? sqlite3_column_int(stmt, 0) : 0;
    int64_t next = rc == 1 ? sqlite3_column_int64(stmt, 1) : 0;
    cpw_sbx_sql_done(stmt);
    if (rc != 1) {
        return -1;
    }
    if (versions >= VERSIONS_PER_POLICY) {
        return cpw_sbx_fail(ctx, 409, "LimitExceeded",
                            "A managed policy can have up to %d versions. Before you create a new "
                            "version, you must delete an existing version.",
                            VERSIONS_PER_POLICY);
    }
    char version_id[32];
    snprintf(version_id, sizeof(version_id), "v%lld", (long long)next);
    if (cpw_sbx_sql_do(ctx->db,
                       "INSERT INTO iam_policy_versions(account_id, policy_name, version_id,"
                       " document, created_ms) VALUES (?, ?, ?, ?, ?)",
                       "ssssi", s_account(ctx), name, version_id, document, ctx->req->now_ms) < 0 ||
        cpw_sbx_sql_do(ctx->db,
                       "UPDATE iam_policies SET next_version = next_version + 1, updated_ms = ?,"
                       " default_version = CASE WHEN ? THEN ? ELSE default_version END"
                       " WHERE account_id = ? AND name = ?",
                       "iisss", ctx->req->now_ms, (int64_t)make_default, version_id, s_account(ctx),
                       name) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::ManagedPolicy", arn);
    *out = json_pack(
      "{s:o}", "PolicyVersion",
      s_version_json(version_id, NULL, make_default, cpw_sbx_time_json(ctx->req->now_ms)));
    return 0;
}

int cpw_sbx_iam_get_policy_version(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *arn = cpw_sbx_in_str(in, "PolicyArn");
    const char *version_id = cpw_sbx_in_str(in, "VersionId");
    version_id = version_id ? version_id : "";
    const struct cpw_sbx_aws_policy *ap = cpw_sbx_aws_policy_find(arn);
    if (ap != NULL) {
        if (strcmp(version_id, ap->version_id) != 0) {
            return cpw_sbx_fail(ctx, 404, "NoSuchEntity",
                                "Policy %s version %s does not exist or is not attachable.", arn,
                                version_id);
        }
        *out =
          json_pack("{s:o}", "PolicyVersion",
                    s_version_json(ap->version_id, ap->document, true, json_string(ap->updated)));
        return 0;
    }
    char name[256];
    int rc = cpw_sbx_iam_find_local_policy(ctx, arn, name, sizeof(name));
    if (rc <= 0) {
        return rc < 0 ? -1 : cpw_sbx_iam_no_policy(ctx, arn);
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT v.document, v.created_ms, p.default_version = v.version_id FROM iam_policy_versions"
      " v JOIN iam_policies p ON p.account_id = v.account_id AND p.name = v.policy_name"
      " WHERE v.account_id = ? AND v.policy_name = ? AND v.version_id = ?",
      "sss", s_account(ctx), name, version_id);
    rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    if (rc == 1) {
        *out = json_pack("{s:o}", "PolicyVersion",
                         s_version_json(version_id, cpw_sbx_col(stmt, 0),
                                        sqlite3_column_int(stmt, 2) != 0,
                                        cpw_sbx_time_json(sqlite3_column_int64(stmt, 1))));
    }
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity",
                            "Policy %s version %s does not exist or is not attachable.", arn,
                            version_id);
    }
    return rc < 0 ? -1 : 0;
}

int cpw_sbx_iam_list_policy_versions(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *arn = cpw_sbx_in_str(in, "PolicyArn");
    const struct cpw_sbx_aws_policy *ap = cpw_sbx_aws_policy_find(arn);
    json_t *list = json_array();
    if (ap != NULL) {
        json_array_append_new(list,
                              s_version_json(ap->version_id, NULL, true, json_string(ap->updated)));
        *out = json_pack("{s:o,s:b}", "Versions", list, "IsTruncated", 0);
        return 0;
    }
    char name[256];
    int rc = cpw_sbx_iam_find_local_policy(ctx, arn, name, sizeof(name));
    if (rc <= 0) {
        json_decref(list);
        return rc < 0 ? -1 : cpw_sbx_iam_no_policy(ctx, arn);
    }
    /* newest first, as IAM lists them */
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT v.version_id, v.created_ms, p.default_version = v.version_id FROM"
      " iam_policy_versions v JOIN iam_policies p ON p.account_id = v.account_id AND"
      " p.name = v.policy_name WHERE v.account_id = ? AND v.policy_name = ?"
      " ORDER BY CAST(substr(v.version_id, 2) AS INTEGER) DESC",
      "ss", s_account(ctx), name);
    while (stmt != NULL && (rc = cpw_sbx_sql_step(stmt)) == 1) {
        json_array_append_new(
          list, s_version_json(cpw_sbx_col(stmt, 0), NULL, sqlite3_column_int(stmt, 2) != 0,
                               cpw_sbx_time_json(sqlite3_column_int64(stmt, 1))));
    }
    cpw_sbx_sql_done(stmt);
    if (stmt == NULL || rc < 0) {
        json_decref(list);
        return -1;
    }
    *out = json_pack("{s:o,s:b}", "Versions", list, "IsTruncated", 0);
    return 0;
}

int cpw_sbx_iam_delete_policy_version(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *arn = cpw_sbx_in_str(in, "PolicyArn");
    const char *version_id = cpw_sbx_in_str(in, "VersionId");
    char name[256];
    int rc = cpw_sbx_iam_need_local_policy(ctx, arn, name, sizeof(name));
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT default_version FROM iam_policies WHERE account_id = ? AND name = ?", "ss",
      s_account(ctx), name);
    rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    bool is_default =
      rc == 1 && version_id != NULL && strcmp(cpw_sbx_col(stmt, 0), version_id) == 0;
    cpw_sbx_sql_done(stmt);
    if (rc != 1) {
        return -1;
    }
    if (is_default) {
        return cpw_sbx_fail(ctx, 409, "DeleteConflict",
                            "Cannot delete the default version of a policy.");
    }
    int n = cpw_sbx_sql_do(ctx->db,
                           "DELETE FROM iam_policy_versions WHERE account_id = ? AND"
                           " policy_name = ? AND version_id = ?",
                           "sss", s_account(ctx), name, version_id);
    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity",
                            "Policy %s version %s does not exist or is not attachable.", arn,
                            version_id ? version_id : "");
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::ManagedPolicy", arn);
    *out = json_object();
    return 0;
}

int cpw_sbx_iam_set_default_policy_version(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *arn = cpw_sbx_in_str(in, "PolicyArn");
    const char *version_id = cpw_sbx_in_str(in, "VersionId");
    char name[256];
    int rc = cpw_sbx_iam_need_local_policy(ctx, arn, name, sizeof(name));
    if (rc != 0) {
        return rc;
    }
    int n = cpw_sbx_sql_do(ctx->db,
                           "UPDATE iam_policies SET default_version = ?3, updated_ms = ?4 WHERE"
                           " account_id = ?1 AND name = ?2 AND EXISTS (SELECT 1 FROM"
                           " iam_policy_versions WHERE account_id = ?1 AND policy_name = ?2 AND"
                           " version_id = ?3)",
                           "sssi", s_account(ctx), name, version_id, ctx->req->now_ms);
    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity",
                            "Policy %s version %s does not exist or is not attachable.", arn,
                            version_id ? version_id : "");
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::ManagedPolicy", arn);
    *out = json_object();
    return 0;
}
