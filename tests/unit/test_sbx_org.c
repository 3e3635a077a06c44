/*
 * test_sbx_org.c - the sandbox's Organizations: creating the organization, CreateAccount as an
 * asynchronous request, stepping into the new account through OrganizationAccountAccessRole,
 * listing with pagination, organizational units and (stored) policies; the tree of OUs and
 * accounts (ListParents, ListChildren, MoveAccount, CloseAccount, RemoveAccountFromOrganization,
 * DeleteOrganization), trusted access and delegated administrators, and ARNs in the partition of
 * the signing region.
 */
#include "sbx_test.h"

/* Steps from via into account through its OrganizationAccountAccessRole, signing for region. */
static void s_step_into(struct sbx_fixture *fx,
                        const struct sbx_identity *via,
                        const char *account,
                        const char *region,
                        struct sbx_identity *out)
{
    char input[256];
    snprintf(input, sizeof(input),
             "{\"RoleArn\":\"arn:%s:iam::%s:role/OrganizationAccountAccessRole\","
             "\"RoleSessionName\":\"admin\"}",
             strncmp(region, "cn-", 3) == 0 ? "aws-cn" : "aws", account);
    json_t *assumed = sbx_ok(fx, via, "sts", "AssumeRole", input);
    sbx_identity_for(fx, sbx_str2(assumed, "Credentials", "AccessKeyId"), region, out);
    json_decref(assumed);
    assert_string_equal(out->creds.account_id, account);
}

static void test_create_account_then_assume_role(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    struct cpw_sbx_options opts = { .slr_deletion_delay_ms = -1, .create_account_delay_ms = 1500 };
    sbx_fixture_open(&fx, &opts);
    sbx_expect_error(&fx, &fx.root, "organizations", "DescribeOrganization", NULL, 400,
                     "AWSOrganizationsNotInUseException");
    assert_string_equal(fx.err.message, "Your account is not a member of an organization.");

    json_t *out =
      sbx_ok(&fx, &fx.root, "organizations", "CreateOrganization", "{\"FeatureSet\":\"ALL\"}");
    assert_string_equal(sbx_str2(out, "Organization", "MasterAccountId"), "123456789012");
    assert_string_equal(sbx_str2(out, "Organization", "FeatureSet"), "ALL");
    assert_memory_equal(sbx_str2(out, "Organization", "Id"), "o-", 2);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "organizations", "CreateOrganization", NULL, 400,
                     "AlreadyInOrganizationException");

    out = sbx_ok(&fx, &fx.root, "organizations", "CreateAccount",
                 "{\"AccountName\":\"dev\",\"Email\":\"dev@example.com\"}");
    assert_string_equal(sbx_str2(out, "CreateAccountStatus", "State"), "IN_PROGRESS");
    char request[128];
    snprintf(request, sizeof(request), "{\"CreateAccountRequestId\":\"%s\"}",
             sbx_str2(out, "CreateAccountStatus", "Id"));
    json_decref(out);

    out = sbx_ok(&fx, &fx.root, "organizations", "ListAccounts", NULL);
    assert_int_equal(json_array_size(json_object_get(out, "Accounts")), 1); /* not yet */
    json_decref(out);

    fx.now_ms += 1500;
    out = sbx_ok(&fx, &fx.root, "organizations", "DescribeCreateAccountStatus", request);
    assert_string_equal(sbx_str2(out, "CreateAccountStatus", "State"), "SUCCEEDED");
    char account[16];
    snprintf(account, sizeof(account), "%s", sbx_str2(out, "CreateAccountStatus", "AccountId"));
    json_decref(out);
    assert_int_equal(strlen(account), 12);
    assert_string_not_equal(account, "123456789012");

    out = sbx_ok(&fx, &fx.root, "organizations", "ListAccounts", NULL);
    assert_int_equal(json_array_size(json_object_get(out, "Accounts")), 2);
    json_decref(out);

    /* From the management account into the member account. */
    char input[256];
    snprintf(input, sizeof(input),
             "{\"RoleArn\":\"arn:aws:iam::%s:role/OrganizationAccountAccessRole\","
             "\"RoleSessionName\":\"admin\"}",
             account);
    out = sbx_ok(&fx, &fx.root, "sts", "AssumeRole", input);
    struct sbx_identity member;
    sbx_identity_for(&fx, sbx_str2(out, "Credentials", "AccessKeyId"), "us-east-1", &member);
    json_decref(out);
    assert_string_equal(member.creds.account_id, account);
    out = sbx_ok(&fx, &member, "sts", "GetCallerIdentity", NULL);
    assert_string_equal(json_string_value(json_object_get(out, "Account")), account);
    char arn[128];
    snprintf(arn, sizeof(arn), "arn:aws:sts::%s:assumed-role/OrganizationAccountAccessRole/admin",
             account);
    assert_string_equal(json_string_value(json_object_get(out, "Arn")), arn);
    json_decref(out);

    /* The member account's IAM is its own. */
    out = sbx_ok(&fx, &member, "iam", "ListRoles", NULL);
    assert_int_equal(json_array_size(json_object_get(out, "Roles")), 1);
    json_decref(out);
    json_decref(sbx_ok(&fx, &member, "iam", "CreateRole",
                       "{\"RoleName\":\"OnlyInMember\",\"AssumeRolePolicyDocument\":\"{}\"}"));
    sbx_expect_error(&fx, &fx.root, "iam", "GetRole", "{\"RoleName\":\"OnlyInMember\"}", 404,
                     "NoSuchEntity");
    out = sbx_ok(&fx, &member, "organizations", "DescribeOrganization", NULL);
    assert_string_equal(sbx_str2(out, "Organization", "MasterAccountId"), "123456789012");
    json_decref(out);
    sbx_expect_error(&fx, &member, "organizations", "CreateAccount",
                     "{\"AccountName\":\"x\",\"Email\":\"x@example.com\"}", 400,
                     "AccessDeniedException");
    cpw_sbx_credentials_clean_up(&member.creds);
    sbx_fixture_close(&fx);
}

