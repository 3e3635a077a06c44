/*
 * console_api.c - the console's read-only answers: the session, the overview, the graph (JSON
 * and Graphviz DOT), the findings, a domain, the saved plans, history, snapshots and their diff,
 * the latest audit. Each reads what the command line reads (the latest inventory snapshot, the
 * journal, the store) and shapes it as docs/console.md says.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console_internal.h"
#include "cpw/alloc.h"
#include "cpw/apply_file.h"
#include "cpw/audit.h"
#include "cpw/document.h"
#include "cpw/error.h"
#include "cpw/inventory_diff.h"
#include "cpw/journal.h"
#include "cpw/json.h"
#include "cpw/plan.h"
#include "cpw/time.h"

#define MAX_PLANS 1000

static json_t *s_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

static void s_iso(int64_t epoch_s, char out[CPW_TIME_ISO8601_LEN + 1])
{
    if (epoch_s <= 0 || cpw_time_format_iso8601(epoch_s, out)) {
        out[0] = '\0';
    }
}

void console_api_session(struct console_req *r)
{
    struct cpw_console *c = r->console;
    json_t *regions = json_array();
    for (size_t i = 0; i < c->opts.region_count; i++) {
        cpw_json_append_take(regions, json_string(c->opts.regions[i]));
    }
    json_t *doc = json_pack("{s:s, s:s, s:{s:o, s:o}, s:o, s:o, s:b}", "csrf_token", c->csrf,
                            "version", CPW_VERSION, "identity", "account", s_str(c->opts.account),
                            "arn", s_str(c->opts.caller_arn), "endpoint", s_str(c->opts.endpoint),
                            "regions", regions, "org", c->opts.org);
    console_reply(r, doc, "session");
}

/* The inventory under the console's lock, or an answer 404 NoScan (then NULL, unlocked). */
static const struct cpw_inventory *s_inventory(struct console_req *r)
{
    pthread_mutex_lock(&r->console->lock);
    if (!r->console->inv) {
        pthread_mutex_unlock(&r->console->lock);
        console_error(r, 404, "NoScan", "no scan yet: POST /api/scan (or run cpwarden inventory)");
        return NULL;
    }
    return r->console->inv;
}

static void s_release(struct console_req *r)
{
    pthread_mutex_unlock(&r->console->lock);
}

/* Leftover kinds: what a graph node is highlighted for. */
static bool s_leftover_kind(enum cpw_inv_finding_kind kind)
{
    return kind == CPW_INV_FINDING_ORPHANED_CONNECT_ROLE ||
           kind == CPW_INV_FINDING_ORPHANED_PROFILE_ROLE ||
           kind == CPW_INV_FINDING_LEGACY_PROFILE_ROLE ||
           kind == CPW_INV_FINDING_DOMAIN_WITHOUT_INSTANCE ||
           kind == CPW_INV_FINDING_UNATTACHED_DOMAIN;
}

/* What cpw_plan_targets_from_inventory would plan for this finding (without --include-possible
 * for domains; a possible role is planned and skipped, so it still counts). */
static bool s_plannable(const struct cpw_inv_finding *f)
{
    switch (f->kind) {
    case CPW_INV_FINDING_DOMAIN_WITHOUT_INSTANCE:
        return f->confidence >= CPW_INV_CONFIDENCE_LIKELY;
    case CPW_INV_FINDING_ORPHANED_CONNECT_ROLE:
    case CPW_INV_FINDING_ORPHANED_PROFILE_ROLE:
        return true;
    default:
        return false;
    }
}

json_t *console_finding_json(const struct cpw_inv_finding *f)
{
    char id[CPW_INV_FINDING_ID_LEN + 1];
    if (cpw_inventory_finding_id(f, id)) {
        id[0] = '\0';
    }
    json_t *evidence = json_array();
    for (size_t i = 0; i < f->evidence_count; i++) {
        cpw_json_append_take(evidence, json_string(f->evidence[i]));
    }
    return json_pack("{s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:b}", "id", id, "kind",
                     cpw_inv_finding_kind_name(f->kind), "confidence",
                     s_str(cpw_inv_confidence_name(f->confidence)), "severity",
                     cpw_inv_severity_name(f->severity), "account", f->account, "region",
                     s_str(f->region), "resource", s_str(f->resource_arn), "evidence", evidence,
                     "action", s_str(f->action), "plannable", s_plannable(f));
}

