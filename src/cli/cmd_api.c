/*
 * cmd_api.c - `cpwarden api SERVICE OPERATION [JSON | --input-file F] [--paginate]`: call any
 * modeled operation and print its output as JSON, the way the AWS CLI prints it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "aws_opts.h"
#include "cli.h"
#include "cpw/aws_client.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/log.h"
#include "cpw/model.h"
#include "query.h"

#define INPUT_MAX_BYTES (16u * 1024u * 1024u)

enum {
    OPT_INPUT_FILE = 1,
    OPT_PAGINATE,
    OPT_MAX_PAGES,
    OPT_NO_VALIDATE,
};

static const struct option s_long[] = {
    { "input-file", required_argument, NULL, OPT_INPUT_FILE },
    { "paginate", no_argument, NULL, OPT_PAGINATE },
    { "max-pages", required_argument, NULL, OPT_MAX_PAGES },
    { "no-validate", no_argument, NULL, OPT_NO_VALIDATE },
    { "help", no_argument, NULL, 'h' },
    CPW_CLI_QUERY_LONG_OPTION,
    CPW_CLI_AWS_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

/* Parses the input JSON: an object, else a usage error naming the position. */
static json_t *s_parse_input(const char *text, size_t len, const char *origin)
{
    json_error_t err;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!doc) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT, "%s is not valid JSON: %s (line %d, column %d)", origin,
                  err.text, err.line, err.column);
        return NULL;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        cpw_raise(CPW_ERR_INVALID_ARGUMENT, "%s must be a JSON object ({...})", origin);
        return NULL;
    }
    return doc;
}

static int s_run(int argc, char **argv)
{
    struct cpw_settings_options sopts;
    cpw_cli_aws_options_init(&sopts);
    const char *input_file = NULL;
    bool paginate = false;
    bool validate = true;
    uint64_t max_pages = 0;
    const char *query_expr = NULL;
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", s_long, NULL)) != -1) {
        int handled = cpw_cli_aws_option("api", c, optarg, &sopts);
        if (handled < 0) {
            return CPW_EXIT_USAGE;
        }
        if (handled) {
            continue;
        }
        switch (c) {
        case OPT_INPUT_FILE:
            input_file = optarg;
            break;
        case OPT_PAGINATE:
            paginate = true;
            break;
        case CPW_CLI_OPT_QUERY:
            query_expr = optarg;
            break;
        case OPT_NO_VALIDATE:
            validate = false;
            break;
        case OPT_MAX_PAGES:
            if (cpw_span_to_u64(cpw_span_from_cstr(optarg), 1000000, &max_pages) ||
                max_pages == 0) {
                return cpw_cli_usage_error("api", "--max-pages takes a number from 1 to 1000000");
            }
            break;
        default:
            return cpw_cli_option_error("api", s_long, argc, argv);
        }
    }
    int rest = argc - optind;
    if (rest < 2 || rest > 3) {
        return cpw_cli_usage_error("api", "expected SERVICE OPERATION [JSON]");
    }
    const char *service = argv[optind];
    const char *operation = argv[optind + 1];
    const char *json_arg = rest == 3 ? argv[optind + 2] : NULL;
    if (json_arg && input_file) {
        return cpw_cli_usage_error("api", "give the input as JSON or --input-file, not both");
    }
    struct cpw_cli_query query = { 0 };
    if (query_expr && cpw_cli_query_set(&query, query_expr) != 0) {
        return CPW_EXIT_USAGE; /* before any call to AWS, as the AWS CLI */
    }

    int exit_code = CPW_EXIT_OTHER;
    json_t *input = NULL;
    json_t *output = NULL;
    struct cpw_settings settings;
    memset(&settings, 0, sizeof(settings));
    struct cpw_aws_client *client = NULL;
    struct cpw_aws_error aws;
    cpw_aws_error_init(&aws);
    struct cpw_buf file;
    cpw_buf_init(&file, INPUT_MAX_BYTES);

    if (input_file) {
        if (cpw_buf_read_file(&file, input_file)) {
            cpw_cli_print_last_error(NULL);
            exit_code = CPW_EXIT_USAGE;
            goto cleanup;
        }
        input = s_parse_input((const char *)file.data, file.len, input_file);
    } else {
        input =
          s_parse_input(json_arg ? json_arg : "{}", json_arg ? strlen(json_arg) : 2, "the input");
    }
    if (!input) {
        cpw_cli_print_last_error(NULL);
        exit_code = CPW_EXIT_USAGE;
        goto cleanup;
    }
    /* An unknown service or operation is a usage error, found before any credential or call
     * (the AWS CLI's "Invalid choice", 252). */
    const struct cpw_model_service *known = cpw_model_service_get(service);
    if (!known || !cpw_model_operation_resolve(known, operation)) {
        cpw_cli_print_last_error(NULL);
        exit_code = CPW_EXIT_USAGE;
        goto cleanup;
    }
    if (cpw_settings_resolve(&sopts, &settings)) {
        cpw_cli_print_last_error(NULL);
        exit_code = CPW_EXIT_CONFIG;
        goto cleanup;
    }
    struct cpw_aws_client_options copts;
    struct cpw_http_engine_options eopts;
    cpw_cli_client_options(&settings, &copts, &eopts);
    client = cpw_aws_client_new(&copts);
    if (!client) {
        cpw_cli_print_last_error(NULL);
        exit_code = cpw_cli_exit_for_error();
        goto cleanup;
    }
    struct cpw_aws_call call = {
        .service = service, .operation = operation, .input = input, .skip_validation = !validate
    };
    int rc = paginate
               ? cpw_aws_client_call_all_pages(client, &call, (unsigned)max_pages, &output, &aws)
               : cpw_aws_client_call(client, &call, &output, &aws);
    if (rc) {
        if (cpw_last_error() == CPW_ERR_AWS && aws.code) {
            struct cpw_buf line;
            cpw_buf_init(&line, 8192);
            const struct cpw_model_service *svc = cpw_model_service_get(service);
            const char *op = svc ? cpw_model_operation_resolve(svc, operation) : operation;
            (void)cpw_aws_error_format(&aws, op ? op : operation, &line);
            fprintf(stderr, "\n%s\n", cpw_buf_cstr(&line));
            cpw_buf_clean_up(&line);
            exit_code = CPW_EXIT_SERVICE;
        } else {
            if (cpw_last_error() == CPW_ERR_VALIDATION) {
                fprintf(stderr, "\n%s\n", cpw_last_error_detail());
            } else {
                cpw_cli_print_last_error(NULL);
            }
            exit_code = cpw_cli_exit_for_error();
        }
        goto cleanup;
    }
    /* As the AWS CLI: --query after pagination; everything but an empty object is printed. */
    if (cpw_cli_query_apply(&query, &output) != 0) {
        exit_code = CPW_EXIT_OTHER;
        goto cleanup;
    }
    if (!json_is_object(output) || json_object_size(output) > 0) {
        json_dumpf(output, stdout, JSON_INDENT(4) | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
        fputc('\n', stdout);
    }
    exit_code = CPW_EXIT_OK;

cleanup:
    json_decref(output);
    json_decref(input);
    cpw_aws_error_clean_up(&aws);
    cpw_aws_client_destroy(client);
    cpw_settings_clean_up(&settings);
    cpw_buf_clean_up(&file);
    cpw_cli_query_clean_up(&query);
    return exit_code;
}

