/*
 * inventory_rules_roles.c - the findings about service-linked roles (part of
 * cpw_inventory_analyze, after the links are made).
 *
 * A role is global (IAM), but what uses it lives in regions: a Connect role serves an instance,
 * a Customer Profiles role a domain. "Nothing uses this role" is therefore only as strong as the
 * scope: it is `certain` (or `likely`, following the links) only when every region where the
 * service is offered in the account's partition was read without error or is not enabled for the
 * account (inventory_scope.c). Otherwise the finding is `possible`, names the missing regions,
 * and its action keeps the role: a `possible` role finding never proposes deletion.
 *
 * Customer Profiles roles are judged per account (docs/inventory-schema.md, "Roles"):
 *   - roles tied to a domain by CloudTrail or creation time (certain/likely links) are in use;
 *   - the rest (U) are compared with the domains that may own one and have no such tie (W;
 *     a domain from before 2023-06-08 counts only when the account has no legacy role):
 *     W empty: each role in U is left over (as sure as the weakest of the domains' links);
 *     |U| <= |W|: counting shows no role is surplus: one info note, no orphan;
 *     |U| > |W| > 0: one `surplus-profile-roles` finding (possible) for the account;
 *   - the legacy AWSServiceRoleForProfile is never counted: a domain created before 2023-06-08
 *     (or at an unknown time) without a certain link to its own role may rely on it.
 */
#include <string.h>

#include "cpw/alloc.h"
#include "inventory_internal.h"

#define NAMES_SHOWN 5

static const char *s_or(const char *s, const char *fallback)
{
    return s ? s : fallback;
}

static bool s_deletion_in_flight(const struct cpw_inv_role *r)
{
    return r->deletion_status && (strcmp(r->deletion_status, "IN_PROGRESS") == 0 ||
                                  strcmp(r->deletion_status, "NOT_STARTED") == 0);
}

static bool s_is_legacy(const struct cpw_inv_role *r)
{
    return r->name && strcmp(r->name, CPW_INV_LEGACY_PROFILE_ROLE) == 0;
}

/* A Customer Profiles role judged with its account's domains (not legacy, no deletion running). */
static bool s_per_domain_role(const struct cpw_inv_role *r, const char *account)
{
    return r->service == CPW_INV_ROLE_PROFILE && !s_is_legacy(r) && !s_deletion_in_flight(r) &&
           cpw_inventory_streq(r->account, account);
}

static void s_partition(const struct cpw_inv_role *r, char out[32])
{
    if (!cpw_inventory_arn_partition(r->arn, out, 32)) {
        out[0] = '\0';
    }
}

/* arn:PARTITION:iam::ACCOUNT:root, the resource of a finding about a whole account. */
static void s_account_arn(struct cpw_buf *out, const char *partition, const char *account)
{
    (void)cpw_buf_appendf(out, "arn:%s:iam::%s:root", partition, account);
}

static const struct cpw_inv_role *s_role_by_arn(const struct cpw_inventory *inv, const char *arn)
{
    return cpw_inventory_find_role(inv, arn); /* the first role with that ARN, or NULL */
}

/* The domain's link, when it is certain or likely and to a per-domain role. */
static bool s_strong_link(const struct cpw_inventory *inv, const struct cpw_inv_domain *d)
{
    if (!d->role_arn || d->role_confidence < CPW_INV_CONFIDENCE_LIKELY) {
        return false;
    }
    const struct cpw_inv_role *r = s_role_by_arn(inv, d->role_arn);
    return !r || !s_is_legacy(r);
}

/* A domain created before per-domain roles began (or at an unknown time). */
static bool s_pre_per_domain(const struct cpw_inv_domain *d)
{
    return d->created_at_s == 0 || d->created_at_s < CPW_INV_PER_DOMAIN_ROLES_SINCE_S;
}