static void test_list_accounts_pages_roots_ous_policies(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    struct cpw_sbx_options opts = { .slr_deletion_delay_ms = -1, .create_account_delay_ms = 0 };
    sbx_fixture_open(&fx, &opts);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "CreateOrganization", NULL));
    for (int i = 0; i < 4; i++) {
        char input[128];
        snprintf(input, sizeof(input), "{\"AccountName\":\"a%d\",\"Email\":\"a%d@example.com\"}", i,
                 i);
        fx.now_ms += 1;
        json_decref(sbx_ok(&fx, &fx.root, "organizations", "CreateAccount", input));
    }
    size_t total = 0;
    int pages = 0;
    char token[64] = "";
    do {
        char input[128];
        snprintf(input, sizeof(input),
                 token[0] ? "{\"MaxResults\":2,\"NextToken\":\"%s\"}" : "{\"MaxResults\":2}%s",
                 token);
        json_t *out = sbx_ok(&fx, &fx.root, "organizations", "ListAccounts", input);
        total += json_array_size(json_object_get(out, "Accounts"));
        const char *next = json_string_value(json_object_get(out, "NextToken"));
        snprintf(token, sizeof(token), "%s", next ? next : "");
        json_decref(out);
        pages++;
    } while (token[0] != '\0');
    assert_int_equal(total, 5);
    assert_int_equal(pages, 3);

    json_t *out = sbx_ok(&fx, &fx.root, "organizations", "ListRoots", NULL);
    char root[32];
    snprintf(
      root, sizeof(root), "%s",
      json_string_value(json_object_get(json_array_get(json_object_get(out, "Roots"), 0), "Id")));
    json_decref(out);
    assert_memory_equal(root, "r-", 2);
    char input[512];
    /* A new organization has no policy type enabled: SCPs attach only once enabled. */
    snprintf(input, sizeof(input), "{\"RootId\":\"%s\",\"PolicyType\":\"SERVICE_CONTROL_POLICY\"}",
             root);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "EnablePolicyType", input));
    snprintf(input, sizeof(input), "{\"ParentId\":\"%s\",\"Name\":\"Workloads\"}", root);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "CreateOrganizationalUnit", input));
    snprintf(input, sizeof(input), "{\"ParentId\":\"%s\"}", root);
    out = sbx_ok(&fx, &fx.root, "organizations", "ListOrganizationalUnitsForParent", input);
    assert_string_equal(json_string_value(json_object_get(
                          json_array_get(json_object_get(out, "OrganizationalUnits"), 0), "Name")),
                        "Workloads");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "organizations", "ListOrganizationalUnitsForParent",
                     "{\"ParentId\":\"r-zzzz\"}", 400, "ParentNotFoundException");

    out = sbx_ok(&fx, &fx.root, "organizations", "CreatePolicy",
                 "{\"Name\":\"deny-all\",\"Description\":\"d\",\"Type\":"
                 "\"SERVICE_CONTROL_POLICY\",\"Content\":\"{\\\"Version\\\":\\\"2012-10-17\\\","
                 "\\\"Statement\\\":[]}\"}");
    char policy[32];
    snprintf(policy, sizeof(policy), "%s",
             json_string_value(json_object_get(
               json_object_get(json_object_get(out, "Policy"), "PolicySummary"), "Id")));
    json_decref(out);
    snprintf(input, sizeof(input), "{\"PolicyId\":\"%s\",\"TargetId\":\"%s\"}", policy, root);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "AttachPolicy", input));
    sbx_expect_error(&fx, &fx.root, "organizations", "AttachPolicy", input, 400,
                     "DuplicatePolicyAttachmentException");
    snprintf(input, sizeof(input), "{\"TargetId\":\"%s\",\"Filter\":\"SERVICE_CONTROL_POLICY\"}",
             root);
    out = sbx_ok(&fx, &fx.root, "organizations", "ListPoliciesForTarget", input);
    /* FullAWSAccess (attached by default) and the new policy. */
    json_t *attached = json_object_get(out, "Policies");
    assert_int_equal(json_array_size(attached), 2);
    bool found = false;
    for (size_t i = 0; i < json_array_size(attached); i++) {
        found =
          found || strcmp(json_string_value(json_object_get(json_array_get(attached, i), "Id")),
                          policy) == 0;
    }
    assert_true(found);
    json_decref(out);
    sbx_fixture_close(&fx);
}

/* The id of the n-th item of out[list] (borrowed). */
static const char *s_nth_id(const json_t *out, const char *list, size_t n, const char *key)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(out, list), n), key));
}

