/*
 * inventory_rules.c - the inventory graph and its findings (cpw_inventory_analyze).
 *
 * Links, each with the evidence it rests on (docs/aws-facts.md §1-3, §7):
 *   instance -> domain        a domain integration whose Uri is the instance ARN
 *   instance -> Connect role  the instance's ServiceRole ARN
 *   domain -> Profile role    strongest first: CloudTrail (CreateServiceLinkedRole invoked by
 *                             profile.amazonaws.com right after that domain's CreateDomain:
 *                             certain), creation time (one role created within the window after
 *                             the domain, and no other pairing: likely), RoleLastUsed region (the
 *                             only unlinked role last used in the only unlinked domain's region:
 *                             possible).
 * Then the findings (roles in inventory_rules_roles.c). The rule above all others: what the scan
 * could not read (a scan error for that account/region/service, a region outside the scan, a
 * region whose state is unknown) never becomes a certain orphan; the confidence drops and the
 * evidence names what is missing (inventory_scope.c). And a leftover is only claimed on positive
 * evidence: a domain without any Connect integration is "unattached", never a certain orphan.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/regions.h"
#include "inventory_internal.h"

static const char *s_or(const char *s, const char *fallback)
{
    return s ? s : fallback;
}

static enum cpw_inv_confidence s_min(enum cpw_inv_confidence a, enum cpw_inv_confidence b)
{
    return a < b ? a : b;
}

/* ----- ARNs -------------------------------------------------------------------------------------
 */

struct arn_parts {
    struct cpw_span service;
    struct cpw_span region;
    struct cpw_span account;
    struct cpw_span resource;
};

static bool s_parse_arn(const char *arn, struct arn_parts *out)
{
    if (!arn || strncmp(arn, "arn:", 4) != 0) {
        return false;
    }
    struct cpw_span rest = cpw_span_from_cstr(arn + 4);
    struct cpw_span partition;
    if (!cpw_span_next_token(&rest, ':', &partition) ||
        !cpw_span_next_token(&rest, ':', &out->service) ||
        !cpw_span_next_token(&rest, ':', &out->region) ||
        !cpw_span_next_token(&rest, ':', &out->account)) {
        return false;
    }
    out->resource = rest;
    return rest.len > 0;
}

/* True for arn:PARTITION:connect:REGION:ACCOUNT:instance/ID; region and account are copied. */
static bool s_connect_instance_arn(const char *arn, char **account, char **region)
{
    struct arn_parts p;
    if (!s_parse_arn(arn, &p) || !cpw_span_eq_cstr(p.service, "connect") ||
        !cpw_span_starts_with(p.resource, cpw_span_from_cstr("instance/")) ||
        cpw_span_find_byte(cpw_span_sub(p.resource, 9, p.resource.len), '/') >= 0) {
        return false;
    }
    *account = cpw_strndup((const char *)p.account.ptr, p.account.len);
    *region = cpw_strndup((const char *)p.region.ptr, p.region.len);
    return true;
}

static const char *s_instance_id(const char *arn)
{
    const char *slash = strrchr(arn, '/');
    return slash ? slash + 1 : arn;
}

/* ----- liveness ------------------------------------------------------------------------------- */

/* Live = listed and not deleted. Connect has no DELETED status today; a collector that records a
 * deleted instance (from CloudTrail, say) marks it with a status starting with DELET. */
static bool s_live(const struct cpw_inv_instance *x)
{
    return !x->status || strncmp(x->status, "DELET", 5) != 0;
}

static const struct cpw_inv_instance *s_live_instance(const struct cpw_inventory *inv,
                                                      const char *arn)
{
    const struct cpw_inv_instance *x = cpw_inventory_find_instance(inv, arn);
    return x && s_live(x) ? x : NULL;
}

/* ----- links: instance -> domain, instance -> Connect role ---------------------------------- */

