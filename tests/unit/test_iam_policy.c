/*
 * test_iam_policy.c - the IAM policy engine: parsing and IAM's MalformedPolicyDocument
 * messages, action and resource matching, and the evaluation order across identity-based
 * policies, SCPs, permissions boundaries, session policies and resource-based policies, with
 * AWS's AccessDenied messages.
 */
#include <stdio.h>
#include <string.h>

#include "iam_policy_fixture.h"

/* ----- parsing ----- */

static void s_expect_malformed(enum cpw_iam_policy_type type, const char *text, const char *msg)
{
    struct cpw_iam_policy_parse_options o = { .type = type, .id = "bad" };
    struct cpw_iam_policy *p = cpw_iam_policy_parse(cpw_span_from_cstr(text), &o);
    if (p) {
        print_error("accepted: %s\n", text);
    }
    assert_null(p);
    assert_int_equal(cpw_last_error(), CPW_ERR_VALIDATION);
    assert_string_equal(cpw_last_error_detail(), msg);
}

static void test_parse_accepts(void **state)
{
    (void)state;
    struct cpw_iam_policy *p = fx_policy(
      CPW_IAM_POLICY_IDENTITY, "arn:aws:iam::111122223333:policy/p",
      "{\"Version\":\"2012-10-17\",\"Id\":\"x\",\"Statement\":[{\"Sid\":\"One\",\"Effect\":"
      "\"Allow\",\"Action\":[\"iam:Get*\",\"iam:List*\"],\"Resource\":\"*\"},{\"Effect\":\"Deny\","
      "\"NotAction\":\"iam:*\",\"NotResource\":[\"arn:aws:s3:::b\"],\"Condition\":{\"Bool\":{"
      "\"aws:SecureTransport\":false},\"NumericLessThan\":{\"s3:max-keys\":[10,20.5]}}}]}");
    assert_int_equal(cpw_iam_policy_statement_count(p), 2);
    assert_string_equal(cpw_iam_policy_statement_sid(p, 0), "One");
    assert_null(cpw_iam_policy_statement_sid(p, 1));
    assert_null(cpw_iam_policy_statement_sid(p, 2));
    assert_string_equal(cpw_iam_policy_id(p), "arn:aws:iam::111122223333:policy/p");
    assert_int_equal(cpw_iam_policy_type(p), CPW_IAM_POLICY_IDENTITY);
    cpw_iam_policy_destroy(p);
    /* A single statement object, no Version (2008-10-17). */
    p = fx_policy(CPW_IAM_POLICY_SCP, "scp",
                  "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}");
    assert_int_equal(cpw_iam_policy_statement_count(p), 1);
    cpw_iam_policy_destroy(p);
    /* A trust policy: Principal required, Resource optional. */
    p = fx_policy(CPW_IAM_POLICY_RESOURCE, "trust",
                  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
                  "{\"Service\":[\"connect.amazonaws.com\"],\"AWS\":\"111122223333\"},\"Action\":"
                  "\"sts:AssumeRole\"}]}");
    cpw_iam_policy_destroy(p);
    cpw_iam_policy_destroy(NULL);
}

static void test_parse_refuses_with_iam_messages(void **state)
{
    (void)state;
    const char *syntax = "Syntax errors in policy.";
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY, "{", syntax);
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY, "[]", syntax);
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY, "{\"Version\":\"2012-10-17\"}", syntax);
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY, "{\"Version\":\"2012-10-17\",\"Statement\":[]}",
                       syntax);
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY,
                       "{\"Version\":\"2013-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                       "\"Action\":\"*\",\"Resource\":\"*\"}}",
                       syntax);
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY,
                       "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\","
                       "\"Extra\":1}}",
                       syntax);
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY,
                       "{\"Statement\":{\"Effect\":\"Maybe\",\"Action\":\"*\",\"Resource\":\"*\"}}",
                       syntax);
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY,
                       "{\"Statement\":{\"Action\":\"*\",\"Resource\":\"*\"}}", syntax);
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY,
                       "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotAction\":\"*\","
                       "\"Resource\":\"*\"}}",
                       syntax);
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY,
                       "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[1],\"Resource\":\"*\"}}",
                       syntax);
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY,
                       "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\","
                       "\"Condition\":{\"StringEqualz\":{\"a:b\":\"c\"}}}}",
                       syntax);
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY,
                       "{\"Statement\":{\"Effect\":\"allow\",\"Action\":\"*\",\"Resource\":\"*\"}}",
                       "The policy failed legacy parsing");
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY,
                       "{\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"*\","
                       "\"Resource\":\"*\"},{\"Sid\":\"A\",\"Effect\":\"Deny\",\"Action\":\"*\","
                       "\"Resource\":\"*\"}]}",
                       "Statement IDs (SID) in a single policy must be unique.");
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY,
                       "{\"Statement\":{\"Effect\":\"Allow\",\"Resource\":\"*\"}}",
                       "Policy statement must contain actions.");
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY,
                       "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[],\"Resource\":\"*\"}}",
                       "Policy statement must contain actions.");
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY,
                       "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"iam:*\"}}",
                       "Policy statement must contain resources.");
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY,
                       "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":"
                       "\"iam:*\",\"Resource\":\"*\"}}",
                       "Policy document should not specify a principal.");
    s_expect_malformed(CPW_IAM_POLICY_RESOURCE,
                       "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\"}}",
                       "Missing required field Principal");
    s_expect_malformed(CPW_IAM_POLICY_RESOURCE,
                       "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"bob\"},"
                       "\"Action\":\"sts:AssumeRole\"}}",
                       "Invalid principal in policy: \"AWS\":\"bob\"");
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY,
                       "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"iam:*\",\"Resource\":"
                       "\"bucket\"}}",
                       "Resource bucket must be in ARN format or \"*\".");
    s_expect_malformed(
      CPW_IAM_POLICY_IDENTITY,
      "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"GetUser\",\"Resource\":"
      "\"*\"}}",
      "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY,
                       "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"iam:Get:User\","
                       "\"Resource\":\"*\"}}",
                       "Actions/Condition can contain only one colon.");
    s_expect_malformed(CPW_IAM_POLICY_IDENTITY,
                       "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"i_am:GetUser\","
                       "\"Resource\":\"*\"}}",
                       "Vendor i_am is not valid");
}

