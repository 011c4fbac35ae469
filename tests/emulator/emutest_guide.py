"""emutest_guide.py: part of test_emulator.py. IBM's "Setting up the API" guide replayed
with curl: apikey token, accounts, scoped token, regions, clusters, delegated refresh
token, id_token, cluster, config zip, /version, kubectl, the cr-token and the passcode.
"""
import base64
import io
import json
import os
import shutil
import ssl
import struct
import subprocess
import zipfile

from emutest import *  # noqa: F401,F403


# ---------------------------------------------------------------- the guide

@test
def guide_01_apikey_token():
    t = apikey_token()
    for k in ("access_token", "refresh_token", "token_type", "expires_in", "expiration", "scope",
              "ims_user_id", "refresh_token_expiration"):
        check(k in t, "field %s" % k)
    eq(t["token_type"], "Bearer", "token_type")
    c = claims(t["access_token"])
    eq(c["exp"] - c["iat"], t["expires_in"], "expires_in vs claims")
    eq(c["exp"], t["expiration"], "expiration vs exp")
    eq(c["account"]["bss"], ENV["EMU_ACCOUNT"], "apikey token scoped to its account")
    eq(c["sub_type"], "ServiceId", "sub_type")
    eq(c["iss"], "https://iam.cloud.ibm.com/identity", "iss")
    eq(c["client_id"], "bx", "client_id")
    rc = claims(t["refresh_token"])
    check(rc["exp"] == t["refresh_token_expiration"], "refresh exp")
    eq(json.loads(base64.urlsafe_b64decode(t["refresh_token"].split(".")[0] + "==")), {"alg": "rt"}, "rt header")
    r = curl(ENV["IBMCLOUD_IAM_API_ENDPOINT"] + "/identity/keys")
    check(rsa_verify_jwt(t["access_token"], r.json()), "access token verifies with JWKS")
    r = curl(ENV["IBMCLOUD_IAM_API_ENDPOINT"] + "/identity/.well-known/openid-configuration")
    check(r.json()["token_endpoint"].startswith(ENV["IBMCLOUD_IAM_API_ENDPOINT"]), "openid token_endpoint")
    S["apikey"] = t


@test
def guide_02_apikey_without_basic_has_no_refresh():
    t = apikey_token(auth=None)
    eq(t["refresh_token"], "not_supported", "refresh_token")
    check("refresh_token_expiration" not in t, "no refresh_token_expiration")
    eq(claims(t["access_token"])["client_id"], "default", "client_id")
    r = iam_post({"grant_type": "refresh_token", "refresh_token": "not_supported"})
    check_iam_error(r, 400, "BXNIM0407E")


