/*
 * test_sbx_lifecycle.c - how Customer Profiles and Connect create and leave behind their
 * service-linked roles: one role per domain with the CloudTrail event invoked by the service,
 * the role's removal after DeleteDomain (or its persistence under the knob), DeleteInstance
 * leaving role and integration behind, DeleteServiceLinkedRole failing with a RoleUsageList while
 * the resource exists and succeeding once it is gone, and DeleteDomain's failure knob.
 */
#include "sbx_test.h"

#include "sandbox/sbx_realism.h"

#define CP_PATH      "/aws-service-role/profile.amazonaws.com/"
#define CONNECT_PATH "/aws-service-role/connect.amazonaws.com/"

/* Names of the roles under path, as a new JSON array. */
static json_t *s_roles(struct sbx_fixture *fx, const char *path)
{
    char input[200];
    snprintf(input, sizeof(input), "{\"PathPrefix\":\"%s\"}", path);
    json_t *out = sbx_ok(fx, &fx->root, "iam", "ListRoles", input);
    json_t *names = json_array();
    size_t i;
    json_t *role;
    json_array_foreach(json_object_get(out, "Roles"), i, role)
    {
        json_array_append(names, json_object_get(role, "RoleName"));
    }
    json_decref(out);
    return names;
}

static void s_domain(struct sbx_fixture *fx, const char *name)
{
    char input[200];
    snprintf(input, sizeof(input), "{\"DomainName\":\"%s\",\"DefaultExpirationDays\":10}", name);
    json_decref(sbx_ok(fx, &fx->root, "profile", "CreateDomain", input));
}

/* Starts DeleteServiceLinkedRole on role and returns its status after the task's delay. */
static json_t *s_delete_slr(struct sbx_fixture *fx, const char *role)
{
    char input[300];
    snprintf(input, sizeof(input), "{\"RoleName\":\"%s\"}", role);
    json_t *out = sbx_ok(fx, &fx->root, "iam", "DeleteServiceLinkedRole", input);
    snprintf(input, sizeof(input), "{\"DeletionTaskId\":\"%s\"}",
             json_string_value(json_object_get(out, "DeletionTaskId")));
    json_decref(out);
    fx->now_ms += CPW_SBX_DEFAULT_SLR_DELETE_MS;
    return sbx_ok(fx, &fx->root, "iam", "GetServiceLinkedRoleDeletionStatus", input);
}

static bool s_role_exists(struct sbx_fixture *fx, const char *role)
{
    char input[300];
    snprintf(input, sizeof(input), "{\"RoleName\":\"%s\"}", role);
    json_t *out = NULL;
    int rc = sbx_call(fx, &fx->root, "iam", "GetRole", input, &out);
    json_decref(out);
    return rc == 0;
}

static void test_role_per_domain_with_events(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    s_domain(&fx, "one");
    s_domain(&fx, "two");
    json_t *roles = s_roles(&fx, CP_PATH);
    assert_int_equal(json_array_size(roles), 2);
    const char *r0 = json_string_value(json_array_get(roles, 0));
    const char *r1 = json_string_value(json_array_get(roles, 1));
    assert_memory_equal(r0, "AWSServiceRoleForProfile_", 25);
    assert_int_equal(strlen(r0), 45);
    assert_string_not_equal(r0, r1);
    json_decref(roles);

    /* CreateServiceLinkedRole is recorded in us-east-1, invoked by profile.amazonaws.com. */
    struct sbx_identity use1;
    sbx_identity_for(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, "us-east-1", &use1);
    json_t *out = sbx_ok(&fx, &use1, "cloudtrail", "LookupEvents",
                         "{\"LookupAttributes\":[{\"AttributeKey\":\"EventName\","
                         "\"AttributeValue\":\"CreateServiceLinkedRole\"}]}");
    json_t *events = json_object_get(out, "Events");
    assert_int_equal(json_array_size(events), 2);
    json_t *body = json_loads(
      json_string_value(json_object_get(json_array_get(events, 0), "CloudTrailEvent")), 0, NULL);
    json_t *identity = json_object_get(body, "userIdentity");
    assert_string_equal(json_string_value(json_object_get(identity, "type")), "AWSService");
    assert_string_equal(json_string_value(json_object_get(identity, "invokedBy")),
                        "profile.amazonaws.com");
    assert_string_equal(json_string_value(json_object_get(body, "eventSource")),
                        "iam.amazonaws.com");
    json_decref(body);
    json_decref(out);
    /* CreateDomain itself is the caller's, in the caller's region. */
    out = sbx_ok(&fx, &fx.root, "cloudtrail", "LookupEvents",
                 "{\"LookupAttributes\":[{\"AttributeKey\":\"EventName\","
                 "\"AttributeValue\":\"CreateDomain\"}]}");
    events = json_object_get(out, "Events");
    assert_int_equal(json_array_size(events), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(events, 0), "Username")),
                        "root");
    json_decref(out);
    cpw_sbx_credentials_clean_up(&use1.creds);
    sbx_fixture_close(&fx);
}

