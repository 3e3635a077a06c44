/*
 * organizations_policies.c - Organizations policies in the sandbox: policy types of the root
 * (Enable/DisablePolicyType), policies of every type (Create/Describe/Update/Delete/ListPolicies),
 * their attachments to the root, OUs and accounts (Attach/DetachPolicy, ListPoliciesForTarget,
 * ListTargetsForPolicy). Service control policies are evaluated by the sandbox's authorization
 * (authz.c); other types are stored only.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "cpw/json.h"
#include "sbx_org.h"

static const char *const s_policy_types[] = {
    CPW_ORG_SCP,
    "RESOURCE_CONTROL_POLICY",
    "TAG_POLICY",
    "BACKUP_POLICY",
    "AISERVICES_OPT_OUT_POLICY",
    "CHATBOT_POLICY",
    "DECLARATIVE_POLICY_EC2",
    "SECURITYHUB_POLICY",
    "INSPECTOR_POLICY",
    "UPGRADE_ROLLOUT_POLICY",
    "BEDROCK_POLICY",
    "S3_POLICY",
    "NETWORK_SECURITY_DIRECTOR_POLICY",
};

static int s_target_not_found(struct cpw_sbx_ctx *ctx)
{
    return cpw_sbx_fail(ctx, 400, "TargetNotFoundException",
                        "We can't find a root, OU, account, or email with the TargetId that you "
                        "specified.");
}

/* 0 when type is a policy type, else 1 answered (InvalidInputException, INVALID_ENUM). */
static int s_need_type(struct cpw_sbx_ctx *ctx, const char *type)
{
    for (size_t i = 0; type != NULL && i < sizeof(s_policy_types) / sizeof(s_policy_types[0]);
         i++) {
        if (strcmp(type, s_policy_types[i]) == 0) {
            return 0;
        }
    }
    return cpw_org_invalid(ctx, CPW_ORG_INVALID_ENUM);
}

/* 1 when the root has the policy type enabled, 0 not, -1. */
int cpw_org_type_enabled(struct cpw_sbx_ctx *ctx, const struct cpw_org *org, const char *type)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT enabled FROM org_policy_types WHERE org_id = ? AND type = ?", "ss", org->id,
      type);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    int enabled = rc == 1 ? sqlite3_column_int(stmt, 0) != 0 : strcmp(type, CPW_ORG_SCP) == 0;
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : enabled;
}

json_t *cpw_org_root_json(struct cpw_sbx_ctx *ctx, const struct cpw_org *org)
{
    char arn[200];
    cpw_org_arn(ctx, org, "root", org->root_id, arn, sizeof(arn));
    json_t *types = json_array();
    for (size_t i = 0; i < sizeof(s_policy_types) / sizeof(s_policy_types[0]); i++) {
        if (cpw_org_type_enabled(ctx, org, s_policy_types[i]) == 1) {
            json_array_append_new(
              types, json_pack("{s:s,s:s}", "Type", s_policy_types[i], "Status", "ENABLED"));
        }
    }
    return json_pack("{s:s,s:s,s:s,s:o}", "Id", org->root_id, "Arn", arn, "Name", "Root",
                     "PolicyTypes", types);
}
/* The AWS managed policy EnablePolicyType attaches everywhere for type ("": none). */
static const char *s_managed_policy(const char *type)
{
    if (strcmp(type, CPW_ORG_SCP) == 0) {
        return CPW_ORG_FULL_ACCESS_ID;
    }
    return strcmp(type, CPW_ORG_RCP) == 0 ? CPW_ORG_RCP_FULL_ID : "";
}

/* EnablePolicyType / DisablePolicyType on the root. */
static int s_set_policy_type(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output, bool on)
{
    struct cpw_org org;
    int rc = cpw_org_need_management(ctx, &org);
    if (rc != 0) {
        return rc;
    }
    const char *root = cpw_sbx_in_str(input, "RootId");
    const char *type = cpw_sbx_in_str(input, "PolicyType");
    if (root == NULL || strcmp(root, org.root_id) != 0) {
        return cpw_sbx_fail(ctx, 400, "RootNotFoundException",
                            "We can't find a root with the RootId that you specified.");
    }
    rc = s_need_type(ctx, type);
    if (rc != 0) {
        return rc;
    }
    rc = cpw_org_type_enabled(ctx, &org, type);
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
        (on && s_managed_policy(type)[0] != '\0' &&
         cpw_sbx_sql_do(ctx->db,
                        "INSERT OR IGNORE INTO org_policy_targets(policy_id, target_id)"
                        " SELECT ?3, ?2 UNION SELECT ?3, ou_id FROM org_units WHERE"
                        " org_id = ?1 UNION SELECT ?3, account_id FROM org_accounts WHERE"
                        " org_id = ?1",
                        "sss", org.id, org.root_id, s_managed_policy(type)) < 0)) {
        return -1;
    }
    *output = json_pack("{s:o}", "Root", cpw_org_root_json(ctx, &org));
    return 0;
}

int cpw_org_enable_policy_type(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_set_policy_type(ctx, input, output, true);
}

