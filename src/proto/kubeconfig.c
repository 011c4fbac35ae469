/*
 * kubeconfig.c: the line-based reader of kubectl's YAML and the merge
 * of one cluster's entries (see kubeconfig.h).
 *
 * Each line is read once.  Its structure is its indentation, the "- "
 * that start sequence items, and a key before ": "; a value is only
 * checked to be a plain or quoted scalar, a block scalar's indicator
 * or an empty `[]` / `{}`.  A scalar may go on over the lines after
 * it: a quoted one until its closing quote, a plain or block one over
 * the lines indented more than its key (s->opaque); those lines are
 * text.  Events close at the line that starts the next one (a key at
 * column 0, an item at the list's column), which is then read again
 * with the scanner's state as it was before it.
 */
#include "proto/kubeconfig.h"
#include "base/errors.h"
#include "proto/base64.h"
#include "proto/json.h"

#include <string.h>

static const char *const keys[] = { "clusters", "contexts", "users",
	"current-context" };

struct line {
	size_t start, end;      /* its bytes, the '\n' included */
	unsigned indent;        /* leading spaces */
	int text;               /* no structure: 1 a scalar's, 2 blank or comment */
	int dash;               /* starts with "- " */
	unsigned col;           /* where the key (or value) after the dashes is */
	struct slice key;       /* the key before ':', or empty */
	struct slice val;       /* its value as written, or empty */
};

static int
refuse(struct kc_scan *s, const char *why)
{
	s->why = why;
	return ERR_FAIL;
}

/* quoted_end: past the quote q that closes a scalar from c, or NULL. */
static const char *
quoted_end(const char *c, const char *e, int q)
{
	for (; c < e; c++) {
		if (*c == '\\' && q == '"' && c + 1 < e)
			c++;
		else if (*c == q && q == '\'' && c + 1 < e && c[1] == '\'')
			c++;
		else if (*c == q)
			return c + 1;
	}
	return NULL;
}

/*
 * token: the end of the scalar at c (a key's, up to ": ", or a value's),
 * or NULL if it is outside the subset.  An unclosed quote goes on to
 * the next lines (s->quote).
 */
static const char *
token(struct kc_scan *s, const char *c, const char *e)
{
	const char *t;

	if (*c == '"' || *c == '\'') {
		if ((t = quoted_end(c + 1, e, *c)) != NULL)
			return t;
		s->quote = *c;
		return e;
	}
	if (memchr("&*!%@`", *c, 6) != NULL) {
		s->why = "an anchor, alias, tag or directive";
		return NULL;
	}
	if (*c == '[' || *c == '{') {
		if (c + 1 < e && c[1] == *c + 2)        /* [] or {} */
			return c + 2;
		s->why = "a flow collection";
		return NULL;
	}
	if (*c == '|' || *c == '>')
		return e;                       /* a block: the lines below */
	for (t = c; t < e; t++)
		if ((*t == ':' && (t + 1 == e || t[1] == ' ')) ||
		    (*t == '#' && t[-1] == ' '))
			break;
	while (t > c && t[-1] == ' ')
		t--;
	return t;
}

