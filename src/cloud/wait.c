/*
 * wait.c: the wait engine (see wait.h).  One poll reads the cluster
 * (and its workers for the normal target) into a struct view; judge()
 * turns the view into "done", "failed" or "go on"; the loop counts
 * successes in a row and failures in a row, sleeps, and prints the
 * progress.  The cluster body of the last good poll is kept in a static
 * buffer for -o json.
 */
#include "cloud/wait.h"
#include "base/errors.h"
#include "base/fmt.h"
#include "base/term.h"
#include "cloud/api.h"
#include "cloud/containers.h"
#include "cloud/session.h"
#include "net/sock.h"
#include "net/url.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GIVE_UP_S 300   /* failed polls in a row for this long end a wait */

/* What one poll saw. */
struct view {
	int gone;               /* the cluster answered 404 */
	char state[64];         /* state */
	char status[256];       /* status (free text) */
	char master[128];       /* masterStatus (top level or lifecycle) */
	char mstate[64];        /* masterState */
	char version[128];      /* masterKubeVersion */
	int vpc;                /* provider vpc-gen2 */
	int workers, ready;     /* workers looked at and normal; -1: not read */
	int old;                /* WAIT_REPLACED: an old worker is still there */
	char wfail[64];         /* a worker's failed state, or "" */
	char wid[LIM_WORKER_ID_BYTES]; /* ... that worker's id */
	char wmsg[256];         /* ... and its status text */
};

static char last_obj[LIM_WAIT_OBJECT_BYTES];  /* the cluster as last read */
static size_t last_len;
static int tty;                               /* progress in place */
static char intr[1024];                       /* the Ctrl-C line */
static int found, seen_del;   /* the cluster answered; was seen deleting */

/*
 * The failed states end a wait.  Every other state keeps it going: the
 * passing ones of DESIGN.md (requested, deploying, pending, provisioning,
 * updating, deleting, critical, warning, reload_pending, reloading) and
 * any the service adds later, so that a new transient state is not
 * taken for a failure (IBM-LIFECYCLE.md: Terraform's aborts on critical).
 */
static const char failed[] = "deploy_failed\0delete_failed\0aborted\0"
    "update_failed\0update_cancelled\0provision_failed\0reloading_failed\0"
    "reload_failed\0";

/* in: 1 if s is one of set's NUL-ended names (an empty one ends it). */
static int
in(const char *s, const char *set)
{
	for (; *set != '\0'; set += strlen(set) + 1)
		if (strcmp(s, set) == 0)
			return 1;
	return 0;
}

/* What each target is called in messages, and by --until. */
static const char *const until_name[] = { "normal", "master", "deleted",
    "version", "normal", "deleted", "normal", "replaced" };

int
wait_until_parse(const char *s)
{
	int k;

	for (k = 0; k <= WAIT_VERSION; k++)
		if (strcmp(s, until_name[k]) == 0)
			return k;
	return -1;
}

int
wait_duration(const char *text, int64_t *s)
{
	const char *p = text;
	uint64_t n, total = 0;
	int unit;

	do {
		if (parse_u64(&p, p + strlen(p), 100000000, &n) != 0)
			goto bad;
		unit = *p == 'h' ? 3600 : *p == 'm' ? 60 : 1;
		if (*p == 'h' || *p == 'm' || *p == 's')
			p++;
		else if (*p != '\0')
			goto bad;
		total += n * (uint64_t)unit;
	} while (*p != '\0');
	if (total > 0 && total <= 100000000) {
		*s = (int64_t)total;
		return 0;
	}
bad:
	return err_set(ERR_USAGE, "duration '%s': use 90m, 45m, 30s or 1h30m",
	    text);
}

/* field: string key of obj (or of obj's "lifecycle") into out, "" if none. */
static void
field(const struct json_doc *d, int obj, const char *key, char *out,
    size_t cap)
{
	int i = json_get(d, obj, key);

	if (i < 0)
		i = json_get(d, json_get(d, obj, "lifecycle"), key);
	if (json_type(d, i) != JSON_STRING || json_str(d, i, out, cap) < 0)
		out[0] = '\0';
}

/* The workers there were before a replace (wait_prepare). */
static char known[LIM_WORKERS][LIM_WORKER_ID_BYTES];
static int nknown, collect;

