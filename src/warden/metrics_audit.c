/*
 * metrics_audit.c - the stored audit results as metrics rows: the newest report that
 * `cpwarden audit` saved in the state store (cpw_audit_load_latest), its violations counted per
 * rule, severity, account and region. The report document stays loaded until release, and the
 * rows borrow its strings.
 */
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/audit.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/metrics.h"
#include "cpw/time.h"

struct loaded {
    json_t *report;
    struct cpw_metrics_audit_row *rows;
};

static bool s_same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int s_latest(void *user, struct cpw_store *store, struct cpw_metrics_audit *out)
{
    (void)user;
    memset(out, 0, sizeof(*out));
    json_t *report = cpw_audit_load_latest(store, NULL);
    if (report == NULL) {
        return cpw_last_error() == CPW_ERR_NOT_FOUND ? 1 : -1;
    }
    const json_t *results = cpw_json_get(report, "results");
    size_t n = json_is_array(results) ? json_array_size(results) : 0;
    struct loaded *l = cpw_calloc(1, sizeof(*l));
    l->report = report;
    l->rows = cpw_calloc(n ? n : 1, sizeof(*l->rows));
    size_t rows = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *r = json_array_get(results, i);
        const char *rule = cpw_json_get_string(r, "rule");
        const char *severity = cpw_json_get_string(r, "severity");
        const char *account = cpw_json_get_string(r, "account");
        const char *region = cpw_json_get_string(r, "region");
        if (rule == NULL || severity == NULL) {
            continue;
        }
        size_t k = 0;
        while (k < rows &&
               !(strcmp(l->rows[k].rule, rule) == 0 && strcmp(l->rows[k].severity, severity) == 0 &&
                 s_same(l->rows[k].account, account) && s_same(l->rows[k].region, region))) {
            k++;
        }
        if (k == rows) {
            l->rows[rows++] = (struct cpw_metrics_audit_row){ .rule = rule,
                                                              .severity = severity,
                                                              .account = account ? account : "",
                                                              .region = region };
        }
        l->rows[k].violations++;
    }
    int64_t ran_ms = 0;
    const char *ran = cpw_json_get_string(report, "ran_at");
    if (ran != NULL && cpw_time_parse_iso8601_ms(cpw_span_from_cstr(ran), &ran_ms) == 0) {
        out->audited_at_s = ran_ms / 1000;
    }
    out->rows = l->rows;
    out->row_count = rows;
    out->opaque = l;
    return 0;
}

static void s_release(void *user, struct cpw_metrics_audit *out)
{
    (void)user;
    struct loaded *l = out->opaque;
    if (l != NULL) {
        cpw_json_release(l->report);
        cpw_free(l->rows);
        cpw_free(l);
    }
    memset(out, 0, sizeof(*out));
}

static const struct cpw_metrics_audit_source s_store_source = {
    .latest = s_latest,
    .release = s_release,
    .user = NULL,
};

const struct cpw_metrics_audit_source *cpw_metrics_audit_from_store(void)
{
    return &s_store_source;
}
