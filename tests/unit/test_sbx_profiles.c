/*
 * test_sbx_profiles.c - the sandbox's Customer Profiles domains and integrations through
 * cpw_sbx_dispatch: create/get/list/update/delete, Stats computed from the domain's contents,
 * pagination, the domain quota, integrations and ListAccountIntegrations by instance ARN.
 */
#include "sbx_test.h"

static json_t *s_create_domain(struct sbx_fixture *fx,
                               const struct sbx_identity *who,
                               const char *name)
{
    char input[256];
    snprintf(input, sizeof(input), "{\"DomainName\":\"%s\",\"DefaultExpirationDays\":366}", name);
    return sbx_ok(fx, who, "profile", "CreateDomain", input);
}

static void test_domain_lifecycle_and_stats(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "CreateDomain",
                         "{\"DomainName\":\"shop\",\"DefaultExpirationDays\":30,"
                         "\"Tags\":{\"team\":\"cx\"}}");
    assert_string_equal(json_string_value(json_object_get(out, "DomainName")), "shop");
    assert_int_equal(json_integer_value(json_object_get(out, "DefaultExpirationDays")), 30);
    assert_string_equal(json_string_value(json_object_get(out, "CreatedAt")),
                        "2026-11-18T11:06:40Z");
    assert_null(json_object_get(out, "Stats")); /* only GetDomain has Stats */
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "CreateDomain",
                     "{\"DomainName\":\"shop\",\"DefaultExpirationDays\":30}", 400,
                     "BadRequestException");
    sbx_expect_error(&fx, &fx.root, "profile", "CreateDomain", "{\"DomainName\":\"x\"}", 400,
                     "BadRequestException");
    sbx_expect_error(&fx, &fx.root, "profile", "GetDomain", "{\"DomainName\":\"nope\"}", 404,
                     "ResourceNotFoundException");

    /* Stats count what the domain holds. */
    json_decref(sbx_ok(&fx, &fx.root, "profile", "PutProfileObjectType",
                       "{\"DomainName\":\"shop\",\"ObjectTypeName\":\"Order\",\"Description\":"
                       "\"orders\",\"Keys\":{\"_order\":[{\"StandardIdentifiers\":[\"UNIQUE\"],"
                       "\"FieldNames\":[\"id\"]}],\"_cust\":[{\"StandardIdentifiers\":"
                       "[\"PROFILE\"],\"FieldNames\":[\"customer\"]}]}}"));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "CreateProfile",
                       "{\"DomainName\":\"shop\",\"FirstName\":\"Ana\","
                       "\"EmailAddress\":\"ana@example.com\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "PutProfileObject",
                       "{\"DomainName\":\"shop\",\"ObjectTypeName\":\"Order\","
                       "\"Object\":\"{\\\"id\\\":\\\"o1\\\",\\\"customer\\\":\\\"c9\\\"}\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "PutProfileObject",
                       "{\"DomainName\":\"shop\",\"ObjectTypeName\":\"Order\","
                       "\"Object\":\"{\\\"id\\\":\\\"o2\\\",\\\"customer\\\":\\\"c9\\\"}\"}"));
    out = sbx_ok(&fx, &fx.root, "profile", "GetDomain", "{\"DomainName\":\"shop\"}");
    const json_t *stats = json_object_get(out, "Stats");
    /* Ana, plus the one profile both orders of customer c9 made. */
    assert_int_equal(json_integer_value(json_object_get(stats, "ProfileCount")), 2);
    assert_int_equal(json_integer_value(json_object_get(stats, "MeteringProfileCount")), 2);
    assert_int_equal(json_integer_value(json_object_get(stats, "ObjectCount")), 2);
    assert_true(json_integer_value(json_object_get(stats, "TotalSize")) > 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(out, "Tags"), "team")),
                        "cx");
    json_decref(out);

    fx.now_ms += 60000;
    out = sbx_ok(&fx, &fx.root, "profile", "UpdateDomain",
                 "{\"DomainName\":\"shop\",\"DefaultExpirationDays\":90}");
    assert_int_equal(json_integer_value(json_object_get(out, "DefaultExpirationDays")), 90);
    assert_string_equal(json_string_value(json_object_get(out, "LastUpdatedAt")),
                        "2026-11-18T11:07:40Z");
    json_decref(out);
    /* Integers may arrive as strings (query and path bindings). */
    out = sbx_ok(&fx, &fx.root, "profile", "UpdateDomain",
                 "{\"DomainName\":\"shop\",\"DefaultExpirationDays\":\"45\"}");
    assert_int_equal(json_integer_value(json_object_get(out, "DefaultExpirationDays")), 45);
    json_decref(out);

    json_decref(sbx_ok(&fx, &fx.root, "profile", "PutIntegration",
                       "{\"DomainName\":\"shop\",\"Uri\":\"arn:aws:connect:eu-west-1:"
                       "123456789012:instance/i-1\",\"ObjectTypeName\":\"Order\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "CreateEventStream",
                       "{\"DomainName\":\"shop\",\"EventStreamName\":\"s\",\"Uri\":"
                       "\"arn:aws:kinesis:eu-west-1:123456789012:stream/s\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "CreateCalculatedAttributeDefinition",
                       "{\"DomainName\":\"shop\",\"CalculatedAttributeName\":\"n\","
                       "\"Statistic\":\"COUNT\",\"AttributeDetails\":{\"Attributes\":"
                       "[{\"Name\":\"id\"}],\"Expression\":\"{Order.id}\"}}"));

    out = sbx_ok(&fx, &fx.root, "profile", "DeleteDomain", "{\"DomainName\":\"shop\"}");
    assert_string_equal(json_string_value(json_object_get(out, "Message")), "Domain Deleted");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "GetDomain", "{\"DomainName\":\"shop\"}", 404,
                     "ResourceNotFoundException");
    sbx_expect_error(&fx, &fx.root, "profile", "DeleteDomain", "{\"DomainName\":\"shop\"}", 404,
                     "ResourceNotFoundException");
    /* A new domain of the same name starts empty: everything inside went with the old one. */
    json_decref(s_create_domain(&fx, &fx.root, "shop"));
    out = sbx_ok(&fx, &fx.root, "profile", "GetDomain", "{\"DomainName\":\"shop\"}");
    assert_int_equal(
      json_integer_value(json_object_get(json_object_get(out, "Stats"), "ProfileCount")), 0);
    json_decref(out);
    const char *lists[] = { "ListProfileObjectTypes", "ListIntegrations", "ListEventStreams",
                            "ListCalculatedAttributeDefinitions" };
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        out = sbx_ok(&fx, &fx.root, "profile", lists[i], "{\"DomainName\":\"shop\"}");
        assert_int_equal(json_array_size(json_object_get(out, "Items")), 0);
        json_decref(out);
    }
    out = sbx_ok(&fx, &fx.root, "profile", "ListAccountIntegrations",
                 "{\"Uri\":\"arn:aws:connect:eu-west-1:123456789012:instance/i-1\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 0);
    json_decref(out);
    sbx_fixture_close(&fx);
}

