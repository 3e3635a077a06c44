/*
 * test_sigv4_verify.c - the SigV4 verifier's verdicts, AWS codes, messages and statuses: every
 * error code has a request that produces it, and no message ever carries the secret.
 */
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/http_msg.h"
#include "cpw/sigv4.h"
#include "harness.h"

#define T0     1795765655 /* 2026-11-27T07:47:35Z */
#define AKID   "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TOKEN  "FQoGZXIvYXdzEXAMPLETOKEN//+=="
#define MSG_MISMATCH                                                                               \
    "The request signature we calculated does not match the signature you provided. Check your "   \
    "AWS Secret Access Key and signing method. Consult the service documentation for details."

/* Keys the verifier knows: AKIDEXAMPLE (long-term) and ASIATEMP (needs TOKEN). */
static int s_lookup(const char *access_key_id, struct cpw_sigv4_secret *out, void *user)
{
    (void)user;
    if (strcmp(access_key_id, AKID) == 0) {
        out->secret_access_key = SECRET;
        out->session_token = NULL;
        return 0;
    }
    if (strcmp(access_key_id, "ASIATEMP") == 0) {
        out->secret_access_key = SECRET;
        out->session_token = TOKEN;
        return 0;
    }
    return -1;
}

/* Signs raw with the given credentials/service/time/location; returns the signed text (owned). */
static char *s_sign(const char *raw,
                    const char *akid,
                    const char *secret,
                    const char *token,
                    const char *service,
                    int64_t when,
                    bool query)
{
    struct cpw_sigv4_credentials creds = { akid, secret, token };
    struct cpw_sigv4_sign_options opts = {
        .credentials = &creds,
        .region = "us-east-1",
        .service = service,
        .timestamp_s = when,
        .location = query ? CPW_SIGV4_LOCATION_QUERY : CPW_SIGV4_LOCATION_HEADERS,
        .expires_s = 300,
    };
    struct cpw_http_request req;
    struct cpw_buf out;
    cpw_buf_init(&out, 1 << 20);
    assert_int_equal(cpw_http_request_parse(&req, cpw_span_from_cstr(raw)), 0);
    assert_int_equal(cpw_sigv4_sign(&req, &opts, NULL), 0);
    assert_int_equal(cpw_http_request_write(&req, &out), 0);
    cpw_http_request_clean_up(&req);
    return cpw_buf_detach(&out);
}

static const char s_get[] = "GET /domains/a%20b?max-results=5 HTTP/1.1\nHost: 127.0.0.1:4566\n"
                            "User-Agent: test\n\n";
static const char s_post[] = "POST / HTTP/1.1\nHost: 127.0.0.1:4566\n"
                             "Content-Type: application/x-www-form-urlencoded; charset=utf-8\n\n"
                             "Action=GetCallerIdentity&Version=2011-06-15";

/* Verifies text and returns the result; options may change service/now/skew code. */
static struct cpw_sigv4_verify_result s_verify_with(const char *text,
                                                    struct cpw_sigv4_verify_options opts)
{
    struct cpw_http_request req;
    struct cpw_sigv4_verify_result r;
    assert_int_equal(cpw_http_request_parse(&req, cpw_span_from_cstr(text)), 0);
    opts.lookup = s_lookup;
    assert_int_equal(cpw_sigv4_verify(&req, &opts, &r), 0);
    cpw_http_request_clean_up(&req);
    /* Whatever the verdict, the secret is never in the message. */
    assert_null(strstr(r.message, SECRET));
    assert_null(strstr(r.message, TOKEN));
    return r;
}

static struct cpw_sigv4_verify_result s_verify(const char *text)
{
    return s_verify_with(text, (struct cpw_sigv4_verify_options){ .now_s = T0 + 30 });
}

