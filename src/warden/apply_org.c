/*
 * apply_org.c - an organization plan applied account by account: each account's part of the
 * plan checked and run in that account with its own client and its own store connection, a
 * bounded number of accounts at once, and the results merged back into plan order.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/apply_org.h"
#include "cpw/error.h"
#include "cpw/journal.h"
#include "cpw/plan_targets.h"
#include "cpw/store.h"

/* One account's part of the run. */
struct job {
    const struct cpw_apply_org_options *opts;
    char *account;
    struct cpw_aws_client *client; /* NULL: unreachable */
    struct cpw_store *store;       /* this job's own connection; NULL: could not open */
    struct cpw_plan part;          /* shallow: borrows the plan's actions' strings */
    char *part_accounts[1];
    size_t *index; /* part action k is plan action index[k] */
    struct cpw_apply_report *report;
    enum cpw_apply_org_status status;
    char *detail;
};

struct pool {
    pthread_mutex_t lock;
    struct job *jobs;
    size_t job_count;
    size_t next;
};

const char *cpw_apply_org_status_name(enum cpw_apply_org_status status)
{
    static const char *const names[CPW_APPLY_ORG_STATUS_COUNT_] = {
#define CPW_APPLY_ORG_STATUS_NAME_(e, name) [(e)] = (name),
        CPW_APPLY_ORG_STATUS_LIST(CPW_APPLY_ORG_STATUS_NAME_)
#undef CPW_APPLY_ORG_STATUS_NAME_
    };
    return (unsigned)status < CPW_APPLY_ORG_STATUS_COUNT_ ? names[status] : "unknown";
}

/* The account's actions (shallow copies: the strings stay the plan's) and checklists. */
static int s_part(struct job *job, const struct cpw_plan *plan)
{
    job->part = *plan;
    job->part.actions =
      cpw_calloc(plan->action_count ? plan->action_count : 1, sizeof(*job->part.actions));
    job->index = cpw_calloc(plan->action_count ? plan->action_count : 1, sizeof(*job->index));
    job->part.action_count = 0;
    for (size_t i = 0; i < plan->action_count; i++) {
        if (strcmp(plan->actions[i].account, job->account) == 0) {
            job->index[job->part.action_count] = i;
            job->part.actions[job->part.action_count++] = plan->actions[i];
        }
    }
    job->part.checklists =
      cpw_calloc(plan->checklist_count ? plan->checklist_count : 1, sizeof(*job->part.checklists));
    job->part.checklist_count = 0;
    for (size_t i = 0; i < plan->checklist_count; i++) {
        if (strcmp(plan->checklists[i].account, job->account) == 0) {
            job->part.checklists[job->part.checklist_count++] = plan->checklists[i];
        }
    }
    job->part_accounts[0] = job->account;
    job->part.accounts = job->part_accounts;
    job->part.account_count = 1;
    /* The part's own fingerprint, over facts the loader verified as the whole plan's. */
    return cpw_plan_compute_fingerprint(&job->part, job->part.fingerprint);
}

/* The checks before the account's run: apply.h's cpw_apply_check on the account's part. */
static int s_check(struct job *job, bool resuming)
{
    return cpw_apply_check(job->client, &job->part, job->opts->protect, resuming);
}

/* The account's action with id, if it is a deletion (a call that changes the account). */
static bool s_is_deletion(const struct job *job, const char *id)
{
    for (size_t i = 0; i < job->part.action_count; i++) {
        const struct cpw_plan_action *a = &job->part.actions[i];
        if (strcmp(a->id, id) == 0) {
            return a->kind == CPW_PLAN_DELETE_INTEGRATION || a->kind == CPW_PLAN_DELETE_DOMAIN ||
                   a->kind == CPW_PLAN_DELETE_SERVICE_LINKED_ROLE;
        }
    }
    return false;
}

/* Whether an earlier run of the plan finished a step of this account, or stopped during one of
 * its deletions (whose call may have reached AWS: the account may have moved on since the plan,
 * by design, and the resumed step reconciles it; its preconditions are checked live anyway). */
