/*
 * test_sbx_authz_table.c - the action table of the sandbox's authorization: every operation the
 * models route to a handler has a row, and the rows give AWS's action names and resource ARNs.
 */
#include "sandbox/sbx_authz.h"
#include "sandbox/sbx_service.h"
#include "sbx_test.h"

/* Every registered operation of every service has a row (walks the registration tables and the
 * embedded models, so a new handler without a row fails here). */
static void test_every_routed_operation_has_a_row(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    size_t checked = 0;
    for (size_t s = 0; s < fx.sbx->service_count; s++) {
        const struct cpw_sbx_service *svc = fx.sbx->services[s];
        for (size_t i = 0; i < svc->op_count; i++) {
            if (cpw_sbx_authz_row_find(svc->signing_name, svc->ops[i].name) == NULL) {
                fail_msg("no authorization row for %s:%s", svc->signing_name, svc->ops[i].name);
            }
            checked++;
        }
        const struct cpw_model_service *model = cpw_model_service_get(svc->model_name);
        assert_non_null(model);
        const char *op;
        json_t *ignored;
        json_object_foreach(json_object_get(cpw_model_document(model), "operations"), op, ignored)
        {
            if (cpw_sbx_emulates(fx.sbx, svc->signing_name, op) &&
                cpw_sbx_authz_row_find(svc->signing_name, op) == NULL) {
                fail_msg("no authorization row for modeled %s:%s", svc->signing_name, op);
            }
        }
    }
    assert_true(checked > 200);
    /* And no row names an operation the model does not have. */
    for (size_t i = 0; i < cpw_sbx_authz_row_count(); i++) {
        const struct cpw_sbx_authz_row *row = cpw_sbx_authz_row_at(i);
        const char *model_name = strcmp(row->service, "profile") == 0      ? "customer-profiles"
                                 : strcmp(row->service, "monitoring") == 0 ? "cloudwatch"
                                                                           : row->service;
        const struct cpw_model_service *model = cpw_model_service_get(model_name);
        assert_non_null(model);
        if (cpw_model_operation(model, row->operation) == NULL) {
            fail_msg("row %s:%s is not a model operation", row->service, row->operation);
        }
    }
    sbx_fixture_close(&fx);
}

static void s_expect(struct sbx_fixture *fx,
                     const char *service,
                     const char *operation,
                     const char *input_json,
                     const char *action,
                     const char *resource)
{
    const struct cpw_sbx_authz_row *row = cpw_sbx_authz_row_find(service, operation);
    assert_non_null(row);
    char got[128];
    assert_int_equal(cpw_sbx_authz_action(row, got, sizeof(got)), 0);
    assert_string_equal(got, action);
    json_t *input = json_loads(input_json, 0, NULL);
    assert_non_null(input);
    struct cpw_sbx_request req = { .service = service,
                                   .operation = operation,
                                   .input = input,
                                   .caller = &fx->root.caller,
                                   .now_ms = fx->now_ms };
    struct cpw_sbx_error err = { 0 };
    struct cpw_sbx_ctx ctx = { .sbx = fx->sbx, .db = fx->sbx->db, .req = &req, .err = &err };
    struct cpw_buf arn;
    cpw_buf_init(&arn, 2048);
    assert_int_equal(cpw_sbx_authz_resource(&ctx, row, input, &arn), 0);
    assert_string_equal(cpw_buf_cstr(&arn), resource);
    cpw_buf_clean_up(&arn);
    json_decref(input);
}

static void test_actions_and_resources(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    const char *a = fx.root.caller.account_id;
    char want[256];
    snprintf(want, sizeof(want), "arn:aws:profile:eu-west-1:%s:domains/d1", a);
    s_expect(&fx, "profile", "DeleteDomain", "{\"DomainName\": \"d1\"}", "profile:DeleteDomain",
             want);
    snprintf(want, sizeof(want), "arn:aws:profile:eu-west-1:%s:domains/d1/object-types/t", a);
    s_expect(&fx, "profile", "GetProfileObjectType",
             "{\"DomainName\": \"d1\", \"ObjectTypeName\": \"t\"}", "profile:GetProfileObjectType",
             want);
    s_expect(&fx, "profile", "ListDomains", "{}", "profile:ListDomains", "*");
    s_expect(&fx, "monitoring", "PutMetricData", "{}", "cloudwatch:PutMetricData", "*");
    s_expect(&fx, "organizations", "ListAccounts", "{}", "organizations:ListAccounts", "*");
    /* A role's ARN comes from the store, path included. */
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateRole",
                       "{\"RoleName\": \"R\", \"Path\": \"/x/\", \"AssumeRolePolicyDocument\": "
                       "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[]}\"}"));
    snprintf(want, sizeof(want), "arn:aws:iam::%s:role/x/R", a);
    s_expect(&fx, "iam", "DeleteRole", "{\"RoleName\": \"R\"}", "iam:DeleteRole", want);
    snprintf(want, sizeof(want), "arn:aws:iam::%s:root", a);
    s_expect(&fx, "iam", "ListAccessKeys", "{}", "iam:ListAccessKeys", want);
    s_expect(&fx, "sts", "AssumeRole", "{\"RoleArn\": \"arn:aws:iam::111122223333:role/Q\"}",
             "sts:AssumeRole", "arn:aws:iam::111122223333:role/Q");
    snprintf(want, sizeof(want), "arn:aws:account::%s:account", a);
    s_expect(&fx, "account", "EnableRegion", "{\"RegionName\": \"me-south-1\"}",
             "account:EnableRegion", want);
    sbx_fixture_close(&fx);
}

/* An Organizations policy is authorized on the ARN of its own type, the one CreatePolicy answers
 * (a tag policy is .../tag_policy/p-..., not .../service_control_policy/p-...). */
static void test_org_policy_arns_follow_the_type(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "CreateOrganization", NULL));
    json_t *out = sbx_ok(&fx, &fx.root, "organizations", "CreatePolicy",
                         "{\"Name\": \"tags\", \"Type\": \"TAG_POLICY\", \"Description\": \"d\","
                         " \"Content\": \"{\\\"tags\\\": {}}\"}");
    char id[32];
    char arn[256];
    snprintf(id, sizeof(id), "%s",
             json_string_value(json_object_get(
               json_object_get(json_object_get(out, "Policy"), "PolicySummary"), "Id")));
    snprintf(arn, sizeof(arn), "%s",
             json_string_value(json_object_get(
               json_object_get(json_object_get(out, "Policy"), "PolicySummary"), "Arn")));
    json_decref(out);
    assert_non_null(strstr(arn, ":policy/o-"));
    assert_non_null(strstr(arn, "/tag_policy/"));
    char input[128];
    snprintf(input, sizeof(input), "{\"PolicyId\": \"%s\"}", id);
    s_expect(&fx, "organizations", "DescribePolicy", input, "organizations:DescribePolicy", arn);
    s_expect(&fx, "organizations", "DeletePolicy", input, "organizations:DeletePolicy", arn);
    /* AWS's managed policies: arn:aws:organizations::aws:policy/TYPE/ID. */
    s_expect(&fx, "organizations", "DescribePolicy", "{\"PolicyId\": \"p-RCPFullAWSAccess\"}",
             "organizations:DescribePolicy",
             "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess");
    s_expect(&fx, "organizations", "DescribePolicy", "{\"PolicyId\": \"p-FullAWSAccess\"}",
             "organizations:DescribePolicy",
             "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess");
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_authz_table",
              CPW_TEST(test_every_routed_operation_has_a_row),
              CPW_TEST(test_actions_and_resources),
              CPW_TEST(test_org_policy_arns_follow_the_type))
