/*
 * cmd_call.c: kube-credential, kube and api: the commands that hand a
 * token to kubectl or make one call with it, to a cluster's master or to
 * any IBM endpoint.
 *
 * kube and api stream a 2xx body to stdout whatever its size; with -q
 * the query runs on it as it comes (query_stream.h).  A request body
 * from a file (-d @FILE, or -d @- with a file as standard input) is
 * streamed from it with its size, whatever that is; one from a pipe is
 * read into a buffer first.  PATH is checked by the session (a path on
 * the service, never a URL) and -H lines by the HTTP layer.
 */
#include "base/errors.h"
#include "base/file.h"
#include "base/str.h"
#include "cli/cmds.h"
#include "cli/output.h"
#include "cloud/api.h"
#include "cloud/containers.h"
#include "cloud/kube.h"
#include "cloud/session.h"
#include "net/sock.h"
#include "proto/http.h"
#include "proto/kubeconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char reqbody[LIM_REQ_BODY_BYTES];   /* -d @- from a pipe */
static char cred[LIM_TOKEN_BYTES + 256];   /* the ExecCredential */

int
cmd_kube_credential(int argc, char **argv)
{
	const char *tok, *cluster = NULL;
	struct slice v[2];
	char when[32];
	struct sbuf b;
	int64_t exp;
	int i, r;

	for (i = 1; i < argc; i++)
		if ((r = arg_value(argc, argv, &i, "--cluster", &cluster)) <= 0)
			return r < 0 ? r : arg_unknown(argv[0], argv[i]);
	/* The cluster must exist for this account (cached: no request). */
	if (cluster != NULL && cluster[0] == '\0')
		return err_set(ERR_USAGE, "--cluster: which cluster?");
	if ((cluster != NULL && (r = cluster_exists(cluster)) != 0) ||
	    (r = session_kube(kube_asked_again(cluster != NULL ? cluster :
	    "-"), cluster, &tok, &exp)) != 0)
		return r;
	/* Expire it for kubectl when iksctl would stop using it (10 s early). */
	v[0] = slice_of(tok);
	/* kubectl judges it with this machine's clock, not the service's. */
	v[1] = slice_of(out_time(exp - sess.st.clock_offset - 10, when,
	    sizeof(when)));
	sbuf_init(&b, cred, sizeof(cred));
	kc_fill(&b, "{\"apiVersion\":\"client.authentication.k8s.io/v1\","
	    "\"kind\":\"ExecCredential\",\"status\":{\"token\":\1,"
	    "\"expirationTimestamp\":\2}}\n", v);
	r = b.overflow ? err_limit("credential", "LIM_TOKEN_BYTES",
	    LIM_TOKEN_BYTES) : out_doc("kube-credential", cred, b.len);
	mem_wipe(cred, b.len);
	return r;
}

/*
 * pipe_body: the body of -d @- from a pipe, or of -d @FILE from a FIFO
 * or a device (/dev/null), all of it into reqbody.
 */
static int
pipe_body(const char *v, int fd, const char **body, size_t *len)
{
	ssize_t r;

	*len = 0;
	while ((r = read(fd, reqbody + *len, sizeof(reqbody) - *len)) > 0)
		if ((*len += (size_t)r) == sizeof(reqbody))
			return err_set(ERR_LIMIT, "-d %s: over LIM_REQ_BODY_BYTES "
			    "= %zu bytes from a pipe; give the body as -d @FILE "
			    "(streamed, any size)", v, sizeof(reqbody) - 1);
	if (r < 0)
		return err_set(ERR_IO, "-d %s: %s", v, strerror(errno));
	*body = reqbody;
	return 0;
}

/*
 * file_body: the body of -d @FILE (fd open on it), or of -d @- when
 * standard input is a file (from where it stands, as curl reads it):
 * streamed with its size, read again on each try, in constant memory.
 */
static int
file_body(const char *v, int fd, const char **body, size_t *len,
    const struct http_file **file)
{
	static struct http_file f;
	int in = strcmp(v, "@-") == 0;
	off_t at = in ? lseek(fd, 0, SEEK_CUR) : 0;
	struct stat st;

	if (fstat(fd, &st) != 0)
		return err_set(ERR_IO, "-d %s: %s", v, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return err_set(ERR_IO, "-d %s: a directory, not a file", v);
	}
	/*
	 * A pipe, a FIFO, a device (/dev/null): read whole, as curl does; a
	 * FIFO opened again, waiting for its writer as cat would.
	 */
	if (!S_ISREG(st.st_mode)) {
		if (!in && S_ISFIFO(st.st_mode)) {
			close(fd);
			fd = open(v + 1, O_RDONLY | O_CLOEXEC);
		} else if (!in && fcntl(fd, F_SETFL, 0) != 0) {
			fd = -1;
		}
		return fd < 0 ? err_set(ERR_IO, "-d %s: %s", v, strerror(errno)) :
		    pipe_body(v, fd, body, len);
	}
	f.fd = fd;
	f.off = at > 0 ? (uint64_t)(at < st.st_size ? at : st.st_size) : 0;
	f.len = (uint64_t)st.st_size - f.off;
	f.name = in ? "standard input" : v + 1;
	*file = &f;
	return 0;
}

