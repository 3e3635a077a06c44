/*
 * iam_users.c - IAM users and their access keys in the sandbox.
 *
 * Access keys live in the access_keys table that the SigV4 verifier reads through
 * cpw_sbx_credentials_lookup(), so a key created here signs requests at once. Secrets appear in
 * CreateAccessKey's answer only (and never in CloudTrail: cloudtrail.c strips them).
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "sbx_iam.h"
#include "sbx_service.h"

#define KEYS_PER_USER 2
#define TAGS_MAX      50
#define SECRET_CHARS  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

static const char *s_account(struct cpw_sbx_ctx *ctx)
{
    return ctx->req->caller->account_id;
}

int cpw_sbx_iam_need_user(struct cpw_sbx_ctx *ctx, const char *name)
{
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db, "SELECT 1 FROM iam_users WHERE account_id = ? AND name = ?", "ss",
                        s_account(ctx), name ? name : "");
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "The user with name %s cannot be found.",
                            name ? name : "");
    }
    return rc < 0 ? -1 : 0;
}

static json_t *s_user_from_row(sqlite3_stmt *stmt)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:o}", "Path", cpw_sbx_col(stmt, 1), "UserName",
                     cpw_sbx_col(stmt, 0), "UserId", cpw_sbx_col(stmt, 2), "Arn",
                     cpw_sbx_col(stmt, 3), "CreateDate",
                     cpw_sbx_time_json(sqlite3_column_int64(stmt, 4)));
}

/* 1 found (*user set when user != NULL), 0 absent, -1. */
static int s_find_user(sqlite3 *db, const char *account_id, const char *name, json_t **user)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(db,
                                           "SELECT name, path, user_id, arn, created_ms FROM"
                                           " iam_users WHERE account_id = ? AND name = ?",
                                           "ss", account_id, name);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1 && user != NULL) {
        *user = s_user_from_row(stmt);
    }
    cpw_sbx_sql_done(stmt);
    return rc;
}

int cpw_sbx_iam_insert_user(sqlite3 *db,
                            const char *account_id,
                            const char *name,
                            const char *path,
                            int64_t now_ms,
                            json_t **user)
{
    int rc = s_find_user(db, account_id, name, NULL);
    if (rc != 0) {
        return rc < 0 ? -1 : 1;
    }
    path = path ? path : "/";
    char user_id[32] = "AIDA";
    char arn[1024];
    if (cpw_sbx_random_chars(user_id + 4, 17, CPW_SBX_UPPER_ALNUM) != 0) {
        return -1;
    }
    snprintf(arn, sizeof(arn), "arn:aws:iam::%s:user%s%s", account_id, path, name);
    if (cpw_sbx_sql_do(db,
                       "INSERT INTO iam_users(account_id, name, path, user_id, arn, created_ms)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       "sssssi", account_id, name, path, user_id, arn, now_ms) < 0) {
        return -1;
    }
    if (user != NULL && s_find_user(db, account_id, name, user) != 1) {
        return -1;
    }
    return 0;
}

int cpw_sbx_iam_insert_access_key(sqlite3 *db,
                                  const char *account_id,
                                  const char *user_name,
                                  const char *access_key_id,
                                  const char *secret,
                                  int64_t now_ms,
                                  json_t **key)
{
    char id[32] = "AKIA";
    char secret_buf[48];
    char principal[1024];
    char user_id[64];
    if (access_key_id == NULL) {
        if (cpw_sbx_random_chars(id + 4, 16, CPW_SBX_UPPER_ALNUM) != 0) {
            return -1;
        }
        access_key_id = id;
    }
    if (secret == NULL) {
        if (cpw_sbx_random_chars(secret_buf, 40, SECRET_CHARS) != 0) {
            return -1;
        }
        secret = secret_buf;
    }
    if (user_name == NULL) {
        snprintf(principal, sizeof(principal), "arn:aws:iam::%s:root", account_id);
        snprintf(user_id, sizeof(user_id), "%s", account_id);
    } else {
        sqlite3_stmt *stmt = cpw_sbx_sql_query(
          db, "SELECT arn, user_id FROM iam_users WHERE account_id = ? AND name = ?", "ss",
          account_id, user_name);
        int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
        if (rc == 1) {
            snprintf(principal, sizeof(principal), "%s", cpw_sbx_col(stmt, 0));
            snprintf(user_id, sizeof(user_id), "%s", cpw_sbx_col(stmt, 1));
        }
        cpw_sbx_sql_done(stmt);
        if (rc != 1) {
            return rc == 0 ? cpw_raise(CPW_ERR_NOT_FOUND, "user %s", user_name) : -1;
        }
    }
    int n = cpw_sbx_sql_do(db,
                           "INSERT OR IGNORE INTO access_keys(access_key_id, secret, account_id,"
                           " principal_arn, user_id, user_name, created_ms)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?)",
                           "ssssssi", access_key_id, secret, account_id, principal, user_id,
                           user_name, now_ms);
    if (n <= 0) {
        return n < 0 ? -1 : 1;
    }
    if (key != NULL) {
        *key = json_pack("{s:s,s:s,s:s,s:s,s:o}", "UserName", user_name ? user_name : "root",
                         "AccessKeyId", access_key_id, "Status", "Active", "SecretAccessKey",
                         secret, "CreateDate", cpw_sbx_time_json(now_ms));
    }
    return 0;
}

/* The user an operation is about: UserName, else the caller when the caller is an IAM user. */
static const char *s_target_user(struct cpw_sbx_ctx *ctx, const json_t *input)
{
    const char *name = cpw_sbx_in_str(input, "UserName");
    if (name != NULL) {
        return name;
    }
    const char *arn = ctx->req->caller->principal_arn;
    if (arn != NULL && strstr(arn, ":user/") != NULL) {
        return strrchr(arn, '/') + 1;
    }
    return NULL; /* root */
}

static int s_no_user(struct cpw_sbx_ctx *ctx, const char *name)
{
    return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "The user with name %s cannot be found.", name);
}

