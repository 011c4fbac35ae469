/*
 * cmd_pools.c: the listings of a cluster's worker pools and workers
 * (worker-pool ls|get, worker ls|get, cluster workers), the same columns
 * on classic (v1) and VPC clusters (/v2/vpc/...).  Each column is a path
 * into the answer's element, with alternatives for the two shapes
 * ("health.state|state"); "zones[].id" joins a list.  -o json streams
 * the service's body as it is, -q queries it.
 */
#include "base/errors.h"
#include "base/str.h"
#include "cli/cmds.h"
#include "cli/output.h"
#include "cloud/api.h"
#include "cloud/manage.h"
#include "cloud/session.h"
#include "net/url.h"

#include <stdio.h>
#include <string.h>

#define NCOL 8

struct listing {
	const char *v1, *v2;            /* paths: {c} cluster, {x} pool or worker */
	const char *hdr;                /* column headers, packed (NUL-ended) */
	const char *col;                /* each column's paths, packed */
};

#define POOL_HDR "NAME\0ID\0FLAVOR\0SIZE PER ZONE\0ZONES\0STATE\0"
#define POOL_COL "name|poolName\0id\0machineType|flavor\0" \
    "sizePerZone|workerCount\0zones[].id\0state|lifecycle.actualState\0"
#define WORKER_HDR "ID\0STATE\0STATUS\0ZONE\0FLAVOR\0VERSION\0PRIVATE IP\0" \
    "POOL\0"
#define WORKER_COL "id\0state|health.state\0status|health.message\0" \
    "location\0machineType|flavor\0kubeVersion.actual|kubeVersion\0" \
    "privateIP|networkInterfaces[0].ipAddress\0poolName|poolid|poolID\0"

static const struct listing l_pools = { "/v1/clusters/{c}/workerpools",
    "/v2/vpc/getWorkerPools?cluster={c}", POOL_HDR, POOL_COL };
static const struct listing l_pool = { "/v1/clusters/{c}/workerpools/{x}",
    "/v2/vpc/getWorkerPool?cluster={c}&workerpool={x}", POOL_HDR, POOL_COL };
static const struct listing l_workers = { "/v1/clusters/{c}/workers",
    "/v2/vpc/getWorkers?cluster={c}", WORKER_HDR, WORKER_COL };
static const struct listing l_worker = { "/v1/clusters/{c}/workers/{x}",
    "/v2/vpc/getWorker?cluster={c}&worker={x}", WORKER_HDR, WORKER_COL };

static char cells[NCOL][LIM_FIELD_BYTES * 4];

/* value: the element at path p ("a.b[0].c") of e, or -1. */
static int
value(const struct json_doc *d, int e, const char *p, size_t n)
{
	char key[64];
	size_t k;

	while (n > 0 && e >= 0) {
		k = strcspn(p, ".[");
		if (k > n)
			k = n;
		if (k > 0) {
			if (k >= sizeof(key))
				return -1;
			memcpy(key, p, k);
			key[k] = '\0';
			e = json_get(d, e, key);
		}
		p += k;
		n -= k;
		if (n > 0 && *p == '[') {
			e = json_at(d, e, p[1] - '0');
			p += 3;
			n = n >= 3 ? n - 3 : 0;
		}
		if (n > 0 && *p == '.') {
			p++;
			n--;
		}
	}
	return e;
}

/* cell: column spec of element e into b (a list joined with ","). */
static void
cell(const struct json_doc *d, int e, const char *spec, struct sbuf *b)
{
	const char *alt = spec, *bar, *list;
	size_t n;
	int i, k, x;

	for (; *alt != '\0'; alt = *bar ? bar + 1 : bar) {
		bar = alt + strcspn(alt, "|");
		n = (size_t)(bar - alt);
		list = strstr(alt, "[].");
		if (list != NULL && list < bar) {
			i = value(d, e, alt, (size_t)(list - alt));
			for (k = 0; json_type(d, i) == JSON_ARRAY &&
			    k < json_size(d, i); k++) {
				x = value(d, json_at(d, i, k), list + 3,
				    (size_t)(bar - list - 3));
				if (k > 0)
					sbuf_addc(b, ',');
				sbuf_add_slice(b, json_raw(d, x));
			}
			return;
		}
		i = value(d, e, alt, n);
		if (json_type(d, i) >= JSON_STRING && json_type(d, i) != JSON_NULL) {
			if (json_type(d, i) == JSON_STRING && json_str(d, i,
			    b->p + b->len, b->cap - b->len) >= 0)
				b->len += strlen(b->p + b->len);
			else
				sbuf_add_slice(b, json_raw(d, i));
			return;
		}
	}
}