static void s_evidence_role_facts(struct cpw_inv_finding *f, const struct cpw_inv_role *r)
{
    char when[32];
    cpw_inventory_format_time(r->created_at_s, when);
    cpw_inventory_evidence(f, "role %s (path %s) was created %s", r->name ? r->name : "?",
                           r->path ? r->path : "?", when);
    if (r->last_used_at_s) {
        cpw_inventory_format_time(r->last_used_at_s, when);
        cpw_inventory_evidence(f, "RoleLastUsed: %s in %s", when,
                               r->last_used_region ? r->last_used_region : "an unknown region");
    } else {
        cpw_inventory_evidence(f, "RoleLastUsed: no use within the IAM tracking period");
    }
    if (r->deletion_status && strcmp(r->deletion_status, "FAILED") == 0) {
        cpw_inventory_evidence(f, "an earlier deletion task %s FAILED: %s",
                               r->deletion_task_id ? r->deletion_task_id : "?",
                               r->deletion_reason ? r->deletion_reason : "no reason given");
    }
}

/* The action of an orphan finding: deletion only when it is certain or likely. */
static void s_role_action(struct cpw_inv_finding *f, const struct cpw_inv_role *r, const char *why)
{
    if (f->confidence >= CPW_INV_CONFIDENCE_LIKELY) {
        cpw_inventory_action(f,
                             "Delete it (aws iam delete-service-linked-role --role-name %s) and "
                             "poll aws iam get-service-linked-role-deletion-status until "
                             "SUCCEEDED.",
                             r->name ? r->name : "?");
    } else {
        cpw_inventory_action(f, "Keep role %s: %s", r->name ? r->name : "?", why);
    }
}

static const char s_keep_scope[] =
  "it may still be in use where the scan did not reach. Read every region (cpwarden "
  "inventory --regions all) or fix the scan errors, then review it again.";

/* ----- Connect roles ---------------------------------------------------------------------------
 */

static void s_find_connect_role(struct cpw_inventory *inv, const struct cpw_inv_role *r)
{
    char partition[32];
    s_partition(r, partition);
    struct cpw_inv_scope scope;
    cpw_inv_scope_of(inv, r->account, partition[0] ? partition : NULL, "connect", &scope);
    struct cpw_inv_finding *f = cpw_inventory_push_finding(
      inv, CPW_INV_FINDING_ORPHANED_CONNECT_ROLE, CPW_INV_SEVERITY_WARNING,
      scope.complete ? CPW_INV_CONFIDENCE_CERTAIN : CPW_INV_CONFIDENCE_POSSIBLE, r->arn, r->account,
      NULL);
    cpw_inventory_evidence(f, "no live Connect instance in account %s uses it as its ServiceRole",
                           r->account);
    cpw_inv_scope_evidence(inv, f, r->account, &scope, "an instance there may still use this role");
    for (size_t i = 0; i < inv->instance_count; i++) {
        const struct cpw_inv_instance *x = inv->instances[i];
        if (x->status && strncmp(x->status, "DELET", 5) == 0 && r->arn &&
            cpw_inventory_streq(x->service_role_arn, r->arn)) {
            cpw_inventory_evidence(f, "it served instance %s, which is %s", s_or(x->arn, "?"),
                                   x->status);
        }
    }
    s_evidence_role_facts(f, r);
    s_role_action(f, r, s_keep_scope);
    cpw_inv_scope_clean_up(&scope);
}

/* ----- the legacy Customer Profiles role -------------------------------------------------------
 */

/* Appends, for every domain of the account that may rely on the legacy role, why; returns how
 * many there are. */
static size_t s_legacy_users(const struct cpw_inventory *inv,
                             const char *account,
                             struct cpw_inv_finding *f)
{
    size_t users = 0;
    size_t lo = 0;
    size_t hi = 0;
    CPW_INV_RANGE(inv, domains, domain_count, struct cpw_inv_domain, account, &lo, &hi);
    for (size_t d = lo; d < hi; d++) {
        const struct cpw_inv_domain *dom = inv->domains[d];
        if (!cpw_inventory_streq(dom->account, account) || !s_pre_per_domain(dom) ||
            (dom->role_confidence == CPW_INV_CONFIDENCE_CERTAIN && s_strong_link(inv, dom))) {
            continue;
        }
        users++;
        if (f && users <= NAMES_SHOWN) {
            char when[32];
            cpw_inventory_format_time(dom->created_at_s, when);
            cpw_inventory_evidence(f,
                                   "domain %s in %s was created %s, %s 2023-06-08, and has no "
                                   "certain link to a role of its own: it may rely on %s",
                                   s_or(dom->name, "?"), s_or(dom->region, "?"), when,
                                   dom->created_at_s ? "before" : "perhaps before",
                                   CPW_INV_LEGACY_PROFILE_ROLE);
        }
    }
    if (f && users > NAMES_SHOWN) {
        cpw_inventory_evidence(f, "%zu more such domains", users - NAMES_SHOWN);
    }
    return users;
}

