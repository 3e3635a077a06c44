/*
 * retry.c - AWS retry modes: names, defaults, backoff with full jitter, the retry quota and the
 * adaptive mode's CUBIC client-side rate limiter (behaviour as published by the AWS SDKs; see
 * retry.h for the numbers).
 */
#include "cpw/retry.h"

#include <math.h>
#include <strings.h>

#include "cpw/buf.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include <string.h>

/* Adaptive mode constants (AWS SDKs' client-side rate limiting). */
#define S_MIN_FILL_RATE      0.5
#define S_CUBIC_BETA         0.7
#define S_CUBIC_SCALE        0.4
#define S_MAX_RATE_SCALE     2.0
#define S_METER_SMOOTHING    0.8
#define S_METER_BUCKET_S     0.5
#define S_MAX_ATTEMPTS_LIMIT 100u

int cpw_retry_mode_parse(const char *name, enum cpw_retry_mode *mode)
{
    if (name && strcmp(name, "standard") == 0) {
        *mode = CPW_RETRY_MODE_STANDARD;
    } else if (name && strcmp(name, "legacy") == 0) {
        *mode = CPW_RETRY_MODE_LEGACY;
    } else if (name && strcmp(name, "adaptive") == 0) {
        *mode = CPW_RETRY_MODE_ADAPTIVE;
    } else {
        return cpw_raise(CPW_ERR_CONFIG, "retry mode '%s' is not legacy, standard or adaptive",
                         name ? name : "");
    }
    return 0;
}

const char *cpw_retry_mode_name(enum cpw_retry_mode mode)
{
    switch (mode) {
    case CPW_RETRY_MODE_LEGACY:
        return "legacy";
    case CPW_RETRY_MODE_ADAPTIVE:
        return "adaptive";
    case CPW_RETRY_MODE_STANDARD:
    default:
        return "standard";
    }
}

unsigned cpw_retry_default_max_attempts(enum cpw_retry_mode mode)
{
    return mode == CPW_RETRY_MODE_LEGACY ? 5u : 3u;
}

int cpw_retry_max_attempts_parse(const char *text, unsigned *max_attempts)
{
    uint64_t value = 0;
    if (!text || cpw_span_to_u64(cpw_span_from_cstr(text), S_MAX_ATTEMPTS_LIMIT, &value) != 0 ||
        value == 0) {
        return cpw_raise(CPW_ERR_CONFIG, "max attempts '%s' is not a number from 1 to %u",
                         text ? text : "", S_MAX_ATTEMPTS_LIMIT);
    }
    *max_attempts = (unsigned)value;
    return 0;
}

unsigned cpw_retry_effective_max_attempts(const struct cpw_retry_options *options)
{
    if (options->max_attempts > 0) {
        return options->max_attempts;
    }
    return cpw_retry_default_max_attempts(options->mode);
}

int64_t cpw_retry_backoff_ms(int64_t base_ms, int64_t max_ms, unsigned attempt, double random01)
{
    if (base_ms <= 0) {
        base_ms = CPW_RETRY_DEFAULT_BASE_MS;
    }
    if (max_ms <= 0) {
        max_ms = CPW_RETRY_DEFAULT_MAX_BACKOFF;
    }
    if (!(random01 >= 0.0)) { /* also catches NaN */
        random01 = 0.0;
    } else if (random01 > 1.0) {
        random01 = 1.0;
    }
    /* min(base * 2^(attempt-1), max) without overflowing: stop doubling once past max. */
    int64_t ceiling = base_ms;
    for (unsigned i = 1; i < attempt && ceiling < max_ms; i++) {
        ceiling *= 2;
    }
    if (ceiling > max_ms) {
        ceiling = max_ms;
    }
    return (int64_t)(random01 * (double)ceiling);
}

int64_t cpw_retry_apply_hint_ms(int64_t backoff_ms, struct cpw_span retry_after_ms)
{
    uint64_t hint = 0;
    if (retry_after_ms.len == 0 ||
        cpw_span_to_u64(cpw_span_trim(retry_after_ms), (uint64_t)INT64_MAX / 2, &hint) != 0) {
        cpw_error_clear(); /* a bad hint is ignored, not an error */
        return backoff_ms;
    }
    int64_t capped = backoff_ms + CPW_RETRY_HINT_MAX_EXTRA_MS;
    if ((int64_t)hint < capped) {
        capped = (int64_t)hint;
    }
    return capped > backoff_ms ? capped : backoff_ms;
}

double cpw_retry_random(const struct cpw_retry_options *options)
{
    if (options && options->random) {
        return options->random(options->random_user);
    }
    uint64_t bits = 0;
    if (cpw_random_bytes((uint8_t *)&bits, sizeof(bits)) != 0) {
        return 0.5; /* no randomness: a mid-range delay is still a delay */
    }
    return (double)(bits >> 11) / 9007199254740992.0; /* 53 bits / 2^53 */
}

