/*
 * inventory_report.c - the CSV (one row per finding, RFC 4180) and Markdown (a report with
 * tables) formats of an inventory, and the field escapers the diff formats share.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "inventory_internal.h"

/* ----- escapers ------------------------------------------------------------------------------ */

int cpw_inventory_csv_field(struct cpw_buf *out, const char *s)
{
    if (!s) {
        return 0; /* an empty field */
    }
    /* RFC 4180 2.6-2.7: fields with comma, quote, CR or LF are quoted; quotes are doubled. */
    if (!strpbrk(s, ",\"\r\n")) {
        return cpw_buf_append_cstr(out, s);
    }
    int rc = cpw_buf_append_byte(out, '"');
    for (const char *p = s; *p && rc == 0; p++) {
        rc = *p == '"' ? cpw_buf_append_cstr(out, "\"\"") : cpw_buf_append_byte(out, (uint8_t)*p);
    }
    return rc ? -1 : cpw_buf_append_byte(out, '"');
}

int cpw_inventory_md_cell(struct cpw_buf *out, const char *s)
{
    if (!s || !*s) {
        return cpw_buf_append_byte(out, '-');
    }
    int rc = 0;
    for (const char *p = s; *p && rc == 0; p++) {
        if (*p == '|') {
            rc = cpw_buf_append_cstr(out, "\\|");
        } else if (*p == '\n' || *p == '\r') {
            rc = cpw_buf_append_cstr(out, "<br>");
        } else {
            rc = cpw_buf_append_byte(out, (uint8_t)*p);
        }
    }
    return rc;
}

/* ----- CSV ------------------------------------------------------------------------------------ */

int cpw_inventory_write_csv(const struct cpw_inventory *inv, struct cpw_buf *out)
{
    int rc = cpw_buf_append_cstr(
      out, "account,region,kind,severity,confidence,resource_arn,action,evidence\r\n");
    for (size_t i = 0; i < inv->finding_count && rc == 0; i++) {
        const struct cpw_inv_finding *f = inv->findings[i];
        struct cpw_buf evidence;
        cpw_buf_init(&evidence, 16u << 20);
        for (size_t e = 0; e < f->evidence_count; e++) {
            rc |= cpw_buf_appendf(&evidence, "%s%s", e ? "\n" : "", f->evidence[e]);
        }
        const char *fields[] = { f->account,
                                 f->region ? f->region : "global",
                                 cpw_inv_finding_kind_name(f->kind),
                                 cpw_inv_severity_name(f->severity),
                                 cpw_inv_confidence_name(f->confidence),
                                 f->resource_arn,
                                 f->action,
                                 cpw_buf_cstr(&evidence) };
        for (size_t c = 0; c < sizeof(fields) / sizeof(fields[0]) && rc == 0; c++) {
            rc |= c ? cpw_buf_append_byte(out, ',') : 0;
            rc |= cpw_inventory_csv_field(out, fields[c]);
        }
        rc |= cpw_buf_append_cstr(out, "\r\n");
        cpw_buf_clean_up(&evidence);
    }
    return rc ? -1 : 0;
}

/* ----- Markdown ------------------------------------------------------------------------------ */

static int s_md_row(struct cpw_buf *out, const char *const *cells, size_t count)
{
    int rc = cpw_buf_append_byte(out, '|');
    for (size_t c = 0; c < count && rc == 0; c++) {
        rc |= cpw_buf_append_byte(out, ' ');
        rc |= cpw_inventory_md_cell(out, cells[c]);
        rc |= cpw_buf_append_cstr(out, " |");
    }
    return rc ? -1 : cpw_buf_append_byte(out, '\n');
}

static int s_md_head(struct cpw_buf *out, const char *title, const char *const *cells, size_t n)
{
    int rc = cpw_buf_appendf(out, "\n## %s\n\n", title);
    rc |= s_md_row(out, cells, n);
    rc |= cpw_buf_append_byte(out, '|');
    for (size_t c = 0; c < n; c++) {
        rc |= cpw_buf_append_cstr(out, " --- |");
    }
    return rc ? -1 : cpw_buf_append_byte(out, '\n');
}

