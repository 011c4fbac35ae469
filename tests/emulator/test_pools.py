#!/usr/bin/env python3
"""Checks the emulator's worker pools, zones and workers (pools.py) against IBM-LIFECYCLE.md
sections 3b-3d, 4, 5 and 7.

Starts the emulator (via emu.sh) in a temporary directory, gets an account-scoped token
from its IAM with EMU_APIKEY, then over the real TLS (DIR/ca.pem): the default pools of
built-in and created clusters, v1 and v2 pool create/get/list/resize/delete, zones (both
VLAN key spellings, both VPC pool keys), the worker actions, replace, remove, every error
(E0d39, the 404s, bad bodies), the timed state sequences (step_s 0.4), the faults
(resize_stuck, reload_failed, pool_create_500, status, reset), /control/clusters and the log.
Prints one line per check and, last, `N passed, N failed`; exits non-zero on failure.
Usage: python3 tests/emulator/test_pools.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lifetest import *  # noqa: E402,F401,F403


def until(fn, target, timeout=10):
    """Polls fn(); returns the distinct values seen, in order, up to target."""
    seen, t0 = [], time.time()
    while time.time() - t0 < timeout:
        v = fn()
        if not seen or seen[-1] != v:
            seen.append(v)
        if v == target:
            return seen
        time.sleep(0.04)
    raise AssertionError("timed out waiting for %r; seen %s" % (target, seen))


def workers(cid, q=""):
    r = cs("GET", "/v1/clusters/%s/workers%s" % (cid, q))
    eq(r.status, 200, "workers (%s)" % r.body[:200])
    return r.json()


def v2workers(cid, q=""):
    r = cs("GET", "/v2/vpc/getWorkers?cluster=%s%s" % (cid, q))
    eq(r.status, 200, "getWorkers (%s)" % r.body[:200])
    return r.json()


def worker(cid, wid):
    r = cs("GET", "/v1/clusters/%s/workers/%s" % (cid, wid))
    eq(r.status, 200, "worker get (%s)" % r.body[:200])
    return r.json()


def pool_states(cid, pool, showdel=False):
    """The sorted set of (state, status) of a pool's workers."""
    ws = workers(cid, "?pool=%s%s" % (pool, "&showDeleted=true" if showdel else ""))
    return tuple(sorted({(w["state"], w["status"]) for w in ws}))


def pool(cid, p):
    r = cs("GET", "/v1/clusters/%s/workerpools/%s" % (cid, p))
    eq(r.status, 200, "pool get (%s)" % r.body[:200])
    return r.json()


def wait_normal(cid, timeout=10):
    until(lambda: get(cid)["state"], "normal", timeout)


def mkpool(cid, name, zones=None, size=1, **more):
    b = {"name": name, "sizePerZone": size, "machineType": "b3c.4x16", "isolation": "public",
         "labels": {"team": "a"}, "diskEncryption": True}
    if zones is not None:
        b["zones"] = zones
    b.update(more)
    return cs("POST", "/v1/clusters/%s/workerpools" % cid, b)


PROV = [(("provision_pending", ""),), (("provisioning", "Pending security group creation"),), (("normal", "Ready"),)]


# ---------------------------------------------------------------- tests

@test
def a_token_and_clusters():
    apikey_token()
    config(step_s=STEP)
    S["c"] = create_classic("pc1", workerNum=2, masterVersion="1.29")
    r = cs("POST", "/v2/vpc/createCluster", vpc_body("pv1"))
    eq(r.status, 201, "vpc create")
    S["v"] = r.json()["clusterID"]
    # the create's workers still follow the cluster: provisioning while it deploys
    ws = workers(S["c"])
    eq(len(ws), 2, "workerNum")
    check({w["state"] for w in ws} <= {"provision_pending", "provisioning"}, "provisioning")
    wait_normal(S["c"])
    wait_normal(S["v"])
    eq({(w["state"], w["status"]) for w in workers(S["c"])}, {("normal", "Ready")}, "normal with the cluster")


