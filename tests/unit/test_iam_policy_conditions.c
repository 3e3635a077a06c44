/*
 * test_iam_policy_conditions.c - the Condition element of the IAM policy engine: every operator
 * family, IfExists, the set operators with missing keys and empty sets (including the negated
 * operators' edge cases), Null, policy variables in resources and condition values, and the
 * missing context keys a decision reports.
 */
#include <stdio.h>
#include <string.h>

#include "iam_policy_fixture.h"

/* Allows s3:GetObject on everything under one condition block `cond` (JSON object text), and
 * answers whether the request with ctx is allowed. */
static bool s_allowed(const char *cond, const struct cpw_iam_context *ctx)
{
    char text[2048];
    snprintf(text, sizeof(text),
             "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
             "\"Resource\":\"*\",\"Condition\":%s}}",
             cond);
    struct cpw_iam_policy *p = fx_policy(CPW_IAM_POLICY_IDENTITY, "cond", text);
    const struct cpw_iam_policy *list[] = { p };
    struct cpw_iam_policy_set set = { .identity = list, .identity_count = 1 };
    struct cpw_iam_request r = fx_user_request("s3:GetObject", "arn:aws:s3:::b/k", ctx);
    enum cpw_iam_decision_kind k = fx_decide(&set, &r, NULL);
    cpw_iam_policy_destroy(p);
    return k == CPW_IAM_ALLOWED;
}

/* A context with one single-valued key. Owned. */
static struct cpw_iam_context *s_ctx1(const char *key, const char *value)
{
    struct cpw_iam_context *c = cpw_iam_context_new();
    assert_int_equal(cpw_iam_context_set(c, key, value), 0);
    return c;
}

