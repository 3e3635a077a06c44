/*
 * ini.c - the libinih wrapper (include/core/cpw/ini.h).
 *
 * libinih reads lines through a reader callback; ours hands it the text one line at a time and
 * counts lines (Debian's build does not pass line numbers to handlers). Debian builds libinih
 * with a 200-byte line buffer and 50-byte section and key buffers, which would cut a session
 * token or a long profile name; so a section name, key or value too long for them, or holding
 * the marker byte itself, is handed over as a marker (0x1D and an index into a side table) and
 * put back before the handler sees it. libinih still does the parsing: comments, headers, the
 * key/value split, trimming, continuation lines and the error line.
 *
 * libinih does not report section headers (INI_CALL_HANDLER_ON_NEW_SECTION is off); the reader
 * reports a header it handed over at its next call, that is after libinih took it and before
 * any line under it.
 */
#include "cpw/ini.h"

#include <ini.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"

#define MARKER       '\x1d'
#define NAME_MAX_LEN 40u /* under libinih's 50-byte section and key buffers */

struct reader {
    struct cpw_span rest;
    const char *path;
    cpw_ini_handler handler;
    void *user;
    unsigned line;
    bool failed;       /* the handler or the reader raised an error: stop */
    bool prev_key;     /* libinih holds a key that an indented line continues */
    bool continuation; /* the line handed over last is such a continuation */
    bool header_pending;
    char *header; /* the header handed over last, reported at the next call */
    unsigned header_line;
    char **pieces; /* the side table of long or marked pieces */
    size_t piece_count;
};

static pthread_once_t s_settings_once = PTHREAD_ONCE_INIT;

static void s_settings(void)
{
    ini_allow_inline_comments = false;
    ini_stop_on_first_error = true;
    ini_allow_multiline = true;
    ini_allow_no_value = false;
    ini_allow_bom = false; /* skipped here, before the first line */
}

static bool s_needs_marker(struct cpw_span piece, size_t max)
{
    return piece.len > max || memchr(piece.ptr, MARKER, piece.len) != NULL;
}

/* Appends piece to out (capacity cap, room checked by the caller), or its marker. */
static size_t s_put(struct reader *r, char *out, size_t at, struct cpw_span piece, size_t max)
{
    if (!s_needs_marker(piece, max)) {
        memcpy(out + at, piece.ptr, piece.len);
        return at + piece.len;
    }
    r->pieces = cpw_realloc(r->pieces, (r->piece_count + 1) * sizeof(*r->pieces));
    r->pieces[r->piece_count] = cpw_strndup((const char *)piece.ptr, piece.len);
    int n = snprintf(out + at, 16, "%c%zu", MARKER, r->piece_count);
    r->piece_count++;
    return at + (size_t)n;
}

/* A string libinih handed back: the original piece when it is a marker. */
static const char *s_resolve(const struct reader *r, const char *s)
{
    if (!s || s[0] != MARKER) {
        return s;
    }
    size_t index = 0;
    for (const char *p = s + 1; *p >= '0' && *p <= '9'; p++) {
        index = index * 10 + (size_t)(*p - '0');
    }
    return index < r->piece_count ? r->pieces[index] : s;
}

static struct cpw_span s_trim(struct cpw_span s)
{
    while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t' || s.ptr[0] == '\r')) {
        s.ptr++;
        s.len--;
    }
    while (s.len &&
           (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t' || s.ptr[s.len - 1] == '\r' ||
            s.ptr[s.len - 1] == '\f' || s.ptr[s.len - 1] == '\v')) {
        s.len--;
    }
    return s;
}

static bool s_report_header(struct reader *r)
{
    if (!r->header_pending) {
        return true;
    }
    r->header_pending = false;
    struct cpw_ini_item item = {
        .section = r->header, .key = NULL, .value = NULL, .line = r->header_line
    };
    if (r->handler(r->user, &item)) {
        r->failed = true;
    }
    return !r->failed;
}

