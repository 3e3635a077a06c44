/*
 * customer_profiles_history.c - profile history records of Customer Profiles in the sandbox:
 * GetProfileHistoryRecord and ListProfileHistoryRecords, the hook every profile and profile
 * object change calls (cpw_cp_history_add), and the small helpers the other profile files share.
 *
 * A record is written for each CreateProfile (CREATED), UpdateProfile (UPDATED), DeleteProfile
 * (DELETED_BY_CUSTOMER), PutProfileObject (INGESTED, with the object's type and unique key),
 * DeleteProfileObject (DELETED_BY_CUSTOMER), AddProfileKey / DeleteProfileKey
 * (ADDED_PROFILE_KEY / DELETED_PROFILE_KEY), and MergeProfiles (MERGED on the main profile,
 * DELETED_BY_MERGE on each merged one). Profile-level records carry ObjectTypeName "_profile".
 * PerformedBy is the caller's principal ARN; Content is the profile or object after the change.
 * Records outlive their profile (so a merge or a deletion stays visible) and go with the domain.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "sbx_cp_profiles.h"

#define LIST_MAX    100
#define CONTENT_MAX 256000

int cpw_cp_digest_id(const char *text, char out[33])
{
    uint8_t digest[CPW_SHA256_LEN];
    if (cpw_sha256(cpw_span_from_cstr(text), digest) != 0) {
        return -1;
    }
    cpw_hex_encode_to(out, digest, 16);
    return 0;
}

int cpw_cp_need_profile(struct cpw_sbx_ctx *ctx,
                        const char *domain,
                        const char *profile_id,
                        json_t **doc)
{
    *doc = NULL;
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    if (cpw_cp_item_get(ctx, domain, CPW_CP_PROFILE, profile_id ? profile_id : "", doc) != 0) {
        return -1;
    }
    if (*doc == NULL) {
        return cpw_cp_not_found(ctx, "Profile %s does not exist.", profile_id ? profile_id : "");
    }
    return 0;
}

void cpw_cp_number_text(double value, char *out, size_t cap)
{
    if (value == (double)(long long)value && value > -1e15 && value < 1e15) {
        snprintf(out, cap, "%lld", (long long)value);
    } else {
        snprintf(out, cap, "%.6g", value);
    }
}

int cpw_cp_domain_doc(struct cpw_sbx_ctx *ctx, const char *domain, json_t **doc)
{
    *doc = NULL;
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT doc FROM cp_domains WHERE account_id = ? AND region = ? AND name = ?", "sss",
      ctx->req->caller->account_id, cpw_cp_region(ctx), domain ? domain : "");
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1 &&
        cpw_json_load(cpw_span_from_cstr(cpw_sbx_col(stmt, 0)), CPW_CP_DOC_MAX, doc) != 0) {
        cpw_error_clear();
        *doc = json_object();
    }
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : 0;
}

int cpw_cp_history_add(struct cpw_sbx_ctx *ctx,
                       const char *domain,
                       const char *profile_id,
                       const char *action,
                       const char *object_type,
                       const char *unique_key,
                       const json_t *content)
{
    char id[33];
    if (cpw_sbx_random_chars(id, 32, "0123456789abcdef") != 0) {
        return -1;
    }
    json_t *doc = json_object();
    cpw_json_set_take(doc, "Id", json_string(id));
    cpw_json_set_take(doc, "ProfileId", json_string(profile_id));
    cpw_json_set_take(doc, "ActionType", json_string(action));
    cpw_json_set_take(doc, "ObjectTypeName",
                      json_string(object_type ? object_type : CPW_CP_PROFILE_SCOPE));
    if (unique_key != NULL) {
        cpw_json_set_take(doc, "ProfileObjectUniqueKey", json_string(unique_key));
    }
    cpw_json_set_take(doc, "PerformedBy",
                      json_string(ctx->req->caller->principal_arn ? ctx->req->caller->principal_arn
                                                                  : ctx->req->caller->account_id));
    if (content != NULL) {
        struct cpw_buf text;
        cpw_buf_init(&text, CONTENT_MAX);
        if (cpw_json_dump(content, &text) == 0 && text.len > 0) {
            cpw_json_set_take(doc, "Content", json_string(cpw_buf_cstr(&text)));
        }
        cpw_error_clear(); /* a content past the model's 256,000 characters is left out */
        cpw_buf_clean_up(&text);
    }
    int rc = cpw_cp_item_put(ctx, domain, CPW_CP_HISTORY, id, doc);
    cpw_json_release(doc);
    return rc;
}

