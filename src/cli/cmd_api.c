/*
 * cmd_api.c - `cpwarden api SERVICE OPERATION [--param value ...]`: call any modeled operation
 * and print its output as JSON, text or table, the way the AWS CLI v2 prints it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "api_params.h"
#include "aws_opts.h"
#include "cli.h"
#include "cpw/alloc.h"
#include "cpw/aws_client.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/log.h"
#include "cpw/model.h"
#include "cpw/render.h"
#include "query.h"
#include "session.h"

#define INPUT_MAX_BYTES  (16u * 1024u * 1024u)
#define OUTPUT_MAX_BYTES ((size_t)256 * 1024 * 1024)

enum {
    OPT_INPUT_FILE = 1,
    OPT_PAGINATE,
    OPT_NO_PAGINATE,
    OPT_MAX_PAGES,
    OPT_NO_VALIDATE,
    OPT_CLI_INPUT_JSON,
    OPT_SKELETON,
    OPT_PAGE_SIZE,
    OPT_MAX_ITEMS,
    OPT_STARTING_TOKEN,
};

static const struct option s_long[] = {
    { "input-file", required_argument, NULL, OPT_INPUT_FILE },
    { "paginate", no_argument, NULL, OPT_PAGINATE },
    { "no-paginate", no_argument, NULL, OPT_NO_PAGINATE },
    { "cli-input-json", required_argument, NULL, OPT_CLI_INPUT_JSON },
    { "generate-cli-skeleton", no_argument, NULL, OPT_SKELETON },
    { "page-size", required_argument, NULL, OPT_PAGE_SIZE },
    { "max-items", required_argument, NULL, OPT_MAX_ITEMS },
    { "starting-token", required_argument, NULL, OPT_STARTING_TOKEN },
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
    json_t *doc = NULL;
    (void)cpw_json_load_ex(cpw_span_from(text, len), SIZE_MAX, CPW_JSON_LOAD_CONTAINER, &doc, &err);
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

/* The option of table that word names ("--region", "--region=x"), or NULL. */
static const struct option *s_known(const char *word)
{
    static const struct option short_help = { "help", no_argument, NULL, 'h' };
    if (strcmp(word, "-h") == 0) {
        return &short_help; /* takes no value (main shows the help before this runs) */
    }
    if (strncmp(word, "--", 2) != 0) {
        return NULL;
    }
    size_t len = strcspn(word + 2, "=");
    for (size_t i = 0; s_long[i].name; i++) {
        if (strlen(s_long[i].name) == len && strncmp(s_long[i].name, word + 2, len) == 0) {
            return &s_long[i];
        }
    }
    return NULL;
}

/* Splits argv into cpwarden's own words (options and positionals, for getopt_long) and the
 * operation's parameter flags with their values (`--domain-name X`), which only the model can
 * name. Both arrays borrow argv's strings; each holds argc + 1 slots. */
static void s_split(int argc,
                    char **argv,
                    char **own,
                    int *own_count,
                    char **params,
                    int *param_count)
{
    *own_count = 0;
    *param_count = 0;
    own[(*own_count)++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const struct option *known = s_known(argv[i]);
        if (known || strncmp(argv[i], "--", 2) != 0 || strcmp(argv[i], "--") == 0) {
            own[(*own_count)++] = argv[i];
            if (known && known->has_arg == required_argument && !strchr(argv[i], '=') &&
                i + 1 < argc) {
                own[(*own_count)++] = argv[++i];
            }
            continue;
        }
        params[(*param_count)++] = argv[i]; /* a parameter flag and the words after it */
        while (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) {
            params[(*param_count)++] = argv[++i];
        }
    }
    own[*own_count] = NULL;
    params[*param_count] = NULL;
}

struct api_args {
    const char *service;
    const char *operation;
    const char *json_arg;
    const char *input_file;
    const char *cli_input_json;
    int paginate; /* -1: as the AWS CLI, every page when the operation has a paginator */
    bool skeleton;
    bool validate;
    uint64_t max_pages;
    uint64_t page_size;         /* the paginator's limit_key; 0: not given */
    uint64_t max_items;         /* a cap on the items of every page together; 0: none */
    const char *starting_token; /* the paginator's input_token */
    const char *query_expr;
};

