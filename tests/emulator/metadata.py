"""The VPC metadata service's identity methods for the emulator (F23): a plain-HTTP and a
TLS listener, each serving the 2025-08-26 paths (PUT /identity/v1/token, POST
/identity/v1/iam_tokens) and the older ones (PUT /instance_identity/v1/token, POST
/instance_identity/v1/iam_token, versions 2022-03-01 .. 2025-08-25). The identity token is
an RS256 JWT of the emulator's signer (iss VSI-CR_us-south); the IAM token call mints, for
the trusted profile linked to the instance, an access token with iam.py's minting, so that
the containers API takes it like any other. Facts and sources: README.md, **VPC metadata
service**. Errors use the VPC shape {"errors":[{code,message,more_info,target?}],
"status_code","trace"}.

Switches (POST /control/config): metadata (listening or not: off = connection refused),
metadata_new_paths (off: the /identity/ paths answer 404, an older service),
metadata_profile_linked (off: no trusted profile is linked to the instance).
"""
import datetime
import hashlib
import json
import re
import uuid

from httpd import json_resp

ISS = "VSI-CR_us-south"
NEW_VERSION = "2025-08-26"          # from this version on only /identity/ paths
MIN_VERSION = "2022-03-01"          # the identity token's minimum version date
MORE_INFO = "https://cloud.ibm.com/docs/vpc?topic=vpc-instance-metadata-error-codes"
NEW_PATHS = {"/identity/v1/token": "token", "/identity/v1/iam_tokens": "iam"}
OLD_PATHS = {"/instance_identity/v1/token": "token", "/instance_identity/v1/iam_token": "iam"}
CONFIG = {"metadata": True, "metadata_new_paths": True, "metadata_profile_linked": True}


def md_error(status, code, msg, target=None):
    e = {"code": code, "message": msg, "more_info": MORE_INFO}
    if target:
        e["target"] = target
    return json_resp(status, {"errors": [e], "status_code": status, "trace": str(uuid.uuid4())})


def iso(t):
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def config_value(k, v):
    if not isinstance(v, bool):
        raise ValueError("a JSON boolean expected")
    return v


