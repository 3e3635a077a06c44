/*
 * test_sbx_trails.c - the sandbox's trail operations the audit reads (GetEventSelectors,
 * PutEventSelectors, DeleteTrail, HasCustomEventSelectors) with AWS's home-region rule, scenario
 * trails, RoleLastUsed of scenario roles, and the org: generator's audit knobs.
 */
#include "cpw/json.h"
#include "sandbox/sbx_realism.h"
#include "sandbox/sbx_service.h"
#include "sbx_test.h"

static const char *s_get(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static void test_event_selectors(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_decref(
      sbx_ok(&fx, &fx.root, "cloudtrail", "CreateTrail",
             "{\"Name\":\"main\",\"S3BucketName\":\"logs\",\"IsMultiRegionTrail\":true}"));
    /* the default selector: every management event */
    json_t *out =
      sbx_ok(&fx, &fx.root, "cloudtrail", "GetEventSelectors", "{\"TrailName\":\"main\"}");
    const json_t *sel = json_array_get(json_object_get(out, "EventSelectors"), 0);
    assert_true(json_is_true(json_object_get(sel, "IncludeManagementEvents")));
    assert_string_equal(s_get(sel, "ReadWriteType"), "All");
    assert_string_equal(s_get(out, "TrailARN"),
                        "arn:aws:cloudtrail:eu-west-1:123456789012:trail/main");
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "cloudtrail", "DescribeTrails", "{}");
    assert_true(json_is_false(json_object_get(json_array_get(json_object_get(out, "trailList"), 0),
                                              "HasCustomEventSelectors")));
    json_decref(out);
    /* changed in the home region only */
    struct sbx_identity elsewhere;
    sbx_identity_for(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, "us-east-1", &elsewhere);
    sbx_expect_error(
      &fx, &elsewhere, "cloudtrail", "PutEventSelectors",
      "{\"TrailName\":\"main\",\"EventSelectors\":[{\"IncludeManagementEvents\":false}]}", 400,
      "InvalidHomeRegionException");
    sbx_expect_error(&fx, &fx.root, "cloudtrail", "PutEventSelectors",
                     "{\"TrailName\":\"main\",\"EventSelectors\":[],\"AdvancedEventSelectors\":[]}",
                     400, "InvalidEventSelectorsException");
    json_decref(
      sbx_ok(&fx, &fx.root, "cloudtrail", "PutEventSelectors",
             "{\"TrailName\":\"main\",\"EventSelectors\":[{\"IncludeManagementEvents\":false}]}"));
    out = sbx_ok(&fx, &fx.root, "cloudtrail", "GetEventSelectors", "{\"TrailName\":\"main\"}");
    sel = json_array_get(json_object_get(out, "EventSelectors"), 0);
    assert_true(json_is_false(json_object_get(sel, "IncludeManagementEvents")));
    assert_string_equal(s_get(sel, "ReadWriteType"), "All");
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "cloudtrail", "DescribeTrails", "{}");
    assert_true(json_is_true(json_object_get(json_array_get(json_object_get(out, "trailList"), 0),
                                             "HasCustomEventSelectors")));
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "cloudtrail", "GetEventSelectors", "{\"TrailName\":\"nope\"}",
                     400, "TrailNotFoundException");
    /* DeleteTrail: home region only, then gone */
    sbx_expect_error(&fx, &elsewhere, "cloudtrail", "DeleteTrail", "{\"Name\":\"main\"}", 400,
                     "InvalidHomeRegionException");
    json_decref(sbx_ok(&fx, &fx.root, "cloudtrail", "DeleteTrail", "{\"Name\":\"main\"}"));
    out = sbx_ok(&fx, &fx.root, "cloudtrail", "DescribeTrails", "{}");
    assert_int_equal(json_array_size(json_object_get(out, "trailList")), 0);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "cloudtrail", "DeleteTrail", "{\"Name\":\"main\"}", 400,
                     "TrailNotFoundException");
    sbx_fixture_close(&fx);
}

static void s_load(struct sbx_fixture *fx, const char *text)
{
    json_t *doc = NULL;
    assert_int_equal(cpw_json_load(cpw_span_from_cstr(text), CPW_JSON_MAX_TEXT_BYTES, &doc), 0);
    if (cpw_sbx_load_scenario(fx->sbx, doc) != 0) {
        fail_msg("%s", cpw_last_error_detail());
    }
    json_decref(doc);
}

