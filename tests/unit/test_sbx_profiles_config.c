/*
 * test_sbx_profiles_config.c - a Customer Profiles domain's configuration kinds in the sandbox
 * through cpw_sbx_dispatch: domain layouts, domain object types, event triggers, segment
 * definitions with computed membership, estimates and snapshots, integration workflows and
 * upload jobs: state, validation, pagination, tags, the asynchronous lifecycles under the
 * profile_job_ms knob, and DeleteDomain taking all of it away. Every answer is checked against
 * the model's output shape by sbx_ok.
 */
#include "sbx_test.h"

#include "sandbox/sbx_realism.h"

#define ARN_PREFIX "arn:aws:profile:eu-west-1:123456789012:domains/"

static const char *s_str(const json_t *doc, const char *key)
{
    const char *s = json_string_value(json_object_get(doc, key));
    return s ? s : "";
}

static void s_domain(struct sbx_fixture *fx, const char *name)
{
    char input[200];
    snprintf(input, sizeof(input), "{\"DomainName\":\"%s\",\"DefaultExpirationDays\":30}", name);
    json_decref(sbx_ok(fx, &fx->root, "profile", "CreateDomain", input));
}

static void s_object_type(struct sbx_fixture *fx, const char *domain, const char *name)
{
    char input[400];
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"%s\",\"ObjectTypeName\":\"%s\",\"Description\":\"d\","
             "\"Keys\":{\"_id\":[{\"StandardIdentifiers\":[\"PROFILE\"],\"FieldNames\":"
             "[\"id\"]}]}}",
             domain, name);
    json_decref(sbx_ok(fx, &fx->root, "profile", "PutProfileObjectType", input));
}

static size_t s_items(struct sbx_fixture *fx, const char *operation, const char *input)
{
    json_t *out = sbx_ok(fx, &fx->root, "profile", operation, input);
    size_t n = json_array_size(json_object_get(out, "Items"));
    json_decref(out);
    return n;
}

static void test_domain_layouts(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    s_domain(&fx, "shop");
    sbx_expect_error(&fx, &fx.root, "profile", "CreateDomainLayout",
                     "{\"DomainName\":\"nope\",\"LayoutDefinitionName\":\"main\",\"Description\":"
                     "\"d\",\"DisplayName\":\"Main\",\"LayoutType\":\"PROFILE_EXPLORER\","
                     "\"Layout\":\"{}\"}",
                     404, "ResourceNotFoundException");
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "CreateDomainLayout",
                         "{\"DomainName\":\"shop\",\"LayoutDefinitionName\":\"main\","
                         "\"Description\":\"d\",\"DisplayName\":\"Main\",\"LayoutType\":"
                         "\"PROFILE_EXPLORER\",\"Layout\":\"{\\\"a\\\":1}\",\"IsDefault\":true,"
                         "\"Tags\":{\"team\":\"cx\"}}");
    assert_string_equal(s_str(out, "Version"), "1");
    assert_true(json_is_true(json_object_get(out, "IsDefault")));
    assert_string_equal(s_str(out, "Layout"), "{\"a\":1}");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "CreateDomainLayout",
                     "{\"DomainName\":\"shop\",\"LayoutDefinitionName\":\"main\",\"Description\":"
                     "\"d\",\"DisplayName\":\"Main\",\"LayoutType\":\"PROFILE_EXPLORER\","
                     "\"Layout\":\"{}\"}",
                     400, "BadRequestException");
    /* A second default layout takes the flag from the first. */
    json_decref(sbx_ok(&fx, &fx.root, "profile", "CreateDomainLayout",
                       "{\"DomainName\":\"shop\",\"LayoutDefinitionName\":\"alt\","
                       "\"Description\":\"d\",\"DisplayName\":\"Alt\",\"LayoutType\":"
                       "\"PROFILE_EXPLORER\",\"Layout\":\"{}\",\"IsDefault\":true}"));
    out = sbx_ok(&fx, &fx.root, "profile", "GetDomainLayout",
                 "{\"DomainName\":\"shop\",\"LayoutDefinitionName\":\"main\"}");
    assert_true(json_is_false(json_object_get(out, "IsDefault")));
    json_decref(out);

    fx.now_ms += 60000;
    out = sbx_ok(&fx, &fx.root, "profile", "UpdateDomainLayout",
                 "{\"DomainName\":\"shop\",\"LayoutDefinitionName\":\"main\","
                 "\"DisplayName\":\"Main view\"}");
    assert_string_equal(s_str(out, "Version"), "2");
    assert_string_equal(s_str(out, "DisplayName"), "Main view");
    assert_string_equal(s_str(out, "Description"), "d");
    assert_string_equal(s_str(out, "LastUpdatedAt"), "2026-11-18T11:07:40Z");
    assert_string_equal(s_str(json_object_get(out, "Tags"), "team"), "cx");
    json_decref(out);

    /* Pages of one, in name order. */
    out = sbx_ok(&fx, &fx.root, "profile", "ListDomainLayouts",
                 "{\"DomainName\":\"shop\",\"MaxResults\":1}");
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 1);
    assert_string_equal(
      s_str(json_array_get(json_object_get(out, "Items"), 0), "LayoutDefinitionName"), "alt");
    assert_null(json_object_get(json_array_get(json_object_get(out, "Items"), 0), "Layout"));
    char input[200];
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"shop\",\"MaxResults\":1,\"NextToken\":\"%s\"}",
             s_str(out, "NextToken"));
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "ListDomainLayouts", input);
    assert_string_equal(
      s_str(json_array_get(json_object_get(out, "Items"), 0), "LayoutDefinitionName"), "main");
    assert_null(json_object_get(out, "NextToken"));
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "ListDomainLayouts",
                     "{\"DomainName\":\"shop\",\"MaxResults\":101}", 400, "BadRequestException");

    /* Tags on the layout's ARN. */
    json_decref(sbx_ok(&fx, &fx.root, "profile", "TagResource",
                       "{\"resourceArn\":\"" ARN_PREFIX "shop/layouts/main\","
                       "\"tags\":{\"env\":\"dev\"}}"));
    out = sbx_ok(&fx, &fx.root, "profile", "ListTagsForResource",
                 "{\"resourceArn\":\"" ARN_PREFIX "shop/layouts/main\"}");
    assert_int_equal(json_object_size(json_object_get(out, "tags")), 2);
    json_decref(out);

    out = sbx_ok(&fx, &fx.root, "profile", "DeleteDomainLayout",
                 "{\"DomainName\":\"shop\",\"LayoutDefinitionName\":\"main\"}");
    assert_string_equal(s_str(out, "Message"), "Layout deleted");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "GetDomainLayout",
                     "{\"DomainName\":\"shop\",\"LayoutDefinitionName\":\"main\"}", 404,
                     "ResourceNotFoundException");
    sbx_expect_error(&fx, &fx.root, "profile", "DeleteDomainLayout",
                     "{\"DomainName\":\"shop\",\"LayoutDefinitionName\":\"main\"}", 404,
                     "ResourceNotFoundException");
    sbx_fixture_close(&fx);
}

