/*
 * alloc.h - the one allocation wrapper of libcpw.
 *
 * Every allocation in cpwarden goes through these functions. They never return NULL: on
 * out-of-memory they print one line to stderr and abort(), because a command-line tool and a
 * local emulator have nothing better to do. Tests switch the process to the counting allocator
 * (before the first allocation) to find leaks; third-party libraries that accept allocator hooks
 * (jansson, libxml2, libcurl) are routed here by cpw_alloc_install_library_hooks().
 *
 * Thread-safety: all functions are thread-safe. cpw_alloc_use_counting() must be called before any
 * allocation and before threads start.
 */
#ifndef CPW_ALLOC_H
#define CPW_ALLOC_H

#include <stddef.h>

/** Allocates size bytes (at least 1). Owned by the caller; release with cpw_free(). */
void *cpw_malloc(size_t size);

/** Allocates n * size zeroed bytes; aborts on overflow or out-of-memory. Owned by the caller. */
void *cpw_calloc(size_t n, size_t size);

/**
 * Resizes ptr (which may be NULL) to size bytes. On return the old pointer is invalid and the
 * returned one is owned by the caller.
 */
void *cpw_realloc(void *ptr, size_t size);

/** Releases memory from this wrapper. NULL is a no-op. */
void cpw_free(void *ptr);

/** Duplicates a NUL-terminated string. Owned by the caller. NULL in, NULL out. */
char *cpw_strdup(const char *s);

/** Duplicates len bytes of s and terminates the copy with NUL. Owned by the caller. */
char *cpw_strndup(const char *s, size_t len);

/**
 * Switches the process to the counting allocator, which tracks live allocations and bytes so
 * tests can assert that nothing leaked. Call once, before the first allocation.
 */
void cpw_alloc_use_counting(void);

/** Number of live allocations (counting allocator only; 0 otherwise). */
size_t cpw_alloc_live_count(void);

/** Bytes in live allocations (counting allocator only; 0 otherwise). */
size_t cpw_alloc_live_bytes(void);

/** Peak bytes ever live at once (counting allocator only; 0 otherwise). */
size_t cpw_alloc_peak_bytes(void);

/**
 * Routes jansson's and libxml2's allocations through this wrapper, so the counting allocator
 * sees them. Call once at start-up, before threads and before either library is used.
 */
void cpw_alloc_install_library_hooks(void);

#endif
