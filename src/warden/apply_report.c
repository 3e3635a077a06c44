/*
 * apply_report.c - what `cpwarden apply` prints at the end: every step with its outcome and the
 * sentence behind it, as a text table, a Markdown change record, or JSON.
 */
#include <jansson.h>
#include <string.h>

#include "cpw/apply.h"
#include "cpw/error.h"
#include "cpw/json.h"

#define OUTCOME_COUNT ((size_t)CPW_APPLY_OUTCOME_COUNT_)

static void s_counts(const struct cpw_apply_report *r, size_t counts[OUTCOME_COUNT])
{
    memset(counts, 0, OUTCOME_COUNT * sizeof(*counts));
    for (size_t i = 0; i < r->step_count; i++) {
        counts[r->steps[i].outcome]++;
    }
}

static const char *s_summary_word(const struct cpw_apply_report *r)
{
    return r->failed    ? "FAILED: some steps did not complete"
           : r->refused ? "REFUSED: some steps no longer met their preconditions and were not run"
                        : "all steps completed";
}

int cpw_apply_report_table(const struct cpw_apply_report *r, struct cpw_buf *out)
{
    size_t c[OUTCOME_COUNT];
    s_counts(r, c);
    int rc = cpw_buf_appendf(out,
                             "apply run %lld%s: %s\n"
                             "  done %zu, already gone %zu, done earlier %zu, failed %zu, "
                             "refused %zu, not run %zu, skipped %zu\n\n",
                             (long long)r->run_id, r->resumed ? " (resumed)" : "",
                             s_summary_word(r), c[CPW_APPLY_DONE], c[CPW_APPLY_ALREADY],
                             c[CPW_APPLY_PREVIOUSLY], c[CPW_APPLY_FAILED], c[CPW_APPLY_REFUSED],
                             c[CPW_APPLY_NOT_RUN], c[CPW_APPLY_SKIPPED]);
    rc = rc ? rc : cpw_buf_appendf(out, "%-4s %-27s %-11s %s\n", "ID", "KIND", "OUTCOME", "TARGET");
    for (size_t i = 0; rc == 0 && i < r->step_count; i++) {
        const struct cpw_apply_step *s = &r->steps[i];
        rc = cpw_buf_appendf(out, "%-4s %-27s %-11s %s (%s%s%s)\n     %s\n", s->action->id,
                             cpw_plan_action_kind_name(s->action->kind),
                             cpw_apply_outcome_name(s->outcome), s->action->name,
                             s->action->account, s->action->region[0] ? " " : "", s->action->region,
                             s->detail ? s->detail : "");
    }
    return rc;
}

/* Markdown cell: '|' escaped, line breaks as <br>. */
static int s_cell(struct cpw_buf *out, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++) {
        int rc = *p == '|'    ? cpw_buf_append_cstr(out, "\\|")
                 : *p == '\n' ? cpw_buf_append_cstr(out, "<br>")
                              : cpw_buf_append_byte(out, (uint8_t)*p);
        if (rc) {
            return rc;
        }
    }
    return 0;
}

int cpw_apply_report_markdown(const struct cpw_apply_report *r, struct cpw_buf *out)
{
    size_t c[OUTCOME_COUNT];
    s_counts(r, c);
    int rc = cpw_buf_appendf(
      out,
      "# cpwarden apply\n\n## Summary\n\nRun %lld%s: %s.\n\n"
      "| done | already gone | done earlier | failed | refused | not run | skipped "
      "|\n|---|---|---|---|---|---|---|\n| %zu | %zu | %zu | %zu | %zu | %zu | %zu "
      "|\n\n"
      "## Steps\n\n| id | kind | target | account | region | outcome | "
      "detail |\n|---|---|---|---|---|---|---|\n",
      (long long)r->run_id, r->resumed ? " (resumed)" : "", s_summary_word(r), c[CPW_APPLY_DONE],
      c[CPW_APPLY_ALREADY], c[CPW_APPLY_PREVIOUSLY], c[CPW_APPLY_FAILED], c[CPW_APPLY_REFUSED],
      c[CPW_APPLY_NOT_RUN], c[CPW_APPLY_SKIPPED]);
    for (size_t i = 0; rc == 0 && i < r->step_count; i++) {
        const struct cpw_apply_step *s = &r->steps[i];
        rc = cpw_buf_appendf(out, "| %s | %s | ", s->action->id,
                             cpw_plan_action_kind_name(s->action->kind));
        rc = rc ? rc : s_cell(out, s->action->name);
        rc = rc ? rc
                : cpw_buf_appendf(out, " | %s | %s | %s | ", s->action->account,
                                  s->action->region[0] ? s->action->region : "global",
                                  cpw_apply_outcome_name(s->outcome));
        rc = rc ? rc : s_cell(out, s->detail);
        rc = rc ? rc : cpw_buf_append_cstr(out, " |\n");
    }
    return rc;
}

int cpw_apply_report_json(const struct cpw_apply_report *r, struct cpw_buf *out)
{
    json_t *steps = json_array();
    for (size_t i = 0; i < r->step_count; i++) {
        const struct cpw_apply_step *s = &r->steps[i];
        json_array_append_new(
          steps, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?}", "id", s->action->id, "kind",
                           cpw_plan_action_kind_name(s->action->kind), "account",
                           s->action->account, "region", s->action->region, "name", s->action->name,
                           "outcome", cpw_apply_outcome_name(s->outcome), "detail",
                           s->detail ? s->detail : "", "data", s->data));
    }
    json_t *doc =
      json_pack("{s:I, s:b, s:s, s:I, s:I, s:o}", "run_id", (json_int_t)r->run_id, "resumed",
                r->resumed, "result",
                r->failed    ? "failed"
                : r->refused ? "refused"
                             : "completed",
                "failed", (json_int_t)r->failed, "refused", (json_int_t)r->refused, "steps", steps);
    if (!doc) {
        return cpw_raise(CPW_ERR_INTERNAL, "cannot build the report document");
    }
    int rc = cpw_json_dump(doc, out);
    rc = rc ? rc : cpw_buf_append_byte(out, '\n');
    json_decref(doc);
    return rc;
}
