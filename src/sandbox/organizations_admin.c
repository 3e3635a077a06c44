/*
 * organizations_admin.c - trusted access of AWS services to the organization
 * (Enable/DisableAWSServiceAccess, ListAWSServiceAccessForOrganization) and delegated
 * administrators (Register/DeregisterDelegatedAdministrator, ListDelegatedAdministrators,
 * ListDelegatedServicesForAccount) in the sandbox.
 *
 * A service principal must be one of the services that integrate with Organizations (AWS
 * Organizations User Guide, "AWS services that you can use with AWS Organizations"); another
 * answers InvalidInputException (UNRECOGNIZED_SERVICE_PRINCIPAL). Enabling access twice is not an
 * error and keeps the first DateEnabled; disabling access that is not enabled is not one either.
 * The management account cannot be a delegated administrator. A delegated administrator may call
 * the organization's read operations (cpw_org_need_reader), these lists among them.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "sbx_org.h"

static const char *const s_principals[] = {
    "access-analyzer.amazonaws.com",
    "account.amazonaws.com",
    "auditmanager.amazonaws.com",
    "backup.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "compute-optimizer.amazonaws.com",
    "config.amazonaws.com",
    "config-multiaccountsetup.amazonaws.com",
    "controltower.amazonaws.com",
    "cost-optimization-hub.bcm.amazonaws.com",
    "detective.amazonaws.com",
    "devops-guru.amazonaws.com",
    "ds.amazonaws.com",
    "fms.amazonaws.com",
    "guardduty.amazonaws.com",
    "health.amazonaws.com",
    "iam.amazonaws.com",
    "inspector2.amazonaws.com",
    "ipam.amazonaws.com",
    "license-manager.amazonaws.com",
    "macie.amazonaws.com",
    "member.org.stacksets.cloudformation.amazonaws.com",
    "ram.amazonaws.com",
    "reporting.trustedadvisor.amazonaws.com",
    "resource-explorer-2.amazonaws.com",
    "securityhub.amazonaws.com",
    "securitylake.amazonaws.com",
    "servicecatalog.amazonaws.com",
    "servicequotas.amazonaws.com",
    "ssm.amazonaws.com",
    "sso.amazonaws.com",
    "storage-lens.s3.amazonaws.com",
    "tagpolicies.tag.amazonaws.com",
    "wellarchitected.amazonaws.com",
};

/* 0 when principal integrates with Organizations, else 1 answered. */
static int s_need_principal(struct cpw_sbx_ctx *ctx, const char *principal)
{
    for (size_t i = 0; principal != NULL && i < sizeof(s_principals) / sizeof(s_principals[0]);
         i++) {
        if (strcmp(principal, s_principals[i]) == 0) {
            return 0;
        }
    }
    return cpw_org_invalid(ctx, "You specified a service principal that isn't recognized.");
}

/*
 * The organization, the management account (or, for a read, a delegated administrator:
 * cpw_org_need_reader) and, when principal is not NULL, a known principal.
 */
static int s_prepare(struct cpw_sbx_ctx *ctx, struct cpw_org *org, const char *principal, bool read)
{
    int rc = read ? cpw_org_need_reader(ctx, org) : cpw_org_need_management(ctx, org);
    if (rc == 0 && principal != NULL) {
        rc = s_need_principal(ctx, principal);
    }
    return rc;
}

int cpw_org_enable_service_access(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    const char *principal = cpw_sbx_in_str(input, "ServicePrincipal");
    int rc = s_prepare(ctx, &org, principal ? principal : "", false);
    if (rc != 0) {
        return rc;
    }
    if (cpw_sbx_sql_do(ctx->db,
                       "INSERT OR IGNORE INTO org_service_access(org_id, principal, enabled_ms)"
                       " VALUES (?, ?, ?)",
                       "ssi", org.id, principal, ctx->req->now_ms) < 0) {
        return -1;
    }
    *output = json_object();
    return 0;
}

