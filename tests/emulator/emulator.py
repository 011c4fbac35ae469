#!/usr/bin/env python3
"""Local IBM Cloud emulator for iksctl's tests, benchmark and demo.

Serves, over real TLS on 127.0.0.1 (one ephemeral port each): IAM (ECDSA P-384 chain),
Account Management and Kubernetes Service (RSA-2048 chain, containers under /global),
one public and one private Kubernetes master per cluster (each signed by the cluster's
own CA, delivered only inside the cluster's config zip), and a plain-HTTP control
endpoint for faults, passcodes, config and stats. Facts follow /work/shared/IBM-API.md.
Python 3 standard library only, plus the `openssl` command for keys and certificates.
State lives in memory; DIR receives the certificates, `env` and `log.jsonl`.
See README.md beside this file.
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import http.server
import json
import os
import secrets
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import types
import urllib.parse
import uuid
import zlib

import lifecycle

# ---------------------------------------------------------------- helpers

ISS = "https://iam.cloud.ibm.com/identity"
FAULT_KINDS = ("reset", "reset_before_body", "reset_mid_body", "truncate", "delay",
               "status", "chunked", "close", "big", "expire_tokens", "bad_json",
               "many_tokens", "big_header", "body") + lifecycle.FAULT_KINDS
SERVICES = ("iam", "accounts", "cs", "master")


def b64u(b):
    if isinstance(b, str):
        b = b.encode()
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64u_dec(s):
    s = s + "=" * (-len(s) % 4)
    return base64.urlsafe_b64decode(s.encode())


def jdump(o):
    return json.dumps(o, separators=(",", ":"))


def go_json(o):
    """JSON as Go's encoding/json writes it (<, >, & escaped)."""
    s = jdump(o)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def iso_now():
    t = datetime.datetime.now(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def rand_id(n=20):
    alpha = "abcdefghijklmnopqrstuv0123456789"
    return "".join(secrets.choice(alpha) for _ in range(n))


def ossl(*args):
    r = subprocess.run(("openssl",) + args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (args[0], r.stderr.strip()))
    return r.stdout


# ---------------------------------------------------------------- certificates

def make_ca(d, name, keyspec, subj, parent=None, pathlen=None, md="-sha256"):
    key, crt = os.path.join(d, name + "-key.pem"), os.path.join(d, name + ".pem")
    bc = "basicConstraints=critical,CA:TRUE" + (",pathlen:%d" % pathlen if pathlen is not None else "")
    args = ["req", "-x509", "-nodes", "-days", "3650", "-subj", subj,
            "-keyout", key, "-out", crt, "-addext", bc,
            "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature", md] + keyspec
    if parent:
        args += ["-CA", parent[1], "-CAkey", parent[0]]
    ossl(*args)
    return key, crt


def make_leaf(d, name, keyspec, subj, parent, rsa=False, md="-sha256"):
    key, crt = os.path.join(d, name + "-key.pem"), os.path.join(d, name + ".pem")
    ku = "digitalSignature,keyEncipherment" if rsa else "digitalSignature"
    ossl("req", "-x509", "-nodes", "-days", "825", "-subj", subj,
         "-keyout", key, "-out", crt, "-CA", parent[1], "-CAkey", parent[0],
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-addext", "basicConstraints=critical,CA:FALSE",
         "-addext", "keyUsage=critical," + ku,
         "-addext", "extendedKeyUsage=serverAuth", md, *keyspec)
    return key, crt


EC384 = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"]
EC256 = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
RSA2048 = ["-newkey", "rsa:2048"]


def read(p):
    with open(p, "rb") as f:
        return f.read()


def write_file(p, data, mode=0o644):
    tmp = p + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.chmod(tmp, mode)
    os.replace(tmp, p)


# ---------------------------------------------------------------- RS256 signing

class RSAKey:
    """An RSA private key read via `openssl rsa -text`; PKCS#1 v1.5 SHA-256 signatures."""
    DI = bytes.fromhex("3031300d060960864801650304020105000420")

    def __init__(self, path):
        txt = ossl("rsa", "-in", path, "-noout", "-text")
        parts, cur = {}, None
        for line in txt.splitlines():
            if line.startswith("publicExponent:"):
                parts["e"] = int(line.split()[1])
                cur = None
            elif not line.startswith(" ") and line.endswith(":"):
                cur = line[:-1]
                parts[cur] = ""
            elif cur and line.startswith(" "):
                parts[cur] += line.strip().replace(":", "")
        h = lambda k: int(parts[k], 16)
        self.n, self.e, self.d = h("modulus"), parts["e"], h("privateExponent")
        self.p, self.q = h("prime1"), h("prime2")
        self.dp, self.dq, self.qi = h("exponent1"), h("exponent2"), h("coefficient")
        self.k = (self.n.bit_length() + 7) // 8

    def _em(self, msg):
        t = self.DI + hashlib.sha256(msg).digest()
        return int.from_bytes(b"\x00\x01" + b"\xff" * (self.k - len(t) - 3) + b"\x00" + t, "big")

    def sign(self, msg):
        m = self._em(msg)
        s1, s2 = pow(m, self.dp, self.p), pow(m, self.dq, self.q)
        s = s2 + ((self.qi * (s1 - s2)) % self.p) * self.q
        return s.to_bytes(self.k, "big")

    def verify(self, msg, sig):
        if len(sig) != self.k:
            return False
        return pow(int.from_bytes(sig, "big"), self.e, self.n) == self._em(msg)

    def jwk(self, kid):
        enc = lambda i: b64u(i.to_bytes((i.bit_length() + 7) // 8, "big"))
        return {"kty": "RSA", "n": enc(self.n), "e": enc(self.e), "alg": "RS256", "kid": kid, "use": "sig"}


# ---------------------------------------------------------------- Go-style zip

def go_zip(entries):
    """Zip bytes as Go's archive/zip Writer.Create writes them: directories stored without
    data descriptor; files deflated, flag bit 3 set, zero CRC/sizes in the local header,
    then a signed data descriptor; central directory; end record."""
    lt = time.localtime()
    dtime = (lt.tm_hour << 11) | (lt.tm_min << 5) | (lt.tm_sec // 2)
    ddate = ((lt.tm_year - 1980) << 9) | (lt.tm_mon << 5) | lt.tm_mday
    out, cd = bytearray(), bytearray()
    for name, data in entries:
        nb = name.encode()
        off = len(out)
        if data is None:
            flags, method, crc, csize, usize = 0, 0, 0, 0, 0
            out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, dtime, ddate,
                               0, 0, 0, len(nb), 0) + nb
        else:
            flags, method = 0x8, 8
            co = zlib.compressobj(6, zlib.DEFLATED, -15)
            comp = co.compress(data) + co.flush()
            crc, csize, usize = zlib.crc32(data) & 0xFFFFFFFF, len(comp), len(data)
            out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, dtime, ddate,
                               0, 0, 0, len(nb), 0) + nb
            out += comp
            out += struct.pack("<IIII", 0x08074B50, crc, csize, usize)
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, method, dtime, ddate,
                          crc, csize, usize, len(nb), 0, 0, 0, 0, 0, off) + nb
    n = len(entries)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(cd), len(out), 0)
    return bytes(out + cd + eocd)


# ---------------------------------------------------------------- errors

