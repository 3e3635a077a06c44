/*
 * customer_profiles.c - Amazon Connect Customer Profiles in the sandbox (signing name "profile"):
 * the state schema, the helpers the other customer_profiles_*.c files share (paging, items inside
 * a domain, ARNs), the domain operations, and the service's operation table.
 *
 * Each domain gets its own AWSServiceRoleForProfile_<suffix> service-linked role when it is
 * created (docs/aws-facts.md §1: "each domain requires a dedicated SLR"); DeleteDomain deletes the
 * domain with everything in it at once and leaves the role to an asynchronous clean-up
 * (contact_lifecycle.c), which the knobs can make fail.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "customer_profiles_config.h"
#include "sbx_contact.h"
#include "sbx_cp_profiles.h"

#define DOMAIN_QUOTA 100 /* per account and region (docs/aws-facts.md §6.1) */
#define LIST_MAX     100

static const char s_schema[] =
  "CREATE TABLE IF NOT EXISTS cp_domains("
  " account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,"
  " created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, doc TEXT NOT NULL,"
  " role_name TEXT, PRIMARY KEY(account_id, region, name)) STRICT;"
  "CREATE TABLE IF NOT EXISTS cp_items("
  " account_id TEXT NOT NULL, region TEXT NOT NULL, domain TEXT NOT NULL, kind TEXT NOT NULL,"
  " name TEXT NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
  " doc TEXT NOT NULL, PRIMARY KEY(account_id, region, domain, kind, name),"
  " FOREIGN KEY(account_id, region, domain) REFERENCES cp_domains(account_id, region, name)"
  " ON DELETE CASCADE) STRICT;"
  "CREATE INDEX IF NOT EXISTS cp_items_by_kind ON cp_items(account_id, region, kind, name);"
  "CREATE TABLE IF NOT EXISTS contact_role_cleanups("
  " account_id TEXT NOT NULL, role_name TEXT NOT NULL COLLATE NOCASE, principal TEXT NOT NULL,"
  " due_ms INTEGER NOT NULL, PRIMARY KEY(account_id, role_name)) STRICT;"
  "CREATE TABLE IF NOT EXISTS connect_instances("
  " account_id TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, arn TEXT NOT NULL UNIQUE,"
  " alias TEXT, created_ms INTEGER NOT NULL, active_ms INTEGER NOT NULL,"
  " identity_type TEXT NOT NULL, inbound INTEGER NOT NULL, outbound INTEGER NOT NULL,"
  " service_role TEXT NOT NULL, tags TEXT NOT NULL DEFAULT '{}',"
  " PRIMARY KEY(account_id, region, id)) STRICT;";

/* ----- shared helpers ---------------------------------------------------------------------- */

const char *cpw_cp_region(const struct cpw_sbx_ctx *ctx)
{
    const char *region = ctx->req->caller->region;
    return region != NULL && region[0] != '\0' ? region : "us-east-1";
}

static int s_vfail(struct cpw_sbx_ctx *ctx,
                   long status,
                   const char *code,
                   const char *fmt,
                   va_list ap)
{
    char message[512];
    vsnprintf(message, sizeof(message), fmt, ap);
    return cpw_sbx_fail(ctx, status, code, "%s", message);
}

int cpw_cp_bad(struct cpw_sbx_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = s_vfail(ctx, 400, "BadRequestException", fmt, ap);
    va_end(ap);
    return rc;
}

int cpw_cp_not_found(struct cpw_sbx_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = s_vfail(ctx, 404, "ResourceNotFoundException", fmt, ap);
    va_end(ap);
    return rc;
}

void cpw_cp_arn(const struct cpw_sbx_ctx *ctx,
                const char *domain,
                const char *suffix,
                char *out,
                size_t cap)
{
    snprintf(out, cap, "arn:%s:profile:%s:%s:domains/%s%s%s", cpw_sbx_ctx_partition(ctx),
             cpw_cp_region(ctx), ctx->req->caller->account_id, domain, suffix ? "/" : "",
             suffix ? suffix : "");
}

