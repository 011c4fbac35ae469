#!/usr/bin/env python3
"""fleet.py: a fleet that must not move in step (issue 25 point 9), for test_fleet.sh and
`make bench`.

  fleet.py run MODE IKSCTL HOMES N EMU_LOG MARK OUT
      MODE refresh: N `iksctl token --refresh`; MODE agent: N `iksctl -v token --watch
      --sink HOMES/dI/sink`.  Device I uses IKSCTL_HOME=HOMES/dI.  Each is started in its
      own pid namespace (unshare -p -f: every one is pid 1, as in identical containers),
      all blocked on one pipe, then released at the same instant.  Then reads the
      emulator's log after line MARK and writes the figures to OUT (JSON) and one line
      to stdout.
  fleet.py sim [RUNS]
      The same fleet simulated, every device conforming (a 429's Retry-After N waited as
      N plus a uniform random part of up to max(N/2, 1) s), against the same limiter (10
      token calls let through in any second): the mean time to the last token and calls
      per device, as a reference for the run.
"""
import base64
import collections
import datetime
import heapq
import json
import os
import random
import subprocess
import sys
import threading
import time

RATE, RETRY_AFTER = 10, 2.0      # the emulator's iam_rate_limit and iam_retry_after
SLACK = 0.05                     # log timestamps are written after the answer: 50 ms


def jwt_exp(tok):
    """The exp claim of a JWT, or 0 if it is not one."""
    try:
        p = tok.strip().split(".")[1]
        return int(json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))["exp"])
    except (IndexError, ValueError, KeyError):
        return 0


def spawn(mode, iksctl, home, rd):
    env = dict(os.environ, IKSCTL_HOME=home)
    if mode == "refresh":
        cmd = 'read x; exec "$0" token --refresh'
    else:
        cmd = 'read x; exec "$0" -v token --watch --sink "$IKSCTL_HOME/sink"'
    return subprocess.Popen(["unshare", "-p", "-f", "--kill-child", "--mount-proc", "sh", "-c",
                             cmd, iksctl], stdin=rd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)


def renewal_reader(p, seen):
    """Timestamps the agent's first 'holds a token until EXP; next renewal in W s' line."""
    for line in p.stderr:
        s = line.decode(errors="replace")
        if "next renewal in" in s and "holds a token until" in s and not seen:
            exp = int(s.split("until ")[1].split(";")[0])
            w = int(s.split("next renewal in ")[1].split()[0])
            seen.append((time.time(), exp, w))


def run(mode, iksctl, homes, n, log, mark, out):
    rd, wr = os.pipe()
    procs = [spawn(mode, iksctl, os.path.join(homes, "d%d" % i), rd) for i in range(n)]
    os.close(rd)
    renew = [[] for _ in range(n)]
    if mode == "agent":
        for i, p in enumerate(procs):
            threading.Thread(target=renewal_reader, args=(p, renew[i]), daemon=True).start()
    time.sleep(0.5)                  # all of them waiting on the pipe
    t0 = time.time()
    os.close(wr)                     # go
    got, status = [0.0] * n, [None] * n
    deadline = t0 + 30
    while time.time() < deadline and not all(got):
        for i, p in enumerate(procs):
            if got[i]:
                continue
            if mode == "refresh":
                if p.poll() is not None:
                    status[i] = p.returncode
                    tok = p.stdout.read().decode()
                    got[i] = time.time() if p.returncode == 0 and jwt_exp(tok) > time.time() else -1
            else:
                try:
                    with open(os.path.join(homes, "d%d" % i, "sink")) as f:
                        if jwt_exp(f.read()) > time.time():
                            got[i] = time.time()
                except OSError:
                    pass
        time.sleep(0.02)
    if mode == "agent":
        time.sleep(0.5)              # their renewal lines
    for p in procs:
        if p.poll() is None:
            p.kill()       # unshare ignores SIGTERM; --kill-child takes the agent along
    for p in procs:
        p.wait()
    res = analyse(log, mark, t0)
    res.update(mode=mode, devices=n, tokens=sum(1 for g in got if g > 0),
               last_token_s=round(max(got) - t0, 2) if all(g > 0 for g in got) else None,
               statuses=sorted(set(str(s) for s in status if s is not None)))
    if mode == "agent":
        # The renewal point: 80 % of the life less a random part of up to 10 %.
        jit = [exp - 3600 + 2880 - (t + w) for r in renew for (t, exp, w) in r[:1]]
        res["renewals"] = len(jit)
        res["renewal_jitter_span_s"] = round(max(jit) - min(jit), 1) if jit else 0
        res["renewal_max_in_10s"] = max_in_window(jit, 10.0)
    json.dump(res, open(out, "w"), indent=1)
    print("fleet %s: %d/%d tokens, the last at %s s, %.2f IAM calls per device, %d early "
          "retries, %d waits after a 429 (at most %d in one 100 ms window)%s" % (
              mode, res["tokens"], n, res["last_token_s"], res["calls_per_device"],
              res["early_retries"], len(res["waits"]), res["waits_max_in_100ms"],
              "; renewal points spread over %s s (at most %d of %d in 10 s)" % (
                  res["renewal_jitter_span_s"], res["renewal_max_in_10s"], res["renewals"])
              if mode == "agent" else ""))


