/*
 * test_codec.c - the protocol codecs' edges: the AWS error matrix (how the CLIs read each reply
 * variant) as a table, error classes and the CLI line, malformed replies and requests, routing,
 * error replies the sandbox sends, timestamps, and the JSON/XML wrappers.
 */
#include <string.h>

#include "aws/codec_rest.h"
#include "cpw/alloc.h"
#include "cpw/codec.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/xml.h"
#include "harness.h"

struct error_row {
    const char *id;
    const char *service;
    const char *operation;
    long status;
    const char *header_name; /* optional */
    const char *header_value;
    const char *body;
    int want_rc; /* 0 success, -1 */
    enum cpw_error want_error;
    const char *want_code; /* NULL: not checked */
    const char *want_message;
};

static const char s_q[] = "<ErrorResponse><Error><Type>Sender</Type><Code>DeleteConflict</Code>"
                          "<Message>Cannot delete entity.</Message></Error>"
                          "<RequestId>4a3f-req-id</RequestId></ErrorResponse>";

static const struct error_row s_matrix[] = {
    { "R1", "customer-profiles", "GetDomain", 404, "x-amzn-ErrorType", "ResourceNotFoundException",
      "{\"Message\":\"Domain x does not exist\"}", -1, CPW_ERR_AWS, "ResourceNotFoundException",
      "Domain x does not exist" },
    { "R2", "customer-profiles", "GetDomain", 404, "X-Amzn-Errortype",
      "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazon.coral.service/",
      "{\"message\":\"lower-case message key\"}", -1, CPW_ERR_AWS, "ResourceNotFoundException",
      "lower-case message key" },
    { "R3", "customer-profiles", "GetDomain", 404, NULL, NULL,
      "{\"__type\":\"ResourceNotFoundException\",\"Message\":\"m\"}", -1, CPW_ERR_AWS,
      "ResourceNotFoundException", "m" },
    { "R4", "customer-profiles", "GetDomain", 404, NULL, NULL,
      "{\"code\":\"ResourceNotFoundException\",\"message\":\"m\"}", -1, CPW_ERR_AWS,
      "ResourceNotFoundException", "m" },
    { "R5", "customer-profiles", "GetDomain", 404, NULL, NULL, "{\"Message\":\"no code anywhere\"}",
      -1, CPW_ERR_AWS, "404", "no code anywhere" },
    { "R6", "customer-profiles", "GetDomain", 400, "x-amzn-ErrorType", "BadRequestException",
      "{\"__type\":\"ResourceNotFoundException\",\"message\":\"m\"}", -1, CPW_ERR_AWS,
      "BadRequestException", "m" },
    { "R7", "customer-profiles", "GetDomain", 404, "x-amzn-ErrorType",
      "com.amazonaws.profile#ResourceNotFoundException", "{}", -1, CPW_ERR_AWS,
      "ResourceNotFoundException", "" },
    { "R8", "customer-profiles", "GetDomain", 404, NULL, NULL, "", -1, CPW_ERR_AWS, "404", "" },
    { "R9", "customer-profiles", "GetDomain", 404, "x-amzn-ErrorType", "ResourceNotFoundException",
      "not json", -1, CPW_ERR_AWS, "ResourceNotFoundException", "not json" },
    { "R-200", "customer-profiles", "GetDomain", 200, "x-amzn-ErrorType",
      "ResourceNotFoundException", "{\"Message\":\"m\"}", 0, CPW_ERR_NONE, NULL, NULL },
    { "R-300", "customer-profiles", "GetDomain", 300, NULL, NULL, "{}", 0, CPW_ERR_NONE, NULL,
      NULL },
    { "R-301", "customer-profiles", "GetDomain", 301, NULL, NULL, "", -1, CPW_ERR_AWS, "301", "" },
    { "R-503", "customer-profiles", "GetDomain", 503, NULL, NULL, "", -1, CPW_ERR_AWS, "503",
      "Service Unavailable" },
    { "Q1", "iam", "DeleteServiceLinkedRole", 409, NULL, NULL, s_q, -1, CPW_ERR_AWS,
      "DeleteConflict", "Cannot delete entity." },
    { "Q2", "iam", "DeleteServiceLinkedRole", 409, NULL, NULL,
      "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Code>"
      "DeleteConflict</Code><Message>m</Message></Error></ErrorResponse>",
      -1, CPW_ERR_AWS, "DeleteConflict", "m" },
    { "Q4", "iam", "GetRole", 404, NULL, NULL,
      "<ErrorResponse><Error><Code>NoSuchEntity</Code><Message>gone</Message></Error>"
      "</ErrorResponse>",
      -1, CPW_ERR_AWS, "NoSuchEntity", "gone" },
    { "Q5", "iam", "DeleteServiceLinkedRole", 409, "x-amzn-ErrorType", "DeleteConflict", "", -1,
      CPW_ERR_PARSE, NULL, NULL },
    { "Q6", "iam", "DeleteServiceLinkedRole", 409, NULL, NULL, "{\"__type\":\"DeleteConflict\"}",
      -1, CPW_ERR_PARSE, NULL, NULL },
    { "Q-200-error", "iam", "DeleteServiceLinkedRole", 200, NULL, NULL, s_q, -1, CPW_ERR_PARSE,
      NULL, NULL },
    { "J1", "organizations", "DescribeOrganization", 400, NULL, NULL,
      "{\"__type\":\"AWSOrganizationsNotInUseException\",\"Message\":\"not in use\"}", -1,
      CPW_ERR_AWS, "AWSOrganizationsNotInUseException", "not in use" },
    { "J2", "organizations", "DescribeOrganization", 400, NULL, NULL,
      "{\"__type\":\"com.amazonaws.organizations.v20161128#AWSOrganizationsNotInUseException\"}",
      -1, CPW_ERR_AWS, "AWSOrganizationsNotInUseException", "" },
    { "J3", "organizations", "DescribeOrganization", 400, "x-amzn-ErrorType",
      "AWSOrganizationsNotInUseException", "{\"message\":\"m\"}", -1, CPW_ERR_AWS, "400", "m" },
    { "J4", "cloudtrail", "LookupEvents", 400, NULL, NULL,
      "{\"__type\":\"InvalidLookupAttributesException:http://internal.amazon.com/coral/\"}", -1,
      CPW_ERR_AWS, "InvalidLookupAttributesException", "" },
};

