/*
 * state.c - the sandbox's state store: one SQLite database in WAL mode (a file under --data DIR,
 * or, for the default "in memory" sandbox, a file in a private 0700 directory removed at close).
 *
 * Concurrency (sbx_state.h): one writer connection, guarded by the sandbox's lock, runs every
 * transaction that may write; up to CPW_SBX_READERS read connections serve reads in their own
 * WAL snapshots, so a read never waits on a write in progress and reads run in parallel. A read
 * begins after every write whose answer was sent has committed, so a client always reads its own
 * writes. Read connections refuse writes at prepare time (authorizer) and say so; dispatch then
 * runs the request again through the writer. An in-memory database cannot be shared that way
 * (":memory:" is per connection; a shared cache locks tables against readers), hence the file.
 *
 * Every connection opened here keeps its prepared statements (sql.c), finalized when it closes.
 *
 * Also here: the accounts table's helpers and the registration tables (services, role-usage
 * hooks). The identifiers and input getters every service file uses are in sbx_values.c.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/file.h"
#include "cpw/log.h"
#include "cpw/time.h"
#include "sbx_contact.h"
#include "sbx_state.h"

static const char s_core_schema[] =
  "CREATE TABLE IF NOT EXISTS accounts("
  " account_id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL,"
  " created_ms INTEGER NOT NULL) STRICT;"
  "CREATE TABLE IF NOT EXISTS access_keys("
  " access_key_id TEXT PRIMARY KEY, secret TEXT NOT NULL, session_token TEXT,"
  " expires_ms INTEGER,"
  " account_id TEXT NOT NULL REFERENCES accounts(account_id) ON DELETE CASCADE,"
  " principal_arn TEXT NOT NULL, user_id TEXT NOT NULL, user_name TEXT,"
  " status TEXT NOT NULL DEFAULT 'Active', created_ms INTEGER NOT NULL) STRICT;"
  "CREATE INDEX IF NOT EXISTS access_keys_by_user ON access_keys(account_id, user_name);"
  "CREATE TABLE IF NOT EXISTS events("
  " seq INTEGER PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL,"
  " event_id TEXT NOT NULL UNIQUE, event_time_ms INTEGER NOT NULL, event_name TEXT NOT NULL,"
  " event_source TEXT NOT NULL, read_only TEXT NOT NULL, username TEXT, access_key_id TEXT,"
  " resources TEXT NOT NULL, body TEXT NOT NULL) STRICT;"
  "CREATE INDEX IF NOT EXISTS events_by_time ON events(account_id, region, event_time_ms);";

/* ----- accounts ---------------------------------------------------------------------------- */

int cpw_sbx_account_exists(sqlite3 *db, const char *account_id)
{
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(db, "SELECT 1 FROM accounts WHERE account_id = ?", "s", account_id);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    cpw_sbx_sql_done(stmt);
    return rc;
}

int cpw_sbx_account_create(sqlite3 *db,
                           const char *account_id,
                           const char *name,
                           const char *email,
                           int64_t now_ms)
{
    return cpw_sbx_sql_do(db,
                          "INSERT OR IGNORE INTO accounts(account_id, name, email, created_ms) "
                          "VALUES (?, ?, ?, ?)",
                          "sssi", account_id, name, email, now_ms) < 0
             ? -1
             : 0;
}

static int s_seed_default_account(sqlite3 *db)
{
    int64_t now_ms = cpw_time_now_ms();
    if (cpw_sbx_account_create(db, CPW_SBX_DEFAULT_ACCOUNT, "sandbox", "root@example.com",
                               now_ms) != 0) {
        return -1;
    }
    return cpw_sbx_sql_do(db,
                          "INSERT OR IGNORE INTO access_keys(access_key_id, secret, account_id,"
                          " principal_arn, user_id, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
                          "sssssi", CPW_SBX_ROOT_ACCESS_KEY_ID, CPW_SBX_ROOT_SECRET_KEY,
                          CPW_SBX_DEFAULT_ACCOUNT, "arn:aws:iam::" CPW_SBX_DEFAULT_ACCOUNT ":root",
                          CPW_SBX_DEFAULT_ACCOUNT, now_ms) < 0
             ? -1
             : 0;
}

