/*
 * http_get.c: a test driver for iksctl's HTTP client (src/proto/http.c).
 * It performs the requests named on its command line, in one process,
 * over the client's connection pool, and prints one line per request
 * and a closing line of counters, so integration tests can check reuse,
 * streaming, retries, resumption and memory against real servers.
 *
 *   http_get [options] URL...
 *     --cacert F        trust anchors from F (else SSL_CERT_FILE, ...)
 *     --insecure        do not verify certificates
 *     --timeout S       connect, handshake and read timeout (seconds)
 *     --timeout-ms N    the same in milliseconds
 *     -v                the -v trace on stderr
 *     --sink            stream 2xx bodies to a checksum, not a buffer
 *     --body            print each buffered body after its line
 *     -X METHOD, -d DATA, -H 'Name: value' (repeatable)
 *     --retry           mark the requests safe to repeat (GET always is)
 *     --no-retry        do not mark GETs safe to repeat
 *     --retry-base-ms N the first backoff step
 *     --sess FILE       offer the TLS session saved in FILE; save the new one
 *     --pause-ms N      sleep between requests
 *     --repeat N        perform the URL list N times
 *
 * Per request: "status=200 len=N sum=XXXXXXXX attempts=N".  At the end:
 * "connects=N handshakes=N resumed=N requests=N stale=N resent=N
 * retries=N connect_ms=N vmhwm_kb=N lookups=N decoded=N parsed=N
 * indexed=N".  On an error: "iksctl: <message>: <detail>" on stderr and
 * the exit status err_exit_status() gives.
 */
#include "base/errors.h"
#include "base/limits.h"
#include "base/str.h"
#include "net/sock.h"
#include "net/tls.h"
#include "proto/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char headers[4096];                       /* -H lines, CRLF each */
static uint8_t sess[LIM_TLS_SESSION_BYTES + LIM_HOSTPORT_BYTES + 1];

struct sum {
	uint32_t h;             /* FNV-1a of the body */
	size_t n;               /* its length */
};

static void
sum_add(struct sum *s, const char *p, size_t n)
{
	while (n-- > 0) {
		s->h ^= (unsigned char)*p++;
		s->h *= 16777619u;
	}
}

static int
sink(void *ctx, const char *p, size_t n)
{
	struct sum *s = ctx;

	sum_add(s, p, n);
	s->n += n;
	return 0;
}

static long
vmhwm_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmHWM:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

/* sess_load: offer the session saved in path ("host:port\n" + bytes). */
static void
sess_load(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *nl;
	size_t n;

	if (f == NULL)
		return;
	n = fread(sess, 1, sizeof(sess) - 1, f);
	fclose(f);
	sess[n] = '\0';
	nl = memchr(sess, '\n', n);
	if (nl == NULL)
		return;
	*nl = '\0';
	http_session_put((const char *)sess, nl + 1, n - (size_t)(nl + 1 - sess));
}

/* sess_save: save the first session that changed during the run. */
static void
sess_save(const char *path)
{
	const char *hostport;
	const uint8_t *p;
	size_t n;
	int i = 0;
	FILE *f;

	if (!http_session_next(&i, &hostport, &p, &n))
		return;
	if ((f = fopen(path, "wb")) == NULL)
		return;
	fprintf(f, "%s\n", hostport);
	fwrite(p, 1, n, f);
	fclose(f);
}

