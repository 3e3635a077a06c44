/*
 * test_sbx_authz.c - authorization of sandbox requests: a user without policies is refused with
 * the identity-based message, a permissions boundary and a session policy narrow what identity
 * policies grant, a trust policy's Condition refuses AssumeRole, an SCP on a member account
 * denies with the service control policy message, the authz knob turns it all off, parsed
 * policies are cached, and the simulator answers on the same engine.
 */
#include "cpw/json.h"
#include "cpw/time.h"
#include "sandbox/sbx_authz.h"
#include "sandbox/sbx_realism.h"
#include "sandbox/sbx_service.h"
#include "sbx_test.h"

/* A policy document written with single quotes, as a JSON text (owned). */
static char *s_doc(const char *single_quoted)
{
    char *text = cpw_strdup(single_quoted);
    for (char *p = text; *p != '\0'; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }
    return text;
}

/* Calls with an input built by json_pack (stolen). */
static int s_call(struct sbx_fixture *fx,
                  const struct sbx_identity *who,
                  const char *service,
                  const char *operation,
                  json_t *input,
                  json_t **out)
{
    char *text = cpw_json_dump_cstr(input, CPW_JSON_DUMP_COMPACT);
    json_decref(input);
    int rc = sbx_call(fx, who, service, operation, text, out);
    cpw_free(text);
    return rc;
}

static void s_ok(struct sbx_fixture *fx,
                 const struct sbx_identity *who,
                 const char *service,
                 const char *operation,
                 json_t *input)
{
    json_t *out = NULL;
    if (s_call(fx, who, service, operation, input, &out) != 0) {
        fail_msg("%s:%s answered %s: %s", service, operation, fx->err.code, fx->err.message);
    }
    json_decref(out);
}

/* Creates user name with an access key and fills id with its identity. */
static void s_user(struct sbx_fixture *fx, const char *name, struct sbx_identity *id)
{
    s_ok(fx, &fx->root, "iam", "CreateUser", json_pack("{s:s}", "UserName", name));
    json_t *out = NULL;
    assert_int_equal(
      s_call(fx, &fx->root, "iam", "CreateAccessKey", json_pack("{s:s}", "UserName", name), &out),
      0);
    sbx_identity_for(fx, sbx_str2(out, "AccessKey", "AccessKeyId"), "eu-west-1", id);
    json_decref(out);
}

static void s_user_policy(struct sbx_fixture *fx, const char *user, const char *doc)
{
    char *text = s_doc(doc);
    s_ok(fx, &fx->root, "iam", "PutUserPolicy",
         json_pack("{s:s,s:s,s:s}", "UserName", user, "PolicyName", "p", "PolicyDocument", text));
    cpw_free(text);
}

static void s_expect_denied(struct sbx_fixture *fx,
                            const struct sbx_identity *who,
                            const char *service,
                            const char *operation,
                            json_t *input,
                            const char *code,
                            const char *message_part)
{
    json_t *out = NULL;
    int rc = s_call(fx, who, service, operation, input, &out);
    json_decref(out);
    if (rc != 1) {
        fail_msg("%s:%s was allowed", service, operation);
    }
    assert_string_equal(fx->err.code, code);
    if (strstr(fx->err.message, message_part) == NULL) {
        fail_msg("message '%s' lacks '%s'", fx->err.message, message_part);
    }
}

static void test_user_without_policies_is_denied(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    struct sbx_identity bob;
    s_user(&fx, "bob", &bob);
    s_expect_denied(&fx, &bob, "iam", "ListRoles", json_object(), "AccessDenied",
                    "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: "
                    "iam:ListRoles because no identity-based policy allows the "
                    "iam:ListRoles action");
    assert_int_equal(fx.err.status, 403);
    /* JSON services answer AccessDeniedException. */
    s_expect_denied(&fx, &bob, "profile", "ListDomains", json_object(), "AccessDeniedException",
                    "profile:ListDomains");
    assert_int_equal(fx.err.status, 403);
    /* GetCallerIdentity needs no permission. */
    s_ok(&fx, &bob, "sts", "GetCallerIdentity", json_object());
    /* An inline policy grants; a policy variable scopes it to the user's own name. */
    s_user_policy(&fx, "bob",
                  "{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Action':"
                  "['iam:GetUser','iam:ListRoles'],'Resource':['*']},{'Effect':'Allow','Action':"
                  "'iam:ListAccessKeys','Resource':'arn:aws:iam::*:user/${aws:username}'}]}");
    s_ok(&fx, &bob, "iam", "ListRoles", json_object());
    s_ok(&fx, &bob, "iam", "ListAccessKeys", json_object());
    s_expect_denied(&fx, &bob, "iam", "ListAccessKeys", json_pack("{s:s}", "UserName", "other"),
                    "AccessDenied", "iam:ListAccessKeys");
    /* A denied mutating call changes nothing. */
    s_expect_denied(&fx, &bob, "iam", "CreateRole",
                    json_pack("{s:s,s:s}", "RoleName", "x", "AssumeRolePolicyDocument", "{}"),
                    "AccessDenied", "iam:CreateRole");
    sbx_expect_error(&fx, &fx.root, "iam", "GetRole", "{\"RoleName\": \"x\"}", 404, "NoSuchEntity");
    cpw_sbx_credentials_clean_up(&bob.creds);
    sbx_fixture_close(&fx);
}

