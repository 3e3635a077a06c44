/*
 * settings.c - resolves the per-command client settings (region, profile, endpoint flags,
 * retries, CA bundle, timeouts, output format) from options > environment > profile > default,
 * the order of botocore's configprovider.py, remembering where each value came from.
 */
#include "cpw/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/regions.h"

#define MAX_ATTEMPTS_LIMIT 100u

/* A value found by the lookup chain, with its origin. */
struct found {
    const char *value; /* borrowed from the options, environment or configuration */
    struct cpw_setting_origin origin;
};

static void s_origin(struct cpw_setting_origin *o,
                     enum cpw_setting_source source,
                     const char *name,
                     const char *key)
{
    memset(o, 0, sizeof(*o));
    o->source = source;
    (void)snprintf(o->name, sizeof(o->name), "%s", name ? name : "");
    (void)snprintf(o->key, sizeof(o->key), "%s", key ? key : "");
}

/* option > env vars (in order, NULL-terminated) > profile key; empty values count as unset. */
static struct found s_lookup(const struct cpw_settings *s,
                             const char *option_name,
                             const char *option_value,
                             const char *const *env_names,
                             const char *profile_key)
{
    struct found f = { 0 };
    if (option_value) {
        f.value = option_value;
        s_origin(&f.origin, CPW_SETTING_OPTION, option_name, NULL);
        return f;
    }
    for (size_t i = 0; env_names && env_names[i]; i++) {
        const char *v = getenv(env_names[i]);
        if (v && *v) {
            f.value = v;
            s_origin(&f.origin, CPW_SETTING_ENV, env_names[i], NULL);
            return f;
        }
    }
    const char *v = profile_key && s->config ? cpw_config_get(s->config, NULL, profile_key) : NULL;
    if (v && *v) {
        f.value = v;
        s_origin(&f.origin, CPW_SETTING_PROFILE, s->profile, profile_key);
        return f;
    }
    s_origin(&f.origin, CPW_SETTING_DEFAULT, NULL, NULL);
    return f;
}

int cpw_setting_origin_describe(const struct cpw_setting_origin *origin, struct cpw_buf *out)
{
    switch (origin->source) {
    case CPW_SETTING_OPTION:
        return cpw_buf_appendf(out, "option %s", origin->name);
    case CPW_SETTING_ENV:
        return cpw_buf_appendf(out, "env %s", origin->name);
    case CPW_SETTING_PROFILE:
        return cpw_buf_appendf(out, "profile %s (%s)", origin->name, origin->key);
    case CPW_SETTING_DEFAULT:
        break;
    }
    return cpw_buf_append_cstr(out, "default");
}

/* Raises CPW_ERR_CONFIG with "<origin>: <message>". */
static int s_bad(const struct cpw_setting_origin *origin, const char *fmt, const char *value)
{
    struct cpw_buf where;
    cpw_buf_init(&where, 256);
    (void)cpw_setting_origin_describe(origin, &where);
    struct cpw_buf msg;
    cpw_buf_init(&msg, 1024);
    (void)cpw_buf_appendf(&msg, fmt, value);
    int rc = cpw_raise(CPW_ERR_CONFIG, "%s: %s", cpw_buf_cstr(&where), cpw_buf_cstr(&msg));
    cpw_buf_clean_up(&where);
    cpw_buf_clean_up(&msg);
    return rc;
}

static int s_bool(const struct found *f, bool *out)
{
    if (!f->value) {
        *out = false;
        return 0;
    }
    if (strcasecmp(f->value, "true") == 0) {
        *out = true;
        return 0;
    }
    if (strcasecmp(f->value, "false") == 0) {
        *out = false;
        return 0;
    }
    return s_bad(&f->origin, "'%s' is not a boolean (use true or false)", f->value);
}

static int s_resolve_bool(struct cpw_settings *s,
                          int option,
                          const char *option_name,
                          const char *env,
                          const char *key,
                          bool *value,
                          struct cpw_setting_origin *origin)
{
    const char *envs[] = { env, NULL };
    struct found f = s_lookup(s, option_name,
                              option < 0 ? NULL
                              : option   ? "true"
                                         : "false",
                              env ? envs : NULL, key);
    *origin = f.origin;
    return s_bool(&f, value);
}

