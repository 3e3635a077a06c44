/*
 * iam_roles.c - IAM roles in the sandbox: create/get/list/update/delete, the helpers the other
 * IAM files share, and the IAM service table (policies and tags live in iam_role_policies.c,
 * users and keys in iam_users.c, service-linked roles in iam_slr.c).
 *
 * IAM is global: a role belongs to an account whatever region the caller signed for. Names are
 * unique per account ignoring case, as in IAM. ListRoles orders by name (case-insensitive);
 * AWS documents no order, so a deterministic one was chosen.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/uri.h"
#include "sbx_iam.h"
#include "sbx_service.h"

#define ROLE_QUOTA       1000
#define TRUST_POLICY_MAX 2048 /* characters, IAM quota (docs/aws-facts.md §6.3) */
#define ROLE_NAME_MAX    64
#define PATH_MAX_LEN     512
#define LIST_DEFAULT_MAX 100

static const char s_schema[] =
  "CREATE TABLE IF NOT EXISTS iam_roles("
  " account_id TEXT NOT NULL REFERENCES accounts(account_id) ON DELETE CASCADE,"
  " name TEXT NOT NULL COLLATE NOCASE, path TEXT NOT NULL, role_id TEXT NOT NULL UNIQUE,"
  " arn TEXT NOT NULL, created_ms INTEGER NOT NULL, trust_policy TEXT NOT NULL,"
  " description TEXT, max_session_s INTEGER NOT NULL, tags TEXT NOT NULL DEFAULT '[]',"
  " last_used_ms INTEGER, last_used_region TEXT, slr_principal TEXT,"
  " PRIMARY KEY(account_id, name)) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_role_attached("
  " account_id TEXT NOT NULL, role_name TEXT NOT NULL COLLATE NOCASE, policy_arn TEXT NOT NULL,"
  " PRIMARY KEY(account_id, role_name, policy_arn),"
  " FOREIGN KEY(account_id, role_name) REFERENCES iam_roles(account_id, name)"
  " ON DELETE CASCADE) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_role_inline("
  " account_id TEXT NOT NULL, role_name TEXT NOT NULL COLLATE NOCASE,"
  " policy_name TEXT NOT NULL COLLATE NOCASE, document TEXT NOT NULL,"
  " PRIMARY KEY(account_id, role_name, policy_name),"
  " FOREIGN KEY(account_id, role_name) REFERENCES iam_roles(account_id, name)"
  " ON DELETE CASCADE) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_slr_tasks("
  " task_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, role_name TEXT NOT NULL COLLATE NOCASE,"
  " principal TEXT NOT NULL, role_arn TEXT NOT NULL, created_ms INTEGER NOT NULL,"
  " status TEXT NOT NULL, reason TEXT) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_users("
  " account_id TEXT NOT NULL REFERENCES accounts(account_id) ON DELETE CASCADE,"
  " name TEXT NOT NULL COLLATE NOCASE, path TEXT NOT NULL, user_id TEXT NOT NULL UNIQUE,"
  " arn TEXT NOT NULL, created_ms INTEGER NOT NULL, PRIMARY KEY(account_id, name)) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_user_meta("
  " account_id TEXT NOT NULL, user_name TEXT NOT NULL COLLATE NOCASE,"
  " tags TEXT NOT NULL DEFAULT '[]', login_created_ms INTEGER, login_reset INTEGER,"
  " PRIMARY KEY(account_id, user_name),"
  " FOREIGN KEY(account_id, user_name) REFERENCES iam_users(account_id, name)"
  " ON DELETE CASCADE) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_key_last_used("
  " access_key_id TEXT PRIMARY KEY, used_ms INTEGER NOT NULL, service TEXT NOT NULL,"
  " region TEXT NOT NULL) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_instance_profiles("
  " account_id TEXT NOT NULL REFERENCES accounts(account_id) ON DELETE CASCADE,"
  " name TEXT NOT NULL COLLATE NOCASE, path TEXT NOT NULL, profile_id TEXT NOT NULL UNIQUE,"
  " arn TEXT NOT NULL, created_ms INTEGER NOT NULL, PRIMARY KEY(account_id, name)) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_instance_profile_roles("
  " account_id TEXT NOT NULL, profile_name TEXT NOT NULL COLLATE NOCASE,"
  " role_name TEXT NOT NULL COLLATE NOCASE, PRIMARY KEY(account_id, profile_name),"
  " FOREIGN KEY(account_id, profile_name) REFERENCES iam_instance_profiles(account_id, name)"
  " ON DELETE CASCADE,"
  " FOREIGN KEY(account_id, role_name) REFERENCES iam_roles(account_id, name)"
  " ON DELETE CASCADE) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_password_policy("
  " account_id TEXT PRIMARY KEY REFERENCES accounts(account_id) ON DELETE CASCADE,"
  " policy TEXT NOT NULL) STRICT;";

