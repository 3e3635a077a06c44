/*
 * globals.c - the command line's one grammar: global options anywhere on the line, and usage
 * errors that suggest what was meant.
 *
 * `cpwarden --region R inventory`, `cpwarden inventory --region R` and `--region=R` mean the same,
 * as with the AWS CLI. cpwarden-wide options (--log-level, --debug, --color, --no-progress) are
 * taken out of the line wherever they stand (before a "--"); the AWS options (--region,
 * --profile, --endpoint-url, --output, ...) given before the command are moved behind its name,
 * where every command that calls AWS parses them with getopt_long.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_opts.h"
#include "cli.h"
#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/log.h"
#include "query.h"

static struct cpw_cli_globals s_globals = { .color = -1 };

const struct cpw_cli_globals *cpw_cli_globals(void)
{
    return &s_globals;
}

bool cpw_cli_color(FILE *stream)
{
    if (s_globals.color >= 0) {
        return s_globals.color == 1;
    }
    const char *term = getenv("TERM");
    const char *no_color = getenv("NO_COLOR");
    return isatty(fileno(stream)) && !(no_color && *no_color) &&
           !(term && strcmp(term, "dumb") == 0);
}

bool cpw_cli_terminal_redraws(void)
{
    const char *term = getenv("TERM");
    return !(term && strcmp(term, "dumb") == 0);
}

bool cpw_cli_progress(void)
{
    return !s_globals.no_progress && isatty(STDERR_FILENO);
}

/* ----- nearest word ------------------------------------------------------------------------ */

const char *cpw_cli_nearest(const char *word, const char *const *candidates, size_t count)
{
    const char *best = NULL;
    size_t best_distance = 99;
    size_t len = strlen(word);
    /* close enough: a third of the word's letters, at least one and at most three edits */
    size_t limit = len / 3 < 1 ? 1 : (len / 3 > 3 ? 3 : len / 3);
    for (size_t i = 0; i < count; i++) {
        if (!candidates[i]) {
            continue;
        }
        size_t d = cpw_edit_distance(word, candidates[i]);
        if (d < best_distance) {
            best = candidates[i];
            best_distance = d;
        }
    }
    return best_distance <= limit ? best : NULL;
}

int cpw_cli_option_error(const char *command, const struct option *table, int argc, char **argv)
{
    const char *arg = optind >= 1 && optind - 1 < argc ? argv[optind - 1] : "?";
    /* a known option without its value: getopt_long leaves optopt at the option's code */
    for (size_t i = 0; optopt && table[i].name; i++) {
        if (table[i].val == optopt && table[i].has_arg == required_argument) {
            return cpw_cli_usage_error(command, "option '--%s' needs a value", table[i].name);
        }
    }
    if (strncmp(arg, "--", 2) != 0) {
        return cpw_cli_usage_error(command, "unknown option '%s'", arg);
    }
    char word[64];
    size_t len = strcspn(arg + 2, "=");
    snprintf(word, sizeof(word), "%.*s", (int)(len < sizeof(word) ? len : sizeof(word) - 1),
             arg + 2);
    const char *names[256];
    size_t count = 0;
    for (size_t i = 0; table[i].name && count < 256; i++) {
        names[count++] = table[i].name;
    }
    for (size_t i = 0; i < count; i++) {
        if (strcmp(names[i], word) == 0 && arg[2 + len] == '=') {
            /* getopt_long's answer to --flag=value for a flag that takes none */
            return cpw_cli_usage_error(command, "option '--%s' takes no value", word);
        }
    }
    const char *near = cpw_cli_nearest(word, names, count);
    if (near) {
        return cpw_cli_usage_error(command, "unknown option '--%s'; did you mean '--%s'?", word,
                                   near);
    }
    return cpw_cli_usage_error(command, "unknown option '--%s'", word);
}

/* ----- global options -------------------------------------------------------------------- */

/* The AWS CLI's options that may stand before the command: they move behind its name. */
static const struct option s_aws_long[] = { CPW_CLI_AWS_LONG_OPTIONS,
                                            CPW_CLI_QUERY_LONG_OPTION,
                                            { NULL, 0, NULL, 0 } };

/* The AWS option named by arg ("--region" or "--region=x"), or NULL. */
static const struct option *s_aws_option(const char *arg)
{
    if (strncmp(arg, "--", 2) != 0) {
        return NULL;
    }
    size_t len = strcspn(arg + 2, "=");
    for (size_t i = 0; s_aws_long[i].name; i++) {
        if (strlen(s_aws_long[i].name) == len && strncmp(s_aws_long[i].name, arg + 2, len) == 0) {
            return &s_aws_long[i];
        }
    }
    return NULL;
}

/* Matches "--name" (value in the next word) or "--name=value"; sets *value (NULL: flag). */
static bool s_is(const char *arg,
                 const char *name,
                 bool takes_value,
                 int argc,
                 char **argv,
                 int i,
                 const char **value,
                 int *consumed)
{
    size_t len = strlen(name);
    if (strncmp(arg, name, len) != 0) {
        return false;
    }
    if (arg[len] == '=' && takes_value) {
        *value = arg + len + 1;
        *consumed = 1;
        return true;
    }
    if (arg[len] != '\0') {
        return false;
    }
    *consumed = 1;
    *value = NULL;
    if (takes_value) {
        *value = i + 1 < argc ? argv[i + 1] : NULL;
        *consumed = 2;
    }
    return true;
}

