/*
 * test_aws_call.c - the one classification of an AWS call's outcome: every error code to its
 * class, per service, and the rule that nothing but the service's own not-found answer is
 * not-found (an HTTP 404 without it, a server fault, an unreadable answer, another service's
 * code); the blocking call and the live/backup wrappers over a scripted server; and the
 * caller's identity.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/aws_call.h"
#include "cpw/error.h"
#include "cpw/live.h"
#include "harness.h"
#include "stub_server.h"

static void s_env(void)
{
    setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", 1);
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_PROFILE");
    unsetenv("AWS_ENDPOINT_URL");
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("AWS_CONFIG_FILE", "/dev/null", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
}

static enum cpw_aws_outcome s_class(const char *service, const char *code, long status)
{
    struct cpw_aws_error e;
    cpw_aws_error_init(&e);
    if (code) {
        cpw_aws_error_set(&e, status, code, "m");
    } else {
        e.http_status = status;
    }
    enum cpw_aws_outcome o = cpw_aws_classify(service, -1, &e);
    cpw_aws_error_clean_up(&e);
    return o;
}

static void test_classify_each_code(void **state)
{
    (void)state;
    static const struct {
        const char *service;
        const char *code;
        long status;
        enum cpw_aws_outcome want;
    } rows[] = {
        { "customer-profiles", "ResourceNotFoundException", 404, CPW_AWS_OUTCOME_NOT_FOUND },
        { "connect", "ResourceNotFoundException", 404, CPW_AWS_OUTCOME_NOT_FOUND },
        { "iam", "NoSuchEntity", 404, CPW_AWS_OUTCOME_NOT_FOUND },
        /* another service's not-found code is not this service's answer */
        { "iam", "ResourceNotFoundException", 404, CPW_AWS_OUTCOME_OTHER },
        { "customer-profiles", "NoSuchEntity", 404, CPW_AWS_OUTCOME_OTHER },
        { "connect", "NoSuchEntity", 404, CPW_AWS_OUTCOME_OTHER },
        /* services without a not-found answer here */
        { "sts", "ResourceNotFoundException", 404, CPW_AWS_OUTCOME_OTHER },
        { "organizations", "ResourceNotFoundException", 400, CPW_AWS_OUTCOME_OTHER },
        { NULL, "ResourceNotFoundException", 404, CPW_AWS_OUTCOME_OTHER },
        /* a status without the code, or the status as the code, is never not-found */
        { "customer-profiles", "404", 404, CPW_AWS_OUTCOME_OTHER },
        { "iam", "404", 404, CPW_AWS_OUTCOME_OTHER },
        { "customer-profiles", "NotFound", 404, CPW_AWS_OUTCOME_OTHER },
        { "customer-profiles", "resourcenotfoundexception", 404, CPW_AWS_OUTCOME_OTHER },
        { "customer-profiles", "", 404, CPW_AWS_OUTCOME_OTHER },
        { "customer-profiles", NULL, 404, CPW_AWS_OUTCOME_OTHER },
        { "customer-profiles", "AccessDeniedException", 403, CPW_AWS_OUTCOME_ACCESS_DENIED },
        { "iam", "AccessDenied", 403, CPW_AWS_OUTCOME_ACCESS_DENIED },
        { "connect", "UnauthorizedOperation", 403, CPW_AWS_OUTCOME_ACCESS_DENIED },
        { "customer-profiles", "ThrottlingException", 429, CPW_AWS_OUTCOME_THROTTLED },
        { "iam", "Throttling", 400, CPW_AWS_OUTCOME_THROTTLED },
        { "connect", "TooManyRequestsException", 429, CPW_AWS_OUTCOME_THROTTLED },
        { "customer-profiles", "InternalServerException", 500, CPW_AWS_OUTCOME_OTHER },
        { "iam", "ServiceFailure", 500, CPW_AWS_OUTCOME_OTHER },
        { "customer-profiles", "ValidationException", 400, CPW_AWS_OUTCOME_OTHER },
        { "iam", "UnrecognizedClientException", 403, CPW_AWS_OUTCOME_OTHER },
        { "sts", "ExpiredToken", 403, CPW_AWS_OUTCOME_OTHER },
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        enum cpw_aws_outcome got = s_class(rows[i].service, rows[i].code, rows[i].status);
        if (got != rows[i].want) {
            fail_msg("%s %s (%ld): %s, want %s", rows[i].service ? rows[i].service : "(null)",
                     rows[i].code ? rows[i].code : "(null)", rows[i].status,
                     cpw_aws_outcome_name(got), cpw_aws_outcome_name(rows[i].want));
        }
    }
    /* success is ok whatever the error struct holds; a failure without one is other */
    struct cpw_aws_error e;
    cpw_aws_error_init(&e);
    cpw_aws_error_set(&e, 404, "ResourceNotFoundException", "x");
    assert_int_equal(cpw_aws_classify("customer-profiles", 0, &e), CPW_AWS_OUTCOME_OK);
    cpw_aws_error_clean_up(&e);
    assert_int_equal(cpw_aws_classify("customer-profiles", -1, NULL), CPW_AWS_OUTCOME_OTHER);
    assert_string_equal(cpw_aws_not_found_code("iam"), "NoSuchEntity");
    assert_null(cpw_aws_not_found_code("sts"));
    assert_true(cpw_aws_is_not_found("connect", "ResourceNotFoundException"));
    assert_false(cpw_aws_is_not_found("connect", NULL));
}