int cpw_cp_paging(struct cpw_sbx_ctx *ctx,
                  const json_t *input,
                  int64_t max,
                  int64_t *offset,
                  int64_t *limit)
{
    const char *token = cpw_sbx_in_str(input, "NextToken");
    uint64_t off = 0;
    if (token != NULL && cpw_span_to_u64(cpw_span_from_cstr(token), 1u << 30, &off) != 0) {
        cpw_error_clear();
        return cpw_cp_bad(ctx, "The NextToken is not valid.");
    }
    *offset = (int64_t)off;
    if (cpw_sbx_in_int(input, "MaxResults", max, limit) != 0 || *limit < 1 || *limit > max) {
        cpw_error_clear();
        return cpw_cp_bad(ctx, "MaxResults must be between 1 and %lld.", (long long)max);
    }
    return 0;
}

void cpw_cp_next_token(json_t *result, int64_t offset, int64_t limit, bool more)
{
    if (more) {
        char next[32];
        snprintf(next, sizeof(next), "%lld", (long long)offset + (long long)limit);
        json_object_set_new(result, "NextToken", json_string(next));
    }
}

int cpw_cp_check_tags(struct cpw_sbx_ctx *ctx, const json_t *tags)
{
    if (tags == NULL) {
        return 0;
    }
    if (!json_is_object(tags) || json_object_size(tags) > 50) {
        return cpw_cp_bad(ctx, "Tags must be a map of at most 50 tags.");
    }
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)tags, key, value)
    {
        if (strncmp(key, "aws:", 4) == 0 || strlen(key) == 0 || strlen(key) > 128 ||
            !json_is_string(value) || strlen(json_string_value(value)) > 256) {
            return cpw_cp_bad(ctx, "Tag %s is not valid.", key);
        }
    }
    return 0;
}

int cpw_cp_need_domain(struct cpw_sbx_ctx *ctx, const char *domain)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT 1 FROM cp_domains WHERE account_id = ? AND region = ? AND name = ?", "sss",
      ctx->req->caller->account_id, cpw_cp_region(ctx), domain);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return cpw_cp_not_found(ctx, "Domain %s does not exist.", domain ? domain : "");
    }
    return rc < 0 ? -1 : 0;
}

static json_t *s_with_times(const char *doc_text, int64_t created_ms, int64_t updated_ms)
{
    json_t *doc = cpw_json_load_cstr(doc_text);
    if (doc == NULL) {
        doc = json_object();
    }
    json_object_set_new(doc, "CreatedAt", cpw_sbx_time_json(created_ms));
    json_object_set_new(doc, "LastUpdatedAt", cpw_sbx_time_json(updated_ms));
    return doc;
}

int cpw_cp_item_get(struct cpw_sbx_ctx *ctx,
                    const char *domain,
                    const char *kind,
                    const char *name,
                    json_t **doc)
{
    *doc = NULL;
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT doc, created_ms, updated_ms FROM cp_items WHERE account_id = ? AND region = ?"
      " AND domain = ? AND kind = ? AND name = ?",
      "sssss", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, kind, name);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        *doc = s_with_times(cpw_sbx_col(stmt, 0), sqlite3_column_int64(stmt, 1),
                            sqlite3_column_int64(stmt, 2));
    }
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : 0;
}

int cpw_cp_item_put(struct cpw_sbx_ctx *ctx,
                    const char *domain,
                    const char *kind,
                    const char *name,
                    const json_t *doc)
{
    json_t *copy = json_deep_copy(doc);
    json_object_del(copy, "CreatedAt");
    json_object_del(copy, "LastUpdatedAt");
    char *text = cpw_json_dump_cstr(copy, CPW_JSON_DUMP_COMPACT);
    json_decref(copy);
    int rc = cpw_sbx_sql_do(
      ctx->db,
      "INSERT INTO cp_items(account_id, region, domain, kind, name, created_ms, updated_ms, doc)"
      " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(account_id, region, domain, kind, name)"
      " DO UPDATE SET updated_ms = excluded.updated_ms, doc = excluded.doc",
      "sssssiis", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, kind, name,
      ctx->req->now_ms, ctx->req->now_ms, text);
    cpw_free(text);
    return rc < 0 ? -1 : 0;
}

