/*
 * test_sbx_cloudtrail.c - CloudTrail in the sandbox: every mutating call (failed ones too) is
 * recorded with AWS's fields and without secrets, LookupEvents filters and pages, service-made
 * events, trails.
 */
#include "sandbox/sbx_service.h"
#include "sbx_test.h"

static json_t *s_lookup(struct sbx_fixture *fx,
                        const struct sbx_identity *who,
                        const char *key,
                        const char *value)
{
    char input[512];
    snprintf(input, sizeof(input),
             "{\"LookupAttributes\":[{\"AttributeKey\":\"%s\",\"AttributeValue\":\"%s\"}]}", key,
             value);
    return sbx_ok(fx, who, "cloudtrail", "LookupEvents", input);
}

/* The parsed CloudTrailEvent of the i-th event (owned). */
static json_t *s_body(const json_t *out, size_t i)
{
    const json_t *ev = json_array_get(json_object_get(out, "Events"), i);
    json_t *body = json_loads(json_string_value(json_object_get(ev, "CloudTrailEvent")), 0, NULL);
    assert_non_null(body);
    return body;
}

static const char *s_get(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

static void test_mutating_calls_are_recorded(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    struct sbx_identity root_use1;
    sbx_identity_for(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, "us-east-1", &root_use1);

    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateRole",
                       "{\"RoleName\":\"Audited\",\"AssumeRolePolicyDocument\":"
                       "\"{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":"
                       "{\\\"AWS\\\":\\\"*\\\"},\\\"Action\\\":\\\"sts:AssumeRole\\\"}]}\"}"));
    fx.now_ms += 1000;
    json_decref(sbx_ok(&fx, &fx.root, "iam", "GetRole", "{\"RoleName\":\"Audited\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateUser", "{\"UserName\":\"u\"}"));
    json_t *key = sbx_ok(&fx, &fx.root, "iam", "CreateAccessKey", "{\"UserName\":\"u\"}");
    char secret[64];
    snprintf(secret, sizeof(secret), "%s", sbx_str2(key, "AccessKey", "SecretAccessKey"));
    json_decref(key);
    json_t *assumed = sbx_ok(&fx, &fx.root, "sts", "AssumeRole",
                             "{\"RoleArn\":\"arn:aws:iam::123456789012:role/Audited\","
                             "\"RoleSessionName\":\"audit\"}");
    char token[512];
    char temp_secret[64];
    snprintf(token, sizeof(token), "%s", sbx_str2(assumed, "Credentials", "SessionToken"));
    snprintf(temp_secret, sizeof(temp_secret), "%s",
             sbx_str2(assumed, "Credentials", "SecretAccessKey"));
    json_decref(assumed);
    fx.now_ms += 1000;
    sbx_expect_error(&fx, &fx.root, "iam", "DeleteRole", "{\"RoleName\":\"Missing\"}", 404,
                     "NoSuchEntity");

    /* IAM events are global: recorded in us-east-1 although the caller signed for eu-west-1. */
    json_t *out = s_lookup(&fx, &fx.root, "EventName", "CreateRole");
    assert_int_equal(json_array_size(json_object_get(out, "Events")), 0);
    json_decref(out);

    out = s_lookup(&fx, &root_use1, "EventName", "CreateRole");
    assert_int_equal(json_array_size(json_object_get(out, "Events")), 1);
    const json_t *ev = json_array_get(json_object_get(out, "Events"), 0);
    assert_string_equal(s_get(ev, "EventSource"), "iam.amazonaws.com");
    assert_string_equal(s_get(ev, "ReadOnly"), "false");
    assert_string_equal(s_get(ev, "Username"), "root");
    assert_string_equal(s_get(ev, "AccessKeyId"), CPW_SBX_ROOT_ACCESS_KEY_ID);
    assert_string_equal(s_get(json_array_get(json_object_get(ev, "Resources"), 0), "ResourceName"),
                        "Audited");
    json_t *body = s_body(out, 0);
    assert_string_equal(s_get(body, "eventVersion"), "1.09");
    assert_string_equal(s_get(body, "eventSource"), "iam.amazonaws.com");
    assert_string_equal(s_get(body, "eventName"), "CreateRole");
    assert_string_equal(s_get(body, "awsRegion"), "us-east-1");
    assert_string_equal(s_get(body, "sourceIPAddress"), "192.0.2.10");
    assert_string_equal(s_get(body, "userAgent"), "aws-cli/2.9.19");
    assert_string_equal(s_get(body, "eventType"), "AwsApiCall");
    assert_string_equal(s_get(body, "recipientAccountId"), "123456789012");
    assert_string_equal(s_get(body, "eventID"), s_get(ev, "EventId"));
    assert_true(json_is_false(json_object_get(body, "readOnly")));
    assert_string_equal(s_get(body, "eventTime"), "2026-11-18T11:06:40Z");
    json_t *identity = json_object_get(body, "userIdentity");
    assert_string_equal(s_get(identity, "type"), "Root");
    assert_string_equal(s_get(identity, "principalId"), "123456789012");
    assert_string_equal(s_get(identity, "arn"), "arn:aws:iam::123456789012:root");
    assert_string_equal(s_get(identity, "accountId"), "123456789012");
    assert_string_equal(s_get(identity, "accessKeyId"), CPW_SBX_ROOT_ACCESS_KEY_ID);
    assert_string_equal(s_get(json_object_get(body, "requestParameters"), "roleName"), "Audited");
    assert_string_equal(
      s_get(json_object_get(json_object_get(body, "responseElements"), "role"), "roleName"),
      "Audited");
    json_decref(body);
    json_decref(out);

    /* Read-only calls are not recorded. */
    out = s_lookup(&fx, &root_use1, "EventName", "GetRole");
    assert_int_equal(json_array_size(json_object_get(out, "Events")), 0);
    json_decref(out);

    /* No secret anywhere in the recorded events. */
    out = sbx_ok(&fx, &root_use1, "cloudtrail", "LookupEvents", NULL);
    assert_int_equal(json_array_size(json_object_get(out, "Events")), 5);
    char *all = json_dumps(out, 0);
    assert_null(strstr(all, secret));
    assert_null(strstr(all, temp_secret));
    assert_null(strstr(all, token));
    assert_null(strstr(all, CPW_SBX_ROOT_SECRET_KEY));
    assert_null(strstr(all, "ecretAccessKey"));
    cpw_free(all);
    /* Most recent first: the failed DeleteRole, with its error. */
    body = s_body(out, 0);
    assert_string_equal(s_get(body, "eventName"), "DeleteRole");
    assert_string_equal(s_get(body, "errorCode"), "NoSuchEntity");
    assert_string_equal(s_get(body, "errorMessage"), "The role with name Missing cannot be found.");
    assert_true(json_is_null(json_object_get(body, "responseElements")));
    json_decref(body);
    body = s_body(out, 1);
    assert_string_equal(s_get(body, "eventName"), "AssumeRole");
    assert_string_equal(s_get(body, "eventSource"), "sts.amazonaws.com");
    assert_non_null(json_object_get(json_object_get(body, "responseElements"), "credentials"));
    json_decref(body);
    json_decref(out);

    out = s_lookup(&fx, &root_use1, "ResourceType", "AWS::IAM::User");
    assert_int_equal(json_array_size(json_object_get(out, "Events")), 2);
    json_decref(out);
    out = s_lookup(&fx, &root_use1, "Username", "root");
    assert_int_equal(json_array_size(json_object_get(out, "Events")), 5);
    json_decref(out);
    out = s_lookup(&fx, &root_use1, "EventSource", "sts.amazonaws.com");
    assert_int_equal(json_array_size(json_object_get(out, "Events")), 1);
    json_decref(out);
    out = s_lookup(&fx, &root_use1, "ReadOnly", "true");
    assert_int_equal(json_array_size(json_object_get(out, "Events")), 0);
    json_decref(out);
    cpw_sbx_credentials_clean_up(&root_use1.creds);
    sbx_fixture_close(&fx);
}