static void test_context(void **state)
{
    (void)state;
    struct cpw_iam_context *c = cpw_iam_context_new();
    bool present = true;
    assert_int_equal(cpw_iam_context_count(c, "aws:TagKeys", &present), 0);
    assert_false(present);
    assert_int_equal(cpw_iam_context_add(c, "aws:TagKeys", NULL), 0); /* an empty set */
    assert_int_equal(cpw_iam_context_count(c, "AWS:tagkeys", &present), 0);
    assert_true(present);
    assert_int_equal(cpw_iam_context_add(c, "aws:TagKeys", "a"), 0);
    assert_int_equal(cpw_iam_context_add(c, "aws:tagkeys", "b"), 0);
    assert_int_equal(cpw_iam_context_count(c, "aws:TagKeys", NULL), 2);
    assert_string_equal(cpw_iam_context_value(c, "aws:TagKeys", 1), "b");
    assert_null(cpw_iam_context_value(c, "aws:TagKeys", 2));
    assert_int_equal(cpw_iam_context_set(c, "aws:username", "alice"), 0);
    assert_int_equal(cpw_iam_context_set(c, "AWS:UserName", "bob"), 0); /* replaces */
    assert_int_equal(cpw_iam_context_count(c, "aws:username", NULL), 1);
    assert_string_equal(cpw_iam_context_value(c, "aws:username", 0), "bob");
    cpw_iam_context_remove(c, "aws:USERNAME");
    assert_int_equal(cpw_iam_context_count(c, "aws:username", &present), 0);
    assert_false(present);
    assert_int_equal(cpw_iam_context_set(c, "", "x"), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    assert_int_equal(cpw_iam_context_set(c, "k", NULL), -1);
    cpw_iam_context_destroy(c);
    cpw_iam_context_destroy(NULL);
}

static void test_string_operators(void **state)
{
    (void)state;
    struct cpw_iam_context *c = s_ctx1("aws:username", "Alice");
    /* Keys compare case-insensitively, values as the operator says. */
    assert_true(s_allowed("{\"StringEquals\":{\"AWS:UserName\":\"Alice\"}}", c));
    assert_false(s_allowed("{\"StringEquals\":{\"aws:username\":\"alice\"}}", c));
    assert_true(s_allowed("{\"StringEquals\":{\"aws:username\":[\"x\",\"Alice\"]}}", c));
    assert_false(s_allowed("{\"StringEquals\":{\"aws:username\":\"Al*\"}}", c)); /* no wildcards */
    assert_true(s_allowed("{\"StringNotEquals\":{\"aws:username\":[\"x\",\"y\"]}}", c));
    assert_false(s_allowed("{\"StringNotEquals\":{\"aws:username\":[\"x\",\"Alice\"]}}", c));
    assert_true(s_allowed("{\"StringEqualsIgnoreCase\":{\"aws:username\":\"ALICE\"}}", c));
    assert_false(s_allowed("{\"StringNotEqualsIgnoreCase\":{\"aws:username\":\"aLiCe\"}}", c));
    assert_true(s_allowed("{\"StringNotEqualsIgnoreCase\":{\"aws:username\":\"bob\"}}", c));
    assert_true(s_allowed("{\"StringLike\":{\"aws:username\":\"A*e\"}}", c));
    assert_true(s_allowed("{\"StringLike\":{\"aws:username\":\"Al?ce\"}}", c));
    assert_false(s_allowed("{\"StringLike\":{\"aws:username\":\"a*\"}}", c)); /* case-sensitive */
    assert_false(s_allowed("{\"StringNotLike\":{\"aws:username\":[\"B*\",\"*ce\"]}}", c));
    assert_true(s_allowed("{\"StringNotLike\":{\"aws:username\":[\"B*\",\"C*\"]}}", c));
    /* Two keys in a block and two blocks: all must hold. */
    assert_int_equal(cpw_iam_context_set(c, "aws:RequestedRegion", "eu-west-1"), 0);
    assert_true(s_allowed("{\"StringEquals\":{\"aws:username\":\"Alice\",\"aws:RequestedRegion\":"
                          "\"eu-west-1\"}}",
                          c));
    assert_false(s_allowed("{\"StringEquals\":{\"aws:username\":\"Alice\"},\"StringLike\":{"
                           "\"aws:RequestedRegion\":\"us-*\"}}",
                           c));
    cpw_iam_context_destroy(c);
}

static void test_numeric_date_bool_binary(void **state)
{
    (void)state;
    struct cpw_iam_context *c = s_ctx1("s3:max-keys", "10");
    assert_true(s_allowed("{\"NumericEquals\":{\"s3:max-keys\":\"10\"}}", c));
    assert_true(s_allowed("{\"NumericEquals\":{\"s3:max-keys\":10.0}}", c));
    assert_false(s_allowed("{\"NumericNotEquals\":{\"s3:max-keys\":[9,10]}}", c));
    assert_true(s_allowed("{\"NumericNotEquals\":{\"s3:max-keys\":[9,11]}}", c));
    assert_true(s_allowed("{\"NumericLessThan\":{\"s3:max-keys\":11}}", c));
    assert_false(s_allowed("{\"NumericLessThan\":{\"s3:max-keys\":10}}", c));
    assert_true(s_allowed("{\"NumericLessThanEquals\":{\"s3:max-keys\":10}}", c));
    assert_true(s_allowed("{\"NumericGreaterThan\":{\"s3:max-keys\":9.5}}", c));
    assert_false(s_allowed("{\"NumericGreaterThanEquals\":{\"s3:max-keys\":11}}", c));
    /* A value that is not a number matches nothing, under a negated operator too. */
    assert_false(s_allowed("{\"NumericLessThan\":{\"s3:max-keys\":\"ten\"}}", c));
    assert_false(s_allowed("{\"NumericNotEquals\":{\"s3:max-keys\":\"ten\"}}", c));
    cpw_iam_context_destroy(c);

    c = s_ctx1("aws:CurrentTime", "2026-12-05T01:00:00Z");
    assert_true(
      s_allowed("{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2026-12-01T00:00:00Z\"}}", c));
    assert_false(s_allowed("{\"DateLessThan\":{\"aws:CurrentTime\":\"2026-12-05\"}}", c));
    assert_true(s_allowed("{\"DateLessThan\":{\"aws:CurrentTime\":\"2026-12-06\"}}", c));
    assert_true(
      s_allowed("{\"DateEquals\":{\"aws:CurrentTime\":\"2026-12-05T02:00:00+01:00\"}}", c));
    assert_true(s_allowed("{\"DateLessThanEquals\":{\"aws:CurrentTime\":1796432400}}", c));
    assert_false(s_allowed("{\"DateLessThan\":{\"aws:CurrentTime\":1796432400}}", c));
    assert_true(s_allowed("{\"DateNotEquals\":{\"aws:CurrentTime\":\"2026-12-05T01:00:01Z\"}}", c));
    assert_true(
      s_allowed("{\"DateGreaterThanEquals\":{\"aws:CurrentTime\":\"2026-12-05T01:00:00Z\"}}", c));
    assert_false(s_allowed("{\"DateGreaterThan\":{\"aws:CurrentTime\":\"yesterday\"}}", c));
    cpw_iam_context_destroy(c);

    c = s_ctx1("aws:SecureTransport", "true");
    assert_true(s_allowed("{\"Bool\":{\"aws:SecureTransport\":true}}", c));
    assert_true(s_allowed("{\"Bool\":{\"aws:SecureTransport\":\"TRUE\"}}", c));
    assert_false(s_allowed("{\"Bool\":{\"aws:SecureTransport\":\"false\"}}", c));
    assert_false(s_allowed("{\"Bool\":{\"aws:SecureTransport\":\"yes\"}}", c));
    cpw_iam_context_destroy(c);

    c = s_ctx1("s3:x-amz-content-sha256", "QmluYXJ5VmFsdWU=");
    assert_true(
      s_allowed("{\"BinaryEquals\":{\"s3:x-amz-content-sha256\":\"QmluYXJ5VmFsdWU=\"}}", c));
    assert_false(
      s_allowed("{\"BinaryEquals\":{\"s3:x-amz-content-sha256\":\"qmluyxj5vmfsdwu=\"}}", c));
    cpw_iam_context_destroy(c);
}

static void test_ip_address(void **state)
{
    (void)state;
    struct cpw_iam_context *c = s_ctx1("aws:SourceIp", "203.0.113.7");
    assert_true(s_allowed("{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}", c));
    assert_true(
      s_allowed("{\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"203.0.113.7\"]}}", c));
    assert_false(s_allowed("{\"IpAddress\":{\"aws:SourceIp\":\"203.0.112.0/24\"}}", c));
    assert_true(s_allowed("{\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}", c));
    assert_false(s_allowed("{\"NotIpAddress\":{\"aws:SourceIp\":\"203.0.113.0/25\"}}", c));
    assert_true(s_allowed("{\"NotIpAddress\":{\"aws:SourceIp\":\"203.0.113.128/25\"}}", c));
    /* An IPv6 block does not hold an IPv4 address. */
    assert_false(s_allowed("{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8::/32\"}}", c));
    assert_true(s_allowed("{\"NotIpAddress\":{\"aws:SourceIp\":\"2001:db8::/32\"}}", c));
    assert_false(s_allowed("{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/33\"}}", c));
    cpw_iam_context_destroy(c);
    c = s_ctx1("aws:SourceIp", "2001:db8:1234::1");
    assert_true(s_allowed("{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8:1234::/48\"}}", c));
    assert_false(s_allowed("{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8:1235::/48\"}}", c));
    assert_false(s_allowed("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", c));
    cpw_iam_context_destroy(c);
    c = s_ctx1("aws:SourceIp", "not-an-ip");
    assert_false(s_allowed("{\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}", c));
    assert_false(s_allowed("{\"NotIpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", c));
    cpw_iam_context_destroy(c);
}

static void test_arn_operators(void **state)
{
    (void)state;
    struct cpw_iam_context *c =
      s_ctx1("aws:PrincipalArn", "arn:aws:iam::111122223333:role/ops/deploy");
    assert_true(s_allowed("{\"ArnEquals\":{\"aws:PrincipalArn\":"
                          "\"arn:aws:iam::111122223333:role/ops/deploy\"}}",
                          c));
    assert_true(s_allowed("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/ops/*\"}}", c));
    assert_false(
      s_allowed("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/dev/*\"}}", c));
    assert_true(
      s_allowed("{\"ArnNotLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/dev/*\"}}", c));
    assert_false(s_allowed("{\"ArnNotEquals\":{\"aws:PrincipalArn\":"
                           "\"arn:aws:iam::111122223333:role/ops/deploy\"}}",
                           c));
    /* The '*' of one segment does not reach into the next. */
    assert_false(
      s_allowed("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:*:role/ops/deploy\"}}", c));
    cpw_iam_context_destroy(c);
    c = s_ctx1("aws:PrincipalArn", "not-an-arn");
    assert_false(s_allowed("{\"ArnLike\":{\"aws:PrincipalArn\":\"*\"}}", c));
    assert_false(s_allowed("{\"ArnNotLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:*\"}}", c));
    cpw_iam_context_destroy(c);
}

static void test_missing_keys_and_if_exists(void **state)
{
    (void)state;
    struct cpw_iam_context *c = cpw_iam_context_new();
    /* A missing key: positive operators fail, negated operators hold. */
    assert_false(s_allowed("{\"StringEquals\":{\"aws:username\":\"a\"}}", c));
    assert_true(s_allowed("{\"StringNotEquals\":{\"aws:username\":\"a\"}}", c));
    assert_true(s_allowed("{\"StringNotLike\":{\"aws:username\":\"a*\"}}", c));
    assert_true(s_allowed("{\"NotIpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", c));
    assert_false(s_allowed("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", c));
    assert_true(s_allowed("{\"ArnNotEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::1:root\"}}", c));
    assert_false(s_allowed("{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}", c));
    /* IfExists: absent is true, present is evaluated. */
    assert_true(s_allowed("{\"StringEqualsIfExists\":{\"aws:username\":\"a\"}}", c));
    assert_true(s_allowed("{\"NumericLessThanIfExists\":{\"s3:max-keys\":\"1\"}}", c));
    assert_true(s_allowed("{\"BoolIfExists\":{\"aws:MultiFactorAuthPresent\":\"true\"}}", c));
    assert_int_equal(cpw_iam_context_set(c, "aws:username", "b"), 0);
    assert_false(s_allowed("{\"StringEqualsIfExists\":{\"aws:username\":\"a\"}}", c));
    assert_true(s_allowed("{\"StringEqualsIfExists\":{\"aws:username\":\"b\"}}", c));
    assert_false(s_allowed("{\"StringNotEqualsIfExists\":{\"aws:username\":\"b\"}}", c));
    /* Null. */
    assert_true(s_allowed("{\"Null\":{\"aws:TokenIssueTime\":\"true\"}}", c));
    assert_false(s_allowed("{\"Null\":{\"aws:TokenIssueTime\":\"false\"}}", c));
    assert_true(s_allowed("{\"Null\":{\"aws:username\":false}}", c));
    assert_false(s_allowed("{\"Null\":{\"aws:username\":true}}", c));
    /* A multivalued key needs a set operator. */
    assert_int_equal(cpw_iam_context_add(c, "aws:TagKeys", "env"), 0);
    assert_false(s_allowed("{\"StringEquals\":{\"aws:TagKeys\":\"env\"}}", c));
    assert_false(s_allowed("{\"StringNotEquals\":{\"aws:TagKeys\":\"x\"}}", c));
    cpw_iam_context_destroy(c);
}

static void test_set_operators(void **state)
{
    (void)state;
    struct cpw_iam_context *c = cpw_iam_context_new();
    const char *all = "{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"env\",\"team\"]}}";
    const char *any = "{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":[\"env\",\"team\"]}}";
    const char *all_not = "{\"ForAllValues:StringNotEquals\":{\"aws:TagKeys\":[\"secret\"]}}";
    const char *any_not = "{\"ForAnyValue:StringNotEquals\":{\"aws:TagKeys\":[\"env\"]}}";
    /* Missing key: ForAllValues holds (vacuously), ForAnyValue does not. */
    assert_true(s_allowed(all, c));
    assert_false(s_allowed(any, c));
    assert_true(s_allowed(all_not, c));
    assert_false(s_allowed(any_not, c));
    /* IfExists makes ForAnyValue hold for an absent key. */
    assert_true(s_allowed("{\"ForAnyValue:StringEqualsIfExists\":{\"aws:TagKeys\":\"env\"}}", c));
    /* Empty set: the same as missing for both. */
    assert_int_equal(cpw_iam_context_add(c, "aws:TagKeys", NULL), 0);
    assert_true(s_allowed(all, c));
    assert_false(s_allowed(any, c));
    /* {env}: both hold. */
    assert_int_equal(cpw_iam_context_add(c, "aws:TagKeys", "env"), 0);
    assert_true(s_allowed(all, c));
    assert_true(s_allowed(any, c));
    assert_true(s_allowed(all_not, c));
    assert_false(s_allowed(any_not, c)); /* the only value is env */
    /* {env, secret}: not all are allowed; one is; one is not "secret"... */
    assert_int_equal(cpw_iam_context_add(c, "aws:TagKeys", "secret"), 0);
    assert_false(s_allowed(all, c));
    assert_true(s_allowed(any, c));
    assert_false(s_allowed(all_not, c));
    assert_true(s_allowed(any_not, c));
    /* Set operators over a single-valued key treat it as a set of one. */
    assert_int_equal(cpw_iam_context_set(c, "aws:username", "alice"), 0);
    assert_true(s_allowed("{\"ForAllValues:StringLike\":{\"aws:username\":\"a*\"}}", c));
    assert_true(s_allowed("{\"ForAnyValue:StringLike\":{\"aws:username\":\"a*\"}}", c));
    assert_false(s_allowed("{\"ForAnyValue:StringLike\":{\"aws:username\":\"b*\"}}", c));
    cpw_iam_context_destroy(c);
}

static void test_policy_variables(void **state)
{
    (void)state;
    struct cpw_iam_policy *p = fx_policy(
      CPW_IAM_POLICY_IDENTITY, "vars",
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:*\","
      "\"Resource\":\"arn:aws:iam::111122223333:user/${aws:username}\"},"
      "{\"Effect\":\"Allow\",\"Action\":\"iam:GetRole\",\"Resource\":"
      "\"arn:aws:iam::${aws:PrincipalAccount}:role/${aws:username}\"},"
      "{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/${aws:PrincipalTag/"
      "team}/"
      "*\"},{\"Effect\":\"Allow\",\"Action\":\"sqs:*\",\"Resource\":\"arn:aws:sqs:*:*:q${*}\"},"
      "{\"Effect\":\"Allow\",\"Action\":\"sns:*\",\"Resource\":\"arn:aws:sns:*:*:${aws:username,"
      " 'nobody'}\"}]}");
    struct cpw_iam_policy *legacy = fx_policy(
      CPW_IAM_POLICY_IDENTITY, "legacy",
      "{\"Version\":\"2008-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"iam:*\","
      "\"Resource\":\"arn:aws:iam::111122223333:user/${aws:username}\"}}");
    const struct cpw_iam_policy *list[] = { p };
    struct cpw_iam_policy_set set = { .identity = list, .identity_count = 1 };
    struct cpw_iam_context *c = cpw_iam_context_new();
    assert_int_equal(cpw_iam_context_set(c, "aws:username", "alice"), 0);
    assert_int_equal(cpw_iam_context_set(c, "aws:PrincipalAccount", FX_ACCOUNT), 0);
    assert_int_equal(cpw_iam_context_set(c, "aws:PrincipalTag/team", "blue"), 0);
    struct cpw_iam_request r =
      fx_user_request("iam:GetUser", "arn:aws:iam::111122223333:user/alice", c);
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_ALLOWED);
    r.resource = "arn:aws:iam::111122223333:user/bob";
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_IMPLICIT_DENY);
    /* Variables expand only after the fifth colon: in the account segment they are literal. */
    r.action = "iam:GetRole";
    r.resource = "arn:aws:iam::111122223333:role/alice";
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_IMPLICIT_DENY);
    r.action = "s3:GetObject";
    r.resource = "arn:aws:s3:::b/blue/x";
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_ALLOWED);
    r.resource = "arn:aws:s3:::b/red/x";
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_IMPLICIT_DENY);
    /* ${*} is a literal '*', not a wildcard. */
    r.action = "sqs:SendMessage";
    r.resource = "arn:aws:sqs:us-east-1:111122223333:q*";
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_ALLOWED);
    r.resource = "arn:aws:sqs:us-east-1:111122223333:queue";
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_IMPLICIT_DENY);
    /* A default applies when the key is absent. */
    r.action = "sns:Publish";
    r.resource = "arn:aws:sns:us-east-1:111122223333:alice";
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_ALLOWED);
    cpw_iam_context_remove(c, "aws:username");
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_IMPLICIT_DENY);
    r.resource = "arn:aws:sns:us-east-1:111122223333:nobody";
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_ALLOWED);
    /* Without the key, the resource matches nothing and the key is reported missing. */
    r.action = "iam:GetUser";
    r.resource = "arn:aws:iam::111122223333:user/alice";
    struct cpw_iam_decision d;
    assert_int_equal(cpw_iam_evaluate(&set, &r, &d), 0);
    assert_int_equal(d.decision, CPW_IAM_IMPLICIT_DENY);
    assert_int_equal(d.missing_key_count, 1);
    assert_string_equal(d.missing_keys[0], "aws:username");
    cpw_iam_decision_clean_up(&d);
    /* NotResource with a variable that does not resolve does not hold either: the statement
     * is invalid for this request, so this Deny does not apply and the Allow above does. */
    struct cpw_iam_policy *deny_others = fx_policy(
      CPW_IAM_POLICY_IDENTITY, "deny-others",
      "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"sns:*\","
      "\"NotResource\":\"arn:aws:sns:*:*:${aws:userid}\"}}");
    const struct cpw_iam_policy *two[] = { p, deny_others };
    struct cpw_iam_policy_set set2 = { .identity = two, .identity_count = 2 };
    r.action = "sns:Publish";
    r.resource = "arn:aws:sns:us-east-1:111122223333:nobody";
    assert_int_equal(fx_decide(&set2, &r, NULL), CPW_IAM_ALLOWED);
    assert_int_equal(cpw_iam_context_set(c, "aws:userid", "AIDA1"), 0);
    assert_int_equal(fx_decide(&set2, &r, NULL), CPW_IAM_EXPLICIT_DENY);
    cpw_iam_context_remove(c, "aws:userid");
    cpw_iam_policy_destroy(deny_others);
    r.action = "iam:GetUser";
    r.resource = "arn:aws:iam::111122223333:user/alice";
    /* Version 2008-10-17 does not expand variables: the text is literal. */
    assert_int_equal(cpw_iam_context_set(c, "aws:username", "alice"), 0);
    list[0] = legacy;
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_IMPLICIT_DENY);
    r.resource = "arn:aws:iam::111122223333:user/${aws:username}";
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_ALLOWED);
    cpw_iam_context_destroy(c);
    cpw_iam_policy_destroy(p);
    cpw_iam_policy_destroy(legacy);
}

