/*
 * aws_opts.c - parsing of the AWS CLI's global options for cpwarden's commands.
 */
#include "aws_opts.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/regions.h"

void cpw_cli_aws_options_init(struct cpw_settings_options *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->use_fips = -1;
    opts->use_dualstack = -1;
}

static int s_seconds(const char *command, const char *name, const char *arg, unsigned *out_ms)
{
    uint64_t seconds = 0;
    if (cpw_span_to_u64(cpw_span_from_cstr(arg), 3600, &seconds) || seconds == 0) {
        cpw_cli_usage_error(command, "%s takes a whole number of seconds from 1 to 3600, not '%s'",
                            name, arg);
        return -1;
    }
    *out_ms = (unsigned)(seconds * 1000);
    return 0;
}

int cpw_cli_aws_option(const char *command,
                       int code,
                       const char *arg,
                       struct cpw_settings_options *opts)
{
    switch (code) {
    case CPW_CLI_OPT_PROFILE:
        opts->profile = arg;
        return 1;
    case CPW_CLI_OPT_REGION:
        if (cpw_region_check(arg)) { /* a malformed name on the line is a usage error (252) */
            cpw_cli_usage_error(command, "--region: %s", cpw_last_error_detail());
            return -1;
        }
        opts->region = arg;
        return 1;
    case CPW_CLI_OPT_ENDPOINT_URL:
        opts->endpoint_url = arg;
        return 1;
    case CPW_CLI_OPT_OUTPUT:
        opts->output = arg;
        return 1;
    case CPW_CLI_OPT_FIPS:
        opts->use_fips = 1;
        return 1;
    case CPW_CLI_OPT_NO_FIPS:
        opts->use_fips = 0;
        return 1;
    case CPW_CLI_OPT_DUALSTACK:
        opts->use_dualstack = 1;
        return 1;
    case CPW_CLI_OPT_NO_DUALSTACK:
        opts->use_dualstack = 0;
        return 1;
    case CPW_CLI_OPT_CONNECT_TIMEOUT:
        return s_seconds(command, "--connect-timeout", arg, &opts->connect_timeout_ms) ? -1 : 1;
    case CPW_CLI_OPT_READ_TIMEOUT:
        return s_seconds(command, "--read-timeout", arg, &opts->read_timeout_ms) ? -1 : 1;
    default:
        return 0;
    }
}

int cpw_cli_exit_for_error(void)
{
    return (int)cpw_exit_for_error();
}

void cpw_cli_client_options(const struct cpw_settings *settings,
                            struct cpw_aws_client_options *client_opts,
                            struct cpw_http_engine_options *engine_opts)
{
    memset(engine_opts, 0, sizeof(*engine_opts));
    engine_opts->connect_timeout_ms = settings->connect_timeout_ms;
    engine_opts->timeout_ms = settings->read_timeout_ms;
    engine_opts->ca_file = settings->ca_bundle;
    engine_opts->retry.mode = settings->retry_mode;
    engine_opts->retry.max_attempts = settings->max_attempts;
    if (cpw_cli_globals()->debug) { /* --debug: the wire exchange on stderr, secrets redacted */
        engine_opts->debug = cpw_http_debug_print;
        engine_opts->debug_user = stderr;
    }
    memset(client_opts, 0, sizeof(*client_opts));
    client_opts->config = settings->config;
    client_opts->region = settings->region;
    client_opts->endpoint_url = settings->endpoint_url;
    client_opts->use_fips = settings->use_fips;
    client_opts->use_dualstack = settings->use_dualstack;
    client_opts->ignore_configured_endpoint_urls = settings->ignore_configured_endpoint_urls;
    client_opts->profile =
      settings->profile_origin.source == CPW_SETTING_OPTION ? settings->profile : NULL;
    client_opts->engine = engine_opts;
}
