/*
 * harness.h - what every cmocka test binary of cpwarden shares.
 *
 * CPW_TEST(fn) registers a test that runs on the counting allocator and fails if it leaves any
 * allocation behind. cpw_test_main() switches the allocator, routes library allocations through
 * it, and runs the group. Include this instead of cmocka.h.
 */
#ifndef CPW_TEST_HARNESS_H
#define CPW_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

int cpw_test_setup(void **state);
int cpw_test_teardown(void **state);

#define CPW_TEST(fn) cmocka_unit_test_setup_teardown(fn, cpw_test_setup, cpw_test_teardown)

/** Runs the tests on the counting allocator; returns the number of failures. */
int cpw_test_run(const char *group, const struct CMUnitTest *tests, size_t count);

#define CPW_TEST_MAIN(group, ...)                                                                  \
    int main(void)                                                                                 \
    {                                                                                              \
        const struct CMUnitTest tests_[] = { __VA_ARGS__ };                                        \
        return cpw_test_run(group, tests_, sizeof(tests_) / sizeof(tests_[0]));                    \
    }

/** Path of a file under the source tree (CPW_SOURCE_DIR); owned by the caller (cpw_free). */
char *cpw_test_source_path(const char *relative);

/** Skips the current test with a message printed on stdout. */
#define CPW_TEST_SKIP(...)                                                                         \
    do {                                                                                           \
        print_message(__VA_ARGS__);                                                                \
        skip();                                                                                    \
    } while (0)

#endif