class Resp:
    def __init__(self, status, body=b"", ctype="application/json", headers=None, obj=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode()
        self.ctype = ctype
        self.headers = list(headers or [])
        self.obj = obj          # the JSON value behind body, for body faults


def json_resp(status, obj, headers=None, go=False):
    return Resp(status, go_json(obj) if go else jdump(obj), "application/json", headers, obj)


def iam_error(status, code, msg, details=None, req=None, extra=None):
    rid = "%s-%s" % (b64u(os.urandom(9)), uuid.uuid4().hex[:8])
    now = datetime.datetime.now(datetime.timezone.utc)
    ctx = {"clusterName": "iam-id-emu-us-south-dal10", "elapsedTime": str(secrets.randbelow(90) + 5),
           "endTime": now.strftime("%d.%m.%Y %H:%M:%S:") + "%03d UTC" % (now.microsecond // 1000),
           "host": "iamid-emu-7c9f6d8b5-x2k4p", "instanceId": "iamid-emu-7c9f6d8b5-x2k4p",
           "locale": "en_US", "requestId": rid, "requestType": "incoming.Identity_Token",
           "startTime": now.strftime("%d.%m.%Y %H:%M:%S:") + "%03d UTC" % (now.microsecond // 1000),
           "threadId": "%x" % secrets.randbits(24), "url": "https://iam.cloud.ibm.com",
           "userAgent": (req.headers.get("User-Agent", "") if req else "")}
    body = {"context": ctx, "errorCode": code, "errorMessage": msg}
    if details:
        body["errorDetails"] = details
    if extra:
        body.update(extra)
    return json_resp(status, body, iam_headers(rid))


def iam_headers(rid=None):
    rid = rid or "%s-%s" % (b64u(os.urandom(9)), uuid.uuid4().hex[:8])
    return [("transaction-id", rid), ("x-request-id", str(uuid.uuid4())),
            ("x-correlation-id", str(uuid.uuid4())), ("ibm-cloud-service-name", "iam-identity"),
            ("Cache-Control", "no-cache, no-store, must-revalidate"), ("Pragma", "no-cache")]


def missing(prop):
    return ("BXNIM0109E", "Property missing or empty.",
            "Property '%s' either missing or empty." % prop)


CS_ERRORS = {
    "G0004": (404, "The specified cluster could not be found. If applicable, make sure that you "
              "target the correct account and resource group.", "General",
              "To list the clusters you have access to, run 'ibmcloud ks cluster ls'. If the cluster "
              "is not listed, target the correct account with 'ibmcloud target -c <account_ID>'."),
    "A0003": (401, "Your IAM token could not be verified. Log in again and retry.", "Authentication",
              "To log in to IBM Cloud, run 'ibmcloud login'."),
    "A0006": (403, "The IAM token is not scoped to an account. Log in with an account-scoped token "
              "and try again.", "Authentication",
              "To target an account, run 'ibmcloud target -c <account_ID>'."),
    "A0002": (500, "Could not connect to a backend service. Try again later.", "General", ""),
    "G0007": (400, "The specified region is not valid.", "General",
              "To list available regions, run 'ibmcloud ks region ls'."),
    "G0000": (404, "The requested resource could not be found.", "General", ""),
    "A0429": (429, "The request frequency exceeded the rate limit. Try again later.", "General", ""),
}


def cs_error(code, status=None):
    st, desc, typ, rec = CS_ERRORS[code]
    body = {"incidentID": str(uuid.uuid4()), "code": code, "description": desc, "type": typ}
    if rec:
        body["recoveryCLI"] = rec
    return json_resp(status or st, body, [("X-Request-Id", body["incidentID"])], go=True)


def acct_error(status, code, msg):
    body = {"errors": [{"code": code, "message": msg, "more_info": ""}],
            "trace": uuid.uuid4().hex, "status_code": status}
    return json_resp(status, body, [("Transaction-Id", body["trace"])])


def kube_status(code, reason, message):
    return json_resp(code, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                            "status": "Failure", "message": message, "reason": reason, "code": code})


def fault_status_resp(svc, status, fault):
    reasons = {429: "TooManyRequests", 500: "InternalError", 502: "BadGateway",
               503: "ServiceUnavailable", 504: "GatewayTimeout"}
    if svc == "iam":
        if status == 429:
            r = iam_error(429, "BXNIM0429E", "Too many requests. Try again later.")
        else:
            r = iam_error(status, "BXNIM0002E", "Service temporarily unavailable. Try again later.")
    elif svc == "cs":
        r = cs_error("A0429" if status == 429 else "A0002", status)
    elif svc == "accounts":
        r = acct_error(status, "too_many_requests" if status == 429 else "service_unavailable",
                       "Too many requests" if status == 429 else "Service temporarily unavailable")
    else:
        r = kube_status(status, reasons.get(status, "InternalError"),
                        "the server is currently unable to handle the request")
    if fault.get("retry_after") is not None:
        r.headers.append(("Retry-After", str(fault["retry_after"])))
    if status == 429:
        r.headers += [("X-RateLimit-Limit", "100"), ("X-RateLimit-Remaining", "0"),
                      ("X-RateLimit-Reset", str(int(time.time()) + 1))]
    return r


# ---------------------------------------------------------------- the emulator state

class Emulator:
    def __init__(self, args):
        self.dir = os.path.abspath(args.dir)
        self.cfg = {"access_ttl": args.access_ttl, "refresh_ttl": args.refresh_ttl,
                    "id_token_ttl": args.id_token_ttl, "delegated_ttl": args.delegated_ttl,
                    "page_size": args.page_size, "big_clusters": bool(args.big_clusters),
                    "next_url_base": ""}
        self.lock = threading.Lock()
        self.secret = os.urandom(32)
        self.kid = time.strftime("%Y%m%d%H%M")
        self.log_f = open(os.path.join(self.dir, "log.jsonl"), "w", buffering=1)   # fresh per run
        self.faults, self.fault_seq = [], 0
        self.conn_seq = 0
        self.issued = {}            # jti -> (issue counter, kind)
        self.issue_seq = 0
        self.cutoff = {"access": 0, "refresh": 0}
        self.passcodes = {}
        self.stats = {"connections": {}, "handshakes": {"full": 0, "resumed": 0, "failed": 0},
                      "requests": {}, "grants": {}, "faults_fired": {}, "status": {}}
        self.urls = {}
        self.servers = []
        self._mk_identities()
        self.lc = lifecycle.Lifecycle(self, types.SimpleNamespace(
            json_resp=json_resp, Resp=Resp, cs_error=cs_error, kube_status=kube_status, make_ca=make_ca,
            make_leaf=make_leaf, EC256=EC256, read=read, rand_id=rand_id, Server=Server))

    # -------- identities, accounts, clusters
    def _mk_identities(self):
        self.accounts = []
        names = ["FAKE Account One", "FAKE Account Two", "FAKE Account Three"]
        for i, nm in enumerate(names):
            self.accounts.append({"guid": hashlib.md5(("fake-acct-%d" % i).encode()).hexdigest(),
                                  "name": nm, "created": "2019-0%d-1%dT18:44:57.115Z" % (i + 3, i)})
        a1, a2, a3 = (a["guid"] for a in self.accounts)
        u1 = str(uuid.UUID(hashlib.md5(b"svc").hexdigest()))
        self.apikey = "FAKE-apikey-" + b64u(os.urandom(18))
        self.idents = {}
        self.service_ids = {self.apikey: self._ident({
            "kind": "serviceid", "iam_id": "iam-ServiceId-" + u1, "id": "ServiceId-" + u1,
            "name": "fake-emulator-serviceid", "accounts": [a1], "ims_user_id": 0})}
        self.users = {
            "fake.user@example.com": ("FAKE-password-" + b64u(os.urandom(6)), self._ident({
                "kind": "user", "iam_id": "IBMid-6620000FAKE", "id": "IBMid-6620000FAKE",
                "name": "Fake User", "email": "fake.user@example.com", "given_name": "Fake",
                "family_name": "User", "accounts": [a1, a2, a3], "ims_user_id": 7560901})),
            "fake.solo@example.com": ("FAKE-password1-" + b64u(os.urandom(6)), self._ident({
                "kind": "user", "iam_id": "IBMid-6620001FAKE", "id": "IBMid-6620001FAKE",
                "name": "Fake Solo", "email": "fake.solo@example.com", "given_name": "Fake",
                "family_name": "Solo", "accounts": [a1], "ims_user_id": 7560902}))}
        pid = "Profile-" + str(uuid.UUID(hashlib.md5(b"prof").hexdigest()))
        self.profile = self._ident({"kind": "profile", "iam_id": "iam-" + pid, "id": pid,
                                    "name": "fake-emulator-profile", "accounts": [a1],
                                    "ims_user_id": 0})
        self.cr_sub = "system:serviceaccount:default:fake-workload"

    def _ident(self, d):
        self.idents[d["iam_id"]] = d
        return d

    def _mk_clusters(self):
        a1, a2 = self.accounts[0]["guid"], self.accounts[1]["guid"]
        spec = [
            ("fake-iks-classic", "kubernetes", "classic", "us-south", "dal10", "Dallas", "1.30.4_1532", a1),
            ("fake-roks", "openshift", "classic", "eu-de", "fra02", "Frankfurt", "4.15.28_1563_openshift", a1),
            ("fake-iks-vpc", "kubernetes", "vpc-gen2", "us-east", "us-east-1", "Washington DC", "1.29.8_1548", a1),
            ("fake-iks-other", "kubernetes", "classic", "jp-tok", "tok02", "Tokyo", "1.30.4_1532", a2),
        ]
        self.clusters = []
        for i, (name, typ, prov, region, dc, loc, ver, acct) in enumerate(spec):
            cid = (["cfgm29vf0a9mevqne4ag", "cbsqftpt0thsm9b20hig", "cr3kd7pd0v1p7ea2m0k0",
                    "ck8lm0sd0fake4t2q9h0"])[i]
            self.clusters.append({"id": cid, "name": name, "type": typ, "provider": prov,
                                  "region": region, "dc": dc, "location": loc, "version": ver,
                                  "account": acct})
        self.builtin = list(self.clusters)

    def cluster_obj(self, c):
        pub, priv = c["pub_url"], c["priv_url"]
        vpc = c["provider"] == "vpc-gen2"
        a = c["account"]
        ing = "%s-%s-0000.%s.containers.appdomain.cloud" % (c["name"], hashlib.md5(c["id"].encode()).hexdigest()[:32], c["region"])
        return self.lc.decorate(c, {
            "id": c["id"], "name": c["name"], "region": c["region"], "dataCenter": c["dc"],
            "location": c["location"], "resourceGroup": hashlib.md5(a.encode()).hexdigest(),
            "resourceGroupName": "default", "serverURL": "" if vpc else pub, "masterURL": pub,
            "ingressHostname": ing, "ingressSecretName": ing.split(".")[0],
            "ownerEmail": "fake.user@example.com", "workerCount": 3,
            "workerZones": [c["dc"]], "isPaid": True, "state": "normal",
            "status": "All Workers Normal", "createdDate": "2024-08-15T01:57:11+0000",
            "modifiedDate": "2024-09-02T10:12:40+0000", "masterKubeVersion": c["version"],
            "targetVersion": c["version"], "versionEOS": "", "masterHealth": "normal",
            "masterState": "deployed", "masterStatus": "Ready",
            "masterStatusModifiedDate": "2024-09-02T10:12:40+0000", "multiAzCapable": True,
            "provider": c["provider"], "type": c["type"],
            "crn": "crn:v1:bluemix:public:containers-kubernetes:%s:a/%s:%s::" % (c["region"], a, c["id"]),
            "podSubnet": "172.30.0.0/16", "serviceSubnet": "172.21.0.0/16",
            "publicServiceEndpointEnabled": True, "publicServiceEndpointURL": pub,
            "privateServiceEndpointEnabled": True, "privateServiceEndpointURL": priv,
            "virtualPrivateEndpointURL": ("https://%s.vpe.private.%s.containers.cloud.ibm.com:%s"
                                          % (c["id"], c["region"], priv.rsplit(":", 1)[1])) if vpc else "",
            "vpcs": ["r006-" + str(uuid.UUID(hashlib.md5(c["id"].encode()).hexdigest()))] if vpc else [],
            "addons": [], "vlans": [] if vpc else [{"id": "2938471", "subnets": [], "zone": c["dc"], "region": c["region"]}],
            "worker_vlans": [] if vpc else [{"id": "2938471", "subnets": [], "zone": c["dc"]}],
            "disableAutoUpdate": False, "entitlement": "", "etcdPort": "31110",
            "isFIPSEnabled": False, "imageSecurityEnabled": False, "pullSecretApplied": True,
            "keyProtectEnabled": False, "caCertRotationStatus": {"status": "", "actionTriggerDate": "", "actionCompletedDate": ""},
            "lifecycle": {"masterHealth": "normal", "masterState": "deployed", "masterStatus": "Ready",
                          "masterStatusModifiedDate": "2024-09-02T10:12:40+0000",
                          "modifiedDate": "2024-09-02T10:12:40+0000"},
            "apiUser": "", "datacenter": c["dc"], "defaultWorkerPoolZones": [c["dc"]],
        })

    def workers(self, c):
        out = []
        for i in range(3):
            out.append({"id": "kube-%s-%s-default-%08d" % (c["id"], c["name"][:12], 100 + i),
                        "state": "normal", "status": "Ready", "errorMessage": "",
                        "kubeVersion": c["version"], "targetVersion": c["version"],
                        "machineType": "bx2.4x16" if c["provider"] == "vpc-gen2" else "b3c.4x16.encrypted",
                        "privateIP": "10.240.0.%d" % (4 + i), "publicIP": "" if c["provider"] == "vpc-gen2" else "169.61.10.%d" % (20 + i),
                        "privateVlan": "" if c["provider"] == "vpc-gen2" else "2938471",
                        "publicVlan": "" if c["provider"] == "vpc-gen2" else "2938473",
                        "location": c["dc"], "poolid": "%s-a1b2c3" % c["id"], "poolName": "default",
                        "isolation": "public", "trustedStatus": "disabled", "pendingOperation": ""})
        return self.lc.workers_v1(c, out)      # created clusters: their own; others: lifecycle states

    # -------- log and stats
    def log(self, ev):
        ev = dict(ts=iso_now(), **ev)
        line = json.dumps(ev, separators=(",", ":")) + "\n"
        with self.lock:
            self.log_f.write(line)
            self.log_f.flush()

    def bump(self, group, key, n=1):
        with self.lock:
            g = self.stats[group]
            g[key] = g.get(key, 0) + n

    def next_conn(self):
        with self.lock:
            self.conn_seq += 1
            return self.conn_seq

    # -------- faults
    def add_fault(self, f):
        kind = f.get("kind")
        if kind not in FAULT_KINDS:
            raise ValueError("unknown kind %r; kinds: %s" % (kind, ", ".join(FAULT_KINDS)))
        if f.get("service") is not None and f["service"] not in SERVICES:
            raise ValueError("unknown service %r" % f["service"])
        if kind == "expire_tokens":
            with self.lock:
                self.cutoff["access"] = self.issue_seq
                if f.get("refresh"):
                    self.cutoff["refresh"] = self.issue_seq
            self.bump("faults_fired", kind)
            return {"ok": True, "kind": kind, "expired_through": self.issue_seq}
        if kind == "status" and not isinstance(f.get("status"), int):
            raise ValueError("kind status needs an integer 'status'")
        if kind == "body" and not isinstance(f.get("body"), str):
            raise ValueError("kind body needs a string 'body'")
        with self.lock:
            self.fault_seq += 1
            f = dict(f, id=self.fault_seq, count=int(f.get("count", 1)))
            self.faults.append(f)
        return {"ok": True, "id": f["id"]}

    def take_fault(self, svc, path, method):
        stripped = path[len("/global"):] if path.startswith("/global") else path
        with self.lock:
            for f in self.faults:
                if f["count"] <= 0:
                    continue
                if f.get("service") and f["service"] != svc:
                    continue
                if f.get("method") and f["method"].upper() != method:
                    continue
                p = f.get("path")
                if p and not (path.startswith(p) or stripped.startswith(p)):
                    continue
                if not self.lc.fault_applies(f, svc, stripped, method):
                    continue
                if f["kind"] == "big" and not (svc == "cs" and stripped.rstrip("/") == "/v1/clusters"):
                    continue
                f["count"] -= 1
                self.faults = [x for x in self.faults if x["count"] > 0]
                k = f["kind"]
                self.stats["faults_fired"][k] = self.stats["faults_fired"].get(k, 0) + 1
                return dict(f)
        return None

    # -------- tokens
    def _register(self, jti, kind):
        with self.lock:
            self.issue_seq += 1
            self.issued[jti] = (self.issue_seq, kind)

    def jwt_rs(self, claims, kid=None):
        h = b64u(jdump({"kid": kid or self.kid, "alg": "RS256"}))
        p = b64u(jdump(claims))
        sig = self.rsa.sign((h + "." + p).encode())
        return h + "." + p + "." + b64u(sig)

    def jwt_rt(self, claims):
        h = b64u(jdump({"alg": "rt"}))
        p = b64u(jdump(claims))
        sig = hmac.new(self.secret, (h + "." + p).encode(), hashlib.sha256).digest()
        return h + "." + p + "." + b64u(sig)

    def jwt_check(self, tok):
        """Returns (claims, alg) for a token this emulator signed, else (None, None)."""
        try:
            h, p, s = tok.split(".")
            hdr = json.loads(b64u_dec(h))
            sig = b64u_dec(s)
            msg = (h + "." + p).encode()
            alg = hdr.get("alg")
            if alg == "RS256":
                ok = self.rsa.verify(msg, sig)
            elif alg == "rt":
                ok = hmac.compare_digest(sig, hmac.new(self.secret, msg, hashlib.sha256).digest())
            else:
                ok = False
            if not ok:
                return None, None
            claims = json.loads(b64u_dec(p))
            return (claims, alg) if isinstance(claims, dict) else (None, None)
        except Exception:
            return None, None

    def expired(self, claims, kind):
        if claims.get("exp", 0) <= time.time():
            return True
        rec = self.issued.get(claims.get("jti"))
        return bool(rec and rec[0] <= self.cutoff[kind])

    def access_claims(self, ident, account, grant, client_id, scope, ttl):
        now = int(time.time())
        jti = str(uuid.uuid4())
        c = {"iam_id": ident["iam_id"], "id": ident["id"],
             "realmid": "IBMid" if ident["kind"] == "user" else "iam", "jti": jti,
             "identifier": ident["id"].split("-", 1)[1] if ident["kind"] != "user" else "6620000FAKE",
             "name": ident["name"], "sub": ident.get("email") or ident["id"]}
        if ident["kind"] == "user":
            c.update(given_name=ident["given_name"], family_name=ident["family_name"],
                     email=ident["email"], sub_type="1")
            c["authn"] = {"sub": ident["email"], "iam_id": ident["iam_id"], "name": ident["name"],
                          "given_name": ident["given_name"], "family_name": ident["family_name"],
                          "email": ident["email"]}
            amr = ["pwd"]
        else:
            c["sub_type"] = "ServiceId" if ident["kind"] == "serviceid" else "Profile"
            c["authn"] = {"sub": ident["id"], "iam_id": ident["iam_id"], "sub_type": c["sub_type"],
                          "name": ident["name"]}
            amr = ["pwd"] if ident["kind"] == "serviceid" else ["cr"]
        acct = {"valid": True, "boundary": "global"}
        if account:
            acct["bss"] = account
            acct["frozen"] = True
        c["account"] = acct
        c.update(iat=now, exp=now + ttl, iss=ISS, grant_type=grant, scope=scope,
                 client_id=client_id, acr=1, amr=amr)
        self._register(jti, "access")
        return c

    def mint_access(self, ident, account, grant, client_id, scope="ibm openid"):
        c = self.access_claims(ident, account, grant, client_id, scope, self.cfg["access_ttl"])
        return self.jwt_rs(c), c

    def mint_id_token(self, ident, account):
        c = self.access_claims(ident, account, "urn:ibm:params:oauth:grant-type:delegated-refresh-token",
                               "kube", "ibm openid containers-kubernetes", self.cfg["id_token_ttl"])
        c["aud"] = "kube"
        sub = ident.get("email") or ident["id"]
        accts = [account] if account else []
        for a in accts:
            c["sub_" + a] = sub
            c["iam_id_" + a] = ident["iam_id"]
            c["realmed_sub_" + a] = ident["iam_id"]
            c["groups_" + a] = []
        return self.jwt_rs(c), c

    def mint_refresh(self, ident, account, client_id, grant, typ="refresh", ttl=None, receivers=None):
        now = int(time.time())
        jti = str(uuid.uuid4())
        c = {"iam_id": ident["iam_id"], "account_id": account or "", "client_id": client_id,
             "grant": grant, "typ": typ, "jti": jti, "iat": now,
             "exp": now + (ttl if ttl is not None else self.cfg["refresh_ttl"])}
        if receivers:
            c["receiver_client_ids"] = receivers
        self._register(jti, "refresh")
        return self.jwt_rt(c), c

    def bearer(self, req, need_aud=None):
        """Verified, unexpired claims of the request's Bearer token, or None."""
        auth = req.headers.get("Authorization", "")
        if not auth[:7].lower() == "bearer ":
            return None
        claims, alg = self.jwt_check(auth[7:].strip())
        if not claims or alg != "RS256" or claims.get("iss") != ISS:
            return None
        if self.expired(claims, "access"):
            return None
        aud = claims.get("aud")
        if need_aud:
            if not (aud == need_aud or (isinstance(aud, list) and need_aud in aud)):
                return None
        elif aud is not None:       # id_tokens are for masters, not for IBM APIs
            return None
        return claims

    def new_passcode(self):
        pc = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(10))
        with self.lock:
            self.passcodes[pc] = "fake.user@example.com"
        return pc

    # -------- startup
    def make_certs(self):
        d = self.dir
        res, errs = {}, []

        def job(name, fn):
            try:
                res[name] = fn()
            except Exception as e:
                errs.append("%s: %s" % (name, e))

        def iam_chain():
            root = make_ca(d, "iam-root", EC384, "/C=US/O=FAKE DigiCert Inc/CN=FAKE DigiCert Global Root G3 (emulator)", md="-sha384")
            inter = make_ca(d, "iam-int", EC384, "/C=US/O=FAKE DigiCert Inc/CN=FAKE DigiCert Global G3 TLS ECC SHA384 2020 CA1",
                            parent=root, pathlen=0, md="-sha384")
            leaf = make_leaf(d, "iam", EC384, "/C=US/O=FAKE International Business Machines Corporation/CN=iam.cloud.ibm.com", inter, md="-sha384")
            write_file(os.path.join(d, "iam-chain.pem"), read(leaf[1]) + read(inter[1]))
            return root, (leaf[0], os.path.join(d, "iam-chain.pem"))

        def rsa_chain():
            root = make_ca(d, "rsa-root", RSA2048, "/C=US/O=FAKE DigiCert Inc/CN=FAKE DigiCert Global Root CA (emulator)")
            leaf = make_leaf(d, "cloud", RSA2048, "/C=US/O=FAKE International Business Machines Corporation/CN=cloud.ibm.com",
                             root, rsa=True)
            return root, leaf

        def rsa_and_signer():       # the JWT signing key reuses the RSA leaf's key generation
            root, leaf = rsa_chain()
            return root, leaf, RSAKey(leaf[0])

        def cluster_chain(c):
            def f():
                ca = make_ca(d, "cluster-%s-ca" % c["name"], EC256, "/O=FAKE IBM Cloud Kubernetes Service/CN=%s-ca" % c["id"])
                leaf = make_leaf(d, "cluster-%s-master" % c["name"], EC256, "/O=FAKE/CN=%s-master" % c["id"], ca)
                return ca, leaf
            return f

        ths = [threading.Thread(target=job, args=("iam", iam_chain)),
               threading.Thread(target=job, args=("rsa", rsa_and_signer))]
        ths += [threading.Thread(target=job, args=(c["name"], cluster_chain(c))) for c in self.clusters]
        for t in ths:
            t.start()
        for t in ths:
            t.join()
        if errs:
            raise RuntimeError("; ".join(errs))
        self.iam_root, self.iam_cert = res["iam"]
        self.rsa_root, self.cloud_cert, self.rsa = res["rsa"]
        for c in self.clusters:
            c["ca"], c["cert"] = res[c["name"]]
            c["ca_pem"] = read(c["ca"][1])
        self.ca_file = os.path.join(d, "ca.pem")
        write_file(self.ca_file, read(self.iam_root[1]) + read(self.rsa_root[1]))

    def tls_ctx(self, key, chain):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.maximum_version = ssl.TLSVersion.TLSv1_3
        ctx.load_cert_chain(chain, key)
        ctx.set_alpn_protocols(["http/1.1"])
        return ctx

    def start(self):
        self._mk_clusters()
        self.make_certs()
        mk = lambda svc, ctx, cluster=None: self._serve(Server(self, svc, ctx, cluster))
        iam = mk("iam", self.tls_ctx(*self.iam_cert))
        acc = mk("accounts", self.tls_ctx(*self.cloud_cert))
        cs = mk("cs", self.tls_ctx(*self.cloud_cert))
        ctl = mk("control", None)
        for c in self.clusters:
            pub = mk("master", self.tls_ctx(*c["cert"]), c)
            priv = mk("master", self.tls_ctx(*c["cert"]), c)
            c["pub_url"] = "https://127.0.0.1:%d" % pub.server_address[1]
            c["priv_url"] = "https://127.0.0.1:%d" % priv.server_address[1]
        self.urls = {"iam": "https://127.0.0.1:%d" % iam.server_address[1],
                     "accounts": "https://127.0.0.1:%d" % acc.server_address[1],
                     "cs": "https://127.0.0.1:%d/global" % cs.server_address[1],
                     "control": "http://127.0.0.1:%d" % ctl.server_address[1]}
        self.write_cr_token()
        self.write_env()

    def _serve(self, srv):
        t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        t.start()
        self.servers.append(srv)
        return srv

    def write_cr_token(self):
        now = int(time.time())
        c = {"aud": ["iam"], "exp": now + 86400, "iat": now, "iss": "https://kubernetes.default.svc",
             "kubernetes.io": {"namespace": "default", "serviceaccount": {"name": "fake-workload",
                                                                         "uid": str(uuid.uuid4())}},
             "nbf": now, "sub": self.cr_sub, "jti": str(uuid.uuid4())}
        self.cr_file = os.path.join(self.dir, "cr-token")
        write_file(self.cr_file, self.jwt_rs(c, kid="emulator-cr-" + self.kid), 0o600)

    def write_env(self):
        users = list(self.users.items())
        c0 = self.clusters[0]
        lines = [
            "IBMCLOUD_IAM_API_ENDPOINT=" + self.urls["iam"],
            "IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT=" + self.urls["accounts"],
            "IBMCLOUD_CS_API_ENDPOINT=" + self.urls["cs"],
            "EMU_CA_FILE=" + self.ca_file,
            "EMU_CONTROL=" + self.urls["control"],
            "EMU_LOG=" + os.path.join(self.dir, "log.jsonl"),
            "EMU_PID=%d" % os.getpid(),
            "EMU_APIKEY=" + self.apikey,
            "EMU_USER=" + users[0][0], "EMU_PASSWORD=" + users[0][1][0],
            "EMU_USER1=" + users[1][0], "EMU_PASSWORD1=" + users[1][1][0],
            "EMU_ACCOUNT=" + self.accounts[0]["guid"],
            "EMU_ACCOUNT2=" + self.accounts[1]["guid"],
            "EMU_ACCOUNT3=" + self.accounts[2]["guid"],
            "EMU_CR_TOKEN_FILE=" + self.cr_file,
            "EMU_PROFILE_ID=" + self.profile["id"], "EMU_PROFILE_NAME=" + self.profile["name"],
            "EMU_CLUSTER=" + c0["name"], "EMU_CLUSTER_ID=" + c0["id"],
            "EMU_OPENSHIFT_CLUSTER=" + self.clusters[1]["name"],
            "EMU_VPC_CLUSTER=" + self.clusters[2]["name"],
            "EMU_OTHER_ACCOUNT_CLUSTER=" + self.clusters[3]["name"],
            "EMU_REGION=us-south",
            "EMU_PASSCODE=" + self.new_passcode(),
        ]
        write_file(os.path.join(self.dir, "env"), "\n".join(lines) + "\n", 0o600)

    # ---------------------------------------------------------- IAM
    def iam(self, req, method, path, q, body):
        if path in ("/identity/token", "/identity/token/"):
            if method != "POST":
                return iam_error(405, "BXNIM0060E", "Method Not Allowed", req=req)
            return self.iam_token(req, body)
        if path == "/identity/passcode":
            return self.iam_passcode(req, body)
        if path == "/identity/.well-known/openid-configuration" and method == "GET":
            base = self.urls["iam"]
            return json_resp(200, {
                "issuer": ISS, "authorization_endpoint": base + "/identity/authorize",
                "token_endpoint": base + "/identity/token", "passcode_endpoint": base + "/identity/passcode",
                "userinfo_endpoint": base + "/identity/userinfo", "jwks_uri": base + "/identity/keys",
                "response_types_supported": ["code", "token", "id_token", "id_token token"],
                "grant_types_supported": ["authorization_code", "password", "refresh_token",
                                          "urn:ibm:params:oauth:grant-type:apikey",
                                          "urn:ibm:params:oauth:grant-type:passcode",
                                          "urn:ibm:params:oauth:grant-type:cr-token",
                                          "urn:ibm:params:oauth:grant-type:delegated-refresh-token",
                                          "urn:ibm:params:oauth:grant-type:assume"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "ibm", "containers-kubernetes"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "claims_supported": ["iss", "sub", "aud", "exp", "iat", "iam_id", "account"]},
                [("Cache-Control", "max-age=3600")])
        if path == "/identity/keys" and method == "GET":
            return json_resp(200, {"keys": [self.rsa.jwk(self.kid)]})
        return iam_error(404, "BXNIM0100E", "Resource not found.",
                         "The requested URL %s was not found." % path, req=req)

    def client_auth(self, req, form):
        auth = req.headers.get("Authorization", "")
        if auth[:6].lower() == "basic ":
            try:
                cid, _, sec = base64.b64decode(auth[6:].strip(), validate=True).decode().partition(":")
            except Exception:
                return None, "bad"
        elif form.get("client_id"):
            cid, sec = form.get("client_id"), form.get("client_secret", "")
        else:
            return None, None
        known = {"bx": "bx", "kube": "kube", "cf": ""}
        if cid in known and known[cid] == sec:
            return cid, None
        return None, "bad"

    def iam_token(self, req, body):
        ctype = req.headers.get("Content-Type", "").split(";")[0].strip().lower()
        form = {}
        if ctype == "application/x-www-form-urlencoded":
            try:
                for k, v in urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True):
                    form.setdefault(k, v)
            except UnicodeDecodeError:
                form = {}
        grant = form.get("grant_type", "")
        if grant:
            self.bump("grants", grant)
        req.log_extra.update({k: form[k] for k in ("grant_type", "response_type", "receiver_client_ids",
                                                  "delegated_refresh_token_expiry", "bss_account",
                                                  "account", "profile_id", "profile_name", "scope")
                              if k in form})
        err = lambda st, code, msg, det=None, **kw: iam_error(st, code, msg, det, req=req, **kw)
        if not grant:
            return err(400, *missing("grant_type"))
        cid, cerr = self.client_auth(req, form)
        req.log_extra["client_id"] = cid or ("invalid" if cerr else "default")
        if cerr:
            return err(400, "BXNIM0309E", "The client credentials you provided are incorrect.",
                       "Client authentication failed for client in the authorization header.")
        # response_type
        rts = [x for x in form.get("response_type", "cloud_iam").replace("+", " ").replace(",", " ").split() if x]
        bad = [x for x in rts if x not in ("cloud_iam", "delegated_refresh_token")]
        if bad or not rts:
            return err(400, "BXNIM0106E", "Validation of property 'response_type' with value '[%s]' failed. "
                       "Valid values: 'cloud_iam'" % ", ".join(rts or [""]))
        want_iam, want_drt = "cloud_iam" in rts, "delegated_refresh_token" in rts
        receivers = [x for x in form.get("receiver_client_ids", "").replace(" ", ",").split(",") if x]
        drt_ttl = 518400
        if want_drt:
            if not receivers:
                return err(400, *missing("receiver_client_ids"))
            if form.get("delegated_refresh_token_expiry"):
                try:
                    drt_ttl = int(form["delegated_refresh_token_expiry"])
                    if drt_ttl <= 0:
                        raise ValueError
                except ValueError:
                    return err(400, "BXNIM0106E", "Validation of property 'delegated_refresh_token_expiry' "
                               "with value '%s' failed." % form["delegated_refresh_token_expiry"])
            if self.cfg["delegated_ttl"]:
                drt_ttl = min(drt_ttl, self.cfg["delegated_ttl"])
        want_acct = form.get("bss_account") or form.get("account") or ""

        def scope_to(ident, dflt):
            acct = want_acct or dflt
            if acct and acct not in ident["accounts"]:
                return None, err(400, "BXNIM0141E", "The identity is not a member of the account.",
                                 "The IAM identity %s is not a member of the account %s." % (ident["iam_id"], acct))
            return acct, None

        issue_refresh = True
        if grant == "urn:ibm:params:oauth:grant-type:apikey":
            key = form.get("apikey", "")
            if not key:
                return err(400, *missing("apikey"))
            ident = self.service_ids.get(key)
            if not ident:
                return err(400, "BXNIM0415E", "Provided API key could not be found.")
            acct, e = scope_to(ident, ident["accounts"][0])
        elif grant == "password":
            if not cid:
                return err(400, "BXNIM0308E", "No authorization header found")
            un, pw = form.get("username", ""), form.get("password", "")
            if not un:
                return err(400, *missing("username"))
            if not pw:
                return err(400, *missing("password"))
            u = self.users.get(un)
            if not u or not hmac.compare_digest(u[0], pw):
                return err(400, "BXNIM0602E", "The credentials you provided are incorrect")
            ident = u[1]
            acct, e = scope_to(ident, "")
        elif grant == "urn:ibm:params:oauth:grant-type:passcode":
            pc = form.get("passcode", "")
            if not pc:
                return err(400, *missing("passcode"))
            with self.lock:
                un = self.passcodes.pop(pc, None)
            if not un:
                return err(400, "BXNIM0602E", "The credentials you provided are incorrect",
                           "The passcode is invalid or was already used.")
            ident = self.users[un][1]
            acct, e = scope_to(ident, "")
        elif grant == "refresh_token":
            if not cid:
                return err(400, "BXNIM0308E", "No authorization header found")
            rt = form.get("refresh_token", "")
            if not rt:
                return err(400, *missing("refresh_token"))
            claims, alg = self.jwt_check(rt)
            if not claims or alg != "rt" or claims.get("typ") != "refresh" or claims.get("client_id") != cid:
                return err(400, "BXNIM0407E", "Provided refresh token is invalid.")
            if self.expired(claims, "refresh"):
                return err(400, "BXNIM0408E", "Provided refresh token is expired")
            ident = self.idents.get(claims["iam_id"])
            if not ident:
                return err(400, "BXNIM0407E", "Provided refresh token is invalid.")
            acct, e = scope_to(ident, claims.get("account_id", ""))
            if not e and cid == "kube":     # kubectl's oidc refresh: must answer with an id_token
                return self.kube_tokens(ident, acct, cid, grant)
        elif grant == "urn:ibm:params:oauth:grant-type:delegated-refresh-token":
            if not cid:
                return err(400, "BXNIM0308E", "No authorization header found")
            rt = form.get("refresh_token", "")
            if not rt:
                return err(400, *missing("refresh_token"))
            claims, alg = self.jwt_check(rt)
            if not claims or alg != "rt" or claims.get("typ") != "delegated":
                return err(400, "BXNIM0407E", "Provided refresh token is invalid.")
            if cid not in claims.get("receiver_client_ids", []):
                return err(400, "BXNIM0407E", "Provided refresh token is invalid.",
                           "The client '%s' is not a receiver of the delegated refresh token." % cid)
            if self.expired(claims, "refresh"):
                return err(400, "BXNIM0408E", "Provided refresh token is expired")
            ident = self.idents[claims["iam_id"]]
            acct = claims.get("account_id", "")
            return self.kube_tokens(ident, acct, cid, grant)
        elif grant == "urn:ibm:params:oauth:grant-type:cr-token":
            crt = form.get("cr_token", "")
            if not crt:
                return err(400, *missing("cr_token"))
            claims, alg = self.jwt_check(crt)
            if not claims or alg != "RS256" or claims.get("sub") != self.cr_sub or claims.get("exp", 0) <= time.time():
                return err(400, "BXNIM0407E", "Provided compute resource token is invalid.")
            pid, pname, pcrn = form.get("profile_id"), form.get("profile_name"), form.get("profile_crn")
            if not (pid or pname or pcrn):
                return err(400, *missing("profile_id"))
            if (pid and pid != self.profile["id"]) or (pname and pname != self.profile["name"]) or \
                    (pcrn and not pcrn.endswith(self.profile["id"])):
                return err(400, "BXNIM0487E", "The trusted profile could not be found or is not linked "
                           "to the compute resource.")
            ident = self.profile
            acct, e = scope_to(ident, ident["accounts"][0])
            issue_refresh = False
        else:
            return err(400, "BXNIM0106E", "Validation of property 'grant_type' with value '%s' failed." % grant)
        if e:
            return e
        return self.token_body(ident, acct, grant, cid, issue_refresh, want_iam, want_drt, receivers, drt_ttl)

    def token_body(self, ident, acct, grant, cid, issue_refresh, want_iam, want_drt, receivers, drt_ttl):
        out = {}
        if want_iam:
            at, c = self.mint_access(ident, acct, grant, cid or "default")
            out["access_token"] = at
            if issue_refresh:
                if cid:
                    rt, rc = self.mint_refresh(ident, acct, cid, grant)
                    out["refresh_token"] = rt
                else:
                    out["refresh_token"] = "not_supported"
            out.update(ims_user_id=ident["ims_user_id"], token_type="Bearer",
                       expires_in=c["exp"] - c["iat"], expiration=c["exp"])
            if issue_refresh and cid:
                out["refresh_token_expiration"] = rc["exp"]
            out["scope"] = c["scope"]
        if want_drt:
            drt, _ = self.mint_refresh(ident, acct, cid or "default", grant, "delegated", drt_ttl, receivers)
            out["delegated_refresh_token"] = drt
        return json_resp(200, out, iam_headers())

    def kube_tokens(self, ident, acct, cid, grant):
        at, c = self.mint_access(ident, acct, grant, cid, "ibm openid containers-kubernetes")
        idt, _ = self.mint_id_token(ident, acct)
        rt, rc = self.mint_refresh(ident, acct, cid, grant)
        return json_resp(200, {"access_token": at, "id_token": idt, "refresh_token": rt,
                               "ims_user_id": ident["ims_user_id"], "token_type": "Bearer",
                               "expires_in": c["exp"] - c["iat"], "expiration": c["exp"],
                               "refresh_token_expiration": rc["exp"],
                               "scope": "ibm openid containers-kubernetes"}, iam_headers())

    def iam_passcode(self, req, body):
        form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
        cid, _ = self.client_auth(req, form)
        if not cid:
            return iam_error(400, "BXNIM0308E", "No authorization header found", req=req)
        claims, alg = self.jwt_check(form.get("refresh_token", ""))
        if not claims or alg != "rt" or self.expired(claims, "refresh"):
            return iam_error(400, "BXNIM0407E", "Provided refresh token is invalid.", req=req)
        pc = self.new_passcode()
        with self.lock:
            ident = self.idents.get(claims["iam_id"])
            if ident and ident["kind"] == "user":
                self.passcodes[pc] = ident["email"]
        return json_resp(200, {"passcode": pc}, iam_headers())

    # ---------------------------------------------------------- accounts
    def acct_obj(self, a, prefix):
        return {"metadata": {"guid": a["guid"], "url": "%s/%s" % (prefix, a["guid"]),
                             "created_at": a["created"], "updated_at": "2024-04-28T23:46:03.739Z",
                             "origin": "BSS", "linked_accounts": [], "anonymousId": "a" + a["guid"][:31],
                             "update_comments": "", "updated_by": ""},
                "entity": {"name": a["name"], "type": "STANDARD", "state": "ACTIVE", "sub_state": "",
                           "owner": "IBMid-6620000FAKE", "owner_iam_id": "IBMid-6620000FAKE",
                           "owner_userid": "fake.user@example.com", "owner_unique_id": "6620000FAKE",
                           "customer_id": "%d" % (int(a["guid"][:6], 16)), "country_code": "USA",
                           "currency_code": "USD", "billing_country_code": "USA", "isIBMer": False,
                           "team_directory_enabled": True,
                           "organizations_region": [{"guid": a["guid"][::-1], "region": "us-south"}],
                           "linkages": [{"origin": "IMS", "state": "COMPLETE"}],
                           "bluemix_subscriptions": [{"type": "PAYG", "state": "ACTIVE",
                                                      "softlayer_account_id": "%d" % (2000000 + int(a["guid"][:4], 16)),
                                                      "part_number": "COE-Trial", "subscription_id": a["guid"][:24]}],
                           "current_billing_system": "BSS", "terms_and_conditions": {"required": False, "accepted": True},
                           "tags": [], "onboarded": 1,
                           "primary_owner": {"ibmid": "6620000FAKE", "url": "/v1/users/6620000FAKE"},
                           "subscriptions": {"total": 1, "url": "%s/%s/subscriptions" % (prefix, a["guid"])},
                           "traits": {"total": 0, "url": "%s/%s/traits" % (prefix, a["guid"])}}}

    def accounts_api(self, req, method, path, q, body):
        if path.rstrip("/") not in ("/coe/v2/accounts", "/v1/accounts") and \
                not path.startswith(("/coe/v2/accounts/", "/v1/accounts/")):
            return acct_error(404, "not_found", "The requested resource was not found.")
        claims = self.bearer(req)
        if not claims:
            return acct_error(401, "not_authorized", "The provided IAM token is invalid or expired.")
        if method != "GET":
            return acct_error(405, "method_not_allowed", "Method not allowed.")
        ident = self.idents.get(claims["iam_id"])
        mine = [a for a in self.accounts if ident and a["guid"] in ident["accounts"]]
        prefix = "/coe/v2/accounts" if path.startswith("/coe") else "/v1/accounts"
        rest = path[len(prefix):].strip("/")
        if rest:
            for a in mine:
                if a["guid"] == rest:
                    return json_resp(200, self.acct_obj(a, prefix))
            return acct_error(404, "not_found", "Account %s was not found." % rest)
        size = self.cfg["page_size"]
        try:
            size = max(1, int(q.get("limit", size)))
        except ValueError:
            pass
        start = 0
        doc = q.get("next_docid")
        if doc:
            idx = [i for i, a in enumerate(mine) if a["guid"] == doc]
            if not idx:
                return acct_error(400, "invalid_next_docid", "The next_docid parameter is invalid.")
            start = idx[0]
        page = mine[start:start + size]
        nxt = None
        if start + size < len(mine):
            nxt = "%s?next_docid=%s&limit=%d" % (prefix, mine[start + size]["guid"], size)
            nxt = self.cfg["next_url_base"] + nxt   # "" keeps it a path
        res = [self.acct_obj(a, prefix) for a in page]
        if prefix == "/v1/accounts":
            prev = None
            if start > 0:
                prev = "%s?next_docid=%s&limit=%d" % (prefix, mine[max(0, start - size)]["guid"], size)
            return json_resp(200, {"total_results": len(mine), "total_pages": (len(mine) + size - 1) // size,
                                   "prev_url": prev, "next_url": nxt, "resources": res})
        return json_resp(200, {"next_url": nxt, "total_results": len(mine), "resources": res})

    # ---------------------------------------------------------- containers
    REGIONS = [("us-south", "us-south", "api.ng.bluemix.net"), ("us-east", "us-east", "api.us-east.bluemix.net"),
               ("eu-central", "eu-de", "api.eu-de.bluemix.net"), ("uk-south", "eu-gb", "api.eu-gb.bluemix.net"),
               ("ap-north", "jp-tok", "api.jp-tok.bluemix.net"), ("ap-south", "au-syd", "api.au-syd.bluemix.net")]

    def cs(self, req, method, path, q, body, fault):
        if path.startswith("/global/"):
            path = path[len("/global"):]
        path = path.rstrip("/") or "/"
        if path == "/v1/versions" and method == "GET":
            return json_resp(200, {
                "kubernetes": [{"major": 1, "minor": m, "patch": p, "default": m == 30, "end_of_service": eos}
                               for m, p, eos in ((28, 14, "2025-01-31T12:00:00+0000"), (29, 8, ""), (30, 4, ""))],
                "openshift": [{"major": 4, "minor": m, "patch": p, "default": m == 15, "end_of_service": eos}
                              for m, p, eos in ((14, 35, "2025-07-01T12:00:00+0000"), (15, 28, ""))]}, go=True)
        if path == "/v1/regions" and method == "GET":
            return json_resp(200, {"regions": [{"name": n, "alias": a, "cfURL": u, "freeEnabled": n == "us-south"}
                                               for n, a, u in self.REGIONS]}, go=True)
        if not path.startswith(("/v1/clusters", "/v2/")):
            return cs_error("G0000")
        claims = self.bearer(req)
        if not claims:
            return cs_error("A0003")
        acct = claims.get("account", {}).get("bss")
        if not acct:
            return cs_error("A0006")
        r = self.lc.cs(req, method, path, q, body, acct, claims, fault)   # create, delete, update, v2
        if r is not None:
            return r
        parts = path.split("/")[3:]
        mine = [c for c in self.clusters if c["account"] == acct]
        if not parts:
            if method != "GET":
                return cs_error("G0000", 405)
            reg = req.headers.get("X-Region", "").strip()
            if reg:
                m = [a for n, a, _ in self.REGIONS if reg in (n, a)]
                if not m:
                    return cs_error("G0007")
                mine = [c for c in mine if c["region"] == m[0]]
            objs = [self.cluster_obj(c) for c in mine]
            if (fault and fault["kind"] == "big") or self.cfg["big_clusters"]:
                objs = self.pad_clusters(objs, acct, int((fault or {}).get("bytes", 5 * 1024 * 1024)))
            return json_resp(200, objs, go=True)
        key = urllib.parse.unquote(parts[0])
        cl = [c for c in mine if key in (c["id"], c["name"])]
        if not cl:
            return cs_error("G0004")
        c = cl[0]
        sub = "/".join(parts[1:])
        if sub == "" and method == "GET":
            return json_resp(200, self.cluster_obj(c), go=True)
        if sub == "workers" and method == "GET":
            return json_resp(200, self.workers(c), go=True)
        if sub in ("config", "config/admin") and method == "GET":
            ident = self.idents.get(claims["iam_id"])
            return Resp(200, self.config_zip(c, ident, acct), "application/zip",
                        [("Content-Disposition", "attachment; filename=kubeConfig.zip")])
        return cs_error("G0000")

    def pad_clusters(self, objs, acct, size):
        base = self.cluster_obj(self.clusters[0])
        out, n, i = list(objs), len(go_json(objs)), 0
        while n < size:
            o = dict(base, id="cpad%016d" % i, name="fake-pad-%06d" % i)
            o["crn"] = o["crn"].replace(self.clusters[0]["id"], o["id"])
            o["padding"] = "p" * 1800
            out.append(o)
            n += len(go_json(o)) + 1
            i += 1
        return out

    def config_zip(self, c, ident, acct):
        idt, _ = self.mint_id_token(ident, acct)
        folder = "kubeConfig%09d/" % secrets.randbelow(10 ** 9)
        base = "%s-%s" % (c["dc"], c["name"])
        ca_name, yml_name = "ca-%s.pem" % base, "kube-config-%s.yml" % base
        ctx = "%s/%s" % (c["name"], c["id"])
        user = "%s/%s/iam.cloud.ibm.com-identity" % (ident.get("email") or ident["id"], acct)
        server = c["pub_url"]
        yml = ("apiVersion: v1\nclusters:\n- name: %s\n  cluster:\n    certificate-authority: %s\n"
               "    server: %s\ncontexts:\n- name: %s\n  context:\n    cluster: %s\n    namespace: default\n"
               "    user: %s\ncurrent-context: %s\nkind: Config\npreferences: {}\nusers:\n- name: %s\n"
               "  user:\n    auth-provider:\n      name: oidc\n      config:\n        client-id: kube\n"
               "        client-secret: kube\n        id-token: %s\n        idp-issuer-url: %s/identity\n"
               % (ctx, ca_name, server, ctx, ctx, user, ctx, user, idt, self.urls["iam"]))
        return go_zip([(folder, None), (folder + ca_name, c["ca_pem"]), (folder + yml_name, yml.encode())])

    # ---------------------------------------------------------- kubernetes master
    def master(self, req, method, path, q, body, cluster):
        gate = self.lc.master_gate(cluster)        # 503 while not deployed or once deleted
        if gate:
            return gate
        claims = self.bearer(req, need_aud="kube")
        if not claims:
            return kube_status(401, "Unauthorized", "Unauthorized")
        c = cluster
        user = claims.get("sub_" + c["account"])
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
        table = "as=Table" in req.headers.get("Accept", "")
        if path == "/api/v1/namespaces":
            items = [self.k8s_obj("Namespace", n, None, {"phase": "Active"}) for n in nss]
            return self.k8s_list("NamespaceList", items, table, "Status", lambda o: o["status"]["phase"])
        if path.startswith("/api/v1/namespaces/"):
            parts = path.split("/")[4:]
            if parts[0] not in nss:
                return kube_status(404, "NotFound", 'namespaces "%s" not found' % parts[0])
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
                     for w in self.workers(c)]
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

    # ---------------------------------------------------------- control
    def control(self, req, method, path, q, body):
        try:
            data = json.loads(body or b"{}") if method == "POST" else {}
            if not isinstance(data, dict):
                raise ValueError("JSON object expected")
        except ValueError as e:
            return json_resp(400, {"error": "bad JSON: %s" % e})
        if path == "/control/passcode" and method == "POST":
            return Resp(200, self.new_passcode() + "\n", "text/plain")
        if path == "/control/fault" and method == "POST":
            try:
                return json_resp(200, self.add_fault(data))
            except (ValueError, TypeError) as e:
                return json_resp(400, {"error": str(e)})
        if path == "/control/reset" and method == "POST":
            with self.lock:
                self.faults = []
            self.lc.reset(bool(data.get("clusters")))
            return json_resp(200, {"ok": True})
        if path == "/control/clusters" and method == "GET":
            return json_resp(200, self.lc.control_clusters())
        if path == "/control/config" and method in ("POST", "GET"):
            for k, v in data.items():
                if k not in self.cfg:
                    return json_resp(400, {"error": "unknown key %r; keys: %s" % (k, ", ".join(self.cfg))})
                if k in lifecycle.CONFIG:
                    try:
                        self.cfg[k] = self.lc.config_value(k, v)
                    except (ValueError, TypeError) as e:
                        return json_resp(400, {"error": "%s: %s" % (k, e)})
                    continue
                if k == "next_url_base":
                    self.cfg[k] = str(v or "").rstrip("/")
                    continue
                self.cfg[k] = bool(v) if k == "big_clusters" else (int(v) if v is not None else None)
            return json_resp(200, self.cfg)
        if path == "/control/cluster" and method == "POST":
            with self.lock:
                cl = [c for c in self.clusters if data.get("id") in (c["id"], c["name"])]
                if not cl or not isinstance(data.get("name"), str):
                    return json_resp(400, {"error": "need the 'id' (or name) of a cluster and a new 'name'"})
                cl[0]["name"] = data["name"]
            return json_resp(200, {"id": cl[0]["id"], "name": cl[0]["name"]})
        if path == "/control/stats" and method == "GET":
            with self.lock:
                return json_resp(200, json.loads(jdump(self.stats)))
        if path == "/control/faults" and method == "GET":
            with self.lock:
                return json_resp(200, list(self.faults))
        return json_resp(404, {"error": "no such control endpoint"})


