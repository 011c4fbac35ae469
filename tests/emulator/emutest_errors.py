"""emutest_errors.py: part of test_emulator.py. Every IAM and containers error, every
fault kind, the log, keep-alive and TLS 1.3 and 1.2 session resumption.
"""
import json
import ssl
import time
import urllib.parse

from emutest import *  # noqa: F401,F403


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
    t = apikey_token_with(refresh_ttl=1)
    time.sleep(1.2)
    r = iam_post({"grant_type": "refresh_token", "refresh_token": t["refresh_token"]})
    b = check_iam_error(r, 400, "BXNIM0408E")
    eq(b["errorMessage"], "Provided refresh token is expired", "message")
    r = iam_post({"grant_type": "refresh_token", "refresh_token": t["refresh_token"][:-2] + "zz"})
    check_iam_error(r, 400, "BXNIM0407E")


@test
def iam_rate_limit():
    """iam_rate_limit N: N token calls let through in any second, the rest IAM's 429 with
    Retry-After iam_retry_after; a second later calls pass again; 0 lifts it."""
    form = {"grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": ENV["EMU_APIKEY"]}
    control("/control/config", {"iam_rate_limit": 2, "iam_retry_after": 3})
    try:
        got = [iam_post(form) for _ in range(4)]
        eq([r.status for r in got[:2]], [200, 200], "the first two pass")
        eq([r.status for r in got[2:]], [429, 429], "the rest in that second: 429")
        check_iam_error(got[2], 429, "BXNIM0429E")
        eq(got[2].h("retry-after"), "3", "Retry-After")
        time.sleep(1.1)
        eq(iam_post(form).status, 200, "a second later: passes")
    finally:
        control("/control/config", {"iam_rate_limit": 0})
    eq([iam_post(form).status for _ in range(4)], [200] * 4, "lifted")


@test
def error_G0004_A0003():
    at = S["scoped"]["access_token"]
    b = cs_err(cs_get("/v1/clusters/no-such-cluster", at), 404, "G0004")
    check(b.get("recoveryCLI"), "recoveryCLI")
    b = cs_err(cs_get("/v1/clusters", "not.a.token"), 401, "A0003")
    eq(b["type"], "Authentication", "type")
    cs_err(curl(ENV["IBMCLOUD_CS_API_ENDPOINT"] + "/v1/clusters"), 401, "A0003")
    # a cluster of another account is not visible
    cs_err(cs_get("/v1/clusters/fake-iks-other", at), 404, "G0004")


@test
def error_short_access_ttl_expires():
    t = apikey_token_with(access_ttl=1)
    eq(t["expires_in"], 1, "expires_in follows access_ttl")
    time.sleep(1.1)
    cs_err(cs_get("/v1/clusters", t["access_token"]), 401, "A0003")


# ---------------------------------------------------------------- faults

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
        cs_err(curl(ENV["IBMCLOUD_CS_API_ENDPOINT"] + "/v1/regions"), 503, "A0002")
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
    cs_err(cs_get("/v1/clusters", t["access_token"]), 401, "A0003")
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
