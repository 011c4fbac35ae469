/*
 * manage_ops.h: the rows that describe the commands that change
 * clusters (manage_ops.c) and what cmd_manage.c reads in them.
 */
#ifndef IKSCTL_MANAGE_OPS_H
#define IKSCTL_MANAGE_OPS_H

#include <stddef.h>

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
};

struct fld {
	const char *flag;       /* "--name"; NULL for F_CONST */
	const char *key;        /* body member; "pool.key" nests in "pool" */
	unsigned char type;     /* enum ftype */
	unsigned char req;      /* the flag is required */
	signed char needs;      /* the row of a flag this one needs, or -1 */
	signed char excl;       /* the row of a flag it excludes, or -1 */
	const char *arg;        /* see enum ftype */
};

enum {
	OP_CLUSTER = 1,         /* takes CLUSTER */
	OP_CONFIRM = 2,         /* asks yes on a terminal */
	OP_CONFIRM_NAME = 4,    /* asks for the cluster's name typed back */
	OP_CREATE = 8,          /* looked up by --name after a 5xx */
};

struct op {
	const char *words;      /* "cluster create classic" */
	const char *method;     /* NULL: nothing is sent (cluster wait) */
	const char *path;       /* "{c}" is the cluster */
	const struct fld *f;    /* flags, ended by a NULL flag and key */
	const char *id_key;     /* the new id in a create's answer */
	const char *done;       /* the table line: "cluster N <done>" */
	const char *waited;     /* the same after --wait */
	unsigned char flags;    /* OP_* */
	unsigned char until;    /* the --wait target */
	const char *timeout;    /* --wait-timeout default */
};

extern const struct op manage_ops[];
extern const size_t manage_nops;

#endif
