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
	struct slice body;              /* what -o json prints, if not the answer */
};

/*
 * manage_target: GET /v1/clusters/{key} into t (id and name).  Returns
 * 0 or the service's error (a 404 names the cluster).
 */
int manage_target(const char *key, struct manage_target *t);

/*
 * manage_created: judge the answer to `what`, a create of cluster t->name
 * sent at t0_ms (sock_now_ms()): r and *rs as session_call() returned
 * them, id_key the member that names the new id ("id", "clusterID").
 * A 2xx sets t->id.  After a 5xx or a network failure (the request may
 * have reached the service) the name is looked up: a cluster of that
 * name created after the request started (by the service's clock, from
 * the Date of the lookup's answer) counts as created, t->id and t->body
 * ({"<id_key>":"<id>"}) are set and a line on stderr says so.  Returns
 * 0 when created, else the original error (api_error's for a status).
 */
int manage_created(const char *what, struct manage_target *t,
    const char *id_key, int64_t t0_ms, int r, struct http_resp *rs);

#endif
