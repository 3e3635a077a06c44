/*
 * alloc.c - the allocation wrapper: plain libc by default, a counting allocator for tests.
 *
 * This is the only file allowed to call malloc/calloc/realloc/free directly (docs/style.md 6).
 * The counting allocator prefixes each block with a 16-byte header holding its size, so frees
 * can be subtracted from the live totals; the totals are atomics, so it works across threads.
 */
#include "cpw/alloc.h"

#include <jansson.h>
#include <libxml/xmlmemory.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_BYTES 16

static bool s_counting;
static atomic_size_t s_live_count;
static atomic_size_t s_live_bytes;
static atomic_size_t s_peak_bytes;

static void s_out_of_memory(size_t size)
{
    fprintf(stderr, "cpwarden: fatal: out of memory allocating %zu bytes\n", size);
    fflush(stderr);
    abort();
}

static void s_count_add(size_t size)
{
    atomic_fetch_add(&s_live_count, 1);
    size_t now = atomic_fetch_add(&s_live_bytes, size) + size;
    size_t peak = atomic_load(&s_peak_bytes);
    while (now > peak && !atomic_compare_exchange_weak(&s_peak_bytes, &peak, now)) {
    }
}

static void s_count_sub(size_t size)
{
    atomic_fetch_sub(&s_live_count, 1);
    atomic_fetch_sub(&s_live_bytes, size);
}

void *cpw_malloc(size_t size)
{
    if (size == 0) {
        size = 1;
    }
    if (!s_counting) {
        void *p = malloc(size);
        if (!p) {
            s_out_of_memory(size);
        }
        return p;
    }
    if (size > SIZE_MAX - HEADER_BYTES) {
        s_out_of_memory(size);
    }
    uint8_t *block = malloc(size + HEADER_BYTES);
    if (!block) {
        s_out_of_memory(size);
    }
    memcpy(block, &size, sizeof(size));
    s_count_add(size);
    return block + HEADER_BYTES;
}

void *cpw_calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        s_out_of_memory(SIZE_MAX);
    }
    void *p = cpw_malloc(n * size);
    memset(p, 0, n * size == 0 ? 1 : n * size);
    return p;
}

void *cpw_realloc(void *ptr, size_t size)
{
    if (!ptr) {
        return cpw_malloc(size);
    }
    if (size == 0) {
        size = 1;
    }
    if (!s_counting) {
        void *p = realloc(ptr, size);
        if (!p) {
            s_out_of_memory(size);
        }
        return p;
    }
    if (size > SIZE_MAX - HEADER_BYTES) {
        s_out_of_memory(size);
    }
    uint8_t *block = (uint8_t *)ptr - HEADER_BYTES;
    size_t old_size;
    memcpy(&old_size, block, sizeof(old_size));
    uint8_t *grown = realloc(block, size + HEADER_BYTES);
    if (!grown) {
        s_out_of_memory(size);
    }
    memcpy(grown, &size, sizeof(size));
    s_count_sub(old_size);
    s_count_add(size);
    return grown + HEADER_BYTES;
}

void cpw_free(void *ptr)
{
    if (!ptr) {
        return;
    }
    if (!s_counting) {
        free(ptr);
        return;
    }
    uint8_t *block = (uint8_t *)ptr - HEADER_BYTES;
    size_t size;
    memcpy(&size, block, sizeof(size));
    s_count_sub(size);
    free(block);
}

char *cpw_strdup(const char *s)
{
    if (!s) {
        return NULL;
    }
    return cpw_strndup(s, strlen(s));
}

char *cpw_strndup(const char *s, size_t len)
{
    char *copy = cpw_malloc(len + 1);
    if (len) {
        memcpy(copy, s, len);
    }
    copy[len] = '\0';
    return copy;
}

void cpw_alloc_use_counting(void)
{
    s_counting = true;
}

size_t cpw_alloc_live_count(void)
{
    return atomic_load(&s_live_count);
}

size_t cpw_alloc_live_bytes(void)
{
    return atomic_load(&s_live_bytes);
}

size_t cpw_alloc_peak_bytes(void)
{
    return atomic_load(&s_peak_bytes);
}

void cpw_alloc_install_library_hooks(void)
{
    json_set_alloc_funcs(cpw_malloc, cpw_free);
    xmlMemSetup(cpw_free, cpw_malloc, cpw_realloc, cpw_strdup);
}