/* Replaces the first occurrence of from by to in the owned string s; returns the new string. */
static char *s_replace(char *s, const char *from, const char *to)
{
    char *at = strstr(s, from);
    assert_non_null(at);
    struct cpw_buf b;
    cpw_buf_init(&b, 1 << 20);
    assert_int_equal(cpw_buf_append(&b, cpw_span_from(s, (size_t)(at - s))), 0);
    assert_int_equal(cpw_buf_append_cstr(&b, to), 0);
    assert_int_equal(cpw_buf_append_cstr(&b, at + strlen(from)), 0);
    cpw_free(s);
    return cpw_buf_detach(&b);
}

static void test_verified_header_and_query(void **state)
{
    (void)state;
    const char *raws[] = { s_get, s_post };
    for (int q = 0; q < 2; q++) {
        for (size_t i = 0; i < 2; i++) {
            char *text = s_sign(raws[i], AKID, SECRET, NULL, "sts", T0, q == 1);
            struct cpw_sigv4_verify_result r = s_verify_with(
              text, (struct cpw_sigv4_verify_options){ .now_s = T0 + 30, .service = "sts" });
            assert_int_equal(r.verdict, CPW_SIGV4_VERIFIED);
            assert_int_equal(r.http_status, 200);
            assert_string_equal(r.aws_code, "");
            assert_string_equal(r.access_key_id, AKID);
            assert_string_equal(r.region, "us-east-1");
            assert_string_equal(r.service, "sts");
            assert_string_equal(r.date, "20261127");
            assert_int_equal(r.request_time_s, T0);
            assert_int_equal(r.presigned, q == 1);
            cpw_free(text);
        }
    }
}

static int s_capture_lookup(const char *access_key_id, struct cpw_sigv4_secret *out, void *user)
{
    (void)user;
    if (strcmp(access_key_id, AKID) != 0) {
        return -1;
    }
    out->secret_access_key = SECRET;
    out->session_token = TOKEN;
    return 0;
}

/* Requests botocore (AWS CLI v1) sent on the wire, one with a session token (header-based
 * SigV4 with X-Amz-Security-Token signed), verified as captured. */
static void test_botocore_capture_with_token_key(void **state)
{
    (void)state;
    static const char capture[] =
      "POST / HTTP/1.1\r\nHost: 127.0.0.1:18777\r\nAccept-Encoding: identity\r\n"
      "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
      "User-Agent: aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1\r\n"
      "X-Amz-Date: 20261127T074735Z\r\nX-Amz-Security-Token: " TOKEN "\r\n"
      "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/us-east-1/sts/"
      "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
      "Signature=c6b846a6fcd01d90310081d3189c7e6f85b680515ba26a676b0caba21ddeabea\r\n"
      "amz-sdk-invocation-id: 102ab9df-51e8-4992-a207-9994fcf85a05\r\n"
      "amz-sdk-request: attempt=1\r\nContent-Length: 43\r\n\r\n"
      "Action=GetCallerIdentity&Version=2011-06-15";
    struct cpw_http_request req;
    struct cpw_sigv4_verify_result r;
    struct cpw_sigv4_signing debug;
    cpw_sigv4_signing_init(&debug);
    struct cpw_sigv4_verify_options opts = {
        .lookup = s_capture_lookup,
        .service = "sts",
        .now_s = T0,
        .debug = &debug,
    };
    assert_int_equal(cpw_http_request_parse(&req, cpw_span_from_cstr(capture)), 0);
    assert_int_equal(cpw_sigv4_verify(&req, &opts, &r), 0);
    assert_string_equal(cpw_buf_cstr(&debug.string_to_sign),
                        "AWS4-HMAC-SHA256\n20261127T074735Z\n20261127/us-east-1/sts/aws4_request\n"
                        "60432414ffde26d44e797d281ee9751ac712b0d974ec9eaa0a1fe96636ed1a4d");
    assert_int_equal(r.verdict, CPW_SIGV4_VERIFIED);
    cpw_sigv4_signing_clean_up(&debug);
    cpw_http_request_clean_up(&req);

    /* The special-character path from the same capture: double encoding is what makes it pass. */
    static const char path_capture[] =
      "GET /domains/a%20b%3Ac%2Fd~e%25f HTTP/1.1\nHost: 127.0.0.1:18777\n"
      "X-Amz-Date: 20261127T074737Z\n"
      "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/us-east-1/profile/"
      "aws4_request, SignedHeaders=host;x-amz-date, "
      "Signature=dc8097ba7bd2edab594a2410f288bcce381465003baf99e4f8fdf8ba6d1f5f75\n\n";
    r = s_verify(path_capture);
    assert_int_equal(r.verdict, CPW_SIGV4_VERIFIED);
    /* The same bytes under S3's rule (no second encoding) do not match. */
    r = s_verify_with(path_capture, (struct cpw_sigv4_verify_options){
                                      .now_s = T0, .path_mode = CPW_SIGV4_PATH_AS_IS });
    assert_int_equal(r.verdict, CPW_SIGV4_MISMATCH);
}

