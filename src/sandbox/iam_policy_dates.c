/*
 * iam_policy_dates.c - how IAM's legacy policy parser reads the value of a Date condition
 * operator (DateEquals, DateLessThan, ...): an ISO 8601 date-time when it holds a "-" or a "T",
 * epoch seconds otherwise (IAM User Guide, "Condition operators: Date condition operators").
 * A value it cannot read makes IAM refuse the document with "The policy failed legacy parsing".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iam_policy_check.h"

static bool s_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool s_blank(char ch)
{
    return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

/* Text as a whole integer (optional blanks around, optional sign) within [lo, hi]. */
static bool s_int_in(const char *text, size_t len, long long lo, long long hi)
{
    char digits[32];
    while (len > 0 && s_blank(*text)) {
        text++;
        len--;
    }
    while (len > 0 && s_blank(text[len - 1])) {
        len--;
    }
    size_t start = len > 0 && (text[0] == '+' || text[0] == '-') ? 1 : 0;
    if (len == start || len >= sizeof(digits)) {
        return false;
    }
    for (size_t i = start; i < len; i++) {
        if (!s_digit(text[i])) {
            return false;
        }
    }
    memcpy(digits, text, len);
    digits[len] = '\0';
    errno = 0;
    long long value = strtoll(digits, NULL, 10);
    return errno == 0 && value >= lo && value <= hi;
}

static bool s_span_int_in(const char *from, const char *to, long long lo, long long hi)
{
    return s_int_in(from, (size_t)(to - from), lo, hi);
}

/* Seconds, with an optional fraction: "SS" or "SS.fffffffff". */
static bool s_seconds_ok(const char *from, const char *to)
{
    const char *dot = memchr(from, '.', (size_t)(to - from));
    if (dot == NULL) {
        return s_span_int_in(from, to, 0, 59);
    }
    return s_span_int_in(from, dot, 0, 59) && s_span_int_in(dot + 1, to, 0, 999999999);
}

/* The time after 'T': [HH[:MM[:SS[.f][Z|+HH[:MM]]]]]; anything past a third colon is ignored. */
static bool s_time_ok(const char *time)
{
    const char *end = time + strlen(time);
    const char *c1 = strchr(time, ':');
    if ((c1 ? c1 : end) != time && !s_span_int_in(time, c1 ? c1 : end, 0, 23)) {
        return false;
    }
    if (c1 == NULL) {
        return true;
    }
    const char *c2 = strchr(c1 + 1, ':');
    if (!s_span_int_in(c1 + 1, c2 ? c2 : end, 0, 59)) {
        return false;
    }
    if (c2 == NULL) {
        return true;
    }
    const char *sec = c2 + 1;
    const char *sec_end = strchr(sec, ':');
    sec_end = sec_end ? sec_end : end;
    const char *z = memchr(sec, 'z', (size_t)(sec_end - sec));
    const char *plus = memchr(sec, '+', (size_t)(sec_end - sec));
    if (z != NULL) {
        return z + 1 == sec_end && s_seconds_ok(sec, z);
    }
    if (plus != NULL) {
        /* The zone's hours run to the end of this part; its minutes follow the next colon. */
        if (sec_end - (plus + 1) != 2 || !s_span_int_in(plus + 1, sec_end, 0, 23)) {
            return false;
        }
        if (sec_end != end) {
            const char *m = sec_end + 1;
            const char *m_end = strchr(m, ':');
            m_end = m_end ? m_end : end;
            if (m_end - m != 2 || !s_span_int_in(m, m_end, 0, 59)) {
                return false;
            }
        }
        return s_seconds_ok(sec, plus);
    }
    return s_seconds_ok(sec, sec_end);
}

bool cpw_sbx_iam_policy_date_ok(const char *value)
{
    char lower[128] = { 0 };
    size_t len = strlen(value);
    if (len >= sizeof(lower)) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char ch = value[i];
        lower[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
    }
    if (strchr(lower, 't') == NULL && strchr(lower, '-') == NULL) {
        return s_int_in(lower, len, 0, INT64_MAX);
    }
    char *t = strchr(lower, 't');
    const char *time = "";
    if (t != NULL) {
        *t = '\0';
        time = t + 1;
    }
    /* The date: [-]YYYY[-MM[-DD]], years as Java's dates reach. */
    const char *p = lower[0] == '-' ? lower + 1 : lower;
    const char *end = p + strlen(p);
    const char *d1 = strchr(p, '-');
    if (!s_span_int_in(lower, d1 ? d1 : end, -292275054LL, 292278993LL)) {
        return false;
    }
    if (d1 != NULL) {
        const char *d2 = strchr(d1 + 1, '-');
        if (!s_span_int_in(d1 + 1, d2 ? d2 : end, 1, 12)) {
            return false;
        }
        if (d2 != NULL && (strchr(d2 + 1, '-') != NULL || !s_span_int_in(d2 + 1, end, 1, 31))) {
            return false;
        }
    }
    return s_time_ok(time);
}
