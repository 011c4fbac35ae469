#!/usr/bin/env python3
"""Checks the emulator's cluster lifecycle (lifecycle.py) against IBM-LIFECYCLE.md.

Starts the emulator (via emu.sh) in a temporary directory, gets an account-scoped token
from its IAM with EMU_APIKEY, then over the real TLS (DIR/ca.pem): classic and VPC
create, every validation error, the timed state sequence (step_s 0.4), the v2 reads,
the config zip and a created cluster's master (kubectl get nodes), delete to 404, master
update, each lifecycle fault, the control calls and the logged request bodies.
Prints one line per check and, last, `N passed, N failed`; exits non-zero on failure.
Usage: python3 tests/emulator/test_lifecycle.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lifetest import *  # noqa: E402,F401,F403


@test
def a_token_and_config():
    apikey_token()
    st, cfg = control("/control/config", method="GET")
    eq((cfg["step_s"], cfg["gone_code"], cfg["quota"]), (2.0, "A0006", 100), "defaults")
    eq(control("/control/config", {"step_s": 0})[0], 400, "step_s must be > 0")
    eq(control("/control/config", {"gone_code": "E0008"})[0], 400, "gone_code A0006|G0004")
    config(step_s=STEP)


@test
def b_create_classic_states():
    t0 = time.time()
    r = cs("POST", "/v1/clusters", classic_body("edge1"),
           {"X-Auth-Resource-Group": "0123456789abcdef0123456789abcdef", "X-Region": "us-south"})
    check(time.time() - t0 < 1.0, "create answers in under 1 s (%.2f)" % (time.time() - t0))
    eq(r.status, 201, "201 (%s)" % r.body)
    eq(list(r.json()), ["id"], "body is {id}")
    cid = r.json()["id"]
    check(re.fullmatch(r"[a-z0-9]{20}", cid), "id shape %s" % cid)
    S["edge1"] = cid
    o = get(cid)
    eq(o["state"], "requested", "first state")
    eq((o["masterStatus"], o["masterState"]), ("Deploy requested", "deploying"), "master fields")
    eq((o["provider"], o["type"], o["dataCenter"], o["region"]), ("classic", "kubernetes", "dal10", "us-south"), "where")
    eq((o["masterKubeVersion"], o["targetVersion"]), ("1.29.8_1548", "1.29.8_1548"), "version 1.29 → newest patch")
    eq(o["workerCount"], 2, "workerCount")
    eq(o["resourceGroup"], "0123456789abcdef0123456789abcdef", "resourceGroup from X-Auth-Resource-Group")
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000", o["createdDate"]), "createdDate format")
    ct = time.mktime(time.strptime(o["createdDate"], "%Y-%m-%dT%H:%M:%S+0000")) - time.timezone
    check(abs(ct - t0) < 5, "createdDate is now (UTC)")
    eq(get("edge1")["id"], cid, "get by name")
    for k in ("crn", "masterURL", "serverURL", "ingressHostname", "lifecycle", "workerZones"):
        check(k in o, "field %s" % k)
    ws = cs("GET", "/v1/clusters/%s/workers" % cid).json()
    eq(len(ws), 2, "workerNum workers")
    for w in ws:
        check(re.fullmatch(r"kube-%s-edge1-default-\d{8}" % cid, w["id"]), "worker id %s" % w["id"])
        check(w["state"] in ("provision_pending", "provisioning"), "worker provisioning (%s)" % w["state"])
    seen = states_until(cid, "normal")
    eq(seen, ["requested", "deploying", "pending", "normal"], "state sequence")
    o = get(cid)
    eq((o["status"], o["masterStatus"], o["masterState"], o["masterHealth"]),
       ("All Workers Normal", "Ready", "deployed", "normal"), "normal fields")
    ws = cs("GET", "/v1/clusters/%s/workers" % cid).json()
    eq({(w["state"], w["status"]) for w in ws}, {("normal", "Ready")}, "workers normal/Ready")
    lst = cs("GET", "/v1/clusters").json()
    check(cid in [c["id"] for c in lst], "listed by GET /v1/clusters")
    cl = [c for c in control("/control/clusters", method="GET")[1] if c["id"] == cid][0]
    eq((cl["name"], cl["state"], cl["xRegion"]), ("edge1", "normal", "us-south"), "/control/clusters")
    check(cl["created"] == o["createdDate"], "control created time")


@test
def c_pending_masterstatus_sequence():
    cid = create_classic("edge-ms", workerNum=1, masterVersion="1.28.14_1559")
    seen = states_until(cid, "Ready", key=lambda o: o["masterStatus"])
    eq(seen, ["Deploy requested", "Deploy in progress", "Ready"], "masterStatus sequence")
    eq(get(cid)["masterKubeVersion"], "1.28.14_1559", "suffix accepted")


@test
def d_config_zip_master_kubectl():
    cid = S["edge1"]
    r = cs("GET", "/v1/clusters/%s/config" % cid)
    eq(r.status, 200, "config")
    z = zipfile.ZipFile(io.BytesIO(r.body))
    names = z.namelist()
    ca = [n for n in names if os.path.basename(n) == "ca-dal10-edge1.pem"]
    yml = [n for n in names if os.path.basename(n) == "kube-config-dal10-edge1.yml"]
    eq((len(ca), len(yml)), (1, 1), "zip entries %s" % names)
    kdir = os.path.join(TMP, "kube-edge1")
    os.makedirs(kdir, exist_ok=True)
    capath = os.path.join(kdir, "ca-dal10-edge1.pem")
    with open(capath, "wb") as f:
        f.write(z.read(ca[0]))
    y = z.read(yml[0]).decode()
    o = get(cid)
    check("server: " + o["publicServiceEndpointURL"] + "\n" in y, "server is the public endpoint")
    idt = re.search(r"id-token: (\S+)", y).group(1)
    mctx = ssl.create_default_context(cafile=capath)
    r = http("GET", o["publicServiceEndpointURL"] + "/api/v1/nodes", headers={"Authorization": "Bearer " + idt}, ctx=mctx)
    eq(r.status, 200, "nodes over the cluster's own CA")
    eq(len(r.json()["items"]), 2, "two nodes")
    try:
        http("GET", o["publicServiceEndpointURL"] + "/version", ctx=ssl.create_default_context(cafile=ENV["EMU_CA_FILE"]))
        raise AssertionError("the shared CA must not verify a cluster master")
    except urllib.error.URLError as e:
        check("CERTIFICATE_VERIFY_FAILED" in str(e), "own CA (%s)" % e)
    other = http("GET", "https://" + urllib.parse.urlsplit(o["publicServiceEndpointURL"]).netloc + "/version",
                 headers={"Authorization": "Bearer " + idt}, ctx=mctx)
    eq(other.status, 200, "version")
    S["edge1_ca"], S["edge1_idt"] = capath, idt
    kubectl = shutil.which("kubectl")
    if not kubectl:
        print("  (kubectl not installed; skipped)")
        return
    kc = os.path.join(kdir, "config.yml")
    with open(kc, "w") as f:
        f.write(y.replace("certificate-authority: ", "certificate-authority: %s/" % kdir, 1))
    p = subprocess.run([kubectl, "--kubeconfig", kc, "get", "nodes"], capture_output=True, text=True, timeout=30)
    eq(p.returncode, 0, "kubectl get nodes (%s)" % p.stderr[-300:])
    eq(len([l for l in p.stdout.splitlines() if "Ready" in l]), 2, "kubectl lists 2 Ready nodes:\n" + p.stdout)


@test
def e_master_unreachable_until_deployed():
    cid = create_classic("edge-early", workerNum=1)
    r = cs("GET", "/v1/clusters/%s/config" % cid)
    eq(r.status, 200, "config zip right after create")
    z = zipfile.ZipFile(io.BytesIO(r.body))
    ca = [n for n in z.namelist() if n.endswith(".pem")][0]
    capath = os.path.join(TMP, "early-ca.pem")
    with open(capath, "wb") as f:
        f.write(z.read(ca))
    url = get(cid)["publicServiceEndpointURL"]
    r = http("GET", url + "/version", ctx=ssl.create_default_context(cafile=capath))
    eq((r.status, r.json()["kind"]), (503, "Status"), "master 503 while requested")
    states_until(cid, "pending")
    r = http("GET", url + "/version", ctx=ssl.create_default_context(cafile=capath))
    eq(r.status, 401, "master up once deployed (401 without a token)")


@test
def f_create_vpc_and_v2():
    r = cs("POST", "/v2/vpc/createCluster", vpc_body("edge-vpc"))
    eq(r.status, 201, "vpc create (%s)" % r.body[:300])
    eq(list(r.json()), ["clusterID"], "body is {clusterID}")
    cid = r.json()["clusterID"]
    S["vpc"] = cid
    o = get(cid)
    eq((o["provider"], o["dataCenter"], o["region"], o["workerCount"], o["serverURL"]),
       ("vpc-gen2", "us-south-1", "us-south", 4, ""), "vpc cluster")
    eq(o["vpcs"], ["r006-0d7e1b2c"], "vpcs")
    eq(o["workerZones"], ["us-south-1", "us-south-2"], "zones")
    r = cs("GET", "/v2/vpc/getWorkers?cluster=" + cid)
    eq(r.status, 200, "getWorkers")
    ws = r.json()
    eq(len(ws), 4, "workerCount per zone x zones")
    for k in ("id", "flavor", "poolID", "poolName", "health", "lifecycle", "kubeVersion", "networkInterfaces", "location"):
        check(k in ws[0], "v2 worker field %s" % k)
    eq(ws[0]["lifecycle"]["actualState"], "provisioning", "actualState provisioning")
    eq(sorted({w["networkInterfaces"][0]["subnetID"] for w in ws}), ["0717-aaaa", "0727-bbbb"], "subnets")
    eq(ws[0]["kubeVersion"]["actual"], "1.30.4_1532", "kubeVersion.actual")
    for p in ("/v2/vpc/getCluster?cluster=", "/v2/getCluster?cluster="):
        v2 = cs("GET", p + cid).json()
        for k in ("masterHealth", "masterState", "masterStatus", "serverURL"):
            check(k not in v2, "v2 has no top-level %s" % k)
        check(v2["masterURL"] and v2["lifecycle"]["masterStatus"] == "Deploy requested", "v2 lifecycle")
        check("ingress" in v2 and "serviceEndpoints" in v2, "v2 ingress/serviceEndpoints")
    v1c = cs("GET", "/v2/getCluster?v1-compatible&cluster=" + cid).json()
    check("masterStatus" in v1c, "v1-compatible keeps top-level master fields")
    states_until(cid, "normal")
    ws = cs("GET", "/v2/vpc/getWorkers?cluster=" + cid).json()
    eq({(w["health"]["state"], w["health"]["message"], w["lifecycle"]["actualState"]) for w in ws},
       {("normal", "Ready", "deployed")}, "healthy v2 workers")
    eq(cs("GET", "/v2/getCluster?cluster=" + cid).json()["lifecycle"]["masterStatus"], "Ready", "v2 Ready")
    eq(cs("GET", "/v2/vpc/getWorkers?cluster=" + cid + "&pool=nope").json(), [], "pool filter")


@test
def g_v2_builtin_clusters():
    for name in ("fake-iks-classic", "fake-iks-vpc", "fake-roks"):
        r = cs("GET", "/v2/getCluster?cluster=" + name)
        eq(r.status, 200, "v2 getCluster %s" % name)
        o = r.json()
        eq((o["name"], o["state"], o["lifecycle"]["masterState"]), (name, "normal", "deployed"), name)
        ws = cs("GET", "/v2/vpc/getWorkers?cluster=" + name).json()
        eq(len(ws), 3, "built-in v2 workers")
        eq(ws[0]["health"], {"state": "normal", "message": "Ready"}, "health")
    cs_err(cs("GET", "/v2/getCluster?cluster=fake-iks-other"), 404, "G0004")
    cs_err(cs("GET", "/v2/getCluster?cluster=nope"), 404, "G0004")
    cs_err(cs("GET", "/v2/getCluster"), 400, "E0040")
    cs_err(cs("GET", "/v2/nope"), 404, "G0000")


@test
def h_validation_errors():
    c = lambda b: cs("POST", "/v1/clusters", b)
    v = lambda b: cs("POST", "/v2/vpc/createCluster", b)
    cs_err(c("not json"), 400, "E0013")
    cs_err(c([1, 2]), 400, "E0013")
    cs_err(c(b""), 400, "E0013")
    cs_err(c({"dataCenter": "dal10", "machineType": "b3c.4x16"}), 400, "E0040")
    cs_err(c(classic_body("")), 400, "E0040")
    cs_err(c(classic_body(7)), 400, "E0040")
    b = classic_body("x1")
    del b["dataCenter"]
    cs_err(c(b), 400, "E0040")
    b = classic_body("x1")
    del b["machineType"]
    cs_err(c(b), 400, "E0040")
    cs_err(c(classic_body("x1", workerNum="2")), 400, "E0040")
    cs_err(c(classic_body("x1", workerNum=0)), 400, "E0040")
    cs_err(c(classic_body("x1", diskEncryption="yes")), 400, "E0040")
    cs_err(v(vpc_body("")), 400, "E0040")
    cs_err(v(vpc_body("x2", workerPool=[vpc_body("x")["workerPool"]])), 400, "E0040")
    for k in ("flavor", "vpcID", "workerCount", "zones"):
        b = vpc_body("x2")
        del b["workerPool"][k]
        cs_err(v(b), 400, "E0040")
    for k, val in (("workerCount", 0), ("workerCount", "2"), ("workerCount", 1.5), ("zones", []),
                   ("zones", [{"id": "us-south-1"}]), ("zones", ["us-south-1"])):
        b = vpc_body("x2")
        b["workerPool"][k] = val
        cs_err(v(b), 400, "E0040")
    cs_err(v(vpc_body("x2", provider="classic")), 400, "E0040")
    # versions
    b = cs_err(c(classic_body("x3", masterVersion="1.29.7")), 400, "E0156")
    eq(b["type"], "Versions", "E0156 type")
    eq(b["description"], "A previous patch was specified. Only the most recent patch for a particular minor "
       "version can be specified during cluster create.", "E0156 text")
    eq(b["recoveryCLI"], "To list supported versions, run 'ibmcloud ks versions'.", "E0156 recoveryCLI")
    cs_err(v(vpc_body("x3", kubeVersion="4.14.30_openshift")), 400, "E0156")
    for bad in ("1.27", "1.29.9", "banana", "2.0"):
        cs_err(c(classic_body("x3", masterVersion=bad)), 400, "E0153")
    # flavors
    r = c(classic_body("x4", machineType="b3c.99x99"))
    b = cs_err(r, 400, "E4e5b")
    eq(b["description"], "Could not find flavor in the requested zone.", "E4e5b text")
    check(b"'ibmcloud ks flavors --zone \\u003czone\\u003e'" in r.body, "recoveryCLI escaped as IBM sends it")
    cs_err(c(classic_body("x4", machineType="bx2.4x16")), 400, "E4e5b")
    cs_err(c(classic_body("x4", dataCenter="mars01")), 400, "E4e5b")
    b = vpc_body("x4")
    b["workerPool"]["flavor"] = "b3c.4x16"
    cs_err(v(b), 400, "E4e5b")
    # duplicate names: created and built-in
    b = cs_err(c(classic_body("edge1")), 409, "E0007")
    eq((b["type"], b["description"]), ("Provisioning", "A cluster with the same name already exists. "
                                        "Choose another name."), "E0007 body")
    cs_err(v(vpc_body("fake-iks-classic")), 409, "E0007")
    # quota
    n = len([x for x in control("/control/clusters", method="GET")[1]
             if x["state"] != "gone" and x["account"] == ENV["EMU_ACCOUNT"]])
    config(quota=n)
    cs_err(c(classic_body("x5")), 403, "E60b6")
    config(quota=n + 1)
    eq(c(classic_body("x5")).status, 201, "under quota")
    config(quota=100)
    names = [x["name"] for x in control("/control/clusters", method="GET")[1]]
    for bad in ("x1", "x2", "x3", "x4"):
        check(bad not in names, "no cluster made by a refused create (%s)" % bad)


@test
def i_log_bodies():
    ev = [e for e in log_events() if e.get("event") == "request" and e.get("method") == "POST"
          and e.get("path") == "/global/v1/clusters"]
    check(ev, "create requests logged")
    eq(ev[0]["body"], classic_body("edge1"), "logged body is exactly what was sent")
    eq(ev[0]["headers"].get("x-auth-resource-group"), "0123456789abcdef0123456789abcdef", "resource group logged")
    raw = [e for e in ev if e.get("body") == "not json"]
    check(raw, "non-JSON body logged as the raw string")
    with open(ENV["EMU_LOG"]) as f:
        check(S["token"][-30:] not in f.read(), "token not in the log")


@test
def j_update_master():
    cid = S["edge1"]           # 1.29.8_1548, normal
    r = cs("PUT", "/v1/clusters/" + cid, {"action": "update", "version": "1.30", "force": True})
    eq(r.status, 204, "update 204 (%s)" % r.body)
    o = get(cid)
    eq((o["state"], o["masterState"]), ("updating", "updating"), "updating")
    eq(o["masterKubeVersion"], "1.30.4_1532 (pending)", "pending version")
    check("(pending)" in cs("GET", "/v2/getCluster?cluster=" + cid).json()["masterKubeVersion"], "v2 pending")
    cs_err(cs("PUT", "/v1/clusters/" + cid, {"action": "update", "version": "1.28"}), 409, "E0121")
    seen = states_until(cid, "normal")
    eq(seen, ["updating", "normal"], "update sequence")
    o = get(cid)
    eq((o["masterKubeVersion"], o["targetVersion"], o["masterState"]), ("1.30.4_1532", "1.30.4_1532", "deployed"),
       "new version")
    r = http("GET", o["publicServiceEndpointURL"] + "/version", headers={"Authorization": "Bearer " + S["edge1_idt"]},
             ctx=ssl.create_default_context(cafile=S["edge1_ca"]))
    eq(r.json()["gitVersion"], "v1.30.4+IKS", "master serves the new version")
    b = cs_err(cs("PUT", "/v1/clusters/" + cid, {"action": "update", "version": "1.30.4", "force": False}), 409, "E0120")
    eq((b["type"], b["description"]), ("Versions", "The master is already up to date for the specified version."), "E0120")
    cs_err(cs("PUT", "/v1/clusters/" + cid, {"action": "update"}), 409, "E0120")   # default = 1.30.4
    cs_err(cs("PUT", "/v1/clusters/" + cid, {"action": "update", "version": "1.31"}), 400, "E0153")
    cs_err(cs("PUT", "/v1/clusters/" + cid, {"action": "update", "version": "4.15"}), 400, "E0153")
    cs_err(cs("PUT", "/v1/clusters/" + cid, {"action": "reboot"}), 400, "E0040")
    cs_err(cs("PUT", "/v1/clusters/" + cid, "{"), 400, "E0013")
    cid2 = create_classic("edge-upd", masterVersion="1.28", workerNum=1)
    cs_err(cs("PUT", "/v1/clusters/" + cid2, {"action": "update"}), 409, "E0121")      # not normal yet
    states_until(cid2, "normal")
    eq(cs("PUT", "/v1/clusters/edge-upd", {"action": "update"}).status, 204, "version omitted")
    states_until(cid2, "normal")
    eq(get(cid2)["masterKubeVersion"], "1.30.4_1532", "default version")


@test
def k_delete_to_404():
    cid = S["vpc"]
    r = cs("DELETE", "/v1/clusters/%s?deleteResources=true" % cid)
    eq((r.status, r.body), (204, b""), "delete 204")
    ev = [e for e in log_events() if e.get("method") == "DELETE"]
    eq(ev[-1].get("deleteResources"), "true", "deleteResources logged")
    o = get(cid)
    eq((o["state"], o["masterState"]), ("deleting", "deleting"), "deleting")
    ws = cs("GET", "/v1/clusters/%s/workers" % cid).json()
    eq({w["state"] for w in ws}, {"deleting"}, "workers deleting")
    eq(cs("DELETE", "/v1/clusters/" + cid).status, 204, "delete while deleting: 204 again")
    cs_err(cs("PUT", "/v1/clusters/" + cid, {"action": "update", "version": "1.29"}), 409, "E0121")
    cs_err(cs("POST", "/v2/vpc/createCluster", vpc_body("edge-vpc")), 409, "E0007")   # name still taken
    seen = states_until(cid, "deleted")
    eq(seen, ["deleting", "deleted"], "deleting then deleted")
    eq(cs("GET", "/v1/clusters/%s/workers" % cid).json(), [], "deleted workers hidden")
    ws = cs("GET", "/v1/clusters/%s/workers?showDeleted=true" % cid).json()
    eq({w["state"] for w in ws}, {"deleted"}, "showDeleted=true")
    ws = cs("GET", "/v2/vpc/getWorkers?cluster=%s&showDeleted=true" % cid).json()
    eq({w["lifecycle"]["actualState"] for w in ws}, {"deleted"}, "v2 actualState deleted")
    r = wait_404(cid)
    b = cs_err(r, 404, "A0006")
    eq((b["type"], b["description"]), ("Authentication", "The specified cluster could not be found. If applicable, "
                                        "make sure that you target the correct resource group or region."), "A0006 404")
    cs_err(cs("GET", "/v1/clusters/edge-vpc"), 404, "A0006")
    cs_err(cs("GET", "/v2/getCluster?cluster=" + cid), 404, "A0006")
    cs_err(cs("DELETE", "/v1/clusters/" + cid), 404, "A0006")
    check(cid not in [c["id"] for c in cs("GET", "/v1/clusters").json()], "gone from the list")
    config(gone_code="G0004")
    cs_err(cs("GET", "/v1/clusters/" + cid), 404, "G0004")
    config(gone_code="A0006")
    gone = [c for c in control("/control/clusters", method="GET")[1] if c["id"] == cid][0]
    eq((gone["state"], gone["deleteResources"]), ("gone", "true"), "control lists it as gone")
    r = cs("POST", "/v2/vpc/createCluster", vpc_body("edge-vpc"))
    eq(r.status, 201, "name free again once gone")
    check(r.json()["clusterID"] != cid, "a new id")


@test
def l_fault_create_500():
    fault(kind="create_500")
    r = cs("POST", "/v1/clusters", classic_body("edge-500"))
    b = cs_err(r, 500, "A0002")
    eq(b["description"], "Could not connect to a backend service. Try again later.", "A0002 text")
    eq(get("edge-500")["name"], "edge-500", "the cluster was created anyway")
    cs_err(cs("POST", "/v1/clusters", classic_body("edge-500")), 409, "E0007")
    # path filter: a VPC-only fault does not fire on a classic create
    fault(kind="create_500", path="/v2/vpc/createCluster")
    eq(cs("POST", "/v1/clusters", classic_body("edge-500b")).status, 201, "filter by path")
    cs_err(cs("POST", "/v2/vpc/createCluster", vpc_body("edge-500v")), 500, "A0002")
    eq(get("edge-500v")["provider"], "vpc-gen2", "VPC create happened")
    # does not fire on other requests
    fault(kind="create_500", delay_ms=800)
    eq(cs("GET", "/v1/clusters").status, 200, "not on a GET")
    t0 = time.time()
    r = cs("POST", "/v1/clusters", classic_body("edge-500d"))
    dt = time.time() - t0
    cs_err(r, 500, "A0002")
    check(dt >= 0.75, "delay_ms honoured (%.2f)" % dt)
    try:
        fault(kind="create_500", delay_ms=2000)
        req = urllib.request.Request(ENV["IBMCLOUD_CS_API_ENDPOINT"] + "/v1/clusters",
                                     data=json.dumps(classic_body("edge-500t")).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + S["token"],
                                              "Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=0.5, context=ssl.create_default_context(cafile=ENV["EMU_CA_FILE"]))
        raise AssertionError("expected a client timeout")
    except (TimeoutError, urllib.error.URLError) as e:
        check("timed out" in str(e), "client timeout (%s)" % e)
    eq(get("edge-500t")["name"], "edge-500t", "created although the client timed out")


@test
def m_fault_stuck_and_deploy_failed():
    fault(kind="stuck")
    a = create_classic("edge-stuck", workerNum=1)
    fault(kind="deploy_failed")
    b = create_classic("edge-dfail", workerNum=1)
    c = create_classic("edge-fine", workerNum=1)
    seen = states_until(b, "deploy_failed")
    eq(seen, ["requested", "deploying", "deploy_failed"], "deploy_failed sequence")
    o = get(b)
    eq((o["masterStatus"], o["masterState"], o["masterHealth"]), ("Deploy failed", "deploy_failed", "error"), "failed master")
    check(o["status"].startswith("Could not deploy the master."), "status text")
    time.sleep(STEP * 2)
    o = get(a)
    eq((o["state"], o["masterStatus"]), ("deploying", "Deploy in progress"), "stuck stays deploying")
    eq(get(c)["state"], "normal", "the next cluster is unaffected")
    eq(cs("DELETE", "/v1/clusters/" + a).status, 204, "a stuck cluster can be deleted")
    wait_404(a)


@test
def n_fault_blip_404():
    fault(kind="blip_404", count=2)
    cid = create_classic("edge-blip", workerNum=1)
    for path in ("/v1/clusters/" + cid, "/v1/clusters/%s/workers" % cid):
        b = cs_err(cs("GET", path), 404, "A0006")
        ids = b["incidentID"].split(",")
        eq(len(ids), 2, "incidentID uuid,uuid")
        for i in ids:
            uuid.UUID(i)
    eq(cs("GET", "/v1/clusters/" + cid).status, 200, "third GET answers")
    fault(kind="blip_404", count=5)
    cid2 = create_classic("edge-blip2", workerNum=1)
    eq(cs("GET", "/v2/getCluster?cluster=" + cid2).status, 404, "blips on v2 too")
    time.sleep(STEP * 3.3)
    eq(cs("GET", "/v1/clusters/" + cid2).status, 200, "no blip once normal")


@test
def o_fault_update_failed():
    cid = create_classic("edge-ufail", workerNum=1, masterVersion="1.29")
    states_until(cid, "normal")
    fault(kind="update_failed")
    eq(cs("PUT", "/v1/clusters/" + cid, {"action": "update", "version": "1.30"}).status, 204, "update accepted")
    seen = states_until(cid, "update_failed", key=lambda o: o["masterState"])
    eq(seen, ["updating", "update_failed"], "masterState sequence")
    o = get(cid)
    eq((o["state"], o["masterKubeVersion"], o["targetVersion"]), ("warning", "1.29.8_1548", "1.29.8_1548"),
       "old version kept")
    check("1.29.8_1548" in o["masterStatus"], "masterStatus names the version")
    eq(cs("PUT", "/v1/clusters/" + cid, {"action": "update", "version": "1.30"}).status, 204, "retry allowed")
    states_until(cid, "normal")
    eq(get(cid)["masterKubeVersion"], "1.30.4_1532", "retry succeeds")


@test
def p_generic_faults_on_new_paths():
    cid = S["edge1"]
    fault(service="cs", method="GET", path="/global/v1/clusters/" + cid, kind="status", status=503, retry_after="2")
    eq(cs("GET", "/v1/clusters").status, 200, "list unaffected by the path filter")
    eq(cs("PUT", "/v1/clusters/" + cid, {"action": "update", "version": "1.30"}).status, 409, "PUT unaffected")
    r = cs("GET", "/v1/clusters/" + cid)
    cs_err(r, 503, "A0002")
    eq(r.headers.get("retry-after"), "2", "Retry-After")
    fault(service="cs", path="/v1/clusters/" + cid, kind="status", status=429, retry_after="1")
    r = cs("GET", "/v1/clusters/%s/workers" % cid)
    eq((r.status, r.headers.get("retry-after")), (429, "1"), "429 on a sub path")
    fault(service="cs", method="POST", path="/v2/vpc/createCluster", kind="reset")
    try:
        cs("POST", "/v2/vpc/createCluster", vpc_body("edge-rst"))
        raise AssertionError("expected a reset")
    except (ConnectionError, urllib.error.URLError, OSError):
        pass
    eq(cs("GET", "/v1/clusters/edge-rst").status, 404, "reset before the create ran")
    fault(service="cs", path="/v2/getCluster", kind="delay", seconds=0.5)
    t0 = time.time()
    eq(cs("GET", "/v2/getCluster?cluster=" + cid).status, 200, "delayed")
    check(time.time() - t0 >= 0.45, "delay on a v2 path")


@test
def q_control_reset():
    fault(kind="stuck")
    fault(kind="blip_404", count=3)
    fault(kind="create_500")
    st, fl = control("/control/faults", method="GET")
    eq(sorted(f["kind"] for f in fl), ["blip_404", "create_500", "stuck"], "pending")
    eq(control("/control/reset")[0], 200, "reset")
    eq(control("/control/faults", method="GET")[1], [], "lifecycle faults cleared")
    cid = create_classic("edge-after-reset", workerNum=1)
    eq(get(cid)["state"], "requested", "no blip, no 500")
    states_until(cid, "normal")
    before = control("/control/clusters", method="GET")[1]
    check(len([c for c in before if not c["builtin"]]) > 3, "created clusters kept by a plain reset")
    # a built-in cluster deleted, then restored by reset {"clusters":true}
    eq(cs("DELETE", "/v1/clusters/fake-roks").status, 204, "delete a built-in")
    wait_404("fake-roks")
    st, _ = control("/control/reset", {"clusters": True})
    eq(st, 200, "reset clusters")
    after = control("/control/clusters", method="GET")[1]
    eq([c["name"] for c in after], ["fake-iks-classic", "fake-roks", "fake-iks-vpc", "fake-iks-other"], "only built-ins")
    o = get("fake-roks")
    eq((o["state"], o["masterKubeVersion"]), ("normal", "4.15.28_1563_openshift"), "built-in restored")
    cs_err(cs("GET", "/v1/clusters/" + cid), 404, "G0004")
    eq(cs("GET", "/v1/clusters/fake-iks-classic/workers").json()[0]["state"], "normal", "built-in workers")


if __name__ == "__main__":
    sys.exit(main())
