/*
 * test_ratelimit.c - keyed token buckets and concurrency caps on a caller-supplied (pinned)
 * clock.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "cpw/ratelimit.h"
#include "harness.h"

static void test_bucket_burst_then_rate(void **state)
{
    (void)state;
    struct cpw_ratelimit *rl = cpw_ratelimit_new();
    const char *key = "123456789012/us-east-1/connect/ALL";
    assert_int_equal(cpw_ratelimit_set(rl, key, 2.0, 5.0, 0), 0);
    const char *keys[] = { key };
    int64_t wait = -1;
    /* The bucket starts full: exactly the burst is admitted at once. */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(cpw_ratelimit_acquire(rl, keys, 1, 0, &wait), CPW_RATELIMIT_ADMIT);
    }
    assert_int_equal(cpw_ratelimit_acquire(rl, keys, 1, 0, &wait), CPW_RATELIMIT_WAIT_TIME);
    assert_int_equal(wait, 500); /* one token every 500 ms at 2/s */
    assert_int_equal(cpw_ratelimit_acquire(rl, keys, 1, 499, &wait), CPW_RATELIMIT_WAIT_TIME);
    assert_int_equal(wait, 1);
    /* Then exactly 2 per second, asking every millisecond. */
    for (int second = 0; second < 3; second++) {
        int admitted = 0;
        for (int64_t t = 1000 * second + 1; t <= 1000 * (second + 1); t++) {
            while (cpw_ratelimit_acquire(rl, keys, 1, t, &wait) == CPW_RATELIMIT_ADMIT) {
                admitted++;
            }
        }
        assert_int_equal(admitted, 2);
    }
    /* An idle spell refills to the burst, not beyond. */
    int admitted = 0;
    while (cpw_ratelimit_acquire(rl, keys, 1, 60000, &wait) == CPW_RATELIMIT_ADMIT) {
        admitted++;
    }
    assert_int_equal(admitted, 5);
    cpw_ratelimit_destroy(rl);
}

static void test_concurrency_cap(void **state)
{
    (void)state;
    struct cpw_ratelimit *rl = cpw_ratelimit_new();
    assert_int_equal(cpw_ratelimit_set(rl, "slots", 0, 0, 2), 0);
    const char *keys[] = { "slots" };
    int64_t wait = -1;
    assert_int_equal(cpw_ratelimit_acquire(rl, keys, 1, 0, &wait), CPW_RATELIMIT_ADMIT);
    assert_int_equal(cpw_ratelimit_acquire(rl, keys, 1, 0, &wait), CPW_RATELIMIT_ADMIT);
    assert_int_equal(cpw_ratelimit_in_flight(rl, "slots"), 2);
    assert_int_equal(cpw_ratelimit_acquire(rl, keys, 1, 99999, &wait), CPW_RATELIMIT_WAIT_SLOT);
    assert_int_equal(wait, 0);
    cpw_ratelimit_release(rl, keys, 1);
    assert_int_equal(cpw_ratelimit_in_flight(rl, "slots"), 1);
    assert_int_equal(cpw_ratelimit_acquire(rl, keys, 1, 0, &wait), CPW_RATELIMIT_ADMIT);
    cpw_ratelimit_release(rl, keys, 1);
    cpw_ratelimit_release(rl, keys, 1);
    cpw_ratelimit_release(rl, keys, 1); /* extra releases never go below zero */
    assert_int_equal(cpw_ratelimit_in_flight(rl, "slots"), 0);
    cpw_ratelimit_destroy(rl);
}

/* A removed key is gone (acquiring it is unlimited again); one with calls in flight stays. */
static void test_remove(void **state)
{
    (void)state;
    struct cpw_ratelimit *rl = cpw_ratelimit_new();
    assert_int_equal(cpw_ratelimit_set(rl, "a", 0, 0, 1), 0);
    assert_int_equal(cpw_ratelimit_set(rl, "b", 1, 1, 0), 0);
    const char *a[] = { "a" };
    const char *b[] = { "b" };
    int64_t wait = -1;
    assert_int_equal(cpw_ratelimit_acquire(rl, a, 1, 0, &wait), CPW_RATELIMIT_ADMIT);
    assert_int_equal(cpw_ratelimit_remove(rl, "a"), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    assert_int_equal(cpw_ratelimit_acquire(rl, a, 1, 0, &wait), CPW_RATELIMIT_WAIT_SLOT);
    cpw_ratelimit_release(rl, a, 1);
    assert_int_equal(cpw_ratelimit_remove(rl, "a"), 0);
    assert_int_equal(cpw_ratelimit_remove(rl, "a"), 0); /* absent: nothing to do */
    assert_int_equal(cpw_ratelimit_acquire(rl, a, 1, 0, &wait), CPW_RATELIMIT_ADMIT);
    assert_int_equal(cpw_ratelimit_acquire(rl, a, 1, 0, &wait), CPW_RATELIMIT_ADMIT);
    assert_int_equal(cpw_ratelimit_in_flight(rl, "a"), 0);
    /* The other key in its chain is untouched: its bucket is still empty. */
    assert_int_equal(cpw_ratelimit_acquire(rl, b, 1, 0, &wait), CPW_RATELIMIT_ADMIT);
    cpw_ratelimit_release(rl, b, 1);
    assert_int_equal(cpw_ratelimit_acquire(rl, b, 1, 0, &wait), CPW_RATELIMIT_WAIT_TIME);
    /* Many keys in and out: the registry ends with none of them. */
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        assert_int_equal(cpw_ratelimit_set(rl, key, 0, 0, 1), 0);
    }
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        assert_int_equal(cpw_ratelimit_remove(rl, key), 0);
        const char *k[] = { key };
        assert_int_equal(cpw_ratelimit_acquire(rl, k, 1, 0, &wait), CPW_RATELIMIT_ADMIT);
        assert_int_equal(cpw_ratelimit_in_flight(rl, key), 0);
    }
    cpw_ratelimit_destroy(rl);
}

