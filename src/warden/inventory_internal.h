/*
 * inventory_internal.h - what the inventory modules (model, rules, JSON, text formats, diff)
 * share and nobody else sees: the layout of struct cpw_inventory and small helpers.
 */
#ifndef CPW_WARDEN_INVENTORY_INTERNAL_H
#define CPW_WARDEN_INVENTORY_INTERNAL_H

#include <stdarg.h>

#include "cpw/inventory.h"

/* Elements are held through pointer arrays so that pointers handed out stay valid. */
struct cpw_inventory {
    int64_t scanned_at_s;
    char **accounts;
    size_t account_count;
    char **regions;
    size_t region_count;
    struct cpw_inv_instance **instances;
    size_t instance_count;
    struct cpw_inv_domain **domains;
    size_t domain_count;
    struct cpw_inv_role **roles;
    size_t role_count;
    struct cpw_inv_event **events;
    size_t event_count;
    struct cpw_inv_error **errors;
    size_t error_count;
    struct cpw_inv_finding **findings;
    size_t finding_count;
    struct cpw_inv_region_status **region_statuses;
    size_t region_status_count;
};

/** Appends a copy of s (NULL allowed) to a string vector. */
void cpw_inventory_strv_push(char ***v, size_t *count, const char *s);

/** Frees a string vector and its strings; sets *v NULL and *count 0. */
void cpw_inventory_strv_free(char ***v, size_t *count);

/** strcmp that orders NULL first. */
int cpw_inventory_strcmp(const char *a, const char *b);

/** True when both are NULL or both hold the same string. */
bool cpw_inventory_streq(const char *a, const char *b);

/** Replaces *slot with a copy of s (NULL allowed). */
void cpw_inventory_set_str(char **slot, const char *s);

/** Clears derived fields of every element and all findings. */
void cpw_inventory_clear_derived(struct cpw_inventory *inv);

/** Sorts every list into the documented, deterministic order. */
void cpw_inventory_sort(struct cpw_inventory *inv);

/** Appends a finding (strings copied) and returns it, borrowed. */
struct cpw_inv_finding *cpw_inventory_push_finding(struct cpw_inventory *inv,
                                                   enum cpw_inv_finding_kind kind,
                                                   enum cpw_inv_severity severity,
                                                   enum cpw_inv_confidence confidence,
                                                   const char *resource_arn,
                                                   const char *account,
                                                   const char *region);

/** Appends a printf-formatted evidence statement to f. */
void cpw_inventory_evidence(struct cpw_inv_finding *f, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/** Formats epoch seconds as ISO 8601 into out ("unknown" for 0). */
void cpw_inventory_format_time(int64_t epoch_s, char out[32]);

/** Parses a confidence / severity / kind / service name; -1 when unknown. */
int cpw_inventory_parse_confidence(const char *name, enum cpw_inv_confidence *out);
int cpw_inventory_parse_severity(const char *name, enum cpw_inv_severity *out);
int cpw_inventory_parse_kind(const char *name, enum cpw_inv_finding_kind *out);
int cpw_inventory_parse_role_service(const char *name, enum cpw_inv_role_service *out);

/* Per-format writers (inventory_json.c, inventory_text.c, inventory_report.c). */
int cpw_inventory_write_json(const struct cpw_inventory *inv, struct cpw_buf *out);
int cpw_inventory_write_table(const struct cpw_inventory *inv, bool color, struct cpw_buf *out);
int cpw_inventory_write_csv(const struct cpw_inventory *inv, struct cpw_buf *out);
int cpw_inventory_write_markdown(const struct cpw_inventory *inv, struct cpw_buf *out);

/** Appends text for a Markdown table cell ('|' and newlines escaped; NULL gives "-"). */
int cpw_inventory_md_cell(struct cpw_buf *out, const char *s);

#endif
