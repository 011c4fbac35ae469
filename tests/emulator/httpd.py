"""HTTP plumbing of the emulator: responses, the listeners (TLS or plain), the request
handler (parsing, transport faults, replies, the request log).

A Server belongs to one service ("iam", "accounts", "cs", "master" or "control") and,
for masters, one cluster. Handler reads the request, asks the emulator for a fault
(emu.take_fault) and an answer (emu.answer, or emu.control), and writes it, applying
the fault's transport effect (reset, truncate, chunked, ...).
"""
import http.server
import json
import select
import socket
import ssl
import struct
import threading
import time
import traceback
import urllib.parse

import lifecycle


def jdump(o):
    return json.dumps(o, separators=(",", ":"))


def go_json(o):
    """JSON as Go's encoding/json writes it (<, >, & escaped)."""
    s = jdump(o)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Resp:
    def __init__(self, status, body=b"", ctype="application/json", headers=None, obj=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode()
        self.ctype = ctype
        self.headers = list(headers or [])
        self.obj = obj          # the JSON value behind body, for body faults
        self.parts = None       # body as a list of pieces: sent one chunk each (chunked)
        self.stream = None      # an iterator of steps: a streamed answer (stream_reply)


def json_resp(status, obj, headers=None, go=False):
    return Resp(status, go_json(obj) if go else jdump(obj), "application/json", headers, obj)


def tls_ctx(key, chain):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(chain, key)
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


def master_ctx(c):
    """A master's TLS: its certificate, and a client certificate asked for but not required
    (as kube-apiserver does), verified against the cluster's CA: the admin kubeconfig's."""
    ctx = tls_ctx(*c["cert"])
    ctx.load_verify_locations(c["ca"][1])
    ctx.verify_mode = ssl.CERT_OPTIONAL
    return ctx


_tl = threading.local()
LOG_HEADERS = ("host", "content-type", "content-length", "accept", "user-agent", "x-region",
               "transfer-encoding", "connection", "x-request-id", "x-correlation-id", "x-auth-resource-group",
               "x-auth-resource-account", "ibm-cloud-tenant", "metadata-flavor")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, emu, service, ctx, cluster=None, port=0):
        self.emu, self.service, self.ctx, self.cluster = emu, service, ctx, cluster
        super().__init__(("127.0.0.1", port), Handler)

    def handle_error(self, request, client_address):
        pass

    def finish_request(self, request, client_address):
        emu = self.emu
        cid = emu.next_conn() if self.service != "control" else 0
        sock = request
        if self.ctx is None and self.service == "master":     # a created cluster: certs on the way
            self.cluster["ready"].wait(30)
        if self.ctx:
            emu.bump("connections", self.service)
            request.settimeout(15)
            try:
                sock = self.ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as e:
                emu.bump("handshakes", "failed")
                emu.log({"event": "conn", "service": self.service, "conn": cid, "error": str(e)[:200],
                         "port": self.server_address[1]})
                return
            resumed = bool(sock.session_reused)
            emu.bump("handshakes", "resumed" if resumed else "full")
            ev = {"event": "conn", "service": self.service, "conn": cid, "tls": sock.version(),
                  "resumed": resumed, "cipher": (sock.cipher() or ("",))[0], "port": self.server_address[1]}
            if self.cluster:
                ev["cluster"] = self.cluster["name"]
            emu.log(ev)
        _tl.conn, _tl.nreq = cid, 0
        try:
            self.RequestHandlerClass(sock, client_address, self)
        except Exception:
            pass
        finally:
            if self.ctx:
                emu.log({"event": "close", "service": self.service, "conn": cid, "requests": _tl.nreq})
            try:
                sock.close()
            except OSError:
                pass


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120
    server_version = "emulator"

    def log_message(self, fmt, *args):
        pass

    def version_string(self):
        return ""

    def date_time_string(self, timestamp=None):
        """The Date header: the services' clock (clock.py), not this machine's."""
        return super().date_time_string(self.server.emu.clock.now() if timestamp is None else timestamp)

    def do_any(self):
        srv, emu = self.server, self.server.emu
        svc = srv.service
        t0 = time.monotonic()
        _tl.nreq += 1
        self.log_extra = {}
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        method = self.command
        cl = self.headers.get("Content-Length")
        body = b""
        if cl is not None:
            try:
                n = int(cl)
                if n < 0:
                    raise ValueError
            except ValueError:
                self.close_connection = True
                return self.reply(Resp(400, b"bad Content-Length", "text/plain"), None, t0, svc, path)
            body = self.rfile.read(n)
        elif self.headers.get("Transfer-Encoding", "").lower() == "chunked" and svc != "iam":
            body = self.read_chunked()
        self.req_body = body
        if svc == "control":
            return self.reply(emu.control(self, method, path, q, body), None, t0, svc, path)
        fault = emu.take_fault(svc, path, method)
        if fault and fault["kind"] == "delay":
            time.sleep(float(fault.get("seconds", 5)))
        if fault and fault["kind"] == "reset":
            self.log_extra["fault"] = "reset"
            return self.rst(t0, svc, path, None)
        try:
            r = emu.answer(self, svc, method, path, q, body, cl is None, fault)
        except Exception as e:          # a bug in the emulator: make it visible
            traceback.print_exc()
            r = Resp(500, "emulator error: %s" % e, "text/plain")
        self.reply(r, fault, t0, svc, path)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_any

    def read_chunked(self):
        out = b""
        while True:
            line = self.rfile.readline(65537)
            size = int(line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return out
            out += self.rfile.read(size)
            self.rfile.readline(65537)

    def rst(self, t0, svc, path, status, wrote=False):
        try:
            self.wfile.flush()
        except OSError:
            pass
        if wrote:
            # An RST discards what the peer has not read yet: give it time to
            # read the bytes sent, so that "reset after N bytes" stays that
            # even on a loaded machine.
            time.sleep(0.3)
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            self.rfile.close()
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass
        self.log_req(t0, svc, path, status, 0)

    def log_req(self, t0, svc, path, status, nbytes):
        emu = self.server.emu
        emu.bump("requests", svc)
        if status is not None:
            emu.bump("status", str(status))
        if svc == "control":
            return
        hdrs = {}
        for k in LOG_HEADERS:
            v = self.headers.get(k)
            if v is not None:
                hdrs[k] = v
        a = self.headers.get("Authorization")
        if a is not None:
            hdrs["authorization"] = (a.split(" ", 1)[0] + " [masked]") if " " in a else "[masked]"
        if self.headers.get("X-Auth-Refresh-Token") is not None:
            hdrs["x-auth-refresh-token"] = "[masked]"
        ev = {"event": "request", "service": svc, "conn": _tl.conn, "method": self.command, "path": path}
        if "?" in self.path:
            ev["query"] = self.path.split("?", 1)[1]
        ev.update({"status": status, "bytes": nbytes, "ms": int((time.monotonic() - t0) * 1000), "headers": hdrs})
        if self.server.cluster:
            ev["cluster"] = self.server.cluster["name"]
        if svc == "cs" and getattr(self, "req_body", b""):
            ev["body"] = lifecycle.log_body(self.req_body)
        ev.update(self.log_extra)
        emu.log(ev)

    def reply(self, r, fault, t0, svc, path):
        kind = fault["kind"] if fault else None
        if kind:
            self.log_extra["fault"] = kind
        if r.stream is not None:
            return self.stream_reply(r, kind, t0, svc, path)
        body = r.body
        headers = [("Content-Type", r.ctype)] + r.headers
        if kind == "bad_json":
            cut = max(1, len(body) // 2)
            body = body[:cut] + b'",,}]{"'
        elif kind == "many_tokens" and r.obj is not None:
            n = int(fault.get("tokens", 200000))
            obj = r.obj
            pad = [0] * n
            if isinstance(obj, dict):
                obj = dict(obj, emulator_padding=pad)
            elif isinstance(obj, list) and obj and isinstance(obj[0], dict):
                obj = [dict(obj[0], emulator_padding=pad)] + obj[1:]
            body = jdump(obj).encode()
        if kind == "body":
            body = fault["body"].encode()
            if fault.get("content_type"):
                headers[0] = ("Content-Type", fault["content_type"])
        if kind == "big_header":
            headers.append(("X-Emulator-Padding", "h" * int(fault.get("size", 17000))))
        if kind == "close" or self.close_connection:
            headers.append(("Connection", "close"))
            self.close_connection = True
        chunked = kind == "chunked"
        framed = r.parts is not None and kind is None and self.command != "HEAD"
        if chunked:
            headers += [("Transfer-Encoding", "chunked"), ("Trailer", "X-Emulator-Trailer")]
        elif framed:
            headers.append(("Transfer-Encoding", "chunked"))
        else:
            headers.append(("Content-Length", str(len(body))))
        headers.append(("Date", self.date_time_string()))
        reason = self.responses.get(r.status, ("Unknown",))[0]
        head = "HTTP/1.1 %d %s\r\n" % (r.status, reason)
        head += "".join("%s: %s\r\n" % (k, v) for k, v in headers) + "\r\n"
        if self.command == "HEAD":
            body = b""
        try:
            w = self.wfile.write
            if kind == "reset_before_body":
                w(head.encode())
                return self.rst(t0, svc, path, r.status, wrote=True)
            if kind == "reset_mid_body":
                w(head.encode() + body[:max(1, len(body) // 2)])
                return self.rst(t0, svc, path, r.status, wrote=True)
            if kind == "truncate":
                w(head.encode() + body[:len(body) // 2])
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return self.log_req(t0, svc, path, r.status, len(body) // 2)
            if chunked:
                w(head.encode())
                n = max(1, int(fault.get("chunk_size", 7)))
                buf = bytearray()
                for i in range(0, len(body), n):
                    ch = body[i:i + n]
                    ext = ";emu-ext=odd" if (i // n) % 2 else ';name="quoted value"'
                    size = ("%x" if (i // n) % 2 else "%X") % len(ch)
                    buf += (size + ext + "\r\n").encode() + ch + b"\r\n"
                    if len(buf) >= 512 or len(body) <= 4096:
                        w(bytes(buf))
                        buf = bytearray()
                buf += b"0;emu-ext=last\r\nX-Emulator-Trailer: done\r\n\r\n"
                w(bytes(buf))
            elif framed:
                w(head.encode() + b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in r.parts if p) + b"0\r\n\r\n")
            else:
                w(head.encode() + body)
        except OSError:
            self.close_connection = True
        self.log_req(t0, svc, path, r.status, len(body))

    # -------- streamed answers (watches)
    def stream_reply(self, r, kind, t0, svc, path):
        """Writes a streamed answer: headers at once, then r.stream's steps, each chunk as
        it comes: ("chunk", bytes, log fields) one HTTP chunk (then a `watch` log event),
        ("wait", s) a quiet gap (ends early if the client goes), ("break", partial, size)
        a chunk header for size bytes, only partial of them, then the connection closed
        (no terminating chunk), ("end", why) the reason logged; after the last step the
        terminating chunk. Transport faults: reset_before_body (headers, then RST),
        reset_mid_body (the first chunk, then RST), truncate (cut as a break)."""
        headers = [("Content-Type", r.ctype)] + r.headers + [("Transfer-Encoding", "chunked"),
                                                           ("Date", self.date_time_string())]
        reason = self.responses.get(r.status, ("Unknown",))[0]
        head = "HTTP/1.1 %d %s\r\n" % (r.status, reason)
        head += "".join("%s: %s\r\n" % (k, v) for k, v in headers) + "\r\n"
        emu, w = self.server.emu, self.wfile.write
        total, n, why = 0, 0, "end"
        try:
            w(head.encode())
            if kind == "reset_before_body":
                return self.rst(t0, svc, path, r.status, wrote=True)
            for step in r.stream:
                if step[0] == "wait":
                    if self.client_gone(step[1]):
                        why = "client_gone"
                        break
                elif step[0] == "chunk":
                    data = step[1]
                    if kind == "truncate":
                        step = ("break", data[:len(data) // 2], len(data))
                    else:
                        w(b"%x\r\n" % len(data) + data + b"\r\n")
                        total, n = total + len(data), n + 1
                        ev = {"event": "watch", "service": svc, "conn": _tl.conn, "path": path, "n": n,
                              "bytes": len(data)}
                        if self.server.cluster:
                            ev["cluster"] = self.server.cluster["name"]
                        ev.update(step[2] if len(step) > 2 else {})
                        emu.log(ev)
                        if kind == "reset_mid_body":
                            self.log_extra.update(watch="reset", events=n)
                            return self.rst(t0, svc, path, r.status, wrote=True)
                if step[0] == "break":
                    w(b"%x\r\n" % step[2] + step[1])
                    total, why = total + len(step[1]), "break"
                    self.close_connection = True
                    time.sleep(0.2)     # let the peer read the part sent before the FIN
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    break
                if step[0] == "end":
                    why = step[1]
            else:
                w(b"0\r\n\r\n")
            if why == "client_gone":
                self.close_connection = True
        except OSError:                 # the client went (Ctrl-C): quietly
            why = "client_gone"
            self.close_connection = True
        finally:
            close = getattr(r.stream, "close", None)
            if close:
                close()
        self.log_extra.update(watch=why, events=n)
        self.log_req(t0, svc, path, r.status, total)

    def client_gone(self, seconds):
        """Waits seconds; True as soon as the client closes its end (EOF or error)."""
        end = time.monotonic() + seconds
        sock = self.connection
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return False
            try:
                if isinstance(sock, ssl.SSLSocket) and sock.pending():
                    rd = [sock]
                else:
                    rd, _, _ = select.select([sock], [], [], min(left, 1.0))
            except (OSError, ValueError):
                return True
            if not rd:
                continue
            old = sock.gettimeout()
            try:
                sock.settimeout(0.05)
                if not sock.recv(1):
                    return True
            except (ssl.SSLWantReadError, socket.timeout):
                time.sleep(min(left, 0.05))
            except OSError:
                return True
            finally:
                try:
                    sock.settimeout(old)
                except OSError:
                    pass
