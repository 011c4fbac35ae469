#!/usr/bin/env python3
"""Checks the emulator against IBM's "Setting up the API" guide, replayed with curl.

Starts the emulator (via emu.sh) in a temporary directory, replays the guide's curl
commands (apikey token, accounts, scoped token, regions, clusters, delegated refresh token,
id_token, cluster, config zip, /version), then every error, every fault kind, the log and
TLS session resumption. Prints one line per check and, last, `N passed, N failed`;
exits non-zero if anything failed.  Usage: python3 tests/emulator/test_emulator.py
"""
import base64
import hashlib
import io
import json
import os
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
import urllib.request
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
TMP = tempfile.mkdtemp(prefix="emu-test-")
EMU_DIR = os.path.join(TMP, "emu")
ENV = {}
TESTS = []
_n = [0]


def test(fn):
    TESTS.append(fn)
    return fn


def check(cond, msg="check failed"):
    if not cond:
        raise AssertionError(msg)


def eq(a, b, what=""):
    if a != b:
        raise AssertionError("%s: expected %r, got %r" % (what, b, a))


# ---------------------------------------------------------------- clients

class R:
    def __init__(self, rc, status, headers, body, err):
        self.rc, self.status, self.headers, self.body, self.err = rc, status, headers, body, err

    def json(self):
        return json.loads(self.body)

    def h(self, name):
        return self.headers.get(name.lower())


def curl(*args, cacert=None):
    _n[0] += 1
    hf, bf = os.path.join(TMP, "h%d" % _n[0]), os.path.join(TMP, "b%d" % _n[0])
    cmd = ["curl", "-sS", "--cacert", cacert or ENV["EMU_CA_FILE"], "-D", hf, "-o", bf,
           "-w", "%{http_code}"] + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=40)
    headers = {}
    if os.path.exists(hf):
        with open(hf, "rb") as f:
            for line in f.read().decode("latin-1").split("\r\n"):
                if ":" in line and not line.startswith("HTTP/"):
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
    body = b""
    if os.path.exists(bf):
        with open(bf, "rb") as f:
            body = f.read()
    status = int(p.stdout.strip() or 0) if p.stdout.strip().isdigit() else 0
    return R(p.returncode, status, headers, body, p.stderr)


def iam_post(data, auth="bx:bx", extra=()):
    args = ["-X", "POST", ENV["IBMCLOUD_IAM_API_ENDPOINT"] + "/identity/token",
            "-H", "Content-Type: application/x-www-form-urlencoded", "-H", "Accept: application/json"]
    if auth:
        args += ["-u", auth]
    for k, v in data.items():
        args += ["--data-urlencode", "%s=%s" % (k, v)]
    return curl(*(args + list(extra)))


def apikey_token(auth="bx:bx", **more):
    d = {"grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": ENV["EMU_APIKEY"]}
    d.update(more)
    r = iam_post(d, auth)
    eq(r.status, 200, "apikey token status (%s)" % r.body[:200])
    return r.json()


def user_token(user="EMU_USER", pw="EMU_PASSWORD", **more):
    d = {"grant_type": "password", "username": ENV[user], "password": ENV[pw]}
    d.update(more)
    r = iam_post(d)
    eq(r.status, 200, "password token status (%s)" % r.body[:200])
    return r.json()


def claims(jwt):
    p = jwt.split(".")
    eq(len(p), 3, "JWT parts")
    s = p[1] + "=" * (-len(p[1]) % 4)
    return json.loads(base64.urlsafe_b64decode(s))


def cs_get(path, token, region=None, extra=()):
    args = [ENV["IBMCLOUD_CS_API_ENDPOINT"] + path, "-H", "Authorization: Bearer " + token]
    if region:
        args += ["-H", "X-Region: " + region]
    return curl(*(args + list(extra)))


def control(path, obj=None, method="POST"):
    data = json.dumps(obj).encode() if obj is not None else (b"" if method == "POST" else None)
    req = urllib.request.Request(ENV["EMU_CONTROL"] + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def fault(**f):
    st, body = control("/control/fault", f)
    eq(st, 200, "fault accepted (%s)" % body)


def tls_ctx(cafile=None, maxver=None):
    ctx = ssl.create_default_context(cafile=cafile or ENV["EMU_CA_FILE"])
    if maxver:
        ctx.maximum_version = maxver
    return ctx


def raw(url, request, ctx=None, session=None, to_eof=False):
    """Sends raw bytes over TLS, reads to EOF (or 3 s idle). Returns (bytes, session, reused)."""
    u = urllib.parse.urlsplit(url)
    s = socket.create_connection((u.hostname, u.port), timeout=5)
    ss = (ctx or tls_ctx()).wrap_socket(s, server_hostname=u.hostname, session=session)
    ss.sendall(request)
    out = b""
    try:
        while True:
            d = ss.recv(65536)
            if not d:
                break
            out += d
            if b"\r\n\r\n" in out:
                head, _, rest = out.partition(b"\r\n\r\n")
                m = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
                if m and len(rest) >= int(m[0].split(b":")[1]) and not to_eof:
                    break
    except (socket.timeout, ConnectionResetError, ssl.SSLError):
        pass
    sess, reused = ss.session, ss.session_reused
    ss.close()
    return out, sess, reused


def log_events():
    with open(ENV["EMU_LOG"]) as f:
        return [json.loads(l) for l in f if l.strip()]


def rsa_verify_jwt(jwt, jwks):
    h, p, s = jwt.split(".")
    hdr = json.loads(base64.urlsafe_b64decode(h + "=" * (-len(h) % 4)))
    key = [k for k in jwks["keys"] if k["kid"] == hdr["kid"]][0]
    dec = lambda x: int.from_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)), "big")
    n, e = dec(key["n"]), dec(key["e"])
    sig = dec(s)
    k = (n.bit_length() + 7) // 8
    em = pow(sig, e, n).to_bytes(k, "big")
    t = bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256((h + "." + p).encode()).digest()
    return em == b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t


