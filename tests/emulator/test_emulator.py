#!/usr/bin/env python3
"""Checks the emulator against IBM's "Setting up the API" guide, replayed with curl.

Starts the emulator (via emu.sh) in a temporary directory, replays the guide's curl
commands (apikey token, accounts, scoped token, regions, clusters, delegated refresh token,
id_token, cluster, config zip, /version), then every error, every fault kind, the log and
TLS session resumption, then the services' own clock (--clock-offset, /control/clock: the
Date header, token times and expiry, createdDate, state timers). Prints one line per
check and, last, `N passed, N failed`;
exits non-zero if anything failed.  Usage: python3 tests/emulator/test_emulator.py

The guide is in emutest_guide.py, the errors, faults and log in emutest_errors.py, the
shared clients in emutest.py; this file runs them in that order, then its own checks
(the clock, each on an emulator of its own but clock_03, and the stop).
"""
import datetime
import email.utils
import io
import json
import os
import subprocess
import sys
import time
import zipfile

from emutest import *  # noqa: F401,F403
import emutest_guide  # noqa: F401  (registers its tests, in this order)
import emutest_errors  # noqa: F401

YEAR = 365 * 86400
DELEGATED = "urn:ibm:params:oauth:grant-type:delegated-refresh-token"


# ---------------------------------------------------------------- the services' clock

def near(got, want, what, tol=5):
    check(abs(got - want) <= tol, "%s: %s is not within %d s of %s (off by %+.0f s)"
          % (what, got, tol, want, got - want))


def date_of(r):
    """The Date header of a response, as unix time."""
    check(r.h("date"), "a Date header")
    return email.utils.parsedate_to_datetime(r.h("date")).timestamp()


def api_time(s):
    """A containers API time (2026-12-01T09:20:11+0000) as unix time."""
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S%z").timestamp()


def clock(obj=None):
    st, b = control("/control/clock", obj, "POST" if obj is not None else "GET")
    return st, json.loads(b)


def accounts_get(token):
    return curl(ENV["IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT"] + "/coe/v2/accounts",
                "-H", "Authorization: Bearer " + token)


def cs_post(path, token, obj):
    return curl("-X", "POST", ENV["IBMCLOUD_CS_API_ENDPOINT"] + path, "-H", "Authorization: Bearer " + token,
                "-H", "Content-Type: application/json", "-d", json.dumps(obj))


def kube_tokens(rt):
    """The kube flow from a bx refresh token: (delegated refresh token, the kube:kube answer)."""
    r = iam_post({"grant_type": "refresh_token", "refresh_token": rt, "response_type": "delegated_refresh_token",
                  "receiver_client_ids": "kube"})
    eq(r.status, 200, "delegated refresh token (%s)" % r.body[:200])
    drt = r.json()["delegated_refresh_token"]
    r = iam_post({"grant_type": DELEGATED, "refresh_token": drt}, auth="kube:kube")
    eq(r.status, 200, "id_token (%s)" % r.body[:200])
    return drt, r.json()


def master(token):
    """(master URL, cluster CA file, config zip) of EMU_CLUSTER."""
    r = cs_get("/v1/clusters/" + ENV["EMU_CLUSTER"], token)
    eq(r.status, 200, "cluster get")
    url = r.json()["publicServiceEndpointURL"]
    r = cs_get("/v1/clusters/%s/config" % ENV["EMU_CLUSTER"], token)
    eq(r.status, 200, "config zip")
    z = zipfile.ZipFile(io.BytesIO(r.body))
    ca = [n for n in z.namelist() if os.path.basename(n).startswith("ca-")][0]
    path = os.path.join(TMP, "ca-%s.pem" % ENV["EMU_PID"])
    with open(path, "wb") as f:
        f.write(z.read(ca))
    return url, path, z


def master_version(url, ca, id_token):
    return curl(url + "/version", "-H", "Authorization: Bearer " + id_token, cacert=ca)


