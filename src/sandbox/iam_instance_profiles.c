/*
 * iam_instance_profiles.c - IAM instance profiles in the sandbox: create/get/list/delete, the
 * one role a profile may hold (AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile,
 * ListInstanceProfilesForRole) and tags (TagInstanceProfile, UntagInstanceProfile,
 * ListInstanceProfileTags; rules in iam_tags.c).
 *
 * Names are unique per account ignoring case, as in IAM; lists order by name. Every
 * InstanceProfile document carries its Tags (an empty list when it has none).
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "sbx_iam.h"
#include "sbx_service.h"

static const char *s_account(struct cpw_sbx_ctx *ctx)
{
    return ctx->req->caller->account_id;
}

static int s_store_tags(struct cpw_sbx_ctx *ctx, const char *name, const json_t *tags)
{
    char *text = cpw_json_dump_cstr(tags, CPW_JSON_DUMP_COMPACT);
    int rc = cpw_sbx_sql_do(ctx->db,
                            "INSERT INTO iam_instance_profile_tags(account_id, profile_name, tags)"
                            " SELECT account_id, name, ?3 FROM iam_instance_profiles WHERE"
                            " account_id = ?1 AND name = ?2 ON CONFLICT(account_id, profile_name)"
                            " DO UPDATE SET tags = excluded.tags",
                            "sss", s_account(ctx), name, text ? text : "[]");
    cpw_free(text);
    return rc < 0 ? -1 : 0;
}

static json_t *s_profile_from_row(struct cpw_sbx_ctx *ctx, sqlite3_stmt *stmt)
{
    json_t *roles = json_array();
    sqlite3_stmt *r = cpw_sbx_sql_query(
      ctx->db,
      "SELECT role_name FROM iam_instance_profile_roles WHERE account_id = ? AND profile_name = ?",
      "ss", s_account(ctx), cpw_sbx_col(stmt, 0));
    while (r != NULL && cpw_sbx_sql_step(r) == 1) {
        json_t *role = cpw_sbx_iam_role_json(ctx->db, s_account(ctx), cpw_sbx_col(r, 0), false);
        if (role != NULL) {
            json_array_append_new(roles, role);
        }
    }
    cpw_sbx_sql_done(r);
    json_t *tags = cpw_json_load_cstr(cpw_sbx_col(stmt, 5));
    return json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "Path", cpw_sbx_col(stmt, 1),
                     "InstanceProfileName", cpw_sbx_col(stmt, 0), "InstanceProfileId",
                     cpw_sbx_col(stmt, 2), "Arn", cpw_sbx_col(stmt, 3), "CreateDate",
                     cpw_sbx_time_json(sqlite3_column_int64(stmt, 4)), "Roles", roles, "Tags",
                     json_is_array(tags) ? tags : (json_decref(tags), json_array()));
}

/* Tags sit in a table of their own, so that sandbox.db files made before them still open. */
#define PROFILE_COLUMNS                                                                            \
    "name, path, profile_id, arn, created_ms, coalesce((SELECT t.tags FROM"                        \
    " iam_instance_profile_tags t WHERE t.account_id = p.account_id AND t.profile_name = p.name)," \
    " '[]')"

static int s_profile(struct cpw_sbx_ctx *ctx, const char *name, json_t **profile)
{
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db,
                        "SELECT " PROFILE_COLUMNS " FROM iam_instance_profiles p WHERE"
                        " account_id = ? AND name = ?",
                        "ss", s_account(ctx), name ? name : "");
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    if (rc == 1 && profile != NULL) {
        *profile = s_profile_from_row(ctx, stmt);
    }
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "Instance Profile %s cannot be found.",
                            name ? name : "");
    }
    return rc < 0 ? -1 : 0;
}

