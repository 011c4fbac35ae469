#!/usr/bin/env python3
"""Checks metadata.py, the VPC metadata service's identity methods (F23): both listeners
(plain HTTP and TLS), the 2025-08-26 paths and the 2022-03-01 ones, every error body, the
switches (new paths off, service off, no linked profile), and that the IAM access token it
hands out works at containers and gets a kube id_token (the config zip's) accepted by a
master. Uses lifetest.py's runner: one line per test, `N passed, N failed` last, exit 1 on
failure.  Usage: python3 tests/emulator/test_metadata.py
"""
import base64
import email.utils
import io
import os
import re
import socket
import ssl
import sys
import time
import urllib.error
import zipfile

from lifetest import *  # noqa: F401,F403

NEW, OLD = "2025-08-26", "2022-03-01"
FLAVOR = {"Metadata-Flavor": "ibm"}


def md(kind="http"):
    return ENV["EMU_METADATA_URL"] if kind == "http" else ENV["EMU_METADATA_TLS_URL"]


def put_token(body=None, headers=FLAVOR, version=NEW, kind="http", path=None):
    path = path or ("/identity/v1/token" if version >= NEW else "/instance_identity/v1/token")
    q = "" if version is None else "?version=" + version
    return http("PUT", md(kind) + path + q, body if body is not None else b"", headers)


def identity_token(ttl=None, **kw):
    r = put_token({"expires_in": ttl} if ttl else {}, **kw)
    eq(r.status, 200, "identity token (%s)" % r.body[:300])
    return r.json()["access_token"]


def post_iam(tok, body=None, version=NEW, kind="http", path=None):
    path = path or ("/identity/v1/iam_tokens" if version >= NEW else "/instance_identity/v1/iam_token")
    h = {"Authorization": "Bearer " + tok} if tok is not None else {}
    if body is not None:
        h["Content-Type"] = "application/json"
    return http("POST", md(kind) + path + "?version=" + version,
                json.dumps(body).encode() if isinstance(body, dict) else (body or b""), h)


def claims(tok):
    p = tok.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))


def md_err(r, status, code, target=None):
    """A VPC error body: {"errors":[{code,message,more_info,target?}],"status_code","trace"}."""
    eq(r.status, status, "status for %s (%s)" % (code, r.body[:300]))
    check(r.headers.get("content-type", "").startswith("application/json"), "JSON error")
    b = r.json()
    eq(sorted(b), ["errors", "status_code", "trace"], "error body keys")
    eq(b["status_code"], status, "status_code")
    check(len(b["errors"]) == 1 and b["trace"], "one error, a trace")
    e = b["errors"][0]
    eq(e["code"], code, "code")
    check(e["message"] and e["more_info"].startswith("https://cloud.ibm.com/docs/vpc"), "message, more_info")
    if target:
        eq(e.get("target", {}).get("name"), target, "target")
    return e


def iso_ts(s):
    return int(datetime_mod.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime_mod.timezone.utc).timestamp())


import datetime as datetime_mod  # noqa: E402


def vpc_access(kind="http", version=NEW, body=None):
    r = post_iam(identity_token(kind=kind, version=version), body, version=version, kind=kind)
    eq(r.status, 200, "iam token (%s)" % r.body[:300])
    return r.json()


# ---------------------------------------------------------------- tests

@test
def env_keys():
    for k in ("EMU_METADATA_URL", "EMU_METADATA_TLS_URL", "EMU_VPC_PROFILE_ID", "EMU_VPC_PROFILE_CRN",
              "EMU_VPC_PROFILE_NAME"):
        check(ENV.get(k), k)
    check(ENV["EMU_METADATA_URL"].startswith("http://127.0.0.1:"), "plain URL")
    check(ENV["EMU_METADATA_TLS_URL"].startswith("https://127.0.0.1:"), "TLS URL")
    check(ENV["EMU_VPC_PROFILE_ID"].startswith("Profile-"), "profile id")
    check(ENV["EMU_VPC_PROFILE_CRN"].endswith("::profile:" + ENV["EMU_VPC_PROFILE_ID"]), "profile crn")
    check(ENV["EMU_VPC_PROFILE_ID"] != ENV["EMU_PROFILE_ID"], "not the cr-token's profile")


