#!/usr/bin/env python3
"""dns_server.py: a small DNS server for test_dns.sh (standard library only).

    dns_server.py ADDR LOG READY

Serves UDP and TCP on ADDR port 53, writes one line "QNAME QTYPE proto" to
LOG per query and creates READY once listening.  The zone is fixed:

    api.test          A 127.0.0.1
    alias.test        CNAME c1.test, c1.test CNAME api.test, A 127.0.0.1
    short.corp.test   A 127.0.0.1   (found through "search corp.test")
    big.test          over UDP: TC set, no records; over TCP: A 127.0.0.1
    silent.test       never answered
    spoof.test        first an answer A 127.0.0.99 from ADDR's neighbour
                      (last byte + 1, same port 53), 300 ms later the real
                      one, A 127.0.0.1, from ADDR
    hosts.test        A 127.0.0.99 (the test's hosts file says 127.0.0.1)
    fail.test         SERVFAIL

AAAA questions for these names get no data; other names NXDOMAIN.
"""
import socket
import struct
import sys
import threading
import time

A = {
    "api.test": "127.0.0.1",
    "c1.test": None,
    "short.corp.test": "127.0.0.1",
    "hosts.test": "127.0.0.99",
}
CNAME = {"alias.test": "c1.test", "c1.test": "api.test"}
KNOWN = set(A) | set(CNAME) | {"big.test", "silent.test", "spoof.test", "fail.test"}


def name_wire(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def parse_question(msg):
    off, labels = 12, []
    while msg[off]:
        n = msg[off]
        labels.append(msg[off + 1:off + 1 + n].decode().lower())
        off += 1 + n
    qtype, = struct.unpack("!H", msg[off + 1:off + 3])
    return ".".join(labels), qtype, msg[12:off + 5]


def rr(name, rtype, rdata):
    return name_wire(name) + struct.pack("!HHIH", rtype, 1, 60, len(rdata)) + rdata


def answer(msg, tcp, ip_override=None):
    qid = msg[:2]
    name, qtype, question = parse_question(msg)
    flags, rcode, records = 0x8180, 0, []
    if name not in KNOWN:
        rcode = 3
    elif name == "fail.test":
        rcode = 2
    elif name == "big.test" and not tcp:
        flags |= 0x0200
    elif qtype == 1:
        target = name
        while target in CNAME:
            records.append(rr(target, 5, name_wire(CNAME[target])))
            target = CNAME[target]
        ip = ip_override or A.get(target) or "127.0.0.1"
        records.append(rr(target, 1, socket.inet_aton(ip)))
    head = qid + struct.pack("!HHHHH", flags | rcode, 1, len(records), 0, 0)
    return head + question + b"".join(records)


def serve_udp(sock, spoof, log):
    while True:
        msg, peer = sock.recvfrom(512)
        try:
            name, qtype, _ = parse_question(msg)
        except (IndexError, UnicodeDecodeError, struct.error):
            continue
        log.write("%s %d udp\n" % (name, qtype))
        log.flush()
        if name == "silent.test":
            continue
        if name == "spoof.test" and qtype == 1:
            spoof.sendto(answer(msg, False, "127.0.0.99"), peer)
            threading.Timer(0.3, sock.sendto, (answer(msg, False), peer)).start()
            continue
        sock.sendto(answer(msg, False), peer)


def serve_tcp(lsock, log):
    while True:
        conn, _ = lsock.accept()
        with conn:
            conn.settimeout(5)
            data = b""
            while len(data) < 2 or len(data) < 2 + struct.unpack("!H", data[:2])[0]:
                part = conn.recv(4096)
                if not part:
                    break
                data += part
            if len(data) < 14:
                continue
            msg = data[2:]
            name, qtype, _ = parse_question(msg)
            log.write("%s %d tcp\n" % (name, qtype))
            log.flush()
            out = answer(msg, True)
            conn.sendall(struct.pack("!H", len(out)) + out)


def main():
    addr, logpath, ready = sys.argv[1:4]
    log = open(logpath, "a")
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((addr, 53))
    parts = addr.split(".")
    neighbour = ".".join(parts[:3] + [str(int(parts[3]) + 1)])
    spoof = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    spoof.bind((neighbour, 53))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((addr, 53))
    tcp.listen(8)
    threading.Thread(target=serve_tcp, args=(tcp, log), daemon=True).start()
    open(ready, "w").write("ready\n")
    serve_udp(udp, spoof, log)


if __name__ == "__main__":
    main()