static void test_lookup_pages_window_and_errors(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    struct sbx_identity use1;
    sbx_identity_for(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, "us-east-1", &use1);
    for (int i = 0; i < 5; i++) {
        char input[64];
        snprintf(input, sizeof(input), "{\"UserName\":\"user%d\"}", i);
        json_decref(sbx_ok(&fx, &use1, "iam", "CreateUser", input));
    }
    /* Paging with MaxResults 2, most recent first, identical parameters with NextToken. */
    char token[64] = "";
    int seen = 4;
    int pages = 0;
    do {
        char input[256];
        if (token[0] != '\0') {
            snprintf(input, sizeof(input), "{\"MaxResults\":2,\"NextToken\":\"%s\"}", token);
        } else {
            snprintf(input, sizeof(input), "{\"MaxResults\":2}");
        }
        json_t *out = sbx_ok(&fx, &use1, "cloudtrail", "LookupEvents", input);
        pages++;
        for (size_t i = 0; i < json_array_size(json_object_get(out, "Events")); i++) {
            json_t *body = s_body(out, i);
            char name[16];
            snprintf(name, sizeof(name), "user%d", seen--);
            assert_string_equal(s_get(json_object_get(body, "requestParameters"), "userName"),
                                name);
            json_decref(body);
        }
        const char *next = json_string_value(json_object_get(out, "NextToken"));
        snprintf(token, sizeof(token), "%s", next ? next : "");
        json_decref(out);
    } while (token[0] != '\0');
    assert_int_equal(seen, -1);
    assert_int_equal(pages, 3);

    /* The 90-day window: 91 days later nothing is left. */
    fx.now_ms += 91LL * 24 * 3600 * 1000;
    json_t *out = sbx_ok(&fx, &use1, "cloudtrail", "LookupEvents", NULL);
    assert_int_equal(json_array_size(json_object_get(out, "Events")), 0);
    json_decref(out);

    sbx_expect_error(&fx, &use1, "cloudtrail", "LookupEvents", "{\"EventCategory\":\"data\"}", 400,
                     "InvalidEventCategoryException");
    sbx_expect_error(&fx, &use1, "cloudtrail", "LookupEvents", "{\"MaxResults\":51}", 400,
                     "InvalidMaxResultsException");
    sbx_expect_error(&fx, &use1, "cloudtrail", "LookupEvents", "{\"NextToken\":\"garbage\"}", 400,
                     "InvalidNextTokenException");
    sbx_expect_error(
      &fx, &use1, "cloudtrail", "LookupEvents",
      "{\"StartTime\":\"2026-11-20T00:00:00Z\",\"EndTime\":\"2026-11-19T00:00:00Z\"}", 400,
      "InvalidTimeRangeException");
    sbx_expect_error(&fx, &use1, "cloudtrail", "LookupEvents",
                     "{\"LookupAttributes\":[{\"AttributeKey\":\"EventName\",\"AttributeValue\":"
                     "\"a\"},{\"AttributeKey\":\"EventName\",\"AttributeValue\":\"b\"}]}",
                     400, "InvalidLookupAttributesException");
    sbx_expect_error(&fx, &use1, "cloudtrail", "LookupEvents",
                     "{\"LookupAttributes\":[{\"AttributeKey\":\"Nope\",\"AttributeValue\":"
                     "\"a\"}]}",
                     400, "InvalidLookupAttributesException");
    cpw_sbx_credentials_clean_up(&use1.creds);
    sbx_fixture_close(&fx);
}