static int s_resuming(struct job *job, struct cpw_store *store, bool *resuming)
{
    struct cpw_journal_done *done = NULL;
    size_t done_count = 0;
    struct cpw_journal_interrupted *cut = NULL;
    size_t cut_count = 0;
    *resuming = false;
    if (cpw_journal_done_list(store, job->opts->run->plan_checksum, &done, &done_count) ||
        cpw_journal_interrupted_list(store, job->opts->run->plan_checksum, &cut, &cut_count)) {
        cpw_journal_done_free(done, done_count);
        return -1;
    }
    for (size_t k = 0; k < done_count && !*resuming; k++) {
        for (size_t i = 0; i < job->part.action_count; i++) {
            if (strcmp(done[k].action_id, job->part.actions[i].id) == 0) {
                *resuming = true;
                break;
            }
        }
    }
    for (size_t k = 0; k < cut_count && !*resuming; k++) {
        *resuming = s_is_deletion(job, cut[k].action_id);
    }
    cpw_journal_done_free(done, done_count);
    cpw_journal_interrupted_free(cut, cut_count);
    return 0;
}

static void s_fail(struct job *job, enum cpw_apply_org_status status, const char *what)
{
    job->status = status;
    struct cpw_buf text;
    cpw_buf_init(&text, 8192);
    (void)cpw_buf_appendf(&text, "%s%s", what, cpw_last_error_detail());
    job->detail = cpw_buf_detach(&text);
}

/* One account, on a worker thread: the checks and the run, on the job's own connection. */
static void s_run_job(struct job *job)
{
    if (!job->client || job->detail) {
        return; /* unreachable, or no store: the detail was taken before the workers started */
    }
    bool resuming = false;
    if (s_resuming(job, job->store, &resuming)) {
        s_fail(job, CPW_APPLY_ORG_ERROR, "the journal: ");
        return;
    }
    if (s_check(job, resuming)) {
        s_fail(job, CPW_APPLY_ORG_REFUSED,
               cpw_last_error() == CPW_ERR_STALE_PLAN  ? "stale plan: "
               : cpw_last_error() == CPW_ERR_PROTECTED ? "protected: "
                                                       : "the live state is unreadable: ");
        return;
    }
    struct cpw_apply_options run = *job->opts->run;
    run.client = job->client;
    run.store = job->store;
    run.plan = &job->part;
    run.account = job->account;
    if (cpw_apply_run(&run, &job->report)) {
        bool locked = cpw_last_error() == CPW_ERR_LOCKED; /* another apply holds the account */
        s_fail(job, locked ? CPW_APPLY_ORG_REFUSED : CPW_APPLY_ORG_ERROR,
               locked ? "locked: " : "the journal: ");
        return;
    }
    job->status = CPW_APPLY_ORG_APPLIED;
}

static void *s_worker(void *arg)
{
    struct pool *pool = arg;
    for (;;) {
        pthread_mutex_lock(&pool->lock);
        size_t i = pool->next < pool->job_count ? pool->next++ : pool->job_count;
        pthread_mutex_unlock(&pool->lock);
        if (i >= pool->job_count) {
            return NULL;
        }
        s_run_job(&pool->jobs[i]);
    }
}

/* Runs every job on up to `threads` workers (at least the calling thread). */
static void s_run_all(struct pool *pool, unsigned threads)
{
    pthread_t ids[CPW_APPLY_ORG_MAX_PARALLEL];
    size_t started = 0;
    for (unsigned t = 1; t < threads && started < CPW_APPLY_ORG_MAX_PARALLEL; t++) {
        if (pthread_create(&ids[started], NULL, s_worker, pool) != 0) {
            break; /* fewer workers: the calling thread still runs every job left */
        }
        started++;
    }
    (void)s_worker(pool);
    for (size_t t = 0; t < started; t++) {
        pthread_join(ids[t], NULL);
    }
}

/* Puts the job's steps (or its failure) into the merged report. */
static void s_merge(struct job *job, struct cpw_apply_org_report *out)
{
    struct cpw_apply_report *r = out->report;
    struct cpw_apply_org_account *acct = &out->accounts[out->account_count++];
    acct->account = cpw_strdup(job->account);
    acct->status = job->status;
    acct->detail = cpw_strdup(job->detail ? job->detail : "");
    if (job->report) {
        for (size_t k = 0; k < job->report->step_count; k++) {
            struct cpw_apply_step *from = &job->report->steps[k];
            struct cpw_apply_step *to = &r->steps[job->index[k]];
            cpw_free(to->detail);
            cpw_free(to->data);
            to->outcome = from->outcome;
            to->detail = from->detail;
            to->data = from->data;
            from->detail = NULL;
            from->data = NULL;
        }
        acct->failed = job->report->failed;
        acct->executed = job->report->executed;
        r->failed += job->report->failed;
        r->refused += job->report->refused;
        r->executed += job->report->executed;
        r->resumed = r->resumed || job->report->resumed;
        r->run_id = job->report->run_id > r->run_id ? job->report->run_id : r->run_id;
        return;
    }
    for (size_t k = 0; k < job->part.action_count; k++) {
        if (job->part.actions[k].status != CPW_PLAN_ACTION_PLANNED) {
            continue;
        }
        struct cpw_apply_step *to = &r->steps[job->index[k]];
        struct cpw_buf text;
        cpw_buf_init(&text, 16384);
        (void)cpw_buf_appendf(&text, "account %s %s: %s", job->account,
                              cpw_apply_org_status_name(job->status),
                              job->detail ? job->detail : "not run");
        cpw_free(to->detail);
        to->outcome = CPW_APPLY_FAILED;
        to->detail = cpw_buf_detach(&text);
        acct->failed++;
        r->failed++;
    }
}

