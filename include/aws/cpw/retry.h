/*
 * retry.h - AWS SDK retry behaviour: modes, backoff with full jitter, the retry quota and the
 * adaptive mode's client-side rate limiter.
 *
 * The three modes are the ones AWS SDKs accept in AWS_RETRY_MODE / retry_mode:
 *   legacy    5 attempts by default, exponential backoff, no retry quota;
 *   standard  3 attempts by default, exponential backoff capped at 20 s, a retry quota (initial
 *             500, 5 per retry, 10 per retry after a timeout or connection error, refunded on
 *             success) so that a struggling service is not hammered by every client at once;
 *   adaptive  standard plus a client-side token bucket whose fill rate follows the CUBIC
 *             congestion algorithm: it drops on throttling answers and recovers on success.
 * Backoff delay for retry number n (attempt n just failed): random(0,1) * min(base * 2^(n-1),
 * max), base 1 s and max 20 s unless the options say otherwise.
 *
 * These are plain state machines over caller-supplied times (milliseconds on any monotonic
 * clock) and random numbers, so they are deterministic under test. The HTTP engine drives them.
 *
 * Thread-safety: none of these objects lock; each is used by one thread (its engine's).
 */
#ifndef CPW_RETRY_H
#define CPW_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "cpw/buf.h"

enum cpw_retry_mode {
    CPW_RETRY_MODE_STANDARD = 0, /* zero-initialised options mean standard */
    CPW_RETRY_MODE_LEGACY = 1,
    CPW_RETRY_MODE_ADAPTIVE = 2,
};

#define CPW_RETRY_DEFAULT_BASE_MS       1000
#define CPW_RETRY_DEFAULT_MAX_BACKOFF   20000
#define CPW_RETRY_QUOTA_INITIAL         500u
#define CPW_RETRY_QUOTA_COST            5u
#define CPW_RETRY_QUOTA_TIMEOUT_COST    10u
#define CPW_RETRY_QUOTA_NO_RETRY_REFUND 1u
#define CPW_RETRY_HINT_MAX_EXTRA_MS     5000
#define CPW_RETRY_HINT_HEADER           "x-amz-retry-after"

/** A source of uniform random numbers in [0, 1); user is passed back. */
typedef double(cpw_retry_random_fn)(void *user);

/**
 * What the caller resolved from its configuration (flags, AWS_RETRY_MODE, AWS_MAX_ATTEMPTS,
 * ~/.aws/config); this module reads no environment. Zero fields take the defaults.
 */
struct cpw_retry_options {
    enum cpw_retry_mode mode;    /* 0: standard */
    unsigned max_attempts;       /* total attempts incl. the first; 0: the mode's default */
    int64_t backoff_base_ms;     /* 0: 1000 */
    int64_t max_backoff_ms;      /* 0: 20000 */
    unsigned quota_initial;      /* 0: 500 */
    cpw_retry_random_fn *random; /* NULL: cryptographic random bytes */
    void *random_user;
};

/**
 * Parses a retry mode name ("legacy", "standard", "adaptive"; ASCII case ignored). Returns 0, or
 * -1 with CPW_ERR_CONFIG for anything else (mode untouched).
 */
int cpw_retry_mode_parse(const char *name, enum cpw_retry_mode *mode);

/** The mode's name as AWS spells it; static storage. */
const char *cpw_retry_mode_name(enum cpw_retry_mode mode);

/** Default total attempts of a mode: 5 for legacy, 3 for standard and adaptive. */
unsigned cpw_retry_default_max_attempts(enum cpw_retry_mode mode);

/**
 * Parses an AWS_MAX_ATTEMPTS value (decimal, 1..100). Returns 0, or -1 with CPW_ERR_CONFIG.
 */
int cpw_retry_max_attempts_parse(const char *text, unsigned *max_attempts);

/** max_attempts of the options, or the mode's default when 0. */
unsigned cpw_retry_effective_max_attempts(const struct cpw_retry_options *options);

/**
 * Backoff before the retry that follows failed attempt number `attempt` (1-based):
 * random01 * min(base_ms * 2^(attempt-1), max_ms), with 0 meaning the defaults for base_ms and
 * max_ms. random01 is clamped to [0, 1]. Never negative.
 */
int64_t cpw_retry_backoff_ms(int64_t base_ms, int64_t max_ms, unsigned attempt, double random01);

/**
 * Applies a service's retry hint to a computed backoff, as the AWS SDKs do with the
 * `x-amz-retry-after` response header (milliseconds): the delay becomes
 * max(backoff, min(hint, backoff + 5 s)). A missing (empty span) or malformed hint leaves
 * backoff_ms unchanged.
 */
int64_t cpw_retry_apply_hint_ms(int64_t backoff_ms, struct cpw_span retry_after_ms);

/** A uniform random number in [0, 1) from the options' source (or the default one). */
double cpw_retry_random(const struct cpw_retry_options *options);

/* ----- retry quota (standard and adaptive modes) -------------------------------------------- */

struct cpw_retry_quota {
    unsigned max_capacity;
    unsigned available;
};

/** Fills the quota with initial units (0: 500). Never fails; nothing to clean up. */
void cpw_retry_quota_init(struct cpw_retry_quota *quota, unsigned initial);

/** Takes amount units if that many are left: true, or false (quota unchanged). */
bool cpw_retry_quota_acquire(struct cpw_retry_quota *quota, unsigned amount);

/** Gives amount units back, never above the initial capacity. */
void cpw_retry_quota_release(struct cpw_retry_quota *quota, unsigned amount);

/* ----- adaptive mode: client-side rate limiter --------------------------------------------- */

/*
 * Follows the published AWS SDK algorithm: a token bucket (capacity = fill rate, at least 1,
 * minimum fill rate 0.5/s), off until the first throttling answer; a send-rate meter smoothed
 * over half-second buckets (smoothing 0.8); and a CUBIC calculator (beta 0.7, scale 0.4). On a
 * throttle the rate becomes beta * the rate we were sending at; on success it grows back along
 * the cubic curve; the new rate is never more than twice the measured send rate.
 */
struct cpw_adaptive_limiter {
    bool enabled;
    /* token bucket */
    double fill_rate;
    double max_capacity;
    double capacity;
    double last_refill_s;
    bool refilled_once;
    /* send-rate meter */
    double measured_rate;
    double last_bucket_s;
    double request_count;
    /* CUBIC */
    double w_max;
    double k;
    double last_fail_s;
};

/** Starts a limiter at time now_ms (disabled, fill rate 1/s, w_max 0). */
void cpw_adaptive_limiter_init(struct cpw_adaptive_limiter *limiter, int64_t now_ms);

/**
 * Asks for one send token at now_ms. Returns 0 when the request may be sent now (token taken, or
 * limiter not yet enabled), else the milliseconds to wait before asking again (at least 1).
 */
int64_t cpw_adaptive_limiter_acquire(struct cpw_adaptive_limiter *limiter, int64_t now_ms);

/**
 * Gives back the token of an acquire whose request was not sent after all (another limit said
 * wait). A no-op while the limiter is not enabled.
 */
void cpw_adaptive_limiter_refund(struct cpw_adaptive_limiter *limiter);

/**
 * Records an answer received at now_ms (throttled or not) and adjusts the fill rate. Called once
 * per attempt that got an answer or a transport error.
 */
void cpw_adaptive_limiter_update(struct cpw_adaptive_limiter *limiter,
                                 bool throttled,
                                 int64_t now_ms);

#endif
