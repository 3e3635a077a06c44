/*
 * iam_mfa.c - IAM MFA devices in the sandbox: virtual devices (create/delete/list) and the
 * devices enabled for users (enable/deactivate/list), plus the schema of the identity tables
 * (MFA devices, SSH public keys, credential reports).
 *
 * A virtual device's serial number is its ARN (arn:aws:iam::ACCOUNT:mfa/PATH/NAME); any other
 * serial number given to EnableMFADevice is a hardware token, which exists while enabled. The
 * sandbox checks that both authentication codes are six digits, not that they match the seed:
 * the seed is handed out once (Base32StringSeed) and never stored, and QRCodePNG is a
 * placeholder image rather than a scannable code.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "sbx_iam.h"
#include "sbx_service.h"

#define MFA_PER_USER 8
#define SEED_CHARS   "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" /* RFC 4648 base32 alphabet */
#define SEED_LEN     64
/* A 1x1 PNG image: QRCodePNG's placeholder (base64, as the query protocol carries blobs). */
#define PLACEHOLDER_PNG                                                                            \
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="

const char cpw_sbx_iam_identity_schema[] =
  "CREATE TABLE IF NOT EXISTS iam_mfa_devices("
  " account_id TEXT NOT NULL REFERENCES accounts(account_id) ON DELETE CASCADE,"
  " serial TEXT NOT NULL, virtual INTEGER NOT NULL, created_ms INTEGER NOT NULL,"
  " tags TEXT NOT NULL DEFAULT '[]', user_name TEXT COLLATE NOCASE, enabled_ms INTEGER,"
  " PRIMARY KEY(account_id, serial),"
  " FOREIGN KEY(account_id, user_name) REFERENCES iam_users(account_id, name)"
  " ON DELETE CASCADE) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_ssh_keys("
  " account_id TEXT NOT NULL, user_name TEXT NOT NULL COLLATE NOCASE, key_id TEXT NOT NULL,"
  " body TEXT NOT NULL, fingerprint TEXT NOT NULL, status TEXT NOT NULL,"
  " uploaded_ms INTEGER NOT NULL, PRIMARY KEY(account_id, key_id),"
  " FOREIGN KEY(account_id, user_name) REFERENCES iam_users(account_id, name)"
  " ON DELETE CASCADE) STRICT;"
  "CREATE TABLE IF NOT EXISTS iam_credential_reports("
  " account_id TEXT PRIMARY KEY REFERENCES accounts(account_id) ON DELETE CASCADE,"
  " generated_ms INTEGER NOT NULL, content TEXT NOT NULL) STRICT;";

static const char *s_account(struct cpw_sbx_ctx *ctx)
{
    return ctx->req->caller->account_id;
}

/* UserName, else the calling IAM user; NULL for the root user. */
static const char *s_target_user(struct cpw_sbx_ctx *ctx, const json_t *input)
{
    const char *name = cpw_sbx_in_str(input, "UserName");
    const char *arn = ctx->req->caller->principal_arn;
    if (name == NULL && arn != NULL && strstr(arn, ":user/") != NULL) {
        name = strrchr(arn, '/') + 1;
    }
    return name;
}

static int s_bad_path(struct cpw_sbx_ctx *ctx)
{
    return cpw_sbx_fail(ctx, 400, "ValidationError",
                        "The specified value for path is invalid. It must begin and end with / and"
                        " contain only alphanumeric characters and/or / characters.");
}