@test
def guide_03_accounts_paginated():
    t = user_token()
    S["user"] = t
    check("bss" not in claims(t["access_token"])["account"], "password token not account-scoped")
    base = ENV["IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT"]
    r = curl(base + "/coe/v2/accounts", "-H", "Authorization: Bearer " + t["access_token"])
    eq(r.status, 200, "accounts page 1")
    p1 = r.json()
    eq(p1["total_results"], 3, "total_results")
    eq(len(p1["resources"]), 2, "page size")
    check(p1["next_url"] and p1["next_url"].startswith("/coe/v2/accounts?"), "next_url path")
    r = curl(base + p1["next_url"], "-H", "Authorization: Bearer " + t["access_token"])
    p2 = r.json()
    eq(len(p2["resources"]), 1, "page 2 size")
    eq(p2["next_url"], None, "last next_url")
    ids = [x["metadata"]["guid"] for x in p1["resources"] + p2["resources"]]
    eq(ids[0], ENV["EMU_ACCOUNT"], "first account")
    eq(len(set(ids)), 3, "distinct accounts")
    check(all(len(i) == 32 for i in ids), "32-hex guids")
    check(p1["resources"][0]["entity"]["name"], "entity.name")
    S["accounts"] = ids
    r = curl(base + "/v1/accounts", "-H", "Authorization: Bearer " + t["access_token"])
    v1 = r.json()
    for k in ("total_results", "total_pages", "prev_url", "next_url", "resources"):
        check(k in v1, "v1 envelope %s" % k)
    eq(v1["total_pages"], 2, "v1 total_pages")
    r = curl(base + "/coe/v2/accounts")
    eq(r.status, 401, "accounts without bearer")
    r = curl(base + "/coe/v2/accounts", "-H", "Authorization: Bearer garbage.token.here")
    eq(r.status, 401, "accounts with garbled bearer")
    t1 = user_token("EMU_USER1", "EMU_PASSWORD1")
    r = curl(base + "/coe/v2/accounts", "-H", "Authorization: Bearer " + t1["access_token"])
    eq(r.json()["total_results"], 1, "user1 has one account")
    control("/control/config", {"next_url_base": "https://127.0.0.1:9/"})
    try:
        r = curl(base + "/coe/v2/accounts", "-H", "Authorization: Bearer " + t["access_token"])
        check(r.json()["next_url"].startswith("https://127.0.0.1:9/coe/v2/accounts?"),
              "next_url_base makes next_url absolute")
    finally:
        control("/control/config", {"next_url_base": ""})
    r = curl(base + "/coe/v2/accounts", "-H", "Authorization: Bearer " + t["access_token"])
    check(r.json()["next_url"].startswith("/coe/v2/accounts?"), "next_url_base reset")


@test
def guide_04_scoped_token_via_refresh():
    acct2 = S["accounts"][1]
    r = iam_post({"grant_type": "refresh_token", "refresh_token": S["user"]["refresh_token"],
                  "bss_account": acct2})
    eq(r.status, 200, "refresh with bss_account")
    eq(claims(r.json()["access_token"])["account"]["bss"], acct2, "scoped to account 2")
    r = iam_post({"grant_type": "refresh_token", "refresh_token": S["user"]["refresh_token"],
                  "bss_account": ENV["EMU_ACCOUNT"]})
    t = r.json()
    eq(claims(t["access_token"])["account"]["bss"], ENV["EMU_ACCOUNT"], "scoped to account 1")
    S["scoped"] = t
    t = user_token(account=ENV["EMU_ACCOUNT"])
    eq(claims(t["access_token"])["account"]["bss"], ENV["EMU_ACCOUNT"], "password grant with account")
    t1 = user_token("EMU_USER1", "EMU_PASSWORD1")
    r = iam_post({"grant_type": "refresh_token", "refresh_token": t1["refresh_token"], "bss_account": acct2})
    check_iam_error(r, 400, "BXNIM0141E")


@test
def guide_05_regions_and_versions():
    r = curl(ENV["IBMCLOUD_CS_API_ENDPOINT"] + "/v1/regions")
    eq(r.status, 200, "regions")
    names = {x["name"]: x["alias"] for x in r.json()["regions"]}
    eq(names.get("eu-central"), "eu-de", "eu-central alias")
    check("us-south" in names, "us-south")
    r = curl(ENV["IBMCLOUD_CS_API_ENDPOINT"] + "/v1/versions")
    eq(r.status, 200, "versions without auth")
    v = r.json()
    check(v["kubernetes"] and v["openshift"], "both version lists")
    check(any(x["default"] for x in v["kubernetes"]), "a default version")


