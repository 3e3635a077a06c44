/*
 * test_sbx_state.c - the sandbox's state store: a directory database that survives close and
 * reopen (mode 0600, schema version), several threads dispatching at once, per-account state,
 * and scenario files (loaded whole, or refused with nothing changed).
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpw/time.h"
#include "sbx_test.h"

static char s_dir[64];

static void s_make_dir(void)
{
    snprintf(s_dir, sizeof(s_dir), "/tmp/cpw-sbx-XXXXXX");
    assert_non_null(mkdtemp(s_dir));
}

static void s_remove_dir(void)
{
    const char *files[] = { "sandbox.db", "sandbox.db-wal", "sandbox.db-shm" };
    for (size_t i = 0; i < 3; i++) {
        char path[128];
        snprintf(path, sizeof(path), "%s/%s", s_dir, files[i]);
        unlink(path);
    }
    rmdir(s_dir);
}

static void test_directory_survives_reopen(void **state)
{
    (void)state;
    s_make_dir();
    struct cpw_sbx_options opts = { .data_dir = s_dir,
                                    .slr_deletion_delay_ms = -1,
                                    .create_account_delay_ms = -1 };
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, &opts);
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateRole",
                       "{\"RoleName\":\"Kept\",\"AssumeRolePolicyDocument\":\"{}\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateUser", "{\"UserName\":\"k\"}"));
    json_t *key = sbx_ok(&fx, &fx.root, "iam", "CreateAccessKey", "{\"UserName\":\"k\"}");
    char key_id[32];
    snprintf(key_id, sizeof(key_id), "%s", sbx_str2(key, "AccessKey", "AccessKeyId"));
    json_decref(key);
    sbx_fixture_close(&fx);

    char path[128];
    snprintf(path, sizeof(path), "%s/sandbox.db", s_dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(stmt, 0), 1);
    sqlite3_finalize(stmt);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "wal");
    sqlite3_finalize(stmt);
    sqlite3_close(db);

    sbx_fixture_open(&fx, &opts);
    json_t *out = sbx_ok(&fx, &fx.root, "iam", "GetRole", "{\"RoleName\":\"Kept\"}");
    assert_string_equal(sbx_str2(out, "Role", "RoleName"), "Kept");
    json_decref(out);
    struct sbx_identity k;
    sbx_identity_for(&fx, key_id, "us-east-1", &k); /* the key still signs */
    assert_string_equal(k.creds.principal_arn, "arn:aws:iam::123456789012:user/k");
    cpw_sbx_credentials_clean_up(&k.creds);
    sbx_fixture_close(&fx);

    /* A database from a newer cpwarden is refused, not silently used. */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_null(cpw_sbx_open(&opts));
    assert_int_equal(cpw_last_error(), CPW_ERR_STORE);
    s_remove_dir();
}

/* A symbolic link planted at DIR/sandbox.db is refused; the file it points to is not touched
 * (SQLite would otherwise turn it into the database, or chmod it and fail). */
