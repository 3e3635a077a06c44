/*
 * audit_output.c - the audit report rendered: a table and Markdown for people, the JSON document
 * as is, SARIF 2.1.0 for code-scanning dashboards, and JUnit XML for CI servers (Jenkins, GitLab:
 * testsuites/testsuite/testcase with failure and skipped). Everything is rendered from the report
 * document, so a stored report renders exactly as the run that made it.
 */
#include <stdio.h>
#include <string.h>

#include "audit_internal.h"
#include "cpw/alloc.h"
#include "cpw/error.h"

#define SARIF_SCHEMA                                                                               \
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

int cpw_audit_format_parse(const char *name, enum cpw_audit_format *out)
{
    static const char *const names[] = { "table", "json", "markdown", "sarif", "junit" };
    for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (enum cpw_audit_format)i;
            return 0;
        }
    }
    return cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                     "output format '%s' is not one of table, json, markdown, sarif, junit",
                     name ? name : "");
}

static const char *s_str(const json_t *obj, const char *key)
{
    const char *s = cpw_json_get_string(obj, key);
    return s ? s : "";
}

static const char *s_resource(const json_t *r)
{
    const char *res = cpw_json_get_string(r, "resource");
    return res ? res : s_str(r, "account");
}

/* ----- table and markdown --------------------------------------------------------------------- */

static int s_table_results(const json_t *results, const char *heading, struct cpw_buf *out)
{
    int rc = 0;
    if (heading) {
        rc |= cpw_buf_appendf(out, "%s\n", heading);
    }
    rc |= cpw_buf_appendf(out, "%-9s %-24s %-14s %s\n", "SEVERITY", "RULE", "ACCOUNT", "FINDING");
    size_t i;
    json_t *r;
    json_array_foreach(results, i, r)
    {
        rc |= cpw_buf_appendf(out, "%-9s %-24s %-14s %s\n", s_str(r, "severity"), s_str(r, "rule"),
                              s_str(r, "account"), s_str(r, "message"));
        rc |= cpw_buf_appendf(out, "%50s resource: %s\n", "", s_resource(r));
        const char *fix = s_str(r, "fix");
        if (*fix) {
            rc |= cpw_buf_appendf(out, "%50s fix: %s\n", "", fix);
        }
    }
    return rc ? -1 : 0;
}

static int s_table(const json_t *report, struct cpw_buf *out)
{
    const json_t *results = cpw_json_get(report, "results");
    const json_t *summary = cpw_json_get(report, "summary");
    int rc = 0;
    if (json_array_size(results)) {
        rc |= s_table_results(results, NULL, out);
        rc |= cpw_buf_append_cstr(out, "\n");
    }
    rc |= cpw_buf_appendf(out, "%lld violation(s)",
                          (long long)json_integer_value(cpw_json_get(summary, "violations")));
    const json_t *sev = cpw_json_get(summary, "by_severity");
    for (int s = CPW_AUDIT_SEVERITY_COUNT_ - 1; s >= 0; s--) {
        const char *name = cpw_audit_severity_name((enum cpw_audit_severity)s);
        json_int_t n = json_integer_value(cpw_json_get(sev, name));
        if (n) {
            rc |= cpw_buf_appendf(out, ", %lld %s", (long long)n, name);
        }
    }
    rc |= cpw_buf_appendf(out, " (rules: %s)\n", s_str(report, "rules_source"));
    size_t i;
    json_t *rule;
    json_array_foreach(cpw_json_get(report, "rules"), i, rule)
    {
        const char *status = s_str(rule, "status");
        const char *reason = cpw_json_get_string(rule, "reason");
        if (strcmp(status, "not-evaluated") == 0) {
            rc |= cpw_buf_appendf(out, "not evaluated: %s: %s\n", s_str(rule, "id"),
                                  reason ? reason : "");
        } else if (reason && strcmp(status, "evaluated") == 0) {
            rc |= cpw_buf_appendf(out, "note: %s: %s\n", s_str(rule, "id"), reason);
        }
    }
    return rc ? -1 : 0;
}

