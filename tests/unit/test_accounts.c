/*
 * test_accounts.c - the confirmation of the accounts an organization plan touches: the prompt
 * (the ids up to five accounts, the count and a digest beyond), what typed text confirms it, the
 * digest's independence from order, and the accounts taken from the planned actions only.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/accounts.h"
#include "cpw/alloc.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "harness.h"

static const char *const s_few[] = { "200000000002", "200000000001", "200000000003" };
static const char *const s_many[] = { "200000000001", "200000000002", "200000000003",
                                      "200000000004", "200000000005", "200000000006",
                                      "200000000007" };

static void test_prompt_lists_few_accounts(void **state)
{
    (void)state;
    struct cpw_buf out;
    cpw_buf_init(&out, 4096);
    assert_int_equal(cpw_accounts_confirm_prompt(s_few, 3, &out), 0);
    const char *text = cpw_buf_cstr(&out);
    assert_non_null(strstr(text, "200000000001"));
    assert_non_null(strstr(text, "200000000003"));
    assert_non_null(strstr(text, "Type the account id(s) to confirm"));
    assert_null(strstr(text, "Digest"));
    cpw_buf_clean_up(&out);

    assert_true(
      cpw_accounts_confirmation_matches(s_few, 3, "200000000001 200000000002 200000000003\n"));
    assert_true(
      cpw_accounts_confirmation_matches(s_few, 3, " 200000000003,200000000001, 200000000002"));
    assert_false(cpw_accounts_confirmation_matches(s_few, 3, "200000000001 200000000002"));
    assert_false(cpw_accounts_confirmation_matches(s_few, 3,
                                                   "200000000001 200000000002 200000000003 "
                                                   "200000000009"));
    assert_false(cpw_accounts_confirmation_matches(s_few, 3, "yes"));
    assert_false(cpw_accounts_confirmation_matches(s_few, 3, ""));
    assert_false(cpw_accounts_confirmation_matches(s_few, 0, ""));
    assert_false(cpw_accounts_confirmation_matches(s_few, 3, NULL));
    /* The count-and-digest form is for many accounts only. */
    char digest[CPW_ACCOUNTS_DIGEST_LEN + 1];
    assert_int_equal(cpw_accounts_digest(s_few, 3, digest), 0);
    char typed[64];
    snprintf(typed, sizeof(typed), "3 %s", digest);
    assert_false(cpw_accounts_confirmation_matches(s_few, 3, typed));
}