/* A service of the next part, recording the creation of its service-linked role itself. */
static int s_fake_create_domain(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    (void)input;
    json_t *role = NULL;
    int rc = cpw_sbx_iam_create_slr(ctx, ctx->req->caller->account_id, "profile.amazonaws.com",
                                    NULL, NULL, false, &role);
    if (rc != 0) {
        return rc;
    }
    json_t *request = json_pack("{s:s}", "AWSServiceName", "profile.amazonaws.com");
    json_t *response = json_pack("{s:O}", "Role", role);
    json_t *resources = json_pack("[{s:s,s:O}]", "ResourceType", "AWS::IAM::Role", "ResourceName",
                                  json_object_get(role, "RoleName"));
    struct cpw_sbx_service_event ev = {
        .account_id = ctx->req->caller->account_id,
        .event_source = "iam.amazonaws.com",
        .event_name = "CreateServiceLinkedRole",
        .region = "us-east-1",
        .invoked_by = "profile.amazonaws.com",
        .request = request,
        .response = response,
        .resources = resources,
    };
    rc = cpw_sbx_record_service_event(ctx, &ev);
    json_decref(request);
    json_decref(response);
    json_decref(resources);
    json_decref(role);
    if (rc != 0) {
        return -1;
    }
    *output =
      json_pack("{s:s,s:i,s:s,s:s}", "DomainName", "d", "DefaultExpirationDays", 366, "CreatedAt",
                "2026-11-18T11:06:40Z", "LastUpdatedAt", "2026-11-18T11:06:40Z");
    return 0;
}

