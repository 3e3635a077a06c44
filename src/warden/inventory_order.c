/*
 * inventory_order.c - the inventory's order and its lookup aids: the sort every output and rule
 * relies on (account, region, then identity), each account's range in the sorted lists, and the
 * ARN indexes that return the same element a full scan in list order would.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "inventory_internal.h"

/* Forgets the lookup aids: the lists are no longer known to be in order. */
void cpw_inventory_unsorted(struct cpw_inventory *inv)
{
    inv->sorted = false;
    cpw_free(inv->instance_by_arn);
    cpw_free(inv->role_by_arn);
    inv->instance_by_arn = NULL;
    inv->role_by_arn = NULL;
    inv->instance_by_arn_count = 0;
    inv->role_by_arn_count = 0;
}

/* ----- sorting ------------------------------------------------------------------------------- */

static int s_cmp_str(const void *a, const void *b)
{
    return cpw_inventory_strcmp(*(char *const *)a, *(char *const *)b);
}

static int s_cmp_instance(const void *a, const void *b)
{
    const struct cpw_inv_instance *x = *(const struct cpw_inv_instance *const *)a;
    const struct cpw_inv_instance *y = *(const struct cpw_inv_instance *const *)b;
    int c = cpw_inventory_strcmp(x->account, y->account);
    c = c ? c : cpw_inventory_strcmp(x->region, y->region);
    c = c ? c : cpw_inventory_strcmp(x->arn, y->arn);
    return c ? c : cpw_inventory_strcmp(x->id, y->id);
}

static int s_cmp_domain(const void *a, const void *b)
{
    const struct cpw_inv_domain *x = *(const struct cpw_inv_domain *const *)a;
    const struct cpw_inv_domain *y = *(const struct cpw_inv_domain *const *)b;
    int c = cpw_inventory_strcmp(x->account, y->account);
    c = c ? c : cpw_inventory_strcmp(x->region, y->region);
    return c ? c : cpw_inventory_strcmp(x->name, y->name);
}

static int s_cmp_role(const void *a, const void *b)
{
    const struct cpw_inv_role *x = *(const struct cpw_inv_role *const *)a;
    const struct cpw_inv_role *y = *(const struct cpw_inv_role *const *)b;
    int c = cpw_inventory_strcmp(x->account, y->account);
    c = c ? c : cpw_inventory_strcmp(x->path, y->path);
    return c ? c : cpw_inventory_strcmp(x->name, y->name);
}

static int s_cmp_event(const void *a, const void *b)
{
    const struct cpw_inv_event *x = *(const struct cpw_inv_event *const *)a;
    const struct cpw_inv_event *y = *(const struct cpw_inv_event *const *)b;
    int c = cpw_inventory_strcmp(x->account, y->account);
    if (c) {
        return c;
    }
    if (x->event_time_s != y->event_time_s) {
        return x->event_time_s < y->event_time_s ? -1 : 1;
    }
    return cpw_inventory_strcmp(x->event_name, y->event_name);
}

static int s_cmp_error(const void *a, const void *b)
{
    const struct cpw_inv_error *x = *(const struct cpw_inv_error *const *)a;
    const struct cpw_inv_error *y = *(const struct cpw_inv_error *const *)b;
    int c = cpw_inventory_strcmp(x->account, y->account);
    c = c ? c : cpw_inventory_strcmp(x->region, y->region);
    c = c ? c : cpw_inventory_strcmp(x->service, y->service);
    c = c ? c : cpw_inventory_strcmp(x->operation, y->operation);
    c = c ? c : cpw_inventory_strcmp(x->code, y->code);
    return c ? c : cpw_inventory_strcmp(x->message, y->message);
}

static int s_cmp_region_status(const void *a, const void *b)
{
    const struct cpw_inv_region_status *x = *(const struct cpw_inv_region_status *const *)a;
    const struct cpw_inv_region_status *y = *(const struct cpw_inv_region_status *const *)b;
    int c = cpw_inventory_strcmp(x->account, y->account);
    return c ? c : cpw_inventory_strcmp(x->region, y->region);
}

static int s_cmp_finding(const void *a, const void *b)
{
    const struct cpw_inv_finding *x = *(const struct cpw_inv_finding *const *)a;
    const struct cpw_inv_finding *y = *(const struct cpw_inv_finding *const *)b;
    int c = cpw_inventory_strcmp(x->account, y->account);
    c = c ? c : cpw_inventory_strcmp(x->region, y->region);
    if (c) {
        return c;
    }
    if (x->kind != y->kind) {
        return x->kind < y->kind ? -1 : 1;
    }
    return cpw_inventory_strcmp(x->resource_arn, y->resource_arn);
}

