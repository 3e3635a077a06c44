/*
 * test_sbx_profiles_computed.c - what the Customer Profiles sandbox computes from a domain's
 * profiles and objects: profile keys and merges, profile history, calculated attributes for a
 * profile, object type analytics, identity resolution matches and jobs, and recommenders.
 */
#include "sbx_test.h"

#define ORDER_TYPE                                                                                 \
    "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"Order\",\"Description\":\"orders\","             \
    "\"Fields\":{\"total\":{\"Source\":\"_source.amount\",\"Target\":\"_order.Total\"}},"          \
    "\"Keys\":{\"_custId\":[{\"StandardIdentifiers\":[\"PROFILE\"],\"FieldNames\":[\"cust\"]}],"   \
    "\"_orderId\":[{\"StandardIdentifiers\":[\"UNIQUE\"],\"FieldNames\":[\"order\"]}]}}"

static void s_setup(struct sbx_fixture *fx)
{
    sbx_fixture_open(fx, NULL);
    json_decref(sbx_ok(fx, &fx->root, "profile", "CreateDomain",
                       "{\"DomainName\":\"crm\",\"DefaultExpirationDays\":365}"));
    json_decref(sbx_ok(fx, &fx->root, "profile", "PutProfileObjectType", ORDER_TYPE));
}

/* Puts an order of customer cust and returns nothing; the clock moves one second. */
static void s_order(struct sbx_fixture *fx,
                    const char *cust,
                    const char *order,
                    int amount,
                    const char *item)
{
    char input[512];
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"Order\",\"Object\":\"{\\\"cust\\\":"
             "\\\"%s\\\",\\\"order\\\":\\\"%s\\\",\\\"amount\\\":%d,\\\"item\\\":\\\"%s\\\"}\"}",
             cust, order, amount, item);
    json_decref(sbx_ok(fx, &fx->root, "profile", "PutProfileObject", input));
    fx->now_ms += 1000;
}

/* The id of the profile holding customer cust's orders, copied into out. */
static void s_profile_of(struct sbx_fixture *fx, const char *cust, char out[64])
{
    char input[256];
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"KeyName\":\"_custId\",\"Values\":[\"%s\"]}", cust);
    json_t *out_doc = sbx_ok(fx, &fx->root, "profile", "SearchProfiles", input);
    json_t *items = json_object_get(out_doc, "Items");
    assert_int_equal(json_array_size(items), 1);
    snprintf(out, 64, "%s",
             json_string_value(json_object_get(json_array_get(items, 0), "ProfileId")));
    json_decref(out_doc);
}