int cpw_sbx_iam_create_instance_profile(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *name = cpw_sbx_in_str(in, "InstanceProfileName");
    const char *path = cpw_sbx_in_str(in, "Path");
    if (name == NULL || !cpw_sbx_name_ok(name, 1, 128)) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'instanceProfileName' "
                            "failed to satisfy constraint: Member must satisfy regular expression "
                            "pattern: [\\w+=,.@-]+",
                            name ? name : "");
    }
    path = path ? path : "/";
    size_t plen = strlen(path);
    if (plen > 512 || path[0] != '/' || path[plen - 1] != '/') {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "The specified value for path is invalid. It must begin and end with "
                            "/ and contain only alphanumeric characters and/or / characters.");
    }
    const json_t *tags = json_object_get(in, "Tags");
    int rc = cpw_sbx_iam_tags_check(ctx, tags);
    if (rc != 0) {
        return rc;
    }
    int n = cpw_sbx_iam_count(
      ctx->db, "SELECT count(*) FROM iam_instance_profiles WHERE account_id = ? AND name = ?",
      s_account(ctx), name);
    if (n < 0) {
        return -1;
    }
    if (n > 0) {
        return cpw_sbx_fail(ctx, 409, "EntityAlreadyExists", "Instance Profile %s already exists.",
                            name);
    }
    char id[32] = "AIPA";
    if (cpw_sbx_random_chars(id + 4, 17, CPW_SBX_UPPER_ALNUM) != 0) {
        return -1;
    }
    char arn[1024];
    snprintf(arn, sizeof(arn), "arn:%s:iam::%s:instance-profile%s%s", cpw_sbx_ctx_partition(ctx),
             s_account(ctx), path, name);
    if (cpw_sbx_sql_do(ctx->db,
                       "INSERT INTO iam_instance_profiles(account_id, name, path, profile_id, arn,"
                       " created_ms) VALUES (?, ?, ?, ?, ?, ?)",
                       "sssssi", s_account(ctx), name, path, id, arn, ctx->req->now_ms) < 0 ||
        (json_array_size(tags) > 0 && s_store_tags(ctx, name, tags) != 0)) {
        return -1;
    }
    json_t *profile = NULL;
    if (s_profile(ctx, name, &profile) != 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::InstanceProfile", name);
    *out = json_pack("{s:o}", "InstanceProfile", profile);
    return 0;
}

int cpw_sbx_iam_get_instance_profile(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    json_t *profile = NULL;
    int rc = s_profile(ctx, cpw_sbx_in_str(in, "InstanceProfileName"), &profile);
    if (rc != 0) {
        return rc;
    }
    *out = json_pack("{s:o}", "InstanceProfile", profile);
    return 0;
}

int cpw_sbx_iam_delete_instance_profile(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *name = cpw_sbx_in_str(in, "InstanceProfileName");
    int rc = s_profile(ctx, name, NULL);
    if (rc != 0) {
        return rc;
    }
    int roles = cpw_sbx_iam_count(
      ctx->db,
      "SELECT count(*) FROM iam_instance_profile_roles WHERE account_id = ? AND profile_name = ?",
      s_account(ctx), name);
    if (roles < 0) {
        return -1;
    }
    if (roles > 0) {
        return cpw_sbx_fail(ctx, 409, "DeleteConflict",
                            "Cannot delete entity, must remove roles from instance profile first.");
    }
    if (cpw_sbx_sql_do(ctx->db,
                       "DELETE FROM iam_instance_profiles WHERE account_id = ? AND name = ?", "ss",
                       s_account(ctx), name) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::InstanceProfile", name);
    *out = json_object();
    return 0;
}

static json_t *s_profile_row(sqlite3_stmt *stmt, void *ctx)
{
    return s_profile_from_row(ctx, stmt);
}

static int s_list_profiles(struct cpw_sbx_ctx *ctx,
                           const json_t *in,
                           const char *role,
                           json_t **out)
{
    const char *prefix = cpw_sbx_in_str(in, "PathPrefix");
    int64_t max_items = 100;
    struct cpw_buf after;
    cpw_buf_init(&after, 1024);
    int rc = cpw_sbx_iam_page_start(ctx, in, &after, &max_items);
    if (rc != 0) {
        cpw_buf_clean_up(&after);
        return rc;
    }
    prefix = prefix ? prefix : "/";
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT " PROFILE_COLUMNS " FROM iam_instance_profiles p WHERE account_id = ?1 AND"
      " substr(path, 1, length(?2)) = ?2 AND name >= ?3 AND (?4 IS NULL OR EXISTS (SELECT 1"
      " FROM iam_instance_profile_roles r WHERE r.account_id = ?1 AND r.profile_name = p.name"
      " AND r.role_name = ?4)) ORDER BY name LIMIT ?5",
      "ssssi", s_account(ctx), prefix, cpw_buf_cstr(&after), role, max_items + 1);
    cpw_buf_clean_up(&after);
    return cpw_sbx_iam_page_answer(stmt, "InstanceProfiles", max_items, 0, s_profile_row, ctx, out);
}

int cpw_sbx_iam_list_instance_profiles(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    return s_list_profiles(ctx, in, NULL, out);
}

int cpw_sbx_iam_list_instance_profiles_for_role(struct cpw_sbx_ctx *ctx,
                                                const json_t *in,
                                                json_t **out)
{
    const char *role = cpw_sbx_in_str(in, "RoleName");
    int rc = cpw_sbx_iam_need_role(ctx, role, NULL, 0);
    return rc != 0 ? rc : s_list_profiles(ctx, in, role, out);
}