/* Managed policies, groups, the inline policies of groups and users, instance profile tags and
 * SAML providers. */
static const char s_schema_more[] =
  "CREATE TABLE IF NOT EXISTS iam_policies("
  " account_id TEXT NOT NULL REFERENCES accounts(account_id) ON DELETE CASCADE,"
  " name TEXT NOT NULL COLLATE NOCASE, path TEXT NOT NULL, policy_id TEXT NOT NULL UNIQUE,"
  " arn TEXT NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
  " description TEXT, default_version TEXT NOT NULL, next_version INTEGER NOT NULL,"
  " tags TEXT NOT NULL DEFAULT '[]', PRIMARY KEY(account_id, name)) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_policy_versions("
  " account_id TEXT NOT NULL, policy_name TEXT NOT NULL COLLATE NOCASE,"
  " version_id TEXT NOT NULL, document TEXT NOT NULL, created_ms INTEGER NOT NULL,"
  " PRIMARY KEY(account_id, policy_name, version_id),"
  " FOREIGN KEY(account_id, policy_name) REFERENCES iam_policies(account_id, name)"
  " ON DELETE CASCADE) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_user_attached("
  " account_id TEXT NOT NULL, user_name TEXT NOT NULL COLLATE NOCASE, policy_arn TEXT NOT NULL,"
  " PRIMARY KEY(account_id, user_name, policy_arn),"
  " FOREIGN KEY(account_id, user_name) REFERENCES iam_users(account_id, name)"
  " ON DELETE CASCADE) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_groups("
  " account_id TEXT NOT NULL REFERENCES accounts(account_id) ON DELETE CASCADE,"
  " name TEXT NOT NULL COLLATE NOCASE, path TEXT NOT NULL, group_id TEXT NOT NULL UNIQUE,"
  " arn TEXT NOT NULL, created_ms INTEGER NOT NULL, PRIMARY KEY(account_id, name)) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_group_attached("
  " account_id TEXT NOT NULL, group_name TEXT NOT NULL COLLATE NOCASE, policy_arn TEXT NOT NULL,"
  " PRIMARY KEY(account_id, group_name, policy_arn),"
  " FOREIGN KEY(account_id, group_name) REFERENCES iam_groups(account_id, name)"
  " ON DELETE CASCADE) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_group_members("
  " account_id TEXT NOT NULL, group_name TEXT NOT NULL COLLATE NOCASE,"
  " user_name TEXT NOT NULL COLLATE NOCASE, PRIMARY KEY(account_id, group_name, user_name),"
  " FOREIGN KEY(account_id, group_name) REFERENCES iam_groups(account_id, name)"
  " ON DELETE CASCADE,"
  " FOREIGN KEY(account_id, user_name) REFERENCES iam_users(account_id, name)"
  " ON DELETE CASCADE) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_group_inline("
  " account_id TEXT NOT NULL, group_name TEXT NOT NULL COLLATE NOCASE,"
  " policy_name TEXT NOT NULL COLLATE NOCASE, document TEXT NOT NULL,"
  " PRIMARY KEY(account_id, group_name, policy_name),"
  " FOREIGN KEY(account_id, group_name) REFERENCES iam_groups(account_id, name)"
  " ON DELETE CASCADE) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_user_inline("
  " account_id TEXT NOT NULL, user_name TEXT NOT NULL COLLATE NOCASE,"
  " policy_name TEXT NOT NULL COLLATE NOCASE, document TEXT NOT NULL,"
  " PRIMARY KEY(account_id, user_name, policy_name),"
  " FOREIGN KEY(account_id, user_name) REFERENCES iam_users(account_id, name)"
  " ON DELETE CASCADE) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_instance_profile_tags("
  " account_id TEXT NOT NULL, profile_name TEXT NOT NULL COLLATE NOCASE, tags TEXT NOT NULL,"
  " PRIMARY KEY(account_id, profile_name),"
  " FOREIGN KEY(account_id, profile_name) REFERENCES iam_instance_profiles(account_id, name)"
  " ON DELETE CASCADE) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_saml_providers("
  " account_id TEXT NOT NULL REFERENCES accounts(account_id) ON DELETE CASCADE,"
  " name TEXT NOT NULL, arn TEXT NOT NULL, uuid TEXT NOT NULL, metadata TEXT NOT NULL,"
  " created_ms INTEGER NOT NULL, valid_until TEXT, tags TEXT NOT NULL DEFAULT '[]',"
  " PRIMARY KEY(account_id, name)) STRICT;";

#define ROLE_COLUMNS                                                                               \
    "name, path, role_id, arn, created_ms, trust_policy, description, max_session_s, tags,"        \
    " last_used_ms, last_used_region, slr_principal"

