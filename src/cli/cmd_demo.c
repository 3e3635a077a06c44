/*
 * cmd_demo.c - `cpwarden demo`: the runbook told end to end on an in-process sandbox.
 *
 * The demo starts a sandbox on an ephemeral loopback port with the `orphans` scenario (a
 * deleted Connect instance whose Customer Profiles domain, domain role and instance role were
 * left behind, next to a live instance that must not be touched), then runs cpwarden's own
 * commands against it, exactly as a user would type them, with a line of narration before each.
 * Nothing outside a temporary directory is read or written: the user's AWS configuration is
 * ignored for the duration of the demo.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/sandbox.h"

#define DEMO_MAX_ARGS 32

struct demo {
    struct cpw_sandbox *sandbox;
    char dir[64];
    int step;
    int failures;
};

static void s_say(const char *text)
{
    printf("\n%s\n", text);
    fflush(stdout);
}

/* Runs one cpwarden command in-process, showing it first as the user would type it. */
static int s_run(struct demo *d,
                 const struct cpw_cli_command *cmd,
                 int expected_exit,
                 const char *const *args)
{
    char *argv[DEMO_MAX_ARGS];
    int argc = 0;
    argv[argc++] = (char *)cmd->name;
    printf("\n  $ cpwarden %s", cmd->name);
    for (const char *const *a = args; *a && argc < DEMO_MAX_ARGS - 1; a++) {
        argv[argc++] = (char *)*a;
        bool quote = strpbrk(*a, " {\"") != NULL;
        printf(quote ? " '%s'" : " %s", *a);
    }
    argv[argc] = NULL;
    printf("\n\n");
    fflush(stdout);
    int rc = cmd->run(argc, argv);
    fflush(stdout);
    fflush(stderr);
    if (rc != expected_exit) {
        fprintf(stderr, "cpwarden demo: step %d: 'cpwarden %s' exited %d, expected %d\n", d->step,
                cmd->name, rc, expected_exit);
        d->failures++;
    }
    return rc;
}

