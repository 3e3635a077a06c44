/*
 * test_validate.c - input validation against the model: every rule fails when it should and
 * passes when it should, with botocore's client report and the service's error.
 */
#include <stdio.h>
#include <string.h>

#include "aws/validate_internal.h"
#include "cpw/codec.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "harness.h"

static json_t *s_doc(const char *text)
{
    json_t *doc = NULL;
    assert_int_equal(cpw_json_load(cpw_span_from_cstr(text), 1u << 20, &doc), 0);
    return doc;
}

/* Validates text for svc/op; returns the rc and leaves err filled. */
static int s_validate(const char *svc_name,
                      const char *op,
                      const char *text,
                      struct cpw_aws_error *err)
{
    json_t *doc = s_doc(text);
    int rc = cpw_validate_input(cpw_model_service_get(svc_name), op, doc, err);
    json_decref(doc);
    return rc;
}

static void s_expect_fail(const char *svc_name,
                          const char *op,
                          const char *text,
                          const char *client_part,
                          const char *service_part)
{
    struct cpw_aws_error err;
    cpw_aws_error_init(&err);
    int rc = s_validate(svc_name, op, text, &err);
    if (rc != -1) {
        fail_msg("%s %s accepted %s", svc_name, op, text);
    }
    assert_int_equal(cpw_last_error(), CPW_ERR_VALIDATION);
    const char *detail = cpw_last_error_detail();
    if (!strstr(detail, client_part)) {
        fail_msg("client report \"%s\" lacks \"%s\"", detail, client_part);
    }
    if (!strstr(err.message, service_part)) {
        fail_msg("service message \"%s\" lacks \"%s\"", err.message, service_part);
    }
    assert_int_equal(err.http_status, 400);
    cpw_aws_error_clean_up(&err);
}

static void s_expect_pass(const char *svc_name, const char *op, const char *text)
{
    struct cpw_aws_error err;
    cpw_aws_error_init(&err);
    if (s_validate(svc_name, op, text, &err) != 0) {
        fail_msg("%s %s refused %s: %s", svc_name, op, text, cpw_last_error_detail());
    }
    assert_null(err.code);
    cpw_aws_error_clean_up(&err);
}

static void test_required_members(void **state)
{
    (void)state;
    s_expect_fail(
      "customer-profiles", "GetDomain", "{}",
      "Parameter validation failed:\nMissing required parameter in input: \"DomainName\"",
      "Value null at 'domainName' failed to satisfy constraint: Member must not be null");
    s_expect_pass("customer-profiles", "GetDomain", "{\"DomainName\": \"d\"}");
    /* Nested required members are named by their path. */
    s_expect_fail("iam", "TagRole", "{\"RoleName\": \"R\", \"Tags\": [{\"Key\": \"k\"}]}",
                  "Missing required parameter in Tags[0]: \"Value\"", "Member must not be null");
    s_expect_pass("iam", "TagRole",
                  "{\"RoleName\": \"R\", \"Tags\": [{\"Key\": \"k\", \"Value\": \"\"}]}");
    s_expect_pass("sts", "GetCallerIdentity", "{}");
}

