/*
 * inventory_diff.c - comparing two inventories (snapshots): resources, links, counts, findings
 * and scan errors that appeared, disappeared or changed. The output formats of a diff are in
 * inventory_diff_format.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/inventory_diff.h"
#include "inventory_diff_internal.h"
#include "inventory_internal.h"

static struct cpw_inv_change *s_push(struct cpw_inventory_diff *diff,
                                     enum cpw_inv_change_kind change,
                                     const char *type,
                                     const char *arn,
                                     const char *account,
                                     const char *region)
{
    diff->changes = cpw_realloc(diff->changes, (diff->count + 1) * sizeof(*diff->changes));
    struct cpw_inv_change *c = cpw_calloc(1, sizeof(*c));
    diff->changes[diff->count++] = c;
    c->change = change;
    c->type = type;
    c->arn = cpw_strdup(arn);
    c->account = cpw_strdup(account);
    c->region = cpw_strdup(region);
    return c;
}

static void s_field(struct cpw_inventory_diff *diff,
                    const char *type,
                    const char *arn,
                    const char *account,
                    const char *region,
                    const char *kind,
                    const char *field,
                    const char *before,
                    const char *after)
{
    if (cpw_inventory_streq(before, after)) {
        return;
    }
    struct cpw_inv_change *c = s_push(diff, CPW_INV_CHANGE_CHANGED, type, arn, account, region);
    c->kind = cpw_strdup(kind);
    c->field = cpw_strdup(field);
    c->before = cpw_strdup(before);
    c->after = cpw_strdup(after);
}

static void s_presence(struct cpw_inventory_diff *diff,
                       bool appeared,
                       const char *type,
                       const char *arn,
                       const char *account,
                       const char *region,
                       const char *kind,
                       const char *description)
{
    struct cpw_inv_change *c =
      s_push(diff, appeared ? CPW_INV_CHANGE_APPEARED : CPW_INV_CHANGE_DISAPPEARED, type, arn,
             account, region);
    c->kind = cpw_strdup(kind);
    if (appeared) {
        c->after = cpw_strdup(description);
    } else {
        c->before = cpw_strdup(description);
    }
}

/* ----- per type ------------------------------------------------------------------------------ */

static void s_instances(struct cpw_inventory_diff *diff,
                        const struct cpw_inventory *from,
                        const struct cpw_inventory *to)
{
    for (size_t i = 0; i < to->instance_count; i++) {
        const struct cpw_inv_instance *b = to->instances[i];
        const struct cpw_inv_instance *a = cpw_inventory_find_instance(from, b->arn);
        if (!a) {
            s_presence(diff, true, "instance", b->arn, b->account, b->region, NULL, b->status);
            continue;
        }
        s_field(diff, "instance", b->arn, b->account, b->region, NULL, "status", a->status,
                b->status);
        s_field(diff, "instance", b->arn, b->account, b->region, NULL, "service_role_arn",
                a->service_role_arn, b->service_role_arn);
        s_field(diff, "instance", b->arn, b->account, b->region, NULL, "domain", a->domain_arn,
                b->domain_arn);
    }
    for (size_t i = 0; i < from->instance_count; i++) {
        const struct cpw_inv_instance *a = from->instances[i];
        if (!cpw_inventory_find_instance(to, a->arn)) {
            s_presence(diff, false, "instance", a->arn, a->account, a->region, NULL, a->status);
        }
    }
}

static char *s_join(char *const *v, size_t count)
{
    struct cpw_buf out;
    cpw_buf_init(&out, 16u << 20);
    for (size_t i = 0; i < count; i++) {
        (void)cpw_buf_appendf(&out, "%s%s", i ? "," : "", v[i] ? v[i] : "");
    }
    char *joined = cpw_buf_detach(&out);
    cpw_buf_clean_up(&out);
    return joined;
}

static void s_count(char out[32], int64_t n)
{
    if (n < 0) {
        out[0] = '\0';
    } else {
        snprintf(out, 32, "%lld", (long long)n);
    }
}

