/*
 * test_apply.c - the clean-up library on an in-process sandbox with the "orphans" scenario:
 * live scan -> targets -> plan -> freshness check -> apply with the journal -> verification and
 * resume; plus the journal's store migration and queries, the typed confirmation, and the
 * targets a saved plan is rebuilt from.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/apply.h"
#include "cpw/backup_file.h"
#include "cpw/error.h"
#include "cpw/journal.h"
#include "cpw/json.h"
#include "cpw/live.h"
#include "cpw/plan_targets.h"
#include "cpw/protect.h"
#include "cpw/regions.h"
#include "cpw/sandbox.h"
#include "cpw/store.h"
#include "cpw/time.h"
#include "harness.h"
#include "sandbox/sbx_realism.h"

#define ACCOUNT "123456789012"

static struct cpw_sandbox *s_sandbox;
static char s_dir[64];

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

static int s_setup(void **state)
{
    s_env();
    cpw_test_setup(state);
    snprintf(s_dir, sizeof(s_dir), "/tmp/cpw-apply-XXXXXX");
    if (!mkdtemp(s_dir)) {
        return -1;
    }
    json_t *scenario = NULL;
    if (cpw_sbx_builtin_scenario("orphans", &scenario)) {
        return -1;
    }
    json_t *knobs = json_pack("{s:b, s:i}", "rate_limits", 0, "domain_role_cleanup_ms", 50);
    struct cpw_sandbox_options opts = { .port = 0,
                                        .threads = 2,
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
    return 0;
}

static void s_remove_tree(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", dir);
    }
}

static int s_teardown(void **state)
{
    cpw_sandbox_stop(s_sandbox);
    s_sandbox = NULL;
    s_remove_tree(s_dir);
    return cpw_test_teardown(state);
}

#define SANDBOX_TEST(fn) cmocka_unit_test_setup_teardown(fn, s_setup, s_teardown)

static struct cpw_aws_client *s_client(void)
{
    struct cpw_http_engine_options engine = { .retry = { .max_attempts = 1 } };
    struct cpw_aws_client_options opts = {
        .region = "us-east-1",
        .endpoint_url = cpw_sandbox_url(s_sandbox),
        .engine = &engine,
    };
    struct cpw_aws_client *client = cpw_aws_client_new(&opts);
    assert_non_null(client);
    return client;
}

static bool s_role_exists(struct cpw_aws_client *client, const char *name)
{
    json_t *out = NULL;
    bool exists = false;
    assert_int_equal(cpw_live_call(client, "iam", "GetRole", json_pack("{s:s}", "RoleName", name),
                                   NULL, false, &out, &exists),
                     0);
    json_decref(out);
    return exists;
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

static struct cpw_plan *s_orphan_plan(struct cpw_aws_client *client, const char *arn)
{
    /* Every region where the services are offered, as plan reads by default: only that scope
     * proves a role unused. */
    static const char *const services[] = { "connect", "customer-profiles" };
    struct cpw_regions_parse_options ro = {
        .spec = "all", .services = services, .service_count = 2, .current_region = "us-east-1"
    };
    struct cpw_region_list regions;
    memset(&regions, 0, sizeof(regions));
    assert_int_equal(cpw_regions_parse(&ro, &regions), 0);
    struct cpw_inventory *inv = cpw_inventory_new();
    assert_int_equal(cpw_live_scan(client, ACCOUNT, &regions, inv), 0);
    struct cpw_plan_targets targets;
    memset(&targets, 0, sizeof(targets));
    assert_int_equal(cpw_plan_targets_from_inventory(inv, ACCOUNT, false, &targets), 0);
    assert_int_equal(targets.domain_count, 1);
    assert_string_equal(targets.domains[0].name, "retired-customers");
    struct cpw_plan_builder_options bo = { .caller_account = ACCOUNT, .caller_arn = arn };
    struct cpw_plan *plan = cpw_plan_from_targets(client, &bo, &targets);
    assert_non_null(plan);
    cpw_plan_targets_clean_up(&targets);
    cpw_inventory_destroy(inv);
    cpw_region_list_clean_up(&regions);
    return plan;
}

