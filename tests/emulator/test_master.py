#!/usr/bin/env python3
"""Checks the emulator's Kubernetes masters for answers of any size and watches (pods.py,
watch.py, httpd.py's streaming): the default kube-system pods, a 5 000-pod list (>= 20 MB,
chunked, valid JSON, every predictable name once, realistic Pod fields, cached), the
over-limit items (big_item_at, huge_item_at) in the pod list and /v1/clusters, and the
watches: events one chunk each, watch_gap_s apart (timed as the chunks arrive), the
terminating chunk, timeoutSeconds, watch_break (no terminating chunk), BOOKMARK, every
watchable kind, a client that goes away, the log; the admin config zip and its client
certificate.  Prints one line per check and, last,
`N passed, N failed`; exits non-zero on failure.  Usage: python3 tests/emulator/test_master.py
"""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lifetest import *  # noqa: E402,F401,F403
import pods  # noqa: E402


def setup_master():
    """The master URL, CA file and id_token of EMU_CLUSTER, from its config zip."""
    apikey_token()
    cid = ENV["EMU_CLUSTER_ID"]
    r = cs("GET", "/v1/clusters/%s/config" % cid)
    eq(r.status, 200, "config zip")
    z = zipfile.ZipFile(io.BytesIO(r.body))
    ca = [n for n in z.namelist() if os.path.basename(n).startswith("ca-")][0]
    yml = z.read([n for n in z.namelist() if n.endswith(".yml")][0]).decode()
    S["ca"] = os.path.join(TMP, "master-ca.pem")
    with open(S["ca"], "wb") as f:
        f.write(z.read(ca))
    S["idt"] = re.search(r"id-token: (\S+)", yml).group(1)
    S["url"] = re.search(r"server: (\S+)", yml).group(1)
    S["ctx"] = ssl.create_default_context(cafile=S["ca"])


def kube(path, accept=None):
    h = {"Authorization": "Bearer " + S["idt"]}
    if accept:
        h["Accept"] = accept
    return http("GET", S["url"] + path, headers=h, ctx=S["ctx"], timeout=60)


class Stream:
    """A raw HTTP/1.1 GET read chunk by chunk, each chunk timed as it arrives."""

    def __init__(self, path, timeout=20, keep_open=False):
        host, port = urllib.parse.urlsplit(S["url"]).netloc.rsplit(":", 1)
        self.t0 = time.monotonic()
        raw_sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.sock = S["ctx"].wrap_socket(raw_sock, server_hostname=host)
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: %s:%s\r\nAuthorization: Bearer %s\r\n"
                           "Accept: application/json\r\nConnection: close\r\n\r\n"
                           % (path, host, port, S["idt"])).encode())
        self.f = self.sock.makefile("rb")
        line = self.f.readline()
        self.status = int(line.split()[1])
        self.headers = {}
        while True:
            line = self.f.readline().decode().strip()
            if not line:
                break
            k, _, v = line.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        self.chunks, self.ended, self.cut = [], False, False

    def read_all(self):
        """Reads chunks to the terminating one (ended) or to EOF (cut: the last chunk short)."""
        try:
            while True:
                size_line = self.f.readline()
                if not size_line:
                    return self
                size = int(size_line.split(b";")[0].strip(), 16)
                if size == 0:
                    self.f.readline()
                    self.ended = True
                    return self
                data = self.f.read(size)
                t = time.monotonic() - self.t0
                if len(data) < size:
                    self.cut = True
                    self.chunks.append((t, data))
                    return self
                self.f.read(2)
                self.chunks.append((t, data))
        except (OSError, ssl.SSLError):
            self.cut = True
            return self
        finally:
            self.elapsed = time.monotonic() - self.t0
            self.f.close()
            self.sock.close()

    def one_chunk(self):
        size = int(self.f.readline().split(b";")[0].strip(), 16)
        data = self.f.read(size)
        self.f.read(2)
        return data


def events(st):
    out = []
    for _, c in st.chunks:
        check(c.endswith(b"\n") and c.count(b"\n") == 1, "one event per chunk, one line: %r" % c[:120])
        out.append(json.loads(c))
    return out


# ---------------------------------------------------------------- pod lists