int cpw_cp_item_delete(struct cpw_sbx_ctx *ctx,
                       const char *domain,
                       const char *kind,
                       const char *name)
{
    return cpw_sbx_sql_do(ctx->db,
                          "DELETE FROM cp_items WHERE account_id = ? AND region = ? AND domain = ?"
                          " AND kind = ? AND name = ?",
                          "sssss", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, kind,
                          name);
}

int64_t cpw_cp_item_count(struct cpw_sbx_ctx *ctx, const char *domain, const char *kind)
{
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db,
                        "SELECT count(*) FROM cp_items WHERE account_id = ?"
                        " AND region = ? AND domain = ? AND kind = ?",
                        "ssss", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, kind);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    int64_t n = rc == 1 ? sqlite3_column_int64(stmt, 0) : -1;
    cpw_sbx_sql_done(stmt);
    return n;
}

int cpw_cp_item_list(struct cpw_sbx_ctx *ctx,
                     const json_t *input,
                     const char *domain,
                     const char *kind,
                     cpw_cp_item_fn item_fn,
                     json_t **output)
{
    int64_t offset = 0;
    int64_t limit = LIST_MAX;
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc == 0) {
        rc = cpw_cp_paging(ctx, input, LIST_MAX, &offset, &limit);
    }
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT doc, created_ms, updated_ms FROM cp_items WHERE account_id = ? AND region = ?"
      " AND domain = ? AND kind = ? ORDER BY name LIMIT ? OFFSET ?",
      "ssssii", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, kind, limit + 1, offset);
    if (stmt == NULL) {
        return -1;
    }
    json_t *items = json_array();
    json_t *result = json_pack("{s:o}", "Items", items);
    bool more = false;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        if ((int64_t)json_array_size(items) == limit) {
            more = true;
            break;
        }
        json_t *doc = s_with_times(cpw_sbx_col(stmt, 0), sqlite3_column_int64(stmt, 1),
                                   sqlite3_column_int64(stmt, 2));
        if (item_fn != NULL) {
            json_t *item = item_fn(doc);
            json_decref(doc);
            doc = item;
        }
        json_array_append_new(items, doc);
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(result);
        return -1;
    }
    cpw_cp_next_token(result, offset, limit, more);
    *output = result;
    return 0;
}

/* ----- domains ----------------------------------------------------------------------------- */

static bool s_domain_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 64) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

static const char *const s_domain_settings[] = { "DefaultExpirationDays",
                                                 "DefaultEncryptionKey",
                                                 "DeadLetterQueueUrl",
                                                 "Matching",
                                                 "RuleBasedMatching",
                                                 "DataStore",
                                                 "Tags" };

/* The domain's stored document (owned) with times and name; NULL when absent. 0 or -1. */
static int s_domain_doc(struct cpw_sbx_ctx *ctx, const char *name, json_t **doc)
{
    *doc = NULL;
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT doc, created_ms, updated_ms FROM cp_domains WHERE account_id = ? AND region = ?"
      " AND name = ?",
      "sss", ctx->req->caller->account_id, cpw_cp_region(ctx), name);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        *doc = s_with_times(cpw_sbx_col(stmt, 0), sqlite3_column_int64(stmt, 1),
                            sqlite3_column_int64(stmt, 2));
        json_object_set_new(*doc, "DomainName", json_string(name));
    }
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : 0;
}

static int s_check_expiration(struct cpw_sbx_ctx *ctx,
                              const json_t *input,
                              bool required,
                              int64_t *days_out)
{
    int64_t days = 0;
    const json_t *v = json_object_get(input, "DefaultExpirationDays");
    if (v == NULL) {
        return required ? cpw_cp_bad(ctx, "DefaultExpirationDays is required.") : 0;
    }
    if (cpw_sbx_in_int(input, "DefaultExpirationDays", 0, &days) != 0 || days < 1 || days > 1098) {
        cpw_error_clear();
        return cpw_cp_bad(ctx, "DefaultExpirationDays must be between 1 and 1098.");
    }
    *days_out = days;
    return 0;
}