# ---------------------------------------------------------------- HTTP plumbing

_tl = threading.local()
LOG_HEADERS = ("host", "content-type", "content-length", "accept", "user-agent", "x-region",
               "transfer-encoding", "connection", "x-request-id", "x-correlation-id", "x-auth-resource-group",
               "x-auth-resource-account", "ibm-cloud-tenant")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, emu, service, ctx, cluster=None):
        self.emu, self.service, self.ctx, self.cluster = emu, service, ctx, cluster
        super().__init__(("127.0.0.1", 0), Handler)

    def handle_error(self, request, client_address):
        pass

    def finish_request(self, request, client_address):
        emu = self.emu
        cid = emu.next_conn() if self.service != "control" else 0
        sock = request
        if self.ctx is None and self.service == "master":     # a created cluster: certs on the way
            self.cluster["ready"].wait(30)
        if self.ctx:
            emu.bump("connections", self.service)
            request.settimeout(15)
            try:
                sock = self.ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as e:
                emu.bump("handshakes", "failed")
                emu.log({"event": "conn", "service": self.service, "conn": cid, "error": str(e)[:200],
                         "port": self.server_address[1]})
                return
            resumed = bool(sock.session_reused)
            emu.bump("handshakes", "resumed" if resumed else "full")
            ev = {"event": "conn", "service": self.service, "conn": cid, "tls": sock.version(),
                  "resumed": resumed, "cipher": (sock.cipher() or ("",))[0], "port": self.server_address[1]}
            if self.cluster:
                ev["cluster"] = self.cluster["name"]
            emu.log(ev)
        _tl.conn, _tl.nreq = cid, 0
        try:
            self.RequestHandlerClass(sock, client_address, self)
        except Exception:
            pass
        finally:
            if self.ctx:
                emu.log({"event": "close", "service": self.service, "conn": cid, "requests": _tl.nreq})
            try:
                sock.close()
            except OSError:
                pass


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120
    server_version = "emulator"

    def log_message(self, fmt, *args):
        pass

    def version_string(self):
        return ""

    def do_any(self):
        srv, emu = self.server, self.server.emu
        svc = srv.service
        t0 = time.time()
        _tl.nreq += 1
        self.log_extra = {}
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        method = self.command
        cl = self.headers.get("Content-Length")
        body = b""
        if cl is not None:
            try:
                n = int(cl)
                if n < 0:
                    raise ValueError
            except ValueError:
                self.close_connection = True
                return self.reply(Resp(400, b"bad Content-Length", "text/plain"), None, t0, svc, path)
            body = self.rfile.read(n)
        elif self.headers.get("Transfer-Encoding", "").lower() == "chunked" and svc != "iam":
            body = self.read_chunked()
        self.req_body = body
        if svc == "control":
            return self.reply(emu.control(self, method, path, q, body), None, t0, svc, path)
        fault = emu.take_fault(svc, path, method)
        if fault and fault["kind"] == "delay":
            time.sleep(float(fault.get("seconds", 5)))
        if fault and fault["kind"] == "reset":
            self.log_extra["fault"] = "reset"
            return self.rst(t0, svc, path, None)
        if svc == "iam" and method == "POST" and cl is None:
            self.close_connection = True
            r = iam_error(400, *missing("grant_type"), req=self)
            r.headers.append(("Connection", "close"))
        elif fault and fault["kind"] == "status":
            r = fault_status_resp("master" if svc == "master" else svc, int(fault["status"]), fault)
        else:
            try:
                if svc == "iam":
                    r = emu.iam(self, method, path, q, body)
                elif svc == "accounts":
                    r = emu.accounts_api(self, method, path, q, body)
                elif svc == "cs":
                    r = emu.cs(self, method, path, q, body, fault)
                else:
                    r = emu.master(self, method, path, q, body, srv.cluster)
            except Exception as e:          # a bug in the emulator: make it visible
                import traceback
                traceback.print_exc()
                r = Resp(500, "emulator error: %s" % e, "text/plain")
        self.reply(r, fault, t0, svc, path)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_any

    def read_chunked(self):
        out = b""
        while True:
            line = self.rfile.readline(65537)
            size = int(line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return out
            out += self.rfile.read(size)
            self.rfile.readline(65537)

    def rst(self, t0, svc, path, status, wrote=False):
        try:
            self.wfile.flush()
        except OSError:
            pass
        if wrote:
            # An RST discards what the peer has not read yet: give it time to
            # read the bytes sent, so that "reset after N bytes" stays that
            # even on a loaded machine.
            time.sleep(0.3)
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            self.rfile.close()
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass
        self.log_req(t0, svc, path, status, 0)

    def log_req(self, t0, svc, path, status, nbytes):
        emu = self.server.emu
        emu.bump("requests", svc)
        if status is not None:
            emu.bump("status", str(status))
        if svc == "control":
            return
        hdrs = {}
        for k in LOG_HEADERS:
            v = self.headers.get(k)
            if v is not None:
                hdrs[k] = v
        a = self.headers.get("Authorization")
        if a is not None:
            hdrs["authorization"] = (a.split(" ", 1)[0] + " [masked]") if " " in a else "[masked]"
        if self.headers.get("X-Auth-Refresh-Token") is not None:
            hdrs["x-auth-refresh-token"] = "[masked]"
        ev = {"event": "request", "service": svc, "conn": _tl.conn, "method": self.command, "path": path}
        if "?" in self.path:
            ev["query"] = self.path.split("?", 1)[1]
        ev.update({"status": status, "bytes": nbytes, "ms": int((time.time() - t0) * 1000), "headers": hdrs})
        if self.server.cluster:
            ev["cluster"] = self.server.cluster["name"]
        if svc == "cs" and getattr(self, "req_body", b""):
            ev["body"] = lifecycle.log_body(self.req_body)
        ev.update(self.log_extra)
        emu.log(ev)

    def reply(self, r, fault, t0, svc, path):
        kind = fault["kind"] if fault else None
        if kind:
            self.log_extra["fault"] = kind
        body = r.body
        headers = [("Content-Type", r.ctype)] + r.headers
        if kind == "bad_json":
            cut = max(1, len(body) // 2)
            body = body[:cut] + b'",,}]{"'
        elif kind == "many_tokens" and r.obj is not None:
            n = int(fault.get("tokens", 200000))
            obj = r.obj
            pad = [0] * n
            if isinstance(obj, dict):
                obj = dict(obj, emulator_padding=pad)
            elif isinstance(obj, list) and obj and isinstance(obj[0], dict):
                obj = [dict(obj[0], emulator_padding=pad)] + obj[1:]
            body = jdump(obj).encode()
        if kind == "body":
            body = fault["body"].encode()
            if fault.get("content_type"):
                headers[0] = ("Content-Type", fault["content_type"])
        if kind == "big_header":
            headers.append(("X-Emulator-Padding", "h" * int(fault.get("size", 17000))))
        if kind == "close" or self.close_connection:
            headers.append(("Connection", "close"))
            self.close_connection = True
        chunked = kind == "chunked"
        if chunked:
            headers += [("Transfer-Encoding", "chunked"), ("Trailer", "X-Emulator-Trailer")]
        else:
            headers.append(("Content-Length", str(len(body))))
        headers.append(("Date", self.date_time_string()))
        reason = self.responses.get(r.status, ("Unknown",))[0]
        head = "HTTP/1.1 %d %s\r\n" % (r.status, reason)
        head += "".join("%s: %s\r\n" % (k, v) for k, v in headers) + "\r\n"
        if self.command == "HEAD":
            body = b""
        try:
            w = self.wfile.write
            if kind == "reset_before_body":
                w(head.encode())
                return self.rst(t0, svc, path, r.status, wrote=True)
            if kind == "reset_mid_body":
                w(head.encode() + body[:max(1, len(body) // 2)])
                return self.rst(t0, svc, path, r.status, wrote=True)
            if kind == "truncate":
                w(head.encode() + body[:len(body) // 2])
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return self.log_req(t0, svc, path, r.status, len(body) // 2)
            if chunked:
                w(head.encode())
                n = max(1, int(fault.get("chunk_size", 7)))
                buf = bytearray()
                for i in range(0, len(body), n):
                    ch = body[i:i + n]
                    ext = ";emu-ext=odd" if (i // n) % 2 else ';name="quoted value"'
                    size = ("%x" if (i // n) % 2 else "%X") % len(ch)
                    buf += (size + ext + "\r\n").encode() + ch + b"\r\n"
                    if len(buf) >= 512 or len(body) <= 4096:
                        w(bytes(buf))
                        buf = bytearray()
                buf += b"0;emu-ext=last\r\nX-Emulator-Trailer: done\r\n\r\n"
                w(bytes(buf))
            else:
                w(head.encode() + body)
        except OSError:
            self.close_connection = True
        self.log_req(t0, svc, path, r.status, len(body))


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description="Local IBM Cloud emulator (IAM, accounts, containers, masters)")
    ap.add_argument("--dir", required=True, help="directory for certificates, env and log.jsonl")
    ap.add_argument("--access-ttl", type=int, default=3600)
    ap.add_argument("--refresh-ttl", type=int, default=30 * 86400)
    ap.add_argument("--id-token-ttl", type=int, default=1200)
    ap.add_argument("--delegated-ttl", type=int, default=None,
                    help="cap on delegated refresh token lifetime (default: as requested)")
    ap.add_argument("--page-size", type=int, default=2)
    ap.add_argument("--big-clusters", action="store_true", help="pad every /v1/clusters list to ~5 MB")
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    emu = Emulator(args)
    try:
        emu.start()
    except Exception as e:
        print("emulator: %s" % e, file=sys.stderr)
        sys.exit(1)
    emu.log({"event": "start", "pid": os.getpid(), "urls": emu.urls})
    while not stop.wait(0.5):
        pass
    emu.log({"event": "stop", "pid": os.getpid()})
    emu.log_f.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
