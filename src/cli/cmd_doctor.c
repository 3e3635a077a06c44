/*
 * cmd_doctor.c - `cpwarden doctor`: what would make a step fail, with the fix, before it does.
 * The checks are libcpw's (doctor.h); this file parses arguments, finds the credentials and the
 * identity (noting the answer's Date for the clock check) and prints the report.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "aws_opts.h"
#include "cli.h"
#include "cpw/alloc.h"
#include "cpw/aws_call.h"
#include "cpw/doctor.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/permissions.h"
#include "cpw/store.h"
#include "cpw/time.h"
#include "session.h"

#define MAX_COMMANDS 16

enum {
    OPT_COMMAND = 1,
    OPT_STATE,
    OPT_PRINCIPAL,
};

static const struct option s_long[] = {
    { "org", no_argument, NULL, CPW_CLI_OPT_ORG },
    { "role-name", required_argument, NULL, CPW_CLI_OPT_ROLE_NAME },
    { "regions", required_argument, NULL, CPW_CLI_OPT_REGIONS },
    { "command", required_argument, NULL, OPT_COMMAND },
    { "state", required_argument, NULL, OPT_STATE },
    { "principal", required_argument, NULL, OPT_PRINCIPAL },
    { "help", no_argument, NULL, 'h' },
    CPW_CLI_AWS_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

struct args {
    struct cpw_cli_scope scope;
    char names[1024]; /* the --command values, comma-joined */
    const char *commands[MAX_COMMANDS];
    size_t command_count;
    const char *state_dir;
    const char *principal;
};

/* The last answer's Date header, for the clock check; the --debug printer still runs. */
struct date_capture {
    char date[64];
    int64_t at_s;
    cpw_http_debug_fn *chain;
    void *chain_user;
};

static void s_capture(void *user, const struct cpw_http_debug_event *event)
{
    struct date_capture *c = user;
    if (event->response) {
        const char *d = cpw_headers_get(&event->response->headers, "Date");
        if (d) {
            snprintf(c->date, sizeof(c->date), "%s", d);
            c->at_s = cpw_time_now_s();
        }
    }
    if (c->chain) {
        c->chain(c->chain_user, event);
    }
}

static int s_commands(struct args *a)
{
    for (char *p = a->names; *p;) {
        char *end = strchr(p, ',');
        if (end) {
            *end = '\0';
        }
        if (*p) {
            if (!cpw_permissions_has_command(p)) {
                return cpw_cli_usage_error("doctor",
                                           "--command takes inventory, plan, apply, backup, "
                                           "restore, audit, document, events, metrics or doctor, "
                                           "not '%s'",
                                           p);
            }
            if (a->command_count == MAX_COMMANDS) {
                return cpw_cli_usage_error("doctor", "at most %d commands", MAX_COMMANDS);
            }
            a->commands[a->command_count++] = p;
        }
        if (!end) {
            break;
        }
        p = end + 1;
    }
    return 0;
}

static int s_parse(int argc, char **argv, struct args *a, struct cpw_settings_options *sopts)
{
    cpw_cli_getopt_start();
    int c;
    while ((c = cpw_cli_getopt_scope("doctor", argc, argv, "h", s_long, sopts, &a->scope)) != -1) {
        switch (c) {
        case CPW_CLI_OPT_INVALID:
            return CPW_EXIT_USAGE;
        case OPT_COMMAND: {
            size_t len = strlen(a->names);
            if (len + strlen(optarg) + 2 > sizeof(a->names)) {
                return cpw_cli_usage_error("doctor", "--command: too many names");
            }
            snprintf(a->names + len, sizeof(a->names) - len, "%s%s", len ? "," : "", optarg);
            break;
        }
        case OPT_STATE:
            a->state_dir = optarg;
            break;
        case OPT_PRINCIPAL:
            if (strncmp(optarg, "arn:", 4) != 0 ||
                (!strstr(optarg, ":user/") && !strstr(optarg, ":role/"))) {
                return cpw_cli_usage_error("doctor",
                                           "--principal takes the ARN of an IAM user or role, "
                                           "not '%s'",
                                           optarg);
            }
            a->principal = optarg;
            break;
        default:
            return cpw_cli_option_error("doctor", s_long, argc, argv);
        }
    }
    if (optind < argc) {
        return cpw_cli_usage_error("doctor", "unexpected argument '%s'", argv[optind]);
    }
    if (!sopts->output) {
        sopts->output = "table";
    }
    const char *o = sopts->output;
    if (strcmp(o, "table") != 0 && strcmp(o, "json") != 0 && strcmp(o, "markdown") != 0) {
        return cpw_cli_usage_error("doctor", "--output takes table, json or markdown");
    }
    return s_commands(a);
}

