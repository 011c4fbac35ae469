/*
 * json_scan.h: the element scanner, which reads a JSON text of any size
 * in the memory of its largest element.
 *
 * The text arrives in pieces of any size (a body as the network hands it
 * over).  The scanner walks the outer containers the caller chooses to
 * split, checking their grammar itself (brackets, commas, colons, keys),
 * and hands every other value over whole: it finds the value's bounds,
 * collects its bytes in the caller's buffer and passes them on, to be
 * parsed by json_parse() one at a time.  So a list of 20 000 elements
 * costs one element's bytes and tokens.  It does not check a taken
 * value's insides: the caller's json_parse() does.
 *
 * For each value the caller is asked (begin) whether to split it or take
 * it; a split container's children are then offered one by one, and its
 * end is reported (close).  Scalars are always taken; past
 * JSCAN_DEPTH split levels everything is.  In sequence mode the text is
 * any number of top-level values separated by white space (a Kubernetes
 * watch: one event per line).  The caller owns the state and the buffer.
 */
#ifndef IKSCTL_JSON_SCAN_H
#define IKSCTL_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

#define JSCAN_DEPTH     16   /* containers split inside one another */
#define JSCAN_KEY_BYTES 512  /* a member's key kept (as LIM_QUERY_BYTES) */

enum jscan_how {
	JSCAN_TAKE = 0,   /* collect the value's bytes and pass them on */
	JSCAN_SPLIT = 1,  /* offer its children one by one */
};

/* What the scanner says about one value. */
struct jscan_val {
	int depth;              /* 0: a top-level value, 1: its children ... */
	long index;             /* its place among its container's children */
	struct slice key;       /* an object member's key as written (escapes
	                           kept), else empty */
	int key_cut;            /* 1: the key was longer than JSCAN_KEY_BYTES */
	char first;             /* its first byte: { [ " t f n - or a digit */
	uint64_t at;            /* offset of that byte in the whole text */
};

struct jscan_ops {
	/* begin: JSCAN_TAKE or JSCAN_SPLIT for v, or a negative code to stop. */
	int (*begin)(void *ctx, const struct jscan_val *v);
	/* value: a taken value's n bytes at p; 0 or a negative code. */
	int (*value)(void *ctx, const struct jscan_val *v, const char *p,
	    size_t n);
	/* close: a split container ended with n children; 0 or a code. */
	int (*close)(void *ctx, const struct jscan_val *v, long n);
};

/* One split container (or the top level, level 0). */
struct jscan_level {
	struct jscan_val v;     /* the container itself */
	int state;              /* what may come next (json_scan.c) */
	long n;                 /* children so far */
};

struct jscan {
	const struct jscan_ops *ops; /* the caller's callbacks */
	void *ctx;              /* their argument */
	char *buf;              /* the caller's buffer for one taken value */
	size_t cap;             /* its size */
	const char *cap_name;   /* the limit it stands for, for errors */
	int seq;                /* any number of top-level values */
	int err;                /* the first error, kept */
	uint64_t off;           /* bytes fed so far */
	int nlev;               /* split levels open, plus the top level */
	struct jscan_level lev[JSCAN_DEPTH + 1]; /* lev[0]: the top level */
	char key[JSCAN_DEPTH + 1][JSCAN_KEY_BYTES]; /* the current key per level */
	size_t keylen[JSCAN_DEPTH + 1]; /* its length as written */
	int kesc;               /* in a key: after a backslash (or \u digits left) */
	/* The value being taken. */
	int taking;             /* 1 while a value is collected */
	struct jscan_val tv;    /* which one */
	size_t tlen;            /* its bytes so far */
	int tdepth;             /* brackets open inside it */
	int tstr;               /* inside a string in it */
	int tesc;               /* after a backslash in that string */
	char tkind;             /* '"', '{', '[' or 's' (number or literal) */
};

/*
 * jscan_init: start scanning with ops and ctx, taking values into
 * buf[cap] (cap_name names the limit in errors); seq allows a sequence
 * of top-level values.
 */
void jscan_init(struct jscan *s, const struct jscan_ops *ops, void *ctx,
    char *buf, size_t cap, const char *cap_name, int seq);

/*
 * jscan_feed: scan n more bytes.  Returns 0; ERR_JSON with a detail
 * ("invalid at byte N") for a split level that breaks the grammar, or
 * for bytes after the top-level value; ERR_LIMIT naming cap_name and the
 * element's place when one taken value is longer than cap; or the first
 * nonzero result of a callback.  After an error every call returns it.
 */
int jscan_feed(struct jscan *s, const char *p, size_t n);

/*
 * jscan_end: the text is complete.  Returns 0, or ERR_JSON "truncated"
 * when a value is unfinished, "empty" when there was none (not in
 * sequence mode), or a callback's code (a number at the very end is
 * passed on here).
 */
int jscan_end(struct jscan *s);

/*
 * jscan_path: where v (the value being offered or taken) is, as a
 * path from the top: `.items[3].metadata.name`, `.[2]` (`.` for the top
 * value), into b.  Keys are written as they are in the text, unquoted.
 */
void jscan_path(const struct jscan *s, const struct jscan_val *v,
    struct sbuf *b);

/* jscan_sink: jscan_feed() as an http_sink (ctx is the struct jscan). */
int jscan_sink(void *ctx, const char *p, size_t n);

#endif
