/*
 * json.c: JSON over jsmn (see json.h).
 *
 * This is the only translation unit with jsmn's code, made static by
 * JSMN_STATIC.  jsmn runs in its default (lax) mode: check_text() below
 * has already checked the whole grammar, which is stricter than
 * JSMN_STRICT, and JSMN_STRICT in 1.1.0 also refuses a bare top-level
 * number.  check_text() also refuses NUL bytes, at which jsmn would stop.
 * Text and tokens belong to the caller; nothing here allocates.
 */
#define JSMN_STATIC
#define JSMN_PARENT_LINKS
#include "jsmn.h"

#include "proto/json.h"
#include "base/errors.h"
#include "base/limits.h"

#include <limits.h>
#include <string.h>

/* Results of the grammar check besides 0. */
#define BAD_INVAL  (-2)   /* not JSON */
#define BAD_PART   (-3)   /* JSON cut short */
#define BAD_DEPTH  (-4)   /* nested deeper than LIM_JSON_DEPTH */
#define BAD_EMPTY  (-5)   /* only white space */

/* What the grammar check expects next (bits). */
#define W_VALUE  1   /* a value */
#define W_KEY    2   /* a string key */
#define W_CLOSE  4   /* or the closing bracket of an empty container */
#define W_COLON  8   /* the colon after a key */
#define W_AFTER 16   /* a comma, a closing bracket, or the end */

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* need_digits: skip one or more digits at *k; 0, BAD_PART or BAD_INVAL. */
static int
need_digits(const char *s, size_t n, size_t *k)
{
	size_t j = *k;

	while (j < n && s[j] >= '0' && s[j] <= '9')
		j++;
	if (j == *k)
		return j == n ? BAD_PART : BAD_INVAL;
	*k = j;
	return 0;
}

/* check_number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? at *i. */
static int
check_number(const char *s, size_t n, size_t *i)
{
	size_t k = *i;
	int r = 0;

	if (s[k] == '-')
		k++;
	if (k < n && s[k] == '0')
		k++;
	else if ((r = need_digits(s, n, &k)) != 0)
		goto out;
	if (k < n && s[k] == '.') {
		k++;
		if ((r = need_digits(s, n, &k)) != 0)
			goto out;
	}
	if (k < n && (s[k] == 'e' || s[k] == 'E')) {
		k++;
		if (k < n && (s[k] == '+' || s[k] == '-'))
			k++;
		r = need_digits(s, n, &k);
	}
out:
	*i = k;
	return r;
}

/* check_word: true, false or null at *i. */
static int
check_word(const char *s, size_t n, size_t *i)
{
	const char *w = s[*i] == 't' ? "true" : s[*i] == 'f' ? "false" :
	    s[*i] == 'n' ? "null" : "";
	size_t k = *i;

	if (*w == '\0')
		return BAD_INVAL;
	for (; *w != '\0'; w++, k++) {
		if (k == n)
			return BAD_PART;
		if (s[k] != *w)
			return BAD_INVAL;
	}
	*i = k;
	return 0;
}

/* check_string: a string starting at the quote at *i. */
static int
check_string(const char *s, size_t n, size_t *i)
{
	size_t k, h;
	unsigned char c;

	for (k = *i + 1; k < n; k++) {
		c = (unsigned char)s[k];
		if (c == '"') {
			*i = k + 1;
			return 0;
		}
		if (c < 0x20)
			return BAD_INVAL;
		if (c != '\\')
			continue;
		if (++k == n)
			return BAD_PART;
		if (s[k] != 'u') {
			if (s[k] == '\0' || strchr("\"\\/bfnrt", s[k]) == NULL)
				return BAD_INVAL;
			continue;
		}
		for (h = 0; h < 4; h++) {
			if (++k == n)
				return BAD_PART;
			c = (unsigned char)(s[k] | 0x20);
			if (!((s[k] >= '0' && s[k] <= '9') ||
			    (c >= 'a' && c <= 'f')))
				return BAD_INVAL;
		}
	}
	return BAD_PART;
}

static int
check_scalar(const char *s, size_t n, size_t *i)
{
	char c = s[*i];

	if (c == '"')
		return check_string(s, n, i);
	if (c == '-' || (c >= '0' && c <= '9'))
		return check_number(s, n, i);
	return check_word(s, n, i);
}

