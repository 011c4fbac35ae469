"""Cluster lifecycle for the emulator: create, delete, master update, the v2 cluster and
worker reads, the lifecycle faults and the /control/clusters listing.

Facts follow /work/shared/IBM-LIFECYCLE.md; anything it does not say is marked
"invented" here and in README.md. emulator.py builds one Lifecycle and calls it from a
few small hooks (cs, master, cluster_obj, workers, control, take_fault, log_req);
what a request may ask for is clusterspec.py's.
State is computed from elapsed time: each phase (create, delete, update) records when it
started (on the monotonic clock, so a step of the services' clock never moves a cluster
through its states) and the `step_s` in force then. Times shown (createdDate,
modifiedDate, ...) are the services' clock at those instants (Lifecycle.stamp).
"""
import hashlib
import json
import re
import secrets
import threading
import time
import urllib.parse
import uuid

import pools
from clusterspec import (BadRequest, CLASSIC_ZONES, ERRORS, LOCATIONS, VPC_ZONES, default_version, field,
                         parse, validate, version)

# Faults this module owns. The "next cluster/update" kinds are never matched against a
# request by take_fault; they wait in the emulator's fault list until a create or an
# update takes them.
NEXT_KINDS = ("stuck", "deploy_failed", "blip_404", "update_failed") + pools.NEXT_KINDS
REQUEST_KINDS = ("create_500",) + pools.REQUEST_KINDS
FAULT_KINDS = REQUEST_KINDS + NEXT_KINDS
CONFIG = {"step_s": 2.0, "gone_code": "A0006", "quota": 100}

CREATE_PATHS = ("/v1/clusters", "/v2/vpc/createCluster")


