/*
 * manage_ops.c: one row per command that changes clusters (see
 * manage_ops.h and cmd_manage.c): its words, method, path, and the
 * flags with the body member each becomes.  A new command is a row.
 */
#include "cli/manage_ops.h"
#include "cloud/wait.h"

/* The methods and id keys of the ops, by their indexes. */
const char *const op_methods[] = { 0, "POST", "DELETE", "PUT", "PATCH" };
const char *const op_id_keys[] = { 0, "id", "clusterID", "workerPoolID" };

/* Each row's arg, by its index (enum fld_arg): one pointer for all. */
const char *const fld_args[] = {
	0, "shared=public,dedicated=private", "--subnet-id", "vpc-gen2",
	"default", "update", "reload", "resizing", "reboot|os_reboot",
	"normal=,master=,deleted=,version=",
};

static const struct fld f_classic[] = {
	{ "--name\0name", F_STR, 1, -1, -1, 0 },
	{ "--zone\0dataCenter", F_STR, 1, -1, -1, 0 },
	{ "--flavor\0machineType", F_STR, 1, -1, -1, 0 },
	{ "--workers\0workerNum", F_INT, 0, -1, -1, 0 },
	{ "--version\0masterVersion", F_STR, 0, -1, -1, 0 },
	{ "--hardware\0isolation", F_ENUM, 0, -1, -1, A_HARDWARE },
	{ "--private-vlan\0privateVlan", F_STR, 0, -1, -1, 0 },
	{ "--public-vlan\0publicVlan", F_STR, 0, 6, -1, 0 },
	{ "--private-only\0", F_NONE, 0, 6, 7, 0 },
	/* The misspelt key is the one IBM's API reads (IBM-LIFECYCLE.md). */
	{ "--private-service-endpoint\0privateSeviceEndpoint", F_TRUE, 0,
	    -1, -1, 0 },
	{ "--public-service-endpoint\0publicServiceEndpoint", F_TRUE, 0,
	    -1, -1, 0 },
	{ "--pod-subnet\0podSubnet", F_CIDR, 0, -1, -1, 0 },
	{ "--service-subnet\0serviceSubnet", F_CIDR, 0, -1, -1, 0 },
	{ "--disable-disk-encrypt\0diskEncryption", F_NOT, 0, -1, -1, 0 },
	{ 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_vpc[] = {
	{ "--name\0name", F_STR, 1, -1, -1, 0 },
	{ "\0provider", F_CONST, 0, -1, -1, A_VPC },
	{ "--version\0kubeVersion", F_STR, 0, -1, -1, 0 },
	{ "--cos-instance\0cosInstanceCRN", F_STR, 0, -1, -1, 0 },
	{ "--disable-public-service-endpoint\0disablePublicServiceEndpoint",
	    F_TRUE, 0, -1, -1, 0 },
	{ "--pod-subnet\0podSubnet", F_CIDR, 0, -1, -1, 0 },
	{ "--service-subnet\0serviceSubnet", F_CIDR, 0, -1, -1, 0 },
	{ "\0workerPool.name", F_CONST, 0, -1, -1, A_DEFAULT },
	{ "--flavor\0workerPool.flavor", F_STR, 1, -1, -1, 0 },
	{ "--vpc-id\0workerPool.vpcID", F_STR, 1, -1, -1, 0 },
	{ "--workers\0workerPool.workerCount", F_INT, 0, -1, -1, 0 },
	{ "--zone\0workerPool.zones", F_ZONES, 1, -1, -1, A_SUBNET },
	{ 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_rm[] = {
	{ "--delete-storage\0deleteResources", F_QUERY, 0, -1, -1, 0 },
	{ 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_update[] = {
	{ "\0action", F_CONST, 0, -1, -1, A_UPDATE },
	{ "--version\0version", F_STR, 0, -1, -1, 0 },
	{ "--force-update\0force", F_BOOL, 0, -1, -1, 0 },
	{ 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_wait[] = {
	{ "--until\0", F_ENUM, 0, -1, -1, A_UNTIL },
	{ 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_pool_classic[] = {
	{ "--name\0name", F_STR, 1, -1, -1, 0 },
	{ "--flavor\0machineType", F_STR, 1, -1, -1, 0 },
	{ "--size-per-zone\0sizePerZone", F_INT, 1, -1, -1, 0 },
	{ "--hardware\0isolation", F_ENUM, 0, -1, -1, A_HARDWARE },
	{ "--label\0labels", F_LABELS, 0, -1, -1, 0 },
	{ "--disable-disk-encrypt\0diskEncryption", F_NOT, 0, -1, -1, 0 },
	{ 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_pool_vpc[] = {
	{ "--name\0name", F_STR, 1, -1, -1, 0 },
	{ "\0cluster", F_CLUSTER, 0, -1, -1, 0 },
	{ "--flavor\0flavor", F_STR, 1, -1, -1, 0 },
	{ "--size-per-zone\0workerCount", F_INT, 1, -1, -1, 0 },
	{ "--vpc-id\0vpcID", F_STR, 0, -1, -1, 0 },
	{ "--label\0labels", F_LABELS, 0, -1, -1, 0 },
	{ 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_resize[] = {
	{ "--size-per-zone\0sizePerZone", F_INT, 1, -1, -1, 0 },
	{ "\0state", F_CONST, 0, -1, -1, A_RESIZING },
	{ 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_none[] = {
	{ 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_zone_classic[] = {
	{ "--zone\0id", F_STR, 1, -1, -1, 0 },
	{ "--private-vlan\0privateVlan", F_STR, 0, -1, -1, 0 },
	{ "--public-vlan\0publicVlan", F_STR, 0, 1, -1, 0 },
	{ "--private-only\0", F_NONE, 0, 1, 2, 0 },
	{ 0, 0, 0, 0, 0, 0 },
};

/* GSDK's key for the pool; BMX and Terraform send workerPoolID as well. */
static const struct fld f_zone_vpc[] = {
	{ "--zone\0id", F_STR, 1, -1, -1, 0 },
	{ "\0cluster", F_CLUSTER, 0, -1, -1, 0 },
	{ "\0workerpool", F_POOL, 0, -1, -1, 0 },
	{ "\0workerPoolID", F_POOL, 0, -1, -1, 0 },
	{ "--subnet-id\0subnetID", F_STR, 1, -1, -1, 0 },
	{ 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_zone_rm[] = {
	{ "--zone\0", F_PATH, 1, -1, -1, 0 },
	{ 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_reboot[] = {
	{ "--hard\0action", F_SWITCH, 0, -1, -1, A_REBOOT },
	{ 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_reload[] = {
	{ "\0action", F_CONST, 0, -1, -1, A_RELOAD },
	{ 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_wupdate[] = {
	{ "\0action", F_CONST, 0, -1, -1, A_UPDATE },
	{ 0, 0, 0, 0, 0, 0 },
};

static const struct fld f_replace[] = {
	{ "\0cluster", F_CLUSTER, 0, -1, -1, 0 },
	{ "\0workerID", F_WORKER, 0, -1, -1, 0 },
	{ "--update\0update", F_BOOL, 0, -1, -1, 0 },
	{ 0, 0, 0, 0, 0, 0 },
};

#define C OP_CLUSTER
#define P (OP_CLUSTER | OP_POOL)
#define W (OP_CLUSTER | OP_WORKERS | OP_CONFIRM)

const struct op manage_ops[] = {
	{ "cluster create classic", "/v1/clusters", f_classic, "created",
	    "created and normal", M_POST, ID_ID, OP_CREATE, WAIT_NORMAL,
	    N_CLUSTER },
	{ "cluster create vpc-gen2", "/v2/vpc/createCluster", f_vpc,
	    "created", "created and normal", M_POST, ID_CLUSTER, OP_CREATE,
	    WAIT_NORMAL, N_CLUSTER },
	{ "cluster rm", "/v1/clusters/{c}", f_rm, "is being removed",
	    "removed", M_DELETE, ID_NONE, C | OP_CONFIRM_NAME | OP_FORGET,
	    WAIT_DELETED, N_CLUSTER },
	{ "cluster master update", "/v1/clusters/{c}", f_update,
	    "master update started", "master updated", M_PUT, ID_NONE,
	    C | OP_CONFIRM, WAIT_VERSION, N_CLUSTER },
	{ "cluster wait", 0, f_wait, 0, "", M_NONE, ID_NONE, C, WAIT_NORMAL,
	    N_CLUSTER },
	{ "worker-pool create classic", "/v1/clusters/{c}/workerpools",
	    f_pool_classic, "created", "created and its workers normal",
	    M_POST, ID_ID, C | OP_NEW_POOL, WAIT_POOL, N_POOL },
	{ "worker-pool create vpc-gen2", "/v2/vpc/createWorkerPool",
	    f_pool_vpc, "created", "created and its workers normal", M_POST,
	    ID_POOL, C | OP_NEW_POOL, WAIT_POOL, N_POOL },
	{ "worker-pool resize", "/v1/clusters/{c}/workerpools/{p}", f_resize,
	    "is being resized", "resized, its workers normal", M_PATCH,
	    ID_NONE, P, WAIT_POOL, N_POOL },
	{ "worker-pool rm", "/v1/clusters/{c}/workerpools/{p}", f_none,
	    "is being removed", "removed", M_DELETE, ID_NONE, P | OP_CONFIRM,
	    WAIT_GONE, N_POOL },
	{ "zone add classic", "/v1/clusters/{c}/workerpools/{p}/zones",
	    f_zone_classic, "added", "added, its workers normal", M_POST,
	    ID_NONE, P, WAIT_POOL, N_ZONE },
	{ "zone add vpc-gen2", "/v2/vpc/createWorkerPoolZone", f_zone_vpc,
	    "added", "added, its workers normal", M_POST, ID_NONE, P,
	    WAIT_POOL, N_ZONE },
	{ "zone rm", "/v1/clusters/{c}/workerpools/{p}/zones/{z}", f_zone_rm,
	    "is being removed", "removed", M_DELETE, ID_NONE, P | OP_CONFIRM,
	    WAIT_GONE, N_ZONE },
	{ "worker reboot", "/v1/clusters/{c}/workers/{w}", f_reboot,
	    "is rebooting", "rebooted", M_PUT, ID_NONE, W, WAIT_WORKER,
	    N_WORKER },
	{ "worker reload", "/v1/clusters/{c}/workers/{w}", f_reload,
	    "is being reloaded", "reloaded", M_PUT, ID_NONE, W, WAIT_WORKER,
	    N_WORKER },
	{ "worker update", "/v1/clusters/{c}/workers/{w}", f_wupdate,
	    "is being updated", "updated", M_PUT, ID_NONE, W, WAIT_WORKER,
	    N_WORKER },
	{ "worker replace", "/v2/{vpc}replaceWorker", f_replace,
	    "is being replaced", "replaced", M_POST, ID_NONE, W,
	    WAIT_REPLACED, N_WORKER },
	{ "worker rm", "/v1/clusters/{c}/workers/{w}", f_none,
	    "is being removed", "removed", M_DELETE, ID_NONE, W, WAIT_GONE,
	    N_WORKER },
};

const size_t manage_nops = sizeof(manage_ops) / sizeof(manage_ops[0]);
