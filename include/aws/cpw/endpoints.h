/*
 * endpoints.h - where a request for (service, region) goes, and how it is signed.
 *
 * Precedence, as the AWS CLI v1 / botocore apply it (configprovider.py):
 *   1. an explicit endpoint URL (the --endpoint-url option);
 *   2. AWS_ENDPOINT_URL_<SERVICE_ID> (serviceId upper-cased, spaces to '_':
 *      AWS_ENDPOINT_URL_CUSTOMER_PROFILES, AWS_ENDPOINT_URL_IAM, ...);
 *   3. AWS_ENDPOINT_URL;
 *   4. the profile's `services = NAME` section, key `<service_key>.endpoint_url` (service key =
 *      serviceId lower-cased, spaces to '_': customer_profiles);
 *   5. the profile's `endpoint_url`;
 *   6. the default endpoint from the embedded partitions table.
 * Steps 2-5 are skipped when ignore_configured_endpoint_urls is set (AWS_IGNORE_CONFIGURED_
 * ENDPOINT_URLS=true or the profile's ignore_configured_endpoint_urls = true); step 1 never is.
 *
 * Defaults: https://{endpointPrefix}.{region}.{dnsSuffix}, signed for the region; global
 * services (IAM, Organizations) use their partition's global endpoint and signing region
 * (iam.amazonaws.com / us-east-1); a partition endpoint pseudo-region (sts "aws-global") uses
 * its hostname. FIPS and dual-stack variants exist only where the table publishes them; asking
 * for one elsewhere is an error. With a custom URL the signing region is the client region
 * unchanged, for every service (IAM and STS included), and the FIPS/dual-stack flags do not
 * apply (botocore drops them too; source_detail says so).
 *
 * Thread-safety: resolution is thread-safe; it reads the environment with getenv().
 */
#ifndef CPW_ENDPOINTS_H
#define CPW_ENDPOINTS_H

#include <stdbool.h>
#include <stddef.h>

#include "cpw/config.h"

/* Where the endpoint came from, in precedence order. */
enum cpw_endpoint_source {
    CPW_ENDPOINT_FROM_OPTION,      /* --endpoint-url */
    CPW_ENDPOINT_FROM_ENV_SERVICE, /* AWS_ENDPOINT_URL_<SERVICE_ID> */
    CPW_ENDPOINT_FROM_ENV,         /* AWS_ENDPOINT_URL */
    CPW_ENDPOINT_FROM_SERVICES,    /* [services NAME] <service_key>.endpoint_url */
    CPW_ENDPOINT_FROM_PROFILE,     /* the profile's endpoint_url */
    CPW_ENDPOINT_FROM_PARTITION,   /* the default from the partitions table */
};

struct cpw_endpoint {
    char *url;            /* "https://profile.us-east-1.amazonaws.com" or the custom URL
                             (scheme, host, port, path prefix; no trailing '/') */
    char *hostname;       /* the Host header: host, plus ":port" when not the scheme's default */
    char *signing_region; /* the SigV4 scope region */
    char *signing_name;   /* the SigV4 scope service ("profile", "iam") */
    enum cpw_endpoint_source source;
    char *source_detail; /* for diagnostics: "env AWS_ENDPOINT_URL_IAM", "profile dev: [services
                            local] iam.endpoint_url", "partition aws (global endpoint)" */
};

struct cpw_endpoint_options {
    const char *service;      /* cpwarden name, signing name or endpoint prefix ("iam") */
    const char *region;       /* the client region; required */
    const char *endpoint_url; /* explicit --endpoint-url, or NULL */
    bool use_fips;            /* FIPS endpoint wanted */
    bool use_dualstack;       /* dual-stack (IPv6) endpoint wanted */
    bool ignore_configured_endpoint_urls; /* skip env/config endpoint URLs (not the option) */
    const struct cpw_config *config;      /* the profile's settings; NULL: none */
};

/**
 * Resolves the endpoint for opts (see the precedence above) into out, which the caller zeroes.
 * Returns 0, or -1 with CPW_ERR_CONFIG (bad URL, FIPS/dual-stack unavailable, bad region) or
 * CPW_ERR_MODEL (unknown service); out is then left empty. On success out owns its strings: release
 * with cpw_endpoint_clean_up().
 */
int cpw_endpoint_resolve(const struct cpw_endpoint_options *opts, struct cpw_endpoint *out);

/** Frees the strings of ep and zeroes it. NULL is a no-op. */
void cpw_endpoint_clean_up(struct cpw_endpoint *ep);

/**
 * Checks an endpoint URL: scheme http or https, a host, an optional numeric port (1-65535), an
 * optional path prefix; no user info, query or fragment, no spaces or control characters.
 * what names the setting in the error ("--endpoint-url", "AWS_ENDPOINT_URL_IAM"). Returns 0 or
 * -1 with CPW_ERR_CONFIG.
 */
int cpw_endpoint_url_check(const char *url, const char *what);

/** A short English name of source ("option", "environment", ...). Static storage. */
const char *cpw_endpoint_source_name(enum cpw_endpoint_source source);

/**
 * The environment variable that overrides service's endpoint ("AWS_ENDPOINT_URL_CUSTOMER_
 * PROFILES") and the key of its [services] section ("customer_profiles"), from the model's
 * serviceId. Owned by the caller (cpw_free); NULL with CPW_ERR_MODEL for an unknown service.
 */
char *cpw_endpoint_env_name(const char *service);
char *cpw_endpoint_service_key(const char *service);

#endif