static int s_store_domain(struct cpw_sbx_ctx *ctx,
                          const char *name,
                          const json_t *doc,
                          bool insert,
                          const char *role_name)
{
    char *text = cpw_json_dump_cstr(doc, CPW_JSON_DUMP_COMPACT);
    int rc;
    if (insert) {
        rc = cpw_sbx_sql_do(ctx->db,
                            "INSERT INTO cp_domains(account_id, region, name, created_ms,"
                            " updated_ms, doc, role_name) VALUES (?,?,?,?,?,?,?)",
                            "sssiiss", ctx->req->caller->account_id, cpw_cp_region(ctx), name,
                            ctx->req->now_ms, ctx->req->now_ms, text, role_name);
    } else {
        rc = cpw_sbx_sql_do(ctx->db,
                            "UPDATE cp_domains SET doc = ?, updated_ms = ? WHERE account_id = ?"
                            " AND region = ? AND name = ?",
                            "sisss", text, ctx->req->now_ms, ctx->req->caller->account_id,
                            cpw_cp_region(ctx), name);
    }
    cpw_free(text);
    return rc < 0 ? -1 : 0;
}

static int s_create_domain(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "DomainName");
    if (!s_domain_name_ok(name)) {
        return cpw_cp_bad(ctx, "DomainName must be 1 to 64 characters of [a-zA-Z0-9_-].");
    }
    int64_t days = 0;
    int rc = s_check_expiration(ctx, input, true, &days);
    if (rc == 0) {
        rc = cpw_cp_check_tags(ctx, json_object_get(input, "Tags"));
    }
    if (rc != 0) {
        return rc;
    }
    char arn[400];
    cpw_cp_arn(ctx, name, NULL, arn, sizeof(arn));
    cpw_sbx_add_resource(ctx, "AWS::CustomerProfiles::Domain", arn);
    json_t *existing = NULL;
    if (s_domain_doc(ctx, name, &existing) != 0) {
        return -1;
    }
    if (existing != NULL) {
        json_decref(existing);
        return cpw_cp_bad(ctx, "Domain %s already exists.", name);
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT count(*) FROM cp_domains WHERE account_id = ? AND region = ?", "ss",
      ctx->req->caller->account_id, cpw_cp_region(ctx));
    if (stmt == NULL || cpw_sbx_sql_step(stmt) != 1) {
        cpw_sbx_sql_done(stmt);
        return -1;
    }
    int64_t count = sqlite3_column_int64(stmt, 0);
    cpw_sbx_sql_done(stmt);
    if (count >= DOMAIN_QUOTA) {
        return cpw_cp_bad(
          ctx, "You have reached the maximum number of domains (%d) in this Region.", DOMAIN_QUOTA);
    }
    /* The domain's own service-linked role, created by the service with the caller's rights. */
    char role_name[128];
    char role_arn[512];
    rc = cpw_sbx_contact_create_role(ctx, ctx->req->caller->account_id, CPW_CP_PRINCIPAL, NULL,
                                     role_name, sizeof(role_name), role_arn, sizeof(role_arn));
    if (rc != 0) {
        return rc;
    }
    json_t *doc = json_object();
    for (size_t i = 0; i < sizeof(s_domain_settings) / sizeof(s_domain_settings[0]); i++) {
        const json_t *v = json_object_get(input, s_domain_settings[i]);
        if (v != NULL) {
            json_object_set_new(doc, s_domain_settings[i], json_deep_copy(v));
        }
    }
    json_object_set_new(doc, "DefaultExpirationDays", json_integer((json_int_t)days));
    rc = s_store_domain(ctx, name, doc, true, role_name);
    json_decref(doc);
    if (rc != 0 || s_domain_doc(ctx, name, output) != 0) {
        return -1;
    }
    return 0;
}

