/*
 * cmd_inventory.c - `cpwarden inventory`: scan the accounts and regions in scope for Connect
 * instances, Customer Profiles domains and the service-linked roles of both services, print the
 * inventory with its findings (or the changes since a snapshot), and store it as a snapshot.
 * The work is libcpw's (inventory_collect.h, inventory.h, store.h); this file parses arguments.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws_opts.h"
#include "cli.h"
#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/file.h"
#include "cpw/inventory.h"
#include "cpw/inventory_collect.h"
#include "cpw/inventory_diff.h"
#include "cpw/regions.h"
#include "cpw/store.h"
#include "session.h"

#define LIST_MAX 10000

enum {
    OPT_EVIDENCE = 1,
    OPT_OUTPUT_FILE,
    OPT_STATE,
    OPT_NO_SAVE,
    OPT_DIFF,
};

static const struct option s_long[] = {
    CPW_CLI_SCOPE_LONG_OPTIONS,
    { "evidence", required_argument, NULL, OPT_EVIDENCE },
    { "output-file", required_argument, NULL, OPT_OUTPUT_FILE },
    { "state", required_argument, NULL, OPT_STATE },
    { "no-save", no_argument, NULL, OPT_NO_SAVE },
    { "diff", optional_argument, NULL, OPT_DIFF },
    { "help", no_argument, NULL, 'h' },
    CPW_CLI_AWS_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

struct args {
    struct cpw_cli_scope scope;
    bool evidence_cloudtrail;
    const char *output_file;
    const char *state_dir;
    bool no_save;
    bool diff;
    int64_t diff_id; /* 0: the latest snapshot */
};

static bool s_digits(const char *s)
{
    uint64_t ignored = 0;
    return s && *s && cpw_span_to_u64(cpw_span_from_cstr(s), INT64_MAX, &ignored) == 0;
}

static int s_parse(int argc, char **argv, struct args *a, struct cpw_settings_options *sopts)
{
    cpw_cli_getopt_start();
    int c;
    while ((c = cpw_cli_getopt_scope("inventory", argc, argv, "ho:", s_long, sopts, &a->scope)) !=
           -1) {
        if (c == CPW_CLI_OPT_INVALID) {
            return CPW_EXIT_USAGE;
        }
        switch (c) {
        case OPT_EVIDENCE:
            if (!optarg || strcmp(optarg, "cloudtrail") != 0) {
                return cpw_cli_usage_error("inventory", "--evidence takes 'cloudtrail'");
            }
            a->evidence_cloudtrail = true;
            break;
        case 'o':
        case OPT_OUTPUT_FILE:
            a->output_file = optarg;
            break;
        case OPT_STATE:
            a->state_dir = optarg;
            break;
        case OPT_NO_SAVE:
            a->no_save = true;
            break;
        case OPT_DIFF: {
            a->diff = true;
            const char *id = optarg;
            if (!id && optind < argc && s_digits(argv[optind])) {
                id = argv[optind++]; /* --diff 12 as well as --diff=12 */
            }
            if (id) {
                uint64_t n = 0;
                if (cpw_span_to_u64(cpw_span_from_cstr(id), INT64_MAX, &n) || n == 0) {
                    return cpw_cli_usage_error("inventory", "--diff takes a snapshot id");
                }
                a->diff_id = (int64_t)n;
            }
            break;
        }
        default:
            return cpw_cli_option_error("inventory", s_long, argc, argv);
        }
    }
    if (optind < argc) {
        return cpw_cli_usage_error("inventory", "unexpected argument '%s'", argv[optind]);
    }
    return 0;
}