/* getopt_long over cpwarden's own words; 0, or an exit code (the usage error printed). */
static int s_parse(int argc, char **argv, struct api_args *a, struct cpw_settings_options *sopts)
{
    cpw_cli_getopt_start();
    int c;
    while ((c = cpw_cli_getopt("api", argc, argv, "h", s_long, sopts)) != -1) {
        switch (c) {
        case CPW_CLI_OPT_INVALID:
            return CPW_EXIT_USAGE;
        case OPT_INPUT_FILE:
            a->input_file = optarg;
            break;
        case OPT_CLI_INPUT_JSON:
            a->cli_input_json = optarg;
            break;
        case OPT_PAGINATE:
            a->paginate = 1;
            break;
        case OPT_NO_PAGINATE:
            a->paginate = 0;
            break;
        case OPT_SKELETON:
            a->skeleton = true;
            break;
        case OPT_PAGE_SIZE:
        case OPT_MAX_ITEMS:
            if (cpw_span_to_u64(cpw_span_from_cstr(optarg), 100000000,
                                c == OPT_PAGE_SIZE ? &a->page_size : &a->max_items) ||
                (c == OPT_PAGE_SIZE ? a->page_size : a->max_items) == 0) {
                return cpw_cli_usage_error("api", "--%s takes a positive number",
                                           c == OPT_PAGE_SIZE ? "page-size" : "max-items");
            }
            break;
        case OPT_STARTING_TOKEN:
            a->starting_token = optarg;
            break;
        case CPW_CLI_OPT_QUERY:
            a->query_expr = optarg;
            break;
        case OPT_NO_VALIDATE:
            a->validate = false;
            break;
        case OPT_MAX_PAGES:
            if (cpw_span_to_u64(cpw_span_from_cstr(optarg), 1000000, &a->max_pages) ||
                a->max_pages == 0) {
                return cpw_cli_usage_error("api", "--max-pages takes a number from 1 to 1000000");
            }
            break;
        default:
            return cpw_cli_option_error("api", s_long, argc, argv);
        }
    }
    int rest = argc - optind;
    if (rest < 2 || rest > 3) {
        return cpw_cli_usage_error("api", "expected SERVICE OPERATION [JSON] [--param value ...]");
    }
    a->service = argv[optind];
    a->operation = argv[optind + 1];
    a->json_arg = rest == 3 ? argv[optind + 2] : NULL;
    if ((a->json_arg != NULL) + (a->input_file != NULL) + (a->cli_input_json != NULL) > 1) {
        return cpw_cli_usage_error("api", "give the input once: as JSON, --input-file or "
                                          "--cli-input-json");
    }
    return 0;
}

/* The input document: JSON (argument, --input-file, --cli-input-json with file://), then the
 * parameter flags over it. NULL with the error raised. */
static json_t *s_input(const struct api_args *a,
                       const struct cpw_model_service *svc,
                       const char *operation,
                       int param_count,
                       char **params)
{
    json_t *input = NULL;
    char *text = NULL;
    struct cpw_buf file;
    cpw_buf_init(&file, INPUT_MAX_BYTES);
    if (a->input_file) {
        if (cpw_buf_read_file(&file, a->input_file) == 0) {
            input = s_parse_input((const char *)file.data, file.len, a->input_file);
        }
    } else if (a->cli_input_json) {
        if (cpw_cli_api_file_value(a->cli_input_json, &text) == 0) {
            const char *doc = text ? text : a->cli_input_json;
            input = s_parse_input(doc, strlen(doc), "--cli-input-json");
        }
    } else {
        const char *doc = a->json_arg ? a->json_arg : "{}";
        input = s_parse_input(doc, strlen(doc), "the input");
    }
    cpw_free(text);
    cpw_buf_clean_up(&file);
    if (input && cpw_cli_api_params(svc, operation, param_count, params, input)) {
        json_decref(input);
        input = NULL;
    }
    return input;
}

