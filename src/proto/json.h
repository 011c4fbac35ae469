/*
 * json.h: JSON documents over jsmn, navigated by token index.
 *
 * json_parse() first checks the text against the full JSON grammar
 * (jsmn 1.1.0 accepts `[1 2]`, `{"a":1,}`, `tru`, control characters
 * in strings and trailing garbage, even with JSMN_STRICT), then lets
 * jsmn fill the caller's token array.  The tokens are jsmn's own
 * jsmntok_t, built with JSMN_PARENT_LINKS (closing brackets then cost
 * O(depth), not O(tokens)); this header pulls in jsmn's declarations
 * only, json.c is the one translation unit holding its (static) code.
 * No other file includes jsmn.h.
 *
 * The document points into the caller's bytes and tokens; nothing is
 * copied.  Token 0 is the top-level value.  Every index argument may be
 * -1 (a missing value): navigation then returns -1 and accessors fail,
 * so lookups chain without checks in between.
 */
#ifndef IKSCTL_JSON_H
#define IKSCTL_JSON_H

#ifndef JSMN_PARENT_LINKS
#define JSMN_PARENT_LINKS
#endif
#ifndef JSMN_H
#define JSMN_HEADER
#include "jsmn.h"
#endif

#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

enum json_type {
	JSON_NONE = 0,  /* no such value (index -1) */
	JSON_OBJECT,
	JSON_ARRAY,
	JSON_STRING,
	JSON_NUMBER,
	JSON_TRUE,
	JSON_FALSE,
	JSON_NULL,
};

struct json_doc {
	const char *js;   /* the text, owned by the caller */
	size_t len;       /* its length in bytes */
	jsmntok_t *tok;   /* the caller's token array */
	int ntok;         /* tokens in use */
	int cap;          /* size of tok */
};

/*
 * json_emit: the output callback of json_write_compact() and query_run():
 * it gets n bytes at p and returns 0 to go on or a negative error code
 * to stop (which is then returned).
 */
typedef int (*json_emit)(void *ctx, const char *p, size_t n);

/*
 * json_parse: parse js[len] into tok[cap].  Returns 0; ERR_JSON with a
 * detail ("invalid at byte N", "truncated", "empty") if the text is not
 * exactly one JSON value surrounded by optional white space; ERR_LIMIT
 * naming LIM_JSON_TOKENS when cap tokens are not enough, or
 * LIM_JSON_DEPTH when arrays and objects nest deeper.  Bytes >= 0x80 in
 * strings are not checked for valid UTF-8.
 */
int json_parse(struct json_doc *d, const char *js, size_t len,
    jsmntok_t *tok, int cap);

/* json_check: json_parse's check of the text alone, without tokens. */
int json_check(const char *js, size_t len);

/* json_next: the index after value i and everything inside it. */
int json_next(const struct json_doc *d, int i);

/* json_get: the value of key in object obj, or -1 (also if obj is not one). */
int json_get(const struct json_doc *d, int obj, const char *key);

/* json_at: element n of array arr, or -1. */
int json_at(const struct json_doc *d, int arr, int n);

/* json_size: members of an object or elements of an array, else 0. */
int json_size(const struct json_doc *d, int i);

/* json_type: the type of value i (JSON_NONE for -1). */
enum json_type json_type(const struct json_doc *d, int i);

/* json_raw: the bytes of value i; a string's without its quotes. */
struct slice json_raw(const struct json_doc *d, int i);

/*
 * json_str_chunk: unescape string i from raw offset *off (start at 0)
 * into out[cap] (cap >= 4, no NUL added) as far as it fits, advancing
 * *off.  Returns the bytes written, 0 when the string is done (or out
 * has no room for the next character), ERR_JSON_FIELD if i is not a
 * string, ERR_JSON for a lone surrogate.  \u0000 gives a NUL byte.
 */
int json_str_chunk(const struct json_doc *d, int i, size_t *off, char *out,
    size_t cap);

/*
 * json_str: string i unescaped into out[cap] with a NUL.  Returns the
 * length; ERR_JSON_FIELD if not a string, ERR_JSON as json_str_chunk
 * and for \u0000 (a C string cannot hold it), ERR_LIMIT if it does not
 * fit (out is then "").
 */
int json_str(const struct json_doc *d, int i, char *out, size_t cap);

/* json_str_eq: 1 if string i unescaped equals s, else 0. */
int json_str_eq(const struct json_doc *d, int i, const char *s);

/*
 * json_i64: integer i into *v.  Only integer JSON numbers (no fraction,
 * no exponent, no strings of digits) are accepted.  Returns 0, or
 * ERR_JSON_FIELD for another type or a value outside int64_t.
 */
int json_i64(const struct json_doc *d, int i, int64_t *v);

/* json_bool: true or false into *v (1 or 0); 0 or ERR_JSON_FIELD. */
int json_bool(const struct json_doc *d, int i, int *v);

/*
 * json_get_str, json_get_i64: json_str and json_i64 of the value of key
 * in obj.  Return as those, with ERR_JSON_FIELD and a detail naming key
 * when it is missing or mistyped (ERR_LIMIT names it too).
 */
int json_get_str(const struct json_doc *d, int obj, const char *key,
    char *out, size_t cap);
int json_get_i64(const struct json_doc *d, int obj, const char *key,
    int64_t *v);

/*
 * json_add_string: append s as a JSON string: quoted, with `"`, `\` and
 * control characters escaped (\u00XX); other bytes, UTF-8 included, are
 * copied as they are.  Overflow is recorded in b (check sbuf_ok).
 */
void json_add_string(struct sbuf *b, struct slice s);

/*
 * json_write_compact: pass the valid JSON raw to emit without the white
 * space outside strings, in runs that point into raw.  Returns 0 or the
 * first nonzero result of emit.
 */
int json_write_compact(struct slice raw, json_emit emit, void *ctx);

/* json_compact: the same, appended to b. */
void json_compact(struct sbuf *b, struct slice raw);

#endif
