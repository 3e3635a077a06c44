/*
 * file.c - no-follow private writers and non-blocking regular-file readers (see cpw/file.h).
 */
#include "cpw/file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpw/error.h"

/* What a non-regular file is, for the error detail. */
static const char *s_kind(mode_t mode)
{
    if (S_ISDIR(mode)) {
        return "a directory";
    }
    if (S_ISFIFO(mode)) {
        return "a FIFO";
    }
    if (S_ISSOCK(mode)) {
        return "a socket";
    }
    if (S_ISCHR(mode)) {
        return "a character device";
    }
    if (S_ISBLK(mode)) {
        return "a block device";
    }
    if (S_ISLNK(mode)) {
        return "a symbolic link";
    }
    return "of an unknown kind";
}

static int s_raise_link(const char *path)
{
    return cpw_raise(CPW_ERR_IO, "%s is a symbolic link: refusing to write through it", path);
}

static int s_raise_kind(const char *path, mode_t mode)
{
    return cpw_raise(CPW_ERR_IO, "%s is not a regular file (%s)", path, s_kind(mode));
}

/* Clears O_NONBLOCK once the descriptor is known to be a regular file. */
static int s_blocking(int fd, const char *path)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        return cpw_raise(CPW_ERR_IO, "cannot use %s: %s", path, strerror(errno));
    }
    return 0;
}

int cpw_file_open_private(const char *path, int flags)
{
    if (!path || !*path) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "no file path given");
    }
    int fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, S_IRUSR | S_IWUSR);
    if (fd < 0) {
        int err = errno;
        struct stat st;
        if (err == ELOOP && lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
            return s_raise_link(path);
        }
        if (err == ENXIO && lstat(path, &st) == 0) {
            return s_raise_kind(path, st.st_mode); /* a FIFO without a reader */
        }
        return cpw_raise(CPW_ERR_IO, "cannot write %s: %s", path, strerror(err));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return cpw_raise(CPW_ERR_IO, "cannot write %s: %s", path, strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return s_raise_kind(path, st.st_mode);
    }
    /* Account data: never readable by others, even in a file that existed with another mode. */
    if (fchmod(fd, S_IRUSR | S_IWUSR) != 0) {
        int err = errno;
        close(fd);
        return cpw_raise(CPW_ERR_IO, "cannot restrict %s to mode 0600: %s", path, strerror(err));
    }
    if (s_blocking(fd, path)) {
        close(fd);
        return -1;
    }
    return fd;
}

int cpw_file_refuse_link(const char *path)
{
    struct stat st;
    if (path && lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        return s_raise_link(path);
    }
    return 0;
}

int cpw_file_open_regular(const char *path, uint64_t *size_bytes)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        return cpw_raise(CPW_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return cpw_raise(CPW_ERR_IO, "cannot open %s: %s", path, strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return s_raise_kind(path, st.st_mode);
    }
    if (s_blocking(fd, path)) {
        close(fd);
        return -1;
    }
    if (size_bytes) {
        *size_bytes = st.st_size > 0 ? (uint64_t)st.st_size : 0;
    }
    return fd;
}