static struct cpw_aws_client *s_client(const char *url)
{
    struct cpw_http_engine_options engine = { .retry = { .max_attempts = 1 } };
    struct cpw_aws_client_options opts = {
        .region = "us-east-1",
        .endpoint_url = url,
        .engine = &engine,
    };
    struct cpw_aws_client *client = cpw_aws_client_new(&opts);
    assert_non_null(client);
    return client;
}

#define JSON_ERR(code) "Content-Type: application/json\nx-amzn-ErrorType: " code "\n"

static void test_call_classifies_over_the_wire(void **state)
{
    (void)state;
    s_env();
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    static const struct cpw_stub_reply script[] = {
        { .status = 404,
          .headers = JSON_ERR("ResourceNotFoundException"),
          .body = "{\"Message\":\"Domain d not found\"}" },
        { .status = 404, .headers = "Content-Type: text/html\n", .body = "<html>nope</html>" },
        { .status = 403,
          .headers = JSON_ERR("AccessDeniedException"),
          .body = "{\"Message\":\"no\"}" },
        { .status = 500,
          .headers = JSON_ERR("InternalServerException"),
          .body = "{\"Message\":\"oops\"}" },
        { .status = 200, .headers = "Content-Type: application/json\n", .body = "{\"Dom" },
        { .status = 200, .headers = "Content-Type: application/json\n", .body = "{}" },
    };
    cpw_stub_script(stub, script, sizeof(script) / sizeof(script[0]));
    struct cpw_aws_client *client = s_client(cpw_stub_url(stub));
    json_t *input = json_pack("{s:s}", "DomainName", "d");
    struct cpw_aws_call call = { .service = "customer-profiles",
                                 .operation = "GetDomain",
                                 .input = input };
    static const enum cpw_aws_outcome want[] = {
        CPW_AWS_OUTCOME_NOT_FOUND, CPW_AWS_OUTCOME_OTHER, CPW_AWS_OUTCOME_ACCESS_DENIED,
        CPW_AWS_OUTCOME_OTHER,     CPW_AWS_OUTCOME_OTHER, CPW_AWS_OUTCOME_OK,
    };
    static const enum cpw_error want_error[] = {
        CPW_ERR_NOT_FOUND, CPW_ERR_AWS, CPW_ERR_AWS, CPW_ERR_AWS, CPW_ERR_PARSE, CPW_ERR_NONE,
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        struct cpw_aws_error aws;
        cpw_aws_error_init(&aws);
        json_t *out = NULL;
        enum cpw_aws_outcome outcome = CPW_AWS_OUTCOME_OK;
        cpw_error_clear();
        int rc = cpw_aws_call_classified(client, &call, false, &out, &aws, &outcome);
        if (outcome != want[i]) {
            fail_msg("reply %zu: %s, want %s (%s)", i, cpw_aws_outcome_name(outcome),
                     cpw_aws_outcome_name(want[i]), cpw_last_error_detail());
        }
        assert_int_equal(rc, want[i] == CPW_AWS_OUTCOME_OK ? 0 : -1);
        if (want[i] == CPW_AWS_OUTCOME_OK) {
            assert_non_null(out);
        } else {
            assert_null(out);
            assert_int_equal(cpw_last_error(), want_error[i]);
        }
        if (i == 0) {
            assert_string_equal(aws.code, "ResourceNotFoundException");
            assert_non_null(strstr(cpw_last_error_detail(),
                                   "An error occurred (ResourceNotFoundException) when calling "
                                   "the GetDomain operation: Domain d not found"));
        }
        json_decref(out);
        cpw_aws_error_clean_up(&aws);
    }
    json_decref(input);
    cpw_aws_client_destroy(client);
    cpw_stub_stop(stub);
}