static void test_lengths_and_service_message(void **state)
{
    (void)state;
    char text[200];
    char name[70];
    memset(name, 'a', 65);
    name[65] = '\0';
    snprintf(text, sizeof(text), "{\"RoleName\": \"%s\"}", name);
    struct cpw_aws_error err;
    cpw_aws_error_init(&err);
    assert_int_equal(s_validate("iam", "GetRole", text, &err), -1);
    assert_string_equal(err.code, "ValidationError");
    assert_string_equal(err.type, "Sender");
    char want[300];
    snprintf(want, sizeof(want),
             "1 validation error detected: Value '%s' at 'roleName' failed to satisfy constraint: "
             "Member must have length less than or equal to 64",
             name);
    assert_string_equal(err.message, want);
    cpw_aws_error_clean_up(&err);
    name[64] = '\0';
    snprintf(text, sizeof(text), "{\"RoleName\": \"%s\"}", name);
    s_expect_pass("iam", "GetRole", text);
    s_expect_fail("iam", "GetRole", "{\"RoleName\": \"\"}",
                  "Invalid length for parameter RoleName, value: 0, valid min length: 1",
                  "Member must have length greater than or equal to 1");
    /* Lengths count characters, not bytes: 64 two-byte characters fit. */
    char wide[200] = "{\"RoleName\": \"";
    for (int i = 0; i < 64; i++) {
        strcat(wide, "\xc3\xa9");
    }
    strcat(wide, "\"}");
    struct cpw_aws_error e2;
    cpw_aws_error_init(&e2);
    int rc = s_validate("iam", "GetRole", wide, &e2);
    /* The pattern [\w+=,.@-]+ refuses 'é' (ASCII \w), but the length rule must not fire. */
    assert_int_equal(rc, -1);
    assert_null(strstr(cpw_last_error_detail(), "length"));
    cpw_aws_error_clean_up(&e2);
    /* List lengths. */
    char tags[4096] = "{\"RoleName\": \"R\", \"Tags\": [";
    for (int i = 0; i < 51; i++) {
        strcat(tags, i ? ",{\"Key\":\"k\",\"Value\":\"v\"}" : "{\"Key\":\"k\",\"Value\":\"v\"}");
    }
    strcat(tags, "]}");
    s_expect_fail("iam", "TagRole", tags,
                  "Invalid length for parameter Tags, value: 51, valid max length: 50",
                  "Member must have length less than or equal to 50");
}

static void test_types(void **state)
{
    (void)state;
    s_expect_fail("iam", "ListRoles", "{\"MaxItems\": \"ten\"}",
                  "Invalid type for parameter MaxItems, value: ten, type: <class 'str'>, valid "
                  "types: <class 'int'>",
                  "at 'maxItems'");
    s_expect_fail("connect", "CreateInstance",
                  "{\"IdentityManagementType\": \"SAML\", \"InboundCallsEnabled\": 1, "
                  "\"OutboundCallsEnabled\": true}",
                  "Invalid type for parameter InboundCallsEnabled", "inboundCallsEnabled");
    s_expect_fail("cloudtrail", "LookupEvents", "{\"StartTime\": \"yesterday\"}",
                  "Invalid type for parameter StartTime", "startTime");
    s_expect_pass("cloudtrail", "LookupEvents",
                  "{\"StartTime\": \"2024-01-01T00:00:00Z\", \"EndTime\": 1704067200}");
    s_expect_fail("customer-profiles", "ListDomains", "[]", "Invalid type for parameter input",
                  "Member must be");
    s_expect_fail("customer-profiles", "CreateDomain",
                  "{\"DomainName\": \"d\", \"DefaultExpirationDays\": 1, \"Tags\": []}",
                  "Invalid type for parameter Tags", "tags");
    s_expect_fail("iam", "UploadSSHPublicKey", "{\"UserName\": \"u\", \"SSHPublicKeyBody\": 5}",
                  "Invalid type for parameter SSHPublicKeyBody", "sSHPublicKeyBody");
}

static void test_ranges(void **state)
{
    (void)state;
    s_expect_fail("iam", "ListRoles", "{\"MaxItems\": 0}",
                  "Invalid value for parameter MaxItems, value: 0, valid min value: 1",
                  "Member must have value greater than or equal to 1");
    s_expect_fail("iam", "ListRoles", "{\"MaxItems\": 1001}", "valid max value: 1000",
                  "Member must have value less than or equal to 1000");
    s_expect_pass("iam", "ListRoles", "{\"MaxItems\": 1000}");
    s_expect_pass("iam", "ListRoles", "{\"MaxItems\": 1}");
}

static void test_enums(void **state)
{
    (void)state;
    s_expect_fail("iam", "ListVirtualMFADevices", "{\"AssignmentStatus\": \"Maybe\"}",
                  "valid values: Assigned, Unassigned, Any",
                  "Member must satisfy enum value set: [Assigned, Unassigned, Any]");
    s_expect_pass("iam", "ListVirtualMFADevices", "{\"AssignmentStatus\": \"Any\"}");
}

