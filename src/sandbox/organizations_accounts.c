/*
 * organizations_accounts.c - member accounts of an organization in the sandbox: ListAccounts,
 * ListAccountsForParent, DescribeAccount, CloseAccount, MoveAccount,
 * RemoveAccountFromOrganization, and DeleteOrganization (only once no member is left).
 *
 * An account made by CreateAccount is listed once its request has settled (joined_ms). CloseAccount
 * is asynchronous on AWS: the account shows PENDING_CLOSURE until create_account_delay_ms has
 * passed, then SUSPENDED (it stays in the organization, as on AWS). Error texts are those of the
 * Organizations API reference.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "sbx_org.h"

#define ACCOUNT_NOT_FOUND                                                                          \
    "We can't find an AWS account with the AccountId that you specified, or the account whose "    \
    "credentials you used to make this request isn't a member of an organization."

/* Columns of ACCOUNT_SELECT: id, name, email, method, joined_ms, closed_ms (NULL: open). */
#define ACCOUNT_SELECT                                                                             \
    "SELECT a.account_id, c.name, c.email, a.method, a.joined_ms, x.closed_ms FROM org_accounts a" \
    " JOIN accounts c ON c.account_id = a.account_id LEFT JOIN org_closures x ON"                  \
    " x.account_id = a.account_id"

static const char *s_status(struct cpw_sbx_ctx *ctx, const char *id)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT closed_ms FROM org_closures WHERE account_id = ?", "s", id);
    const char *status = "ACTIVE";
    if (stmt != NULL && cpw_sbx_sql_step(stmt) == 1) {
        status = sqlite3_column_int64(stmt, 0) > ctx->req->now_ms ? "PENDING_CLOSURE" : "SUSPENDED";
    }
    cpw_sbx_sql_done(stmt);
    return status;
}

json_t *cpw_org_account_json(struct cpw_sbx_ctx *ctx,
                             const struct cpw_org *org,
                             const char *id,
                             const char *name,
                             const char *email,
                             const char *method,
                             int64_t joined_ms)
{
    char arn[200];
    cpw_org_arn(ctx, org, "account", id, arn, sizeof(arn));
    const char *status = s_status(ctx, id);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "Id", id, "Arn", arn, "Email", email,
                     "Name", name, "Status", status, "State", status, "JoinedMethod", method,
                     "JoinedTimestamp", cpw_sbx_time_json(joined_ms));
}

int cpw_org_need_account(struct cpw_sbx_ctx *ctx, const struct cpw_org *org, const char *account)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT 1 FROM org_accounts WHERE org_id = ? AND account_id = ? AND joined_ms <= ?",
      "ssi", org->id, account ? account : "", ctx->req->now_ms);
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 400, "AccountNotFoundException", ACCOUNT_NOT_FOUND);
    }
    return rc < 0 ? -1 : 0;
}

/* The settled accounts of org (under parent, when not NULL), paged. */
static json_t *s_account_row(struct cpw_sbx_ctx *ctx, const struct cpw_org *org, sqlite3_stmt *stmt)
{
    return cpw_org_account_json(ctx, org, cpw_sbx_col(stmt, 0), cpw_sbx_col(stmt, 1),
                                cpw_sbx_col(stmt, 2), cpw_sbx_col(stmt, 3),
                                sqlite3_column_int64(stmt, 4));
}

static int s_list(struct cpw_sbx_ctx *ctx, const json_t *input, const char *parent, json_t **out)
{
    struct cpw_org org;
    int64_t offset = 0;
    int64_t max = CPW_ORG_LIST_MAX;
    int rc = cpw_org_need_reader(ctx, &org);
    if (rc == 0 && parent != NULL) {
        rc = cpw_org_need_parent(ctx, &org, parent);
    }
    if (rc == 0) {
        rc = cpw_org_paging(ctx, input, &offset, &max);
    }
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      ACCOUNT_SELECT " WHERE a.org_id = ? AND a.joined_ms <= ? AND (?3 IS NULL OR a.parent_id = ?3)"
                     " ORDER BY a.joined_ms, a.account_id LIMIT ? OFFSET ?",
      "sisii", org.id, ctx->req->now_ms, parent, max + 1, offset);
    return cpw_org_page(ctx, &org, stmt, offset, max, "Accounts", s_account_row, out);
}

