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

static const struct fld f_pool_classic[] = {
	{ "--name", "name", F_STR, 1, -1, -1, 0 },
	{ "--flavor", "machineType", F_STR, 1, -1, -1, 0 },
	{ "--size-per-zone", "sizePerZone", F_INT, 1, -1, -1, 0 },
	{ "--hardware", "isolation", F_ENUM, 0, -1, -1,
	    "shared=public,dedicated=private" },
	{ "--label", "labels", F_LABELS, 0, -1, -1, 0 },
	{ "--disable-disk-encrypt", "diskEncryption", F_NOT, 0, -1, -1, 0 },
	{ 0, 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_pool_vpc[] = {
	{ "--name", "name", F_STR, 1, -1, -1, 0 },
	{ 0, "cluster", F_CLUSTER, 0, -1, -1, 0 },
	{ "--flavor", "flavor", F_STR, 1, -1, -1, 0 },
	{ "--size-per-zone", "workerCount", F_INT, 1, -1, -1, 0 },
	{ "--vpc-id", "vpcID", F_STR, 0, -1, -1, 0 },
	{ "--label", "labels", F_LABELS, 0, -1, -1, 0 },
	{ 0, 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_resize[] = {
	{ "--size-per-zone", "sizePerZone", F_INT, 1, -1, -1, 0 },
	{ 0, "state", F_CONST, 0, -1, -1, "resizing" },
	{ 0, 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_none[] = {
	{ 0, 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_zone_classic[] = {
	{ "--zone", "id", F_STR, 1, -1, -1, 0 },
	{ "--private-vlan", "privateVlan", F_STR, 0, -1, -1, 0 },
	{ "--public-vlan", "publicVlan", F_STR, 0, 1, -1, 0 },
	{ "--private-only", "", F_NONE, 0, 1, 2, 0 },
	{ 0, 0, 0, 0, 0, 0, 0 },
};

/* GSDK's key for the pool; BMX and Terraform send workerPoolID as well. */
static const struct fld f_zone_vpc[] = {
	{ "--zone", "id", F_STR, 1, -1, -1, 0 },
	{ 0, "cluster", F_CLUSTER, 0, -1, -1, 0 },
	{ 0, "workerpool", F_POOL, 0, -1, -1, 0 },
	{ 0, "workerPoolID", F_POOL, 0, -1, -1, 0 },
	{ "--subnet-id", "subnetID", F_STR, 1, -1, -1, 0 },
	{ 0, 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_zone_rm[] = {
	{ "--zone", "", F_PATH, 1, -1, -1, 0 },
	{ 0, 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_reboot[] = {
	{ "--hard", "action", F_SWITCH, 0, -1, -1, "reboot|os_reboot" },
	{ 0, 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_reload[] = {
	{ 0, "action", F_CONST, 0, -1, -1, "reload" },
	{ 0, 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_wupdate[] = {
	{ 0, "action", F_CONST, 0, -1, -1, "update" },
	{ 0, 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_replace[] = {
	{ 0, "cluster", F_CLUSTER, 0, -1, -1, 0 },
	{ 0, "workerID", F_WORKER, 0, -1, -1, 0 },
	{ "--update", "update", F_BOOL, 0, -1, -1, 0 },
	{ 0, 0, 0, 0, 0, 0, 0 },
};

#define C OP_CLUSTER
#define P (OP_CLUSTER | OP_POOL)
#define W (OP_CLUSTER | OP_WORKERS | OP_CONFIRM)

const struct op manage_ops[] = {
	{ "cluster create classic", "POST", "/v1/clusters", f_classic, "id",
	    "created", "created and normal", OP_CREATE, WAIT_NORMAL, N_CLUSTER },
	{ "cluster create vpc-gen2", "POST", "/v2/vpc/createCluster", f_vpc,
	    "clusterID", "created", "created and normal", OP_CREATE,
	    WAIT_NORMAL, N_CLUSTER },
	{ "cluster rm", "DELETE", "/v1/clusters/{c}", f_rm, 0,
	    "is being removed", "removed", C | OP_CONFIRM_NAME | OP_FORGET,
	    WAIT_DELETED, N_CLUSTER },
	{ "cluster master update", "PUT", "/v1/clusters/{c}", f_update, 0,
	    "master update started", "master updated", C | OP_CONFIRM,
	    WAIT_VERSION, N_CLUSTER },
	{ "cluster wait", 0, 0, f_wait, 0, 0, "", C, WAIT_NORMAL, N_CLUSTER },
	{ "worker-pool create classic", "POST", "/v1/clusters/{c}/workerpools",
	    f_pool_classic, "id", "created", "created and its workers normal",
	    C | OP_NEW_POOL, WAIT_POOL, N_POOL },
	{ "worker-pool create vpc-gen2", "POST", "/v2/vpc/createWorkerPool",
	    f_pool_vpc, "workerPoolID", "created", "created and its workers "
	    "normal", C | OP_NEW_POOL, WAIT_POOL, N_POOL },
	{ "worker-pool resize", "PATCH", "/v1/clusters/{c}/workerpools/{p}",
	    f_resize, 0, "is being resized", "resized, its workers normal", P,
	    WAIT_POOL, N_POOL },
	{ "worker-pool rm", "DELETE", "/v1/clusters/{c}/workerpools/{p}",
	    f_none, 0, "is being removed", "removed", P | OP_CONFIRM,
	    WAIT_GONE, N_POOL },
	{ "zone add classic", "POST", "/v1/clusters/{c}/workerpools/{p}/zones",
	    f_zone_classic, 0, "added", "added, its workers normal", P,
	    WAIT_POOL, N_ZONE },
	{ "zone add vpc-gen2", "POST", "/v2/vpc/createWorkerPoolZone",
	    f_zone_vpc, 0, "added", "added, its workers normal", P, WAIT_POOL,
	    N_ZONE },
	{ "zone rm", "DELETE", "/v1/clusters/{c}/workerpools/{p}/zones/{z}",
	    f_zone_rm, 0, "is being removed", "removed", P | OP_CONFIRM,
	    WAIT_GONE, N_ZONE },
	{ "worker reboot", "PUT", "/v1/clusters/{c}/workers/{w}", f_reboot, 0,
	    "is rebooting", "rebooted", W, WAIT_WORKER, N_WORKER },
	{ "worker reload", "PUT", "/v1/clusters/{c}/workers/{w}", f_reload, 0,
	    "is being reloaded", "reloaded", W, WAIT_WORKER, N_WORKER },
	{ "worker update", "PUT", "/v1/clusters/{c}/workers/{w}", f_wupdate, 0,
	    "is being updated", "updated", W, WAIT_WORKER, N_WORKER },
	{ "worker replace", "POST", "/v2/{vpc}replaceWorker", f_replace, 0,
	    "is being replaced", "replaced", W, WAIT_REPLACED, N_WORKER },
	{ "worker rm", "DELETE", "/v1/clusters/{c}/workers/{w}", f_none, 0,
	    "is being removed", "removed", W, WAIT_GONE, N_WORKER },
};

const size_t manage_nops = sizeof(manage_ops) / sizeof(manage_ops[0]);