static void test_keys_merge_and_history(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    s_setup(&fx);
    s_order(&fx, "c1", "o1", 10, "apple");
    s_order(&fx, "c2", "o2", 20, "pear");
    char p1[64];
    char p2[64];
    s_profile_of(&fx, "c1", p1);
    s_profile_of(&fx, "c2", p2);
    assert_string_not_equal(p1, p2);
    char input[1024];
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"ProfileId\":\"%s\",\"FirstName\":\"Ana\"}", p2);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "UpdateProfile", input));
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"ProfileId\":\"%s\",\"KeyName\":\"loyalty\","
             "\"Values\":[\"L-2\"]}",
             p2);
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "AddProfileKey", input);
    assert_string_equal(json_string_value(json_object_get(out, "KeyName")), "loyalty");
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "SearchProfiles",
                 "{\"DomainName\":\"crm\",\"KeyName\":\"loyalty\",\"Values\":[\"L-2\"]}");
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 1);
    assert_string_equal(json_string_value(json_object_get(
                          json_array_get(json_object_get(out, "Items"), 0), "ProfileId")),
                        p2);
    json_decref(out);

    /* Merge p2 into p1: its object and key move, its name fills p1's, p2 is gone. */
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"MainProfileId\":\"%s\",\"ProfileIdsToBeMerged\":[\"%s\"]}",
             p1, p2);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "MergeProfiles", input));
    snprintf(input, sizeof(input), "{\"DomainName\":\"crm\",\"ProfileIds\":[\"%s\",\"%s\"]}", p1,
             p2);
    out = sbx_ok(&fx, &fx.root, "profile", "BatchGetProfile", input);
    assert_int_equal(json_array_size(json_object_get(out, "Profiles")), 1);
    json_t *merged = json_array_get(json_object_get(out, "Profiles"), 0);
    assert_string_equal(json_string_value(json_object_get(merged, "ProfileId")), p1);
    assert_string_equal(json_string_value(json_object_get(merged, "FirstName")), "Ana");
    assert_string_equal(json_string_value(json_object_get(
                          json_array_get(json_object_get(out, "Errors"), 0), "ProfileId")),
                        p2);
    json_decref(out);
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"Order\",\"ProfileId\":\"%s\"}", p1);
    out = sbx_ok(&fx, &fx.root, "profile", "ListProfileObjects", input);
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 2);
    json_decref(out);
    /* The key moved with it: deleting it from p1 works, from p2 (gone) does not. */
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"ProfileId\":\"%s\",\"KeyName\":\"loyalty\","
             "\"Values\":[\"L-2\"]}",
             p2);
    sbx_expect_error(&fx, &fx.root, "profile", "DeleteProfileKey", input, 404,
                     "ResourceNotFoundException");
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"ProfileId\":\"%s\",\"KeyName\":\"loyalty\","
             "\"Values\":[\"L-2\"]}",
             p1);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "DeleteProfileKey", input));
    sbx_expect_error(&fx, &fx.root, "profile", "DeleteProfileKey", input, 404,
                     "ResourceNotFoundException");

    /* History: p1 was created, ingested, merged (newest first); p2 deleted by the merge. */
    snprintf(input, sizeof(input), "{\"DomainName\":\"crm\",\"ProfileId\":\"%s\"}", p1);
    out = sbx_ok(&fx, &fx.root, "profile", "ListProfileHistoryRecords", input);
    json_t *records = json_object_get(out, "ProfileHistoryRecords");
    assert_int_equal(json_array_size(records), 4);
    assert_string_equal(
      json_string_value(json_object_get(json_array_get(records, 0), "ActionType")),
      "DELETED_PROFILE_KEY");
    assert_string_equal(
      json_string_value(json_object_get(json_array_get(records, 1), "ActionType")), "MERGED");
    assert_string_equal(
      json_string_value(json_object_get(json_array_get(records, 2), "ActionType")), "INGESTED");
    assert_string_equal(
      json_string_value(json_object_get(json_array_get(records, 2), "ObjectTypeName")), "Order");
    char id[64];
    snprintf(id, sizeof(id), "%s",
             json_string_value(json_object_get(json_array_get(records, 1), "Id")));
    json_decref(out);
    snprintf(input, sizeof(input), "{\"DomainName\":\"crm\",\"ProfileId\":\"%s\",\"Id\":\"%s\"}",
             p1, id);
    out = sbx_ok(&fx, &fx.root, "profile", "GetProfileHistoryRecord", input);
    assert_non_null(strstr(json_string_value(json_object_get(out, "Content")), "Ana"));
    json_decref(out);
    snprintf(input, sizeof(input), "{\"DomainName\":\"crm\",\"ProfileId\":\"%s\",\"Id\":\"%s\"}",
             p2, id);
    sbx_expect_error(&fx, &fx.root, "profile", "GetProfileHistoryRecord", input, 404,
                     "ResourceNotFoundException");
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"ProfileId\":\"%s\",\"ActionType\":\"DELETED_BY_MERGE\"}",
             p2);
    out = sbx_ok(&fx, &fx.root, "profile", "ListProfileHistoryRecords", input);
    assert_int_equal(json_array_size(json_object_get(out, "ProfileHistoryRecords")), 1);
    json_decref(out);

    /* DeleteProfileObject removes one object, and only from its own profile. */
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"ProfileId\":\"%s\",\"ObjectTypeName\":\"Order\","
             "\"ProfileObjectUniqueKey\":\"o2\"}",
             p1);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "DeleteProfileObject", input));
    sbx_expect_error(&fx, &fx.root, "profile", "DeleteProfileObject", input, 404,
                     "ResourceNotFoundException");
    /* Merging an unknown profile, or the main profile into itself, is refused. */
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"MainProfileId\":\"%s\",\"ProfileIdsToBeMerged\":[\"%s\"]}",
             p1, p2);
    sbx_expect_error(&fx, &fx.root, "profile", "MergeProfiles", input, 404,
                     "ResourceNotFoundException");
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"MainProfileId\":\"%s\",\"ProfileIdsToBeMerged\":[\"%s\"]}",
             p1, p1);
    sbx_expect_error(&fx, &fx.root, "profile", "MergeProfiles", input, 400, "BadRequestException");
    /* ListProfileObjects: an unknown type or profile is not an empty list. */
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"Nope\",\"ProfileId\":\"%s\"}", p1);
    sbx_expect_error(&fx, &fx.root, "profile", "ListProfileObjects", input, 404,
                     "ResourceNotFoundException");
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"Order\",\"ProfileId\":\"%s\"}", p2);
    sbx_expect_error(&fx, &fx.root, "profile", "ListProfileObjects", input, 404,
                     "ResourceNotFoundException");
    sbx_fixture_close(&fx);
}