static void s_domains(struct cpw_inventory_diff *diff,
                      const struct cpw_inventory *from,
                      const struct cpw_inventory *to)
{
    for (size_t i = 0; i < to->domain_count; i++) {
        const struct cpw_inv_domain *b = to->domains[i];
        const struct cpw_inv_domain *a = cpw_inventory_find_domain(from, b->arn);
        if (!a) {
            s_presence(diff, true, "domain", b->arn, b->account, b->region, NULL, b->name);
            continue;
        }
        char ca[32];
        char cb[32];
        s_count(ca, a->profile_count);
        s_count(cb, b->profile_count);
        s_field(diff, "domain", b->arn, b->account, b->region, NULL, "profile_count",
                ca[0] ? ca : NULL, cb[0] ? cb : NULL);
        s_field(diff, "domain", b->arn, b->account, b->region, NULL, "role_arn", a->role_arn,
                b->role_arn);
        s_field(diff, "domain", b->arn, b->account, b->region, NULL, "role_confidence",
                cpw_inv_confidence_name(a->role_confidence),
                cpw_inv_confidence_name(b->role_confidence));
        char *ja = s_join(a->instance_arns, a->instance_arn_count);
        char *jb = s_join(b->instance_arns, b->instance_arn_count);
        s_field(diff, "domain", b->arn, b->account, b->region, NULL, "instance_arns", ja, jb);
        cpw_free(ja);
        cpw_free(jb);
    }
    for (size_t i = 0; i < from->domain_count; i++) {
        const struct cpw_inv_domain *a = from->domains[i];
        if (!cpw_inventory_find_domain(to, a->arn)) {
            s_presence(diff, false, "domain", a->arn, a->account, a->region, NULL, a->name);
        }
    }
}

static void s_roles(struct cpw_inventory_diff *diff,
                    const struct cpw_inventory *from,
                    const struct cpw_inventory *to)
{
    for (size_t i = 0; i < to->role_count; i++) {
        const struct cpw_inv_role *b = to->roles[i];
        const struct cpw_inv_role *a = cpw_inventory_find_role(from, b->arn);
        if (!a) {
            s_presence(diff, true, "role", b->arn, b->account, NULL, NULL, b->name);
            continue;
        }
        s_field(diff, "role", b->arn, b->account, NULL, NULL, "linked_arn", a->linked_arn,
                b->linked_arn);
    }
    for (size_t i = 0; i < from->role_count; i++) {
        const struct cpw_inv_role *a = from->roles[i];
        if (!cpw_inventory_find_role(to, a->arn)) {
            s_presence(diff, false, "role", a->arn, a->account, NULL, NULL, a->name);
        }
    }
}

static void s_findings(struct cpw_inventory_diff *diff,
                       const struct cpw_inventory *from,
                       const struct cpw_inventory *to)
{
    for (size_t i = 0; i < to->finding_count; i++) {
        const struct cpw_inv_finding *b = to->findings[i];
        const char *kind = cpw_inv_finding_kind_name(b->kind);
        const struct cpw_inv_finding *a =
          cpw_inventory_find_finding(from, b->kind, b->resource_arn);
        if (!a) {
            s_presence(diff, true, "finding", b->resource_arn, b->account, b->region, kind,
                       cpw_inv_confidence_name(b->confidence));
            continue;
        }
        s_field(diff, "finding", b->resource_arn, b->account, b->region, kind, "severity",
                cpw_inv_severity_name(a->severity), cpw_inv_severity_name(b->severity));
        s_field(diff, "finding", b->resource_arn, b->account, b->region, kind, "confidence",
                cpw_inv_confidence_name(a->confidence), cpw_inv_confidence_name(b->confidence));
    }
    for (size_t i = 0; i < from->finding_count; i++) {
        const struct cpw_inv_finding *a = from->findings[i];
        if (!cpw_inventory_find_finding(to, a->kind, a->resource_arn)) {
            s_presence(diff, false, "finding", a->resource_arn, a->account, a->region,
                       cpw_inv_finding_kind_name(a->kind), cpw_inv_confidence_name(a->confidence));
        }
    }
}