/* ----- overview ----------------------------------------------------------------------------- */

static bool s_same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

void console_api_overview(struct console_req *r)
{
    const struct cpw_inventory *inv = s_inventory(r);
    if (!inv) {
        return;
    }
    char when[CPW_TIME_ISO8601_LEN + 1];
    s_iso(cpw_inventory_scanned_at(inv), when);
    json_t *accounts = json_array();
    for (size_t a = 0; a < cpw_inventory_account_count(inv); a++) {
        const char *account = cpw_inventory_account(inv, a);
        json_t *regions = json_array();
        /* Each scanned region, then "global": IAM roles and the findings about them. */
        for (size_t g = 0; g <= cpw_inventory_region_count(inv); g++) {
            const char *region =
              g < cpw_inventory_region_count(inv) ? cpw_inventory_region(inv, g) : NULL;
            json_int_t instances = 0;
            json_int_t domains = 0;
            json_int_t roles = 0;
            json_int_t findings = 0;
            for (size_t i = 0; region && i < cpw_inventory_instance_count(inv); i++) {
                const struct cpw_inv_instance *x = cpw_inventory_instance(inv, i);
                instances += strcmp(x->account, account) == 0 && s_same(x->region, region);
            }
            for (size_t i = 0; region && i < cpw_inventory_domain_count(inv); i++) {
                const struct cpw_inv_domain *x = cpw_inventory_domain(inv, i);
                domains += strcmp(x->account, account) == 0 && s_same(x->region, region);
            }
            for (size_t i = 0; !region && i < cpw_inventory_role_count(inv); i++) {
                roles += strcmp(cpw_inventory_role(inv, i)->account, account) == 0;
            }
            for (size_t i = 0; i < cpw_inventory_finding_count(inv); i++) {
                const struct cpw_inv_finding *f = cpw_inventory_finding(inv, i);
                findings += strcmp(f->account, account) == 0 && s_same(f->region, region);
            }
            cpw_json_append_take(regions, json_pack("{s:s, s:I, s:I, s:I, s:I}", "region",
                                                    region ? region : "global", "instances",
                                                    instances, "domains", domains, "roles", roles,
                                                    "findings", findings));
        }
        cpw_json_append_take(accounts,
                             json_pack("{s:s, s:o}", "account", account, "regions", regions));
    }
    json_t *doc = json_pack("{s:I, s:s, s:o, s:I}", "snapshot_id",
                            (json_int_t)r->console->snapshot_id, "scanned_at", when, "accounts",
                            accounts, "scan_errors", (json_int_t)cpw_inventory_error_count(inv));
    s_release(r);
    console_reply(r, doc, "overview");
}

/* ----- graph -------------------------------------------------------------------------------- */

/* The strongest leftover finding about arn (findings are sorted by kind), or NULL. */
static const struct cpw_inv_finding *s_leftover(const struct cpw_inventory *inv, const char *arn)
{
    for (size_t i = 0; arn && i < cpw_inventory_finding_count(inv); i++) {
        const struct cpw_inv_finding *f = cpw_inventory_finding(inv, i);
        if (s_leftover_kind(f->kind) && f->resource_arn && strcmp(f->resource_arn, arn) == 0) {
            return f;
        }
    }
    return NULL;
}

static void s_node(json_t *nodes,
                   const struct cpw_inventory *inv,
                   const char *id,
                   const char *kind,
                   const char *account,
                   const char *region,
                   const char *label)
{
    const struct cpw_inv_finding *f = s_leftover(inv, id);
    char fid[CPW_INV_FINDING_ID_LEN + 1] = "";
    if (f && cpw_inventory_finding_id(f, fid)) {
        fid[0] = '\0';
    }
    json_t *all = json_array();
    for (size_t i = 0; i < cpw_inventory_finding_count(inv); i++) {
        const struct cpw_inv_finding *x = cpw_inventory_finding(inv, i);
        char xid[CPW_INV_FINDING_ID_LEN + 1];
        if (x->resource_arn && strcmp(x->resource_arn, id) == 0 &&
            cpw_inventory_finding_id(x, xid) == 0) {
            cpw_json_append_take(all, json_string(xid));
        }
    }
    cpw_json_append_take(
      nodes, json_pack(
               "{s:s, s:s, s:s, s:o, s:s, s:b, s:o, s:o, s:o, s:o}", "id", id, "kind", kind,
               "account", account, "region", s_str(region), "label", label ? label : id, "leftover",
               f != NULL, "finding_id", f ? json_string(fid) : json_null(), "finding_kind",
               f ? json_string(cpw_inv_finding_kind_name(f->kind)) : json_null(), "confidence",
               f ? s_str(cpw_inv_confidence_name(f->confidence)) : json_null(), "findings", all));
}

