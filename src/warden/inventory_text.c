/*
 * inventory_text.c - the human table format of an inventory (grouped by account, then region,
 * findings first; ANSI colour only when the caller asks), the format dispatcher and the FILE*
 * front. CSV and Markdown live in inventory_report.c, JSON in inventory_json.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "inventory_internal.h"

#define OUTPUT_MAX_BYTES (256u * 1024u * 1024u)

#define ANSI_BOLD   "\033[1m"
#define ANSI_RED    "\033[31m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_CYAN   "\033[36m"
#define ANSI_RESET  "\033[0m"

/* ----- a grid of cells printed with aligned columns --------------------------------------- */

struct grid {
    size_t cols;
    size_t rows;
    char **cells;       /* rows * cols, owned */
    const char **color; /* one colour per row (or NULL), borrowed static strings */
};

static void s_grid_init(struct grid *g, size_t cols)
{
    memset(g, 0, sizeof(*g));
    g->cols = cols;
}

static void s_grid_row(struct grid *g, const char *color, const char *const *cells)
{
    g->cells = cpw_realloc(g->cells, (g->rows + 1) * g->cols * sizeof(*g->cells));
    g->color = cpw_realloc(g->color, (g->rows + 1) * sizeof(*g->color));
    for (size_t c = 0; c < g->cols; c++) {
        g->cells[g->rows * g->cols + c] = cpw_strdup(cells[c] ? cells[c] : "-");
    }
    g->color[g->rows] = color;
    g->rows++;
}

static void s_grid_clean_up(struct grid *g)
{
    for (size_t i = 0; i < g->rows * g->cols; i++) {
        cpw_free(g->cells[i]);
    }
    cpw_free(g->cells);
    cpw_free(g->color);
}

static int s_grid_write(struct grid *g, bool color, struct cpw_buf *out)
{
    size_t width[16] = { 0 };
    for (size_t i = 0; i < g->rows * g->cols; i++) {
        size_t len = strlen(g->cells[i]);
        if (len > width[i % g->cols]) {
            width[i % g->cols] = len;
        }
    }
    int rc = 0;
    for (size_t r = 0; r < g->rows && rc == 0; r++) {
        const char *on = color ? (r == 0 ? ANSI_BOLD : g->color[r]) : NULL;
        rc |= cpw_buf_append_cstr(out, "    ");
        if (on) {
            rc |= cpw_buf_append_cstr(out, on);
        }
        for (size_t c = 0; c < g->cols && rc == 0; c++) {
            const char *cell = g->cells[r * g->cols + c];
            if (c + 1 == g->cols) {
                rc |= cpw_buf_append_cstr(out, cell);
            } else {
                rc |= cpw_buf_appendf(out, "%-*s  ", (int)width[c], cell);
            }
        }
        if (on) {
            rc |= cpw_buf_append_cstr(out, ANSI_RESET);
        }
        rc |= cpw_buf_append_byte(out, '\n');
    }
    return rc ? -1 : 0;
}

/* ----- grouping ------------------------------------------------------------------------------ */

static void s_push_unique(char ***v, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++) {
        if (cpw_inventory_streq((*v)[i], s)) {
            return;
        }
    }
    cpw_inventory_strv_push(v, n, s);
}

