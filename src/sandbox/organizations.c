/*
 * organizations.c - AWS Organizations in the sandbox: one organization per management account,
 * member accounts made by CreateAccount (asynchronous, settled from timestamps), the root, and the
 * operation table of the service (OUs, policies, tags, accounts and delegated administration live
 * in the organizations_*.c files, sbx_org.h).
 *
 * CreateAccount makes the account and its OrganizationAccountAccessRole (trusting the
 * management account's root, AdministratorAccess attached, all in the partition of the request)
 * at once; the request reports IN_PROGRESS and ListAccounts hides the account until
 * create_account_delay_ms has passed. An email address another sandbox account already uses
 * makes the request end FAILED with EMAIL_ALREADY_EXISTS (no account is made), as on AWS.
 *
 * Only the management account may call the organization-management operations; a member gets
 * AccessDeniedException. A member registered as a delegated administrator (for any service) may
 * call the read operations AWS opens to delegated administrators (cpw_org_need_reader); every
 * write stays with the management account. DescribeOrganization is open to every account of the
 * organization, as on AWS.
 *
 * AWS's managed SCP FullAWSAccess (p-FullAWSAccess) and RCP RCPFullAWSAccess (p-RCPFullAWSAccess)
 * exist in every organization. An organization made by CreateOrganization starts with no policy
 * type enabled in its root, as on AWS; EnablePolicyType attaches the type's managed policy to the
 * root, every OU and every account, and to every OU and account made later. An organization a
 * scenario loads starts with SERVICE_CONTROL_POLICY enabled (no org_policy_types row).
 * ARNs are in the partition of the caller's signing region (aws-cn, aws-us-gov, ...).
 */
#include <stdio.h>
#include <string.h>

#include "cpw/aws_error.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "sbx_org.h"

#define ACCESS_ROLE "OrganizationAccountAccessRole"

#define FULL_ACCESS_DOC                                                                            \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","           \
    "\"Resource\":\"*\"}]}"
#define RCP_FULL_ACCESS_DOC                                                                        \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","        \
    "\"Action\":\"*\",\"Resource\":\"*\"}]}"

