/*
 * cmd_apply.c - `cpwarden apply PLAN`: load the saved plan for the current identity, refuse it
 * when stale or protected, have the user type the account id(s), then execute it with the
 * journal and print the report.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_opts.h"
#include "cli.h"
#include "cpw/accounts.h"
#include "cpw/alloc.h"
#include "cpw/apply.h"
#include "cpw/apply_org.h"
#include "cpw/error.h"
#include "cpw/journal.h"
#include "cpw/json.h"
#include "cpw/live.h"
#include "cpw/lock.h"
#include "cpw/store.h"

enum {
    OPT_YES = 1,
    OPT_STATE,
    OPT_BACKUP_DIR,
    OPT_CONFIG,
    OPT_WAIT,
    OPT_RETRY_INTERVAL,
    OPT_MAX_RETRIES,
    OPT_POLL_INTERVAL,
    OPT_RESUME,
    OPT_PARALLEL,
    OPT_KILL_AFTER_RECORD,
};

static const struct option s_long[] = {
    { "yes", no_argument, NULL, OPT_YES },
    { "state", required_argument, NULL, OPT_STATE },
    { "backup-dir", required_argument, NULL, OPT_BACKUP_DIR },
    { "config", required_argument, NULL, OPT_CONFIG },
    { "wait", required_argument, NULL, OPT_WAIT },
    { "retry-interval", required_argument, NULL, OPT_RETRY_INTERVAL },
    { "max-retries", required_argument, NULL, OPT_MAX_RETRIES },
    { "poll-interval", required_argument, NULL, OPT_POLL_INTERVAL },
    { "resume", no_argument, NULL, OPT_RESUME },
    { "kill-after-record", required_argument, NULL, OPT_KILL_AFTER_RECORD }, /* test hook */
    { "parallel", required_argument, NULL, OPT_PARALLEL },
    { "help", no_argument, NULL, 'h' },
    CPW_CLI_AWS_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

struct apply_args {
    bool yes;
    const char *plan_path;
    const char *state_dir;
    const char *backup_dir;
    const char *config_path;
    unsigned parallel; /* accounts at once for an organization plan; 0: the default */
    struct cpw_apply_options run;
};

/* "90" (seconds), "500ms", "30s", "15m", "1h" into milliseconds; false when malformed. */
static bool s_duration(const char *text, int64_t *ms)
{
    size_t len = strlen(text);
    size_t digits = strspn(text, "0123456789");
    uint64_t n = 0;
    if (digits == 0 || cpw_span_to_u64(cpw_span_from(text, digits), 100000000, &n)) {
        return false;
    }
    const char *unit = text + digits;
    uint64_t scale = strcmp(unit, "ms") == 0                     ? 1
                     : (strcmp(unit, "s") == 0 || digits == len) ? 1000
                     : strcmp(unit, "m") == 0                    ? 60000
                     : strcmp(unit, "h") == 0                    ? 3600000
                                                                 : 0;
    *ms = (int64_t)(n * scale);
    return scale != 0 && n > 0;
}

static void s_progress(void *user, const char *line)
{
    (void)user;
    fprintf(stderr, "cpwarden apply: %s\n", line);
}

