/*
 * endpoints.c - endpoint resolution for (service, region): the configured endpoint URL chain of
 * botocore's configprovider.py, then the default endpoint from the partitions table, with the
 * FIPS and dual-stack variants it publishes. See endpoints.h for the rules.
 */
#include "cpw/endpoints.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/model.h"
#include "cpw/regions.h"

#define URL_MAX_LEN  2048u
#define NAME_MAX_LEN 256u

static char *s_upper_or_lower_id(const char *service, bool upper, const char *prefix)
{
    const struct cpw_model_service *svc = cpw_model_service_get(service);
    if (!svc) {
        return NULL;
    }
    const char *id = cpw_model_service_id(svc);
    struct cpw_buf out;
    cpw_buf_init(&out, NAME_MAX_LEN);
    int rc = cpw_buf_append_cstr(&out, prefix);
    for (const char *p = id ? id : ""; *p && rc == 0; p++) {
        int c = (unsigned char)*p;
        c = c == ' ' ? '_' : (upper ? toupper(c) : tolower(c));
        rc = cpw_buf_append_byte(&out, (uint8_t)c);
    }
    if (rc) {
        cpw_buf_clean_up(&out);
        return NULL;
    }
    return cpw_buf_detach(&out);
}

char *cpw_endpoint_env_name(const char *service)
{
    return s_upper_or_lower_id(service, true, "AWS_ENDPOINT_URL_");
}

char *cpw_endpoint_service_key(const char *service)
{
    return s_upper_or_lower_id(service, false, "");
}

const char *cpw_endpoint_source_name(enum cpw_endpoint_source source)
{
    switch (source) {
    case CPW_ENDPOINT_FROM_OPTION:
        return "option";
    case CPW_ENDPOINT_FROM_ENV_SERVICE:
        return "service environment variable";
    case CPW_ENDPOINT_FROM_ENV:
        return "environment variable";
    case CPW_ENDPOINT_FROM_SERVICES:
        return "profile services section";
    case CPW_ENDPOINT_FROM_PROFILE:
        return "profile";
    case CPW_ENDPOINT_FROM_PARTITION:
        return "partition default";
    }
    return "unknown";
}

void cpw_endpoint_clean_up(struct cpw_endpoint *ep)
{
    if (!ep) {
        return;
    }
    cpw_free(ep->url);
    cpw_free(ep->hostname);
    cpw_free(ep->signing_region);
    cpw_free(ep->signing_name);
    cpw_free(ep->source_detail);
    memset(ep, 0, sizeof(*ep));
}

/* ----- URL checks ------------------------------------------------------------------------- */

/* Host names: letters, digits, '-', '.', '_'; a bracketed IPv6 literal: hex digits, ':', '.'. */
static bool s_host_chars_ok(struct cpw_span host)
{
    bool v6 = host.len >= 2 && host.ptr[0] == '[';
    size_t start = v6 ? 1 : 0;
    size_t end = v6 ? host.len - 1 : host.len;
    for (size_t i = start; i < end; i++) {
        int c = host.ptr[i];
        bool ok = v6 ? (isxdigit(c) || c == ':' || c == '.')
                     : (isalnum(c) || c == '-' || c == '.' || c == '_');
        if (!ok) {
            return false;
        }
    }
    return true;
}

/* Splits and checks url; on success *normal is the URL without trailing '/' and *host the Host
 * header value (both owned). */
