/*
 * credentials_profile.c - the shared files' profile: static keys, role_arn with source_profile
 * (chains of profiles, with loop detection) or credential_source, and the dispatch to web
 * identity, SSO and credential_process, in botocore's order.
 *
 * botocore's rules kept here: a profile's role_arn wins over its own static keys at the top of the
 * chain, but a source_profile with static keys gives those keys (which is what lets a profile
 * name itself as its source_profile); static keys in the credentials file win over
 * credential_process, which wins over static keys in the config file.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/config.h"
#include "credentials_internal.h"

#define MAX_PROFILE_DEPTH 16

struct visited {
    const char *names[MAX_PROFILE_DEPTH];
    size_t count;
};

static int s_profile(struct cpw_credentials_chain *chain,
                     const char *name,
                     struct visited *visited,
                     bool top,
                     struct cpw_credentials *out);

static const char *s_get(struct cpw_credentials_chain *chain, const char *name, const char *key)
{
    const char *v = cpw_config_get(chain->config, name, key);
    return v && *v ? v : NULL;
}

static const char *s_file_label(enum cpw_config_file file)
{
    return file == CPW_CONFIG_FILE_CREDENTIALS ? "shared-credentials-file" : "config-file";
}

/* Static keys of one file: ABSENT when that file has neither key for the profile. */
static int s_static(struct cpw_credentials_chain *chain,
                    const char *name,
                    enum cpw_config_file file,
                    struct cpw_credentials *out)
{
    const char *akid = cpw_config_get_from(chain->config, file, name, "aws_access_key_id");
    const char *secret = cpw_config_get_from(chain->config, file, name, "aws_secret_access_key");
    if (!akid && !secret) {
        return CPW_CREDS_ABSENT;
    }
    const char *path = file == CPW_CONFIG_FILE_CREDENTIALS
                         ? cpw_config_credentials_path(chain->config)
                         : cpw_config_path(chain->config);
    char what[512];
    snprintf(what, sizeof(what), "%s: profile '%s' in %s", s_file_label(file), name, path);
    if (!secret) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "%s: aws_access_key_id is set but not "
                                    "aws_secret_access_key",
                                    what);
    }
    if (!akid) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "%s: a secret key is set but not aws_access_key_id", what);
    }
    const char *token = cpw_config_get_from(chain->config, file, name, "aws_session_token");
    const char *account = cpw_config_get_from(chain->config, file, name, "aws_account_id");
    if (cpw_credentials_set(out, what, s_file_label(file), akid, secret, token, 0, account)) {
        return -1;
    }
    return CPW_CREDS_FOUND;
}

static bool s_has_static(struct cpw_credentials_chain *chain, const char *name)
{
    return s_get(chain, name, "aws_access_key_id") || s_get(chain, name, "aws_secret_access_key");
}

static int s_static_any(struct cpw_credentials_chain *chain,
                        const char *name,
                        struct cpw_credentials *out)
{
    int rc = s_static(chain, name, CPW_CONFIG_FILE_CREDENTIALS, out);
    return rc == CPW_CREDS_ABSENT ? s_static(chain, name, CPW_CONFIG_FILE_CONFIG, out) : rc;
}

/* The source credentials named by credential_source. */
static int s_credential_source(struct cpw_credentials_chain *chain,
                               const char *what,
                               const char *source,
                               struct cpw_credentials *out)
{
    int rc;
    if (strcmp(source, "Environment") == 0) {
        rc = cpw_credentials_from_env(chain, out);
    } else if (strcmp(source, "Ec2InstanceMetadata") == 0) {
        rc = cpw_credentials_from_imds(chain, out);
    } else if (strcmp(source, "EcsContainer") == 0) {
        rc = cpw_credentials_from_container(chain, out);
    } else {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "%s: credential_source '%s' is not one of Environment, "
                                    "Ec2InstanceMetadata, EcsContainer",
                                    what, source);
    }
    if (rc < 0) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: credential_source %s: %s", what,
                                    source, cpw_last_error_detail());
    }
    if (rc == CPW_CREDS_ABSENT) {
        /* The last note says why; a configured source that finds nothing is an error. */
        const char *tried = cpw_buf_cstr(&chain->tried);
        const char *last = strrchr(tried, ';');
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "%s: credential_source %s gave no credentials (%s)", what,
                                    source, last ? last + 2 : tried);
    }
    return rc;
}

