/*
 * organizations.c - AWS Organizations in the sandbox: one organization per management account,
 * member accounts made by CreateAccount (asynchronous, settled from timestamps), the root,
 * organizational units, and policies (stored and attachable; service control policies are NOT
 * enforced on other services yet).
 *
 * CreateAccount makes the account and its OrganizationAccountAccessRole (trusting the
 * management account's root, AdministratorAccess attached) at once; the request reports
 * IN_PROGRESS and ListAccounts hides the account until create_account_delay_ms has passed. An
 * email address another sandbox account already uses makes the request end FAILED with
 * EMAIL_ALREADY_EXISTS (no account is made), as on AWS.
 *
 * Only the management account may call the organization-management operations; a member gets
 * AccessDeniedException (delegated administrators are not modelled). DescribeOrganization is
 * open to every account of the organization, as on AWS.
 *
 * AWS's managed SCP FullAWSAccess (p-FullAWSAccess) exists in every organization and is attached
 * to the root, the management account and every OU and account made later.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/buf.h"
#include "cpw/error.h"
#include "sbx_service.h"

#define ACCESS_ROLE  "OrganizationAccountAccessRole"
#define ADMIN_POLICY "arn:aws:iam::aws:policy/AdministratorAccess"
#define LIST_MAX     20

#define FULL_ACCESS_ID "p-FullAWSAccess"
#define FULL_ACCESS_DOC                                                                            \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","           \
    "\"Resource\":\"*\"}]}"
#define SCP "SERVICE_CONTROL_POLICY"

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
   * type only when a row says 1. */
  "CREATE TABLE IF NOT EXISTS org_policy_types("
  " org_id TEXT NOT NULL, type TEXT NOT NULL, enabled INTEGER NOT NULL,"
  " PRIMARY KEY(org_id, type)) STRICT;"
  "CREATE TABLE IF NOT EXISTS org_tags("
  " resource_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
  " PRIMARY KEY(resource_id, key)) STRICT;"
  /* AWS's managed FullAWSAccess SCP, shared by every organization (org_id '*'). */
  "INSERT OR IGNORE INTO org_policies(policy_id, org_id, name, description, type, content)"
  " VALUES ('" FULL_ACCESS_ID "', '*', 'FullAWSAccess', 'Allows access to every operation',"
  " 'SERVICE_CONTROL_POLICY', '" FULL_ACCESS_DOC "');";

struct org {
    char id[40];
    char management[16];
    char root_id[40];
    char feature_set[32];
};

/* The caller's organization: 1 found, 0 none, -1. */
static int s_find_org(struct cpw_sbx_ctx *ctx, struct org *org)
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
static int s_need_org(struct cpw_sbx_ctx *ctx, struct org *org)
{
    int rc = s_find_org(ctx, org);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 400, "AWSOrganizationsNotInUseException",
                            "Your account is not a member of an organization.");
    }
    return rc < 0 ? -1 : 0;
}

static int s_need_management(struct cpw_sbx_ctx *ctx, struct org *org)
{
    int rc = s_need_org(ctx, org);
    if (rc == 0 && strcmp(org->management, ctx->req->caller->account_id) != 0) {
        return cpw_sbx_fail(ctx, 400, "AccessDeniedException",
                            "You don't have permissions to access this resource.");
    }
    return rc;
}

static json_t *s_org_json(struct cpw_sbx_ctx *ctx, const struct org *org)
{
    char arn[200];
    char account_arn[200];
    snprintf(arn, sizeof(arn), "arn:aws:organizations::%s:organization/%s", org->management,
             org->id);
    snprintf(account_arn, sizeof(account_arn), "arn:aws:organizations::%s:account/%s/%s",
             org->management, org->id, org->management);
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

/* Attaches FullAWSAccess to a new root, OU or account. */
static int s_attach_full_access(sqlite3 *db, const char *target)
{
    return cpw_sbx_sql_do(db,
                          "INSERT OR IGNORE INTO org_policy_targets(policy_id, target_id)"
                          " VALUES ('" FULL_ACCESS_ID "', ?)",
                          "s", target) < 0
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
        s_attach_full_access(db, root_id) != 0 ||
        s_attach_full_access(db, management_account) != 0) {
        return -1;
    }
    return 0;
}

