/*
 * inventory_internal.h - what the inventory modules (model, rules, JSON, text formats, diff)
 * share and nobody else sees: the layout of struct cpw_inventory and small helpers.
 */
#ifndef CPW_WARDEN_INVENTORY_INTERNAL_H
#define CPW_WARDEN_INVENTORY_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

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
    /* Lookup aids, valid while `sorted` (set by cpw_inventory_sort, cleared by every add): the
     * lists above except findings are then in their documented order, which is by account
     * first, and the indexes hold the positions of the instances and roles with an ARN, ordered
     * by ARN, then position. Without them every lookup scans the whole list, as it must. */
    bool sorted;
    struct cpw_inv_key *instance_by_arn;
    size_t instance_by_arn_count;
    struct cpw_inv_key *role_by_arn;
    size_t role_by_arn_count;
    /* While the role findings are computed on sorted lists: the domains by role_arn. */
    struct cpw_inv_key *domain_by_role;
    size_t domain_by_role_count;
};

/**
 * The positions [*lo, *hi) of v[0..n) that can hold account's elements: its elements when the
 * inventory is sorted (v sorted by account first; the account member at account_offset), else
 * all of v. Callers still test each element's account: the range only skips what cannot match.
 */
void cpw_inventory_range(const struct cpw_inventory *inv,
                         const void *const *v,
                         size_t n,
                         size_t account_offset,
                         const char *account,
                         size_t *lo,
                         size_t *hi);

/* cpw_inventory_range over list LIST (a member of inv) of struct TYPE elements. */
#define CPW_INV_RANGE(inv, list, count, type, who, lo, hi)                                         \
    cpw_inventory_range((inv), (const void *const *)(inv)->list, (inv)->count,                     \
                        offsetof(type, account), (who), (lo), (hi))

/* One entry of an index: an element's key (borrowed from the element) and its position. */
struct cpw_inv_key {
    const char *key;
    size_t pos;
};

/**
 * Builds into *idx (owned, cpw_free) an index of the elements of v[0..n) whose string at
 * key_offset is not NULL, ordered by that string, then by position; *count receives its size.
 */
void cpw_inventory_index_build(const void *const *v,
                               size_t n,
                               size_t key_offset,
                               struct cpw_inv_key **idx,
                               size_t *count);

/**
 * The entries of idx[0..count) whose key equals key (NULL: none): *first receives the first
 * one's slot; returns how many there are, in position order.
 */
size_t cpw_inventory_index_find(const struct cpw_inv_key *idx,
                                size_t count,
                                const char *key,
                                size_t *first);

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
int cpw_inventory_parse_region_state(const char *name, enum cpw_inv_region_state *out);

/* Per-format writers (inventory_json.c, inventory_text.c, inventory_report.c). */
int cpw_inventory_write_json(const struct cpw_inventory *inv, struct cpw_buf *out);
/** The same JSON document written straight to stream, element by element (no whole copy). */
int cpw_inventory_write_json_file(const struct cpw_inventory *inv, FILE *stream);
int cpw_inventory_write_table(const struct cpw_inventory *inv, bool color, struct cpw_buf *out);
int cpw_inventory_write_csv(const struct cpw_inventory *inv, struct cpw_buf *out);
int cpw_inventory_write_markdown(const struct cpw_inventory *inv, struct cpw_buf *out);

/** Appends text for a Markdown table cell ('|' and newlines escaped; NULL gives "-"). */
int cpw_inventory_md_cell(struct cpw_buf *out, const char *s);

/** Forgets the lookup aids after a change: the lists are no longer known to be in order
 * (inventory_order.c). */
void cpw_inventory_unsorted(struct cpw_inventory *inv);

/* ----- shared by the rules (inventory_scope.c, inventory_rules.c, inventory_rules_roles.c) --- */

/** True when v[0..count) holds s (NULL s: false). */
bool cpw_inventory_has(char *const *v, size_t count, const char *s);