static void test_patterns(void **state)
{
    (void)state;
    s_expect_fail("iam", "GetRole", "{\"RoleName\": \"bad name\"}", "valid pattern: [\\w+=,.@-]+",
                  "Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    s_expect_pass("iam", "GetRole", "{\"RoleName\": \"Good_Name+=,.@-1\"}");
    /* (\u002F)|(\u002F[\u0021-\u007E]+\u002F): a path is "/" or "/.../". */
    s_expect_pass("iam", "ListRoles", "{\"PathPrefix\": \"/\"}");
    s_expect_pass(
      "iam", "CreateRole",
      "{\"RoleName\": \"r\", \"AssumeRolePolicyDocument\": \"{}\", \"Path\": \"/a/b/\"}");
    s_expect_fail("iam", "CreateRole",
                  "{\"RoleName\": \"r\", \"AssumeRolePolicyDocument\": \"{}\", \"Path\": \"a/b\"}",
                  "Invalid value for parameter Path", "at 'path'");
    /* The Java syntax the models use: \p classes, lookaheads, \uHHHH escapes, ASCII \w. */
    const char *tag_key = "^(?!aws:)[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+$";
    assert_int_equal(cpw_validate_pattern_match(tag_key, "owner"), 1);
    assert_int_equal(cpw_validate_pattern_match(tag_key, "Propri\xc3\xa9taire 1"), 1);
    assert_int_equal(cpw_validate_pattern_match(tag_key, "aws:reserved"), 0);
    assert_int_equal(cpw_validate_pattern_match(tag_key, "semi;colon"), 0);
    const char *printable = "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]+";
    assert_int_equal(cpw_validate_pattern_match(printable, "plain text\n"), 1);
    assert_int_equal(cpw_validate_pattern_match(printable, "bell\x07"), 0);
    assert_int_equal(cpw_validate_pattern_match("[\\w+=,.@\\-]+", "my-role"), 1);
    assert_int_equal(cpw_validate_pattern_match("[\\w+=,.@\\-]+", "my role"), 0);
    assert_int_equal(cpw_validate_pattern_match("[\\w+=,.@\\-]+", "r\xc3\xb4le"), 0);
    /* A value that is not UTF-8 never matches; a pattern PCRE2 cannot read is not checked. */
    assert_int_equal(cpw_validate_pattern_match("[a-z\\x80-\\xff]+", "ab\xff"), 0);
    assert_int_equal(cpw_validate_pattern_match("\\p{Javaunknown}+", "x"), -1);
    assert_int_equal(cpw_validate_pattern_match("\\d{12}", "123456789012"), 1);
    assert_int_equal(cpw_validate_pattern_match("\\d{12}", "12345678901x"), 0);
    assert_int_equal(cpw_validate_pattern_match("\\d{12}", "1234567890123"), 0);
    assert_int_equal(cpw_validate_pattern_match("^o-[a-z0-9]{10,32}$", "o-abcdefghij"), 1);
    /* Anchored at the start only: a prefix match (Customer Profiles' TagArn). */
    assert_int_equal(cpw_validate_pattern_match("^arn:[a-z0-9]{1,10}:profile",
                                                "arn:aws:profile:us-east-1:123456789012:domains/d"),
                     1);
    assert_int_equal(cpw_validate_pattern_match("^arn:[a-z0-9]{1,10}:profile", "xarn:aws:profile"),
                     0);
    assert_int_equal(cpw_validate_pattern_match("\\S+", "a b"), 0);
    /* A pattern with its own anchors is searched for as written (Customer Profiles' TagArn). */
    assert_int_equal(cpw_validate_pattern_match("^arn:[a-z0-9]{1,10}:profile",
                                                "arn:aws:profile:us-east-1:123456789012:domains/d"),
                     1);
    assert_int_equal(cpw_validate_pattern_match("^arn:[a-z0-9]{1,10}:profile", "xarn:aws:profile"),
                     0);
    assert_int_equal(cpw_validate_pattern_match("^o-[a-z0-9]{10,32}$", "o-abcdefghij!"), 0);
    s_expect_pass("customer-profiles", "TagResource",
                  "{\"resourceArn\": \"arn:aws:profile:us-east-1:123456789012:domains/d\", "
                  "\"tags\": {\"k\": \"v\"}}");
}

static void test_unknown_members(void **state)
{
    (void)state;
    s_expect_fail("customer-profiles", "GetDomain", "{\"DomainName\": \"d\", \"Bogus\": 1}",
                  "Unknown parameter in input: \"Bogus\", must be one of: DomainName",
                  "at 'bogus'");
    s_expect_fail("sts", "GetCallerIdentity", "{\"X\": 1}", "Unknown parameter in input", "at 'x'");
}

static void test_sensitive_values_are_redacted(void **state)
{
    (void)state;
    /* connect DirectoryAlias is sensitive; its pattern refuses "d-secretvalue". */
    struct cpw_aws_error err;
    cpw_aws_error_init(&err);
    int rc = s_validate("connect", "CreateInstance",
                        "{\"IdentityManagementType\": \"SAML\", \"InboundCallsEnabled\": true,"
                        " \"OutboundCallsEnabled\": true, \"InstanceAlias\": \""
                        "d-secretvalue-but-far-too-long-for-the-alias-length-limit-of-the-model\"}",
                        &err);
    assert_int_equal(rc, -1);
    assert_null(strstr(cpw_last_error_detail(), "secretvalue"));
    assert_null(strstr(err.message, "secretvalue"));
    assert_non_null(strstr(err.message, "*** Sensitive Data Redacted ***"));
    cpw_aws_error_clean_up(&err);
}

static void test_tagged_unions(void **state)
{
    (void)state;
    const char *base = "{\"InstanceId\": \"i\", \"FileName\": \"f\", \"FileSizeInBytes\": 1,"
                       " \"FileUseCaseType\": \"ATTACHMENT\", \"AssociatedResourceArn\": \"a\"";
    char text[512];
    snprintf(text, sizeof(text), "%s, \"CreatedBy\": {}}", base);
    s_expect_fail("connect", "StartAttachedFileUpload", text,
                  "Invalid number of parameters set for tagged union structure CreatedBy. Can only "
                  "set one of the following keys: AWSIdentityArn, ConnectUserArn.",
                  "at 'createdBy'");
    snprintf(text, sizeof(text),
             "%s, \"CreatedBy\": {\"AWSIdentityArn\": \"a\", \"ConnectUserArn\": \"b\"}}", base);
    s_expect_fail("connect", "StartAttachedFileUpload", text, "tagged union", "exactly one");
    snprintf(text, sizeof(text), "%s, \"CreatedBy\": {\"ConnectUserArn\": \"b\"}}", base);
    s_expect_pass("connect", "StartAttachedFileUpload", text);
}

static void test_error_codes_per_protocol(void **state)
{
    (void)state;
    struct cpw_aws_error err;
    cpw_aws_error_init(&err);
    assert_int_equal(s_validate("customer-profiles", "GetDomain", "{}", &err), -1);
    assert_string_equal(err.code, "BadRequestException");
    assert_int_equal(s_validate("organizations", "DescribeAccount", "{}", &err), -1);
    assert_string_equal(err.code, "InvalidInputException");
    assert_int_equal(s_validate("cloudtrail", "LookupEvents", "{\"MaxResults\": 0}", &err), -1);
    /* Not modelled for LookupEvents: the service's own InvalidParameterException. */
    assert_string_equal(err.code, "InvalidParameterException");
    assert_int_equal(s_validate("iam", "GetRole", "{}", &err), -1);
    assert_string_equal(err.code, "ValidationError");
    /* Two errors are counted in the service message. */
    assert_int_equal(s_validate("iam", "CreateRole", "{}", &err), -1);
    assert_non_null(strstr(err.message, "2 validation errors detected: "));
    cpw_aws_error_clean_up(&err);
    cpw_model_clean_up();
}

CPW_TEST_MAIN("validate",
              CPW_TEST(test_required_members),
              CPW_TEST(test_lengths_and_service_message),
              CPW_TEST(test_types),
              CPW_TEST(test_ranges),
              CPW_TEST(test_enums),
              CPW_TEST(test_patterns),
              CPW_TEST(test_unknown_members),
              CPW_TEST(test_tagged_unions),
              CPW_TEST(test_sensitive_values_are_redacted),
              CPW_TEST(test_error_codes_per_protocol))