/* Markdown table cells: pipes escaped, newlines flattened. */
static int s_md_cell(struct cpw_buf *out, const char *s)
{
    int rc = 0;
    for (; s && *s; s++) {
        if (*s == '|') {
            rc |= cpw_buf_append_cstr(out, "\\|");
        } else if (*s == '\n' || *s == '\r') {
            rc |= cpw_buf_append_byte(out, ' ');
        } else {
            rc |= cpw_buf_append_byte(out, (uint8_t)*s);
        }
    }
    return rc;
}

static int s_md_results(const json_t *results, struct cpw_buf *out)
{
    int rc = cpw_buf_append_cstr(out, "| Severity | Rule | Resource | Finding | Fix |\n"
                                      "|---|---|---|---|---|\n");
    size_t i;
    json_t *r;
    json_array_foreach(results, i, r)
    {
        static const char *const keys[] = { "severity", "rule", NULL, "message", "fix" };
        for (size_t k = 0; k < 5; k++) {
            rc |= cpw_buf_append_cstr(out, "| ");
            rc |= s_md_cell(out, keys[k] ? s_str(r, keys[k]) : s_resource(r));
            rc |= cpw_buf_append_cstr(out, " ");
        }
        rc |= cpw_buf_append_cstr(out, "|\n");
    }
    return rc;
}

static int s_markdown(const json_t *report, struct cpw_buf *out)
{
    const json_t *summary = cpw_json_get(report, "summary");
    int rc = cpw_buf_appendf(out,
                             "# cpwarden audit\n\nRan at %s with rules from %s: %lld "
                             "violation(s).\n\n",
                             s_str(report, "ran_at"), s_str(report, "rules_source"),
                             (long long)json_integer_value(cpw_json_get(summary, "violations")));
    rc |= cpw_buf_append_cstr(out, "## Rules\n\n| Rule | Severity | Status | Violations |\n"
                                   "|---|---|---|---|\n");
    size_t i;
    json_t *rule;
    json_array_foreach(cpw_json_get(report, "rules"), i, rule)
    {
        rc |= cpw_buf_appendf(out, "| %s | %s | %s | %lld |\n", s_str(rule, "id"),
                              s_str(rule, "severity"), s_str(rule, "status"),
                              (long long)json_integer_value(cpw_json_get(rule, "violations")));
    }
    const json_t *results = cpw_json_get(report, "results");
    if (json_array_size(results)) {
        rc |= cpw_buf_append_cstr(out, "\n## Violations\n\n");
        rc |= s_md_results(results, out);
    }
    bool heading = false;
    json_array_foreach(cpw_json_get(report, "rules"), i, rule)
    {
        const char *reason = cpw_json_get_string(rule, "reason");
        if (reason) {
            if (!heading) {
                rc |= cpw_buf_append_cstr(out, "\n## Notes\n\n");
                heading = true;
            }
            rc |= cpw_buf_appendf(out, "- **%s** (%s): ", s_str(rule, "id"), s_str(rule, "status"));
            rc |= s_md_cell(out, reason);
            rc |= cpw_buf_append_cstr(out, "\n");
        }
    }
    return rc ? -1 : 0;
}

/* ----- SARIF 2.1.0 ---------------------------------------------------------------------------- */

static const char *s_level(const char *severity)
{
    enum cpw_audit_severity s = CPW_AUDIT_SEVERITY_INFO;
    if (cpw_audit_severity_parse(severity, &s)) {
        cpw_error_clear();
    }
    return s >= CPW_AUDIT_SEVERITY_HIGH  ? "error"
           : s >= CPW_AUDIT_SEVERITY_LOW ? "warning"
                                         : "note";
}