static void test_error_matrix(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(s_matrix) / sizeof(s_matrix[0]); i++) {
        const struct error_row *row = &s_matrix[i];
        const struct cpw_model_service *svc = cpw_model_service_get(row->service);
        assert_non_null(svc);
        struct cpw_http_response resp;
        cpw_http_response_init(&resp);
        resp.status = row->status;
        cpw_headers_add_cstr(&resp.headers, "x-amzn-RequestId", "rid-7");
        if (row->header_name) {
            cpw_headers_add_cstr(&resp.headers, row->header_name, row->header_value);
        }
        assert_int_equal(cpw_buf_append_cstr(&resp.body, row->body), 0);
        json_t *output = NULL;
        struct cpw_aws_error err;
        cpw_aws_error_init(&err);
        cpw_error_clear();
        int rc = cpw_codec_parse_response(svc, row->operation, &resp, &output, &err);
        if (rc != row->want_rc || (rc && cpw_last_error() != row->want_error)) {
            fail_msg("%s: rc %d error %s (%s)", row->id, rc, cpw_error_name(cpw_last_error()),
                     cpw_last_error_detail());
        }
        if (rc == 0) {
            assert_non_null(output);
        } else {
            assert_null(output);
        }
        if (row->want_code) {
            if (strcmp(err.code, row->want_code) != 0 ||
                strcmp(err.message, row->want_message) != 0) {
                fail_msg("%s: code %s message %s", row->id, err.code, err.message);
            }
            assert_int_equal(err.http_status, row->status);
        }
        json_decref(output);
        cpw_aws_error_clean_up(&err);
        cpw_http_response_clean_up(&resp);
    }
}

static void test_query_error_fields(void **state)
{
    (void)state;
    const struct cpw_model_service *iam = cpw_model_service_get("iam");
    struct cpw_http_response resp;
    cpw_http_response_init(&resp);
    resp.status = 409;
    assert_int_equal(cpw_buf_append_cstr(&resp.body, s_q), 0);
    json_t *output = NULL;
    struct cpw_aws_error err;
    cpw_aws_error_init(&err);
    assert_int_equal(cpw_codec_parse_response(iam, "DeleteServiceLinkedRole", &resp, &output, &err),
                     -1);
    assert_string_equal(err.type, "Sender");
    assert_string_equal(err.request_id, "4a3f-req-id");
    assert_int_equal(err.error_class, CPW_AWS_ERROR_CLIENT);
    struct cpw_buf line;
    cpw_buf_init(&line, 1024);
    assert_int_equal(cpw_aws_error_format(&err, "DeleteServiceLinkedRole", &line), 0);
    assert_string_equal(cpw_buf_cstr(&line),
                        "An error occurred (DeleteConflict) when calling the "
                        "DeleteServiceLinkedRole operation: Cannot delete entity.");
    cpw_buf_clean_up(&line);

    /* No <Code> and no <Message>: botocore prints "Unknown" for both. */
    cpw_buf_reset(&resp.body);
    assert_int_equal(cpw_buf_append_cstr(&resp.body, "<ErrorResponse><Error><Type>Sender</Type>"
                                                     "</Error></ErrorResponse>"),
                     0);
    assert_int_equal(cpw_codec_parse_response(iam, "GetRole", &resp, &output, &err), -1);
    assert_null(err.message);
    cpw_buf_init(&line, 1024);
    assert_int_equal(cpw_aws_error_format(&err, "GetRole", &line), 0);
    assert_string_equal(cpw_buf_cstr(&line),
                        "An error occurred (Unknown) when calling the GetRole operation: Unknown");
    cpw_buf_clean_up(&line);
    cpw_aws_error_clean_up(&err);
    cpw_http_response_clean_up(&resp);
}

