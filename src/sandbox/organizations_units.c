/*
 * organizations_units.c - organizational units in the sandbox: targets and parents of the
 * organization's tree, CreateOrganizationalUnit and ListOrganizationalUnitsForParent.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "sbx_org.h"

/* Whether id is the root, an OU or (accounts_too) an account of the organization. */
int cpw_org_target_exists(struct cpw_sbx_ctx *ctx,
                          const struct cpw_org *org,
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
int cpw_org_need_parent(struct cpw_sbx_ctx *ctx, const struct cpw_org *org, const char *parent)
{
    int rc = cpw_org_target_exists(ctx, org, parent, false);
    if (rc <= 0) {
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 400, "ParentNotFoundException",
                                     "We can't find a root or OU with the ParentId that you "
                                     "specified.");
    }
    return 0;
}

int cpw_org_create_ou(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    int rc = cpw_org_need_management(ctx, &org);
    if (rc != 0) {
        return rc;
    }
    const char *parent = cpw_sbx_in_str(input, "ParentId");
    const char *name = cpw_sbx_in_str(input, "Name");
    rc = cpw_org_need_parent(ctx, &org, parent);
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
        cpw_org_attach_full_access(ctx->db, org.id, ou_id) != 0 ||
        cpw_org_tag(ctx, ou_id, json_object_get(input, "Tags")) != 0) {
        return -1;
    }
    char arn[400];
    cpw_org_arn(ctx, &org, "ou", ou_id, arn, sizeof(arn));
    *output = json_pack("{s:{s:s,s:s,s:s}}", "OrganizationalUnit", "Id", ou_id, "Arn", arn, "Name",
                        name ? name : "");
    return 0;
}

static json_t *s_ou_json(struct cpw_sbx_ctx *ctx,
                         const struct cpw_org *org,
                         const char *id,
                         const char *name)
{
    char arn[200];
    cpw_org_arn(ctx, org, "ou", id, arn, sizeof(arn));
    return json_pack("{s:s,s:s,s:s}", "Id", id, "Arn", arn, "Name", name);
}

static json_t *s_ou_row(struct cpw_sbx_ctx *ctx, const struct cpw_org *org, sqlite3_stmt *stmt)
{
    return s_ou_json(ctx, org, cpw_sbx_col(stmt, 0), cpw_sbx_col(stmt, 1));
}

int cpw_org_list_ous_for_parent(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    int64_t offset = 0;
    int64_t max = CPW_ORG_LIST_MAX;
    const char *parent = cpw_sbx_in_str(input, "ParentId");
    int rc = cpw_org_need_reader(ctx, &org);
    if (rc == 0) {
        rc = cpw_org_need_parent(ctx, &org, parent);
    }
    if (rc == 0) {
        rc = cpw_org_paging(ctx, input, &offset, &max);
    }
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT ou_id, name FROM org_units WHERE org_id = ?"
                                           " AND parent_id = ? ORDER BY rowid LIMIT ? OFFSET ?",
                                           "ssii", org.id, parent, max + 1, offset);
    return cpw_org_page(ctx, &org, stmt, offset, max, "OrganizationalUnits", s_ou_row, output);
}

/* The OU id of org: 0 with its name and parent, 1 answered (OrganizationalUnitNotFound), -1. */
static int s_need_ou(struct cpw_sbx_ctx *ctx,
                     const struct cpw_org *org,
                     const char *id,
                     char name[256],
                     char parent[64])
{
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db,
                        "SELECT name, parent_id FROM org_units WHERE org_id = ? AND"
                        " ou_id = ?",
                        "ss", org->id, id ? id : "");
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    if (rc == 1) {
        snprintf(name, 256, "%s", cpw_sbx_col(stmt, 0));
        snprintf(parent, 64, "%s", cpw_sbx_col(stmt, 1));
    }
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 400, "OrganizationalUnitNotFoundException",
                            "We can't find an OU with the OrganizationalUnitId that you "
                            "specified.");
    }
    return rc < 0 ? -1 : 0;
}

int cpw_org_describe_ou(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    char name[256];
    char parent[64];
    const char *id = cpw_sbx_in_str(input, "OrganizationalUnitId");
    int rc = cpw_org_need_reader(ctx, &org);
    if (rc == 0) {
        rc = s_need_ou(ctx, &org, id, name, parent);
    }
    if (rc != 0) {
        return rc;
    }
    *output = json_pack("{s:o}", "OrganizationalUnit", s_ou_json(ctx, &org, id, name));
    return 0;
}