/* Inserts the member row and its access role; joined_ms may lie in the future (CreateAccount). */
static int s_add_member(sqlite3 *db,
                        const char *management,
                        const char *org_id,
                        const char *root_id,
                        const char *account_id,
                        const char *role_name,
                        const char *method,
                        int64_t now_ms,
                        int64_t joined_ms)
{
    char trust[300];
    snprintf(trust, sizeof(trust),
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
             "{\"AWS\":\"arn:aws:iam::%s:root\"},\"Action\":\"sts:AssumeRole\"}]}",
             management);
    struct cpw_sbx_role_spec spec = {
        .account_id = account_id,
        .name = role_name ? role_name : ACCESS_ROLE,
        .trust_policy = trust,
        .now_ms = now_ms,
    };
    if (cpw_sbx_sql_do(db,
                       "INSERT INTO org_accounts(account_id, org_id, joined_ms, method, parent_id)"
                       " VALUES (?, ?, ?, ?, ?)",
                       "ssiss", account_id, org_id, joined_ms, method, root_id) < 0 ||
        s_attach_full_access(db, account_id) != 0) {
        return -1;
    }
    int rc = cpw_sbx_iam_insert_role(db, &spec);
    if (rc < 0 ||
        (rc == 0 && cpw_sbx_iam_attach_policy(db, account_id, spec.name, ADMIN_POLICY) != 0)) {
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
    return s_add_member(db, management_account, org_id, root_id, account_id, NULL, "CREATED",
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
    struct org org;
    if (s_find_org(ctx, &org) != 1) {
        return cpw_raise(CPW_ERR_INTERNAL, "organization not found after creation");
    }
    *output = json_pack("{s:o}", "Organization", s_org_json(ctx, &org));
    return 0;
}

static int s_describe_organization(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    (void)input;
    struct org org;
    int rc = s_need_org(ctx, &org);
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

/* Stores Tags [{Key, Value}] on an organization resource (CreateAccount, CreatePolicy, ...). */
static int s_tag(struct cpw_sbx_ctx *ctx, const char *resource, const json_t *tags)
{
    size_t i;
    const json_t *tag;
    json_array_foreach(tags, i, tag)
    {
        const char *key = cpw_sbx_in_str(tag, "Key");
        const char *value = cpw_sbx_in_str(tag, "Value");
        if (key != NULL && cpw_sbx_sql_do(ctx->db,
                                          "INSERT OR REPLACE INTO org_tags(resource_id, key, value)"
                                          " VALUES (?, ?, ?)",
                                          "sss", resource, key, value ? value : "") < 0) {
            return -1;
        }
    }
    return 0;
}

static int s_create_account(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct org org;
    int rc = s_need_management(ctx, &org);
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
               s_add_member(ctx->db, org.management, org.id, org.root_id, account_id, role,
                            "CREATED", now, done) != 0 ||
               cpw_sbx_sql_do(ctx->db,
                              "INSERT INTO org_create_requests(request_id, org_id, account_name,"
                              " account_id, requested_ms, completed_ms, state)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?)",
                              "ssssiis", request_id, org.id, name, account_id, now, done,
                              done <= now ? "SUCCEEDED" : "IN_PROGRESS") < 0 ||
               s_tag(ctx, account_id, json_object_get(input, "Tags")) != 0) {
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
    struct org org;
    int rc = s_need_management(ctx, &org);
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
static int s_paging(struct cpw_sbx_ctx *ctx, const json_t *input, int64_t *offset, int64_t *max)
{
    const char *token = cpw_sbx_in_str(input, "NextToken");
    uint64_t off = 0;
    if (token != NULL && cpw_span_to_u64(cpw_span_from_cstr(token), 1u << 30, &off) != 0) {
        cpw_error_clear();
        return cpw_sbx_fail(ctx, 400, "InvalidInputException",
                            "You specified an invalid value for nextToken.");
    }
    *offset = (int64_t)off;
    if (cpw_sbx_in_int(input, "MaxResults", LIST_MAX, max) != 0 || *max < 1 || *max > LIST_MAX) {
        cpw_error_clear();
        return cpw_sbx_fail(ctx, 400, "InvalidInputException",
                            "MaxResults must be between 1 and %d.", LIST_MAX);
    }
    return 0;
}

/* The NextToken of a page that stopped at max items after offset (s_paging's token). */
static void s_set_next_token(json_t *result, int64_t offset, int64_t max)
{
    char next[32];
    snprintf(next, sizeof(next), "%lld", (long long)offset + (long long)max);
    json_object_set_new(result, "NextToken", json_string(next));
}

static int s_list_accounts(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct org org;
    int64_t offset = 0;
    int64_t max = LIST_MAX;
    int rc = s_need_management(ctx, &org);
    if (rc == 0) {
        rc = s_paging(ctx, input, &offset, &max);
    }
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT a.account_id, c.name, c.email, a.method, a.joined_ms FROM org_accounts a"
      " JOIN accounts c ON c.account_id = a.account_id WHERE a.org_id = ? AND a.joined_ms <= ?"
      " ORDER BY a.joined_ms, a.account_id LIMIT ? OFFSET ?",
      "siii", org.id, ctx->req->now_ms, max + 1, offset);
    if (stmt == NULL) {
        return -1;
    }
    json_t *accounts = json_array();
    json_t *result = json_pack("{s:o}", "Accounts", accounts);
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        if ((int64_t)json_array_size(accounts) == max) {
            s_set_next_token(result, offset, max);
            break;
        }
        char arn[120];
        snprintf(arn, sizeof(arn), "arn:aws:organizations::%s:account/%s/%s", org.management,
                 org.id, cpw_sbx_col(stmt, 0));
        json_array_append_new(
          accounts,
          json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "Id", cpw_sbx_col(stmt, 0), "Arn", arn,
                    "Email", cpw_sbx_col(stmt, 2), "Name", cpw_sbx_col(stmt, 1), "Status", "ACTIVE",
                    "State", "ACTIVE", "JoinedMethod", cpw_sbx_col(stmt, 3), "JoinedTimestamp",
                    cpw_sbx_time_json(sqlite3_column_int64(stmt, 4))));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(result);
        return -1;
    }
    *output = result;
    return 0;
}

static const char *const s_policy_types[] = {
    SCP,
    "RESOURCE_CONTROL_POLICY",
    "TAG_POLICY",
    "BACKUP_POLICY",
    "AISERVICES_OPT_OUT_POLICY",
    "CHATBOT_POLICY",
    "DECLARATIVE_POLICY_EC2",
};

/* 1 when the root has the policy type enabled, 0 not, -1. */
static int s_type_enabled(struct cpw_sbx_ctx *ctx, const struct org *org, const char *type)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT enabled FROM org_policy_types WHERE org_id = ? AND type = ?", "ss", org->id,
      type);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    int enabled = rc == 1 ? sqlite3_column_int(stmt, 0) != 0 : strcmp(type, SCP) == 0;
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : enabled;
}

