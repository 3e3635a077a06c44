/*
 * yaml.h - YAML documents read with libyaml, wrapped once: a small tree of scalars, sequences and
 * mappings, each node carrying the line and column where it starts, so that a caller checking a
 * schema can name the place of every mistake.
 *
 * Loading is safe by default: one document only, a size cap, a depth cap, a node cap, no aliases
 * (an alias is refused, which rules out "billion laughs" expansion), mapping keys must be plain
 * scalars and may not repeat. Every failure raises CPW_ERR_PARSE with "line L, column C: reason".
 * Tags (!!str, !custom) are ignored: a scalar is text, the caller decides what it means.
 *
 * Ownership: cpw_yaml_load returns a tree owned by the caller (cpw_yaml_destroy); every pointer
 * into it is borrowed from the root. Thread-safety: distinct trees on distinct threads.
 */
#ifndef CPW_YAML_H
#define CPW_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpw/buf.h"

#define CPW_YAML_MAX_TEXT_BYTES (1u * 1024u * 1024u)
#define CPW_YAML_MAX_DEPTH      32
#define CPW_YAML_MAX_NODES      100000

enum cpw_yaml_kind {
    CPW_YAML_SCALAR = 0,
    CPW_YAML_SEQUENCE,
    CPW_YAML_MAPPING,
};

struct cpw_yaml_node {
    enum cpw_yaml_kind kind;
    size_t line;   /* 1-based */
    size_t column; /* 1-based */
    char *value;   /* scalar text (NUL-terminated); NULL for sequences and mappings */
    bool quoted;   /* a scalar written in quotes or as a block: always a string */
    /* sequence: items[0..count); mapping: keys[i] -> items[i], in document order */
    struct cpw_yaml_node **items;
    struct cpw_yaml_node **keys;
    size_t count;
};

/**
 * Parses text (at most max_bytes; 0 means CPW_YAML_MAX_TEXT_BYTES) into *out. An empty document
 * gives an empty mapping. Returns 0 with the tree in *out (owned), or -1 with CPW_ERR_PARSE
 * ("line L, column C: ...") or CPW_ERR_LIMIT, *out NULL.
 */
int cpw_yaml_load(struct cpw_span text, size_t max_bytes, struct cpw_yaml_node **out);

/** Frees a tree. NULL is a no-op. */
void cpw_yaml_destroy(struct cpw_yaml_node *root);

/** The value of key in mapping map, or NULL (absent, or map not a mapping). Borrowed. */
const struct cpw_yaml_node *cpw_yaml_get(const struct cpw_yaml_node *map, const char *key);

/** "mapping", "sequence" or "scalar". Static. */
const char *cpw_yaml_kind_name(enum cpw_yaml_kind kind);

/**
 * A scalar read as a YAML 1.2 core-schema boolean (true/false, any case) or integer (decimal,
 * optional sign). Return 0, or -1 (not a scalar of that type; nothing raised).
 */
int cpw_yaml_bool(const struct cpw_yaml_node *node, bool *out);
int cpw_yaml_int(const struct cpw_yaml_node *node, int64_t *out);

#endif
