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
        cpw_org_attach_full_access(ctx->db, ou_id) != 0 ||
        cpw_org_tag(ctx, ou_id, json_object_get(input, "Tags")) != 0) {
        return -1;
    }
    char arn[400];
    snprintf(arn, sizeof(arn), "arn:aws:organizations::%s:ou/%s/%s", org.management, org.id, ou_id);
    *output = json_pack("{s:{s:s,s:s,s:s}}", "OrganizationalUnit", "Id", ou_id, "Arn", arn, "Name",
                        name ? name : "");
    return 0;
}

int cpw_org_list_ous_for_parent(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    int rc = cpw_org_need_management(ctx, &org);
    if (rc != 0) {
        return rc;
    }
    const char *parent = cpw_sbx_in_str(input, "ParentId");
    rc = cpw_org_need_parent(ctx, &org, parent);
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
