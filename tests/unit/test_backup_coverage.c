/*
 * test_backup_coverage.c - what a backup carries cannot drift from the service: every List* and
 * Get* operation of the embedded Customer Profiles model is either carried by the backup or
 * excluded with a reason (cpw_backup_coverage_at, the one list in code), every name in that list
 * is an operation of the model, and docs/backup-format.md names each operation with it.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/backup.h"
#include "cpw/buf.h"
#include "cpw/json.h"
#include "harness.h"

/* The whole file at the source-relative path, into out (capped). */
static void s_read(const char *relative, struct cpw_buf *out)
{
    char *path = cpw_test_source_path(relative);
    FILE *f = fopen(path, "rb");
    cpw_free(path);
    assert_non_null(f);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        assert_int_equal(cpw_buf_append(out, cpw_span_from(chunk, n)), 0);
    }
    fclose(f);
}

static bool s_is_read_operation(const char *name)
{
    return strncmp(name, "List", 4) == 0 || strncmp(name, "Get", 3) == 0;
}

/* The coverage entry for operation: 1 carried, 0 excluded, -1 not named. */
static int s_lookup(const char *operation, struct cpw_backup_coverage *found)
{
    int carried = -1;
    unsigned seen = 0;
    for (size_t i = 0; i < cpw_backup_coverage_count(); i++) {
        struct cpw_backup_coverage c;
        if (cpw_backup_coverage_at(i, &c) != 0) {
            continue;
        }
        if (strcmp(c.operation, operation) == 0) {
            seen++;
            *found = c;
            carried = c.carried_in ? 1 : 0;
        }
    }
    assert_true(seen <= 1); /* named once: carried or excluded, not both */
    return carried;
}

static void test_every_read_operation_is_carried_or_excluded(void **state)
{
    (void)state;
    struct cpw_buf text;
    cpw_buf_init(&text, 4u * 1024u * 1024u);
    s_read("src/models/customer-profiles.json", &text);
    json_t *model = NULL;
    assert_int_equal(cpw_json_load(cpw_buf_span(&text), text.len, &model), 0);
    const json_t *ops = json_object_get(model, "operations");
    assert_true(json_object_size(ops) > 100);
    unsigned read_ops = 0, carried = 0, excluded = 0;
    const char *name;
    json_t *op;
    json_object_foreach((json_t *)ops, name, op)
    {
        if (!s_is_read_operation(name)) {
            continue;
        }
        read_ops++;
        struct cpw_backup_coverage c;
        int rc = s_lookup(name, &c);
        if (rc < 0) {
            fail_msg("%s reads the domain but the backup neither carries it nor names it as "
                     "excluded (src/warden/backup_coverage.c, docs/backup-format.md)",
                     name);
        }
        if (rc == 0) {
            assert_non_null(c.excluded_because);
            assert_true(strlen(c.excluded_because) > 10);
        }
        carried += rc == 1;
        excluded += rc == 0;
    }
    assert_true(read_ops >= 50); /* the model is the 106-operation one */
    assert_true(carried > 0 && excluded > 0);

    /* Every name in the list is an operation of the model (no stale or misspelt name). */
    for (size_t i = 0; i < cpw_backup_coverage_count(); i++) {
        struct cpw_backup_coverage c;
        int rc = cpw_backup_coverage_at(i, &c);
        assert_true(rc == 0 || rc == 1);
        if (rc == 0 && !json_object_get(ops, c.operation)) {
            fail_msg("coverage names %s, which the model does not have", c.operation);
        }
        if (rc == 0) {
            assert_true(!c.carried_in != !c.excluded_because);
        }
    }
    unsigned entries = 0;
    for (size_t i = 0; i < cpw_backup_coverage_count(); i++) {
        struct cpw_backup_coverage c;
        entries += cpw_backup_coverage_at(i, &c) == 0;
    }
    assert_int_equal(entries, read_ops); /* one entry per read operation, none extra */
    struct cpw_backup_coverage past;
    assert_int_equal(cpw_backup_coverage_at(cpw_backup_coverage_count(), &past), -1);
    json_decref(model);
    cpw_buf_clean_up(&text);
}

static void test_documentation_names_every_operation(void **state)
{
    (void)state;
    struct cpw_buf doc;
    cpw_buf_init(&doc, 1024u * 1024u);
    s_read("docs/backup-format.md", &doc);
    const char *text = cpw_buf_cstr(&doc);
    for (size_t i = 0; i < cpw_backup_coverage_count(); i++) {
        struct cpw_backup_coverage c;
        if (cpw_backup_coverage_at(i, &c) != 0) {
            continue;
        }
        char cell[128];
        snprintf(cell, sizeof(cell), "| `%s` |", c.operation);
        if (!strstr(text, cell)) {
            fail_msg("docs/backup-format.md has no coverage row for %s", c.operation);
        }
    }
    cpw_buf_clean_up(&doc);
}

CPW_TEST_MAIN("backup_coverage",
              CPW_TEST(test_every_read_operation_is_carried_or_excluded),
              CPW_TEST(test_documentation_names_every_operation))
