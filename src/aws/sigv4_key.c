/*
 * sigv4_key.c - SigV4 signing key derivation and a small thread-safe cache of derived keys.
 *
 * The key depends only on (secret, date, region, service), so a client signing many requests
 * and a server verifying them derive it once per day and scope. Entries also hold a SHA-256 of
 * the secret: a secret that changed for the same access key id is a miss, never a stale key.
 * Keys are wiped when evicted and when the cache is destroyed.
 */
#include <pthread.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/sigv4.h"

int cpw_sigv4_derive_key(struct cpw_span secret,
                         struct cpw_span date,
                         struct cpw_span region,
                         struct cpw_span service,
                         uint8_t out[CPW_SHA256_LEN])
{
    int rc = -1;
    struct cpw_buf seed;
    uint8_t k[CPW_SHA256_LEN];
    cpw_buf_init(&seed, 4 + secret.len);
    if (cpw_buf_append_cstr(&seed, "AWS4") || cpw_buf_append(&seed, secret)) {
        goto cleanup;
    }
    /* SigV4: kDate = HMAC("AWS4"+secret, date), kRegion, kService, kSigning = "aws4_request". */
    if (cpw_hmac_sha256(cpw_buf_span(&seed), date, k) ||
        cpw_hmac_sha256(cpw_span_from(k, sizeof(k)), region, k) ||
        cpw_hmac_sha256(cpw_span_from(k, sizeof(k)), service, k) ||
        cpw_hmac_sha256(cpw_span_from(k, sizeof(k)), cpw_span_from_cstr("aws4_request"), out)) {
        goto cleanup;
    }
    rc = 0;
cleanup:
    cpw_buf_clean_up_secure(&seed);
    cpw_secure_zero(k, sizeof(k));
    return rc;
}

struct key_entry {
    bool used;
    uint64_t last_used;
    char access_key_id[CPW_SIGV4_AKID_MAX + 1];
    char date[9];
    char region[CPW_SIGV4_SCOPE_PART_MAX + 1];
    char service[CPW_SIGV4_SCOPE_PART_MAX + 1];
    uint8_t secret_digest[CPW_SHA256_LEN];
    uint8_t key[CPW_SHA256_LEN];
};

struct cpw_sigv4_key_cache {
    pthread_mutex_t lock;
    struct key_entry *entries;
    size_t capacity;
    uint64_t tick;
    size_t hits;
    size_t misses;
};

struct cpw_sigv4_key_cache *cpw_sigv4_key_cache_new(size_t capacity)
{
    struct cpw_sigv4_key_cache *cache = cpw_calloc(1, sizeof(*cache));
    cache->capacity = capacity ? capacity : 16;
    cache->entries = cpw_calloc(cache->capacity, sizeof(*cache->entries));
    pthread_mutex_init(&cache->lock, NULL);
    return cache;
}

void cpw_sigv4_key_cache_destroy(struct cpw_sigv4_key_cache *cache)
{
    if (!cache) {
        return;
    }
    if (cache->entries) {
        cpw_secure_zero(cache->entries, cache->capacity * sizeof(*cache->entries));
        cpw_free(cache->entries);
    }
    pthread_mutex_destroy(&cache->lock);
    cpw_free(cache);
}

void cpw_sigv4_key_cache_stats(struct cpw_sigv4_key_cache *cache, size_t *hits, size_t *misses)
{
    pthread_mutex_lock(&cache->lock);
    *hits = cache->hits;
    *misses = cache->misses;
    pthread_mutex_unlock(&cache->lock);
}

static bool s_fits(struct cpw_span s, size_t cap)
{
    return s.len < cap && memchr(s.ptr ? (const void *)s.ptr : "", '\0', s.len) == NULL;
}

static void s_copy(char *dst, struct cpw_span s)
{
    if (s.len) {
        memcpy(dst, s.ptr, s.len);
    }
    dst[s.len] = '\0';
}

int cpw_sigv4_key_cache_get(struct cpw_sigv4_key_cache *cache,
                            struct cpw_span access_key_id,
                            struct cpw_span secret,
                            struct cpw_span date,
                            struct cpw_span region,
                            struct cpw_span service,
                            uint8_t out[CPW_SHA256_LEN])
{
    struct key_entry probe;
    if (!cache || !s_fits(access_key_id, sizeof(probe.access_key_id)) ||
        !s_fits(date, sizeof(probe.date)) || !s_fits(region, sizeof(probe.region)) ||
        !s_fits(service, sizeof(probe.service))) {
        return cpw_sigv4_derive_key(secret, date, region, service, out);
    }
    uint8_t digest[CPW_SHA256_LEN];
    if (cpw_sha256(secret, digest)) {
        return -1;
    }
    pthread_mutex_lock(&cache->lock);
    cache->tick++;
    struct key_entry *victim = &cache->entries[0];
    for (size_t i = 0; i < cache->capacity; i++) {
        struct key_entry *e = &cache->entries[i];
        if (e->used && cpw_span_eq_cstr(access_key_id, e->access_key_id) &&
            cpw_span_eq_cstr(date, e->date) && cpw_span_eq_cstr(region, e->region) &&
            cpw_span_eq_cstr(service, e->service) &&
            cpw_ct_equal(cpw_span_from(digest, sizeof(digest)),
                         cpw_span_from(e->secret_digest, sizeof(e->secret_digest)))) {
            memcpy(out, e->key, CPW_SHA256_LEN);
            e->last_used = cache->tick;
            cache->hits++;
            pthread_mutex_unlock(&cache->lock);
            return 0;
        }
        if (!e->used || (victim->used && e->last_used < victim->last_used)) {
            victim = e;
        }
    }
    cache->misses++;
    pthread_mutex_unlock(&cache->lock);

    if (cpw_sigv4_derive_key(secret, date, region, service, out)) {
        return -1;
    }
    pthread_mutex_lock(&cache->lock);
    /* Another thread may have used the victim meanwhile; overwriting it is still correct. */
    cpw_secure_zero(victim, sizeof(*victim));
    victim->used = true;
    victim->last_used = cache->tick;
    s_copy(victim->access_key_id, access_key_id);
    s_copy(victim->date, date);
    s_copy(victim->region, region);
    s_copy(victim->service, service);
    memcpy(victim->secret_digest, digest, sizeof(digest));
    memcpy(victim->key, out, CPW_SHA256_LEN);
    pthread_mutex_unlock(&cache->lock);
    return 0;
}