static int s_parse_url(const char *url, const char *what, char **normal, char **host)
{
    size_t len = url ? strlen(url) : 0;
    if (len == 0) {
        return cpw_raise(CPW_ERR_CONFIG, "%s: the endpoint URL is empty", what);
    }
    if (len > URL_MAX_LEN) {
        return cpw_raise(CPW_ERR_CONFIG, "%s: the endpoint URL is longer than %u bytes", what,
                         URL_MAX_LEN);
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c == 0x7f) {
            return cpw_raise(CPW_ERR_CONFIG,
                             "%s: endpoint URL '%s' contains a space or control character", what,
                             url);
        }
    }
    struct cpw_span s = cpw_span_from(url, len);
    long sep = cpw_span_find(s, cpw_span_from_cstr("://"));
    struct cpw_span scheme = sep > 0 ? cpw_span_sub(s, 0, (size_t)sep) : (struct cpw_span){ 0 };
    bool https = cpw_span_eq_ignore_case(scheme, cpw_span_from_cstr("https"));
    if (!https && !cpw_span_eq_ignore_case(scheme, cpw_span_from_cstr("http"))) {
        return cpw_raise(CPW_ERR_CONFIG,
                         "%s: endpoint URL '%s' must start with http:// or https://", what, url);
    }
    if (cpw_span_find_byte(s, '#') >= 0) {
        return cpw_raise(CPW_ERR_CONFIG, "%s: endpoint URL '%s' must not have a #fragment", what,
                         url);
    }
    if (cpw_span_find_byte(s, '?') >= 0) {
        return cpw_raise(CPW_ERR_CONFIG, "%s: endpoint URL '%s' must not have a ?query", what, url);
    }
    struct cpw_span rest = cpw_span_sub(s, (size_t)sep + 3, len);
    long slash = cpw_span_find_byte(rest, '/');
    struct cpw_span authority = slash < 0 ? rest : cpw_span_sub(rest, 0, (size_t)slash);
    struct cpw_span path =
      slash < 0 ? (struct cpw_span){ 0 } : cpw_span_sub(rest, (size_t)slash, rest.len);
    if (cpw_span_find_byte(authority, '@') >= 0) {
        return cpw_raise(CPW_ERR_CONFIG,
                         "%s: endpoint URL must not contain user information ('user@'); give "
                         "credentials through the AWS credential settings instead",
                         what);
    }
    struct cpw_span hostpart = authority;
    struct cpw_span port = { 0 };
    bool has_port = false;
    if (authority.len && authority.ptr[0] == '[') {
        long close = cpw_span_find_byte(authority, ']');
        if (close < 2) {
            return cpw_raise(CPW_ERR_CONFIG, "%s: endpoint URL '%s' has a malformed IPv6 host",
                             what, url);
        }
        hostpart = cpw_span_sub(authority, 0, (size_t)close + 1);
        struct cpw_span after = cpw_span_sub(authority, (size_t)close + 1, authority.len);
        if (after.len && after.ptr[0] != ':') {
            return cpw_raise(CPW_ERR_CONFIG, "%s: endpoint URL '%s' has a malformed IPv6 host",
                             what, url);
        }
        has_port = after.len > 0;
        port = cpw_span_sub(after, 1, after.len);
    } else {
        long colon = cpw_span_find_byte(authority, ':');
        if (colon >= 0) {
            hostpart = cpw_span_sub(authority, 0, (size_t)colon);
            port = cpw_span_sub(authority, (size_t)colon + 1, authority.len);
            has_port = true;
        }
    }
    if (hostpart.len == 0) {
        return cpw_raise(CPW_ERR_CONFIG, "%s: endpoint URL '%s' has no host", what, url);
    }
    if (!s_host_chars_ok(hostpart)) {
        return cpw_raise(CPW_ERR_CONFIG,
                         "%s: endpoint URL '%s' has a host with characters a host name cannot "
                         "have",
                         what, url);
    }
    uint64_t port_number = 0;
    if (has_port && (cpw_span_to_u64(port, 65535, &port_number) || port_number == 0)) {
        return cpw_raise(CPW_ERR_CONFIG,
                         "%s: endpoint URL '%s' has a bad port (expected a number 1-65535)", what,
                         url);
    }
    while (path.len && path.ptr[path.len - 1] == '/') {
        path.len--;
    }
    struct cpw_buf out;
    cpw_buf_init(&out, URL_MAX_LEN + 16);
    int rc = cpw_buf_append_cstr(&out, https ? "https://" : "http://") ||
             cpw_buf_append(&out, authority) || cpw_buf_append(&out, path);
    struct cpw_buf hdr;
    cpw_buf_init(&hdr, URL_MAX_LEN);
    rc = rc || cpw_buf_append(&hdr, hostpart);
    if (rc == 0 && has_port && port_number != (https ? 443u : 80u)) {
        rc = cpw_buf_appendf(&hdr, ":%u", (unsigned)port_number);
    }
    if (rc) {
        cpw_buf_clean_up(&out);
        cpw_buf_clean_up(&hdr);
        return -1;
    }
    *normal = cpw_buf_detach(&out);
    *host = cpw_buf_detach(&hdr);
    return 0;
}

