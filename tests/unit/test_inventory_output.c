/*
 * test_inventory_output.c - the four output formats of an inventory and the JSON loader: the
 * JSON round-trips to the same model, CSV has one well-formed record per finding, Markdown has
 * its sections, the table groups by account and region, and bad documents are refused.
 */
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/inventory.h"
#include "harness.h"
#include "inventory_fixtures.h"

static struct cpw_inventory *s_story_with_error(void)
{
    struct cpw_inventory *inv = fx_orphans_story();
    fx_error(inv, FX_ACCOUNT, FX_REGION_B, "connect", "ListInstances", "AccessDeniedException");
    fx_error(inv, FX_ACCOUNT, NULL, "iam", "GetRole", "Throttling");
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    return inv;
}

static char *s_write(const struct cpw_inventory *inv, enum cpw_inv_format fmt, bool color)
{
    struct cpw_buf out;
    cpw_buf_init(&out, 16u << 20);
    struct cpw_inventory_write_options opts = { .color = color };
    assert_int_equal(cpw_inventory_write(inv, fmt, &opts, &out), 0);
    return cpw_buf_detach(&out);
}

static void test_json_round_trip(void **state)
{
    (void)state;
    struct cpw_inventory *inv = s_story_with_error();
    char *first = s_write(inv, CPW_INV_FORMAT_JSON, false);
    assert_non_null(strstr(first, "\"format_version\": 1")); /* the key every document uses */
    assert_null(strstr(first, "\"schema\""));
    assert_non_null(strstr(first, "\"scanned_at\": \"2023-12-14T22:13:20Z\""));

    struct cpw_inventory *back = cpw_inventory_load_json(cpw_span_from_cstr(first));
    assert_non_null(back);
    /* Same model: the same counts, links, findings, and byte-identical output. */
    assert_int_equal(cpw_inventory_scanned_at(back), cpw_inventory_scanned_at(inv));
    assert_int_equal(cpw_inventory_account_count(back), 1);
    assert_int_equal(cpw_inventory_region_count(back), cpw_inventory_region_count(inv));
    assert_true(cpw_inventory_region_count(back) > 2); /* every region: fx_scope_all */
    assert_int_equal(cpw_inventory_instance_count(back), 1);
    assert_int_equal(cpw_inventory_domain_count(back), 2);
    assert_int_equal(cpw_inventory_role_count(back), 5);
    assert_int_equal(cpw_inventory_error_count(back), 2);
    assert_int_equal(cpw_inventory_finding_count(back), cpw_inventory_finding_count(inv));
    for (size_t i = 0; i < cpw_inventory_finding_count(inv); i++) {
        const struct cpw_inv_finding *a = cpw_inventory_finding(inv, i);
        const struct cpw_inv_finding *b = cpw_inventory_finding(back, i);
        assert_int_equal(a->kind, b->kind);
        assert_int_equal(a->confidence, b->confidence);
        assert_int_equal(a->severity, b->severity);
        assert_string_equal(a->resource_arn, b->resource_arn);
        assert_int_equal(a->evidence_count, b->evidence_count);
    }
    const struct cpw_inv_domain *d = cpw_inventory_domain(back, 0);
    assert_string_equal(d->name, "dom-a");
    assert_int_equal(d->profile_count, 42);
    assert_int_equal(d->created_at_s, FX_T0);
    assert_int_equal(d->integration_count, 1);
    assert_string_equal(d->integrations[0].object_type_name, "CTR");
    assert_int_equal(d->role_confidence, CPW_INV_CONFIDENCE_LIKELY);
    assert_int_equal(d->instance_arn_count, 1);
    assert_string_equal(cpw_inventory_instance(back, 0)->domain_arn, d->arn);
    char *second = s_write(back, CPW_INV_FORMAT_JSON, false);
    assert_string_equal(first, second);

    cpw_free(first);
    cpw_free(second);
    cpw_inventory_destroy(back);
    cpw_inventory_destroy(inv);
}

/* Region statuses, a domain's LastUpdatedAt and the new finding kinds survive the round trip;
 * a document written before region statuses existed still loads. */
