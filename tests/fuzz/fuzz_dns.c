/*
 * fuzz_dns: the resolver's parsers of outside bytes.  The input is
 * "T NAME\0MESSAGE": bit 0 of T picks the question type (A or AAAA),
 * NAME the question (api.example.com if it is not a valid name).  The
 * query is built with MESSAGE's first two bytes as its id, so that the
 * answer parser gets past the id check, and MESSAGE is parsed as the
 * answer (src/net/dns_msg.c).  The whole input is also read as a hosts
 * file, a resolv.conf and an address literal (src/net/dns_text.c).
 */
#include "fuzz.h"

#include "net/dns.h"

static struct dns_answer ans;
static struct dns_conf conf;
static struct dns_addr addrs[4];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *a, *b;
	uint8_t q[LIM_DNS_UDP_BYTES];
	size_t an, bn;
	uint16_t type, id;
	char *name, *text;
	int qn, i, n = 0;

	if (size < 1)
		return 0;
	type = (data[0] & 1) ? DNS_TYPE_AAAA : DNS_TYPE_A;
	fuzz_split(data + 1, size - 1, &a, &an, &b, &bn);
	name = fuzz_cstr(a, an);
	id = bn >= 2 ? (uint16_t)(b[0] << 8 | b[1]) : 0;
	qn = dns_msg_query(q, sizeof(q), name, id, type);
	if (qn < 0)
		qn = dns_msg_query(q, sizeof(q), "api.example.com", id, type);
	FUZZ_ASSERT(qn > 12 && (size_t)qn <= sizeof(q));
	if (dns_msg_parse(b, bn, q, (size_t)qn, &ans) == 0) {
		FUZZ_ASSERT(ans.n >= 0 && ans.n <= LIM_DNS_ADDRS);
		FUZZ_ASSERT(ans.rcode >= 0 && ans.rcode <= 15);
		FUZZ_ASSERT(!ans.truncated || ans.n == 0);
		for (i = 0; i < ans.n; i++)
			FUZZ_ASSERT(type == DNS_TYPE_A ?
			    ans.addr[i].u.sa.sa_family == AF_INET &&
			    ans.addr[i].len == sizeof(ans.addr[i].u.in) :
			    ans.addr[i].u.sa.sa_family == AF_INET6 &&
			    ans.addr[i].len == sizeof(ans.addr[i].u.in6));
	}
	text = fuzz_cstr(data, size);
	(void)dns_hosts_parse(text, size, name, addrs, 4, &n);
	FUZZ_ASSERT(n >= 0 && n <= 4);
	dns_conf_init(&conf);
	dns_conf_parse(&conf, text, size);
	FUZZ_ASSERT(conf.nns <= LIM_DNS_SERVERS);
	FUZZ_ASSERT(conf.nsearch <= LIM_DNS_SEARCH);
	for (i = 0; i < conf.nsearch; i++)
		FUZZ_ASSERT(memchr(conf.search[i], 0, LIM_HOST_BYTES) != NULL);
	FUZZ_ASSERT(conf.ndots >= 0 && conf.ndots <= 15);
	FUZZ_ASSERT(conf.timeout_s >= 1 && conf.timeout_s <= 60);
	FUZZ_ASSERT(conf.attempts >= 1 && conf.attempts <= 10);
	(void)dns_parse_ip(text, size, &addrs[0]);
	(void)dns_parse_ip(name, an, &addrs[0]);
	free(name);
	free(text);
	return 0;
}