static void test_error_classes(void **state)
{
    (void)state;
    assert_int_equal(cpw_aws_error_classify("ThrottlingException", 400), CPW_AWS_ERROR_THROTTLING);
    assert_int_equal(cpw_aws_error_classify("SlowDown", 503), CPW_AWS_ERROR_THROTTLING);
    assert_int_equal(cpw_aws_error_classify("PriorRequestNotComplete", 400),
                     CPW_AWS_ERROR_THROTTLING);
    assert_int_equal(cpw_aws_error_classify("RequestTimeout", 400), CPW_AWS_ERROR_TRANSIENT);
    assert_int_equal(cpw_aws_error_classify("InternalServerException", 500),
                     CPW_AWS_ERROR_TRANSIENT);
    assert_int_equal(cpw_aws_error_classify("503", 503), CPW_AWS_ERROR_TRANSIENT);
    assert_int_equal(cpw_aws_error_classify("NotImplemented", 501), CPW_AWS_ERROR_SERVER);
    assert_int_equal(cpw_aws_error_classify("NoSuchEntity", 404), CPW_AWS_ERROR_CLIENT);
    struct cpw_aws_error err;
    cpw_aws_error_init(&err);
    cpw_aws_error_set(&err, 429, "TooManyRequestsException", "rate %d", 5);
    assert_true(cpw_aws_error_is_retryable(&err));
    assert_string_equal(err.message, "rate 5");
    cpw_aws_error_set(&err, 400, "", "%s", "");
    assert_false(cpw_aws_error_is_retryable(&err));
    struct cpw_buf line;
    cpw_buf_init(&line, 1024);
    assert_int_equal(cpw_aws_error_format(&err, "GetDomain", &line), 0);
    assert_string_equal(cpw_buf_cstr(&line),
                        "An error occurred (Unknown) when calling the GetDomain operation: ");
    cpw_buf_clean_up(&line);
    /* A server's code and message reach the terminal with their control characters escaped. */
    cpw_buf_init(&line, 1024);
    cpw_aws_error_set(&err, 400, "Bad\x1b[5mCode", "%s", "\x1b[2J\x1b]0;title\x07gone\r\n");
    assert_int_equal(cpw_aws_error_format(&err, "ListDomains", &line), 0);
    assert_string_equal(
      cpw_buf_cstr(&line),
      "An error occurred (Bad\\x1b[5mCode) when calling the ListDomains operation: "
      "\\x1b[2J\\x1b]0;title\\x07gone\\x0d\\x0a");
    cpw_buf_clean_up(&line);
    cpw_aws_error_clean_up(&err);
    cpw_aws_error_clean_up(NULL);
}

static void s_reply(struct cpw_http_response *resp, long status, const char *body)
{
    cpw_http_response_init(resp);
    resp->status = status;
    assert_int_equal(cpw_buf_append_cstr(&resp->body, body), 0);
}

static void test_malformed_replies(void **state)
{
    (void)state;
    static const struct {
        const char *service;
        const char *operation;
        const char *body;
        const char *detail;
    } rows[] = {
        { "organizations", "ListAccounts", "{\"Accounts\": [", "malformed JSON at line 1" },
        { "organizations", "ListAccounts", "{\"Accounts\": 5}", "Accounts: expected a JSON array" },
        { "organizations", "ListAccounts", "{\"a\": 1, \"a\": 2}", "duplicate" },
        { "customer-profiles", "ListDomains", "<html>", "malformed JSON" },
        { "iam", "ListRoles", "<ListRolesResponse><ListRolesResult>", "malformed XML at line 1" },
        { "iam", "ListRoles", "<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>", "document type" },
        { "iam", "ListRoles", "<ListRolesResponse/>", "no <ListRolesResult>" },
        { "iam", "ListRoles",
          "<ListRolesResponse><ListRolesResult><MaxItems>x</MaxItems><IsTruncated>maybe"
          "</IsTruncated></ListRolesResult></ListRolesResponse>",
          "<IsTruncated>: not a valid boolean" },
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct cpw_http_response resp;
        s_reply(&resp, 200, rows[i].body);
        json_t *output = NULL;
        struct cpw_aws_error err;
        cpw_aws_error_init(&err);
        int rc = cpw_codec_parse_response(cpw_model_service_get(rows[i].service), rows[i].operation,
                                          &resp, &output, &err);
        if (rc != -1 || cpw_last_error() != CPW_ERR_PARSE ||
            !strstr(cpw_last_error_detail(), rows[i].detail)) {
            fail_msg("row %zu: rc %d %s: %s", i, rc, cpw_error_name(cpw_last_error()),
                     cpw_last_error_detail());
        }
        assert_null(output);
        cpw_aws_error_clean_up(&err);
        cpw_http_response_clean_up(&resp);
    }
}

static void s_request(struct cpw_http_request *req,
                      const char *method,
                      const char *target,
                      const char *header,
                      const char *value,
                      const char *body)
{
    cpw_http_request_init(req);
    cpw_http_request_set_method(req, method);
    assert_int_equal(cpw_http_request_set_target(req, cpw_span_from_cstr(target)), 0);
    if (header) {
        cpw_headers_add_cstr(&req->headers, header, value);
    }
    assert_int_equal(cpw_buf_append_cstr(&req->body, body), 0);
}

