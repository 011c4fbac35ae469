/*
 * cmd_cluster.c: regions, versions, clusters, cluster get|workers|config.
 *
 * Every listing is one containers GET: with -o json its body is
 * streamed to stdout byte for byte, with -q it is buffered and queried,
 * otherwise it is parsed into a table.  Table rows are built in one row
 * buffer owned here and copied into the table by out_table_row().
 */
#include "base/errors.h"
#include "base/file.h"
#include "base/str.h"
#include "cli/cmds.h"
#include "cli/output.h"
#include "base/term.h"
#include "cloud/api.h"
#include "cloud/containers.h"
#include "cloud/kube.h"
#include "cloud/session.h"
#include "net/url.h"
#include "proto/kubeconfig.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROW_COLS 8    /* the widest table here */

static char rowtext[LIM_TABLE_ROW_BYTES];          /* the cells of one row */
static size_t rowat[ROW_COLS];            /* where each cell starts */
static int rown;                          /* cells in the row */
static struct sbuf rowb;                  /* appends to rowtext */
static char own[LIM_KUBECONFIG_BYTES];    /* kubeconfig, our JSON output */
static struct cluster cfg;                /* the cluster of cluster config */

static void
row_start(void)
{
	sbuf_init(&rowb, rowtext, sizeof(rowtext));
	rown = 0;
}

/* row_cell: close the cell begun at `at` ("-" if empty). */
static void
row_cell(size_t at)
{
	if (rowb.len == at)
		sbuf_addc(&rowb, '-');
	sbuf_addc(&rowb, '\0');
	rowat[rown++] = at;
}

/* row_str: a cell holding s. */
static void
row_str(const char *s)
{
	size_t at = rowb.len;

	sbuf_add(&rowb, s);
	row_cell(at);
}

/* row_val: a cell holding member key of obj: a string raw, else compact JSON. */
static void
row_val(const struct json_doc *d, int obj, const char *key)
{
	int i = json_get(d, obj, key), n;
	size_t at = rowb.len;

	if (json_type(d, i) == JSON_STRING) {
		n = json_str(d, i, rowb.p + rowb.len, rowb.cap - rowb.len);
		if (n < 0)
			rowb.overflow = 1;
		else
			rowb.len += (size_t)n;
	} else if (json_type(d, i) != JSON_NONE && json_type(d, i) != JSON_NULL) {
		json_compact(&rowb, json_raw(d, i));
	}
	row_cell(at);
}

static int
row_end(void)
{
	const char *cells[ROW_COLS];
	int k;

	if (rowb.overflow)
		return err_limit("table row", "LIM_TABLE_ROW_BYTES",
		    sizeof(rowtext) - 1);
	for (k = 0; k < rown; k++)
		cells[k] = rowtext + rowat[k];
	return out_table_row(cells);
}

struct listing {
	const char *what;               /* for errors */
	const char *array;              /* member holding the list, or NULL */
	const char *hdr;                /* column headers, packed (NUL-ended) */
	const char *keys;               /* the member in each column, packed */
};

void
table_begin(const char *hdr)
{
	static const char *h[ROW_COLS];
	int n = 0;

	for (; *hdr != '\0' && n < ROW_COLS; hdr += strlen(hdr) + 1)
		h[n++] = hdr;
	out_table_begin(h, n);
}

/* list_row: one element of a listing's list as a table row. */
static int
list_row(void *ctx, const struct json_doc *d, long index)
{
	const struct listing *l = ctx;
	const char *k;

	(void)index;
	row_start();
	for (k = l->keys; *k != '\0'; k += strlen(k) + 1)
		row_val(d, 0, k);
	return row_end();
}

/* get_noauth: GET a containers path without a token (versions). */
static int
get_noauth(const char *path, http_sink_fn sink, void *ctx,
    struct http_resp *rs)
{
	static char url[LIM_URL_BYTES];
	static struct url u;
	struct http_req rq;
	int r;

	if ((r = url_parse(session_base(SVC_CS), &u)) != 0 ||
	    (r = url_join(&u, path, url, sizeof(url))) != 0)
		return r;
	memset(&rq, 0, sizeof(rq));
	rq.method = "GET";
	rq.url = url;
	rq.headers = "Accept: application/json\r\n";
	rq.retry = 1;
	rq.sink = sink;
	rq.sink_ctx = ctx;
	return http_do(&rq, rs);
}

