/*
 * iam_credential_report.c - IAM's credential report in the sandbox: GenerateCredentialReport and
 * GetCredentialReport.
 *
 * As in IAM, the first GenerateCredentialReport answers STARTED and later ones COMPLETE while the
 * report is less than four hours old; an older report is generated anew. The sandbox builds the
 * report at once, so GetCredentialReport succeeds right after the first call. The report is the
 * CSV IAM documents (root account first, then the users by name), returned base64-encoded as
 * the query protocol carries blobs. Signing certificates are not emulated: their columns say
 * false and N/A.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/buf.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/time.h"
#include "sbx_service.h"

#define REPORT_TTL_MS (4LL * 3600 * 1000)
#define REPORT_MAX    (4 * 1024 * 1024)

#define REPORT_HEADER                                                                              \
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"       \
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"             \
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"    \
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"                   \
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"                  \
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"

static const char *s_account(struct cpw_sbx_ctx *ctx)
{
    return ctx->req->caller->account_id;
}

/* ",<time as IAM writes it in the report>" (2024-01-31T12:00:00+00:00), or ",N/A" for NULL. */
static int s_time_cell(struct cpw_buf *out, sqlite3_stmt *stmt, int col)
{
    if (sqlite3_column_type(stmt, col) == SQLITE_NULL) {
        return cpw_buf_append_cstr(out, ",N/A");
    }
    char iso[CPW_TIME_ISO8601_LEN + 1];
    if (cpw_time_format_iso8601(sqlite3_column_int64(stmt, col) / 1000, iso) != 0) {
        return -1;
    }
    return cpw_buf_appendf(out, ",%.19s+00:00", iso);
}

static int s_text_cell(struct cpw_buf *out, sqlite3_stmt *stmt, int col)
{
    const char *text =
      sqlite3_column_type(stmt, col) == SQLITE_NULL ? "N/A" : cpw_sbx_col(stmt, col);
    return cpw_buf_appendf(out, ",%s", text);
}

/* The two access keys of user (NULL: the root user), oldest first, as 2 x 5 columns. */
static int s_key_cells(struct cpw_sbx_ctx *ctx, const char *user, struct cpw_buf *out)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT k.status, k.created_ms, l.used_ms, l.region, l.service FROM access_keys k LEFT JOIN"
      " iam_key_last_used l ON l.access_key_id = k.access_key_id WHERE k.account_id = ? AND"
      " k.user_name IS ? AND k.session_token IS NULL ORDER BY k.created_ms, k.access_key_id"
      " LIMIT 2",
      "ss", s_account(ctx), user);
    if (stmt == NULL) {
        return -1;
    }
    int rc = 0;
    int keys = 0;
    while (rc == 0 && cpw_sbx_sql_step(stmt) == 1) {
        keys++;
        bool active = strcmp(cpw_sbx_col(stmt, 0), "Active") == 0;
        rc = cpw_buf_append_cstr(out, active ? ",true" : ",false");
        rc = rc == 0 ? s_time_cell(out, stmt, 1) : -1;
        rc = rc == 0 ? s_time_cell(out, stmt, 2) : -1;
        rc = rc == 0 ? s_text_cell(out, stmt, 3) : -1;
        rc = rc == 0 ? s_text_cell(out, stmt, 4) : -1;
    }
    cpw_sbx_sql_done(stmt);
    for (; rc == 0 && keys < 2; keys++) {
        rc = cpw_buf_append_cstr(out, ",false,N/A,N/A,N/A,N/A");
    }
    return rc;
}

