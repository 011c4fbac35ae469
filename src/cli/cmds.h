/*
 * cmds.h: the commands and the small argument helpers they share.
 *
 * main() removes the global options from argv wherever they stand and
 * hands each command its own arguments (argv[0] is the command's name).
 * A command returns 0 or a negative code with a detail (err_set); main
 * prints "iksctl: <what>: <why>" and exits with the code's status.
 */
#ifndef IKSCTL_CMDS_H
#define IKSCTL_CMDS_H

#include "base/limits.h"
#include "cli/query_stream.h"

struct cli_opts {
	const char *region;     /* --region, or NULL */
	const char *cacert;     /* --cacert, or NULL */
	int insecure;           /* --insecure */
	int verbose;            /* -v */
	int timeout_s;          /* --timeout */
	int max_time_s;         /* --max-time, 0: none */
	const char *visibility; /* --visibility public|private, or NULL */
	const char *resource_group; /* --resource-group, or NULL */
	const char *argv0;      /* how this program was started */
	const char *what;       /* names the command in error lines when its
	                         * name is not enough ("cluster wait"), or NULL */
};

extern struct cli_opts cli;

/*
 * arg_value: if argv[*i] is `name V` or `name=V` (or `-xV` for a
 * one-letter name), set *val, advance *i
 * past it and return 1; 0 if it is not that option; ERR_USAGE if the
 * value is missing.
 */
int arg_value(int argc, char **argv, int *i, const char *name,
    const char **val);

/*
 * arg_named: *slot = v, the CLUSTER, POOL or WORKER `what` of command
 * cmd, from a positional or its flag.  Named twice the same is fine;
 * differently, ERR_USAGE (nothing is sent): never the last one winning.
 */
int arg_named(const char *cmd, const char *what, const char **slot,
    const char *v);

/* What a command's line names: its CLUSTER, POOL and WORKER... */
struct arg_names {
	const char *cluster;            /* CLUSTER, -c or --cluster */
	const char *pool;               /* POOL, -p or --worker-pool */
	const char *worker[LIM_ZONES];  /* WORKER..., -w or --worker */
	int nworker;
};

/* What arg_target takes: bits of CLUSTER, POOL, WORKER... */
enum { T_C = 1, T_P = 2, T_W = 4 };

/*
 * arg_target: take argv[*i] if it names one of the things in takes (T_C
 * CLUSTER, T_P POOL, T_W WORKER..., in the order positionals fill them):
 * their flag (-c/--cluster, -p/--worker-pool, -w/--worker) or a
 * positional, which fills the first not yet named.  The one path every
 * command reads its CLUSTER (POOL, WORKER) by.  1 taken, 0 not, or
 * ERR_USAGE (named twice differently, or a positional left over).
 */
int arg_target(const char *cmd, int takes, struct arg_names *t, int argc,
    char **argv, int *i);

/* arg_unknown: the usage error for an argument nobody took. */
int arg_unknown(const char *cmd, const char *arg);

/* table_begin: out_table_begin() with the headers packed: "A\0B\0". */
void table_begin(const char *hdr);

/*
 * get_doc: GET a containers path (noauth: without a token).  Returns 1
 * when the body has been printed (-o json streams it, -q queries it as
 * it comes), 0 with *d parsed for a table, or an error (the service's
 * via api_error).  With a row function, each element of the list at
 * .array[] (NULL: the top) goes to row(rctx, ...) instead of *d.
 */
int get_doc(const char *what, const char *path, int noauth,
    struct json_doc *d, qstream_row row, const void *rctx,
    const char *array);

/*
 * region_check: region (NULL: none given) is one the service lists (GET
 * /v1/regions, no token; a name or an alias): 0, else ERR_USAGE listing
 * them, or the error of that call.
 */
int region_check(const char *region);

/* cli_start: initialise TLS and the session (after option parsing). */
int cli_start(void);

int cmd_login(int argc, char **argv);
int cmd_logout(int argc, char **argv);
int cmd_accounts(int argc, char **argv);
int cmd_target(int argc, char **argv);
int cmd_token(int argc, char **argv);
/* cmd_token_agent: token --watch --sink FILE [--kube] (cmd_agent.c). */
int cmd_token_agent(const char *sink, int kube);
int cmd_regions(int argc, char **argv);
int cmd_versions(int argc, char **argv);
int cmd_clusters(int argc, char **argv);
int cmd_cluster(int argc, char **argv);
int cmd_manage(int argc, char **argv);
int cmd_pools(int argc, char **argv);
int cmd_day2(int argc, char **argv);
int cmd_kube_credential(int argc, char **argv);
int cmd_kube(int argc, char **argv);
int cmd_api(int argc, char **argv);

#endif
