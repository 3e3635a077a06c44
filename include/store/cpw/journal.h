/*
 * journal.h - the clean-up journal in the state store (store.h, schema version 2): what
 * `cpwarden apply` did, step by step, so that an interrupted run resumes and `cpwarden history`
 * can tell who changed what, when, with which plan.
 *
 * A run is one execution of a plan (identified by the plan's checksum). A step is one action of
 * the plan: its intent is written (and fsync'd: synchronous=FULL, one transaction) BEFORE the AWS
 * call and its result AFTER it, so after a crash the journal says exactly which calls may have
 * been made. An action counts as done for a plan when any run of that plan recorded it "done"
 * or "already" (the resource was already gone).
 *
 * Nothing secret is journaled: ARNs, names, outcomes and AWS error sentences only.
 *
 * Ownership: lists returned are owned by the caller (their _free function). Thread-safety: as
 * the store's handle (serialized).
 */
#ifndef CPW_JOURNAL_H
#define CPW_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "cpw/store.h"

/* Outcomes of a step, as stored. */
#define CPW_JOURNAL_STARTED "started" /* intent written, no result yet (interrupted if final) */
#define CPW_JOURNAL_DONE    "done"    /* the call succeeded and was verified */
#define CPW_JOURNAL_ALREADY "already" /* nothing to do: the resource was already gone */
#define CPW_JOURNAL_FAILED  "failed"  /* the step failed; detail says why */
#define CPW_JOURNAL_REFUSED "refused" /* not executed: a precondition no longer held live */

struct cpw_journal_run_info {
    const char *plan_checksum; /* required */
    const char *plan_path;     /* as given on the command line; may be NULL */
    const char *caller_arn;    /* who runs it */
    const char *account;       /* the caller's account */
};

/**
 * Starts a run (and switches the connection to synchronous=FULL so every later record is on disk
 * when its call returns). *run_id receives its id. Returns 0 or -1 with CPW_ERR_STORE.
 */
int cpw_journal_run_start(struct cpw_store *store,
                          const struct cpw_journal_run_info *info,
                          int64_t *run_id);

/** Marks a run finished with outcome ("completed", "failed", "refused"). 0 or -1. */
int cpw_journal_run_finish(struct cpw_store *store, int64_t run_id, const char *outcome);

/**
 * Writes a step's intent (one committed transaction) before its AWS call. target is the action's
 * target in words ("domain retired-customers (123456789012 eu-west-2)"). *step_id receives the
 * row id for cpw_journal_step_result. Returns 0 or -1.
 */
int cpw_journal_step_intent(struct cpw_store *store,
                            int64_t run_id,
                            const char *action_id,
                            const char *kind,
                            const char *target,
                            int64_t *step_id);

/**
 * Writes a step's result (one committed transaction) after its AWS call: outcome one of the
 * CPW_JOURNAL_* values, detail a sentence, data what a later step needs (a deletion task id) or
 * NULL. Returns 0 or -1.
 */
int cpw_journal_step_result(struct cpw_store *store,
                            int64_t step_id,
                            const char *outcome,
                            const char *detail,
                            const char *data);

/** One action already done by some run of a plan. */
struct cpw_journal_done {
    char *action_id;
    char *outcome; /* "done" or "already" */
    char *data;    /* "" when none */
};

/**
 * Lists the actions that runs of the plan with plan_checksum finished as done or already (the
 * latest record per action). *out is owned (cpw_journal_done_free). Returns 0 or -1.
 */
int cpw_journal_done_list(struct cpw_store *store,
                          const char *plan_checksum,
                          struct cpw_journal_done **out,
                          size_t *count);

/** Frees a list from cpw_journal_done_list. NULL is a no-op. */
void cpw_journal_done_free(struct cpw_journal_done *list, size_t count);

/** One intent an earlier run of a plan left without a result: its run stopped during the step. */
struct cpw_journal_interrupted {
    char *action_id;
    int64_t run_id;
    char *intent_at; /* ISO 8601, the local clock's, written before the step's AWS call */
};

/**
 * Lists the intents that runs of the plan with plan_checksum left without a result (the run was
 * killed or lost its store during the step: its AWS call may or may not have reached AWS), oldest
 * first. *out is owned (cpw_journal_interrupted_free). Returns 0 or -1 with CPW_ERR_STORE.
 */
int cpw_journal_interrupted_list(struct cpw_store *store,
                                 const char *plan_checksum,
                                 struct cpw_journal_interrupted **out,
                                 size_t *count);

/** Frees a list from cpw_journal_interrupted_list. NULL is a no-op. */
void cpw_journal_interrupted_free(struct cpw_journal_interrupted *list, size_t count);

/** Number of runs recorded for a plan (0: never applied). -1 on error. */
int64_t cpw_journal_run_count(struct cpw_store *store, const char *plan_checksum);

/** One step of the change log, for `cpwarden history`. */
struct cpw_journal_entry {
    int64_t run_id;
    char *at;            /* result time, or intent time when interrupted (ISO 8601) */
    char *caller_arn;    /* who */
    char *plan_checksum; /* which plan */
    char *plan_path;
    char *action_id;
    char *kind; /* what */
    char *target;
    char *outcome; /* result: done, already, failed, refused, or "interrupted" for a lone intent */
    char *detail;
};

struct cpw_journal_filter {
    const char *since;       /* ISO 8601; entries at or after it; NULL: all */
    const char *plan_prefix; /* checksum prefix; NULL: all plans */
};

/**
 * Lists the journal's steps oldest first, filtered. *out is owned (cpw_journal_entries_free).
 * Returns 0 or -1 with CPW_ERR_STORE.
 */
int cpw_journal_list(struct cpw_store *store,
                     const struct cpw_journal_filter *filter,
                     struct cpw_journal_entry **out,
                     size_t *count);

/** Frees a list from cpw_journal_list. NULL is a no-op. */
void cpw_journal_entries_free(struct cpw_journal_entry *list, size_t count);

#endif