def check_offset(off):
    """On an emulator started with --clock-offset off: everything it shows is off s ahead."""
    want = lambda: time.time() + off
    st, c = clock()
    eq((st, c["offset_s"]), (200, off), "GET /control/clock offset")
    near(c["now"], want(), "GET /control/clock now")
    r = iam_post({"grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": ENV["EMU_APIKEY"]})
    eq(r.status, 200, "apikey token (%s)" % r.body[:200])
    near(date_of(r), want(), "IAM Date header")
    t, a = r.json(), claims(r.json()["access_token"])
    near(a["iat"], want(), "access token iat")
    eq((a["exp"] - a["iat"], t["expires_in"], t["expiration"]), (3600, 3600, a["exp"]), "exp, expires_in, expiration")
    rc = claims(t["refresh_token"])
    near(rc["iat"], want(), "refresh token iat")
    eq((rc["exp"] - rc["iat"], t["refresh_token_expiration"]), (30 * 86400, rc["exp"]), "refresh token exp")
    if off < -3600:
        check(a["exp"] < time.time(), "by this machine's clock the token is already expired")
    r = cs_get("/v1/clusters", t["access_token"])
    eq(r.status, 200, "the token is accepted by containers (%s)" % r.body[:200])
    near(date_of(r), want(), "containers Date header")
    r = accounts_get(t["access_token"])
    eq(r.status, 200, "the token is accepted by accounts (%s)" % r.body[:200])
    near(date_of(r), want(), "accounts Date header")
    drt, k = kube_tokens(t["refresh_token"])
    near(claims(drt)["iat"], want(), "delegated refresh token iat")
    i = claims(k["id_token"])
    near(i["iat"], want(), "id_token iat")
    eq(i["exp"] - i["iat"], 1200, "id_token lifetime")
    url, ca, z = master(t["access_token"])
    r = master_version(url, ca, k["id_token"])
    eq(r.status, 200, "the id_token is accepted by the master (%s)" % r.body[:200])
    near(date_of(r), want(), "master Date header")
    zt = time.mktime(z.infolist()[-1].date_time + (0, 0, -1))      # local time, 2 s steps
    near(zt, want(), "config zip entry time", 7)
    r = iam_post({"grant_type": "password", "username": ENV["EMU_USER"], "password": "FAKE-wrong"})
    b = check_iam_error(r, 400, "BXNIM0602E")
    end = datetime.datetime.strptime(b["context"]["endTime"], "%d.%m.%Y %H:%M:%S:%f UTC")
    near(end.replace(tzinfo=datetime.timezone.utc).timestamp(), want(), "IAM error context endTime")


@test
def clock_01_offset_ahead_2h():
    with other_emulator("ahead", "--clock-offset", "7200"):
        check_offset(7200)


@test
def clock_02_offset_behind_2h():
    with other_emulator("behind", "--clock-offset", "-7200"):
        check_offset(-7200)