/* ----- matching ----- */

static void test_action_matching(void **state)
{
    (void)state;
    assert_true(cpw_iam_action_matches("*", "iam:CreateRole"));
    assert_true(cpw_iam_action_matches("iam:*", "iam:CreateRole"));
    assert_true(cpw_iam_action_matches("IAM:createrole", "iam:CreateRole")); /* case-insensitive */
    assert_true(cpw_iam_action_matches("iam:Get*", "iam:GetRole"));
    assert_true(cpw_iam_action_matches("iam:Get?ole", "iam:GetRole"));
    assert_false(cpw_iam_action_matches("iam:Get?ole", "iam:GetRoles"));
    assert_false(cpw_iam_action_matches("iam:Get*", "iam:ListRoles"));
    assert_false(cpw_iam_action_matches("s3:*", "iam:GetRole"));
    assert_true(cpw_iam_action_matches("*:Get*", "s3:GetObject"));
    assert_true(cpw_iam_action_matches("iam:*Role*", "iam:ListRolePolicies"));
}

static void test_resource_matching(void **state)
{
    (void)state;
    const char *role = "arn:aws:iam::111122223333:role/ops/deploy";
    assert_true(cpw_iam_resource_matches("*", role));
    assert_true(cpw_iam_resource_matches("arn:aws:iam::111122223333:role/*", role));
    assert_true(cpw_iam_resource_matches("arn:aws:iam::*:role/ops/*", role));
    assert_true(cpw_iam_resource_matches("arn:aws:iam::111122223333:role/ops/deplo?", role));
    assert_false(cpw_iam_resource_matches("arn:aws:iam::111122223333:role/OPS/*", role)); /* case */
    assert_false(cpw_iam_resource_matches("arn:aws:iam::444455556666:role/*", role));
    /* A wildcard stays inside its segment: '*' in the service does not reach the account. */
    assert_false(cpw_iam_resource_matches("arn:aws:*:role/ops/deploy", role));
    assert_true(cpw_iam_resource_matches("arn:aws:*:*:*:role/ops/deploy", role));
    /* The resource part may span ':' and '/'. */
    assert_true(cpw_iam_resource_matches("arn:aws:logs:*:*:log-group:/aws/*",
                                         "arn:aws:logs:us-east-1:111122223333:log-group:/aws/x:*"));
    assert_false(cpw_iam_resource_matches("arn:aws:iam::111122223333:role/ops", role));
}

/* ----- evaluation ----- */

static void test_identity_allow_and_deny(void **state)
{
    (void)state;
    struct cpw_iam_policy *allow =
      fx_simple(CPW_IAM_POLICY_IDENTITY, "Allow", "iam:*", "arn:aws:iam::111122223333:role/*");
    struct cpw_iam_policy *deny = fx_simple(CPW_IAM_POLICY_IDENTITY, "Deny", "iam:DeleteRole",
                                            "arn:aws:iam::111122223333:role/keep");
    const struct cpw_iam_policy *both[] = { allow, deny };
    struct cpw_iam_policy_set set = { .identity = both, .identity_count = 2 };
    enum cpw_iam_policy_type by = CPW_IAM_POLICY_TYPE_COUNT_;
    struct cpw_iam_request r =
      fx_user_request("iam:DeleteRole", "arn:aws:iam::111122223333:role/other", NULL);
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_ALLOWED);
    r.resource = "arn:aws:iam::111122223333:role/keep";
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_EXPLICIT_DENY);
    assert_int_equal(by, CPW_IAM_POLICY_IDENTITY);
    r.action = "iam:GetRole"; /* the deny is for DeleteRole only */
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_ALLOWED);
    r.action = "s3:GetObject";
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_IMPLICIT_DENY);
    assert_int_equal(by, CPW_IAM_POLICY_IDENTITY);
    /* No policies at all: implicit deny. */
    struct cpw_iam_policy_set empty = { 0 };
    assert_int_equal(fx_decide(&empty, &r, &by), CPW_IAM_IMPLICIT_DENY);
    cpw_iam_policy_destroy(allow);
    cpw_iam_policy_destroy(deny);
}

