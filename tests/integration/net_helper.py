#!/usr/bin/env python3
"""net_helper.py: small helpers for iksctl's HTTP integration tests.

  net_helper.py ports N          print N free TCP ports on 127.0.0.1
  net_helper.py fnv FILE         print the FNV-1a 32 sum http_get prints
  net_helper.py silent PORTFILE  accept connections and never answer
  net_helper.py backlog PORTFILE listen(0), never accept, fill the queue
  net_helper.py conns LOG        from an nginx access log whose lines start
                                 "$connection $connection_requests":
                                 print "<distinct connections> <max requests>"
  net_helper.py emu-count LOG PATH   requests to PATH in the emulator log,
                                 and how many of its TLS handshakes resumed

The servers write their port to PORTFILE (atomically) once listening and
run until killed.  Only 127.0.0.1 is ever used.
"""
import json
import os
import socket
import sys
import time


def write_port(path, port):
    with open(path + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(path + ".tmp", path)


def ports(n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    print(" ".join(str(s.getsockname()[1]) for s in socks))
    for s in socks:
        s.close()


def fnv(path):
    h = 2166136261
    with open(path, "rb") as f:
        data = f.read()
    for b in data:
        h ^= b
        h = (h * 16777619) & 0xFFFFFFFF
    print("%08x" % h)


def silent(portfile):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    write_port(portfile, srv.getsockname()[1])
    held = []
    while True:
        c, _ = srv.accept()
        held.append(c)  # keep it open, say nothing


def backlog(portfile):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(0)
    port = srv.getsockname()[1]
    fill = []
    # Fill the accept queue (and the SYN queue behind it) with
    # connections nobody accepts; later SYNs are dropped.
    for _ in range(8):
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fill.append(c)
    time.sleep(0.2)
    write_port(portfile, port)
    while True:
        time.sleep(60)


def conns(log):
    seen = set()
    most = 0
    with open(log) as f:
        for line in f:
            parts = line.split()
            # The readiness probe (/small?ready) may be logged late, after
            # the log was emptied: it is not the client's.
            if len(parts) < 2 or "?ready " in line:
                continue
            seen.add(parts[0])
            most = max(most, int(parts[1]))
    print(len(seen), most)


def emu_count(log, path):
    n = 0
    resumed = 0
    full = 0
    with open(log) as f:
        for line in f:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if ev.get("event") == "request" and ev.get("path") == path:
                n += 1
            if ev.get("event") == "conn" and "error" not in ev:
                if ev.get("resumed"):
                    resumed += 1
                else:
                    full += 1
    print(n, full, resumed)


def main():
    cmd = sys.argv[1]
    if cmd == "ports":
        ports(int(sys.argv[2]))
    elif cmd == "fnv":
        fnv(sys.argv[2])
    elif cmd == "silent":
        silent(sys.argv[2])
    elif cmd == "backlog":
        backlog(sys.argv[2])
    elif cmd == "conns":
        conns(sys.argv[2])
    elif cmd == "emu-count":
        emu_count(sys.argv[2], sys.argv[3])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
