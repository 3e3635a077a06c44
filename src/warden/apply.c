/*
 * apply.c - executing a saved plan: the freshness and protection checks before a run, the
 * typed-account confirmation, and the journaled step loop that resumes an interrupted run.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "apply_internal.h"
#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/journal.h"
#include "cpw/lock.h"
#include "cpw/plan_targets.h"

const char *cpw_apply_outcome_name(enum cpw_apply_outcome outcome)
{
    static const char *const names[CPW_APPLY_OUTCOME_COUNT_] = {
#define CPW_APPLY_OUTCOME_NAME_(e, name) [(e)] = (name),
        CPW_APPLY_OUTCOME_LIST(CPW_APPLY_OUTCOME_NAME_)
#undef CPW_APPLY_OUTCOME_NAME_
    };
    return (unsigned)outcome < CPW_APPLY_OUTCOME_COUNT_ ? names[outcome] : "unknown";
}

/* The name protections judge an action by: its domain or its role. */
static enum cpw_protect_kind s_protect_kind(const struct cpw_plan_action *a, const char **name)
{
    switch (a->kind) {
    case CPW_PLAN_WAIT_ROLE_GONE:
    case CPW_PLAN_DELETE_SERVICE_LINKED_ROLE:
    case CPW_PLAN_POLL_ROLE_DELETION:
    case CPW_PLAN_VERIFY_ROLE_GONE:
        *name = a->name;
        return CPW_PROTECT_ROLE;
    case CPW_PLAN_DELETE_INTEGRATION: {
        const char *p = strstr(a->arn, ":domains/");
        *name = p ? p + 9 : a->name;
        return CPW_PROTECT_DOMAIN;
    }
    default:
        *name = a->name;
        return CPW_PROTECT_DOMAIN;
    }
}

static int s_check_names(const struct cpw_plan *saved, const struct cpw_protect *protect)
{
    for (size_t i = 0; i < saved->action_count; i++) {
        const struct cpw_plan_action *a = &saved->actions[i];
        if (a->status != CPW_PLAN_ACTION_PLANNED) {
            continue;
        }
        const char *name = NULL;
        enum cpw_protect_kind kind = s_protect_kind(a, &name);
        char *reason = NULL;
        if (cpw_protect_check(protect, a->account, kind, name, NULL, 0, &reason) ==
            CPW_PROTECT_PROTECTED) {
            cpw_raise(CPW_ERR_PROTECTED, "%s %s %s is protected now: %s", a->id,
                      cpw_plan_action_kind_name(a->kind), a->name, reason ? reason : "");
            cpw_free(reason);
            return -1;
        }
    }
    return 0;
}

int cpw_apply_check(struct cpw_aws_client *client,
                    const struct cpw_plan *saved,
                    const struct cpw_protect *protect,
                    bool resuming)
{
    if (resuming) {
        return s_check_names(saved, protect);
    }
    struct cpw_plan_targets targets;
    memset(&targets, 0, sizeof(targets));
    (void)cpw_plan_targets_from_plan(saved, &targets);
    struct cpw_plan_builder_options bo = {
        .caller_account = saved->caller_account,
        .caller_arn = saved->caller_arn,
        .protect = protect,
        .force = saved->force,
        .include_possible = saved->include_possible,
        .organization = saved->organization,
        .role_name = saved->role_name,
    };
    struct cpw_plan *live = cpw_plan_from_targets(client, &bo, &targets);
    cpw_plan_targets_clean_up(&targets);
    if (!live) {
        return -1;
    }
    /* The rebuilt plan numbers its actions from a01; a part of an organization plan (one
     * account's actions) does not, so the saved ids are taken position for position before the
     * comparison, which then names the first differing target or fact under the plan's ids. */
    for (size_t i = 0; i < live->action_count && i < saved->action_count; i++) {
        cpw_free(live->actions[i].id);
        live->actions[i].id = cpw_strdup(saved->actions[i].id);
    }
    int rc = cpw_plan_compute_fingerprint(live, live->fingerprint);
    rc = rc ? rc : cpw_plan_check_fresh(saved, live);
    for (size_t i = 0; rc == 0 && i < saved->action_count; i++) {
        const struct cpw_plan_action *was = &saved->actions[i];
        const struct cpw_plan_action *now = &live->actions[i];
        if (was->status == CPW_PLAN_ACTION_PLANNED && now->status != CPW_PLAN_ACTION_PLANNED) {
            rc = cpw_raise(CPW_ERR_PROTECTED, "%s %s %s is %s now: %s", was->id,
                           cpw_plan_action_kind_name(was->kind), was->name,
                           cpw_plan_action_status_name(now->status), now->reason);
        }
    }
    cpw_plan_destroy(live);
    return rc;
}