int cpw_org_update_ou(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    char name[256];
    char parent[64];
    const char *id = cpw_sbx_in_str(input, "OrganizationalUnitId");
    const char *new_name = cpw_sbx_in_str(input, "Name");
    int rc = cpw_org_need_management(ctx, &org);
    if (rc == 0) {
        rc = s_need_ou(ctx, &org, id, name, parent);
    }
    if (rc != 0) {
        return rc;
    }
    if (new_name != NULL) {
        sqlite3_stmt *dup = cpw_sbx_sql_query(ctx->db,
                                              "SELECT 1 FROM org_units WHERE org_id = ? AND"
                                              " parent_id = ? AND name = ?",
                                              "sss", org.id, parent, new_name);
        rc = dup ? cpw_sbx_sql_step(dup) : -1;
        cpw_sbx_sql_done(dup);
        if (rc != 0) {
            return rc < 0 ? -1
                          : cpw_sbx_fail(ctx, 400, "DuplicateOrganizationalUnitException",
                                         "An OU with the same name already exists.");
        }
        if (cpw_sbx_sql_do(ctx->db, "UPDATE org_units SET name = ? WHERE ou_id = ?", "ss", new_name,
                           id) < 0) {
            return -1;
        }
        snprintf(name, sizeof(name), "%s", new_name);
    }
    cpw_sbx_add_resource(ctx, "AWS::Organizations::OrganizationalUnit", id);
    *output = json_pack("{s:o}", "OrganizationalUnit", s_ou_json(ctx, &org, id, name));
    return 0;
}

int cpw_org_delete_ou(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    char name[256];
    char parent[64];
    const char *id = cpw_sbx_in_str(input, "OrganizationalUnitId");
    int rc = cpw_org_need_management(ctx, &org);
    if (rc == 0) {
        rc = s_need_ou(ctx, &org, id, name, parent);
    }
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db,
                        "SELECT 1 FROM org_units WHERE parent_id = ?1 UNION ALL SELECT 1 FROM"
                        " org_accounts WHERE parent_id = ?1",
                        "s", id);
    rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    cpw_sbx_sql_done(stmt);
    if (rc != 0) {
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 400, "OrganizationalUnitNotEmptyException",
                                     "The specified OU is not empty. Move all accounts to another "
                                     "root or to other OUs, remove all child OUs, and try the "
                                     "operation again.");
    }
    if (cpw_sbx_sql_do(ctx->db, "DELETE FROM org_units WHERE ou_id = ?", "s", id) < 0 ||
        cpw_sbx_sql_do(ctx->db, "DELETE FROM org_policy_targets WHERE target_id = ?", "s", id) <
          0 ||
        cpw_sbx_sql_do(ctx->db, "DELETE FROM org_tags WHERE resource_id = ?", "s", id) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::Organizations::OrganizationalUnit", id);
    *output = json_object();
    return 0;
}

int cpw_org_list_parents(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    const char *child = cpw_sbx_in_str(input, "ChildId");
    int rc = cpw_org_need_reader(ctx, &org);
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT parent_id FROM org_units WHERE org_id = ?1 AND ou_id = ?2 UNION ALL SELECT"
      " parent_id FROM org_accounts WHERE org_id = ?1 AND account_id = ?2 AND joined_ms <= ?3",
      "ssi", org.id, child ? child : "", ctx->req->now_ms);
    char parent[64] = "";
    rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    if (rc == 1) {
        snprintf(parent, sizeof(parent), "%s", cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    if (rc <= 0) {
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 400, "ChildNotFoundException",
                                     "We can't find an organizational unit (OU) or AWS account "
                                     "with the ChildId that you specified.");
    }
    const char *type = strncmp(parent, "ou-", 3) == 0 ? "ORGANIZATIONAL_UNIT" : "ROOT";
    *output = json_pack("{s:[{s:s,s:s}]}", "Parents", "Id", parent, "Type", type);
    return 0;
}

static json_t *s_child_row(sqlite3_stmt *stmt, const char *type)
{
    return json_pack("{s:s,s:s}", "Id", cpw_sbx_col(stmt, 0), "Type", type);
}

static json_t *s_account_child_row(struct cpw_sbx_ctx *ctx,
                                   const struct cpw_org *org,
                                   sqlite3_stmt *stmt)
{
    (void)ctx;
    (void)org;
    return s_child_row(stmt, "ACCOUNT");
}

static json_t *s_ou_child_row(struct cpw_sbx_ctx *ctx,
                              const struct cpw_org *org,
                              sqlite3_stmt *stmt)
{
    (void)ctx;
    (void)org;
    return s_child_row(stmt, "ORGANIZATIONAL_UNIT");
}

int cpw_org_list_children(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    int64_t offset = 0;
    int64_t max = CPW_ORG_LIST_MAX;
    const char *parent = cpw_sbx_in_str(input, "ParentId");
    const char *type = cpw_sbx_in_str(input, "ChildType");
    int rc = cpw_org_need_reader(ctx, &org);
    if (rc == 0) {
        rc = cpw_org_need_parent(ctx, &org, parent);
    }
    if (rc == 0) {
        rc = cpw_org_paging(ctx, input, &offset, &max);
    }
    if (rc != 0) {
        return rc;
    }
    bool accounts = type != NULL && strcmp(type, "ACCOUNT") == 0;
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      accounts ? "SELECT account_id FROM org_accounts WHERE org_id = ? AND parent_id = ? AND"
                 " joined_ms <= ? ORDER BY joined_ms, account_id LIMIT ? OFFSET ?"
               : "SELECT ou_id FROM org_units WHERE org_id = ? AND parent_id = ? AND ? IS NOT"
                 " NULL ORDER BY rowid LIMIT ? OFFSET ?",
      "ssiii", org.id, parent, ctx->req->now_ms, max + 1, offset);
    return cpw_org_page(ctx, &org, stmt, offset, max, "Children",
                        accounts ? s_account_child_row : s_ou_child_row, output);
}
