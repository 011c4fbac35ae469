/*
 * cmd_manage.c: the commands that change clusters (DESIGN.md "Managing
 * clusters"): cluster create classic|vpc-gen2, cluster rm, cluster
 * master update, and cluster wait.
 *
 * Each command is one row of manage_ops[] (manage_ops.c): its words,
 * the method and path, the flags and the body member each becomes, what
 * the answer's id is called, what it says when done and what --wait
 * waits for.  One parser
 * reads any row's flags, one builder writes any row's body (jsonw.h),
 * and one runner confirms, sends (or prints, with --dry-run), looks a
 * create up by name after a 5xx or no answer, waits and prints.  A new
 * command is a row.
 */
#include "base/errors.h"
#include "base/str.h"
#include "base/term.h"
#include "cli/cmds.h"
#include "cli/manage_ops.h"
#include "cli/output.h"
#include "cloud/api.h"
#include "cloud/containers.h"
#include "cloud/manage.h"
#include "cloud/session.h"
#include "cloud/wait.h"
#include "net/sock.h"
#include "net/url.h"
#include "proto/jsonw.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_FLDS 16

/* What the command line said. */
struct args {
	const struct op *op;
	const char *cluster;            /* CLUSTER or -c */
	const char *val[MAX_FLDS];      /* each field's value, or NULL */
	const char *zone[LIM_ZONES], *subnet[LIM_ZONES]; /* F_ZONES pairs */
	int nzone, nsubnet;
	int force, dry_run, wait;       /* -f, --dry-run, --wait */
	const char *timeout;            /* --wait-timeout */
};

static char body[LIM_JSON_BODY_BYTES];
static char text[LIM_JSON_BODY_BYTES + LIM_URL_BYTES + 4 * LIM_TOKEN_BYTES];

/* cidr_ok: 1 for A.B.C.D/N (each 0..255, N 0..32). */
static int
cidr_ok(const char *s)
{
	const char *p = s, *e = s + strlen(s);
	uint64_t v;
	int k;

	for (k = 0; k < 5; k++) {
		if (parse_u64(&p, e, k < 4 ? 255 : 32, &v) != 0)
			return 0;
		if (k < 4 && *p++ != (k < 3 ? '.' : '/'))
			return 0;
	}
	return p == e;
}

/* enum_map: the value sent for v under map "v=sent,...", or NULL. */
static const char *
enum_map(const char *map, const char *v, char *dst, size_t cap)
{
	const char *p = map, *eq, *end;
	size_t n = strlen(v);

	for (; *p != '\0'; p = *end ? end + 1 : end) {
		eq = strchr(p, '=');
		end = strchr(eq, ',');
		if (end == NULL)
			end = eq + strlen(eq);
		if ((size_t)(eq - p) == n && memcmp(p, v, n) == 0 &&
		    (size_t)(end - eq) <= cap) {
			memcpy(dst, eq + 1, (size_t)(end - eq - 1));
			dst[end - eq - 1] = '\0';
			return dst;
		}
	}
	return NULL;
}

/* enum_names: "a|b" of map "a=x,b=y" into dst (for an error). */
static const char *
enum_names(const char *map, char *dst, size_t cap)
{
	size_t n = 0;

	for (; *map != '\0' && n + 1 < cap; map++) {
		if (*map == '=')
			while (map[1] != '\0' && map[1] != ',')
				map++;
		else
			dst[n++] = *map == ',' ? '|' : *map;
	}
	dst[n] = '\0';
	return dst;
}

/* check: every field's value, before anything is sent.  0 or ERR_USAGE. */
static int
check(const struct args *a)
{
	const char *w = a->op->words, *v;
	const struct fld *f;
	char tmp[64];
	uint64_t n;

	if ((a->op->flags & OP_CLUSTER) && (a->cluster == NULL ||
	    a->cluster[0] == '\0'))
		return err_set(ERR_USAGE, "%s: which CLUSTER (name or id)?", w);
	for (f = a->op->f; f->key != NULL; f++) {
		v = a->val[f - a->op->f];
		if (f->type == F_ZONES) {
			if (a->nzone != a->nsubnet)
				return err_set(ERR_USAGE, "%s: give each %s its %s (%d "
				    "and %d given)", w, f->flag, f->arg, a->nzone,
				    a->nsubnet);
			v = a->nzone > 0 ? "" : NULL;
		}
		if (v == NULL) {
			if (f->req)
				return err_set(ERR_USAGE, "%s: %s is required", w,
				    f->flag);
			continue;
		}
		if (f->needs >= 0 && a->val[f->needs] == NULL)
			return err_set(ERR_USAGE, "%s: %s needs %s", w, f->flag,
			    a->op->f[f->needs].flag);
		if (f->excl >= 0 && a->val[f->excl] != NULL)
			return err_set(ERR_USAGE, "%s: %s and %s exclude each other",
			    w, f->flag, a->op->f[f->excl].flag);
		if ((f->type == F_STR || f->type == F_ENUM) && v[0] == '\0')
			return err_set(ERR_USAGE, "%s: %s is empty", w, f->flag);
		if (f->type == F_INT && (str_to_u64(v, 1000, &n) != 0 || n < 1))
			return err_set(ERR_USAGE, "%s: %s %s: use a number from 1 "
			    "to 1000", w, f->flag, v);
		if (f->type == F_CIDR && !cidr_ok(v))
			return err_set(ERR_USAGE, "%s: %s %s: use a CIDR such as "
			    "172.30.0.0/16", w, f->flag, v);
		if (f->type == F_ENUM && enum_map(f->arg, v, tmp,
		    sizeof(tmp)) == NULL)
			return err_set(ERR_USAGE, "%s: %s %s: use %s", w, f->flag,
			    v, enum_names(f->arg, tmp, sizeof(tmp)));
	}
	return 0;
}