static int s_get_domain(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "DomainName");
    json_t *doc = NULL;
    if (s_domain_doc(ctx, name, &doc) != 0) {
        return -1;
    }
    if (doc == NULL) {
        return cpw_cp_not_found(ctx, "Domain %s does not exist.", name ? name : "");
    }
    /* Stats are computed from what the domain holds. */
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db,
                        "SELECT coalesce(sum(kind = ?), 0), coalesce(sum(kind = ?), 0),"
                        " coalesce(sum(CASE WHEN kind IN (?, ?) THEN length(doc) ELSE 0 END), 0)"
                        " FROM cp_items WHERE account_id = ? AND region = ? AND domain = ?",
                        "sssssss", CPW_CP_PROFILE, CPW_CP_OBJECT, CPW_CP_PROFILE, CPW_CP_OBJECT,
                        ctx->req->caller->account_id, cpw_cp_region(ctx), name);
    if (stmt == NULL || cpw_sbx_sql_step(stmt) != 1) {
        cpw_sbx_sql_done(stmt);
        json_decref(doc);
        return -1;
    }
    json_object_set_new(doc, "Stats",
                        json_pack("{s:I,s:I,s:I,s:I}", "ProfileCount",
                                  (json_int_t)sqlite3_column_int64(stmt, 0), "MeteringProfileCount",
                                  (json_int_t)sqlite3_column_int64(stmt, 0), "ObjectCount",
                                  (json_int_t)sqlite3_column_int64(stmt, 1), "TotalSize",
                                  (json_int_t)sqlite3_column_int64(stmt, 2)));
    cpw_sbx_sql_done(stmt);
    *output = doc;
    return 0;
}

static int s_list_domains(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    int64_t offset = 0;
    int64_t limit = LIST_MAX;
    int rc = cpw_cp_paging(ctx, input, LIST_MAX, &offset, &limit);
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT name, created_ms, updated_ms, json_extract(doc, '$.Tags') FROM cp_domains"
      " WHERE account_id = ? AND region = ? ORDER BY name LIMIT ? OFFSET ?",
      "ssii", ctx->req->caller->account_id, cpw_cp_region(ctx), limit + 1, offset);
    if (stmt == NULL) {
        return -1;
    }
    json_t *items = json_array();
    json_t *result = json_pack("{s:o}", "Items", items);
    bool more = false;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        if ((int64_t)json_array_size(items) == limit) {
            more = true;
            break;
        }
        json_t *item = json_pack("{s:s,s:o,s:o}", "DomainName", cpw_sbx_col(stmt, 0), "CreatedAt",
                                 cpw_sbx_time_json(sqlite3_column_int64(stmt, 1)), "LastUpdatedAt",
                                 cpw_sbx_time_json(sqlite3_column_int64(stmt, 2)));
        json_t *tags = cpw_json_load_cstr(cpw_sbx_col(stmt, 3));
        if (json_object_size(tags) > 0) {
            json_object_set(item, "Tags", tags);
        }
        json_decref(tags);
        json_array_append_new(items, item);
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(result);
        return -1;
    }
    cpw_cp_next_token(result, offset, limit, more);
    *output = result;
    return 0;
}

static int s_update_domain(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "DomainName");
    json_t *doc = NULL;
    if (s_domain_doc(ctx, name, &doc) != 0) {
        return -1;
    }
    if (doc == NULL) {
        return cpw_cp_not_found(ctx, "Domain %s does not exist.", name ? name : "");
    }
    int64_t days = 0;
    int rc = s_check_expiration(ctx, input, false, &days);
    if (rc == 0) {
        rc = cpw_cp_check_tags(ctx, json_object_get(input, "Tags"));
    }
    if (rc != 0) {
        json_decref(doc);
        return rc;
    }
    json_object_del(doc, "CreatedAt");
    json_object_del(doc, "LastUpdatedAt");
    json_object_del(doc, "DomainName");
    for (size_t i = 0; i < sizeof(s_domain_settings) / sizeof(s_domain_settings[0]); i++) {
        const json_t *v = json_object_get(input, s_domain_settings[i]);
        if (v != NULL) {
            json_object_set_new(doc, s_domain_settings[i], json_deep_copy(v));
        }
    }
    if (days > 0) {
        json_object_set_new(doc, "DefaultExpirationDays", json_integer((json_int_t)days));
    }
    rc = s_store_domain(ctx, name, doc, false, NULL);
    json_decref(doc);
    char arn[400];
    cpw_cp_arn(ctx, name, NULL, arn, sizeof(arn));
    cpw_sbx_add_resource(ctx, "AWS::CustomerProfiles::Domain", arn);
    return rc != 0 || s_domain_doc(ctx, name, output) != 0 ? -1 : 0;
}

