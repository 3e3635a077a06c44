/*
 * sbx_state.h - the sandbox state store's connections (internal to src/sandbox/).
 *
 * One writer connection (struct cpw_sbx's db, guarded by its lock) runs every transaction that
 * may write; a pool of read connections runs the operations classified as reads, each in its
 * own WAL snapshot, so that reads never wait on a write in progress. A read connection refuses
 * every write at prepare time (SQLite authorizer) and remembers that it did: dispatch then
 * discards the read attempt and runs the request again through the writer. Credentials lookups
 * use the read connections too, and each read connection keeps the last few it made until the
 * next commit that writes anything (the writer's WAL hook moves a generation on).
 *
 * Access-key last use (GetAccessKeyLastUsed) is bookkeeping every signed request makes: on a
 * read connection it goes to the connection's small in-memory ledger, which the writer applies
 * (in request order) at the start of its next transaction.
 */
#ifndef CPW_SANDBOX_SBX_STATE_H
#define CPW_SANDBOX_SBX_STATE_H

#include "sbx_service.h"

/* Read connections per sandbox, opened on first use. */
#define CPW_SBX_READERS 64 /* the most worker threads the front runs */

struct cpw_sbx_reader; /* one read connection, its lock and its key-use ledger (state.c) */

/** False when the sandbox could not make its database file (no writable $TMPDIR) and serves
 * everything on one in-memory writer connection. */
bool cpw_sbx_readers_enabled(const struct cpw_sbx *sbx);

/**
 * Takes a read connection for the calling thread (locked for it alone until release), opening
 * it on first use. Returns NULL with CPW_ERR_STORE when it cannot be opened. Thread-safe.
 */
struct cpw_sbx_reader *cpw_sbx_reader_acquire(struct cpw_sbx *sbx);

/** Releases a connection taken by cpw_sbx_reader_acquire. */
void cpw_sbx_reader_release(struct cpw_sbx_reader *reader);

/** The reader's SQLite connection (valid until release). */
sqlite3 *cpw_sbx_reader_db(struct cpw_sbx_reader *reader);

/** Forgets refused writes; true when a write was refused since the last reset. */
void cpw_sbx_reader_reset_write(struct cpw_sbx_reader *reader);
bool cpw_sbx_reader_wanted_write(const struct cpw_sbx_reader *reader);

/**
 * Records, in reader's ledger, that ctx's caller used its access key (what
 * cpw_sbx_iam_note_key_use writes). Returns 0, or 1 when the ledger is full (the request must
 * then run through the writer, which empties every ledger).
 */
int cpw_sbx_reader_note_key_use(struct cpw_sbx *sbx,
                                struct cpw_sbx_reader *reader,
                                const struct cpw_sbx_ctx *ctx);

/**
 * On the writer, inside its transaction: applies every ledger's key uses in the order the
 * requests made them, then ctx's own. Returns 0 or -1 (raised).
 */
int cpw_sbx_key_uses_flush(struct cpw_sbx_ctx *ctx);

/**
 * True when service:operation may run on a read connection: CloudTrail's read-only names (Get*,
 * List*, Describe*, LookupEvents) except the reads that depend on bookkeeping the writer applies
 * (op_access.c's table). Anything else runs through the writer. A read that turns out to write
 * (asynchronous work come due) is retried on the writer, so the table errs only on cost.
 */
bool cpw_sbx_op_reads_only(const char *service, const char *operation);

/**
 * For tests: fn(user) is called on the writer after each operation's handler, inside the still
 * open write transaction (before COMMIT). NULL removes the hook. Call while no request is in
 * flight.
 */
void cpw_sbx_set_write_hook(struct cpw_sbx *sbx, void (*fn)(void *user), void *user);

/** Counters since open, for tests and benchmarks: requests served by a read connection, and
 * read attempts that had to run again through the writer. */
void cpw_sbx_read_stats(const struct cpw_sbx *sbx, uint64_t *reads, uint64_t *retried);

/**
 * A request id in UUID version 4 form ("xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx") into out.
 * Unique, not secret: a per-thread generator seeded once from the system's randomness; a thread
 * never repeats an id. Thread-safe, no lock, no system call after a thread's first id.
 */
void cpw_sbx_request_id(char out[37]);

/** For tests and measurements: credentials lookups answered from a read connection's kept
 * entries (state.c keeps them until the next commit that writes). Thread-safe. */
uint64_t cpw_sbx_credentials_cache_hits(const struct cpw_sbx *sbx);

/* For dispatch: runs the write hook, if any; counts a read served (or retried on the writer). */
void cpw_sbx_state_write_hook(struct cpw_sbx *sbx);
void cpw_sbx_state_count_read(struct cpw_sbx *sbx, bool retried);

/*
 * Prepared statements kept per connection (sql.c; cpw_sbx_sql_query hands them out).
 * cpw_sbx_sql_cache_attach gives db, just opened, its statement cache (without one, every query
 * prepares its statement anew); cpw_sbx_sql_close finalizes db's kept statements and closes db
 * (NULL-safe). Both are called by the thread that holds db; other connections may be used
 * meanwhile.
 */
#define CPW_SBX_SQL_KEEP_MAX 128 /* statements a connection keeps; the least recently used go */
void cpw_sbx_sql_cache_attach(sqlite3 *db);
void cpw_sbx_sql_close(sqlite3 *db);

/** For tests and measurements: db's statement cache since attach (zeros when it has none). */
struct cpw_sbx_sql_cache_stats {
    uint64_t prepares; /* statements prepared on db by cpw_sbx_sql_query and _do */
    uint64_t reuses;   /* kept statements handed out again */
    size_t kept;       /* statements kept now */
};
void cpw_sbx_sql_cache_stats(sqlite3 *db, struct cpw_sbx_sql_cache_stats *out);

/** For tests and measurements: statements prepared by cpw_sbx_sql_query and _do since the
 * process started, on every connection. Thread-safe. */
uint64_t cpw_sbx_sql_prepare_count(void);

#endif