static const char s_schema[] =
  "CREATE TABLE IF NOT EXISTS org_organizations("
  " org_id TEXT PRIMARY KEY, management_account_id TEXT NOT NULL UNIQUE"
  " REFERENCES accounts(account_id), root_id TEXT NOT NULL, feature_set TEXT NOT NULL,"
  " created_ms INTEGER NOT NULL) STRICT;"
  "CREATE TABLE IF NOT EXISTS org_accounts("
  " account_id TEXT PRIMARY KEY REFERENCES accounts(account_id) ON DELETE CASCADE,"
  " org_id TEXT NOT NULL REFERENCES org_organizations(org_id) ON DELETE CASCADE,"
  " joined_ms INTEGER NOT NULL, method TEXT NOT NULL, parent_id TEXT NOT NULL) STRICT;"
  "CREATE TABLE IF NOT EXISTS org_create_requests("
  " request_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, account_name TEXT NOT NULL,"
  " account_id TEXT NOT NULL, requested_ms INTEGER NOT NULL, completed_ms INTEGER NOT NULL,"
  " state TEXT NOT NULL) STRICT;"
  "CREATE TABLE IF NOT EXISTS org_units("
  " ou_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, parent_id TEXT NOT NULL, name TEXT NOT NULL)"
  " STRICT;"
  "CREATE TABLE IF NOT EXISTS org_policies("
  " policy_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT,"
  " type TEXT NOT NULL, content TEXT NOT NULL) STRICT;"
  "CREATE TABLE IF NOT EXISTS org_policy_targets("
  " policy_id TEXT NOT NULL REFERENCES org_policies(policy_id) ON DELETE CASCADE,"
  " target_id TEXT NOT NULL, PRIMARY KEY(policy_id, target_id)) STRICT;"
  /* Why a CreateAccount request failed (EMAIL_ALREADY_EXISTS); absent when it succeeds. */
  "CREATE TABLE IF NOT EXISTS org_create_failures("
  " request_id TEXT PRIMARY KEY, reason TEXT NOT NULL) STRICT;"
  /* Policy types of the root: SERVICE_CONTROL_POLICY is enabled unless a row says 0, any other
   * type only when a row says 1 (CreateOrganization writes SERVICE_CONTROL_POLICY 0). */
  "CREATE TABLE IF NOT EXISTS org_policy_types("
  " org_id TEXT NOT NULL, type TEXT NOT NULL, enabled INTEGER NOT NULL,"
  " PRIMARY KEY(org_id, type)) STRICT;"
  "CREATE TABLE IF NOT EXISTS org_tags("
  " resource_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
  " PRIMARY KEY(resource_id, key)) STRICT;"
  /* AWS's managed FullAWSAccess SCP, shared by every organization (org_id '*'). */
  "INSERT OR IGNORE INTO org_policies(policy_id, org_id, name, description, type, content)"
  " VALUES ('" CPW_ORG_FULL_ACCESS_ID "', '*', 'FullAWSAccess', 'Allows access to every operation',"
  " 'SERVICE_CONTROL_POLICY', '" FULL_ACCESS_DOC "');"
  "INSERT OR IGNORE INTO org_policies(policy_id, org_id, name, description, type, content)"
  " VALUES ('" CPW_ORG_RCP_FULL_ID "', '*', 'RCPFullAWSAccess', 'Allows access to every"
  " operation', 'RESOURCE_CONTROL_POLICY', '" RCP_FULL_ACCESS_DOC "');"
  /* CloseAccount: the account is PENDING_CLOSURE until closed_ms, SUSPENDED after. */
  "CREATE TABLE IF NOT EXISTS org_closures("
  " account_id TEXT PRIMARY KEY, closed_ms INTEGER NOT NULL) STRICT;"
  /* EnableAWSServiceAccess, RegisterDelegatedAdministrator. */
  "CREATE TABLE IF NOT EXISTS org_service_access("
  " org_id TEXT NOT NULL, principal TEXT NOT NULL, enabled_ms INTEGER NOT NULL,"
  " PRIMARY KEY(org_id, principal)) STRICT;"
  "CREATE TABLE IF NOT EXISTS org_delegated_admins("
  " org_id TEXT NOT NULL, account_id TEXT NOT NULL, principal TEXT NOT NULL,"
  " enabled_ms INTEGER NOT NULL, PRIMARY KEY(account_id, principal)) STRICT;";
/* The caller's organization: 1 found, 0 none, -1. */
int cpw_org_find(struct cpw_sbx_ctx *ctx, struct cpw_org *org)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT o.org_id, o.management_account_id, o.root_id, o.feature_set FROM org_organizations o"
      " JOIN org_accounts a ON a.org_id = o.org_id WHERE a.account_id = ?",
      "s", ctx->req->caller->account_id);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        snprintf(org->id, sizeof(org->id), "%s", cpw_sbx_col(stmt, 0));
        snprintf(org->management, sizeof(org->management), "%s", cpw_sbx_col(stmt, 1));
        snprintf(org->root_id, sizeof(org->root_id), "%s", cpw_sbx_col(stmt, 2));
        snprintf(org->feature_set, sizeof(org->feature_set), "%s", cpw_sbx_col(stmt, 3));
    }
    cpw_sbx_sql_done(stmt);
    return rc;
}

/* 0 with *org filled, 1 AWS error (not in an organization), -1. */
int cpw_org_need(struct cpw_sbx_ctx *ctx, struct cpw_org *org)
{
    int rc = cpw_org_find(ctx, org);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 400, "AWSOrganizationsNotInUseException",
                            "Your account is not a member of an organization.");
    }
    return rc < 0 ? -1 : 0;
}

static int s_access_denied(struct cpw_sbx_ctx *ctx)
{
    return cpw_sbx_fail(ctx, 400, "AccessDeniedException",
                        "You don't have permissions to access this resource.");
}

int cpw_org_need_management(struct cpw_sbx_ctx *ctx, struct cpw_org *org)
{
    int rc = cpw_org_need(ctx, org);
    if (rc == 0 && strcmp(org->management, ctx->req->caller->account_id) != 0) {
        return s_access_denied(ctx);
    }
    return rc;
}