static bool s_same_error(const struct cpw_inv_error *a, const struct cpw_inv_error *b)
{
    return cpw_inventory_streq(a->account, b->account) &&
           cpw_inventory_streq(a->region, b->region) &&
           cpw_inventory_streq(a->service, b->service) &&
           cpw_inventory_streq(a->operation, b->operation) && cpw_inventory_streq(a->code, b->code);
}

static void s_errors_one_way(struct cpw_inventory_diff *diff,
                             const struct cpw_inventory *here,
                             const struct cpw_inventory *there,
                             bool appeared)
{
    for (size_t i = 0; i < here->error_count; i++) {
        const struct cpw_inv_error *e = here->errors[i];
        bool found = false;
        for (size_t j = 0; j < there->error_count && !found; j++) {
            found = s_same_error(e, there->errors[j]);
        }
        if (found) {
            continue;
        }
        char kind[512];
        snprintf(kind, sizeof(kind), "%s %s %s", e->service ? e->service : "-",
                 e->operation ? e->operation : "-", e->code ? e->code : "-");
        s_presence(diff, appeared, "error", NULL, e->account, e->region, kind, e->message);
    }
}

/* ----- the diff ---------------------------------------------------------------------------- */

static int s_type_rank(const char *type)
{
    static const char *const order[] = { "instance", "domain", "role", "finding", "error" };
    for (int i = 0; i < 5; i++) {
        if (strcmp(type, order[i]) == 0) {
            return i;
        }
    }
    return 5;
}

static int s_cmp_change(const void *pa, const void *pb)
{
    const struct cpw_inv_change *a = *(const struct cpw_inv_change *const *)pa;
    const struct cpw_inv_change *b = *(const struct cpw_inv_change *const *)pb;
    int c = cpw_inventory_strcmp(a->account, b->account);
    c = c ? c : cpw_inventory_strcmp(a->region, b->region);
    c = c ? c : s_type_rank(a->type) - s_type_rank(b->type);
    c = c ? c : cpw_inventory_strcmp(a->arn, b->arn);
    c = c ? c : cpw_inventory_strcmp(a->kind, b->kind);
    c = c ? c : cpw_inventory_strcmp(a->field, b->field);
    return c ? c : (int)a->change - (int)b->change;
}

struct cpw_inventory_diff *cpw_inventory_diff_new(const struct cpw_inventory *from,
                                                  const struct cpw_inventory *to)
{
    struct cpw_inventory_diff *diff = cpw_calloc(1, sizeof(*diff));
    diff->from_scanned_at_s = from->scanned_at_s;
    diff->to_scanned_at_s = to->scanned_at_s;
    s_instances(diff, from, to);
    s_domains(diff, from, to);
    s_roles(diff, from, to);
    s_findings(diff, from, to);
    s_errors_one_way(diff, to, from, true);
    s_errors_one_way(diff, from, to, false);
    if (diff->count > 1) {
        qsort(diff->changes, diff->count, sizeof(*diff->changes), s_cmp_change);
    }
    return diff;
}

void cpw_inventory_diff_destroy(struct cpw_inventory_diff *diff)
{
    if (!diff) {
        return;
    }
    for (size_t i = 0; i < diff->count; i++) {
        struct cpw_inv_change *c = diff->changes[i];
        cpw_free(c->arn);
        cpw_free(c->account);
        cpw_free(c->region);
        cpw_free(c->kind);
        cpw_free(c->field);
        cpw_free(c->before);
        cpw_free(c->after);
        cpw_free(c);
    }
    cpw_free(diff->changes);
    cpw_free(diff);
}

size_t cpw_inventory_diff_count(const struct cpw_inventory_diff *diff)
{
    return diff->count;
}

const struct cpw_inv_change *cpw_inventory_diff_change(const struct cpw_inventory_diff *diff,
                                                       size_t i)
{
    return i < diff->count ? diff->changes[i] : NULL;
}

const char *cpw_inv_change_kind_name(enum cpw_inv_change_kind kind)
{
    switch (kind) {
    case CPW_INV_CHANGE_APPEARED:
        return "appeared";
    case CPW_INV_CHANGE_DISAPPEARED:
        return "disappeared";
    case CPW_INV_CHANGE_CHANGED:
        return "changed";
    }
    return "unknown";
}