static void test_delete_domain_removes_role_after_delay(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    s_domain(&fx, "gone");
    json_t *roles = s_roles(&fx, CP_PATH);
    char role[80];
    snprintf(role, sizeof(role), "%s", json_string_value(json_array_get(roles, 0)));
    json_decref(roles);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "DeleteDomain", "{\"DomainName\":\"gone\"}"));
    fx.now_ms += CPW_SBX_DEFAULT_ROLE_CLEANUP_MS - 1;
    assert_true(s_role_exists(&fx, role)); /* still being cleaned up */
    fx.now_ms += 1;
    assert_false(s_role_exists(&fx, role));
    /* The service's DeleteRole is on record. */
    struct sbx_identity use1;
    sbx_identity_for(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, "us-east-1", &use1);
    json_t *out = sbx_ok(&fx, &use1, "cloudtrail", "LookupEvents",
                         "{\"LookupAttributes\":[{\"AttributeKey\":\"Username\","
                         "\"AttributeValue\":\"profile.amazonaws.com\"}]}");
    json_t *events = json_object_get(out, "Events");
    assert_int_equal(json_array_size(events), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(events, 0), "EventName")),
                        "DeleteRole");
    json_decref(out);
    cpw_sbx_credentials_clean_up(&use1.creds);
    sbx_fixture_close(&fx);
}

static void test_role_persists_under_knob_and_slr_deletion(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    s_domain(&fx, "stays");
    json_t *roles = s_roles(&fx, CP_PATH);
    char role[80];
    snprintf(role, sizeof(role), "%s", json_string_value(json_array_get(roles, 0)));
    json_decref(roles);

    /* While the domain exists the role is in use. */
    json_t *status = s_delete_slr(&fx, role);
    assert_string_equal(json_string_value(json_object_get(status, "Status")), "FAILED");
    const json_t *usage = json_object_get(json_object_get(status, "Reason"), "RoleUsageList");
    assert_int_equal(json_array_size(usage), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(usage, 0), "Region")),
                        "eu-west-1");
    assert_string_equal(
      json_string_value(json_array_get(json_object_get(json_array_get(usage, 0), "Resources"), 0)),
      "arn:aws:profile:eu-west-1:123456789012:domains/stays");
    json_decref(status);
    assert_true(s_role_exists(&fx, role));

    /* The runbook's case: the domain goes, its role stays. */
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_init(&knobs);
    knobs.domain_role_persists = true;
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "DeleteDomain", "{\"DomainName\":\"stays\"}"));
    fx.now_ms += 3600 * 1000;
    assert_true(s_role_exists(&fx, role));
    /* Now nothing uses it: DeleteServiceLinkedRole succeeds. */
    status = s_delete_slr(&fx, role);
    assert_string_equal(json_string_value(json_object_get(status, "Status")), "SUCCEEDED");
    json_decref(status);
    assert_false(s_role_exists(&fx, role));
    sbx_fixture_close(&fx);
}

static void test_delete_instance_leaves_role_and_integration(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_t *inst =
      sbx_ok(&fx, &fx.root, "connect", "CreateInstance",
             "{\"IdentityManagementType\":\"CONNECT_MANAGED\",\"InstanceAlias\":\"cc\","
             "\"InboundCallsEnabled\":true,\"OutboundCallsEnabled\":true}");
    char arn[200];
    char id[64];
    snprintf(arn, sizeof(arn), "%s", json_string_value(json_object_get(inst, "Arn")));
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(inst, "Id")));
    json_decref(inst);
    s_domain(&fx, "cx");
    char input[400];
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"cx\",\"Uri\":\"%s\",\"ObjectTypeName\":\"CTR\"}", arn);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "PutIntegration", input));
    json_t *roles = s_roles(&fx, CONNECT_PATH);
    char role[80];
    snprintf(role, sizeof(role), "%s", json_string_value(json_array_get(roles, 0)));
    json_decref(roles);

    json_t *status = s_delete_slr(&fx, role);
    assert_string_equal(json_string_value(json_object_get(status, "Status")), "FAILED");
    const json_t *usage = json_object_get(json_object_get(status, "Reason"), "RoleUsageList");
    assert_string_equal(
      json_string_value(json_array_get(json_object_get(json_array_get(usage, 0), "Resources"), 0)),
      arn);
    json_decref(status);

    snprintf(input, sizeof(input), "{\"InstanceId\":\"%s\"}", id);
    json_decref(sbx_ok(&fx, &fx.root, "connect", "DeleteInstance", input));
    fx.now_ms += 24 * 3600 * 1000LL;
    /* Left behind: the instance's role and the integration naming the deleted instance. */
    assert_true(s_role_exists(&fx, role));
    snprintf(input, sizeof(input), "{\"Uri\":\"%s\"}", arn);
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "ListAccountIntegrations", input);
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 1);
    json_decref(out);
    status = s_delete_slr(&fx, role);
    assert_string_equal(json_string_value(json_object_get(status, "Status")), "SUCCEEDED");
    json_decref(status);
    assert_false(s_role_exists(&fx, role));
    sbx_fixture_close(&fx);
}

