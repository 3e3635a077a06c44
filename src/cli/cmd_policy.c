/*
 * cmd_policy.c - `cpwarden policy`: the least-privilege IAM policy for the commands given, from
 * the action table (permissions.h). Calls nothing; this file parses arguments.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/permissions.h"

#define MAX_COMMANDS 32

enum {
    OPT_COMMAND = 1,
    OPT_PARTITION,
    OPT_ROLE_NAME,
    OPT_OUTPUT,
    OPT_ROWS,
};

static const struct option s_long[] = {
    { "command", required_argument, NULL, OPT_COMMAND },
    { "partition", required_argument, NULL, OPT_PARTITION },
    { "role-name", required_argument, NULL, OPT_ROLE_NAME },
    { "output", required_argument, NULL, OPT_OUTPUT },
    { "rows", no_argument, NULL, OPT_ROWS },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

struct args {
    char *names; /* the --command values, comma-joined, owned */
    const char *commands[MAX_COMMANDS];
    size_t command_count;
    const char *partition;
    const char *role_name;
    const char *output;
    bool rows;
};

/* --command NAME[,NAME...], repeatable: the values comma-joined, split by s_split. */
static void s_add_commands(struct args *a, const char *value)
{
    size_t old = a->names ? strlen(a->names) : 0;
    size_t add = strlen(value);
    char *joined = cpw_malloc(old + add + 2);
    memcpy(joined, a->names ? a->names : "", old);
    joined[old] = ',';
    memcpy(joined + old + (old ? 1 : 0), value, add + 1);
    cpw_free(a->names);
    a->names = joined;
}

static int s_split(struct args *a)
{
    a->command_count = 0;
    for (char *p = a->names; p && *p;) {
        char *end = strchr(p, ',');
        if (end) {
            *end = '\0';
        }
        if (*p) {
            if (!cpw_permissions_has_command(p)) {
                return cpw_cli_usage_error("policy",
                                           "--command takes inventory, plan, apply, backup, "
                                           "restore, audit, document, events, metrics or doctor, "
                                           "not '%s'",
                                           p);
            }
            if (a->command_count == MAX_COMMANDS) {
                return cpw_cli_usage_error("policy", "at most %d commands", MAX_COMMANDS);
            }
            a->commands[a->command_count++] = p;
        }
        p = end ? end + 1 : NULL;
    }
    return 0;
}

static int s_parse(int argc, char **argv, struct args *a)
{
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", s_long, NULL)) != -1) {
        switch (c) {
        case OPT_COMMAND:
            s_add_commands(a, optarg);
            break;
        case OPT_PARTITION:
            if (strcmp(optarg, "aws") != 0 && strcmp(optarg, "aws-cn") != 0 &&
                strcmp(optarg, "aws-us-gov") != 0) {
                return cpw_cli_usage_error("policy", "--partition takes aws, aws-cn or aws-us-gov");
            }
            a->partition = optarg;
            break;
        case OPT_ROLE_NAME:
            a->role_name = optarg;
            break;
        case OPT_OUTPUT:
            a->output = optarg;
            break;
        case OPT_ROWS:
            a->rows = true;
            break;
        default:
            return cpw_cli_option_error("policy", s_long, argc, argv);
        }
    }
    if (optind < argc) {
        return cpw_cli_usage_error("policy", "unexpected argument '%s'", argv[optind]);
    }
    if (!a->output) {
        a->output = "json";
    }
    if (strcmp(a->output, "json") != 0 && strcmp(a->output, "table") != 0 &&
        strcmp(a->output, "markdown") != 0) {
        return cpw_cli_usage_error("policy", "--output takes json, table or markdown");
    }
    if (a->rows && strcmp(a->output, "json") != 0) {
        return cpw_cli_usage_error("policy", "--rows applies to --output json");
    }
    return s_split(a);
}

static int s_run(int argc, char **argv)
{
    struct args a;
    memset(&a, 0, sizeof(a));
    int exit_code = s_parse(argc, argv, &a);
    struct cpw_buf out;
    cpw_buf_init(&out, 4u * 1024u * 1024u);
    json_t *doc = NULL;
    if (exit_code || !a.output) {
        exit_code = exit_code ? exit_code : CPW_EXIT_USAGE;
        goto cleanup;
    }
    exit_code = CPW_EXIT_OTHER;
    struct cpw_permissions_options po = {
        .commands = a.commands,
        .command_count = a.command_count,
        .partition = a.partition,
        .role_name = a.role_name,
    };
    int rc;
    if (strcmp(a.output, "table") == 0) {
        rc = cpw_permissions_table(&po, &out);
    } else if (strcmp(a.output, "markdown") == 0) {
        rc = cpw_permissions_markdown(&po, &out);
    } else {
        doc = a.rows ? cpw_permissions_rows(&po) : cpw_permissions_policy(&po);
        rc = doc ? cpw_json_dump_document(doc, &out) : -1;
    }
    if (rc != 0) {
        cpw_cli_print_last_error(NULL);
        goto cleanup;
    }
    fwrite(out.data, 1, out.len, stdout);
    exit_code = fflush(stdout) == 0 ? CPW_EXIT_OK : CPW_EXIT_OTHER;

cleanup:
    cpw_json_release(doc);
    cpw_buf_clean_up(&out);
    cpw_free(a.names);
    return exit_code;
}

const struct cpw_cli_command cpw_cli_cmd_policy = {
    .name = "policy",
    .summary = "print the least-privilege IAM policy the commands need",
    .help =
      "usage: cpwarden policy [--command NAME[,NAME...]]... [--partition P]\n"
      "                       [--role-name NAME] [--output json|table|markdown] [--rows]\n"
      "\n"
      "Prints the IAM policy that allows exactly the actions the given commands call (default:\n"
      "every command that calls AWS: inventory, plan, apply, backup, restore, audit, document,\n"
      "events, metrics, doctor), with resource ARNs scoped where AWS supports it: the\n"
      "service-linked roles by path and name, Customer Profiles domains, Connect instances,\n"
      "trails and the role assumed in member accounts. One statement per command and kind of\n"
      "resource, its Sid naming both (ApplyProfileDomains). Nothing is called; the document\n"
      "is what IAM's CreatePolicy takes. Actions only some runs call (across an organization,\n"
      "with profiles, ...) are included; docs/permissions.md lists each action, for which\n"
      "command, when and why.\n"
      "\n"
      "  --command NAME       a command to cover (repeatable, or comma-separated)\n"
      "  --partition P        aws (default), aws-cn or aws-us-gov: the ARNs' partition\n"
      "  --role-name NAME     the role other commands assume in member accounts\n"
      "                       (default OrganizationAccountAccessRole)\n"
      "  --output FORMAT      json (default: the policy document), table or markdown (the\n"
      "                       action table, one row per action with its reason)\n"
      "  --rows               with json: the action table's rows instead of the policy\n"
      "\n"
      "Exit status: 0 success; 252 invalid arguments; 255 any other failure.\n"
      "\n"
      "Examples:\n"
      "  cpwarden policy > cpwarden-policy.json\n"
      "  cpwarden policy --command inventory,plan --output table\n",
    .run = s_run,
    .options = s_long,
    .formats = "json,table,markdown",
};
