/*
 * test_sbx_connect.c - the sandbox's Amazon Connect instances through cpw_sbx_dispatch: creation
 * with the instance's own service-linked role, CREATION_IN_PROGRESS until the activation delay,
 * the per-region quota, ListInstances pages, tags, deletion.
 */
#include "sbx_test.h"

#include "sandbox/sbx_realism.h"

#define CREATE_INPUT(alias)                                                                        \
    "{\"IdentityManagementType\":\"CONNECT_MANAGED\",\"InstanceAlias\":\"" alias "\","             \
    "\"InboundCallsEnabled\":true,\"OutboundCallsEnabled\":false}"

static bool s_alnum(const char *s)
{
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9'))) {
            return false;
        }
    }
    return true;
}

static void test_create_describe_activation(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_init(&knobs);
    knobs.instance_activation_ms = 10000;
    cpw_sbx_set_knobs(fx.sbx, &knobs);

    json_t *out = sbx_ok(&fx, &fx.root, "connect", "CreateInstance", CREATE_INPUT("acme"));
    char id[64];
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(out, "Id")));
    char want_arn[200];
    snprintf(want_arn, sizeof(want_arn), "arn:aws:connect:eu-west-1:123456789012:instance/%s", id);
    assert_string_equal(json_string_value(json_object_get(out, "Arn")), want_arn);
    json_decref(out);

    char input[400];
    snprintf(input, sizeof(input), "{\"InstanceId\":\"%s\"}", id);
    out = sbx_ok(&fx, &fx.root, "connect", "DescribeInstance", input);
    const json_t *inst = json_object_get(out, "Instance");
    assert_string_equal(json_string_value(json_object_get(inst, "InstanceStatus")),
                        "CREATION_IN_PROGRESS");
    assert_string_equal(json_string_value(json_object_get(inst, "InstanceAlias")), "acme");
    assert_string_equal(json_string_value(json_object_get(inst, "InstanceAccessUrl")),
                        "https://acme.my.connect.aws");
    const char *role = json_string_value(json_object_get(inst, "ServiceRole"));
    const char *prefix = "arn:aws:iam::123456789012:role/aws-service-role/connect.amazonaws.com/"
                         "AWSServiceRoleForAmazonConnect_";
    assert_memory_equal(role, prefix, strlen(prefix));
    assert_int_equal(strlen(role + strlen(prefix)), 20);
    assert_true(s_alnum(role + strlen(prefix)));
    /* The role really exists in IAM. */
    char role_input[200];
    snprintf(role_input, sizeof(role_input), "{\"RoleName\":\"%s\"}", strrchr(role, '/') + 1);
    json_decref(out);
    json_t *r = sbx_ok(&fx, &fx.root, "iam", "GetRole", role_input);
    assert_string_equal(sbx_str2(r, "Role", "Path"), "/aws-service-role/connect.amazonaws.com/");
    json_decref(r);

    fx.now_ms += 10000;
    out = sbx_ok(&fx, &fx.root, "connect", "DescribeInstance", input);
    assert_string_equal(sbx_str2(out, "Instance", "InstanceStatus"), "ACTIVE");
    json_decref(out);
    /* By ARN too. */
    snprintf(input, sizeof(input), "{\"InstanceId\":\"%s\"}", want_arn);
    json_decref(sbx_ok(&fx, &fx.root, "connect", "DescribeInstance", input));

    sbx_expect_error(&fx, &fx.root, "connect", "DescribeInstance", "{\"InstanceId\":\"nope\"}", 404,
                     "ResourceNotFoundException");
    sbx_expect_error(&fx, &fx.root, "connect", "CreateInstance", CREATE_INPUT("acme"), 400,
                     "InvalidRequestException");
    sbx_expect_error(&fx, &fx.root, "connect", "CreateInstance",
                     "{\"IdentityManagementType\":\"LDAP\",\"InboundCallsEnabled\":true,"
                     "\"OutboundCallsEnabled\":true}",
                     400, "InvalidRequestException");
    sbx_fixture_close(&fx);
}