/* Progress on stderr (only when it is a terminal). */
static void s_progress(void *user, const struct cpw_collect_progress *p)
{
    (void)user;
    bool redraw = cpw_cli_terminal_redraws();
    if (!redraw && !p->finished) {
        return; /* a terminal that cannot redraw a line (TERM=dumb) gets the last line only */
    }
    char eta[32] = "?";
    if (p->remaining_ms >= 0) {
        snprintf(eta, sizeof(eta), "%.1fs", (double)p->remaining_ms / 1000.0);
    }
    fputs(redraw ? "\r\033[K" : "", stderr);
    fprintf(stderr,
            "accounts %zu/%zu  regions %zu/%zu  requests %llu  throttles %llu  "
            "errors %zu  %.1fs elapsed  %s left",
            p->accounts_done, p->accounts_total, p->regions_done, p->regions_total,
            (unsigned long long)p->requests, (unsigned long long)p->throttles, p->scan_errors,
            (double)p->elapsed_ms / 1000.0, eta);
    if (p->finished) {
        fputc('\n', stderr);
    }
    fflush(stderr);
}

static FILE *s_open_output(const char *path)
{
    /* Account data: 0600, and never written through a symbolic link planted at path. */
    int fd = cpw_file_open_private(path, O_WRONLY | O_CREAT | O_TRUNC);
    if (fd < 0) {
        return NULL;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        cpw_raise(CPW_ERR_IO, "cannot write %s", path);
    }
    return f;
}

static void s_scope(struct cpw_buf *out, const struct args *a, const struct cpw_region_list *rl)
{
    (void)cpw_buf_appendf(out, "accounts=%s",
                          a->scope.org              ? "org"
                          : a->scope.accounts.count ? ""
                                                    : "caller");
    for (size_t i = 0; !a->scope.org && i < a->scope.accounts.count; i++) {
        (void)cpw_buf_appendf(out, "%s%s", i ? "," : "", a->scope.accounts.names[i]);
    }
    (void)cpw_buf_append_cstr(out, " regions=");
    for (size_t i = 0; i < rl->count; i++) {
        (void)cpw_buf_appendf(out, "%s%s", i ? "," : "", rl->names[i]);
    }
}

/* --diff compares like with like: a scan of fewer regions or other accounts would show their
 * resources as removed. 0 when snapshot id (0: the latest) has scope; else a usage error. */
