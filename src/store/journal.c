/*
 * journal.c - the clean-up journal's queries: runs and steps of `cpwarden apply`, the set of
 * actions already done for a plan (resume), and the change log for `cpwarden history`. Every
 * write is its own transaction on a connection in synchronous=FULL mode, so a record is on disk
 * before the AWS call it announces (or after the call it reports) goes on.
 */
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/journal.h"
#include "cpw/time.h"
#include "store_internal.h"

static void s_now(char out[CPW_TIME_ISO8601_LEN + 1])
{
    if (cpw_time_format_iso8601(cpw_time_now_s(), out) != 0) {
        out[0] = '\0';
    }
}

static char *s_col(sqlite3_stmt *stmt, int i)
{
    const unsigned char *text = sqlite3_column_text(stmt, i);
    return cpw_strdup(text ? (const char *)text : "");
}

/* Runs one prepared write to completion as its own transaction. */
static int s_write(struct cpw_store *store, sqlite3_stmt *stmt, const char *doing)
{
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) {
        return cpw_store_raise(store, doing);
    }
    return 0;
}

static sqlite3_stmt *s_prepare(struct cpw_store *store, const char *sql, const char *doing)
{
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        cpw_store_raise(store, doing);
        sqlite3_finalize(stmt);
        return NULL;
    }
    return stmt;
}

int cpw_journal_run_start(struct cpw_store *store,
                          const struct cpw_journal_run_info *info,
                          int64_t *run_id)
{
    if (!info || !info->plan_checksum) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "a journal run needs the plan's checksum");
    }
    /* WAL + synchronous=FULL: every commit is fsync'd before it returns. */
    if (sqlite3_exec(store->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK) {
        return cpw_store_raise(store, "making the journal durable");
    }
    sqlite3_stmt *stmt = s_prepare(store,
                                   "INSERT INTO journal_runs (plan_checksum, plan_path, caller_arn,"
                                   " account, started_at, finished_at, outcome)"
                                   " VALUES (?, ?, ?, ?, ?, '', 'running')",
                                   "preparing a journal run");
    if (!stmt) {
        return -1;
    }
    char now[CPW_TIME_ISO8601_LEN + 1];
    s_now(now);
    sqlite3_bind_text(stmt, 1, info->plan_checksum, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, info->plan_path ? info->plan_path : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, info->caller_arn ? info->caller_arn : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, info->account ? info->account : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, now, -1, SQLITE_TRANSIENT);
    if (s_write(store, stmt, "starting a journal run")) {
        return -1;
    }
    *run_id = sqlite3_last_insert_rowid(store->db);
    return 0;
}

int cpw_journal_run_finish(struct cpw_store *store, int64_t run_id, const char *outcome)
{
    sqlite3_stmt *stmt =
      s_prepare(store, "UPDATE journal_runs SET finished_at = ?, outcome = ? WHERE id = ?",
                "preparing to finish a journal run");
    if (!stmt) {
        return -1;
    }
    char now[CPW_TIME_ISO8601_LEN + 1];
    s_now(now);
    sqlite3_bind_text(stmt, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, outcome ? outcome : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 3, run_id);
    return s_write(store, stmt, "finishing a journal run");
}

int cpw_journal_step_intent(struct cpw_store *store,
                            int64_t run_id,
                            const char *action_id,
                            const char *kind,
                            const char *target,
                            int64_t *step_id)
{
    sqlite3_stmt *stmt = s_prepare(store,
                                   "INSERT INTO journal_steps (run_id, action_id, kind, target,"
                                   " intent_at, result_at, outcome, detail, data)"
                                   " VALUES (?, ?, ?, ?, ?, '', 'started', '', '')",
                                   "preparing a journal intent");
    if (!stmt) {
        return -1;
    }
    char now[CPW_TIME_ISO8601_LEN + 1];
    s_now(now);
    sqlite3_bind_int64(stmt, 1, run_id);
    sqlite3_bind_text(stmt, 2, action_id ? action_id : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, kind ? kind : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, target ? target : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, now, -1, SQLITE_TRANSIENT);
    if (s_write(store, stmt, "writing a journal intent")) {
        return -1;
    }
    *step_id = sqlite3_last_insert_rowid(store->db);
    return 0;
}

int cpw_journal_step_result(struct cpw_store *store,
                            int64_t step_id,
                            const char *outcome,
                            const char *detail,
                            const char *data)
{
    sqlite3_stmt *stmt = s_prepare(store,
                                   "UPDATE journal_steps SET result_at = ?, outcome = ?,"
                                   " detail = ?, data = ? WHERE id = ?",
                                   "preparing a journal result");
    if (!stmt) {
        return -1;
    }
    char now[CPW_TIME_ISO8601_LEN + 1];
    s_now(now);
    sqlite3_bind_text(stmt, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, outcome ? outcome : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, detail ? detail : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, data ? data : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 5, step_id);
    return s_write(store, stmt, "writing a journal result");
}

