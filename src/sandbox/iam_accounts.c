/*
 * iam_accounts.c - the rest of IAM's account-level breadth in the sandbox: user tags and login
 * profiles (a password is checked against the password policy and never stored), access-key
 * status and last use, the account summary and the password policy (instance profiles live in
 * iam_instance_profiles.c).
 *
 * Access-key last use is recorded for every request a key signs (cpw_sbx_iam_note_key_use,
 * called by dispatch), as AWS does; the service is the request's signing name.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "sbx_iam.h"
#include "sbx_service.h"

#define TAGS_MAX 50

static const char *s_account(struct cpw_sbx_ctx *ctx)
{
    return ctx->req->caller->account_id;
}

static int s_need_user(struct cpw_sbx_ctx *ctx, const char *name)
{
    int n =
      cpw_sbx_iam_count(ctx->db, "SELECT count(*) FROM iam_users WHERE account_id = ? AND name = ?",
                        s_account(ctx), name);
    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "The user with name %s cannot be found.",
                            name ? name : "");
    }
    /* every user has a meta row from here on */
    return cpw_sbx_sql_do(ctx->db,
                          "INSERT OR IGNORE INTO iam_user_meta(account_id, user_name)"
                          " SELECT account_id, name FROM iam_users WHERE account_id = ? AND"
                          " name = ?",
                          "ss", s_account(ctx), name) < 0
             ? -1
             : 0;
}

/* ----- user tags --------------------------------------------------------------------------- */

static json_t *s_user_tags(struct cpw_sbx_ctx *ctx, const char *name)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT tags FROM iam_user_meta WHERE account_id = ? AND user_name = ?", "ss",
      s_account(ctx), name);
    json_t *tags = NULL;
    if (stmt != NULL && cpw_sbx_sql_step(stmt) == 1) {
        tags = cpw_json_load_cstr(cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    return json_is_array(tags) ? tags : (json_decref(tags), json_array());
}

static int s_store_user_tags(struct cpw_sbx_ctx *ctx, const char *name, json_t *tags)
{
    char *text = cpw_json_dump_cstr(tags, CPW_JSON_DUMP_COMPACT);
    int rc = cpw_sbx_sql_do(
      ctx->db, "UPDATE iam_user_meta SET tags = ? WHERE account_id = ? AND user_name = ?", "sss",
      text, s_account(ctx), name);
    cpw_free(text);
    return rc < 0 ? -1 : 0;
}

static void s_remove_tag(json_t *tags, const char *key)
{
    for (size_t i = json_array_size(tags); i-- > 0;) {
        const char *k = json_string_value(json_object_get(json_array_get(tags, i), "Key"));
        if (k != NULL && strcmp(k, key) == 0) {
            json_array_remove(tags, i);
        }
    }
}

int cpw_sbx_iam_tag_user(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "UserName");
    int rc = s_need_user(ctx, name);
    if (rc != 0) {
        return rc;
    }
    json_t *tags = s_user_tags(ctx, name);
    size_t i;
    json_t *tag;
    json_array_foreach(json_object_get(input, "Tags"), i, tag)
    {
        const char *key = json_string_value(json_object_get(tag, "Key"));
        if (key != NULL) {
            s_remove_tag(tags, key);
            json_array_append(tags, tag);
        }
    }
    if (json_array_size(tags) > TAGS_MAX) {
        json_decref(tags);
        return cpw_sbx_fail(ctx, 400, "LimitExceeded",
                            "The number of tags has reached the maximum limit.");
    }
    rc = s_store_user_tags(ctx, name, tags);
    json_decref(tags);
    cpw_sbx_add_resource(ctx, "AWS::IAM::User", name);
    *output = rc == 0 ? json_object() : NULL;
    return rc;
}

int cpw_sbx_iam_untag_user(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "UserName");
    int rc = s_need_user(ctx, name);
    if (rc != 0) {
        return rc;
    }
    json_t *tags = s_user_tags(ctx, name);
    size_t i;
    json_t *key;
    json_array_foreach(json_object_get(input, "TagKeys"), i, key)
    {
        if (json_is_string(key)) {
            s_remove_tag(tags, json_string_value(key));
        }
    }
    rc = s_store_user_tags(ctx, name, tags);
    json_decref(tags);
    cpw_sbx_add_resource(ctx, "AWS::IAM::User", name);
    *output = rc == 0 ? json_object() : NULL;
    return rc;
}

