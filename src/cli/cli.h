/*
 * cli.h - the command table shared by main.c and the command files.
 *
 * Each command file defines one `const struct cpw_cli_command cpw_cli_cmd_<name>` and only parses
 * arguments and calls libcpw (STYLE.md 14). Exit codes follow the AWS CLI v2 where they overlap.
 */
#ifndef CPW_CLI_H
#define CPW_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit codes (documented in docs/cpwarden.1, EXIT STATUS). */
enum cpw_exit {
    CPW_EXIT_OK = 0,
    CPW_EXIT_FAILED = 1,    /* the command ran and failed (details on stderr) */
    CPW_EXIT_PARTIAL = 3,   /* results printed, but part of the work failed */
    CPW_EXIT_REFUSED = 4,   /* apply refused: bad or stale plan, protected, not confirmed */
    CPW_EXIT_USAGE = 252,   /* invalid syntax or unknown option */
    CPW_EXIT_CONFIG = 253,  /* invalid environment, configuration or credentials */
    CPW_EXIT_SERVICE = 254, /* an AWS service answered with an error */
    CPW_EXIT_OTHER = 255,   /* any other failure */
    CPW_EXIT_INTERRUPTED = 130,
};

struct cpw_cli_command {
    const char *name;
    const char *summary;               /* one line for `cpwarden help` */
    const char *help;                  /* full text for `cpwarden help NAME` and `NAME --help` */
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
};

/** True when argv holds -h or --help before any "--". */
bool cpw_cli_wants_help(int argc, char **argv);

/** Prints a command's help text to out. */
void cpw_cli_print_help(const struct cpw_cli_command *cmd, FILE *out);

/** Prints "cpwarden NAME: message" and a hint to use --help; returns CPW_EXIT_USAGE. */
int cpw_cli_usage_error(const char *name, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/** Prints "cpwarden: error: <last error detail>" (redacted) to stderr. */
void cpw_cli_print_last_error(const char *context);

extern const struct cpw_cli_command cpw_cli_cmd_sign;
extern const struct cpw_cli_command cpw_cli_cmd_demo;
extern const struct cpw_cli_command cpw_cli_cmd_sandbox;
extern const struct cpw_cli_command cpw_cli_cmd_api;
extern const struct cpw_cli_command cpw_cli_cmd_inventory;
extern const struct cpw_cli_command cpw_cli_cmd_backup;
extern const struct cpw_cli_command cpw_cli_cmd_restore;
extern const struct cpw_cli_command cpw_cli_cmd_document;
extern const struct cpw_cli_command cpw_cli_cmd_plan;
extern const struct cpw_cli_command cpw_cli_cmd_apply;
extern const struct cpw_cli_command cpw_cli_cmd_history;

#endif
