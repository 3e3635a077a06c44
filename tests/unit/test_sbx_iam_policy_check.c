/*
 * test_sbx_iam_policy_check.c - IAM's grammar for stored policy documents: what the sandbox
 * accepts as a permissions policy and as a role's trust policy, and IAM's exact
 * MalformedPolicyDocument message for each pass that refuses one.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "harness.h"
#include "sandbox/iam_policy_check.h"

#define V "\"Version\":\"2012-10-17\","
/* One identity statement with the given Action and Resource texts (JSON values). */
#define ONE(action, resource)                                                                      \
    "{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":" action ",\"Resource\":" resource "}}"
#define TRUST_STATEMENT(extra)                                                                     \
    "{" V                                                                                          \
    "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"      \
    "\"Action\":\"sts:AssumeRole\"" extra "}]}"

/* want NULL: the document is accepted; else refused with exactly that message. */
static void s_expect(enum cpw_sbx_policy_kind kind, const char *document, const char *want)
{
    struct cpw_buf message;
    cpw_buf_init(&message, CPW_SBX_POLICY_MESSAGE_MAX);
    int rc = cpw_sbx_iam_policy_problem(document, kind, &message);
    if (rc != (want ? 1 : 0)) {
        print_error("%s: rc %d (%s)\n", document ? document : "NULL", rc,
                    rc == 1 ? cpw_buf_cstr(&message) : "");
    }
    assert_int_equal(rc, want ? 1 : 0);
    if (want) {
        assert_string_equal(cpw_buf_cstr(&message), want);
    }
    cpw_buf_clean_up(&message);
}

static void s_valid(const char *document)
{
    s_expect(CPW_SBX_POLICY_IDENTITY, document, NULL);
}

static void s_invalid(const char *document, const char *want)
{
    s_expect(CPW_SBX_POLICY_IDENTITY, document, want);
}

static void test_identity_accepts(void **state)
{
    (void)state;
    s_valid(ONE("\"s3:ListBucket\"", "[\"arn:aws:s3:::b\",\"*\"]"));
    s_valid(ONE("\"*\"", "\"arn:aws:s3:::b\""));
    s_valid(ONE("\"service-prefix:action-name\"", "\"*\""));
    s_valid(ONE("[\"iam:Get*\",\"iam:List*\"]", "\"arn:aws:iam::*:user/${aws:username}\""));
    s_valid(ONE("\"s3:*\"", "\"arn:aws:s3:us-west-2:123456789012:accesspoint/ap/object/*\""));
    s_valid(ONE("\"ec2:*\"", "\"arn:aws:ec2:us-east-1::x\""));
    s_valid(ONE("\"s3:ListBucket\"", "\"arn:aws:fdsasf\""));
    s_valid(ONE("\"kms:CreateGrant\"", "[\"arn:aws:kms:*:123456789012:key/*\",null]"));
    s_valid(ONE("\"s3:ListBucket\"", "\"arn:aws-cn:s3:::b\""));
    s_valid(
      "{" V "\"Id\":\"x\",\"Statement\":[{\"Sid\":\"\",\"Effect\":\"Deny\",\"NotAction\":"
      "\"s3:ListBucket\",\"NotResource\":\"*\"},{\"Sid\":\"\",\"Effect\":\"Allow\",\"Action\":"
      "\"s3:GetObject\",\"Resource\":\"*\"}]}");
    s_valid(
      "{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":"
      "\"*\",\"Condition\":{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2017-07-01T00:00:00Z\"},"
      "\"DateLessThanEquals\":{\"a\":[\"2016-12-13T21:20:37.593194+00:00\",\"-292275054\","
      "\"01T\",1500000000]},\"ForAnyValue:StringEqualsIfExists\":{\"a\":\"b\"},"
      "\"Bool\":{\"aws:SecureTransport\":true},\"NumericLessThan\":{\"n\":[10,20.5]},"
      "\"UnknownButEmpty\":{}}}}");
}