@test
def a_default_pods():
    setup_master()
    r = kube("/api/v1/pods")
    eq(r.status, 200, "pods (%s)" % r.body[:200])
    b = r.json()
    eq((b["kind"], b["apiVersion"]), ("PodList", "v1"), "kind")
    check(b["metadata"]["resourceVersion"], "list resourceVersion")
    eq(len(b["items"]), pods.DEFAULT_PODS, "the default handful")
    eq({p["metadata"]["namespace"] for p in b["items"]}, {"kube-system"}, "all in kube-system")
    eq([p["metadata"]["name"] for p in b["items"]], pods.pod_names(pods.DEFAULT_PODS), "predictable names")
    eq(len(kube("/api/v1/namespaces/kube-system/pods").json()["items"]), pods.DEFAULT_PODS, "kube-system pods")
    eq(kube("/api/v1/namespaces/default/pods").json()["items"], [], "no pods in default")
    eq(kube("/api/v1/namespaces/nope/pods").status, 404, "unknown namespace")
    t = kube("/api/v1/pods", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json").json()
    eq((t["kind"], len(t["rows"]), t["rows"][0]["cells"][1]), ("Table", pods.DEFAULT_PODS, "Running"), "Table")
    fault(service="master", path="/api/v1/pods", kind="many_tokens", tokens=1000)
    eq(len(kube("/api/v1/pods").json()["emulator_padding"]), 1000, "many_tokens on a small pod list")
    fault(service="master", path="/api/v1/pods", kind="chunked")
    r = kube("/api/v1/pods")
    eq((r.headers.get("transfer-encoding"), len(r.json()["items"])), ("chunked", 8), "chunked fault")
    fault(service="master", path="/api/v1/pods", kind="truncate")
    try:
        kube("/api/v1/pods")
        raise AssertionError("a truncated list must fail")
    except AssertionError:
        raise
    except Exception:
        pass
    nodes = {n["metadata"]["name"] for n in kube("/api/v1/nodes").json()["items"]}
    check({p["spec"]["nodeName"] for p in b["items"]} <= nodes, "pods on the cluster's nodes")


@test
def b_pod_fields():
    p = kube("/api/v1/pods").json()["items"][0]
    md, sp, st = p["metadata"], p["spec"], p["status"]
    for k in ("name", "generateName", "namespace", "uid", "resourceVersion", "creationTimestamp", "labels",
              "annotations", "ownerReferences", "managedFields"):
        check(k in md, "metadata.%s" % k)
    check("kind" not in p and "apiVersion" not in p, "list items without kind/apiVersion")
    eq(md["ownerReferences"][0]["controller"], True, "ownerReferences controller")
    c = sp["containers"][0]
    for k in ("name", "image", "ports", "resources", "env", "volumeMounts", "imagePullPolicy"):
        check(k in c, "container %s" % k)
    check(sp["nodeName"] and sp["tolerations"] and sp["volumes"], "spec nodeName, tolerations, volumes")
    eq(st["phase"], "Running", "phase")
    for k in ("conditions", "podIP", "podIPs", "hostIP", "startTime", "containerStatuses", "qosClass"):
        check(k in st, "status.%s" % k)
    check(st["containerStatuses"][0]["containerID"].startswith("containerd://"), "containerID")


@test
def c_pod_list_5000():
    config(pods=5000)
    t0 = time.monotonic()
    st = Stream("/api/v1/pods", timeout=60).read_all()
    first = time.monotonic() - t0
    eq(st.status, 200, "status")
    eq(st.headers.get("transfer-encoding"), "chunked", "sent chunked, as the API server does")
    check("content-length" not in st.headers, "no Content-Length")
    check(st.ended, "terminating chunk")
    check(len(st.chunks) > 5000, "one chunk per item (%d chunks)" % len(st.chunks))
    body = b"".join(c for _, c in st.chunks)
    check(len(body) >= 20 * 1000 * 1000, "at least 20 MB (%d bytes)" % len(body))
    b = json.loads(body)
    names = [p["metadata"]["name"] for p in b["items"]]
    eq(len(names), 5000, "5000 items")
    eq(len(set(names)), 5000, "names unique")
    eq(names, pods.pod_names(5000), "every predictable name, in order")
    check(len({p["metadata"]["uid"] for p in b["items"]}) == 5000, "uids unique")
    check(len({p["metadata"]["namespace"] for p in b["items"]}) > 3, "several namespaces")
    t0 = time.monotonic()
    r = kube("/api/v1/pods")
    again = time.monotonic() - t0
    eq(r.body, body, "the same bytes again")
    check(again < 3, "cached: %.2f s (first %.2f s)" % (again, first))
    ns = kube("/api/v1/namespaces/shop/pods").json()["items"]
    check(ns and {p["metadata"]["namespace"] for p in ns} == {"shop"}, "namespace filter")
    print("  (%d bytes; first %.2f s, again %.2f s)" % (len(body), first, again))
    config(pods=pods.DEFAULT_PODS)


@test
def d_big_item():
    config(pods=20, big_item_at=3)
    b = kube("/api/v1/pods").json()
    args = b["items"][3]["spec"]["containers"][0]["args"]
    check(len(args) > 262144, "item 3 has over 262 144 tokens (%d args)" % len(args))
    check(all("args" not in p["spec"]["containers"][0] for i, p in enumerate(b["items"]) if i != 3), "only item 3")
    c = cs("GET", "/v1/clusters").json()
    eq(len(c), 3, "account 1's three clusters: index 3 absent, nothing changed")
    config(big_item_at=1, big_item_tokens=270000)
    c = cs("GET", "/v1/clusters").json()
    eq(len(c[1]["workerZones"]), 270000, "cluster list item 1: big_item_tokens zones")
    eq(len(c[0]["workerZones"]), 1, "cluster item 0 untouched")
    config(big_item_at=None, big_item_tokens=300000)


@test
def e_huge_item():
    config(pods=20, huge_item_at=5)
    r = kube("/api/v1/pods")
    b = r.json()
    item = json.dumps(b["items"][5], separators=(",", ":")).encode()
    check(len(item) > 8 * 1024 * 1024, "item 5 over 8 MiB (%d bytes)" % len(item))
    check(len(json.dumps(b["items"][4])) < 100000, "item 4 normal")
    c = cs("GET", "/v1/clusters")
    check(len(c.body) < 1024 * 1024, "3 clusters: index 5 absent, list normal")
    config(huge_item_at=0)
    c = cs("GET", "/v1/clusters").json()
    check(len(c[0]["status"]) > 8 * 1024 * 1024, "cluster item 0 over 8 MiB")
    config(huge_item_at=None, pods=pods.DEFAULT_PODS)


# ---------------------------------------------------------------- watches

@test
def f_watch_events_spaced():
    config(watch_gap_s=0.5, watch_events=3)
    st = Stream("/api/v1/pods?watch=true")
    eq(st.status, 200, "status")
    eq(st.headers.get("content-type"), "application/json", "content type")
    eq(st.headers.get("transfer-encoding"), "chunked", "chunked")
    st.read_all()
    check(st.ended and not st.cut, "terminating chunk")
    ev = events(st)
    eq([e["type"] for e in ev], ["ADDED", "MODIFIED", "DELETED"], "types")
    eq({e["object"]["kind"] for e in ev}, {"Pod"}, "pods")
    eq(len({e["object"]["metadata"]["name"] for e in ev}), 1, "one pod added, changed, deleted")
    eq(ev[0]["object"]["status"]["phase"], "Pending", "added Pending")
    rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in ev]
    check(rvs == sorted(rvs) and len(set(rvs)) == 3, "resourceVersions grow")
    ts = [t for t, _ in st.chunks]
    check(ts[0] < 0.5, "first event at once (%.2f s)" % ts[0])
    for a, b in zip(ts, ts[1:]):
        check(b - a >= 0.4, "events apart, not together: %s" % ["%.2f" % t for t in ts])
    check(st.elapsed < 2.5, "ends after the last event (%.2f s)" % st.elapsed)


