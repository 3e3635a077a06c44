/*
 * test_sbx_sts.c - the sandbox's STS: caller identities, AssumeRole against trust policies,
 * temporary credentials that expire in the credentials lookup, GetSessionToken.
 */
#include "sbx_test.h"

/* Creates role NAME trusting principal (a JSON value: "\"123456789012\"", "[...]"). */
static void s_role(struct sbx_fixture *fx, const char *name, const char *principal_json)
{
    json_t *policy =
      json_pack("{s:s,s:[{s:s,s:s,s:o}]}", "Version", "2012-10-17", "Statement", "Effect", "Allow",
                "Action", "sts:AssumeRole", "Principal",
                json_pack("{s:o}", "AWS", json_loads(principal_json, JSON_DECODE_ANY, NULL)));
    char *text = json_dumps(policy, JSON_COMPACT);
    json_t *input = json_pack("{s:s,s:s,s:i}", "RoleName", name, "AssumeRolePolicyDocument", text,
                              "MaxSessionDuration", 7200);
    char *input_text = json_dumps(input, JSON_COMPACT);
    json_decref(sbx_ok(fx, &fx->root, "iam", "CreateRole", input_text));
    cpw_free(input_text);
    json_decref(input);
    cpw_free(text);
    json_decref(policy);
}

static json_t *s_assume(struct sbx_fixture *fx,
                        const struct sbx_identity *who,
                        const char *role_arn,
                        int duration_s)
{
    char input[512];
    snprintf(input, sizeof(input),
             "{\"RoleArn\":\"%s\",\"RoleSessionName\":\"sess-1\",\"DurationSeconds\":%d}", role_arn,
             duration_s);
    return sbx_ok(fx, who, "sts", "AssumeRole", input);
}

static void test_caller_identity_root(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    assert_string_equal(fx.root.creds.secret_access_key, CPW_SBX_ROOT_SECRET_KEY);
    assert_int_equal(fx.root.creds.expires_ms, 0);
    json_t *out = sbx_ok(&fx, &fx.root, "sts", "GetCallerIdentity", NULL);
    assert_string_equal(json_string_value(json_object_get(out, "UserId")), "123456789012");
    assert_string_equal(json_string_value(json_object_get(out, "Account")), "123456789012");
    assert_string_equal(json_string_value(json_object_get(out, "Arn")),
                        "arn:aws:iam::123456789012:root");
    json_decref(out);
    struct cpw_sbx_credentials none;
    assert_int_equal(cpw_sbx_credentials_lookup(fx.sbx, "AKIDUNKNOWN", fx.now_ms, &none), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_SIGV4_UNKNOWN_KEY);
    sbx_fixture_close(&fx);
}

static void test_assume_role_and_expiry(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    s_role(&fx, "Trusting", "\"123456789012\"");
    json_t *out = s_assume(&fx, &fx.root, "arn:aws:iam::123456789012:role/Trusting", 900);
    const char *key_id = sbx_str2(out, "Credentials", "AccessKeyId");
    assert_memory_equal(key_id, "ASIA", 4);
    assert_int_equal(strlen(key_id), 20);
    assert_string_equal(sbx_str2(out, "AssumedRoleUser", "Arn"),
                        "arn:aws:sts::123456789012:assumed-role/Trusting/sess-1");
    const char *assumed_id = sbx_str2(out, "AssumedRoleUser", "AssumedRoleId");
    assert_memory_equal(assumed_id, "AROA", 4);
    assert_string_equal(strchr(assumed_id, ':'), ":sess-1");

    struct sbx_identity session;
    sbx_identity_for(&fx, key_id, "eu-west-1", &session);
    assert_string_equal(session.creds.session_token, sbx_str2(out, "Credentials", "SessionToken"));
    assert_string_equal(session.creds.secret_access_key,
                        sbx_str2(out, "Credentials", "SecretAccessKey"));
    assert_int_equal(session.creds.expires_ms, fx.now_ms + 900 * 1000);
    json_t *who = sbx_ok(&fx, &session, "sts", "GetCallerIdentity", NULL);
    assert_string_equal(json_string_value(json_object_get(who, "Arn")),
                        "arn:aws:sts::123456789012:assumed-role/Trusting/sess-1");
    assert_string_equal(json_string_value(json_object_get(who, "UserId")), assumed_id);
    json_decref(who);

    /* RoleLastUsed is recorded with the region the caller signed for. */
    json_t *role = sbx_ok(&fx, &fx.root, "iam", "GetRole", "{\"RoleName\":\"Trusting\"}");
    json_t *last = json_object_get(json_object_get(role, "Role"), "RoleLastUsed");
    assert_string_equal(json_string_value(json_object_get(last, "Region")), "eu-west-1");
    assert_non_null(json_object_get(last, "LastUsedDate"));
    json_decref(role);

    /* The lookup enforces the expiry: still good 1 ms before, expired at the instant. */
    struct cpw_sbx_credentials creds;
    char key_copy[32];
    snprintf(key_copy, sizeof(key_copy), "%s", key_id);
    json_decref(out);
    assert_int_equal(cpw_sbx_credentials_lookup(fx.sbx, key_copy, T0_MS + 899999, &creds), 0);
    assert_false(creds.expired);
    assert_int_equal(cpw_sbx_credentials_lookup(fx.sbx, key_copy, T0_MS + 900000, &creds), 0);
    assert_true(creds.expired);
    cpw_sbx_credentials_clean_up(&creds);
    assert_string_equal(creds.session_token, "");
    cpw_sbx_credentials_clean_up(&session.creds);
    sbx_fixture_close(&fx);
}

