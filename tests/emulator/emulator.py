#!/usr/bin/env python3
"""Local IBM Cloud emulator for iksctl's tests, benchmark and demo.

Serves, over real TLS on 127.0.0.1 (one ephemeral port each): IAM (ECDSA P-384 chain),
Account Management and Kubernetes Service (RSA-2048 chain, containers under /global),
one public and one private Kubernetes master per cluster (each signed by the cluster's
own CA, delivered only inside the cluster's config zip), and a plain-HTTP control
endpoint for faults, passcodes, config, the services' clock and stats. Facts follow
/work/shared/IBM-API.md. Python 3 standard library only, plus the `openssl` command for
keys and certificates. State lives in memory; DIR receives the certificates, `env` and
`log.jsonl`. See README.md beside this file.

This file is the entry point and the wiring: the shared state, the start, DIR/env, the
dispatch of a request to its service and the control endpoint. The services are
iam.py, accounts.py, containers.py (with lifecycle.py and pools.py) and master.py (with
pods.py and watch.py); the
HTTP plumbing is httpd.py, faults faults.py, keys and certificates certs.py and jwt.py,
the services' wall clock clock.py.
"""
import argparse
import datetime
import json
import os
import signal
import sys
import threading
import types

import accounts
import certs
import clock
import containers
import faults
import httpd
import iam
import lifecycle
import master
import metadata
import pods
import watch
from httpd import Resp, json_resp, jdump


KUBE_CONFIG = dict(pods.CONFIG, **watch.CONFIG)     # the masters' keys: (default, parser)