static void test_boundary_and_cache(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    struct sbx_identity carol;
    s_user(&fx, "carol", &carol);
    s_ok(&fx, &fx.root, "iam", "AttachUserPolicy",
         json_pack("{s:s,s:s}", "UserName", "carol", "PolicyArn",
                   "arn:aws:iam::aws:policy/AdministratorAccess"));
    s_ok(&fx, &carol, "iam", "ListRoles", json_object());
    uint64_t parsed = cpw_sbx_authz_parse_count(fx.sbx);
    s_ok(&fx, &carol, "iam", "ListUsers", json_object());
    assert_int_equal(cpw_sbx_authz_parse_count(fx.sbx), parsed); /* cached: nothing re-parsed */
    /* A boundary that allows only IAM reads. */
    char *doc = s_doc("{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Action':"
                      "['iam:Get*','iam:List*'],'Resource':'*'}]}");
    json_t *out = NULL;
    assert_int_equal(s_call(&fx, &fx.root, "iam", "CreatePolicy",
                            json_pack("{s:s,s:s}", "PolicyName", "reads", "PolicyDocument", doc),
                            &out),
                     0);
    char arn[256];
    snprintf(arn, sizeof(arn), "%s", sbx_str2(out, "Policy", "Arn"));
    json_decref(out);
    cpw_free(doc);
    sbx_expect_error(&fx, &fx.root, "iam", "PutUserPermissionsBoundary",
                     "{\"UserName\": \"carol\", \"PermissionsBoundary\": "
                     "\"arn:aws:iam::123456789012:policy/nope\"}",
                     404, "NoSuchEntity");
    s_ok(&fx, &fx.root, "iam", "PutUserPermissionsBoundary",
         json_pack("{s:s,s:s}", "UserName", "carol", "PermissionsBoundary", arn));
    out = sbx_ok(&fx, &fx.root, "iam", "GetUser", "{\"UserName\": \"carol\"}");
    assert_string_equal(json_string_value(json_object_get(
                          json_object_get(json_object_get(out, "User"), "PermissionsBoundary"),
                          "PermissionsBoundaryArn")),
                        arn);
    json_decref(out);
    s_ok(&fx, &carol, "iam", "ListRoles", json_object());
    s_expect_denied(&fx, &carol, "iam", "CreateGroup", json_pack("{s:s}", "GroupName", "g"),
                    "AccessDenied", "because no permissions boundary allows the iam:CreateGroup");
    s_ok(&fx, &fx.root, "iam", "DeleteUserPermissionsBoundary",
         json_pack("{s:s}", "UserName", "carol"));
    s_ok(&fx, &carol, "iam", "CreateGroup", json_pack("{s:s}", "GroupName", "g"));
    /* Attaching a policy that does not exist answers NoSuchEntity. */
    sbx_expect_error(&fx, &fx.root, "iam", "AttachUserPolicy",
                     "{\"UserName\": \"carol\", \"PolicyArn\": "
                     "\"arn:aws:iam::aws:policy/NoSuchPolicy\"}",
                     404, "NoSuchEntity");
    cpw_sbx_credentials_clean_up(&carol.creds);
    sbx_fixture_close(&fx);
}

static const char s_trust_external_id[] =
  "{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Principal':{'AWS':"
  "'arn:aws:iam::123456789012:root'},'Action':'sts:AssumeRole','Condition':{'StringEquals':"
  "{'sts:ExternalId':'s3cret'}}}]}";

