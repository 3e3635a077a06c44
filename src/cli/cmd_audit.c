/*
 * cmd_audit.c - `cpwarden audit`: the runbook's best practices checked over a fresh scan (or a
 * stored inventory), reported as a table, JSON, Markdown, SARIF or JUnit, stored for --diff, with
 * an exit status for cron and CI (--fail-on). The work is libcpw's (audit.h, inventory_collect.h);
 * this file parses arguments.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_opts.h"
#include "cli.h"
#include "cpw/accounts.h"
#include "cpw/alloc.h"
#include "cpw/audit.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/file.h"
#include "cpw/inventory.h"
#include "cpw/inventory_collect.h"
#include "cpw/regions.h"
#include "cpw/store.h"
#include "cpw/time.h"
#include "query.h"
#include "session.h"

#define RULES_MAX_BYTES (1024u * 1024u)
#define INVENTORY_MAX   (64u * 1024u * 1024u)
#define OUTPUT_MAX      (256u * 1024u * 1024u)

enum {
    OPT_RULES = 1,
    OPT_FROM_INVENTORY,
    OPT_FAIL_ON,
    OPT_OUTPUT_FILE,
    OPT_STATE,
    OPT_NO_SAVE,
    OPT_DIFF,
};

static const struct option s_long[] = {
    CPW_CLI_SCOPE_LONG_OPTIONS,
    { "rules", required_argument, NULL, OPT_RULES },
    { "from-inventory", required_argument, NULL, OPT_FROM_INVENTORY },
    { "fail-on", required_argument, NULL, OPT_FAIL_ON },
    { "output-file", required_argument, NULL, OPT_OUTPUT_FILE },
    { "state", required_argument, NULL, OPT_STATE },
    { "no-save", no_argument, NULL, OPT_NO_SAVE },
    { "diff", no_argument, NULL, OPT_DIFF },
    { "help", no_argument, NULL, 'h' },
    CPW_CLI_QUERY_LONG_OPTION,
    CPW_CLI_AWS_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

struct args {
    struct cpw_cli_scope scope;
    const char *rules_file;
    const char *from_inventory;
    bool fail_on_given;
    enum cpw_audit_severity fail_on;
    const char *output_file;
    const char *state_dir;
    bool no_save;
    bool diff;
    const char *query;
};

static int s_parse(int argc, char **argv, struct args *a, struct cpw_settings_options *sopts)
{
    cpw_cli_getopt_start();
    int c;
    while ((c = cpw_cli_getopt_scope("audit", argc, argv, "ho:", s_long, sopts, &a->scope)) != -1) {
        switch (c) {
        case CPW_CLI_OPT_INVALID:
            return CPW_EXIT_USAGE;
        case OPT_RULES:
            a->rules_file = optarg;
            break;
        case OPT_FROM_INVENTORY:
            a->from_inventory = optarg;
            break;
        case OPT_FAIL_ON:
            if (cpw_audit_severity_parse(optarg, &a->fail_on)) {
                return cpw_cli_usage_error("audit", "--fail-on: %s", cpw_last_error_detail());
            }
            a->fail_on_given = true;
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
        case OPT_DIFF:
            a->diff = true;
            break;
        case CPW_CLI_OPT_QUERY:
            a->query = optarg;
            break;
        default:
            return cpw_cli_option_error("audit", s_long, argc, argv);
        }
    }
    if (optind < argc) {
        return cpw_cli_usage_error("audit", "unexpected argument '%s'", argv[optind]);
    }
    if (a->from_inventory &&
        (a->scope.org || a->scope.accounts.count || a->scope.exclude.count || a->scope.regions)) {
        return cpw_cli_usage_error("audit", "--from-inventory audits a stored scan: the scope "
                                            "options (--org, --accounts, --regions) do not apply");
    }
    return 0;
}

static FILE *s_open_output(const char *path)
{
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

/* --from-inventory FILE | snapshot | snapshot:ID */
static struct cpw_inventory *s_stored_inventory(const char *spec, struct cpw_store *store)
{
    if (strcmp(spec, "snapshot") == 0 || strncmp(spec, "snapshot:", 9) == 0) {
        uint64_t id = 0;
        if (spec[8] == ':' &&
            (cpw_span_to_u64(cpw_span_from_cstr(spec + 9), INT64_MAX, &id) || id == 0)) {
            cpw_raise(CPW_ERR_INVALID_ARGUMENT, "snapshot:ID takes a snapshot id");
            return NULL;
        }
        if (!store) {
            return NULL; /* the store's error is raised */
        }
        return cpw_inventory_snapshot_load(store, (int64_t)id);
    }
    struct cpw_buf text;
    cpw_buf_init(&text, INVENTORY_MAX);
    struct cpw_inventory *inv = NULL;
    if (cpw_buf_read_regular_file(&text, spec) == 0) {
        inv = cpw_inventory_load_json(cpw_buf_span(&text));
    }
    cpw_buf_clean_up(&text);
    return inv;
}

