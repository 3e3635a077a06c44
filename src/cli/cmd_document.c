/*
 * cmd_document.c - `cpwarden document`: the runbook's documentation template filled in for one
 * domain or every domain of the chosen regions, as Markdown or JSON (document.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "aws_opts.h"
#include "cli.h"
#include "cpw/document.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/log.h"
#include "cpw/regions.h"
#include "cpw/store.h"
#include "cpw/time.h"
#include "session.h"

enum {
    OPT_DOMAIN = 1,
    OPT_ALL,
    OPT_REGIONS,
    OPT_STATE,
};

static const struct option s_long[] = {
    { "domain", required_argument, NULL, OPT_DOMAIN },
    { "all", no_argument, NULL, OPT_ALL },
    { "regions", required_argument, NULL, OPT_REGIONS },
    { "state", required_argument, NULL, OPT_STATE },
    { "help", no_argument, NULL, 'h' },
    CPW_CLI_AWS_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

static int s_run(int argc, char **argv)
{
    struct cpw_settings_options sopts;
    cpw_cli_aws_options_init(&sopts);
    const char *domain = NULL;
    const char *regions_spec = NULL;
    const char *state_dir = NULL;
    bool all = false;
    cpw_cli_getopt_start();
    int c;
    while ((c = cpw_cli_getopt("document", argc, argv, "h", s_long, &sopts)) != -1) {
        if (c == CPW_CLI_OPT_INVALID) {
            return CPW_EXIT_USAGE;
        }
        switch (c) {
        case OPT_DOMAIN:
            domain = optarg;
            break;
        case OPT_ALL:
            all = true;
            break;
        case OPT_REGIONS:
            regions_spec = optarg;
            break;
        case OPT_STATE:
            state_dir = optarg;
            break;
        default:
            return cpw_cli_option_error("document", s_long, argc, argv);
        }
    }
    if (optind != argc) {
        return cpw_cli_usage_error("document", "unexpected argument '%s'", argv[optind]);
    }
    if ((domain != NULL) == all) {
        return cpw_cli_usage_error("document", "give --domain NAME or --all");
    }
    if (regions_spec && !all) {
        return cpw_cli_usage_error("document", "--regions goes with --all");
    }
    bool json = false;
    if (sopts.output) {
        if (strcmp(sopts.output, "json") == 0) {
            json = true;
        } else if (strcmp(sopts.output, "markdown") != 0) {
            return cpw_cli_usage_error("document", "--output is markdown or json, not '%s'",
                                       sopts.output);
        }
        sopts.output = NULL; /* not the AWS CLI's table/json choice */
    }
    int exit_code = CPW_EXIT_OTHER;
    struct cpw_cli_session session;
    cpw_cli_session_init(&session);
    struct cpw_store *store = NULL;
    struct cpw_region_list regions = { 0 };
    json_t *docs = json_array();
    struct cpw_buf text;
    cpw_buf_init(&text, 64u * 1024u * 1024u);
    exit_code = cpw_cli_session_settings(&session, &sopts);
    if (exit_code != CPW_EXIT_OK) {
        goto cleanup;
    }
    if (regions_spec) {
        static const char *const services[] = { "customer-profiles" };
        struct cpw_regions_parse_options ropts = { .spec = regions_spec,
                                                   .services = services,
                                                   .service_count = 1,
                                                   .current_region = session.settings.region };
        if (cpw_regions_parse(&ropts, &regions)) {
            cpw_cli_print_last_error("--regions");
            exit_code = CPW_EXIT_USAGE;
            goto cleanup;
        }
    } else {
        cpw_region_list_add(&regions, session.settings.region);
    }
    exit_code = cpw_cli_session_client(&session);
    if (exit_code != CPW_EXIT_OK) {
        goto cleanup;
    }
    exit_code = CPW_EXIT_OTHER;
    store = cpw_store_open(&(struct cpw_store_options){ .dir = state_dir });
    if (!store) {
        cpw_log(CPW_LOG_WARN, "the backups index cannot be read: %s", cpw_last_error_detail());
    }
    struct cpw_document_options dopts = { .store = store };
    for (size_t i = 0; i < regions.count; i++) {
        if (cpw_document_region(session.client, regions.names[i], domain, &dopts, docs)) {
            cpw_cli_print_last_error(regions.names[i]);
            exit_code = cpw_last_error() == CPW_ERR_AWS || cpw_last_error() == CPW_ERR_NOT_FOUND
                          ? CPW_EXIT_SERVICE
                          : cpw_cli_exit_for_error();
            goto cleanup;
        }
    }
    /* Each document is recorded in the state store: `cpwarden audit` checks that every domain
     * has a current one (its documentation rule). */
    size_t di;
    json_t *doc;
    json_array_foreach(docs, di, doc)
    {
        struct cpw_buf one;
        cpw_buf_init(&one, 64u * 1024u * 1024u);
        if (store && (cpw_json_dump(doc, &one) ||
                      cpw_store_document_save(store, cpw_json_get_string(doc, "account"),
                                              cpw_json_get_string(doc, "region"),
                                              cpw_json_get_string(doc, "domain"), cpw_time_now_s(),
                                              cpw_buf_span(&one)))) {
            cpw_log(CPW_LOG_WARN, "the document record was not stored: %s",
                    cpw_last_error_detail());
        }
        cpw_buf_clean_up(&one);
    }
    if (json) {
        json_t *wrapped = json_pack("{s:i,s:O}", "format_version", 1, "domains", docs);
        (void)cpw_json_dump_stream(wrapped, CPW_JSON_DUMP_INDENT2 | CPW_JSON_DUMP_SORT_KEYS,
                                   stdout);
        fputc('\n', stdout);
        json_decref(wrapped);
    } else {
        if (cpw_document_markdown(docs, &text)) {
            cpw_cli_print_last_error(NULL);
            goto cleanup;
        }
        fwrite(text.data, 1, text.len, stdout);
    }
    exit_code = CPW_EXIT_OK;
