/*
 * cmd_metrics.c - `cpwarden metrics`: the latest inventory snapshot (or an inventory file), the
 * journal and the latest stored audit as OpenMetrics text, or published to CloudWatch. The work
 * is libcpw's (metrics.h); this file parses arguments.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "aws_opts.h"
#include "cli.h"
#include "cpw/error.h"
#include "cpw/file.h"
#include "cpw/inventory.h"
#include "cpw/journal.h"
#include "cpw/metrics.h"
#include "cpw/store.h"
#include "cpw/time.h"
#include "session.h"

enum {
    OPT_STATE = 1,
    OPT_FROM_INVENTORY,
    OPT_SNAPSHOT,
    OPT_CLOUDWATCH,
    OPT_OUTPUT_FILE,
};

static const struct option s_long[] = {
    { "state", required_argument, NULL, OPT_STATE },
    { "from-inventory", required_argument, NULL, OPT_FROM_INVENTORY },
    { "snapshot", required_argument, NULL, OPT_SNAPSHOT },
    { "cloudwatch", required_argument, NULL, OPT_CLOUDWATCH },
    { "output-file", required_argument, NULL, OPT_OUTPUT_FILE },
    { "help", no_argument, NULL, 'h' },
    CPW_CLI_AWS_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

struct args {
    const char *state_dir;
    const char *from_inventory;
    int64_t snapshot_id; /* 0: the latest */
    const char *cloudwatch;
    const char *output_file;
};

/* Stored audit results: the newest report `cpwarden audit` saved (docs/metrics.md). */
static const struct cpw_metrics_audit_source *s_audit_source(void)
{
    return cpw_metrics_audit_from_store();
}

static int s_parse(int argc, char **argv, struct args *a, struct cpw_settings_options *sopts)
{
    cpw_cli_getopt_start();
    int c;
    while ((c = cpw_cli_getopt("metrics", argc, argv, "ho:", s_long, sopts)) != -1) {
        switch (c) {
        case CPW_CLI_OPT_INVALID:
            return CPW_EXIT_USAGE;
        case OPT_STATE:
            a->state_dir = optarg;
            break;
        case OPT_FROM_INVENTORY:
            a->from_inventory = optarg;
            break;
        case OPT_SNAPSHOT: {
            uint64_t n = 0;
            if (cpw_span_to_u64(cpw_span_from_cstr(optarg), INT64_MAX, &n) || n == 0) {
                return cpw_cli_usage_error("metrics", "--snapshot takes a snapshot id, not '%s'",
                                           optarg);
            }
            a->snapshot_id = (int64_t)n;
            break;
        }
        case OPT_CLOUDWATCH:
            a->cloudwatch = optarg;
            break;
        case 'o':
        case OPT_OUTPUT_FILE:
            a->output_file = optarg;
            break;
        default:
            return cpw_cli_option_error("metrics", s_long, argc, argv);
        }
    }
    if (optind < argc) {
        return cpw_cli_usage_error("metrics", "unexpected argument '%s'", argv[optind]);
    }
    if (a->from_inventory && a->snapshot_id) {
        return cpw_cli_usage_error("metrics", "--from-inventory and --snapshot exclude each other");
    }
    if (sopts->output && strcmp(sopts->output, "openmetrics") != 0) {
        return cpw_cli_usage_error("metrics", "--output takes openmetrics only");
    }
    if (a->cloudwatch && a->output_file) {
        return cpw_cli_usage_error("metrics", "--cloudwatch publishes; it takes no --output-file");
    }
    return 0;
}

/* The snapshot's row in the list (for when it was saved, by whom, of what) and the count. */
static int s_snapshot_info(struct cpw_store *store,
                           int64_t id,
                           struct cpw_metrics_source *src,
                           struct cpw_store_snapshot_info **list,
                           size_t *count)
{
    if (cpw_store_snapshot_list(store, 0, list, count) != 0) {
        return -1;
    }
    for (size_t i = 0; i < *count; i++) {
        if (id == 0 || (*list)[i].id == id) {
            src->snapshot_id = (*list)[i].id;
            src->saved_at_s = (*list)[i].saved_at_s;
            src->identity = (*list)[i].identity;
            src->scope = (*list)[i].scope;
            break;
        }
    }
    src->snapshot_count = *count;
    return 0;
}

