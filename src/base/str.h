/*
 * str.h: bounded strings.
 *
 * A `struct slice` points into bytes someone else owns (usually a
 * receive buffer); it is not NUL-terminated.  A `struct sbuf` appends
 * into a caller-owned fixed array and remembers if anything did not fit:
 * check sbuf_ok() once at the end instead of after every append.  The
 * parse helpers take a `const char **cursor` and advance it only on
 * success.  No function here allocates.
 */
#ifndef IKSCTL_STR_H
#define IKSCTL_STR_H

#include <stddef.h>
#include <stdint.h>

struct slice {
	const char *p;  /* first byte; not NUL-terminated */
	size_t n;       /* length in bytes */
};

struct sbuf {
	char *p;        /* caller's array, always NUL-terminated */
	size_t len;     /* bytes used, without the NUL */
	size_t cap;     /* size of p, including room for the NUL */
	int overflow;   /* nonzero once an append did not fit */
};

#define SLICE_LIT(s) ((struct slice){ (s), sizeof(s) - 1 })

/* slice_of: a slice over a NUL-terminated string (NULL gives empty). */
struct slice slice_of(const char *s);

/* slice_eq: 1 if a equals the NUL-terminated s, byte for byte. */
int slice_eq(struct slice a, const char *s);

/* slice_eq_nocase: 1 if a equals s ignoring ASCII case. */
int slice_eq_nocase(struct slice a, const char *s);

/* slice_starts: 1 if a starts with the NUL-terminated prefix. */
int slice_starts(struct slice a, const char *prefix);

/* slice_trim: the slice without leading and trailing spaces and tabs. */
struct slice slice_trim(struct slice a);

/*
 * slice_copy: copy a into dst (size cap) with a NUL.  Returns 0, or
 * ERR_LIMIT (with a detail naming `what`) if it does not fit; dst is
 * then the empty string.
 */
int slice_copy(char *dst, size_t cap, struct slice a, const char *what);

/* str_copy: the same for a NUL-terminated src. */
int str_copy(char *dst, size_t cap, const char *src, const char *what);

/* sbuf_init: start an empty sbuf over buf[cap] (cap >= 1). */
void sbuf_init(struct sbuf *b, char *buf, size_t cap);

/* sbuf_add, sbuf_add_slice, sbuf_add_mem, sbuf_addc: append. */
void sbuf_add(struct sbuf *b, const char *s);
void sbuf_add_slice(struct sbuf *b, struct slice s);
void sbuf_add_mem(struct sbuf *b, const void *p, size_t n);
void sbuf_addc(struct sbuf *b, char c);

/* sbuf_addf: append printf-style; an output that does not fit overflows. */
void sbuf_addf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* sbuf_add_u64: append a decimal number. */
void sbuf_add_u64(struct sbuf *b, uint64_t v);

/* sbuf_ok: 0 if everything fit, else ERR_LIMIT naming `what`. */
int sbuf_ok(const struct sbuf *b, const char *what);

/*
 * parse_u64: parse decimal digits at *cursor (up to end) into *out, at
 * most max.  Advances *cursor past the digits on success.  Returns 0, or
 * ERR_RANGE with *cursor unchanged if there is no digit or the value is
 * over max.
 */
int parse_u64(const char **cursor, const char *end, uint64_t max,
    uint64_t *out);

/* parse_hex: the same for hexadecimal digits. */
int parse_hex(const char **cursor, const char *end, uint64_t max,
    uint64_t *out);

/* str_to_u64: the whole NUL-terminated s must be a number <= max. */
int str_to_u64(const char *s, uint64_t max, uint64_t *out);

/* mem_wipe: zero n bytes at p in a way the compiler cannot drop. */
void mem_wipe(void *p, size_t n);

#endif
