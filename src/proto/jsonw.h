/*
 * jsonw.h: the one writer of the JSON bodies iksctl sends.
 *
 * A struct jsonw appends to a caller's buffer: objects and arrays are
 * opened and closed, members are named by key (NULL inside an array),
 * commas are placed by the writer.  Strings are escaped per RFC 8259
 * (quote, backslash and control characters; anything else passes as
 * UTF-8, which is checked: a string that is not UTF-8 is refused).  The
 * buffer bounds the body; going over it, nesting past LIM_JSONW_DEPTH or
 * an unbalanced close is an error at jw_finish(), never a cut body.
 */
#ifndef IKSCTL_JSONW_H
#define IKSCTL_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"
#include "base/str.h"

struct jsonw {
	struct sbuf b;                  /* the body so far */
	int depth;                      /* open objects and arrays */
	unsigned char first[LIM_JSONW_DEPTH]; /* 1: no member yet at that depth */
	char close[LIM_JSONW_DEPTH];    /* '}' or ']' for each open depth */
	int bad;                        /* an error: 1 depth, 2 not UTF-8 */
};

/* jw_init: start an empty body in buf[cap]. */
void jw_init(struct jsonw *w, char *buf, size_t cap);

/* jw_open: open an object ('{') or array ('[') as member key (or NULL). */
void jw_open(struct jsonw *w, const char *key, char kind);

/* jw_close: close the innermost object or array. */
void jw_close(struct jsonw *w);

/* jw_str, jw_int, jw_bool: a member (key NULL inside an array). */
void jw_str(struct jsonw *w, const char *key, const char *s);
void jw_int(struct jsonw *w, const char *key, int64_t v);
void jw_bool(struct jsonw *w, const char *key, int v);

/*
 * jw_finish: 0 with *len the body's length (NUL-terminated) if every
 * value fit and every open was closed; else ERR_LIMIT naming the
 * buffer's limit (limit_name), or ERR_USAGE for a string that is not
 * UTF-8.
 */
int jw_finish(struct jsonw *w, const char *limit_name, size_t *len);

/* jw_utf8_ok: 1 if s[0..n) is well-formed UTF-8 (RFC 3629). */
int jw_utf8_ok(const char *s, size_t n);

#endif
