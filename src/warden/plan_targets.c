/*
 * plan_targets.c - choosing what a plan is about (from inventory findings, the command line or
 * a saved plan) and building the plan from live observations of exactly those targets.
 */
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/backup.h"
#include "cpw/error.h"
#include "cpw/live.h"
#include "cpw/plan_targets.h"

static char *s_dup(const char *s)
{
    return s && *s ? cpw_strdup(s) : NULL;
}

void cpw_plan_targets_clean_up(struct cpw_plan_targets *t)
{
    if (!t) {
        return;
    }
    for (size_t i = 0; i < t->domain_count; i++) {
        cpw_free(t->domains[i].account);
        cpw_free(t->domains[i].region);
        cpw_free(t->domains[i].name);
        cpw_free(t->domains[i].role_name);
        cpw_free(t->domains[i].role_linked_arn);
    }
    cpw_free(t->domains);
    for (size_t i = 0; i < t->role_count; i++) {
        cpw_free(t->roles[i].account);
        cpw_free(t->roles[i].name);
        cpw_free(t->roles[i].linked_resource);
    }
    cpw_free(t->roles);
    memset(t, 0, sizeof(*t));
}

void cpw_plan_targets_add_domain(struct cpw_plan_targets *t,
                                 const char *account,
                                 const char *region,
                                 const char *name,
                                 const char *role_name,
                                 const char *role_linked_arn)
{
    t->domains = cpw_realloc(t->domains, (t->domain_count + 1) * sizeof(*t->domains));
    struct cpw_plan_target_domain *d = &t->domains[t->domain_count++];
    d->account = cpw_strdup(account ? account : "");
    d->region = cpw_strdup(region ? region : "");
    d->name = cpw_strdup(name ? name : "");
    d->role_name = s_dup(role_name);
    d->role_linked_arn = s_dup(role_linked_arn);
}

void cpw_plan_targets_add_role(struct cpw_plan_targets *t,
                               enum cpw_plan_role_kind kind,
                               const char *account,
                               const char *name,
                               const char *linked_resource,
                               bool possible)
{
    t->roles = cpw_realloc(t->roles, (t->role_count + 1) * sizeof(*t->roles));
    struct cpw_plan_target_role *r = &t->roles[t->role_count++];
    r->kind = kind;
    r->account = cpw_strdup(account ? account : "");
    r->name = cpw_strdup(name ? name : "");
    r->linked_resource = s_dup(linked_resource);
    r->possible = possible;
}

int cpw_plan_role_kind_of(const char *name, enum cpw_plan_role_kind *kind)
{
    if (name && strncmp(name, "AWSServiceRoleForProfile", 24) == 0) {
        *kind = CPW_PLAN_ROLE_PROFILE_SLR;
        return 0;
    }
    if (name && strncmp(name, "AWSServiceRoleForAmazonConnect_", 31) == 0) {
        *kind = CPW_PLAN_ROLE_CONNECT_SLR;
        return 0;
    }
    return cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                     "'%s' is not a Customer Profiles or Connect service-linked role "
                     "(AWSServiceRoleForProfile_*, AWSServiceRoleForAmazonConnect_*)",
                     name ? name : "");
}

/* Whether the role `name` of `account` is already a target (roles are per account: every
 * member of an organization may hold a role of the same name). */
static bool s_role_taken(const struct cpw_plan_targets *t, const char *account, const char *name)
{
    for (size_t i = 0; i < t->domain_count; i++) {
        if (t->domains[i].role_name && strcmp(t->domains[i].role_name, name) == 0 &&
            strcmp(t->domains[i].account, account) == 0) {
            return true;
        }
    }
    for (size_t i = 0; i < t->role_count; i++) {
        if (strcmp(t->roles[i].name, name) == 0 && strcmp(t->roles[i].account, account) == 0) {
            return true;
        }
    }
    return false;
}

static void s_add_inventory_domain(const struct cpw_inventory *inv,
                                   const struct cpw_inv_domain *d,
                                   bool include_possible,
                                   struct cpw_plan_targets *t)
{
    const char *role_name = NULL;
    if (d->role_arn && (d->role_confidence >= CPW_INV_CONFIDENCE_LIKELY || include_possible)) {
        const struct cpw_inv_role *role = cpw_inventory_find_role(inv, d->role_arn);
        role_name = role ? role->name : NULL;
    }
    cpw_plan_targets_add_domain(t, d->account, d->region, d->name, role_name,
                                role_name ? d->arn : NULL);
}

/* True when ids (NULL: every finding) names finding f. */
static bool s_selected(const struct cpw_inv_finding *f, const char *const *ids, size_t id_count)
{
    if (!ids) {
        return true;
    }
    char id[CPW_INV_FINDING_ID_LEN + 1];
    if (cpw_inventory_finding_id(f, id)) {
        return false;
    }
    for (size_t i = 0; i < id_count; i++) {
        if (ids[i] && strcmp(ids[i], id) == 0) {
            return true;
        }
    }
    return false;
}