/* The same service deleting its role when the domain goes. */
static int s_fake_delete_domain(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *role = json_string_value(json_object_get(input, "RoleName"));
    int rc = cpw_sbx_iam_delete_slr_as_service(ctx, ctx->req->caller->account_id, role);
    if (rc == 1) {
        return cpw_sbx_fail(ctx, 404, "ResourceNotFoundException", "no role %s", role);
    }
    if (rc < 0) {
        return -1;
    }
    *output = json_pack("{s:s}", "Message", "deleted");
    return 0;
}

static const struct cpw_sbx_op s_fake_ops[] = {
    { "CreateDomain", s_fake_create_domain },
    { "DeleteDomain", s_fake_delete_domain },
};
static const struct cpw_sbx_service s_fake_profile = {
    .signing_name = "profile",
    .model_name = "customer-profiles",
    .event_source = "profile.amazonaws.com",
    .global = false,
    .ops = s_fake_ops,
    .op_count = 2,
};

static void test_service_events_and_registration(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    sbx_expect_error(&fx, &fx.root, "profile", "GetDomain", "{\"DomainName\":\"d\"}", 404,
                     "ResourceNotFoundException");
    assert_int_equal(cpw_sbx_register_service(fx.sbx, &s_fake_profile), 0);
    sbx_expect_error(&fx, &fx.root, "profile", "ListDomains", "{}", 501, "NotImplemented");
    assert_string_equal(fx.err.message, "The sandbox does not emulate profile:ListDomains yet");
    json_decref(sbx_ok(&fx, &fx.root, "profile", "CreateDomain", "{\"DomainName\":\"d\"}"));

    /* The caller's CreateDomain is recorded in its region, the service's SLR in us-east-1. */
    json_t *out = s_lookup(&fx, &fx.root, "EventName", "CreateDomain");
    assert_int_equal(json_array_size(json_object_get(out, "Events")), 1);
    json_t *body = s_body(out, 0);
    assert_string_equal(s_get(body, "awsRegion"), "eu-west-1");
    assert_string_equal(s_get(body, "eventSource"), "profile.amazonaws.com");
    json_decref(body);
    json_decref(out);
    struct sbx_identity use1;
    sbx_identity_for(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, "us-east-1", &use1);
    out = s_lookup(&fx, &use1, "EventName", "CreateServiceLinkedRole");
    assert_int_equal(json_array_size(json_object_get(out, "Events")), 1);
    body = s_body(out, 0);
    json_t *identity = json_object_get(body, "userIdentity");
    assert_string_equal(s_get(identity, "type"), "AWSService");
    assert_string_equal(s_get(identity, "invokedBy"), "profile.amazonaws.com");
    assert_string_equal(s_get(body, "sourceIPAddress"), "profile.amazonaws.com");
    assert_string_equal(s_get(json_object_get(body, "requestParameters"), "aWSServiceName"),
                        "profile.amazonaws.com");
    assert_memory_equal(
      s_get(json_object_get(json_object_get(body, "responseElements"), "role"), "roleName"),
      "AWSServiceRoleForProfile_", 25);
    char role[128];
    snprintf(role, sizeof(role), "{\"RoleName\":\"%s\"}",
             s_get(json_object_get(json_object_get(body, "responseElements"), "role"), "roleName"));
    json_decref(body);
    json_decref(out);

    /* The service deletes its role itself: gone at once, recorded as invoked by the service. */
    json_decref(sbx_ok(&fx, &fx.root, "profile", "DeleteDomain", role));
    sbx_expect_error(&fx, &fx.root, "iam", "GetRole", role, 404, "NoSuchEntity");
    sbx_expect_error(&fx, &fx.root, "profile", "DeleteDomain", role, 404,
                     "ResourceNotFoundException");
    out = s_lookup(&fx, &use1, "EventName", "DeleteServiceLinkedRole");
    assert_int_equal(json_array_size(json_object_get(out, "Events")), 1);
    body = s_body(out, 0);
    assert_string_equal(s_get(json_object_get(body, "userIdentity"), "invokedBy"),
                        "profile.amazonaws.com");
    json_decref(body);
    json_decref(out);
    cpw_sbx_credentials_clean_up(&use1.creds);
    sbx_fixture_close(&fx);
}

