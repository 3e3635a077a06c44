/*
 * ratelimit.c - keyed token buckets and concurrency caps (see ratelimit.h), in a small chained
 * hash table. Time comes from the caller, so this file never sleeps and never reads a clock.
 */
#include "cpw/ratelimit.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"

#define S_BUCKET_COUNT 1024u

struct s_limit {
    struct s_limit *next;
    char *key;
    double rate_per_s; /* <= 0: no rate limit */
    double burst;
    double tokens;
    int64_t last_refill_ms;
    bool refilled_once;
    unsigned max_in_flight; /* 0: no cap */
    unsigned in_flight;
};

struct cpw_ratelimit {
    struct s_limit *buckets[S_BUCKET_COUNT];
};

static uint32_t s_hash(const char *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h = (h ^ *p) * 16777619u;
    }
    return h;
}

static struct s_limit *s_find(const struct cpw_ratelimit *rl, const char *key)
{
    if (!key) {
        return NULL;
    }
    for (struct s_limit *l = rl->buckets[s_hash(key) % S_BUCKET_COUNT]; l; l = l->next) {
        if (strcmp(l->key, key) == 0) {
            return l;
        }
    }
    return NULL;
}

struct cpw_ratelimit *cpw_ratelimit_new(void)
{
    return cpw_calloc(1, sizeof(struct cpw_ratelimit));
}

void cpw_ratelimit_destroy(struct cpw_ratelimit *rl)
{
    if (!rl) {
        return;
    }
    for (size_t i = 0; i < S_BUCKET_COUNT; i++) {
        struct s_limit *l = rl->buckets[i];
        while (l) {
            struct s_limit *next = l->next;
            cpw_free(l->key);
            cpw_free(l);
            l = next;
        }
    }
    cpw_free(rl);
}

int cpw_ratelimit_set(struct cpw_ratelimit *rl,
                      const char *key,
                      double rate_per_s,
                      double burst,
                      unsigned max_in_flight)
{
    if (!rl || !key || !key[0]) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "a rate limit needs a non-empty key");
    }
    if (!isfinite(rate_per_s) || !isfinite(burst)) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "rate limit '%s' is not finite", key);
    }
    struct s_limit *l = s_find(rl, key);
    if (!l) {
        l = cpw_calloc(1, sizeof(*l));
        l->key = cpw_strdup(key);
        uint32_t slot = s_hash(key) % S_BUCKET_COUNT;
        l->next = rl->buckets[slot];
        rl->buckets[slot] = l;
    }
    l->rate_per_s = rate_per_s > 0 ? rate_per_s : 0;
    l->burst = burst >= 1.0 ? burst : 1.0;
    l->tokens = l->burst;
    l->refilled_once = false;
    l->max_in_flight = max_in_flight;
    return 0;
}

int cpw_ratelimit_remove(struct cpw_ratelimit *rl, const char *key)
{
    if (!rl || !key) {
        return 0;
    }
    struct s_limit **at = &rl->buckets[s_hash(key) % S_BUCKET_COUNT];
    while (*at && strcmp((*at)->key, key) != 0) {
        at = &(*at)->next;
    }
    struct s_limit *l = *at;
    if (!l) {
        return 0;
    }
    if (l->in_flight > 0) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "rate limit '%s' has %u call(s) in flight", key,
                         l->in_flight);
    }
    *at = l->next;
    cpw_free(l->key);
    cpw_free(l);
    return 0;
}

static void s_refill(struct s_limit *l, int64_t now_ms)
{
    if (!l->refilled_once) {
        l->refilled_once = true;
        l->last_refill_ms = now_ms;
        return;
    }
    if (now_ms > l->last_refill_ms) {
        double earned = (double)(now_ms - l->last_refill_ms) * l->rate_per_s / 1000.0;
        l->tokens = fmin(l->burst, l->tokens + earned);
        l->last_refill_ms = now_ms;
    }
}

enum cpw_ratelimit_verdict cpw_ratelimit_acquire(struct cpw_ratelimit *rl,
                                                 const char *const *keys,
                                                 size_t count,
                                                 int64_t now_ms,
                                                 int64_t *wait_ms)
{
    int64_t longest_wait_ms = 0;
    bool slot_full = false;
    *wait_ms = 0;
    for (size_t i = 0; i < count; i++) {
        struct s_limit *l = s_find(rl, keys[i]);
        if (!l) {
            continue;
        }
        if (l->rate_per_s > 0) {
            s_refill(l, now_ms);
            /* A small epsilon keeps float dust from costing a whole extra millisecond. */
            if (l->tokens < 1.0 - 1e-9) {
                int64_t w = (int64_t)ceil((1.0 - l->tokens) * 1000.0 / l->rate_per_s - 1e-6);
                if (w < 1) {
                    w = 1;
                }
                if (w > longest_wait_ms) {
                    longest_wait_ms = w;
                }
            }
        }
        if (l->max_in_flight > 0 && l->in_flight >= l->max_in_flight) {
            slot_full = true;
        }
    }
    if (longest_wait_ms > 0) {
        *wait_ms = longest_wait_ms;
        return CPW_RATELIMIT_WAIT_TIME;
    }
    if (slot_full) {
        return CPW_RATELIMIT_WAIT_SLOT;
    }
    for (size_t i = 0; i < count; i++) {
        struct s_limit *l = s_find(rl, keys[i]);
        if (!l) {
            continue;
        }
        if (l->rate_per_s > 0) {
            l->tokens = fmax(0.0, l->tokens - 1.0);
        }
        l->in_flight++;
    }
    return CPW_RATELIMIT_ADMIT;
}

void cpw_ratelimit_release(struct cpw_ratelimit *rl, const char *const *keys, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        struct s_limit *l = s_find(rl, keys[i]);
        if (l && l->in_flight > 0) {
            l->in_flight--;
        }
    }
}

unsigned cpw_ratelimit_in_flight(const struct cpw_ratelimit *rl, const char *key)
{
    const struct s_limit *l = s_find(rl, key);
    return l ? l->in_flight : 0;
}