static void test_list_domains_pages_and_regions(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    for (int i = 0; i < 7; i++) {
        char name[16];
        snprintf(name, sizeof(name), "d%d", i);
        json_decref(s_create_domain(&fx, &fx.root, name));
    }
    char token[64] = "";
    int pages = 0;
    int seen = 0;
    for (;;) {
        char input[128];
        snprintf(input, sizeof(input),
                 token[0] ? "{\"MaxResults\":3,\"NextToken\":\"%s\"}" : "{\"MaxResults\":3%s}",
                 token);
        json_t *out = sbx_ok(&fx, &fx.root, "profile", "ListDomains", input);
        pages++;
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(out, "Items"), i, item)
        {
            char want[16];
            snprintf(want, sizeof(want), "d%d", seen++);
            assert_string_equal(json_string_value(json_object_get(item, "DomainName")), want);
            assert_non_null(json_object_get(item, "CreatedAt"));
        }
        const char *next = json_string_value(json_object_get(out, "NextToken"));
        if (next == NULL) {
            json_decref(out);
            break;
        }
        snprintf(token, sizeof(token), "%s", next);
        json_decref(out);
    }
    assert_int_equal(seen, 7);
    assert_int_equal(pages, 3);
    sbx_expect_error(&fx, &fx.root, "profile", "ListDomains", "{\"MaxResults\":101}", 400,
                     "BadRequestException");
    sbx_expect_error(&fx, &fx.root, "profile", "ListDomains", "{\"NextToken\":\"zz\"}", 400,
                     "BadRequestException");

    /* Domains are regional. */
    struct sbx_identity use1;
    sbx_identity_for(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, "us-east-1", &use1);
    json_t *out = sbx_ok(&fx, &use1, "profile", "ListDomains", NULL);
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 0);
    json_decref(out);
    sbx_expect_error(&fx, &use1, "profile", "GetDomain", "{\"DomainName\":\"d0\"}", 404,
                     "ResourceNotFoundException");
    cpw_sbx_credentials_clean_up(&use1.creds);
    sbx_fixture_close(&fx);
}

static void test_domain_quota(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    for (int i = 0; i < 100; i++) {
        char name[16];
        snprintf(name, sizeof(name), "q%03d", i);
        json_decref(s_create_domain(&fx, &fx.root, name));
    }
    sbx_expect_error(&fx, &fx.root, "profile", "CreateDomain",
                     "{\"DomainName\":\"one-more\",\"DefaultExpirationDays\":1}", 400,
                     "BadRequestException");
    assert_non_null(strstr(fx.err.message, "maximum number of domains"));
    sbx_fixture_close(&fx);
}