/* --page-size into the paginator's limit_key member. */
static int s_pagination_input(const json_t *paginator, const struct api_args *a, json_t *input)
{
    const char *limit_key = json_string_value(json_object_get(paginator, "limit_key"));
    if (a->page_size) {
        if (!limit_key) {
            return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "this operation takes no page size");
        }
        json_object_set_new(input, limit_key, json_integer((json_int_t)a->page_size));
    }
    return 0;
}

/* Paging off (--no-paginate, or a paginator member given by hand): as the AWS CLI, --max-items,
 * --page-size and --starting-token are then the operation's own MaxItems, PageSize and
 * StartingToken members where it has them (IAM's MaxItems), and an error otherwise. */
static int s_unpaged_arguments(const struct cpw_model_service *svc,
                               const char *operation,
                               struct api_args *a,
                               json_t *input)
{
    const json_t *members = json_object_get(cpw_model_input_shape(svc, operation), "members");
    struct {
        const char *flag;
        const char *member;
        bool given;
        json_t *value;
    } args[] = {
        { "--starting-token", "StartingToken", a->starting_token != NULL,
          a->starting_token ? json_string(a->starting_token) : NULL },
        { "--page-size", "PageSize", a->page_size != 0,
          a->page_size ? json_integer((json_int_t)a->page_size) : NULL },
        { "--max-items", "MaxItems", a->max_items != 0,
          a->max_items ? json_integer((json_int_t)a->max_items) : NULL },
    };
    char refused[96] = "";
    for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
        if (args[i].given && json_object_get(members, args[i].member)) {
            cpw_json_set_take(input, args[i].member, args[i].value);
            args[i].value = NULL;
        } else if (args[i].given) {
            size_t used = strlen(refused);
            snprintf(refused + used, sizeof(refused) - used, "%s%s", used ? ", " : "",
                     args[i].flag);
        }
        json_decref(args[i].value);
    }
    a->starting_token = NULL;
    a->page_size = 0;
    a->max_items = 0;
    if (refused[0]) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                         "Cannot specify --no-paginate along with pagination arguments: %s",
                         refused);
    }
    return 0;
}

/* True when input already holds one of the paginator's input tokens or its limit key. */
static bool s_manual_paging(const json_t *paginator, const json_t *input)
{
    const char *names[] = { "input_token", "limit_key" };
    for (size_t n = 0; n < 2; n++) {
        const json_t *keys = json_object_get(paginator, names[n]);
        size_t count = json_is_array(keys) ? json_array_size(keys) : keys ? 1 : 0;
        for (size_t k = 0; k < count; k++) {
            const char *key = json_is_array(keys) ? json_string_value(json_array_get(keys, k))
                                                  : json_string_value(keys);
            if (key && json_object_get(input, key)) {
                return true;
            }
        }
    }
    return false;
}

/* The output format: --output, AWS_DEFAULT_OUTPUT or the profile's output when it is one of
 * json, text or table (yaml is written as text); JSON, the AWS CLI's default, otherwise. */
static enum cpw_output_format s_format(const struct cpw_settings *settings)
{
    if (settings->output_origin.source == CPW_SETTING_DEFAULT) {
        return CPW_OUTPUT_JSON;
    }
    switch (settings->output) {
    case CPW_OUTPUT_TEXT:
    case CPW_OUTPUT_TABLE:
        return settings->output;
    case CPW_OUTPUT_JSON:
    case CPW_OUTPUT_CSV:
    case CPW_OUTPUT_MARKDOWN:
        break;
    }
    return CPW_OUTPUT_JSON;
}

/* What the AWS CLI's text output shows of a page of a paginated answer: the paginator's result
 * keys (null when the page had none) and, on the first page only, its non_aggregate_keys; not
 * the page markers. A new object (values shared with page). */