static void s_link_instances(struct cpw_inventory *inv)
{
    for (size_t d = 0; d < inv->domain_count; d++) {
        struct cpw_inv_domain *dom = inv->domains[d];
        for (size_t i = 0; i < dom->integration_count; i++) {
            const char *uri = dom->integrations[i].uri;
            struct cpw_inv_instance *x = (struct cpw_inv_instance *)s_live_instance(inv, uri);
            if (!x || cpw_inventory_has(dom->instance_arns, dom->instance_arn_count, x->arn)) {
                continue;
            }
            cpw_inventory_strv_push(&dom->instance_arns, &dom->instance_arn_count, x->arn);
            if (!x->domain_arn) { /* one domain per instance (docs/aws-facts.md §3) */
                cpw_inventory_set_str(&x->domain_arn, dom->arn);
            }
        }
    }
    for (size_t i = 0; i < inv->instance_count; i++) {
        const struct cpw_inv_instance *x = inv->instances[i];
        if (!s_live(x) || !x->service_role_arn) {
            continue;
        }
        /* Every role with that ARN, in list order (the index when the lists are sorted). */
        size_t first = 0;
        size_t n = inv->sorted ? cpw_inventory_index_find(inv->role_by_arn, inv->role_by_arn_count,
                                                          x->service_role_arn, &first)
                               : inv->role_count;
        for (size_t k = 0; k < n; k++) {
            size_t r = inv->sorted ? inv->role_by_arn[first + k].pos : k;
            struct cpw_inv_role *role = inv->roles[r];
            if (!role->linked_arn && cpw_inventory_streq(role->arn, x->service_role_arn)) {
                cpw_inventory_set_str(&role->linked_arn, x->arn);
            }
        }
    }
}

/* ----- links: domain -> Customer Profiles role ---------------------------------------------- */

static void s_link(struct cpw_inv_domain *d, struct cpw_inv_role *r, enum cpw_inv_confidence c)
{
    cpw_inventory_set_str(&d->role_arn, r->arn);
    d->role_confidence = c;
    cpw_inventory_set_str(&r->linked_arn, d->arn);
}

static bool s_unlinked_profile_role(const struct cpw_inv_role *r, const char *account)
{
    return r->service == CPW_INV_ROLE_PROFILE && !r->linked_arn &&
           cpw_inventory_streq(r->account, account);
}

static const char *s_param(const struct cpw_inv_event *e, const char *key)
{
    for (size_t i = 0; i < e->request_parameter_count; i++) {
        if (cpw_inventory_streq(e->request_parameters[i].key, key)) {
            return e->request_parameters[i].value;
        }
    }
    return NULL;
}

static bool s_created_by_profile(const struct cpw_inv_event *e)
{
    return cpw_inventory_streq(e->event_name, "CreateServiceLinkedRole") &&
           (cpw_inventory_streq(e->invoked_by, CPW_INV_PROFILE_PRINCIPAL) ||
            cpw_inventory_streq(s_param(e, "aWSServiceName"), CPW_INV_PROFILE_PRINCIPAL));
}

static const char *s_created_domain_name(const struct cpw_inv_event *e)
{
    const char *name = s_param(e, "domainName");
    if (!name) {
        name = s_param(e, "DomainName");
    }
    if (!name && e->resource_name_count > 0) {
        name = e->resource_names[0];
    }
    /* A resource may be named by its ARN: arn:aws:profile:REGION:ACCOUNT:domains/NAME. */
    const char *domains = name ? strstr(name, ":domains/") : NULL;
    return domains ? domains + strlen(":domains/") : name;
}

/* True when every region of the account where Customer Profiles is offered was read without
 * error (or is not enabled there) for `signing` ("profile": its domains; "cloudtrail": the events
 * recorded there): no domain, and no CreateDomain, can hide in a region the scan did not read. */
static bool s_profile_regions_read(const struct cpw_inventory *inv,
                                   const char *account,
                                   const char *signing)
{
    struct cpw_inv_scope scope;
    cpw_inv_scope_of(inv, account, NULL, "customer-profiles", &scope);
    bool complete = scope.account_scanned && scope.regions_known;
    if (complete && strcmp(signing, "profile") == 0) {
        complete = scope.complete;
    } else if (complete) {
        struct cpw_region_list offered;
        memset(&offered, 0, sizeof(offered));
        complete = cpw_regions_for_service("customer-profiles", scope.partition, &offered) == 0;
        for (size_t i = 0; complete && i < offered.count; i++) {
            enum cpw_inv_visibility v =
              cpw_inventory_visibility(inv, account, offered.names[i], signing, NULL, NULL);
            complete = v == CPW_INV_VIS_SEEN || v == CPW_INV_VIS_NOT_ENABLED;
        }
        cpw_region_list_clean_up(&offered);
    }
    cpw_inv_scope_clean_up(&scope);
    return complete;
}