/* body_arg: the body of -d DATA, -d @FILE or -d @-. */
static int
body_arg(const char *v, const char **body, size_t *len,
    const struct http_file **file)
{
	int fd;

	*file = NULL;
	*body = NULL;
	*len = 0;
	if (v[0] != '@') {
		*body = v;
		*len = strlen(v);
		return 0;
	}
	/* Not blocking on a FIFO's open: it is read once it is open. */
	fd = strcmp(v, "@-") == 0 ? 0 : open(v + 1, O_RDONLY | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? err_set(ERR_USAGE, "-d %s: no such file",
		    v) : err_set(ERR_IO, "-d %s: %s", v, strerror(errno));
	return file_body(v, fd, body, len, file);
}

/* patch_type: --patch-type name's media type after application/, or NULL. */
static const char *
patch_type(const char *name)
{
	static const char *const types[][2] = {
		{ "merge", "merge-patch+json" },
		{ "json", "json-patch+json" },
		{ "strategic", "strategic-merge-patch+json" },
		{ "apply", "apply-patch+yaml" },
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(name, types[i][0]) == 0)
			return types[i][1];
	return NULL;
}

/* The options kube and api share. */
struct call_args {
	const char *pos[2];     /* positional arguments */
	int npos;               /* how many */
	const char *method;     /* -X or NULL */
	const char *body;       /* -d's body or NULL */
	size_t body_len;        /* its length */
	const struct http_file *file; /* -d @FILE's body instead, or NULL */
	const char *ptype;      /* --patch-type (kube) or NULL */
	int priv;               /* --private (kube) */
	int watch;              /* --watch (kube) */
	const char *service;    /* --service (api) */
	const char *cluster;    /* -c/--cluster (kube), or NULL */
	struct sbuf hdrs;       /* -H lines, CRLF-ended */
};

static int
parse_call(int argc, char **argv, int npos, struct call_args *a)
{
	static char hbuf[LIM_REQ_HEADER_BYTES];
	const char *v;
	int i, r, api = npos == 1;

	memset(a, 0, sizeof(*a));
	sbuf_init(&a->hdrs, hbuf, sizeof(hbuf));
	for (i = 1; i < argc; i++) {
		if ((r = arg_value(argc, argv, &i, "-X", &a->method)) != 0 ||
		    (api && (r = arg_value(argc, argv, &i, "--service",
		    &a->service)) != 0) ||
		    (!api && (r = arg_value(argc, argv, &i, "--patch-type",
		    &a->ptype)) != 0)) {
			if (r < 0)
				return r;
		} else if ((r = arg_value(argc, argv, &i, "-d", &v)) != 0) {
			if (r < 0 || (r = body_arg(v, &a->body, &a->body_len,
			    &a->file)) != 0)
				return r;
		} else if ((r = arg_value(argc, argv, &i, "-H", &v)) != 0) {
			if (r < 0)
				return r;
			if ((r = http_user_header_check(v)) != 0)
				return r;
			sbuf_add(&a->hdrs, v);
			sbuf_add(&a->hdrs, "\r\n");
		} else if (!api && ((r = arg_value(argc, argv, &i, "-c",
		    &v)) != 0 || (r = arg_value(argc, argv, &i, "--cluster",
		    &v)) != 0)) {
			if (r < 0 || (r = arg_named(argv[0], "CLUSTER", &a->cluster,
			    v)) != 0)
				return r;
		} else if (!api && strcmp(argv[i], "--private") == 0) {
			a->priv = 1;
		} else if (!api && strcmp(argv[i], "--watch") == 0) {
			a->watch = 1;
		} else if (a->npos < npos && (argv[i][0] != '-' || argv[i][1] == 0)) {
			a->pos[a->npos++] = argv[i];
		} else {
			return arg_unknown(argv[0], argv[i]);
		}
	}
	if (a->hdrs.overflow)
		return err_limit("-H", "LIM_REQ_HEADER_BYTES", sizeof(hbuf) - 1);
	/* kube -c CLUSTER PATH: the CLUSTER positional may be left out. */
	if (a->cluster != NULL && a->npos == 1) {
		a->pos[a->npos++] = a->pos[0];
		a->pos[0] = a->cluster;
	} else if (a->cluster != NULL && a->npos == 2 && (r = arg_named(argv[0],
	    "CLUSTER", &a->cluster, a->pos[0])) != 0) {
		return r;
	}
	if (a->npos < npos)
		return err_set(ERR_USAGE, "%s: missing %s", argv[0],
		    a->npos == 0 && !api ? "CLUSTER and PATH" : "PATH");
	if (a->method == NULL)
		a->method = a->body != NULL || a->file != NULL ? "POST" : "GET";
	/* Before any call (a token refresh included): -X is a token. */
	if ((r = http_method_check(a->method)) != 0 || a->ptype == NULL)
		return r;
	if (strcmp(a->method, "PATCH") != 0)
		return err_set(ERR_USAGE, "--patch-type: only with -X PATCH");
	if (patch_type(a->ptype) == NULL)
		return err_set(ERR_USAGE, "--patch-type %s: use merge, json, "
		    "strategic or apply", a->ptype);
	return 0;
}

/* finish_call: judge the status; finish the streamed 2xx body. */
static int
finish_call(const char *what, struct http_resp *rs)
{
	if (!api_ok(rs))
		return api_error(what, rs, 0);
	return out_stream_end();
}

/* watch_path: PATH with watch=true added to its query (--watch). */
static int
watch_path(const char *path, const char **dst)
{
	static char buf[LIM_PATH_BYTES];
	struct sbuf b;

	sbuf_init(&b, buf, sizeof(buf));
	sbuf_add(&b, path);
	sbuf_add(&b, strchr(path, '?') != NULL ? "&watch=true" : "?watch=true");
	*dst = buf;
	return b.overflow ? err_limit("PATH", "LIM_PATH_BYTES",
	    sizeof(buf) - 1) : 0;
}

int
cmd_kube(int argc, char **argv)
{
	static struct http_resp rs;
	struct call_args a;
	struct kube_req k;
	int r;

	if ((r = parse_call(argc, argv, 2, &a)) != 0)
		return r;
	out.change = strcmp(a.method, "GET") != 0;
	memset(&k, 0, sizeof(k));
	k.cluster = a.pos[0];
	k.path = a.pos[1];
	if (a.watch && !kube_is_watch(k.path) &&
	    (r = watch_path(a.pos[1], &k.path)) != 0)
		return r;
	/* A watch: each event out as it comes, for as long as it runs. */
	if ((k.watch = kube_is_watch(k.path)) != 0) {
		out.watch = 1;
		sock_max_time(0);
	}
	k.priv = a.priv;
	k.method = a.method;
	k.body = a.body;
	k.body_len = a.body_len;
	k.file = a.file;
	k.content_type = a.ptype != NULL ? patch_type(a.ptype) : NULL;
	k.headers = a.hdrs.len ? a.hdrs.p : NULL;
	if ((r = out_stream(k.path, NULL, NULL, NULL, &k.sink,
	    &k.sink_ctx)) != 0 || (r = kube_call(&k, &rs)) != 0)
		return r;
	return finish_call(k.path, &rs);
}

int
cmd_api(int argc, char **argv)
{
	static struct http_resp rs;
	enum session_service svc = SVC_CS;
	http_sink_fn sink;
	struct call_args a;
	void *ctx;
	int r;

	if ((r = parse_call(argc, argv, 1, &a)) != 0)
		return r;
	out.change = strcmp(a.method, "GET") != 0;
	if (a.service != NULL && strcmp(a.service, "iam") == 0)
		svc = SVC_IAM;
	else if (a.service != NULL && strcmp(a.service, "accounts") == 0)
		svc = SVC_ACCOUNTS;
	else if (a.service != NULL && strcmp(a.service, "cs") != 0)
		return err_set(ERR_USAGE, "--service %s: use cs, iam or accounts",
		    a.service);
	if ((r = out_stream(a.pos[0], NULL, NULL, NULL, &sink, &ctx)) != 0)
		return r;
	r = a.file != NULL ? session_call_file(svc, a.method, a.pos[0],
	    a.hdrs.len ? a.hdrs.p : NULL, a.file, sink, ctx, &rs) :
	    session_call(svc, a.method, a.pos[0], a.hdrs.len ? a.hdrs.p : NULL,
	    a.body, a.body_len, sink, ctx, &rs);
	if (r != 0)
		return r;
	/* curl prints an error body too: so does api, then the error line. */
	if (!api_ok(&rs) && (r = out_sink(NULL, rs.body, rs.body_len)) != 0)
		return r;
	return finish_call(a.pos[0], &rs);
}
