/*
 * metrics.h - what the latest inventory (and, when stored, the latest audit) says, as metrics:
 * resources and findings by kind, account, region and confidence, pending service-linked role
 * deletion tasks, scan errors, scan age and duration, clean-up steps by outcome (docs/metrics.md).
 *
 * A struct cpw_metrics is a set of metric families, each a list of samples keyed by their label
 * values. It is filled once from a source (cpw_metrics_collect) and written out as OpenMetrics
 * text (the Prometheus node exporter's textfile collector reads it) or turned into CloudWatch
 * PutMetricData inputs (same values; labels become dimensions Account, Region, Kind, ...).
 *
 * Ownership: the caller owns the metrics (cpw_metrics_destroy); everything given in a source is
 * borrowed for the duration of cpw_metrics_collect. Thread-safety: none (one thread per set).
 */
#ifndef CPW_METRICS_H
#define CPW_METRICS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpw/buf.h"
#include "cpw/inventory.h"
#include "cpw/journal.h"

/** At most this many samples per family (a bounded output whatever the inventory). */
#define CPW_METRICS_MAX_SAMPLES 200000

/** CloudWatch accepts at most 1000 metric data per PutMetricData; cpwarden sends this many. */
#define CPW_METRICS_CLOUDWATCH_BATCH 500

/* ----- audit results (optional) ---------------------------------------------------------- */

/** One line of an audit's results: how many violations of rule at severity in account/region. */
struct cpw_metrics_audit_row {
    const char *rule;     /* rule id, e.g. "tagging" */
    const char *severity; /* "error", "warning", ... */
    const char *account;
    const char *region; /* NULL: global */
    uint64_t violations;
};

/** The latest audit's results, all borrowed. */
struct cpw_metrics_audit {
    int64_t audited_at_s;
    const struct cpw_metrics_audit_row *rows;
    size_t row_count;
    void *opaque; /* the source's own, for release */
};

/**
 * Where stored audit results come from. latest() fills *out (borrowed until release) and returns
 * 0, returns 1 when no audit has been stored, or -1 (raised). release (may be NULL) frees what
 * latest handed out. The metrics work without a source: the audit families are then absent.
 */
struct cpw_metrics_audit_source {
    int (*latest)(void *user, struct cpw_store *store, struct cpw_metrics_audit *out);
    void (*release)(void *user, struct cpw_metrics_audit *out);
    void *user;
};

/**
 * The source reading the newest report `cpwarden audit` stored in the state store (static; rows
 * counted per rule, severity, account and region; an account-less result counts under "").
 */
const struct cpw_metrics_audit_source *cpw_metrics_audit_from_store(void);

/* ----- collecting ------------------------------------------------------------------------ */

/** What the metrics are computed from; everything borrowed and optional but inv. */
struct cpw_metrics_source {
    const struct cpw_inventory *inv; /* required: the inventory (a snapshot or a file) */
    int64_t now_s;                   /* the time the scan's age is measured at */
    int64_t snapshot_id;             /* 0: not from the store (no snapshot info) */
    int64_t saved_at_s;              /* when the snapshot was saved; 0: unknown (no duration) */
    const char *identity;            /* who scanned; NULL: unknown */
    const char *scope;               /* what was scanned; NULL: unknown */
    uint64_t snapshot_count;         /* snapshots in the store; 0: not reported */
    bool with_journal;               /* report the clean-up steps (journal read) */
    const struct cpw_journal_entry *journal; /* apply's steps (cpw_journal_list) */
    size_t journal_count;
    const struct cpw_metrics_audit *audit; /* NULL: no audit stored (families absent) */
};

struct cpw_metrics;

/** An empty set (owned; cpw_metrics_destroy). Never NULL. */
struct cpw_metrics *cpw_metrics_new(void);

/** Frees the set. NULL is a no-op. */
void cpw_metrics_destroy(struct cpw_metrics *m);

/**
 * Computes every family from src (replacing nothing: call once per set). Returns 0, or -1 with
 * CPW_ERR_INVALID_ARGUMENT (no inventory) or CPW_ERR_LIMIT (a family past its sample cap).
 */
int cpw_metrics_collect(struct cpw_metrics *m, const struct cpw_metrics_source *src);

/**
 * The value of family name's sample whose labels are the NULL-terminated name/value pairs
 * (every label of the family, any order), for tests and checks. Returns 0 with *value, or -1
 * with CPW_ERR_NOT_FOUND.
 */
int cpw_metrics_value(const struct cpw_metrics *m,
                      const char *family,
                      const char *const *label_pairs,
                      double *value);

/* ----- writing --------------------------------------------------------------------------- */

/**
 * Appends the OpenMetrics 1.0 text exposition to out: per family # TYPE, # UNIT (when it has
 * one), # HELP, then its samples (counters with _total, info with _info), label values escaped
 * (backslash, double quote, line feed), and the final "# EOF". Returns 0 or -1 (CPW_ERR_LIMIT).
 */
int cpw_metrics_write_openmetrics(const struct cpw_metrics *m, struct cpw_buf *out);

/** Appends value as an OpenMetrics label value (inside the quotes). Returns 0 or -1. */
int cpw_metrics_escape_label_value(struct cpw_buf *out, const char *value);

/**
 * The PutMetricData inputs (JSON objects, in model member names) for namespace ns: every
 * sample of every family CloudWatch can hold (info families are left out), at timestamp_s, at
 * most CPW_METRICS_CLOUDWATCH_BATCH per input. *inputs is a new JSON array (owned). Returns 0,
 * or -1 with CPW_ERR_INVALID_ARGUMENT (an empty or over-long namespace).
 */
int cpw_metrics_cloudwatch_inputs(const struct cpw_metrics *m,
                                  const char *ns,
                                  int64_t timestamp_s,
                                  json_t **inputs);

/**
 * Writes text to path whole or not at all: a temporary file beside it (mode 0600), synced and
 * renamed over path, as the textfile collector needs (it must never read half a file). A
 * symbolic link at path is refused. Returns 0 or -1 with CPW_ERR_IO.
 */
int cpw_metrics_write_file(const char *path, struct cpw_span text);

struct cpw_aws_client;

/**
 * Publishes the set to CloudWatch namespace ns with PutMetricData (cpw_metrics_cloudwatch_inputs
 * at timestamp_s, one call per input) through client, in its region. *published (may be NULL)
 * receives the number of metric data sent. Returns 0, or -1 with the first call's error raised
 * (CPW_ERR_AWS for a service error); the calls before it stay published.
 */
int cpw_metrics_publish_cloudwatch(struct cpw_aws_client *client,
                                   const struct cpw_metrics *m,
                                   const char *ns,
                                   int64_t timestamp_s,
                                   size_t *published);

/** Number of samples in the set (every family). */
size_t cpw_metrics_sample_count(const struct cpw_metrics *m);

#endif