/* "accounts=A,B regions=R1,R2": what --diff compares like with like by. */
static void s_scope(const struct cpw_inventory *inv, struct cpw_buf *out)
{
    (void)cpw_buf_append_cstr(out, "accounts=");
    for (size_t i = 0; i < cpw_inventory_account_count(inv); i++) {
        (void)cpw_buf_appendf(out, "%s%s", i ? "," : "", cpw_inventory_account(inv, i));
    }
    (void)cpw_buf_append_cstr(out, " regions=");
    for (size_t i = 0; i < cpw_inventory_region_count(inv); i++) {
        (void)cpw_buf_appendf(out, "%s%s", i ? "," : "", cpw_inventory_region(inv, i));
    }
}

/* A fresh scan, then the facts the inventory does not carry. */
static int s_scan(const struct args *a,
                  const struct cpw_settings_options *sopts,
                  struct cpw_audit_facts *facts,
                  struct cpw_inventory **inv_out)
{
    struct cpw_cli_session session;
    cpw_cli_session_init(&session);
    struct cpw_region_list regions = { 0 };
    struct cpw_accounts *accounts = NULL;
    struct cpw_collect_result result = { 0 };
    struct cpw_inventory *inv = NULL;
    int exit_code = CPW_EXIT_OTHER;
    int prologue = cpw_cli_session_settings(&session, sopts);
    if (prologue != CPW_EXIT_OK) {
        exit_code = prologue;
        goto cleanup;
    }
    prologue = cpw_cli_session_regions(&session, "audit", a->scope.regions, &regions);
    if (prologue != CPW_EXIT_OK) {
        exit_code = prologue;
        goto cleanup;
    }
    struct cpw_aws_client_options *copts = &session.client_options;
    if (!copts->region) {
        copts->region = regions.names[0];
    }
    cpw_cli_session_scan_retries(&session);
    prologue = cpw_cli_session_client(&session);
    if (prologue != CPW_EXIT_OK) {
        exit_code = prologue;
        goto cleanup;
    }
    struct cpw_collect_options opts = {
        .org = a->scope.org,
        .role_name = a->scope.role_name,
        .accounts = (const char *const *)a->scope.accounts.names,
        .account_count = a->scope.accounts.count,
        .exclude_accounts = (const char *const *)a->scope.exclude.names,
        .exclude_count = a->scope.exclude.count,
        .regions = (const char *const *)regions.names,
        .region_count = regions.count,
    };
    inv = cpw_inventory_new();
    if (cpw_collect_inventory(session.client, &opts, inv, &result)) {
        cpw_cli_print_last_error(NULL);
        exit_code = cpw_cli_exit_for_error();
        goto cleanup;
    }
    struct cpw_accounts_options ao = {
        .caller = session.client,
        .client_options = copts,
        .caller_account = result.caller_account,
        .caller_arn = result.identity_arn,
        .role_name = a->scope.role_name,
    };
    accounts = cpw_accounts_new(&ao);
    if (!accounts) {
        cpw_cli_print_last_error(NULL);
        goto cleanup;
    }
    (void)cpw_audit_collect_facts(accounts, inv, copts->region, facts);
    *inv_out = inv;
    inv = NULL;
    exit_code = 0;
cleanup:
    cpw_inventory_destroy(inv);
    cpw_accounts_destroy(accounts);
    cpw_collect_result_clean_up(&result);
    cpw_cli_session_clean_up(&session); /* before the regions: the client may name one */
    cpw_region_list_clean_up(&regions);
    return exit_code;
}