static void test_duplicate_email_fails_and_status_list(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    struct cpw_sbx_options opts = { .slr_deletion_delay_ms = -1, .create_account_delay_ms = 1000 };
    sbx_fixture_open(&fx, &opts);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "CreateOrganization", NULL));
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "CreateAccount",
                       "{\"AccountName\":\"one\",\"Email\":\"same@example.com\"}"));
    fx.now_ms += 1;
    /* Accepted, then FAILED with EMAIL_ALREADY_EXISTS (case does not matter). */
    json_t *out = sbx_ok(&fx, &fx.root, "organizations", "CreateAccount",
                         "{\"AccountName\":\"two\",\"Email\":\"Same@Example.com\"}");
    assert_string_equal(sbx_str2(out, "CreateAccountStatus", "State"), "IN_PROGRESS");
    char request[128];
    snprintf(request, sizeof(request), "{\"CreateAccountRequestId\":\"%s\"}",
             sbx_str2(out, "CreateAccountStatus", "Id"));
    json_decref(out);
    fx.now_ms += 1000;
    out = sbx_ok(&fx, &fx.root, "organizations", "DescribeCreateAccountStatus", request);
    assert_string_equal(sbx_str2(out, "CreateAccountStatus", "State"), "FAILED");
    assert_string_equal(sbx_str2(out, "CreateAccountStatus", "FailureReason"),
                        "EMAIL_ALREADY_EXISTS");
    assert_null(json_object_get(json_object_get(out, "CreateAccountStatus"), "AccountId"));
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "organizations", "ListAccounts", NULL);
    assert_int_equal(json_array_size(json_object_get(out, "Accounts")), 2); /* no third */
    json_decref(out);

    json_decref(sbx_ok(&fx, &fx.root, "organizations", "CreateAccount",
                       "{\"AccountName\":\"three\",\"Email\":\"three@example.com\"}"));
    out = sbx_ok(&fx, &fx.root, "organizations", "ListCreateAccountStatus",
                 "{\"States\":[\"FAILED\"]}");
    assert_int_equal(json_array_size(json_object_get(out, "CreateAccountStatuses")), 1);
    assert_string_equal(s_nth_id(out, "CreateAccountStatuses", 0, "AccountName"), "two");
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "organizations", "ListCreateAccountStatus",
                 "{\"States\":[\"IN_PROGRESS\",\"SUCCEEDED\"],\"MaxResults\":1}");
    assert_int_equal(json_array_size(json_object_get(out, "CreateAccountStatuses")), 1);
    assert_string_equal(s_nth_id(out, "CreateAccountStatuses", 0, "AccountName"), "one");
    assert_string_equal(json_string_value(json_object_get(out, "NextToken")), "1");
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "organizations", "ListCreateAccountStatus",
                 "{\"States\":[\"IN_PROGRESS\",\"SUCCEEDED\"],\"NextToken\":\"1\"}");
    assert_int_equal(json_array_size(json_object_get(out, "CreateAccountStatuses")), 1);
    assert_string_equal(s_nth_id(out, "CreateAccountStatuses", 0, "State"), "IN_PROGRESS");
    assert_null(json_object_get(out, "NextToken"));
    json_decref(out);
    sbx_fixture_close(&fx);
}

static void test_member_refused_management_apis(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    struct cpw_sbx_options opts = { .slr_deletion_delay_ms = -1, .create_account_delay_ms = 0 };
    sbx_fixture_open(&fx, &opts);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "CreateOrganization", NULL));
    json_t *out = sbx_ok(&fx, &fx.root, "organizations", "CreateAccount",
                         "{\"AccountName\":\"m\",\"Email\":\"m@example.com\"}");
    struct sbx_identity member;
    s_step_into(&fx, &fx.root, sbx_str2(out, "CreateAccountStatus", "AccountId"), "us-east-1",
                &member);
    json_decref(out);
    static const char *const ops[] = { "ListAccounts", "ListRoots", "ListCreateAccountStatus",
                                       "ListPolicies" };
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        sbx_expect_error(
          &fx, &member, "organizations", ops[i],
          strcmp(ops[i], "ListPolicies") == 0 ? "{\"Filter\":\"SERVICE_CONTROL_POLICY\"}" : NULL,
          400, "AccessDeniedException");
        assert_string_equal(fx.err.message, "You don't have permissions to access this resource.");
    }
    json_decref(sbx_ok(&fx, &member, "organizations", "DescribeOrganization", NULL));
    cpw_sbx_credentials_clean_up(&member.creds);
    sbx_fixture_close(&fx);
}

