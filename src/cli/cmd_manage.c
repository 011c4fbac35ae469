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

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char body[LIM_JSON_BODY_BYTES];
static char text[LIM_JSON_BODY_BYTES + LIM_URL_BYTES + 4 * LIM_TOKEN_BYTES];

/*
 * confirm: the question on the terminal (DESIGN.md "Confirmation"): the
 * cluster's name typed back, or yes.  Without a terminal on stdin: no.
 */
static int
confirm(const char *what, const char *name, int by_name)
{
	char ans[LIM_FIELD_BYTES];
	struct sbuf b;
	size_t n = 0;

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
	/* One line from the terminal (read(2): no stdio input in the binary). */
	while (n < sizeof(ans) - 1 && read(0, ans + n, 1) == 1 && ans[n] != '\n')
		n++;
	ans[n] = '\0';
	ans[strcspn(ans, "\r")] = '\0';
	if (by_name ? strcmp(ans, name) != 0 : strcmp(ans, "y") != 0 &&
	    strcmp(ans, "yes") != 0)
		return err_set(ERR_USAGE, "%s: not confirmed, so nothing was sent",
		    what);
	sock_max_time(-1);   /* the time to answer was no network work */
	return 0;
}

/* dry_run: print the request instead of sending it. */
static int
dry_run(const struct args *a, const char *path, size_t len)
{
	struct sbuf b;
	char *p, *q;
	int r;

	sbuf_init(&b, text, sizeof(text));
	if ((r = session_describe(SVC_CS, op_methods[a->op->method], path,
	    len > 0, &b)) != 0 || (r = sbuf_ok(&b, "request")) != 0)
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

/* line: "<noun> <name> <what>[: id <id>]" on stdout. */
static void
line(int noun, const char *name, const char *what, const char *id)
{
	static const char *const nouns[] = { "cluster ", "worker-pool ",
	    "zone ", "worker " };
	struct sbuf b;

	sbuf_init(&b, text, sizeof(text));
	sbuf_add(&b, nouns[noun]);
	term_escape(&b, name, strlen(name));
	sbuf_addc(&b, ' ');
	sbuf_add(&b, what);
	if (id != NULL && id[0] != '\0') {
		sbuf_add(&b, ": id ");
		term_escape(&b, id, strlen(id));
	}
	puts(text);
}

/* noun_name: what the op's line names: the cluster, pool, zone, worker. */
static const char *
noun_name(const struct args *a, const struct manage_target *t)
{
	switch (a->op->noun) {
	case N_POOL:
		return a->pool != NULL ? a->pool : a->val[0];
	case N_ZONE:
		return a->val[0];
	case N_WORKER:
		return a->cur;
	}
	return t->name;
}

/* waited: wait for the op's target; 0 with the last object in *last. */
static int
waited(const struct args *a, const struct manage_target *t,
    struct wait_spec *w, struct slice *last)
{
	w->cluster = t->id;
	if (w->label == NULL)
		w->label = noun_name(a, t);
	w->created = (a->op->flags & OP_CREATE) != 0;
	w->existed = a->op->until == WAIT_DELETED;
	w->want_version = a->op->until == WAIT_VERSION ? a->val[1] : NULL;
	w->vpc = t->vpc;
	w->pool = a->op->flags & OP_NEW_POOL ? t->pool_id : a->pool;
	w->zone = a->op->noun == N_ZONE ? a->val[0] : NULL;
	w->empty_ok = (a->op->flags & OP_NEW_POOL) != 0;
	return cluster_wait(w, last);
}

static int report(struct args *a, struct manage_target *t,
    struct wait_spec *w);

/* send_one: the request for a->cur (or the one request), and its wait. */
static int
send_one(struct args *a, struct manage_target *t, struct wait_spec *w)
{
	static struct http_resp rs;
	const struct op *op = a->op;
	char path[LIM_PATH_BYTES];
	size_t len = 0;
	int64_t t0;
	int r, before = 1;

	if ((r = manage_body(a, body, sizeof(body), &len)) != 0 ||
	    (r = manage_path(a, path, sizeof(path))) != 0)
		return r;
	if (a->dry_run)
		return dry_run(a, path, len);
	if (op->flags & OP_NEW_POOL)
		before = manage_pool_exists(t, a->val[0]);
	t0 = sock_now_ms();
	r = session_call(SVC_CS, op_methods[op->method], path, NULL, len > 0 ?
	    body : NULL, len, NULL, NULL, &rs);
	if (op->flags & (OP_CREATE | OP_NEW_POOL))
		r = manage_created(op->words, t, op->flags & OP_NEW_POOL ?
		    a->val[0] : NULL, before, op_id_keys[op->id_key], t0, r,
		    &rs);
	else if (r == 0 && !api_ok(&rs))
		r = api_error(op->words, &rs, 0);
	if (r != 0)
		return r;
	out.change = 1;   /* made: an answer over a limit is no failure */
	if (t->body.n == 0)
		t->body = (struct slice){ rs.body, rs.body_len };
	if (op->flags & OP_FORGET)
		cluster_forget(t->id, t->name);
	/* Workers: each acted on first, then all waited for together (run). */
	return a->wait && (op->flags & OP_WORKERS) ? 0 : report(a, t, w);
}

/*
 * report: the wait (--wait: for the workers in w->worker, if any), then
 * -o json's body or the line (one for each worker waited for).
 */
static int
report(struct args *a, struct manage_target *t, struct wait_spec *w)
{
	static struct http_resp rs;
	const struct op *op = a->op;
	struct slice last = { "", 0 };
	int r, k = 0;

	if (a->wait) {
		if ((r = waited(a, t, w, &last)) != 0)
			return r;
		/* A pool's -o json after its wait: the pool as read now. */
		if (out_body_wanted() && (op->noun == N_POOL || op->noun ==
		    N_ZONE) && op->until != WAIT_GONE) {
			if ((r = manage_pool_get(t, op->flags & OP_NEW_POOL ?
			    t->pool_id : a->pool, &rs)) != 0)
				return r;
			if (!api_ok(&rs))
				return api_error(op->words, &rs, 0);
			last = (struct slice){ rs.body, rs.body_len };
		}
		if (out_body_wanted())
			return last.n > 0 ? out_doc(op->words, last.p, last.n) : 0;
	} else if (out_body_wanted()) {
		return t->body.n > 0 ? out_doc(op->words, t->body.p, t->body.n) :
		    0;
	}
	do
		line(op->noun, w->nworker > 0 ? w->worker[k] : noun_name(a, t),
		    a->wait ? op->waited : op->done, op->flags & (OP_CREATE |
		    OP_NEW_POOL) ? op->flags & OP_NEW_POOL ? t->pool_id : t->id :
		    NULL);
	while (++k < w->nworker);
	return 0;
}

/*
 * provider_check: a command made for one provider (the words end in
 * classic or vpc-gen2; worker reload and update are classic's) on a
 * cluster of the other is a usage error naming the right command.
 */
static int
provider_check(const char *words, const struct manage_target *t)
{
	const char *kind = strrchr(words, ' ') + 1, *use = words;
	int vpc = strcmp(kind, "vpc-gen2") == 0, n = (int)(kind - words),
	    upd = strcmp(words, "worker update") == 0;

	if (t->vpc == vpc || (!vpc && strcmp(kind, "classic") != 0 && !upd &&
	    strcmp(words, "worker reload") != 0))
		return 0;
	if (kind[0] != 'c' && kind[0] != 'v') {   /* worker reload|update */
		use = "worker replace --update";
		n = upd ? 23 : 14;
		kind = "";
	} else {
		kind = vpc ? "classic" : "vpc-gen2";
	}
	return err_set(ERR_USAGE, "%s is a %s cluster: use '%.*s%s'", t->name,
	    t->vpc ? "VPC" : "classic", n, use, kind);
}

/* run: the wait, or confirm, then send each request, then report. */
static int
run(struct args *a)
{
	static struct manage_target t;
	const struct op *op = a->op;
	struct wait_spec w;
	struct slice last = { "", 0 };
	char until[16], shown[4 * 512 + 4 * LIM_FIELD_BYTES];
	const char *d;
	static const char *sent[LIM_ZONES];
	struct sbuf b;
	int r, k, bad = 0, n = 0;

	memset(&w, 0, sizeof(w));
	w.cmd = op->words;
	w.until = op->until;
	if (op->method == M_NONE && a->val[0] != NULL)
		w.until = wait_until_parse(a->val[0]);
	w.timeout_text = a->timeout != NULL ? a->timeout : w.until ==
	    WAIT_DELETED ? "45m" : w.until ==
	    WAIT_VERSION ? "60m" : "90m";
	if ((r = wait_duration(w.timeout_text, &w.timeout_s)) != 0)
		return r;
	if (op->method == M_NONE) {
		w.cluster = w.label = a->cluster;
		if ((r = cluster_wait(&w, &last)) != 0)
			return r;
		if (out_body_wanted())
			return last.n > 0 ? out_doc(op->words, last.p, last.n) : 0;
		snprintf(until, sizeof(until), "is %s", w.until == WAIT_DELETED ?
		    "removed" : w.until == WAIT_VERSION ? "updated" : w.until ==
		    WAIT_MASTER ? "ready" : "normal");
		line(N_CLUSTER, a->cluster, until, NULL);
		return 0;
	}
	memset(&t, 0, sizeof(t));
	a->force |= a->dry_run;     /* --dry-run asks nothing */
	if (op->flags & OP_CLUSTER) {
		/* Refused before anything is sent, the GET below included. */
		if (!a->force && (op->flags & (OP_CONFIRM | OP_CONFIRM_NAME)) &&
		    !isatty(0))
			return confirm(op->words, "", 0);
		/* The GET: --dry-run too shows the id and path that are sent. */
		if ((r = manage_target(a->cluster, &t)) != 0 ||
		    (r = provider_check(op->words, &t)) != 0)
			return r;
		a->vpc = t.vpc;
		a->cur = a->worker[0];
		sbuf_init(&b, shown, sizeof(shown));
		sbuf_add(&b, op->noun == N_CLUSTER ? t.name : noun_name(a, &t));
		for (k = 1; k < a->nworker; k++) {
			sbuf_add(&b, ", ");
			sbuf_add(&b, a->worker[k]);
		}
		if (!a->force && (op->flags & (OP_CONFIRM | OP_CONFIRM_NAME)) &&
		    ((r = sbuf_ok(&b, "question")) != 0 || (r = confirm(op->words,
		    shown, (op->flags & OP_CONFIRM_NAME) != 0)) != 0))
			return r;
		/* The id from here on: a name may be taken again meanwhile. */
		a->cluster = t.id;
	} else {
		(void)str_copy(t.name, sizeof(t.name), a->val[0], "name");
	}
	if (!(op->flags & OP_WORKERS))
		return send_one(a, &t, &w);
	/* The workers there are before a replace: the new ones are not. */
	if (a->wait && !a->dry_run && op->until == WAIT_REPLACED) {
		w.cluster = t.id;
		w.vpc = t.vpc;
		if ((r = wait_prepare(&w)) != 0)
			return r;
	}
	/* Each WORKER on its own; one failure does not hide the others. */
	for (k = 0; k < a->nworker; k++) {
		a->cur = a->worker[k];
		t.body.n = 0;
		if ((r = send_one(a, &t, &w)) == 0) {
			sent[n++] = a->cur;
			continue;
		}
		if (a->nworker == 1)
			return r;
		bad++;
		d = err_detail();
		if (strncmp(d, op->words, strlen(op->words)) == 0 &&
		    d[strlen(op->words)] == ':')
			d += strlen(op->words) + 2;
		sbuf_init(&b, shown, sizeof(shown));
		term_escape(&b, a->cur, strlen(a->cur));
		sbuf_add(&b, ": ");
		term_escape(&b, d, strlen(d));
		fprintf(stderr, "iksctl: %s: %s\n", op->words, shown);
	}
	/* Then the ones acted on, waited for together. */
	if (a->wait && !a->dry_run && n > 0) {
		w.label = sent[0];   /* progress names the first */
		w.worker = sent;
		w.nworker = n;
		if ((r = report(a, &t, &w)) != 0)
			return r;
	}
	if (bad == 0)
		return 0;
	/* Several workers: exit 1, each failure said above. */
	return err_set(ERR_FAIL, "%d of %d workers failed", bad, a->nworker);
}

int
cmd_manage(int argc, char **argv)
{
	static struct args a;
	size_t k, n;
	int used, i, best = 1;

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
		if (used > best)
			best = used;
		if (*wd == '\0') {
			memset(&a, 0, sizeof(a));
			a.op = &manage_ops[k];
			cli.what = manage_ops[k].words;
			return manage_parse(&a, argc - used, argv + used) != 0 ?
			    err_code_last() : run(&a);
		}
	}
	/* The first word no op has there. */
	return arg_unknown(argv[0], best < argc ? argv[best] : "");
}