static void test_domain_object_types(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    s_domain(&fx, "shop");
    sbx_expect_error(&fx, &fx.root, "profile", "PutDomainObjectType",
                     "{\"DomainName\":\"shop\",\"ObjectTypeName\":\"Acct\",\"Fields\":"
                     "{\"id\":{\"Source\":\"_source.id\"}}}",
                     400, "BadRequestException");
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "PutDomainObjectType",
                         "{\"DomainName\":\"shop\",\"ObjectTypeName\":\"Acct\",\"Description\":"
                         "\"accounts\",\"Fields\":{\"id\":{\"Source\":\"_source.id\",\"Target\":"
                         "\"_domainObject.id\",\"ContentType\":\"STRING\"}},\"Tags\":"
                         "{\"a\":\"1\"}}");
    assert_string_equal(s_str(out, "ObjectTypeName"), "Acct");
    json_decref(out);
    /* A replacement without Tags keeps the tags. */
    out = sbx_ok(&fx, &fx.root, "profile", "PutDomainObjectType",
                 "{\"DomainName\":\"shop\",\"ObjectTypeName\":\"Acct\",\"Description\":"
                 "\"accounts v2\",\"Fields\":{\"id\":{\"Source\":\"_source.id\",\"Target\":"
                 "\"_domainObject.id\"}}}");
    assert_string_equal(s_str(out, "Description"), "accounts v2");
    assert_string_equal(s_str(json_object_get(out, "Tags"), "a"), "1");
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "ListDomainObjectTypes", "{\"DomainName\":\"shop\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 1);
    assert_null(json_object_get(json_array_get(json_object_get(out, "Items"), 0), "Fields"));
    json_decref(out);
    /* Profile object types are another kind: none listed here. */
    assert_int_equal(s_items(&fx, "ListProfileObjectTypes", "{\"DomainName\":\"shop\"}"), 0);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "UntagResource",
                       "{\"resourceArn\":\"" ARN_PREFIX "shop/domain-object-types/Acct\","
                       "\"tagKeys\":[\"a\"]}"));
    out = sbx_ok(&fx, &fx.root, "profile", "GetDomainObjectType",
                 "{\"DomainName\":\"shop\",\"ObjectTypeName\":\"Acct\"}");
    assert_int_equal(json_object_size(json_object_get(out, "Tags")), 0);
    json_decref(out);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "DeleteDomainObjectType",
                       "{\"DomainName\":\"shop\",\"ObjectTypeName\":\"Acct\"}"));
    sbx_expect_error(&fx, &fx.root, "profile", "GetDomainObjectType",
                     "{\"DomainName\":\"shop\",\"ObjectTypeName\":\"Acct\"}", 404,
                     "ResourceNotFoundException");
    sbx_expect_error(&fx, &fx.root, "profile", "DeleteDomainObjectType",
                     "{\"DomainName\":\"shop\",\"ObjectTypeName\":\"Acct\"}", 404,
                     "ResourceNotFoundException");
    sbx_fixture_close(&fx);
}