def check_iam_error(r, status, code):
    eq(r.status, status, "status for %s (%s)" % (code, r.body[:300]))
    b = r.json()
    eq(b.get("errorCode"), code, "errorCode")
    check(b.get("errorMessage"), "errorMessage present")
    check(b["context"]["requestId"], "context.requestId")
    eq(r.h("transaction-id"), b["context"]["requestId"], "transaction-id header")
    eq(r.h("ibm-cloud-service-name"), "iam-identity", "service name header")
    eq(r.h("cache-control"), "no-cache, no-store, must-revalidate", "cache-control")
    check(r.h("x-request-id") and r.h("x-correlation-id"), "x-request-id/x-correlation-id")
    check(r.h("content-type").startswith("application/json"), "content-type json")
    return b


def check_cs_error(r, status, code):
    eq(r.status, status, "status for %s (%s)" % (code, r.body[:300]))
    b = r.json()
    eq(b.get("code"), code, "code")
    for k in ("incidentID", "description", "type"):
        check(b.get(k), "%s present" % k)
    return b


S = {}      # shared state between guide steps


# ---------------------------------------------------------------- the guide

@test
def guide_01_apikey_token():
    t = apikey_token()
    for k in ("access_token", "refresh_token", "token_type", "expires_in", "expiration", "scope",
              "ims_user_id", "refresh_token_expiration"):
        check(k in t, "field %s" % k)
    eq(t["token_type"], "Bearer", "token_type")
    c = claims(t["access_token"])
    eq(c["exp"] - c["iat"], t["expires_in"], "expires_in vs claims")
    eq(c["exp"], t["expiration"], "expiration vs exp")
    eq(c["account"]["bss"], ENV["EMU_ACCOUNT"], "apikey token scoped to its account")
    eq(c["sub_type"], "ServiceId", "sub_type")
    eq(c["iss"], "https://iam.cloud.ibm.com/identity", "iss")
    eq(c["client_id"], "bx", "client_id")
    rc = claims(t["refresh_token"])
    check(rc["exp"] == t["refresh_token_expiration"], "refresh exp")
    eq(json.loads(base64.urlsafe_b64decode(t["refresh_token"].split(".")[0] + "==")), {"alg": "rt"}, "rt header")
    r = curl(ENV["IBMCLOUD_IAM_API_ENDPOINT"] + "/identity/keys")
    check(rsa_verify_jwt(t["access_token"], r.json()), "access token verifies with JWKS")
    r = curl(ENV["IBMCLOUD_IAM_API_ENDPOINT"] + "/identity/.well-known/openid-configuration")
    check(r.json()["token_endpoint"].startswith(ENV["IBMCLOUD_IAM_API_ENDPOINT"]), "openid token_endpoint")
    S["apikey"] = t


@test
def guide_02_apikey_without_basic_has_no_refresh():
    t = apikey_token(auth=None)
    eq(t["refresh_token"], "not_supported", "refresh_token")
    check("refresh_token_expiration" not in t, "no refresh_token_expiration")
    eq(claims(t["access_token"])["client_id"], "default", "client_id")
    r = iam_post({"grant_type": "refresh_token", "refresh_token": "not_supported"})
    check_iam_error(r, 400, "BXNIM0407E")


@test
def guide_03_accounts_paginated():
    t = user_token()
    S["user"] = t
    check("bss" not in claims(t["access_token"])["account"], "password token not account-scoped")
    base = ENV["IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT"]
    r = curl(base + "/coe/v2/accounts", "-H", "Authorization: Bearer " + t["access_token"])
    eq(r.status, 200, "accounts page 1")
    p1 = r.json()
    eq(p1["total_results"], 3, "total_results")
    eq(len(p1["resources"]), 2, "page size")
    check(p1["next_url"] and p1["next_url"].startswith("/coe/v2/accounts?"), "next_url path")
    r = curl(base + p1["next_url"], "-H", "Authorization: Bearer " + t["access_token"])
    p2 = r.json()
    eq(len(p2["resources"]), 1, "page 2 size")
    eq(p2["next_url"], None, "last next_url")
    ids = [x["metadata"]["guid"] for x in p1["resources"] + p2["resources"]]
    eq(ids[0], ENV["EMU_ACCOUNT"], "first account")
    eq(len(set(ids)), 3, "distinct accounts")
    check(all(len(i) == 32 for i in ids), "32-hex guids")
    check(p1["resources"][0]["entity"]["name"], "entity.name")
    S["accounts"] = ids
    r = curl(base + "/v1/accounts", "-H", "Authorization: Bearer " + t["access_token"])
    v1 = r.json()
    for k in ("total_results", "total_pages", "prev_url", "next_url", "resources"):
        check(k in v1, "v1 envelope %s" % k)
    eq(v1["total_pages"], 2, "v1 total_pages")
    r = curl(base + "/coe/v2/accounts")
    eq(r.status, 401, "accounts without bearer")
    r = curl(base + "/coe/v2/accounts", "-H", "Authorization: Bearer garbage.token.here")
    eq(r.status, 401, "accounts with garbled bearer")
    t1 = user_token("EMU_USER1", "EMU_PASSWORD1")
    r = curl(base + "/coe/v2/accounts", "-H", "Authorization: Bearer " + t1["access_token"])
    eq(r.json()["total_results"], 1, "user1 has one account")
    control("/control/config", {"next_url_base": "https://127.0.0.1:9/"})
    try:
        r = curl(base + "/coe/v2/accounts", "-H", "Authorization: Bearer " + t["access_token"])
        check(r.json()["next_url"].startswith("https://127.0.0.1:9/coe/v2/accounts?"),
              "next_url_base makes next_url absolute")
    finally:
        control("/control/config", {"next_url_base": ""})
    r = curl(base + "/coe/v2/accounts", "-H", "Authorization: Bearer " + t["access_token"])
    check(r.json()["next_url"].startswith("/coe/v2/accounts?"), "next_url_base reset")


