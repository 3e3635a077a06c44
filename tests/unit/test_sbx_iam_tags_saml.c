/*
 * test_sbx_iam_tags_saml.c - the sandbox's IAM through cpw_sbx_dispatch: trust policy checks and
 * UpdateAssumeRolePolicy, the tag rules shared by roles, managed policies and instance profiles,
 * SAML providers, and which policy-version answers carry the document.
 */
#include "sbx_test.h"

#define TRUST(extra)                                                                               \
    "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","        \
    "\\\"Principal\\\":{\\\"Service\\\":\\\"ec2.amazonaws.com\\\"},"                               \
    "\\\"Action\\\":\\\"sts:AssumeRole\\\"" extra "}]}"

#define METADATA                                                                                   \
    "<EntityDescriptor xmlns=\\\"urn:oasis:names:tc:SAML:2.0:metadata\\\" "                        \
    "entityID=\\\"https://idp.example.com\\\" validUntil=\\\"2031-01-02T03:04:05Z\\\">"            \
    "<IDPSSODescriptor protocolSupportEnumeration=\\\"urn:oasis:names:tc:SAML:2.0:protocol\\\">"   \
    "<KeyDescriptor use=\\\"signing\\\"/></IDPSSODescriptor></EntityDescriptor>"

/* A SAML metadata input of at least the 1,000 characters the model asks for. */
static void s_metadata_input(char *out, size_t cap, const char *prefix, const char *body)
{
    char pad[1100];
    memset(pad, ' ', 1000);
    pad[1000] = '\0';
    snprintf(out, cap, "{%s\"SAMLMetadataDocument\":\"%s<!--%s-->\"}", prefix, body, pad);
}

static void test_trust_policy_checks(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    sbx_expect_error(&fx, &fx.root, "iam", "CreateRole",
                     "{\"RoleName\":\"r\",\"AssumeRolePolicyDocument\":\"" TRUST(
                       ",\\\"Resource\\\":\\\"*\\\"") "\"}",
                     400, "MalformedPolicyDocument");
    assert_string_equal(fx.err.message, "Has prohibited field Resource");
    sbx_expect_error(&fx, &fx.root, "iam", "CreateRole",
                     "{\"RoleName\":\"r\",\"AssumeRolePolicyDocument\":"
                     "\"{\\\"Statement\\\":{\\\"Effect\\\":\\\"Allow\\\","
                     "\\\"Action\\\":\\\"sts:AssumeRole\\\"}}\"}",
                     400, "MalformedPolicyDocument");
    assert_string_equal(fx.err.message, "Missing required field Principal");
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateRole",
                       "{\"RoleName\":\"r\",\"AssumeRolePolicyDocument\":\"" TRUST("") "\"}"));

    /* UpdateAssumeRolePolicy replaces the document, checked the same way. */
    sbx_expect_error(&fx, &fx.root, "iam", "UpdateAssumeRolePolicy",
                     "{\"RoleName\":\"r\",\"PolicyDocument\":\"not json\"}", 400,
                     "MalformedPolicyDocument");
    sbx_expect_error(
      &fx, &fx.root, "iam", "UpdateAssumeRolePolicy",
      "{\"RoleName\":\"r\",\"PolicyDocument\":\"" TRUST(",\\\"NotResource\\\":\\\"*\\\"") "\"}",
      400, "MalformedPolicyDocument");
    sbx_expect_error(&fx, &fx.root, "iam", "UpdateAssumeRolePolicy",
                     "{\"RoleName\":\"nobody\",\"PolicyDocument\":\"" TRUST("") "\"}", 404,
                     "NoSuchEntity");
    json_decref(sbx_ok(
      &fx, &fx.root, "iam", "UpdateAssumeRolePolicy",
      "{\"RoleName\":\"r\",\"PolicyDocument\":\"" TRUST(",\\\"Sid\\\":\\\"updated\\\"") "\"}"));
    json_t *out = sbx_ok(&fx, &fx.root, "iam", "GetRole", "{\"RoleName\":\"r\"}");
    assert_non_null(strstr(sbx_str2(out, "Role", "AssumeRolePolicyDocument"), "updated"));
    json_decref(out);

    /* A service-linked role's trust policy is AWS's. */
    out = sbx_ok(&fx, &fx.root, "iam", "CreateServiceLinkedRole",
                 "{\"AWSServiceName\":\"elasticbeanstalk.amazonaws.com\"}");
    assert_string_equal(sbx_str2(out, "Role", "RoleName"), "AWSServiceRoleForElasticBeanstalk");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "UpdateAssumeRolePolicy",
                     "{\"RoleName\":\"AWSServiceRoleForElasticBeanstalk\",\"PolicyDocument\":"
                     "\"" TRUST("") "\"}",
                     400, "UnmodifiableEntity");
    sbx_fixture_close(&fx);
}

static const char *s_tag_key(const json_t *out, size_t i)
{
    return json_string_value(
      json_object_get(json_array_get(json_object_get(out, "Tags"), i), "Key"));
}