#define TRIGGER_BODY                                                                               \
    "\"EventTriggerConditions\":[{\"LogicalOperator\":\"ANY\",\"EventTriggerDimensions\":"         \
    "[{\"ObjectAttributes\":[{\"FieldName\":\"amount\",\"ComparisonOperator\":"                    \
    "\"GREATER_THAN\",\"Values\":[\"100\"]}]}]}]"

static void test_event_triggers(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    s_domain(&fx, "shop");
    sbx_expect_error(&fx, &fx.root, "profile", "CreateEventTrigger",
                     "{\"DomainName\":\"shop\",\"EventTriggerName\":\"big\",\"ObjectTypeName\":"
                     "\"Order\"," TRIGGER_BODY "}",
                     400, "BadRequestException");
    s_object_type(&fx, "shop", "Order");
    sbx_expect_error(&fx, &fx.root, "profile", "CreateEventTrigger",
                     "{\"DomainName\":\"shop\",\"EventTriggerName\":\"big\",\"ObjectTypeName\":"
                     "\"Order\",\"SegmentFilter\":\"vip\"," TRIGGER_BODY "}",
                     400, "BadRequestException");
    json_decref(sbx_ok(&fx, &fx.root, "profile", "CreateSegmentDefinition",
                       "{\"DomainName\":\"shop\",\"SegmentDefinitionName\":\"vip\","
                       "\"DisplayName\":\"VIP\",\"SegmentGroups\":{\"Groups\":[]}}"));
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "CreateEventTrigger",
                         "{\"DomainName\":\"shop\",\"EventTriggerName\":\"big\","
                         "\"ObjectTypeName\":\"Order\",\"SegmentFilter\":\"vip\","
                         "\"Tags\":{\"t\":\"1\"}," TRIGGER_BODY "}");
    assert_string_equal(s_str(out, "SegmentFilter"), "vip");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "CreateEventTrigger",
                     "{\"DomainName\":\"shop\",\"EventTriggerName\":\"big\",\"ObjectTypeName\":"
                     "\"Order\"," TRIGGER_BODY "}",
                     400, "BadRequestException");
    /* The segment a trigger filters on stays. */
    sbx_expect_error(&fx, &fx.root, "profile", "DeleteSegmentDefinition",
                     "{\"DomainName\":\"shop\",\"SegmentDefinitionName\":\"vip\"}", 400,
                     "BadRequestException");
    out = sbx_ok(&fx, &fx.root, "profile", "UpdateEventTrigger",
                 "{\"DomainName\":\"shop\",\"EventTriggerName\":\"big\",\"Description\":\"x\"}");
    assert_string_equal(s_str(out, "Description"), "x");
    assert_string_equal(s_str(out, "ObjectTypeName"), "Order");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "UpdateEventTrigger",
                     "{\"DomainName\":\"shop\",\"EventTriggerName\":\"big\",\"ObjectTypeName\":"
                     "\"Nope\"}",
                     400, "BadRequestException");
    out = sbx_ok(&fx, &fx.root, "profile", "ListEventTriggers", "{\"DomainName\":\"shop\"}");
    assert_string_equal(s_str(json_array_get(json_object_get(out, "Items"), 0), "Description"),
                        "x");
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "ListTagsForResource",
                 "{\"resourceArn\":\"" ARN_PREFIX "shop/event-triggers/big\"}");
    assert_string_equal(s_str(json_object_get(out, "tags"), "t"), "1");
    json_decref(out);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "DeleteEventTrigger",
                       "{\"DomainName\":\"shop\",\"EventTriggerName\":\"big\"}"));
    sbx_expect_error(&fx, &fx.root, "profile", "GetEventTrigger",
                     "{\"DomainName\":\"shop\",\"EventTriggerName\":\"big\"}", 404,
                     "ResourceNotFoundException");
    json_decref(sbx_ok(&fx, &fx.root, "profile", "DeleteSegmentDefinition",
                       "{\"DomainName\":\"shop\",\"SegmentDefinitionName\":\"vip\"}"));
    sbx_fixture_close(&fx);
}

static const char *s_profile(struct sbx_fixture *fx,
                             const char *first,
                             const char *tier,
                             const char *spend,
                             char id[64])
{
    char input[400];
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"shop\",\"FirstName\":\"%s\",\"Address\":{\"City\":\"Lyon\"},"
             "\"Attributes\":{\"tier\":\"%s\",\"spend\":\"%s\"}}",
             first, tier, spend);
    json_t *out = sbx_ok(fx, &fx->root, "profile", "CreateProfile", input);
    snprintf(id, 64, "%s", s_str(out, "ProfileId"));
    json_decref(out);
    return id;
}