/* libinih's ini_reader: the next line into out (num bytes with the NUL), or NULL at the end. */
static char *s_read(char *out, int num, void *stream)
{
    struct reader *r = stream;
    struct cpw_span line;
    if (!s_report_header(r) || !cpw_span_next_token(&r->rest, '\n', &line)) {
        return NULL;
    }
    if (num < 64) {
        cpw_raise(CPW_ERR_INTERNAL, "%s: libinih's line buffer is %d bytes", r->path, num);
        r->failed = true;
        return NULL;
    }
    r->line++;
    r->continuation = false;
    if (memchr(line.ptr, '\0', line.len)) {
        cpw_raise(CPW_ERR_CONFIG, "%s:%u: a NUL byte", r->path, r->line);
        r->failed = true;
        return NULL;
    }
    size_t room = (size_t)num - 4; /* libinih wants 3 bytes more than the longest line */
    bool indented = line.len && (line.ptr[0] == ' ' || line.ptr[0] == '\t');
    struct cpw_span t = s_trim(line);
    size_t at = 0;
    if (t.len == 0 || t.ptr[0] == '#' || t.ptr[0] == ';') {
        out[at++] = '#'; /* a comment: its text does not matter */
    } else if (indented && r->prev_key) {
        out[at++] = ' ';
        at = s_put(r, out, at, t, room - 1);
        r->continuation = true;
    } else if (t.ptr[0] == '[') {
        long close = cpw_span_find_byte(t, ']');
        out[at++] = '[';
        if (close > 0) { /* else libinih reports the line as malformed */
            struct cpw_span name = cpw_span_sub(t, 1, (size_t)close - 1);
            at = s_put(r, out, at, name, NAME_MAX_LEN);
            out[at++] = ']';
            cpw_free(r->header);
            r->header = cpw_strndup((const char *)name.ptr, name.len);
            r->header_line = r->line;
            r->header_pending = true;
            r->prev_key = false;
        }
    } else {
        size_t split = 0;
        while (split < t.len && t.ptr[split] != '=' && t.ptr[split] != ':') {
            split++;
        }
        if (split == t.len) {
            out[at++] = '?'; /* no '=' or ':': libinih reports the line */
        } else {
            struct cpw_span key = s_trim(cpw_span_sub(t, 0, split));
            struct cpw_span value = s_trim(cpw_span_sub(t, split + 1, t.len));
            at = s_put(r, out, at, key, NAME_MAX_LEN);
            out[at++] = '=';
            at = s_put(r, out, at, value, room - at);
            r->prev_key = true;
        }
    }
    out[at++] = '\n';
    out[at] = '\0';
    return out;
}

static int s_handle(void *user, const char *section, const char *name, const char *value)
{
    struct reader *r = user;
    if (r->failed) {
        return 0;
    }
    struct cpw_ini_item item = {
        .section = s_resolve(r, section),
        .key = s_resolve(r, name),
        .value = s_resolve(r, value ? value : ""),
        .line = r->line,
        .continuation = r->continuation,
    };
    if (!item.key || (!item.continuation && item.key[0] == '\0')) {
        cpw_raise(CPW_ERR_CONFIG, "%s:%u: expected 'key = value'", r->path, r->line);
        r->failed = true;
        return 0;
    }
    if (r->handler(r->user, &item)) {
        r->failed = true;
        return 0;
    }
    return 1;
}

/* The text of line number n (1-based), trimmed. */
static struct cpw_span s_line(struct cpw_span text, unsigned n)
{
    struct cpw_span line = { 0 };
    for (unsigned i = 0; i < n && cpw_span_next_token(&text, '\n', &line); i++) {
    }
    return s_trim(line);
}

int cpw_ini_parse(struct cpw_span text, const char *path, cpw_ini_handler handler, void *user)
{
    pthread_once(&s_settings_once, s_settings);
    static const uint8_t bom[] = { 0xEF, 0xBB, 0xBF };
    if (text.len >= 3 && memcmp(text.ptr, bom, 3) == 0) {
        text = cpw_span_sub(text, 3, text.len);
    }
    struct reader r = { .rest = text, .path = path, .handler = handler, .user = user };
    int rc = ini_parse_stream(s_read, &r, s_handle, &r);
    (void)s_report_header(&r); /* a header on the last line */
    int result = 0;
    if (r.failed) {
        result = -1;
    } else if (rc > 0) {
        struct cpw_span bad = s_line(text, (unsigned)rc);
        result = cpw_raise(CPW_ERR_CONFIG, "%s:%d: %s", path, rc,
                           bad.len && bad.ptr[0] == '[' ? "malformed section header"
                                                        : "expected 'key = value'");
    } else if (rc < 0) {
        result = cpw_raise(CPW_ERR_CONFIG, "%s: libinih failed (%d)", path, rc);
    }
    for (size_t i = 0; i < r.piece_count; i++) {
        cpw_free(r.pieces[i]);
    }
    cpw_free(r.pieces);
    cpw_free(r.header);
    return result;
}