static void test_database_never_through_a_link(void **state)
{
    (void)state;
    s_make_dir();
    char victim[128];
    char path[128];
    snprintf(victim, sizeof(victim), "%s/victim", s_dir);
    snprintf(path, sizeof(path), "%s/sandbox.db", s_dir);
    FILE *f = fopen(victim, "w");
    assert_non_null(f);
    fclose(f); /* empty: SQLite would happily make it a database */
    assert_int_equal(chmod(victim, 0644), 0);
    assert_int_equal(symlink(victim, path), 0);
    struct cpw_sbx_options opts = { .data_dir = s_dir,
                                    .slr_deletion_delay_ms = -1,
                                    .create_account_delay_ms = -1 };
    assert_null(cpw_sbx_open(&opts));
    assert_int_equal(cpw_last_error(), CPW_ERR_IO);
    assert_non_null(strstr(cpw_last_error_detail(), "sandbox.db is a symbolic link"));
    struct stat st;
    assert_int_equal(stat(victim, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    unlink(victim);
    s_remove_dir();
}

#define THREADS          4
#define CALLS_PER_THREAD 25

struct worker {
    struct sbx_fixture *fx;
    int index;
    int failures;
};

static void *s_worker(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < CALLS_PER_THREAD; i++) {
        char input[256];
        snprintf(input, sizeof(input),
                 "{\"RoleName\":\"t%d-%02d\",\"AssumeRolePolicyDocument\":\"{}\"}", w->index, i);
        json_t *in = json_loads(input, 0, NULL);
        struct cpw_sbx_request req = {
            .service = "iam",
            .operation = "CreateRole",
            .input = in,
            .caller = &w->fx->root.caller,
            .now_ms = T0_MS + i,
        };
        json_t *out = NULL;
        struct cpw_sbx_error err;
        if (cpw_sbx_dispatch(w->fx->sbx, &req, &out, &err) != 0) {
            w->failures++;
        }
        json_decref(out);
        json_decref(in);
        struct cpw_sbx_credentials creds;
        if (cpw_sbx_credentials_lookup(w->fx->sbx, CPW_SBX_ROOT_ACCESS_KEY_ID, T0_MS, &creds) !=
            0) {
            w->failures++;
        }
        cpw_sbx_credentials_clean_up(&creds);
    }
    return NULL;
}

static void test_concurrent_dispatch(void **state)
{
    (void)state;
    s_make_dir();
    struct cpw_sbx_options opts = { .data_dir = s_dir,
                                    .slr_deletion_delay_ms = -1,
                                    .create_account_delay_ms = -1 };
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, &opts);
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (struct worker){ .fx = &fx, .index = i };
        assert_int_equal(pthread_create(&threads[i], NULL, s_worker, &workers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(workers[i].failures, 0);
    }
    json_t *out = sbx_ok(&fx, &fx.root, "iam", "ListRoles", "{\"MaxItems\":1000}");
    assert_int_equal(json_array_size(json_object_get(out, "Roles")), THREADS * CALLS_PER_THREAD);
    json_decref(out);
    struct sbx_identity use1;
    sbx_identity_for(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, "us-east-1", &use1);
    fx.now_ms = T0_MS + CALLS_PER_THREAD;
    out = sbx_ok(&fx, &use1, "cloudtrail", "LookupEvents",
                 "{\"LookupAttributes\":[{\"AttributeKey\":\"EventName\",\"AttributeValue\":"
                 "\"CreateRole\"}],\"MaxResults\":50}");
    assert_int_equal(json_array_size(json_object_get(out, "Events")), 50);
    assert_non_null(json_object_get(out, "NextToken"));
    json_decref(out);
    cpw_sbx_credentials_clean_up(&use1.creds);
    sbx_fixture_close(&fx);
    s_remove_dir();
}

static const char s_scenario[] =
  "{\"accounts\":[{\"id\":\"111111111111\",\"name\":\"dev\",\"email\":\"dev@example.com\"}],"
  " \"organization\":{\"account\":\"123456789012\",\"members\":[\"111111111111\"]},"
  " \"users\":[{\"name\":\"ops\",\"access_keys\":[{\"access_key_id\":\"AKIAOPSEXAMPLE000001\","
  "   \"secret_access_key\":\"opsSecretExample0000000000000000000000000\"}],"
  "   \"managed_policies\":[\"arn:aws:iam::aws:policy/AdministratorAccess\"]}],"
  " \"roles\":[{\"name\":\"Deployer\",\"path\":\"/ci/\",\"assume_role_policy\":"
  "   {\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"123456789012\"},"
  "   \"Action\":\"sts:AssumeRole\"}]},\"managed_policies\":[\"arn:aws:iam::aws:policy/"
  "ReadOnlyAccess\"]}],"
  " \"service_linked_roles\":[{\"service\":\"profile.amazonaws.com\",\"legacy\":true},"
  "   {\"service\":\"profile.amazonaws.com\",\"suffix\":\"dom1\"},"
  "   {\"account\":\"111111111111\",\"service\":\"connect.amazonaws.com\"}]}";

static void test_scenario_loads(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_t *scenario = json_loads(s_scenario, 0, NULL);
    assert_non_null(scenario);
    cpw_time_pin_ms(T0_MS); /* the loader stamps what it creates with the sandbox clock */
    int rc = cpw_sbx_load_scenario(fx.sbx, scenario);
    cpw_time_pin_ms(-1);
    json_decref(scenario);
    if (rc != 0) {
        fail_msg("scenario: %s", cpw_last_error_detail());
    }
    json_t *out =
      sbx_ok(&fx, &fx.root, "iam", "GetRole", "{\"RoleName\":\"AWSServiceRoleForProfile\"}");
    assert_string_equal(sbx_str2(out, "Role", "Path"), "/aws-service-role/profile.amazonaws.com/");
    json_decref(out);
    json_decref(
      sbx_ok(&fx, &fx.root, "iam", "GetRole", "{\"RoleName\":\"AWSServiceRoleForProfile_dom1\"}"));
    out = sbx_ok(&fx, &fx.root, "iam", "ListAttachedRolePolicies", "{\"RoleName\":\"Deployer\"}");
    assert_int_equal(json_array_size(json_object_get(out, "AttachedPolicies")), 1);
    json_decref(out);

    struct sbx_identity ops;
    sbx_identity_for(&fx, "AKIAOPSEXAMPLE000001", "us-east-1", &ops);
    assert_string_equal(ops.creds.secret_access_key, "opsSecretExample0000000000000000000000000");
    json_decref(sbx_ok(&fx, &ops, "sts", "AssumeRole",
                       "{\"RoleArn\":\"arn:aws:iam::123456789012:role/ci/Deployer\","
                       "\"RoleSessionName\":\"deploy\"}"));
    out = sbx_ok(&fx, &fx.root, "organizations", "ListAccounts", NULL);
    assert_int_equal(json_array_size(json_object_get(out, "Accounts")), 2);
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "sts", "AssumeRole",
                 "{\"RoleArn\":\"arn:aws:iam::111111111111:role/OrganizationAccountAccessRole\","
                 "\"RoleSessionName\":\"admin\"}");
    struct sbx_identity member;
    sbx_identity_for(&fx, sbx_str2(out, "Credentials", "AccessKeyId"), "us-east-1", &member);
    json_decref(out);
    out = sbx_ok(&fx, &member, "iam", "ListRoles",
                 "{\"PathPrefix\":\"/aws-service-role/connect.amazonaws.com/\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Roles")), 1);
    json_decref(out);
    cpw_sbx_credentials_clean_up(&ops.creds);
    cpw_sbx_credentials_clean_up(&member.creds);
    sbx_fixture_close(&fx);
}

