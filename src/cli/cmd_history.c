/*
 * cmd_history.c - `cpwarden history`: the change log kept by apply's journal, as a table,
 * Markdown, JSON or CSV.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "aws_opts.h"
#include "cli.h"
#include "cpw/error.h"
#include "cpw/inventory.h"
#include "cpw/journal.h"
#include "cpw/json.h"
#include "cpw/store.h"
#include "cpw/time.h"
#include "query.h"
#include "session.h"

enum {
    OPT_STATE = 1,
    OPT_SINCE,
    OPT_PLAN,
    OPT_OUTPUT,
};

static const struct option s_long[] = {
    { "state", required_argument, NULL, OPT_STATE },
    { "since", required_argument, NULL, OPT_SINCE },
    { "plan", required_argument, NULL, OPT_PLAN },
    { "output", required_argument, NULL, OPT_OUTPUT },
    { "help", no_argument, NULL, 'h' },
    CPW_CLI_QUERY_LONG_OPTION,
    { NULL, 0, NULL, 0 },
};

static int s_table(const struct cpw_journal_entry *e, size_t n, struct cpw_buf *out)
{
    int rc = cpw_buf_appendf(out, "%-20s %-4s %-12s %-4s %-27s %-11s %s\n", "WHEN", "RUN", "PLAN",
                             "STEP", "WHAT", "RESULT", "TARGET");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = cpw_buf_appendf(out,
                             "%-20s %-4lld %.12s %-4s %-27s %-11s %s\n     by %s (plan %s)\n"
                             "     %s\n",
                             e[i].at, (long long)e[i].run_id, e[i].plan_checksum, e[i].action_id,
                             e[i].kind, e[i].outcome, e[i].target, e[i].caller_arn, e[i].plan_path,
                             e[i].detail);
    }
    return rc;
}

static int s_cell(struct cpw_buf *out, const char *text)
{
    int rc = 0;
    for (const char *p = text; rc == 0 && *p; p++) {
        rc = *p == '|'    ? cpw_buf_append_cstr(out, "\\|")
             : *p == '\n' ? cpw_buf_append_cstr(out, "<br>")
                          : cpw_buf_append_byte(out, (uint8_t)*p);
    }
    return rc ? rc : cpw_buf_append_cstr(out, " | ");
}

static int s_markdown(const struct cpw_journal_entry *e, size_t n, struct cpw_buf *out)
{
    int rc = cpw_buf_append_cstr(out, "# cpwarden history\n\n| when | who | plan | step | what | "
                                      "target | result | detail |\n|---|---|---|---|---|---|---|"
                                      "---|\n");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char plan[512];
        snprintf(plan, sizeof(plan), "%.12s (%s)", e[i].plan_checksum, e[i].plan_path);
        rc = cpw_buf_append_cstr(out, "| ");
        const char *cells[] = { e[i].at,   e[i].caller_arn, plan,         e[i].action_id,
                                e[i].kind, e[i].target,     e[i].outcome, e[i].detail };
        for (size_t k = 0; rc == 0 && k < 8; k++) {
            rc = s_cell(out, cells[k]);
        }
        rc = rc ? rc : cpw_buf_append_byte(out, '\n');
    }
    return rc;
}

static int s_csv(const struct cpw_journal_entry *e, size_t n, struct cpw_buf *out)
{
    int rc = cpw_buf_append_cstr(
      out, "when,run,who,plan_checksum,plan_path,step,what,target,result,detail\r\n");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char run[32];
        snprintf(run, sizeof(run), "%lld", (long long)e[i].run_id);
        const char *cells[] = {
            e[i].at,        run,       e[i].caller_arn, e[i].plan_checksum, e[i].plan_path,
            e[i].action_id, e[i].kind, e[i].target,     e[i].outcome,       e[i].detail
        };
        for (size_t k = 0; rc == 0 && k < 10; k++) {
            rc = cpw_inventory_csv_field(out, cells[k]);
            rc = rc ? rc : cpw_buf_append_cstr(out, k + 1 < 10 ? "," : "\r\n");
        }
    }
    return rc;
}

/* The JSON document of --output json, before --query. */
static json_t *s_json_doc(const struct cpw_journal_entry *e, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(
          list, json_pack("{s:s, s:I, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:s}", "when", e[i].at,
                          "run", (json_int_t)e[i].run_id, "who", e[i].caller_arn, "plan",
                          "checksum", e[i].plan_checksum, "path", e[i].plan_path, "step",
                          e[i].action_id, "what", e[i].kind, "target", e[i].target, "result",
                          e[i].outcome, "detail", e[i].detail));
    }
    return json_pack("{s:o}", "changes", list);
}

/* --output json: the document, filtered by --query when one was given. */
static int s_json(const struct cpw_journal_entry *e,
                  size_t n,
                  const struct cpw_cli_query *query,
                  struct cpw_buf *out,
                  bool *reported)
{
    json_t *doc = s_json_doc(e, n);
    if (!doc) {
        return cpw_raise(CPW_ERR_INTERNAL, "cannot build JSON");
    }
    if (cpw_cli_query_apply(query, &doc) != 0) {
        *reported = true; /* the query's error is printed */
        return -1;
    }
    int rc = cpw_json_dump_document(doc, out); /* indented like every other document */
    json_decref(doc);
    return rc;
}

