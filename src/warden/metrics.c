/*
 * metrics.c - the metric families computed from an inventory, the journal and an audit, and
 * their OpenMetrics text (metrics.h, docs/metrics.md). CloudWatch inputs: metrics_cloudwatch.c.
 */
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/metrics.h"
#include "metrics_internal.h"

/* The families, in output order. Label names are also the CloudWatch dimension names (with
 * their first letter upper-cased). */
static const struct cpw_metrics_family_def s_defs[CPW_METRICS_FAMILY_COUNT] = {
    [CPW_METRICS_SNAPSHOT] = { "cpwarden_snapshot",
                               "info",
                               NULL,
                               "The inventory snapshot the metrics describe",
                               NULL,
                               NULL,
                               { "snapshot_id", "scope", "identity", NULL } },
    [CPW_METRICS_SCAN_TIMESTAMP] = { "cpwarden_scan_timestamp_seconds",
                                     "gauge",
                                     "seconds",
                                     "When the inventory scan ran (Unix time)",
                                     NULL,
                                     NULL,
                                     { NULL } },
    [CPW_METRICS_SCAN_AGE] = { "cpwarden_scan_age_seconds",
                               "gauge",
                               "seconds",
                               "How long ago the inventory scan ran",
                               "ScanAge",
                               "Seconds",
                               { NULL } },
    [CPW_METRICS_SCAN_DURATION] = { "cpwarden_scan_duration_seconds",
                                    "gauge",
                                    "seconds",
                                    "How long the inventory scan took (start to snapshot saved)",
                                    "ScanDuration",
                                    "Seconds",
                                    { NULL } },
    [CPW_METRICS_SNAPSHOTS] = { "cpwarden_snapshots",
                                "gauge",
                                NULL,
                                "Inventory snapshots kept in the state store",
                                "Snapshots",
                                "Count",
                                { NULL } },
    [CPW_METRICS_RESOURCES] = { "cpwarden_resources",
                                "gauge",
                                NULL,
                                "Resources in the inventory by kind, account and region",
                                "Resources",
                                "Count",
                                { "account", "region", "kind", NULL } },
    [CPW_METRICS_FINDINGS] = { "cpwarden_findings",
                               "gauge",
                               NULL,
                               "Inventory findings by kind, account, region and confidence",
                               "Findings",
                               "Count",
                               { "account", "region", "kind", "confidence", NULL } },
    [CPW_METRICS_DELETIONS_PENDING] = { "cpwarden_deletion_tasks_pending",
                                        "gauge",
                                        NULL,
                                        "Service-linked role deletion tasks not finished "
                                        "(NOT_STARTED or IN_PROGRESS)",
                                        "DeletionTasksPending",
                                        "Count",
                                        { "account", NULL } },
    [CPW_METRICS_DELETIONS_FAILED] = { "cpwarden_deletion_tasks_failed",
                                       "gauge",
                                       NULL,
                                       "Service-linked role deletion tasks that FAILED",
                                       "DeletionTasksFailed",
                                       "Count",
                                       { "account", NULL } },
    [CPW_METRICS_SCAN_ERRORS] = { "cpwarden_scan_errors",
                                  "gauge",
                                  NULL,
                                  "Parts of the inventory scan that failed, by account, region, "
                                  "service and error code",
                                  "ScanErrors",
                                  "Count",
                                  { "account", "region", "service", "code", NULL } },
    [CPW_METRICS_CLEANUP_STEPS] = { "cpwarden_cleanup_steps",
                                    "counter",
                                    NULL,
                                    "Clean-up steps cpwarden apply journaled, by outcome",
                                    "CleanupSteps",
                                    "Count",
                                    { "outcome", NULL } },
    [CPW_METRICS_AUDIT_TIMESTAMP] = { "cpwarden_audit_timestamp_seconds",
                                      "gauge",
                                      "seconds",
                                      "When the latest stored audit ran (Unix time)",
                                      NULL,
                                      NULL,
                                      { NULL } },
    [CPW_METRICS_AUDIT_VIOLATIONS] = { "cpwarden_audit_violations",
                                       "gauge",
                                       NULL,
                                       "Violations in the latest stored audit by rule, severity, "
                                       "account and region",
                                       "AuditViolations",
                                       "Count",
                                       { "rule", "severity", "account", "region", NULL } },
};

