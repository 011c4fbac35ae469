/*
 * test.h: a tiny plain-C test runner.
 *
 * CHECK(cond) counts one assertion; TEST(name) declares a test function;
 * RUN(name) runs it; test_done() prints "N passed, N failed" and returns
 * the exit status.  guard_copy() places bytes so that they end right
 * before a PROT_NONE page: any read past the end crashes the test.
 */
#ifndef IKSCTL_TEST_H
#define IKSCTL_TEST_H

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int test_passed;  /* assertions that held */
static int test_failed;  /* assertions that did not */

#define CHECK(cond) do { \
	if (cond) { \
		test_passed++; \
	} else { \
		test_failed++; \
		fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_EQ_INT(a, b) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ == b_) { \
		test_passed++; \
	} else { \
		test_failed++; \
		fprintf(stderr, "FAIL %s:%d: %s == %s (%lld != %lld)\n", \
		    __FILE__, __LINE__, #a, #b, a_, b_); \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *a_ = (a), *b_ = (b); \
	if (a_ && b_ && strcmp(a_, b_) == 0) { \
		test_passed++; \
	} else { \
		test_failed++; \
		fprintf(stderr, "FAIL %s:%d: %s == \"%s\" (got \"%s\")\n", \
		    __FILE__, __LINE__, #a, b_ ? b_ : "(null)", \
		    a_ ? a_ : "(null)"); \
	} \
} while (0)

#define TEST(name) static void name(void)
#define RUN(name) do { name(); } while (0)

static inline int
test_done(void)
{
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed == 0 && test_passed > 0 ? 0 : 1;
}

/*
 * guard_copy: copy n bytes of src into a mapping so that the copy ends
 * exactly at a PROT_NONE page.  Returns the copy; release it with
 * guard_free(p, n).  Aborts the test binary if mmap fails.
 */
static inline char *
guard_copy(const void *src, size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = (n + page - 1) / page + 1;
	char *base = mmap(NULL, pages * page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (base == MAP_FAILED) {
		perror("mmap");
		_exit(2);
	}
	if (mprotect(base + (pages - 1) * page, page, PROT_NONE) != 0) {
		perror("mprotect");
		_exit(2);
	}
	memcpy(base + (pages - 1) * page - n, src, n);
	return base + (pages - 1) * page - n;
}

static inline void
guard_free(char *p, size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = (n + page - 1) / page + 1;
	char *base = p + n - (pages - 1) * page;

	munmap(base, pages * page);
}

#endif
