/*
 * main.c: iksctl's entry point.  It takes the global options out of
 * argv wherever they stand, finds the command and runs it; every
 * failure ends here as one line on stderr ("iksctl: <what>: <why>") and
 * the exit status of errors.h.  On the way out, the session saves what
 * the next process can reuse (TLS sessions).
 */
#include "base/errors.h"
#include "base/str.h"
#include "cli/cmds.h"
#include "cli/output.h"
#include "base/term.h"
#include "cloud/session.h"
#include "net/sock.h"
#include "net/tls.h"
#include "proto/http.h"
#include "proto/inflate.h"

#include <mbedtls/build_info.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct cli_opts cli = { NULL, NULL, 0, 0, 30, 300, NULL, NULL, NULL, NULL };

struct command {
	const char *name;                 /* as typed */
	int (*run)(int argc, char **argv); /* the command */
	int needs_session;                /* load the store first */
};

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

/*
 * The rows come from the command table, src/cli/commands.txt, as do the
 * help pages: HELP_LEN bytes of text, deflated into help_z[], one page
 * per command in the rows' order after the list of all of them, each
 * ended by a byte 1 (Makefile, src/cli/commands.awk).
 */
static const struct command commands[] = {
#include "commands.inc"
};

#include "help_z.inc"

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

int
arg_value(int argc, char **argv, int *i, const char *name, const char **val)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) != 0)
		return 0;
	/* -ojson is -o json, as getopt reads it; --name=V; --name V. */
	if (a[n] == '=' || (n == 2 && a[n] != '\0')) {
		*val = a + n + (a[n] == '=');
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return err_set(ERR_USAGE, "%s needs a value", name);
	*val = argv[++*i];
	return 1;
}

/* shown: arg escaped and cut to 64 bytes, for echoing it in an error. */
static const char *
shown(const char *arg)
{
	static char buf[64 * 4 + 4];
	struct sbuf b;
	size_t n = strlen(arg);

	sbuf_init(&b, buf, sizeof(buf));
	term_escape(&b, arg, n > 64 ? 64 : n);
	if (n > 64)
		sbuf_add(&b, "...");
	return buf;
}

int
arg_named(const char *cmd, const char *what, const char **slot,
    const char *v)
{
	/* Printed as they are: fail() escapes the whole line. */
	if (strlen(v) >= LIM_FIELD_BYTES)
		return err_set(ERR_USAGE, "%s: %s '%.64s...' is over "
		    "LIM_FIELD_BYTES = %d bytes", cmd, what, v, LIM_FIELD_BYTES - 1);
	if (*slot != NULL && strcmp(*slot, v) != 0)
		return err_set(ERR_USAGE, "%s: %s given twice, as '%s' and '%s'",
		    cmd, what, *slot, v);
	*slot = v;
	return 0;
}

int
arg_target(const char *cmd, int takes, struct arg_names *t, int argc,
    char **argv, int *i)
{
	static const char flags[] = "-c\0--cluster\0-p\0--worker-pool\0-w\0"
	    "--worker";
	static const char *const what[] = { "CLUSTER", "POOL", "WORKER" };
	const char **slot[2], *v = argv[*i], *f = flags;
	int k, r, s = 3;

	slot[0] = &t->cluster;
	slot[1] = &t->pool;
	for (k = 0; k < 6 && s == 3; k++, f += strlen(f) + 1)
		if ((takes >> k / 2 & 1) && (r = arg_value(argc, argv, i, f,
		    &v)) != 0) {
			if (r < 0)
				return r;
			s = k / 2;
		}
	if (s == 3 && (v[0] == '-' || takes == 0))
		return 0;
	/*
	 * A positional fills the first slot not yet named, in order; with
	 * every one named, it names the last one twice.
	 */
	for (k = 0; k < 3 && s == 3; k++)
		if ((takes >> k & 1) && (k == 2 || *slot[k] == NULL))
			s = k;
	if (s == 3)
		s = takes >> 1 & 1;
	if (s < 2 || strlen(v) >= LIM_FIELD_BYTES)
		return (r = arg_named(cmd, what[s], slot[s & 1], v)) != 0 ? r : 1;
	/* WORKER...: each named once, however often it is given. */
	for (k = 0; k < t->nworker; k++)
		if (strcmp(t->worker[k], v) == 0)
			return 1;
	if (t->nworker >= LIM_ZONES)
		return err_limit("workers", "LIM_ZONES", LIM_ZONES);
	t->worker[t->nworker++] = v;
	return 1;
}