static void s_find_legacy(struct cpw_inventory *inv, const struct cpw_inv_role *r)
{
    char partition[32];
    s_partition(r, partition);
    struct cpw_inv_scope scope;
    cpw_inv_scope_of(inv, r->account, partition[0] ? partition : NULL, "customer-profiles", &scope);
    size_t users = s_legacy_users(inv, r->account, NULL);
    enum cpw_inv_confidence unused = scope.complete && users == 0 && !r->linked_arn
                                       ? CPW_INV_CONFIDENCE_CERTAIN
                                       : CPW_INV_CONFIDENCE_POSSIBLE;

    struct cpw_inv_finding *f = cpw_inventory_push_finding(
      inv, CPW_INV_FINDING_LEGACY_PROFILE_ROLE, CPW_INV_SEVERITY_INFO,
      r->linked_arn ? CPW_INV_CONFIDENCE_CERTAIN : unused, r->arn, r->account, NULL);
    cpw_inventory_evidence(f,
                           "named %s without a per-domain suffix: the role Customer Profiles "
                           "created before it gave each domain its own role (June 8, 2023)",
                           CPW_INV_LEGACY_PROFILE_ROLE);
    if (r->linked_arn) {
        cpw_inventory_evidence(f, "linked to domain %s", r->linked_arn);
    }
    (void)s_legacy_users(inv, r->account, f);
    s_evidence_role_facts(f, r);
    if (r->linked_arn) {
        cpw_inventory_set_str(&f->action, "Keep it while the linked domain exists.");
    } else if (users > 0) {
        cpw_inventory_action(f,
                             "Keep it: %zu domain(s) created before June 8, 2023 (or at an "
                             "unknown time) may rely on it. Tie each to a role of its own "
                             "(cpwarden inventory --evidence cloudtrail) before reviewing it.",
                             users);
    } else if (!scope.complete) {
        cpw_inventory_action(f, "Keep it: a domain created before June 8, 2023 may live in a "
                                "region that was not read; read every region and review it "
                                "again.");
    } else {
        cpw_inventory_set_str(&f->action,
                              "No domain created before June 8, 2023 remains in any region: it "
                              "is left over; see the orphaned-profile-role finding.");
    }
    if (!r->linked_arn) {
        struct cpw_inv_finding *o =
          cpw_inventory_push_finding(inv, CPW_INV_FINDING_ORPHANED_PROFILE_ROLE,
                                     CPW_INV_SEVERITY_WARNING, unused, r->arn, r->account, NULL);
        cpw_inventory_evidence(o,
                               "no Customer Profiles domain in account %s can be linked to the "
                               "legacy role, and only domains created before June 8, 2023 can "
                               "use it",
                               r->account);
        cpw_inv_scope_evidence(inv, o, r->account, &scope,
                               "a domain there may still rely on this role");
        (void)s_legacy_users(inv, r->account, o);
        s_evidence_role_facts(o, r);
        s_role_action(o, r,
                      users > 0 ? "a domain created before June 8, 2023 may rely on it; see the "
                                  "legacy-profile-role finding."
                                : s_keep_scope);
    }
    cpw_inv_scope_clean_up(&scope);
}

/* ----- per-domain Customer Profiles roles, per account ------------------------------------------
 */

/* The account holds the legacy role (and is not deleting it). */
static bool s_has_legacy(const struct cpw_inventory *inv, const char *account)
{
    size_t lo = 0;
    size_t hi = 0;
    CPW_INV_RANGE(inv, roles, role_count, struct cpw_inv_role, account, &lo, &hi);
    for (size_t i = lo; i < hi; i++) {
        const struct cpw_inv_role *r = inv->roles[i];
        if (s_is_legacy(r) && !s_deletion_in_flight(r) &&
            cpw_inventory_streq(r->account, account)) {
            return true;
        }
    }
    return false;
}

