/*
 * test_sbx_account.c - AWS Account Management in the sandbox: ListRegions over the partition's
 * regions with the status filter and pagination, GetRegionOptStatus, EnableRegion/DisableRegion
 * as asynchronous transitions on the sandbox clock, the management account acting on a member
 * through AccountId, and the answer of regional services in an opt-in region the account has not
 * enabled (and, with the service_regions knob, in a region a service is not offered in).
 */
#include "sbx_test.h"

#include "cpw/regions.h"
#include "sandbox/sbx_realism.h"

#define MEMBER   "210000000001"
#define OUTSIDER "210000000002"

static void s_open(struct sbx_fixture *fx)
{
    sbx_fixture_open(fx, NULL);
    json_t *doc =
      json_pack("{s:[{s:s},{s:s}],s:{s:s,s:[s]}}", "accounts", "id", MEMBER, "id", OUTSIDER,
                "organization", "account", CPW_SBX_DEFAULT_ACCOUNT, "members", MEMBER);
    if (cpw_sbx_load_scenario(fx->sbx, doc) != 0) {
        fail_msg("scenario: %s", cpw_last_error_detail());
    }
    json_decref(doc);
}

static const char *s_status(struct sbx_fixture *fx,
                            const struct sbx_identity *who,
                            const char *input,
                            char *buf,
                            size_t cap)
{
    json_t *out = sbx_ok(fx, who, "account", "GetRegionOptStatus", input);
    snprintf(buf, cap, "%s", json_string_value(json_object_get(out, "RegionOptStatus")));
    json_decref(out);
    return buf;
}

static void test_list_regions(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    s_open(&fx);
    const json_t *regions = json_object_get(cpw_partition_get("aws"), "regions");
    size_t total = json_array_size(regions);
    assert_true(total > 20);
    /* Every page of 7, in order, adds up to the partition's regions. */
    size_t seen = 0;
    size_t opt_in = 0;
    char token[256] = "";
    for (int page = 0; page < 20; page++) {
        char input[400];
        if (token[0]) {
            snprintf(input, sizeof(input), "{\"MaxResults\":7,\"NextToken\":\"%s\"}", token);
        } else {
            snprintf(input, sizeof(input), "{\"MaxResults\":7}");
        }
        json_t *out = sbx_ok(&fx, &fx.root, "account", "ListRegions", input);
        const json_t *list = json_object_get(out, "Regions");
        assert_true(json_array_size(list) <= 7);
        size_t i;
        const json_t *r;
        json_array_foreach(list, i, r)
        {
            const char *name = json_string_value(json_object_get(r, "RegionName"));
            const char *st = json_string_value(json_object_get(r, "RegionOptStatus"));
            assert_string_equal(name, json_string_value(json_array_get(regions, seen)));
            assert_string_equal(st, cpw_region_is_opt_in(name) ? "DISABLED" : "ENABLED_BY_DEFAULT");
            opt_in += cpw_region_is_opt_in(name);
            seen++;
        }
        const char *next = json_string_value(json_object_get(out, "NextToken"));
        snprintf(token, sizeof(token), "%s", next ? next : "");
        json_decref(out);
        if (!token[0]) {
            break;
        }
    }
    assert_int_equal(seen, total);
    assert_int_equal(opt_in, cpw_region_opt_in_count());
    /* The filter. */
    json_t *out = sbx_ok(&fx, &fx.root, "account", "ListRegions",
                         "{\"MaxResults\":50,\"RegionOptStatusContains\":[\"DISABLED\"]}");
    assert_int_equal(json_array_size(json_object_get(out, "Regions")), cpw_region_opt_in_count());
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "account", "ListRegions", "{\"NextToken\":\"!!\"}", 400,
                     "ValidationException");
    sbx_fixture_close(&fx);
}

