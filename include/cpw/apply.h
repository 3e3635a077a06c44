/*
 * apply.h - executing a saved plan (`cpwarden apply PLAN`): the checks before anything is
 * touched, the step-by-step execution with the journal, and the report.
 *
 * Before: cpw_apply_check() rebuilds the plan from the live state (the same targets, flags and
 * protections) and refuses a stale plan (cpw_plan_check_fresh) or one whose planned action a
 * protection rule now forbids; cpw_apply_confirmation_matches() checks what the user typed.
 *
 * During: cpw_apply_run() executes the planned actions in order. Each step's intent is journaled
 * (journal.h) before its AWS call and its result after it. An action done by an earlier run of
 * the same plan (matched by the plan's checksum) is not done again; a resource that is already
 * gone (ResourceNotFoundException, NoSuchEntity) counts as done; an action whose dependency did
 * not complete is not run. Steps (docs/cleanup-guide.md):
 *   backup-domain               export to BACKUP_DIR (backup.h), read back and verified
 *   delete-integration          DeleteIntegration
 *   delete-domain               DeleteDomain, retried after retry_interval up to max_retries
 *   verify-domain-gone          GetDomain answers not found and ListDomains no longer lists it
 *   wait-role-gone              GetRole until NoSuchEntity, up to wait (the role may stay)
 *   delete-service-linked-role  DeleteServiceLinkedRole (unless the role is already gone)
 *   poll-role-deletion          GetServiceLinkedRoleDeletionStatus with backoff up to wait; a
 *                               FAILED task explained from its RoleUsageList
 *   verify-role-gone            GetRole answers NoSuchEntity
 *
 * Ownership: the report is owned by the caller (cpw_apply_report_destroy); it borrows the plan's
 * actions. Thread-safety: one run per thread, as the client.
 */
#ifndef CPW_APPLY_H
#define CPW_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpw/aws_client.h"
#include "cpw/buf.h"
#include "cpw/plan.h"
#include "cpw/protect.h"
#include "cpw/store.h"

#define CPW_APPLY_DEFAULT_WAIT_MS           (15 * 60 * 1000) /* the runbook's 15 minutes */
#define CPW_APPLY_DEFAULT_RETRY_INTERVAL_MS (15 * 60 * 1000)
#define CPW_APPLY_DEFAULT_MAX_RETRIES       3
#define CPW_APPLY_DEFAULT_POLL_INTERVAL_MS  2000 /* first poll; doubles up to 30 s */

enum cpw_apply_outcome {
    CPW_APPLY_DONE,       /* "done": executed and verified */
    CPW_APPLY_ALREADY,    /* "already": the resource was already gone */
    CPW_APPLY_PREVIOUSLY, /* "previously": done by an earlier run of this plan */
    CPW_APPLY_FAILED,     /* "failed": detail says why */
    CPW_APPLY_NOT_RUN,    /* "not-run": a dependency did not complete */
    CPW_APPLY_SKIPPED,    /* "skipped": the plan skips or refuses it */
};

struct cpw_apply_step {
    const struct cpw_plan_action *action; /* borrowed from the plan */
    enum cpw_apply_outcome outcome;
    char *detail; /* a sentence; owned */
    char *data;   /* a deletion task id, a backup path, or NULL; owned */
};

struct cpw_apply_report {
    struct cpw_apply_step *steps; /* one per plan action, in plan order */
    size_t step_count;
    int64_t run_id;
    bool resumed; /* an earlier run of the plan had done some steps */
    size_t failed;
    size_t executed; /* done + already in this run */
};

typedef void(cpw_apply_progress_fn)(void *user, const char *line);

struct cpw_apply_options {
    struct cpw_aws_client *client; /* required */
    struct cpw_store *store;       /* required: the journal */
    const struct cpw_plan *plan;   /* required: loaded with cpw_plan_load_file */
    const char *plan_checksum;     /* required: the document's checksum (resume key) */
    const char *plan_path;         /* for the journal and history */
    const char *caller_arn;        /* who applies */
    const char *account;           /* the caller's account */
    const char *backup_dir;        /* required: where backup-domain writes (created 0700) */
    int64_t wait_ms;               /* <= 0: CPW_APPLY_DEFAULT_WAIT_MS */
    int64_t retry_interval_ms;     /* <= 0: CPW_APPLY_DEFAULT_RETRY_INTERVAL_MS */
    int max_retries;               /* < 0: CPW_APPLY_DEFAULT_MAX_RETRIES */
    int64_t poll_interval_ms;      /* <= 0: CPW_APPLY_DEFAULT_POLL_INTERVAL_MS */
    /* Test hook (CPW_TEST_KILL_AFTER_STEP): raise SIGKILL right after writing the Nth journal
     * record of this run (intents and results count); 0 disables it. */
    unsigned kill_after_record;
    cpw_apply_progress_fn *progress; /* may be NULL */
    void *progress_user;
};

/**
 * The checks before a run. With resuming false: rebuilds the plan live from the saved plan's
 * targets with its flags and protect, and raises CPW_ERR_STALE_PLAN naming the first difference
 * (cpw_plan_check_fresh), or CPW_ERR_PROTECTED when a planned action is now skipped or refused
 * (the reason). With resuming true (an earlier run of this plan exists, so the live state has
 * moved on by design): checks only the account and name rules of protect for planned actions.
 * Returns 0 or -1.
 */
int cpw_apply_check(struct cpw_aws_client *client,
                    const struct cpw_plan *saved,
                    const struct cpw_protect *protect,
                    bool resuming);

/**
 * True when typed (one line, surrounding spaces ignored) names exactly the plan's accounts,
 * separated by commas or spaces, in any order.
 */
bool cpw_apply_confirmation_matches(const struct cpw_plan *plan, const char *typed);

/**
 * Executes the plan (see the file comment). Returns 0 with *report (owned) even when steps
 * failed (report->failed says how many), or -1 when the journal cannot be written (nothing is
 * executed after a journal failure) or the options are invalid.
 */
int cpw_apply_run(const struct cpw_apply_options *opts, struct cpw_apply_report **report);

/** Frees a report. NULL is a no-op. */
void cpw_apply_report_destroy(struct cpw_apply_report *report);

/** "done", "already", "previously", "failed", "not-run", "skipped". Static storage. */
const char *cpw_apply_outcome_name(enum cpw_apply_outcome outcome);

/** Appends the report as a text table. 0 or -1. */
int cpw_apply_report_table(const struct cpw_apply_report *report, struct cpw_buf *out);

/** Appends the report as Markdown (a change record). 0 or -1. */
int cpw_apply_report_markdown(const struct cpw_apply_report *report, struct cpw_buf *out);

/** Appends the report as a JSON document. 0 or -1. */
int cpw_apply_report_json(const struct cpw_apply_report *report, struct cpw_buf *out);

#endif