static void test_variables_in_conditions(void **state)
{
    (void)state;
    struct cpw_iam_context *c = s_ctx1("aws:username", "alice");
    assert_int_equal(cpw_iam_context_set(c, "s3:prefix", "home/alice/"), 0);
    assert_int_equal(cpw_iam_context_set(c, "aws:PrincipalTag/team", "blue"), 0);
    assert_int_equal(cpw_iam_context_set(c, "aws:ResourceTag/team", "blue"), 0);
    assert_true(s_allowed("{\"StringLike\":{\"s3:prefix\":\"home/${aws:username}/*\"}}", c));
    assert_false(s_allowed("{\"StringLike\":{\"s3:prefix\":\"home/${aws:userid}/*\"}}", c));
    assert_true(s_allowed("{\"StringEquals\":{\"aws:ResourceTag/team\":"
                          "\"${aws:PrincipalTag/team}\"}}",
                          c));
    /* Variables expand for string and ARN operators only: for Bool the text is literal. */
    assert_int_equal(cpw_iam_context_set(c, "aws:SecureTransport", "true"), 0);
    assert_int_equal(cpw_iam_context_set(c, "aws:PrincipalTag/tls", "true"), 0);
    assert_false(s_allowed("{\"Bool\":{\"aws:SecureTransport\":\"${aws:PrincipalTag/tls}\"}}", c));
    cpw_iam_context_remove(c, "aws:SecureTransport");
    /* An unresolved variable matches nothing, under a negated operator too. */
    assert_false(s_allowed("{\"StringNotEquals\":{\"s3:prefix\":\"${aws:userid}\"}}", c));
    /* A missing variable key is reported. */
    char text[512];
    snprintf(text, sizeof(text),
             "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
             "\"Resource\":\"*\",\"Condition\":{\"StringLike\":{\"s3:prefix\":\"${aws:userid}*\"},"
             "\"Bool\":{\"aws:SecureTransport\":\"true\"}}}}");
    struct cpw_iam_policy *p = fx_policy(CPW_IAM_POLICY_IDENTITY, "m", text);
    const struct cpw_iam_policy *list[] = { p };
    struct cpw_iam_policy_set set = { .identity = list, .identity_count = 1 };
    struct cpw_iam_request r = fx_user_request("s3:ListBucket", "arn:aws:s3:::b", c);
    struct cpw_iam_decision d;
    assert_int_equal(cpw_iam_evaluate(&set, &r, &d), 0);
    assert_int_equal(d.decision, CPW_IAM_IMPLICIT_DENY);
    assert_int_equal(d.missing_key_count, 2);
    assert_string_equal(d.missing_keys[0], "aws:userid");
    assert_string_equal(d.missing_keys[1], "aws:SecureTransport");
    cpw_iam_decision_clean_up(&d);
    cpw_iam_policy_destroy(p);
    cpw_iam_context_destroy(c);
}

