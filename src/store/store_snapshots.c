/*
 * store_snapshots.c - inventory snapshots in the state store: save a JSON document with who
 * scanned what, list them newest first, and read one back. The store keeps documents; turning
 * them into inventories is the inventory module's (inventory_snapshot.c).
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

int cpw_store_snapshot_save_document(struct cpw_store *store,
                                     const struct cpw_store_snapshot_doc *doc,
                                     int64_t *id_out)
{
    sqlite3_stmt *stmt = NULL;
    int rc = -1;
    if (doc->document.len > DOCUMENT_MAX_BYTES || doc->document.len > INT32_MAX) {
        return cpw_raise(CPW_ERR_LIMIT, "a snapshot document of %zu bytes is too large",
                         doc->document.len);
    }
    char scanned[CPW_TIME_ISO8601_LEN + 1] = "";
    char saved[CPW_TIME_ISO8601_LEN + 1] = "";
    if (doc->scanned_at_s != 0) {
        s_iso(doc->scanned_at_s, scanned);
    }
    s_iso(cpw_time_now_s(), saved);
    if (sqlite3_prepare_v2(store->db,
                           "INSERT INTO snapshots (scanned_at, saved_at, identity, scope, schema, "
                           "document) VALUES (?, ?, ?, ?, ?, ?)",
                           -1, &stmt, NULL) != SQLITE_OK) {
        cpw_store_raise(store, "preparing to save a snapshot");
        goto cleanup;
    }
    sqlite3_bind_text(stmt, 1, scanned, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, saved, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 3, doc->identity ? doc->identity : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, doc->scope ? doc->scope : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 5, doc->schema);
    sqlite3_bind_text(stmt, 6, (const char *)doc->document.ptr, (int)doc->document.len,
                      SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        cpw_store_raise(store, "saving a snapshot");
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

void cpw_store_snapshot_list_free(struct cpw_store_snapshot_info *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++) {
        cpw_free(list[i].identity);
        cpw_free(list[i].scope);
    }
    cpw_free(list);
}

int cpw_store_snapshot_list(struct cpw_store *store,
                            size_t limit,
                            struct cpw_store_snapshot_info **out,
                            size_t *count)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(
          store->db,
          "SELECT id, scanned_at, saved_at, identity, scope, schema FROM snapshots "
          "ORDER BY scanned_at DESC, id DESC LIMIT ?",
          -1, &stmt, NULL) != SQLITE_OK) {
        return cpw_store_raise(store, "preparing to list snapshots");
    }
    sqlite3_bind_int64(stmt, 1, limit ? (sqlite3_int64)limit : -1);
    struct cpw_store_snapshot_info *list = NULL;
    size_t n = 0;
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        list = cpw_realloc(list, (n + 1) * sizeof(*list));
        struct cpw_store_snapshot_info *info = &list[n++];
        info->id = sqlite3_column_int64(stmt, 0);
        info->scanned_at_s = s_parse_iso(sqlite3_column_text(stmt, 1));
        info->saved_at_s = s_parse_iso(sqlite3_column_text(stmt, 2));
        info->identity = cpw_strdup((const char *)sqlite3_column_text(stmt, 3));
        info->scope = cpw_strdup((const char *)sqlite3_column_text(stmt, 4));
        info->schema = sqlite3_column_int(stmt, 5);
    }
    if (step != SQLITE_DONE) {
        cpw_store_raise(store, "listing snapshots");
        sqlite3_finalize(stmt);
        cpw_store_snapshot_list_free(list, n);
        return -1;
    }
    sqlite3_finalize(stmt);
    *out = list;
    *count = n;
    return 0;
}

int cpw_store_snapshot_document(struct cpw_store *store, int64_t id, struct cpw_buf *out)
{
    sqlite3_stmt *stmt = NULL;
    const char *sql = id ? "SELECT document FROM snapshots WHERE id = ?"
                         : "SELECT document FROM snapshots ORDER BY scanned_at DESC, id DESC "
                           "LIMIT 1";
    if (sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        return cpw_store_raise(store, "preparing to load a snapshot");
    }
    if (id) {
        sqlite3_bind_int64(stmt, 1, id);
    }
    int rc = -1;
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW) {
        const void *text = sqlite3_column_text(stmt, 0);
        size_t len = (size_t)sqlite3_column_bytes(stmt, 0);
        rc = cpw_buf_append(out, cpw_span_from(text, len));
    } else if (step == SQLITE_DONE) {
        if (id) {
            cpw_raise(CPW_ERR_NOT_FOUND, "no snapshot %lld in %s", (long long)id, store->path);
        } else {
            cpw_raise(CPW_ERR_NOT_FOUND, "no snapshot yet in %s", store->path);
        }
    } else {
        cpw_store_raise(store, "loading a snapshot");
    }
    sqlite3_finalize(stmt);
    return rc;
}