int
get_doc(const char *what, const char *path, int noauth, struct json_doc *d,
    qstream_row row, const void *rctx, const char *array)
{
	static struct http_resp rs;
	static char lpath[LIM_FIELD_BYTES];
	http_sink_fn sink = NULL;
	void *ctx = NULL;
	int r, stream = out_body_wanted() || row != NULL;

	if (row != NULL)
		snprintf(lpath, sizeof(lpath), ".%s[]", array ? array : "");
	if (stream && (r = out_stream(what, lpath, row, (void *)rctx, &sink,
	    &ctx)) != 0)
		return r;
	r = noauth ? get_noauth(path, sink, ctx, &rs) : session_call(SVC_CS,
	    "GET", path, NULL, NULL, 0, sink, ctx, &rs);
	if (r != 0)
		return r;
	if (!api_ok(&rs))
		return api_error(what, &rs, 0);
	if (stream)
		return (r = out_stream_end()) != 0 ? r : out_body_wanted();
	return api_parse(what, rs.body, rs.body_len, d);
}

/* list: the table of l for the document at path. */
static int
list(const struct listing *l, const char *path)
{
	int r;

	if (!out_body_wanted())
		table_begin(l->hdr);
	if ((r = get_doc(l->what, path, 0, NULL, list_row, l, l->array)) != 0)
		return r < 0 ? r : 0;
	return out_table_end();
}

/* cluster_path: "/v1/clusters/<key><sub>" into dst. */
static int
cluster_path(char *dst, size_t cap, const char *key, const char *sub)
{
	struct sbuf b;

	sbuf_init(&b, dst, cap);
	sbuf_add(&b, "/v1/clusters/");
	url_encode(&b, slice_of(key), 0);
	sbuf_add(&b, sub);
	return b.overflow ? err_limit("path", "LIM_PATH_BYTES", cap - 1) : 0;
}

int
region_check(const char *region)
{
	static char names[LIM_FIELD_BYTES * 4];
	struct out_opts keep = out;
	struct json_doc d;
	struct sbuf b;
	int k, e, a, r;

	if (region == NULL)
		return 0;
	/* The list parsed, not printed, whatever -o and -q say. */
	out.json = 0;
	out.query = NULL;
	r = get_doc("regions", "/v1/regions", 1, &d, NULL, NULL, NULL);
	out.json = keep.json;
	out.query = keep.query;
	if (r != 0)
		return r;
	a = json_get(&d, 0, "regions");
	sbuf_init(&b, names, sizeof(names));
	for (k = 0, e = a + 1; k < json_size(&d, a); k++, e = json_next(&d, e)) {
		if (json_str_eq(&d, json_get(&d, e, "name"), region) ||
		    json_str_eq(&d, json_get(&d, e, "alias"), region))
			return 0;
		sbuf_add(&b, k > 0 ? ", " : "");
		sbuf_add_slice(&b, json_raw(&d, json_get(&d, e, "name")));
	}
	return err_set(ERR_USAGE, "--region %s: not a region of the service; "
	    "use one of %s", region, names);
}

int
cmd_regions(int argc, char **argv)
{
	static const struct listing l = { "regions", "regions",
	    "NAME\0ALIAS\0", "name\0alias\0" };

	if (argc > 1)
		return arg_unknown(argv[0], argv[1]);
	return list(&l, "/v1/regions");
}

int
cmd_clusters(int argc, char **argv)
{
	static const struct listing l = { "clusters", NULL, "NAME\0ID\0STATE\0"
	    "CREATED\0WORKERS\0LOCATION\0VERSION\0TYPE\0", "name\0id\0state\0"
	    "createdDate\0workerCount\0location\0masterKubeVersion\0type\0" };

	if (argc > 1)
		return arg_unknown(argv[0], argv[1]);
	return list(&l, "/v1/clusters");
}

