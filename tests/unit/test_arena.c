/*
 * test_arena.c - the per-request pool: alignment, growth, cap, one release.
 */
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/arena.h"
#include "cpw/error.h"
#include "harness.h"

static void test_alloc_align_and_release(void **state)
{
    (void)state;
    struct cpw_arena arena;
    cpw_arena_init(&arena, 1 << 20);
    size_t before = cpw_alloc_live_count();
    for (int i = 0; i < 1000; i++) {
        char *p = cpw_arena_alloc(&arena, (size_t)(i % 37) + 1);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
        memset(p, 'x', (size_t)(i % 37) + 1);
    }
    char *big = cpw_arena_alloc(&arena, 100000); /* larger than a chunk */
    assert_non_null(big);
    memset(big, 0, 100000);
    char *s = cpw_arena_strndup(&arena, "hello world", 5);
    assert_string_equal(s, "hello");
    int *zeros = cpw_arena_calloc(&arena, 10, sizeof(int));
    assert_non_null(zeros);
    assert_int_equal(zeros[9], 0);
    assert_true(cpw_alloc_live_count() > before);
    cpw_arena_clean_up(&arena);
    assert_int_equal(cpw_alloc_live_count(), before);
}

static void test_cap(void **state)
{
    (void)state;
    struct cpw_arena arena;
    cpw_arena_init(&arena, 1024);
    assert_non_null(cpw_arena_alloc(&arena, 1000));
    assert_null(cpw_arena_alloc(&arena, 100));
    assert_int_equal(cpw_last_error(), CPW_ERR_LIMIT);
    assert_null(cpw_arena_calloc(&arena, SIZE_MAX / 2, 4));
    cpw_arena_clean_up(&arena);
}

CPW_TEST_MAIN("arena", CPW_TEST(test_alloc_align_and_release), CPW_TEST(test_cap))
