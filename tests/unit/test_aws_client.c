/*
 * test_aws_client.c - AWS calls end to end against an in-process sandbox on 127.0.0.1:
 * serialization, signing, the engine, parsing, errors, pagination, concurrency, and the
 * credential chain's AssumeRole going through the same client.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/aws_client.h"
#include "cpw/config.h"
#include "cpw/error.h"
#include "cpw/sandbox.h"
#include "harness.h"

static struct cpw_sandbox *s_sandbox;

static void s_env(void)
{
    setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", 1);
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_PROFILE");
    unsetenv("AWS_ENDPOINT_URL");
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("AWS_CONFIG_FILE", "/dev/null", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
}

static struct cpw_aws_client *s_client(void)
{
    struct cpw_http_engine_options engine = { .retry = { .max_attempts = 1 } };
    struct cpw_aws_client_options opts = {
        .region = "us-east-1",
        .endpoint_url = cpw_sandbox_url(s_sandbox),
        .engine = &engine,
    };
    struct cpw_aws_client *client = cpw_aws_client_new(&opts);
    assert_non_null(client);
    return client;
}

static int s_setup(void **state)
{
    s_env();
    cpw_test_setup(state); /* the baseline: the sandbox's memory must all come back */
    struct cpw_sandbox_options opts = {
        .port = 0, .threads = 2, .slr_deletion_delay_ms = 0, .create_account_delay_ms = 0
    };
    s_sandbox = cpw_sandbox_start(&opts);
    if (!s_sandbox) {
        fprintf(stderr, "sandbox: %s\n", cpw_last_error_detail());
        return -1;
    }
    return 0;
}

static int s_teardown(void **state)
{
    cpw_sandbox_stop(s_sandbox);
    s_sandbox = NULL;
    return cpw_test_teardown(state);
}

#define CLIENT_TEST(fn) cmocka_unit_test_setup_teardown(fn, s_setup, s_teardown)

static void test_call_and_error(void **state)
{
    (void)state;
    struct cpw_aws_client *client = s_client();
    json_t *out = NULL;
    struct cpw_aws_call call = { .service = "sts", .operation = "GetCallerIdentity" };
    assert_int_equal(cpw_aws_client_call(client, &call, &out, NULL), 0);
    assert_string_equal(json_string_value(json_object_get(out, "Account")), "123456789012");
    assert_string_equal(json_string_value(json_object_get(out, "Arn")),
                        "arn:aws:iam::123456789012:root");
    json_decref(out);

    struct cpw_aws_error aws;
    cpw_aws_error_init(&aws);
    json_t *in = json_pack("{s:s}", "RoleName", "missing-role");
    call = (struct cpw_aws_call){ .service = "iam", .operation = "get-role", .input = in };
    assert_int_equal(cpw_aws_client_call(client, &call, &out, &aws), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_AWS);
    assert_null(out);
    assert_string_equal(aws.code, "NoSuchEntity");
    assert_int_equal(aws.http_status, 404);
    assert_non_null(aws.request_id);
    cpw_aws_error_clean_up(&aws);
    json_decref(in);

    /* Invalid input is refused before anything is sent. */
    in = json_pack("{s:i}", "RoleName", 5);
    call.input = in;
    assert_int_equal(cpw_aws_client_call(client, &call, &out, NULL), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_VALIDATION);
    json_decref(in);
    cpw_aws_client_destroy(client);
}

static void test_pagination_merges_every_page(void **state)
{
    (void)state;
    struct cpw_aws_client *client = s_client();
    for (int i = 0; i < 23; i++) {
        char name[32];
        snprintf(name, sizeof(name), "paged-%02d", i);
        json_t *in = json_pack("{s:s,s:s,s:s}", "RoleName", name, "Path", "/paged/",
                               "AssumeRolePolicyDocument", "{\"Version\":\"2012-10-17\"}");
        json_t *out = NULL;
        struct cpw_aws_call call = { .service = "iam", .operation = "CreateRole", .input = in };
        assert_int_equal(cpw_aws_client_call(client, &call, &out, NULL), 0);
        json_decref(out);
        json_decref(in);
    }
    json_t *in = json_pack("{s:s,s:i}", "PathPrefix", "/paged/", "MaxItems", 10);
    json_t *out = NULL;
    struct cpw_aws_call call = { .service = "iam", .operation = "ListRoles", .input = in };
    assert_int_equal(cpw_aws_client_call(client, &call, &out, NULL), 0);
    assert_int_equal(json_array_size(json_object_get(out, "Roles")), 10);
    assert_true(json_is_true(json_object_get(out, "IsTruncated")));
    json_decref(out);
    assert_int_equal(cpw_aws_client_call_all_pages(client, &call, 0, &out, NULL), 0);
    const json_t *roles = json_object_get(out, "Roles");
    assert_int_equal(json_array_size(roles), 23);
    assert_null(json_object_get(out, "Marker"));
    assert_string_equal(json_string_value(json_object_get(json_array_get(roles, 22), "RoleName")),
                        "paged-22");
    json_decref(out);
    json_decref(in);
    cpw_aws_client_destroy(client);
}

