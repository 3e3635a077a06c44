/*
 * test_apply_file.c - a plan file applied from start to end through cpw_apply_file, on an
 * in-process sandbox with the "orphans" scenario: the exit status and the context of each
 * refusal before the run (unreadable plan, edited plan, nobody to ask, a wrong confirmation),
 * then a confirmed run, its report and exit status, and the same plan applied again.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/apply_file.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/live.h"
#include "cpw/plan_targets.h"
#include "cpw/protect.h"
#include "cpw/regions.h"
#include "cpw/sandbox.h"
#include "harness.h"
#include "sandbox/sbx_realism.h"

#define ACCOUNT "123456789012"

static struct cpw_sandbox *s_sandbox;
static char s_dir[64];

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
    snprintf(s_dir, sizeof(s_dir), "/tmp/cpw-apply-file-XXXXXX");
    if (!mkdtemp(s_dir)) {
        return -1;
    }
    json_t *scenario = NULL;
    if (cpw_sbx_builtin_scenario("orphans", &scenario)) {
        return -1;
    }
    json_t *knobs = json_pack("{s:b, s:i}", "rate_limits", 0, "domain_role_cleanup_ms", 50);
    struct cpw_sandbox_options opts = {
        .port = 0, .threads = 2, .scenario = scenario, .knobs = knobs, .slr_deletion_delay_ms = 20
    };
    s_sandbox = cpw_sandbox_start(&opts);
    json_decref(scenario);
    json_decref(knobs);
    return s_sandbox ? 0 : -1;
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

/* What the confirmation callback is told to answer, and what it saw. */
struct asker {
    enum cpw_apply_answer answer;
    const char *typed;
    int calls;
    bool prompt_named_account;
};

static enum cpw_apply_answer s_ask(void *user, const char *prompt, char *line, size_t cap)
{
    struct asker *a = user;
    a->calls++;
    a->prompt_named_account = strstr(prompt, "This deletes resources in account(s): " ACCOUNT) &&
                              strstr(prompt, "Type the account id(s) to confirm: ");
    if (a->answer == CPW_APPLY_ANSWERED) {
        snprintf(line, cap, "%s", a->typed);
    }
    return a->answer;
}

static void s_count_line(void *user, const char *line)
{
    (void)line;
    (*(int *)user)++;
}

/* Writes the plan of the scenario's orphans to path. */
static void s_write_plan(struct cpw_aws_client *client, const char *arn, const char *path)
{
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
    struct cpw_plan_builder_options bo = { .caller_account = ACCOUNT, .caller_arn = arn };
    struct cpw_plan *plan = cpw_plan_from_targets(client, &bo, &targets);
    assert_non_null(plan);
    assert_int_equal(cpw_plan_write_file(plan, path), 0);
    cpw_plan_destroy(plan);
    cpw_plan_targets_clean_up(&targets);
    cpw_inventory_destroy(inv);
    cpw_region_list_clean_up(&regions);
}

