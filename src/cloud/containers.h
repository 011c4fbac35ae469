/*
 * containers.h: one cluster's endpoints and CA (F10, F12), cached.
 *
 * cluster_find() reads GET /v1/clusters/{idOrName} and the config zip
 * GET /v1/clusters/{id}/config, takes the CA (ca-*.pem) out of the zip
 * and keeps the result in <home>/clusters/<id>: a small text file, mode
 * 0600, written atomically, found again by id or name.  The next call
 * then needs no containers request at all.  The caller owns the struct
 * cluster (keep it static: it holds the CA).
 */
#ifndef IKSCTL_CONTAINERS_H
#define IKSCTL_CONTAINERS_H

#include <stddef.h>

#include "base/limits.h"
#include "proto/http.h"

struct cluster {
	char id[LIM_FIELD_BYTES];          /* "cfgm29vf0a9mevqne4ag" */
	char name[LIM_FIELD_BYTES];        /* the cluster's name */
	char account[LIM_FIELD_BYTES];     /* account id it was read with */
	char public_url[LIM_URL_BYTES];    /* publicServiceEndpointURL or "" */
	char private_url[LIM_URL_BYTES];   /* privateServiceEndpointURL or "" */
	char master_url[LIM_URL_BYTES];    /* serverURL, else masterURL */
	char ca[LIM_CLUSTER_CA_BYTES];     /* the CA PEM, NUL-terminated */
	size_t ca_len;                     /* its length without the NUL */
	int cached;                        /* 1 if read from the cache file */
};

/*
 * cluster_find: the cluster key (id or name) into *c: from the cache
 * unless fresh is set or there is no entry for this account, else from
 * the containers API (two calls), then cached.  Returns 0; the
 * containers error (G0004: ERR_HTTP_STATUS; 401: ERR_AUTH) via
 * api_error(); ERR_ZIP, ERR_ZIP_MISSING, ERR_INFLATE for a bad zip;
 * ERR_LIMIT naming the limit; ERR_IO if the cache cannot be written.
 */
int cluster_find(const char *key, int fresh, struct cluster *c);

/*
 * cluster_exists: 0 if the cluster key (id or name) is in the cache for
 * this account, else if one containers GET finds it; else that call's
 * error (G0004: ERR_HTTP_STATUS).  Nothing is cached.
 */
int cluster_exists(const char *key);

/*
 * cluster_server: the URL to reach the master: the private endpoint
 * with priv, else the public one, else serverURL/masterURL.  Returns
 * it, or NULL with an error recorded (ERR_FAIL) if the cluster has none.
 */
const char *cluster_server(const struct cluster *c, int priv);

/*
 * cluster_read: GET /v1/clusters/{key}{sub} (key URL-encoded) into *rs.
 * Returns 0 for a 2xx; the service's error via api_error() (rs keeps
 * the answer: ERR_HTTP_STATUS for a 404 or a 5xx); or the call's error.
 */
int cluster_read(const char *key, const char *sub, struct http_resp *rs);

/*
 * cluster_admin: the admin certificate and key of c (admin.pem and
 * admin-key.pem in the zip of GET .../config/admin) into buf[cap], as
 * pem[0] and pem[1].  Returns 0, cluster_read's error, or ERR_ZIP /
 * ERR_LIMIT naming the zip.  The caller wipes buf.
 */
int cluster_admin(const struct cluster *c, char *buf, size_t cap,
    struct slice *pem);

/*
 * cluster_kube_token: the id_token in the kubeconfig of the cluster
 * key's config zip (a login without a refresh token has no F13) into
 * out[cap] ("" if it has none).  Returns 0, cluster_read's error, or
 * the zip's (ERR_ZIP, ERR_ZIP_MISSING, ERR_LIMIT).
 */
int cluster_kube_token(const char *key, char *out, size_t cap);

/*
 * cluster_forget: remove what iksctl keeps of a removed cluster under
 * IKSCTL_HOME: clusters/<id> (nothing is followed through a link).  Its
 * kubeconfig entries are the user's (cluster config merged them into
 * the user's kubeconfig): they stay, as `ibmcloud ks cluster rm` leaves
 * them.
 */
void cluster_forget(const char *id, const char *name);

#endif