struct counter {
    int ok;
    int failed;
};

static void s_count(void *user, struct cpw_aws_result *r)
{
    struct counter *c = user;
    if (r->status == 0 &&
        strcmp(json_string_value(json_object_get(r->output, "Account")), "123456789012") == 0) {
        c->ok++;
    } else {
        c->failed++;
    }
}

static void test_many_calls_in_flight(void **state)
{
    (void)state;
    struct cpw_aws_client *client = s_client();
    struct counter c = { 0, 0 };
    struct cpw_aws_call call = { .service = "sts", .operation = "GetCallerIdentity" };
    for (int i = 0; i < 60; i++) {
        assert_int_equal(cpw_aws_client_submit(client, &call, s_count, &c), 0);
    }
    assert_int_equal(cpw_aws_client_run(client), 0);
    assert_int_equal(c.ok, 60);
    assert_int_equal(c.failed, 0);
    struct cpw_http_engine_stats stats;
    cpw_http_engine_get_stats(cpw_aws_client_engine(client), &stats);
    assert_true(stats.max_in_flight > 1);
    cpw_aws_client_destroy(client);
}

static void test_profile_role_arn_assumes_through_the_client(void **state)
{
    (void)state;
    /* A role in the default account that the root may assume. */
    struct cpw_aws_client *root = s_client();
    json_t *in =
      json_pack("{s:s,s:s}", "RoleName", "Deployer", "AssumeRolePolicyDocument",
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
                "{\"AWS\":\"arn:aws:iam::123456789012:root\"},\"Action\":\"sts:AssumeRole\"}]}");
    json_t *out = NULL;
    struct cpw_aws_call call = { .service = "iam", .operation = "CreateRole", .input = in };
    assert_int_equal(cpw_aws_client_call(root, &call, &out, NULL), 0);
    json_decref(out);
    json_decref(in);
    cpw_aws_client_destroy(root);

    char dir[] = "/tmp/cpw-client-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/config", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "[profile base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
               "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
               "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/Deployer\n"
               "source_profile = base\nrole_session_name = ci\n");
    fclose(f);
    struct cpw_config_load_options lopts = { .config_path = path,
                                             .credentials_path = "/dev/null",
                                             .profile = "deploy" };
    struct cpw_config *cfg = cpw_config_load(&lopts);
    assert_non_null(cfg);
    struct cpw_http_engine_options engine = { .retry = { .max_attempts = 1 } };
    struct cpw_aws_client_options opts = {
        .config = cfg,
        .profile = "deploy",
        .region = "us-east-1",
        .endpoint_url = cpw_sandbox_url(s_sandbox),
        .engine = &engine,
    };
    struct cpw_aws_client *client = cpw_aws_client_new(&opts);
    assert_non_null(client);
    call = (struct cpw_aws_call){ .service = "sts", .operation = "GetCallerIdentity" };
    assert_int_equal(cpw_aws_client_call(client, &call, &out, NULL), 0);
    assert_string_equal(json_string_value(json_object_get(out, "Arn")),
                        "arn:aws:sts::123456789012:assumed-role/Deployer/ci");
    json_decref(out);
    cpw_aws_client_destroy(client);
    cpw_config_destroy(cfg);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CLIENT_TEST(test_call_and_error),
        CLIENT_TEST(test_pagination_merges_every_page),
        CLIENT_TEST(test_many_calls_in_flight),
        CLIENT_TEST(test_profile_role_arn_assumes_through_the_client),
    };
    return cpw_test_run("aws_client", tests, sizeof(tests) / sizeof(tests[0]));
}