/* A domain that may own a per-domain role without a certain/likely tie to one: created since
 * per-domain roles began or at an unknown time, tied only possibly, or from before then in an
 * account without the legacy role (it must use some role, so it may be one of these). */
static bool s_untied_domain(const struct cpw_inventory *inv, const struct cpw_inv_domain *d)
{
    if (s_strong_link(inv, d)) {
        return false;
    }
    return !s_pre_per_domain(d) || d->created_at_s == 0 || d->role_arn != NULL ||
           !s_has_legacy(inv, d->account);
}

/* A per-domain role without a certain/likely tie to a domain. */
static bool s_untied_role(const struct cpw_inventory *inv, const struct cpw_inv_role *r)
{
    if (!r->linked_arn) {
        return true;
    }
    if (inv->domain_by_role && r->arn) { /* the first domain whose role_arn is r's ARN */
        size_t first = 0;
        if (cpw_inventory_index_find(inv->domain_by_role, inv->domain_by_role_count, r->arn,
                                     &first)) {
            const struct cpw_inv_domain *dom = inv->domains[inv->domain_by_role[first].pos];
            return dom->role_confidence < CPW_INV_CONFIDENCE_LIKELY;
        }
        return false;
    }
    for (size_t d = 0; d < inv->domain_count; d++) {
        const struct cpw_inv_domain *dom = inv->domains[d];
        if (cpw_inventory_streq(dom->role_arn, r->arn)) {
            return dom->role_confidence < CPW_INV_CONFIDENCE_LIKELY;
        }
    }
    return false; /* linked to something else that uses it */
}

/* Every per-domain role is in use by its own domain: an orphan per untied role (W empty). */
static void s_find_leftover_role(struct cpw_inventory *inv,
                                 const struct cpw_inv_role *r,
                                 const struct cpw_inv_scope *scope)
{
    struct cpw_inv_finding *f = cpw_inventory_push_finding(
      inv, CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_SEVERITY_WARNING,
      CPW_INV_CONFIDENCE_CERTAIN, r->arn, r->account, NULL);
    cpw_inventory_evidence(f, "no Customer Profiles domain in account %s can be linked to it",
                           r->account);
    cpw_inv_scope_evidence(inv, f, r->account, scope, "a domain there may own this role");
    size_t domains = 0;
    size_t lo = 0;
    size_t hi = 0;
    CPW_INV_RANGE(inv, domains, domain_count, struct cpw_inv_domain, r->account, &lo, &hi);
    for (size_t d = lo; d < hi; d++) {
        const struct cpw_inv_domain *dom = inv->domains[d];
        if (!cpw_inventory_streq(dom->account, r->account)) {
            continue;
        }
        domains++;
        if (dom->role_arn) {
            f->confidence =
              f->confidence < dom->role_confidence ? f->confidence : dom->role_confidence;
            cpw_inventory_evidence(f, "domain %s in %s is linked to %s (%s)", s_or(dom->name, "?"),
                                   s_or(dom->region, "?"), dom->role_arn,
                                   s_or(cpw_inv_confidence_name(dom->role_confidence), "?"));
        } else {
            cpw_inventory_evidence(f,
                                   "domain %s in %s was created before June 8, 2023: it "
                                   "relies on %s, which the account holds",
                                   s_or(dom->name, "?"), s_or(dom->region, "?"),
                                   CPW_INV_LEGACY_PROFILE_ROLE);
        }
    }
    if (domains == 0) {
        cpw_inventory_evidence(f, "account %s has no domain in any region", r->account);
    }
    s_evidence_role_facts(f, r);
    s_role_action(f, r, "a domain may still own it.");
}

/* Incomplete scope: the untied role may belong to a domain in a region that was not read. */
static void s_find_unsure_role(struct cpw_inventory *inv,
                               const struct cpw_inv_role *r,
                               const struct cpw_inv_scope *scope)
{
    struct cpw_inv_finding *f = cpw_inventory_push_finding(
      inv, CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_SEVERITY_WARNING,
      CPW_INV_CONFIDENCE_POSSIBLE, r->arn, r->account, NULL);
    cpw_inventory_evidence(f, "no Customer Profiles domain that was read can be linked to it");
    cpw_inv_scope_evidence(inv, f, r->account, scope, "a domain there may own this role");
    size_t listed = 0;
    size_t lo = 0;
    size_t hi = 0;
    CPW_INV_RANGE(inv, domains, domain_count, struct cpw_inv_domain, r->account, &lo, &hi);
    for (size_t d = lo; d < hi; d++) {
        const struct cpw_inv_domain *dom = inv->domains[d];
        if (cpw_inventory_streq(dom->account, r->account) && s_untied_domain(inv, dom) &&
            listed++ < NAMES_SHOWN) {
            cpw_inventory_evidence(f,
                                   "domain %s in %s has no proven role; this role may be its own",
                                   s_or(dom->name, "?"), s_or(dom->region, "?"));
        }
    }
    s_evidence_role_facts(f, r);
    s_role_action(f, r, s_keep_scope);
}

