/*
 * store_test.h: what test_store.c and test_store_fs.c share: a store
 * and its reloaded copy, and a typical store.
 * Included once per test binary, after test.h and cloud/store.h.
 */
#ifndef IKSCTL_STORE_TEST_H
#define IKSCTL_STORE_TEST_H

#include <stdio.h>
#include <string.h>

static struct store s1, s2;        /* a store and its reloaded copy */

/* fill: n bytes of a pattern (printable, no control) plus NUL. */
static inline void
fill(char *dst, size_t n, int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = (char)('!' + (seed + i * 7) % 94);
	dst[n] = '\0';
}

/* make_typical: a store as a login leaves it. */
static inline void
make_typical(struct store *s)
{
	uint8_t sess[300];
	size_t i;

	store_init(s);
	snprintf(s->iam_url, sizeof(s->iam_url), "https://iam.example.test");
	snprintf(s->cs_url, sizeof(s->cs_url),
	    "https://containers.example.test/global");
	snprintf(s->account, sizeof(s->account), "fakeaccount0123456789abcdef");
	snprintf(s->region, sizeof(s->region), "us-south");
	snprintf(s->user, sizeof(s->user), "fake.user@example.test");
	fill(s->access_token, 1200, 20);
	fill(s->refresh_token, 700, 21);
	s->access_iat = 1700000000;
	s->access_exp = 1700003600;
	s->refresh_exp = 1702592000;
	snprintf(s->cred_kind, sizeof(s->cred_kind), "apikey");
	snprintf(s->cred_source, sizeof(s->cred_source),
	    "env:IBMCLOUD_API_KEY");
	for (i = 0; i < sizeof(sess); i++)
		sess[i] = (uint8_t)(i ^ 0x5a);
	CHECK_EQ_INT(store_tls_put(s, "iam.example.test:443", sess,
	    sizeof(sess), 1700000001), 0);
	CHECK_EQ_INT(store_tls_put(s, "containers.example.test:443", sess,
	    100, 1700000002), 0);
}

#endif
