/*
 * errors.c: the table that turns an error code into a message and an
 * exit status, and the one static buffer that holds the detail of the
 * last error.
 */
#include "base/errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char detail[512];   /* detail of the last error, NUL-terminated */
static int detail_code;    /* the code recorded with detail */

/*
 * The table, one row per code: its exit status and its fixed text.  The
 * texts go into one string (each NUL-ended, in table order) and a row
 * is 4 bytes: no pointer per row.
 */
#define ERR_TABLE(X) \
	X(ERR_OK, EXIT_OK, "success") \
	X(ERR_FAIL, EXIT_FAIL, "failed") \
	X(ERR_USAGE, EXIT_USAGE, "usage") \
	X(ERR_LIMIT, EXIT_FAIL, "limit exceeded") \
	X(ERR_IO, EXIT_FAIL, "file error") \
	X(ERR_RANGE, EXIT_FAIL, "number out of range") \
	X(ERR_WAIT_TIMEOUT, EXIT_WAIT, "timed out") \
	X(ERR_INTERRUPTED, EXIT_INTR, "interrupted") \
	X(ERR_NET_DNS, EXIT_NET, "host name did not resolve") \
	X(ERR_NET_REFUSED, EXIT_NET, "connection refused") \
	X(ERR_NET_CONNECT, EXIT_NET, "could not connect") \
	X(ERR_NET_TIMEOUT, EXIT_NET, "timed out") \
	X(ERR_NET_RESET, EXIT_NET, "connection reset") \
	X(ERR_NET_IO, EXIT_NET, "network error") \
	X(ERR_NET_URL, EXIT_USAGE, "malformed URL") \
	X(ERR_NET_PROXY, EXIT_NET, "proxy refused the connection") \
	X(ERR_TLS_HANDSHAKE, EXIT_NET, "TLS handshake failed") \
	X(ERR_TLS_CERT, EXIT_NET, "certificate verification failed") \
	X(ERR_TLS_CERT_EXPIRED, EXIT_NET, "certificate expired or not yet valid") \
	X(ERR_TLS_CERT_HOST, EXIT_NET, "certificate does not match the host name") \
	X(ERR_TLS_CERT_CA, EXIT_NET, "certificate signed by an unknown CA") \
	X(ERR_TLS_NO_CA, EXIT_NET, "no trust anchors (set SSL_CERT_FILE or --cacert)") \
	X(ERR_TLS_IO, EXIT_NET, "TLS error") \
	X(ERR_HTTP_MALFORMED, EXIT_FAIL, "malformed HTTP response") \
	X(ERR_HTTP_TOO_LARGE, EXIT_FAIL, "response too large") \
	X(ERR_HTTP_STATUS, EXIT_FAIL, "service error") \
	X(ERR_HTTP_TRUNCATED, EXIT_NET, "response truncated") \
	X(ERR_JSON, EXIT_FAIL, "invalid JSON") \
	X(ERR_JSON_FIELD, EXIT_FAIL, "unexpected JSON") \
	X(ERR_JWT, EXIT_FAIL, "invalid JWT") \
	X(ERR_QUERY, EXIT_USAGE, "bad query") \
	X(ERR_BASE64, EXIT_FAIL, "invalid base64") \
	X(ERR_AUTH, EXIT_AUTH, "authentication failed") \
	X(ERR_AUTH_LOGIN, EXIT_AUTH, "not logged in (run 'iksctl login')") \
	X(ERR_AUTH_EXPIRED, EXIT_AUTH, "session expired (run 'iksctl login')") \
	X(ERR_STORE, EXIT_FAIL, "store is corrupt") \
	X(ERR_STORE_VERSION, EXIT_FAIL, "store is from a newer iksctl") \
	X(ERR_STORE_LOCK, EXIT_FAIL, "could not lock the store") \
	X(ERR_ZIP, EXIT_FAIL, "corrupt zip") \
	X(ERR_INFLATE, EXIT_FAIL, "corrupt deflate data") \
	X(ERR_ZIP_MISSING, EXIT_FAIL, "file not found in zip")

#define ERR_TEXT(code, exit_status, msg) msg "\0"
#define ERR_ROW(code, exit_status, msg) { code, exit_status },

struct err_entry {
	short code;                 /* enum err_code */
	unsigned char exit_status;  /* EXIT_* */
};

static const char texts[] = ERR_TABLE(ERR_TEXT);
static const struct err_entry table[] = { ERR_TABLE(ERR_ROW) };

/* lookup: the row of code (unknown: ERR_FAIL's, the second). */
static size_t
lookup(int code)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].code == code)
			return i;
	return 1;
}

int
err_set(int code, const char *fmt, ...)
{
	char tmp[sizeof(detail)];
	va_list ap;
	int n;

	/*
	 * Format into tmp first: callers often pass err_detail() itself as
	 * an argument ("%s: %s", what, err_detail()), and vsnprintf into the
	 * buffer it reads from is undefined (it garbled the message).
	 */
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		tmp[0] = '\0';
	memcpy(detail, tmp, sizeof(detail));
	/* A detail longer than the buffer is cut; it is a message, not data. */
	detail_code = code;
	return code;
}

int
err_limit(const char *what, const char *limit_name, size_t limit)
{
	return err_set(ERR_LIMIT, "%s over %s = %zu", what, limit_name,
	    limit);
}

const char *
err_detail(void)
{
	return detail;
}

int
err_code_last(void)
{
	return detail_code;
}

void
err_clear(void)
{
	detail[0] = '\0';
	detail_code = 0;
}

const char *
err_message(int code)
{
	const char *p = texts;
	size_t i;

	for (i = lookup(code); i > 0; i--)
		p += strlen(p) + 1;
	return p;
}

int
err_exit_status(int code)
{
	if (code >= 0)
		return EXIT_OK;
	return table[lookup(code)].exit_status;
}