static void test_scenario_trails_and_last_used(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    s_load(
      &fx,
      "{\"trails\":[{\"name\":\"off\",\"region\":\"eu-west-1\",\"logging\":false},"
      "{\"name\":\"nomgmt\",\"region\":\"eu-west-1\",\"management_events\":false}],"
      "\"connect_instances\":[{\"region\":\"eu-west-1\",\"alias\":\"live\",\"role_suffix\":"
      "\"LiveRole\"},"
      "{\"region\":\"eu-west-1\",\"alias\":\"gone\",\"role_suffix\":\"GoneRole\",\"deleted\":true},"
      "{\"region\":\"eu-west-1\",\"alias\":\"old\",\"role_suffix\":\"OldRole\",\"role_last_used_"
      "days\":400}],"
      "\"profile_domains\":[{\"region\":\"eu-west-1\",\"name\":\"d1\",\"role_suffix\":\"D1Role\","
      "\"encryption_key\":\"arn:aws:kms:eu-west-1:123456789012:key/k\","
      "\"dead_letter_queue\":\"https://sqs.eu-west-1.amazonaws.com/123456789012/q\","
      "\"integrations\":[{\"connect_instance\":\"live\"}]},"
      "{\"region\":\"eu-west-1\",\"name\":\"d2\",\"role_suffix\":\"D2Role\","
      "\"integrations\":[{\"connect_instance\":\"gone\"}]}]}");
    json_t *out = sbx_ok(&fx, &fx.root, "cloudtrail", "GetTrailStatus", "{\"Name\":\"off\"}");
    assert_true(json_is_false(json_object_get(out, "IsLogging")));
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "cloudtrail", "GetEventSelectors", "{\"TrailName\":\"nomgmt\"}");
    assert_true(json_is_false(json_object_get(
      json_array_get(json_object_get(out, "EventSelectors"), 0), "IncludeManagementEvents")));
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "cloudtrail", "GetTrailStatus", "{\"Name\":\"nomgmt\"}");
    assert_true(json_is_true(json_object_get(out, "IsLogging")));
    json_decref(out);
    /* RoleLastUsed: live resources' roles used at load, leftovers' never, an override honoured */
    static const struct {
        const char *role;
        bool used;
    } roles[] = { { "AWSServiceRoleForAmazonConnect_LiveRole", true },
                  { "AWSServiceRoleForAmazonConnect_GoneRole", false },
                  { "AWSServiceRoleForAmazonConnect_OldRole", true },
                  { "AWSServiceRoleForProfile_D1Role", true },
                  { "AWSServiceRoleForProfile_D2Role", false } };
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        char input[200];
        snprintf(input, sizeof(input), "{\"RoleName\":\"%s\"}", roles[i].role);
        out = sbx_ok(&fx, &fx.root, "iam", "GetRole", input);
        const json_t *last = json_object_get(json_object_get(out, "Role"), "RoleLastUsed");
        if (roles[i].used != (json_object_get(last, "LastUsedDate") != NULL)) {
            fail_msg("%s: RoleLastUsed %s", roles[i].role, roles[i].used ? "missing" : "set");
        }
        if (roles[i].used) {
            assert_string_equal(s_get(last, "Region"), "eu-west-1");
        }
        json_decref(out);
    }
    sbx_fixture_close(&fx);
}

static void test_org_audit_knobs(void **state)
{
    (void)state;
    json_t *plain = NULL;
    json_t *knobs = NULL;
    assert_int_equal(cpw_sbx_builtin_scenario("org:accounts=4,regions=2", &plain), 0);
    assert_int_equal(
      cpw_sbx_builtin_scenario(
        "org:accounts=4,regions=2,untagged=0,trails_off=1,unencrypted=0,stale_roles=1", &knobs),
      0);
    /* the knobs leave identifiers and leftovers as they were */
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(plain, "connect_instances"), i, x)
    {
        const json_t *y = json_array_get(json_object_get(knobs, "connect_instances"), i);
        assert_string_equal(s_get(x, "id"), s_get(y, "id"));
        assert_int_equal(json_is_true(json_object_get(x, "deleted")),
                         json_is_true(json_object_get(y, "deleted")));
        assert_null(json_object_get(x, "tags"));
        assert_non_null(json_object_get(y, "tags"));
        assert_int_equal(json_integer_value(json_object_get(y, "role_last_used_days")), 400);
    }
    json_array_foreach(json_object_get(knobs, "profile_domains"), i, x)
    {
        assert_non_null(s_get(x, "encryption_key"));
        assert_non_null(s_get(x, "dead_letter_queue"));
        assert_string_equal(s_get(json_object_get(x, "tags"), "environment"), "prod");
    }
    assert_null(json_object_get(plain, "trails"));
    const json_t *trails = json_object_get(knobs, "trails");
    assert_int_equal(json_array_size(trails), 5); /* 4 members and the management account */
    size_t logging = 0;
    json_array_foreach(trails, i, x)
    {
        const json_t *on = json_object_get(x, "logging");
        logging += on == NULL || json_is_true(on);
    }
    assert_int_equal(logging, 1); /* only the management account's */
    json_decref(plain);
    json_decref(knobs);
    json_t *bad = NULL;
    assert_int_equal(cpw_sbx_builtin_scenario("org:untagged=2", &bad), -1);
    assert_null(bad);
    cpw_model_clean_up();
}

CPW_TEST_MAIN("sbx_trails",
              CPW_TEST(test_event_selectors),
              CPW_TEST(test_scenario_trails_and_last_used),
              CPW_TEST(test_org_audit_knobs))
