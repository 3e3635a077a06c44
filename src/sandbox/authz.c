/*
 * authz.c - authorization of every signed sandbox request, as AWS documents its policy
 * evaluation logic (IAM User Guide, "Policy evaluation logic").
 *
 * For the caller of a request this module gathers the policies that apply from the store: an IAM
 * user's inline and attached managed policies and those of its groups, an assumed role's inline
 * and managed policies and the session policies given to AssumeRole (stored with the temporary
 * credentials), the user's or role's permissions boundary, and the SCPs of every level on the
 * path from the organization's root to the account (the management account is exempt; SCPs
 * apply only while the root has the SERVICE_CONTROL_POLICY type enabled). The root user of an
 * account needs no identity policy. With the request's condition keys the engine of the aws
 * layer (cpw/iam_policy.h) decides, and a denial answers in the service's own wire format with
 * AWS's message naming the policy type.
 *
 * Cost: parsed policies and prepared statements come from authz_cache.c, so a request costs a
 * handful of indexed SQL reads and one evaluation; nothing is parsed again while the documents
 * stay the same.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/iam_policy.h"
#include "cpw/json.h"
#include "sbx_authz.h"
#include "sbx_contact.h"
#include "sbx_service.h"

#define POLICY_TEXT_MAX (CPW_IAM_POLICY_MAX_BYTES)
#define OU_DEPTH_MAX    8 /* AWS allows five levels of OUs under the root */

/* ----- gathering the policies -------------------------------------------------------------- */

void cpw_sbx_authz_set_release(struct cpw_sbx_authz_set *set)
{
    for (size_t i = 0; i < set->held_count; i++) {
        cpw_sbx_authz_release(set->cache, set->held[i]);
    }
    set->held_count = 0;
}

/* Adds the parsed (type, id, text) to list (one of set's arrays). Unparsable texts are skipped. */
static int s_add_keyed(struct cpw_sbx_authz_set *set,
                       enum cpw_iam_policy_type type,
                       const char *id,
                       const char *key,
                       sqlite3_stmt *stmt,
                       const char *text,
                       const struct cpw_iam_policy **list,
                       size_t *count,
                       size_t cap)
{
    if (*count >= cap || set->held_count >= CPW_SBX_AUTHZ_MAX_HELD) {
        return cpw_raise(CPW_ERR_LIMIT, "more than %zu policies apply to one request", cap);
    }
    struct cpw_sbx_authz_entry *e = cpw_sbx_authz_acquire(set->cache, type, id, key, stmt, text);
    if (e == NULL) {
        return cpw_raise(CPW_ERR_LIMIT, "policy cache full");
    }
    set->held[set->held_count++] = e;
    if (e->policy != NULL) {
        list[(*count)++] = e->policy;
    }
    return 0;
}

static int s_add(struct cpw_sbx_authz_set *set,
                 enum cpw_iam_policy_type type,
                 const char *id,
                 const char *text,
                 const struct cpw_iam_policy **list,
                 size_t *count,
                 size_t cap)
{
    return s_add_keyed(set, type, id, text, NULL, text, list, count, cap);
}

int cpw_sbx_authz_managed_document(struct cpw_sbx_ctx *ctx, const char *arn, struct cpw_buf *out)
{
    const struct cpw_sbx_aws_policy *aws = cpw_sbx_aws_policy_find(arn);
    if (aws != NULL) {
        return cpw_buf_append_cstr(out, aws->document) == 0 ? 1 : -1;
    }
    sqlite3_stmt *stmt = cpw_sbx_authz_query(
      ctx,
      "SELECT v.document FROM iam_policies p JOIN iam_policy_versions v ON"
      " v.account_id = p.account_id AND v.policy_name = p.name AND v.version_id ="
      " p.default_version WHERE p.arn = ?",
      "s", arn);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1 && cpw_buf_append_cstr(out, cpw_sbx_col(stmt, 0)) != 0) {
        rc = -1;
    }
    cpw_sbx_authz_finish(ctx, stmt);
    return rc;
}

/*
 * Adds the managed policy arn (skipped when it no longer exists). The cache key is the policy's
 * identity and default version, not its text: an AWS managed document is static, and a customer
 * managed version never changes (a new document is a new version; a policy made again under the
 * same name has a new policy id), so a hit costs one indexed read and no copy of the document.
 */