static int s_parse(int argc, char **argv, struct apply_args *args, struct cpw_settings_options *so)
{
    optind = 0;
    opterr = 0;
    int c;
    uint64_t n = 0;
    while ((c = getopt_long(argc, argv, "hy", s_long, NULL)) != -1) {
        int handled = cpw_cli_aws_option("apply", c, optarg, so);
        if (handled < 0) {
            return -1;
        }
        if (handled) {
            continue;
        }
        int64_t *duration = c == OPT_WAIT             ? &args->run.wait_ms
                            : c == OPT_RETRY_INTERVAL ? &args->run.retry_interval_ms
                            : c == OPT_POLL_INTERVAL  ? &args->run.poll_interval_ms
                                                      : NULL;
        if (duration) {
            if (!s_duration(optarg, duration)) {
                cpw_cli_usage_error("apply", "'%s' is not a duration (e.g. 900, 30s, 15m, 500ms)",
                                    optarg);
                return -1;
            }
            continue;
        }
        switch (c) {
        case 'y':
        case OPT_YES:
            args->yes = true;
            break;
        case OPT_RESUME: /* always on: a plan applied again resumes from the journal */
            break;
        case OPT_KILL_AFTER_RECORD: /* crash tests: SIGKILL right after the Nth journal record */
            if (cpw_span_to_u64(cpw_span_from_cstr(optarg), 1000000, &n) || n == 0) {
                cpw_cli_usage_error("apply", "--kill-after-record takes 1 to 1000000");
                return -1;
            }
            args->run.kill_after_record = (unsigned)n;
            break;
        case OPT_STATE:
            args->state_dir = optarg;
            break;
        case OPT_BACKUP_DIR:
            args->backup_dir = optarg;
            break;
        case OPT_CONFIG:
            args->config_path = optarg;
            break;
        case OPT_MAX_RETRIES:
            if (cpw_span_to_u64(cpw_span_from_cstr(optarg), 1000, &n)) {
                cpw_cli_usage_error("apply", "--max-retries takes 0 to 1000");
                return -1;
            }
            args->run.max_retries = (int)n;
            break;
        case OPT_PARALLEL:
            if (cpw_span_to_u64(cpw_span_from_cstr(optarg), CPW_APPLY_ORG_MAX_PARALLEL, &n) ||
                n == 0) {
                cpw_cli_usage_error("apply", "--parallel takes 1 to %d",
                                    CPW_APPLY_ORG_MAX_PARALLEL);
                return -1;
            }
            args->parallel = (unsigned)n;
            break;
        default:
            cpw_cli_option_error("apply", s_long, argc, argv);
            return -1;
        }
    }
    if (argc - optind != 1) {
        cpw_cli_usage_error("apply", "expected one PLAN file");
        return -1;
    }
    args->plan_path = argv[optind];
    return 0;
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

/*
 * An organization plan's confirmation: the accounts come from its planned actions; more than
 * CPW_ACCOUNTS_CONFIRM_LIST_MAX are confirmed by their count and digest (accounts.h).
 */
static int s_confirm_org(const struct cpw_plan *plan)
{
    char **ids = NULL;
    size_t n = cpw_accounts_of_plan(plan, &ids);
    if (n == 0) {
        return 0; /* nothing planned: nothing to confirm */
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
        cpw_accounts_list_free(ids, n);
        return cpw_raise(CPW_ERR_NOT_CONFIRMED,
                         "refusing to apply without confirmation: no terminal to ask on; "
                         "pass --yes to confirm non-interactively");
    }
    struct cpw_buf text;
    cpw_buf_init(&text, 16u * 1024u * 1024u);
    (void)cpw_plan_render_table(plan, &text);
    (void)cpw_buf_append_cstr(&text, "\n");
    int rc = cpw_accounts_confirm_prompt((const char *const *)ids, n, &text);
    if (rc == 0) {
        fputs(cpw_buf_cstr(&text), stderr);
        fflush(stderr);
        char line[1024];
        if (!fgets(line, sizeof(line), stdin) ||
            !cpw_accounts_confirmation_matches((const char *const *)ids, n, line)) {
            rc = cpw_raise(CPW_ERR_NOT_CONFIRMED,
                           "what was typed does not confirm the %zu "
                           "account(s) the plan acts in",
                           n);
        }
    }
    cpw_buf_clean_up(&text);
    cpw_accounts_list_free(ids, n);
    return rc;
}

/* Typed confirmation on a terminal: 0 confirmed, else -1 with CPW_ERR_NOT_CONFIRMED. */
static int s_confirm(const struct cpw_plan *plan)
{
    if (plan->organization) {
        return s_confirm_org(plan);
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
        return cpw_raise(CPW_ERR_NOT_CONFIRMED,
                         "refusing to apply without confirmation: no terminal to ask on; "
                         "pass --yes to confirm non-interactively");
    }
    struct cpw_buf text;
    cpw_buf_init(&text, 16u * 1024u * 1024u);
    (void)cpw_plan_render_table(plan, &text);
    /* plan->accounts is the set derived from the planned actions (cpw_plan_verify_trust). */
    fprintf(stderr, "%s\nThis deletes resources in account(s):", cpw_buf_cstr(&text));
    for (size_t i = 0; i < plan->account_count; i++) {
        fprintf(stderr, " %s", plan->accounts[i]);
    }
    fprintf(stderr, "\nType the account id(s) to confirm: ");
    fflush(stderr);
    cpw_buf_clean_up(&text);
    char line[1024];
    if (!fgets(line, sizeof(line), stdin) || !cpw_apply_confirmation_matches(plan, line)) {
        return cpw_raise(CPW_ERR_NOT_CONFIRMED, "the account ids typed do not match the plan's");
    }
    return 0;
}

/* An organization plan is applied by the management account (or the plan's), to members. */
static int s_check_org(struct cpw_aws_client *client,
                       const char *account,
                       const struct cpw_plan *plan)
{
    char **ids = NULL;
    size_t n = cpw_accounts_of_plan(plan, &ids);
    int rc = n == 0 ? 0
                    : cpw_accounts_check_organization(client, account, plan->caller_account,
                                                      (const char *const *)ids, n);
    cpw_accounts_list_free(ids, n);
    return rc;
}

/* Runs an organization plan account by account and prints its report. The exit status. */
static int s_run_org(const struct apply_args *args,
                     const struct cpw_settings *settings,
                     struct cpw_aws_client *client,
                     const struct cpw_aws_client_options *copts,
                     const struct cpw_protect *protect)
{
    const struct cpw_plan *plan = args->run.plan;
    /* Every member client has its own engine: with the default retry mode, adaptive retries give
     * each account its own client-side rate limiter, as inventory --org does. */
    struct cpw_http_engine_options engine = { 0 };
    struct cpw_aws_client_options member = *copts;
    if (copts->engine) {
        engine = *copts->engine;
    }
    if (settings->retry_mode_origin.source == CPW_SETTING_DEFAULT) {
        engine.retry.mode = CPW_RETRY_MODE_ADAPTIVE;
        engine.retry.max_attempts = 0;
    }
    member.engine = &engine;
    struct cpw_accounts_options ao = {
        .caller = client,
        .client_options = &member,
        .caller_account = args->run.account,
        .caller_arn = args->run.caller_arn,
        .role_name = plan->role_name,
    };
    struct cpw_accounts *accounts = cpw_accounts_new(&ao);
    struct cpw_apply_org_options oo = {
        .accounts = accounts,
        .state_dir = args->state_dir,
        .protect = protect,
        .run = &args->run,
        .max_parallel = args->parallel,
    };
    struct cpw_apply_org_report *report = NULL;
    if (!accounts || cpw_apply_org_run(&oo, &report)) {
        cpw_cli_print_last_error(NULL);
        cpw_accounts_destroy(accounts);
        return CPW_EXIT_OTHER;
    }
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_PLAN_MAX_BYTES);
    int rc = settings->output == CPW_OUTPUT_JSON ? cpw_apply_report_json(report->report, &text)
             : settings->output == CPW_OUTPUT_MARKDOWN
               ? cpw_apply_report_markdown(report->report, &text)
               : cpw_apply_report_table(report->report, &text);
    if (rc == 0) {
        fwrite(text.data, 1, text.len, stdout);
    }
    for (size_t i = 0; i < report->account_count; i++) {
        const struct cpw_apply_org_account *a = &report->accounts[i];
        fprintf(stderr, "cpwarden apply: account %s: %s, %zu step(s) executed, %zu failed%s%s\n",
                a->account, cpw_apply_org_status_name(a->status), a->executed, a->failed,
                a->detail[0] ? ": " : "", a->detail);
    }
    for (size_t i = 0; i < report->report->step_count; i++) {
        const struct cpw_apply_step *s = &report->report->steps[i];
        if (s->outcome == CPW_APPLY_FAILED && s->detail && strncmp(s->detail, "account ", 8) != 0) {
            fprintf(stderr, "cpwarden apply: %s %s %s (account %s) failed: %s\n", s->action->id,
                    cpw_plan_action_kind_name(s->action->kind), s->action->name, s->action->account,
                    s->detail);
        }
    }
    int exit_code = report->report->failed    ? CPW_EXIT_FAILED
                    : report->report->refused ? CPW_EXIT_REFUSED
                                              : CPW_EXIT_OK;
    cpw_buf_clean_up(&text);
    cpw_apply_org_report_destroy(report);
    cpw_accounts_destroy(accounts);
    return exit_code;
}