/* CreateUser's Tags: stored with the user and echoed in its answer (only when given). */
static int s_store_create_tags(struct cpw_sbx_ctx *ctx,
                               const char *name,
                               const json_t *tags,
                               json_t *user)
{
    if (json_array_size(tags) == 0) {
        return 0;
    }
    if (json_array_size(tags) > TAGS_MAX) {
        return cpw_sbx_fail(ctx, 400, "LimitExceeded",
                            "The number of tags has reached the maximum limit.");
    }
    json_t *clean = json_array();
    size_t i;
    json_t *tag;
    json_array_foreach(tags, i, tag)
    {
        const char *key = json_string_value(json_object_get(tag, "Key"));
        const char *value = json_string_value(json_object_get(tag, "Value"));
        if (key != NULL) {
            json_array_append_new(clean,
                                  json_pack("{s:s,s:s}", "Key", key, "Value", value ? value : ""));
        }
    }
    char *text = cpw_json_dump_cstr(clean, CPW_JSON_DUMP_COMPACT);
    int rc = cpw_sbx_sql_do(ctx->db,
                            "INSERT INTO iam_user_meta(account_id, user_name, tags) VALUES"
                            " (?, ?, ?) ON CONFLICT(account_id, user_name) DO UPDATE SET"
                            " tags = excluded.tags",
                            "sss", s_account(ctx), name, text);
    cpw_free(text);
    if (rc < 0) {
        json_decref(clean);
        return -1;
    }
    json_object_set_new(user, "Tags", clean);
    return 0;
}

/* Adds the user's tags to user (a User document) when it has any. */
static int s_add_tags(struct cpw_sbx_ctx *ctx, const char *name, json_t *user)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT tags FROM iam_user_meta WHERE account_id = ? AND user_name = ?", "ss",
      s_account(ctx), name);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        json_t *tags = cpw_json_load_cstr(cpw_sbx_col(stmt, 0));
        if (json_array_size(tags) > 0) {
            json_object_set(user, "Tags", tags);
        }
        json_decref(tags);
    }
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : 0;
}

int cpw_sbx_iam_create_user(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "UserName");
    const char *path = cpw_sbx_in_str(input, "Path");
    if (name == NULL || strlen(name) > 64) {
        return cpw_sbx_fail(ctx, 400, "ValidationError", "UserName must be 1 to 64 characters");
    }
    json_t *user = NULL;
    int rc = cpw_sbx_iam_insert_user(ctx->db, s_account(ctx), name, path, ctx->req->now_ms, &user);
    const char *partition = cpw_sbx_ctx_partition(ctx);
    if (rc == 0 && strcmp(partition, "aws") != 0) {
        /* the ARN of the caller's partition (China, GovCloud) */
        char arn[1024];
        snprintf(arn, sizeof(arn), "arn:%s:iam::%s:user%s%s", partition, s_account(ctx),
                 path ? path : "/", name);
        json_object_set_new(user, "Arn", json_string(arn));
        rc =
          cpw_sbx_sql_do(ctx->db, "UPDATE iam_users SET arn = ? WHERE account_id = ? AND name = ?",
                         "sss", arn, s_account(ctx), name) < 0
            ? -1
            : 0;
        if (rc < 0) {
            json_decref(user);
        }
    }
    if (rc == 1) {
        return cpw_sbx_fail(ctx, 409, "EntityAlreadyExists", "User with name %s already exists.",
                            name);
    }
    if (rc < 0) {
        return -1;
    }
    rc = cpw_sbx_authz_boundary_on_create(ctx, false, name, input, user);
    if (rc == 0) {
        rc = s_store_create_tags(ctx, name, json_object_get(input, "Tags"), user);
    }
    if (rc != 0) {
        json_decref(user);
        return rc;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::User", name);
    *output = json_pack("{s:o}", "User", user);
    return 0;
}