@test
def identity_token_new_path():
    for kind in ("http", "https"):
        r = put_token({}, kind=kind)
        eq(r.status, 200, kind)
        b = r.json()
        eq(sorted(b), ["access_token", "created_at", "expires_at", "expires_in"], "fields")
        eq(b["expires_in"], 300, "default 5 minutes")
        eq(iso_ts(b["expires_at"]) - iso_ts(b["created_at"]), 300, "expires_at - created_at")
        d = email.utils.parsedate_to_datetime(r.headers["date"]).timestamp()
        check(abs(iso_ts(b["created_at"]) - d) <= 2, "created_at is now")
        c = claims(b["access_token"])
        eq((c["iss"], c["exp"] - c["iat"]), ("VSI-CR_us-south", 300), "claims iss, lifetime")
        check(c["iaas"]["instanceID"] and c["iaas"]["accountID"] == ENV["EMU_ACCOUNT"], "iaas claims")
        eq(json.loads(base64.urlsafe_b64decode(b["access_token"].split(".")[0] + "==="))["alg"], "RS256", "alg")


@test
def identity_token_expires_in():
    for ttl in (5, 60, 3600):
        r = put_token({"expires_in": ttl})
        eq((r.status, r.json()["expires_in"]), (200, ttl), "expires_in %d" % ttl)
        c = claims(r.json()["access_token"])
        eq(c["exp"] - c["iat"], ttl, "token lifetime %d" % ttl)
    for bad in (4, 0, -1, 3601, 7200, "60", True, 1.5, None):
        e = md_err(put_token({"expires_in": bad}), 400, "invalid_value", "expires_in")
        check("between `5` and `3600`" in e["message"], "message")
    r = put_token({"nonce": "2026-03-12T12:34:56.789Z"})
    eq(claims(r.json()["access_token"]).get("nonce"), "2026-03-12T12:34:56.789Z", "nonce in the token")
    eq(put_token(b"").status, 200, "no body")


@test
def identity_token_errors():
    md_err(put_token({}, headers={}), 400, "missing_value", "Metadata-Flavor")
    md_err(put_token({}, headers={}, kind="https"), 400, "missing_value", "Metadata-Flavor")
    md_err(put_token({}, headers={}, version=OLD), 400, "missing_value", "Metadata-Flavor")
    md_err(put_token({}, headers={"Metadata-Flavor": "Google"}), 400, "invalid_value", "Metadata-Flavor")
    md_err(put_token(b"{not json"), 400, "invalid_request")
    md_err(put_token(b"[1,2]"), 400, "invalid_request")
    md_err(put_token({"xyzzy": 1}), 400, "unknown_field", "xyzzy")


@test
def versions():
    md_err(put_token({}, version=None, path="/identity/v1/token"), 400, "missing_field", "version")
    md_err(put_token({}, version="", path="/identity/v1/token"), 400, "missing_field", "version")
    for v in ("2025-8-26", "yesterday", "2025-13-01", "2025-02-30"):
        md_err(put_token({}, version=v, path="/identity/v1/token"), 400, "invalid_value", "version")
    md_err(put_token({}, version="9999-01-01", path="/identity/v1/token"), 400, "invalid_value", "version")
    md_err(put_token({}, version="2021-09-20", path="/instance_identity/v1/token"), 400, "invalid_value", "version")
    # the new paths need 2025-08-26 or later; the old ones are gone from 2025-08-26 on
    md_err(put_token({}, version=OLD, path="/identity/v1/token"), 404, "not_found")
    md_err(put_token({}, version="2025-08-25", path="/identity/v1/token"), 404, "not_found")
    md_err(put_token({}, version=NEW, path="/instance_identity/v1/token"), 404, "not_found")
    tok = identity_token()
    md_err(post_iam(tok, {}, version=NEW, path="/instance_identity/v1/iam_token"), 404, "not_found")
    md_err(post_iam(tok, {}, version=OLD, path="/identity/v1/iam_tokens"), 404, "not_found")
    md_err(post_iam(tok, {}, version=NEW, path="/identity/v1/iam_token"), 404, "not_found")   # singular: no
    for v in (OLD, "2024-11-12", "2025-08-25"):
        eq(put_token({}, version=v).status, 200, "old path, version %s" % v)
    eq(put_token({}, version="2025-10-14").status, 200, "new path, a later version")