@test
def guide_04_scoped_token_via_refresh():
    acct2 = S["accounts"][1]
    r = iam_post({"grant_type": "refresh_token", "refresh_token": S["user"]["refresh_token"],
                  "bss_account": acct2})
    eq(r.status, 200, "refresh with bss_account")
    eq(claims(r.json()["access_token"])["account"]["bss"], acct2, "scoped to account 2")
    r = iam_post({"grant_type": "refresh_token", "refresh_token": S["user"]["refresh_token"],
                  "bss_account": ENV["EMU_ACCOUNT"]})
    t = r.json()
    eq(claims(t["access_token"])["account"]["bss"], ENV["EMU_ACCOUNT"], "scoped to account 1")
    S["scoped"] = t
    t = user_token(account=ENV["EMU_ACCOUNT"])
    eq(claims(t["access_token"])["account"]["bss"], ENV["EMU_ACCOUNT"], "password grant with account")
    t1 = user_token("EMU_USER1", "EMU_PASSWORD1")
    r = iam_post({"grant_type": "refresh_token", "refresh_token": t1["refresh_token"], "bss_account": acct2})
    check_iam_error(r, 400, "BXNIM0141E")


@test
def guide_05_regions_and_versions():
    r = curl(ENV["IBMCLOUD_CS_API_ENDPOINT"] + "/v1/regions")
    eq(r.status, 200, "regions")
    names = {x["name"]: x["alias"] for x in r.json()["regions"]}
    eq(names.get("eu-central"), "eu-de", "eu-central alias")
    check("us-south" in names, "us-south")
    r = curl(ENV["IBMCLOUD_CS_API_ENDPOINT"] + "/v1/versions")
    eq(r.status, 200, "versions without auth")
    v = r.json()
    check(v["kubernetes"] and v["openshift"], "both version lists")
    check(any(x["default"] for x in v["kubernetes"]), "a default version")


@test
def guide_06_clusters():
    at, rt = S["scoped"]["access_token"], S["scoped"]["refresh_token"]
    r = cs_get("/v1/clusters", at, "us-south", ("-H", "X-Auth-Refresh-Token: " + rt))
    eq(r.status, 200, "clusters us-south")
    cl = r.json()
    eq([c["name"] for c in cl], [ENV["EMU_CLUSTER"]], "us-south clusters")
    c = cl[0]
    for k in ("id", "name", "region", "dataCenter", "location", "type", "state", "status", "masterKubeVersion",
              "targetVersion", "masterHealth", "masterState", "masterStatus", "createdDate", "workerCount",
              "workerZones", "multiAzCapable", "isPaid", "resourceGroup", "resourceGroupName", "crn", "podSubnet",
              "serviceSubnet", "publicServiceEndpointEnabled", "publicServiceEndpointURL",
              "privateServiceEndpointEnabled", "privateServiceEndpointURL", "serverURL", "masterURL",
              "ingressHostname", "ingressSecretName", "addons", "vlans", "worker_vlans", "versionEOS", "provider"):
        check(k in c, "cluster field %s" % k)
    eq(c["type"], "kubernetes", "type")
    eq(c["id"], ENV["EMU_CLUSTER_ID"], "cluster id")
    r = cs_get("/v1/clusters", at)
    allc = {x["name"]: x for x in r.json()}
    eq(len(allc), 3, "all regions")
    eq(allc[ENV["EMU_OPENSHIFT_CLUSTER"]]["type"], "openshift", "openshift type")
    vpc = [x for x in allc.values() if x["provider"] == "vpc-gen2"][0]
    eq(vpc["serverURL"], "", "vpc serverURL empty")
    check(vpc["masterURL"].startswith("https://127.0.0.1:"), "vpc masterURL")
    r = cs_get("/v1/clusters", at, "eu-central")
    eq([x["type"] for x in r.json()], ["openshift"], "X-Region alias eu-central")
    r = cs_get("/v1/clusters", S["user"]["access_token"])
    check(r.status in (401, 403), "unscoped token refused (%d)" % r.status)
    check_cs_error(r, r.status, r.json()["code"])


