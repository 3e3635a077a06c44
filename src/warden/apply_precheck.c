/*
 * apply_precheck.c - the fresh preconditions of every mutating step: right before
 * DeleteIntegration, DeleteDomain or DeleteServiceLinkedRole, the target is read again live and
 * the step is refused, with the reason, when it is protected now, when something alive uses it,
 * or when what it would destroy has grown beyond what the plan recorded. A run resumed from the
 * journal gets the same checks as a first run.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply_internal.h"
#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/live.h"
#include "cpw/plan_targets.h"
#include "cpw/protect.h"
#include "cpw/regions.h"

static enum cpw_apply_outcome s_refuse(struct cpw_buf *detail, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

static enum cpw_apply_outcome s_refuse(struct cpw_buf *detail, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)cpw_buf_vappendf(detail, fmt, ap);
    va_end(ap);
    return CPW_APPLY_REFUSED;
}

static enum cpw_apply_outcome s_read_failed(struct cpw_buf *detail, const char *what)
{
    (void)cpw_buf_appendf(detail, "cannot verify the preconditions (%s): %s", what,
                          cpw_last_error_detail());
    return CPW_APPLY_FAILED;
}

static void s_connect_scope_clean_up(struct cpw_apply_connect_scope *scope)
{
    cpw_free(scope->account);
    cpw_free(scope->partition);
    cpw_free(scope->error);
    json_decref(scope->instances);
    memset(scope, 0, sizeof(*scope));
}

void cpw_apply_ctx_clean_up(struct cpw_apply_ctx *ctx)
{
    s_connect_scope_clean_up(&ctx->connect);
    cpw_free(ctx->scan.account);
    cpw_free(ctx->scan.error);
    cpw_inventory_destroy(ctx->scan.inv);
    memset(&ctx->scan, 0, sizeof(ctx->scan));
    cpw_journal_interrupted_free(ctx->interrupted, ctx->interrupted_count);
    ctx->interrupted = NULL;
    ctx->interrupted_count = 0;
}

/* ----- domains ---------------------------------------------------------------------------- */

/* "arn:aws:profile:R:A:domains/NAME" -> NAME (borrowed), or NULL. */
static const char *s_domain_from_arn(const char *arn)
{
    const char *p = arn ? strstr(arn, ":domains/") : NULL;
    return p && p[9] ? p + 9 : NULL;
}

/* The plan's delete-domain action of a domain: the facts its checks compare with. */
static const struct cpw_plan_action *s_planned_domain(const struct cpw_plan *plan,
                                                      const struct cpw_plan_action *a,
                                                      const char *name)
{
    for (size_t i = 0; i < plan->action_count; i++) {
        const struct cpw_plan_action *d = &plan->actions[i];
        if (d->kind == CPW_PLAN_DELETE_DOMAIN && strcmp(d->account, a->account) == 0 &&
            strcmp(d->region, a->region) == 0 && strcmp(d->name, name) == 0) {
            return d;
        }
    }
    return NULL;
}

/* A count the plan recorded: false when it recorded none or "unknown". */
static bool s_planned_count(const struct cpw_plan_action *ref, const char *key, uint64_t *out)
{
    const char *text = cpw_plan_action_fact(ref, key);
    return text && cpw_span_to_u64(cpw_span_from_cstr(text), UINT64_MAX, out) == 0;
}

/* Something alive uses the domain and the plan did not account for it. */
static bool s_instance_refusal(const struct cpw_apply_ctx *ctx,
                               const struct cpw_plan_action *ref,
                               const struct cpw_live_domain *d,
                               struct cpw_buf *detail)
{
    for (size_t i = 0; i < d->input.instance_count; i++) {
        const struct cpw_plan_instance_input *in = &d->instances[i];
        if (strcmp(in->status, "DELETED") == 0) {
            continue;
        }
        char key[1200];
        snprintf(key, sizeof(key), "instance.%s.status", in->arn);
        const char *planned = cpw_plan_action_fact(ref, key);
        if (!planned || strcmp(planned, "DELETED") == 0) {
            s_refuse(detail,
                     "domain %s is now used by Connect instance %s (%s), which the plan did not "
                     "know as live",
                     d->name, in->arn, in->status);
            return true;
        }
        if (strcmp(planned, in->status) != 0) {
            s_refuse(detail,
                     "Connect instance %s, which uses domain %s, is %s now (the plan saw %s)",
                     in->arn, d->name, in->status, planned);
            return true;
        }
        if (strcmp(in->status, "ACTIVE") == 0 && !ctx->opts->plan->force) {
            s_refuse(detail,
                     "domain %s is used by ACTIVE Connect instance %s and the plan was not made "
                     "with --force",
                     d->name, in->arn);
            return true;
        }
    }
    return false;
}