int cpw_sbx_iam_get_user(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = s_target_user(ctx, input);
    json_t *user = NULL;
    if (name == NULL) {
        /* GetUser as root describes the account's root user: its id is the account's, its
         * ARN the root's, created with the account; it has no user name and no path. */
        sqlite3_stmt *stmt = cpw_sbx_sql_query(
          ctx->db, "SELECT created_ms FROM accounts WHERE account_id = ?", "s", s_account(ctx));
        int found = stmt ? cpw_sbx_sql_step(stmt) : -1;
        int64_t created = found == 1 ? sqlite3_column_int64(stmt, 0) : 0;
        cpw_sbx_sql_done(stmt);
        if (found < 0) {
            return -1;
        }
        char arn[256];
        snprintf(arn, sizeof(arn), "arn:%s:iam::%s:root", cpw_sbx_ctx_partition(ctx),
                 s_account(ctx));
        user = json_pack("{s:s,s:s,s:o}", "UserId", s_account(ctx), "Arn", arn, "CreateDate",
                         cpw_sbx_time_json(created));
        *output = json_pack("{s:o}", "User", user);
        return 0;
    }
    int rc = s_find_user(ctx->db, s_account(ctx), name, &user);
    if (rc == 0) {
        return s_no_user(ctx, name);
    }
    if (rc < 0 || cpw_sbx_authz_boundary_describe(ctx, false, name, user) != 0 ||
        s_add_tags(ctx, name, user) != 0) {
        json_decref(user);
        return -1;
    }
    *output = json_pack("{s:o}", "User", user);
    return 0;
}

static json_t *s_user_row(sqlite3_stmt *stmt, void *arg)
{
    (void)arg;
    return s_user_from_row(stmt);
}

int cpw_sbx_iam_list_users(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *prefix = cpw_sbx_in_str(input, "PathPrefix");
    int64_t max_items = 0;
    struct cpw_buf after;
    cpw_buf_init(&after, 1024);
    int rc = cpw_sbx_iam_page_start(ctx, input, &after, &max_items);
    if (rc != 0) {
        cpw_buf_clean_up(&after);
        return rc;
    }
    prefix = prefix ? prefix : "/";
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT name, path, user_id, arn, created_ms FROM"
                                           " iam_users WHERE account_id = ? AND"
                                           " substr(path, 1, length(?)) = ? AND name >= ?"
                                           " ORDER BY name LIMIT ?",
                                           "ssssi", s_account(ctx), prefix, prefix,
                                           cpw_buf_cstr(&after), max_items + 1);
    cpw_buf_clean_up(&after);
    return cpw_sbx_iam_page_answer(stmt, "Users", max_items, 0, s_user_row, NULL, output);
}

static int s_key_count(sqlite3 *db, const char *account_id, const char *user_name)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(db,
                                           "SELECT count(*) FROM access_keys WHERE account_id = ?"
                                           " AND user_name IS ? AND session_token IS NULL",
                                           "ss", account_id, user_name);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    int n = rc == 1 ? sqlite3_column_int(stmt, 0) : -1;
    cpw_sbx_sql_done(stmt);
    return n;
}