static void test_policy_lifecycle_types_and_tags(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    struct cpw_sbx_options opts = { .slr_deletion_delay_ms = -1, .create_account_delay_ms = 0 };
    sbx_fixture_open(&fx, &opts);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "CreateOrganization", NULL));
    json_t *out = sbx_ok(&fx, &fx.root, "organizations", "ListRoots", NULL);
    char root[32];
    snprintf(root, sizeof(root), "%s", s_nth_id(out, "Roots", 0, "Id"));
    json_decref(out);
    char input[512];

    /* FullAWSAccess exists and is AWS managed; no policy type is enabled in a new root, so it is
     * attached nowhere and SCPs cannot be attached. */
    out = sbx_ok(&fx, &fx.root, "organizations", "ListPolicies",
                 "{\"Filter\":\"SERVICE_CONTROL_POLICY\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Policies")), 1);
    assert_string_equal(s_nth_id(out, "Policies", 0, "Id"), "p-FullAWSAccess");
    assert_true(json_is_true(
      json_object_get(json_array_get(json_object_get(out, "Policies"), 0), "AwsManaged")));
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "organizations", "ListRoots", NULL);
    assert_int_equal(json_array_size(json_object_get(
                       json_array_get(json_object_get(out, "Roots"), 0), "PolicyTypes")),
                     0);
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "organizations", "ListTargetsForPolicy",
                 "{\"PolicyId\":\"p-FullAWSAccess\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Targets")), 0);
    json_decref(out);
    snprintf(input, sizeof(input), "{\"PolicyId\":\"p-FullAWSAccess\",\"TargetId\":\"%s\"}", root);
    sbx_expect_error(&fx, &fx.root, "organizations", "AttachPolicy", input, 400,
                     "PolicyTypeNotEnabledException");
    /* Enabling SCPs attaches FullAWSAccess to the root and every account. */
    snprintf(input, sizeof(input), "{\"RootId\":\"%s\",\"PolicyType\":\"SERVICE_CONTROL_POLICY\"}",
             root);
    out = sbx_ok(&fx, &fx.root, "organizations", "EnablePolicyType", input);
    assert_int_equal(json_array_size(json_object_get(json_object_get(out, "Root"), "PolicyTypes")),
                     1);
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "organizations", "ListTargetsForPolicy",
                 "{\"PolicyId\":\"p-FullAWSAccess\"}");
    assert_string_equal(s_nth_id(out, "Targets", 0, "TargetId"), root);
    assert_string_equal(s_nth_id(out, "Targets", 0, "Type"), "ROOT");
    assert_string_equal(s_nth_id(out, "Targets", 1, "Type"), "ACCOUNT");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "organizations", "DeletePolicy",
                     "{\"PolicyId\":\"p-FullAWSAccess\"}", 400, "PolicyChangesNotAllowedException");

    /* Policy types on the root. */
    snprintf(input, sizeof(input), "{\"RootId\":\"%s\",\"PolicyType\":\"SERVICE_CONTROL_POLICY\"}",
             root);
    sbx_expect_error(&fx, &fx.root, "organizations", "EnablePolicyType", input, 400,
                     "PolicyTypeAlreadyEnabledException");
    snprintf(input, sizeof(input), "{\"RootId\":\"%s\",\"PolicyType\":\"TAG_POLICY\"}", root);
    sbx_expect_error(&fx, &fx.root, "organizations", "DisablePolicyType", input, 400,
                     "PolicyTypeNotEnabledException");
    out = sbx_ok(&fx, &fx.root, "organizations", "EnablePolicyType", input);
    assert_int_equal(json_array_size(json_object_get(json_object_get(out, "Root"), "PolicyTypes")),
                     2);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "organizations", "EnablePolicyType",
                     "{\"RootId\":\"r-zzzz\",\"PolicyType\":\"TAG_POLICY\"}", 400,
                     "RootNotFoundException");

    /* Create, describe, update, attach, detach, delete. */
    out = sbx_ok(&fx, &fx.root, "organizations", "CreatePolicy",
                 "{\"Name\":\"deny-x\",\"Description\":\"d\",\"Type\":"
                 "\"SERVICE_CONTROL_POLICY\",\"Content\":\"{\\\"Statement\\\":[]}\","
                 "\"Tags\":[{\"Key\":\"team\",\"Value\":\"a\"}]}");
    char policy[32];
    snprintf(policy, sizeof(policy), "%s",
             sbx_str2(json_object_get(out, "Policy"), "PolicySummary", "Id"));
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "organizations", "CreatePolicy",
                     "{\"Name\":\"deny-x\",\"Description\":\"d\",\"Type\":"
                     "\"SERVICE_CONTROL_POLICY\",\"Content\":\"{}\"}",
                     400, "DuplicatePolicyException");
    snprintf(input, sizeof(input), "{\"PolicyId\":\"%s\",\"Name\":\"deny-y\"}", policy);
    out = sbx_ok(&fx, &fx.root, "organizations", "UpdatePolicy", input);
    assert_string_equal(sbx_str2(json_object_get(out, "Policy"), "PolicySummary", "Name"),
                        "deny-y");
    json_decref(out);
    snprintf(input, sizeof(input), "{\"PolicyId\":\"%s\"}", policy);
    out = sbx_ok(&fx, &fx.root, "organizations", "DescribePolicy", input);
    assert_string_equal(sbx_str2(out, "Policy", "Content"), "{\"Statement\":[]}");
    json_decref(out);
    snprintf(input, sizeof(input), "{\"PolicyId\":\"%s\",\"TargetId\":\"%s\"}", policy, root);
    sbx_expect_error(&fx, &fx.root, "organizations", "DetachPolicy", input, 400,
                     "PolicyNotAttachedException");
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "AttachPolicy", input));
    char del[128];
    snprintf(del, sizeof(del), "{\"PolicyId\":\"%s\"}", policy);
    sbx_expect_error(&fx, &fx.root, "organizations", "DeletePolicy", del, 400,
                     "PolicyInUseException");
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "DetachPolicy", input));

    /* Tags on the policy and on the root. */
    snprintf(input, sizeof(input), "{\"ResourceId\":\"%s\"}", policy);
    out = sbx_ok(&fx, &fx.root, "organizations", "ListTagsForResource", input);
    assert_string_equal(s_nth_id(out, "Tags", 0, "Value"), "a");
    json_decref(out);
    snprintf(input, sizeof(input),
             "{\"ResourceId\":\"%s\",\"Tags\":[{\"Key\":\"env\",\"Value\":\"prod\"}]}", root);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "TagResource", input));
    snprintf(input, sizeof(input), "{\"ResourceId\":\"%s\"}", root);
    out = sbx_ok(&fx, &fx.root, "organizations", "ListTagsForResource", input);
    assert_string_equal(s_nth_id(out, "Tags", 0, "Key"), "env");
    json_decref(out);
    snprintf(input, sizeof(input), "{\"ResourceId\":\"%s\",\"TagKeys\":[\"env\"]}", root);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "UntagResource", input));
    snprintf(input, sizeof(input), "{\"ResourceId\":\"%s\"}", root);
    out = sbx_ok(&fx, &fx.root, "organizations", "ListTagsForResource", input);
    assert_int_equal(json_array_size(json_object_get(out, "Tags")), 0);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "organizations", "TagResource",
                     "{\"ResourceId\":\"ou-zzzz-zzzzzzzz\",\"Tags\":[]}", 400,
                     "TargetNotFoundException");

    json_decref(sbx_ok(&fx, &fx.root, "organizations", "DeletePolicy", del));
    sbx_expect_error(&fx, &fx.root, "organizations", "DescribePolicy", del, 400,
                     "PolicyNotFoundException");
    /* Disabling SCPs detaches FullAWSAccess; enabling attaches it again. */
    snprintf(input, sizeof(input), "{\"RootId\":\"%s\",\"PolicyType\":\"SERVICE_CONTROL_POLICY\"}",
             root);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "DisablePolicyType", input));
    out = sbx_ok(&fx, &fx.root, "organizations", "ListTargetsForPolicy",
                 "{\"PolicyId\":\"p-FullAWSAccess\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Targets")), 0);
    json_decref(out);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "EnablePolicyType", input));
    out = sbx_ok(&fx, &fx.root, "organizations", "ListTargetsForPolicy",
                 "{\"PolicyId\":\"p-FullAWSAccess\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Targets")), 2);
    json_decref(out);
    sbx_fixture_close(&fx);
}

