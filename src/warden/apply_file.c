/*
 * apply_file.c - a saved plan file applied from start to end (apply_file.h): load and verify,
 * lock, check, confirm, run, and the exit status of what happened.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/accounts.h"
#include "cpw/alloc.h"
#include "cpw/apply_file.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/journal.h"
#include "cpw/json.h"
#include "cpw/lock.h"
#include "cpw/store.h"

#define PROMPT_MAX_BYTES (16u * 1024u * 1024u)
#define NO_TERMINAL_MESSAGE                                                                        \
    "refusing to apply without confirmation: no terminal to ask on; pass --yes to confirm "        \
    "non-interactively"

/* Everything one call holds; released by s_clean_up. */
struct apply_file {
    const struct cpw_apply_file_options *opts;
    struct cpw_apply_file_result *result;
    struct cpw_buf text; /* the plan document */
    struct cpw_buf backup_dir;
    struct cpw_buf lock_dir;
    struct cpw_plan *plan;
    char *checksum;
    struct cpw_store *store;
    struct cpw_lock *plan_lock;
};

/* The exit status of a refusal before the run: a plan, lock or check that says no. */
static enum cpw_exit s_refusal_exit(void)
{
    switch (cpw_last_error()) {
    case CPW_ERR_PARSE:
    case CPW_ERR_VERSION:
    case CPW_ERR_INTEGRITY:
    case CPW_ERR_WRONG_ACCOUNT:
    case CPW_ERR_LIMIT:
    case CPW_ERR_STALE_PLAN:
    case CPW_ERR_PROTECTED:
    case CPW_ERR_NOT_CONFIRMED:
    case CPW_ERR_LOCKED:
        return CPW_EXIT_REFUSED;
    case CPW_ERR_IO:
        return CPW_EXIT_USAGE;
    default:
        return cpw_exit_for_error();
    }
}

/* The exit status of a finished run. */
static enum cpw_exit s_report_exit(const struct cpw_apply_report *report)
{
    return report->failed ? CPW_EXIT_FAILED : report->refused ? CPW_EXIT_REFUSED : CPW_EXIT_OK;
}

/* Records a failure: -1 with exit and context set. */
static int s_fail(struct apply_file *af, enum cpw_exit exit, const char *context)
{
    af->result->exit = exit;
    af->result->context = context;
    return -1;
}

/* The checksum of a document the loader has verified. Owned. */
static char *s_checksum(struct cpw_span text)
{
    json_t *doc = NULL;
    char *sum = NULL;
    if (cpw_json_load(text, CPW_PLAN_MAX_BYTES, &doc) == 0) {
        const char *s = cpw_json_get_string(doc, "checksum");
        sum = s ? cpw_strdup(s) : NULL;
    }
    json_decref(doc);
    return sum;
}

static size_t s_planned_count(const struct cpw_plan *plan)
{
    size_t n = 0;
    for (size_t i = 0; i < plan->action_count; i++) {
        n += plan->actions[i].status == CPW_PLAN_ACTION_PLANNED;
    }
    return n;
}

/* STATE/SUFFIX into out, STATE being opts->state_dir or the default store directory. */
static int s_state_path(const char *state_dir, const char *suffix, struct cpw_buf *out)
{
    if (state_dir ? cpw_buf_append_cstr(out, state_dir) : cpw_store_default_dir(out)) {
        return -1;
    }
    return cpw_buf_append_cstr(out, suffix);
}

/* Shows prompt through opts->ask; the typed line in line, or -1 with CPW_ERR_NOT_CONFIRMED
 * (mismatch says why an answer does not confirm, when none was typed). */
static int s_ask(const struct cpw_apply_file_options *opts,
                 const char *prompt,
                 char *line,
                 size_t cap,
                 const char *mismatch)
{
    enum cpw_apply_answer answer =
      opts->ask ? opts->ask(opts->ask_user, prompt, line, cap) : CPW_APPLY_NO_TERMINAL;
    switch (answer) {
    case CPW_APPLY_ANSWERED:
        return 0;
    case CPW_APPLY_NO_TERMINAL:
        return cpw_raise(CPW_ERR_NOT_CONFIRMED, NO_TERMINAL_MESSAGE);
    case CPW_APPLY_NO_ANSWER:
    default:
        return cpw_raise(CPW_ERR_NOT_CONFIRMED, "%s", mismatch);
    }
}

