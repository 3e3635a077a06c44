/*
 * arena.h - a per-request memory pool (docs/style.md 9): many small allocations, one release.
 *
 * Allocations come from chunks obtained through cpw_malloc; cpw_arena_clean_up() releases them
 * all at once. An arena has a byte cap: past it, allocation fails with CPW_ERR_LIMIT (so a hostile
 * request cannot make the server allocate without bound). Not thread-safe: one arena serves one
 * request on one thread at a time.
 */
#ifndef CPW_ARENA_H
#define CPW_ARENA_H

#include <stddef.h>

#include "cpw/buf.h"

struct cpw_arena_chunk;

struct cpw_arena {
    struct cpw_arena_chunk *head;
    size_t used_bytes; /* bytes handed out, for the cap */
    size_t max_bytes;
};

/** Prepares an empty arena that hands out at most max_bytes. Allocates nothing yet. */
void cpw_arena_init(struct cpw_arena *arena, size_t max_bytes);

/** Releases every chunk; the arena is empty and reusable. NULL is a no-op. */
void cpw_arena_clean_up(struct cpw_arena *arena);

/**
 * Returns size bytes aligned for any type, owned by the arena (freed by clean_up), or NULL with
 * CPW_ERR_LIMIT past the cap. Memory is not zeroed.
 */
void *cpw_arena_alloc(struct cpw_arena *arena, size_t size);

/** Zeroed allocation of n * size bytes (overflow-checked). NULL past the cap. */
void *cpw_arena_calloc(struct cpw_arena *arena, size_t n, size_t size);

/** Copies len bytes of s plus a NUL into the arena. NULL past the cap. */
char *cpw_arena_strndup(struct cpw_arena *arena, const char *s, size_t len);

/** Copies a span into the arena as a NUL-terminated string. NULL past the cap. */
char *cpw_arena_span_dup(struct cpw_arena *arena, struct cpw_span span);

#endif
