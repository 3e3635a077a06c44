/*
 * test_model_table.c - the build-time table of the embedded models (cmake/models.cmake): every
 * service is found by its signing name and by its endpoint prefix, to the same model as by file
 * name, and the table agrees with the parsed metadata (model.c refuses a stale table).
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "cpw/model.h"
#include "harness.h"

static void test_found_by_signing_name_and_prefix(void **state)
{
    (void)state;
    size_t count = cpw_model_service_count();
    assert_true(count >= 7);
    for (size_t i = 0; i < count; i++) {
        cpw_model_clean_up(); /* each lookup starts with nothing parsed */
        const struct cpw_model_service *svc = cpw_model_service_at(i);
        assert_non_null(svc);
        char name[64];
        char signing[64];
        char prefix_buf[64];
        assert_non_null(cpw_model_signing_name(svc));
        snprintf(name, sizeof(name), "%s", cpw_model_name(svc));
        snprintf(signing, sizeof(signing), "%s", cpw_model_signing_name(svc));
        const char *prefix = NULL;
        if (cpw_model_endpoint_prefix(svc) != NULL) {
            snprintf(prefix_buf, sizeof(prefix_buf), "%s", cpw_model_endpoint_prefix(svc));
            prefix = prefix_buf;
        }
        cpw_model_clean_up(); /* frees the strings above: copied */
        const struct cpw_model_service *by_signing = cpw_model_service_get(signing);
        assert_non_null(by_signing);
        assert_string_equal(cpw_model_name(by_signing), name);
        assert_string_equal(cpw_model_signing_name(by_signing), signing);
        if (prefix != NULL) {
            const struct cpw_model_service *by_prefix = cpw_model_service_get(prefix);
            assert_non_null(by_prefix);
            assert_string_equal(cpw_model_name(by_prefix), name);
        }
    }
    /* Signing names that differ from the file name. */
    assert_string_equal(cpw_model_name(cpw_model_service_get("profile")), "customer-profiles");
    assert_string_equal(cpw_model_name(cpw_model_service_get("monitoring")), "cloudwatch");
    assert_null(cpw_model_service_get("no-such-service"));
    assert_int_equal(cpw_last_error(), CPW_ERR_MODEL);
    cpw_error_clear();
    cpw_model_clean_up();
}

CPW_TEST_MAIN("model_table", CPW_TEST(test_found_by_signing_name_and_prefix))