static void test_segments_membership_and_jobs(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    s_domain(&fx, "shop");
    char ana[64];
    char bo[64];
    char cy[64];
    s_profile(&fx, "Ana", "gold", "120", ana);
    s_profile(&fx, "Bo", "silver", "80", bo);
    s_profile(&fx, "Cy", "gold", "9.5", cy);

    sbx_expect_error(&fx, &fx.root, "profile", "CreateSegmentDefinition",
                     "{\"DomainName\":\"shop\",\"SegmentDefinitionName\":\"s\",\"DisplayName\":"
                     "\"S\"}",
                     400, "BadRequestException");
    /* gold AND spend > 100 (a number compare: "9.5" < "100" numerically). */
    json_t *out = sbx_ok(
      &fx, &fx.root, "profile", "CreateSegmentDefinition",
      "{\"DomainName\":\"shop\",\"SegmentDefinitionName\":\"big-gold\",\"DisplayName\":\"BG\","
      "\"Tags\":{\"k\":\"v\"},\"SegmentGroups\":{\"Include\":\"ALL\",\"Groups\":[{\"Type\":"
      "\"ALL\",\"Dimensions\":[{\"ProfileAttributes\":{\"Attributes\":{\"tier\":"
      "{\"DimensionType\":\"INCLUSIVE\",\"Values\":[\"gold\"]}}}},{\"ProfileAttributes\":"
      "{\"Attributes\":{\"spend\":{\"DimensionType\":\"GREATER_THAN\",\"Values\":[\"100\"]}}}}]}]}"
      "}");
    assert_string_equal(s_str(out, "SegmentDefinitionArn"),
                        ARN_PREFIX "shop/segment-definitions/big-gold");
    json_decref(out);
    /* Members of big-gold OR first name beginning with "B", in Lyon. */
    json_decref(sbx_ok(
      &fx, &fx.root, "profile", "CreateSegmentDefinition",
      "{\"DomainName\":\"shop\",\"SegmentDefinitionName\":\"either\",\"DisplayName\":\"E\","
      "\"SegmentGroups\":{\"Include\":\"ANY\",\"Groups\":[{\"SourceSegments\":"
      "[{\"SegmentDefinitionName\":\"big-gold\"}],\"SourceType\":\"ALL\"},{\"Type\":\"ALL\","
      "\"Dimensions\":[{\"ProfileAttributes\":{\"FirstName\":{\"DimensionType\":\"BEGINS_WITH\","
      "\"Values\":[\"B\"]},\"Address\":{\"City\":{\"DimensionType\":\"INCLUSIVE\",\"Values\":"
      "[\"Lyon\"]}}}}]}]}}"));
    sbx_expect_error(&fx, &fx.root, "profile", "CreateSegmentDefinition",
                     "{\"DomainName\":\"shop\",\"SegmentDefinitionName\":\"x\",\"DisplayName\":"
                     "\"X\",\"SegmentGroups\":{\"Groups\":[{\"SourceSegments\":"
                     "[{\"SegmentDefinitionName\":\"nope\"}]}]}}",
                     400, "BadRequestException");
    out = sbx_ok(&fx, &fx.root, "profile", "GetSegmentDefinition",
                 "{\"DomainName\":\"shop\",\"SegmentDefinitionName\":\"either\"}");
    assert_string_equal(s_str(out, "SegmentType"), "CLASSIC");
    assert_non_null(json_object_get(out, "SegmentGroups"));
    json_decref(out);

    char input[600];
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"shop\",\"SegmentDefinitionName\":\"either\",\"ProfileIds\":"
             "[\"%s\",\"%s\",\"%s\",\"0123456789abcdef0123456789abcdef\"]}",
             ana, bo, cy);
    out = sbx_ok(&fx, &fx.root, "profile", "GetSegmentMembership", input);
    const json_t *profiles = json_object_get(out, "Profiles");
    assert_int_equal(json_array_size(profiles), 3);
    assert_string_equal(s_str(json_array_get(profiles, 0), "QueryResult"), "PRESENT"); /* Ana */
    assert_string_equal(s_str(json_array_get(profiles, 1), "QueryResult"), "PRESENT"); /* Bo */
    assert_string_equal(s_str(json_array_get(profiles, 2), "QueryResult"), "ABSENT");  /* Cy */
    assert_string_equal(sbx_str2(json_array_get(profiles, 0), "Profile", "FirstName"), "Ana");
    const json_t *failures = json_object_get(out, "Failures");
    assert_int_equal(json_array_size(failures), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(failures, 0), "Status")),
                     404);
    json_decref(out);

    /* An estimate runs for the knob's time, then answers the count. */
    out = sbx_ok(&fx, &fx.root, "profile", "CreateSegmentEstimate",
                 "{\"DomainName\":\"shop\",\"SegmentQuery\":{\"Groups\":[{\"Dimensions\":"
                 "[{\"ProfileAttributes\":{\"Attributes\":{\"tier\":{\"DimensionType\":"
                 "\"EXCLUSIVE\",\"Values\":[\"silver\"]}}}}]}]}}");
    snprintf(input, sizeof(input), "{\"DomainName\":\"shop\",\"EstimateId\":\"%s\"}",
             s_str(out, "EstimateId"));
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "GetSegmentEstimate", input);
    assert_string_equal(s_str(out, "Status"), "RUNNING");
    assert_null(json_object_get(out, "Estimate"));
    json_decref(out);
    fx.now_ms += CPW_SBX_DEFAULT_PROFILE_JOB_MS;
    out = sbx_ok(&fx, &fx.root, "profile", "GetSegmentEstimate", input);
    assert_string_equal(s_str(out, "Status"), "SUCCEEDED");
    assert_string_equal(s_str(out, "Estimate"), "2"); /* Ana and Cy */
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "GetSegmentEstimate",
                     "{\"DomainName\":\"shop\",\"EstimateId\":\"nope\"}", 404,
                     "ResourceNotFoundException");

    /* Snapshots: IN_PROGRESS, then COMPLETED with the count; bound to their segment. */
    out = sbx_ok(&fx, &fx.root, "profile", "CreateSegmentSnapshot",
                 "{\"DomainName\":\"shop\",\"SegmentDefinitionName\":\"big-gold\","
                 "\"DataFormat\":\"JSONL\"}");
    char snap[64];
    snprintf(snap, sizeof(snap), "%s", s_str(out, "SnapshotId"));
    json_decref(out);
    assert_int_equal(strlen(snap), 32);
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"shop\",\"SegmentDefinitionName\":\"big-gold\",\"SnapshotId\":"
             "\"%s\"}",
             snap);
    out = sbx_ok(&fx, &fx.root, "profile", "GetSegmentSnapshot", input);
    assert_string_equal(s_str(out, "Status"), "IN_PROGRESS");
    assert_string_equal(s_str(out, "DataFormat"), "JSONL");
    json_decref(out);
    fx.now_ms += CPW_SBX_DEFAULT_PROFILE_JOB_MS;
    out = sbx_ok(&fx, &fx.root, "profile", "GetSegmentSnapshot", input);
    assert_string_equal(s_str(out, "Status"), "COMPLETED");
    assert_string_equal(s_str(out, "StatusMessage"), "Exported 1 profiles."); /* Ana */
    json_decref(out);
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"shop\",\"SegmentDefinitionName\":\"either\",\"SnapshotId\":"
             "\"%s\"}",
             snap);
    sbx_expect_error(&fx, &fx.root, "profile", "GetSegmentSnapshot", input, 404,
                     "ResourceNotFoundException");

    /* SQL segments are kept, not evaluated. */
    out = sbx_ok(&fx, &fx.root, "profile", "CreateSegmentEstimate",
                 "{\"DomainName\":\"shop\",\"SegmentSqlQuery\":\"SELECT * FROM profiles\"}");
    snprintf(input, sizeof(input), "{\"DomainName\":\"shop\",\"EstimateId\":\"%s\"}",
             s_str(out, "EstimateId"));
    json_decref(out);
    fx.now_ms += CPW_SBX_DEFAULT_PROFILE_JOB_MS;
    out = sbx_ok(&fx, &fx.root, "profile", "GetSegmentEstimate", input);
    assert_string_equal(s_str(out, "Status"), "FAILED");
    json_decref(out);

    /* Lists go to 500 per page. */
    out = sbx_ok(&fx, &fx.root, "profile", "ListSegmentDefinitions",
                 "{\"DomainName\":\"shop\",\"MaxResults\":500}");
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 2);
    assert_string_equal(
      s_str(json_array_get(json_object_get(out, "Items"), 0), "SegmentDefinitionName"), "big-gold");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "ListSegmentDefinitions",
                     "{\"DomainName\":\"shop\",\"MaxResults\":501}", 400, "BadRequestException");
    out = sbx_ok(&fx, &fx.root, "profile", "ListTagsForResource",
                 "{\"resourceArn\":\"" ARN_PREFIX "shop/segment-definitions/big-gold\"}");
    assert_string_equal(s_str(json_object_get(out, "tags"), "k"), "v");
    json_decref(out);

    /* Deleting a segment takes its snapshots. */
    json_decref(sbx_ok(&fx, &fx.root, "profile", "DeleteSegmentDefinition",
                       "{\"DomainName\":\"shop\",\"SegmentDefinitionName\":\"big-gold\"}"));
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"shop\",\"SegmentDefinitionName\":\"big-gold\",\"SnapshotId\":"
             "\"%s\"}",
             snap);
    sbx_expect_error(&fx, &fx.root, "profile", "GetSegmentSnapshot", input, 404,
                     "ResourceNotFoundException");
    sbx_expect_error(&fx, &fx.root, "profile", "GetSegmentDefinition",
                     "{\"DomainName\":\"shop\",\"SegmentDefinitionName\":\"big-gold\"}", 404,
                     "ResourceNotFoundException");
    sbx_fixture_close(&fx);
}