/* CloudTrail: CreateServiceLinkedRole by profile.amazonaws.com for role R, and the latest
 * CreateDomain of the same account within the window before it names domain D: certain. Only
 * when that latest CreateDomain is the only one of its second (CloudTrail times have one-second
 * resolution: domains created together cannot be told apart) and CloudTrail was read in every
 * region of the account (a CreateDomain in a region not read could be the later one, and the role
 * that domain's). */
static void s_link_by_cloudtrail(struct cpw_inventory *inv)
{
    for (size_t i = 0; i < inv->event_count; i++) {
        const struct cpw_inv_event *slr = inv->events[i];
        if (!s_created_by_profile(slr) ||
            !s_profile_regions_read(inv, slr->account, "cloudtrail")) {
            continue;
        }
        const struct cpw_inv_event *create = NULL;
        bool tied = false; /* another CreateDomain in the same second as create */
        size_t lo = 0;
        size_t hi = 0;
        CPW_INV_RANGE(inv, events, event_count, struct cpw_inv_event, slr->account, &lo, &hi);
        for (size_t j = lo; j < hi; j++) {
            const struct cpw_inv_event *c = inv->events[j];
            if (!cpw_inventory_streq(c->event_name, "CreateDomain") ||
                !cpw_inventory_streq(c->account, slr->account) ||
                c->event_time_s > slr->event_time_s ||
                slr->event_time_s - c->event_time_s > CPW_INVENTORY_LINK_WINDOW_S) {
                continue;
            }
            if (!create || c->event_time_s > create->event_time_s) {
                create = c;
                tied = false;
            } else if (c->event_time_s == create->event_time_s && c != create) {
                tied = true;
            }
        }
        const char *domain_name = create && !tied ? s_created_domain_name(create) : NULL;
        if (!domain_name) {
            continue;
        }
        struct cpw_inv_domain *dom = NULL;
        CPW_INV_RANGE(inv, domains, domain_count, struct cpw_inv_domain, create->account, &lo, &hi);
        for (size_t d = lo; d < hi; d++) {
            struct cpw_inv_domain *x = inv->domains[d];
            if (cpw_inventory_streq(x->account, create->account) &&
                cpw_inventory_streq(x->region, create->region) &&
                cpw_inventory_streq(x->name, domain_name)) {
                dom = x;
            }
        }
        CPW_INV_RANGE(inv, roles, role_count, struct cpw_inv_role, slr->account, &lo, &hi);
        for (size_t n = 0; dom && !dom->role_arn && n < slr->resource_name_count; n++) {
            const char *res = slr->resource_names[n];
            for (size_t r = lo; r < hi; r++) {
                struct cpw_inv_role *role = inv->roles[r];
                if (s_unlinked_profile_role(role, slr->account) &&
                    (cpw_inventory_streq(role->name, res) || cpw_inventory_streq(role->arn, res))) {
                    s_link(dom, role, CPW_INV_CONFIDENCE_CERTAIN);
                    break;
                }
            }
        }
    }
}

static bool s_in_window(const struct cpw_inv_domain *d, const struct cpw_inv_role *r)
{
    return d->created_at_s != 0 && r->created_at_s != 0 && r->created_at_s >= d->created_at_s &&
           r->created_at_s - d->created_at_s <= CPW_INVENTORY_LINK_WINDOW_S;
}

/* Creation time: the domain has one candidate role in its window, and that role falls in the
 * window of no other unlinked domain: likely. Pairs are chosen before any is linked. Only when
 * Customer Profiles was read in every region of the account: a domain in a region not read could
 * be the one whose window holds the role. */
