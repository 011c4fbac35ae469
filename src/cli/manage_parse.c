/*
 * manage_parse.c: reading a changing command's arguments (any row of
 * manage_ops.c: its flags, CLUSTER, POOL, WORKER...) and checking them
 * before anything is sent, then writing its JSON body (with the one
 * writer, jsonw.h) and its path.
 */
#include "base/errors.h"
#include "base/str.h"
#include "cli/cmds.h"
#include "cli/manage_ops.h"
#include "net/url.h"
#include "proto/jsonw.h"

#include <stdio.h>
#include <string.h>

/* cidr_ok: 1 for A.B.C.D/N (each 0..255, N 0..32). */
static int
cidr_ok(const char *s)
{
	const char *p = s, *e = s + strlen(s);
	uint64_t v;
	int k;

	for (k = 0; k < 5; k++) {
		if (parse_u64(&p, e, k < 4 ? 255 : 32, &v) != 0)
			return 0;
		if (k < 4 && *p++ != (k < 3 ? '.' : '/'))
			return 0;
	}
	return p == e;
}

/* enum_map: the value sent for v under map "v=sent,...", or NULL. */
static const char *
enum_map(const char *map, const char *v, char *dst, size_t cap)
{
	const char *p = map, *eq, *end;
	size_t n = strlen(v);

	for (; *p != '\0'; p = *end ? end + 1 : end) {
		eq = strchr(p, '=');
		end = strchr(eq, ',');
		if (end == NULL)
			end = eq + strlen(eq);
		if ((size_t)(eq - p) == n && memcmp(p, v, n) == 0 &&
		    (size_t)(end - eq) <= cap) {
			memcpy(dst, eq + 1, (size_t)(end - eq - 1));
			dst[end - eq - 1] = '\0';
			return dst;
		}
	}
	return NULL;
}

/* enum_names: "a|b" of map "a=x,b=y" into dst (for an error). */
static const char *
enum_names(const char *map, char *dst, size_t cap)
{
	size_t n = 0;

	for (; *map != '\0' && n + 1 < cap; map++) {
		if (*map == '=')
			while (map[1] != '\0' && map[1] != ',')
				map++;
		else
			dst[n++] = *map == ',' ? '|' : *map;
	}
	dst[n] = '\0';
	return dst;
}

/* check: every field's value, before anything is sent.  0 or ERR_USAGE. */
static int
check(const struct args *a)
{
	const char *w = a->op->words, *v;
	const struct fld *f;
	char tmp[64];
	uint64_t n;
	int k;

	if ((a->op->flags & OP_CLUSTER) && (a->cluster == NULL ||
	    a->cluster[0] == '\0'))
		return err_set(ERR_USAGE, "%s: which CLUSTER (name or id)?", w);
	if ((a->op->flags & OP_POOL) && (a->pool == NULL || a->pool[0] == '\0'))
		return err_set(ERR_USAGE, "%s: which POOL (name or id)?", w);
	if ((a->op->flags & OP_WORKERS) && a->nworker == 0)
		return err_set(ERR_USAGE, "%s: which WORKER?", w);
	for (n = 0; n < (uint64_t)a->nlabel; n++) {
		v = strchr(a->label[n], '=');
		if (v == NULL || v == a->label[n])
			return err_set(ERR_USAGE, "%s: --label %s: use KEY=VALUE", w,
			    a->label[n]);
		/* One key once: a JSON object with a key twice is no answer. */
		for (k = 0; k < (int)n; k++)
			if (strncmp(a->label[k], a->label[n], (size_t)(v -
			    a->label[n]) + 1) == 0)
				return err_set(ERR_USAGE, "%s: --label %.*s given "
				    "twice", w, (int)(v - a->label[n]), a->label[n]);
	}
	for (f = a->op->f; f->fk != NULL; f++) {
		v = a->val[f - a->op->f];
		if (f->type == F_ZONES) {
			if (a->nzone != a->nsubnet)
				return err_set(ERR_USAGE, "%s: give each %s its %s (%d "
				    "and %d given)", w, f->fk, FLD_ARG(f), a->nzone,
				    a->nsubnet);
			v = a->nzone > 0 ? "" : NULL;
		}
		if (f->type == F_LABELS)
			continue;
		if (v == NULL) {
			if (f->req)
				return err_set(ERR_USAGE, "%s: %s is required", w,
				    f->fk);
			continue;
		}
		if (f->needs >= 0 && a->val[f->needs] == NULL)
			return err_set(ERR_USAGE, "%s: %s needs %s", w, f->fk,
			    a->op->f[f->needs].fk);
		if (f->excl >= 0 && a->val[f->excl] != NULL)
			return err_set(ERR_USAGE, "%s: %s and %s exclude each other",
			    w, f->fk, a->op->f[f->excl].fk);
		if ((f->type == F_STR || f->type == F_ENUM) && v[0] == '\0')
			return err_set(ERR_USAGE, "%s: %s is empty", w, f->fk);
		if (f->type == F_INT && (str_to_u64(v, 1000, &n) != 0 || n < 1))
			return err_set(ERR_USAGE, "%s: %s %s: use a number from 1 "
			    "to 1000", w, f->fk, v);
		if (f->type == F_CIDR && !cidr_ok(v))
			return err_set(ERR_USAGE, "%s: %s %s: use a CIDR such as "
			    "172.30.0.0/16", w, f->fk, v);
		if (f->type == F_ENUM && enum_map(FLD_ARG(f), v, tmp,
		    sizeof(tmp)) == NULL)
			return err_set(ERR_USAGE, "%s: %s %s: use %s", w, f->fk,
			    v, enum_names(FLD_ARG(f), tmp, sizeof(tmp)));
	}
	return 0;
}