int cpw_org_is_delegated_admin(struct cpw_sbx_ctx *ctx, const struct cpw_org *org)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT 1 FROM org_delegated_admins WHERE org_id = ?"
                                           " AND account_id = ? LIMIT 1",
                                           "ss", org->id, ctx->req->caller->account_id);
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    cpw_sbx_sql_done(stmt);
    return rc;
}

int cpw_org_need_reader(struct cpw_sbx_ctx *ctx, struct cpw_org *org)
{
    int rc = cpw_org_need(ctx, org);
    if (rc != 0 || strcmp(org->management, ctx->req->caller->account_id) == 0) {
        return rc;
    }
    rc = cpw_org_is_delegated_admin(ctx, org);
    return rc < 0 ? -1 : rc == 0 ? s_access_denied(ctx) : 0;
}

void cpw_org_arn(struct cpw_sbx_ctx *ctx,
                 const struct cpw_org *org,
                 const char *kind,
                 const char *id,
                 char *out,
                 size_t cap)
{
    const char *p = cpw_sbx_ctx_partition(ctx);
    if (id == NULL) {
        snprintf(out, cap, "arn:%s:organizations::%s:%s/%s", p, org->management, kind, org->id);
    } else {
        snprintf(out, cap, "arn:%s:organizations::%s:%s/%s/%s", p, org->management, kind, org->id,
                 id);
    }
}

void cpw_sbx_org_validation_message(const char *service, struct cpw_aws_error *err)
{
    if (service == NULL || strcmp(service, "organizations") != 0 || err->code == NULL ||
        strcmp(err->code, "InvalidInputException") != 0 || err->message == NULL) {
        return;
    }
    /* The first violation decides, as AWS reports one reason. */
    static const struct {
        const char *needle;
        const char *text;
    } reasons[] = {
        { "at 'targetId' failed to satisfy constraint: Member must satisfy regular expression",
          "You specified a policy target ID that doesn't match the required pattern." },
        { "Member must satisfy enum value set", CPW_ORG_INVALID_ENUM },
        { "Member must satisfy regular expression pattern", CPW_ORG_INVALID_PATTERN },
        { "Member must have length less than or equal",
          "You provided a string parameter that is longer than allowed." },
        { "Member must have length greater than or equal",
          "You provided a string parameter that is shorter than allowed." },
        { "Member must have value less than or equal",
          "You provided a numeric parameter that has a larger value than allowed." },
        { "Member must have value greater than or equal",
          "You provided a numeric parameter that has a smaller value than allowed." },
    };
    const char *first = NULL;
    const char *text = NULL;
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        const char *at = strstr(err->message, reasons[i].needle);
        if (at != NULL && (first == NULL || at < first)) {
            first = at;
            text = reasons[i].text;
        }
    }
    if (text != NULL) {
        cpw_aws_error_set_field(&err->message, text);
    }
}

int cpw_org_invalid(struct cpw_sbx_ctx *ctx, const char *text)
{
    return cpw_sbx_fail(ctx, 400, "InvalidInputException", "%s", text);
}

static json_t *s_org_json(struct cpw_sbx_ctx *ctx, const struct cpw_org *org)
{
    char arn[200];
    char account_arn[200];
    cpw_org_arn(ctx, org, "organization", NULL, arn, sizeof(arn));
    cpw_org_arn(ctx, org, "account", org->management, account_arn, sizeof(account_arn));
    char email[320] = "";
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT email FROM accounts WHERE"
                                           " account_id = ?",
                                           "s", org->management);
    if (stmt != NULL && cpw_sbx_sql_step(stmt) == 1) {
        snprintf(email, sizeof(email), "%s", cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:[{s:s,s:s}]}", "Id", org->id, "Arn", arn,
                     "FeatureSet", org->feature_set, "MasterAccountArn", account_arn,
                     "MasterAccountId", org->management, "MasterAccountEmail", email,
                     "AvailablePolicyTypes", "Type", "SERVICE_CONTROL_POLICY", "Status", "ENABLED");
}