/* The member account of a one-member organization made with create_account_delay_ms 0. */
static void s_org_with_member(struct sbx_fixture *fx, char root[32], char member[16])
{
    json_decref(sbx_ok(fx, &fx->root, "organizations", "CreateOrganization", NULL));
    json_t *out = sbx_ok(fx, &fx->root, "organizations", "ListRoots", NULL);
    snprintf(root, 32, "%s", s_nth_id(out, "Roots", 0, "Id"));
    json_decref(out);
    out = sbx_ok(fx, &fx->root, "organizations", "CreateAccount",
                 "{\"AccountName\":\"dev\",\"Email\":\"dev@example.com\"}");
    snprintf(member, 16, "%s", sbx_str2(out, "CreateAccountStatus", "AccountId"));
    json_decref(out);
    assert_int_equal(strlen(member), 12);
}

static void test_tree_of_ous_and_accounts(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    struct cpw_sbx_options opts = { .slr_deletion_delay_ms = -1, .create_account_delay_ms = 0 };
    sbx_fixture_open(&fx, &opts);
    char root[32];
    char member[16];
    s_org_with_member(&fx, root, member);
    char input[512];
    snprintf(input, sizeof(input), "{\"ParentId\":\"%s\",\"Name\":\"apps\"}", root);
    json_t *out = sbx_ok(&fx, &fx.root, "organizations", "CreateOrganizationalUnit", input);
    char ou[64];
    snprintf(ou, sizeof(ou), "%s", sbx_str2(out, "OrganizationalUnit", "Id"));
    json_decref(out);

    /* Move the member under the OU: ListParents and ListChildren follow. */
    snprintf(input, sizeof(input),
             "{\"AccountId\":\"%s\",\"SourceParentId\":\"%s\",\"DestinationParentId\":\"%s\"}",
             member, root, ou);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "MoveAccount", input));
    sbx_expect_error(&fx, &fx.root, "organizations", "MoveAccount", input, 400,
                     "DuplicateAccountException");
    snprintf(input, sizeof(input), "{\"ChildId\":\"%s\"}", member);
    out = sbx_ok(&fx, &fx.root, "organizations", "ListParents", input);
    assert_string_equal(s_nth_id(out, "Parents", 0, "Id"), ou);
    assert_string_equal(s_nth_id(out, "Parents", 0, "Type"), "ORGANIZATIONAL_UNIT");
    json_decref(out);
    snprintf(input, sizeof(input), "{\"ChildId\":\"%s\"}", ou);
    out = sbx_ok(&fx, &fx.root, "organizations", "ListParents", input);
    assert_string_equal(s_nth_id(out, "Parents", 0, "Type"), "ROOT");
    json_decref(out);
    snprintf(input, sizeof(input), "{\"ParentId\":\"%s\",\"ChildType\":\"ACCOUNT\"}", root);
    out = sbx_ok(&fx, &fx.root, "organizations", "ListChildren", input);
    assert_int_equal(json_array_size(json_object_get(out, "Children")), 1); /* management only */
    assert_string_equal(s_nth_id(out, "Children", 0, "Id"), "123456789012");
    json_decref(out);
    snprintf(input, sizeof(input), "{\"ParentId\":\"%s\"}", ou);
    out = sbx_ok(&fx, &fx.root, "organizations", "ListAccountsForParent", input);
    assert_string_equal(s_nth_id(out, "Accounts", 0, "Id"), member);
    json_decref(out);

    /* An OU with an account in it cannot go; renaming it to a sibling's name is refused. */
    snprintf(input, sizeof(input), "{\"OrganizationalUnitId\":\"%s\"}", ou);
    sbx_expect_error(&fx, &fx.root, "organizations", "DeleteOrganizationalUnit", input, 400,
                     "OrganizationalUnitNotEmptyException");
    snprintf(input, sizeof(input), "{\"ParentId\":\"%s\",\"Name\":\"data\"}", root);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "CreateOrganizationalUnit", input));
    snprintf(input, sizeof(input), "{\"OrganizationalUnitId\":\"%s\",\"Name\":\"data\"}", ou);
    sbx_expect_error(&fx, &fx.root, "organizations", "UpdateOrganizationalUnit", input, 400,
                     "DuplicateOrganizationalUnitException");

    /* CloseAccount is asynchronous: PENDING_CLOSURE, then SUSPENDED once the delay has passed. */
    snprintf(input, sizeof(input), "{\"AccountId\":\"%s\"}", member);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "CloseAccount", input));
    out = sbx_ok(&fx, &fx.root, "organizations", "DescribeAccount", input);
    assert_string_equal(sbx_str2(out, "Account", "Status"), "SUSPENDED");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "organizations", "CloseAccount", input, 400,
                     "AccountAlreadyClosedException");
    sbx_expect_error(&fx, &fx.root, "organizations", "CloseAccount",
                     "{\"AccountId\":\"123456789012\"}", 400, "ConstraintViolationException");

    /* The organization goes only once no member is left. */
    sbx_expect_error(&fx, &fx.root, "organizations", "DeleteOrganization", NULL, 400,
                     "OrganizationNotEmptyException");
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "RemoveAccountFromOrganization", input));
    sbx_expect_error(&fx, &fx.root, "organizations", "DescribeAccount", input, 400,
                     "AccountNotFoundException");
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "DeleteOrganization", NULL));
    sbx_expect_error(&fx, &fx.root, "organizations", "DescribeOrganization", NULL, 400,
                     "AWSOrganizationsNotInUseException");
    sbx_fixture_close(&fx);
}