static int s_print(const struct cpw_doctor_report *report, const char *format)
{
    struct cpw_buf out;
    cpw_buf_init(&out, 64u * 1024u * 1024u);
    int rc;
    if (strcmp(format, "json") == 0) {
        json_t *doc = cpw_doctor_json(report);
        rc = cpw_json_dump_document(doc, &out);
        cpw_json_release(doc);
    } else if (strcmp(format, "markdown") == 0) {
        rc = cpw_doctor_markdown(report, &out);
    } else {
        rc = cpw_doctor_table(report, &out);
    }
    if (rc == 0) {
        fwrite(out.data, 1, out.len, stdout);
        rc = fflush(stdout) == 0 ? 0 : -1;
    } else {
        cpw_cli_print_last_error(NULL);
    }
    cpw_buf_clean_up(&out);
    if (rc != 0) {
        return CPW_EXIT_OTHER;
    }
    return cpw_doctor_worst(report) == CPW_DOCTOR_FAIL ? CPW_EXIT_PROBLEMS : CPW_EXIT_OK;
}

static int s_run(int argc, char **argv)
{
    struct args a;
    memset(&a, 0, sizeof(a));
    struct cpw_settings_options sopts;
    cpw_cli_aws_options_init(&sopts);
    sopts.region_optional = true;
    int exit_code = s_parse(argc, argv, &a, &sopts);
    if (exit_code) {
        cpw_cli_scope_clean_up(&a.scope);
        return exit_code;
    }
    struct cpw_cli_session session;
    cpw_cli_session_init(&session);
    struct cpw_region_list regions = { 0 };
    struct cpw_doctor_report report;
    cpw_doctor_report_init(&report);
    struct cpw_credentials creds;
    cpw_credentials_init(&creds);
    struct cpw_aws_identity id;
    memset(&id, 0, sizeof(id));
    struct cpw_store *store = NULL;
    struct date_capture capture;
    memset(&capture, 0, sizeof(capture));

    exit_code = cpw_cli_session_settings(&session, &sopts);
    if (exit_code != CPW_EXIT_OK) {
        goto cleanup;
    }
    exit_code = cpw_cli_session_regions(&session, "doctor", a.scope.regions, &regions);
    if (exit_code != CPW_EXIT_OK) {
        goto cleanup;
    }
    if (!session.client_options.region) {
        session.client_options.region = "us-east-1";
    }
    capture.chain = session.engine_options.debug;
    capture.chain_user = session.engine_options.debug_user;
    session.engine_options.debug = s_capture;
    session.engine_options.debug_user = &capture;
    exit_code = cpw_cli_session_client(&session);
    if (exit_code != CPW_EXIT_OK) {
        goto cleanup;
    }
    /* Credentials and identity first: without them nothing else can be asked. */
    if (cpw_credentials_provider_get(cpw_aws_client_credentials(session.client), &creds) != 0) {
        cpw_doctor_add(&report, "", "credentials", CPW_DOCTOR_FAIL, NULL, cpw_last_error_detail(),
                       "configure credentials: AWS_PROFILE / --profile with a profile of "
                       "~/.aws/config, 'aws sso login', or AWS_ACCESS_KEY_ID and "
                       "AWS_SECRET_ACCESS_KEY (docs/credentials.md)");
        cpw_error_clear();
        exit_code = s_print(&report, sopts.output);
        goto cleanup;
    }
    struct cpw_aws_error aws;
    cpw_aws_error_init(&aws);
    int idrc = cpw_aws_caller_identity(session.client, NULL, &id, &aws);
    cpw_aws_error_clean_up(&aws);
    if (idrc != 0) {
        char detail[512];
        snprintf(detail, sizeof(detail), "found in: %s", creds.source ? creds.source : "unknown");
        cpw_doctor_add(&report, "", "credentials", CPW_DOCTOR_OK, creds.source, detail, NULL);
        cpw_doctor_add(&report, "", "identity", CPW_DOCTOR_FAIL, NULL, cpw_last_error_detail(),
                       "the credentials are refused: check that they are current (a session "
                       "token expires), the clock (below), and the endpoint");
        cpw_error_clear();
        cpw_doctor_check_clock(&report, "", capture.at_s ? capture.at_s : cpw_time_now_s(),
                               capture.date[0] ? capture.date : NULL);
        exit_code = s_print(&report, sopts.output);
        goto cleanup;
    }
    struct cpw_store_options so = { .dir = a.state_dir };
    store = cpw_store_open(&so);
    if (!store) {
        cpw_error_clear(); /* no state store: no deletion task to look at */
    }
    struct cpw_doctor_options dopts = {
        .client = session.client,
        .client_options = &session.client_options,
        .credentials_source = creds.source,
        .access_key_id = creds.access_key_id,
        .identity_local_s = capture.at_s ? capture.at_s : cpw_time_now_s(),
        .identity_date = capture.date[0] ? capture.date : NULL,
        .account = id.account,
        .arn = id.arn,
        .principal = a.principal,
        .org = a.scope.org,
        .role_name = a.scope.role_name,
        .regions = (const char *const *)regions.names,
        .region_count = regions.count,
        .commands = a.commands,
        .command_count = a.command_count,
        .store = store,
    };
    if (cpw_doctor_run(&dopts, &report) != 0) {
        cpw_cli_print_last_error(NULL);
        exit_code = CPW_EXIT_OTHER;
        goto cleanup;
    }
    exit_code = s_print(&report, sopts.output);

cleanup:
    if (store) {
        cpw_store_destroy(store);
    }
    cpw_aws_identity_clean_up(&id);
    cpw_credentials_clean_up(&creds);
    cpw_doctor_report_clean_up(&report);
    cpw_region_list_clean_up(&regions);
    cpw_cli_session_clean_up(&session);
    cpw_cli_scope_clean_up(&a.scope);
    return exit_code;
}