@test
def guide_07_delegated_and_id_token():
    r = iam_post({"grant_type": "refresh_token", "refresh_token": S["scoped"]["refresh_token"],
                  "response_type": "delegated_refresh_token", "receiver_client_ids": "kube",
                  "delegated_refresh_token_expiry": "600"})
    eq(r.status, 200, "delegated refresh token")
    drt = r.json()["delegated_refresh_token"]
    check("access_token" not in r.json(), "only the delegated token")
    dc = claims(drt)
    eq(dc["exp"] - dc["iat"], 600, "delegated_refresh_token_expiry honoured")
    r = iam_post({"grant_type": "urn:ibm:params:oauth:grant-type:delegated-refresh-token",
                  "refresh_token": drt}, auth="kube:kube")
    eq(r.status, 200, "id_token exchange")
    b = r.json()
    for k in ("access_token", "id_token", "refresh_token", "token_type", "expires_in", "expiration", "scope"):
        check(k in b, "kube field %s" % k)
    check("containers-kubernetes" in b["scope"], "scope")
    c = claims(b["id_token"])
    eq(c["aud"], "kube", "aud")
    check(("sub_" + ENV["EMU_ACCOUNT"]) in c and ("iam_id_" + ENV["EMU_ACCOUNT"]) in c, "per-account claims")
    S["id_token"] = b["id_token"]
    S["kube_rt"] = b["refresh_token"]
    r = iam_post({"grant_type": "urn:ibm:params:oauth:grant-type:delegated-refresh-token",
                  "refresh_token": drt}, auth="bx:bx")
    eq(r.status, 400, "delegated token refused for a non-receiver")
    # kubectl's oidc refresh: refresh_token grant as kube:kube returns an id_token
    r = iam_post({"grant_type": "refresh_token", "refresh_token": S["kube_rt"]}, auth="kube:kube")
    eq(r.status, 200, "kube refresh")
    check("id_token" in r.json(), "kube refresh returns id_token")


@test
def guide_08_cluster_get_and_workers():
    at = S["scoped"]["access_token"]
    for key in (ENV["EMU_CLUSTER"], ENV["EMU_CLUSTER_ID"]):
        r = cs_get("/v1/clusters/" + key, at)
        eq(r.status, 200, "cluster get %s" % key)
        c = r.json()
        eq(c["id"], ENV["EMU_CLUSTER_ID"], "cluster id")
        check(c["publicServiceEndpointURL"] and c["privateServiceEndpointURL"] and c["masterURL"], "endpoints")
        S["cluster"] = c
    r = cs_get("/v1/clusters/%s/workers" % ENV["EMU_CLUSTER"], at)
    w = r.json()
    eq(len(w), 3, "workers")
    for k in ("id", "state", "status", "errorMessage", "kubeVersion", "targetVersion", "machineType",
              "privateIP", "publicIP", "privateVlan", "publicVlan", "location", "poolid", "poolName", "isolation"):
        check(k in w[0], "worker field %s" % k)


@test
def guide_09_config_zip():
    r = cs_get("/v1/clusters/%s/config" % ENV["EMU_CLUSTER"], S["scoped"]["access_token"])
    eq(r.status, 200, "config")
    check(r.h("content-type") in ("application/zip", "application/octet-stream"), "zip content type")
    data = r.body
    eq(data[:4], b"PK\x03\x04", "zip magic")
    check(b"PK\x07\x08" in data, "data descriptors present")
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()
    folder = names[0]
    check(folder.startswith("kube") and folder.endswith("/"), "kube folder %s" % folder)
    files = [i for i in z.infolist() if not i.filename.endswith("/")]
    for i in files:
        eq(i.compress_type, zipfile.ZIP_DEFLATED, "deflated")
        check(i.flag_bits & 0x8, "flag bit 3 on %s" % i.filename)
        off = i.header_offset
        lh = struct.unpack("<IHHHHHIII", data[off:off + 26])
        eq(lh[6:9], (0, 0, 0), "zero crc/sizes in local header")
    ca = [n for n in names if os.path.basename(n).startswith("ca-") and n.endswith(".pem")]
    yml = [n for n in names if n.endswith(".yml")]
    eq(len(ca), 1, "one ca-*.pem")
    eq(len(yml), 1, "one *.yml")
    check(os.path.basename(yml[0]).startswith("kube-config-"), "kube-config- name")
    y = z.read(yml[0]).decode()
    check("certificate-authority: " + os.path.basename(ca[0]) in y, "yml points at ca file")
    check("id-token: " in y and "refresh-token" not in y, "id-token, no refresh-token")
    check("server: " + S["cluster"]["publicServiceEndpointURL"] in y, "server")
    capath = os.path.join(TMP, "cluster-ca.pem")
    with open(capath, "wb") as f:
        f.write(z.read(ca[0]))
    S["cluster_ca"] = capath
    S["kubeconfig_yml"] = y
    # the cluster CA verifies both masters; the shared CA file does not
    for url in (S["cluster"]["publicServiceEndpointURL"], S["cluster"]["privateServiceEndpointURL"]):
        out, _, _ = raw(url, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", tls_ctx(capath))
        check(out.startswith(b"HTTP/1.1 401"), "master answers over cluster-CA-verified TLS")
    try:
        raw(S["cluster"]["publicServiceEndpointURL"], b"GET / HTTP/1.1\r\n\r\n", tls_ctx())
        raise AssertionError("master verified with EMU_CA_FILE; cluster CA must be separate")
    except ssl.SSLCertVerificationError:
        pass


@test
def guide_10_master_version():
    url = S["cluster"]["publicServiceEndpointURL"]
    r = curl(url + "/version", "-H", "Authorization: Bearer " + S["id_token"], cacert=S["cluster_ca"])
    eq(r.status, 200, "version")
    v = r.json()
    check(v["gitVersion"].startswith("v1.") and v["major"] == "1", "version body")
    unauth = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
              "message": "Unauthorized", "reason": "Unauthorized", "code": 401}
    r = curl(url + "/version", cacert=S["cluster_ca"])
    eq((r.status, r.json()), (401, unauth), "no token")
    r = curl(url + "/version", "-H", "Authorization: Bearer " + S["scoped"]["access_token"], cacert=S["cluster_ca"])
    eq((r.status, r.json()), (401, unauth), "access token is not an id_token")
    bad = S["id_token"][:-4] + ("AAAA" if not S["id_token"].endswith("AAAA") else "BBBB")
    r = curl(url + "/version", "-H", "Authorization: Bearer " + bad, cacert=S["cluster_ca"])
    eq(r.status, 401, "forged id_token")
    r = curl(url + "/api/v1/namespaces", "-H", "Authorization: Bearer " + S["id_token"], cacert=S["cluster_ca"])
    eq(r.json()["kind"], "NamespaceList", "namespaces")