static const char *s_account(struct cpw_sbx_ctx *ctx)
{
    return ctx->req->caller->account_id;
}

/* AWS returns policy documents URL-encoded in IAM's query responses. */
json_t *cpw_sbx_iam_url_encoded(const char *text)
{
    struct cpw_buf buf;
    cpw_buf_init(&buf, 1u << 20);
    if (cpw_uri_encode(&buf, cpw_span_from_cstr(text), CPW_URI_ENCODE_DEFAULT) != 0) {
        return json_string("");
    }
    json_t *out = json_string(cpw_buf_cstr(&buf));
    cpw_buf_clean_up(&buf);
    return out;
}

static json_t *s_role_from_row(sqlite3_stmt *stmt, bool full)
{
    json_t *role = json_object();
    json_object_set_new(role, "Path", json_string(cpw_sbx_col(stmt, 1)));
    json_object_set_new(role, "RoleName", json_string(cpw_sbx_col(stmt, 0)));
    json_object_set_new(role, "RoleId", json_string(cpw_sbx_col(stmt, 2)));
    json_object_set_new(role, "Arn", json_string(cpw_sbx_col(stmt, 3)));
    json_object_set_new(role, "CreateDate", cpw_sbx_time_json(sqlite3_column_int64(stmt, 4)));
    json_object_set_new(role, "AssumeRolePolicyDocument",
                        cpw_sbx_iam_url_encoded(cpw_sbx_col(stmt, 5)));
    if (sqlite3_column_type(stmt, 6) != SQLITE_NULL) {
        json_object_set_new(role, "Description", json_string(cpw_sbx_col(stmt, 6)));
    }
    json_object_set_new(role, "MaxSessionDuration", json_integer(sqlite3_column_int64(stmt, 7)));
    if (!full) {
        return role;
    }
    json_t *tags = cpw_json_load_cstr(cpw_sbx_col(stmt, 8));
    if (json_array_size(tags) > 0) {
        json_object_set(role, "Tags", tags);
    }
    json_decref(tags);
    json_t *last_used = json_object();
    if (sqlite3_column_type(stmt, 9) != SQLITE_NULL) {
        json_object_set_new(last_used, "LastUsedDate",
                            cpw_sbx_time_json(sqlite3_column_int64(stmt, 9)));
        json_object_set_new(last_used, "Region", json_string(cpw_sbx_col(stmt, 10)));
    }
    json_object_set_new(role, "RoleLastUsed", last_used);
    return role;
}

json_t *cpw_sbx_iam_role_json(sqlite3 *db,
                              const char *account_id,
                              const char *name,
                              bool with_last_used)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      db, "SELECT " ROLE_COLUMNS " FROM iam_roles WHERE account_id = ? AND name = ?", "ss",
      account_id, name);
    if (stmt == NULL) {
        return NULL;
    }
    json_t *role = NULL;
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        role = s_role_from_row(stmt, with_last_used);
    } else if (rc == 0) {
        cpw_raise(CPW_ERR_NOT_FOUND, "role %s", name);
    }
    cpw_sbx_sql_done(stmt);
    return role;
}

int cpw_sbx_iam_count(sqlite3 *db, const char *sql, const char *a, const char *b)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(db, sql, "ss", a, b ? b : "");
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    int n = rc == 1 ? sqlite3_column_int(stmt, 0) : 0;
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : n;
}

int cpw_sbx_iam_insert_role(sqlite3 *db, const struct cpw_sbx_role_spec *spec)
{
    int n = cpw_sbx_iam_count(
      db, "SELECT count(*) FROM iam_roles WHERE account_id = ?1 AND ?2 = ''", spec->account_id, "");
    if (n < 0) {
        return -1;
    }
    if (n >= ROLE_QUOTA) {
        return 2;
    }
    n = cpw_sbx_iam_count(db, "SELECT count(*) FROM iam_roles WHERE account_id = ? AND name = ?",
                          spec->account_id, spec->name);
    if (n != 0) {
        return n < 0 ? -1 : 1;
    }
    const char *path = spec->path ? spec->path : "/";
    char role_id[32] = "AROA";
    if (cpw_sbx_random_chars(role_id + 4, 17, CPW_SBX_UPPER_ALNUM) != 0) {
        return -1;
    }
    char arn[1024];
    snprintf(arn, sizeof(arn), "arn:%s:iam::%s:role%s%s", spec->partition ? spec->partition : "aws",
             spec->account_id, path, spec->name);
    char *tags = spec->tags ? cpw_json_dump_cstr(spec->tags, CPW_JSON_DUMP_COMPACT) : NULL;
    int rc = cpw_sbx_sql_do(
      db,
      "INSERT INTO iam_roles(account_id, name, path, role_id, arn, created_ms, trust_policy,"
      " description, max_session_s, tags, slr_principal) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
      "sssssississ", spec->account_id, spec->name, path, role_id, arn, spec->now_ms,
      spec->trust_policy, spec->description,
      (int64_t)(spec->max_session_s ? spec->max_session_s : 3600), tags ? tags : "[]",
      spec->slr_principal);
    cpw_free(tags);
    return rc < 0 ? -1 : 0;
}

