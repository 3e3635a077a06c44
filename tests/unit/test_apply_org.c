/*
 * test_apply_org.c - the organization-wide clean-up in process, on a sandbox with the
 * "org:accounts=3,regions=1,leftover=1" scenario (every member's instance deleted, its domain
 * left behind): the org scan -> targets in every member -> facts read in each member through
 * the assumed role -> the organization check -> accounts applied concurrently, each with its
 * own client and store connection -> everything gone in each member -> a second run resumes
 * without a call; and a member whose role cannot be assumed fails alone.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpw/accounts.h"
#include "cpw/alloc.h"
#include "cpw/apply_org.h"
#include "cpw/error.h"
#include "cpw/inventory_collect.h"
#include "cpw/journal.h"
#include "cpw/live.h"
#include "cpw/plan_targets.h"
#include "cpw/sandbox.h"
#include "cpw/store.h"
#include "harness.h"
#include "sandbox/sbx_realism.h"

#define MANAGEMENT "123456789012"
#define MEMBERS    3

static struct cpw_sandbox *s_sandbox;
static char s_dir[64];
static struct cpw_http_engine_options s_engine = { .retry = { .max_attempts = 1 } };
static struct cpw_aws_client_options s_copts;

static int s_setup(void **state)
{
    setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", 1);
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_PROFILE");
    unsetenv("AWS_ENDPOINT_URL");
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("AWS_CONFIG_FILE", "/dev/null", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
    cpw_test_setup(state);
    snprintf(s_dir, sizeof(s_dir), "/tmp/cpw-apply-org-XXXXXX");
    if (!mkdtemp(s_dir)) {
        return -1;
    }
    json_t *scenario = NULL;
    if (cpw_sbx_builtin_scenario("org:accounts=3,regions=1,leftover=1,seed=2", &scenario)) {
        return -1;
    }
    json_t *knobs = json_pack("{s:b, s:i}", "rate_limits", 0, "domain_role_cleanup_ms", 50);
    struct cpw_sandbox_options opts = { .port = 0,
                                        .threads = 4,
                                        .scenario = scenario,
                                        .knobs = knobs,
                                        .slr_deletion_delay_ms = 20,
                                        .create_account_delay_ms = 0 };
    s_sandbox = cpw_sandbox_start(&opts);
    json_decref(scenario);
    json_decref(knobs);
    if (!s_sandbox) {
        fprintf(stderr, "sandbox: %s\n", cpw_last_error_detail());
        return -1;
    }
    memset(&s_copts, 0, sizeof(s_copts));
    s_copts.region = "us-east-1";
    s_copts.endpoint_url = cpw_sandbox_url(s_sandbox);
    s_copts.engine = &s_engine;
    return 0;
}

static int s_teardown(void **state)
{
    cpw_sandbox_stop(s_sandbox);
    s_sandbox = NULL;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", s_dir);
    }
    return cpw_test_teardown(state);
}

#define SANDBOX_TEST(fn) cmocka_unit_test_setup_teardown(fn, s_setup, s_teardown)

static struct cpw_accounts *s_accounts(struct cpw_aws_client *client, const char *arn)
{
    struct cpw_accounts_options ao = {
        .caller = client,
        .client_options = &s_copts,
        .caller_account = MANAGEMENT,
        .caller_arn = arn,
    };
    struct cpw_accounts *set = cpw_accounts_new(&ao);
    assert_non_null(set);
    return set;
}

static bool s_domain_exists(struct cpw_aws_client *client, const char *name, const char *region)
{
    json_t *out = NULL;
    bool exists = false;
    assert_int_equal(cpw_live_call(client, "customer-profiles", "GetDomain",
                                   json_pack("{s:s}", "DomainName", name), region, false, &out,
                                   &exists),
                     0);
    json_decref(out);
    return exists;
}

/* plan --org: the organization's scan, every member's targets, facts read in each member. */
static struct cpw_plan *s_org_plan(struct cpw_aws_client *client,
                                   struct cpw_accounts *set,
                                   const char *arn)
{
    const char *regions[] = { "us-east-1" };
    struct cpw_collect_options co = { .org = true, .regions = regions, .region_count = 1 };
    struct cpw_inventory *inv = cpw_inventory_new();
    struct cpw_collect_result result;
    assert_int_equal(cpw_collect_inventory(client, &co, inv, &result), 0);
    assert_int_equal(result.scan_errors, 0);
    cpw_collect_result_clean_up(&result);
    struct cpw_plan_targets targets;
    memset(&targets, 0, sizeof(targets));
    assert_int_equal(cpw_plan_targets_from_inventory(inv, NULL, false, &targets), 0);
    assert_int_equal(targets.domain_count, MEMBERS); /* one leftover domain per member */
    struct cpw_plan_builder_options bo = {
        .caller_account = MANAGEMENT,
        .caller_arn = arn,
        .organization = true,
    };
    struct cpw_plan *plan = cpw_plan_from_targets_with(cpw_accounts_client_fn, set, &bo, &targets);
    assert_non_null(plan);
    cpw_plan_targets_clean_up(&targets);
    cpw_inventory_destroy(inv);
    return plan;
}

