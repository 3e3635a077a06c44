/*
 * buf.c - capped growable buffers and borrowed spans.
 */
#include "cpw/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/file.h"

/* ----- spans ------------------------------------------------------------------------------- */

struct cpw_span cpw_span_from_cstr(const char *s)
{
    struct cpw_span span = { (const uint8_t *)s, s ? strlen(s) : 0 };
    return span;
}

struct cpw_span cpw_span_from(const void *p, size_t len)
{
    struct cpw_span span = { p, p ? len : 0 };
    return span;
}

bool cpw_span_eq(struct cpw_span a, struct cpw_span b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static uint8_t s_lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

bool cpw_span_eq_ignore_case(struct cpw_span a, struct cpw_span b)
{
    if (a.len != b.len) {
        return false;
    }
    for (size_t i = 0; i < a.len; i++) {
        if (s_lower(a.ptr[i]) != s_lower(b.ptr[i])) {
            return false;
        }
    }
    return true;
}

bool cpw_span_eq_cstr(struct cpw_span a, const char *s)
{
    return cpw_span_eq(a, cpw_span_from_cstr(s));
}

bool cpw_span_starts_with(struct cpw_span s, struct cpw_span prefix)
{
    return s.len >= prefix.len && (prefix.len == 0 || memcmp(s.ptr, prefix.ptr, prefix.len) == 0);
}

struct cpw_span cpw_span_trim(struct cpw_span s)
{
    while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t')) {
        s.ptr++;
        s.len--;
    }
    while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t')) {
        s.len--;
    }
    return s;
}

long cpw_span_find_byte(struct cpw_span s, uint8_t c)
{
    if (s.len == 0) {
        return -1;
    }
    const uint8_t *hit = memchr(s.ptr, c, s.len);
    return hit ? (long)(hit - s.ptr) : -1;
}

long cpw_span_find(struct cpw_span s, struct cpw_span needle)
{
    if (needle.len == 0) {
        return 0;
    }
    if (s.len < needle.len) {
        return -1;
    }
    for (size_t i = 0; i + needle.len <= s.len; i++) {
        if (s.ptr[i] == needle.ptr[0] && memcmp(s.ptr + i, needle.ptr, needle.len) == 0) {
            return (long)i;
        }
    }
    return -1;
}

struct cpw_span cpw_span_sub(struct cpw_span s, size_t start, size_t len)
{
    if (start > s.len) {
        start = s.len;
    }
    if (len > s.len - start) {
        len = s.len - start;
    }
    struct cpw_span sub = { s.ptr + start, len };
    return sub;
}

bool cpw_span_next_token(struct cpw_span *rest, uint8_t delim, struct cpw_span *token)
{
    if (!rest->ptr) {
        return false;
    }
    long at = cpw_span_find_byte(*rest, delim);
    if (at < 0) {
        *token = *rest;
        rest->ptr = NULL;
        rest->len = 0;
        return true;
    }
    token->ptr = rest->ptr;
    token->len = (size_t)at;
    rest->ptr += at + 1;
    rest->len -= (size_t)at + 1;
    return true;
}

int cpw_span_to_u64(struct cpw_span s, uint64_t max, uint64_t *out)
{
    if (s.len == 0 || s.len > 20) {
        return cpw_raise(CPW_ERR_PARSE, "expected a whole number, got %zu characters", s.len);
    }
    uint64_t value = 0;
    for (size_t i = 0; i < s.len; i++) {
        uint8_t c = s.ptr[i];
        if (c < '0' || c > '9') {
            return cpw_raise(CPW_ERR_PARSE, "expected a whole number, found '%c'",
                             (c >= 0x20 && c < 0x7f) ? c : '?');
        }
        uint64_t digit = (uint64_t)(c - '0');
        if (value > (max - digit) / 10) {
            return cpw_raise(CPW_ERR_PARSE, "number is larger than %llu", (unsigned long long)max);
        }
        value = value * 10 + digit;
    }
    *out = value;
    return 0;
}

/* ----- buffers ----------------------------------------------------------------------------- */

void cpw_buf_init(struct cpw_buf *buf, size_t max)
{
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    buf->max = max;
}

void cpw_buf_clean_up(struct cpw_buf *buf)
{
    if (!buf) {
        return;
    }
    cpw_free(buf->data);
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
}