int cpw_apply_confirmation_prompt(const struct cpw_plan *plan, struct cpw_buf *out)
{
    int rc = cpw_plan_render_table(plan, out);
    if (plan->organization) {
        /* The accounts come from the planned actions; more than CPW_ACCOUNTS_CONFIRM_LIST_MAX
         * are confirmed by their count and digest (accounts.h). */
        char **ids = NULL;
        size_t n = cpw_accounts_of_plan(plan, &ids);
        rc = rc ? rc : cpw_buf_append_cstr(out, "\n");
        rc = rc ? rc : cpw_accounts_confirm_prompt((const char *const *)ids, n, out);
        cpw_accounts_list_free(ids, n);
        return rc;
    }
    /* plan->accounts is the set derived from the planned actions (cpw_plan_verify_trust). */
    rc = rc ? rc : cpw_buf_append_cstr(out, "\nThis deletes resources in account(s):");
    for (size_t i = 0; rc == 0 && i < plan->account_count; i++) {
        rc = cpw_buf_appendf(out, " %s", plan->accounts[i]);
    }
    return rc ? rc : cpw_buf_append_cstr(out, "\nType the account id(s) to confirm: ");
}

bool cpw_apply_confirmation_accepts(const struct cpw_plan *plan, const char *typed)
{
    if (!plan->organization) {
        return cpw_apply_confirmation_matches(plan, typed);
    }
    char **ids = NULL;
    size_t n = cpw_accounts_of_plan(plan, &ids);
    bool ok = cpw_accounts_confirmation_matches((const char *const *)ids, n, typed);
    cpw_accounts_list_free(ids, n);
    return ok;
}

/* Typed confirmation: 0 confirmed, else -1 with CPW_ERR_NOT_CONFIRMED. */
static int s_confirm(const struct cpw_apply_file_options *opts, const struct cpw_plan *plan)
{
    char mismatch[160] = "the account ids typed do not match the plan's";
    if (plan->organization) {
        char **ids = NULL;
        size_t n = cpw_accounts_of_plan(plan, &ids);
        cpw_accounts_list_free(ids, n);
        if (n == 0) {
            return 0; /* nothing planned: nothing to confirm */
        }
        snprintf(mismatch, sizeof(mismatch),
                 "what was typed does not confirm the %zu account(s) the plan acts in", n);
    }
    struct cpw_buf prompt;
    cpw_buf_init(&prompt, PROMPT_MAX_BYTES);
    int rc = cpw_apply_confirmation_prompt(plan, &prompt);
    char line[1024];
    if (rc == 0 || !plan->organization) { /* a plain plan asks even when its table is cut */
        rc = s_ask(opts, cpw_buf_cstr(&prompt), line, sizeof(line), mismatch);
    }
    cpw_buf_clean_up(&prompt);
    if (rc == 0 && !cpw_apply_confirmation_accepts(plan, line)) {
        rc = cpw_raise(CPW_ERR_NOT_CONFIRMED, "%s", mismatch);
    }
    return rc;
}

/* An organization plan is applied by the management account (or the plan's), to members. */
static int s_check_org(const struct cpw_apply_file_options *opts, const struct cpw_plan *plan)
{
    char **ids = NULL;
    size_t n = cpw_accounts_of_plan(plan, &ids);
    int rc = n == 0
               ? 0
               : cpw_accounts_check_organization(opts->client, opts->account, plan->caller_account,
                                                 (const char *const *)ids, n);
    cpw_accounts_list_free(ids, n);
    return rc;
}

/* The plan lock: one apply of a plan at a time. NULL with the error raised. */
static struct cpw_lock *s_lock_plan(const struct apply_file *af)
{
    char name[96];
    char what[4200];
    snprintf(name, sizeof(name), "plan-%.64s", af->checksum);
    snprintf(what, sizeof(what), "plan %.12s (%.4000s)", af->checksum, af->opts->plan_path);
    char *note = NULL;
    struct cpw_lock *lock = cpw_lock_acquire(cpw_buf_cstr(&af->lock_dir), name, what, &note);
    if (note && af->opts->run.notice) {
        char line[1200];
        snprintf(line, sizeof(line), "plan %.12s: %.1000s", af->checksum, note);
        af->opts->run.notice(af->opts->run.notice_user, line);
    }
    cpw_free(note);
    return lock;
}

