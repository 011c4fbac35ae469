"""IAM for the emulator: identities (a service ID, two users, a trusted profile), the
grants of POST /identity/token, token minting (access, refresh, delegated refresh, kube
id_token, the compute-resource token file), the checks of those tokens for the other
services (bearer), passcodes, the OpenID configuration and the JWKS, and IAM's error
shape. Facts follow /work/shared/IBM-API.md section 1.
"""
import base64
import collections
import datetime
import hashlib
import hmac
import os
import secrets
import time
import urllib.parse
import uuid

from certs import write_file
from httpd import json_resp
from jwt import Signer, b64u

ISS = "https://iam.cloud.ibm.com/identity"
# POST /control/config: the token calls IAM lets through in any one second (0: no limit;
# the others get IAM's 429 with this Retry-After, in seconds), as a fleet meets it.
CONFIG = {"iam_rate_limit": 0, "iam_retry_after": 2}


def iam_headers(rid=None):
    rid = rid or "%s-%s" % (b64u(os.urandom(9)), uuid.uuid4().hex[:8])
    return [("transaction-id", rid), ("x-request-id", str(uuid.uuid4())),
            ("x-correlation-id", str(uuid.uuid4())), ("ibm-cloud-service-name", "iam-identity"),
            ("Cache-Control", "no-cache, no-store, must-revalidate"), ("Pragma", "no-cache")]


def missing(prop):
    return ("BXNIM0109E", "Property missing or empty.",
            "Property '%s' either missing or empty." % prop)