static json_t *s_root_json(struct cpw_sbx_ctx *ctx, const struct org *org)
{
    char arn[160];
    snprintf(arn, sizeof(arn), "arn:aws:organizations::%s:root/%s/%s", org->management, org->id,
             org->root_id);
    json_t *types = json_array();
    for (size_t i = 0; i < sizeof(s_policy_types) / sizeof(s_policy_types[0]); i++) {
        if (s_type_enabled(ctx, org, s_policy_types[i]) == 1) {
            json_array_append_new(
              types, json_pack("{s:s,s:s}", "Type", s_policy_types[i], "Status", "ENABLED"));
        }
    }
    return json_pack("{s:s,s:s,s:s,s:o}", "Id", org->root_id, "Arn", arn, "Name", "Root",
                     "PolicyTypes", types);
}

static int s_list_roots(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    (void)input;
    struct org org;
    int rc = s_need_management(ctx, &org);
    if (rc != 0) {
        return rc;
    }
    *output = json_pack("{s:[o]}", "Roots", s_root_json(ctx, &org));
    return 0;
}

/* EnablePolicyType / DisablePolicyType on the root. */
static int s_set_policy_type(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output, bool on)
{
    struct org org;
    int rc = s_need_management(ctx, &org);
    if (rc != 0) {
        return rc;
    }
    const char *root = cpw_sbx_in_str(input, "RootId");
    const char *type = cpw_sbx_in_str(input, "PolicyType");
    if (root == NULL || strcmp(root, org.root_id) != 0) {
        return cpw_sbx_fail(ctx, 400, "RootNotFoundException",
                            "We can't find a root with the RootId that you specified.");
    }
    if (type == NULL) {
        return cpw_sbx_fail(ctx, 400, "InvalidInputException",
                            "You provided a value that does not match the required pattern.");
    }
    rc = s_type_enabled(ctx, &org, type);
    if (rc < 0) {
        return -1;
    }
    if (on && rc == 1) {
        return cpw_sbx_fail(ctx, 400, "PolicyTypeAlreadyEnabledException",
                            "The specified policy type is already enabled.");
    }
    if (!on && rc == 0) {
        return cpw_sbx_fail(ctx, 400, "PolicyTypeNotEnabledException",
                            "This operation can be performed only for enabled policy types.");
    }
    /* Disabling a type detaches every policy of that type from every target. */
    if (cpw_sbx_sql_do(ctx->db,
                       "INSERT OR REPLACE INTO org_policy_types(org_id, type, enabled)"
                       " VALUES (?, ?, ?)",
                       "ssi", org.id, type, (int64_t)(on ? 1 : 0)) < 0 ||
        (!on && cpw_sbx_sql_do(ctx->db,
                               "DELETE FROM org_policy_targets WHERE policy_id IN (SELECT"
                               " policy_id FROM org_policies WHERE org_id IN (?, '*') AND"
                               " type = ?) AND target_id IN (SELECT ?3 UNION SELECT ou_id FROM"
                               " org_units WHERE org_id = ?1 UNION SELECT account_id FROM"
                               " org_accounts WHERE org_id = ?1)",
                               "sss", org.id, type, org.root_id) < 0) ||
        (on && strcmp(type, SCP) == 0 &&
         cpw_sbx_sql_do(ctx->db,
                        "INSERT OR IGNORE INTO org_policy_targets(policy_id, target_id)"
                        " SELECT '" FULL_ACCESS_ID "', ?2 UNION SELECT '" FULL_ACCESS_ID
                        "', ou_id FROM org_units WHERE org_id = ?1 UNION SELECT '" FULL_ACCESS_ID
                        "', account_id FROM org_accounts WHERE org_id = ?1",
                        "ss", org.id, org.root_id) < 0)) {
        return -1;
    }
    *output = json_pack("{s:o}", "Root", s_root_json(ctx, &org));
    return 0;
}