#define GLOBAL_REGION "global"

const struct cpw_metrics_family_def *cpw_metrics_def(enum cpw_metrics_family_id f)
{
    return &s_defs[f];
}

size_t cpw_metrics_label_count(const struct cpw_metrics_family_def *def)
{
    size_t n = 0;
    while (n < CPW_METRICS_MAX_LABELS && def->labels[n]) {
        n++;
    }
    return n;
}

struct cpw_metrics *cpw_metrics_new(void)
{
    return cpw_calloc(1, sizeof(struct cpw_metrics));
}

static void s_family_free(struct cpw_metrics_family *fam)
{
    for (size_t i = 0; i < fam->count; i++) {
        for (size_t k = 0; k < CPW_METRICS_MAX_LABELS; k++) {
            cpw_free(fam->samples[i].values[k]);
        }
        cpw_free(fam->samples[i].key);
    }
    cpw_free(fam->samples);
    cpw_free(fam->slots);
    memset(fam, 0, sizeof(*fam));
}

void cpw_metrics_destroy(struct cpw_metrics *m)
{
    if (!m) {
        return;
    }
    for (size_t f = 0; f < CPW_METRICS_FAMILY_COUNT; f++) {
        s_family_free(&m->families[f]);
    }
    cpw_free(m);
}

/* FNV-1a over the sample key. */
static size_t s_hash(const char *key)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h = (h ^ *p) * UINT64_C(1099511628211);
    }
    return (size_t)h;
}

/* Open addressing over sample indices + 1 (0: empty); capacity a power of two, load <= 1/2. */
static int s_rehash(struct cpw_metrics_family *fam, size_t capacity)
{
    size_t *slots = cpw_calloc(capacity, sizeof(size_t));
    for (size_t i = 0; i < fam->count; i++) {
        size_t at = s_hash(fam->samples[i].key) & (capacity - 1);
        while (slots[at]) {
            at = (at + 1) & (capacity - 1);
        }
        slots[at] = i + 1;
    }
    cpw_free(fam->slots);
    fam->slots = slots;
    fam->slot_count = capacity;
    return 0;
}

/* The sample of fam with these label values (one per label of the family), created at 0. */
static struct cpw_metrics_sample *s_sample(struct cpw_metrics *m,
                                           enum cpw_metrics_family_id f,
                                           const char *const *values)
{
    struct cpw_metrics_family *fam = &m->families[f];
    size_t nlabels = cpw_metrics_label_count(&s_defs[f]);
    struct cpw_buf key;
    cpw_buf_init(&key, 64u * 1024u);
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < nlabels; k++) {
        rc = cpw_buf_append_cstr(&key, values[k] ? values[k] : "");
        rc = rc ? rc : cpw_buf_append_byte(&key, 0x1f);
    }
    if (rc || (rc = cpw_buf_append_byte(&key, 0)) != 0) {
        cpw_buf_clean_up(&key);
        return NULL;
    }
    const char *text = (const char *)key.data;
    if (fam->slot_count) {
        size_t at = s_hash(text) & (fam->slot_count - 1);
        for (size_t probe = 0; probe < fam->slot_count && fam->slots[at]; probe++) {
            struct cpw_metrics_sample *s = &fam->samples[fam->slots[at] - 1];
            if (strcmp(s->key, text) == 0) {
                cpw_buf_clean_up(&key);
                return s;
            }
            at = (at + 1) & (fam->slot_count - 1);
        }
    }
    if (fam->count >= CPW_METRICS_MAX_SAMPLES) {
        cpw_buf_clean_up(&key);
        cpw_raise(CPW_ERR_LIMIT, "%s: more than %d samples", s_defs[f].name,
                  CPW_METRICS_MAX_SAMPLES);
        return NULL;
    }
    if (fam->count == fam->cap) {
        size_t cap = fam->cap ? fam->cap * 2 : 16;
        fam->samples = cpw_realloc(fam->samples, cap * sizeof(*fam->samples));
        fam->cap = cap;
    }
    struct cpw_metrics_sample *s = &fam->samples[fam->count++];
    memset(s, 0, sizeof(*s));
    s->key = cpw_strdup(text);
    for (size_t k = 0; k < nlabels; k++) {
        s->values[k] = cpw_strdup(values[k] ? values[k] : "");
    }
    cpw_buf_clean_up(&key);
    if (fam->count * 2 > fam->slot_count) {
        s_rehash(fam, fam->slot_count ? fam->slot_count * 2 : 64);
    } else {
        size_t at = s_hash(s->key) & (fam->slot_count - 1);
        while (fam->slots[at]) {
            at = (at + 1) & (fam->slot_count - 1);
        }
        fam->slots[at] = fam->count;
    }
    return s;
}

