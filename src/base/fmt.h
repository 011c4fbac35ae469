/*
 * fmt.h: a small printf-style formatter and UTC date conversion.
 *
 * musl's printf engine brings floating point (on aarch64, 128-bit soft
 * float from libgcc) and its strftime/gmtime bring the time zone code:
 * together about 30 KB of a binary whose budget is 300 000 bytes, for
 * output iksctl never needs.  fmt_vformat() implements what we use:
 * flags "-0+ #", width and precision (numbers or *), the lengths hh, h,
 * l, ll, z, j, t, and the conversions d i u x X o c s p %.  Floating
 * point conversions print "?".
 *
 * On static musl builds (IKSCTL_OWN_PRINTF), fmt.c also provides
 * snprintf, vsnprintf, printf, fprintf and vfprintf on top of it, so
 * that mbedTLS and our code share it and libc's engine is never linked.
 */
#ifndef IKSCTL_FMT_H
#define IKSCTL_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/*
 * fmt_vsnprintf: format into buf[cap] (NUL-terminated if cap > 0).
 * Returns the length the whole output has, as vsnprintf does.
 */
int fmt_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);

/* fmt_vfprintf: format to f.  Returns the bytes written, or -1. */
int fmt_vfprintf(FILE *f, const char *fmt, va_list ap);

/* fmt_utc: the UTC broken-down time of unix time t into *tm. */
void fmt_utc(int64_t t, struct tm *tm);

/*
 * fmt_rfc3339: "YYYY-MM-DDTHH:MM:SSZ" for unix time t into buf[cap]
 * (cap >= 21).  Returns buf; "" if t <= 0 or cap is too small.
 */
const char *fmt_rfc3339(int64_t t, char *buf, size_t cap);

/* fmt_days_from_civil: days from 1970-01-01 to year y, month m, day d. */
int64_t fmt_days_from_civil(int64_t y, int m, int d);

/*
 * fmt_parse_time: an ISO 8601 / RFC 3339 time as the services write
 * them ("2026-12-01T09:20:11+0000", "...Z", "...+00:00", fractions of a
 * second, or no zone: UTC) into *t, unix time.  Returns 0 or -1.
 */
int fmt_parse_time(const char *s, int64_t *t);

#endif