int cpw_apply_org_run(const struct cpw_apply_org_options *opts, struct cpw_apply_org_report **out)
{
    *out = NULL;
    if (!opts || !opts->accounts || !opts->protect || !opts->run || !opts->run->plan ||
        !opts->run->plan_checksum || !opts->run->backup_dir) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                         "an organization run needs the accounts, the protections and the run's "
                         "plan, checksum and backup directory");
    }
    const struct cpw_plan *plan = opts->run->plan;
    char **ids = NULL;
    size_t id_count = cpw_accounts_of_plan(plan, &ids);
    struct pool pool = { .jobs = cpw_calloc(id_count ? id_count : 1, sizeof(struct job)),
                         .job_count = id_count };
    pthread_mutex_init(&pool.lock, NULL);
    int rc = -1;
    for (size_t i = 0; i < id_count; i++) {
        struct job *job = &pool.jobs[i];
        job->opts = opts;
        job->account = cpw_strdup(ids[i]);
        if (s_part(job, plan)) {
            goto cleanup;
        }
        /* Clients are made here, on one thread (accounts.h); each then serves one worker. */
        job->client = cpw_accounts_client(opts->accounts, job->account);
        if (!job->client) {
            s_fail(job, CPW_APPLY_ORG_UNREACHABLE, "");
            continue;
        }
        /* Each worker writes the journal through its own connection, opened here, one at a
         * time: opening switches the database to WAL, which must not race another opening. */
        struct cpw_store_options so = { .dir = opts->state_dir };
        job->store = cpw_store_open(&so);
        if (!job->store) {
            s_fail(job, CPW_APPLY_ORG_ERROR, "the journal: ");
        }
    }
    unsigned parallel = opts->max_parallel ? opts->max_parallel : CPW_APPLY_ORG_DEFAULT_PARALLEL;
    parallel = parallel > CPW_APPLY_ORG_MAX_PARALLEL ? CPW_APPLY_ORG_MAX_PARALLEL : parallel;
    s_run_all(&pool, parallel < id_count ? parallel : (unsigned)(id_count ? id_count : 1));

    struct cpw_apply_org_report *report = cpw_calloc(1, sizeof(*report));
    report->report = cpw_calloc(1, sizeof(*report->report));
    report->report->step_count = plan->action_count;
    report->report->steps =
      cpw_calloc(plan->action_count ? plan->action_count : 1, sizeof(struct cpw_apply_step));
    for (size_t i = 0; i < plan->action_count; i++) {
        report->report->steps[i].action = &plan->actions[i];
        report->report->steps[i].outcome = CPW_APPLY_SKIPPED;
        report->report->steps[i].detail = cpw_strdup(plan->actions[i].reason);
    }
    report->accounts = cpw_calloc(id_count ? id_count : 1, sizeof(*report->accounts));
    for (size_t i = 0; i < id_count; i++) {
        s_merge(&pool.jobs[i], report);
    }
    *out = report;
    rc = 0;
cleanup:
    for (size_t i = 0; i < id_count; i++) {
        struct job *job = &pool.jobs[i];
        cpw_apply_report_destroy(job->report);
        cpw_store_destroy(job->store);
        cpw_free(job->part.actions);
        cpw_free(job->part.checklists);
        cpw_free(job->index);
        cpw_free(job->account);
        cpw_free(job->detail);
    }
    pthread_mutex_destroy(&pool.lock);
    cpw_free(pool.jobs);
    cpw_accounts_list_free(ids, id_count);
    return rc;
}

void cpw_apply_org_report_destroy(struct cpw_apply_org_report *r)
{
    if (!r) {
        return;
    }
    cpw_apply_report_destroy(r->report);
    for (size_t i = 0; i < r->account_count; i++) {
        cpw_free(r->accounts[i].account);
        cpw_free(r->accounts[i].detail);
    }
    cpw_free(r->accounts);
    cpw_free(r);
}
