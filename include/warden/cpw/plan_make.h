/*
 * plan_make.h - a plan made as `cpwarden plan` makes it, from what was asked: the targets named
 * (domains, roles), the domains an instance uses, or the leftovers of an inventory (a file, or a
 * live scan of the caller's account or of an organization), checked live and turned into a plan.
 *
 * cpw_plan_make():
 *   1. the named targets: each role (its kind from its name; with exactly one domain, a Customer
 *      Profiles role is that domain's role) and each domain in opts->region;
 *   2. unless only named targets were asked: the inventory (opts->inventory, opts->inventory_path,
 * else a live scan of opts->regions, "all" by default: of every member account reached through
 *      opts->role_name with opts->org or opts->accounts, else of the caller's account), then the
 *      domains opts->instance integrates with (CPW_ERR_NOT_FOUND when none), or the leftovers
 *      of the inventory (every account's for an organization or a file, else the caller's),
 *      only those of opts->finding_ids when given (CPW_ERR_NOT_FOUND naming an id that is no
 *      finding of the inventory);
 *   3. targets in other accounts than the caller's make an organization plan: each account's
 *      client is made through the assumed role; an account that cannot be reached is left out
 *      with a warning;
 *   4. the plan, built live (plan.h: cpw_plan_from_targets, cpw_plan_from_targets_with).
 *
 * Ownership: the plan is the caller's (cpw_plan_destroy). Thread-safety: one call per thread.
 */
#ifndef CPW_PLAN_MAKE_H
#define CPW_PLAN_MAKE_H

#include <stdbool.h>
#include <stddef.h>

#include "cpw/aws_client.h"
#include "cpw/inventory.h"
#include "cpw/plan.h"
#include "cpw/protect.h"

/* One line for the user (no newline). */
typedef void(cpw_plan_note_fn)(void *user, const char *line);

struct cpw_plan_make_options {
    const char *const *domains; /* named domains, in opts->region */
    size_t domain_count;
    const char *const *roles; /* named roles */
    size_t role_count;
    const char *instance;       /* the domains this Connect instance uses; NULL: none */
    const char *regions;        /* the scan's regions ("all", "R1,R2"); NULL: all */
    const char *inventory_path; /* read this inventory instead of scanning */
    /* An analysed inventory to take the leftovers from instead of a file or a scan (borrowed;
     * every account's, as a file's), e.g. the console's latest snapshot. */
    const struct cpw_inventory *inventory;
    const char *const *finding_ids; /* only these findings' targets (cpw_inventory_finding_id) */
    size_t finding_id_count;        /* 0: every leftover */
    bool include_possible;          /* act on possible findings too */
    bool force;                     /* the plan's force flag (plan.h) */
    bool org;                       /* every member account of the organization */
    const char *const *accounts;    /* these member accounts */
    size_t account_count;
    const char *role_name;                               /* assumed in member accounts */
    struct cpw_aws_client *client;                       /* required: the caller's */
    const struct cpw_aws_client_options *client_options; /* required: how client was made */
    const char *region;                                  /* the caller's region */
    const char *account;                                 /* required: the caller's account */
    const char *caller_arn;                              /* required: the caller */
    const struct cpw_protect *protect;                   /* may be NULL: no rules */
    cpw_plan_note_fn *progress;                          /* "scanning REGIONS ..."; may be NULL */
    cpw_plan_note_fn *warning; /* an account not scanned or left out; may be NULL */
    void *user;                /* passed to progress and warning */
};

/** Makes the plan (see above). The plan (owned), or NULL with the error raised. */
struct cpw_plan *cpw_plan_make(const struct cpw_plan_make_options *opts);

#endif
