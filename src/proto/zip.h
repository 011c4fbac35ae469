/*
 * zip.h: read entries out of a zip archive held in memory.
 *
 * The archive is the caller's buffer (the body of a cluster's config
 * answer); entries are found through the central directory, which the
 * End Of Central Directory record locates, and names are slices into
 * that buffer.  Only what a config zip needs is supported: stored and
 * deflated entries, data descriptors, archive comments.  Encryption,
 * zip64 and multi-disk archives are refused.  Every offset and size is
 * checked against the buffer before use; nothing here allocates.
 */
#ifndef IKSCTL_ZIP_H
#define IKSCTL_ZIP_H

#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

#define ZIP_METHOD_STORED   0  /* entry data is stored as is */
#define ZIP_METHOD_DEFLATE  8  /* entry data is raw deflate */

struct zip_entry {
	struct slice name;      /* file name, a slice into the archive */
	uint16_t flags;         /* general purpose bit flags */
	uint16_t method;        /* ZIP_METHOD_* or another (refused) */
	uint32_t crc;           /* CRC-32 of the uncompressed data */
	uint32_t comp_size;     /* bytes of compressed data */
	uint32_t size;          /* bytes once uncompressed */
	uint32_t local_offset;  /* offset of the local file header */
};

/*
 * zip_next: the central directory entry at *cursor (start with
 * *cursor = 0), stored into *e; *cursor then moves to the next entry.
 * Returns 1 for an entry, 0 after the last one, or ERR_ZIP with a
 * detail if the archive is corrupt or is a zip64 or multi-disk archive.
 */
int zip_next(const uint8_t *zip, size_t len, size_t *cursor,
    struct zip_entry *e);

/*
 * zip_find_suffix: the first file entry (names ending in '/' are
 * folders and skipped) whose base name, after the last '/', starts
 * with prefix and ends with suffix ("ca-", ".pem"; "", ".yml").
 * Returns 0 with *e filled in, ERR_ZIP_MISSING if there is none, or
 * ERR_ZIP if the archive is corrupt.
 */
int zip_find_suffix(const uint8_t *zip, size_t len, const char *prefix,
    const char *suffix, struct zip_entry *e);

/*
 * zip_extract: uncompress entry e (from zip_next or zip_find_suffix on
 * the same buffer) into out[cap]; *out_len gets its size.  The size and
 * CRC-32 are checked against the central directory.  Returns 0;
 * ERR_LIMIT if the entry is larger than cap; ERR_ZIP for an encrypted,
 * zip64 or unknown-method entry, a bad local header, a size or CRC
 * mismatch; ERR_INFLATE for corrupt deflate data.
 */
int zip_extract(const uint8_t *zip, size_t len, const struct zip_entry *e,
    uint8_t *out, size_t cap, size_t *out_len);

#endif