static json_t *s_graph(const struct cpw_inventory *inv)
{
    json_t *nodes = json_array();
    json_t *edges = json_array();
    for (size_t i = 0; i < cpw_inventory_instance_count(inv); i++) {
        const struct cpw_inv_instance *x = cpw_inventory_instance(inv, i);
        if (x->arn) {
            s_node(nodes, inv, x->arn, "instance", x->account, x->region,
                   x->alias ? x->alias : x->id);
        }
    }
    for (size_t i = 0; i < cpw_inventory_domain_count(inv); i++) {
        const struct cpw_inv_domain *d = cpw_inventory_domain(inv, i);
        if (!d->arn) {
            continue;
        }
        s_node(nodes, inv, d->arn, "domain", d->account, d->region, d->name);
        for (size_t k = 0; k < d->instance_arn_count; k++) {
            cpw_json_append_take(edges, json_pack("{s:s, s:s, s:s}", "from", d->instance_arns[k],
                                                  "to", d->arn, "relation", "integration"));
        }
        if (d->role_arn) {
            cpw_json_append_take(
              edges, json_pack("{s:s, s:s, s:s, s:o}", "from", d->arn, "to", d->role_arn,
                               "relation", "service-linked-role", "confidence",
                               s_str(cpw_inv_confidence_name(d->role_confidence))));
        }
    }
    for (size_t i = 0; i < cpw_inventory_role_count(inv); i++) {
        const struct cpw_inv_role *x = cpw_inventory_role(inv, i);
        if (!x->arn) {
            continue;
        }
        s_node(nodes, inv, x->arn, "role", x->account, NULL, x->name);
        /* A Connect role serves its instance; a domain's role edge is drawn from the domain. */
        if (x->linked_arn && x->service == CPW_INV_ROLE_CONNECT &&
            cpw_inventory_find_instance(inv, x->linked_arn)) {
            cpw_json_append_take(edges, json_pack("{s:s, s:s, s:s}", "from", x->linked_arn, "to",
                                                  x->arn, "relation", "service-linked-role"));
        }
    }
    return json_pack("{s:o, s:o}", "nodes", nodes, "edges", edges);
}

/* A DOT string literal's body: quotes and backslashes escaped, controls dropped. */
static int s_dot_text(struct cpw_buf *out, const char *s)
{
    int rc = cpw_buf_append_byte(out, '"');
    for (; rc == 0 && s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            rc = cpw_buf_append_byte(out, '\\');
        }
        rc = rc ? rc : ch < 0x20 ? 0 : cpw_buf_append_byte(out, ch);
    }
    return rc ? rc : cpw_buf_append_byte(out, '"');
}