static void test_trust_condition_and_session_policy(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    char *trust = s_doc(s_trust_external_id);
    s_ok(&fx, &fx.root, "iam", "CreateRole",
         json_pack("{s:s,s:s}", "RoleName", "Ops", "AssumeRolePolicyDocument", trust));
    cpw_free(trust);
    s_ok(&fx, &fx.root, "iam", "AttachRolePolicy",
         json_pack("{s:s,s:s}", "RoleName", "Ops", "PolicyArn",
                   "arn:aws:iam::aws:policy/AdministratorAccess"));
    /* Without the external id the trust policy's condition refuses. */
    s_expect_denied(&fx, &fx.root, "sts", "AssumeRole",
                    json_pack("{s:s,s:s}", "RoleArn", "arn:aws:iam::123456789012:role/Ops",
                              "RoleSessionName", "ops"),
                    "AccessDenied", "sts:AssumeRole");
    /* With it, and a session policy that allows only IAM reads. */
    char *session = s_doc("{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Action':"
                          "'iam:List*','Resource':'*'}]}");
    json_t *out = NULL;
    assert_int_equal(
      s_call(&fx, &fx.root, "sts", "AssumeRole",
             json_pack("{s:s,s:s,s:s,s:s}", "RoleArn", "arn:aws:iam::123456789012:role/Ops",
                       "RoleSessionName", "ops", "ExternalId", "s3cret", "Policy", session),
             &out),
      0);
    cpw_free(session);
    struct sbx_identity ops;
    sbx_identity_for(&fx, sbx_str2(out, "Credentials", "AccessKeyId"), "eu-west-1", &ops);
    json_decref(out);
    s_ok(&fx, &ops, "iam", "ListRoles", json_object());
    s_expect_denied(&fx, &ops, "iam", "CreateGroup", json_pack("{s:s}", "GroupName", "g"),
                    "AccessDenied", "session policy");
    cpw_sbx_credentials_clean_up(&ops.creds);
    sbx_fixture_close(&fx);
}

static void test_scp_denies_member_and_knob_off(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_t *scenario = NULL;
    assert_int_equal(
      cpw_sbx_builtin_scenario("org:accounts=2,regions=1,leftover=0,seed=1", &scenario), 0);
    cpw_time_pin_ms(T0_MS); /* the loader stamps what it creates with the sandbox clock */
    assert_int_equal(cpw_sbx_load_scenario(fx.sbx, scenario), 0);
    cpw_time_pin_ms(-1);
    json_decref(scenario);
    json_t *out = sbx_ok(&fx, &fx.root, "organizations", "ListAccounts", NULL);
    const char *member = NULL;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(out, "Accounts"), i, a)
    {
        if (strcmp(json_string_value(json_object_get(a, "Id")), "123456789012") != 0) {
            member = json_string_value(json_object_get(a, "Id"));
        }
    }
    assert_non_null(member);
    char member_id[16];
    snprintf(member_id, sizeof(member_id), "%s", member);
    json_decref(out);
    /* An SCP denying profile:DeleteDomain on the member. */
    char *deny = s_doc("{'Version':'2012-10-17','Statement':[{'Effect':'Deny','Action':"
                       "'profile:DeleteDomain','Resource':'*'}]}");
    assert_int_equal(s_call(&fx, &fx.root, "organizations", "CreatePolicy",
                            json_pack("{s:s,s:s,s:s,s:s}", "Name", "no-delete", "Description", "d",
                                      "Type", "SERVICE_CONTROL_POLICY", "Content", deny),
                            &out),
                     0);
    cpw_free(deny);
    const char *pid = json_string_value(
      json_object_get(json_object_get(json_object_get(out, "Policy"), "PolicySummary"), "Id"));
    s_ok(&fx, &fx.root, "organizations", "AttachPolicy",
         json_pack("{s:s,s:s}", "PolicyId", pid, "TargetId", member_id));
    json_decref(out);
    char role[128];
    snprintf(role, sizeof(role), "arn:aws:iam::%s:role/OrganizationAccountAccessRole", member_id);
    out = NULL;
    assert_int_equal(s_call(&fx, &fx.root, "sts", "AssumeRole",
                            json_pack("{s:s,s:s}", "RoleArn", role, "RoleSessionName", "admin"),
                            &out),
                     0);
    struct sbx_identity admin;
    sbx_identity_for(&fx, sbx_str2(out, "Credentials", "AccessKeyId"), "eu-west-1", &admin);
    json_decref(out);
    s_ok(&fx, &admin, "profile", "ListDomains", json_object());
    s_expect_denied(&fx, &admin, "profile", "DeleteDomain", json_pack("{s:s}", "DomainName", "any"),
                    "AccessDeniedException", "with an explicit deny in a service control policy");
    /* The management account is exempt from SCPs. */
    sbx_expect_error(&fx, &fx.root, "profile", "DeleteDomain", "{\"DomainName\": \"any\"}", 404,
                     "ResourceNotFoundException");
    /* A member cannot list the organization's accounts. */
    sbx_expect_error(&fx, &admin, "organizations", "ListAccounts", NULL, 400,
                     "AccessDeniedException");
    /* The simulator names the SCP decision. */
    char sim_input[512];
    snprintf(sim_input, sizeof(sim_input),
             "{\"PolicySourceArn\": \"%s\", \"ActionNames\": [\"profile:DeleteDomain\", "
             "\"profile:GetDomain\"], \"MaxItems\": 1}",
             role);
    /* The simulation runs in the member account as its administrator. */
    out = sbx_ok(&fx, &admin, "iam", "SimulatePrincipalPolicy", sim_input);
    const json_t *r0 = json_array_get(json_object_get(out, "EvaluationResults"), 0);
    assert_string_equal(json_string_value(json_object_get(r0, "EvalDecision")), "explicitDeny");
    assert_false(json_is_true(json_object_get(json_object_get(r0, "OrganizationsDecisionDetail"),
                                              "AllowedByOrganizations")));
    assert_true(json_is_true(json_object_get(out, "IsTruncated")));
    assert_string_equal(json_string_value(json_object_get(out, "Marker")), "1");
    json_decref(out);
    /* authz=false: everything is allowed again. */
    struct cpw_sbx_knobs knobs;
    cpw_sbx_get_knobs(fx.sbx, &knobs);
    knobs.authz = false;
    cpw_sbx_set_knobs(fx.sbx, &knobs);
    sbx_expect_error(&fx, &admin, "profile", "DeleteDomain", "{\"DomainName\": \"any\"}", 404,
                     "ResourceNotFoundException");
    cpw_sbx_credentials_clean_up(&admin.creds);
    sbx_fixture_close(&fx);
}