static void s_link_by_time(struct cpw_inventory *inv)
{
    struct cpw_inv_role **pick = cpw_calloc(inv->domain_count + 1, sizeof(*pick));
    for (size_t d = 0; d < inv->domain_count; d++) {
        const struct cpw_inv_domain *dom = inv->domains[d];
        if (dom->role_arn || !s_profile_regions_read(inv, dom->account, "profile")) {
            continue;
        }
        struct cpw_inv_role *only = NULL;
        size_t candidates = 0;
        size_t lo = 0;
        size_t hi = 0;
        CPW_INV_RANGE(inv, roles, role_count, struct cpw_inv_role, dom->account, &lo, &hi);
        for (size_t r = lo; r < hi; r++) {
            struct cpw_inv_role *role = inv->roles[r];
            if (s_unlinked_profile_role(role, dom->account) && s_in_window(dom, role)) {
                only = role;
                candidates++;
            }
        }
        if (candidates != 1) {
            continue;
        }
        size_t domains = 0;
        CPW_INV_RANGE(inv, domains, domain_count, struct cpw_inv_domain, dom->account, &lo, &hi);
        for (size_t o = lo; o < hi; o++) {
            const struct cpw_inv_domain *other = inv->domains[o];
            if (!other->role_arn && cpw_inventory_streq(other->account, dom->account) &&
                s_in_window(other, only)) {
                domains++;
            }
        }
        if (domains == 1) {
            pick[d] = only;
        }
    }
    for (size_t d = 0; d < inv->domain_count; d++) {
        if (pick[d]) {
            s_link(inv->domains[d], pick[d], CPW_INV_CONFIDENCE_LIKELY);
        }
    }
    cpw_free(pick);
}

/* RoleLastUsed: the only unlinked domain of an account/region, and the only unlinked role of the
 * account last used in that region: possible. */
static void s_link_by_last_used(struct cpw_inventory *inv)
{
    for (size_t d = 0; d < inv->domain_count; d++) {
        struct cpw_inv_domain *dom = inv->domains[d];
        if (dom->role_arn || !dom->region) {
            continue;
        }
        size_t domains = 0;
        size_t lo = 0;
        size_t hi = 0;
        CPW_INV_RANGE(inv, domains, domain_count, struct cpw_inv_domain, dom->account, &lo, &hi);
        for (size_t o = lo; o < hi; o++) {
            const struct cpw_inv_domain *other = inv->domains[o];
            domains += !other->role_arn && cpw_inventory_streq(other->account, dom->account) &&
                       cpw_inventory_streq(other->region, dom->region);
        }
        struct cpw_inv_role *only = NULL;
        size_t candidates = 0;
        CPW_INV_RANGE(inv, roles, role_count, struct cpw_inv_role, dom->account, &lo, &hi);
        for (size_t r = lo; r < hi; r++) {
            struct cpw_inv_role *role = inv->roles[r];
            if (s_unlinked_profile_role(role, dom->account) &&
                cpw_inventory_streq(role->last_used_region, dom->region)) {
                only = role;
                candidates++;
            }
        }
        if (domains == 1 && candidates == 1) {
            s_link(dom, only, CPW_INV_CONFIDENCE_POSSIBLE);
        }
    }
}

/* ----- findings: instances ------------------------------------------------------------------- */

static void s_find_instances(struct cpw_inventory *inv)
{
    for (size_t i = 0; i < inv->instance_count; i++) {
        const struct cpw_inv_instance *x = inv->instances[i];
        if (!s_live(x) || !x->status || strcmp(x->status, "ACTIVE") == 0) {
            continue;
        }
        bool failed = strcmp(x->status, "CREATION_FAILED") == 0;
        struct cpw_inv_finding *f =
          cpw_inventory_push_finding(inv, CPW_INV_FINDING_INSTANCE_NOT_ACTIVE,
                                     failed ? CPW_INV_SEVERITY_WARNING : CPW_INV_SEVERITY_INFO,
                                     CPW_INV_CONFIDENCE_CERTAIN, x->arn, x->account, x->region);
        char created[32];
        cpw_inventory_format_time(x->created_at_s, created);
        cpw_inventory_evidence(f, "instance %s (%s) has status %s (created %s)",
                               x->id ? x->id : s_instance_id(x->arn ? x->arn : ""),
                               x->alias ? x->alias : "no alias", x->status, created);
        if (x->service_role_arn) {
            cpw_inventory_evidence(f, "its service role is %s", x->service_role_arn);
        }
        if (failed) {
            cpw_inventory_action(
              f,
              "Delete the failed instance (aws connect delete-instance --region %s "
              "--instance-id %s), then check that its service-linked role went with it.",
              x->region ? x->region : "?", x->id ? x->id : "?");
        } else {
            cpw_inventory_action(f, "Wait for the instance to leave %s, then scan again.",
                                 x->status);
        }
    }
}

