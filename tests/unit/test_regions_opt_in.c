/*
 * test_regions_opt_in.c - the opt-in region table and where a service is offered: every opt-in
 * region is a region of the aws partition, the table is sorted and holds the regions launched
 * after March 2019, default regions and other partitions have none, and cpw_region_offers()
 * follows the partitions table (regional and global services).
 */
#include <string.h>

#include "cpw/error.h"
#include "cpw/regions.h"
#include "harness.h"

static bool s_listed(const json_t *regions, const char *name)
{
    size_t i;
    const json_t *r;
    json_array_foreach(regions, i, r)
    {
        if (strcmp(json_string_value(r), name) == 0) {
            return true;
        }
    }
    return false;
}

static void test_opt_in_table(void **state)
{
    (void)state;
    const json_t *aws = json_object_get(cpw_partition_get("aws"), "regions");
    assert_non_null(aws);
    size_t n = cpw_region_opt_in_count();
    assert_true(n >= 15);
    for (size_t i = 0; i < n; i++) {
        const char *r = cpw_region_opt_in(i);
        assert_non_null(r);
        assert_true(s_listed(aws, r));
        assert_true(cpw_region_is_opt_in(r));
        if (i > 0) {
            assert_true(strcmp(cpw_region_opt_in(i - 1), r) < 0);
        }
    }
    assert_null(cpw_region_opt_in(n));
    static const char *const opt_in[] = { "af-south-1",     "ap-east-1",      "ap-south-2",
                                          "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
                                          "ap-southeast-7", "ca-west-1",      "eu-central-2",
                                          "eu-south-1",     "eu-south-2",     "il-central-1",
                                          "me-central-1",   "me-south-1",     "mx-central-1" };
    for (size_t i = 0; i < sizeof(opt_in) / sizeof(opt_in[0]); i++) {
        assert_true(cpw_region_is_opt_in(opt_in[i]));
    }
    static const char *const by_default[] = { "us-east-1",  "us-west-2",      "eu-west-2",
                                              "eu-west-1",  "ap-southeast-2", "sa-east-1",
                                              "cn-north-1", "us-gov-west-1" };
    for (size_t i = 0; i < sizeof(by_default) / sizeof(by_default[0]); i++) {
        assert_false(cpw_region_is_opt_in(by_default[i]));
    }
    assert_false(cpw_region_is_opt_in(NULL));
    assert_false(cpw_region_is_opt_in("af-south-9"));
}

static void test_service_offered(void **state)
{
    (void)state;
    assert_true(cpw_region_offers("connect", "us-east-1"));
    assert_true(cpw_region_offers("customer-profiles", "af-south-1"));
    assert_false(cpw_region_offers("connect", "eu-west-1"));
    assert_false(cpw_region_offers("customer-profiles", "me-south-1"));
    assert_true(cpw_region_offers("cloudtrail", "me-south-1"));
    /* Global services: everywhere in their partition, nowhere outside it. */
    assert_true(cpw_region_offers("account", "eu-west-3"));
    assert_true(cpw_region_offers("account", "cn-north-1"));
    assert_false(cpw_region_offers("account", "us-gov-west-1"));
    assert_true(cpw_region_offers("iam", "ap-southeast-2"));
    /* Unknown names: false, and nothing left raised. */
    assert_false(cpw_region_offers("s3", "us-east-1"));
    assert_false(cpw_region_offers("connect", "mars-1"));
    assert_int_equal(cpw_last_error(), CPW_ERR_NONE);
}

CPW_TEST_MAIN("regions_opt_in", CPW_TEST(test_opt_in_table), CPW_TEST(test_service_offered))