static void test_not_action_not_resource(void **state)
{
    (void)state;
    struct cpw_iam_policy *p = fx_policy(
      CPW_IAM_POLICY_IDENTITY, "p",
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"NotAction\":"
      "[\"iam:*\",\"organizations:*\"],\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Action\":"
      "\"iam:GetRole\",\"NotResource\":\"arn:aws:iam::111122223333:role/secret*\"}]}");
    const struct cpw_iam_policy *list[] = { p };
    struct cpw_iam_policy_set set = { .identity = list, .identity_count = 1 };
    struct cpw_iam_request r = fx_user_request("s3:GetObject", "arn:aws:s3:::b/k", NULL);
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_ALLOWED);
    r.action = "iam:CreateRole";
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_IMPLICIT_DENY);
    r.action = "organizations:ListAccounts";
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_IMPLICIT_DENY);
    r.action = "iam:GetRole";
    r.resource = "arn:aws:iam::111122223333:role/public";
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_ALLOWED);
    r.resource = "arn:aws:iam::111122223333:role/secret-1";
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_IMPLICIT_DENY);
    cpw_iam_policy_destroy(p);

    /* A Deny with NotAction denies everything else. */
    struct cpw_iam_policy *admin = fx_simple(CPW_IAM_POLICY_IDENTITY, "Allow", "*", "*");
    struct cpw_iam_policy *only_iam =
      fx_policy(CPW_IAM_POLICY_IDENTITY, "only-iam",
                "{\"Statement\":{\"Effect\":\"Deny\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"}}");
    const struct cpw_iam_policy *two[] = { admin, only_iam };
    struct cpw_iam_policy_set set2 = { .identity = two, .identity_count = 2 };
    r.action = "s3:ListBucket";
    assert_int_equal(fx_decide(&set2, &r, NULL), CPW_IAM_EXPLICIT_DENY);
    r.action = "iam:ListRoles";
    assert_int_equal(fx_decide(&set2, &r, NULL), CPW_IAM_ALLOWED);
    cpw_iam_policy_destroy(admin);
    cpw_iam_policy_destroy(only_iam);
}

static void test_scp_levels(void **state)
{
    (void)state;
    struct cpw_iam_policy *admin = fx_simple(CPW_IAM_POLICY_IDENTITY, "Allow", "*", "*");
    struct cpw_iam_policy *full = fx_simple(CPW_IAM_POLICY_SCP, "Allow", "*", "*");
    struct cpw_iam_policy *iam_only = fx_simple(CPW_IAM_POLICY_SCP, "Allow", "iam:*", "*");
    struct cpw_iam_policy *no_delete =
      fx_simple(CPW_IAM_POLICY_SCP, "Deny", "profile:DeleteDomain", "*");
    const struct cpw_iam_policy *id[] = { admin };
    const struct cpw_iam_policy *root_pols[] = { full };
    const struct cpw_iam_policy *ou_pols[] = { iam_only };
    const struct cpw_iam_policy *acct_pols[] = { full, no_delete };
    struct cpw_iam_org_level levels[] = {
        { .target_id = "r-abcd", .policies = root_pols, .count = 1 },
        { .target_id = "ou-abcd-11111111", .policies = ou_pols, .count = 1 },
        { .target_id = FX_ACCOUNT, .policies = acct_pols, .count = 2 },
    };
    struct cpw_iam_policy_set set = {
        .identity = id, .identity_count = 1, .scp_levels = levels, .scp_level_count = 3
    };
    enum cpw_iam_policy_type by;
    struct cpw_iam_request r =
      fx_user_request("iam:CreateRole", "arn:aws:iam::111122223333:role/x", NULL);
    struct cpw_iam_decision d;
    assert_int_equal(cpw_iam_evaluate(&set, &r, &d), 0);
    assert_int_equal(d.decision, CPW_IAM_ALLOWED);
    assert_int_equal(d.per_type[CPW_IAM_POLICY_SCP], CPW_IAM_ALLOWED);
    assert_int_equal(d.per_type[CPW_IAM_POLICY_BOUNDARY], CPW_IAM_NOT_EVALUATED);
    cpw_iam_decision_clean_up(&d);
    /* The OU allows only iam:*: every level must allow, so s3 is denied by the SCPs. */
    r.action = "s3:ListBucket";
    r.resource = "arn:aws:s3:::b";
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_IMPLICIT_DENY);
    assert_int_equal(by, CPW_IAM_POLICY_SCP);
    /* An explicit deny at the account level wins over everything. */
    levels[1].policies = root_pols;
    r.action = "profile:DeleteDomain";
    r.resource = "arn:aws:profile:us-east-1:111122223333:domains/d";
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_EXPLICIT_DENY);
    assert_int_equal(by, CPW_IAM_POLICY_SCP);
    /* The management account is exempt from SCPs. */
    r.principal.management_account = true;
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_ALLOWED);
    assert_int_equal(cpw_iam_evaluate(&set, &r, &d), 0);
    assert_int_equal(d.per_type[CPW_IAM_POLICY_SCP], CPW_IAM_NOT_EVALUATED);
    cpw_iam_decision_clean_up(&d);
    r.principal.management_account = false;
    /* Service-linked roles are exempt too. */
    r.principal.kind = CPW_IAM_PRINCIPAL_ROLE_SESSION;
    r.principal.arn = "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForX/s";
    r.principal.role_arn = "arn:aws:iam::111122223333:role/aws-service-role/x/AWSServiceRoleForX";
    r.principal.service_linked_role = true;
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_ALLOWED);
    /* A level with no policy attached allows nothing. */
    r.principal = (struct cpw_iam_principal){ .kind = CPW_IAM_PRINCIPAL_USER,
                                              .arn = FX_USER_ARN,
                                              .account = FX_ACCOUNT };
    levels[1].count = 0;
    r.action = "iam:GetRole";
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_IMPLICIT_DENY);
    assert_int_equal(by, CPW_IAM_POLICY_SCP);
    cpw_iam_policy_destroy(admin);
    cpw_iam_policy_destroy(full);
    cpw_iam_policy_destroy(iam_only);
    cpw_iam_policy_destroy(no_delete);
}

