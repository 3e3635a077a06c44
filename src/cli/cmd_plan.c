/*
 * cmd_plan.c - `cpwarden plan`: choose the targets (orphans found live or in an inventory file,
 * or named ones), read their facts live, build the plan, write it (0600) and show it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aws_opts.h"
#include "cli.h"
#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/file.h"
#include "cpw/plan_make.h"
#include "cpw/plan_targets.h"
#include "cpw/protect.h"
#include "cpw/regions.h"
#include "session.h"

#define MAX_NAMED 64

enum {
    OPT_ORPHANS = 1,
    OPT_INCLUDE_POSSIBLE,
    OPT_DOMAIN,
    OPT_ROLE,
    OPT_INSTANCE,
    OPT_FROM_INVENTORY,
    OPT_CONFIG,
    OPT_FORCE,
    OPT_FINDING,
};

static const struct option s_long[] = {
    { "orphans", no_argument, NULL, OPT_ORPHANS },
    { "include-possible", no_argument, NULL, OPT_INCLUDE_POSSIBLE },
    { "domain", required_argument, NULL, OPT_DOMAIN },
    { "role", required_argument, NULL, OPT_ROLE },
    { "instance", required_argument, NULL, OPT_INSTANCE },
    { "regions", required_argument, NULL, CPW_CLI_OPT_REGIONS },
    { "from-inventory", required_argument, NULL, OPT_FROM_INVENTORY },
    { "config", required_argument, NULL, OPT_CONFIG },
    { "force", no_argument, NULL, OPT_FORCE },
    { "finding", required_argument, NULL, OPT_FINDING },
    { "org", no_argument, NULL, CPW_CLI_OPT_ORG },
    { "role-name", required_argument, NULL, CPW_CLI_OPT_ROLE_NAME },
    { "accounts", required_argument, NULL, CPW_CLI_OPT_ACCOUNTS },
    { "output-file", required_argument, NULL, 'o' },
    { "out", required_argument, NULL, 'o' }, /* the earlier name, kept */
    { "help", no_argument, NULL, 'h' },
    CPW_CLI_AWS_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

struct plan_args {
    bool include_possible;
    bool force;
    const char *domains[MAX_NAMED];
    size_t domain_count;
    const char *roles[MAX_NAMED];
    size_t role_count;
    const char *instance;
    const char *findings[MAX_NAMED];
    size_t finding_count;
    struct cpw_cli_scope scope;
    const char *inventory_path;
    const char *config_path;
    const char *out_path;
};

static void s_progress(void *user, const char *line)
{
    (void)user;
    fprintf(stderr, "cpwarden plan: %s\n", line);
}

static void s_warning(void *user, const char *line)
{
    (void)user;
    fprintf(stderr, "cpwarden plan: warning: %s\n", line);
}

static int s_parse(int argc, char **argv, struct plan_args *args, struct cpw_settings_options *so)
{
    cpw_cli_getopt_start();
    int c;
    while ((c = cpw_cli_getopt_scope("plan", argc, argv, "ho:", s_long, so, &args->scope)) != -1) {
        if (c == CPW_CLI_OPT_INVALID) {
            return -1;
        }
        switch (c) {
        case OPT_ORPHANS:
            break;
        case OPT_INCLUDE_POSSIBLE:
            args->include_possible = true;
            break;
        case OPT_FORCE:
            args->force = true;
            break;
        case OPT_DOMAIN:
        case OPT_ROLE:
            if ((c == OPT_DOMAIN ? args->domain_count : args->role_count) >= MAX_NAMED) {
                cpw_cli_usage_error("plan", "at most %d domains and %d roles", MAX_NAMED,
                                    MAX_NAMED);
                return -1;
            }
            if (c == OPT_DOMAIN) {
                args->domains[args->domain_count++] = optarg;
            } else {
                args->roles[args->role_count++] = optarg;
            }
            break;
        case OPT_INSTANCE:
            args->instance = optarg;
            break;
        case OPT_FINDING:
            if (args->finding_count >= MAX_NAMED) {
                cpw_cli_usage_error("plan", "at most %d findings", MAX_NAMED);
                return -1;
            }
            args->findings[args->finding_count++] = optarg;
            break;
        case OPT_FROM_INVENTORY:
            args->inventory_path = optarg;
            break;
        case OPT_CONFIG:
            args->config_path = optarg;
            break;
        case 'o':
            args->out_path = optarg;
            break;
        default:
            cpw_cli_option_error("plan", s_long, argc, argv);
            return -1;
        }
    }
    if (optind < argc) {
        cpw_cli_usage_error("plan", "unexpected argument '%s'", argv[optind]);
        return -1;
    }
    if (args->finding_count && (args->domain_count || args->role_count || args->instance)) {
        cpw_cli_usage_error("plan", "--finding selects leftovers of the inventory; it does not "
                                    "take --domain, --role or --instance");
        return -1;
    }
    if ((args->scope.org || args->scope.accounts.count) &&
        (args->domain_count || args->role_count || args->instance || args->inventory_path)) {
        cpw_cli_usage_error("plan", "--org and --accounts scan for orphans; they do not take "
                                    "--domain, --role, --instance or --from-inventory");
        return -1;
    }
    return 0;
}

