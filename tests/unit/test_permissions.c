/*
 * test_permissions.c - the action table and the policy built from it: every row well formed,
 * the policy document valid for IAM (Version, unique alphanumeric Sids, every row's action on
 * its expanded resource, under the managed policy size limit), stable, scoped by partition,
 * role name and account, and docs/permissions.md holding the table as the code has it.
 */
#include <ctype.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/permissions.h"
#include "harness.h"

static void test_rows_well_formed(void **state)
{
    (void)state;
    size_t n = 0;
    const struct cpw_permission *rows = cpw_permissions(&n);
    assert_true(n > 50);
    for (size_t i = 0; i < n; i++) {
        assert_true(cpw_permissions_has_command(rows[i].command));
        const char *colon = strchr(rows[i].action, ':');
        assert_non_null(colon);
        assert_true(isupper((unsigned char)colon[1]));
        assert_true(strlen(rows[i].why) > 10);
        assert_true((int)rows[i].resource < CPW_PERMISSIONS_RES_COUNT);
        /* the same action twice in a command only on different resources */
        for (size_t k = i + 1; k < n; k++) {
            assert_false(strcmp(rows[i].command, rows[k].command) == 0 &&
                         strcmp(rows[i].action, rows[k].action) == 0 &&
                         rows[i].resource == rows[k].resource);
        }
    }
    assert_false(cpw_permissions_has_command("snapshots"));
    assert_true(cpw_permissions_has_command("apply"));
}

/* The statement granting action on resource, or NULL. */
static const json_t *s_grant(const json_t *policy, const char *action, const char *resource)
{
    size_t i;
    const json_t *st;
    json_array_foreach(cpw_json_get(policy, "Statement"), i, st)
    {
        if (strcmp(cpw_json_get_string(st, "Resource"), resource) != 0) {
            continue;
        }
        size_t k;
        const json_t *a;
        json_array_foreach(cpw_json_get(st, "Action"), k, a)
        {
            if (strcmp(json_string_value(a), action) == 0) {
                return st;
            }
        }
    }
    return NULL;
}

static void test_policy_covers_every_row(void **state)
{
    (void)state;
    json_t *policy = cpw_permissions_policy(NULL);
    assert_non_null(policy);
    assert_string_equal(cpw_json_get_string(policy, "Version"), "2012-10-17");
    size_t n = 0;
    const struct cpw_permission *rows = cpw_permissions(&n);
    for (size_t i = 0; i < n; i++) {
        char arn[512];
        assert_int_equal(cpw_permissions_resource(rows[i].resource, NULL, arn, sizeof(arn)), 0);
        assert_non_null(s_grant(policy, rows[i].action, arn));
    }
    /* Sids unique, alphanumeric; every statement an Allow */
    const json_t *sts = cpw_json_get(policy, "Statement");
    for (size_t i = 0; i < json_array_size(sts); i++) {
        const char *sid = cpw_json_get_string(json_array_get(sts, i), "Sid");
        for (const char *p = sid; *p; p++) {
            assert_true(isalnum((unsigned char)*p));
        }
        assert_string_equal(cpw_json_get_string(json_array_get(sts, i), "Effect"), "Allow");
        for (size_t k = i + 1; k < json_array_size(sts); k++) {
            assert_string_not_equal(sid, cpw_json_get_string(json_array_get(sts, k), "Sid"));
        }
    }
    /* IAM's managed policy limit counts characters without whitespace */
    char *compact = cpw_json_dump_cstr(policy, CPW_JSON_DUMP_COMPACT);
    assert_true(strlen(compact) < 6144);
    cpw_free(compact);
    /* stable */
    json_t *again = cpw_permissions_policy(NULL);
    assert_true(cpw_json_equal(policy, again));
    cpw_json_release(again);
    cpw_json_release(policy);
}

static void test_policy_of_one_command(void **state)
{
    (void)state;
    const char *cmds[] = { "apply" };
    struct cpw_permissions_options o = { .commands = cmds, .command_count = 1 };
    json_t *policy = cpw_permissions_policy(&o);
    assert_non_null(policy);
    const json_t *st = s_grant(policy, "profile:DeleteDomain", "arn:aws:profile:*:*:domains/*");
    assert_non_null(st);
    assert_string_equal(cpw_json_get_string(st, "Sid"), "ApplyProfileDomains");
    assert_non_null(s_grant(policy, "iam:DeleteServiceLinkedRole",
                            "arn:aws:iam::*:role/aws-service-role/profile.amazonaws.com/"
                            "AWSServiceRoleForProfile*"));
    /* nothing of another command: no restore write, no CloudWatch */
    assert_null(s_grant(policy, "profile:CreateDomain", "arn:aws:profile:*:*:domains/*"));
    assert_null(s_grant(policy, "cloudwatch:PutMetricData", "*"));
    /* every statement is apply's */
    const json_t *sts = cpw_json_get(policy, "Statement");
    for (size_t i = 0; i < json_array_size(sts); i++) {
        assert_true(strncmp(cpw_json_get_string(json_array_get(sts, i), "Sid"), "Apply", 5) == 0);
    }
    cpw_json_release(policy);
}

