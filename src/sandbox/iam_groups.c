/*
 * iam_groups.c - IAM groups in the sandbox (create/get/list/delete, membership) and the inline
 * policies of groups and users (returned URL-encoded, as IAM does).
 *
 * Group names are unique per account ignoring case. DeleteGroup refuses while the group has
 * members or policies, with AWS's DeleteConflict messages. Lists order by name. UpdateGroup
 * renames in place: the group keeps its id, members and policies.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/buf.h"
#include "cpw/error.h"
#include "sbx_iam.h"
#include "sbx_service.h"

#define GROUP_NAME_MAX  128
#define GROUPS_PER_USER 10

static const char *s_account(struct cpw_sbx_ctx *ctx)
{
    return ctx->req->caller->account_id;
}

static int s_need_group(struct cpw_sbx_ctx *ctx, const char *name)
{
    int n = cpw_sbx_iam_count(ctx->db,
                              "SELECT count(*) FROM iam_groups WHERE account_id = ? AND name = ?",
                              s_account(ctx), name);
    if (n < 0) {
        return -1;
    }
    return n > 0 ? 0
                 : cpw_sbx_fail(ctx, 404, "NoSuchEntity", "The group with name %s cannot be found.",
                                name ? name : "");
}

#define GROUP_COLUMNS "name, path, group_id, arn, created_ms"

static json_t *s_group_from_row(sqlite3_stmt *stmt)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:o}", "Path", cpw_sbx_col(stmt, 1), "GroupName",
                     cpw_sbx_col(stmt, 0), "GroupId", cpw_sbx_col(stmt, 2), "Arn",
                     cpw_sbx_col(stmt, 3), "CreateDate",
                     cpw_sbx_time_json(sqlite3_column_int64(stmt, 4)));
}

static json_t *s_group_json(struct cpw_sbx_ctx *ctx, const char *name)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT " GROUP_COLUMNS " FROM iam_groups WHERE account_id = ? AND name = ?", "ss",
      s_account(ctx), name);
    json_t *group = NULL;
    if (stmt != NULL && cpw_sbx_sql_step(stmt) == 1) {
        group = s_group_from_row(stmt);
    }
    cpw_sbx_sql_done(stmt);
    return group;
}

/* ----- groups ------------------------------------------------------------------------------ */

int cpw_sbx_iam_create_group(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "GroupName");
    const char *path = cpw_sbx_in_str(input, "Path");
    if (name == NULL || !cpw_sbx_name_ok(name, 1, GROUP_NAME_MAX)) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'groupName' failed to "
                            "satisfy constraint: Member must satisfy regular expression pattern: "
                            "[\\w+=,.@-]+",
                            name ? name : "");
    }
    path = path ? path : "/";
    size_t plen = strlen(path);
    if (plen > 512 || path[0] != '/' || path[plen - 1] != '/') {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "The specified value for path is invalid. It must begin and end with "
                            "/ and contain only alphanumeric characters and/or / characters.");
    }
    int n = cpw_sbx_iam_count(ctx->db,
                              "SELECT count(*) FROM iam_groups WHERE account_id = ? AND name = ?",
                              s_account(ctx), name);
    if (n < 0) {
        return -1;
    }
    if (n > 0) {
        return cpw_sbx_fail(ctx, 409, "EntityAlreadyExists", "Group with name %s already exists.",
                            name);
    }
    char group_id[32] = "AGPA";
    if (cpw_sbx_random_chars(group_id + 4, 17, CPW_SBX_UPPER_ALNUM) != 0) {
        return -1;
    }
    char arn[1024];
    snprintf(arn, sizeof(arn), "arn:%s:iam::%s:group%s%s", cpw_sbx_ctx_partition(ctx),
             s_account(ctx), path, name);
    if (cpw_sbx_sql_do(ctx->db,
                       "INSERT INTO iam_groups(account_id, name, path, group_id, arn, created_ms)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       "sssssi", s_account(ctx), name, path, group_id, arn, ctx->req->now_ms) < 0) {
        return -1;
    }
    json_t *group = s_group_json(ctx, name);
    if (group == NULL) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::Group", name);
    *output = json_pack("{s:o}", "Group", group);
    return 0;
}