static void test_merge_field_sources(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    s_setup(&fx);
    json_t *a = sbx_ok(&fx, &fx.root, "profile", "CreateProfile",
                       "{\"DomainName\":\"crm\",\"FirstName\":\"A\",\"LastName\":\"One\"}");
    json_t *b = sbx_ok(&fx, &fx.root, "profile", "CreateProfile",
                       "{\"DomainName\":\"crm\",\"FirstName\":\"B\",\"LastName\":\"Two\"}");
    const char *ida = json_string_value(json_object_get(a, "ProfileId"));
    const char *idb = json_string_value(json_object_get(b, "ProfileId"));
    char input[1024];
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"MainProfileId\":\"%s\",\"ProfileIdsToBeMerged\":[\"%s\"],"
             "\"FieldSourceProfileIds\":{\"LastName\":\"%s\"}}",
             ida, idb, idb);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "MergeProfiles", input));
    snprintf(input, sizeof(input), "{\"DomainName\":\"crm\",\"ProfileIds\":[\"%s\"]}", ida);
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "BatchGetProfile", input);
    json_t *p = json_array_get(json_object_get(out, "Profiles"), 0);
    assert_string_equal(json_string_value(json_object_get(p, "FirstName")), "A");
    assert_string_equal(json_string_value(json_object_get(p, "LastName")), "Two");
    json_decref(out);
    /* A source that is not part of the merge is refused. */
    json_t *c = sbx_ok(&fx, &fx.root, "profile", "CreateProfile",
                       "{\"DomainName\":\"crm\",\"FirstName\":\"C\"}");
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"MainProfileId\":\"%s\",\"ProfileIdsToBeMerged\":[\"%s\"],"
             "\"FieldSourceProfileIds\":{\"FirstName\":\"%s\"}}",
             ida, json_string_value(json_object_get(c, "ProfileId")), idb);
    sbx_expect_error(&fx, &fx.root, "profile", "MergeProfiles", input, 400, "BadRequestException");
    json_decref(a);
    json_decref(b);
    json_decref(c);
    sbx_fixture_close(&fx);
}

static void s_calc_def(struct sbx_fixture *fx, const char *name, const char *expr, const char *stat)
{
    char input[512];
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"CalculatedAttributeName\":\"%s\",\"Statistic\":\"%s\","
             "\"AttributeDetails\":{\"Attributes\":[{\"Name\":\"x\"}],\"Expression\":\"%s\"}}",
             name, stat, expr);
    json_decref(sbx_ok(fx, &fx->root, "profile", "CreateCalculatedAttributeDefinition", input));
}

static const char *s_value(struct sbx_fixture *fx, const char *profile, const char *name)
{
    static char value[64];
    char input[256];
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"ProfileId\":\"%s\",\"CalculatedAttributeName\":\"%s\"}",
             profile, name);
    json_t *out = sbx_ok(fx, &fx->root, "profile", "GetCalculatedAttributeForProfile", input);
    const char *v = json_string_value(json_object_get(out, "Value"));
    snprintf(value, sizeof(value), "%s", v ? v : "<none>");
    json_decref(out);
    return value;
}

static void test_calculated_attributes(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    s_setup(&fx);
    s_order(&fx, "c1", "o1", 10, "apple");
    s_order(&fx, "c1", "o2", 25, "pear");
    s_order(&fx, "c1", "o3", 4, "pear");
    s_order(&fx, "c2", "o4", 99, "plum");
    char p1[64];
    s_profile_of(&fx, "c1", p1);
    s_calc_def(&fx, "total", "{Order.amount}", "SUM");
    s_calc_def(&fx, "orders", "{Order.amount}", "COUNT");
    s_calc_def(&fx, "avg", "{Order.total}", "AVERAGE"); /* through the field's Source */
    s_calc_def(&fx, "least", "{Order.amount}", "MINIMUM");
    s_calc_def(&fx, "most", "{Order.amount}", "MAXIMUM");
    s_calc_def(&fx, "first", "{Order.item}", "FIRST_OCCURRENCE");
    s_calc_def(&fx, "last", "{Order.item}", "LAST_OCCURRENCE");
    s_calc_def(&fx, "fav", "{Order.item}", "MAX_OCCURRENCE");
    s_calc_def(&fx, "double", "{Order.amount} * 2", "SUM");
    assert_string_equal(s_value(&fx, p1, "total"), "39");
    assert_string_equal(s_value(&fx, p1, "orders"), "3");
    assert_string_equal(s_value(&fx, p1, "avg"), "13");
    assert_string_equal(s_value(&fx, p1, "least"), "4");
    assert_string_equal(s_value(&fx, p1, "most"), "25");
    assert_string_equal(s_value(&fx, p1, "first"), "apple");
    assert_string_equal(s_value(&fx, p1, "last"), "pear");
    assert_string_equal(s_value(&fx, p1, "fav"), "pear");
    assert_string_equal(s_value(&fx, p1, "double"), "78");
    char input[512];
    snprintf(input, sizeof(input), "{\"DomainName\":\"crm\",\"ProfileId\":\"%s\"}", p1);
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "ListCalculatedAttributesForProfile", input);
    assert_int_equal(json_array_size(json_object_get(out, "Items")), 9);
    json_decref(out);
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"CalculatedAttributeName\":\"total\",\"ProfileIds\":"
             "[\"%s\",\"0123456789abcdef0123456789abcdef\"]}",
             p1);
    out = sbx_ok(&fx, &fx.root, "profile", "BatchGetCalculatedAttributeForProfile", input);
    assert_string_equal(
      json_string_value(json_object_get(
        json_array_get(json_object_get(out, "CalculatedAttributeValues"), 0), "Value")),
      "39");
    assert_int_equal(json_array_size(json_object_get(out, "Errors")), 1);
    json_decref(out);
    /* A new order changes the value: computed on every read. */
    s_order(&fx, "c1", "o5", 1, "fig");
    assert_string_equal(s_value(&fx, p1, "total"), "40");
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"ProfileId\":\"%s\",\"CalculatedAttributeName\":\"nope\"}",
             p1);
    sbx_expect_error(&fx, &fx.root, "profile", "GetCalculatedAttributeForProfile", input, 404,
                     "ResourceNotFoundException");
    sbx_fixture_close(&fx);
}