static void test_routing(void **state)
{
    (void)state;
    static const struct {
        const char *service;
        const char *method;
        const char *target;
        const char *header;
        const char *value;
        const char *body;
        const char *want; /* NULL: not found */
    } rows[] = {
        { "customer-profiles", "GET", "/domains", NULL, NULL, "", "ListDomains" },
        { "customer-profiles", "GET", "/domains?next-token=x", NULL, NULL, "", "ListDomains" },
        { "customer-profiles", "GET", "/domains/x", NULL, NULL, "", "GetDomain" },
        { "customer-profiles", "DELETE", "/domains/x", NULL, NULL, "", "DeleteDomain" },
        { "customer-profiles", "POST", "/domains/d/profiles/search", NULL, NULL, "{}",
          "SearchProfiles" },
        /* A literal segment beats a label in the same place. */
        { "customer-profiles", "GET", "/domains/d/object-types", NULL, NULL, "",
          "ListProfileObjectTypes" },
        { "customer-profiles", "GET", "/domains/d/object-types/t", NULL, NULL, "",
          "GetProfileObjectType" },
        { "customer-profiles", "GET", "/domains/", NULL, NULL, "", NULL },
        { "customer-profiles", "PATCH", "/domains", NULL, NULL, "", NULL },
        { "connect", "GET", "/instance", NULL, NULL, "", "ListInstances" },
        { "connect", "PUT", "/instance", NULL, NULL, "{}", "CreateInstance" },
        { "connect", "DELETE", "/instance/i-1?clientToken=t", NULL, NULL, "", "DeleteInstance" },
        { "iam", "POST", "/", "Content-Type", "application/x-www-form-urlencoded",
          "Action=ListRoles&Version=2010-05-08", "ListRoles" },
        { "iam", "GET", "/?Action=GetRole&RoleName=R", NULL, NULL, "", "GetRole" },
        { "iam", "POST", "/", NULL, NULL, "Action=NoSuchAction", NULL },
        { "iam", "POST", "/", NULL, NULL, "Version=2010-05-08", NULL },
        { "organizations", "POST", "/", "X-Amz-Target", "AWSOrganizationsV20161128.ListAccounts",
          "{}", "ListAccounts" },
        { "organizations", "POST", "/", "X-Amz-Target", "Other.ListAccounts", "{}", NULL },
        { "organizations", "POST", "/", "X-Amz-Target", "AWSOrganizationsV20161128.Nope", "{}",
          NULL },
        { "organizations", "POST", "/", NULL, NULL, "{}", NULL },
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct cpw_http_request req;
        s_request(&req, rows[i].method, rows[i].target, rows[i].header, rows[i].value,
                  rows[i].body);
        const char *op = NULL;
        int rc = cpw_codec_route(cpw_model_service_get(rows[i].service), &req, &op);
        if (rows[i].want ? (rc != 0 || strcmp(op, rows[i].want) != 0)
                         : (rc != -1 || cpw_last_error() != CPW_ERR_NOT_FOUND)) {
            fail_msg("row %zu (%s %s): rc %d op %s", i, rows[i].method, rows[i].target, rc,
                     op ? op : "(none)");
        }
        cpw_http_request_clean_up(&req);
    }
}

static void test_malformed_requests(void **state)
{
    (void)state;
    static const struct {
        const char *service;
        const char *operation;
        const char *method;
        const char *target;
        const char *body;
        const char *want_code;
        long want_status;
    } rows[] = {
        { "organizations", "ListAccounts", "POST", "/",
          "{\"MaxResults\": ", "SerializationException", 400 },
        { "organizations", "ListAccounts", "POST", "/", "{\"MaxResults\": \"5\"}",
          "SerializationException", 400 },
        { "organizations", "ListAccounts", "POST", "/", "[]", "SerializationException", 400 },
        { "iam", "ListRoles", "POST", "/", "Action=ListRoles&MaxItems=%zz", "MalformedQueryString",
          404 },
        { "iam", "ListRoles", "POST", "/", "Action=ListRoles&MaxItems=ten", "InvalidParameterValue",
          400 },
        { "iam", "ListRoles", "POST", "/", "Action=ListRoles&PathPrefix=%00",
          "MalformedQueryString", 404 },
        { "customer-profiles", "CreateDomain", "POST", "/domains/d",
          "{\"DefaultExpirationDays\": true}", "BadRequestException", 400 },
        { "customer-profiles", "ListDomains", "GET", "/domains?max-results=many", "",
          "BadRequestException", 400 },
        { "customer-profiles", "GetDomain", "GET", "/domains/%zz", "", "BadRequestException", 400 },
        { "connect", "CreateInstance", "PUT", "/instance", "{\"InboundCallsEnabled\": \"yes\"}",
          "InvalidRequestException", 400 },
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct cpw_http_request req;
        s_request(&req, rows[i].method, rows[i].target, NULL, NULL, rows[i].body);
        json_t *input = NULL;
        struct cpw_aws_error err;
        cpw_aws_error_init(&err);
        int rc = cpw_codec_parse_request(cpw_model_service_get(rows[i].service), rows[i].operation,
                                         &req, &input, &err);
        if (rc != -1 || !err.code || strcmp(err.code, rows[i].want_code) != 0 ||
            err.http_status != rows[i].want_status) {
            fail_msg("row %zu: rc %d code %s status %ld (%s)", i, rc, err.code ? err.code : "-",
                     err.http_status, cpw_last_error_detail());
        }
        assert_null(input);
        assert_int_equal(cpw_last_error(), CPW_ERR_PARSE);
        cpw_aws_error_clean_up(&err);
        cpw_http_request_clean_up(&req);
    }
}