/* path_of: the listing's path for the cluster t and x into dst. */
static int
path_of(const char *tmpl, const char *c, const char *x, const char *query,
    char *dst, size_t cap)
{
	struct sbuf b;

	sbuf_init(&b, dst, cap);
	for (; *tmpl != '\0'; tmpl++) {
		if (*tmpl == '{') {
			url_encode(&b, slice_of(tmpl[1] == 'c' ? c : x), 0);
			tmpl += 2;
		} else {
			sbuf_addc(&b, *tmpl);
		}
	}
	if (query[0] != '\0') {
		sbuf_addc(&b, strchr(dst, '?') != NULL ? '&' : '?');
		sbuf_add(&b, query);
	}
	return sbuf_ok(&b, "path");
}

/* pool_row: element 0 of d (a pool or worker) as a row of listing ctx. */
static int
pool_row(void *ctx, const struct json_doc *d, long index)
{
	const struct listing *l = ctx;
	const char *row[NCOL], *k = l->col;
	struct sbuf b;
	int c;

	(void)index;
	for (c = 0; *k != '\0'; c++, k += strlen(k) + 1) {
		sbuf_init(&b, cells[c], sizeof(cells[c]));
		cell(d, 0, k, &b);
		if (b.len == 0)
			sbuf_addc(&b, '-');
		row[c] = cells[c];
	}
	return out_table_row(row);
}

/*
 * show: GET the listing for cluster key (and x) and print it.  A list
 * (ls) is read element by element, whatever its length; one pool or
 * worker (get) is parsed whole.
 */
static int
show(const char *what, const struct listing *l, const char *key,
    const char *x, const char *query, int ls)
{
	static struct manage_target t;
	static char path[LIM_PATH_BYTES];
	struct json_doc d;
	int r;

	if ((r = manage_target(key, &t)) != 0 ||
	    (r = path_of(t.vpc ? l->v2 : l->v1, t.id, x, query, path,
	    sizeof(path))) != 0)
		return r;
	if (!out_body_wanted())
		table_begin(l->hdr);
	if ((r = get_doc(what, path, 0, &d, ls ? pool_row : NULL, l, NULL)) != 0)
		return r < 0 ? r : 0;
	if (!ls && (r = pool_row((void *)l, &d, 0)) != 0)
		return r;
	return out_table_end();
}

int
cmd_pools(int argc, char **argv)
{
	static struct arg_names n;
	const char *x, *pool = NULL, *v, *sub = argc > 1 ? argv[1] : "";
	int isw = argv[0][0] == 'w' && argv[0][6] == '\0', ls, i, r, del = 0;
	char q[LIM_FIELD_BYTES * 3 + 32];
	struct sbuf b;

	if (strcmp(argv[0], "cluster") == 0) {
		isw = 1;
		sub = "ls";
	}
	ls = strcmp(sub, "ls") == 0;
	cli.what = isw ? ls ? "worker ls" : "worker get" : ls ?
	    "worker-pool ls" : "worker-pool get";
	memset(&n, 0, sizeof(n));
	for (i = 2; i < argc; i++) {
		if ((r = arg_target(cli.what, ls ? T_C : isw ? T_C | T_W : T_C | T_P, &n,
		    argc, argv, &i)) != 0) {
			if (r < 0)
				return r;
		} else if (isw && ls && ((r = arg_value(argc, argv, &i, "-p",
		    &v)) != 0 || (r = arg_value(argc, argv, &i, "--worker-pool",
		    &v)) != 0)) {
			if (r < 0 || (r = arg_named(cli.what, "--worker-pool", &pool,
			    v)) != 0)
				return r;
		} else if (isw && ls && strcmp(argv[i], "--show-deleted") == 0) {
			del = 1;
		} else {
			return arg_unknown(cli.what, argv[i]);
		}
	}
	x = isw ? n.worker[0] : n.pool;
	if (n.cluster == NULL || n.cluster[0] == '\0')
		return err_set(ERR_USAGE, "%s: which CLUSTER (name or id)?",
		    cli.what);
	if (!ls && (x == NULL || x[0] == '\0'))
		return err_set(ERR_USAGE, "%s: which %s?", cli.what, isw ?
		    "WORKER" : "POOL");
	if (n.nworker > 1)
		return arg_unknown(cli.what, n.worker[1]);
	sbuf_init(&b, q, sizeof(q));
	if (del)
		sbuf_add(&b, "showDeleted=true");
	if (pool != NULL) {
		sbuf_add(&b, del ? "&pool=" : "pool=");
		url_encode(&b, slice_of(pool), 0);
	}
	if ((r = sbuf_ok(&b, "query")) != 0)
		return r;
	return show(cli.what, isw ? ls ? &l_workers : &l_worker : ls ?
	    &l_pools : &l_pool, n.cluster, x, q, ls);
}
