/*
 * session.h - the prologue every command that calls AWS shares: parse its options with the AWS
 * options taken on the way, resolve the settings (options, environment, profile), load the
 * protections, make the client and ask who the caller is. Each step prints its error and returns
 * the exit status, so a command reads
 *
 *     struct cpw_cli_session s;
 *     cpw_cli_session_init(&s);
 *     int exit_code = cpw_cli_session_settings(&s, &sopts);
 *     if (exit_code == CPW_EXIT_OK) exit_code = cpw_cli_session_client(&s);
 *     ...
 *     cpw_cli_session_clean_up(&s);
 *
 * Between the settings and the client a command may adjust s.client_options and s.engine_options
 * (filled from the settings), e.g. adaptive retries for an organization-wide scan.
 *
 * Commands that read or write the state store, AWS or not, open it with cpw_cli_store_open.
 */
#ifndef CPW_CLI_SESSION_H
#define CPW_CLI_SESSION_H

#include <getopt.h>

#include "cpw/aws_client.h"
#include "cpw/protect.h"
#include "cpw/regions.h"
#include "cpw/settings.h"
#include "cpw/store.h"

/* cpw_cli_getopt's answer for an AWS option with a bad value (the usage error is printed). */
#define CPW_CLI_OPT_INVALID (-2)

/** Starts option parsing over a new argv (getopt's optind 0, its own messages off). */
void cpw_cli_getopt_start(void);

/**
 * getopt_long over a command's table that takes the AWS options (CPW_CLI_AWS_LONG_OPTIONS) into
 * so on the way: the next code that is the command's own (optarg set as by getopt_long), -1 at
 * the end of the options, or CPW_CLI_OPT_INVALID after printing the usage error of a bad AWS
 * option value. command names the command in messages.
 */
int cpw_cli_getopt(const char *command,
                   int argc,
                   char **argv,
                   const char *shortopts,
                   const struct option *table,
                   struct cpw_settings_options *so);

/**
 * Adds the comma-separated 12-digit account ids of value (an option's argument, flag naming it,
 * e.g. "--accounts") to list. 0, or the usage error's exit status after printing it.
 */
int cpw_cli_account_ids(const char *command,
                        const char *flag,
                        const char *value,
                        struct cpw_region_list *list);

/* The options that say which accounts and regions a command covers, each command's table naming
 * those it takes. */
enum {
    CPW_CLI_OPT_ORG = 1200,
    CPW_CLI_OPT_ROLE_NAME,
    CPW_CLI_OPT_ACCOUNTS,
    CPW_CLI_OPT_EXCLUDE_ACCOUNTS,
    CPW_CLI_OPT_REGIONS,
};

/* Every scope option, for the tables of the commands that take them all. */
#define CPW_CLI_SCOPE_LONG_OPTIONS                                                                 \
    { "org", no_argument, NULL, CPW_CLI_OPT_ORG },                                                 \
      { "role-name", required_argument, NULL, CPW_CLI_OPT_ROLE_NAME },                             \
      { "accounts", required_argument, NULL, CPW_CLI_OPT_ACCOUNTS },                               \
      { "exclude-accounts", required_argument, NULL, CPW_CLI_OPT_EXCLUDE_ACCOUNTS },               \
    {                                                                                              \
        "regions", required_argument, NULL, CPW_CLI_OPT_REGIONS                                    \
    }

struct cpw_cli_scope {
    bool org;                        /* --org: every member account of the organization */
    const char *role_name;           /* --role-name: assumed in member accounts */
    struct cpw_region_list accounts; /* --accounts: 12-digit ids (the list type fits) */
    struct cpw_region_list exclude;  /* --exclude-accounts */
    const char *regions;             /* --regions as given; NULL: not given */
};

/**
 * cpw_cli_getopt that takes the scope options (CPW_CLI_OPT_ORG ...) into scope on the way too,
 * an account list with a bad id answering CPW_CLI_OPT_INVALID after printing its usage error.
 */
int cpw_cli_getopt_scope(const char *command,
                         int argc,
                         char **argv,
                         const char *shortopts,
                         const struct option *table,
                         struct cpw_settings_options *so,
                         struct cpw_cli_scope *scope);

/** Releases the account lists of a scope. */
void cpw_cli_scope_clean_up(struct cpw_cli_scope *scope);

struct cpw_cli_session {
    struct cpw_settings settings;
    struct cpw_aws_client_options client_options; /* borrows settings' strings */
    struct cpw_http_engine_options engine_options;
    struct cpw_aws_client *client; /* cpw_cli_session_client */
    struct cpw_protect *protect;   /* cpw_cli_session_protect */
    char *account;                 /* cpw_cli_session_identity: the caller's account id */
    char *arn;                     /* and its ARN */
};

/** Zeroes a session (safe to clean up whatever happens next). */
void cpw_cli_session_init(struct cpw_cli_session *s);

/** Resolves the settings and fills the client options. CPW_EXIT_OK, or CPW_EXIT_CONFIG (printed).
 */
int cpw_cli_session_settings(struct cpw_cli_session *s, const struct cpw_settings_options *opts);

/** Loads the protections (config_path NULL: the default file). CPW_EXIT_OK or CPW_EXIT_CONFIG. */
int cpw_cli_session_protect(struct cpw_cli_session *s, const char *config_path);

/**
 * Parses a --regions value (NULL: "all", every region of Customer Profiles or Connect; the
 * current region is the settings', else us-east-1) into regions. CPW_EXIT_OK, or the usage error
 * (printed, naming command).
 */
int cpw_cli_session_regions(const struct cpw_cli_session *s,
                            const char *command,
                            const char *spec,
                            struct cpw_region_list *regions);

/**
 * For a scan across accounts and regions, where throttling is expected: adaptive retries in
 * s->engine_options unless a retry mode is configured, and then the adaptive mode's own number
 * of attempts unless one is configured (as the AWS CLI, whatever the mode).
 */
void cpw_cli_session_scan_retries(struct cpw_cli_session *s);

/** Makes the client from s->client_options. CPW_EXIT_OK, or the error's exit status (printed). */
int cpw_cli_session_client(struct cpw_cli_session *s);

/** As cpw_cli_session_client, the error printed after context (e.g. "CloudWatch"). */
int cpw_cli_session_client_for(struct cpw_cli_session *s, const char *context);

/** Makes the client and asks who the caller is (STS GetCallerIdentity). As above. */
int cpw_cli_session_identity(struct cpw_cli_session *s);

/**
 * Opens the state store in dir (NULL: the default place). The store (the caller destroys it), or
 * NULL after printing the error after context (NULL: the error alone); the exit status is the
 * caller's, since a missing store means something else to each command.
 */
struct cpw_store *cpw_cli_store_open(const char *dir, const char *context);

/** Releases everything the session holds. */
void cpw_cli_session_clean_up(struct cpw_cli_session *s);

#endif