#define FLOW                                                                                       \
    "\"IntegrationConfig\":{\"AppflowIntegration\":{\"FlowDefinition\":{\"FlowName\":"             \
    "\"sf-flow\",\"KmsArn\":\"arn:aws:kms:eu-west-1:123456789012:key/k\","                         \
    "\"SourceFlowConfig\":{\"ConnectorType\":\"Salesforce\",\"ConnectorProfileName\":"             \
    "\"sf\",\"SourceConnectorProperties\":{}},\"Tasks\":[],\"TriggerConfig\":{\"TriggerType\":"    \
    "\"OnDemand\"}},\"Batches\":[{\"StartTime\":\"2026-11-01T00:00:00Z\",\"EndTime\":"             \
    "\"2026-11-02T00:00:00Z\"},{\"StartTime\":\"2026-11-02T00:00:00Z\",\"EndTime\":"               \
    "\"2026-11-03T00:00:00Z\"}]}}"

static void test_integration_workflows(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    s_domain(&fx, "shop");
    sbx_expect_error(&fx, &fx.root, "profile", "CreateIntegrationWorkflow",
                     "{\"DomainName\":\"shop\",\"WorkflowType\":\"APPFLOW_INTEGRATION\","
                     "\"ObjectTypeName\":\"Contact\",\"RoleArn\":"
                     "\"arn:aws:iam::123456789012:role/r\"," FLOW "}",
                     400, "BadRequestException");
    s_object_type(&fx, "shop", "Contact");
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "CreateIntegrationWorkflow",
                         "{\"DomainName\":\"shop\",\"WorkflowType\":\"APPFLOW_INTEGRATION\","
                         "\"ObjectTypeName\":\"Contact\",\"RoleArn\":"
                         "\"arn:aws:iam::123456789012:role/r\"," FLOW "}");
    char id[64];
    snprintf(id, sizeof(id), "%s", s_str(out, "WorkflowId"));
    json_decref(out);
    assert_int_equal(strlen(id), 32);
    /* The flow's integration carries the workflow. */
    out = sbx_ok(&fx, &fx.root, "profile", "GetIntegration",
                 "{\"DomainName\":\"shop\",\"Uri\":"
                 "\"arn:aws:appflow:eu-west-1:123456789012:flow/sf-flow\"}");
    assert_string_equal(s_str(out, "WorkflowId"), id);
    json_decref(out);

    char input[300];
    snprintf(input, sizeof(input), "{\"DomainName\":\"shop\",\"WorkflowId\":\"%s\"}", id);
    out = sbx_ok(&fx, &fx.root, "profile", "GetWorkflow", input);
    assert_string_equal(s_str(out, "Status"), "IN_PROGRESS");
    assert_string_equal(
      sbx_str2(json_object_get(out, "Attributes"), "AppflowIntegration", "SourceConnectorType"),
      "Salesforce");
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "ListWorkflows",
                 "{\"DomainName\":\"shop\",\"Status\":\"COMPLETE\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 0);
    json_decref(out);
    fx.now_ms += CPW_SBX_DEFAULT_PROFILE_JOB_MS;
    out = sbx_ok(&fx, &fx.root, "profile", "GetWorkflow", input);
    assert_string_equal(s_str(out, "Status"), "COMPLETE");
    const json_t *metrics = json_object_get(json_object_get(out, "Metrics"), "AppflowIntegration");
    assert_int_equal(json_integer_value(json_object_get(metrics, "TotalSteps")), 2);
    assert_int_equal(json_integer_value(json_object_get(metrics, "StepsCompleted")), 2);
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "ListWorkflows",
                 "{\"DomainName\":\"shop\",\"Status\":\"COMPLETE\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 1);
    assert_string_equal(s_str(json_array_get(json_object_get(out, "Items"), 0), "WorkflowId"), id);
    json_decref(out);

    /* One step per batch, paged. */
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"shop\",\"WorkflowId\":\"%s\",\"MaxResults\":1}", id);
    out = sbx_ok(&fx, &fx.root, "profile", "GetWorkflowSteps", input);
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 1);
    assert_string_equal(sbx_str2(json_array_get(json_object_get(out, "Items"), 0),
                                 "AppflowIntegration", "BatchRecordsStartTime"),
                        "2026-11-01T00:00:00Z");
    assert_non_null(json_object_get(out, "NextToken"));
    json_decref(out);

    snprintf(input, sizeof(input), "{\"DomainName\":\"shop\",\"WorkflowId\":\"%s\"}", id);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "DeleteWorkflow", input));
    sbx_expect_error(&fx, &fx.root, "profile", "GetWorkflow", input, 404,
                     "ResourceNotFoundException");
    sbx_expect_error(&fx, &fx.root, "profile", "GetIntegration",
                     "{\"DomainName\":\"shop\",\"Uri\":"
                     "\"arn:aws:appflow:eu-west-1:123456789012:flow/sf-flow\"}",
                     404, "ResourceNotFoundException");
    sbx_fixture_close(&fx);
}