static int
is_known(const char *id)
{
	int k;

	for (k = 0; k < nknown; k++)
		if (strcmp(known[k], id) == 0)
			return 1;
	return 0;
}

/* matches_worker: 1 if id is one of the workers the wait is for. */
static int
matches_worker(const struct wait_spec *w, const char *id)
{
	int k;

	for (k = 0; k < w->nworker; k++)
		if (strcmp(id, w->worker[k]) == 0)
			return 1;
	return 0;
}

/* matches: 1 if worker e is one the wait looks at. */
static int
matches(const struct wait_spec *w, const struct json_doc *d, int e,
    const char *id)
{
	char s[LIM_FIELD_BYTES];

	if (w->until == WAIT_WORKER || (w->until == WAIT_GONE &&
	    w->nworker > 0))
		return matches_worker(w, id);
	if (w->pool != NULL) {
		field(d, e, "poolName", s, sizeof(s));
		if (strcmp(s, w->pool) != 0) {
			field(d, e, "poolid", s, sizeof(s));
			if (s[0] == '\0')
				field(d, e, "poolID", s, sizeof(s));
			if (strcmp(s, w->pool) != 0)
				return 0;
		}
	}
	field(d, e, "location", s, sizeof(s));
	return w->zone == NULL || strcmp(s, w->zone) == 0;
}

/*
 * read_workers: count the workers the wait looks at (all of the cluster
 * for WAIT_NORMAL) and the normal ones: v1 state normal (and status
 * Ready for the worker targets); v2 health.state normal (and
 * lifecycle.actualState deployed).  Deleted ones are not counted.
 */
static int
read_workers(const struct wait_spec *w, struct view *v, struct http_resp *rs)
{
	char path[LIM_PATH_BYTES], st[64], hs[256], id[LIM_WORKER_ID_BYTES];
	char msg[256];
	int r, e, k, h, ok, all = w->until == WAIT_NORMAL;
	struct json_doc d;
	struct sbuf b;

	sbuf_init(&b, path, sizeof(path));
	sbuf_add(&b, v->vpc ? "/v2/vpc/getWorkers?cluster=" : "/v1/clusters/");
	url_encode(&b, slice_of(w->cluster), 0);
	sbuf_add(&b, v->vpc ? "" : "/workers");
	if (!all)
		sbuf_add(&b, v->vpc ? "&showDeleted=true" : "?showDeleted=true");
	if ((r = sbuf_ok(&b, "path")) != 0 ||
	    (r = session_call(SVC_CS, "GET", path, NULL, NULL, 0, NULL, NULL,
	    rs)) != 0 || !api_ok(rs))
		return r;
	if ((r = api_parse("workers", rs->body, rs->body_len, &d)) != 0)
		return r;
	if (json_type(&d, 0) != JSON_ARRAY)
		return err_set(ERR_JSON_FIELD, "workers: the answer is not a list");
	v->workers = v->ready = 0;
	for (k = 0, e = 1; k < json_size(&d, 0); k++, e = json_next(&d, e)) {
		field(&d, e, "id", id, sizeof(id));
		if (collect) {
			if (nknown < LIM_WORKERS)
				memcpy(known[nknown++], id, sizeof(id));
			continue;
		}
		if (!all && !matches(w, &d, e, id) && !(w->until ==
		    WAIT_REPLACED && !is_known(id)))
			continue;
		/* v1: state, status; v2: lifecycle.actualState, health. */
		field(&d, e, "state", st, sizeof(st));
		field(&d, e, "status", hs, sizeof(hs));
		/* The worker's own words if it fails: v1 status, v2 health.message. */
		memcpy(msg, hs, sizeof(hs));
		if (st[0] == '\0') {
			/* field() looks into lifecycle{} by itself. */
			h = json_get(&d, e, "health");
			field(&d, h, "message", msg, sizeof(msg));
			field(&d, e, "actualState", st, sizeof(st));
			field(&d, h, "state", hs, sizeof(hs));
			ok = strcmp(hs, "normal") == 0 && (all ||
			    strcmp(st, "deployed") == 0);
		} else {
			ok = strcmp(st, "normal") == 0 && (all ||
			    strcmp(hs, "Ready") == 0);
		}
		if (strcmp(st, "deleted") == 0)
			continue;
		if (w->until == WAIT_REPLACED) {
			if (matches_worker(w, id)) {
				v->old = 1;
				continue;
			}
			if (is_known(id))
				continue;
		}
		if (in(st, failed)) {
			memcpy(v->wfail, st, sizeof(st));
			memcpy(v->wid, id, sizeof(id));
			memcpy(v->wmsg, msg, sizeof(msg));
		}
		v->workers++;
		v->ready += ok;
		/* A worker wait's -o json: the worker (the new one) as read. */
		if ((w->until == WAIT_WORKER || w->until == WAIT_REPLACED) &&
		    json_raw(&d, e).n < sizeof(last_obj)) {
			memcpy(last_obj, json_raw(&d, e).p, json_raw(&d, e).n);
			last_len = json_raw(&d, e).n;
		}
	}
	return 0;
}

