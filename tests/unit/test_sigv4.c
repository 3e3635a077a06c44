/*
 * test_sigv4.c - SigV4 signing: a handful of the AWS suite's cases kept as literals (so the core
 * runs even without the suite folder), botocore's double encoding, the Authorization and
 * credential parsers, key derivation and the signing-key cache.
 */
#include <pthread.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/http_msg.h"
#include "cpw/sigv4.h"
#include "cpw/sigv4_suite.h"
#include "harness.h"

#define SUITE_TIME   1440938160 /* 2015-08-30T12:36:00Z */
#define SUITE_AKID   "AKIDEXAMPLE"
#define SUITE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_TOKEN  "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
#define SUITE_AUTH                                                                                 \
    "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"            \
    "aws4_request, "

struct literal_case {
    const char *name;
    const char *request;
    bool sign_body;
    const char *token;
    const char *header_signature;
    const char *header_signed_request;
    const char *query_signature;
};

static const struct literal_case s_cases[] = {
    {
      "get-vanilla",
      "GET / HTTP/1.1\nHost:example.amazonaws.com\n",
      false,
      NULL,
      "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
      "GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n" SUITE_AUTH
      "SignedHeaders=host;x-amz-date, "
      "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n\n",
      "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d",
    },
    {
      "post-vanilla",
      "POST / HTTP/1.1\nHost:example.amazonaws.com\n",
      false,
      NULL,
      "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
      "POST / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n" SUITE_AUTH
      "SignedHeaders=host;x-amz-date, "
      "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b\n\n",
      "2ce6e6d2e0cf2f9d1b55fafec88cd20574c31dc2e7631979f71ba2310083e95b",
    },
    {
      "get-vanilla-query-order-key-case",
      "GET /?Param2=value2&Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\n",
      false,
      NULL,
      "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
      "GET /?Param2=value2&Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\n"
      "X-Amz-Date:20150830T123600Z\n" SUITE_AUTH "SignedHeaders=host;x-amz-date, "
      "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500\n\n",
      "86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5",
    },
    {
      "post-x-www-form-urlencoded",
      "POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\n"
      "Host:example.amazonaws.com\nContent-Length:13\n\nParam1=value1",
      true,
      NULL,
      "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b",
      "POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\n"
      "Host:example.amazonaws.com\nContent-Length:13\nX-Amz-Date:20150830T123600Z\n"
      "x-amz-content-sha256:"
      "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\n" SUITE_AUTH
      "SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, "
      "Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b\n\n"
      "Param1=value1",
      "89a40deed0f26f9461242825a082d2222717248abc7ab41f552ad84a94ad46e9",
    },
    {
      "get-vanilla-with-session-token",
      "GET / HTTP/1.1\nHost:example.amazonaws.com\n",
      false,
      SUITE_TOKEN,
      "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
      "GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Security-Token:" SUITE_TOKEN "\n"
      "X-Amz-Date:20150830T123600Z\n" SUITE_AUTH
      "SignedHeaders=host;x-amz-date;x-amz-security-token, "
      "Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8\n\n",
      "7ff2b50b376cb4d151970630573d6291dc128cc5c2a12ffb237f73cc53f67b6c",
    },
};

static void s_sign_literal(const struct literal_case *c,
                           bool query,
                           struct cpw_buf *written,
                           struct cpw_sigv4_signing *signing)
{
    struct cpw_sigv4_credentials creds = {
        .access_key_id = SUITE_AKID,
        .secret_access_key = SUITE_SECRET,
        .session_token = c->token,
    };
    struct cpw_sigv4_sign_options opts = {
        .credentials = &creds,
        .region = "us-east-1",
        .service = "service",
        .timestamp_s = SUITE_TIME,
        .location = query ? CPW_SIGV4_LOCATION_QUERY : CPW_SIGV4_LOCATION_HEADERS,
        .add_content_sha256_header = c->sign_body,
    };
    struct cpw_http_request req;
    assert_int_equal(cpw_http_request_parse(&req, cpw_span_from_cstr(c->request)), 0);
    assert_int_equal(cpw_sigv4_sign(&req, &opts, signing), 0);
    assert_int_equal(cpw_http_request_write(&req, written), 0);
    cpw_http_request_clean_up(&req);
}

