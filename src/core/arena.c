/*
 * arena.c - bump allocation from a list of chunks, released together.
 */
#include "cpw/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"

#define CHUNK_BYTES 8192u
#define ALIGN_BYTES (alignof(max_align_t))

struct cpw_arena_chunk {
    struct cpw_arena_chunk *next;
    size_t size;
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

void cpw_arena_init(struct cpw_arena *arena, size_t max_bytes)
{
    arena->head = NULL;
    arena->used_bytes = 0;
    arena->max_bytes = max_bytes;
}

void cpw_arena_clean_up(struct cpw_arena *arena)
{
    if (!arena) {
        return;
    }
    struct cpw_arena_chunk *chunk = arena->head;
    while (chunk) {
        struct cpw_arena_chunk *next = chunk->next;
        cpw_free(chunk);
        chunk = next;
    }
    arena->head = NULL;
    arena->used_bytes = 0;
}

void *cpw_arena_alloc(struct cpw_arena *arena, size_t size)
{
    size_t rounded = (size + ALIGN_BYTES - 1) / ALIGN_BYTES * ALIGN_BYTES;
    if (rounded < size || rounded > arena->max_bytes - arena->used_bytes ||
        arena->used_bytes > arena->max_bytes) {
        cpw_raise(CPW_ERR_LIMIT, "request memory limit of %zu bytes reached", arena->max_bytes);
        return NULL;
    }
    struct cpw_arena_chunk *chunk = arena->head;
    if (!chunk || chunk->size - chunk->used < rounded) {
        size_t data_size = rounded > CHUNK_BYTES ? rounded : CHUNK_BYTES;
        chunk = cpw_malloc(sizeof(*chunk) + data_size);
        chunk->size = data_size;
        chunk->used = 0;
        chunk->next = arena->head;
        arena->head = chunk;
    }
    void *p = chunk->data + chunk->used;
    chunk->used += rounded;
    arena->used_bytes += rounded;
    return p;
}

void *cpw_arena_calloc(struct cpw_arena *arena, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        cpw_raise(CPW_ERR_LIMIT, "allocation size overflows");
        return NULL;
    }
    void *p = cpw_arena_alloc(arena, n * size);
    if (p) {
        memset(p, 0, n * size);
    }
    return p;
}

char *cpw_arena_strndup(struct cpw_arena *arena, const char *s, size_t len)
{
    char *copy = cpw_arena_alloc(arena, len + 1);
    if (copy) {
        if (len) {
            memcpy(copy, s, len);
        }
        copy[len] = '\0';
    }
    return copy;
}

char *cpw_arena_span_dup(struct cpw_arena *arena, struct cpw_span span)
{
    return cpw_arena_strndup(arena, (const char *)span.ptr, span.len);
}
