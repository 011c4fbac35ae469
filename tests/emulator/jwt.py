"""JWTs as the emulator's IAM issues them: RS256 (access, id and cr tokens, verifiable
with the JWKS) and {"alg":"rt"} (refresh and delegated refresh tokens, an HMAC with a
process secret). check() accepts only tokens this process signed."""
import base64
import hashlib
import hmac
import json


def b64u(b):
    if isinstance(b, str):
        b = b.encode()
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64u_dec(s):
    s = s + "=" * (-len(s) % 4)
    return base64.urlsafe_b64decode(s.encode())


def _part(o):
    return b64u(json.dumps(o, separators=(",", ":")))


class Signer:
    def __init__(self, secret, kid):
        self.secret, self.kid = secret, kid
        self.rsa = None             # certs.RSAKey, once the certificates are made

    def rs256(self, claims, kid=None):
        h = _part({"kid": kid or self.kid, "alg": "RS256"})
        p = _part(claims)
        sig = self.rsa.sign((h + "." + p).encode())
        return h + "." + p + "." + b64u(sig)

    def rt(self, claims):
        h = _part({"alg": "rt"})
        p = _part(claims)
        sig = hmac.new(self.secret, (h + "." + p).encode(), hashlib.sha256).digest()
        return h + "." + p + "." + b64u(sig)

    def check(self, tok):
        """Returns (claims, alg) for a token this emulator signed, else (None, None)."""
        try:
            h, p, s = tok.split(".")
            hdr = json.loads(b64u_dec(h))
            sig = b64u_dec(s)
            msg = (h + "." + p).encode()
            alg = hdr.get("alg")
            if alg == "RS256":
                ok = self.rsa.verify(msg, sig)
            elif alg == "rt":
                ok = hmac.compare_digest(sig, hmac.new(self.secret, msg, hashlib.sha256).digest())
            else:
                ok = False
            if not ok:
                return None, None
            claims = json.loads(b64u_dec(p))
            return (claims, alg) if isinstance(claims, dict) else (None, None)
        except Exception:
            return None, None
