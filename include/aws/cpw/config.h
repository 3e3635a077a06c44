/*
 * config.h - the AWS shared configuration and credentials files, read as the AWS CLI reads them.
 *
 * Files: AWS_CONFIG_FILE (default ~/.aws/config) and AWS_SHARED_CREDENTIALS_FILE (default
 * ~/.aws/credentials). In the config file profiles are "[default]" and "[profile NAME]", other
 * sections are "[sso-session NAME]" and "[services NAME]"; in the credentials file every section
 * "[NAME]" is a profile. A key indented under "key =" with an empty value is a sub-key
 * (`services` sections: "customer_profiles =\n  endpoint_url = ..."). Comments start with '#' or
 * ';' at the start of a line. Keys are case-sensitive as in the CLI; section and key names are
 * trimmed. Values from the credentials file win over the config file for the same profile.
 *
 * Ownership: a struct cpw_config owns every string it returns; they stay valid until
 * cpw_config_destroy(). Thread-safety: immutable after load, so concurrent reads are safe.
 */
#ifndef CPW_CONFIG_H
#define CPW_CONFIG_H

#include <stddef.h>

struct cpw_config;

struct cpw_config_load_options {
    const char *config_path;      /* NULL: AWS_CONFIG_FILE, else $HOME/.aws/config */
    const char *credentials_path; /* NULL: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials */
    const char *profile;          /* NULL: AWS_PROFILE, else "default" */
};

/**
 * Reads both files. A missing file is not an error (it is simply empty); an unreadable or
 * malformed one is: NULL with CPW_ERR_CONFIG and "FILE:LINE: what is wrong". opts may be NULL.
 * Owned by the caller (cpw_config_destroy).
 */
struct cpw_config *cpw_config_load(const struct cpw_config_load_options *opts);

/** An empty configuration (no files), for callers that want none. Owned by the caller. */
struct cpw_config *cpw_config_new_empty(const char *profile);

/** Frees the configuration and every string it handed out. NULL is a no-op. */
void cpw_config_destroy(struct cpw_config *cfg);

/** The active profile name (options, else AWS_PROFILE, else "default"). Borrowed. */
const char *cpw_config_profile(const struct cpw_config *cfg);

/** True when the named profile exists in either file. */
int cpw_config_has_profile(const struct cpw_config *cfg, const char *profile);

/**
 * A profile's value for key (credentials file first, then config file), or NULL. profile NULL
 * means the active profile. Borrowed.
 */
const char *cpw_config_get(const struct cpw_config *cfg, const char *profile, const char *key);

/** The two files a configuration is read from. */
enum cpw_config_file {
    CPW_CONFIG_FILE_CONFIG,      /* ~/.aws/config */
    CPW_CONFIG_FILE_CREDENTIALS, /* ~/.aws/credentials */
};

/**
 * Like cpw_config_get, but only what one of the two files says (the credential chain tells keys
 * in the credentials file from keys in the config file, as botocore does). Borrowed.
 */
const char *cpw_config_get_from(const struct cpw_config *cfg,
                                enum cpw_config_file file,
                                const char *profile,
                                const char *key);

/**
 * A value from another section type of the config file: ("sso-session", "my-sso", "sso_region"),
 * ("services", "local", "customer_profiles.endpoint_url"): a sub-key is "parent.child". Borrowed.
 */
const char *cpw_config_get_section(const struct cpw_config *cfg,
                                   const char *section_type,
                                   const char *name,
                                   const char *key);

/** The path the config (or credentials) file was read from. Borrowed. */
const char *cpw_config_path(const struct cpw_config *cfg);
const char *cpw_config_credentials_path(const struct cpw_config *cfg);

#endif
