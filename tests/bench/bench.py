#!/usr/bin/env python3
"""bench.py: iksctl against the guide's curl commands (issue 7); writes RESULTS.md.

Started by tests/bench/run.sh with the emulator running and its settings
(DIR/env) in the environment.  Python 3 standard library only.

  bench.py --out bench/RESULTS.md --tmp DIR --mw WRAPPED_IKSCTL [--runs N]

Method (also written into RESULTS.md):
- Every scenario run is `sh tests/bench/scenario.sh TOOL SCENARIO`, timed
  from fork to exit; iksctl and curl runs alternate (A B A B ...).
- After each run the log of the emulator is read from the line where the
  run started; the bench waits until every connection opened has been
  closed (the client exited), then counts requests, connections and
  handshakes of that run.
- Traced runs (separate, not timed) start every process of the scenario
  through tests/bench/step.sh: /usr/bin/time -f %M for its peak RSS and
  strace for the bytes it wrote to and read from its TCP sockets.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.getcwd()
SCEN = os.path.join(ROOT, "tests/bench/scenario.sh")
STEP = os.path.join(ROOT, "tests/bench/step.sh")
TRIPLES = ["x86_64-linux-musl", "aarch64-linux-musl", "armv7-linux-musleabihf"]
LIMITS = {"x86_64-linux-musl": 300000, "aarch64-linux-musl": 300000, "armv7-linux-musleabihf": 250000}
SCENARIOS = [
    ("login", "log in with an API key (one IAM call)"),
    ("clusters", "list clusters, valid cached token"),
    ("cluster", "read a cluster, then GET its /version, warm cache"),
    ("guide", "the whole guide, F1 to F15, cold start"),
]
CACHED = ("clusters", "cluster")
ENV = dict(os.environ)
LOG = ENV["EMU_LOG"]


def log(*a):
    print("bench:", *a, file=sys.stderr, flush=True)


def log_lines():
    with open(LOG, "rb") as f:
        return f.read().count(b"\n")


def log_events(start, end=None):
    out = []
    with open(LOG) as f:
        for i, line in enumerate(f):
            if i < start or (end is not None and i >= end):
                continue
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def wait_closed(start, timeout=3.0):
    """Wait until every conn event after line `start` has its close event."""
    t = time.time() + timeout
    while True:
        ev = log_events(start)
        o = sum(1 for e in ev if e.get("event") == "conn")
        c = sum(1 for e in ev if e.get("event") == "close")
        if o <= c or time.time() > t:
            return ev
        time.sleep(0.01)


def counts(ev):
    conns = [e for e in ev if e.get("event") == "conn"]
    reqs = [e for e in ev if e.get("event") == "request"]
    return {
        "requests": len(reqs),
        "conns": len(conns),
        "full": sum(1 for e in conns if "error" not in e and not e.get("resumed")),
        "resumed": sum(1 for e in conns if e.get("resumed")),
        "failed": sum(1 for e in conns if "error" in e),
        "body": sum(int(e.get("bytes") or 0) for e in reqs),
        "bad_status": sum(1 for e in reqs if not (200 <= int(e.get("status") or 0) < 300)),
        "server_ms": sum(int(e.get("ms") or 0) for e in reqs),
    }


def control(path, obj=None):
    import urllib.request
    data = json.dumps(obj).encode() if obj is not None else b""
    req = urllib.request.Request(ENV["EMU_CONTROL"] + path, data=data, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.read()


class Bench:
    def __init__(self, a):
        self.a = a
        self.tmp = a.tmp
        self.env = dict(ENV)
        self.env.update({
            "IKSCTL": a.iksctl,
            "KEYFILE": os.path.join(self.tmp, "apikey"),
            "CLUSTER": ENV["EMU_CLUSTER"],
            "ACCOUNT": ENV["EMU_ACCOUNT"],
            "REGION": ENV["EMU_REGION"],
            "SSL_CERT_FILE": os.path.join(self.tmp, "ca-bundle.pem"),
            "STEP": "",
            "LC_ALL": "C",
        })
        self.env.pop("IKSCTL_HOME", None)
        with open(self.env["KEYFILE"], "w") as f:
            f.write(ENV["EMU_APIKEY"])
        with open(self.env["SSL_CERT_FILE"], "wb") as o:
            for p in ("/etc/ssl/certs/ca-certificates.crt", ENV["EMU_CA_FILE"]):
                with open(p, "rb") as i:
                    o.write(i.read())
        self.bundle_certs = open(self.env["SSL_CERT_FILE"]).read().count("BEGIN CERTIFICATE")
        self.bundle_bytes = os.path.getsize(self.env["SSL_CERT_FILE"])
        self.state = {t: os.path.join(self.tmp, "state", t) for t in ("iksctl", "curl")}
        self.seen = {}      # state dir -> set of (service, port) talked to before
        self.n_cold = 0
        self.res = {}       # scenario -> tool -> {...}
        self.violations = []
        self.n_checked = 0          # single iksctl processes checked
        self.n_runs_checked = 0     # multi-process iksctl runs checked

    # ------------------------------------------------------------ running
    def workdir(self, tool, scen):
        if scen == "guide":
            self.n_cold += 1
            d = os.path.join(self.tmp, "cold", "%s-%d" % (tool, self.n_cold))
            os.makedirs(os.path.dirname(d), exist_ok=True)
            return d
        return self.state[tool]

    def run(self, tool, scen, trace=None):
        env = dict(self.env)
        env["W"] = self.workdir(tool, scen)
        if trace:
            os.makedirs(trace, exist_ok=True)
            env["STEP"] = "sh " + STEP
            env["TRACE"] = trace
        m0 = log_lines()
        t0 = time.perf_counter()
        p = subprocess.Popen(["sh", SCEN, tool, scen], env=env, stdin=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        err = p.stderr.read().decode(errors="replace")
        p.stderr.close()
        p.returncode = os.waitstatus_to_exitcode(status)
        ev = wait_closed(m0)
        if p.returncode != 0:
            raise SystemExit("bench: %s %s failed (exit %d): %s" % (tool, scen, p.returncode, err[-800:]))
        c = counts(ev)
        if tool == "iksctl" and not trace:
            self.observe(env["W"], ev, "%s %s (run)" % (tool, scen), single=(scen in ("login", "clusters")))
        c["wall"] = wall
        c["cpu"] = ru.ru_utime + ru.ru_stime
        c["W"] = env["W"]
        return c

    def store_tls(self):
        try:
            return sum(1 for line in open(os.path.join(self.state["iksctl"], "store")) if line.startswith("tls "))
        except OSError:
            return -1

    def scenario(self, scen):
        n = self.a.runs
        r = {t: {"runs": []} for t in ("iksctl", "curl")}
        log("%s: warm-up" % scen)
        for t in ("iksctl", "curl"):
            self.run(t, scen)
        log("%s: %d timed runs per tool, interleaved" % (scen, n))
        for _ in range(n):
            for t in ("iksctl", "curl"):
                r[t]["runs"].append(self.run(t, scen))
        log("%s: %d traced runs per tool" % (scen, self.a.traced))
        for i in range(self.a.traced):
            for t in ("iksctl", "curl"):
                d = os.path.join(self.tmp, "trace", "%s-%s-%d" % (scen, t, i))
                c = self.run(t, scen, trace=d)
                c["steps"] = self.analyse_trace(d, c["W"], "%s %s" % (t, scen), check=(t == "iksctl"))
                r[t].setdefault("traced", []).append(c)
        r["store_tls_after"] = self.store_tls()
        self.res[scen] = r

    # ------------------------------------------------------------ checks
    def observe(self, state, ev, label, single):
        """Check the connection rules on the events of one iksctl run.

        single: the run was one process, so more than one connection to a
        host is a violation.  In any case a full handshake with a host that
        this state folder (IKSCTL_HOME) talked to before the run is one.
        """
        seen = self.seen.setdefault(state, set())
        hosts = {}
        for e in ev:
            if e.get("event") == "conn" and "error" not in e:
                hosts.setdefault((e.get("service"), e.get("port")), []).append(e)
        for h, es in hosts.items():
            if single and len(es) > 1:
                self.violations.append("%s: %d connections to %s:%s" % (label, len(es), h[0], h[1]))
            if h in seen and any(not e.get("resumed") for e in es):
                self.violations.append("%s: full TLS handshake with %s:%s, talked to before" % (label, h[0], h[1]))
        seen.update(hosts.keys())
        self.n_checked += 1 if single else 0
        self.n_runs_checked += 0 if single else 1

    # ------------------------------------------------------------ traces
    def analyse_trace(self, d, state, label, check):
        steps = []
        seen = self.seen.setdefault(state, set())
        with open(os.path.join(d, "steps")) as f:
            for line in f:
                name, rss, m0, m1, st, rc = line.rstrip("\n").split("|")
                ev = log_events(int(m0), int(m1))
                sent, recv = strace_bytes(st)
                hosts = {}
                for e in ev:
                    if e.get("event") != "conn":
                        continue
                    h = (e.get("service"), e.get("port"))
                    hosts.setdefault(h, []).append(e)
                s = {"name": name, "rss": int(rss) if rss.isdigit() else 0, "sent": sent, "recv": recv,
                     "conns": counts(ev)}
                if check:
                    self.observe(state, ev, "%s (traced), process %d" % (label, len(steps) + 1), single=True)
                else:
                    seen.update(hosts.keys())
                steps.append(s)
        return steps

    # ------------------------------------------------------------ heap
    def heap(self):
        log("heap allocations (wrapper build)")
        mw = self.a.mw
        home = self.state["iksctl"]
        env = dict(self.env, IKSCTL_HOME=home)
        cmds = [
            ("clusters -o json", ["clusters", "-o", "json"]),
            ("cluster get C -o json", ["cluster", "get", ENV["EMU_CLUSTER"], "-o", "json"]),
            ("kube C /version", ["kube", ENV["EMU_CLUSTER"], "/version"]),
            ("api /v1/clusters (small, ~2 KB)", ["api", "/v1/clusters"]),
            ("api /v1/clusters (big fault, 5 MiB)", ["api", "/v1/clusters"]),
            ("login --apikey @FILE", ["login", "--apikey", "@" + self.env["KEYFILE"], "--region", ENV["EMU_REGION"]]),
        ]
        out = []
        for label, args in cmds:
            f = os.path.join(self.tmp, "malloc.log")
            if os.path.exists(f):
                os.unlink(f)
            if "big" in label:
                control("/control/fault", {"service": "cs", "path": "/v1/clusters", "method": "GET", "kind": "big"})
            env["IKSCTL_BENCH_MALLOC_LOG"] = f
            m0 = log_lines()
            p = subprocess.run([mw] + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.observe(home, wait_closed(m0), "wrapped iksctl %s" % label, single=True)
            if p.returncode != 0:
                raise SystemExit("bench: wrapped iksctl %s failed: %s" % (label, p.stderr.decode()[-400:]))
            line = open(f).read().strip()
            kv = dict(x.split("=", 1) for x in line.split() if "=" in x)
            callers = []
            if kv.get("at"):
                a2l = subprocess.run(["addr2line", "-f", "-e", mw] + kv["at"].split(","),
                                     stdout=subprocess.PIPE, text=True)
                callers = a2l.stdout.split("\n")[0::2]
            out.append({"label": label, "stdout": len(p.stdout), "kv": kv,
                        "callers": [c for c in callers if c]})
        control("/control/reset")
        self.heap_res = out

    # ------------------------------------------------------------ callgrind
    def callgrind(self):
        log("callgrind (instructions per command)")
        d = os.path.join(self.tmp, "callgrind")
        os.makedirs(d, exist_ok=True)
        ik = self.a.iksctl_unstripped
        home = self.state["iksctl"]
        cw = self.state["curl"]
        tok = read_env(os.path.join(cw, "token.env"))
        kube = read_env(os.path.join(cw, "kube.env"))
        cl = json.load(open(os.path.join(cw, "cluster.json")))
        bundle = self.env["SSL_CERT_FILE"]
        iam = ENV["IBMCLOUD_IAM_API_ENDPOINT"] + "/identity/token"
        cs = ENV["IBMCLOUD_CS_API_ENDPOINT"]
        csh = ["-H", "Authorization: Bearer " + tok["ACCESS_TOKEN"], "-H",
               "X-Auth-Refresh-Token: " + tok["REFRESH_TOKEN"], "-H", "X-Region: " + ENV["EMU_REGION"]]
        cu = ["curl", "-sS", "--fail-with-body", "--cacert", bundle]
        login_cu = cu + ["-u", "bx:bx", "-X", "POST", iam, "-H", "Content-Type: application/x-www-form-urlencoded",
                         "-H", "Accept: application/json", "--data",
                         "grant_type=urn:ibm:params:oauth:grant-type:apikey",
                         "--data-urlencode", "apikey@" + self.env["KEYFILE"]]
        login_ik = [ik, "login", "--apikey", "@" + self.env["KEYFILE"], "--region", ENV["EMU_REGION"]]
        cold = os.path.join(self.tmp, "cold-callgrind")
        cmds = [
            ("list clusters, cached token", [ik, "clusters", "-o", "json"], cu + [cs + "/v1/clusters"] + csh, False),
            ("cluster get", [ik, "cluster", "get", ENV["EMU_CLUSTER"], "-o", "json"],
             cu + [cs + "/v1/clusters/" + ENV["EMU_CLUSTER"]] + csh, False),
            ("master /version, cached id_token and CA", [ik, "kube", ENV["EMU_CLUSTER"], "/version"],
             ["curl", "-sS", "--fail-with-body", "--cacert", os.path.join(cw, "ca.pem"), "-H",
              "Authorization: Bearer " + kube["ID_TOKEN"], cl["publicServiceEndpointURL"] + "/version"], False),
            ("5 MiB cluster list (big fault)", [ik, "api", "/v1/clusters"], cu + [cs + "/v1/clusters"] + csh, True),
            ("login (IAM apikey grant), saved TLS session", login_ik, login_cu, False),
            ("login, cold: empty IKSCTL_HOME, full TLS handshake", login_ik, login_cu, "cold"),
        ]
        out = []
        for label, ikc, cuc, big in cmds:
            row = {"label": label}
            env = dict(self.env, IKSCTL_HOME=cold if big == "cold" else home)
            if big != "cold":
                # warm-up: the state the measured run starts from is warm
                if big:
                    control("/control/fault", {"service": "cs", "path": "/v1/clusters", "method": "GET",
                                               "kind": "big"})
                m0 = log_lines()
                subprocess.run([self.env["IKSCTL"]] + ikc[1:], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
                self.observe(home, wait_closed(m0), "iksctl %s (callgrind warm-up)" % label, single=True)
            for tool, cmd in (("iksctl", ikc), ("curl", cuc)):
                if big is True:
                    control("/control/fault", {"service": "cs", "path": "/v1/clusters", "method": "GET", "kind": "big"})
                f = os.path.join(d, "%s.%d" % (tool, len(out)))
                m0 = log_lines()
                p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + f] + cmd, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                ev = wait_closed(m0)
                row[tool + "_tls"] = counts(ev)
                if tool == "iksctl" and big != "cold":
                    self.observe(home, ev, "iksctl %s (callgrind)" % label, single=True)
                if p.returncode != 0:
                    raise SystemExit("bench: callgrind %s %s failed: %s" % (tool, label, p.stderr.decode()[-600:]))
                row[tool] = cg_total(f)
                row[tool + "_file"] = f
            out.append(row)
        self.cg = out
        # profiles: where the instructions go
        self.cg_profile = annotate(out[0]["iksctl_file"], inclusive=False, n=12)
        self.cg_profile_incl = annotate(out[0]["iksctl_file"], inclusive=True, n=40)
        self.cg_curl_incl = annotate(out[0]["curl_file"], inclusive=True, n=60)
        self.cg_big = annotate(out[3]["iksctl_file"], inclusive=False, n=6)
        self.cg_big_curl = annotate(out[3]["curl_file"], inclusive=False, n=6)
        self.cg_cold = annotate(out[5]["iksctl_file"], inclusive=False, n=8)
        self.cg_cold_incl = annotate(out[5]["iksctl_file"], inclusive=True, n=60)

    # ------------------------------------------------------------ big RSS
    def big_rss(self):
        log("peak RSS with a 5 MiB response")
        cw = self.state["curl"]
        tok = read_env(os.path.join(cw, "token.env"))
        cs = ENV["IBMCLOUD_CS_API_ENDPOINT"]
        env = dict(self.env, IKSCTL_HOME=self.state["iksctl"])
        cmds = {
            "iksctl": [self.env["IKSCTL"], "api", "/v1/clusters"],
            "curl": ["curl", "-sS", "--fail-with-body", "--cacert", self.env["SSL_CERT_FILE"], cs + "/v1/clusters",
                     "-H", "Authorization: Bearer " + tok["ACCESS_TOKEN"], "-H", "X-Region: " + ENV["EMU_REGION"]],
        }
        self.big = {}
        for t, cmd in cmds.items():
            control("/control/fault", {"service": "cs", "path": "/v1/clusters", "method": "GET", "kind": "big"})
            rf = os.path.join(self.tmp, "big.rss")
            m0 = log_lines()
            t0 = time.perf_counter()
            p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rf] + cmd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            wall = time.perf_counter() - t0
            ev = wait_closed(m0)
            if t == "iksctl":
                self.observe(self.state["iksctl"], ev, "iksctl api /v1/clusters (5 MiB)", single=True)
            self.big[t] = {"rss": int(open(rf).read().split()[-1]), "bytes": len(p.stdout), "wall": wall,
                           "rc": p.returncode}

    # ------------------------------------------------------------ sizes
    def sizes(self):
        out = []
        for t in TRIPLES:
            p = os.path.join(ROOT, "build", t, "iksctl")
            n = os.path.getsize(p) if os.path.exists(p) else None
            mt = time.strftime("%H:%M:%S", time.localtime(os.path.getmtime(p))) if n else "-"
            out.append((t, n, LIMITS[t], mt))
        self.size_res = out

    # ------------------------------------------------------------ all
    def main(self):
        self.sizes()
        log("setup: the guide once per tool (warm state for the cached scenarios)")
        for t in ("iksctl", "curl"):
            d = os.path.join(self.tmp, "trace", "setup-" + t)
            env_w = self.state[t]
            os.makedirs(env_w, exist_ok=True)
            c = self.run_setup(t, d)
            c["steps"] = self.analyse_trace(d, env_w, "%s setup guide" % t, check=(t == "iksctl"))
            self.setup = getattr(self, "setup", {})
            self.setup[t] = c
        self.store_tls_setup = self.store_tls()
        t0 = time.time()
        for s, _ in SCENARIOS:
            if not self.a.only or s in self.a.only.split(","):
                self.scenario(s)
        self.t_scen = time.time() - t0
        self.heap()
        self.big_rss()
        self.callgrind()

    def run_setup(self, tool, trace):
        # the guide, traced, in the persistent state folder
        env = dict(self.env, W=self.state[tool], STEP="sh " + STEP, TRACE=trace)
        os.makedirs(trace, exist_ok=True)
        m0 = log_lines()
        p = subprocess.run(["sh", SCEN, tool, "guide"], env=env, stderr=subprocess.PIPE)
        ev = wait_closed(m0)
        if p.returncode != 0:
            raise SystemExit("bench: setup %s failed: %s" % (tool, p.stderr.decode()[-800:]))
        return counts(ev)


def read_env(p):
    d = {}
    for line in open(p):
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            d[k] = v
    return d


def cg_total(f):
    for line in open(f):
        if line.startswith("totals:") or line.startswith("summary:"):
            return int(line.split()[1])
    return 0


def annotate(f, inclusive, n):
    p = subprocess.run(["callgrind_annotate", "--inclusive=" + ("yes" if inclusive else "no"), f],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    rows = []
    for line in p.stdout.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(\S.*)$", line)
        if m and "PROGRAM TOTALS" not in line:
            fn = m.group(3)
            fn = re.sub(r"\s*\[.*\]$", "", fn)
            fn = fn.split(":", 1)[1] if ":" in fn else fn
            rows.append((int(m.group(1).replace(",", "")), float(m.group(2)), fn))
        if len(rows) >= n:
            break
    return rows


_SYS_SEND = {"write", "writev", "sendto", "sendmsg"}
_SYS_RECV = {"read", "readv", "recvfrom", "recvmsg"}


def strace_bytes(path):
    """Bytes written to / read from AF_INET sockets, from an strace -f log."""
    socks = set()
    pending = {}
    sent = recv = 0
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        return 0, 0
    for line in lines:
        m = re.match(r"^(\d+)\s+(.*)$", line)
        if not m:
            continue
        pid, rest = m.group(1), m.group(2)
        r = re.match(r"^<\.\.\. (\w+) resumed>", rest)
        if r:
            name = r.group(1)
            fd = pending.pop(pid, (None, None))[1]
        else:
            c = re.match(r"^(\w+)\((\d+)?", rest)
            if not c:
                continue
            name, fd = c.group(1), c.group(2)
            if rest.endswith("<unfinished ...>"):
                pending[pid] = (name, fd)
                continue
        rv = re.search(r"\)\s+=\s+(-?\d+)", rest)
        if not rv:
            continue
        ret = int(rv.group(1))
        if name == "socket":
            if "AF_INET" in rest and ret >= 0:
                socks.add(str(ret))
            continue
        if name == "close":
            socks.discard(fd)
            continue
        if fd not in socks or ret <= 0:
            continue
        if name in _SYS_SEND:
            sent += ret
        elif name in _SYS_RECV:
            recv += ret
    return sent, recv


# ---------------------------------------------------------------- report
def med(xs):
    return statistics.median(xs) if xs else 0


def ms(x):
    return "%.1f ms" % (x * 1000)


def kb(x):
    return "%d KiB" % x


def spread(xs):
    lo, hi = min(xs), max(xs)
    return str(lo) if lo == hi else "%s–%s" % (lo, hi)


def report(b, a, t_total):
    L = []
    w = L.append
    now = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "src"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True).stdout.strip()
    cv = subprocess.run(["curl", "--version"], stdout=subprocess.PIPE, text=True).stdout.splitlines()[0]
    jv = subprocess.run(["jq", "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    iv = subprocess.run([b.env["IKSCTL"], "version"], stdout=subprocess.PIPE, text=True).stdout.split("\n")[0]
    w("# iksctl benchmark results")
    w("")
    w("Written by `make bench` (tests/bench/run.sh) on %s, commit %s%s, %d CPUs, %s." % (
        now, rev or "?", " with local changes in src/" if dirty else "", os.cpu_count() or 0,
        platform_line()))
    w("Tools: `%s`; %s; `%s`. Whole bench: %.0f s." % (iv, cv.split(" (")[0] + " (" + cv.split("libcurl/")[-1].split()[0]
                                                       + ", " + " ".join(x for x in cv.split() if x.startswith("OpenSSL")) + ")",
                                                       jv, t_total))
    w("")
    w("Trust store for both tools: `SSL_CERT_FILE` = Debian's full CA bundle with the emulator's CA appended "
      "(%d certificates, %d bytes); curl is also given it with `--cacert`, and the cluster CA saved from "
      "the config zip for the master." % (b.bundle_certs, b.bundle_bytes))
    w("")

    # ---- targets
    w("## Where we must land")
    w("")
    tg = []
    for t, n, lim, mt in b.size_res:
        tg.append(("%s stripped size < %d bytes" % (t, lim), n is not None and n < lim,
                   "%s bytes" % ("{:,}".format(n).replace(",", " ") if n else "missing")))
    worst = max((s["rss"], scen) for scen, _ in SCENARIOS for c in b.res[scen]["iksctl"]["traced"]
                for s in c["steps"])
    tg.append(("peak RSS of every iksctl scenario < 1 MiB (1024 KiB), full CA bundle", worst[0] < 1024,
               "largest: %d KiB (%s); curl's largest process: %d KiB" % (
                   worst[0], worst[1],
                   max(s["rss"] for scen, _ in SCENARIOS for c in b.res[scen]["curl"]["traced"] for s in c["steps"]))))
    for scen in CACHED:
        mi = med([r["wall"] for r in b.res[scen]["iksctl"]["runs"]])
        mc = med([r["wall"] for r in b.res[scen]["curl"]["runs"]])
        ci = med([r["cpu"] for r in b.res[scen]["iksctl"]["runs"]])
        cc = med([r["cpu"] for r in b.res[scen]["curl"]["runs"]])
        tg.append(("cached-token call `%s`: iksctl wall time ≤ 0.5 × curl's" % scen, mi <= 0.5 * mc,
                   "ratio %.2f (%s vs %s; CPU time ratio %.2f)" % (mi / mc, ms(mi), ms(mc), ci / cc if cc else 0)))
    tg.append(("one connection per host per process; every later process resumes TLS with hosts seen before",
               not b.violations, "%d single iksctl processes and %d multi-process runs checked: %d violations" % (
                   b.n_checked, b.n_runs_checked, len(b.violations))))
    hs = {h["label"]: h["kv"] for h in b.heap_res}
    small = hs["api /v1/clusters (small, ~2 KB)"]
    big = hs["api /v1/clusters (big fault, 5 MiB)"]
    key = ("malloc", "calloc", "realloc")
    same = all(small.get(k) == big.get(k) for k in key)
    tg.append(("heap allocations the same for a small and a 5 MB response", same,
               "small: %s, 5 MiB: %s (malloc+calloc+realloc)" % (
                   sum(int(small.get(k, 0)) for k in key), sum(int(big.get(k, 0)) for k in key))))
    w("| target | met | figure |")
    w("|---|---|---|")
    for name, ok, fig in tg:
        w("| %s | %s | %s |" % (name, "**met**" if ok else "**NOT met**", fig))
    w("")
    if b.violations:
        w("Connection/resumption violations (%d; the first 12):" % len(b.violations))
        w("")
        for v in b.violations[:12]:
            w("- " + v)
        w("")

    # ---- scenarios
    w("## Scenarios")
    w("")
    w("Each scenario is one `sh tests/bench/scenario.sh TOOL SCENARIO` run (read it for the exact commands). "
      "Wall time: median over %d runs per tool, iksctl and curl interleaved (A B A B …), after one warm-up run each; "
      "ratio = iksctl ÷ curl. CPU = user+sys of the script and all its processes (median). Emulator = the time "
      "the emulator spent answering, summed over the run's requests (its log's `ms`; median): the server's share of "
      "the wall time, the same work for both tools (RS256 token signing in pure Python is about 20 ms a token; it "
      "leaves out the server's TLS work and its waits for a CPU, which on a loaded machine dominate the spread). Requests, connections and "
      "handshakes: counted in the emulator's log for each run (a range if runs differed). Peak RSS and bytes: %d "
      "separate traced runs per tool, each process under `/usr/bin/time -f %%M` and strace; RSS = the largest "
      "process of the scenario (max over the traced runs); bytes = what the client wrote to / read from its TCP "
      "sockets (TLS records, handshakes included; no TCP/IP headers), summed over the processes, median of the "
      "traced runs; body = response bodies as logged by the emulator." % (a.runs, a.traced))
    w("")
    w("| scenario | tool | processes | wall (median) | ratio | CPU | emulator | peak RSS | requests | TCP conns | "
      "full / resumed TLS | sent / received (TCP payload) | response bodies |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for scen, title in SCENARIOS:
        r = b.res[scen]
        mi = med([x["wall"] for x in r["iksctl"]["runs"]])
        mc = med([x["wall"] for x in r["curl"]["runs"]])
        for t in ("iksctl", "curl"):
            runs = r[t]["runs"]
            tr = r[t]["traced"]
            names = {}
            for s in tr[0]["steps"]:
                names[s["name"]] = names.get(s["name"], 0) + 1
            procs = ", ".join("%d %s" % (v, k) for k, v in names.items())
            rss = max(s["rss"] for c in tr for s in c["steps"])
            sent = med([sum(s["sent"] for s in c["steps"]) for c in tr])
            recv = med([sum(s["recv"] for s in c["steps"]) for c in tr])
            w("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s / %s B | %s B |" % (
                title if t == "iksctl" else "", t, procs, ms(med([x["wall"] for x in runs])),
                ("**%.2f**" % (mi / mc)) if t == "iksctl" else "", ms(med([x["cpu"] for x in runs])),
                "%d ms" % med([x["server_ms"] for x in runs]), kb(rss), spread([x["requests"] for x in runs]), spread([x["conns"] for x in runs]),
                spread([x["full"] for x in runs]), spread([x["resumed"] for x in runs]),
                int(sent), int(recv), spread([x["body"] for x in runs])))
    w("")
    w("Spread of the wall times (min / p25 / median / p75 / max, ms):")
    w("")
    for scen, title in SCENARIOS:
        for t in ("iksctl", "curl"):
            xs = sorted(x["wall"] * 1000 for x in b.res[scen][t]["runs"])
            q = statistics.quantiles(xs, n=4) if len(xs) >= 2 else [xs[0]] * 3
            w("- %s, %s: %.1f / %.1f / %.1f / %.1f / %.1f" % (scen, t, xs[0], q[0], q[1], q[2], xs[-1]))
    w("")
    w("Peak RSS per process (KiB, max over the traced runs):")
    w("")
    for scen, title in SCENARIOS:
        for t in ("iksctl", "curl"):
            per = {}
            for c in b.res[scen][t]["traced"]:
                for i, s in enumerate(c["steps"]):
                    k = "%d:%s" % (i, s["name"])
                    per[k] = max(per.get(k, 0), s["rss"])
            w("- %s, %s: %s" % (scen, t, ", ".join("%s %d" % (k.split(":", 1)[1], v) for k, v in per.items())))
    w("")

    # ---- footprint
    w("## Footprint")
    w("")
    w("Stripped binaries (`make cross`; the file's time shows when it was built):")
    w("")
    w("| target | bytes | limit | met | built |")
    w("|---|---|---|---|---|")
    for t, n, lim, mt in b.size_res:
        w("| %s | %s | %d | %s | %s |" % (t, n if n else "missing", lim, "yes" if n and n < lim else "**no**", mt))
    w("")
    if getattr(a, "sizemap", None) and os.path.exists(a.sizemap):
        w(open(a.sizemap).read().rstrip())
        w("")
    w("libc heap calls per command: a second iksctl linked from the same objects (main.o, libiksctl.a, "
      "libmbedtls.a) with `-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free` and "
      "`tests/bench/mallocwrap.c`, which counts every call (ours, mbedTLS's and those inside musl) and reports "
      "at exit. Warm state (logged in, caches full).")
    w("")
    w("| command | stdout bytes | malloc | calloc | realloc | free | bytes asked | callers (first 16) |")
    w("|---|---|---|---|---|---|---|---|")
    for h in b.heap_res:
        kv = h["kv"]
        w("| `%s` | %d | %s | %s | %s | %s | %s | %s |" % (
            h["label"], h["stdout"], kv.get("malloc"), kv.get("calloc"), kv.get("realloc"), kv.get("free"),
            kv.get("bytes"), ", ".join(sorted(set(h["callers"]))) or "-"))
    w("")
    w("Instructions per command (`valgrind --tool=callgrind`, Ir of the one process; the iksctl column runs "
      "the unstripped build of the same binary; warm state; does not depend on load):")
    w("")
    w("| command | iksctl Ir | iksctl TLS | iksctl requests | curl Ir | curl TLS | iksctl ÷ curl |")
    w("|---|---|---|---|---|---|---|")

    def hs(c):
        return "%s" % ("full" if c["full"] and not c["resumed"] else "resumed" if c["resumed"] and not c["full"]
                       else "%d full, %d resumed" % (c["full"], c["resumed"]))
    for r in b.cg:
        w("| %s | %s | %s | %d | %s | %s | %.3f |" % (
            r["label"], "{:,}".format(r["iksctl"]), hs(r["iksctl_tls"]), r["iksctl_tls"]["requests"],
            "{:,}".format(r["curl"]), hs(r["curl_tls"]), r["iksctl"] / r["curl"] if r["curl"] else 0))
    w("")
    w("Peak RSS with the 5 MiB response (`api /v1/clusters` vs `curl $CS/v1/clusters`, one run each, stdout to a "
      "pipe): iksctl %d KiB (%d bytes out), curl %d KiB (%d bytes out)." % (
          b.big["iksctl"]["rss"], b.big["iksctl"]["bytes"], b.big["curl"]["rss"], b.big["curl"]["bytes"]))
    w("")

    # ---- profile
    w("## Where the time and instructions go")
    w("")
    w("iksctl `clusters -o json` with a cached token (one request, resumed TLS 1.3), self cost by function:")
    w("")
    w("| Ir | % | function |")
    w("|---|---|---|")
    for ir, pct, fn in b.cg_profile:
        w("| %s | %.1f | %s |" % ("{:,}".format(ir), pct, fn))
    w("")
    pick = ("main", "tls_open", "mbedtls_ssl_handshake", "mbedtls_ecp_mul_restartable", "psa_raw_key_agreement",
            "mbedtls_ssl_write_client_hello", "tls_load_cas", "mbedtls_x509_crt_parse", "mbedtls_x509_crt_parse_file",
            "store_load", "session_call", "http_do", "net_open", "cmd_clusters")
    sel = [(ir, pct, fn) for ir, pct, fn in b.cg_profile_incl if fn.split(".")[0] in pick]
    if sel:
        w("Inclusive: " + "; ".join("%s %.1f%%" % (fn, pct) for ir, pct, fn in sel) + ".")
        w("")
    cpick = [(ir, pct, fn) for ir, pct, fn in b.cg_curl_incl
             if any(k in fn for k in ("SSL_CTX_load_verify", "X509_STORE_load", "SSL_do_handshake",
                                      "OPENSSL_init", "curl_easy_perform", "_dl_start", "PEM_X509_INFO_read"))]
    if cpick:
        w("curl, same call, inclusive: " + "; ".join("%s %.1f%%" % (fn, pct) for ir, pct, fn in cpick[:8]) + ".")
        w("")
    analysis(b, w, tg)
    return "\n".join(L) + "\n"


def analysis(b, w, tg):
    """Why a target is missed, what would close the gap, other findings."""
    w("## Misses, causes and what would close the gap")
    w("")
    missed = [name for name, ok, fig in tg if not ok]
    if not missed:
        w("Every target is met in this run.")
        w("")
    for t, n, lim, mt in b.size_res:
        if n is None:
            w("- **%s size**: no binary at build/%s/iksctl (did `make cross` fail?)." % (t, t))
        elif n >= lim:
            w("- **%s size**: %d bytes, %d over the %d limit (%.1f%%). The breakdown above (x86_64, per object; "
              "ARM code is laid out the same, Thumb-2 smaller) shows where the bytes are: mbedTLS is about half, "
              "our src/ about a third, musl the rest. Closing the gap: drop what the IBM endpoints do not need "
              "from `third_party/mbedtls_config.h` (each of RSA-PSS/PKCS#1 v2.1, SHA-1, the TLS 1.2 code path "
              "or one of the curves is several KB, see the object list), and look at the largest src/ objects."
              % (t, n, n - lim, lim, 100.0 * (n - lim) / lim))
    worst = max((s["rss"], scen) for scen, _ in SCENARIOS for c in b.res[scen]["iksctl"]["traced"]
                for s in c["steps"])
    if worst[0] >= 1024:
        w("- **peak RSS**: %d KiB in `%s`. The arena and buffers are static: RSS is the pages touched; a "
          "full handshake touches the mbedTLS arena and the CA scan buffers." % worst)
    for scen in CACHED:
        mi = med([r["wall"] for r in b.res[scen]["iksctl"]["runs"]])
        mc = med([r["wall"] for r in b.res[scen]["curl"]["runs"]])
        if mi > 0.5 * mc:
            srv = med([r["server_ms"] for r in b.res[scen]["iksctl"]["runs"]])
            w("- **wall time, %s**: ratio %.2f; the emulator's own share is %d ms of iksctl's %.0f ms." % (
                scen, mi / mc, srv, mi * 1000))
    if b.violations:
        after = b.res.get("login", {}).get("store_tls_after")
        before = getattr(b, "store_tls_setup", None)
        w("- **TLS resumption**: %d full handshakes with hosts the same IKSCTL_HOME had talked to before (list "
          "above)." % len(b.violations))
        if after is not None and before is not None and after < before:
            w("  Cause: `iksctl login` rewrites the store with only the IAM session: the store held %d saved TLS "
              "sessions before the login scenario and %d after it, so the next `clusters` (cs), `kube` (master) and "
              "`accounts` calls make a full handshake, scanning the CA bundle again (see the cold-login row of the "
              "instruction table: a full handshake with the full Debian bundle costs several times a resumed one). "
              "The login also drops the cached kube id_token, so the next `kube` makes two IAM calls more. "
              "Closing it: keep the `tls` lines (they belong to hosts, not to the identity) when a login "
              "replaces the token; keep the id_token unless the account or identity changed." % (before, after))
        w("")
    if missed:
        w("")
    w("Other findings (not targets):")
    w("")
    big = b.cg[3]
    if big["iksctl"] > big["curl"]:
        top = ", ".join("%s %.0f%%" % (fn, pct) for ir, pct, fn in b.cg_big[:3])
        ctop = ", ".join("%s %.0f%%" % (fn, pct) for ir, pct, fn in b.cg_big_curl[:3])
        w("- **Bulk decryption**: for the 5 MiB response iksctl executes %.0f instructions per body byte, curl %.0f "
          "(%s vs %s Ir). iksctl's profile: %s (AES-NI and PCLMULQDQ where the CPU has them, "
          "mbedTLS's one-block-at-a-time GCM). %s (top: %s). User CPU against curl for the 6 MB "
          "list and the ciphersuite per target: \"Bulk TLS\" below (tests/bench/bulk.sh). "
          "RSS stays flat (%d KiB) and "
          "so do heap calls: the response is streamed." % (
              big["iksctl"] / 5244877.0, big["curl"] / 5244877.0, "{:,}".format(big["iksctl"]),
              "{:,}".format(big["curl"]), top, cpu_note(), ctop, b.big["iksctl"]["rss"]))
    cold = b.cg[5]
    warm = b.cg[4]
    pick = [(fn, pct) for ir, pct, fn in b.cg_cold_incl
            if fn.split(".")[0] in ("scan_file", "ca_callback", "index_lookup", "mbedtls_base64_decode", "mbedtls_x509_crt_verify",
                      "mbedtls_x509_crt_verify_with_profile", "mbedtls_ecp_mul_restartable", "mbedtls_rsa_public",
                      "mbedtls_pk_verify_ext", "mbedtls_ecdsa_verify_restartable")]
    w("- **Full handshake with the full CA bundle**: a cold login costs iksctl %s Ir against %s with a saved "
      "session (curl: %s, always a full handshake, most of it loading the %d-certificate bundle into an "
      "X509_STORE). Inclusive shares in iksctl's cold login: %s." % (
          "{:,}".format(cold["iksctl"]), "{:,}".format(warm["iksctl"]), "{:,}".format(cold["curl"]),
          b.bundle_certs, "; ".join("%s %.0f%%" % x for x in pick) or "-"))
    pv = [pct for fn, pct in pick if fn.startswith("mbedtls_pk_verify")]
    if pv and pv[0] > 50:
        w("  The CA lookup is cheap; the signature checks of IAM's ECDSA P-384 chain (two certificate "
          "signatures and the TLS 1.3 CertificateVerify) are %.0f%% of it. `MBEDTLS_ECP_NIST_OPTIM` is not set "
          "in third_party/mbedtls_config.h, so P-256/P-384 use the generic modular reduction; setting it (a few "
          "KB of code) typically makes each ECDSA verification several times faster, and would bring a full "
          "handshake with IAM below curl's cost. It only matters for the first call to a host (the guide "
          "scenario, and after a session expires)." % pv[0])
    ciphers = sorted(set(e.get("cipher") for e in log_events(0) if e.get("event") == "conn" and e.get("cipher")))
    w("- Negotiated: %s (emulator log; the server picks)." % ", ".join(ciphers))
    w("- **Wall time is mostly the emulator**: see the emulator column; a login is one RS256 signature in "
      "Python on the server. CPU time and instructions are the client-side figures that do not depend on the "
      "server.")
    w("")


def cpu_note():
    flags = set()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    except OSError:
        pass
    if "aes" in flags and "pclmulqdq" in flags:
        return "curl's OpenSSL uses AES-NI and PCLMULQDQ, which this CPU has"
    return "curl's OpenSSL uses assembly"


def platform_line():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--mw", required=True)
    ap.add_argument("--iksctl", required=True)
    ap.add_argument("--iksctl-unstripped", required=True)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--traced", type=int, default=3)
    ap.add_argument("--sizemap")
    ap.add_argument("--json")
    ap.add_argument("--only", help="comma-separated scenarios (debugging; the report needs all)")
    a = ap.parse_args()
    t0 = time.time()
    b = Bench(a)
    b.main()
    text = report(b, a, time.time() - t0)
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, a.out)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"res": b.res, "heap": b.heap_res, "cg": b.cg, "big": b.big, "sizes": b.size_res,
                       "violations": b.violations, "setup": b.setup}, f, indent=1, default=str)
    log("wrote", a.out)


if __name__ == "__main__":
    main()
