/*
 * main.c - cpwarden's entry point: global set-up and dispatch to one command.
 */
#include <curl/curl.h>
#include <libxml/parser.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/log.h"

static const struct cpw_cli_command *const s_commands[] = {
    &cpw_cli_cmd_inventory, &cpw_cli_cmd_audit,      &cpw_cli_cmd_plan,    &cpw_cli_cmd_apply,
    &cpw_cli_cmd_history,   &cpw_cli_cmd_backup,     &cpw_cli_cmd_restore, &cpw_cli_cmd_document,
    &cpw_cli_cmd_sandbox,   &cpw_cli_cmd_api,        &cpw_cli_cmd_sign,    &cpw_cli_cmd_demo,
    &cpw_cli_cmd_snapshots, &cpw_cli_cmd_completion, &cpw_cli_cmd_metrics, &cpw_cli_cmd_events,
    &cpw_cli_cmd_console,   &cpw_cli_cmd_policy,     &cpw_cli_cmd_doctor,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const struct cpw_cli_command *const *cpw_cli_commands(size_t *count)
{
    *count = COUNT(s_commands);
    return s_commands;
}

static const char s_usage[] =
  "usage: cpwarden [GLOBAL OPTIONS] COMMAND [ARGS...] [GLOBAL OPTIONS]\n"
  "       cpwarden help [COMMAND]\n"
  "       cpwarden --version\n";

bool cpw_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            return false;
        }
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            return true;
        }
    }
    return false;
}

void cpw_cli_print_help(const struct cpw_cli_command *cmd, FILE *out)
{
    fputs(cmd->help, out);
}

int cpw_cli_usage_error(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, name ? "cpwarden %s: " : "cpwarden: ", name);
    vfprintf(stderr, fmt, ap);
    if (name) {
        fprintf(stderr, "\nTry 'cpwarden %s --help'.\n", name);
    } else {
        fputs("\nTry 'cpwarden help'.\n", stderr);
    }
    va_end(ap);
    return CPW_EXIT_USAGE;
}

void cpw_cli_print_last_error(const char *context)
{
    struct cpw_buf redacted;
    struct cpw_buf line;
    cpw_buf_init(&redacted, 8192);
    cpw_buf_init(&line, 4 * 8192);
    /* Details quote servers and child processes: secrets masked, terminal escapes made visible. */
    (void)cpw_log_redact(&redacted, cpw_span_from_cstr(cpw_last_error_detail()));
    (void)cpw_buf_append_printable(&line, cpw_buf_span(&redacted), CPW_PRINTABLE_KEEP_NEWLINES);
    cpw_buf_clean_up(&redacted);
    if (context) {
        fprintf(stderr, "cpwarden: error: %s: %s\n", context, cpw_buf_cstr(&line));
    } else {
        fprintf(stderr, "cpwarden: error: %s\n", cpw_buf_cstr(&line));
    }
    cpw_buf_clean_up(&line);
}

static void s_print_overview(FILE *out)
{
    fputs(s_usage, out);
    fputs(
      "\ncpwarden finds and safely removes what deleted Amazon Connect instances leave behind:\n"
      "Customer Profiles domains and the service-linked roles of both services.\n\n"
      "Commands:\n",
      out);
    for (size_t i = 0; i < COUNT(s_commands); i++) {
        fprintf(out, "  %-10s %s\n", s_commands[i]->name, s_commands[i]->summary);
    }
    fputc('\n', out);
    fputs(cpw_cli_global_options_help, out);
    fputs("\nRun 'cpwarden help COMMAND' for a command's options; 'man cpwarden' for the manual.\n",
          out);
}

static const struct cpw_cli_command *s_find(const char *name)
{
    for (size_t i = 0; i < COUNT(s_commands); i++) {
        if (strcmp(s_commands[i]->name, name) == 0) {
            return s_commands[i];
        }
    }
    return NULL;
}

static int s_help(int argc, char **argv)
{
    if (argc < 2) {
        s_print_overview(stdout);
        return CPW_EXIT_OK;
    }
    if (strcmp(argv[1], "--man") == 0) { /* the manual page, generated (cmd_man.c) */
        return cpw_cli_man_page(stdout);
    }
    const struct cpw_cli_command *cmd = s_find(argv[1]);
    if (cmd) {
        cpw_cli_print_help(cmd, stdout);
        return CPW_EXIT_OK;
    }
    fprintf(stderr, "cpwarden help: unknown command '%s'\n", argv[1]);
    return CPW_EXIT_USAGE;
}

/* "unknown command 'inventroy'; did you mean 'inventory'?" */
static int s_unknown_command(const char *name)
{
    const char *names[COUNT(s_commands) + 1];
    size_t count = 0;
    for (size_t i = 0; i < COUNT(s_commands); i++) {
        names[count++] = s_commands[i]->name;
    }
    names[count++] = "help";
    const char *near = cpw_cli_nearest(name, names, count);
    if (near) {
        return cpw_cli_usage_error(NULL, "unknown command '%s'; did you mean '%s'?", name, near);
    }
    return cpw_cli_usage_error(NULL, "unknown command '%s'", name);
}

static int s_dispatch(int argc, char **argv)
{
    int command = -1;
    if (cpw_cli_normalize_args(&argc, argv, &command)) {
        return CPW_EXIT_USAGE;
    }
    int end = command < 0 ? argc : command;
    for (int i = 1; i < end; i++) { /* what stands before the command, globals taken out */
        if (strcmp(argv[i], "--version") == 0) {
            printf("cpwarden %s\n", CPW_VERSION);
            return CPW_EXIT_OK;
        }
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            s_print_overview(stdout);
            return CPW_EXIT_OK;
        }
        static const char *const globals[] = { "log-level",   "debug",   "color", "no-color",
                                               "no-progress", "version", "help" };
        const char *near = strncmp(argv[i], "--", 2) == 0
                             ? cpw_cli_nearest(argv[i] + 2, globals, COUNT(globals))
                             : NULL;
        if (near) {
            return cpw_cli_usage_error(NULL, "unknown option '%s'; did you mean '--%s'?", argv[i],
                                       near);
        }
        return cpw_cli_usage_error(NULL, "unknown option '%s'", argv[i]);
    }
    if (command < 0) {
        fputs(s_usage, stderr);
        fputs("Run 'cpwarden help' for the list of commands.\n", stderr);
        return CPW_EXIT_USAGE;
    }
    const char *name = argv[command];
    if (strcmp(name, "help") == 0) {
        return s_help(argc - command, argv + command);
    }
    const struct cpw_cli_command *cmd = s_find(name);
    if (cmd) {
        if (cpw_cli_wants_help(argc - command, argv + command)) {
            cpw_cli_print_help(cmd, stdout);
            return CPW_EXIT_OK;
        }
        if (cpw_cli_check_output_args(cmd, argc - command, argv + command)) {
            return CPW_EXIT_USAGE;
        }
        return cmd->run(argc - command, argv + command);
    }
    return s_unknown_command(name);
}

int main(int argc, char **argv)
{
    const char *level_env = getenv("CPW_LOG_LEVEL");
    enum cpw_log_level level;
    if (level_env && cpw_log_level_parse(level_env, &level) == 0) {
        cpw_log_set_level(level);
    }
    cpw_alloc_install_library_hooks();
    signal(SIGPIPE, SIG_IGN); /* a closed peer is an error to report, not a reason to die */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    xmlInitParser();
    int rc = s_dispatch(argc, argv);
    fflush(stdout);
    xmlCleanupParser();
    curl_global_cleanup();
    cpw_log_forget_secrets();
    cpw_crypto_clean_up();
    return rc;
}