int cpw_sbx_iam_delete_user(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "UserName");
    int rc = name ? s_find_user(ctx->db, s_account(ctx), name, NULL) : 0;
    if (rc <= 0) {
        return rc < 0 ? -1 : s_no_user(ctx, name ? name : "");
    }
    int keys = s_key_count(ctx->db, s_account(ctx), name);
    if (keys < 0) {
        return -1;
    }
    if (keys > 0) {
        return cpw_sbx_fail(ctx, 409, "DeleteConflict",
                            "Cannot delete entity, must delete access keys first.");
    }
    /* What else AWS requires gone first, in the order it reports them, with its messages. */
    static const struct {
        const char *sql;
        const char *message;
    } blockers[] = {
        { "SELECT count(*) FROM iam_user_meta WHERE account_id = ? AND user_name = ? AND"
          " login_created_ms IS NOT NULL",
          "Cannot delete entity, must delete login profile first." },
        { "SELECT count(*) FROM iam_user_inline WHERE account_id = ? AND user_name = ?",
          "Cannot delete entity, must delete policies first." },
        { "SELECT count(*) FROM iam_user_attached WHERE account_id = ? AND user_name = ?",
          "Cannot delete entity, must detach all policies first." },
        { "SELECT count(*) FROM iam_group_members WHERE account_id = ? AND user_name = ?",
          "Cannot delete entity, must remove user from all groups first." },
        { "SELECT count(*) FROM iam_mfa_devices WHERE account_id = ? AND user_name = ?",
          "Cannot delete entity, must delete MFA device first." },
        { "SELECT count(*) FROM iam_ssh_keys WHERE account_id = ? AND user_name = ?",
          "Cannot delete entity, must delete SSH public keys first." },
    };
    for (size_t i = 0; i < sizeof(blockers) / sizeof(blockers[0]); i++) {
        sqlite3_stmt *stmt =
          cpw_sbx_sql_query(ctx->db, blockers[i].sql, "ss", s_account(ctx), name);
        int step = stmt ? cpw_sbx_sql_step(stmt) : -1;
        int n = step == 1 ? sqlite3_column_int(stmt, 0) : 0;
        cpw_sbx_sql_done(stmt);
        if (step < 0) {
            return -1;
        }
        if (n > 0) {
            return cpw_sbx_fail(ctx, 409, "DeleteConflict", "%s", blockers[i].message);
        }
    }
    if (cpw_sbx_sql_do(ctx->db, "DELETE FROM iam_users WHERE account_id = ? AND name = ?", "ss",
                       s_account(ctx), name) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::User", name);
    *output = json_object();
    return 0;
}

int cpw_sbx_iam_create_access_key(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = s_target_user(ctx, input);
    if (name != NULL) {
        int rc = s_find_user(ctx->db, s_account(ctx), name, NULL);
        if (rc <= 0) {
            return rc < 0 ? -1 : s_no_user(ctx, name);
        }
    }
    int keys = s_key_count(ctx->db, s_account(ctx), name);
    if (keys < 0) {
        return -1;
    }
    if (keys >= KEYS_PER_USER) {
        return cpw_sbx_fail(ctx, 409, "LimitExceeded",
                            "Cannot exceed quota for AccessKeysPerUser: %d", KEYS_PER_USER);
    }
    json_t *key = NULL;
    int rc;
    do { /* a generated id colliding with an existing one is retried */
        rc = cpw_sbx_iam_insert_access_key(ctx->db, s_account(ctx), name, NULL, NULL,
                                           ctx->req->now_ms, &key);
    } while (rc == 1);
    if (rc < 0) {
        return -1;
    }
    if (name != NULL) {
        cpw_sbx_add_resource(ctx, "AWS::IAM::User", name);
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::AccessKey",
                         json_string_value(json_object_get(key, "AccessKeyId")));
    *output = json_pack("{s:o}", "AccessKey", key);
    return 0;
}

/* Whose keys a ListAccessKeys page lists (NULL: the root user's). */
struct key_owner {
    const char *user_name;
};

/* A ListAccessKeys element. */
static json_t *s_key_row(sqlite3_stmt *stmt, void *arg)
{
    const struct key_owner *owner = arg;
    json_t *meta = json_pack("{s:s,s:s,s:o}", "AccessKeyId", cpw_sbx_col(stmt, 0), "Status",
                             cpw_sbx_col(stmt, 1), "CreateDate",
                             cpw_sbx_time_json(sqlite3_column_int64(stmt, 2)));
    if (owner->user_name != NULL) {
        json_object_set_new(meta, "UserName", json_string(owner->user_name));
    }
    return meta;
}

int cpw_sbx_iam_list_access_keys(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = s_target_user(ctx, input);
    if (name != NULL) {
        int rc = s_find_user(ctx->db, s_account(ctx), name, NULL);
        if (rc <= 0) {
            return rc < 0 ? -1 : s_no_user(ctx, name);
        }
    }
    int64_t max_items = 0;
    struct cpw_buf after;
    cpw_buf_init(&after, 1024);
    int rc = cpw_sbx_iam_page_start(ctx, input, &after, &max_items);
    if (rc != 0) {
        cpw_buf_clean_up(&after);
        return rc;
    }
    /* oldest first; the marker is the id of the next key to return */
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT access_key_id, status, created_ms FROM access_keys WHERE account_id = ?1 AND"
      " user_name IS ?2 AND session_token IS NULL AND (?3 = '' OR (created_ms, access_key_id) >="
      " (SELECT created_ms, access_key_id FROM access_keys WHERE access_key_id = ?3))"
      " ORDER BY created_ms, access_key_id LIMIT ?4",
      "sssi", s_account(ctx), name, cpw_buf_cstr(&after), max_items + 1);
    cpw_buf_clean_up(&after);
    struct key_owner owner = { name };
    return cpw_sbx_iam_page_answer(stmt, "AccessKeyMetadata", max_items, 0, s_key_row, &owner,
                                   output);
}