/* ----- findings: domains and integrations ----------------------------------------------------- */

/* A Connect integration whose instance is not listed (live). */
struct gone {
    const char *uri;
    enum cpw_inv_confidence confidence; /* certain only when its region was read without error */
    const struct cpw_inv_error *error;
    const struct cpw_inv_region_status *status;
    enum cpw_inv_visibility visibility;
};

static void s_evidence_gone(struct cpw_inv_finding *f, const struct gone *g)
{
    switch (g->visibility) {
    case CPW_INV_VIS_FAILED:
        if (g->error) {
            cpw_inventory_evidence_error(f, g->error, "the instance it points at may still exist");
        } else {
            cpw_inventory_evidence(f, "whether region %s is enabled for account %s is unknown (%s)",
                                   s_or(g->status ? g->status->region : NULL, "?"),
                                   s_or(g->status ? g->status->account : NULL, "?"),
                                   s_or(g->status ? g->status->evidence : NULL, "no detail"));
        }
        cpw_inventory_evidence(f, "integration Uri %s: instance not confirmed gone", g->uri);
        break;
    case CPW_INV_VIS_UNSCANNED:
        cpw_inventory_evidence(f,
                               "integration Uri %s points at an account or region outside "
                               "this scan; the instance may still exist",
                               g->uri);
        break;
    case CPW_INV_VIS_NOT_ENABLED:
        cpw_inventory_evidence(f,
                               "integration Uri %s points at instance %s in a region that is not "
                               "enabled for its account, so the instance cannot exist",
                               g->uri, s_instance_id(g->uri));
        break;
    default:
        cpw_inventory_evidence(f,
                               "integration Uri %s points at instance %s, which ListInstances "
                               "no longer returns",
                               g->uri, s_instance_id(g->uri));
        break;
    }
}

static bool s_connect_uri(const char *uri)
{
    char *account = NULL;
    char *region = NULL;
    bool yes = s_connect_instance_arn(uri, &account, &region);
    cpw_free(account);
    cpw_free(region);
    return yes;
}

/* unattached-domain: no Connect integration at all. Nothing proves the domain is a leftover of a
 * deleted instance (domains also serve applications directly and through S3, Salesforce,
 * ServiceNow, Zendesk or Marketo integrations), so it is only reported, with its signs of life. */
static void s_find_unattached(struct cpw_inventory *inv,
                              const struct cpw_inv_domain *dom,
                              const struct cpw_inv_error *own_error)
{
    struct cpw_inv_finding *f =
      cpw_inventory_push_finding(inv, CPW_INV_FINDING_UNATTACHED_DOMAIN, CPW_INV_SEVERITY_INFO,
                                 CPW_INV_CONFIDENCE_POSSIBLE, dom->arn, dom->account, dom->region);
    cpw_inventory_evidence(f,
                           "domain %s has no integration whose Uri is a Connect instance: nothing "
                           "shows that it served an instance that is now gone",
                           s_or(dom->name, "?"));
    size_t others = 0;
    for (size_t i = 0; i < dom->integration_count; i++) {
        const struct cpw_inv_integration *it = &dom->integrations[i];
        if (!s_connect_uri(it->uri)) {
            others++;
            cpw_inventory_evidence(f, "sign of life: integration %s (object type %s)",
                                   s_or(it->uri, "?"), s_or(it->object_type_name, "none"));
        }
    }
    if (dom->updated_at_s && inv->scanned_at_s &&
        inv->scanned_at_s - dom->updated_at_s <= CPW_INV_RECENT_UPDATE_S) {
        char when[32];
        cpw_inventory_format_time(dom->updated_at_s, when);
        cpw_inventory_evidence(f, "sign of life: updated %s, within 30 days of the scan", when);
    }
    if (dom->created_at_s && inv->scanned_at_s &&
        inv->scanned_at_s - dom->created_at_s <= CPW_INV_RECENT_UPDATE_S) {
        char when[32];
        cpw_inventory_format_time(dom->created_at_s, when);
        cpw_inventory_evidence(f, "sign of life: created %s, within 30 days of the scan", when);
    }
    if (dom->profile_count > 0) {
        cpw_inventory_evidence(f, "sign of life: the domain holds %lld profiles",
                               (long long)dom->profile_count);
    } else if (dom->profile_count == 0) {
        cpw_inventory_evidence(f, "the domain holds no profiles");
    } else {
        cpw_inventory_evidence(f, "the domain's profile count is unknown");
    }
    if (own_error) {
        cpw_inventory_evidence_error(f, own_error, "the domain's integrations may be incomplete");
    }
    if (dom->role_arn) {
        cpw_inventory_evidence(f, "its Customer Profiles role is %s (%s link)", dom->role_arn,
                               s_or(cpw_inv_confidence_name(dom->role_confidence), "unknown"));
    }
    cpw_inventory_action(f,
                         "Find out who uses domain %s (applications calling Customer Profiles%s) "
                         "before deciding; cpwarden never plans it. Only a Connect integration "
                         "whose instance is gone (or CloudTrail) shows a domain is left over.",
                         s_or(dom->name, "?"), others ? ", its non-Connect integrations" : "");
}