int cpw_sbx_iam_list_user_tags(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "UserName");
    int rc = s_need_user(ctx, name);
    if (rc != 0) {
        return rc;
    }
    int64_t max_items = 0;
    struct cpw_buf after;
    cpw_buf_init(&after, 1024);
    rc = cpw_sbx_iam_page_start(ctx, input, &after, &max_items);
    if (rc != 0) {
        cpw_buf_clean_up(&after);
        return rc;
    }
    /* tags in the order they were set; the marker is the key of the next tag to return */
    json_t *tags = s_user_tags(ctx, name);
    json_t *page = json_array();
    json_t *result = json_pack("{s:o}", "Tags", page);
    bool started = after.len == 0;
    bool truncated = false;
    size_t i;
    json_t *tag;
    json_array_foreach(tags, i, tag)
    {
        const char *key = json_string_value(json_object_get(tag, "Key"));
        started = started || (key != NULL && strcmp(key, cpw_buf_cstr(&after)) == 0);
        if (!started) {
            continue;
        }
        if ((int64_t)json_array_size(page) == max_items) {
            truncated = true;
            cpw_sbx_iam_page_marker(result, key ? key : "");
            break;
        }
        json_array_append(page, tag);
    }
    cpw_buf_clean_up(&after);
    json_decref(tags);
    json_object_set_new(result, "IsTruncated", json_boolean(truncated));
    *output = result;
    return 0;
}

/* ----- password policy and login profiles --------------------------------------------------- */

static json_t *s_password_policy(struct cpw_sbx_ctx *ctx)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT policy FROM iam_password_policy WHERE account_id = ?", "s", s_account(ctx));
    json_t *policy = NULL;
    if (stmt != NULL && cpw_sbx_sql_step(stmt) == 1) {
        policy = cpw_json_load_cstr(cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    return policy;
}

/*
 * 0 when password satisfies the account's policy, else 1 (PasswordPolicyViolation answered).
 * Without a custom policy IAM applies its default one: 8 to 128 characters, mixing at least
 * three of uppercase letters, lowercase letters, numbers and symbols.
 */
static int s_check_password(struct cpw_sbx_ctx *ctx, const char *password)
{
    if (password == NULL) {
        return cpw_sbx_fail(ctx, 400, "ValidationError", "Password is required");
    }
    json_t *policy = s_password_policy(ctx);
    json_int_t min_len =
      policy ? json_integer_value(json_object_get(policy, "MinimumPasswordLength")) : 8;
    bool ok = (json_int_t)strlen(password) >= (min_len > 0 ? min_len : 8);
    bool up = false, low = false, digit = false, symbol = false;
    for (const char *p = password; *p != '\0'; p++) {
        up = up || (*p >= 'A' && *p <= 'Z');
        low = low || (*p >= 'a' && *p <= 'z');
        digit = digit || (*p >= '0' && *p <= '9');
        symbol = symbol || strchr("!@#$%^&*()_+-=[]{}|'", *p) != NULL;
    }
    if (policy == NULL) {
        ok = ok && (int)up + (int)low + (int)digit + (int)symbol >= 3;
    }
    ok = ok && (!json_is_true(json_object_get(policy, "RequireUppercaseCharacters")) || up);
    ok = ok && (!json_is_true(json_object_get(policy, "RequireLowercaseCharacters")) || low);
    ok = ok && (!json_is_true(json_object_get(policy, "RequireNumbers")) || digit);
    ok = ok && (!json_is_true(json_object_get(policy, "RequireSymbols")) || symbol);
    json_decref(policy);
    return ok ? 0
              : cpw_sbx_fail(ctx, 400, "PasswordPolicyViolation",
                             "Password does not conform to the account password policy.");
}

static bool s_in_bool(const json_t *input, const char *key)
{
    const json_t *v = json_object_get(input, key);
    return json_is_true(v) || (json_is_string(v) && strcmp(json_string_value(v), "true") == 0);
}

static int s_login_created(struct cpw_sbx_ctx *ctx, const char *name, int64_t *created, bool *reset)
{
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db,
                        "SELECT login_created_ms, login_reset FROM iam_user_meta WHERE"
                        " account_id = ? AND user_name = ? AND login_created_ms IS NOT NULL",
                        "ss", s_account(ctx), name);
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    if (rc == 1) {
        *created = sqlite3_column_int64(stmt, 0);
        *reset = sqlite3_column_int(stmt, 1) != 0;
    }
    cpw_sbx_sql_done(stmt);
    return rc;
}

