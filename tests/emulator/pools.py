"""Worker pools, zones and workers for the emulator (issue 14).

Facts follow /work/shared/IBM-LIFECYCLE.md sections 3b-3d, 4, 5 and 7; anything it does
not say is marked "invented" here and in README.md. lifecycle.py builds one Pools and
calls it from small hooks: v1 sub-paths of a cluster, the v2 pool/worker calls, the
worker listings, workerCount, the faults and /control/clusters.

Model, per cluster, made lazily on first use (c["pm"]): pools and workers. The default
pool holds the workers the create asked for (classic workerNum in dataCenter, VPC
workerCount per zone; built-in clusters: their 3 workers). A worker either follows the
cluster's lifecycle (the create's workers, until something is done to them) or has its
own timeline: a list of (state, status) held one `step_s` each, then a final one. A
cluster being deleted overrides every worker: deleting, then deleted. Timelines run on
the monotonic clock and are shown on the services' clock, as in lifecycle.py.
"""
import hashlib
import re
import secrets
import urllib.parse
import uuid

import clusterspec as spec

NEXT_KINDS = ("resize_stuck", "reload_failed")
REQUEST_KINDS = ("pool_create_500",)
FAULT_KINDS = REQUEST_KINDS + NEXT_KINDS

# code -> (status, description, type, recoveryCLI); merged into clusterspec.ERRORS.
ERRORS = {
    "E0d39": (409, "A worker pool with the same name already exists within the cluster. Choose another name.",
              "Provisioning", ""),
    # the text is TF's check; the code is invented
    "E0d3a": (404, "The specified worker pool could not be found.", "Provisioning", ""),
    # the docs' code and text for a v1 config call on VPC; reused for pool/zone/worker calls
    # of the wrong provider (invented use)
    "G3917": (400, "Cluster provider not permitted for given operation.", "Cluster", ""),
    # invented:
    "E0d3b": (404, "The specified worker node could not be found.", "Provisioning", ""),
    "E0d3c": (409, "The zone is already part of the worker pool.", "Provisioning", ""),
    "E0d3d": (404, "The specified zone could not be found in the worker pool.", "Provisioning", ""),
    "E0d3e": (409, "The %s is in state '%s'. The operation cannot be started now.", "Provisioning", ""),
}

V2_GET = {p + op: op for p in ("/v2/", "/v2/vpc/", "/v2/classic/")
          for op in ("getWorkerPools", "getWorkerPool", "getWorker")}
V2_POST = {"/v2/vpc/createWorkerPool": "createWorkerPool", "/v2/vpc/createWorkerPoolZone": "createWorkerPoolZone",
           "/v2/replaceWorker": "replaceWorker", "/v2/vpc/replaceWorker": "replaceWorker"}
V2_PATHS = set(V2_GET) | set(V2_POST)
POOLS_RE = re.compile(r"^/v1/clusters/[^/]+/workerpools$")

PROVISION = [("provision_pending", ""), ("provisioning", "Pending security group creation")]
NORMAL = ("normal", "Ready")
DELETE = [("deleting", "")]
DELETED = ("deleted", "")
# v1 state -> v2 lifecycle.actualState
ACTUAL = {"provision_pending": "provisioning", "provisioning": "provisioning", "provision_failed": "provision_failed",
          "deleting": "deleting", "deleted": "deleted", "reload_pending": "reload_pending",
          "reloading": "reloading", "reloading_failed": "reloading_failed"}


def squash(s, n):
    return re.sub(r"[^a-z0-9]", "", s.lower())[:n]