/* What the deletion destroys has grown beyond the plan's facts. */
static bool s_growth_refusal(const struct cpw_plan_action *ref,
                             const struct cpw_live_domain *d,
                             struct cpw_buf *detail)
{
    const struct {
        const char *key;
        uint64_t now;
        bool known;
    } counts[] = {
        { "domain.profile_count", d->input.profile_count, d->input.profile_count_known },
        { "domain.object_count", d->input.object_count, true },
        { "domain.integration_count", d->input.integration_count, true },
        { "domain.object_type_count", d->input.object_type_count, true },
        { "domain.event_stream_count", d->input.event_stream_count, true },
        { "domain.calculated_attribute_count", d->input.calculated_attribute_count, true },
    };
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        uint64_t was = 0;
        const char *text = cpw_plan_action_fact(ref, counts[i].key);
        if (!counts[i].known) {
            if (text && strcmp(text, "unknown") != 0) {
                s_refuse(detail, "domain %s: %s cannot be read now (the plan saw %s)", d->name,
                         counts[i].key, text);
                return true;
            }
            continue;
        }
        if (!s_planned_count(ref, counts[i].key, &was)) {
            s_refuse(detail, "domain %s: the plan recorded no %s to compare with (now %llu)",
                     d->name, counts[i].key, (unsigned long long)counts[i].now);
            return true;
        }
        if (counts[i].now > was) {
            s_refuse(detail, "domain %s has grown since the plan: %s was %llu, is now %llu",
                     d->name, counts[i].key, (unsigned long long)was,
                     (unsigned long long)counts[i].now);
            return true;
        }
    }
    return false;
}

/* The checks of a step on a domain: DeleteIntegration (uri set) or DeleteDomain. */
static enum cpw_apply_outcome s_check_domain(struct cpw_apply_ctx *ctx,
                                             const struct cpw_plan_action *a,
                                             const char *name,
                                             const char *uri,
                                             struct cpw_buf *detail)
{
    const struct cpw_plan_action *ref = s_planned_domain(ctx->opts->plan, a, name);
    if (!ref) {
        return s_refuse(detail, "the plan records no delete-domain facts for domain %s", name);
    }
    struct cpw_live_domain d;
    bool exists = false;
    if (cpw_live_observe_domain(ctx->opts->client, a->account, a->region, name, &d, &exists)) {
        return s_read_failed(detail, "reading the domain");
    }
    enum cpw_apply_outcome o = CPW_APPLY_DONE;
    char *reason = NULL;
    /* What is already gone needs no call, whatever else changed: a run interrupted between a
     * deletion and its journal record is completed as "already" by the next one. */
    const struct cpw_plan_integration_input *in = NULL;
    for (size_t i = 0; exists && uri && i < d.input.integration_count; i++) {
        in = strcmp(d.integrations[i].uri, uri) == 0 ? &d.integrations[i] : in;
    }
    if (!exists) {
        (void)cpw_buf_appendf(detail, "domain %s is already gone", name);
        o = CPW_APPLY_ALREADY;
    } else if (uri && !in) {
        (void)cpw_buf_appendf(detail, "integration %s is already gone", uri);
        o = CPW_APPLY_ALREADY;
    } else if (cpw_protect_check(ctx->opts->protect, a->account, CPW_PROTECT_DOMAIN, name, d.tags,
                                 d.input.tag_count, &reason) == CPW_PROTECT_PROTECTED) {
        o = s_refuse(detail, "domain %s is protected now: %s", name, reason ? reason : "");
    } else if (s_instance_refusal(ctx, ref, &d, detail) || s_growth_refusal(ref, &d, detail)) {
        o = CPW_APPLY_REFUSED;
    } else if (in && !in->dangling) {
        o = s_refuse(detail, "the target of integration %s exists again", uri);
    }
    cpw_free(reason);
    cpw_live_domain_clean_up(&d);
    return o;
}

/* ----- roles ------------------------------------------------------------------------------ */