int cpw_org_attach_full_access(sqlite3 *db, const char *org_id, const char *target)
{
    return cpw_sbx_sql_do(
             db,
             "INSERT OR IGNORE INTO org_policy_targets(policy_id, target_id)"
             " SELECT '" CPW_ORG_FULL_ACCESS_ID "', ?2 WHERE COALESCE((SELECT"
             " enabled FROM org_policy_types WHERE org_id = ?1 AND type = '" CPW_ORG_SCP
             "'), 1) = 1 UNION ALL SELECT '" CPW_ORG_RCP_FULL_ID "', ?2 WHERE"
             " COALESCE((SELECT enabled FROM org_policy_types WHERE org_id = ?1 AND"
             " type = '" CPW_ORG_RCP "'), 0) = 1",
             "ss", org_id, target) < 0
             ? -1
             : 0;
}

int cpw_sbx_org_create(sqlite3 *db,
                       const char *management_account,
                       const char *feature_set,
                       int64_t now_ms)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(db, "SELECT 1 FROM org_accounts WHERE account_id = ?",
                                           "s", management_account);
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    cpw_sbx_sql_done(stmt);
    if (rc != 0) {
        return rc;
    }
    char org_id[16] = "o-";
    char root_id[16] = "r-";
    if (cpw_sbx_random_chars(org_id + 2, 10, CPW_SBX_LOWER_ALNUM) != 0 ||
        cpw_sbx_random_chars(root_id + 2, 4, CPW_SBX_LOWER_ALNUM) != 0) {
        return -1;
    }
    if (cpw_sbx_sql_do(db,
                       "INSERT INTO org_organizations(org_id, management_account_id, root_id,"
                       " feature_set, created_ms) VALUES (?, ?, ?, ?, ?)",
                       "ssssi", org_id, management_account, root_id,
                       feature_set ? feature_set : "ALL", now_ms) < 0 ||
        cpw_sbx_sql_do(db,
                       "INSERT INTO org_accounts(account_id, org_id, joined_ms, method, parent_id)"
                       " VALUES (?, ?, ?, 'INVITED', ?)",
                       "ssis", management_account, org_id, now_ms, root_id) < 0 ||
        cpw_org_attach_full_access(db, org_id, root_id) != 0 ||
        cpw_org_attach_full_access(db, org_id, management_account) != 0) {
        return -1;
    }
    return 0;
}

/*
 * Inserts the member row and its access role, whose ARN, trusted management root and attached
 * AdministratorAccess are in partition (NULL: "aws"); joined_ms may lie in the future
 * (CreateAccount).
 */
static int s_add_member(sqlite3 *db,
                        const char *partition,
                        const char *management,
                        const char *org_id,
                        const char *root_id,
                        const char *account_id,
                        const char *role_name,
                        const char *method,
                        int64_t now_ms,
                        int64_t joined_ms)
{
    const char *p = partition ? partition : "aws";
    char trust[300];
    char admin[100];
    snprintf(trust, sizeof(trust),
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
             "{\"AWS\":\"arn:%s:iam::%s:root\"},\"Action\":\"sts:AssumeRole\"}]}",
             p, management);
    snprintf(admin, sizeof(admin), "arn:%s:iam::aws:policy/AdministratorAccess", p);
    struct cpw_sbx_role_spec spec = {
        .account_id = account_id,
        .name = role_name ? role_name : ACCESS_ROLE,
        .trust_policy = trust,
        .now_ms = now_ms,
        .partition = p,
    };
    if (cpw_sbx_sql_do(db,
                       "INSERT INTO org_accounts(account_id, org_id, joined_ms, method, parent_id)"
                       " VALUES (?, ?, ?, ?, ?)",
                       "ssiss", account_id, org_id, joined_ms, method, root_id) < 0 ||
        cpw_org_attach_full_access(db, org_id, account_id) != 0) {
        return -1;
    }
    int rc = cpw_sbx_iam_insert_role(db, &spec);
    if (rc < 0 || (rc == 0 && cpw_sbx_iam_attach_policy(db, account_id, spec.name, admin) != 0)) {
        return -1;
    }
    return 0; /* an existing role of that name is kept as it is */
}