/*
 * check_text: the whole of s[n] must be one JSON value.  Returns 0 or
 * BAD_*, with *at the start of the value or character found bad.  The
 * stack of open containers holds their closing brackets.
 */
static int
check_text(const char *s, size_t n, size_t *at)
{
	char stack[LIM_JSON_DEPTH];
	int depth = 0, want = W_VALUE, r = 0;
	size_t i = 0;
	char c;

	while (r == 0) {
		while (i < n && is_ws(s[i]))
			i++;
		if (i == n)
			break;
		*at = i;
		c = s[i];
		if (want == W_COLON) {
			r = c == ':' ? 0 : BAD_INVAL;
			want = W_VALUE;
			i++;
		} else if ((want & (W_CLOSE | W_AFTER)) && depth > 0 &&
		    c == stack[depth - 1]) {
			depth--;
			want = W_AFTER;
			i++;
		} else if (want == W_AFTER) {
			r = c == ',' && depth > 0 ? 0 : BAD_INVAL;
			want = depth > 0 && stack[depth - 1] == '}' ? W_KEY :
			    W_VALUE;
			i++;
		} else if (want & W_KEY) {
			r = c == '"' ? check_string(s, n, &i) : BAD_INVAL;
			want = W_COLON;
		} else if (c == '{' || c == '[') {
			if (depth == LIM_JSON_DEPTH)
				return BAD_DEPTH;
			stack[depth++] = c == '{' ? '}' : ']';
			want = c == '{' ? W_KEY | W_CLOSE : W_VALUE | W_CLOSE;
			i++;
		} else {
			r = check_scalar(s, n, &i);
			want = W_AFTER;
		}
	}
	if (r != 0)
		return r;
	if (depth == 0 && want == W_AFTER)
		return 0;
	return want == W_VALUE && depth == 0 ? BAD_EMPTY : BAD_PART;
}

int
json_check(const char *js, size_t len)
{
	size_t at = 0;
	int r;

	if (len > INT_MAX)
		return err_limit("JSON document", "INT_MAX bytes", INT_MAX);
	r = check_text(js, len, &at);
	if (r == BAD_DEPTH)
		return err_limit("JSON nesting", "LIM_JSON_DEPTH",
		    LIM_JSON_DEPTH);
	if (r == BAD_EMPTY)
		return err_set(ERR_JSON, "empty");
	if (r == BAD_PART)
		return err_set(ERR_JSON, "truncated");
	if (r != 0)
		return err_set(ERR_JSON, "invalid at byte %zu", at);
	return 0;
}

int
json_parse(struct json_doc *d, const char *js, size_t len, jsmntok_t *tok,
    int cap)
{
	jsmn_parser p;
	int r;

	d->js = js;
	d->len = len;
	d->tok = tok;
	d->ntok = 0;
	d->cap = cap;
	if ((r = json_check(js, len)) != 0)
		return r;
	jsmn_init(&p);
	r = jsmn_parse(&p, js, len, tok, cap > 0 ? (unsigned)cap : 0);
	if (r == JSMN_ERROR_NOMEM)
		return err_limit("JSON tokens", "LIM_JSON_TOKENS",
		    (size_t)(cap > 0 ? cap : 0));
	if (r < 0)
		return err_set(ERR_JSON, "invalid");
	d->ntok = r;
	return 0;
}