/* "arn:PARTITION:..." -> partition into out ("aws" when the ARN says nothing). */
static void s_partition_of(const char *arn, char *out, size_t size)
{
    snprintf(out, size, "aws");
    if (arn && strncmp(arn, "arn:", 4) == 0) {
        size_t len = strcspn(arn + 4, ":");
        if (len > 0 && len < size) {
            memcpy(out, arn + 4, len);
            out[len] = '\0';
        }
    }
}

/* Every region of the partition where service is offered; -1 with the error raised. */
static int s_scope(const char *service, const char *partition, struct cpw_region_list *out)
{
    memset(out, 0, sizeof(*out));
    if (cpw_regions_for_service(service, partition, out)) {
        return -1;
    }
    if (out->count == 0) {
        return cpw_raise(CPW_ERR_NOT_FOUND, "no region of partition %s offers %s", partition,
                         service);
    }
    return 0;
}

/* Reads (once per run and account) every Connect instance in the role's partition. */
static void s_load_connect_scope(struct cpw_apply_ctx *ctx, const char *account, const char *arn)
{
    char partition[32];
    s_partition_of(arn, partition, sizeof(partition));
    struct cpw_apply_connect_scope *scope = &ctx->connect;
    if (scope->account && strcmp(scope->account, account) == 0 &&
        strcmp(scope->partition, partition) == 0) {
        return;
    }
    s_connect_scope_clean_up(scope);
    scope->account = cpw_strdup(account);
    scope->partition = cpw_strdup(partition);
    scope->instances = json_array();
    struct cpw_region_list regions;
    if (s_scope("connect", partition, &regions)) {
        scope->error = cpw_strdup(cpw_last_error_detail());
        cpw_region_list_clean_up(&regions);
        return;
    }
    /* Regions the account has not enabled hold no instance (and answer errors): skip them. */
    json_t *listed = json_object();
    char *why = NULL;
    cpw_live_list_regions(ctx->opts->client, regions.count ? regions.names[0] : NULL, listed, &why);
    cpw_free(why); /* unknown statuses: every region is read, and an unreadable one refuses */
    struct cpw_buf errors;
    cpw_buf_init(&errors, 64u * 1024u);
    for (size_t r = 0; r < regions.count; r++) {
        json_t *out = NULL;
        if (!cpw_live_region_usable(json_string_value(json_object_get(listed, regions.names[r])))) {
            continue;
        }
        if (cpw_live_call(ctx->opts->client, "connect", "ListInstances", NULL, regions.names[r],
                          true, &out, NULL)) {
            (void)cpw_buf_appendf(&errors, "%sListInstances in %s: %s", errors.len ? "; " : "",
                                  regions.names[r], cpw_last_error_detail());
            continue;
        }
        size_t i;
        json_t *item;
        json_array_foreach(cpw_json_get(out, "InstanceSummaryList"), i, item)
        {
            const char *iarn = cpw_json_get_string(item, "Arn");
            const char *status = cpw_json_get_string(item, "InstanceStatus");
            const char *role = cpw_json_get_string(item, "ServiceRole");
            json_array_append_new(
              scope->instances, json_pack("{s:s, s:s, s:s, s:s}", "Region", regions.names[r], "Arn",
                                          iarn ? iarn : "?", "Status", status ? status : "UNKNOWN",
                                          "ServiceRole", role ? role : ""));
        }
        json_decref(out);
    }
    if (errors.len) {
        scope->error = cpw_buf_detach(&errors);
    }
    cpw_buf_clean_up(&errors);
    json_decref(listed);
    cpw_region_list_clean_up(&regions);
}

/* True when role_arn (or, without an ARN, a role of that name) is service_role. */
static bool s_same_role(const char *service_role, const char *role_arn, const char *name)
{
    if (!service_role || !*service_role) {
        return false;
    }
    if (role_arn && *role_arn && strcmp(service_role, role_arn) == 0) {
        return true;
    }
    const char *slash = strrchr(service_role, '/');
    return slash && strcmp(slash + 1, name) == 0;
}

