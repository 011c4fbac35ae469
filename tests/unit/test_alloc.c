/*
 * test_alloc.c: the static-arena allocator of src/base/alloc.c, compiled
 * here with IKSCTL_ALLOC_TEST as arena_malloc, arena_calloc,
 * arena_realloc and arena_free, so that the test program itself keeps
 * the C library's allocator (and, on the host, ASan's).
 */
#define IKSCTL_ALLOC_TEST 1
#include "base/alloc.c"
#include "test.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#define ARENA ((size_t)LIM_LIBC_HEAP_BYTES)
#define BIG (ARENA - HDR)        /* the largest request the arena holds */

static uint64_t rng = 12345;

static unsigned
rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rng >> 33) % n;
}

static int
in_arena(const void *p, size_t n)
{
	const char *c = p, *h = (const char *)heap;

	return c >= h + HDR && c + n <= h + ARENA;
}

/* whole: the arena is one free block again (one of all its bytes). */
static int
whole(void)
{
	void *p = arena_malloc(BIG);

	arena_free(p);
	return p != NULL;
}

TEST(test_alignment)
{
	void *p[64];
	size_t i;

	for (i = 0; i < 64; i++) {
		p[i] = arena_malloc(i * 7);
		CHECK(p[i] != NULL && ((uintptr_t)p[i] & 15) == 0);
		CHECK(in_arena(p[i], i * 7));
		memset(p[i], (int)i, i * 7);
	}
	for (i = 1; i < 64; i++)         /* no block overlaps another */
		CHECK(p[i] != p[i - 1] && ((unsigned char *)p[i])[0] == i &&
		    ((unsigned char *)p[i])[i * 7 - 1] == i);
	for (i = 0; i < 64; i++)
		arena_free(p[i]);
	arena_free(NULL);
	CHECK(whole());
}

TEST(test_reuse_never_exhausts)
{
	static const size_t sizes[] = { 1, 16, 24, 98, 100, 256, 1000, 2080,
	    2100, 4096, 5000 };
	unsigned char *slot[32] = { 0 };
	size_t len[32] = { 0 };
	int i, ok = 1, intact = 1;
	unsigned k;

	for (i = 0; i < 100000; i++) {
		k = rnd(32);
		if (slot[k] != NULL) {
			if (slot[k][0] != (unsigned char)k ||
			    slot[k][len[k] - 1] != (unsigned char)k)
				intact = 0;
			arena_free(slot[k]);
			slot[k] = NULL;
			continue;
		}
		len[k] = sizes[rnd(sizeof(sizes) / sizeof(sizes[0]))] + rnd(16);
		if ((slot[k] = arena_malloc(len[k])) == NULL) {
			ok = 0;
			break;
		}
		slot[k][0] = slot[k][len[k] - 1] = (unsigned char)k;
	}
	CHECK(ok);
	CHECK(intact);
	for (k = 0; k < 32; k++)
		arena_free(slot[k]);
	CHECK(whole());
}

TEST(test_coalescing)
{
	static void *p[512];
	size_t i, n = 0;

	/* The arena full, freed in every order: forwards, backwards, odd
	 * then even. */
	while (n < 512 && (p[n] = arena_malloc(900)) != NULL)
		n++;
	CHECK(n > 200 && n < 512);
	for (i = 0; i < n; i++)
		arena_free(p[i]);
	CHECK(whole());
	for (i = 0; i < n; i++)
		p[i] = arena_malloc(900);
	for (i = n; i-- > 0;)
		arena_free(p[i]);
	CHECK(whole());
	for (i = 0; i < n; i++)
		p[i] = arena_malloc(900);
	for (i = 1; i < n; i += 2)
		arena_free(p[i]);
	CHECK(arena_malloc(2000) == NULL);   /* only 928-byte holes */
	for (i = 0; i < n; i += 2)
		arena_free(p[i]);
	CHECK(whole());
	/* A hole between two freed neighbours holds their three sizes. */
	p[0] = arena_malloc(1000);
	p[1] = arena_malloc(1000);
	p[2] = arena_malloc(1000);
	p[3] = arena_malloc(1000);
	arena_free(p[1]);
	arena_free(p[0]);
	arena_free(p[2]);
	CHECK(arena_malloc(3 * 1000 + 2 * HDR) == p[0]);
	arena_free(p[0]);
	arena_free(p[3]);
	CHECK(whole());
}