@test
def b_builtin_default_pool():
    cid = ENV["EMU_CLUSTER_ID"]
    r = cs("GET", "/v1/clusters/%s/workerpools" % ENV["EMU_CLUSTER"])
    eq(r.status, 200, "list")
    ps = r.json()
    eq(len(ps), 1, "one pool")
    p = ps[0]
    check(re.fullmatch(r"%s-[0-9a-f]{7}" % cid, p["id"]), "pool id shape %s" % p["id"])
    eq((p["name"], p["state"], p["sizePerZone"], p["machineType"]), ("default", "active", 3, "b3c.4x16.encrypted"), "pool")
    eq(p["zones"], [{"id": "dal10", "privateVlan": "2938471", "publicVlan": "2938473", "workerCount": 3}], "zones")
    eq(p["labels"]["ibm-cloud.kubernetes.io/worker-pool-id"], p["id"], "pool-id label")
    for k in ("autoscaleEnabled", "isBalanced", "isolation", "operatingSystem", "reasonForDelete", "region"):
        check(k in p, "field %s" % k)
    eq(pool(cid, p["id"])["name"], "default", "get by id")
    eq(pool(cid, "default")["id"], p["id"], "get by name")
    eq({w["poolid"] for w in workers(cid)}, {p["id"]}, "workers carry the pool id")
    b = cs_err(cs("GET", "/v1/clusters/%s/workerpools/nope" % cid), 404, "E0d3a")
    check("The specified worker pool could not be found" in b["description"], "404 text")
    cs_err(cs("GET", "/v1/clusters/fake-iks-other/workerpools"), 404, "G0004")
    # v2 on the built-in VPC cluster
    for pre in ("/v2/vpc/", "/v2/", "/v2/classic/"):
        r = cs("GET", pre + "getWorkerPools?cluster=fake-iks-vpc")
        eq(r.status, 200, pre + "getWorkerPools")
    v = r.json()[0]
    for k in ("id", "poolName", "flavor", "workerCount", "zones", "lifecycle", "labels", "isBalanced",
              "autoscaleEnabled", "provider", "vpcID"):
        check(k in v, "v2 field %s" % k)
    eq((v["poolName"], v["workerCount"], v["provider"], v["lifecycle"]), ("default", 3, "vpc-gen2",
       {"actualState": "deployed", "desiredState": "deployed"}), "v2 pool")
    eq(v["zones"][0]["id"], "us-east-1", "zone")
    check(v["zones"][0]["subnets"][0]["primary"], "primary subnet")
    r = cs("GET", "/v2/vpc/getWorkerPool?cluster=fake-iks-vpc&workerpool=" + v["id"])
    eq((r.status, r.json()["poolName"]), (200, "default"), "getWorkerPool")
    cs_err(cs("GET", "/v2/vpc/getWorkerPool?cluster=fake-iks-vpc&workerpool=nope"), 404, "E0d3a")
    cs_err(cs("GET", "/v2/vpc/getWorkerPool?cluster=fake-iks-vpc"), 400, "E0040")
    cs_err(cs("GET", "/v2/vpc/getWorkerPools"), 400, "E0040")
    cs_err(cs("GET", "/v2/vpc/getWorkerPools?cluster=nope"), 404, "G0004")
    cs_err(cs("POST", "/v2/vpc/getWorkerPools?cluster=fake-iks-vpc", {}), 404, "G0000")


@test
def c_created_default_pools():
    ps = cs("GET", "/v1/clusters/%s/workerpools" % S["c"]).json()
    eq([(p["name"], p["sizePerZone"], [z["id"] for z in p["zones"]]) for p in ps], [("default", 2, ["dal10"])],
       "classic default pool = workerNum in dataCenter")
    eq({w["poolid"] for w in workers(S["c"])}, {ps[0]["id"]}, "workers in it")
    vs = cs("GET", "/v2/vpc/getWorkerPools?cluster=" + S["v"]).json()
    eq(len(vs), 1, "one VPC pool")
    eq((vs[0]["workerCount"], vs[0]["flavor"], vs[0]["vpcID"]), (2, "bx2.4x16", "r006-0d7e1b2c"), "VPC default")
    eq([(z["id"], z["workerCount"], z["subnets"]) for z in vs[0]["zones"]],
       [("us-south-1", 2, [{"id": "0717-aaaa", "primary": True}]), ("us-south-2", 2, [{"id": "0727-bbbb", "primary": True}])],
       "workerCount per zone")
    eq(get(S["v"])["workerCount"], 4, "cluster workerCount")