static struct cpw_inventory *s_inventory_file(const char *path)
{
    struct cpw_buf text;
    cpw_buf_init(&text, 64u * 1024u * 1024u);
    struct cpw_inventory *inv = NULL;
    if (cpw_buf_read_regular_file(&text, path) == 0) {
        inv = cpw_inventory_load_json(cpw_buf_span(&text));
    }
    cpw_buf_clean_up(&text);
    return inv;
}

static int s_publish(const struct args *a,
                     struct cpw_settings_options *sopts,
                     const struct cpw_metrics *m)
{
    struct cpw_cli_session session;
    cpw_cli_session_init(&session);
    int exit_code = cpw_cli_session_settings(&session, sopts);
    if (exit_code == CPW_EXIT_OK) {
        exit_code = cpw_cli_session_client_for(&session, "CloudWatch");
    }
    if (exit_code != CPW_EXIT_OK) {
        goto cleanup;
    }
    size_t sent = 0;
    if (cpw_metrics_publish_cloudwatch(session.client, m, a->cloudwatch, cpw_time_now_s(), &sent) !=
        0) {
        cpw_cli_print_last_error("CloudWatch");
        exit_code = cpw_cli_exit_for_error();
        goto cleanup;
    }
    fprintf(stderr, "cpwarden metrics: %zu metric data published to CloudWatch namespace %s\n",
            sent, a->cloudwatch);

cleanup:
    cpw_cli_session_clean_up(&session);
    return exit_code;
}

static int s_run(int argc, char **argv)
{
    struct args a;
    memset(&a, 0, sizeof(a));
    struct cpw_settings_options sopts;
    cpw_cli_aws_options_init(&sopts);
    int exit_code = s_parse(argc, argv, &a, &sopts);
    if (exit_code) {
        return exit_code;
    }
    if (a.output_file && cpw_file_refuse_link(a.output_file)) {
        return cpw_cli_usage_error("metrics", "--output-file: %s", cpw_last_error_detail());
    }
    exit_code = CPW_EXIT_OTHER;
    struct cpw_store *store = NULL;
    struct cpw_inventory *inv = NULL;
    struct cpw_store_snapshot_info *snaps = NULL;
    size_t snap_count = 0;
    struct cpw_journal_entry *journal = NULL;
    size_t journal_count = 0;
    const struct cpw_metrics_audit_source *audit_src = s_audit_source();
    struct cpw_metrics_audit audit = { 0 };
    bool have_audit = false;
    struct cpw_metrics *m = cpw_metrics_new();
    struct cpw_buf out;
    cpw_buf_init(&out, 256u * 1024u * 1024u);
    struct cpw_metrics_source src = { .now_s = cpw_time_now_s() };

    store = cpw_cli_store_open(a.state_dir, "state store");
    if (!store) {
        exit_code = CPW_EXIT_CONFIG;
        goto cleanup;
    }
    if (a.from_inventory) {
        inv = s_inventory_file(a.from_inventory);
    } else {
        inv = cpw_inventory_snapshot_load(store, a.snapshot_id);
        if (inv && s_snapshot_info(store, a.snapshot_id, &src, &snaps, &snap_count) != 0) {
            cpw_cli_print_last_error("state store");
            goto cleanup;
        }
    }
    if (!inv) {
        bool none = cpw_last_error() == CPW_ERR_NOT_FOUND && !a.from_inventory;
        cpw_cli_print_last_error(!none           ? NULL
                                 : a.snapshot_id ? "--snapshot"
                                                 : "no inventory snapshot (run 'cpwarden "
                                                   "inventory' first)");
        exit_code = none ? CPW_EXIT_FAILED : CPW_EXIT_OTHER;
        goto cleanup;
    }
    struct cpw_journal_filter filter = { 0 };
    if (cpw_journal_list(store, &filter, &journal, &journal_count) != 0) {
        cpw_cli_print_last_error("journal");
        goto cleanup;
    }
    if (audit_src) {
        int arc = audit_src->latest(audit_src->user, store, &audit);
        if (arc < 0) {
            cpw_cli_print_last_error("audit results");
            goto cleanup;
        }
        have_audit = arc == 0;
    }
    src.inv = inv;
    src.with_journal = true;
    src.journal = journal;
    src.journal_count = journal_count;
    src.audit = have_audit ? &audit : NULL;
    if (cpw_metrics_collect(m, &src) != 0) {
        cpw_cli_print_last_error(NULL);
        goto cleanup;
    }
    if (a.cloudwatch) {
        exit_code = s_publish(&a, &sopts, m);
        goto cleanup;
    }
    if (cpw_metrics_write_openmetrics(m, &out) != 0) {
        cpw_cli_print_last_error(NULL);
        goto cleanup;
    }
    if (a.output_file ? cpw_metrics_write_file(a.output_file, cpw_buf_span(&out))
                      : (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout))) {
        if (!a.output_file) {
            cpw_raise(CPW_ERR_IO, "cannot write to stdout");
        }
        cpw_cli_print_last_error(NULL);
        goto cleanup;
    }
    exit_code = CPW_EXIT_OK;

