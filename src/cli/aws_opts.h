/*
 * aws_opts.h - the AWS CLI's global options, shared by every command that calls AWS.
 *
 * --profile, --region, --endpoint-url, --output, --fips/--no-fips, --dualstack/--no-dualstack,
 * --connect-timeout SECONDS, --read-timeout SECONDS. Commands add these to their getopt_long
 * table with CPW_CLI_AWS_LONG_OPTIONS and pass unknown option codes to cpw_cli_aws_option().
 */
#ifndef CPW_CLI_AWS_OPTS_H
#define CPW_CLI_AWS_OPTS_H

#include <getopt.h>
#include <stdbool.h>

#include "cpw/aws_client.h"
#include "cpw/settings.h"

enum {
    CPW_CLI_OPT_PROFILE = 1000,
    CPW_CLI_OPT_REGION,
    CPW_CLI_OPT_ENDPOINT_URL,
    CPW_CLI_OPT_OUTPUT,
    CPW_CLI_OPT_FIPS,
    CPW_CLI_OPT_NO_FIPS,
    CPW_CLI_OPT_DUALSTACK,
    CPW_CLI_OPT_NO_DUALSTACK,
    CPW_CLI_OPT_CONNECT_TIMEOUT,
    CPW_CLI_OPT_READ_TIMEOUT,
};

#define CPW_CLI_AWS_LONG_OPTIONS                                                                   \
    { "profile", required_argument, NULL, CPW_CLI_OPT_PROFILE },                                   \
      { "region", required_argument, NULL, CPW_CLI_OPT_REGION },                                   \
      { "endpoint-url", required_argument, NULL, CPW_CLI_OPT_ENDPOINT_URL },                       \
      { "output", required_argument, NULL, CPW_CLI_OPT_OUTPUT },                                   \
      { "fips", no_argument, NULL, CPW_CLI_OPT_FIPS },                                             \
      { "no-fips", no_argument, NULL, CPW_CLI_OPT_NO_FIPS },                                       \
      { "dualstack", no_argument, NULL, CPW_CLI_OPT_DUALSTACK },                                   \
      { "no-dualstack", no_argument, NULL, CPW_CLI_OPT_NO_DUALSTACK },                             \
      { "connect-timeout", required_argument, NULL, CPW_CLI_OPT_CONNECT_TIMEOUT },                 \
    {                                                                                              \
        "read-timeout", required_argument, NULL, CPW_CLI_OPT_READ_TIMEOUT                          \
    }

#define CPW_CLI_AWS_OPTIONS_HELP                                                                   \
    "AWS options (as the AWS CLI's):\n"                                                            \
    "  --profile NAME        profile from ~/.aws/config and ~/.aws/credentials (AWS_PROFILE)\n"    \
    "  --region REGION       region (AWS_REGION, AWS_DEFAULT_REGION, the profile's region)\n"      \
    "  --endpoint-url URL    send every request to URL (AWS_ENDPOINT_URL[_<SERVICE>])\n"           \
    "  --output FORMAT       table, json, csv or markdown (AWS_DEFAULT_OUTPUT)\n"                  \
    "  --fips, --dualstack   use FIPS / dual-stack endpoints\n"                                    \
    "  --connect-timeout S, --read-timeout S   timeouts in seconds (default 60)\n"

/** Fills opts from the defaults (-1 for tri-state flags). */
void cpw_cli_aws_options_init(struct cpw_settings_options *opts);

/**
 * Handles one getopt_long code of CPW_CLI_AWS_LONG_OPTIONS. Returns 1 when handled, 0 when the
 * code is not an AWS option, -1 on a bad value (message printed, usage error).
 */
int cpw_cli_aws_option(const char *command,
                       int code,
                       const char *arg,
                       struct cpw_settings_options *opts);

/** Maps a failed libcpw call's error to the AWS CLI's exit codes (253 config, 254 AWS, ...). */
int cpw_cli_exit_for_error(void);

/** Fills client options from resolved settings (borrowing their strings). */
void cpw_cli_client_options(const struct cpw_settings *settings,
                            struct cpw_aws_client_options *client_opts,
                            struct cpw_http_engine_options *engine_opts);

#endif
