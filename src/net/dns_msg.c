/*
 * dns_msg.c: DNS queries and answers on the wire (RFC 1035 section 4).
 *
 * Answers are untrusted bytes: every read is checked against the
 * message's length first, names are at most 255 bytes of at most
 * 63-byte labels, compression pointers must point backwards and are
 * followed at most 127 times, and a record's data must fit its
 * rdlength exactly.  Names are compared in their wire form with ASCII
 * letters lowered.
 */
#include "net/dns.h"

#include <string.h>

#define HDR_BYTES   12   /* the fixed header */
#define NAME_BYTES 255   /* a name in wire form, root byte included */
#define MAX_HOPS   127   /* compression pointers followed in one name */
#define CLASS_IN     1

static uint8_t
lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static unsigned
get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

int
dns_msg_query(uint8_t *buf, size_t cap, const char *name, uint16_t id,
    uint16_t qtype)
{
	size_t len = strlen(name), o = HDR_BYTES, i, start;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len + 2 > NAME_BYTES || cap < HDR_BYTES + len + 6)
		return -1;
	memset(buf, 0, HDR_BYTES);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[2] = 0x01;  /* RD: recursion desired */
	buf[5] = 1;     /* QDCOUNT */
	for (start = 0; start <= len; start = i + 1) {
		for (i = start; i < len && name[i] != '.'; i++)
			;
		if (i == start || i - start > 63)
			return -1;
		buf[o++] = (uint8_t)(i - start);
		memcpy(buf + o, name + start, i - start);
		o += i - start;
	}
	buf[o++] = 0;
	buf[o++] = (uint8_t)(qtype >> 8);
	buf[o++] = (uint8_t)qtype;
	buf[o++] = 0;
	buf[o++] = CLASS_IN;
	return (int)o;
}

/*
 * name_read: the name at m[*off] into out (wire form, lowered, root byte
 * included, *outn bytes), following compression pointers; *off moves to
 * the byte after the name where it is stored.  0 or -1 if malformed.
 */
static int
name_read(const uint8_t *m, size_t n, size_t *off, uint8_t *out,
    size_t *outn)
{
	size_t p = *off, o = 0, after = 0, t;
	unsigned len, i, hops = 0;

	for (;;) {
		if (p >= n)
			return -1;
		len = m[p];
		if ((len & 0xc0) == 0xc0) {
			if (p + 1 >= n)
				return -1;
			t = (size_t)(len & 0x3f) << 8 | m[p + 1];
			if (t >= p || ++hops > MAX_HOPS)
				return -1;
			if (after == 0)
				after = p + 2;
			p = t;
			continue;
		}
		if ((len & 0xc0) != 0 || o + 1 + len > NAME_BYTES ||
		    len + 1 > n - p)
			return -1;
		out[o++] = (uint8_t)len;
		if (len == 0)
			break;
		for (i = 0; i < len; i++)
			out[o++] = lower(m[p + 1 + i]);
		p += 1 + len;
	}
	*off = after != 0 ? after : p + 1;
	*outn = o;
	return 0;
}

/* The names an answer's records may be owned by: the query's and CNAMEs. */
struct owners {
	uint8_t name[LIM_DNS_CNAMES + 1][NAME_BYTES];
	size_t len[LIM_DNS_CNAMES + 1];
	int n;
};

static int
owners_has(const struct owners *s, const uint8_t *name, size_t len)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->len[i] == len && memcmp(s->name[i], name, len) == 0)
			return 1;
	return 0;
}

/*
 * walk: read the ancount records from m[off]: with a NULL a, add CNAME
 * targets of known owners to s (*added counts them); else keep the
 * addresses of type qtype owned by a known owner.  0 or -1.
 */
static int
walk(const uint8_t *m, size_t n, size_t off, unsigned ancount,
    unsigned qtype, struct owners *s, int *added, struct dns_answer *a)
{
	uint8_t owner[NAME_BYTES], target[NAME_BYTES];
	size_t olen, tlen, rd, end;
	unsigned type, class, rdlen;
	struct dns_addr *d;

	for (; ancount > 0; ancount--) {
		if (name_read(m, n, &off, owner, &olen) != 0 || n - off < 10)
			return -1;
		type = get16(m + off);
		class = get16(m + off + 2);
		rdlen = get16(m + off + 8);
		rd = off + 10;
		if (rdlen > n - rd)
			return -1;
		end = rd + rdlen;
		off = end;
		if (class != CLASS_IN)
			continue;
		if ((type == DNS_TYPE_A && rdlen != 4) ||
		    (type == DNS_TYPE_AAAA && rdlen != 16))
			return -1;
		if (type == DNS_TYPE_CNAME) {
			if (name_read(m, end, &rd, target, &tlen) != 0 ||
			    rd != end)
				return -1;
			if (a == NULL && owners_has(s, owner, olen) &&
			    !owners_has(s, target, tlen) &&
			    s->n < LIM_DNS_CNAMES + 1) {
				memcpy(s->name[s->n], target, tlen);
				s->len[s->n++] = tlen;
				(*added)++;
			}
			continue;
		}
		if (a == NULL || type != qtype || a->n >= LIM_DNS_ADDRS ||
		    !owners_has(s, owner, olen))
			continue;
		d = &a->addr[a->n++];
		memset(d, 0, sizeof(*d));
		if (type == DNS_TYPE_A) {
			d->u.in.sin_family = AF_INET;
			memcpy(&d->u.in.sin_addr, m + rd, 4);
			d->len = sizeof(d->u.in);
		} else {
			d->u.in6.sin6_family = AF_INET6;
			memcpy(&d->u.in6.sin6_addr, m + rd, 16);
			d->len = sizeof(d->u.in6);
		}
	}
	return 0;
}

int
dns_msg_parse(const uint8_t *m, size_t n, const uint8_t *q, size_t qn,
    struct dns_answer *a)
{
	static struct owners s;  /* 2 KB: off the stack */
	uint8_t name[NAME_BYTES];
	size_t off = HDR_BYTES, qoff = HDR_BYTES, len;
	unsigned qtype, ancount;
	int added, round;

	a->n = 0;
	if (n < HDR_BYTES || qn < HDR_BYTES + 5 || m[0] != q[0] ||
	    m[1] != q[1] || (m[2] & 0x80) == 0 || (m[2] & 0x78) != 0 ||
	    get16(m + 4) != 1)
		return -1;
	a->rcode = m[3] & 15;
	a->truncated = (m[2] & 0x02) != 0;
	ancount = get16(m + 6);
	s.n = 1;
	if (name_read(q, qn, &qoff, s.name[0], &s.len[0]) != 0 ||
	    qn - qoff < 4 || name_read(m, n, &off, name, &len) != 0 ||
	    n - off < 4 || len != s.len[0] ||
	    memcmp(name, s.name[0], len) != 0 ||
	    memcmp(m + off, q + qoff, 4) != 0)
		return -1;
	qtype = get16(q + qoff);
	off += 4;
	if (a->truncated)
		return 0;  /* asked again over TCP; the records may be cut */
	/* CNAMEs first (in any order, each round adds at least one). */
	for (round = 0; round <= LIM_DNS_CNAMES; round++) {
		added = 0;
		if (walk(m, n, off, ancount, qtype, &s, &added, NULL) != 0)
			return -1;
		if (added == 0)
			break;
	}
	return walk(m, n, off, ancount, qtype, &s, &added, a);
}
