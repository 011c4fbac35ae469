#!/usr/bin/env python3
"""make_corpus.py: write the seed corpora tests/fuzz/corpus/<name>/.

Seeds are small, valid (or nearly valid) inputs of each parser, in the
input format of its harness (see the comment at the top of each
fuzz_<name>.c).  Files already there (regression inputs, inputs the
fuzzer added) are kept; seeds are (re)written under seed-* names.
Run from anywhere: python3 tests/fuzz/make_corpus.py
"""
import base64
import binascii
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")


def put(name, label, data):
    d = os.path.join(CORPUS, name)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + label), "wb") as f:
        f.write(data)


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwt(claims, sig=b"signature-bytes-0123456789"):
    h = b64u(json.dumps({"kid": "20240101", "alg": "RS256"}).encode())
    return h + "." + b64u(json.dumps(claims).encode()) + "." + b64u(sig)


CLAIMS = {
    "iam_id": "iam-ServiceId-1234", "id": "iam-ServiceId-1234",
    "realmid": "iam", "identifier": "ServiceId-1234",
    "sub": "ServiceId-1234", "sub_type": "ServiceId",
    "account": {"valid": True, "bss": "0123456789abcdef0123456789abcdef",
                "frozen": True},
    "iat": 1700000000, "exp": 1700003600, "iss":
    "https://iam.cloud.ibm.com/identity", "grant_type":
    "urn:ibm:params:oauth:grant-type:apikey", "scope": "ibm openid",
    "client_id": "default", "acr": 1, "amr": ["pwd"],
}
TOKEN_RESP = {"access_token": jwt(CLAIMS), "refresh_token": "not_supported",
              "token_type": "Bearer", "expires_in": 3600,
              "expiration": 1700003600, "scope": "ibm openid"}
CLUSTERS = [{"id": "c0ffee", "name": "mycluster", "region": "us-south",
             "state": "normal", "workerCount": 3, "masterKubeVersion":
             "1.30.2_1523", "workerZones": ["dal10", "dal12"],
             "publicServiceEndpointURL": "https://c1.us-south.containers"
             ".cloud.ibm.com:30426", "ingress": {"hostname": None},
             "features": {"keyProtectEnabled": False}}]
ERR_CS = {"incidentID": "abc-123", "code": "G0004", "description":
          "The specified cluster could not be found. \u003cb\u003e",
          "type": "General", "recoveryCLI": "To list clusters, run 'ibmcloud ks cluster ls'"}


def http():
    for label, resp in [
        ("ok", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
               "Content-Length: 2\r\n\r\n{}"),
        ("chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                    "\r\n7;name=\"quoted value\"\r\n{\"a\":12\r\n"
                    "3;emu-ext=odd\r\n34}\r\n0\r\nX-Emulator-Trailer: done"
                    "\r\n\r\n"),
        ("chunked-next", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, "
                         "chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n"
                         "HTTP/1.1 204 No Content\r\n\r\n"),
        ("http10", "HTTP/1.0 200\nServer: x\nConnection: keep-alive\n"
                   "Content-Length: 3, 3\n\nabc"),
        ("fold", "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\n"
                 "X-Long: first\r\n  second\r\nConnection: close\r\n\r\n"),
        ("204", "HTTP/1.1 204 \r\n\r\n"),
        ("close", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                  "body until close"),
        ("bad-cl", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                   "Content-Length: 3\r\n\r\nabc"),
        # A hostile service: control bytes, bare CR, NUL and secrets in
        # header values, a name that is not a token, a split-looking head.
        ("ctl", "HTTP/1.1 200 OK\r\nSet-Cookie: s=SECRET\x1b[2J\r\n"
                "X-A: a\rb\r\nX-Nul: a\x00b\r\nX Bad: v\r\n"
                "Content-Length: 2\r\n\r\n{}"),
        ("split", "HTTP/1.1 200 OK\r\nX-Region: us-south\r\n"
                  "X-Evil: 1\r\nContent-Length: 0\r\n\r\n"
                  "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nevil!"),
        ("tab", "HTTP/1.1 200 OK\r\nX-Tab:\ta\tb\t\r\nX-Empty:\r\n"
                "X-8bit: \xe2\x82\xac\x7f\r\nContent-Length: 0\r\n\r\n"),
    ]:
        put("http", label, b"\x07" + resp.encode("latin-1"))
        put("http", label + "-1", b"\x00" + resp.encode("latin-1"))