static void test_missing_authentication_token(void **state)
{
    (void)state;
    struct cpw_sigv4_verify_result r = s_verify(s_get);
    assert_int_equal(r.verdict, CPW_SIGV4_MISSING_AUTH);
    assert_string_equal(r.aws_code, "MissingAuthenticationToken");
    assert_string_equal(r.message, "Request is missing Authentication Token");
    assert_int_equal(r.http_status, 403);
    r = s_verify_with(s_get, (struct cpw_sigv4_verify_options){ .rest_json_errors = true });
    assert_string_equal(r.message, "Missing Authentication Token");
    assert_int_equal(r.http_status, 403);
}

static void test_incomplete_signature(void **state)
{
    (void)state;
    char *text = s_sign(s_get, AKID, SECRET, NULL, "profile", T0, false);
    /* Drop the Signature parameter. */
    char *sig = strstr(text, ", Signature=");
    assert_non_null(sig);
    *sig = '\n';
    char *end = strchr(sig + 1, '\n');
    memmove(sig + 1, end + 1, strlen(end + 1) + 1);
    struct cpw_sigv4_verify_result r = s_verify(text);
    assert_int_equal(r.verdict, CPW_SIGV4_INCOMPLETE);
    assert_string_equal(r.aws_code, "IncompleteSignature");
    assert_int_equal(r.http_status, 400);
    assert_string_equal(r.message,
                        "Authorization header requires 'Signature' parameter. "
                        "Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/us-east-1/"
                        "profile/aws4_request, SignedHeaders=host;x-amz-date");
    r = s_verify_with(text,
                      (struct cpw_sigv4_verify_options){ .now_s = T0, .rest_json_errors = true });
    assert_int_equal(r.http_status, 403);
    cpw_free(text);

    /* Four-part credential, another algorithm, no X-Amz-Date, bad date, bad SignedHeaders. */
    text = s_sign(s_get, AKID, SECRET, NULL, "profile", T0, false);
    text = s_replace(text, "/profile/aws4_request", "/aws4_request");
    r = s_verify(text);
    assert_int_equal(r.verdict, CPW_SIGV4_INCOMPLETE);
    assert_non_null(strstr(r.message, "Credential must have exactly 5 slash-delimited elements"));
    text = s_replace(text, "AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA512 ");
    r = s_verify(text);
    assert_int_equal(r.verdict, CPW_SIGV4_INCOMPLETE);
    assert_non_null(strstr(r.message, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'"));
    cpw_free(text);

    text = s_sign(s_get, AKID, SECRET, NULL, "profile", T0, false);
    text = s_replace(text, "X-Amz-Date:", "X-Not-Date:");
    r = s_verify(text);
    assert_int_equal(r.verdict, CPW_SIGV4_INCOMPLETE);
    assert_non_null(strstr(r.message, "requires existence of either a 'X-Amz-Date' or a 'Date'"));
    text = s_replace(text, "X-Not-Date:20261127T074735Z", "X-Amz-Date:2026-11-27T07:47:35Z");
    r = s_verify(text);
    assert_int_equal(r.verdict, CPW_SIGV4_INCOMPLETE);
    assert_non_null(strstr(r.message, "Date must be in ISO-8601 'basic format'"));
    cpw_free(text);

    text = s_sign(s_get, AKID, SECRET, NULL, "profile", T0, false);
    text = s_replace(text, "SignedHeaders=host;x-amz-date", "SignedHeaders=Host;x-amz-date");
    r = s_verify(text);
    assert_int_equal(r.verdict, CPW_SIGV4_INCOMPLETE);
    /* Unsorted or repeated names are refused before any work is done for them. */
    text = s_replace(text, "SignedHeaders=Host;x-amz-date", "SignedHeaders=x-amz-date;host");
    assert_int_equal(s_verify(text).verdict, CPW_SIGV4_INCOMPLETE);
    text = s_replace(text, "SignedHeaders=x-amz-date;host", "SignedHeaders=host;host;x-amz-date");
    assert_int_equal(s_verify(text).verdict, CPW_SIGV4_INCOMPLETE);
    text = s_replace(text, "SignedHeaders=host;host;x-amz-date", "SignedHeaders=host;x-amz-date;");
    assert_int_equal(s_verify(text).verdict, CPW_SIGV4_INCOMPLETE);
    cpw_free(text);

    /* Presigned URL without X-Amz-Signature. */
    text = s_sign(s_get, AKID, SECRET, NULL, "profile", T0, true);
    text = s_replace(text, "&X-Amz-Signature=", "&X-Amz-Nothing=");
    r = s_verify(text);
    assert_int_equal(r.verdict, CPW_SIGV4_INCOMPLETE);
    assert_non_null(strstr(r.message, "AWS query-string parameters must include"));
    cpw_free(text);
}

static void test_invalid_client_token_id(void **state)
{
    (void)state;
    /* Unknown access key. */
    char *text = s_sign(s_get, "AKIDUNKNOWN", SECRET, NULL, "profile", T0, false);
    struct cpw_sigv4_verify_result r = s_verify(text);
    assert_int_equal(r.verdict, CPW_SIGV4_UNKNOWN_KEY);
    assert_string_equal(r.aws_code, "InvalidClientTokenId");
    assert_string_equal(r.message, "The security token included in the request is invalid.");
    assert_int_equal(r.http_status, 403);
    assert_string_equal(r.access_key_id, "AKIDUNKNOWN"); /* exposed for routing/logging */
    cpw_free(text);
    /* A temporary key: right token verifies, wrong or missing token does not. */
    text = s_sign(s_get, "ASIATEMP", SECRET, TOKEN, "profile", T0, false);
    assert_int_equal(s_verify(text).verdict, CPW_SIGV4_VERIFIED);
    cpw_free(text);
    text = s_sign(s_get, "ASIATEMP", SECRET, "FQoGZXIvYXdzOTHERTOKEN", "profile", T0, false);
    assert_int_equal(s_verify(text).verdict, CPW_SIGV4_UNKNOWN_KEY);
    cpw_free(text);
    text = s_sign(s_get, "ASIATEMP", SECRET, NULL, "profile", T0, true);
    assert_int_equal(s_verify(text).verdict, CPW_SIGV4_UNKNOWN_KEY);
    cpw_free(text);
    /* A long-term key sending a token. */
    text = s_sign(s_get, AKID, SECRET, TOKEN, "profile", T0, false);
    assert_int_equal(s_verify(text).verdict, CPW_SIGV4_UNKNOWN_KEY);
    cpw_free(text);
}

static void test_signature_does_not_match(void **state)
{
    (void)state;
    struct cpw_sigv4_verify_result r;
    /* Wrong secret. */
    char *text = s_sign(s_post, AKID, "not-the-secret", NULL, "sts", T0, false);
    r = s_verify(text);
    assert_int_equal(r.verdict, CPW_SIGV4_MISMATCH);
    assert_string_equal(r.aws_code, "SignatureDoesNotMatch");
    assert_string_equal(r.message, MSG_MISMATCH);
    assert_int_equal(r.http_status, 403);
    cpw_free(text);
    /* Body, signed header value, path, query changed after signing. */
    static const char *const tampers[][2] = {
        { "Version=2011-06-15", "Version=2011-06-16" },
        { "charset=utf-8", "charset=latin1" },
        { "POST / ", "POST /x " },
    };
    for (size_t i = 0; i < sizeof(tampers) / sizeof(tampers[0]); i++) {
        text = s_sign(s_post, AKID, SECRET, NULL, "sts", T0, false);
        assert_int_equal(s_verify(text).verdict, CPW_SIGV4_VERIFIED);
        text = s_replace(text, tampers[i][0], tampers[i][1]);
        assert_int_equal(s_verify(text).verdict, CPW_SIGV4_MISMATCH);
        cpw_free(text);
    }
    text = s_sign(s_get, AKID, SECRET, NULL, "sts", T0, false);
    text = s_replace(text, "max-results=5", "max-results=6");
    assert_int_equal(s_verify(text).verdict, CPW_SIGV4_MISMATCH);
    cpw_free(text);
    /* An unsigned header may change; host must be signed. */
    text = s_sign(s_get, AKID, SECRET, NULL, "sts", T0, false);
    text = s_replace(text, "User-Agent: test", "User-Agent: other");
    assert_int_equal(s_verify(text).verdict, CPW_SIGV4_VERIFIED);
    text = s_replace(text, "SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date");
    r = s_verify(text);
    assert_int_equal(r.verdict, CPW_SIGV4_MISMATCH);
    assert_string_equal(
      r.message, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    cpw_free(text);
}

static void test_scope_mismatch(void **state)
{
    (void)state;
    char *text = s_sign(s_get, AKID, SECRET, NULL, "connect", T0, false);
    struct cpw_sigv4_verify_result r =
      s_verify_with(text, (struct cpw_sigv4_verify_options){ .now_s = T0, .service = "profile" });
    assert_int_equal(r.verdict, CPW_SIGV4_SCOPE_MISMATCH);
    assert_string_equal(r.aws_code, "SignatureDoesNotMatch");
    assert_string_equal(r.message, "Credential should be scoped to correct service: 'profile'. ");
    assert_string_equal(r.service, "connect");
    assert_int_equal(r.http_status, 403);
    /* The scope's date must be X-Amz-Date's date. */
    text = s_replace(text, "Credential=AKIDEXAMPLE/20261127/", "Credential=AKIDEXAMPLE/20261126/");
    r = s_verify(text);
    assert_int_equal(r.verdict, CPW_SIGV4_SCOPE_MISMATCH);
    assert_string_equal(r.message,
                        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                        "date from HTTP: '20261126' != '20261127', from '20261127T074735Z'.");
    cpw_free(text);
}

static void test_clock_skew(void **state)
{
    (void)state;
    char *text = s_sign(s_get, AKID, SECRET, NULL, "iam", T0, false);
    /* Inside the window, on both sides. */
    assert_int_equal(
      s_verify_with(text, (struct cpw_sigv4_verify_options){ .now_s = T0 + 899 }).verdict,
      CPW_SIGV4_VERIFIED);
    assert_int_equal(
      s_verify_with(text, (struct cpw_sigv4_verify_options){ .now_s = T0 - 899 }).verdict,
      CPW_SIGV4_VERIFIED);
    struct cpw_sigv4_verify_result r =
      s_verify_with(text, (struct cpw_sigv4_verify_options){ .now_s = T0 + 16 * 60 });
    assert_int_equal(r.verdict, CPW_SIGV4_SKEWED);
    assert_string_equal(r.aws_code, "SignatureDoesNotMatch");
    assert_int_equal(r.http_status, 403);
    assert_string_equal(r.message, "Signature expired: 20261127T074735Z is now earlier than "
                                   "20261127T074835Z (20261127T080335Z - 15 min.)");
    r = s_verify_with(text, (struct cpw_sigv4_verify_options){
                              .now_s = T0 - 16 * 60, .skew_error_code = "RequestTimeTooSkewed" });
    assert_int_equal(r.verdict, CPW_SIGV4_SKEWED);
    assert_string_equal(r.aws_code, "RequestTimeTooSkewed");
    assert_string_equal(r.message, "Signature not yet current: 20261127T074735Z is still later "
                                   "than 20261127T074635Z (20261127T073135Z + 15 min.)");
    cpw_free(text);
}

static void test_presigned_expiry(void **state)
{
    (void)state;
    char *text = s_sign(s_get, AKID, SECRET, NULL, "iam", T0, true); /* X-Amz-Expires=300 */
    /* Presigned URLs are not held to the skew window but to their own lifetime. */
    assert_int_equal(
      s_verify_with(text, (struct cpw_sigv4_verify_options){ .now_s = T0 + 300 }).verdict,
      CPW_SIGV4_VERIFIED);
    struct cpw_sigv4_verify_result r =
      s_verify_with(text, (struct cpw_sigv4_verify_options){ .now_s = T0 + 301 });
    assert_int_equal(r.verdict, CPW_SIGV4_EXPIRED);
    assert_string_equal(r.aws_code, "RequestExpired");
    assert_string_equal(r.message, "Request has expired.");
    assert_int_equal(r.http_status, 403);
    assert_true(r.presigned);
    /* More than a week is refused outright. */
    text = s_replace(text, "X-Amz-Expires=300", "X-Amz-Expires=604801");
    r = s_verify(text);
    assert_int_equal(r.verdict, CPW_SIGV4_INCOMPLETE);
    cpw_free(text);
}

/* x-amz-content-sha256: UNSIGNED-PAYLOAD is honoured only when the server allows it. */
static void test_unsigned_payload(void **state)
{
    (void)state;
    struct cpw_sigv4_credentials creds = { AKID, SECRET, NULL };
    struct cpw_sigv4_sign_options opts = {
        .credentials = &creds,
        .region = "us-east-1",
        .service = "s3",
        .timestamp_s = T0,
        .payload = CPW_SIGV4_PAYLOAD_UNSIGNED,
        .add_content_sha256_header = true,
    };
    struct cpw_http_request req;
    struct cpw_sigv4_verify_result r;
    assert_int_equal(cpw_http_request_parse(&req, cpw_span_from_cstr(s_post)), 0);
    assert_int_equal(cpw_sigv4_sign(&req, &opts, NULL), 0);
    struct cpw_sigv4_verify_options vopts = { .lookup = s_lookup, .now_s = T0 };
    assert_int_equal(cpw_sigv4_verify(&req, &vopts, &r), 0);
    assert_int_equal(r.verdict, CPW_SIGV4_MISMATCH);
    vopts.allow_unsigned_payload = true;
    assert_int_equal(cpw_sigv4_verify(&req, &vopts, &r), 0);
    assert_int_equal(r.verdict, CPW_SIGV4_VERIFIED);
    cpw_http_request_clean_up(&req);
}

static void test_verdict_codes(void **state)
{
    (void)state;
    assert_string_equal(cpw_sigv4_verdict_code(CPW_SIGV4_MISSING_AUTH),
                        "MissingAuthenticationToken");
    assert_string_equal(cpw_sigv4_verdict_code(CPW_SIGV4_INCOMPLETE), "IncompleteSignature");
    assert_string_equal(cpw_sigv4_verdict_code(CPW_SIGV4_UNKNOWN_KEY), "InvalidClientTokenId");
    assert_string_equal(cpw_sigv4_verdict_code(CPW_SIGV4_MISMATCH), "SignatureDoesNotMatch");
    assert_string_equal(cpw_sigv4_verdict_code(CPW_SIGV4_EXPIRED), "RequestExpired");
    assert_string_equal(cpw_sigv4_verdict_code(CPW_SIGV4_INTERNAL), "InternalFailure");
}

CPW_TEST_MAIN("sigv4_verify",
              CPW_TEST(test_verified_header_and_query),
              CPW_TEST(test_botocore_capture_with_token_key),
              CPW_TEST(test_missing_authentication_token),
              CPW_TEST(test_incomplete_signature),
              CPW_TEST(test_invalid_client_token_id),
              CPW_TEST(test_signature_does_not_match),
              CPW_TEST(test_scope_mismatch),
              CPW_TEST(test_clock_skew),
              CPW_TEST(test_unsigned_payload),
              CPW_TEST(test_presigned_expiry),
              CPW_TEST(test_verdict_codes))
