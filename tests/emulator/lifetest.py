"""lifetest.py: what the emulator's lifecycle and pool tests share.

A tiny runner (@test functions in order, one line each, `N passed, N
failed` last), HTTP over the emulator's real TLS with DIR/ca.pem, the
containers and control calls, the usual request bodies and waits, and
main(): start the emulator in a temporary directory, run the tests, stop
it, check it logged no traceback.  Import it with `from lifetest import *`.
"""
import io
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
TMP = tempfile.mkdtemp(prefix="emu-test-")
EMU_DIR = os.path.join(TMP, "emu")
ENV, S, TESTS = {}, {}, []
STEP = 0.4


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
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


def http(method, url, body=None, headers=None, ctx=None, timeout=15):
    h = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    elif isinstance(body, str):
        body = body.encode()
    req = urllib.request.Request(url, data=body, method=method, headers=h)
    kw = {"timeout": timeout}
    if url.startswith("https:"):
        kw["context"] = ctx or ssl.create_default_context(cafile=ENV["EMU_CA_FILE"])
    try:
        with urllib.request.urlopen(req, **kw) as r:
            return R(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
    except urllib.error.HTTPError as e:
        return R(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())


def apikey_token():
    """An access token for EMU_APIKEY from the emulator's IAM, kept in S."""
    r = http("POST", ENV["IBMCLOUD_IAM_API_ENDPOINT"] + "/identity/token",
             urllib.parse.urlencode({"grant_type": "urn:ibm:params:oauth:grant-type:apikey",
                                     "apikey": ENV["EMU_APIKEY"]}),
             {"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Basic Yng6Yng="})
    eq(r.status, 200, "token")
    S["token"] = r.json()["access_token"]


def cs(method, path, body=None, headers=None, token=None):
    h = {"Authorization": "Bearer " + (token or S["token"])}
    h.update(headers or {})
    return http(method, ENV["IBMCLOUD_CS_API_ENDPOINT"] + path, body, h)


def control(path, obj=None, method="POST"):
    r = http(method, ENV["EMU_CONTROL"] + path, obj if obj is not None else (b"" if method == "POST" else None))
    return r.status, r.json()


def fault(**f):
    st, b = control("/control/fault", f)
    eq(st, 200, "fault accepted (%s)" % b)


def config(**kv):
    st, b = control("/control/config", kv)
    eq(st, 200, "config (%s)" % b)


def cs_err(r, status, code):
    eq(r.status, status, "status for %s (%s)" % (code, r.body[:300]))
    b = r.json()
    eq(b.get("code"), code, "code")
    for k in ("incidentID", "description", "type"):
        check(b.get(k), "%s present" % k)
    eq(sorted(set(b) - {"incidentID", "code", "description", "type", "recoveryCLI"}), [], "flat error body")
    return b


def classic_body(name, **more):
    b = {"name": name, "dataCenter": "dal10", "machineType": "b3c.4x16", "workerNum": 2,
         "privateVlan": "", "publicVlan": "", "isolation": "public", "masterVersion": "1.29",
         "diskEncryption": True, "privateSeviceEndpoint": True, "publicServiceEndpoint": True,
         "podSubnet": "", "serviceSubnet": "", "noSubnet": False}
    b.update(more)
    return b


def vpc_body(name, **more):
    b = {"name": name, "provider": "vpc-gen2", "kubeVersion": "1.30.4_1532", "podSubnet": "", "serviceSubnet": "",
         "disablePublicServiceEndpoint": False, "cosInstanceCRN": "",
         "workerPool": {"name": "default", "flavor": "bx2.4x16", "vpcID": "r006-0d7e1b2c", "workerCount": 2,
                        "zones": [{"id": "us-south-1", "subnetID": "0717-aaaa"},
                                  {"id": "us-south-2", "subnetID": "0727-bbbb"}], "labels": {}}}
    b.update(more)
    return b


def create_classic(name, **more):
    r = cs("POST", "/v1/clusters", classic_body(name, **more))
    eq(r.status, 201, "create %s (%s)" % (name, r.body[:300]))
    return r.json()["id"]


def get(cid):
    r = cs("GET", "/v1/clusters/" + cid)
    eq(r.status, 200, "get %s (%s)" % (cid, r.body[:200]))
    return r.json()


def states_until(cid, target, timeout=10, key=lambda o: o["state"]):
    """Polls the cluster; returns the distinct states seen, in order, up to target."""
    seen, t0 = [], time.time()
    while time.time() - t0 < timeout:
        s = key(get(cid))
        if not seen or seen[-1] != s:
            seen.append(s)
        if s == target:
            return seen
        time.sleep(0.04)
    raise AssertionError("timed out waiting for %s on %s; seen %s" % (target, cid, seen))


def log_events():
    with open(ENV["EMU_LOG"]) as f:
        return [json.loads(l) for l in f if l.strip()]


def wait_404(cid, timeout=10):
    t0 = time.time()
    while time.time() - t0 < timeout:
        r = cs("GET", "/v1/clusters/" + cid)
        if r.status == 404:
            return r
        time.sleep(0.05)
    raise AssertionError("%s never went 404" % cid)


# ---------------------------------------------------------------- tests

def zz_stop():
    p = subprocess.run([os.path.join(HERE, "emu.sh"), "stop", EMU_DIR], capture_output=True, text=True, timeout=20)
    eq(p.returncode, 0, "emu.sh stop (%s)" % p.stderr)
    with open(os.path.join(EMU_DIR, "emulator.err")) as f:
        err = f.read()
    check("Traceback" not in err, "no emulator tracebacks:\n" + err[-2000:])


def read_env(d):
    """The settings an emulator wrote to d/env."""
    env = {}
    with open(os.path.join(d, "env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            env[k] = v
    return env


def main():
    t0 = time.time()
    p = subprocess.run([os.path.join(HERE, "emu.sh"), "start", EMU_DIR], capture_output=True, text=True, timeout=30)
    passed = failed = 0
    if p.returncode != 0:
        print("FAIL start: %s" % p.stderr)
        print("0 passed, 1 failed")
        return 1
    print("emulator started in %.1f s" % (time.time() - t0))
    ENV.update(read_env(EMU_DIR))
    try:
        for fn in TESTS + [zz_stop]:
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