int cpw_endpoint_url_check(const char *url, const char *what)
{
    char *normal = NULL;
    char *host = NULL;
    int rc = s_parse_url(url, what ? what : "endpoint URL", &normal, &host);
    cpw_free(normal);
    cpw_free(host);
    return rc;
}

/* ----- configured endpoint URLs ----------------------------------------------------------- */

static const char *s_env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* Finds the configured URL (steps 2-5) and describes where it came from. Returns the URL
 * (borrowed from the environment or the config) or NULL. */
static const char *s_configured_url(const struct cpw_endpoint_options *opts,
                                    const char *env_name,
                                    const char *service_key,
                                    struct cpw_buf *detail,
                                    enum cpw_endpoint_source *source)
{
    const char *v = s_env(env_name);
    if (v) {
        *source = CPW_ENDPOINT_FROM_ENV_SERVICE;
        (void)cpw_buf_appendf(detail, "env %s", env_name);
        return v;
    }
    if ((v = s_env("AWS_ENDPOINT_URL")) != NULL) {
        *source = CPW_ENDPOINT_FROM_ENV;
        (void)cpw_buf_append_cstr(detail, "env AWS_ENDPOINT_URL");
        return v;
    }
    if (!opts->config) {
        return NULL;
    }
    const char *profile = cpw_config_profile(opts->config);
    const char *section = cpw_config_get(opts->config, NULL, "services");
    if (section && *section) {
        struct cpw_buf key;
        cpw_buf_init(&key, NAME_MAX_LEN);
        (void)cpw_buf_appendf(&key, "%s.endpoint_url", service_key);
        v = cpw_config_get_section(opts->config, "services", section, cpw_buf_cstr(&key));
        if (v && *v) {
            *source = CPW_ENDPOINT_FROM_SERVICES;
            (void)cpw_buf_appendf(detail, "profile %s: [services %s] %s", profile, section,
                                  cpw_buf_cstr(&key));
        }
        cpw_buf_clean_up(&key);
        if (v && *v) {
            return v;
        }
    }
    v = cpw_config_get(opts->config, NULL, "endpoint_url");
    if (v && *v) {
        *source = CPW_ENDPOINT_FROM_PROFILE;
        (void)cpw_buf_appendf(detail, "profile %s: endpoint_url", profile);
        return v;
    }
    return NULL;
}

/* ----- defaults from the partitions table ------------------------------------------------- */

/* Appends the keys of a {region: hostname} object, comma-separated. */
static void s_list_keys(struct cpw_buf *out, const json_t *obj)
{
    const char *key;
    const json_t *v;
    bool first = true;
    json_object_foreach((json_t *)obj, key, v)
    {
        (void)cpw_buf_appendf(out, "%s%s", first ? "" : ", ", key);
        first = false;
    }
}

/* Expands {service}, {region} and {dnsSuffix} in a hostname template. */
static int s_expand(struct cpw_buf *out,
                    const char *tmpl,
                    const char *prefix,
                    const char *region,
                    const char *dns)
{
    int rc = 0;
    for (const char *p = tmpl; *p && rc == 0;) {
        if (strncmp(p, "{service}", 9) == 0) {
            rc = cpw_buf_append_cstr(out, prefix);
            p += 9;
        } else if (strncmp(p, "{region}", 8) == 0) {
            rc = cpw_buf_append_cstr(out, region);
            p += 8;
        } else if (strncmp(p, "{dnsSuffix}", 11) == 0) {
            rc = cpw_buf_append_cstr(out, dns);
            p += 11;
        } else {
            rc = cpw_buf_append_byte(out, (uint8_t)*p++);
        }
    }
    return rc;
}

struct default_ctx {
    const char *label;  /* "Customer Profiles" */
    const char *prefix; /* "profile" */
    const char *region;
    const json_t *part;
    const json_t *entry; /* the service in this partition, or NULL */
    const char *pname;
};