static int s_same_scope(struct cpw_store *store, int64_t id, const char *scope)
{
    struct cpw_store_snapshot_info *list = NULL;
    size_t count = 0;
    if (cpw_store_snapshot_list(store, 0, &list, &count)) {
        cpw_cli_print_last_error("--diff");
        return -1;
    }
    const struct cpw_store_snapshot_info *snap = NULL;
    for (size_t i = 0; i < count && !snap; i++) {
        snap = id == 0 || list[i].id == id ? &list[i] : NULL; /* newest first */
    }
    int rc = 0;
    if (snap && strcmp(snap->scope, scope) != 0) {
        cpw_cli_usage_error("inventory",
                            "--diff: snapshot %lld scanned %s, this scan covers %s; compare "
                            "scans of the same accounts and regions (see 'cpwarden snapshots')",
                            (long long)snap->id, snap->scope, scope);
        rc = -1;
    }
    cpw_store_snapshot_list_free(list, count);
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
    struct cpw_cli_session session;
    cpw_cli_session_init(&session);
    struct cpw_region_list regions = { 0 };
    struct cpw_inventory *inv = NULL;
    struct cpw_inventory *before = NULL;
    struct cpw_inventory_diff *diff = NULL;
    struct cpw_store *store = NULL;
    struct cpw_collect_result result = { 0 };
    FILE *out = NULL;
    struct cpw_buf scope;
    cpw_buf_init(&scope, 64 * 1024);
    if (exit_code) {
        goto cleanup;
    }
    /* Before a scan that may take minutes: a link at --output-file will be refused at the end. */
    if (a.output_file && cpw_file_refuse_link(a.output_file)) {
        exit_code = cpw_cli_usage_error("inventory", "--output-file: %s", cpw_last_error_detail());
        goto cleanup;
    }

    enum cpw_inv_format format =
      isatty(STDOUT_FILENO) && !a.output_file ? CPW_INV_FORMAT_TABLE : CPW_INV_FORMAT_JSON;
    if (sopts.output && cpw_inv_format_parse(sopts.output, &format)) {
        exit_code = cpw_cli_usage_error("inventory", "--output takes table, json, csv or markdown");
        goto cleanup;
    }
    exit_code = cpw_cli_session_settings(&session, &sopts);
    if (exit_code != CPW_EXIT_OK) {
        goto cleanup;
    }
    exit_code = cpw_cli_session_regions(&session, "inventory", a.scope.regions, &regions);
    if (exit_code != CPW_EXIT_OK) {
        goto cleanup;
    }
    struct cpw_aws_client_options *copts = &session.client_options;
    struct cpw_http_engine_options *eopts = &session.engine_options;
    if (!copts->region) {
        copts->region = regions.names[0];
    }
    cpw_cli_session_scan_retries(&session);
    eopts->max_host_connections = 32;
    eopts->max_total_connections = 128;
    exit_code = cpw_cli_session_client(&session);
    if (exit_code != CPW_EXIT_OK) {
        goto cleanup;
    }
    exit_code = CPW_EXIT_OTHER;
    if (!a.no_save || a.diff) {
        store = cpw_cli_store_open(a.state_dir, "state store");
        if (!store) {
            exit_code = CPW_EXIT_OTHER;
            goto cleanup;
        }
        if (a.diff) {
            before = cpw_inventory_snapshot_load(store, a.diff_id);
            if (!before) {
                cpw_cli_print_last_error(a.diff_id ? "--diff" : "--diff: no earlier snapshot");
                exit_code = cpw_last_error() == CPW_ERR_NOT_FOUND ? CPW_EXIT_USAGE : CPW_EXIT_OTHER;
                goto cleanup;
            }
            s_scope(&scope, &a, &regions);
            if (s_same_scope(store, a.diff_id, cpw_buf_cstr(&scope))) {
                exit_code = CPW_EXIT_USAGE;
                goto cleanup;
            }
        }
    }
    struct cpw_collect_options opts = {
        .org = a.scope.org,
        .role_name = a.scope.role_name,
        .accounts = (const char *const *)a.scope.accounts.names,
        .account_count = a.scope.accounts.count,
        .exclude_accounts = (const char *const *)a.scope.exclude.names,
        .exclude_count = a.scope.exclude.count,
        .regions = (const char *const *)regions.names,
        .region_count = regions.count,
        .evidence_cloudtrail = a.evidence_cloudtrail,
        .progress = cpw_cli_progress() ? s_progress : NULL,
    };
    inv = cpw_inventory_new();
    if (cpw_collect_inventory(session.client, &opts, inv, &result)) {
        cpw_cli_print_last_error(NULL);
        exit_code = cpw_cli_exit_for_error();
        goto cleanup;
    }
    cpw_buf_reset(&scope);
    s_scope(&scope, &a, &regions);
    if (store && !a.no_save) {
        int64_t id = 0;
        if (cpw_inventory_snapshot_save(store, inv, result.identity_arn, cpw_buf_cstr(&scope),
                                        &id)) {
            cpw_cli_print_last_error("saving the snapshot");
        } else if (isatty(STDERR_FILENO)) {
            fprintf(stderr, "snapshot %lld saved in %s\n", (long long)id, cpw_store_path(store));
        }
    }
    out = a.output_file ? s_open_output(a.output_file) : stdout;
    if (!out) {
        cpw_cli_print_last_error(NULL);
        goto cleanup;
    }
    struct cpw_inventory_write_options wopts = {
        .color = format == CPW_INV_FORMAT_TABLE && !a.output_file && cpw_cli_color(out),
    };
    int wrc = 0;
    if (before) {
        diff = cpw_inventory_diff_new(before, inv);
        wrc = cpw_inventory_diff_write_file(diff, format, &wopts, out);
    } else {
        wrc = cpw_inventory_write_file(inv, format, &wopts, out);
    }
    if (wrc || fflush(out)) {
        cpw_cli_print_last_error("writing the output");
        goto cleanup;
    }
    exit_code = cpw_inventory_error_count(inv) ? CPW_EXIT_PARTIAL : CPW_EXIT_OK;
    if (exit_code == CPW_EXIT_PARTIAL) {
        fprintf(stderr, "cpwarden inventory: %zu part(s) of the scan failed; see the errors\n",
                cpw_inventory_error_count(inv));
    }

cleanup:
    if (out && out != stdout && fclose(out) && exit_code == CPW_EXIT_OK) {
        exit_code = CPW_EXIT_OTHER;
    }
    cpw_inventory_diff_destroy(diff);
    cpw_inventory_destroy(before);
    cpw_inventory_destroy(inv);
    cpw_collect_result_clean_up(&result);
    cpw_store_destroy(store);
    cpw_cli_session_clean_up(&session); /* before regions: the client may name one */
    cpw_region_list_clean_up(&regions);
    cpw_cli_scope_clean_up(&a.scope);
    cpw_buf_clean_up(&scope);
    return exit_code;
}