@test
def clock_03_control_set_step_and_bad_bodies():
    st, c = clock()
    eq((st, c["offset_s"]), (200, 0), "default offset")
    near(c["now"], time.time(), "now")
    try:
        st, c = clock({"offset_s": 600})
        eq((st, c["offset_s"]), (200, 600), "set")
        near(c["now"], time.time() + 600, "now after set")
        eq(clock()[1]["offset_s"], 600, "GET after set")
        near(date_of(curl(ENV["IBMCLOUD_CS_API_ENDPOINT"] + "/v1/versions")), time.time() + 600, "Date after set")
        st, c = clock({"step_s": -900})
        eq((st, c["offset_s"]), (200, -300), "step back")
        near(c["now"], time.time() - 300, "now after the step back")
        st, c = clock({"step_s": 31536000})
        eq((st, c["offset_s"]), (200, 31536000 - 300), "step a year")
        near(c["now"], time.time() + YEAR - 300, "now after the step")
        for bad in ({}, {"offset_s": "60"}, {"offset_s": 1.5}, {"offset_s": True}, {"step_s": None},
                    {"offset_s": 1, "step_s": 1}, {"offset": 1}, {"step_s": 1, "x": 2}, [60], "60",
                    {"offset_s": 10 ** 12}, {"step_s": -10 ** 11}):
            st, b = control("/control/clock", bad)
            eq(st, 400, "%r refused" % (bad,))
            check(isinstance(json.loads(b).get("error"), str) and json.loads(b)["error"], "error text for %r" % (bad,))
        r = curl("-X", "POST", ENV["EMU_CONTROL"] + "/control/clock", "-d", "not json")
        eq((r.status, list(r.json())), (400, ["error"]), "non-JSON refused")
        eq(clock()[1]["offset_s"], 31536000 - 300, "refused bodies change nothing")
        ev = [e for e in log_events() if e.get("event") == "clock"]
        eq([(e.get("step_s"), e["offset_s"]) for e in ev][-3:], [(None, 600), (-900, -300), (31536000, 31535700)],
           "clock changes logged")
    finally:
        eq(clock({"offset_s": 0})[1]["offset_s"], 0, "back to 0")


@test
def clock_04_year_step_expires_old_tokens():
    with other_emulator("step"):
        t = apikey_token()
        drt, k = kube_tokens(t["refresh_token"])
        url, ca, _ = master(t["access_token"])
        with open(ENV["EMU_CR_TOKEN_FILE"]) as f:
            old_cr = f.read()
        eq(master_version(url, ca, k["id_token"]).status, 200, "id_token valid before the step")
        eq(cs_get("/v1/clusters", t["access_token"]).status, 200, "access token valid before")
        st, c = clock({"step_s": 31536000})
        eq((st, c["offset_s"]), (200, 31536000), "stepped a year")
        cs_err(cs_get("/v1/clusters", t["access_token"]), 401, "A0003")
        r = accounts_get(t["access_token"])
        eq((r.status, r.json()["errors"][0]["code"], r.json()["status_code"]), (401, "not_authorized", 401),
           "accounts refuses the old token")
        r = master_version(url, ca, k["id_token"])
        eq((r.status, r.json()["reason"]), (401, "Unauthorized"), "master refuses the old id_token")
        old = (("refresh token", {"grant_type": "refresh_token", "refresh_token": t["refresh_token"]}, "bx:bx"),
               ("delegated refresh token", {"grant_type": DELEGATED, "refresh_token": drt}, "kube:kube"),
               ("kube refresh token", {"grant_type": "refresh_token", "refresh_token": k["refresh_token"]}, "kube:kube"))
        for what, form, auth in old:
            b = check_iam_error(iam_post(form, auth), 400, "BXNIM0408E")
            eq(b["errorMessage"], "Provided refresh token is expired", "old %s refused as expired" % what)
        cr = {"grant_type": "urn:ibm:params:oauth:grant-type:cr-token", "profile_name": ENV["EMU_PROFILE_NAME"]}
        check_iam_error(iam_post(dict(cr, cr_token=old_cr), None), 400, "BXNIM0407E")
        with open(ENV["EMU_CR_TOKEN_FILE"]) as f:
            new_cr = f.read()
        near(claims(new_cr)["iat"], time.time() + YEAR, "the cr-token file was renewed on the new clock")
        eq(iam_post(dict(cr, cr_token=new_cr), None).status, 200, "the renewed cr-token logs in")
        r = iam_post({"grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": ENV["EMU_APIKEY"]})
        eq(r.status, 200, "a new login works")
        near(date_of(r), time.time() + YEAR, "IAM Date a year ahead")
        n = r.json()
        near(claims(n["access_token"])["iat"], time.time() + YEAR, "new token iat")
        eq(cs_get("/v1/clusters", n["access_token"]).status, 200, "new token accepted by containers")
        eq(accounts_get(n["access_token"]).status, 200, "new token accepted by accounts")
        r = iam_post({"grant_type": "refresh_token", "refresh_token": n["refresh_token"]})
        eq(r.status, 200, "new refresh token works")
        _, k = kube_tokens(r.json()["refresh_token"])
        eq(master_version(url, ca, k["id_token"]).status, 200, "new id_token accepted by the master")


