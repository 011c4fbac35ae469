/*
 * strstr.c: strstr for the static musl builds.
 *
 * musl's strstr is the two-way algorithm with special cases for needles
 * of two to four bytes: about 1.2 KB of code on aarch64, to guarantee
 * linear time on hostile input.  iksctl's needles are constants of a
 * few bytes ("://", "\r\n", a PEM header), searched in its own strings
 * and in the CA bundle, where a first byte that matches is rare; so a
 * first-byte scan (strchr) and a compare (strncmp) do the same work in
 * a few instructions.  Worst case O(n * m) with m at most 27 (the PEM
 * header), on files and strings iksctl already bounds.
 *
 * Compiled in only where IKSCTL_OWN_STRSTR is defined (the musl targets'
 * toolchains/<triple>.mk) and linked only into the shipped binary, like
 * strerror.c; tests/unit/test_strstr.c compiles it with
 * IKSCTL_STRSTR_TEST, which renames the function own_strstr, and checks
 * it against the C library's.
 */
#include <string.h>

#if defined(IKSCTL_OWN_STRSTR) || defined(IKSCTL_STRSTR_TEST)

#ifdef IKSCTL_STRSTR_TEST
#define STRSTR_NAME own_strstr
char *own_strstr(const char *h, const char *n);
#else
#define STRSTR_NAME strstr
#endif

char *
STRSTR_NAME(const char *h, const char *n)
{
	size_t k = strlen(n);

	if (k == 0)
		return (char *)h;
	for (; (h = strchr(h, n[0])) != NULL; h++)
		if (strncmp(h, n, k) == 0)
			return (char *)h;
	return NULL;
}

#endif
