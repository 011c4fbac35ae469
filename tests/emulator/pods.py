"""Pods on the emulator's masters: realistic Pod objects as the API server writes them
(compact JSON, managedFields, calico annotations, IKS tolerations), the PodList of
GET /api/v1/pods and /api/v1/namespaces/{ns}/pods (config `pods`: how many), built once
per shape and cached as bytes, sent chunked (one chunk per item, as the API server's
streaming list encoder does); and the over-limit items (config `big_item_at`,
`huge_item_at`) for the pod list and the containers' /v1/clusters list.

Names are predictable: pod_name(i) for i in range(pods), unique by construction (the
5-character suffix encodes i in the Kubernetes name alphabet).
"""
import hashlib
import json
import threading
import uuid

from httpd import Resp, jdump

DEFAULT_PODS = 8                 # the kube-system handful
ALPHABET = "bcdfghjklmnpqrstvwxz2456789"     # the one k8s uses for generated names
SYSTEM = [  # (name prefix, namespace, app label, image, owner kind, owner name)
    ("coredns-6d8f9c7b5-", "kube-system", "coredns", "icr.io/ext/coredns/coredns:1.11.3", "ReplicaSet", "coredns-6d8f9c7b5"),
    ("coredns-6d8f9c7b5-", "kube-system", "coredns", "icr.io/ext/coredns/coredns:1.11.3", "ReplicaSet", "coredns-6d8f9c7b5"),
    ("calico-node-", "kube-system", "calico-node", "icr.io/ext/calico/node:v3.28.1", "DaemonSet", "calico-node"),
    ("calico-node-", "kube-system", "calico-node", "icr.io/ext/calico/node:v3.28.1", "DaemonSet", "calico-node"),
    ("calico-node-", "kube-system", "calico-node", "icr.io/ext/calico/node:v3.28.1", "DaemonSet", "calico-node"),
    ("calico-kube-controllers-59b4d8f6c-", "kube-system", "calico-kube-controllers",
     "icr.io/ext/calico/kube-controllers:v3.28.1", "ReplicaSet", "calico-kube-controllers-59b4d8f6c"),
    ("metrics-server-7c5f5d9b8-", "kube-system", "metrics-server",
     "icr.io/ext/metrics-server/metrics-server:v0.7.1", "ReplicaSet", "metrics-server-7c5f5d9b8"),
    ("konnectivity-agent-", "kube-system", "konnectivity-agent",
     "icr.io/ext/kas-network-proxy/proxy-agent:v0.30.3", "DaemonSet", "konnectivity-agent"),
]
APP_NAMESPACES = ["default", "shop", "payments", "search", "batch", "monitoring"]
REPLICAS = 25
CONFIG = {  # key: (default, parser); POST /control/config
    "pods": (DEFAULT_PODS, lambda v: _nonneg(int(v))),
    "big_item_at": (None, lambda v: None if v is None else _nonneg(int(v))),
    "big_item_tokens": (300000, lambda v: _nonneg(int(v))),
    "huge_item_at": (None, lambda v: None if v is None else _nonneg(int(v))),
    "huge_item_bytes": (9 * 1024 * 1024, lambda v: _nonneg(int(v))),
}
T0 = "2024-08-15T02:10:00Z"


def _nonneg(n):
    if n < 0:
        raise ValueError("must be >= 0")
    return n


def suffix(i, n=5):
    """i (< 27**5) as 5 letters of the name alphabet, scrambled (a bijection: 7368787 is prime
    to 27), so that names look generated yet stay unique."""
    i = (i * 7368787 + 1234567) % 27 ** n
    s = ""
    for _ in range(n):
        s = ALPHABET[i % 27] + s
        i //= 27
    return s


def hx(*parts):
    return hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()


def uid(*parts):
    return str(uuid.UUID(hashlib.md5("/".join(str(p) for p in parts).encode()).hexdigest()))


def app_of(i):
    """(prefix, namespace, app, image, owner kind, owner name) of pod i."""
    if i < len(SYSTEM):
        return SYSTEM[i]
    d = (i - len(SYSTEM)) // REPLICAS
    app = "app-%03d" % d
    rs = "%s-%s" % (app, "".join(ALPHABET[int(c, 16) % 27] for c in hx("rs", app)[:10]))
    return (rs + "-", APP_NAMESPACES[d % len(APP_NAMESPACES)], app,
            "icr.io/%s/%s:1.%d.%d" % (APP_NAMESPACES[d % len(APP_NAMESPACES)], app, d % 7, d % 13),
            "ReplicaSet", rs)


def pod_name(i):
    return app_of(i)[0] + suffix(i)


def pod_names(n):
    return [pod_name(i) for i in range(n)]


