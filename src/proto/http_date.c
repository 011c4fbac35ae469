/*
 * http_date.c: the HTTP dates of Date and Retry-After (RFC 9110 section
 * 5.6.7: IMF-fixdate, RFC 850 and asctime forms), and Retry-After as a
 * wait (see http_parse.h).  Parsed in place, bounded by the slice.
 */
#include "proto/http_parse.h"
#include "base/errors.h"
#include "base/fmt.h"

#include <stdint.h>
#include <string.h>

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/*
 * The pieces of a date.  Each take_* reads one piece at *p (before e),
 * advances *p and returns 1, or returns 0; they chain with &&.
 */
static int
take_lit(const char **p, const char *e, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(e - *p) < n || memcmp(*p, s, n) != 0)
		return 0;
	*p += n;
	return 1;
}

/* take_num: exactly `digits` decimal digits. */
static int
take_num(const char **p, const char *e, int digits, int *out)
{
	int v = 0, i;

	if (e - *p < digits)
		return 0;
	for (i = 0; i < digits; i++) {
		if (!is_digit((unsigned char)(*p)[i]))
			return 0;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += digits;
	*out = v;
	return 1;
}

static int
take_month(const char **p, const char *e, int *mon)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int i;

	if (e - *p < 3)
		return 0;
	for (i = 0; i < 12; i++) {
		if (memcmp(*p, names + 3 * i, 3) == 0) {
			*mon = i + 1;
			*p += 3;
			return 1;
		}
	}
	return 0;
}

/* take_day_name: a day name of 3 to 9 letters (not checked further). */
static int
take_day_name(const char **p, const char *e)
{
	const char *q = *p;

	while (q < e && ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z'))
		q++;
	if (q - *p < 3 || q - *p > 9)
		return 0;
	*p = q;
	return 1;
}

/* take_time: "HH:MM:SS" into d[3 .. 5]. */
static int
take_time(const char **p, const char *e, int *d)
{
	return take_num(p, e, 2, &d[3]) && take_lit(p, e, ":") &&
	    take_num(p, e, 2, &d[4]) && take_lit(p, e, ":") &&
	    take_num(p, e, 2, &d[5]);
}

/* http_date (see http_parse.h).  d[] is year, month, day, hour,
 * minute, second. */
int
http_date(struct slice v, int64_t *t)
{
	const char *p = v.p, *e = v.p + v.n;
	int d[6] = { 0 }, ok;

	if (!take_day_name(&p, e))
		return -1;
	if (take_lit(&p, e, ", ") && take_num(&p, e, 2, &d[2])) {
		if (take_lit(&p, e, " ")) {     /* IMF-fixdate */
			ok = take_month(&p, e, &d[1]) &&
			    take_lit(&p, e, " ") && take_num(&p, e, 4, &d[0]);
		} else {                        /* RFC 850, 2-digit year */
			ok = take_lit(&p, e, "-") &&
			    take_month(&p, e, &d[1]) &&
			    take_lit(&p, e, "-") && take_num(&p, e, 2, &d[0]);
			d[0] += d[0] < 70 ? 2000 : 1900;
		}
		ok = ok && take_lit(&p, e, " ") && take_time(&p, e, d) &&
		    take_lit(&p, e, " GMT");
	} else {                                /* asctime */
		ok = take_lit(&p, e, " ") && take_month(&p, e, &d[1]) &&
		    take_lit(&p, e, " ") && (take_lit(&p, e, " ") ?
		    take_num(&p, e, 1, &d[2]) : take_num(&p, e, 2, &d[2])) &&
		    take_lit(&p, e, " ") && take_time(&p, e, d) &&
		    take_lit(&p, e, " ") && take_num(&p, e, 4, &d[0]);
	}
	if (!ok || p != e || d[2] < 1 || d[2] > 31 || d[3] > 23 ||
	    d[4] > 59 || d[5] > 60)
		return -1;
	*t = fmt_days_from_civil(d[0], d[1], d[2]) * 86400 + d[3] * 3600 +
	    d[4] * 60 + d[5];
	return 0;
}

int
http_retry_after(struct slice v, int64_t now, uint32_t *seconds)
{
	uint64_t s = 0;
	int64_t t;
	size_t i;

	v = slice_trim(v);
	for (i = 0; i < v.n && is_digit((unsigned char)v.p[i]); i++)
		if ((s = s * 10 + (uint64_t)(v.p[i] - '0')) > UINT32_MAX)
			s = UINT32_MAX;
	if (v.n > 0 && i == v.n) {
		*seconds = (uint32_t)s;
		return 0;
	}
	if (http_date(v, &t) != 0)
		return err_set(ERR_HTTP_MALFORMED, "bad Retry-After '%.*s'",
		    (int)(v.n > 64 ? 64 : v.n), v.p);
	t -= now;
	*seconds = t <= 0 ? 0 : t > (int64_t)UINT32_MAX ? UINT32_MAX :
	    (uint32_t)t;
	return 0;
}
