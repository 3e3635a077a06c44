/*
 * doctor_output.c - the doctor's report as JSON, a text table and Markdown (doctor.h).
 */
#include <string.h>

#include "cpw/doctor.h"
#include "cpw/json.h"

json_t *cpw_doctor_json(const struct cpw_doctor_report *report)
{
    json_t *checks = json_array();
    for (size_t i = 0; i < report->count; i++) {
        const struct cpw_doctor_check *c = &report->checks[i];
        cpw_json_append_take(checks, json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s?}", "account",
                                               c->account, "check", c->check, "status",
                                               cpw_doctor_status_name(c->status), "subject",
                                               c->subject, "detail", c->detail, "fix", c->fix));
    }
    size_t problems = 0;
    for (size_t i = 0; i < report->count; i++) {
        problems += report->checks[i].status == CPW_DOCTOR_FAIL ? 1u : 0u;
    }
    return json_pack("{s:s, s:I, s:o}", "status", cpw_doctor_status_name(cpw_doctor_worst(report)),
                     "problems", (json_int_t)problems, "checks", checks);
}

static const char *s_upper(enum cpw_doctor_status status)
{
    switch (status) {
    case CPW_DOCTOR_OK:
        return "OK";
    case CPW_DOCTOR_INFO:
        return "INFO";
    case CPW_DOCTOR_WARN:
        return "WARN";
    case CPW_DOCTOR_FAIL:
        return "FAIL";
    }
    return "?";
}

int cpw_doctor_table(const struct cpw_doctor_report *report, struct cpw_buf *out)
{
    size_t w_check = strlen("CHECK");
    size_t w_subject = strlen("SUBJECT");
    for (size_t i = 0; i < report->count; i++) {
        const struct cpw_doctor_check *c = &report->checks[i];
        size_t a = strlen(c->check);
        size_t b = c->subject ? strlen(c->subject) : 1;
        w_check = a > w_check ? a : w_check;
        w_subject = b > w_subject ? b : w_subject;
    }
    w_subject = w_subject > 48 ? 48 : w_subject;
    int rc = cpw_buf_appendf(out, "%-6s %-12s %-*s %-*s %s\n", "STATUS", "ACCOUNT", (int)w_check,
                             "CHECK", (int)w_subject, "SUBJECT", "DETAIL");
    for (size_t i = 0; rc == 0 && i < report->count; i++) {
        const struct cpw_doctor_check *c = &report->checks[i];
        rc = cpw_buf_appendf(out, "%-6s %-12s %-*s %-*s %s\n", s_upper(c->status),
                             c->account[0] ? c->account : "-", (int)w_check, c->check,
                             (int)w_subject, c->subject ? c->subject : "-", c->detail);
        if (rc == 0 && c->fix && c->status != CPW_DOCTOR_OK) {
            rc = cpw_buf_appendf(out, "       fix: %s\n", c->fix);
        }
    }
    size_t problems = 0;
    for (size_t i = 0; i < report->count; i++) {
        problems += report->checks[i].status == CPW_DOCTOR_FAIL ? 1u : 0u;
    }
    if (rc == 0) {
        rc = problems
               ? cpw_buf_appendf(out, "\n%zu problem%s found: each FAIL above has its fix.\n",
                                 problems, problems == 1 ? "" : "s")
               : cpw_buf_append_cstr(out, "\nNo problem found.\n");
    }
    return rc;
}

/* A Markdown table cell: pipes escaped, newlines as spaces. */
static int s_cell(struct cpw_buf *out, const char *text)
{
    int rc = 0;
    for (const char *p = text ? text : "-"; *p && rc == 0; p++) {
        if (*p == '|') {
            rc = cpw_buf_append_cstr(out, "\\|");
        } else {
            rc = cpw_buf_append_byte(out, *p == '\n' ? (unsigned char)' ' : (unsigned char)*p);
        }
    }
    return rc;
}

int cpw_doctor_markdown(const struct cpw_doctor_report *report, struct cpw_buf *out)
{
    int rc = cpw_buf_append_cstr(out, "# cpwarden doctor\n\n"
                                      "| Status | Account | Check | Subject | Detail |\n"
                                      "|---|---|---|---|---|\n");
    for (size_t i = 0; rc == 0 && i < report->count; i++) {
        const struct cpw_doctor_check *c = &report->checks[i];
        rc = cpw_buf_appendf(out, "| %s | %s | %s | ", s_upper(c->status),
                             c->account[0] ? c->account : "-", c->check);
        rc = rc ? rc : s_cell(out, c->subject);
        rc = rc ? rc : cpw_buf_append_cstr(out, " | ");
        rc = rc ? rc : s_cell(out, c->detail);
        rc = rc ? rc : cpw_buf_append_cstr(out, " |\n");
    }
    bool heading = false;
    for (size_t i = 0; rc == 0 && i < report->count; i++) {
        const struct cpw_doctor_check *c = &report->checks[i];
        if (!c->fix || c->status == CPW_DOCTOR_OK) {
            continue;
        }
        if (!heading) {
            rc = cpw_buf_append_cstr(out, "\n## Fixes\n");
            heading = true;
        }
        rc =
          rc ? rc
             : cpw_buf_appendf(out, "\n- **%s** %s %s:\n\n  ```\n  %s\n  ```\n", s_upper(c->status),
                               c->check, c->subject ? c->subject : "", c->fix);
    }
    return rc;
}