static int s_dot(const json_t *graph, struct cpw_buf *out)
{
    int rc =
      cpw_buf_append_cstr(out, "digraph cpwarden {\n  rankdir=LR;\n"
                               "  node [shape=box, style=rounded, fontname=\"sans-serif\"];\n");
    size_t i;
    json_t *n;
    json_array_foreach(cpw_json_get(graph, "nodes"), i, n)
    {
        const char *kind = cpw_json_get_string(n, "kind");
        bool leftover = json_is_true(cpw_json_get(n, "leftover"));
        char label[1024];
        snprintf(label, sizeof(label), "%s\n%s %s %s", cpw_json_get_string(n, "label"),
                 kind ? kind : "", cpw_json_get_string(n, "account"),
                 cpw_json_get_string(n, "region") ? cpw_json_get_string(n, "region") : "");
        rc = rc ? rc : cpw_buf_append_cstr(out, "  ");
        rc = rc ? rc : s_dot_text(out, cpw_json_get_string(n, "id"));
        rc = rc ? rc : cpw_buf_append_cstr(out, " [label=");
        /* a real line break in the label: escape it as \n */
        for (char *p = label; *p; p++) {
            *p = *p == '\n' ? '\x1f' : *p;
        }
        struct cpw_buf esc;
        cpw_buf_init(&esc, 4096);
        rc = rc ? rc : s_dot_text(&esc, label);
        for (size_t k = 0; rc == 0 && k < esc.len; k++) {
            rc = esc.data[k] == '\x1f' ? cpw_buf_append_cstr(out, "\\n")
                                       : cpw_buf_append_byte(out, esc.data[k]);
        }
        cpw_buf_clean_up(&esc);
        const char *shape = kind && strcmp(kind, "instance") == 0 ? "box"
                            : kind && strcmp(kind, "domain") == 0 ? "ellipse"
                                                                  : "hexagon";
        rc = rc ? rc : cpw_buf_appendf(out, ", shape=%s", shape);
        if (leftover) {
            rc = rc ? rc
                    : cpw_buf_appendf(out,
                                      ", class=\"leftover\", color=\"#b00020\", penwidth=2, "
                                      "style=\"filled,dashed\", fillcolor=\"#fde2e4\", "
                                      "tooltip=\"%s %s\"",
                                      cpw_json_get_string(n, "finding_kind"),
                                      cpw_json_get_string(n, "confidence")
                                        ? cpw_json_get_string(n, "confidence")
                                        : "");
        }
        rc = rc ? rc : cpw_buf_append_cstr(out, "];\n");
    }
    json_t *e;
    json_array_foreach(cpw_json_get(graph, "edges"), i, e)
    {
        rc = rc ? rc : cpw_buf_append_cstr(out, "  ");
        rc = rc ? rc : s_dot_text(out, cpw_json_get_string(e, "from"));
        rc = rc ? rc : cpw_buf_append_cstr(out, " -> ");
        rc = rc ? rc : s_dot_text(out, cpw_json_get_string(e, "to"));
        rc = rc ? rc : cpw_buf_append_cstr(out, " [label=");
        rc = rc ? rc : s_dot_text(out, cpw_json_get_string(e, "relation"));
        rc = rc ? rc : cpw_buf_append_cstr(out, "];\n");
    }
    return rc ? rc : cpw_buf_append_cstr(out, "}\n");
}

void console_api_graph(struct console_req *r, bool dot)
{
    const struct cpw_inventory *inv = s_inventory(r);
    if (!inv) {
        return;
    }
    json_t *graph = s_graph(inv);
    s_release(r);
    if (!dot) {
        console_reply(r, graph, "graph");
        return;
    }
    struct cpw_buf text;
    cpw_buf_init(&text, 64u * 1024u * 1024u);
    if (s_dot(graph, &text)) {
        console_error(r, 500, "InternalError", "cannot write the graph");
    } else {
        console_bytes(r, 200, "text/vnd.graphviz; charset=utf-8", cpw_buf_span(&text), "graph.dot");
    }
    cpw_buf_clean_up(&text);
    cpw_json_release(graph);
}

/* ----- findings ----------------------------------------------------------------------------- */

void console_api_findings(struct console_req *r, const char *id)
{
    const struct cpw_inventory *inv = s_inventory(r);
    if (!inv) {
        return;
    }
    json_t *list = json_array();
    json_t *one = NULL;
    for (size_t i = 0; i < cpw_inventory_finding_count(inv); i++) {
        json_t *f = console_finding_json(cpw_inventory_finding(inv, i));
        if (id && !one && s_same(cpw_json_get_string(f, "id"), id)) {
            one = json_incref(f);
        }
        cpw_json_append_take(list, f);
    }
    s_release(r);
    if (!id) {
        console_reply(r, json_pack("{s:o}", "findings", list), "findings");
        return;
    }
    cpw_json_release(list);
    if (!one) {
        console_error(r, 404, "NotFound", "no finding %.16s in the latest scan", id);
        return;
    }
    console_reply(r, one, "finding");
}

/* ----- a domain ----------------------------------------------------------------------------- */

/* The backups taken of the domain (the store's index). */
static json_t *s_backups(struct cpw_store *store,
                         const char *account,
                         const char *region,
                         const char *name)
{
    json_t *list = json_array();
    struct cpw_store_backup *b = NULL;
    size_t n = 0;
    if (cpw_store_backup_list(store, account, region, name, &b, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            char when[CPW_TIME_ISO8601_LEN + 1];
            s_iso(b[i].created_at_s, when);
            cpw_json_append_take(list, json_pack("{s:I, s:s, s:s, s:s, s:I, s:I}", "id",
                                                 (json_int_t)b[i].id, "created_at", when, "path",
                                                 b[i].path, "sha256", b[i].sha256, "profiles",
                                                 (json_int_t)b[i].counts.profiles, "records",
                                                 (json_int_t)b[i].records));
        }
    }
    cpw_store_backup_list_free(b, n);
    cpw_error_clear();
    return list;
}