int
arg_unknown(const char *cmd, const char *arg)
{
	return err_set(ERR_USAGE, "%s: %s%s%s (see 'iksctl help %s')", cmd,
	    arg[0] == '-' && arg[1] != '\0' ? "unknown option '" : arg[0] ?
	    "unexpected argument '" : "which subcommand?", shown(arg),
	    arg[0] ? "'" : "", cmd);
}

static int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("iksctl %s (%s)\nmbedTLS %s%s%s%s\njsmn %s\n", IKSCTL_VERSION,
	    IKSCTL_TARGET, MBEDTLS_VERSION_STRING,
	    IKSCTL_MBEDTLS_PATCHES[0] ? " (with " : "", IKSCTL_MBEDTLS_PATCHES,
	    IKSCTL_MBEDTLS_PATCHES[0] ? ")" : "", IKSCTL_JSMN_VERSION);
	return 0;
}

/* help_page: print page k of the help text (0: the list) to f. */
static int
help_page(FILE *f, size_t k)
{
	static uint8_t text[HELP_LEN];
	const uint8_t *p = text, *end;
	size_t n;
	int r;

	if ((r = inflate_raw(help_z, sizeof(help_z), text, sizeof(text), &n)) != 0)
		return r;
	end = text + n;
	while (k-- > 0 && (p = memchr(p, 1, (size_t)(end - p))) != NULL)
		p++;
	if (p == NULL || (end = memchr(p, 1, (size_t)(end - p))) == NULL)
		return err_set(ERR_INFLATE, "help: the text has no such page");
	fwrite(p, 1, (size_t)(end - p), f);
	return 0;
}

static const struct command *
find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int
cmd_help(int argc, char **argv)
{
	const struct command *c = NULL;

	/* help cluster create: the page of cluster, which shows create. */
	if (argc > 1 && (c = find(argv[1])) == NULL)
		return err_set(ERR_USAGE, "unknown command '%s' (see 'iksctl help')",
		    shown(argv[1]));
	return help_page(stdout, c != NULL ? (size_t)(c - commands) + 1 : 0);
}

/* global_option: take argv[*i] if it is a global option. 1, 0 or error. */
static int
global_option(int argc, char **argv, int *i)
{
	static const char names[] = "-o\0--output\0-q\0--query\0--region\0"
	    "--cacert\0--visibility\0--resource-group\0--timeout\0--max-time";
	static const unsigned char slot[] = { offsetof(struct cli_opts, region),
	    offsetof(struct cli_opts, cacert), offsetof(struct cli_opts,
	    visibility), offsetof(struct cli_opts, resource_group) };
	const char *v, *a = argv[*i], *n;
	uint64_t t;
	int r = 0, m, k;

	if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
		cli.verbose = 1;
		return 1;
	}
	if (strcmp(a, "--insecure") == 0) {
		cli.insecure = 1;
		return 1;
	}
	/* The options that take a value, found by one loop. */
	for (k = 0, n = names; k < 10; k++, n += strlen(n) + 1)
		if ((r = arg_value(argc, argv, i, n, &v)) != 0)
			break;
	if (r <= 0)
		return r;
	if (k < 2) {
		if (strcmp(v, "json") == 0)
			out.json = 1;
		else if (strcmp(v, "table") == 0)
			out.json = 0;
		else
			return err_set(ERR_USAGE, "-o %s: use table or json", v);
	} else if (k < 4) {
		out.query = v;
		if ((r = query_parse(&out.q, v)) != 0)
			return err_set(ERR_USAGE, "-q %s: %s", v, err_detail());
	} else if (k < 8) {
		*(const char **)(void *)((char *)&cli + slot[k - 4]) = v;
	} else {
		m = k == 9;   /* --max-time takes 0: no bound */
		if (str_to_u64(v, 86400, &t) != 0 || t < (uint64_t)!m)
			return err_set(ERR_USAGE, "%s %s: seconds from %d to "
			    "86400", m ? "--max-time" : "--timeout", v, !m);
		*(m ? &cli.max_time_s : &cli.timeout_s) = (int)t;
	}
	return 1;
}

