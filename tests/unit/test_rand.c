/*
 * test_rand.c: src/base/rand.c: numbers from getrandom() that differ
 * call to call and between processes started alike (two children forked
 * at the same instant, which share the parent's time and, as pid 1 of
 * identical containers would, every input but the kernel's), and
 * rand_below() stays in range and reaches both ends.
 */
#include "base/rand.h"
#include "test.h"

#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

TEST(test_differ)
{
	uint64_t a = rand_u64(), b = rand_u64();

	CHECK(a != b);
}

/* child_value: a forked child's first rand_u64(), through a pipe. */
static uint64_t
child_value(void)
{
	uint64_t v = 0;
	int p[2];
	pid_t pid;

	if (pipe(p) != 0)
		return 0;
	pid = fork();
	if (pid == 0) {
		v = rand_u64();
		_exit(write(p[1], &v, sizeof(v)) == (ssize_t)sizeof(v) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], &v, sizeof(v)) != (ssize_t)sizeof(v))
		v = 0;
	close(p[0]);
	waitpid(pid, NULL, 0);
	return v;
}

TEST(test_forks_differ)
{
	uint64_t a = child_value(), b = child_value();

	CHECK(a != 0 && b != 0 && a != b);
}

TEST(test_below)
{
	int seen[7] = { 0 }, k, bad = 0;
	uint64_t v;

	for (k = 0; k < 7000; k++) {
		v = rand_below(7);
		if (v >= 7)
			bad++;
		else
			seen[v]++;
	}
	CHECK_EQ_INT(bad, 0);
	for (k = 0; k < 7; k++)
		CHECK(seen[k] > 700);   /* about 1000 each */
	CHECK(rand_below(1) == 0);
}

int
main(void)
{
	RUN(test_differ);
	RUN(test_forks_differ);
	RUN(test_below);
	return test_done();
}