int cpw_journal_done_list(struct cpw_store *store,
                          const char *plan_checksum,
                          struct cpw_journal_done **out,
                          size_t *count)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt = s_prepare(store,
                                   "SELECT s.action_id, s.outcome, s.data FROM journal_steps s"
                                   " JOIN journal_runs r ON s.run_id = r.id"
                                   " WHERE r.plan_checksum = ? AND s.outcome IN ('done', 'already')"
                                   " ORDER BY s.id",
                                   "preparing to read the journal");
    if (!stmt) {
        return -1;
    }
    sqlite3_bind_text(stmt, 1, plan_checksum, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        *out = cpw_realloc(*out, (*count + 1) * sizeof(**out));
        struct cpw_journal_done *d = &(*out)[(*count)++];
        d->action_id = s_col(stmt, 0);
        d->outcome = s_col(stmt, 1);
        d->data = s_col(stmt, 2);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) {
        cpw_journal_done_free(*out, *count);
        *out = NULL;
        *count = 0;
        return cpw_store_raise(store, "reading the journal");
    }
    return 0;
}

void cpw_journal_done_free(struct cpw_journal_done *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++) {
        cpw_free(list[i].action_id);
        cpw_free(list[i].outcome);
        cpw_free(list[i].data);
    }
    cpw_free(list);
}

int cpw_journal_interrupted_list(struct cpw_store *store,
                                 const char *plan_checksum,
                                 struct cpw_journal_interrupted **out,
                                 size_t *count)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt = s_prepare(store,
                                   "SELECT s.action_id, s.run_id, s.intent_at FROM journal_steps s"
                                   " JOIN journal_runs r ON s.run_id = r.id"
                                   " WHERE r.plan_checksum = ? AND s.outcome = 'started'"
                                   " ORDER BY s.id",
                                   "preparing to read the journal's interrupted steps");
    if (!stmt) {
        return -1;
    }
    sqlite3_bind_text(stmt, 1, plan_checksum, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        *out = cpw_realloc(*out, (*count + 1) * sizeof(**out));
        struct cpw_journal_interrupted *x = &(*out)[(*count)++];
        x->action_id = s_col(stmt, 0);
        x->run_id = sqlite3_column_int64(stmt, 1);
        x->intent_at = s_col(stmt, 2);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) {
        cpw_journal_interrupted_free(*out, *count);
        *out = NULL;
        *count = 0;
        return cpw_store_raise(store, "reading the journal's interrupted steps");
    }
    return 0;
}

void cpw_journal_interrupted_free(struct cpw_journal_interrupted *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++) {
        cpw_free(list[i].action_id);
        cpw_free(list[i].intent_at);
    }
    cpw_free(list);
}

int64_t cpw_journal_run_count(struct cpw_store *store, const char *plan_checksum)
{
    sqlite3_stmt *stmt =
      s_prepare(store, "SELECT count(*) FROM journal_runs WHERE plan_checksum = ?",
                "preparing to count journal runs");
    if (!stmt) {
        return -1;
    }
    sqlite3_bind_text(stmt, 1, plan_checksum, -1, SQLITE_STATIC);
    int64_t n = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        n = sqlite3_column_int64(stmt, 0);
    } else {
        cpw_store_raise(store, "counting journal runs");
    }
    sqlite3_finalize(stmt);
    return n;
}

int cpw_journal_list(struct cpw_store *store,
                     const struct cpw_journal_filter *filter,
                     struct cpw_journal_entry **out,
                     size_t *count)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt = s_prepare(
      store,
      "SELECT s.run_id, CASE s.result_at WHEN '' THEN s.intent_at ELSE s.result_at END AS at,"
      " r.caller_arn, r.plan_checksum, r.plan_path, s.action_id, s.kind, s.target,"
      " CASE s.outcome WHEN 'started' THEN 'interrupted' ELSE s.outcome END, s.detail"
      " FROM journal_steps s JOIN journal_runs r ON s.run_id = r.id"
      " WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR substr(r.plan_checksum, 1, length(?2))"
      " = lower(?2)) ORDER BY s.id",
      "preparing to read the change log");
    if (!stmt) {
        return -1;
    }
    if (filter && filter->since) {
        sqlite3_bind_text(stmt, 1, filter->since, -1, SQLITE_STATIC);
    }
    if (filter && filter->plan_prefix) {
        sqlite3_bind_text(stmt, 2, filter->plan_prefix, -1, SQLITE_STATIC);
    }
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        *out = cpw_realloc(*out, (*count + 1) * sizeof(**out));
        struct cpw_journal_entry *e = &(*out)[(*count)++];
        e->run_id = sqlite3_column_int64(stmt, 0);
        e->at = s_col(stmt, 1);
        e->caller_arn = s_col(stmt, 2);
        e->plan_checksum = s_col(stmt, 3);
        e->plan_path = s_col(stmt, 4);
        e->action_id = s_col(stmt, 5);
        e->kind = s_col(stmt, 6);
        e->target = s_col(stmt, 7);
        e->outcome = s_col(stmt, 8);
        e->detail = s_col(stmt, 9);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) {
        cpw_journal_entries_free(*out, *count);
        *out = NULL;
        *count = 0;
        return cpw_store_raise(store, "reading the change log");
    }
    return 0;
}

void cpw_journal_entries_free(struct cpw_journal_entry *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++) {
        cpw_free(list[i].at);
        cpw_free(list[i].caller_arn);
        cpw_free(list[i].plan_checksum);
        cpw_free(list[i].plan_path);
        cpw_free(list[i].action_id);
        cpw_free(list[i].kind);
        cpw_free(list[i].target);
        cpw_free(list[i].outcome);
        cpw_free(list[i].detail);
    }
    cpw_free(list);
}