int cpw_sbx_iam_get_group(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "GroupName");
    int rc = s_need_group(ctx, name);
    if (rc != 0) {
        return rc;
    }
    json_t *group = s_group_json(ctx, name);
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT u.name, u.path, u.user_id, u.arn, u.created_ms FROM iam_group_members m JOIN"
      " iam_users u ON u.account_id = m.account_id AND u.name = m.user_name WHERE"
      " m.account_id = ? AND m.group_name = ? ORDER BY u.name",
      "ss", s_account(ctx), name);
    json_t *users = json_array();
    while (stmt != NULL && (rc = cpw_sbx_sql_step(stmt)) == 1) {
        json_array_append_new(users, json_pack("{s:s,s:s,s:s,s:s,s:o}", "Path",
                                               cpw_sbx_col(stmt, 1), "UserName",
                                               cpw_sbx_col(stmt, 0), "UserId", cpw_sbx_col(stmt, 2),
                                               "Arn", cpw_sbx_col(stmt, 3), "CreateDate",
                                               cpw_sbx_time_json(sqlite3_column_int64(stmt, 4))));
    }
    cpw_sbx_sql_done(stmt);
    if (group == NULL || stmt == NULL || rc < 0) {
        json_decref(group);
        json_decref(users);
        return -1;
    }
    *output = json_pack("{s:o,s:o,s:b}", "Group", group, "Users", users, "IsTruncated", 0);
    return 0;
}

static json_t *s_group_row(sqlite3_stmt *stmt, void *arg)
{
    (void)arg;
    return s_group_from_row(stmt);
}

static int s_group_page(struct cpw_sbx_ctx *ctx,
                        const json_t *input,
                        const char *user,
                        const char *list_key,
                        json_t **output)
{
    const char *prefix = cpw_sbx_in_str(input, "PathPrefix");
    int64_t max_items = 100;
    struct cpw_buf after;
    cpw_buf_init(&after, 1024);
    int rc = cpw_sbx_iam_page_start(ctx, input, &after, &max_items);
    if (rc != 0) {
        cpw_buf_clean_up(&after);
        return rc;
    }
    prefix = prefix ? prefix : "/";
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT " GROUP_COLUMNS " FROM iam_groups g WHERE account_id = ?1"
      " AND substr(path, 1, length(?2)) = ?2 AND name >= ?3 AND (?4 IS NULL OR EXISTS"
      " (SELECT 1 FROM iam_group_members m WHERE m.account_id = ?1 AND m.group_name = g.name"
      " AND m.user_name = ?4)) ORDER BY name LIMIT ?5",
      "ssssi", s_account(ctx), prefix, cpw_buf_cstr(&after), user, max_items + 1);
    cpw_buf_clean_up(&after);
    return cpw_sbx_iam_page_answer(stmt, list_key, max_items, 0, s_group_row, NULL, output);
}

int cpw_sbx_iam_list_groups(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_group_page(ctx, input, NULL, "Groups", output);
}

int cpw_sbx_iam_list_groups_for_user(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *user = cpw_sbx_in_str(in, "UserName");
    int rc = cpw_sbx_iam_need_user(ctx, user);
    return rc != 0 ? rc : s_group_page(ctx, in, user, "Groups", out);
}