static void test_root_user(void **state)
{
    (void)state;
    struct cpw_iam_policy *full = fx_simple(CPW_IAM_POLICY_SCP, "Allow", "*", "*");
    struct cpw_iam_policy *deny =
      fx_simple(CPW_IAM_POLICY_SCP, "Deny", "organizations:LeaveOrganization", "*");
    const struct cpw_iam_policy *pols[] = { full, deny };
    struct cpw_iam_org_level level = { .target_id = "r-abcd", .policies = pols, .count = 2 };
    struct cpw_iam_policy_set set = { .scp_levels = &level, .scp_level_count = 1 };
    struct cpw_iam_request r = {
        .principal = { .kind = CPW_IAM_PRINCIPAL_ROOT,
                       .arn = "arn:aws:iam::111122223333:root",
                       .account = FX_ACCOUNT },
        .action = "iam:CreateRole",
        .resource = "arn:aws:iam::111122223333:role/x",
    };
    /* No identity policy is needed by the root user... */
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_ALLOWED);
    /* ...but SCPs bind it in a member account. */
    enum cpw_iam_policy_type by;
    r.action = "organizations:LeaveOrganization";
    r.resource = "*";
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_EXPLICIT_DENY);
    assert_int_equal(by, CPW_IAM_POLICY_SCP);
    /* And a user with the same (empty) identity policies is denied. */
    struct cpw_iam_request u = fx_user_request("iam:CreateRole", "*", NULL);
    assert_int_equal(fx_decide(&set, &u, &by), CPW_IAM_IMPLICIT_DENY);
    assert_int_equal(by, CPW_IAM_POLICY_IDENTITY);
    cpw_iam_policy_destroy(full);
    cpw_iam_policy_destroy(deny);
}

static void test_permissions_boundary(void **state)
{
    (void)state;
    struct cpw_iam_policy *admin = fx_simple(CPW_IAM_POLICY_IDENTITY, "Allow", "*", "*");
    struct cpw_iam_policy *pb = fx_simple(CPW_IAM_POLICY_BOUNDARY, "Allow", "iam:Get*", "*");
    struct cpw_iam_policy *pb_deny = fx_simple(CPW_IAM_POLICY_BOUNDARY, "Deny", "iam:GetUser", "*");
    const struct cpw_iam_policy *id[] = { admin };
    const struct cpw_iam_policy *boundary[] = { pb, pb_deny };
    struct cpw_iam_policy_set set = {
        .identity = id,
        .identity_count = 1,
        .boundary = boundary,
        .boundary_count = 1,
        .has_boundary = true,
    };
    enum cpw_iam_policy_type by;
    struct cpw_iam_request r =
      fx_user_request("iam:GetRole", "arn:aws:iam::111122223333:role/x", NULL);
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_ALLOWED);
    r.action = "iam:DeleteRole";
    struct cpw_iam_decision d;
    assert_int_equal(cpw_iam_evaluate(&set, &r, &d), 0);
    assert_int_equal(d.decision, CPW_IAM_IMPLICIT_DENY);
    assert_int_equal(d.denied_by, CPW_IAM_POLICY_BOUNDARY);
    assert_int_equal(d.per_type[CPW_IAM_POLICY_BOUNDARY], CPW_IAM_IMPLICIT_DENY);
    assert_int_equal(d.per_type[CPW_IAM_POLICY_IDENTITY], CPW_IAM_ALLOWED);
    cpw_iam_decision_clean_up(&d);
    /* The boundary only limits: it grants nothing the identity policies do not. */
    const struct cpw_iam_policy *none[] = { NULL };
    set.identity = none;
    r.action = "iam:GetRole";
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_IMPLICIT_DENY);
    assert_int_equal(by, CPW_IAM_POLICY_IDENTITY);
    set.identity = id;
    /* An explicit deny in the boundary. */
    set.boundary_count = 2;
    r.action = "iam:GetUser";
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_EXPLICIT_DENY);
    assert_int_equal(by, CPW_IAM_POLICY_BOUNDARY);
    /* A boundary that is set but empty allows nothing. */
    set.boundary_count = 0;
    r.action = "iam:GetRole";
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_IMPLICIT_DENY);
    assert_int_equal(by, CPW_IAM_POLICY_BOUNDARY);
    cpw_iam_policy_destroy(admin);
    cpw_iam_policy_destroy(pb);
    cpw_iam_policy_destroy(pb_deny);
}

