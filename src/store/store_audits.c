/*
 * store_audits.c - `cpwarden audit` reports and `cpwarden document` records in the state store
 * (schema version 4): a report is kept whole so that the next audit can say what was fixed and
 * what is new; a documentation record says which domain was documented when, for the audit's
 * documentation rule.
 */
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/time.h"
#include "store_internal.h"

#define DOCUMENT_MAX_BYTES (64u * 1024u * 1024u)

static void s_iso(int64_t epoch_s, char out[CPW_TIME_ISO8601_LEN + 1])
{
    if (cpw_time_format_iso8601(epoch_s, out) != 0) {
        out[0] = '\0';
    }
}

static int64_t s_parse_iso(const unsigned char *text)
{
    int64_t ms = 0;
    if (!text || cpw_time_parse_iso8601_ms(cpw_span_from_cstr((const char *)text), &ms) != 0) {
        return 0;
    }
    return ms / 1000;
}

int cpw_store_audit_save(struct cpw_store *store,
                         int64_t ran_at_s,
                         const char *scope,
                         struct cpw_span document,
                         int64_t *id_out)
{
    if (document.len > DOCUMENT_MAX_BYTES) {
        return cpw_raise(CPW_ERR_LIMIT, "an audit report of %zu bytes is too large", document.len);
    }
    char ran[CPW_TIME_ISO8601_LEN + 1];
    s_iso(ran_at_s, ran);
    sqlite3_stmt *stmt = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(store->db,
                           "INSERT INTO audits (ran_at, scope, document) VALUES (?, ?, ?)", -1,
                           &stmt, NULL) != SQLITE_OK) {
        cpw_store_raise(store, "preparing to save an audit");
        goto cleanup;
    }
    sqlite3_bind_text(stmt, 1, ran, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, scope ? scope : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, (const char *)document.ptr, (int)document.len, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        cpw_store_raise(store, "saving an audit");
        goto cleanup;
    }
    if (id_out) {
        *id_out = sqlite3_last_insert_rowid(store->db);
    }
    rc = 0;
cleanup:
    sqlite3_finalize(stmt);
    return rc;
}

int cpw_store_audit_latest(struct cpw_store *store, const char *scope, struct cpw_buf *out)
{
    sqlite3_stmt *stmt = NULL;
    const char *sql = scope ? "SELECT document FROM audits WHERE scope = ? "
                              "ORDER BY ran_at DESC, id DESC LIMIT 1"
                            : "SELECT document FROM audits ORDER BY ran_at DESC, id DESC LIMIT 1";
    if (sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        return cpw_store_raise(store, "preparing to load an audit");
    }
    if (scope) {
        sqlite3_bind_text(stmt, 1, scope, -1, SQLITE_STATIC);
    }
    int rc = -1;
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW) {
        const void *text = sqlite3_column_text(stmt, 0);
        size_t len = (size_t)sqlite3_column_bytes(stmt, 0);
        rc = cpw_buf_append(out, cpw_span_from(text, len));
    } else if (step == SQLITE_DONE) {
        cpw_raise(CPW_ERR_NOT_FOUND, "no earlier audit%s%s in %s", scope ? " of " : "",
                  scope ? scope : "", store->path);
    } else {
        cpw_store_raise(store, "loading an audit");
    }
    sqlite3_finalize(stmt);
    return rc;
}

int cpw_store_document_save(struct cpw_store *store,
                            const char *account,
                            const char *region,
                            const char *domain,
                            int64_t created_at_s,
                            struct cpw_span document)
{
    if (document.len > DOCUMENT_MAX_BYTES) {
        return cpw_raise(CPW_ERR_LIMIT, "a domain document of %zu bytes is too large",
                         document.len);
    }
    if (!account || !region || !domain) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "a document record needs its domain's place");
    }
    char created[CPW_TIME_ISO8601_LEN + 1];
    s_iso(created_at_s, created);
    sqlite3_stmt *stmt = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(store->db,
                           "INSERT INTO documents (created_at, account, region, domain, document)"
                           " VALUES (?, ?, ?, ?, ?)",
                           -1, &stmt, NULL) != SQLITE_OK) {
        cpw_store_raise(store, "preparing to save a document record");
        goto cleanup;
    }
    sqlite3_bind_text(stmt, 1, created, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, domain, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, (const char *)document.ptr, (int)document.len, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        cpw_store_raise(store, "saving a document record");
        goto cleanup;
    }
    rc = 0;
cleanup:
    sqlite3_finalize(stmt);
    return rc;
}

void cpw_store_document_list_free(struct cpw_store_document_info *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++) {
        cpw_free(list[i].account);
        cpw_free(list[i].region);
        cpw_free(list[i].domain);
    }
    cpw_free(list);
}

int cpw_store_document_latest(struct cpw_store *store,
                              struct cpw_store_document_info **out,
                              size_t *count)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(store->db,
                           "SELECT account, region, domain, MAX(created_at) FROM documents "
                           "GROUP BY account, region, domain ORDER BY account, region, domain",
                           -1, &stmt, NULL) != SQLITE_OK) {
        return cpw_store_raise(store, "preparing to list document records");
    }
    struct cpw_store_document_info *list = NULL;
    size_t n = 0;
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        list = cpw_realloc(list, (n + 1) * sizeof(*list));
        struct cpw_store_document_info *info = &list[n++];
        info->account = cpw_strdup((const char *)sqlite3_column_text(stmt, 0));
        info->region = cpw_strdup((const char *)sqlite3_column_text(stmt, 1));
        info->domain = cpw_strdup((const char *)sqlite3_column_text(stmt, 2));
        info->created_at_s = s_parse_iso(sqlite3_column_text(stmt, 3));
    }
    if (step != SQLITE_DONE) {
        cpw_store_raise(store, "listing document records");
        sqlite3_finalize(stmt);
        cpw_store_document_list_free(list, n);
        return -1;
    }
    sqlite3_finalize(stmt);
    *out = list;
    *count = n;
    return 0;
}