@test
def g_watch_timeout_seconds():
    config(watch_gap_s=0.3, watch_events=100)
    st = Stream("/api/v1/namespaces?watch=1&timeoutSeconds=1").read_all()
    check(st.ended, "terminating chunk at the timeout")
    check(0.9 <= st.elapsed < 2, "ended after timeoutSeconds=1 (%.2f s)" % st.elapsed)
    n = len(events(st))
    check(2 <= n <= 5, "a few events before the timeout (%d)" % n)
    config(watch_events=1)
    st = Stream("/api/v1/nodes?watch=true&timeoutSeconds=1").read_all()
    check(st.ended and 0.9 <= st.elapsed < 2, "quiet until timeoutSeconds (%.2f s)" % st.elapsed)
    eq(kube("/api/v1/pods?watch=true&timeoutSeconds=x").status, 400, "bad timeoutSeconds")


@test
def h_watch_break():
    config(watch_gap_s=0.2, watch_events=3, watch_break=True)
    st = Stream("/api/v1/pods?watch=true").read_all()
    check(not st.ended, "no terminating chunk")
    check(st.cut, "the last chunk cut short")
    eq(len(st.chunks), 3, "two events, then half of one")
    eq(len(events(type("S", (), {"chunks": st.chunks[:2]}))), 2, "two whole events")
    try:
        json.loads(st.chunks[2][1])
        raise AssertionError("the cut event must not parse")
    except ValueError:
        pass
    config(watch_break=False)