static int
fail(int r)
{
	fprintf(stderr, "iksctl: %s: %s\n", err_message(r), err_detail());
	return err_exit_status(r);
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

static int
usage(void)
{
	fputs("usage: http_get [--cacert F] [--insecure] [--timeout S] [-v] "
	    "[--sink] [--body] [-X M] [-d DATA] [-H H] [--retry] [--sess F] "
	    "[--pause-ms N] [--repeat N] URL...\n", stderr);
	return 2;
}

/* one: perform one request and print its line. */
static int
one(struct http_req *rq, int print_body)
{
	struct http_resp rs;
	struct sum s = { 2166136261u, 0 };
	int r;

	rq->sink_ctx = &s;
	if ((r = http_do(rq, &rs)) != 0)
		return r;
	if (rq->sink == NULL || rs.status / 100 != 2)
		sum_add(&s, rs.body, rs.body_len);   /* it was buffered */
	printf("status=%d len=%zu sum=%08x attempts=%d\n", rs.status,
	    rs.body_len, (unsigned)s.h, rs.attempts);
	if (print_body && (rq->sink == NULL || rs.status / 100 != 2)) {
		fwrite(rs.body, 1, rs.body_len, stdout);
		putchar('\n');
	}
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *cacert = NULL, *sess_path = NULL, *method = "GET";
	const char *data = NULL;
	struct http_req rq;
	struct sbuf hb;
	long pause = 0, repeat = 1, k;
	int i, first, r, insecure = 0, use_sink = 0, print_body = 0;
	int retry = -1, done = 0;

	sbuf_init(&hb, headers, sizeof(headers));
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "-v") == 0)
			http_opts.verbose = 1;
		else if (strcmp(a, "--insecure") == 0)
			insecure = 1;
		else if (strcmp(a, "--sink") == 0)
			use_sink = 1;
		else if (strcmp(a, "--body") == 0)
			print_body = 1;
		else if (strcmp(a, "--retry") == 0)
			retry = 1;
		else if (strcmp(a, "--no-retry") == 0)
			retry = 0;
		else if (v == NULL)
			return usage();
		else if (strcmp(a, "--cacert") == 0 && ++i)
			cacert = v;
		else if (strcmp(a, "--timeout") == 0 && ++i)
			http_opts.timeout_ms = (int)strtol(v, NULL, 10) * 1000;
		else if (strcmp(a, "--timeout-ms") == 0 && ++i)
			http_opts.timeout_ms = (int)strtol(v, NULL, 10);
		else if (strcmp(a, "--retry-base-ms") == 0 && ++i)
			http_opts.retry_base_ms = (int)strtol(v, NULL, 10);
		else if (strcmp(a, "-X") == 0 && ++i)
			method = v;
		else if (strcmp(a, "-d") == 0 && ++i)
			data = v;
		else if (strcmp(a, "-H") == 0 && ++i) {
			sbuf_add(&hb, v);
			sbuf_add(&hb, "\r\n");
		} else if (strcmp(a, "--sess") == 0 && ++i)
			sess_path = v;
		else if (strcmp(a, "--pause-ms") == 0 && ++i)
			pause = strtol(v, NULL, 10);
		else if (strcmp(a, "--repeat") == 0 && ++i)
			repeat = strtol(v, NULL, 10);
		else
			return usage();
	}
	if (i >= argc || sbuf_ok(&hb, "headers") != 0)
		return usage();
	first = i;
	sock_init();
	if ((r = tls_init(cacert, insecure)) != 0)
		return fail(r);
	if (sess_path != NULL)
		sess_load(sess_path);
	memset(&rq, 0, sizeof(rq));
	rq.method = method;
	rq.headers = hb.len ? headers : NULL;
	rq.body = data;
	rq.body_len = data ? strlen(data) : 0;
	rq.retry = retry >= 0 ? retry : strcmp(method, "GET") == 0;
	rq.sink = use_sink ? sink : NULL;
	r = 0;
	for (k = 0; k < repeat && r == 0; k++) {
		for (i = first; i < argc && r == 0; i++) {
			if (done++ > 0 && pause > 0)
				pause_ms(pause);
			rq.url = argv[i];
			r = one(&rq, print_body);
		}
	}
	if (sess_path != NULL)
		sess_save(sess_path);
	http_close_all();
	printf("connects=%d handshakes=%d resumed=%d requests=%d stale=%d "
	    "resent=%d retries=%d connect_ms=%lld vmhwm_kb=%ld lookups=%d "
	    "decoded=%d parsed=%d indexed=%d\n", http_stats.connects,
	    http_stats.handshakes, http_stats.resumed, http_stats.requests,
	    http_stats.stale, http_stats.resent, http_stats.retries,
	    (long long)http_stats.connect_ms, vmhwm_kb(),
	    tls_trust_stats.lookups, tls_trust_stats.decoded,
	    tls_trust_stats.parsed, tls_trust_stats.indexed);
	return r != 0 ? fail(r) : 0;
}
