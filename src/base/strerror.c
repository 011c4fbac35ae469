/*
 * strerror.c: strerror for the static musl builds.
 *
 * musl's strerror carries the text of every errno it knows (about 2.2 KB
 * of strings and index); iksctl can meet only a few dozen of them (file
 * system and network calls).  This one holds those, in musl's exact
 * wording, and gives musl's own text for any other value ("No error
 * information", as musl does for 0 and every errno it does not know), so
 * the messages stay what they were.  The table is one string of the
 * texts, each ended by a NUL, beside one byte of errno per text: no
 * pointers, no offsets.  iksctl is single-threaded and in the C locale:
 * there is no translation (musl's LCTRANS is the identity there).
 *
 * Compiled in only where IKSCTL_OWN_STRERROR is defined (the musl
 * targets' toolchains/<triple>.mk) and linked only into the shipped
 * binary, like alloc.c (see the Makefile): the host builds and the tests
 * keep the C library's.  Nothing in musl that iksctl links refers to
 * strerror_l or __strerror_l (checked with -Wl,--trace-symbol), so
 * musl's strerror.o never comes in beside this one.
 * tests/unit/test_strerror.c compiles this file with IKSCTL_STRERROR_TEST,
 * which renames the function errstr_text.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#if defined(IKSCTL_OWN_STRERROR) || defined(IKSCTL_STRERROR_TEST)

#ifdef IKSCTL_STRERROR_TEST
#define STRERROR_NAME errstr_text
char *errstr_text(int e);
#else
#define STRERROR_NAME strerror
#endif

/* errno, musl's text (as musl 1.2.3's strerror prints it). */
#define ERRNO_TEXTS(X) \
	X(ENOENT, "No such file or directory") \
	X(EACCES, "Permission denied") \
	X(EPERM, "Operation not permitted") \
	X(ENOTDIR, "Not a directory") \
	X(EISDIR, "Is a directory") \
	X(ENOSPC, "No space left on device") \
	X(EDQUOT, "Quota exceeded") \
	X(EROFS, "Read-only file system") \
	X(EEXIST, "File exists") \
	X(ENOTEMPTY, "Directory not empty") \
	X(ELOOP, "Symbolic link loop") \
	X(ENAMETOOLONG, "Filename too long") \
	X(EBUSY, "Resource busy") \
	X(ETXTBSY, "Text file busy") \
	X(EXDEV, "Cross-device link") \
	X(EMFILE, "No file descriptors available") \
	X(ENFILE, "Too many open files in system") \
	X(EIO, "I/O error") \
	X(EINVAL, "Invalid argument") \
	X(ENXIO, "No such device or address") \
	X(EFBIG, "File too large") \
	X(ENOLCK, "No locks available") \
	X(ESTALE, "Stale file handle") \
	X(ECONNREFUSED, "Connection refused") \
	X(ECONNRESET, "Connection reset by peer") \
	X(ECONNABORTED, "Connection aborted") \
	X(ETIMEDOUT, "Operation timed out") \
	X(EHOSTUNREACH, "Host is unreachable") \
	X(ENETUNREACH, "Network unreachable") \
	X(ENETDOWN, "Network is down") \
	X(EADDRNOTAVAIL, "Address not available") \
	X(EAFNOSUPPORT, "Address family not supported by protocol") \
	X(EPIPE, "Broken pipe") \
	X(ENOTCONN, "Socket not connected") \
	X(EPROTO, "Protocol error") \
	X(EINTR, "Interrupted system call") \
	X(EAGAIN, "Resource temporarily unavailable") \
	X(ENOBUFS, "No buffer space available") \
	X(ENOMEM, "Out of memory")

#define ERRNO_KEY(e, s) e,
#define ERRNO_TEXT(e, s) s "\0"

static const unsigned char errno_key[] = { ERRNO_TEXTS(ERRNO_KEY) };
/* The texts in errno_key's order, then the one for any other value. */
static const char errno_text[] = ERRNO_TEXTS(ERRNO_TEXT) "No error information";

#define ERRNO_CHECK(e, s) _Static_assert((e) > 0 && (e) < 256, #e);
ERRNO_TEXTS(ERRNO_CHECK)

char *
STRERROR_NAME(int e)
{
	const unsigned char *k = errno_key;
	const char *p = errno_text;

	for (; k < errno_key + sizeof(errno_key) && *k != e; k++)
		while (*p++ != '\0')
			;
	return (char *)p;
}

#endif
