/*
 * kubeconfig.h: a bounded reader of the YAML that kubectl writes, and
 * the merge of one cluster's entries into such a file.
 *
 * The reader takes the document as (p, n) and never copies it: events
 * are byte ranges into the caller's bytes, which tile the document in
 * order.  It understands the subset that `kubectl config view --raw`
 * and `kubectl config set-*` write: block mappings and sequences
 * (items at any one column, "- " at column 0 as kubectl writes them),
 * plain and quoted scalars (a quoted or plain one may go on over more
 * indented lines), literal and folded blocks, comments, and the empty
 * forms `[]`, `{}` and `null`.  Anything else (anchors, aliases, tags,
 * flow collections, several documents, directives, tabs and other
 * control characters, a key given twice at the top) is refused with
 * the line number and why, so that a file we cannot read exactly is
 * never rewritten.  The scanner holds no buffer: its state is a few
 * words in struct kc_scan, which the caller owns.
 */
#ifndef IKSCTL_KUBECONFIG_H
#define IKSCTL_KUBECONFIG_H

#include <stddef.h>

#include "base/str.h"

/* The top-level keys the merge changes; anything else is KC_OTHER. */
enum { KC_CLUSTERS, KC_CONTEXTS, KC_USERS, KC_CURRENT, KC_OTHER };

enum {
	KC_EV_KEY,      /* a top-level entry: its line and those under it */
	KC_EV_HEAD,     /* a list's key line (and comments before its items) */
	KC_EV_ITEM,     /* one item of a list, comments after it included */
	KC_EV_END       /* the end of a list (an empty range) */
};

struct kc_ev {
	int kind;               /* KC_EV_* */
	int sect;               /* KC_CLUSTERS ... KC_OTHER */
	size_t start, end;      /* its bytes [start, end) */
	size_t tail;            /* where the blank and comment lines at its
	                         * end start (kept when it is replaced) */
	unsigned col;           /* ITEM, END: the list's column */
	int empty;              /* HEAD: written `[]`, `null` or `~` */
	struct slice name;      /* ITEM: its name as written, or empty */
};

struct kc_scan {
	const char *p;          /* the document (the caller's) */
	size_t n;               /* its length */
	size_t at;              /* where the next line starts */
	unsigned line;          /* the line last read, from 1 */
	const char *why;        /* a refusal: what is outside the subset */
	int quote;              /* the quote of a scalar going on, or 0 */
	unsigned opaque;        /* lines indented more go on a scalar, or ~0u */
	int open;               /* an event is open */
	struct kc_ev ev;        /* the open event */
	int list;               /* the open list's KC_*, or -1 */
	int icol;               /* its item column, or -1 */
	unsigned kcol;          /* the open item's key column */
	int end_due;            /* a KC_EV_END is to come next */
	unsigned seen;          /* bit per KC_* key met at the top */
};

/* kc_scan_init: start reading the n bytes at p. */
void kc_scan_init(struct kc_scan *s, const char *p, size_t n);

/*
 * kc_next: the next event into *ev.  Returns 1, 0 at the end, or
 * ERR_FAIL with s->line and s->why saying what was refused.
 */
int kc_next(struct kc_scan *s, struct kc_ev *ev);

/* kc_scalar_eq: 1 if the scalar as written (plain or quoted) is s. */
int kc_scalar_eq(struct slice raw, const char *s);

/*
 * kc_merge: into out, the document old[n] with the cluster, context
 * and user entries named name and the current-context of the
 * kubeconfig neu[nn] (one cluster's, as kube_config writes it) put in:
 * an entry of that name is replaced where it stands (a second one goes),
 * else added at the end of its list; every other byte of old is kept.
 * Returns 0, ERR_FAIL (old refused: s->line, s->why) or ERR_LIMIT if
 * out is full.
 */
int kc_merge(struct kc_scan *s, const char *old, size_t n, const char *neu,
    size_t nn, const char *name, struct sbuf *out);

/*
 * kc_fill: append template t to b, each byte 1 to 7 in it replaced by
 * the value v[byte - 1]: JSON-quoted (valid YAML too) for 1 to 4,
 * base64-encoded for 5 to 7.  b's overflow flag says if it all fit.
 */
void kc_fill(struct sbuf *b, const char *t, const struct slice *v);

#endif
