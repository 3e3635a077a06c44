/*
 * customer_profiles_config.c - what the handlers of a domain's configuration kinds share
 * (customer_profiles_config.h): resource ARNs, "the item or 404", member copying, generated ids,
 * the job delay knob, and List* answers with their own page sizes, orders and filters.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "cpw/json.h"
#include "customer_profiles_config.h"

#define LIST_SCAN_MAX 100000 /* rows one List* call looks at (bounded loop) */

void cpw_cp_cfg_resource(struct cpw_sbx_ctx *ctx,
                         const char *domain,
                         const char *path,
                         const char *name,
                         const char *type,
                         char *out,
                         size_t cap)
{
    char suffix[400];
    snprintf(suffix, sizeof(suffix), "%s/%s", path, name ? name : "");
    cpw_cp_arn(ctx, domain ? domain : "", suffix, out, cap);
    cpw_sbx_add_resource(ctx, type, out);
}

int cpw_cp_cfg_need(struct cpw_sbx_ctx *ctx,
                    const char *domain,
                    const char *kind,
                    const char *name,
                    const char *what,
                    json_t **doc)
{
    *doc = NULL;
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    if (cpw_cp_item_get(ctx, domain, kind, name ? name : "", doc) != 0) {
        return -1;
    }
    if (*doc == NULL) {
        return cpw_cp_not_found(ctx, "%s %s does not exist in domain %s.", what, name ? name : "",
                                domain);
    }
    return 0;
}

json_t *cpw_cp_cfg_pick(const json_t *src, const char *const *keys, size_t n)
{
    json_t *out = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_object_get(src, keys[i]);
        if (v != NULL) {
            json_object_set_new(out, keys[i], json_deep_copy(v));
        }
    }
    return out;
}

void cpw_cp_cfg_merge(json_t *doc, const json_t *input, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_object_get(input, keys[i]);
        if (v != NULL) {
            json_object_set_new(doc, keys[i], json_deep_copy(v));
        }
    }
}

void cpw_cp_cfg_strip(json_t *doc)
{
    const char *key;
    void *tmp;
    json_t *v;
    json_object_foreach_safe(doc, tmp, key, v)
    {
        if (key[0] == '_') {
            json_object_del(doc, key);
        }
    }
}

int cpw_cp_cfg_hex_id(char out[33])
{
    return cpw_sbx_random_chars(out, 32, "0123456789abcdef");
}

int64_t cpw_cp_cfg_job_ms(const struct cpw_sbx_ctx *ctx)
{
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_current(ctx->sbx, &knobs);
    return knobs.profile_job_ms;
}

int cpw_cp_cfg_list(struct cpw_sbx_ctx *ctx,
                    const json_t *input,
                    const char *kind,
                    int64_t max_results,
                    bool newest_first,
                    cpw_cp_cfg_item_fn item_fn,
                    json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    int64_t offset = 0;
    int64_t limit = max_results;
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc == 0) {
        rc = cpw_cp_paging(ctx, input, max_results, &offset, &limit);
    }
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      newest_first
        ? "SELECT doc, created_ms, updated_ms FROM cp_items WHERE account_id = ? AND region = ?"
          " AND domain = ? AND kind = ? ORDER BY created_ms DESC, name LIMIT ?"
        : "SELECT doc, created_ms, updated_ms FROM cp_items WHERE account_id = ? AND region = ?"
          " AND domain = ? AND kind = ? ORDER BY name LIMIT ?",
      "ssssi", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, kind,
      (int64_t)LIST_SCAN_MAX);
    if (stmt == NULL) {
        return -1;
    }
    json_t *items = json_array();
    json_t *result = json_pack("{s:o}", "Items", items);
    int64_t kept = 0;
    bool more = false;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        const char *text = cpw_sbx_col(stmt, 0);
        json_t *doc = NULL;
        if (cpw_json_load(cpw_span_from_cstr(text), CPW_JSON_MAX_TEXT_BYTES, &doc) != 0) {
            rc = -1;
            break;
        }
        cpw_json_set_take(doc, "CreatedAt", cpw_sbx_time_json(sqlite3_column_int64(stmt, 1)));
        cpw_json_set_take(doc, "LastUpdatedAt", cpw_sbx_time_json(sqlite3_column_int64(stmt, 2)));
        json_t *item = item_fn != NULL ? item_fn(ctx, input, doc) : json_deep_copy(doc);
        cpw_json_release(doc);
        if (item == NULL) {
            continue;
        }
        cpw_cp_cfg_strip(item);
        if (kept++ < offset) {
            cpw_json_release(item);
            continue;
        }
        if ((int64_t)json_array_size(items) == limit) {
            cpw_json_release(item);
            more = true;
            break;
        }
        cpw_json_append_take(items, item);
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        cpw_json_release(result);
        return -1;
    }
    cpw_cp_next_token(result, offset, limit, more);
    *output = result;
    return 0;
}