@test
def paths_and_methods():
    md_err(http("GET", md() + "/identity/v1/token?version=" + NEW, None, FLAVOR), 405, "method_not_allowed")
    md_err(http("POST", md() + "/identity/v1/token?version=" + NEW, b"{}", FLAVOR), 405, "method_not_allowed")
    md_err(http("PUT", md() + "/instance_identity/v1/iam_token?version=" + OLD, b"{}"), 405, "method_not_allowed")
    md_err(http("GET", md() + "/metadata/v1/instance?version=" + NEW, None, FLAVOR), 404, "not_found")
    md_err(http("GET", md() + "/", None), 404, "not_found")


def check_iam_answer(b, ttl=3600):
    eq(sorted(b), ["access_token", "created_at", "expires_at", "expires_in"], "IAM token fields")
    c = claims(b["access_token"])
    eq((b["expires_in"], c["exp"] - c["iat"]), (ttl, ttl), "expires_in = the access token's lifetime")
    eq((iso_ts(b["created_at"]), iso_ts(b["expires_at"])), (c["iat"], c["exp"]), "created_at/expires_at")
    eq((c["id"], c["iam_id"], c["sub_type"]), (ENV["EMU_VPC_PROFILE_ID"], "iam-" + ENV["EMU_VPC_PROFILE_ID"],
                                               "Profile"), "a trusted profile's token")
    eq(c["account"].get("bss"), ENV["EMU_ACCOUNT"], "account-scoped")
    eq(c["iss"], "https://iam.cloud.ibm.com/identity", "issued by IAM")
    check("refresh_token" not in b, "no refresh token")
    return c


@test
def iam_token_every_way():
    for kind in ("http", "https"):
        for version in (NEW, OLD):
            for body in ({"trusted_profile": {"id": ENV["EMU_VPC_PROFILE_ID"]}},
                         {"trusted_profile": {"crn": ENV["EMU_VPC_PROFILE_CRN"]}},
                         {"trusted_profile": {"name": ENV["EMU_VPC_PROFILE_NAME"]}},
                         None, {}):
                check_iam_answer(vpc_access(kind, version, body))
    S["vpc"] = vpc_access(body={"trusted_profile": {"id": ENV["EMU_VPC_PROFILE_ID"]}})["access_token"]


@test
def iam_token_ttl_follows_access_ttl():
    config(access_ttl=900)
    try:
        check_iam_answer(vpc_access(), 900)
    finally:
        config(access_ttl=3600)


@test
def iam_token_bad_identity_token():
    md_err(post_iam(None, {}), 401, "unauthenticated", "Authorization")
    md_err(post_iam("", {}), 401, "unauthenticated")
    md_err(post_iam("garbage", {}), 401, "unauthenticated")
    tok = identity_token()
    h, p, s = tok.split(".")
    forged = base64.urlsafe_b64encode(json.dumps(dict(claims(tok), exp=claims(tok)["exp"] + 9999)).encode()).decode().rstrip("=")
    md_err(post_iam(h + "." + forged + "." + s, {}), 401, "unauthenticated")
    md_err(post_iam(S["vpc"], {}), 401, "unauthenticated")          # an IAM access token is no identity token
    apikey_token()
    md_err(post_iam(S["token"], {}), 401, "unauthenticated")
    # expired: a 5 s token after a step of the services' clock
    tok = identity_token(5)
    st, _ = control("/control/clock", {"step_s": 10})
    eq(st, 200, "clock step")
    try:
        e = md_err(post_iam(tok, {}), 401, "unauthenticated")
        check("expired" in e["message"], "message says invalid or expired")
    finally:
        control("/control/clock", {"step_s": -10})
    eq(post_iam(identity_token(), {}).status, 200, "a fresh one works")
    tok = identity_token()
    fault(kind="expire_tokens")
    md_err(post_iam(tok, {}), 401, "unauthenticated")


@test
def iam_token_profile_errors():
    tok = identity_token()
    for tp in ({"id": "Profile-00000000-0000-0000-0000-000000000000"}, {"id": ENV["EMU_PROFILE_ID"]},
               {"crn": ENV["EMU_VPC_PROFILE_CRN"] + "x"}, {"name": "someone-else"}):
        e = md_err(post_iam(tok, {"trusted_profile": tp}), 400, "profile_not_linked")
        check("not linked" in e["message"], "message")
    for body in ({"trusted_profile": {"id": ENV["EMU_VPC_PROFILE_ID"], "crn": ENV["EMU_VPC_PROFILE_CRN"]}},
                 {"trusted_profile": "x"}, {"trusted_profile": {}}, {"trusted_profile": {"id": 5}},
                 {"trusted_profile": {"iam_id": "x"}}):
        md_err(post_iam(tok, body), 400, "invalid_value", "trusted_profile")
    md_err(post_iam(tok, {"expires_in": 60}), 400, "unknown_field", "expires_in")
    md_err(post_iam(tok, b"{oops"), 400, "invalid_request")