int cpw_org_disable_service_access(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    const char *principal = cpw_sbx_in_str(input, "ServicePrincipal");
    int rc = s_prepare(ctx, &org, principal ? principal : "", false);
    if (rc != 0) {
        return rc;
    }
    if (cpw_sbx_sql_do(ctx->db, "DELETE FROM org_service_access WHERE org_id = ? AND principal = ?",
                       "ss", org.id, principal) < 0) {
        return -1;
    }
    *output = json_object();
    return 0;
}

/* {ServicePrincipal, date_key} of a (principal, enabled_ms) row. */
static json_t *s_principal_row(sqlite3_stmt *stmt, const char *date_key)
{
    return json_pack("{s:s,s:o}", "ServicePrincipal", cpw_sbx_col(stmt, 0), date_key,
                     cpw_sbx_time_json(sqlite3_column_int64(stmt, 1)));
}

static json_t *s_access_row(struct cpw_sbx_ctx *ctx, const struct cpw_org *org, sqlite3_stmt *stmt)
{
    (void)ctx;
    (void)org;
    return s_principal_row(stmt, "DateEnabled");
}

static json_t *s_delegated_row(struct cpw_sbx_ctx *ctx,
                               const struct cpw_org *org,
                               sqlite3_stmt *stmt)
{
    (void)ctx;
    (void)org;
    return s_principal_row(stmt, "DelegationEnabledDate");
}

static json_t *s_admin_row(struct cpw_sbx_ctx *ctx, const struct cpw_org *org, sqlite3_stmt *stmt)
{
    json_t *admin = cpw_org_account_json(ctx, org, cpw_sbx_col(stmt, 0), cpw_sbx_col(stmt, 1),
                                         cpw_sbx_col(stmt, 2), cpw_sbx_col(stmt, 3),
                                         sqlite3_column_int64(stmt, 4));
    json_object_set_new(admin, "DelegationEnabledDate",
                        cpw_sbx_time_json(sqlite3_column_int64(stmt, 5)));
    return admin;
}

int cpw_org_list_service_access(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    int64_t offset = 0;
    int64_t max = CPW_ORG_LIST_MAX;
    int rc = s_prepare(ctx, &org, NULL, true);
    if (rc == 0) {
        rc = cpw_org_paging(ctx, input, &offset, &max);
    }
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT principal, enabled_ms FROM org_service_access"
                                           " WHERE org_id = ? ORDER BY principal LIMIT ? OFFSET ?",
                                           "sii", org.id, max + 1, offset);
    return cpw_org_page(ctx, &org, stmt, offset, max, "EnabledServicePrincipals", s_access_row,
                        output);
}

/* 1 when account is a delegated administrator for principal (any, when NULL), 0 not, -1. */
static int s_registered(struct cpw_sbx_ctx *ctx, const char *account, const char *principal)
{
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db,
                        "SELECT 1 FROM org_delegated_admins WHERE account_id = ? AND"
                        " (?2 IS NULL OR principal = ?2)",
                        "ss", account, principal);
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    cpw_sbx_sql_done(stmt);
    return rc;
}

/* A member account other than the management account: 0, 1 answered, -1. */
static int s_need_member(struct cpw_sbx_ctx *ctx, const struct cpw_org *org, const char *account)
{
    int rc = cpw_org_need_account(ctx, org, account);
    if (rc == 0 && strcmp(account, org->management) == 0) {
        return cpw_sbx_fail(ctx, 400, "ConstraintViolationException",
                            "You attempted to register the management account of the "
                            "organization as a delegated administrator for an AWS service "
                            "integrated with Organizations. You can designate only a member "
                            "account as a delegated administrator.");
    }
    return rc;
}

static int s_not_registered(struct cpw_sbx_ctx *ctx)
{
    return cpw_sbx_fail(ctx, 400, "AccountNotRegisteredException",
                        "The specified account is not a delegated administrator for this AWS "
                        "service.");
}

