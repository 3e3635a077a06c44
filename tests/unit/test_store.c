/*
 * test_store.c - the SQLite state store (location, file modes, WAL, migrations, refusing newer
 * schemas) and inventory snapshots: save, list, load latest / by id, and the diff between two
 * scans in all four formats.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/inventory.h"
#include "cpw/inventory_diff.h"
#include "cpw/store.h"
#include "harness.h"
#include "inventory_fixtures.h"

static char s_root[64];
static char s_dir[128];

static void s_make_root(void)
{
    snprintf(s_root, sizeof(s_root), "/tmp/cpw-store-XXXXXX");
    assert_non_null(mkdtemp(s_root));
    snprintf(s_dir, sizeof(s_dir), "%s/nested/state", s_root);
}

static void s_remove_root(void)
{
    const char *files[] = { "state.db", "state.db-wal", "state.db-shm" };
    char path[256];
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", s_dir, files[i]);
        unlink(path);
    }
    rmdir(s_dir);
    snprintf(path, sizeof(path), "%s/nested", s_root);
    rmdir(path);
    rmdir(s_root);
}

static unsigned s_mode(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (unsigned)(st.st_mode & 0777);
}

static struct cpw_store *s_open(void)
{
    struct cpw_store_options opts = { .dir = s_dir };
    struct cpw_store *store = cpw_store_open(&opts);
    if (!store) {
        fail_msg("open: %s", cpw_last_error_detail());
    }
    return store;
}

static void test_open_creates_private_files(void **state)
{
    (void)state;
    s_make_root();
    struct cpw_store *store = s_open();
    assert_int_equal(cpw_store_schema_version(store), CPW_STORE_SCHEMA_VERSION);
    char path[256];
    snprintf(path, sizeof(path), "%s/state.db", s_dir);
    assert_string_equal(cpw_store_path(store), path);
    assert_int_equal(s_mode(s_dir), 0700);
    assert_int_equal(s_mode(path), 0600);

    struct cpw_inventory *inv = fx_orphans_story();
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    int64_t id = 0;
    assert_int_equal(cpw_inventory_snapshot_save(store, inv, "arn:aws:iam::111111111111:user/me",
                                                 "regions=us-east-1,us-west-2", &id),
                     0);
    assert_true(id > 0);
    snprintf(path, sizeof(path), "%s/state.db-wal", s_dir); /* WAL mode, same private mode */
    assert_int_equal(s_mode(path), 0600);
    cpw_inventory_destroy(inv);
    cpw_store_destroy(store);

    /* Reopening keeps the data and the schema; an over-permissive file is tightened. */
    snprintf(path, sizeof(path), "%s/state.db", s_dir);
    assert_int_equal(chmod(path, 0644), 0);
    store = s_open();
    assert_int_equal(s_mode(path), 0600);
    struct cpw_store_snapshot_info *list = NULL;
    size_t count = 0;
    assert_int_equal(cpw_store_snapshot_list(store, 0, &list, &count), 0);
    assert_int_equal(count, 1);
    assert_string_equal(list[0].identity, "arn:aws:iam::111111111111:user/me");
    assert_string_equal(list[0].scope, "regions=us-east-1,us-west-2");
    assert_int_equal(list[0].scanned_at_s, FX_T0 + 30 * FX_DAY);
    assert_int_equal(list[0].schema, CPW_INVENTORY_SCHEMA);
    cpw_store_snapshot_list_free(list, count);
    cpw_store_destroy(store);
    s_remove_root();
}