#define INSTANCE_ARN                                                                               \
    "arn:aws:connect:eu-west-1:123456789012:instance/11111111-2222-3333-4444-555555555555"

static void test_integrations_and_account_lookup(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_decref(s_create_domain(&fx, &fx.root, "a"));
    json_decref(s_create_domain(&fx, &fx.root, "b"));
    json_t *out =
      sbx_ok(&fx, &fx.root, "profile", "PutIntegration",
             "{\"DomainName\":\"a\",\"Uri\":\"" INSTANCE_ARN "\",\"ObjectTypeName\":\"CTR\"}");
    assert_string_equal(json_string_value(json_object_get(out, "Uri")), INSTANCE_ARN);
    assert_string_equal(json_string_value(json_object_get(out, "Scope")), "PROFILE");
    json_decref(out);
    /* One instance, one domain. */
    sbx_expect_error(&fx, &fx.root, "profile", "PutIntegration",
                     "{\"DomainName\":\"b\",\"Uri\":\"" INSTANCE_ARN
                     "\",\"ObjectTypeName\":\"CTR\"}",
                     400, "BadRequestException");
    /* ...but the same domain may update it. */
    json_decref(sbx_ok(&fx, &fx.root, "profile", "PutIntegration",
                       "{\"DomainName\":\"a\",\"Uri\":\"" INSTANCE_ARN
                       "\",\"ObjectTypeName\":\"CTR2\"}"));
    out =
      sbx_ok(&fx, &fx.root, "profile", "ListAccountIntegrations", "{\"Uri\":\"" INSTANCE_ARN "\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 1);
    const json_t *item = json_array_get(json_object_get(out, "Items"), 0);
    assert_string_equal(json_string_value(json_object_get(item, "DomainName")), "a");
    assert_string_equal(json_string_value(json_object_get(item, "ObjectTypeName")), "CTR2");
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "ListAccountIntegrations",
                 "{\"Uri\":\"arn:aws:connect:eu-west-1:123456789012:instance/other\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 0);
    json_decref(out);

    out = sbx_ok(&fx, &fx.root, "profile", "GetIntegration",
                 "{\"DomainName\":\"a\",\"Uri\":\"" INSTANCE_ARN "\"}");
    assert_string_equal(json_string_value(json_object_get(out, "DomainName")), "a");
    json_decref(out);
    for (int i = 0; i < 49; i++) {
        char input[256];
        snprintf(input, sizeof(input),
                 "{\"DomainName\":\"a\",\"Uri\":\"arn:aws:s3:::bucket%02d\","
                 "\"ObjectTypeName\":\"T\"}",
                 i);
        json_decref(sbx_ok(&fx, &fx.root, "profile", "PutIntegration", input));
    }
    sbx_expect_error(&fx, &fx.root, "profile", "PutIntegration",
                     "{\"DomainName\":\"a\",\"Uri\":\"arn:aws:s3:::bucket50\","
                     "\"ObjectTypeName\":\"T\"}",
                     400, "BadRequestException");
    out = sbx_ok(&fx, &fx.root, "profile", "ListIntegrations",
                 "{\"DomainName\":\"a\",\"MaxResults\":30}");
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 30);
    assert_string_equal(json_string_value(json_object_get(out, "NextToken")), "30");
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "ListIntegrations",
                 "{\"DomainName\":\"a\",\"MaxResults\":30,\"NextToken\":\"30\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 20);
    assert_null(json_object_get(out, "NextToken"));
    json_decref(out);

    out = sbx_ok(&fx, &fx.root, "profile", "DeleteIntegration",
                 "{\"DomainName\":\"a\",\"Uri\":\"" INSTANCE_ARN "\"}");
    assert_non_null(json_object_get(out, "Message"));
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "GetIntegration",
                     "{\"DomainName\":\"a\",\"Uri\":\"" INSTANCE_ARN "\"}", 404,
                     "ResourceNotFoundException");
    /* Now domain b may take the instance. */
    json_decref(sbx_ok(&fx, &fx.root, "profile", "PutIntegration",
                       "{\"DomainName\":\"b\",\"Uri\":\"" INSTANCE_ARN
                       "\",\"ObjectTypeName\":\"CTR\"}"));
    out = sbx_ok(&fx, &fx.root, "profile", "ListWorkflows", "{\"DomainName\":\"b\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 0);
    json_decref(out);
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_profiles",
              CPW_TEST(test_domain_lifecycle_and_stats),
              CPW_TEST(test_list_domains_pages_and_regions),
              CPW_TEST(test_domain_quota),
              CPW_TEST(test_integrations_and_account_lookup))
