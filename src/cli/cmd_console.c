/*
 * cmd_console.c - `cpwarden console`: the session prologue every AWS command shares (options,
 * settings, protections, identity), then the local web console (console.h) until SIGINT or
 * SIGTERM. The work is libcpw's; this file parses arguments.
 */
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aws_opts.h"
#include "cli.h"
#include "cpw/console.h"
#include "cpw/error.h"
#include "session.h"

extern char **environ;

enum {
    OPT_PORT = 1,
    OPT_OPEN,
    OPT_STATE,
    OPT_CONFIG,
    OPT_WAIT,
    OPT_RETRY_INTERVAL,
    OPT_POLL_INTERVAL,
};

static const struct option s_long[] = {
    CPW_CLI_SCOPE_LONG_OPTIONS,
    { "port", required_argument, NULL, OPT_PORT },
    { "open", no_argument, NULL, OPT_OPEN },
    { "state", required_argument, NULL, OPT_STATE },
    { "config", required_argument, NULL, OPT_CONFIG },
    { "wait", required_argument, NULL, OPT_WAIT },
    { "retry-interval", required_argument, NULL, OPT_RETRY_INTERVAL },
    { "poll-interval", required_argument, NULL, OPT_POLL_INTERVAL },
    { "help", no_argument, NULL, 'h' },
    CPW_CLI_AWS_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

struct console_args {
    struct cpw_cli_scope scope;
    uint16_t port;
    bool open;
    const char *state_dir;
    const char *config_path;
    struct cpw_apply_options run; /* apply's timings */
};

/* "90" (seconds), "500ms", "30s", "15m", "1h" into milliseconds, as apply reads them; false
 * when malformed. */
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

static int s_parse(int argc, char **argv, struct console_args *a, struct cpw_settings_options *so)
{
    cpw_cli_getopt_start();
    int c;
    while ((c = cpw_cli_getopt_scope("console", argc, argv, "h", s_long, so, &a->scope)) != -1) {
        if (c == CPW_CLI_OPT_INVALID) {
            return CPW_EXIT_USAGE;
        }
        uint64_t n = 0;
        int64_t *duration = c == OPT_WAIT             ? &a->run.wait_ms
                            : c == OPT_RETRY_INTERVAL ? &a->run.retry_interval_ms
                            : c == OPT_POLL_INTERVAL  ? &a->run.poll_interval_ms
                                                      : NULL;
        if (duration) {
            if (!s_duration(optarg, duration)) {
                return cpw_cli_usage_error(
                  "console", "'%s' is not a duration (e.g. 900, 30s, 15m, 500ms)", optarg);
            }
            continue;
        }
        switch (c) {
        case OPT_PORT:
            if (cpw_span_to_u64(cpw_span_from_cstr(optarg), 65535, &n)) {
                return cpw_cli_usage_error("console", "--port takes 0 to 65535");
            }
            a->port = (uint16_t)n;
            break;
        case OPT_OPEN:
            a->open = true;
            break;
        case OPT_STATE:
            a->state_dir = optarg;
            break;
        case OPT_CONFIG:
            a->config_path = optarg;
            break;
        default:
            return cpw_cli_option_error("console", s_long, argc, argv);
        }
    }
    if (optind < argc) {
        return cpw_cli_usage_error("console", "unexpected argument '%s'", argv[optind]);
    }
    return 0;
}

/* --open: starts xdg-open URL when it exists, without waiting for it (it may run a browser in
 * the foreground); never fails the command. The child's pid, or 0. */
static pid_t s_open(const char *url)
{
    char *const args[] = { (char *)"xdg-open", (char *)url, NULL };
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    if (posix_spawnp(&pid, "xdg-open", &actions, NULL, args, environ) != 0) {
        fputs("cpwarden console: xdg-open is not available; open the address above\n", stderr);
        pid = 0;
    }
    posix_spawn_file_actions_destroy(&actions);
    return pid;
}

static int s_run(int argc, char **argv)
{
    struct console_args a;
    memset(&a, 0, sizeof(a));
    a.run.max_retries = -1;
    struct cpw_settings_options so;
    cpw_cli_aws_options_init(&so);
    so.region_optional = true;
    int exit_code = s_parse(argc, argv, &a, &so);
    struct cpw_cli_session session;
    cpw_cli_session_init(&session);
    struct cpw_region_list regions = { 0 };
    struct cpw_console *console = NULL;
    if (exit_code) {
        goto cleanup;
    }
    /* Signals blocked before any thread starts, so that only sigwait sees them. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);

    exit_code = cpw_cli_session_settings(&session, &so);
    if (exit_code == CPW_EXIT_OK) {
        exit_code = cpw_cli_session_regions(&session, "console", a.scope.regions, &regions);
    }
    if (exit_code == CPW_EXIT_OK) {
        if (!session.client_options.region) {
            session.client_options.region = regions.names[0];
        }
        cpw_cli_session_scan_retries(&session);
        exit_code = cpw_cli_session_protect(&session, a.config_path);
    }
    if (exit_code == CPW_EXIT_OK) {
        exit_code = cpw_cli_session_identity(&session);
    }
    if (exit_code != CPW_EXIT_OK) {
        goto cleanup;
    }
    struct cpw_console_options co = {
        .port = a.port,
        .client = session.client,
        .client_options = &session.client_options,
        .retry_mode_configured = session.settings.retry_mode_origin.source != CPW_SETTING_DEFAULT,
        .account = session.account,
        .caller_arn = session.arn,
        .endpoint = session.settings.endpoint_url,
        .region = session.client_options.region,
        .regions = (const char *const *)regions.names,
        .region_count = regions.count,
        .org = a.scope.org,
        .role_name = a.scope.role_name,
        .accounts = (const char *const *)a.scope.accounts.names,
        .account_count = a.scope.accounts.count,
        .exclude_accounts = (const char *const *)a.scope.exclude.names,
        .exclude_count = a.scope.exclude.count,
        .state_dir = a.state_dir,
        .protect = session.protect,
        .run = a.run,
    };
    console = cpw_console_new(&co);
    if (!console || cpw_console_listen(console)) {
        cpw_cli_print_last_error("console");
        exit_code = CPW_EXIT_OTHER;
        goto cleanup;
    }
    printf("cpwarden console: %s\n", cpw_console_url(console));
    fflush(stdout);
    pid_t opener = a.open ? s_open(cpw_console_url(console)) : 0;
    int sig = 0;
    sigwait(&signals, &sig);
    if (opener > 0) {
        (void)waitpid(opener, NULL, WNOHANG); /* reaped if done; else left to finish alone */
    }
    fprintf(stderr, "cpwarden console: %s received, stopping\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    exit_code = CPW_EXIT_OK;

cleanup:
    cpw_console_destroy(console);
    cpw_cli_session_clean_up(&session); /* before regions: the client may name one */
    cpw_region_list_clean_up(&regions);
    cpw_cli_scope_clean_up(&a.scope);
    return exit_code;
}

const struct cpw_cli_command cpw_cli_cmd_console = {
    .name = "console",
    .summary = "serve a local web console for the whole runbook",
    .help =
      "usage: cpwarden console [--port N] [--open] [--state DIR] [--config FILE]\n"
      "                        [--wait DUR] [--retry-interval DUR] [--poll-interval DUR]\n"
      "                        [--org] [--role-name NAME] [--accounts A,B]\n"
      "                        [--exclude-accounts A,B] [--regions all|R1,R2] [AWS options]\n"
      "\n"
      "Serves a web application on 127.0.0.1 only (assets built into the binary, nothing\n"
      "fetched from the network) for the runbook: the organization overview, the graph of\n"
      "instances, domains and service-linked roles with the leftovers marked, each finding's\n"
      "evidence, plans made from the findings you select (the same plan file 'cpwarden plan'\n"
      "writes), apply with the same checks and typed confirmation as 'cpwarden apply', its\n"
      "steps shown live as the journal records them, history, snapshots and the latest audit.\n"
      "It prints one line, 'cpwarden console: http://127.0.0.1:PORT/?token=TOKEN', and serves\n"
      "until SIGINT or SIGTERM.\n"
      "\n"
      "The token is random for each run: whoever has the address can use the console, so do\n"
      "not share it. It is exchanged for a session cookie (HttpOnly, SameSite=Strict); other\n"
      "Host or Origin headers, and state-changing requests without the CSRF token, are\n"
      "refused (docs/console.md, Security).\n"
      "\n"
      "  --port N                listen on port N (default 0: any free port)\n"
      "  --open                  open the address with xdg-open, when it is installed\n"
      "  --state DIR             state directory (default $XDG_STATE_HOME/cpwarden): snapshots,\n"
      "                          the journal, plans (STATE/plans, mode 0600)\n"
      "  --config FILE           protections (default ~/.config/cpwarden/config)\n"
      "  --wait DUR, --retry-interval DUR, --poll-interval DUR\n"
      "                          apply's timings, as for 'cpwarden apply'\n"
      "  --org, --role-name, --accounts, --exclude-accounts, --regions\n"
      "                          what a scan covers, as for 'cpwarden inventory'\n"
      "\n" CPW_CLI_AWS_OPTIONS_HELP "\n"
      "Exit status: 0 stopped by a signal; 252 invalid arguments; 253 configuration or\n"
      "credentials; 254 an AWS error while checking the identity; 255 the port cannot be used.\n"
      "\n"
      "Example: cpwarden console --open\n",
    .run = s_run,
    .options = s_long,
};