static void test_conditions_in_deny_and_other_types(void **state)
{
    (void)state;
    /* An SCP that denies outside one region unless the caller is an admin role. */
    struct cpw_iam_policy *full = fx_simple(CPW_IAM_POLICY_SCP, "Allow", "*", "*");
    struct cpw_iam_policy *region = fx_policy(
      CPW_IAM_POLICY_SCP, "region",
      "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"R\",\"Effect\":\"Deny\",\"NotAction\":"
      "\"iam:*\",\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"aws:RequestedRegion\":"
      "\"eu-west-1\"},\"ArnNotLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/Admin\"}}}}");
    struct cpw_iam_policy *admin = fx_simple(CPW_IAM_POLICY_IDENTITY, "Allow", "*", "*");
    const struct cpw_iam_policy *scps[] = { full, region };
    const struct cpw_iam_policy *id[] = { admin };
    struct cpw_iam_org_level level = { .target_id = "r-1", .policies = scps, .count = 2 };
    struct cpw_iam_policy_set set = {
        .identity = id, .identity_count = 1, .scp_levels = &level, .scp_level_count = 1
    };
    struct cpw_iam_context *c = s_ctx1("aws:RequestedRegion", "us-east-1");
    assert_int_equal(cpw_iam_context_set(c, "aws:PrincipalArn", FX_USER_ARN), 0);
    struct cpw_iam_request r = fx_user_request("s3:ListBucket", "arn:aws:s3:::b", c);
    struct cpw_iam_decision d;
    assert_int_equal(cpw_iam_evaluate(&set, &r, &d), 0);
    assert_int_equal(d.decision, CPW_IAM_EXPLICIT_DENY);
    assert_int_equal(d.denied_by, CPW_IAM_POLICY_SCP);
    assert_int_equal(d.per_type[CPW_IAM_POLICY_SCP], CPW_IAM_EXPLICIT_DENY);
    bool saw = false;
    for (size_t i = 0; i < d.matched_count; i++) {
        if (d.matched[i].deny) {
            assert_string_equal(d.matched[i].sid, "R");
            assert_string_equal(d.matched[i].policy_id, "region");
            assert_int_equal(d.matched[i].type, CPW_IAM_POLICY_SCP);
            saw = true;
        }
    }
    assert_true(saw);
    cpw_iam_decision_clean_up(&d);
    assert_int_equal(cpw_iam_context_set(c, "aws:RequestedRegion", "eu-west-1"), 0);
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_ALLOWED);
    assert_int_equal(cpw_iam_context_set(c, "aws:RequestedRegion", "us-east-1"), 0);
    assert_int_equal(
      cpw_iam_context_set(c, "aws:PrincipalArn", "arn:aws:iam::111122223333:role/Admin"), 0);
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_ALLOWED);
    r.action = "iam:CreateRole"; /* NotAction leaves IAM out of the deny */
    assert_int_equal(cpw_iam_context_set(c, "aws:PrincipalArn", FX_USER_ARN), 0);
    assert_int_equal(fx_decide(&set, &r, NULL), CPW_IAM_ALLOWED);
    cpw_iam_context_destroy(c);
    cpw_iam_policy_destroy(full);
    cpw_iam_policy_destroy(region);
    cpw_iam_policy_destroy(admin);
}