def pod(i, nodes, cid):
    """Pod i of the cluster (a dict without kind/apiVersion, as in a list's items)."""
    prefix, ns, app, image, okind, oname = app_of(i)
    name = prefix + suffix(i)
    node = nodes[i % len(nodes)] if nodes else "10.240.0.4"
    ds = okind == "DaemonSet"
    ip = node if app == "calico-node" else "172.30.%d.%d" % ((i // 250) % 256, 2 + i % 250)
    cont_id = hx("c", cid, name)
    t = "2024-08-%02dT%02d:%02d:%02dZ" % (15 + i % 14, i % 24, i % 60, (i * 7) % 60)
    labels = {"app": app, "k8s-app": app} if ns == "kube-system" else {"app": app, "version": image.rsplit(":", 1)[1]}
    if ds:
        labels.update({"controller-revision-hash": "7f9c8d6b5", "pod-template-generation": "1"})
    else:
        labels["pod-template-hash"] = oname.rsplit("-", 1)[1]
    sa = app if ns == "kube-system" else "default"
    vol = "kube-api-access-" + suffix(i * 31 + 7)
    port = {"coredns": 53, "metrics-server": 10250}.get(app, 8080)
    cpu_req, mem_req = "%dm" % (50 + 50 * (i % 4)), "%dMi" % (64 * (1 + i % 4))
    md = {"name": name, "generateName": prefix, "namespace": ns, "uid": uid("pod", cid, name),
          "resourceVersion": str(200000 + i * 3), "creationTimestamp": t, "labels": labels,
          "annotations": {"cni.projectcalico.org/containerID": hx("sandbox", cid, name),
                          "cni.projectcalico.org/podIP": ip + "/32", "cni.projectcalico.org/podIPs": ip + "/32",
                          "kubectl.kubernetes.io/restartedAt": "2024-08-14T18:00:00Z"},
          "ownerReferences": [{"apiVersion": "apps/v1", "kind": okind, "name": oname, "uid": uid(okind, cid, oname),
                               "controller": True, "blockOwnerDeletion": True}],
          "managedFields": [
              {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "time": t,
               "fieldsType": "FieldsV1", "fieldsV1": {
                   "f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}},
                                  "f:ownerReferences": {".": {}, 'k:{"uid":"%s"}' % uid(okind, cid, oname): {}}},
                   "f:spec": {"f:containers": {'k:{"name":"%s"}' % app: {
                       ".": {}, "f:env": {".": {}}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {},
                       "f:ports": {".": {}, 'k:{"containerPort":%d,"protocol":"TCP"}' % port: {".": {}}},
                       "f:resources": {".": {}, "f:limits": {}, "f:requests": {}}, "f:terminationMessagePath": {},
                       "f:terminationMessagePolicy": {}}},
                       "f:dnsPolicy": {}, "f:enableServiceLinks": {}, "f:restartPolicy": {}, "f:schedulerName": {},
                       "f:securityContext": {}, "f:terminationGracePeriodSeconds": {}}}},
              {"manager": "calico", "operation": "Update", "apiVersion": "v1", "time": t, "fieldsType": "FieldsV1",
               "fieldsV1": {"f:metadata": {"f:annotations": {"f:cni.projectcalico.org/containerID": {},
                                                             "f:cni.projectcalico.org/podIP": {},
                                                             "f:cni.projectcalico.org/podIPs": {}}}},
               "subresource": "status"},
              {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": t, "fieldsType": "FieldsV1",
               "fieldsV1": {"f:status": {"f:conditions": {'k:{"type":"Ready"}': {".": {}, "f:status": {}}},
                                         "f:containerStatuses": {}, "f:hostIP": {}, "f:phase": {}, "f:podIP": {},
                                         "f:podIPs": {}, "f:startTime": {}}},
               "subresource": "status"}]}
    container = {
        "name": app, "image": image,
        "ports": [{"name": "dns" if app == "coredns" else "http", "containerPort": port, "protocol": "TCP"}],
        "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
                {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}},
                {"name": "LOG_LEVEL", "value": "info"}],
        "resources": {"limits": {"cpu": "500m", "memory": "512Mi"}, "requests": {"cpu": cpu_req, "memory": mem_req}},
        "volumeMounts": [{"name": vol, "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}],
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": port, "scheme": "HTTP"}, "initialDelaySeconds": 10,
                          "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": port, "scheme": "HTTP"}, "timeoutSeconds": 1,
                           "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent"}
    spec = {
        "volumes": [{"name": vol, "projected": {"sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}],
            "defaultMode": 420}}],
        "containers": [container], "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
        "dnsPolicy": "ClusterFirst", "serviceAccountName": sa, "serviceAccount": sa, "nodeName": node,
        "securityContext": {}, "imagePullSecrets": [{"name": "all-icr-io"}], "schedulerName": "default-scheduler",
        "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                         "tolerationSeconds": 600},
                        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
                         "tolerationSeconds": 600}],
        "priority": 2000000000 if ns == "kube-system" else 0, "enableServiceLinks": True,
        "preemptionPolicy": "PreemptLowerPriority"}
    if ns == "kube-system":
        spec["priorityClassName"] = "system-node-critical" if ds else "system-cluster-critical"
    if app == "calico-node":
        spec["hostNetwork"] = True
    cond = lambda ty: {"type": ty, "status": "True", "lastProbeTime": None, "lastTransitionTime": t}
    status = {
        "phase": "Running",
        "conditions": [cond(ty) for ty in ("PodReadyToStartContainers", "Initialized", "Ready",
                                           "ContainersReady", "PodScheduled")],
        "hostIP": node, "hostIPs": [{"ip": node}], "podIP": ip, "podIPs": [{"ip": ip}], "startTime": t,
        "containerStatuses": [{"name": app, "state": {"running": {"startedAt": t}}, "lastState": {}, "ready": True,
                               "restartCount": i % 3, "image": image,
                               "imageID": "%s@sha256:%s" % (image.rsplit(":", 1)[0], hx("img", image)),
                               "containerID": "containerd://" + cont_id, "started": True}],
        "qosClass": "Burstable"}
    return {"metadata": md, "spec": spec, "status": status}