static json_t *s_text_page_view(const json_t *paginator, const json_t *page, bool first)
{
    if (!json_is_object(page)) {
        return json_incref((json_t *)page);
    }
    json_t *view = json_object();
    const char *names[] = { "non_aggregate_keys", "result_key" };
    for (size_t n = first ? 0 : 1; n < 2; n++) {
        const json_t *keys = json_object_get(paginator, names[n]);
        size_t count = json_is_array(keys) ? json_array_size(keys) : keys ? 1 : 0;
        for (size_t k = 0; k < count; k++) {
            const char *key = json_is_array(keys) ? json_string_value(json_array_get(keys, k))
                                                  : json_string_value(keys);
            json_t *value = key ? json_object_get(page, key) : NULL;
            if (key && (value || n == 1)) {
                json_object_set(view, key, value ? value : json_null());
            }
        }
    }
    return view;
}

/* Text output page by page, as the AWS CLI writes it: each page's view queried and printed as
 * it arrives (so `--query 'Roles[].RoleName'` prints one line per page, as there). */
struct text_pages {
    const json_t *paginator;
    const struct cpw_cli_query *query;
    unsigned pages;
    bool failed;
};

static int s_print_rendered(const json_t *output, enum cpw_output_format format, const char *title);

static void s_text_page(void *user, const json_t *page)
{
    struct text_pages *tp = user;
    if (tp->failed) {
        return;
    }
    json_t *view = s_text_page_view(tp->paginator, page, tp->pages == 0);
    tp->pages++;
    if (cpw_cli_query_apply(tp->query, &view) != 0) {
        tp->failed = true;
        return;
    }
    tp->failed = s_print_rendered(view, CPW_OUTPUT_TEXT, NULL) != CPW_EXIT_OK;
    json_decref(view);
}

/* The terminal's width in columns, or 80 when stdout is not a terminal (as the AWS CLI). */
static size_t s_terminal_width(void)
{
    struct winsize ws;
    if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0) {
        return 80;
    }
    return ws.ws_col;
}

/* Prints output as the AWS CLI's text or table; the exit code. */
static int s_print_rendered(const json_t *output, enum cpw_output_format format, const char *title)
{
    struct cpw_buf text;
    cpw_buf_init(&text, OUTPUT_MAX_BYTES);
    struct cpw_render_table_options topts = {
        .title = title,
        .terminal_width = s_terminal_width(),
        .color = cpw_cli_color(stdout),
    };
    int rc = format == CPW_OUTPUT_TABLE ? cpw_render_table(output, &topts, &text)
                                        : cpw_render_text(output, &text);
    if (rc) {
        cpw_buf_clean_up(&text);
        cpw_cli_print_last_error(NULL);
        return CPW_EXIT_OTHER;
    }
    if (text.len) {
        fwrite(text.data, 1, text.len, stdout);
    }
    cpw_buf_clean_up(&text);
    return CPW_EXIT_OK;
}