/* `cpwarden document`'s Markdown for the domain, read live; NULL when AWS is busy or failed
 * (*why says so). */
static json_t *s_documentation(struct cpw_console *c,
                               const char *account,
                               const char *region,
                               const char *name,
                               json_t **why)
{
    pthread_mutex_lock(&c->lock);
    bool mine = c->opts.client && !c->busy && !c->stopping;
    c->busy = c->busy || mine;
    pthread_mutex_unlock(&c->lock);
    if (!mine) {
        *why =
          json_string(c->opts.client ? "busy: a scan, plan or apply is running" : "no AWS client");
        return json_null();
    }
    json_t *docs = json_array();
    struct cpw_document_options dopts = { .account = account, .store = c->store };
    struct cpw_buf md;
    cpw_buf_init(&md, 16u * 1024u * 1024u);
    json_t *out = NULL;
    bool same_account = c->opts.account && strcmp(c->opts.account, account) == 0;
    if (!same_account) {
        *why = json_string("documentation is read in the caller's account only");
    } else if (cpw_document_region(c->opts.client, region, name, &dopts, docs) ||
               cpw_document_markdown(docs, &md)) {
        *why = json_string(cpw_last_error_detail());
        cpw_error_clear();
    } else {
        out = json_string(cpw_buf_cstr(&md));
    }
    cpw_buf_clean_up(&md);
    cpw_json_release(docs);
    pthread_mutex_lock(&c->lock);
    c->busy = false;
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
    return out ? out : json_null();
}

void console_api_domain(struct console_req *r)
{
    struct cpw_buf account;
    struct cpw_buf region;
    struct cpw_buf name;
    cpw_buf_init(&account, 64);
    cpw_buf_init(&region, 64);
    cpw_buf_init(&name, 256);
    if (!console_query(r, "account", &account) || !console_query(r, "region", &region) ||
        !console_query(r, "name", &name)) {
        console_error(r, 400, "MissingParameter", "account, region and name are required");
        goto done;
    }
    const struct cpw_inventory *inv = s_inventory(r);
    if (!inv) {
        goto done;
    }
    const struct cpw_inv_domain *d = NULL;
    for (size_t i = 0; !d && i < cpw_inventory_domain_count(inv); i++) {
        const struct cpw_inv_domain *x = cpw_inventory_domain(inv, i);
        d = strcmp(x->account, cpw_buf_cstr(&account)) == 0 &&
                s_same(x->region, cpw_buf_cstr(&region)) && s_same(x->name, cpw_buf_cstr(&name))
              ? x
              : NULL;
    }
    if (!d) {
        s_release(r);
        console_error(r, 404, "NotFound", "no such domain in the latest scan");
        goto done;
    }
    json_t *integrations = json_array();
    for (size_t i = 0; i < d->integration_count; i++) {
        cpw_json_append_take(
          integrations, json_pack("{s:o, s:o}", "uri", s_str(d->integrations[i].uri),
                                  "object_type_name", s_str(d->integrations[i].object_type_name)));
    }
    json_t *instances = json_array();
    for (size_t i = 0; i < d->instance_arn_count; i++) {
        cpw_json_append_take(instances, json_string(d->instance_arns[i]));
    }
    json_t *findings = json_array();
    for (size_t i = 0; i < cpw_inventory_finding_count(inv); i++) {
        const struct cpw_inv_finding *f = cpw_inventory_finding(inv, i);
        if (f->resource_arn && d->arn && strcmp(f->resource_arn, d->arn) == 0) {
            cpw_json_append_take(findings, console_finding_json(f));
        }
    }
    char created[CPW_TIME_ISO8601_LEN + 1];
    char updated[CPW_TIME_ISO8601_LEN + 1];
    s_iso(d->created_at_s, created);
    s_iso(d->updated_at_s, updated);
    json_t *domain = json_pack(
      "{s:s, s:s, s:o, s:o, s:s, s:s, s:I, s:I, s:o, s:o, s:b, s:o, s:o, s:o}", "account",
      d->account, "region", d->region, "name", s_str(d->name), "arn", s_str(d->arn), "created_at",
      created, "updated_at", updated, "profile_count", (json_int_t)d->profile_count, "object_count",
      (json_int_t)d->object_count, "default_encryption_key", s_str(d->default_encryption_key),
      "dead_letter_queue_url", s_str(d->dead_letter_queue_url), "matching_enabled",
      d->matching_enabled, "role_arn", s_str(d->role_arn), "role_confidence",
      s_str(cpw_inv_confidence_name(d->role_confidence)), "instances", instances);
    s_release(r);
    json_t *why = NULL;
    json_t *documentation = s_documentation(r->console, cpw_buf_cstr(&account),
                                            cpw_buf_cstr(&region), cpw_buf_cstr(&name), &why);
    json_t *doc =
      json_pack("{s:o, s:{s:I}, s:o, s:o, s:o, s:o, s:o}", "domain", domain, "profiles", "count",
                (json_int_t)json_integer_value(cpw_json_get(domain, "profile_count")),
                "integrations", integrations, "findings", findings, "documentation", documentation,
                "documentation_error", why ? why : json_null(), "backups",
                s_backups(r->console->store, cpw_buf_cstr(&account), cpw_buf_cstr(&region),
                          cpw_buf_cstr(&name)));
    console_reply(r, doc, "domain");
done:
    cpw_buf_clean_up(&account);
    cpw_buf_clean_up(&region);
    cpw_buf_clean_up(&name);
}