static void test_tag_rules(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    /* A key twice in any casing is refused, on create and on tag. */
    sbx_expect_error(&fx, &fx.root, "iam", "CreateInstanceProfile",
                     "{\"InstanceProfileName\":\"p\",\"Tags\":[{\"Key\":\"a\",\"Value\":\"\"},"
                     "{\"Key\":\"A\",\"Value\":\"\"}]}",
                     400, "InvalidInput");
    assert_string_equal(
      fx.err.message, "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
    json_t *out = sbx_ok(&fx, &fx.root, "iam", "CreateInstanceProfile",
                         "{\"InstanceProfileName\":\"p\",\"Tags\":[{\"Key\":\"one\",\"Value\":"
                         "\"1\"},{\"Key\":\"two\",\"Value\":\"2\"},{\"Key\":\"three\",\"Value\":"
                         "\"3\"}]}");
    assert_int_equal(
      json_array_size(json_object_get(json_object_get(out, "InstanceProfile"), "Tags")), 3);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "TagInstanceProfile",
                     "{\"InstanceProfileName\":\"p\",\"Tags\":[{\"Key\":\"x\",\"Value\":\"\"},"
                     "{\"Key\":\"X\",\"Value\":\"\"}]}",
                     400, "InvalidInput");

    /* An existing key is replaced where it stands, in the casing sent. */
    json_decref(sbx_ok(&fx, &fx.root, "iam", "TagInstanceProfile",
                       "{\"InstanceProfileName\":\"p\",\"Tags\":[{\"Key\":\"ONE\",\"Value\":"
                       "\"uno\"}]}"));
    out = sbx_ok(&fx, &fx.root, "iam", "ListInstanceProfileTags",
                 "{\"InstanceProfileName\":\"p\",\"MaxItems\":2}");
    assert_string_equal(s_tag_key(out, 0), "ONE");
    assert_string_equal(s_tag_key(out, 1), "two");
    assert_true(json_is_true(json_object_get(out, "IsTruncated")));
    char input[256];
    snprintf(input, sizeof(input), "{\"InstanceProfileName\":\"p\",\"Marker\":\"%s\"}",
             json_string_value(json_object_get(out, "Marker")));
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "ListInstanceProfileTags", input);
    assert_int_equal(json_array_size(json_object_get(out, "Tags")), 1);
    assert_string_equal(s_tag_key(out, 0), "three");
    assert_false(json_is_true(json_object_get(out, "IsTruncated")));
    assert_null(json_object_get(out, "Marker"));
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "ListInstanceProfileTags",
                     "{\"InstanceProfileName\":\"p\",\"Marker\":\"x1\"}", 400, "InvalidInput");

    /* Untagging matches keys ignoring case; the profile document shows what is left. */
    json_decref(sbx_ok(&fx, &fx.root, "iam", "UntagInstanceProfile",
                       "{\"InstanceProfileName\":\"p\",\"TagKeys\":[\"one\",\"TWO\"]}"));
    out = sbx_ok(&fx, &fx.root, "iam", "GetInstanceProfile", "{\"InstanceProfileName\":\"p\"}");
    json_t *tags = json_object_get(json_object_get(out, "InstanceProfile"), "Tags");
    assert_int_equal(json_array_size(tags), 1);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "TagInstanceProfile",
                     "{\"InstanceProfileName\":\"nope\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"\"}]}",
                     404, "NoSuchEntity");

    /* At most 50 tags once merged (a request of 50 on top of one). */
    char big[4096];
    size_t len = (size_t)snprintf(big, sizeof(big), "{\"InstanceProfileName\":\"p\",\"Tags\":[");
    for (int i = 0; i < 50; i++) {
        len += (size_t)snprintf(big + len, sizeof(big) - len, "%s{\"Key\":\"k%d\",\"Value\":\"\"}",
                                i ? "," : "", i);
    }
    snprintf(big + len, sizeof(big) - len, "]}");
    sbx_expect_error(&fx, &fx.root, "iam", "TagInstanceProfile", big, 409, "LimitExceeded");

    /* Deleting the profile drops its tags with it. */
    json_decref(
      sbx_ok(&fx, &fx.root, "iam", "DeleteInstanceProfile", "{\"InstanceProfileName\":\"p\"}"));
    out = sbx_ok(&fx, &fx.root, "iam", "CreateInstanceProfile", "{\"InstanceProfileName\":\"p\"}");
    assert_int_equal(
      json_array_size(json_object_get(json_object_get(out, "InstanceProfile"), "Tags")), 0);
    json_decref(out);
    sbx_fixture_close(&fx);
}

