/*
 * containers.c: a cluster's endpoints and CA, read once and cached (see
 * containers.h).
 *
 * The cache file is "iksctl-cluster 1", one "key value" line per field
 * of struct cluster, then a line "ca" and the CA PEM to the end of the
 * file.  A file that does not parse, is for another account or another
 * cluster is simply not a hit: the cluster is read again.  This file
 * owns the cache file buffer; the config zip stays in the HTTP layer's
 * receive buffer while the CA is taken out of it.
 */
#include "cloud/containers.h"
#include "base/errors.h"
#include "base/file.h"
#include "base/str.h"
#include "cloud/api.h"
#include "cloud/session.h"
#include "net/url.h"
#include "proto/zip.h"

#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char magic[] = "iksctl-cluster 1\n";

static const struct {
	const char *key;        /* the line's key in the file */
	size_t off;             /* the field in struct cluster */
} fields[] = {
	{ "id", offsetof(struct cluster, id) },
	{ "name", offsetof(struct cluster, name) },
	{ "account", offsetof(struct cluster, account) },
	{ "public", offsetof(struct cluster, public_url) },
	{ "private", offsetof(struct cluster, private_url) },
	{ "master", offsetof(struct cluster, master_url) },
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static char fbuf[LIM_CLUSTER_FILE_BYTES];  /* a cache file, read or written */

/* field_cap: the size of the field at off (URLs or short fields). */
static size_t
field_cap(size_t off)
{
	return off >= offsetof(struct cluster, public_url) ? LIM_URL_BYTES :
	    LIM_FIELD_BYTES;
}

/* id_safe: 1 if id can be a file name: [A-Za-z0-9_-], not empty. */
static int
id_safe(const char *id)
{
	const char *p;

	for (p = id; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return 0;
	return p != id && p - id < 128;
}

static int
cache_path(char *out, size_t cap, const char *id)
{
	char dir[LIM_PATH_FS_BYTES];
	int r;

	/* Never through a link: 1 (no cache yet) or ERR_STORE for one. */
	if ((r = store_subdir(dir, sizeof(dir), sess.home, "clusters", 0)) != 0)
		return r;
	return id == NULL ? str_copy(out, cap, dir, "path") :
	    path_join(out, cap, dir, id);
}

/* cache_parse: the cache file in fbuf[0..n) into c; 0, or 1 if unusable. */
static int
cache_parse(size_t n, struct cluster *c)
{
	const char *p = fbuf + sizeof(magic) - 1, *end = fbuf + n, *nl, *sp;
	size_t k;

	if (n < sizeof(magic) - 1 || memcmp(fbuf, magic, sizeof(magic) - 1) != 0)
		return 1;
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (nl - p == 2 && memcmp(p, "ca", 2) == 0) {
			c->ca_len = (size_t)(end - nl - 1);
			if (c->ca_len == 0 || c->ca_len >= sizeof(c->ca))
				return 1;
			memcpy(c->ca, nl + 1, c->ca_len);
			c->ca[c->ca_len] = '\0';
			return c->id[0] != '\0' ? 0 : 1;
		}
		sp = memchr(p, ' ', (size_t)(nl - p));
		for (k = 0; sp != NULL && k < NFIELDS; k++)
			if (strlen(fields[k].key) == (size_t)(sp - p) &&
			    memcmp(p, fields[k].key, (size_t)(sp - p)) == 0 &&
			    slice_copy((char *)c + fields[k].off, field_cap(fields[k].off),
			    (struct slice){ sp + 1, (size_t)(nl - sp - 1) }, "field") != 0)
				return 1;
		p = nl + 1;
	}
	return 1;
}

/* cache_read: 0 if the file at path is key's entry for this account. */
static int
cache_read(const char *path, const char *key, struct cluster *c)
{
	size_t n;

	/* Never through a link, never blocked by a FIFO (kubectl waits). */
	if (file_read_regular(path, fbuf, sizeof(fbuf), &n) != 0)
		return 1;
	memset(c, 0, sizeof(*c));
	if (cache_parse(n, c) != 0 || strcmp(c->account, sess.st.account) != 0 ||
	    (strcmp(c->id, key) != 0 && strcmp(c->name, key) != 0))
		return 1;
	c->cached = 1;
	return 0;
}

/* cache_load: key's entry, by id (the file name), else by name. 0 or 1. */
static int
cache_load(const char *key, struct cluster *c)
{
	char path[LIM_PATH_FS_BYTES];
	struct dirent *de;
	DIR *dp;
	int n = 0, r = 1;

	if (id_safe(key) && cache_path(path, sizeof(path), key) == 0 &&
	    cache_read(path, key, c) == 0)
		return 0;
	if (cache_path(path, sizeof(path), NULL) != 0 ||
	    (dp = opendir(path)) == NULL)
		return 1;
	while (r != 0 && n++ < LIM_CLUSTER_FILES && (de = readdir(dp)) != NULL)
		if (de->d_name[0] != '.' && id_safe(de->d_name) &&
		    cache_path(path, sizeof(path), de->d_name) == 0)
			r = cache_read(path, key, c);
	closedir(dp);
	return r;
}

static int
cache_save(const struct cluster *c)
{
	char path[LIM_PATH_FS_BYTES];
	const char *v;
	struct sbuf b;
	size_t k;
	int r;

	sbuf_init(&b, fbuf, sizeof(fbuf));
	sbuf_add(&b, magic);
	for (k = 0; k < NFIELDS; k++) {
		v = (const char *)c + fields[k].off;
		if (strpbrk(v, "\r\n") != NULL)
			return err_set(ERR_JSON_FIELD, "cluster %s: a line break in "
			    "its %s", c->id, fields[k].key);
		sbuf_addf(&b, "%s %s\n", fields[k].key, v);
	}
	sbuf_add(&b, "ca\n");
	sbuf_add_mem(&b, c->ca, c->ca_len);
	if (b.overflow)
		return err_limit("cluster file", "LIM_CLUSTER_FILE_BYTES",
		    sizeof(fbuf) - 1);
	if ((r = store_subdir(path, sizeof(path), sess.home, "clusters", 1)) != 0 ||
	    (r = cache_path(path, sizeof(path), c->id)) != 0)
		return r;
	return file_write_atomic(path, fbuf, b.len, 0600);
}

int
cluster_read(const char *key, const char *sub, struct http_resp *rs)
{
	char path[LIM_PATH_BYTES];
	struct sbuf b;
	int r;

	sbuf_init(&b, path, sizeof(path));
	sbuf_add(&b, "/v1/clusters/");
	url_encode(&b, slice_of(key), 0);
	sbuf_add(&b, sub);
	if (b.overflow)
		return err_limit("cluster path", "LIM_PATH_BYTES", sizeof(path) - 1);
	if ((r = session_call(SVC_CS, "GET", path, NULL, NULL, 0, NULL, NULL,
	    rs)) != 0)
		return r;
	return api_ok(rs) ? 0 : api_error(key, rs, 0);
}

/* opt: the string member key of object 0, or "" when absent or null. */
static int
opt(const struct json_doc *d, const char *key, char *out, size_t cap)
{
	int i = json_get(d, 0, key);

	out[0] = '\0';
	if (json_type(d, i) != JSON_STRING)
		return 0;
	return json_str(d, i, out, cap) < 0 ? err_set(ERR_LIMIT, "cluster: %s "
	    "over %zu bytes", key, cap - 1) : 0;
}

/* zip_get: the member prefix*suffix of the zip rs holds into out[cap]. */
static int
zip_get(const struct http_resp *rs, const char *prefix, const char *suffix,
    char *out, size_t cap, size_t *n)
{
	struct zip_entry e;
	int r = zip_find_suffix((const uint8_t *)rs->body, rs->body_len, prefix,
	    suffix, &e);

	return r != 0 ? r : zip_extract((const uint8_t *)rs->body, rs->body_len,
	    &e, (uint8_t *)out, cap, n);
}

/* fetch: F10 and F12 for key into c, then save the cache file. */
static int
fetch(const char *key, struct cluster *c)
{
	static struct http_resp rs;
	struct json_doc d;
	int r;

	memset(c, 0, sizeof(*c));
	if ((r = cluster_read(key, "", &rs)) != 0 ||
	    (r = api_parse(key, rs.body, rs.body_len, &d)) != 0 ||
	    (r = opt(&d, "id", c->id, sizeof(c->id))) != 0 ||
	    (r = opt(&d, "name", c->name, sizeof(c->name))) != 0 ||
	    (r = opt(&d, "publicServiceEndpointURL", c->public_url,
	    sizeof(c->public_url))) != 0 ||
	    (r = opt(&d, "privateServiceEndpointURL", c->private_url,
	    sizeof(c->private_url))) != 0 ||
	    (r = opt(&d, "serverURL", c->master_url, sizeof(c->master_url))) != 0)
		return r;
	if (c->master_url[0] == '\0' &&
	    (r = opt(&d, "masterURL", c->master_url, sizeof(c->master_url))) != 0)
		return r;
	if (!id_safe(c->id))
		return err_set(ERR_JSON_FIELD, "%s: the cluster's id '%s' is not "
		    "an id", key, c->id);
	if ((r = str_copy(c->account, sizeof(c->account), sess.st.account,
	    "account")) != 0)
		return r;
	/* F12: the CA is in the config zip, nowhere else. */
	if ((r = cluster_read(c->id, "/config", &rs)) != 0)
		return r;
	if (rs.body_len > LIM_ZIP_BYTES)
		return err_limit("the config zip", "LIM_ZIP_BYTES", LIM_ZIP_BYTES);
	r = zip_get(&rs, "ca-", ".pem", c->ca, sizeof(c->ca) - 1, &c->ca_len);
	if (r == ERR_LIMIT)
		return err_limit("the cluster CA", "LIM_CLUSTER_CA_BYTES",
		    sizeof(c->ca) - 1);
	if (r != 0)
		return err_set(r, "%s: config zip: %s", c->id, err_detail());
	c->ca[c->ca_len] = '\0';
	return cache_save(c);
}

int
cluster_admin(const struct cluster *c, char *buf, size_t cap,
    struct slice *pem)
{
	static const char *const name[2][2] = { { "admin.", "pem" },
	    { "admin-key.", "pem" } };
	static struct http_resp rs;
	size_t used = 0, n = 0;
	int r, k;

	if ((r = cluster_read(c->id, "/config/admin", &rs)) != 0)
		return r;
	for (k = 0; k < 2; k++) {
		r = zip_get(&rs, name[k][0], name[k][1], buf + used, cap - used,
		    &n);
		if (r != 0)
			return err_set(r, "%s: admin config zip: %s%s", c->id,
			    name[k][0], err_detail());
		pem[k] = (struct slice){ buf + used, n };
		used += n;
	}
	return 0;
}

int
cluster_kube_token(const char *key, char *out, size_t cap)
{
	static struct http_resp rs;
	size_t n = 0;
	char *p;
	int r;

	/* The zip's kubeconfig (*.yml) has the id_token in an oidc user. */
	if ((r = cluster_read(key, "/config", &rs)) == 0 &&
	    (r = zip_get(&rs, "", ".yml", fbuf, sizeof(fbuf) - 1, &n)) == 0) {
		fbuf[n] = '\0';
		p = strstr(fbuf, "id-token: ");
		p = p != NULL ? p + 10 : fbuf + n;   /* none: "" */
		p += strspn(p, " \"'");                /* a quoted value too */
		r = slice_copy(out, cap, (struct slice){ p, strcspn(p,
		    "\"' \r\n") }, "id-token");
	}
	mem_wipe(fbuf, sizeof(fbuf));
	return r;
}

int
cluster_find(const char *key, int fresh, struct cluster *c)
{
	char old[LIM_FIELD_BYTES], path[LIM_PATH_FS_BYTES];
	int r;

	old[0] = '\0';
	if (cache_load(key, c) == 0) {
		if (!fresh)
			return 0;
		memcpy(old, c->id, sizeof(old));
	}
	r = fetch(key, c);
	/* A cluster gone or replaced under the same name: drop the old entry. */
	if (old[0] != '\0' && (r != 0 ? r == ERR_HTTP_STATUS :
	    strcmp(old, c->id) != 0) &&
	    cache_path(path, sizeof(path), old) == 0)
		(void)unlink(path);
	return r;
}

int
cluster_exists(const char *key)
{
	static struct http_resp rs;
	static struct cluster c;

	return cache_load(key, &c) == 0 ? 0 : cluster_read(key, "", &rs);
}

const char *
cluster_server(const struct cluster *c, int priv)
{
	const char *s;

	priv |= sess.private_endpoints;
	s = priv ? c->private_url : c->public_url[0] ? c->public_url :
	    c->master_url;

	if (s[0] == '\0') {
		err_set(ERR_FAIL, "cluster %s has no %s endpoint", c->name,
		    priv ? "private service" : "public");
		return NULL;
	}
	return s;
}

void
cluster_forget(const char *id, const char *name)
{
	char path[LIM_PATH_FS_BYTES];

	(void)name;
	if (id_safe(id) && cache_path(path, sizeof(path), id) == 0)
		(void)unlink(path);
}