int cpw_cp_get_profile_history_record(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *profile_id = cpw_sbx_in_str(input, "ProfileId");
    const char *id = cpw_sbx_in_str(input, "Id");
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    json_t *doc = NULL;
    if (cpw_cp_item_get(ctx, domain, CPW_CP_HISTORY, id ? id : "", &doc) != 0) {
        return -1;
    }
    const char *owner = cpw_json_get_string(doc, "ProfileId");
    if (doc == NULL || profile_id == NULL || owner == NULL || strcmp(owner, profile_id) != 0) {
        cpw_json_release(doc);
        return cpw_cp_not_found(ctx, "History record %s does not exist for profile %s.",
                                id ? id : "", profile_id ? profile_id : "");
    }
    json_object_del(doc, "ProfileId");
    *output = doc;
    return 0;
}

int cpw_cp_list_profile_history_records(struct cpw_sbx_ctx *ctx,
                                        const json_t *input,
                                        json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *profile_id = cpw_sbx_in_str(input, "ProfileId");
    const char *action = cpw_sbx_in_str(input, "ActionType");
    const char *type = cpw_sbx_in_str(input, "ObjectTypeName");
    const char *by = cpw_sbx_in_str(input, "PerformedBy");
    int64_t offset = 0;
    int64_t limit = LIST_MAX;
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc == 0) {
        rc = cpw_cp_paging(ctx, input, LIST_MAX, &offset, &limit);
    }
    if (rc != 0) {
        return rc;
    }
    /* A profile that never existed has no history: 404; a deleted one keeps its records. */
    json_t *profile = NULL;
    if (cpw_cp_item_get(ctx, domain, CPW_CP_PROFILE, profile_id ? profile_id : "", &profile) != 0) {
        return -1;
    }
    bool exists = profile != NULL;
    cpw_json_release(profile);
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT doc, created_ms, updated_ms FROM cp_items WHERE account_id = ? AND region = ?"
      " AND domain = ? AND kind = ? AND json_extract(doc, '$.ProfileId') = ?"
      " AND (? = '' OR json_extract(doc, '$.ActionType') = ?)"
      " AND (? = '' OR json_extract(doc, '$.ObjectTypeName') = ?)"
      " AND (? = '' OR json_extract(doc, '$.PerformedBy') = ?)"
      " ORDER BY rowid DESC LIMIT ? OFFSET ?",
      "sssssssssssii", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, CPW_CP_HISTORY,
      profile_id ? profile_id : "", action ? action : "", action ? action : "", type ? type : "",
      type ? type : "", by ? by : "", by ? by : "", limit + 1, offset);
    if (stmt == NULL) {
        return -1;
    }
    json_t *items = json_array();
    bool more = false;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        if ((int64_t)json_array_size(items) == limit) {
            more = true;
            break;
        }
        json_t *doc = NULL;
        if (cpw_json_load(cpw_span_from_cstr(cpw_sbx_col(stmt, 0)), CPW_CP_DOC_MAX, &doc) != 0) {
            rc = -1;
            break;
        }
        json_object_del(doc, "ProfileId");
        json_object_del(doc, "Content");
        cpw_json_set_take(doc, "CreatedAt", cpw_sbx_time_json(sqlite3_column_int64(stmt, 1)));
        cpw_json_set_take(doc, "LastUpdatedAt", cpw_sbx_time_json(sqlite3_column_int64(stmt, 2)));
        cpw_json_append_take(items, doc);
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        cpw_json_release(items);
        return -1;
    }
    if (!exists && json_array_size(items) == 0 && offset == 0) {
        cpw_json_release(items);
        return cpw_cp_not_found(ctx, "Profile %s does not exist.", profile_id ? profile_id : "");
    }
    json_t *result = json_object();
    cpw_json_set_take(result, "ProfileHistoryRecords", items);
    cpw_cp_next_token(result, offset, limit, more);
    *output = result;
    return 0;
}