const struct cpw_cli_command cpw_cli_cmd_inventory = {
    .name = "inventory",
    .summary = "find Connect instances, Customer Profiles domains and their roles",
    .help =
      "usage: cpwarden inventory [--org] [--role-name NAME] [--accounts A,B]\n"
      "                          [--exclude-accounts A,B] [--regions all|R1,R2]\n"
      "                          [--evidence cloudtrail] [--output table|json|csv|markdown]\n"
      "                          [-o|--output-file FILE] [--state DIR] [--no-save]\n"
      "                          [--diff [SNAPSHOT_ID]] [AWS options]\n"
      "\n"
      "Scans every account and region in scope, concurrently, for Amazon Connect instances,\n"
      "Customer Profiles domains and their integrations, and the service-linked roles of both\n"
      "services; links them and reports leftovers (findings) with their confidence and the\n"
      "evidence behind each. What could not be read (access denied, region not enabled,\n"
      "throttling beyond the retries, a role that cannot be assumed) is reported as a scan\n"
      "error and never turns into a certain orphan.\n"
      "\n"
      "  --org                   every ACTIVE account of the organization (from its management\n"
      "                          or a delegated administrator account), through AssumeRole\n"
      "  --role-name NAME        role assumed in member accounts\n"
      "                          (default OrganizationAccountAccessRole)\n"
      "  --accounts A,B          only these accounts (without --org: assumed one by one)\n"
      "  --exclude-accounts A,B  never these accounts\n"
      "  --regions all|R1,R2     default all: every region where Customer Profiles or Connect\n"
      "                          is offered in the current region's partition\n"
      "  --evidence cloudtrail   read CloudTrail (LookupEvents) to tie roles to domains\n"
      "  --output FORMAT         table, json, csv or markdown; default: table when stdout is a\n"
      "                          terminal, JSON otherwise (docs/inventory-schema.md)\n"
      "  -o, --output-file FILE  write there (mode 0600) instead of stdout; a symbolic link\n"
      "                          there is refused, never followed\n"
      "  --state DIR             state directory (default $XDG_STATE_HOME/cpwarden)\n"
      "  --no-save               do not store this run as a snapshot\n"
      "  --diff [SNAPSHOT_ID]    print the changes since the latest (or the given) snapshot\n"
      "                          instead of the inventory\n"
      "\n" CPW_CLI_AWS_OPTIONS_HELP "\n"
      "Requests stay within AWS's published rate for each operation, per account and region;\n"
      "retries are adaptive unless AWS_RETRY_MODE or the profile's retry_mode says otherwise.\n"
      "Progress goes to stderr when it is a terminal; stdout carries only the report.\n"
      "\n"
      "Exit status: 0 the whole scope was read; 3 part of the scan failed (the results are\n"
      "still printed, with the scan errors); 252 invalid arguments; 253 configuration or\n"
      "credentials; 255 any other failure.\n"
      "\n"
      "Examples:\n"
      "  cpwarden inventory --regions us-east-1,eu-west-2\n"
      "  cpwarden inventory --org --output json --output-file inventory.json\n"
      "  cpwarden inventory --diff\n",
    .run = s_run,
    .options = s_long,
    .formats = "table,json,csv,markdown",
    .writes_file = true,
};
