/*
 * fmt.c: the formatter and UTC date conversion of fmt.h.  Output goes
 * through a small emitter: into a caller's buffer (snprintf) or through
 * a 256-byte chunk to a FILE (fprintf).  Nothing is allocated.
 */
#include "base/fmt.h"

#include <string.h>

struct emit {
	char *buf;              /* snprintf: the caller's buffer, else NULL */
	size_t cap;             /* its size */
	size_t len;             /* bytes the output has so far */
	FILE *f;                /* fprintf: the stream, else NULL */
	char chunk[256];        /* pending bytes for f */
	size_t clen;            /* bytes in chunk */
	int err;                /* a write to f failed */
};

static void
flush(struct emit *e)
{
	if (e->f != NULL && e->clen > 0) {
		if (fwrite(e->chunk, 1, e->clen, e->f) != e->clen)
			e->err = 1;
		e->clen = 0;
	}
}

static void
put(struct emit *e, char c)
{
	if (e->f != NULL) {
		if (e->clen == sizeof(e->chunk))
			flush(e);
		e->chunk[e->clen++] = c;
	} else if (e->cap > 0 && e->len < e->cap - 1) {
		e->buf[e->len] = c;
	}
	e->len++;
}

static void
pad(struct emit *e, char c, int n)
{
	while (n-- > 0)
		put(e, c);
}

/* One conversion's flags, width and precision. */
struct spec {
	int left;               /* '-' */
	int zero;               /* '0' */
	int plus;               /* '+' */
	int space;              /* ' ' */
	int alt;                /* '#' */
	int width;              /* minimum width, 0 none */
	int prec;               /* precision, -1 none */
};

static void
emit_str(struct emit *e, const struct spec *sp, const char *s)
{
	size_t n = 0, i;

	if (s == NULL)
		s = "(null)";
	while ((sp->prec < 0 || n < (size_t)sp->prec) && s[n] != '\0')
		n++;
	if (!sp->left)
		pad(e, ' ', sp->width - (int)n);
	for (i = 0; i < n; i++)
		put(e, s[i]);
	if (sp->left)
		pad(e, ' ', sp->width - (int)n);
}

static void
emit_num(struct emit *e, const struct spec *sp, uintmax_t v, int neg,
    unsigned base, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[48], sign = 0;
	int n = 0, zeros, prefix = 0, total;

	while (v > 0 || n == 0) {
		tmp[n++] = digits[v % base];
		v /= base;
	}
	if (sp->prec == 0 && n == 1 && tmp[0] == '0')
		n = 0;
	if (neg)
		sign = '-';
	else if (sp->plus)
		sign = '+';
	else if (sp->space)
		sign = ' ';
	if (sp->alt && base == 16 && !(n == 1 && tmp[0] == '0') && n > 0)
		prefix = 2;
	if (sp->alt && base == 8 && (n == 0 || tmp[n - 1] != '0'))
		tmp[n++] = '0';
	zeros = sp->prec > n ? sp->prec - n : 0;
	total = n + zeros + prefix + (sign != 0);
	if (sp->zero && !sp->left && sp->prec < 0 && sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}
	if (!sp->left)
		pad(e, ' ', sp->width - total);
	if (sign)
		put(e, sign);
	if (prefix) {
		put(e, '0');
		put(e, upper ? 'X' : 'x');
	}
	pad(e, '0', zeros);
	while (n > 0)
		put(e, tmp[--n]);
	if (sp->left)
		pad(e, ' ', sp->width - total);
}

/* parse_spec: flags, width, precision; advances *pp. */
static void
parse_spec(const char **pp, struct spec *sp, va_list *ap)
{
	const char *p = *pp;

	memset(sp, 0, sizeof(*sp));
	sp->prec = -1;
	for (;; p++) {
		if (*p == '-')
			sp->left = 1;
		else if (*p == '0')
			sp->zero = 1;
		else if (*p == '+')
			sp->plus = 1;
		else if (*p == ' ')
			sp->space = 1;
		else if (*p == '#')
			sp->alt = 1;
		else
			break;
	}
	if (*p == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = 1;
			sp->width = -sp->width;
		}
		p++;
	} else {
		while (*p >= '0' && *p <= '9' && sp->width < 100000)
			sp->width = sp->width * 10 + (*p++ - '0');
	}
	if (*p == '.') {
		p++;
		sp->prec = 0;
		if (*p == '*') {
			sp->prec = va_arg(*ap, int);
			if (sp->prec < 0)
				sp->prec = -1;
			p++;
		} else {
			while (*p >= '0' && *p <= '9' && sp->prec < 100000)
				sp->prec = sp->prec * 10 + (*p++ - '0');
		}
	}
	*pp = p;
}