static void test_session_policies(void **state)
{
    (void)state;
    struct cpw_iam_policy *admin = fx_simple(CPW_IAM_POLICY_IDENTITY, "Allow", "*", "*");
    struct cpw_iam_policy *ses = fx_simple(CPW_IAM_POLICY_SESSION, "Allow", "s3:Get*", "*");
    const struct cpw_iam_policy *id[] = { admin };
    const struct cpw_iam_policy *session[] = { ses };
    struct cpw_iam_policy_set set = {
        .identity = id,
        .identity_count = 1,
        .session = session,
        .session_count = 1,
        .has_session = true,
    };
    struct cpw_iam_request r = {
        .principal = { .kind = CPW_IAM_PRINCIPAL_ROLE_SESSION,
                       .arn = "arn:aws:sts::111122223333:assumed-role/ops/s1",
                       .role_arn = "arn:aws:iam::111122223333:role/ops",
                       .account = FX_ACCOUNT },
        .action = "s3:GetObject",
        .resource = "arn:aws:s3:::b/k",
    };
    enum cpw_iam_policy_type by;
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_ALLOWED);
    r.action = "s3:PutObject";
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_IMPLICIT_DENY);
    assert_int_equal(by, CPW_IAM_POLICY_SESSION);
    char *msg = NULL;
    struct cpw_iam_decision d;
    assert_int_equal(cpw_iam_evaluate(&set, &r, &d), 0);
    msg = cpw_iam_denial_message(&r, &d);
    assert_string_equal(msg, "User: arn:aws:sts::111122223333:assumed-role/ops/s1 is not "
                             "authorized to perform: s3:PutObject on resource: arn:aws:s3:::b/k "
                             "because no session policy allows the s3:PutObject action");
    cpw_free(msg);
    cpw_iam_decision_clean_up(&d);
    cpw_iam_policy_destroy(admin);
    cpw_iam_policy_destroy(ses);
}