int cpw_sbx_iam_attach_policy(sqlite3 *db,
                              const char *account_id,
                              const char *role,
                              const char *policy_arn)
{
    return cpw_sbx_sql_do(db,
                          "INSERT OR IGNORE INTO iam_role_attached(account_id, role_name,"
                          " policy_arn) VALUES (?, ?, ?)",
                          "sss", account_id, role, policy_arn) < 0
             ? -1
             : 0;
}

/* ----- validation -------------------------------------------------------------------------- */

static bool s_path_ok(const char *path)
{
    size_t len = strlen(path);
    return len >= 1 && len <= PATH_MAX_LEN && path[0] == '/' && path[len - 1] == '/';
}

/* Looks the role up; answers NoSuchEntity when absent. 0 found, 1 AWS error, -1. */
int cpw_sbx_iam_need_role(struct cpw_sbx_ctx *ctx,
                          const char *name,
                          char *slr_principal,
                          size_t cap)
{
    if (name == NULL) {
        return cpw_sbx_fail(ctx, 400, "ValidationError", "RoleName is required");
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT slr_principal FROM iam_roles WHERE account_id = ? AND name = ?", "ss",
      s_account(ctx), name);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1 && slr_principal != NULL) {
        snprintf(slr_principal, cap, "%s", cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "The role with name %s cannot be found.",
                            name);
    }
    return rc < 0 ? -1 : 0;
}

/* Service-linked roles are modifiable by AWS only. 0 ordinary role, 1 AWS error, -1. */
int cpw_sbx_iam_need_modifiable_role(struct cpw_sbx_ctx *ctx, const char *name)
{
    char principal[256] = "";
    int rc = cpw_sbx_iam_need_role(ctx, name, principal, sizeof(principal));
    if (rc != 0) {
        return rc;
    }
    if (principal[0] != '\0') {
        return cpw_sbx_fail(ctx, 400, "UnmodifiableEntity",
                            "Cannot perform the operation on the protected role '%s' - this role "
                            "is only modifiable by AWS",
                            name);
    }
    return 0;
}

void cpw_sbx_iam_add_role_resource(struct cpw_sbx_ctx *ctx, const char *name)
{
    cpw_sbx_add_resource(ctx, "AWS::IAM::Role", name);
}

/* ----- roles ------------------------------------------------------------------------------- */

static int s_create_role(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "RoleName");
    const char *path = cpw_sbx_in_str(input, "Path");
    const char *trust = cpw_sbx_in_str(input, "AssumeRolePolicyDocument");
    int64_t max_session = 3600;
    if (name == NULL || !cpw_sbx_name_ok(name, 1, ROLE_NAME_MAX)) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'roleName' failed to "
                            "satisfy constraint: Member must have length less than or equal to 64",
                            name ? name : "");
    }
    if (path != NULL && !s_path_ok(path)) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "The specified value for path is invalid. It must begin and end with "
                            "/ and contain only alphanumeric characters and/or / characters.");
    }
    /* Service-linked roles are made by CreateServiceLinkedRole only. */
    if (path != NULL && strncmp(path, "/aws-service-role/", 18) == 0) {
        return cpw_sbx_fail(ctx, 400, "InvalidInput",
                            "Cannot create role with path starting with /aws-service-role/. "
                            "Please use CreateServiceLinkedRole.");
    }
    if (cpw_sbx_in_int(input, "MaxSessionDuration", 3600, &max_session) != 0 ||
        max_session < 3600 || max_session > 43200) {
        cpw_error_clear();
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "The requested MaxSessionDuration is invalid: it must be between "
                            "3600 and 43200 seconds.");
    }
    int rc = cpw_sbx_iam_check_policy(ctx, trust, CPW_SBX_POLICY_TRUST);
    if (rc == 0) {
        rc = cpw_sbx_iam_tags_check(ctx, json_object_get(input, "Tags"));
    }
    if (rc != 0) {
        return rc;
    }
    if (strlen(trust) > TRUST_POLICY_MAX) {
        return cpw_sbx_fail(ctx, 409, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: %d",
                            TRUST_POLICY_MAX);
    }
    struct cpw_sbx_role_spec spec = {
        .account_id = s_account(ctx),
        .name = name,
        .path = path,
        .trust_policy = trust,
        .description = cpw_sbx_in_str(input, "Description"),
        .max_session_s = max_session,
        .tags = json_object_get(input, "Tags"),
        .now_ms = ctx->req->now_ms,
        .partition = cpw_sbx_ctx_partition(ctx),
    };
    rc = cpw_sbx_iam_insert_role(ctx->db, &spec);
    if (rc == 1) {
        return cpw_sbx_fail(ctx, 409, "EntityAlreadyExists", "Role with name %s already exists.",
                            name);
    }
    if (rc == 2) {
        return cpw_sbx_fail(ctx, 409, "LimitExceeded",
                            "Cannot exceed quota for RolesPerAccount: %d", ROLE_QUOTA);
    }
    if (rc < 0) {
        return -1;
    }
    json_t *role = cpw_sbx_iam_role_json(ctx->db, s_account(ctx), name, false);
    if (role == NULL) {
        return -1;
    }
    const json_t *tags = json_object_get(input, "Tags");
    if (json_array_size(tags) > 0) {
        json_object_set(role, "Tags", (json_t *)tags);
    }
    rc = cpw_sbx_authz_boundary_on_create(ctx, true, name, input, role);
    if (rc != 0) {
        json_decref(role);
        return rc;
    }
    cpw_sbx_iam_add_role_resource(ctx, name);
    *output = json_pack("{s:o}", "Role", role);
    return 0;
}