/* 1 when an integration of the domain points at a Connect instance that still exists. */
static int s_used_by_live_instance(struct cpw_sbx_ctx *ctx, const char *name)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT 1 FROM cp_items i JOIN connect_instances c ON c.arn = i.name"
      " WHERE i.account_id = ? AND i.region = ? AND i.domain = ? AND i.kind = ?",
      "ssss", ctx->req->caller->account_id, cpw_cp_region(ctx), name, CPW_CP_INTEGRATION);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    cpw_sbx_sql_done(stmt);
    return rc;
}

static int s_delete_domain(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "DomainName");
    char arn[400];
    cpw_cp_arn(ctx, name ? name : "", NULL, arn, sizeof(arn));
    cpw_sbx_add_resource(ctx, "AWS::CustomerProfiles::Domain", arn);
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db,
                        "SELECT role_name FROM cp_domains WHERE account_id = ?"
                        " AND region = ? AND name = ?",
                        "sss", ctx->req->caller->account_id, cpw_cp_region(ctx), name);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    char role_name[128] = "";
    if (rc == 1) {
        snprintf(role_name, sizeof(role_name), "%s", cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    if (rc <= 0) {
        return rc < 0 ? -1 : cpw_cp_not_found(ctx, "Domain %s does not exist.", name ? name : "");
    }
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_current(ctx->sbx, &knobs);
    const char *why = knobs.delete_domain_failure_message;
    switch (knobs.delete_domain_failure) {
    case CPW_SBX_DELETE_DOMAIN_INTERNAL:
        rc = cpw_sbx_fail(ctx, 500, "InternalServerException", "%s",
                          why[0] ? why : "An internal error occurred while deleting the domain.");
        ctx->err->receiver = true;
        return rc;
    case CPW_SBX_DELETE_DOMAIN_DENIED:
        return cpw_sbx_fail(ctx, 403, "AccessDeniedException", "%s",
                            why[0] ? why
                                   : "You do not have sufficient access to perform this action.");
    case CPW_SBX_DELETE_DOMAIN_IN_USE:
        rc = s_used_by_live_instance(ctx, name);
        if (rc != 0) {
            return rc < 0 ? -1
                          : cpw_cp_bad(ctx, "%s",
                                       why[0] ? why
                                              : "The domain is in use by an Amazon Connect "
                                                "instance; remove the integration first.");
        }
        break;
    case CPW_SBX_DELETE_DOMAIN_OK:
        break;
    }
    /* Everything inside goes with the domain (docs/aws-facts.md §8); cp_items cascade. */
    if (cpw_sbx_sql_do(ctx->db,
                       "DELETE FROM cp_domains WHERE account_id = ? AND region = ? AND name = ?",
                       "sss", ctx->req->caller->account_id, cpw_cp_region(ctx), name) < 0) {
        return -1;
    }
    if (role_name[0] != '\0' && !knobs.domain_role_persists &&
        cpw_sbx_contact_schedule_role_cleanup(
          ctx, ctx->req->caller->account_id, role_name, CPW_CP_PRINCIPAL,
          ctx->req->now_ms + knobs.domain_role_cleanup_ms) != 0) {
        return -1;
    }
    *output = json_pack("{s:s}", "Message", "Domain Deleted");
    return 0;
}

/* ----- the service ------------------------------------------------------------------------- */

static const struct cpw_sbx_op s_ops[] = {
    { "CreateDomain", s_create_domain },
    { "GetDomain", s_get_domain },
    { "ListDomains", s_list_domains },
    { "UpdateDomain", s_update_domain },
    { "DeleteDomain", s_delete_domain },
    { "PutIntegration", cpw_cp_put_integration },
    { "GetIntegration", cpw_cp_get_integration },
    { "ListIntegrations", cpw_cp_list_integrations },
    { "DeleteIntegration", cpw_cp_delete_integration },
    { "ListAccountIntegrations", cpw_cp_list_account_integrations },
    { "ListWorkflows", cpw_cp_list_workflows },
    { "PutProfileObjectType", cpw_cp_put_object_type },
    { "GetProfileObjectType", cpw_cp_get_object_type },
    { "ListProfileObjectTypes", cpw_cp_list_object_types },
    { "DeleteProfileObjectType", cpw_cp_delete_object_type },
    { "ListProfileObjectTypeTemplates", cpw_cp_list_templates },
    { "GetProfileObjectTypeTemplate", cpw_cp_get_template },
    { "CreateProfile", cpw_cp_create_profile },
    { "UpdateProfile", cpw_cp_update_profile },
    { "SearchProfiles", cpw_cp_search_profiles },
    { "ListProfileAttributeValues", cpw_cp_list_profile_attribute_values },
    { "DeleteProfile", cpw_cp_delete_profile },
    { "PutProfileObject", cpw_cp_put_profile_object },
    { "ListProfileObjects", cpw_cp_list_profile_objects },
    { "CreateEventStream", cpw_cp_create_event_stream },
    { "GetEventStream", cpw_cp_get_event_stream },
    { "ListEventStreams", cpw_cp_list_event_streams },
    { "DeleteEventStream", cpw_cp_delete_event_stream },
    { "CreateCalculatedAttributeDefinition", cpw_cp_create_calc_attr },
    { "GetCalculatedAttributeDefinition", cpw_cp_get_calc_attr },
    { "ListCalculatedAttributeDefinitions", cpw_cp_list_calc_attrs },
    { "UpdateCalculatedAttributeDefinition", cpw_cp_update_calc_attr },
    { "DeleteCalculatedAttributeDefinition", cpw_cp_delete_calc_attr },
    { "TagResource", cpw_cp_tag_resource },
    { "UntagResource", cpw_cp_untag_resource },
    { "ListTagsForResource", cpw_cp_list_tags },
    { "CreateDomainLayout", cpw_cp_create_domain_layout },
    { "GetDomainLayout", cpw_cp_get_domain_layout },
    { "UpdateDomainLayout", cpw_cp_update_domain_layout },
    { "DeleteDomainLayout", cpw_cp_delete_domain_layout },
    { "ListDomainLayouts", cpw_cp_list_domain_layouts },
    { "PutDomainObjectType", cpw_cp_put_domain_object_type },
    { "GetDomainObjectType", cpw_cp_get_domain_object_type },
    { "ListDomainObjectTypes", cpw_cp_list_domain_object_types },
    { "DeleteDomainObjectType", cpw_cp_delete_domain_object_type },
    { "CreateEventTrigger", cpw_cp_create_event_trigger },
    { "GetEventTrigger", cpw_cp_get_event_trigger },
    { "UpdateEventTrigger", cpw_cp_update_event_trigger },
    { "DeleteEventTrigger", cpw_cp_delete_event_trigger },
    { "ListEventTriggers", cpw_cp_list_event_triggers },
    { "CreateSegmentDefinition", cpw_cp_create_segment_definition },
    { "GetSegmentDefinition", cpw_cp_get_segment_definition },
    { "ListSegmentDefinitions", cpw_cp_list_segment_definitions },
    { "DeleteSegmentDefinition", cpw_cp_delete_segment_definition },
    { "CreateSegmentEstimate", cpw_cp_create_segment_estimate },
    { "GetSegmentEstimate", cpw_cp_get_segment_estimate },
    { "GetSegmentMembership", cpw_cp_get_segment_membership },
    { "CreateSegmentSnapshot", cpw_cp_create_segment_snapshot },
    { "GetSegmentSnapshot", cpw_cp_get_segment_snapshot },
    { "CreateIntegrationWorkflow", cpw_cp_create_integration_workflow },
    { "GetWorkflow", cpw_cp_get_workflow },
    { "GetWorkflowSteps", cpw_cp_get_workflow_steps },
    { "DeleteWorkflow", cpw_cp_delete_workflow },
    { "CreateUploadJob", cpw_cp_create_upload_job },
    { "GetUploadJob", cpw_cp_get_upload_job },
    { "GetUploadJobPath", cpw_cp_get_upload_job_path },
    { "ListUploadJobs", cpw_cp_list_upload_jobs },
    { "StartUploadJob", cpw_cp_start_upload_job },
    { "StopUploadJob", cpw_cp_stop_upload_job },
    /* Profile keys, merges and history (customer_profiles_keys.c, _history.c). */
    { "AddProfileKey", cpw_cp_add_profile_key },
    { "DeleteProfileKey", cpw_cp_delete_profile_key },
    { "DeleteProfileObject", cpw_cp_delete_profile_object },
    { "BatchGetProfile", cpw_cp_batch_get_profile },
    { "MergeProfiles", cpw_cp_merge_profiles },
    { "GetProfileHistoryRecord", cpw_cp_get_profile_history_record },
    { "ListProfileHistoryRecords", cpw_cp_list_profile_history_records },
    /* Calculated attributes of a profile (customer_profiles_calculated.c). */
    { "GetCalculatedAttributeForProfile", cpw_cp_get_calc_attr_for_profile },
    { "BatchGetCalculatedAttributeForProfile", cpw_cp_batch_get_calc_attr_for_profile },
    { "ListCalculatedAttributesForProfile", cpw_cp_list_calc_attrs_for_profile },
    /* Object type analytics (customer_profiles_analytics.c). */
    { "DetectProfileObjectType", cpw_cp_detect_object_type },
    { "GetObjectTypeAttributeStatistics", cpw_cp_get_attribute_statistics },
    { "ListObjectTypeAttributes", cpw_cp_list_object_type_attributes },
    { "ListObjectTypeAttributeValues", cpw_cp_list_object_type_attribute_values },
    /* Identity resolution (customer_profiles_matching.c, _matching_jobs.c). */
    { "GetMatches", cpw_cp_get_matches },
    { "ListRuleBasedMatches", cpw_cp_list_rule_based_matches },
    { "GetSimilarProfiles", cpw_cp_get_similar_profiles },
    { "GetAutoMergingPreview", cpw_cp_get_auto_merging_preview },
    { "GetIdentityResolutionJob", cpw_cp_get_identity_resolution_job },
    { "ListIdentityResolutionJobs", cpw_cp_list_identity_resolution_jobs },
    /* Recommenders, their filters, schemas and recipes (customer_profiles_recommenders.c). */
    { "CreateRecommender", cpw_cp_create_recommender },
    { "GetRecommender", cpw_cp_get_recommender },
    { "UpdateRecommender", cpw_cp_update_recommender },
    { "DeleteRecommender", cpw_cp_delete_recommender },
    { "ListRecommenders", cpw_cp_list_recommenders },
    { "StartRecommender", cpw_cp_start_recommender },
    { "StopRecommender", cpw_cp_stop_recommender },
    { "CreateRecommenderFilter", cpw_cp_create_recommender_filter },
    { "GetRecommenderFilter", cpw_cp_get_recommender_filter },
    { "DeleteRecommenderFilter", cpw_cp_delete_recommender_filter },
    { "ListRecommenderFilters", cpw_cp_list_recommender_filters },
    { "CreateRecommenderSchema", cpw_cp_create_recommender_schema },
    { "GetRecommenderSchema", cpw_cp_get_recommender_schema },
    { "DeleteRecommenderSchema", cpw_cp_delete_recommender_schema },
    { "ListRecommenderSchemas", cpw_cp_list_recommender_schemas },
    { "ListRecommenderRecipes", cpw_cp_list_recommender_recipes },
    { "GetProfileRecommendations", cpw_cp_get_profile_recommendations },
};

const struct cpw_sbx_service cpw_sbx_profile_service = {
    .signing_name = "profile",
    .model_name = "customer-profiles",
    .event_source = "profile.amazonaws.com",
    .global = false,
    .ops = s_ops,
    .op_count = sizeof(s_ops) / sizeof(s_ops[0]),
    .schema_sql = s_schema,
};
