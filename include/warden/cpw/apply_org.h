/*
 * apply_org.h - applying an organization plan: every member account's part of the plan runs in
 * that account, through its own client (accounts.h), several accounts at once.
 *
 * For each account that has planned actions, in account order, up to max_parallel at a time:
 *   1. the account's client (resolved on the calling thread before any run starts: a refused
 *      AssumeRole makes every planned step of that account "failed" with the reason, and the
 *      other accounts go on);
 *   2. the account's part of the plan (its actions, with their plan ids, and its checklists);
 *   3. the checks of cpw_apply_check on that part, in that account: the live facts rebuilt and
 *      compared (stale or newly protected: every planned step of the account fails with the
 *      reason, nothing is called), or, when an earlier run of the plan finished a step of that
 *      account, the protection rules alone (as a single-account resume);
 *   4. cpw_apply_run on that part, with the account's own state store connection (opened on
 *      the calling thread one after another, since opening switches the database to WAL, then
 *      used by one worker only; WAL and the busy timeout serialise the writers), keyed by
 *      the whole plan's checksum: re-applying resumes each account where it stopped, and
 *      history shows one run per account with the account on every step.
 * The merged report holds every action of the plan in plan order.
 *
 * Ownership: the report is the caller's (cpw_apply_org_report_destroy); its steps borrow the
 * plan's actions. Thread-safety: call from one thread; it starts and joins its own workers.
 */
#ifndef CPW_APPLY_ORG_H
#define CPW_APPLY_ORG_H

#include <stdbool.h>
#include <stddef.h>

#include "cpw/accounts.h"
#include "cpw/apply.h"
#include "cpw/protect.h"

#define CPW_APPLY_ORG_DEFAULT_PARALLEL 4
#define CPW_APPLY_ORG_MAX_PARALLEL     32

/*
 * X(status, name): what became of one account of an organization plan.
 *   applied      the run ended (its steps say how)
 *   unreachable  the role could not be assumed
 *   refused      stale or protected in this account
 *   error        the journal could not be written
 */
#define CPW_APPLY_ORG_STATUS_LIST(X)                                                               \
    X(CPW_APPLY_ORG_APPLIED, "applied")                                                            \
    X(CPW_APPLY_ORG_UNREACHABLE, "unreachable")                                                    \
    X(CPW_APPLY_ORG_REFUSED, "refused")                                                            \
    X(CPW_APPLY_ORG_ERROR, "error")

enum cpw_apply_org_status {
#define CPW_APPLY_ORG_STATUS_ENUM_(e, name) e,
    CPW_APPLY_ORG_STATUS_LIST(CPW_APPLY_ORG_STATUS_ENUM_)
#undef CPW_APPLY_ORG_STATUS_ENUM_
      CPW_APPLY_ORG_STATUS_COUNT_
};

struct cpw_apply_org_account {
    char *account;
    enum cpw_apply_org_status status;
    char *detail; /* why not applied; "" when applied */
    size_t failed;
    size_t executed;
};

struct cpw_apply_org_report {
    struct cpw_apply_report *report;        /* every action of the plan, in plan order */
    struct cpw_apply_org_account *accounts; /* the accounts with planned actions, sorted */
    size_t account_count;
};

struct cpw_apply_org_options {
    struct cpw_accounts *accounts;     /* required: the clients */
    const char *state_dir;             /* the store every worker opens (NULL: the default) */
    const struct cpw_protect *protect; /* required (may hold no rule) */
    /* required: the run's settings (plan, plan_checksum, plan_path, caller_arn, backup_dir,
     * timings, progress); client, store and account are set per account. */
    const struct cpw_apply_options *run;
    unsigned
      max_parallel; /* 0: CPW_APPLY_ORG_DEFAULT_PARALLEL; at most CPW_APPLY_ORG_MAX_PARALLEL */
};

/**
 * Runs the plan in every account (see above). Returns 0 with *report (owned) whatever the
 * accounts' outcomes (report->report->failed counts the failed steps, unreachable and refused
 * accounts' planned steps included), or -1 for invalid options.
 */
int cpw_apply_org_run(const struct cpw_apply_org_options *opts,
                      struct cpw_apply_org_report **report);

/** Frees a report. NULL is a no-op. */
void cpw_apply_org_report_destroy(struct cpw_apply_org_report *report);

/** "applied", "unreachable", "refused", "error". Static storage. */
const char *cpw_apply_org_status_name(enum cpw_apply_org_status status);

#endif