@test
def guide_06_clusters():
    at, rt = S["scoped"]["access_token"], S["scoped"]["refresh_token"]
    r = cs_get("/v1/clusters", at, "us-south", ("-H", "X-Auth-Refresh-Token: " + rt))
    eq(r.status, 200, "clusters us-south")
    cl = r.json()
    eq([c["name"] for c in cl], [ENV["EMU_CLUSTER"]], "us-south clusters")
    c = cl[0]
    for k in ("id", "name", "region", "dataCenter", "location", "type", "state", "status", "masterKubeVersion",
              "targetVersion", "masterHealth", "masterState", "masterStatus", "createdDate", "workerCount",
              "workerZones", "multiAzCapable", "isPaid", "resourceGroup", "resourceGroupName", "crn", "podSubnet",
              "serviceSubnet", "publicServiceEndpointEnabled", "publicServiceEndpointURL",
              "privateServiceEndpointEnabled", "privateServiceEndpointURL", "serverURL", "masterURL",
              "ingressHostname", "ingressSecretName", "addons", "vlans", "worker_vlans", "versionEOS", "provider"):
        check(k in c, "cluster field %s" % k)
    eq(c["type"], "kubernetes", "type")
    eq(c["id"], ENV["EMU_CLUSTER_ID"], "cluster id")
    r = cs_get("/v1/clusters", at)
    allc = {x["name"]: x for x in r.json()}
    eq(len(allc), 3, "all regions")
    eq(allc[ENV["EMU_OPENSHIFT_CLUSTER"]]["type"], "openshift", "openshift type")
    vpc = [x for x in allc.values() if x["provider"] == "vpc-gen2"][0]
    eq(vpc["serverURL"], "", "vpc serverURL empty")
    check(vpc["masterURL"].startswith("https://127.0.0.1:"), "vpc masterURL")
    r = cs_get("/v1/clusters", at, "eu-central")
    eq([x["type"] for x in r.json()], ["openshift"], "X-Region alias eu-central")
    r = cs_get("/v1/clusters", S["user"]["access_token"])
    check(r.status in (401, 403), "unscoped token refused (%d)" % r.status)
    cs_err(r, r.status, r.json()["code"])


@test
def guide_07_delegated_and_id_token():
    r = iam_post({"grant_type": "refresh_token", "refresh_token": S["scoped"]["refresh_token"],
                  "response_type": "delegated_refresh_token", "receiver_client_ids": "kube",
                  "delegated_refresh_token_expiry": "600"})
    eq(r.status, 200, "delegated refresh token")
    drt = r.json()["delegated_refresh_token"]
    check("access_token" not in r.json(), "only the delegated token")
    dc = claims(drt)
    eq(dc["exp"] - dc["iat"], 600, "delegated_refresh_token_expiry honoured")
    r = iam_post({"grant_type": "urn:ibm:params:oauth:grant-type:delegated-refresh-token",
                  "refresh_token": drt}, auth="kube:kube")
    eq(r.status, 200, "id_token exchange")
    b = r.json()
    for k in ("access_token", "id_token", "refresh_token", "token_type", "expires_in", "expiration", "scope"):
        check(k in b, "kube field %s" % k)
    check("containers-kubernetes" in b["scope"], "scope")
    c = claims(b["id_token"])
    eq(c["aud"], "kube", "aud")
    check(("sub_" + ENV["EMU_ACCOUNT"]) in c and ("iam_id_" + ENV["EMU_ACCOUNT"]) in c, "per-account claims")
    S["id_token"] = b["id_token"]
    S["kube_rt"] = b["refresh_token"]
    r = iam_post({"grant_type": "urn:ibm:params:oauth:grant-type:delegated-refresh-token",
                  "refresh_token": drt}, auth="bx:bx")
    eq(r.status, 400, "delegated token refused for a non-receiver")
    # kubectl's oidc refresh: refresh_token grant as kube:kube returns an id_token
    r = iam_post({"grant_type": "refresh_token", "refresh_token": S["kube_rt"]}, auth="kube:kube")
    eq(r.status, 200, "kube refresh")
    check("id_token" in r.json(), "kube refresh returns id_token")


