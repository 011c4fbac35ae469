/*
 * store_torture.c: drive the store for the crash-safety test.
 *
 *   store_torture save HOME START   save generations START, START+1, ...
 *                                   forever; after each completed save
 *                                   print its number on a line of its own
 *   store_torture check HOME        load the store, check that every
 *                                   field is exactly what one generation
 *                                   wrote, print that generation (0: no
 *                                   store yet); exit 1 on any error
 *
 * Each generation's fake tokens and sessions have their own content and
 * length, so a torn or mixed store cannot pass for a whole one.
 */
#include "base/errors.h"
#include "base/str.h"
#include "cloud/store.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct store want, got;  /* the generation's store, the loaded one */

/* fake: "FAKE-<tag>-<gen>-" padded to len with a pattern. */
static void
fake(char *dst, size_t cap, const char *tag, uint64_t gen, size_t len)
{
	int n = snprintf(dst, cap, "FAKE-%s-%llu-", tag,
	    (unsigned long long)gen);
	size_t i;

	if (len >= cap)
		len = cap - 1;
	for (i = n > 0 ? (size_t)n : 0; i < len; i++)
		dst[i] = (char)('a' + (gen + i) % 26);
	dst[len > (size_t)n ? len : (size_t)n] = '\0';
}

/* make: the store of generation gen. */
static void
make(struct store *s, uint64_t gen)
{
	uint8_t sess[LIM_TLS_SESSION_BYTES];
	char host[64];
	size_t i, k, len;

	store_init(s);
	fake(s->iam_url, sizeof(s->iam_url), "IAM", gen, 40);
	fake(s->account, sizeof(s->account), "ACCOUNT", gen, 32);
	fake(s->region, sizeof(s->region), "REGION", gen, 20 + gen % 30);
	fake(s->access_token, sizeof(s->access_token), "ACCESS", gen,
	    100 + (gen * 977) % 8000);
	fake(s->refresh_token, sizeof(s->refresh_token), "REFRESH", gen,
	    50 + (gen * 389) % 3000);
	if (gen % 3 != 0)
		fake(s->kube_token, sizeof(s->kube_token), "KUBE", gen,
		    30 + (gen * 131) % 5000);
	s->access_iat = (int64_t)gen;
	s->access_exp = (int64_t)gen + 3600;
	s->refresh_exp = (int64_t)gen * 7;
	snprintf(s->cred_kind, sizeof(s->cred_kind), "apikey");
	snprintf(s->cred_source, sizeof(s->cred_source), "env:FAKE_%llu",
	    (unsigned long long)gen);
	for (i = 0; i < gen % (LIM_STORE_TLS + 1); i++) {
		len = 1 + (gen * 53 + i * 1009) % LIM_TLS_SESSION_BYTES;
		for (k = 0; k < len; k++)
			sess[k] = (uint8_t)(gen + k * (i + 1));
		snprintf(host, sizeof(host), "host%zu.example.test:443", i);
		store_tls_put(s, host, sess, len, (int64_t)(gen + i));
	}
}

static int
fail(const char *what)
{
	fprintf(stderr, "store_torture: %s: %s: %s\n", what,
	    err_message(err_code_last()), err_detail());
	return 1;
}

static int
run_save(const char *home, uint64_t gen)
{
	char line[32];
	int n;

	for (;; gen++) {
		make(&want, gen);
		if (store_save(home, &want) != 0)
			return fail("save");
		/* One write(2) per line: a kill never leaves half a line. */
		n = snprintf(line, sizeof(line), "%llu\n",
		    (unsigned long long)gen);
		if (n <= 0 || write(1, line, (size_t)n) != n)
			return 1;
	}
}

static int
run_check(const char *home)
{
	int ret = store_load(home, &got);

	if (ret < 0)
		return fail("load");
	if (ret == 1) {
		printf("0\n");
		return 0;
	}
	make(&want, (uint64_t)got.access_iat);
	if (got.access_iat <= 0 || memcmp(&want, &got, sizeof(got)) != 0) {
		fprintf(stderr, "store_torture: store holds a mix, not "
		    "generation %lld\n", (long long)got.access_iat);
		return 1;
	}
	printf("%lld\n", (long long)got.access_iat);
	return 0;
}

int
main(int argc, char **argv)
{
	uint64_t start;

	if (argc == 4 && strcmp(argv[1], "save") == 0 &&
	    str_to_u64(argv[3], INT64_MAX / 2, &start) == 0 && start > 0)
		return run_save(argv[2], start);
	if (argc == 3 && strcmp(argv[1], "check") == 0)
		return run_check(argv[2]);
	fprintf(stderr, "usage: store_torture save HOME START | "
	    "check HOME\n");
	return 2;
}