static void test_json_round_trip_region_statuses_and_new_kinds(void **state)
{
    (void)state;
    struct cpw_inventory *inv = cpw_inventory_new();
    cpw_inventory_set_scanned_at(inv, FX_T0 + 60);
    cpw_inventory_add_account(inv, FX_ACCOUNT);
    fx_scope_all(inv);
    struct cpw_inv_region_status st[] = {
        { .account = FX_ACCOUNT,
          .region = "af-south-1",
          .state = CPW_INV_REGION_NOT_ENABLED,
          .evidence = "ListRegions: DISABLED" },
        { .account = FX_ACCOUNT2, /* another account: its unknown region does not touch ours */
          .region = "ap-northeast-2",
          .state = CPW_INV_REGION_UNKNOWN,
          .evidence = NULL },
        { .account = FX_ACCOUNT,
          .region = FX_REGION_A,
          .state = CPW_INV_REGION_ENABLED,
          .evidence = "ListRegions: ENABLED_BY_DEFAULT" },
    };
    for (size_t i = 0; i < 3; i++) {
        assert_non_null(cpw_inventory_add_region_status(inv, &st[i]));
    }
    struct cpw_inv_domain d = { .account = FX_ACCOUNT,
                                .region = FX_REGION_A,
                                .name = "fresh",
                                .created_at_s = FX_T0,
                                .updated_at_s = FX_T0 + 30,
                                .profile_count = 1,
                                .object_count = -1,
                                .metering_profile_count = -1 };
    assert_non_null(cpw_inventory_add_domain(inv, &d));
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, "AWSServiceRoleForProfile_r1", FX_T0 + 9000,
            NULL);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, "AWSServiceRoleForProfile_r2", FX_T0 + 9001,
            NULL);
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    char *first = s_write(inv, CPW_INV_FORMAT_JSON, false);
    assert_non_null(strstr(first, "\"state\": \"not-enabled\""));
    assert_non_null(strstr(first, "\"updated_at\": \"2023-11-14T22:13:50Z\""));
    assert_non_null(strstr(first, "\"kind\": \"unattached-domain\""));
    assert_non_null(strstr(first, "\"kind\": \"surplus-profile-roles\""));

    struct cpw_inventory *back = cpw_inventory_load_json(cpw_span_from_cstr(first));
    assert_non_null(back);
    assert_int_equal(cpw_inventory_region_status_count(back), 3);
    const struct cpw_inv_region_status *off =
      cpw_inventory_find_region_status(back, FX_ACCOUNT, "af-south-1");
    assert_non_null(off);
    assert_int_equal(off->state, CPW_INV_REGION_NOT_ENABLED);
    assert_string_equal(off->evidence, "ListRegions: DISABLED");
    const struct cpw_inv_region_status *unknown =
      cpw_inventory_find_region_status(back, FX_ACCOUNT2, "ap-northeast-2");
    assert_int_equal(unknown->state, CPW_INV_REGION_UNKNOWN);
    assert_null(unknown->evidence);
    assert_int_equal(cpw_inventory_domain(back, 0)->updated_at_s, FX_T0 + 30);
    assert_int_equal(cpw_inventory_finding_count(back), cpw_inventory_finding_count(inv));
    for (size_t i = 0; i < cpw_inventory_finding_count(inv); i++) {
        assert_int_equal(cpw_inventory_finding(back, i)->kind, cpw_inventory_finding(inv, i)->kind);
    }
    char *second = s_write(back, CPW_INV_FORMAT_JSON, false);
    assert_string_equal(first, second);
    /* Analysing the loaded document gives the same findings: the statuses are facts. */
    assert_int_equal(cpw_inventory_analyze(back), 0);
    char *third = s_write(back, CPW_INV_FORMAT_JSON, false);
    assert_string_equal(first, third);

    cpw_free(first);
    cpw_free(second);
    cpw_free(third);
    cpw_inventory_destroy(back);
    cpw_inventory_destroy(inv);
}

/* Splits an RFC 4180 document into records and counts each record's fields. */
static size_t s_csv_records(const char *text, size_t *fields_per_record, size_t max)
{
    size_t records = 0;
    size_t fields = 1;
    bool quoted = false;
    for (const char *p = text; *p; p++) {
        if (quoted) {
            if (*p == '"' && p[1] == '"') {
                p++;
            } else if (*p == '"') {
                quoted = false;
            }
        } else if (*p == '"') {
            quoted = true;
        } else if (*p == ',') {
            fields++;
        } else if (*p == '\r' && p[1] == '\n') {
            assert_true(records < max);
            fields_per_record[records++] = fields;
            fields = 1;
            p++;
        } else {
            assert_true(*p != '\n' && *p != '\r'); /* bare line breaks only inside quotes */
        }
    }
    assert_false(quoted);
    return records;
}