int cpw_sbx_iam_delete_group(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "GroupName");
    int rc = s_need_group(ctx, name);
    if (rc != 0) {
        return rc;
    }
    int members = cpw_sbx_iam_count(
      ctx->db, "SELECT count(*) FROM iam_group_members WHERE account_id = ? AND group_name = ?",
      s_account(ctx), name);
    int attached = cpw_sbx_iam_count(
      ctx->db, "SELECT count(*) FROM iam_group_attached WHERE account_id = ? AND group_name = ?",
      s_account(ctx), name);
    int inline_n = cpw_sbx_iam_count(
      ctx->db, "SELECT count(*) FROM iam_group_inline WHERE account_id = ? AND group_name = ?",
      s_account(ctx), name);
    if (members < 0 || attached < 0 || inline_n < 0) {
        return -1;
    }
    if (members > 0) {
        return cpw_sbx_fail(ctx, 409, "DeleteConflict",
                            "Cannot delete entity, must remove users from group first.");
    }
    if (attached > 0) {
        return cpw_sbx_fail(ctx, 409, "DeleteConflict",
                            "Cannot delete entity, must detach all policies first.");
    }
    if (inline_n > 0) {
        return cpw_sbx_fail(ctx, 409, "DeleteConflict",
                            "Cannot delete entity, must delete policies first.");
    }
    if (cpw_sbx_sql_do(ctx->db, "DELETE FROM iam_groups WHERE account_id = ? AND name = ?", "ss",
                       s_account(ctx), name) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::Group", name);
    *output = json_object();
    return 0;
}

int cpw_sbx_iam_add_user_to_group(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *group = cpw_sbx_in_str(input, "GroupName");
    const char *user = cpw_sbx_in_str(input, "UserName");
    int rc = cpw_sbx_iam_need_user(ctx, user); /* an unknown user is named first, then the group */
    if (rc == 0) {
        rc = s_need_group(ctx, group);
    }
    if (rc != 0) {
        return rc;
    }
    int n = cpw_sbx_iam_count(
      ctx->db, "SELECT count(*) FROM iam_group_members WHERE account_id = ? AND user_name = ?",
      s_account(ctx), user);
    if (n < 0) {
        return -1;
    }
    if (n >= GROUPS_PER_USER) {
        return cpw_sbx_fail(ctx, 409, "LimitExceeded", "Cannot exceed quota for GroupsPerUser: %d",
                            GROUPS_PER_USER);
    }
    if (cpw_sbx_sql_do(ctx->db,
                       "INSERT OR IGNORE INTO iam_group_members(account_id, group_name, user_name)"
                       " SELECT ?1, g.name, u.name FROM iam_groups g, iam_users u WHERE"
                       " g.account_id = ?1 AND g.name = ?2 AND u.account_id = ?1 AND u.name = ?3",
                       "sss", s_account(ctx), group, user) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::Group", group);
    *output = json_object();
    return 0;
}

int cpw_sbx_iam_remove_user_from_group(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *group = cpw_sbx_in_str(in, "GroupName");
    const char *user = cpw_sbx_in_str(in, "UserName");
    int rc = s_need_group(ctx, group);
    if (rc == 0) {
        rc = cpw_sbx_iam_need_user(ctx, user);
    }
    if (rc != 0) {
        return rc;
    }
    int n = cpw_sbx_sql_do(ctx->db,
                           "DELETE FROM iam_group_members WHERE account_id = ? AND group_name = ?"
                           " AND user_name = ?",
                           "sss", s_account(ctx), group, user);
    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "The user with name %s cannot be found.",
                            user);
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::Group", group);
    *out = json_object();
    return 0;
}

/* ----- inline policies of groups and users ------------------------------------------------- */

struct holder {
    const char *key;   /* "GroupName" */
    const char *table; /* "iam_group_inline" */
    const char *col;   /* "group_name" */
    const char *kind;  /* "group" */
    const char *out;   /* output member naming the holder */
    int (*need)(struct cpw_sbx_ctx *, const char *);
};

static const struct holder s_group_h = { "GroupName", "iam_group_inline", "group_name",
                                         "group",     "GroupName",        s_need_group };
static const struct holder s_user_h = { "UserName", "iam_user_inline", "user_name",
                                        "user",     "UserName",        cpw_sbx_iam_need_user };