/* ----- plans -------------------------------------------------------------------------------- */

bool console_plan_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n < 6 || n > 200 || name[0] == '.' || strcmp(name + n - 5, ".json") != 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
        if (!ok) {
            return false;
        }
    }
    return true;
}

/* Reads plans/NAME into text (a regular file, no link). 0, or -1 with the answer made. */
static int s_read_plan(struct console_req *r, const char *name, struct cpw_buf *text)
{
    if (!console_plan_name_ok(name)) {
        console_error(r, 400, "InvalidPlanName", "a plan name is NAME.json");
        return -1;
    }
    struct cpw_buf path;
    cpw_buf_init(&path, 8192);
    (void)cpw_buf_appendf(&path, "%s/%s", cpw_buf_cstr(&r->console->plans_dir), name);
    int rc = cpw_buf_read_regular_file(text, cpw_buf_cstr(&path));
    cpw_buf_clean_up(&path);
    if (rc) {
        cpw_error_clear();
        console_error(r, 404, "NotFound", "no plan %s", name);
    }
    return rc;
}

void console_api_plans(struct console_req *r)
{
    json_t *list = json_array();
    DIR *dir = opendir(cpw_buf_cstr(&r->console->plans_dir));
    struct dirent *e;
    for (size_t guard = 0; dir && guard < MAX_PLANS && (e = readdir(dir)) != NULL; guard++) {
        if (!console_plan_name_ok(e->d_name)) {
            continue;
        }
        struct cpw_buf path;
        struct cpw_buf text;
        cpw_buf_init(&path, 8192);
        cpw_buf_init(&text, CPW_PLAN_MAX_BYTES);
        (void)cpw_buf_appendf(&path, "%s/%s", cpw_buf_cstr(&r->console->plans_dir), e->d_name);
        json_t *doc = NULL;
        if (cpw_buf_read_regular_file(&text, cpw_buf_cstr(&path)) == 0 &&
            cpw_json_load(cpw_buf_span(&text), CPW_PLAN_MAX_BYTES, &doc) == 0) {
            json_t *actions = cpw_json_get(doc, "actions");
            cpw_json_append_take(list,
                                 json_pack("{s:s, s:o, s:I, s:o}", "name", e->d_name, "created",
                                           s_str(cpw_json_get_string(doc, "created_at")), "actions",
                                           (json_int_t)json_array_size(actions), "checksum",
                                           s_str(cpw_json_get_string(doc, "checksum"))));
        }
        cpw_error_clear();
        cpw_json_release(doc);
        cpw_buf_clean_up(&path);
        cpw_buf_clean_up(&text);
    }
    if (dir) {
        closedir(dir);
    }
    console_reply(r, json_pack("{s:o}", "plans", list), "plans");
}

void console_api_plan_file(struct console_req *r, const char *name)
{
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_PLAN_MAX_BYTES);
    if (s_read_plan(r, name, &text) == 0) {
        console_bytes(r, 200, "application/json", cpw_buf_span(&text), name);
    }
    cpw_buf_clean_up(&text);
}

