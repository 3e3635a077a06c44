/*
 * lock.c - exclusive, kernel-released locks across processes (flock(2) on a 0600 file that names
 * its holder), so that a second apply of the same plan or account refuses and says who holds it,
 * and a lock whose holder died is taken over.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/lock.h"
#include "cpw/time.h"

#define LOCK_NAME_MAX  128
#define LOCK_INFO_MAX  4096
#define LOCK_FIELD_MAX 512

struct cpw_lock {
    int fd;
    char *path;
};

/* What a lock file says about its holder; empty fields when it says nothing. */
struct holder {
    char pid[32];
    char host[LOCK_FIELD_MAX];
    char since[64];
    char what[LOCK_FIELD_MAX];
};

static bool s_name_ok(const char *name)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len > LOCK_NAME_MAX || name[0] == '.') {
        return false;
    }
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == len;
}

static int s_make_dir(const char *dir)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        return cpw_raise(CPW_ERR_IO, "cannot create the lock directory %s: %s", dir,
                         strerror(errno));
    }
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return cpw_raise(CPW_ERR_IO, "the lock directory %s is not a directory", dir);
    }
    return 0;
}

/* Copies the rest of a "key value" line into out (capped, printable characters only). */
static void s_field(const char *line, size_t len, char *out, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < size; i++) {
        unsigned char c = (unsigned char)line[i];
        out[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    out[n] = '\0';
}

/* Reads the holder's lines from fd (from offset 0, at most LOCK_INFO_MAX bytes). */
static void s_read_holder(int fd, struct holder *h)
{
    memset(h, 0, sizeof(*h));
    char text[LOCK_INFO_MAX + 1];
    ssize_t got = pread(fd, text, LOCK_INFO_MAX, 0);
    if (got <= 0) {
        return;
    }
    text[got] = '\0';
    const char *p = text;
    while (*p) {
        size_t len = strcspn(p, "\n");
        static const struct {
            const char *key;
            size_t offset;
            size_t size;
        } fields[] = {
            { "pid ", offsetof(struct holder, pid), sizeof(h->pid) },
            { "host ", offsetof(struct holder, host), sizeof(h->host) },
            { "since ", offsetof(struct holder, since), sizeof(h->since) },
            { "what ", offsetof(struct holder, what), sizeof(h->what) },
        };
        for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
            size_t klen = strlen(fields[f].key);
            if (len >= klen && strncmp(p, fields[f].key, klen) == 0) {
                s_field(p + klen, len - klen, (char *)h + fields[f].offset, fields[f].size);
            }
        }
        p += len;
        if (*p == '\n') {
            p++;
        }
    }
}

static const char *s_or(const char *s, const char *fallback)
{
    return s && *s ? s : fallback;
}

static int s_write_holder(int fd, const char *what)
{
    char host[256] = "";
    if (gethostname(host, sizeof(host) - 1) != 0) {
        snprintf(host, sizeof(host), "unknown");
    }
    char since[CPW_TIME_ISO8601_LEN + 1] = "";
    if (cpw_time_format_iso8601(cpw_time_now_s(), since) != 0) {
        since[0] = '\0';
    }
    struct cpw_buf text;
    cpw_buf_init(&text, LOCK_INFO_MAX);
    int rc = cpw_buf_appendf(&text, "pid %ld\nhost %s\nsince %s\nwhat %s\n", (long)getpid(), host,
                             since, s_or(what, "-"));
    if (rc == 0 &&
        (ftruncate(fd, 0) != 0 || pwrite(fd, text.data, text.len, 0) != (ssize_t)text.len)) {
        rc = cpw_raise(CPW_ERR_IO, "cannot write the lock file: %s", strerror(errno));
    }
    cpw_buf_clean_up(&text);
    return rc;
}

struct cpw_lock *cpw_lock_acquire(const char *dir, const char *name, const char *what, char **note)
{
    struct cpw_lock *lock = NULL;
    struct cpw_buf path;
    cpw_buf_init(&path, 8192);
    int fd = -1;
    if (note) {
        *note = NULL;
    }
    if (!dir || !s_name_ok(name)) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT, "'%s' is not a lock name", name ? name : "");
        goto on_error;
    }
    if (s_make_dir(dir) || cpw_buf_appendf(&path, "%s/%s.lock", dir, name)) {
        goto on_error;
    }
    fd = open(cpw_buf_cstr(&path), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        cpw_raise(CPW_ERR_IO, "cannot open the lock file %s: %s", cpw_buf_cstr(&path),
                  strerror(errno));
        goto on_error;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
        cpw_raise(CPW_ERR_IO, "the lock file %s is not a regular file of this user",
                  cpw_buf_cstr(&path));
        goto on_error;
    }
    if ((st.st_mode & 0077) != 0 && fchmod(fd, 0600) != 0) {
        cpw_raise(CPW_ERR_IO, "cannot make the lock file %s private: %s", cpw_buf_cstr(&path),
                  strerror(errno));
        goto on_error;
    }
    struct holder h;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        if (err != EWOULDBLOCK && err != EINTR) {
            cpw_raise(CPW_ERR_IO, "cannot lock %s: %s", cpw_buf_cstr(&path), strerror(err));
            goto on_error;
        }
        s_read_holder(fd, &h);
        if (h.pid[0]) {
            cpw_raise(CPW_ERR_LOCKED,
                      "%s is being applied by pid %s on host %s since %s; wait for it to finish "
                      "or check that process (lock file %s)",
                      s_or(what, name), h.pid, s_or(h.host, "unknown"), s_or(h.since, "unknown"),
                      cpw_buf_cstr(&path));
        } else {
            cpw_raise(CPW_ERR_LOCKED,
                      "%s is being applied by another process (it has not said which yet); wait "
                      "for it to finish or check the holder of the lock file %s",
                      s_or(what, name), cpw_buf_cstr(&path));
        }
        goto on_error;
    }
    s_read_holder(fd, &h);
    if (h.pid[0] && note) {
        struct cpw_buf text;
        cpw_buf_init(&text, 2048);
        (void)cpw_buf_appendf(&text,
                              "taking over a lock left by pid %s on host %s (since %s), which "
                              "is no longer running",
                              h.pid, s_or(h.host, "unknown"), s_or(h.since, "unknown"));
        *note = cpw_buf_detach(&text);
    }
    if (s_write_holder(fd, what)) {
        goto on_error;
    }
    lock = cpw_calloc(1, sizeof(*lock));
    lock->fd = fd;
    lock->path = cpw_buf_detach(&path);
    return lock;
on_error:
    if (fd >= 0) {
        close(fd); /* releases the flock, if taken */
    }
    if (note && *note) {
        cpw_free(*note);
        *note = NULL;
    }
    cpw_buf_clean_up(&path);
    return NULL;
}

void cpw_lock_release(struct cpw_lock *lock)
{
    if (!lock) {
        return;
    }
    /* Emptied: the next taker finds no holder to take over. Should that fail, the next taker
     * reports a takeover of a lock that was in fact released; nothing worse. */
    int rc = ftruncate(lock->fd, 0);
    (void)rc;
    close(lock->fd);
    cpw_free(lock->path);
    cpw_free(lock);
}

const char *cpw_lock_path(const struct cpw_lock *lock)
{
    return lock ? lock->path : "";
}