void cpw_buf_clean_up_secure(struct cpw_buf *buf)
{
    if (!buf) {
        return;
    }
    if (buf->data) {
        cpw_secure_zero(buf->data, buf->cap);
    }
    cpw_buf_clean_up(buf);
}

void cpw_buf_reset(struct cpw_buf *buf)
{
    buf->len = 0;
    if (buf->data) {
        buf->data[0] = '\0';
    }
}

int cpw_buf_reserve(struct cpw_buf *buf, size_t extra)
{
    if (extra > buf->max || buf->len > buf->max - extra) {
        size_t had = buf->len;
        cpw_buf_clean_up(buf);
        return cpw_raise(CPW_ERR_LIMIT, "buffer limit of %zu bytes reached (had %zu, adding %zu)",
                         buf->max, had, extra);
    }
    size_t need = buf->len + extra + 1; /* +1: the spare NUL */
    if (need <= buf->cap) {
        return 0;
    }
    size_t cap = buf->cap ? buf->cap : 64;
    while (cap < need) {
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    }
    if (cap > buf->max + 1) {
        cap = buf->max + 1;
    }
    buf->data = cpw_realloc(buf->data, cap);
    buf->cap = cap;
    return 0;
}

int cpw_buf_append(struct cpw_buf *buf, struct cpw_span bytes)
{
    if (cpw_buf_reserve(buf, bytes.len)) {
        return -1;
    }
    if (bytes.len) {
        memcpy(buf->data + buf->len, bytes.ptr, bytes.len);
    }
    buf->len += bytes.len;
    buf->data[buf->len] = '\0';
    return 0;
}

int cpw_buf_append_cstr(struct cpw_buf *buf, const char *s)
{
    return cpw_buf_append(buf, cpw_span_from_cstr(s));
}

int cpw_buf_append_byte(struct cpw_buf *buf, uint8_t byte)
{
    return cpw_buf_append(buf, cpw_span_from(&byte, 1));
}

int cpw_buf_vappendf(struct cpw_buf *buf, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int needed = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (needed < 0) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "bad format string");
    }
    if (cpw_buf_reserve(buf, (size_t)needed)) {
        return -1;
    }
    vsnprintf((char *)buf->data + buf->len, (size_t)needed + 1, fmt, ap);
    buf->len += (size_t)needed;
    return 0;
}

int cpw_buf_appendf(struct cpw_buf *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = cpw_buf_vappendf(buf, fmt, ap);
    va_end(ap);
    return rc;
}

struct cpw_span cpw_buf_span(const struct cpw_buf *buf)
{
    struct cpw_span span = { buf->data, buf->len };
    return span;
}

const char *cpw_buf_cstr(const struct cpw_buf *buf)
{
    return buf->data ? (const char *)buf->data : "";
}

char *cpw_buf_detach(struct cpw_buf *buf)
{
    char *s = buf->data ? (char *)buf->data : cpw_strdup("");
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    return s;
}

/* Reads fd to its end into buf; closes nothing. */
static int s_read_fd(struct cpw_buf *buf, int fd, const char *path)
{
    int rc = 0;
    for (;;) {
        size_t room = buf->max - buf->len;
        size_t chunk = room < 65536 ? room : 65536;
        uint8_t probe;
        uint8_t *dest = &probe;
        if (chunk > 0) {
            if (cpw_buf_reserve(buf, chunk)) {
                rc = -1;
                break;
            }
            dest = buf->data + buf->len;
        }
        ssize_t n = read(fd, dest, chunk > 0 ? chunk : 1);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            rc = cpw_raise(CPW_ERR_IO, "cannot read %s: %s", path, strerror(errno));
            break;
        }
        if (n == 0) {
            break;
        }
        if (chunk == 0) {
            cpw_buf_clean_up(buf);
            rc = cpw_raise(CPW_ERR_LIMIT, "%s is larger than %zu bytes", path, buf->max);
            break;
        }
        buf->len += (size_t)n;
        buf->data[buf->len] = '\0';
    }
    return rc;
}

int cpw_buf_read_file(struct cpw_buf *buf, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return cpw_raise(CPW_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    }
    int rc = s_read_fd(buf, fd, path);
    close(fd);
    return rc;
}