const struct cpw_cli_command cpw_cli_cmd_api = {
    .name = "api",
    .summary = "call any modeled AWS operation and print its output as JSON",
    .help = "usage: cpwarden api SERVICE OPERATION [JSON | --input-file FILE] [--paginate]\n"
            "                    [--max-pages N] [--no-validate] [--query EXPR] [AWS options]\n"
            "\n"
            "Calls OPERATION of SERVICE with the input document JSON (member names as in the AWS\n"
            "API, e.g. '{\"DomainName\": \"d1\"}'; default {}) and prints the output as JSON.\n"
            "SERVICE: customer-profiles, connect, iam, sts, cloudtrail, organizations, sso,\n"
            "account.\n"
            "OPERATION: the API name (ListDomains) or the CLI's spelling (list-domains).\n"
            "\n"
            "  --input-file FILE   read the input document from FILE\n"
            "  --paginate          follow every page and merge the result lists\n"
            "  --max-pages N       stop after N pages (default 10000)\n"
            "  --no-validate       send input the model's constraints reject "
            "(testing)\n" CPW_CLI_QUERY_HELP "\n" CPW_CLI_AWS_OPTIONS_HELP "\n"
            "Exit status: 0 success; 252 invalid arguments or input; 253 configuration or\n"
            "credentials; 254 the service answered an error (printed as the AWS CLI prints it);\n"
            "255 any other failure.\n"
            "\n"
            "Examples: cpwarden api customer-profiles list-domains --region eu-west-1\n"
            "          cpwarden api iam list-roles --paginate \\\n"
            "            --query 'Roles[?starts_with(RoleName, `AWSServiceRole`)].RoleName'\n",
    .run = s_run,
    .formats = "json",
};