int
wait_prepare(const struct wait_spec *w)
{
	static struct http_resp rs;
	struct view v;
	int r;

	memset(&v, 0, sizeof(v));
	v.vpc = w->vpc;
	nknown = 0;
	collect = 1;
	r = read_workers(w, &v, &rs);
	collect = 0;
	if (r == 0 && !api_ok(&rs))
		r = api_error("workers", &rs, 0);
	return r;
}

/*
 * poll: one look at the cluster.  Returns 0 with *v filled (rs->status
 * 200 or 404), 1 for a failure to retry (network, 429, 5xx), or an
 * error that ends the wait.
 */
static int
poll_once(const struct wait_spec *w, struct view *v, struct http_resp *rs)
{
	char prov[32];
	struct json_doc d;
	int r;

	memset(v, 0, sizeof(*v));
	v->workers = v->ready = -1;
	if (w->until >= WAIT_POOL) {
		v->vpc = w->vpc;
		if ((r = read_workers(w, v, rs)) == 0 && api_ok(rs))
			return 0;
		if (r == 0 && rs->status != 429 && rs->status < 500)
			return api_error(w->label, rs, 0);
		if (r == 0)
			api_error(w->label, rs, 0);
		return r == 0 || err_exit_status(r) == EXIT_NET ? 1 : r;
	}
	r = cluster_read(w->cluster, "", rs);
	if (r == ERR_HTTP_STATUS && rs->status == 404) {
		v->gone = 1;
		return 0;
	}
	if (r == 0) {
		if ((r = api_parse(w->label, rs->body, rs->body_len, &d)) != 0)
			return r;
		if (json_type(&d, 0) != JSON_OBJECT)
			return err_set(ERR_JSON_FIELD, "%s: the answer is not an "
			    "object", w->label);
		if (rs->body_len < sizeof(last_obj)) {
			memcpy(last_obj, rs->body, rs->body_len);
			last_len = rs->body_len;
		}
		field(&d, 0, "state", v->state, sizeof(v->state));
		field(&d, 0, "status", v->status, sizeof(v->status));
		field(&d, 0, "masterStatus", v->master, sizeof(v->master));
		field(&d, 0, "masterState", v->mstate, sizeof(v->mstate));
		field(&d, 0, "masterKubeVersion", v->version, sizeof(v->version));
		field(&d, 0, "provider", prov, sizeof(prov));
		v->vpc = strcmp(prov, "vpc-gen2") == 0;
		if (w->until != WAIT_NORMAL || in(v->state, failed))
			return 0;
		r = read_workers(w, v, rs);
		/* Workers not listed yet (a 4xx while it deploys): not known. */
		if (r == 0 && (api_ok(rs) || (rs->status != 429 &&
		    rs->status < 500)))
			return 0;
		if (r == 0)
			api_error(w->label, rs, 0);   /* the detail of the last */
	} else if (r == ERR_HTTP_STATUS && rs->status != 429 &&
	    rs->status < 500) {
		return r;
	}
	/* Network errors, 429 and 5xx: tried again (detail kept). */
	return r == 0 || r == ERR_HTTP_STATUS || err_exit_status(r) == EXIT_NET ?
	    1 : r;
}

/*
 * version_is: 1 if the master runs want (NULL: any): "1.30" or
 * "4.16_openshift" is the version "1.30.4_1532" or
 * "4.16.2_1540_openshift" starts with, up to a '.', '_' or the end.
 */
static int
version_is(const char *have, const char *want)
{
	size_t n;

	if (want == NULL)
		return 1;
	n = strcspn(want, "_");
	return strncmp(have, want, n) == 0 && (have[n] == '\0' ||
	    have[n] == '.' || have[n] == '_');
}