static json_t *s_login_json(const char *name, int64_t created, bool reset)
{
    return json_pack("{s:s,s:o,s:b}", "UserName", name, "CreateDate", cpw_sbx_time_json(created),
                     "PasswordResetRequired", reset);
}

int cpw_sbx_iam_create_login_profile(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *name = cpw_sbx_in_str(in, "UserName");
    int rc = s_need_user(ctx, name);
    if (rc != 0) {
        return rc;
    }
    int64_t created = 0;
    bool reset = false;
    rc = s_login_created(ctx, name, &created, &reset);
    if (rc != 0) {
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 409, "EntityAlreadyExists",
                                     "Login Profile for user %s already exists.", name);
    }
    rc = s_check_password(ctx, cpw_sbx_in_str(in, "Password"));
    if (rc != 0) {
        return rc;
    }
    reset = s_in_bool(in, "PasswordResetRequired");
    if (cpw_sbx_sql_do(ctx->db,
                       "UPDATE iam_user_meta SET login_created_ms = ?, login_reset = ? WHERE"
                       " account_id = ? AND user_name = ?",
                       "iiss", ctx->req->now_ms, (int64_t)reset, s_account(ctx), name) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::User", name);
    *out = json_pack("{s:o}", "LoginProfile", s_login_json(name, ctx->req->now_ms, reset));
    return 0;
}

static int s_need_login(struct cpw_sbx_ctx *ctx, const char *name, int64_t *created, bool *reset)
{
    int rc = s_need_user(ctx, name);
    if (rc != 0) {
        return rc;
    }
    rc = s_login_created(ctx, name, created, reset);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "Login Profile for User %s cannot be found.",
                            name);
    }
    return rc < 0 ? -1 : 0;
}

int cpw_sbx_iam_get_login_profile(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *name = cpw_sbx_in_str(in, "UserName");
    int64_t created = 0;
    bool reset = false;
    int rc = s_need_login(ctx, name, &created, &reset);
    if (rc != 0) {
        return rc;
    }
    *out = json_pack("{s:o}", "LoginProfile", s_login_json(name, created, reset));
    return 0;
}

