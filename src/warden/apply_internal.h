/*
 * apply_internal.h - what the apply_*.c files share: the run's context and the step executor.
 */
#ifndef CPW_WARDEN_APPLY_INTERNAL_H
#define CPW_WARDEN_APPLY_INTERNAL_H

#include "cpw/apply.h"
#include "cpw/buf.h"

struct cpw_apply_ctx {
    const struct cpw_apply_options *opts;
    struct cpw_apply_report *report;
    int64_t wait_ms;
    int64_t retry_interval_ms;
    int64_t poll_interval_ms;
    int max_retries;
};

/**
 * Executes step i of the report (its action is planned and its dependencies completed): appends
 * a sentence to detail and sets *data (owned, or NULL) to what a later step needs. Returns
 * CPW_APPLY_DONE, CPW_APPLY_ALREADY or CPW_APPLY_FAILED.
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