static int s_get_role(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "RoleName");
    int rc = cpw_sbx_iam_need_role(ctx, name, NULL, 0);
    if (rc != 0) {
        return rc;
    }
    json_t *role = cpw_sbx_iam_role_json(ctx->db, s_account(ctx), name, true);
    if (role == NULL || cpw_sbx_authz_boundary_describe(ctx, true, name, role) != 0) {
        json_decref(role);
        return -1;
    }
    *output = json_pack("{s:o}", "Role", role);
    return 0;
}

/* Markers are opaque to clients: the base64 of the next name to return. */
int cpw_sbx_iam_page_start(struct cpw_sbx_ctx *ctx,
                           const json_t *input,
                           struct cpw_buf *after,
                           int64_t *max_items)
{
    if (cpw_sbx_in_int(input, "MaxItems", LIST_DEFAULT_MAX, max_items) != 0 || *max_items < 1 ||
        *max_items > 1000) {
        cpw_error_clear();
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value at 'maxItems' failed to satisfy "
                            "constraint: Member must have value between 1 and 1000");
    }
    const char *marker = cpw_sbx_in_str(input, "Marker");
    if (marker != NULL && cpw_base64_decode(after, cpw_span_from_cstr(marker)) != 0) {
        cpw_error_clear();
        return cpw_sbx_fail(ctx, 400, "InvalidInput", "Invalid value for Marker: %s", marker);
    }
    return 0;
}

void cpw_sbx_iam_page_marker(json_t *result, const char *next_name)
{
    struct cpw_buf marker;
    cpw_buf_init(&marker, 1024);
    cpw_base64_encode(&marker, cpw_span_from_cstr(next_name));
    json_object_set_new(result, "Marker", json_string(cpw_buf_cstr(&marker)));
    cpw_buf_clean_up(&marker);
}

int cpw_sbx_iam_page_answer(sqlite3_stmt *stmt,
                            const char *list_key,
                            int64_t max_items,
                            int marker_col,
                            cpw_sbx_iam_row_fn row,
                            void *arg,
                            json_t **out)
{
    if (stmt == NULL) {
        return -1;
    }
    json_t *list = json_array();
    json_t *result = json_pack("{s:o}", list_key, list);
    bool truncated = false;
    int rc;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        if ((int64_t)json_array_size(list) == max_items) {
            truncated = true;
            cpw_sbx_iam_page_marker(result, cpw_sbx_col(stmt, marker_col));
            break;
        }
        json_array_append_new(list, row(stmt, arg));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(result);
        return -1;
    }
    json_object_set_new(result, "IsTruncated", json_boolean(truncated));
    *out = result;
    return 0;
}

static json_t *s_role_row(sqlite3_stmt *stmt, void *arg)
{
    (void)arg;
    return s_role_from_row(stmt, false);
}

static int s_list_roles(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *prefix = cpw_sbx_in_str(input, "PathPrefix");
    int64_t max_items = LIST_DEFAULT_MAX;
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
      "SELECT " ROLE_COLUMNS " FROM iam_roles WHERE account_id = ?"
      " AND substr(path, 1, length(?)) = ? AND name >= ? ORDER BY name LIMIT ?",
      "ssssi", s_account(ctx), prefix, prefix, cpw_buf_cstr(&after), max_items + 1);
    cpw_buf_clean_up(&after);
    return cpw_sbx_iam_page_answer(stmt, "Roles", max_items, 0, s_role_row, NULL, output);
}