int cpw_sbx_iam_update_login_profile(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *name = cpw_sbx_in_str(in, "UserName");
    int64_t created = 0;
    bool reset = false;
    int rc = s_need_login(ctx, name, &created, &reset);
    if (rc == 0 && cpw_sbx_in_str(in, "Password") != NULL) {
        rc = s_check_password(ctx, cpw_sbx_in_str(in, "Password"));
    }
    if (rc != 0) {
        return rc;
    }
    if (json_object_get(in, "PasswordResetRequired") != NULL &&
        cpw_sbx_sql_do(ctx->db,
                       "UPDATE iam_user_meta SET login_reset = ? WHERE account_id = ? AND"
                       " user_name = ?",
                       "iss", (int64_t)s_in_bool(in, "PasswordResetRequired"), s_account(ctx),
                       name) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::User", name);
    *out = json_object();
    return 0;
}

int cpw_sbx_iam_delete_login_profile(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *name = cpw_sbx_in_str(in, "UserName");
    int64_t created = 0;
    bool reset = false;
    int rc = s_need_login(ctx, name, &created, &reset);
    if (rc != 0) {
        return rc;
    }
    if (cpw_sbx_sql_do(ctx->db,
                       "UPDATE iam_user_meta SET login_created_ms = NULL, login_reset = NULL"
                       " WHERE account_id = ? AND user_name = ?",
                       "ss", s_account(ctx), name) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::User", name);
    *out = json_object();
    return 0;
}

/* ----- access keys ------------------------------------------------------------------------- */

int cpw_sbx_iam_note_key_use(struct cpw_sbx_ctx *ctx)
{
    const struct cpw_sbx_caller *caller = ctx->req->caller;
    if (caller->access_key_id == NULL || ctx->req->service == NULL) {
        return 0;
    }
    return cpw_sbx_sql_do(ctx->db,
                          "INSERT OR REPLACE INTO iam_key_last_used(access_key_id, used_ms,"
                          " service, region) SELECT access_key_id, ?2, ?3, ?4 FROM access_keys"
                          " WHERE access_key_id = ?1 AND session_token IS NULL",
                          "siss", caller->access_key_id, ctx->req->now_ms, ctx->req->service,
                          caller->region ? caller->region : "us-east-1") < 0
             ? -1
             : 0;
}

/* The user an access-key operation is about: UserName, else the calling IAM user, else root. */
static const char *s_key_user(struct cpw_sbx_ctx *ctx, const json_t *input)
{
    const char *name = cpw_sbx_in_str(input, "UserName");
    const char *arn = ctx->req->caller->principal_arn;
    if (name == NULL && arn != NULL && strstr(arn, ":user/") != NULL) {
        name = strrchr(arn, '/') + 1;
    }
    return name;
}

int cpw_sbx_iam_update_access_key(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *key_id = cpw_sbx_in_str(in, "AccessKeyId");
    const char *status = cpw_sbx_in_str(in, "Status");
    const char *user = s_key_user(ctx, in);
    if (status == NULL || (strcmp(status, "Active") != 0 && strcmp(status, "Inactive") != 0)) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'status' failed to satisfy "
                            "constraint: Member must satisfy enum value set: [Active, Inactive]",
                            status ? status : "");
    }
    if (user != NULL) {
        int rc = s_need_user(ctx, user);
        if (rc != 0) {
            return rc;
        }
    }
    int n = cpw_sbx_sql_do(ctx->db,
                           "UPDATE access_keys SET status = ? WHERE account_id = ? AND"
                           " user_name IS ? AND access_key_id = ? AND session_token IS NULL",
                           "ssss", status, s_account(ctx), user, key_id);
    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "The Access Key with id %s cannot be found.",
                            key_id ? key_id : "");
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::AccessKey", key_id);
    *out = json_object();
    return 0;
}

int cpw_sbx_iam_get_access_key_last_used(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *key_id = cpw_sbx_in_str(in, "AccessKeyId");
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT k.user_name, l.used_ms, l.service, l.region FROM access_keys k LEFT JOIN"
      " iam_key_last_used l ON l.access_key_id = k.access_key_id WHERE k.access_key_id = ? AND"
      " k.account_id = ? AND k.session_token IS NULL",
      "ss", key_id ? key_id : "", s_account(ctx));
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    if (rc == 1) {
        json_t *used = json_object();
        if (sqlite3_column_type(stmt, 1) != SQLITE_NULL) {
            json_object_set_new(used, "LastUsedDate",
                                cpw_sbx_time_json(sqlite3_column_int64(stmt, 1)));
            json_object_set_new(used, "ServiceName", json_string(cpw_sbx_col(stmt, 2)));
            json_object_set_new(used, "Region", json_string(cpw_sbx_col(stmt, 3)));
        } else { /* as AWS answers for a key never used */
            json_object_set_new(used, "ServiceName", json_string("N/A"));
            json_object_set_new(used, "Region", json_string("N/A"));
        }
        *out = json_pack("{s:o}", "AccessKeyLastUsed", used);
        if (sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
            json_object_set_new(*out, "UserName", json_string(cpw_sbx_col(stmt, 0)));
        }
    }
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "The Access Key with id %s cannot be found.",
                            key_id ? key_id : "");
    }
    return rc < 0 ? -1 : 0;
}