static int s_add_managed(struct cpw_sbx_ctx *ctx,
                         struct cpw_sbx_authz_set *set,
                         enum cpw_iam_policy_type type,
                         const char *arn,
                         const struct cpw_iam_policy **list,
                         size_t *count,
                         size_t cap)
{
    const struct cpw_sbx_aws_policy *aws = cpw_sbx_aws_policy_find(arn);
    if (aws != NULL) {
        return s_add_keyed(set, type, arn, aws->version_id, NULL, aws->document, list, count, cap);
    }
    sqlite3_stmt *stmt = cpw_sbx_authz_query(
      ctx,
      "SELECT p.policy_id || ':' || p.default_version, v.document FROM iam_policies p JOIN"
      " iam_policy_versions v ON v.account_id = p.account_id AND v.policy_name = p.name AND"
      " v.version_id = p.default_version WHERE p.arn = ?",
      "s", arn);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        rc = s_add_keyed(set, type, arn, cpw_sbx_col(stmt, 0), stmt, NULL, list, count, cap);
    }
    cpw_sbx_authz_finish(ctx, stmt);
    return rc < 0 ? -1 : 0;
}

/*
 * Runs sql (two text parameters) whose rows are (id, text, is_arn): inline documents when is_arn
 * is 0, managed policy ARNs when 1. Adds each to list.
 */
static int s_add_rows(struct cpw_sbx_ctx *ctx,
                      struct cpw_sbx_authz_set *set,
                      enum cpw_iam_policy_type type,
                      const char *sql,
                      const char *a,
                      const char *b,
                      const struct cpw_iam_policy **list,
                      size_t *count,
                      size_t cap)
{
    sqlite3_stmt *stmt = cpw_sbx_authz_query(ctx, sql, "ss", a, b);
    if (stmt == NULL) {
        return -1;
    }
    int rc;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        const char *id = cpw_sbx_col(stmt, 0);
        int is_arn = sqlite3_column_int(stmt, 2);
        rc = is_arn ? s_add_managed(ctx, set, type, id, list, count, cap)
                    : s_add(set, type, id, cpw_sbx_col(stmt, 1), list, count, cap);
        if (rc != 0) {
            break;
        }
    }
    cpw_sbx_authz_finish(ctx, stmt);
    return rc < 0 ? -1 : 0;
}

static const char s_user_identity_sql[] =
  "SELECT policy_name, document, 0 FROM iam_user_inline WHERE account_id = ?1 AND user_name = ?2"
  " UNION ALL SELECT policy_arn, '', 1 FROM iam_user_attached WHERE account_id = ?1 AND"
  " user_name = ?2"
  " UNION ALL SELECT i.policy_name, i.document, 0 FROM iam_group_members m JOIN iam_group_inline"
  " i ON i.account_id = m.account_id AND i.group_name = m.group_name WHERE m.account_id = ?1 AND"
  " m.user_name = ?2"
  " UNION ALL SELECT g.policy_arn, '', 1 FROM iam_group_members m JOIN iam_group_attached g ON"
  " g.account_id = m.account_id AND g.group_name = m.group_name WHERE m.account_id = ?1 AND"
  " m.user_name = ?2";

static const char s_role_identity_sql[] =
  "SELECT policy_name, document, 0 FROM iam_role_inline WHERE account_id = ?1 AND role_name = ?2"
  " UNION ALL SELECT policy_arn, '', 1 FROM iam_role_attached WHERE account_id = ?1 AND"
  " role_name = ?2";