static void test_service_access_admins_and_partition(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    struct cpw_sbx_options opts = { .slr_deletion_delay_ms = -1, .create_account_delay_ms = 0 };
    sbx_fixture_open(&fx, &opts);
    char root[32];
    char member[16];
    s_org_with_member(&fx, root, member);

    const char *config = "{\"ServicePrincipal\":\"config.amazonaws.com\"}";
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "EnableAWSServiceAccess", config));
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "EnableAWSServiceAccess", config));
    json_t *out =
      sbx_ok(&fx, &fx.root, "organizations", "ListAWSServiceAccessForOrganization", NULL);
    assert_int_equal(json_array_size(json_object_get(out, "EnabledServicePrincipals")), 1);
    json_decref(out);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "DisableAWSServiceAccess", config));
    out = sbx_ok(&fx, &fx.root, "organizations", "ListAWSServiceAccessForOrganization", NULL);
    assert_int_equal(json_array_size(json_object_get(out, "EnabledServicePrincipals")), 0);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "organizations", "EnableAWSServiceAccess",
                     "{\"ServicePrincipal\":\"nothing.amazonaws.com\"}", 400,
                     "InvalidInputException");
    assert_string_equal(fx.err.message, "You specified a service principal that isn't recognized.");

    char input[256];
    snprintf(input, sizeof(input),
             "{\"AccountId\":\"%s\",\"ServicePrincipal\":\"ssm.amazonaws.com\"}", member);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "RegisterDelegatedAdministrator", input));
    sbx_expect_error(&fx, &fx.root, "organizations", "RegisterDelegatedAdministrator", input, 400,
                     "AccountAlreadyRegisteredException");
    sbx_expect_error(&fx, &fx.root, "organizations", "RegisterDelegatedAdministrator",
                     "{\"AccountId\":\"123456789012\",\"ServicePrincipal\":\"ssm.amazonaws.com\"}",
                     400, "ConstraintViolationException");
    out = sbx_ok(&fx, &fx.root, "organizations", "ListDelegatedAdministrators",
                 "{\"ServicePrincipal\":\"ssm.amazonaws.com\"}");
    assert_string_equal(s_nth_id(out, "DelegatedAdministrators", 0, "Id"), member);
    assert_non_null(json_object_get(
      json_array_get(json_object_get(out, "DelegatedAdministrators"), 0), "DelegationEnabledDate"));
    json_decref(out);
    char account_only[64];
    snprintf(account_only, sizeof(account_only), "{\"AccountId\":\"%s\"}", member);
    out = sbx_ok(&fx, &fx.root, "organizations", "ListDelegatedServicesForAccount", account_only);
    assert_string_equal(s_nth_id(out, "DelegatedServices", 0, "ServicePrincipal"),
                        "ssm.amazonaws.com");
    json_decref(out);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "DeregisterDelegatedAdministrator", input));
    sbx_expect_error(&fx, &fx.root, "organizations", "DeregisterDelegatedAdministrator", input, 400,
                     "AccountNotRegisteredException");

    /* Signed for a China region, the ARNs are in the aws-cn partition. */
    struct sbx_identity cn;
    sbx_identity_for(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, "cn-north-1", &cn);
    out = sbx_ok(&fx, &cn, "organizations", "ListRoots", NULL);
    assert_memory_equal(s_nth_id(out, "Roots", 0, "Arn"), "arn:aws-cn:organizations::", 26);
    json_decref(out);
    sbx_fixture_close(&fx);
}