@test
def guide_11_kubectl_get_namespaces():
    kubectl = shutil.which("kubectl")
    if not kubectl:
        print("  (kubectl not installed; skipped)")
        return
    kdir = os.path.join(TMP, "kube")
    os.makedirs(kdir, exist_ok=True)
    yml = S["kubeconfig_yml"].replace("certificate-authority: ", "certificate-authority: %s/" % kdir, 1)
    shutil.copy(S["cluster_ca"], os.path.join(kdir, yml.split("certificate-authority: %s/" % kdir)[1].split("\n")[0]))
    kc = os.path.join(kdir, "config.yml")
    with open(kc, "w") as f:
        f.write(yml)
    p = subprocess.run([kubectl, "--kubeconfig", kc, "get", "namespaces"], capture_output=True, text=True, timeout=30)
    eq(p.returncode, 0, "kubectl rc (%s)" % p.stderr[-300:])
    check("kube-system" in p.stdout and "default" in p.stdout, "kubectl lists namespaces")


@test
def guide_12_cr_token_and_passcode():
    with open(ENV["EMU_CR_TOKEN_FILE"]) as f:
        cr = f.read().strip()
    for sel in ({"profile_id": ENV["EMU_PROFILE_ID"]}, {"profile_name": ENV["EMU_PROFILE_NAME"]}):
        d = {"grant_type": "urn:ibm:params:oauth:grant-type:cr-token", "cr_token": cr}
        d.update(sel)
        r = iam_post(d, auth=None)
        eq(r.status, 200, "cr-token %s (%s)" % (sel, r.body[:200]))
        b = r.json()
        check("refresh_token" not in b, "no refresh token for cr-token")
        eq(claims(b["access_token"])["sub_type"], "Profile", "Profile sub_type")
        eq(claims(b["access_token"])["account"]["bss"], ENV["EMU_ACCOUNT"], "profile account")
    r = iam_post({"grant_type": "urn:ibm:params:oauth:grant-type:cr-token", "cr_token": cr,
                  "profile_name": "no-such-profile"}, auth=None)
    eq(r.status, 400, "wrong profile")
    r = iam_post({"grant_type": "urn:ibm:params:oauth:grant-type:cr-token", "cr_token": cr[:-3] + "xyz",
                  "profile_name": ENV["EMU_PROFILE_NAME"]}, auth=None)
    eq(r.status, 400, "forged cr token")
    st, pc = control("/control/passcode")
    pc = pc.decode().strip()
    for code, want in ((ENV["EMU_PASSCODE"], 200), (pc, 200), (pc, 400)):
        r = iam_post({"grant_type": "urn:ibm:params:oauth:grant-type:passcode", "passcode": code})
        eq(r.status, want, "passcode %s" % code)
        if want == 200:
            check("bss" not in claims(r.json()["access_token"])["account"], "passcode token unscoped")
    check_iam_error(r, 400, "BXNIM0602E")
    r = iam_post({"grant_type": "urn:ibm:params:oauth:grant-type:passcode", "passcode": control("/control/passcode")[1].decode().strip(),
                  "account": ENV["EMU_ACCOUNT"]})
    eq(claims(r.json()["access_token"])["account"]["bss"], ENV["EMU_ACCOUNT"], "passcode with account")


# ---------------------------------------------------------------- errors

@test
def error_BXNIM0415E_unknown_apikey():
    r = iam_post({"grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": "FAKE-no-such-key"})
    b = check_iam_error(r, 400, "BXNIM0415E")
    eq(b["errorMessage"], "Provided API key could not be found.", "message")


@test
def error_BXNIM0602E_wrong_password():
    r = iam_post({"grant_type": "password", "username": ENV["EMU_USER"], "password": "FAKE-wrong"})
    check_iam_error(r, 400, "BXNIM0602E")


@test
def error_BXNIM0308E_password_without_basic():
    r = iam_post({"grant_type": "password", "username": ENV["EMU_USER"], "password": ENV["EMU_PASSWORD"]}, auth=None)
    b = check_iam_error(r, 400, "BXNIM0308E")
    eq(b["errorMessage"], "No authorization header found", "message")


