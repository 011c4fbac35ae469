/*
 * kube.c: the cluster's Kubernetes API and kubeconfig (see kube.h).
 * Owns the cluster being called and the request's header buffer, which
 * carries the id_token and is wiped after every request.
 */
#include "cloud/kube.h"
#include "base/errors.h"
#include "base/file.h"
#include "cloud/session.h"
#include "cloud/store.h"
#include "net/url.h"
#include "proto/base64.h"
#include "proto/json.h"
#include "proto/kubeconfig.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The cluster being called, and a second one for when it is read again:
 * the TLS layer keys its parsed CA on the PEM's address and length, so
 * a changed CA must not come in the same buffer.
 */
static struct cluster cls[2];
static struct cluster *cl = &cls[0];
static char hdr[LIM_TOKEN_BYTES + 256];       /* its request headers */

/* master_url: the master's URL for path into out[cap]. */
static int
master_url(const struct kube_req *k, char *out, size_t cap)
{
	static struct url u;
	const char *s = cluster_server(cl, k->priv);

	if (s == NULL)
		return err_code_last();
	if (url_parse(s, &u) != 0)
		return err_set(ERR_NET_URL, "cluster %s: endpoint %s: %s", cl->name, s,
		    err_detail());
	return url_join(&u, k->path, out, cap);
}

