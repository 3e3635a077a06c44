/*
 * store.c - opening cpwarden's SQLite state store: where it lives, its file modes, WAL, and the
 * ordered schema migrations. The snapshot queries are in store_snapshots.c, the backups index in
 * store_backups.c; the clean-up journal will get its own file beside them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/file.h"
#include "store_internal.h"

#define PATH_MAX_BYTES 4096

/*
 * Schema migrations, applied in order inside one transaction; migration i (0-based) brings the
 * database to version i + 1. Never edit a released migration: append a new one.
 * Version 2 is the clean-up journal of `cpwarden apply` (journal_runs, journal_steps: one row per
 * step with state and timestamps, so an interrupted run resumes). Planned next: version 3, the
 * backups index of `cpwarden backup` (backups: domain ARN, account, region, taken_at, file path,
 * sha256). Both belong to this same database.
 */
static const char *const s_migrations[] = {
    /* 1: inventory snapshots */
    "CREATE TABLE snapshots ("
    "  id INTEGER PRIMARY KEY,"
    "  scanned_at TEXT NOT NULL,"
    "  saved_at TEXT NOT NULL,"
    "  identity TEXT NOT NULL,"
    "  scope TEXT NOT NULL,"
    "  schema INTEGER NOT NULL,"
    "  document TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX snapshots_by_scan ON snapshots (scanned_at, id);",
    /* 2: the clean-up journal of `cpwarden apply` (src/store/journal.c) */
    "CREATE TABLE journal_runs ("
    "  id INTEGER PRIMARY KEY,"
    "  plan_checksum TEXT NOT NULL,"
    "  plan_path TEXT NOT NULL,"
    "  caller_arn TEXT NOT NULL,"
    "  account TEXT NOT NULL,"
    "  started_at TEXT NOT NULL,"
    "  finished_at TEXT NOT NULL,"
    "  outcome TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX journal_runs_by_plan ON journal_runs (plan_checksum, id);"
    "CREATE TABLE journal_steps ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER NOT NULL REFERENCES journal_runs (id),"
    "  action_id TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  target TEXT NOT NULL,"
    "  intent_at TEXT NOT NULL,"
    "  result_at TEXT NOT NULL,"
    "  outcome TEXT NOT NULL,"
    "  detail TEXT NOT NULL,"
    "  data TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX journal_steps_by_run ON journal_steps (run_id, id);",
    /* 3: the backups index of `cpwarden backup` (store_backups.c) */
    "CREATE TABLE backups ("
    "  id INTEGER PRIMARY KEY,"
    "  created_at TEXT NOT NULL,"
    "  account TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  domain TEXT NOT NULL,"
    "  path TEXT NOT NULL,"
    "  sha256 TEXT NOT NULL,"
    "  counts TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX backups_by_domain ON backups (account, region, domain, created_at);",
    /* 4: `cpwarden audit` reports and `cpwarden document` records (store_audits.c) */
    "CREATE TABLE audits ("
    "  id INTEGER PRIMARY KEY,"
    "  ran_at TEXT NOT NULL,"
    "  scope TEXT NOT NULL,"
    "  document TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX audits_by_scope ON audits (scope, ran_at, id);"
    "CREATE TABLE documents ("
    "  id INTEGER PRIMARY KEY,"
    "  created_at TEXT NOT NULL,"
    "  account TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  domain TEXT NOT NULL,"
    "  document TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX documents_by_domain ON documents (account, region, domain, created_at);",
};

#define MIGRATION_COUNT ((int)(sizeof(s_migrations) / sizeof(s_migrations[0])))

_Static_assert(MIGRATION_COUNT == CPW_STORE_SCHEMA_VERSION, "one migration per schema version");

int cpw_store_raise(struct cpw_store *store, const char *doing)
{
    return cpw_raise(CPW_ERR_STORE, "%s: %s: %s", store->path, doing,
                     store->db ? sqlite3_errmsg(store->db) : "no database");
}

int cpw_store_default_dir(struct cpw_buf *out)
{
    const char *xdg = getenv("XDG_STATE_HOME");
    if (xdg && xdg[0] == '/') { /* XDG Base Directory: relative paths are invalid, ignore */
        return cpw_buf_appendf(out, "%s/cpwarden", xdg);
    }
    const char *home = getenv("HOME");
    if (!home || home[0] != '/') {
        return cpw_raise(CPW_ERR_CONFIG,
                         "no state directory: set XDG_STATE_HOME or HOME, or pass --state DIR");
    }
    return cpw_buf_appendf(out, "%s/.local/state/cpwarden", home);
}

