/*
 * test_sbx_profiles_objects.c - what lives inside a Customer Profiles domain in the sandbox:
 * object types and templates, profiles and their search, profile objects, event streams (one per
 * domain), calculated attributes, and tags on domain, object type and integration ARNs.
 */
#include "sbx_test.h"

#define DOMAIN_ARN "arn:aws:profile:eu-west-1:123456789012:domains/crm"

static void s_setup(struct sbx_fixture *fx)
{
    sbx_fixture_open(fx, NULL);
    json_decref(sbx_ok(fx, &fx->root, "profile", "CreateDomain",
                       "{\"DomainName\":\"crm\",\"DefaultExpirationDays\":365}"));
}

static void test_object_types_and_templates(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    s_setup(&fx);
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "ListProfileObjectTypeTemplates", NULL);
    assert_true(json_array_size(json_object_get(out, "Items")) >= 3);
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "GetProfileObjectTypeTemplate",
                 "{\"TemplateId\":\"Zendesk-User\"}");
    assert_string_equal(json_string_value(json_object_get(out, "SourceName")), "Zendesk");
    assert_non_null(json_object_get(out, "Keys"));
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "GetProfileObjectTypeTemplate",
                     "{\"TemplateId\":\"Nope\"}", 404, "ResourceNotFoundException");

    out = sbx_ok(&fx, &fx.root, "profile", "PutProfileObjectType",
                 "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"SfAccount\",\"Description\":\"sf\","
                 "\"TemplateId\":\"Salesforce-Account\"}");
    assert_non_null(json_object_get(out, "Fields")); /* filled from the template */
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "PutProfileObjectType",
                     "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"X\",\"Description\":\"x\","
                     "\"TemplateId\":\"Nope\"}",
                     400, "BadRequestException");
    sbx_expect_error(&fx, &fx.root, "profile", "PutProfileObjectType",
                     "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"NoDesc\"}", 400,
                     "BadRequestException");
    for (int i = 1; i < 100; i++) {
        char input[200];
        snprintf(input, sizeof(input),
                 "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"T%02d\",\"Description\":\"t\"}", i);
        json_decref(sbx_ok(&fx, &fx.root, "profile", "PutProfileObjectType", input));
    }
    sbx_expect_error(
      &fx, &fx.root, "profile", "PutProfileObjectType",
      "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"TooMany\",\"Description\":\"t\"}", 400,
      "BadRequestException");
    /* Replacing an existing type is not a new one. */
    json_decref(
      sbx_ok(&fx, &fx.root, "profile", "PutProfileObjectType",
             "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"T01\",\"Description\":\"n\"}"));
    out = sbx_ok(&fx, &fx.root, "profile", "GetProfileObjectType",
                 "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"T01\"}");
    assert_string_equal(json_string_value(json_object_get(out, "Description")), "n");
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "ListProfileObjectTypes",
                 "{\"DomainName\":\"crm\",\"MaxResults\":60}");
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 60);
    assert_null(json_object_get(json_array_get(json_object_get(out, "Items"), 0), "Fields"));
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "DeleteProfileObjectType",
                 "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"T01\"}");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "GetProfileObjectType",
                     "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"T01\"}", 404,
                     "ResourceNotFoundException");
    sbx_fixture_close(&fx);
}

