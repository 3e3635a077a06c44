/*
 * test_regions.c - region names, partitions, service availability and --regions parsing.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/error.h"
#include "cpw/log.h"
#include "cpw/model.h"
#include "cpw/regions.h"
#include "harness.h"

static void test_region_check(void **state)
{
    (void)state;
    assert_int_equal(cpw_region_check("us-east-1"), 0);
    assert_int_equal(cpw_region_check("cn-north-1"), 0);
    assert_int_equal(cpw_region_check("us-gov-west-1"), 0);
    assert_int_equal(cpw_region_check("aws-global"), 0); /* a partition endpoint */
    /* Unknown but well-formed: a region newer than the embedded data. */
    assert_int_equal(cpw_region_check("eu-west-9"), 0);
    assert_int_equal(cpw_region_check("ap-southeast-42"), 0);
    const char *bad[] = { "",          "euwest1",    "eu-west",    "EU-WEST-1", "us-east-1 ",
                          "us_east_1", "us-east-1a", "eu--west-1", "zz-west-1", "1-east-1" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(cpw_region_check(bad[i]), -1);
        assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
        assert_non_null(strstr(cpw_last_error_detail(), bad[i]));
    }
    assert_int_equal(cpw_region_check("euwest1"), -1);
    assert_non_null(strstr(cpw_last_error_detail(), "not a valid region name"));
    assert_int_equal(cpw_region_check("zz-west-1"), -1);
    assert_non_null(strstr(cpw_last_error_detail(), "partition"));
    cpw_model_clean_up();
}

static char s_logged[512];

static void s_sink(enum cpw_log_level level, const char *line, void *user)
{
    (void)level;
    (void)user;
    snprintf(s_logged, sizeof(s_logged), "%s", line);
}

static void test_unknown_region_typo_warning(void **state)
{
    (void)state;
    cpw_log_set_sink(s_sink, NULL);
    s_logged[0] = '\0';
    assert_int_equal(cpw_region_check("eu-west-9"), 0); /* a new number in a known area */
    assert_string_equal(s_logged, "");
    assert_int_equal(cpw_region_check("eu-wset-1"), 0); /* allowed, but flagged */
    assert_non_null(strstr(s_logged, "eu-wset-1"));
    assert_non_null(strstr(s_logged, "did you mean 'eu-west-1'"));
    cpw_log_set_sink(NULL, NULL);
    cpw_model_clean_up();
}