static json_t *s_sarif(const json_t *report)
{
    json_t *rules = json_array();
    json_t *notifications = json_array();
    size_t i;
    json_t *rule;
    json_array_foreach(cpw_json_get(report, "rules"), i, rule)
    {
        json_array_append_new(
          rules,
          json_pack("{s:s,s:s,s:{s:s},s:{s:s,s:b},s:{s:s,s:s}}", "id", s_str(rule, "id"), "name",
                    s_str(rule, "id"), "shortDescription", "text", s_str(rule, "description"),
                    "defaultConfiguration", "level", s_level(s_str(rule, "severity")), "enabled",
                    json_is_true(cpw_json_get(rule, "enabled")), "properties", "severity",
                    s_str(rule, "severity"), "status", s_str(rule, "status")));
        const char *reason = cpw_json_get_string(rule, "reason");
        if (reason) {
            json_array_append_new(notifications,
                                  json_pack("{s:s,s:{s:s},s:{s:s,s:I}}", "level", "warning",
                                            "message", "text", reason, "descriptor", "id",
                                            s_str(rule, "id"), "index", (json_int_t)i));
        }
    }
    json_t *results = json_array();
    json_t *r;
    json_array_foreach(cpw_json_get(report, "results"), i, r)
    {
        size_t index = 0;
        size_t k;
        json_array_foreach(cpw_json_get(report, "rules"), k, rule)
        {
            if (strcmp(s_str(rule, "id"), s_str(r, "rule")) == 0) {
                index = k;
            }
        }
        const char *name = cpw_json_get_string(r, "name");
        json_t *logical =
          json_pack("{s:s,s:s,s:s}", "name", name ? name : s_resource(r), "fullyQualifiedName",
                    s_resource(r), "kind", s_str(r, "resource_type"));
        json_t *props = json_pack("{s:s,s:O,s:s}", "severity", s_str(r, "severity"), "evidence",
                                  cpw_json_get(r, "evidence"), "fix", s_str(r, "fix"));
        cpw_json_set_take(props, "account", json_string(s_str(r, "account")));
        const char *region = cpw_json_get_string(r, "region");
        if (region) {
            cpw_json_set_take(props, "region", json_string(region));
        }
        json_array_append_new(results,
                              json_pack("{s:s,s:I,s:s,s:{s:s},s:[{s:[o]}],s:{s:s},s:o}", "ruleId",
                                        s_str(r, "rule"), "ruleIndex", (json_int_t)index, "level",
                                        s_level(s_str(r, "severity")), "message", "text",
                                        s_str(r, "message"), "locations", "logicalLocations",
                                        logical, "partialFingerprints", "cpwardenFingerprint/v1",
                                        s_str(r, "fingerprint"), "properties", props));
    }
    json_t *invocation = json_pack("{s:b}", "executionSuccessful", 1);
    if (json_array_size(notifications)) {
        cpw_json_set_take(invocation, "toolConfigurationNotifications", notifications);
    } else {
        json_decref(notifications);
    }
    return json_pack("{s:s,s:s,s:[{s:{s:{s:s,s:s,s:o}},s:[o],s:o,s:{s:s,s:s}}]}", "$schema",
                     SARIF_SCHEMA, "version", "2.1.0", "runs", "tool", "driver", "name", "cpwarden",
                     "version", CPW_VERSION, "rules", rules, "invocations", invocation, "results",
                     results, "properties", "ranAt", s_str(report, "ran_at"), "rulesSource",
                     s_str(report, "rules_source"));
}

/* ----- JUnit XML ------------------------------------------------------------------------------ */

static int s_xml(struct cpw_buf *out, const char *s)
{
    int rc = 0;
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '<':
            rc |= cpw_buf_append_cstr(out, "&lt;");
            break;
        case '>':
            rc |= cpw_buf_append_cstr(out, "&gt;");
            break;
        case '&':
            rc |= cpw_buf_append_cstr(out, "&amp;");
            break;
        case '"':
            rc |= cpw_buf_append_cstr(out, "&quot;");
            break;
        case '\n':
            rc |= cpw_buf_append_cstr(out, "&#10;");
            break;
        default:
            /* XML 1.0 forbids most control characters, even as references */
            rc |= cpw_buf_append_byte(out, c < 0x20 && c != '\t' ? (uint8_t)'?' : c);
            break;
        }
    }
    return rc;
}

