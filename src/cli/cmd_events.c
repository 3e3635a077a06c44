/*
 * cmd_events.c - `cpwarden events`: who created, changed or deleted Connect instances,
 * Customer Profiles domains and their service-linked roles, from CloudTrail, with cpwarden's
 * own runs marked from the journal; with --state-file each event is reported once. The work is
 * libcpw's (events.h, accounts.h); this file parses arguments.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "aws_opts.h"
#include "cli.h"
#include "cpw/accounts.h"
#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/events.h"
#include "cpw/journal.h"
#include "cpw/json.h"
#include "cpw/regions.h"
#include "cpw/store.h"
#include "cpw/time.h"
#include "query.h"
#include "session.h"

#define DEFAULT_LOOK_BACK_S (24 * 3600)

enum {
    OPT_SINCE = 1,
    OPT_STATE_FILE,
    OPT_STATE,
};

static const struct option s_long[] = {
    { "org", no_argument, NULL, CPW_CLI_OPT_ORG },
    { "role-name", required_argument, NULL, CPW_CLI_OPT_ROLE_NAME },
    { "regions", required_argument, NULL, CPW_CLI_OPT_REGIONS },
    { "since", required_argument, NULL, OPT_SINCE },
    { "state-file", required_argument, NULL, OPT_STATE_FILE },
    { "state", required_argument, NULL, OPT_STATE },
    { "help", no_argument, NULL, 'h' },
    CPW_CLI_AWS_LONG_OPTIONS,
    CPW_CLI_QUERY_LONG_OPTION,
    { NULL, 0, NULL, 0 },
};

struct args {
    struct cpw_cli_scope scope;
    int64_t since_s; /* 0: not given */
    const char *state_file;
    const char *state_dir;
    const char *query;
};

/* --since: ISO 8601, a date, or an age (90m, 12h, 7d) before now. 0, or -1 (not a time). */
static int s_since(const char *text, int64_t now_s, int64_t *out)
{
    int64_t ms = 0;
    size_t len = strlen(text);
    char day[32];
    snprintf(day, sizeof(day), "%.10sT00:00:00Z", text);
    if (cpw_time_parse_iso8601_ms(cpw_span_from_cstr(text), &ms) == 0 ||
        (len == 10 && cpw_time_parse_iso8601_ms(cpw_span_from_cstr(day), &ms) == 0)) {
        *out = ms / 1000;
        return 0;
    }
    cpw_error_clear();
    uint64_t n = 0;
    char unit = len > 1 ? text[len - 1] : '\0';
    int64_t scale = unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 : 0;
    if (!scale || cpw_span_to_u64(cpw_span_from(text, len - 1), 400u * 86400u, &n) != 0 || n == 0) {
        cpw_error_clear();
        return -1;
    }
    *out = now_s - (int64_t)n * scale;
    return 0;
}

static int s_parse(int argc, char **argv, struct args *a, struct cpw_settings_options *sopts)
{
    cpw_cli_getopt_start();
    int c;
    while ((c = cpw_cli_getopt_scope("events", argc, argv, "h", s_long, sopts, &a->scope)) != -1) {
        switch (c) {
        case CPW_CLI_OPT_INVALID:
            return CPW_EXIT_USAGE;
        case OPT_SINCE:
            if (s_since(optarg, cpw_time_now_s(), &a->since_s) != 0) {
                return cpw_cli_usage_error("events",
                                           "--since takes an ISO 8601 time, a date (2026-11-27) "
                                           "or an age (90m, 12h, 7d), not '%s'",
                                           optarg);
            }
            break;
        case OPT_STATE_FILE:
            a->state_file = optarg;
            break;
        case OPT_STATE:
            a->state_dir = optarg;
            break;
        case CPW_CLI_OPT_QUERY:
            a->query = optarg;
            break;
        default:
            return cpw_cli_option_error("events", s_long, argc, argv);
        }
    }
    if (optind < argc) {
        return cpw_cli_usage_error("events", "unexpected argument '%s'", argv[optind]);
    }
    if (!sopts->output) {
        sopts->output = a->query ? "json" : "table";
    }
    const char *o = sopts->output;
    if (strcmp(o, "table") != 0 && strcmp(o, "json") != 0 && strcmp(o, "csv") != 0) {
        return cpw_cli_usage_error("events", "--output takes table, json or csv");
    }
    if (a->query && strcmp(o, "json") != 0) {
        return cpw_cli_usage_error("events", "--query applies to JSON: use --output json");
    }
    return 0;
}

/* The journal's steps, when a state store exists (no store: nothing of cpwarden's to mark). */
static int s_journal(const char *dir, struct cpw_journal_entry **steps, size_t *count)
{
    struct cpw_store_options so = { .dir = dir };
    struct cpw_store *store = cpw_store_open(&so);
    if (!store) {
        return -1;
    }
    struct cpw_journal_filter filter = { 0 };
    int rc = cpw_journal_list(store, &filter, steps, count);
    cpw_store_destroy(store);
    return rc;
}