/* ----- account summary and password policy ------------------------------------------------ */

static const struct {
    const char *key;
    const char *sql; /* one count, parameter 1 the account; NULL: the constant below */
    int64_t value;
} s_summary[] = {
    { "Users", "SELECT count(*) FROM iam_users WHERE account_id = ?1", 0 },
    { "UsersQuota", NULL, 5000 },
    { "Groups", "SELECT count(*) FROM iam_groups WHERE account_id = ?1", 0 },
    { "GroupsQuota", NULL, 300 },
    { "Roles", "SELECT count(*) FROM iam_roles WHERE account_id = ?1", 0 },
    { "RolesQuota", NULL, 1000 },
    { "Policies", "SELECT count(*) FROM iam_policies WHERE account_id = ?1", 0 },
    { "PoliciesQuota", NULL, 1500 },
    { "PolicyVersionsInUse",
      "SELECT (SELECT count(*) FROM iam_role_attached WHERE account_id = ?1) + (SELECT count(*)"
      " FROM iam_user_attached WHERE account_id = ?1) + (SELECT count(*) FROM iam_group_attached"
      " WHERE account_id = ?1)",
      0 },
    { "PolicyVersionsInUseQuota", NULL, 10000 },
    { "VersionsPerPolicyQuota", NULL, 5 },
    { "InstanceProfiles", "SELECT count(*) FROM iam_instance_profiles WHERE account_id = ?1", 0 },
    { "InstanceProfilesQuota", NULL, 1000 },
    { "AccountAccessKeysPresent",
      "SELECT count(*) > 0 FROM access_keys WHERE account_id = ?1 AND user_name IS NULL AND"
      " session_token IS NULL",
      0 },
    { "AccountSigningCertificatesPresent", NULL, 0 },
    { "AccountMFAEnabled", NULL, 0 },
    { "MFADevices", "SELECT count(*) FROM iam_mfa_devices WHERE account_id = ?1", 0 },
    { "MFADevicesInUse",
      "SELECT count(*) FROM iam_mfa_devices WHERE account_id = ?1 AND user_name IS NOT NULL", 0 },
    { "AccessKeysPerUserQuota", NULL, 2 },
    { "AttachedPoliciesPerRoleQuota", NULL, 10 },
    { "AttachedPoliciesPerUserQuota", NULL, 10 },
    { "AttachedPoliciesPerGroupQuota", NULL, 10 },
    { "GroupsPerUserQuota", NULL, 10 },
    { "PolicySizeQuota", NULL, 6144 },
    { "AssumeRolePolicySizeQuota", NULL, 2048 },
    { "RolePolicySizeQuota", NULL, 10240 },
    { "UserPolicySizeQuota", NULL, 2048 },
    { "GroupPolicySizeQuota", NULL, 5120 },
    { "ServerCertificates", NULL, 0 },
    { "ServerCertificatesQuota", NULL, 20 },
    { "SigningCertificatesPerUserQuota", NULL, 2 },
    { "Providers", NULL, 0 },
    { "GlobalEndpointTokenVersion", NULL, 1 },
};

int cpw_sbx_iam_get_account_summary(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    (void)in;
    json_t *map = json_object();
    for (size_t i = 0; i < sizeof(s_summary) / sizeof(s_summary[0]); i++) {
        int64_t value = s_summary[i].value;
        if (s_summary[i].sql != NULL) {
            sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db, s_summary[i].sql, "s", s_account(ctx));
            int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
            value = rc == 1 ? sqlite3_column_int64(stmt, 0) : 0;
            cpw_sbx_sql_done(stmt);
            if (rc != 1) {
                json_decref(map);
                return -1;
            }
        }
        json_object_set_new(map, s_summary[i].key, json_integer(value));
    }
    *out = json_pack("{s:o}", "SummaryMap", map);
    return 0;
}

int cpw_sbx_iam_get_account_password_policy(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    (void)in;
    json_t *policy = s_password_policy(ctx);
    if (policy == NULL) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity",
                            "The Password Policy with domain name %s cannot be found.",
                            s_account(ctx));
    }
    *out = json_pack("{s:o}", "PasswordPolicy", policy);
    return 0;
}

