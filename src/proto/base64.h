/*
 * base64.h: base64 encoding (RFC 4648 section 4, for HTTP Basic
 * credentials) and a liberal decoder for JWT parts (section 5).
 * The caller owns every buffer; nothing here allocates.
 */
#ifndef IKSCTL_BASE64_H
#define IKSCTL_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

/*
 * base64_encode: append p[n] to b in the standard alphabet with `=`
 * padding.  Returns the number of characters it appends (4 per 3
 * bytes, rounded up); overflow is recorded in b (check sbuf_ok).
 */
size_t base64_encode(struct sbuf *b, const uint8_t *p, size_t n);

/*
 * base64url_decode: decode in into out[cap], its length into *out_len.
 * Both alphabets (`-_` and `+/`) are accepted, and trailing `=` padding
 * may be there or not; any other byte, `=` before the end, or a length
 * that no encoding has is ERR_BASE64.  Returns 0, ERR_BASE64, or
 * ERR_LIMIT if the result does not fit in cap bytes.
 */
int base64url_decode(struct slice in, uint8_t *out, size_t cap,
    size_t *out_len);

#endif