/* mkdir -p with mode 0700 for every directory it creates. */
static int s_make_dirs(char *path)
{
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0') {
            continue;
        }
        char saved = *p;
        *p = '\0';
        int rc = mkdir(path, 0700);
        int err = errno;
        *p = saved;
        if (rc != 0 && err != EEXIST) {
            return cpw_raise(CPW_ERR_IO, "cannot create directory %s: %s", path, strerror(err));
        }
        if (saved == '\0') {
            break;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return cpw_raise(CPW_ERR_IO, "%s is not a directory", path);
    }
    return 0;
}

/* Creates the database file 0600 before SQLite opens it, and tightens an existing one. */
static int s_prepare_file(const char *path)
{
    /* A database that is already right is not opened here: closing a descriptor of it would
     * drop every POSIX lock this process holds on it, under the feet of another connection of
     * the same process (SQLite's own descriptors are shared per file and closed with care). */
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
        (st.st_mode & 077) == 0) {
        return 0;
    }
    int fd = cpw_file_open_private(path, O_RDWR | O_CREAT); /* no symbolic link, 0600 */
    if (fd < 0) {
        return -1;
    }
    close(fd);
    return 0;
}

static int s_exec(struct cpw_store *store, const char *sql, const char *doing)
{
    char *message = NULL;
    if (sqlite3_exec(store->db, sql, NULL, NULL, &message) != SQLITE_OK) {
        cpw_raise(CPW_ERR_STORE, "%s: %s: %s", store->path, doing,
                  message ? message : sqlite3_errmsg(store->db));
        sqlite3_free(message);
        return -1;
    }
    return 0;
}

static int s_user_version(struct cpw_store *store, int *version)
{
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(store->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK ||
        sqlite3_step(stmt) != SQLITE_ROW) {
        sqlite3_finalize(stmt);
        return cpw_store_raise(store, "reading the schema version");
    }
    *version = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return 0;
}

static int s_migrate(struct cpw_store *store)
{
    if (s_exec(store, "BEGIN IMMEDIATE", "starting the schema upgrade")) {
        return -1;
    }
    int version = 0;
    if (s_user_version(store, &version)) {
        goto on_error;
    }
    if (version > MIGRATION_COUNT) {
        cpw_raise(CPW_ERR_STORE,
                  "%s: schema version %d is newer than this cpwarden understands (%d); "
                  "use a newer cpwarden or another --state directory",
                  store->path, version, MIGRATION_COUNT);
        goto on_error;
    }
    for (int v = version; v < MIGRATION_COUNT; v++) {
        char pragma[64];
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
        if (s_exec(store, s_migrations[v], "applying a schema migration") ||
            s_exec(store, pragma, "recording the schema version")) {
            goto on_error;
        }
    }
    if (s_exec(store, "COMMIT", "committing the schema upgrade")) {
        goto on_error;
    }
    store->schema_version = MIGRATION_COUNT;
    return 0;
on_error:
    sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

struct cpw_store *cpw_store_open(const struct cpw_store_options *opts)
{
    struct cpw_store *store = cpw_calloc(1, sizeof(*store));
    struct cpw_buf dir;
    cpw_buf_init(&dir, PATH_MAX_BYTES);
    int rc =
      (opts && opts->dir) ? cpw_buf_append_cstr(&dir, opts->dir) : cpw_store_default_dir(&dir);
    if (rc != 0) {
        goto on_error;
    }
    if (dir.len == 0) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT, "the state directory is empty");
        goto on_error;
    }
    while (dir.len > 1 && dir.data[dir.len - 1] == '/') {
        dir.data[--dir.len] = '\0';
    }
    if (s_make_dirs((char *)dir.data)) {
        goto on_error;
    }
    if (cpw_buf_appendf(&dir, "/%s", CPW_STORE_FILE_NAME)) {
        goto on_error;
    }
    store->path = cpw_buf_detach(&dir);
    if (s_prepare_file(store->path)) {
        goto on_error;
    }
    if (sqlite3_open_v2(store->path, &store->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW,
                        NULL) != SQLITE_OK) {
        cpw_store_raise(store, "opening the database");
        goto on_error;
    }
    sqlite3_busy_timeout(store->db, 5000);
    if (s_exec(store, "PRAGMA journal_mode = WAL", "switching to WAL") ||
        s_exec(store, "PRAGMA foreign_keys = ON", "enabling foreign keys") ||
        s_exec(store, "PRAGMA secure_delete = ON", "enabling secure delete") || s_migrate(store)) {
        goto on_error;
    }
    cpw_buf_clean_up(&dir);
    return store;
on_error:
    cpw_buf_clean_up(&dir);
    cpw_store_destroy(store);
    return NULL;
}

void cpw_store_destroy(struct cpw_store *store)
{
    if (!store) {
        return;
    }
    sqlite3_close_v2(store->db);
    cpw_free(store->path);
    cpw_free(store);
}

const char *cpw_store_path(const struct cpw_store *store)
{
    return store->path;
}

int cpw_store_schema_version(const struct cpw_store *store)
{
    return store->schema_version;
}