static void s_find_profile_roles_of(struct cpw_inventory *inv, const char *account)
{
    const struct cpw_inv_role *first = NULL;
    size_t untied_roles = 0;
    size_t rlo = 0;
    size_t rhi = 0;
    size_t dlo = 0;
    size_t dhi = 0;
    CPW_INV_RANGE(inv, roles, role_count, struct cpw_inv_role, account, &rlo, &rhi);
    CPW_INV_RANGE(inv, domains, domain_count, struct cpw_inv_domain, account, &dlo, &dhi);
    for (size_t i = rlo; i < rhi; i++) {
        const struct cpw_inv_role *r = inv->roles[i];
        if (s_per_domain_role(r, account) && s_untied_role(inv, r)) {
            first = first ? first : r;
            untied_roles++;
        }
    }
    if (untied_roles == 0) {
        return;
    }
    char partition[32];
    s_partition(first, partition);
    struct cpw_inv_scope scope;
    cpw_inv_scope_of(inv, account, partition[0] ? partition : NULL, "customer-profiles", &scope);
    size_t untied_domains = 0;
    for (size_t d = dlo; d < dhi; d++) {
        untied_domains += cpw_inventory_streq(inv->domains[d]->account, account) &&
                          s_untied_domain(inv, inv->domains[d]);
    }
    if (!scope.complete || untied_domains == 0) {
        for (size_t i = rlo; i < rhi; i++) {
            const struct cpw_inv_role *r = inv->roles[i];
            if (!s_per_domain_role(r, account) || !s_untied_role(inv, r)) {
                continue;
            }
            if (!scope.complete) {
                if (!r->linked_arn) { /* a possible link already names its likely domain */
                    s_find_unsure_role(inv, r, &scope);
                }
            } else {
                s_find_leftover_role(inv, r, &scope);
            }
        }
        cpw_inv_scope_clean_up(&scope);
        return;
    }

    struct cpw_buf arn;
    cpw_buf_init(&arn, 512);
    s_account_arn(&arn, scope.partition, account);
    bool surplus = untied_roles > untied_domains;
    struct cpw_inv_finding *f = cpw_inventory_push_finding(
      inv, surplus ? CPW_INV_FINDING_SURPLUS_PROFILE_ROLES : CPW_INV_FINDING_PROFILE_ROLES_IN_USE,
      surplus ? CPW_INV_SEVERITY_WARNING : CPW_INV_SEVERITY_INFO,
      surplus ? CPW_INV_CONFIDENCE_POSSIBLE : CPW_INV_CONFIDENCE_CERTAIN, cpw_buf_cstr(&arn),
      account, NULL);
    cpw_buf_clean_up(&arn);
    if (surplus) {
        cpw_inventory_evidence(f,
                               "account %s has %zu %s_* role(s) and %zu domain(s) that may own one "
                               "without a link by CloudTrail or creation time: %zu role(s) are "
                               "surplus, and nothing tells which",
                               account, untied_roles, CPW_INV_LEGACY_PROFILE_ROLE, untied_domains,
                               untied_roles - untied_domains);
    } else {
        cpw_inventory_evidence(f,
                               "account %s has %zu %s_* role(s) and %zu domain(s) that may own one "
                               "without a link by CloudTrail or creation time: each domain has a "
                               "role of its own, so counting shows %s; no orphan is reported",
                               account, untied_roles, CPW_INV_LEGACY_PROFILE_ROLE, untied_domains,
                               untied_roles == untied_domains ? "every role is in use"
                                                              : "no role is surplus");
    }
    cpw_inv_scope_evidence(inv, f, account, &scope, "");
    size_t shown = 0;
    for (size_t i = rlo; i < rhi; i++) {
        const struct cpw_inv_role *r = inv->roles[i];
        if (s_per_domain_role(r, account) && s_untied_role(inv, r) && shown++ < NAMES_SHOWN) {
            char when[32];
            cpw_inventory_format_time(r->created_at_s, when);
            cpw_inventory_evidence(f, "role %s, created %s%s%s", s_or(r->name, "?"), when,
                                   r->linked_arn ? ", possibly of " : "",
                                   r->linked_arn ? r->linked_arn : "");
        }
    }
    shown = 0;
    for (size_t d = dlo; d < dhi; d++) {
        const struct cpw_inv_domain *dom = inv->domains[d];
        if (cpw_inventory_streq(dom->account, account) && s_untied_domain(inv, dom) &&
            shown++ < NAMES_SHOWN) {
            char when[32];
            cpw_inventory_format_time(dom->created_at_s, when);
            cpw_inventory_evidence(f, "domain %s in %s, created %s", s_or(dom->name, "?"),
                                   s_or(dom->region, "?"), when);
        }
    }
    if (surplus) {
        cpw_inventory_action(f,
                             "Keep every role for now. Run cpwarden inventory --evidence "
                             "cloudtrail to tie each role to its domain (CreateDomain and "
                             "CreateServiceLinkedRole events); the %zu surplus role(s) are then "
                             "reported one by one.",
                             untied_roles - untied_domains);
    } else {
        cpw_inventory_set_str(&f->action,
                              "Nothing to do. To tie each role to its domain, run cpwarden "
                              "inventory --evidence cloudtrail.");
    }
    cpw_inv_scope_clean_up(&scope);
}