/* Takes one cpwarden-wide option at argv[i]; returns the words it used (0: not one), -1 bad. */
static int s_take_global(int argc, char **argv, int i)
{
    const char *value = NULL;
    int used = 0;
    const char *arg = argv[i];
    if (s_is(arg, "--log-level", true, argc, argv, i, &value, &used)) {
        enum cpw_log_level level;
        if (!value) {
            cpw_cli_usage_error(NULL, "option '--log-level' needs a value");
            return -1;
        }
        if (cpw_log_level_parse(value, &level)) {
            cpw_cli_usage_error(
              NULL, "--log-level takes error, warn, info, debug or trace, not '%s'", value);
            return -1;
        }
        cpw_log_set_level(level);
        return used;
    }
    if (s_is(arg, "--debug", false, argc, argv, i, &value, &used)) {
        s_globals.debug = true;
        cpw_log_set_level(CPW_LOG_DEBUG);
        return used;
    }
    if (s_is(arg, "--no-progress", false, argc, argv, i, &value, &used)) {
        s_globals.no_progress = true;
        return used;
    }
    if (s_is(arg, "--no-color", false, argc, argv, i, &value, &used)) {
        s_globals.color = 0;
        return used;
    }
    if (s_is(arg, "--color", true, argc, argv, i, &value, &used)) {
        if (value && strcmp(value, "on") == 0) {
            s_globals.color = 1;
        } else if (value && strcmp(value, "off") == 0) {
            s_globals.color = 0;
        } else if (value && strcmp(value, "auto") == 0) {
            s_globals.color = -1;
        } else {
            cpw_cli_usage_error(NULL, "--color takes on, off or auto, not '%s'",
                                value ? value : "");
            return -1;
        }
        return used;
    }
    return 0;
}

int cpw_cli_normalize_args(int *argc_io, char **argv, int *command_index)
{
    int argc = *argc_io;
    char **front =
      cpw_calloc((size_t)argc + 1, sizeof(*front)); /* AWS options before the command */
    size_t front_count = 0;
    int out = 1;
    int command = -1;
    bool literal = false; /* after "--": nothing is an option */
    int rc = -1;
    for (int i = 1; i < argc;) {
        if (!literal && strcmp(argv[i], "--") == 0) {
            literal = true;
        }
        int used = literal ? 0 : s_take_global(argc, argv, i);
        if (used < 0) {
            goto cleanup;
        }
        if (used > 0) {
            i += used;
            continue;
        }
        const struct option *aws = !literal && command < 0 ? s_aws_option(argv[i]) : NULL;
        if (aws) {
            int words = aws->has_arg == required_argument && !strchr(argv[i], '=') ? 2 : 1;
            if (i + words > argc) {
                cpw_cli_usage_error(NULL, "option '--%s' needs a value", aws->name);
                goto cleanup;
            }
            for (int w = 0; w < words; w++) {
                front[front_count++] = argv[i + w];
            }
            i += words;
            continue;
        }
        if (command < 0 && !literal && argv[i][0] != '-') {
            command = out;
            argv[out++] = argv[i++];
            for (size_t f = 0; f < front_count; f++) { /* behind the command's name */
                argv[out++] = front[f];
            }
            front_count = 0;
            continue;
        }
        argv[out++] = argv[i++];
    }
    for (size_t f = 0; f < front_count; f++) { /* no command: keep them for the usage error */
        argv[out++] = front[f];
    }
    argv[out] = NULL;
    *argc_io = out;
    *command_index = command;
    rc = 0;
cleanup:
    cpw_free(front);
    return rc;
}

/* ----- --output and --output-file -------------------------------------------------------- */

/* True when name is one of the comma-separated words of list. */
static bool s_in_list(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; p && *p;) {
        size_t word = strcspn(p, ",");
        if (word == len && strncmp(p, name, len) == 0) {
            return true;
        }
        p += word + (p[word] == ',');
    }
    return false;
}

/* The value of option long_name (or short_name) at argv[i], or NULL; *used: words taken. */
static const char *s_value(int argc,
                           char **argv,
                           int i,
                           const char *long_name,
                           const char *short_name)
{
    size_t len = strlen(long_name);
    if (strncmp(argv[i], long_name, len) == 0 && argv[i][len] == '=') {
        return argv[i] + len + 1;
    }
    if (strcmp(argv[i], long_name) == 0 || (short_name && strcmp(argv[i], short_name) == 0)) {
        return i + 1 < argc ? argv[i + 1] : NULL;
    }
    return NULL;
}

int cpw_cli_check_output_args(const struct cpw_cli_command *cmd, int argc, char **argv)
{
    static const char *const all_formats = "table,json,csv,markdown,text,yaml,yaml-stream";
    for (int i = 1; i < argc && argv[i] && strcmp(argv[i], "--") != 0; i++) {
        const char *format = s_value(argc, argv, i, "--output", NULL);
        if (format && cmd->formats && !s_in_list(cmd->formats, format)) {
            return cpw_cli_usage_error(cmd->name, "--output takes %s here, not '%s'", cmd->formats,
                                       format);
        }
        const char *file = cmd->writes_file ? s_value(argc, argv, i, "--output-file", "-o") : NULL;
        if (file && s_in_list(all_formats, file)) {
            return cpw_cli_usage_error(cmd->name,
                                       "'%s' is an output format, not a file name: use --output "
                                       "%s for the format and -o/--output-file PATH for the file",
                                       file, file);
        }
    }
    return 0;
}