@test
def d_v1_pool_create_and_states():
    cid = S["c"]
    r = mkpool(cid, "edge", [{"id": "dal12", "privateVLAN": "111", "publicVLAN": "222"}], size=2)
    eq(r.status, 201, "201 (%s)" % r.body[:300])
    p = r.json()
    check(re.fullmatch(r"%s-[0-9a-f]{7}" % cid, p["id"]), "id")
    eq((p["name"], p["sizePerZone"], p["state"], p["machineType"], p["isolation"]),
       ("edge", 2, "active", "b3c.4x16", "public"), "WorkerPoolResponse")
    eq(p["zones"], [{"id": "dal12", "privateVlan": "111", "publicVlan": "222", "workerCount": 2}], "GSDK VLAN keys")
    eq(p["labels"]["team"], "a", "labels")
    ws = workers(cid, "?pool=edge")
    eq(len(ws), 2, "sizePerZone workers")
    for w in ws:
        check(re.fullmatch(r"kube-%s-pc1-edge-\d{8}" % cid, w["id"]), "worker id %s" % w["id"])
        eq((w["location"], w["poolName"], w["poolid"], w["privateVlan"]), ("dal12", "edge", p["id"], "111"), "where")
    seen = until(lambda: pool_states(cid, "edge"), (("normal", "Ready"),))
    eq(seen, PROV, "provision_pending -> provisioning -> normal")
    eq(len(workers(cid, "?pool=" + p["id"])), 2, "pool filter by id")
    b = cs_err(mkpool(cid, "edge"), 409, "E0d39")
    eq((b["description"], b["type"]), ("A worker pool with the same name already exists within the cluster. "
                                       "Choose another name.", "Provisioning"), "E0d39")
    # bad bodies
    cs_err(cs("POST", "/v1/clusters/%s/workerpools" % cid, "{nope"), 400, "E0013")
    cs_err(cs("POST", "/v1/clusters/%s/workerpools" % cid, [1]), 400, "E0013")
    cs_err(cs("POST", "/v1/clusters/%s/workerpools" % cid, {"sizePerZone": 1, "machineType": "b3c.4x16"}), 400, "E0040")
    cs_err(mkpool(cid, "x", size="2"), 400, "E0040")
    cs_err(mkpool(cid, "x", size=0), 400, "E0040")
    cs_err(mkpool(cid, "x", isolation="shared"), 400, "E0040")
    cs_err(mkpool(cid, "x", zones=[{"privateVlan": "1"}]), 400, "E0040")
    cs_err(mkpool(cid, "x", machineType="bx2.4x16"), 400, "E4e5b")
    cs_err(mkpool(cid, "x", zones=[{"id": "fra02"}]), 400, "E4e5b")
    cs_err(mkpool(S["v"], "x"), 400, "G3917")
    cs_err(mkpool("nope", "x"), 404, "G0004")
    eq(len(cs("GET", "/v1/clusters/%s/workerpools" % cid).json()), 2, "refused creates made nothing")


@test
def e_zones_v1():
    cid = S["c"]
    r = mkpool(cid, "zoned", None, size=1)
    eq((r.status, r.json()["zones"]), (201, []), "a pool without zones")
    eq(workers(cid, "?pool=zoned"), [], "no workers until a zone is added")
    r = cs("POST", "/v1/clusters/%s/workerpools/zoned/zones" % cid, {"id": "dal13", "privateVlan": "7", "publicVlan": "8"})
    eq(r.status, 201, "add zone (%s)" % r.body[:200])
    eq([(z["id"], z["privateVlan"], z["workerCount"]) for z in pool(cid, "zoned")["zones"]], [("dal13", "7", 1)], "zone")
    r = cs("POST", "/v1/clusters/%s/workerpools/zoned/zones" % cid, {"id": "dal10", "privateVLAN": "9", "publicVLAN": "10"})
    eq(r.status, 201, "add zone, GSDK keys")
    eq(pool(cid, "zoned")["zones"][1]["publicVlan"], "10", "publicVLAN accepted")
    cs_err(cs("POST", "/v1/clusters/%s/workerpools/zoned/zones" % cid, {"id": "dal13"}), 409, "E0d3c")
    cs_err(cs("POST", "/v1/clusters/%s/workerpools/zoned/zones" % cid, {"id": "lon02"}), 400, "E4e5b")
    cs_err(cs("POST", "/v1/clusters/%s/workerpools/zoned/zones" % cid, {}), 400, "E0040")
    cs_err(cs("POST", "/v1/clusters/%s/workerpools/nope/zones" % cid, {"id": "dal12"}), 404, "E0d3a")
    until(lambda: pool_states(cid, "zoned"), (("normal", "Ready"),))
    r = cs("DELETE", "/v1/clusters/%s/workerpools/zoned/zones/dal13" % cid)
    eq(r.status, 202, "zone rm 202")
    eq([z["id"] for z in pool(cid, "zoned")["zones"]], ["dal10"], "zone gone from the pool")
    z13 = lambda: tuple(sorted({w["state"] for w in workers(cid, "?showDeleted=true&pool=zoned")
                                if w["location"] == "dal13"}))
    eq(until(z13, ("deleted",)), [("deleting",), ("deleted",)], "its workers deleting -> deleted")
    eq([w["location"] for w in workers(cid, "?pool=zoned")], ["dal10"], "deleted hidden without showDeleted")
    cs_err(cs("DELETE", "/v1/clusters/%s/workerpools/zoned/zones/dal13" % cid), 404, "E0d3d")
    cs_err(cs("POST", "/v1/clusters/%s/workerpools/default/zones" % S["v"], {"id": "us-south-3"}), 400, "G3917")


