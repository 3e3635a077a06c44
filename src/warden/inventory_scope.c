/*
 * inventory_scope.c - what the scan saw, for the rules: the visibility of one region of one
 * account for one service, and the scope of a service in an account (every region where the
 * endpoint model says the service is offered in the account's partition: read without error, not
 * enabled for the account, or missing). A finding that rests on "nothing there uses it" is only as
 * strong as that scope (docs/inventory-schema.md, "Scope").
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/regions.h"
#include "inventory_internal.h"

/* How many names an evidence statement lists before "(+N more)". */
#define SCOPE_NAMES_SHOWN 3
/* How many scan errors / unknown states an evidence list details. */
#define SCOPE_DETAILS_SHOWN 3

bool cpw_inventory_has(char *const *v, size_t count, const char *s)
{
    for (size_t i = 0; s && i < count; i++) {
        if (strcmp(v[i], s) == 0) {
            return true;
        }
    }
    return false;
}

/* account is among the scanned accounts (a binary search when the list is sorted). */
static bool s_scanned_account(const struct cpw_inventory *inv, const char *account)
{
    if (!inv->sorted) {
        return cpw_inventory_has(inv->accounts, inv->account_count, account);
    }
    size_t a = 0;
    size_t b = inv->account_count;
    while (account && a < b) {
        size_t m = a + (b - a) / 2;
        int c = cpw_inventory_strcmp(inv->accounts[m], account);
        if (c == 0) {
            return true;
        }
        if (c < 0) {
            a = m + 1;
        } else {
            b = m;
        }
    }
    return false;
}

const struct cpw_inv_error *cpw_inventory_error_for(const struct cpw_inventory *inv,
                                                    const char *account,
                                                    const char *region,
                                                    const char *service)
{
    size_t lo = 0;
    size_t hi = 0;
    CPW_INV_RANGE(inv, errors, error_count, struct cpw_inv_error, account, &lo, &hi);
    for (size_t i = lo; i < hi; i++) {
        const struct cpw_inv_error *e = inv->errors[i];
        if (!cpw_inventory_streq(e->account, account) ||
            (e->service && !cpw_inventory_streq(e->service, service))) {
            continue;
        }
        if (!region || !e->region || strcmp(region, e->region) == 0) {
            return e;
        }
    }
    return NULL;
}

enum cpw_inv_visibility cpw_inventory_visibility(const struct cpw_inventory *inv,
                                                 const char *account,
                                                 const char *region,
                                                 const char *service,
                                                 const struct cpw_inv_error **error,
                                                 const struct cpw_inv_region_status **status)
{
    const struct cpw_inv_region_status *st =
      region ? cpw_inventory_find_region_status(inv, account, region) : NULL;
    const struct cpw_inv_error *e = NULL;
    enum cpw_inv_visibility v = CPW_INV_VIS_SEEN;
    if (st && st->state == CPW_INV_REGION_NOT_ENABLED) {
        v = CPW_INV_VIS_NOT_ENABLED; /* nothing can live there, whether it was called or not */
    } else if ((e = cpw_inventory_error_for(inv, account, region, service)) != NULL ||
               (st && st->state == CPW_INV_REGION_UNKNOWN)) {
        v = CPW_INV_VIS_FAILED;
    } else if (!s_scanned_account(inv, account) ||
               !cpw_inventory_has(inv->regions, inv->region_count, region)) {
        v = CPW_INV_VIS_UNSCANNED;
    }
    if (error) {
        *error = e;
    }
    if (status) {
        *status = st;
    }
    return v;
}

/* The signing name scan errors use for a service of the endpoint model. */
static const char *s_signing(const char *service)
{
    return strcmp(service, "customer-profiles") == 0 ? "profile" : service;
}

static const char *s_title(const char *signing)
{
    static const char *const names[][2] = { { "connect", "Amazon Connect" },
                                            { "profile", "Customer Profiles" },
                                            { "iam", "IAM" },
                                            { "cloudtrail", "CloudTrail" } };
    for (size_t i = 0; signing && i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(signing, names[i][0]) == 0) {
            return names[i][1];
        }
    }
    return signing ? signing : "the region";
}

/* A static spelling of the known partitions, so the scope can hold it without owning it. */
static const char *s_static_partition(const char *name)
{
    static const char *const known[] = { "aws",       "aws-cn",    "aws-us-gov", "aws-iso",
                                         "aws-iso-b", "aws-iso-e", "aws-iso-f",  "aws-eusc" };
    for (size_t i = 0; name && i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp(known[i], name) == 0) {
            return known[i];
        }
    }
    return NULL;
}

void cpw_inv_scope_of(const struct cpw_inventory *inv,
                      const char *account,
                      const char *partition,
                      const char *service,
                      struct cpw_inv_scope *out)
{
    memset(out, 0, sizeof(*out));
    const char *signing = s_signing(service);
    out->signing = signing;
    out->title = s_title(signing);
    out->partition = s_static_partition(partition);
    for (size_t i = 0; !out->partition && i < inv->region_count; i++) {
        out->partition = s_static_partition(cpw_region_partition_name(inv->regions[i]));
    }
    if (!out->partition) {
        out->partition = "aws";
    }
    out->account_scanned = s_scanned_account(inv, account);
    struct cpw_region_list offered;
    memset(&offered, 0, sizeof(offered));
    out->regions_known =
      cpw_regions_for_service(service, out->partition, &offered) == 0 && offered.count > 0;
    out->offered_count = offered.count;
    for (size_t i = 0; i < offered.count; i++) {
        const char *region = offered.names[i];
        switch (cpw_inventory_visibility(inv, account, region, signing, NULL, NULL)) {
        case CPW_INV_VIS_NOT_ENABLED:
            cpw_inventory_strv_push(&out->not_enabled, &out->not_enabled_count, region);
            break;
        case CPW_INV_VIS_SEEN:
            break;
        default:
            cpw_inventory_strv_push(&out->missing, &out->missing_count, region);
            break;
        }
    }
    cpw_region_list_clean_up(&offered);
    out->complete = out->account_scanned && out->regions_known && out->missing_count == 0;
}