int cpw_sbx_iam_update_account_password_policy(struct cpw_sbx_ctx *ctx,
                                               const json_t *in,
                                               json_t **out)
{
    static const char *const flags[] = { "RequireSymbols",
                                         "RequireNumbers",
                                         "RequireUppercaseCharacters",
                                         "RequireLowercaseCharacters",
                                         "AllowUsersToChangePassword",
                                         "HardExpiry" };
    static const struct {
        const char *key;   /* the request member */
        const char *field; /* its name in AWS's validation message */
        int64_t min, max, def;
    } ranges[] = {
        { "MinimumPasswordLength", "minimumPasswordLength", 6, 128, 6 },
        { "PasswordReusePrevention", "passwordReusePrevention", 1, 24, 0 },
        { "MaxPasswordAge", "maxPasswordAge", 1, 1095, 0 },
    };
    int64_t values[3] = { 0 };
    struct cpw_buf errors;
    cpw_buf_init(&errors, 4096);
    int bad = 0;
    for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
        if (cpw_sbx_in_int(in, ranges[i].key, ranges[i].def, &values[i]) != 0) {
            cpw_error_clear();
            cpw_buf_clean_up(&errors);
            return cpw_sbx_fail(ctx, 400, "ValidationError",
                                "1 validation error detected: Value at '%s' failed to satisfy "
                                "constraint: Member must be an integer",
                                ranges[i].field);
        }
        if (json_object_get(in, ranges[i].key) == NULL) {
            continue;
        }
        bool low = values[i] < ranges[i].min;
        if (low || values[i] > ranges[i].max) {
            (void)cpw_buf_appendf(&errors,
                                  "%sValue '%lld' at '%s' failed to satisfy constraint: Member "
                                  "must have value %s or equal to %lld",
                                  bad ? "; " : "", (long long)values[i], ranges[i].field,
                                  low ? "greater than" : "less than",
                                  (long long)(low ? ranges[i].min : ranges[i].max));
            bad++;
        }
    }
    if (bad > 0) {
        int rc = cpw_sbx_fail(ctx, 400, "ValidationError", "%d validation error%s detected: %s",
                              bad, bad > 1 ? "s" : "", cpw_buf_cstr(&errors));
        cpw_buf_clean_up(&errors);
        return rc;
    }
    cpw_buf_clean_up(&errors);
    int64_t min_len = values[0], reuse = values[1], max_age = values[2];
    json_t *policy = json_object();
    json_object_set_new(policy, "MinimumPasswordLength", json_integer(min_len));
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        json_object_set_new(policy, flags[i], json_boolean(s_in_bool(in, flags[i])));
    }
    json_object_set_new(policy, "ExpirePasswords", json_boolean(max_age > 0));
    if (max_age > 0) { /* PasswordPolicy's MaxPasswordAge is 1-1095: absent when unset */
        json_object_set_new(policy, "MaxPasswordAge", json_integer(max_age));
    }
    if (reuse > 0) {
        json_object_set_new(policy, "PasswordReusePrevention", json_integer(reuse));
    }
    char *text = cpw_json_dump_cstr(policy, CPW_JSON_DUMP_COMPACT);
    json_decref(policy);
    int rc = cpw_sbx_sql_do(
      ctx->db, "INSERT OR REPLACE INTO iam_password_policy(account_id, policy) VALUES (?, ?)", "ss",
      s_account(ctx), text);
    cpw_free(text);
    if (rc < 0) {
        return -1;
    }
    *out = json_object();
    return 0;
}

int cpw_sbx_iam_delete_account_password_policy(struct cpw_sbx_ctx *ctx,
                                               const json_t *in,
                                               json_t **out)
{
    (void)in;
    int n = cpw_sbx_sql_do(ctx->db, "DELETE FROM iam_password_policy WHERE account_id = ?", "s",
                           s_account(ctx));
    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity",
                            "The account policy with name PasswordPolicy cannot be found.");
    }
    *out = json_object();
    return 0;
}