@test
def f_resize():
    cid = S["c"]
    r = cs("PATCH", "/v1/clusters/%s/workerpools/edge" % cid, {"sizePerZone": 3, "state": "resizing"})
    eq((r.status, r.body), (202, b""), "resize 202")
    eq(pool(cid, "edge")["sizePerZone"], 3, "sizePerZone")
    eq(len(workers(cid, "?pool=edge")), 3, "one worker added")
    seen = until(lambda: pool_states(cid, "edge"), (("normal", "Ready"),))
    eq(seen[0], (("normal", "Ready"), ("provision_pending", "")), "the new one provisions")
    r = cs("PATCH", "/v1/clusters/%s/workerpools/%s" % (cid, pool(cid, "edge")["id"]), {"sizePerZone": 1, "state": "resizing"})
    eq(r.status, 202, "resize down by id")
    eq(len(workers(cid, "?pool=edge")), 3, "surplus still listed while deleting")
    eq(until(lambda: pool_states(cid, "edge"), (("normal", "Ready"),)),
       [(("deleting", ""), ("normal", "Ready")), (("normal", "Ready"),)], "surplus deleting, then hidden")
    eq(sorted(w["state"] for w in workers(cid, "?pool=edge&showDeleted=true")), ["deleted", "deleted", "normal"],
       "showDeleted")
    eq(pool(cid, "edge")["zones"][0]["workerCount"], 1, "zone workerCount")
    cs_err(cs("PATCH", "/v1/clusters/%s/workerpools/edge" % cid, {"sizePerZone": 0, "state": "resizing"}), 400, "E0040")
    cs_err(cs("PATCH", "/v1/clusters/%s/workerpools/edge" % cid, {"sizePerZone": 2}), 400, "E0040")
    cs_err(cs("PATCH", "/v1/clusters/%s/workerpools/edge" % cid, {"sizePerZone": 2, "state": "grow"}), 400, "E0040")
    cs_err(cs("PATCH", "/v1/clusters/%s/workerpools/edge" % cid, "x"), 400, "E0013")
    cs_err(cs("PATCH", "/v1/clusters/%s/workerpools/nope" % cid, {"sizePerZone": 2, "state": "resizing"}), 404, "E0d3a")
    eq(cs("PATCH", "/v1/clusters/%s/workerpools/edge" % cid, {"state": "labels", "labels": {"x": "y"}}).status, 202,
       "labels")
    eq(pool(cid, "edge")["labels"].get("x"), "y", "labels set")


@test
def g_pool_delete():
    cid = S["c"]
    pid = pool(cid, "zoned")["id"]
    live = {w["id"] for w in workers(cid, "?pool=zoned")}
    r = cs("DELETE", "/v1/clusters/%s/workerpools/zoned" % cid)
    eq((r.status, r.body), (204, b""), "delete 204")
    eq(pool(cid, pid)["state"], "deleting", "pool deleting (invented state)")
    cs_err(cs("PATCH", "/v1/clusters/%s/workerpools/zoned" % cid, {"sizePerZone": 2, "state": "resizing"}), 409, "E0d3e")
    st = lambda: tuple(sorted({w["state"] for w in workers(cid, "?showDeleted=true") if w["id"] in live}))
    eq(until(st, ("deleted",)), [("deleting",), ("deleted",)], "its workers deleting -> deleted")
    until(lambda: cs("GET", "/v1/clusters/%s/workerpools/%s" % (cid, pid)).status, 404)
    cs_err(cs("GET", "/v1/clusters/%s/workerpools/zoned" % cid), 404, "E0d3a")
    check("zoned" not in [p["name"] for p in cs("GET", "/v1/clusters/%s/workerpools" % cid).json()], "gone from list")
    cs_err(cs("DELETE", "/v1/clusters/%s/workerpools/zoned" % cid), 404, "E0d3a")
    eq(mkpool(cid, "zoned").status, 201, "the name is free again")
    eq(cs("DELETE", "/v1/clusters/%s/workerpools/zoned" % cid).status, 204, "and deleted again")


