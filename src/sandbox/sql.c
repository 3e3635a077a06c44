/*
 * sql.c - the SQL helpers every sandbox service uses, and the prepared statements they keep.
 *
 * Preparing a statement costs more than running the small reads and writes a request makes, so
 * each connection state.c opens keeps its prepared statements, keyed by SQL text:
 * cpw_sbx_sql_query hands out the kept statement, cpw_sbx_sql_done resets it and clears its
 * bindings for the next request. A statement already handed out (a query nested in the loop of
 * the same query) is prepared afresh and finalized on release. At most CPW_SBX_SQL_KEEP_MAX
 * statements are kept per connection; past it the least recently used one that is not handed out
 * goes. Prepared with prepare_v3, a kept statement is prepared again by SQLite itself when the
 * schema changes (SQLITE_SCHEMA), and it passes the connection's authorizer again then.
 *
 * Threads: a connection is used by one thread at a time (the writer under the sandbox's lock,
 * a read connection under its own lock: state.c), and so is its cache, which needs no lock of
 * its own. Only the table that finds a connection's cache is shared by every thread: it is
 * read without a lock (atomics) and changed under one, when a connection opens or closes.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "sbx_state.h"

#define STMT_KEEP_MAX CPW_SBX_SQL_KEEP_MAX
#define STMT_BUCKETS  256 /* hash buckets of a connection's cache (a power of two) */
#define STMT_OUT_MAX  16  /* kept statements handed out at once (nesting depth) */
#define CACHES_MAX    512 /* connections with a cache at once, over every sandbox (power of 2) */

struct stmt_entry {
    uint64_t hash;
    uint64_t last_use; /* the cache's tick when last handed out */
    char *sql;         /* the key: a copy of the text; owned */
    size_t len;
    sqlite3_stmt *stmt; /* NULL: free entry */
    int next;           /* the next entry of the same bucket, or -1 */
    bool busy;          /* handed out, not yet released */
};

struct stmt_cache {
    sqlite3 *db;
    int buckets[STMT_BUCKETS]; /* first entry of each bucket, or -1 */
    struct stmt_entry entries[STMT_KEEP_MAX];
    size_t kept;
    int out[STMT_OUT_MAX]; /* the entries handed out, most recent last */
    size_t out_count;
    uint64_t tick;
    uint64_t prepares;
    uint64_t reuses;
};

/* Connection -> cache. A slot's db is written after its cache and read before it, so a thread
 * that finds its connection also finds that connection's cache; a closed connection's slot
 * becomes a tombstone, skipped by lookups and reused by the next connection. */
static struct {
    _Atomic(sqlite3 *) db;
    _Atomic(struct stmt_cache *) cache;
} s_caches[CACHES_MAX];
static pthread_mutex_t s_caches_lock = PTHREAD_MUTEX_INITIALIZER;
static char s_tombstone_byte;
#define TOMBSTONE ((sqlite3 *)(void *)&s_tombstone_byte)

static atomic_uint_fast64_t s_prepares_total;

static size_t s_slot_of(const sqlite3 *db)
{
    uint64_t h = (uint64_t)(uintptr_t)db * 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> 32) & (CACHES_MAX - 1);
}

static struct stmt_cache *s_cache_of(const sqlite3 *db)
{
    size_t at = s_slot_of(db);
    for (size_t i = 0; i < CACHES_MAX; i++) {
        size_t k = (at + i) & (CACHES_MAX - 1);
        sqlite3 *slot = atomic_load_explicit(&s_caches[k].db, memory_order_acquire);
        if (slot == db) {
            return atomic_load_explicit(&s_caches[k].cache, memory_order_relaxed);
        }
        if (slot == NULL) {
            return NULL;
        }
    }
    return NULL;
}

void cpw_sbx_sql_cache_attach(sqlite3 *db)
{
    struct stmt_cache *c = cpw_calloc(1, sizeof(*c));
    c->db = db;
    for (size_t i = 0; i < STMT_BUCKETS; i++) {
        c->buckets[i] = -1;
    }
    bool placed = false;
    pthread_mutex_lock(&s_caches_lock);
    size_t at = s_slot_of(db);
    for (size_t i = 0; i < CACHES_MAX && !placed; i++) {
        size_t k = (at + i) & (CACHES_MAX - 1);
        sqlite3 *slot = atomic_load_explicit(&s_caches[k].db, memory_order_relaxed);
        if (slot == NULL || slot == TOMBSTONE) {
            atomic_store_explicit(&s_caches[k].cache, c, memory_order_relaxed);
            atomic_store_explicit(&s_caches[k].db, db, memory_order_release);
            placed = true;
        }
    }
    pthread_mutex_unlock(&s_caches_lock);
    if (!placed) {
        cpw_free(c); /* every slot taken: this connection prepares each statement anew */
    }
}