static char *s_new_job(struct sbx_fixture *fx, char id[64])
{
    json_t *out = sbx_ok(fx, &fx->root, "profile", "CreateUploadJob",
                         "{\"DomainName\":\"shop\",\"DisplayName\":\"import\",\"UniqueKey\":"
                         "\"email\",\"Fields\":{\"email\":{\"Source\":\"_source.email\","
                         "\"Target\":\"_profile.EmailAddress\",\"ContentType\":"
                         "\"EMAIL_ADDRESS\"}}}");
    snprintf(id, 64, "%s", s_str(out, "JobId"));
    json_decref(out);
    return id;
}

static void test_upload_jobs(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    s_domain(&fx, "shop");
    sbx_expect_error(&fx, &fx.root, "profile", "CreateUploadJob",
                     "{\"DomainName\":\"shop\",\"DisplayName\":\"import\",\"UniqueKey\":\"id\","
                     "\"Fields\":{\"email\":{\"Source\":\"_source.email\"}}}",
                     400, "BadRequestException");
    char stopped[64];
    char done[64];
    s_new_job(&fx, stopped);
    fx.now_ms += 1000;
    s_new_job(&fx, done);
    char input[200];
    snprintf(input, sizeof(input), "{\"DomainName\":\"shop\",\"JobId\":\"%s\"}", stopped);
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "GetUploadJob", input);
    assert_string_equal(s_str(out, "Status"), "CREATED");
    assert_int_equal(json_integer_value(json_object_get(out, "DataExpiry")), 30); /* domain's */
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "GetUploadJobPath", input);
    assert_true(strncmp(s_str(out, "Url"), "https://profile.eu-west-1.amazonaws.com/", 40) == 0);
    assert_non_null(strstr(s_str(out, "Url"), "X-Amz-Signature="));
    assert_int_equal(strlen(s_str(out, "ClientToken")), 32);
    json_decref(out);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "StopUploadJob", input));
    out = sbx_ok(&fx, &fx.root, "profile", "GetUploadJob", input);
    assert_string_equal(s_str(out, "Status"), "STOPPED");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "StartUploadJob", input, 400, "BadRequestException");

    snprintf(input, sizeof(input), "{\"DomainName\":\"shop\",\"JobId\":\"%s\"}", done);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "StartUploadJob", input));
    out = sbx_ok(&fx, &fx.root, "profile", "GetUploadJob", input);
    assert_string_equal(s_str(out, "Status"), "IN_PROGRESS");
    assert_null(json_object_get(out, "CompletedAt"));
    json_decref(out);
    fx.now_ms += CPW_SBX_DEFAULT_PROFILE_JOB_MS;
    out = sbx_ok(&fx, &fx.root, "profile", "GetUploadJob", input);
    assert_string_equal(s_str(out, "Status"), "SUCCEEDED");
    assert_non_null(json_object_get(out, "CompletedAt"));
    assert_int_equal(
      json_integer_value(json_object_get(json_object_get(out, "ResultsSummary"), "FailedRecords")),
      0);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "StopUploadJob", input, 400, "BadRequestException");

    /* Newest first, pages up to 500. */
    out = sbx_ok(&fx, &fx.root, "profile", "ListUploadJobs",
                 "{\"DomainName\":\"shop\",\"MaxResults\":500}");
    const json_t *items = json_object_get(out, "Items");
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(s_str(json_array_get(items, 0), "JobId"), done);
    assert_string_equal(s_str(json_array_get(items, 1), "Status"), "STOPPED");
    json_decref(out);

    /* With profile_job_ms 0 a started job has finished at once. */
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_init(&knobs);
    assert_int_equal(knobs.profile_job_ms, CPW_SBX_DEFAULT_PROFILE_JOB_MS);
    json_t *knob_doc = json_pack("{s:i}", "profile_job_ms", 0);
    assert_int_equal(cpw_sbx_knobs_from_json(knob_doc, &knobs), 0);
    json_decref(knob_doc);
    assert_int_equal(knobs.profile_job_ms, 0);
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    char quick[64];
    s_new_job(&fx, quick);
    snprintf(input, sizeof(input), "{\"DomainName\":\"shop\",\"JobId\":\"%s\"}", quick);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "StartUploadJob", input));
    out = sbx_ok(&fx, &fx.root, "profile", "GetUploadJob", input);
    assert_string_equal(s_str(out, "Status"), "SUCCEEDED");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "GetUploadJob",
                     "{\"DomainName\":\"shop\",\"JobId\":\"0123456789abcdef0123456789abcdef\"}",
                     404, "ResourceNotFoundException");
    sbx_fixture_close(&fx);
}

