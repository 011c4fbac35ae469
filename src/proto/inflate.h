/*
 * inflate.h: one-shot RFC 1951 raw deflate decoder and the zip CRC-32.
 *
 * The whole compressed stream is in memory and the caller owns both the
 * input and the output buffer; nothing here allocates.  The decoder is
 * small rather than fast: Huffman codes are canonical tables built at
 * run time and decoded one bit at a time, which is plenty for the few
 * hundred kilobytes of a cluster's config zip.
 */
#ifndef IKSCTL_INFLATE_H
#define IKSCTL_INFLATE_H

#include <stddef.h>
#include <stdint.h>

/*
 * inflate_raw: decode the raw deflate stream in[in_len] (stored, fixed
 * and dynamic Huffman blocks) into out[out_cap]; *out_len gets the
 * number of bytes written.  Bytes after the final block are ignored.
 * Never reads past in[in_len - 1] nor writes past out[out_cap - 1].
 * Returns 0; ERR_LIMIT (naming LIM_ZIP_ENTRY_BYTES with out_cap) if the
 * output does not fit; ERR_INFLATE with a detail if the stream is
 * malformed or truncated.
 */
int inflate_raw(const uint8_t *in, size_t in_len, uint8_t *out,
    size_t out_cap, size_t *out_len);

/*
 * crc32_update: the zip (IEEE 802.3, reflected) CRC-32 of p[n],
 * continuing from crc; start with crc = 0.  Returns the new CRC.
 */
uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n);

#endif