static int s_run(int argc, char **argv)
{
    struct cpw_settings_options sopts;
    cpw_cli_aws_options_init(&sopts);
    struct api_args a = { .paginate = -1, .validate = true };
    char **own = cpw_calloc((size_t)argc + 1, sizeof(*own));
    char **params = cpw_calloc((size_t)argc + 1, sizeof(*params));
    int own_count = 0;
    int param_count = 0;
    s_split(argc, argv, own, &own_count, params, &param_count);
    int usage = s_parse(own_count, own, &a, &sopts);
    if (usage) {
        cpw_free(own);
        cpw_free(params);
        return usage;
    }
    const char *service = a.service;
    const char *operation = a.operation;
    struct cpw_cli_query query = { 0 };
    if (a.query_expr && cpw_cli_query_set(&query, a.query_expr) != 0) {
        cpw_free(own);
        cpw_free(params);
        return CPW_EXIT_USAGE; /* before any call to AWS, as the AWS CLI */
    }

    int exit_code = CPW_EXIT_OTHER;
    json_t *input = NULL;
    json_t *output = NULL;
    struct cpw_cli_session session;
    cpw_cli_session_init(&session);
    struct cpw_aws_error aws;
    cpw_aws_error_init(&aws);

    /* An unknown service or operation is a usage error, found before any credential or call
     * (the AWS CLI's "Invalid choice", 252); so are unknown parameters and bad values. */
    const struct cpw_model_service *known = cpw_model_service_get(service);
    const char *resolved = known ? cpw_model_operation_resolve(known, operation) : NULL;
    if (!resolved) {
        cpw_cli_print_last_error(NULL);
        exit_code = CPW_EXIT_USAGE;
        goto cleanup;
    }
    if (a.skeleton) { /* as the AWS CLI: the input's shape, nothing sent */
        json_t *skeleton = cpw_cli_api_skeleton(known, resolved);
        (void)cpw_json_dump_stream(skeleton, CPW_JSON_DUMP_INDENT4 | CPW_JSON_DUMP_ASCII, stdout);
        fputc('\n', stdout);
        json_decref(skeleton);
        exit_code = CPW_EXIT_OK;
        goto cleanup;
    }
    input = s_input(&a, known, resolved, param_count, params);
    if (!input) {
        cpw_cli_usage_error("api", "%s", cpw_last_error_detail());
        exit_code = CPW_EXIT_USAGE;
        goto cleanup;
    }
    const json_t *paginator = cpw_model_paginator(known, resolved);
    if ((a.page_size || a.max_items || a.starting_token) && !paginator) {
        exit_code = cpw_cli_usage_error("api",
                                        "--page-size, --max-items and --starting-token are for "
                                        "operations that page; %s does not",
                                        resolved);
        goto cleanup;
    }
    /* As the AWS CLI: the paginator's own token or limit given as a parameter (--max-results,
     * --next-token, --marker, or in the JSON input) means the caller pages by hand. */
    bool manual_paging = s_manual_paging(paginator, input);
    bool paginate = a.paginate == 1 || (a.paginate < 0 && paginator && !manual_paging);
    if (!paginate && s_unpaged_arguments(known, resolved, &a, input) != 0) {
        exit_code = cpw_cli_usage_error("api", "%s", cpw_last_error_detail());
        goto cleanup;
    }
    if (paginate && s_pagination_input(paginator, &a, input)) {
        exit_code = cpw_cli_usage_error("api", "%s", cpw_last_error_detail());
        goto cleanup;
    }
    bool validate = a.validate;
    uint64_t max_pages = a.max_pages;
    int prologue = cpw_cli_session_settings(&session, &sopts);
    if (prologue == CPW_EXIT_OK) {
        prologue = cpw_cli_session_client(&session);
    }
    if (prologue != CPW_EXIT_OK) {
        exit_code = prologue;
        goto cleanup;
    }
    struct cpw_aws_call call = {
        .service = service,
        .operation = operation,
        .input = input,
        .skip_validation = !validate,
        .max_items = a.max_items,
        .starting_token = a.starting_token,
    };
    enum cpw_output_format format = s_format(&session.settings);
    struct text_pages pages = { .paginator = paginator, .query = &query };
    if (format == CPW_OUTPUT_TEXT && paginate && paginator) {
        call.on_page = s_text_page; /* printed as the pages arrive */
        call.page_user = &pages;
    }
    int rc = paginate ? cpw_aws_client_call_all_pages(session.client, &call, (unsigned)max_pages,
                                                      &output, &aws)
                      : cpw_aws_client_call(session.client, &call, &output, &aws);
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
    if (pages.pages) {
        const json_t *resume = cpw_json_get(output, "NextToken");
        if (!pages.failed && resume && paginator) {
            /* As the AWS CLI: after the pages, {"NextToken": {"NextToken": T}}, queried too. */
            json_t *tail = json_pack("{s:{s:O}}", "NextToken", "NextToken", resume);
            pages.failed = cpw_cli_query_apply(&query, &tail) != 0 ||
                           s_print_rendered(tail, CPW_OUTPUT_TEXT, NULL) != CPW_EXIT_OK;
            json_decref(tail);
        }
        exit_code = pages.failed ? CPW_EXIT_OTHER : CPW_EXIT_OK;
        goto cleanup;
    }
    /* As the AWS CLI: --query after pagination; everything but an empty object is printed. */
    if (cpw_cli_query_apply(&query, &output) != 0) {
        exit_code = CPW_EXIT_OTHER;
        goto cleanup;
    }
    if (format != CPW_OUTPUT_JSON) {
        exit_code = s_print_rendered(output, format, resolved);
        goto cleanup;
    }
    if (!json_is_object(output) || json_object_size(output) > 0) {
        (void)cpw_json_dump_stream(output, CPW_JSON_DUMP_INDENT4 | CPW_JSON_DUMP_ASCII, stdout);
        fputc('\n', stdout);
    }
    exit_code = CPW_EXIT_OK;

cleanup:
    json_decref(output);
    json_decref(input);
    cpw_aws_error_clean_up(&aws);
    cpw_cli_session_clean_up(&session);
    cpw_cli_query_clean_up(&query);
    cpw_free(own);
    cpw_free(params);
    return exit_code;
}

