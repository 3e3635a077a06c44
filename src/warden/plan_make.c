/*
 * plan_make.c - a plan made from what was asked (plan_make.h): named targets, an instance's
 * domains or an inventory's leftovers, member accounts, then the plan built live.
 */
#include "cpw/plan_make.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpw/accounts.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/inventory.h"
#include "cpw/inventory_collect.h"
#include "cpw/live.h"
#include "cpw/plan_targets.h"
#include "cpw/regions.h"

/* Tells fn (when set) one formatted line. */
static void s_note(cpw_plan_note_fn *fn, void *user, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

static void s_note(cpw_plan_note_fn *fn, void *user, const char *fmt, ...)
{
    if (!fn) {
        return;
    }
    struct cpw_buf line;
    cpw_buf_init(&line, 64u * 1024u);
    va_list ap;
    va_start(ap, fmt);
    (void)cpw_buf_vappendf(&line, fmt, ap);
    va_end(ap);
    fn(user, cpw_buf_cstr(&line));
    cpw_buf_clean_up(&line);
}

/* The inventory the orphans (or the instance's domains) come from: the file, or a live scan. */
static struct cpw_inventory *s_inventory(const struct cpw_plan_make_options *opts)
{
    if (opts->inventory_path) {
        struct cpw_buf text;
        cpw_buf_init(&text, 64u * 1024u * 1024u);
        struct cpw_inventory *inv = NULL;
        if (cpw_buf_read_file(&text, opts->inventory_path) == 0) {
            inv = cpw_inventory_load_json(cpw_buf_span(&text));
        }
        cpw_buf_clean_up(&text);
        return inv;
    }
    static const char *const services[] = { "connect", "customer-profiles" };
    struct cpw_region_list regions;
    memset(&regions, 0, sizeof(regions));
    struct cpw_regions_parse_options ro = {
        .spec = opts->regions ? opts->regions : "all", /* the scope inventory reads */
        .services = services,
        .service_count = 2,
        .current_region = opts->region,
    };
    if (cpw_regions_parse(&ro, &regions)) {
        return NULL;
    }
    s_note(opts->progress, opts->user, "scanning %s ...", ro.spec);
    struct cpw_inventory *inv = cpw_inventory_new();
    if (opts->org || opts->account_count) { /* every member, reached as inventory --org does */
        struct cpw_collect_options co = {
            .org = opts->org,
            .role_name = opts->role_name,
            .accounts = opts->accounts,
            .account_count = opts->account_count,
            .regions = (const char *const *)regions.names,
            .region_count = regions.count,
        };
        struct cpw_collect_result result;
        if (cpw_collect_inventory(opts->client, &co, inv, &result)) {
            cpw_inventory_destroy(inv);
            inv = NULL;
        }
        cpw_collect_result_clean_up(&result);
        for (size_t i = 0; inv && i < cpw_inventory_error_count(inv); i++) {
            const struct cpw_inv_error *e = cpw_inventory_error(inv, i);
            if (e->operation && strcmp(e->operation, "AssumeRole") == 0) {
                s_note(opts->warning, opts->user, "account %s not scanned: %s", e->account,
                       e->message ? e->message : "");
            }
        }
    } else {
        (void)cpw_live_scan(opts->client, opts->account, &regions, inv);
        /* A read refused (AccessDenied) must not pass for "nothing to clean up". */
        for (size_t i = 0; i < cpw_inventory_error_count(inv); i++) {
            const struct cpw_inv_error *e = cpw_inventory_error(inv, i);
            s_note(opts->warning, opts->user, "%s %s%s%s not read: %s", e->service, e->operation,
                   e->region ? " in " : "", e->region ? e->region : "",
                   e->message ? e->message : "");
        }
    }
    cpw_region_list_clean_up(&regions);
    return inv;
}

/* The first of opts->finding_ids that names no finding of inv, or NULL. */
static const char *s_unknown_finding(const struct cpw_inventory *inv,
                                     const struct cpw_plan_make_options *opts)
{
    for (size_t i = 0; i < opts->finding_id_count; i++) {
        bool found = false;
        for (size_t k = 0; !found && k < cpw_inventory_finding_count(inv); k++) {
            char id[CPW_INV_FINDING_ID_LEN + 1];
            found = cpw_inventory_finding_id(cpw_inventory_finding(inv, k), id) == 0 &&
                    opts->finding_ids[i] && strcmp(id, opts->finding_ids[i]) == 0;
        }
        if (!found) {
            return opts->finding_ids[i] ? opts->finding_ids[i] : "(null)";
        }
    }
    return NULL;
}

/* Steps 1 and 2 (plan_make.h). 0 or -1. */
static int s_targets(const struct cpw_plan_make_options *opts, struct cpw_plan_targets *targets)
{
    const char *account = opts->account;
    const char *domain_role = NULL;
    for (size_t i = 0; i < opts->role_count; i++) {
        enum cpw_plan_role_kind kind;
        if (cpw_plan_role_kind_of(opts->roles[i], &kind)) {
            return -1;
        }
        if (kind == CPW_PLAN_ROLE_PROFILE_SLR && opts->domain_count == 1 && !domain_role) {
            domain_role = opts->roles[i]; /* --domain D --role R: the domain and its role */
            continue;
        }
        cpw_plan_targets_add_role(targets, kind, account, opts->roles[i], NULL, false);
    }
    for (size_t i = 0; i < opts->domain_count; i++) {
        struct cpw_buf arn;
        cpw_buf_init(&arn, 2048);
        (void)cpw_inventory_domain_arn(&arn, account, opts->region, opts->domains[i]);
        cpw_plan_targets_add_domain(targets, account, opts->region, opts->domains[i], domain_role,
                                    domain_role ? cpw_buf_cstr(&arn) : NULL);
        cpw_buf_clean_up(&arn);
    }
    bool named = opts->domain_count || opts->role_count;
    if (named && !opts->instance) {
        return 0;
    }
    struct cpw_inventory *owned = opts->inventory ? NULL : s_inventory(opts);
    const struct cpw_inventory *inv = opts->inventory ? opts->inventory : owned;
    if (!inv) {
        return -1;
    }
    if (opts->instance) {
        if (cpw_plan_targets_for_instance(inv, account, opts->instance, targets) == 0) {
            cpw_inventory_destroy(owned);
            return cpw_raise(CPW_ERR_NOT_FOUND,
                             "no Customer Profiles domain in the scanned regions has an "
                             "integration with instance %s",
                             opts->instance);
        }
    } else {
        /* An organization's inventory (a scan with org or accounts, or a file that holds other
         * accounts): every account's leftovers; else the caller's. */
        bool every = opts->org || opts->account_count || opts->inventory_path || opts->inventory;
        const char *unknown = s_unknown_finding(inv, opts);
        if (unknown) {
            cpw_inventory_destroy(owned);
            return cpw_raise(CPW_ERR_NOT_FOUND, "no finding %s in the inventory", unknown);
        }
        (void)cpw_plan_targets_from_findings(inv, every ? NULL : account, opts->include_possible,
                                             opts->finding_id_count ? opts->finding_ids : NULL,
                                             opts->finding_id_count, targets);
    }
    cpw_inventory_destroy(owned);
    return 0;
}

/*
 * Step 3: targets in other accounts than the caller's make an organization plan. Sets *out to
 * the accounts set (owned), or NULL when every target is the caller's. 0 or -1.
 */
static int s_member_accounts(const struct cpw_plan_make_options *opts,
                             struct cpw_plan_targets *targets,
                             struct cpw_accounts **out)
{
    char **ids = NULL;
    size_t n = cpw_plan_targets_accounts(targets, &ids);
    bool others = opts->org || opts->account_count;
    for (size_t i = 0; i < n; i++) {
        others = others || strcmp(ids[i], opts->account) != 0;
    }
    struct cpw_accounts *set = NULL;
    if (others) {
        struct cpw_accounts_options ao = {
            .caller = opts->client,
            .client_options = opts->client_options,
            .caller_account = opts->account,
            .caller_arn = opts->caller_arn,
            .role_name = opts->role_name,
        };
        set = cpw_accounts_new(&ao);
    }
    for (size_t i = 0; set && i < n; i++) {
        if (!cpw_accounts_client(set, ids[i])) {
            s_note(opts->warning, opts->user, "account %s left out of the plan: %s", ids[i],
                   cpw_last_error_detail());
            (void)cpw_plan_targets_drop_account(targets, ids[i]);
        }
    }
    cpw_accounts_list_free(ids, n);
    *out = set;
    return others && !set ? -1 : 0;
}

struct cpw_plan *cpw_plan_make(const struct cpw_plan_make_options *opts)
{
    if (!opts || !opts->client || !opts->client_options || !opts->account) {
        (void)cpw_raise(CPW_ERR_INVALID_ARGUMENT, "plan: missing required options");
        return NULL;
    }
    struct cpw_plan_targets targets;
    memset(&targets, 0, sizeof(targets));
    struct cpw_accounts *members = NULL;
    struct cpw_plan *plan = NULL;
    if (s_targets(opts, &targets) == 0 && s_member_accounts(opts, &targets, &members) == 0) {
        struct cpw_plan_builder_options bo = {
            .caller_account = opts->account,
            .caller_arn = opts->caller_arn,
            .protect = opts->protect,
            .force = opts->force,
            .include_possible = opts->include_possible,
            .organization = members != NULL,
            .role_name = opts->role_name,
        };
        plan = members ? cpw_plan_from_targets_with(cpw_accounts_client_fn, members, &bo, &targets)
                       : cpw_plan_from_targets(opts->client, &bo, &targets);
    }
    cpw_accounts_destroy(members);
    cpw_plan_targets_clean_up(&targets);
    return plan;
}