static void test_identity_refuses_with_iam_messages(void **state)
{
    (void)state;
    const char *syntax = "Syntax errors in policy.";
    const char *version = "Policy document must be version 2012-10-17 or greater.";
    const char *legacy = "The policy failed legacy parsing";
    s_invalid(NULL, syntax);
    s_invalid("This is not a json document", syntax);
    s_invalid("[]", syntax);
    s_invalid("{" V "\"Statement\":[]}", syntax);
    s_invalid("{" V "\"Statement\":[\"afd\"]}", syntax);
    s_invalid("{\"Version\":\"2013-10-17\",\"Statement\":{}}", syntax);
    s_invalid("{" V "\"Id\":{},\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:L\","
              "\"Resource\":\"*\"}}",
              syntax);
    s_invalid("{" V
              "\"Statement\":{\"Effect\":\"invalid\",\"Action\":\"s3:L\",\"Resource\":\"*\"}}",
              syntax);
    s_invalid(ONE("[[]]", "\"*\""), syntax);
    s_invalid(ONE("\"s3:L\"", "{\"a\":\"b\"}"), syntax);
    s_invalid("{" V
              "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:L\",\"NotAction\":\"s3:L\","
              "\"Resource\":\"*\"}}",
              syntax);
    s_invalid("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:L\",\"Resource\":\"*\","
              "\"Condition\":{\"x\":{\"a\":\"1\"}}}}",
              syntax);
    s_invalid("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:L\",\"Resource\":\"*\","
              "\"Condition\":{\"DateGreaterThan\":{\"a\":{}}}}}",
              syntax);
    s_invalid("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:L\",\"Resource\":\"*\"}}",
              version);
    s_invalid("{\"Version\":\"2008-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:L\","
              "\"Resource\":\"*\"}}",
              version);
    s_invalid("{" V "\"Statement\":{\"Effect\":\"allow\",\"Action\":\"s3:L\",\"Resource\":\"*\"}}",
              legacy);
    s_invalid(ONE("\"s3:L\"", "\"arn:aws:s3::b\""), legacy);
    s_invalid(ONE("\"s3:L\"", "\"arn:aws::fdsasf\""), legacy);
    const char *dates[] = { "sdfdsf", "234-13", "2016-12-13t2:00:00.593194+1",
                            "2016-12-13t2:00:00.1999999999+10:59", "9223372036854775808" };
    for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        char doc[512];
        snprintf(doc, sizeof(doc),
                 "{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:L\",\"Resource\":\"*\","
                 "\"Condition\":{\"DateLessThan\":{\"a\":\"%s\"}}}}",
                 dates[i]);
        s_invalid(doc, legacy);
    }
    s_invalid("{" V "\"Statement\":[{\"Sid\":\"s\",\"Effect\":\"Allow\",\"Action\":\"s3:L\","
              "\"Resource\":\"*\"},{\"Sid\":\"s\",\"Effect\":\"Allow\"}]}",
              "Statement IDs (SID) in a single policy must be unique.");
    s_invalid("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":[],\"Resource\":\"*\"}}",
              "Policy statement must contain actions.");
    s_invalid("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:L\","
              "\"Resource\":\"*\"}}",
              "Policy document should not specify a principal.");
    s_invalid(ONE("\"s:3:L\"", "\"invalid resource\""),
              "Resource invalid resource must be in ARN format or \"*\".");
    s_invalid(ONE("\"s3:L\"", "[\"arn:error:s3:::b\",\"arn:error:s3::b\"]"),
              "Partition \"error\" is not valid for resource \"arn:error:s3:::b\".");
    s_invalid(ONE("\"s3:L\"", "\"a:bsdfdsafsad\""),
              "Partition \"bsdfdsafsad\" is not valid for resource \"arn:bsdfdsafsad:*:*:*:*\".");
    s_invalid(ONE("\"s3:L\"", "\"aws:s3:::b\""),
              "Partition \"s3\" is not valid for resource \"arn:s3:::b:*\".");
    s_invalid(ONE("\"s3:L\"", "\"a:b:c:d:e:f:g:h\""),
              "Partition \"b\" is not valid for resource \"arn:b:c:d:e:f:g:h\".");
    s_invalid(ONE("\"s3:L\"", "\"arn:aws\""),
              "Resource vendor must be fully qualified and cannot contain regexes.");
    s_invalid(ONE("\"s3:L\"", "\"arn:aws:iam:us-east-1::user/x\""),
              "IAM resource arn:aws:iam:us-east-1::user/x cannot contain region information.");
    s_invalid(ONE("\"s3:L\"", "\"arn:aws:s3:us-east-1::b\""),
              "Resource arn:aws:s3:us-east-1::b can not contain region information.");
    s_invalid(ONE("\"s3:L\"", "\"arn:aws:iam:::b\""),
              "IAM resource path must either be \"*\" or start with user/, federated-user/, role/, "
              "group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, "
              "saml-provider/, oidc-provider/, report/, access-report/.");
    s_invalid(ONE("\"invalid\"", "\"*\""),
              "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
    s_invalid(ONE("\"s3:List:Bucket\"", "\"*\""), "Actions/Condition can contain only one colon.");
    s_invalid(ONE("\"a a:ListBucket\"", "\"*\""), "Vendor a a is not valid");
    s_invalid("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:L\"}}",
              "Policy statement must contain resources.");
    s_invalid("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"invalid\"}}",
              "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
}

static void test_trust_policies(void **state)
{
    (void)state;
    enum cpw_sbx_policy_kind t = CPW_SBX_POLICY_TRUST;
    s_expect(t, TRUST_STATEMENT(""), NULL);
    s_expect(
      t,
      "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"123456789012\","
      "\"arn:aws:iam::111122223333:root\"],\"Federated\":\"cognito-identity.amazonaws.com\"},"
      "\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\",\"sts:AssumeRoleWithWebIdentity\"]}}",
      NULL);
    s_expect(t, "{}", NULL);
    s_expect(t, "{" V "\"Statement\":[]}", NULL);
    s_expect(t, "some policy", "This policy contains invalid Json");
    s_expect(t, "{\"Sid\":\"x\"}", "Syntax errors in policy.");
    s_expect(t, TRUST_STATEMENT(",\"Resource\":\"arn:aws:s3:::b\""),
             "Has prohibited field Resource");
    s_expect(t, TRUST_STATEMENT(",\"Resource\":\"bucket\""),
             "Resource bucket must be in ARN format or \"*\".");
    s_expect(t, "{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\"}}",
             "Missing required field Principal");
    s_expect(t,
             "{" V "\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"x\"},"
             "\"Action\":\"sts:BadAssumeRole\"}}",
             "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  "
             "and sts:AssumeRoleWithWebIdentity");
    s_expect(t,
             "{" V "\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"alice\"},"
             "\"Action\":\"sts:AssumeRole\"}}",
             "Invalid principal in policy: \"AWS\":\"alice\"");
    s_expect(t,
             "{" V "\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"Nobody\":\"x\"},"
             "\"Action\":\"sts:AssumeRole\"}}",
             "Syntax errors in policy.");
}

static void test_date_values(void **state)
{
    (void)state;
    const char *read[] = { "2019-07-01T13:20:15Z",
                           "2016-12-13T21:20:37.593194+00:00",
                           "2016-12-13t2:00:00.593194+23",
                           "-292275054",
                           "01T",
                           "0",
                           "9223372036854775807",
                           "2017",
                           "2017-02",
                           "2017-02-28T10" };
    for (size_t i = 0; i < sizeof(read) / sizeof(read[0]); i++) {
        if (!cpw_sbx_iam_policy_date_ok(read[i])) {
            print_error("refused: %s\n", read[i]);
        }
        assert_true(cpw_sbx_iam_policy_date_ok(read[i]));
    }
    const char *unread[] = { "sdfdsf",
                             "234-13",
                             "2016-12-13t2:00:00.593194+1",
                             "2016-12-13t2:00:00.1999999999+10:59",
                             "9223372036854775808",
                             "2017-01-32",
                             "2017-01-01T24:00",
                             "2017-01-01T10:60",
                             "2017-01-01T10:00:00Zx",
                             "1-1-1-1",
                             "",
                             "-292275055" };
    for (size_t i = 0; i < sizeof(unread) / sizeof(unread[0]); i++) {
        if (cpw_sbx_iam_policy_date_ok(unread[i])) {
            print_error("read: %s\n", unread[i]);
        }
        assert_false(cpw_sbx_iam_policy_date_ok(unread[i]));
    }
}

static void test_message_buffer_too_small(void **state)
{
    (void)state;
    struct cpw_buf message;
    cpw_buf_init(&message, 8);
    assert_int_equal(cpw_sbx_iam_policy_problem("nope", CPW_SBX_POLICY_IDENTITY, &message), -1);
    cpw_error_clear();
    cpw_buf_clean_up(&message);
}

CPW_TEST_MAIN("sbx_iam_policy_check",
              CPW_TEST(test_identity_accepts),
              CPW_TEST(test_identity_refuses_with_iam_messages),
              CPW_TEST(test_trust_policies),
              CPW_TEST(test_date_values),
              CPW_TEST(test_message_buffer_too_small))
