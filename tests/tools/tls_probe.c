/*
 * tls_probe.c: a test tool that opens one TLS connection with iksctl's
 * own net layer, sends "GET PATH" and prints the status line, then
 * "tls=VERSION resumed=0|1", then "suite=SUITE hwaes=0|1" (the
 * ciphersuite negotiated, and cpu_hw_aes()), then "read=N": the bytes
 * of the answer decrypted until the server closed.
 *
 *   tls_probe HOST PORT PATH [--cacert F] [--ca-pem F] [--sess F] [--insecure]
 *             [--offset S] [--no-hwaes]
 *
 * --ca-pem trusts only that PEM (read into memory, as a cluster CA is);
 * --sess F offers the session saved in F and saves the new one there.
 * --offset S sets tls_clock_offset, the service's clock minus this
 * machine's as the session would know it from the store.
 * --no-hwaes: act as on a CPU without AES instructions
 * (cpu_hw_aes_pretend(0): on aarch64 mbedTLS runs its plain-C AES too).
 * Exit status: 0, or err_exit_status() of the failure, whose message
 * goes to stderr as iksctl prints it.
 */
#include "base/errors.h"
#include "base/limits.h"
#include "net/cpu.h"
#include "net/sock.h"
#include "net/tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char pem[16384];
static unsigned char sess[LIM_TLS_SESSION_BYTES];

static size_t
slurp(const char *path, void *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static int
fail(int r)
{
	fprintf(stderr, "iksctl: %s: %s\n", err_message(r), err_detail());
	return err_exit_status(r);
}

int
main(int argc, char **argv)
{
	const char *cacert = NULL, *ca_pem = NULL, *sess_path = NULL;
	char req[512], resp[4096], *eol;
	size_t pem_len = 0, sess_len = 0, got, total;
	struct tls_conn c;
	int i, r, fd, insecure = 0;

	if (argc < 4)
		return 2;
	for (i = 4; i < argc; i++) {
		if (strcmp(argv[i], "--cacert") == 0 && i + 1 < argc)
			cacert = argv[++i];
		else if (strcmp(argv[i], "--ca-pem") == 0 && i + 1 < argc)
			ca_pem = argv[++i];
		else if (strcmp(argv[i], "--sess") == 0 && i + 1 < argc)
			sess_path = argv[++i];
		else if (strcmp(argv[i], "--insecure") == 0)
			insecure = 1;
		else if (strcmp(argv[i], "--offset") == 0 && i + 1 < argc)
			tls_clock_offset = strtoll(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--no-hwaes") == 0)
			cpu_hw_aes_pretend(0);
		else
			return 2;
	}
	sock_init();
	if ((r = tls_init(cacert, insecure)) != 0)
		return fail(r);
	if (ca_pem != NULL)
		pem_len = slurp(ca_pem, pem, sizeof(pem));
	if (sess_path != NULL)
		sess_len = slurp(sess_path, sess, sizeof(sess));
	if ((r = sock_connect(argv[1], (unsigned)strtoul(argv[2], NULL, 10),
	    5000, &fd)) != 0)
		return fail(r);
	r = tls_open(&c, fd, argv[1], ca_pem ? pem : NULL, pem_len,
	    sess_len ? sess : NULL, sess_len, 5000);
	if (r != 0)
		return fail(r);
	r = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n"
	    "Connection: close\r\n\r\n", argv[3], argv[1]);
	if (r < 0 || (size_t)r >= sizeof(req))
		return 2;
	if ((r = tls_write(&c, req, strlen(req))) != 0)
		return fail(r);
	if ((r = tls_read(&c, resp, sizeof(resp) - 1, &got)) != 0)
		return fail(r);
	resp[got] = '\0';
	if ((eol = strchr(resp, '\r')) != NULL)
		*eol = '\0';
	printf("%s\ntls=%s resumed=%d\nsuite=%s hwaes=%d\n", resp, tls_version(&c),
	    c.resumed, tls_suite(&c), cpu_hw_aes());
	/*
	 * Drain so that a TLS 1.3 ticket sent after the answer is seen, and
	 * count what was decrypted (a record that fails its tag ends it).
	 */
	total = got;
	while (tls_read(&c, resp, sizeof(resp), &got) == 0 && got > 0)
		total += got;
	printf("read=%zu\n", total);
	if (sess_path != NULL && tls_session(&c, sess, sizeof(sess), &sess_len) == 0) {
		FILE *f = fopen(sess_path, "wb");

		if (f != NULL) {
			fwrite(sess, 1, sess_len, f);
			fclose(f);
		}
	}
	tls_close(&c);
	sock_close(fd);
	return 0;
}
