/*
 * test_codec_xmlread.c - the one-pass XML reader (cpw_codec_xml_read) against the reference path
 * it accelerates (cpw_xml_parse's tree walked by the model, cpw_codec_query_read_tree): on every
 * golden query-protocol reply, on the benchmark's replies, on a table of edge cases and on byte
 * mutations of a real reply, the reader either gives up or returns the very document the
 * reference returns, members in the same order; and cpw_codec_query_parse_output, which tries
 * the reader first, returns the reference's document or raises the reference's error.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "aws/codec_internal.h"
#include "cpw/alloc.h"
#include "cpw/codec.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "harness.h"

/* Compact text with members in document order (json_equal would ignore the order). */
static char *s_text(const json_t *doc)
{
    return cpw_json_dump_cstr(doc, CPW_JSON_DUMP_COMPACT);
}

static void s_assert_same_doc(const json_t *a, const json_t *b, const char *what)
{
    char *ta = s_text(a);
    char *tb = s_text(b);
    if (strcmp(ta, tb) != 0) {
        print_error("%s:\n reader    %s\n reference %s\n", what, ta, tb);
    }
    assert_string_equal(ta, tb);
    cpw_free(ta);
    cpw_free(tb);
}

/*
 * Runs the reader, the reference and the public entry point on body; fails the test on any
 * difference. Returns whether the reader took the body.
 */
static bool s_same(const struct cpw_model_service *svc,
                   const char *operation,
                   struct cpw_span body,
                   const char *what)
{
    const json_t *shape = cpw_model_output_shape(svc, operation);
    const json_t *oref = json_object_get(cpw_model_operation(svc, operation), "output");
    const char *wrapper = cpw_codec_str(oref, "resultWrapper");

    json_t *fast = NULL;
    int fast_rc = shape ? cpw_codec_xml_read(svc, shape, wrapper, body, &fast) : -1;

    json_t *ref = NULL;
    int ref_rc = cpw_codec_query_read_tree(svc, operation, body, &ref);
    enum cpw_error ref_code = cpw_last_error();
    char *ref_detail = cpw_strdup(ref_rc ? cpw_last_error_detail() : "");

    struct cpw_http_response resp;
    cpw_http_response_init(&resp);
    resp.status = 200;
    assert_int_equal(cpw_buf_append(&resp.body, body), 0);
    json_t *pub = NULL;
    int pub_rc = cpw_codec_query_parse_output(svc, operation, &resp, &pub);
    assert_int_equal(pub_rc, ref_rc);
    if (pub_rc) {
        assert_int_equal(cpw_last_error(), ref_code);
        assert_string_equal(cpw_last_error_detail(), ref_detail);
        assert_null(pub);
    } else {
        s_assert_same_doc(pub, ref, what);
    }

    if (fast_rc == 0) {
        if (ref_rc) {
            print_error("%s: the reader took a body the reference refuses (%s): %.*s\n", what,
                        ref_detail, (int)(body.len > 300 ? 300 : body.len), (const char *)body.ptr);
        }
        assert_int_equal(ref_rc, 0);
        s_assert_same_doc(fast, ref, what);
    } else {
        assert_null(fast);
    }
    json_decref(fast);
    json_decref(ref);
    json_decref(pub);
    cpw_free(ref_detail);
    cpw_http_response_clean_up(&resp);
    return fast_rc == 0;
}