def oversize(cfg, i, obj, kind):
    """obj (item i of a list) made over a client's per-element limits if the config asks:
    big_item_at: an array of big_item_tokens strings; huge_item_at: a string of
    huge_item_bytes bytes. Returns obj itself when nothing applies."""
    big, huge = cfg.get("big_item_at"), cfg.get("huge_item_at")
    if i not in (big, huge):
        return obj
    obj = dict(obj)
    if i == big:
        n = cfg.get("big_item_tokens", 300000)
        if kind == "pod":           # a container with that many args
            spec = dict(obj["spec"])
            c = dict(spec["containers"][0], args=[str(k % 1000) for k in range(n)])
            obj["spec"] = dict(spec, containers=[c] + spec["containers"][1:])
        else:                       # a cluster with that many worker zones
            obj["workerZones"] = [obj.get("dataCenter", "dal10")] * n
    if i == huge:
        n = cfg.get("huge_item_bytes", 9 * 1024 * 1024)
        if kind == "pod":           # the classic oversized annotation
            md = dict(obj["metadata"])
            md["annotations"] = dict(md["annotations"], **{
                "kubectl.kubernetes.io/last-applied-configuration": "A" * n})
            obj["metadata"] = md
        else:
            obj["status"] = "All Workers Normal " + "A" * n
    return obj


def oversize_list(cfg, objs, kind):
    if cfg.get("big_item_at") is None and cfg.get("huge_item_at") is None:
        return objs
    return [oversize(cfg, i, o, kind) for i, o in enumerate(objs)]


class PodLists:
    """The cluster's pods and the list bytes, cached per shape (a few shapes kept)."""

    def __init__(self, emu):
        self.emu = emu
        self.lock = threading.Lock()
        self.cache = {}          # key -> the list's bytes in pieces (head, items, tail)

    def namespaces(self):
        """The namespaces the pods live in (the app ones appear with pods beyond SYSTEM)."""
        n = self.emu.cfg["pods"]
        apps = (n - len(SYSTEM) + REPLICAS - 1) // REPLICAS if n > len(SYSTEM) else 0
        return {"kube-system"} | set(APP_NAMESPACES[:min(apps, len(APP_NAMESPACES))])

    def items(self, c, n, nodes, ns=None):
        out = [(i, pod(i, nodes, c["id"])) for i in range(n)]
        return [(i, p) for i, p in out if ns is None or p["metadata"]["namespace"] == ns]

    def list_parts(self, c, ns, nodes):
        cfg = self.emu.cfg
        n = cfg["pods"]
        key = (c["id"], ns, tuple(nodes), n, cfg.get("big_item_at"), cfg.get("big_item_tokens"),
               cfg.get("huge_item_at"), cfg.get("huge_item_bytes"))
        with self.lock:
            hit = self.cache.get(key)
            if hit:
                return hit
            head = b'{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"%d"},"items":[' % (
                200000 + 3 * n)
            parts = [head]
            for k, (i, p) in enumerate(self.items(c, n, nodes, ns)):
                item = jdump(oversize(cfg, k, p, "pod")).encode()
                parts.append(item if k == 0 else b"," + item)
            parts.append(b"]}\n")
            hit = parts
            if len(self.cache) >= 4:
                self.cache.pop(next(iter(self.cache)))
            self.cache[key] = hit
            return hit

    def serve(self, masters, req, c, path, table):
        """GET /api/v1/pods or /api/v1/namespaces/{ns}/pods (ns checked by the caller)."""
        ns = None if path == "/api/v1/pods" else path.split("/")[4]
        nodes = [w["privateIP"] for w in self.emu.containers.workers(c)]
        if table:
            objs = [p for _, p in self.items(c, self.emu.cfg["pods"], nodes, ns)]
            return masters.k8s_list("PodList", objs, True, "Status", lambda o: o["status"]["phase"])
        parts = self.list_parts(c, ns, nodes)
        body = b"".join(parts)
        r = Resp(200, body, "application/json", obj=json.loads(body) if len(body) < 1 << 20 else None)
        r.parts = parts          # httpd sends them as chunks (as the API server does)
        return r
