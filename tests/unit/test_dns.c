/*
 * test_dns.c: unit tests of the resolver's parsers: queries built by
 * dns_msg_query(), answers parsed by dns_msg_parse() (A, AAAA, CNAME
 * chains, compression, truncation, bad pointers, loops, wrong id or
 * question), literals, hosts lines and resolv.conf from strings.
 * Every answer is placed to end at a guard page.
 */
#include "net/dns.h"

#include <arpa/inet.h>

#include "test.h"

static uint8_t q[LIM_DNS_UDP_BYTES];  /* the query */
static size_t qn;
static uint8_t m[4096];               /* the answer being built */
static size_t mn;
static struct dns_answer ans;

static void
put(const void *p, size_t n)
{
	memcpy(m + mn, p, n);
	mn += n;
}

static void
put16(unsigned v)
{
	m[mn++] = (uint8_t)(v >> 8);
	m[mn++] = (uint8_t)v;
}

/* answer_start: header (flags f, rcode, ancount) and the query's question. */
static void
answer_start(unsigned flags, unsigned rcode, unsigned ancount)
{
	mn = 0;
	put(q, 2);
	m[mn++] = (uint8_t)(0x80 | flags);
	m[mn++] = (uint8_t)(0x80 | rcode);
	put16(1);
	put16(ancount);
	put16(0);
	put16(0);
	put(q + 12, qn - 12);
}

/* rr: a record: owner (wire bytes), type, class IN, ttl, rdata. */
static void
rr(const void *owner, size_t on, unsigned type, const void *rd, size_t rn)
{
	put(owner, on);
	put16(type);
	put16(1);
	put16(0);
	put16(60);
	put16((unsigned)rn);
	put(rd, rn);
}

static int
parse(void)
{
	char *g = guard_copy(m, mn);
	int r = dns_msg_parse((uint8_t *)g, mn, q, qn, &ans);

	guard_free(g, mn);
	return r;
}

static void
query(const char *name, uint16_t type)
{
	int r = dns_msg_query(q, sizeof(q), name, 0x1234, type);

	CHECK(r > 0);
	qn = r > 0 ? (size_t)r : 0;
}

static const uint8_t PTR_Q[2] = { 0xc0, 12 };  /* the question's name */
static const uint8_t IP1[4] = { 10, 0, 0, 1 }, IP2[4] = { 10, 0, 0, 2 };

static int
is_ip4(const struct dns_addr *a, const char *s)
{
	struct in_addr w;

	inet_pton(AF_INET, s, &w);
	return a->u.sa.sa_family == AF_INET && a->len == sizeof(a->u.in) &&
	    a->u.in.sin_addr.s_addr == w.s_addr;
}

static int
is_ip6(const struct dns_addr *a, const char *s)
{
	struct in6_addr w;

	inet_pton(AF_INET6, s, &w);
	return a->u.sa.sa_family == AF_INET6 && a->len == sizeof(a->u.in6) &&
	    memcmp(&a->u.in6.sin6_addr, &w, 16) == 0;
}

TEST(test_query)
{
	static const uint8_t want[] = { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0,
	    0, 0, 3, 'a', 'p', 'i', 2, 'e', 'x', 0, 0, 28, 0, 1 };
	char name[300];

	CHECK_EQ_INT(dns_msg_query(q, sizeof(q), "api.ex", 0x1234, 28), 24);
	CHECK(memcmp(q, want, sizeof(want)) == 0);
	CHECK_EQ_INT(dns_msg_query(q, sizeof(q), "api.ex.", 0x1234, 28), 24);
	CHECK(memcmp(q, want, sizeof(want)) == 0);
	CHECK_EQ_INT(dns_msg_query(q, sizeof(q), "", 1, 1), -1);
	CHECK_EQ_INT(dns_msg_query(q, sizeof(q), ".", 1, 1), -1);
	CHECK_EQ_INT(dns_msg_query(q, sizeof(q), "a..b", 1, 1), -1);
	CHECK_EQ_INT(dns_msg_query(q, sizeof(q), ".a", 1, 1), -1);
	CHECK_EQ_INT(dns_msg_query(q, sizeof(q), "a.b..", 1, 1), -1);
	CHECK_EQ_INT(dns_msg_query(q, 20, "api.ex", 1, 1), -1);
	memset(name, 'a', 63);
	name[63] = '\0';
	CHECK(dns_msg_query(q, sizeof(q), name, 1, 1) > 0);
	name[63] = 'a';
	name[64] = '\0';
	CHECK_EQ_INT(dns_msg_query(q, sizeof(q), name, 1, 1), -1);
	/* 253 characters encode to 255 bytes: the most there is. */
	memset(name, 'a', 253);
	for (int i = 63; i < 253; i += 64)
		name[i] = '.';
	name[253] = '\0';
	CHECK(dns_msg_query(q, sizeof(q), name, 1, 1) > 0);
	name[253] = 'a';
	name[254] = '\0';
	CHECK_EQ_INT(dns_msg_query(q, sizeof(q), name, 1, 1), -1);
}

