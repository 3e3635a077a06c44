/*
 * test_backup_restore.c - cpw_backup_domain, cpw_restore_domain and the backups index against an
 * in-process sandbox holding the orphans scenario: the export's sections and records, a restore
 * under another name and region and its idempotent second run, a dry run, a conflicting domain,
 * an unknown domain, and the index's rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/aws_client.h"
#include "cpw/backup.h"
#include "cpw/error.h"
#include "cpw/sandbox.h"
#include "cpw/store.h"
#include "harness.h"
#include "sandbox/sbx_realism.h"

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
    json_t *doc = NULL;
    if (cpw_sbx_builtin_scenario("orphans", &doc)) {
        return -1;
    }
    json_t *knobs = json_pack("{s:b}", "rate_limits", 0);
    s_sandbox = cpw_sandbox_start(
      &(struct cpw_sandbox_options){ .port = 0, .threads = 2, .scenario = doc, .knobs = knobs });
    json_decref(doc);
    json_decref(knobs);
    snprintf(s_dir, sizeof(s_dir), "/tmp/cpw-backup-test-XXXXXX");
    if (!s_sandbox || !mkdtemp(s_dir)) {
        fprintf(stderr, "set-up: %s\n", cpw_last_error_detail());
        return -1;
    }
    return 0;
}

static int s_teardown(void **state)
{
    cpw_sandbox_stop(s_sandbox);
    s_sandbox = NULL;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot remove %s\n", s_dir);
    }
    return cpw_test_teardown(state);
}

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

static void s_path(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", s_dir, name);
}

static bool s_domain_exists(struct cpw_aws_client *client, const char *region, const char *name)
{
    json_t *in = json_pack("{s:s}", "DomainName", name);
    json_t *out = NULL;
    struct cpw_aws_call call = {
        .service = "customer-profiles", .operation = "GetDomain", .input = in, .region = region
    };
    int rc = cpw_aws_client_call(client, &call, &out, NULL);
    json_decref(in);
    json_decref(out);
    return rc == 0;
}

static void test_backup_exports_every_section(void **state)
{
    (void)state;
    struct cpw_aws_client *client = s_client();
    char path[256];
    s_path(path, sizeof(path), "live.cpwbackup");
    struct cpw_backup_summary summary;
    struct cpw_backup_options opts = { .with_profiles = true };
    assert_int_equal(
      cpw_backup_domain(client, "us-east-1", "live-customers", path, &opts, &summary), 0);
    assert_string_equal(summary.account, "123456789012");
    assert_int_equal(summary.counts.object_types, 1);
    assert_int_equal(summary.counts.integrations, 1);
    assert_int_equal(summary.counts.profiles, 3);
    assert_int_equal(summary.records, 3);
    assert_int_equal(strlen(summary.sha256), 64);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    struct cpw_backup_reader *reader = cpw_backup_reader_open(path);
    assert_non_null(reader);
    assert_string_equal(cpw_backup_reader_header(reader)->domain, "live-customers");
    for (int s = 0; s < CPW_BACKUP_SECTION_COUNT_; s++) {
        assert_non_null(cpw_backup_reader_section(reader, (enum cpw_backup_section)s));
    }
    const json_t *types = cpw_backup_reader_section(reader, CPW_BACKUP_OBJECT_TYPES);
    assert_string_equal(
      json_string_value(json_object_get(json_array_get(types, 0), "ObjectTypeName")), "CTR");
    const json_t *record = NULL;
    int n = 0;
    while (cpw_backup_reader_next(reader, &record) == 1) {
        assert_non_null(json_object_get(json_object_get(record, "profile"), "ProfileId"));
        n++;
    }
    assert_int_equal(n, 3);
    cpw_backup_reader_destroy(reader);

    /* An unknown domain: not found, and no file. */
    char missing[256];
    s_path(missing, sizeof(missing), "missing.cpwbackup");
    assert_int_equal(cpw_backup_domain(client, "us-east-1", "no-such-domain", missing, NULL, NULL),
                     -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_NOT_FOUND);
    assert_int_not_equal(access(missing, F_OK), 0);
    cpw_aws_client_destroy(client);
}

struct tally {
    unsigned creates;
    unsigned warnings;
    unsigned not_restored;
};

static void s_tally(void *user,
                    enum cpw_restore_action action,
                    const char *kind,
                    const char *name,
                    const char *detail)
{
    (void)kind;
    (void)name;
    (void)detail;
    struct tally *t = user;
    t->creates += action == CPW_RESTORE_CREATE;
    t->warnings += action == CPW_RESTORE_WARNING;
    t->not_restored += action == CPW_RESTORE_NOT_RESTORED;
}