static void test_server_error_replies(void **state)
{
    (void)state;
    struct cpw_aws_error err;
    cpw_aws_error_init(&err);
    struct cpw_http_response resp;

    /* query: status from the model (DeleteConflict is 409), XML body, Type Sender. */
    cpw_aws_error_set(&err, 400, "DeleteConflict", "Cannot delete <R> & co");
    cpw_aws_error_set_field(&err.request_id, "rid-1");
    cpw_http_response_init(&resp);
    assert_int_equal(cpw_codec_serialize_error(cpw_model_service_get("iam"), &err, &resp), 0);
    assert_int_equal(resp.status, 409);
    assert_string_equal(cpw_headers_get(&resp.headers, "Content-Type"), "text/xml");
    assert_string_equal(cpw_buf_cstr(&resp.body),
                        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>"
                        "<Type>Sender</Type><Code>DeleteConflict</Code><Message>Cannot delete "
                        "&lt;R&gt; &amp; co</Message></Error><RequestId>rid-1</RequestId>"
                        "</ErrorResponse>");
    cpw_http_response_clean_up(&resp);

    cpw_aws_error_set(&err, 400, "NoSuchEntity", "gone");
    cpw_http_response_init(&resp);
    assert_int_equal(cpw_codec_serialize_error(cpw_model_service_get("iam"), &err, &resp), 0);
    assert_int_equal(resp.status, 404);
    cpw_http_response_clean_up(&resp);

    /* rest-json: header + both message keys, status from the model. */
    cpw_aws_error_set(&err, 400, "ResourceNotFoundException", "Domain x does not exist");
    cpw_http_response_init(&resp);
    assert_int_equal(
      cpw_codec_serialize_error(cpw_model_service_get("customer-profiles"), &err, &resp), 0);
    assert_int_equal(resp.status, 404);
    assert_string_equal(cpw_headers_get(&resp.headers, "x-amzn-ErrorType"),
                        "ResourceNotFoundException");
    assert_string_equal(cpw_headers_get(&resp.headers, "Content-Type"), "application/json");
    assert_string_equal(cpw_buf_cstr(&resp.body), "{\"message\": \"Domain x does not exist\", "
                                                  "\"Message\": \"Domain x does not exist\"}");
    cpw_http_response_clean_up(&resp);

    /* json: __type + message; an unmodelled code keeps the given status. */
    cpw_aws_error_set(&err, 503, "SomethingElse", "m");
    cpw_http_response_init(&resp);
    assert_int_equal(cpw_codec_serialize_error(cpw_model_service_get("organizations"), &err, &resp),
                     0);
    assert_int_equal(resp.status, 503);
    assert_string_equal(cpw_headers_get(&resp.headers, "Content-Type"),
                        "application/x-amz-json-1.1");
    assert_string_equal(cpw_buf_cstr(&resp.body),
                        "{\"__type\": \"SomethingElse\", \"message\": \"m\"}");
    cpw_http_response_clean_up(&resp);
    cpw_aws_error_clean_up(&err);
}

static void test_client_serialize_refusals(void **state)
{
    (void)state;
    const struct cpw_model_service *cp = cpw_model_service_get("customer-profiles");
    struct cpw_http_request req;
    json_t *doc = json_pack("{s:s, s:i}", "DomainName", "d", "Bogus", 1);
    cpw_http_request_init(&req);
    assert_int_equal(cpw_codec_serialize_request(cp, "GetDomain", doc, &req), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_VALIDATION);
    cpw_http_request_clean_up(&req);
    json_decref(doc);

    cpw_http_request_init(&req);
    assert_int_equal(cpw_codec_serialize_request(cp, "GetDomain", NULL, &req), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_VALIDATION);
    assert_non_null(strstr(cpw_last_error_detail(), "DomainName"));
    cpw_http_request_clean_up(&req);

    cpw_http_request_init(&req);
    assert_int_equal(cpw_codec_serialize_request(cp, "NoSuchOperation", NULL, &req), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_MODEL);
    cpw_http_request_clean_up(&req);

    doc = json_pack("{s:s}", "PathPrefix", "/");
    json_t *bad = json_pack("{s:b}", "MaxItems", 1);
    cpw_http_request_init(&req);
    assert_int_equal(
      cpw_codec_serialize_request(cpw_model_service_get("iam"), "ListRoles", bad, &req), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_VALIDATION);
    cpw_http_request_clean_up(&req);
    json_decref(bad);
    json_decref(doc);
}

static void test_timestamps(void **state)
{
    (void)state;
    /* Input documents may carry epoch numbers; JSON bodies send whole epoch seconds. */
    json_t *doc = json_pack("{s:f, s:s}", "StartTime", 1704067200.0, "EndTime",
                            "2024-01-01T01:00:00.250+01:00");
    struct cpw_http_request req;
    cpw_http_request_init(&req);
    assert_int_equal(
      cpw_codec_serialize_request(cpw_model_service_get("cloudtrail"), "LookupEvents", doc, &req),
      0);
    assert_string_equal(cpw_buf_cstr(&req.body),
                        "{\"StartTime\": 1704067200, \"EndTime\": 1704067200}");
    cpw_http_request_clean_up(&req);
    json_decref(doc);

    /* Headers use RFC 822 dates; epoch numbers are accepted there too. */
    doc = json_pack("{s:s, s:s, s:i}", "InstanceId", "i", "TestCaseId", "t", "LastModifiedTime",
                    951782400);
    cpw_http_request_init(&req);
    assert_int_equal(
      cpw_codec_serialize_request(cpw_model_service_get("connect"), "UpdateTestCase", doc, &req),
      0);
    assert_string_equal(cpw_headers_get(&req.headers, "x-amz-last-modified-time"),
                        "Tue, 29 Feb 2000 00:00:00 GMT");
    cpw_http_request_clean_up(&req);
    json_decref(doc);

    /* Query strings and forms use ISO 8601, with microseconds only when there are any. */
    struct cpw_buf text;
    cpw_buf_init(&text, 100);
    assert_int_equal(cpw_codec_time_text(1704067200250, "iso8601", &text), 0);
    assert_string_equal(cpw_buf_cstr(&text), "2024-01-01T00:00:00.250000Z");
    cpw_buf_reset(&text);
    assert_int_equal(cpw_codec_time_text(1704067200000, "iso8601", &text), 0);
    assert_string_equal(cpw_buf_cstr(&text), "2024-01-01T00:00:00Z");
    cpw_buf_reset(&text);
    assert_int_equal(cpw_codec_time_text(-1000, "unixTimestamp", &text), 0);
    assert_string_equal(cpw_buf_cstr(&text), "-1");
    cpw_buf_reset(&text);
    assert_int_equal(cpw_codec_time_text(0, "rfc822", &text), 0);
    assert_string_equal(cpw_buf_cstr(&text), "Thu, 01 Jan 1970 00:00:00 GMT");
    cpw_buf_clean_up(&text);
    int64_t ms = 0;
    assert_int_equal(cpw_codec_time_parse(cpw_span_from_cstr("1.5"), &ms), 0);
    assert_int_equal(ms, 1500);
    assert_int_equal(cpw_codec_time_parse(cpw_span_from_cstr("soon"), &ms), -1);
    assert_int_equal(cpw_codec_time_parse(cpw_span_from_cstr("1e400"), &ms), -1);

    /* Replies: epoch fractions, ISO with offsets and HTTP dates all become +00:00 strings. */
    struct cpw_http_response resp;
    s_reply(&resp, 200,
            "{\"Events\": [{\"EventTime\": 1700000000.25}, {\"EventTime\": "
            "\"2024-01-01T02:00:00+02:00\"}, {\"EventTime\": \"Mon, 01 Jan 2024 00:00:00 GMT\"}]}");
    json_t *out = NULL;
    struct cpw_aws_error err;
    cpw_aws_error_init(&err);
    assert_int_equal(cpw_codec_parse_response(cpw_model_service_get("cloudtrail"), "LookupEvents",
                                              &resp, &out, &err),
                     0);
    json_t *events = json_object_get(out, "Events");
    assert_string_equal(cpw_json_get_string(json_array_get(events, 0), "EventTime"),
                        "2023-11-14T22:13:20.250000+00:00");
    assert_string_equal(cpw_json_get_string(json_array_get(events, 1), "EventTime"),
                        "2024-01-01T00:00:00+00:00");
    assert_string_equal(cpw_json_get_string(json_array_get(events, 2), "EventTime"),
                        "2024-01-01T00:00:00+00:00");
    json_decref(out);
    cpw_http_response_clean_up(&resp);
    cpw_aws_error_clean_up(&err);
}

