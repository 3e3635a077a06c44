/*
 * time.c - clock and AWS time formats. Uses gmtime_r/timegm only (thread-safe, UTC).
 */
#include "cpw/time.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cpw/error.h"

static atomic_llong s_pinned_ms = -1;

int64_t cpw_time_now_ms(void)
{
    long long pinned = atomic_load(&s_pinned_ms);
    if (pinned >= 0) {
        return pinned;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t cpw_time_now_s(void)
{
    return cpw_time_now_ms() / 1000;
}

int64_t cpw_time_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void cpw_time_pin_ms(int64_t epoch_ms)
{
    atomic_store(&s_pinned_ms, epoch_ms < 0 ? -1 : (long long)epoch_ms);
}

static int s_breakdown(int64_t epoch_s, struct tm *tm)
{
    time_t t = (time_t)epoch_s;
    /* Years 0000-9999 only: every AWS format has four year digits. */
    if (epoch_s < -62167219200LL || epoch_s > 253402300799LL || !gmtime_r(&t, tm)) {
        return cpw_raise(CPW_ERR_TIME, "time %lld is outside years 0000-9999", (long long)epoch_s);
    }
    return 0;
}

int cpw_time_format_iso8601(int64_t epoch_s, char out[CPW_TIME_ISO8601_LEN + 1])
{
    struct tm tm;
    if (s_breakdown(epoch_s, &tm)) {
        return -1;
    }
    strftime(out, CPW_TIME_ISO8601_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return 0;
}

int cpw_time_format_iso8601_ms(int64_t epoch_ms, char out[CPW_TIME_ISO8601_MS_LEN + 1])
{
    int64_t secs = epoch_ms >= 0 ? epoch_ms / 1000 : -((-epoch_ms + 999) / 1000);
    int64_t millis = epoch_ms - secs * 1000;
    struct tm tm;
    if (s_breakdown(secs, &tm)) {
        return -1;
    }
    char base[CPW_TIME_ISO8601_LEN + 1];
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, CPW_TIME_ISO8601_MS_LEN + 1, "%.19s.%03dZ", base, (int)millis);
    return 0;
}

int cpw_time_format_amz(int64_t epoch_s, char out[CPW_TIME_AMZ_LEN + 1])
{
    struct tm tm;
    if (s_breakdown(epoch_s, &tm)) {
        return -1;
    }
    strftime(out, CPW_TIME_AMZ_LEN + 1, "%Y%m%dT%H%M%SZ", &tm);
    return 0;
}

int cpw_time_format_date(int64_t epoch_s, char out[CPW_TIME_DATE_LEN + 1])
{
    struct tm tm;
    if (s_breakdown(epoch_s, &tm)) {
        return -1;
    }
    strftime(out, CPW_TIME_DATE_LEN + 1, "%Y%m%d", &tm);
    return 0;
}

/* Reads exactly n digits at *p, advancing it. */
static bool s_digits(const uint8_t **p, const uint8_t *end, int n, int *out)
{
    int value = 0;
    for (int i = 0; i < n; i++) {
        if (*p >= end || **p < '0' || **p > '9') {
            return false;
        }
        value = value * 10 + (**p - '0');
        (*p)++;
    }
    *out = value;
    return true;
}

static bool s_expect(const uint8_t **p, const uint8_t *end, const char *alternatives)
{
    if (*p >= end || !strchr(alternatives, **p) || **p == '\0') {
        return false;
    }
    (*p)++;
    return true;
}

static bool s_valid_fields(int year, int mon, int day, int hour, int min, int sec)
{
    static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (mon < 1 || mon > 12 || day < 1 || day > days[mon - 1] || hour > 23 || min > 59 ||
        sec > 60) {
        return false;
    }
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return !(mon == 2 && day == 29 && !leap);
}

static int64_t s_to_epoch(int year, int mon, int day, int hour, int min, int sec)
{
    struct tm tm = { 0 };
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    return (int64_t)timegm(&tm);
}

int cpw_time_parse_iso8601_ms(struct cpw_span text, int64_t *epoch_ms)
{
    const uint8_t *p = text.ptr;
    const uint8_t *end = text.ptr + text.len;
    int year, mon, day, hour, min, sec;
    if (!s_digits(&p, end, 4, &year) || !s_expect(&p, end, "-") || !s_digits(&p, end, 2, &mon) ||
        !s_expect(&p, end, "-") || !s_digits(&p, end, 2, &day) || !s_expect(&p, end, "Tt ") ||
        !s_digits(&p, end, 2, &hour) || !s_expect(&p, end, ":") || !s_digits(&p, end, 2, &min) ||
        !s_expect(&p, end, ":") || !s_digits(&p, end, 2, &sec)) {
        return cpw_raise(CPW_ERR_TIME, "'%.*s' is not an ISO 8601 timestamp",
                         (int)(text.len > 64 ? 64 : text.len), (const char *)text.ptr);
    }
    int millis = 0;
    if (p < end && *p == '.') {
        p++;
        int scale = 100;
        int ndigits = 0;
        while (p < end && *p >= '0' && *p <= '9') {
            millis += (*p - '0') * scale;
            scale /= 10;
            p++;
            ndigits++;
        }
        if (ndigits == 0 || ndigits > 9) {
            return cpw_raise(CPW_ERR_TIME, "bad fractional seconds in timestamp");
        }
    }
    int offset_s = 0;
    if (p < end && (*p == 'Z' || *p == 'z')) {
        p++;
    } else if (p < end && (*p == '+' || *p == '-')) {
        int sign = *p == '-' ? -1 : 1;
        int oh, om;
        p++;
        if (!s_digits(&p, end, 2, &oh) || !s_expect(&p, end, ":") || !s_digits(&p, end, 2, &om) ||
            oh > 23 || om > 59) {
            return cpw_raise(CPW_ERR_TIME, "bad time zone offset in timestamp");
        }
        offset_s = sign * (oh * 3600 + om * 60);
    } else {
        return cpw_raise(CPW_ERR_TIME, "timestamp lacks a time zone ('Z' or an offset)");
    }
    if (p != end || !s_valid_fields(year, mon, day, hour, min, sec)) {
        return cpw_raise(CPW_ERR_TIME, "'%.*s' is not a valid ISO 8601 timestamp",
                         (int)(text.len > 64 ? 64 : text.len), (const char *)text.ptr);
    }
    int64_t secs = s_to_epoch(year, mon, day, hour, min, sec) - offset_s;
    *epoch_ms = secs * 1000 + millis;
    return 0;
}

int cpw_time_parse_amz(struct cpw_span text, int64_t *epoch_s)
{
    const uint8_t *p = text.ptr;
    const uint8_t *end = text.ptr + text.len;
    int year, mon, day, hour, min, sec;
    if (text.len != CPW_TIME_AMZ_LEN || !s_digits(&p, end, 4, &year) ||
        !s_digits(&p, end, 2, &mon) || !s_digits(&p, end, 2, &day) || !s_expect(&p, end, "T") ||
        !s_digits(&p, end, 2, &hour) || !s_digits(&p, end, 2, &min) ||
        !s_digits(&p, end, 2, &sec) || !s_expect(&p, end, "Z") ||
        !s_valid_fields(year, mon, day, hour, min, sec)) {
        return cpw_raise(CPW_ERR_TIME, "'%.*s' is not of the form YYYYMMDDTHHMMSSZ",
                         (int)(text.len > 64 ? 64 : text.len), (const char *)text.ptr);
    }
    *epoch_s = s_to_epoch(year, mon, day, hour, min, sec);
    return 0;
}

int cpw_time_parse_http_date(struct cpw_span text, int64_t *epoch_s)
{
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    /* "Sun, 30 Aug 2015 12:36:00 GMT" */
    if (text.len != 29 || text.ptr[3] != ',' || text.ptr[4] != ' ' || text.ptr[7] != ' ' ||
        text.ptr[11] != ' ' || text.ptr[16] != ' ' || memcmp(text.ptr + 25, " GMT", 4) != 0) {
        return cpw_raise(CPW_ERR_TIME, "not an HTTP date");
    }
    const uint8_t *p = text.ptr + 5;
    const uint8_t *end = text.ptr + text.len;
    int day, year, hour, min, sec, mon = 0;
    for (int i = 0; i < 12; i++) {
        if (memcmp(text.ptr + 8, months[i], 3) == 0) {
            mon = i + 1;
        }
    }
    if (!s_digits(&p, end, 2, &day)) {
        return cpw_raise(CPW_ERR_TIME, "not an HTTP date");
    }
    p = text.ptr + 12;
    if (mon == 0 || !s_digits(&p, end, 4, &year) || !s_expect(&p, end, " ") ||
        !s_digits(&p, end, 2, &hour) || !s_expect(&p, end, ":") || !s_digits(&p, end, 2, &min) ||
        !s_expect(&p, end, ":") || !s_digits(&p, end, 2, &sec) ||
        !s_valid_fields(year, mon, day, hour, min, sec)) {
        return cpw_raise(CPW_ERR_TIME, "not an HTTP date");
    }
    *epoch_s = s_to_epoch(year, mon, day, hour, min, sec);
    return 0;
}