/* ----- entry point -----------------------------------------------------------------------------
 */

void cpw_inventory_find_roles(struct cpw_inventory *inv)
{
    if (inv->sorted) { /* the links are made: role_arn no longer changes */
        cpw_inventory_index_build((const void *const *)inv->domains, inv->domain_count,
                                  offsetof(struct cpw_inv_domain, role_arn), &inv->domain_by_role,
                                  &inv->domain_by_role_count);
    }
    for (size_t i = 0; i < inv->role_count; i++) {
        const struct cpw_inv_role *r = inv->roles[i];
        if (r->service == CPW_INV_ROLE_OTHER) {
            continue;
        }
        if (s_deletion_in_flight(r)) {
            struct cpw_inv_finding *f = cpw_inventory_push_finding(
              inv, CPW_INV_FINDING_ROLE_DELETION_PENDING, CPW_INV_SEVERITY_INFO,
              CPW_INV_CONFIDENCE_CERTAIN, r->arn, r->account, NULL);
            cpw_inventory_evidence(f, "deletion task %s is %s",
                                   r->deletion_task_id ? r->deletion_task_id : "?",
                                   r->deletion_status);
            s_evidence_role_facts(f, r);
            cpw_inventory_action(f,
                                 "Wait: poll aws iam get-service-linked-role-deletion-status "
                                 "--deletion-task-id %s; do not start another deletion.",
                                 r->deletion_task_id ? r->deletion_task_id : "?");
        } else if (r->service == CPW_INV_ROLE_PROFILE && s_is_legacy(r)) {
            s_find_legacy(inv, r);
        } else if (r->service == CPW_INV_ROLE_CONNECT && !r->linked_arn) {
            s_find_connect_role(inv, r);
        }
    }
    /* Per-domain Customer Profiles roles, once per account (the first role of each account). */
    for (size_t i = 0; i < inv->role_count; i++) {
        const struct cpw_inv_role *r = inv->roles[i];
        bool first = s_per_domain_role(r, r->account);
        size_t lo = 0;
        size_t hi = 0;
        CPW_INV_RANGE(inv, roles, role_count, struct cpw_inv_role, r->account, &lo, &hi);
        for (size_t j = lo; first && j < i; j++) {
            first = !s_per_domain_role(inv->roles[j], r->account);
        }
        if (first) {
            s_find_profile_roles_of(inv, r->account);
        }
    }
    cpw_free(inv->domain_by_role);
    inv->domain_by_role = NULL;
    inv->domain_by_role_count = 0;
}
