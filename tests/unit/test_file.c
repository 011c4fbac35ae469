/*
 * test_file.c: the file helpers under the store (src/base/file.c):
 * whole-file reads, crash-safe atomic writes and their temporary files,
 * targets of the wrong kind (FIFO, socket, directory, device, links),
 * regular-file reads that never follow a link or block on a FIFO,
 * directories and paths.  Everything happens in a fresh directory.
 */
#include "base/errors.h"
#include "base/limits.h"
#include "base/file.h"
#include "fs_helpers.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>

TEST(test_file_read)
{
	char buf[8];
	size_t n = 99;

	CHECK_EQ_INT(file_read(at("nope"), buf, sizeof(buf), &n), 1);
	CHECK_EQ_INT(n, 0);
	put_file(at("seven"), "1234567", 7);
	CHECK_EQ_INT(file_read(at("seven"), buf, sizeof(buf), &n), 0);
	CHECK_EQ_INT(n, 7);
	CHECK_STR(buf, "1234567");
	put_file(at("eight"), "12345678", 8);
	CHECK_EQ_INT(file_read(at("eight"), buf, sizeof(buf), &n), ERR_LIMIT);
	CHECK(strstr(err_detail(), "over 7 bytes") != NULL);
	CHECK_EQ_INT(file_read(root, buf, sizeof(buf), &n), ERR_IO);
	CHECK(strstr(err_detail(), root) != NULL);
}

TEST(test_write_atomic)
{
	char name[300], buf[64];
	size_t n;
	pid_t pid;

	put_file(at("aw"), "old", 3);
	CHECK_EQ_INT(file_write_atomic(at("aw"), "new!", 4, 0640), 0);
	CHECK_EQ_INT(file_read(at("aw"), buf, sizeof(buf), &n), 0);
	CHECK_STR(buf, "new!");
	CHECK_EQ_INT(mode_of(at("aw")), 0640);
	/* The temporary name does not fit (ENAMETOOLONG): old file kept. */
	memset(name, 'n', 250);
	name[250] = '\0';
	put_file(at(name), "old", 3);
	CHECK_EQ_INT(file_write_atomic(at(name), "new", 3, 0600), ERR_IO);
	CHECK_EQ_INT(file_read(at(name), buf, sizeof(buf), &n), 0);
	CHECK_STR(buf, "old");
	/* The target is a directory: refused, no temp file made. */
	CHECK_EQ_INT(dir_ensure(at("awdir/target/sub"), 0700), 0);
	CHECK_EQ_INT(file_write_atomic(at("awdir/target"), "x", 1, 0600),
	    ERR_IO);
	CHECK(strstr(err_detail(), "is a directory, not a regular file") !=
	    NULL);
	CHECK_EQ_INT(count_temps(at("awdir")), 0);
	/* A read-only directory (root ignores modes: skipped for root). */
	if (geteuid() != 0) {
		put_file(at("awdir/ro"), "old", 3);
		chmod(at("awdir"), 0500);
		CHECK_EQ_INT(file_write_atomic(at("awdir/ro"), "new", 3, 0600),
		    ERR_IO);
		CHECK(strstr(err_detail(), "EACCES") != NULL);
		chmod(at("awdir"), 0700);
		CHECK_EQ_INT(file_read(at("awdir/ro"), buf, sizeof(buf), &n),
		    0);
		CHECK_STR(buf, "old");
		CHECK_EQ_INT(count_temps(at("awdir")), 0);
	}
	/* Stale temp files of a dead writer go; others stay. */
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	snprintf(name, sizeof(name), "awdir/.f.tmp-%ld-3", (long)pid);
	put_file(at(name), "x", 1);
	snprintf(name, sizeof(name), "awdir/.f.tmp-%ld-7", (long)getpid());
	put_file(at(name), "x", 1);
	put_file(at("awdir/.g.tmp-999999999-1"), "x", 1);
	CHECK_EQ_INT(count_temps(at("awdir")), 3);
	CHECK_EQ_INT(file_write_atomic(at("awdir/f"), "x", 1, 0600), 0);
	CHECK_EQ_INT(count_temps(at("awdir")), 2);
	CHECK(exists(at(name)));
	CHECK(exists(at("awdir/.g.tmp-999999999-1")));
}

/* mksock: a unix socket bound at path (left open: it is only a name). */
static void
mksock(const char *path)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	close(fd);
}