static void test_resource_policies(void **state)
{
    (void)state;
    struct cpw_iam_policy *bucket = fx_policy(
      CPW_IAM_POLICY_RESOURCE, "bucket",
      "{\"Version\":\"2012-10-17\",\"Statement\":["
      "{\"Sid\":\"User\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" FX_USER_ARN "\"},"
      "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"},"
      "{\"Sid\":\"Acct\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"444455556666\"},"
      "\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/*\"},"
      "{\"Sid\":\"Role\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
      "\"arn:aws:iam::111122223333:role/ops\"},\"Action\":\"s3:ListBucket\",\"Resource\":\"*\"},"
      "{\"Sid\":\"NoDel\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:DeleteObject\","
      "\"Resource\":\"*\"}]}");
    struct cpw_iam_policy *admin = fx_simple(CPW_IAM_POLICY_IDENTITY, "Allow", "*", "*");
    struct cpw_iam_policy *pb = fx_simple(CPW_IAM_POLICY_BOUNDARY, "Allow", "iam:*", "*");
    const struct cpw_iam_policy *id[] = { admin };
    const struct cpw_iam_policy *boundary[] = { pb };
    enum cpw_iam_policy_type by;

    /* Same account: the resource policy alone grants to the named user... */
    struct cpw_iam_policy_set set = { .resource = bucket };
    struct cpw_iam_request r = fx_user_request("s3:GetObject", "arn:aws:s3:::b/k", NULL);
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_ALLOWED);
    /* ...and a permissions boundary does not limit a grant to the user's ARN. */
    set.boundary = boundary;
    set.boundary_count = 1;
    set.has_boundary = true;
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_ALLOWED);
    /* An explicit deny in the resource policy wins over an admin identity policy. */
    set = (struct cpw_iam_policy_set){ .resource = bucket, .identity = id, .identity_count = 1 };
    r.action = "s3:DeleteObject";
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_EXPLICIT_DENY);
    assert_int_equal(by, CPW_IAM_POLICY_RESOURCE);

    /* A role session: a grant to the role (not the session) is limited by the boundary. */
    struct cpw_iam_request rr = {
        .principal = { .kind = CPW_IAM_PRINCIPAL_ROLE_SESSION,
                       .arn = "arn:aws:sts::111122223333:assumed-role/ops/s1",
                       .role_arn = "arn:aws:iam::111122223333:role/ops",
                       .account = FX_ACCOUNT },
        .action = "s3:ListBucket",
        .resource = "arn:aws:s3:::b",
    };
    set = (struct cpw_iam_policy_set){ .resource = bucket };
    assert_int_equal(fx_decide(&set, &rr, &by), CPW_IAM_ALLOWED);
    set.boundary = boundary;
    set.boundary_count = 1;
    set.has_boundary = true;
    assert_int_equal(fx_decide(&set, &rr, &by), CPW_IAM_IMPLICIT_DENY);
    assert_int_equal(by, CPW_IAM_POLICY_BOUNDARY);

    /* Cross account: the account grant needs the caller's identity policy too. */
    struct cpw_iam_request x = {
        .principal = { .kind = CPW_IAM_PRINCIPAL_USER,
                       .arn = "arn:aws:iam::444455556666:user/bob",
                       .account = FX_OTHER },
        .action = "s3:PutObject",
        .resource = "arn:aws:s3:::b/k",
        .resource_account = FX_ACCOUNT,
    };
    set = (struct cpw_iam_policy_set){ .resource = bucket };
    assert_int_equal(fx_decide(&set, &x, &by), CPW_IAM_IMPLICIT_DENY);
    assert_int_equal(by, CPW_IAM_POLICY_IDENTITY);
    set.identity = id;
    set.identity_count = 1;
    assert_int_equal(fx_decide(&set, &x, &by), CPW_IAM_ALLOWED);
    /* ...and the identity policy alone is not enough across accounts. */
    x.action = "s3:GetObject";
    assert_int_equal(fx_decide(&set, &x, &by), CPW_IAM_IMPLICIT_DENY);
    assert_int_equal(by, CPW_IAM_POLICY_RESOURCE);
    /* Within one account, an account principal delegates to identity policies: alone it is
     * not a grant. */
    struct cpw_iam_request same = fx_user_request("s3:PutObject", "arn:aws:s3:::b/k", NULL);
    same.principal.arn = "arn:aws:iam::444455556666:user/carol";
    same.principal.account = FX_OTHER;
    same.resource_account = FX_OTHER;
    set = (struct cpw_iam_policy_set){ .resource = bucket };
    assert_int_equal(fx_decide(&set, &same, &by), CPW_IAM_IMPLICIT_DENY);

    cpw_iam_policy_destroy(bucket);
    cpw_iam_policy_destroy(admin);
    cpw_iam_policy_destroy(pb);
}

static void test_trust_policy_service_principal(void **state)
{
    (void)state;
    struct cpw_iam_policy *trust =
      fx_policy(CPW_IAM_POLICY_RESOURCE, "trust",
                "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{"
                "\"Service\":\"connect.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}}");
    struct cpw_iam_policy_set set = { .resource = trust };
    struct cpw_iam_request r = {
        .principal = { .kind = CPW_IAM_PRINCIPAL_SERVICE,
                       .service = "connect.amazonaws.com",
                       .account = FX_ACCOUNT },
        .action = "sts:AssumeRole",
        .resource = "arn:aws:iam::111122223333:role/r",
    };
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_ALLOWED);
    r.principal.service = "profile.amazonaws.com";
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_IMPLICIT_DENY);
    cpw_iam_policy_destroy(trust);
}

static void test_not_principal_deny_with_boundary(void **state)
{
    (void)state;
    /* A Deny with NotPrincipal that leaves alice out... */
    struct cpw_iam_policy *bucket =
      fx_policy(CPW_IAM_POLICY_RESOURCE, "bucket",
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"NotPrincipal\":{"
                "\"AWS\":\"" FX_USER_ARN "\"},\"Action\":\"s3:*\",\"Resource\":\"*\"},{\"Effect\":"
                "\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}");
    struct cpw_iam_policy *pb = fx_simple(CPW_IAM_POLICY_BOUNDARY, "Allow", "*", "*");
    const struct cpw_iam_policy *boundary[] = { pb };
    struct cpw_iam_policy_set set = { .resource = bucket };
    struct cpw_iam_request r = fx_user_request("s3:GetObject", "arn:aws:s3:::b/k", NULL);
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_ALLOWED);
    /* ...denies her anyway once she has a permissions boundary (IAM User Guide). */
    set.boundary = boundary;
    set.boundary_count = 1;
    set.has_boundary = true;
    enum cpw_iam_policy_type by;
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_EXPLICIT_DENY);
    assert_int_equal(by, CPW_IAM_POLICY_RESOURCE);
    cpw_iam_policy_destroy(bucket);
    cpw_iam_policy_destroy(pb);
}