static void test_newer_schema_and_bad_documents_refused(void **state)
{
    (void)state;
    s_make_root();
    struct cpw_store *store = s_open();
    assert_null(cpw_inventory_snapshot_load(store, 0));
    assert_int_equal(cpw_last_error(), CPW_ERR_NOT_FOUND);
    assert_null(cpw_inventory_snapshot_load(store, 7));
    assert_int_equal(cpw_last_error(), CPW_ERR_NOT_FOUND);
    cpw_store_destroy(store);

    sqlite3 *db = NULL;
    char path[256];
    snprintf(path, sizeof(path), "%s/state.db", s_dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO snapshots (scanned_at, saved_at, identity, scope, "
                                  "schema, document) VALUES ('2026-01-01T00:00:00Z', "
                                  "'2026-01-01T00:00:00Z', '', '', 2, '{\"schema\": 2}')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    store = s_open();
    assert_null(cpw_inventory_snapshot_load(store, 0));
    assert_int_equal(cpw_last_error(), CPW_ERR_UNSUPPORTED);
    cpw_store_destroy(store);

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct cpw_store_options opts = { .dir = s_dir };
    assert_null(cpw_store_open(&opts));
    assert_int_equal(cpw_last_error(), CPW_ERR_STORE);
    assert_non_null(strstr(cpw_last_error_detail(), "schema version 99"));
    s_remove_root();
}

static void test_default_dir(void **state)
{
    (void)state;
    char *old_xdg = getenv("XDG_STATE_HOME") ? cpw_strdup(getenv("XDG_STATE_HOME")) : NULL;
    char *old_home = getenv("HOME") ? cpw_strdup(getenv("HOME")) : NULL;
    struct cpw_buf dir;
    cpw_buf_init(&dir, 4096);
    setenv("XDG_STATE_HOME", "/var/xdg", 1);
    assert_int_equal(cpw_store_default_dir(&dir), 0);
    assert_string_equal(cpw_buf_cstr(&dir), "/var/xdg/cpwarden");
    cpw_buf_reset(&dir);
    setenv("XDG_STATE_HOME", "relative", 1); /* not absolute: ignored */
    setenv("HOME", "/home/op", 1);
    assert_int_equal(cpw_store_default_dir(&dir), 0);
    assert_string_equal(cpw_buf_cstr(&dir), "/home/op/.local/state/cpwarden");
    cpw_buf_reset(&dir);
    unsetenv("XDG_STATE_HOME");
    unsetenv("HOME");
    assert_int_equal(cpw_store_default_dir(&dir), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
    cpw_buf_clean_up(&dir);
    if (old_xdg) {
        setenv("XDG_STATE_HOME", old_xdg, 1);
    }
    if (old_home) {
        setenv("HOME", old_home, 1);
    }
    cpw_free(old_xdg);
    cpw_free(old_home);
}

/* The second scan: dom-b was deleted (its role stayed behind), and a new Connect role appeared. */
static struct cpw_inventory *s_second_scan(void)
{
    struct cpw_inventory *inv = cpw_inventory_new();
    cpw_inventory_set_scanned_at(inv, FX_T0 + 31 * FX_DAY);
    cpw_inventory_add_account(inv, FX_ACCOUNT);
    fx_scope_all(inv); /* the same scope as the first scan */
    fx_instance(inv, FX_ACCOUNT, FX_REGION_A, "inst-a", "ACTIVE",
                "AWSServiceRoleForAmazonConnect_A");
    fx_domain(inv, FX_ACCOUNT, FX_REGION_A, "dom-a", FX_T0, "inst-a", NULL);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, "AWSServiceRoleForProfile_a", FX_T0 + 30,
            FX_REGION_A);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_CONNECT, "AWSServiceRoleForAmazonConnect_A",
            FX_T0 - FX_DAY + 5, FX_REGION_A);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, "AWSServiceRoleForProfile_b",
            FX_T0 + FX_DAY + 40, NULL);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_CONNECT, "AWSServiceRoleForAmazonConnect_B",
            FX_T0 - 2 * FX_DAY, NULL);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, CPW_INV_LEGACY_PROFILE_ROLE,
            FX_T0 - 365 * FX_DAY, NULL);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_CONNECT, "AWSServiceRoleForAmazonConnect_C",
            FX_T0 + 31 * FX_DAY - 60, NULL);
    return inv;
}

static const struct cpw_inv_change *s_find_change(const struct cpw_inventory_diff *diff,
                                                  enum cpw_inv_change_kind change,
                                                  const char *type,
                                                  const char *arn_suffix,
                                                  const char *kind_or_field)
{
    for (size_t i = 0; i < cpw_inventory_diff_count(diff); i++) {
        const struct cpw_inv_change *c = cpw_inventory_diff_change(diff, i);
        size_t len = c->arn ? strlen(c->arn) : 0;
        size_t slen = strlen(arn_suffix);
        const char *what = c->change == CPW_INV_CHANGE_CHANGED ? c->field : c->kind;
        if (c->change == change && strcmp(c->type, type) == 0 && len >= slen &&
            strcmp(c->arn ? c->arn + len - slen : "", arn_suffix) == 0 &&
            (!kind_or_field || (what && strcmp(what, kind_or_field) == 0))) {
            return c;
        }
    }
    fail_msg("no %s %s %s", cpw_inv_change_kind_name(change), type, arn_suffix);
    return NULL;
}