int cpw_sbx_iam_add_role_to_instance_profile(struct cpw_sbx_ctx *ctx,
                                             const json_t *in,
                                             json_t **out)
{
    const char *name = cpw_sbx_in_str(in, "InstanceProfileName");
    const char *role = cpw_sbx_in_str(in, "RoleName");
    int rc = s_profile(ctx, name, NULL);
    if (rc == 0) {
        rc = cpw_sbx_iam_need_role(ctx, role, NULL, 0);
    }
    if (rc != 0) {
        return rc;
    }
    int n = cpw_sbx_iam_count(
      ctx->db,
      "SELECT count(*) FROM iam_instance_profile_roles WHERE account_id = ? AND profile_name = ?",
      s_account(ctx), name);
    if (n < 0) {
        return -1;
    }
    if (n > 0) {
        return cpw_sbx_fail(ctx, 409, "LimitExceeded",
                            "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
    }
    if (cpw_sbx_sql_do(ctx->db,
                       "INSERT INTO iam_instance_profile_roles(account_id, profile_name, role_name)"
                       " SELECT ?1, p.name, r.name FROM iam_instance_profiles p, iam_roles r WHERE"
                       " p.account_id = ?1 AND p.name = ?2 AND r.account_id = ?1 AND r.name = ?3",
                       "sss", s_account(ctx), name, role) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::InstanceProfile", name);
    *out = json_object();
    return 0;
}

int cpw_sbx_iam_remove_role_from_instance_profile(struct cpw_sbx_ctx *ctx,
                                                  const json_t *in,
                                                  json_t **out)
{
    const char *name = cpw_sbx_in_str(in, "InstanceProfileName");
    const char *role = cpw_sbx_in_str(in, "RoleName");
    int rc = s_profile(ctx, name, NULL);
    if (rc == 0) {
        rc = cpw_sbx_iam_need_role(ctx, role, NULL, 0);
    }
    if (rc != 0) {
        return rc;
    }
    int n = cpw_sbx_sql_do(ctx->db,
                           "DELETE FROM iam_instance_profile_roles WHERE account_id = ? AND"
                           " profile_name = ? AND role_name = ?",
                           "sss", s_account(ctx), name, role);
    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "The role with name %s cannot be found.",
                            role);
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::InstanceProfile", name);
    *out = json_object();
    return 0;
}

/* ----- tags -------------------------------------------------------------------------------- */

/* The tags of the profile name (new array), after answering NoSuchEntity if it is absent. */
static int s_need_tags(struct cpw_sbx_ctx *ctx, const char *name, json_t **tags)
{
    json_t *profile = NULL;
    int rc = s_profile(ctx, name, &profile);
    if (rc != 0) {
        return rc;
    }
    *tags = json_deep_copy(json_object_get(profile, "Tags"));
    json_decref(profile);
    return *tags ? 0 : -1;
}

int cpw_sbx_iam_tag_instance_profile(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *name = cpw_sbx_in_str(in, "InstanceProfileName");
    json_t *tags = NULL;
    int rc = s_need_tags(ctx, name, &tags);
    if (rc != 0) {
        return rc;
    }
    rc = cpw_sbx_iam_tags_merge(ctx, tags, json_object_get(in, "Tags"));
    if (rc == 0) {
        rc = s_store_tags(ctx, name, tags);
    }
    json_decref(tags);
    if (rc != 0) {
        return rc;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::InstanceProfile", name);
    *out = json_object();
    return 0;
}

int cpw_sbx_iam_untag_instance_profile(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *name = cpw_sbx_in_str(in, "InstanceProfileName");
    json_t *tags = NULL;
    int rc = s_need_tags(ctx, name, &tags);
    if (rc != 0) {
        return rc;
    }
    cpw_sbx_iam_tags_remove(tags, json_object_get(in, "TagKeys"));
    rc = s_store_tags(ctx, name, tags);
    json_decref(tags);
    if (rc != 0) {
        return rc;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::InstanceProfile", name);
    *out = json_object();
    return 0;
}

int cpw_sbx_iam_list_instance_profile_tags(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    json_t *tags = NULL;
    int rc = s_need_tags(ctx, cpw_sbx_in_str(in, "InstanceProfileName"), &tags);
    if (rc != 0) {
        return rc;
    }
    rc = cpw_sbx_iam_tags_page(ctx, tags, in, out);
    json_decref(tags);
    return rc;
}