static void test_effective_tag_policy(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    struct cpw_sbx_options opts = { .slr_deletion_delay_ms = -1, .create_account_delay_ms = 0 };
    sbx_fixture_open(&fx, &opts);
    char root[32];
    char member[16];
    s_org_with_member(&fx, root, member);
    char input[512];
    snprintf(input, sizeof(input), "{\"PolicyType\":\"TAG_POLICY\",\"TargetId\":\"%s\"}", member);
    sbx_expect_error(&fx, &fx.root, "organizations", "DescribeEffectivePolicy", input, 400,
                     "EffectivePolicyNotFoundException");
    snprintf(input, sizeof(input), "{\"RootId\":\"%s\",\"PolicyType\":\"TAG_POLICY\"}", root);
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "EnablePolicyType", input));
    /* The root's policy names the key, the account's policy adds the values. */
    const char *docs[2] = {
        "{\\\"tags\\\":{\\\"cc\\\":{\\\"tag_key\\\":{\\\"@@assign\\\":\\\"CostCenter\\\"}}}}",
        "{\\\"tags\\\":{\\\"cc\\\":{\\\"tag_value\\\":{\\\"@@assign\\\":[\\\"a\\\"]}}}}",
    };
    const char *targets[2] = { root, member };
    for (size_t i = 0; i < 2; i++) {
        snprintf(input, sizeof(input),
                 "{\"Name\":\"tags-%zu\",\"Description\":\"d\",\"Type\":\"TAG_POLICY\","
                 "\"Content\":\"%s\"}",
                 i, docs[i]);
        json_t *out = sbx_ok(&fx, &fx.root, "organizations", "CreatePolicy", input);
        snprintf(input, sizeof(input), "{\"PolicyId\":\"%s\",\"TargetId\":\"%s\"}",
                 sbx_str2(json_object_get(out, "Policy"), "PolicySummary", "Id"), targets[i]);
        json_decref(out);
        json_decref(sbx_ok(&fx, &fx.root, "organizations", "AttachPolicy", input));
    }
    snprintf(input, sizeof(input), "{\"PolicyType\":\"TAG_POLICY\",\"TargetId\":\"%s\"}", member);
    json_t *out = sbx_ok(&fx, &fx.root, "organizations", "DescribeEffectivePolicy", input);
    assert_string_equal(sbx_str2(out, "EffectivePolicy", "PolicyContent"),
                        "{\"tags\":{\"cc\":{\"tag_key\":\"CostCenter\",\"tag_value\":[\"a\"]}}}");
    json_decref(out);
    /* The management account inherits only the root's. */
    out = sbx_ok(&fx, &fx.root, "organizations", "DescribeEffectivePolicy",
                 "{\"PolicyType\":\"TAG_POLICY\"}");
    assert_string_equal(sbx_str2(out, "EffectivePolicy", "PolicyContent"),
                        "{\"tags\":{\"cc\":{\"tag_key\":\"CostCenter\"}}}");
    json_decref(out);
    snprintf(input, sizeof(input), "{\"PolicyType\":\"TAG_POLICY\",\"TargetId\":\"%s\"}", root);
    sbx_expect_error(&fx, &fx.root, "organizations", "DescribeEffectivePolicy", input, 400,
                     "TargetNotFoundException");
    sbx_fixture_close(&fx);
}

/* CreateAccount signed for a China region: the member's OrganizationAccountAccessRole, the root
 * it trusts and its AdministratorAccess are aws-cn ARNs, so the management account steps in. */
static void test_access_role_in_the_partition(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    struct cpw_sbx_options opts = { .slr_deletion_delay_ms = -1, .create_account_delay_ms = 0 };
    sbx_fixture_open(&fx, &opts);
    struct sbx_identity cn;
    sbx_identity_for(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, "cn-north-1", &cn);
    json_decref(sbx_ok(&fx, &cn, "organizations", "CreateOrganization", NULL));
    json_t *out = sbx_ok(&fx, &cn, "organizations", "CreateAccount",
                         "{\"AccountName\":\"cn\",\"Email\":\"cn@example.com\"}");
    char account[16];
    snprintf(account, sizeof(account), "%s", sbx_str2(out, "CreateAccountStatus", "AccountId"));
    json_decref(out);
    assert_int_equal(strlen(account), 12);
    struct sbx_identity member;
    s_step_into(&fx, &cn, account, "cn-north-1", &member);
    out =
      sbx_ok(&fx, &member, "iam", "GetRole", "{\"RoleName\":\"OrganizationAccountAccessRole\"}");
    char want[160];
    snprintf(want, sizeof(want), "arn:aws-cn:iam::%s:role/OrganizationAccountAccessRole", account);
    assert_string_equal(sbx_str2(out, "Role", "Arn"), want);
    assert_non_null(strstr(sbx_str2(out, "Role", "AssumeRolePolicyDocument"),
                           "arn%3Aaws-cn%3Aiam%3A%3A123456789012%3Aroot"));
    json_decref(out);
    out = sbx_ok(&fx, &member, "iam", "ListAttachedRolePolicies",
                 "{\"RoleName\":\"OrganizationAccountAccessRole\"}");
    assert_string_equal(
      json_string_value(
        json_object_get(json_array_get(json_object_get(out, "AttachedPolicies"), 0), "PolicyArn")),
      "arn:aws-cn:iam::aws:policy/AdministratorAccess");
    json_decref(out);
    cpw_sbx_credentials_clean_up(&member.creds);
    sbx_fixture_close(&fx);
}