/* take: argv[*i] as one of the op's flags.  1 taken, 0 not, or error. */
static int
take(struct args *a, int argc, char **argv, int *i)
{
	const struct fld *f;
	const char *v;
	int r, sub;

	for (f = a->op->f; f->fk != NULL; f++) {
		if (f->fk[0] == '\0')
			continue;
		if (f->type == F_TRUE || f->type == F_BOOL || f->type == F_NOT ||
		    f->type == F_QUERY || f->type == F_NONE || f->type == F_SWITCH) {
			if (strcmp(argv[*i], f->fk) != 0)
				continue;
			a->val[f - a->op->f] = "";
			return 1;
		}
		sub = 0;
		if ((r = arg_value(argc, argv, i, f->fk, &v)) == 0 &&
		    f->type == F_ZONES)
			sub = (r = arg_value(argc, argv, i, FLD_ARG(f), &v)) != 0;
		if (r <= 0) {
			if (r < 0)
				return r;
			continue;
		}
		if (f->type == F_LABELS) {
			if (a->nlabel >= LIM_ZONES)
				return err_limit("labels", "LIM_ZONES", LIM_ZONES);
			a->label[a->nlabel++] = v;
		} else if (f->type != F_ZONES) {
			return (r = arg_named(a->op->words, f->fk,
			    &a->val[f - a->op->f], v)) != 0 ? r : 1;
		} else if (a->nzone >= LIM_ZONES || a->nsubnet >= LIM_ZONES) {
			return err_limit("zones", "LIM_ZONES", LIM_ZONES);
		} else if (sub) {
			a->subnet[a->nsubnet++] = v;
		} else {
			a->zone[a->nzone++] = v;
		}
		return 1;
	}
	return 0;
}

/* parse: the op's arguments after its words (argv[0..argc)). */
int
manage_parse(struct args *a, int argc, char **argv)
{
	static struct arg_names n;
	const char *v;
	/* OP_CLUSTER is T_C; OP_POOL and OP_WORKERS are T_P and T_W << 3. */
	int i, r, takes = (a->op->flags & OP_CLUSTER) | (a->op->flags >> 3 &
	    (T_P | T_W));

	memset(&n, 0, sizeof(n));
	for (i = 0; i < argc; i++) {
		if ((r = take(a, argc, argv, &i)) != 0 ||
		    (r = arg_target(a->op->words, takes, &n, argc, argv, &i)) != 0) {
			if (r < 0)
				return r;
		} else if ((r = arg_value(argc, argv, &i, "--wait-timeout",
		    &v)) != 0) {
			if (r < 0 || (r = arg_named(a->op->words, "--wait-timeout",
			    &a->timeout, v)) != 0)
				return r;
		} else if (strcmp(argv[i], "-f") == 0) {
			a->force = 1;
		} else if (a->op->method && strcmp(argv[i], "--dry-run") == 0) {
			a->dry_run = 1;
		} else if (a->op->method && strcmp(argv[i], "--wait") == 0) {
			a->wait = 1;
		} else {
			return arg_unknown(a->op->words, argv[i]);
		}
	}
	a->cluster = n.cluster;
	a->pool = n.pool;
	memcpy(a->worker, n.worker, sizeof(a->worker));
	a->nworker = n.nworker;
	return check(a);
}