/* A version-1 backup (a committed file in the layout cpwarden wrote before version 2, which
 * doubles as a fuzz seed) restores, with its settings, tags, object type, integration, event
 * stream, calculated attribute and profiles. */
static void test_version_1_backup_restores(void **state)
{
    (void)state;
    struct cpw_aws_client *client = s_client();
    char *path = cpw_test_source_path("tests/fuzz/corpus/backup_read/v1-domain.backup");
    struct cpw_backup_reader *reader = cpw_backup_reader_open(path);
    assert_non_null(reader);
    assert_int_equal(cpw_backup_reader_header(reader)->format_version, 1);
    cpw_backup_reader_destroy(reader);
    struct cpw_backup_verify_report v;
    assert_int_equal(cpw_backup_verify(path, &v), 0);
    assert_int_equal(v.format_version, 1);
    assert_int_equal(v.records, 2);
    struct tally t = { 0 };
    struct cpw_restore_options opts = {
        .domain = "from-v1", .region = "us-east-1", .report = s_tally, .report_user = &t
    };
    struct cpw_restore_summary sum;
    assert_int_equal(cpw_restore_domain(client, path, &opts, &sum), 0);
    assert_true(s_domain_exists(client, "us-east-1", "from-v1"));
    assert_int_equal(sum.conflicts + sum.failed, 0);
    /* domain (with its tags), object type, calculated attribute, integration, event stream,
     * profiles */
    assert_int_equal(sum.created, 6);
    assert_int_equal(t.creates, 6);
    assert_int_equal(sum.profiles_created, 2);
    assert_int_equal(sum.objects_put, 2);
    /* and again: nothing to do */
    assert_int_equal(cpw_restore_domain(client, path, &opts, &sum), 0);
    assert_int_equal(sum.created, 0);
    cpw_free(path);
    cpw_aws_client_destroy(client);
}

static void test_restore_is_idempotent(void **state)
{
    (void)state;
    struct cpw_aws_client *client = s_client();
    char path[256];
    s_path(path, sizeof(path), "restore.cpwbackup");
    assert_int_equal(cpw_backup_domain(client, "us-east-1", "live-customers", path,
                                       &(struct cpw_backup_options){ .with_profiles = true }, NULL),
                     0);
    /* Dry run: reported, nothing created. */
    struct tally dry = { 0 };
    struct cpw_restore_options opts = { .domain = "copy",
                                        .region = "us-west-2",
                                        .dry_run = true,
                                        .report = s_tally,
                                        .report_user = &dry };
    struct cpw_restore_summary sum;
    assert_int_equal(cpw_restore_domain(client, path, &opts, &sum), 0);
    assert_true(dry.creates >= 3);
    assert_false(s_domain_exists(client, "us-west-2", "copy"));

    /* First restore: created; the live Connect instance that live-customers (us-east-1) uses
     * is not taken by the copy. */
    struct tally first = { 0 };
    opts.dry_run = false;
    opts.report_user = &first;
    assert_int_equal(cpw_restore_domain(client, path, &opts, &sum), 0);
    assert_true(s_domain_exists(client, "us-west-2", "copy"));
    assert_int_equal(sum.created, 3); /* domain, object type, profiles */
    assert_int_equal(sum.not_restored, 1);
    assert_int_equal(first.not_restored, 1);
    assert_int_equal(sum.warnings, 0);
    assert_int_equal(sum.profiles_created, 3);

    /* Second: nothing created. */
    struct tally second = { 0 };
    opts.report_user = &second;
    assert_int_equal(cpw_restore_domain(client, path, &opts, &sum), 0);
    assert_int_equal(sum.created, 0);
    assert_int_equal(second.creates, 0);
    assert_int_equal(sum.conflicts + sum.failed, 0);
    assert_true(sum.skipped >= 3);
    cpw_aws_client_destroy(client);
}