/* The document round trip keeps the organization flag and the role. */
static char *s_checksum_of(const struct cpw_plan *plan)
{
    struct cpw_buf doc;
    cpw_buf_init(&doc, CPW_PLAN_MAX_BYTES);
    assert_int_equal(cpw_plan_to_json(plan, &doc), 0);
    struct cpw_plan_load_options lo = { .current_account = MANAGEMENT,
                                        .allow_other_accounts = true };
    struct cpw_plan *loaded = cpw_plan_load(cpw_buf_span(&doc), &lo);
    assert_non_null(loaded);
    assert_true(loaded->organization);
    assert_string_equal(loaded->role_name, CPW_ACCOUNTS_DEFAULT_ROLE_NAME);
    cpw_plan_destroy(loaded);
    json_t *root = json_loadb((const char *)doc.data, doc.len, 0, NULL);
    assert_non_null(root);
    char *sum = cpw_strdup(json_string_value(json_object_get(root, "checksum")));
    json_decref(root);
    cpw_buf_clean_up(&doc);
    return sum;
}

static void test_org_plan_and_apply(void **state)
{
    (void)state;
    struct cpw_aws_client *client = cpw_aws_client_new(&s_copts);
    assert_non_null(client);
    char *account = NULL;
    char *arn = NULL;
    assert_int_equal(cpw_live_identity(client, &account, &arn), 0);
    assert_string_equal(account, MANAGEMENT);
    struct cpw_accounts *set = s_accounts(client, arn);
    struct cpw_plan *plan = s_org_plan(client, set, arn);
    assert_true(plan->organization);
    char **ids = NULL;
    size_t n = cpw_accounts_of_plan(plan, &ids);
    assert_int_equal(n, MEMBERS);
    for (size_t i = 0; i < n; i++) {
        assert_string_not_equal(ids[i], MANAGEMENT);
    }
    for (size_t i = 0; i < plan->action_count; i++) { /* the facts were read in the member */
        const struct cpw_plan_action *a = &plan->actions[i];
        if (a->kind == CPW_PLAN_DELETE_DOMAIN) {
            assert_non_null(strstr(a->arn, a->account));
            assert_non_null(cpw_plan_action_fact(a, "domain.profile_count"));
        }
    }
    char *checksum = s_checksum_of(plan);

    /* The organization check: the caller manages it and every account is a member. */
    assert_int_equal(
      cpw_accounts_check_organization(client, MANAGEMENT, MANAGEMENT, (const char *const *)ids, n),
      0);
    const char *stranger[] = { "999999999999" };
    assert_int_equal(cpw_accounts_check_organization(client, MANAGEMENT, MANAGEMENT, stranger, 1),
                     -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_WRONG_ACCOUNT);
    assert_non_null(strstr(cpw_last_error_detail(), "999999999999"));
    /* A member is not the management account, and did not make the plan. */
    assert_int_equal(
      cpw_accounts_check_organization(client, ids[0], MANAGEMENT, (const char *const *)ids, n), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_WRONG_ACCOUNT);

    char state_dir[128];
    char backups[160];
    snprintf(state_dir, sizeof(state_dir), "%s/state", s_dir);
    snprintf(backups, sizeof(backups), "%s/backups", state_dir);
    struct cpw_apply_options run = {
        .plan = plan,
        .plan_checksum = checksum,
        .plan_path = "org.json",
        .caller_arn = arn,
        .backup_dir = backups,
        .lock_dir = state_dir,
        .wait_ms = 2000,
        .poll_interval_ms = 10,
        .max_retries = 0,
    };
    struct cpw_protect *protect = cpw_protect_load("/dev/null");
    assert_non_null(protect);
    struct cpw_apply_org_options oo = {
        .accounts = set,
        .state_dir = state_dir,
        .protect = protect,
        .run = &run,
        .max_parallel = 3,
    };
    struct cpw_apply_org_report *report = NULL;
    assert_int_equal(cpw_apply_org_run(&oo, &report), 0);
    assert_int_equal(report->report->failed, 0);
    assert_int_equal(report->account_count, MEMBERS);
    size_t executed = 0;
    for (size_t i = 0; i < report->account_count; i++) {
        assert_int_equal(report->accounts[i].status, CPW_APPLY_ORG_APPLIED);
        assert_true(report->accounts[i].executed > 0);
        executed += report->accounts[i].executed;
    }
    assert_int_equal(executed, report->report->executed);
    assert_int_equal(report->report->step_count, plan->action_count);
    for (size_t i = 0; i < plan->action_count; i++) {
        const struct cpw_apply_step *s = &report->report->steps[i];
        assert_ptr_equal(s->action, &plan->actions[i]); /* merged back in plan order */
        if (s->action->kind == CPW_PLAN_DELETE_DOMAIN) {
            assert_int_equal(s->outcome, CPW_APPLY_DONE);
            struct cpw_aws_client *member = cpw_accounts_client(set, s->action->account);
            assert_non_null(member);
            assert_false(s_domain_exists(member, s->action->name, s->action->region));
        }
    }
    cpw_apply_org_report_destroy(report);

    /* Applied again: every account resumes and finds its steps done. */
    report = NULL;
    assert_int_equal(cpw_apply_org_run(&oo, &report), 0);
    assert_int_equal(report->report->failed, 0);
    assert_int_equal(report->report->executed, 0);
    assert_true(report->report->resumed);
    for (size_t i = 0; i < report->report->step_count; i++) {
        const struct cpw_apply_step *s = &report->report->steps[i];
        if (s->action->status == CPW_PLAN_ACTION_PLANNED) {
            assert_int_equal(s->outcome, CPW_APPLY_PREVIOUSLY);
        }
    }
    cpw_apply_org_report_destroy(report);
    /* One journal run per account and apply, all under the plan's checksum. */
    struct cpw_store_options so = { .dir = state_dir };
    struct cpw_store *store = cpw_store_open(&so);
    assert_non_null(store);
    assert_int_equal(cpw_journal_run_count(store, checksum), 2 * MEMBERS);
    cpw_store_destroy(store);

    cpw_protect_destroy(protect);
    cpw_accounts_list_free(ids, n);
    cpw_free(checksum);
    cpw_plan_destroy(plan);
    cpw_accounts_destroy(set);
    cpw_free(account);
    cpw_free(arn);
    cpw_aws_client_destroy(client);
}