/* The demo's AWS environment: the sandbox's example keys, no files, one attempt. */
static void s_environment(const struct demo *d)
{
    static const char *const unset[] = { "AWS_PROFILE",      "AWS_SESSION_TOKEN",
                                         "AWS_ENDPOINT_URL", "AWS_REGION",
                                         "AWS_ROLE_ARN",     "AWS_WEB_IDENTITY_TOKEN_FILE" };
    for (size_t i = 0; i < sizeof(unset) / sizeof(unset[0]); i++) {
        unsetenv(unset[i]);
    }
    setenv("AWS_ACCESS_KEY_ID", CPW_SANDBOX_ROOT_ACCESS_KEY_ID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", CPW_SANDBOX_ROOT_SECRET_KEY, 1);
    setenv("AWS_DEFAULT_REGION", "us-east-1", 1);
    setenv("AWS_CONFIG_FILE", "/dev/null", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("AWS_ENDPOINT_URL", cpw_sandbox_url(d->sandbox), 1);
    setenv("XDG_STATE_HOME", d->dir, 1);
    setenv("XDG_CONFIG_HOME", d->dir, 1);
    setenv("NO_COLOR", "1", 1);
}

static int s_start(struct demo *d)
{
    snprintf(d->dir, sizeof(d->dir), "/tmp/cpwarden-demo-XXXXXX");
    if (!mkdtemp(d->dir)) {
        return cpw_raise(CPW_ERR_IO, "cannot create a temporary directory: %s", strerror(errno));
    }
    json_t *scenario = NULL;
    if (cpw_sandbox_builtin_scenario("orphans", &scenario)) {
        return -1;
    }
    struct cpw_sandbox_options opts = {
        .port = 0,
        .threads = 2,
        .scenario = scenario,
        .slr_deletion_delay_ms = 0,
        .create_account_delay_ms = 0,
    };
    d->sandbox = cpw_sandbox_start(&opts);
    json_decref(scenario);
    return d->sandbox ? 0 : -1;
}

static int s_remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* Removes the demo's own temporary directory (and only that: it checks the prefix). */
static void s_remove_tree(const char *dir)
{
    if (strncmp(dir, "/tmp/cpwarden-demo-", 19) == 0) {
        nftw(dir, s_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
}

static int s_demo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    struct demo d;
    memset(&d, 0, sizeof(d));
    printf("cpwarden demo: what a deleted Amazon Connect instance leaves behind, found and\n"
           "cleaned up on a local sandbox. Nothing here touches a real AWS account.\n");
    if (s_start(&d)) {
        cpw_cli_print_last_error("demo");
        s_remove_tree(d.dir);
        return CPW_EXIT_OTHER;
    }
    s_environment(&d);
    printf("\nA sandbox is serving at %s with the runbook's situation: in us-east-1 a live\n"
           "contact center with its Customer Profiles domain; in eu-west-2 an instance that was\n"
           "deleted, whose domain, domain role and instance role stayed behind; and a legacy\n"
           "AWSServiceRoleForProfile role.\n",
           cpw_sandbox_url(d.sandbox));

    char plan_path[128];
    snprintf(plan_path, sizeof(plan_path), "%s/plan.json", d.dir);
    /* Every region where the services are offered: roles are global, and only the whole scope
     * proves one unused. */
    const char *regions = "all";

    d.step = 1;
    s_say("1. The runbook starts by listing the service-linked roles by path prefix. With the\n"
          "   AWS CLI that is one command per service and region; cpwarden can call any API:");
    s_run(&d, &cpw_cli_cmd_api, CPW_EXIT_OK,
          (const char *const[]){ "iam", "list-roles", "--paginate",
                                 "{\"PathPrefix\": \"/aws-service-role/profile.amazonaws.com/\"}",
                                 "--output", "json", NULL });

    d.step = 2;
    s_say("2. Inventory: every region at once, instances, domains, integrations and both\n"
          "   services' roles linked into one graph, leftovers reported with their evidence\n"
          "   and confidence (exit 0: the whole scope was read):");
    s_run(&d, &cpw_cli_cmd_inventory, CPW_EXIT_OK,
          (const char *const[]){ "--regions", regions, "--output", "table", NULL });

    d.step = 3;
    s_say("3. Plan: what would be deleted, in which order, with the runbook's pre-deletion\n"
          "   checklist checked. Nothing is deleted without a saved plan; the live contact\n"
          "   center's domain and roles are not in it.");
    s_run(&d, &cpw_cli_cmd_plan, CPW_EXIT_OK,
          (const char *const[]){ "--regions", regions, "-o", plan_path, NULL });

    d.step = 4;
    s_say("4. Apply: the plan is checked against the live state (a stale plan is refused), the\n"
          "   domain is backed up, then deleted, verified, and the roles removed with\n"
          "   DeleteServiceLinkedRole and polled. Each step is journaled before and after its\n"
          "   call, so an interrupted run resumes. (--yes stands in for typing the account id.)");
    s_run(&d, &cpw_cli_cmd_apply, CPW_EXIT_OK,
          (const char *const[]){ plan_path, "--yes", "--poll-interval", "50ms", "--wait", "10s",
                                 "--retry-interval", "100ms", NULL });

    d.step = 5;
    s_say("5. Verify: a fresh inventory finds no leftovers; the live contact center is intact.");
    s_run(&d, &cpw_cli_cmd_inventory, CPW_EXIT_OK,
          (const char *const[]){ "--regions", regions, "--output", "table", "--no-save", NULL });

    d.step = 6;
    s_say("6. History: who changed what, when, with which plan.");
    s_run(&d, &cpw_cli_cmd_history, CPW_EXIT_OK,
          (const char *const[]){ "--output", "table", NULL });

    cpw_sandbox_stop(d.sandbox);
    s_remove_tree(d.dir);
    if (d.failures) {
        fprintf(stderr, "cpwarden demo: %d step(s) did not go as expected\n", d.failures);
        return CPW_EXIT_FAILED;
    }
    printf("\nThe account is clean. Against a real account the same commands run with your usual\n"
           "AWS profile (--profile, AWS_PROFILE): start read-only with `cpwarden inventory\n"
           "--regions all` (add --org for a whole organization), then review `cpwarden plan`\n"
           "before any `cpwarden apply`. See docs/cleanup-guide.md.\n");
    return CPW_EXIT_OK;
}

const struct cpw_cli_command cpw_cli_cmd_demo = {
    .name = "demo",
    .summary = "tell the whole story on an in-process sandbox",
    .help = "usage: cpwarden demo\n"
            "\n"
            "Starts a sandbox on an ephemeral loopback port with the 'orphans' scenario and runs\n"
            "cpwarden's commands against it, narrating each step. It ignores your AWS\n"
            "configuration and writes only to a temporary directory, removed at the end.\n"
            "Exit status: 0 when every step went as expected, 1 otherwise.\n",
    .run = s_demo,
};
