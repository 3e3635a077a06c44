/*
 * contact_lifecycle.c - how Customer Profiles and Amazon Connect create and leave behind their
 * service-linked roles in the sandbox, and the registration of both services.
 *
 * - CreateDomain / CreateInstance create the resource's own role through the IAM helpers and
 *   record the CreateServiceLinkedRole event invoked by the service (docs/aws-facts.md §1,
 *   §2, §7.1).
 * - DeleteDomain (and DeleteInstance when the knobs say so) schedule the role's deletion at a due
 *   time; cpw_sbx_contact_settle() carries it out lazily at the account's first request after it,
 *   recording a DeleteRole event invoked by the service (the services' role policies grant
 *   iam:DeleteRole on themselves; which event AWS records is UNVERIFIED).
 * - The role-usage hooks answer DeleteServiceLinkedRole: a role is in use while its domain or
 *   instance exists; the RoleUsageList names that resource's ARN and region.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "sbx_contact.h"

#define IAM_REGION "us-east-1"

int cpw_sbx_contact_create_role(struct cpw_sbx_ctx *ctx,
                                const char *account_id,
                                const char *principal,
                                const char *custom_suffix,
                                char *role_name,
                                size_t name_cap,
                                char *role_arn,
                                size_t arn_cap)
{
    json_t *role = NULL;
    int rc = cpw_sbx_iam_create_slr(ctx, account_id, principal, custom_suffix, NULL, false, &role);
    if (rc != 0) {
        return rc;
    }
    snprintf(role_name, name_cap, "%s", json_string_value(json_object_get(role, "RoleName")));
    snprintf(role_arn, arn_cap, "%s", json_string_value(json_object_get(role, "Arn")));
    json_t *request = json_pack("{s:s}", "AWSServiceName", principal);
    json_t *response = json_pack("{s:O}", "Role", role);
    json_t *resources =
      json_pack("[{s:s,s:s}]", "ResourceType", "AWS::IAM::Role", "ResourceName", role_name);
    struct cpw_sbx_service_event ev = {
        .account_id = account_id,
        .event_source = "iam.amazonaws.com",
        .event_name = "CreateServiceLinkedRole",
        .region = IAM_REGION,
        .invoked_by = principal,
        .request = request,
        .response = response,
        .resources = resources,
    };
    rc = cpw_sbx_record_service_event(ctx, &ev);
    json_decref(request);
    json_decref(response);
    json_decref(resources);
    json_decref(role);
    return rc;
}

int cpw_sbx_contact_schedule_role_cleanup(struct cpw_sbx_ctx *ctx,
                                          const char *account_id,
                                          const char *role_name,
                                          const char *principal,
                                          int64_t due_ms)
{
    return cpw_sbx_sql_do(ctx->db,
                          "INSERT OR REPLACE INTO contact_role_cleanups(account_id, role_name,"
                          " principal, due_ms) VALUES (?,?,?,?)",
                          "sssi", account_id, role_name, principal, due_ms) < 0
             ? -1
             : 0;
}

/* Deletes one role as its service does, with the event dated at the due time. */
static int s_cleanup_one(struct cpw_sbx_ctx *ctx,
                         const char *account_id,
                         const char *role_name,
                         const char *principal,
                         int64_t due_ms)
{
    int rc = cpw_sbx_sql_do(ctx->db, "DELETE FROM iam_roles WHERE account_id = ? AND name = ?",
                            "ss", account_id, role_name);
    if (rc < 0) {
        return -1;
    }
    if (rc > 0) {
        struct cpw_sbx_request req = *ctx->req;
        req.now_ms = due_ms;
        struct cpw_sbx_ctx at_due = *ctx;
        at_due.req = &req;
        json_t *request = json_pack("{s:s}", "RoleName", role_name);
        json_t *resources =
          json_pack("[{s:s,s:s}]", "ResourceType", "AWS::IAM::Role", "ResourceName", role_name);
        struct cpw_sbx_service_event ev = {
            .account_id = account_id,
            .event_source = "iam.amazonaws.com",
            .event_name = "DeleteRole",
            .region = IAM_REGION,
            .invoked_by = principal,
            .request = request,
            .resources = resources,
        };
        rc = cpw_sbx_record_service_event(&at_due, &ev);
        json_decref(request);
        json_decref(resources);
        if (rc != 0) {
            return -1;
        }
    }
    return cpw_sbx_sql_do(ctx->db,
                          "DELETE FROM contact_role_cleanups WHERE account_id = ? AND"
                          " role_name = ?",
                          "ss", account_id, role_name) < 0
             ? -1
             : 0;
}

