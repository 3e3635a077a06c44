/*
 * plan_render.c - a plan for humans: a fixed-width table for terminals and a Markdown report
 * for change records (what will be deleted, in which order, its impact, the checklist state).
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "cpw/plan.h"

/* "1234 profiles, 2 integrations" from the non-zero counts, or "-". */
static int s_impact_text(struct cpw_buf *out, const struct cpw_plan_impact *im)
{
    const struct {
        uint64_t n;
        const char *one;
        const char *many;
    } parts[] = {
        { im->profiles, "profile", "profiles" },
        { im->objects, "object", "objects" },
        { im->integrations, "integration", "integrations" },
        { im->object_types, "object type", "object types" },
        { im->event_streams, "event stream", "event streams" },
        { im->calculated_attributes, "calculated attribute", "calculated attributes" },
    };
    int rc = 0;
    bool any = false;
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (parts[i].n) {
            rc |= cpw_buf_appendf(out, "%s%llu %s", any ? ", " : "", (unsigned long long)parts[i].n,
                                  parts[i].n == 1 ? parts[i].one : parts[i].many);
            any = true;
        }
    }
    /* the other configuration kinds, named after their backup section */
    for (int k = CPW_BACKUP_CALCULATED_ATTRIBUTES + 1; k < CPW_BACKUP_SECTION_COUNT_; k++) {
        uint64_t n = im->configuration[k];
        if (!n) {
            continue;
        }
        char label[64];
        snprintf(label, sizeof(label), "%s", cpw_backup_section_name((enum cpw_backup_section)k));
        size_t len = strlen(label);
        for (size_t c = 0; c < len; c++) {
            label[c] = label[c] == '_' ? ' ' : label[c];
        }
        if (n == 1 && len > 1 && label[len - 1] == 's') {
            label[len - 1] = '\0';
        }
        rc |= cpw_buf_appendf(out, "%s%llu %s", any ? ", " : "", (unsigned long long)n, label);
        any = true;
    }
    if (!any) {
        rc |= cpw_buf_append_cstr(out, "-");
    }
    return rc ? -1 : 0;
}

static int s_depends_text(struct cpw_buf *out, const struct cpw_plan_action *a)
{
    int rc = 0;
    for (size_t d = 0; d < a->depends_on_count; d++) {
        rc |= cpw_buf_appendf(out, "%s%s", d ? "," : "", a->depends_on[d]);
    }
    if (!a->depends_on_count) {
        rc |= cpw_buf_append_cstr(out, "-");
    }
    return rc ? -1 : 0;
}

static int s_header_lines(const struct cpw_plan *plan, struct cpw_buf *out, const char *bullet)
{
    int rc = cpw_buf_appendf(out, "%sCreated: %s\n", bullet, plan->created_at);
    rc |= cpw_buf_appendf(out, "%sCaller: %s (account %s)\n", bullet, plan->caller_arn,
                          plan->caller_account);
    rc |= cpw_buf_appendf(out, "%sAccounts touched:", bullet);
    for (size_t i = 0; i < plan->account_count; i++) {
        rc |= cpw_buf_appendf(out, " %s", plan->accounts[i]);
    }
    rc |= cpw_buf_append_cstr(out, plan->account_count ? "\n" : " none\n");
    rc |= cpw_buf_appendf(out, "%sOptions: force=%s, include-possible=%s\n", bullet,
                          plan->force ? "yes" : "no", plan->include_possible ? "yes" : "no");
    if (plan->organization) {
        rc |= cpw_buf_appendf(out, "%sOrganization: member accounts reached through role %s\n",
                              bullet, plan->role_name);
    }
    rc |= cpw_buf_appendf(out, "%sFingerprint: %s\n", bullet, plan->fingerprint);
    return rc ? -1 : 0;
}

int cpw_plan_render_table(const struct cpw_plan *plan, struct cpw_buf *out)
{
    struct cpw_buf cell;
    cpw_buf_init(&cell, 64u * 1024u);
    int rc = s_header_lines(plan, out, "");
    rc |= cpw_buf_appendf(out, "\n%-4s %-8s %-26s %-12s %-14s %-40s %-12s %s\n", "ID", "STATUS",
                          "KIND", "ACCOUNT", "REGION", "TARGET", "DEPENDS", "IMPACT");
    for (size_t i = 0; i < plan->action_count; i++) {
        const struct cpw_plan_action *a = &plan->actions[i];
        rc |= cpw_buf_appendf(out, "%-4s %-8s %-26s %-12s %-14s %-40s ", a->id,
                              cpw_plan_action_status_name(a->status),
                              cpw_plan_action_kind_name(a->kind), a->account,
                              a->region[0] ? a->region : "(global)", a->name);
        cpw_buf_reset(&cell);
        rc |= s_depends_text(&cell, a);
        rc |= cpw_buf_appendf(out, "%-12s ", cpw_buf_cstr(&cell));
        rc |= s_impact_text(out, &a->impact);
        rc |= cpw_buf_append_byte(out, '\n');
    }
    bool header = false;
    for (size_t i = 0; i < plan->action_count; i++) {
        const struct cpw_plan_action *a = &plan->actions[i];
        if (a->status == CPW_PLAN_ACTION_PLANNED) {
            continue;
        }
        if (!header) {
            rc |= cpw_buf_append_cstr(out, "\nNot executed:\n");
            header = true;
        }
        rc |= cpw_buf_appendf(out, "  %s %s: %s\n", a->id, cpw_plan_action_status_name(a->status),
                              a->reason);
    }
    for (size_t c = 0; c < plan->checklist_count; c++) {
        const struct cpw_plan_checklist *list = &plan->checklists[c];
        rc |= cpw_buf_appendf(out, "\nChecklist for domain %s (account %s, %s):\n", list->domain,
                              list->account, list->region);
        for (size_t k = 0; k < list->item_count; k++) {
            const struct cpw_plan_check *item = &list->items[k];
            rc |=
              cpw_buf_appendf(out, "  [%-7s] %s: %s\n", cpw_plan_check_status_name(item->status),
                              item->label, item->detail);
        }
    }
    cpw_buf_clean_up(&cell);
    return rc ? -1 : 0;
}