TEST(test_answer_a)
{
	query("api.ex", DNS_TYPE_A);
	answer_start(0, 0, 2);
	rr(PTR_Q, 2, DNS_TYPE_A, IP1, 4);
	rr(PTR_Q, 2, DNS_TYPE_A, IP2, 4);
	CHECK_EQ_INT(parse(), 0);
	CHECK_EQ_INT(ans.rcode, 0);
	CHECK_EQ_INT(ans.truncated, 0);
	CHECK_EQ_INT(ans.n, 2);
	CHECK(is_ip4(&ans.addr[0], "10.0.0.1"));
	CHECK(is_ip4(&ans.addr[1], "10.0.0.2"));

	/* An AAAA in an A answer, another owner's A, class CH: skipped. */
	answer_start(0, 0, 4);
	rr(PTR_Q, 2, DNS_TYPE_AAAA, "0123456789abcdef", 16);
	rr("\5other\0", 7, DNS_TYPE_A, IP2, 4);
	put("\xc0\x0c\0\1\0\3\0\0\0\0\0\4", 12);
	put(IP2, 4);
	rr("\3API\2Ex\0", 8, DNS_TYPE_A, IP1, 4);  /* case ignored */
	CHECK_EQ_INT(parse(), 0);
	CHECK_EQ_INT(ans.n, 1);
	CHECK(is_ip4(&ans.addr[0], "10.0.0.1"));

	/* NXDOMAIN, SERVFAIL, no data. */
	answer_start(0, 3, 0);
	CHECK_EQ_INT(parse(), 0);
	CHECK_EQ_INT(ans.rcode, DNS_RCODE_NXDOMAIN);
	CHECK_EQ_INT(ans.n, 0);
	answer_start(0, 2, 0);
	CHECK_EQ_INT(parse(), 0);
	CHECK_EQ_INT(ans.rcode, DNS_RCODE_SERVFAIL);
	answer_start(0, 0, 0);
	CHECK_EQ_INT(parse(), 0);
	CHECK_EQ_INT(ans.rcode, 0);
	CHECK_EQ_INT(ans.n, 0);
}

TEST(test_answer_aaaa)
{
	static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	query("api.ex", DNS_TYPE_AAAA);
	answer_start(0, 0, 2);
	rr(PTR_Q, 2, DNS_TYPE_A, IP1, 4);
	rr(PTR_Q, 2, DNS_TYPE_AAAA, ip6, 16);
	CHECK_EQ_INT(parse(), 0);
	CHECK_EQ_INT(ans.n, 1);
	CHECK(is_ip6(&ans.addr[0], "2001:db8::1"));
	/* An AAAA with 4 bytes of data is malformed. */
	answer_start(0, 0, 1);
	rr(PTR_Q, 2, DNS_TYPE_AAAA, ip6, 4);
	CHECK_EQ_INT(parse(), -1);
	query("api.ex", DNS_TYPE_A);
	answer_start(0, 0, 1);
	rr(PTR_Q, 2, DNS_TYPE_A, ip6, 16);
	CHECK_EQ_INT(parse(), -1);
}