static int s_update_role(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "RoleName");
    const char *description = cpw_sbx_in_str(input, "Description");
    int64_t max_session = 0;
    bool wants_session = json_object_get(input, "MaxSessionDuration") != NULL;
    int rc = wants_session ? cpw_sbx_iam_need_modifiable_role(ctx, name)
                           : cpw_sbx_iam_need_role(ctx, name, NULL, 0);
    if (rc != 0) {
        return rc;
    }
    if (cpw_sbx_in_int(input, "MaxSessionDuration", 0, &max_session) != 0 ||
        (wants_session && (max_session < 3600 || max_session > 43200))) {
        cpw_error_clear();
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "The requested MaxSessionDuration is invalid.");
    }
    if (description != NULL &&
        cpw_sbx_sql_do(ctx->db,
                       "UPDATE iam_roles SET description = ? WHERE account_id = ? AND name = ?",
                       "sss", description, s_account(ctx), name) < 0) {
        return -1;
    }
    if (wants_session &&
        cpw_sbx_sql_do(ctx->db,
                       "UPDATE iam_roles SET max_session_s = ? WHERE account_id = ? AND name = ?",
                       "iss", max_session, s_account(ctx), name) < 0) {
        return -1;
    }
    cpw_sbx_iam_add_role_resource(ctx, name);
    *output = json_object();
    return 0;
}

static int s_update_assume_role_policy(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *name = cpw_sbx_in_str(in, "RoleName");
    const char *trust = cpw_sbx_in_str(in, "PolicyDocument");
    int rc = cpw_sbx_iam_need_modifiable_role(ctx, name);
    if (rc == 0) {
        rc = cpw_sbx_iam_check_policy(ctx, trust, CPW_SBX_POLICY_TRUST);
    }
    if (rc != 0) {
        return rc;
    }
    if (strlen(trust) > TRUST_POLICY_MAX) {
        return cpw_sbx_fail(ctx, 409, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: %d",
                            TRUST_POLICY_MAX);
    }
    if (cpw_sbx_sql_do(ctx->db,
                       "UPDATE iam_roles SET trust_policy = ? WHERE account_id = ? AND name = ?",
                       "sss", trust, s_account(ctx), name) < 0) {
        return -1;
    }
    cpw_sbx_iam_add_role_resource(ctx, name);
    *out = json_object();
    return 0;
}

static int s_update_role_description(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **out)
{
    json_t *ignored = NULL;
    int rc = s_update_role(ctx, input, &ignored);
    json_decref(ignored);
    if (rc != 0) {
        return rc;
    }
    json_t *role =
      cpw_sbx_iam_role_json(ctx->db, s_account(ctx), cpw_sbx_in_str(input, "RoleName"), true);
    if (role == NULL) {
        return -1;
    }
    *out = json_pack("{s:o}", "Role", role);
    return 0;
}

static int s_delete_role(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "RoleName");
    int rc = cpw_sbx_iam_need_modifiable_role(ctx, name);
    if (rc != 0) {
        return rc;
    }
    int attached = cpw_sbx_iam_count(
      ctx->db, "SELECT count(*) FROM iam_role_attached WHERE account_id=? AND role_name=?",
      s_account(ctx), name);
    int inline_n = cpw_sbx_iam_count(
      ctx->db, "SELECT count(*) FROM iam_role_inline WHERE account_id=? AND role_name=?",
      s_account(ctx), name);
    if (attached < 0 || inline_n < 0) {
        return -1;
    }
    int profiles = cpw_sbx_iam_count(
      ctx->db, "SELECT count(*) FROM iam_instance_profile_roles WHERE account_id=? AND role_name=?",
      s_account(ctx), name);
    if (profiles < 0) {
        return -1;
    }
    if (profiles > 0) {
        return cpw_sbx_fail(ctx, 409, "DeleteConflict",
                            "Cannot delete entity, must remove roles from instance profile first.");
    }
    /* AWS's wording: managed policies are detached, inline ones deleted. */
    if (attached > 0) {
        return cpw_sbx_fail(ctx, 409, "DeleteConflict",
                            "Cannot delete entity, must detach all policies first.");
    }
    if (inline_n > 0) {
        return cpw_sbx_fail(ctx, 409, "DeleteConflict",
                            "Cannot delete entity, must delete policies first.");
    }
    if (cpw_sbx_sql_do(ctx->db, "DELETE FROM iam_roles WHERE account_id = ? AND name = ?", "ss",
                       s_account(ctx), name) < 0) {
        return -1;
    }
    cpw_sbx_iam_add_role_resource(ctx, name);
    *output = json_object();
    return 0;
}

/* ----- the IAM service --------------------------------------------------------------------- */

