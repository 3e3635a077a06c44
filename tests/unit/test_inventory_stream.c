/*
 * test_inventory_stream.c - the inventory document written element by element is byte for byte
 * what jansson prints for the whole tree; the lookups the analysis makes on sorted lists (account
 * ranges, ARN indexes) find what a scan of the whole lists finds, across accounts too.
 */
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/inventory.h"
#include "cpw/json.h"
#include "harness.h"
#include "inventory_fixtures.h"

#define DOC_MAX (16u * 1024u * 1024u)

/* The orphans story in FX_ACCOUNT, plus a second account with a scan error (non-ASCII text) and a
 * region status, so that every section of the document holds elements. */
static struct cpw_inventory *s_two_accounts(void)
{
    struct cpw_inventory *inv = fx_orphans_story();
    cpw_inventory_add_account(inv, FX_ACCOUNT2);
    fx_instance(inv, FX_ACCOUNT2, FX_REGION_A, "inst-c", "CREATION_FAILED", "Connect_C");
    fx_domain(inv, FX_ACCOUNT2, FX_REGION_B, "dom-\xc3\xa9t\xc3\xa9", FX_T0, "gone", NULL);
    struct cpw_inv_error e = { .account = FX_ACCOUNT2,
                               .region = FX_REGION_B,
                               .service = "profile",
                               .operation = "ListDomains",
                               .code = "AccessDeniedException",
                               .message = "caf\xc3\xa9 \"quoted\"\\ and a\nnewline" };
    cpw_inventory_add_error(inv, &e);
    struct cpw_inv_region_status st = { .account = FX_ACCOUNT2,
                                        .region = "af-south-1",
                                        .state = CPW_INV_REGION_NOT_ENABLED,
                                        .evidence = "ListRegions: DISABLED" };
    cpw_inventory_add_region_status(inv, &st);
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    return inv;
}

/* What jansson prints for the whole document: the text parsed, then dumped as one tree. */
static void s_assert_whole_tree_text(const struct cpw_buf *doc)
{
    json_t *tree = NULL;
    assert_int_equal(cpw_json_load(cpw_buf_span(doc), DOC_MAX, &tree), 0);
    struct cpw_buf again;
    cpw_buf_init(&again, DOC_MAX);
    assert_int_equal(cpw_json_dump_document(tree, &again), 0);
    assert_int_equal(again.len, doc->len);
    assert_memory_equal(again.data, doc->data, doc->len);
    cpw_buf_clean_up(&again);
    json_decref(tree);
}

static void test_streamed_document_is_the_whole_tree_text(void **state)
{
    (void)state;
    struct cpw_inventory *inv = s_two_accounts();
    assert_true(cpw_inventory_finding_count(inv) > 3);
    struct cpw_buf doc;
    cpw_buf_init(&doc, DOC_MAX);
    assert_int_equal(cpw_inventory_write(inv, CPW_INV_FORMAT_JSON, NULL, &doc), 0);
    s_assert_whole_tree_text(&doc);
    assert_non_null(strstr(cpw_buf_cstr(&doc), "\n    {\n      \"kind\": "));

    /* The stream gets the same bytes as the buffer. */
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(cpw_inventory_write_file(inv, CPW_INV_FORMAT_JSON, NULL, f), 0);
    assert_int_equal(ftell(f), (long)doc.len);
    rewind(f);
    char *back = cpw_malloc(doc.len + 1);
    assert_int_equal(fread(back, 1, doc.len, f), doc.len);
    assert_memory_equal(back, doc.data, doc.len);
    cpw_free(back);
    fclose(f);
    cpw_buf_clean_up(&doc);
    cpw_inventory_destroy(inv);
}

static void test_streamed_empty_document(void **state)
{
    (void)state;
    struct cpw_inventory *inv = cpw_inventory_new();
    struct cpw_buf doc;
    cpw_buf_init(&doc, DOC_MAX);
    assert_int_equal(cpw_inventory_write(inv, CPW_INV_FORMAT_JSON, NULL, &doc), 0);
    s_assert_whole_tree_text(&doc);
    assert_non_null(strstr(cpw_buf_cstr(&doc), "\"instances\": [],\n"));
    cpw_buf_clean_up(&doc);
    cpw_inventory_destroy(inv);
}

/* A buffer too small for the document fails with LIMIT, as the tree dump did. */
static void test_streamed_document_respects_the_buffer_limit(void **state)
{
    (void)state;
    struct cpw_inventory *inv = s_two_accounts();
    struct cpw_buf doc;
    cpw_buf_init(&doc, 512);
    assert_int_equal(cpw_inventory_write(inv, CPW_INV_FORMAT_JSON, NULL, &doc), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_LIMIT);
    cpw_buf_clean_up(&doc);
    cpw_inventory_destroy(inv);
}