/* ----- connections ------------------------------------------------------------------------ */

#define LEDGER_MAX 32 /* key uses a read connection holds before its requests go to the writer */

struct key_use {
    uint64_t seq; /* request order across every ledger */
    int64_t used_ms;
    char access_key_id[32];
    char service[32];
    char region[32];
};

/*
 * Credentials a read connection looked up, kept for the next requests its thread serves. An
 * entry holds as long as the database has not changed since the lookup that made it began: it
 * carries the commit generation read before that lookup's snapshot, and the writer's commit hook
 * (s_wal_committed, run after every commit that wrote, before COMMIT returns and therefore
 * before the write's answer is sent) moves the generation on. A key deleted, deactivated or
 * replaced is thus refused from the next request on; expiry is judged at each lookup.
 */
#define CRED_KEEP 4 /* entries per read connection */

struct cred_entry {
    uint64_t generation; /* 0: empty */
    struct cpw_sbx_credentials creds;
};

struct cpw_sbx_reader {
    pthread_mutex_t lock;        /* held by the request using the connection */
    sqlite3 *db;                 /* NULL until first used */
    bool wanted_write;           /* the authorizer refused a write since the last reset */
    pthread_mutex_t ledger_lock; /* the ledger's: taken by its reader and by the writer's flush */
    struct key_use ledger[LEDGER_MAX];
    size_t ledger_count;
    struct cred_entry *creds; /* CRED_KEEP entries, with db; under lock; wiped */
    unsigned creds_next;      /* the entry the next miss replaces */
};

struct cpw_sbx_readers {
    char path[4096]; /* the database file */
    int lock_fd;     /* an in-memory sandbox's directory lock (flock), or -1 */
    bool disabled;   /* no file could be made: everything runs on the writer */
    struct cpw_sbx_reader slot[CPW_SBX_READERS];
    atomic_uint_fast64_t key_use_seq;
    atomic_uint_fast64_t reads;
    atomic_uint_fast64_t retried;
    /* Commits that wrote, plus one (s_wal_committed); 0 while credentials are not kept (not
     * in WAL mode on a private file: another process could change the keys unseen). */
    atomic_uint_fast64_t generation;
    atomic_uint_fast64_t cred_hits; /* lookups answered from a kept entry */
    void (*write_hook)(void *user);
    void *write_hook_user;
};

/* Statements a read connection may prepare; anything else would write and is refused. */
static int s_read_only_authorizer(void *user,
                                  int action,
                                  const char *a,
                                  const char *b,
                                  const char *c,
                                  const char *d)
{
    (void)a;
    (void)b;
    (void)c;
    (void)d;
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_TRANSACTION:
    case SQLITE_SAVEPOINT:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    default:
        ((struct cpw_sbx_reader *)user)->wanted_write = true;
        return SQLITE_DENY;
    }
}

/* Opens path with the settings every connection shares. */
static int s_connect(const char *path, bool private_file, sqlite3 **db)
{
    int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
    if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
        return cpw_raise(CPW_ERR_STORE, "open %s: %s", path,
                         *db ? sqlite3_errmsg(*db) : "out of memory");
    }
    cpw_sbx_sql_cache_attach(*db);
    sqlite3_busy_timeout(*db, 5000);
    /* The private file of an in-memory sandbox dies with the process: no need to survive a
     * power loss. */
    return cpw_sbx_sql_exec(*db, private_file ? "PRAGMA foreign_keys = ON;"
                                                "PRAGMA synchronous = OFF;"
                                              : "PRAGMA foreign_keys = ON;"
                                                "PRAGMA synchronous = NORMAL;");
}

#define TMP_PREFIX    "cpwarden-sandbox-"
#define TMP_SWEEP_MAX 4096 /* directory entries looked at per open */

static const char *const s_tmp_files[] = { "sandbox.db", "sandbox.db-wal", "sandbox.db-shm",
                                           "sandbox.db-journal", "lock" };