int cpw_sbx_iam_create_virtual_mfa_device(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *name = cpw_sbx_in_str(in, "VirtualMFADeviceName");
    const char *path = cpw_sbx_in_str(in, "Path");
    path = path ? path : "/";
    size_t plen = strlen(path);
    if (plen > 512) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'path' failed to satisfy "
                            "constraint: Member must have length less than or equal to 512",
                            path);
    }
    if (path[0] != '/' || path[plen - 1] != '/' || strstr(path, "//") != NULL) {
        return s_bad_path(ctx);
    }
    if (name == NULL || !cpw_sbx_name_ok(name, 1, 226)) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'virtualMFADeviceName' "
                            "failed to satisfy constraint: Member must satisfy regular expression "
                            "pattern: [\\w+=,.@-]+",
                            name ? name : "");
    }
    char serial[1024];
    snprintf(serial, sizeof(serial), "arn:%s:iam::%s:mfa%s%s", cpw_sbx_ctx_partition(ctx),
             s_account(ctx), path, name);
    json_t *tags = json_object_get(in, "Tags");
    char *tag_text = json_is_array(tags) ? cpw_json_dump_cstr(tags, CPW_JSON_DUMP_COMPACT) : NULL;
    int n =
      cpw_sbx_sql_do(ctx->db,
                     "INSERT OR IGNORE INTO iam_mfa_devices(account_id, serial, virtual,"
                     " created_ms, tags) VALUES (?, ?, 1, ?, ?)",
                     "ssis", s_account(ctx), serial, ctx->req->now_ms, tag_text ? tag_text : "[]");
    cpw_free(tag_text);
    if (n <= 0) {
        return n < 0 ? -1
                     : cpw_sbx_fail(ctx, 409, "EntityAlreadyExists",
                                    "MFADevice entity at the same path and name already exists.");
    }
    char seed[SEED_LEN + 1];
    if (cpw_sbx_random_chars(seed, SEED_LEN, SEED_CHARS) != 0) {
        return -1;
    }
    seed[SEED_LEN] = '\0';
    struct cpw_buf b64;
    cpw_buf_init(&b64, 256);
    int rc = cpw_base64_encode(&b64, cpw_span_from_cstr(seed));
    cpw_secure_zero(seed, sizeof(seed));
    if (rc != 0) {
        cpw_buf_clean_up(&b64);
        return -1;
    }
    json_t *device = json_pack("{s:s,s:s,s:s}", "SerialNumber", serial, "Base32StringSeed",
                               cpw_buf_cstr(&b64), "QRCodePNG", PLACEHOLDER_PNG);
    cpw_buf_clean_up(&b64);
    if (json_array_size(tags) > 0) {
        json_object_set(device, "Tags", tags);
    }
    *out = json_pack("{s:o}", "VirtualMFADevice", device);
    return 0;
}

int cpw_sbx_iam_delete_virtual_mfa_device(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *serial = cpw_sbx_in_str(in, "SerialNumber");
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT user_name IS NOT NULL FROM iam_mfa_devices"
                                           " WHERE account_id = ? AND serial = ? AND virtual = 1",
                                           "ss", s_account(ctx), serial ? serial : "");
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    bool in_use = rc == 1 && sqlite3_column_int(stmt, 0) != 0;
    cpw_sbx_sql_done(stmt);
    if (rc <= 0) {
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 404, "NoSuchEntity",
                                     "VirtualMFADevice with serial number %s doesn't exist.",
                                     serial ? serial : "");
    }
    if (in_use) {
        return cpw_sbx_fail(ctx, 409, "DeleteConflict", "MFA Device is still in use.");
    }
    if (cpw_sbx_sql_do(ctx->db, "DELETE FROM iam_mfa_devices WHERE account_id = ? AND serial = ?",
                       "ss", s_account(ctx), serial) < 0) {
        return -1;
    }
    *out = json_object();
    return 0;
}

/* The User document of a device's user, as ListVirtualMFADevices shows it. */
static json_t *s_device_user(sqlite3_stmt *stmt)
{
    json_t *user =
      json_pack("{s:s,s:s,s:s,s:s,s:o}", "Path", cpw_sbx_col(stmt, 4), "UserName",
                cpw_sbx_col(stmt, 2), "UserId", cpw_sbx_col(stmt, 5), "Arn", cpw_sbx_col(stmt, 6),
                "CreateDate", cpw_sbx_time_json(sqlite3_column_int64(stmt, 7)));
    json_t *tags = cpw_json_load_cstr(cpw_sbx_col(stmt, 8));
    if (json_array_size(tags) > 0) {
        json_object_set(user, "Tags", tags);
    }
    json_decref(tags);
    return user;
}