static void test_object_type_analytics(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    s_setup(&fx);
    s_order(&fx, "c1", "o1", 10, "apple");
    s_order(&fx, "c1", "o2", 20, "pear");
    s_order(&fx, "c2", "o3", 30, "pear");
    s_order(&fx, "c3", "o4", 40, "fig");
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "ListObjectTypeAttributes",
                         "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"Order\"}");
    json_t *items = json_object_get(out, "Items");
    /* amount, cust, item, order (objects) and total (the type's field), in name order. */
    assert_int_equal(json_array_size(items), 5);
    assert_string_equal(
      json_string_value(json_object_get(json_array_get(items, 0), "AttributeName")), "amount");
    assert_string_equal(
      json_string_value(json_object_get(json_array_get(items, 4), "AttributeName")), "total");
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "ListObjectTypeAttributeValues",
                 "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"Order\",\"AttributeName\":"
                 "\"item\",\"MaxResults\":2}");
    items = json_object_get(out, "Items");
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "Value")),
                        "apple");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "Value")),
                        "fig");
    assert_string_equal(json_string_value(json_object_get(out, "NextToken")), "2");
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "GetObjectTypeAttributeStatistics",
                 "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"Order\",\"AttributeName\":"
                 "\"total\"}");
    json_t *stats = json_object_get(out, "Statistics");
    assert_true(json_real_value(json_object_get(stats, "Average")) == 25.0);
    assert_true(json_real_value(json_object_get(stats, "Minimum")) == 10.0);
    assert_true(json_real_value(json_object_get(stats, "Maximum")) == 40.0);
    assert_true(json_real_value(json_object_get(json_object_get(stats, "Percentiles"), "P50")) ==
                25.0);
    double sd = json_real_value(json_object_get(stats, "StandardDeviation"));
    assert_true(sd > 11.18 && sd < 11.19); /* sqrt(125) */
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "GetObjectTypeAttributeStatistics",
                     "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"Order\",\"AttributeName\":"
                     "\"item\"}",
                     400, "BadRequestException");
    sbx_expect_error(&fx, &fx.root, "profile", "ListObjectTypeAttributes",
                     "{\"DomainName\":\"crm\",\"ObjectTypeName\":\"Nope\"}", 404,
                     "ResourceNotFoundException");
    out = sbx_ok(&fx, &fx.root, "profile", "DetectProfileObjectType",
                 "{\"DomainName\":\"crm\",\"Objects\":["
                 "\"{\\\"customerId\\\":\\\"a1\\\",\\\"mail\\\":\\\"a@x.com\\\","
                 "\\\"tel\\\":\\\"+1 555 0100\\\",\\\"firstName\\\":\\\"Ana\\\","
                 "\\\"spend\\\":3}\","
                 "\"{\\\"customerId\\\":\\\"a2\\\",\\\"mail\\\":\\\"b@y.org\\\","
                 "\\\"tel\\\":\\\"555-0101\\\",\\\"firstName\\\":\\\"Bo\\\","
                 "\\\"spend\\\":4}\"]}");
    json_t *detected = json_array_get(json_object_get(out, "DetectedProfileObjectTypes"), 0);
    json_t *fields = json_object_get(detected, "Fields");
    assert_string_equal(sbx_str2(fields, "mail", "ContentType"), "EMAIL_ADDRESS");
    assert_string_equal(sbx_str2(fields, "mail", "Target"), "_profile.EmailAddress");
    assert_string_equal(sbx_str2(fields, "tel", "ContentType"), "PHONE_NUMBER");
    assert_string_equal(sbx_str2(fields, "firstName", "ContentType"), "NAME");
    assert_string_equal(sbx_str2(fields, "firstName", "Target"), "_profile.FirstName");
    assert_string_equal(sbx_str2(fields, "spend", "ContentType"), "NUMBER");
    assert_string_equal(sbx_str2(fields, "customerId", "Source"), "_source.customerId");
    json_t *keys = json_object_get(detected, "Keys");
    assert_non_null(json_object_get(keys, "_customerId"));
    assert_non_null(json_object_get(keys, "_email"));
    assert_non_null(json_object_get(keys, "_phone"));
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "DetectProfileObjectType",
                     "{\"DomainName\":\"crm\",\"Objects\":[\"[1]\"]}", 400, "BadRequestException");
    sbx_fixture_close(&fx);
}

