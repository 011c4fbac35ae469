/*
 * cmd_agent.c: the token agent, token --watch --sink FILE [--kube].
 *
 * It keeps a fresh token in FILE for other programs on the device.
 * FILE is replaced atomically (mode 0600) only when the token changes;
 * renewal comes at about 80 % of the token's life (jittered); a failing
 * IAM is retried with backoff 1, 2, 4 ... 32 s, then every 60 s, while
 * the old token stays in FILE as long as it is valid, and FILE is
 * removed once it is not; SIGTERM or SIGINT end it cleanly (exit 0).
 * A logout (or another login) ends it: the login it renews is gone, so
 * FILE is removed and it exits 3; so does a store that cannot be read.
 *
 * Time: every instant is on the service's clock (session_service_now),
 * and every wait is a duration slept on the boot-time clock (monotonic,
 * counting suspend), so a step of the wall clock (NTP at boot, an RTC
 * reset) neither makes it sleep through a renewal nor call IAM in a
 * loop.
 */
#include "base/errors.h"
#include "base/file.h"
#include "base/fmt.h"
#include "base/rand.h"
#include "base/str.h"
#include "base/term.h"
#include "cli/cmds.h"
#include "cloud/session.h"
#include "proto/http.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define AGENT_NAP_MS 10000    /* look at the clock at least this often */

static volatile sig_atomic_t stop_agent;   /* a signal asked us to stop */

static void
on_stop(int sig)
{
	(void)sig;
	stop_agent = 1;
}

/* boot_ms: the boot-time clock (monotonic if there is none), in ms. */
static int64_t
boot_ms(void)
{
	struct timespec t;

#ifdef CLOCK_BOOTTIME
	if (clock_gettime(CLOCK_BOOTTIME, &t) != 0)
#endif
		clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * nap: sleep s seconds of boot time unless a signal stops the agent.
 * Slept in pieces, so time spent suspended counts.
 */
static void
nap(int64_t s)
{
	int64_t end = boot_ms() + s * 1000, left;
	struct timespec ts;

	while (!stop_agent && (left = end - boot_ms()) > 0) {
		if (left > AGENT_NAP_MS)
			left = AGENT_NAP_MS;
		ts.tv_sec = (time_t)(left / 1000);
		ts.tv_nsec = (long)(left % 1000) * 1000000;
		nanosleep(&ts, NULL);
	}
}

/* next_renewal: seconds from now until 80 % of [iat, exp], jittered. */
static int64_t
next_renewal(int64_t iat, int64_t exp)
{
	int64_t now = session_service_now(), life = exp - iat, at;

	if (life <= 0)
		life = exp - now;
	at = iat + life * 8 / 10;
	if (life >= 10)
		at -= (int64_t)rand_below((uint64_t)(life / 10 + 1));
	return at > now ? at - now : 1;
}

/*
 * retry_wait: the wait after a failed renewal, the backoff step less a
 * random part of up to half of it; drops an expired sink.
 */
static int64_t
retry_wait(const char *sink, char *last, int64_t exp, int64_t *backoff)
{
	int64_t wait = *backoff - (int64_t)rand_below((uint64_t)(*backoff / 2
	    + 1)), left = exp - session_service_now();
	char at[32];

	*backoff = *backoff >= 32 ? 60 : *backoff * 2;
	if (left <= 1 && last[0] != '\0') {
		/* An expired token must not be handed out. */
		last[0] = '\0';
		if (unlink(sink) == 0)
			fprintf(stderr, "iksctl: token: the token expired at %s; "
			    "%s removed until a renewal succeeds\n",
			    fmt_rfc3339(exp, at, sizeof(at)), sink);
	}
	/* Never sleep past half of what the token has left. */
	if (left > 1 && left / 2 < wait)
		wait = left / 2;
	return wait < 1 ? 1 : wait;
}

int
cmd_token_agent(const char *sink, int kube)
{
	static char last[LIM_TOKEN_BYTES + 1];     /* the token in FILE */
	struct sigaction sa;
	const char *t;
	int64_t exp, iat, wait, backoff = 1;
	size_t n;
	int r = 0, force = 0, wrote = 0;
	char whybuf[4 * 512];
	struct sbuf why;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!stop_agent) {
		if (kube) {
			r = session_kube(force, NULL, &t, &exp);
			iat = sess.st.kube_iat;
		} else {
			r = session_access(force, &t);
			exp = sess.st.access_exp;
			iat = sess.st.access_iat;
		}
		if (r == ERR_AUTH_LOGIN || r == ERR_AUTH_EXPIRED ||
		    r == ERR_STORE || r == ERR_STORE_VERSION) {
			/* Logged out, or nothing can renew: no token to hand out. */
			(void)unlink(sink);
			break;
		}
		if (r == 0 && strcmp(t, last) != 0) {
			n = strlen(t);
			memcpy(last, t, n);
			last[n] = '\n';
			r = file_write_atomic(sink, last, n + 1, 0600);
			last[n] = '\0';
			if (r != 0 && !wrote)   /* A sink it cannot write: fail at start. */
				break;
			if (r != 0)
				last[0] = '\0';
			wrote = 1;
		}
		session_clock_note("iksctl: token");
		if (r == 0) {
			wait = next_renewal(iat, exp);
			backoff = 1;
			if (cli.verbose)
				fprintf(stderr, "iksctl: token: %s holds a token until %lld; "
				    "next renewal in %lld s\n", sink, (long long)exp,
				    (long long)wait);
		} else {
			/* The detail may quote IAM's answer: escaped. */
			sbuf_init(&why, whybuf, sizeof(whybuf));
			term_escape(&why, err_detail(), strlen(err_detail()));
			wait = retry_wait(sink, last, kube ? sess.st.kube_exp :
			    sess.st.access_exp, &backoff);
			fprintf(stderr, "iksctl: token: renewal failed: %s; next try "
			    "in %lld s\n", whybuf, (long long)wait);
		}
		force = 1;
		http_close_all();
		(void)session_finish();
		nap(wait);
	}
	mem_wipe(last, sizeof(last));
	return stop_agent ? 0 : r;
}
