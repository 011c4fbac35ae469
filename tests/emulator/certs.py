"""Keys and certificates for the emulator, made with the `openssl` command at start:
IAM's ECDSA P-384 chain, the RSA-2048 chain of accounts and containers (whose leaf key
also signs the RS256 JWTs), and one EC P-256 CA and master certificate per cluster.
RSAKey reads that RSA key for pure-Python PKCS#1 v1.5 signatures."""
import hashlib
import os
import subprocess
import threading

from jwt import b64u


def ossl(*args):
    r = subprocess.run(("openssl",) + args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (args[0], r.stderr.strip()))
    return r.stdout


def make_ca(d, name, keyspec, subj, parent=None, pathlen=None, md="-sha256"):
    key, crt = os.path.join(d, name + "-key.pem"), os.path.join(d, name + ".pem")
    bc = "basicConstraints=critical,CA:TRUE" + (",pathlen:%d" % pathlen if pathlen is not None else "")
    args = ["req", "-x509", "-nodes", "-days", "3650", "-subj", subj,
            "-keyout", key, "-out", crt, "-addext", bc,
            "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature", md] + keyspec
    if parent:
        args += ["-CA", parent[1], "-CAkey", parent[0]]
    ossl(*args)
    return key, crt


def make_leaf(d, name, keyspec, subj, parent, rsa=False, md="-sha256", client=False):
    """A server certificate for 127.0.0.1 and localhost, or (client) a client one, as the
    cluster's admin certificate is: Kubernetes reads the user from CN, the groups from O."""
    key, crt = os.path.join(d, name + "-key.pem"), os.path.join(d, name + ".pem")
    ku = "digitalSignature,keyEncipherment" if rsa else "digitalSignature"
    ext = (["-addext", "extendedKeyUsage=clientAuth"] if client else
           ["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-addext", "extendedKeyUsage=serverAuth"])
    ossl("req", "-x509", "-nodes", "-days", "825", "-subj", subj,
         "-keyout", key, "-out", crt, "-CA", parent[1], "-CAkey", parent[0],
         "-addext", "basicConstraints=critical,CA:FALSE",
         "-addext", "keyUsage=critical," + ku, *ext, md, *keyspec)
    return key, crt


EC384 = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"]
EC256 = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
RSA2048 = ["-newkey", "rsa:2048"]


def read(p):
    with open(p, "rb") as f:
        return f.read()


def write_file(p, data, mode=0o644):
    tmp = p + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.chmod(tmp, mode)
    os.replace(tmp, p)


# ---------------------------------------------------------------- RS256 signing