/* Creates a profile from a JSON body (without DomainName) and copies its id into out. */
static void s_profile(struct sbx_fixture *fx, const char *body, char out[64])
{
    char input[1024];
    snprintf(input, sizeof(input), "{\"DomainName\":\"crm\",%s}", body);
    json_t *doc = sbx_ok(fx, &fx->root, "profile", "CreateProfile", input);
    snprintf(out, 64, "%s", json_string_value(json_object_get(doc, "ProfileId")));
    json_decref(doc);
}

static bool s_array_has(const json_t *array, const char *s)
{
    size_t i;
    const json_t *v;
    json_array_foreach(array, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0) {
            return true;
        }
    }
    return false;
}

static void test_identity_resolution(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    s_setup(&fx);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "CreateDomain",
                       "{\"DomainName\":\"bare\",\"DefaultExpirationDays\":30}"));
    sbx_expect_error(&fx, &fx.root, "profile", "ListRuleBasedMatches", "{\"DomainName\":\"bare\"}",
                     400, "BadRequestException");
    /* Matching off: no job, no match. */
    json_t *out =
      sbx_ok(&fx, &fx.root, "profile", "ListIdentityResolutionJobs", "{\"DomainName\":\"bare\"}");
    assert_int_equal(json_array_size(json_object_get(out, "IdentityResolutionJobsList")), 0);
    json_decref(out);
    json_decref(sbx_ok(
      &fx, &fx.root, "profile", "UpdateDomain",
      "{\"DomainName\":\"crm\",\"Matching\":{\"Enabled\":true,\"JobSchedule\":{\"DayOfTheWeek\":"
      "\"MONDAY\",\"Time\":\"03:00\"}},\"RuleBasedMatching\":{\"Enabled\":true,\"MatchingRules\":"
      "[{\"Rule\":[\"EmailAddress\"]},{\"Rule\":[\"FirstName\",\"LastName\",\"Address\"]}]}}"));
    char a[64], b[64], c[64], d[64], e[64], f[64], g[64];
    s_profile(&fx, "\"EmailAddress\":\"Ann@X.com\"", a);
    s_profile(&fx, "\"PersonalEmailAddress\":\" ann@x.com\"", b);
    s_profile(&fx, "\"PhoneNumber\":\"+1 (555) 010-0100\"", c);
    s_profile(&fx, "\"MobilePhoneNumber\":\"15550100100\"", d);
    s_profile(&fx, "\"FirstName\":\"Solo\"", e);
    s_profile(&fx,
              "\"FirstName\":\"Bo\",\"LastName\":\"Li\",\"Address\":{\"Address1\":\"1 Main St\","
              "\"PostalCode\":\"99\"}",
              f);
    s_profile(&fx,
              "\"FirstName\":\"bo\",\"LastName\":\"LI\",\"Address\":{\"Address1\":\"1 main st\","
              "\"PostalCode\":\"99\"}",
              g);
    /* The first read starts a job; no match until it completes. */
    out = sbx_ok(&fx, &fx.root, "profile", "GetMatches", "{\"DomainName\":\"crm\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Matches")), 0);
    json_decref(out);
    out =
      sbx_ok(&fx, &fx.root, "profile", "ListIdentityResolutionJobs", "{\"DomainName\":\"crm\"}");
    json_t *jobs = json_object_get(out, "IdentityResolutionJobsList");
    assert_int_equal(json_array_size(jobs), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(jobs, 0), "Status")),
                        "FIND_MATCHING");
    char job[64];
    snprintf(job, sizeof(job), "%s",
             json_string_value(json_object_get(json_array_get(jobs, 0), "JobId")));
    json_decref(out);
    fx.now_ms += 5000; /* identity_job_ms */
    char input[512];
    snprintf(input, sizeof(input), "{\"DomainName\":\"crm\",\"JobId\":\"%s\"}", job);
    out = sbx_ok(&fx, &fx.root, "profile", "GetIdentityResolutionJob", input);
    assert_string_equal(json_string_value(json_object_get(out, "Status")), "COMPLETED");
    assert_int_equal(
      json_integer_value(json_object_get(json_object_get(out, "JobStats"), "NumberOfMatchesFound")),
      3);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(out, "JobStats"),
                                                        "NumberOfProfilesReviewed")),
                     7);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "profile", "GetIdentityResolutionJob",
                     "{\"DomainName\":\"crm\",\"JobId\":\"0123456789abcdef0123456789abcdef\"}", 404,
                     "ResourceNotFoundException");

    /* Machine-learning matches: e-mail (a, b), phone (c, d), name and address (f, g). */
    out = sbx_ok(&fx, &fx.root, "profile", "GetMatches", "{\"DomainName\":\"crm\"}");
    json_t *matches = json_object_get(out, "Matches");
    assert_int_equal(json_array_size(matches), 3);
    assert_int_equal(json_integer_value(json_object_get(out, "PotentialMatches")), 3);
    bool found_email = false;
    size_t i;
    json_t *m;
    json_array_foreach(matches, i, m)
    {
        json_t *ids = json_object_get(m, "ProfileIds");
        assert_int_equal(json_array_size(ids), 2);
        assert_false(s_array_has(ids, e));
        if (s_array_has(ids, a)) {
            assert_true(s_array_has(ids, b));
            assert_true(json_real_value(json_object_get(m, "ConfidenceScore")) == 0.99);
            found_email = true;
        }
    }
    assert_true(found_email);
    json_decref(out);
    /* Rule-based: level 1 (e-mail) and level 2 (name and address); phones are in no rule. */
    out = sbx_ok(&fx, &fx.root, "profile", "ListRuleBasedMatches", "{\"DomainName\":\"crm\"}");
    assert_int_equal(json_array_size(json_object_get(out, "MatchIds")), 2);
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "GetSimilarProfiles",
                 "{\"DomainName\":\"crm\",\"MatchType\":\"RULE_BASED_MATCHING\",\"SearchKey\":"
                 "\"FirstName\",\"SearchValue\":\"Bo\"}");
    assert_int_equal(json_integer_value(json_object_get(out, "RuleLevel")), 2);
    assert_true(s_array_has(json_object_get(out, "ProfileIds"), g));
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "GetSimilarProfiles",
                 "{\"DomainName\":\"crm\",\"MatchType\":\"ML_BASED_MATCHING\",\"SearchKey\":"
                 "\"_phone\",\"SearchValue\":\"15550100100\"}");
    assert_int_equal(json_array_size(json_object_get(out, "ProfileIds")), 2);
    assert_true(s_array_has(json_object_get(out, "ProfileIds"), c));
    assert_true(json_real_value(json_object_get(out, "ConfidenceScore")) == 0.95);
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "GetAutoMergingPreview",
                 "{\"DomainName\":\"crm\",\"ConflictResolution\":{\"ConflictResolvingModel\":"
                 "\"RECENCY\"},\"Consolidation\":{\"MatchingAttributesList\":[[\"EmailAddress\"],"
                 "[\"PhoneNumber\"]]},\"MinAllowedConfidenceScoreForMerging\":0.9}");
    assert_int_equal(json_integer_value(json_object_get(out, "NumberOfProfilesWillBeMerged")), 2);
    assert_int_equal(json_integer_value(json_object_get(out, "NumberOfMatchesInSample")), 3);
    assert_int_equal(json_integer_value(json_object_get(out, "NumberOfProfilesInSample")), 7);
    json_decref(out);
    /* A week later the schedule has started a second job. */
    fx.now_ms += 8 * 86400000LL;
    out =
      sbx_ok(&fx, &fx.root, "profile", "ListIdentityResolutionJobs", "{\"DomainName\":\"crm\"}");
    assert_int_equal(json_array_size(json_object_get(out, "IdentityResolutionJobsList")), 2);
    json_decref(out);
    sbx_fixture_close(&fx);
}