static void test_refusals_then_run(void **state)
{
    (void)state;
    struct cpw_http_engine_options engine = { .retry = { .max_attempts = 1 } };
    struct cpw_aws_client_options copts = {
        .region = "us-east-1",
        .endpoint_url = cpw_sandbox_url(s_sandbox),
        .engine = &engine,
    };
    struct cpw_aws_client *client = cpw_aws_client_new(&copts);
    assert_non_null(client);
    char *account = NULL;
    char *arn = NULL;
    assert_int_equal(cpw_live_identity(client, &account, &arn), 0);
    struct cpw_protect *protect = cpw_protect_new_default();
    assert_non_null(protect);

    char plan_path[128];
    char edited_path[128];
    char state_dir[128];
    snprintf(plan_path, sizeof(plan_path), "%s/plan.json", s_dir);
    snprintf(edited_path, sizeof(edited_path), "%s/edited.json", s_dir);
    snprintf(state_dir, sizeof(state_dir), "%s/state", s_dir);
    struct asker asker = { .answer = CPW_APPLY_NO_TERMINAL };
    struct cpw_apply_file_options opts = {
        .plan_path = plan_path,
        .state_dir = state_dir,
        .ask = s_ask,
        .ask_user = &asker,
        .client = client,
        .client_options = &copts,
        .account = account,
        .caller_arn = arn,
        .protect = protect,
        .run = { .wait_ms = 2000, .poll_interval_ms = 10, .max_retries = 0 },
    };
    struct cpw_apply_file_result result;

    /* no plan file yet: a usage error naming the file */
    assert_int_equal(cpw_apply_file(&opts, &result), -1);
    assert_int_equal(result.exit, CPW_EXIT_USAGE);
    assert_string_equal(result.context, plan_path);
    assert_null(result.report);
    cpw_apply_file_result_clean_up(&result);

    s_write_plan(client, arn, plan_path);

    /* an edited plan is refused before anything is asked */
    struct cpw_buf text;
    cpw_buf_init(&text, 1u << 24);
    assert_int_equal(cpw_buf_read_file(&text, plan_path), 0);
    char *at = strstr((char *)text.data, "retired-customers");
    assert_non_null(at);
    at[0] = 'R';
    FILE *f = fopen(edited_path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text.data, 1, text.len, f), text.len);
    assert_int_equal(fclose(f), 0);
    cpw_buf_clean_up(&text);
    opts.plan_path = edited_path;
    assert_int_equal(cpw_apply_file(&opts, &result), -1);
    assert_int_equal(result.exit, CPW_EXIT_REFUSED);
    assert_string_equal(result.context, edited_path);
    assert_int_equal(asker.calls, 0);
    cpw_apply_file_result_clean_up(&result);
    opts.plan_path = plan_path;

    /* nobody to ask: refused, pointing at --yes */
    assert_int_equal(cpw_apply_file(&opts, &result), -1);
    assert_int_equal(result.exit, CPW_EXIT_REFUSED);
    assert_int_equal(cpw_last_error(), CPW_ERR_NOT_CONFIRMED);
    assert_non_null(strstr(cpw_last_error_detail(), "--yes"));
    assert_int_equal(asker.calls, 1);
    assert_true(asker.prompt_named_account);
    cpw_apply_file_result_clean_up(&result);

    /* another account typed: refused, nothing done */
    asker.answer = CPW_APPLY_ANSWERED;
    asker.typed = "999999999999\n";
    assert_int_equal(cpw_apply_file(&opts, &result), -1);
    assert_int_equal(result.exit, CPW_EXIT_REFUSED);
    assert_int_equal(cpw_last_error(), CPW_ERR_NOT_CONFIRMED);
    assert_null(result.report);
    cpw_apply_file_result_clean_up(&result);

    /* the right account typed: the run, every step done */
    asker.typed = ACCOUNT "\n";
    assert_int_equal(cpw_apply_file(&opts, &result), 0);
    assert_int_equal(result.exit, CPW_EXIT_OK);
    assert_non_null(result.report);
    assert_int_equal(result.report->failed, 0);
    assert_true(result.report->executed >= 7);
    assert_false(result.report->resumed);
    int lines = 0;
    cpw_apply_file_problems(&result, s_count_line, &lines);
    assert_int_equal(lines, 0);
    cpw_apply_file_result_clean_up(&result);

    /* again, confirmed up front: resumed, nothing left to do, nothing asked */
    int calls = asker.calls;
    opts.confirmed = true;
    assert_int_equal(cpw_apply_file(&opts, &result), 0);
    assert_int_equal(result.exit, CPW_EXIT_OK);
    assert_true(result.report->resumed);
    assert_int_equal(result.report->executed, 0);
    assert_int_equal(asker.calls, calls);
    cpw_apply_file_result_clean_up(&result);

    cpw_protect_destroy(protect);
    cpw_free(account);
    cpw_free(arn);
    cpw_aws_client_destroy(client);
}

CPW_TEST_MAIN("apply_file",
              cmocka_unit_test_setup_teardown(test_refusals_then_run, s_setup, s_teardown))