void console_api_plan_confirmation(struct console_req *r, const char *name)
{
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_PLAN_MAX_BYTES);
    if (s_read_plan(r, name, &text)) {
        cpw_buf_clean_up(&text);
        return;
    }
    struct cpw_plan_load_options lo = { .current_account =
                                          r->console->opts.account ? r->console->opts.account : "",
                                        .allow_other_accounts = true };
    struct cpw_plan *plan = cpw_plan_load(cpw_buf_span(&text), &lo);
    cpw_buf_clean_up(&text);
    if (!plan) {
        console_error(r, 400, "InvalidPlan", "%s", cpw_last_error_detail());
        cpw_error_clear();
        return;
    }
    struct cpw_buf prompt;
    cpw_buf_init(&prompt, 16u * 1024u * 1024u);
    (void)cpw_apply_confirmation_prompt(plan, &prompt);
    json_t *accounts = json_array();
    for (size_t i = 0; i < plan->account_count; i++) {
        cpw_json_append_take(accounts, json_string(plan->accounts[i]));
    }
    json_t *doc =
      json_pack("{s:s, s:s, s:o, s:b}", "prompt", cpw_buf_cstr(&prompt), "expected_hint",
                plan->organization ? "the account ids the plan acts in (or their count and digest)"
                                   : "the account id(s) the plan acts in, separated by spaces",
                "accounts", accounts, "organization", plan->organization);
    cpw_buf_clean_up(&prompt);
    cpw_plan_destroy(plan);
    console_reply(r, doc, "confirmation");
}

/* ----- history, snapshots, audit ------------------------------------------------------------ */

void console_api_history(struct console_req *r)
{
    struct cpw_journal_filter filter = { 0 };
    struct cpw_journal_entry *e = NULL;
    size_t n = 0;
    if (cpw_journal_list(r->console->store, &filter, &e, &n)) {
        console_error(r, 500, "StoreError", "%s", cpw_last_error_detail());
        cpw_error_clear();
        return;
    }
    /* The shape of `cpwarden history --output json`. */
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        cpw_json_append_take(
          list, json_pack("{s:s, s:I, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:s}", "when", e[i].at,
                          "run", (json_int_t)e[i].run_id, "who", e[i].caller_arn, "plan",
                          "checksum", e[i].plan_checksum, "path", e[i].plan_path, "step",
                          e[i].action_id, "what", e[i].kind, "target", e[i].target, "result",
                          e[i].outcome, "detail", e[i].detail));
    }
    cpw_journal_entries_free(e, n);
    console_reply(r, json_pack("{s:o}", "changes", list), "history");
}

void console_api_snapshots(struct console_req *r)
{
    struct cpw_store_snapshot_info *s = NULL;
    size_t n = 0;
    if (cpw_store_snapshot_list(r->console->store, 0, &s, &n)) {
        console_error(r, 500, "StoreError", "%s", cpw_last_error_detail());
        cpw_error_clear();
        return;
    }
    /* The shape of `cpwarden snapshots --output json`. */
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        char scanned[CPW_TIME_ISO8601_LEN + 1];
        char saved[CPW_TIME_ISO8601_LEN + 1];
        s_iso(s[i].scanned_at_s, scanned);
        s_iso(s[i].saved_at_s, saved);
        cpw_json_append_take(list, json_pack("{s:I, s:s, s:s, s:i, s:s, s:s}", "id",
                                             (json_int_t)s[i].id, "scanned_at", scanned, "saved_at",
                                             saved, "format_version", s[i].schema, "scope",
                                             s[i].scope, "identity", s[i].identity));
    }
    cpw_store_snapshot_list_free(s, n);
    console_reply(r, json_pack("{s:o}", "snapshots", list), "snapshots");
}

static bool s_id(struct console_req *r, const char *name, int64_t *out)
{
    struct cpw_buf v;
    cpw_buf_init(&v, 32);
    uint64_t n = 0;
    bool ok =
      console_query(r, name, &v) && cpw_span_to_u64(cpw_buf_span(&v), INT64_MAX, &n) == 0 && n > 0;
    cpw_buf_clean_up(&v);
    *out = (int64_t)n;
    return ok;
}