static void test_profiles_and_objects(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    s_setup(&fx);
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "CreateProfile",
                         "{\"DomainName\":\"crm\",\"FirstName\":\"Ana\","
                         "\"EmailAddress\":\"ana@example.com\",\"AccountNumber\":\"A-1\"}");
    char id[64];
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(out, "ProfileId")));
    assert_int_equal(strlen(id), 32);
    json_decref(out);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "CreateProfile",
                       "{\"DomainName\":\"crm\",\"FirstName\":\"Bo\"}"));
    out = sbx_ok(&fx, &fx.root, "profile", "SearchProfiles",
                 "{\"DomainName\":\"crm\",\"KeyName\":\"_email\","
                 "\"Values\":[\"ana@example.com\"]}");
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 1);
    assert_string_equal(json_string_value(json_object_get(
                          json_array_get(json_object_get(out, "Items"), 0), "ProfileId")),
                        id);
    json_decref(out);
    char input[300];
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"ProfileId\":\"%s\",\"LastName\":\"Silva\"}", id);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "UpdateProfile", input));
    out = sbx_ok(&fx, &fx.root, "profile", "SearchProfiles",
                 "{\"DomainName\":\"crm\",\"KeyName\":\"_account\",\"Values\":[\"A-1\"]}");
    assert_string_equal(json_string_value(json_object_get(
                          json_array_get(json_object_get(out, "Items"), 0), "LastName")),
                        "Silva");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "UpdateProfile",
                     "{\"DomainName\":\"crm\",\"ProfileId\":\"00000000000000000000000000000000\"}",
                     404, "ResourceNotFoundException");

    json_decref(sbx_ok(&fx, &fx.root, "profile", "PutProfileObjectType",
                       "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"Ticket\",\"Description\":"
                       "\"t\",\"Keys\":{\"_id\":[{\"StandardIdentifiers\":[\"UNIQUE\"],"
                       "\"FieldNames\":[\"id\"]}],\"_who\":[{\"StandardIdentifiers\":"
                       "[\"PROFILE\"],\"FieldNames\":[\"who\"]}]}}"));
    out = sbx_ok(&fx, &fx.root, "profile", "PutProfileObject",
                 "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"Ticket\","
                 "\"Object\":\"{\\\"id\\\":\\\"t1\\\",\\\"who\\\":\\\"u7\\\"}\"}");
    assert_string_equal(json_string_value(json_object_get(out, "ProfileObjectUniqueKey")), "t1");
    json_decref(out);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "PutProfileObject",
                       "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"Ticket\","
                       "\"Object\":\"{\\\"id\\\":\\\"t2\\\",\\\"who\\\":\\\"u7\\\"}\"}"));
    sbx_expect_error(&fx, &fx.root, "profile", "PutProfileObject",
                     "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"Nope\",\"Object\":\"{}\"}", 404,
                     "ResourceNotFoundException");
    sbx_expect_error(&fx, &fx.root, "profile", "PutProfileObject",
                     "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"Ticket\",\"Object\":\"[1]\"}",
                     400, "BadRequestException");
    /* Both tickets went to the one profile their key made: 3 profiles in all. */
    out = sbx_ok(&fx, &fx.root, "profile", "GetDomain", "{\"DomainName\":\"crm\"}");
    assert_int_equal(
      json_integer_value(json_object_get(json_object_get(out, "Stats"), "ProfileCount")), 3);
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "SearchProfiles",
                 "{\"DomainName\":\"crm\",\"KeyName\":\"FirstName\",\"Values\":[\"Bo\"]}");
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 1);
    json_decref(out);

    snprintf(input, sizeof(input), "{\"DomainName\":\"crm\",\"ProfileId\":\"%s\"}", id);
    out = sbx_ok(&fx, &fx.root, "profile", "DeleteProfile", input);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "DeleteProfile", input, 404,
                     "ResourceNotFoundException");
    sbx_fixture_close(&fx);
}

static void test_list_profile_objects(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    s_setup(&fx);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "PutProfileObjectType",
                       "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"Order\",\"Description\":"
                       "\"o\",\"Keys\":{\"_who\":[{\"StandardIdentifiers\":[\"PROFILE\"],"
                       "\"FieldNames\":[\"who\"]}]}}"));
    for (int i = 0; i < 3; i++) {
        char input[300];
        snprintf(input, sizeof(input),
                 "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"Order\",\"Object\":"
                 "\"{\\\"n\\\":%d,\\\"who\\\":\\\"w\\\"}\"}",
                 i);
        json_decref(sbx_ok(&fx, &fx.root, "profile", "PutProfileObject", input));
        fx.now_ms += 1; /* objects list in the order they came */
    }
    /* The objects' PROFILE key finds the profile they made. */
    json_t *search = sbx_ok(&fx, &fx.root, "profile", "SearchProfiles",
                            "{\"DomainName\":\"crm\",\"KeyName\":\"_who\",\"Values\":[\"w\"]}");
    assert_int_equal(json_array_size(json_object_get(search, "Items")), 1);
    char input[300];
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"Order\",\"ProfileId\":\"%s\","
             "\"MaxResults\":2}",
             json_string_value(
               json_object_get(json_array_get(json_object_get(search, "Items"), 0), "ProfileId")));
    json_decref(search);
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "ListProfileObjects", input);
    json_t *items = json_object_get(out, "Items");
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "Object")),
                        "{\"n\":0,\"who\":\"w\"}");
    assert_string_equal(json_string_value(json_object_get(out, "NextToken")), "2");
    json_decref(out);
    sbx_fixture_close(&fx);
}

