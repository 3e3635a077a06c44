/*
 * apply.h - executing a saved plan (`cpwarden apply PLAN`): the checks before anything is
 * touched, the step-by-step execution with the journal, and the report.
 *
 * Before: cpw_apply_check() rebuilds the plan from the live state (the same targets, flags and
 * protections) and refuses a stale plan (cpw_plan_check_fresh) or one whose planned action a
 * protection rule now forbids; cpw_apply_confirmation_matches() checks what the user typed.
 *
 * During: cpw_apply_run() takes the account lock (lock.h) of every account its planned actions
 * touch, then executes the planned actions in order. Each step's intent is journaled
 * (journal.h) before its AWS call and its result after it. An action done by an earlier run of
 * the same plan (matched by the plan's checksum) is not done again; a resource that is already
 * gone (ResourceNotFoundException, NoSuchEntity) counts as done; an action whose dependency did
 * not complete is not run.
 *
 * Fresh preconditions: on every run, first or resumed, immediately before each mutating call
 * (DeleteIntegration, DeleteDomain and each of its retries, DeleteServiceLinkedRole) the step's
 * target is read again live and the step is REFUSED (never executed; its dependants not run)
 * when:
 *   - its account is not opts->account (the account opts->client acts in);
 *   - a protection rule (protect.h: account lists, name globs, the live tags) now forbids it;
 *   - domain steps: a Connect instance that exists (DescribeInstance per Connect integration)
 *     uses the domain and the plan did not record it with that status (an ACTIVE one only when
 *     the plan was forced); the domain's profiles, objects, integrations, object types, event
 *     streams or calculated attributes outnumber the plan's facts; a dangling integration's
 *     target exists again;
 *   - a Customer Profiles role: its domain still exists; with no domain recorded, the account
 *     scanned live over every region where Customer Profiles or Connect is offered
 *     (cpw_live_scan, once per run per account) no longer gives an orphaned-profile-role
 *     finding for it at the confidence the plan accepted (likely; possible with
 *     include_possible);
 *   - a Connect role: it is the ServiceRole of an instance in any region where Connect is
 *     offered in the role's partition (ListInstances, read once per run per account), or such a
 *     region cannot be read.
 * A refusal is journaled with outcome "refused" and the reason.
 *
 * Steps (docs/cleanup-guide.md):
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

/*
 * X(outcome, name): every step outcome and its name in the journal, the report and history.
 *   done        executed and verified
 *   already     the resource was already gone
 *   previously  done by an earlier run of this plan
 *   failed      detail says why
 *   not-run     a dependency did not complete
 *   skipped     the plan skips or refuses it
 *   refused     a precondition no longer holds live; detail says which
 */
#define CPW_APPLY_OUTCOME_LIST(X)                                                                  \
    X(CPW_APPLY_DONE, "done")                                                                      \
    X(CPW_APPLY_ALREADY, "already")                                                                \
    X(CPW_APPLY_PREVIOUSLY, "previously")                                                          \
    X(CPW_APPLY_FAILED, "failed")                                                                  \
    X(CPW_APPLY_NOT_RUN, "not-run")                                                                \
    X(CPW_APPLY_SKIPPED, "skipped")                                                                \
    X(CPW_APPLY_REFUSED, "refused")

enum cpw_apply_outcome {
#define CPW_APPLY_OUTCOME_ENUM_(e, name) e,
    CPW_APPLY_OUTCOME_LIST(CPW_APPLY_OUTCOME_ENUM_)
#undef CPW_APPLY_OUTCOME_ENUM_
      CPW_APPLY_OUTCOME_COUNT_
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
    size_t refused;  /* steps refused in this run (their dependants are not-run) */
    size_t executed; /* done + already in this run */
};

typedef void(cpw_apply_progress_fn)(void *user, const char *line);

/* One journal record of a step, told right after it is written (intent, then result). */
struct cpw_apply_record {
    int64_t run_id;
    const struct cpw_plan_action *action; /* the step's action, borrowed from the plan */
    const char *target;                   /* the target in words, as journaled */
    const char *status; /* "started" (the intent), then the outcome as journaled: "done",
                           "already", "failed", "refused" */
    const char *detail; /* the result's sentence; "" for an intent */
};

/* Called on the applying thread (for an organization plan, several such threads at once). */
typedef void(cpw_apply_record_fn)(void *user, const struct cpw_apply_record *record);

struct cpw_apply_options {
    struct cpw_aws_client *client;     /* required */
    struct cpw_store *store;           /* required: the journal */
    const struct cpw_plan *plan;       /* required: loaded with cpw_plan_load_file */
    const char *plan_checksum;         /* required: the document's checksum (resume key) */
    const char *plan_path;             /* for the journal and history */
    const char *caller_arn;            /* who applies */
    const char *account;               /* required: the account client acts in (the caller's, or
                                          the member account it assumed a role into); planned
                                          actions in any other account are refused */
    const char *backup_dir;            /* required: where backup-domain writes (created 0700) */
    const char *lock_dir;              /* required: where account locks live (STATE/locks) */
    const struct cpw_protect *protect; /* re-checked before each mutating call; NULL: no rules */
    int64_t wait_ms;                   /* <= 0: CPW_APPLY_DEFAULT_WAIT_MS */
    int64_t retry_interval_ms;         /* <= 0: CPW_APPLY_DEFAULT_RETRY_INTERVAL_MS */
    int max_retries;                   /* < 0: CPW_APPLY_DEFAULT_MAX_RETRIES */
    int64_t poll_interval_ms;          /* <= 0: CPW_APPLY_DEFAULT_POLL_INTERVAL_MS */
    /* Test hook (apply --kill-after-record N): raise SIGKILL right after writing the Nth journal
     * record of this run (intents and results count); 0 disables it. */
    unsigned kill_after_record;
    cpw_apply_progress_fn *progress; /* may be NULL */
    void *progress_user;
    cpw_apply_progress_fn *notice; /* lines always worth showing (a lock taken over); may be NULL */
    void *notice_user;
    cpw_apply_record_fn *record; /* each journal record of a step as it is written; may be NULL */
    void *record_user;
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
 * failed or were refused (report->failed, report->refused say how many), or -1 when the journal
 * cannot be written (nothing is executed after a journal failure), the options are invalid, or
 * an account lock is held by another process (CPW_ERR_LOCKED naming the holder; nothing is
 * executed). It acts only through opts->client.
 */
int cpw_apply_run(const struct cpw_apply_options *opts, struct cpw_apply_report **report);

/** Frees a report. NULL is a no-op. */
void cpw_apply_report_destroy(struct cpw_apply_report *report);

/** "done", "already", "previously", "failed", "not-run", "skipped", "refused". Static storage. */
const char *cpw_apply_outcome_name(enum cpw_apply_outcome outcome);

/** Appends the report as a text table. 0 or -1. */
int cpw_apply_report_table(const struct cpw_apply_report *report, struct cpw_buf *out);

/** Appends the report as Markdown (a change record). 0 or -1. */
int cpw_apply_report_markdown(const struct cpw_apply_report *report, struct cpw_buf *out);

/** Appends the report as a JSON document. 0 or -1. */
int cpw_apply_report_json(const struct cpw_apply_report *report, struct cpw_buf *out);

#endif