/* ----- retry quota ------------------------------------------------------------------------- */

void cpw_retry_quota_init(struct cpw_retry_quota *quota, unsigned initial)
{
    quota->max_capacity = initial ? initial : CPW_RETRY_QUOTA_INITIAL;
    quota->available = quota->max_capacity;
}

bool cpw_retry_quota_acquire(struct cpw_retry_quota *quota, unsigned amount)
{
    if (amount > quota->available) {
        return false;
    }
    quota->available -= amount;
    return true;
}

void cpw_retry_quota_release(struct cpw_retry_quota *quota, unsigned amount)
{
    unsigned room = quota->max_capacity - quota->available;
    quota->available += amount < room ? amount : room;
}

/* ----- adaptive limiter -------------------------------------------------------------------- */

static double s_seconds(int64_t ms)
{
    return (double)ms / 1000.0;
}

static double s_cubic_zero_point(double w_max)
{
    return cbrt(w_max * (1.0 - S_CUBIC_BETA) / S_CUBIC_SCALE);
}

static void s_bucket_refill(struct cpw_adaptive_limiter *l, double now_s)
{
    if (!l->refilled_once) {
        l->refilled_once = true;
        l->last_refill_s = now_s;
        return;
    }
    double elapsed = now_s - l->last_refill_s;
    if (elapsed > 0) {
        l->capacity = fmin(l->max_capacity, l->capacity + elapsed * l->fill_rate);
        l->last_refill_s = now_s;
    }
}

static void s_bucket_set_rate(struct cpw_adaptive_limiter *l, double rate, double now_s)
{
    /* Tokens earned at the old rate are credited before the rate changes. */
    s_bucket_refill(l, now_s);
    l->fill_rate = fmax(rate, S_MIN_FILL_RATE);
    l->max_capacity = rate >= 1.0 ? rate : 1.0;
    l->capacity = fmin(l->capacity, l->max_capacity);
}

void cpw_adaptive_limiter_init(struct cpw_adaptive_limiter *limiter, int64_t now_ms)
{
    double now_s = s_seconds(now_ms);
    *limiter = (struct cpw_adaptive_limiter){
        .enabled = false,
        .fill_rate = 1.0,
        .max_capacity = 1.0,
        .capacity = 0.0,
        .measured_rate = 0.0,
        .last_bucket_s = floor(now_s),
        .w_max = 0.0,
        .k = 0.0,
        .last_fail_s = now_s,
    };
}

int64_t cpw_adaptive_limiter_acquire(struct cpw_adaptive_limiter *limiter, int64_t now_ms)
{
    if (!limiter->enabled) {
        return 0;
    }
    s_bucket_refill(limiter, s_seconds(now_ms));
    if (limiter->capacity >= 1.0 - 1e-9) { /* float dust must not cost a whole wait */
        limiter->capacity = fmax(0.0, limiter->capacity - 1.0);
        return 0;
    }
    double wait_s = (1.0 - limiter->capacity) / limiter->fill_rate;
    int64_t wait_ms = (int64_t)ceil(wait_s * 1000.0 - 1e-6); /* float dust is not a ms */
    return wait_ms > 0 ? wait_ms : 1;
}

void cpw_adaptive_limiter_refund(struct cpw_adaptive_limiter *limiter)
{
    if (limiter->enabled) {
        limiter->capacity = fmin(limiter->max_capacity, limiter->capacity + 1.0);
    }
}

static double s_meter_record(struct cpw_adaptive_limiter *l, double now_s)
{
    double bucket = floor(now_s / S_METER_BUCKET_S) * S_METER_BUCKET_S;
    l->request_count += 1.0;
    if (bucket > l->last_bucket_s) {
        double current = l->request_count / (bucket - l->last_bucket_s);
        l->measured_rate =
          current * S_METER_SMOOTHING + l->measured_rate * (1.0 - S_METER_SMOOTHING);
        l->request_count = 0.0;
        l->last_bucket_s = bucket;
    }
    return l->measured_rate;
}

void cpw_adaptive_limiter_update(struct cpw_adaptive_limiter *limiter,
                                 bool throttled,
                                 int64_t now_ms)
{
    double now_s = s_seconds(now_ms);
    double measured = s_meter_record(limiter, now_s);
    double new_rate;
    if (!throttled) {
        double dt = now_s - limiter->last_fail_s - limiter->k;
        new_rate = S_CUBIC_SCALE * dt * dt * dt + limiter->w_max;
    } else {
        double rate_to_use = limiter->enabled ? fmin(measured, limiter->fill_rate) : measured;
        limiter->w_max = rate_to_use;
        limiter->k = s_cubic_zero_point(rate_to_use);
        limiter->last_fail_s = now_s;
        new_rate = rate_to_use * S_CUBIC_BETA;
        limiter->enabled = true;
    }
    s_bucket_set_rate(limiter, fmin(new_rate, S_MAX_RATE_SCALE * measured), now_s);
}