void console_api_snapshots_diff(struct console_req *r)
{
    int64_t from = 0;
    int64_t to = 0;
    if (!s_id(r, "from", &from) || !s_id(r, "to", &to)) {
        console_error(r, 400, "MissingParameter", "from and to take snapshot ids");
        return;
    }
    struct cpw_inventory *a = cpw_inventory_snapshot_load(r->console->store, from);
    struct cpw_inventory *b = a ? cpw_inventory_snapshot_load(r->console->store, to) : NULL;
    if (!a || !b) {
        console_error(r, 404, "NotFound", "%s", cpw_last_error_detail());
        cpw_error_clear();
        cpw_inventory_destroy(a);
        return;
    }
    struct cpw_inventory_diff *diff = cpw_inventory_diff_new(a, b);
    struct cpw_buf text;
    cpw_buf_init(&text, 256u * 1024u * 1024u);
    json_t *doc = NULL;
    if (cpw_inventory_diff_write(diff, CPW_INV_FORMAT_JSON, NULL, &text) ||
        cpw_json_load(cpw_buf_span(&text), text.max, &doc)) {
        console_error(r, 500, "InternalError", "%s", cpw_last_error_detail());
        cpw_error_clear();
    } else {
        console_reply(r, doc, "snapshots-diff");
    }
    cpw_buf_clean_up(&text);
    cpw_inventory_diff_destroy(diff);
    cpw_inventory_destroy(a);
    cpw_inventory_destroy(b);
}

void console_api_audit(struct console_req *r)
{
    struct cpw_buf text;
    cpw_buf_init(&text, 64u * 1024u * 1024u);
    json_t *doc = NULL;
    if (cpw_store_audit_latest(r->console->store, NULL, &text)) {
        bool none = cpw_last_error() == CPW_ERR_NOT_FOUND;
        console_error(r, none ? 404 : 500, none ? "NoAudit" : "StoreError", "%s",
                      none ? "no audit yet: run cpwarden audit" : cpw_last_error_detail());
        cpw_error_clear();
    } else if (cpw_json_load(cpw_buf_span(&text), text.max, &doc)) {
        console_error(r, 500, "InternalError", "%s", cpw_last_error_detail());
        cpw_error_clear();
    } else {
        console_reply(r, doc, "audit");
    }
    cpw_buf_clean_up(&text);
}

/* "accounts=A,B regions=R1,R2", the scope `cpwarden audit` stores a report under. */
static void s_audit_scope(const struct cpw_inventory *inv, struct cpw_buf *out)
{
    (void)cpw_buf_append_cstr(out, "accounts=");
    for (size_t i = 0; i < cpw_inventory_account_count(inv); i++) {
        (void)cpw_buf_appendf(out, "%s%s", i ? "," : "", cpw_inventory_account(inv, i));
    }
    (void)cpw_buf_append_cstr(out, " regions=");
    for (size_t i = 0; i < cpw_inventory_region_count(inv); i++) {
        (void)cpw_buf_appendf(out, "%s%s", i ? "," : "", cpw_inventory_region(inv, i));
    }
}

void console_api_audit_run(struct console_req *r)
{
    /* As `cpwarden audit --from-inventory snapshot`: the default rules over the latest scan and
     * the documentation records, stored like every audit. */
    struct cpw_audit_facts facts;
    memset(&facts, 0, sizeof(facts));
    struct cpw_audit_rules *rules = cpw_audit_rules_default();
    if (!rules) {
        console_error(r, 500, "InternalError", "%s", cpw_last_error_detail());
        cpw_error_clear();
        return;
    }
    if (cpw_audit_read_documents(r->console->store, &facts)) {
        cpw_error_clear(); /* the documentation rule is then not evaluated, and says so */
    }
    const struct cpw_inventory *inv = s_inventory(r);
    if (!inv) {
        cpw_audit_facts_clean_up(&facts);
        cpw_audit_rules_destroy(rules);
        return;
    }
    facts.trails_reason = "the audit ran over a stored inventory (--from-inventory): trails "
                          "are read by a fresh scan only";
    json_t *report = cpw_audit_evaluate(rules, inv, &facts, cpw_time_now_s());
    struct cpw_buf scope;
    cpw_buf_init(&scope, 64u * 1024u);
    s_audit_scope(inv, &scope);
    s_release(r);
    if (!report) {
        console_error(r, 500, "InternalError", "%s", cpw_last_error_detail());
        cpw_error_clear();
    } else {
        if (cpw_audit_save(r->console->store, report, cpw_buf_cstr(&scope), NULL)) {
            cpw_error_clear(); /* shown, not stored */
        }
        console_reply(r, report, "audit");
    }
    cpw_buf_clean_up(&scope);
    cpw_audit_facts_clean_up(&facts);
    cpw_audit_rules_destroy(rules);
}
