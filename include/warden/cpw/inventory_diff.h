/*
 * inventory_diff.h - what changed between two inventories (two snapshots): resources that
 * appeared or disappeared, and changes of the fields that matter for clean-up (instance status and
 * links, domain profile counts, role links and their confidence, instance links), findings that
 * appeared, disappeared or changed severity/confidence, and scan errors that came or went. Output
 * in the same four formats as the inventory (docs/inventory-schema.md, "Diff").
 *
 * Ownership: a diff owns its changes and strings and copies what it needs, so the inventories
 * may be freed after cpw_inventory_diff_new. Thread-safety: immutable once built.
 */
#ifndef CPW_INVENTORY_DIFF_H
#define CPW_INVENTORY_DIFF_H

#include <stddef.h>
#include <stdio.h>

#include "cpw/inventory.h"

enum cpw_inv_change_kind {
    CPW_INV_CHANGE_APPEARED = 0, /* "appeared" */
    CPW_INV_CHANGE_DISAPPEARED,  /* "disappeared" */
    CPW_INV_CHANGE_CHANGED,      /* "changed" */
};

struct cpw_inv_change {
    enum cpw_inv_change_kind change;
    const char *type; /* static: "instance", "domain", "role", "finding", "error" */
    char *arn;        /* the resource (findings: the finding's resource; errors: NULL) */
    char *account;
    char *region;
    char *kind;   /* findings: the finding kind; errors: "service operation code"; else NULL */
    char *field;  /* CHANGED: the field name as in the inventory JSON; else NULL */
    char *before; /* CHANGED: old value (NULL: none); DISAPPEARED: a short description */
    char *after;  /* CHANGED: new value (NULL: none); APPEARED: a short description */
};

struct cpw_inventory_diff;

/**
 * Compares from (older) with to (newer). Resources are matched by ARN, findings by kind and
 * resource ARN, scan errors by account, region, service, operation and code. Changes are sorted by
 * account, region, type, ARN, kind and field. Owned by the caller; never NULL.
 */
struct cpw_inventory_diff *cpw_inventory_diff_new(const struct cpw_inventory *from,
                                                  const struct cpw_inventory *to);

/** Frees the diff. NULL is a no-op. */
void cpw_inventory_diff_destroy(struct cpw_inventory_diff *diff);

/** Number of changes, and change i (borrowed). */
size_t cpw_inventory_diff_count(const struct cpw_inventory_diff *diff);
const struct cpw_inv_change *cpw_inventory_diff_change(const struct cpw_inventory_diff *diff,
                                                       size_t i);

/** "appeared", "disappeared", "changed". Static. */
const char *cpw_inv_change_kind_name(enum cpw_inv_change_kind kind);

/**
 * Appends the diff in format to out (table: colour only when opts->color; JSON: documented in
 * docs/inventory-schema.md; CSV: one row per change; Markdown: a report). Returns 0 or -1.
 */
int cpw_inventory_diff_write(const struct cpw_inventory_diff *diff,
                             enum cpw_inv_format format,
                             const struct cpw_inventory_write_options *opts,
                             struct cpw_buf *out);

/** Same, to a stream. Returns 0, or -1 with CPW_ERR_IO. */
int cpw_inventory_diff_write_file(const struct cpw_inventory_diff *diff,
                                  enum cpw_inv_format format,
                                  const struct cpw_inventory_write_options *opts,
                                  FILE *stream);

#endif