void cpw_sbx_sql_close(sqlite3 *db)
{
    if (db == NULL) {
        return;
    }
    struct stmt_cache *c = NULL;
    pthread_mutex_lock(&s_caches_lock);
    size_t at = s_slot_of(db);
    for (size_t i = 0; i < CACHES_MAX && c == NULL; i++) {
        size_t k = (at + i) & (CACHES_MAX - 1);
        sqlite3 *slot = atomic_load_explicit(&s_caches[k].db, memory_order_relaxed);
        if (slot == db) {
            c = atomic_load_explicit(&s_caches[k].cache, memory_order_relaxed);
            atomic_store_explicit(&s_caches[k].db, TOMBSTONE, memory_order_release);
            atomic_store_explicit(&s_caches[k].cache, NULL, memory_order_relaxed);
        } else if (slot == NULL) {
            break;
        }
    }
    pthread_mutex_unlock(&s_caches_lock);
    if (c != NULL) {
        /* sqlite3_close refuses a connection that still has statements. */
        for (size_t i = 0; i < STMT_KEEP_MAX; i++) {
            sqlite3_finalize(c->entries[i].stmt);
            cpw_free(c->entries[i].sql);
        }
        cpw_free(c);
    }
    sqlite3_close(db);
}

void cpw_sbx_sql_cache_stats(sqlite3 *db, struct cpw_sbx_sql_cache_stats *out)
{
    memset(out, 0, sizeof(*out));
    const struct stmt_cache *c = s_cache_of(db);
    if (c != NULL) {
        out->prepares = c->prepares;
        out->reuses = c->reuses;
        out->kept = c->kept;
    }
}

uint64_t cpw_sbx_sql_prepare_count(void)
{
    return atomic_load(&s_prepares_total);
}

/* The text's hash, eight bytes at a step (FNV-1a's byte steps were a visible share of each
 * query on texts of a few hundred bytes), then SplitMix64's finalizer so that the low bits
 * the buckets use depend on every byte. */
static uint64_t s_hash(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, sizeof(w));
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    uint64_t tail = 0;
    memcpy(&tail, s + i, len - i);
    h = (h ^ tail) * 0x100000001b3ULL;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

static sqlite3_stmt *s_prepare(sqlite3 *db, struct stmt_cache *c, const char *sql, bool keep)
{
    sqlite3_stmt *stmt = NULL;
    atomic_fetch_add_explicit(&s_prepares_total, 1u, memory_order_relaxed);
    if (c != NULL) {
        c->prepares++;
    }
    if (sqlite3_prepare_v3(db, sql, -1, keep ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, NULL) !=
        SQLITE_OK) {
        cpw_raise(CPW_ERR_STORE, "prepare: %s", sqlite3_errmsg(db));
        return NULL;
    }
    if (stmt == NULL) {
        cpw_raise(CPW_ERR_STORE, "prepare: no statement in the SQL text");
    }
    return stmt;
}

/* An entry to hold a new statement: a free one, else the least recently used one not handed
 * out (finalized and unlinked); -1 when every entry is handed out. */
static int s_entry_for_new(struct stmt_cache *c)
{
    int victim = -1;
    for (int i = 0; i < STMT_KEEP_MAX; i++) {
        const struct stmt_entry *e = &c->entries[i];
        if (e->stmt == NULL) {
            return i;
        }
        if (!e->busy && (victim < 0 || e->last_use < c->entries[victim].last_use)) {
            victim = i;
        }
    }
    if (victim < 0) {
        return -1;
    }
    struct stmt_entry *e = &c->entries[victim];
    int *link = &c->buckets[e->hash & (STMT_BUCKETS - 1)];
    while (*link != victim) {
        link = &c->entries[*link].next;
    }
    *link = e->next;
    sqlite3_finalize(e->stmt);
    cpw_free(e->sql);
    *e = (struct stmt_entry){ .next = -1 };
    c->kept--;
    return victim;
}

static void s_hand_out(struct stmt_cache *c, int i)
{
    c->entries[i].busy = true;
    c->entries[i].last_use = ++c->tick;
    c->out[c->out_count++] = i;
}

