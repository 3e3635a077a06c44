/*
 * buf.h - length-delimited bytes (docs/style.md 7).
 *
 * struct cpw_buf owns a growable byte array with a hard size cap (max). struct cpw_span borrows
 * bytes it does not own and is passed by value. Protocol data travels as one or the other, never
 * as a bare char *. A failed append (past max) frees the buffer's memory, leaves it empty, raises
 * CPW_ERR_LIMIT and returns -1, so there is nothing half-written to clean up.
 *
 * The buffer always keeps one spare byte after len set to NUL, so cpw_buf_cstr() can hand the
 * contents to libc without copying; the NUL is not counted in len.
 */
#ifndef CPW_BUF_H
#define CPW_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpw_span {
    const uint8_t *ptr;
    size_t len;
};

struct cpw_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t max;
};

/* ----- spans ------------------------------------------------------------------------------- */

/** A span over a NUL-terminated string (NULL gives the empty span). Borrows s. */
struct cpw_span cpw_span_from_cstr(const char *s);

/** A span over len bytes at p. Borrows p. */
struct cpw_span cpw_span_from(const void *p, size_t len);

/** True when both spans hold the same bytes. */
bool cpw_span_eq(struct cpw_span a, struct cpw_span b);

/** True when both spans hold the same bytes, ASCII letters compared case-insensitively. */
bool cpw_span_eq_ignore_case(struct cpw_span a, struct cpw_span b);

/** True when the span equals the C string s. */
bool cpw_span_eq_cstr(struct cpw_span a, const char *s);

/** The text length cpw_edit_distance compares at most. */
#define CPW_EDIT_DISTANCE_MAX_LEN 64

/**
 * Levenshtein distance between a and b (insertions, deletions, substitutions), for "did you
 * mean" suggestions. SIZE_MAX when either is longer than CPW_EDIT_DISTANCE_MAX_LEN bytes.
 */
size_t cpw_edit_distance(const char *a, const char *b);

/** True when s starts with prefix. */
bool cpw_span_starts_with(struct cpw_span s, struct cpw_span prefix);

/** Span without leading and trailing spaces and tabs. */
struct cpw_span cpw_span_trim(struct cpw_span s);

/** Index of the first byte c in s, or -1. */
long cpw_span_find_byte(struct cpw_span s, uint8_t c);

/** Index of the first occurrence of needle in s, or -1 (an empty needle is found at 0). */
long cpw_span_find(struct cpw_span s, struct cpw_span needle);

/** Bytes [start, start+len) of s, clamped to s. */
struct cpw_span cpw_span_sub(struct cpw_span s, size_t start, size_t len);

/**
 * Splits *rest at the first delim: *token receives what is before it, *rest what is after.
 * Returns false (and leaves both alone) when *rest is empty and exhausted. A rest without delim
 * becomes the last token.
 */
bool cpw_span_next_token(struct cpw_span *rest, uint8_t delim, struct cpw_span *token);

/**
 * Parses the whole span as an unsigned decimal integer no greater than max. Returns 0, or -1 with
 * CPW_ERR_PARSE for anything else (sign, spaces, empty, overflow).
 */
int cpw_span_to_u64(struct cpw_span s, uint64_t max, uint64_t *out);

/* ----- buffers ----------------------------------------------------------------------------- */

/**
 * Prepares an empty buffer that may hold at most max bytes. Allocates nothing until the first
 * append. Never fails.
 */
void cpw_buf_init(struct cpw_buf *buf, size_t max);

/** Frees the buffer's memory and leaves it empty and reusable (max kept). NULL is a no-op. */
void cpw_buf_clean_up(struct cpw_buf *buf);

/** Like cpw_buf_clean_up, but first overwrites the bytes: for keys and secrets. */
void cpw_buf_clean_up_secure(struct cpw_buf *buf);

/** Sets len to 0, keeping the memory. */
void cpw_buf_reset(struct cpw_buf *buf);

/** Appends bytes. Returns 0, or -1 (CPW_ERR_LIMIT; buffer freed) past max. */
int cpw_buf_append(struct cpw_buf *buf, struct cpw_span bytes);

/** Appends a NUL-terminated string. */
int cpw_buf_append_cstr(struct cpw_buf *buf, const char *s);

/** Appends one byte. */
int cpw_buf_append_byte(struct cpw_buf *buf, uint8_t byte);

/** Appends printf-style formatted text. */
int cpw_buf_appendf(struct cpw_buf *buf, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/** va_list form of cpw_buf_appendf. */
int cpw_buf_vappendf(struct cpw_buf *buf, const char *fmt, va_list ap);

/** Makes sure len + extra bytes fit, growing the memory. Returns -1 (CPW_ERR_LIMIT) past max. */
int cpw_buf_reserve(struct cpw_buf *buf, size_t extra);

/** The contents as a span; borrowed, valid until the buffer changes. */
struct cpw_span cpw_buf_span(const struct cpw_buf *buf);

/**
 * The contents as a NUL-terminated string (embedded NULs are the caller's concern); borrowed,
 * valid until the buffer changes. An untouched buffer gives "".
 */
const char *cpw_buf_cstr(const struct cpw_buf *buf);

/**
 * Hands the memory to the caller as a NUL-terminated string (owned; release with cpw_free) and
 * leaves the buffer empty. An untouched buffer gives a fresh "".
 */
char *cpw_buf_detach(struct cpw_buf *buf);

/** cpw_buf_append_printable: keep '\n' and '\t' (multi-line messages of our own). */
#define CPW_PRINTABLE_KEEP_NEWLINES 1u

/**
 * Appends text for a terminal, with everything a terminal could act on made visible instead:
 * C0 control bytes (all of them unless flags has CPW_PRINTABLE_KEEP_NEWLINES), ESC, DEL, C1
 * controls (U+0080..U+009F) and bytes that are not valid UTF-8 become "\xNN" (lower-case hex,
 * one per byte). Valid printable UTF-8 is kept. For any text a remote party sent (AWS error
 * messages and codes, credential_process output, HTTP reason phrases). Returns 0, or -1 (the cap).
 */
int cpw_buf_append_printable(struct cpw_buf *out, struct cpw_span text, unsigned flags);

/** Reads a whole file into buf (appending). -1 with CPW_ERR_IO or CPW_ERR_LIMIT. */
int cpw_buf_read_file(struct cpw_buf *buf, const char *path);

/**
 * Like cpw_buf_read_file, for configuration files: path must be a regular file (a FIFO, a
 * directory or a device is refused without blocking, CPW_ERR_IO "PATH is not a regular file (a
 * FIFO)") whose size fits in buf's cap (checked before reading, CPW_ERR_LIMIT). /dev/null reads
 * as an empty file (the usual way to say "no file"). Nothing is allocated when it fails before
 * reading.
 */
int cpw_buf_read_regular_file(struct cpw_buf *buf, const char *path);

#endif
