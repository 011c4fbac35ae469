/*
 * mallocwrap.c: count libc heap calls made by iksctl (bench only).
 *
 * Linked into a second iksctl with
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
 * from the same objects as build/iksctl (main.o, libiksctl.a,
 * libmbedtls.a).  Every reference to those four symbols, ours, mbedTLS's
 * and those inside the static musl libc.a members pulled in, goes through
 * the __wrap_ functions below, which count and forward to the real ones.
 * At exit the counts are appended as one line to the file named by
 * $IKSCTL_BENCH_MALLOC_LOG (stderr when unset):
 *   malloc=N calloc=N realloc=N free=N bytes=N
 * where bytes is the sum of the sizes asked for (calls made from inside
 * another of the four, such as musl's calloc calling malloc, count
 * once, as the outer call), followed by
 * " at=0xADDR,..." : the callers (return addresses) of the first 16
 * malloc/calloc/realloc calls, for addr2line.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t m, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t m, size_t n);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

static unsigned long n_malloc, n_calloc, n_realloc, n_free, n_bytes;
static void *callers[16];
static unsigned n_callers;
static int depth;       /* > 0 inside a wrapper: musl's calloc calls malloc */

#define NOTE_CALLER() do { \
	if (n_callers < sizeof callers / sizeof callers[0]) \
		callers[n_callers++] = __builtin_return_address(0); \
} while (0)

void *__wrap_malloc(size_t n)
{
	void *r;

	if (depth++ == 0) {
		n_malloc++;
		NOTE_CALLER();
		n_bytes += n;
	}
	r = __real_malloc(n);
	depth--;
	return r;
}

void *__wrap_calloc(size_t m, size_t n)
{
	void *r;

	if (depth++ == 0) {
		n_calloc++;
		NOTE_CALLER();
		n_bytes += m * n;
	}
	r = __real_calloc(m, n);
	depth--;
	return r;
}

void *__wrap_realloc(void *p, size_t n)
{
	void *r;

	if (depth++ == 0) {
		n_realloc++;
		NOTE_CALLER();
		n_bytes += n;
	}
	r = __real_realloc(p, n);
	depth--;
	return r;
}

void __wrap_free(void *p)
{
	if (depth++ == 0 && p)
		n_free++;
	__real_free(p);
	depth--;
}

static char *put(char *o, const char *end, const char *k, unsigned long v)
{
	char d[24];
	int i = 0;

	while (*k && o < end)
		*o++ = *k++;
	do {
		d[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i < (int)sizeof d);
	while (i > 0 && o < end)
		*o++ = d[--i];
	return o;
}

static char *hex(char *o, const char *end, const char *k, unsigned long v)
{
	int sh;

	while (*k && o < end)
		*o++ = *k++;
	if (o + 2 < end) {
		*o++ = '0';
		*o++ = 'x';
	}
	for (sh = (int)sizeof v * 8 - 4; sh >= 0 && o < end; sh -= 4)
		*o++ = "0123456789abcdef"[(v >> sh) & 15];
	return o;
}

__attribute__((destructor)) static void report(void)
{
	char line[640], *o = line, *end = line + sizeof line - 1;
	unsigned i;
	const char *f = getenv("IKSCTL_BENCH_MALLOC_LOG");
	int fd = 2;

	o = put(o, end, "malloc=", n_malloc);
	o = put(o, end, " calloc=", n_calloc);
	o = put(o, end, " realloc=", n_realloc);
	o = put(o, end, " free=", n_free);
	o = put(o, end, " bytes=", n_bytes);
	for (i = 0; i < n_callers; i++)
		o = hex(o, end, i ? "," : " at=", (unsigned long)callers[i]);
	*o++ = '\n';
	if (f && *f)
		fd = open(f, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd >= 0) {
		ssize_t r = write(fd, line, (size_t)(o - line));
		(void)r;
		if (fd != 2)
			close(fd);
	}
}