static void test_trust_policy_decides(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    s_role(&fx, "OtherAccount", "\"arn:aws:iam::999999999999:root\"");
    s_role(&fx, "Anyone", "\"*\"");
    s_role(&fx, "RootArn", "\"arn:aws:iam::123456789012:root\"");
    s_role(&fx, "OnlyBob", "[\"arn:aws:iam::123456789012:user/bob\"]");
    s_role(&fx, "FromRole", "\"arn:aws:iam::123456789012:role/Anyone\"");

    sbx_expect_error(&fx, &fx.root, "sts", "AssumeRole",
                     "{\"RoleArn\":\"arn:aws:iam::123456789012:role/OtherAccount\","
                     "\"RoleSessionName\":\"s1\"}",
                     403, "AccessDenied");
    assert_non_null(strstr(fx.err.message, "is not authorized to perform: sts:AssumeRole"));
    sbx_expect_error(&fx, &fx.root, "sts", "AssumeRole",
                     "{\"RoleArn\":\"arn:aws:iam::123456789012:role/Missing\","
                     "\"RoleSessionName\":\"s1\"}",
                     403, "AccessDenied");
    json_decref(s_assume(&fx, &fx.root, "arn:aws:iam::123456789012:role/Anyone", 3600));
    json_decref(s_assume(&fx, &fx.root, "arn:aws:iam::123456789012:role/RootArn", 3600));
    sbx_expect_error(&fx, &fx.root, "sts", "AssumeRole",
                     "{\"RoleArn\":\"arn:aws:iam::123456789012:role/OnlyBob\","
                     "\"RoleSessionName\":\"s1\"}",
                     403, "AccessDenied");

    /* An IAM user named in the policy may assume it; another user may not. */
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateUser", "{\"UserName\":\"bob\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateUser", "{\"UserName\":\"eve\"}"));
    json_t *k = sbx_ok(&fx, &fx.root, "iam", "CreateAccessKey", "{\"UserName\":\"bob\"}");
    struct sbx_identity bob;
    sbx_identity_for(&fx, sbx_str2(k, "AccessKey", "AccessKeyId"), "us-east-1", &bob);
    json_decref(k);
    k = sbx_ok(&fx, &fx.root, "iam", "CreateAccessKey", "{\"UserName\":\"eve\"}");
    struct sbx_identity eve;
    sbx_identity_for(&fx, sbx_str2(k, "AccessKey", "AccessKeyId"), "us-east-1", &eve);
    json_decref(k);
    json_decref(s_assume(&fx, &bob, "arn:aws:iam::123456789012:role/OnlyBob", 3600));
    sbx_expect_error(&fx, &eve, "sts", "AssumeRole",
                     "{\"RoleArn\":\"arn:aws:iam::123456789012:role/OnlyBob\","
                     "\"RoleSessionName\":\"s1\"}",
                     403, "AccessDenied");

    /* A role ARN principal matches sessions of that role (role chaining). */
    json_t *out = s_assume(&fx, &fx.root, "arn:aws:iam::123456789012:role/Anyone", 3600);
    struct sbx_identity chained;
    sbx_identity_for(&fx, sbx_str2(out, "Credentials", "AccessKeyId"), "us-east-1", &chained);
    json_decref(out);
    json_decref(s_assume(&fx, &chained, "arn:aws:iam::123456789012:role/FromRole", 3600));
    /* Role chaining is limited to one hour even where MaxSessionDuration allows more. */
    sbx_expect_error(&fx, &chained, "sts", "AssumeRole",
                     "{\"RoleArn\":\"arn:aws:iam::123456789012:role/FromRole\","
                     "\"RoleSessionName\":\"s1\",\"DurationSeconds\":3601}",
                     400, "ValidationError");
    sbx_expect_error(&fx, &bob, "sts", "AssumeRole",
                     "{\"RoleArn\":\"arn:aws:iam::123456789012:role/FromRole\","
                     "\"RoleSessionName\":\"s1\"}",
                     403, "AccessDenied");

    /* DurationSeconds: 900 up to the role's MaxSessionDuration (7200 here). */
    sbx_expect_error(&fx, &fx.root, "sts", "AssumeRole",
                     "{\"RoleArn\":\"arn:aws:iam::123456789012:role/Anyone\","
                     "\"RoleSessionName\":\"s1\",\"DurationSeconds\":7201}",
                     400, "ValidationError");
    sbx_expect_error(&fx, &fx.root, "sts", "AssumeRole",
                     "{\"RoleArn\":\"arn:aws:iam::123456789012:role/Anyone\","
                     "\"RoleSessionName\":\"s1\",\"DurationSeconds\":899}",
                     400, "ValidationError");
    cpw_sbx_credentials_clean_up(&bob.creds);
    cpw_sbx_credentials_clean_up(&eve.creds);
    cpw_sbx_credentials_clean_up(&chained.creds);
    sbx_fixture_close(&fx);
}