/* Removes the known files of a private database directory, then the directory. */
static void s_remove_tmp_dir(const char *dir)
{
    char path[4200];
    for (size_t i = 0; i < sizeof(s_tmp_files) / sizeof(s_tmp_files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, s_tmp_files[i]);
        (void)unlink(path);
    }
    (void)rmdir(dir);
}

/*
 * Removes the private directories of sandboxes that died without closing (SIGKILL): each live
 * sandbox holds an flock on its directory's "lock" file, which the kernel drops with the
 * process, so a lock that can be taken marks a dead owner (whatever its pid namespace). Only
 * this user's 0700 directories with the prefix are considered; errors are ignored.
 */
static void s_sweep_tmp(const char *tmp)
{
    DIR *d = opendir(tmp);
    if (d == NULL) {
        return;
    }
    struct dirent *e;
    for (int n = 0; n < TMP_SWEEP_MAX && (e = readdir(d)) != NULL; n++) {
        if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0) {
            continue;
        }
        char dir[4096];
        char lock[4200];
        struct stat st;
        if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", tmp, e->d_name) >= sizeof(dir) ||
            lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
            (st.st_mode & 077) != 0) {
            continue;
        }
        /* The database file is created after the lock is taken: without it, the owner may be
         * between mkdtemp and its flock. */
        snprintf(lock, sizeof(lock), "%s/sandbox.db", dir);
        if (lstat(lock, &st) != 0) {
            continue;
        }
        snprintf(lock, sizeof(lock), "%s/lock", dir);
        int fd = open(lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            continue;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            s_remove_tmp_dir(dir);
        }
        close(fd);
    }
    closedir(d);
}

/*
 * The writer's WAL hook: SQLite calls it after each commit that wrote, once the commit is done
 * and before the COMMIT statement returns. Moves the credentials generation on, and checkpoints
 * as SQLite's default hook (which this one replaces) would: passively, from 1000 pages.
 */
static int s_wal_committed(void *user, sqlite3 *db, const char *name, int pages)
{
    struct cpw_sbx_readers *rs = user;
    atomic_fetch_add(&rs->generation, 1u);
    if (pages >= 1000) {
        (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    }
    return SQLITE_OK;
}

/* Keeps looked-up credentials when the writer is the only one that can change the file: a
 * private file in WAL mode, whose commits s_wal_committed sees. */
static int s_enable_cred_cache(struct cpw_sbx *sbx)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(sbx->db, "PRAGMA journal_mode", NULL);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    bool wal = rc == 1 && strcmp(cpw_sbx_col(stmt, 0), "wal") == 0;
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        return -1;
    }
    if (wal && sbx->tmp_dir != NULL) {
        atomic_store(&sbx->readers->generation, 1u);
        sqlite3_wal_hook(sbx->db, s_wal_committed, sbx->readers);
    }
    return 0;
}

static int s_open_db(struct cpw_sbx *sbx, const char *data_dir)
{
    char *path = sbx->readers->path;
    size_t cap = sizeof(sbx->readers->path);
    if (data_dir == NULL) {
        /* mkdtemp makes the directory 0700: nobody else can reach the file inside. */
        const char *tmp = getenv("TMPDIR");
        if (tmp == NULL || tmp[0] == '\0') {
            tmp = "/tmp";
        }
        s_sweep_tmp(tmp);
        if ((size_t)snprintf(path, cap, "%s/" TMP_PREFIX "XXXXXX", tmp) >= cap) {
            return cpw_raise(CPW_ERR_LIMIT, "TMPDIR path too long");
        }
        if (mkdtemp(path) == NULL) {
            /* No writable temporary directory: one in-memory connection serves everything, as
             * the writer (reads then wait for writes, as before the read connections). */
            cpw_log(CPW_LOG_WARN,
                    "sandbox: cannot create a private directory under %s; serving every request "
                    "on one in-memory connection",
                    tmp);
            sbx->readers->disabled = true;
            return s_connect(":memory:", true, &sbx->db);
        }
        sbx->tmp_dir = cpw_strdup(path);
        data_dir = sbx->tmp_dir;
        /* Held until close: tells later sandboxes that this directory is alive. */
        char lock[4200];
        snprintf(lock, sizeof(lock), "%s/lock", sbx->tmp_dir);
        sbx->readers->lock_fd = cpw_file_open_private(lock, O_RDWR | O_CREAT);
        if (sbx->readers->lock_fd < 0 || flock(sbx->readers->lock_fd, LOCK_EX | LOCK_NB) != 0) {
            return cpw_raise(CPW_ERR_IO, "cannot lock %s", lock);
        }
    }
    if ((size_t)snprintf(path, cap, "%s/sandbox.db", data_dir) >= cap) {
        return cpw_raise(CPW_ERR_LIMIT, "data directory path too long");
    }
    /* Create the file ourselves so that it is 0600 from the first byte, and never through
     * a symbolic link planted at DIR/sandbox.db (SQLite is told the same). */
    int fd = cpw_file_open_private(path, O_RDWR | O_CREAT);
    if (fd < 0) {
        return -1;
    }
    close(fd);
    if (s_connect(path, sbx->tmp_dir != NULL, &sbx->db) != 0) {
        return -1;
    }
    /* WAL: readers keep their snapshot while the writer works (and other processes, such as
     * cpwarden inspecting a data directory, read without blocking the sandbox). */
    if (cpw_sbx_sql_exec(sbx->db, "PRAGMA journal_mode = WAL;") != 0) {
        return -1;
    }
    return s_enable_cred_cache(sbx);
}