int
cmd_versions(int argc, char **argv)
{
	struct json_doc d;
	int r, m, k, j, arr = 0, e, kind;
	const char *p;
	size_t at;

	if (argc > 1)
		return arg_unknown(argv[0], argv[1]);
	if ((r = get_doc("versions", "/v1/versions", 1, &d, NULL, NULL,
	    NULL)) != 0)
		return r < 0 ? r : 0;
	if (json_type(&d, 0) != JSON_OBJECT)
		return err_set(ERR_JSON_FIELD, "versions: the answer is not an object");
	table_begin("KIND\0VERSION\0DEFAULT\0END-OF-SERVICE\0");
	for (m = 0, kind = 1; m < json_size(&d, 0); m++, kind = json_next(&d, arr)) {
		arr = kind + 1;
		for (k = 0, e = arr + 1; k < json_size(&d, arr); k++,
		    e = json_next(&d, e)) {
			row_start();
			at = rowb.len;
			sbuf_add_slice(&rowb, json_raw(&d, kind));
			row_cell(at);
			at = rowb.len;
			for (j = 0, p = "major\0minor\0patch"; j < 3; j++, p += 6) {
				sbuf_add_slice(&rowb, json_raw(&d, json_get(&d, e, p)));
				sbuf_add(&rowb, p[0] != 'p' ? "." : "");
			}
			row_cell(at);
			row_val(&d, e, "default");
			row_val(&d, e, "end_of_service");
			if ((r = row_end()) != 0)
				return r;
		}
	}
	return out_table_end();
}

/* cluster_get: F10 as a FIELD VALUE table. */
static int
cluster_get(const char *key)
{
	/* Each row's FIELD and the member it shows, NUL-ended pairs. */
	static const char f[] = "Name\0name\0ID\0id\0State\0state\0"
	    "Status\0status\0Created\0createdDate\0Type\0type\0"
	    "Provider\0provider\0Region\0region\0Location\0location\0"
	    "Data center\0dataCenter\0Version\0masterKubeVersion\0"
	    "Workers\0workerCount\0Worker zones\0workerZones\0"
	    "Master status\0masterStatus\0Master URL\0masterURL\0"
	    "Server URL\0serverURL\0Public endpoint\0publicServiceEndpointURL\0"
	    "Private endpoint\0privateServiceEndpointURL\0"
	    "Ingress subdomain\0ingressHostname\0"
	    "Resource group\0resourceGroupName\0CRN\0crn\0";
	char path[LIM_PATH_BYTES];
	struct json_doc d;
	const char *k, *m;
	int r;

	if ((r = cluster_path(path, sizeof(path), key, "")) != 0)
		return r;
	if ((r = get_doc(key, path, 0, &d, NULL, NULL, NULL)) != 0)
		return r < 0 ? r : 0;
	if (json_type(&d, 0) != JSON_OBJECT)
		return err_set(ERR_JSON_FIELD, "%s: the answer is not an object", key);
	table_begin("FIELD\0VALUE\0");
	for (k = f; *k != '\0'; k = m + strlen(m) + 1) {
		m = k + strlen(k) + 1;
		row_start();
		row_str(k);
		row_val(&d, 0, m);
		if ((r = row_end()) != 0)
			return r;
	}
	return out_table_end();
}

/*
 * print_export: "export KUBECONFIG=<file>" for eval in a shell: as it
 * is when every byte is plain, else in single quotes, each ' as '\''.
 */
