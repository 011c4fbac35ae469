/*
 * dns.h: host name to addresses, without libc's resolver.
 *
 * dns_resolve() does what iksctl needs of getaddrinfo() and no more:
 * IPv4 and IPv6 literals, /etc/hosts, "localhost", then DNS over UDP
 * (TCP when an answer is truncated) to the name servers of
 * /etc/resolv.conf, with its search domains, ndots, timeout and
 * attempts read as musl reads them.  IPv4 addresses come first, then
 * IPv6: the order is predictable, and sock_connect() tries them all.
 *
 * The work is split in three files so that the parsers can be tested and
 * fuzzed without I/O: dns_msg.c builds queries and parses answers
 * (untrusted bytes), dns_text.c parses literals, hosts lines and
 * resolv.conf from buffers, dns.c does the files and sockets.  Nothing
 * allocates; the caller owns every struct.
 */
#ifndef IKSCTL_DNS_H
#define IKSCTL_DNS_H

#include "base/limits.h"
#include "base/str.h"

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* One address, port 0 (the caller sets it). */
struct dns_addr {
	union {
		struct sockaddr sa;
		struct sockaddr_in in;    /* sa.sa_family AF_INET */
		struct sockaddr_in6 in6;  /* sa.sa_family AF_INET6 */
	} u;
	socklen_t len;                    /* size of the member in use */
};

/*
 * dns_resolve: the addresses of host, at most cap (<= LIM_DNS_ADDRS), in
 * out[0 .. *n).  timeout_ms bounds all DNS traffic (or the --max-time
 * deadline of sock.h, if sooner).  Returns 0 with *n >= 1, or
 * ERR_NET_DNS with a detail "<host>: <why>".
 */
int dns_resolve(const char *host, struct dns_addr *out, int cap, int *n,
    int timeout_ms);

/* ---- Text parsers (dns_text.c), also for tests and the fuzzer. ---- */

/* What /etc/resolv.conf says (musl's defaults before any line). */
struct dns_conf {
	struct dns_addr ns[LIM_DNS_SERVERS]; /* name servers, port 53 */
	int nns;                             /* how many of ns[] are set */
	char search[LIM_DNS_SEARCH][LIM_HOST_BYTES]; /* search domains */
	int nsearch;                         /* how many of search[] */
	int ndots;                           /* 0 .. 15, default 1 */
	int timeout_s;                       /* 1 .. 60, default 5 */
	int attempts;                        /* 1 .. 10, default 2 */
};

/*
 * dns_parse_ip: s[0 .. n) as an IPv4 dotted quad (exactly four decimal
 * parts 0..255, no leading zeros) or an IPv6 address (RFC 4291 text,
 * "::" and a trailing dotted quad allowed, no zone).  Returns 0 with *a
 * set, or -1.
 */
int dns_parse_ip(const char *s, size_t n, struct dns_addr *a);

/* dns_conf_init: musl's defaults, no server, no search domain. */
void dns_conf_init(struct dns_conf *c);

/*
 * dns_conf_line: apply one resolv.conf line (without its newline):
 * nameserver (up to LIM_DNS_SERVERS, bad addresses skipped), search and
 * domain (the last such line wins, up to LIM_DNS_SEARCH domains),
 * options ndots:N timeout:N attempts:N (capped as musl caps them).
 * Anything else is ignored, as resolvers do.
 */
void dns_conf_line(struct dns_conf *c, struct slice line);

/* dns_conf_parse: every line of buf[0 .. n) through dns_conf_line(). */
void dns_conf_parse(struct dns_conf *c, const char *buf, size_t n);

/*
 * dns_hosts_line: if the hosts line (address, names; '#' starts a
 * comment) names `name` (ASCII case ignored), append its address to
 * out[*n] while *n < cap.  Returns 1 if it matched, else 0.
 */
int dns_hosts_line(struct slice line, const char *name, struct dns_addr *out,
    int cap, int *n);

/* dns_hosts_parse: every line of buf[0 .. n); the number that matched. */
int dns_hosts_parse(const char *buf, size_t len, const char *name,
    struct dns_addr *out, int cap, int *n);

/* ---- Messages (dns_msg.c), also for tests and the fuzzer. ---- */

#define DNS_TYPE_A     1
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_AAAA  28

#define DNS_RCODE_OK       0
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3

/* What one answer said. */
struct dns_answer {
	int rcode;                 /* RCODE of the header, 0 .. 15 */
	int truncated;             /* the TC bit */
	int n;                     /* addresses in addr[] */
	struct dns_addr addr[LIM_DNS_ADDRS]; /* A or AAAA, in answer order */
};

/*
 * dns_msg_query: write a recursive query for (name, qtype, class IN)
 * with this id into buf[cap].  name is a host name, without or with one
 * final dot.  Returns the length (> 0), or -1 if the name is not a
 * valid DNS name (empty label, label over 63 bytes, over 255 in all) or
 * cap is too small.
 */
int dns_msg_query(uint8_t *buf, size_t cap, const char *name, uint16_t id,
    uint16_t qtype);

/*
 * dns_msg_parse: parse the answer m[0 .. n) to the query q[0 .. qn)
 * built by dns_msg_query().  The answer must have the query's id, QR
 * set, opcode 0, one question equal to the query's (case ignored), and
 * well-formed answer records.  A and AAAA records of the query's type
 * whose owner is the query name or a CNAME target reached from it are
 * kept, up to LIM_DNS_ADDRS.  Returns 0 with *a filled, or -1 if the
 * bytes are not an answer to this query (ignore them).
 */
int dns_msg_parse(const uint8_t *m, size_t n, const uint8_t *q, size_t qn,
    struct dns_answer *a);

#endif