TEST(test_realloc)
{
	unsigned char *p, *q, *r;
	size_t i;
	int same = 1;

	p = arena_realloc(NULL, 100);       /* as malloc */
	CHECK(p != NULL);
	for (i = 0; i < 100; i++)
		p[i] = (unsigned char)i;
	q = arena_malloc(10);               /* p cannot grow in place */
	r = arena_realloc(p, 5000);         /* grow: moved, contents kept */
	CHECK(r != NULL && r != p && ((uintptr_t)r & 15) == 0);
	for (i = 0; r != NULL && i < 100; i++)
		same &= r[i] == (unsigned char)i;
	CHECK(same);
	p = arena_realloc(r, 40);           /* shrink: in place */
	CHECK(p == r);
	for (i = 0, same = 1; i < 40; i++)
		same &= p[i] == (unsigned char)i;
	CHECK(same);
	r = arena_malloc(4000);             /* the rest was given back */
	CHECK(r != NULL && r < p + 5000);
	CHECK(arena_realloc(p, BIG) == NULL && errno == ENOMEM);
	CHECK(p[39] == 39);                 /* a failed realloc keeps p */
	CHECK(arena_realloc(p, SIZE_MAX) == NULL);
	arena_free(r);
	arena_free(q);
	arena_free(p);
	CHECK(whole());
}

TEST(test_calloc)
{
	unsigned char *p;
	size_t i;
	int zero = 1;

	p = arena_malloc(3000);
	memset(p, 0xa5, 3000);
	arena_free(p);
	p = arena_calloc(300, 10);          /* the same, dirty bytes */
	CHECK(p != NULL);
	for (i = 0; p != NULL && i < 3000; i++)
		zero &= p[i] == 0;
	CHECK(zero);
	arena_free(p);
	errno = 0;
	CHECK(arena_calloc(SIZE_MAX / 2 + 1, 2) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(arena_calloc(2, SIZE_MAX / 2 + 1) == NULL && errno == ENOMEM);
	CHECK(arena_calloc(ARENA, ARENA) == NULL);
	p = arena_calloc(0, 5);
	CHECK(p != NULL);
	arena_free(p);
	CHECK(whole());
}

TEST(test_exhaustion)
{
	static void *p[512];
	size_t n = 0, i;

	errno = 0;
	CHECK(arena_malloc(BIG + 1) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(arena_malloc(SIZE_MAX) == NULL && errno == ENOMEM);
	while (n < 512 && (p[n] = arena_malloc(1000)) != NULL)
		n++;
	CHECK(n > 0 && n < 512);
	CHECK(errno == ENOMEM);
	CHECK(arena_malloc(1000) == NULL);
	arena_free(p[n / 2]);                /* room again, in the middle */
	p[n / 2] = arena_malloc(1000);
	CHECK(p[n / 2] != NULL);
	for (i = 0; i < n; i++)
		arena_free(p[i]);
	CHECK(whole());
	p[0] = arena_malloc(BIG);
	CHECK(p[0] != NULL && arena_malloc(0) == NULL);
	arena_free(p[0]);
	p[0] = arena_malloc(0);              /* a unique pointer */
	p[1] = arena_malloc(0);
	CHECK(p[0] != NULL && p[1] != NULL && p[0] != p[1]);
	arena_free(p[0]);
	arena_free(p[1]);
	CHECK(whole());
}

int
main(void)
{
	RUN(test_alignment);
	RUN(test_reuse_never_exhausts);
	RUN(test_coalescing);
	RUN(test_realloc);
	RUN(test_calloc);
	RUN(test_exhaustion);
	return test_done();
}