static int s_put_inline(struct cpw_sbx_ctx *ctx,
                        const struct holder *h,
                        const json_t *input,
                        json_t **output)
{
    const char *name = cpw_sbx_in_str(input, h->key);
    const char *policy = cpw_sbx_in_str(input, "PolicyName");
    const char *document = cpw_sbx_in_str(input, "PolicyDocument");
    int rc = h->need(ctx, name);
    if (rc == 0) {
        rc = cpw_sbx_iam_check_policy(ctx, document, CPW_SBX_POLICY_IDENTITY);
    }
    if (rc != 0) {
        return rc;
    }
    if (policy == NULL || !cpw_sbx_name_ok(policy, 1, 128)) {
        return cpw_sbx_fail(ctx, 400, "ValidationError", "PolicyName is not valid");
    }
    char sql[256];
    snprintf(sql, sizeof(sql),
             "INSERT OR REPLACE INTO %s(account_id, %s, policy_name, document) VALUES (?, ?, ?, ?)",
             h->table, h->col);
    if (cpw_sbx_sql_do(ctx->db, sql, "ssss", s_account(ctx), name, policy, document) < 0) {
        return -1;
    }
    *output = json_object();
    return 0;
}

static int s_get_inline(struct cpw_sbx_ctx *ctx,
                        const struct holder *h,
                        const json_t *input,
                        json_t **output)
{
    const char *name = cpw_sbx_in_str(input, h->key);
    const char *policy = cpw_sbx_in_str(input, "PolicyName");
    int rc = h->need(ctx, name);
    if (rc != 0) {
        return rc;
    }
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT %s, policy_name, document FROM %s WHERE account_id = ? AND %s = ? AND"
             " policy_name = ?",
             h->col, h->table, h->col);
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db, sql, "sss", s_account(ctx), name, policy);
    rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    if (rc == 1) {
        *output = json_pack("{s:s,s:s,s:o}", h->out, cpw_sbx_col(stmt, 0), "PolicyName",
                            cpw_sbx_col(stmt, 1), "PolicyDocument",
                            cpw_sbx_iam_url_encoded(cpw_sbx_col(stmt, 2)));
    }
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "The %s policy with name %s cannot be found.",
                            h->kind, policy ? policy : "");
    }
    return rc < 0 ? -1 : 0;
}

static int s_delete_inline(struct cpw_sbx_ctx *ctx,
                           const struct holder *h,
                           const json_t *input,
                           json_t **output)
{
    const char *name = cpw_sbx_in_str(input, h->key);
    const char *policy = cpw_sbx_in_str(input, "PolicyName");
    int rc = h->need(ctx, name);
    if (rc != 0) {
        return rc;
    }
    char sql[256];
    snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE account_id = ? AND %s = ? AND policy_name = ?",
             h->table, h->col);
    int n = cpw_sbx_sql_do(ctx->db, sql, "sss", s_account(ctx), name, policy);
    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "The %s policy with name %s cannot be found.",
                            h->kind, policy ? policy : "");
    }
    *output = json_object();
    return 0;
}

static int s_list_inline(struct cpw_sbx_ctx *ctx,
                         const struct holder *h,
                         const json_t *input,
                         json_t **output)
{
    const char *name = cpw_sbx_in_str(input, h->key);
    int rc = h->need(ctx, name);
    if (rc != 0) {
        return rc;
    }
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT policy_name FROM %s WHERE account_id = ? AND %s = ? ORDER BY policy_name",
             h->table, h->col);
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db, sql, "ss", s_account(ctx), name);
    json_t *names = json_array();
    while (stmt != NULL && (rc = cpw_sbx_sql_step(stmt)) == 1) {
        json_array_append_new(names, json_string(cpw_sbx_col(stmt, 0)));
    }
    cpw_sbx_sql_done(stmt);
    if (stmt == NULL || rc < 0) {
        json_decref(names);
        return -1;
    }
    *output = json_pack("{s:o,s:b}", "PolicyNames", names, "IsTruncated", 0);
    return 0;
}

int cpw_sbx_iam_put_group_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_put_inline(ctx, &s_group_h, input, output);
}