TEST(test_file_kinds)
{
	static const char *const kinds[][2] = {
		{ "fk/fifo", "is a FIFO, not a regular file" },
		{ "fk/sock", "is a socket, not a regular file" },
		{ "fk/dir", "is a directory, not a regular file" },
		{ "fk/tofifo", "is a FIFO, not a regular file" },
		{ "fk/null", "is a device, not a regular file" },
	};
	char buf[16];
	size_t k, n;

	CHECK_EQ_INT(dir_ensure(at("fk/dir"), 0700), 0);
	CHECK(mkfifo(at("fk/fifo"), 0600) == 0);
	mksock(at("fk/sock"));
	CHECK(symlink("fifo", at("fk/tofifo")) == 0);
	/* A char device only where root can make one in the temp dir. */
	if (mknod(at("fk/null"), S_IFCHR | 0600, makedev(1, 3)) != 0)
		fprintf(stderr, "skip: no mknod (not root)\n");
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if (!exists(at(kinds[k][0])))
			continue;
		CHECK_EQ_INT(file_check_target(at(kinds[k][0])), ERR_IO);
		CHECK(strstr(err_detail(), kinds[k][1]) != NULL);
		CHECK(strstr(err_detail(), at(kinds[k][0])) != NULL);
		CHECK_EQ_INT(file_write_atomic(at(kinds[k][0]), "x", 1, 0600),
		    ERR_IO);
		CHECK(strstr(err_detail(), kinds[k][1]) != NULL);
		CHECK_EQ_INT(count_temps(at("fk")), 0);
	}
	{
		struct stat st;

		CHECK(lstat(at("fk/fifo"), &st) == 0 && S_ISFIFO(st.st_mode));
		CHECK(lstat(at("fk/tofifo"), &st) == 0 && S_ISLNK(st.st_mode));
	}
	/* Missing or non-directory parents, then the fine cases. */
	CHECK_EQ_INT(file_check_target(at("fk/nodir/f")), ERR_IO);
	CHECK(strstr(err_detail(), at("fk/nodir")) != NULL);
	put_file(at("fk/reg"), "r", 1);
	CHECK_EQ_INT(file_check_target(at("fk/reg/f")), ERR_IO);
	CHECK_EQ_INT(file_check_target(at("fk/reg")), 0);
	CHECK_EQ_INT(file_check_target(at("fk/new")), 0);
	CHECK(symlink("nowhere", at("fk/dangling")) == 0);
	CHECK_EQ_INT(file_check_target(at("fk/dangling")), 0);
	/* file_read_regular: a FIFO does not block, a link is not followed. */
	CHECK_EQ_INT(file_read_regular(at("fk/fifo"), buf, sizeof(buf), &n),
	    ERR_IO);
	CHECK(strstr(err_detail(), "is a FIFO") != NULL);
	CHECK(symlink("reg", at("fk/toreg")) == 0);
	CHECK_EQ_INT(file_read_regular(at("fk/toreg"), buf, sizeof(buf), &n),
	    ERR_IO);
	CHECK(strstr(err_detail(), "is a symbolic link") != NULL);
	CHECK_EQ_INT(file_read_regular(at("fk/dir"), buf, sizeof(buf), &n),
	    ERR_IO);
	CHECK_EQ_INT(file_read_regular(at("fk/reg"), buf, sizeof(buf), &n), 0);
	CHECK_STR(buf, "r");
	CHECK_EQ_INT(file_read_regular(at("fk/none"), buf, sizeof(buf), &n), 1);
	/* file_read still reads through a link (credential files). */
	CHECK_EQ_INT(file_read(at("fk/toreg"), buf, sizeof(buf), &n), 0);
}

TEST(test_dirs_and_paths)
{
	char out[16], f[1024];

	snprintf(f, sizeof(f), "%s/dj/file", root);

	CHECK_EQ_INT(dir_ensure(at("dj/a/b/c/"), 0700), 0);
	CHECK_EQ_INT(mode_of(at("dj/a/b/c")), 0700);
	CHECK_EQ_INT(dir_ensure(at("dj/a/b/c"), 0755), 0);
	CHECK_EQ_INT(mode_of(at("dj/a/b/c")), 0700);
	put_file(f, "x", 1);
	CHECK_EQ_INT(dir_ensure(f, 0700), ERR_IO);
	CHECK_EQ_INT(dir_ensure(at("dj/file/sub"), 0700), ERR_IO);
	CHECK_EQ_INT(path_join(out, sizeof(out), "/a/", "b"), 0);
	CHECK_STR(out, "/a/b");
	CHECK_EQ_INT(path_join(out, sizeof(out), "/a", "b"), 0);
	CHECK_STR(out, "/a/b");
	CHECK_EQ_INT(path_join(out, sizeof(out), "0123456789", "abcd"), 0);
	CHECK_EQ_INT(path_join(out, sizeof(out), "0123456789", "abcde"),
	    ERR_LIMIT);
	CHECK_STR(out, "");
}

