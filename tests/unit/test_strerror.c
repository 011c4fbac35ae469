/*
 * test_strerror.c: the strerror of src/base/strerror.c, compiled here
 * with IKSCTL_STRERROR_TEST as errstr_text, so that the test program
 * keeps the C library's own.  The expected texts are musl 1.2.3's, as a
 * musl-gcc program printed them with strerror when the table was
 * written: the host's glibc words several differently.  Built for a
 * musl target (IKSCTL_OWN_STRERROR: the aarch64 and armv7 unit tests,
 * under qemu), the C library is musl itself, and every errno from -1 to
 * 4096 is also compared with its strerror: the same text, or musl's
 * "No error information" for those the table leaves out.
 */
#define IKSCTL_STRERROR_TEST 1
#include "base/strerror.c"
#include "test.h"

#include <errno.h>
#include <string.h>

#define NO_INFO "No error information"

static const struct {
	int e;
	const char *text;
} musl[] = {
	{ ENOENT, "No such file or directory" },
	{ EACCES, "Permission denied" },
	{ EPERM, "Operation not permitted" },
	{ ENOTDIR, "Not a directory" },
	{ EISDIR, "Is a directory" },
	{ ENOSPC, "No space left on device" },
	{ EDQUOT, "Quota exceeded" },
	{ EROFS, "Read-only file system" },
	{ EEXIST, "File exists" },
	{ ENOTEMPTY, "Directory not empty" },
	{ ELOOP, "Symbolic link loop" },
	{ ENAMETOOLONG, "Filename too long" },
	{ EBUSY, "Resource busy" },
	{ ETXTBSY, "Text file busy" },
	{ EXDEV, "Cross-device link" },
	{ EMFILE, "No file descriptors available" },
	{ ENFILE, "Too many open files in system" },
	{ EIO, "I/O error" },
	{ EINVAL, "Invalid argument" },
	{ ENXIO, "No such device or address" },
	{ EFBIG, "File too large" },
	{ ENOLCK, "No locks available" },
	{ ESTALE, "Stale file handle" },
	{ ECONNREFUSED, "Connection refused" },
	{ ECONNRESET, "Connection reset by peer" },
	{ ECONNABORTED, "Connection aborted" },
	{ ETIMEDOUT, "Operation timed out" },
	{ EHOSTUNREACH, "Host is unreachable" },
	{ ENETUNREACH, "Network unreachable" },
	{ ENETDOWN, "Network is down" },
	{ EADDRNOTAVAIL, "Address not available" },
	{ EAFNOSUPPORT, "Address family not supported by protocol" },
	{ EPIPE, "Broken pipe" },
	{ ENOTCONN, "Socket not connected" },
	{ EPROTO, "Protocol error" },
	{ EINTR, "Interrupted system call" },
	{ EAGAIN, "Resource temporarily unavailable" },
	{ ENOBUFS, "No buffer space available" },
	{ ENOMEM, "Out of memory" },
};

TEST(test_table)
{
	size_t i;

	CHECK_EQ_INT(sizeof(musl) / sizeof(musl[0]), sizeof(errno_key));
	for (i = 0; i < sizeof(musl) / sizeof(musl[0]); i++)
		CHECK_STR(errstr_text(musl[i].e), musl[i].text);
}

TEST(test_unknown)
{
	/* musl's text for 0, for values it has no text for, and outside. */
	static const int other[] = { 0, -1, -2, EDOM, ERANGE, ENOSYS, 41,
	    58, 256 + ENOENT, 4096, 0x7fffffff, -0x7fffffff - 1 };
	size_t i;

	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		CHECK_STR(errstr_text(other[i]), NO_INFO);
}

TEST(test_same_as_libc)
{
#ifdef IKSCTL_OWN_STRERROR
	char want[64];
	const char *got;
	int e, bad = 0, ours = 0;

	for (e = -1; e <= 4096; e++) {
		snprintf(want, sizeof(want), "%s", strerror(e));
		got = errstr_text(e);
		if (strcmp(got, NO_INFO) != 0)
			ours++;
		if (strcmp(got, want) != 0 && strcmp(got, NO_INFO) != 0) {
			fprintf(stderr, "errno %d: \"%s\", musl \"%s\"\n", e,
			    got, want);
			bad++;
		}
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(ours, (int)sizeof(errno_key));
#endif
}

int
main(void)
{
	RUN(test_table);
	RUN(test_unknown);
	RUN(test_same_as_libc);
	return test_done();
}
