/*
 * test_sbx_builtin_scenarios.c - the built-in scenarios: "orphans" holds exactly the runbook's
 * situation (and behaves like it under DeleteServiceLinkedRole), "clean" holds nothing, and
 * "org:..." is generated deterministically from its seed and loads into member accounts.
 */
#include "sbx_test.h"

#include "sandbox/sbx_realism.h"

static size_t s_count(struct sbx_fixture *fx,
                      const struct sbx_identity *who,
                      const char *service,
                      const char *operation,
                      const char *input,
                      const char *list)
{
    json_t *out = sbx_ok(fx, who, service, operation, input);
    size_t n = json_array_size(json_object_get(out, list));
    json_decref(out);
    return n;
}

static json_t *s_roles(struct sbx_fixture *fx, const char *principal)
{
    char input[200];
    snprintf(input, sizeof(input), "{\"PathPrefix\":\"/aws-service-role/%s/\"}", principal);
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

static const char *s_status_after_slr_delete(struct sbx_fixture *fx,
                                             const char *role,
                                             char *region,
                                             size_t cap)
{
    static char status[32];
    char input[300];
    snprintf(input, sizeof(input), "{\"RoleName\":\"%s\"}", role);
    json_t *out = sbx_ok(fx, &fx->root, "iam", "DeleteServiceLinkedRole", input);
    snprintf(input, sizeof(input), "{\"DeletionTaskId\":\"%s\"}",
             json_string_value(json_object_get(out, "DeletionTaskId")));
    json_decref(out);
    fx->now_ms += CPW_SBX_DEFAULT_SLR_DELETE_MS;
    out = sbx_ok(fx, &fx->root, "iam", "GetServiceLinkedRoleDeletionStatus", input);
    snprintf(status, sizeof(status), "%s", json_string_value(json_object_get(out, "Status")));
    const json_t *usage = json_object_get(json_object_get(out, "Reason"), "RoleUsageList");
    const char *r = json_string_value(json_object_get(json_array_get(usage, 0), "Region"));
    snprintf(region, cap, "%s", r ? r : "");
    json_decref(out);
    return status;
}

static void test_orphans(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_t *doc = NULL;
    assert_int_equal(cpw_sbx_builtin_scenario("orphans", &doc), 0);
    if (cpw_sbx_load_scenario(fx.sbx, doc) != 0) {
        fail_msg("load: %s", cpw_last_error_detail());
    }
    json_decref(doc);
    struct sbx_identity use1;
    struct sbx_identity euw2;
    sbx_identity_for(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, "us-east-1", &use1);
    sbx_identity_for(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, "eu-west-2", &euw2);

    /* us-east-1: one live ACTIVE instance integrated with its domain. */
    json_t *out = sbx_ok(&fx, &use1, "connect", "ListInstances", NULL);
    json_t *list = json_object_get(out, "InstanceSummaryList");
    assert_int_equal(json_array_size(list), 1);
    const json_t *inst = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(inst, "InstanceStatus")), "ACTIVE");
    char input[400];
    snprintf(input, sizeof(input), "{\"Uri\":\"%s\"}",
             json_string_value(json_object_get(inst, "Arn")));
    json_decref(out);
    out = sbx_ok(&fx, &use1, "profile", "ListAccountIntegrations", input);
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 1);
    assert_string_equal(json_string_value(json_object_get(
                          json_array_get(json_object_get(out, "Items"), 0), "DomainName")),
                        "live-customers");
    json_decref(out);
    assert_int_equal(s_count(&fx, &use1, "profile", "ListDomains", NULL, "Items"), 1);

    /* eu-west-2: no instance, but its domain with an integration naming the deleted instance. */
    assert_int_equal(s_count(&fx, &euw2, "connect", "ListInstances", NULL, "InstanceSummaryList"),
                     0);
    out =
      sbx_ok(&fx, &euw2, "profile", "ListIntegrations", "{\"DomainName\":\"retired-customers\"}");
    const char *uri =
      json_string_value(json_object_get(json_array_get(json_object_get(out, "Items"), 0), "Uri"));
    assert_string_equal(uri, "arn:aws:connect:eu-west-2:123456789012:instance/"
                             "5d2e8b1c-3f4a-4b5c-9d6e-000000000002");
    json_decref(out);
    out = sbx_ok(&fx, &euw2, "profile", "GetDomain", "{\"DomainName\":\"retired-customers\"}");
    assert_int_equal(
      json_integer_value(json_object_get(json_object_get(out, "Stats"), "ProfileCount")), 2);
    json_decref(out);
    assert_int_equal(s_count(&fx, &fx.root, "profile", "ListDomains", NULL, "Items"), 0);

    /* IAM: three Customer Profiles roles (two domains + legacy) and two Connect roles. */
    json_t *cp = s_roles(&fx, "profile.amazonaws.com");
    assert_int_equal(json_array_size(cp), 3);
    assert_string_equal(json_string_value(json_array_get(cp, 0)), "AWSServiceRoleForProfile");
    assert_string_equal(json_string_value(json_array_get(cp, 1)),
                        "AWSServiceRoleForProfile_LiveDomainRole000001");
    assert_string_equal(json_string_value(json_array_get(cp, 2)),
                        "AWSServiceRoleForProfile_OrphanDomainRole0002");
    json_decref(cp);
    json_t *cc = s_roles(&fx, "connect.amazonaws.com");
    assert_int_equal(json_array_size(cc), 2);
    json_decref(cc);

    /* The orphan domain's role is still in use (its domain exists); the deleted instance's is
     * not; the live instance's is. */
    char region[32];
    assert_string_equal(s_status_after_slr_delete(&fx,
                                                  "AWSServiceRoleForProfile_OrphanDomainRole0002",
                                                  region, sizeof(region)),
                        "FAILED");
    assert_string_equal(region, "eu-west-2");
    assert_string_equal(
      s_status_after_slr_delete(&fx, "AWSServiceRoleForAmazonConnect_DeletedInstance00002", region,
                                sizeof(region)),
      "SUCCEEDED");
    assert_string_equal(
      s_status_after_slr_delete(&fx, "AWSServiceRoleForAmazonConnect_LiveInstanceRole0001", region,
                                sizeof(region)),
      "FAILED");
    assert_string_equal(region, "us-east-1");
    cpw_sbx_credentials_clean_up(&use1.creds);
    cpw_sbx_credentials_clean_up(&euw2.creds);
    sbx_fixture_close(&fx);
}

