#!/usr/bin/env python3
"""tls_server.py: a small real TLS server (Python's ssl, i.e. OpenSSL) for
iksctl's transport tests.

  tls_server.py --cert CHAIN --key KEY [--max-tls 1.0|1.1|1.2|1.3] --port-file F
                [--min-tls 1.0|1.1|1.2] [--client-ca ROOT]
                [--prefer server|client|chacha] [--ciphers OPENSSL-LIST]
                [--mode ok|drip|silent] [--drip-delay SECONDS]

Serves HTTP/1.1 with keep-alive: every GET answers 200 with a small JSON
body (GET /bytes/N: N bytes instead, for bulk record decryption).  Writes
its port to F once listening, and one line per TLS connection to F.log:
"conn <n> <version> cipher=<name> resumed=<0|1>" (and, in the drip and
silent modes, one per request: "get <path>").

--prefer: whose ciphersuite order decides: "server" (Python's default,
OpenSSL's order: AES-256-GCM first), "client" (the client's first
choice that the server has), or "chacha" (the server's order, but
ChaCha20-Poly1305 when the client lists it first, as many real servers
do: OpenSSL's SSL_OP_PRIORITIZE_CHACHA).  --ciphers sets the TLS 1.2
list (OpenSSL syntax); TLS 1.3 suites are set with OPENSSL_CONF.

--min-tls below 1.2 also lowers OpenSSL's security level to 0 (an old
server, for the tests of what iksctl refuses).  --client-ca ROOT requires
a client certificate signed by ROOT.  A failed handshake reads what the
client still sends until it closes (no reset that could overtake the
alert).

--mode drip sends the whole answer (head and body, `[]`) one byte at a
time, a TLS record each, --drip-delay seconds apart (1): a server that
is never silent for long yet never done.  --mode silent completes the
TLS handshake, reads the request and never answers.
"""
import argparse
import http.server
import os
import socket
import socketserver
import ssl
import threading
import time

ap = argparse.ArgumentParser()
ap.add_argument("--cert", required=True)
ap.add_argument("--key", required=True)
ap.add_argument("--max-tls", default="1.3")
ap.add_argument("--min-tls", default="1.2")
ap.add_argument("--client-ca")
ap.add_argument("--port-file", required=True)
ap.add_argument("--prefer", default="server", choices=("server", "client", "chacha"))
ap.add_argument("--ciphers")
ap.add_argument("--mode", default="ok", choices=["ok", "drip", "silent"])
ap.add_argument("--drip-delay", type=float, default=1.0)
args = ap.parse_args()

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(args.cert, args.key)
VERSIONS = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
            "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
if args.min_tls in ("1.0", "1.1"):
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
ctx.minimum_version = VERSIONS[args.min_tls]
ctx.maximum_version = VERSIONS[args.max_tls]
if args.client_ca:
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(args.client_ca)
if args.prefer == "client":
    ctx.options &= ~ssl.OP_CIPHER_SERVER_PREFERENCE
elif args.prefer == "chacha":
    ctx.options |= 1 << 21      # SSL_OP_PRIORITIZE_CHACHA (not in Python's ssl)
if args.ciphers:
    ctx.set_ciphers(args.ciphers)
lock = threading.Lock()
count = [0]
logf = open(args.port_file + ".log", "a", buffering=1)


def drain(conn):
    """Read the client's bytes until it closes (2 s at most)."""
    raw = None
    try:
        raw = socket.socket(fileno=os.dup(conn.fileno()))
        raw.settimeout(2)
        while raw.recv(4096):
            pass
    except OSError:
        pass
    finally:
        if raw is not None:
            raw.close()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        try:
            self.request.do_handshake()
        except (ssl.SSLError, OSError):
            drain(self.request)
            raise
        super().setup()
        with lock:
            count[0] += 1
            n = count[0]
        logf.write("conn %d %s cipher=%s resumed=%d\n" % (
            n, self.connection.version(), (self.connection.cipher() or ("",))[0],
            int(self.connection.session_reused)))

    def do_GET(self):
        if args.mode != "ok":
            logf.write("get %s\n" % self.path)
        if args.mode == "silent":
            time.sleep(3600)
            return
        if args.mode == "drip":
            self.close_connection = True
            answer = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 2\r\nConnection: close\r\n\r\n[]")
            for i in range(len(answer)):
                if i > 0:
                    time.sleep(args.drip_delay)
                self.wfile.write(answer[i:i + 1])
            return
        body = b'{"ok":true,"path":"%s"}' % self.path.encode()
        if self.path.startswith("/bytes/"):     # /bytes/N: N bytes of a pattern
            n = int(self.path[7:])
            body = (b"0123456789abcdef" * (n // 16 + 1))[:n]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def get_request(self):
        sock, addr = self.socket.accept()
        return ctx.wrap_socket(sock, server_side=True,
                               do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        pass  # failed handshakes are expected in the negative tests


srv = Server(("127.0.0.1", 0), Handler)
tmp = args.port_file + ".tmp"
with open(tmp, "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(tmp, args.port_file)
srv.serve_forever()
