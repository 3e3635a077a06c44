/*
 * test_sbx_profiles_coverage.c - every operation of the embedded Customer Profiles model has a
 * sandbox handler: the test walks the model's operations and fails, naming each, when one has
 * none (a regression, or an operation a newer model adds).
 */
#include "sbx_test.h"

#define MODEL_OPERATIONS 106 /* botocore 1.43.11's customer-profiles */

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
    const char *name;
    const json_t *op;
    json_object_foreach((json_t *)operations, name, op)
    {
        if (!cpw_sbx_emulates(fx.sbx, "profile", name)) {
            print_message("not emulated: %s\n", name);
            missing++;
        }
    }
    print_message("%zu of %zu Customer Profiles operations emulated\n",
                  json_object_size(operations) - missing, json_object_size(operations));
    assert_int_equal(missing, 0);
    /* The check itself: a name no table holds is not emulated. */
    assert_false(cpw_sbx_emulates(fx.sbx, "profile", "NoSuchOperation"));
    assert_true(cpw_sbx_emulates(fx.sbx, "profile", "CreateDomain"));
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_profiles_coverage", CPW_TEST(test_every_model_operation_has_a_handler))