static int s_resolve_region(struct cpw_settings *s, const struct cpw_settings_options *opts)
{
    const char *envs[] = { "AWS_REGION", "AWS_DEFAULT_REGION", NULL };
    struct found f = s_lookup(s, "--region", opts->region, envs, "region");
    s->region_origin = f.origin;
    if (!f.value) {
        if (opts->region_optional) {
            return 0;
        }
        return cpw_raise(CPW_ERR_CONFIG,
                         "You must specify a region: use --region, set AWS_REGION or "
                         "AWS_DEFAULT_REGION, or add 'region = ...' to profile %s",
                         s->profile);
    }
    if (cpw_region_check(f.value)) {
        return s_bad(&f.origin, "%s", cpw_last_error_detail());
    }
    s->region = cpw_strdup(f.value);
    return 0;
}

static int s_resolve_retries(struct cpw_settings *s)
{
    const char *mode_env[] = { "AWS_RETRY_MODE", NULL };
    struct found f = s_lookup(s, NULL, NULL, mode_env, "retry_mode");
    s->retry_mode_origin = f.origin;
    s->retry_mode = CPW_RETRY_MODE_STANDARD;
    if (f.value) {
        if (cpw_retry_mode_parse(f.value, &s->retry_mode)) {
            cpw_error_clear();
            return s_bad(&f.origin,
                         "retry mode '%s' is not valid (use legacy, standard or adaptive)",
                         f.value);
        }
    }
    const char *attempts_env[] = { "AWS_MAX_ATTEMPTS", NULL };
    f = s_lookup(s, NULL, NULL, attempts_env, "max_attempts");
    s->max_attempts_origin = f.origin;
    s->max_attempts = cpw_retry_default_max_attempts(s->retry_mode);
    if (f.value) {
        uint64_t n = 0;
        if (cpw_span_to_u64(cpw_span_from_cstr(f.value), MAX_ATTEMPTS_LIMIT, &n) || n == 0) {
            cpw_error_clear();
            return s_bad(&f.origin,
                         "max attempts '%s' is not valid (a whole number from 1 to 100; it "
                         "counts the first attempt)",
                         f.value);
        }
        s->max_attempts = (unsigned)n;
    }
    return 0;
}

static int s_resolve_output(struct cpw_settings *s, const struct cpw_settings_options *opts)
{
    const char *envs[] = { "AWS_DEFAULT_OUTPUT", NULL };
    struct found f = s_lookup(s, "--output", opts->output, envs, "output");
    s->output_origin = f.origin;
    s->output = CPW_OUTPUT_TABLE;
    if (!f.value) {
        return 0;
    }
    static const struct {
        const char *name;
        enum cpw_output_format format;
    } known[] = { { "table", CPW_OUTPUT_TABLE },
                  { "json", CPW_OUTPUT_JSON },
                  { "csv", CPW_OUTPUT_CSV },
                  { "markdown", CPW_OUTPUT_MARKDOWN } };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp(f.value, known[i].name) == 0) {
            s->output = known[i].format;
            return 0;
        }
    }
    if (strcmp(f.value, "text") == 0 || strcmp(f.value, "yaml") == 0 ||
        strcmp(f.value, "yaml-stream") == 0) {
        /* An AWS CLI profile's usual choice: each command writes it or its own default (the
         * command line checks an explicit --output against what the command offers). */
        s->output = CPW_OUTPUT_TEXT;
        return 0;
    }
    return s_bad(&f.origin, "output format '%s' is not valid (use table, json, csv or markdown)",
                 f.value);
}

static void s_timeout(unsigned option_ms,
                      const char *option_name,
                      unsigned *value_ms,
                      struct cpw_setting_origin *origin)
{
    if (option_ms) {
        *value_ms = option_ms;
        s_origin(origin, CPW_SETTING_OPTION, option_name, NULL);
    } else {
        *value_ms = CPW_SETTINGS_DEFAULT_TIMEOUT_MS;
        s_origin(origin, CPW_SETTING_DEFAULT, NULL, NULL);
    }
}