int cpw_sbx_org_add_member(sqlite3 *db,
                           const char *management_account,
                           const char *account_id,
                           int64_t now_ms)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(db,
                                           "SELECT org_id, root_id FROM org_organizations WHERE"
                                           " management_account_id = ? AND NOT EXISTS (SELECT 1"
                                           " FROM org_accounts WHERE account_id = ?)",
                                           "ss", management_account, account_id);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    char org_id[40] = "";
    char root_id[40] = "";
    if (rc == 1) {
        snprintf(org_id, sizeof(org_id), "%s", cpw_sbx_col(stmt, 0));
        snprintf(root_id, sizeof(root_id), "%s", cpw_sbx_col(stmt, 1));
    }
    cpw_sbx_sql_done(stmt);
    if (rc <= 0) {
        return rc < 0 ? -1 : 1;
    }
    return s_add_member(db, NULL, management_account, org_id, root_id, account_id, NULL, "CREATED",
                        now_ms, now_ms);
}

static int s_create_organization(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    int rc = cpw_sbx_org_create(ctx->db, ctx->req->caller->account_id,
                                cpw_sbx_in_str(input, "FeatureSet"), ctx->req->now_ms);
    if (rc != 0) {
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 400, "AlreadyInOrganizationException",
                                     "The AWS account is already a member of an organization.");
    }
    struct cpw_org org;
    if (cpw_org_find(ctx, &org) != 1) {
        return cpw_raise(CPW_ERR_INTERNAL, "organization not found after creation");
    }
    /* No policy type is enabled in the root of a new organization: EnablePolicyType does it. */
    if (cpw_sbx_sql_do(ctx->db,
                       "INSERT OR REPLACE INTO org_policy_types(org_id, type, enabled)"
                       " VALUES (?, '" CPW_ORG_SCP "', 0)",
                       "s", org.id) < 0 ||
        cpw_sbx_sql_do(ctx->db, "DELETE FROM org_policy_targets WHERE target_id IN (?, ?)", "ss",
                       org.root_id, org.management) < 0) {
        return -1;
    }
    *output = json_pack("{s:o}", "Organization", s_org_json(ctx, &org));
    return 0;
}

static int s_describe_organization(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    (void)input;
    struct cpw_org org;
    int rc = cpw_org_need(ctx, &org);
    if (rc != 0) {
        return rc;
    }
    *output = json_pack("{s:o}", "Organization", s_org_json(ctx, &org));
    return 0;
}

int cpw_sbx_org_settle(struct cpw_sbx_ctx *ctx)
{
    return cpw_sbx_sql_do(ctx->db,
                          "UPDATE org_create_requests SET state = 'SUCCEEDED'"
                          " WHERE state = 'IN_PROGRESS' AND completed_ms <= ?",
                          "i", ctx->req->now_ms) < 0
             ? -1
             : 0;
}

static int s_new_account_id(struct cpw_sbx_ctx *ctx, char out[13])
{
    for (int attempt = 0; attempt < 100; attempt++) {
        if (cpw_sbx_random_chars(out, 12, "0123456789") != 0) {
            return -1;
        }
        if (out[0] == '0') {
            continue;
        }
        int rc = cpw_sbx_account_exists(ctx->db, out);
        if (rc <= 0) {
            return rc;
        }
    }
    return cpw_raise(CPW_ERR_INTERNAL, "no free account id");
}

/* The columns s_status_json reads: id, name, account id, requested, completed, failure reason. */
#define STATUS_SELECT                                                                              \
    "SELECT r.request_id, r.account_name, r.account_id, r.requested_ms, r.completed_ms, f.reason"  \
    " FROM org_create_requests r LEFT JOIN org_create_failures f ON f.request_id = r.request_id"

static const char *s_status_state(sqlite3_stmt *stmt, int64_t now_ms)
{
    if (sqlite3_column_int64(stmt, 4) > now_ms) {
        return "IN_PROGRESS";
    }
    return sqlite3_column_type(stmt, 5) == SQLITE_NULL ? "SUCCEEDED" : "FAILED";
}