static void test_enable_and_disable_take_time(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    s_open(&fx);
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_init(&knobs);
    knobs.region_enable_ms = 60000;
    knobs.region_disable_ms = 30000;
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    char buf[32];
    const char *af = "{\"RegionName\":\"af-south-1\"}";
    assert_string_equal(s_status(&fx, &fx.root, af, buf, sizeof(buf)), "DISABLED");
    assert_string_equal(s_status(&fx, &fx.root, "{\"RegionName\":\"eu-west-2\"}", buf, sizeof(buf)),
                        "ENABLED_BY_DEFAULT");
    sbx_expect_error(&fx, &fx.root, "account", "EnableRegion", "{\"RegionName\":\"us-east-1\"}",
                     400, "ValidationException");
    sbx_expect_error(&fx, &fx.root, "account", "GetRegionOptStatus",
                     "{\"RegionName\":\"xx-nowhere-1\"}", 400, "ValidationException");

    json_decref(sbx_ok(&fx, &fx.root, "account", "EnableRegion", af));
    assert_string_equal(s_status(&fx, &fx.root, af, buf, sizeof(buf)), "ENABLING");
    sbx_expect_error(&fx, &fx.root, "account", "DisableRegion", af, 409, "ConflictException");
    /* Not usable while enabling. */
    struct sbx_identity cape = fx.root;
    cape.caller.region = "af-south-1";
    sbx_expect_error(&fx, &cape, "profile", "ListDomains", NULL, 403,
                     "UnrecognizedClientException");
    assert_string_equal(fx.err.message, "The security token included in the request is invalid.");
    fx.now_ms += 60000;
    assert_string_equal(s_status(&fx, &fx.root, af, buf, sizeof(buf)), "ENABLED");
    json_decref(sbx_ok(&fx, &cape, "profile", "ListDomains", NULL));
    json_decref(sbx_ok(&fx, &cape, "connect", "ListInstances", NULL));
    json_decref(sbx_ok(&fx, &fx.root, "account", "EnableRegion", af)); /* already: no-op */

    json_decref(sbx_ok(&fx, &fx.root, "account", "DisableRegion", af));
    assert_string_equal(s_status(&fx, &fx.root, af, buf, sizeof(buf)), "DISABLING");
    sbx_expect_error(&fx, &cape, "cloudtrail", "LookupEvents", NULL, 403,
                     "UnrecognizedClientException");
    fx.now_ms += 30000;
    assert_string_equal(s_status(&fx, &fx.root, af, buf, sizeof(buf)), "DISABLED");
    json_t *out = sbx_ok(&fx, &fx.root, "account", "ListRegions",
                         "{\"RegionOptStatusContains\":[\"ENABLED\",\"ENABLING\"]}");
    assert_int_equal(json_array_size(json_object_get(out, "Regions")), 0);
    json_decref(out);
    /* Every mutating call was recorded in CloudTrail (us-east-1, a global service), the two
     * refused ones included: EnableRegion x3, DisableRegion x2. */
    struct sbx_identity use1 = fx.root;
    use1.caller.region = "us-east-1";
    out = sbx_ok(&fx, &use1, "cloudtrail", "LookupEvents",
                 "{\"LookupAttributes\":[{\"AttributeKey\":\"EventSource\","
                 "\"AttributeValue\":\"account.amazonaws.com\"}]}");
    assert_int_equal(json_array_size(json_object_get(out, "Events")), 5);
    json_decref(out);
    sbx_fixture_close(&fx);
}

static void test_management_acts_on_members(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    s_open(&fx);
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_init(&knobs);
    knobs.region_enable_ms = 0;
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    char buf[32];
    json_decref(sbx_ok(&fx, &fx.root, "account", "EnableRegion",
                       "{\"RegionName\":\"me-south-1\",\"AccountId\":\"" MEMBER "\"}"));
    assert_string_equal(s_status(&fx, &fx.root,
                                 "{\"RegionName\":\"me-south-1\",\"AccountId\":\"" MEMBER "\"}",
                                 buf, sizeof(buf)),
                        "ENABLED");
    /* State is per account: the management account's own region is still disabled. */
    assert_string_equal(
      s_status(&fx, &fx.root, "{\"RegionName\":\"me-south-1\"}", buf, sizeof(buf)), "DISABLED");
    struct sbx_identity member = fx.root;
    member.caller.account_id = MEMBER;
    assert_string_equal(s_status(&fx, &member, "{\"RegionName\":\"me-south-1\"}", buf, sizeof(buf)),
                        "ENABLED");
    /* Not the management account's own id, nor an account outside the organization, nor a
     * member acting on another account. */
    sbx_expect_error(&fx, &fx.root, "account", "ListRegions",
                     "{\"AccountId\":\"" CPW_SBX_DEFAULT_ACCOUNT "\"}", 400, "ValidationException");
    sbx_expect_error(&fx, &fx.root, "account", "ListRegions", "{\"AccountId\":\"" OUTSIDER "\"}",
                     403, "AccessDeniedException");
    sbx_expect_error(&fx, &member, "account", "GetRegionOptStatus",
                     "{\"RegionName\":\"me-south-1\",\"AccountId\":\"" CPW_SBX_DEFAULT_ACCOUNT
                     "\"}",
                     403, "AccessDeniedException");
    sbx_fixture_close(&fx);
}

static void test_region_knobs(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    s_open(&fx);
    struct sbx_identity cape = fx.root;
    cape.caller.region = "af-south-1";
    struct sbx_identity ireland = fx.root;
    ireland.caller.region = "eu-west-1";
    /* Defaults: eu-west-1 is served (Connect is not offered there, but the check is off). */
    json_decref(sbx_ok(&fx, &ireland, "connect", "ListInstances", NULL));
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_init(&knobs);
    json_t *k = json_pack("{s:s,s:b}", "opt_in_error", "invalid_token", "service_regions", 1);
    assert_int_equal(cpw_sbx_knobs_from_json(k, &knobs), 0);
    json_decref(k);
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    sbx_expect_error(&fx, &cape, "profile", "ListDomains", NULL, 403, "InvalidClientTokenId");
    sbx_expect_error(&fx, &ireland, "connect", "ListInstances", NULL, 403,
                     "InvalidSignatureException");
    json_decref(sbx_ok(&fx, &ireland, "cloudtrail", "LookupEvents", NULL)); /* offered there */
    json_decref(sbx_ok(&fx, &ireland, "iam", "ListRoles", NULL));           /* global */
    knobs.opt_in_error = CPW_SBX_OPT_IN_ERROR_NONE;
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    json_decref(sbx_ok(&fx, &cape, "cloudtrail", "LookupEvents", NULL));
    k = json_pack("{s:s}", "opt_in_error", "maybe");
    assert_int_equal(cpw_sbx_knobs_from_json(k, &knobs), -1);
    json_decref(k);
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_account",
              CPW_TEST(test_list_regions),
              CPW_TEST(test_enable_and_disable_take_time),
              CPW_TEST(test_management_acts_on_members),
              CPW_TEST(test_region_knobs))