class RSAKey:
    """An RSA private key read via `openssl rsa -text`; PKCS#1 v1.5 SHA-256 signatures."""
    DI = bytes.fromhex("3031300d060960864801650304020105000420")

    def __init__(self, path):
        txt = ossl("rsa", "-in", path, "-noout", "-text")
        parts, cur = {}, None
        for line in txt.splitlines():
            if line.startswith("publicExponent:"):
                parts["e"] = int(line.split()[1])
                cur = None
            elif not line.startswith(" ") and line.endswith(":"):
                cur = line[:-1]
                parts[cur] = ""
            elif cur and line.startswith(" "):
                parts[cur] += line.strip().replace(":", "")
        h = lambda k: int(parts[k], 16)
        self.n, self.e, self.d = h("modulus"), parts["e"], h("privateExponent")
        self.p, self.q = h("prime1"), h("prime2")
        self.dp, self.dq, self.qi = h("exponent1"), h("exponent2"), h("coefficient")
        self.k = (self.n.bit_length() + 7) // 8

    def _em(self, msg):
        t = self.DI + hashlib.sha256(msg).digest()
        return int.from_bytes(b"\x00\x01" + b"\xff" * (self.k - len(t) - 3) + b"\x00" + t, "big")

    def sign(self, msg):
        m = self._em(msg)
        s1, s2 = pow(m, self.dp, self.p), pow(m, self.dq, self.q)
        s = s2 + ((self.qi * (s1 - s2)) % self.p) * self.q
        return s.to_bytes(self.k, "big")

    def verify(self, msg, sig):
        if len(sig) != self.k:
            return False
        return pow(int.from_bytes(sig, "big"), self.e, self.n) == self._em(msg)

    def jwk(self, kid):
        enc = lambda i: b64u(i.to_bytes((i.bit_length() + 7) // 8, "big"))
        return {"kty": "RSA", "n": enc(self.n), "e": enc(self.e), "alg": "RS256", "kid": kid, "use": "sig"}


# ---------------------------------------------------------------- a cluster's

def cluster_certs(d, tag, cid):
    """A cluster's CA, its masters' certificate and the admin client certificate that the
    config zip of GET .../config/admin carries (CN admin, O system:masters)."""
    ca = make_ca(d, "cluster-%s-ca" % tag, EC256, "/O=FAKE IBM Cloud Kubernetes Service/CN=%s-ca" % cid)
    leaf = make_leaf(d, "cluster-%s-master" % tag, EC256, "/O=FAKE/CN=%s-master" % cid, ca)
    admin = make_leaf(d, "cluster-%s-admin" % tag, EC256, "/O=system:masters/CN=admin", ca, client=True)
    return ca, leaf, admin


def set_cluster_certs(c, certs):
    c["ca"], c["cert"], c["admin"] = certs
    c["ca_pem"] = read(c["ca"][1])
    c["admin_pem"], c["admin_key_pem"] = read(c["admin"][1]), read(c["admin"][0])


# ---------------------------------------------------------------- all of them

def make_all(d, clusters):
    """Every key and certificate, made in parallel in d; each cluster gets "ca", "cert" and
    "ca_pem". Returns (IAM key and chain, cloud key and cert, the RSAKey, the CA file)."""
    res, errs = {}, []

    def job(name, fn):
        try:
            res[name] = fn()
        except Exception as e:
            errs.append("%s: %s" % (name, e))

    def iam_chain():
        root = make_ca(d, "iam-root", EC384, "/C=US/O=FAKE DigiCert Inc/CN=FAKE DigiCert Global Root G3 (emulator)", md="-sha384")
        inter = make_ca(d, "iam-int", EC384, "/C=US/O=FAKE DigiCert Inc/CN=FAKE DigiCert Global G3 TLS ECC SHA384 2020 CA1",
                        parent=root, pathlen=0, md="-sha384")
        leaf = make_leaf(d, "iam", EC384, "/C=US/O=FAKE International Business Machines Corporation/CN=iam.cloud.ibm.com", inter, md="-sha384")
        write_file(os.path.join(d, "iam-chain.pem"), read(leaf[1]) + read(inter[1]))
        return root, (leaf[0], os.path.join(d, "iam-chain.pem"))

    def rsa_chain():
        root = make_ca(d, "rsa-root", RSA2048, "/C=US/O=FAKE DigiCert Inc/CN=FAKE DigiCert Global Root CA (emulator)")
        leaf = make_leaf(d, "cloud", RSA2048, "/C=US/O=FAKE International Business Machines Corporation/CN=cloud.ibm.com",
                         root, rsa=True)
        return root, leaf

    def rsa_and_signer():       # the JWT signing key reuses the RSA leaf's key generation
        root, leaf = rsa_chain()
        return root, leaf, RSAKey(leaf[0])

    def cluster_chain(c):
        return lambda: cluster_certs(d, c["name"], c["id"])

    ths = [threading.Thread(target=job, args=("iam", iam_chain)),
           threading.Thread(target=job, args=("rsa", rsa_and_signer))]
    ths += [threading.Thread(target=job, args=(c["name"], cluster_chain(c))) for c in clusters]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    if errs:
        raise RuntimeError("; ".join(errs))
    iam_root, iam_cert = res["iam"]
    rsa_root, cloud_cert, rsa = res["rsa"]
    for c in clusters:
        set_cluster_certs(c, res[c["name"]])
    ca_file = os.path.join(d, "ca.pem")
    write_file(ca_file, read(iam_root[1]) + read(rsa_root[1]))
    return iam_cert, cloud_cert, rsa, ca_file