@test
def no_linked_profile():
    config(metadata_profile_linked=False)
    try:
        for version in (NEW, OLD):
            tok = identity_token(version=version)
            for body in ({"trusted_profile": {"id": ENV["EMU_VPC_PROFILE_ID"]}},
                         {"trusted_profile": {"crn": ENV["EMU_VPC_PROFILE_CRN"]}}, None):
                md_err(post_iam(tok, body, version=version), 400, "profile_not_linked")
        eq(put_token({}).status, 200, "identity tokens still come")
    finally:
        config(metadata_profile_linked=True)
    eq(post_iam(identity_token(), {}).status, 200, "linked again")


@test
def fallback_switch():
    config(metadata_new_paths=False)
    try:
        md_err(put_token({}), 404, "not_found")
        md_err(put_token({}, kind="https"), 404, "not_found")
        tok = identity_token(version=OLD)
        md_err(post_iam(tok, {}, version=NEW), 404, "not_found")
        check_iam_answer(vpc_access("http", OLD, {"trusted_profile": {"id": ENV["EMU_VPC_PROFILE_ID"]}}))
        check_iam_answer(vpc_access("https", OLD, {"trusted_profile": {"crn": ENV["EMU_VPC_PROFILE_CRN"]}}))
    finally:
        config(metadata_new_paths=True)
    eq(put_token({}).status, 200, "new paths back")
    st, b = control("/control/config", {"metadata_new_paths": "no"})
    eq(st, 400, "not a boolean: refused (%s)" % b)


def refused(url):
    host, port = url.split("//")[1].split(":")
    try:
        socket.create_connection((host, int(port)), timeout=3).close()
        return False
    except ConnectionRefusedError:
        return True


@test
def disabled_switch():
    config(metadata=False)
    try:
        check(refused(md("http")) and refused(md("https")), "both refuse connections")
        try:
            put_token({})
            raise AssertionError("a request went through")
        except urllib.error.URLError as e:
            check(isinstance(e.reason, ConnectionRefusedError), "refused: %r" % e.reason)
        config(metadata=False)                      # twice: no harm
    finally:
        config(metadata=True)
    check_iam_answer(vpc_access("http"))
    check_iam_answer(vpc_access("https"))


@test
def tls_listener():
    host, port = md("https").split("//")[1].split(":")
    ctx = ssl.create_default_context(cafile=ENV["EMU_CA_FILE"])
    with socket.create_connection((host, int(port)), timeout=5) as s:
        with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
            check(t.version() in ("TLSv1.3", "TLSv1.2"), "TLS %s" % t.version())
    try:
        http("PUT", md("https") + "/identity/v1/token?version=" + NEW, b"{}", FLAVOR,
             ctx=ssl.create_default_context())
        raise AssertionError("an untrusted client got through")
    except urllib.error.URLError as e:
        check(isinstance(e.reason, ssl.SSLError), "not trusted without EMU_CA_FILE: %r" % e.reason)
    try:    # plain HTTP to the TLS port
        r = http("PUT", "http://%s:%s/identity/v1/token?version=%s" % (host, port, NEW), b"{}", FLAVOR)
        check(r.status != 200, "no answer in plain HTTP")
    except (urllib.error.URLError, ConnectionError, OSError, Exception):
        pass


@test
def token_at_containers_and_accounts():
    # a fresh one: the expire_tokens fault above expired the earlier ones
    S["vpc"] = vpc_access("https", NEW, {"trusted_profile": {"crn": ENV["EMU_VPC_PROFILE_CRN"]}})["access_token"]
    r = cs("GET", "/v1/clusters", token=S["vpc"])
    eq(r.status, 200, "GET /v1/clusters with the VPC token (%s)" % r.body[:200])
    names = [c["name"] for c in r.json()]
    check(ENV["EMU_CLUSTER"] in names and ENV["EMU_OTHER_ACCOUNT_CLUSTER"] not in names, "account 1's clusters")
    r = cs("GET", "/v1/clusters/" + ENV["EMU_CLUSTER"], token=S["vpc"])
    eq(r.status, 200, "cluster get")
    S["cluster"] = r.json()
    r = http("GET", ENV["IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT"] + "/coe/v2/accounts", None,
             {"Authorization": "Bearer " + S["vpc"]})
    eq(r.status, 200, "accounts")
    tok = identity_token()
    eq(cs("GET", "/v1/clusters", token=tok).status, 401, "an identity token is refused by containers")