static const struct cpw_sbx_op s_ops[] = {
    { "CreateRole", s_create_role },
    { "GetRole", s_get_role },
    { "ListRoles", s_list_roles },
    { "UpdateRole", s_update_role },
    { "UpdateRoleDescription", s_update_role_description },
    { "UpdateAssumeRolePolicy", s_update_assume_role_policy },
    { "DeleteRole", s_delete_role },
    { "AttachRolePolicy", cpw_sbx_iam_attach_role_policy },
    { "DetachRolePolicy", cpw_sbx_iam_detach_role_policy },
    { "ListAttachedRolePolicies", cpw_sbx_iam_list_attached_role_policies },
    { "PutRolePolicy", cpw_sbx_iam_put_role_policy },
    { "GetRolePolicy", cpw_sbx_iam_get_role_policy },
    { "DeleteRolePolicy", cpw_sbx_iam_delete_role_policy },
    { "ListRolePolicies", cpw_sbx_iam_list_role_policies },
    { "TagRole", cpw_sbx_iam_tag_role },
    { "UntagRole", cpw_sbx_iam_untag_role },
    { "ListRoleTags", cpw_sbx_iam_list_role_tags },
    { "CreateUser", cpw_sbx_iam_create_user },
    { "GetUser", cpw_sbx_iam_get_user },
    { "ListUsers", cpw_sbx_iam_list_users },
    { "DeleteUser", cpw_sbx_iam_delete_user },
    { "CreateAccessKey", cpw_sbx_iam_create_access_key },
    { "ListAccessKeys", cpw_sbx_iam_list_access_keys },
    { "DeleteAccessKey", cpw_sbx_iam_delete_access_key },
    { "CreatePolicy", cpw_sbx_iam_create_policy },
    { "GetPolicy", cpw_sbx_iam_get_policy },
    { "DeletePolicy", cpw_sbx_iam_delete_policy },
    { "ListPolicies", cpw_sbx_iam_list_policies },
    { "CreatePolicyVersion", cpw_sbx_iam_create_policy_version },
    { "GetPolicyVersion", cpw_sbx_iam_get_policy_version },
    { "ListPolicyVersions", cpw_sbx_iam_list_policy_versions },
    { "DeletePolicyVersion", cpw_sbx_iam_delete_policy_version },
    { "SetDefaultPolicyVersion", cpw_sbx_iam_set_default_policy_version },
    { "TagPolicy", cpw_sbx_iam_tag_policy },
    { "UntagPolicy", cpw_sbx_iam_untag_policy },
    { "ListPolicyTags", cpw_sbx_iam_list_policy_tags },
    { "ListEntitiesForPolicy", cpw_sbx_iam_list_entities_for_policy },
    { "AttachUserPolicy", cpw_sbx_iam_attach_user_policy },
    { "DetachUserPolicy", cpw_sbx_iam_detach_user_policy },
    { "ListAttachedUserPolicies", cpw_sbx_iam_list_attached_user_policies },
    { "AttachGroupPolicy", cpw_sbx_iam_attach_group_policy },
    { "DetachGroupPolicy", cpw_sbx_iam_detach_group_policy },
    { "ListAttachedGroupPolicies", cpw_sbx_iam_list_attached_group_policies },
    { "CreateGroup", cpw_sbx_iam_create_group },
    { "GetGroup", cpw_sbx_iam_get_group },
    { "ListGroups", cpw_sbx_iam_list_groups },
    { "DeleteGroup", cpw_sbx_iam_delete_group },
    { "AddUserToGroup", cpw_sbx_iam_add_user_to_group },
    { "RemoveUserFromGroup", cpw_sbx_iam_remove_user_from_group },
    { "ListGroupsForUser", cpw_sbx_iam_list_groups_for_user },
    { "PutGroupPolicy", cpw_sbx_iam_put_group_policy },
    { "GetGroupPolicy", cpw_sbx_iam_get_group_policy },
    { "DeleteGroupPolicy", cpw_sbx_iam_delete_group_policy },
    { "ListGroupPolicies", cpw_sbx_iam_list_group_policies },
    { "PutUserPolicy", cpw_sbx_iam_put_user_policy },
    { "GetUserPolicy", cpw_sbx_iam_get_user_policy },
    { "DeleteUserPolicy", cpw_sbx_iam_delete_user_policy },
    { "ListUserPolicies", cpw_sbx_iam_list_user_policies },
    { "TagUser", cpw_sbx_iam_tag_user },
    { "UntagUser", cpw_sbx_iam_untag_user },
    { "ListUserTags", cpw_sbx_iam_list_user_tags },
    { "CreateLoginProfile", cpw_sbx_iam_create_login_profile },
    { "GetLoginProfile", cpw_sbx_iam_get_login_profile },
    { "UpdateLoginProfile", cpw_sbx_iam_update_login_profile },
    { "DeleteLoginProfile", cpw_sbx_iam_delete_login_profile },
    { "UpdateAccessKey", cpw_sbx_iam_update_access_key },
    { "GetAccessKeyLastUsed", cpw_sbx_iam_get_access_key_last_used },
    { "CreateInstanceProfile", cpw_sbx_iam_create_instance_profile },
    { "GetInstanceProfile", cpw_sbx_iam_get_instance_profile },
    { "DeleteInstanceProfile", cpw_sbx_iam_delete_instance_profile },
    { "ListInstanceProfiles", cpw_sbx_iam_list_instance_profiles },
    { "AddRoleToInstanceProfile", cpw_sbx_iam_add_role_to_instance_profile },
    { "RemoveRoleFromInstanceProfile", cpw_sbx_iam_remove_role_from_instance_profile },
    { "ListInstanceProfilesForRole", cpw_sbx_iam_list_instance_profiles_for_role },
    { "TagInstanceProfile", cpw_sbx_iam_tag_instance_profile },
    { "UntagInstanceProfile", cpw_sbx_iam_untag_instance_profile },
    { "ListInstanceProfileTags", cpw_sbx_iam_list_instance_profile_tags },
    { "CreateSAMLProvider", cpw_sbx_iam_create_saml_provider },
    { "GetSAMLProvider", cpw_sbx_iam_get_saml_provider },
    { "UpdateSAMLProvider", cpw_sbx_iam_update_saml_provider },
    { "ListSAMLProviders", cpw_sbx_iam_list_saml_providers },
    { "DeleteSAMLProvider", cpw_sbx_iam_delete_saml_provider },
    { "GetAccountSummary", cpw_sbx_iam_get_account_summary },
    { "GetAccountAuthorizationDetails", cpw_sbx_iam_get_account_authorization_details },
    { "GetAccountPasswordPolicy", cpw_sbx_iam_get_account_password_policy },
    { "UpdateAccountPasswordPolicy", cpw_sbx_iam_update_account_password_policy },
    { "DeleteAccountPasswordPolicy", cpw_sbx_iam_delete_account_password_policy },
    { "PutRolePermissionsBoundary", cpw_sbx_iam_put_role_permissions_boundary },
    { "DeleteRolePermissionsBoundary", cpw_sbx_iam_delete_role_permissions_boundary },
    { "PutUserPermissionsBoundary", cpw_sbx_iam_put_user_permissions_boundary },
    { "DeleteUserPermissionsBoundary", cpw_sbx_iam_delete_user_permissions_boundary },
    { "SimulatePrincipalPolicy", cpw_sbx_iam_simulate_principal_policy },
    { "SimulateCustomPolicy", cpw_sbx_iam_simulate_custom_policy },
    { "CreateServiceLinkedRole", cpw_sbx_iam_create_slr_op },
    { "DeleteServiceLinkedRole", cpw_sbx_iam_delete_slr_op },
    { "GetServiceLinkedRoleDeletionStatus", cpw_sbx_iam_slr_status_op },
    /* identities: renames, MFA devices, SSH public keys, the credential report */
    { "UpdateUser", cpw_sbx_iam_update_user },
    { "UpdateGroup", cpw_sbx_iam_update_group },
    { "CreateVirtualMFADevice", cpw_sbx_iam_create_virtual_mfa_device },
    { "DeleteVirtualMFADevice", cpw_sbx_iam_delete_virtual_mfa_device },
    { "ListVirtualMFADevices", cpw_sbx_iam_list_virtual_mfa_devices },
    { "EnableMFADevice", cpw_sbx_iam_enable_mfa_device },
    { "DeactivateMFADevice", cpw_sbx_iam_deactivate_mfa_device },
    { "ListMFADevices", cpw_sbx_iam_list_mfa_devices },
    { "UploadSSHPublicKey", cpw_sbx_iam_upload_ssh_public_key },
    { "GetSSHPublicKey", cpw_sbx_iam_get_ssh_public_key },
    { "ListSSHPublicKeys", cpw_sbx_iam_list_ssh_public_keys },
    { "UpdateSSHPublicKey", cpw_sbx_iam_update_ssh_public_key },
    { "DeleteSSHPublicKey", cpw_sbx_iam_delete_ssh_public_key },
    { "GenerateCredentialReport", cpw_sbx_iam_generate_credential_report },
    { "GetCredentialReport", cpw_sbx_iam_get_credential_report },
};

const struct cpw_sbx_service cpw_sbx_iam_service = {
    .signing_name = "iam",
    .model_name = "iam",
    .event_source = "iam.amazonaws.com",
    .global = true,
    .ops = s_ops,
    .op_count = sizeof(s_ops) / sizeof(s_ops[0]),
    .schema_sql = s_schema,
    .schema_sql_more = s_schema_more,
};