/* The FIPS hostname of a regional service, or an error saying where FIPS exists. */
static int s_fips_host(const struct default_ctx *c, const char *key, struct cpw_buf *host)
{
    const json_t *fips = json_object_get(c->entry, "fips");
    const char *h = json_string_value(json_object_get(fips, key));
    if (h) {
        return cpw_buf_append_cstr(host, h);
    }
    const char *tmpl = json_string_value(json_object_get(c->entry, "fipsDefault"));
    if (tmpl) {
        return s_expand(host, tmpl, c->prefix, c->region,
                        json_string_value(json_object_get(c->part, "dnsSuffix")));
    }
    if (json_object_size(fips) == 0) {
        return cpw_raise(CPW_ERR_CONFIG,
                         "%s has no FIPS endpoint in partition %s (region %s); turn FIPS off "
                         "(AWS_USE_FIPS_ENDPOINT / use_fips_endpoint) for this service",
                         c->label, c->pname, c->region);
    }
    struct cpw_buf where;
    cpw_buf_init(&where, 4096);
    s_list_keys(&where, fips);
    int rc = cpw_raise(CPW_ERR_CONFIG, "%s has no FIPS endpoint in %s; FIPS endpoints exist in: %s",
                       c->label, c->region, cpw_buf_cstr(&where));
    cpw_buf_clean_up(&where);
    return rc;
}

static int s_default(const struct default_ctx *c,
                     const struct cpw_endpoint_options *opts,
                     struct cpw_buf *host,
                     const char **signing_region,
                     struct cpw_buf *detail)
{
    const char *dns = json_string_value(json_object_get(c->part, "dnsSuffix"));
    const char *ds_dns = json_string_value(json_object_get(c->part, "dualStackDnsSuffix"));
    bool ds_ok = json_is_true(json_object_get(c->part, "supportsDualStack"));
    const char *pe = json_string_value(json_object_get(c->entry, "partitionEndpoint"));
    bool global =
      json_is_true(json_object_get(c->entry, "global")) || (pe && strcmp(pe, c->region) == 0);
    if (global && pe) {
        /* One endpoint for the partition (IAM, Organizations, sts "aws-global"). */
        const char *sr = json_string_value(json_object_get(c->entry, "signingRegion"));
        *signing_region =
          sr ? sr : json_string_value(json_object_get(c->part, "implicitGlobalRegion"));
        (void)cpw_buf_appendf(detail, "partition %s (global endpoint%s%s)", c->pname,
                              opts->use_fips ? ", FIPS" : "",
                              opts->use_dualstack ? ", dual-stack" : "");
        bool fips = opts->use_fips;
        bool dual = opts->use_dualstack;
        const char *variant = fips && dual ? "fipsDualStack"
                              : fips       ? "fips"
                              : dual       ? "dualStack"
                                           : "default";
        /* The rule set's fixed endpoint for this partition and variant, when it names one. */
        const json_t *named = json_object_get(json_object_get(c->entry, "ruleEndpoints"), variant);
        const char *h = json_string_value(json_object_get(named, "hostname"));
        if (h) {
            const char *named_sr = json_string_value(json_object_get(named, "signingRegion"));
            *signing_region = named_sr ? named_sr : *signing_region;
            return cpw_buf_append_cstr(host, h);
        }
        if (fips != dual) {
            /* The variant endpoints.json publishes for the partition endpoint. */
            h = json_string_value(json_object_get(json_object_get(c->entry, variant), pe));
        } else if (!fips) {
            h = json_string_value(json_object_get(c->entry, "hostname"));
            return h ? cpw_buf_append_cstr(host, h)
                     : cpw_buf_appendf(host, "%s.%s", c->prefix, dns);
        }
        if (!h) {
            return cpw_raise(CPW_ERR_CONFIG,
                             "%s has no %s endpoint in partition %s (region %s); turn %s off",
                             c->label,
                             fips && dual ? "FIPS dual-stack"
                             : fips       ? "FIPS"
                                          : "dual-stack",
                             c->pname, c->region, fips ? "FIPS" : "dual-stack");
        }
        return cpw_buf_append_cstr(host, h);
    }
    *signing_region = c->region;
    (void)cpw_buf_appendf(detail, "partition %s%s%s", c->pname, opts->use_fips ? " (FIPS)" : "",
                          opts->use_dualstack ? " (dual-stack)" : "");
    if (opts->use_dualstack && !ds_ok) {
        return cpw_raise(CPW_ERR_CONFIG,
                         "partition %s (region %s) has no dual-stack endpoints; turn dual-stack "
                         "off (AWS_USE_DUALSTACK_ENDPOINT / use_dualstack_endpoint)",
                         c->pname, c->region);
    }
    if (opts->use_fips && !opts->use_dualstack) {
        return s_fips_host(c, c->region, host);
    }
    if (opts->use_fips) {
        /* FIPS and dual-stack: only where a FIPS endpoint exists at all. */
        struct cpw_buf probe;
        cpw_buf_init(&probe, NAME_MAX_LEN);
        int rc = s_fips_host(c, c->region, &probe);
        cpw_buf_clean_up(&probe);
        return rc ? rc : cpw_buf_appendf(host, "%s-fips.%s.%s", c->prefix, c->region, ds_dns);
    }
    return cpw_buf_appendf(host, "%s.%s.%s", c->prefix, c->region,
                           opts->use_dualstack ? ds_dns : dns);
}

