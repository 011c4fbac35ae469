/*
 * jsonw.c: the JSON body writer (see jsonw.h).  Escaping is
 * json_add_string()'s, shared with iksctl's own -o json objects.
 */
#include "proto/jsonw.h"
#include "base/errors.h"
#include "proto/json.h"

#include <string.h>

void
jw_init(struct jsonw *w, char *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	sbuf_init(&w->b, buf, cap);
	w->first[0] = 1;
}

/* member: the comma and the key of the next value at this depth. */
static void
member(struct jsonw *w, const char *key)
{
	if (!w->first[w->depth])
		sbuf_addc(&w->b, ',');
	w->first[w->depth] = 0;
	if (key != NULL) {
		json_add_string(&w->b, slice_of(key));
		sbuf_addc(&w->b, ':');
	}
}

void
jw_open(struct jsonw *w, const char *key, char kind)
{
	if (w->depth + 1 >= LIM_JSONW_DEPTH) {
		w->bad = 1;
		return;
	}
	member(w, key);
	sbuf_addc(&w->b, kind);
	w->close[++w->depth] = kind == '{' ? '}' : ']';
	w->first[w->depth] = 1;
}

void
jw_close(struct jsonw *w)
{
	if (w->depth == 0) {
		w->bad = 1;
		return;
	}
	sbuf_addc(&w->b, w->close[w->depth--]);
}

int
jw_utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	unsigned c, min, k, need;

	while (p < e) {
		c = *p++;
		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, min = 0x80, c &= 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, min = 0x800, c &= 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, min = 0x10000, c &= 0x07;
		else
			return 0;
		if ((size_t)(e - p) < need)
			return 0;
		for (k = 0; k < need; k++, p++) {
			if ((*p & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (*p & 0x3f);
		}
		/* Overlong forms, UTF-16 surrogates, past U+10FFFF. */
		if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
			return 0;
	}
	return 1;
}

void
jw_str(struct jsonw *w, const char *key, const char *s)
{
	size_t n = strlen(s);

	if (!jw_utf8_ok(s, n))
		w->bad = 2;
	member(w, key);
	json_add_string(&w->b, (struct slice){ s, n });
}

void
jw_int(struct jsonw *w, const char *key, int64_t v)
{
	member(w, key);
	if (v < 0) {
		sbuf_addc(&w->b, '-');
		sbuf_add_u64(&w->b, (uint64_t)0 - (uint64_t)v);
	} else {
		sbuf_add_u64(&w->b, (uint64_t)v);
	}
}

void
jw_bool(struct jsonw *w, const char *key, int v)
{
	member(w, key);
	sbuf_add(&w->b, v ? "true" : "false");
}

int
jw_finish(struct jsonw *w, const char *limit_name, size_t *len)
{
	if (w->bad == 2)
		return err_set(ERR_USAGE, "a value is not valid UTF-8");
	if (w->bad || w->depth != 0)
		return err_set(ERR_FAIL, "JSON writer: unbalanced or deeper than "
		    "LIM_JSONW_DEPTH = %d", LIM_JSONW_DEPTH);
	if (w->b.overflow)
		return err_limit("request body", limit_name, w->b.cap - 1);
	*len = w->b.len;   /* sbuf keeps it NUL-terminated */
	return 0;
}