static int s_render(const struct args *a,
                    const char *format,
                    const struct cpw_events *list,
                    const struct cpw_cli_query *query,
                    struct cpw_buf *out)
{
    (void)a;
    if (strcmp(format, "table") == 0) {
        return cpw_events_table(list, out) == 0 ? 0 : -1;
    }
    if (strcmp(format, "csv") == 0) {
        return cpw_events_csv(list, out) == 0 ? 0 : -1;
    }
    json_t *doc = cpw_events_json(list);
    if (!doc) {
        return cpw_raise(CPW_ERR_INTERNAL, "cannot build the JSON document");
    }
    if (cpw_cli_query_apply(query, &doc) != 0) {
        return -2; /* printed */
    }
    int rc = cpw_json_dump_document(doc, out);
    cpw_json_release(doc);
    return rc;
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
        return exit_code;
    }
    struct cpw_cli_query query = { 0 };
    if (a.query && cpw_cli_query_set(&query, a.query) != 0) {
        return CPW_EXIT_USAGE;
    }
    exit_code = CPW_EXIT_OTHER;
    struct cpw_cli_session session;
    cpw_cli_session_init(&session);
    struct cpw_region_list regions = { 0 };
    struct cpw_accounts *set = NULL;
    struct cpw_events_state state = { 0 };
    struct cpw_events list = { 0 };
    struct cpw_journal_entry *steps = NULL;
    size_t step_count = 0;
    char *caller_account = NULL;
    char *caller_arn = NULL;
    char **ids = NULL;
    size_t id_count = 0;
    struct cpw_events_account *accts = NULL;
    struct cpw_buf out;
    cpw_buf_init(&out, 256u * 1024u * 1024u);
    int64_t now = cpw_time_now_s();

    /* A state file that cannot be trusted stops the run before any call, unchanged. */
    if (a.state_file && cpw_events_state_load(a.state_file, &state) != 0) {
        cpw_cli_print_last_error(NULL);
        exit_code = CPW_EXIT_CONFIG;
        goto cleanup;
    }
    int prologue = cpw_cli_session_settings(&session, &sopts);
    if (prologue != CPW_EXIT_OK) {
        exit_code = prologue;
        goto cleanup;
    }
    prologue = cpw_cli_session_regions(&session, "events", a.scope.regions, &regions);
    if (prologue != CPW_EXIT_OK) {
        exit_code = prologue;
        goto cleanup;
    }
    if (!session.client_options.region) {
        session.client_options.region = CPW_EVENTS_IAM_REGION;
    }
    prologue = cpw_cli_session_client(&session);
    if (prologue != CPW_EXIT_OK) {
        exit_code = prologue;
        goto cleanup;
    }
    if (cpw_events_accounts(session.client, a.scope.org, &caller_account, &caller_arn, &ids,
                            &id_count) != 0) {
        cpw_cli_print_last_error(NULL);
        exit_code = cpw_cli_exit_for_error();
        goto cleanup;
    }
    struct cpw_accounts_options aopts = {
        .caller = session.client,
        .client_options = &session.client_options,
        .caller_account = caller_account,
        .caller_arn = caller_arn,
        .role_name = a.scope.role_name,
    };
    set = cpw_accounts_new(&aopts);
    if (!set) {
        cpw_cli_print_last_error(NULL);
        goto cleanup;
    }
    accts = cpw_calloc(id_count ? id_count : 1, sizeof(*accts));
    char(*why)[512] = cpw_calloc(id_count ? id_count : 1, sizeof(*why));
    for (size_t i = 0; i < id_count; i++) {
        accts[i].account = ids[i];
        accts[i].client = cpw_accounts_client(set, ids[i]);
        if (!accts[i].client) {
            snprintf(why[i], sizeof(why[i]), "%s", cpw_last_error_detail());
            accts[i].error = why[i];
            cpw_error_clear();
        }
    }
    int64_t since = a.since_s           ? a.since_s
                    : state.since_s > 0 ? state.since_s
                                        : now - DEFAULT_LOOK_BACK_S;
    struct cpw_events_options eo = {
        .accounts = accts,
        .account_count = id_count,
        .regions = (const char *const *)regions.names,
        .region_count = regions.count,
        .since_s = since,
    };
    int crc = cpw_events_collect(&eo, &list);
    cpw_free(why);
    if (crc != 0) {
        cpw_cli_print_last_error(NULL);
        goto cleanup;
    }
    if (s_journal(a.state_dir, &steps, &step_count) != 0) {
        cpw_cli_print_last_error("journal");
        goto cleanup;
    }
    cpw_events_join(&list, steps, step_count);
    bool complete = list.error_count == 0;
    if (a.state_file && cpw_events_state_advance(&state, &list, now, complete) != 0) {
        cpw_cli_print_last_error("state file");
        goto cleanup;
    }
    int rrc = s_render(&a, sopts.output, &list, &query, &out);
    if (rrc != 0) {
        if (rrc == -1) {
            cpw_cli_print_last_error(NULL);
        }
        goto cleanup;
    }
    fwrite(out.data, 1, out.len, stdout);
    if (fflush(stdout) != 0) {
        goto cleanup; /* not reported: the state file stays where it was */
    }
    /* Saved only once the events are out, so a failed run reports them again. */
    if (a.state_file && cpw_events_state_save(a.state_file, &state) != 0) {
        cpw_cli_print_last_error("state file");
        goto cleanup;
    }
    for (size_t i = 0; i < list.error_count; i++) {
        fprintf(stderr, "cpwarden events: %s%s%s: %s\n", list.errors[i].account,
                list.errors[i].region[0] ? " " : "", list.errors[i].region, list.errors[i].message);
    }
    exit_code = complete ? CPW_EXIT_OK : CPW_EXIT_PARTIAL;