/* take: argv[*i] as one of the op's flags.  1 taken, 0 not, or error. */
static int
take(struct args *a, int argc, char **argv, int *i)
{
	const struct fld *f;
	const char *v;
	int r, sub;

	for (f = a->op->f; f->key != NULL; f++) {
		if (f->flag == NULL)
			continue;
		if (f->type == F_TRUE || f->type == F_BOOL || f->type == F_NOT ||
		    f->type == F_QUERY || f->type == F_NONE) {
			if (strcmp(argv[*i], f->flag) != 0)
				continue;
			a->val[f - a->op->f] = "";
			return 1;
		}
		sub = 0;
		if ((r = arg_value(argc, argv, i, f->flag, &v)) == 0 &&
		    f->type == F_ZONES)
			sub = (r = arg_value(argc, argv, i, f->arg, &v)) != 0;
		if (r <= 0) {
			if (r < 0)
				return r;
			continue;
		}
		if (f->type != F_ZONES) {
			a->val[f - a->op->f] = v;
		} else if (a->nzone >= LIM_ZONES || a->nsubnet >= LIM_ZONES) {
			return err_limit("zones", "LIM_ZONES", LIM_ZONES);
		} else if (sub) {
			a->subnet[a->nsubnet++] = v;
		} else {
			a->zone[a->nzone++] = v;
		}
		return 1;
	}
	return 0;
}

/* parse: the op's arguments after its words (argv[0..argc)). */
static int
parse(struct args *a, int argc, char **argv)
{
	int i, r;

	for (i = 0; i < argc; i++) {
		if ((r = take(a, argc, argv, &i)) != 0 ||
		    (r = arg_value(argc, argv, &i, "--wait-timeout",
		    &a->timeout)) != 0 ||
		    (r = arg_value(argc, argv, &i, "-c", &a->cluster)) != 0 ||
		    (r = arg_value(argc, argv, &i, "--cluster", &a->cluster)) != 0) {
			if (r < 0)
				return r;
		} else if (strcmp(argv[i], "-f") == 0) {
			a->force = 1;
		} else if (a->op->method != NULL && strcmp(argv[i], "--dry-run") == 0) {
			a->dry_run = 1;
		} else if (a->op->method != NULL && strcmp(argv[i], "--wait") == 0) {
			a->wait = 1;
		} else if ((a->op->flags & OP_CLUSTER) && a->cluster == NULL &&
		    argv[i][0] != '-') {
			a->cluster = argv[i];
		} else {
			return arg_unknown(a->op->words, argv[i]);
		}
	}
	return check(a);
}

/*
 * confirm: the question on the terminal (DESIGN.md "Confirmation"): the
 * cluster's name typed back, or yes.  Without a terminal on stdin: no.
 */
static int
confirm(const char *what, const char *name, int by_name)
{
	char ans[LIM_FIELD_BYTES];
	struct sbuf b;
	size_t n;

	if (!isatty(0))
		return err_set(ERR_USAGE, "%s: no terminal to confirm on, so "
		    "nothing was sent (use -f)", what);
	sbuf_init(&b, text, sizeof(text));
	term_escape(&b, name, strlen(name));
	if (by_name)
		fprintf(stderr, "%s: this removes cluster %s and all it runs.\n"
		    "Type the cluster's name to go on: ", what, text);
	else
		fprintf(stderr, "%s %s? [y/N] ", what, text);
	fflush(stderr);
	if (fgets(ans, sizeof(ans), stdin) == NULL)
		ans[0] = '\0';
	n = strcspn(ans, "\r\n");
	ans[n] = '\0';
	if (by_name ? strcmp(ans, name) != 0 : strcmp(ans, "y") != 0 &&
	    strcmp(ans, "yes") != 0)
		return err_set(ERR_USAGE, "%s: not confirmed, so nothing was sent",
		    what);
	return 0;
}

