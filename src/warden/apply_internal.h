/*
 * apply_internal.h - what the apply_*.c files share: the run's context and the step executor.
 */
#ifndef CPW_WARDEN_APPLY_INTERNAL_H
#define CPW_WARDEN_APPLY_INTERNAL_H

#include <jansson.h>

#include "cpw/apply.h"
#include "cpw/buf.h"
#include "cpw/inventory.h"
#include "cpw/journal.h"

/* Every Connect instance of one account in every region of one partition where Connect is
 * offered, read once per run (the scope a Connect role's usage is judged in). */
struct cpw_apply_connect_scope {
    char *account;     /* whose instances; NULL: not read yet */
    char *partition;   /* "aws", ... */
    json_t *instances; /* [{"Region", "Arn", "Status", "ServiceRole"}] */
    char *error;       /* why the scope is incomplete ("ListInstances in R: ..."), or NULL */
};

/* The account scanned live (cpw_live_scan) over every region where Customer Profiles or Connect
 * is offered, analysed by the inventory's rules, read once per run: what a Customer Profiles
 * role without a recorded domain is judged by. */
struct cpw_apply_account_scan {
    char *account;             /* NULL: not scanned yet */
    struct cpw_inventory *inv; /* owned */
    char *error;               /* why no scan could be made, or NULL */
};

struct cpw_apply_ctx {
    const struct cpw_apply_options *opts;
    struct cpw_apply_report *report;
    int64_t wait_ms;
    int64_t retry_interval_ms;
    int64_t poll_interval_ms;
    int max_retries;
    struct cpw_apply_connect_scope connect;
    struct cpw_apply_account_scan scan;
    /* The intents earlier runs of this plan left without a result (owned): their calls may
     * have reached AWS, and a deletion step among them is reconciled before it acts again. */
    struct cpw_journal_interrupted *interrupted;
    size_t interrupted_count;
};

/**
 * The fresh preconditions of action a (apply.h, "Fresh preconditions"), read live immediately
 * before its mutating call. Returns CPW_APPLY_DONE when the call may go ahead, CPW_APPLY_ALREADY
 * when the target is already gone (detail says so), CPW_APPLY_REFUSED with the reason in detail,
 * or CPW_APPLY_FAILED when the live state could not be read (detail).
 */
enum cpw_apply_outcome cpw_apply_precheck(struct cpw_apply_ctx *ctx,
                                          const struct cpw_plan_action *a,
                                          struct cpw_buf *detail);

/** Frees the context's caches and its list of interrupted intents. */
void cpw_apply_ctx_clean_up(struct cpw_apply_ctx *ctx);

/**
 * Executes step i of the report (its action is planned and its dependencies completed): appends
 * a sentence to detail and sets *data (owned, or NULL) to what a later step needs. Returns
 * CPW_APPLY_DONE, CPW_APPLY_ALREADY, CPW_APPLY_FAILED or CPW_APPLY_REFUSED (cpw_apply_precheck).
 */
enum cpw_apply_outcome cpw_apply_execute(struct cpw_apply_ctx *ctx,
                                         size_t i,
                                         struct cpw_buf *detail,
                                         char **data);

/** Reports a line of progress through the options' callback (if any). */
void cpw_apply_progress(const struct cpw_apply_ctx *ctx, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/** Sleeps ms milliseconds (restarting after signals). */
void cpw_apply_sleep_ms(int64_t ms);

#endif