static int s_run(int argc, char **argv)
{
    struct args a;
    memset(&a, 0, sizeof(a));
    struct cpw_settings_options sopts;
    cpw_cli_aws_options_init(&sopts);
    sopts.region_optional = true;
    int exit_code = s_parse(argc, argv, &a, &sopts);
    struct cpw_audit_rules *rules = NULL;
    struct cpw_audit_facts facts = { 0 };
    struct cpw_inventory *inv = NULL;
    struct cpw_store *store = NULL;
    struct cpw_cli_query query = { 0 };
    json_t *report = NULL;
    json_t *before = NULL;
    json_t *shown = NULL;
    FILE *out = NULL;
    struct cpw_buf text;
    cpw_buf_init(&text, OUTPUT_MAX);
    struct cpw_buf scope;
    cpw_buf_init(&scope, 64 * 1024);
    if (exit_code) {
        goto cleanup;
    }
    exit_code = CPW_EXIT_USAGE;
    enum cpw_audit_format format =
      isatty(STDOUT_FILENO) && !a.output_file ? CPW_AUDIT_FORMAT_TABLE : CPW_AUDIT_FORMAT_JSON;
    if (a.query && !sopts.output) {
        format = CPW_AUDIT_FORMAT_JSON;
    }
    if (sopts.output && cpw_audit_format_parse(sopts.output, &format)) {
        cpw_cli_usage_error("audit", "--output takes table, json, markdown, sarif or junit");
        goto cleanup;
    }
    sopts.output = NULL; /* not the AWS CLI's table/json choice */
    if (a.query && format != CPW_AUDIT_FORMAT_JSON) {
        cpw_cli_usage_error("audit", "--query applies to JSON: use --output json");
        goto cleanup;
    }
    if (a.diff && (format == CPW_AUDIT_FORMAT_SARIF || format == CPW_AUDIT_FORMAT_JUNIT)) {
        cpw_cli_usage_error("audit", "--diff prints table, json or markdown");
        goto cleanup;
    }
    if (a.query && cpw_cli_query_set(&query, a.query)) {
        goto cleanup;
    }
    if (a.output_file && cpw_file_refuse_link(a.output_file)) {
        cpw_cli_usage_error("audit", "--output-file: %s", cpw_last_error_detail());
        goto cleanup;
    }
    exit_code = CPW_EXIT_CONFIG;
    if (a.rules_file) {
        struct cpw_buf yaml;
        cpw_buf_init(&yaml, RULES_MAX_BYTES);
        if (cpw_buf_read_regular_file(&yaml, a.rules_file) == 0) {
            rules = cpw_audit_rules_load(cpw_buf_span(&yaml), a.rules_file);
        }
        cpw_buf_clean_up(&yaml);
        if (!rules) {
            cpw_cli_print_last_error("--rules");
            goto cleanup;
        }
    } else {
        rules = cpw_audit_rules_default();
    }
    exit_code = CPW_EXIT_OTHER;
    store = cpw_cli_store_open(a.state_dir, "state store");
    if (!store) {
        goto cleanup;
    }
    if (cpw_audit_read_documents(store, &facts)) {
        fprintf(stderr, "cpwarden audit: warning: documentation records: %s\n",
                cpw_last_error_detail());
    }
    if (!a.from_inventory && cpw_audit_read_deletion_tasks(store, &facts)) {
        fprintf(stderr, "cpwarden audit: warning: the journal's deletion tasks: %s\n",
                cpw_last_error_detail());
    }
    if (a.from_inventory) {
        inv = s_stored_inventory(a.from_inventory, store);
        if (!inv) {
            cpw_cli_print_last_error("--from-inventory");
            exit_code =
              cpw_last_error() == CPW_ERR_INVALID_ARGUMENT ? CPW_EXIT_USAGE : CPW_EXIT_OTHER;
            goto cleanup;
        }
        facts.trails_reason = "the audit ran over a stored inventory (--from-inventory): trails "
                              "are read by a fresh scan only";
    } else {
        exit_code = s_scan(&a, &sopts, &facts, &inv);
        if (exit_code) {
            goto cleanup;
        }
        exit_code = CPW_EXIT_OTHER;
    }
    report = cpw_audit_evaluate(rules, inv, &facts, cpw_time_now_s());
    s_scope(inv, &scope);
    if (a.diff) {
        before = cpw_audit_load_latest(store, cpw_buf_cstr(&scope));
        if (!before && cpw_last_error() != CPW_ERR_NOT_FOUND) {
            cpw_cli_print_last_error("--diff");
            goto cleanup;
        }
        if (!before) { /* the first audit of this scope: every violation is new */
            fprintf(stderr, "cpwarden audit: no earlier audit of %s: everything is new\n",
                    cpw_buf_cstr(&scope));
            before = json_pack("{s:s,s:O,s:[]}", "ran_at", "", "rules",
                               cpw_json_get(report, "rules"), "results");
        }
    }
    if (!a.no_save && cpw_audit_save(store, report, cpw_buf_cstr(&scope), NULL)) {
        cpw_cli_print_last_error("saving the audit");
    }
    shown = before ? cpw_audit_diff(before, report) : json_incref(report);
    if (a.query) {
        if (cpw_cli_query_apply(&query, &shown)) {
            goto cleanup;
        }
        if (cpw_json_dump_document(shown, &text)) {
            cpw_cli_print_last_error(NULL);
            goto cleanup;
        }
    } else if (before ? cpw_audit_diff_write(shown, format, &text)
                      : cpw_audit_write(shown, format, &text)) {
        cpw_cli_print_last_error("writing the report");
        goto cleanup;
    }
    out = a.output_file ? s_open_output(a.output_file) : stdout;
    if (!out) {
        cpw_cli_print_last_error(NULL);
        goto cleanup;
    }
    if (fwrite(text.data, 1, text.len, out) != text.len || fflush(out)) {
        cpw_cli_print_last_error("writing the output");
        goto cleanup;
    }
    exit_code = CPW_EXIT_OK;
    if (cpw_inventory_error_count(inv)) {
        fprintf(stderr, "cpwarden audit: %zu part(s) of the scan failed; see the inventory\n",
                cpw_inventory_error_count(inv));
        exit_code = CPW_EXIT_PARTIAL;
    }
    if (a.fail_on_given) {
        size_t n = cpw_audit_count_at_least(report, a.fail_on);
        if (n) {
            fprintf(stderr, "cpwarden audit: %zu violation(s) at or above %s\n", n,
                    cpw_audit_severity_name(a.fail_on));
            exit_code = CPW_EXIT_VIOLATIONS;
        }
    }

cleanup:
    if (out && out != stdout && fclose(out) && exit_code == CPW_EXIT_OK) {
        exit_code = CPW_EXIT_OTHER;
    }
    cpw_json_release(shown);
    cpw_json_release(before);
    cpw_json_release(report);
    cpw_cli_query_clean_up(&query);
    cpw_store_destroy(store);
    cpw_inventory_destroy(inv);
    cpw_audit_facts_clean_up(&facts);
    cpw_audit_rules_destroy(rules);
    cpw_cli_scope_clean_up(&a.scope);
    cpw_buf_clean_up(&text);
    cpw_buf_clean_up(&scope);
    return exit_code;
}