int cpw_plan_targets_from_inventory(const struct cpw_inventory *inv,
                                    const char *account,
                                    bool include_possible,
                                    struct cpw_plan_targets *t)
{
    return cpw_plan_targets_from_findings(inv, account, include_possible, NULL, 0, t);
}

int cpw_plan_targets_from_findings(const struct cpw_inventory *inv,
                                   const char *account,
                                   bool include_possible,
                                   const char *const *ids,
                                   size_t id_count,
                                   struct cpw_plan_targets *t)
{
    size_t n = cpw_inventory_finding_count(inv);
    for (size_t i = 0; i < n; i++) { /* domains first: their roles go with them */
        const struct cpw_inv_finding *f = cpw_inventory_finding(inv, i);
        if (f->kind != CPW_INV_FINDING_DOMAIN_WITHOUT_INSTANCE ||
            (account && strcmp(f->account, account) != 0) || !s_selected(f, ids, id_count) ||
            (f->confidence < CPW_INV_CONFIDENCE_LIKELY && !include_possible)) {
            continue;
        }
        const struct cpw_inv_domain *d = cpw_inventory_find_domain(inv, f->resource_arn);
        if (d && d->name && d->region) {
            s_add_inventory_domain(inv, d, include_possible, t);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct cpw_inv_finding *f = cpw_inventory_finding(inv, i);
        if ((f->kind != CPW_INV_FINDING_ORPHANED_CONNECT_ROLE &&
             f->kind != CPW_INV_FINDING_ORPHANED_PROFILE_ROLE) ||
            (account && strcmp(f->account, account) != 0) || !s_selected(f, ids, id_count)) {
            continue;
        }
        const struct cpw_inv_role *r = cpw_inventory_find_role(inv, f->resource_arn);
        if (!r || !r->name || s_role_taken(t, r->account, r->name)) {
            continue;
        }
        cpw_plan_targets_add_role(
          t,
          f->kind == CPW_INV_FINDING_ORPHANED_CONNECT_ROLE ? CPW_PLAN_ROLE_CONNECT_SLR
                                                           : CPW_PLAN_ROLE_PROFILE_SLR,
          r->account, r->name, NULL, f->confidence < CPW_INV_CONFIDENCE_LIKELY);
    }
    return 0;
}

size_t cpw_plan_targets_for_instance(const struct cpw_inventory *inv,
                                     const char *account,
                                     const char *instance_id,
                                     struct cpw_plan_targets *t)
{
    size_t added = 0;
    size_t id_len = strlen(instance_id);
    for (size_t i = 0; i < cpw_inventory_domain_count(inv); i++) {
        const struct cpw_inv_domain *d = cpw_inventory_domain(inv, i);
        if (strcmp(d->account, account) != 0 || !d->name || !d->region) {
            continue;
        }
        for (size_t k = 0; k < d->integration_count; k++) {
            const char *uri = d->integrations[k].uri;
            size_t len = uri ? strlen(uri) : 0;
            bool by_arn = uri && strcmp(uri, instance_id) == 0;
            bool by_id = len > id_len + 10 && strcmp(uri + len - id_len, instance_id) == 0 &&
                         strncmp(uri + len - id_len - 10, ":instance/", 10) == 0;
            if (by_arn || by_id) {
                s_add_inventory_domain(inv, d, false, t);
                added++;
                break;
            }
        }
    }
    return added;
}

int cpw_plan_targets_from_plan(const struct cpw_plan *plan, struct cpw_plan_targets *t)
{
    struct cpw_plan_target_domain *current = NULL;
    for (size_t i = 0; i < plan->action_count; i++) {
        const struct cpw_plan_action *a = &plan->actions[i];
        if (a->kind == CPW_PLAN_BACKUP_DOMAIN) {
            cpw_plan_targets_add_domain(t, a->account, a->region, a->name, NULL, NULL);
            current = &t->domains[t->domain_count - 1];
        } else if (a->kind == CPW_PLAN_WAIT_ROLE_GONE && current && !current->role_name) {
            current->role_name = s_dup(a->name);
            current->role_linked_arn = s_dup(cpw_plan_action_fact(a, "role.linked_resource"));
        } else if (a->kind == CPW_PLAN_DELETE_SERVICE_LINKED_ROLE && a->depends_on_count == 0) {
            const char *service = cpw_plan_action_fact(a, "role.service");
            enum cpw_plan_role_kind kind = service && strcmp(service, "profile.amazonaws.com") == 0
                                             ? CPW_PLAN_ROLE_PROFILE_SLR
                                             : CPW_PLAN_ROLE_CONNECT_SLR;
            cpw_plan_targets_add_role(t, kind, a->account, a->name,
                                      cpw_plan_action_fact(a, "role.linked_resource"), false);
        }
    }
    return 0;
}

size_t cpw_plan_targets_accounts(const struct cpw_plan_targets *t, char ***accounts)
{
    char **list = NULL;
    size_t n = 0;
    for (size_t i = 0; i < t->domain_count + t->role_count; i++) {
        const char *id =
          i < t->domain_count ? t->domains[i].account : t->roles[i - t->domain_count].account;
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++) {
            seen = strcmp(list[k], id) == 0;
        }
        if (!seen) {
            list = cpw_realloc(list, (n + 1) * sizeof(*list));
            list[n++] = cpw_strdup(id);
        }
    }
    *accounts = list;
    return n;
}