static void s_expect_refused(struct sbx_fixture *fx, const char *text, const char *where)
{
    json_t *scenario = json_loads(text, 0, NULL);
    assert_non_null(scenario);
    assert_int_equal(cpw_sbx_load_scenario(fx->sbx, scenario), -1);
    json_decref(scenario);
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
    if (strstr(cpw_last_error_detail(), where) == NULL) {
        fail_msg("detail \"%s\" does not name %s", cpw_last_error_detail(), where);
    }
}

static void test_bad_scenario_changes_nothing(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    s_expect_refused(&fx,
                     "{\"accounts\":[{\"id\":\"222222222222\"}],"
                     " \"roles\":[{\"name\":\"Fine\",\"assume_role_policy\":{}},"
                     "            {\"name\":\"bad name!\",\"assume_role_policy\":{}}]}",
                     "$.roles[1].name");
    sbx_expect_error(&fx, &fx.root, "iam", "GetRole", "{\"RoleName\":\"Fine\"}", 404,
                     "NoSuchEntity");
    s_expect_refused(&fx, "{\"users\":[{\"account\":\"222222222222\",\"name\":\"x\"}]}",
                     "$.users[0]"); /* the account of the refused scenario never existed */
    s_expect_refused(&fx, "{\"rolez\":[]}", "$.rolez");
    s_expect_refused(&fx,
                     "{\"service_linked_roles\":[{\"service\":\"profile.amazonaws.com\","
                     "\"suffix\":\"a\"},{\"service\":\"profile.amazonaws.com\",\"suffix\":\"a\"}]}",
                     "$.service_linked_roles[1]");
    sbx_expect_error(&fx, &fx.root, "iam", "GetRole",
                     "{\"RoleName\":\"AWSServiceRoleForProfile_a\"}", 404, "NoSuchEntity");
    s_expect_refused(
      &fx, "{\"users\":[{\"name\":\"y\",\"access_keys\":[{\"access_key_id\":\"nope\"}]}]}",
      "$.users[0].access_keys[0]");
    sbx_expect_error(&fx, &fx.root, "iam", "GetUser", "{\"UserName\":\"y\"}", 404, "NoSuchEntity");
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_state",
              CPW_TEST(test_directory_survives_reopen),
              CPW_TEST(test_database_never_through_a_link),
              CPW_TEST(test_concurrent_dispatch),
              CPW_TEST(test_scenario_loads),
              CPW_TEST(test_bad_scenario_changes_nothing))
