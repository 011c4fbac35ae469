"""Kubernetes Service (containers) for the emulator: the built-in clusters, the v1 cluster
and worker objects, GET /v1/versions, /v1/regions, /v1/clusters[/{c}[/workers|/config]]
(create, delete, update, pools and the v2 calls are lifecycle.py's and pools.py's),
the config zip as Go's archive/zip writes it, and the flat error body. Facts follow
/work/shared/IBM-API.md sections 4 and 5.
"""
import hashlib
import secrets
import struct
import time
import urllib.parse
import uuid
import zlib

import pods
from httpd import Resp, go_json, json_resp

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


def rand_id(n=20):
    alpha = "abcdefghijklmnopqrstuv0123456789"
    return "".join(secrets.choice(alpha) for _ in range(n))


def go_zip(entries, now):
    """Zip bytes as Go's archive/zip Writer.Create writes them: directories stored without
    data descriptor; files deflated, flag bit 3 set, zero CRC/sizes in the local header,
    then a signed data descriptor; central directory; end record. now: the entries' time."""
    lt = time.localtime(now)
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


REGIONS = [("us-south", "us-south", "api.ng.bluemix.net"), ("us-east", "us-east", "api.us-east.bluemix.net"),
           ("eu-central", "eu-de", "api.eu-de.bluemix.net"), ("uk-south", "eu-gb", "api.eu-gb.bluemix.net"),
           ("ap-north", "jp-tok", "api.jp-tok.bluemix.net"), ("ap-south", "au-syd", "api.au-syd.bluemix.net")]


def make_clusters(accounts):
    """The built-in clusters (no lifecycle record yet: always normal)."""
    a1, a2 = accounts[0]["guid"], accounts[1]["guid"]
    spec = [
        ("fake-iks-classic", "kubernetes", "classic", "us-south", "dal10", "Dallas", "1.30.4_1532", a1),
        ("fake-roks", "openshift", "classic", "eu-de", "fra02", "Frankfurt", "4.15.28_1563_openshift", a1),
        ("fake-iks-vpc", "kubernetes", "vpc-gen2", "us-east", "us-east-1", "Washington DC", "1.29.8_1548", a1),
        ("fake-iks-other", "kubernetes", "classic", "jp-tok", "tok02", "Tokyo", "1.30.4_1532", a2),
    ]
    clusters = []
    for i, (name, typ, prov, region, dc, loc, ver, acct) in enumerate(spec):
        cid = (["cfgm29vf0a9mevqne4ag", "cbsqftpt0thsm9b20hig", "cr3kd7pd0v1p7ea2m0k0",
                "ck8lm0sd0fake4t2q9h0"])[i]
        clusters.append({"id": cid, "name": name, "type": typ, "provider": prov,
                         "region": region, "dc": dc, "location": loc, "version": ver,
                         "account": acct})
    return clusters


class Containers:
    def __init__(self, emu):
        self.emu = emu

    def cluster_obj(self, c):
        pub, priv = c["pub_url"], c["priv_url"]
        vpc = c["provider"] == "vpc-gen2"
        a = c["account"]
        ing = "%s-%s-0000.%s.containers.appdomain.cloud" % (c["name"], hashlib.md5(c["id"].encode()).hexdigest()[:32], c["region"])
        return self.emu.lc.decorate(c, {
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
        return self.emu.lc.workers_v1(c, out)      # created clusters: their own; others: lifecycle states

    def serve(self, req, method, path, q, body, fault=None):
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
                                               for n, a, u in REGIONS]}, go=True)
        if not path.startswith(("/v1/clusters", "/v2/")):
            return cs_error("G0000")
        claims = self.emu.iam.bearer(req)
        if not claims:
            return cs_error("A0003")
        acct = claims.get("account", {}).get("bss")
        if not acct:
            return cs_error("A0006")
        r = self.emu.lc.cs(req, method, path, q, body, acct, claims, fault)   # create, delete, update, v2
        if r is not None:
            return r
        parts = path.split("/")[3:]
        mine = [c for c in self.emu.clusters if c["account"] == acct]
        if not parts:
            if method != "GET":
                return cs_error("G0000", 405)
            reg = req.headers.get("X-Region", "").strip()
            if reg:
                m = [a for n, a, _ in REGIONS if reg in (n, a)]
                if not m:
                    return cs_error("G0007")
                mine = [c for c in mine if c["region"] == m[0]]
            objs = [self.cluster_obj(c) for c in mine]
            if (fault and fault["kind"] == "big") or self.emu.cfg["big_clusters"]:
                objs = self.pad_clusters(objs, acct, int((fault or {}).get("bytes", 5 * 1024 * 1024)))
            objs = pods.oversize_list(self.emu.cfg, objs, "cluster")     # big_item_at, huge_item_at
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
            ident = self.emu.iam.idents.get(claims["iam_id"])
            return Resp(200, self.config_zip(c, ident, acct, sub == "config/admin"), "application/zip",
                        [("Content-Disposition", "attachment; filename=kubeConfig.zip")])
        return cs_error("G0000")

    def pad_clusters(self, objs, acct, size):
        base = self.cluster_obj(self.emu.clusters[0])
        out, n, i = list(objs), len(go_json(objs)), 0
        while n < size:
            o = dict(base, id="cpad%016d" % i, name="fake-pad-%06d" % i)
            o["crn"] = o["crn"].replace(self.emu.clusters[0]["id"], o["id"])
            o["padding"] = "p" * 1800
            out.append(o)
            n += len(go_json(o)) + 1
            i += 1
        return out

    def config_zip(self, c, ident, acct, admin=False):
        """The zip of GET .../config: a kubeconfig (an oidc user with the id_token) and the
        cluster's CA; /admin adds admin.pem and admin-key.pem, which the kubeconfig's user
        then names instead (the masters take that client certificate)."""
        idt, _ = self.emu.iam.mint_id_token(ident, acct)
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
               % (ctx, ca_name, server, ctx, ctx, user, ctx, user,
                  '"%s"' % idt if self.emu.cfg.get("kubeconfig_quoted") else idt, self.emu.urls["iam"]))
        files = [(folder, None), (folder + ca_name, c["ca_pem"])]
        if admin:
            yml = yml[:yml.index("users:\n")] + ("users:\n- name: %s\n  user:\n    client-certificate: admin.pem\n"
                                                  "    client-key: admin-key.pem\n" % user)
            files += [(folder + "admin.pem", c["admin_pem"]), (folder + "admin-key.pem", c["admin_key_pem"])]
        return go_zip(files + [(folder + yml_name, yml.encode())], self.emu.clock.now())