@test
def h_v2_pools():
    v = S["v"]
    body = {"cluster": v, "name": "vp", "flavor": "cx2.2x4", "vpcID": "r006-0d7e1b2c", "workerCount": 1,
            "zones": [], "labels": {"k": "v"}}
    r = cs("POST", "/v2/vpc/createWorkerPool", body)
    eq(r.status, 201, "201 (%s)" % r.body[:200])
    eq(list(r.json()), ["workerPoolID"], "{workerPoolID}")
    pid = r.json()["workerPoolID"]
    check(re.fullmatch(r"%s-[0-9a-f]{7}" % v, pid), "id")
    cs_err(cs("POST", "/v2/vpc/createWorkerPool", body), 409, "E0d39")
    r = cs("POST", "/v2/vpc/createWorkerPoolZone", {"cluster": v, "id": "us-south-3", "subnetID": "0737-c",
                                                  "workerPoolID": pid})
    eq(r.status, 201, "zone via workerPoolID (%s)" % r.body[:200])
    r = cs("POST", "/v2/vpc/createWorkerPoolZone", {"cluster": "pv1", "id": "us-south-1", "subnetID": "0717-aaaa",
                                                  "workerpool": "vp"})
    eq(r.status, 201, "zone via workerpool (GSDK), pool by name")
    g = cs("GET", "/v2/vpc/getWorkerPool?cluster=%s&workerpool=%s" % (v, pid)).json()
    eq([(z["id"], z["workerCount"], z["subnets"][0]["id"]) for z in g["zones"]],
       [("us-south-3", 1, "0737-c"), ("us-south-1", 1, "0717-aaaa")], "zones")
    eq((g["flavor"], g["labels"]["k"], g["vpcID"]), ("cx2.2x4", "v", "r006-0d7e1b2c"), "pool")
    act = lambda q="": tuple(sorted({w["lifecycle"]["actualState"] for w in v2workers(v, "&pool=" + pid + q)}))
    seen = until(act, ("deployed",))       # the zones came by two calls: a poll may fall between them
    eq([s for s in seen if len(s) == 1], [("provisioning",), ("deployed",)], "actualState provisioning -> deployed")
    eq([s for s in seen if len(s) > 1], [("deployed", "provisioning")][:len(seen) - 2], "only that moment between")
    ws = v2workers(v, "&pool=vp")
    eq(sorted(w["networkInterfaces"][0]["subnetID"] for w in ws), ["0717-aaaa", "0737-c"], "subnets")
    eq({(w["health"]["state"], w["health"]["message"], w["flavor"], w["poolID"]) for w in ws},
       {("normal", "Ready", "cx2.2x4", pid)}, "health")
    # the v1 resize and delete work for VPC pools
    eq(cs("PATCH", "/v1/clusters/%s/workerpools/%s" % (v, pid), {"sizePerZone": 2, "state": "resizing"}).status, 202,
       "v1 PATCH on a VPC pool")
    eq(len(v2workers(v, "&pool=vp")), 4, "2 per zone")
    r = cs("GET", "/v1/clusters/%s/workerpools/vp" % v).json()
    eq(r["zones"][0], {"id": "us-south-3", "subnetID": "0737-c", "workerCount": 2}, "v1 view of a VPC zone")
    eq(cs("DELETE", "/v1/clusters/%s/workerpools/%s/zones/us-south-3" % (v, pid)).status, 202, "v1 zone rm on VPC")
    eq(cs("DELETE", "/v1/clusters/%s/workerpools/%s" % (v, pid)).status, 204, "v1 DELETE on a VPC pool")
    eq(cs("GET", "/v2/vpc/getWorkerPool?cluster=%s&workerpool=%s" % (v, pid)).json()["lifecycle"],
       {"actualState": "deleting", "desiredState": "deleted"}, "v2 pool lifecycle deleting")
    act1 = lambda: tuple(sorted({w["lifecycle"]["actualState"] for w in v2workers(v, "&showDeleted=true&pool=" + pid)
                                 if w["location"] == "us-south-1"}))
    eq(until(act1, ("deleted",)), [("deleting",), ("deleted",)], "actualState deleted")
    until(lambda: cs("GET", "/v2/vpc/getWorkerPool?cluster=%s&workerpool=%s" % (v, pid)).status, 404)
    # errors
    cs_err(cs("POST", "/v2/vpc/createWorkerPool", dict(body, cluster=S["c"], name="vq")), 400, "G3917")
    cs_err(cs("POST", "/v2/vpc/createWorkerPool", dict(body, cluster="")), 400, "E0040")
    cs_err(cs("POST", "/v2/vpc/createWorkerPool", {"name": "vq"}), 400, "E0040")
    cs_err(cs("POST", "/v2/vpc/createWorkerPool", dict(body, cluster="nope")), 404, "G0004")
    cs_err(cs("POST", "/v2/vpc/createWorkerPool", dict(body, name="vq", workerCount=0)), 400, "E0040")
    cs_err(cs("POST", "/v2/vpc/createWorkerPool", dict(body, name="vq", flavor="b3c.4x16")), 400, "E4e5b")
    cs_err(cs("POST", "/v2/vpc/createWorkerPool", dict(body, name="vq", zones=[{"id": "us-south-1"}])), 400, "E0040")
    cs_err(cs("POST", "/v2/vpc/createWorkerPool", "nope"), 400, "E0013")
    cs_err(cs("POST", "/v2/vpc/createWorkerPoolZone", {"cluster": v, "id": "us-south-1", "subnetID": "s"}), 400, "E0040")
    cs_err(cs("POST", "/v2/vpc/createWorkerPoolZone", {"cluster": v, "id": "us-south-1", "workerpool": "default"}),
           400, "E0040")
    cs_err(cs("POST", "/v2/vpc/createWorkerPoolZone", {"cluster": v, "id": "us-south-1", "subnetID": "s",
                                                     "workerpool": "default"}), 409, "E0d3c")
    cs_err(cs("POST", "/v2/vpc/createWorkerPoolZone", {"cluster": v, "id": "us-south-1", "subnetID": "s",
                                                     "workerpool": "nope"}), 404, "E0d3a")
    cs_err(cs("GET", "/v2/vpc/createWorkerPool"), 404, "G0000")