def create(token, name):
    r = cs_post("/v1/clusters", token, classic_body(name))
    eq(r.status, 201, "create %s (%s)" % (name, r.body[:200]))
    return r.json()["id"]


def cluster(token, cid):
    r = cs_get("/v1/clusters/" + cid, token)
    eq(r.status, 200, "cluster %s (%s)" % (cid, r.body[:200]))
    return r, r.json()


@test
def clock_05_created_date_follows_the_clock():
    with other_emulator("created"):
        at = apikey_token()["access_token"]
        before = create(at, "clk-before")
        r, o = cluster(at, before)
        near(api_time(o["createdDate"]), date_of(r), "createdDate vs Date before the step")
        eq(clock({"step_s": 31536000})[0], 200, "step")
        at = apikey_token()["access_token"]
        after = create(at, "clk-after")
        r, o = cluster(at, after)
        near(api_time(o["createdDate"]), date_of(r), "createdDate vs Date after the step")
        near(api_time(o["createdDate"]), time.time() + YEAR, "createdDate a year ahead")
        near(api_time(o["modifiedDate"]), date_of(r), "modifiedDate vs Date")
        r = cs_get("/v2/getCluster?cluster=" + after, at)
        near(api_time(r.json()["createdDate"]), date_of(r), "v2 createdDate vs Date")
        r, o2 = cluster(at, before)
        near(api_time(o2["createdDate"]), time.time(), "a cluster created before the step keeps its createdDate")
        st, b = control("/control/clusters", method="GET")
        got = {c["id"]: c["created"] for c in json.loads(b)}
        eq((got[after], got[before]), (o["createdDate"], o2["createdDate"]), "/control/clusters created")


@test
def clock_06_state_timer_ignores_steps():
    with other_emulator("timer"):
        eq(control("/control/config", {"step_s": 1.0})[0], 200, "step_s 1")
        at = apikey_token()["access_token"]
        t0 = time.time()
        cid = create(at, "clk-timer")
        eq(clock({"step_s": 31536000})[0], 200, "a year ahead")
        at = apikey_token()["access_token"]
        eq(cluster(at, cid)[1]["state"], "requested", "a step ahead does not finish the create")
        eq(clock({"step_s": -2 * 31536000})[0], 200, "two years back")
        at = apikey_token()["access_token"]
        seen = []
        while time.time() - t0 < 10:
            r, o = cluster(at, cid)
            if not seen or seen[-1] != o["state"]:
                seen.append(o["state"])
            if o["state"] == "normal":
                break
            time.sleep(0.1)
        took = time.time() - t0
        eq(seen, ["requested", "deploying", "pending", "normal"], "states after the steps")
        check(2.9 < took < 6, "three steps of 1 s took %.1f s" % took)
        near(api_time(o["createdDate"]), t0, "createdDate: the clock when it was created")
        near(api_time(o["modifiedDate"]), t0 + 3 - YEAR, "modifiedDate: the clock (a year back) when it went normal")


@test
def zz_stop_leaves_env_and_log():
    p = subprocess.run([os.path.join(HERE, "emu.sh"), "stop", EMU_DIR], capture_output=True, text=True, timeout=20)
    eq(p.returncode, 0, "emu.sh stop (%s)" % p.stderr)
    try:
        os.kill(int(ENV["EMU_PID"]), 0)
        raise AssertionError("emulator still running")
    except ProcessLookupError:
        pass
    check(os.path.exists(os.path.join(EMU_DIR, "env")), "env left in place")
    ev = log_events()
    eq(ev[-1]["event"], "stop", "stop logged")


if __name__ == "__main__":
    sys.exit(main())