static int s_run(int argc, char **argv)
{
    const char *state = NULL;
    const char *output = NULL;
    const char *query_expr = NULL;
    struct cpw_journal_filter filter = { 0 };
    cpw_cli_getopt_start();
    int c;
    while ((c = getopt_long(argc, argv, "h", s_long, NULL)) != -1) {
        switch (c) {
        case OPT_STATE:
            state = optarg;
            break;
        case OPT_SINCE: {
            int64_t ms = 0;
            char day[32];
            snprintf(day, sizeof(day), "%.10sT00:00:00Z", optarg);
            if (cpw_time_parse_iso8601_ms(cpw_span_from_cstr(optarg), &ms) != 0 &&
                (strlen(optarg) != 10 ||
                 cpw_time_parse_iso8601_ms(cpw_span_from_cstr(day), &ms) != 0)) {
                return cpw_cli_usage_error("history",
                                           "--since takes a date (2026-11-27) or an ISO 8601 "
                                           "time, not '%s'",
                                           optarg);
            }
            static char since[CPW_TIME_ISO8601_LEN + 1];
            (void)cpw_time_format_iso8601(ms / 1000, since);
            filter.since = since;
            break;
        }
        case OPT_PLAN:
            filter.plan_prefix = optarg;
            break;
        case OPT_OUTPUT:
            output = optarg;
            break;
        case CPW_CLI_OPT_QUERY:
            query_expr = optarg;
            break;
        default:
            return cpw_cli_option_error("history", s_long, argc, argv);
        }
    }
    if (optind < argc) {
        return cpw_cli_usage_error("history", "unexpected argument '%s'", argv[optind]);
    }
    /* --query filters the JSON document, so it implies (and needs) --output json. */
    if (!output) {
        output = query_expr ? "json" : "table";
    }
    int (*render)(const struct cpw_journal_entry *, size_t, struct cpw_buf *) =
      strcmp(output, "table") == 0      ? s_table
      : strcmp(output, "markdown") == 0 ? s_markdown
      : strcmp(output, "csv") == 0      ? s_csv
                                        : NULL;
    bool json = strcmp(output, "json") == 0;
    if (!render && !json) {
        return cpw_cli_usage_error("history", "--output takes table, markdown, json or csv");
    }
    if (query_expr && !json) {
        return cpw_cli_usage_error("history", "--query applies to JSON: use --output json");
    }
    struct cpw_cli_query query = { 0 };
    if (query_expr && cpw_cli_query_set(&query, query_expr) != 0) {
        return CPW_EXIT_USAGE;
    }
    struct cpw_store *store = cpw_cli_store_open(state, NULL);
    if (!store) {
        cpw_cli_query_clean_up(&query);
        return CPW_EXIT_CONFIG;
    }
    struct cpw_journal_entry *entries = NULL;
    size_t count = 0;
    struct cpw_buf out;
    cpw_buf_init(&out, 256u * 1024u * 1024u);
    int exit_code = CPW_EXIT_OTHER;
    bool reported = false;
    if (cpw_journal_list(store, &filter, &entries, &count)) {
        cpw_cli_print_last_error(NULL);
    } else if (json ? s_json(entries, count, &query, &out, &reported)
                    : render(entries, count, &out)) {
        if (!reported) {
            cpw_cli_print_last_error(NULL);
        }
    } else {
        fwrite(out.data, 1, out.len, stdout);
        exit_code = CPW_EXIT_OK;
    }
    cpw_buf_clean_up(&out);
    cpw_journal_entries_free(entries, count);
    cpw_store_destroy(store);
    cpw_cli_query_clean_up(&query);
    return exit_code;
}

const struct cpw_cli_command cpw_cli_cmd_history = {
    .name = "history",
    .summary = "show the journal of changes cpwarden made",
    .help = "usage: cpwarden history [--state DIR] [--since TIME] [--plan CHECKSUM]\n"
            "                        [--output table|markdown|json|csv] [--query EXPR]\n"
            "\n"
            "Prints the change log that 'cpwarden apply' keeps in the state store: for every\n"
            "step, when it ran, who ran it (the caller identity's ARN), which plan (its checksum\n"
            "prefix and path), what it did (the action kind and target) and the result (done,\n"
            "already, failed, or interrupted when a run stopped after the intent).\n"
            "\n"
            "  --state DIR        the state store (default $XDG_STATE_HOME/cpwarden)\n"
            "  --since TIME       only steps at or after TIME (2026-11-27 or ISO 8601)\n"
            "  --plan CHECKSUM    only runs of the plan whose checksum starts with CHECKSUM\n"
            "  --output FORMAT    table (default), markdown, json or csv\n"
            "  --query EXPR       JMESPath expression applied to the JSON document (implies\n"
            "                     --output json; as the AWS CLI's --query, see docs/query.md)\n"
            "\n"
            "Exit status: 0 success; 252 invalid arguments; 253 the state store cannot be\n"
            "opened; 255 any other failure.\n"
            "\n"
            "Examples: cpwarden history --since 2026-11-01 --output markdown\n"
            "          cpwarden history --query 'changes[?result==`failed`].[when, target]'\n",
    .run = s_run,
    .options = s_long,
    .formats = "table,json,csv,markdown",
};
