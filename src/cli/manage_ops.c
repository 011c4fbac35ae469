/*
 * manage_ops.c: one row per command that changes clusters (see
 * manage_ops.h and cmd_manage.c): its words, method, path, and the
 * flags with the body member each becomes.  A new command is a row.
 */
#include "cli/manage_ops.h"
#include "cloud/wait.h"

static const struct fld f_classic[] = {
	{ "--name", "name", F_STR, 1, -1, -1, 0 },
	{ "--zone", "dataCenter", F_STR, 1, -1, -1, 0 },
	{ "--flavor", "machineType", F_STR, 1, -1, -1, 0 },
	{ "--workers", "workerNum", F_INT, 0, -1, -1, 0 },
	{ "--version", "masterVersion", F_STR, 0, -1, -1, 0 },
	{ "--hardware", "isolation", F_ENUM, 0, -1, -1,
	    "shared=public,dedicated=private" },
	{ "--private-vlan", "privateVlan", F_STR, 0, -1, -1, 0 },
	{ "--public-vlan", "publicVlan", F_STR, 0, 6, -1, 0 },
	{ "--private-only", "", F_NONE, 0, 6, 7, 0 },
	/* The misspelt key is the one IBM's API reads (IBM-LIFECYCLE.md). */
	{ "--private-service-endpoint", "privateSeviceEndpoint", F_TRUE, 0,
	    -1, -1, 0 },
	{ "--public-service-endpoint", "publicServiceEndpoint", F_TRUE, 0,
	    -1, -1, 0 },
	{ "--pod-subnet", "podSubnet", F_CIDR, 0, -1, -1, 0 },
	{ "--service-subnet", "serviceSubnet", F_CIDR, 0, -1, -1, 0 },
	{ "--disable-disk-encrypt", "diskEncryption", F_NOT, 0, -1, -1, 0 },
	{ 0, 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_vpc[] = {
	{ "--name", "name", F_STR, 1, -1, -1, 0 },
	{ 0, "provider", F_CONST, 0, -1, -1, "vpc-gen2" },
	{ "--version", "kubeVersion", F_STR, 0, -1, -1, 0 },
	{ "--cos-instance", "cosInstanceCRN", F_STR, 0, -1, -1, 0 },
	{ "--disable-public-service-endpoint", "disablePublicServiceEndpoint",
	    F_TRUE, 0, -1, -1, 0 },
	{ "--pod-subnet", "podSubnet", F_CIDR, 0, -1, -1, 0 },
	{ "--service-subnet", "serviceSubnet", F_CIDR, 0, -1, -1, 0 },
	{ 0, "workerPool.name", F_CONST, 0, -1, -1, "default" },
	{ "--flavor", "workerPool.flavor", F_STR, 1, -1, -1, 0 },
	{ "--vpc-id", "workerPool.vpcID", F_STR, 1, -1, -1, 0 },
	{ "--workers", "workerPool.workerCount", F_INT, 0, -1, -1, 0 },
	{ "--zone", "workerPool.zones", F_ZONES, 1, -1, -1, "--subnet-id" },
	{ 0, 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_rm[] = {
	{ "--delete-storage", "deleteResources", F_QUERY, 0, -1, -1, 0 },
	{ 0, 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_update[] = {
	{ 0, "action", F_CONST, 0, -1, -1, "update" },
	{ "--version", "version", F_STR, 0, -1, -1, 0 },
	{ "--force-update", "force", F_BOOL, 0, -1, -1, 0 },
	{ 0, 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_wait[] = {
	{ "--until", "", F_ENUM, 0, -1, -1, "normal=,master=,deleted=,version=" },
	{ 0, 0, 0, 0, 0, 0, 0 },
};

const struct op manage_ops[] = {
	{ "cluster create classic", "POST", "/v1/clusters", f_classic, "id",
	    "created", "created and normal", OP_CREATE, WAIT_NORMAL, "90m" },
	{ "cluster create vpc-gen2", "POST", "/v2/vpc/createCluster", f_vpc,
	    "clusterID", "created", "created and normal", OP_CREATE,
	    WAIT_NORMAL, "90m" },
	{ "cluster rm", "DELETE", "/v1/clusters/{c}", f_rm, 0,
	    "is being removed", "removed", OP_CLUSTER | OP_CONFIRM_NAME,
	    WAIT_DELETED, "45m" },
	{ "cluster master update", "PUT", "/v1/clusters/{c}", f_update, 0,
	    "master update started", "master updated", OP_CLUSTER | OP_CONFIRM,
	    WAIT_VERSION, "60m" },
	{ "cluster wait", 0, 0, f_wait, 0, 0, "", OP_CLUSTER, WAIT_NORMAL, 0 },
};

const size_t manage_nops = sizeof(manage_ops) / sizeof(manage_ops[0]);