int cpw_org_register_admin(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    const char *account = cpw_sbx_in_str(input, "AccountId");
    const char *principal = cpw_sbx_in_str(input, "ServicePrincipal");
    int rc = s_prepare(ctx, &org, principal ? principal : "", false);
    if (rc == 0) {
        rc = s_need_member(ctx, &org, account);
    }
    if (rc != 0) {
        return rc;
    }
    rc = s_registered(ctx, account, principal);
    if (rc != 0) {
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 400, "AccountAlreadyRegisteredException",
                                     "The specified account is already a delegated administrator "
                                     "for this AWS service.");
    }
    if (cpw_sbx_sql_do(ctx->db,
                       "INSERT INTO org_delegated_admins(org_id, account_id, principal, enabled_ms)"
                       " VALUES (?, ?, ?, ?)",
                       "sssi", org.id, account, principal, ctx->req->now_ms) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::Organizations::Account", account);
    *output = json_object();
    return 0;
}

int cpw_org_deregister_admin(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    const char *account = cpw_sbx_in_str(input, "AccountId");
    const char *principal = cpw_sbx_in_str(input, "ServicePrincipal");
    int rc = s_prepare(ctx, &org, principal ? principal : "", false);
    if (rc == 0) {
        rc = s_need_member(ctx, &org, account);
    }
    if (rc != 0) {
        return rc;
    }
    int n = cpw_sbx_sql_do(ctx->db,
                           "DELETE FROM org_delegated_admins WHERE account_id = ? AND"
                           " principal = ?",
                           "ss", account, principal);
    if (n <= 0) {
        return n < 0 ? -1 : s_not_registered(ctx);
    }
    cpw_sbx_add_resource(ctx, "AWS::Organizations::Account", account);
    *output = json_object();
    return 0;
}

int cpw_org_list_admins(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    int64_t offset = 0;
    int64_t max = CPW_ORG_LIST_MAX;
    const char *principal = cpw_sbx_in_str(input, "ServicePrincipal");
    int rc = s_prepare(ctx, &org, principal, true);
    if (rc == 0) {
        rc = cpw_org_paging(ctx, input, &offset, &max);
    }
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT a.account_id, c.name, c.email, a.method, a.joined_ms, min(d.enabled_ms) FROM"
      " org_delegated_admins d JOIN org_accounts a ON a.account_id = d.account_id JOIN accounts c"
      " ON c.account_id = a.account_id WHERE d.org_id = ?1 AND (?2 IS NULL OR d.principal = ?2)"
      " GROUP BY a.account_id ORDER BY min(d.enabled_ms), a.account_id LIMIT ?3 OFFSET ?4",
      "ssii", org.id, principal, max + 1, offset);
    return cpw_org_page(ctx, &org, stmt, offset, max, "DelegatedAdministrators", s_admin_row,
                        output);
}

int cpw_org_list_delegated_services(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **out)
{
    struct cpw_org org;
    int64_t offset = 0;
    int64_t max = CPW_ORG_LIST_MAX;
    const char *account = cpw_sbx_in_str(input, "AccountId");
    int rc = s_prepare(ctx, &org, NULL, true);
    if (rc == 0) {
        rc = cpw_org_need_account(ctx, &org, account);
    }
    if (rc == 0) {
        rc = cpw_org_paging(ctx, input, &offset, &max);
    }
    if (rc != 0) {
        return rc;
    }
    rc = s_registered(ctx, account, NULL);
    if (rc <= 0) {
        return rc < 0 ? -1 : s_not_registered(ctx);
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT principal, enabled_ms FROM org_delegated_admins"
                                           " WHERE account_id = ? ORDER BY principal LIMIT ?"
                                           " OFFSET ?",
                                           "sii", account, max + 1, offset);
    return cpw_org_page(ctx, &org, stmt, offset, max, "DelegatedServices", s_delegated_row, out);
}