static void test_golden_bodies(void **state)
{
    (void)state;
    char *dir_path = cpw_test_source_path("tests/golden/wire");
    DIR *dir = opendir(dir_path);
    assert_non_null(dir);
    size_t compared = 0;
    size_t taken = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (!strstr(entry->d_name, ".json")) {
            continue;
        }
        struct cpw_buf path;
        struct cpw_buf text;
        cpw_buf_init(&path, 4096);
        cpw_buf_init(&text, CPW_JSON_MAX_TEXT_BYTES);
        assert_int_equal(cpw_buf_appendf(&path, "%s/%s", dir_path, entry->d_name), 0);
        assert_int_equal(cpw_buf_read_file(&text, cpw_buf_cstr(&path)), 0);
        json_t *golden = NULL;
        assert_int_equal(cpw_json_load(cpw_buf_span(&text), CPW_JSON_MAX_TEXT_BYTES, &golden), 0);
        const char *service = json_string_value(json_object_get(golden, "service"));
        const char *operation = json_string_value(json_object_get(golden, "operation"));
        const struct cpw_model_service *svc = cpw_model_service_get(service);
        assert_non_null(svc);
        const json_t *half = json_object_get(golden, "response");
        const char *body = json_string_value(json_object_get(half, "body"));
        if (cpw_model_protocol(svc) == CPW_PROTOCOL_QUERY && body && *body) {
            /* Error replies too: neither path may read one as an output document differently. */
            bool took = s_same(svc, operation, cpw_span_from_cstr(body), entry->d_name);
            const json_t *status = json_object_get(half, "status");
            bool success = !status || json_integer_value(status) < 300;
            const json_t *shape = cpw_model_output_shape(svc, operation);
            /* Only a map (GetAccountSummary's SummaryMap) sends a success reply the tree's way. */
            if (success && shape && !strstr(entry->d_name, "GetAccountSummary")) {
                if (!took) {
                    print_error("%s: the reader gave up on a golden reply\n", entry->d_name);
                }
                assert_true(took);
            }
            taken += took;
            compared++;
        }
        json_decref(golden);
        cpw_buf_clean_up(&path);
        cpw_buf_clean_up(&text);
    }
    closedir(dir);
    cpw_free(dir_path);
    assert_true(compared >=
                15); /* the golden set holds every IAM and STS operation cpwarden calls */
    assert_true(taken >= 8);
    cpw_model_clean_up();
}

static void s_bench_file(const char *operation, const char *file)
{
    char *path = cpw_test_source_path(file);
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_JSON_MAX_TEXT_BYTES);
    assert_int_equal(cpw_buf_read_file(&text, path), 0);
    const struct cpw_model_service *svc = cpw_model_service_get("iam");
    assert_true(s_same(svc, operation, cpw_buf_span(&text), file));
    cpw_buf_clean_up(&text);
    cpw_free(path);
}

static void test_bench_responses(void **state)
{
    (void)state;
    s_bench_file("ListRoles", "bench/client/data/ListRoles.xml");
    s_bench_file("CreateServiceLinkedRole", "bench/client/data/CreateServiceLinkedRole.xml");
    cpw_model_clean_up();
}

struct edge {
    const char *role; /* the content of <Role> in a GetRole reply, or a whole reply */
    bool whole;
    bool taken; /* the reader must take it (else: either way, but never a different answer) */
};

#define GR_HEAD                                                                                    \
    "<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetRoleResult>"
#define GR_TAIL                                                                                    \
    "</GetRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"                \
    "</GetRoleResponse>"
#define R_BASE "<Path>/</Path><RoleName>R</RoleName><RoleId>AROA1</RoleId>"