static void test_event_streams_and_calculated_attributes(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    s_setup(&fx);
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "CreateEventStream",
                         "{\"DomainName\":\"crm\",\"EventStreamName\":\"s1\","
                         "\"Uri\":\"arn:aws:kinesis:eu-west-1:123456789012:stream/x\"}");
    assert_string_equal(json_string_value(json_object_get(out, "EventStreamArn")),
                        DOMAIN_ARN "/event-streams/s1");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "CreateEventStream",
                     "{\"DomainName\":\"crm\",\"EventStreamName\":\"s2\","
                     "\"Uri\":\"arn:aws:kinesis:eu-west-1:123456789012:stream/y\"}",
                     400, "BadRequestException");
    out = sbx_ok(&fx, &fx.root, "profile", "GetEventStream",
                 "{\"DomainName\":\"crm\",\"EventStreamName\":\"s1\"}");
    assert_string_equal(json_string_value(json_object_get(out, "State")), "RUNNING");
    assert_string_equal(sbx_str2(out, "DestinationDetails", "Uri"),
                        "arn:aws:kinesis:eu-west-1:123456789012:stream/x");
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "ListEventStreams", "{\"DomainName\":\"crm\"}");
    const json_t *item = json_array_get(json_object_get(out, "Items"), 0);
    assert_string_equal(sbx_str2(item, "DestinationSummary", "Status"), "HEALTHY");
    json_decref(out);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "DeleteEventStream",
                       "{\"DomainName\":\"crm\",\"EventStreamName\":\"s1\"}"));
    sbx_expect_error(&fx, &fx.root, "profile", "GetEventStream",
                     "{\"DomainName\":\"crm\",\"EventStreamName\":\"s1\"}", 404,
                     "ResourceNotFoundException");

    const char *calc = "{\"DomainName\":\"crm\",\"CalculatedAttributeName\":\"spend\","
                       "\"Statistic\":\"SUM\",\"AttributeDetails\":{\"Attributes\":[{\"Name\":"
                       "\"amount\"}],\"Expression\":\"{Order.amount}\"}}";
    out = sbx_ok(&fx, &fx.root, "profile", "CreateCalculatedAttributeDefinition", calc);
    assert_string_equal(json_string_value(json_object_get(out, "Status")), "COMPLETED");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "CreateCalculatedAttributeDefinition", calc, 400,
                     "BadRequestException");
    sbx_expect_error(&fx, &fx.root, "profile", "CreateCalculatedAttributeDefinition",
                     "{\"DomainName\":\"crm\",\"CalculatedAttributeName\":\"x\","
                     "\"Statistic\":\"MEDIAN\",\"AttributeDetails\":{}}",
                     400, "BadRequestException");
    out = sbx_ok(&fx, &fx.root, "profile", "UpdateCalculatedAttributeDefinition",
                 "{\"DomainName\":\"crm\",\"CalculatedAttributeName\":\"spend\","
                 "\"DisplayName\":\"Spend\"}");
    assert_string_equal(json_string_value(json_object_get(out, "DisplayName")), "Spend");
    assert_string_equal(json_string_value(json_object_get(out, "Statistic")), "SUM");
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "ListCalculatedAttributeDefinitions",
                 "{\"DomainName\":\"crm\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 1);
    json_decref(out);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "GetCalculatedAttributeDefinition",
                       "{\"DomainName\":\"crm\",\"CalculatedAttributeName\":\"spend\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "DeleteCalculatedAttributeDefinition",
                       "{\"DomainName\":\"crm\",\"CalculatedAttributeName\":\"spend\"}"));
    sbx_expect_error(&fx, &fx.root, "profile", "GetCalculatedAttributeDefinition",
                     "{\"DomainName\":\"crm\",\"CalculatedAttributeName\":\"spend\"}", 404,
                     "ResourceNotFoundException");
    sbx_fixture_close(&fx);
}