/* A member registered as a delegated administrator reads the organization as AWS lets it (the
 * read operations), still cannot change it, and loses the reads once deregistered. */
static void test_delegated_admin_reads(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    struct cpw_sbx_options opts = { .slr_deletion_delay_ms = -1, .create_account_delay_ms = 0 };
    sbx_fixture_open(&fx, &opts);
    char root[32];
    char member[16];
    s_org_with_member(&fx, root, member);
    char input[512];
    snprintf(input, sizeof(input), "{\"ParentId\":\"%s\",\"Name\":\"apps\"}", root);
    json_t *out = sbx_ok(&fx, &fx.root, "organizations", "CreateOrganizationalUnit", input);
    char ou[64];
    snprintf(ou, sizeof(ou), "%s", sbx_str2(out, "OrganizationalUnit", "Id"));
    json_decref(out);
    struct sbx_identity admin;
    s_step_into(&fx, &fx.root, member, "us-east-1", &admin);
    char reg[128];
    snprintf(reg, sizeof(reg), "{\"AccountId\":\"%s\",\"ServicePrincipal\":\"ssm.amazonaws.com\"}",
             member);
    char account_in[64];
    char root_in[64];
    char ou_in[96];
    char child_in[64];
    snprintf(account_in, sizeof(account_in), "{\"AccountId\":\"%s\"}", member);
    snprintf(root_in, sizeof(root_in), "{\"ParentId\":\"%s\"}", root);
    snprintf(ou_in, sizeof(ou_in), "{\"OrganizationalUnitId\":\"%s\"}", ou);
    snprintf(child_in, sizeof(child_in), "{\"ChildId\":\"%s\"}", member);
    const struct {
        const char *op;
        const char *input;
    } reads[] = {
        { "ListAccounts", NULL },
        { "ListRoots", NULL },
        { "DescribeAccount", account_in },
        { "ListOrganizationalUnitsForParent", root_in },
        { "DescribeOrganizationalUnit", ou_in },
        { "ListParents", child_in },
        { "ListAccountsForParent", root_in },
        { "ListDelegatedAdministrators", NULL },
        { "ListDelegatedServicesForAccount", account_in },
        { "ListAWSServiceAccessForOrganization", NULL },
        { "ListCreateAccountStatus", NULL },
        { "ListPolicies", "{\"Filter\":\"SERVICE_CONTROL_POLICY\"}" },
        { "DescribePolicy", "{\"PolicyId\":\"p-FullAWSAccess\"}" },
    };
    size_t n = sizeof(reads) / sizeof(reads[0]);
    for (size_t i = 0; i < n; i++) {
        sbx_expect_error(&fx, &admin, "organizations", reads[i].op, reads[i].input, 400,
                         "AccessDeniedException");
    }
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "RegisterDelegatedAdministrator", reg));
    for (size_t i = 0; i < n; i++) {
        json_decref(sbx_ok(&fx, &admin, "organizations", reads[i].op, reads[i].input));
    }
    out = sbx_ok(&fx, &admin, "organizations", "ListAccounts", NULL);
    assert_int_equal(json_array_size(json_object_get(out, "Accounts")), 2);
    json_decref(out);
    /* Writes stay with the management account. */
    snprintf(input, sizeof(input), "{\"ParentId\":\"%s\",\"Name\":\"x\"}", root);
    sbx_expect_error(&fx, &admin, "organizations", "CreateOrganizationalUnit", input, 400,
                     "AccessDeniedException");
    sbx_expect_error(&fx, &admin, "organizations", "RegisterDelegatedAdministrator", reg, 400,
                     "AccessDeniedException");
    sbx_expect_error(&fx, &admin, "organizations", "CreateAccount",
                     "{\"AccountName\":\"x\",\"Email\":\"x@example.com\"}", 400,
                     "AccessDeniedException");
    json_decref(sbx_ok(&fx, &fx.root, "organizations", "DeregisterDelegatedAdministrator", reg));
    sbx_expect_error(&fx, &admin, "organizations", "ListAccounts", NULL, 400,
                     "AccessDeniedException");
    cpw_sbx_credentials_clean_up(&admin.creds);
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_org",
              CPW_TEST(test_create_account_then_assume_role),
              CPW_TEST(test_list_accounts_pages_roots_ous_policies),
              CPW_TEST(test_duplicate_email_fails_and_status_list),
              CPW_TEST(test_member_refused_management_apis),
              CPW_TEST(test_policy_lifecycle_types_and_tags),
              CPW_TEST(test_tree_of_ous_and_accounts),
              CPW_TEST(test_service_access_admins_and_partition),
              CPW_TEST(test_effective_tag_policy),
              CPW_TEST(test_access_role_in_the_partition),
              CPW_TEST(test_delegated_admin_reads))