static void test_literal_suite_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(s_cases) / sizeof(s_cases[0]); i++) {
        const struct literal_case *c = &s_cases[i];
        struct cpw_buf written;
        struct cpw_sigv4_signing signing;
        cpw_buf_init(&written, 1 << 20);
        cpw_sigv4_signing_init(&signing);
        s_sign_literal(c, false, &written, &signing);
        if (strcmp(signing.signature, c->header_signature) != 0) {
            fail_msg("%s: header signature %s", c->name, signing.signature);
        }
        assert_string_equal(cpw_buf_cstr(&written), c->header_signed_request);
        cpw_buf_reset(&written);
        s_sign_literal(c, true, &written, &signing);
        if (strcmp(signing.signature, c->query_signature) != 0) {
            fail_msg("%s: query signature %s", c->name, signing.signature);
        }
        assert_non_null(strstr(cpw_buf_cstr(&written), c->query_signature));
        cpw_sigv4_signing_clean_up(&signing);
        cpw_buf_clean_up(&written);
    }
}

/* The suite's get-vanilla intermediates, and the key cache giving the same signature. */
static void test_get_vanilla_intermediates_and_cache(void **state)
{
    (void)state;
    struct cpw_sigv4_key_cache *cache = cpw_sigv4_key_cache_new(4);
    struct cpw_sigv4_credentials creds = { SUITE_AKID, SUITE_SECRET, NULL };
    struct cpw_sigv4_sign_options opts = {
        .credentials = &creds,
        .region = "us-east-1",
        .service = "service",
        .timestamp_s = SUITE_TIME,
        .key_cache = cache,
    };
    for (int round = 0; round < 2; round++) {
        struct cpw_http_request req;
        struct cpw_sigv4_signing signing;
        cpw_sigv4_signing_init(&signing);
        assert_int_equal(cpw_http_request_parse(&req, cpw_span_from_cstr(s_cases[0].request)), 0);
        assert_int_equal(cpw_sigv4_sign(&req, &opts, &signing), 0);
        assert_string_equal(cpw_buf_cstr(&signing.canonical_request),
                            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                            "host;x-amz-date\n"
                            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_string_equal(cpw_buf_cstr(&signing.string_to_sign),
                            "AWS4-HMAC-SHA256\n20150830T123600Z\n"
                            "20150830/us-east-1/service/aws4_request\n"
                            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
        assert_string_equal(signing.signature, s_cases[0].header_signature);
        cpw_sigv4_signing_clean_up(&signing);
        cpw_http_request_clean_up(&req);
    }
    size_t hits = 0;
    size_t misses = 0;
    cpw_sigv4_key_cache_stats(cache, &hits, &misses);
    assert_int_equal(misses, 1);
    assert_int_equal(hits, 1);
    cpw_sigv4_key_cache_destroy(cache);
}

/* AWS's documented derivation example (IAM, 20120215). */
static void test_derive_key_documented_example(void **state)
{
    (void)state;
    uint8_t key[CPW_SHA256_LEN];
    char hex[CPW_SHA256_HEX_LEN + 1];
    assert_int_equal(
      cpw_sigv4_derive_key(cpw_span_from_cstr(SUITE_SECRET), cpw_span_from_cstr("20120215"),
                           cpw_span_from_cstr("us-east-1"), cpw_span_from_cstr("iam"), key),
      0);
    cpw_hex_encode_to(hex, key, sizeof(key));
    assert_string_equal(hex, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

static void s_cached(struct cpw_sigv4_key_cache *cache,
                     const char *akid,
                     const char *secret,
                     const char *date,
                     uint8_t out[CPW_SHA256_LEN])
{
    assert_int_equal(cpw_sigv4_key_cache_get(cache, cpw_span_from_cstr(akid),
                                             cpw_span_from_cstr(secret), cpw_span_from_cstr(date),
                                             cpw_span_from_cstr("us-east-1"),
                                             cpw_span_from_cstr("iam"), out),
                     0);
}

static void test_key_cache_keys_and_eviction(void **state)
{
    (void)state;
    struct cpw_sigv4_key_cache *cache = cpw_sigv4_key_cache_new(2);
    uint8_t direct[CPW_SHA256_LEN];
    uint8_t a[CPW_SHA256_LEN];
    uint8_t b[CPW_SHA256_LEN];
    size_t hits = 0;
    size_t misses = 0;
    assert_int_equal(
      cpw_sigv4_derive_key(cpw_span_from_cstr(SUITE_SECRET), cpw_span_from_cstr("20120215"),
                           cpw_span_from_cstr("us-east-1"), cpw_span_from_cstr("iam"), direct),
      0);
    s_cached(cache, "AK1", SUITE_SECRET, "20120215", a);
    assert_memory_equal(a, direct, sizeof(a));
    s_cached(cache, "AK1", SUITE_SECRET, "20120215", b); /* hit */
    assert_memory_equal(b, direct, sizeof(b));
    /* Same access key, another secret: never the stale key. */
    s_cached(cache, "AK1", "another-secret", "20120215", b);
    assert_memory_not_equal(b, direct, sizeof(b));
    /* Another day is another key. */
    s_cached(cache, "AK1", SUITE_SECRET, "20120216", b);
    assert_memory_not_equal(b, direct, sizeof(b));
    cpw_sigv4_key_cache_stats(cache, &hits, &misses);
    assert_int_equal(hits, 1);
    assert_int_equal(misses, 3);
    /* Capacity 2: the first entry was evicted by the last two, so it is derived again. */
    s_cached(cache, "AK1", SUITE_SECRET, "20120215", a);
    assert_memory_equal(a, direct, sizeof(a));
    cpw_sigv4_key_cache_stats(cache, &hits, &misses);
    assert_int_equal(misses, 4);
    /* No cache: still derives. */
    s_cached(NULL, "AK1", SUITE_SECRET, "20120215", a);
    assert_memory_equal(a, direct, sizeof(a));
    cpw_sigv4_key_cache_destroy(cache);
    cpw_sigv4_key_cache_destroy(NULL);
}

/* botocore, non-S3: the raw (already encoded) path is encoded again; the query is kept. */
static void test_double_encoded_path_and_query(void **state)
{
    (void)state;
    struct cpw_sigv4_credentials creds = { SUITE_AKID, SUITE_SECRET, NULL };
    struct cpw_sigv4_sign_options opts = {
        .credentials = &creds,
        .region = "us-east-1",
        .service = "profile",
        .timestamp_s = SUITE_TIME,
    };
    struct cpw_http_request req;
    struct cpw_sigv4_signing signing;
    cpw_sigv4_signing_init(&signing);
    assert_int_equal(
      cpw_http_request_parse(&req, cpw_span_from_cstr("GET /domains/a%20b%3Ac%2Fd~e%25f/./x/../"
                                                      "?next-token=a%20b%2Fc%2Bd%3De%26f~g%2Ah&"
                                                      "b=%7e&a HTTP/1.1\nHost: h:1\n\n")),
      0);
    assert_int_equal(cpw_sigv4_sign(&req, &opts, &signing), 0);
    assert_non_null(strstr(cpw_buf_cstr(&signing.canonical_request),
                           "GET\n/domains/a%2520b%253Ac%252Fd~e%2525f/\n"
                           "a=&b=~&next-token=a%20b%2Fc%2Bd%3De%26f~g%2Ah\nhost:h:1\n"));
    cpw_sigv4_signing_clean_up(&signing);
    cpw_http_request_clean_up(&req);
}

static void test_sign_rejects_bad_options(void **state)
{
    (void)state;
    struct cpw_sigv4_credentials creds = { SUITE_AKID, SUITE_SECRET, NULL };
    struct cpw_sigv4_sign_options opts = { .credentials = &creds, .region = "us-east-1" };
    struct cpw_http_request req;
    assert_int_equal(cpw_http_request_parse(&req, cpw_span_from_cstr("GET / HTTP/1.1\n\n")), 0);
    assert_int_equal(cpw_sigv4_sign(&req, &opts, NULL), -1); /* no service */
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    opts.service = "iam";
    assert_int_equal(cpw_sigv4_sign(&req, &opts, NULL), -1); /* no Host */
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    assert_null(strstr(cpw_last_error_detail(), SUITE_SECRET));
    cpw_http_request_clean_up(&req);
}

static void test_parse_authorization_variants(void **state)
{
    (void)state;
    static const char *const accepted[] = {
        "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/iam/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=abcd",
        "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/iam/aws4_request,"
        "SignedHeaders=host;x-amz-date,Signature=abcd",
        "  AWS4-HMAC-SHA256\tCredential=AK/20150830/us-east-1/iam/aws4_request ,  "
        "SignedHeaders=host;x-amz-date ,\tSignature=abcd  ",
    };
    struct cpw_sigv4_authorization auth;
    struct cpw_sigv4_scope scope;
    for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
        assert_int_equal(cpw_sigv4_parse_authorization(cpw_span_from_cstr(accepted[i]), &auth), 0);
        assert_true(cpw_span_eq_cstr(auth.signed_headers, "host;x-amz-date"));
        assert_true(cpw_span_eq_cstr(auth.signature, "abcd"));
        assert_int_equal(cpw_sigv4_parse_credential(auth.credential, &scope), 0);
        assert_true(cpw_span_eq_cstr(scope.access_key_id, "AK"));
        assert_true(cpw_span_eq_cstr(scope.date, "20150830"));
        assert_true(cpw_span_eq_cstr(scope.region, "us-east-1"));
        assert_true(cpw_span_eq_cstr(scope.service, "iam"));
        assert_true(cpw_span_eq_cstr(scope.terminator, "aws4_request"));
    }
    /* Missing parameters are reported as absent, not as errors. */
    assert_int_equal(cpw_sigv4_parse_authorization(
                       cpw_span_from_cstr("AWS4-HMAC-SHA256 SignedHeaders=host"), &auth),
                     0);
    assert_null(auth.credential.ptr);
    assert_null(auth.signature.ptr);
    assert_int_equal(cpw_sigv4_parse_authorization(cpw_span_from_cstr("Bearer abc"), &auth), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_SIGV4_INCOMPLETE);
    assert_int_equal(cpw_sigv4_parse_authorization(
                       cpw_span_from_cstr("AWS4-HMAC-SHA256 Signature=a, Signature=b"), &auth),
                     -1);
    assert_int_equal(
      cpw_sigv4_parse_authorization(cpw_span_from_cstr("AWS4-HMAC-SHA256 Credential"), &auth), -1);
    assert_int_equal(cpw_sigv4_parse_authorization(cpw_span_from("", 0), &auth), -1);

    static const char *const bad_credentials[] = {
        "AK/20150830/us-east-1/iam",
        "AK/20150830/us-east-1/iam/aws4_request/x",
        "AK/20150830/us-east-1/iam/aws4_request/",
        "AK//us-east-1/iam/aws4_request",
        "",
        "/////",
    };
    for (size_t i = 0; i < sizeof(bad_credentials) / sizeof(bad_credentials[0]); i++) {
        assert_int_equal(cpw_sigv4_parse_credential(cpw_span_from_cstr(bad_credentials[i]), &scope),
                         -1);
    }
}

/* The suite's signed-request files are the parsed request written back: whitespace after ':'
 * and folded lines survive, and the empty line after the headers is always there. */
static void test_request_round_trip(void **state)
{
    (void)state;
    static const char raw[] = "GET /example space/ HTTP/1.1\nHost:example.amazonaws.com\n"
                              "My-Header1: value1\nMy-Header2:\t \"a   b\"\nMy-Header3:x\n  y\n";
    struct cpw_http_request req;
    struct cpw_buf out;
    cpw_buf_init(&out, 4096);
    assert_int_equal(cpw_http_request_parse(&req, cpw_span_from_cstr(raw)), 0);
    assert_string_equal(cpw_headers_get(&req.headers, "my-header1"), "value1");
    assert_int_equal(cpw_http_request_write(&req, &out), 0);
    assert_string_equal(cpw_buf_cstr(&out),
                        "GET /example space/ HTTP/1.1\nHost:example.amazonaws.com\n"
                        "My-Header1: value1\nMy-Header2:\t \"a   b\"\n"
                        "My-Header3:x\n  y\n\n");
    cpw_buf_clean_up(&out);
    cpw_http_request_clean_up(&req);
}

/* Payload hash choices: UNSIGNED-PAYLOAD and a caller-supplied hash end the canonical request. */
static void test_payload_hash_options(void **state)
{
    (void)state;
    static const char given[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    struct cpw_sigv4_credentials creds = { SUITE_AKID, SUITE_SECRET, NULL };
    struct cpw_sigv4_sign_options opts = {
        .credentials = &creds,
        .region = "us-east-1",
        .service = "service",
        .timestamp_s = SUITE_TIME,
        .payload = CPW_SIGV4_PAYLOAD_UNSIGNED,
    };
    struct cpw_http_request req;
    struct cpw_sigv4_signing signing;
    cpw_sigv4_signing_init(&signing);
    assert_int_equal(
      cpw_http_request_parse(&req, cpw_span_from_cstr("PUT /o HTTP/1.1\nHost:h\n\nbody")), 0);
    assert_int_equal(cpw_sigv4_sign(&req, &opts, &signing), 0);
    const char *cr = cpw_buf_cstr(&signing.canonical_request);
    assert_string_equal(cr + strlen(cr) - strlen("\nUNSIGNED-PAYLOAD"), "\nUNSIGNED-PAYLOAD");
    assert_null(cpw_headers_get(&req.headers, "x-amz-content-sha256")); /* only when asked */
    opts.payload = CPW_SIGV4_PAYLOAD_GIVEN;
    opts.payload_hash = given;
    opts.add_content_sha256_header = true;
    assert_int_equal(cpw_sigv4_sign(&req, &opts, &signing), 0);
    cr = cpw_buf_cstr(&signing.canonical_request);
    assert_string_equal(cr + strlen(cr) - strlen(given), given);
    assert_string_equal(cpw_headers_get(&req.headers, "x-amz-content-sha256"), given);
    /* Re-signing replaced the first signature instead of adding a second one. */
    assert_int_equal(cpw_headers_count_name(&req.headers, "authorization"), 1);
    assert_int_equal(cpw_headers_count_name(&req.headers, "x-amz-date"), 1);
    cpw_sigv4_signing_clean_up(&signing);
    cpw_http_request_clean_up(&req);
}

struct cache_worker {
    struct cpw_sigv4_key_cache *cache;
    int mismatches;
};

static void *s_cache_worker(void *arg)
{
    struct cache_worker *w = arg;
    static const char *const dates[] = { "20120215", "20120216", "20120217" };
    uint8_t expected[3][CPW_SHA256_LEN];
    uint8_t got[CPW_SHA256_LEN];
    for (int d = 0; d < 3; d++) {
        cpw_sigv4_derive_key(cpw_span_from_cstr(SUITE_SECRET), cpw_span_from_cstr(dates[d]),
                             cpw_span_from_cstr("us-east-1"), cpw_span_from_cstr("iam"),
                             expected[d]);
    }
    for (int i = 0; i < 300; i++) {
        int d = i % 3;
        if (cpw_sigv4_key_cache_get(w->cache, cpw_span_from_cstr("AK1"),
                                    cpw_span_from_cstr(SUITE_SECRET), cpw_span_from_cstr(dates[d]),
                                    cpw_span_from_cstr("us-east-1"), cpw_span_from_cstr("iam"),
                                    got) != 0 ||
            memcmp(got, expected[d], sizeof(got)) != 0) {
            w->mismatches++;
        }
    }
    return NULL;
}

/* Threads sharing a cache smaller than their working set always get the right key. */
static void test_key_cache_threads(void **state)
{
    (void)state;
    struct cpw_sigv4_key_cache *cache = cpw_sigv4_key_cache_new(2);
    struct cache_worker workers[4];
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        workers[i] = (struct cache_worker){ .cache = cache };
        assert_int_equal(pthread_create(&threads[i], NULL, s_cache_worker, &workers[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_int_equal(workers[i].mismatches, 0);
    }
    size_t hits = 0;
    size_t misses = 0;
    cpw_sigv4_key_cache_stats(cache, &hits, &misses);
    assert_int_equal(hits + misses, 4 * 300);
    cpw_sigv4_key_cache_destroy(cache);
}

static void test_suite_context_errors(void **state)
{
    (void)state;
    struct cpw_sigv4_suite_context ctx;
    assert_int_equal(cpw_sigv4_suite_context_parse(&ctx, cpw_span_from_cstr("{")), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_PARSE);
    assert_int_equal(cpw_sigv4_suite_context_parse(&ctx, cpw_span_from_cstr("{\"region\":\"x\"}")),
                     -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
    assert_int_equal(
      cpw_sigv4_suite_context_parse(
        &ctx, cpw_span_from_cstr("{\"credentials\":{\"access_key_id\":\"A\","
                                 "\"secret_access_key\":\"s3cr3t-value\"},\"normalize\":1}")),
      -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_PARSE);
    assert_null(strstr(cpw_last_error_detail(), "s3cr3t-value"));
    assert_int_equal(
      cpw_sigv4_suite_context_parse(
        &ctx, cpw_span_from_cstr("{\"credentials\":{\"access_key_id\":\"A\","
                                 "\"secret_access_key\":\"s\"},\"timestamp\":\"yesterday\"}")),
      -1);
    assert_int_equal(cpw_sigv4_suite_context_parse(
                       &ctx, cpw_span_from_cstr("{\"credentials\":{\"access_key_id\":\"A\","
                                                "\"secret_access_key\":\"s\"},\"timestamp\":"
                                                "\"20150830T123600Z\",\"normalize\":false}")),
                     0);
    assert_int_equal(ctx.timestamp_s, SUITE_TIME);
    assert_false(ctx.normalize);
    assert_int_equal(ctx.expires_s, 3600);
    struct cpw_sigv4_credentials creds;
    struct cpw_sigv4_sign_options opts;
    assert_int_equal(cpw_sigv4_suite_sign_options(&ctx, false, &creds, &opts), -1); /* region */
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
    cpw_sigv4_suite_context_clean_up(&ctx);
}

CPW_TEST_MAIN("sigv4",
              CPW_TEST(test_literal_suite_cases),
              CPW_TEST(test_get_vanilla_intermediates_and_cache),
              CPW_TEST(test_derive_key_documented_example),
              CPW_TEST(test_key_cache_keys_and_eviction),
              CPW_TEST(test_double_encoded_path_and_query),
              CPW_TEST(test_sign_rejects_bad_options),
              CPW_TEST(test_parse_authorization_variants),
              CPW_TEST(test_suite_context_errors),
              CPW_TEST(test_payload_hash_options),
              CPW_TEST(test_key_cache_threads),
              CPW_TEST(test_request_round_trip))