static int s_build(struct cpw_sbx_ctx *ctx, struct cpw_buf *out)
{
    if (cpw_buf_append_cstr(out, REPORT_HEADER) != 0) {
        return -1;
    }
    /* the root user: its password and MFA are not the API's to tell */
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT created_ms FROM accounts WHERE account_id = ?", "s", s_account(ctx));
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    if (rc == 1) {
        rc = cpw_buf_appendf(out, "<root_account>,arn:%s:iam::%s:root", cpw_sbx_ctx_partition(ctx),
                             s_account(ctx));
        rc = rc == 0 ? s_time_cell(out, stmt, 0) : -1;
        rc = rc == 0 ? cpw_buf_append_cstr(out, ",not_supported,no_information,not_supported,"
                                                "not_supported,false")
                     : -1;
        rc = rc == 0 ? s_key_cells(ctx, NULL, out) : -1;
        rc = rc == 0 ? cpw_buf_append_cstr(out, ",false,N/A,false,N/A\n") : -1;
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        return -1;
    }
    stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT u.name, u.arn, u.created_ms, m.login_created_ms, EXISTS (SELECT 1 FROM"
      " iam_mfa_devices d WHERE d.account_id = u.account_id AND d.user_name = u.name) FROM"
      " iam_users u LEFT JOIN iam_user_meta m ON m.account_id = u.account_id AND m.user_name ="
      " u.name WHERE u.account_id = ? ORDER BY u.name",
      "s", s_account(ctx));
    if (stmt == NULL) {
        return -1;
    }
    rc = 0;
    while (rc == 0 && (rc = cpw_sbx_sql_step(stmt)) == 1) {
        bool password = sqlite3_column_type(stmt, 3) != SQLITE_NULL;
        rc = cpw_buf_appendf(out, "%s,%s", cpw_sbx_col(stmt, 0), cpw_sbx_col(stmt, 1));
        rc = rc == 0 ? s_time_cell(out, stmt, 2) : -1;
        rc =
          rc == 0 ? cpw_buf_append_cstr(out, password ? ",true,no_information" : ",false,N/A") : -1;
        rc = rc == 0 ? s_time_cell(out, stmt, 3) : -1;
        rc = rc == 0
               ? cpw_buf_appendf(out, ",N/A,%s", sqlite3_column_int(stmt, 4) ? "true" : "false")
               : -1;
        rc = rc == 0 ? s_key_cells(ctx, cpw_sbx_col(stmt, 0), out) : -1;
        rc = rc == 0 ? cpw_buf_append_cstr(out, ",false,N/A,false,N/A\n") : -1;
    }
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : 0;
}

int cpw_sbx_iam_generate_credential_report(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    (void)in;
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT generated_ms FROM iam_credential_reports WHERE"
                                           " account_id = ?",
                                           "s", s_account(ctx));
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    int64_t generated = rc == 1 ? sqlite3_column_int64(stmt, 0) : 0;
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        return -1;
    }
    if (rc == 1 && ctx->req->now_ms - generated < REPORT_TTL_MS) {
        *out = json_pack("{s:s}", "State", "COMPLETE");
        return 0;
    }
    struct cpw_buf report;
    cpw_buf_init(&report, REPORT_MAX);
    rc = s_build(ctx, &report);
    if (rc == 0 &&
        cpw_sbx_sql_do(ctx->db,
                       "INSERT OR REPLACE INTO iam_credential_reports(account_id, generated_ms,"
                       " content) VALUES (?, ?, ?)",
                       "sis", s_account(ctx), ctx->req->now_ms, cpw_buf_cstr(&report)) < 0) {
        rc = -1;
    }
    cpw_buf_clean_up(&report);
    if (rc != 0) {
        return -1;
    }
    *out = json_pack("{s:s,s:s}", "State", "STARTED", "Description",
                     "No report exists. Starting a new report generation task");
    return 0;
}

int cpw_sbx_iam_get_credential_report(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    (void)in;
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db,
                        "SELECT generated_ms, content FROM iam_credential_reports"
                        " WHERE account_id = ?",
                        "s", s_account(ctx));
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    if (rc <= 0) {
        cpw_sbx_sql_done(stmt);
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 410, "ReportNotPresent", "Credential report not present");
    }
    int64_t generated = sqlite3_column_int64(stmt, 0);
    if (ctx->req->now_ms - generated >= REPORT_TTL_MS) {
        cpw_sbx_sql_done(stmt);
        return cpw_sbx_fail(ctx, 410, "ReportExpired", "Credential report has expired");
    }
    struct cpw_buf b64;
    cpw_buf_init(&b64, REPORT_MAX * 2);
    rc = cpw_base64_encode(&b64, cpw_span_from_cstr(cpw_sbx_col(stmt, 1)));
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        *out = json_pack("{s:s,s:s,s:o}", "Content", cpw_buf_cstr(&b64), "ReportFormat", "text/csv",
                         "GeneratedTime", cpw_sbx_time_json(generated));
    }
    cpw_buf_clean_up(&b64);
    return rc == 0 ? 0 : -1;
}