static int s_resolve_profile(struct cpw_settings *s, const struct cpw_settings_options *opts)
{
    const char *envs[] = { "AWS_PROFILE", NULL };
    struct found f = s_lookup(s, "--profile", opts->profile, envs, NULL);
    if (opts->config) {
        /* The caller loaded the files: its profile is the one; say where the name came from
         * only when it is the one the option or the environment gave. */
        s->config = opts->config;
        const char *name = cpw_config_profile(opts->config);
        if (!f.value || strcmp(f.value, name) != 0) {
            s_origin(&f.origin, CPW_SETTING_DEFAULT, NULL, NULL);
        }
        s->profile = cpw_strdup(name);
        s->profile_origin = f.origin;
    } else {
        s->profile = cpw_strdup(f.value ? f.value : "default");
        s->profile_origin = f.origin;
        struct cpw_config_load_options load = { .profile = s->profile };
        s->owned_config = cpw_config_load(&load);
        if (!s->owned_config) {
            return -1;
        }
        s->config = s->owned_config;
    }
    /* As botocore: a profile someone asked for must exist; the implicit default need not. */
    if (s->profile_origin.source != CPW_SETTING_DEFAULT &&
        !cpw_config_has_profile(s->config, s->profile)) {
        return s_bad(&s->profile_origin,
                     "the config profile '%s' could not be found (looked in AWS_CONFIG_FILE and "
                     "AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/config and ~/.aws/credentials)",
                     s->profile);
    }
    return 0;
}

int cpw_settings_resolve(const struct cpw_settings_options *opts, struct cpw_settings *out)
{
    memset(out, 0, sizeof(*out));
    const char *fips_env = "AWS_USE_FIPS_ENDPOINT";
    const char *ds_env = "AWS_USE_DUALSTACK_ENDPOINT";
    const char *ignore_env = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";
    const char *ca_env[] = { "AWS_CA_BUNDLE", NULL };
    int rc = s_resolve_profile(out, opts);
    rc = rc ? rc : s_resolve_region(out, opts);
    rc = rc ? rc
            : s_resolve_bool(out, opts->use_fips, "--fips", fips_env, "use_fips_endpoint",
                             &out->use_fips, &out->use_fips_origin);
    rc =
      rc ? rc
         : s_resolve_bool(out, opts->use_dualstack, "--dualstack", ds_env, "use_dualstack_endpoint",
                          &out->use_dualstack, &out->use_dualstack_origin);
    rc = rc ? rc
            : s_resolve_bool(out, -1, NULL, ignore_env, "ignore_configured_endpoint_urls",
                             &out->ignore_configured_endpoint_urls,
                             &out->ignore_configured_endpoint_urls_origin);
    rc = rc ? rc : s_resolve_retries(out);
    rc = rc ? rc : s_resolve_output(out, opts);
    if (rc == 0 && opts->endpoint_url) {
        rc = cpw_endpoint_url_check(opts->endpoint_url, "--endpoint-url");
        out->endpoint_url = rc ? NULL : cpw_strdup(opts->endpoint_url);
    }
    if (rc == 0) {
        struct found f = s_lookup(out, NULL, NULL, ca_env, "ca_bundle");
        out->ca_bundle_origin = f.origin;
        out->ca_bundle = f.value ? cpw_strdup(f.value) : NULL;
        s_timeout(opts->connect_timeout_ms, "--connect-timeout", &out->connect_timeout_ms,
                  &out->connect_timeout_origin);
        s_timeout(opts->read_timeout_ms, "--read-timeout", &out->read_timeout_ms,
                  &out->read_timeout_origin);
    }
    if (rc) {
        cpw_settings_clean_up(out);
    }
    return rc;
}

void cpw_settings_clean_up(struct cpw_settings *settings)
{
    if (!settings) {
        return;
    }
    cpw_free(settings->profile);
    cpw_free(settings->region);
    cpw_free(settings->endpoint_url);
    cpw_free(settings->ca_bundle);
    cpw_config_destroy(settings->owned_config);
    memset(settings, 0, sizeof(*settings));
}

