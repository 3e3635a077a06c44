/*
 * lock.h - exclusive locks across processes, so that one plan and one account are applied by
 * one process at a time.
 *
 * A lock is a file DIR/NAME.lock (DIR created 0700; the file opened with O_NOFOLLOW, a regular
 * file owned by the caller, mode 0600) held with flock(2) LOCK_EX. The kernel releases the lock
 * when its holder exits in any way (even SIGKILL), so a lock is never left held by a dead
 * process. The holder writes who it is into the file ("pid N", "host H", "since ISO-8601",
 * "what TEXT", one per line) so that a second process can name it; on release the file is
 * emptied. A file that still names a holder while nobody holds the lock was left by a process
 * that died: the lock is taken over and *note says so.
 *
 * The same lock is compatible with flock(1), so a script can hold one with `flock FILE CMD`.
 *
 * Ownership: a struct cpw_lock is owned by its taker (cpw_lock_release). Thread-safety: a lock
 * belongs to one thread; flock locks belong to the open file, so two takers in one process
 * exclude each other as two processes do.
 */
#ifndef CPW_LOCK_H
#define CPW_LOCK_H

struct cpw_lock;

/**
 * Takes the lock `name` ([A-Za-z0-9._-], at most 128 characters, not starting with '.') in dir,
 * without waiting. `what` names what is locked in the holder's words, e.g. "plan 3f2a...
 * (plan.json)". Returns the lock (owned), or NULL with:
 *  - CPW_ERR_LOCKED when another process holds it: "WHAT is being applied by pid N on host H
 *    since T; wait for it to finish or check that process (lock file PATH)";
 *  - CPW_ERR_INVALID_ARGUMENT for a bad name; CPW_ERR_IO when the directory or the file cannot
 *    be made or is not a regular file of this user (a symbolic link is refused).
 * When the file named a holder that is gone, *note (if note is not NULL) receives "taking over a
 * lock left by pid N on host H (since T), which is no longer running" (owned, cpw_free);
 * otherwise *note is NULL.
 */
struct cpw_lock *cpw_lock_acquire(const char *dir, const char *name, const char *what, char **note);

/** Empties the lock file and releases the lock. NULL is a no-op. */
void cpw_lock_release(struct cpw_lock *lock);

/** The lock file's path. Borrowed from the lock. */
const char *cpw_lock_path(const struct cpw_lock *lock);

#endif