static size_t s_tag_count(struct sbx_fixture *fx, const char *arn)
{
    char input[600];
    snprintf(input, sizeof(input), "{\"resourceArn\":\"%s\"}", arn);
    json_t *out = sbx_ok(fx, &fx->root, "profile", "ListTagsForResource", input);
    size_t n = json_object_size(json_object_get(out, "tags"));
    json_decref(out);
    return n;
}

static void test_tags(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    s_setup(&fx);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "PutProfileObjectType",
                       "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"T\",\"Description\":\"t\","
                       "\"Tags\":{\"a\":\"1\"}}"));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "PutIntegration",
                       "{\"DomainName\":\"crm\",\"Uri\":\"arn:aws:connect:eu-west-1:123456789012:"
                       "instance/abc\",\"ObjectTypeName\":\"T\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "TagResource",
                       "{\"resourceArn\":\"" DOMAIN_ARN "\",\"tags\":{\"env\":\"prod\","
                       "\"owner\":\"cx\"}}"));
    assert_int_equal(s_tag_count(&fx, DOMAIN_ARN), 2);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "UntagResource",
                       "{\"resourceArn\":\"" DOMAIN_ARN "\",\"tagKeys\":[\"owner\"]}"));
    assert_int_equal(s_tag_count(&fx, DOMAIN_ARN), 1);
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "GetDomain", "{\"DomainName\":\"crm\"}");
    assert_string_equal(sbx_str2(out, "Tags", "env"), "prod");
    json_decref(out);

    json_decref(sbx_ok(&fx, &fx.root, "profile", "TagResource",
                       "{\"resourceArn\":\"" DOMAIN_ARN
                       "/object-types/T\",\"tags\":{\"b\":\"2\"}}"));
    assert_int_equal(s_tag_count(&fx, DOMAIN_ARN "/object-types/T"), 2);
    const char *integ =
      DOMAIN_ARN "/integrations/arn:aws:connect:eu-west-1:123456789012:instance/abc";
    char input[600];
    snprintf(input, sizeof(input), "{\"resourceArn\":\"%s\",\"tags\":{\"c\":\"3\"}}", integ);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "TagResource", input));
    assert_int_equal(s_tag_count(&fx, integ), 1);
    out = sbx_ok(&fx, &fx.root, "profile", "ListIntegrations", "{\"DomainName\":\"crm\"}");
    assert_string_equal(sbx_str2(json_array_get(json_object_get(out, "Items"), 0), "Tags", "c"),
                        "3");
    json_decref(out);

    sbx_expect_error(&fx, &fx.root, "profile", "ListTagsForResource",
                     "{\"resourceArn\":\"arn:aws:profile:eu-west-1:123456789012:domains/none\"}",
                     404, "ResourceNotFoundException");
    sbx_expect_error(&fx, &fx.root, "profile", "ListTagsForResource",
                     "{\"resourceArn\":\"" DOMAIN_ARN "/object-types/none\"}", 404,
                     "ResourceNotFoundException");
    sbx_expect_error(&fx, &fx.root, "profile", "TagResource",
                     "{\"resourceArn\":\"" DOMAIN_ARN "\",\"tags\":{\"aws:x\":\"1\"}}", 400,
                     "BadRequestException");
    /* At most 50 tags. */
    json_t *many = json_object();
    for (int i = 0; i < 50; i++) {
        char k[16];
        snprintf(k, sizeof(k), "k%02d", i);
        json_object_set_new(many, k, json_string("v"));
    }
    json_t *req = json_pack("{s:s,s:o}", "resourceArn", DOMAIN_ARN, "tags", many);
    char *text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    sbx_expect_error(&fx, &fx.root, "profile", "TagResource", text, 400, "BadRequestException");
    cpw_free(text);
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_profiles_objects",
              CPW_TEST(test_object_types_and_templates),
              CPW_TEST(test_profiles_and_objects),
              CPW_TEST(test_list_profile_objects),
              CPW_TEST(test_event_streams_and_calculated_attributes),
              CPW_TEST(test_tags))