void cpw_inv_scope_clean_up(struct cpw_inv_scope *scope)
{
    if (!scope) {
        return;
    }
    cpw_inventory_strv_free(&scope->missing, &scope->missing_count);
    cpw_inventory_strv_free(&scope->not_enabled, &scope->not_enabled_count);
}

/* "a, b, c (+N more)" */
static void s_names(struct cpw_buf *out, char *const *names, size_t count)
{
    for (size_t i = 0; i < count && i < SCOPE_NAMES_SHOWN; i++) {
        (void)cpw_buf_appendf(out, "%s%s", i ? ", " : "", names[i]);
    }
    if (count > SCOPE_NAMES_SHOWN) {
        (void)cpw_buf_appendf(out, " (+%zu more)", count - SCOPE_NAMES_SHOWN);
    }
}

void cpw_inventory_evidence_error(struct cpw_inv_finding *f,
                                  const struct cpw_inv_error *e,
                                  const char *consequence)
{
    cpw_inventory_evidence(f,
                           "%s could not be read in account %s, region %s (%s failed: %s: %s); %s",
                           s_title(e->service), e->account, e->region ? e->region : "global",
                           e->operation ? e->operation : "?", e->code ? e->code : "error",
                           e->message ? e->message : "", consequence);
}

void cpw_inv_scope_evidence(const struct cpw_inventory *inv,
                            struct cpw_inv_finding *f,
                            const char *account,
                            const struct cpw_inv_scope *scope,
                            const char *consequence)
{
    struct cpw_buf text;
    cpw_buf_init(&text, 4096);
    if (!scope->account_scanned) {
        cpw_inventory_evidence(f, "account %s is not among the scanned accounts; %s", account,
                               consequence);
    } else if (!scope->regions_known) {
        cpw_inventory_evidence(f, "the regions where %s is offered in partition %s are unknown; %s",
                               scope->title, scope->partition, consequence);
    } else if (scope->complete) {
        (void)cpw_buf_appendf(&text,
                              "%s was read without error for account %s in every region where it "
                              "is offered (%zu in partition %s)",
                              scope->title, account, scope->offered_count, scope->partition);
    } else {
        (void)cpw_buf_appendf(&text,
                              "%s was not read for account %s in %zu of the %zu regions "
                              "where it is offered (partition %s): not read: ",
                              scope->title, account, scope->missing_count, scope->offered_count,
                              scope->partition);
        s_names(&text, scope->missing, scope->missing_count);
        (void)cpw_buf_appendf(&text, "; %s", consequence);
    }
    if (scope->not_enabled_count > 0 && scope->account_scanned) {
        (void)cpw_buf_appendf(&text, "%sopt-in regions not enabled for the account hold nothing: ",
                              text.len ? "; " : "");
        s_names(&text, scope->not_enabled, scope->not_enabled_count);
    }
    if (text.len) {
        cpw_inventory_evidence(f, "%s", cpw_buf_cstr(&text));
    }
    cpw_buf_clean_up(&text);
    size_t shown = 0;
    for (size_t i = 0; i < scope->missing_count && shown < SCOPE_DETAILS_SHOWN; i++) {
        const struct cpw_inv_error *e = NULL;
        const struct cpw_inv_region_status *st = NULL;
        (void)cpw_inventory_visibility(inv, account, scope->missing[i], scope->signing, &e, &st);
        if (e) {
            cpw_inventory_evidence_error(f, e, "it was not seen there");
            shown++;
        } else if (st && st->state == CPW_INV_REGION_UNKNOWN) {
            cpw_inventory_evidence(f, "whether region %s is enabled for account %s is unknown (%s)",
                                   scope->missing[i], account,
                                   st->evidence ? st->evidence : "no detail");
            shown++;
        }
    }
}

void cpw_inventory_action(struct cpw_inv_finding *f, const char *fmt, ...)
{
    struct cpw_buf text;
    cpw_buf_init(&text, 64 * 1024);
    va_list ap;
    va_start(ap, fmt);
    (void)cpw_buf_vappendf(&text, fmt, ap);
    va_end(ap);
    cpw_free(f->action);
    f->action = cpw_strdup(cpw_buf_cstr(&text)); /* no spare capacity */
    cpw_buf_clean_up(&text);
}

bool cpw_inventory_arn_partition(const char *arn, char *out, size_t n)
{
    if (!arn || strncmp(arn, "arn:", 4) != 0) {
        return false;
    }
    const char *start = arn + 4;
    const char *colon = strchr(start, ':');
    size_t len = colon ? (size_t)(colon - start) : 0;
    if (len == 0 || len >= n) {
        return false;
    }
    memcpy(out, start, len);
    out[len] = '\0';
    return true;
}
