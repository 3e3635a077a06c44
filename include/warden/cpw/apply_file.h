/*
 * apply_file.h - applying a saved plan file from start to end, as `cpwarden apply PLAN` does:
 * everything between knowing the caller and the report, so that a front end only gathers the
 * options, asks the user through a callback and prints.
 *
 * cpw_apply_file() goes through these steps in order and stops at the first that refuses or
 * fails, with nothing touched:
 *   1. reads PLAN and loads it for opts->account (plan.h: a plan for another account, an edited,
 *      truncated or other-version plan, or one whose accounts do not match its actions is
 *      refused); an organization plan's accounts are checked live in step 4;
 *   2. opens the state store (opts->state_dir; NULL: the default, store.h);
 *   3. takes the plan's lock (STATE/locks, one apply of a plan at a time, lock.h); a lock left by
 *      a process that is gone is taken over and said through opts->run.notice;
 *   4. the checks before a run: cpw_apply_check (a first run refuses a stale plan or one a
 *      protection rule now forbids; a resumed run checks the protection rules), or for an
 *      organization plan cpw_accounts_check_organization (the caller is its management account
 *      and every account touched an ACTIVE member);
 *   5. unless opts->confirmed or nothing is planned, the typed confirmation: the plan as a table
 *      and the prompt go to opts->ask, and the line typed must name the plan's accounts
 *      (cpw_apply_confirmation_matches; for an organization plan, cpw_accounts_confirm_prompt
 *      and cpw_accounts_confirmation_matches);
 *   6. the run (apply.h: fresh preconditions before every mutating call, the journal), with
 *      backups in opts->backup_dir (NULL: STATE/backups): cpw_apply_run, or for an organization
 *      plan cpw_apply_org_run with one client per member account made from opts->client_options.
 *
 * Exit statuses (exit.h, documented in docs/cpwarden.1 and `cpwarden apply --help`):
 *   CPW_EXIT_OK        every planned step done
 *   CPW_EXIT_FAILED    some step failed
 *   CPW_EXIT_REFUSED   refused in steps 1, 3, 4 or 5 (a bad, edited, stale or protected plan,
 *                      not confirmed, plan or account locked), or steps refused during the run
 *                      and none failed
 *   CPW_EXIT_USAGE     PLAN (or the lock file) cannot be read
 *   CPW_EXIT_CONFIG    the state store or its directories cannot be set up
 *   CPW_EXIT_SERVICE, ... an AWS or other error in the checks (cpw_exit_for_error)
 *   CPW_EXIT_OTHER     the journal could not be written or the run could not start
 *
 * Ownership: the result's plan and reports are the caller's (cpw_apply_file_result_clean_up); they
 * borrow nothing from opts. Thread-safety: as cpw_apply_run (one call per thread).
 */
#ifndef CPW_APPLY_FILE_H
#define CPW_APPLY_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "cpw/apply.h"
#include "cpw/apply_org.h"
#include "cpw/aws_client.h"
#include "cpw/exit.h"
#include "cpw/protect.h"

/* What came of asking the user to confirm. */
enum cpw_apply_answer {
    CPW_APPLY_ANSWERED,    /* line holds what was typed */
    CPW_APPLY_NO_TERMINAL, /* nobody to ask: refused, pointing at --yes */
    CPW_APPLY_NO_ANSWER,   /* the input ended before a line was typed */
};

/* Shows prompt (the plan and what to type) and reads one line into line (cap bytes, with its
 * terminating NUL). */
typedef enum cpw_apply_answer(cpw_apply_ask_fn)(void *user,
                                                const char *prompt,
                                                char *line,
                                                size_t cap);

struct cpw_apply_file_options {
    const char *plan_path;                               /* required */
    const char *state_dir;                               /* NULL: the default state store */
    const char *backup_dir;                              /* NULL: STATE/backups */
    bool confirmed;                                      /* --yes: do not ask */
    cpw_apply_ask_fn *ask;                               /* NULL: nobody to ask */
    void *ask_user;                                      /* passed to ask */
    struct cpw_aws_client *client;                       /* required: the caller's */
    const struct cpw_aws_client_options *client_options; /* required: how client was made */
    /* false: member accounts' clients retry adaptively (each account its own rate limiter, as
     * inventory --org), the retry mode and attempts not having been configured */
    bool retry_mode_configured;
    const char *account;               /* required: the caller's account */
    const char *caller_arn;            /* required: the caller */
    const struct cpw_protect *protect; /* required (may hold no rule) */
    unsigned parallel;                 /* accounts at once for an organization plan; 0: default */
    /* The run's timings, test hook (kill_after_record), progress and notice; the rest is set by
     * cpw_apply_file. */
    struct cpw_apply_options run;
};

struct cpw_apply_file_result {
    enum cpw_exit exit; /* the command's exit status (see above) */
    /* With a failure return: what the last error is about, to print before it ("stale plan
     * refused", "protected, refused", "the journal", the plan's path) or NULL. Static storage,
     * or opts->plan_path. */
    const char *context;
    struct cpw_apply_report *report;  /* the run's report (an organization plan's: org->report) */
    struct cpw_apply_org_report *org; /* an organization plan's report, else NULL */
    struct cpw_plan *plan;            /* the plan run (the reports borrow its actions) */
};

/**
 * Applies the plan file (see above). Returns 0 when the run happened, with result->report and
 * result->exit saying how it went, or -1 with the error raised and result->exit and
 * result->context set (nothing executed, or the run stopped at a journal failure).
 * result is always initialised; clean it up with cpw_apply_file_result_clean_up.
 */
int cpw_apply_file(const struct cpw_apply_file_options *opts, struct cpw_apply_file_result *result);

/**
 * The lines worth showing on the error stream after the report, each passed to line without a
 * newline: every failed or refused step with its reason; for an organization plan every
 * account's status and counts, then each failed step not explained by its account's status.
 */
void cpw_apply_file_problems(const struct cpw_apply_file_result *result,
                             cpw_apply_progress_fn *line,
                             void *user);

/**
 * Appends to out the confirmation cpw_apply_file asks for (step 5): the plan as a table, the
 * accounts it deletes in and what to type. Returns 0 or -1 (buffer limit).
 */
int cpw_apply_confirmation_prompt(const struct cpw_plan *plan, struct cpw_buf *out);

/** True when typed confirms plan as step 5 checks it (an organization plan's way too). */
bool cpw_apply_confirmation_accepts(const struct cpw_plan *plan, const char *typed);

/** Frees the reports of a result and zeroes it. */
void cpw_apply_file_result_clean_up(struct cpw_apply_file_result *result);

#endif
