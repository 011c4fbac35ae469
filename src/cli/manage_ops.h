/*
 * manage_ops.h: the rows that describe the commands that change
 * clusters (manage_ops.c) and what cmd_manage.c reads in them.
 */
#ifndef IKSCTL_MANAGE_OPS_H
#define IKSCTL_MANAGE_OPS_H

#include <stddef.h>
#include <string.h>

#include "base/limits.h"

/* How a flag reaches the request. */
enum ftype {
	F_STR,      /* --flag V: "key": V */
	F_INT,      /* --flag N (1..1000, default 1): "key": N */
	F_CIDR,     /* --flag A.B.C.D/N, checked: "key": "..." */
	F_ENUM,     /* --flag V, V one of arg's "v=sent,v=sent": "key": sent */
	F_TRUE,     /* --flag: "key": true (nothing without it) */
	F_BOOL,     /* "key": whether --flag was given (always sent) */
	F_NOT,      /* "key": whether --flag was NOT given (always sent) */
	F_CONST,    /* "key": arg, always (no flag) */
	F_ZONES,    /* --flag Z with arg S, paired: "key": [{"id","subnetID"}] */
	F_QUERY,    /* ?key=true with --flag, else ?key=false */
	F_NONE,     /* a flag only checked (needs/excludes), not sent */
	F_CLUSTER,  /* "key": the cluster's id (v2 bodies) */
	F_POOL,     /* "key": the POOL */
	F_WORKER,   /* "key": the WORKER being sent */
	F_LABELS,   /* --flag K=V, repeatable: "key": {"K": "V", ...} */
	F_SWITCH,   /* "key": arg's "a|b": a with --flag, else b */
	F_PATH,     /* --flag V: V is {z} of the path, not in the body */
};

/* The args rows hold (see enum ftype), as indexes into fld_args[]. */
enum fld_arg { A_NONE, A_HARDWARE, A_SUBNET, A_VPC, A_DEFAULT, A_UPDATE,
	A_RELOAD, A_RESIZING, A_REBOOT, A_UNTIL };

extern const char *const fld_args[];

struct fld {
	const char *fk;         /* "--name\0key": the flag ("" for F_CONST),
	                         * then the body member ("pool.key" nests in
	                         * "pool"); NULL ends the rows */
	unsigned char type;     /* enum ftype */
	unsigned char req;      /* the flag is required */
	signed char needs;      /* the row of a flag this one needs, or -1 */
	signed char excl;       /* the row of a flag it excludes, or -1 */
	unsigned char arg;      /* enum fld_arg: see enum ftype */
};

/* FLD_KEY: row f's body member. */
#define FLD_KEY(f) ((f)->fk + strlen((f)->fk) + 1)

/* FLD_ARG: row f's arg. */
#define FLD_ARG(f) (fld_args[(f)->arg])

enum {
	OP_CLUSTER = 1,         /* takes CLUSTER */
	OP_CONFIRM = 2,         /* asks yes on a terminal */
	OP_CONFIRM_NAME = 4,    /* asks for the cluster's name typed back */
	OP_CREATE = 8,          /* a cluster: looked up by --name after a 5xx */
	OP_POOL = 16,           /* takes POOL after CLUSTER */
	OP_WORKERS = 32,        /* takes WORKER...: each is sent on its own */
	OP_NEW_POOL = 64,       /* a pool: looked up by --name after a 5xx */
	OP_FORGET = 128,        /* removes the cluster's files under the home */
};

/* What a command's line names: "<noun> <name> <done>". */
enum noun { N_CLUSTER, N_POOL, N_ZONE, N_WORKER };

enum { M_NONE, M_POST, M_DELETE, M_PUT, M_PATCH };   /* op_methods[] */
enum { ID_NONE, ID_ID, ID_CLUSTER, ID_POOL };         /* op_id_keys[] */

extern const char *const op_methods[], *const op_id_keys[];

struct op {
	const char *words;      /* "cluster create classic" */
	const char *path;       /* {c} cluster, {p} pool, {w} worker, {z} the
	                         * F_PATH value, {vpc} "vpc/" on VPC clusters */
	const struct fld *f;    /* flags, ended by a NULL flag and key */
	const char *done;       /* the table line: "cluster N <done>" */
	const char *waited;     /* the same after --wait */
	unsigned char method;   /* M_*: op_methods[]; M_NONE: nothing is sent
	                         * (cluster wait) */
	unsigned char id_key;   /* ID_*: the new id in a create's answer */
	unsigned char flags;    /* OP_* */
	unsigned char until;    /* the --wait target */
	unsigned char noun;     /* enum noun; the --wait-timeout default is
	                         * the until's: 45m deleted, 60m version, 90m */
};

extern const struct op manage_ops[];
extern const size_t manage_nops;

#define MAX_FLDS 16

/* What the command line said. */
struct args {
	const struct op *op;
	const char *cluster;            /* CLUSTER or -c */
	const char *val[MAX_FLDS];      /* each field's value, or NULL */
	const char *zone[LIM_ZONES], *subnet[LIM_ZONES]; /* F_ZONES pairs */
	int nzone, nsubnet;
	const char *pool;               /* POOL or -p */
	const char *worker[LIM_ZONES];  /* WORKER... or -w */
	int nworker;
	const char *cur;                /* the WORKER being sent */
	const char *label[LIM_ZONES];   /* --label K=V */
	int nlabel;
	int vpc;                        /* the cluster is vpc-gen2 */
	int force, dry_run, wait;       /* -f, --dry-run, --wait */
	const char *timeout;            /* --wait-timeout */
};


/*
 * manage_parse: the op's arguments after its words (argv[0..argc)) into
 * a, checked (exit 2 before anything is sent).  0 or ERR_USAGE.
 */
int manage_parse(struct args *a, int argc, char **argv);

/* manage_body: the op's JSON body into buf[cap]; *len 0 if it has none. */
int manage_body(const struct args *a, char *buf, size_t cap, size_t *len);

/* manage_path: the op's path with its {tokens} and query into dst. */
int manage_path(const struct args *a, char *dst, size_t cap);

#endif