/* Steps 1 to 5 (apply_file.h): 0, or -1 with the result's exit and context set. */
static int s_prepare(struct apply_file *af)
{
    const struct cpw_apply_file_options *opts = af->opts;
    /* An organization plan's accounts are checked live (s_check_org); any other plan acts in
     * the caller's account only. */
    struct cpw_plan_load_options lo = { .current_account = opts->account,
                                        .allow_other_accounts = true };
    if (cpw_buf_read_file(&af->text, opts->plan_path) ||
        !(af->plan = cpw_plan_load(cpw_buf_span(&af->text), &lo)) ||
        (!af->plan->organization && cpw_plan_verify_trust(af->plan, opts->account, false)) ||
        !(af->checksum = s_checksum(cpw_buf_span(&af->text)))) {
        return s_fail(af, s_refusal_exit(), opts->plan_path);
    }
    struct cpw_store_options sto = { .dir = opts->state_dir };
    af->store = cpw_store_open(&sto);
    if (!af->store || s_state_path(opts->state_dir, "/locks", &af->lock_dir)) {
        return s_fail(af, CPW_EXIT_CONFIG, NULL);
    }
    if (!(af->plan_lock = s_lock_plan(af))) {
        return s_fail(af, s_refusal_exit(), NULL);
    }
    int64_t runs = cpw_journal_run_count(af->store, af->checksum);
    if (runs < 0 || (af->plan->organization
                       ? s_check_org(opts, af->plan)
                       : cpw_apply_check(opts->client, af->plan, opts->protect, runs > 0))) {
        return s_fail(af, s_refusal_exit(),
                      cpw_last_error() == CPW_ERR_STALE_PLAN  ? "stale plan refused"
                      : cpw_last_error() == CPW_ERR_PROTECTED ? "protected, refused"
                                                              : NULL);
    }
    if (!opts->confirmed && s_planned_count(af->plan) > 0 && s_confirm(opts, af->plan)) {
        return s_fail(af, CPW_EXIT_REFUSED, NULL); /* nothing planned: nothing asked */
    }
    if (opts->backup_dir ? cpw_buf_append_cstr(&af->backup_dir, opts->backup_dir)
                         : s_state_path(opts->state_dir, "/backups", &af->backup_dir)) {
        return s_fail(af, CPW_EXIT_CONFIG, NULL);
    }
    return 0;
}

/* Step 6 for an organization plan: every member account's part in that account. */
static int s_run_org(struct apply_file *af, const struct cpw_apply_options *run)
{
    const struct cpw_apply_file_options *opts = af->opts;
    /* Every member client has its own engine: with the default retry mode, adaptive retries give
     * each account its own client-side rate limiter, as inventory --org does. */
    struct cpw_http_engine_options engine = { 0 };
    struct cpw_aws_client_options member = *opts->client_options;
    if (opts->client_options->engine) {
        engine = *opts->client_options->engine;
    }
    if (!opts->retry_mode_configured) {
        engine.retry.mode = CPW_RETRY_MODE_ADAPTIVE;
        engine.retry.max_attempts = 0;
    }
    member.engine = &engine;
    struct cpw_accounts_options ao = {
        .caller = opts->client,
        .client_options = &member,
        .caller_account = opts->account,
        .caller_arn = opts->caller_arn,
        .role_name = af->plan->role_name,
    };
    struct cpw_accounts *accounts = cpw_accounts_new(&ao);
    struct cpw_apply_org_options oo = {
        .accounts = accounts,
        .state_dir = opts->state_dir,
        .protect = opts->protect,
        .run = run,
        .max_parallel = opts->parallel,
    };
    int rc = 0;
    if (!accounts || cpw_apply_org_run(&oo, &af->result->org)) {
        rc = s_fail(af, CPW_EXIT_OTHER, NULL);
    } else {
        af->result->report = af->result->org->report;
        af->result->exit = s_report_exit(af->result->report);
    }
    cpw_accounts_destroy(accounts);
    return rc;
}