static json_t *s_status_json(sqlite3_stmt *stmt, int64_t now_ms)
{
    const char *state = s_status_state(stmt, now_ms);
    json_t *st = json_pack("{s:s,s:s,s:s,s:o}", "Id", cpw_sbx_col(stmt, 0), "AccountName",
                           cpw_sbx_col(stmt, 1), "State", state, "RequestedTimestamp",
                           cpw_sbx_time_json(sqlite3_column_int64(stmt, 3)));
    if (strcmp(state, "IN_PROGRESS") != 0) {
        json_object_set_new(st, "CompletedTimestamp",
                            cpw_sbx_time_json(sqlite3_column_int64(stmt, 4)));
    }
    if (strcmp(state, "SUCCEEDED") == 0) {
        json_object_set_new(st, "AccountId", json_string(cpw_sbx_col(stmt, 2)));
    } else if (strcmp(state, "FAILED") == 0) {
        json_object_set_new(st, "FailureReason", json_string(cpw_sbx_col(stmt, 5)));
    }
    return st;
}

static int s_status_by_id(struct cpw_sbx_ctx *ctx, const char *org_id, const char *id, json_t **st)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, STATUS_SELECT " WHERE r.request_id = ? AND r.org_id = ?", "ss", id, org_id);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        *st = s_status_json(stmt, ctx->req->now_ms);
    }
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 400, "CreateAccountStatusNotFoundException",
                            "We can't find a create account request with the "
                            "CreateAccountRequestId that you specified.");
    }
    return rc < 0 ? -1 : 0;
}

static int s_create_account(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    int rc = cpw_org_need_management(ctx, &org);
    if (rc != 0) {
        return rc;
    }
    const char *name = cpw_sbx_in_str(input, "AccountName");
    const char *email = cpw_sbx_in_str(input, "Email");
    const char *role = cpw_sbx_in_str(input, "RoleName");
    if (name == NULL || email == NULL || strchr(email, '@') == NULL) {
        return cpw_sbx_fail(ctx, 400, "ConstraintViolationException",
                            "AccountName and a valid Email are required.");
    }
    char account_id[13];
    char request_id[40] = "car-";
    if (s_new_account_id(ctx, account_id) != 0 ||
        cpw_sbx_random_chars(request_id + 4, 32, CPW_SBX_LOWER_ALNUM) != 0) {
        return -1;
    }
    int64_t now = ctx->req->now_ms;
    int64_t done = now + ctx->sbx->create_account_delay_ms;
    /* AWS accepts the request and fails it: one AWS account per email address. */
    sqlite3_stmt *dup = cpw_sbx_sql_query(
      ctx->db, "SELECT 1 FROM accounts WHERE lower(email) = lower(?)", "s", email);
    int taken = dup ? cpw_sbx_sql_step(dup) : -1;
    cpw_sbx_sql_done(dup);
    if (taken < 0) {
        return -1;
    }
    if (taken == 1) {
        if (cpw_sbx_sql_do(ctx->db,
                           "INSERT INTO org_create_requests(request_id, org_id, account_name,"
                           " account_id, requested_ms, completed_ms, state)"
                           " VALUES (?, ?, ?, '', ?, ?, 'FAILED')",
                           "sssii", request_id, org.id, name, now, done) < 0 ||
            cpw_sbx_sql_do(ctx->db,
                           "INSERT INTO org_create_failures(request_id, reason)"
                           " VALUES (?, 'EMAIL_ALREADY_EXISTS')",
                           "s", request_id) < 0) {
            return -1;
        }
    } else if (cpw_sbx_account_create(ctx->db, account_id, name, email, now) != 0 ||
               s_add_member(ctx->db, cpw_sbx_ctx_partition(ctx), org.management, org.id,
                            org.root_id, account_id, role, "CREATED", now, done) != 0 ||
               cpw_sbx_sql_do(ctx->db,
                              "INSERT INTO org_create_requests(request_id, org_id, account_name,"
                              " account_id, requested_ms, completed_ms, state)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?)",
                              "ssssiis", request_id, org.id, name, account_id, now, done,
                              done <= now ? "SUCCEEDED" : "IN_PROGRESS") < 0 ||
               cpw_org_tag(ctx, account_id, json_object_get(input, "Tags")) != 0) {
        return -1;
    }
    json_t *status = NULL;
    rc = s_status_by_id(ctx, org.id, request_id, &status);
    if (rc != 0) {
        return rc;
    }
    if (taken == 0) {
        cpw_sbx_add_resource(ctx, "AWS::Organizations::Account", account_id);
    }
    *output = json_pack("{s:o}", "CreateAccountStatus", status);
    return 0;
}