static void s_cycle(char *text,
                    size_t size,
                    const struct visited *visited,
                    size_t from,
                    const char *again)
{
    size_t used = 0;
    text[0] = '\0';
    for (size_t i = from; i < visited->count && used < size; i++) {
        int n = snprintf(text + used, size - used, "%s -> ", visited->names[i]);
        used += n > 0 ? (size_t)n : 0;
    }
    if (used < size) {
        snprintf(text + used, size - used, "%s", again);
    }
}

/* The credentials that assume the role: from credential_source or source_profile. */
static int s_role_source(struct cpw_credentials_chain *chain,
                         const char *name,
                         const char *what,
                         struct visited *visited,
                         struct cpw_credentials *out)
{
    const char *source_profile = s_get(chain, name, "source_profile");
    const char *credential_source = s_get(chain, name, "credential_source");
    if (source_profile && credential_source) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "%s: both source_profile and credential_source are set; "
                                    "keep one",
                                    what);
    }
    if (!source_profile && !credential_source) {
        return cpw_credentials_fail(
          CPW_ERR_CREDENTIALS, "%s: role_arn needs a source_profile or a credential_source", what);
    }
    if (credential_source) {
        return s_credential_source(chain, what, credential_source, out);
    }
    if (strcmp(source_profile, name) == 0) {
        /* A profile may be its own source: role configuration and static keys side by side. */
        if (!s_has_static(chain, name)) {
            return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                        "%s: profile loop: %s -> %s (a profile can be its own "
                                        "source_profile only when it has static keys)",
                                        what, name, name);
        }
        return s_static_any(chain, name, out);
    }
    for (size_t i = 0; i < visited->count; i++) {
        if (strcmp(visited->names[i], source_profile) == 0) {
            char cycle[512];
            s_cycle(cycle, sizeof(cycle), visited, i, source_profile);
            return cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: profile loop: %s", what, cycle);
        }
    }
    if (!cpw_config_has_profile(chain->config, source_profile)) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "%s: source_profile '%s' does not exist in %s or %s", what,
                                    source_profile, cpw_config_path(chain->config),
                                    cpw_config_credentials_path(chain->config));
    }
    return s_profile(chain, source_profile, visited, false, out);
}

static int s_add_duration(json_t *input, const char *what, const char *duration)
{
    uint64_t seconds = 0;
    if (cpw_span_to_u64(cpw_span_from_cstr(duration), 43200, &seconds) || seconds < 900) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "%s: duration_seconds '%s' is not a number of seconds from 900 "
                                    "to 43200",
                                    what, duration);
    }
    json_object_set_new(input, "DurationSeconds", json_integer((json_int_t)seconds));
    return 0;
}