static int s_enable_policy_type(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_set_policy_type(ctx, input, output, true);
}

static int s_disable_policy_type(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_set_policy_type(ctx, input, output, false);
}

/* Whether id is the root, an OU or (accounts_too) an account of the organization. */
static int s_target_exists(struct cpw_sbx_ctx *ctx,
                           const struct org *org,
                           const char *id,
                           bool accounts_too)
{
    if (id == NULL) {
        return 0;
    }
    if (strcmp(id, org->root_id) == 0) {
        return 1;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      accounts_too ? "SELECT 1 FROM org_units WHERE org_id = ?1 AND ou_id = ?2 UNION ALL"
                     " SELECT 1 FROM org_accounts WHERE org_id = ?1 AND account_id = ?2"
                   : "SELECT 1 FROM org_units WHERE org_id = ?1 AND ou_id = ?2",
      "ss", org->id, id);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    cpw_sbx_sql_done(stmt);
    return rc;
}

/* 0 when parent is the root or an OU of org, else 1 (ParentNotFoundException) or -1. */
static int s_need_parent(struct cpw_sbx_ctx *ctx, const struct org *org, const char *parent)
{
    int rc = s_target_exists(ctx, org, parent, false);
    if (rc <= 0) {
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 400, "ParentNotFoundException",
                                     "We can't find a root or OU with the ParentId that you "
                                     "specified.");
    }
    return 0;
}

static int s_create_ou(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct org org;
    int rc = s_need_management(ctx, &org);
    if (rc != 0) {
        return rc;
    }
    const char *parent = cpw_sbx_in_str(input, "ParentId");
    const char *name = cpw_sbx_in_str(input, "Name");
    rc = s_need_parent(ctx, &org, parent);
    if (rc != 0) {
        return rc;
    }
    char ou_id[128];
    char suffix[9];
    if (cpw_sbx_random_chars(suffix, 8, CPW_SBX_LOWER_ALNUM) != 0) {
        return -1;
    }
    snprintf(ou_id, sizeof(ou_id), "ou-%s-%s", org.root_id + 2, suffix);
    if (cpw_sbx_sql_do(ctx->db,
                       "INSERT INTO org_units(ou_id, org_id, parent_id, name) VALUES (?,?,?,?)",
                       "ssss", ou_id, org.id, parent, name ? name : "") < 0 ||
        s_attach_full_access(ctx->db, ou_id) != 0 ||
        s_tag(ctx, ou_id, json_object_get(input, "Tags")) != 0) {
        return -1;
    }
    char arn[400];
    snprintf(arn, sizeof(arn), "arn:aws:organizations::%s:ou/%s/%s", org.management, org.id, ou_id);
    *output = json_pack("{s:{s:s,s:s,s:s}}", "OrganizationalUnit", "Id", ou_id, "Arn", arn, "Name",
                        name ? name : "");
    return 0;
}

static int s_list_ous_for_parent(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct org org;
    int rc = s_need_management(ctx, &org);
    if (rc != 0) {
        return rc;
    }
    const char *parent = cpw_sbx_in_str(input, "ParentId");
    rc = s_need_parent(ctx, &org, parent);
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT ou_id, name FROM org_units WHERE org_id = ?"
                                           " AND parent_id = ? ORDER BY ou_id",
                                           "ss", org.id, parent);
    if (stmt == NULL) {
        return -1;
    }
    json_t *list = json_array();
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        char arn[200];
        snprintf(arn, sizeof(arn), "arn:aws:organizations::%s:ou/%s/%s", org.management, org.id,
                 cpw_sbx_col(stmt, 0));
        json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "Id", cpw_sbx_col(stmt, 0), "Arn",
                                              arn, "Name", cpw_sbx_col(stmt, 1)));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(list);
        return -1;
    }
    *output = json_pack("{s:o}", "OrganizationalUnits", list);
    return 0;
}

/* ----- policies (stored, not enforced) ----------------------------------------------------- */

static json_t *s_policy_summary(sqlite3_stmt *stmt, const struct org *org)
{
    char arn[300];
    const char *type = cpw_sbx_col(stmt, 3);
    char type_lower[64];
    size_t i = 0;
    for (; type[i] != '\0' && i + 1 < sizeof(type_lower); i++) {
        type_lower[i] = (char)(type[i] >= 'A' && type[i] <= 'Z' ? type[i] + 32 : type[i]);
    }
    type_lower[i] = '\0';
    bool aws_managed = strcmp(cpw_sbx_col(stmt, 4), "*") == 0;
    if (aws_managed) {
        snprintf(arn, sizeof(arn), "arn:aws:organizations::aws:policy/%s/%s", type_lower,
                 cpw_sbx_col(stmt, 0));
    } else {
        snprintf(arn, sizeof(arn), "arn:aws:organizations::%s:policy/%s/%s/%s", org->management,
                 org->id, type_lower, cpw_sbx_col(stmt, 0));
    }
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "Id", cpw_sbx_col(stmt, 0), "Arn", arn, "Name",
                     cpw_sbx_col(stmt, 1), "Description", cpw_sbx_col(stmt, 2), "Type", type,
                     "AwsManaged", aws_managed);
}