static void test_csv_one_record_per_finding(void **state)
{
    (void)state;
    struct cpw_inventory *inv = s_story_with_error();
    char *csv = s_write(inv, CPW_INV_FORMAT_CSV, false);
    size_t fields[64];
    size_t records = s_csv_records(csv, fields, 64);
    assert_int_equal(records, cpw_inventory_finding_count(inv) + 1);
    for (size_t i = 0; i < records; i++) {
        assert_int_equal(fields[i], 8);
    }
    assert_memory_equal(
      csv, "account,region,kind,severity,confidence,resource_arn,action,evidence\r\n", 70);
    assert_non_null(strstr(csv, "111111111111,global,orphaned-connect-role,warning,possible,"));
    cpw_free(csv);

    /* Quoting per RFC 4180: quotes doubled, the field enclosed; plain fields left alone. */
    struct cpw_buf field;
    cpw_buf_init(&field, 256);
    assert_int_equal(cpw_inventory_csv_field(&field, "say \"hi\", then\nleave"), 0);
    assert_string_equal(cpw_buf_cstr(&field), "\"say \"\"hi\"\", then\nleave\"");
    cpw_buf_reset(&field);
    assert_int_equal(cpw_inventory_csv_field(&field, "plain"), 0);
    assert_string_equal(cpw_buf_cstr(&field), "plain");
    cpw_buf_clean_up(&field);
    cpw_inventory_destroy(inv);
}

static void test_markdown_sections(void **state)
{
    (void)state;
    struct cpw_inventory *inv = s_story_with_error();
    char *md = s_write(inv, CPW_INV_FORMAT_MARKDOWN, false);
    const char *sections[] = { "# cpwarden inventory\n", "\n## Summary\n",    "\n## Scope\n",
                               "\n## Findings\n",        "\n## Instances\n",  "\n## Domains\n",
                               "\n## Roles\n",           "\n## Scan errors\n" };
    const char *last = md;
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
        const char *at = strstr(md, sections[i]);
        assert_non_null(at);
        assert_true(at >= last); /* in this order */
        last = at;
    }
    assert_non_null(strstr(md, "| Findings | 4 |"));
    /* Connect failed in us-west-2: the scope table says so; Customer Profiles is whole. */
    assert_non_null(strstr(md, "| 111111111111 | Amazon Connect | 10 | us-west-2 | none |"));
    assert_non_null(strstr(md, "| 111111111111 | Customer Profiles | 10 | none | none |"));
    assert_non_null(strstr(md, "| warning | possible | domain-without-instance | 111111111111 | "
                               "us-west-2 |"));
    /* A role never used reads "never" here as in the table (it read "unknown"). */
    assert_null(strstr(md, "| unknown |"));
    char *table = s_write(inv, CPW_INV_FORMAT_TABLE, false);
    assert_non_null(strstr(table, " never "));
    cpw_free(table);
    assert_non_null(strstr(md, "| never |"));
    cpw_free(md);
    cpw_inventory_destroy(inv);
}

static void test_table_groups_and_colour(void **state)
{
    (void)state;
    struct cpw_inventory *inv = s_story_with_error();
    char *plain = s_write(inv, CPW_INV_FORMAT_TABLE, false);
    assert_null(strchr(plain, '\033'));
    const char *account = strstr(plain, "\naccount 111111111111\n");
    const char *region_a = strstr(plain, "\nus-east-1\n");
    const char *region_b = strstr(plain, "\nus-west-2\n");
    const char *global = strstr(plain, "\nglobal (IAM)\n");
    assert_non_null(account);
    assert_non_null(region_a);
    assert_non_null(region_b);
    assert_non_null(global);
    assert_true(account < region_a && region_a < region_b && region_b < global);
    const char *scope = strstr(plain, "  scope Amazon Connect     not read in 1 of 10 regions: "
                                      "us-west-2\n");
    assert_non_null(scope);
    assert_true(account < scope && scope < region_a);
    assert_non_null(strstr(plain, "  scope Customer Profiles  every region read (10)\n"));
    /* Findings come first in a group. */
    const char *findings_b = strstr(region_b, "  findings\n");
    const char *domains_b = strstr(region_b, "  domains\n");
    assert_non_null(findings_b);
    assert_non_null(domains_b);
    assert_true(findings_b < domains_b);
    assert_non_null(strstr(plain, "domain-without-instance"));
    assert_non_null(strstr(plain, "AccessDeniedException"));
    char *colour = s_write(inv, CPW_INV_FORMAT_TABLE, true);
    assert_non_null(strstr(colour, "\033[33mwarning"));
    cpw_free(plain);
    cpw_free(colour);
    cpw_inventory_destroy(inv);
}

