/*
 * test_sbx_profiles_coverage.c - every operation of the embedded Customer Profiles model has a
 * sandbox handler. The operations not emulated yet are listed in s_pending, by name: the test
 * fails when an operation outside that list has no handler (a regression, or a new model
 * operation), and when an operation of the list has gained one (the list must shrink with the
 * code, down to empty once all of them are emulated). The missing operations are printed.
 */
#include "sbx_test.h"

/* Model operations without a handler yet (empty once the sandbox emulates all of them). */
static const char *const s_pending[] = {
    "AddProfileKey",
    "BatchGetCalculatedAttributeForProfile",
    "BatchGetProfile",
    "CreateRecommender",
    "CreateRecommenderFilter",
    "CreateRecommenderSchema",
    "DeleteProfileKey",
    "DeleteProfileObject",
    "DeleteRecommender",
    "DeleteRecommenderFilter",
    "DeleteRecommenderSchema",
    "DetectProfileObjectType",
    "GetAutoMergingPreview",
    "GetCalculatedAttributeForProfile",
    "GetIdentityResolutionJob",
    "GetMatches",
    "GetObjectTypeAttributeStatistics",
    "GetProfileHistoryRecord",
    "GetProfileRecommendations",
    "GetRecommender",
    "GetRecommenderFilter",
    "GetRecommenderSchema",
    "GetSimilarProfiles",
    "ListCalculatedAttributesForProfile",
    "ListIdentityResolutionJobs",
    "ListObjectTypeAttributeValues",
    "ListObjectTypeAttributes",
    "ListProfileHistoryRecords",
    "ListRecommenderFilters",
    "ListRecommenderRecipes",
    "ListRecommenderSchemas",
    "ListRecommenders",
    "ListRuleBasedMatches",
    "MergeProfiles",
    "StartRecommender",
    "StopRecommender",
    "UpdateRecommender",
    NULL, /* keeps the array non-empty when every entry above is gone */
};

#define PENDING_COUNT    (sizeof(s_pending) / sizeof(s_pending[0]) - 1)
#define MODEL_OPERATIONS 106 /* botocore 1.43.11's customer-profiles */

static bool s_is_pending(const char *operation)
{
    for (size_t i = 0; i < PENDING_COUNT; i++) {
        if (strcmp(s_pending[i], operation) == 0) {
            return true;
        }
    }
    return false;
}

static void test_every_model_operation_has_a_handler(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    const struct cpw_model_service *svc = cpw_model_service_get("customer-profiles");
    assert_non_null(svc);
    const json_t *operations = json_object_get(cpw_model_document(svc), "operations");
    assert_int_equal(json_object_size(operations), MODEL_OPERATIONS);
    size_t missing = 0;
    size_t unexpected = 0;
    size_t emulated_pending = 0;
    const char *name;
    const json_t *op;
    json_object_foreach((json_t *)operations, name, op)
    {
        bool emulated = cpw_sbx_emulates(fx.sbx, "profile", name);
        bool pending = s_is_pending(name);
        if (!emulated) {
            missing++;
            print_message("not emulated: %s%s\n", name, pending ? "" : " (not in s_pending)");
            unexpected += pending ? 0 : 1;
        } else if (pending) {
            print_message("emulated but still in s_pending (remove it): %s\n", name);
            emulated_pending++;
        }
    }
    print_message("%zu of %zu Customer Profiles operations emulated\n",
                  json_object_size(operations) - missing, json_object_size(operations));
    assert_int_equal(unexpected, 0);
    assert_int_equal(emulated_pending, 0);
    assert_int_equal(missing, PENDING_COUNT);
    /* The check itself: a name no table holds is not emulated. */
    assert_false(cpw_sbx_emulates(fx.sbx, "profile", "NoSuchOperation"));
    assert_true(cpw_sbx_emulates(fx.sbx, "profile", "CreateDomain"));
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_profiles_coverage", CPW_TEST(test_every_model_operation_has_a_handler))