static const char *s_rec_status(struct sbx_fixture *fx)
{
    static char status[32];
    json_t *out = sbx_ok(fx, &fx->root, "profile", "GetRecommender",
                         "{\"DomainName\":\"crm\",\"RecommenderName\":\"rec\"}");
    snprintf(status, sizeof(status), "%s", json_string_value(json_object_get(out, "Status")));
    json_decref(out);
    return status;
}

static void test_recommenders(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    s_setup(&fx);
    s_order(&fx, "c1", "o1", 1, "apple");
    s_order(&fx, "c2", "o2", 1, "pear");
    s_order(&fx, "c2", "o3", 1, "apple");
    s_order(&fx, "c3", "o4", 1, "pear");
    s_order(&fx, "c3", "o5", 1, "fig");
    s_order(&fx, "c3", "o6", 1, "plum");
    char p1[64];
    s_profile_of(&fx, "c1", p1);
    json_t *out = sbx_ok(&fx, &fx.root, "profile", "ListRecommenderRecipes", NULL);
    assert_int_equal(json_array_size(json_object_get(out, "RecommenderRecipes")), 6);
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "CreateRecommenderSchema",
                 "{\"DomainName\":\"crm\",\"RecommenderSchemaName\":\"s1\",\"Fields\":{\"item\":"
                 "[{\"TargetFieldName\":\"ItemId\",\"ContentType\":\"STRING\"}]}}");
    assert_string_equal(json_string_value(json_object_get(out, "Status")), "ACTIVE");
    json_decref(out);
    sbx_expect_error(
      &fx, &fx.root, "profile", "CreateRecommender",
      "{\"DomainName\":\"crm\",\"RecommenderName\":\"rec\",\"RecommenderRecipeName\":"
      "\"popular-items\",\"RecommenderSchemaName\":\"nope\"}",
      404, "ResourceNotFoundException");
    out =
      sbx_ok(&fx, &fx.root, "profile", "CreateRecommender",
             "{\"DomainName\":\"crm\",\"RecommenderName\":\"rec\",\"RecommenderRecipeName\":"
             "\"recommended-for-you\",\"RecommenderSchemaName\":\"s1\",\"Tags\":{\"a\":\"1\"}}");
    assert_string_equal(json_string_value(json_object_get(out, "RecommenderArn")),
                        "arn:aws:profile:eu-west-1:123456789012:domains/crm/recommenders/rec");
    json_decref(out);
    sbx_expect_error(
      &fx, &fx.root, "profile", "CreateRecommender",
      "{\"DomainName\":\"crm\",\"RecommenderName\":\"rec\",\"RecommenderRecipeName\":"
      "\"popular-items\"}",
      400, "BadRequestException");
    /* PENDING, IN_PROGRESS, ACTIVE in steps of recommender_ms (5000). */
    assert_string_equal(s_rec_status(&fx), "PENDING");
    char input[1024];
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"ProfileId\":\"%s\",\"RecommenderName\":\"rec\"}", p1);
    sbx_expect_error(&fx, &fx.root, "profile", "GetProfileRecommendations", input, 400,
                     "BadRequestException");
    fx.now_ms += 5000;
    assert_string_equal(s_rec_status(&fx), "IN_PROGRESS");
    fx.now_ms += 5000;
    assert_string_equal(s_rec_status(&fx), "ACTIVE");
    /* The most frequent items p1 has not had: pear (2), then fig and plum (1). */
    out = sbx_ok(&fx, &fx.root, "profile", "GetProfileRecommendations", input);
    json_t *recs = json_object_get(out, "Recommendations");
    assert_int_equal(json_array_size(recs), 3);
    assert_string_equal(sbx_str2(json_array_get(recs, 0), "CatalogItem", "Id"), "pear");
    assert_true(json_real_value(json_object_get(json_array_get(recs, 0), "Score")) == 1.0);
    assert_string_equal(sbx_str2(json_array_get(recs, 1), "CatalogItem", "Id"), "fig");
    assert_true(json_real_value(json_object_get(json_array_get(recs, 1), "Score")) == 0.5);
    json_decref(out);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "CreateRecommenderFilter",
                       "{\"DomainName\":\"crm\",\"RecommenderFilterName\":\"nofig\","
                       "\"RecommenderSchemaName\":\"s1\",\"RecommenderFilterExpression\":"
                       "\"EXCLUDE ItemID WHERE Items.item IN ($ITEMS)\"}"));
    sbx_expect_error(&fx, &fx.root, "profile", "CreateRecommenderFilter",
                     "{\"DomainName\":\"crm\",\"RecommenderFilterName\":\"bad\","
                     "\"RecommenderFilterExpression\":\"DROP everything\"}",
                     400, "BadRequestException");
    snprintf(input, sizeof(input),
             "{\"DomainName\":\"crm\",\"ProfileId\":\"%s\",\"RecommenderName\":\"rec\","
             "\"RecommenderFilters\":[{\"Name\":\"nofig\",\"Values\":{\"ITEMS\":"
             "\"\\\"fig\\\",\\\"pear\\\"\"}}]}",
             p1);
    out = sbx_ok(&fx, &fx.root, "profile", "GetProfileRecommendations", input);
    recs = json_object_get(out, "Recommendations");
    assert_int_equal(json_array_size(recs), 1);
    assert_string_equal(sbx_str2(json_array_get(recs, 0), "CatalogItem", "Id"), "plum");
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "GetRecommenderFilter",
                 "{\"DomainName\":\"crm\",\"RecommenderFilterName\":\"nofig\"}");
    assert_string_equal(json_string_value(json_object_get(out, "Status")), "ACTIVE");
    json_decref(out);
    /* A schema in use cannot go. */
    sbx_expect_error(&fx, &fx.root, "profile", "DeleteRecommenderSchema",
                     "{\"DomainName\":\"crm\",\"RecommenderSchemaName\":\"s1\"}", 400,
                     "BadRequestException");
    /* Stop: STOPPING then INACTIVE; start again: STARTING then ACTIVE. */
    sbx_expect_error(&fx, &fx.root, "profile", "StartRecommender",
                     "{\"DomainName\":\"crm\",\"RecommenderName\":\"rec\"}", 400,
                     "BadRequestException");
    json_decref(sbx_ok(&fx, &fx.root, "profile", "StopRecommender",
                       "{\"DomainName\":\"crm\",\"RecommenderName\":\"rec\"}"));
    assert_string_equal(s_rec_status(&fx), "STOPPING");
    fx.now_ms += 5000;
    assert_string_equal(s_rec_status(&fx), "INACTIVE");
    json_decref(sbx_ok(&fx, &fx.root, "profile", "StartRecommender",
                       "{\"DomainName\":\"crm\",\"RecommenderName\":\"rec\"}"));
    assert_string_equal(s_rec_status(&fx), "STARTING");
    fx.now_ms += 5000;
    assert_string_equal(s_rec_status(&fx), "ACTIVE");
    /* An update is IN_PROGRESS for a step, then its configuration is the recommender's. */
    json_decref(sbx_ok(&fx, &fx.root, "profile", "UpdateRecommender",
                       "{\"DomainName\":\"crm\",\"RecommenderName\":\"rec\",\"RecommenderConfig\":"
                       "{\"TrainingFrequency\":7}}"));
    out = sbx_ok(&fx, &fx.root, "profile", "GetRecommender",
                 "{\"DomainName\":\"crm\",\"RecommenderName\":\"rec\"}");
    assert_string_equal(sbx_str2(out, "LatestRecommenderUpdate", "Status"), "IN_PROGRESS");
    assert_null(json_object_get(out, "RecommenderConfig"));
    json_decref(out);
    fx.now_ms += 5000;
    out = sbx_ok(&fx, &fx.root, "profile", "GetRecommender",
                 "{\"DomainName\":\"crm\",\"RecommenderName\":\"rec\"}");
    assert_string_equal(sbx_str2(out, "LatestRecommenderUpdate", "Status"), "ACTIVE");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(out, "RecommenderConfig"),
                                                        "TrainingFrequency")),
                     7);
    assert_string_equal(sbx_str2(out, "Tags", "a"), "1");
    json_decref(out);
    /* Tags on the recommender's ARN. */
    json_decref(sbx_ok(&fx, &fx.root, "profile", "TagResource",
                       "{\"resourceArn\":\"arn:aws:profile:eu-west-1:123456789012:domains/crm/"
                       "recommenders/rec\",\"tags\":{\"b\":\"2\"}}"));
    out = sbx_ok(&fx, &fx.root, "profile", "ListTagsForResource",
                 "{\"resourceArn\":\"arn:aws:profile:eu-west-1:123456789012:domains/crm/"
                 "recommenders/rec\"}");
    assert_int_equal(json_object_size(json_object_get(out, "tags")), 2);
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "profile", "ListRecommenders", "{\"DomainName\":\"crm\"}");
    assert_string_equal(json_string_value(json_object_get(
                          json_array_get(json_object_get(out, "Recommenders"), 0), "RecipeName")),
                        "recommended-for-you");
    json_decref(out);
    json_decref(sbx_ok(&fx, &fx.root, "profile", "DeleteRecommenderFilter",
                       "{\"DomainName\":\"crm\",\"RecommenderFilterName\":\"nofig\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "DeleteRecommender",
                       "{\"DomainName\":\"crm\",\"RecommenderName\":\"rec\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "DeleteRecommenderSchema",
                       "{\"DomainName\":\"crm\",\"RecommenderSchemaName\":\"s1\"}"));
    sbx_expect_error(&fx, &fx.root, "profile", "GetRecommender",
                     "{\"DomainName\":\"crm\",\"RecommenderName\":\"rec\"}", 404,
                     "ResourceNotFoundException");
    /* Deleting the domain deletes what it held. */
    json_decref(sbx_ok(&fx, &fx.root, "profile", "CreateRecommender",
                       "{\"DomainName\":\"crm\",\"RecommenderName\":\"again\","
                       "\"RecommenderRecipeName\":\"popular-items\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "DeleteDomain", "{\"DomainName\":\"crm\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "profile", "CreateDomain",
                       "{\"DomainName\":\"crm\",\"DefaultExpirationDays\":365}"));
    out = sbx_ok(&fx, &fx.root, "profile", "ListRecommenders", "{\"DomainName\":\"crm\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Recommenders")), 0);
    json_decref(out);
    snprintf(input, sizeof(input), "{\"DomainName\":\"crm\",\"ProfileId\":\"%s\"}", p1);
    sbx_expect_error(&fx, &fx.root, "profile", "ListProfileHistoryRecords", input, 404,
                     "ResourceNotFoundException");
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_profiles_computed",
              CPW_TEST(test_keys_merge_and_history),
              CPW_TEST(test_merge_field_sources),
              CPW_TEST(test_calculated_attributes),
              CPW_TEST(test_object_type_analytics),
              CPW_TEST(test_identity_resolution),
              CPW_TEST(test_recommenders))
