/*
 * audit_diff.c - reading finished audit reports: the worst severity and the count at or above a
 * severity (for --fail-on and the metrics), and the difference between two reports (--diff):
 * a result is matched by its fingerprint, and a rule that was not evaluated in one of the two
 * reports proves nothing either way.
 */
#include <string.h>

#include "audit_internal.h"
#include "cpw/error.h"

int cpw_audit_worst_severity(const json_t *report)
{
    int worst = -1;
    size_t i;
    json_t *r;
    json_array_foreach(cpw_json_get(report, "results"), i, r)
    {
        enum cpw_audit_severity s;
        if (cpw_audit_severity_parse(cpw_json_get_string(r, "severity"), &s) == 0 &&
            (int)s > worst) {
            worst = (int)s;
        }
    }
    cpw_error_clear();
    return worst;
}

size_t cpw_audit_count_at_least(const json_t *report, enum cpw_audit_severity severity)
{
    size_t n = 0;
    size_t i;
    json_t *r;
    json_array_foreach(cpw_json_get(report, "results"), i, r)
    {
        enum cpw_audit_severity s;
        if (cpw_audit_severity_parse(cpw_json_get_string(r, "severity"), &s) == 0 &&
            s >= severity) {
            n++;
        }
    }
    cpw_error_clear();
    return n;
}

static bool s_has_fingerprint(const json_t *results, const char *fp)
{
    size_t i;
    json_t *r;
    json_array_foreach(results, i, r)
    {
        const char *other = cpw_json_get_string(r, "fingerprint");
        if (other && fp && strcmp(other, fp) == 0) {
            return true;
        }
    }
    return false;
}

/* True when report evaluated rule (a rule not evaluated or disabled there proves nothing). */
static bool s_evaluated(const json_t *report, const char *rule)
{
    size_t i;
    json_t *r;
    json_array_foreach(cpw_json_get(report, "rules"), i, r)
    {
        const char *id = cpw_json_get_string(r, "id");
        const char *status = cpw_json_get_string(r, "status");
        if (id && rule && strcmp(id, rule) == 0) {
            return status && strcmp(status, "evaluated") == 0;
        }
    }
    return false;
}

json_t *cpw_audit_diff(const json_t *before, const json_t *after)
{
    const json_t *old_results = cpw_json_get(before, "results");
    const json_t *new_results = cpw_json_get(after, "results");
    json_t *added = json_array();
    json_t *fixed = json_array();
    size_t unchanged = 0;
    size_t not_compared = 0;
    size_t i;
    json_t *r;
    json_array_foreach(new_results, i, r)
    {
        const char *rule = cpw_json_get_string(r, "rule");
        if (s_has_fingerprint(old_results, cpw_json_get_string(r, "fingerprint"))) {
            unchanged++;
        } else if (!s_evaluated(before, rule)) {
            not_compared++;
        } else {
            json_array_append(added, r);
        }
    }
    json_array_foreach(old_results, i, r)
    {
        const char *rule = cpw_json_get_string(r, "rule");
        if (s_has_fingerprint(new_results, cpw_json_get_string(r, "fingerprint"))) {
            continue;
        }
        if (!s_evaluated(after, rule)) {
            not_compared++; /* not evaluated this time: not known to be fixed */
        } else {
            json_array_append(fixed, r);
        }
    }
    const char *b = cpw_json_get_string(before, "ran_at");
    const char *a = cpw_json_get_string(after, "ran_at");
    return json_pack("{s:i,s:s,s:s,s:o,s:o,s:I,s:I}", "format_version", CPW_AUDIT_FORMAT_VERSION,
                     "before_ran_at", b ? b : "", "ran_at", a ? a : "", "new", added, "fixed",
                     fixed, "unchanged", (json_int_t)unchanged, "not_compared",
                     (json_int_t)not_compared);
}