static void test_simulate_custom(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    char *doc = s_doc("{'Version':'2012-10-17','Statement':[{'Sid':'A','Effect':'Allow',"
                      "'Action':'iam:GetRole','Resource':'arn:aws:iam::*:role/a*','Condition':"
                      "{'StringEquals':{'aws:RequestedRegion':'eu-west-1'}}}]}");
    json_t *input =
      json_pack("{s:[s],s:[s],s:[s,s],s:[{s:s,s:s,s:[s]}]}", "PolicyInputList", doc, "ActionNames",
                "iam:GetRole", "ResourceArns", "arn:aws:iam::123456789012:role/app",
                "arn:aws:iam::123456789012:role/web", "ContextEntries", "ContextKeyName",
                "aws:RequestedRegion", "ContextKeyType", "string", "ContextKeyValues", "eu-west-1");
    cpw_free(doc);
    char *text = cpw_json_dump_cstr(input, CPW_JSON_DUMP_COMPACT);
    json_decref(input);
    json_t *out = sbx_ok(&fx, &fx.root, "iam", "SimulateCustomPolicy", text);
    cpw_free(text);
    const json_t *r = json_array_get(json_object_get(out, "EvaluationResults"), 0);
    assert_string_equal(json_string_value(json_object_get(r, "EvalDecision")), "implicitDeny");
    const json_t *specific = json_object_get(r, "ResourceSpecificResults");
    assert_int_equal(json_array_size(specific), 2);
    assert_string_equal(
      json_string_value(json_object_get(json_array_get(specific, 0), "EvalResourceDecision")),
      "allowed");
    assert_string_equal(
      json_string_value(json_object_get(json_array_get(specific, 1), "EvalResourceDecision")),
      "implicitDeny");
    const json_t *matched =
      json_array_get(json_object_get(json_array_get(specific, 0), "MatchedStatements"), 0);
    assert_string_equal(json_string_value(json_object_get(matched, "SourcePolicyId")),
                        "PolicyInputList.1");
    json_decref(out);
    /* Without the context entry the condition key is reported missing. */
    out =
      sbx_ok(&fx, &fx.root, "iam", "SimulateCustomPolicy",
             "{\"PolicyInputList\": [\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":"
             "[{\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"iam:GetRole\\\",\\\"Resource\\\":"
             "\\\"*\\\",\\\"Condition\\\":{\\\"StringEquals\\\":{\\\"aws:RequestedRegion\\\":"
             "\\\"eu-west-1\\\"}}}]}\"], \"ActionNames\": [\"iam:GetRole\"]}");
    r = json_array_get(json_object_get(out, "EvaluationResults"), 0);
    assert_string_equal(
      json_string_value(json_array_get(json_object_get(r, "MissingContextValues"), 0)),
      "aws:RequestedRegion");
    json_decref(out);
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_authz",
              CPW_TEST(test_user_without_policies_is_denied),
              CPW_TEST(test_boundary_and_cache),
              CPW_TEST(test_trust_condition_and_session_policy),
              CPW_TEST(test_scp_denies_member_and_knob_off),
              CPW_TEST(test_simulate_custom))