@test
def error_BXNIM0106E_uaa():
    r = iam_post({"grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": ENV["EMU_APIKEY"],
                  "response_type": "uaa cloud_iam"})
    b = check_iam_error(r, 400, "BXNIM0106E")
    check("'[uaa, cloud_iam]'" in b["errorMessage"], "message names the values: %s" % b["errorMessage"])
    r = iam_post({"grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": ENV["EMU_APIKEY"],
                  "response_type": "cloud_iam"})
    eq(r.status, 200, "cloud_iam accepted")


@test
def error_BXNIM0109E_missing_content_length_and_not_form():
    u = urllib.parse.urlsplit(ENV["IBMCLOUD_IAM_API_ENDPOINT"])
    body = "grant_type=urn:ibm:params:oauth:grant-type:apikey&apikey=" + ENV["EMU_APIKEY"]
    req = ("POST /identity/token HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"
           "Accept: application/json\r\n\r\n%s" % (u.netloc, body)).encode()
    out, _, _ = raw(ENV["IBMCLOUD_IAM_API_ENDPOINT"], req)
    head, _, b = out.partition(b"\r\n\r\n")
    check(head.startswith(b"HTTP/1.1 400"), "400 without Content-Length: %r" % head[:40])
    eq(json.loads(b)["errorCode"], "BXNIM0109E", "errorCode")
    r = curl("-X", "POST", ENV["IBMCLOUD_IAM_API_ENDPOINT"] + "/identity/token", "-H", "Content-Type: application/json",
             "-d", json.dumps({"grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": ENV["EMU_APIKEY"]}))
    b = check_iam_error(r, 400, "BXNIM0109E")
    eq(b.get("errorDetails"), "Property 'grant_type' either missing or empty.", "details")
    r = iam_post({"apikey": ENV["EMU_APIKEY"]})
    check_iam_error(r, 400, "BXNIM0109E")


@test
def error_BXNIM0408E_expired_refresh_token():
    control("/control/config", {"refresh_ttl": 1})
    try:
        t = apikey_token()
    finally:
        control("/control/config", {"refresh_ttl": 30 * 86400})
    time.sleep(1.2)
    r = iam_post({"grant_type": "refresh_token", "refresh_token": t["refresh_token"]})
    b = check_iam_error(r, 400, "BXNIM0408E")
    eq(b["errorMessage"], "Provided refresh token is expired", "message")
    r = iam_post({"grant_type": "refresh_token", "refresh_token": t["refresh_token"][:-2] + "zz"})
    check_iam_error(r, 400, "BXNIM0407E")


@test
def error_G0004_A0003():
    at = S["scoped"]["access_token"]
    b = check_cs_error(cs_get("/v1/clusters/no-such-cluster", at), 404, "G0004")
    check(b.get("recoveryCLI"), "recoveryCLI")
    b = check_cs_error(cs_get("/v1/clusters", "not.a.token"), 401, "A0003")
    eq(b["type"], "Authentication", "type")
    check_cs_error(curl(ENV["IBMCLOUD_CS_API_ENDPOINT"] + "/v1/clusters"), 401, "A0003")
    # a cluster of another account is not visible
    check_cs_error(cs_get("/v1/clusters/fake-iks-other", at), 404, "G0004")


@test
def error_short_access_ttl_expires():
    control("/control/config", {"access_ttl": 1})
    try:
        t = apikey_token()
    finally:
        control("/control/config", {"access_ttl": 3600})
    eq(t["expires_in"], 1, "expires_in follows access_ttl")
    time.sleep(1.1)
    check_cs_error(cs_get("/v1/clusters", t["access_token"]), 401, "A0003")


# ---------------------------------------------------------------- faults

TOKEN_URL = None


def apikey_args():
    return ["-X", "POST", ENV["IBMCLOUD_IAM_API_ENDPOINT"] + "/identity/token", "-u", "bx:bx",
            "-H", "Content-Type: application/x-www-form-urlencoded",
            "-d", "grant_type=urn:ibm:params:oauth:grant-type:apikey&apikey=" + ENV["EMU_APIKEY"]]


@test
def fault_reset_kinds():
    for kind in ("reset", "reset_before_body", "reset_mid_body"):
        fault(service="iam", path="/identity/token", kind=kind)
        r = curl(*apikey_args())
        check(r.rc != 0, "%s: curl must fail (rc %d)" % (kind, r.rc))
        check(r.rc in (35, 52, 56, 18), "%s: curl rc %d %s" % (kind, r.rc, r.err))
    eq(curl(*apikey_args()).status, 200, "after the faults: normal")


@test
def fault_truncate():
    fault(service="accounts", kind="truncate")
    r = curl(ENV["IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT"] + "/coe/v2/accounts",
             "-H", "Authorization: Bearer " + S["scoped"]["access_token"])
    eq(r.rc, 18, "curl partial-file rc (%s)" % r.err)


@test
def fault_delay():
    fault(service="cs", path="/v1/versions", kind="delay", seconds=2)
    t0 = time.time()
    r = curl("--max-time", "1", ENV["IBMCLOUD_CS_API_ENDPOINT"] + "/v1/versions")
    eq(r.rc, 28, "timeout rc")
    check(time.time() - t0 < 1.8, "client gave up")