static int s_junit_failure(struct cpw_buf *out, const json_t *r)
{
    int rc = cpw_buf_append_cstr(out, "      <testcase classname=\"cpwarden.audit.");
    rc |= s_xml(out, s_str(r, "rule"));
    rc |= cpw_buf_append_cstr(out, "\" name=\"");
    rc |= s_xml(out, s_resource(r));
    rc |= cpw_buf_append_cstr(out, "\">\n        <failure type=\"");
    rc |= s_xml(out, s_str(r, "severity"));
    rc |= cpw_buf_append_cstr(out, "\" message=\"");
    rc |= s_xml(out, s_str(r, "message"));
    rc |= cpw_buf_append_cstr(out, "\">");
    size_t i;
    json_t *e;
    json_array_foreach(cpw_json_get(r, "evidence"), i, e)
    {
        rc |= s_xml(out, json_string_value(e));
        rc |= s_xml(out, "\n");
    }
    rc |= s_xml(out, "fix: ");
    rc |= s_xml(out, s_str(r, "fix"));
    rc |= cpw_buf_append_cstr(out, "</failure>\n      </testcase>\n");
    return rc;
}

static int s_junit(const json_t *report, struct cpw_buf *out)
{
    const json_t *results = cpw_json_get(report, "results");
    struct cpw_buf suites;
    cpw_buf_init(&suites, out->max);
    size_t total_tests = 0;
    size_t total_failures = 0;
    size_t total_skipped = 0;
    int rc = 0;
    size_t i;
    json_t *rule;
    json_array_foreach(cpw_json_get(report, "rules"), i, rule)
    {
        const char *id = s_str(rule, "id");
        const char *status = s_str(rule, "status");
        struct cpw_buf cases;
        cpw_buf_init(&cases, out->max);
        size_t tests = 0;
        size_t failures = 0;
        size_t skipped = 0;
        if (strcmp(status, "evaluated") != 0) {
            rc |= cpw_buf_append_cstr(&cases, "      <testcase classname=\"cpwarden.audit.");
            rc |= s_xml(&cases, id);
            rc |= cpw_buf_append_cstr(&cases, "\" name=\"");
            rc |= s_xml(&cases, id);
            rc |= cpw_buf_append_cstr(&cases, "\">\n        <skipped message=\"");
            const char *reason = cpw_json_get_string(rule, "reason");
            rc |= s_xml(&cases, reason ? reason : status);
            rc |= cpw_buf_append_cstr(&cases, "\"/>\n      </testcase>\n");
            tests = skipped = 1;
        } else {
            size_t k;
            json_t *checked;
            json_array_foreach(cpw_json_get(rule, "checked"), k, checked)
            {
                const char *res = json_string_value(checked);
                bool failed = false;
                size_t j;
                json_t *r;
                json_array_foreach(results, j, r)
                {
                    if (strcmp(s_str(r, "rule"), id) == 0 && res &&
                        strcmp(s_resource(r), res) == 0) {
                        rc |= s_junit_failure(&cases, r);
                        tests++;
                        failures++;
                        failed = true;
                    }
                }
                if (!failed) {
                    rc |=
                      cpw_buf_append_cstr(&cases, "      <testcase classname=\"cpwarden.audit.");
                    rc |= s_xml(&cases, id);
                    rc |= cpw_buf_append_cstr(&cases, "\" name=\"");
                    rc |= s_xml(&cases, res);
                    rc |= cpw_buf_append_cstr(&cases, "\"/>\n");
                    tests++;
                }
            }
            /* violations about resources not in the checked list (none expected) */
            json_t *r;
            json_array_foreach(results, k, r)
            {
                const char *res = s_resource(r);
                bool listed = false;
                size_t j;
                json_array_foreach(cpw_json_get(rule, "checked"), j, checked)
                {
                    listed = listed || strcmp(json_string_value(checked), res) == 0;
                }
                if (strcmp(s_str(r, "rule"), id) == 0 && !listed) {
                    rc |= s_junit_failure(&cases, r);
                    tests++;
                    failures++;
                }
            }
        }
        rc |= cpw_buf_append_cstr(&suites, "    <testsuite name=\"");
        rc |= s_xml(&suites, id);
        rc |= cpw_buf_appendf(&suites,
                              "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" "
                              "time=\"0\">\n",
                              tests, failures, skipped);
        rc |= cpw_buf_append(&suites, cpw_buf_span(&cases));
        rc |= cpw_buf_append_cstr(&suites, "    </testsuite>\n");
        cpw_buf_clean_up(&cases);
        total_tests += tests;
        total_failures += failures;
        total_skipped += skipped;
    }
    rc |= cpw_buf_appendf(out,
                          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<testsuites name=\"cpwarden audit\" tests=\"%zu\" failures=\"%zu\" "
                          "errors=\"0\" skipped=\"%zu\" time=\"0\">\n",
                          total_tests, total_failures, total_skipped);
    rc |= cpw_buf_append(out, cpw_buf_span(&suites));
    rc |= cpw_buf_append_cstr(out, "</testsuites>\n");
    cpw_buf_clean_up(&suites);
    return rc ? -1 : 0;
}