static void test_prompt_digests_many_accounts(void **state)
{
    (void)state;
    char digest[CPW_ACCOUNTS_DIGEST_LEN + 1];
    assert_int_equal(cpw_accounts_digest(s_many, 7, digest), 0);
    assert_int_equal(strlen(digest), CPW_ACCOUNTS_DIGEST_LEN);
    assert_int_equal(strspn(digest, "0123456789abcdef"), CPW_ACCOUNTS_DIGEST_LEN);
    /* The digest of the sorted ids joined by newlines: computed independently here. */
    struct cpw_buf joined;
    cpw_buf_init(&joined, 4096);
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(cpw_buf_appendf(&joined, "%s%s", i ? "\n" : "", s_many[i]), 0);
    }
    uint8_t sum[CPW_SHA256_LEN];
    assert_int_equal(cpw_sha256(cpw_buf_span(&joined), sum), 0);
    char hex[CPW_SHA256_HEX_LEN + 1];
    cpw_hex_encode_to(hex, sum, sizeof(sum));
    assert_memory_equal(digest, hex, CPW_ACCOUNTS_DIGEST_LEN);
    cpw_buf_clean_up(&joined);

    /* Order-independent; another list gives another digest. */
    const char *const shuffled[] = { "200000000007", "200000000003", "200000000001", "200000000005",
                                     "200000000002", "200000000006", "200000000004" };
    char again[CPW_ACCOUNTS_DIGEST_LEN + 1];
    assert_int_equal(cpw_accounts_digest(shuffled, 7, again), 0);
    assert_string_equal(digest, again);
    const char *const other[] = { "200000000001", "200000000002", "200000000003", "200000000004",
                                  "200000000005", "200000000006", "200000000008" };
    assert_int_equal(cpw_accounts_digest(other, 7, again), 0);
    assert_string_not_equal(digest, again);

    struct cpw_buf out;
    cpw_buf_init(&out, 4096);
    assert_int_equal(cpw_accounts_confirm_prompt(s_many, 7, &out), 0);
    const char *text = cpw_buf_cstr(&out);
    char expect[96];
    snprintf(expect, sizeof(expect), "Type '7 %s'", digest);
    assert_non_null(strstr(text, expect));
    assert_non_null(strstr(text, "in 7 accounts"));
    assert_non_null(strstr(text, "200000000007")); /* the ids are still shown */
    cpw_buf_clean_up(&out);

    char typed[64];
    snprintf(typed, sizeof(typed), "7 %s\n", digest);
    assert_true(cpw_accounts_confirmation_matches(s_many, 7, typed));
    snprintf(typed, sizeof(typed), "  7   %s  ", digest);
    assert_true(cpw_accounts_confirmation_matches(s_many, 7, typed));
    snprintf(typed, sizeof(typed), "6 %s", digest);
    assert_false(cpw_accounts_confirmation_matches(s_many, 7, typed));
    snprintf(typed, sizeof(typed), "7 %s", again); /* another list's digest */
    assert_false(cpw_accounts_confirmation_matches(s_many, 7, typed));
    snprintf(typed, sizeof(typed), "7 %s extra", digest);
    assert_false(cpw_accounts_confirmation_matches(s_many, 7, typed));
    snprintf(typed, sizeof(typed), "7 %.4s", digest);
    assert_false(cpw_accounts_confirmation_matches(s_many, 7, typed));
    assert_false(cpw_accounts_confirmation_matches(s_many, 7, "7"));
    /* Typing every id does not stand for the count and digest. */
    assert_false(cpw_accounts_confirmation_matches(
      s_many, 7,
      "200000000001 200000000002 200000000003 200000000004 200000000005 200000000006 "
      "200000000007"));

    cpw_buf_init(&out, 64);
    assert_int_equal(cpw_accounts_confirm_prompt(s_many, 0, &out), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    cpw_buf_clean_up(&out);
}

static void test_accounts_of_planned_actions(void **state)
{
    (void)state;
    struct cpw_plan_action actions[4];
    memset(actions, 0, sizeof(actions));
    char *accounts[] = { "200000000003", "200000000001", "200000000009", "200000000003" };
    enum cpw_plan_action_status status[] = { CPW_PLAN_ACTION_PLANNED, CPW_PLAN_ACTION_PLANNED,
                                             CPW_PLAN_ACTION_SKIPPED, CPW_PLAN_ACTION_PLANNED };
    for (size_t i = 0; i < 4; i++) {
        actions[i].account = accounts[i];
        actions[i].status = status[i];
    }
    char *claimed[] = { "123456789012" }; /* what the file claims does not count */
    struct cpw_plan plan;
    memset(&plan, 0, sizeof(plan));
    plan.actions = actions;
    plan.action_count = 4;
    plan.accounts = claimed;
    plan.account_count = 1;
    char **ids = NULL;
    size_t n = cpw_accounts_of_plan(&plan, &ids);
    assert_int_equal(n, 2);
    assert_string_equal(ids[0], "200000000001");
    assert_string_equal(ids[1], "200000000003");
    cpw_accounts_list_free(ids, n);
}

CPW_TEST_MAIN("accounts",
              CPW_TEST(test_prompt_lists_few_accounts),
              CPW_TEST(test_prompt_digests_many_accounts),
              CPW_TEST(test_accounts_of_planned_actions))