static int s_create_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct org org;
    int rc = s_need_management(ctx, &org);
    if (rc != 0) {
        return rc;
    }
    const char *content = cpw_sbx_in_str(input, "Content");
    const char *name = cpw_sbx_in_str(input, "Name");
    const char *type = cpw_sbx_in_str(input, "Type");
    json_t *doc = content ? cpw_json_load_cstr(content) : NULL;
    bool ok = json_is_object(doc);
    json_decref(doc);
    if (!ok) {
        return cpw_sbx_fail(ctx, 400, "MalformedPolicyDocumentException",
                            "The provided policy document doesn't meet the requirements of the "
                            "specified policy type.");
    }
    sqlite3_stmt *dup =
      cpw_sbx_sql_query(ctx->db, "SELECT 1 FROM org_policies WHERE org_id IN (?, '*') AND name = ?",
                        "ss", org.id, name ? name : "");
    rc = dup ? cpw_sbx_sql_step(dup) : -1;
    cpw_sbx_sql_done(dup);
    if (rc != 0) {
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 400, "DuplicatePolicyException",
                                     "A policy with the same name already exists.");
    }
    char id[16] = "p-";
    if (cpw_sbx_random_chars(id + 2, 8, CPW_SBX_LOWER_ALNUM) != 0 ||
        cpw_sbx_sql_do(ctx->db,
                       "INSERT INTO org_policies(policy_id, org_id, name, description, type,"
                       " content) VALUES (?, ?, ?, ?, ?, ?)",
                       "ssssss", id, org.id, name ? name : "", cpw_sbx_in_str(input, "Description"),
                       type ? type : "SERVICE_CONTROL_POLICY", content) < 0 ||
        s_tag(ctx, id, json_object_get(input, "Tags")) != 0) {
        return -1;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT policy_id, name, description, type, org_id"
                                           " FROM org_policies WHERE policy_id = ?",
                                           "s", id);
    if (stmt == NULL || cpw_sbx_sql_step(stmt) != 1) {
        cpw_sbx_sql_done(stmt);
        return -1;
    }
    json_t *summary = s_policy_summary(stmt, &org);
    cpw_sbx_sql_done(stmt);
    cpw_sbx_add_resource(ctx, "AWS::Organizations::Policy", id);
    *output = json_pack("{s:{s:o,s:s}}", "Policy", "PolicySummary", summary, "Content", content);
    return 0;
}

static int s_attach_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct org org;
    int rc = s_need_management(ctx, &org);
    if (rc != 0) {
        return rc;
    }
    const char *policy = cpw_sbx_in_str(input, "PolicyId");
    const char *target = cpw_sbx_in_str(input, "TargetId");
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db,
                        "SELECT type FROM org_policies WHERE policy_id = ? AND org_id IN"
                        " (?, '*')",
                        "ss", policy, org.id);
    rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    char type[64] = "";
    if (rc == 1) {
        snprintf(type, sizeof(type), "%s", cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    if (rc <= 0) {
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 400, "PolicyNotFoundException",
                                     "We can't find a policy with the PolicyId that you "
                                     "specified.");
    }
    rc = s_type_enabled(ctx, &org, type);
    if (rc <= 0) {
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 400, "PolicyTypeNotEnabledException",
                                     "This operation can be performed only for enabled policy "
                                     "types.");
    }
    rc = s_target_exists(ctx, &org, target, true);
    if (rc <= 0) {
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 400, "TargetNotFoundException",
                                     "We can't find a root, OU, account, or email with the "
                                     "TargetId that you specified.");
    }
    int n = cpw_sbx_sql_do(ctx->db,
                           "INSERT OR IGNORE INTO org_policy_targets(policy_id, target_id)"
                           " VALUES (?, ?)",
                           "ss", policy, target);
    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        return cpw_sbx_fail(ctx, 400, "DuplicatePolicyAttachmentException",
                            "The selected policy is already attached to the specified target.");
    }
    cpw_sbx_add_resource(ctx, "AWS::Organizations::Policy", policy);
    *output = json_object();
    return 0;
}

static int s_list_policies_for_target(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **out)
{
    struct org org;
    int rc = s_need_management(ctx, &org);
    if (rc != 0) {
        return rc;
    }
    const char *target = cpw_sbx_in_str(input, "TargetId");
    const char *filter = cpw_sbx_in_str(input, "Filter");
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT p.policy_id, p.name, p.description, p.type, p.org_id FROM org_policies p"
      " JOIN org_policy_targets t ON t.policy_id = p.policy_id WHERE p.org_id IN (?, '*')"
      " AND t.target_id = ? AND (? IS NULL OR p.type = ?3) ORDER BY p.org_id <> '*', p.policy_id",
      "sss", org.id, target, filter);
    if (stmt == NULL) {
        return -1;
    }
    json_t *list = json_array();
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        json_array_append_new(list, s_policy_summary(stmt, &org));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(list);
        return -1;
    }
    *out = json_pack("{s:o}", "Policies", list);
    return 0;
}

