/*
 * harness.c - leak-checking setup/teardown for cmocka tests.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/log.h"
#include "cpw/model.h"
#include "cpw/time.h"

static size_t s_live_before;

int cpw_test_setup(void **state)
{
    (void)state;
    cpw_error_clear();
    cpw_time_pin_ms(-1);
    s_live_before = cpw_alloc_live_count();
    return 0;
}

int cpw_test_teardown(void **state)
{
    (void)state;
    cpw_time_pin_ms(-1);
    cpw_model_clean_up();     /* the models are process-lifetime caches, not leaks; */
    cpw_log_forget_secrets(); /* so are the secrets registered with the log redactor, */
    xmlResetLastError();      /* and libxml2's copy of its last parse error */
    size_t live = cpw_alloc_live_count();
    if (live != s_live_before) {
        fprintf(stderr, "leak: %zu allocation(s) (%zu bytes live) not released by the test\n",
                live - s_live_before, cpw_alloc_live_bytes());
        return -1;
    }
    return 0;
}

int cpw_test_run(const char *group, const struct CMUnitTest *tests, size_t count)
{
    cpw_alloc_use_counting();
    cpw_alloc_install_library_hooks();
    xmlInitParser(); /* libxml2's global tables, made once, before any test's baseline */
    int failures = _cmocka_run_group_tests(group, tests, count, NULL, NULL);
    xmlCleanupParser();
    return failures;
}

char *cpw_test_source_path(const char *relative)
{
    const char *root = getenv("CPW_SOURCE_DIR");
    if (!root) {
        root = ".";
    }
    size_t len = strlen(root) + 1 + strlen(relative) + 1;
    char *path = cpw_malloc(len);
    snprintf(path, len, "%s/%s", root, relative);
    return path;
}