int cpw_org_disable_policy_type(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_set_policy_type(ctx, input, output, false);
}
/* ----- policies (stored, not enforced) ----------------------------------------------------- */

void cpw_org_policy_arn(struct cpw_sbx_ctx *ctx,
                        const struct cpw_org *org,
                        const char *type,
                        const char *id,
                        bool aws_managed,
                        char *out,
                        size_t cap)
{
    const char *p = cpw_sbx_ctx_partition(ctx);
    char type_lower[64];
    size_t i = 0;
    for (; type[i] != '\0' && i + 1 < sizeof(type_lower); i++) {
        type_lower[i] = (char)(type[i] >= 'A' && type[i] <= 'Z' ? type[i] + 32 : type[i]);
    }
    type_lower[i] = '\0';
    if (aws_managed) {
        snprintf(out, cap, "arn:%s:organizations::aws:policy/%s/%s", p, type_lower, id);
    } else {
        snprintf(out, cap, "arn:%s:organizations::%s:policy/%s/%s/%s", p, org->management, org->id,
                 type_lower, id);
    }
}

int cpw_org_policy_arn_of(struct cpw_sbx_ctx *ctx,
                          const struct cpw_org *org,
                          const char *id,
                          char *out,
                          size_t cap)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT type, org_id = '*' FROM org_policies WHERE"
                                           " policy_id = ? AND org_id IN (?, '*')",
                                           "ss", id, org->id);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        cpw_org_policy_arn(ctx, org, cpw_sbx_col(stmt, 0), id, sqlite3_column_int(stmt, 1) != 0,
                           out, cap);
    } else {
        cpw_org_policy_arn(ctx, org, CPW_ORG_SCP, id, false, out, cap);
    }
    cpw_sbx_sql_done(stmt);
    return rc;
}

/* The PolicySummary of a row (policy_id, name, description, type, org_id); a cpw_org_row_fn. */
static json_t *s_policy_summary(struct cpw_sbx_ctx *ctx,
                                const struct cpw_org *org,
                                sqlite3_stmt *stmt)
{
    char arn[300];
    const char *type = cpw_sbx_col(stmt, 3);
    bool aws_managed = strcmp(cpw_sbx_col(stmt, 4), "*") == 0;
    cpw_org_policy_arn(ctx, org, type, cpw_sbx_col(stmt, 0), aws_managed, arn, sizeof(arn));
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "Id", cpw_sbx_col(stmt, 0), "Arn", arn, "Name",
                     cpw_sbx_col(stmt, 1), "Description", cpw_sbx_col(stmt, 2), "Type", type,
                     "AwsManaged", aws_managed);
}

int cpw_org_create_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    int rc = cpw_org_need_management(ctx, &org);
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
        cpw_org_tag(ctx, id, json_object_get(input, "Tags")) != 0) {
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
    json_t *summary = s_policy_summary(ctx, &org, stmt);
    cpw_sbx_sql_done(stmt);
    cpw_sbx_add_resource(ctx, "AWS::Organizations::Policy", id);
    *output = json_pack("{s:{s:o,s:s}}", "Policy", "PolicySummary", summary, "Content", content);
    return 0;
}

int cpw_org_attach_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    int rc = cpw_org_need_management(ctx, &org);
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
    rc = cpw_org_type_enabled(ctx, &org, type);
    if (rc <= 0) {
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 400, "PolicyTypeNotEnabledException",
                                     "This operation can be performed only for enabled policy "
                                     "types.");
    }
    rc = cpw_org_target_exists(ctx, &org, target, true);
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

int cpw_org_list_policies_for_target(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **out)
{
    struct cpw_org org;
    int64_t offset = 0;
    int64_t max = CPW_ORG_LIST_MAX;
    const char *target = cpw_sbx_in_str(input, "TargetId");
    const char *filter = cpw_sbx_in_str(input, "Filter");
    int rc = cpw_org_need_reader(ctx, &org);
    if (rc == 0) {
        rc = s_need_type(ctx, filter);
    }
    if (rc == 0) {
        rc = cpw_org_paging(ctx, input, &offset, &max);
    }
    if (rc != 0) {
        return rc;
    }
    rc = cpw_org_target_exists(ctx, &org, target, true);
    if (rc <= 0) {
        return rc < 0 ? -1 : s_target_not_found(ctx);
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT p.policy_id, p.name, p.description, p.type, p.org_id FROM org_policies p"
      " JOIN org_policy_targets t ON t.policy_id = p.policy_id WHERE p.org_id IN (?, '*')"
      " AND t.target_id = ? AND p.type = ? ORDER BY p.org_id <> '*', p.rowid LIMIT ? OFFSET ?",
      "sssii", org.id, target, filter, max + 1, offset);
    return cpw_org_page(ctx, &org, stmt, offset, max, "Policies", s_policy_summary, out);
}

#define POLICY_SELECT "SELECT policy_id, name, description, type, org_id, content FROM org_policies"