/*
 * Links that cross accounts stay: FX_ACCOUNT2's live instance names FX_ACCOUNT's Connect role as
 * its service role, and FX_ACCOUNT2's domain integrates FX_ACCOUNT's live instance. The role is
 * in use (no orphaned-connect-role) and the instance serves that domain.
 */
static void test_cross_account_links(void **state)
{
    (void)state;
    struct cpw_inventory *inv = cpw_inventory_new();
    cpw_inventory_set_scanned_at(inv, FX_T0 + 30 * FX_DAY);
    cpw_inventory_add_account(inv, FX_ACCOUNT2);
    cpw_inventory_add_account(inv, FX_ACCOUNT);
    fx_scope_all(inv);
    char role_arn[256];
    char inst_arn[256];
    fx_role_arn(role_arn, sizeof(role_arn), FX_ACCOUNT, CPW_INV_ROLE_CONNECT, "Connect_X");
    fx_instance_arn(inst_arn, sizeof(inst_arn), FX_ACCOUNT, FX_REGION_A, "inst-x");
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_CONNECT, "Connect_X", FX_T0, NULL);
    fx_instance(inv, FX_ACCOUNT, FX_REGION_A, "inst-x", "ACTIVE", "Connect_Unknown");
    struct cpw_inv_instance other = { .account = FX_ACCOUNT2,
                                      .region = FX_REGION_A,
                                      .id = "inst-y",
                                      .arn = "arn:aws:connect:us-east-1:222222222222:instance/y",
                                      .status = "ACTIVE",
                                      .service_role_arn = role_arn };
    cpw_inventory_add_instance(inv, &other);
    struct cpw_inv_integration integ = { .uri = inst_arn, .object_type_name = "CTR" };
    struct cpw_inv_domain d = { .account = FX_ACCOUNT2,
                                .region = FX_REGION_A,
                                .name = "dom-y",
                                .created_at_s = FX_T0,
                                .profile_count = 1,
                                .integrations = &integ,
                                .integration_count = 1 };
    cpw_inventory_add_domain(inv, &d);
    assert_int_equal(cpw_inventory_analyze(inv), 0);

    const struct cpw_inv_role *r = cpw_inventory_find_role(inv, role_arn);
    assert_non_null(r);
    assert_string_equal(r->linked_arn, other.arn);
    assert_null(cpw_inventory_find_finding(inv, CPW_INV_FINDING_ORPHANED_CONNECT_ROLE, role_arn));
    const struct cpw_inv_instance *x = cpw_inventory_find_instance(inv, inst_arn);
    assert_non_null(x);
    assert_non_null(x->domain_arn);
    assert_non_null(strstr(x->domain_arn, ":222222222222:domains/dom-y"));
    cpw_inventory_destroy(inv);
}

/* Lookups on the sorted lists (after analyze) find the elements a scan of the lists finds. */
static void test_sorted_lookups_match_scans(void **state)
{
    (void)state;
    struct cpw_inventory *inv = s_two_accounts();
    for (size_t i = 0; i < cpw_inventory_instance_count(inv); i++) {
        const struct cpw_inv_instance *x = cpw_inventory_instance(inv, i);
        assert_ptr_equal(cpw_inventory_find_instance(inv, x->arn), x);
    }
    for (size_t i = 0; i < cpw_inventory_role_count(inv); i++) {
        const struct cpw_inv_role *r = cpw_inventory_role(inv, i);
        assert_ptr_equal(cpw_inventory_find_role(inv, r->arn), r);
    }
    for (size_t i = 0; i < cpw_inventory_region_status_count(inv); i++) {
        const struct cpw_inv_region_status *st = cpw_inventory_region_status(inv, i);
        assert_ptr_equal(cpw_inventory_find_region_status(inv, st->account, st->region), st);
    }
    assert_null(cpw_inventory_find_instance(inv, "arn:aws:connect:us-east-1:0:instance/none"));
    assert_null(cpw_inventory_find_role(inv, NULL));
    assert_null(cpw_inventory_find_region_status(inv, "000000000000", FX_REGION_A));
    assert_null(cpw_inventory_find_region_status(inv, "999999999999", FX_REGION_A));
    /* An element added after the analysis is found too (the lists are no longer sorted). */
    fx_role(inv, "000000000001", CPW_INV_ROLE_CONNECT, "Late", FX_T0, NULL);
    char late[256];
    fx_role_arn(late, sizeof(late), "000000000001", CPW_INV_ROLE_CONNECT, "Late");
    assert_non_null(cpw_inventory_find_role(inv, late));
    cpw_inventory_destroy(inv);
}

CPW_TEST_MAIN("inventory_stream",
              CPW_TEST(test_streamed_document_is_the_whole_tree_text),
              CPW_TEST(test_streamed_empty_document),
              CPW_TEST(test_streamed_document_respects_the_buffer_limit),
              CPW_TEST(test_cross_account_links),
              CPW_TEST(test_sorted_lookups_match_scans))
