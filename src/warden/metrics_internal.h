/*
 * metrics_internal.h - the metric families and their storage, shared by metrics.c (collecting,
 * OpenMetrics) and metrics_cloudwatch.c (PutMetricData inputs). Internal to src/warden/.
 */
#ifndef CPW_WARDEN_METRICS_INTERNAL_H
#define CPW_WARDEN_METRICS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#define CPW_METRICS_MAX_LABELS 5

enum cpw_metrics_family_id {
    CPW_METRICS_SNAPSHOT = 0,
    CPW_METRICS_SCAN_TIMESTAMP,
    CPW_METRICS_SCAN_AGE,
    CPW_METRICS_SCAN_DURATION,
    CPW_METRICS_SNAPSHOTS,
    CPW_METRICS_RESOURCES,
    CPW_METRICS_FINDINGS,
    CPW_METRICS_DELETIONS_PENDING,
    CPW_METRICS_DELETIONS_FAILED,
    CPW_METRICS_SCAN_ERRORS,
    CPW_METRICS_CLEANUP_STEPS,
    CPW_METRICS_AUDIT_TIMESTAMP,
    CPW_METRICS_AUDIT_VIOLATIONS,
    CPW_METRICS_FAMILY_COUNT
};

/* What a family is; static. */
struct cpw_metrics_family_def {
    const char *name;    /* OpenMetrics family name ("cpwarden_resources") */
    const char *type;    /* "gauge", "counter" (samples end in _total), "info" (_info) */
    const char *unit;    /* "seconds" or NULL; the name ends in _<unit> */
    const char *help;    /* one sentence */
    const char *cw_name; /* CloudWatch MetricName, NULL: not published there */
    const char *cw_unit; /* CloudWatch StandardUnit: "Count", "Seconds" */
    const char *labels[CPW_METRICS_MAX_LABELS]; /* NULL-terminated when fewer */
};

struct cpw_metrics_sample {
    char *key;                            /* label values joined by 0x1f (owned) */
    char *values[CPW_METRICS_MAX_LABELS]; /* one per label of the family (owned) */
    double value;
};

struct cpw_metrics_family {
    struct cpw_metrics_sample *samples;
    size_t count;
    size_t cap;
    size_t *slots; /* hash of sample index + 1 while collecting; NULL afterwards */
    size_t slot_count;
};

struct cpw_metrics {
    struct cpw_metrics_family families[CPW_METRICS_FAMILY_COUNT];
    bool present[CPW_METRICS_FAMILY_COUNT]; /* its source was known (it is written, maybe empty) */
};

/** The definition of family f. */
const struct cpw_metrics_family_def *cpw_metrics_def(enum cpw_metrics_family_id f);

/** Number of labels of a family. */
size_t cpw_metrics_label_count(const struct cpw_metrics_family_def *def);

#endif
