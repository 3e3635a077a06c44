/*
 * store_backups.c - the backups index in the state store: every backup file `cpwarden backup`
 * wrote, with its account, region, domain, path, sha256 and counts, so `document` and `apply`
 * can tell whether a domain was backed up before it is deleted.
 */
#include <string.h>

#include <jansson.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/time.h"
#include "store_internal.h"

static const char *s_text(sqlite3_stmt *stmt, int col)
{
    const unsigned char *t = sqlite3_column_text(stmt, col);
    return t ? (const char *)t : "";
}

static uint64_t s_count(const json_t *counts, const char *name)
{
    json_int_t v = json_integer_value(json_object_get(counts, name));
    return v > 0 ? (uint64_t)v : 0;
}

int cpw_store_backup_add(struct cpw_store *store,
                         const struct cpw_store_backup *backup,
                         int64_t *id_out)
{
    char created[CPW_TIME_ISO8601_LEN + 1] = "";
    if (cpw_time_format_iso8601(backup->created_at_s ? backup->created_at_s : cpw_time_now_s(),
                                created)) {
        return -1;
    }
    const struct cpw_backup_counts *c = &backup->counts;
    json_t *counts =
      json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "profiles", (json_int_t)c->profiles, "objects",
                (json_int_t)c->objects, "object_types", (json_int_t)c->object_types, "integrations",
                (json_int_t)c->integrations, "event_streams", (json_int_t)c->event_streams,
                "calculated_attributes", (json_int_t)c->calculated_attributes, "records",
                (json_int_t)backup->records);
    struct cpw_buf counts_text;
    cpw_buf_init(&counts_text, 4096);
    int dumped = cpw_json_dump(counts, &counts_text);
    json_decref(counts);
    if (dumped) {
        return -1;
    }
    sqlite3_stmt *stmt = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(store->db,
                           "INSERT INTO backups (created_at, account, region, domain, path, sha256,"
                           " counts) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           -1, &stmt, NULL) != SQLITE_OK) {
        cpw_store_raise(store, "preparing to record a backup");
        goto cleanup;
    }
    sqlite3_bind_text(stmt, 1, created, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, backup->account ? backup->account : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, backup->region ? backup->region : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, backup->domain ? backup->domain : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, backup->path ? backup->path : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 6, backup->sha256 ? backup->sha256 : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 7, cpw_buf_cstr(&counts_text), -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        cpw_store_raise(store, "recording a backup");
        goto cleanup;
    }
    if (id_out) {
        *id_out = sqlite3_last_insert_rowid(store->db);
    }
    rc = 0;
cleanup:
    sqlite3_finalize(stmt);
    cpw_buf_clean_up(&counts_text);
    return rc;
}

void cpw_store_backup_list_free(struct cpw_store_backup *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++) {
        cpw_free(list[i].account);
        cpw_free(list[i].region);
        cpw_free(list[i].domain);
        cpw_free(list[i].path);
        cpw_free(list[i].sha256);
    }
    cpw_free(list);
}

int cpw_store_backup_list(struct cpw_store *store,
                          const char *account,
                          const char *region,
                          const char *domain,
                          struct cpw_store_backup **out,
                          size_t *count)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(store->db,
                           "SELECT id, created_at, account, region, domain, path, sha256, counts "
                           "FROM backups WHERE (?1 IS NULL OR account = ?1) AND "
                           "(?2 IS NULL OR region = ?2) AND (?3 IS NULL OR domain = ?3) "
                           "ORDER BY created_at DESC, id DESC",
                           -1, &stmt, NULL) != SQLITE_OK) {
        return cpw_store_raise(store, "preparing to list backups");
    }
    if (account) {
        sqlite3_bind_text(stmt, 1, account, -1, SQLITE_STATIC);
    }
    if (region) {
        sqlite3_bind_text(stmt, 2, region, -1, SQLITE_STATIC);
    }
    if (domain) {
        sqlite3_bind_text(stmt, 3, domain, -1, SQLITE_STATIC);
    }
    struct cpw_store_backup *list = NULL;
    size_t n = 0;
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        list = cpw_realloc(list, (n + 1) * sizeof(*list));
        struct cpw_store_backup *b = &list[n++];
        memset(b, 0, sizeof(*b));
        b->id = sqlite3_column_int64(stmt, 0);
        int64_t ms = 0;
        if (cpw_time_parse_iso8601_ms(cpw_span_from_cstr(s_text(stmt, 1)), &ms) == 0) {
            b->created_at_s = ms / 1000;
        }
        b->account = cpw_strdup(s_text(stmt, 2));
        b->region = cpw_strdup(s_text(stmt, 3));
        b->domain = cpw_strdup(s_text(stmt, 4));
        b->path = cpw_strdup(s_text(stmt, 5));
        b->sha256 = cpw_strdup(s_text(stmt, 6));
        json_t *counts = cpw_json_load_cstr(s_text(stmt, 7));
        b->counts = (struct cpw_backup_counts){
            .profiles = s_count(counts, "profiles"),
            .objects = s_count(counts, "objects"),
            .object_types = s_count(counts, "object_types"),
            .integrations = s_count(counts, "integrations"),
            .event_streams = s_count(counts, "event_streams"),
            .calculated_attributes = s_count(counts, "calculated_attributes"),
        };
        b->records = s_count(counts, "records");
        json_decref(counts);
    }
    if (step != SQLITE_DONE) {
        cpw_store_raise(store, "listing backups");
        sqlite3_finalize(stmt);
        cpw_store_backup_list_free(list, n);
        return -1;
    }
    sqlite3_finalize(stmt);
    *out = list;
    *count = n;
    return 0;
}