static int s_open_reader(struct cpw_sbx *sbx, struct cpw_sbx_reader *reader)
{
    if (s_connect(sbx->readers->path, sbx->tmp_dir != NULL, &reader->db) != 0 ||
        cpw_sbx_sql_exec(reader->db, "PRAGMA query_only = ON;") != 0) {
        cpw_sbx_sql_close(reader->db);
        reader->db = NULL;
        return -1;
    }
    sqlite3_set_authorizer(reader->db, s_read_only_authorizer, reader);
    if (reader->creds == NULL) {
        reader->creds = cpw_calloc(CRED_KEEP, sizeof(*reader->creds));
    }
    return 0;
}

struct cpw_sbx_reader *cpw_sbx_reader_acquire(struct cpw_sbx *sbx)
{
    /* Each thread starts from its own slot, so that a fixed set of worker threads finds its
     * connections free; a busy slot sends it to the next one, and only when every slot is in
     * use does it wait (on its own slot, not on the writer). */
    static atomic_uint s_next_hint;
    static _Thread_local unsigned s_hint;
    if (s_hint == 0) {
        s_hint = atomic_fetch_add(&s_next_hint, 1u) + 1u;
    }
    struct cpw_sbx_readers *rs = sbx->readers;
    struct cpw_sbx_reader *reader = NULL;
    for (unsigned i = 0; i < CPW_SBX_READERS && reader == NULL; i++) {
        struct cpw_sbx_reader *r = &rs->slot[(s_hint + i) % CPW_SBX_READERS];
        if (pthread_mutex_trylock(&r->lock) == 0) {
            reader = r;
        }
    }
    if (reader == NULL) {
        reader = &rs->slot[s_hint % CPW_SBX_READERS];
        pthread_mutex_lock(&reader->lock);
    }
    if (reader->db == NULL && s_open_reader(sbx, reader) != 0) {
        pthread_mutex_unlock(&reader->lock);
        return NULL;
    }
    return reader;
}

bool cpw_sbx_readers_enabled(const struct cpw_sbx *sbx)
{
    return !sbx->readers->disabled;
}

void cpw_sbx_reader_release(struct cpw_sbx_reader *reader)
{
    pthread_mutex_unlock(&reader->lock);
}

sqlite3 *cpw_sbx_reader_db(struct cpw_sbx_reader *reader)
{
    return reader->db;
}

void cpw_sbx_reader_reset_write(struct cpw_sbx_reader *reader)
{
    reader->wanted_write = false;
}

bool cpw_sbx_reader_wanted_write(const struct cpw_sbx_reader *reader)
{
    return reader->wanted_write;
}

/* src into out (cap bytes), cut to fit and terminated: snprintf's "%s" without its cost on
 * every request. */