class Pools:
    def __init__(self, lc):
        self.lc, self.emu, self.h = lc, lc.emu, lc.h
        spec.ERRORS.update(ERRORS)

    def fault_applies(self, f, svc, stripped, method):
        if f["kind"] in NEXT_KINDS:
            return False
        p = stripped.rstrip("/")
        return svc == "cs" and method == "POST" and (bool(POOLS_RE.match(p)) or p == "/v2/vpc/createWorkerPool")

    # ------------------------------------------------------------ model
    def model(self, c, base=None):
        if "pm" in c:
            return c["pm"]
        if base is None and not self.lc.life(c)["created"]:
            self.emu.containers.workers(c)  # builds the built-in base list, which lands here
            return c["pm"]
        L = self.lc.life(c)
        vpc = c["provider"] == "vpc-gen2"
        M = {"pools": [], "workers": [], "next": 1 + secrets.randbelow(9000), "ipn": 0,
             "net": 100 + int(hashlib.md5(c["id"].encode()).hexdigest()[:4], 16) % 150}
        if L["created"]:
            zs = L["zones"]
            p = self.new_pool(c, M, L["pool_name"], L["flavor"], len(L["workers"]) // max(1, len(zs)),
                              L["isolation"] or "public", {}, [], L["vpc_id"], pid=L["pool_id"])
            for z in zs:
                p["zones"].append({"id": z, "privateVlan": "" if vpc else (L["private_vlan"] or "2938471"),
                                   "publicVlan": "" if vpc else (L["public_vlan"] or "2938473"),
                                   "subnetID": L["subnets"].get(z, "")})
            for w in L["workers"]:
                M["workers"].append({"id": w["id"], "pool": p["id"], "zone": w["zone"], "ip": w["ip"],
                                     "pub_ip": "" if vpc else w["pub_ip"], "version": L["worker_version"],
                                     "tl": None, "dead": False})
        else:
            b0 = base[0]
            p = self.new_pool(c, M, "default", b0["machineType"], len(base), b0["isolation"], {}, [],
                              "r006-" + str(uuid.UUID(hashlib.md5(c["id"].encode()).hexdigest())) if vpc else "",
                              pid="%s-%s" % (c["id"], hashlib.md5(c["id"].encode()).hexdigest()[:7]))
            p["zones"].append({"id": c["dc"], "privateVlan": b0["privateVlan"], "publicVlan": b0["publicVlan"],
                               "subnetID": ("0757-" + hashlib.md5(c["id"].encode()).hexdigest()[:8]) if vpc else ""})
            for w in base:
                M["workers"].append({"id": w["id"], "pool": p["id"], "zone": w["location"], "ip": w["privateIP"],
                                     "pub_ip": w["publicIP"], "version": w["kubeVersion"], "tl": None, "dead": False})
        M["pools"].append(p)
        c["pm"] = M
        return M

    def new_pool(self, c, M, name, flavor, size, isolation, labels, zones, vpc_id, pid=None):
        ids = {p["id"] for p in M["pools"]}
        while pid is None or pid in ids:
            pid = "%s-%s" % (c["id"], secrets.token_hex(4)[:7])
        return {"id": pid, "name": name, "flavor": flavor, "size": size, "isolation": isolation,
                "labels": dict(labels), "zones": zones, "vpc_id": vpc_id, "t_del": None, "gone_at": None}

    def timeline(self, seq, end, op="", ver=None):
        return {"t0": self.emu.clock.mono(), "step": float(self.emu.cfg["step_s"]), "seq": seq, "end": end,
                "op": op, "ver": ver}

    def new_worker(self, c, M, p, zone, stuck=False, version=None):
        ws = {w["id"] for w in M["workers"]}
        while True:
            wid = "kube-%s-%s-%s-%08d" % (c["id"], squash(c["name"], 8) or "cluster", squash(p["name"], 7) or "pool",
                                          M["next"])
            M["next"] += 1
            if wid not in ws:
                break
        n = M["ipn"]
        M["ipn"] += 1
        zi = [z["id"] for z in p["zones"]].index(zone) if zone in [z["id"] for z in p["zones"]] else 0
        w = {"id": wid, "pool": p["id"], "zone": zone, "ip": "10.%d.%d.%d" % (M["net"], 10 + zi, 4 + n % 250),
             "pub_ip": "" if c["provider"] == "vpc-gen2" else "169.63.%d.%d" % (M["net"], 4 + n % 250),
             "version": version or self.master_version(c), "dead": False,
             "tl": self.timeline(PROVISION, PROVISION[-1] if stuck else NORMAL, "provision")}
        M["workers"].append(w)
        return w

    def master_version(self, c):
        return c["version"]

    def kill(self, w):
        if not w["dead"]:
            w["dead"] = True
            w["tl"] = self.timeline(DELETE, DELETED, "delete")

    def wstate(self, c, w, now):
        """(state, status, kubeVersion, targetVersion, pendingOperation, since)."""
        cp = self.lc.phase(c, now)
        tl = w["tl"]
        ver, target, op, since = w["version"], w["version"], "", None
        if tl is None:
            st = self.lc.worker_state(cp)
        else:
            k = int((now - tl["t0"]) / tl["step"])
            if tl.get("prev", 0) != 0 and k >= len(tl["seq"]):
                w["tl"] = tl["prev"]            # a reboot ends where the worker was
                return self.wstate(c, w, now)
            since = tl["t0"] + min(k, len(tl["seq"])) * tl["step"]
            if k < len(tl["seq"]):
                st, op = tl["seq"][k], tl["op"]
                if tl["ver"]:
                    ver, target = tl["ver"] + " (pending)", tl["ver"]
            else:
                st = tl["end"]
                if tl["ver"] and st == NORMAL:
                    w["version"] = ver = target = tl["ver"]
                    tl["ver"] = None
        if cp in ("deleting", "deleted", "gone") and st[0] != "deleted":
            st = self.lc.worker_state(cp)
        return st[0], st[1], ver, target, op, since

    def pools_of(self, c, now=None):
        now = self.emu.clock.mono() if now is None else now
        return [p for p in self.model(c)["pools"] if not (p["gone_at"] and now >= p["gone_at"])]

    def find_pool(self, c, key):
        ps = [p for p in self.pools_of(c) if key in (p["id"], p["name"])]
        if not ps:
            raise spec.BadRequest("E0d3a")
        return ps[0]

    def find_worker(self, c, wid):
        ws = [w for w in self.model(c)["workers"] if w["id"] == wid]
        if not ws:
            raise spec.BadRequest("E0d3b")
        return ws[0]

    def alive(self, M, p, zone=None):
        return [w for w in M["workers"] if w["pool"] == p["id"] and not w["dead"] and zone in (None, w["zone"])]

    def count(self, c):
        return len([w for w in self.model(c)["workers"] if not w["dead"]])

    # ------------------------------------------------------------ shapes
    def workers_v1(self, c, base=None):
        M = self.model(c, base)
        now = self.emu.clock.mono()
        pools = {p["id"]: p for p in M["pools"]}
        vpc = c["provider"] == "vpc-gen2"
        out = []
        for w in M["workers"]:
            p = pools[w["pool"]]
            st, status, ver, target, op, since = self.wstate(c, w, now)
            z = [x for x in p["zones"] if x["id"] == w["zone"]]
            z = z[0] if z else {}
            if since is None:
                since = self.lc.since(c)
            out.append({"id": w["id"], "state": st, "status": status, "errorMessage": "",
                        "kubeVersion": ver, "targetVersion": target, "machineType": p["flavor"],
                        "privateIP": w["ip"], "publicIP": w["pub_ip"],
                        "privateVlan": "" if vpc else z.get("privateVlan", ""),
                        "publicVlan": "" if vpc else z.get("publicVlan", ""),
                        "location": w["zone"], "poolid": p["id"], "poolName": p["name"],
                        "isolation": p["isolation"] or "public", "trustedStatus": "disabled",
                        "pendingOperation": op,
                        "statusDate": self.lc.stamp(since) if since else "2024-09-02T10:12:40+0000",
                        "statusDetails": "", "reasonForDelete": ""})
        return out

    def v2_worker(self, c, w):
        """The v2 shape of a v1 worker object."""
        subnet = ""
        for p in self.model(c)["pools"]:
            if p["id"] == w["poolid"]:
                subnet = ([z.get("subnetID", "") for z in p["zones"] if z["id"] == w["location"]] or [""])[0]
        desired = "deleted" if w["state"] in ("deleting", "deleted") else "deployed"
        return {"id": w["id"], "provider": c["provider"], "flavor": w["machineType"],
                "location": w["location"], "poolID": w["poolid"], "poolName": w["poolName"],
                "networkInterfaces": [{"cidr": "10.240.0.0/24", "ipAddress": w["privateIP"],
                                       "primary": True, "subnetID": subnet}],
                "health": {"state": w["state"], "message": w["status"]},
                "lifecycle": {"desiredState": desired, "actualState": ACTUAL.get(w["state"], "deployed"),
                              "message": w["status"], "messageDate": w.get("statusDate", ""), "messageDetails": "",
                              "messageDetailsDate": "", "pendingOperation": w.get("pendingOperation", ""),
                              "reasonForDelete": ""},
                "kubeVersion": {"actual": w["kubeVersion"], "desired": w["targetVersion"],
                                "target": w["targetVersion"], "eos": "", "masterEOS": ""},
                "dedicatedHostId": "", "dedicatedHostPoolId": "", "autoRecoverEnabled": True}

    def zone_counts(self, M, p):
        return {z["id"]: len(self.alive(M, p, z["id"])) for z in p["zones"]}

    def pool_v1(self, c, p):
        M = self.model(c)
        n = self.zone_counts(M, p)
        vpc = c["provider"] == "vpc-gen2"
        zones = []
        for z in p["zones"]:
            zo = {"id": z["id"], "workerCount": n[z["id"]]}
            if vpc:
                zo["subnetID"] = z["subnetID"]
            else:
                zo.update(privateVlan=z["privateVlan"], publicVlan=z["publicVlan"])
            zones.append(zo)
        labels = dict(p["labels"])
        labels["ibm-cloud.kubernetes.io/worker-pool-id"] = p["id"]
        return {"autoscaleEnabled": False, "id": p["id"], "isBalanced": all(v == p["size"] for v in n.values()),
                "isolation": p["isolation"] or "public", "labels": labels, "machineType": p["flavor"],
                "name": p["name"], "operatingSystem": "UBUNTU_24_64", "reasonForDelete": "", "region": c["region"],
                "sizePerZone": p["size"], "state": "deleting" if p["t_del"] else "active", "zones": zones}

    def pool_v2(self, c, p):
        M = self.model(c)
        n = self.zone_counts(M, p)
        labels = dict(p["labels"])
        labels["ibm-cloud.kubernetes.io/worker-pool-id"] = p["id"]
        return {"id": p["id"], "poolName": p["name"], "flavor": p["flavor"], "provider": c["provider"],
                "isolation": p["isolation"] or "public", "labels": labels, "hostLabels": {}, "taints": {},
                "workerCount": p["size"], "isBalanced": all(v == p["size"] for v in n.values()),
                "autoscaleEnabled": False, "operatingSystem": "UBUNTU_24_64", "vpcID": p["vpc_id"],
                "lifecycle": {"actualState": "deleting" if p["t_del"] else "deployed",
                              "desiredState": "deleted" if p["t_del"] else "deployed"},
                "zones": [{"id": z["id"], "workerCount": n[z["id"]], "autobalanceEnabled": False, "messages": [],
                           "subnets": [{"id": z["subnetID"], "primary": True}] if z["subnetID"] else []}
                          for z in p["zones"]]}

    def control(self, c):
        now = self.emu.clock.mono()
        M = self.model(c)
        pools = {p["id"]: p for p in M["pools"]}
        return {"pools": [{"id": p["id"], "name": p["name"], "state": "deleting" if p["t_del"] else "active",
                           "sizePerZone": p["size"], "zones": [z["id"] for z in p["zones"]]}
                          for p in self.pools_of(c, now)],
                "workers": [{"id": w["id"], "pool": pools[w["pool"]]["name"], "poolID": w["pool"],
                             "zone": w["zone"], "state": self.wstate(c, w, now)[0]} for w in M["workers"]]}

    # ------------------------------------------------------------ requests
    def ok(self, status, obj=None):
        hdr = [("X-Request-Id", str(uuid.uuid4()))]
        if obj is None:
            return self.h.Resp(status, b"", "application/json", hdr)
        return self.h.json_resp(status, obj, hdr, go=True)

    def guard(self, c, what=None, obj=None):
        p = self.lc.phase(c)
        if p in ("deleting", "deleted", "gone"):
            raise spec.BadRequest("E0121", p)
        if what == "pool" and obj["t_del"]:
            raise spec.BadRequest("E0d3e", "worker pool", "deleting")
        if what == "worker" and obj["dead"]:
            raise spec.BadRequest("E0d3e", "worker node", "deleting" if obj["tl"] and self.emu.clock.mono() <
                                    obj["tl"]["t0"] + obj["tl"]["step"] else "deleted")

    def v1(self, method, sub, c, q, body, fault):
        """Sub-paths of /v1/clusters/{c}; None when not ours."""
        parts = [urllib.parse.unquote(x) for x in sub.split("/")] if sub else []
        if not parts or parts[0] not in ("workerpools", "workers") or (parts[0] == "workers" and len(parts) != 2):
            return None
        try:
            if parts[0] == "workers":
                w = self.find_worker(c, parts[1])
                if method == "GET":
                    return self.ok(200, [x for x in self.workers_v1(c) if x["id"] == w["id"]][0])
                if method == "PUT":
                    return self.action(c, w, body)
                if method == "DELETE":
                    if not w["dead"]:
                        self.guard(c)
                        self.kill(w)
                    return self.ok(204)
                return self.h.cs_error("G0000")
            if len(parts) == 1:
                if method == "GET":
                    return self.ok(200, [self.pool_v1(c, p) for p in self.pools_of(c)])
                if method == "POST":
                    return self.create_v1(c, body, fault)
                return self.h.cs_error("G0000")
            p = self.find_pool(c, parts[1])
            if len(parts) == 2:
                if method == "GET":
                    return self.ok(200, self.pool_v1(c, p))
                if method == "PATCH":
                    return self.patch(c, p, body)
                if method == "DELETE":
                    return self.delete_pool(c, p)
            elif parts[2] == "zones" and len(parts) == 3 and method == "POST":
                if c["provider"] == "vpc-gen2":
                    raise spec.BadRequest("G3917")
                d = spec.parse(body)
                return self.add_zone(c, p, d, spec.field(d, "id", "str", True))
            elif parts[2] == "zones" and len(parts) == 4 and method in ("DELETE", "PATCH"):
                zs = [z for z in p["zones"] if z["id"] == parts[3]]
                if not zs:
                    raise spec.BadRequest("E0d3d")
                self.guard(c, "pool", p)
                if method == "PATCH":               # zone network-set (classic)
                    d = spec.parse(body)
                    zs[0].update(self.vlans(d))
                    return self.ok(204)
                for w in self.alive(self.model(c), p, parts[3]):
                    self.kill(w)
                p["zones"] = [z for z in p["zones"] if z["id"] != parts[3]]
                return self.ok(202)
            return self.h.cs_error("G0000")
        except spec.BadRequest as e:
            return self.lc.err(e.code, *e.args_)

    def vlans(self, d):
        out = {}
        for k in ("privateVlan", "publicVlan"):
            v = spec.field(d, k, "str")      # jget: exact, then case-insensitive (privateVLAN too)
            if v is not None:
                out[k] = v
        return out

    def zones_of(self, c, d, more):
        """The "zones" list of request d, each zone checked for cluster c;
        more(z, i) gives the provider's fields of zone i (VLANs, subnet)."""
        f = spec.field
        zones = []
        for i, z in enumerate(f(d, "zones", "list") or []):
            if not isinstance(z, dict):
                raise spec.BadRequest("E0040", "zones[%d] must be an object." % i)
            zid = f(z, "id", "str", True, "zones[%d]." % i)
            self.check_zone(c, zid)
            zones.append(dict({"id": zid, "privateVlan": "", "publicVlan": "", "subnetID": ""},
                              **more(z, i)))
        return zones

    def check_zone(self, c, zone):
        zones = spec.VPC_ZONES if c["provider"] == "vpc-gen2" else spec.CLASSIC_ZONES
        if zones.get(zone) != c["region"]:
            raise spec.BadRequest("E4e5b")

    def check_flavor(self, c, flavor):
        ok = spec.VPC_FLAVORS if c["provider"] == "vpc-gen2" else spec.CLASSIC_FLAVORS
        if re.sub(r"\.encrypted$", "", flavor) not in ok:
            raise spec.BadRequest("E4e5b")

    def create_v1(self, c, body, fault):
        if c["provider"] == "vpc-gen2":
            raise spec.BadRequest("G3917")
        d = spec.parse(body)
        f = spec.field
        name = f(d, "name", "str", True).strip()
        size = f(d, "sizePerZone", "int", True)
        if size < 1:
            raise spec.BadRequest("E0040", "the field 'sizePerZone' must be at least 1.")
        flavor = f(d, "machineType", "str", True)
        iso = f(d, "isolation", "str") or "public"
        if iso not in ("public", "private"):
            raise spec.BadRequest("E0040", "the field 'isolation' must be 'public' or 'private'.")
        labels = f(d, "labels", "obj") or {}
        f(d, "diskEncryption", "bool")
        for k in ("entitlement", "operatingSystem"):
            f(d, k, "str")
        zones = self.zones_of(c, d, lambda z, i: self.vlans(z))
        self.check_flavor(c, flavor)
        p = self.make_pool(c, name, flavor, size, iso, labels, zones, "")
        if fault and fault["kind"] == "pool_create_500":
            return self.h.cs_error("A0002")
        return self.ok(201, self.pool_v1(c, p))

    def make_pool(self, c, name, flavor, size, iso, labels, zones, vpc_id):
        self.guard(c)
        M = self.model(c)
        if [p for p in self.pools_of(c) if p["name"] == name]:
            raise spec.BadRequest("E0d39")
        p = self.new_pool(c, M, name, flavor, size, iso, labels, [], vpc_id)
        M["pools"].append(p)
        for z in zones:
            if z["id"] not in [x["id"] for x in p["zones"]]:
                p["zones"].append(z)
                for _ in range(size):
                    self.new_worker(c, M, p, z["id"])
        return p

    def add_zone(self, c, p, d, zid):
        z = {"id": zid, "privateVlan": "", "publicVlan": "", "subnetID": ""}
        if c["provider"] == "vpc-gen2":
            z["subnetID"] = spec.field(d, "subnetID", "str", True)
        else:
            z.update(self.vlans(d))
        self.guard(c, "pool", p)
        self.check_zone(c, zid)
        if zid in [z["id"] for z in p["zones"]]:
            raise spec.BadRequest("E0d3c")
        p["zones"].append(z)
        M = self.model(c)
        for _ in range(p["size"]):
            self.new_worker(c, M, p, zid)
        return self.ok(201)

    def patch(self, c, p, body):
        d = spec.parse(body)
        f = spec.field
        st = f(d, "state", "str", True)
        self.guard(c, "pool", p)
        M = self.model(c)
        if st == "labels":
            p["labels"] = dict(f(d, "labels", "obj", True))
            return self.ok(202)
        if st == "resizing":
            n = f(d, "sizePerZone", "int", True)
            if n < 1:
                raise spec.BadRequest("E0040", "the field 'sizePerZone' must be at least 1.")
            f(d, "reasonForResize", "str")
            p["size"] = n
        elif st != "rebalancing":           # the value is an inference (IBM-LIFECYCLE.md 4a)
            raise spec.BadRequest("E0040", "the field 'state' must be 'resizing', 'labels' or 'rebalancing'.")
        stuck = bool(self.lc.take_next("resize_stuck")) if st == "resizing" else False
        for z in p["zones"]:
            ws = self.alive(M, p, z["id"])
            for _ in range(p["size"] - len(ws)):
                self.new_worker(c, M, p, z["id"], stuck=stuck)
            for w in ws[p["size"]:]:
                self.kill(w)
        return self.ok(202)

    def delete_pool(self, c, p):
        if not p["t_del"]:
            self.guard(c)
            for w in self.alive(self.model(c), p):
                self.kill(w)
            step = float(self.emu.cfg["step_s"])
            p["t_del"] = self.emu.clock.mono()
            p["gone_at"] = p["t_del"] + 2 * step
        return self.ok(204)

    def action(self, c, w, body):
        d = spec.parse(body)
        act = spec.field(d, "action", "str", True)
        spec.field(d, "force", "bool")
        if act not in ("reboot", "os_reboot", "reload", "update"):
            raise spec.BadRequest("E0040", "the field 'action' must be 'reboot', 'os_reboot', 'reload' or 'update'.")
        if act == "update" and c["provider"] == "vpc-gen2":
            raise spec.BadRequest("G3917")        # update is classic only; VPC uses replace
        self.guard(c, "worker", w)
        cur = self.wstate(c, w, self.emu.clock.mono())
        if act in ("reboot", "os_reboot"):
            w["tl"] = dict(self.timeline([(cur[0], "Rebooting")], NORMAL, act), prev=w["tl"])
            return self.ok(204)
        failed = bool(self.lc.take_next("reload_failed")) if act == "reload" else False
        end = ("reloading_failed", "Reload failed. Reload the worker node again or replace it.") if failed else NORMAL
        w["tl"] = self.timeline([("reload_pending", ""), ("reloading", "Reloading")], end, act,
                                self.master_version(c) if act == "update" else None)
        return self.ok(204)

    # ------------------------------------------------------------ v2
    def v2(self, method, path, q, body, acct, fault):
        op = (V2_GET if method == "GET" else V2_POST if method == "POST" else {}).get(path)
        if not op:
            return self.h.cs_error("G0000")
        try:
            d = q if method == "GET" else spec.parse(body)
            key = d.get("cluster") if method == "GET" else spec.jget(d, "cluster")
            if not isinstance(key, str) or not key:
                raise spec.BadRequest("E0040", "the %s 'cluster' is required." % (
                    "query parameter" if method == "GET" else "field"))
            mine = [c for c in self.emu.clusters if c["account"] == acct and key in (c["id"], c["name"])]
            if not mine:
                if [g for g in self.lc.gone if g["account"] == acct and key in (g["id"], g["name"])]:
                    return self.lc.gone_resp()
                return self.h.cs_error("G0004")
            c = mine[0]
            if op == "getWorkerPools":
                return self.ok(200, [self.pool_v2(c, p) for p in self.pools_of(c)])
            if op == "getWorkerPool":
                if not q.get("workerpool"):
                    raise spec.BadRequest("E0040", "the query parameter 'workerpool' is required.")
                return self.ok(200, self.pool_v2(c, self.find_pool(c, q["workerpool"])))
            if op == "getWorker":
                if not q.get("worker"):
                    raise spec.BadRequest("E0040", "the query parameter 'worker' is required.")
                w = self.find_worker(c, q["worker"])
                return self.ok(200, self.v2_worker(c, [x for x in self.workers_v1(c) if x["id"] == w["id"]][0]))
            f = spec.field
            if op == "replaceWorker":
                if (c["provider"] == "vpc-gen2") != path.startswith("/v2/vpc/"):
                    raise spec.BadRequest("G3917")
                w = self.find_worker(c, f(d, "workerID", "str", True))
                upd = f(d, "update", "bool")
                self.guard(c, "worker", w)
                M = self.model(c)
                p = [x for x in M["pools"] if x["id"] == w["pool"]][0]
                self.kill(w)
                self.new_worker(c, M, p, w["zone"], version=None if upd else w["version"])
                return self.ok(204)
            if c["provider"] != "vpc-gen2":
                raise spec.BadRequest("G3917")
            if op == "createWorkerPoolZone":
                pk = spec.jget(d, "workerpool")
                if pk is None:
                    pk = spec.jget(d, "workerPoolID")
                if not isinstance(pk, str) or not pk:
                    raise spec.BadRequest("E0040", "the field 'workerpool' is required.")
                zid = f(d, "id", "str", True)
                p = self.find_pool(c, pk)
                return self.add_zone(c, p, d, zid)
            # createWorkerPool
            name = f(d, "name", "str", True).strip()
            flavor = f(d, "flavor", "str", True)
            n = f(d, "workerCount", "int", True)
            if n < 1:
                raise spec.BadRequest("E0040", "the field 'workerCount' must be at least 1.")
            vpc_id = f(d, "vpcID", "str") or self.lc.life(c).get("vpc_id") or ""
            labels = f(d, "labels", "obj") or {}
            for k in ("entitlement", "operatingSystem", "hostPool"):
                f(d, k, "str")
            zones = self.zones_of(c, d, lambda z, i: {
                "subnetID": f(z, "subnetID", "str", True, "zones[%d]." % i)})
            self.check_flavor(c, flavor)
            p = self.make_pool(c, name, flavor, n, "public", labels, zones, vpc_id)
            if fault and fault["kind"] == "pool_create_500":
                return self.h.cs_error("A0002")
            return self.ok(201, {"workerPoolID": p["id"]})
        except spec.BadRequest as e:
            return self.lc.err(e.code, *e.args_)