static void test_operator_names(void **state)
{
    (void)state;
    struct cpw_iam_context *c = s_ctx1("aws:username", "a");
    /* Operator names are read case-insensitively; Null takes no IfExists or set prefix. */
    assert_true(s_allowed("{\"stringequals\":{\"aws:username\":\"a\"}}", c));
    assert_true(s_allowed("{\"forallvalues:stringequalsifexists\":{\"aws:username\":\"a\"}}", c));
    struct cpw_iam_policy_parse_options o = { .type = CPW_IAM_POLICY_IDENTITY };
    const char *bad[] = {
        "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":"
        "{\"NullIfExists\":{\"a:b\":\"true\"}}}}",
        "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":"
        "{\"ForAnyValue:Null\":{\"a:b\":\"true\"}}}}",
        "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":"
        "{\"ForSomeValues:StringEquals\":{\"a:b\":\"c\"}}}}",
        "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":"
        "{\"StringEquals\":{\"a:b\":{\"c\":1}}}}}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_null(cpw_iam_policy_parse(cpw_span_from_cstr(bad[i]), &o));
        assert_string_equal(cpw_last_error_detail(), "Syntax errors in policy.");
    }
    cpw_iam_context_destroy(c);
}

CPW_TEST_MAIN("iam_policy_conditions",
              CPW_TEST(test_context),
              CPW_TEST(test_string_operators),
              CPW_TEST(test_numeric_date_bool_binary),
              CPW_TEST(test_ip_address),
              CPW_TEST(test_arn_operators),
              CPW_TEST(test_missing_keys_and_if_exists),
              CPW_TEST(test_set_operators),
              CPW_TEST(test_policy_variables),
              CPW_TEST(test_variables_in_conditions),
              CPW_TEST(test_conditions_in_deny_and_other_types),
              CPW_TEST(test_operator_names))