static void s_copy(char *out, size_t cap, const char *src)
{
    size_t len = strnlen(src, cap - 1);
    memcpy(out, src, len);
    out[len] = '\0';
}

int cpw_sbx_reader_note_key_use(struct cpw_sbx *sbx,
                                struct cpw_sbx_reader *reader,
                                const struct cpw_sbx_ctx *ctx)
{
    const struct cpw_sbx_caller *caller = ctx->req->caller;
    if (caller->access_key_id == NULL || ctx->req->service == NULL) {
        return 0;
    }
    int rc = 1;
    pthread_mutex_lock(&reader->ledger_lock);
    struct key_use *use = NULL;
    for (size_t i = 0; i < reader->ledger_count && use == NULL; i++) {
        if (strcmp(reader->ledger[i].access_key_id, caller->access_key_id) == 0) {
            use = &reader->ledger[i];
        }
    }
    if (use == NULL && reader->ledger_count < LEDGER_MAX) {
        use = &reader->ledger[reader->ledger_count++];
    }
    if (use != NULL) {
        use->seq = atomic_fetch_add(&sbx->readers->key_use_seq, 1u);
        use->used_ms = ctx->req->now_ms;
        s_copy(use->access_key_id, sizeof(use->access_key_id), caller->access_key_id);
        s_copy(use->service, sizeof(use->service), ctx->req->service);
        s_copy(use->region, sizeof(use->region), caller->region ? caller->region : "");
        rc = 0;
    }
    pthread_mutex_unlock(&reader->ledger_lock);
    return rc;
}

static int s_key_use_order(const void *a, const void *b)
{
    uint64_t x = ((const struct key_use *)a)->seq;
    uint64_t y = ((const struct key_use *)b)->seq;
    return (x > y) - (x < y);
}

int cpw_sbx_key_uses_flush(struct cpw_sbx_ctx *ctx)
{
    struct cpw_sbx_readers *rs = ctx->sbx->readers;
    struct key_use *uses = NULL;
    size_t count = 0;
    for (size_t i = 0; i < CPW_SBX_READERS; i++) {
        struct cpw_sbx_reader *r = &rs->slot[i];
        pthread_mutex_lock(&r->ledger_lock);
        if (r->ledger_count > 0) {
            uses = cpw_realloc(uses, (count + r->ledger_count) * sizeof(*uses));
            memcpy(uses + count, r->ledger, r->ledger_count * sizeof(*uses));
            count += r->ledger_count;
            r->ledger_count = 0;
        }
        pthread_mutex_unlock(&r->ledger_lock);
    }
    if (count > 1) {
        qsort(uses, count, sizeof(*uses), s_key_use_order);
    }
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        /* Replayed as the request that made it, through IAM's own bookkeeping. */
        struct cpw_sbx_caller caller = { .access_key_id = uses[i].access_key_id,
                                         .region = uses[i].region[0] ? uses[i].region : NULL };
        struct cpw_sbx_request req = { .service = uses[i].service,
                                       .caller = &caller,
                                       .now_ms = uses[i].used_ms };
        struct cpw_sbx_ctx replay = { .sbx = ctx->sbx, .db = ctx->db, .req = &req };
        rc = cpw_sbx_iam_note_key_use(&replay);
    }
    cpw_free(uses);
    return rc == 0 ? cpw_sbx_iam_note_key_use(ctx) : -1;
}

void cpw_sbx_set_write_hook(struct cpw_sbx *sbx, void (*fn)(void *user), void *user)
{
    sbx->readers->write_hook = fn;
    sbx->readers->write_hook_user = user;
}

void cpw_sbx_read_stats(const struct cpw_sbx *sbx, uint64_t *reads, uint64_t *retried)
{
    *reads = atomic_load(&sbx->readers->reads);
    *retried = atomic_load(&sbx->readers->retried);
}

void cpw_sbx_state_write_hook(struct cpw_sbx *sbx)
{
    if (sbx->readers->write_hook != NULL) {
        sbx->readers->write_hook(sbx->readers->write_hook_user);
    }
}

void cpw_sbx_state_count_read(struct cpw_sbx *sbx, bool retried)
{
    atomic_fetch_add(retried ? &sbx->readers->retried : &sbx->readers->reads, 1u);
}

