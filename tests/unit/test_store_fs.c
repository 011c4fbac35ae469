/*
 * test_store_fs.c: the token store in its folder: the mode warning, a
 * store or lock of the wrong kind, the cross-process lock and who holds
 * it, logout (store_remove) of every bad state, the home folder.
 * Everything happens in a fresh directory from mkdtemp.  The file's
 * contents: test_store.c.
 */
#include "base/errors.h"
#include "base/file.h"
#include "cloud/store.h"
#include "test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "fs_helpers.h"
#include "store_test.h"

static int
capture_load(const char *home, char *out, size_t cap)
{
	int saved = dup(2), fd, ret;
	size_t n;

	fflush(stderr);
	fd = open(at("stderr.txt"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	ret = store_load(home, &s2);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	if (file_read(at("stderr.txt"), out, cap, &n) != 0)
		out[0] = '\0';
	return ret;
}

TEST(test_mode_warning)
{
	HOME_AT("modes");
	char msg[1024];

	make_typical(&s1);
	CHECK_EQ_INT(store_save(home, &s1), 0);
	CHECK_EQ_INT(capture_load(home, msg, sizeof(msg)), 0);
	CHECK_STR(msg, "");
	chmod(at("modes/store"), 0644);
	chmod(home, 0755);
	CHECK_EQ_INT(capture_load(home, msg, sizeof(msg)), 0);
	CHECK(strstr(msg, "iksctl: warning: store ") != NULL);
	CHECK(strstr(msg, "chmod 600") != NULL);
	CHECK(strstr(msg, "chmod 700") != NULL);
	CHECK(memcmp(&s1, &s2, sizeof(s1)) == 0);
	/* Once per process. */
	CHECK_EQ_INT(capture_load(home, msg, sizeof(msg)), 0);
	CHECK_STR(msg, "");
	/* The next save makes the file private again. */
	CHECK_EQ_INT(store_save(home, &s1), 0);
	CHECK_EQ_INT(mode_of(at("modes/store")), 0600);
}

TEST(test_store_kinds)
{
	HOME_AT("sk");
	int fd = -1;

	make_typical(&s1);
	CHECK_EQ_INT(store_save(home, &s1), 0);
	CHECK(rename(at("sk/store"), at("sk-target")) == 0);
	CHECK(symlink(at("sk-target"), at("sk/store")) == 0);
	/* A store that is a link: refused, its target never read nor written. */
	CHECK_EQ_INT(store_load(home, &s2), ERR_STORE);
	CHECK(strstr(err_detail(), "is a symbolic link, not a regular file")
	    != NULL);
	CHECK(strstr(err_detail(), "iksctl logout") != NULL);
	CHECK_EQ_INT(store_save(home, &s1), ERR_STORE);
	CHECK_EQ_INT(store_load(at("sk-none"), &s2), 1);
	CHECK(unlink(at("sk/store")) == 0);
	CHECK(rename(at("sk-target"), at("sk/store")) == 0);
	CHECK_EQ_INT(store_load(home, &s2), 0);
	/* A FIFO store is an error at once, not a hang. */
	CHECK(unlink(at("sk/store")) == 0);
	CHECK(mkfifo(at("sk/store"), 0600) == 0);
	CHECK_EQ_INT(store_load(home, &s2), ERR_STORE);
	CHECK(strstr(err_detail(), "is a FIFO, not a regular file") != NULL);
	CHECK_EQ_INT(store_save(home, &s1), ERR_STORE);
	CHECK(unlink(at("sk/store")) == 0);
	/* A lock that is a link: refused, its target never created. */
	unlink(at("sk/lock"));
	CHECK(symlink(at("sk-lock-target"), at("sk/lock")) == 0);
	CHECK_EQ_INT(store_lock(home, &fd, 100), ERR_STORE);
	CHECK(strstr(err_detail(), "symbolic link") != NULL);
	CHECK_EQ_INT(fd, -1);
	CHECK(!exists(at("sk-lock-target")));
	CHECK(unlink(at("sk/lock")) == 0);
	CHECK(mkfifo(at("sk/lock"), 0600) == 0);
	CHECK_EQ_INT(store_lock(home, &fd, 100), ERR_STORE);
	CHECK(strstr(err_detail(), "FIFO") != NULL);
	CHECK(unlink(at("sk/lock")) == 0);
	CHECK_EQ_INT(store_lock(home, &fd, 100), 0);
	store_unlock(fd);
}

/*
 * fork_holder: a child that takes the lock of home and holds it until
 * *release is closed; returns once it holds it (pid, or -1).
 */
static pid_t
fork_holder(const char *home, int *release)
{
	int up[2], down[2], fd = -1;
	char c = 0;
	pid_t pid;

	if (pipe(up) != 0 || pipe(down) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		if (store_lock(home, &fd, 1000) != 0)
			_exit(1);
		if (write(up[1], "L", 1) != 1)
			_exit(1);
		if (read(down[0], &c, 1) < 0)
			_exit(1);
		store_unlock(fd);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	*release = down[1];
	if (read(up[0], &c, 1) != 1)
		pid = -1;
	close(up[0]);
	return pid;
}

TEST(test_lock)
{
	HOME_AT("lock");
	int release = -1, fd = -1, fd2 = -1;
	struct timespec t0, t1;
	long ms;
	pid_t pid;

	CHECK((pid = fork_holder(home, &release)) > 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ_INT(store_lock(home, &fd, 150), ERR_STORE_LOCK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= 150 && ms < 2000);
	CHECK_EQ_INT(fd, -1);
	close(release);  /* the child unlocks and exits */
	CHECK_EQ_INT(store_lock(home, &fd, 5000), 0);
	CHECK(fd >= 0);
	/* Held here now: a second open file cannot take it. */
	CHECK_EQ_INT(store_lock(home, &fd2, 0), ERR_STORE_LOCK);
	store_unlock(fd);
	CHECK_EQ_INT(store_lock(home, &fd2, 0), 0);
	store_unlock(fd2);
	store_unlock(-1);
	waitpid(pid, NULL, 0);
	CHECK_EQ_INT(mode_of(at("lock/lock")), 0600);
}

/* lock_text: what the lock file at path holds, NUL-terminated. */
static const char *
lock_text(const char *path)
{
	static char b[64];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, b, sizeof(b) - 1) : -1;

	if (fd >= 0)
		close(fd);
	b[n > 0 ? n : 0] = '\0';
	return b;
}

/* The holder's pid in the lock file, and the waiter's message naming it. */
TEST(test_lock_holder)
{
	HOME_AT("holder");
	int release = -1, fd = -1;
	char want[128];
	pid_t pid;

	CHECK_EQ_INT(store_lock(home, &fd, 100), 0);
	snprintf(want, sizeof(want), "%d\n", (int)getpid());
	CHECK_STR(lock_text(at("holder/lock")), want);
	store_unlock(fd);
	CHECK_STR(lock_text(at("holder/lock")), "");
	/* A long stale text is replaced whole, not overwritten in part. */
	put_file(at("holder/lock"), "99999999999\n", 12);
	CHECK_EQ_INT(store_lock(home, &fd, 100), 0);
	CHECK_STR(lock_text(at("holder/lock")), want);
	store_unlock(fd);

	CHECK((pid = fork_holder(home, &release)) > 0);
	CHECK_EQ_INT(store_lock(home, &fd, 120), ERR_STORE_LOCK);
	snprintf(want, sizeof(want), "the store is locked by pid %d: gave up "
	    "after 120 ms", (int)pid);
	CHECK_STR(err_detail(), want);
	CHECK_EQ_INT(store_lock(home, &fd, 1000), ERR_STORE_LOCK);
	snprintf(want, sizeof(want), "the store is locked by pid %d: gave up "
	    "after 1 s", (int)pid);
	CHECK_STR(err_detail(), want);
	CHECK_EQ_INT(err_exit_status(ERR_STORE_LOCK), EXIT_FAIL);
	/* A pid it cannot read: "another process". */
	put_file(at("holder/lock"), "12ab\n", 5);
	CHECK_EQ_INT(store_lock(home, &fd, 50), ERR_STORE_LOCK);
	CHECK_STR(err_detail(), "the store is locked by another process: gave "
	    "up after 50 ms");
	put_file(at("holder/lock"), "", 0);
	CHECK_EQ_INT(store_lock(home, &fd, 50), ERR_STORE_LOCK);
	CHECK_STR(err_detail(), "the store is locked by another process: gave "
	    "up after 50 ms");
	close(release);
	waitpid(pid, NULL, 0);
	CHECK_EQ_INT(store_lock(home, &fd, 1000), 0);
	store_unlock(fd);
}

TEST(test_remove)
{
	HOME_AT("rm");

	make_typical(&s1);
	CHECK_EQ_INT(store_save(home, &s1), 0);
	CHECK_EQ_INT(dir_ensure(at("rm/clusters/keep"), 0700), 0);
	CHECK_EQ_INT(dir_ensure(at("rm/kube"), 0700), 0);
	put_file(at("rm/clusters/c1.yml"), "x", 1);
	put_file(at("rm/clusters/ca-c1.pem"), "x", 1);
	put_file(at("rm/kube/c1"), "x", 1);
	put_file(at("rm/.store.tmp-999999999-1"), "x", 1);
	CHECK_EQ_INT(store_remove(home), 3);
	CHECK(!exists(at("rm/store")));
	CHECK(!exists(at("rm/clusters/c1.yml")));
	CHECK(!exists(at("rm/clusters/ca-c1.pem")));
	CHECK(!exists(at("rm/clusters")));
	CHECK(!exists(at("rm/kube")));
	CHECK(!exists(at("rm/.store.tmp-999999999-1")));
	CHECK(exists(home));
	CHECK_EQ_INT(store_load(home, &s2), 1);
	CHECK_EQ_INT(store_remove(home), 0);
	CHECK_EQ_INT(store_remove(at("never")), 0);
}

/* home_empty: 1 if home holds nothing (what ls -A shows). */
static int
home_empty(const char *home)
{
	struct dirent *e;
	DIR *d = opendir(home);
	int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n == 0;
}

TEST(test_remove_bad_states)
{
	HOME_AT("rb");
	char buf[64];
	size_t n;
	int fd = -1;

	/* Corrupt, newer, with its lock, a dead writer's temp, kube files. */
	CHECK_EQ_INT(dir_ensure(at("rb/kube"), 0700), 0);
	CHECK_EQ_INT(dir_ensure(at("rb/clusters"), 0700), 0);
	put_file(at("rb/store"), "iksctl-store 1\ngarbage\n", 23);
	CHECK_EQ_INT(store_load(home, &s2), ERR_STORE);
	CHECK_EQ_INT(store_lock(home, &fd, 100), 0);
	store_unlock(fd);
	put_file(at("rb/.store.tmp-999999999-1"), "x", 1);
	put_file(at("rb/kube/c.yaml"), "x", 1);
	put_file(at("rb/kube/.c.yaml.tmp-999999999-1"), "x", 1);
	put_file(at("rb/clusters/cid"), "x", 1);
	CHECK_EQ_INT(store_remove(home), 3);
	CHECK(home_empty(home));
	put_file(at("rb/store"), "iksctl-store 9\nx\n", 17);
	CHECK_EQ_INT(store_load(home, &s2), ERR_STORE_VERSION);
	CHECK(strstr(err_detail(), "iksctl logout") != NULL);
	CHECK_EQ_INT(store_remove(home), 1);
	CHECK(home_empty(home));
	/* Links: the link goes, its target stays (a file, a folder). */
	put_file(at("rb-target"), "keep", 4);
	CHECK_EQ_INT(dir_ensure(at("rb-dir"), 0700), 0);
	put_file(at("rb-dir/f"), "keep", 4);
	CHECK(symlink(at("rb-target"), at("rb/store")) == 0);
	CHECK(symlink(at("rb-target"), at("rb/lock")) == 0);
	CHECK(symlink(at("rb-dir"), at("rb/kube")) == 0);
	CHECK(symlink(at("rb-dir"), at("rb/clusters")) == 0);
	CHECK_EQ_INT(store_remove(home), 3);
	CHECK(home_empty(home));
	CHECK_EQ_INT(file_read(at("rb-target"), buf, sizeof(buf), &n), 0);
	CHECK_STR(buf, "keep");
	CHECK(exists(at("rb-dir/f")));
	/* A FIFO store, a FIFO lock. */
	CHECK(mkfifo(at("rb/store"), 0600) == 0);
	CHECK(mkfifo(at("rb/lock"), 0600) == 0);
	CHECK_EQ_INT(store_remove(home), 1);
	CHECK(home_empty(home));
	/* A lock held right now stays; the store goes. */
	CHECK_EQ_INT(store_save(home, &s1), 0);
	CHECK_EQ_INT(store_lock(home, &fd, 100), 0);
	CHECK_EQ_INT(store_remove(home), 1);
	CHECK(!exists(at("rb/store")));
	CHECK(exists(at("rb/lock")));
	store_unlock(fd);
	CHECK_EQ_INT(store_remove(home), 0);
	CHECK(home_empty(home));
	/* A folder at the store's path goes whole: a sub-folder, a link
	 * (not followed), a FIFO, a file. */
	CHECK_EQ_INT(dir_ensure(at("rb/store/sub/deeper"), 0700), 0);
	put_file(at("rb/store/sub/deeper/f"), "x", 1);
	put_file(at("rb/store/f"), "x", 1);
	CHECK(mkfifo(at("rb/store/fifo"), 0600) == 0);
	CHECK(symlink(at("rb-dir"), at("rb/store/link")) == 0);
	CHECK_EQ_INT(store_remove(home), 1);
	CHECK(home_empty(home));
	CHECK(exists(at("rb-dir/f")));
}

TEST(test_home)
{
	char out[64];

	setenv("IKSCTL_HOME", "/some/where", 1);
	CHECK_EQ_INT(store_home(out, sizeof(out)), 0);
	CHECK_STR(out, "/some/where");
	setenv("IKSCTL_HOME", "", 1);
	setenv("HOME", "/home/fake", 1);
	CHECK_EQ_INT(store_home(out, sizeof(out)), 0);
	CHECK_STR(out, "/home/fake/.iksctl");
	unsetenv("IKSCTL_HOME");
	CHECK_EQ_INT(store_home(out, 10), ERR_LIMIT);
	CHECK(strstr(err_detail(), "HOME/.iksctl over LIM_PATH_FS_BYTES = 9")
	    != NULL);
	setenv("IKSCTL_HOME", "/a/path/of/over/sixty-three/bytes/......"
	    "..............................", 1);
	CHECK_EQ_INT(store_home(out, sizeof(out)), ERR_LIMIT);
	CHECK(strstr(err_detail(), "IKSCTL_HOME over LIM_PATH_FS_BYTES = 63")
	    != NULL);
	unsetenv("IKSCTL_HOME");
	unsetenv("HOME");
	CHECK_EQ_INT(store_home(out, sizeof(out)), ERR_STORE);
	CHECK_STR(err_detail(), "HOME is not set: set IKSCTL_HOME or HOME");
	setenv("HOME", "", 1);
	CHECK_EQ_INT(store_home(out, sizeof(out)), ERR_STORE);
}

int
main(void)
{
	if (root_make("test_store_fs") != 0)
		return 1;
	RUN(test_mode_warning);
	RUN(test_store_kinds);
	RUN(test_lock);
	RUN(test_lock_holder);
	RUN(test_remove);
	RUN(test_remove_bad_states);
	RUN(test_home);
	rm_tree(root);
	return test_done();
}
