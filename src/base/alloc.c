/*
 * alloc.c: malloc, calloc, realloc and free for the static musl builds.
 *
 * iksctl itself never allocates (make lint), and mbedTLS runs on its own
 * static arena (tls.c), but a few libc functions allocate internally:
 * opendir/closedir (a DIR of about 2 KB), getaddrinfo/freeaddrinfo (the
 * result list, about 100 bytes) and, through realpath and getcwd,
 * strdup.  mbedTLS's platform layer also names calloc and free as its
 * defaults until tls_init() installs its arena.  For these, musl would
 * link its mallocng (about 6 KB).  This file replaces it with a fixed,
 * bounded arena in .bss, LIM_LIBC_HEAP_BYTES: untouched .bss costs no
 * resident memory, and the first-fit search keeps the allocations at
 * its start.
 *
 * The arena is a sequence of blocks, each a 16-byte header (the block's
 * size, header included, a multiple of 16; the low bit set while in use)
 * then the caller's bytes, so every pointer returned is 16-byte aligned.
 * malloc takes the first free block that is big enough (first fit) and
 * splits off the rest; free merges the block with the free blocks that
 * follow it, and the search merges each run of free blocks it walks
 * through, so a freed block also joins a free predecessor, at the latest
 * when the next search passes it.  Freeing everything thus gives back
 * one block of the whole arena: a process that runs for days (the token
 * agent) never exhausts it by repeating the same calls.  Out of room,
 * the calls return NULL with errno ENOMEM.  realloc shrinks in place and
 * grows by allocating, copying and freeing.  iksctl is single-threaded:
 * there are no locks.
 *
 * Compiled in only where IKSCTL_OWN_ALLOC is defined (the musl targets'
 * toolchains/<triple>.mk) and linked only into the shipped binary (see
 * the Makefile): the host builds keep the C library's allocator, for
 * ASan and valgrind.  tests/unit/test_alloc.c compiles this file with
 * IKSCTL_ALLOC_TEST, which renames the four functions arena_malloc and
 * so on.
 */
#include "base/limits.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#if defined(IKSCTL_OWN_ALLOC) || defined(IKSCTL_ALLOC_TEST)

#ifdef IKSCTL_ALLOC_TEST
#define ALLOC_NAME(f) arena_##f
void *arena_malloc(size_t n);
void *arena_calloc(size_t m, size_t n);
void *arena_realloc(void *p, size_t n);
void arena_free(void *p);
#else
#define ALLOC_NAME(f) f
#endif

#define HDR 16                          /* header bytes; the alignment */
#define WORDS (LIM_LIBC_HEAP_BYTES / sizeof(size_t))

_Static_assert(LIM_LIBC_HEAP_BYTES % HDR == 0, "arena size");

static _Alignas(HDR) size_t heap[WORDS];

/* Offsets and sizes are in bytes; AT(off) is the header at offset off. */
#define AT(off) heap[(off) / sizeof(size_t)]
#define END ((size_t)LIM_LIBC_HEAP_BYTES)

/* merge: absorb the free blocks after the free block at off; its size. */
static size_t
merge(size_t off)
{
	size_t sz = AT(off) & ~(size_t)1, next;

	while (off + sz < END && !((next = AT(off + sz)) & 1))
		sz += next;
	AT(off) = sz | (AT(off) & 1);
	return sz;
}

/* cut: make the block at off sz bytes, in use; the rest becomes free. */
static void
cut(size_t off, size_t sz, size_t have)
{
	if (have > sz) {
		AT(off + sz) = have - sz;
		merge(off + sz);
	}
	AT(off) = sz | 1;
}

static void *
take(size_t n)
{
	size_t off = 0, sz, want;

	if (AT(0) == 0)                 /* first call: one free block */
		AT(0) = END;
	if (n <= END - HDR) {
		want = (n + 2 * HDR - 1) & ~(size_t)(HDR - 1);
		for (; off < END; off += sz) {
			if ((sz = AT(off)) & 1) {
				sz--;           /* in use */
				continue;
			}
			if ((sz = merge(off)) >= want) {
				cut(off, want, sz);
				return (char *)heap + off + HDR;
			}
		}
	}
	errno = ENOMEM;
	return NULL;
}

/* block: the offset of the header of the block at p. */
static size_t
block(void *p)
{
	return (size_t)((char *)p - (char *)heap) - HDR;
}

/* give: free the block at off. */
static void
give(size_t off)
{
	AT(off) &= ~(size_t)1;
	merge(off);
}

void *
ALLOC_NAME(malloc)(size_t n)
{
	return take(n);
}

void *
ALLOC_NAME(calloc)(size_t m, size_t n)
{
	size_t total;
	void *p;

	if (__builtin_mul_overflow(m, n, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	if ((p = take(total)) != NULL)
		memset(p, 0, total);
	return p;
}

void
ALLOC_NAME(free)(void *p)
{
	if (p != NULL)
		give(block(p));
}

void *
ALLOC_NAME(realloc)(void *p, size_t n)
{
	size_t off, have, want;
	void *q;

	if (p == NULL)
		return take(n);
	off = block(p);
	have = AT(off) & ~(size_t)1;
	if (n <= have - HDR) {          /* shrink (or same): in place */
		want = (n + 2 * HDR - 1) & ~(size_t)(HDR - 1);
		cut(off, want, have);
		return p;
	}
	if ((q = take(n)) != NULL) {
		memcpy(q, p, have - HDR);
		give(off);
	}
	return q;
}

#endif