/* The SCP levels of account (root first): none outside an organization or when SCPs are off. */
static int s_add_scps(struct cpw_sbx_ctx *ctx, struct cpw_sbx_authz_set *set, const char *account)
{
    sqlite3_stmt *stmt = cpw_sbx_authz_query(
      ctx,
      "SELECT o.org_id, o.management_account_id, o.root_id, a.parent_id, o.feature_set,"
      " COALESCE((SELECT enabled FROM org_policy_types t WHERE t.org_id = o.org_id AND"
      " t.type = 'SERVICE_CONTROL_POLICY'), 1)"
      " FROM org_accounts a JOIN org_organizations o ON o.org_id = a.org_id"
      " WHERE a.account_id = ?",
      "s", account);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    char path[OU_DEPTH_MAX + 2][72];
    size_t depth = 0;
    bool applies = false;
    if (rc == 1) {
        snprintf(set->org_id, sizeof(set->org_id), "%s", cpw_sbx_col(stmt, 0));
        set->management_account = strcmp(cpw_sbx_col(stmt, 1), account) == 0;
        applies = strcmp(cpw_sbx_col(stmt, 4), "ALL") == 0 && sqlite3_column_int(stmt, 5) != 0;
        snprintf(path[depth++], sizeof(path[0]), "%s", account);
        snprintf(path[depth++], sizeof(path[0]), "%s", cpw_sbx_col(stmt, 3));
    }
    cpw_sbx_authz_finish(ctx, stmt);
    if (rc <= 0 || !applies) {
        return rc < 0 ? -1 : 0;
    }
    /* Walk up from the account's parent to the root. */
    while (strncmp(path[depth - 1], "ou-", 3) == 0 && depth < OU_DEPTH_MAX + 2) {
        stmt = cpw_sbx_authz_query(ctx, "SELECT parent_id FROM org_units WHERE ou_id = ?", "s",
                                   path[depth - 1]);
        rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
        if (rc == 1) {
            snprintf(path[depth], sizeof(path[0]), "%s", cpw_sbx_col(stmt, 0));
        }
        cpw_sbx_authz_finish(ctx, stmt);
        if (rc <= 0) {
            return rc < 0 ? -1 : 0;
        }
        depth++;
    }
    for (size_t d = depth; d-- > 0 && set->scp_level_count < CPW_SBX_AUTHZ_MAX_LEVELS;) {
        size_t level = set->scp_level_count++;
        snprintf(set->scp_targets[level], sizeof(set->scp_targets[0]), "%s", path[d]);
        set->scp_counts[level] = 0;
        stmt = cpw_sbx_authz_query(ctx,
                                   "SELECT p.policy_id, p.content FROM org_policy_targets t JOIN"
                                   " org_policies p ON p.policy_id = t.policy_id WHERE"
                                   " t.target_id = ? AND p.type = 'SERVICE_CONTROL_POLICY'"
                                   " ORDER BY p.policy_id",
                                   "s", path[d]);
        if (stmt == NULL) {
            return -1;
        }
        while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
            if (s_add(set, CPW_IAM_POLICY_SCP, cpw_sbx_col(stmt, 0), cpw_sbx_col(stmt, 1),
                      set->scp[level], &set->scp_counts[level], CPW_SBX_AUTHZ_MAX_PER_LEVEL) != 0) {
                rc = -1;
                break;
            }
        }
        cpw_sbx_authz_finish(ctx, stmt);
        if (rc < 0) {
            return -1;
        }
    }
    return 0;
}

