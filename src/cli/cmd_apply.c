/*
 * cmd_apply.c - `cpwarden apply PLAN`: parses the options, applies the plan file with the
 * library (apply_file.h: load, lock, check, confirm, run, exit status), asking on the terminal,
 * and prints the report and the steps that failed or were refused.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_opts.h"
#include "cli.h"
#include "cpw/apply_file.h"
#include "cpw/buf.h"
#include "session.h"

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
    cpw_cli_getopt_start();
    int c;
    uint64_t n = 0;
    while ((c = cpw_cli_getopt("apply", argc, argv, "hy", s_long, so)) != -1) {
        if (c == CPW_CLI_OPT_INVALID) {
            return -1;
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

/* Asks on the terminal: the prompt on stderr, the answer from stdin. */
static enum cpw_apply_answer s_ask(void *user, const char *prompt, char *line, size_t cap)
{
    (void)user;
    if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
        return CPW_APPLY_NO_TERMINAL;
    }
    fputs(prompt, stderr);
    fflush(stderr);
    return fgets(line, (int)cap, stdin) ? CPW_APPLY_ANSWERED : CPW_APPLY_NO_ANSWER;
}

static int s_render(enum cpw_output_format output, const struct cpw_apply_report *report)
{
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_PLAN_MAX_BYTES);
    int rc = output == CPW_OUTPUT_JSON       ? cpw_apply_report_json(report, &text)
             : output == CPW_OUTPUT_MARKDOWN ? cpw_apply_report_markdown(report, &text)
                                             : cpw_apply_report_table(report, &text);
    if (rc == 0) {
        fwrite(text.data, 1, text.len, stdout);
    }
    cpw_buf_clean_up(&text);
    return rc;
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
    struct cpw_cli_session session;
    cpw_cli_session_init(&session);
    int exit_code = cpw_cli_session_settings(&session, &so);
    if (exit_code == CPW_EXIT_OK && session.settings.output == CPW_OUTPUT_CSV) {
        exit_code = cpw_cli_usage_error("apply", "--output takes table, markdown or json");
    }
    if (exit_code == CPW_EXIT_OK) {
        exit_code = cpw_cli_session_protect(&session, args.config_path);
    }
    if (exit_code == CPW_EXIT_OK) {
        exit_code = cpw_cli_session_identity(&session);
    }
    if (exit_code != CPW_EXIT_OK) {
        cpw_cli_session_clean_up(&session);
        return exit_code;
    }
    args.run.progress = isatty(STDERR_FILENO) ? s_progress : NULL;
    args.run.notice = s_progress;
    struct cpw_apply_file_options opts = {
        .plan_path = args.plan_path,
        .state_dir = args.state_dir,
        .backup_dir = args.backup_dir,
        .confirmed = args.yes,
        .ask = s_ask,
        .client = session.client,
        .client_options = &session.client_options,
        .retry_mode_configured = session.settings.retry_mode_origin.source != CPW_SETTING_DEFAULT,
        .account = session.account,
        .caller_arn = session.arn,
        .protect = session.protect,
        .parallel = args.parallel,
        .run = args.run,
    };
    struct cpw_apply_file_result result;
    if (cpw_apply_file(&opts, &result)) {
        cpw_cli_print_last_error(result.context);
    } else {
        (void)s_render(session.settings.output, result.report);
        cpw_apply_file_problems(&result, s_progress, NULL);
    }
    exit_code = (int)result.exit;
    cpw_apply_file_result_clean_up(&result);
    cpw_cli_session_clean_up(&session);
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