/* Length modifiers, from the smallest. */
enum { L_HH = -2, L_H = -1, L_INT = 0, L_LONG, L_LLONG, L_SIZE, L_MAX, L_PTRDIFF };

static int
parse_len(const char **pp)
{
	const char *p = *pp;
	int l = L_INT;

	if (p[0] == 'h' && p[1] == 'h')
		l = L_HH, p += 2;
	else if (p[0] == 'h')
		l = L_H, p++;
	else if (p[0] == 'l' && p[1] == 'l')
		l = L_LLONG, p += 2;
	else if (p[0] == 'l')
		l = L_LONG, p++;
	else if (p[0] == 'z')
		l = L_SIZE, p++;
	else if (p[0] == 'j')
		l = L_MAX, p++;
	else if (p[0] == 't')
		l = L_PTRDIFF, p++;
	*pp = p;
	return l;
}

static intmax_t
arg_signed(int l, va_list *ap)
{
	switch (l) {
	case L_HH: return (signed char)va_arg(*ap, int);
	case L_H: return (short)va_arg(*ap, int);
	case L_LONG: return va_arg(*ap, long);
	case L_LLONG: return va_arg(*ap, long long);
	case L_SIZE: return (intmax_t)va_arg(*ap, size_t);
	case L_MAX: return va_arg(*ap, intmax_t);
	case L_PTRDIFF: return va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, int);
	}
}

static uintmax_t
arg_unsigned(int l, va_list *ap)
{
	switch (l) {
	case L_HH: return (unsigned char)va_arg(*ap, unsigned);
	case L_H: return (unsigned short)va_arg(*ap, unsigned);
	case L_LONG: return va_arg(*ap, unsigned long);
	case L_LLONG: return va_arg(*ap, unsigned long long);
	case L_SIZE: return va_arg(*ap, size_t);
	case L_MAX: return va_arg(*ap, uintmax_t);
	case L_PTRDIFF: return (uintmax_t)va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, unsigned);
	}
}

static void
format(struct emit *e, const char *p, va_list ap0)
{
	struct spec sp;
	va_list ap;
	intmax_t sv;
	int l;

	va_copy(ap, ap0);
	for (; *p != '\0'; p++) {
		if (*p != '%') {
			put(e, *p);
			continue;
		}
		p++;
		parse_spec(&p, &sp, &ap);
		l = parse_len(&p);
		switch (*p) {
		case 'd':
		case 'i':
			sv = arg_signed(l, &ap);
			emit_num(e, &sp, sv < 0 ? -(uintmax_t)sv : (uintmax_t)sv,
			    sv < 0, 10, 0);
			break;
		case 'u':
			emit_num(e, &sp, arg_unsigned(l, &ap), 0, 10, 0);
			break;
		case 'x':
		case 'X':
			emit_num(e, &sp, arg_unsigned(l, &ap), 0, 16, *p == 'X');
			break;
		case 'o':
			emit_num(e, &sp, arg_unsigned(l, &ap), 0, 8, 0);
			break;
		case 'p':
			sp.alt = 1;
			emit_num(e, &sp, (uintptr_t)va_arg(ap, void *), 0, 16, 0);
			break;
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), 0 };

			sp.prec = 1;
			if (c[0] == '\0') {   /* a NUL is output, as printf does */
				if (!sp.left)
					pad(e, ' ', sp.width - 1);
				put(e, '\0');
				if (sp.left)
					pad(e, ' ', sp.width - 1);
			} else {
				emit_str(e, &sp, c);
			}
			break;
		}
		case 's':
			emit_str(e, &sp, va_arg(ap, const char *));
			break;
		case '%':
			put(e, '%');
			break;
		case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
		case 'a': case 'A':
			(void)va_arg(ap, double);
			put(e, '?');
			break;
		case '\0':
			p--;   /* a lone '%' at the end */
			break;
		default:
			put(e, '%');
			put(e, *p);
			break;
		}
	}
	va_end(ap);
}

