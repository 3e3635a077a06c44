/*
 * test_endpoints.c - endpoint resolution: the precedence chain of configured endpoint URLs,
 * defaults per partition (global IAM/Organizations, regional STS), FIPS and dual-stack, URL
 * checks. Environment variables are set and restored inside each test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/config.h"
#include "cpw/endpoints.h"
#include "cpw/error.h"
#include "cpw/model.h"
#include "harness.h"

static const char *const s_env_names[] = {
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_CUSTOMER_PROFILES",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_CONNECT",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_PROFILE",
};

static void s_clear_env(void)
{
    for (size_t i = 0; i < sizeof(s_env_names) / sizeof(s_env_names[0]); i++) {
        unsetenv(s_env_names[i]);
    }
}

static char s_dir[64];

/* Writes a config file into a fresh temp dir and loads it for profile. */
static struct cpw_config *s_config(const char *text, const char *profile)
{
    snprintf(s_dir, sizeof(s_dir), "/tmp/cpw-endpoints-XXXXXX");
    assert_non_null(mkdtemp(s_dir));
    char config[128];
    char creds[128];
    snprintf(config, sizeof(config), "%s/config", s_dir);
    snprintf(creds, sizeof(creds), "%s/credentials", s_dir);
    FILE *f = fopen(config, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    struct cpw_config_load_options opts = { .config_path = config,
                                            .credentials_path = creds,
                                            .profile = profile };
    struct cpw_config *cfg = cpw_config_load(&opts);
    assert_non_null(cfg);
    unlink(config);
    rmdir(s_dir);
    return cfg;
}

/* Resolves and returns 0/-1; on success the caller checks and cleans ep. */
static int s_resolve(const char *service,
                     const char *region,
                     const char *option_url,
                     const struct cpw_config *cfg,
                     struct cpw_endpoint *ep)
{
    struct cpw_endpoint_options opts = {
        .service = service, .region = region, .endpoint_url = option_url, .config = cfg
    };
    return cpw_endpoint_resolve(&opts, ep);
}

static void s_expect(const char *service,
                     const char *region,
                     bool fips,
                     bool dualstack,
                     const char *url,
                     const char *signing_region)
{
    struct cpw_endpoint ep;
    struct cpw_endpoint_options opts = {
        .service = service, .region = region, .use_fips = fips, .use_dualstack = dualstack
    };
    if (cpw_endpoint_resolve(&opts, &ep) != 0) {
        fail_msg("%s %s: %s", service, region, cpw_last_error_detail());
    }
    assert_string_equal(ep.url, url);
    assert_string_equal(ep.hostname, url + strlen("https://"));
    assert_string_equal(ep.signing_region, signing_region);
    assert_int_equal(ep.source, CPW_ENDPOINT_FROM_PARTITION);
    cpw_endpoint_clean_up(&ep);
}

static void s_expect_error(const char *service,
                           const char *region,
                           bool fips,
                           bool dualstack,
                           const char *needle)
{
    struct cpw_endpoint ep;
    struct cpw_endpoint_options opts = {
        .service = service, .region = region, .use_fips = fips, .use_dualstack = dualstack
    };
    assert_int_equal(cpw_endpoint_resolve(&opts, &ep), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
    if (!strstr(cpw_last_error_detail(), needle)) {
        fail_msg("'%s' not in '%s'", needle, cpw_last_error_detail());
    }
    assert_null(ep.url);
}

static void test_names_from_service_id(void **state)
{
    (void)state;
    char *env = cpw_endpoint_env_name("customer-profiles");
    char *key = cpw_endpoint_service_key("customer-profiles");
    assert_string_equal(env, "AWS_ENDPOINT_URL_CUSTOMER_PROFILES");
    assert_string_equal(key, "customer_profiles");
    cpw_free(env);
    cpw_free(key);
    env = cpw_endpoint_env_name("iam");
    assert_string_equal(env, "AWS_ENDPOINT_URL_IAM");
    cpw_free(env);
    env = cpw_endpoint_env_name("sso");
    assert_string_equal(env, "AWS_ENDPOINT_URL_SSO");
    cpw_free(env);
    assert_null(cpw_endpoint_env_name("nosuch"));
    cpw_model_clean_up();
}

static void test_regional_defaults(void **state)
{
    (void)state;
    s_clear_env();
    s_expect("customer-profiles", "us-east-1", false, false,
             "https://profile.us-east-1.amazonaws.com", "us-east-1");
    s_expect("connect", "eu-west-2", false, false, "https://connect.eu-west-2.amazonaws.com",
             "eu-west-2");
    s_expect("cloudtrail", "ap-south-1", false, false,
             "https://cloudtrail.ap-south-1.amazonaws.com", "ap-south-1");
    s_expect("sso", "eu-central-1", false, false, "https://portal.sso.eu-central-1.amazonaws.com",
             "eu-central-1");
    /* STS is regional once a region is set; aws-global is the legacy global endpoint. */
    s_expect("sts", "eu-west-1", false, false, "https://sts.eu-west-1.amazonaws.com", "eu-west-1");
    s_expect("sts", "aws-global", false, false, "https://sts.amazonaws.com", "us-east-1");
    s_expect("sts", "cn-north-1", false, false, "https://sts.cn-north-1.amazonaws.com.cn",
             "cn-north-1");
    /* A region newer than the data still gets the partition's pattern. */
    s_expect("connect", "eu-west-9", false, false, "https://connect.eu-west-9.amazonaws.com",
             "eu-west-9");

    struct cpw_endpoint ep;
    assert_int_equal(s_resolve("customer-profiles", "us-east-1", NULL, NULL, &ep), 0);
    assert_string_equal(ep.signing_name, "profile");
    assert_non_null(strstr(ep.source_detail, "partition aws"));
    cpw_endpoint_clean_up(&ep);
    cpw_model_clean_up();
}

static void test_global_services_per_partition(void **state)
{
    (void)state;
    s_clear_env();
    s_expect("iam", "eu-west-1", false, false, "https://iam.amazonaws.com", "us-east-1");
    s_expect("iam", "us-east-1", false, false, "https://iam.amazonaws.com", "us-east-1");
    s_expect("iam", "cn-northwest-1", false, false, "https://iam.cn-north-1.amazonaws.com.cn",
             "cn-north-1");
    s_expect("iam", "us-gov-east-1", false, false, "https://iam.us-gov.amazonaws.com",
             "us-gov-west-1");
    s_expect("organizations", "eu-west-1", false, false,
             "https://organizations.us-east-1.amazonaws.com", "us-east-1");
    s_expect("organizations", "cn-north-1", false, false,
             "https://organizations.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1");
    s_expect("organizations", "us-gov-east-1", false, false,
             "https://organizations.us-gov-west-1.amazonaws.com", "us-gov-west-1");
    cpw_model_clean_up();
}

static void test_fips(void **state)
{
    (void)state;
    s_clear_env();
    s_expect("customer-profiles", "us-east-1", true, false,
             "https://profile-fips.us-east-1.amazonaws.com", "us-east-1");
    s_expect("connect", "ca-central-1", true, false,
             "https://connect-fips.ca-central-1.amazonaws.com", "ca-central-1");
    s_expect("sts", "us-west-2", true, false, "https://sts-fips.us-west-2.amazonaws.com",
             "us-west-2");
    s_expect("iam", "eu-west-1", true, false, "https://iam-fips.amazonaws.com", "us-east-1");
    s_expect("organizations", "us-east-1", true, false,
             "https://organizations-fips.us-east-1.amazonaws.com", "us-east-1");
    s_expect("iam", "us-iso-east-1", true, false, "https://iam-fips.us-iso-east-1.c2s.ic.gov",
             "us-iso-east-1");
    s_expect_error("sts", "aws-global", true, false, "no FIPS endpoint in partition aws");
    /* GovCloud's FIPS endpoints are its ordinary ones. */
    s_expect("iam", "us-gov-west-1", true, false, "https://iam.us-gov.amazonaws.com",
             "us-gov-west-1");
    s_expect("connect", "us-gov-west-1", true, false, "https://connect.us-gov-west-1.amazonaws.com",
             "us-gov-west-1");
    s_expect("sts", "us-gov-east-1", true, false, "https://sts.us-gov-east-1.amazonaws.com",
             "us-gov-east-1");
    /* Where no FIPS endpoint is published: an error that says where they are. */
    s_expect_error("customer-profiles", "eu-west-2", true, false, "no FIPS endpoint in eu-west-2");
    s_expect_error("customer-profiles", "eu-west-2", true, false, "us-east-1");
    s_expect_error("iam", "cn-north-1", true, false, "no FIPS endpoint in partition aws-cn");
    s_expect_error("sts", "cn-north-1", true, false, "no FIPS endpoint in partition aws-cn");
    cpw_model_clean_up();
}

static void test_dualstack(void **state)
{
    (void)state;
    s_clear_env();
    s_expect("customer-profiles", "us-east-1", false, true, "https://profile.us-east-1.api.aws",
             "us-east-1");
    s_expect("sts", "cn-north-1", false, true,
             "https://sts.cn-north-1.api.amazonwebservices.com.cn", "cn-north-1");
    s_expect("iam", "eu-west-1", false, true, "https://iam.global.api.aws", "us-east-1");
    s_expect("connect", "us-east-1", true, true, "https://connect-fips.us-east-1.api.aws",
             "us-east-1");
    s_expect_error("sts", "us-iso-east-1", false, true, "no dual-stack endpoints");
    s_expect_error("organizations", "us-east-1", false, true, "no dual-stack endpoint");
    s_expect("iam", "eu-west-1", true, true, "https://iam-fips.global.api.aws", "us-east-1");
    s_expect("iam", "cn-north-1", false, true, "https://iam.global.api.amazonwebservices.com.cn",
             "cn-north-1");
    s_expect("iam", "us-gov-west-1", false, true, "https://iam.us-gov.api.aws", "us-gov-west-1");
    s_expect_error("organizations", "us-east-1", true, true, "no FIPS dual-stack endpoint");
    s_expect_error("connect", "eu-west-2", true, true, "no FIPS endpoint in eu-west-2");
    cpw_model_clean_up();
}

static const char s_config_text[] = "[default]\n"
                                    "region = eu-west-1\n"
                                    "endpoint_url = http://127.0.0.1:5005\n"
                                    "services = local\n"
                                    "[profile bare]\n"
                                    "endpoint_url = http://127.0.0.1:5005/\n"
                                    "[services local]\n"
                                    "customer_profiles =\n"
                                    "  endpoint_url = http://127.0.0.1:5004\n"
                                    "iam =\n"
                                    "  endpoint_url = http://localhost:5006/prefix/\n";

/* Each step of the chain wins over every step below it. */
static void test_precedence_chain(void **state)
{
    (void)state;
    s_clear_env();
    struct cpw_config *cfg = s_config(s_config_text, "default");
    struct cpw_endpoint ep;

    /* 4: [services] sub-key beats the profile's endpoint_url (5). */
    assert_int_equal(s_resolve("customer-profiles", "eu-west-1", NULL, cfg, &ep), 0);
    assert_string_equal(ep.url, "http://127.0.0.1:5004");
    assert_string_equal(ep.hostname, "127.0.0.1:5004");
    assert_int_equal(ep.source, CPW_ENDPOINT_FROM_SERVICES);
    assert_non_null(strstr(ep.source_detail, "[services local] customer_profiles.endpoint_url"));
    cpw_endpoint_clean_up(&ep);

    /* 5: a service without a sub-key takes the profile's endpoint_url. */
    assert_int_equal(s_resolve("connect", "eu-west-1", NULL, cfg, &ep), 0);
    assert_string_equal(ep.url, "http://127.0.0.1:5005");
    assert_int_equal(ep.source, CPW_ENDPOINT_FROM_PROFILE);
    cpw_endpoint_clean_up(&ep);

    /* 3: AWS_ENDPOINT_URL beats the config file. */
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5003", 1);
    assert_int_equal(s_resolve("customer-profiles", "eu-west-1", NULL, cfg, &ep), 0);
    assert_string_equal(ep.url, "http://127.0.0.1:5003");
    assert_int_equal(ep.source, CPW_ENDPOINT_FROM_ENV);
    assert_string_equal(ep.source_detail, "env AWS_ENDPOINT_URL");
    cpw_endpoint_clean_up(&ep);

    /* 2: the service's own variable beats AWS_ENDPOINT_URL. */
    setenv("AWS_ENDPOINT_URL_CUSTOMER_PROFILES", "http://127.0.0.1:5002", 1);
    assert_int_equal(s_resolve("customer-profiles", "eu-west-1", NULL, cfg, &ep), 0);
    assert_string_equal(ep.url, "http://127.0.0.1:5002");
    assert_int_equal(ep.source, CPW_ENDPOINT_FROM_ENV_SERVICE);
    assert_string_equal(ep.source_detail, "env AWS_ENDPOINT_URL_CUSTOMER_PROFILES");
    cpw_endpoint_clean_up(&ep);
    /* ... but only for that service. */
    assert_int_equal(s_resolve("connect", "eu-west-1", NULL, cfg, &ep), 0);
    assert_string_equal(ep.url, "http://127.0.0.1:5003");
    cpw_endpoint_clean_up(&ep);

    /* 1: the option beats everything. */
    assert_int_equal(
      s_resolve("customer-profiles", "eu-west-1", "https://sandbox.test:8443/", cfg, &ep), 0);
    assert_string_equal(ep.url, "https://sandbox.test:8443");
    assert_string_equal(ep.hostname, "sandbox.test:8443");
    assert_int_equal(ep.source, CPW_ENDPOINT_FROM_OPTION);
    cpw_endpoint_clean_up(&ep);

    s_clear_env();
    cpw_config_destroy(cfg);
    cpw_model_clean_up();
}

static void test_custom_endpoint_signs_client_region(void **state)
{
    (void)state;
    s_clear_env();
    struct cpw_config *cfg = s_config(s_config_text, "default");
    struct cpw_endpoint ep;
    /* IAM would sign us-east-1 by default; with a custom URL the client region is kept. */
    assert_int_equal(s_resolve("iam", "eu-west-1", NULL, cfg, &ep), 0);
    assert_string_equal(ep.url, "http://localhost:5006/prefix");
    assert_string_equal(ep.hostname, "localhost:5006");
    assert_string_equal(ep.signing_region, "eu-west-1");
    assert_string_equal(ep.signing_name, "iam");
    cpw_endpoint_clean_up(&ep);
    setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:80", 1);
    assert_int_equal(s_resolve("sts", "aws-global", NULL, cfg, &ep), 0);
    assert_string_equal(ep.signing_region, "aws-global");
    assert_string_equal(ep.hostname, "127.0.0.1"); /* the default port is not repeated */
    cpw_endpoint_clean_up(&ep);
    /* A custom URL wins over FIPS and dual-stack, as in botocore; the detail says so. */
    struct cpw_endpoint_options opts = {
        .service = "sts", .region = "eu-west-1", .use_fips = true, .config = cfg
    };
    assert_int_equal(cpw_endpoint_resolve(&opts, &ep), 0);
    assert_string_equal(ep.url, "http://127.0.0.1:80");
    assert_string_equal(ep.signing_region, "eu-west-1");
    assert_non_null(strstr(ep.source_detail, "env AWS_ENDPOINT_URL_STS"));
    assert_non_null(strstr(ep.source_detail, "FIPS not applied"));
    cpw_endpoint_clean_up(&ep);
    s_clear_env();
    cpw_config_destroy(cfg);
    cpw_model_clean_up();
}

static void test_ignore_configured_endpoint_urls(void **state)
{
    (void)state;
    s_clear_env();
    struct cpw_config *cfg = s_config(s_config_text, "default");
    struct cpw_endpoint ep;
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5003", 1);
    setenv("AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:5002", 1);
    struct cpw_endpoint_options opts = { .service = "iam",
                                         .region = "eu-west-1",
                                         .ignore_configured_endpoint_urls = true,
                                         .config = cfg };
    assert_int_equal(cpw_endpoint_resolve(&opts, &ep), 0);
    assert_string_equal(ep.url, "https://iam.amazonaws.com");
    assert_string_equal(ep.signing_region, "us-east-1");
    assert_int_equal(ep.source, CPW_ENDPOINT_FROM_PARTITION);
    cpw_endpoint_clean_up(&ep);
    /* ... but never the explicit option. */
    opts.endpoint_url = "http://127.0.0.1:4566";
    assert_int_equal(cpw_endpoint_resolve(&opts, &ep), 0);
    assert_string_equal(ep.url, "http://127.0.0.1:4566");
    assert_string_equal(ep.signing_region, "eu-west-1");
    cpw_endpoint_clean_up(&ep);
    s_clear_env();
    cpw_config_destroy(cfg);
    cpw_model_clean_up();
}

static void test_bad_urls(void **state)
{
    (void)state;
    s_clear_env();
    struct {
        const char *url;
        const char *needle;
    } bad[] = {
        { "", "empty" },
        { "127.0.0.1:4566", "http:// or https://" },
        { "ftp://host", "http:// or https://" },
        { "http://", "no host" },
        { "http://:4566", "no host" },
        { "http://user:pw@host", "user information" },
        { "http://host/#frag", "fragment" },
        { "http://host/?a=b", "query" },
        { "http://host:0", "bad port" },
        { "http://host:99999", "bad port" },
        { "http://host:abc", "bad port" },
        { "http://ho st", "space" },
        { "http://[::1", "IPv6" },
        { "http://ho$t:4566", "host name cannot" },
        { "http://host\\x/", "host name cannot" },
        { "http://[::g]:1", "host name cannot" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(cpw_endpoint_url_check(bad[i].url, "--endpoint-url"), -1);
        assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
        if (!strstr(cpw_last_error_detail(), bad[i].needle) ||
            !strstr(cpw_last_error_detail(), "--endpoint-url")) {
            fail_msg("%s: '%s'", bad[i].url, cpw_last_error_detail());
        }
    }
    assert_int_equal(cpw_endpoint_url_check("HTTPS://Host.example:443/base/path", "x"), 0);
    assert_int_equal(cpw_endpoint_url_check("http://[::1]:4566", "x"), 0);

    /* A bad configured URL names where it came from. */
    setenv("AWS_ENDPOINT_URL_IAM", "localhost:4566", 1);
    struct cpw_endpoint ep;
    assert_int_equal(s_resolve("iam", "us-east-1", NULL, NULL, &ep), -1);
    assert_non_null(strstr(cpw_last_error_detail(), "AWS_ENDPOINT_URL_IAM"));
    s_clear_env();
    /* A region is still required, and checked, with a custom URL. */
    assert_int_equal(s_resolve("iam", NULL, "http://127.0.0.1:4566", NULL, &ep), -1);
    assert_non_null(strstr(cpw_last_error_detail(), "You must specify a region"));
    assert_int_equal(s_resolve("iam", "euwest1", "http://127.0.0.1:4566", NULL, &ep), -1);
    assert_non_null(strstr(cpw_last_error_detail(), "euwest1"));
    assert_int_equal(s_resolve("nosuch", "us-east-1", NULL, NULL, &ep), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_MODEL);
    cpw_model_clean_up();
}

CPW_TEST_MAIN("endpoints",
              CPW_TEST(test_names_from_service_id),
              CPW_TEST(test_regional_defaults),
              CPW_TEST(test_global_services_per_partition),
              CPW_TEST(test_fips),
              CPW_TEST(test_dualstack),
              CPW_TEST(test_precedence_chain),
              CPW_TEST(test_custom_endpoint_signs_client_region),
              CPW_TEST(test_ignore_configured_endpoint_urls),
              CPW_TEST(test_bad_urls))