static void
print_export(const char *file)
{
	const char *p;

	if (file[strspn(file, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789/._-+,:@")] == '\0') {
		printf("export KUBECONFIG=%s\n", file);
		return;
	}
	fputs("export KUBECONFIG='", stdout);
	for (p = file; *p != '\0'; p++) {
		if (*p == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*p);
	}
	fputs("'\n", stdout);
}

/*
 * kube_target: the file cluster config merges into, in path[cap]: file,
 * else the first file of $KUBECONFIG, else ~/.kube/config (~/.kube made
 * 0700 if missing): the name as kubectl takes it (and locks).
 */
static int
kube_target(char *path, size_t cap, const char *file)
{
	const char *env = getenv("KUBECONFIG"), *home = getenv("HOME");
	int r;

	if (env != NULL)
		env += strspn(env, ":");        /* kubectl skips empty entries */
	if (file == NULL && env != NULL && env[0] != '\0') {
		r = slice_copy(path, cap, (struct slice){ env, strcspn(env, ":") },
		    "KUBECONFIG");
	} else if (file == NULL) {
		if (home == NULL || home[0] == '\0')
			return err_set(ERR_USAGE, "no HOME: use --kubeconfig FILE");
		if ((r = path_join(path, cap, home, ".kube")) == 0 &&
		    (r = dir_ensure(path, 0700)) == 0)
			r = path_join(path, cap, home, ".kube/config");
	} else {
		r = str_copy(path, cap, file, "--kubeconfig");
	}
	return r;
}

static char kout[LIM_KUBECONFIG_FILE_BYTES + LIM_KUBECONFIG_BYTES];
static char pair[2 * LIM_CLUSTER_CA_BYTES];       /* --admin's cert and key */
static char kin[LIM_KUBECONFIG_FILE_BYTES];       /* the file as it is */

/*
 * write_locked: under kubectl's lock on name, read the file at path (name
 * followed through links) again, merge own[len] into it and replace it
 * (its mode kept; 0600 if new or with admin's key), so that an entry
 * another writer put in meanwhile stays.
 */
static int
write_locked(const char *name, const char *path, size_t len, int admin)
{
	static struct kc_scan scan;
	char lock[LIM_PATH_FS_BYTES];
	struct stat st;
	mode_t mode = 0600;     /* a new file's; one holding a key */
	struct sbuf m;
	size_t n = 0;
	int r;

	if ((r = file_lock(name, lock, sizeof(lock), http_opts.timeout_ms)) != 0)
		return r;
	if (!admin && stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	sbuf_init(&m, kout, sizeof(kout));
	if ((r = file_read(path, kin, sizeof(kin), &n)) < 0)
		goto out;
	if (n == 0)
		sbuf_add_mem(&m, own, len);
	else if ((r = kc_merge(&scan, kin, n, own, len, cfg.name, &m)) ==
	    ERR_FAIL)
		r = err_set(ERR_FAIL, "%s line %u: %s: not YAML as kubectl "
		    "writes it, left as it is (use --kubeconfig FILE)", path,
		    scan.line, scan.why);
	if (r < 0)
		goto out;
	r = m.overflow ? err_limit(path, "LIM_KUBECONFIG_FILE_BYTES",
	    sizeof(kin) - 1) : file_write_atomic(path, kout, m.len, mode);
out:
	file_unlock(lock);
	return r;
}

/*
 * merge: merge the kubeconfig and say how to use it; with admin, the
 * admin certificate and key embedded (the file then mode 0600).
 */
static int
merge(const char *key, const char *file, int priv, int admin)
{
	struct slice pem[2];
	char exe[LIM_PATH_FS_BYTES], name[LIM_PATH_FS_BYTES];
	char path[LIM_PATH_FS_BYTES], abs[LIM_PATH_FS_BYTES];
	const char *server;
	struct sbuf b;
	size_t n = 0;
	int r, std = file != NULL && strcmp(file, "-") == 0;

	/* A kubeconfig that cannot be written or read: no network at all. */
	if (!std && ((r = kube_target(name, sizeof(name), file)) != 0 ||
	    (r = str_copy(path, sizeof(path), name, "path")) != 0 ||
	    (r = path_follow(path, sizeof(path))) != 0 ||
	    (r = file_check_target(path)) != 0 ||
	    (r = file_read(path, kin, sizeof(kin), &n)) < 0))
		return r;
	if ((r = cluster_find(key, 1, &cfg)) != 0 || (admin &&
	    (r = cluster_admin(&cfg, pair, sizeof(pair), pem)) != 0))
		return r;
	if ((server = cluster_server(&cfg, priv)) == NULL)
		return err_code_last();
	if (strncmp(server, "https://", 8) != 0)
		return err_set(ERR_NET_URL, "%s: only https:// URLs are supported",
		    server);     /* kube's words (http_do) */
	if (cli.argv0 == NULL || path_exe(exe, sizeof(exe), cli.argv0) != 0)
		return err_set(ERR_IO, "cannot find this program's absolute path "
		    "for the kubeconfig (start iksctl by its path)");
	sbuf_init(&b, own, sizeof(own));
	if ((r = kube_config(&cfg, server, exe, cli.cacert, admin ? pem : NULL,
	    &b)) != 0)
		return r;
	if (std) {      /* a failed write to stdout is main's exit 1 */
		fwrite(own, 1, b.len, stdout);
		return 0;
	}
	/* The name it was given (a link stays the name to use). */
	if ((r = write_locked(name, path, b.len, admin)) != 0 ||
	    (r = path_abs(abs, sizeof(abs), name)) != 0)
		return r;
	if (out_body_wanted()) {
		struct slice v[4] = { slice_of(abs), slice_of(cfg.id),
		    slice_of(cfg.name), slice_of(server) };

		sbuf_init(&b, own, sizeof(own));
		kc_fill(&b, "{\"kubeconfig\":\1,\"cluster\":\2,\"name\":\3,"
		    "\"server\":\4}\n", v);
		return b.overflow ? err_limit("output", "LIM_KUBECONFIG_BYTES",
		    sizeof(own) - 1) : out_doc("output", own, b.len);
	}
	sbuf_init(&b, own, sizeof(own));
	term_escape(&b, cfg.name, strlen(cfg.name));
	sbuf_add(&b, " (");
	term_escape(&b, server, strlen(server));
	sbuf_add(&b, ") into ");
	term_escape(&b, abs, strlen(abs));
	fprintf(stderr, "iksctl: merged the kubeconfig of %s\n", own);
	print_export(abs);
	return 0;
}

/* cluster_config: merge, then wipe what held the admin key. */
static int
cluster_config(const char *key, const char *file, int priv, int admin)
{
	int r = merge(key, file, priv, admin);

	if (admin) {
		mem_wipe(pair, sizeof(pair));
		mem_wipe(own, sizeof(own));
		mem_wipe(kout, sizeof(kout));
	}
	return r;
}

int
cmd_cluster(int argc, char **argv)
{
	static struct arg_names n;
	const char *sub = argc > 1 ? argv[1] : "", *file = NULL, *ep, *key;
	int i, r, priv = 0, admin = 0, config = strcmp(sub, "config") == 0;

	if (strcmp(sub, "workers") == 0)
		return cmd_pools(argc, argv);   /* worker ls, its flags too */
	if (strcmp(sub, "create") == 0 || strcmp(sub, "rm") == 0 ||
	    strcmp(sub, "master") == 0 || strcmp(sub, "wait") == 0)
		return cmd_manage(argc, argv);
	if (!config && strcmp(sub, "get") != 0)
		return arg_unknown("cluster", sub);
	cli.what = config ? "cluster config" : "cluster get";
	memset(&n, 0, sizeof(n));
	for (i = 2; i < argc; i++) {
		if ((r = arg_target(cli.what, T_C, &n, argc, argv, &i)) != 0) {
			if (r < 0)
				return r;
		} else if (config && (r = arg_value(argc, argv, &i, "--kubeconfig",
		    &file)) != 0) {
			if (r < 0)
				return r;
		} else if (config && (r = arg_value(argc, argv, &i, "--endpoint",
		    &ep)) != 0) {
			if (r < 0)
				return r;
			if ((priv = strcmp(ep, "private") == 0) == 0 &&
			    strcmp(ep, "public") != 0)
				return err_set(ERR_USAGE, "--endpoint %s: use public "
				    "or private", ep);
			/* Said both ways: neither wins silently. */
			if (!priv && cli.visibility != NULL &&
			    strcmp(cli.visibility, "private") == 0)
				return err_set(ERR_USAGE, "--endpoint public and "
				    "--visibility private: pass one");
		} else if (config && strcmp(argv[i], "--private") == 0) {
			priv = 1;
		} else if (config && strcmp(argv[i], "--admin") == 0) {
			admin = 1;
		} else {
			return arg_unknown(cli.what, argv[i]);
		}
	}
	if ((key = n.cluster) == NULL || key[0] == '\0')
		return err_set(ERR_USAGE, "%s: which CLUSTER (name or id)?",
		    cli.what);
	if (config)
		return cluster_config(key, file, priv, admin);
	return cluster_get(key);
}

/* cmd_day2: worker-pool, zone, worker: listings here, changes as rows. */
int
cmd_day2(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (argv[0][0] != 'z' && (strcmp(sub, "ls") == 0 ||
	    strcmp(sub, "get") == 0))
		return cmd_pools(argc, argv);
	return cmd_manage(argc, argv);
}