static void test_write_file(void **state)
{
    (void)state;
    struct cpw_inventory *inv = s_story_with_error();
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(cpw_inventory_write_file(inv, CPW_INV_FORMAT_JSON, NULL, f), 0);
    long size = ftell(f);
    char *json = s_write(inv, CPW_INV_FORMAT_JSON, false);
    assert_int_equal(size, (long)strlen(json));
    cpw_free(json);
    fclose(f);
    cpw_inventory_destroy(inv);
}

static void s_expect_refused(const char *doc, enum cpw_error code, const char *detail)
{
    struct cpw_inventory *inv = cpw_inventory_load_json(cpw_span_from_cstr(doc));
    assert_null(inv);
    assert_int_equal(cpw_last_error(), code);
    if (!strstr(cpw_last_error_detail(), detail)) {
        fail_msg("detail '%s' lacks '%s'", cpw_last_error_detail(), detail);
    }
}

#define EMPTY_BODY                                                                                 \
    "\"scanned_at\": null, \"accounts\": [], \"regions\": [], \"instances\": [], "                 \
    "\"domains\": [], \"roles\": [], \"findings\": [], \"errors\": []"

static void test_loader_refuses_bad_documents(void **state)
{
    (void)state;
    struct cpw_inventory *ok =
      cpw_inventory_load_json(cpw_span_from_cstr("{\"format_version\": 1, " EMPTY_BODY "}"));
    assert_non_null(ok);
    assert_int_equal(cpw_inventory_domain_count(ok), 0);
    cpw_inventory_destroy(ok);
    /* documents and snapshots written before the key was shared say "schema" */
    ok = cpw_inventory_load_json(cpw_span_from_cstr("{\"schema\": 1, " EMPTY_BODY "}"));
    assert_non_null(ok);
    cpw_inventory_destroy(ok);

    s_expect_refused("{\"format_version\": 2, " EMPTY_BODY "}", CPW_ERR_UNSUPPORTED,
                     "format_version 2 is not supported");
    s_expect_refused("{\"schema\": 2, " EMPTY_BODY "}", CPW_ERR_UNSUPPORTED, "format_version 2");
    s_expect_refused("{\"schema\": \"1\", " EMPTY_BODY "}", CPW_ERR_PARSE, "schema");
    s_expect_refused("[1, 2]", CPW_ERR_PARSE, "expected an object");
    s_expect_refused("{\"schema\": 1, ", CPW_ERR_PARSE, "line 1");
    s_expect_refused("{\"schema\": 1, \"schema\": 1}", CPW_ERR_PARSE, "duplicate");
    s_expect_refused("{\"schema\": 1, \"scanned_at\": null}", CPW_ERR_PARSE, "accounts: missing");
    s_expect_refused("{\"schema\": 1, \"scanned_at\": \"yesterday\", \"accounts\": []}",
                     CPW_ERR_PARSE, "scanned_at: expected an ISO 8601 time");
    s_expect_refused(
      "{\"schema\": 1, \"scanned_at\": null, \"accounts\": [], \"regions\": [], \"instances\": "
      "[{\"account\": \"1\", \"region\": 5}]}",
      CPW_ERR_PARSE, "instances[0].region: expected a string or null");
    s_expect_refused(
      "{\"schema\": 1, \"scanned_at\": null, \"accounts\": [], \"regions\": [], \"instances\": [], "
      "\"domains\": [], \"roles\": [], \"findings\": [{\"kind\": \"bogus\"}], \"errors\": []}",
      CPW_ERR_PARSE, "findings[0].kind: unknown value");
    s_expect_refused(
      "{\"schema\": 1, \"scanned_at\": null, \"accounts\": [], \"regions\": [], \"instances\": [], "
      "\"domains\": [{\"account\": \"1\", \"profile_count\": -3}]}",
      CPW_ERR_PARSE, "domains[0].profile_count");

    /* region statuses: absent is fine (earlier documents); present, every value is checked */
#define RS_DOC(x) "{\"schema\": 1, " EMPTY_BODY ", \"region_statuses\": " x "}"
    struct cpw_inventory *older = cpw_inventory_load_json(cpw_span_from_cstr(RS_DOC("[]")));
    assert_non_null(older);
    assert_int_equal(cpw_inventory_region_status_count(older), 0);
    cpw_inventory_destroy(older);
    s_expect_refused(RS_DOC("{}"), CPW_ERR_PARSE, "region_statuses: expected an array");
    s_expect_refused(RS_DOC("[7]"), CPW_ERR_PARSE, "region_statuses[0]: expected an object");
    s_expect_refused(RS_DOC("[{\"region\": \"af-south-1\", \"state\": \"enabled\", "
                            "\"evidence\": null}]"),
                     CPW_ERR_PARSE, "region_statuses[0].account: missing");
    s_expect_refused(RS_DOC("[{\"account\": \"1\", \"region\": null, \"state\": \"enabled\", "
                            "\"evidence\": null}]"),
                     CPW_ERR_PARSE, "region_statuses[0].region: expected a string");
    s_expect_refused(RS_DOC("[{\"account\": \"1\", \"region\": \"af-south-1\", "
                            "\"state\": \"maybe\", \"evidence\": null}]"),
                     CPW_ERR_PARSE, "region_statuses[0].state: unknown value");
    s_expect_refused(RS_DOC("[{\"account\": \"1\", \"region\": \"af-south-1\", "
                            "\"state\": \"enabled\"}]"),
                     CPW_ERR_PARSE, "region_statuses[0].evidence: missing");
    s_expect_refused(RS_DOC("[{\"account\": \"1\", \"region\": \"af-south-1\", "
                            "\"state\": \"enabled\", \"evidence\": null}, {\"account\": \"1\", "
                            "\"region\": \"af-south-1\", \"state\": \"unknown\", "
                            "\"evidence\": null}]"),
                     CPW_ERR_PARSE, "region_statuses[1].region: a second status");
#undef RS_DOC
    s_expect_refused(
      "{\"schema\": 1, \"scanned_at\": null, \"accounts\": [], \"regions\": [], \"instances\": [], "
      "\"domains\": [{\"account\": \"1\", \"profile_count\": null, \"region\": null, "
      "\"name\": null, \"arn\": null, \"created_at\": null, \"updated_at\": 5}]}",
      CPW_ERR_PARSE, "domains[0].updated_at: expected an ISO 8601 time");
}

