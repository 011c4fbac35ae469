/*
 * zip.c: the zip reader (see zip.h).
 *
 * The End Of Central Directory record is searched for backwards from the
 * end of the buffer, past an archive comment of up to 65535 bytes; it
 * gives the central directory, whose entries are authoritative.  Local
 * headers are read only for the length of their own name and extra
 * field (which may differ from the central ones) and to cross-check the
 * method: their sizes and CRC may be zero (data descriptors, flag bit 3)
 * or zip64 placeholders, so they are ignored.  All offsets are checked
 * as "offset <= len && len - offset >= need", which cannot overflow.
 */
#include "proto/zip.h"
#include "proto/inflate.h"
#include "base/errors.h"
#include "base/limits.h"

#include <string.h>

#define SIG_LOCAL    0x04034b50u  /* local file header */
#define SIG_CENTRAL  0x02014b50u  /* central directory file header */
#define SIG_END      0x06054b50u  /* end of central directory record */
#define LOCAL_LEN    30           /* fixed part of a local header */
#define CENTRAL_LEN  46           /* fixed part of a central header */
#define END_LEN      22           /* fixed part of the end record */
#define COMMENT_MAX  65535        /* longest archive comment */
#define FLAG_ENCRYPTED 0x0001     /* general purpose bit 0 */
#define ZIP64_MARK   0xffffffffu  /* a 32-bit field moved to zip64 */

struct zip_dir {
	size_t off;   /* offset of the central directory in the archive */
	size_t size;  /* its size in bytes */
};

static uint32_t
get16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t
get32(const uint8_t *p)
{
	return get16(p) | get16(p + 2) << 16;
}

/* corrupt: record a detail about the archive; returns ERR_ZIP. */
static int
corrupt(const char *why)
{
	return err_set(ERR_ZIP, "%s", why);
}

/* entry_err: record a detail naming entry e; returns ERR_ZIP. */
static int
entry_err(const struct zip_entry *e, const char *why)
{
	return err_set(ERR_ZIP, "%.*s: %s", (int)e->name.n, e->name.p, why);
}

/*
 * dir_check: fill d from the end record at zip + pos.  Returns 0, or
 * ERR_ZIP for a multi-disk or zip64 archive or a directory that is not
 * inside the bytes before the record.
 */
static int
dir_check(const uint8_t *p, size_t pos, struct zip_dir *d)
{
	uint32_t n = get16(p + 10), size = get32(p + 12), off = get32(p + 16);

	if (get16(p + 4) != 0 || get16(p + 6) != 0 || get16(p + 8) != n)
		return corrupt("multi-disk zip archive");
	if (n == 0xffff || size == ZIP64_MARK || off == ZIP64_MARK)
		return corrupt("zip64 archive");
	if (off > pos || pos - off < size)
		return corrupt("central directory out of bounds");
	if ((n == 0) != (size == 0))
		return corrupt("bad entry count");
	d->off = off;
	d->size = size;
	return 0;
}

/* dir_find: locate the central directory; returns 0 or ERR_ZIP. */
static int
dir_find(const uint8_t *zip, size_t len, struct zip_dir *d)
{
	size_t pos, stop;
	const uint8_t *p;

	if (len < END_LEN)
		return corrupt("too short");
	pos = len - END_LEN;
	stop = pos > COMMENT_MAX ? pos - COMMENT_MAX : 0;
	for (;;) {
		p = zip + pos;
		if (get32(p) == SIG_END && get16(p + 20) <= len - pos - END_LEN)
			return dir_check(p, pos, d);
		if (pos == stop)
			return corrupt("no end of central directory");
		pos--;
	}
}

/* dir_next: the entry at *cursor in d; 1, 0 at the end, or ERR_ZIP. */
static int
dir_next(const uint8_t *zip, const struct zip_dir *d, size_t *cursor,
    struct zip_entry *e)
{
	const uint8_t *p;
	size_t left, n;

	if (*cursor > d->size)
		return corrupt("bad cursor");
	left = d->size - *cursor;
	if (left == 0)
		return 0;
	p = zip + d->off + *cursor;
	if (left < CENTRAL_LEN || get32(p) != SIG_CENTRAL)
		return corrupt("bad central header");
	n = CENTRAL_LEN + (size_t)get16(p + 28) + get16(p + 30) +
	    get16(p + 32);
	if (n > left)
		return corrupt("central header overruns");
	e->name.p = (const char *)p + CENTRAL_LEN;
	e->name.n = get16(p + 28);
	e->flags = (uint16_t)get16(p + 8);
	e->method = (uint16_t)get16(p + 10);
	e->crc = get32(p + 16);
	e->comp_size = get32(p + 20);
	e->size = get32(p + 24);
	e->local_offset = get32(p + 42);
	*cursor += n;
	return 1;
}