/* Adds delta to the sample (created at 0). */
static int s_add(struct cpw_metrics *m,
                 enum cpw_metrics_family_id f,
                 const char *const *v,
                 double d)
{
    struct cpw_metrics_sample *s = s_sample(m, f, v);
    if (!s) {
        return -1;
    }
    s->value += d;
    return 0;
}

static int s_set(struct cpw_metrics *m,
                 enum cpw_metrics_family_id f,
                 const char *const *v,
                 double d)
{
    m->present[f] = true;
    struct cpw_metrics_sample *s = s_sample(m, f, v);
    if (!s) {
        return -1;
    }
    s->value = d;
    return 0;
}

static const char *s_region(const char *region)
{
    return region && *region ? region : GLOBAL_REGION;
}

static const char *s_role_kind(const struct cpw_inv_role *r)
{
    switch (r->service) {
    case CPW_INV_ROLE_PROFILE:
        return "profile-role";
    case CPW_INV_ROLE_CONNECT:
        return "connect-role";
    default:
        return "role";
    }
}

static bool s_status_is(const char *status, const char *want)
{
    return status && strcmp(status, want) == 0;
}

/* Resources: zero for every kind in every scanned account and region, then the counts. */
static int s_resources(struct cpw_metrics *m, const struct cpw_inventory *inv)
{
    static const char *const regional[] = { "instance", "domain", "integration" };
    static const char *const global[] = { "connect-role", "profile-role" };
    int rc = 0;
    for (size_t a = 0; rc == 0 && a < cpw_inventory_account_count(inv); a++) {
        const char *account = cpw_inventory_account(inv, a);
        for (size_t r = 0; rc == 0 && r < cpw_inventory_region_count(inv); r++) {
            for (size_t k = 0; rc == 0 && k < 3; k++) {
                const char *v[] = { account, cpw_inventory_region(inv, r), regional[k] };
                rc = s_add(m, CPW_METRICS_RESOURCES, v, 0);
            }
        }
        for (size_t k = 0; rc == 0 && k < 2; k++) {
            const char *v[] = { account, GLOBAL_REGION, global[k] };
            rc = s_add(m, CPW_METRICS_RESOURCES, v, 0);
        }
        const char *d[] = { account };
        rc = rc ? rc : s_add(m, CPW_METRICS_DELETIONS_PENDING, d, 0);
        rc = rc ? rc : s_add(m, CPW_METRICS_DELETIONS_FAILED, d, 0);
    }
    for (size_t i = 0; rc == 0 && i < cpw_inventory_instance_count(inv); i++) {
        const struct cpw_inv_instance *x = cpw_inventory_instance(inv, i);
        const char *v[] = { x->account, s_region(x->region), "instance" };
        rc = s_add(m, CPW_METRICS_RESOURCES, v, 1);
    }
    for (size_t i = 0; rc == 0 && i < cpw_inventory_domain_count(inv); i++) {
        const struct cpw_inv_domain *x = cpw_inventory_domain(inv, i);
        const char *v[] = { x->account, s_region(x->region), "domain" };
        rc = s_add(m, CPW_METRICS_RESOURCES, v, 1);
        const char *w[] = { x->account, s_region(x->region), "integration" };
        rc = rc ? rc : s_add(m, CPW_METRICS_RESOURCES, w, (double)x->integration_count);
    }
    for (size_t i = 0; rc == 0 && i < cpw_inventory_role_count(inv); i++) {
        const struct cpw_inv_role *x = cpw_inventory_role(inv, i);
        const char *v[] = { x->account, GLOBAL_REGION, s_role_kind(x) };
        rc = s_add(m, CPW_METRICS_RESOURCES, v, 1);
        const char *d[] = { x->account };
        if (rc == 0 && (s_status_is(x->deletion_status, "NOT_STARTED") ||
                        s_status_is(x->deletion_status, "IN_PROGRESS"))) {
            rc = s_add(m, CPW_METRICS_DELETIONS_PENDING, d, 1);
        } else if (rc == 0 && s_status_is(x->deletion_status, "FAILED")) {
            rc = s_add(m, CPW_METRICS_DELETIONS_FAILED, d, 1);
        }
    }
    return rc;
}