static void test_get_session_token(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_t *out = sbx_ok(&fx, &fx.root, "sts", "GetSessionToken", "{\"DurationSeconds\":1200}");
    struct sbx_identity temp;
    sbx_identity_for(&fx, sbx_str2(out, "Credentials", "AccessKeyId"), "us-east-1", &temp);
    json_decref(out);
    assert_string_equal(temp.creds.principal_arn, "arn:aws:iam::123456789012:root");
    assert_int_equal(temp.creds.expires_ms, T0_MS + 1200 * 1000);
    assert_true(strlen(temp.creds.session_token) > 100);
    sbx_expect_error(&fx, &fx.root, "sts", "GetSessionToken", "{\"DurationSeconds\":7200}", 400,
                     "ValidationError"); /* root: at most an hour */
    cpw_sbx_credentials_clean_up(&temp.creds);
    sbx_fixture_close(&fx);
}

#define JWT_HEAD "eyJhbGciOiJSUzI1NiJ9."
static const char s_good_jwt[] =
  JWT_HEAD "eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbSIsInN1YiI6InVzZXItMSIsImF1ZCI6WyJzdHMuYW1hem9"
           "uYXdzLmNvbSIsIngiXX0.c2ln";
static const char s_other_jwt[] =
  JWT_HEAD "eyJpc3MiOiJodHRwczovL2V2aWwuZXhhbXBsZS5jb20iLCJzdWIiOiJ1IiwiYXVkIjoiYSJ9.c2ln";
static const char s_nosub_jwt[] =
  JWT_HEAD "eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbSIsImF1ZCI6ImEifQ.c2ln";
static const char s_expired_jwt[] = JWT_HEAD
  "eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbSIsInN1YiI6InUiLCJhdWQiOiJhIiwiZXhwIjoxMDAwfQ.c2ln";
static const char s_saml[] =
  "PFJlc3BvbnNlPjxBc3NlcnRpb24+"
  "PE5hbWVJRCBGb3JtYXQ9InAiPmFuYUBleGFtcGxlLmNvbTwvTmFtZUlEPjxBdHRyaWJ1dGUgTmFtZT0iaHR0cHM6Ly9hd3Mu"
  "YW1hem9uLmNvbS9TQU1ML0F0dHJpYnV0ZXMvUm9sZVNlc3Npb25OYW1lIj48QXR0cmlidXRlVmFsdWU+"
  "YW5hPC9BdHRyaWJ1dGVWYWx1ZT48L0F0dHJpYnV0ZT48L0Fzc2VydGlvbj48L1Jlc3BvbnNlPg==";

static void s_web_call(struct sbx_fixture *fx, const char *token, long status, const char *code)
{
    char input[1024];
    snprintf(input, sizeof(input),
             "{\"RoleArn\":\"arn:aws:iam::123456789012:role/fed\",\"RoleSessionName\":\"web\","
             "\"WebIdentityToken\":\"%s\"}",
             token);
    sbx_expect_error(fx, &fx->root, "sts", "AssumeRoleWithWebIdentity", input, status, code);
}