/* judge: 1 if the target is met, 0 to go on, or an error ending it. */
static int
judge(const struct wait_spec *w, const struct view *v, struct http_resp *rs)
{
	const char *bad = in(v->state, failed) ? v->state :
	    in(v->mstate, failed) ? v->mstate : v->wfail[0] ? v->wfail : NULL;

	/*
	 * A 404: gone, if the cluster was there (seen by this wait, or read
	 * before it by rm); a create's cluster not listed yet; or removed
	 * while waiting, once seen deleting.  Else the service's not-found.
	 */
	if (v->gone) {
		if (w->until == WAIT_DELETED && (found || w->existed))
			return 1;
		if (seen_del)
			return err_set(ERR_FAIL, "%s was removed while waiting",
			    w->label);
		return w->created ? 0 : api_error(w->label, rs, 0);
	}
	if (bad != NULL && w->until != WAIT_DELETED && bad == v->wfail)
		return err_set(ERR_FAIL, "worker %s is %s: \"%s\"", v->wid, bad,
		    v->wmsg);
	if (bad != NULL && w->until != WAIT_DELETED)
		return err_set(ERR_FAIL, "%s is %s: \"%s\"", w->label, bad,
		    v->status[0] ? v->status : v->master);
	if (bad != NULL && strcmp(bad, "delete_failed") == 0)
		return err_set(ERR_FAIL, "%s is delete_failed: \"%s\" (do not "
		    "retry the removal; IBM support is paged)", w->label,
		    v->status);
	switch (w->until) {
	case WAIT_NORMAL:
		return strcmp(v->state, "normal") == 0 && v->workers >= 0 &&
		    v->ready == v->workers;
	case WAIT_MASTER:
		return strncmp(v->master, "Ready", 5) == 0;
	case WAIT_VERSION:
		return v->version[0] != '\0' && strstr(v->version, "pending") ==
		    NULL && version_is(v->version, w->want_version);
	case WAIT_POOL:
	case WAIT_WORKER:
		return (v->workers > 0 || w->empty_ok) && v->ready == v->workers;
	case WAIT_GONE:
		return v->workers == 0;
	case WAIT_REPLACED:
		return !v->old && v->workers >= w->nworker && v->ready == v->workers;
	}
	return 0;
}

/* describe: the view as one progress text. */
static void
describe(const struct view *v, int failures, struct sbuf *b)
{
	if (failures > 0) {
		sbuf_addf(b, "no answer (%d failed poll%s)", failures,
		    failures > 1 ? "s" : "");
		return;
	}
	if (v->gone) {
		sbuf_add(b, "not found");
		return;
	}
	if (v->state[0] == '\0' && v->master[0] == '\0') {   /* workers only */
		sbuf_addf(b, "workers %d/%d ready%s", v->ready, v->workers,
		    v->old ? ", the old one still there" : "");
		return;
	}
	term_escape(b, v->state, strlen(v->state));
	if (v->master[0] != '\0') {
		sbuf_add(b, ", master ");
		term_escape(b, v->master, strlen(v->master));
	}
	if (v->workers >= 0)
		sbuf_addf(b, ", workers %d/%d", v->ready, v->workers);
	if (strstr(v->version, "pending") != NULL) {
		sbuf_add(b, ", version ");
		term_escape(b, v->version, strlen(v->version));
	}
}

/*
 * on_signal: the interrupted line, made when the wait began (a handler
 * only writes): a create's also says which cluster it made and the
 * command that resumes the wait.
 */
static void
on_signal(int sig)
{
	(void)sig;
	(void)!write(2, intr + !tty, strlen(intr + !tty));
	_exit(EXIT_INTR);
}

/* progress: print text if it changed (always in place on a terminal). */
static void
progress(const struct wait_spec *w, const char *text, const char *prev,
    int64_t elapsed_s)
{
	char ts[32];

	if (tty) {
		fprintf(stderr, "\r%s: %s, %lldm%02llds\033[K", w->label, text,
		    (long long)(elapsed_s / 60), (long long)(elapsed_s % 60));
	} else if (strcmp(text, prev) != 0) {
		fprintf(stderr, "%s %s: %s\n", fmt_rfc3339(session_now(), ts,
		    sizeof(ts)), w->label, text);
	}
	fflush(stderr);
}