const struct cpw_cli_command cpw_cli_cmd_api = {
    .name = "api",
    .summary = "call any modeled AWS operation and print its output as JSON, text or table",
    .help =
      "usage: cpwarden api SERVICE OPERATION [--param value ...] [JSON | --input-file FILE |\n"
      "                    --cli-input-json JSON|file://F] [--generate-cli-skeleton]\n"
      "                    [--no-paginate] [--page-size N] [--max-items N] [--starting-token T]\n"
      "                    [--max-pages N] [--no-validate] [--query EXPR]\n"
      "                    [--output json|text|table] [--debug] [AWS options]\n"
      "\n"
      "Calls OPERATION of SERVICE as the AWS CLI does and prints the output as the AWS CLI v2\n"
      "prints it: JSON (the default), or with --output text or --output table, the AWS CLI's\n"
      "tab-separated text and boxed tables, after --query (see docs/api.md).\n"
      "SERVICE: customer-profiles, connect, iam, sts, cloudtrail, organizations, sso,\n"
      "account. OPERATION: the CLI's spelling (list-domains) or the API name (ListDomains).\n"
      "\n"
      "Parameters, as the AWS CLI takes them: one flag per input member in kebab case\n"
      "(DomainName is --domain-name); a list as several words (--names a b) or JSON; a\n"
      "structure or map as JSON or the AWS CLI's shorthand, nested structures and lists\n"
      "included (Key=Value,List=[a,b],Nested={A=1,B=x}; a list of structures as one such word\n"
      "per element); a boolean as --flag or --no-flag; any value as file://PATH (the file's\n"
      "text). A JSON document (the positional JSON, --input-file, or --cli-input-json) gives\n"
      "the input the flags then add to.\n"
      "\n"
      "  --generate-cli-skeleton  print the input's skeleton and call nothing\n"
      "  --no-paginate        one page only (by default every page of an operation that\n"
      "                       pages is followed and the result lists merged, unless its own\n"
      "                       token or limit is given as a parameter; --paginate forces it)\n"
      "  --page-size N        the page size asked of the service\n"
      "  --max-items N        at most N items; when more are left, the output's NextToken\n"
      "                       resumes with --starting-token\n"
      "  --starting-token T   resume where a NextToken from --max-items said\n"
      "  --max-pages N        stop after N pages (default 10000)\n"
      "  --no-validate        send input the model's constraints reject (testing)\n"
      "  --output FORMAT      json (default), text or table, as the AWS CLI writes them\n"
      "  --debug              also print every HTTP request and response on stderr, with\n"
      "                       signatures, tokens and secret keys masked\n" CPW_CLI_QUERY_HELP
      "\n" CPW_CLI_AWS_OPTIONS_HELP "\n"
      "Exit status: 0 success; 252 invalid arguments or input; 253 configuration or\n"
      "credentials; 254 the service answered an error (printed as the AWS CLI prints it);\n"
      "255 any other failure.\n"
      "\n"
      "Examples: cpwarden api customer-profiles get-domain --domain-name d1 --region eu-west-2\n"
      "          cpwarden api iam list-roles --output table \\\n"
      "            --query 'Roles[?starts_with(RoleName, `AWSServiceRole`)].RoleName'\n",
    .run = s_run,
    .options = s_long,
    .formats = "json,text,table",
};