class Iam:
    def __init__(self, emu, accounts):
        self.emu = emu
        self.lock = emu.lock
        self.signer = Signer(os.urandom(32), time.strftime("%Y%m%d%H%M", time.localtime(emu.clock.now())))
        self.issued = {}            # jti -> (issue counter, kind)
        self.issue_seq = 0
        self.cutoff = {"access": 0, "refresh": 0}
        self.passcodes = {}
        self.let_through = collections.deque()   # monotonic times of the calls in the window
        self._mk_identities(accounts)

    # -------- identities
    def _mk_identities(self, accounts):
        a1, a2, a3 = (a["guid"] for a in accounts)
        u1 = str(uuid.UUID(hashlib.md5(b"svc").hexdigest()))
        self.apikey = "FAKE-apikey-" + b64u(os.urandom(18))
        self.idents = {}
        self.service_ids = {self.apikey: self._ident({
            "kind": "serviceid", "iam_id": "iam-ServiceId-" + u1, "id": "ServiceId-" + u1,
            "name": "fake-emulator-serviceid", "accounts": [a1], "ims_user_id": 0})}
        self.users = {
            "fake.user@example.com": ("FAKE-password-" + b64u(os.urandom(6)), self._ident({
                "kind": "user", "iam_id": "IBMid-6620000FAKE", "id": "IBMid-6620000FAKE",
                "name": "Fake User", "email": "fake.user@example.com", "given_name": "Fake",
                "family_name": "User", "accounts": [a1, a2, a3], "ims_user_id": 7560901})),
            "fake.solo@example.com": ("FAKE-password1-" + b64u(os.urandom(6)), self._ident({
                "kind": "user", "iam_id": "IBMid-6620001FAKE", "id": "IBMid-6620001FAKE",
                "name": "Fake Solo", "email": "fake.solo@example.com", "given_name": "Fake",
                "family_name": "Solo", "accounts": [a1], "ims_user_id": 7560902}))}
        pid = "Profile-" + str(uuid.UUID(hashlib.md5(b"prof").hexdigest()))
        self.profile = self._ident({"kind": "profile", "iam_id": "iam-" + pid, "id": pid,
                                    "name": "fake-emulator-profile", "accounts": [a1],
                                    "ims_user_id": 0})
        self.cr_sub = "system:serviceaccount:default:fake-workload"

    def _ident(self, d):
        self.idents[d["iam_id"]] = d
        return d

    # -------- errors
    def error(self, status, code, msg, details=None, req=None, extra=None):
        rid = "%s-%s" % (b64u(os.urandom(9)), uuid.uuid4().hex[:8])
        now = datetime.datetime.fromtimestamp(self.emu.clock.now(), datetime.timezone.utc)
        ctx = {"clusterName": "iam-id-emu-us-south-dal10", "elapsedTime": str(secrets.randbelow(90) + 5),
               "endTime": now.strftime("%d.%m.%Y %H:%M:%S:") + "%03d UTC" % (now.microsecond // 1000),
               "host": "iamid-emu-7c9f6d8b5-x2k4p", "instanceId": "iamid-emu-7c9f6d8b5-x2k4p",
               "locale": "en_US", "requestId": rid, "requestType": "incoming.Identity_Token",
               "startTime": now.strftime("%d.%m.%Y %H:%M:%S:") + "%03d UTC" % (now.microsecond // 1000),
               "threadId": "%x" % secrets.randbits(24), "url": "https://iam.cloud.ibm.com",
               "userAgent": (req.headers.get("User-Agent", "") if req else "")}
        body = {"context": ctx, "errorCode": code, "errorMessage": msg}
        if details:
            body["errorDetails"] = details
        if extra:
            body.update(extra)
        return json_resp(status, body, iam_headers(rid))

    # -------- tokens
    def _register(self, jti, kind):
        with self.lock:
            self.issue_seq += 1
            self.issued[jti] = (self.issue_seq, kind)


    def expired(self, claims, kind):
        if claims.get("exp", 0) <= self.emu.clock.now():
            return True
        rec = self.issued.get(claims.get("jti"))
        return bool(rec and rec[0] <= self.cutoff[kind])

    def access_claims(self, ident, account, grant, client_id, scope, ttl):
        now = int(self.emu.clock.now())
        jti = str(uuid.uuid4())
        c = {"iam_id": ident["iam_id"], "id": ident["id"],
             "realmid": "IBMid" if ident["kind"] == "user" else "iam", "jti": jti,
             "identifier": ident["id"].split("-", 1)[1] if ident["kind"] != "user" else "6620000FAKE",
             "name": ident["name"], "sub": ident.get("email") or ident["id"]}
        if ident["kind"] == "user":
            c.update(given_name=ident["given_name"], family_name=ident["family_name"],
                     email=ident["email"], sub_type="1")
            c["authn"] = {"sub": ident["email"], "iam_id": ident["iam_id"], "name": ident["name"],
                          "given_name": ident["given_name"], "family_name": ident["family_name"],
                          "email": ident["email"]}
            amr = ["pwd"]
        else:
            c["sub_type"] = "ServiceId" if ident["kind"] == "serviceid" else "Profile"
            c["authn"] = {"sub": ident["id"], "iam_id": ident["iam_id"], "sub_type": c["sub_type"],
                          "name": ident["name"]}
            amr = ["pwd"] if ident["kind"] == "serviceid" else ["cr"]
        acct = {"valid": True, "boundary": "global"}
        if account:
            acct["bss"] = account
            acct["frozen"] = True
        c["account"] = acct
        c.update(iat=now, exp=now + ttl, iss=ISS, grant_type=grant, scope=scope,
                 client_id=client_id, acr=1, amr=amr)
        self._register(jti, "access")
        return c

    def mint_access(self, ident, account, grant, client_id, scope="ibm openid"):
        c = self.access_claims(ident, account, grant, client_id, scope, self.emu.cfg["access_ttl"])
        return self.signer.rs256(c), c

    def mint_id_token(self, ident, account):
        c = self.access_claims(ident, account, "urn:ibm:params:oauth:grant-type:delegated-refresh-token",
                               "kube", "ibm openid containers-kubernetes", self.emu.cfg["id_token_ttl"])
        c["aud"] = "kube"
        sub = ident.get("email") or ident["id"]
        accts = [account] if account else []
        for a in accts:
            c["sub_" + a] = sub
            c["iam_id_" + a] = ident["iam_id"]
            c["realmed_sub_" + a] = ident["iam_id"]
            c["groups_" + a] = []
        return self.signer.rs256(c), c

    def mint_refresh(self, ident, account, client_id, grant, typ="refresh", ttl=None, receivers=None):
        now = int(self.emu.clock.now())
        jti = str(uuid.uuid4())
        c = {"iam_id": ident["iam_id"], "account_id": account or "", "client_id": client_id,
             "grant": grant, "typ": typ, "jti": jti, "iat": now,
             "exp": now + (ttl if ttl is not None else self.emu.cfg["refresh_ttl"])}
        if receivers:
            c["receiver_client_ids"] = receivers
        self._register(jti, "refresh")
        return self.signer.rt(c), c

    def bearer(self, req, need_aud=None):
        """Verified, unexpired claims of the request's Bearer token, or None."""
        auth = req.headers.get("Authorization", "")
        if not auth[:7].lower() == "bearer ":
            return None
        claims, alg = self.signer.check(auth[7:].strip())
        if not claims or alg != "RS256" or claims.get("iss") != ISS:
            return None
        if self.expired(claims, "access"):
            return None
        aud = claims.get("aud")
        if need_aud:
            if not (aud == need_aud or (isinstance(aud, list) and need_aud in aud)):
                return None
        elif aud is not None:       # id_tokens are for masters, not for IBM APIs
            return None
        return claims

    def new_passcode(self):
        pc = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(10))
        with self.lock:
            self.passcodes[pc] = "fake.user@example.com"
        return pc

    def write_cr_token(self):
        now = int(self.emu.clock.now())
        c = {"aud": ["iam"], "exp": now + 86400, "iat": now, "iss": "https://kubernetes.default.svc",
             "kubernetes.io": {"namespace": "default", "serviceaccount": {"name": "fake-workload",
                                                                         "uid": str(uuid.uuid4())}},
             "nbf": now, "sub": self.cr_sub, "jti": str(uuid.uuid4())}
        self.cr_file = os.path.join(self.emu.dir, "cr-token")
        write_file(self.cr_file, self.signer.rs256(c, kid="emulator-cr-" + self.signer.kid), 0o600)

    def expire(self, refresh):
        """The expire_tokens fault: every token issued so far counts as expired."""
        with self.lock:
            self.cutoff["access"] = self.issue_seq
            if refresh:
                self.cutoff["refresh"] = self.issue_seq
        return self.issue_seq

    # -------- IAM requests
    def serve(self, req, method, path, q, body, fault=None):
        if path in ("/identity/token", "/identity/token/"):
            if method != "POST":
                return self.error(405, "BXNIM0060E", "Method Not Allowed", req=req)
            return self.token(req, body)
        if path == "/identity/passcode":
            return self.passcode(req, body)
        if path == "/identity/.well-known/openid-configuration" and method == "GET":
            base = self.emu.urls["iam"]
            return json_resp(200, {
                "issuer": ISS, "authorization_endpoint": base + "/identity/authorize",
                "token_endpoint": base + "/identity/token", "passcode_endpoint": base + "/identity/passcode",
                "userinfo_endpoint": base + "/identity/userinfo", "jwks_uri": base + "/identity/keys",
                "response_types_supported": ["code", "token", "id_token", "id_token token"],
                "grant_types_supported": ["authorization_code", "password", "refresh_token",
                                          "urn:ibm:params:oauth:grant-type:apikey",
                                          "urn:ibm:params:oauth:grant-type:passcode",
                                          "urn:ibm:params:oauth:grant-type:cr-token",
                                          "urn:ibm:params:oauth:grant-type:delegated-refresh-token",
                                          "urn:ibm:params:oauth:grant-type:assume"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "ibm", "containers-kubernetes"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "claims_supported": ["iss", "sub", "aud", "exp", "iat", "iam_id", "account"]},
                [("Cache-Control", "max-age=3600")])
        if path == "/identity/keys" and method == "GET":
            return json_resp(200, {"keys": [self.signer.rsa.jwk(self.signer.kid)]})
        return self.error(404, "BXNIM0100E", "Resource not found.",
                          "The requested URL %s was not found." % path, req=req)

    def client_auth(self, req, form):
        auth = req.headers.get("Authorization", "")
        if auth[:6].lower() == "basic ":
            try:
                cid, _, sec = base64.b64decode(auth[6:].strip(), validate=True).decode().partition(":")
            except Exception:
                return None, "bad"
        elif form.get("client_id"):
            cid, sec = form.get("client_id"), form.get("client_secret", "")
        else:
            return None, None
        known = {"bx": "bx", "kube": "kube", "cf": ""}
        if cid in known and known[cid] == sec:
            return cid, None
        return None, "bad"

    def rate_limited(self, req):
        """IAM's 429 if this token call is over iam_rate_limit in the last second (the calls
        let through count, the refused ones do not), else None."""
        lim = self.emu.cfg.get("iam_rate_limit") or 0
        if lim <= 0:
            return None
        now = time.monotonic()
        with self.lock:
            w = self.let_through
            while w and w[0] <= now - 1.0:
                w.popleft()
            if len(w) < lim:
                w.append(now)
                return None
        r = self.error(429, "BXNIM0429E", "Too many requests. Try again later.", req=req)
        r.headers += [("Retry-After", str(self.emu.cfg.get("iam_retry_after") or 0)),
                      ("X-RateLimit-Limit", str(lim)), ("X-RateLimit-Remaining", "0")]
        return r

    def token(self, req, body):
        ctype = req.headers.get("Content-Type", "").split(";")[0].strip().lower()
        form = {}
        if ctype == "application/x-www-form-urlencoded":
            try:
                for k, v in urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True):
                    form.setdefault(k, v)
            except UnicodeDecodeError:
                form = {}
        grant = form.get("grant_type", "")
        if grant:
            self.emu.bump("grants", grant)
        req.log_extra.update({k: form[k] for k in ("grant_type", "response_type", "receiver_client_ids",
                                                  "delegated_refresh_token_expiry", "bss_account",
                                                  "account", "profile_id", "profile_name", "scope")
                              if k in form})
        if form.get("refresh_token"):    # which device asks, for the log (a digest, not the token)
            req.log_extra["rt"] = hashlib.sha256(form["refresh_token"].encode()).hexdigest()[:12]
        limited = self.rate_limited(req)
        if limited:
            return limited
        err = lambda st, code, msg, det=None, **kw: self.error(st, code, msg, det, req=req, **kw)
        if not grant:
            return err(400, *missing("grant_type"))
        cid, cerr = self.client_auth(req, form)
        req.log_extra["client_id"] = cid or ("invalid" if cerr else "default")
        if cerr:
            return err(400, "BXNIM0309E", "The client credentials you provided are incorrect.",
                       "Client authentication failed for client in the authorization header.")
        # response_type
        rts = [x for x in form.get("response_type", "cloud_iam").replace("+", " ").replace(",", " ").split() if x]
        bad = [x for x in rts if x not in ("cloud_iam", "delegated_refresh_token")]
        if bad or not rts:
            return err(400, "BXNIM0106E", "Validation of property 'response_type' with value '[%s]' failed. "
                       "Valid values: 'cloud_iam'" % ", ".join(rts or [""]))
        want_iam, want_drt = "cloud_iam" in rts, "delegated_refresh_token" in rts
        receivers = [x for x in form.get("receiver_client_ids", "").replace(" ", ",").split(",") if x]
        drt_ttl = 518400
        if want_drt:
            if not receivers:
                return err(400, *missing("receiver_client_ids"))
            if form.get("delegated_refresh_token_expiry"):
                try:
                    drt_ttl = int(form["delegated_refresh_token_expiry"])
                    if drt_ttl <= 0:
                        raise ValueError
                except ValueError:
                    return err(400, "BXNIM0106E", "Validation of property 'delegated_refresh_token_expiry' "
                               "with value '%s' failed." % form["delegated_refresh_token_expiry"])
            if self.emu.cfg["delegated_ttl"]:
                drt_ttl = min(drt_ttl, self.emu.cfg["delegated_ttl"])
        want_acct = form.get("bss_account") or form.get("account") or ""

        def scope_to(ident, dflt):
            acct = want_acct or dflt
            if acct and acct not in ident["accounts"]:
                return None, err(400, "BXNIM0141E", "The identity is not a member of the account.",
                                 "The IAM identity %s is not a member of the account %s." % (ident["iam_id"], acct))
            return acct, None

        issue_refresh = True
        if grant == "urn:ibm:params:oauth:grant-type:apikey":
            key = form.get("apikey", "")
            if not key:
                return err(400, *missing("apikey"))
            ident = self.service_ids.get(key)
            if not ident:
                return err(400, "BXNIM0415E", "Provided API key could not be found.")
            acct, e = scope_to(ident, ident["accounts"][0])
        elif grant == "password":
            if not cid:
                return err(400, "BXNIM0308E", "No authorization header found")
            un, pw = form.get("username", ""), form.get("password", "")
            if not un:
                return err(400, *missing("username"))
            if not pw:
                return err(400, *missing("password"))
            u = self.users.get(un)
            if not u or not hmac.compare_digest(u[0], pw):
                return err(400, "BXNIM0602E", "The credentials you provided are incorrect")
            ident = u[1]
            acct, e = scope_to(ident, "")
        elif grant == "urn:ibm:params:oauth:grant-type:passcode":
            pc = form.get("passcode", "")
            if not pc:
                return err(400, *missing("passcode"))
            with self.lock:
                un = self.passcodes.pop(pc, None)
            if not un:
                return err(400, "BXNIM0602E", "The credentials you provided are incorrect",
                           "The passcode is invalid or was already used.")
            ident = self.users[un][1]
            acct, e = scope_to(ident, "")
        elif grant == "refresh_token":
            claims, e = self.refresh_claims(form, cid, "refresh", err)
            if e:
                return e
            ident = self.idents.get(claims["iam_id"])
            if not ident:
                return err(400, "BXNIM0407E", "Provided refresh token is invalid.")
            acct, e = scope_to(ident, claims.get("account_id", ""))
            if not e and cid == "kube":     # kubectl's oidc refresh: must answer with an id_token
                return self.kube_tokens(ident, acct, cid, grant)
        elif grant == "urn:ibm:params:oauth:grant-type:delegated-refresh-token":
            claims, e = self.refresh_claims(form, cid, "delegated", err)
            if e:
                return e
            ident = self.idents[claims["iam_id"]]
            acct = claims.get("account_id", "")
            return self.kube_tokens(ident, acct, cid, grant)
        elif grant == "urn:ibm:params:oauth:grant-type:cr-token":
            crt = form.get("cr_token", "")
            if not crt:
                return err(400, *missing("cr_token"))
            claims, alg = self.signer.check(crt)
            if not claims or alg != "RS256" or claims.get("sub") != self.cr_sub or \
                    claims.get("exp", 0) <= self.emu.clock.now():
                return err(400, "BXNIM0407E", "Provided compute resource token is invalid.")
            pid, pname, pcrn = form.get("profile_id"), form.get("profile_name"), form.get("profile_crn")
            if not (pid or pname or pcrn):
                return err(400, *missing("profile_id"))
            if (pid and pid != self.profile["id"]) or (pname and pname != self.profile["name"]) or \
                    (pcrn and not pcrn.endswith(self.profile["id"])):
                return err(400, "BXNIM0487E", "The trusted profile could not be found or is not linked "
                           "to the compute resource.")
            ident = self.profile
            acct, e = scope_to(ident, ident["accounts"][0])
            issue_refresh = False
        else:
            return err(400, "BXNIM0106E", "Validation of property 'grant_type' with value '%s' failed." % grant)
        if e:
            return e
        return self.token_body(ident, acct, grant, cid, issue_refresh, want_iam, want_drt, receivers, drt_ttl)

    def refresh_claims(self, form, cid, typ, err):
        """(claims, None) for the form's valid refresh token of that typ ("refresh": the client's
        own; "delegated": one cid receives), else (None, IAM's error)."""
        if not cid:
            return None, err(400, "BXNIM0308E", "No authorization header found")
        rt = form.get("refresh_token", "")
        if not rt:
            return None, err(400, *missing("refresh_token"))
        claims, alg = self.signer.check(rt)
        if not claims or alg != "rt" or claims.get("typ") != typ or \
                (typ == "refresh" and claims.get("client_id") != cid):
            return None, err(400, "BXNIM0407E", "Provided refresh token is invalid.")
        if typ == "delegated" and cid not in claims.get("receiver_client_ids", []):
            return None, err(400, "BXNIM0407E", "Provided refresh token is invalid.",
                             "The client '%s' is not a receiver of the delegated refresh token." % cid)
        if self.expired(claims, "refresh"):
            return None, err(400, "BXNIM0408E", "Provided refresh token is expired")
        return claims, None

    def token_body(self, ident, acct, grant, cid, issue_refresh, want_iam, want_drt, receivers, drt_ttl):
        out = {}
        if want_iam:
            at, c = self.mint_access(ident, acct, grant, cid or "default")
            out["access_token"] = at
            if issue_refresh:
                if cid:
                    rt, rc = self.mint_refresh(ident, acct, cid, grant)
                    out["refresh_token"] = rt
                else:
                    out["refresh_token"] = "not_supported"
            out.update(ims_user_id=ident["ims_user_id"], token_type="Bearer",
                       expires_in=c["exp"] - c["iat"], expiration=c["exp"])
            if issue_refresh and cid:
                out["refresh_token_expiration"] = rc["exp"]
            out["scope"] = c["scope"]
        if want_drt:
            drt, _ = self.mint_refresh(ident, acct, cid or "default", grant, "delegated", drt_ttl, receivers)
            out["delegated_refresh_token"] = drt
        return json_resp(200, out, iam_headers())

    def kube_tokens(self, ident, acct, cid, grant):
        at, c = self.mint_access(ident, acct, grant, cid, "ibm openid containers-kubernetes")
        idt, _ = self.mint_id_token(ident, acct)
        rt, rc = self.mint_refresh(ident, acct, cid, grant)
        return json_resp(200, {"access_token": at, "id_token": idt, "refresh_token": rt,
                               "ims_user_id": ident["ims_user_id"], "token_type": "Bearer",
                               "expires_in": c["exp"] - c["iat"], "expiration": c["exp"],
                               "refresh_token_expiration": rc["exp"],
                               "scope": "ibm openid containers-kubernetes"}, iam_headers())

    def passcode(self, req, body):
        form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
        cid, _ = self.client_auth(req, form)
        if not cid:
            return self.error(400, "BXNIM0308E", "No authorization header found", req=req)
        claims, alg = self.signer.check(form.get("refresh_token", ""))
        if not claims or alg != "rt" or self.expired(claims, "refresh"):
            return self.error(400, "BXNIM0407E", "Provided refresh token is invalid.", req=req)
        pc = self.new_passcode()
        with self.lock:
            ident = self.idents.get(claims["iam_id"])
            if ident and ident["kind"] == "user":
                self.passcodes[pc] = ident["email"]
        return json_resp(200, {"passcode": pc}, iam_headers())