int
cli_start(void)
{
	int r;

	http_opts.timeout_ms = cli.timeout_s * 1000;
	http_opts.verbose = cli.verbose;
	sock_max_time(cli.max_time_s);
	if ((r = tls_init(cli.cacert, cli.insecure)) != 0)
		return r;
	return session_init(cli.region, cli.visibility, cli.resource_group);
}

/*
 * fail: print the one error line; returns the exit status.  The detail
 * may quote a service's answer: its control characters are escaped.
 */
static int
fail(const char *cmd, int r)
{
	static char safe[4 * 512];
	const char *d = err_detail();
	size_t n = strlen(cmd);
	struct sbuf b;

	/* A detail that already starts with "<cmd>: " is not prefixed twice. */
	if (strncmp(d, cmd, n) == 0 && d[n] == ':' && d[n + 1] == ' ')
		d += n + 2;
	sbuf_init(&b, safe, sizeof(safe));
	term_escape(&b, d, strlen(d));
	d = safe;
	if (d[0] != '\0' && err_code_last() == r)
		fprintf(stderr, "iksctl: %s: %s\n", cmd, d);
	else if (d[0] != '\0')
		fprintf(stderr, "iksctl: %s: %s: %s\n", cmd, err_message(r), d);
	else
		fprintf(stderr, "iksctl: %s: %s\n", cmd, err_message(r));
	return err_exit_status(r);
}

/*
 * std_fds: a closed stdin, stdout or stderr would be taken by the first
 * socket or file opened, and output would land in it (a token in the
 * store, a kubeconfig into a TLS stream).  Each closed one becomes an
 * end of a pipe that fails every use: stdin the write end, stdout and
 * stderr the read end, so a write is an error like on a closed stream.
 */
static void
std_fds(void)
{
	int p[2], closed[3], i, any = 0, rd, wr;

	for (i = 0; i < 3; i++)
		any |= closed[i] = fcntl(i, F_GETFD) < 0;
	if (!any || pipe(p) != 0)
		return;
	rd = fcntl(p[0], F_DUPFD_CLOEXEC, 3);
	wr = fcntl(p[1], F_DUPFD_CLOEXEC, 3);
	close(p[0]);
	close(p[1]);
	for (i = 0; i < 3; i++)
		if (closed[i])
			(void)dup2(i == 0 ? wr : rd, i);
	close(rd);
	close(wr);
}

int
main(int argc, char **argv)
{
	static char *args[256];
	const struct command *c = NULL;
	int i, n = 0, r, status;

	std_fds();
	cli.argv0 = argv[0];
	sock_init();
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (++i < argc && n < (int)(sizeof(args) / sizeof(args[0])))
				args[n++] = argv[i];
			break;
		}
		if ((r = global_option(argc, argv, &i)) < 0)
			return fail("usage", r);
		if (r == 1)
			continue;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			if (n > 0) {
				args[1] = args[0];
				args[0] = "help";
				n = 2;
			} else {
				args[n++] = "help";
			}
			break;
		}
		if (n >= (int)(sizeof(args) / sizeof(args[0])))
			return fail("usage", err_set(ERR_USAGE, "too many arguments"));
		args[n++] = argv[i];
	}
	if (n == 0) {
		(void)help_page(stderr, 0);
		return EXIT_USAGE;
	}
	if (strcmp(args[0], "--version") == 0)
		args[0] = "version";
	if ((c = find(args[0])) == NULL && args[0][0] == '-' && args[0][1])
		return fail("usage", err_set(ERR_USAGE, "unknown option '%s' (see "
		    "'iksctl help')", shown(args[0])));
	if (c == NULL)
		return fail("usage", err_set(ERR_USAGE, "unknown command '%s' (see "
		    "'iksctl help')", shown(args[0])));
	if (c->needs_session && (r = cli_start()) != 0)
		return fail(c->name, r);
	r = c->run(n, args);
	/* musl may meet the error in printf already: ferror() keeps it. */
	if ((fflush(stdout) != 0 || ferror(stdout)) && r == 0)
		r = err_set(ERR_IO, "writing to stdout failed");
	status = r == 0 ? 0 : fail(cli.what != NULL ? cli.what : c->name, r);
	if (c->needs_session)
		(void)session_finish();
	http_close_all();
	return status;
}