int
manage_body(const struct args *a, char *buf, size_t cap, size_t *len)
{
	const struct fld *f;
	const char *v, *key, *dot, *open = NULL;
	struct jsonw w;
	char tmp[64];
	uint64_t n;
	int k, any = 0;

	jw_init(&w, buf, cap);
	jw_open(&w, NULL, '{');
	for (f = a->op->f; f->fk != NULL; f++) {
		v = a->val[f - a->op->f];
		if (f->type == F_QUERY || f->type == F_NONE || f->type == F_PATH ||
		    (v == NULL && (f->type == F_STR || f->type == F_CIDR ||
		    f->type == F_ENUM || f->type == F_TRUE)) || (f->type ==
		    F_ZONES && a->nzone == 0) || (f->type == F_LABELS &&
		    a->nlabel == 0))
			continue;
		any = 1;
		key = FLD_KEY(f);
		dot = strchr(key, '.');
		if (open != NULL && (dot == NULL || (size_t)(dot - key) !=
		    strlen(open) || strncmp(key, open, (size_t)(dot - key)) != 0)) {
			jw_close(&w);
			open = NULL;
		}
		if (dot != NULL && open == NULL) {
			static char obj[32];

			snprintf(obj, sizeof(obj), "%.*s", (int)(dot - key), key);
			jw_open(&w, obj, '{');
			open = obj;
		}
		if (dot != NULL)
			key = dot + 1;
		switch (f->type) {
		case F_INT:
			(void)str_to_u64(v != NULL ? v : "1", 1000, &n);
			jw_int(&w, key, (int64_t)n);
			break;
		case F_ENUM:
			jw_str(&w, key, enum_map(FLD_ARG(f), v, tmp, sizeof(tmp)));
			break;
		case F_TRUE:
		case F_BOOL:
		case F_NOT:
			jw_bool(&w, key, (v != NULL) != (f->type == F_NOT));
			break;
		case F_CONST:
			jw_str(&w, key, FLD_ARG(f));
			break;
		case F_ZONES:
			jw_open(&w, key, '[');
			for (k = 0; k < a->nzone; k++) {
				jw_open(&w, NULL, '{');
				jw_str(&w, "id", a->zone[k]);
				jw_str(&w, "subnetID", a->subnet[k]);
				jw_close(&w);
			}
			jw_close(&w);
			break;
		case F_CLUSTER:
			jw_str(&w, key, a->cluster);
			break;
		case F_POOL:
			jw_str(&w, key, a->pool);
			break;
		case F_WORKER:
			jw_str(&w, key, a->cur);
			break;
		case F_SWITCH:
			v = v != NULL ? FLD_ARG(f) : strchr(FLD_ARG(f), '|') + 1;
			snprintf(tmp, sizeof(tmp), "%.*s", (int)strcspn(v, "|"), v);
			jw_str(&w, key, tmp);
			break;
		case F_LABELS:
			jw_open(&w, key, '{');
			for (k = 0; k < a->nlabel; k++) {
				v = strchr(a->label[k], '=');
				snprintf(tmp, sizeof(tmp), "%.*s",
				    (int)(v - a->label[k]), a->label[k]);
				if (strlen(tmp) != (size_t)(v - a->label[k]))
					w.bad = 1;
				jw_str(&w, tmp, v + 1);
			}
			jw_close(&w);
			break;
		default:
			jw_str(&w, key, v);
		}
	}
	if (open != NULL)
		jw_close(&w);
	jw_close(&w);
	if (!any) {
		*len = 0;
		return 0;
	}
	return jw_finish(&w, "LIM_JSON_BODY_BYTES", len);
}

int
manage_path(const struct args *a, char *dst, size_t cap)
{
	const char *t = a->op->path, *v;
	const struct fld *f;
	struct sbuf b;
	char sep = '?';

	sbuf_init(&b, dst, cap);
	for (; *t != '\0'; t++) {
		if (*t != '{') {
			sbuf_addc(&b, *t);
			continue;
		}
		v = t[1] == 'c' ? a->cluster : t[1] == 'p' ? a->pool : t[1] == 'w' ?
		    a->cur : NULL;
		if (t[1] == 'z')
			for (f = a->op->f; f->fk != NULL; f++)
				if (f->type == F_PATH)
					v = a->val[f - a->op->f];
		if (t[1] == 'v')
			sbuf_add(&b, a->vpc ? "vpc/" : "");
		else
			url_encode(&b, slice_of(v), 0);
		t = strchr(t, '}');
	}
	for (f = a->op->f; f->fk != NULL; f++) {
		if (f->type != F_QUERY)
			continue;
		sbuf_addc(&b, sep);
		sep = '&';
		sbuf_add(&b, FLD_KEY(f));
		sbuf_add(&b, a->val[f - a->op->f] != NULL ? "=true" : "=false");
	}
	return sbuf_ok(&b, "path");
}