static int s_describe_create_account_status(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    struct cpw_org org;
    int rc = cpw_org_need_reader(ctx, &org);
    if (rc != 0) {
        return rc;
    }
    json_t *status = NULL;
    rc = s_status_by_id(ctx, org.id, cpw_sbx_in_str(in, "CreateAccountRequestId"), &status);
    if (rc != 0) {
        return rc;
    }
    *out = json_pack("{s:o}", "CreateAccountStatus", status);
    return 0;
}

/* NextToken is the decimal offset of the next item. 0, or 1 with an AWS error. */
int cpw_org_paging(struct cpw_sbx_ctx *ctx, const json_t *input, int64_t *offset, int64_t *max)
{
    const char *token = cpw_sbx_in_str(input, "NextToken");
    uint64_t off = 0;
    if (token != NULL && cpw_span_to_u64(cpw_span_from_cstr(token), 1u << 30, &off) != 0) {
        cpw_error_clear();
        return cpw_sbx_fail(ctx, 400, "InvalidInputException",
                            "You specified an invalid value for nextToken.");
    }
    *offset = (int64_t)off;
    if (cpw_sbx_in_int(input, "MaxResults", CPW_ORG_LIST_MAX, max) != 0 || *max < 1 ||
        *max > CPW_ORG_LIST_MAX) {
        cpw_error_clear();
        return cpw_sbx_fail(ctx, 400, "InvalidInputException",
                            "MaxResults must be between 1 and %d.", CPW_ORG_LIST_MAX);
    }
    return 0;
}

/* The NextToken of a page that stopped at max items after offset (cpw_org_paging's token). */
void cpw_org_set_next_token(json_t *result, int64_t offset, int64_t max)
{
    char next[32];
    snprintf(next, sizeof(next), "%lld", (long long)offset + (long long)max);
    json_object_set_new(result, "NextToken", json_string(next));
}

int cpw_org_page(struct cpw_sbx_ctx *ctx,
                 const struct cpw_org *org,
                 sqlite3_stmt *stmt,
                 int64_t offset,
                 int64_t max,
                 const char *key,
                 cpw_org_row_fn *row,
                 json_t **out)
{
    if (stmt == NULL) {
        return -1;
    }
    json_t *list = json_array();
    json_t *result = json_pack("{s:o}", key, list);
    int rc;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        if ((int64_t)json_array_size(list) == max) {
            cpw_org_set_next_token(result, offset, max);
            break;
        }
        json_array_append_new(list, row(ctx, org, stmt));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(result);
        return -1;
    }
    *out = result;
    return 0;
}

static int s_list_roots(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    (void)input;
    struct cpw_org org;
    int rc = cpw_org_need_reader(ctx, &org);
    if (rc != 0) {
        return rc;
    }
    *output = json_pack("{s:[o]}", "Roots", cpw_org_root_json(ctx, &org));
    return 0;
}
/* ----- create account requests ------------------------------------------------------------- */

