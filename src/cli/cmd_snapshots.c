/*
 * cmd_snapshots.c - `cpwarden snapshots`: the inventory snapshots kept in the state store, so
 * that `inventory --diff ID` has ids to name.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cpw/error.h"
#include "cpw/inventory.h"
#include "cpw/json.h"
#include "cpw/store.h"
#include "cpw/time.h"
#include "session.h"

enum {
    OPT_STATE = 1,
    OPT_LIMIT,
    OPT_OUTPUT,
};

static const struct option s_long[] = {
    { "state", required_argument, NULL, OPT_STATE },
    { "limit", required_argument, NULL, OPT_LIMIT },
    { "output", required_argument, NULL, OPT_OUTPUT },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static void s_when(int64_t epoch_s, char out[CPW_TIME_ISO8601_LEN + 1])
{
    if (epoch_s <= 0 || cpw_time_format_iso8601(epoch_s, out) != 0) {
        snprintf(out, CPW_TIME_ISO8601_LEN + 1, "-");
    }
}

static int s_table(const struct cpw_store_snapshot_info *s, size_t n, struct cpw_buf *out)
{
    int rc = cpw_buf_appendf(out, "%-6s %-20s %-6s %-40s %s\n", "ID", "SCANNED", "FORMAT", "SCOPE",
                             "IDENTITY");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char when[CPW_TIME_ISO8601_LEN + 1];
        s_when(s[i].scanned_at_s, when);
        rc = cpw_buf_appendf(out, "%-6lld %-20s %-6d %-40s %s\n", (long long)s[i].id, when,
                             s[i].schema, s[i].scope, s[i].identity);
    }
    return rc;
}

static int s_csv(const struct cpw_store_snapshot_info *s, size_t n, struct cpw_buf *out)
{
    int rc = cpw_buf_append_cstr(out, "id,scanned_at,saved_at,format_version,scope,identity\r\n");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char scanned[CPW_TIME_ISO8601_LEN + 1];
        char saved[CPW_TIME_ISO8601_LEN + 1];
        s_when(s[i].scanned_at_s, scanned);
        s_when(s[i].saved_at_s, saved);
        rc =
          cpw_buf_appendf(out, "%lld,%s,%s,%d,", (long long)s[i].id, scanned, saved, s[i].schema);
        rc = rc ? rc : cpw_inventory_csv_field(out, s[i].scope);
        rc = rc ? rc : cpw_buf_append_byte(out, ',');
        rc = rc ? rc : cpw_inventory_csv_field(out, s[i].identity);
        rc = rc ? rc : cpw_buf_append_cstr(out, "\r\n");
    }
    return rc;
}

static int s_json(const struct cpw_store_snapshot_info *s, size_t n, struct cpw_buf *out)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        char scanned[CPW_TIME_ISO8601_LEN + 1];
        char saved[CPW_TIME_ISO8601_LEN + 1];
        s_when(s[i].scanned_at_s, scanned);
        s_when(s[i].saved_at_s, saved);
        cpw_json_append_take(list, json_pack("{s:I, s:s, s:s, s:i, s:s, s:s}", "id",
                                             (json_int_t)s[i].id, "scanned_at", scanned, "saved_at",
                                             saved, "format_version", s[i].schema, "scope",
                                             s[i].scope, "identity", s[i].identity));
    }
    json_t *doc = json_pack("{s:o}", "snapshots", list);
    int rc = doc ? cpw_json_dump_document(doc, out)
                 : cpw_raise(CPW_ERR_INTERNAL, "cannot build the JSON document");
    cpw_json_release(doc);
    return rc;
}

static int s_run(int argc, char **argv)
{
    const char *state = NULL;
    const char *output = "table";
    uint64_t limit = 0;
    cpw_cli_getopt_start();
    int c;
    while ((c = getopt_long(argc, argv, "h", s_long, NULL)) != -1) {
        switch (c) {
        case OPT_STATE:
            state = optarg;
            break;
        case OPT_LIMIT:
            if (cpw_span_to_u64(cpw_span_from_cstr(optarg), 1000000, &limit) || limit == 0) {
                return cpw_cli_usage_error("snapshots", "--limit takes 1 to 1000000, not '%s'",
                                           optarg);
            }
            break;
        case OPT_OUTPUT:
            output = optarg;
            break;
        default:
            return cpw_cli_option_error("snapshots", s_long, argc, argv);
        }
    }
    if (optind < argc) {
        return cpw_cli_usage_error("snapshots", "unexpected argument '%s'", argv[optind]);
    }
    int (*render)(const struct cpw_store_snapshot_info *, size_t, struct cpw_buf *) =
      strcmp(output, "table") == 0  ? s_table
      : strcmp(output, "json") == 0 ? s_json
      : strcmp(output, "csv") == 0  ? s_csv
                                    : NULL;
    if (!render) {
        return cpw_cli_usage_error("snapshots", "--output takes table, json or csv, not '%s'",
                                   output);
    }
    struct cpw_store *store = cpw_cli_store_open(state, NULL);
    if (!store) {
        return CPW_EXIT_CONFIG;
    }
    struct cpw_store_snapshot_info *list = NULL;
    size_t count = 0;
    struct cpw_buf out;
    cpw_buf_init(&out, 64u * 1024u * 1024u);
    int exit_code = CPW_EXIT_OTHER;
    if (cpw_store_snapshot_list(store, (size_t)limit, &list, &count) || render(list, count, &out)) {
        cpw_cli_print_last_error(NULL);
    } else {
        fwrite(out.data, 1, out.len, stdout);
        exit_code = CPW_EXIT_OK;
    }
    cpw_buf_clean_up(&out);
    cpw_store_snapshot_list_free(list, count);
    cpw_store_destroy(store);
    return exit_code;
}

const struct cpw_cli_command cpw_cli_cmd_snapshots = {
    .name = "snapshots",
    .summary = "list the inventory snapshots kept for --diff",
    .help = "usage: cpwarden snapshots [--state DIR] [--limit N] [--output table|json|csv]\n"
            "\n"
            "Lists the inventory snapshots in the state store, newest first: the id to give\n"
            "'cpwarden inventory --diff ID', when the scan ran, the document's schema, what was\n"
            "scanned (accounts and regions) and who scanned it. 'inventory --diff' compares only\n"
            "scans of the same scope.\n"
            "\n"
            "  --state DIR        the state store (default $XDG_STATE_HOME/cpwarden)\n"
            "  --limit N          the N newest only\n"
            "  --output FORMAT    table (default), json or csv\n"
            "\n"
            "Exit status: 0 success; 252 invalid arguments; 253 the state store cannot be\n"
            "opened; 255 any other failure.\n"
            "\n"
            "Example: cpwarden snapshots --limit 5\n",
    .run = s_run,
    .options = s_long,
    .formats = "table,json,csv",
};
