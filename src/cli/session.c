/*
 * session.c - the shared command prologue (session.h).
 */
#include "session.h"

#include <stdint.h>
#include <string.h>

#include "aws_opts.h"
#include "cli.h"
#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/live.h"

void cpw_cli_getopt_start(void)
{
    optind = 0;
    opterr = 0;
}

int cpw_cli_getopt(const char *command,
                   int argc,
                   char **argv,
                   const char *shortopts,
                   const struct option *table,
                   struct cpw_settings_options *so)
{
    for (;;) { /* bounded: each turn consumes an argument */
        int c = getopt_long(argc, argv, shortopts, table, NULL);
        if (c == -1) {
            return -1;
        }
        int handled = cpw_cli_aws_option(command, c, optarg, so);
        if (handled < 0) {
            return CPW_CLI_OPT_INVALID;
        }
        if (!handled) {
            return c;
        }
    }
}

int cpw_cli_account_ids(const char *command,
                        const char *flag,
                        const char *value,
                        struct cpw_region_list *list)
{
    struct cpw_span rest = cpw_span_from_cstr(value);
    struct cpw_span token;
    while (cpw_span_next_token(&rest, ',', &token)) { /* bounded: each turn consumes a token */
        token = cpw_span_trim(token);
        uint64_t ignored = 0;
        if (token.len != 12 || cpw_span_to_u64(token, UINT64_MAX, &ignored)) {
            return cpw_cli_usage_error(command, "%s takes 12-digit account ids, not '%.*s'", flag,
                                       (int)token.len, (const char *)token.ptr);
        }
        char id[13];
        memcpy(id, token.ptr, 12);
        id[12] = '\0';
        cpw_region_list_add(list, id);
    }
    return 0;
}

int cpw_cli_getopt_scope(const char *command,
                         int argc,
                         char **argv,
                         const char *shortopts,
                         const struct option *table,
                         struct cpw_settings_options *so,
                         struct cpw_cli_scope *scope)
{
    for (;;) { /* bounded: each turn consumes an argument */
        int c = cpw_cli_getopt(command, argc, argv, shortopts, table, so);
        switch (c) {
        case CPW_CLI_OPT_ORG:
            scope->org = true;
            break;
        case CPW_CLI_OPT_ROLE_NAME:
            scope->role_name = optarg;
            break;
        case CPW_CLI_OPT_ACCOUNTS:
            if (cpw_cli_account_ids(command, "--accounts", optarg, &scope->accounts)) {
                return CPW_CLI_OPT_INVALID;
            }
            break;
        case CPW_CLI_OPT_EXCLUDE_ACCOUNTS:
            if (cpw_cli_account_ids(command, "--exclude-accounts", optarg, &scope->exclude)) {
                return CPW_CLI_OPT_INVALID;
            }
            break;
        case CPW_CLI_OPT_REGIONS:
            scope->regions = optarg;
            break;
        default:
            return c;
        }
    }
}

void cpw_cli_scope_clean_up(struct cpw_cli_scope *scope)
{
    cpw_region_list_clean_up(&scope->accounts);
    cpw_region_list_clean_up(&scope->exclude);
}

void cpw_cli_session_init(struct cpw_cli_session *s)
{
    memset(s, 0, sizeof(*s));
}

int cpw_cli_session_settings(struct cpw_cli_session *s, const struct cpw_settings_options *opts)
{
    if (cpw_settings_resolve(opts, &s->settings)) {
        cpw_cli_print_last_error(NULL);
        return CPW_EXIT_CONFIG;
    }
    cpw_cli_client_options(&s->settings, &s->client_options, &s->engine_options);
    return CPW_EXIT_OK;
}

int cpw_cli_session_protect(struct cpw_cli_session *s, const char *config_path)
{
    s->protect = cpw_protect_load(config_path);
    if (!s->protect) {
        cpw_cli_print_last_error(NULL);
        return CPW_EXIT_CONFIG;
    }
    return CPW_EXIT_OK;
}

int cpw_cli_session_regions(const struct cpw_cli_session *s,
                            const char *command,
                            const char *spec,
                            struct cpw_region_list *regions)
{
    struct cpw_regions_parse_options ropts = {
        .spec = spec ? spec : "all",
        .services = (const char *const[]){ "customer-profiles", "connect" },
        .service_count = 2,
        .current_region = s->settings.region ? s->settings.region : "us-east-1",
    };
    if (cpw_regions_parse(&ropts, regions)) {
        return cpw_cli_usage_error(command, "%s", cpw_last_error_detail());
    }
    return CPW_EXIT_OK;
}

void cpw_cli_session_scan_retries(struct cpw_cli_session *s)
{
    if (s->settings.retry_mode_origin.source == CPW_SETTING_DEFAULT) {
        s->engine_options.retry.mode = CPW_RETRY_MODE_ADAPTIVE;
        if (s->settings.max_attempts_origin.source == CPW_SETTING_DEFAULT) {
            s->engine_options.retry.max_attempts = 0; /* the adaptive mode's default */
        }
    }
}

int cpw_cli_session_client(struct cpw_cli_session *s)
{
    return cpw_cli_session_client_for(s, NULL);
}

int cpw_cli_session_client_for(struct cpw_cli_session *s, const char *context)
{
    s->client = cpw_aws_client_new(&s->client_options);
    if (!s->client) {
        cpw_cli_print_last_error(context);
        return (int)cpw_exit_for_error();
    }
    return CPW_EXIT_OK;
}

struct cpw_store *cpw_cli_store_open(const char *dir, const char *context)
{
    struct cpw_store *store = cpw_store_open(&(struct cpw_store_options){ .dir = dir });
    if (!store) {
        cpw_cli_print_last_error(context);
    }
    return store;
}

int cpw_cli_session_identity(struct cpw_cli_session *s)
{
    if (!s->client && cpw_cli_session_client(s) != CPW_EXIT_OK) {
        return (int)cpw_exit_for_error();
    }
    if (cpw_live_identity(s->client, &s->account, &s->arn)) {
        cpw_cli_print_last_error(NULL);
        return (int)cpw_exit_for_error();
    }
    return CPW_EXIT_OK;
}

void cpw_cli_session_clean_up(struct cpw_cli_session *s)
{
    cpw_free(s->account);
    cpw_free(s->arn);
    cpw_protect_destroy(s->protect);
    cpw_aws_client_destroy(s->client);
    cpw_settings_clean_up(&s->settings);
    memset(s, 0, sizeof(*s));
}