@test
def i_worker_actions():
    cid = S["c"]
    eq(cs("PUT", "/v1/clusters/%s" % cid, {"action": "update", "version": "1.30", "force": True}).status, 204, "master update")
    w = workers(cid, "?pool=default")[0]["id"]
    o = worker(cid, w)
    for k in ("id", "state", "status", "kubeVersion", "targetVersion", "machineType", "privateIP", "publicIP",
              "location", "poolid", "poolName", "pendingOperation"):
        check(k in o, "v1 field %s" % k)
    eq(o["kubeVersion"], "1.29.8_1548", "workers keep their version")
    st = lambda: (lambda o: (o["state"], o["status"]))(worker(cid, w))
    for act in ("reboot", "os_reboot"):
        r = cs("PUT", "/v1/clusters/%s/workers/%s" % (cid, w), {"action": act, "force": True})
        eq((r.status, r.body), (204, b""), act)
        eq(until(st, ("normal", "Ready")), [("normal", "Rebooting"), ("normal", "Ready")], act + " moves the status only")
    eq(cs("PUT", "/v1/clusters/%s/workers/%s" % (cid, w), {"action": "reload"}).status, 204, "reload")
    eq(until(st, ("normal", "Ready")), [("reload_pending", ""), ("reloading", "Reloading"), ("normal", "Ready")],
       "reload sequence")
    wait_normal(cid)
    eq(cs("PUT", "/v1/clusters/%s/workers/%s" % (cid, w), {"action": "update"}).status, 204, "update")
    o = worker(cid, w)
    eq((o["targetVersion"], "pending" in o["kubeVersion"]), ("1.30.4_1532", True), "update pending")
    until(st, ("normal", "Ready"))
    eq(worker(cid, w)["kubeVersion"], "1.30.4_1532", "updated to the master's version")
    cs_err(cs("PUT", "/v1/clusters/%s/workers/%s" % (cid, w), {"action": "explode"}), 400, "E0040")
    cs_err(cs("PUT", "/v1/clusters/%s/workers/%s" % (cid, w), {}), 400, "E0040")
    cs_err(cs("PUT", "/v1/clusters/%s/workers/%s" % (cid, w), "nope"), 400, "E0013")
    cs_err(cs("PUT", "/v1/clusters/%s/workers/nope" % cid, {"action": "reboot"}), 404, "E0d3b")
    cs_err(cs("GET", "/v1/clusters/%s/workers/nope" % cid), 404, "E0d3b")
    other = workers("fake-iks-classic")[0]["id"]
    cs_err(cs("GET", "/v1/clusters/%s/workers/%s" % (cid, other)), 404, "E0d3b")
    cs_err(cs("PUT", "/v1/clusters/%s/workers/%s" % (cid, other), {"action": "reboot"}), 404, "E0d3b")
    vw = v2workers(S["v"])[0]["id"]
    cs_err(cs("PUT", "/v1/clusters/%s/workers/%s" % (S["v"], vw), {"action": "update"}), 400, "G3917")
    r = cs("GET", "/v2/vpc/getWorker?cluster=%s&worker=%s" % (S["v"], vw))
    eq(r.status, 200, "getWorker")
    for k in ("id", "flavor", "poolID", "poolName", "location", "health", "lifecycle", "kubeVersion", "networkInterfaces"):
        check(k in r.json(), "v2 field %s" % k)
    for k in ("actual", "desired", "target"):
        check(k in r.json()["kubeVersion"], "kubeVersion.%s" % k)
    cs_err(cs("GET", "/v2/vpc/getWorker?cluster=%s&worker=nope" % S["v"]), 404, "E0d3b")
    cs_err(cs("GET", "/v2/vpc/getWorker?cluster=%s" % S["v"]), 400, "E0040")