cleanup:
    cpw_buf_clean_up(&text);
    json_decref(docs);
    cpw_region_list_clean_up(&regions);
    cpw_store_destroy(store);
    cpw_cli_session_clean_up(&session);
    return exit_code;
}

const struct cpw_cli_command cpw_cli_cmd_document = {
    .name = "document",
    .summary = "fill in the runbook's documentation template for Customer Profiles domains",
    .help =
      "usage: cpwarden document (--domain NAME | --all [--regions all|R1,R2]) [--region R]\n"
      "                         [--output markdown|json] [--state DIR] [AWS options]\n"
      "\n"
      "Fills in the runbook's documentation template for a domain: instance region; domain\n"
      "name and the Connect instances its integrations name, each with its status (GONE when\n"
      "the instance no longer exists); the domain's AWSServiceRoleForProfile_* role and how\n"
      "sure that link is (certain: CloudTrail; likely: creation time; possible: last use);\n"
      "a configuration summary; and the pre-deletion checklist (no ACTIVE instance uses the\n"
      "domain, profile count recorded, a backup exists in the backups index, role identified).\n"
      "\n"
      "  --domain NAME       the domain to document\n"
      "  --all               every domain of the region (or of --regions)\n"
      "  --regions SPEC      with --all: 'all' or a comma-separated list\n"
      "  --output FORMAT     markdown (default) or json\n"
      "  --state DIR         the state directory: the backups index, and where each\n"
      "                      document is recorded (for 'cpwarden audit')\n"
      "\n" CPW_CLI_AWS_OPTIONS_HELP "\n"
      "Exit status: 0 documented; 252 usage; 253 configuration; 254 a Customer Profiles call\n"
      "failed (IAM and CloudTrail failures only lower the role's confidence); 255 other.\n",
    .run = s_run,
    .options = s_long,
    .formats = "markdown,json",
};