static void test_edge_cases(void **state)
{
    (void)state;
    static const struct edge rows[] = {
        { R_BASE, false, true },
        { "", false, true },
        { R_BASE "<Description>   </Description>", false, true },
        { R_BASE "<Description></Description><Tags/>", false, true },
        { R_BASE "<Description>a &amp; b &#233; &lt;c&gt; \xc3\xa9</Description>", false, true },
        { R_BASE "<Description>line\n  two\r\n</Description>", false, true },
        { R_BASE "<Description><![CDATA[x<y]]></Description>", false, false },
        { R_BASE "<Description>a<!-- c -->b</Description>", false, false },
        { R_BASE "<Description>a<?pi x?>b</Description>", false, false },
        { R_BASE "<Description>a<b>c</b>d</Description>", false, false },
        { "<!-- c --><Path>/</Path>\n  <?pi x?><RoleName>R</RoleName> text <![CDATA[z]]>", false,
          true },
        { R_BASE "<RoleName>second</RoleName>", false, true },
        { "<Unknown><RoleName>inner</RoleName></Unknown>" R_BASE, false, true },
        { R_BASE "<MaxSessionDuration> 3600 </MaxSessionDuration>", false, true },
        { R_BASE "<MaxSessionDuration>x</MaxSessionDuration>", false, false },
        { R_BASE "<MaxSessionDuration>99999999999999999999</MaxSessionDuration>", false, false },
        { R_BASE "<CreateDate>2024-01-01T00:00:00Z</CreateDate>", false, true },
        { R_BASE "<CreateDate>yesterday</CreateDate>", false, false },
        { R_BASE "<Tags><member><Key>k</Key><Value>v</Value></member>"
                 "<other><Key>k2</Key></other><member/></Tags>",
          false, true },
        { R_BASE "<Tags><member><Key>k</Key></member></Tags><Tags><member><Key>x</Key></member>"
                 "</Tags>",
          false, true },
        { R_BASE "<RoleLastUsed><LastUsedDate>2024-01-01T00:00:00.5Z</LastUsedDate><Region>"
                 "eu-west-2</Region></RoleLastUsed>",
          false, true },
        { R_BASE "<x:Description xmlns:x=\"urn:x\">prefixed</x:Description>", false, true },
        { R_BASE "<Description attr=\"1\">with an attribute</Description>", false, true },
        { "<GetRoleResponse><Other/></GetRoleResponse>", true, false },
        { "<GetRoleResponse><GetRoleResult><Role><RoleName>a</RoleName></Role></GetRoleResult>"
          "<GetRoleResult><Role><RoleName>b</RoleName></Role></GetRoleResult></GetRoleResponse>",
          true, true },
        { "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GetRoleResponse><GetRoleResult/>"
          "</GetRoleResponse>",
          true, true },
        { "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><GetRoleResponse><GetRoleResult><Role>"
          "<Description>caf\xe9</Description></Role></GetRoleResult></GetRoleResponse>",
          true, true },
        { "<!DOCTYPE a [<!ENTITY e \"x\">]><GetRoleResponse><GetRoleResult><Role><Description>"
          "&e;</Description></Role></GetRoleResult></GetRoleResponse>",
          true, false },
        { "<GetRoleResponse><GetRoleResult><Role><Description>&bogus;</Description></Role>"
          "</GetRoleResult></GetRoleResponse>",
          true, false },
        { "<GetRoleResponse><GetRoleResult><Role><Description>\xff</Description></Role>"
          "</GetRoleResult></GetRoleResponse>",
          true, false },
        { "<GetRoleResponse><GetRoleResult>", true, false },
        { "<GetRoleResponse/><extra/>", true, false },
        { "not xml", true, false },
        { " ", true, false },
    };
    const struct cpw_model_service *svc = cpw_model_service_get("iam");
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct cpw_buf body;
        cpw_buf_init(&body, 1u << 20);
        if (rows[i].whole) {
            assert_int_equal(cpw_buf_append_cstr(&body, rows[i].role), 0);
        } else {
            assert_int_equal(
              cpw_buf_appendf(&body, GR_HEAD "<Role>%s</Role>" GR_TAIL, rows[i].role), 0);
        }
        bool took = s_same(svc, "GetRole", cpw_buf_span(&body), cpw_buf_cstr(&body));
        if (rows[i].taken && !took) {
            print_error("the reader gave up on %s\n", cpw_buf_cstr(&body));
        }
        assert_true(!rows[i].taken || took);
        cpw_buf_clean_up(&body);
    }
    cpw_model_clean_up();
}