#define POLICY_SELECT "SELECT policy_id, name, description, type, org_id, content FROM org_policies"

/* The policy id of org (or AWS managed) as {PolicySummary, Content}: 0, 1 (AWS error), -1. */
static int s_load_policy(struct cpw_sbx_ctx *ctx,
                         const struct org *org,
                         const char *id,
                         json_t **policy,
                         bool *aws_managed)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, POLICY_SELECT " WHERE policy_id = ? AND org_id IN (?, '*')", "ss", id, org->id);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        *aws_managed = strcmp(cpw_sbx_col(stmt, 4), "*") == 0;
        *policy = json_pack("{s:o,s:s}", "PolicySummary", s_policy_summary(stmt, org), "Content",
                            cpw_sbx_col(stmt, 5));
    }
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 400, "PolicyNotFoundException",
                            "We can't find a policy with the PolicyId that you specified.");
    }
    return rc < 0 ? -1 : 0;
}

static int s_describe_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct org org;
    bool managed = false;
    json_t *policy = NULL;
    int rc = s_need_management(ctx, &org);
    if (rc == 0) {
        rc = s_load_policy(ctx, &org, cpw_sbx_in_str(input, "PolicyId"), &policy, &managed);
    }
    if (rc != 0) {
        return rc;
    }
    *output = json_pack("{s:o}", "Policy", policy);
    return 0;
}

static int s_update_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct org org;
    bool managed = false;
    json_t *policy = NULL;
    const char *id = cpw_sbx_in_str(input, "PolicyId");
    int rc = s_need_management(ctx, &org);
    if (rc == 0) {
        rc = s_load_policy(ctx, &org, id, &policy, &managed);
    }
    if (rc != 0) {
        return rc;
    }
    json_decref(policy);
    if (managed) {
        return cpw_sbx_fail(ctx, 400, "PolicyChangesNotAllowedException",
                            "Changes to the specified policy are not allowed.");
    }
    const char *content = cpw_sbx_in_str(input, "Content");
    if (content != NULL) {
        json_t *doc = cpw_json_load_cstr(content);
        bool ok = json_is_object(doc);
        json_decref(doc);
        if (!ok) {
            return cpw_sbx_fail(ctx, 400, "MalformedPolicyDocumentException",
                                "The provided policy document doesn't meet the requirements of "
                                "the specified policy type.");
        }
    }
    const char *name = cpw_sbx_in_str(input, "Name");
    if (name != NULL) {
        sqlite3_stmt *dup = cpw_sbx_sql_query(ctx->db,
                                              "SELECT 1 FROM org_policies WHERE org_id IN (?, '*')"
                                              " AND name = ? AND policy_id <> ?",
                                              "sss", org.id, name, id);
        rc = dup ? cpw_sbx_sql_step(dup) : -1;
        cpw_sbx_sql_done(dup);
        if (rc != 0) {
            return rc < 0 ? -1
                          : cpw_sbx_fail(ctx, 400, "DuplicatePolicyException",
                                         "A policy with the same name already exists.");
        }
    }
    if (cpw_sbx_sql_do(ctx->db,
                       "UPDATE org_policies SET name = coalesce(?, name), description ="
                       " coalesce(?, description), content = coalesce(?, content)"
                       " WHERE policy_id = ?",
                       "ssss", name, cpw_sbx_in_str(input, "Description"), content, id) < 0 ||
        s_load_policy(ctx, &org, id, &policy, &managed) != 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::Organizations::Policy", id);
    *output = json_pack("{s:o}", "Policy", policy);
    return 0;
}

static int s_delete_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct org org;
    bool managed = false;
    json_t *policy = NULL;
    const char *id = cpw_sbx_in_str(input, "PolicyId");
    int rc = s_need_management(ctx, &org);
    if (rc == 0) {
        rc = s_load_policy(ctx, &org, id, &policy, &managed);
    }
    if (rc != 0) {
        return rc;
    }
    json_decref(policy);
    if (managed) {
        return cpw_sbx_fail(ctx, 400, "PolicyChangesNotAllowedException",
                            "Changes to the specified policy are not allowed.");
    }
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db, "SELECT 1 FROM org_policy_targets WHERE policy_id = ?", "s", id);
    rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    cpw_sbx_sql_done(stmt);
    if (rc != 0) {
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 400, "PolicyInUseException",
                                     "The policy is attached to one or more entities. You must "
                                     "detach it from all roots, OUs, and accounts before "
                                     "performing this operation.");
    }
    if (cpw_sbx_sql_do(ctx->db, "DELETE FROM org_policies WHERE policy_id = ?", "s", id) < 0 ||
        cpw_sbx_sql_do(ctx->db, "DELETE FROM org_tags WHERE resource_id = ?", "s", id) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::Organizations::Policy", id);
    *output = json_object();
    return 0;
}