static void test_unreachable_member_fails_alone(void **state)
{
    (void)state;
    struct cpw_aws_client *client = cpw_aws_client_new(&s_copts);
    assert_non_null(client);
    char *account = NULL;
    char *arn = NULL;
    assert_int_equal(cpw_live_identity(client, &account, &arn), 0);
    struct cpw_accounts *set = s_accounts(client, arn);
    struct cpw_plan *plan = s_org_plan(client, set, arn);
    char **ids = NULL;
    size_t n = cpw_accounts_of_plan(plan, &ids);
    assert_int_equal(n, MEMBERS);

    /* The first member's access role goes. With authorization on a role cannot delete itself
     * once its policy is detached, so a second administrator role of the member does it. */
    struct cpw_aws_client *admin = cpw_accounts_client(set, ids[0]);
    assert_non_null(admin);
    json_t *out = NULL;
    char trust[256];
    snprintf(trust, sizeof(trust),
             "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", "
             "\"Principal\": {\"AWS\": \"arn:aws:iam::%s:root\"}, \"Action\": "
             "\"sts:AssumeRole\"}]}",
             MANAGEMENT);
    assert_int_equal(cpw_live_call(admin, "iam", "CreateRole",
                                   json_pack("{s:s, s:s}", "RoleName", "Breaker",
                                             "AssumeRolePolicyDocument", trust),
                                   NULL, false, &out, NULL),
                     0);
    json_decref(out);
    out = NULL;
    assert_int_equal(cpw_live_call(admin, "iam", "AttachRolePolicy",
                                   json_pack("{s:s, s:s}", "RoleName", "Breaker", "PolicyArn",
                                             "arn:aws:iam::aws:policy/AdministratorAccess"),
                                   NULL, false, &out, NULL),
                     0);
    json_decref(out);
    out = NULL;
    struct cpw_accounts_options bo = {
        .caller = client,
        .client_options = &s_copts,
        .caller_account = MANAGEMENT,
        .caller_arn = arn,
        .role_name = "Breaker",
    };
    struct cpw_accounts *breakers = cpw_accounts_new(&bo);
    assert_non_null(breakers);
    struct cpw_aws_client *member = cpw_accounts_client(breakers, ids[0]);
    assert_non_null(member);
    assert_int_equal(
      cpw_live_call(member, "iam", "DetachRolePolicy",
                    json_pack("{s:s, s:s}", "RoleName", CPW_ACCOUNTS_DEFAULT_ROLE_NAME, "PolicyArn",
                              "arn:aws:iam::aws:policy/AdministratorAccess"),
                    NULL, false, &out, NULL),
      0);
    json_decref(out);
    out = NULL;
    assert_int_equal(cpw_live_call(member, "iam", "DeleteRole",
                                   json_pack("{s:s}", "RoleName", CPW_ACCOUNTS_DEFAULT_ROLE_NAME),
                                   NULL, false, &out, NULL),
                     0);
    json_decref(out);

    cpw_accounts_destroy(breakers);

    /* A fresh set: the role cannot be assumed any more, and the failure is remembered. */
    struct cpw_accounts *fresh = s_accounts(client, arn);
    assert_null(cpw_accounts_client(fresh, ids[0]));
    assert_int_equal(cpw_last_error(), CPW_ERR_CREDENTIALS);
    assert_non_null(strstr(cpw_last_error_detail(), "cannot assume"));
    assert_null(cpw_accounts_client(fresh, ids[0]));
    assert_non_null(strstr(cpw_last_error_detail(), ids[0]));
    assert_ptr_equal(cpw_accounts_client(fresh, MANAGEMENT), client);

    char state_dir[128];
    char backups[160];
    snprintf(state_dir, sizeof(state_dir), "%s/state", s_dir);
    snprintf(backups, sizeof(backups), "%s/backups", state_dir);
    struct cpw_apply_options run = {
        .plan = plan,
        .plan_checksum = "org-unreachable",
        .caller_arn = arn,
        .backup_dir = backups,
        .lock_dir = state_dir,
        .wait_ms = 2000,
        .poll_interval_ms = 10,
        .max_retries = 0,
    };
    struct cpw_protect *protect = cpw_protect_load("/dev/null");
    assert_non_null(protect);
    struct cpw_apply_org_options oo = {
        .accounts = fresh,
        .state_dir = state_dir,
        .protect = protect,
        .run = &run,
        .max_parallel = 2,
    };
    struct cpw_apply_org_report *report = NULL;
    assert_int_equal(cpw_apply_org_run(&oo, &report), 0);
    assert_int_equal(report->account_count, MEMBERS);
    assert_string_equal(report->accounts[0].account, ids[0]);
    assert_int_equal(report->accounts[0].status, CPW_APPLY_ORG_UNREACHABLE);
    assert_non_null(strstr(report->accounts[0].detail, "cannot assume"));
    assert_true(report->accounts[0].failed > 0);
    for (size_t i = 0; i < report->report->step_count; i++) {
        const struct cpw_apply_step *s = &report->report->steps[i];
        if (s->outcome == CPW_APPLY_FAILED && strcmp(s->action->account, ids[0]) != 0) {
            fail_msg("%s %s %s failed: %s", s->action->id, s->action->account,
                     cpw_plan_action_kind_name(s->action->kind), s->detail ? s->detail : "");
        }
    }
    assert_int_equal(report->report->failed, report->accounts[0].failed);
    for (size_t i = 1; i < report->account_count; i++) {
        assert_int_equal(report->accounts[i].status, CPW_APPLY_ORG_APPLIED);
        assert_int_equal(report->accounts[i].failed, 0);
    }
    for (size_t i = 0; i < report->report->step_count; i++) {
        const struct cpw_apply_step *s = &report->report->steps[i];
        if (s->action->status != CPW_PLAN_ACTION_PLANNED) {
            continue;
        }
        bool broken = strcmp(s->action->account, ids[0]) == 0;
        bool as_expected = broken ? s->outcome == CPW_APPLY_FAILED
                                  : s->outcome == CPW_APPLY_DONE || s->outcome == CPW_APPLY_ALREADY;
        if (!as_expected) { /* a domain's role may go with it on its own: "already" */
            fail_msg("%s %s %s: %s: %s", s->action->id, s->action->account,
                     cpw_plan_action_kind_name(s->action->kind), cpw_apply_outcome_name(s->outcome),
                     s->detail ? s->detail : "");
        }
        if (s->action->kind == CPW_PLAN_DELETE_DOMAIN && !broken) {
            assert_false(s_domain_exists(cpw_accounts_client(fresh, s->action->account),
                                         s->action->name, s->action->region));
        }
    }
    cpw_apply_org_report_destroy(report);

    cpw_protect_destroy(protect);
    cpw_accounts_destroy(fresh);
    cpw_accounts_list_free(ids, n);
    cpw_plan_destroy(plan);
    cpw_accounts_destroy(set);
    cpw_free(account);
    cpw_free(arn);
    cpw_aws_client_destroy(client);
}

