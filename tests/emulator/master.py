"""The Kubernetes masters of the emulator: a public and a private listener per cluster
answering /version, the health checks, discovery, namespaces, nodes and pods (pods.py;
as Tables when kubectl asks) and watches (watch.py) to a valid id_token with aud kube for
the cluster's account, and Kubernetes' Status error body. lifecycle.py gates them while a cluster is not up."""
import hashlib
import uuid

import kube_write
import pods
import watch
from httpd import Resp, json_resp


def kube_status(code, reason, message):
    return json_resp(code, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                            "status": "Failure", "message": message, "reason": reason, "code": code})


def admin_cert(req):
    """1 if the client showed the cluster's admin certificate (verified by the TLS layer
    against the cluster's CA: CN admin, O system:masters)."""
    try:
        peer = req.connection.getpeercert()
    except (AttributeError, ValueError):
        return False
    subj = dict(x[0] for x in (peer or {}).get("subject", ()))
    return subj.get("commonName") == "admin" and subj.get("organizationName") == "system:masters"


class Masters:
    def __init__(self, emu):
        self.emu = emu
        self.pods = pods.PodLists(emu)

    def serve(self, req, method, path, q, body, fault=None):
        cluster = req.server.cluster
        gate = self.emu.lc.master_gate(cluster)        # 503 while not deployed or once deleted
        if gate:
            return gate
        c = cluster
        if not admin_cert(req):
            claims = self.emu.iam.bearer(req, need_aud="kube")
            if not claims:
                return kube_status(401, "Unauthorized", "Unauthorized")
            user = claims.get("sub_" + c["account"])
        else:
            claims, user = {}, "admin"
        if not user:
            return kube_status(403, "Forbidden", 'User "%s" cannot access cluster %s: the token is not '
                               'valid for account %s' % (claims.get("sub"), c["id"], c["account"]))
        path = path.rstrip("/") or "/"
        ver = c["version"].split("_")[0]
        if c["type"] == "openshift":
            kv = {"4.15": "1.28.11", "4.14": "1.27.14"}.get(".".join(ver.split(".")[:2]), "1.28.11")
        else:
            kv = ver
        major, minor = kv.split(".")[:2]
        if path == "/version":
            return json_resp(200, {"major": major, "minor": minor, "gitVersion": "v%s+IKS" % kv,
                                   "gitCommit": hashlib.sha1(kv.encode()).hexdigest(), "gitTreeState": "clean",
                                   "buildDate": "2024-08-20T10:08:03Z", "goVersion": "go1.22.5",
                                   "compiler": "gc", "platform": "linux/amd64"})
        if path in ("/healthz", "/livez", "/readyz"):
            return Resp(200, b"ok", "text/plain; charset=utf-8")
        if path == "/api":
            return json_resp(200, {"kind": "APIVersions", "versions": ["v1"],
                                   "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                                   "serverAddress": "172.20.0.1:2040"}]})
        if path == "/apis":
            return json_resp(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": []})
        if path == "/api/v1":
            res = [("namespaces", "namespace", False, "Namespace", ["ns"]),
                   ("nodes", "node", False, "Node", ["no"]),
                   ("pods", "pod", True, "Pod", ["po"]),
                   ("services", "service", True, "Service", ["svc"]),
                   ("configmaps", "configmap", True, "ConfigMap", ["cm"])]
            return json_resp(200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "v1",
                                   "resources": [{"name": n, "singularName": s, "namespaced": ns, "kind": k,
                                                  "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
                                                  "shortNames": sh} for n, s, ns, k, sh in res]})
        nss = ["default", "ibm-cert-store", "ibm-operators", "ibm-system", "kube-node-lease", "kube-public", "kube-system"]
        nss = sorted(set(nss) | self.pods.namespaces())       # those of the app pods (config pods)
        table = "as=Table" in req.headers.get("Accept", "")
        r = watch.route(self, req, method, path, q, c, nss, table)     # pods lists, watches
        if r is not None:
            return r
        if path == "/api/v1/namespaces":
            items = [self.k8s_obj("Namespace", n, None, {"phase": "Active"}) for n in nss]
            return self.k8s_list("NamespaceList", items, table, "Status", lambda o: o["status"]["phase"])
        if path.startswith("/api/v1/namespaces/"):
            parts = path.split("/")[4:]
            if parts[0] not in nss:
                return kube_status(404, "NotFound", 'namespaces "%s" not found' % parts[0])
            if len(parts) in (2, 3) and parts[1] == "configmaps" and method in kube_write.METHODS:
                return kube_write.serve(self, req, method, parts, q, body)     # POST/PUT/PATCH
            if len(parts) == 1:
                return json_resp(200, dict(self.k8s_obj("Namespace", parts[0], None, {"phase": "Active"}),
                                           apiVersion="v1"))
            if len(parts) == 2 and parts[1] in ("pods", "services", "configmaps"):
                kind = {"pods": "PodList", "services": "ServiceList", "configmaps": "ConfigMapList"}[parts[1]]
                items = []
                if parts[1] == "services" and parts[0] == "default":
                    items = [self.k8s_obj("Service", "kubernetes", "default", {"loadBalancer": {}})]
                return self.k8s_list(kind, items, table, "Status", lambda o: "")
            return kube_status(404, "NotFound", "the server could not find the requested resource")
        if path == "/api/v1/nodes":
            items = [self.k8s_obj("Node", w["privateIP"], None, {"nodeInfo": {"kubeletVersion": "v" + kv}})
                     for w in self.emu.containers.workers(c)]
            return self.k8s_list("NodeList", items, table, "Status", lambda o: "Ready")
        return kube_status(404, "NotFound", "the server could not find the requested resource")

    def k8s_obj(self, kind, name, ns, status):
        md = {"name": name, "uid": str(uuid.UUID(hashlib.md5((kind + name).encode()).hexdigest())),
              "resourceVersion": "%d" % (1000 + len(name)), "creationTimestamp": "2024-08-15T02:10:00Z"}
        if ns:
            md["namespace"] = ns
        return {"kind": kind, "apiVersion": "v1", "metadata": md, "spec": {}, "status": status}

    def k8s_list(self, kind, items, table, col, colfn):
        if not table:
            return json_resp(200, {"kind": kind, "apiVersion": "v1",
                                   "metadata": {"resourceVersion": "123456"},
                                   "items": [{k: v for k, v in o.items() if k not in ("kind", "apiVersion")}
                                             for o in items]})
        rows = [{"cells": [o["metadata"]["name"], colfn(o), "30d"],
                 "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                            "metadata": o["metadata"]}} for o in items]
        return json_resp(200, {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
                               "metadata": {"resourceVersion": "123456"},
                               "columnDefinitions": [
                                   {"name": "Name", "type": "string", "format": "name", "description": "Name", "priority": 0},
                                   {"name": col, "type": "string", "format": "", "description": col, "priority": 0},
                                   {"name": "Age", "type": "string", "format": "", "description": "Age", "priority": 0}],
                               "rows": rows})