static int s_refusal_exit(void)
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
        return cpw_cli_exit_for_error();
    }
}

static size_t s_planned_count(const struct cpw_plan *plan)
{
    size_t n = 0;
    for (size_t i = 0; i < plan->action_count; i++) {
        n += plan->actions[i].status == CPW_PLAN_ACTION_PLANNED;
    }
    return n;
}

/* The plan lock: one apply of a plan at a time. NULL with the error raised. */
static struct cpw_lock *s_lock_plan(const char *lock_dir, const char *checksum, const char *path)
{
    char name[96];
    char what[4200];
    snprintf(name, sizeof(name), "plan-%.64s", checksum);
    snprintf(what, sizeof(what), "plan %.12s (%.4000s)", checksum, path);
    char *note = NULL;
    struct cpw_lock *lock = cpw_lock_acquire(lock_dir, name, what, &note);
    if (note) {
        fprintf(stderr, "cpwarden apply: plan %.12s: %s\n", checksum, note);
        cpw_free(note);
    }
    return lock;
}

static int s_run(int argc, char **argv)
{
    struct apply_args args;
    memset(&args, 0, sizeof(args));
    args.run.max_retries = -1;
    struct cpw_settings_options so;
    cpw_cli_aws_options_init(&so);
    if (s_parse(argc, argv, &args, &so)) {
        return CPW_EXIT_USAGE;
    }
    int exit_code = CPW_EXIT_OTHER;
    struct cpw_settings settings;
    memset(&settings, 0, sizeof(settings));
    struct cpw_aws_client *client = NULL;
    struct cpw_protect *protect = NULL;
    struct cpw_plan *plan = NULL;
    struct cpw_store *store = NULL;
    struct cpw_apply_report *report = NULL;
    char *account = NULL;
    char *arn = NULL;
    char *checksum = NULL;
    struct cpw_lock *plan_lock = NULL;
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_PLAN_MAX_BYTES);
    struct cpw_buf backup_dir;
    cpw_buf_init(&backup_dir, 8192);
    struct cpw_buf lock_dir;
    cpw_buf_init(&lock_dir, 8192);

    if (cpw_settings_resolve(&so, &settings)) {
        cpw_cli_print_last_error(NULL);
        exit_code = CPW_EXIT_CONFIG;
        goto cleanup;
    }
    if (settings.output == CPW_OUTPUT_CSV) {
        exit_code = cpw_cli_usage_error("apply", "--output takes table, markdown or json");
        goto cleanup;
    }
    protect = cpw_protect_load(args.config_path);
    if (!protect) {
        cpw_cli_print_last_error(NULL);
        exit_code = CPW_EXIT_CONFIG;
        goto cleanup;
    }
    struct cpw_aws_client_options copts;
    struct cpw_http_engine_options eopts;
    cpw_cli_client_options(&settings, &copts, &eopts);
    client = cpw_aws_client_new(&copts);
    if (!client || cpw_live_identity(client, &account, &arn)) {
        cpw_cli_print_last_error(NULL);
        exit_code = cpw_cli_exit_for_error();
        goto cleanup;
    }
    /* An organization plan's accounts are checked live (s_check_org); any other plan acts in
     * the caller's account only. */
    struct cpw_plan_load_options lo = { .current_account = account, .allow_other_accounts = true };
    if (cpw_buf_read_file(&text, args.plan_path) ||
        !(plan = cpw_plan_load(cpw_buf_span(&text), &lo)) ||
        (!plan->organization && cpw_plan_verify_trust(plan, account, false)) ||
        !(checksum = s_checksum(cpw_buf_span(&text)))) {
        cpw_cli_print_last_error(args.plan_path);
        exit_code = s_refusal_exit();
        goto cleanup;
    }
    struct cpw_store_options sto = { .dir = args.state_dir };
    store = cpw_store_open(&sto);
    if (!store) {
        cpw_cli_print_last_error(NULL);
        exit_code = CPW_EXIT_CONFIG;
        goto cleanup;
    }
    if ((args.state_dir ? cpw_buf_append_cstr(&lock_dir, args.state_dir)
                        : cpw_store_default_dir(&lock_dir)) ||
        cpw_buf_append_cstr(&lock_dir, "/locks")) {
        cpw_cli_print_last_error(NULL);
        exit_code = CPW_EXIT_CONFIG;
        goto cleanup;
    }
    if (!(plan_lock = s_lock_plan(cpw_buf_cstr(&lock_dir), checksum, args.plan_path))) {
        cpw_cli_print_last_error(NULL);
        exit_code = s_refusal_exit();
        goto cleanup;
    }
    int64_t runs = cpw_journal_run_count(store, checksum);
    if (runs < 0 || (plan->organization ? s_check_org(client, account, plan)
                                        : cpw_apply_check(client, plan, protect, runs > 0))) {
        cpw_cli_print_last_error(cpw_last_error() == CPW_ERR_STALE_PLAN  ? "stale plan refused"
                                 : cpw_last_error() == CPW_ERR_PROTECTED ? "protected, refused"
                                                                         : NULL);
        exit_code = s_refusal_exit();
        goto cleanup;
    }
    if (!args.yes && s_planned_count(plan) > 0 && s_confirm(plan)) { /* nothing planned: no ask */
        cpw_cli_print_last_error(NULL);
        exit_code = CPW_EXIT_REFUSED;
        goto cleanup;
    }
    if (args.backup_dir) {
        (void)cpw_buf_append_cstr(&backup_dir, args.backup_dir);
    } else if ((args.state_dir ? cpw_buf_append_cstr(&backup_dir, args.state_dir)
                               : cpw_store_default_dir(&backup_dir)) ||
               cpw_buf_append_cstr(&backup_dir, "/backups")) {
        cpw_cli_print_last_error(NULL);
        exit_code = CPW_EXIT_CONFIG;
        goto cleanup;
    }
    args.run.client = client;
    args.run.store = store;
    args.run.plan = plan;
    args.run.plan_checksum = checksum;
    args.run.plan_path = args.plan_path;
    args.run.caller_arn = arn;
    args.run.account = account;
    args.run.backup_dir = cpw_buf_cstr(&backup_dir);
    args.run.lock_dir = cpw_buf_cstr(&lock_dir);
    args.run.protect = protect;
    args.run.progress = isatty(STDERR_FILENO) ? s_progress : NULL;
    args.run.notice = s_progress;
    if (plan->organization) {
        exit_code = s_run_org(&args, &settings, client, &copts, protect);
        goto cleanup;
    }
    if (cpw_apply_run(&args.run, &report)) {
        bool locked = cpw_last_error() == CPW_ERR_LOCKED;
        cpw_cli_print_last_error(locked ? NULL : "the journal");
        exit_code = locked ? CPW_EXIT_REFUSED : exit_code;
        goto cleanup;
    }
    cpw_buf_reset(&text);
    int rc = settings.output == CPW_OUTPUT_JSON       ? cpw_apply_report_json(report, &text)
             : settings.output == CPW_OUTPUT_MARKDOWN ? cpw_apply_report_markdown(report, &text)
                                                      : cpw_apply_report_table(report, &text);
    if (rc == 0) {
        fwrite(text.data, 1, text.len, stdout);
    }
    for (size_t i = 0; i < report->step_count; i++) {
        enum cpw_apply_outcome o = report->steps[i].outcome;
        if (o == CPW_APPLY_FAILED || o == CPW_APPLY_REFUSED) {
            fprintf(stderr, "cpwarden apply: %s %s %s %s: %s\n", report->steps[i].action->id,
                    cpw_plan_action_kind_name(report->steps[i].action->kind),
                    report->steps[i].action->name, cpw_apply_outcome_name(o),
                    report->steps[i].detail);
        }
    }
    exit_code = report->failed ? CPW_EXIT_FAILED : report->refused ? CPW_EXIT_REFUSED : CPW_EXIT_OK;