cleanup:
    if (have_audit && audit_src->release) {
        audit_src->release(audit_src->user, &audit);
    }
    cpw_buf_clean_up(&out);
    cpw_metrics_destroy(m);
    cpw_journal_entries_free(journal, journal_count);
    cpw_store_snapshot_list_free(snaps, snap_count);
    cpw_inventory_destroy(inv);
    cpw_store_destroy(store);
    return exit_code;
}

const struct cpw_cli_command cpw_cli_cmd_metrics = {
    .name = "metrics",
    .summary = "write inventory and audit metrics (OpenMetrics, or CloudWatch)",
    .help =
      "usage: cpwarden metrics [--state DIR] [--from-inventory FILE | --snapshot ID]\n"
      "                        [-o|--output-file FILE] [--cloudwatch NAMESPACE [AWS options]]\n"
      "\n"
      "Writes what the latest inventory snapshot (or the given one, or an inventory JSON file)\n"
      "says as OpenMetrics text, for the Prometheus node exporter's textfile collector:\n"
      "resources by kind, account and region; findings by kind, account, region and\n"
      "confidence; pending and failed service-linked role deletion tasks; scan errors; the\n"
      "scan's time, age and duration; the clean-up steps cpwarden apply journaled, by outcome;\n"
      "and the latest stored audit's violations when one is stored. docs/metrics.md lists\n"
      "every metric and label.\n"
      "\n"
      "  --state DIR              state directory (default $XDG_STATE_HOME/cpwarden)\n"
      "  --from-inventory FILE    an inventory JSON document (cpwarden inventory --output json)\n"
      "                           instead of the latest snapshot\n"
      "  --snapshot ID            that snapshot instead of the latest (see cpwarden snapshots)\n"
      "  -o, --output-file FILE   write there whole or not at all (a temporary file renamed\n"
      "                           over it, mode 0600) instead of stdout\n"
      "  --cloudwatch NAMESPACE   publish the same values with CloudWatch PutMetricData in the\n"
      "                           current region (dimensions Account, Region, Kind, Confidence,\n"
      "                           ...) instead of printing them\n"
      "\n" CPW_CLI_AWS_OPTIONS_HELP "\n"
      "Exit status: 0 success; 1 no snapshot stored yet; 252 invalid arguments; 253 the state\n"
      "store or the AWS configuration; 254 CloudWatch answered an error; 255 any other\n"
      "failure.\n"
      "\n"
      "Examples:\n"
      "  cpwarden metrics -o /var/lib/prometheus/node-exporter/cpwarden.prom\n"
      "  cpwarden metrics --cloudwatch Cpwarden --region eu-west-2\n",
    .run = s_run,
    .options = s_long,
    .formats = "openmetrics",
    .writes_file = true,
};
