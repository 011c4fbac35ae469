"""Faults the tests arm through POST /control/fault: validation, matching a request
(service, path prefix, method, count; the lifecycle's own kinds ask lifecycle.py), and
the realistic error answer of each service for the `status` kind. The transport kinds
(reset, truncate, chunked, ...) are applied by httpd.Handler."""
import lifecycle
from accounts import acct_error
from containers import cs_error
from master import kube_status
from metadata import md_error

FAULT_KINDS = ("reset", "reset_before_body", "reset_mid_body", "truncate", "delay",
               "status", "chunked", "close", "big", "expire_tokens", "bad_json",
               "many_tokens", "big_header", "body") + lifecycle.FAULT_KINDS
SERVICES = ("iam", "accounts", "cs", "master", "metadata")


def status_resp(emu, svc, status, fault):
    reasons = {429: "TooManyRequests", 500: "InternalError", 502: "BadGateway",
               503: "ServiceUnavailable", 504: "GatewayTimeout"}
    if svc == "iam":
        if status == 429:
            r = emu.iam.error(429, "BXNIM0429E", "Too many requests. Try again later.")
        else:
            r = emu.iam.error(status, "BXNIM0002E", "Service temporarily unavailable. Try again later.")
    elif svc == "cs":
        r = cs_error("A0429" if status == 429 else "A0002", status)
    elif svc == "accounts":
        r = acct_error(status, "too_many_requests" if status == 429 else "service_unavailable",
                       "Too many requests" if status == 429 else "Service temporarily unavailable")
    elif svc == "metadata":
        r = md_error(status, "too_many_requests" if status == 429 else "service_error",
                     "Too many requests." if status == 429 else "An internal error occurred.")
    else:
        r = kube_status(status, reasons.get(status, "InternalError"),
                        "the server is currently unable to handle the request")
    if fault.get("retry_after") is not None:
        r.headers.append(("Retry-After", str(fault["retry_after"])))
    if status == 429:
        r.headers += [("X-RateLimit-Limit", "100"), ("X-RateLimit-Remaining", "0"),
                      ("X-RateLimit-Reset", str(int(emu.clock.now()) + 1))]
    return r


def add(emu, f):
    """Arms fault f (expire_tokens acts at once); ValueError if it is not valid."""
    kind = f.get("kind")
    if kind not in FAULT_KINDS:
        raise ValueError("unknown kind %r; kinds: %s" % (kind, ", ".join(FAULT_KINDS)))
    if f.get("service") is not None and f["service"] not in SERVICES:
        raise ValueError("unknown service %r" % f["service"])
    if kind == "expire_tokens":
        seq = emu.iam.expire(bool(f.get("refresh")))
        emu.bump("faults_fired", kind)
        return {"ok": True, "kind": kind, "expired_through": seq}
    if kind == "status" and not isinstance(f.get("status"), int):
        raise ValueError("kind status needs an integer 'status'")
    if kind == "body" and not isinstance(f.get("body"), str):
        raise ValueError("kind body needs a string 'body'")
    with emu.lock:
        emu.fault_seq += 1
        f = dict(f, id=emu.fault_seq, count=int(f.get("count", 1)))
        emu.faults.append(f)
    return {"ok": True, "id": f["id"]}


def take(emu, svc, path, method):
    """The first armed fault that matches this request, counted down; else None."""
    stripped = path[len("/global"):] if path.startswith("/global") else path
    with emu.lock:
        for f in emu.faults:
            if f["count"] <= 0:
                continue
            if f.get("service") and f["service"] != svc:
                continue
            if f.get("method") and f["method"].upper() != method:
                continue
            p = f.get("path")
            if p and not (path.startswith(p) or stripped.startswith(p)):
                continue
            if not emu.lc.fault_applies(f, svc, stripped, method):
                continue
            if f["kind"] == "big" and not (svc == "cs" and stripped.rstrip("/") == "/v1/clusters"):
                continue
            f["count"] -= 1
            emu.faults = [x for x in emu.faults if x["count"] > 0]
            k = f["kind"]
            emu.stats["faults_fired"][k] = emu.stats["faults_fired"].get(k, 0) + 1
            return dict(f)
    return None