def headers():
    """fuzz_headers: method, target, built-in lines, user lines, one -H."""
    ua = "Authorization: Bearer t\r\nAccept: application/json\r\n"
    for label, parts in [
        ("ok", ["GET", "/global/v1/clusters?x=1", ua + "X-Region: us-south\r\n",
                "Accept: text/plain\r\n", "X-Api-Key: k"]),
        ("region-crlf", ["GET", "/v1/clusters",
                         ua + "X-Region: us-south\r\nX-Evil: 1\r\n", "",
                         "X-Region: us-south\r\nX-Evil: 1"]),
        ("region-lf", ["GET", "/v1/clusters", "X-Region: a\nb\r\n", "",
                       "X-Region: a\nb"]),
        ("method-line", ["GET /x HTTP/1.1\r\n", "/", "", "", "Host: x"]),
        ("method-lower", ["get", "/", "", "", "Content-Length: 1"]),
        ("path-space", ["PATCH", "/a b\r\nX: y", "", "", ": v"]),
        ("empty-line", ["POST", "/", "X-A: 1\r\n\r\nGET /s HTTP/1.1\r\n",
                        "", "NoColon"]),
        ("user-own", ["GET", "/", "", "connection: close\r\n",
                      "Transfer-Encoding: chunked"]),
        ("tab-8bit", ["DELETE", "/", "X-T: a\tb\r\nX-E:\r\n",
                      "X-8: \xe2\x82\xac\r\n", "X-T: \t\x7f"]),
        ("unterminated", ["PUT", "/", "X-A: 1", "X-B: 2", "X-Esc: \x1b]0;t\x07"]),
        ("path-url", ["GET", "https://other.example/x", "", "", "X: 1"]),
        ("path-host", ["GET", "//other.example:443/x", "", "", "X: 1"]),
        ("path-scheme", ["GET", "/v1/x?next=https://other.example", "", "", "X: 1"]),
    ]:
        put("headers", label, "\0".join(parts).encode("latin-1"))


def connect():
    for label, resp in [
        ("200", "HTTP/1.1 200 Connection established\r\n\r\n"),
        ("200-hdr", "HTTP/1.0 200 Connection established\r\n"
                    "Proxy-agent: tinyproxy/1.11.1\r\n\r\n"),
        ("407", "HTTP/1.1 407 Proxy Authentication Required\r\n"
                "Server: tinyproxy/1.11.1\r\nContent-Type: text/html\r\n"
                "Proxy-Authenticate: Basic realm=\"tinyproxy\"\r\n"
                "Content-Length: 10\r\nConnection: close\r\n\r\n<html/>..."),
        ("403", "HTTP/1.1 403 Filtered\nContent-Length: 0\n\n"),
    ]:
        put("connect", label, resp)


def retry_after():
    now = struct.pack(">Q", 1700000000)[3:]
    for label, v in [("delta", "120"), ("zero", "0"), ("huge",
                     "99999999999999999999"), ("imf",
                     "Wed, 21 Oct 2015 07:28:00 GMT"), ("future",
                     "Sun, 06 Nov 2044 08:49:37 GMT"), ("rfc850",
                     "Sunday, 06-Nov-94 08:49:37 GMT"), ("asctime",
                     "Sun Nov  6 08:49:37 1994"), ("spaces", "  7  "),
                     ("leap", "Thu, 29 Feb 2024 23:59:60 GMT")]:
        put("retry_after", label, now + v.encode())


def url():
    for label, s in [
        ("iam", "https://iam.cloud.ibm.com\0/identity/token"),
        ("cs", "https://containers.cloud.ibm.com/global\0v1/clusters?x=1"),
        ("proxy", "http://us%40r:p%3Ass@proxy.local:3128\0"
                  "localhost, .example.com,*.ibm.com 10.0.0.0/8 [::1]:443"),
        ("v6", "https://[2001:db8::1]:8443/a/b?c=d#frag\0?q=1"),
        ("v4", "https://127.0.0.1:0/\0127.0.0.1,127.0.0.0/8:443,*"),
        ("bare", "proxy:3128\0*"),
        ("form", "grant_type=refresh_token&refresh_token=a%2Bb+c%00\0"
                 "grant_type"),
        ("nport", "http://host:65536\0:80"),
    ]:
        put("url", label, s)