class Metadata:
    def __init__(self, emu):
        self.emu = emu
        self.iam = emu.iam
        self.servers = {}           # "http" | "https" -> httpd.Server (absent while disabled)
        self.ports = {}
        acct = emu.accounts[0]["guid"]
        pid = "Profile-" + str(uuid.UUID(hashlib.md5(b"vpc-prof").hexdigest()))
        self.profile = self.iam._ident({
            "kind": "profile", "iam_id": "iam-" + pid, "id": pid, "name": "fake-emulator-vpc-profile",
            "accounts": [acct], "ims_user_id": 0,
            "crn": "crn:v1:bluemix:public:iam-identity::a/%s::profile:%s" % (acct, pid)})
        self.instance_id = "0717_" + str(uuid.UUID(hashlib.md5(b"vsi").hexdigest()))
        self.instance_crn = "crn:v1:bluemix:public:is:us-south-1:a/%s::instance:%s" % (acct, self.instance_id)

    # -------- listeners
    def start(self, make_server, ctx):
        """make_server(ctx, port) -> a started httpd.Server of service "metadata"."""
        self.make_server, self.ctx = make_server, ctx
        self._listen()

    def _listen(self):
        for kind, ctx in (("http", None), ("https", self.ctx)):
            srv = self.make_server(ctx, self.ports.get(kind, 0))
            self.ports[kind] = srv.server_address[1]
            self.servers[kind] = srv

    def set_enabled(self, on):
        """Off: both listening sockets closed (new connections are refused); on: bound again
        on the same ports."""
        if on and not self.servers:
            self._listen()
        elif not on and self.servers:
            for srv in self.servers.values():
                srv.shutdown()
                srv.server_close()
                if srv in self.emu.servers:
                    self.emu.servers.remove(srv)
            self.servers = {}

    def urls(self):
        return {"metadata": "http://127.0.0.1:%d" % self.ports["http"],
                "metadata_tls": "https://127.0.0.1:%d" % self.ports["https"]}

    # -------- requests
    def serve(self, req, method, path, q, body, fault=None):
        req.log_extra["tls"] = req.server.ctx is not None
        p = path.rstrip("/") or "/"
        op = NEW_PATHS.get(p) or OLD_PATHS.get(p)
        if not op:
            return md_error(404, "not_found", "The requested resource was not found.")
        new = p in NEW_PATHS
        if new and not self.emu.cfg["metadata_new_paths"]:
            return md_error(404, "not_found", "The requested resource was not found.")
        want = "PUT" if op == "token" else "POST"
        if method != want:
            return md_error(405, "method_not_allowed", "The %s method is not allowed on %s." % (method, p))
        e = self.check_version(q, new)
        if e:
            return e
        if op == "token":
            return self.token(req, body)
        return self.iam_token(req, body)

    def check_version(self, q, new):
        v = q.get("version")
        if v is None or v == "":
            return md_error(400, "missing_field", "The `version` query parameter is required.",
                            {"name": "version", "type": "query"})
        try:
            datetime.date.fromisoformat(v) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) else int("x")
        except ValueError:
            return md_error(400, "invalid_value", "The `version` query parameter must be a date in "
                            "the format YYYY-MM-DD.", {"name": "version", "type": "query", "value": v})
        today = iso(self.emu.clock.now())[:10]
        if v > today:
            return md_error(400, "invalid_value", "The `version` query parameter must not be later than "
                            "the current date (%s)." % today, {"name": "version", "type": "query", "value": v})
        if v < MIN_VERSION:
            return md_error(400, "invalid_value", "The `version` query parameter must be `%s` or later."
                            % MIN_VERSION, {"name": "version", "type": "query", "value": v})
        if new and v < NEW_VERSION:
            return md_error(404, "not_found", "The requested resource was not found.")
        if not new and v >= NEW_VERSION:
            return md_error(404, "not_found", "The requested resource was not found.")
        return None

    def json_body(self, body):
        """(dict, None) or (None, the error); an empty body is {}."""
        if not body.strip():
            return {}, None
        try:
            d = json.loads(body)
        except ValueError:
            d = None
        if not isinstance(d, dict):
            return None, md_error(400, "invalid_request", "The request body was malformed.")
        return d, None

    def token(self, req, body):
        """Create an identity token: Metadata-Flavor: ibm, body {"expires_in"?: 5..3600, "nonce"?}."""
        flavor = req.headers.get("Metadata-Flavor")
        if flavor is None or flavor == "":
            return md_error(400, "missing_value", "A value such as `ibm` must be provided in the "
                            "`Metadata-Flavor` header.", {"name": "Metadata-Flavor", "type": "header"})
        if flavor != "ibm":
            return md_error(400, "invalid_value", "The `Metadata-Flavor` header must be `ibm`.",
                            {"name": "Metadata-Flavor", "type": "header", "value": flavor})
        d, e = self.json_body(body)
        if e:
            return e
        for k in d:
            if k not in ("expires_in", "nonce"):
                return md_error(400, "unknown_field", "Unknown property `%s` was specified in the "
                                "request body." % k, {"name": k, "type": "field"})
        ttl = d.get("expires_in", 300)
        if "expires_in" in d:
            req.log_extra["expires_in"] = ttl
        if isinstance(ttl, bool) or not isinstance(ttl, int) or not 5 <= ttl <= 3600:
            return md_error(400, "invalid_value", "The value provided for the `expires_in` field must be "
                            "between `5` and `3600`.", {"name": "expires_in", "type": "field", "value": str(ttl)})
        now = int(self.emu.clock.now())
        acct = self.profile["accounts"][0]
        jti = str(uuid.uuid4())
        c = {"aud": [ISS, self.instance_id], "exp": now + ttl, "iat": now, "iss": ISS, "jti": jti,
             "iaas": {"crn": self.instance_crn, "accountID": acct, "instanceID": self.instance_id,
                      "zone": "us-south-1", "region": "us-south", "profile_name": "bx2-2x8",
                      "resource_group_id": "6d42cce33e604a86b95485c5735be52d"},
             "ip_addresses": [{"address": "10.240.0.4"}], "sub": self.instance_crn}
        if "nonce" in d:
            c["nonce"] = d["nonce"]
        self.iam._register(jti, "access")       # so the expire_tokens fault reaches it too
        tok = self.iam.signer.rs256(c, kid="VSI-CR_us-south_" + self.iam.signer.kid)
        self.emu.bump("metadata", "identity_tokens")
        return json_resp(200, {"access_token": tok, "created_at": iso(now), "expires_at": iso(now + ttl),
                               "expires_in": ttl})

    def identity_claims(self, req):
        auth = req.headers.get("Authorization", "")
        if auth[:7].lower() != "bearer " or not auth[7:].strip():
            return None, md_error(401, "unauthenticated", "An identity token must be provided in the "
                                  "`Authorization` header.", {"name": "Authorization", "type": "header"})
        claims, alg = self.iam.signer.check(auth[7:].strip())
        if not claims or alg != "RS256" or claims.get("iss") != ISS or self.iam.expired(claims, "access"):
            return None, md_error(401, "unauthenticated", "The provided token is invalid or expired.")
        return claims, None

    def iam_token(self, req, body):
        """Exchange the identity token (Bearer) for an IAM access token of a linked trusted
        profile: body {"trusted_profile": {"id": ...} | {"crn": ...}} or none (the default)."""
        claims, e = self.identity_claims(req)
        if e:
            return e
        d, e = self.json_body(body)
        if e:
            return e
        for k in d:
            if k != "trusted_profile":
                return md_error(400, "unknown_field", "Unknown property `%s` was specified in the "
                                "request body." % k, {"name": k, "type": "field"})
        tp = d.get("trusted_profile")
        if tp is not None:
            if not isinstance(tp, dict) or len(tp) != 1 or not isinstance(next(iter(tp.values())), str) \
                    or next(iter(tp)) not in ("id", "crn", "name"):
                return md_error(400, "invalid_value", "The `trusted_profile` field must hold exactly one of "
                                "`id`, `crn` or `name`.", {"name": "trusted_profile", "type": "field"})
            req.log_extra["trusted_profile"] = tp
        prof = self.profile
        if not self.emu.cfg["metadata_profile_linked"]:
            return md_error(400, "profile_not_linked", "The virtual server instance is not linked to the "
                            "specified trusted profile." if tp else "The virtual server instance has no "
                            "default trusted profile.")
        if tp and (tp.get("id", prof["id"]) != prof["id"] or tp.get("crn", prof["crn"]) != prof["crn"]
                   or tp.get("name", prof["name"]) != prof["name"]):
            return md_error(400, "profile_not_linked", "The virtual server instance is not linked to the "
                            "specified trusted profile.")
        at, c = self.iam.mint_access(prof, prof["accounts"][0], "urn:ibm:params:oauth:grant-type:cr-token",
                                     "default")
        self.emu.bump("metadata", "iam_tokens")
        return json_resp(200, {"access_token": at, "created_at": iso(c["iat"]), "expires_at": iso(c["exp"]),
                               "expires_in": c["exp"] - c["iat"]})