static void test_clean_and_unknown(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_t *doc = NULL;
    assert_int_equal(cpw_sbx_builtin_scenario("clean", &doc), 0);
    assert_int_equal(cpw_sbx_load_scenario(fx.sbx, doc), 0);
    json_decref(doc);
    json_t *roles = s_roles(&fx, "profile.amazonaws.com");
    assert_int_equal(json_array_size(roles), 0);
    json_decref(roles);
    assert_int_equal(s_count(&fx, &fx.root, "profile", "ListDomains", NULL, "Items"), 0);
    assert_int_equal(cpw_sbx_builtin_scenario("nope", &doc), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
    assert_null(doc);
    assert_int_equal(cpw_sbx_builtin_scenario("org:accounts=0", &doc), -1);
    assert_int_equal(cpw_sbx_builtin_scenario("org:leftover=2", &doc), -1);
    assert_int_equal(cpw_sbx_builtin_scenario("org:colour=red", &doc), -1);
    cpw_error_clear();
    sbx_fixture_close(&fx);
}

static void test_org_generated(void **state)
{
    (void)state;
    json_t *a = NULL;
    json_t *b = NULL;
    json_t *c = NULL;
    assert_int_equal(cpw_sbx_builtin_scenario("org:accounts=4,regions=3,leftover=0.5,seed=7", &a),
                     0);
    assert_int_equal(cpw_sbx_builtin_scenario("org:accounts=4,regions=3,leftover=0.5,seed=7", &b),
                     0);
    assert_int_equal(cpw_sbx_builtin_scenario("org:accounts=4,regions=3,leftover=0.5,seed=8", &c),
                     0);
    assert_true(json_equal(a, b));
    assert_false(json_equal(a, c));
    /* 4 members x 3 regions, plus one instance and domain in af-south-1 for the two members
     * (the 1st and 3rd) that enabled it. */
    const json_t *instances = json_object_get(a, "connect_instances");
    assert_int_equal(json_array_size(instances), 14);
    assert_int_equal(json_array_size(json_object_get(a, "profile_domains")), 14);
    size_t deleted = 0;
    size_t opt_in = 0;
    size_t i;
    const json_t *it;
    json_array_foreach(instances, i, it)
    {
        bool in_opt_in =
          strcmp(json_string_value(json_object_get(it, "region")), "af-south-1") == 0;
        opt_in += in_opt_in;
        deleted += !in_opt_in && json_is_true(json_object_get(it, "deleted"));
    }
    assert_int_equal(opt_in, 2);
    assert_true(deleted > 0 && deleted < 12);

    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    if (cpw_sbx_load_scenario(fx.sbx, a) != 0) {
        fail_msg("load: %s", cpw_last_error_detail());
    }
    /* Live instances across the members equal the generated non-deleted ones. */
    size_t live = 0;
    const char *regions[] = { "us-east-1", "us-west-2", "eu-west-2" };
    for (int acct = 1; acct <= 4; acct++) {
        char id[16];
        snprintf(id, sizeof(id), "2000000000%02d", acct);
        for (int r = 0; r < 3; r++) {
            struct sbx_identity member = fx.root;
            member.caller.account_id = id;
            member.caller.region = regions[r];
            live += s_count(&fx, &member, "connect", "ListInstances", NULL, "InstanceSummaryList");
            assert_int_equal(s_count(&fx, &member, "profile", "ListDomains", NULL, "Items"), 1);
        }
    }
    assert_int_equal(live, 12 - deleted);
    /* af-south-1: the members that enabled it hold a domain there; for the others the region
     * answers as AWS does for an opt-in region the account has not enabled. */
    for (int acct = 1; acct <= 4; acct++) {
        char id[16];
        snprintf(id, sizeof(id), "2000000000%02d", acct);
        struct sbx_identity member = fx.root;
        member.caller.account_id = id;
        member.caller.region = "af-south-1";
        if (acct % 2 == 1) {
            assert_int_equal(s_count(&fx, &member, "profile", "ListDomains", NULL, "Items"), 1);
            json_t *st = sbx_ok(&fx, &member, "account", "GetRegionOptStatus",
                                "{\"RegionName\":\"af-south-1\"}");
            assert_string_equal(json_string_value(json_object_get(st, "RegionOptStatus")),
                                "ENABLED");
            json_decref(st);
        } else {
            sbx_expect_error(&fx, &member, "profile", "ListDomains", NULL, 403,
                             "UnrecognizedClientException");
            sbx_expect_error(&fx, &member, "connect", "ListInstances", NULL, 403,
                             "UnrecognizedClientException");
        }
    }
    json_decref(a);
    json_decref(b);
    json_decref(c);
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_builtin_scenarios",
              CPW_TEST(test_orphans),
              CPW_TEST(test_clean_and_unknown),
              CPW_TEST(test_org_generated))