TEST(test_cname)
{
	size_t t1, t2;

	/* api.ex CNAME edge.cdn.net (compressed: "edge" + ptr), CNAME
	 * x.cdn.net, then A for x.cdn.net and an A for an unrelated name. */
	query("api.ex", DNS_TYPE_A);
	answer_start(0, 0, 4);
	t1 = mn + 12;  /* where the first CNAME's data starts */
	rr(PTR_Q, 2, DNS_TYPE_CNAME, "\4edge\3cdn\3net\0", 14);
	t2 = mn;
	{
		uint8_t rd[4] = { 1, 'x', 0xc0, (uint8_t)(t1 + 5) };
		uint8_t owner[2] = { 0xc0, (uint8_t)t1 };

		rr(owner, 2, DNS_TYPE_CNAME, rd, 4);
	}
	{
		uint8_t owner[2] = { 0xc0, (uint8_t)(t2 + 12) };

		rr(owner, 2, DNS_TYPE_A, IP2, 4);
	}
	rr("\1y\3cdn\3net\0", 11, DNS_TYPE_A, IP1, 4);
	CHECK_EQ_INT(parse(), 0);
	CHECK_EQ_INT(ans.n, 1);
	CHECK(is_ip4(&ans.addr[0], "10.0.0.2"));

	/* The same chain with the records in reverse order. */
	answer_start(0, 0, 3);
	rr("\1b\0", 3, DNS_TYPE_A, IP1, 4);
	rr("\1a\0", 3, DNS_TYPE_CNAME, "\1b\0", 3);
	rr(PTR_Q, 2, DNS_TYPE_CNAME, "\1a\0", 3);
	CHECK_EQ_INT(parse(), 0);
	CHECK_EQ_INT(ans.n, 1);
	CHECK(is_ip4(&ans.addr[0], "10.0.0.1"));

	/* A CNAME loop is no address, not a hang. */
	answer_start(0, 0, 3);
	rr(PTR_Q, 2, DNS_TYPE_CNAME, "\1a\0", 3);
	rr("\1a\0", 3, DNS_TYPE_CNAME, "\3api\2ex\0", 8);
	rr("\1c\0", 3, DNS_TYPE_A, IP1, 4);
	CHECK_EQ_INT(parse(), 0);
	CHECK_EQ_INT(ans.n, 0);

	/* A CNAME whose name runs past its rdlength is malformed. */
	answer_start(0, 0, 1);
	rr(PTR_Q, 2, DNS_TYPE_CNAME, "\1a\0", 2);
	put("\0", 1);
	CHECK_EQ_INT(parse(), -1);
}

TEST(test_bad_answers)
{
	size_t full, i;
	int bad = 0;

	query("api.ex", DNS_TYPE_A);
	answer_start(0, 0, 1);
	rr(PTR_Q, 2, DNS_TYPE_A, IP1, 4);
	full = mn;
	CHECK_EQ_INT(parse(), 0);
	/* Every truncation of a good answer fails, none reads past. */
	for (i = 0; i < full; i++) {
		mn = i;
		bad += parse() == -1;
	}
	CHECK_EQ_INT(bad, (int)full);
	/* Wrong id, QR clear, opcode 1, two questions. */
	mn = full;
	m[1] ^= 1;
	CHECK_EQ_INT(parse(), -1);
	m[1] ^= 1;
	m[2] &= 0x7f;
	CHECK_EQ_INT(parse(), -1);
	m[2] |= 0x80 | 0x08;
	CHECK_EQ_INT(parse(), -1);
	m[2] &= (uint8_t)~0x08;
	m[5] = 2;
	CHECK_EQ_INT(parse(), -1);
	m[5] = 1;
	CHECK_EQ_INT(parse(), 0);
	/* Another question: name, type. */
	m[13] = 'b';
	CHECK_EQ_INT(parse(), -1);
	m[13] = 'a';
	m[21] = 28;
	CHECK_EQ_INT(parse(), -1);
	m[21] = 1;
	/* rdlength past the end. */
	m[full - 5] = 5;
	CHECK_EQ_INT(parse(), -1);
	m[full - 5] = 4;
	CHECK_EQ_INT(parse(), 0);

	/* Pointers: forward, to itself, a loop, into the header, bad type. */
	answer_start(0, 0, 1);
	rr("\xc0\xff", 2, DNS_TYPE_A, IP1, 4);
	CHECK_EQ_INT(parse(), -1);
	answer_start(0, 0, 1);
	{
		uint8_t self[2] = { 0xc0, (uint8_t)mn };

		rr(self, 2, DNS_TYPE_A, IP1, 4);
	}
	CHECK_EQ_INT(parse(), -1);
	answer_start(0, 0, 1);
	{
		/* "\1a" then a pointer back to it: a loop of labels. */
		uint8_t loop[4] = { 1, 'a', 0xc0, (uint8_t)mn };

		rr(loop, 4, DNS_TYPE_A, IP1, 4);
	}
	CHECK_EQ_INT(parse(), -1);
	answer_start(0, 0, 1);
	rr("\xc0\x02", 2, DNS_TYPE_A, IP1, 4);
	CHECK_EQ_INT(parse(), -1);
	answer_start(0, 0, 1);
	rr("\x80\x0c", 2, DNS_TYPE_A, IP1, 4);
	CHECK_EQ_INT(parse(), -1);
	answer_start(0, 0, 1);
	rr("\x41" "a", 2, DNS_TYPE_A, IP1, 4);
	CHECK_EQ_INT(parse(), -1);
	/* The question compressed to a pointer into the header. */
	mn = 12;
	put("\xc0\x00\0\1\0\1", 6);
	CHECK_EQ_INT(parse(), -1);
	/* A pointer forward to a good name: refused all the same. */
	answer_start(0, 0, 2);
	{
		uint8_t fwd[2] = { 0xc0, (uint8_t)(mn + 16) };

		rr(fwd, 2, DNS_TYPE_A, IP1, 4);
	}
	rr("\3api\2ex\0", 8, DNS_TYPE_A, IP2, 4);
	CHECK_EQ_INT(parse(), -1);
	/* ancount says more records than there are. */
	answer_start(0, 0, 2);
	rr(PTR_Q, 2, DNS_TYPE_A, IP1, 4);
	CHECK_EQ_INT(parse(), -1);
}