@test
def guide_08_cluster_get_and_workers():
    at = S["scoped"]["access_token"]
    for key in (ENV["EMU_CLUSTER"], ENV["EMU_CLUSTER_ID"]):
        r = cs_get("/v1/clusters/" + key, at)
        eq(r.status, 200, "cluster get %s" % key)
        c = r.json()
        eq(c["id"], ENV["EMU_CLUSTER_ID"], "cluster id")
        check(c["publicServiceEndpointURL"] and c["privateServiceEndpointURL"] and c["masterURL"], "endpoints")
        S["cluster"] = c
    r = cs_get("/v1/clusters/%s/workers" % ENV["EMU_CLUSTER"], at)
    w = r.json()
    eq(len(w), 3, "workers")
    for k in ("id", "state", "status", "errorMessage", "kubeVersion", "targetVersion", "machineType",
              "privateIP", "publicIP", "privateVlan", "publicVlan", "location", "poolid", "poolName", "isolation"):
        check(k in w[0], "worker field %s" % k)


@test
def guide_09_config_zip():
    r = cs_get("/v1/clusters/%s/config" % ENV["EMU_CLUSTER"], S["scoped"]["access_token"])
    eq(r.status, 200, "config")
    check(r.h("content-type") in ("application/zip", "application/octet-stream"), "zip content type")
    data = r.body
    eq(data[:4], b"PK\x03\x04", "zip magic")
    check(b"PK\x07\x08" in data, "data descriptors present")
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()
    folder = names[0]
    check(folder.startswith("kube") and folder.endswith("/"), "kube folder %s" % folder)
    files = [i for i in z.infolist() if not i.filename.endswith("/")]
    for i in files:
        eq(i.compress_type, zipfile.ZIP_DEFLATED, "deflated")
        check(i.flag_bits & 0x8, "flag bit 3 on %s" % i.filename)
        off = i.header_offset
        lh = struct.unpack("<IHHHHHIII", data[off:off + 26])
        eq(lh[6:9], (0, 0, 0), "zero crc/sizes in local header")
    ca = [n for n in names if os.path.basename(n).startswith("ca-") and n.endswith(".pem")]
    yml = [n for n in names if n.endswith(".yml")]
    eq(len(ca), 1, "one ca-*.pem")
    eq(len(yml), 1, "one *.yml")
    check(os.path.basename(yml[0]).startswith("kube-config-"), "kube-config- name")
    y = z.read(yml[0]).decode()
    check("certificate-authority: " + os.path.basename(ca[0]) in y, "yml points at ca file")
    check("id-token: " in y and "refresh-token" not in y, "id-token, no refresh-token")
    check("server: " + S["cluster"]["publicServiceEndpointURL"] in y, "server")
    capath = os.path.join(TMP, "cluster-ca.pem")
    with open(capath, "wb") as f:
        f.write(z.read(ca[0]))
    S["cluster_ca"] = capath
    S["kubeconfig_yml"] = y
    # the cluster CA verifies both masters; the shared CA file does not
    for url in (S["cluster"]["publicServiceEndpointURL"], S["cluster"]["privateServiceEndpointURL"]):
        out, _, _ = raw(url, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", tls_ctx(capath))
        check(out.startswith(b"HTTP/1.1 401"), "master answers over cluster-CA-verified TLS")
    try:
        raw(S["cluster"]["publicServiceEndpointURL"], b"GET / HTTP/1.1\r\n\r\n", tls_ctx())
        raise AssertionError("master verified with EMU_CA_FILE; cluster CA must be separate")
    except ssl.SSLCertVerificationError:
        pass


@test
def guide_10_master_version():
    url = S["cluster"]["publicServiceEndpointURL"]
    r = curl(url + "/version", "-H", "Authorization: Bearer " + S["id_token"], cacert=S["cluster_ca"])
    eq(r.status, 200, "version")
    v = r.json()
    check(v["gitVersion"].startswith("v1.") and v["major"] == "1", "version body")
    unauth = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
              "message": "Unauthorized", "reason": "Unauthorized", "code": 401}
    r = curl(url + "/version", cacert=S["cluster_ca"])
    eq((r.status, r.json()), (401, unauth), "no token")
    r = curl(url + "/version", "-H", "Authorization: Bearer " + S["scoped"]["access_token"], cacert=S["cluster_ca"])
    eq((r.status, r.json()), (401, unauth), "access token is not an id_token")
    bad = S["id_token"][:-4] + ("AAAA" if not S["id_token"].endswith("AAAA") else "BBBB")
    r = curl(url + "/version", "-H", "Authorization: Bearer " + bad, cacert=S["cluster_ca"])
    eq(r.status, 401, "forged id_token")
    r = curl(url + "/api/v1/namespaces", "-H", "Authorization: Bearer " + S["id_token"], cacert=S["cluster_ca"])
    eq(r.json()["kind"], "NamespaceList", "namespaces")


