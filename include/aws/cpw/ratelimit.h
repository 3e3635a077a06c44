/*
 * ratelimit.h - client-side request rate and concurrency caps, keyed by caller-chosen strings.
 *
 * A registry holds limits by key, e.g. "123456789012/us-east-1/profile/DeleteDomain" (one
 * operation's TPS quota) and "123456789012/us-east-1/profile/ALL" (a service-wide cap). Each limit
 * is a token bucket (rate per second, burst = capacity, full at creation) and/or a cap on calls
 * in flight. A request names the keys it is subject to and is admitted only when every bucket
 * holds a token and every concurrency cap has room; then it takes one token from each bucket and
 * one slot from each cap, all at once. Keys without a limit are ignored.
 *
 * The registry never sleeps and never reads a clock: callers pass the time in milliseconds (any
 * monotonic clock) and receive how long to wait, so the HTTP engine can wait in its poll loop
 * and tests can pin time.
 *
 * Thread-safety: a registry is used by one thread (its engine's).
 */
#ifndef CPW_RATELIMIT_H
#define CPW_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

struct cpw_ratelimit;

enum cpw_ratelimit_verdict {
    CPW_RATELIMIT_ADMIT = 0,     /* tokens and slots taken; release the slots when done */
    CPW_RATELIMIT_WAIT_TIME = 1, /* a bucket is empty; ask again after *wait_ms */
    CPW_RATELIMIT_WAIT_SLOT = 2, /* a concurrency cap is full; ask again after a release */
};

/** A new, empty registry. Owned by the caller; release with cpw_ratelimit_destroy. */
struct cpw_ratelimit *cpw_ratelimit_new(void);

/** Releases the registry. NULL is a no-op. */
void cpw_ratelimit_destroy(struct cpw_ratelimit *rl);

/**
 * Creates or replaces the limit called key (copied). rate_per_s <= 0 means no rate limit (burst
 * ignored); otherwise burst is the bucket size (values below 1 become 1) and the bucket starts
 * full. max_in_flight 0 means no concurrency cap. Replacing a limit keeps its current in-flight
 * count and refills its bucket. Returns 0, or -1 with CPW_ERR_INVALID_ARGUMENT (empty key,
 * rate not finite).
 */
int cpw_ratelimit_set(struct cpw_ratelimit *rl,
                      const char *key,
                      double rate_per_s,
                      double burst,
                      unsigned max_in_flight);

/**
 * Asks to admit one request subject to keys[0..count) at now_ms. ADMIT takes a token from every
 * rate-limited key and a slot from every capped key. WAIT_TIME sets *wait_ms (>= 1) to when the
 * emptiest bucket will hold a token. WAIT_SLOT means a cap is full (*wait_ms set to 0; a token
 * wait is reported first when both apply). Nothing is taken unless ADMIT.
 */
enum cpw_ratelimit_verdict cpw_ratelimit_acquire(struct cpw_ratelimit *rl,
                                                 const char *const *keys,
                                                 size_t count,
                                                 int64_t now_ms,
                                                 int64_t *wait_ms);

/** Gives back the concurrency slots taken by an ADMIT for the same keys. */
void cpw_ratelimit_release(struct cpw_ratelimit *rl, const char *const *keys, size_t count);

/**
 * Forgets the limit called key, so that a long run's registry holds only the keys still in use
 * (a key acquired afterwards is unlimited, as an unknown key is). Returns 0 (also when there is
 * no such key), or -1 with CPW_ERR_INVALID_ARGUMENT while calls are in flight under it (it stays).
 */
int cpw_ratelimit_remove(struct cpw_ratelimit *rl, const char *key);

/** Calls in flight under key (0 for an unknown key). */
unsigned cpw_ratelimit_in_flight(const struct cpw_ratelimit *rl, const char *key);

#endif