static int s_findings_errors(struct cpw_metrics *m, const struct cpw_inventory *inv)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < cpw_inventory_finding_count(inv); i++) {
        const struct cpw_inv_finding *x = cpw_inventory_finding(inv, i);
        const char *conf = cpw_inv_confidence_name(x->confidence);
        const char *v[] = { x->account, s_region(x->region), cpw_inv_finding_kind_name(x->kind),
                            conf ? conf : "none" };
        rc = s_add(m, CPW_METRICS_FINDINGS, v, 1);
    }
    for (size_t i = 0; rc == 0 && i < cpw_inventory_error_count(inv); i++) {
        const struct cpw_inv_error *x = cpw_inventory_error(inv, i);
        const char *v[] = { x->account, s_region(x->region), x->service ? x->service : "all",
                            x->code && *x->code ? x->code : "unknown" };
        rc = s_add(m, CPW_METRICS_SCAN_ERRORS, v, 1);
    }
    return rc;
}

static int s_scan(struct cpw_metrics *m, const struct cpw_metrics_source *src)
{
    int64_t scanned = cpw_inventory_scanned_at(src->inv);
    int rc = 0;
    if (src->snapshot_id > 0) {
        char id[32];
        snprintf(id, sizeof(id), "%lld", (long long)src->snapshot_id);
        const char *v[] = { id, src->scope ? src->scope : "", src->identity ? src->identity : "" };
        rc = s_set(m, CPW_METRICS_SNAPSHOT, v, 1);
    }
    if (rc == 0 && scanned > 0) {
        rc = s_set(m, CPW_METRICS_SCAN_TIMESTAMP, NULL, (double)scanned);
        int64_t age = src->now_s > scanned ? src->now_s - scanned : 0;
        rc = rc ? rc : s_set(m, CPW_METRICS_SCAN_AGE, NULL, (double)age);
        if (rc == 0 && src->saved_at_s >= scanned) {
            rc = s_set(m, CPW_METRICS_SCAN_DURATION, NULL, (double)(src->saved_at_s - scanned));
        }
    }
    if (rc == 0 && src->snapshot_count > 0) {
        rc = s_set(m, CPW_METRICS_SNAPSHOTS, NULL, (double)src->snapshot_count);
    }
    return rc;
}