static enum cpw_apply_outcome s_check_connect_role(struct cpw_apply_ctx *ctx,
                                                   const struct cpw_plan_action *a,
                                                   const char *role_arn,
                                                   struct cpw_buf *detail)
{
    s_load_connect_scope(ctx, a->account, role_arn);
    const struct cpw_apply_connect_scope *scope = &ctx->connect;
    size_t i;
    json_t *item;
    json_array_foreach(scope->instances, i, item)
    {
        if (s_same_role(cpw_json_get_string(item, "ServiceRole"), role_arn, a->name)) {
            return s_refuse(detail, "role %s is the service role of Connect instance %s (%s) in %s",
                            a->name, cpw_json_get_string(item, "Arn"),
                            cpw_json_get_string(item, "Status"),
                            cpw_json_get_string(item, "Region"));
        }
    }
    if (scope->error) {
        return s_refuse(detail,
                        "cannot confirm that no Connect instance uses role %s: not every region "
                        "where Connect is offered could be read (%s)",
                        a->name, scope->error);
    }
    return CPW_APPLY_DONE;
}

/* "arn:P:profile:REGION:ACCOUNT:domains/NAME" -> region into out, name borrowed; false if not. */
static bool s_domain_arn_parts(const char *arn, char *region, size_t size, const char **name)
{
    const char *p = arn ? strstr(arn, ":profile:") : NULL;
    *name = s_domain_from_arn(arn);
    if (!p || !*name) {
        return false;
    }
    p += 9;
    size_t len = strcspn(p, ":");
    if (len == 0 || len >= size) {
        return false;
    }
    memcpy(region, p, len);
    region[len] = '\0';
    return true;
}

/* Scans the account (once per run) over every region where Customer Profiles or Connect is
 * offered in the role's partition: the complete scope the inventory's rules need. */
static void s_load_scan(struct cpw_apply_ctx *ctx, const char *account, const char *role_arn)
{
    struct cpw_apply_account_scan *scan = &ctx->scan;
    if (scan->account && strcmp(scan->account, account) == 0) {
        return;
    }
    cpw_free(scan->account);
    cpw_free(scan->error);
    cpw_inventory_destroy(scan->inv);
    memset(scan, 0, sizeof(*scan));
    scan->account = cpw_strdup(account);
    char partition[32];
    s_partition_of(role_arn, partition, sizeof(partition));
    struct cpw_region_list regions;
    memset(&regions, 0, sizeof(regions));
    if (cpw_regions_for_service("customer-profiles", partition, &regions) ||
        cpw_regions_for_service("connect", partition, &regions)) {
        scan->error = cpw_strdup(cpw_last_error_detail());
    } else {
        scan->inv = cpw_inventory_new();
        if (cpw_live_scan(ctx->opts->client, account, &regions, scan->inv)) {
            scan->error = cpw_strdup(cpw_last_error_detail());
        }
    }
    cpw_region_list_clean_up(&regions);
}

/* A Customer Profiles role with no recorded domain: the inventory's rules, applied live over the
 * complete scope, must still find it orphaned with the confidence the plan accepted. */
static enum cpw_apply_outcome s_check_profile_orphan(struct cpw_apply_ctx *ctx,
                                                     const struct cpw_plan_action *a,
                                                     const char *role_arn,
                                                     struct cpw_buf *detail)
{
    s_load_scan(ctx, a->account, role_arn);
    const struct cpw_apply_account_scan *scan = &ctx->scan;
    if (scan->error) {
        return s_refuse(detail,
                        "no domain is recorded for role %s and the account cannot be "
                        "scanned to rule every domain out: %s",
                        a->name, scan->error);
    }
    enum cpw_inv_confidence needed =
      ctx->opts->plan->include_possible ? CPW_INV_CONFIDENCE_POSSIBLE : CPW_INV_CONFIDENCE_LIKELY;
    for (size_t i = 0; i < cpw_inventory_finding_count(scan->inv); i++) {
        const struct cpw_inv_finding *f = cpw_inventory_finding(scan->inv, i);
        if (f->kind != CPW_INV_FINDING_ORPHANED_PROFILE_ROLE || !f->resource_arn ||
            strcmp(f->resource_arn, role_arn) != 0) {
            continue;
        }
        if (f->confidence >= needed) {
            return CPW_APPLY_DONE;
        }
        s_refuse(detail,
                 "role %s is only %s orphaned now over every region where Customer Profiles is "
                 "offered:",
                 a->name, cpw_inv_confidence_name(f->confidence));
        for (size_t e = 0; e < f->evidence_count && e < 8; e++) {
            (void)cpw_buf_appendf(detail, "%s %s", e ? ";" : "", f->evidence[e]);
        }
        return CPW_APPLY_REFUSED;
    }
    const struct cpw_inv_role *role = cpw_inventory_find_role(scan->inv, role_arn);
    if (role && role->linked_arn) {
        return s_refuse(detail, "role %s is the role of domain %s, which exists", a->name,
                        role->linked_arn);
    }
    return s_refuse(detail,
                    "role %s is no longer found orphaned over every region where Customer "
                    "Profiles is offered",
                    a->name);
}