/* A ListVirtualMFADevices element: serial, user and enable date when assigned, tags. */
static json_t *s_virtual_row(sqlite3_stmt *stmt, void *arg)
{
    (void)arg;
    json_t *device = json_pack("{s:s}", "SerialNumber", cpw_sbx_col(stmt, 0));
    if (sqlite3_column_type(stmt, 2) != SQLITE_NULL) {
        json_object_set_new(device, "User", s_device_user(stmt));
        json_object_set_new(device, "EnableDate", cpw_sbx_time_json(sqlite3_column_int64(stmt, 1)));
    }
    json_t *tags = cpw_json_load_cstr(cpw_sbx_col(stmt, 3));
    if (json_array_size(tags) > 0) {
        json_object_set(device, "Tags", tags);
    }
    json_decref(tags);
    return device;
}

int cpw_sbx_iam_list_virtual_mfa_devices(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *status = cpw_sbx_in_str(in, "AssignmentStatus");
    status = status ? status : "Any";
    if (strcmp(status, "Any") != 0 && strcmp(status, "Assigned") != 0 &&
        strcmp(status, "Unassigned") != 0) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'assignmentStatus' failed "
                            "to satisfy constraint: Member must satisfy enum value set: [Assigned, "
                            "Unassigned, Any]",
                            status);
    }
    int64_t max_items = 100;
    struct cpw_buf after;
    cpw_buf_init(&after, 1024);
    int rc = cpw_sbx_iam_page_start(ctx, in, &after, &max_items);
    if (rc != 0) {
        cpw_buf_clean_up(&after);
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT d.serial, d.enabled_ms, d.user_name, d.tags, u.path, u.user_id, u.arn, u.created_ms,"
      " coalesce(m.tags, '[]') FROM iam_mfa_devices d LEFT JOIN iam_users u ON u.account_id ="
      " d.account_id AND u.name = d.user_name LEFT JOIN iam_user_meta m ON m.account_id ="
      " d.account_id AND m.user_name = d.user_name WHERE d.account_id = ?1 AND d.virtual = 1 AND"
      " d.serial >= ?2 AND (?3 = 'Any' OR (?3 = 'Assigned') = (d.user_name IS NOT NULL))"
      " ORDER BY d.serial LIMIT ?4",
      "sssi", s_account(ctx), cpw_buf_cstr(&after), status, max_items + 1);
    cpw_buf_clean_up(&after);
    return cpw_sbx_iam_page_answer(stmt, "VirtualMFADevices", max_items, 0, s_virtual_row, NULL,
                                   out);
}

static bool s_code_ok(const char *code)
{
    if (code == NULL || strlen(code) != 6) {
        return false;
    }
    for (const char *p = code; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') {
            return false;
        }
    }
    return true;
}

int cpw_sbx_iam_enable_mfa_device(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *user = cpw_sbx_in_str(in, "UserName");
    const char *serial = cpw_sbx_in_str(in, "SerialNumber");
    int rc = cpw_sbx_iam_need_user(ctx, user);
    if (rc != 0) {
        return rc;
    }
    if (!s_code_ok(cpw_sbx_in_str(in, "AuthenticationCode1")) ||
        !s_code_ok(cpw_sbx_in_str(in, "AuthenticationCode2"))) {
        return cpw_sbx_fail(ctx, 403, "InvalidAuthenticationCode",
                            "Authentication code for device is not valid.");
    }
    serial = serial ? serial : "";
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT (SELECT count(*) FROM iam_mfa_devices WHERE account_id = ?1 AND user_name = ?2),"
      " (SELECT user_name IS NOT NULL FROM iam_mfa_devices WHERE account_id = ?1 AND serial = ?3),"
      " (SELECT virtual FROM iam_mfa_devices WHERE account_id = ?1 AND serial = ?3)",
      "sss", s_account(ctx), user, serial);
    rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    int count = rc == 1 ? sqlite3_column_int(stmt, 0) : 0;
    bool exists = rc == 1 && sqlite3_column_type(stmt, 1) != SQLITE_NULL;
    bool in_use = exists && sqlite3_column_int(stmt, 1) != 0;
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        return -1;
    }
    bool virtual_arn = strstr(serial, ":mfa/") != NULL && strncmp(serial, "arn:", 4) == 0;
    if (virtual_arn && !exists) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity",
                            "VirtualMFADevice with serial number %s doesn't exist.", serial);
    }
    if (in_use) {
        return cpw_sbx_fail(ctx, 409, "EntityAlreadyExists", "MFA Device is already in use.");
    }
    if (count >= MFA_PER_USER) {
        return cpw_sbx_fail(ctx, 409, "LimitExceeded",
                            "Cannot exceed quota for MFADevicesPerUser: %d", MFA_PER_USER);
    }
    int n = exists ? cpw_sbx_sql_do(ctx->db,
                                    "UPDATE iam_mfa_devices SET user_name = ?, enabled_ms = ?"
                                    " WHERE account_id = ? AND serial = ?",
                                    "siss", user, ctx->req->now_ms, s_account(ctx), serial)
                   : cpw_sbx_sql_do(ctx->db,
                                    "INSERT INTO iam_mfa_devices(account_id, serial, virtual,"
                                    " created_ms, user_name, enabled_ms) VALUES (?, ?, 0, ?, ?, ?)",
                                    "ssisi", s_account(ctx), serial, ctx->req->now_ms, user,
                                    ctx->req->now_ms);
    if (n < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::User", user);
    *out = json_object();
    return 0;
}