def json_seeds():
    docs = {
        "token": TOKEN_RESP, "clusters": CLUSTERS, "error": ERR_CS,
        "iam-error": {"context": {"requestId": "r1"}, "errorCode":
                      "BXNIM0415E", "errorMessage": "Provided API key could "
                      "not be found", "errorDetails": "x"},
        "accounts": {"next_url": "/coe/v2/accounts?next_docid=ab&limit=2",
                     "total_results": 3, "resources": [{"metadata": {
                         "guid": "0123"}, "entity": {"name": "A \u00e9"}}]},
    }
    for label, d in docs.items():
        put("json", label, json.dumps(d, indent=1))
    put("json", "escapes", '["\\u00e9\\ud83d\\ude00\\n\\t\\"\\\\\\/",'
        ' -0, 1e+10, -1.5E-3, 9223372036854775807, 9223372036854775808,'
        ' true, false, null, {}, [], [[[{"": ""}]]]]')
    put("json", "bad", '{"a": [1 2], "b": tru}')
    put("json", "surrogate", '"\\ud800"')
    put("json", "deep", "[" * 600 + "]" * 600)
    put("json", "not-object", "[1,2]")
    put("json", "string", '"str"')


def term():
    for label, d in [
        ("plain", b"fake-iks-classic"), ("escapes", b"evil\x1b]0;owned\x07\x1b[2J\r\n\t\x7f"),
        ("c1", "csi\u009b31m nel\u0085".encode()), ("bidi", "abc\u202edcba\u2066x\u2069".encode()),
        ("wide", "\u65e5\u672c\u8a9e-\u00fc\u0301\U0001f600".encode()),
        ("bad-utf8", b"\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xff\xe2\x82"),
    ]:
        put("term", label, d)


def query():
    c = json.dumps(CLUSTERS)
    for label, q, d in [
        ("names", ".[].name", c), ("zones", ".[0].workerZones[-1]", c),
        ("quoted", '."features".["keyProtectEnabled"]', c),
        ("each-obj", ".[][]", c), ("dot", ".", json.dumps(TOKEN_RESP)),
        ("null", ".a.b[3]", '{"a": null}'), ("bad", ".[", "[]"),
        ("deep", ".a" * 40, "{}"),
    ]:
        put("query", label, q + "\0" + d)


def query_stream():
    """Split byte, then EXPR NUL JSON: shallow answers (at most 4 levels)."""
    c = json.dumps(CLUSTERS, indent=1)
    pods = json.dumps({"kind": "PodList", "metadata": {"resourceVersion": "7"},
                       "items": [{"metadata": {"name": "p%d" % i,
                                               "labels": {"app": "x"}},
                                  "spec": {"containers": [{"name": "c"}]}}
                                 for i in range(3)]})
    for label, split, q, d in [
        ("names", "\x03", ".[].name", c), ("dot", "\x07", ".", c),
        ("zones", "\x81", ".[].workerZones[0]", c),
        ("pods", "\x05", ".items[].metadata.name", pods),
        ("pods-dot", "\x02", ".items", pods),
        ("missing", "\x09", ".items[7].x", pods),
        ("each", "\x01", ".[][]", '[[1,"a\\u00e9"],{"b":null}]'),
        ("bad", "\x04", ".[]", '[1,{"a" 2}]'),
    ]:
        put("query_stream", label, split + q + "\0" + d)


def jwt_seeds():
    put("jwt", "access", jwt(CLAIMS))
    c = dict(CLAIMS, aud="kube", scope="ibm openid containers-kubernetes",
             email="a@b.c", name="A B")
    put("jwt", "kube", jwt(c, b""))
    put("jwt", "aud-list", jwt(dict(CLAIMS, aud=["kube", "bx"])))
    put("jwt", "rt", b64u(b'{"alg":"rt"}') + "." + b64u(
        b'{"iam_id":"x","exp":1700000000,"client_id":"bx"}') + ".c2ln")
    put("jwt", "noexp", jwt({"iat": 1}))
    put("jwt", "padded", "eyJhIjoxfQ==.eyJleHAiOjF9.x")


def copy_dir(name, src, pattern):
    d = os.path.join(CORPUS, name)
    os.makedirs(d, exist_ok=True)
    for f in sorted(os.listdir(src)):
        if f.endswith(pattern):
            shutil.copy(os.path.join(src, f), os.path.join(d, "seed-" + f))