/* The boundary of a user or role (kind "user" / "role"). */
static int s_add_boundary(struct cpw_sbx_ctx *ctx,
                          struct cpw_sbx_authz_set *set,
                          bool role,
                          const char *account,
                          const char *name)
{
    sqlite3_stmt *stmt = cpw_sbx_authz_query(
      ctx,
      role ? "SELECT policy_arn FROM authz_role_boundary WHERE account_id = ? AND role_name = ?"
           : "SELECT policy_arn FROM authz_user_boundary WHERE account_id = ? AND user_name = ?",
      "ss", account, name);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    char arn[512] = "";
    if (rc == 1) {
        snprintf(arn, sizeof(arn), "%s", cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_authz_finish(ctx, stmt);
    if (rc == 1) {
        set->has_boundary = true;
        return s_add_managed(ctx, set, CPW_IAM_POLICY_BOUNDARY, arn, set->boundary,
                             &set->boundary_count, CPW_SBX_AUTHZ_MAX_BOUNDARY);
    }
    return rc < 0 ? -1 : 0;
}

/* The session policies stored with access_key_id. */
static int s_add_session(struct cpw_sbx_ctx *ctx, struct cpw_sbx_authz_set *set, const char *key)
{
    sqlite3_stmt *stmt = cpw_sbx_authz_query(
      ctx, "SELECT policy, policy_arns FROM authz_sessions WHERE access_key_id = ?", "s", key);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    json_t *arns = NULL;
    if (rc == 1) {
        set->has_session = true;
        if (sqlite3_column_type(stmt, 0) != SQLITE_NULL &&
            s_add(set, CPW_IAM_POLICY_SESSION, "session-policy", cpw_sbx_col(stmt, 0), set->session,
                  &set->session_count, CPW_SBX_AUTHZ_MAX_SESSION) != 0) {
            rc = -1;
        }
        arns = cpw_json_load_cstr(cpw_sbx_col(stmt, 1));
    }
    cpw_sbx_authz_finish(ctx, stmt);
    size_t i;
    json_t *arn;
    json_array_foreach(arns, i, arn)
    {
        if (rc >= 0 &&
            s_add_managed(ctx, set, CPW_IAM_POLICY_SESSION, json_string_value(arn), set->session,
                          &set->session_count, CPW_SBX_AUTHZ_MAX_SESSION) != 0) {
            rc = -1;
        }
    }
    json_decref(arns);
    return rc < 0 ? -1 : 0;
}

/*
 * A GetFederationToken session (sts.c records its user): the user's policies and boundary,
 * limited by the session policies, which are always a guard (none given: no permissions, as
 * AWS documents). A root user's session gets no identity policy here, so it is refused.
 */
static int s_add_federated(struct cpw_sbx_ctx *ctx,
                           struct cpw_sbx_authz_set *set,
                           const struct cpw_sbx_authz_subject *subject)
{
    set->has_session = true;
    sqlite3_stmt *stmt =
      cpw_sbx_authz_query(ctx, "SELECT user_name FROM sts_federated_users WHERE access_key_id = ?",
                          "s", subject->access_key_id);
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    char user[128] = "";
    if (rc == 1 && sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
        snprintf(user, sizeof(user), "%s", cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_authz_finish(ctx, stmt);
    rc = rc < 0 ? -1 : 0;
    if (rc == 0 && user[0] != '\0') {
        rc = s_add_rows(ctx, set, CPW_IAM_POLICY_IDENTITY, s_user_identity_sql, subject->account,
                        user, set->identity, &set->identity_count, CPW_SBX_AUTHZ_MAX_IDENTITY);
    }
    if (rc == 0 && user[0] != '\0') {
        rc = s_add_boundary(ctx, set, false, subject->account, user);
    }
    if (rc == 0) {
        rc = s_add_session(ctx, set, subject->access_key_id);
    }
    return rc;
}

int cpw_sbx_authz_subject_parse(const char *principal_arn,
                                const char *account,
                                const char *access_key_id,
                                struct cpw_sbx_authz_subject *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->arn, sizeof(out->arn), "%s", principal_arn ? principal_arn : "");
    snprintf(out->account, sizeof(out->account), "%s", account ? account : "");
    snprintf(out->access_key_id, sizeof(out->access_key_id), "%s",
             access_key_id ? access_key_id : "");
    const char *p = out->arn;
    const char *user = strstr(p, ":user/");
    const char *session = strstr(p, ":assumed-role/");
    const char *role = strstr(p, ":role/");
    if (session != NULL) {
        const char *name = session + strlen(":assumed-role/");
        const char *slash = strchr(name, '/');
        out->kind = CPW_IAM_PRINCIPAL_ROLE_SESSION;
        snprintf(out->name, sizeof(out->name), "%.*s",
                 (int)(slash ? (size_t)(slash - name) : strlen(name)), name);
    } else if (role != NULL) {
        /* A role itself (SimulatePrincipalPolicy on a role ARN): evaluated like its session. */
        out->kind = CPW_IAM_PRINCIPAL_ROLE_SESSION;
        snprintf(out->name, sizeof(out->name), "%s", strrchr(role, '/') + 1);
        snprintf(out->role_arn, sizeof(out->role_arn), "%s", p);
    } else if (user != NULL) {
        out->kind = CPW_IAM_PRINCIPAL_USER;
        snprintf(out->name, sizeof(out->name), "%s", strrchr(user, '/') + 1);
    } else if (strstr(p, ":federated-user/") != NULL) {
        out->kind = CPW_IAM_PRINCIPAL_FEDERATED;
    } else {
        out->kind = CPW_IAM_PRINCIPAL_ROOT;
    }
    return 0;
}

int cpw_sbx_authz_gather(struct cpw_sbx_ctx *ctx,
                         struct cpw_sbx_authz_subject *subject,
                         struct cpw_sbx_authz_set *set)
{
    memset(set, 0, sizeof(*set));
    set->cache = ctx->sbx->authz;
    const char *account = subject->account;
    int rc = 0;
    if (subject->kind == CPW_IAM_PRINCIPAL_USER) {
        rc =
          s_add_rows(ctx, set, CPW_IAM_POLICY_IDENTITY, s_user_identity_sql, account, subject->name,
                     set->identity, &set->identity_count, CPW_SBX_AUTHZ_MAX_IDENTITY);
        if (rc == 0) {
            rc = s_add_boundary(ctx, set, false, account, subject->name);
        }
    } else if (subject->kind == CPW_IAM_PRINCIPAL_ROLE_SESSION) {
        if (subject->role_arn[0] == '\0') {
            sqlite3_stmt *stmt = cpw_sbx_authz_query(
              ctx, "SELECT arn FROM iam_roles WHERE account_id = ? AND name = ?", "ss", account,
              subject->name);
            rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
            if (rc == 1) {
                snprintf(subject->role_arn, sizeof(subject->role_arn), "%s", cpw_sbx_col(stmt, 0));
            }
            cpw_sbx_authz_finish(ctx, stmt);
            rc = rc < 0 ? -1 : 0;
        }
        if (rc == 0) {
            rc = s_add_rows(ctx, set, CPW_IAM_POLICY_IDENTITY, s_role_identity_sql, account,
                            subject->name, set->identity, &set->identity_count,
                            CPW_SBX_AUTHZ_MAX_IDENTITY);
        }
        if (rc == 0) {
            rc = s_add_boundary(ctx, set, true, account, subject->name);
        }
        if (rc == 0 && subject->access_key_id[0] != '\0') {
            rc = s_add_session(ctx, set, subject->access_key_id);
        }
    }
    if (subject->kind == CPW_IAM_PRINCIPAL_FEDERATED) {
        rc = s_add_federated(ctx, set, subject);
    }
    if (rc == 0) {
        rc = s_add_scps(ctx, set, account);
    }
    for (size_t i = 0; i < set->scp_level_count; i++) {
        set->levels[i] = (struct cpw_iam_org_level){ .target_id = set->scp_targets[i],
                                                     .policies = set->scp[i],
                                                     .count = set->scp_counts[i] };
    }
    set->engine = (struct cpw_iam_policy_set){
        .identity = set->identity,
        .identity_count = set->identity_count,
        .scp_levels = set->levels,
        .scp_level_count = set->management_account ? 0 : set->scp_level_count,
        .boundary = set->boundary,
        .boundary_count = set->boundary_count,
        .has_boundary = set->has_boundary,
        .session = set->session,
        .session_count = set->session_count,
        .has_session = set->has_session,
    };
    if (rc != 0) {
        cpw_sbx_authz_set_release(set);
    }
    return rc;
}

void cpw_sbx_authz_principal(const struct cpw_sbx_authz_subject *subject,
                             const struct cpw_sbx_authz_set *set,
                             struct cpw_iam_principal *out)
{
    *out = (struct cpw_iam_principal){
        .kind = subject->kind,
        .arn = subject->arn,
        .account = subject->account,
        .role_arn = subject->role_arn[0] ? subject->role_arn : NULL,
        .management_account = set->management_account,
    };
}

/* ----- the decision ------------------------------------------------------------------------ */

/* The trust policy of the role AssumeRole names, parsed as a resource policy (held in set). */
static int s_trust_policy(struct cpw_sbx_ctx *ctx,
                          struct cpw_sbx_authz_set *set,
                          const json_t *input,
                          char *role_account,
                          size_t cap)
{
    const char *arn = cpw_sbx_in_str(input, "RoleArn");
    if (arn == NULL || strncmp(arn, "arn:", 4) != 0 || strlen(arn) < 26) {
        return 0;
    }
    snprintf(role_account, cap, "%.12s", arn + 13);
    sqlite3_stmt *stmt =
      cpw_sbx_authz_query(ctx, "SELECT trust_policy FROM iam_roles WHERE arn = ?", "s", arn);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1 && set->held_count < CPW_SBX_AUTHZ_MAX_HELD) {
        struct cpw_sbx_authz_entry *e =
          cpw_sbx_authz_acquire(set->cache, CPW_IAM_POLICY_RESOURCE, arn, cpw_sbx_col(stmt, 0),
                                NULL, cpw_sbx_col(stmt, 0));
        if (e != NULL) {
            set->held[set->held_count++] = e;
            set->engine.resource = e->policy;
        }
    }
    cpw_sbx_authz_finish(ctx, stmt);
    return rc < 0 ? -1 : 0;
}

/* The AccessDenied code and status of a service: AWS's query services answer AccessDenied; the
 * JSON ones AccessDeniedException, 403 where the model says so (REST-JSON), else 400. */
static void s_denial_code(const char *service, const char **code, long *status)
{
    if (strcmp(service, "iam") == 0 || strcmp(service, "sts") == 0 ||
        strcmp(service, "monitoring") == 0) {
        *code = "AccessDenied";
        *status = 403;
    } else if (strcmp(service, "organizations") == 0 || strcmp(service, "cloudtrail") == 0) {
        *code = "AccessDeniedException";
        *status = 400;
    } else {
        *code = "AccessDeniedException";
        *status = 403;
    }
}

int cpw_sbx_authorize(struct cpw_sbx_ctx *ctx)
{
    const struct cpw_sbx_request *req = ctx->req;
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_current(ctx->sbx, &knobs);
    if (!knobs.authz || ctx->sbx->authz == NULL) {
        return 0;
    }
    const struct cpw_sbx_authz_row *row = cpw_sbx_authz_row_find(req->service, req->operation);
    if (row == NULL || row->resource == NULL || req->caller->principal_arn == NULL) {
        return 0; /* not emulated (answered 501 later), or served without authorization */
    }
    const json_t *input = req->input;
    json_t *empty = NULL;
    if (input == NULL) {
        input = empty = json_object();
    }
    char action[160];
    struct cpw_buf resource;
    cpw_buf_init(&resource, 4096);
    struct cpw_sbx_authz_subject subject;
    struct cpw_sbx_authz_set set;
    struct cpw_iam_context *context = cpw_iam_context_new();
    struct cpw_iam_decision decision = { 0 };
    char *message = NULL;
    bool gathered = false;
    int rc = -1;
    char role_account[16] = "";
    if (cpw_sbx_authz_action(row, action, sizeof(action)) != 0 ||
        cpw_sbx_authz_resource(ctx, row, input, &resource) != 0 ||
        cpw_sbx_authz_subject_parse(req->caller->principal_arn, req->caller->account_id,
                                    req->caller->access_key_id, &subject) != 0 ||
        cpw_sbx_authz_gather(ctx, &subject, &set) != 0) {
        goto cleanup;
    }
    gathered = true;
    /* AssumeRole: the role's trust policy must allow, even within the account. */
    if (strcmp(req->service, "sts") == 0 && strcmp(req->operation, "AssumeRole") == 0) {
        if (s_trust_policy(ctx, &set, input, role_account, sizeof(role_account)) != 0) {
            goto cleanup;
        }
        set.engine.resource_required = true;
    }
    if (cpw_sbx_authz_base_context(ctx, &subject, &set, context) != 0 ||
        cpw_sbx_authz_request_context(ctx, req->service, req->operation, input, context) != 0) {
        goto cleanup;
    }
    struct cpw_iam_request request = {
        .action = action,
        .resource = cpw_buf_cstr(&resource),
        .resource_account = role_account[0] ? role_account : NULL,
        .context = context,
    };
    cpw_sbx_authz_principal(&subject, &set, &request.principal);
    if (cpw_iam_evaluate(&set.engine, &request, &decision) != 0) {
        goto cleanup;
    }
    rc = 0;
    if (decision.decision != CPW_IAM_ALLOWED) {
        const char *code;
        long status;
        s_denial_code(req->service, &code, &status);
        message = cpw_iam_denial_message(&request, &decision);
        rc = cpw_sbx_fail(ctx, status, code, "%s", message ? message : "Access denied");
    }
cleanup:
    cpw_free(message);
    cpw_iam_decision_clean_up(&decision);
    cpw_iam_context_destroy(context);
    if (gathered) {
        cpw_sbx_authz_set_release(&set);
    }
    cpw_buf_clean_up(&resource);
    json_decref(empty);
    return rc;
}

/* ----- session policies -------------------------------------------------------------------- */

int cpw_sbx_authz_save_session(struct cpw_sbx_ctx *ctx,
                               const char *access_key_id,
                               const json_t *input)
{
    const char *policy = cpw_sbx_in_str(input, "Policy");
    const json_t *arns = json_object_get(input, "PolicyArns");
    if (policy == NULL && json_array_size(arns) == 0) {
        return 0;
    }
    json_t *list = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(arns, i, item)
    {
        const char *arn = json_string_value(json_object_get(item, "arn"));
        if (arn != NULL) {
            json_array_append_new(list, json_string(arn));
        }
    }
    char *text = cpw_json_dump_cstr(list, CPW_JSON_DUMP_COMPACT);
    json_decref(list);
    if (text == NULL) {
        return -1; /* raised by the dump */
    }
    int rc = cpw_sbx_sql_do(ctx->db,
                            "INSERT OR REPLACE INTO authz_sessions(access_key_id, policy,"
                            " policy_arns) VALUES (?, ?, ?)",
                            "sss", access_key_id, policy, text);
    cpw_free(text);
    return rc < 0 ? -1 : 0;
}