bool cpw_apply_confirmation_matches(const struct cpw_plan *plan, const char *typed)
{
    if (!typed) {
        return false;
    }
    bool seen[64] = { false };
    if (plan->account_count == 0 || plan->account_count > 64) {
        return false;
    }
    size_t matched = 0;
    const char *p = typed;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '\t' || *p == '\n' || *p == '\r') {
            p++;
        }
        size_t len = strcspn(p, " ,\t\r\n");
        if (len == 0) {
            break;
        }
        bool known = false;
        for (size_t i = 0; i < plan->account_count; i++) {
            if (strlen(plan->accounts[i]) == len && strncmp(plan->accounts[i], p, len) == 0) {
                known = true;
                if (!seen[i]) {
                    seen[i] = true;
                    matched++;
                }
            }
        }
        if (!known) {
            return false;
        }
        p += len;
    }
    return matched == plan->account_count;
}

static void s_target_text(const struct cpw_plan_action *a, char *out, size_t size)
{
    if (a->region[0]) {
        snprintf(out, size, "%s (%s %s)", a->name, a->account, a->region);
    } else {
        snprintf(out, size, "%s (%s)", a->name, a->account);
    }
}

/* The test hook: SIGKILL right after the Nth record of this run. */
static void s_record_written(const struct cpw_apply_ctx *ctx, unsigned *records)
{
    (*records)++;
    if (ctx->opts->kill_after_record && *records == ctx->opts->kill_after_record) {
        raise(SIGKILL);
    }
}

/* Tells opts->record (when set) about a journal record just written. */
static void s_tell(const struct cpw_apply_ctx *ctx,
                   int64_t run_id,
                   const struct cpw_plan_action *a,
                   const char *target,
                   const char *status,
                   const char *detail)
{
    if (!ctx->opts->record) {
        return;
    }
    struct cpw_apply_record rec = {
        .run_id = run_id,
        .action = a,
        .target = target,
        .status = status,
        .detail = detail ? detail : "",
    };
    ctx->opts->record(ctx->opts->record_user, &rec);
}

static bool s_completed(enum cpw_apply_outcome o)
{
    return o == CPW_APPLY_DONE || o == CPW_APPLY_ALREADY || o == CPW_APPLY_PREVIOUSLY;
}

/* The first dependency of step i that did not complete, or NULL. */
static const struct cpw_plan_action *s_blocking_dependency(const struct cpw_apply_report *r,
                                                           size_t i)
{
    const struct cpw_plan_action *a = r->steps[i].action;
    for (size_t d = 0; d < a->depends_on_count; d++) {
        for (size_t k = 0; k < i; k++) {
            if (strcmp(r->steps[k].action->id, a->depends_on[d]) == 0 &&
                !s_completed(r->steps[k].outcome)) {
                return r->steps[k].action;
            }
        }
    }
    return NULL;
}

static void s_mark_previous(struct cpw_apply_report *r,
                            const struct cpw_journal_done *done,
                            size_t done_count)
{
    for (size_t i = 0; i < r->step_count; i++) {
        for (size_t k = 0; k < done_count; k++) {
            if (strcmp(done[k].action_id, r->steps[i].action->id) != 0) {
                continue;
            }
            r->steps[i].outcome = CPW_APPLY_PREVIOUSLY;
            cpw_free(r->steps[i].detail);
            cpw_free(r->steps[i].data);
            r->steps[i].detail = cpw_strdup(strcmp(done[k].outcome, "already") == 0
                                              ? "already gone, recorded by an earlier run"
                                              : "done by an earlier run of this plan");
            r->steps[i].data = done[k].data[0] ? cpw_strdup(done[k].data) : NULL;
            r->resumed = true;
        }
    }
}