static void test_rest_templates(void **state)
{
    (void)state;
    struct cpw_codec_pairs labels;
    cpw_codec_pairs_init(&labels);
    struct cpw_span tpl = cpw_span_from_cstr("/buckets/{Bucket}/{Key+}");
    long score =
      cpw_codec_rest_match(tpl, cpw_span_from_cstr("/buckets/b%20x/a/b%2Fc/d.txt"), &labels);
    assert_true(score > 0);
    assert_int_equal(labels.count, 2);
    assert_string_equal(cpw_codec_pairs_get(&labels, "Bucket"), "b x");
    assert_string_equal(cpw_codec_pairs_get(&labels, "Key"), "a/b/c/d.txt");
    cpw_codec_pairs_clean_up(&labels);
    /* A greedy label needs at least one character; labels need their segment. */
    assert_int_equal(cpw_codec_rest_match(tpl, cpw_span_from_cstr("/buckets/b/"), NULL), 0);
    assert_int_equal(cpw_codec_rest_match(tpl, cpw_span_from_cstr("/buckets//k"), NULL), 0);
    /* Literal segments are more specific than labels, labels than greedy labels. */
    long literal =
      cpw_codec_rest_match(cpw_span_from_cstr("/a/b"), cpw_span_from_cstr("/a/b"), NULL);
    long label =
      cpw_codec_rest_match(cpw_span_from_cstr("/a/{X}"), cpw_span_from_cstr("/a/b"), NULL);
    long greedy =
      cpw_codec_rest_match(cpw_span_from_cstr("/a/{X+}"), cpw_span_from_cstr("/a/b"), NULL);
    assert_true(literal > label && label > greedy && greedy > 0);
    assert_int_equal(
      cpw_codec_rest_match(cpw_span_from_cstr("/a"), cpw_span_from_cstr("/a/"), NULL), 0);
    assert_int_equal(
      cpw_codec_rest_match(cpw_span_from_cstr("/a/{X}"), cpw_span_from_cstr("/a/%zz"), &labels), 0);
    /* A label decoding to NUL or a control character never names anything (no truncation). */
    const char *hostile[] = { "/a/keep%00-x", "/a/x%01", "/a/x%1F", "/a/%7F", "/a/%0A" };
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        cpw_error_clear();
        assert_int_equal(cpw_codec_rest_match(cpw_span_from_cstr("/a/{X}"),
                                              cpw_span_from_cstr(hostile[i]), &labels),
                         0);
        assert_int_equal(cpw_last_error(), CPW_ERR_PARSE);
        assert_int_equal(labels.count, 0);
    }
    /* Routing (no labels wanted) still matches, so parsing can answer 400, not 404. */
    assert_true(cpw_codec_rest_match(cpw_span_from_cstr("/a/{X}"),
                                     cpw_span_from_cstr("/a/keep%00-x"), NULL) > 0);
    cpw_error_clear();
    cpw_codec_pairs_clean_up(&labels);
}