/* One dangling-integration finding per Connect integration of a domain that stays (it serves
 * live instances, or other integrations keep it) whose instance is gone. */
static void s_find_dangling(struct cpw_inventory *inv,
                            const struct cpw_inv_domain *dom,
                            const struct gone *gone,
                            size_t gone_count,
                            const struct cpw_inv_error *own_error)
{
    for (size_t i = 0; i < gone_count; i++) {
        struct cpw_buf arn;
        cpw_buf_init(&arn, 8192);
        (void)cpw_buf_appendf(&arn, "%s/integrations/%s", dom->arn ? dom->arn : "", gone[i].uri);
        enum cpw_inv_confidence c = own_error ? CPW_INV_CONFIDENCE_POSSIBLE : gone[i].confidence;
        struct cpw_inv_finding *f = cpw_inventory_push_finding(
          inv, CPW_INV_FINDING_DANGLING_INTEGRATION, CPW_INV_SEVERITY_WARNING, c,
          cpw_buf_cstr(&arn), dom->account, dom->region);
        cpw_buf_clean_up(&arn);
        s_evidence_gone(f, &gone[i]);
        if (dom->instance_arn_count > 0) {
            cpw_inventory_evidence(f, "domain %s still serves %zu live instance(s), first %s",
                                   s_or(dom->name, "?"), dom->instance_arn_count,
                                   s_or(dom->instance_arns[0], "?"));
        } else {
            cpw_inventory_evidence(f,
                                   "domain %s stays: it has other integrations that may still "
                                   "use it",
                                   s_or(dom->name, "?"));
        }
        if (own_error) {
            cpw_inventory_evidence_error(f, own_error, "the integration list may be stale");
        }
        cpw_inventory_action(f,
                             "Remove the integration (aws customer-profiles "
                             "delete-integration --region %s --domain-name %s --uri %s); keep "
                             "the domain.",
                             dom->region ? dom->region : "?", dom->name ? dom->name : "?",
                             gone[i].uri);
    }
}

