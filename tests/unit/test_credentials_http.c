/*
 * test_credentials_http.c - the container and IMDS sources against in-process libmicrohttpd
 * fakes on 127.0.0.1 (ephemeral ports), and the precedence of the whole chain: environment,
 * then profile, then container, then IMDS.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include "credentials_fixture.h"

#define IMDS_TOKEN     "imds-session-token-AQAEAGl"
#define CONTAINER_AUTH "container-auth-token-0001"

enum fake_mode {
    MODE_NORMAL,
    MODE_IMDS_V1_ONLY,  /* the token PUT answers 404, GETs need no token */
    MODE_IMDS_NO_ROLE,  /* the role list answers 404 */
    MODE_CONTAINER_403, /* the container endpoint refuses */
    MODE_IMDS_503_ONCE, /* the next token PUT answers 503, later ones work */
};

struct fake_http {
    struct MHD_Daemon *daemon;
    char base[64]; /* http://127.0.0.1:PORT */
    pthread_mutex_t lock;
    enum fake_mode mode;
    int token_puts;
    int gets;
    int unauthorized;
    int container_gets;
};

static enum MHD_Result s_answer(struct MHD_Connection *connection,
                                unsigned status,
                                const char *body)
{
    struct MHD_Response *response =
      MHD_create_response_from_buffer(strlen(body), (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result rc = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return rc;
}

static void s_credentials_json(char *out, size_t size, const char *akid)
{
    char expiration[CPW_TIME_ISO8601_LEN + 1];
    cpw_time_format_iso8601(cpw_time_now_s() + 6 * 3600, expiration);
    snprintf(out, size,
             "{\"Code\": \"Success\", \"Type\": \"AWS-HMAC\", \"AccessKeyId\": \"%s\", "
             "\"SecretAccessKey\": \"%s-secret-0001\", \"Token\": \"%s-token-0001\", "
             "\"Expiration\": \"%s\"}",
             akid, akid, akid, expiration);
}

static enum MHD_Result s_handler(void *cls,
                                 struct MHD_Connection *connection,
                                 const char *url,
                                 const char *method,
                                 const char *version,
                                 const char *upload_data,
                                 size_t *upload_data_size,
                                 void **con_cls)
{
    (void)version;
    (void)upload_data;
    struct fake_http *fake = cls;
    if (*con_cls == NULL) {
        *con_cls = fake; /* first call: headers only */
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    char body[1024];
    pthread_mutex_lock(&fake->lock);
    enum fake_mode mode = fake->mode;
    pthread_mutex_unlock(&fake->lock);
    if (strncmp(url, "/container/", 11) == 0) {
        const char *auth =
          MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Authorization");
        pthread_mutex_lock(&fake->lock);
        fake->container_gets++;
        pthread_mutex_unlock(&fake->lock);
        if (mode == MODE_CONTAINER_403 || !auth || strcmp(auth, CONTAINER_AUTH) != 0) {
            return s_answer(connection, 403, "{\"message\": \"bad authorization\"}");
        }
        s_credentials_json(body, sizeof(body), "ASIACONTAINER");
        return s_answer(connection, 200, body);
    }
    if (strcmp(url, "/latest/api/token") == 0) {
        const char *ttl = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                      "X-aws-ec2-metadata-token-ttl-seconds");
        pthread_mutex_lock(&fake->lock);
        fake->token_puts++;
        pthread_mutex_unlock(&fake->lock);
        if (strcmp(method, "PUT") != 0) {
            return s_answer(connection, 405, "");
        }
        if (mode == MODE_IMDS_V1_ONLY) {
            return s_answer(connection, 404, "");
        }
        if (mode == MODE_IMDS_503_ONCE) {
            pthread_mutex_lock(&fake->lock);
            fake->mode = MODE_NORMAL;
            pthread_mutex_unlock(&fake->lock);
            return s_answer(connection, 503, "");
        }
        if (!ttl || strcmp(ttl, "21600") != 0) {
            return s_answer(connection, 400, "");
        }
        return s_answer(connection, 200, IMDS_TOKEN);
    }
    const char *token =
      MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-aws-ec2-metadata-token");
    pthread_mutex_lock(&fake->lock);
    fake->gets++;
    bool refused = mode != MODE_IMDS_V1_ONLY && (!token || strcmp(token, IMDS_TOKEN) != 0);
    fake->unauthorized += refused;
    pthread_mutex_unlock(&fake->lock);
    if (refused) {
        return s_answer(connection, 401, "");
    }
    if (strcmp(url, "/latest/meta-data/iam/security-credentials/") == 0) {
        return mode == MODE_IMDS_NO_ROLE ? s_answer(connection, 404, "")
                                         : s_answer(connection, 200, "instance-role\n");
    }
    if (strcmp(url, "/latest/meta-data/iam/security-credentials/instance-role") == 0) {
        s_credentials_json(body, sizeof(body), "ASIAIMDS");
        return s_answer(connection, 200, body);
    }
    return s_answer(connection, 404, "");
}

static void s_fake_start(struct fake_http *fake)
{
    memset(fake, 0, sizeof(*fake));
    pthread_mutex_init(&fake->lock, NULL);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = 0 };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fake->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, s_handler, fake,
                                    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                    MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    assert_non_null(fake->daemon);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(fake->daemon, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    assert_true(info->port > 0);
    snprintf(fake->base, sizeof(fake->base), "http://127.0.0.1:%u", (unsigned)info->port);
}

static void s_fake_stop(struct fake_http *fake)
{
    MHD_stop_daemon(fake->daemon);
    pthread_mutex_destroy(&fake->lock);
}

static void test_imds_v2(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    struct fake_http fake;
    s_fake_start(&fake);
    unsetenv("AWS_EC2_METADATA_DISABLED");
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", fake.base, 1);
    struct cpw_credentials_options opts = { 0 };
    struct cpw_credentials c;
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.access_key_id, "ASIAIMDS");
    assert_string_equal(c.secret_access_key, "ASIAIMDS-secret-0001");
    assert_string_equal(c.session_token, "ASIAIMDS-token-0001");
    assert_string_equal(c.source, "imds");
    assert_true(c.expiration_ms > cpw_time_now_ms() + 5 * 3600 * 1000);
    cpw_credentials_clean_up(&c);
    /* One token, two GETs, each carrying the token (the fake refuses GETs without it). */
    assert_int_equal(fake.token_puts, 1);
    assert_int_equal(fake.gets, 2);
    assert_int_equal(fake.unauthorized, 0);

    /* Disabled: not a single request. */
    setenv("AWS_EC2_METADATA_DISABLED", "TRUE", 1);
    const char *detail = expect_failure(&opts);
    assert_contains(detail, "imds: disabled by AWS_EC2_METADATA_DISABLED");
    assert_int_equal(fake.token_puts, 1);
    unsetenv("AWS_EC2_METADATA_DISABLED");

    /* No role attached: a note in the summary, not a crash. */
    fake.mode = MODE_IMDS_NO_ROLE;
    detail = expect_failure(&opts);
    assert_contains(detail, "no credentials found; ");
    assert_contains(detail, "no IAM role is attached to this instance");

    /* The option overrides the environment's endpoint. */
    fake.mode = MODE_NORMAL;
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1/", 1);
    opts.imds_endpoint = fake.base;
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.access_key_id, "ASIAIMDS");
    cpw_credentials_clean_up(&c);

    /* Nobody listening: the summary names the endpoint. */
    opts.imds_endpoint = NULL;
    detail = expect_failure(&opts);
    assert_contains(detail, "imds: http://127.0.0.1:1");

    /* Tuning variables are checked, not ignored. */
    setenv("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "0", 1);
    detail = expect_failure(&opts);
    assert_contains(detail, "AWS_METADATA_SERVICE_NUM_ATTEMPTS '0' is not a number from 1 to 10");
    setenv("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "2", 1);
    setenv("AWS_METADATA_SERVICE_TIMEOUT", "soon", 1);
    detail = expect_failure(&opts);
    assert_contains(detail, "AWS_METADATA_SERVICE_TIMEOUT 'soon'");
    setenv("AWS_METADATA_SERVICE_TIMEOUT", "2", 1);
    opts.imds_endpoint = fake.base;
    int puts_before = fake.token_puts;
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_int_equal(fake.token_puts, puts_before + 1); /* answered: no second attempt */
    cpw_credentials_clean_up(&c);
    /* A 503 is tried again when two attempts are allowed... */
    fake.mode = MODE_IMDS_503_ONCE;
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_int_equal(fake.token_puts, puts_before + 3);
    cpw_credentials_clean_up(&c);
    /* ...and not with the default single attempt. */
    unsetenv("AWS_METADATA_SERVICE_NUM_ATTEMPTS");
    fake.mode = MODE_IMDS_503_ONCE;
    detail = expect_failure(&opts);
    assert_contains(detail, "token request answered HTTP 503");
    assert_int_equal(fake.token_puts, puts_before + 4);
    s_fake_stop(&fake);
    fixture_end(&f);
}

static void test_imds_v1_fallback(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    struct fake_http fake;
    s_fake_start(&fake);
    fake.mode = MODE_IMDS_V1_ONLY;
    unsetenv("AWS_EC2_METADATA_DISABLED");
    struct cpw_credentials_options opts = { .imds_endpoint = fake.base };
    struct cpw_credentials c;
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.access_key_id, "ASIAIMDS");
    cpw_credentials_clean_up(&c);
    /* ...unless IMDSv1 is disabled. */
    setenv("AWS_EC2_METADATA_V1_DISABLED", "true", 1);
    const char *detail = expect_failure(&opts);
    assert_contains(detail, "token request answered HTTP 404");
    s_fake_stop(&fake);
    fixture_end(&f);
}

static void test_container(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    struct fake_http fake;
    s_fake_start(&fake);
    struct cpw_credentials_options opts = { .container_endpoint = fake.base };
    struct cpw_credentials c;

    /* Relative URI (ECS) with the token in the environment. */
    setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/container/task-1", 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", CONTAINER_AUTH, 1);
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.access_key_id, "ASIACONTAINER");
    assert_string_equal(c.session_token, "ASIACONTAINER-token-0001");
    assert_string_equal(c.source, "container");
    cpw_credentials_clean_up(&c);

    /* Full URI (EKS Pod Identity) on loopback with the token in a file, which wins. */
    unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    char url[128];
    snprintf(url, sizeof(url), "%s/container/pod", fake.base);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    char token_path[256];
    fixture_write(&f, "eks-token", CONTAINER_AUTH "\n", token_path, sizeof(token_path));
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong-token-ignored", 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_path, 1);
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.access_key_id, "ASIACONTAINER");
    cpw_credentials_clean_up(&c);

    /* A wrong token: the endpoint's 403 is reported, the token is not. */
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    int before = fake.container_gets;
    const char *detail = expect_failure(&opts);
    assert_contains(detail, "container: ");
    assert_contains(detail, "answered HTTP 403");
    assert_null(strstr(detail, "wrong-token-ignored"));
    assert_int_equal(fake.container_gets, before + 1); /* 4xx is not retried */

    /* Plain http only to loopback and the ECS/EKS hosts. */
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://metadata.example.com/creds", 1);
    detail = expect_failure(&opts);
    assert_contains(detail, "host 'metadata.example.com' is not allowed over plain http");
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1.example.com/creds", 1);
    detail = expect_failure(&opts);
    assert_contains(detail, "is not allowed");
    s_fake_stop(&fake);
    fixture_end(&f);
}