static void test_lifecycle_in_process(void **state)
{
    (void)state;
    struct cpw_aws_client *client = s_client();
    char *account = NULL;
    char *arn = NULL;
    assert_int_equal(cpw_live_identity(client, &account, &arn), 0);
    assert_string_equal(account, ACCOUNT);
    struct cpw_plan *plan = s_orphan_plan(client, arn);
    for (size_t i = 0; i < plan->action_count; i++) { /* the live domain is never planned */
        assert_string_not_equal(plan->actions[i].name, "live-customers");
    }
    assert_int_equal(cpw_apply_check(client, plan, NULL, false), 0);

    char state_dir[128];
    char backups[160];
    char locks[160];
    snprintf(state_dir, sizeof(state_dir), "%s/state", s_dir);
    snprintf(backups, sizeof(backups), "%s/backups", state_dir);
    snprintf(locks, sizeof(locks), "%s/locks", state_dir);
    struct cpw_store_options so = { .dir = state_dir };
    struct cpw_store *store = cpw_store_open(&so);
    assert_non_null(store);
    struct cpw_apply_options ao = {
        .client = client,
        .store = store,
        .plan = plan,
        .plan_checksum = "abc123",
        .plan_path = "plan.json",
        .caller_arn = arn,
        .account = account,
        .backup_dir = backups,
        .lock_dir = locks,
        .wait_ms = 2000,
        .poll_interval_ms = 10,
        .max_retries = 0,
    };
    struct cpw_apply_report *report = NULL;
    assert_int_equal(cpw_apply_run(&ao, &report), 0);
    assert_int_equal(report->failed, 0);
    assert_true(report->executed >= 7);
    assert_false(s_domain_exists(client, "retired-customers", "eu-west-2"));
    assert_false(s_role_exists(client, "AWSServiceRoleForAmazonConnect_DeletedInstance00002"));
    assert_true(s_domain_exists(client, "live-customers", "us-east-1"));
    assert_true(s_role_exists(client, "AWSServiceRoleForProfile_LiveDomainRole000001"));
    assert_true(s_role_exists(client, "AWSServiceRoleForAmazonConnect_LiveInstanceRole0001"));
    const struct cpw_apply_step *backup = &report->steps[0];
    assert_int_equal(backup->outcome, CPW_APPLY_DONE);
    struct cpw_backup_reader *reader = cpw_backup_reader_open(backup->data);
    assert_non_null(reader);
    assert_string_equal(cpw_backup_reader_header(reader)->domain, "retired-customers");
    assert_non_null(cpw_backup_reader_section(reader, CPW_BACKUP_INTEGRATIONS));
    cpw_backup_reader_destroy(reader);
    struct stat st;
    assert_int_equal(stat(backup->data, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    struct cpw_buf text;
    cpw_buf_init(&text, 1u << 20);
    assert_int_equal(cpw_apply_report_markdown(report, &text), 0);
    assert_non_null(strstr(cpw_buf_cstr(&text), "| a03 | delete-domain | retired-customers"));
    cpw_buf_clean_up(&text);
    cpw_apply_report_destroy(report);

    /* the same plan again: every step done earlier, nothing executed */
    assert_int_equal(cpw_apply_run(&ao, &report), 0);
    assert_true(report->resumed);
    assert_int_equal(report->executed, 0);
    assert_int_equal(report->steps[2].outcome, CPW_APPLY_PREVIOUSLY);
    cpw_apply_report_destroy(report);

    /* now stale: the domain is gone, so a fresh check refuses the plan */
    assert_int_equal(cpw_apply_check(client, plan, NULL, false), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_STALE_PLAN);
    if (!strstr(cpw_last_error_detail(), "a01 backup-domain retired-customers")) {
        fail_msg("stale detail: %s", cpw_last_error_detail());
    }

    cpw_store_destroy(store);
    cpw_plan_destroy(plan);
    cpw_free(account);
    cpw_free(arn);
    cpw_aws_client_destroy(client);
}

/* A run of plan (checksum sum) with fast waits; the report is owned by the caller. */
static struct cpw_apply_report *s_run(struct cpw_aws_client *client,
                                      struct cpw_store *store,
                                      const struct cpw_plan *plan,
                                      const char *sum,
                                      const char *account,
                                      const struct cpw_protect *protect)
{
    char backups[160];
    char locks[160];
    snprintf(backups, sizeof(backups), "%s/backups", s_dir);
    snprintf(locks, sizeof(locks), "%s/locks", s_dir);
    struct cpw_apply_options ao = {
        .client = client,
        .store = store,
        .plan = plan,
        .plan_checksum = sum,
        .caller_arn = "arn:aws:iam::123456789012:root",
        .account = account,
        .backup_dir = backups,
        .lock_dir = locks,
        .protect = protect,
        .wait_ms = 2000,
        .poll_interval_ms = 10,
        .max_retries = 0,
    };
    struct cpw_apply_report *report = NULL;
    assert_int_equal(cpw_apply_run(&ao, &report), 0);
    return report;
}

static const struct cpw_apply_step *s_step(const struct cpw_apply_report *r, const char *kind)
{
    for (size_t i = 0; i < r->step_count; i++) {
        if (strcmp(cpw_plan_action_kind_name(r->steps[i].action->kind), kind) == 0) {
            return &r->steps[i];
        }
    }
    fail_msg("no %s step", kind);
    return NULL;
}

static void s_expect_detail(const struct cpw_apply_step *step,
                            enum cpw_apply_outcome outcome,
                            const char *fragment)
{
    if (step->outcome != outcome || !step->detail || !strstr(step->detail, fragment)) {
        fail_msg("%s: expected %s '%s', got %s '%s'", step->action->id,
                 cpw_apply_outcome_name(outcome), fragment, cpw_apply_outcome_name(step->outcome),
                 step->detail ? step->detail : "");
    }
}

static void s_call(struct cpw_aws_client *client,
                   const char *service,
                   const char *operation,
                   json_t *input,
                   const char *region,
                   json_t **out)
{
    json_t *doc = NULL;
    if (cpw_live_call(client, service, operation, input, region, false, &doc, NULL)) {
        fail_msg("%s: %s", operation, cpw_last_error_detail());
    }
    if (out) {
        *out = doc;
    } else {
        json_decref(doc);
    }
}

/* No freshness check before the runs below (as when a run is resumed): the checks right before
 * each mutating call must catch what changed since the plan was made. */
static void test_drift_refused_before_each_mutating_call(void **state)
{
    (void)state;
    struct cpw_aws_client *client = s_client();
    struct cpw_plan *plan = s_orphan_plan(client, "arn:aws:iam::123456789012:root");
    char dir[128];
    snprintf(dir, sizeof(dir), "%s/state", s_dir);
    struct cpw_store_options so = { .dir = dir };
    struct cpw_store *store = cpw_store_open(&so);
    assert_non_null(store);

    /* another account than the client's: every mutating step refused, nothing deleted */
    struct cpw_apply_report *r = s_run(client, store, plan, "sum0", "999999999999", NULL);
    s_expect_detail(s_step(r, "delete-integration"), CPW_APPLY_REFUSED,
                    "is in account 123456789012, but this run acts in account 999999999999");
    assert_true(s_domain_exists(client, "retired-customers", "eu-west-2"));
    cpw_apply_report_destroy(r);

    /* a protection added after planning, with the tag it names put on live */
    char conf[160];
    snprintf(conf, sizeof(conf), "%s/protect.conf", s_dir);
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fputs("[protect]\ntag_key = keep\n", f);
    fclose(f);
    struct cpw_protect *protect = cpw_protect_load(conf);
    assert_non_null(protect);
    s_call(client, "customer-profiles", "TagResource",
           json_pack("{s:s, s:{s:s}}", "resourceArn",
                     "arn:aws:profile:eu-west-2:123456789012:domains/retired-customers", "tags",
                     "keep", "yes"),
           "eu-west-2", NULL);
    r = s_run(client, store, plan, "sum1", ACCOUNT, protect);
    s_expect_detail(s_step(r, "delete-integration"), CPW_APPLY_REFUSED,
                    "domain retired-customers is protected now");
    assert_int_equal(r->refused, 1);
    cpw_apply_report_destroy(r);
    cpw_protect_destroy(protect);

    /* a profile added: the impact grew */
    s_call(client, "customer-profiles", "CreateProfile",
           json_pack("{s:s, s:s}", "DomainName", "retired-customers", "FirstName", "Late"),
           "eu-west-2", NULL);
    r = s_run(client, store, plan, "sum2", ACCOUNT, NULL);
    assert_int_equal(s_step(r, "backup-domain")->outcome, CPW_APPLY_DONE);
    s_expect_detail(s_step(r, "delete-integration"), CPW_APPLY_REFUSED,
                    "has grown since the plan: domain.profile_count was 2, is now 3");
    s_expect_detail(s_step(r, "delete-domain"), CPW_APPLY_NOT_RUN, "refused");
    assert_int_equal(r->refused, 1);
    assert_int_equal(r->failed, 0);
    assert_true(s_domain_exists(client, "retired-customers", "eu-west-2"));
    cpw_apply_report_destroy(r);

    /* the journal says so, and a refused step is tried (and checked) again by the next run */
    struct cpw_journal_entry *entries = NULL;
    size_t n = 0;
    struct cpw_journal_filter filter = { .plan_prefix = "sum2" };
    assert_int_equal(cpw_journal_list(store, &filter, &entries, &n), 0);
    bool refused = false;
    for (size_t i = 0; i < n; i++) {
        refused = refused || (strcmp(entries[i].kind, "delete-integration") == 0 &&
                              strcmp(entries[i].outcome, "refused") == 0 &&
                              strstr(entries[i].detail, "domain.profile_count was 2") != NULL);
    }
    cpw_journal_entries_free(entries, n);
    assert_true(refused);
    cpw_plan_destroy(plan);

    /* a fresh plan, then a Connect instance attached to the domain */
    plan = s_orphan_plan(client, "arn:aws:iam::123456789012:root");
    json_t *out = NULL;
    s_call(client, "connect", "CreateInstance",
           json_pack("{s:s, s:s, s:b, s:b}", "IdentityManagementType", "CONNECT_MANAGED",
                     "InstanceAlias", "late-attach", "InboundCallsEnabled", 1,
                     "OutboundCallsEnabled", 1),
           "eu-west-2", &out);
    const char *instance = cpw_json_get_string(out, "Arn");
    assert_non_null(instance);
    s_call(client, "customer-profiles", "PutIntegration",
           json_pack("{s:s, s:s, s:s}", "DomainName", "retired-customers", "Uri", instance,
                     "ObjectTypeName", "CTR"),
           "eu-west-2", NULL);
    r = s_run(client, store, plan, "sum3", ACCOUNT, NULL);
    char expect[256];
    snprintf(expect, sizeof(expect), "domain retired-customers is now used by Connect instance %s",
             instance);
    s_expect_detail(s_step(r, "delete-integration"), CPW_APPLY_REFUSED, expect);
    s_expect_detail(s_step(r, "delete-domain"), CPW_APPLY_NOT_RUN, "refused");
    assert_true(s_domain_exists(client, "retired-customers", "eu-west-2"));
    /* the domain's role waits on the domain: not run either */
    s_expect_detail(s_step(r, "wait-role-gone"), CPW_APPLY_NOT_RUN, "did not complete");
    cpw_apply_report_destroy(r);
    json_decref(out);

    /* A run killed between its DeleteIntegration and the journal record: the next run finds
     * the integration gone and records it as such, though the domain is live now; the domain's
     * own deletion is still refused. */
    const char *dead_uri =
      s_step(r = s_run(client, store, plan, "sum4", ACCOUNT, NULL), "delete-integration")
        ->action->name;
    cpw_apply_report_destroy(r);
    s_call(client, "customer-profiles", "DeleteIntegration",
           json_pack("{s:s, s:s}", "DomainName", "retired-customers", "Uri", dead_uri), "eu-west-2",
           NULL);
    r = s_run(client, store, plan, "sum5", ACCOUNT, NULL);
    s_expect_detail(s_step(r, "delete-integration"), CPW_APPLY_ALREADY, "is already gone");
    s_expect_detail(s_step(r, "delete-domain"), CPW_APPLY_REFUSED, "is now used by Connect");
    assert_true(s_domain_exists(client, "retired-customers", "eu-west-2"));
    cpw_apply_report_destroy(r);

    cpw_store_destroy(store);
    cpw_plan_destroy(plan);
    cpw_aws_client_destroy(client);
}

static void test_journal_records_and_queries(void **state)
{
    (void)state;
    char dir[128];
    snprintf(dir, sizeof(dir), "%s/journal", s_dir);
    struct cpw_store_options so = { .dir = dir };
    struct cpw_store *store = cpw_store_open(&so);
    assert_non_null(store);
    assert_int_equal(cpw_store_schema_version(store), CPW_STORE_SCHEMA_VERSION);
    assert_int_equal(cpw_journal_run_count(store, "feedbeef"), 0);
    struct cpw_journal_run_info info = { .plan_checksum = "feedbeef",
                                         .plan_path = "p.json",
                                         .caller_arn = "arn:aws:iam::1:root" };
    int64_t run = 0;
    int64_t s1 = 0;
    int64_t s2 = 0;
    int64_t s3 = 0;
    assert_int_equal(cpw_journal_run_start(store, &info, &run), 0);
    assert_int_equal(cpw_journal_step_intent(store, run, "a01", "backup-domain", "d", &s1), 0);
    assert_int_equal(cpw_journal_step_result(store, s1, CPW_JOURNAL_DONE, "ok", "/b"), 0);
    assert_int_equal(cpw_journal_step_intent(store, run, "a02", "delete-domain", "d", &s2), 0);
    assert_int_equal(cpw_journal_step_result(store, s2, CPW_JOURNAL_FAILED, "boom", NULL), 0);
    assert_int_equal(cpw_journal_step_intent(store, run, "a03", "verify-domain-gone", "d", &s3), 0);
    /* a03 never gets a result: an interrupted step */
    struct cpw_journal_done *done = NULL;
    size_t n = 0;
    assert_int_equal(cpw_journal_done_list(store, "feedbeef", &done, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(done[0].action_id, "a01");
    assert_string_equal(done[0].data, "/b");
    cpw_journal_done_free(done, n);
    assert_int_equal(cpw_journal_run_count(store, "feedbeef"), 1);
    /* the lone intent is listed for a resume to reconcile; finished steps and other plans not */
    struct cpw_journal_interrupted *cut = NULL;
    assert_int_equal(cpw_journal_interrupted_list(store, "feedbeef", &cut, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(cut[0].action_id, "a03");
    assert_int_equal(cut[0].run_id, run);
    assert_int_equal(strlen(cut[0].intent_at), CPW_TIME_ISO8601_LEN);
    cpw_journal_interrupted_free(cut, n);
    assert_int_equal(cpw_journal_interrupted_list(store, "beef", &cut, &n), 0);
    assert_int_equal(n, 0);
    assert_null(cut);

    struct cpw_journal_entry *entries = NULL;
    assert_int_equal(cpw_journal_list(store, NULL, &entries, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(entries[1].outcome, "failed");
    assert_string_equal(entries[1].detail, "boom");
    assert_string_equal(entries[2].outcome, "interrupted");
    assert_string_equal(entries[0].caller_arn, "arn:aws:iam::1:root");
    cpw_journal_entries_free(entries, n);
    struct cpw_journal_filter other = { .plan_prefix = "beef" };
    assert_int_equal(cpw_journal_list(store, &other, &entries, &n), 0);
    assert_int_equal(n, 0);
    cpw_journal_entries_free(entries, n);
    struct cpw_journal_filter prefix = { .plan_prefix = "FEED", .since = "2000-01-01T00:00:00Z" };
    assert_int_equal(cpw_journal_list(store, &prefix, &entries, &n), 0);
    assert_int_equal(n, 3);
    cpw_journal_entries_free(entries, n);
    struct cpw_journal_filter future = { .since = "2999-01-01T00:00:00Z" };
    assert_int_equal(cpw_journal_list(store, &future, &entries, &n), 0);
    assert_int_equal(n, 0);
    cpw_journal_entries_free(entries, n);
    assert_int_equal(cpw_journal_run_finish(store, run, "failed"), 0);
    cpw_store_destroy(store);
}

static struct cpw_plan *s_offline_plan(void)
{
    struct cpw_plan_builder_options bo = { .caller_account = ACCOUNT,
                                           .caller_arn = "arn:aws:iam::123456789012:root" };
    struct cpw_plan_builder *b = cpw_plan_builder_new(&bo);
    struct cpw_plan_role_input role = { .kind = CPW_PLAN_ROLE_PROFILE_SLR,
                                        .account = ACCOUNT,
                                        .name = "AWSServiceRoleForProfile_X",
                                        .arn = "arn:aws:iam::123456789012:role/x",
                                        .linked_resource = "arn:dom" };
    struct cpw_plan_domain_input d = {
        .account = ACCOUNT, .region = "eu-west-2", .name = "dom", .arn = "arn:dom", .role = &role
    };
    struct cpw_plan_role_input orphan = { .kind = CPW_PLAN_ROLE_CONNECT_SLR,
                                          .account = ACCOUNT,
                                          .name = "AWSServiceRoleForAmazonConnect_Y" };
    assert_int_equal(cpw_plan_builder_add_domain(b, &d), 0);
    assert_int_equal(cpw_plan_builder_add_orphan_role(b, &orphan), 0);
    struct cpw_plan *plan = cpw_plan_builder_finish(b);
    cpw_plan_builder_destroy(b);
    assert_non_null(plan);
    return plan;
}

static void test_confirmation_and_targets_from_plan(void **state)
{
    (void)state;
    struct cpw_plan *plan = s_offline_plan();
    assert_true(cpw_apply_confirmation_matches(plan, "123456789012\n"));
    assert_true(cpw_apply_confirmation_matches(plan, "  123456789012 , "));
    assert_false(cpw_apply_confirmation_matches(plan, "12345678901"));
    assert_false(cpw_apply_confirmation_matches(plan, "123456789012 999999999999"));
    assert_false(cpw_apply_confirmation_matches(plan, ""));
    assert_false(cpw_apply_confirmation_matches(plan, "yes"));

    struct cpw_plan_targets t;
    memset(&t, 0, sizeof(t));
    assert_int_equal(cpw_plan_targets_from_plan(plan, &t), 0);
    assert_int_equal(t.domain_count, 1);
    assert_string_equal(t.domains[0].name, "dom");
    assert_string_equal(t.domains[0].region, "eu-west-2");
    assert_string_equal(t.domains[0].role_name, "AWSServiceRoleForProfile_X");
    assert_string_equal(t.domains[0].role_linked_arn, "arn:dom");
    assert_int_equal(t.role_count, 1);
    assert_string_equal(t.roles[0].name, "AWSServiceRoleForAmazonConnect_Y");
    assert_int_equal(t.roles[0].kind, CPW_PLAN_ROLE_CONNECT_SLR);
    cpw_plan_targets_clean_up(&t);
    cpw_plan_destroy(plan);

    enum cpw_plan_role_kind kind;
    assert_int_equal(cpw_plan_role_kind_of("AWSServiceRoleForProfile", &kind), 0);
    assert_int_equal(kind, CPW_PLAN_ROLE_PROFILE_SLR);
    assert_int_equal(cpw_plan_role_kind_of("AWSServiceRoleForAmazonConnect_Z", &kind), 0);
    assert_int_equal(kind, CPW_PLAN_ROLE_CONNECT_SLR);
    assert_int_equal(cpw_plan_role_kind_of("Admin", &kind), -1);
}

CPW_TEST_MAIN("apply",
              SANDBOX_TEST(test_lifecycle_in_process),
              SANDBOX_TEST(test_drift_refused_before_each_mutating_call),
              SANDBOX_TEST(test_journal_records_and_queries),
              SANDBOX_TEST(test_confirmation_and_targets_from_plan))