static void test_delete_instance_knobs_clean_up(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_init(&knobs);
    knobs.instance_delete_removes_role = true;
    knobs.instance_delete_removes_integrations = true;
    knobs.instance_role_cleanup_ms = 500;
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    json_t *inst = sbx_ok(&fx, &fx.root, "connect", "CreateInstance",
                          "{\"IdentityManagementType\":\"SAML\",\"InboundCallsEnabled\":true,"
                          "\"OutboundCallsEnabled\":true}");
    char input[400];
    s_domain(&fx, "cx");
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"cx\",\"Uri\":\"%s\",\"ObjectTypeName\":\"CTR\"}",
             json_string_value(json_object_get(inst, "Arn")));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "PutIntegration", input));
    snprintf(input, sizeof(input), "{\"InstanceId\":\"%s\"}",
             json_string_value(json_object_get(inst, "Id")));
    json_decref(sbx_ok(&fx, &fx.root, "connect", "DeleteInstance", input));
    snprintf(input, sizeof(input), "{\"Uri\":\"%s\"}",
             json_string_value(json_object_get(inst, "Arn")));
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "ListAccountIntegrations", input);
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 0);
    json_decref(out);
    json_t *roles = s_roles(&fx, CONNECT_PATH);
    assert_int_equal(json_array_size(roles), 1);
    json_decref(roles);
    fx.now_ms += 500;
    roles = s_roles(&fx, CONNECT_PATH);
    assert_int_equal(json_array_size(roles), 0);
    json_decref(roles);
    json_decref(inst);
    sbx_fixture_close(&fx);
}

static void test_delete_domain_failure_knob(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    s_domain(&fx, "stuck");
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_init(&knobs);
    knobs.delete_domain_failure = CPW_SBX_DELETE_DOMAIN_INTERNAL;
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    sbx_expect_error(&fx, &fx.root, "profile", "DeleteDomain", "{\"DomainName\":\"stuck\"}", 500,
                     "InternalServerException");
    json_decref(sbx_ok(&fx, &fx.root, "profile", "GetDomain", "{\"DomainName\":\"stuck\"}"));

    /* in_use: refused while a live instance is integrated, allowed once it is gone. */
    knobs.delete_domain_failure = CPW_SBX_DELETE_DOMAIN_IN_USE;
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    json_t *inst = sbx_ok(&fx, &fx.root, "connect", "CreateInstance",
                          "{\"IdentityManagementType\":\"SAML\",\"InboundCallsEnabled\":true,"
                          "\"OutboundCallsEnabled\":true}");
    char input[400];
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"stuck\",\"Uri\":\"%s\",\"ObjectTypeName\":\"CTR\"}",
             json_string_value(json_object_get(inst, "Arn")));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "PutIntegration", input));
    sbx_expect_error(&fx, &fx.root, "profile", "DeleteDomain", "{\"DomainName\":\"stuck\"}", 400,
                     "BadRequestException");
    snprintf(input, sizeof(input), "{\"InstanceId\":\"%s\"}",
             json_string_value(json_object_get(inst, "Id")));
    json_decref(sbx_ok(&fx, &fx.root, "connect", "DeleteInstance", input));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "DeleteDomain", "{\"DomainName\":\"stuck\"}"));
    json_decref(inst);
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_lifecycle",
              CPW_TEST(test_role_per_domain_with_events),
              CPW_TEST(test_delete_domain_removes_role_after_delay),
              CPW_TEST(test_role_persists_under_knob_and_slr_deletion),
              CPW_TEST(test_delete_instance_leaves_role_and_integration),
              CPW_TEST(test_delete_instance_knobs_clean_up),
              CPW_TEST(test_delete_domain_failure_knob))