def iso_now():
    """For the log's ts: this machine's clock (the tests time their own steps by it), never
    the services' clock."""
    t = datetime.datetime.now(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


class Emulator:
    def __init__(self, args):
        self.dir = os.path.abspath(args.dir)
        self.cfg = {"access_ttl": args.access_ttl, "refresh_ttl": args.refresh_ttl,
                    "id_token_ttl": args.id_token_ttl, "delegated_ttl": args.delegated_ttl,
                    "page_size": args.page_size, "big_clusters": bool(args.big_clusters),
                    "kubeconfig_quoted": False,
                    "next_url_base": ""}
        self.cfg.update({k: d for k, (d, _) in KUBE_CONFIG.items()})
        self.cfg["pods"] = args.pods
        self.cfg.update(metadata.CONFIG)
        self.cfg.update(iam.CONFIG)
        self.lock = threading.Lock()
        self.clock = clock.Clock(args.clock_offset)     # the services' wall clock
        self.log_f = open(os.path.join(self.dir, "log.jsonl"), "w", buffering=1)   # fresh per run
        self.faults, self.fault_seq = [], 0
        self.conn_seq = 0
        self.stats = {"connections": {}, "handshakes": {"full": 0, "resumed": 0, "failed": 0},
                      "requests": {}, "grants": {}, "faults_fired": {}, "status": {},
                      "metadata": {"identity_tokens": 0, "iam_tokens": 0}}
        self.urls = {}
        self.servers = []
        self.accounts = accounts.make_accounts()
        self.iam = iam.Iam(self, self.accounts)
        self.containers = containers.Containers(self)
        self.metadata = metadata.Metadata(self)
        self.services = {"iam": self.iam, "accounts": accounts.Accounts(self), "cs": self.containers,
                         "master": master.Masters(self), "metadata": self.metadata}
        self.lc = lifecycle.Lifecycle(self, types.SimpleNamespace(
            json_resp=json_resp, Resp=Resp, cs_error=containers.cs_error, kube_status=master.kube_status,
            cluster_certs=certs.cluster_certs, set_cluster_certs=certs.set_cluster_certs,
            rand_id=containers.rand_id, Server=httpd.Server, master_ctx=httpd.master_ctx))

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

    # -------- requests
    def take_fault(self, svc, path, method):
        return faults.take(self, svc, path, method)

    def answer(self, req, svc, method, path, q, body, no_length, fault):
        """The response of service svc to a request (after any delay or reset fault)."""
        if svc == "iam" and method == "POST" and no_length:
            req.close_connection = True
            r = self.iam.error(400, *iam.missing("grant_type"), req=req)
            r.headers.append(("Connection", "close"))
            return r
        if fault and fault["kind"] == "status":
            return faults.status_resp(self, svc, int(fault["status"]), fault)
        return self.services[svc].serve(req, method, path, q, body, fault)

    # -------- startup
    def start(self):
        self.clusters = containers.make_clusters(self.accounts)
        self.builtin = list(self.clusters)
        self.iam_cert, self.cloud_cert, self.iam.signer.rsa, self.ca_file = certs.make_all(self.dir, self.clusters)
        mk = lambda svc, ctx, cluster=None: self._serve(httpd.Server(self, svc, ctx, cluster))
        iam_srv = mk("iam", httpd.tls_ctx(*self.iam_cert))
        acc = mk("accounts", httpd.tls_ctx(*self.cloud_cert))
        cs = mk("cs", httpd.tls_ctx(*self.cloud_cert))
        ctl = mk("control", None)
        self.metadata.start(lambda ctx, port: self._serve(httpd.Server(self, "metadata", ctx, None, port)),
                            httpd.tls_ctx(*self.cloud_cert))
        for c in self.clusters:
            pub = mk("master", httpd.master_ctx(c), c)
            priv = mk("master", httpd.master_ctx(c), c)
            c["pub_url"] = "https://127.0.0.1:%d" % pub.server_address[1]
            c["priv_url"] = "https://127.0.0.1:%d" % priv.server_address[1]
        self.urls = {"iam": "https://127.0.0.1:%d" % iam_srv.server_address[1],
                     "accounts": "https://127.0.0.1:%d" % acc.server_address[1],
                     "cs": "https://127.0.0.1:%d/global" % cs.server_address[1],
                     "control": "http://127.0.0.1:%d" % ctl.server_address[1]}
        self.urls.update(self.metadata.urls())
        self.iam.write_cr_token()
        self.write_env()

    def _serve(self, srv):
        t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        t.start()
        self.servers.append(srv)
        return srv

    def write_env(self):
        users = list(self.iam.users.items())
        c0 = self.clusters[0]
        lines = [
            "IBMCLOUD_IAM_API_ENDPOINT=" + self.urls["iam"],
            "IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT=" + self.urls["accounts"],
            "IBMCLOUD_CS_API_ENDPOINT=" + self.urls["cs"],
            "EMU_CA_FILE=" + self.ca_file,
            "EMU_CONTROL=" + self.urls["control"],
            "EMU_LOG=" + os.path.join(self.dir, "log.jsonl"),
            "EMU_PID=%d" % os.getpid(),
            "EMU_APIKEY=" + self.iam.apikey,
            "EMU_USER=" + users[0][0], "EMU_PASSWORD=" + users[0][1][0],
            "EMU_USER1=" + users[1][0], "EMU_PASSWORD1=" + users[1][1][0],
            "EMU_ACCOUNT=" + self.accounts[0]["guid"],
            "EMU_ACCOUNT2=" + self.accounts[1]["guid"],
            "EMU_ACCOUNT3=" + self.accounts[2]["guid"],
            "EMU_CR_TOKEN_FILE=" + self.iam.cr_file,
            "EMU_PROFILE_ID=" + self.iam.profile["id"], "EMU_PROFILE_NAME=" + self.iam.profile["name"],
            "EMU_CLUSTER=" + c0["name"], "EMU_CLUSTER_ID=" + c0["id"],
            "EMU_OPENSHIFT_CLUSTER=" + self.clusters[1]["name"],
            "EMU_VPC_CLUSTER=" + self.clusters[2]["name"],
            "EMU_OTHER_ACCOUNT_CLUSTER=" + self.clusters[3]["name"],
            "EMU_REGION=us-south",
            "EMU_PASSCODE=" + self.iam.new_passcode(),
            "EMU_METADATA_URL=" + self.urls["metadata"],
            "EMU_METADATA_TLS_URL=" + self.urls["metadata_tls"],
            "EMU_VPC_PROFILE_ID=" + self.metadata.profile["id"],
            "EMU_VPC_PROFILE_CRN=" + self.metadata.profile["crn"],
            "EMU_VPC_PROFILE_NAME=" + self.metadata.profile["name"],
        ]
        certs.write_file(os.path.join(self.dir, "env"), "\n".join(lines) + "\n", 0o600)

    # -------- control
    def control(self, req, method, path, q, body):
        try:
            data = json.loads(body or b"{}") if method == "POST" else {}
            if not isinstance(data, dict):
                raise ValueError("JSON object expected")
        except ValueError as e:
            return json_resp(400, {"error": "bad JSON: %s" % e})
        if path == "/control/passcode" and method == "POST":
            return Resp(200, self.iam.new_passcode() + "\n", "text/plain")
        if path == "/control/fault" and method == "POST":
            try:
                return json_resp(200, faults.add(self, data))
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
                if k in metadata.CONFIG:
                    try:
                        self.cfg[k] = metadata.config_value(k, v)
                    except ValueError as e:
                        return json_resp(400, {"error": "%s: %s" % (k, e)})
                    if k == "metadata":
                        self.metadata.set_enabled(v)
                    continue
                if k in KUBE_CONFIG:
                    try:
                        self.cfg[k] = KUBE_CONFIG[k][1](v)
                    except (ValueError, TypeError) as e:
                        return json_resp(400, {"error": "%s: %s" % (k, e)})
                    continue
                if k == "next_url_base":
                    self.cfg[k] = str(v or "").rstrip("/")
                    continue
                self.cfg[k] = bool(v) if k in ("big_clusters", "kubeconfig_quoted") else \
                    (int(v) if v is not None else None)
            return json_resp(200, self.cfg)
        if path == "/control/cluster" and method == "POST":
            with self.lock:
                cl = [c for c in self.clusters if data.get("id") in (c["id"], c["name"])]
                if not cl or not isinstance(data.get("name"), str):
                    return json_resp(400, {"error": "need the 'id' (or name) of a cluster and a new 'name'"})
                cl[0]["name"] = data["name"]
            return json_resp(200, {"id": cl[0]["id"], "name": cl[0]["name"]})
        if path == "/control/clock" and method in ("POST", "GET"):
            if method == "GET":
                return json_resp(200, self.clock.state())
            try:
                st = self.clock.change(data)
            except ValueError as e:
                return json_resp(400, {"error": str(e)})
            self.iam.write_cr_token()       # as the platform rotates it: one valid on the new clock
            self.log(dict(data, event="clock", **st))
            return json_resp(200, st)
        if path == "/control/stats" and method == "GET":
            with self.lock:
                return json_resp(200, json.loads(jdump(self.stats)))
        if path == "/control/faults" and method == "GET":
            with self.lock:
                return json_resp(200, list(self.faults))
        return json_resp(404, {"error": "no such control endpoint"})


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
    ap.add_argument("--pods", type=int, default=pods.DEFAULT_PODS, metavar="N",
                    help="pods in every master's pod list (default %d, all in kube-system)" % pods.DEFAULT_PODS)
    ap.add_argument("--clock-offset", type=int, default=0, metavar="SECONDS",
                    help="the services' clock minus this machine's (may be negative; default 0)")
    args = ap.parse_args()
    if args.pods < 0:
        ap.error("--pods: must be >= 0")
    try:
        clock.Clock.check(args.clock_offset)
    except ValueError as e:
        ap.error("--clock-offset: %s" % e)
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