int cpw_sbx_iam_deactivate_mfa_device(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *user = s_target_user(ctx, in);
    const char *serial = cpw_sbx_in_str(in, "SerialNumber");
    if (user != NULL) {
        int rc = cpw_sbx_iam_need_user(ctx, user);
        if (rc != 0) {
            return rc;
        }
    }
    /* a hardware token leaves with its user; a virtual device goes back to unassigned */
    int n = cpw_sbx_sql_do(ctx->db,
                           "DELETE FROM iam_mfa_devices WHERE account_id = ? AND serial = ? AND"
                           " user_name IS ? AND virtual = 0",
                           "sss", s_account(ctx), serial ? serial : "", user);
    if (n == 0) {
        n = cpw_sbx_sql_do(ctx->db,
                           "UPDATE iam_mfa_devices SET user_name = NULL, enabled_ms = NULL WHERE"
                           " account_id = ? AND serial = ? AND user_name IS ? AND virtual = 1",
                           "sss", s_account(ctx), serial ? serial : "", user);
    }
    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity",
                            "MFA Device with serial number %s does not"
                            " exist.",
                            serial ? serial : "");
    }
    if (user != NULL) {
        cpw_sbx_add_resource(ctx, "AWS::IAM::User", user);
    }
    *out = json_object();
    return 0;
}

/* A ListMFADevices element. */
static json_t *s_assigned_row(sqlite3_stmt *stmt, void *arg)
{
    (void)arg;
    return json_pack("{s:s,s:s,s:o}", "UserName", cpw_sbx_col(stmt, 2), "SerialNumber",
                     cpw_sbx_col(stmt, 0), "EnableDate",
                     cpw_sbx_time_json(sqlite3_column_int64(stmt, 1)));
}

int cpw_sbx_iam_list_mfa_devices(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *user = s_target_user(ctx, in);
    if (user != NULL) {
        int rc = cpw_sbx_iam_need_user(ctx, user);
        if (rc != 0) {
            return rc;
        }
    }
    int64_t max_items = 100;
    struct cpw_buf after;
    cpw_buf_init(&after, 1024);
    int rc = cpw_sbx_iam_page_start(ctx, in, &after, &max_items);
    if (rc != 0) {
        cpw_buf_clean_up(&after);
        return rc;
    }
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db,
                        "SELECT serial, enabled_ms, user_name FROM"
                        " iam_mfa_devices WHERE account_id = ? AND user_name"
                        " IS ? AND user_name IS NOT NULL AND serial >= ?"
                        " ORDER BY serial LIMIT ?",
                        "sssi", s_account(ctx), user, cpw_buf_cstr(&after), max_items + 1);
    cpw_buf_clean_up(&after);
    return cpw_sbx_iam_page_answer(stmt, "MFADevices", max_items, 0, s_assigned_row, NULL, out);
}
