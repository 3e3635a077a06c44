/*
 * store.h - cpwarden's local state store: one SQLite database (state.db) holding the inventory
 * snapshots, the clean-up journal of `cpwarden apply` (journal.h, schema version 2) and, later, the
 * backups index in the same file (each arrives as a schema migration; see src/store/store.c).
 *
 * Location: the directory given by the caller (`--state DIR`), else $XDG_STATE_HOME/cpwarden,
 * else ~/.local/state/cpwarden. The directory is created 0700 and state.db 0600 (SQLite gives
 * its -wal and -shm files the same mode). The database runs in WAL mode with STRICT tables; its
 * schema version is PRAGMA user_version, upgraded by ordered migrations when the store opens, and
 * a store written by a newer cpwarden is refused rather than misread. Nothing secret is stored:
 * snapshots hold resource names, ARNs and findings only.
 *
 * Ownership: the caller owns the store handle (cpw_store_destroy) and everything marked owned.
 * Thread-safety: the connection is opened in SQLite's serialized mode, so one handle may be
 * shared; several processes may open the same file (WAL, 5 s busy timeout).
 */
#ifndef CPW_STORE_H
#define CPW_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "cpw/buf.h"

/** The schema version this build writes (PRAGMA user_version). */
#define CPW_STORE_SCHEMA_VERSION 4

/** The database file name inside the state directory. */
#define CPW_STORE_FILE_NAME "state.db"

struct cpw_store;

struct cpw_store_options {
    const char *dir; /* the state directory; NULL: $XDG_STATE_HOME/cpwarden or ~/.local/state/... */
};

/**
 * Appends the default state directory to out: $XDG_STATE_HOME/cpwarden when XDG_STATE_HOME is an
 * absolute path, else $HOME/.local/state/cpwarden. Returns 0, or -1 with CPW_ERR_CONFIG when
 * neither variable is usable.
 */
int cpw_store_default_dir(struct cpw_buf *out);

/**
 * Opens (creating when needed) the store: the directory (and missing parents) 0700, state.db
 * 0600, WAL, migrations applied. opts may be NULL. Returns the store (owned) or NULL with
 * CPW_ERR_IO (directory/file), CPW_ERR_STORE (SQLite, or a schema newer than this build).
 */
struct cpw_store *cpw_store_open(const struct cpw_store_options *opts);

/** Closes the store. NULL is a no-op. */
void cpw_store_destroy(struct cpw_store *store);

/** The database file path. Borrowed, valid until destroy. */
const char *cpw_store_path(const struct cpw_store *store);

/** The schema version of the open database (after migrations). */
int cpw_store_schema_version(const struct cpw_store *store);

/* ----- inventory snapshots ------------------------------------------------------------------ */

struct cpw_store_snapshot_info {
    int64_t id;
    int64_t scanned_at_s; /* the inventory's scan time */
    int64_t saved_at_s;   /* when it was stored */
    char *identity;       /* the caller identity that scanned (an ARN) */
    char *scope;          /* what was scanned, e.g. "accounts=all regions=us-east-1,us-west-2" */
    int schema;           /* the inventory JSON schema of the document */
};

/** A snapshot to save: the inventory's JSON document and what describes it (borrowed). */
struct cpw_store_snapshot_doc {
    struct cpw_span document; /* the inventory JSON document */
    int64_t scanned_at_s;     /* 0: unknown */
    int schema;               /* the document's schema version */
    const char *identity;     /* who scanned (an ARN); NULL stored empty */
    const char *scope;        /* what was scanned; NULL stored empty */
};

/**
 * Saves a snapshot document. *id_out (may be NULL) receives the snapshot id. Returns 0, or -1
 * with CPW_ERR_STORE (or CPW_ERR_LIMIT past 64 MiB). cpw_inventory_snapshot_save (inventory.h)
 * is the usual caller.
 */
int cpw_store_snapshot_save_document(struct cpw_store *store,
                                     const struct cpw_store_snapshot_doc *doc,
                                     int64_t *id_out);