static int s_list_create_account_status(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **out)
{
    struct cpw_org org;
    int64_t offset = 0;
    int64_t max = CPW_ORG_LIST_MAX;
    int rc = cpw_org_need_reader(ctx, &org);
    if (rc == 0) {
        rc = cpw_org_paging(ctx, input, &offset, &max);
    }
    if (rc != 0) {
        return rc;
    }
    const json_t *states = json_object_get(input, "States");
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db,
                        STATUS_SELECT " WHERE r.org_id = ? ORDER BY r.requested_ms,"
                                      " r.request_id",
                        "s", org.id);
    if (stmt == NULL) {
        return -1;
    }
    json_t *list = json_array();
    json_t *result = json_pack("{s:o}", "CreateAccountStatuses", list);
    int64_t seen = 0;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        const char *state = s_status_state(stmt, ctx->req->now_ms);
        bool wanted = json_array_size(states) == 0;
        size_t i;
        const json_t *want;
        json_array_foreach(states, i, want)
        {
            wanted =
              wanted || (json_is_string(want) && strcmp(json_string_value(want), state) == 0);
        }
        if (!wanted || seen++ < offset) {
            continue;
        }
        if ((int64_t)json_array_size(list) == max) {
            cpw_org_set_next_token(result, offset, max);
            break;
        }
        json_array_append_new(list, s_status_json(stmt, ctx->req->now_ms));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(result);
        return -1;
    }
    *out = result;
    return 0;
}
static const struct cpw_sbx_op s_ops[] = {
    { "CreateOrganization", s_create_organization },
    { "DescribeOrganization", s_describe_organization },
    { "CreateAccount", s_create_account },
    { "DescribeCreateAccountStatus", s_describe_create_account_status },
    { "ListAccounts", cpw_org_list_accounts },
    { "ListRoots", s_list_roots },
    { "CreateOrganizationalUnit", cpw_org_create_ou },
    { "ListOrganizationalUnitsForParent", cpw_org_list_ous_for_parent },
    { "CreatePolicy", cpw_org_create_policy },
    { "AttachPolicy", cpw_org_attach_policy },
    { "ListPoliciesForTarget", cpw_org_list_policies_for_target },
    { "ListCreateAccountStatus", s_list_create_account_status },
    { "EnablePolicyType", cpw_org_enable_policy_type },
    { "DisablePolicyType", cpw_org_disable_policy_type },
    { "DescribePolicy", cpw_org_describe_policy },
    { "UpdatePolicy", cpw_org_update_policy },
    { "DeletePolicy", cpw_org_delete_policy },
    { "ListPolicies", cpw_org_list_policies },
    { "DetachPolicy", cpw_org_detach_policy },
    { "ListTargetsForPolicy", cpw_org_list_targets_for_policy },
    { "TagResource", cpw_org_tag_resource },
    { "UntagResource", cpw_org_untag_resource },
    { "ListTagsForResource", cpw_org_list_tags_for_resource },
    { "DescribeOrganizationalUnit", cpw_org_describe_ou },
    { "UpdateOrganizationalUnit", cpw_org_update_ou },
    { "DeleteOrganizationalUnit", cpw_org_delete_ou },
    { "ListParents", cpw_org_list_parents },
    { "ListChildren", cpw_org_list_children },
    { "ListAccountsForParent", cpw_org_list_accounts_for_parent },
    { "DescribeAccount", cpw_org_describe_account },
    { "CloseAccount", cpw_org_close_account },
    { "MoveAccount", cpw_org_move_account },
    { "RemoveAccountFromOrganization", cpw_org_remove_account },
    { "DeleteOrganization", cpw_org_delete_organization },
    { "EnableAWSServiceAccess", cpw_org_enable_service_access },
    { "DisableAWSServiceAccess", cpw_org_disable_service_access },
    { "ListAWSServiceAccessForOrganization", cpw_org_list_service_access },
    { "RegisterDelegatedAdministrator", cpw_org_register_admin },
    { "DeregisterDelegatedAdministrator", cpw_org_deregister_admin },
    { "ListDelegatedAdministrators", cpw_org_list_admins },
    { "ListDelegatedServicesForAccount", cpw_org_list_delegated_services },
    { "DescribeEffectivePolicy", cpw_org_describe_effective_policy },
};

const struct cpw_sbx_service cpw_sbx_organizations_service = {
    .signing_name = "organizations",
    .model_name = "organizations",
    .event_source = "organizations.amazonaws.com",
    .global = true,
    .ops = s_ops,
    .op_count = sizeof(s_ops) / sizeof(s_ops[0]),
    .schema_sql = s_schema,
};