cleanup:
    cpw_lock_release(plan_lock);
    cpw_buf_clean_up(&lock_dir);
    cpw_apply_report_destroy(report);
    cpw_buf_clean_up(&backup_dir);
    cpw_buf_clean_up(&text);
    cpw_store_destroy(store);
    cpw_plan_destroy(plan);
    cpw_free(checksum);
    cpw_free(account);
    cpw_free(arn);
    cpw_protect_destroy(protect);
    cpw_aws_client_destroy(client);
    cpw_settings_clean_up(&settings);
    return exit_code;
}

const struct cpw_cli_command cpw_cli_cmd_apply = {
    .name = "apply",
    .summary = "execute a saved plan with backups and a journal",
    .help =
      "usage: cpwarden apply PLAN [--yes] [--resume] [--state DIR] [--backup-dir DIR]\n"
      "                      [--config FILE] [--wait DUR] [--retry-interval DUR] [--max-retries "
      "N]\n"
      "                      [--poll-interval DUR] [--parallel N] [AWS options]\n"
      "\n"
      "Executes a plan written by 'cpwarden plan'. Before touching anything it loads PLAN for\n"
      "the current identity (a plan made for another account, edited, truncated, of another\n"
      "format version, or whose accounts do not match its actions is refused), takes the\n"
      "plan's lock (one apply per plan and per account at a time: STATE/locks), re-reads the\n"
      "live state and refuses a stale plan (naming the fact that changed) or one a protection\n"
      "rule now forbids, and asks you to type the account id(s) its actions touch. Each step's\n"
      "intent and result go to the journal in the state store before and after its AWS call;\n"
      "applying the same plan again resumes an interrupted run without repeating finished\n"
      "steps. On every run, right before each deletion, the target is read again: a step that\n"
      "is protected now, used by a live Connect instance the plan did not record, or grown\n"
      "beyond the plan's facts is refused (journaled with the reason; its dependants not run).\n"
      "\n"
      "  -y, --yes             confirm without a terminal (for automation)\n"
      "  --resume              accepted for clarity: applying a plan again always resumes\n"
      "  --state DIR           the state store (default $XDG_STATE_HOME/cpwarden)\n"
      "  --backup-dir DIR      where domains are backed up first (default STATE/backups)\n"
      "  --config FILE         protections (default ~/.config/cpwarden/config)\n"
      "  --wait DUR            how long to wait for a role to go, for a deletion task (15m)\n"
      "  --retry-interval DUR  pause before retrying a failed DeleteDomain (15m)\n"
      "  --max-retries N       DeleteDomain retries (3)\n"
      "  --poll-interval DUR   first polling interval, doubled up to 30s (2s)\n"
      "  --parallel N          accounts applied at once for an organization plan (4, max 32)\n"
      "  --kill-after-record N (crash tests) SIGKILL right after the Nth journal record\n"
      "  --output FORMAT       report as table (default), markdown or json\n"
      "DUR is a number of seconds or a number with ms, s, m or h.\n"
      "\n"
      "An organization plan ('plan --org') is applied from the organization's management\n"
      "account (checked live: Organizations DescribeOrganization, and every account touched an\n"
      "ACTIVE member). Each member account's part runs in that account through the plan's role\n"
      "(its own client and rate limits), N accounts at once; an account whose role cannot be\n"
      "assumed, or whose part is stale or protected, fails alone and the others go on. You type\n"
      "the account ids, or for more than 5 accounts their count and digest. Applying the plan\n"
      "again resumes each account where it stopped.\n"
      "\n" CPW_CLI_AWS_OPTIONS_HELP "\n"
      "Exit status: 0 every planned step done; 1 some step failed (the reason is printed);\n"
      "4 refused (bad, edited, stale or protected plan, not confirmed, plan or account locked\n"
      "by another apply, or steps refused during the run and none failed); 252 invalid\n"
      "arguments; 253 configuration or credentials; 254 an AWS error before the run; 255 other\n"
      "failures.\n"
      "\n"
      "Example: cpwarden apply plan.json\n",
    .run = s_run,
    .options = s_long,
    .formats = "table,json,markdown",
};