int cpw_audit_write(const json_t *report, enum cpw_audit_format format, struct cpw_buf *out)
{
    switch (format) {
    case CPW_AUDIT_FORMAT_TABLE:
        return s_table(report, out);
    case CPW_AUDIT_FORMAT_MARKDOWN:
        return s_markdown(report, out);
    case CPW_AUDIT_FORMAT_JSON:
        return cpw_json_dump_document(report, out);
    case CPW_AUDIT_FORMAT_SARIF: {
        json_t *sarif = s_sarif(report);
        int rc = cpw_json_dump_document(sarif, out);
        json_decref(sarif);
        return rc;
    }
    case CPW_AUDIT_FORMAT_JUNIT:
        return s_junit(report, out);
    }
    return cpw_raise(CPW_ERR_INTERNAL, "unknown audit format");
}

int cpw_audit_diff_write(const json_t *diff, enum cpw_audit_format format, struct cpw_buf *out)
{
    const json_t *added = cpw_json_get(diff, "new");
    const json_t *fixed = cpw_json_get(diff, "fixed");
    int rc = 0;
    switch (format) {
    case CPW_AUDIT_FORMAT_JSON:
        return cpw_json_dump_document(diff, out);
    case CPW_AUDIT_FORMAT_TABLE:
        rc |= cpw_buf_appendf(out, "since the audit of %s: %zu new, %zu fixed, %lld unchanged\n",
                              s_str(diff, "before_ran_at"), json_array_size(added),
                              json_array_size(fixed),
                              (long long)json_integer_value(cpw_json_get(diff, "unchanged")));
        if (json_integer_value(cpw_json_get(diff, "not_compared"))) {
            rc |= cpw_buf_appendf(
              out,
              "%lld violation(s) of rules evaluated in only one of the two audits not compared\n",
              (long long)json_integer_value(cpw_json_get(diff, "not_compared")));
        }
        if (json_array_size(added)) {
            rc |= cpw_buf_append_cstr(out, "\n");
            rc |= s_table_results(added, "NEW", out);
        }
        if (json_array_size(fixed)) {
            rc |= cpw_buf_append_cstr(out, "\n");
            rc |= s_table_results(fixed, "FIXED", out);
        }
        return rc ? -1 : 0;
    case CPW_AUDIT_FORMAT_MARKDOWN:
        rc |= cpw_buf_appendf(out, "# cpwarden audit: changes since %s\n\n",
                              s_str(diff, "before_ran_at"));
        rc |= cpw_buf_appendf(out, "## New (%zu)\n\n", json_array_size(added));
        rc |= s_md_results(added, out);
        rc |= cpw_buf_appendf(out, "\n## Fixed (%zu)\n\n", json_array_size(fixed));
        rc |= s_md_results(fixed, out);
        return rc ? -1 : 0;
    default:
        break;
    }
    return cpw_raise(CPW_ERR_UNSUPPORTED, "--diff prints table, json or markdown");
}