int cpw_sbx_iam_delete_access_key(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = s_target_user(ctx, input);
    const char *key_id = cpw_sbx_in_str(input, "AccessKeyId");
    int n = cpw_sbx_sql_do(ctx->db,
                           "DELETE FROM access_keys WHERE account_id = ? AND user_name IS ?"
                           " AND access_key_id = ? AND session_token IS NULL",
                           "sss", s_account(ctx), name, key_id);
    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "The Access Key with id %s cannot be found.",
                            key_id ? key_id : "");
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::AccessKey", key_id);
    *output = json_object();
    return 0;
}

int cpw_sbx_iam_update_user(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "UserName");
    const char *new_name = cpw_sbx_in_str(input, "NewUserName");
    const char *new_path = cpw_sbx_in_str(input, "NewPath");
    json_t *user = NULL;
    int rc = name ? s_find_user(ctx->db, s_account(ctx), name, &user) : 0;
    if (rc <= 0) {
        return rc < 0 ? -1 : s_no_user(ctx, name ? name : "");
    }
    const char *final_name =
      new_name ? new_name : json_string_value(json_object_get(user, "UserName"));
    const char *final_path = new_path ? new_path : json_string_value(json_object_get(user, "Path"));
    if (new_name != NULL && sqlite3_stricmp(new_name, name) != 0) {
        rc = s_find_user(ctx->db, s_account(ctx), new_name, NULL);
        if (rc != 0) {
            json_decref(user);
            return rc < 0 ? -1
                          : cpw_sbx_fail(ctx, 409, "EntityAlreadyExists",
                                         "User with name %s already exists.", new_name);
        }
    }
    char arn[1024];
    snprintf(arn, sizeof(arn), "arn:%s:iam::%s:user%s%s", cpw_sbx_ctx_partition(ctx),
             s_account(ctx), final_path, final_name);
    /* The user's key changes: everything held by name follows it inside this transaction. */
    static const char *const moves[] = {
        "UPDATE iam_user_meta SET user_name = ?1 WHERE account_id = ?2 AND user_name = ?3",
        "UPDATE iam_user_attached SET user_name = ?1 WHERE account_id = ?2 AND user_name = ?3",
        "UPDATE iam_user_inline SET user_name = ?1 WHERE account_id = ?2 AND user_name = ?3",
        "UPDATE iam_group_members SET user_name = ?1 WHERE account_id = ?2 AND user_name = ?3",
        "UPDATE authz_user_boundary SET user_name = ?1 WHERE account_id = ?2 AND user_name = ?3",
        "UPDATE iam_mfa_devices SET user_name = ?1 WHERE account_id = ?2 AND user_name = ?3",
        "UPDATE iam_ssh_keys SET user_name = ?1 WHERE account_id = ?2 AND user_name = ?3",
    };
    rc = cpw_sbx_sql_exec(ctx->db, "PRAGMA defer_foreign_keys = ON");
    if (rc == 0 && cpw_sbx_sql_do(ctx->db,
                                  "UPDATE iam_users SET name = ?, path = ?, arn = ? WHERE"
                                  " account_id = ? AND name = ?",
                                  "sssss", final_name, final_path, arn, s_account(ctx), name) < 0) {
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < sizeof(moves) / sizeof(moves[0]); i++) {
        rc =
          cpw_sbx_sql_do(ctx->db, moves[i], "sss", final_name, s_account(ctx), name) < 0 ? -1 : 0;
    }
    if (rc == 0 && cpw_sbx_sql_do(ctx->db,
                                  "UPDATE access_keys SET user_name = ?, principal_arn = ? WHERE"
                                  " account_id = ? AND user_name = ?",
                                  "ssss", final_name, arn, s_account(ctx), name) < 0) {
        rc = -1;
    }
    if (rc == 0) {
        cpw_sbx_add_resource(ctx, "AWS::IAM::User", name);
        *output = json_object();
    }
    json_decref(user);
    return rc;
}