static void test_resource_expansion(void **state)
{
    (void)state;
    char arn[512];
    struct cpw_permissions_options o = { .partition = "aws-cn",
                                         .role_name = "CleanUp",
                                         .account = "210987654321" };
    assert_int_equal(
      cpw_permissions_resource(CPW_PERMISSIONS_RES_MEMBER_ROLE, &o, arn, sizeof(arn)), 0);
    assert_string_equal(arn, "arn:aws-cn:iam::210987654321:role/CleanUp");
    assert_int_equal(cpw_permissions_resource(CPW_PERMISSIONS_RES_DOMAINS, &o, arn, sizeof(arn)),
                     0);
    assert_string_equal(arn, "arn:aws-cn:profile:*:210987654321:domains/*");
    assert_int_equal(cpw_permissions_resource(CPW_PERMISSIONS_RES_ANY, &o, arn, sizeof(arn)), 0);
    assert_string_equal(arn, "*");
    assert_int_equal(
      cpw_permissions_resource(CPW_PERMISSIONS_RES_MEMBER_ROLE, NULL, arn, sizeof(arn)), 0);
    assert_string_equal(arn, "arn:aws:iam::*:role/OrganizationAccountAccessRole");
    char small[8];
    assert_int_equal(
      cpw_permissions_resource(CPW_PERMISSIONS_RES_DOMAINS, NULL, small, sizeof(small)), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_LIMIT);
    cpw_error_clear();
}

static void test_unknown_command(void **state)
{
    (void)state;
    const char *cmds[] = { "inventory", "sign" };
    struct cpw_permissions_options o = { .commands = cmds, .command_count = 2 };
    assert_null(cpw_permissions_policy(&o));
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(cpw_last_error_detail(), "'sign'"));
    cpw_error_clear();
    assert_null(cpw_permissions_rows(&o));
    cpw_error_clear();
}

static void test_rows_and_text(void **state)
{
    (void)state;
    const char *cmds[] = { "events" };
    struct cpw_permissions_options o = { .commands = cmds, .command_count = 1 };
    json_t *rows = cpw_permissions_rows(&o);
    assert_int_equal(json_array_size(rows), 4);
    const json_t *assume = json_array_get(rows, 3);
    assert_string_equal(cpw_json_get_string(assume, "action"), "sts:AssumeRole");
    assert_string_equal(cpw_json_get_string(assume, "when"), "--org");
    assert_string_equal(cpw_json_get_string(assume, "sid"), "EventsMemberRole");
    assert_true(json_is_null(cpw_json_get(json_array_get(rows, 0), "when")));
    cpw_json_release(rows);
    struct cpw_buf b;
    cpw_buf_init(&b, 1u << 20);
    assert_int_equal(cpw_permissions_table(&o, &b), 0);
    assert_non_null(strstr(cpw_buf_cstr(&b), "when --org: the role that reaches"));
    cpw_buf_reset(&b);
    assert_int_equal(cpw_permissions_markdown(&o, &b), 0);
    assert_non_null(strstr(cpw_buf_cstr(&b), "### cpwarden events\n"));
    assert_non_null(strstr(cpw_buf_cstr(&b), "| `cloudtrail:LookupEvents` | `*` | every run |"));
    cpw_buf_clean_up(&b);
}

static void test_statement_for_a_fix(void **state)
{
    (void)state;
    size_t n = 0;
    const struct cpw_permission *rows = cpw_permissions(&n);
    const struct cpw_permission *pick[2] = { NULL, NULL };
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].command, "apply") == 0 &&
            strcmp(rows[i].action, "profile:DeleteDomain") == 0) {
            pick[0] = &rows[i];
        }
        if (strcmp(rows[i].command, "apply") == 0 &&
            strcmp(rows[i].action, "profile:DeleteIntegration") == 0) {
            pick[1] = &rows[i];
        }
    }
    assert_non_null(pick[0]);
    assert_non_null(pick[1]);
    struct cpw_permissions_options o = { .account = "200000000002" };
    json_t *st = cpw_permissions_statement(pick, 2, &o);
    char *text = cpw_json_dump_cstr(st, CPW_JSON_DUMP_COMPACT | CPW_JSON_DUMP_SORT_KEYS);
    assert_string_equal(text,
                        "{\"Action\":[\"profile:DeleteDomain\",\"profile:DeleteIntegration\"],"
                        "\"Effect\":\"Allow\",\"Resource\":"
                        "\"arn:aws:profile:*:200000000002:domains/*\","
                        "\"Sid\":\"ApplyProfileDomains\"}");
    cpw_free(text);
    cpw_json_release(st);
    assert_null(cpw_permissions_statement(pick, 0, &o));
}

/* docs/permissions.md holds `cpwarden policy --output markdown` as the code has it. */
static void test_docs_up_to_date(void **state)
{
    (void)state;
    char *path = cpw_test_source_path("docs/permissions.md");
    struct cpw_buf doc;
    cpw_buf_init(&doc, 1u << 22);
    assert_int_equal(cpw_buf_read_file(&doc, path), 0);
    struct cpw_buf md;
    cpw_buf_init(&md, 1u << 22);
    assert_int_equal(cpw_permissions_markdown(NULL, &md), 0);
    if (!strstr(cpw_buf_cstr(&doc), cpw_buf_cstr(&md))) {
        fail_msg("docs/permissions.md is out of date: regenerate its tables with "
                 "'cpwarden policy --output markdown'");
    }
    cpw_buf_clean_up(&md);
    cpw_buf_clean_up(&doc);
    cpw_free(path);
}

CPW_TEST_MAIN("permissions",
              CPW_TEST(test_rows_well_formed),
              CPW_TEST(test_policy_covers_every_row),
              CPW_TEST(test_policy_of_one_command),
              CPW_TEST(test_resource_expansion),
              CPW_TEST(test_unknown_command),
              CPW_TEST(test_rows_and_text),
              CPW_TEST(test_statement_for_a_fix),
              CPW_TEST(test_docs_up_to_date))