/* Markdown table cells: '|' and newlines would break the row. */
static int s_md_cell(struct cpw_buf *out, const char *text)
{
    int rc = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '|') {
            rc |= cpw_buf_append_cstr(out, "\\|");
        } else if (*p == '\n' || *p == '\r') {
            rc |= cpw_buf_append_byte(out, ' ');
        } else {
            rc |= cpw_buf_append_byte(out, (uint8_t)*p);
        }
    }
    return rc ? -1 : 0;
}

int cpw_plan_render_markdown(const struct cpw_plan *plan, struct cpw_buf *out)
{
    struct cpw_buf cell;
    cpw_buf_init(&cell, 64u * 1024u);
    int rc = cpw_buf_append_cstr(out, "# cpwarden plan\n\n");
    rc |= s_header_lines(plan, out, "- ");
    rc |= cpw_buf_append_cstr(out, "\n## Actions, in execution order\n\n"
                                   "| # | Action | Status | Target | Account | Region | "
                                   "Depends on | Impact |\n"
                                   "|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < plan->action_count; i++) {
        const struct cpw_plan_action *a = &plan->actions[i];
        rc |= cpw_buf_appendf(out, "| %s | %s | %s | `", a->id, cpw_plan_action_kind_name(a->kind),
                              cpw_plan_action_status_name(a->status));
        rc |= s_md_cell(out, a->name);
        rc |=
          cpw_buf_appendf(out, "` | %s | %s | ", a->account, a->region[0] ? a->region : "(global)");
        cpw_buf_reset(&cell);
        rc |= s_depends_text(&cell, a);
        rc |= cpw_buf_appendf(out, "%s | ", cpw_buf_cstr(&cell));
        cpw_buf_reset(&cell);
        rc |= s_impact_text(&cell, &a->impact);
        rc |= s_md_cell(out, cpw_buf_cstr(&cell));
        rc |= cpw_buf_append_cstr(out, " |\n");
    }
    bool header = false;
    for (size_t i = 0; i < plan->action_count; i++) {
        const struct cpw_plan_action *a = &plan->actions[i];
        if (a->status == CPW_PLAN_ACTION_PLANNED) {
            continue;
        }
        if (!header) {
            rc |= cpw_buf_append_cstr(out, "\n## Not executed\n\n");
            header = true;
        }
        rc |= cpw_buf_appendf(out, "- **%s** %s (%s): ", a->id, cpw_plan_action_kind_name(a->kind),
                              cpw_plan_action_status_name(a->status));
        rc |= s_md_cell(out, a->reason);
        rc |= cpw_buf_append_byte(out, '\n');
    }
    rc |= cpw_buf_append_cstr(out, "\n## Preconditions as observed\n\n");
    for (size_t i = 0; i < plan->action_count; i++) {
        const struct cpw_plan_action *a = &plan->actions[i];
        for (size_t p = 0; p < a->precondition_count; p++) {
            rc |= cpw_buf_appendf(out, "- %s: ", a->id);
            rc |= s_md_cell(out, a->preconditions[p]);
            rc |= cpw_buf_append_byte(out, '\n');
        }
    }
    for (size_t c = 0; c < plan->checklist_count; c++) {
        const struct cpw_plan_checklist *list = &plan->checklists[c];
        rc |= cpw_buf_appendf(out,
                              "\n## Pre-deletion checklist: domain `%s` (account %s, %s)\n\n"
                              "| Item | State | Detail |\n|---|---|---|\n",
                              list->domain, list->account, list->region);
        for (size_t k = 0; k < list->item_count; k++) {
            const struct cpw_plan_check *item = &list->items[k];
            rc |= cpw_buf_append_cstr(out, "| ");
            rc |= s_md_cell(out, item->label);
            rc |= cpw_buf_appendf(out, " | %s | ", cpw_plan_check_status_name(item->status));
            rc |= s_md_cell(out, item->detail);
            rc |= cpw_buf_append_cstr(out, " |\n");
        }
    }
    cpw_buf_clean_up(&cell);
    return rc ? -1 : 0;
}