@test
def j_replace():
    cid, v = S["c"], S["v"]
    old = workers(cid, "?pool=default")[0]
    before = {w["id"] for w in workers(cid, "?showDeleted=true")}
    r = cs("POST", "/v2/replaceWorker", {"cluster": cid, "workerID": old["id"], "update": True})
    eq((r.status, r.body), (204, b""), "classic replace: 204, no body")
    new = [w for w in workers(cid) if w["id"] not in before]
    eq(len(new), 1, "a new worker with a new id")
    eq((new[0]["poolid"], new[0]["location"], new[0]["state"]), (old["poolid"], old["location"], "provision_pending"),
       "same pool and zone, provisioning")
    eq(until(lambda: worker(cid, old["id"])["state"], "deleted"), ["deleting", "deleted"], "old deleting -> deleted")
    until(lambda: worker(cid, new[0]["id"])["state"], "normal")
    eq(worker(cid, new[0]["id"])["kubeVersion"], "1.30.4_1532", "update:true -> the master's version")
    cs_err(cs("POST", "/v2/replaceWorker", {"cluster": cid, "workerID": old["id"], "update": True}), 409, "E0d3e")
    cs_err(cs("POST", "/v2/vpc/replaceWorker", {"cluster": cid, "workerID": new[0]["id"]}), 400, "G3917")
    cs_err(cs("POST", "/v2/replaceWorker", {"cluster": cid, "workerID": "nope"}), 404, "E0d3b")
    cs_err(cs("POST", "/v2/replaceWorker", {"cluster": cid}), 400, "E0040")
    # VPC, the way TF waits: getWorker OLD until deleted, then the new id, then health normal
    oldv = v2workers(v)[0]
    n0 = len(v2workers(v))
    seen = {w["id"] for w in v2workers(v, "&showDeleted=true")}
    r = cs("POST", "/v2/vpc/replaceWorker", {"cluster": v, "workerID": oldv["id"], "update": True})
    eq((r.status, r.body), (204, b""), "VPC replace")
    ga = lambda wid: cs("GET", "/v2/vpc/getWorker?cluster=%s&worker=%s" % (v, wid)).json()
    eq(until(lambda: ga(oldv["id"])["lifecycle"]["actualState"], "deleted"), ["deleting", "deleted"], "old deleted")
    ws = v2workers(v)
    eq(len(ws), n0, "count back")
    nid = [w["id"] for w in ws if w["id"] not in seen]
    eq(len(nid), 1, "the new id = the one not seen before")
    until(lambda: ga(nid[0])["health"]["state"], "normal")
    eq(ga(nid[0])["networkInterfaces"][0]["subnetID"], oldv["networkInterfaces"][0]["subnetID"], "same zone subnet")
    cs_err(cs("POST", "/v2/replaceWorker", {"cluster": v, "workerID": nid[0]}), 400, "G3917")


@test
def k_remove_worker():
    cid = S["c"]
    p0 = pool(cid, "default")
    w = workers(cid, "?pool=default")[0]["id"]
    r = cs("DELETE", "/v1/clusters/%s/workers/%s" % (cid, w))
    eq((r.status, r.body), (204, b""), "worker rm 204")
    eq(cs("DELETE", "/v1/clusters/%s/workers/%s" % (cid, w)).status, 204, "again: 204")
    eq(until(lambda: worker(cid, w)["state"], "deleted"), ["deleting", "deleted"], "deleting -> deleted")
    p1 = pool(cid, "default")
    eq((p1["sizePerZone"], p1["zones"][0]["workerCount"], p1["isBalanced"]),
       (p0["sizePerZone"], p0["zones"][0]["workerCount"] - 1, False), "not refilled; unbalanced")
    eq(get(cid)["workerCount"], len(workers(cid)), "cluster workerCount follows")
    cs_err(cs("PUT", "/v1/clusters/%s/workers/%s" % (cid, w), {"action": "reboot"}), 409, "E0d3e")
    cs_err(cs("DELETE", "/v1/clusters/%s/workers/nope" % cid), 404, "E0d3b")
    eq(cs("PATCH", "/v1/clusters/%s/workerpools/default" % cid, {"state": "rebalancing"}).status, 202, "rebalance")
    eq(pool(cid, "default")["zones"][0]["workerCount"], p0["zones"][0]["workerCount"], "rebalance refills")