static void test_restore_refuses_a_conflicting_domain(void **state)
{
    (void)state;
    struct cpw_aws_client *client = s_client();
    char path[256];
    s_path(path, sizeof(path), "clash.cpwbackup");
    assert_int_equal(cpw_backup_domain(client, "us-east-1", "live-customers", path, NULL, NULL), 0);
    json_t *in = json_pack("{s:s,s:i}", "DomainName", "clash", "DefaultExpirationDays", 7);
    json_t *out = NULL;
    struct cpw_aws_call call = { .service = "customer-profiles",
                                 .operation = "CreateDomain",
                                 .input = in };
    assert_int_equal(cpw_aws_client_call(client, &call, &out, NULL), 0);
    json_decref(in);
    json_decref(out);
    struct cpw_restore_options opts = { .domain = "clash", .region = "us-east-1" };
    assert_int_equal(cpw_restore_domain(client, path, &opts, NULL), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFLICT);
    assert_non_null(strstr(cpw_last_error_detail(), "DefaultExpirationDays"));

    /* A damaged file is refused before anything is sent. */
    char bad[256];
    s_path(bad, sizeof(bad), "bad.cpwbackup");
    FILE *f = fopen(bad, "w");
    assert_non_null(f);
    fputs("{\"format\":\"cpwarden-backup\",\"format_version\":1}\n", f);
    fclose(f);
    opts.domain = "never";
    assert_int_equal(cpw_restore_domain(client, bad, &opts, NULL), -1);
    assert_false(s_domain_exists(client, "us-east-1", "never"));
    cpw_aws_client_destroy(client);
}

static void test_backups_index(void **state)
{
    (void)state;
    char dir[256];
    s_path(dir, sizeof(dir), "state");
    struct cpw_store *store = cpw_store_open(&(struct cpw_store_options){ .dir = dir });
    assert_non_null(store);
    assert_int_equal(cpw_store_schema_version(store), CPW_STORE_SCHEMA_VERSION);
    struct cpw_store_backup a = { .created_at_s = 1000,
                                  .account = "123456789012",
                                  .region = "us-east-1",
                                  .domain = "d1",
                                  .path = "/b/1",
                                  .sha256 = "aa",
                                  .counts = { .profiles = 5, .object_types = 2 },
                                  .records = 5 };
    struct cpw_store_backup b = a;
    b.created_at_s = 2000;
    b.path = "/b/2";
    struct cpw_store_backup c = a;
    c.domain = "d2";
    int64_t id = 0;
    assert_int_equal(cpw_store_backup_add(store, &a, &id), 0);
    assert_true(id > 0);
    assert_int_equal(cpw_store_backup_add(store, &b, NULL), 0);
    assert_int_equal(cpw_store_backup_add(store, &c, NULL), 0);
    struct cpw_store_backup *list = NULL;
    size_t count = 0;
    assert_int_equal(cpw_store_backup_list(store, "123456789012", "us-east-1", "d1", &list, &count),
                     0);
    assert_int_equal(count, 2);
    assert_string_equal(list[0].path, "/b/2"); /* newest first */
    assert_int_equal(list[0].created_at_s, 2000);
    assert_int_equal(list[1].counts.profiles, 5);
    assert_int_equal(list[1].counts.object_types, 2);
    assert_int_equal(list[1].records, 5);
    cpw_store_backup_list_free(list, count);
    assert_int_equal(cpw_store_backup_list(store, NULL, NULL, NULL, &list, &count), 0);
    assert_int_equal(count, 3);
    cpw_store_backup_list_free(list, count);
    assert_int_equal(cpw_store_backup_list(store, NULL, "eu-west-1", NULL, &list, &count), 0);
    assert_int_equal(count, 0);
    cpw_store_backup_list_free(list, count);
    cpw_store_destroy(store);

    /* The default backup path: DIR/backups, created 0700. */
    struct cpw_buf path;
    cpw_buf_init(&path, 4096);
    assert_int_equal(cpw_backup_default_path(dir, "d1", "us-east-1", 1700000000, &path), 0);
    assert_non_null(strstr(cpw_buf_cstr(&path), "/backups/d1-us-east-1-20231114T221320Z"));
    char backups[300];
    snprintf(backups, sizeof(backups), "%s/backups", dir);
    struct stat st;
    assert_int_equal(stat(backups, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    cpw_buf_clean_up(&path);
}

#define SBX_TEST(fn) cmocka_unit_test_setup_teardown(fn, s_setup, s_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        SBX_TEST(test_backup_exports_every_section),
        SBX_TEST(test_restore_is_idempotent),
        SBX_TEST(test_version_1_backup_restores),
        SBX_TEST(test_restore_refuses_a_conflicting_domain),
        SBX_TEST(test_backups_index),
    };
    return cpw_test_run("backup_restore", tests, sizeof(tests) / sizeof(tests[0]));
}
