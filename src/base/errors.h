/*
 * errors.h: error codes, their messages and exit statuses.
 *
 * Every function that can fail returns 0 or a negative code from one of
 * the module ranges below.  err_set() records a one-line detail (which
 * file, which limit, the service's errorCode) in a static buffer; the
 * CLI prints "iksctl: <what>: <why>" from err_message() and that detail,
 * and exits with err_exit_status().
 */
#ifndef IKSCTL_ERRORS_H
#define IKSCTL_ERRORS_H

#include <stddef.h>

/* Exit statuses (DESIGN.md section 2). */
#define EXIT_OK      0
#define EXIT_FAIL    1  /* the service answered with an error, or other */
#define EXIT_USAGE   2
#define EXIT_AUTH    3
#define EXIT_NET     4
#define EXIT_WAIT    5  /* a wait timed out */
#define EXIT_INTR  130  /* interrupted (Ctrl-C) */

enum err_code {
	ERR_OK = 0,
	/* base: -1 .. -99 */
	ERR_FAIL = -1,          /* unspecified failure */
	ERR_USAGE = -2,         /* bad command line */
	ERR_LIMIT = -3,         /* a limit in limits.h was exceeded */
	ERR_IO = -4,            /* file system error */
	ERR_RANGE = -5,         /* a number out of range or malformed */
	ERR_WAIT_TIMEOUT = -6,  /* a wait ran past its timeout */
	ERR_INTERRUPTED = -7,   /* interrupted by a signal */
	/* net: -100 .. -199 */
	ERR_NET_DNS = -100,     /* host name did not resolve */
	ERR_NET_REFUSED = -101, /* connection refused */
	ERR_NET_CONNECT = -102, /* other connect failure (unreachable) */
	ERR_NET_TIMEOUT = -103, /* connect, read or write timed out */
	ERR_NET_RESET = -104,   /* peer reset or closed early */
	ERR_NET_IO = -105,      /* other socket error */
	ERR_NET_URL = -106,     /* malformed URL */
	ERR_NET_PROXY = -107,   /* the proxy refused the CONNECT */
	/* tls: -200 .. -299 */
	ERR_TLS_HANDSHAKE = -200, /* handshake failed (protocol) */
	ERR_TLS_CERT = -201,      /* certificate failed verification */
	ERR_TLS_CERT_EXPIRED = -202, /* certificate expired or not yet valid */
	ERR_TLS_CERT_HOST = -203, /* certificate is for another host */
	ERR_TLS_CERT_CA = -204,   /* certificate signed by an unknown CA */
	ERR_TLS_NO_CA = -205,     /* no trust anchors found */
	ERR_TLS_IO = -206,        /* TLS record layer error */
	/* http: -300 .. -399 */
	ERR_HTTP_MALFORMED = -300, /* response does not parse */
	ERR_HTTP_TOO_LARGE = -301, /* response over a limit */
	ERR_HTTP_STATUS = -302,    /* service answered with an error status */
	ERR_HTTP_TRUNCATED = -303, /* connection closed before the end */
	/* json, jwt, query: -400 .. -499 */
	ERR_JSON = -400,        /* invalid JSON */
	ERR_JSON_FIELD = -401,  /* a required field is missing or mistyped */
	ERR_JWT = -402,         /* not a valid JWT */
	ERR_QUERY = -403,       /* bad -q expression */
	ERR_BASE64 = -404,      /* malformed base64 */
	/* auth: -500 .. -599 */
	ERR_AUTH = -500,        /* IAM refused, not logged in, no refresh */
	ERR_AUTH_LOGIN = -501,  /* not logged in */
	ERR_AUTH_EXPIRED = -502, /* refresh token expired, no credential source */
	/* store: -600 .. -699 */
	ERR_STORE = -600,       /* corrupt or unreadable store */
	ERR_STORE_VERSION = -601, /* store written by a newer iksctl */
	ERR_STORE_LOCK = -602,  /* could not lock the store */
	/* zip: -700 .. -799 */
	ERR_ZIP = -700,         /* corrupt zip */
	ERR_INFLATE = -701,     /* corrupt deflate stream */
	ERR_ZIP_MISSING = -702, /* entry not found in the zip */
};

/*
 * err_set: record code and a printf-style detail for the current error.
 * Returns code, so callers can write `return err_set(ERR_X, "...")`.
 */
int err_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* err_limit: record ERR_LIMIT naming the limit; returns ERR_LIMIT. */
int err_limit(const char *what, const char *limit_name, size_t limit);

/* err_detail: the last recorded detail ("" if none). */
const char *err_detail(void);

/* err_code_last: the code recorded with the last detail (0 if none). */
int err_code_last(void);

/* err_clear: forget the last detail. */
void err_clear(void);

/* err_message: the fixed message for a code (never NULL). */
const char *err_message(int code);

/* err_exit_status: the process exit status for a code. */
int err_exit_status(int code);

#endif