/* Bindings none of the embedded operations use, on a made-up shape built from IAM's shapes. */
static void test_rest_bindings_not_in_models(void **state)
{
    (void)state;
    const struct cpw_model_service *iam = cpw_model_service_get("iam");
    json_t *shape = NULL;
    assert_int_equal(
      cpw_json_load(
        cpw_span_from_cstr(
          "{\"type\":\"structure\",\"payload\":\"Data\",\"members\":{"
          "\"Data\":{\"shape\":\"BootstrapDatum\"},"
          "\"Meta\":{\"shape\":\"EvalDecisionDetailsType\",\"location\":\"headers\","
          "\"locationName\":\"x-amz-meta-\"},"
          "\"When\":{\"shape\":\"dateType\",\"location\":\"header\",\"locationName\":\"X-When\"},"
          "\"WhenIso\":{\"shape\":\"dateType\",\"location\":\"header\","
          "\"locationName\":\"X-When-Iso\",\"timestampFormat\":\"iso8601\"},"
          "\"Names\":{\"shape\":\"ActionNameListType\",\"location\":\"header\","
          "\"locationName\":\"X-Names\"},"
          "\"Code\":{\"shape\":\"ColumnNumber\",\"location\":\"statusCode\"}}}"),
        1u << 16, &shape),
      0);
    json_t *doc =
      json_pack("{s:s, s:{s:s, s:s}, s:s, s:s, s:[s, s], s:i}", "Data", "aGVsbG8=", "Meta", "a",
                "allowed", "B", "denied", "When", "2024-01-01T00:00:00+00:00", "WhenIso",
                "2024-02-29T13:45:07+00:00", "Names", "x", "y", "Code", 201);
    struct cpw_headers headers;
    cpw_headers_init(&headers);
    long status = 200;
    assert_int_equal(cpw_codec_rest_headers_out(iam, shape, doc, &headers, &status), 0);
    assert_int_equal(status, 201);
    assert_string_equal(cpw_headers_get(&headers, "X-When"), "Mon, 01 Jan 2024 00:00:00 GMT");
    assert_string_equal(cpw_headers_get(&headers, "X-When-Iso"), "2024-02-29T13:45:07Z");
    assert_string_equal(cpw_headers_get(&headers, "X-Names"), "x,y");
    assert_string_equal(cpw_headers_get(&headers, "x-amz-meta-a"), "allowed");
    assert_string_equal(cpw_headers_get(&headers, "x-amz-meta-B"), "denied");
    struct cpw_buf body;
    cpw_buf_init(&body, 1024);
    bool is_json = true;
    assert_int_equal(cpw_codec_rest_body_out(iam, shape, doc, true, &body, &is_json), 0);
    assert_false(is_json);
    assert_string_equal(cpw_buf_cstr(&body), "hello"); /* a blob payload is the raw body */

    json_t *back = json_object();
    assert_int_equal(cpw_codec_rest_headers_in(iam, shape, &headers, 201, back), 0);
    assert_int_equal(cpw_codec_rest_body_in(iam, shape, cpw_buf_span(&body), back), 0);
    if (!cpw_json_equal(back, doc)) {
        char *text = json_dumps(back, JSON_SORT_KEYS);
        fail_msg("read back %s", text);
    }
    json_decref(back);

    /* Header lists quote items holding a comma or a double quote. */
    json_t *names = json_pack("{s:[s, s, s]}", "Names", "x", "a,b", "q\"r");
    cpw_headers_clean_up(&headers);
    cpw_headers_init(&headers);
    assert_int_equal(cpw_codec_rest_headers_out(iam, shape, names, &headers, NULL), 0);
    assert_string_equal(cpw_headers_get(&headers, "X-Names"), "x,\"a,b\",\"q\\\"r\"");
    json_decref(names);

    /* A structure payload is the member's JSON. */
    json_t *shape2 =
      json_pack("{s:s, s:s, s:{s:{s:s}}}", "type", "structure", "payload", "P", "members", "P",
                "shape", "AddClientIDToOpenIDConnectProviderRequest");
    json_t *doc2 = json_pack("{s:{s:s}}", "P", "ClientID", "c");
    cpw_buf_reset(&body);
    assert_int_equal(cpw_codec_rest_body_out(iam, shape2, doc2, false, &body, &is_json), 0);
    assert_true(is_json);
    assert_string_equal(cpw_buf_cstr(&body), "{\"ClientID\": \"c\"}");
    back = json_object();
    assert_int_equal(cpw_codec_rest_body_in(iam, shape2, cpw_buf_span(&body), back), 0);
    assert_true(cpw_json_equal(back, doc2));
    json_decref(back);
    json_decref(doc2);
    json_decref(shape2);

    cpw_buf_clean_up(&body);
    cpw_headers_clean_up(&headers);
    json_decref(doc);
    json_decref(shape);
}

static void test_idempotency_tokens(void **state)
{
    (void)state;
    const struct cpw_model_service *connect = cpw_model_service_get("connect");
    json_t *input = json_pack("{s:s}", "IdentityManagementType", "SAML");
    assert_int_equal(cpw_codec_fill_idempotency_tokens(connect, "CreateInstance", input), 1);
    const char *token = cpw_json_get_string(input, "ClientToken");
    assert_non_null(token);
    assert_int_equal(strlen(token), 36);
    assert_int_equal(token[14], '4');
    assert_int_equal(cpw_codec_fill_idempotency_tokens(connect, "CreateInstance", input), 0);
    json_decref(input);
    input = json_object();
    assert_int_equal(
      cpw_codec_fill_idempotency_tokens(cpw_model_service_get("iam"), "ListRoles", input), 0);
    assert_int_equal(json_object_size(input), 0);
    json_decref(input);
}

static void test_json_wrapper(void **state)
{
    (void)state;
    json_t *v = NULL;
    assert_int_equal(cpw_json_load(cpw_span_from_cstr("{\"a\":1,\"a\":2}"), 100, &v), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_PARSE);
    assert_null(v);
    assert_int_equal(cpw_json_load(cpw_span_from_cstr("[\"a\\u0000b\"]"), 100, &v), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_PARSE);
    assert_int_equal(cpw_json_load(cpw_span_from_cstr("[1,2,3]"), 3, &v), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_LIMIT);
    assert_int_equal(cpw_json_load(cpw_span_from_cstr("{\"k\":\"\\u00e9/\"}"), 100, &v), 0);
    struct cpw_buf out;
    cpw_buf_init(&out, 100);
    assert_int_equal(cpw_json_dump(v, &out), 0);
    assert_string_equal(cpw_buf_cstr(&out), "{\"k\": \"\\u00e9/\"}");
    assert_string_equal(cpw_json_get_string(v, "k"), "\xc3\xa9/");
    assert_null(cpw_json_get_string(v, "missing"));
    assert_null(cpw_json_get(NULL, "k"));
    cpw_buf_clean_up(&out);
    cpw_json_release(v);
}