int cpw_sbx_contact_settle(struct cpw_sbx_ctx *ctx, const char *account_id)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT role_name, principal, due_ms FROM"
                                           " contact_role_cleanups WHERE account_id = ? AND"
                                           " due_ms <= ? ORDER BY due_ms",
                                           "si", account_id, ctx->req->now_ms);
    if (stmt == NULL) {
        return -1;
    }
    json_t *due = json_array();
    int rc;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        json_array_append_new(due, json_pack("[ssI]", cpw_sbx_col(stmt, 0), cpw_sbx_col(stmt, 1),
                                             (json_int_t)sqlite3_column_int64(stmt, 2)));
    }
    cpw_sbx_sql_done(stmt);
    size_t i;
    json_t *row;
    json_array_foreach(due, i, row)
    {
        if (rc == 0) {
            rc = s_cleanup_one(ctx, account_id, json_string_value(json_array_get(row, 0)),
                               json_string_value(json_array_get(row, 1)),
                               (int64_t)json_integer_value(json_array_get(row, 2)));
        }
    }
    json_decref(due);
    return rc < 0 ? -1 : 0;
}

/* ----- role-usage hooks -------------------------------------------------------------------- */

/* Appends {"Region", "Resources"} groups from rows (region, arn) ordered by region. */
static int s_usage_from(sqlite3_stmt *stmt, json_t *usage)
{
    int rc;
    json_t *group = NULL;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        const char *region = cpw_sbx_col(stmt, 0);
        if (group == NULL ||
            strcmp(json_string_value(json_object_get(group, "Region")), region) != 0) {
            group = json_pack("{s:s,s:[]}", "Region", region, "Resources");
            json_array_append_new(usage, group);
        }
        json_array_append_new(json_object_get(group, "Resources"),
                              json_string(cpw_sbx_col(stmt, 1)));
    }
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : 0;
}

static int s_profile_usage(void *user,
                           struct cpw_sbx_ctx *ctx,
                           const char *account_id,
                           const char *role_arn,
                           json_t *usage)
{
    (void)user;
    const char *slash = strrchr(role_arn, '/');
    const char *role_name = slash ? slash + 1 : role_arn;
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT region, 'arn:aws:profile:' || region || ':' || account_id || ':domains/' || name"
      " FROM cp_domains WHERE account_id = ? AND role_name = ? COLLATE NOCASE"
      " ORDER BY region, name",
      "ss", account_id, role_name);
    return stmt ? s_usage_from(stmt, usage) : -1;
}

static int s_connect_usage(void *user,
                           struct cpw_sbx_ctx *ctx,
                           const char *account_id,
                           const char *role_arn,
                           json_t *usage)
{
    (void)user;
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db,
                        "SELECT region, arn FROM connect_instances WHERE account_id = ? AND"
                        " service_role = ? ORDER BY region, arn",
                        "ss", account_id, role_arn);
    return stmt ? s_usage_from(stmt, usage) : -1;
}

int cpw_sbx_contact_register(struct cpw_sbx *sbx)
{
    if (sbx->realism == NULL) {
        sbx->realism = cpw_sbx_realism_new();
    }
    if (cpw_sbx_register_service(sbx, &cpw_sbx_profile_service) != 0 ||
        cpw_sbx_register_service(sbx, &cpw_sbx_connect_service) != 0 ||
        cpw_sbx_register_role_usage_hook(sbx, CPW_CP_PRINCIPAL, s_profile_usage, NULL) != 0 ||
        cpw_sbx_register_role_usage_hook(sbx, CPW_CONNECT_PRINCIPAL, s_connect_usage, NULL) != 0) {
        return -1;
    }
    return 0;
}
