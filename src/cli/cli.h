/*
 * cli.h - the command table shared by main.c and the command files.
 *
 * Each command file defines one `const struct cpw_cli_command cpw_cli_cmd_<name>` and only parses
 * arguments and calls libcpw (docs/style.md 14). Exit codes follow the AWS CLI v2 where they
 * overlap.
 */
#ifndef CPW_CLI_H
#define CPW_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cpw/exit.h" /* enum cpw_exit: the exit codes (docs/cpwarden.1, EXIT STATUS) */

struct option;

struct cpw_cli_command {
    const char *name;
    const char *summary;               /* one line for `cpwarden help` */
    const char *help;                  /* full text for `cpwarden help NAME` and `NAME --help` */
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
    const char *formats; /* what --output may name, "table,json,..." (first: the default); NULL:
                            the command prints no data and takes no --output */
    bool writes_file;    /* takes -o/--output-file PATH (which must not be a format's name) */
    const struct option *options; /* its getopt_long table (for completions); NULL: none */
};

/** The command table, in `cpwarden help` order (main.c). *count receives its length. */
const struct cpw_cli_command *const *cpw_cli_commands(size_t *count);

/**
 * Checks the --output and -o/--output-file values on a command's line against what it offers:
 * `--output text` where the command writes table, json or markdown, or `-o json` (a format given
 * as a file name), is a usage error naming the choices. Returns 0, or CPW_EXIT_USAGE (printed).
 */
int cpw_cli_check_output_args(const struct cpw_cli_command *cmd, int argc, char **argv);

/** The cpwarden-wide options, wherever they stood on the line (globals.c). */
struct cpw_cli_globals {
    int color;        /* --color on|off|auto, --no-color: 1 on, 0 off, -1 auto */
    bool no_progress; /* --no-progress */
    bool debug;       /* --debug: log level debug */
};

/** The global options parsed by cpw_cli_normalize_args. Borrowed, process-wide. */
const struct cpw_cli_globals *cpw_cli_globals(void);

/** Colours on stream: --color, else a terminal without NO_COLOR and with TERM other than dumb. */
bool cpw_cli_color(FILE *stream);

/** True unless TERM is dumb: progress may redraw its line with escape sequences. */
bool cpw_cli_terminal_redraws(void);

/** Progress lines on stderr: stderr is a terminal and --no-progress was not given. */
bool cpw_cli_progress(void);

/**
 * Takes the cpwarden-wide options (--log-level, --debug, --color, --no-color, --no-progress, in
 * `--opt value` or `--opt=value` form) out of argv wherever they stand before a "--", and moves
 * the AWS options given before the command (--region, --profile, ...) behind the command's name.
 * argv is rewritten in place; *argc_io is updated; *command_index is the command's index or -1.
 * Returns 0, or -1 after printing a usage error (a bad value).
 */
int cpw_cli_normalize_args(int *argc_io, char **argv, int *command_index);

/** The candidate nearest to word (a few edits away), or NULL. Borrowed from candidates. */
const char *cpw_cli_nearest(const char *word, const char *const *candidates, size_t count);

/**
 * The usage error for the option getopt_long just refused (argv[optind - 1]): a known option
 * without its value, or an unknown one with the nearest option of table suggested. Returns
 * CPW_EXIT_USAGE.
 */
struct option;
int cpw_cli_option_error(const char *command, const struct option *table, int argc, char **argv);

/** True when argv holds -h or --help before any "--". */
bool cpw_cli_wants_help(int argc, char **argv);

/** Prints a command's help text to out. */
void cpw_cli_print_help(const struct cpw_cli_command *cmd, FILE *out);

/** Prints "cpwarden NAME: message" and a hint to use --help (NAME NULL: the top level, a hint to
 * use 'cpwarden help'); returns CPW_EXIT_USAGE. */
int cpw_cli_usage_error(const char *name, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/** Prints "cpwarden: error: <last error detail>" (redacted) to stderr. */
void cpw_cli_print_last_error(const char *context);

/** The cpwarden-wide options' help, printed by `cpwarden help` and in the manual (cmd_man.c). */
extern const char cpw_cli_global_options_help[];

/** Writes the manual page (roff) generated from the command table to out: `cpwarden help
 * --man` (cmd_man.c). Returns CPW_EXIT_OK, or CPW_EXIT_OTHER when out fails. */
int cpw_cli_man_page(FILE *out);

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
extern const struct cpw_cli_command cpw_cli_cmd_snapshots;
extern const struct cpw_cli_command cpw_cli_cmd_completion;
extern const struct cpw_cli_command cpw_cli_cmd_audit;
extern const struct cpw_cli_command cpw_cli_cmd_metrics;
extern const struct cpw_cli_command cpw_cli_cmd_events;
extern const struct cpw_cli_command cpw_cli_cmd_console;
extern const struct cpw_cli_command cpw_cli_cmd_policy;
extern const struct cpw_cli_command cpw_cli_cmd_doctor;

#endif