@test
def fault_status_429_503():
    fault(service="iam", path="/identity/token", kind="status", status=429, retry_after="3")
    r = curl(*apikey_args())
    eq(r.status, 429, "429")
    eq(r.h("retry-after"), "3", "Retry-After")
    check(r.json()["errorCode"].startswith("BXNIM"), "IAM-style body")
    fault(service="cs", kind="status", status=503, count=2)
    for _ in range(2):
        check_cs_error(curl(ENV["IBMCLOUD_CS_API_ENDPOINT"] + "/v1/regions"), 503, "A0002")
    eq(curl(ENV["IBMCLOUD_CS_API_ENDPOINT"] + "/v1/regions").status, 200, "count honoured")
    fault(service="master", kind="status", status=503)
    r = curl(S["cluster"]["publicServiceEndpointURL"] + "/version", cacert=S["cluster_ca"])
    eq((r.status, r.json()["kind"]), (503, "Status"), "master 503 Status")


@test
def fault_chunked():
    for size in (1, 7):
        fault(service="iam", path="/identity/token", kind="chunked", chunk_size=size)
        r = curl(*apikey_args())
        eq(r.status, 200, "chunked %d" % size)
        eq(r.h("transfer-encoding"), "chunked", "TE header")
        check(r.json()["access_token"], "decoded body")
    fault(service="cs", path="/v1/versions", kind="chunked", chunk_size=7)
    u = urllib.parse.urlsplit(ENV["IBMCLOUD_CS_API_ENDPOINT"])
    out, _, _ = raw(ENV["IBMCLOUD_CS_API_ENDPOINT"],
                    ("GET /global/v1/versions HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % u.netloc).encode())
    head, _, body = out.partition(b"\r\n\r\n")
    check(b"Transfer-Encoding: chunked" in head, "chunked header")
    check(body.startswith(b"7;") and b"X-Emulator-Trailer: done\r\n\r\n" in body, "extensions and trailer")


@test
def fault_close():
    fault(service="cs", path="/v1/regions", kind="close")
    u = urllib.parse.urlsplit(ENV["IBMCLOUD_CS_API_ENDPOINT"])
    t0 = time.time()
    out, _, _ = raw(ENV["IBMCLOUD_CS_API_ENDPOINT"],
                    ("GET /global/v1/regions HTTP/1.1\r\nHost: %s\r\n\r\n" % u.netloc).encode(), to_eof=True)
    check(time.time() - t0 < 3, "server closed the connection (EOF, not idle timeout)")
    check(b"Connection: close" in out.partition(b"\r\n\r\n")[0], "Connection: close sent")
    time.sleep(0.1)
    ev = log_events()
    req = [e for e in ev if e.get("event") == "request" and e.get("fault") == "close"][-1]
    check([e for e in ev if e.get("event") == "close" and e.get("conn") == req["conn"]], "close logged")


@test
def fault_big():
    fault(service="cs", kind="big")
    r = cs_get("/v1/clusters", S["scoped"]["access_token"])
    eq(r.status, 200, "big status")
    check(len(r.body) >= 5 * 1024 * 1024, "5 MB (%d)" % len(r.body))
    check(len(r.json()) > 100, "many clusters")
    check(len(cs_get("/v1/clusters", S["scoped"]["access_token"]).body) < 100000, "next list normal")


@test
def fault_expire_tokens():
    t = apikey_token()
    eq(cs_get("/v1/clusters", t["access_token"]).status, 200, "valid before")
    fault(kind="expire_tokens")
    check_cs_error(cs_get("/v1/clusters", t["access_token"]), 401, "A0003")
    r = iam_post({"grant_type": "refresh_token", "refresh_token": t["refresh_token"]})
    eq(r.status, 200, "refresh still works")
    eq(cs_get("/v1/clusters", r.json()["access_token"]).status, 200, "new token valid")
    fault(kind="expire_tokens", refresh=True)
    check_iam_error(iam_post({"grant_type": "refresh_token", "refresh_token": r.json()["refresh_token"]}),
                    400, "BXNIM0408E")
    S["scoped"] = apikey_token()


@test
def fault_bad_json_many_tokens_big_header():
    fault(service="iam", kind="bad_json", path="/identity/token")
    r = curl(*apikey_args())
    eq(r.status, 200, "bad_json status")
    try:
        json.loads(r.body)
        raise AssertionError("bad_json body parsed")
    except ValueError:
        pass
    fault(service="iam", kind="many_tokens", path="/identity/token")
    r = curl(*apikey_args())
    b = r.json()
    check(b["access_token"] and len(b["emulator_padding"]) >= 100000, "many tokens")
    fault(service="cs", kind="big_header")
    r = curl(ENV["IBMCLOUD_CS_API_ENDPOINT"] + "/v1/versions")
    check(len(r.h("x-emulator-padding") or "") > 16384, "header over 16 KB")


@test
def fault_body_and_cluster_rename():
    fault(service="cs", kind="body", path="/v1/versions", body="[1,2]")
    r = curl(ENV["IBMCLOUD_CS_API_ENDPOINT"] + "/v1/versions")
    eq((r.status, r.body), (200, b"[1,2]"), "body fault replaces the body")
    st, _ = control("/control/fault", {"kind": "body"})
    eq(st, 400, "body fault needs a body")
    st, body = control("/control/cluster", {"id": ENV["EMU_CLUSTER_ID"], "name": "fake-renamed"})
    eq(st, 200, "rename")
    t = apikey_token()
    r = cs_get("/v1/clusters/" + ENV["EMU_CLUSTER_ID"], t["access_token"])
    eq(r.json()["name"], "fake-renamed", "renamed cluster")
    st, _ = control("/control/cluster", {"id": ENV["EMU_CLUSTER_ID"], "name": ENV["EMU_CLUSTER"]})
    eq(st, 200, "rename back")
    st, _ = control("/control/cluster", {"id": "nosuch", "name": "x"})
    eq(st, 400, "unknown cluster refused")


@test
def fault_control_reset_and_validation():
    fault(service="cs", path="/v1/versions", kind="status", status=500, count=5)
    st, _ = control("/control/reset")
    eq(st, 200, "reset")
    eq(curl(ENV["IBMCLOUD_CS_API_ENDPOINT"] + "/v1/versions").status, 200, "faults cleared")
    st, _ = control("/control/fault", {"kind": "no_such_kind"})
    eq(st, 400, "unknown kind refused")
    st, body = control("/control/stats", method="GET")
    s = json.loads(body)
    check(s["handshakes"]["full"] > 0 and s["grants"].get("refresh_token", 0) > 0, "stats counts")


# ---------------------------------------------------------------- log, keep-alive, resumption

@test
def log_resumption_tls13_and_tls12():
    u = urllib.parse.urlsplit(ENV["IBMCLOUD_IAM_API_ENDPOINT"])
    req = ("GET /identity/keys HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % u.netloc).encode()
    for maxver, name in ((None, "TLSv1.3"), (ssl.TLSVersion.TLSv1_2, "TLSv1.2")):
        ctx = tls_ctx(maxver=maxver)
        out, sess, reused = raw(ENV["IBMCLOUD_IAM_API_ENDPOINT"], req, ctx)
        check(out.startswith(b"HTTP/1.1 200") and not reused, "first connection full")
        out, _, reused = raw(ENV["IBMCLOUD_IAM_API_ENDPOINT"], req, ctx, session=sess)
        check(reused, "%s: second connection resumed" % name)
        time.sleep(0.1)
        conns = [e for e in log_events() if e.get("event") == "conn" and e.get("service") == "iam"]
        eq((conns[-1]["tls"], conns[-1]["resumed"]), (name, True), "log of resumed conn")
        eq((conns[-2]["tls"], conns[-2]["resumed"]), (name, False), "log of full conn")


@test
def log_keepalive_and_masking():
    u = urllib.parse.urlsplit(ENV["IBMCLOUD_CS_API_ENDPOINT"])
    one = "GET /global/v1/regions HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer FAKE-secret\r\n\r\n" % u.netloc
    two = "GET /global/v1/versions HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % u.netloc
    out, _, _ = raw(ENV["IBMCLOUD_CS_API_ENDPOINT"], (one + two).encode(), to_eof=True)
    eq(out.count(b"HTTP/1.1 200"), 2, "two responses on one connection")
    time.sleep(0.1)
    ev = log_events()
    reqs = [e for e in ev if e.get("event") == "request" and e.get("service") == "cs"][-2:]
    eq(reqs[0]["conn"], reqs[1]["conn"], "same connection id")
    eq(reqs[0]["headers"]["authorization"], "Bearer [masked]", "masked authorization")
    grants = [e for e in ev if e.get("event") == "request" and e.get("grant_type") == "refresh_token"]
    check(len(grants) >= 3, "refreshes countable")
    with open(ENV["EMU_LOG"]) as f:
        text = f.read()
    for secret in (ENV["EMU_APIKEY"], ENV["EMU_PASSWORD"], "FAKE-secret", S["scoped"]["access_token"][-30:]):
        check(secret not in text, "secret leaked into log")


@test
def zz_stop():
    p = subprocess.run([os.path.join(HERE, "emu.sh"), "stop", EMU_DIR], capture_output=True, text=True, timeout=20)
    eq(p.returncode, 0, "emu.sh stop (%s)" % p.stderr)
    try:
        os.kill(int(ENV["EMU_PID"]), 0)
        raise AssertionError("emulator still running")
    except ProcessLookupError:
        pass
    check(os.path.exists(os.path.join(EMU_DIR, "env")), "env left in place")
    ev = log_events()
    eq(ev[-1]["event"], "stop", "stop logged")


def main():
    t0 = time.time()
    p = subprocess.run([os.path.join(HERE, "emu.sh"), "start", EMU_DIR], capture_output=True, text=True, timeout=30)
    passed = failed = 0
    if p.returncode != 0:
        print("FAIL start: %s" % p.stderr)
        print("0 passed, 1 failed")
        return 1
    print("emulator started in %.1f s" % (time.time() - t0))
    with open(os.path.join(EMU_DIR, "env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            ENV[k] = v
    try:
        for fn in TESTS:
            try:
                fn()
                passed += 1
                print("ok   %s" % fn.__name__)
            except Exception as e:
                failed += 1
                print("FAIL %s: %s" % (fn.__name__, e))
                if not isinstance(e, AssertionError):
                    traceback.print_exc(file=sys.stdout)
    finally:
        subprocess.run([os.path.join(HERE, "emu.sh"), "stop", EMU_DIR], capture_output=True, timeout=20)
        if failed == 0:
            shutil.rmtree(TMP, ignore_errors=True)
        else:
            print("kept %s for inspection" % TMP)
    print("time %.1f s" % (time.time() - t0))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