int cpw_org_list_accounts(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_list(ctx, input, NULL, output);
}

int cpw_org_list_accounts_for_parent(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **out)
{
    const char *parent = cpw_sbx_in_str(input, "ParentId");
    return s_list(ctx, input, parent ? parent : "", out);
}

int cpw_org_describe_account(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    const char *id = cpw_sbx_in_str(input, "AccountId");
    int rc = cpw_org_need_reader(ctx, &org);
    if (rc == 0) {
        rc = cpw_org_need_account(ctx, &org, id);
    }
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db, ACCOUNT_SELECT " WHERE a.account_id = ?", "s", id);
    if (stmt == NULL || cpw_sbx_sql_step(stmt) != 1) {
        cpw_sbx_sql_done(stmt);
        return -1;
    }
    *output = json_pack("{s:o}", "Account",
                        cpw_org_account_json(ctx, &org, cpw_sbx_col(stmt, 0), cpw_sbx_col(stmt, 1),
                                             cpw_sbx_col(stmt, 2), cpw_sbx_col(stmt, 3),
                                             sqlite3_column_int64(stmt, 4)));
    cpw_sbx_sql_done(stmt);
    return 0;
}

int cpw_org_close_account(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    const char *id = cpw_sbx_in_str(input, "AccountId");
    int rc = cpw_org_need_management(ctx, &org);
    if (rc == 0) {
        rc = cpw_org_need_account(ctx, &org, id);
    }
    if (rc != 0) {
        return rc;
    }
    if (strcmp(id, org.management) == 0) {
        return cpw_sbx_fail(ctx, 400, "ConstraintViolationException",
                            "You can't close the management account with this API.");
    }
    if (strcmp(s_status(ctx, id), "ACTIVE") != 0) {
        return cpw_sbx_fail(ctx, 400, "AccountAlreadyClosedException",
                            "You attempted to close an account that is already closed.");
    }
    if (cpw_sbx_sql_do(ctx->db, "INSERT INTO org_closures(account_id, closed_ms) VALUES (?, ?)",
                       "si", id, ctx->req->now_ms + ctx->sbx->create_account_delay_ms) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::Organizations::Account", id);
    *output = json_object();
    return 0;
}

int cpw_org_move_account(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    const char *id = cpw_sbx_in_str(input, "AccountId");
    const char *source = cpw_sbx_in_str(input, "SourceParentId");
    const char *dest = cpw_sbx_in_str(input, "DestinationParentId");
    int rc = cpw_org_need_management(ctx, &org);
    if (rc != 0) {
        return rc;
    }
    rc = cpw_org_target_exists(ctx, &org, source, false);
    if (rc <= 0) {
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 400, "SourceParentNotFoundException",
                                     "We can't find a source root or OU with the ParentId that "
                                     "you specified.");
    }
    rc = cpw_org_target_exists(ctx, &org, dest, false);
    if (rc <= 0) {
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 400, "DestinationParentNotFoundException",
                                     "We can't find the destination container (a root or OU) "
                                     "with the ParentId that you specified.");
    }
    rc = cpw_org_need_account(ctx, &org, id);
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT parent_id FROM org_accounts WHERE account_id = ?", "s", id);
    char parent[64] = "";
    rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    if (rc == 1) {
        snprintf(parent, sizeof(parent), "%s", cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        return -1;
    }
    if (strcmp(parent, dest) == 0) {
        return cpw_sbx_fail(ctx, 400, "DuplicateAccountException",
                            "That account is already present in the specified destination.");
    }
    if (strcmp(parent, source) != 0) {
        return cpw_sbx_fail(ctx, 400, "AccountNotFoundException", ACCOUNT_NOT_FOUND);
    }
    if (cpw_sbx_sql_do(ctx->db, "UPDATE org_accounts SET parent_id = ? WHERE account_id = ?", "ss",
                       dest, id) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::Organizations::Account", id);
    *output = json_object();
    return 0;
}

/* Drops what the organization kept about a member account. */
static int s_forget_account(struct cpw_sbx_ctx *ctx, const char *id)
{
    return cpw_sbx_sql_do(ctx->db, "DELETE FROM org_accounts WHERE account_id = ?", "s", id) < 0 ||
               cpw_sbx_sql_do(ctx->db, "DELETE FROM org_policy_targets WHERE target_id = ?", "s",
                              id) < 0 ||
               cpw_sbx_sql_do(ctx->db, "DELETE FROM org_tags WHERE resource_id = ?", "s", id) < 0 ||
               cpw_sbx_sql_do(ctx->db, "DELETE FROM org_closures WHERE account_id = ?", "s", id) <
                 0 ||
               cpw_sbx_sql_do(ctx->db, "DELETE FROM org_delegated_admins WHERE account_id = ?", "s",
                              id) < 0
             ? -1
             : 0;
}

int cpw_org_remove_account(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    const char *id = cpw_sbx_in_str(input, "AccountId");
    int rc = cpw_org_need_management(ctx, &org);
    if (rc == 0) {
        rc = cpw_org_need_account(ctx, &org, id);
    }
    if (rc != 0) {
        return rc;
    }
    if (strcmp(id, org.management) == 0) {
        return cpw_sbx_fail(ctx, 400, "ConstraintViolationException",
                            "You can't remove the management account from an organization. "
                            "You must delete the organization instead.");
    }
    if (s_forget_account(ctx, id) != 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::Organizations::Account", id);
    *output = json_object();
    return 0;
}

int cpw_org_delete_organization(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    (void)input;
    struct cpw_org org;
    int rc = cpw_org_need_management(ctx, &org);
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db, "SELECT 1 FROM org_accounts WHERE org_id = ? AND account_id <> ?",
                        "ss", org.id, org.management);
    rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    cpw_sbx_sql_done(stmt);
    if (rc != 0) {
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 400, "OrganizationNotEmptyException",
                                     "The organization isn't empty. To delete an organization, "
                                     "you must first remove all accounts except the management "
                                     "account.");
    }
    /* Attachments and tags of the organization's targets and policies, then its own rows. */
    if (cpw_sbx_sql_do(ctx->db,
                       "DELETE FROM org_policy_targets WHERE target_id IN (SELECT ou_id FROM"
                       " org_units WHERE org_id = ?1) OR target_id = ?2 OR target_id = ?3 OR"
                       " policy_id IN (SELECT policy_id FROM org_policies WHERE org_id = ?1)",
                       "sss", org.id, org.root_id, org.management) < 0 ||
        cpw_sbx_sql_do(ctx->db,
                       "DELETE FROM org_tags WHERE resource_id IN (SELECT ou_id FROM org_units"
                       " WHERE org_id = ?1 UNION ALL SELECT policy_id FROM org_policies WHERE"
                       " org_id = ?1) OR resource_id = ?2 OR resource_id = ?3",
                       "sss", org.id, org.root_id, org.management) < 0 ||
        cpw_sbx_sql_do(ctx->db,
                       "DELETE FROM org_create_failures WHERE request_id IN (SELECT request_id"
                       " FROM org_create_requests WHERE org_id = ?)",
                       "s", org.id) < 0) {
        return -1;
    }
    static const char *const sql[] = {
        "DELETE FROM org_units WHERE org_id = ?",
        "DELETE FROM org_policies WHERE org_id = ?",
        "DELETE FROM org_policy_types WHERE org_id = ?",
        "DELETE FROM org_service_access WHERE org_id = ?",
        "DELETE FROM org_delegated_admins WHERE org_id = ?",
        "DELETE FROM org_create_requests WHERE org_id = ?",
        "DELETE FROM org_accounts WHERE org_id = ?",
        "DELETE FROM org_organizations WHERE org_id = ?",
    };
    for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
        if (cpw_sbx_sql_do(ctx->db, sql[i], "s", org.id) < 0) {
            return -1;
        }
    }
    *output = json_object();
    return 0;
}