int
zip_next(const uint8_t *zip, size_t len, size_t *cursor, struct zip_entry *e)
{
	struct zip_dir d = { 0 };
	int r;

	if ((r = dir_find(zip, len, &d)) < 0)
		return r;
	return dir_next(zip, &d, cursor, e);
}

/* name_matches: 1 if name is a file whose base name is prefix*suffix. */
static int
name_matches(struct slice name, const char *prefix, const char *suffix)
{
	size_t np = strlen(prefix), ns = strlen(suffix), i = name.n;
	struct slice base;

	if (name.n == 0 || name.p[name.n - 1] == '/')
		return 0;
	while (i > 0 && name.p[i - 1] != '/')
		i--;
	base.p = name.p + i;
	base.n = name.n - i;
	return base.n >= np + ns && slice_starts(base, prefix) &&
	    memcmp(base.p + base.n - ns, suffix, ns) == 0;
}

int
zip_find_suffix(const uint8_t *zip, size_t len, const char *prefix,
    const char *suffix, struct zip_entry *e)
{
	struct zip_dir d = { 0 };
	size_t cursor = 0;
	int r;

	if ((r = dir_find(zip, len, &d)) < 0)
		return r;
	while ((r = dir_next(zip, &d, &cursor, e)) > 0)
		if (name_matches(e->name, prefix, suffix))
			return 0;
	if (r < 0)
		return r;
	return err_set(ERR_ZIP_MISSING, "no %s*%s in the zip", prefix, suffix);
}

/* entry_check: refuse what zip_extract cannot do; 0 or an error. */
static int
entry_check(const struct zip_entry *e, size_t cap)
{
	if (e->flags & FLAG_ENCRYPTED)
		return entry_err(e, "encrypted");
	if (e->comp_size == ZIP64_MARK || e->size == ZIP64_MARK ||
	    e->local_offset == ZIP64_MARK)
		return entry_err(e, "zip64 entry");
	if (e->method != ZIP_METHOD_STORED && e->method != ZIP_METHOD_DEFLATE)
		return entry_err(e, "unknown method");
	if (e->method == ZIP_METHOD_STORED && e->comp_size != e->size)
		return entry_err(e, "stored sizes differ");
	if (e->size > cap)
		return err_limit("zip entry", "LIM_ZIP_ENTRY_BYTES", cap);
	return 0;
}

/*
 * local_data: check e's local header; *data gets the offset of its
 * comp_size bytes of data, all inside the archive.  Returns 0 or ERR_ZIP.
 */
static int
local_data(const uint8_t *zip, size_t len, const struct zip_entry *e,
    size_t *data)
{
	size_t off = e->local_offset, hdr;
	const uint8_t *p;

	if (off > len || len - off < LOCAL_LEN)
		return entry_err(e, "local header out of bounds");
	p = zip + off;
	if (get32(p) != SIG_LOCAL)
		return entry_err(e, "bad local header");
	if (get16(p + 8) != e->method || (get16(p + 6) & FLAG_ENCRYPTED))
		return entry_err(e, "local header mismatch");
	hdr = LOCAL_LEN + (size_t)get16(p + 26) + get16(p + 28);
	if (len - off < hdr || len - off - hdr < e->comp_size)
		return entry_err(e, "data out of bounds");
	*data = off + hdr;
	return 0;
}

int
zip_extract(const uint8_t *zip, size_t len, const struct zip_entry *e,
    uint8_t *out, size_t cap, size_t *out_len)
{
	size_t data = 0;
	int r;

	*out_len = 0;
	if ((r = entry_check(e, cap)) < 0 ||
	    (r = local_data(zip, len, e, &data)) < 0)
		return r;
	if (e->method == ZIP_METHOD_STORED) {
		if (e->size > 0)
			memcpy(out, zip + data, e->size);
		*out_len = e->size;
	} else {
		/* Inflating into exactly size bytes bounds a zip bomb. */
		r = inflate_raw(zip + data, e->comp_size, out, e->size,
		    out_len);
		if (r == ERR_LIMIT)
			return entry_err(e, "data longer than size");
		if (r < 0)
			return r;
		if (*out_len != e->size)
			return entry_err(e, "data shorter than size");
	}
	if (crc32_update(0, out, *out_len) != e->crc)
		return entry_err(e, "CRC-32 mismatch");
	return 0;
}