/**
 * Lists up to limit snapshots (0: all), newest first (by scan time, then id), without their
 * documents. *out is owned by the caller (cpw_store_snapshot_list_free). Returns 0 or -1.
 */
int cpw_store_snapshot_list(struct cpw_store *store,
                            size_t limit,
                            struct cpw_store_snapshot_info **out,
                            size_t *count);

/** Frees a list from cpw_store_snapshot_list. NULL is a no-op. */
void cpw_store_snapshot_list_free(struct cpw_store_snapshot_info *list, size_t count);

/** Appends snapshot id's (0: latest) JSON document to out. -1 with CPW_ERR_NOT_FOUND etc. */
int cpw_store_snapshot_document(struct cpw_store *store, int64_t id, struct cpw_buf *out);

/* ----- backups index ------------------------------------------------------------------------- */

/** What a domain held when its backup started (from GetDomain and the listings). */
struct cpw_backup_counts {
    uint64_t profiles;
    uint64_t objects;
    uint64_t object_types;
    uint64_t integrations;
    uint64_t event_streams;
    uint64_t calculated_attributes;
};

struct cpw_store_backup {
    int64_t id;
    int64_t created_at_s;
    char *account;
    char *region;
    char *domain;
    char *path;
    char *sha256; /* hex digest of the whole backup file */
    struct cpw_backup_counts counts;
    uint64_t records; /* profile records in the file */
};

/**
 * Records a backup file (strings borrowed; id ignored). *id_out (may be NULL) receives its id.
 * Returns 0, or -1 with CPW_ERR_STORE.
 */
int cpw_store_backup_add(struct cpw_store *store,
                         const struct cpw_store_backup *backup,
                         int64_t *id_out);

/**
 * Lists the backups of account/region/domain (each NULL: any), newest first. *out is owned by
 * the caller (cpw_store_backup_list_free). Returns 0 or -1 with CPW_ERR_STORE.
 */
int cpw_store_backup_list(struct cpw_store *store,
                          const char *account,
                          const char *region,
                          const char *domain,
                          struct cpw_store_backup **out,
                          size_t *count);

/** Frees a list from cpw_store_backup_list. NULL is a no-op. */
void cpw_store_backup_list_free(struct cpw_store_backup *list, size_t count);

/* ----- audit reports and documentation records (store_audits.c) ---------------------------- */

/**
 * Saves an audit report (its JSON document, borrowed) run at ran_at_s over scope (NULL stored
 * empty). *id_out may be NULL. Returns 0, or -1 with CPW_ERR_STORE or CPW_ERR_LIMIT (64 MiB).
 */
int cpw_store_audit_save(struct cpw_store *store,
                         int64_t ran_at_s,
                         const char *scope,
                         struct cpw_span document,
                         int64_t *id_out);

/**
 * Appends the newest audit report's document (of scope; NULL: any scope) to out. Returns 0, or
 * -1 with CPW_ERR_NOT_FOUND (none yet), CPW_ERR_STORE or CPW_ERR_LIMIT.
 */
int cpw_store_audit_latest(struct cpw_store *store, const char *scope, struct cpw_buf *out);

/** A `cpwarden document` record: which domain, when. */
struct cpw_store_document_info {
    char *account;
    char *region;
    char *domain;
    int64_t created_at_s;
};

/**
 * Records that domain (account, region) was documented at created_at_s with document (its JSON,
 * borrowed). Returns 0, or -1 with CPW_ERR_STORE or CPW_ERR_LIMIT.
 */
int cpw_store_document_save(struct cpw_store *store,
                            const char *account,
                            const char *region,
                            const char *domain,
                            int64_t created_at_s,
                            struct cpw_span document);

/**
 * Lists the newest record of every documented domain. *out is owned by the caller
 * (cpw_store_document_list_free). Returns 0 or -1 with CPW_ERR_STORE.
 */
int cpw_store_document_latest(struct cpw_store *store,
                              struct cpw_store_document_info **out,
                              size_t *count);

/** Frees a list from cpw_store_document_latest. NULL is a no-op. */
void cpw_store_document_list_free(struct cpw_store_document_info *list, size_t count);

#endif
