/*
 * test_retry.c - retry modes and their parsing, backoff with an injected random source, the
 * retry quota, and the adaptive limiter against the AWS SDK's published algorithm.
 */
#include <math.h>
#include <string.h>

#include "cpw/error.h"
#include "cpw/retry.h"
#include "harness.h"

static void test_mode_parse_and_defaults(void **state)
{
    (void)state;
    enum cpw_retry_mode mode = CPW_RETRY_MODE_LEGACY;
    assert_int_equal(cpw_retry_mode_parse("standard", &mode), 0);
    assert_int_equal(mode, CPW_RETRY_MODE_STANDARD);
    assert_int_equal(cpw_retry_mode_parse("Adaptive", &mode), -1); /* case-sensitive, as botocore */
    assert_int_equal(cpw_retry_mode_parse("adaptive", &mode), 0);
    assert_int_equal(mode, CPW_RETRY_MODE_ADAPTIVE);
    assert_int_equal(cpw_retry_mode_parse("legacy", &mode), 0);
    assert_int_equal(mode, CPW_RETRY_MODE_LEGACY);
    assert_int_equal(cpw_retry_mode_parse("fast", &mode), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_CONFIG);
    assert_int_equal(mode, CPW_RETRY_MODE_LEGACY); /* untouched on failure */
    assert_int_equal(cpw_retry_mode_parse(NULL, &mode), -1);
    assert_string_equal(cpw_retry_mode_name(CPW_RETRY_MODE_ADAPTIVE), "adaptive");

    assert_int_equal(cpw_retry_default_max_attempts(CPW_RETRY_MODE_LEGACY), 5);
    assert_int_equal(cpw_retry_default_max_attempts(CPW_RETRY_MODE_STANDARD), 3);
    assert_int_equal(cpw_retry_default_max_attempts(CPW_RETRY_MODE_ADAPTIVE), 3);
    struct cpw_retry_options zero = { 0 };
    assert_int_equal(zero.mode, CPW_RETRY_MODE_STANDARD);
    assert_int_equal(cpw_retry_effective_max_attempts(&zero), 3);
    struct cpw_retry_options seven = { .max_attempts = 7 };
    assert_int_equal(cpw_retry_effective_max_attempts(&seven), 7);

    unsigned n = 0;
    assert_int_equal(cpw_retry_max_attempts_parse("1", &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(cpw_retry_max_attempts_parse("10", &n), 0);
    assert_int_equal(n, 10);
    assert_int_equal(cpw_retry_max_attempts_parse("0", &n), -1);
    assert_int_equal(cpw_retry_max_attempts_parse("-1", &n), -1);
    assert_int_equal(cpw_retry_max_attempts_parse("3x", &n), -1);
    assert_int_equal(cpw_retry_max_attempts_parse("", &n), -1);
    assert_int_equal(n, 10);
}

static void test_backoff_bounds(void **state)
{
    (void)state;
    /* random 1.0 gives the ceiling: base * 2^(attempt-1), capped at 20 s. */
    assert_int_equal(cpw_retry_backoff_ms(0, 0, 1, 1.0), 1000);
    assert_int_equal(cpw_retry_backoff_ms(0, 0, 2, 1.0), 2000);
    assert_int_equal(cpw_retry_backoff_ms(0, 0, 3, 1.0), 4000);
    assert_int_equal(cpw_retry_backoff_ms(0, 0, 5, 1.0), 16000);
    assert_int_equal(cpw_retry_backoff_ms(0, 0, 6, 1.0), 20000);
    assert_int_equal(cpw_retry_backoff_ms(0, 0, 1000, 1.0), 20000); /* no overflow */
    /* Full jitter: the delay scales with the random draw, from 0 up. */
    assert_int_equal(cpw_retry_backoff_ms(0, 0, 3, 0.0), 0);
    assert_int_equal(cpw_retry_backoff_ms(0, 0, 3, 0.5), 2000);
    assert_int_equal(cpw_retry_backoff_ms(0, 0, 3, 0.25), 1000);
    /* Out-of-range draws are clamped. */
    assert_int_equal(cpw_retry_backoff_ms(0, 0, 2, 7.0), 2000);
    assert_int_equal(cpw_retry_backoff_ms(0, 0, 2, -1.0), 0);
    assert_int_equal(cpw_retry_backoff_ms(0, 0, 2, NAN), 0);
    /* Test-sized bases and caps. */
    assert_int_equal(cpw_retry_backoff_ms(10, 0, 4, 1.0), 80);
    assert_int_equal(cpw_retry_backoff_ms(10, 50, 4, 1.0), 50);

    /* The default random source stays in [0, 1) and the delay within bounds. */
    struct cpw_retry_options o = { 0 };
    for (int i = 0; i < 200; i++) {
        double r = cpw_retry_random(&o);
        assert_true(r >= 0.0 && r < 1.0);
        int64_t d = cpw_retry_backoff_ms(0, 0, 2, r);
        assert_true(d >= 0 && d <= 2000);
    }
}

static void test_retry_after_hint(void **state)
{
    (void)state;
    /* max(backoff, min(hint, backoff + 5 s)) */
    assert_int_equal(cpw_retry_apply_hint_ms(100, cpw_span_from_cstr("300")), 300);
    assert_int_equal(cpw_retry_apply_hint_ms(400, cpw_span_from_cstr("300")), 400);
    assert_int_equal(cpw_retry_apply_hint_ms(100, cpw_span_from_cstr("60000")), 5100);
    assert_int_equal(cpw_retry_apply_hint_ms(0, cpw_span_from_cstr("0")), 0);
    /* Missing or malformed hints change nothing and raise nothing. */
    assert_int_equal(cpw_retry_apply_hint_ms(250, cpw_span_from_cstr(NULL)), 250);
    assert_int_equal(cpw_retry_apply_hint_ms(250, cpw_span_from_cstr("-5")), 250);
    assert_int_equal(cpw_retry_apply_hint_ms(250, cpw_span_from_cstr("soon")), 250);
    assert_int_equal(cpw_retry_apply_hint_ms(250, cpw_span_from_cstr("99999999999999999999")), 250);
    assert_int_equal(cpw_last_error(), CPW_ERR_NONE);
}

static double s_fixed_random(void *user)
{
    return *(const double *)user;
}

static void test_injected_random(void **state)
{
    (void)state;
    double value = 0.75;
    struct cpw_retry_options o = { .random = s_fixed_random, .random_user = &value };
    assert_true(cpw_retry_random(&o) == 0.75);
    assert_int_equal(
      cpw_retry_backoff_ms(o.backoff_base_ms, o.max_backoff_ms, 2, cpw_retry_random(&o)), 1500);
}

static void test_quota(void **state)
{
    (void)state;
    struct cpw_retry_quota q;
    cpw_retry_quota_init(&q, 0);
    assert_int_equal(q.available, 500);
    unsigned granted = 0;
    while (cpw_retry_quota_acquire(&q, CPW_RETRY_QUOTA_COST)) {
        granted++;
    }
    assert_int_equal(granted, 100); /* 500 / 5 */
    assert_int_equal(q.available, 0);
    cpw_retry_quota_release(&q, CPW_RETRY_QUOTA_NO_RETRY_REFUND);
    assert_int_equal(q.available, 1);
    assert_false(cpw_retry_quota_acquire(&q, CPW_RETRY_QUOTA_COST));
    assert_int_equal(q.available, 1); /* a refused acquire takes nothing */
    cpw_retry_quota_release(&q, 1000);
    assert_int_equal(q.available, 500); /* never above the initial capacity */

    cpw_retry_quota_init(&q, 12);
    assert_true(cpw_retry_quota_acquire(&q, CPW_RETRY_QUOTA_TIMEOUT_COST));
    assert_false(cpw_retry_quota_acquire(&q, CPW_RETRY_QUOTA_COST));
    assert_int_equal(q.available, 2);
}

/*
 * Expected fill rates computed with the AWS SDK for Python's published limiter (bucket,
 * RateClocker and CubicCalculator) on a fake clock, for the same sequence of answers.
 */
static void test_adaptive_limiter_follows_cubic(void **state)
{
    (void)state;
    static const struct {
        int64_t t_ms;
        bool throttled;
        double fill_rate;
        double measured;
        bool enabled;
    } steps[] = {
        { 100, false, 0.5, 0.0, false },
        { 600, false, 0.5, 3.2, false },
        { 1100, false, 0.5324000000000002, 2.24, false },
        { 1600, false, 1.6384000000000005, 2.048, false },
        { 2100, true, 1.4067199999999997, 2.0096, true },
        { 2600, false, 1.9014934627547708, 2.00192, true },
        { 3100, false, 2.00834120791197, 2.000384, true },
        { 3600, true, 1.4000537599999998, 2.0000768, true },
        { 4600, false, 1.9988641772058193, 1.20001536, true },
        { 6000, false, 1.5466728106666665, 0.7733364053333333, true },
    };
    struct cpw_adaptive_limiter l;
    cpw_adaptive_limiter_init(&l, 0);
    assert_int_equal(cpw_adaptive_limiter_acquire(&l, 0), 0); /* off until throttled */
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        cpw_adaptive_limiter_update(&l, steps[i].throttled, steps[i].t_ms);
        assert_true(fabs(l.fill_rate - steps[i].fill_rate) < 1e-9);
        assert_true(fabs(l.measured_rate - steps[i].measured) < 1e-9);
        assert_int_equal(l.enabled, steps[i].enabled);
    }
}

static void test_adaptive_limiter_paces_after_throttle(void **state)
{
    (void)state;
    struct cpw_adaptive_limiter l;
    cpw_adaptive_limiter_init(&l, 0);
    /* A throttle with no measured rate drops the fill rate to the 0.5/s floor. */
    cpw_adaptive_limiter_update(&l, true, 10);
    assert_true(l.enabled);
    assert_true(fabs(l.fill_rate - 0.5) < 1e-12);
    assert_true(fabs(l.max_capacity - 1.0) < 1e-12);
    /* The bucket starts empty: the first token is 2 s away at 0.5/s. */
    int64_t wait = cpw_adaptive_limiter_acquire(&l, 10);
    assert_int_equal(wait, 2000);
    assert_int_equal(cpw_adaptive_limiter_acquire(&l, 1010), 1000);
    assert_int_equal(cpw_adaptive_limiter_acquire(&l, 2010), 0);
    assert_true(cpw_adaptive_limiter_acquire(&l, 2010) > 0); /* one token, one request */
}

CPW_TEST_MAIN("retry",
              CPW_TEST(test_mode_parse_and_defaults),
              CPW_TEST(test_backoff_bounds),
              CPW_TEST(test_injected_random),
              CPW_TEST(test_retry_after_hint),
              CPW_TEST(test_quota),
              CPW_TEST(test_adaptive_limiter_follows_cubic),
              CPW_TEST(test_adaptive_limiter_paces_after_throttle))