@test
def guide_11_kubectl_get_namespaces():
    kubectl = shutil.which("kubectl")
    if not kubectl:
        print("  (kubectl not installed; skipped)")
        return
    kdir = os.path.join(TMP, "kube")
    os.makedirs(kdir, exist_ok=True)
    yml = S["kubeconfig_yml"].replace("certificate-authority: ", "certificate-authority: %s/" % kdir, 1)
    shutil.copy(S["cluster_ca"], os.path.join(kdir, yml.split("certificate-authority: %s/" % kdir)[1].split("\n")[0]))
    kc = os.path.join(kdir, "config.yml")
    with open(kc, "w") as f:
        f.write(yml)
    p = subprocess.run([kubectl, "--kubeconfig", kc, "get", "namespaces"], capture_output=True, text=True, timeout=30)
    eq(p.returncode, 0, "kubectl rc (%s)" % p.stderr[-300:])
    check("kube-system" in p.stdout and "default" in p.stdout, "kubectl lists namespaces")


@test
def guide_12_cr_token_and_passcode():
    with open(ENV["EMU_CR_TOKEN_FILE"]) as f:
        cr = f.read().strip()
    for sel in ({"profile_id": ENV["EMU_PROFILE_ID"]}, {"profile_name": ENV["EMU_PROFILE_NAME"]}):
        d = {"grant_type": "urn:ibm:params:oauth:grant-type:cr-token", "cr_token": cr}
        d.update(sel)
        r = iam_post(d, auth=None)
        eq(r.status, 200, "cr-token %s (%s)" % (sel, r.body[:200]))
        b = r.json()
        check("refresh_token" not in b, "no refresh token for cr-token")
        eq(claims(b["access_token"])["sub_type"], "Profile", "Profile sub_type")
        eq(claims(b["access_token"])["account"]["bss"], ENV["EMU_ACCOUNT"], "profile account")
    r = iam_post({"grant_type": "urn:ibm:params:oauth:grant-type:cr-token", "cr_token": cr,
                  "profile_name": "no-such-profile"}, auth=None)
    eq(r.status, 400, "wrong profile")
    r = iam_post({"grant_type": "urn:ibm:params:oauth:grant-type:cr-token", "cr_token": cr[:-3] + "xyz",
                  "profile_name": ENV["EMU_PROFILE_NAME"]}, auth=None)
    eq(r.status, 400, "forged cr token")
    st, pc = control("/control/passcode")
    pc = pc.decode().strip()
    for code, want in ((ENV["EMU_PASSCODE"], 200), (pc, 200), (pc, 400)):
        r = iam_post({"grant_type": "urn:ibm:params:oauth:grant-type:passcode", "passcode": code})
        eq(r.status, want, "passcode %s" % code)
        if want == 200:
            check("bss" not in claims(r.json()["access_token"])["account"], "passcode token unscoped")
    check_iam_error(r, 400, "BXNIM0602E")
    r = iam_post({"grant_type": "urn:ibm:params:oauth:grant-type:passcode", "passcode": control("/control/passcode")[1].decode().strip(),
                  "account": ENV["EMU_ACCOUNT"]})
    eq(claims(r.json()["access_token"])["account"]["bss"], ENV["EMU_ACCOUNT"], "passcode with account")
