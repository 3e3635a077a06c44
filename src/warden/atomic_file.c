/*
 * atomic_file.c - temporary file + rename writer for plan and backup files (0600, all or nothing).
 */
#include "atomic_file.h"

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

#define ATOMIC_FILE_BUFFER_BYTES (64u * 1024u)

int cpw_atomic_file_open(struct cpw_atomic_file *file, const char *path)
{
    memset(file, 0, sizeof(*file));
    file->fd = -1;
    if (!path || !*path) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "no file path given");
    }
    /* rename(2) would replace a symbolic link placed at path without a word: refuse it, as
     * every other writer of account data does (cpw_file_open_private). */
    if (cpw_file_refuse_link(path)) {
        return -1;
    }
    struct cpw_buf tmp;
    cpw_buf_init(&tmp, 8192);
    if (cpw_buf_appendf(&tmp, "%s.tmp-XXXXXX", path)) {
        return -1;
    }
    file->tmp_path = cpw_buf_detach(&tmp);
    /* mkstemp: O_CREAT|O_EXCL with mode 0600, whatever the umask allows beyond that. */
    file->fd = mkstemp(file->tmp_path);
    if (file->fd < 0) {
        int err = errno;
        cpw_free(file->tmp_path);
        file->tmp_path = NULL;
        return cpw_raise(CPW_ERR_IO, "cannot create a temporary file beside %s: %s", path,
                         strerror(err));
    }
    file->is_open = true;
    if (fchmod(file->fd, S_IRUSR | S_IWUSR) != 0) {
        int err = errno;
        cpw_atomic_file_clean_up(file);
        return cpw_raise(CPW_ERR_IO, "cannot restrict %s to mode 0600: %s", path, strerror(err));
    }
    file->final_path = cpw_strdup(path);
    file->pending = cpw_malloc(ATOMIC_FILE_BUFFER_BYTES);
    return 0;
}

static int s_flush(struct cpw_atomic_file *file)
{
    size_t done = 0;
    while (done < file->pending_len) {
        ssize_t n = write(file->fd, file->pending + done, file->pending_len - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return cpw_raise(CPW_ERR_IO, "cannot write %s: %s", file->final_path, strerror(errno));
        }
        done += (size_t)n;
    }
    file->pending_len = 0;
    return 0;
}

int cpw_atomic_file_write(struct cpw_atomic_file *file, struct cpw_span bytes)
{
    if (!file->is_open) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "write to a file that is not open");
    }
    while (bytes.len) {
        size_t room = ATOMIC_FILE_BUFFER_BYTES - file->pending_len;
        size_t n = bytes.len < room ? bytes.len : room;
        memcpy(file->pending + file->pending_len, bytes.ptr, n);
        file->pending_len += n;
        bytes.ptr += n;
        bytes.len -= n;
        if (file->pending_len == ATOMIC_FILE_BUFFER_BYTES && s_flush(file)) {
            return -1;
        }
    }
    return 0;
}

int cpw_atomic_file_commit(struct cpw_atomic_file *file)
{
    if (!file->is_open) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "commit of a file that is not open");
    }
    int rc = s_flush(file);
    if (rc == 0 && fsync(file->fd) != 0) {
        rc = cpw_raise(CPW_ERR_IO, "cannot sync %s: %s", file->final_path, strerror(errno));
    }
    if (close(file->fd) != 0 && rc == 0) {
        rc = cpw_raise(CPW_ERR_IO, "cannot close %s: %s", file->final_path, strerror(errno));
    }
    file->is_open = false;
    if (rc == 0 && rename(file->tmp_path, file->final_path) != 0) {
        rc = cpw_raise(CPW_ERR_IO, "cannot rename the temporary file to %s: %s", file->final_path,
                       strerror(errno));
    }
    if (rc == 0) {
        cpw_free(file->tmp_path); /* renamed: nothing to remove */
        file->tmp_path = NULL;
    }
    cpw_atomic_file_clean_up(file);
    return rc;
}

void cpw_atomic_file_clean_up(struct cpw_atomic_file *file)
{
    if (!file) {
        return;
    }
    if (file->is_open) {
        close(file->fd);
        file->is_open = false;
    }
    if (file->tmp_path) {
        unlink(file->tmp_path);
        cpw_free(file->tmp_path);
        file->tmp_path = NULL;
    }
    cpw_free(file->final_path);
    file->final_path = NULL;
    cpw_free(file->pending);
    file->pending = NULL;
    file->pending_len = 0;
}