size_t cpw_plan_targets_drop_account(struct cpw_plan_targets *t, const char *account)
{
    size_t kept = 0;
    size_t dropped = 0;
    for (size_t i = 0; i < t->domain_count; i++) {
        struct cpw_plan_target_domain *d = &t->domains[i];
        if (strcmp(d->account, account) != 0) {
            t->domains[kept++] = *d;
            continue;
        }
        cpw_free(d->account);
        cpw_free(d->region);
        cpw_free(d->name);
        cpw_free(d->role_name);
        cpw_free(d->role_linked_arn);
        dropped++;
    }
    t->domain_count = kept;
    kept = 0;
    for (size_t i = 0; i < t->role_count; i++) {
        struct cpw_plan_target_role *r = &t->roles[i];
        if (strcmp(r->account, account) != 0) {
            t->roles[kept++] = *r;
            continue;
        }
        cpw_free(r->account);
        cpw_free(r->name);
        cpw_free(r->linked_resource);
        dropped++;
    }
    t->role_count = kept;
    return dropped;
}

/* The single client of cpw_plan_from_targets, whatever the account. */
static struct cpw_aws_client *s_same_client(void *ctx, const char *account)
{
    (void)account;
    return ctx;
}

struct cpw_plan *cpw_plan_from_targets(struct cpw_aws_client *client,
                                       const struct cpw_plan_builder_options *opts,
                                       const struct cpw_plan_targets *targets)
{
    return cpw_plan_from_targets_with(s_same_client, client, opts, targets);
}

struct cpw_plan *cpw_plan_from_targets_with(cpw_plan_client_fn *client_for,
                                            void *ctx,
                                            const struct cpw_plan_builder_options *opts,
                                            const struct cpw_plan_targets *t)
{
    struct cpw_plan_builder *b = cpw_plan_builder_new(opts);
    struct cpw_plan *plan = NULL;
    if (!b) {
        return NULL;
    }
    for (size_t i = 0; i < t->domain_count; i++) {
        const struct cpw_plan_target_domain *td = &t->domains[i];
        struct cpw_aws_client *client = client_for(ctx, td->account);
        if (!client) {
            goto cleanup;
        }
        struct cpw_live_domain d;
        struct cpw_live_role r;
        memset(&r, 0, sizeof(r));
        bool exists = false;
        bool role_exists = false;
        if (cpw_live_observe_domain(client, td->account, td->region, td->name, &d, &exists)) {
            goto cleanup;
        }
        if (exists && td->role_name &&
            cpw_live_observe_role(client, td->account, td->role_name, CPW_PLAN_ROLE_PROFILE_SLR,
                                  td->role_linked_arn, &r, &role_exists)) {
            cpw_live_domain_clean_up(&d);
            goto cleanup;
        }
        d.input.role = role_exists ? &r.input : NULL;
        /* What else the deletion destroys, for the impact only (best effort: a kind that
         * cannot be listed is not counted, and nothing about what is planned changes). */
        uint64_t kinds[CPW_BACKUP_SECTION_COUNT_] = { 0 };
        if (exists) {
            cpw_backup_count_kinds(client, td->region, td->name, kinds);
            d.input.configuration_counts = kinds;
        }
        int rc = exists ? cpw_plan_builder_add_domain(b, &d.input) : 0;
        cpw_live_role_clean_up(&r);
        cpw_live_domain_clean_up(&d);
        if (rc) {
            goto cleanup;
        }
    }
    for (size_t i = 0; i < t->role_count; i++) {
        const struct cpw_plan_target_role *tr = &t->roles[i];
        struct cpw_aws_client *client = client_for(ctx, tr->account);
        if (!client) {
            goto cleanup;
        }
        struct cpw_live_role r;
        bool exists = false;
        if (cpw_live_observe_role(client, tr->account, tr->name, tr->kind, tr->linked_resource, &r,
                                  &exists)) {
            goto cleanup;
        }
        r.input.possible = tr->possible;
        int rc = exists ? cpw_plan_builder_add_orphan_role(b, &r.input) : 0;
        cpw_live_role_clean_up(&r);
        if (rc) {
            goto cleanup;
        }
    }
    plan = cpw_plan_builder_finish(b);
cleanup:
    cpw_plan_builder_destroy(b);
    return plan;
}