/* build_body: the op's JSON body from a into body; *len 0 if it has none. */
static int
build_body(const struct args *a, size_t *len)
{
	const struct fld *f;
	const char *v, *key, *dot, *open = NULL;
	struct jsonw w;
	char tmp[64];
	uint64_t n;
	int k, any = 0;

	jw_init(&w, body, sizeof(body));
	jw_open(&w, NULL, '{');
	for (f = a->op->f; f->key != NULL; f++) {
		v = a->val[f - a->op->f];
		if (f->type == F_QUERY || f->type == F_NONE || (v == NULL &&
		    (f->type == F_STR || f->type == F_CIDR || f->type == F_ENUM ||
		    f->type == F_TRUE || (f->type == F_ZONES && a->nzone == 0))))
			continue;
		any = 1;
		key = f->key;
		dot = strchr(key, '.');
		if (open != NULL && (dot == NULL || (size_t)(dot - key) !=
		    strlen(open) || strncmp(key, open, (size_t)(dot - key)) != 0)) {
			jw_close(&w);
			open = NULL;
		}
		if (dot != NULL && open == NULL) {
			static char obj[32];

			snprintf(obj, sizeof(obj), "%.*s", (int)(dot - key), key);
			jw_open(&w, obj, '{');
			open = obj;
		}
		if (dot != NULL)
			key = dot + 1;
		switch (f->type) {
		case F_INT:
			(void)str_to_u64(v != NULL ? v : "1", 1000, &n);
			jw_int(&w, key, (int64_t)n);
			break;
		case F_ENUM:
			jw_str(&w, key, enum_map(f->arg, v, tmp, sizeof(tmp)));
			break;
		case F_TRUE:
		case F_BOOL:
		case F_NOT:
			jw_bool(&w, key, (v != NULL) != (f->type == F_NOT));
			break;
		case F_CONST:
			jw_str(&w, key, f->arg);
			break;
		case F_ZONES:
			jw_open(&w, key, '[');
			for (k = 0; k < a->nzone; k++) {
				jw_open(&w, NULL, '{');
				jw_str(&w, "id", a->zone[k]);
				jw_str(&w, "subnetID", a->subnet[k]);
				jw_close(&w);
			}
			jw_close(&w);
			break;
		default:
			jw_str(&w, key, v);
		}
	}
	if (open != NULL)
		jw_close(&w);
	jw_close(&w);
	if (!any) {
		*len = 0;
		return 0;
	}
	return jw_finish(&w, "LIM_JSON_BODY_BYTES", len);
}

/* build_path: the op's path with {c} and its query into out. */
static int
build_path(const struct args *a, char *dst, size_t cap)
{
	const char *t = a->op->path, *c = strstr(t, "{c}");
	const struct fld *f;
	struct sbuf b;
	char sep = '?';

	sbuf_init(&b, dst, cap);
	if (c != NULL) {
		sbuf_add_mem(&b, t, (size_t)(c - t));
		url_encode(&b, slice_of(a->cluster), 0);
		t = c + 3;
	}
	sbuf_add(&b, t);
	for (f = a->op->f; f->key != NULL; f++) {
		if (f->type != F_QUERY)
			continue;
		sbuf_addc(&b, sep);
		sep = '&';
		sbuf_add(&b, f->key);
		sbuf_add(&b, a->val[f - a->op->f] != NULL ? "=true" : "=false");
	}
	return sbuf_ok(&b, "path");
}

/* dry_run: print the request instead of sending it. */
static int
dry_run(const struct args *a, const char *path, size_t len)
{
	struct sbuf b;
	char *p, *q;
	int r;

	sbuf_init(&b, text, sizeof(text));
	if ((r = session_describe(SVC_CS, a->op->method, path, len > 0,
	    &b)) != 0 || (r = sbuf_ok(&b, "request")) != 0)
		return r;
	for (p = q = text; *p != '\0'; p++)     /* CRLF to LF */
		if (*p != '\r')
			*q++ = *p;
	*q = '\0';
	fputs(text, stdout);
	if (len > 0)
		printf("\n%s\n", body);
	return 0;
}

/* line: "cluster <name> <what>[: id <id>]" on stdout. */
static void
line(const char *name, const char *what, const char *id)
{
	struct sbuf b;

	sbuf_init(&b, text, sizeof(text));
	sbuf_add(&b, "cluster ");
	term_escape(&b, name, strlen(name));
	sbuf_addc(&b, ' ');
	sbuf_add(&b, what);
	if (id != NULL && id[0] != '\0') {
		sbuf_add(&b, ": id ");
		term_escape(&b, id, strlen(id));
	}
	puts(text);
}