static int s_run_step(struct cpw_apply_ctx *ctx, int64_t run_id, size_t i, unsigned *records)
{
    struct cpw_apply_step *step = &ctx->report->steps[i];
    const struct cpw_plan_action *a = step->action;
    char target[2048];
    s_target_text(a, target, sizeof(target));
    int64_t step_id = 0;
    if (cpw_journal_step_intent(ctx->opts->store, run_id, a->id, cpw_plan_action_kind_name(a->kind),
                                target, &step_id)) {
        return -1;
    }
    s_record_written(ctx, records);
    s_tell(ctx, run_id, a, target, CPW_JOURNAL_STARTED, "");
    cpw_apply_progress(ctx, "%s %s %s ...", a->id, cpw_plan_action_kind_name(a->kind), target);
    struct cpw_buf detail;
    cpw_buf_init(&detail, 64u * 1024u);
    char *data = NULL;
    step->outcome = cpw_apply_execute(ctx, i, &detail, &data);
    step->detail = cpw_buf_detach(&detail);
    step->data = data;
    const char *stored = step->outcome == CPW_APPLY_DONE      ? CPW_JOURNAL_DONE
                         : step->outcome == CPW_APPLY_ALREADY ? CPW_JOURNAL_ALREADY
                         : step->outcome == CPW_APPLY_REFUSED ? CPW_JOURNAL_REFUSED
                                                              : CPW_JOURNAL_FAILED;
    if (cpw_journal_step_result(ctx->opts->store, step_id, stored, step->detail, step->data)) {
        return -1;
    }
    s_record_written(ctx, records);
    s_tell(ctx, run_id, a, target, stored, step->detail);
    cpw_apply_progress(ctx, "%s %s: %s", a->id, cpw_apply_outcome_name(step->outcome),
                       step->detail);
    if (step->outcome == CPW_APPLY_FAILED) {
        ctx->report->failed++;
    } else if (step->outcome == CPW_APPLY_REFUSED) {
        ctx->report->refused++;
    } else {
        ctx->report->executed++;
    }
    return 0;
}

/* The account locks of every account the plan's planned actions touch, in sorted order (so two
 * runs over overlapping accounts cannot deadlock: neither waits anyway). */
static int s_lock_accounts(const struct cpw_apply_options *opts,
                           struct cpw_lock ***locks,
                           size_t *count)
{
    const struct cpw_plan *plan = opts->plan;
    for (size_t i = 0; i < plan->action_count; i++) {
        const struct cpw_plan_action *a = &plan->actions[i];
        bool seen = a->status != CPW_PLAN_ACTION_PLANNED;
        for (size_t k = 0; !seen && k < i; k++) {
            seen = plan->actions[k].status == CPW_PLAN_ACTION_PLANNED &&
                   strcmp(plan->actions[k].account, a->account) == 0;
        }
        if (seen) {
            continue;
        }
        char name[64];
        char what[128];
        snprintf(name, sizeof(name), "account-%s", a->account);
        snprintf(what, sizeof(what), "account %s", a->account);
        char *note = NULL;
        struct cpw_lock *lock = cpw_lock_acquire(opts->lock_dir, name, what, &note);
        if (!lock) {
            return -1;
        }
        if (note && opts->notice) {
            char line[1024];
            snprintf(line, sizeof(line), "%s: %s", what, note);
            opts->notice(opts->notice_user, line);
        }
        cpw_free(note);
        *locks = cpw_realloc(*locks, (*count + 1) * sizeof(**locks));
        (*locks)[(*count)++] = lock;
    }
    return 0;
}

static void s_unlock_all(struct cpw_lock **locks, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        cpw_lock_release(locks[i]);
    }
    cpw_free(locks);
}