static void test_chain_precedence(void **state)
{
    (void)state;
    struct fixture f;
    fixture_begin(&f);
    struct fake_http fake;
    s_fake_start(&fake);
    unsetenv("AWS_EC2_METADATA_DISABLED");
    fixture_write(&f, ".aws/credentials",
                  "[default]\naws_access_key_id = AKIAPROFILE\n"
                  "aws_secret_access_key = profile-secret-0001\n",
                  NULL, 0);
    fixture_write(&f, ".aws/config",
                  "[profile imds-role]\nrole_arn = arn:aws:iam::121212121212:role/R\n"
                  "credential_source = Ec2InstanceMetadata\n",
                  NULL, 0);
    struct cpw_config *cfg = fixture_config(&f, NULL);
    struct fake_aws sts;
    fake_init(&sts);
    struct cpw_credentials_options opts = fixture_options(cfg, &sts);
    opts.imds_endpoint = fake.base;
    opts.container_endpoint = fake.base;
    setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/container/task-1", 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", CONTAINER_AUTH, 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "env-secret-0001", 1);
    struct cpw_credentials c;

    /* Everything configured: the environment wins. */
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.source, "environment");
    cpw_credentials_clean_up(&c);
    /* Then the profile. */
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.source, "shared-credentials-file");
    cpw_credentials_clean_up(&c);
    /* Then the container: IMDS is never asked. */
    cpw_config_destroy(cfg);
    fixture_write(&f, ".aws/credentials", "", NULL, 0);
    cfg = fixture_config(&f, NULL);
    opts.config = cfg;
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.source, "container");
    assert_int_equal(fake.token_puts, 0);
    cpw_credentials_clean_up(&c);
    /* Then IMDS. */
    unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.source, "imds");
    cpw_credentials_clean_up(&c);
    assert_int_equal(sts.count, 0);

    /* credential_source = Ec2InstanceMetadata: the instance's credentials assume the role. */
    opts.profile = "imds-role";
    assert_int_equal(cpw_credentials_resolve(&opts, &c), 0);
    assert_string_equal(c.source, "assume-role");
    assert_string_equal(c.account_id, "121212121212");
    assert_int_equal(sts.count, 1);
    assert_string_equal(sts.calls[0].source_akid, "ASIAIMDS");
    cpw_credentials_clean_up(&c);
    fake_clean_up(&sts);
    cpw_config_destroy(cfg);
    s_fake_stop(&fake);
    fixture_end(&f);
}

CPW_TEST_MAIN("credentials_http",
              CPW_TEST(test_imds_v2),
              CPW_TEST(test_imds_v1_fallback),
              CPW_TEST(test_container),
              CPW_TEST(test_chain_precedence))
