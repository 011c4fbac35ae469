/*
 * manage.h: what the changing containers calls share (DESIGN.md
 * "Managing clusters"): finding the cluster a command acts on, and
 * telling whether a create that got a 5xx or no answer did create.
 */
#ifndef IKSCTL_MANAGE_H
#define IKSCTL_MANAGE_H

#include <stdint.h>

#include "base/limits.h"
#include "base/str.h"
#include "proto/http.h"

struct manage_target {
	char id[LIM_FIELD_BYTES];       /* the cluster's id */
	char name[LIM_FIELD_BYTES];     /* its name */
	int vpc;                        /* its provider is vpc-gen2 */
	char pool_id[LIM_FIELD_BYTES];  /* a pool create: the new pool's id */
	struct slice body;              /* what -o json prints, if not the answer */
};

/*
 * manage_target: GET /v1/clusters/{key} into t (id and name).  Returns
 * 0 or the service's error (a 404 names the cluster).
 */
int manage_target(const char *key, struct manage_target *t);

/*
 * manage_pool_get: GET the worker pool `pool` (name or id) of cluster t
 * into *rs (v1 for classic, /v2/vpc/getWorkerPool for VPC).  Returns as
 * session_call() (any status).
 */
int manage_pool_get(const struct manage_target *t, const char *pool,
    struct http_resp *rs);

/*
 * manage_pool_exists: whether cluster t has a worker pool named pool
 * (v1 for classic, /v2/vpc/getWorkerPool for VPC).  Returns 0 only for
 * a 404; 1 if it exists or the answer says nothing sure.
 */
int manage_pool_exists(const struct manage_target *t, const char *pool);

/*
 * manage_created: judge the answer to `what`, a create of cluster
 * t->name (pool NULL) or of the worker pool `pool` of cluster t, sent at
 * t0_ms (sock_now_ms()): r and *rs as session_call() returned them,
 * id_key the member that names the new id ("id", "clusterID",
 * "workerPoolID").  A 2xx sets t->id (t->pool_id).  After a 5xx or a
 * network failure (the request may have reached the service) the name
 * is looked up, under a --max-time of its own: a cluster of that name created after the request started
 * (by the service's clock, from the Date of the lookup's answer), or a
 * pool that was not there before it (before == 0), counts as created;
 * the id and t->body ({"<id_key>":"<id>"}) are set and a line on stderr
 * says so.  Returns 0 when created, else the original error.
 */
int manage_created(const char *what, struct manage_target *t,
    const char *pool, int before, const char *id_key, int64_t t0_ms, int r,
    struct http_resp *rs);

#endif