/**
 * The first scan error of service (a signing name: connect, profile, iam) in account and region
 * (NULL region: any region). An error without a region covers every region; one without a
 * service covers every service. Borrowed or NULL.
 */
const struct cpw_inv_error *cpw_inventory_error_for(const struct cpw_inventory *inv,
                                                    const char *account,
                                                    const char *region,
                                                    const char *service);

/** How much of one region the scan saw for one service of one account. */
enum cpw_inv_visibility {
    CPW_INV_VIS_SEEN,        /* scanned without error */
    CPW_INV_VIS_NOT_ENABLED, /* an opt-in region the account has not enabled: holds nothing */
    CPW_INV_VIS_FAILED,      /* a scan error covers it, or its state is unknown */
    CPW_INV_VIS_UNSCANNED,   /* outside the scanned accounts/regions */
};

/**
 * The visibility of account/region for service (signing name). *error receives the scan error
 * behind VIS_FAILED (NULL when the region's state is unknown instead: see *status); *status the
 * region status recorded for account/region, or NULL. Either out pointer may be NULL.
 */
enum cpw_inv_visibility cpw_inventory_visibility(const struct cpw_inventory *inv,
                                                 const char *account,
                                                 const char *region,
                                                 const char *service,
                                                 const struct cpw_inv_error **error,
                                                 const struct cpw_inv_region_status **status);

/**
 * What the scan read of one service in one account, over every region where the service is
 * offered in the account's partition (cpw_regions_for_service). complete: every such region was
 * read without error or is NOT_ENABLED for the account. Owned strings; cpw_inv_scope_clean_up.
 */
struct cpw_inv_scope {
    const char *title;     /* "Amazon Connect", "Customer Profiles" (static) */
    const char *signing;   /* the scan errors' service name: "connect", "profile" (static) */
    const char *partition; /* static copy of the partition name or "aws" */
    bool account_scanned;
    bool regions_known;   /* false: the partition/service is unknown to the endpoint model */
    size_t offered_count; /* regions where the service is offered */
    char **missing;       /* outside the scan, a scan error, or state unknown; sorted */
    size_t missing_count;
    char **not_enabled; /* NOT_ENABLED for the account */
    size_t not_enabled_count;
    bool complete;
};

/**
 * Computes the scope of service ("connect" or "customer-profiles", the endpoint model's names)
 * for account, in partition (NULL: the partition of the first scanned region, else "aws").
 */
void cpw_inv_scope_of(const struct cpw_inventory *inv,
                      const char *account,
                      const char *partition,
                      const char *service,
                      struct cpw_inv_scope *out);

void cpw_inv_scope_clean_up(struct cpw_inv_scope *scope);

/**
 * Appends the scope's facts to f: for a complete scope one statement ("read without error in all
 * N regions ... ; opt-in regions not enabled hold nothing: ..."); for an incomplete one the
 * missing regions ("not read: a, b, c (+N more)") with consequence, then the scan errors and
 * unknown region states behind them (at most a few).
 */
void cpw_inv_scope_evidence(const struct cpw_inventory *inv,
                            struct cpw_inv_finding *f,
                            const char *account,
                            const struct cpw_inv_scope *scope,
                            const char *consequence);

/** Appends "S could not be read in account A, region R (OP failed: CODE: MSG); consequence". */
void cpw_inventory_evidence_error(struct cpw_inv_finding *f,
                                  const struct cpw_inv_error *e,
                                  const char *consequence);

/** Replaces f's action with a printf-formatted text. */
void cpw_inventory_action(struct cpw_inv_finding *f, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/** The partition of an ARN ("aws" for arn:aws:...) into out (at most n bytes); false if none. */
bool cpw_inventory_arn_partition(const char *arn, char *out, size_t n);

/** Analysis steps of the role findings (inventory_rules_roles.c). */
void cpw_inventory_find_roles(struct cpw_inventory *inv);

#endif