TEST(test_long_names)
{
	uint8_t name[300];
	size_t i;

	/* A 256-byte owner (four 63-byte labels): malformed. */
	query("api.ex", DNS_TYPE_A);
	answer_start(0, 0, 1);
	for (i = 0; i < 4; i++) {
		name[i * 64] = 63;
		memset(name + i * 64 + 1, 'a', 63);
	}
	name[256] = 0;
	rr(name, 257, DNS_TYPE_A, IP1, 4);
	CHECK_EQ_INT(parse(), -1);
	/* Three labels and one of 61: 255 bytes, fine (not ours, skipped). */
	answer_start(0, 0, 1);
	name[192] = 61;
	name[254] = 0;
	rr(name, 255, DNS_TYPE_A, IP1, 4);
	CHECK_EQ_INT(parse(), 0);
	CHECK_EQ_INT(ans.n, 0);
}

TEST(test_truncated)
{
	query("api.ex", DNS_TYPE_A);
	answer_start(0x02, 0, 5);  /* TC, and records cut off */
	rr(PTR_Q, 2, DNS_TYPE_A, IP1, 4);
	CHECK_EQ_INT(parse(), 0);
	CHECK_EQ_INT(ans.truncated, 1);
	CHECK_EQ_INT(ans.n, 0);
}

TEST(test_many)
{
	int i;

	query("api.ex", DNS_TYPE_A);
	answer_start(0, 0, 40);
	for (i = 0; i < 40; i++)
		rr(PTR_Q, 2, DNS_TYPE_A, IP1, 4);
	CHECK_EQ_INT(parse(), 0);
	CHECK_EQ_INT(ans.n, LIM_DNS_ADDRS);
}

static int
ip(const char *s, struct dns_addr *a)
{
	size_t n = strlen(s);
	char *g = guard_copy(s, n);
	int r = dns_parse_ip(g, n, a);

	guard_free(g, n);
	return r;
}

TEST(test_literals)
{
	static const char *good6[] = { "::", "::1", "1::", "2001:db8::1",
	    "1:2:3:4:5:6:7:8", "1::8", "::ffff:10.0.0.1", "1:2:3:4:5:6:1.2.3.4",
	    "FE80::aB:1", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8" };
	static const char *bad[] = { "", "1", "1.2.3", "1.2.3.4.5", "256.1.1.1",
	    "01.2.3.4", "1.2.3.4 ", " 1.2.3.4", "1..2.3", "1.2.3.", "0x1.2.3.4",
	    "1234.1.1.1", ":", ":::", "1:::2", "1::2::3", ":1::", "1::2:",
	    "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::",
	    "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4:5", "fe80::1%eth0",
	    "1.2.3.4:", "::01.2.3.4" };
	struct dns_addr a;
	size_t i;
	int good = 0, refused = 0;

	CHECK_EQ_INT(ip("10.0.0.1", &a), 0);
	CHECK(is_ip4(&a, "10.0.0.1"));
	CHECK_EQ_INT(ip("0.0.0.0", &a), 0);
	CHECK_EQ_INT(ip("255.255.255.255", &a), 0);
	CHECK(is_ip4(&a, "255.255.255.255"));
	for (i = 0; i < sizeof(good6) / sizeof(good6[0]); i++) {
		if (ip(good6[i], &a) == 0 && is_ip6(&a, good6[i]))
			good++;
		else
			fprintf(stderr, "refused %s\n", good6[i]);
	}
	CHECK_EQ_INT(good, (int)(sizeof(good6) / sizeof(good6[0])));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ip(bad[i], &a) != 0)
			refused++;
		else
			fprintf(stderr, "accepted %s\n", bad[i]);
	}
	CHECK_EQ_INT(refused, (int)(sizeof(bad) / sizeof(bad[0])));
}