static void test_saml_providers(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    char input[4096];
    s_metadata_input(input, sizeof(input), "\"Name\":\"Idp\",", "not saml metadata");
    sbx_expect_error(&fx, &fx.root, "iam", "CreateSAMLProvider", input, 400, "InvalidInput");
    assert_string_equal(fx.err.message, "Could not parse metadata");

    s_metadata_input(input, sizeof(input), "\"Name\":\"Idp\",", METADATA);
    json_t *out = sbx_ok(&fx, &fx.root, "iam", "CreateSAMLProvider", input);
    const char *arn = "arn:aws:iam::123456789012:saml-provider/Idp";
    assert_string_equal(json_string_value(json_object_get(out, "SAMLProviderArn")), arn);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "CreateSAMLProvider", input, 409, "EntityAlreadyExists");

    out = sbx_ok(&fx, &fx.root, "iam", "GetSAMLProvider",
                 "{\"SAMLProviderArn\":\"arn:aws:iam::123456789012:saml-provider/Idp\"}");
    assert_non_null(strstr(json_string_value(json_object_get(out, "SAMLMetadataDocument")),
                           "https://idp.example.com"));
    assert_string_equal(json_string_value(json_object_get(out, "ValidUntil")),
                        "2031-01-02T03:04:05Z");
    assert_int_equal(strlen(json_string_value(json_object_get(out, "SAMLProviderUUID"))), 36);
    json_decref(out);

    s_metadata_input(input, sizeof(input),
                     "\"SAMLProviderArn\":\"arn:aws:iam::123456789012:saml-provider/Idp\",",
                     "<EntityDescriptor entityID=\\\"https://other.example.com\\\"/>");
    json_decref(sbx_ok(&fx, &fx.root, "iam", "UpdateSAMLProvider", input));
    out = sbx_ok(&fx, &fx.root, "iam", "GetSAMLProvider",
                 "{\"SAMLProviderArn\":\"arn:aws:iam::123456789012:saml-provider/Idp\"}");
    assert_non_null(
      strstr(json_string_value(json_object_get(out, "SAMLMetadataDocument")), "other.example.com"));
    assert_null(json_object_get(out, "ValidUntil"));
    json_decref(out);

    out = sbx_ok(&fx, &fx.root, "iam", "ListSAMLProviders", "{}");
    json_t *list = json_object_get(out, "SAMLProviderList");
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "Arn")), arn);
    json_decref(out);

    json_decref(sbx_ok(&fx, &fx.root, "iam", "DeleteSAMLProvider",
                       "{\"SAMLProviderArn\":\"arn:aws:iam::123456789012:saml-provider/Idp\"}"));
    sbx_expect_error(&fx, &fx.root, "iam", "GetSAMLProvider",
                     "{\"SAMLProviderArn\":\"arn:aws:iam::123456789012:saml-provider/Idp\"}", 404,
                     "NoSuchEntity");
    assert_string_equal(fx.err.message,
                        "Manifest not found for arn arn:aws:iam::123456789012:saml-provider/Idp");
    out = sbx_ok(&fx, &fx.root, "iam", "ListSAMLProviders", "{}");
    assert_int_equal(json_array_size(json_object_get(out, "SAMLProviderList")), 0);
    json_decref(out);
    sbx_fixture_close(&fx);
}

static void test_policy_version_documents(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    const char *doc = "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":"
                      "\\\"Allow\\\",\\\"Action\\\":\\\"s3:*\\\",\\\"Resource\\\":\\\"*\\\"}]}\"";
    char input[512];
    snprintf(input, sizeof(input), "{\"PolicyName\":\"P\",\"PolicyDocument\":%s}", doc);
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreatePolicy", input));
    snprintf(input, sizeof(input),
             "{\"PolicyArn\":\"arn:aws:iam::123456789012:policy/P\",\"PolicyDocument\":%s,"
             "\"SetAsDefault\":true}",
             doc);
    json_t *out = sbx_ok(&fx, &fx.root, "iam", "CreatePolicyVersion", input);
    assert_string_equal(sbx_str2(out, "PolicyVersion", "VersionId"), "v2");
    assert_null(json_object_get(json_object_get(out, "PolicyVersion"), "Document"));
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "ListPolicyVersions",
                 "{\"PolicyArn\":\"arn:aws:iam::123456789012:policy/P\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Versions")), 2);
    assert_null(json_object_get(json_array_get(json_object_get(out, "Versions"), 0), "Document"));
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "GetPolicyVersion",
                 "{\"PolicyArn\":\"arn:aws:iam::123456789012:policy/P\",\"VersionId\":\"v1\"}");
    assert_non_null(strstr(sbx_str2(out, "PolicyVersion", "Document"), "s3%3A%2A"));
    json_decref(out);

    /* Policy tags page like the others. */
    json_decref(sbx_ok(&fx, &fx.root, "iam", "TagPolicy",
                       "{\"PolicyArn\":\"arn:aws:iam::123456789012:policy/P\",\"Tags\":["
                       "{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Value\":\"2\"}]}"));
    out = sbx_ok(&fx, &fx.root, "iam", "ListPolicyTags",
                 "{\"PolicyArn\":\"arn:aws:iam::123456789012:policy/P\",\"MaxItems\":1}");
    assert_int_equal(json_array_size(json_object_get(out, "Tags")), 1);
    assert_true(json_is_true(json_object_get(out, "IsTruncated")));
    json_decref(out);
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_iam_tags_saml",
              CPW_TEST(test_trust_policy_checks),
              CPW_TEST(test_tag_rules),
              CPW_TEST(test_saml_providers),
              CPW_TEST(test_policy_version_documents))