/* A scan error's code and message are what a server said: no format passes a terminal control
 * (ESC, CSI, BEL) through, and the text stays readable. */
static void test_remote_error_text_is_printable(void **state)
{
    (void)state;
    struct cpw_inventory *inv = fx_orphans_story();
    struct cpw_inv_error e = { .account = FX_ACCOUNT,
                               .region = FX_REGION_B,
                               .service = "customer-profiles",
                               .operation = "ListDomains",
                               .code = "Access\x1b]0;pwned\x07"
                                       "Denied",
                               .message = "\x1b[2Jscreen cleared\r\n\xc2\x9b"
                                          "31mred" };
    assert_non_null(cpw_inventory_add_error(inv, &e));
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    const enum cpw_inv_format formats[] = { CPW_INV_FORMAT_TABLE, CPW_INV_FORMAT_MARKDOWN,
                                            CPW_INV_FORMAT_CSV, CPW_INV_FORMAT_JSON };
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        char *text = s_write(inv, formats[i], false);
        assert_null(strchr(text, 0x1b));
        assert_null(strchr(text, 0x07));
        assert_null(strstr(text, "\xc2\x9b"));
        if (formats[i] != CPW_INV_FORMAT_CSV) { /* CSV has findings only */
            assert_non_null(strstr(text, "screen cleared"));
        }
        cpw_free(text);
    }
    char *table = s_write(inv, CPW_INV_FORMAT_TABLE, false);
    assert_non_null(strstr(table, "\\x1b[2Jscreen cleared\\x0d\\x0a\\xc2\\x9b31mred"));
    assert_non_null(strstr(table, "Access\\x1b]0;pwned\\x07Denied"));
    cpw_free(table);
    cpw_inventory_destroy(inv);
}

CPW_TEST_MAIN("inventory_output",
              CPW_TEST(test_json_round_trip),
              CPW_TEST(test_json_round_trip_region_statuses_and_new_kinds),
              CPW_TEST(test_csv_one_record_per_finding),
              CPW_TEST(test_markdown_sections),
              CPW_TEST(test_table_groups_and_colour),
              CPW_TEST(test_write_file),
              CPW_TEST(test_loader_refuses_bad_documents),
              CPW_TEST(test_remote_error_text_is_printable))