static char *s_diff_text(const struct cpw_inventory_diff *diff, enum cpw_inv_format fmt)
{
    struct cpw_buf out;
    cpw_buf_init(&out, 16u << 20);
    assert_int_equal(cpw_inventory_diff_write(diff, fmt, NULL, &out), 0);
    return cpw_buf_detach(&out);
}

static void test_snapshots_and_diff(void **state)
{
    (void)state;
    s_make_root();
    struct cpw_store *store = s_open();
    struct cpw_inventory *first = fx_orphans_story();
    struct cpw_inventory *second = s_second_scan();
    assert_int_equal(cpw_inventory_analyze(first), 0);
    assert_int_equal(cpw_inventory_analyze(second), 0);
    int64_t id1 = 0;
    int64_t id2 = 0;
    assert_int_equal(cpw_inventory_snapshot_save(store, first, "me", "all", &id1), 0);
    assert_int_equal(cpw_inventory_snapshot_save(store, second, "me", "all", &id2), 0);
    assert_true(id2 > id1);
    cpw_inventory_destroy(first);
    cpw_inventory_destroy(second);

    struct cpw_store_snapshot_info *list = NULL;
    size_t count = 0;
    assert_int_equal(cpw_store_snapshot_list(store, 0, &list, &count), 0);
    assert_int_equal(count, 2);
    assert_int_equal(list[0].id, id2); /* newest first */
    assert_int_equal(list[1].id, id1);
    cpw_store_snapshot_list_free(list, count);
    assert_int_equal(cpw_store_snapshot_list(store, 1, &list, &count), 0);
    assert_int_equal(count, 1);
    cpw_store_snapshot_list_free(list, count);

    struct cpw_inventory *latest = cpw_inventory_snapshot_load(store, 0);
    struct cpw_inventory *older = cpw_inventory_snapshot_load(store, id1);
    assert_non_null(latest);
    assert_non_null(older);
    assert_int_equal(cpw_inventory_scanned_at(latest), FX_T0 + 31 * FX_DAY);
    assert_int_equal(cpw_inventory_domain_count(older), 2);
    assert_int_equal(cpw_inventory_domain_count(latest), 1);

    struct cpw_inventory_diff *diff = cpw_inventory_diff_new(older, latest);
    assert_int_equal(cpw_inventory_diff_count(diff), 6);
    s_find_change(diff, CPW_INV_CHANGE_DISAPPEARED, "domain", ":domains/dom-b", NULL);
    s_find_change(diff, CPW_INV_CHANGE_DISAPPEARED, "finding", ":domains/dom-b",
                  "domain-without-instance");
    s_find_change(diff, CPW_INV_CHANGE_APPEARED, "role", "/AWSServiceRoleForAmazonConnect_C", NULL);
    s_find_change(diff, CPW_INV_CHANGE_APPEARED, "finding", "/AWSServiceRoleForAmazonConnect_C",
                  "orphaned-connect-role");
    s_find_change(diff, CPW_INV_CHANGE_APPEARED, "finding", "/AWSServiceRoleForProfile_b",
                  "orphaned-profile-role");
    const struct cpw_inv_change *link = s_find_change(diff, CPW_INV_CHANGE_CHANGED, "role",
                                                      "/AWSServiceRoleForProfile_b", "linked_arn");
    assert_string_equal(link->before, "arn:aws:profile:us-west-2:111111111111:domains/dom-b");
    assert_null(link->after);

    /* Every format renders; JSON parses with the documented shape; CSV has 9 columns. */
    char *json = s_diff_text(diff, CPW_INV_FORMAT_JSON);
    json_error_t err;
    json_t *root = json_loads(json, 0, &err);
    assert_non_null(root);
    assert_int_equal(json_integer_value(json_object_get(root, "format_version")), 1);
    assert_int_equal(json_array_size(json_object_get(root, "changes")), 6);
    assert_string_equal(
      json_string_value(json_object_get(json_object_get(root, "to"), "scanned_at")),
      "2023-12-15T22:13:20Z");
    json_decref(root);
    char *csv = s_diff_text(diff, CPW_INV_FORMAT_CSV);
    size_t lines = 0;
    for (const char *p = csv; (p = strstr(p, "\r\n")) != NULL; p += 2) {
        lines++;
    }
    assert_int_equal(lines, 7);
    assert_non_null(strstr(csv, "change,type,account,region,arn,kind,field,before,after\r\n"));
    char *md = s_diff_text(diff, CPW_INV_FORMAT_MARKDOWN);
    assert_non_null(strstr(md, "## Summary"));
    assert_non_null(strstr(md, "| Disappeared | 2 |"));
    assert_non_null(strstr(md, "## Changes"));
    char *table = s_diff_text(diff, CPW_INV_FORMAT_TABLE);
    assert_non_null(strstr(table, "- domain   111111111111 us-west-2"));
    assert_non_null(strstr(table, "6 change(s)"));
    cpw_free(json);
    cpw_free(csv);
    cpw_free(md);
    cpw_free(table);

    /* Identical inventories differ in nothing. */
    struct cpw_inventory_diff *none = cpw_inventory_diff_new(latest, latest);
    assert_int_equal(cpw_inventory_diff_count(none), 0);
    cpw_inventory_diff_destroy(none);

    cpw_inventory_diff_destroy(diff);
    cpw_inventory_destroy(latest);
    cpw_inventory_destroy(older);
    cpw_store_destroy(store);
    s_remove_root();
}