/* ----- resolution ------------------------------------------------------------------------- */

int cpw_endpoint_resolve(const struct cpw_endpoint_options *opts, struct cpw_endpoint *out)
{
    memset(out, 0, sizeof(*out));
    const struct cpw_model_service *svc = cpw_model_service_get(opts->service);
    if (!svc) {
        return -1;
    }
    if (!opts->region || !*opts->region) {
        return cpw_raise(CPW_ERR_CONFIG, "You must specify a region (--region, AWS_REGION, "
                                         "AWS_DEFAULT_REGION or the profile's region)");
    }
    if (cpw_region_check(opts->region)) {
        return -1;
    }
    int rc = 0;
    char *env_name = cpw_endpoint_env_name(opts->service);
    char *service_key = cpw_endpoint_service_key(opts->service);
    struct cpw_buf detail;
    cpw_buf_init(&detail, 1024);
    struct cpw_buf host;
    cpw_buf_init(&host, URL_MAX_LEN);
    const char *url = NULL;
    enum cpw_endpoint_source source = CPW_ENDPOINT_FROM_PARTITION;
    if (opts->endpoint_url) {
        url = opts->endpoint_url;
        source = CPW_ENDPOINT_FROM_OPTION;
        (void)cpw_buf_append_cstr(&detail, "option --endpoint-url");
    } else if (!opts->ignore_configured_endpoint_urls) {
        url = s_configured_url(opts, env_name, service_key, &detail, &source);
    }
    if (url) {
        /* A custom endpoint: the client region is the scope region, for every service
         * (interop: both AWS CLIs sign IAM and STS for the configured region). */
        rc = s_parse_url(url, cpw_buf_cstr(&detail), &out->url, &out->hostname);
        if (opts->use_fips || opts->use_dualstack) {
            /* botocore drops the flags when an endpoint is given: the custom URL wins. */
            (void)cpw_buf_appendf(&detail, " (%s%s%s not applied to a custom endpoint)",
                                  opts->use_fips ? "FIPS" : "",
                                  opts->use_fips && opts->use_dualstack ? " and " : "",
                                  opts->use_dualstack ? "dual-stack" : "");
        }
        if (rc == 0) {
            out->signing_region = cpw_strdup(opts->region);
        }
    } else {
        const json_t *part = cpw_region_partition(opts->region);
        if (!part) {
            rc = -1;
            goto cleanup;
        }
        struct default_ctx c = {
            .label = cpw_model_service_id(svc),
            .prefix = cpw_model_endpoint_prefix(svc),
            .region = opts->region,
            .part = part,
            .entry = json_object_get(json_object_get(part, "services"), cpw_model_name(svc)),
            .pname = json_string_value(json_object_get(part, "partition")),
        };
        const char *signing_region = NULL;
        rc = s_default(&c, opts, &host, &signing_region, &detail);
        if (rc == 0) {
            out->hostname = cpw_strdup(cpw_buf_cstr(&host));
            out->signing_region = cpw_strdup(signing_region ? signing_region : opts->region);
            struct cpw_buf u;
            cpw_buf_init(&u, URL_MAX_LEN + 16);
            (void)cpw_buf_appendf(&u, "https://%s", out->hostname);
            out->url = cpw_buf_detach(&u);
        }
    }
    if (rc == 0) {
        out->signing_name = cpw_strdup(cpw_model_signing_name(svc));
        out->source = source;
        out->source_detail = cpw_buf_detach(&detail);
    }
cleanup:
    if (rc) {
        cpw_endpoint_clean_up(out);
    }
    cpw_buf_clean_up(&detail);
    cpw_buf_clean_up(&host);
    cpw_free(env_name);
    cpw_free(service_key);
    return rc;
}