@test
def kube_id_token():
    # F13/F14 need a refresh token, and the VPC flow has none (as the cr-token grant)
    r = http("POST", ENV["IBMCLOUD_IAM_API_ENDPOINT"] + "/identity/token",
             "grant_type=refresh_token&response_type=delegated_refresh_token&receiver_client_ids=kube"
             "&delegated_refresh_token_expiry=600&refresh_token=",
             {"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Basic Yng6Yng="})
    eq((r.status, r.json()["errorCode"]), (400, "BXNIM0109E"), "F13 without a refresh token")
    # the config zip, got with the VPC token, carries an id_token the master takes
    r = cs("GET", "/v1/clusters/%s/config" % ENV["EMU_CLUSTER"], token=S["vpc"])
    eq(r.status, 200, "config zip")
    z = zipfile.ZipFile(io.BytesIO(r.body))
    yml = [n for n in z.namelist() if n.endswith(".yml")][0]
    ca = [n for n in z.namelist() if os.path.basename(n).startswith("ca-")][0]
    idt = re.search(r"id-token: (\S+)", z.read(yml).decode()).group(1)
    c = claims(idt)
    eq((c["aud"], c["iam_id"]), ("kube", "iam-" + ENV["EMU_VPC_PROFILE_ID"]), "the profile's kube id_token")
    check(c.get("iam_id_" + ENV["EMU_ACCOUNT"]), "per-account claims")
    path = os.path.join(TMP, "md-ca.pem")
    with open(path, "wb") as f:
        f.write(z.read(ca))
    ctx = ssl.create_default_context(cafile=path)
    url = S["cluster"]["publicServiceEndpointURL"]
    r = http("GET", url + "/version", None, {"Authorization": "Bearer " + idt}, ctx=ctx)
    eq(r.status, 200, "master /version with the id_token (%s)" % r.body[:200])
    r = http("GET", url + "/api/v1/namespaces", None, {"Authorization": "Bearer " + S["vpc"]}, ctx=ctx)
    eq(r.status, 401, "the access token itself is no kube token")


@test
def status_fault():
    fault(service="metadata", path="/identity/v1/token", kind="status", status=500)
    md_err(put_token({}), 500, "service_error")
    eq(put_token({}).status, 200, "once")
    fault(service="metadata", kind="reset")
    try:
        put_token({})
        raise AssertionError("no reset")
    except (urllib.error.URLError, ConnectionError, OSError):
        pass
    eq(put_token({}).status, 200, "after the reset")


@test
def log_and_stats():
    ev = [e for e in log_events() if e.get("event") == "request" and e.get("service") == "metadata"]
    check(len(ev) > 50, "metadata requests logged (%d)" % len(ev))
    check(any(e["tls"] for e in ev) and any(not e["tls"] for e in ev), "both listeners, tls flag")
    check(any(e.get("trusted_profile") == {"crn": ENV["EMU_VPC_PROFILE_CRN"]} for e in ev), "trusted_profile logged")
    check(any(e.get("expires_in") == 3600 for e in ev), "expires_in logged")
    check(any(e["headers"].get("metadata-flavor") == "ibm" for e in ev), "Metadata-Flavor logged")
    check(all("Bearer [masked]" == e["headers"]["authorization"] for e in ev if "authorization" in e["headers"]),
          "authorization masked")
    check(any(e.get("query") == "version=" + OLD for e in ev) and any(e.get("query") == "version=" + NEW for e in ev),
          "the version query logged")
    st, s = control("/control/stats", method="GET")
    check(s["requests"].get("metadata", 0) >= len(ev), "requests counted")
    check(s["metadata"]["identity_tokens"] > 20 and s["metadata"]["iam_tokens"] > 20, "tokens counted: %s" % s["metadata"])
    check(s["connections"].get("metadata", 0) > 0, "TLS connections counted")


if __name__ == "__main__":
    sys.exit(main())
