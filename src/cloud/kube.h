/*
 * kube.h: calls to a cluster's own Kubernetes API (F15) and the
 * kubeconfig that lets kubectl make them through `iksctl
 * kube-credential`.
 *
 * kube_call() finds the cluster (cache first, see containers.h), takes
 * the cached Kubernetes id_token (session_kube) and calls the master
 * with TLS verified against the cluster's own CA only.  A cached entry
 * that fails (the master answers 401, refuses the connection, or its
 * certificate no longer verifies) is read again once from the
 * containers API; a 401 also forces a new id_token.  The Authorization
 * header is wiped from this module's buffer after each request.
 */
#ifndef IKSCTL_KUBE_H
#define IKSCTL_KUBE_H

#include <stddef.h>

#include "base/str.h"
#include "cloud/containers.h"
#include "proto/http.h"

struct kube_req {
	const char *cluster;    /* id or name */
	int priv;               /* use privateServiceEndpointURL */
	const char *method;     /* "GET", "POST", ... */
	const char *path;       /* "/version", query included, encoded */
	const char *body;       /* request body or NULL */
	size_t body_len;        /* its length */
	const struct http_file *file; /* the body from a file instead, or NULL */
	const char *content_type; /* a body's media type after "application/"
	                           * ("json-patch+json"), or NULL: merge-patch+json
	                           * for PATCH, else json */
	const char *headers;    /* -H lines (CRLF-ended), replacing built-ins, or NULL */
	http_sink_fn sink;      /* stream a 2xx body here, or NULL */
	void *sink_ctx;         /* the sink's context */
	int watch;              /* a watch: the body may pause forever */
};

/*
 * kube_is_watch: 1 if path asks for a watch: a query parameter watch
 * that Kubernetes reads as true (1, t, T, true, True, TRUE).
 */
int kube_is_watch(const char *path);

/*
 * kube_call: send k to the cluster's master.  Returns 0 with *rs for
 * any status (the caller judges it, as with http_do), or a negative
 * code: the cluster lookup's, the session's (ERR_AUTH_LOGIN ...), or
 * the transport's (ERR_NET_*, ERR_TLS_*).
 */
int kube_call(const struct kube_req *k, struct http_resp *rs);

/*
 * kube_config: append to b a kubeconfig for cluster c at server whose
 * user runs `exe kube-credential --cluster <id>` (exec plugin,
 * client.authentication.k8s.io/v1, interactiveMode Never) with the
 * settings in force in its env list: IKSCTL_HOME, the trust (cacert,
 * the --cacert file, else SSL_CERT_FILE; SSL_CERT_DIR), the visibility
 * and the proxy variables (without a user:password), paths made
 * absolute.  With admin (the admin
 * certificate and key PEMs, cluster_admin) the user embeds them as
 * client-certificate-data and client-key-data instead, no exec stanza.
 * Returns 0 or ERR_LIMIT naming LIM_KUBECONFIG_BYTES.
 */
int kube_config(const struct cluster *c, const char *server,
    const char *exe, const char *cacert, const struct slice *admin,
    struct sbuf *b);

/*
 * kube_asked_again: 1 if the process running this plugin (its parent,
 * kubectl, known by its pid, program name and start time from /proc)
 * asked for the
 * credential of cluster before.  client-go asks its plugin again within
 * one process only when the master refused the credential (401) or it
 * expired, so an unexpired token is then renewed.  Otherwise 0, and the
 * record <home>/kube/<cluster> ("<pid> (<name>) <start time>\n",
 * mode 0600,
 * written atomically) names this asker.  0 on any doubt (not run by
 * client-go, which sets KUBERNETES_EXEC_INFO, as a script's repeated
 * calls are not; no /proc; a name that is no file name; no home).
 */
int kube_asked_again(const char *cluster);

#endif
