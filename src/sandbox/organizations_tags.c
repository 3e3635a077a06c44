/*
 * organizations_tags.c - tags of the organization's root, OUs, accounts and policies
 * (TagResource, UntagResource, ListTagsForResource, and the Tags of the Create* requests).
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "sbx_org.h"

/* Stores Tags [{Key, Value}] on an organization resource (CreateAccount, CreatePolicy, ...). */
int cpw_org_tag(struct cpw_sbx_ctx *ctx, const char *resource, const json_t *tags)
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
/* ----- tags -------------------------------------------------------------------------------- */

/* 0 when id is the root, an OU, an account or a policy (not AWS managed) of org; 1; -1. */
static int s_need_taggable(struct cpw_sbx_ctx *ctx, const struct cpw_org *org, const char *id)
{
    int rc = cpw_org_target_exists(ctx, org, id, true);
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

int cpw_org_tag_resource(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    const char *id = cpw_sbx_in_str(input, "ResourceId");
    int rc = cpw_org_need_management(ctx, &org);
    if (rc == 0) {
        rc = s_need_taggable(ctx, &org, id);
    }
    if (rc != 0) {
        return rc;
    }
    if (cpw_org_tag(ctx, id, json_object_get(input, "Tags")) != 0) {
        return -1;
    }
    *output = json_object();
    return 0;
}

int cpw_org_untag_resource(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    const char *id = cpw_sbx_in_str(input, "ResourceId");
    int rc = cpw_org_need_management(ctx, &org);
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

static json_t *s_tag_row(struct cpw_sbx_ctx *ctx, const struct cpw_org *org, sqlite3_stmt *stmt)
{
    (void)ctx;
    (void)org;
    return json_pack("{s:s,s:s}", "Key", cpw_sbx_col(stmt, 0), "Value", cpw_sbx_col(stmt, 1));
}

int cpw_org_list_tags_for_resource(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    const char *id = cpw_sbx_in_str(input, "ResourceId");
    int64_t offset = 0;
    int64_t max = CPW_ORG_LIST_MAX;
    int rc = cpw_org_need_reader(ctx, &org);
    if (rc == 0) {
        rc = s_need_taggable(ctx, &org, id);
    }
    if (rc == 0) {
        rc = cpw_org_paging(ctx, input, &offset, &max);
    }
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT key, value FROM org_tags WHERE resource_id = ?"
                                           " ORDER BY key LIMIT ? OFFSET ?",
                                           "sii", id, max + 1, offset);
    return cpw_org_page(ctx, &org, stmt, offset, max, "Tags", s_tag_row, output);
}