/* A statement for sql: the kept one, or a new one (kept when there is room). */
static sqlite3_stmt *s_acquire(sqlite3 *db, const char *sql)
{
    struct stmt_cache *c = s_cache_of(db);
    if (c == NULL) {
        return s_prepare(db, NULL, sql, false);
    }
    size_t len = strlen(sql);
    uint64_t h = s_hash(sql, len);
    int *bucket = &c->buckets[h & (STMT_BUCKETS - 1)];
    for (int i = *bucket; i >= 0; i = c->entries[i].next) {
        const struct stmt_entry *e = &c->entries[i];
        if (e->hash == h && e->len == len && memcmp(e->sql, sql, len) == 0) {
            if (e->busy || c->out_count == STMT_OUT_MAX) {
                return s_prepare(db, c, sql, false); /* nested use: a statement of its own */
            }
            c->reuses++;
            s_hand_out(c, i);
            return e->stmt;
        }
    }
    if (c->out_count == STMT_OUT_MAX) {
        return s_prepare(db, c, sql, false);
    }
    sqlite3_stmt *stmt = s_prepare(db, c, sql, true);
    int i = stmt != NULL ? s_entry_for_new(c) : -1;
    if (i < 0) {
        return stmt;
    }
    char *copy = cpw_malloc(len + 1);
    memcpy(copy, sql, len + 1);
    c->entries[i] =
      (struct stmt_entry){ .hash = h, .sql = copy, .len = len, .stmt = stmt, .next = *bucket };
    *bucket = i;
    c->kept++;
    s_hand_out(c, i);
    return stmt;
}

void cpw_sbx_sql_done(sqlite3_stmt *stmt)
{
    if (stmt == NULL) {
        return;
    }
    struct stmt_cache *c = s_cache_of(sqlite3_db_handle(stmt));
    for (size_t k = c != NULL ? c->out_count : 0; k-- > 0;) {
        struct stmt_entry *e = &c->entries[c->out[k]];
        if (e->stmt == stmt) {
            sqlite3_reset(stmt);
            sqlite3_clear_bindings(stmt);
            e->busy = false;
            memmove(&c->out[k], &c->out[k + 1], (c->out_count - k - 1) * sizeof(c->out[0]));
            c->out_count--;
            return;
        }
    }
    sqlite3_finalize(stmt); /* not kept */
}

sqlite3_stmt *cpw_sbx_sql_vquery(sqlite3 *db, const char *sql, const char *types, va_list ap)
{
    sqlite3_stmt *stmt = s_acquire(db, sql);
    if (stmt == NULL) {
        return NULL;
    }
    for (int i = 0; types != NULL && types[i] != '\0'; i++) {
        int rc;
        if (types[i] == 's') {
            const char *v = va_arg(ap, const char *);
            rc = v ? sqlite3_bind_text(stmt, i + 1, v, -1, SQLITE_TRANSIENT)
                   : sqlite3_bind_null(stmt, i + 1);
        } else {
            rc = sqlite3_bind_int64(stmt, i + 1, va_arg(ap, int64_t));
        }
        if (rc != SQLITE_OK) {
            cpw_raise(CPW_ERR_STORE, "bind: %s", sqlite3_errmsg(db));
            cpw_sbx_sql_done(stmt);
            return NULL;
        }
    }
    return stmt;
}

sqlite3_stmt *cpw_sbx_sql_query(sqlite3 *db, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *stmt = cpw_sbx_sql_vquery(db, sql, types, ap);
    va_end(ap);
    return stmt;
}

int cpw_sbx_sql_step(sqlite3_stmt *stmt)
{
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        return 1;
    }
    if (rc == SQLITE_DONE) {
        return 0;
    }
    return cpw_raise(CPW_ERR_STORE, "step: %s", sqlite3_errmsg(sqlite3_db_handle(stmt)));
}

int cpw_sbx_sql_do(sqlite3 *db, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *stmt = cpw_sbx_sql_vquery(db, sql, types, ap);
    va_end(ap);
    if (stmt == NULL) {
        return -1;
    }
    int rc;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
    }
    int changes = sqlite3_changes(db);
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : changes;
}

const char *cpw_sbx_col(sqlite3_stmt *stmt, int i)
{
    const unsigned char *t = sqlite3_column_text(stmt, i);
    return t ? (const char *)t : "";
}

int cpw_sbx_sql_exec(sqlite3 *db, const char *sql)
{
    if (strchr(sql, ';') == NULL) {
        /* One statement (BEGIN, SAVEPOINT, COMMIT, ... every request runs them): kept too. */
        sqlite3_stmt *stmt = s_acquire(db, sql);
        if (stmt == NULL) {
            return -1;
        }
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        }
        if (rc != SQLITE_DONE) {
            cpw_raise(CPW_ERR_STORE, "%s", sqlite3_errmsg(db));
        }
        cpw_sbx_sql_done(stmt);
        return rc == SQLITE_DONE ? 0 : -1;
    }
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        cpw_raise(CPW_ERR_STORE, "%s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}