/* json_next: tokens are in text order, so search for the first after i. */
int
json_next(const struct json_doc *d, int i)
{
	int lo = i + 1, hi = d->ntok, mid;

	if (i < 0 || i >= d->ntok)
		return -1;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (d->tok[mid].start < d->tok[i].end)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

enum json_type
json_type(const struct json_doc *d, int i)
{
	if (i < 0 || i >= d->ntok)
		return JSON_NONE;
	switch (d->tok[i].type) {
	case JSMN_OBJECT:
		return JSON_OBJECT;
	case JSMN_ARRAY:
		return JSON_ARRAY;
	case JSMN_STRING:
		return JSON_STRING;
	default:
		break;
	}
	switch (d->js[d->tok[i].start]) {
	case 't':
		return JSON_TRUE;
	case 'f':
		return JSON_FALSE;
	case 'n':
		return JSON_NULL;
	default:
		return JSON_NUMBER;
	}
}

int
json_size(const struct json_doc *d, int i)
{
	enum json_type t = json_type(d, i);

	return t == JSON_OBJECT || t == JSON_ARRAY ? d->tok[i].size : 0;
}

int
json_get(const struct json_doc *d, int obj, const char *key)
{
	int k, j = obj + 1;
	int n = json_type(d, obj) == JSON_OBJECT ? d->tok[obj].size : 0;

	for (k = 0; k < n; k++, j = json_next(d, j + 1))
		if (json_str_eq(d, j, key))
			return j + 1;
	return -1;
}

int
json_at(const struct json_doc *d, int arr, int n)
{
	int j = arr + 1;

	if (json_type(d, arr) != JSON_ARRAY || n < 0 || n >= d->tok[arr].size)
		return -1;
	while (n-- > 0)
		j = json_next(d, j);
	return j;
}

struct slice
json_raw(const struct json_doc *d, int i)
{
	struct slice s = { "", 0 };

	if (i >= 0 && i < d->ntok) {
		s.p = d->js + d->tok[i].start;
		s.n = (size_t)(d->tok[i].end - d->tok[i].start);
	}
	return s;
}

/* hex4: the 4 hex digits at p (already checked). */
static uint32_t
hex4(const char *p)
{
	uint64_t v = 0;

	(void)parse_hex(&p, p + 4, 0xffff, &v);
	return (uint32_t)v;
}

/* utf8_put: code point cp as UTF-8 into u; returns its length. */
static int
utf8_put(char *u, uint32_t cp)
{
	static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };
	int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4, k;

	for (k = n - 1; k > 0; k--) {
		u[k] = (char)(0x80 | (cp & 0x3f));
		cp >>= 6;
	}
	u[0] = (char)(lead[n] | cp);
	return n;
}

/*
 * unescape: the escape at s.p[k] (a backslash) into u[4]; *adv gets its
 * length in s.  Returns the bytes in u or ERR_JSON.
 */
static int
unescape(struct slice s, size_t k, char *u, size_t *adv)
{
	static const char in[] = "\"\\/bfnrt", out[] = "\"\\/\b\f\n\r\t";
	uint32_t cp, lo;

	*adv = 2;
	if (s.p[k + 1] != 'u') {
		u[0] = out[strchr(in, s.p[k + 1]) - in];
		return 1;
	}
	cp = hex4(s.p + k + 2);
	*adv = 6;
	if (cp >= 0xd800 && cp < 0xdc00 && k + 12 <= s.n &&
	    s.p[k + 6] == '\\' && s.p[k + 7] == 'u') {
		lo = hex4(s.p + k + 8);
		if (lo >= 0xdc00 && lo < 0xe000) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			*adv = 12;
		}
	}
	if (cp >= 0xd800 && cp < 0xe000)
		return err_set(ERR_JSON, "lone surrogate in a string");
	return utf8_put(u, cp);
}

int
json_str_chunk(const struct json_doc *d, int i, size_t *off, char *out,
    size_t cap)
{
	struct slice s = json_raw(d, i);
	size_t k = *off, w = 0, adv = 1;
	char u[4];
	int n = 1;

	if (json_type(d, i) != JSON_STRING)
		return err_set(ERR_JSON_FIELD, "not a string");
	while (k < s.n) {
		u[0] = s.p[k];
		if (u[0] == '\\' && (n = unescape(s, k, u, &adv)) < 0)
			return n;
		if ((size_t)n > cap - w)
			break;
		memcpy(out + w, u, (size_t)n);
		w += (size_t)n;
		k += adv;
		n = 1;
		adv = 1;
	}
	*off = k;
	return (int)w;
}

int
json_str(const struct json_doc *d, int i, char *out, size_t cap)
{
	size_t off = 0, len = 0, n = json_raw(d, i).n;
	int r;

	if (cap == 0)
		return err_limit("JSON string", "its buffer", 0);
	out[0] = '\0';
	while ((r = json_str_chunk(d, i, &off, out + len, cap - 1 - len)) > 0)
		len += (size_t)r;
	if (r == 0 && memchr(out, '\0', len) != NULL)
		r = err_set(ERR_JSON, "\\u0000 in a string");
	if (r < 0 || off < n) {
		out[0] = '\0';
		return r < 0 ? r : err_limit("JSON string", "its buffer",
		    cap - 1);
	}
	out[len] = '\0';
	return (int)len;
}