static void test_quota_pages_tags_delete(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_t *a = sbx_ok(&fx, &fx.root, "connect", "CreateInstance", CREATE_INPUT("one"));
    fx.now_ms += 1;
    json_decref(sbx_ok(&fx, &fx.root, "connect", "CreateInstance", CREATE_INPUT("two")));
    sbx_expect_error(&fx, &fx.root, "connect", "CreateInstance", CREATE_INPUT("three"), 402,
                     "ServiceQuotaExceededException");
    /* The quota is per region. */
    struct sbx_identity use1;
    sbx_identity_for(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, "us-east-1", &use1);
    json_decref(sbx_ok(&fx, &use1, "connect", "CreateInstance", CREATE_INPUT("three")));

    json_t *out = sbx_ok(&fx, &fx.root, "connect", "ListInstances", "{\"MaxResults\":1}");
    json_t *list = json_object_get(out, "InstanceSummaryList");
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(
      json_string_value(json_object_get(json_array_get(list, 0), "InstanceAlias")), "one");
    assert_string_equal(json_string_value(json_object_get(out, "NextToken")), "1");
    json_decref(out);
    out =
      sbx_ok(&fx, &fx.root, "connect", "ListInstances", "{\"MaxResults\":1,\"NextToken\":\"1\"}");
    list = json_object_get(out, "InstanceSummaryList");
    assert_string_equal(
      json_string_value(json_object_get(json_array_get(list, 0), "InstanceAlias")), "two");
    assert_null(json_object_get(out, "NextToken"));
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "connect", "ListInstances", "{\"MaxResults\":11}", 400,
                     "InvalidRequestException");

    const char *arn = json_string_value(json_object_get(a, "Arn"));
    char input[400];
    snprintf(input, sizeof(input),
             "{\"resourceArn\":\"%s\",\"tags\":{\"env\":\"dev\",\"x\":\"1\"}}", arn);
    json_decref(sbx_ok(&fx, &fx.root, "connect", "TagResource", input));
    snprintf(input, sizeof(input), "{\"resourceArn\":\"%s\",\"tagKeys\":[\"x\"]}", arn);
    json_decref(sbx_ok(&fx, &fx.root, "connect", "UntagResource", input));
    snprintf(input, sizeof(input), "{\"resourceArn\":\"%s\"}", arn);
    out = sbx_ok(&fx, &fx.root, "connect", "ListTagsForResource", input);
    json_t *tags = json_object_get(out, "tags");
    assert_int_equal(json_object_size(tags), 1);
    assert_string_equal(json_string_value(json_object_get(tags, "env")), "dev");
    json_decref(out);

    snprintf(input, sizeof(input), "{\"InstanceId\":\"%s\"}",
             json_string_value(json_object_get(a, "Id")));
    json_decref(sbx_ok(&fx, &fx.root, "connect", "DeleteInstance", input));
    sbx_expect_error(&fx, &fx.root, "connect", "DescribeInstance", input, 404,
                     "ResourceNotFoundException");
    sbx_expect_error(&fx, &fx.root, "connect", "DeleteInstance", input, 404,
                     "ResourceNotFoundException");
    /* A slot is free again. */
    json_decref(sbx_ok(&fx, &fx.root, "connect", "CreateInstance", CREATE_INPUT("four")));
    json_decref(a);
    cpw_sbx_credentials_clean_up(&use1.creds);
    sbx_fixture_close(&fx);
}

/* InstanceAlias follows the model's DirectoryAlias pattern, as AWS enforces it. */
static void test_instance_alias_pattern(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    static const char *const bad[] = { CREATE_INPUT("bad_alias"), CREATE_INPUT("d-abc"),
                                       CREATE_INPUT("-lead"), CREATE_INPUT("trail-"),
                                       CREATE_INPUT("has space") };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sbx_expect_error(&fx, &fx.root, "connect", "CreateInstance", bad[i], 400,
                         "InvalidRequestException");
    }
    json_decref(sbx_ok(&fx, &fx.root, "connect", "CreateInstance", CREATE_INPUT("ok--alias-2")));
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_connect",
              CPW_TEST(test_create_describe_activation),
              CPW_TEST(test_quota_pages_tags_delete),
              CPW_TEST(test_instance_alias_pattern))