static enum cpw_apply_outcome s_check_profile_role(struct cpw_apply_ctx *ctx,
                                                   const struct cpw_plan_action *a,
                                                   const char *role_arn,
                                                   struct cpw_buf *detail)
{
    const char *linked = cpw_plan_action_fact(a, "role.linked_resource");
    if (!linked || !*linked) {
        return s_check_profile_orphan(ctx, a, role_arn, detail);
    }
    char region[64];
    const char *name = NULL;
    if (!s_domain_arn_parts(linked, region, sizeof(region), &name)) {
        return s_refuse(detail, "the role's domain %s is not a Customer Profiles domain ARN",
                        linked);
    }
    json_t *out = NULL;
    bool exists = true;
    if (cpw_live_call(ctx->opts->client, "customer-profiles", "GetDomain",
                      json_pack("{s:s}", "DomainName", name), region, false, &out, &exists)) {
        return s_read_failed(detail, "reading the role's domain");
    }
    json_decref(out);
    if (exists) {
        return s_refuse(detail, "the domain of role %s, %s, still exists", a->name, linked);
    }
    return CPW_APPLY_DONE;
}

static enum cpw_apply_outcome s_check_role(struct cpw_apply_ctx *ctx,
                                           const struct cpw_plan_action *a,
                                           struct cpw_buf *detail)
{
    struct cpw_live_role r;
    bool exists = false;
    const char *service = cpw_plan_action_fact(a, "role.service");
    enum cpw_plan_role_kind kind = CPW_PLAN_ROLE_CONNECT_SLR;
    if (service && strcmp(service, "profile.amazonaws.com") == 0) {
        kind = CPW_PLAN_ROLE_PROFILE_SLR;
    } else if (service && strcmp(service, "connect.amazonaws.com") == 0) {
        kind = CPW_PLAN_ROLE_CONNECT_SLR;
    } else if (cpw_plan_role_kind_of(a->name, &kind)) {
        return s_refuse(detail, "%s", cpw_last_error_detail());
    }
    if (cpw_live_observe_role(ctx->opts->client, a->account, a->name, kind, NULL, &r, &exists)) {
        return s_read_failed(detail, "reading the role");
    }
    enum cpw_apply_outcome o = CPW_APPLY_DONE;
    char *reason = NULL;
    if (!exists) {
        (void)cpw_buf_appendf(detail, "role %s is already gone", a->name);
        o = CPW_APPLY_ALREADY;
    } else if (cpw_protect_check(ctx->opts->protect, a->account, CPW_PROTECT_ROLE, a->name, r.tags,
                                 r.input.tag_count, &reason) == CPW_PROTECT_PROTECTED) {
        o = s_refuse(detail, "role %s is protected now: %s", a->name, reason ? reason : "");
    } else if (kind == CPW_PLAN_ROLE_PROFILE_SLR) {
        o = s_check_profile_role(ctx, a, r.arn, detail);
    } else {
        o = s_check_connect_role(ctx, a, r.arn, detail);
    }
    cpw_free(reason);
    cpw_live_role_clean_up(&r);
    return o;
}

enum cpw_apply_outcome cpw_apply_precheck(struct cpw_apply_ctx *ctx,
                                          const struct cpw_plan_action *a,
                                          struct cpw_buf *detail)
{
    if (strcmp(a->account, ctx->opts->account) != 0) {
        return s_refuse(detail, "%s is in account %s, but this run acts in account %s", a->name,
                        a->account, ctx->opts->account);
    }
    switch (a->kind) {
    case CPW_PLAN_DELETE_INTEGRATION: {
        const char *domain = s_domain_from_arn(a->arn);
        if (!domain) {
            return s_refuse(detail, "the action names no domain ARN");
        }
        return s_check_domain(ctx, a, domain, a->name, detail);
    }
    case CPW_PLAN_DELETE_DOMAIN:
        return s_check_domain(ctx, a, a->name, NULL, detail);
    case CPW_PLAN_DELETE_SERVICE_LINKED_ROLE:
        return s_check_role(ctx, a, detail);
    default:
        return CPW_APPLY_DONE; /* no mutating call */
    }
}
