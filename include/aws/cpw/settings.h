/*
 * settings.h - the client settings every AWS call needs, resolved once per command from the
 * command-line options, the environment and the profile, the way the AWS CLI does it.
 *
 *   profile         --profile > AWS_PROFILE > "default"
 *   region          --region > AWS_REGION > AWS_DEFAULT_REGION > profile region
 *   use_fips        --fips > AWS_USE_FIPS_ENDPOINT > profile use_fips_endpoint > false
 *   use_dualstack   --dualstack > AWS_USE_DUALSTACK_ENDPOINT > profile use_dualstack_endpoint
 *   ignore_configured_endpoint_urls
 *                   AWS_IGNORE_CONFIGURED_ENDPOINT_URLS > profile ignore_configured_endpoint_urls
 *   retry_mode      AWS_RETRY_MODE > profile retry_mode > standard (legacy|standard|adaptive)
 *   max_attempts    AWS_MAX_ATTEMPTS > profile max_attempts > 3 (standard, adaptive), 5 (legacy)
 *   ca_bundle       AWS_CA_BUNDLE > profile ca_bundle > none (the system store)
 *   timeouts        --connect-timeout / --read-timeout options > 60 s each
 *   output          --output > AWS_DEFAULT_OUTPUT > profile output > table
 * Booleans accept true/false (any case). Every resolved value records where it came from, for
 * `doctor`-style diagnostics (cpw_setting_origin_describe).
 *
 * Ownership: struct cpw_settings owns its strings and, when it loaded the configuration itself,
 * the configuration; release with cpw_settings_clean_up(). Thread-safety: resolution reads the
 * environment (getenv) and the files; the result is immutable and safe to share.
 */
#ifndef CPW_SETTINGS_H
#define CPW_SETTINGS_H

#include <stdbool.h>

#include "cpw/buf.h"
#include "cpw/config.h"
#include "cpw/endpoints.h"
#include "cpw/retry.h"

enum cpw_setting_source {
    CPW_SETTING_DEFAULT, /* nobody set it */
    CPW_SETTING_OPTION,  /* a command-line option; name is the option ("--region") */
    CPW_SETTING_ENV,     /* an environment variable; name is the variable ("AWS_REGION") */
    CPW_SETTING_PROFILE, /* the profile; name is the profile, key the setting ("region") */
};

struct cpw_setting_origin {
    enum cpw_setting_source source;
    char name[64]; /* option, variable or profile name; "" for defaults */
    char key[48];  /* the profile key ("max_attempts"); "" otherwise */
};

enum cpw_output_format {
    CPW_OUTPUT_TABLE,
    CPW_OUTPUT_JSON,
    CPW_OUTPUT_CSV,
    CPW_OUTPUT_MARKDOWN,
    CPW_OUTPUT_TEXT, /* the AWS CLI's text (also what yaml and yaml-stream fall back to) */
};

/* What the command line said; NULL/0/-1 mean "not given". */
struct cpw_settings_options {
    const char *profile;             /* --profile */
    const char *region;              /* --region */
    const char *endpoint_url;        /* --endpoint-url (applies to every service of the command) */
    const char *output;              /* --output */
    int use_fips;                    /* --fips: 1, --no-fips: 0, not given: -1 */
    int use_dualstack;               /* --dualstack: 1, --no-dualstack: 0, not given: -1 */
    unsigned connect_timeout_ms;     /* --connect-timeout; 0: default */
    unsigned read_timeout_ms;        /* --read-timeout; 0: default */
    bool region_optional;            /* a command that works without a region (sandbox, help) */
    const struct cpw_config *config; /* borrowed; NULL: load the files for the profile */
};

struct cpw_settings {
    char *profile;
    struct cpw_setting_origin profile_origin;
    char *region; /* NULL only with region_optional */
    struct cpw_setting_origin region_origin;
    char *endpoint_url; /* the option's value, or NULL; env/config URLs are per service */
    bool use_fips;
    struct cpw_setting_origin use_fips_origin;
    bool use_dualstack;
    struct cpw_setting_origin use_dualstack_origin;
    bool ignore_configured_endpoint_urls;
    struct cpw_setting_origin ignore_configured_endpoint_urls_origin;
    enum cpw_retry_mode retry_mode;
    struct cpw_setting_origin retry_mode_origin;
    unsigned max_attempts; /* total attempts, first one included; 1-100 */
    struct cpw_setting_origin max_attempts_origin;
    char *ca_bundle; /* NULL: the system store */
    struct cpw_setting_origin ca_bundle_origin;
    unsigned connect_timeout_ms;
    struct cpw_setting_origin connect_timeout_origin;
    unsigned read_timeout_ms;
    struct cpw_setting_origin read_timeout_origin;
    enum cpw_output_format output;
    struct cpw_setting_origin output_origin;
    const struct cpw_config *config; /* borrowed from the options or owned_config */
    struct cpw_config *owned_config;
};

/** Default connect and read timeouts, as botocore's. */
#define CPW_SETTINGS_DEFAULT_TIMEOUT_MS 60000u

/**
 * Resolves every setting into out (zeroed by this call). Returns 0, or -1 with CPW_ERR_CONFIG
 * and a detail naming the setting and where its bad value came from ("AWS_MAX_ATTEMPTS: '0' is
 * not a positive integer"), or "You must specify a region ..." when no region is set and the
 * command needs one; out is then empty. Release with cpw_settings_clean_up().
 */
int cpw_settings_resolve(const struct cpw_settings_options *opts, struct cpw_settings *out);

/** Frees what out owns and zeroes it. NULL is a no-op. */
void cpw_settings_clean_up(struct cpw_settings *settings);

/**
 * Resolves the endpoint of service for the settings' region (or region, when not NULL: one
 * region of a --regions sweep), applying the settings' endpoint option, FIPS, dual-stack and
 * ignore flags and profile. See cpw_endpoint_resolve for the result and errors.
 */
int cpw_settings_endpoint(const struct cpw_settings *settings,
                          const char *service,
                          const char *region,
                          struct cpw_endpoint *out);

/**
 * Appends a description of origin to out: "option --region", "env AWS_REGION",
 * "profile dev (region)", "default". Returns 0 or -1 (buffer limit).
 */
int cpw_setting_origin_describe(const struct cpw_setting_origin *origin, struct cpw_buf *out);

/**
 * Appends one line per setting to out, "name = value (origin)", for `doctor`:
 *   profile = dev (env AWS_PROFILE)
 *   region = eu-west-1 (profile dev (region))
 *   ...
 * Returns 0 or -1 (buffer limit).
 */
int cpw_settings_describe(const struct cpw_settings *settings, struct cpw_buf *out);

/** "table", "json", "csv", "markdown". Static storage. */
const char *cpw_output_format_name(enum cpw_output_format format);

#endif