static void s_sort(void *base, size_t count, size_t size, int (*cmp)(const void *, const void *))
{
    if (count > 1) {
        qsort(base, count, size, cmp);
    }
}

void cpw_inventory_sort(struct cpw_inventory *inv)
{
    s_sort(inv->accounts, inv->account_count, sizeof(char *), s_cmp_str);
    s_sort(inv->regions, inv->region_count, sizeof(char *), s_cmp_str);
    s_sort(inv->instances, inv->instance_count, sizeof(void *), s_cmp_instance);
    s_sort(inv->domains, inv->domain_count, sizeof(void *), s_cmp_domain);
    s_sort(inv->roles, inv->role_count, sizeof(void *), s_cmp_role);
    s_sort(inv->events, inv->event_count, sizeof(void *), s_cmp_event);
    s_sort(inv->errors, inv->error_count, sizeof(void *), s_cmp_error);
    s_sort(inv->findings, inv->finding_count, sizeof(void *), s_cmp_finding);
    s_sort(inv->region_statuses, inv->region_status_count, sizeof(void *), s_cmp_region_status);
    for (size_t i = 0; i < inv->domain_count; i++) {
        struct cpw_inv_domain *d = inv->domains[i];
        s_sort(d->instance_arns, d->instance_arn_count, sizeof(char *), s_cmp_str);
    }
    cpw_inventory_unsorted(inv);
    cpw_inventory_index_build((const void *const *)inv->instances, inv->instance_count,
                              offsetof(struct cpw_inv_instance, arn), &inv->instance_by_arn,
                              &inv->instance_by_arn_count);
    cpw_inventory_index_build((const void *const *)inv->roles, inv->role_count,
                              offsetof(struct cpw_inv_role, arn), &inv->role_by_arn,
                              &inv->role_by_arn_count);
    inv->sorted = true;
}

/* ----- lookup aids --------------------------------------------------------------------------- */

static const char *s_member(const void *element, size_t offset)
{
    const char *const *slot = (const char *const *)(const void *)((const char *)element + offset);
    return *slot;
}

void cpw_inventory_range(const struct cpw_inventory *inv,
                         const void *const *v,
                         size_t n,
                         size_t account_offset,
                         const char *account,
                         size_t *lo,
                         size_t *hi)
{
    *lo = 0;
    *hi = n;
    if (!inv->sorted) {
        return;
    }
    size_t a = 0;
    size_t b = n;
    while (a < b) { /* the first element whose account is not below account */
        size_t m = a + (b - a) / 2;
        if (cpw_inventory_strcmp(s_member(v[m], account_offset), account) < 0) {
            a = m + 1;
        } else {
            b = m;
        }
    }
    *lo = a;
    b = n;
    while (a < b) { /* the first element whose account is above account */
        size_t m = a + (b - a) / 2;
        if (cpw_inventory_strcmp(s_member(v[m], account_offset), account) <= 0) {
            a = m + 1;
        } else {
            b = m;
        }
    }
    *hi = a;
}

static int s_cmp_key(const void *a, const void *b)
{
    const struct cpw_inv_key *x = a;
    const struct cpw_inv_key *y = b;
    int c = strcmp(x->key, y->key);
    if (c) {
        return c;
    }
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

void cpw_inventory_index_build(const void *const *v,
                               size_t n,
                               size_t key_offset,
                               struct cpw_inv_key **idx,
                               size_t *count)
{
    *idx = cpw_calloc(n + 1, sizeof(**idx));
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        const char *key = s_member(v[i], key_offset);
        if (key) {
            (*idx)[(*count)++] = (struct cpw_inv_key){ .key = key, .pos = i };
        }
    }
    s_sort(*idx, *count, sizeof(**idx), s_cmp_key);
}

size_t cpw_inventory_index_find(const struct cpw_inv_key *idx,
                                size_t count,
                                const char *key,
                                size_t *first)
{
    *first = 0;
    if (!key) {
        return 0;
    }
    size_t a = 0;
    size_t b = count;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (strcmp(idx[m].key, key) < 0) {
            a = m + 1;
        } else {
            b = m;
        }
    }
    *first = a;
    size_t end = a;
    while (end < count && strcmp(idx[end].key, key) == 0) {
        end++;
    }
    return end - a;
}