/* Runs stmt (summary columns) into {Key: [...], NextToken} from offset, at most max items. */
static int s_page_policies(sqlite3_stmt *stmt,
                           const struct org *org,
                           int64_t offset,
                           int64_t max,
                           const char *key,
                           json_t **out)
{
    json_t *list = json_array();
    json_t *result = json_pack("{s:o}", key, list);
    int rc;
    int64_t seen = 0;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        if (seen++ < offset) {
            continue;
        }
        if ((int64_t)json_array_size(list) == max) {
            s_set_next_token(result, offset, max);
            break;
        }
        json_array_append_new(list, s_policy_summary(stmt, org));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(result);
        return -1;
    }
    *out = result;
    return 0;
}

static int s_list_policies(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct org org;
    int64_t offset = 0;
    int64_t max = LIST_MAX;
    int rc = s_need_management(ctx, &org);
    if (rc == 0) {
        rc = s_paging(ctx, input, &offset, &max);
    }
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      POLICY_SELECT " WHERE org_id IN (?, '*') AND type = ? ORDER BY org_id <> '*',"
                    " policy_id",
      "ss", org.id, cpw_sbx_in_str(input, "Filter"));
    return stmt == NULL ? -1 : s_page_policies(stmt, &org, offset, max, "Policies", output);
}

static int s_detach_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct org org;
    bool managed = false;
    json_t *policy = NULL;
    const char *id = cpw_sbx_in_str(input, "PolicyId");
    const char *target = cpw_sbx_in_str(input, "TargetId");
    int rc = s_need_management(ctx, &org);
    if (rc == 0) {
        rc = s_load_policy(ctx, &org, id, &policy, &managed);
    }
    if (rc != 0) {
        return rc;
    }
    json_decref(policy);
    rc = s_target_exists(ctx, &org, target, true);
    if (rc <= 0) {
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 400, "TargetNotFoundException",
                                     "We can't find a root, OU, account, or email with the "
                                     "TargetId that you specified.");
    }
    int n = cpw_sbx_sql_do(ctx->db,
                           "DELETE FROM org_policy_targets WHERE policy_id = ? AND target_id = ?",
                           "ss", id, target);
    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        return cpw_sbx_fail(ctx, 400, "PolicyNotAttachedException",
                            "The policy isn't attached to the specified target in the specified "
                            "root.");
    }
    cpw_sbx_add_resource(ctx, "AWS::Organizations::Policy", id);
    *output = json_object();
    return 0;
}

static int s_list_targets_for_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **out)
{
    struct org org;
    bool managed = false;
    json_t *policy = NULL;
    int64_t offset = 0;
    int64_t max = LIST_MAX;
    const char *id = cpw_sbx_in_str(input, "PolicyId");
    int rc = s_need_management(ctx, &org);
    if (rc == 0) {
        rc = s_load_policy(ctx, &org, id, &policy, &managed);
    }
    if (rc == 0) {
        json_decref(policy);
        rc = s_paging(ctx, input, &offset, &max);
    }
    if (rc != 0) {
        return rc;
    }
    /* Kind 0 root, 1 OU, 2 account; only targets of the caller's organization; by kind, then name
     * (ids are random: two sandboxes built alike list them alike). */
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT t.target_id, 0, 'Root' FROM org_policy_targets t WHERE t.policy_id = ?1 AND"
      " t.target_id = ?3 UNION ALL SELECT t.target_id, 1, u.name FROM org_policy_targets t JOIN"
      " org_units u ON u.ou_id = t.target_id WHERE t.policy_id = ?1 AND u.org_id = ?2 UNION ALL"
      " SELECT t.target_id, 2, c.name FROM org_policy_targets t JOIN org_accounts a ON"
      " a.account_id = t.target_id JOIN accounts c ON c.account_id = a.account_id WHERE"
      " t.policy_id = ?1 AND a.org_id = ?2 ORDER BY 2, 3, 1 LIMIT ?4 OFFSET ?5",
      "sssii", id, org.id, org.root_id, max + 1, offset);
    if (stmt == NULL) {
        return -1;
    }
    static const char *const kinds[] = { "ROOT", "ORGANIZATIONAL_UNIT", "ACCOUNT" };
    static const char *const arn_kinds[] = { "root", "ou", "account" };
    json_t *list = json_array();
    json_t *result = json_pack("{s:o}", "Targets", list);
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        if ((int64_t)json_array_size(list) == max) {
            s_set_next_token(result, offset, max);
            break;
        }
        int kind = sqlite3_column_int(stmt, 1);
        kind = kind < 0 || kind > 2 ? 2 : kind;
        char arn[300];
        snprintf(arn, sizeof(arn), "arn:aws:organizations::%s:%s/%s/%s", org.management,
                 arn_kinds[kind], org.id, cpw_sbx_col(stmt, 0));
        json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s}", "TargetId", cpw_sbx_col(stmt, 0),
                                              "Arn", arn, "Name", cpw_sbx_col(stmt, 2), "Type",
                                              kinds[kind]));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(result);
        return -1;
    }
    *out = result;
    return 0;
}