static int s_assume_role(struct cpw_credentials_chain *chain,
                         const char *name,
                         struct visited *visited,
                         struct cpw_credentials *out)
{
    const char *role_arn = s_get(chain, name, "role_arn");
    char what[256];
    snprintf(what, sizeof(what), "assume-role: profile '%s'", name);
    if (s_get(chain, name, "mfa_serial")) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "%s: mfa_serial is set, so assuming %s needs an MFA code, and "
                                    "MFA is not supported non-interactively (use "
                                    "credential_process or temporary credentials instead)",
                                    what, role_arn);
    }
    if (visited->count == MAX_PROFILE_DEPTH) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                    "%s: more than %d profiles chained by source_profile", what,
                                    MAX_PROFILE_DEPTH);
    }
    visited->names[visited->count++] = name;

    struct cpw_credentials source;
    cpw_credentials_init(&source);
    json_t *input = NULL;
    json_t *output = NULL;
    int rc = -1;
    if (s_role_source(chain, name, what, visited, &source) != CPW_CREDS_FOUND) {
        goto cleanup;
    }
    char session_name[64];
    const char *configured_name = s_get(chain, name, "role_session_name");
    if (!configured_name) {
        cpw_credentials_default_session_name(chain, session_name);
    }
    input = json_pack("{s:s, s:s}", "RoleArn", role_arn, "RoleSessionName",
                      configured_name ? configured_name : session_name);
    const char *external_id = s_get(chain, name, "external_id");
    if (external_id) {
        json_object_set_new(input, "ExternalId", json_string(external_id));
    }
    const char *duration = s_get(chain, name, "duration_seconds");
    if (duration && s_add_duration(input, what, duration)) {
        goto cleanup;
    }
    struct cpw_aws_invoke call = {
        .service = "sts",
        .operation = "AssumeRole",
        .region = cpw_credentials_region(chain, name),
        .input = input,
        .credentials = &source,
    };
    if (cpw_credentials_invoke(chain, what, &call, &output) ||
        cpw_credentials_from_sts_output(out, what, "assume-role", output, role_arn)) {
        goto cleanup;
    }
    rc = CPW_CREDS_FOUND;
cleanup:
    visited->count--;
    json_decref(input);
    json_decref(output);
    cpw_credentials_clean_up(&source);
    return rc;
}

static int s_profile(struct cpw_credentials_chain *chain,
                     const char *name,
                     struct visited *visited,
                     bool top,
                     struct cpw_credentials *out)
{
    const char *role_arn = s_get(chain, name, "role_arn");
    const char *token_file = s_get(chain, name, "web_identity_token_file");
    if (role_arn && !token_file && (top || !s_has_static(chain, name))) {
        return s_assume_role(chain, name, visited, out);
    }
    int rc = CPW_CREDS_ABSENT;
    if (top || token_file) {
        rc = cpw_credentials_from_web_identity(chain, name, top, out);
    }
    if (rc == CPW_CREDS_ABSENT) {
        rc = cpw_credentials_from_sso(chain, name, out);
    }
    if (rc == CPW_CREDS_ABSENT) {
        rc = s_static(chain, name, CPW_CONFIG_FILE_CREDENTIALS, out);
    }
    const char *process = s_get(chain, name, "credential_process");
    if (rc == CPW_CREDS_ABSENT && process) {
        rc = cpw_credentials_from_process(chain, name, process, out);
    }
    if (rc == CPW_CREDS_ABSENT) {
        rc = s_static(chain, name, CPW_CONFIG_FILE_CONFIG, out);
    }
    if (rc == CPW_CREDS_ABSENT) {
        if (!top) {
            return cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                                        "source_profile '%s' has no credentials (no static keys, "
                                        "role_arn, web identity, SSO or credential_process)",
                                        name);
        }
        cpw_credentials_note(chain, "profile '%s': no credentials in it", name);
    }
    return rc;
}

int cpw_credentials_from_profile(struct cpw_credentials_chain *chain, struct cpw_credentials *out)
{
    const char *name = chain->profile;
    if (!cpw_config_has_profile(chain->config, name)) {
        if (strcmp(name, "default") != 0) {
            return cpw_credentials_fail(
              CPW_ERR_CREDENTIALS, "profile '%s' does not exist in %s or %s", name,
              cpw_config_path(chain->config), cpw_config_credentials_path(chain->config));
        }
        /* Web identity from the environment needs no profile. */
        int rc = cpw_credentials_from_web_identity(chain, name, true, out);
        if (rc == CPW_CREDS_ABSENT) {
            cpw_credentials_note(chain, "profile 'default': not in the config or credentials file");
        }
        return rc;
    }
    struct visited visited = { 0 };
    return s_profile(chain, name, &visited, true, out);
}