/* Field changes: a status, a profile count, a link's confidence and a finding's confidence. */
static void test_diff_field_changes(void **state)
{
    (void)state;
    struct cpw_inventory *before = fx_orphans_story();
    struct cpw_inventory *after = fx_orphans_story();
    fx_error(after, FX_ACCOUNT, FX_REGION_B, "connect", "ListInstances", "ThrottlingException");
    assert_int_equal(cpw_inventory_analyze(before), 0);
    assert_int_equal(cpw_inventory_analyze(after), 0);
    struct cpw_inventory_diff *diff = cpw_inventory_diff_new(before, after);
    const struct cpw_inv_change *c = s_find_change(
      diff, CPW_INV_CHANGE_CHANGED, "finding", "/AWSServiceRoleForAmazonConnect_B", "confidence");
    assert_string_equal(c->kind, "orphaned-connect-role");
    assert_string_equal(c->before, "certain");
    assert_string_equal(c->after, "possible");
    s_find_change(diff, CPW_INV_CHANGE_APPEARED, "error", "", NULL);
    cpw_inventory_diff_destroy(diff);
    cpw_inventory_destroy(after);
    cpw_inventory_destroy(before);

    before = cpw_inventory_new();
    after = cpw_inventory_new();
    fx_instance(before, FX_ACCOUNT, FX_REGION_A, "inst-a", "CREATION_IN_PROGRESS", "R");
    fx_instance(after, FX_ACCOUNT, FX_REGION_A, "inst-a", "ACTIVE", "R");
    fx_domain(before, FX_ACCOUNT, FX_REGION_A, "dom-a", FX_T0, NULL, NULL);
    struct cpw_inv_domain bigger = { .account = FX_ACCOUNT,
                                     .region = FX_REGION_A,
                                     .name = "dom-a",
                                     .created_at_s = FX_T0,
                                     .profile_count = 4200 };
    assert_non_null(cpw_inventory_add_domain(after, &bigger));
    diff = cpw_inventory_diff_new(before, after);
    c = s_find_change(diff, CPW_INV_CHANGE_CHANGED, "instance", ":instance/inst-a", "status");
    assert_string_equal(c->before, "CREATION_IN_PROGRESS");
    assert_string_equal(c->after, "ACTIVE");
    c = s_find_change(diff, CPW_INV_CHANGE_CHANGED, "domain", ":domains/dom-a", "profile_count");
    assert_string_equal(c->before, "42");
    assert_string_equal(c->after, "4200");
    assert_int_equal(cpw_inventory_diff_count(diff), 2);
    cpw_inventory_diff_destroy(diff);
    cpw_inventory_destroy(after);
    cpw_inventory_destroy(before);
}

CPW_TEST_MAIN("store",
              CPW_TEST(test_open_creates_private_files),
              CPW_TEST(test_newer_schema_and_bad_documents_refused),
              CPW_TEST(test_default_dir),
              CPW_TEST(test_snapshots_and_diff),
              CPW_TEST(test_diff_field_changes))