static void test_federated_user_and_wildcard_service(void **state)
{
    (void)state;
    /* A grant to the IAM user reaches its federated-user sessions, limited by their session
     * policy; a grant to "*" reaches a service principal. */
    struct cpw_iam_policy *queue =
      fx_policy(CPW_IAM_POLICY_RESOURCE, "queue",
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{"
                "\"AWS\":\"" FX_USER_ARN "\"},\"Action\":\"sqs:SendMessage\",\"Resource\":\"*\"},"
                "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sqs:ReceiveMessage\","
                "\"Resource\":\"*\"}]}");
    struct cpw_iam_policy *ses = fx_simple(CPW_IAM_POLICY_SESSION, "Allow", "sqs:Receive*", "*");
    const struct cpw_iam_policy *session[] = { ses };
    struct cpw_iam_policy_set set = { .resource = queue };
    struct cpw_iam_request r = {
        .principal = { .kind = CPW_IAM_PRINCIPAL_FEDERATED,
                       .arn = "arn:aws:sts::111122223333:federated-user/alice",
                       .role_arn = FX_USER_ARN,
                       .account = FX_ACCOUNT },
        .action = "sqs:SendMessage",
        .resource = "arn:aws:sqs:us-east-1:111122223333:q",
    };
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_ALLOWED);
    set.session = session;
    set.session_count = 1;
    set.has_session = true;
    enum cpw_iam_policy_type by;
    assert_int_equal(fx_decide(&set, &r, &by), CPW_IAM_IMPLICIT_DENY);
    assert_int_equal(by, CPW_IAM_POLICY_SESSION);
    struct cpw_iam_request svc = {
        .principal = { .kind = CPW_IAM_PRINCIPAL_SERVICE,
                       .service = "events.amazonaws.com",
                       .account = FX_ACCOUNT },
        .action = "sqs:ReceiveMessage",
        .resource = "arn:aws:sqs:us-east-1:111122223333:q",
    };
    set = (struct cpw_iam_policy_set){ .resource = queue };
    assert_int_equal(fx_decide(&set, &svc, NULL), CPW_IAM_ALLOWED);
    svc.action = "sqs:SendMessage";
    assert_int_equal(fx_decide(&set, &svc, &by), CPW_IAM_IMPLICIT_DENY);
    assert_int_equal(by, CPW_IAM_POLICY_RESOURCE);
    cpw_iam_policy_destroy(queue);
    cpw_iam_policy_destroy(ses);
}