static void test_delete_domain_takes_every_kind(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    s_domain(&fx, "shop");
    s_object_type(&fx, "shop", "Contact");
    json_decref(sbx_ok(&fx, &fx.root, "profile", "CreateDomainLayout",
                       "{\"DomainName\":\"shop\",\"LayoutDefinitionName\":\"main\","
                       "\"Description\":\"d\",\"DisplayName\":\"Main\",\"LayoutType\":"
                       "\"PROFILE_EXPLORER\",\"Layout\":\"{}\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "PutDomainObjectType",
                       "{\"DomainName\":\"shop\",\"ObjectTypeName\":\"Acct\",\"Fields\":"
                       "{\"id\":{\"Source\":\"_source.id\",\"Target\":\"_domainObject.id\"}}}"));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "CreateSegmentDefinition",
                       "{\"DomainName\":\"shop\",\"SegmentDefinitionName\":\"all\","
                       "\"DisplayName\":\"All\",\"SegmentGroups\":{\"Groups\":[]}}"));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "CreateEventTrigger",
                       "{\"DomainName\":\"shop\",\"EventTriggerName\":\"t\",\"ObjectTypeName\":"
                       "\"Contact\"," TRIGGER_BODY "}"));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "CreateIntegrationWorkflow",
                       "{\"DomainName\":\"shop\",\"WorkflowType\":\"APPFLOW_INTEGRATION\","
                       "\"ObjectTypeName\":\"Contact\",\"RoleArn\":"
                       "\"arn:aws:iam::123456789012:role/r\"," FLOW "}"));
    char job[64];
    s_new_job(&fx, job);
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "CreateSegmentEstimate",
                         "{\"DomainName\":\"shop\",\"SegmentQuery\":{\"Groups\":[]}}");
    char estimate[200];
    snprintf(estimate, sizeof(estimate), "{\"DomainName\":\"shop\",\"EstimateId\":\"%s\"}",
             s_str(out, "EstimateId"));
    json_decref(out);

    json_decref(sbx_ok(&fx, &fx.root, "profile", "DeleteDomain", "{\"DomainName\":\"shop\"}"));
    s_domain(&fx, "shop");
    const char *lists[] = { "ListDomainLayouts",      "ListDomainObjectTypes", "ListEventTriggers",
                            "ListSegmentDefinitions", "ListWorkflows",         "ListUploadJobs",
                            "ListIntegrations" };
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        assert_int_equal(s_items(&fx, lists[i], "{\"DomainName\":\"shop\"}"), 0);
    }
    sbx_expect_error(&fx, &fx.root, "profile", "GetSegmentEstimate", estimate, 404,
                     "ResourceNotFoundException");
    sbx_fixture_close(&fx);
}

