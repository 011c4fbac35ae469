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

struct err_entry {
	int code;          /* enum err_code */
	int exit_status;   /* EXIT_* */
	const char *msg;   /* fixed text */
};

static const struct err_entry table[] = {
	{ ERR_OK, EXIT_OK, "success" },
	{ ERR_FAIL, EXIT_FAIL, "failed" },
	{ ERR_USAGE, EXIT_USAGE, "usage" },
	{ ERR_LIMIT, EXIT_FAIL, "limit exceeded" },
	{ ERR_IO, EXIT_FAIL, "file error" },
	{ ERR_RANGE, EXIT_FAIL, "number out of range" },
	{ ERR_WAIT_TIMEOUT, EXIT_WAIT, "timed out" },
	{ ERR_INTERRUPTED, EXIT_INTR, "interrupted" },
	{ ERR_NET_DNS, EXIT_NET, "host name did not resolve" },
	{ ERR_NET_REFUSED, EXIT_NET, "connection refused" },
	{ ERR_NET_CONNECT, EXIT_NET, "could not connect" },
	{ ERR_NET_TIMEOUT, EXIT_NET, "timed out" },
	{ ERR_NET_RESET, EXIT_NET, "connection reset" },
	{ ERR_NET_IO, EXIT_NET, "network error" },
	{ ERR_NET_URL, EXIT_USAGE, "malformed URL" },
	{ ERR_NET_PROXY, EXIT_NET, "proxy refused the connection" },
	{ ERR_TLS_HANDSHAKE, EXIT_NET, "TLS handshake failed" },
	{ ERR_TLS_CERT, EXIT_NET, "certificate verification failed" },
	{ ERR_TLS_CERT_EXPIRED, EXIT_NET, "certificate expired or not yet valid" },
	{ ERR_TLS_CERT_HOST, EXIT_NET, "certificate does not match the host name" },
	{ ERR_TLS_CERT_CA, EXIT_NET, "certificate signed by an unknown CA" },
	{ ERR_TLS_NO_CA, EXIT_NET, "no trust anchors (set SSL_CERT_FILE or --cacert)" },
	{ ERR_TLS_IO, EXIT_NET, "TLS error" },
	{ ERR_HTTP_MALFORMED, EXIT_FAIL, "malformed HTTP response" },
	{ ERR_HTTP_TOO_LARGE, EXIT_FAIL, "response too large" },
	{ ERR_HTTP_STATUS, EXIT_FAIL, "service error" },
	{ ERR_HTTP_TRUNCATED, EXIT_NET, "response truncated" },
	{ ERR_JSON, EXIT_FAIL, "invalid JSON" },
	{ ERR_JSON_FIELD, EXIT_FAIL, "unexpected JSON" },
	{ ERR_JWT, EXIT_FAIL, "invalid JWT" },
	{ ERR_QUERY, EXIT_USAGE, "bad query" },
	{ ERR_BASE64, EXIT_FAIL, "invalid base64" },
	{ ERR_AUTH, EXIT_AUTH, "authentication failed" },
	{ ERR_AUTH_LOGIN, EXIT_AUTH, "not logged in (run 'iksctl login')" },
	{ ERR_AUTH_EXPIRED, EXIT_AUTH, "session expired (run 'iksctl login')" },
	{ ERR_STORE, EXIT_FAIL, "store is corrupt" },
	{ ERR_STORE_VERSION, EXIT_FAIL, "store is from a newer iksctl" },
	{ ERR_STORE_LOCK, EXIT_FAIL, "could not lock the store" },
	{ ERR_ZIP, EXIT_FAIL, "corrupt zip" },
	{ ERR_INFLATE, EXIT_FAIL, "corrupt deflate data" },
	{ ERR_ZIP_MISSING, EXIT_FAIL, "file not found in zip" },
};

static const struct err_entry *
lookup(int code)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].code == code)
			return &table[i];
	return &table[1];
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
	return lookup(code)->msg;
}

int
err_exit_status(int code)
{
	if (code >= 0)
		return EXIT_OK;
	return lookup(code)->exit_status;
}
