/*
 * test_wait_args.c: what `--wait-timeout` and `--until` accept
 * (src/cloud/wait.c): durations as ibmcloud and Terraform write them,
 * the four targets, and everything else refused.
 */
#include "test.h"

#include "base/errors.h"
#include "cloud/wait.h"

TEST(test_durations)
{
	static const struct { const char *s; int64_t v; } good[] = {
		{ "90m", 5400 }, { "45m", 2700 }, { "30s", 30 }, { "2h", 7200 },
		{ "1h30m", 5400 }, { "1h0m5s", 3605 }, { "600", 600 }, { "1", 1 },
	};
	static const char *const bad[] = { "", "0", "0s", "m", "90x", "-5m",
	    "1.5h", "90m ", " 90m", "h1", "1hh", "999999999999s", NULL };
	int64_t v;
	size_t k;

	for (k = 0; k < sizeof(good) / sizeof(good[0]); k++) {
		v = -1;
		CHECK_EQ_INT(wait_duration(good[k].s, &v), 0);
		CHECK_EQ_INT(v, good[k].v);
	}
	for (k = 0; bad[k] != NULL; k++) {
		CHECK_EQ_INT(wait_duration(bad[k], &v), ERR_USAGE);
		CHECK(strstr(err_detail(), "use 90m") != NULL);
	}
}

TEST(test_targets)
{
	CHECK_EQ_INT(wait_until_parse("normal"), WAIT_NORMAL);
	CHECK_EQ_INT(wait_until_parse("master"), WAIT_MASTER);
	CHECK_EQ_INT(wait_until_parse("deleted"), WAIT_DELETED);
	CHECK_EQ_INT(wait_until_parse("version"), WAIT_VERSION);
	CHECK_EQ_INT(wait_until_parse("Normal"), -1);
	CHECK_EQ_INT(wait_until_parse(""), -1);
	CHECK_EQ_INT(wait_until_parse("ready"), -1);
}

int
main(void)
{
	RUN(test_durations);
	RUN(test_targets);
	return test_done();
}