static int s_run(int argc, char **argv)
{
    struct plan_args args;
    memset(&args, 0, sizeof(args));
    struct cpw_settings_options so;
    cpw_cli_aws_options_init(&so);
    if (s_parse(argc, argv, &args, &so)) {
        cpw_cli_scope_clean_up(&args.scope);
        return CPW_EXIT_USAGE;
    }
    if (args.out_path && cpw_file_refuse_link(args.out_path)) { /* before any call, as inventory */
        cpw_cli_scope_clean_up(&args.scope);
        cpw_cli_print_last_error(NULL);
        return CPW_EXIT_USAGE;
    }
    int exit_code = CPW_EXIT_OTHER;
    struct cpw_cli_session session;
    cpw_cli_session_init(&session);
    const struct cpw_settings *settings = &session.settings;
    struct cpw_plan *plan = NULL;
    struct cpw_buf out;
    cpw_buf_init(&out, 256u * 1024u * 1024u);

    exit_code = cpw_cli_session_settings(&session, &so);
    if (exit_code == CPW_EXIT_OK && settings->output == CPW_OUTPUT_CSV) {
        exit_code = cpw_cli_usage_error("plan", "--output takes table, markdown or json");
    }
    if (exit_code == CPW_EXIT_OK) {
        exit_code = cpw_cli_session_protect(&session, args.config_path);
    }
    if (exit_code == CPW_EXIT_OK) {
        exit_code = cpw_cli_session_identity(&session);
    }
    if (exit_code != CPW_EXIT_OK) {
        goto cleanup;
    }
    exit_code = CPW_EXIT_OTHER;
    struct cpw_plan_make_options mo = {
        .domains = args.domains,
        .domain_count = args.domain_count,
        .roles = args.roles,
        .role_count = args.role_count,
        .instance = args.instance,
        .regions = args.scope.regions,
        .inventory_path = args.inventory_path,
        .finding_ids = args.findings,
        .finding_id_count = args.finding_count,
        .include_possible = args.include_possible,
        .force = args.force,
        .org = args.scope.org,
        .accounts = (const char *const *)args.scope.accounts.names,
        .account_count = args.scope.accounts.count,
        .role_name = args.scope.role_name,
        .client = session.client,
        .client_options = &session.client_options,
        .region = settings->region,
        .account = session.account,
        .caller_arn = session.arn,
        .protect = session.protect,
        .progress = isatty(STDERR_FILENO) ? s_progress : NULL,
        .warning = s_warning,
    };
    plan = cpw_plan_make(&mo);
    if (!plan) {
        cpw_cli_print_last_error(NULL);
        exit_code = cpw_cli_exit_for_error();
        goto cleanup;
    }
    if (args.out_path && cpw_plan_write_file(plan, args.out_path)) {
        cpw_cli_print_last_error(NULL);
        goto cleanup;
    }
    int rc = settings->output == CPW_OUTPUT_JSON       ? cpw_plan_to_json(plan, &out)
             : settings->output == CPW_OUTPUT_MARKDOWN ? cpw_plan_render_markdown(plan, &out)
                                                       : cpw_plan_render_table(plan, &out);
    if (rc) {
        cpw_cli_print_last_error(NULL);
        goto cleanup;
    }
    fwrite(out.data, 1, out.len, stdout);
    if (args.out_path && isatty(STDERR_FILENO)) {
        fprintf(stderr, "cpwarden plan: wrote %s; run 'cpwarden apply %s' to execute it\n",
                args.out_path, args.out_path);
    }
    exit_code = CPW_EXIT_OK;
cleanup:
    cpw_buf_clean_up(&out);
    cpw_plan_destroy(plan);
    cpw_cli_session_clean_up(&session);
    cpw_cli_scope_clean_up(&args.scope);
    return exit_code;
}