/* The live reader's existence answer: only the not-found code says "gone". */
static void test_live_exists_only_on_not_found(void **state)
{
    (void)state;
    s_env();
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    static const struct cpw_stub_reply script[] = {
        { .status = 404, .headers = "Content-Type: text/plain\n", .body = "not here" },
        { .status = 503,
          .headers = JSON_ERR("ServiceUnavailableException"),
          .body = "{\"Message\":\"later\"}" },
        { .status = 400,
          .headers = JSON_ERR("ThrottlingException"),
          .body = "{\"Message\":\"slow\"}" },
        { .status = 200, .headers = "Content-Type: application/json\n", .body = "[1," },
        { .status = 404,
          .headers = JSON_ERR("ResourceNotFoundException"),
          .body = "{\"Message\":\"gone\"}" },
    };
    cpw_stub_script(stub, script, sizeof(script) / sizeof(script[0]));
    struct cpw_aws_client *client = s_client(cpw_stub_url(stub));
    for (size_t i = 0; i < 4; i++) {
        bool exists = true;
        json_t *out = NULL;
        int rc = cpw_live_call(client, "customer-profiles", "GetDomain",
                               json_pack("{s:s}", "DomainName", "d"), NULL, false, &out, &exists);
        if (rc != -1 || !exists) {
            fail_msg("reply %zu taken for not-found (rc %d): %s", i, rc, cpw_last_error_detail());
        }
        assert_null(out);
    }
    bool exists = true;
    json_t *out = NULL;
    assert_int_equal(cpw_live_call(client, "customer-profiles", "GetDomain",
                                   json_pack("{s:s}", "DomainName", "d"), NULL, false, &out,
                                   &exists),
                     0);
    assert_false(exists);
    assert_null(out);
    cpw_aws_client_destroy(client);
    cpw_stub_stop(stub);
}

#define STS_OK(account, arn)                                                                       \
    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"              \
    "<GetCallerIdentityResult><Arn>" arn "</Arn><UserId>AIDAEXAMPLE</UserId><Account>" account     \
    "</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId>"               \
    "</ResponseMetadata></GetCallerIdentityResponse>"

static void test_caller_identity(void **state)
{
    (void)state;
    s_env();
    struct cpw_stub_server *stub = cpw_stub_start();
    assert_non_null(stub);
    static const struct cpw_stub_reply script[] = {
        { .headers = "Content-Type: text/xml\n",
          .body = STS_OK("123456789012", "arn:aws-cn:iam::123456789012:user/alice") },
        { .headers = "Content-Type: text/xml\n",
          .body = STS_OK("1234", "arn:aws:iam::123456789012:user/alice") },
        { .status = 403,
          .headers = "Content-Type: text/xml\n",
          .body = "<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code>"
                  "<Message>expired</Message></Error><RequestId>r</RequestId></ErrorResponse>" },
    };
    cpw_stub_script(stub, script, sizeof(script) / sizeof(script[0]));
    struct cpw_aws_client *client = s_client(cpw_stub_url(stub));
    struct cpw_aws_identity who;
    assert_int_equal(cpw_aws_caller_identity(client, NULL, &who, NULL), 0);
    assert_string_equal(who.account, "123456789012");
    assert_string_equal(who.arn, "arn:aws-cn:iam::123456789012:user/alice");
    assert_string_equal(who.user_id, "AIDAEXAMPLE");
    assert_string_equal(who.partition, "aws-cn");
    cpw_aws_identity_clean_up(&who);
    assert_null(who.account);

    assert_int_equal(cpw_aws_caller_identity(client, NULL, &who, NULL), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_AWS);
    assert_null(who.account);

    struct cpw_aws_error aws;
    cpw_aws_error_init(&aws);
    char *account = NULL, *arn = NULL;
    assert_int_equal(cpw_aws_caller_identity(client, NULL, &who, &aws), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_AWS);
    assert_string_equal(aws.code, "ExpiredToken");
    cpw_aws_error_clean_up(&aws);
    assert_int_equal(cpw_live_identity(client, &account, &arn), -1); /* default reply: empty */
    assert_null(account);
    assert_null(arn);
    cpw_aws_client_destroy(client);
    cpw_stub_stop(stub);
}

CPW_TEST_MAIN("aws_call",
              CPW_TEST(test_classify_each_code),
              CPW_TEST(test_call_classifies_over_the_wire),
              CPW_TEST(test_live_exists_only_on_not_found),
              CPW_TEST(test_caller_identity))
