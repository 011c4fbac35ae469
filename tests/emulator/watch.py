"""Kubernetes watches on the emulator's masters: a list path with ?watch=true (or 1, or the
old /api/v1/watch/... form) answers 200, Transfer-Encoding chunked, one event per line
({"type":"ADDED","object":{...}}), each its own chunk, `watch_gap_s` apart, then the
terminating chunk; `timeoutSeconds=N` ends it after N s (as the API server does), a
BOOKMARK comes before the end when `allowWatchBookmarks=true`; config `watch_break` cuts
the last event in the middle and closes the connection (no terminating chunk).
httpd.Handler.stream_reply writes the steps this module yields.
"""
import time
import uuid

import pods
from httpd import Resp, jdump

CONFIG = {  # key: (default, parser); POST /control/config
    "watch_events": (3, lambda v: pods._nonneg(int(v))),
    "watch_gap_s": (1.0, lambda v: float(pods._nonneg(float(v)))),
    "watch_break": (False, lambda v: _bool(v)),
}
TYPES = ("ADDED", "MODIFIED", "DELETED")


def _bool(v):
    if not isinstance(v, bool):
        raise ValueError("true or false")
    return v


def watch_target(path, q):
    """The list path a request watches, or None if it is not a watch."""
    if path.startswith("/api/v1/watch/"):
        return "/api/v1/" + path[len("/api/v1/watch/"):]
    if q.get("watch") in ("true", "1"):
        return path
    return None


def kind_of(path, nss):
    """(kind, namespace) of a watchable list path, or None."""
    p = path.split("/")
    if len(p) == 4 and p[3] in ("pods", "namespaces", "nodes", "configmaps", "services"):
        return p[3], None
    if len(p) == 6 and p[3] == "namespaces" and p[4] in nss and p[5] in ("pods", "configmaps", "services"):
        return p[5], p[4]
    return None


def event_object(masters, c, kind, ns, k, typ, rv, nodes, npods):
    """The object of an event on the k-th watched object: a pod that is added (Pending),
    then running, then deleted; for the other kinds a new object of that kind."""
    if kind == "pods":
        o = pods.pod(npods + k, nodes, c["id"])
        o["metadata"]["namespace"] = ns or o["metadata"]["namespace"]
        if typ == "ADDED":
            st = o["status"]
            o["status"] = {"phase": "Pending", "conditions": [st["conditions"][-1]], "qosClass": st["qosClass"]}
        elif typ == "DELETED":
            o["metadata"]["deletionTimestamp"] = o["metadata"]["creationTimestamp"]
            o["metadata"]["deletionGracePeriodSeconds"] = 30
        o = dict({"kind": "Pod", "apiVersion": "v1"}, **o)
    else:
        name = "watch-%d" % k
        K = {"namespaces": "Namespace", "nodes": "Node", "configmaps": "ConfigMap", "services": "Service"}[kind]
        if kind == "nodes":
            name = "10.240.9.%d" % (10 + k % 240)
        nsd = None if kind in ("namespaces", "nodes") else (ns or "default")
        o = masters.k8s_obj(K, name, nsd, {"phase": "Terminating" if typ == "DELETED" else "Active"}
                            if kind == "namespaces" else {})
        if kind == "configmaps":
            o.pop("spec")
            o.pop("status")
            o["data"] = {"revision": str(rv)}
    o["metadata"]["resourceVersion"] = str(rv)
    return o


def route(masters, req, method, path, q, c, nss, table):
    """master.py's hook: a watch, or a pod list; None for anything else."""
    if method not in ("GET", "HEAD"):
        return None
    target = watch_target(path, q)
    if target is not None and method == "GET":
        return serve(masters, req, c, target, q, nss)
    p = path.split("/")
    if path == "/api/v1/pods" or (len(p) == 6 and p[3] == "namespaces" and p[4] in nss and p[5] == "pods"):
        return masters.pods.serve(masters, req, c, path, table)
    return None


def serve(masters, req, c, path, q, nss):
    """The answer to a watch of list path `path`, or None if it is not watchable."""
    emu = masters.emu
    ko = kind_of(path, nss)
    if ko is None:
        return None
    kind, ns = ko
    tmo = q.get("timeoutSeconds")
    if tmo is not None:
        try:
            tmo = int(tmo)
            if tmo < 0:
                raise ValueError
        except ValueError:
            from master import kube_status
            return kube_status(400, "BadRequest", 'invalid value for timeoutSeconds: "%s"' % q["timeoutSeconds"])
    cfg = emu.cfg
    nev, gap, brk = cfg["watch_events"], cfg["watch_gap_s"], cfg["watch_break"]
    bookmarks = q.get("allowWatchBookmarks") in ("true", "1")
    nodes = [w["privateIP"] for w in emu.containers.workers(c)]
    npods = cfg["pods"]
    try:
        rv0 = int(q.get("resourceVersion") or 0)
    except ValueError:
        rv0 = 0
    rv0 = max(rv0, 300000)

    def steps():
        t0 = time.monotonic()
        deadline = t0 + tmo if tmo else None
        rv = rv0
        for j in range(nev):
            if j:
                if deadline is not None and time.monotonic() + gap >= deadline:
                    break
                yield ("wait", gap)
            rv += 1
            typ = TYPES[j % 3]
            line = jdump({"type": typ, "object": event_object(masters, c, kind, ns, j // 3, typ, rv, nodes,
                                                               npods)}).encode() + b"\n"
            if brk and j == nev - 1:
                yield ("break", line[:len(line) // 2], len(line))
                return
            yield ("chunk", line, {"type": typ, "resourceVersion": str(rv)})
        if bookmarks:
            K = {"pods": "Pod", "namespaces": "Namespace", "nodes": "Node", "configmaps": "ConfigMap",
                 "services": "Service"}[kind]
            line = jdump({"type": "BOOKMARK", "object": {"kind": K, "apiVersion": "v1",
                                                         "metadata": {"resourceVersion": str(rv)}}}).encode() + b"\n"
            yield ("chunk", line, {"type": "BOOKMARK", "resourceVersion": str(rv)})
        if deadline is not None:
            left = deadline - time.monotonic()
            if left > 0:
                yield ("wait", left)
            yield ("end", "timeout")

    r = Resp(200, b"", "application/json", [("Audit-Id", str(uuid.uuid4())), ("Cache-Control", "no-cache, private")])
    r.stream = steps()
    return r