int cpw_apply_run(const struct cpw_apply_options *opts, struct cpw_apply_report **out)
{
    *out = NULL;
    if (!opts || !opts->client || !opts->store || !opts->plan || !opts->plan_checksum ||
        !opts->backup_dir || !opts->account || !opts->lock_dir) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "apply needs a client, its account, a store, a "
                                                   "plan, its checksum, a backup and a lock dir");
    }
    struct cpw_lock **locks = NULL;
    size_t lock_count = 0;
    if (s_lock_accounts(opts, &locks, &lock_count)) {
        s_unlock_all(locks, lock_count);
        return -1;
    }
    struct cpw_apply_report *r = cpw_calloc(1, sizeof(*r));
    const struct cpw_plan *plan = opts->plan;
    r->step_count = plan->action_count;
    r->steps = cpw_calloc(r->step_count ? r->step_count : 1, sizeof(*r->steps));
    for (size_t i = 0; i < r->step_count; i++) {
        r->steps[i].action = &plan->actions[i];
        r->steps[i].outcome = CPW_APPLY_SKIPPED;
    }
    struct cpw_apply_ctx ctx = {
        .opts = opts,
        .report = r,
        .wait_ms = opts->wait_ms > 0 ? opts->wait_ms : CPW_APPLY_DEFAULT_WAIT_MS,
        .retry_interval_ms = opts->retry_interval_ms > 0 ? opts->retry_interval_ms
                                                         : CPW_APPLY_DEFAULT_RETRY_INTERVAL_MS,
        .poll_interval_ms =
          opts->poll_interval_ms > 0 ? opts->poll_interval_ms : CPW_APPLY_DEFAULT_POLL_INTERVAL_MS,
        .max_retries = opts->max_retries >= 0 ? opts->max_retries : CPW_APPLY_DEFAULT_MAX_RETRIES,
    };
    struct cpw_journal_done *done = NULL;
    size_t done_count = 0;
    if (cpw_journal_done_list(opts->store, opts->plan_checksum, &done, &done_count)) {
        goto on_error;
    }
    s_mark_previous(r, done, done_count);
    cpw_journal_done_free(done, done_count);
    if (cpw_journal_interrupted_list(opts->store, opts->plan_checksum, &ctx.interrupted,
                                     &ctx.interrupted_count)) {
        goto on_error;
    }
    struct cpw_journal_run_info info = {
        .plan_checksum = opts->plan_checksum,
        .plan_path = opts->plan_path,
        .caller_arn = opts->caller_arn,
        .account = opts->account,
    };
    if (cpw_journal_run_start(opts->store, &info, &r->run_id)) {
        goto on_error;
    }
    unsigned records = 0;
    for (size_t i = 0; i < r->step_count; i++) {
        struct cpw_apply_step *step = &r->steps[i];
        if (step->action->status != CPW_PLAN_ACTION_PLANNED) {
            step->detail = cpw_strdup(step->action->reason);
            continue;
        }
        if (step->outcome == CPW_APPLY_PREVIOUSLY) {
            continue;
        }
        const struct cpw_plan_action *blocker = s_blocking_dependency(r, i);
        if (blocker) {
            step->outcome = CPW_APPLY_NOT_RUN;
            char text[512];
            const struct cpw_apply_step *b = &r->steps[blocker - plan->actions];
            if (b->outcome == CPW_APPLY_REFUSED) {
                snprintf(text, sizeof(text), "not run: %s refused (%s %s)", blocker->id,
                         cpw_plan_action_kind_name(blocker->kind), blocker->name);
            } else {
                snprintf(text, sizeof(text), "not run: %s %s did not complete", blocker->id,
                         cpw_plan_action_kind_name(blocker->kind));
            }
            step->detail = cpw_strdup(text);
            continue;
        }
        if (s_run_step(&ctx, r->run_id, i, &records)) {
            goto on_error; /* the journal cannot be written: stop before any further call */
        }
    }
    if (cpw_journal_run_finish(opts->store, r->run_id,
                               r->failed    ? "failed"
                               : r->refused ? "refused"
                                            : "completed")) {
        goto on_error;
    }
    cpw_apply_ctx_clean_up(&ctx);
    s_unlock_all(locks, lock_count);
    *out = r;
    return 0;
on_error:
    cpw_apply_ctx_clean_up(&ctx);
    s_unlock_all(locks, lock_count);
    cpw_apply_report_destroy(r);
    return -1;
}

void cpw_apply_report_destroy(struct cpw_apply_report *r)
{
    if (!r) {
        return;
    }
    for (size_t i = 0; i < r->step_count; i++) {
        cpw_free(r->steps[i].detail);
        cpw_free(r->steps[i].data);
    }
    cpw_free(r->steps);
    cpw_free(r);
}