static void test_xml_wrapper(void **state)
{
    (void)state;
    struct cpw_xml_doc *doc =
      cpw_xml_parse(cpw_span_from_cstr("<a xmlns=\"urn:x\"><b>1</b><c/><b>2 &amp; 3</b></a>"));
    assert_non_null(doc);
    const struct cpw_xml_node *root = cpw_xml_root(doc);
    assert_true(cpw_xml_is(root, "a"));
    assert_true(cpw_xml_has_children(root));
    const struct cpw_xml_node *b = cpw_xml_child(root, "b");
    char *text = cpw_xml_text(b);
    assert_string_equal(text, "1");
    cpw_free(text);
    const struct cpw_xml_node *c = cpw_xml_next(b);
    assert_true(cpw_xml_is(c, "c"));
    text = cpw_xml_text(cpw_xml_next(c));
    assert_string_equal(text, "2 & 3");
    cpw_free(text);
    cpw_xml_doc_destroy(doc);
    cpw_xml_doc_destroy(NULL);

    assert_null(cpw_xml_parse(cpw_span_from_cstr("<a><b></a>")));
    assert_int_equal(cpw_last_error(), CPW_ERR_PARSE);
    assert_non_null(strstr(cpw_last_error_detail(), "line 1"));
    assert_null(cpw_xml_parse(cpw_span_from_cstr("")));
    /* No external entities, no DTDs. */
    assert_null(cpw_xml_parse(
      cpw_span_from_cstr("<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>")));

    struct cpw_xml_writer *w = cpw_xml_writer_new();
    assert_int_equal(cpw_xml_start(w, "R", "urn:y"), 0);
    assert_int_equal(cpw_xml_element(w, "M", "<&>\""), 0);
    assert_int_equal(cpw_xml_element(w, "E", ""), 0);
    struct cpw_buf out;
    cpw_buf_init(&out, 1000);
    assert_int_equal(cpw_xml_writer_finish(w, &out), 0);
    assert_string_equal(cpw_buf_cstr(&out),
                        "<R xmlns=\"urn:y\"><M>&lt;&amp;&gt;&quot;</M><E></E></R>");
    cpw_buf_clean_up(&out);
    cpw_xml_writer_destroy(w);
    cpw_model_clean_up();
}

/* IAM policy documents come back decoded, as boto3 and the AWS CLI show them. */
static void test_customize_output_decodes_policies(void **state)
{
    (void)state;
    const struct cpw_model_service *iam = cpw_model_service_get("iam");
    assert_non_null(iam);
    json_t *out = json_pack(
      "{s:[{s:s,s:s},{s:s,s:s}],s:b}", "Roles", "RoleName", "a", "AssumeRolePolicyDocument",
      "%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%5D%7D", "RoleName", "b",
      "AssumeRolePolicyDocument", "not%20json", "IsTruncated", 0);
    assert_int_equal(cpw_codec_customize_output(iam, "ListRoles", out), 0);
    json_t *doc =
      json_object_get(json_array_get(json_object_get(out, "Roles"), 0), "AssumeRolePolicyDocument");
    assert_true(json_is_object(doc));
    assert_string_equal(json_string_value(json_object_get(doc, "Version")), "2012-10-17");
    assert_true(json_is_array(json_object_get(doc, "Statement")));
    /* A value that does not decode to JSON stays as it was. */
    assert_string_equal(
      json_string_value(json_object_get(json_array_get(json_object_get(out, "Roles"), 1),
                                        "AssumeRolePolicyDocument")),
      "not%20json");
    json_decref(out);

    out =
      json_pack("{s:s,s:s,s:s}", "RoleName", "r", "PolicyName", "p", "PolicyDocument", "%7B%7D");
    assert_int_equal(cpw_codec_customize_output(iam, "GetRolePolicy", out), 0);
    assert_true(json_is_object(json_object_get(out, "PolicyDocument")));
    json_decref(out);

    /* Other services keep their strings: botocore decodes IAM's only. */
    const struct cpw_model_service *org = cpw_model_service_get("organizations");
    out = json_pack("{s:{s:s}}", "Policy", "Content", "%7B%7D");
    assert_int_equal(cpw_codec_customize_output(org, "DescribePolicy", out), 0);
    assert_string_equal(
      json_string_value(json_object_get(json_object_get(out, "Policy"), "Content")), "%7B%7D");
    json_decref(out);
    assert_int_equal(cpw_codec_customize_output(iam, "NoSuchOperation", NULL), -1);
    cpw_model_clean_up();
}

CPW_TEST_MAIN("codec",
              CPW_TEST(test_error_matrix),
              CPW_TEST(test_query_error_fields),
              CPW_TEST(test_error_classes),
              CPW_TEST(test_malformed_replies),
              CPW_TEST(test_routing),
              CPW_TEST(test_malformed_requests),
              CPW_TEST(test_server_error_replies),
              CPW_TEST(test_client_serialize_refusals),
              CPW_TEST(test_timestamps),
              CPW_TEST(test_rest_templates),
              CPW_TEST(test_rest_bindings_not_in_models),
              CPW_TEST(test_idempotency_tokens),
              CPW_TEST(test_json_wrapper),
              CPW_TEST(test_xml_wrapper),
              CPW_TEST(test_customize_output_decodes_policies))