@test
def l_faults():
    cid = S["c"]
    fault(kind="resize_stuck")
    fault(kind="reload_failed")
    st, fl = control("/control/faults", method="GET")
    eq(sorted(f["kind"] for f in fl), ["reload_failed", "resize_stuck"], "pending, not fired by requests")
    eq(cs("GET", "/v1/clusters/%s/workerpools" % cid).status, 200, "a GET does not take them")
    eq(cs("PATCH", "/v1/clusters/%s/workerpools/edge" % cid, {"sizePerZone": 2, "state": "resizing"}).status, 202, "resize")
    time.sleep(STEP * 4)
    eq(pool_states(cid, "edge"), (("normal", "Ready"), ("provisioning", "Pending security group creation")),
       "resize_stuck: the new worker stays provisioning")
    w = workers(cid, "?pool=edge")[0]["id"]
    eq(cs("PUT", "/v1/clusters/%s/workers/%s" % (cid, w), {"action": "reload"}).status, 204, "reload")
    eq([s for s, _ in until(lambda: (worker(cid, w)["state"], 0), ("reloading_failed", 0))],
       ["reload_pending", "reloading", "reloading_failed"], "reload_failed")
    vw = v2workers(S["v"])[0]["id"]
    fault(kind="reload_failed")
    eq(cs("PUT", "/v1/clusters/%s/workers/%s" % (S["v"], vw), {"action": "reload"}).status, 204, "VPC reload")
    until(lambda: cs("GET", "/v2/vpc/getWorker?cluster=%s&worker=%s" % (S["v"], vw)).json()["lifecycle"]["actualState"],
          "reloading_failed")
    eq(control("/control/faults", method="GET")[1], [], "both taken")
    # pool_create_500: created, then 500; the retry meets E0d39 (never doubled)
    fault(kind="pool_create_500")
    eq(cs("POST", "/v1/clusters", classic_body("pc-x")).status, 201, "not on a cluster create")
    cs_err(mkpool(cid, "p500", [{"id": "dal10"}]), 500, "A0002")
    eq(pool(cid, "p500")["name"], "p500", "the pool exists anyway")
    cs_err(mkpool(cid, "p500"), 409, "E0d39")
    fault(kind="pool_create_500")
    body = {"cluster": S["v"], "name": "v500", "flavor": "bx2.4x16", "workerCount": 1, "zones": []}
    cs_err(cs("POST", "/v2/vpc/createWorkerPool", body), 500, "A0002")
    eq(cs("GET", "/v2/vpc/getWorkerPool?cluster=%s&workerpool=v500" % S["v"]).status, 200, "v2 pool exists")
    # generic faults on the new paths: the request never reaches the service
    fault(service="cs", method="POST", path="/global/v1/clusters/%s/workerpools" % cid, kind="status", status=503)
    cs_err(mkpool(cid, "p503"), 503, "A0002")
    cs_err(cs("GET", "/v1/clusters/%s/workerpools/p503" % cid), 404, "E0d3a")
    fault(service="cs", method="POST", path="/v1/clusters/%s/workerpools" % cid, kind="reset")
    try:
        mkpool(cid, "prst")
        raise AssertionError("expected a reset")
    except (ConnectionError, urllib.error.URLError, OSError):
        pass
    cs_err(cs("GET", "/v1/clusters/%s/workerpools/prst" % cid), 404, "E0d3a")
    fault(service="cs", path="/v2/vpc/getWorkerPools", kind="status", status=429, retry_after="1")
    r = cs("GET", "/v2/vpc/getWorkerPools?cluster=" + S["v"])
    eq((r.status, r.headers.get("retry-after")), (429, "1"), "429 on a v2 pool path")
    fault(kind="resize_stuck")
    eq(control("/control/reset")[0], 200, "reset")
    eq(control("/control/faults", method="GET")[1], [], "reset clears the pool faults")


@test
def m_control_log_and_cluster_delete():
    cid = S["c"]
    cl = [c for c in control("/control/clusters", method="GET")[1] if c["id"] == cid][0]
    eq(sorted(p["name"] for p in cl["pools"]), ["default", "edge", "p500"], "control pools")
    for p in cl["pools"]:
        for k in ("id", "name", "state", "sizePerZone", "zones"):
            check(k in p, "pool key %s" % k)
    for w in cl["workers"]:
        eq(sorted(w), ["id", "pool", "poolID", "state", "zone"], "worker keys")
    check({w["state"] for w in cl["workers"]} >= {"deleted", "normal"}, "states")
    ev = [e for e in log_events() if e.get("method") == "POST" and e.get("path", "").endswith("/workerpools")]
    check(any(isinstance(e.get("body"), dict) and e["body"].get("name") == "p500" for e in ev), "pool bodies logged")
    ev = [e for e in log_events() if e.get("path", "").endswith("/v2/vpc/createWorkerPoolZone")]
    eq((ev[0]["body"]["id"], ev[0]["body"]["subnetID"]), ("us-south-3", "0737-c"), "zone body logged")
    eq(cs("DELETE", "/v1/clusters/" + cid).status, 204, "cluster delete")
    check({w["state"] for w in workers(cid)} == {"deleting"}, "every pool's workers deleting")
    cs_err(mkpool(cid, "late"), 409, "E0121")
    until(lambda: {w["state"] for w in workers(cid, "?showDeleted=true")} == {"deleted"}, True)
    # a built-in's pools are restored by reset {"clusters":true}
    b = ENV["EMU_CLUSTER"]
    eq(mkpool(b, "extra", [{"id": "dal10"}]).status, 201, "pool on a built-in")
    eq(len(workers(b)), 4, "built-in has 4 workers")
    eq(control("/control/reset", {"clusters": True})[0], 200, "reset clusters")
    eq([p["name"] for p in cs("GET", "/v1/clusters/%s/workerpools" % b).json()], ["default"], "restored")
    eq(len(workers(b)), 3, "3 workers again")


if __name__ == "__main__":
    sys.exit(main())