int
json_str_eq(const struct json_doc *d, int i, const char *s)
{
	struct slice raw = json_raw(d, i);
	size_t off = 0, at = 0, n = strlen(s);
	char buf[64];
	int r;

	if (json_type(d, i) != JSON_STRING)
		return 0;
	if (memchr(raw.p, '\\', raw.n) == NULL)
		return slice_eq(raw, s);
	while ((r = json_str_chunk(d, i, &off, buf, sizeof(buf))) > 0) {
		if ((size_t)r > n - at || memcmp(buf, s + at, (size_t)r) != 0)
			return 0;
		at += (size_t)r;
	}
	return r == 0 && at == n;
}

int
json_i64(const struct json_doc *d, int i, int64_t *v)
{
	struct slice s = json_raw(d, i);
	const char *p = s.p;
	uint64_t u;
	int neg = s.n > 0 && *p == '-';

	p += neg;
	if (json_type(d, i) != JSON_NUMBER ||
	    parse_u64(&p, s.p + s.n, (uint64_t)INT64_MAX + (uint64_t)neg,
	    &u) != 0 || p != s.p + s.n)
		return err_set(ERR_JSON_FIELD, "not an integer in range");
	*v = neg ? -(int64_t)(u - 1) - 1 : (int64_t)u;
	return 0;
}

int
json_bool(const struct json_doc *d, int i, int *v)
{
	enum json_type t = json_type(d, i);

	if (t != JSON_TRUE && t != JSON_FALSE)
		return err_set(ERR_JSON_FIELD, "not a boolean");
	*v = t == JSON_TRUE;
	return 0;
}

/* field_err: ERR_JSON_FIELD saying whether key is missing or mistyped. */
static int
field_err(const struct json_doc *d, int obj, const char *key,
    const char *what)
{
	if (json_get(d, obj, key) < 0)
		return err_set(ERR_JSON_FIELD, "'%s' is missing", key);
	return err_set(ERR_JSON_FIELD, "'%s' is not %s", key, what);
}

int
json_get_str(const struct json_doc *d, int obj, const char *key, char *out,
    size_t cap)
{
	int r = json_str(d, json_get(d, obj, key), out, cap);

	if (r == ERR_LIMIT)
		return err_limit(key, "its buffer", cap > 0 ? cap - 1 : 0);
	if (r == ERR_JSON_FIELD)
		return field_err(d, obj, key, "a string");
	return r;
}

int
json_get_i64(const struct json_doc *d, int obj, const char *key, int64_t *v)
{
	if (json_i64(d, json_get(d, obj, key), v) != 0)
		return field_err(d, obj, key, "an integer");
	return 0;
}

void
json_add_string(struct sbuf *b, struct slice s)
{
	size_t k, run = 0;
	unsigned char c;

	sbuf_addc(b, '"');
	for (k = 0; k < s.n; k++) {
		c = (unsigned char)s.p[k];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sbuf_add_mem(b, s.p + run, k - run);
		run = k + 1;
		if (c < 0x20)
			sbuf_addf(b, "\\u%04x", c);
		else
			sbuf_add_mem(b, (const char[]){ '\\', (char)c }, 2);
	}
	sbuf_add_mem(b, s.p + run, s.n - run);
	sbuf_addc(b, '"');
}

int
json_write_compact(struct slice raw, json_emit emit, void *ctx)
{
	size_t k, run = 0;
	int in_str = 0, r;

	for (k = 0; k < raw.n; k++) {
		if (in_str) {
			if (raw.p[k] == '\\')
				k++;
			else if (raw.p[k] == '"')
				in_str = 0;
		} else if (raw.p[k] == '"') {
			in_str = 1;
		} else if (is_ws(raw.p[k])) {
			if (k > run &&
			    (r = emit(ctx, raw.p + run, k - run)) != 0)
				return r;
			run = k + 1;
		}
	}
	return raw.n > run ? emit(ctx, raw.p + run, raw.n - run) : 0;
}

static int
emit_sbuf(void *ctx, const char *p, size_t n)
{
	sbuf_add_mem(ctx, p, n);
	return 0;
}

void
json_compact(struct sbuf *b, struct slice raw)
{
	(void)json_write_compact(raw, emit_sbuf, b);
}