static void s_find_domain(struct cpw_inventory *inv, const struct cpw_inv_domain *dom)
{
    struct gone *gone = cpw_calloc(dom->integration_count + 1, sizeof(*gone));
    size_t gone_count = 0;
    size_t connect_count = 0;
    for (size_t i = 0; i < dom->integration_count; i++) {
        const char *uri = dom->integrations[i].uri;
        char *account = NULL;
        char *region = NULL;
        if (!s_connect_instance_arn(uri, &account, &region)) {
            continue;
        }
        connect_count++;
        if (!s_live_instance(inv, uri)) {
            struct gone *g = &gone[gone_count++];
            g->uri = uri;
            g->visibility =
              cpw_inventory_visibility(inv, account, region, "connect", &g->error, &g->status);
            g->confidence =
              g->visibility == CPW_INV_VIS_SEEN || g->visibility == CPW_INV_VIS_NOT_ENABLED
                ? CPW_INV_CONFIDENCE_CERTAIN
                : CPW_INV_CONFIDENCE_POSSIBLE;
        }
        cpw_free(account);
        cpw_free(region);
    }
    const struct cpw_inv_error *own_error =
      cpw_inventory_error_for(inv, dom->account, dom->region, "profile");
    char count[32] = "an unknown number of";
    if (dom->profile_count >= 0) {
        snprintf(count, sizeof(count), "%lld", (long long)dom->profile_count);
    }

    if (connect_count == 0) {
        s_find_unattached(inv, dom, own_error);
    } else if (dom->instance_arn_count == 0) {
        enum cpw_inv_confidence c = CPW_INV_CONFIDENCE_CERTAIN;
        bool other_use = false;
        for (size_t i = 0; i < gone_count; i++) {
            c = s_min(c, gone[i].confidence);
        }
        if (own_error) {
            c = CPW_INV_CONFIDENCE_POSSIBLE;
        }
        struct cpw_inv_finding *f = cpw_inventory_push_finding(
          inv, CPW_INV_FINDING_DOMAIN_WITHOUT_INSTANCE, CPW_INV_SEVERITY_WARNING, c, dom->arn,
          dom->account, dom->region);
        cpw_inventory_evidence(f,
                               "every Connect integration of domain %s (%zu) points at an "
                               "instance that no longer exists",
                               s_or(dom->name, "?"), connect_count);
        for (size_t i = 0; i < gone_count; i++) {
            s_evidence_gone(f, &gone[i]);
        }
        for (size_t i = 0; i < dom->integration_count; i++) {
            if (!s_connect_uri(dom->integrations[i].uri)) {
                cpw_inventory_evidence(f,
                                       "sign of life: it also has integration %s, which may "
                                       "still use it",
                                       s_or(dom->integrations[i].uri, "?"));
                c = f->confidence = CPW_INV_CONFIDENCE_POSSIBLE;
                other_use = true;
            }
        }
        if (dom->updated_at_s && inv->scanned_at_s &&
            inv->scanned_at_s - dom->updated_at_s <= CPW_INV_RECENT_UPDATE_S) {
            char when[32];
            cpw_inventory_format_time(dom->updated_at_s, when);
            /* Evidence only: the gone instance is the positive evidence, and a domain is
             * updated by more than its users (its integrations' removal, say). */
            cpw_inventory_evidence(f, "updated %s, within 30 days of the scan", when);
        }
        if (own_error) {
            cpw_inventory_evidence_error(f, own_error,
                                         "the domain's integrations may be incomplete");
        }
        cpw_inventory_evidence(f, "the domain holds %s profiles", count);
        if (dom->role_arn) {
            cpw_inventory_evidence(f, "its Customer Profiles role is %s (%s link)", dom->role_arn,
                                   s_or(cpw_inv_confidence_name(dom->role_confidence), "unknown"));
        }
        if (c >= CPW_INV_CONFIDENCE_LIKELY) {
            cpw_inventory_action(f,
                                 "Back up the domain (cpwarden backup), then delete it (aws "
                                 "customer-profiles delete-domain --region %s --domain-name %s); "
                                 "if its service-linked role stays, remove it with aws iam "
                                 "delete-service-linked-role.",
                                 dom->region ? dom->region : "?", dom->name ? dom->name : "?");
        } else if (other_use) {
            cpw_inventory_action(f,
                                 "Keep domain %s: its other integrations may still use it. Find "
                                 "out who reads it before deciding.",
                                 dom->name ? dom->name : "?");
            /* Kept alive by its other integrations, the domain still holds dead ones. */
            s_find_dangling(inv, dom, gone, gone_count, own_error);
        } else {
            cpw_inventory_action(f,
                                 "Keep domain %s until the instances it points at are confirmed "
                                 "gone: read the missing regions (cpwarden inventory --regions "
                                 "all) or fix the scan errors, then review it again.",
                                 dom->name ? dom->name : "?");
        }
    } else {
        s_find_dangling(inv, dom, gone, gone_count, own_error);
    }
    cpw_free(gone);
}

/* ----- entry point ------------------------------------------------------------------------------
 */

int cpw_inventory_analyze(struct cpw_inventory *inv)
{
    cpw_inventory_clear_derived(inv);
    cpw_inventory_sort(inv); /* links are chosen in a stable order */
    s_link_instances(inv);
    s_link_by_cloudtrail(inv);
    s_link_by_time(inv);
    s_link_by_last_used(inv);
    s_find_instances(inv);
    for (size_t d = 0; d < inv->domain_count; d++) {
        s_find_domain(inv, inv->domains[d]);
    }
    cpw_inventory_find_roles(inv);
    cpw_inventory_sort(inv);
    return 0;
}