const struct cpw_cli_command cpw_cli_cmd_doctor = {
    .name = "doctor",
    .summary = "troubleshoot identity, permissions, SCPs and pending deletions",
    .help =
      "usage: cpwarden doctor [--org] [--role-name NAME] [--regions all|R1,R2]\n"
      "                       [--command NAME[,NAME...]]... [--principal ARN]\n"
      "                       [--state DIR]\n"
      "                       [--output table|json|markdown] [AWS options]\n"
      "\n"
      "Finds what would make a step fail, before it does, and says how to fix it. For the\n"
      "credentials in use and, with --org, for each member account reached through the role\n"
      "cpwarden assumes:\n"
      "  credentials   found or not, and from which source of the chain\n"
      "  clock         skew against the endpoint's Date (AWS refuses beyond 5 minutes)\n"
      "  identity      the caller's ARN and account (STS GetCallerIdentity); each member's\n"
      "                role assumed\n"
      "  regions       which regions answer (Customer Profiles ListDomains, one item)\n"
      "  permission    every action the commands need ('cpwarden policy'), checked with\n"
      "                iam:SimulatePrincipalPolicy on the caller's principal (an assumed\n"
      "                role's role), resource-level where it matters; a denial names its\n"
      "                cause: no identity-based policy allows it (fix: the missing statement\n"
      "                as JSON), an explicit deny, the permissions boundary, or an SCP (with\n"
      "                --org, the SCP that denies it, by id and name). Where the simulation\n"
      "                itself is denied, dry probes (one cheap read per service) instead\n"
      "  deletion-task the service-linked role deletion tasks of apply's journal that are\n"
      "                pending or FAILED, and the resources (RoleUsageList) that block them\n"
      "  delete-domain DeleteDomain failures in CloudTrail over the last 24 hours, with the\n"
      "                runbook's 15 minutes between attempts: when the next one is allowed\n"
      "  throttling    throttled requests the client saw during the run\n"
      "\n"
      "  --org                 also every ACTIVE member account of the organization\n"
      "  --role-name NAME      role assumed in member accounts\n"
      "                        (default OrganizationAccountAccessRole)\n"
      "  --regions all|R1,R2   regions to check (default all: every region of Customer\n"
      "                        Profiles or Connect)\n"
      "  --command NAME        the commands whose actions are checked (repeatable, or\n"
      "                        comma-separated; default inventory, plan, apply, backup,\n"
      "                        restore, audit)\n"
      "  --principal ARN       simulate this IAM user or role of the caller's account\n"
      "                        instead of the caller (an administrator checking what a\n"
      "                        pipeline's role may do)\n"
      "  --state DIR           the state store whose journal names the deletion tasks\n"
      "                        (default $XDG_STATE_HOME/cpwarden)\n"
      "  --output FORMAT       table (default), json or markdown\n"
      "\n" CPW_CLI_AWS_OPTIONS_HELP "\n"
      "Exit status: 0 everything needed is allowed and nothing blocks; 6 a problem was found\n"
      "(each FAIL row has its fix); 252 invalid arguments; 253 configuration; 255 any other\n"
      "failure. docs/doctor.md shows an example.\n"
      "\n"
      "Examples:\n"
      "  cpwarden doctor --regions us-east-1,eu-west-2\n"
      "  cpwarden doctor --org --command apply --output markdown > doctor.md\n",
    .run = s_run,
    .options = s_long,
    .formats = "table,json,markdown",
};