static void test_all_keys_or_nothing(void **state)
{
    (void)state;
    struct cpw_ratelimit *rl = cpw_ratelimit_new();
    const char *op = "acct/us-east-1/profile/DeleteDomain";
    const char *all = "acct/us-east-1/profile/ALL";
    assert_int_equal(cpw_ratelimit_set(rl, op, 1.0, 1.0, 0), 0);
    assert_int_equal(cpw_ratelimit_set(rl, all, 100.0, 100.0, 10), 0);
    const char *keys[] = { op, all, "no-such-limit" };
    int64_t wait = 0;
    assert_int_equal(cpw_ratelimit_acquire(rl, keys, 3, 0, &wait), CPW_RATELIMIT_ADMIT);
    assert_int_equal(cpw_ratelimit_in_flight(rl, all), 1);
    assert_int_equal(cpw_ratelimit_in_flight(rl, "no-such-limit"), 0);
    /* The per-operation bucket is empty: nothing is taken from the service-wide limit. */
    assert_int_equal(cpw_ratelimit_acquire(rl, keys, 3, 10, &wait), CPW_RATELIMIT_WAIT_TIME);
    assert_int_equal(wait, 990);
    assert_int_equal(cpw_ratelimit_in_flight(rl, all), 1);
    /* A rate wait is reported before a slot wait. */
    assert_int_equal(cpw_ratelimit_set(rl, all, 100.0, 100.0, 1), 0);
    assert_int_equal(cpw_ratelimit_acquire(rl, keys, 3, 20, &wait), CPW_RATELIMIT_WAIT_TIME);
    assert_int_equal(cpw_ratelimit_acquire(rl, keys, 3, 1000, &wait), CPW_RATELIMIT_WAIT_SLOT);
    cpw_ratelimit_release(rl, keys, 3);
    assert_int_equal(cpw_ratelimit_acquire(rl, keys, 3, 1000, &wait), CPW_RATELIMIT_ADMIT);
    /* Keys nobody limited admit freely. */
    const char *free_keys[] = { "x", "y" };
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(cpw_ratelimit_acquire(rl, free_keys, 2, 0, &wait), CPW_RATELIMIT_ADMIT);
    }
    assert_int_equal(cpw_ratelimit_acquire(rl, NULL, 0, 0, &wait), CPW_RATELIMIT_ADMIT);
    cpw_ratelimit_destroy(rl);
}

static void test_set_validation_and_replace(void **state)
{
    (void)state;
    struct cpw_ratelimit *rl = cpw_ratelimit_new();
    assert_int_equal(cpw_ratelimit_set(rl, "", 1, 1, 0), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    assert_int_equal(cpw_ratelimit_set(rl, NULL, 1, 1, 0), -1);
    assert_int_equal(cpw_ratelimit_set(rl, "k", 1.0 / 0.0, 1, 0), -1);
    /* A fractional burst still admits one request. */
    assert_int_equal(cpw_ratelimit_set(rl, "k", 0.5, 0.2, 1), 0);
    const char *keys[] = { "k" };
    int64_t wait = 0;
    assert_int_equal(cpw_ratelimit_acquire(rl, keys, 1, 0, &wait), CPW_RATELIMIT_ADMIT);
    assert_int_equal(cpw_ratelimit_acquire(rl, keys, 1, 0, &wait), CPW_RATELIMIT_WAIT_TIME);
    assert_int_equal(wait, 2000);
    /* Replacing keeps the in-flight count and refills the bucket. */
    assert_int_equal(cpw_ratelimit_set(rl, "k", 10, 3, 2), 0);
    assert_int_equal(cpw_ratelimit_in_flight(rl, "k"), 1);
    assert_int_equal(cpw_ratelimit_acquire(rl, keys, 1, 0, &wait), CPW_RATELIMIT_ADMIT);
    assert_int_equal(cpw_ratelimit_acquire(rl, keys, 1, 0, &wait), CPW_RATELIMIT_WAIT_SLOT);
    /* Many keys live side by side. */
    char name[32];
    for (int i = 0; i < 600; i++) {
        snprintf(name, sizeof(name), "key-%d", i);
        assert_int_equal(cpw_ratelimit_set(rl, name, 0, 0, (unsigned)i + 1), 0);
    }
    const char *k599[] = { "key-599" };
    assert_int_equal(cpw_ratelimit_acquire(rl, k599, 1, 0, &wait), CPW_RATELIMIT_ADMIT);
    assert_int_equal(cpw_ratelimit_in_flight(rl, "key-599"), 1);
    cpw_ratelimit_destroy(rl);
    cpw_ratelimit_destroy(NULL);
}

CPW_TEST_MAIN("ratelimit",
              CPW_TEST(test_bucket_burst_then_rate),
              CPW_TEST(test_concurrency_cap),
              CPW_TEST(test_remove),
              CPW_TEST(test_all_keys_or_nothing),
              CPW_TEST(test_set_validation_and_replace))