int
fmt_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
	struct emit e;

	e.buf = buf;
	e.cap = cap;
	e.len = 0;
	e.f = NULL;
	e.clen = 0;
	e.err = 0;
	format(&e, fmt, ap);
	if (cap > 0)
		buf[e.len < cap ? e.len : cap - 1] = '\0';
	return e.len > 0x7fffffff ? -1 : (int)e.len;
}

int
fmt_vfprintf(FILE *f, const char *fmt, va_list ap)
{
	struct emit e;

	e.buf = NULL;
	e.cap = 0;
	e.len = 0;
	e.f = f;
	e.clen = 0;
	e.err = 0;
	format(&e, fmt, ap);
	flush(&e);
	return e.err ? -1 : (int)e.len;
}

void
fmt_utc(int64_t t, struct tm *tm)
{
	int64_t days = t / 86400, secs = t % 86400, era, doe, yoe, y, doy, mp;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	memset(tm, 0, sizeof(*tm));
	tm->tm_hour = (int)(secs / 3600);
	tm->tm_min = (int)(secs / 60 % 60);
	tm->tm_sec = (int)(secs % 60);
	tm->tm_wday = (int)((days % 7 + 11) % 7);   /* 1970-01-01: Thursday */
	/* Howard Hinnant's civil_from_days. */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->tm_mon = (int)(mp < 10 ? mp + 2 : mp - 10);
	y += tm->tm_mon <= 1;
	tm->tm_year = (int)(y - 1900);
	/* doy counts from March 1st. */
	tm->tm_yday = (int)(tm->tm_mon >= 2 ? doy + 59 +
	    ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) : doy - 306);
}

const char *
fmt_rfc3339(int64_t t, char *buf, size_t cap)
{
	struct tm tm;
	int n;

	if (cap == 0)
		return buf;
	buf[0] = '\0';
	if (t <= 0 || cap < 21)
		return buf;
	fmt_utc(t, &tm);
	n = snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	if (n < 0 || (size_t)n >= cap)
		buf[0] = '\0';
	return buf;
}

int64_t
fmt_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	/* Howard Hinnant's days_from_civil. */
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* num: n digits at *p into *v; 1 or 0. */
static int
num(const char **p, int n, int *v)
{
	for (*v = 0; n-- > 0; (*p)++) {
		if (**p < '0' || **p > '9')
			return 0;
		*v = *v * 10 + (**p - '0');
	}
	return 1;
}

int
fmt_parse_time(const char *s, int64_t *t)
{
	static const char sep[] = "--T::";
	int d[6], k, oh = 0, om = 0, sign = 0;

	for (k = 0; k < 6; k++) {
		if (!num(&s, k == 0 ? 4 : 2, &d[k]))
			return -1;
		if (k < 5 && *s != sep[k] && !(k == 2 && *s == ' '))
			return -1;
		s += k < 5;
	}
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (!num(&s, 2, &oh))
			return -1;
		s += *s == ':';
		if (!num(&s, 2, &om))
			return -1;
	} else if (*s == 'Z') {
		s++;
	}
	if (*s != '\0' || d[1] < 1 || d[1] > 12 || d[2] < 1 || d[2] > 31 ||
	    d[3] > 23 || d[4] > 59 || d[5] > 60)
		return -1;
	*t = fmt_days_from_civil(d[0], d[1], d[2]) * 86400 + d[3] * 3600 +
	    d[4] * 60 + d[5] - sign * (oh * 3600 + om * 60);
	return 0;
}

#ifdef IKSCTL_OWN_PRINTF
/*
 * The C library's entry points, on static musl builds only: defined
 * here, they keep libc's printf engine out of the link.
 */
int
vsnprintf(char *restrict buf, size_t cap, const char *restrict fmt,
    va_list ap)
{
	return fmt_vsnprintf(buf, cap, fmt, ap);
}

int
snprintf(char *restrict buf, size_t cap, const char *restrict fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}

int
vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
	return fmt_vfprintf(f, fmt, ap);
}

int
fprintf(FILE *restrict f, const char *restrict fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

int
printf(const char *restrict fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vfprintf(stdout, fmt, ap);
	va_end(ap);
	return n;
}
#endif
