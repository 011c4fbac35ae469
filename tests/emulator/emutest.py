"""emutest.py: what the emulator's curl-based suite (test_emulator.py and its parts
emutest_guide.py, emutest_errors.py) shares: the runner of lifetest.py (@test, check,
eq, main, ENV, TMP) and its cs_err, the clients (the real `curl --cacert`, raw TLS),
the token and error checks, a second emulator for a block (other_emulator), and S,
the state the guide's steps hand on.  Import it with `from emutest import *`.
"""
import base64
import contextlib
import hashlib
import json
import os
import socket
import ssl
import subprocess
import urllib.error
import urllib.parse
import urllib.request

from lifetest import (EMU_DIR, ENV, HERE, TESTS, TMP, check, classic_body, cs_err, eq, log_events, main,  # noqa: F401
                      read_env, test)

_n = [0]


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


def apikey_token_with(**cfg):
    """An apikey token minted while the emulator's config has these values (then restored)."""
    old = json.loads(control("/control/config", method="GET")[1])
    control("/control/config", cfg)
    try:
        return apikey_token()
    finally:
        control("/control/config", {k: old[k] for k in cfg})


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


@contextlib.contextmanager
def other_emulator(name, *flags):
    """A second emulator (in TMP/name, started with flags) for the block: ENV is its env
    meanwhile. It is stopped after the block and must have printed no traceback."""
    d, sh = os.path.join(TMP, name), os.path.join(HERE, "emu.sh")
    p = subprocess.run([sh, "start", d] + list(flags), capture_output=True, text=True, timeout=30)
    eq(p.returncode, 0, "emu.sh start %s %s (%s)" % (name, " ".join(flags), p.stderr))
    saved = dict(ENV)
    ENV.clear()
    ENV.update(read_env(d))
    try:
        yield d
    finally:
        ENV.clear()
        ENV.update(saved)
        subprocess.run([sh, "stop", d], capture_output=True, timeout=20)
    with open(os.path.join(d, "emulator.err")) as f:
        err = f.read()
    check("Traceback" not in err, "no tracebacks from the %s emulator:\n%s" % (name, err[-2000:]))


S = {}      # shared state between guide steps