/* An account whose only earlier record is the intent of a deletion whose call reached AWS (the
 * run was killed with it in flight): the account moved on since the plan, by design, so it is
 * resumed, not refused by a first run's fresh-plan check, and the deletion is journaled once. */
static void test_resume_after_deletion_in_flight(void **state)
{
    (void)state;
    struct cpw_aws_client *client = cpw_aws_client_new(&s_copts);
    assert_non_null(client);
    char *account = NULL;
    char *arn = NULL;
    assert_int_equal(cpw_live_identity(client, &account, &arn), 0);
    struct cpw_accounts *set = s_accounts(client, arn);
    struct cpw_plan *plan = s_org_plan(client, set, arn);
    char *checksum = s_checksum_of(plan);
    const struct cpw_plan_action *del = NULL;
    for (size_t i = 0; i < plan->action_count && !del; i++) {
        del = plan->actions[i].kind == CPW_PLAN_DELETE_DOMAIN ? &plan->actions[i] : NULL;
    }
    assert_non_null(del);
    char state_dir[128];
    char backups[160];
    snprintf(state_dir, sizeof(state_dir), "%s/state", s_dir);
    snprintf(backups, sizeof(backups), "%s/backups", state_dir);

    /* The killed run: the deletion's intent on disk, no result; DeleteDomain reached AWS. */
    struct cpw_store_options so = { .dir = state_dir };
    struct cpw_store *store = cpw_store_open(&so);
    assert_non_null(store);
    struct cpw_journal_run_info info = { .plan_checksum = checksum, .caller_arn = arn };
    int64_t run_id = 0;
    int64_t step_id = 0;
    assert_int_equal(cpw_journal_run_start(store, &info, &run_id), 0);
    assert_int_equal(
      cpw_journal_step_intent(store, run_id, del->id, "delete-domain", del->name, &step_id), 0);
    cpw_store_destroy(store);
    struct cpw_aws_client *member = cpw_accounts_client(set, del->account);
    assert_non_null(member);
    json_t *out = NULL;
    assert_int_equal(cpw_live_call(member, "customer-profiles", "DeleteDomain",
                                   json_pack("{s:s}", "DomainName", del->name), del->region, false,
                                   &out, NULL),
                     0);
    json_decref(out);

    struct cpw_apply_options run = {
        .plan = plan,
        .plan_checksum = checksum,
        .plan_path = "org.json",
        .caller_arn = arn,
        .backup_dir = backups,
        .lock_dir = state_dir,
        .wait_ms = 2000,
        .poll_interval_ms = 10,
        .max_retries = 0,
    };
    struct cpw_protect *protect = cpw_protect_load("/dev/null");
    assert_non_null(protect);
    struct cpw_apply_org_options oo = {
        .accounts = set,
        .state_dir = state_dir,
        .protect = protect,
        .run = &run,
        .max_parallel = 3,
    };
    struct cpw_apply_org_report *report = NULL;
    assert_int_equal(cpw_apply_org_run(&oo, &report), 0);
    for (size_t i = 0; i < report->account_count; i++) {
        assert_int_equal(report->accounts[i].status, CPW_APPLY_ORG_APPLIED);
    }
    assert_int_equal(report->report->failed, 0);
    const struct cpw_apply_step *s = &report->report->steps[del - plan->actions];
    assert_int_equal(s->outcome, CPW_APPLY_ALREADY);
    cpw_apply_org_report_destroy(report);
    store = cpw_store_open(&so);
    assert_non_null(store);
    struct cpw_journal_done *done = NULL;
    size_t n = 0;
    assert_int_equal(cpw_journal_done_list(store, checksum, &done, &n), 0);
    size_t recorded = 0;
    for (size_t i = 0; i < n; i++) {
        recorded += strcmp(done[i].action_id, del->id) == 0;
    }
    assert_int_equal(recorded, 1);
    cpw_journal_done_free(done, n);
    cpw_store_destroy(store);

    cpw_protect_destroy(protect);
    cpw_free(checksum);
    cpw_plan_destroy(plan);
    cpw_accounts_destroy(set);
    cpw_free(account);
    cpw_free(arn);
    cpw_aws_client_destroy(client);
}

CPW_TEST_MAIN("apply_org",
              SANDBOX_TEST(test_org_plan_and_apply),
              SANDBOX_TEST(test_unreachable_member_fails_alone),
              SANDBOX_TEST(test_resume_after_deletion_in_flight))