int cpw_settings_endpoint(const struct cpw_settings *settings,
                          const char *service,
                          const char *region,
                          struct cpw_endpoint *out)
{
    struct cpw_endpoint_options opts = {
        .service = service,
        .region = region ? region : settings->region,
        .endpoint_url = settings->endpoint_url,
        .use_fips = settings->use_fips,
        .use_dualstack = settings->use_dualstack,
        .ignore_configured_endpoint_urls = settings->ignore_configured_endpoint_urls,
        .config = settings->config,
    };
    return cpw_endpoint_resolve(&opts, out);
}

static int s_describe_line(struct cpw_buf *out,
                           const char *name,
                           const char *value,
                           const struct cpw_setting_origin *origin)
{
    int rc = cpw_buf_appendf(out, "%s = %s (", name, value);
    rc = rc ? rc : cpw_setting_origin_describe(origin, out);
    return rc ? rc : cpw_buf_append_cstr(out, ")\n");
}

int cpw_settings_describe(const struct cpw_settings *s, struct cpw_buf *out)
{
    char attempts[16];
    char connect_ms[16];
    char read_ms[16];
    (void)snprintf(attempts, sizeof(attempts), "%u", s->max_attempts);
    (void)snprintf(connect_ms, sizeof(connect_ms), "%u ms", s->connect_timeout_ms);
    (void)snprintf(read_ms, sizeof(read_ms), "%u ms", s->read_timeout_ms);
    const struct cpw_setting_origin option = { .source = CPW_SETTING_OPTION,
                                               .name = "--endpoint-url" };
    const struct cpw_setting_origin none = { .source = CPW_SETTING_DEFAULT };
    int rc = s_describe_line(out, "profile", s->profile, &s->profile_origin);
    rc =
      rc ? rc : s_describe_line(out, "region", s->region ? s->region : "(none)", &s->region_origin);
    rc =
      rc ? rc
         : s_describe_line(out, "endpoint_url", s->endpoint_url ? s->endpoint_url : "(per service)",
                           s->endpoint_url ? &option : &none);
    rc = rc ? rc
            : s_describe_line(out, "use_fips_endpoint", s->use_fips ? "true" : "false",
                              &s->use_fips_origin);
    rc = rc ? rc
            : s_describe_line(out, "use_dualstack_endpoint", s->use_dualstack ? "true" : "false",
                              &s->use_dualstack_origin);
    rc = rc ? rc
            : s_describe_line(out, "ignore_configured_endpoint_urls",
                              s->ignore_configured_endpoint_urls ? "true" : "false",
                              &s->ignore_configured_endpoint_urls_origin);
    rc = rc ? rc
            : s_describe_line(out, "retry_mode", cpw_retry_mode_name(s->retry_mode),
                              &s->retry_mode_origin);
    rc = rc ? rc : s_describe_line(out, "max_attempts", attempts, &s->max_attempts_origin);
    rc = rc ? rc
            : s_describe_line(out, "ca_bundle", s->ca_bundle ? s->ca_bundle : "(system)",
                              &s->ca_bundle_origin);
    rc = rc ? rc : s_describe_line(out, "connect_timeout", connect_ms, &s->connect_timeout_origin);
    rc = rc ? rc : s_describe_line(out, "read_timeout", read_ms, &s->read_timeout_origin);
    rc = rc ? rc
            : s_describe_line(out, "output", cpw_output_format_name(s->output), &s->output_origin);
    return rc;
}

const char *cpw_output_format_name(enum cpw_output_format format)
{
    switch (format) {
    case CPW_OUTPUT_JSON:
        return "json";
    case CPW_OUTPUT_CSV:
        return "csv";
    case CPW_OUTPUT_MARKDOWN:
        return "markdown";
    case CPW_OUTPUT_TEXT:
        return "text";
    case CPW_OUTPUT_TABLE:
        break;
    }
    return "table";
}