int cpw_sbx_iam_get_group_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_get_inline(ctx, &s_group_h, input, output);
}

int cpw_sbx_iam_delete_group_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_delete_inline(ctx, &s_group_h, input, output);
}

int cpw_sbx_iam_list_group_policies(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_list_inline(ctx, &s_group_h, input, output);
}

int cpw_sbx_iam_put_user_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_put_inline(ctx, &s_user_h, input, output);
}

int cpw_sbx_iam_get_user_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_get_inline(ctx, &s_user_h, input, output);
}

int cpw_sbx_iam_delete_user_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_delete_inline(ctx, &s_user_h, input, output);
}

int cpw_sbx_iam_list_user_policies(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_list_inline(ctx, &s_user_h, input, output);
}

/* ----- renaming ---------------------------------------------------------------------------- */

int cpw_sbx_iam_update_group(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "GroupName");
    const char *new_name = cpw_sbx_in_str(input, "NewGroupName");
    const char *new_path = cpw_sbx_in_str(input, "NewPath");
    if (new_name != NULL && !cpw_sbx_name_ok(new_name, 1, GROUP_NAME_MAX)) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'newGroupName' failed to "
                            "satisfy constraint: Member must satisfy regular expression pattern: "
                            "[\\w+=,.@-]+",
                            new_name);
    }
    size_t plen = new_path ? strlen(new_path) : 1;
    if (new_path != NULL && (plen > 512 || new_path[0] != '/' || new_path[plen - 1] != '/')) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "The specified value for path is invalid. It must begin and end with "
                            "/ and contain only alphanumeric characters and/or / characters.");
    }
    int rc = s_need_group(ctx, name);
    if (rc != 0) {
        return rc;
    }
    json_t *group = s_group_json(ctx, name);
    if (group == NULL) {
        return -1;
    }
    const char *final_name =
      new_name ? new_name : json_string_value(json_object_get(group, "GroupName"));
    const char *final_path =
      new_path ? new_path : json_string_value(json_object_get(group, "Path"));
    if (new_name != NULL && sqlite3_stricmp(new_name, name) != 0) {
        int n = cpw_sbx_iam_count(
          ctx->db, "SELECT count(*) FROM iam_groups WHERE account_id = ? AND name = ?",
          s_account(ctx), new_name);
        if (n != 0) {
            json_decref(group);
            return n < 0 ? -1
                         : cpw_sbx_fail(ctx, 409, "EntityAlreadyExists",
                                        "Group with name %s already exists.", new_name);
        }
    }
    char arn[1024];
    snprintf(arn, sizeof(arn), "arn:%s:iam::%s:group%s%s", cpw_sbx_ctx_partition(ctx),
             s_account(ctx), final_path, final_name);
    /* The group's key changes: its policies and members follow it inside this transaction. */
    static const char *const moves[] = {
        "UPDATE iam_group_attached SET group_name = ?1 WHERE account_id = ?2 AND group_name = ?3",
        "UPDATE iam_group_members SET group_name = ?1 WHERE account_id = ?2 AND group_name = ?3",
        "UPDATE iam_group_inline SET group_name = ?1 WHERE account_id = ?2 AND group_name = ?3",
    };
    rc = cpw_sbx_sql_exec(ctx->db, "PRAGMA defer_foreign_keys = ON");
    if (rc == 0 && cpw_sbx_sql_do(ctx->db,
                                  "UPDATE iam_groups SET name = ?, path = ?, arn = ? WHERE"
                                  " account_id = ? AND name = ?",
                                  "sssss", final_name, final_path, arn, s_account(ctx), name) < 0) {
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < sizeof(moves) / sizeof(moves[0]); i++) {
        rc =
          cpw_sbx_sql_do(ctx->db, moves[i], "sss", final_name, s_account(ctx), name) < 0 ? -1 : 0;
    }
    if (rc == 0) {
        cpw_sbx_add_resource(ctx, "AWS::IAM::Group", name);
        *output = json_object();
    }
    json_decref(group);
    return rc;
}