TEST(test_hosts)
{
	static const char h[] =
	    "# comment 10.9.9.9 api.ex\n"
	    "127.0.0.1\tlocalhost\n"
	    "10.0.0.1 Api.Ex api   # the API\n"
	    "bogus api.ex\n"
	    "2001:db8::1 other api.ex\r\n"
	    "10.0.0.2 api.exx #api.ex\n"
	    "10.0.0.3 x api.ex";
	struct dns_addr out[4];
	int n = 0;

	CHECK_EQ_INT(dns_hosts_parse(h, sizeof(h) - 1, "API.ex", out, 4, &n), 3);
	CHECK_EQ_INT(n, 3);
	CHECK(is_ip4(&out[0], "10.0.0.1"));
	CHECK(is_ip6(&out[1], "2001:db8::1"));
	CHECK(is_ip4(&out[2], "10.0.0.3"));
	n = 0;
	CHECK_EQ_INT(dns_hosts_parse(h, sizeof(h) - 1, "api", out, 4, &n), 1);
	n = 0;
	CHECK_EQ_INT(dns_hosts_parse(h, sizeof(h) - 1, "comment", out, 4, &n),
	    0);
	CHECK_EQ_INT(n, 0);
	n = 0;
	CHECK_EQ_INT(dns_hosts_parse(h, sizeof(h) - 1, "api.ex", out, 2, &n), 3);
	CHECK_EQ_INT(n, 2);
}

TEST(test_conf)
{
	static const char c1[] =
	    "# a comment\n"
	    "nameserver 10.0.0.53\n"
	    "nameserver 2001:db8::53\n"
	    "nameserver bogus\n"
	    "nameserver 10.0.0.54\n"
	    "nameserver 10.0.0.55\n"
	    "search a.ex b.ex\n"
	    "domain only.ex\n"
	    "options rotate ndots:3 timeout:2 attempts:4\n";
	static const char c2[] =
	    "search s1 s2 s3 s4 s5 s6 s7\r\n"
	    "options ndots:99 timeout:99999999999999999999 attempts:0 ndots:x\n";
	struct dns_conf c;

	dns_conf_init(&c);
	CHECK_EQ_INT(c.ndots, 1);
	CHECK_EQ_INT(c.timeout_s, 5);
	CHECK_EQ_INT(c.attempts, 2);
	dns_conf_parse(&c, c1, sizeof(c1) - 1);
	CHECK_EQ_INT(c.nns, 3);
	CHECK(is_ip4(&c.ns[0], "10.0.0.53"));
	CHECK_EQ_INT(ntohs(c.ns[0].u.in.sin_port), 53);
	CHECK(is_ip6(&c.ns[1], "2001:db8::53"));
	CHECK_EQ_INT(ntohs(c.ns[1].u.in6.sin6_port), 53);
	CHECK(is_ip4(&c.ns[2], "10.0.0.54"));
	CHECK_EQ_INT(c.nsearch, 1);
	CHECK_STR(c.search[0], "only.ex");
	CHECK_EQ_INT(c.ndots, 3);
	CHECK_EQ_INT(c.timeout_s, 2);
	CHECK_EQ_INT(c.attempts, 4);

	dns_conf_init(&c);
	dns_conf_parse(&c, c2, sizeof(c2) - 1);
	CHECK_EQ_INT(c.nns, 0);
	CHECK_EQ_INT(c.nsearch, 6);
	CHECK_STR(c.search[5], "s6");
	CHECK_EQ_INT(c.ndots, 15);
	CHECK_EQ_INT(c.timeout_s, 60);
	CHECK_EQ_INT(c.attempts, 1);
}

int
main(void)
{
	RUN(test_query);
	RUN(test_answer_a);
	RUN(test_answer_aaaa);
	RUN(test_cname);
	RUN(test_bad_answers);
	RUN(test_long_names);
	RUN(test_truncated);
	RUN(test_many);
	RUN(test_literals);
	RUN(test_hosts);
	RUN(test_conf);
	return test_done();
}