/* path_abs: by the text alone, against the working directory. */
TEST(test_path_abs)
{
	static const char *cases[][2] = {
		{ "/a/b", "/a/b" }, { "/a//b/", "/a/b" }, { "/a/./b/.", "/a/b" },
		{ "/a/b/../c", "/a/c" }, { "/../..", "/" }, { "/", "/" },
		{ "//", "/" }, { "/a/..", "/" }, { "/a/b/../../..", "/" },
		{ "/a/.b/..c/...", "/a/.b/..c/..." },
	};
	char out[64], cwd[LIM_PATH_FS_BYTES], want[LIM_PATH_FS_BYTES + 8];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_EQ_INT(path_abs(out, sizeof(out), cases[i][0]), 0);
		CHECK_STR(out, cases[i][1]);
	}
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(want, sizeof(want), "%s/x/y", strcmp(cwd, "/") ? cwd : "");
	CHECK_EQ_INT(path_abs(out, sizeof(out), "./x//y"), strlen(want) < 64 ? 0 :
	    ERR_LIMIT);
	if (strlen(want) < 64)
		CHECK_STR(out, want);
	/* A link is kept as it is (realpath would resolve it). */
	CHECK_EQ_INT(path_abs(out, sizeof(out), "/proc/self/cwd/z"), 0);
	CHECK_STR(out, "/proc/self/cwd/z");
	/* Too long for out: an error, never a cut path. */
	CHECK_EQ_INT(path_abs(out, 8, "/abcdefgh"), ERR_LIMIT);
	CHECK_EQ_INT(path_abs(out, 8, "/abc/../abcdef"), 0);
	CHECK_STR(out, "/abcdef");
}

TEST(test_lock)
{
	char lock[LIM_PATH_FS_BYTES], lock2[LIM_PATH_FS_BYTES], path[300];
	struct stat st;
	sigset_t cur;

	snprintf(path, sizeof(path), "%s", at("kc"));
	CHECK_EQ_INT(file_lock(path, lock, sizeof(lock), 0), 0);
	CHECK(strstr(lock, "/kc.lock") != NULL);
	CHECK_EQ_INT(stat(lock, &st), 0);
	/* Ctrl-C waits while the lock is held, then comes. */
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(sigismember(&cur, SIGINT) && sigismember(&cur, SIGTERM));
	file_unlock(lock);
	CHECK(stat(lock, &st) != 0);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(!sigismember(&cur, SIGINT) && !sigismember(&cur, SIGTERM));
	/* Held by another (kubectl): refused after the wait, left to it. */
	put_file(lock, "", 0);
	CHECK_EQ_INT(file_lock(path, lock2, sizeof(lock2), 30), ERR_FAIL);
	CHECK(strstr(err_detail(), "kc.lock exists") != NULL);
	CHECK_EQ_INT(stat(lock, &st), 0);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(!sigismember(&cur, SIGINT));
	unlink(lock);
	CHECK_EQ_INT(file_lock(path, lock2, sizeof(lock2), 0), 0);
	file_unlock(lock2);
	/* No directory: ERR_IO at once; a name too long: ERR_LIMIT. */
	CHECK_EQ_INT(file_lock(at("no/kc"), lock, sizeof(lock), 1000), ERR_IO);
	CHECK_EQ_INT(file_lock(path, lock, 8, 0), ERR_LIMIT);
}

TEST(test_path_exe)
{
	char out[LIM_PATH_FS_BYTES], want[LIM_PATH_FS_BYTES];
	char *old = getenv("PATH");

	CHECK_EQ_INT(path_exe(out, sizeof(out), "/a/./b/../iksctl"), 0);
	CHECK_STR(out, "/a/iksctl");
	/* A bare name: found on PATH, a link there kept as it is. */
	CHECK_EQ_INT(mkdir(at("bin"), 0700), 0);
	put_file(at("bin/iksctl.real"), "x", 1);
	chmod(at("bin/iksctl.real"), 0755);
	CHECK_EQ_INT(symlink("iksctl.real", at("bin/iksctl")), 0);
	snprintf(want, sizeof(want), "/nowhere:%s", at("bin"));
	setenv("PATH", want, 1);
	CHECK_EQ_INT(path_exe(out, sizeof(out), "iksctl"), 0);
	CHECK_STR(out, at("bin/iksctl"));
	/* Not on PATH: the caller is to say so. */
	CHECK_EQ_INT(path_exe(out, sizeof(out), "no-such-iksctl"), ERR_IO);
	setenv("PATH", old != NULL ? old : "/bin", 1);
}

int
main(void)
{
	if (root_make("test_file") != 0)
		return 1;
	RUN(test_file_read);
	RUN(test_write_atomic);
	RUN(test_file_kinds);
	RUN(test_dirs_and_paths);
	RUN(test_path_abs);
	RUN(test_lock);
	RUN(test_path_exe);
	rm_tree(root);
	return test_done();
}