static void test_assumed_role_identity(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateRole",
                       "{\"RoleName\":\"Ops\",\"Path\":\"/teams/\",\"AssumeRolePolicyDocument\":"
                       "\"{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":"
                       "{\\\"AWS\\\":\\\"*\\\"},\\\"Action\\\":\\\"sts:AssumeRole\\\"}]}\"}"));
    /* With authorization on, the role needs permissions of its own to create a user. */
    json_decref(sbx_ok(&fx, &fx.root, "iam", "AttachRolePolicy",
                       "{\"RoleName\":\"Ops\",\"PolicyArn\":"
                       "\"arn:aws:iam::aws:policy/AdministratorAccess\"}"));
    json_t *out = sbx_ok(&fx, &fx.root, "sts", "AssumeRole",
                         "{\"RoleArn\":\"arn:aws:iam::123456789012:role/teams/Ops\","
                         "\"RoleSessionName\":\"night-shift\"}");
    struct sbx_identity ops;
    sbx_identity_for(&fx, sbx_str2(out, "Credentials", "AccessKeyId"), "us-east-1", &ops);
    json_decref(out);
    json_decref(sbx_ok(&fx, &ops, "iam", "CreateUser", "{\"UserName\":\"by-role\"}"));
    out = s_lookup(&fx, &ops, "Username", "night-shift");
    assert_int_equal(json_array_size(json_object_get(out, "Events")), 1);
    json_t *body = s_body(out, 0);
    json_t *identity = json_object_get(body, "userIdentity");
    assert_string_equal(s_get(identity, "type"), "AssumedRole");
    assert_string_equal(s_get(identity, "arn"),
                        "arn:aws:sts::123456789012:assumed-role/Ops/night-shift");
    assert_string_equal(s_get(identity, "principalId"), ops.creds.user_id);
    json_t *issuer = json_object_get(json_object_get(identity, "sessionContext"), "sessionIssuer");
    assert_string_equal(s_get(issuer, "arn"), "arn:aws:iam::123456789012:role/teams/Ops");
    assert_string_equal(s_get(issuer, "userName"), "Ops");
    json_decref(body);
    json_decref(out);
    cpw_sbx_credentials_clean_up(&ops.creds);
    sbx_fixture_close(&fx);
}

static void test_trails(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_t *out =
      sbx_ok(&fx, &fx.root, "cloudtrail", "CreateTrail",
             "{\"Name\":\"main\",\"S3BucketName\":\"logs\",\"IsMultiRegionTrail\":true}");
    assert_string_equal(s_get(out, "TrailARN"),
                        "arn:aws:cloudtrail:eu-west-1:123456789012:trail/main");
    assert_true(json_is_true(json_object_get(out, "IsMultiRegionTrail")));
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "cloudtrail", "CreateTrail",
                     "{\"Name\":\"main\",\"S3BucketName\":\"logs\"}", 400,
                     "TrailAlreadyExistsException");
    out = sbx_ok(&fx, &fx.root, "cloudtrail", "GetTrailStatus", "{\"Name\":\"main\"}");
    assert_true(json_is_false(json_object_get(out, "IsLogging")));
    json_decref(out);
    json_decref(sbx_ok(&fx, &fx.root, "cloudtrail", "StartLogging",
                       "{\"Name\":\"arn:aws:cloudtrail:eu-west-1:123456789012:trail/main\"}"));
    out = sbx_ok(&fx, &fx.root, "cloudtrail", "GetTrailStatus", "{\"Name\":\"main\"}");
    assert_true(json_is_true(json_object_get(out, "IsLogging")));
    assert_non_null(json_object_get(out, "StartLoggingTime"));
    json_decref(out);
    json_decref(sbx_ok(&fx, &fx.root, "cloudtrail", "StopLogging", "{\"Name\":\"main\"}"));
    out = sbx_ok(&fx, &fx.root, "cloudtrail", "DescribeTrails", "{\"trailNameList\":[\"main\"]}");
    assert_int_equal(json_array_size(json_object_get(out, "trailList")), 1);
    assert_string_equal(s_get(json_array_get(json_object_get(out, "trailList"), 0), "HomeRegion"),
                        "eu-west-1");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "cloudtrail", "GetTrailStatus", "{\"Name\":\"nope\"}", 400,
                     "TrailNotFoundException");
    /* CloudTrail's own mutating calls are recorded in the caller's region. */
    out = s_lookup(&fx, &fx.root, "EventSource", "cloudtrail.amazonaws.com");
    assert_int_equal(json_array_size(json_object_get(out, "Events")), 4);
    json_decref(out);
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_cloudtrail",
              CPW_TEST(test_mutating_calls_are_recorded),
              CPW_TEST(test_lookup_pages_window_and_errors),
              CPW_TEST(test_service_events_and_registration),
              CPW_TEST(test_assumed_role_identity),
              CPW_TEST(test_trails))