def max_in_window(xs, width):
    xs, best, j = sorted(xs), 0, 0
    for i in range(len(xs)):
        while xs[i] - xs[j] >= width:
            j += 1
        best = max(best, i - j + 1)
    return best


def analyse(log, mark, t0):
    calls = collections.defaultdict(list)
    with open(log) as f:
        for k, line in enumerate(f):
            if k < mark:
                continue
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("event") != "request" or e.get("path") != "/identity/token" or \
                    e.get("grant_type") != "refresh_token":
                continue
            ts = datetime.datetime.strptime(e["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                tzinfo=datetime.timezone.utc).timestamp()
            calls[e.get("rt")].append((ts, e.get("status")))
    waits, early, first = [], 0, []
    for c in calls.values():
        c.sort()
        first.append(c[0][0] - t0)
        for (a, st), (b, _) in zip(c, c[1:]):
            if st == 429:
                waits.append(b - a)
                early += b - a < RETRY_AFTER - SLACK
    total = sum(len(c) for c in calls.values())
    return {"calls": total, "calls_per_device": total / max(1, len(calls)),
            "devices_seen": len(calls), "early_retries": early,
            "waits": [round(w, 3) for w in sorted(waits)],
            "waits_max_in_100ms": max_in_window(waits, 0.1),
            "first_call_latest_s": round(max(first), 2) if first else None}


def sim_once(rng, n=60):
    ev = [(rng.uniform(0, 0.2), i) for i in range(n)]
    heapq.heapify(ev)
    window, calls, last = collections.deque(), [0] * n, 0.0
    while ev:
        t, i = heapq.heappop(ev)
        calls[i] += 1
        while window and window[0] <= t - 1.0:
            window.popleft()
        if len(window) < RATE:
            window.append(t)
            last = max(last, t)
        else:
            heapq.heappush(ev, (t + RETRY_AFTER + rng.uniform(0, max(RETRY_AFTER / 2, 1.0)), i))
    return last, sum(calls) / n


def sim(runs):
    rng = random.Random(25)
    r = [sim_once(rng) for _ in range(runs)]
    t, c = sum(x[0] for x in r) / runs, sum(x[1] for x in r) / runs
    print("simulated conforming fleet: the last token at %.1f s, %.2f IAM calls per device "
          "(mean of %d runs)" % (t, c, runs))
    return t, c


if __name__ == "__main__":
    if sys.argv[1] == "sim":
        t, c = sim(int(sys.argv[2]) if len(sys.argv) > 2 else 200)
        sys.exit(0 if 11 <= t <= 14 and 3.0 <= c <= 3.4 else 1)
    run(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6], int(sys.argv[7]),
        sys.argv[8])