static int s_cmp(const void *a, const void *b)
{
    return cpw_inventory_strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *s_severity_color(enum cpw_inv_severity s)
{
    return s == CPW_INV_SEVERITY_ERROR ? ANSI_RED
                                       : (s == CPW_INV_SEVERITY_WARNING ? ANSI_YELLOW : ANSI_CYAN);
}

static int s_heading(struct cpw_buf *out, bool color, const char *text)
{
    return cpw_buf_appendf(out, "%s%s%s\n", color ? ANSI_BOLD : "", text, color ? ANSI_RESET : "");
}

/* Everything of one account in one region (region NULL: the global IAM scope). */
static int s_write_group(const struct cpw_inventory *inv,
                         const char *account,
                         const char *region,
                         bool color,
                         struct cpw_buf *out)
{
    int rc = 0;
    bool any = false;
    for (size_t i = 0; i < inv->finding_count && rc == 0; i++) {
        const struct cpw_inv_finding *f = inv->findings[i];
        if (!cpw_inventory_streq(f->account, account) || !cpw_inventory_streq(f->region, region)) {
            continue;
        }
        if (!any) {
            rc |= s_heading(out, color, "  findings");
            any = true;
        }
        const char *sev = cpw_inv_severity_name(f->severity);
        rc |= cpw_buf_appendf(
          out, "    %s%-7s%s %-8s %s %s\n", color ? s_severity_color(f->severity) : "", sev,
          color ? ANSI_RESET : "", cpw_inv_confidence_name(f->confidence),
          cpw_inv_finding_kind_name(f->kind), f->resource_arn ? f->resource_arn : "-");
        for (size_t e = 0; e < f->evidence_count; e++) {
            rc |= cpw_buf_appendf(out, "      - %s\n", f->evidence[e]);
        }
        if (f->action) {
            rc |= cpw_buf_appendf(out, "      > %s\n", f->action);
        }
    }

    struct grid g;
    s_grid_init(&g, 5);
    const char *head[] = { "INSTANCE", "ALIAS", "STATUS", "SERVICE ROLE", "DOMAIN" };
    s_grid_row(&g, NULL, head);
    for (size_t i = 0; i < inv->instance_count; i++) {
        const struct cpw_inv_instance *x = inv->instances[i];
        if (region && cpw_inventory_streq(x->account, account) &&
            cpw_inventory_streq(x->region, region)) {
            const char *row[] = { x->id, x->alias, x->status, x->service_role_arn, x->domain_arn };
            s_grid_row(&g, NULL, row);
        }
    }
    if (g.rows > 1) {
        rc |= s_heading(out, color, "  instances");
        rc |= s_grid_write(&g, color, out);
        any = true;
    }
    s_grid_clean_up(&g);

    s_grid_init(&g, 5);
    const char *dhead[] = { "DOMAIN", "PROFILES", "INSTANCES", "ROLE", "LINK" };
    s_grid_row(&g, NULL, dhead);
    for (size_t i = 0; i < inv->domain_count; i++) {
        const struct cpw_inv_domain *d = inv->domains[i];
        if (region && cpw_inventory_streq(d->account, account) &&
            cpw_inventory_streq(d->region, region)) {
            char profiles[32] = "?";
            char instances[32];
            if (d->profile_count >= 0) {
                snprintf(profiles, sizeof(profiles), "%lld", (long long)d->profile_count);
            }
            snprintf(instances, sizeof(instances), "%zu", d->instance_arn_count);
            const char *row[] = { d->name, profiles, instances, d->role_arn,
                                  cpw_inv_confidence_name(d->role_confidence) };
            s_grid_row(&g, NULL, row);
        }
    }
    if (g.rows > 1) {
        rc |= s_heading(out, color, "  domains");
        rc |= s_grid_write(&g, color, out);
        any = true;
    }
    s_grid_clean_up(&g);

    s_grid_init(&g, 5);
    const char *rhead[] = { "ROLE", "SERVICE", "CREATED", "LAST USED", "LINKED TO" };
    s_grid_row(&g, NULL, rhead);
    for (size_t i = 0; i < inv->role_count; i++) {
        const struct cpw_inv_role *r = inv->roles[i];
        if (!region && cpw_inventory_streq(r->account, account)) {
            char created[32];
            char used[32];
            cpw_inventory_format_time(r->created_at_s, created);
            cpw_inventory_format_time(r->last_used_at_s, used);
            const char *row[] = { r->name, cpw_inv_role_service_name(r->service), created,
                                  r->last_used_at_s ? used : "never", r->linked_arn };
            s_grid_row(&g, NULL, row);
        }
    }
    if (g.rows > 1) {
        rc |= s_heading(out, color, "  roles");
        rc |= s_grid_write(&g, color, out);
        any = true;
    }
    s_grid_clean_up(&g);

    s_grid_init(&g, 4);
    const char *ehead[] = { "SERVICE", "OPERATION", "CODE", "MESSAGE" };
    s_grid_row(&g, NULL, ehead);
    for (size_t i = 0; i < inv->error_count; i++) {
        const struct cpw_inv_error *e = inv->errors[i];
        if (cpw_inventory_streq(e->account, account) && cpw_inventory_streq(e->region, region)) {
            const char *row[] = { e->service, e->operation, e->code, e->message };
            s_grid_row(&g, color ? ANSI_RED : NULL, row);
        }
    }
    if (g.rows > 1) {
        rc |= s_heading(out, color, "  scan errors");
        rc |= s_grid_write(&g, color, out);
        any = true;
    }
    s_grid_clean_up(&g);
    (void)any;
    return rc ? -1 : 0;
}

/* One line per service of an account: which regions where it is offered were not read (the
 * scope gaps that keep role findings possible), and which opt-in regions are not enabled. */
static int s_write_scope(const struct cpw_inventory *inv,
                         const char *account,
                         bool color,
                         struct cpw_buf *out)
{
    static const char *const services[] = { "connect", "customer-profiles" };
    int rc = 0;
    for (size_t i = 0; i < 2 && rc == 0; i++) {
        struct cpw_inv_scope scope;
        cpw_inv_scope_of(inv, account, NULL, services[i], &scope);
        if (!scope.account_scanned) {
            cpw_inv_scope_clean_up(&scope);
            continue;
        }
        rc |= cpw_buf_appendf(out, "  scope %-18s ", scope.title);
        if (scope.complete) {
            rc |= cpw_buf_appendf(out, "every region read (%zu)", scope.offered_count);
        } else {
            rc |=
              cpw_buf_appendf(out, "%snot read in %zu of %zu regions:%s", color ? ANSI_YELLOW : "",
                              scope.missing_count, scope.offered_count, color ? ANSI_RESET : "");
            for (size_t m = 0; m < scope.missing_count && rc == 0; m++) {
                rc |= cpw_buf_appendf(out, " %s", scope.missing[m]);
            }
        }
        if (scope.not_enabled_count > 0) {
            rc |= cpw_buf_appendf(out, "; not enabled:");
            for (size_t m = 0; m < scope.not_enabled_count && rc == 0; m++) {
                rc |= cpw_buf_appendf(out, " %s", scope.not_enabled[m]);
            }
        }
        rc |= cpw_buf_append_byte(out, '\n');
        cpw_inv_scope_clean_up(&scope);
    }
    return rc ? -1 : 0;
}

int cpw_inventory_write_table(const struct cpw_inventory *inv, bool color, struct cpw_buf *out)
{
    char **accounts = NULL;
    size_t account_count = 0;
    char **regions = NULL;
    size_t region_count = 0;
    for (size_t i = 0; i < inv->account_count; i++) {
        s_push_unique(&accounts, &account_count, inv->accounts[i]);
    }
    for (size_t i = 0; i < inv->region_count; i++) {
        s_push_unique(&regions, &region_count, inv->regions[i]);
    }
    for (size_t i = 0; i < inv->instance_count; i++) {
        s_push_unique(&accounts, &account_count, inv->instances[i]->account);
        s_push_unique(&regions, &region_count, inv->instances[i]->region);
    }
    for (size_t i = 0; i < inv->domain_count; i++) {
        s_push_unique(&accounts, &account_count, inv->domains[i]->account);
        s_push_unique(&regions, &region_count, inv->domains[i]->region);
    }
    for (size_t i = 0; i < inv->role_count; i++) {
        s_push_unique(&accounts, &account_count, inv->roles[i]->account);
    }
    for (size_t i = 0; i < inv->error_count; i++) {
        s_push_unique(&accounts, &account_count, inv->errors[i]->account);
        if (inv->errors[i]->region) {
            s_push_unique(&regions, &region_count, inv->errors[i]->region);
        }
    }
    for (size_t i = 0; i < inv->finding_count; i++) {
        s_push_unique(&accounts, &account_count, inv->findings[i]->account);
        if (inv->findings[i]->region) {
            s_push_unique(&regions, &region_count, inv->findings[i]->region);
        }
    }
    if (account_count > 1) {
        qsort(accounts, account_count, sizeof(*accounts), s_cmp);
    }
    if (region_count > 1) {
        qsort(regions, region_count, sizeof(*regions), s_cmp);
    }

    char scanned[32];
    cpw_inventory_format_time(inv->scanned_at_s, scanned);
    int rc =
      cpw_buf_appendf(out,
                      "cpwarden inventory, scanned %s: %zu account(s), %zu region(s)\n"
                      "%zu instance(s), %zu domain(s), %zu role(s), %zu finding(s), "
                      "%zu scan error(s)\n",
                      scanned, inv->account_count, inv->region_count, inv->instance_count,
                      inv->domain_count, inv->role_count, inv->finding_count, inv->error_count);
    for (size_t a = 0; a < account_count && rc == 0; a++) {
        rc |= cpw_buf_appendf(out, "\n%saccount %s%s\n", color ? ANSI_BOLD : "", accounts[a],
                              color ? ANSI_RESET : "");
        rc |= s_write_scope(inv, accounts[a], color, out);
        for (size_t r = 0; r <= region_count && rc == 0; r++) {
            const char *region = r < region_count ? regions[r] : NULL;
            struct cpw_buf group;
            cpw_buf_init(&group, OUTPUT_MAX_BYTES);
            rc |= s_write_group(inv, accounts[a], region, color, &group);
            if (rc == 0 && group.len > 0) {
                rc |= cpw_buf_appendf(out, "%s%s%s\n", color ? ANSI_BOLD : "",
                                      region ? region : "global (IAM)", color ? ANSI_RESET : "");
                rc |= cpw_buf_append(out, cpw_buf_span(&group));
            }
            cpw_buf_clean_up(&group);
        }
    }
    cpw_inventory_strv_free(&accounts, &account_count);
    cpw_inventory_strv_free(&regions, &region_count);
    return rc ? -1 : 0;
}

/* ----- dispatch ------------------------------------------------------------------------------- */

int cpw_inventory_write(const struct cpw_inventory *inv,
                        enum cpw_inv_format format,
                        const struct cpw_inventory_write_options *opts,
                        struct cpw_buf *out)
{
    bool color = opts && opts->color;
    switch (format) {
    case CPW_INV_FORMAT_TABLE:
        return cpw_inventory_write_table(inv, color, out);
    case CPW_INV_FORMAT_JSON:
        return cpw_inventory_write_json(inv, out);
    case CPW_INV_FORMAT_CSV:
        return cpw_inventory_write_csv(inv, out);
    case CPW_INV_FORMAT_MARKDOWN:
        return cpw_inventory_write_markdown(inv, out);
    }
    return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "unknown inventory output format %d", (int)format);
}

int cpw_inventory_write_file(const struct cpw_inventory *inv,
                             enum cpw_inv_format format,
                             const struct cpw_inventory_write_options *opts,
                             FILE *stream)
{
    if (format == CPW_INV_FORMAT_JSON) {
        int rc = cpw_inventory_write_json_file(inv, stream);
        if (rc == 0 && fflush(stream) != 0) {
            rc = cpw_raise(CPW_ERR_IO, "could not write the inventory");
        }
        return rc;
    }
    struct cpw_buf out;
    cpw_buf_init(&out, OUTPUT_MAX_BYTES);
    int rc = cpw_inventory_write(inv, format, opts, &out);
    if (rc == 0 && out.len > 0 && fwrite(out.data, 1, out.len, stream) != out.len) {
        rc = cpw_raise(CPW_ERR_IO, "could not write the inventory");
    }
    if (rc == 0 && fflush(stream) != 0) {
        rc = cpw_raise(CPW_ERR_IO, "could not write the inventory");
    }
    cpw_buf_clean_up(&out);
    return rc;
}