int cpw_inventory_write_markdown(const struct cpw_inventory *inv, struct cpw_buf *out)
{
    char scanned[32];
    cpw_inventory_format_time(inv->scanned_at_s, scanned);
    int rc =
      cpw_buf_appendf(out, "# cpwarden inventory\n\nScanned at %s.\n\n## Summary\n\n", scanned);
    rc |= cpw_buf_appendf(out,
                          "| Item | Count |\n| --- | --- |\n| Accounts | %zu |\n| Regions | %zu |\n"
                          "| Instances | %zu |\n| Domains | %zu |\n| Roles | %zu |\n"
                          "| Findings | %zu |\n| Scan errors | %zu |\n",
                          inv->account_count, inv->region_count, inv->instance_count,
                          inv->domain_count, inv->role_count, inv->finding_count, inv->error_count);

    /* The scope per account and service: role findings are only as sure as it is whole. */
    const char *shead[] = { "Account", "Service", "Regions offered", "Not read", "Not enabled" };
    rc |= s_md_head(out, "Scope", shead, 5);
    static const char *const services[] = { "connect", "customer-profiles" };
    for (size_t a = 0; a < inv->account_count && rc == 0; a++) {
        for (size_t i = 0; i < 2 && rc == 0; i++) {
            struct cpw_inv_scope scope;
            cpw_inv_scope_of(inv, inv->accounts[a], NULL, services[i], &scope);
            struct cpw_buf missing;
            struct cpw_buf off;
            cpw_buf_init(&missing, 64u << 10);
            cpw_buf_init(&off, 64u << 10);
            for (size_t m = 0; m < scope.missing_count; m++) {
                rc |= cpw_buf_appendf(&missing, "%s%s", m ? ", " : "", scope.missing[m]);
            }
            for (size_t m = 0; m < scope.not_enabled_count; m++) {
                rc |= cpw_buf_appendf(&off, "%s%s", m ? ", " : "", scope.not_enabled[m]);
            }
            char offered[32];
            snprintf(offered, sizeof(offered), "%zu", scope.offered_count);
            const char *row[] = { inv->accounts[a], scope.title, offered,
                                  missing.len ? cpw_buf_cstr(&missing) : "none",
                                  off.len ? cpw_buf_cstr(&off) : "none" };
            rc |= s_md_row(out, row, 5);
            cpw_buf_clean_up(&missing);
            cpw_buf_clean_up(&off);
            cpw_inv_scope_clean_up(&scope);
        }
    }

    const char *fhead[] = { "Severity", "Confidence", "Kind",     "Account",
                            "Region",   "Resource",   "Evidence", "Action" };
    rc |= s_md_head(out, "Findings", fhead, 8);
    for (size_t i = 0; i < inv->finding_count && rc == 0; i++) {
        const struct cpw_inv_finding *f = inv->findings[i];
        struct cpw_buf evidence;
        cpw_buf_init(&evidence, 16u << 20);
        for (size_t e = 0; e < f->evidence_count; e++) {
            rc |= cpw_buf_appendf(&evidence, "%s%s", e ? "\n" : "", f->evidence[e]);
        }
        const char *row[] = { cpw_inv_severity_name(f->severity),
                              cpw_inv_confidence_name(f->confidence),
                              cpw_inv_finding_kind_name(f->kind),
                              f->account,
                              f->region ? f->region : "global",
                              f->resource_arn,
                              cpw_buf_cstr(&evidence),
                              f->action };
        rc |= s_md_row(out, row, 8);
        cpw_buf_clean_up(&evidence);
    }

    const char *ihead[] = { "Account", "Region",       "Instance", "Alias",
                            "Status",  "Service role", "Domain" };
    rc |= s_md_head(out, "Instances", ihead, 7);
    for (size_t i = 0; i < inv->instance_count && rc == 0; i++) {
        const struct cpw_inv_instance *x = inv->instances[i];
        const char *row[] = { x->account, x->region,           x->id,        x->alias,
                              x->status,  x->service_role_arn, x->domain_arn };
        rc |= s_md_row(out, row, 7);
    }

    const char *dhead[] = {
        "Account", "Region", "Domain", "Profiles", "Instances", "Role", "Link"
    };
    rc |= s_md_head(out, "Domains", dhead, 7);
    for (size_t i = 0; i < inv->domain_count && rc == 0; i++) {
        const struct cpw_inv_domain *d = inv->domains[i];
        char profiles[32] = "unknown";
        char instances[32];
        if (d->profile_count >= 0) {
            snprintf(profiles, sizeof(profiles), "%lld", (long long)d->profile_count);
        }
        snprintf(instances, sizeof(instances), "%zu", d->instance_arn_count);
        const char *row[] = { d->account,
                              d->region,
                              d->name,
                              profiles,
                              instances,
                              d->role_arn,
                              cpw_inv_confidence_name(d->role_confidence) };
        rc |= s_md_row(out, row, 7);
    }

    const char *rhead[] = { "Account", "Role", "Service", "Created", "Last used", "Linked to" };
    rc |= s_md_head(out, "Roles", rhead, 6);
    for (size_t i = 0; i < inv->role_count && rc == 0; i++) {
        const struct cpw_inv_role *r = inv->roles[i];
        char created[32];
        char used[32];
        cpw_inventory_format_time(r->created_at_s, created);
        cpw_inventory_format_time(r->last_used_at_s, used);
        const char *row[] = { r->account,
                              r->name,
                              cpw_inv_role_service_name(r->service),
                              created,
                              r->last_used_at_s ? used : "never", /* as the table */
                              r->linked_arn };
        rc |= s_md_row(out, row, 6);
    }

    const char *ehead[] = { "Account", "Region", "Service", "Operation", "Code", "Message" };
    rc |= s_md_head(out, "Scan errors", ehead, 6);
    for (size_t i = 0; i < inv->error_count && rc == 0; i++) {
        const struct cpw_inv_error *e = inv->errors[i];
        const char *row[] = { e->account, e->region ? e->region : "global",
                              e->service, e->operation,
                              e->code,    e->message };
        rc |= s_md_row(out, row, 6);
    }
    return rc ? -1 : 0;
}