/* CloudWatch, the other query service: lists of doubles and timestamps. */
static void test_cloudwatch(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "<GetMetricDataResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
        "<GetMetricDataResult><MetricDataResults><member><Id>m1</Id><Label>Calls</Label>"
        "<StatusCode>Complete</StatusCode><Timestamps><member>2024-01-01T00:00:00Z</member>"
        "<member>2024-01-01T00:05:00.250Z</member></Timestamps><Values><member>1.5</member>"
        "<member>2</member><member> 1e3 </member><member>-0.0</member></Values></member>"
        "</MetricDataResults><Messages/><NextToken>t</NextToken></GetMetricDataResult>"
        "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetMetricDataResponse>",
        "<GetMetricDataResponse><GetMetricDataResult><MetricDataResults><member><Values>"
        "<member>nan</member></Values></member></MetricDataResults></GetMetricDataResult>"
        "</GetMetricDataResponse>",
        "<GetMetricDataResponse><GetMetricDataResult><MetricDataResults><member><Values>"
        "<member>1e999</member></Values></member></MetricDataResults></GetMetricDataResult>"
        "</GetMetricDataResponse>",
    };
    const struct cpw_model_service *svc = cpw_model_service_get("cloudwatch");
    assert_non_null(svc);
    assert_true(s_same(svc, "GetMetricData", cpw_span_from_cstr(bodies[0]), bodies[0]));
    for (size_t i = 1; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        (void)s_same(svc, "GetMetricData", cpw_span_from_cstr(bodies[i]), bodies[i]);
    }
    cpw_model_clean_up();
}

/* Deep nesting: the reader and the walk stop at the same depth, or the reader gives up first. */
static void test_deep_nesting(void **state)
{
    (void)state;
    const struct cpw_model_service *svc = cpw_model_service_get("iam");
    struct cpw_buf body;
    cpw_buf_init(&body, 1u << 20);
    assert_int_equal(cpw_buf_append_cstr(&body, GR_HEAD "<Role><Unknown>"), 0);
    for (int i = 0; i < 200; i++) {
        assert_int_equal(cpw_buf_append_cstr(&body, "<a>"), 0);
    }
    for (int i = 0; i < 200; i++) {
        assert_int_equal(cpw_buf_append_cstr(&body, "</a>"), 0);
    }
    assert_int_equal(cpw_buf_append_cstr(&body, "</Unknown>" R_BASE "</Role>" GR_TAIL), 0);
    assert_true(s_same(svc, "GetRole", cpw_buf_span(&body), "deep unknown element"));
    cpw_buf_clean_up(&body);
    cpw_model_clean_up();
}

/* Every kind of damage at many offsets of a real reply: never an answer the reference lacks,
 * never an error other than the reference's. */
static void test_mutations(void **state)
{
    (void)state;
    char *path = cpw_test_source_path("bench/client/data/ListRoles.xml");
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_JSON_MAX_TEXT_BYTES);
    assert_int_equal(cpw_buf_read_file(&text, path), 0);
    const struct cpw_model_service *svc = cpw_model_service_get("iam");
    static const uint8_t damage[] = { '<', '>', '/', '&', ';', '"', 'x', '1', ' ', 0x01, 0xC3 };
    size_t taken = 0;
    for (size_t at = 0; at < text.len; at += 211) {
        for (size_t d = 0; d < sizeof(damage); d++) {
            uint8_t saved = text.data[at];
            text.data[at] = damage[d];
            taken += s_same(svc, "ListRoles", cpw_buf_span(&text), "mutation");
            text.data[at] = saved;
        }
        taken += s_same(svc, "ListRoles", cpw_span_from(text.data, at), "truncation");
    }
    assert_true(taken > 0); /* a letter for a letter in a name's text: still a reply */
    cpw_buf_clean_up(&text);
    cpw_free(path);
    cpw_model_clean_up();
}

CPW_TEST_MAIN("codec_xmlread",
              CPW_TEST(test_golden_bodies),
              CPW_TEST(test_bench_responses),
              CPW_TEST(test_edge_cases),
              CPW_TEST(test_cloudwatch),
              CPW_TEST(test_deep_nesting),
              CPW_TEST(test_mutations))
