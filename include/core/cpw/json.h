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

#include "cpw/buf.h"

#define CPW_JSON_MAX_TEXT_BYTES (16u * 1024u * 1024u)

/**
 * Parses text (at most max_bytes; any JSON value) into *out, rejecting duplicate object keys
 * and \u0000 in strings (so every string is also a valid C string).
 * Returns 0 with a new reference in *out (owned by the caller), or -1 with CPW_ERR_PARSE (detail
 * names line/column and jansson's reason) or CPW_ERR_LIMIT, leaving *out NULL.
 */
int cpw_json_load(struct cpw_span text, size_t max_bytes, json_t **out);

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
