/*
 * atomic_file.h - files that appear whole or not at all, readable only by their owner.
 *
 * Plan and backup files hold account data. They are written to a temporary file created with
 * O_CREAT|O_EXCL and mode 0600 in the destination directory, flushed, and renamed over the
 * destination, so no reader ever sees a half-written file and no other user can read one for an
 * instant. Output is buffered (64 KiB) so that record-by-record writers stay cheap.
 *
 * Thread-safety: one struct cpw_atomic_file belongs to one thread at a time.
 */
#ifndef CPW_WARDEN_ATOMIC_FILE_H
#define CPW_WARDEN_ATOMIC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpw/buf.h"

struct cpw_atomic_file {
    int fd; /* valid while is_open */
    bool is_open;
    char *tmp_path;   /* owned */
    char *final_path; /* owned */
    uint8_t *pending; /* owned; write buffer */
    size_t pending_len;
};

/**
 * Creates the temporary file beside path (mode 0600, exclusive). Refuses a symbolic link at path
 * (cpw_file_refuse_link). Returns 0, or -1 with CPW_ERR_IO. On failure nothing is left to clean
 * up (clean_up is still safe to call).
 */
int cpw_atomic_file_open(struct cpw_atomic_file *file, const char *path);

/** Appends bytes. Returns 0, or -1 with CPW_ERR_IO. */
int cpw_atomic_file_write(struct cpw_atomic_file *file, struct cpw_span bytes);

/**
 * Flushes, syncs and renames the temporary file to its destination, then releases everything.
 * Returns 0, or -1 with CPW_ERR_IO (the temporary file is then removed).
 */
int cpw_atomic_file_commit(struct cpw_atomic_file *file);

/** Abandons an uncommitted file (removes the temporary file) and releases everything. Safe on a
 * zeroed, committed or already cleaned-up struct. */
void cpw_atomic_file_clean_up(struct cpw_atomic_file *file);

#endif