/* The policy id of org (or AWS managed) as {PolicySummary, Content}: 0, 1 (AWS error), -1. */
static int s_load_policy(struct cpw_sbx_ctx *ctx,
                         const struct cpw_org *org,
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
        *policy = json_pack("{s:o,s:s}", "PolicySummary", s_policy_summary(ctx, org, stmt),
                            "Content", cpw_sbx_col(stmt, 5));
    }
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 400, "PolicyNotFoundException",
                            "We can't find a policy with the PolicyId that you specified.");
    }
    return rc < 0 ? -1 : 0;
}

int cpw_org_describe_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    bool managed = false;
    json_t *policy = NULL;
    int rc = cpw_org_need_reader(ctx, &org);
    if (rc == 0) {
        rc = s_load_policy(ctx, &org, cpw_sbx_in_str(input, "PolicyId"), &policy, &managed);
    }
    if (rc != 0) {
        return rc;
    }
    *output = json_pack("{s:o}", "Policy", policy);
    return 0;
}

/*
 * The management account's customer policy id, about to change: 0 with *org filled, 1 answered
 * (AccessDeniedException, PolicyNotFoundException, or PolicyChangesNotAllowedException for an
 * AWS managed policy), -1.
 */
static int s_need_changeable(struct cpw_sbx_ctx *ctx, struct cpw_org *org, const char *id)
{
    bool managed = false;
    json_t *policy = NULL;
    int rc = cpw_org_need_management(ctx, org);
    if (rc == 0) {
        rc = s_load_policy(ctx, org, id, &policy, &managed);
    }
    if (rc != 0) {
        return rc;
    }
    json_decref(policy);
    if (managed) {
        return cpw_sbx_fail(ctx, 400, "PolicyChangesNotAllowedException",
                            "Changes to the specified policy are not allowed.");
    }
    return 0;
}

int cpw_org_update_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    const char *id = cpw_sbx_in_str(input, "PolicyId");
    int rc = s_need_changeable(ctx, &org, id);
    if (rc != 0) {
        return rc;
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
    bool managed = false;
    json_t *policy = NULL;
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

int cpw_org_delete_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    const char *id = cpw_sbx_in_str(input, "PolicyId");
    int rc = s_need_changeable(ctx, &org, id);
    if (rc != 0) {
        return rc;
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

int cpw_org_list_policies(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    int64_t offset = 0;
    int64_t max = CPW_ORG_LIST_MAX;
    int rc = cpw_org_need_reader(ctx, &org);
    if (rc == 0) {
        rc = s_need_type(ctx, cpw_sbx_in_str(input, "Filter"));
    }
    if (rc == 0) {
        rc = cpw_org_paging(ctx, input, &offset, &max);
    }
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      POLICY_SELECT " WHERE org_id IN (?, '*') AND type = ? ORDER BY org_id <> '*', rowid"
                    " LIMIT ? OFFSET ?",
      "ssii", org.id, cpw_sbx_in_str(input, "Filter"), max + 1, offset);
    return cpw_org_page(ctx, &org, stmt, offset, max, "Policies", s_policy_summary, output);
}

int cpw_org_detach_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    bool managed = false;
    json_t *policy = NULL;
    const char *id = cpw_sbx_in_str(input, "PolicyId");
    const char *target = cpw_sbx_in_str(input, "TargetId");
    int rc = cpw_org_need_management(ctx, &org);
    if (rc == 0) {
        rc = s_load_policy(ctx, &org, id, &policy, &managed);
    }
    if (rc != 0) {
        return rc;
    }
    json_decref(policy);
    rc = cpw_org_target_exists(ctx, &org, target, true);
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

/* A (target_id, kind 0 root / 1 OU / 2 account, name) row as a PolicyTargetSummary. */
static json_t *s_target_row(struct cpw_sbx_ctx *ctx, const struct cpw_org *org, sqlite3_stmt *stmt)
{
    static const char *const kinds[] = { "ROOT", "ORGANIZATIONAL_UNIT", "ACCOUNT" };
    static const char *const arn_kinds[] = { "root", "ou", "account" };
    int kind = sqlite3_column_int(stmt, 1);
    kind = kind < 0 || kind > 2 ? 2 : kind;
    char arn[300];
    cpw_org_arn(ctx, org, arn_kinds[kind], cpw_sbx_col(stmt, 0), arn, sizeof(arn));
    return json_pack("{s:s,s:s,s:s,s:s}", "TargetId", cpw_sbx_col(stmt, 0), "Arn", arn, "Name",
                     cpw_sbx_col(stmt, 2), "Type", kinds[kind]);
}

int cpw_org_list_targets_for_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **out)
{
    struct cpw_org org;
    bool managed = false;
    json_t *policy = NULL;
    int64_t offset = 0;
    int64_t max = CPW_ORG_LIST_MAX;
    const char *id = cpw_sbx_in_str(input, "PolicyId");
    int rc = cpw_org_need_reader(ctx, &org);
    if (rc == 0) {
        rc = s_load_policy(ctx, &org, id, &policy, &managed);
    }
    if (rc == 0) {
        json_decref(policy);
        rc = cpw_org_paging(ctx, input, &offset, &max);
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
    return cpw_org_page(ctx, &org, stmt, offset, max, "Targets", s_target_row, out);
}
