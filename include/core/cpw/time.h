/*
 * time.h - wall-clock helpers for AWS formats (thread-safe; no static buffers).
 *
 * AWS uses three textual forms: ISO 8601 extended ("2015-08-30T12:36:00Z", JSON and XML
 * timestamps), the SigV4 basic form ("20150830T123600Z", X-Amz-Date) and the SigV4 date
 * ("20150830", credential scope). Epoch values are seconds (or milliseconds where named).
 * The clock can be pinned for tests.
 */
#ifndef CPW_TIME_H
#define CPW_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "cpw/buf.h"

#define CPW_TIME_ISO8601_LEN    20 /* "2015-08-30T12:36:00Z" */
#define CPW_TIME_ISO8601_MS_LEN 24 /* "2015-08-30T12:36:00.000Z" */
#define CPW_TIME_AMZ_LEN        16 /* "20150830T123600Z" */
#define CPW_TIME_DATE_LEN       8  /* "20150830" */

/** Current time in milliseconds since the epoch (the pinned value, if pinned). */
int64_t cpw_time_now_ms(void);

/** Current time in seconds since the epoch (the pinned value, if pinned). */
int64_t cpw_time_now_s(void);

/** Monotonic milliseconds, for timeouts and durations; never pinned. */
int64_t cpw_time_monotonic_ms(void);

/** Pins the clock to epoch_ms (tests); a negative value unpins it. */
void cpw_time_pin_ms(int64_t epoch_ms);

/** Writes "YYYY-MM-DDTHH:MM:SSZ" plus NUL into out (at least 21 bytes). Returns 0 or -1. */
int cpw_time_format_iso8601(int64_t epoch_s, char out[CPW_TIME_ISO8601_LEN + 1]);

/** Writes "YYYY-MM-DDTHH:MM:SS.mmmZ" plus NUL into out. Returns 0 or -1. */
int cpw_time_format_iso8601_ms(int64_t epoch_ms, char out[CPW_TIME_ISO8601_MS_LEN + 1]);

/** Writes "YYYYMMDDTHHMMSSZ" plus NUL into out. Returns 0 or -1. */
int cpw_time_format_amz(int64_t epoch_s, char out[CPW_TIME_AMZ_LEN + 1]);

/** Writes "YYYYMMDD" plus NUL into out. Returns 0 or -1. */
int cpw_time_format_date(int64_t epoch_s, char out[CPW_TIME_DATE_LEN + 1]);

/**
 * Parses ISO 8601 "YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|-HH:MM]" (also a lower-case 't'/'z' and a
 * space for 'T') into epoch milliseconds. Returns 0, or -1 with CPW_ERR_TIME.
 */
int cpw_time_parse_iso8601_ms(struct cpw_span text, int64_t *epoch_ms);

/** Parses the SigV4 basic form "YYYYMMDDTHHMMSSZ". Returns 0, or -1 with CPW_ERR_TIME. */
int cpw_time_parse_amz(struct cpw_span text, int64_t *epoch_s);

/**
 * Parses an HTTP date (RFC 7231 IMF-fixdate, "Sun, 30 Aug 2015 12:36:00 GMT"). Returns 0, or -1
 * with CPW_ERR_TIME.
 */
int cpw_time_parse_http_date(struct cpw_span text, int64_t *epoch_s);

#endif
