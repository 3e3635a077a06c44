/*
 * json.h - jansson's reference rules, wrapped once (docs/style.md 8).
 *
 * Loading is safe by default: duplicate keys are rejected, the text has a size cap, and a
 * failure raises CPW_ERR_PARSE with line and column. Getters named _get borrow (never decref
 * what they return); functions named _new return a new reference the caller owns.
 *
 * Thread-safety: every function is thread-safe on distinct values (jansson values are not
 * thread-safe when shared and mutated).
 */
#ifndef CPW_JSON_H
#define CPW_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "cpw/buf.h"

#define CPW_JSON_MAX_TEXT_BYTES (16u * 1024u * 1024u)

/**
 * Parses text (at most max_bytes; any JSON value) into *out, rejecting duplicate object keys
 * and \u0000 in strings (so every string is also a valid C string).
 * Returns 0 with a new reference in *out (owned by the caller), or -1 with CPW_ERR_PARSE (detail
 * names line/column and jansson's reason) or CPW_ERR_LIMIT, leaving *out NULL.
 */
int cpw_json_load(struct cpw_span text, size_t max_bytes, json_t **out);

/** What a load accepts at the top (duplicate keys are rejected whatever the flags). */
enum cpw_json_load_flags {
    CPW_JSON_LOAD_ANY = 0,             /* any JSON value */
    CPW_JSON_LOAD_CONTAINER = 1u << 0, /* an object or an array only */
};

/**
 * cpw_json_load with flags. When where is not NULL it receives jansson's line, column and reason
 * of a failure (or the size cap's sentence), for callers that word the error themselves; the
 * reason may quote the input. Returns 0 with *out (new reference) or -1 as cpw_json_load.
 */
int cpw_json_load_ex(struct cpw_span text,
                     size_t max_bytes,
                     unsigned flags,
                     json_t **out,
                     json_error_t *where);

/**
 * Parses NUL-terminated text (at most CPW_JSON_MAX_TEXT_BYTES; any value) as cpw_json_load does.
 * Returns a new reference, or NULL with the error raised; NULL text gives NULL and raises nothing.
 */
json_t *cpw_json_load_cstr(const char *text);

/** How a dump writes (combine with |); 0 is cpw_json_dump's spacing without its \u rewrite. */
enum cpw_json_dump_flags {
    CPW_JSON_DUMP_COMPACT = 1u << 0,   /* {"a":1,"b":[1,2]} */
    CPW_JSON_DUMP_SORT_KEYS = 1u << 1, /* object keys in byte order */
    CPW_JSON_DUMP_ASCII = 1u << 2,     /* non-ASCII as \uXXXX (upper-case hex) */
    CPW_JSON_DUMP_INDENT2 = 1u << 3,   /* one member per line, two spaces */
    CPW_JSON_DUMP_INDENT4 = 1u << 4,   /* one member per line, four spaces */
};

/** Appends value (any JSON value) written as flags say to out. Returns 0 or -1 (CPW_ERR_LIMIT). */
int cpw_json_dump_with(const json_t *value, unsigned flags, struct cpw_buf *out);

/**
 * value written as flags say, as a NUL-terminated string owned by the caller (cpw_free), or NULL
 * with CPW_ERR_INTERNAL raised. NULL value gives NULL.
 */
char *cpw_json_dump_cstr(const json_t *value, unsigned flags);

/** Writes value as flags say to stream (no final newline). Returns 0 or -1 (CPW_ERR_IO). */
int cpw_json_dump_stream(const json_t *value, unsigned flags, FILE *stream);

/**
 * Strict keys: obj must be an object with exactly the n members named in keys. On failure raises
 * CPW_ERR_PARSE naming the document (what, e.g. "plan"), the unknown or missing key and where it
 * is: "plan: unknown field 'x' in actions[0]", "plan: missing field 'id' in actions[0]",
 * "plan: actions[0] must be an object". Returns 0 or -1.
 */
int cpw_json_expect_keys(const json_t *obj,
                         const char *what,
                         const char *where,
                         const char *const *keys,
                         size_t n);

/**
 * Projection: a new object (owned by the caller) with the members of src named in keys
 * (NULL-terminated) that src has, sharing their values; null, {} and [] members are left out (AWS
 * services answer them for "none"). A src that is not an object gives {}.
 */
json_t *cpw_json_project(const json_t *src, const char *const *keys);

/**
 * Appends value as compact-but-spaced JSON the way Python's json.dumps writes it
 * ({"a": 1, "b": [1, 2]}, non-ASCII as \uXXXX) to out. Returns 0 or -1 (CPW_ERR_LIMIT).
 */
int cpw_json_dump(const json_t *value, struct cpw_buf *out);

/**
 * Appends value as a document for people and tools: indented by two spaces, UTF-8 as is, and a
 * final newline (what every command's --output json prints). Returns 0 or -1 (CPW_ERR_LIMIT).
 */
int cpw_json_dump_document(const json_t *value, struct cpw_buf *out);

/** Borrowed string value of obj[key], or NULL when absent or not a string. */
const char *cpw_json_get_string(const json_t *obj, const char *key);

/** Borrowed member obj[key] (any type), or NULL. Accepts a NULL obj. */
json_t *cpw_json_get(const json_t *obj, const char *key);

/** Sets obj[key] = value, consuming value (a new reference). Never fails on a valid object. */
void cpw_json_set_take(json_t *obj, const char *key, json_t *value);

/** Appends value to array, consuming value. */
void cpw_json_append_take(json_t *array, json_t *value);

/** Releases a reference; NULL is a no-op. */
void cpw_json_release(json_t *value);

/** Deep equality (jansson's json_equal; an integer and an equal real are not equal). */
bool cpw_json_equal(const json_t *a, const json_t *b);

#endif
