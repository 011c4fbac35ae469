/*
 * wait.h: waiting for a cluster to get somewhere (DESIGN.md "Waiting").
 *
 * cluster_wait() polls GET /v1/clusters/{id} (and, for the normal
 * target, the workers: v1 for classic, /v2/vpc/getWorkers for VPC) every
 * IKSCTL_WAIT_INTERVAL seconds (default 10, at least 1; a longer
 * Retry-After wins) until the target is seen on two polls in a row.
 * Passing states keep it waiting, failed states end it; network errors,
 * 429 and 5xx are retried until 5 minutes of nothing but failures; every
 * poll goes through session_call(), so tokens are renewed as the wait
 * outlives them.  Each poll has a --max-time deadline of its own (the
 * sleeps between polls are no network work): --wait-timeout bounds the
 * wait.  Progress goes to stderr: one line rewritten in place
 * on a terminal, else one timestamped line per change.  Ctrl-C ends the
 * process with status 130 (the store lock is a flock: nothing stays
 * locked).  Worker pools, zones and workers reuse it with their own
 * checks (the next commands).
 */
#ifndef IKSCTL_WAIT_H
#define IKSCTL_WAIT_H

#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

enum wait_until {
	WAIT_NORMAL,    /* state normal and every worker normal */
	WAIT_MASTER,    /* masterStatus Ready */
	WAIT_DELETED,   /* the cluster answers 404 */
	WAIT_VERSION,   /* masterKubeVersion no longer pending */
	WAIT_POOL,      /* every worker of the pool (or zone) normal and Ready */
	WAIT_GONE,      /* every worker of the pool, zone (or the one) deleted */
	WAIT_WORKER,    /* the worker normal and Ready */
	WAIT_REPLACED,  /* the worker gone, and a new one of its pool normal */
};

struct wait_spec {
	const char *cmd;          /* the command, for messages: "cluster wait" */
	const char *cluster;      /* id or name to poll */
	const char *label;        /* how messages name it (its name) */
	int until;                /* enum wait_until */
	int created;              /* this command created it: 404 is passing */
	const char *want_version; /* WAIT_VERSION: a prefix it must reach, or NULL */
	const char *pool;         /* worker targets: only this pool (id or name) */
	const char *zone;         /* ... and this zone, or NULL */
	const char *const *worker; /* WAIT_WORKER, WAIT_GONE, WAIT_REPLACED: */
	int nworker;              /* these workers, waited for together */
	int existed;              /* read just before (rm): a first 404 is gone */
	int vpc;                  /* the cluster is vpc-gen2 (v2 worker calls) */
	int empty_ok;             /* WAIT_POOL: no workers is done (a new pool
	                           * has none until a zone is added) */
	int64_t timeout_s;        /* give up after this long */
	const char *timeout_text; /* the timeout as given ("90m") */
};

/*
 * cluster_wait: wait as above.  Returns 0 with *last the cluster object
 * as last read (empty for WAIT_DELETED); ERR_FAIL for a failed state
 * (the state and status text in the detail); ERR_WAIT_TIMEOUT (exit 5)
 * naming the last state; a network code after 5 minutes of failed
 * polls; ERR_USAGE for a bad IKSCTL_WAIT_INTERVAL; or the service's
 * error (a 404 not counted as passing, a 403, a 401 after a renewal).
 */
int cluster_wait(const struct wait_spec *w, struct slice *last);

/*
 * wait_prepare: for WAIT_REPLACED, before the replace is sent: remember
 * the workers there are now, so that the new one is the id not seen
 * before.  Returns 0 or the service's error.
 */
int wait_prepare(const struct wait_spec *w);

/* wait_until_parse: "normal", "master", "deleted", "version"; or -1. */
int wait_until_parse(const char *s);

/*
 * wait_duration: "90m", "45m", "30s", "2h", "1h30m" or plain seconds
 * into *s.  Returns 0 or ERR_USAGE.
 */
int wait_duration(const char *text, int64_t *s);

#endif