def store():
    fields = ("iam_url https://iam.cloud.ibm.com\n"
              "cs_url https://containers.cloud.ibm.com/global\n"
              "account 0123456789abcdef0123456789abcdef\n"
              "region us-south\nuser a@b.c\n"
              "access_token " + jwt(CLAIMS) + "\n"
              "access_iat 1700000000\naccess_exp 1700003600\n"
              "refresh_token abc.def.ghi\nrefresh_exp 1702592000\n"
              "cred_kind apikey\ncred_source env:IBMCLOUD_API_KEY\n"
              "tls iam.cloud.ibm.com:443 1700000000 0a0b0c0d\n"
              "tls 127.0.0.1:8443 1700000001 ff\n")
    put("store", "fields", b"\x01" + fields.encode())
    put("store", "dup", b"\x01region a\nregion b\n")
    body = "iksctl-store 1\n" + fields
    full = body + "end %08x\n" % (binascii.crc32(body.encode()) & 0xffffffff)
    put("store", "full", b"\x00" + full.encode())
    put("store", "badcrc", b"\x00" + full.replace("end ", "end 0")[:-2]
        .encode() + b"\n")
    put("store", "newer", b"\x00iksctl-store 2\nend 00000000\n")


def dns():
    def wire(name):
        return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"

    def msg(qname, qtype, records, flags=0x8180, qid=b"\x12\x34"):
        head = qid + struct.pack("!HHHHH", flags, 1, len(records), 0, 0)
        return head + wire(qname) + struct.pack("!HH", qtype, 1) + b"".join(records)

    def rr(owner, rtype, rdata):
        return owner + struct.pack("!HHIH", rtype, 1, 60, len(rdata)) + rdata

    q = b"\xc0\x0c"
    name = "api.example.com"
    put("dns", "a", b"\0" + name.encode() + b"\0" + msg(name, 1, [
        rr(q, 1, bytes([10, 0, 0, 1])), rr(q, 1, bytes([10, 0, 0, 2]))]))
    put("dns", "aaaa", b"\1" + name.encode() + b"\0" + msg(name, 28, [
        rr(q, 28, bytes(range(16)))]))
    cname = msg(name, 1, [rr(q, 5, b"\4edge" + b"\xc0\x10"),
                          rr(b"\4edge\xc0\x10", 1, bytes([10, 0, 0, 3]))])
    put("dns", "cname", b"\0" + name.encode() + b"\0" + cname)
    put("dns", "nxdomain", b"\0" + name.encode() + b"\0" + msg(name, 1, [], 0x8183))
    put("dns", "tc", b"\0" + name.encode() + b"\0" + msg(name, 1, [], 0x8380))
    put("dns", "loop", b"\0" + name.encode() + b"\0" + msg(name, 1, [
        rr(b"\1a\xc0\x21", 1, bytes(4))]))
    put("dns", "hosts", b"\0api\0" + b"127.0.0.1 localhost\n10.0.0.1 api x # c\n"
        b"2001:db8::1 api\n::ffff:1.2.3.4 api\n")
    put("dns", "resolv", b"\0x\0" + b"nameserver 10.0.0.53\nnameserver ::1\n"
        b"search a.example b.example\noptions ndots:2 timeout:3 attempts:4\n")


def kubeconfig():
    put("kubeconfig", "kubectl", open(os.path.join(ROOT, "tests", "fixtures",
        "kubeconfig", "kubectl.yaml"), "rb").read())
    put("kubeconfig", "empty_forms", "apiVersion: v1\nclusters: null\n"
        "contexts: []\ncurrent-context: \"\"\nkind: Config\n"
        "preferences: {}\nusers: null\n")
    put("kubeconfig", "indented", "clusters:\n  - name: a\n    cluster:\n"
        "      server: https://a:1\n  - cluster: {}\n    name: edge1\n"
        "users:\n  - name: u\n    user:\n      token: 'x: y # z'\n")
    put("kubeconfig", "scalars", "users:\n- name: u\n  user:\n    exec:\n"
        "      installHint: |-\n        - name: edge1\n      command: \"a\n"
        "- name: edge1\n  b\"\n      args:\n      - plain folded\n"
        "        over two lines\nkind: Config")
    put("kubeconfig", "refused", "clusters:\n- cluster: &c\n    x: *c\n"
        "  name: a\n---\n")


def main():
    http()
    headers()
    connect()
    retry_after()
    url()
    json_seeds()
    term()
    query()
    query_stream()
    jwt_seeds()
    fx = os.path.join(ROOT, "tests", "fixtures", "zip")
    copy_dir("zip", fx, ".zip")
    copy_dir("inflate", os.path.join(fx, "deflate"), ".raw")
    store()
    dns()
    kubeconfig()


if __name__ == "__main__":
    main()