const struct cpw_cli_command cpw_cli_cmd_plan = {
    .name = "plan",
    .summary = "write a clean-up plan for the leftovers found",
    .help =
      "usage: cpwarden plan [--orphans] [--include-possible] [--regions all|R1,R2]\n"
      "                     [--from-inventory FILE] [--domain NAME] [--role NAME]\n"
      "                     [--instance ID] [--finding ID] [--force] [--config FILE]\n"
      "                     [-o PLAN]\n"
      "                     [--org] [--role-name NAME] [--accounts ID,...] [AWS options]\n"
      "\n"
      "Proposes what to delete, in order, with the runbook's checklist per domain, and writes\n"
      "it as a plan for 'cpwarden apply'. Nothing is changed. Targets:\n"
      "  --orphans             (default) every leftover whose finding is certain or likely:\n"
      "                        domains without a live instance (with their linked role),\n"
      "                        orphaned Connect and Customer Profiles service-linked roles\n"
      "  --include-possible    also act on findings that are only possible (never on\n"
      "                        unattached-domain or surplus-profile-roles: they name nothing\n"
      "                        that is safe to delete)\n"
      "  --regions SPEC        regions scanned: all (default: every region where Connect or\n"
      "                        Customer Profiles is offered, as inventory) or R1,R2. Roles are\n"
      "                        global: with fewer regions, a role cannot be proven unused and\n"
      "                        is not planned (its finding is only possible)\n"
      "  --from-inventory FILE take the findings from a 'cpwarden inventory --output json'\n"
      "                        document instead of scanning; the targets' facts are still\n"
      "                        read live, so apply can check them\n"
      "  --domain NAME         the domain NAME in --region (repeatable); with one --domain, a\n"
      "                        --role AWSServiceRoleForProfile_* is that domain's role\n"
      "  --role NAME           a service-linked role (repeatable)\n"
      "  --instance ID         the domain(s) integrated with Connect instance ID (id or ARN)\n"
      "  --finding ID          only the leftover of this finding (repeatable): its id as\n"
      "                        'cpwarden console' shows it (16 hex digits, stable across\n"
      "                        scans); the same rules as --orphans decide what it plans\n"
      "  --org                 every ACTIVE member account of the organization, scanned as\n"
      "                        'inventory --org' does (from the management account)\n"
      "  --role-name NAME      role assumed in member accounts, for the scan, the facts and\n"
      "                        apply (default OrganizationAccountAccessRole)\n"
      "  --accounts ID,...     only these member accounts (with or without --org)\n"
      "A plan whose targets lie in other accounts (--org, --accounts, or --from-inventory of\n"
      "an organization's inventory) is an organization plan: each target's facts are read in\n"
      "its own account through the assumed role, and apply acts there the same way.\n"
      "Options:\n"
      "  --force               act on a domain that an ACTIVE instance uses (else refused)\n"
      "  --config FILE         protections (default ~/.config/cpwarden/config)\n"
      "  -o, --output-file PLAN  write the plan to PLAN (mode 0600; --out is the same)\n"
      "  --output FORMAT       how stdout shows it: table (default), markdown, json (the plan)\n"
      "\n" CPW_CLI_AWS_OPTIONS_HELP "\n"
      "The plan records the caller identity (STS GetCallerIdentity) and a fingerprint of every\n"
      "observed fact; apply refuses it when the facts changed. See docs/cleanup-guide.md.\n"
      "\n"
      "Exit status: 0 plan made; 252 invalid arguments; 253 configuration, protections file or\n"
      "credentials; 254 an AWS service answered an error; 255 any other failure.\n"
      "\n"
      "Example: cpwarden plan -o plan.json\n",
    .run = s_run,
    .options = s_long,
    .formats = "table,json,markdown",
    .writes_file = true,
};
