/*
 * test_model.c - the embedded service models and the partitions table.
 */
#include <string.h>

#include "cpw/error.h"
#include "cpw/model.h"
#include "harness.h"

static void test_services_by_every_name(void **state)
{
    (void)state;
    assert_int_equal(cpw_model_service_count(), 9);
    const struct cpw_model_service *cp = cpw_model_service_get("customer-profiles");
    assert_non_null(cp);
    assert_ptr_equal(cpw_model_service_get("profile"), cp);
    assert_string_equal(cpw_model_signing_name(cp), "profile");
    assert_string_equal(cpw_model_service_id(cp), "Customer Profiles");
    assert_int_equal(cpw_model_protocol(cp), CPW_PROTOCOL_REST_JSON);

    const struct cpw_model_service *iam = cpw_model_service_get("iam");
    assert_non_null(iam);
    assert_int_equal(cpw_model_protocol(iam), CPW_PROTOCOL_QUERY);
    assert_string_equal(cpw_model_api_version(iam), "2010-05-08");
    assert_string_equal(cpw_model_xml_namespace(iam), "https://iam.amazonaws.com/doc/2010-05-08/");

    const struct cpw_model_service *org = cpw_model_service_get("organizations");
    assert_non_null(org);
    assert_int_equal(cpw_model_protocol(org), CPW_PROTOCOL_JSON);
    assert_string_equal(cpw_model_target_prefix(org), "AWSOrganizationsV20161128");
    assert_string_equal(cpw_model_json_version(org), "1.1");

    const struct cpw_model_service *account = cpw_model_service_get("account");
    assert_non_null(account);
    assert_string_equal(cpw_model_signing_name(account), "account");
    assert_int_equal(cpw_model_protocol(account), CPW_PROTOCOL_REST_JSON);

    /* CloudWatch: the query protocol of its alternatives, as the AWS CLI v2 of Debian sends. */
    const struct cpw_model_service *cw = cpw_model_service_get("monitoring");
    assert_non_null(cw);
    assert_ptr_equal(cpw_model_service_get("cloudwatch"), cw);
    assert_int_equal(cpw_model_protocol(cw), CPW_PROTOCOL_QUERY);
    assert_string_equal(cpw_model_api_version(cw), "2010-08-01");

    assert_non_null(cpw_model_service_get("portal.sso"));
    assert_null(cpw_model_service_get("s3"));
    assert_int_equal(cpw_last_error(), CPW_ERR_MODEL);
}

static void test_operations_and_shapes(void **state)
{
    (void)state;
    const struct cpw_model_service *cp = cpw_model_service_get("customer-profiles");
    assert_non_null(cp);
    /* botocore 1.43 has 106 Customer Profiles operations; 1.29 had 38. */
    assert_true(json_object_size(json_object_get(cpw_model_document(cp), "operations")) >= 100);
    const json_t *op = cpw_model_operation(cp, "DeleteDomain");
    assert_non_null(op);
    assert_string_equal(json_string_value(json_object_get(json_object_get(op, "http"), "method")),
                        "DELETE");
    assert_null(json_object_get(op, "documentation"));
    const json_t *in = cpw_model_input_shape(cp, "ListDomains");
    assert_non_null(in);
    const json_t *next = json_object_get(json_object_get(in, "members"), "NextToken");
    assert_string_equal(json_string_value(json_object_get(next, "locationName")), "next-token");
    assert_string_equal(cpw_model_operation_resolve(cp, "list-domains"), "ListDomains");
    assert_string_equal(cpw_model_operation_resolve(cp, "ListDomains"), "ListDomains");
    assert_null(cpw_model_operation_resolve(cp, "list-buckets"));

    const struct cpw_model_service *iam = cpw_model_service_get("iam");
    assert_string_equal(cpw_model_operation_resolve(iam, "list-saml-providers"),
                        "ListSAMLProviders");
    assert_string_equal(cpw_model_operation_resolve(iam, "get-service-linked-role-deletion-status"),
                        "GetServiceLinkedRoleDeletionStatus");
    const json_t *pag = cpw_model_paginator(iam, "ListRoles");
    assert_non_null(pag);
    assert_string_equal(json_string_value(json_object_get(pag, "input_token")), "Marker");
    /* ListDomains has no botocore paginator. */
    assert_null(cpw_model_paginator(cp, "ListDomains"));
    assert_string_equal(cpw_model_botocore_version(), "1.43.11");
}

static void test_partitions(void **state)
{
    (void)state;
    const json_t *parts = cpw_model_partitions();
    assert_non_null(parts);
    const json_t *aws = json_array_get(parts, 0);
    assert_string_equal(json_string_value(json_object_get(aws, "partition")), "aws");
    const json_t *profile = json_object_get(json_object_get(aws, "services"), "customer-profiles");
    assert_true(json_array_size(json_object_get(profile, "regions")) >= 5);
    const json_t *iam = json_object_get(json_object_get(aws, "services"), "iam");
    assert_true(json_is_true(json_object_get(iam, "global")));
    assert_string_equal(json_string_value(json_object_get(iam, "signingRegion")), "us-east-1");
}

CPW_TEST_MAIN("model",
              CPW_TEST(test_services_by_every_name),
              CPW_TEST(test_operations_and_shapes),
              CPW_TEST(test_partitions))
