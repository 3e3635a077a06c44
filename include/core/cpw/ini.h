/*
 * ini.h - INI files, read with libinih (Debian's libinih), the one place that calls it.
 *
 * The dialect is libinih's with these settings: `[section]` headers; `key = value` or
 * `key: value` lines (the first '=' or ':' splits; key and value trimmed); whole-line comments
 * starting with '#' or ';' (also indented); no inline comments (`a = b ; c` has the value
 * `b ; c`, as the AWS CLI reads it); an indented line after a key continues that key (Python's
 * configparser style, which the AWS CLI's nested `s3 =` blocks rely on); a UTF-8 BOM at the start
 * is skipped; the first malformed line stops the parse. Lines, section names and keys of any
 * length are passed whole, although Debian builds libinih with fixed-size line and name buffers.
 *
 * Errors: -1 with CPW_ERR_CONFIG and "PATH:LINE: what is wrong", for a section header without
 * ']' ("malformed section header"), a line that is neither a header, a comment nor `key = value`
 * or has an empty key ("expected 'key = value'"), a NUL byte; or whatever the handler raised.
 *
 * Thread-safety: parses may run concurrently (libinih keeps no state between calls; its
 * settings are set once).
 */
#ifndef CPW_INI_H
#define CPW_INI_H

#include <stdbool.h>

#include "cpw/buf.h"

/** One event of the parse, borrowed for the duration of the handler call. */
struct cpw_ini_item {
    const char *section; /* the header's text between '[' and ']', untrimmed; "" before any */
    const char *key;     /* NULL: the section header itself, reported once when it is read */
    const char *value;   /* trimmed; "" for `key =` (NULL for a header) */
    unsigned line;       /* 1-based line number in the text */
    bool continuation;   /* an indented line continuing key: value is that line, trimmed */
};

/** Called for every header and every value line, in order. Returns 0 to go on, or -1 to stop
 * the parse after raising an error (which cpw_ini_parse then returns). */
typedef int (*cpw_ini_handler)(void *user, const struct cpw_ini_item *item);

/** Parses text (path names it in error messages). Returns 0, or -1 with an error raised. */
int cpw_ini_parse(struct cpw_span text, const char *path, cpw_ini_handler handler, void *user);

#endif
