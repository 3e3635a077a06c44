/*
 * organizations_effective.c - DescribeEffectivePolicy in the sandbox: the effective management
 * policy (tag, backup, AI services opt-out, ... policies; not SCPs or RCPs, which the model's
 * EffectivePolicyType leaves out) of an account, from the policies of that type attached to the
 * root, each OU on the way down and the account itself.
 *
 * Inheritance follows the Organizations User Guide ("Understanding management policy
 * inheritance") in its common part: documents are merged from the root down, a child's value
 * replaces its parent's ("@@assign"), "@@append" adds to a parent's list, and the operators are
 * removed from the result ("@@operators_allowed_for_child_policies" included; it is not
 * enforced). Any account of the organization may ask about itself; only the management account
 * about another account. A target that is not an account answers TargetNotFoundException; no
 * policy of the type on the path answers EffectivePolicyNotFoundException.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "sbx_org.h"

#define MAX_DEPTH    8  /* levels of the path: root, up to 5 OUs (AWS's limit), account */
#define MAX_NESTING  32 /* object depth the merge follows */
#define ASSIGN       "@@assign"
#define APPEND       "@@append"
#define OPERATOR_PFX "@@"

/* Merges child into parent (both owned by the caller; parent is modified). */
static void s_merge(json_t *parent, const json_t *child, int depth)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)child, key, value)
    {
        json_t *old = json_object_get(parent, key);
        json_t *append = json_object_get(value, APPEND);
        if (json_is_array(append) && json_is_object(old) &&
            json_is_array(json_object_get(old, ASSIGN)) && depth < MAX_NESTING) {
            json_t *list = json_deep_copy(json_object_get(old, ASSIGN));
            json_array_extend(list, append);
            json_object_set_new(parent, key, json_pack("{s:o}", ASSIGN, list));
        } else if (json_is_object(old) && json_is_object(value) &&
                   json_object_get(value, ASSIGN) == NULL && depth < MAX_NESTING) {
            s_merge(old, value, depth + 1);
        } else {
            json_object_set_new(parent, key, json_deep_copy(value));
        }
    }
}

/* The merged document without operators (owned). */
static json_t *s_resolve(const json_t *doc, int depth)
{
    if (!json_is_object(doc) || depth >= MAX_NESTING) {
        return json_deep_copy(doc);
    }
    const json_t *assign = json_object_get(doc, ASSIGN);
    if (assign == NULL) {
        assign = json_object_get(doc, APPEND);
    }
    if (assign != NULL) {
        return json_deep_copy(assign);
    }
    json_t *out = json_object();
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)doc, key, value)
    {
        if (strncmp(key, OPERATOR_PFX, strlen(OPERATOR_PFX)) != 0) {
            json_object_set_new(out, key, s_resolve(value, depth + 1));
        }
    }
    return out;
}

/* path[0..*n) from the root down to account. 0 or -1. */
static int s_path(struct cpw_sbx_ctx *ctx,
                  const struct cpw_org *org,
                  const char *account,
                  char path[MAX_DEPTH][64],
                  size_t *n)
{
    char up[MAX_DEPTH][64];
    size_t count = 0;
    snprintf(up[count++], sizeof(up[0]), "%s", account);
    while (count < MAX_DEPTH && strcmp(up[count - 1], org->root_id) != 0) {
        sqlite3_stmt *stmt = cpw_sbx_sql_query(
          ctx->db,
          "SELECT parent_id FROM org_accounts WHERE account_id = ?1 UNION ALL SELECT parent_id"
          " FROM org_units WHERE ou_id = ?1",
          "s", up[count - 1]);
        int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
        if (rc == 1) {
            snprintf(up[count], sizeof(up[0]), "%s", cpw_sbx_col(stmt, 0));
        }
        cpw_sbx_sql_done(stmt);
        if (rc < 0) {
            return -1;
        }
        if (rc == 0) {
            break;
        }
        count++;
    }
    for (size_t i = 0; i < count; i++) {
        snprintf(path[i], sizeof(path[0]), "%s", up[count - 1 - i]);
    }
    *n = count;
    return 0;
}

int cpw_org_describe_effective_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    struct cpw_org org;
    const char *type = cpw_sbx_in_str(input, "PolicyType");
    const char *target = cpw_sbx_in_str(input, "TargetId");
    const char *caller = ctx->req->caller->account_id;
    int rc = cpw_org_need(ctx, &org);
    if (rc != 0) {
        return rc;
    }
    if (target == NULL) {
        target = caller;
    }
    /* A member may ask about itself; other targets are for the management account and the
     * delegated administrators. */
    if (strcmp(target, caller) != 0) {
        rc = cpw_org_need_reader(ctx, &org);
        if (rc != 0) {
            return rc;
        }
    }
    if (strncmp(target, "r-", 2) == 0 || strncmp(target, "ou-", 3) == 0 ||
        cpw_org_target_exists(ctx, &org, target, true) != 1) {
        return cpw_sbx_fail(ctx, 400, "TargetNotFoundException",
                            "We can't find a root, OU, account, or email with the TargetId that "
                            "you specified.");
    }
    char path[MAX_DEPTH][64];
    size_t n = 0;
    if (s_path(ctx, &org, target, path, &n) != 0) {
        return -1;
    }
    json_t *merged = json_object();
    size_t found = 0;
    rc = 0;
    for (size_t i = 0; i < n && rc >= 0; i++) {
        sqlite3_stmt *stmt =
          cpw_sbx_sql_query(ctx->db,
                            "SELECT p.content FROM org_policy_targets t JOIN org_policies p ON"
                            " p.policy_id = t.policy_id WHERE t.target_id = ? AND p.type = ?"
                            " AND p.org_id IN (?, '*') ORDER BY p.rowid",
                            "sss", path[i], type ? type : "", org.id);
        if (stmt == NULL) {
            rc = -1;
            break;
        }
        while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
            json_t *doc = cpw_json_load_cstr(cpw_sbx_col(stmt, 0));
            if (json_is_object(doc)) {
                s_merge(merged, doc, 0);
                found++;
            }
            cpw_error_clear();
            json_decref(doc);
        }
        cpw_sbx_sql_done(stmt);
    }
    if (rc < 0 || found == 0) {
        json_decref(merged);
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 400, "EffectivePolicyNotFoundException",
                                     "We can't find an effective policy of the specified type "
                                     "for the specified target.");
    }
    json_t *effective = s_resolve(merged, 0);
    json_decref(merged);
    char *content = cpw_json_dump_cstr(effective, CPW_JSON_DUMP_COMPACT);
    json_decref(effective);
    if (content == NULL) {
        return -1;
    }
    *output = json_pack("{s:{s:s,s:o,s:s,s:s}}", "EffectivePolicy", "PolicyContent", content,
                        "LastUpdatedTimestamp", cpw_sbx_time_json(ctx->req->now_ms), "TargetId",
                        target, "PolicyType", type ? type : "");
    cpw_free(content);
    return 0;
}