static int s_journal(struct cpw_metrics *m, const struct cpw_metrics_source *src)
{
    static const char *const outcomes[] = { CPW_JOURNAL_DONE, CPW_JOURNAL_ALREADY,
                                            CPW_JOURNAL_FAILED, CPW_JOURNAL_REFUSED,
                                            "interrupted" };
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < sizeof(outcomes) / sizeof(outcomes[0]); k++) {
        rc = s_add(m, CPW_METRICS_CLEANUP_STEPS, &outcomes[k], 0);
    }
    for (size_t i = 0; rc == 0 && i < src->journal_count; i++) {
        const char *outcome = src->journal[i].outcome;
        if (outcome && strcmp(outcome, CPW_JOURNAL_STARTED) != 0) {
            rc = s_add(m, CPW_METRICS_CLEANUP_STEPS, &outcome, 1);
        }
    }
    return rc;
}

static int s_audit(struct cpw_metrics *m, const struct cpw_metrics_audit *audit)
{
    int rc = 0;
    if (audit->audited_at_s > 0) {
        rc = s_set(m, CPW_METRICS_AUDIT_TIMESTAMP, NULL, (double)audit->audited_at_s);
    }
    for (size_t i = 0; rc == 0 && i < audit->row_count; i++) {
        const struct cpw_metrics_audit_row *r = &audit->rows[i];
        const char *v[] = { r->rule ? r->rule : "unknown", r->severity ? r->severity : "unknown",
                            r->account ? r->account : "", s_region(r->region) };
        rc = s_add(m, CPW_METRICS_AUDIT_VIOLATIONS, v, (double)r->violations);
    }
    return rc;
}

static int s_compare_samples(const void *a, const void *b)
{
    const struct cpw_metrics_sample *x = a;
    const struct cpw_metrics_sample *y = b;
    return strcmp(x->key, y->key);
}

int cpw_metrics_collect(struct cpw_metrics *m, const struct cpw_metrics_source *src)
{
    if (!m || !src || !src->inv) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "metrics need an inventory");
    }
    static const enum cpw_metrics_family_id always[] = {
        CPW_METRICS_RESOURCES,        CPW_METRICS_FINDINGS,    CPW_METRICS_DELETIONS_PENDING,
        CPW_METRICS_DELETIONS_FAILED, CPW_METRICS_SCAN_ERRORS,
    };
    for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
        m->present[always[i]] = true;
    }
    m->present[CPW_METRICS_CLEANUP_STEPS] = src->with_journal;
    m->present[CPW_METRICS_AUDIT_VIOLATIONS] = src->audit != NULL;
    int rc = s_scan(m, src);
    rc = rc ? rc : s_resources(m, src->inv);
    rc = rc ? rc : s_findings_errors(m, src->inv);
    if (rc == 0 && src->with_journal) {
        rc = s_journal(m, src);
    }
    if (rc == 0 && src->audit) {
        rc = s_audit(m, src->audit);
    }
    /* Sorted by label values so that two runs over the same inventory write the same bytes. */
    for (size_t f = 0; f < CPW_METRICS_FAMILY_COUNT; f++) {
        struct cpw_metrics_family *fam = &m->families[f];
        if (fam->count > 1) {
            qsort(fam->samples, fam->count, sizeof(*fam->samples), s_compare_samples);
        }
        cpw_free(fam->slots);
        fam->slots = NULL;
        fam->slot_count = 0;
    }
    return rc;
}

size_t cpw_metrics_sample_count(const struct cpw_metrics *m)
{
    size_t n = 0;
    for (size_t f = 0; f < CPW_METRICS_FAMILY_COUNT; f++) {
        n += m->families[f].count;
    }
    return n;
}

int cpw_metrics_value(const struct cpw_metrics *m,
                      const char *family,
                      const char *const *label_pairs,
                      double *value)
{
    for (size_t f = 0; f < CPW_METRICS_FAMILY_COUNT; f++) {
        if (strcmp(s_defs[f].name, family) != 0) {
            continue;
        }
        size_t nlabels = cpw_metrics_label_count(&s_defs[f]);
        for (size_t i = 0; i < m->families[f].count; i++) {
            const struct cpw_metrics_sample *s = &m->families[f].samples[i];
            size_t matched = 0;
            for (size_t p = 0; label_pairs && label_pairs[p] && label_pairs[p + 1]; p += 2) {
                for (size_t k = 0; k < nlabels; k++) {
                    if (strcmp(s_defs[f].labels[k], label_pairs[p]) == 0 &&
                        strcmp(s->values[k], label_pairs[p + 1]) == 0) {
                        matched++;
                    }
                }
            }
            if (matched == nlabels) {
                *value = s->value;
                return 0;
            }
        }
    }
    return cpw_raise(CPW_ERR_NOT_FOUND, "no sample of %s with those labels", family);
}