cleanup:
    cpw_buf_clean_up(&out);
    cpw_free(accts);
    cpw_accounts_destroy(set);
    cpw_accounts_list_free(ids, id_count);
    cpw_free(caller_account);
    cpw_free(caller_arn);
    cpw_journal_entries_free(steps, step_count);
    cpw_events_clean_up(&list);
    cpw_events_state_clean_up(&state);
    cpw_region_list_clean_up(&regions);
    cpw_cli_session_clean_up(&session);
    cpw_cli_query_clean_up(&query);
    return exit_code;
}

const struct cpw_cli_command cpw_cli_cmd_events = {
    .name = "events",
    .summary = "list who created, changed or deleted instances, domains and their roles",
    .help =
      "usage: cpwarden events [--org] [--role-name NAME] [--regions all|R1,R2]\n"
      "                       [--since TIME] [--state-file FILE] [--state DIR]\n"
      "                       [--output table|json|csv] [--query EXPR] [AWS options]\n"
      "\n"
      "Lists from CloudTrail (LookupEvents, every page, in every region) who created, changed\n"
      "or deleted Amazon Connect instances, Customer Profiles domains and integrations, and\n"
      "the service-linked roles of both services: CreateInstance, DeleteInstance,\n"
      "CreateDomain, UpdateDomain, DeleteDomain, PutIntegration, DeleteIntegration,\n"
      "CreateServiceLinkedRole, DeleteServiceLinkedRole, DeleteRole - whoever made them, in\n"
      "the console, with the AWS CLI or with cpwarden. Changes cpwarden apply made are marked\n"
      "with its run id (column RUN), from the journal in the state store. Failed calls are\n"
      "listed too, with their error code. docs/events.md describes the columns.\n"
      "\n"
      "  --org                 every ACTIVE account of the organization, through AssumeRole\n"
      "  --role-name NAME      role assumed in member accounts\n"
      "                        (default OrganizationAccountAccessRole)\n"
      "  --regions all|R1,R2   where to look (default all: every region of Customer Profiles\n"
      "                        or Connect); IAM's events are read in us-east-1\n"
      "  --since TIME          events from TIME: ISO 8601, a date (2026-11-27) or an age\n"
      "                        (90m, 12h, 7d); default the last 24 hours, or with a state\n"
      "                        file where the previous run left off\n"
      "  --state-file FILE     report each event once across runs (for cron): the events\n"
      "                        already reported are left out and the file (mode 0600, written\n"
      "                        whole or not at all) remembers the new ones; a corrupt file is\n"
      "                        refused and left unchanged\n"
      "  --state DIR           the state store whose journal marks cpwarden's runs (default\n"
      "                        $XDG_STATE_HOME/cpwarden)\n"
      "  --output FORMAT       table (default), json or csv\n" CPW_CLI_QUERY_HELP
      "\n" CPW_CLI_AWS_OPTIONS_HELP "\n"
      "Exit status: 0 success; 3 some lookups failed (the others are printed; the state file\n"
      "keeps its start so the next run retries them); 252 invalid arguments; 253 a state file\n"
      "that cannot be trusted, configuration or credentials; 254 an AWS error before any\n"
      "lookup; 255 any other failure.\n"
      "\n"
      "Examples:\n"
      "  cpwarden events --since 7d\n"
      "  cpwarden events --org --state-file ~/.local/state/cpwarden/events.state --output csv\n"
      "  cpwarden events --query 'events[?cpwarden_run_id==null].[time, event, actor]'\n",
    .run = s_run,
    .options = s_long,
    .formats = "table,json,csv",
};