static void test_partition_of_region(void **state)
{
    (void)state;
    struct {
        const char *region;
        const char *partition;
    } cases[] = {
        { "us-east-1", "aws" },
        { "eu-west-2", "aws" },
        { "eu-west-9", "aws" },
        { "cn-north-1", "aws-cn" },
        { "cn-south-7", "aws-cn" },
        { "us-gov-west-1", "aws-us-gov" },
        { "us-gov-north-3", "aws-us-gov" },
        { "us-iso-east-1", "aws-iso" },
        { "us-isob-east-1", "aws-iso-b" },
        { "aws-global", "aws" },
        { "aws-us-gov-global", "aws-us-gov" },
        { "eusc-de-east-1", "aws-eusc" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *p = cpw_region_partition_name(cases[i].region);
        assert_non_null(p);
        assert_string_equal(p, cases[i].partition);
    }
    assert_null(cpw_region_partition_name("zz-west-1"));
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
    const json_t *part = cpw_region_partition("cn-north-1");
    assert_string_equal(json_string_value(json_object_get(part, "dnsSuffix")), "amazonaws.com.cn");
    assert_string_equal(json_string_value(json_object_get(part, "dualStackDnsSuffix")),
                        "api.amazonwebservices.com.cn");
    assert_null(cpw_partition_get("aws-moon"));
    assert_int_equal(cpw_last_error(), CPW_ERR_NOT_FOUND);
    cpw_model_clean_up();
}

/* The model's region list of service in partition, straight from the JSON. */
static size_t s_model_regions(const char *service, const char *partition, const json_t **out)
{
    const json_t *part = cpw_partition_get(partition);
    *out = json_object_get(json_object_get(json_object_get(part, "services"), service), "regions");
    return json_array_size(*out);
}

static void test_regions_for_service(void **state)
{
    (void)state;
    struct cpw_region_list list = { 0 };
    assert_int_equal(cpw_regions_for_service("customer-profiles", "aws", &list), 0);
    const json_t *model = NULL;
    assert_int_equal(list.count, s_model_regions("customer-profiles", "aws", &model));
    assert_true(list.count >= 5);
    assert_true(cpw_region_list_contains(&list, "us-east-1"));
    assert_true(cpw_region_list_contains(&list, "eu-west-2"));
    assert_false(cpw_region_list_contains(&list, "eu-west-1")); /* not offered there */
    for (size_t i = 0; i < list.count; i++) {
        assert_string_equal(list.names[i], json_string_value(json_array_get(model, i)));
    }
    cpw_region_list_clean_up(&list);

    /* The signing name works too; a partition without the service adds nothing. */
    assert_int_equal(cpw_regions_for_service("profile", "aws-cn", &list), 0);
    assert_int_equal(list.count, 0);
    assert_int_equal(cpw_regions_for_service("connect", "aws-us-gov", &list), 0);
    assert_int_equal(list.count, 1);
    assert_string_equal(list.names[0], "us-gov-west-1");
    cpw_region_list_clean_up(&list);

    assert_int_equal(cpw_regions_for_service("nosuch", "aws", &list), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_MODEL);
    assert_int_equal(cpw_regions_for_service("connect", "aws-moon", &list), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_NOT_FOUND);
    cpw_model_clean_up();
}

static const char *const s_both[] = { "customer-profiles", "connect" };

/* --regions for Customer Profiles and Connect, as inventory asks for it. */
static int s_parse(const char *spec, const char *current_region, struct cpw_region_list *out)
{
    struct cpw_regions_parse_options opts = {
        .spec = spec, .services = s_both, .service_count = 2, .current_region = current_region
    };
    return cpw_regions_parse(&opts, out);
}

static void test_regions_all_is_model_union(void **state)
{
    (void)state;
    struct cpw_region_list list = { 0 };
    assert_int_equal(s_parse("all", "eu-west-1", &list), 0);
    /* Expected: the union of both model lists, sorted. */
    const json_t *a = NULL;
    const json_t *b = NULL;
    s_model_regions("customer-profiles", "aws", &a);
    s_model_regions("connect", "aws", &b);
    size_t expected = 0;
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v)
    {
        assert_true(cpw_region_list_contains(&list, json_string_value(v)));
        expected++;
    }
    json_array_foreach(b, i, v)
    {
        assert_true(cpw_region_list_contains(&list, json_string_value(v)));
        size_t j;
        const json_t *w;
        bool dup = false;
        json_array_foreach(a, j, w)
        {
            dup = dup || json_equal(v, w);
        }
        expected += dup ? 0 : 1;
    }
    assert_int_equal(list.count, expected);
    for (i = 1; i < list.count; i++) {
        assert_true(strcmp(list.names[i - 1], list.names[i]) < 0);
    }
    cpw_region_list_clean_up(&list);

    /* GovCloud: the partition of the current region decides. */
    assert_int_equal(s_parse(" all ", "us-gov-east-1", &list), 0);
    assert_int_equal(list.count, 1);
    assert_string_equal(list.names[0], "us-gov-west-1");
    cpw_region_list_clean_up(&list);

    assert_int_equal(s_parse("all", NULL, &list), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
    assert_int_equal(list.count, 0);
    cpw_model_clean_up();
}

static void test_regions_list(void **state)
{
    (void)state;
    struct cpw_region_list list = { 0 };
    assert_int_equal(s_parse("eu-west-2, us-east-1,eu-west-2,us-east-1", NULL, &list), 0);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.names[0], "eu-west-2"); /* the order given */
    assert_string_equal(list.names[1], "us-east-1");
    cpw_region_list_clean_up(&list);

    assert_int_equal(s_parse("us-east-1,eu-wset-2,us-west-2,mars-1", NULL, &list), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
    const char *detail = cpw_last_error_detail();
    assert_non_null(strstr(detail, "'eu-wset-2'"));
    assert_non_null(strstr(detail, "'mars-1'"));
    assert_null(strstr(detail, "'us-east-1'"));
    assert_null(strstr(detail, "'us-west-2'"));
    assert_int_equal(list.count, 0);

    assert_int_equal(s_parse("us-east-1,,eu-west-2", NULL, &list), -1);
    assert_int_equal(s_parse("", NULL, &list), -1);
    assert_int_equal(s_parse(NULL, NULL, &list), -1);
    assert_int_equal(list.count, 0);
    cpw_model_clean_up();
}

CPW_TEST_MAIN("regions",
              CPW_TEST(test_region_check),
              CPW_TEST(test_unknown_region_typo_warning),
              CPW_TEST(test_partition_of_region),
              CPW_TEST(test_regions_for_service),
              CPW_TEST(test_regions_all_is_model_union),
              CPW_TEST(test_regions_list))