/* send_once: one request to the master with the id_token. */
static int
send_once(const struct kube_req *k, int force, struct http_resp *rs)
{
	static char url[LIM_URL_BYTES];
	struct http_req rq;
	const char *tok;
	int64_t exp;
	struct sbuf b;
	int r;

	if ((r = master_url(k, url, sizeof(url))) != 0 ||
	    (r = session_kube(force, cl->id, &tok, &exp)) != 0)
		return r;
	sbuf_init(&b, hdr, sizeof(hdr));
	sbuf_add(&b, "Authorization: Bearer ");
	sbuf_add(&b, tok);
	sbuf_add(&b, "\r\nAccept: application/json\r\n");
	if (k->body != NULL || k->file != NULL) {
		sbuf_add(&b, "Content-Type: application/");
		sbuf_add(&b, k->content_type != NULL ? k->content_type :
		    strcmp(k->method, "PATCH") == 0 ? "merge-patch+json" : "json");
		sbuf_add(&b, "\r\n");
	}
	if (b.overflow) {
		mem_wipe(hdr, sizeof(hdr));
		return err_limit("kube request headers", "LIM_TOKEN_BYTES",
		    LIM_TOKEN_BYTES);
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = k->method;
	rq.url = url;
	rq.headers = hdr;
	rq.user_headers = k->headers;
	rq.body = k->body;
	rq.body_len = k->body_len;
	rq.file = k->file;      /* read again from its start on each try */
	rq.ca_pem = cl->ca;
	rq.ca_len = cl->ca_len;
	rq.retry = strcmp(k->method, "GET") == 0 || strcmp(k->method, "HEAD") == 0;
	rq.sink = k->sink;
	rq.sink_ctx = k->sink_ctx;
	rq.no_idle = k->watch;
	r = http_do(&rq, rs);
	mem_wipe(hdr, b.len);
	return r;
}

int
kube_is_watch(const char *path)
{
	const char *p = strchr(path, '?');
	char v[8];
	size_t n;

	while (p != NULL && strncmp(++p, "watch=", 6) != 0)
		p = strchr(p, '&');
	if (p == NULL || (n = strcspn(p += 6, "&#")) == 0 || n > 4)
		return 0;
	/* Go's strconv.ParseBool reads these as true. */
	v[0] = ' ';
	memcpy(v + 1, p, n);
	v[n + 1] = ' ';
	v[n + 2] = '\0';
	return strstr(" 1 t T true True TRUE ", v) != NULL;
}

/* stale: 1 if error r says a cached endpoint or CA may be out of date. */
static int
stale(int r)
{
	return (r <= ERR_TLS_HANDSHAKE && r > ERR_HTTP_MALFORMED) ||
	    r == ERR_NET_REFUSED || r == ERR_NET_CONNECT || r == ERR_NET_DNS;
}

int
kube_call(const struct kube_req *k, struct http_resp *rs)
{
	int r, fresh = 0, force = 0, try;

	/* Checked before any call: a URL as PATH would take the token away. */
	if ((r = http_path_check(k->path)) != 0 ||
	    (r = http_method_check(k->method)) != 0)
		return r;
	for (try = 0; try < 2; try++) {
		cl = &cls[try];
		if ((r = cluster_find(k->cluster, fresh, cl)) != 0)
			return r;
		r = send_once(k, force, rs);
		if (try > 0)
			break;
		if (r == 0 && rs->status == 401) {
			force = 1;          /* a new id_token ... */
			fresh = cl->cached;  /* ... and the cluster read again */
		} else if (r != 0 && cl->cached && stale(r)) {
			fresh = 1;
		} else {
			break;
		}
		http_close_all();   /* no connection keeps the old CA */
		if (http_opts.verbose)
			fprintf(stderr, "* master of %s: %s; trying again with %s\n",
			    cl->name, r == 0 ? "401" : err_detail(),
			    fresh ? "the cluster read again" : "a new id_token");
	}
	return r;
}

int
kube_config(const struct cluster *c, const char *server, const char *exe,
    const char *cacert, const struct slice *admin, struct sbuf *b)
{
	/* The settings in force, for kubectl to run the plugin with. */
	static const char *const env[] = { "IKSCTL_HOME", "SSL_CERT_FILE",
	    "SSL_CERT_DIR", "IBMCLOUD_VISIBILITY", "HTTPS_PROXY",
	    "https_proxy", "NO_PROXY", "no_proxy", "IKSCTL_METADATA_URL" };
	struct slice val[7] = { slice_of(c->name), slice_of(server),
	    slice_of(exe), slice_of(c->id), { c->ca, c->ca_len } }, e[2];
	char abs[LIM_PATH_FS_BYTES];
	const char *v, *a;
	size_t k;

	kc_fill(b, "apiVersion: v1\nkind: Config\nclusters:\n- name: \1\n"
	    "  cluster:\n    server: \2\n    certificate-authority-data: \5\n"
	    "contexts:\n- name: \1\n  context:\n    cluster: \1\n    user: \1\n"
	    "    namespace: \"default\"\ncurrent-context: \1\npreferences: {}\n"
	    "users:\n- name: \1\n  user:\n", val);
	if (admin != NULL) {
		val[5] = admin[0];
		val[6] = admin[1];
		kc_fill(b, "    client-certificate-data: \6\n    client-key-data: \7\n",
		    val);
		goto out;
	}
	kc_fill(b, "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
	    "      command: \3\n      args:\n      - kube-credential\n"
	    "      - --cluster\n      - \4\n      env:\n", val);
	for (k = 0; k < sizeof(env) / sizeof(env[0]); k++) {
		v = getenv(env[k]);
		if (k == 1 && cacert != NULL)
			v = cacert;
		if (k == 3)
			v = sess.private_endpoints ? "private" : v ? "public" : NULL;
		if (v == NULL || v[0] == '\0')
			continue;
		/* Absolute, since kubectl may run the plugin from anywhere. */
		if (k < 3 && path_abs(abs, sizeof(abs), v) == 0)
			v = abs;
		/*
		 * A proxy with a user:password is left out: never in the file.
		 * kubectl's own environment, which has it, reaches the plugin
		 * (a proxy without them here would override it and get 407).
		 */
		if (k == 4 || k == 5) {
			a = strstr(v, "://");
			a = a != NULL ? a + 3 : v;
			if (memchr(a, '@', strcspn(a, "/")) != NULL)
				continue;
		}
		e[0] = slice_of(env[k]);
		e[1] = slice_of(v);
		kc_fill(b, "      - name: \1\n        value: \2\n", e);
	}
	sbuf_add(b, "      interactiveMode: Never\n      provideClusterInfo: false\n");
out:
	return b->overflow ? err_limit("kubeconfig", "LIM_KUBECONFIG_BYTES",
	    b->cap - 1) : 0;
}

int
kube_asked_again(const char *cluster)
{
	char path[LIM_PATH_FS_BYTES], st[LIM_PROC_STAT_BYTES], me[64], was[64];
	const char *p, *name;
	size_t n = 0;
	int k;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)getppid());
	/* Only client-go's asks count: it sets KUBERNETES_EXEC_INFO. */
	if (getenv("KUBERNETES_EXEC_INFO") == NULL || sess.home[0] == '\0' ||
	    file_read(path, st, sizeof(st), &n) != 0 ||
	    cluster[0] == '.' || strchr(cluster, '/') != NULL)
		return 0;
	/*
	 * "<pid> (<name>)" and field 22, the start time: the name is the
	 * program's, since a launcher may exec kubectl in its place after
	 * running the plugin itself (gcloud's kubectl dispatcher).
	 */
	for (name = p = strrchr(st, ')'), k = 2; p != NULL && k < 22; k++)
		p = strchr(p + 1, ' ');
	if (p == NULL || (k = snprintf(me, sizeof(me), "%.*s %.*s\n",
	    (int)(name - st + 1), st, (int)strcspn(p + 1, " "), p + 1)) >=
	    (int)sizeof(me) || store_subdir(path, sizeof(path), sess.home,
	    "kube", 1) != 0 || path_join(path, sizeof(path), path, cluster) != 0)
		return 0;
	if (file_read_regular(path, was, sizeof(was), &n) == 0 &&
	    strcmp(was, me) == 0)
		return 1;
	(void)file_write_atomic(path, me, (size_t)k, 0600);
	return 0;
}