def utc(t):
    """A wall time as the containers API writes it."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(t))


def masked(o):
    """A request body for the log, with anything secret-looking masked."""
    if isinstance(o, dict):
        return {k: ("[masked]" if re.search(r"token|secret|password|apikey", k, re.I) and v
                    else masked(v)) for k, v in o.items()}
    if isinstance(o, list):
        return [masked(x) for x in o]
    return o


def log_body(body):
    try:
        return masked(json.loads(body))
    except ValueError:
        return body.decode("utf-8", "replace")


class Lifecycle:
    def __init__(self, emu, h):
        """h: helpers from the other modules (json_resp, Resp, cs_error, kube_status, make_ca,
        make_leaf, EC256, read, rand_id, Server, tls_ctx), handed over by emulator.py."""
        self.emu, self.h = emu, h
        self.lock = threading.RLock()
        self.gone = []          # removed clusters: {"id","name","account","created","gone_at",...}
        self.seq = 0
        for k, v in CONFIG.items():
            emu.cfg.setdefault(k, v)
        self.pools = pools.Pools(self)      # worker pools, zones and workers (pools.py)

    # ------------------------------------------------------------ helpers
    def err(self, code, *args, incident=None):
        st, desc, typ, rec = ERRORS[code]
        if args and "%s" in desc:
            desc = desc % args
        body = {"incidentID": incident or str(uuid.uuid4()), "code": code, "description": desc, "type": typ}
        if rec:
            body["recoveryCLI"] = rec
        return self.h.json_resp(st, body, [("X-Request-Id", body["incidentID"].split(",")[0])], go=True)

    def stamp(self, m):
        """Monotonic instant m as the services' clock read then, written as the API writes it."""
        return utc(self.emu.clock.wall_at(m))

    def gone_resp(self):
        code = self.emu.cfg.get("gone_code", "A0006")
        return self.h.cs_error("G0004") if code == "G0004" else self.err("A0006")

    def life(self, c):
        """The cluster's lifecycle record; built-in clusters get one lazily (always normal)."""
        if "life" not in c:
            c["life"] = {"created": False, "t0": 0.0, "step": 1.0, "mode": None, "op": None,
                         "blip": 0, "upd_failed": False, "orig_version": c["version"]}
        return c["life"]

    def config_value(self, k, v):
        if k == "step_s":
            v = float(v)
            if v <= 0:
                raise ValueError("step_s must be > 0")
            return v
        if k == "gone_code":
            if v not in ("A0006", "G0004"):
                raise ValueError("gone_code must be A0006 or G0004")
            return v
        if k == "quota":
            return int(v)
        raise ValueError(k)

    def take_next(self, kind):
        """Takes one pending "next cluster/update" fault of that kind, or None."""
        emu = self.emu
        with emu.lock:
            for f in emu.faults:
                if f["kind"] == kind and f["count"] > 0:
                    emu.faults = [x for x in emu.faults if x is not f]
                    emu.stats["faults_fired"][kind] = emu.stats["faults_fired"].get(kind, 0) + 1
                    return dict(f)
        return None

    def fault_applies(self, f, svc, stripped, method):
        """For take_fault: may this fault fire on this request?"""
        if f["kind"] in NEXT_KINDS:
            return False
        if f["kind"] in pools.FAULT_KINDS:
            return self.pools.fault_applies(f, svc, stripped, method)
        if f["kind"] == "create_500":
            return svc == "cs" and method == "POST" and stripped.rstrip("/") in CREATE_PATHS
        return True

    # ------------------------------------------------------------ state
    def phase(self, c, now=None):
        """requested, deploying, pending, normal, deploy_failed, updating, update_failed,
        deleting, deleted or gone."""
        now = self.emu.clock.mono() if now is None else now
        L = self.life(c)
        if L["op"] == "delete":
            k = (now - L["t_op"]) / L["op_step"]
            return "deleting" if k < 1 else "deleted" if k < 2 else "gone"
        if L["created"]:
            k = (now - L["t0"]) / L["step"]
            if L["mode"] == "stuck":
                return "requested" if k < 1 else "deploying"
            if L["mode"] == "deploy_failed":
                return "requested" if k < 1 else "deploying" if k < 2 else "deploy_failed"
            if k < 3:
                return ("requested", "deploying", "pending")[int(k)]
        if L["op"] == "update":
            if (now - L["t_op"]) / L["op_step"] < 2:
                return "updating"
            return "update_done"
        return "update_failed" if L["upd_failed"] else "normal"

    def tick(self):
        """Applies what elapsed time has decided: finished updates, clusters gone."""
        now = self.emu.clock.mono()
        with self.lock:
            keep = []
            for c in self.emu.clusters:
                p = self.phase(c, now)
                L = c["life"]
                if p == "update_done":
                    if L["upd_fail"]:
                        L["upd_failed"] = True
                    else:
                        c["version"] = L["upd_to"]
                    L["op"], L["t_last"] = None, L["t_op"] + 2 * L["op_step"]
                if p == "gone":
                    self.gone.append({"id": c["id"], "name": c["name"], "account": c["account"],
                                      "created": L.get("t0", 0), "gone_at": L["t_op"] + 2 * L["op_step"],
                                      "cluster": c})
                    if L["created"]:
                        self.stop_masters(c)
                    continue
                keep.append(c)
            if len(keep) != len(self.emu.clusters):
                self.emu.clusters = keep

    def stop_masters(self, c):
        srvs = c.get("servers", [])
        if not srvs:
            return

        def stop():
            for s in srvs:
                s.shutdown()
                s.server_close()
                if s in self.emu.servers:
                    self.emu.servers.remove(s)
        threading.Thread(target=stop, daemon=True).start()

    def since(self, c):
        """When the current phase began (for modifiedDate)."""
        L = self.life(c)
        if L["op"]:
            return L["t_op"]
        if L["created"]:
            k = min(3, int((self.emu.clock.mono() - L["t0"]) / L["step"]))
            if L["mode"] == "stuck":
                k = min(k, 1)
            elif L["mode"] == "deploy_failed":
                k = min(k, 2)
            return max(L["t0"] + k * L["step"], L.get("t_last", 0))
        return L.get("t_last", 0)

    # ------------------------------------------------------------ cluster objects
    def decorate(self, c, o):
        """Overlays the lifecycle onto cluster_obj's v1 object."""
        L = self.life(c)
        p = self.phase(c)
        o["workerCount"] = self.pools.count(c)
        if not L["created"] and p == "normal" and L.get("t_last", 0) == 0:
            return o
        ms = {"requested": ("unavailable", "deploying", "Deploy requested"),
              "deploying": ("unavailable", "deploying", "Deploy in progress"),
              "deploy_failed": ("error", "deploy_failed", "Deploy failed"),
              "updating": ("normal", "updating", "Version update in progress"),
              "update_done": ("normal", "updating", "Version update in progress"),
              "update_failed": ("normal", "update_failed", "Update failed. The master still runs %s." % c["version"]),
              "deleting": ("unavailable", "deleting", "Delete in progress"),
              "deleted": ("unavailable", "deleting", "Deleted"),
              "gone": ("unavailable", "deleting", "Deleted")}.get(p, ("normal", "deployed", "Ready"))
        st = {"requested": ("requested", "Cluster creation requested"),
              "deploying": ("deploying", "The master is being deployed"),
              "pending": ("pending", "Worker nodes are being provisioned"),
              "normal": ("normal", "All Workers Normal"),
              "deploy_failed": ("deploy_failed", "Could not deploy the master. Delete the cluster and create it again, "
                                "or open a support case."),
              "updating": ("updating", "Master update in progress"),
              "update_done": ("updating", "Master update in progress"),
              "update_failed": ("warning", "The master update failed. The master still runs %s." % c["version"]),
              "deleting": ("deleting", "Deleting the cluster"),
              "deleted": ("deleted", "The cluster is deleted"),
              "gone": ("deleted", "The cluster is deleted")}[p]
        mod = self.stamp(self.since(c)) if self.since(c) else o["modifiedDate"]
        o.update(state=st[0], status=st[1], masterHealth=ms[0], masterState=ms[1], masterStatus=ms[2],
                 modifiedDate=mod, masterStatusModifiedDate=mod)
        o["lifecycle"] = {"masterHealth": ms[0], "masterState": ms[1], "masterStatus": ms[2],
                          "masterStatusModifiedDate": mod, "modifiedDate": mod}
        if L["op"] == "update":
            o["masterKubeVersion"] = L["upd_to"] + " (pending)"
            o["targetVersion"] = L["upd_to"]
        if L["created"]:
            o.update(createdDate=self.stamp(L["t0"]),
                     workerZones=L["zones"], defaultWorkerPoolZones=L["zones"],
                     resourceGroup=L["rg"], resourceGroupName=L["rg_name"],
                     podSubnet=L["pod_subnet"] or o["podSubnet"],
                     serviceSubnet=L["service_subnet"] or o["serviceSubnet"])
            if p in ("requested", "deploying", "pending", "deploy_failed"):
                o["ingressHostname"] = o["ingressSecretName"] = ""
            if not L["public"]:
                o.update(publicServiceEndpointEnabled=False, publicServiceEndpointURL="",
                         serverURL="" if c["provider"] == "vpc-gen2" else c["priv_url"],
                         masterURL=c["priv_url"])
            if c["provider"] == "vpc-gen2":
                o["vpcs"] = [L["vpc_id"]]
            else:
                o["privateServiceEndpointEnabled"] = L["private"]
                if not L["private"]:
                    o["privateServiceEndpointURL"] = ""
        return o

    def v2_cluster(self, o):
        """The v2 getCluster layout of a v1 cluster object."""
        o = dict(o)
        for k in ("masterHealth", "masterState", "masterStatus", "masterStatusModifiedDate",
                  "modifiedDate", "serverURL", "apiUser", "dataCenter"):
            o.pop(k, None)
        o["ingress"] = {"hostname": o.pop("ingressHostname", ""), "secretName": o.pop("ingressSecretName", ""),
                        "status": "healthy" if o["state"] == "normal" else "", "message": ""}
        o["serviceEndpoints"] = {k: o.pop(k) for k in ("publicServiceEndpointEnabled", "publicServiceEndpointURL",
                                                       "privateServiceEndpointEnabled", "privateServiceEndpointURL")}
        o["features"] = {"keyProtectEnabled": o.pop("keyProtectEnabled", False),
                         "pullSecretApplied": o.pop("pullSecretApplied", True)}
        o["locationZones"] = o.get("workerZones", [])
        return o

    # ------------------------------------------------------------ workers
    def worker_state(self, p):
        return {"requested": ("provision_pending", ""),
                "deploying": ("provisioning", "Pending security group creation"),
                "pending": ("provisioning", "Pending security group creation"),
                "deploy_failed": ("provision_failed", "The master could not be deployed."),
                "deleting": ("deleting", ""), "deleted": ("deleted", ""),
                "gone": ("deleted", "")}.get(p, ("normal", "Ready"))

    def workers_v1(self, c, base=None):
        """v1 worker objects, from the per-cluster model of pools.py (`base`: a built-in's list)."""
        return self.pools.workers_v1(c, base)

    def workers_list(self, c, q):
        ws = self.emu.containers.workers(c)
        show_deleted = q.get("showDeleted", "").lower() == "true"
        if not show_deleted:
            ws = [w for w in ws if w["state"] != "deleted"]
        if q.get("pool"):
            ws = [w for w in ws if q["pool"] in (w["poolName"], w["poolid"])]
        return ws

    def v2_worker(self, c, w):
        return self.pools.v2_worker(c, w)

    # ------------------------------------------------------------ masters
    def master_gate(self, c):
        """A 503 while the master is not up (before deployed, after delete started)."""
        self.tick()
        p = self.phase(c)
        if p in ("requested", "deploying", "deploy_failed", "deleting", "deleted", "gone"):
            return self.h.kube_status(503, "ServiceUnavailable", "the server is currently unable to handle the request")
        return None

    def start_masters(self, c):
        """Binds the master listeners now (ports known at once); the CA and certificate are
        made in the background and the listeners wait for them."""
        emu, h = self.emu, self.h
        c["ready"] = threading.Event()
        pub = emu._serve(h.Server(emu, "master", None, c))
        priv = emu._serve(h.Server(emu, "master", None, c))
        c["servers"] = [pub, priv]
        c["pub_url"] = "https://127.0.0.1:%d" % pub.server_address[1]
        c["priv_url"] = "https://127.0.0.1:%d" % priv.server_address[1]

        def certs():
            try:
                h.set_cluster_certs(c, h.cluster_certs(emu.dir, c["id"], c["id"]))
                for s in (pub, priv):
                    s.ctx = h.master_ctx(c)
            finally:
                c["ready"].set()
        threading.Thread(target=certs, daemon=True).start()

    # ------------------------------------------------------------ requests
    def cs(self, req, method, path, q, body, acct, claims, fault):
        """Containers requests this module answers; None lets emulator.cs go on."""
        self.tick()
        with self.lock:
            if method == "POST" and path in CREATE_PATHS:
                return self.create(req, path, body, acct, fault)
            if path in pools.V2_PATHS:
                return self.pools.v2(method, path, q, body, acct, fault)
            if path.startswith("/v2/"):
                return self.v2(method, path, q, acct)
            parts = path.split("/")[3:]
            if not parts:
                return None
            key = urllib.parse.unquote(parts[0])
            mine = [c for c in self.emu.clusters if c["account"] == acct and key in (c["id"], c["name"])]
            if not mine:
                if [g for g in self.gone if g["account"] == acct and key in (g["id"], g["name"])]:
                    return self.gone_resp()
                return None
            c = mine[0]
            sub = "/".join(parts[1:])
            if method == "GET" and sub in ("", "workers"):
                b = self.blip(c)
                if b:
                    return b
            r = self.pools.v1(method, sub, c, q, body, fault)
            if r is not None:
                return r
            if sub == "" and method == "DELETE":
                return self.delete(req, c, q)
            if sub == "" and method == "PUT":
                return self.update(c, body)
            if sub == "workers" and method == "GET":
                return self.h.json_resp(200, self.workers_list(c, q), go=True)
            if sub in ("config", "config/admin") and method == "GET" and "ready" in c:
                c["ready"].wait(20)
            return None

    def blip(self, c):
        L = self.life(c)
        if L["blip"] > 0 and self.phase(c) != "normal":
            L["blip"] -= 1
            return self.err("A0006", incident="%s,%s" % (uuid.uuid4(), uuid.uuid4()))
        return None

    def create(self, req, path, body, acct, fault):
        vpc = path == "/v2/vpc/createCluster"
        try:
            want = validate(body, vpc)
            name = want["name"]
            if [c for c in self.emu.clusters if c["account"] == acct and c["name"] == name]:
                raise BadRequest("E0007")
            if len([c for c in self.emu.clusters if c["account"] == acct]) >= int(self.emu.cfg.get("quota", 100)):
                raise BadRequest("E60b6")
        except BadRequest as e:
            return self.err(e.code, *e.args_)
        c = self.new_cluster(req, want, acct)
        if fault and fault["kind"] == "create_500":
            d = float(fault.get("delay_ms", 0)) / 1000
            if d > 0:
                self.lock.release()         # do not hold up other requests while waiting
                try:
                    time.sleep(d)
                finally:
                    self.lock.acquire()
            return self.h.cs_error("A0002")
        return self.h.json_resp(201, {"clusterID": c["id"]} if vpc else {"id": c["id"]},
                                [("X-Request-Id", str(uuid.uuid4()))], go=True)

    def new_cluster(self, req, s, acct):
        emu = self.emu
        ids = {c["id"] for c in emu.clusters} | {g["id"] for g in self.gone}
        cid = self.h.rand_id(20)
        while cid in ids:
            cid = self.h.rand_id(20)
        self.seq += 1
        region = (VPC_ZONES if s["vpc"] else CLASSIC_ZONES)[s["zones"][0]]
        now = emu.clock.mono()
        rg = (req.headers.get("X-Auth-Resource-Group") or "").strip()
        mode = None
        for k in ("stuck", "deploy_failed"):
            if self.take_next(k):
                mode = k
        bf = self.take_next("blip_404")
        name8 = re.sub(r"[^a-z0-9]", "", s["name"].lower())[:8] or "cluster"
        base = 1 + secrets.randbelow(9000)
        workers = []
        for zi, z in enumerate(s["zones"]):
            for i in range(s["per_zone"]):
                n = len(workers)
                workers.append({"id": "kube-%s-%s-%s-%08d" % (cid, name8, s["pool_name"][:7], base + n),
                                "zone": z, "ip": "10.%d.%d.%d" % (100 + self.seq % 150, zi, 4 + i),
                                "pub_ip": "169.62.%d.%d" % (self.seq % 250, 10 + n)})
        c = {"id": cid, "name": s["name"], "type": s["type"], "provider": "vpc-gen2" if s["vpc"] else "classic",
             "region": region, "dc": s["zones"][0], "location": LOCATIONS[region], "version": s["version"],
             "account": acct}
        c["life"] = {"created": True, "t0": now, "step": float(emu.cfg["step_s"]), "mode": mode, "op": None,
                     "blip": int(bf.get("count", 1)) if bf else 0, "upd_failed": False, "workers": workers,
                     "zones": s["zones"], "flavor": s["flavor"], "pool_name": s["pool_name"],
                     "pool_id": "%s-%s" % (cid, secrets.token_hex(4)[:7]), "subnets": s.get("subnets", {}),
                     "vpc_id": s.get("vpc_id", ""), "public": s["public"], "private": s["private"],
                     "isolation": s.get("isolation", ""), "private_vlan": s.get("private_vlan", ""),
                     "public_vlan": s.get("public_vlan", ""), "pod_subnet": s["pod_subnet"],
                     "service_subnet": s["service_subnet"], "worker_version": s["version"],
                     "rg": rg or None, "rg_name": "default",
                     "x_region": req.headers.get("X-Region", ""), "orig_version": s["version"]}
        default_rg = hashlib.md5(acct.encode()).hexdigest()     # as cluster_obj's resourceGroup
        if not rg:
            c["life"]["rg"] = default_rg
        elif rg != default_rg:
            c["life"]["rg_name"] = "rg-" + rg[:8]       # invented: the emulator knows no group names
        self.start_masters(c)
        emu.clusters = emu.clusters + [c]
        return c

    def delete(self, req, c, q):
        L = self.life(c)
        dr = q.get("deleteResources")
        req.log_extra["deleteResources"] = dr
        if L["op"] != "delete":
            L.update(op="delete", t_op=self.emu.clock.mono(), op_step=float(self.emu.cfg["step_s"]),
                     delete_resources=dr)
        return self.h.Resp(204, b"", "application/json", [("X-Request-Id", str(uuid.uuid4()))])

    def update(self, c, body):
        try:
            d = parse(body)
            act = field(d, "action", "str", True)
            if act != "update":
                raise BadRequest("E0040", "the field 'action' must be 'update'.")
            v = field(d, "version", "str")
            field(d, "force", "bool")
            if v:
                typ, full = version(v, False)
                if typ != c["type"]:
                    raise BadRequest("E0153", v)
            else:
                full = default_version(c["type"])
            p = self.phase(c)
            if p not in ("normal", "update_failed"):
                raise BadRequest("E0121", {"update_done": "updating"}.get(p, p))
            if full == c["version"]:
                raise BadRequest("E0120")
        except BadRequest as e:
            return self.err(e.code, *e.args_)
        L = self.life(c)
        L.update(op="update", t_op=self.emu.clock.mono(), op_step=float(self.emu.cfg["step_s"]), upd_from=c["version"],
                 upd_to=full, upd_fail=bool(self.take_next("update_failed")), upd_failed=False)
        return self.h.Resp(204, b"", "application/json", [("X-Request-Id", str(uuid.uuid4()))])

    def v2(self, method, path, q, acct):
        if method != "GET":
            return self.h.cs_error("G0000")
        ops = {"/v2/getCluster": "cluster", "/v2/vpc/getCluster": "cluster", "/v2/classic/getCluster": "cluster",
               "/v2/getWorkers": "workers", "/v2/vpc/getWorkers": "workers", "/v2/classic/getWorkers": "workers"}
        op = ops.get(path)
        if not op:
            return self.h.cs_error("G0000")
        key = q.get("cluster", "")
        if not key:
            return self.err("E0040", "the query parameter 'cluster' is required.")
        mine = [c for c in self.emu.clusters if c["account"] == acct and key in (c["id"], c["name"])]
        if not mine:
            if [g for g in self.gone if g["account"] == acct and key in (g["id"], g["name"])]:
                return self.gone_resp()
            return self.h.cs_error("G0004")
        c = mine[0]
        b = self.blip(c)
        if b:
            return b
        if op == "cluster":
            o = self.emu.containers.cluster_obj(c)
            return self.h.json_resp(200, o if "v1-compatible" in q else self.v2_cluster(o), go=True)
        return self.h.json_resp(200, [self.v2_worker(c, w) for w in self.workers_list(c, q)], go=True)

    # ------------------------------------------------------------ control
    def control_clusters(self):
        self.tick()
        out = []
        with self.lock:
            for c in self.emu.clusters:
                L = self.life(c)
                p = self.phase(c)
                out.append({"id": c["id"], "name": c["name"], "state": {"update_done": "updating"}.get(p, p),
                            "created": self.stamp(L["t0"]) if L["created"] else "2024-08-15T01:57:11+0000",
                            "builtin": not L["created"], "provider": c["provider"], "type": c["type"],
                            "region": c["region"], "account": c["account"], "version": c["version"],
                            "resourceGroup": L.get("rg", ""), "xRegion": L.get("x_region", ""),
                            "mode": L["mode"], "blip": L["blip"],
                            "deleteResources": L.get("delete_resources"), **self.pools.control(c)})
            for g in self.gone:
                out.append({"id": g["id"], "name": g["name"], "state": "gone",
                            "created": self.stamp(g["created"]) if g["created"] else "2024-08-15T01:57:11+0000",
                            "builtin": not g["cluster"]["life"]["created"], "account": g["account"],
                            "gone_at": self.stamp(g["gone_at"]),
                            "deleteResources": g["cluster"]["life"].get("delete_resources")})
        return out

    def reset(self, clusters):
        """/control/reset: armed blips are cleared; with clusters, created clusters are removed
        and the built-in ones restored (undeleted, original version)."""
        with self.lock:
            for c in self.emu.clusters:
                self.life(c)["blip"] = 0
            if not clusters:
                return
            keep = []
            for c in self.emu.clusters + [g["cluster"] for g in self.gone]:
                L = self.life(c)
                if L["created"]:
                    self.stop_masters(c)
                    continue
                c["version"] = L["orig_version"]
                c.pop("pm", None)                   # its pools and workers as at start
                L.update(op=None, upd_failed=False, t_last=0)
                keep.append(c)
            order = {c["id"]: i for i, c in enumerate(self.emu.builtin)}
            self.emu.clusters = sorted(keep, key=lambda c: order.get(c["id"], 99))
            self.gone = []