/* True when path is the null device: "/dev/null" is the usual way to say "no file". */
static bool s_is_null_device(const char *path)
{
    struct stat st;
    struct stat null_st;
    return stat(path, &st) == 0 && S_ISCHR(st.st_mode) && stat("/dev/null", &null_st) == 0 &&
           st.st_rdev == null_st.st_rdev;
}

int cpw_buf_read_regular_file(struct cpw_buf *buf, const char *path)
{
    if (s_is_null_device(path)) {
        return 0; /* empty, as a regular file with nothing in it */
    }
    uint64_t size_bytes = 0;
    int fd = cpw_file_open_regular(path, &size_bytes);
    if (fd < 0) {
        return -1;
    }
    int rc = 0;
    if (size_bytes > buf->max - buf->len) {
        rc = cpw_raise(CPW_ERR_LIMIT, "%s is larger than %zu bytes", path, buf->max);
    } else {
        rc = s_read_fd(buf, fd, path); /* the file may still grow: the read stays capped */
    }
    close(fd);
    return rc;
}

/* Length of the valid UTF-8 sequence at p[0..avail), or 0 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
static size_t s_utf8_len(const uint8_t *p, size_t avail)
{
    uint8_t c = p[0];
    size_t len = c >= 0xC2 && c <= 0xDF   ? 2
                 : c >= 0xE0 && c <= 0xEF ? 3
                 : c >= 0xF0 && c <= 0xF4 ? 4
                                          : 0;
    if (len == 0 || avail < len) {
        return 0;
    }
    uint8_t lo = 0x80;
    uint8_t hi = 0xBF;
    if (c == 0xE0) {
        lo = 0xA0;
    } else if (c == 0xED) {
        hi = 0x9F;
    } else if (c == 0xF0) {
        lo = 0x90;
    } else if (c == 0xF4) {
        hi = 0x8F;
    }
    if (p[1] < lo || p[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < len; i++) {
        if (p[i] < 0x80 || p[i] > 0xBF) {
            return 0;
        }
    }
    return len;
}

static int s_append_escaped(struct cpw_buf *out, const uint8_t *p, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        char esc[4] = { '\\', 'x', hex[p[i] >> 4], hex[p[i] & 15] };
        if (cpw_buf_append(out, cpw_span_from(esc, sizeof(esc)))) {
            return -1;
        }
    }
    return 0;
}

int cpw_buf_append_printable(struct cpw_buf *out, struct cpw_span text, unsigned flags)
{
    size_t i = 0;
    while (i < text.len) {
        /* The longest run of bytes that need no escape goes in with one append. */
        size_t start = i;
        size_t bad = 0;
        while (i < text.len) {
            uint8_t c = text.ptr[i];
            if (c >= 0x20 && c < 0x7F) {
                i++;
                continue;
            }
            if ((c == '\n' || c == '\t') && (flags & CPW_PRINTABLE_KEEP_NEWLINES)) {
                i++;
                continue;
            }
            if (c >= 0x80) {
                size_t n = s_utf8_len(text.ptr + i, text.len - i);
                /* U+0080..U+009F (C1: 0xC2 0x80..0x9F) act like ESC sequences on some terminals. */
                if (n > 0 && !(c == 0xC2 && text.ptr[i + 1] <= 0x9F)) {
                    i += n;
                    continue;
                }
                bad = n > 0 ? n : 1;
            } else {
                bad = 1; /* C0, ESC, DEL */
            }
            break;
        }
        if (i > start && cpw_buf_append(out, cpw_span_from(text.ptr + start, i - start))) {
            return -1;
        }
        if (bad) {
            if (s_append_escaped(out, text.ptr + i, bad)) {
                return -1;
            }
            i += bad;
        }
    }
    return 0;
}

size_t cpw_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a);
    size_t lb = strlen(b);
    if (la > CPW_EDIT_DISTANCE_MAX_LEN || lb > CPW_EDIT_DISTANCE_MAX_LEN) {
        return SIZE_MAX;
    }
    size_t row[CPW_EDIT_DISTANCE_MAX_LEN + 1];
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t best = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
            best = above + 1 < best ? above + 1 : best;
            best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb];
}