/* ----- create account requests ------------------------------------------------------------- */

static int s_list_create_account_status(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **out)
{
    struct org org;
    int64_t offset = 0;
    int64_t max = LIST_MAX;
    int rc = s_need_management(ctx, &org);
    if (rc == 0) {
        rc = s_paging(ctx, input, &offset, &max);
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
            s_set_next_token(result, offset, max);
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

/* ----- tags -------------------------------------------------------------------------------- */

/* 0 when id is the root, an OU, an account or a policy (not AWS managed) of org; 1; -1. */
static int s_need_taggable(struct cpw_sbx_ctx *ctx, const struct org *org, const char *id)
{
    int rc = s_target_exists(ctx, org, id, true);
    if (rc == 0 && id != NULL) {
        sqlite3_stmt *stmt = cpw_sbx_sql_query(
          ctx->db, "SELECT 1 FROM org_policies WHERE policy_id = ? AND org_id = ?", "ss", id,
          org->id);
        rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
        cpw_sbx_sql_done(stmt);
    }
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 400, "TargetNotFoundException",
                            "We can't find a root, OU, account, or email with the TargetId that "
                            "you specified.");
    }
    return rc < 0 ? -1 : 0;
}

static int s_tag_resource(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct org org;
    const char *id = cpw_sbx_in_str(input, "ResourceId");
    int rc = s_need_management(ctx, &org);
    if (rc == 0) {
        rc = s_need_taggable(ctx, &org, id);
    }
    if (rc != 0) {
        return rc;
    }
    if (s_tag(ctx, id, json_object_get(input, "Tags")) != 0) {
        return -1;
    }
    *output = json_object();
    return 0;
}

static int s_untag_resource(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct org org;
    const char *id = cpw_sbx_in_str(input, "ResourceId");
    int rc = s_need_management(ctx, &org);
    if (rc == 0) {
        rc = s_need_taggable(ctx, &org, id);
    }
    if (rc != 0) {
        return rc;
    }
    size_t i;
    const json_t *key;
    json_array_foreach(json_object_get(input, "TagKeys"), i, key)
    {
        if (json_is_string(key) &&
            cpw_sbx_sql_do(ctx->db, "DELETE FROM org_tags WHERE resource_id = ? AND key = ?", "ss",
                           id, json_string_value(key)) < 0) {
            return -1;
        }
    }
    *output = json_object();
    return 0;
}

static int s_list_tags_for_resource(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct org org;
    const char *id = cpw_sbx_in_str(input, "ResourceId");
    int64_t offset = 0;
    int64_t max = LIST_MAX;
    int rc = s_need_management(ctx, &org);
    if (rc == 0) {
        rc = s_need_taggable(ctx, &org, id);
    }
    if (rc == 0) {
        rc = s_paging(ctx, input, &offset, &max);
    }
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT key, value FROM org_tags WHERE resource_id = ?"
                                           " ORDER BY key LIMIT ? OFFSET ?",
                                           "sii", id, max + 1, offset);
    if (stmt == NULL) {
        return -1;
    }
    json_t *list = json_array();
    json_t *result = json_pack("{s:o}", "Tags", list);
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        if ((int64_t)json_array_size(list) == max) {
            s_set_next_token(result, offset, max);
            break;
        }
        json_array_append_new(
          list, json_pack("{s:s,s:s}", "Key", cpw_sbx_col(stmt, 0), "Value", cpw_sbx_col(stmt, 1)));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(result);
        return -1;
    }
    *output = result;
    return 0;
}

static const struct cpw_sbx_op s_ops[] = {
    { "CreateOrganization", s_create_organization },
    { "DescribeOrganization", s_describe_organization },
    { "CreateAccount", s_create_account },
    { "DescribeCreateAccountStatus", s_describe_create_account_status },
    { "ListAccounts", s_list_accounts },
    { "ListRoots", s_list_roots },
    { "CreateOrganizationalUnit", s_create_ou },
    { "ListOrganizationalUnitsForParent", s_list_ous_for_parent },
    { "CreatePolicy", s_create_policy },
    { "AttachPolicy", s_attach_policy },
    { "ListPoliciesForTarget", s_list_policies_for_target },
    { "ListCreateAccountStatus", s_list_create_account_status },
    { "EnablePolicyType", s_enable_policy_type },
    { "DisablePolicyType", s_disable_policy_type },
    { "DescribePolicy", s_describe_policy },
    { "UpdatePolicy", s_update_policy },
    { "DeletePolicy", s_delete_policy },
    { "ListPolicies", s_list_policies },
    { "DetachPolicy", s_detach_policy },
    { "ListTargetsForPolicy", s_list_targets_for_policy },
    { "TagResource", s_tag_resource },
    { "UntagResource", s_untag_resource },
    { "ListTagsForResource", s_list_tags_for_resource },
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