const struct cpw_cli_command cpw_cli_cmd_audit = {
    .name = "audit",
    .summary = "check the organization against best-practice rules (YAML)",
    .help =
      "usage: cpwarden audit [--org] [--role-name NAME] [--accounts A,B]\n"
      "                      [--exclude-accounts A,B] [--regions all|R1,R2]\n"
      "                      [--from-inventory FILE|snapshot[:ID]] [--rules FILE]\n"
      "                      [--fail-on SEVERITY] [--diff] [--no-save] [--state DIR]\n"
      "                      [--output table|json|markdown|sarif|junit] [--query EXPR]\n"
      "                      [-o|--output-file FILE] [AWS options]\n"
      "\n"
      "Evaluates the runbook's practices as rules over a fresh scan (the same scan as\n"
      "'cpwarden inventory', plus each account's trails, each domain's GetDomain and each\n"
      "instance's tags) or over a stored inventory, and reports every violation with the\n"
      "resource, the evidence and the fix. Built-in rules: leftovers, naming, tagging,\n"
      "cloudtrail, domain-kms-key, domain-dead-letter-queue, domain-expiration, domain-empty,\n"
      "domain-owner-tag, role-unused, role-deletion-task, least-privilege, documentation\n"
      "(docs/audit.md). A rule that lacks its facts says 'not evaluated' and why. Each\n"
      "report is stored in the state directory for the next --diff.\n"
      "\n"
      "  --org, --role-name, --accounts, --exclude-accounts, --regions\n"
      "                          what to scan, as for 'cpwarden inventory'\n"
      "  --from-inventory SRC    audit a stored scan instead: an inventory JSON file, or\n"
      "                          'snapshot' (the latest) / 'snapshot:ID' from the state store\n"
      "  --rules FILE            YAML rules over the built-in defaults (docs/audit.md)\n"
      "  --fail-on SEVERITY      exit 5 when a violation is at or above SEVERITY\n"
      "                          (info, low, medium, high, critical)\n"
      "  --diff                  print what is new and what was fixed since the last audit of\n"
      "                          the same accounts and regions (the first: everything is new)\n"
      "  --no-save               do not store this report\n"
      "  --state DIR             state directory (default $XDG_STATE_HOME/cpwarden)\n"
      "  --output FORMAT         table, json, markdown, sarif (SARIF 2.1.0) or junit (JUnit\n"
      "                          XML); default: table on a terminal, JSON otherwise\n"
      "  --query EXPR            JMESPath applied to the JSON report (or --diff) before it is\n"
      "                          printed, as the AWS CLI's --query (implies --output json)\n"
      "  -o, --output-file FILE  write there (mode 0600) instead of stdout\n"
      "\n" CPW_CLI_AWS_OPTIONS_HELP "\n"
      "Exit status: 0 audited (violations below --fail-on, or no --fail-on); 3 part of the\n"
      "scan failed; 5 a violation at or above --fail-on; 252 invalid arguments; 253\n"
      "configuration, credentials or an invalid rules file; 255 any other failure.\n"
      "\n"
      "Examples:\n"
      "  cpwarden audit --org --rules strict.yaml --fail-on high\n"
      "  cpwarden audit --output sarif -o audit.sarif\n"
      "  cpwarden audit --from-inventory snapshot --output junit -o audit.xml\n"
      "  cpwarden audit --diff\n",
    .run = s_run,
    .options = s_long,
    .formats = "table,json,markdown,sarif,junit",
    .writes_file = true,
};
