#!/usr/bin/env python3
"""table.py: keep tests/fuzz/stats.tsv and the table in README.md.

  table.py add NAME EXECS SECONDS FINDINGS   add one run's counts
  table.py write                             rewrite the README table

stats.tsv has one line per target: name, total executions, total
seconds, runs, findings (crashes found, all fixed unless the README's
findings section says otherwise).  The README table sits between the
lines <!-- fuzz-table --> and <!-- /fuzz-table -->.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
STATS = os.path.join(HERE, "stats.tsv")
README = os.path.join(HERE, "README.md")
WHAT = {
    "http": "response head, body framing, chunked decoding (src/proto/http_parse.c)",
    "headers": "method, target and header lines before sending, -H checks (src/proto/http_check.c)",
    "connect": "proxy CONNECT answer, byte by byte (http_parse_response as in src/proto/http_net.c)",
    "retry_after": "Retry-After: delta-seconds and the three HTTP date forms (http_date.c)",
    "term": "service text for the terminal: escaping, UTF-8, display width (src/base/term.c)",
    "url": "url_parse, url_target/join/host_header, NO_PROXY, form bodies (src/net/url.c)",
    "dns": "DNS answers: header, question, names with compression, CNAME chains; hosts, resolv.conf, literals (src/net/dns_msg.c, dns_text.c)",
    "json": "json_parse and every accessor, json_write_compact (src/proto/json.c)",
    "query": "-q expressions over JSON (src/cli/query.c)",
    "query_stream": "-q over a body in random pieces against the whole document: same output, same error (src/cli/query_stream.c, src/proto/json_scan.c)",
    "jwt": "jwt_read/jwt_claims, base64url (src/proto/jwt.c, base64.c)",
    "zip": "config zip: directory, find, extract (src/proto/zip.c)",
    "inflate": "raw deflate, CRC-32 (src/proto/inflate.c)",
    "kubeconfig": "kubeconfig YAML: events, refusals, the merge of one cluster (src/proto/kubeconfig.c)",
    "store": "store file: frame, checksum, fields, TLS lines (src/cloud/store.c)",
}


def load():
    rows = {}
    if os.path.exists(STATS):
        for line in open(STATS):
            f = line.split()
            if len(f) == 5 and f[0] != "name":
                rows[f[0]] = [int(x) for x in f[1:]]
    return rows


def save(rows):
    with open(STATS, "w") as f:
        f.write("name\texecs\tseconds\truns\tfindings\n")
        for n in sorted(rows):
            f.write("%s\t%d\t%d\t%d\t%d\n" % ((n,) + tuple(rows[n])))


def write(rows):
    lines = ["| target | what it feeds | executions | CPU time | runs | findings |",
             "|---|---|---:|---:|---:|---:|"]
    for n in sorted(rows):
        e, s, r, f = rows[n]
        lines.append("| `fuzz_%s` | %s | %s | %d min | %d | %d |" % (
            n, WHAT.get(n, ""), format(e, ","), (s + 30) // 60, r, f))
    text = open(README).read()
    a, b = "<!-- fuzz-table -->\n", "<!-- /fuzz-table -->"
    i, j = text.index(a) + len(a), text.index(b)
    text = text[:i] + "\n".join(lines) + "\n" + text[j:]
    open(README, "w").write(text)
    print("\n".join(lines))


def main():
    rows = load()
    if sys.argv[1] == "add":
        n, e, s, f = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        old = rows.get(n, [0, 0, 0, 0])
        rows[n] = [old[0] + e, old[1] + s, old[2] + 1, old[3] + f]
        save(rows)
    elif sys.argv[1] == "write":
        write(rows)


if __name__ == "__main__":
    main()