static void test_matched_statements(void **state)
{
    (void)state;
    struct cpw_iam_policy *p = fx_policy(
      CPW_IAM_POLICY_IDENTITY, "arn:aws:iam::111122223333:policy/p",
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":"
      "\"s3:*\",\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Action\":\"iam:*\",\"Resource\":\"*\"},"
      "{\"Sid\":\"C\",\"Effect\":\"Allow\",\"Action\":\"s3:Get*\",\"Resource\":\"*\"}]}");
    const struct cpw_iam_policy *id[] = { p };
    struct cpw_iam_policy_set set = { .identity = id, .identity_count = 1 };
    struct cpw_iam_request r = fx_user_request("s3:GetObject", "arn:aws:s3:::b/k", NULL);
    struct cpw_iam_decision d;
    assert_int_equal(cpw_iam_evaluate(&set, &r, &d), 0);
    assert_int_equal(d.matched_count, 2);
    assert_string_equal(d.matched[0].policy_id, "arn:aws:iam::111122223333:policy/p");
    assert_int_equal(d.matched[0].statement_index, 0);
    assert_string_equal(d.matched[0].sid, "A");
    assert_int_equal(d.matched[1].statement_index, 2);
    assert_false(d.matched[1].deny);
    assert_int_equal(d.matched[1].type, CPW_IAM_POLICY_IDENTITY);
    cpw_iam_decision_clean_up(&d);
    assert_int_equal(d.matched_count, 0);
    cpw_iam_decision_clean_up(&d); /* twice is fine */
    assert_int_equal(cpw_iam_evaluate(&set, NULL, &d), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    cpw_iam_decision_clean_up(&d);
    cpw_iam_policy_destroy(p);
}

static void s_expect_message(const struct cpw_iam_request *r,
                             enum cpw_iam_decision_kind kind,
                             enum cpw_iam_policy_type by,
                             const char *tail)
{
    struct cpw_iam_decision d = { .decision = kind, .denied_by = by };
    char *msg = cpw_iam_denial_message(r, &d);
    char expected[1024];
    snprintf(expected, sizeof(expected),
             "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: "
             "iam:CreateRole on resource: arn:aws:iam::111122223333:role/x %s",
             tail);
    assert_string_equal(msg, expected);
    cpw_free(msg);
}

static void test_denial_messages(void **state)
{
    (void)state;
    struct cpw_iam_request r =
      fx_user_request("iam:CreateRole", "arn:aws:iam::111122223333:role/x", NULL);
    s_expect_message(&r, CPW_IAM_IMPLICIT_DENY, CPW_IAM_POLICY_IDENTITY,
                     "because no identity-based policy allows the iam:CreateRole action");
    s_expect_message(&r, CPW_IAM_IMPLICIT_DENY, CPW_IAM_POLICY_SCP,
                     "because no service control policy allows the iam:CreateRole action");
    s_expect_message(&r, CPW_IAM_IMPLICIT_DENY, CPW_IAM_POLICY_BOUNDARY,
                     "because no permissions boundary allows the iam:CreateRole action");
    s_expect_message(&r, CPW_IAM_IMPLICIT_DENY, CPW_IAM_POLICY_RESOURCE,
                     "because no resource-based policy allows the iam:CreateRole action");
    s_expect_message(&r, CPW_IAM_IMPLICIT_DENY, CPW_IAM_POLICY_RCP,
                     "because no resource control policy allows the iam:CreateRole action");
    s_expect_message(&r, CPW_IAM_EXPLICIT_DENY, CPW_IAM_POLICY_SCP,
                     "with an explicit deny in a service control policy");
    s_expect_message(&r, CPW_IAM_EXPLICIT_DENY, CPW_IAM_POLICY_IDENTITY,
                     "with an explicit deny in an identity-based policy");
    s_expect_message(&r, CPW_IAM_EXPLICIT_DENY, CPW_IAM_POLICY_BOUNDARY,
                     "with an explicit deny in a permissions boundary");
    s_expect_message(&r, CPW_IAM_EXPLICIT_DENY, CPW_IAM_POLICY_SESSION,
                     "with an explicit deny in a session policy");
    s_expect_message(&r, CPW_IAM_EXPLICIT_DENY, CPW_IAM_POLICY_RESOURCE,
                     "with an explicit deny in a resource-based policy");
    s_expect_message(&r, CPW_IAM_EXPLICIT_DENY, CPW_IAM_POLICY_RCP,
                     "with an explicit deny in a resource control policy");
    /* An action without a resource type: AWS leaves "on resource:" out. */
    r.action = "organizations:ListAccounts";
    r.resource = "*";
    struct cpw_iam_decision scp = { .decision = CPW_IAM_EXPLICIT_DENY,
                                    .denied_by = CPW_IAM_POLICY_SCP };
    char *msg = cpw_iam_denial_message(&r, &scp);
    assert_string_equal(msg, "User: arn:aws:iam::111122223333:user/alice is not authorized to "
                             "perform: organizations:ListAccounts with an explicit deny in a "
                             "service control policy");
    cpw_free(msg);
    /* A role's trust policy is named as such. */
    r.action = "sts:AssumeRole";
    r.resource = "arn:aws:iam::111122223333:role/x";
    struct cpw_iam_decision trust = { .decision = CPW_IAM_IMPLICIT_DENY,
                                      .denied_by = CPW_IAM_POLICY_RESOURCE };
    msg = cpw_iam_denial_message(&r, &trust);
    assert_string_equal(msg, "User: arn:aws:iam::111122223333:user/alice is not authorized to "
                             "perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:"
                             "role/x because no role trust policy allows the sts:AssumeRole "
                             "action");
    cpw_free(msg);
    trust.decision = CPW_IAM_EXPLICIT_DENY;
    msg = cpw_iam_denial_message(&r, &trust);
    assert_non_null(strstr(msg, "role/x with an explicit deny in the role trust policy"));
    cpw_free(msg);
    struct cpw_iam_decision ok = { .decision = CPW_IAM_ALLOWED };
    assert_null(cpw_iam_denial_message(&r, &ok));
    assert_string_equal(cpw_iam_decision_name(CPW_IAM_IMPLICIT_DENY), "implicitDeny");
    assert_string_equal(cpw_iam_decision_name(CPW_IAM_EXPLICIT_DENY), "explicitDeny");
    assert_string_equal(cpw_iam_decision_name(CPW_IAM_ALLOWED), "allowed");
    assert_string_equal(cpw_iam_policy_type_name(CPW_IAM_POLICY_SCP), "scp");
}

CPW_TEST_MAIN("iam_policy",
              CPW_TEST(test_parse_accepts),
              CPW_TEST(test_parse_refuses_with_iam_messages),
              CPW_TEST(test_action_matching),
              CPW_TEST(test_resource_matching),
              CPW_TEST(test_identity_allow_and_deny),
              CPW_TEST(test_not_action_not_resource),
              CPW_TEST(test_scp_levels),
              CPW_TEST(test_root_user),
              CPW_TEST(test_permissions_boundary),
              CPW_TEST(test_session_policies),
              CPW_TEST(test_resource_policies),
              CPW_TEST(test_trust_policy_service_principal),
              CPW_TEST(test_not_principal_deny_with_boundary),
              CPW_TEST(test_federated_user_and_wildcard_service),
              CPW_TEST(test_matched_statements),
              CPW_TEST(test_denial_messages))