/* interval_ms: IKSCTL_WAIT_INTERVAL in ms (default 10 s, at least 1 s). */
static int
interval_ms(int64_t *ms)
{
	const char *e = getenv("IKSCTL_WAIT_INTERVAL");
	uint64_t s = 10;

	if (e != NULL && e[0] != '\0' && str_to_u64(e, 86400, &s) != 0)
		return err_set(ERR_USAGE, "IKSCTL_WAIT_INTERVAL=%s: use a number "
		    "of seconds", e);
	*ms = (int64_t)(s < 1 ? 1 : s) * 1000;
	return 0;
}

int
cluster_wait(const struct wait_spec *w, struct slice *last)
{
	static struct http_resp rs;
	static char text[512], prev[512];
	int64_t t0 = sock_now_ms(), now, every = 10000, pause, fail_t0 = 0;
	int r, seen = 0, failures = 0, moved = 0, pool;
	const char *giveup = getenv("IKSCTL_WAIT_GIVE_UP");   /* tests only */
	uint64_t give_up_s = GIVE_UP_S;
	struct sigaction sa;
	struct view v, good;
	struct sbuf b;
	int64_t ra;

	if ((r = interval_ms(&every)) != 0)
		return r;
	if (giveup != NULL && str_to_u64(giveup, 86400, &give_up_s) != 0)
		give_up_s = GIVE_UP_S;
	tty = isatty(2) != 0;
	snprintf(intr, sizeof(intr), w->created ? "\niksctl: %s: interrupted; "
	    "cluster %s was created: resume the wait with 'iksctl cluster wait "
	    "%s'\n" : "\niksctl: %s: interrupted\n", w->cmd, w->cluster,
	    w->cluster);
	found = seen_del = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	last_len = 0;
	prev[0] = '\0';
	memset(&good, 0, sizeof(good));
	for (;;) {
		sock_max_time(-1);   /* each poll its own --max-time */
		r = poll_once(w, &v, &rs);
		now = sock_now_ms();
		if (r == 1) {
			if (failures++ == 0)
				fail_t0 = now;
			if (now - fail_t0 >= (int64_t)give_up_s * 1000) {
				r = err_code_last();
				r = err_set(err_exit_status(r) == EXIT_NET ? r :
				    ERR_NET_IO, "%s: every poll failed for %llus; the "
				    "last: %s", w->label, (unsigned long long)give_up_s,
				    err_detail());
				break;
			}
			seen = 0;
		} else if (r == 0) {
			failures = 0;
			good = v;
			found |= !v.gone;
			seen_del |= strncmp(v.state, "delete", 6) == 0;
			r = judge(w, &v, &rs);
			moved |= r == 0;
			seen = r == 1 ? seen + 1 : 0;
			/*
			 * A worker action may not show yet on the first polls:
			 * three in a row unless it was seen on its way.
			 */
			if (r < 0 || seen >= (w->until == WAIT_WORKER && !moved ?
			    3 : 2))
				break;
		} else {
			break;
		}
		sbuf_init(&b, text, sizeof(text));
		describe(&good, failures, &b);
		progress(w, text, prev, (now - t0) / 1000);
		memcpy(prev, text, sizeof(prev));
		if (now - t0 >= w->timeout_s * 1000) {
			/* Pools and workers: the progress text; a cluster: its
			 * state and status. */
			pool = w->until >= WAIT_POOL;
			r = err_set(ERR_WAIT_TIMEOUT, "timed out after %s waiting for "
			    "%s to be %s (last: %s%s%s%s)", w->timeout_text, w->label,
			    until_name[w->until], pool ? text : good.gone ?
			    "not found" : good.state[0] ? good.state : "no answer",
			    pool ? "" : ", \"", pool ? "" : good.status[0] ?
			    good.status : good.master, pool ? "" : "\"");
			break;
		}
		pause = every;
		if (rs.status >= 429 && (ra = http_retry_after_ms(&rs)) > pause)
			pause = ra;
		if (pause > w->timeout_s * 1000 - (now - t0))
			pause = w->timeout_s * 1000 - (now - t0);
		sock_sleep_ms(pause);
	}
	if (tty && prev[0] != '\0')
		fputc('\n', stderr);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (r < 0)
		return r;
	last->p = last_obj;
	last->n = w->until == WAIT_DELETED ? 0 : last_len;
	return 0;
}