/* run: confirm, send, look up, wait, print. */
static int
run(struct args *a)
{
	static struct http_resp rs;
	static struct manage_target t;
	const struct op *op = a->op;
	struct wait_spec w;
	struct slice last = { "", 0 };
	char path[LIM_PATH_BYTES], until[16];
	size_t len = 0;
	int64_t t0;
	int r;

	memset(&w, 0, sizeof(w));
	w.cmd = op->words;
	w.until = op->until;
	w.timeout_s = 0;
	if (op->method == NULL && a->val[0] != NULL)
		w.until = wait_until_parse(a->val[0]);
	w.timeout_text = a->timeout != NULL ? a->timeout : op->timeout != NULL ?
	    op->timeout : w.until == WAIT_DELETED ? "45m" : w.until ==
	    WAIT_VERSION ? "60m" : "90m";
	if ((r = wait_duration(w.timeout_text, &w.timeout_s)) != 0 ||
	    (r = build_body(a, &len)) != 0)
		return r;
	if (op->method == NULL) {
		w.cluster = w.label = a->cluster;
		if ((r = cluster_wait(&w, &last)) != 0)
			return r;
		if (out_body_wanted())
			return last.n > 0 ? out_doc(op->words, last.p, last.n) : 0;
		snprintf(until, sizeof(until), "is %s", w.until == WAIT_DELETED ?
		    "removed" : w.until == WAIT_VERSION ? "updated" : w.until ==
		    WAIT_MASTER ? "ready" : "normal");
		line(a->cluster, until, NULL);
		return 0;
	}
	if ((r = build_path(a, path, sizeof(path))) != 0)
		return r;
	if (a->dry_run)
		return dry_run(a, path, len);
	memset(&t, 0, sizeof(t));
	if (op->flags & OP_CLUSTER) {
		/* Refused before anything is sent, the GET below included. */
		if (!a->force && !isatty(0))
			return confirm(op->words, "", 0);
		if ((r = manage_target(a->cluster, &t)) != 0)
			return r;
		if (!a->force && (r = confirm(op->words, t.name,
		    (op->flags & OP_CONFIRM_NAME) != 0)) != 0)
			return r;
		/* The id from here on: a name may be taken again meanwhile. */
		a->cluster = t.id;
		if ((r = build_path(a, path, sizeof(path))) != 0)
			return r;
	} else {
		(void)str_copy(t.name, sizeof(t.name), a->val[0], "name");
	}
	t0 = sock_now_ms();
	r = session_call(SVC_CS, op->method, path, NULL, len > 0 ? body : NULL,
	    len, NULL, NULL, &rs);
	if (op->flags & OP_CREATE)
		r = manage_created(op->words, &t, op->id_key, t0, r, &rs);
	else if (r == 0 && !api_ok(&rs))
		r = api_error(op->words, &rs, 0);
	if (r != 0)
		return r;
	if (op->flags & OP_CREATE && t.body.n == 0)
		t.body = (struct slice){ rs.body, rs.body_len };
	if (op->until == WAIT_DELETED)
		cluster_forget(t.id, t.name);
	if (a->wait) {
		w.cluster = t.id;
		w.label = t.name;
		w.created = (op->flags & OP_CREATE) != 0;
		w.want_version = op->until == WAIT_VERSION ? a->val[1] : NULL;
		if ((r = cluster_wait(&w, &last)) != 0)
			return r;
		if (out_body_wanted())
			return last.n > 0 ? out_doc(op->words, last.p, last.n) : 0;
	} else if (out_body_wanted()) {
		return t.body.n > 0 ? out_doc(op->words, t.body.p, t.body.n) : 0;
	}
	line(t.name, a->wait ? op->waited : op->done, op->flags & OP_CREATE ?
	    t.id : NULL);
	return 0;
}

int
cmd_manage(int argc, char **argv)
{
	static struct args a;
	size_t k, n;
	int used, i;

	for (k = 0; k < manage_nops; k++) {
		/* The op whose words argv starts with. */
		const char *wd = manage_ops[k].words;

		for (used = 0, i = 0; i < argc && *wd != '\0'; i++, used++) {
			n = strlen(argv[i]);
			if (strncmp(wd, argv[i], n) != 0 || (wd[n] != ' ' &&
			    wd[n] != '\0'))
				break;
			wd += n + (wd[n] == ' ');
		}
		if (*wd == '\0') {
			memset(&a, 0, sizeof(a));
			a.op = &manage_ops[k];
			cli.what = manage_ops[k].words;
			return parse(&a, argc - used, argv + used) != 0 ?
			    err_code_last() : run(&a);
		}
	}
	return err_set(ERR_USAGE, "%s: use 'cluster create classic|vpc-gen2', "
	    "'cluster rm', 'cluster master update' or 'cluster wait'", argv[0]);
}