static void test_web_identity_and_saml(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_decref(
      sbx_ok(&fx, &fx.root, "iam", "CreateRole",
             "{\"RoleName\":\"fed\",\"AssumeRolePolicyDocument\":\"{\\\"Statement\\\":["
             "{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"Federated\\\":"
             "\\\"arn:aws:iam::123456789012:oidc-provider/idp.example.com\\\"},\\\"Action\\\":"
             "\\\"sts:AssumeRoleWithWebIdentity\\\"},{\\\"Effect\\\":\\\"Allow\\\","
             "\\\"Principal\\\":{\\\"Federated\\\":\\\"arn:aws:iam::123456789012:saml-provider/"
             "corp\\\"},\\\"Action\\\":\\\"sts:AssumeRoleWithSAML\\\"}]}\"}"));
    char input[1024];
    snprintf(input, sizeof(input),
             "{\"RoleArn\":\"arn:aws:iam::123456789012:role/fed\",\"RoleSessionName\":\"web\","
             "\"WebIdentityToken\":\"%s\"}",
             s_good_jwt);
    json_t *out = sbx_ok(&fx, &fx.root, "sts", "AssumeRoleWithWebIdentity", input);
    assert_string_equal(sbx_str2(out, "AssumedRoleUser", "Arn"),
                        "arn:aws:sts::123456789012:assumed-role/fed/web");
    assert_string_equal(json_string_value(json_object_get(out, "SubjectFromWebIdentityToken")),
                        "user-1");
    assert_string_equal(json_string_value(json_object_get(out, "Provider")), "idp.example.com");
    assert_string_equal(json_string_value(json_object_get(out, "Audience")), "sts.amazonaws.com");
    struct sbx_identity web;
    sbx_identity_for(&fx, sbx_str2(out, "Credentials", "AccessKeyId"), "us-east-1", &web);
    json_decref(out);
    out = sbx_ok(&fx, &web, "sts", "GetCallerIdentity", NULL);
    assert_string_equal(json_string_value(json_object_get(out, "Arn")),
                        "arn:aws:sts::123456789012:assumed-role/fed/web");
    json_decref(out);
    cpw_sbx_credentials_clean_up(&web.creds);

    s_web_call(&fx, s_other_jwt, 403, "AccessDenied"); /* an issuer the role does not name */
    s_web_call(&fx, s_nosub_jwt, 400, "InvalidIdentityToken");
    s_web_call(&fx, "not-a-jwt", 400, "InvalidIdentityToken");
    s_web_call(&fx, s_expired_jwt, 400, "ExpiredTokenException");

    /* The SAML provider PrincipalArn names must exist in IAM: its metadata verifies assertions. */
    snprintf(input, sizeof(input),
             "{\"RoleArn\":\"arn:aws:iam::123456789012:role/fed\",\"PrincipalArn\":"
             "\"arn:aws:iam::123456789012:saml-provider/corp\",\"SAMLAssertion\":\"%s\"}",
             s_saml);
    sbx_expect_error(&fx, &fx.root, "sts", "AssumeRoleWithSAML", input, 400,
                     "InvalidIdentityToken");
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateSAMLProvider",
                       "{\"Name\":\"corp\",\"SAMLMetadataDocument\":"
                       "\"<EntityDescriptor entityID=\\\"https://idp.example.com\\\">"
                       "</EntityDescriptor>\"}"));
    out = sbx_ok(&fx, &fx.root, "sts", "AssumeRoleWithSAML", input);
    assert_string_equal(sbx_str2(out, "AssumedRoleUser", "Arn"),
                        "arn:aws:sts::123456789012:assumed-role/fed/ana");
    assert_string_equal(json_string_value(json_object_get(out, "Subject")), "ana@example.com");
    json_decref(out);
    snprintf(input, sizeof(input),
             "{\"RoleArn\":\"arn:aws:iam::123456789012:role/fed\",\"PrincipalArn\":"
             "\"arn:aws:iam::123456789012:saml-provider/other\",\"SAMLAssertion\":\"%s\"}",
             s_saml);
    sbx_expect_error(&fx, &fx.root, "sts", "AssumeRoleWithSAML", input, 400,
                     "InvalidIdentityToken"); /* no such provider */
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateSAMLProvider",
                       "{\"Name\":\"other\",\"SAMLMetadataDocument\":"
                       "\"<EntityDescriptor></EntityDescriptor>\"}"));
    /* A provider that exists but that the role does not trust. */
    sbx_expect_error(&fx, &fx.root, "sts", "AssumeRoleWithSAML", input, 403, "AccessDenied");
    sbx_expect_error(&fx, &fx.root, "sts", "AssumeRoleWithSAML",
                     "{\"RoleArn\":\"arn:aws:iam::123456789012:role/fed\",\"PrincipalArn\":"
                     "\"arn:aws:iam::123456789012:saml-provider/corp\",\"SAMLAssertion\":"
                     "\"bm90IHNhbWw=\"}",
                     400, "InvalidIdentityToken");
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_sts",
              CPW_TEST(test_caller_identity_root),
              CPW_TEST(test_assume_role_and_expiry),
              CPW_TEST(test_trust_policy_decides),
              CPW_TEST(test_get_session_token),
              CPW_TEST(test_web_identity_and_saml))