/* Inputs missing their members (what the HTTP front's validator would refuse) get AWS errors. */
static void test_inputs_without_members(void **state)
{
    (void)state;
    static const char *const operations[] = {
        "CreateDomainLayout",    "GetDomainLayout",        "UpdateDomainLayout",
        "DeleteDomainLayout",    "ListDomainLayouts",      "PutDomainObjectType",
        "GetDomainObjectType",   "ListDomainObjectTypes",  "DeleteDomainObjectType",
        "CreateEventTrigger",    "GetEventTrigger",        "UpdateEventTrigger",
        "DeleteEventTrigger",    "ListEventTriggers",      "CreateSegmentDefinition",
        "GetSegmentDefinition",  "ListSegmentDefinitions", "DeleteSegmentDefinition",
        "CreateSegmentEstimate", "GetSegmentEstimate",     "GetSegmentMembership",
        "CreateSegmentSnapshot", "GetSegmentSnapshot",     "CreateIntegrationWorkflow",
        "GetWorkflow",           "GetWorkflowSteps",       "DeleteWorkflow",
        "ListWorkflows",         "CreateUploadJob",        "GetUploadJob",
        "GetUploadJobPath",      "ListUploadJobs",         "StartUploadJob",
        "StopUploadJob",
    };
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    s_domain(&fx, "shop");
    for (size_t i = 0; i < sizeof(operations) / sizeof(operations[0]); i++) {
        /* No domain at all: 404 for every operation. */
        assert_int_equal(sbx_call(&fx, &fx.root, "profile", operations[i], "{}", NULL), 1);
        assert_int_equal(fx.err.status, 404);
        /* A domain and nothing else: lists answer, everything else is refused. */
        int rc =
          sbx_call(&fx, &fx.root, "profile", operations[i], "{\"DomainName\":\"shop\"}", NULL);
        bool list = strncmp(operations[i], "List", 4) == 0;
        assert_int_equal(rc, list ? 0 : 1);
        if (!list) {
            assert_true(fx.err.status == 400 || fx.err.status == 404);
        }
    }
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_profiles_config",
              CPW_TEST(test_domain_layouts),
              CPW_TEST(test_domain_object_types),
              CPW_TEST(test_event_triggers),
              CPW_TEST(test_segments_membership_and_jobs),
              CPW_TEST(test_integration_workflows),
              CPW_TEST(test_upload_jobs),
              CPW_TEST(test_delete_domain_takes_every_kind),
              CPW_TEST(test_inputs_without_members))
