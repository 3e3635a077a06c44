/*
 * file.h - opening files whose path a user or a configuration names, safely.
 *
 * Two dangers are closed here once, for every layer. A file that receives account data (an
 * inventory, a database) is never written through a symbolic link: a link planted at the path
 * would otherwise make cpwarden clobber whatever it points to. A file read as configuration
 * (~/.aws/credentials, ~/.aws/config) must be a regular file of bounded size: a FIFO would block
 * the reader forever and a device or directory makes no sense.
 *
 * Errors are CPW_ERR_IO with a detail naming the path and what is wrong with it, e.g.
 * "out.json is a symbolic link: refusing to write through it" or
 * "/home/me/.aws/credentials is not a regular file (a FIFO)".
 *
 * Thread-safety: the functions keep no state.
 */
#ifndef CPW_FILE_H
#define CPW_FILE_H

#include <stdint.h>

/**
 * Opens path to write data only its owner may read: flags (O_WRONLY or O_RDWR, with O_CREAT,
 * O_TRUNC as wanted) plus O_NOFOLLOW|O_CLOEXEC, mode 0600 when created and tightened to 0600 when
 * it existed. Refuses a symbolic link at path (the file it points to is left untouched) and
 * anything that is not a regular file, without blocking on a FIFO. Returns an owned descriptor
 * (close it), or -1 with CPW_ERR_IO.
 */
int cpw_file_open_private(const char *path, int flags);

/**
 * Returns 0 when nothing, or something other than a symbolic link, is at path; -1 with
 * CPW_ERR_IO (the same detail as cpw_file_open_private) when a symbolic link is. For writers that
 * replace path by rename(2), which would silently replace a link the user placed there.
 */
int cpw_file_refuse_link(const char *path);

/**
 * Opens an existing regular file for reading, following symbolic links (a dotfile may be one),
 * without ever blocking: O_NONBLOCK until fstat(2) has shown that it is a regular file. Sets
 * *size_bytes (may be NULL) to its size. Returns an owned descriptor, or -1 with CPW_ERR_IO
 * ("PATH is not a regular file (a FIFO)", or the open error).
 */
int cpw_file_open_regular(const char *path, uint64_t *size_bytes);

#endif