/* ----- OpenMetrics text -------------------------------------------------------------------- */

int cpw_metrics_escape_label_value(struct cpw_buf *out, const char *value)
{
    int rc = 0;
    for (const char *p = value ? value : ""; rc == 0 && *p; p++) {
        rc = *p == '\\'   ? cpw_buf_append_cstr(out, "\\\\")
             : *p == '"'  ? cpw_buf_append_cstr(out, "\\\"")
             : *p == '\n' ? cpw_buf_append_cstr(out, "\\n")
                          : cpw_buf_append_byte(out, (uint8_t)*p);
    }
    return rc;
}

/* Integers as integers (OpenMetrics allows either), everything else with full precision. */
static int s_number(struct cpw_buf *out, double v)
{
    if (v >= -9.0e15 && v <= 9.0e15 && (double)(long long)v == v) {
        return cpw_buf_appendf(out, "%lld", (long long)v);
    }
    return cpw_buf_appendf(out, "%.17g", v);
}

static int s_write_family(const struct cpw_metrics_family_def *def,
                          const struct cpw_metrics_family *fam,
                          struct cpw_buf *out)
{
    int rc = cpw_buf_appendf(out, "# TYPE %s %s\n", def->name, def->type);
    if (rc == 0 && def->unit) {
        rc = cpw_buf_appendf(out, "# UNIT %s %s\n", def->name, def->unit);
    }
    rc = rc ? rc : cpw_buf_appendf(out, "# HELP %s ", def->name);
    rc = rc ? rc : cpw_metrics_escape_label_value(out, def->help);
    rc = rc ? rc : cpw_buf_append_byte(out, '\n');
    const char *suffix = strcmp(def->type, "counter") == 0 ? "_total"
                         : strcmp(def->type, "info") == 0  ? "_info"
                                                           : "";
    size_t nlabels = cpw_metrics_label_count(def);
    for (size_t i = 0; rc == 0 && i < fam->count; i++) {
        const struct cpw_metrics_sample *s = &fam->samples[i];
        rc = cpw_buf_appendf(out, "%s%s", def->name, suffix);
        for (size_t k = 0; rc == 0 && k < nlabels; k++) {
            rc = cpw_buf_appendf(out, "%s%s=\"", k ? "," : "{", def->labels[k]);
            rc = rc ? rc : cpw_metrics_escape_label_value(out, s->values[k]);
            rc = rc ? rc : cpw_buf_append_byte(out, '"');
        }
        if (rc == 0 && nlabels) {
            rc = cpw_buf_append_byte(out, '}');
        }
        rc = rc ? rc : cpw_buf_append_byte(out, ' ');
        rc = rc ? rc : s_number(out, s->value);
        rc = rc ? rc : cpw_buf_append_byte(out, '\n');
    }
    return rc;
}

int cpw_metrics_write_openmetrics(const struct cpw_metrics *m, struct cpw_buf *out)
{
    int rc = 0;
    for (size_t f = 0; rc == 0 && f < CPW_METRICS_FAMILY_COUNT; f++) {
        /* A family whose source was unknown (no snapshot, no audit) is left out, so that its
         * absence shows; a known one is written even without samples. */
        if (!m->present[f]) {
            continue;
        }
        rc = s_write_family(&s_defs[f], &m->families[f], out);
    }
    return rc ? rc : cpw_buf_append_cstr(out, "# EOF\n");
}