@test
def i_watch_kinds_bookmark():
    config(watch_gap_s=0.05, watch_events=3)
    for path, kind in (("/api/v1/namespaces?watch=true", "Namespace"), ("/api/v1/nodes?watch=1", "Node"),
                       ("/api/v1/configmaps?watch=true", "ConfigMap"),
                       ("/api/v1/namespaces/default/configmaps?watch=true", "ConfigMap"),
                       ("/api/v1/namespaces/kube-system/pods?watch=true", "Pod"),
                       ("/api/v1/watch/namespaces/default/services", "Service")):
        st = Stream(path).read_all()
        ev = events(st)
        eq(({e["object"]["kind"] for e in ev}, len(ev), st.ended), ({kind}, 3, True), path)
    fault(service="master", path="/api/v1/pods", kind="reset_mid_body")
    st = Stream("/api/v1/pods?watch=true").read_all()
    eq((len(st.chunks), st.ended), (1, False), "reset_mid_body: one event, then RST")
    fault(service="master", path="/api/v1/pods", kind="status", status=503)
    eq(Stream("/api/v1/pods?watch=true").status, 503, "status fault on a watch")
    ev = events(Stream("/api/v1/pods?watch=true&allowWatchBookmarks=true").read_all())
    eq([e["type"] for e in ev][-1], "BOOKMARK", "bookmark last")
    eq(kube("/api/v1/namespaces/nope/pods?watch=true").status, 404, "unknown namespace")


@test
def j_client_gone_and_log():
    config(watch_gap_s=30, watch_events=3)
    st = Stream("/api/v1/pods?watch=true")
    check(st.one_chunk().startswith(b'{"type":"ADDED"'), "first event")
    st.f.close()
    st.sock.close()
    t0 = time.time()
    while time.time() - t0 < 5:
        reqs = [e for e in log_events() if e.get("event") == "request" and e.get("watch") == "client_gone"]
        if reqs:
            break
        time.sleep(0.1)
    check(reqs, "client_gone logged within 5 s of the close")
    eq(reqs[-1]["events"], 1, "one event sent")
    eq(kube("/version").status, 200, "the master still answers")
    w = [e for e in log_events() if e.get("event") == "watch"]
    check(w and all(k in w[0] for k in ("type", "resourceVersion", "bytes", "conn", "path", "cluster")),
          "a watch log event per event: %s" % (w[:1],))
    ends = {e.get("watch") for e in log_events() if e.get("event") == "request" and "watch" in e}
    check({"end", "timeout", "break", "client_gone"} <= ends, "outcomes logged: %s" % ends)
    config(watch_gap_s=1.0)


@test
def k_config_checks():
    for bad in ({"pods": -1}, {"watch_gap_s": "x"}, {"watch_break": 1}, {"big_item_at": -2}):
        st, _ = control("/control/config", bad)
        eq(st, 400, "refused %s" % bad)
    st, b = control("/control/config", None, "GET")
    eq((b["pods"], b["watch_events"], b["watch_gap_s"], b["watch_break"], b["big_item_at"]),
       (pods.DEFAULT_PODS, 3, 1.0, False, None), "defaults")


@test
def l_admin_certificate():
    """GET .../config/admin: the zip adds admin.pem and admin-key.pem, the kubeconfig's user
    names them, and a master takes that client certificate instead of a token."""
    r = cs("GET", "/v1/clusters/%s/config/admin" % ENV["EMU_CLUSTER_ID"])
    eq(r.status, 200, "admin config zip")
    z = zipfile.ZipFile(io.BytesIO(r.body))
    names = {os.path.basename(n): n for n in z.namelist()}
    check("admin.pem" in names and "admin-key.pem" in names, "admin.pem and admin-key.pem: %s" % sorted(names))
    yml = z.read([n for n in z.namelist() if n.endswith(".yml")][0]).decode()
    check("client-certificate: admin.pem" in yml and "client-key: admin-key.pem" in yml
          and "id-token" not in yml, "the kubeconfig's user is the certificate")
    cert, key = os.path.join(TMP, "admin.pem"), os.path.join(TMP, "admin-key.pem")
    for n, p in (("admin.pem", cert), ("admin-key.pem", key)):
        with open(p, "wb") as f:
            f.write(z.read(names[n]))
    ctx = ssl.create_default_context(cafile=S["ca"])
    ctx.load_cert_chain(cert, key)
    r = http("GET", S["url"] + "/api/v1/namespaces", ctx=ctx, timeout=30)
    eq(r.status, 200, "the admin certificate, no token: 200")
    r = http("GET", S["url"] + "/api/v1/namespaces", ctx=S["ctx"], timeout=30)
    eq(r.status, 401, "neither certificate nor token: 401")
    plain = cs("GET", "/v1/clusters/%s/config" % ENV["EMU_CLUSTER_ID"])
    check(not any(os.path.basename(n).startswith("admin") for n in zipfile.ZipFile(io.BytesIO(plain.body)).namelist()),
          "the plain zip has no admin pair")


if __name__ == "__main__":
    sys.exit(main())