/* ----- open / close ------------------------------------------------------------------------ */

static int s_user_version(sqlite3 *db, int64_t *version)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(db, "PRAGMA user_version", NULL);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    *version = rc == 1 ? sqlite3_column_int64(stmt, 0) : 0;
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : 0;
}

/*
 * SQLite counts the memory it allocates under one process-wide mutex, taken by every
 * allocation and free of every connection: with workers on their own read connections that
 * mutex was most of the sandbox's lock waits. Nothing here reads those counters. Possible only
 * before SQLite's first use in the process; later it is refused, harmlessly.
 */
static void s_sqlite_config(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

struct cpw_sbx *cpw_sbx_open(const struct cpw_sbx_options *opts)
{
    static pthread_once_t s_config_once = PTHREAD_ONCE_INIT;
    (void)pthread_once(&s_config_once, s_sqlite_config);
    struct cpw_sbx_options defaults = { .slr_deletion_delay_ms = -1,
                                        .create_account_delay_ms = -1 };
    if (opts == NULL) {
        opts = &defaults;
    }
    struct cpw_sbx *sbx = cpw_calloc(1, sizeof(*sbx));
    pthread_mutex_init(&sbx->lock, NULL);
    sbx->readers = cpw_calloc(1, sizeof(*sbx->readers));
    sbx->readers->lock_fd = -1;
    for (size_t i = 0; i < CPW_SBX_READERS; i++) {
        pthread_mutex_init(&sbx->readers->slot[i].lock, NULL);
        pthread_mutex_init(&sbx->readers->slot[i].ledger_lock, NULL);
    }
    sbx->slr_deletion_delay_ms =
      opts->slr_deletion_delay_ms < 0 ? CPW_SBX_DEFAULT_SLR_DELETE_MS : opts->slr_deletion_delay_ms;
    sbx->create_account_delay_ms = opts->create_account_delay_ms < 0
                                     ? CPW_SBX_DEFAULT_CREATE_ACCOUNT_MS
                                     : opts->create_account_delay_ms;
    int64_t version = 0;
    if (s_open_db(sbx, opts->data_dir) != 0 || s_user_version(sbx->db, &version) != 0) {
        goto on_error;
    }
    if (version > CPW_SBX_SCHEMA_VERSION) {
        cpw_raise(CPW_ERR_STORE, "sandbox.db has schema version %lld; this cpwarden knows %d",
                  (long long)version, CPW_SBX_SCHEMA_VERSION);
        goto on_error;
    }
    if (cpw_sbx_sql_exec(sbx->db, "BEGIN IMMEDIATE") != 0) {
        goto on_error;
    }
    if (cpw_sbx_sql_exec(sbx->db, s_core_schema) != 0 || s_seed_default_account(sbx->db) != 0 ||
        cpw_sbx_register_service(sbx, &cpw_sbx_iam_service) != 0 ||
        cpw_sbx_sql_exec(sbx->db, cpw_sbx_iam_identity_schema) != 0 ||
        cpw_sbx_register_service(sbx, &cpw_sbx_sts_service) != 0 ||
        cpw_sbx_register_service(sbx, &cpw_sbx_organizations_service) != 0 ||
        cpw_sbx_register_service(sbx, &cpw_sbx_cloudtrail_service) != 0 ||
        cpw_sbx_register_service(sbx, &cpw_sbx_account_service) != 0 ||
        cpw_sbx_register_service(sbx, &cpw_sbx_cloudwatch_service) != 0 ||
        cpw_sbx_contact_register(sbx) != 0 || cpw_sbx_authz_open(sbx) != 0 ||
        cpw_sbx_sql_exec(sbx->db, "PRAGMA user_version = 1") != 0) {
        sqlite3_exec(sbx->db, "ROLLBACK", NULL, NULL, NULL);
        goto on_error;
    }
    if (cpw_sbx_sql_exec(sbx->db, "COMMIT") != 0) {
        goto on_error;
    }
    return sbx;
on_error:
    cpw_sbx_close(sbx);
    return NULL;
}

void cpw_sbx_close(struct cpw_sbx *sbx)
{
    if (sbx == NULL) {
        return;
    }
    cpw_sbx_authz_close(sbx);
    for (size_t i = 0; i < CPW_SBX_READERS; i++) {
        if (sbx->readers->slot[i].creds != NULL) {
            cpw_secure_zero(sbx->readers->slot[i].creds, CRED_KEEP * sizeof(struct cred_entry));
            cpw_free(sbx->readers->slot[i].creds);
        }
        cpw_sbx_sql_close(sbx->readers->slot[i].db);
        pthread_mutex_destroy(&sbx->readers->slot[i].lock);
        pthread_mutex_destroy(&sbx->readers->slot[i].ledger_lock);
    }
    /* Closed last, the writer checkpoints the WAL and removes the -wal and -shm files. */
    cpw_sbx_sql_close(sbx->db);
    if (sbx->tmp_dir != NULL) {
        s_remove_tmp_dir(sbx->tmp_dir);
        cpw_free(sbx->tmp_dir);
    }
    if (sbx->readers->lock_fd >= 0) {
        close(sbx->readers->lock_fd);
    }
    cpw_free(sbx->readers);
    pthread_mutex_destroy(&sbx->lock);
    cpw_sbx_realism_destroy(sbx->realism);
    cpw_free(sbx);
}

/* ----- registration ------------------------------------------------------------------------ */

int cpw_sbx_register_service(struct cpw_sbx *sbx, const struct cpw_sbx_service *service)
{
    if (service->schema_sql != NULL && cpw_sbx_sql_exec(sbx->db, service->schema_sql) != 0) {
        return -1;
    }
    if (service->schema_sql_more != NULL &&
        cpw_sbx_sql_exec(sbx->db, service->schema_sql_more) != 0) {
        return -1;
    }
    for (size_t i = 0; i < sbx->service_count; i++) {
        if (strcmp(sbx->services[i]->signing_name, service->signing_name) == 0) {
            sbx->services[i] = service;
            return 0;
        }
    }
    if (sbx->service_count == CPW_SBX_MAX_SERVICES) {
        return cpw_raise(CPW_ERR_LIMIT, "more than %d sandbox services", CPW_SBX_MAX_SERVICES);
    }
    sbx->services[sbx->service_count++] = service;
    return 0;
}

int cpw_sbx_register_role_usage_hook(struct cpw_sbx *sbx,
                                     const char *service_principal,
                                     cpw_sbx_role_usage_fn fn,
                                     void *user)
{
    struct cpw_sbx_hook *slot = NULL;
    for (size_t i = 0; i < sbx->hook_count; i++) {
        if (strcmp(sbx->hooks[i].principal, service_principal) == 0) {
            slot = &sbx->hooks[i];
        }
    }
    if (slot == NULL) {
        if (sbx->hook_count == CPW_SBX_MAX_HOOKS) {
            return cpw_raise(CPW_ERR_LIMIT, "more than %d role usage hooks", CPW_SBX_MAX_HOOKS);
        }
        slot = &sbx->hooks[sbx->hook_count++];
    }
    snprintf(slot->principal, sizeof(slot->principal), "%s", service_principal);
    slot->fn = fn;
    slot->user = user;
    return 0;
}

/* ----- credentials ------------------------------------------------------------------------- */

/* reader's kept entry for access_key_id (current or not), or NULL. */
static struct cred_entry *s_cred_find(struct cpw_sbx_reader *reader, const char *access_key_id)
{
    for (size_t i = 0; i < CRED_KEEP; i++) {
        struct cred_entry *e = &reader->creds[i];
        if (e->generation != 0 && strcmp(e->creds.access_key_id, access_key_id) == 0) {
            return e;
        }
    }
    return NULL;
}

/* Keeps creds, read at generation, in slot (the key's stale entry) or the next entry. */
static void s_cred_keep(struct cpw_sbx_reader *reader,
                        struct cred_entry *slot,
                        uint64_t generation,
                        const struct cpw_sbx_credentials *creds)
{
    if (slot == NULL) {
        slot = &reader->creds[reader->creds_next];
        reader->creds_next = (reader->creds_next + 1u) % CRED_KEEP;
    }
    slot->generation = generation;
    slot->creds = *creds;
}

uint64_t cpw_sbx_credentials_cache_hits(const struct cpw_sbx *sbx)
{
    return atomic_load(&sbx->readers->cred_hits);
}

int cpw_sbx_credentials_lookup(struct cpw_sbx *sbx,
                               const char *access_key_id,
                               int64_t now_ms,
                               struct cpw_sbx_credentials *out)
{
    memset(out, 0, sizeof(*out));
    struct cpw_sbx_reader *reader = NULL;
    if (sbx->readers->disabled) {
        pthread_mutex_lock(&sbx->lock);
    } else if ((reader = cpw_sbx_reader_acquire(sbx)) == NULL) {
        return -1;
    }
    /* Read before the lookup's snapshot begins: a commit after this read makes the entry this
     * lookup fills stale, whether or not the snapshot saw it. */
    uint64_t generation = reader ? atomic_load(&sbx->readers->generation) : 0;
    struct cred_entry *kept = generation ? s_cred_find(reader, access_key_id) : NULL;
    if (kept != NULL && kept->generation == generation) {
        *out = kept->creds;
        out->expired = out->expires_ms != 0 && now_ms >= out->expires_ms;
        atomic_fetch_add(&sbx->readers->cred_hits, 1u);
        cpw_sbx_reader_release(reader);
        return 0;
    }
    int result = -1;
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      reader ? reader->db : sbx->db,
      "SELECT access_key_id, secret, session_token, expires_ms, account_id, principal_arn,"
      " user_id FROM access_keys WHERE access_key_id = ? AND status = 'Active'",
      "s", access_key_id);
    if (stmt == NULL) {
        goto cleanup;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 0) {
        if (kept != NULL) {
            cpw_secure_zero(kept, sizeof(*kept)); /* gone or inactive: keep no secret of it */
        }
        cpw_raise(CPW_ERR_SIGV4_UNKNOWN_KEY, "access key %s is not known", access_key_id);
        goto cleanup;
    }
    if (rc < 0) {
        goto cleanup;
    }
    snprintf(out->access_key_id, sizeof(out->access_key_id), "%s", cpw_sbx_col(stmt, 0));
    snprintf(out->secret_access_key, sizeof(out->secret_access_key), "%s", cpw_sbx_col(stmt, 1));
    snprintf(out->session_token, sizeof(out->session_token), "%s", cpw_sbx_col(stmt, 2));
    out->expires_ms = sqlite3_column_int64(stmt, 3);
    out->expired = out->expires_ms != 0 && now_ms >= out->expires_ms;
    snprintf(out->account_id, sizeof(out->account_id), "%s", cpw_sbx_col(stmt, 4));
    snprintf(out->principal_arn, sizeof(out->principal_arn), "%s", cpw_sbx_col(stmt, 5));
    snprintf(out->user_id, sizeof(out->user_id), "%s", cpw_sbx_col(stmt, 6));
    if (generation != 0) {
        s_cred_keep(reader, kept, generation, out);
    }
    result = 0;
cleanup:
    cpw_sbx_sql_done(stmt);
    if (reader != NULL) {
        cpw_sbx_reader_release(reader);
    } else {
        pthread_mutex_unlock(&sbx->lock);
    }
    return result;
}

void cpw_sbx_credentials_clean_up(struct cpw_sbx_credentials *creds)
{
    cpw_secure_zero(creds->secret_access_key, sizeof(creds->secret_access_key));
    cpw_secure_zero(creds->session_token, sizeof(creds->session_token));
}

void cpw_sbx_caller_from_credentials(const struct cpw_sbx_credentials *creds,
                                     const char *region,
                                     const char *source_ip,
                                     const char *user_agent,
                                     struct cpw_sbx_caller *caller)
{
    memset(caller, 0, sizeof(*caller));
    caller->access_key_id = creds->access_key_id;
    caller->account_id = creds->account_id;
    caller->principal_arn = creds->principal_arn;
    caller->user_id = creds->user_id;
    caller->region = region;
    caller->source_ip = source_ip;
    caller->user_agent = user_agent;
}