/* line_read: read and check the next line into *L. */
static int
line_read(struct kc_scan *s, struct line *L)
{
	const char *b = s->p + s->at, *e, *c, *t;

	e = memchr(b, '\n', s->n - s->at);
	if (e == NULL)
		e = s->p + s->n;
	memset(L, 0, sizeof(*L));
	L->start = s->at;
	s->at = L->end = (size_t)(e - s->p) + (e < s->p + s->n);
	if (e > b && e[-1] == '\r')
		e--;            /* a CRLF line (a file edited on Windows) */
	s->line++;
	L->text = 1;
	for (c = b; c < e; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return refuse(s, "a tab or control character");
	for (c = b; c < e && *c == ' '; c++)
		;
	L->indent = (unsigned)(c - b);
	if (s->quote) {
		if ((t = quoted_end(c, e, s->quote)) == NULL)
			return 0;
		s->quote = 0;
		goto tail;
	}
	if (c == e || *c == '#')
		L->text = 2;
	if (L->text == 2 || L->indent > s->opaque)
		return 0;
	s->opaque = ~0u;
	if (c == b && e - c >= 3 && (*c == '-' || *c == '.') &&
	    c[1] == *c && c[2] == *c)
		return refuse(s, "a document marker");
	L->text = 0;
	while (*c == '-' && (c + 1 == e || c[1] == ' ')) {
		L->dash = 1;
		for (c++; c < e && *c == ' '; c++)
			;
		L->col = L->indent + 2;
		if (c == e)
			return 0;       /* the item's keys on the lines below */
	}
	L->col = (unsigned)(c - b);
	if (*c == '#')
		return 0;
	if ((t = token(s, c, e)) == NULL)
		return ERR_FAIL;
	if (t < e && *t == ':' && !s->quote) {
		L->key = (struct slice){ c, (size_t)(t - c) };
		for (c = t + 1; c < e && *c == ' '; c++)
			;
		if (c == e || *c == '#')
			return 0;
		if ((t = token(s, c, e)) == NULL)
			return ERR_FAIL;
	}
	L->val = (struct slice){ c, (size_t)(t - c) };
	s->opaque = L->col;
tail:
	while (t < e && *t == ' ')
		t++;
	return t == e || *t == '#' ? 0 : refuse(s, "text after a value");
}

void
kc_scan_init(struct kc_scan *s, const char *p, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->p = p;
	s->n = n;
	s->opaque = ~0u;
	s->open = 1;            /* the lines before the first key */
	s->ev.sect = KC_OTHER;
	s->icol = -1;
	s->list = -1;
}

int
kc_scalar_eq(struct slice raw, const char *s)
{
	/* Quotes off, escapes not read: s (a key, a cluster's name) has none. */
	if (raw.n >= 2 && (*raw.p == '"' || *raw.p == '\'') &&
	    raw.p[raw.n - 1] == *raw.p) {
		raw.p++;
		raw.n -= 2;
	}
	return slice_eq(raw, s);
}

/* open_ev: the event that line L (a boundary) starts. */
static int
open_ev(struct kc_scan *s, const struct line *L)
{
	int k;

	s->open = 1;
	memset(&s->ev, 0, sizeof(s->ev));
	s->ev.start = L->start;
	s->ev.tail = L->end;
	if (L->dash) {                          /* an item of s->list */
		s->icol = (int)L->indent;
		s->kcol = L->col;
		s->ev.kind = KC_EV_ITEM;
		s->ev.sect = s->list;
		s->ev.col = L->indent;
		if (kc_scalar_eq(L->key, "name"))
			s->ev.name = L->val;
		return 0;
	}
	if (L->key.n == 0)
		return refuse(s, "not key: value");
	for (k = 0; k < KC_OTHER && !kc_scalar_eq(L->key, keys[k]); k++)
		;
	s->ev.sect = k;
	s->list = s->icol = -1;
	if (k == KC_OTHER)
		return 0;
	if (s->seen & 1u << k)
		return refuse(s, "a key twice");
	s->seen |= 1u << k;
	if (k == KC_CURRENT)
		return 0;
	s->ev.kind = KC_EV_HEAD;
	if (L->val.n == 0)
		s->list = k;
	else if (slice_eq(L->val, "[]") || slice_eq(L->val, "null") ||
	    slice_eq(L->val, "~"))
		s->ev.empty = 1;
	else
		return refuse(s, "not a list");
	return 0;
}

/* inner: line L inside the open event. */
static int
inner(struct kc_scan *s, const struct line *L)
{
	if (s->ev.kind == KC_EV_HEAD)
		return refuse(s, "not a list");
	if (s->ev.tail == 0)            /* before the first key */
		return refuse(s, "not key: value");
	if (s->list < 0)
		return 0;
	if (L->indent <= (unsigned)s->icol)
		return refuse(s, "bad indentation");
	if (L->col == s->kcol && kc_scalar_eq(L->key, "name"))
		s->ev.name = L->val;
	return 0;
}

int
kc_next(struct kc_scan *s, struct kc_ev *ev)
{
	struct line L;
	size_t at;
	unsigned line, opaque;
	int r, quote, top;

	for (;;) {
		if (s->end_due) {
			memset(ev, 0, sizeof(*ev));
			ev->kind = KC_EV_END;
			ev->sect = s->list;
			ev->start = ev->end = ev->tail = s->at;
			ev->col = s->icol < 0 ? 0 : (unsigned)s->icol;
			s->end_due = 0;
			s->list = -1;
			return 1;
		}
		at = s->at;
		if (at >= s->n) {
			if (s->quote)
				return refuse(s, "an unclosed quote");
			if (!s->open)
				return 0;
			top = 1;
		} else {
			line = s->line;
			quote = s->quote;
			opaque = s->opaque;
			if ((r = line_read(s, &L)) != 0)
				return r;
			if (L.text) {
				if (L.text == 1)
					s->ev.tail = L.end;
				continue;
			}
			top = L.indent == 0 && !L.dash;
			if (!top && !(s->list >= 0 && L.dash &&
			    (s->icol < 0 || L.indent == (unsigned)s->icol))) {
				if ((r = inner(s, &L)) != 0)
					return r;
				s->ev.tail = L.end;
				continue;
			}
			if (!s->open) {
				if ((r = open_ev(s, &L)) != 0)
					return r;
				continue;
			}
			/* Read this line again once the open event is out. */
			s->line = line;
			s->quote = quote;
			s->opaque = opaque;
			s->at = at;
		}
		s->open = 0;
		s->end_due = top && s->list >= 0;
		*ev = s->ev;
		ev->end = at;
		if (ev->end > ev->start)
			return 1;
	}
}

static int crlf;        /* the old document's lines end with CRLF */

/*
 * put: the lines of [p, e), each indented by col more, the last one
 * ended if the document ended without it, each ended as old's are.
 */
static void
put(struct sbuf *o, const char *p, const char *e, unsigned col)
{
	const char *q;
	size_t n;
	unsigned k;

	for (; p < e; p = q) {
		q = memchr(p, '\n', (size_t)(e - p));
		q = q != NULL ? q + 1 : e;
		for (k = 0; k < col; k++)
			sbuf_addc(o, ' ');
		n = (size_t)(q - p) - (q[-1] == '\n');
		sbuf_add_mem(o, p, n);
		if (crlf && (n == 0 || p[n - 1] != '\r'))
			sbuf_addc(o, '\r');
		sbuf_addc(o, '\n');
	}
}

int
kc_merge(struct kc_scan *s, const char *old, size_t n, const char *neu,
    size_t nn, const char *name, struct sbuf *out)
{
	struct slice part[KC_OTHER + 1], *pt; /* ours, in neu */
	const char *eol;
	struct kc_ev ev;
	unsigned done = 0, bit;
	int r;

	memset(part, 0, sizeof(part));
	kc_scan_init(s, neu, nn);
	while ((r = kc_next(s, &ev)) > 0)
		if ((ev.kind == KC_EV_ITEM || ev.sect == KC_CURRENT) &&
		    part[ev.sect].n == 0)
			part[ev.sect] = (struct slice){ neu + ev.start,
			    ev.end - ev.start };
	if (r < 0)
		return r;
	/* Lines end as old's first does (a lone last line too). */
	eol = memchr(old, '\n', n);
	eol = eol != NULL ? eol : old + n;
	crlf = eol > old && eol[-1] == '\r';
	kc_scan_init(s, old, n);
	for (;;) {
		if ((r = kc_next(s, &ev)) < 0)
			return r;
		if (r == 0) {           /* then the keys old did not have */
			for (ev.sect = 0; ev.sect < KC_OTHER &&
			    (done & 1u << ev.sect); ev.sect++)
				;
			if (ev.sect == KC_OTHER)
				break;
			ev.kind = KC_EV_HEAD;
			ev.empty = ev.sect < KC_CURRENT;
			ev.start = ev.end = ev.tail = n;
		}
		bit = 1u << ev.sect;
		pt = &part[ev.sect];
		if (ev.kind == KC_EV_END || (ev.kind == KC_EV_ITEM &&
		    kc_scalar_eq(ev.name, name))) {
			if (!(done & bit))
				put(out, pt->p, pt->p + pt->n, ev.col);
			done |= bit;
			ev.start = ev.tail;
		} else if (ev.empty || ev.sect == KC_CURRENT) {
			if (ev.empty) {         /* clusters: [] */
				sbuf_add(out, keys[ev.sect]);
				put(out, &":\n"[0], &":\n"[2], 0);
			}
			put(out, pt->p, pt->p + pt->n, 0);
			done |= bit;
			ev.start = ev.tail;
		}
		put(out, old + ev.start, old + ev.end, 0);
	}
	return out->overflow ? ERR_LIMIT : 0;
}

void
kc_fill(struct sbuf *b, const char *t, const struct slice *v)
{
	const struct slice *x;
	size_t n;

	for (;;) {
		n = strcspn(t, "\1\2\3\4\5\6\7");
		sbuf_add_mem(b, t, n);
		if (t[n] == '\0')
			return;
		x = &v[t[n] - 1];
		if (t[n] > 4)
			base64_encode(b, (const uint8_t *)x->p, x->n);
		else
			json_add_string(b, *x);
		t += n + 1;
	}
}