int cpw_apply_file(const struct cpw_apply_file_options *opts, struct cpw_apply_file_result *result)
{
    memset(result, 0, sizeof(*result));
    result->exit = CPW_EXIT_OTHER;
    if (!opts || !opts->plan_path || !opts->client || !opts->client_options || !opts->account ||
        !opts->protect) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "apply: missing required options");
    }
    struct apply_file af = { .opts = opts, .result = result };
    cpw_buf_init(&af.text, CPW_PLAN_MAX_BYTES);
    cpw_buf_init(&af.backup_dir, 8192);
    cpw_buf_init(&af.lock_dir, 8192);
    int rc = s_prepare(&af);
    if (rc == 0) {
        struct cpw_apply_options run = opts->run;
        run.client = opts->client;
        run.store = af.store;
        run.plan = af.plan;
        run.plan_checksum = af.checksum;
        run.plan_path = opts->plan_path;
        run.caller_arn = opts->caller_arn;
        run.account = opts->account;
        run.backup_dir = cpw_buf_cstr(&af.backup_dir);
        run.lock_dir = cpw_buf_cstr(&af.lock_dir);
        run.protect = opts->protect;
        if (af.plan->organization) {
            rc = s_run_org(&af, &run);
        } else if (cpw_apply_run(&run, &result->report)) {
            bool locked = cpw_last_error() == CPW_ERR_LOCKED;
            rc = s_fail(&af, locked ? CPW_EXIT_REFUSED : CPW_EXIT_OTHER,
                        locked ? NULL : "the journal");
        } else {
            result->exit = s_report_exit(result->report);
        }
    }
    cpw_lock_release(af.plan_lock);
    cpw_store_destroy(af.store);
    cpw_free(af.checksum);
    cpw_buf_clean_up(&af.lock_dir);
    cpw_buf_clean_up(&af.backup_dir);
    cpw_buf_clean_up(&af.text);
    if (rc == 0) {
        /* The report borrows the plan's actions: the plan lives as long as the result. */
        result->plan = af.plan;
    } else {
        cpw_plan_destroy(af.plan);
    }
    return rc;
}

void cpw_apply_file_problems(const struct cpw_apply_file_result *result,
                             cpw_apply_progress_fn *line,
                             void *user)
{
    const struct cpw_apply_report *report = result->report;
    if (!report || !line) {
        return;
    }
    struct cpw_buf text;
    cpw_buf_init(&text, 1024u * 1024u);
    if (!result->org) {
        for (size_t i = 0; i < report->step_count; i++) {
            const struct cpw_apply_step *s = &report->steps[i];
            if (s->outcome == CPW_APPLY_FAILED || s->outcome == CPW_APPLY_REFUSED) {
                cpw_buf_reset(&text);
                (void)cpw_buf_appendf(&text, "%s %s %s %s: %s", s->action->id,
                                      cpw_plan_action_kind_name(s->action->kind), s->action->name,
                                      cpw_apply_outcome_name(s->outcome), s->detail);
                line(user, cpw_buf_cstr(&text));
            }
        }
        cpw_buf_clean_up(&text);
        return;
    }
    for (size_t i = 0; i < result->org->account_count; i++) {
        const struct cpw_apply_org_account *a = &result->org->accounts[i];
        cpw_buf_reset(&text);
        (void)cpw_buf_appendf(&text, "account %s: %s, %zu step(s) executed, %zu failed%s%s",
                              a->account, cpw_apply_org_status_name(a->status), a->executed,
                              a->failed, a->detail[0] ? ": " : "", a->detail);
        line(user, cpw_buf_cstr(&text));
    }
    for (size_t i = 0; i < report->step_count; i++) {
        const struct cpw_apply_step *s = &report->steps[i];
        /* A step failed because of its account is explained by the account's line. */
        if (s->outcome == CPW_APPLY_FAILED && s->detail && strncmp(s->detail, "account ", 8) != 0) {
            cpw_buf_reset(&text);
            (void)cpw_buf_appendf(&text, "%s %s %s (account %s) failed: %s", s->action->id,
                                  cpw_plan_action_kind_name(s->action->kind), s->action->name,
                                  s->action->account, s->detail);
            line(user, cpw_buf_cstr(&text));
        }
    }
    cpw_buf_clean_up(&text);
}

void cpw_apply_file_result_clean_up(struct cpw_apply_file_result *result)
{
    if (!result) {
        return;
    }
    if (result->org) {
        cpw_apply_org_report_destroy(result->org);
    } else {
        cpw_apply_report_destroy(result->report);
    }
    cpw_plan_destroy(result->plan);
    memset(result, 0, sizeof(*result));
}
