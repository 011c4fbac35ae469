/*
 * store_fs.c: where the store lives, the lock that serialises refreshes
 * across processes, and logout (see store.h).  Nothing under the home
 * directory is followed through a symbolic link or waited on as a FIFO.
 *
 * The lock is a flock() on <home>/lock; its holder writes its pid there
 * ("N\n", emptied again on unlock), so that a process that gives up
 * waiting can say who holds it.
 */
#include "cloud/store.h"
#include "base/errors.h"
#include "base/file.h"
#include "base/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int
store_home(char *out, size_t cap)
{
	const char *h = getenv("IKSCTL_HOME"), *what = "IKSCTL_HOME";
	int r;

	if (h == NULL || h[0] == '\0') {
		h = getenv("HOME");
		if (h == NULL || h[0] == '\0')
			return err_set(ERR_STORE, "HOME is not set: set IKSCTL_HOME "
			    "or HOME");
		what = "HOME/.iksctl";
	}
	r = h == getenv("IKSCTL_HOME") ? str_copy(out, cap, h, what) :
	    path_join(out, cap, h, ".iksctl");
	return r == 0 ? 0 : err_limit(what, "LIM_PATH_FS_BYTES", cap - 1);
}

int
store_subdir(char *out, size_t cap, const char *home, const char *name,
    int create)
{
	struct stat st;
	int r;

	if ((r = path_join(out, cap, home, name)) != 0)
		return r;
	if (lstat(out, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : err_set(ERR_STORE, "%s is a %s, "
		    "not a directory; run 'iksctl logout' to remove it", out,
		    file_kind(st.st_mode));
	return create ? dir_ensure(out, 0700) : 1;
}

/* ms_since: milliseconds elapsed on the monotonic clock since t0. */
static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)(t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * lock_mark: empty the lock file fd, then write pid ("N\n") unless 0.
 * The fd is store_lock()'s own, opened for this lock: at offset 0.
 */
static int
lock_mark(int fd, int pid)
{
	char b[16];
	int n = pid > 0 ? snprintf(b, sizeof(b), "%d\n", pid) : 0;

	if (ftruncate(fd, 0) != 0 || n < 0 || n >= (int)sizeof(b))
		return -1;
	return n > 0 && write(fd, b, (size_t)n) != n ? -1 : 0;
}

/* lock_busy: the error of a waiter that gave up on the lock of fd. */
static int
lock_busy(int fd, int timeout_ms)
{
	char b[24];
	ssize_t n = pread(fd, b, sizeof(b) - 1, 0);
	size_t k;

	b[n > 0 ? n : 0] = '\0';
	k = strspn(b, "0123456789");   /* the holder's "N\n" */
	if (b[k] != '\n' || b[k + 1] != '\0')
		k = 0;
	return err_set(ERR_STORE_LOCK, "the store is locked by %s%.*s: gave up "
	    "after %d %s", k ? "pid " : "another process", (int)k, b,
	    timeout_ms % 1000 ? timeout_ms : timeout_ms / 1000,
	    timeout_ms % 1000 ? "ms" : "s");
}

int
store_lock(const char *home, int *fd, int timeout_ms)
{
	struct timespec t0, nap = { 0, 5 * 1000 * 1000 };
	char path[LIM_PATH_FS_BYTES];
	struct stat st;
	int ret, e;

	*fd = -1;
	ret = dir_ensure(home, 0700);
	if (ret == 0)
		ret = path_join(path, sizeof(path), home, "lock");
	if (ret != 0)
		goto out;
	ret = ERR_IO;
	/* Never through a link, never blocked by a FIFO: regular only. */
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK, 0600);
	if (*fd < 0 || fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		e = errno;
		if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
			ret = err_set(ERR_STORE, "lock %s is a %s, not a regular "
			    "file; run 'iksctl logout'", path,
			    file_kind(st.st_mode));
		else
			ret = err_set(ERR_IO, "open %s: %s", path, strerror(e));
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			err_set(ERR_IO, "lock %s: %s", path, strerror(errno));
			goto out;
		}
		if (ms_since(&t0) >= timeout_ms) {
			ret = lock_busy(*fd, timeout_ms);
			goto out;
		}
		nanosleep(&nap, NULL);
	}
	(void)lock_mark(*fd, (int)getpid());   /* best effort */
	ret = 0;
out:
	if (ret != 0 && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	return ret;
}

void
store_unlock(int fd)
{
	if (fd < 0)
		return;
	(void)lock_mark(fd, 0);   /* no stale pid (logout's fd is read-only) */
	flock(fd, LOCK_UN);
	close(fd);
}

/*
 * remove_one: remove what is at path whatever it is (a link itself, not
 * its target; a folder with all it holds).  A lock another iksctl holds
 * right now is left alone: removing it would let a third process take a
 * second lock.  Returns 1 if something was there, 0 if not, or ERR_IO.
 */
static int
remove_one(char *path, int lock)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : err_set(ERR_IO, "remove %s: %s",
		    path, strerror(errno));
	fd = -1;
	if (lock && S_ISREG(st.st_mode)) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
			close(fd);
			return 0;
		}
	}
	r = file_remove_tree(path, strlen(path));
	store_unlock(fd);
	return r != 0 ? r : 1;
}

int
store_remove(const char *home)
{
	static const char *const names[] = { "store", "lock", "clusters",
	    "kube" };
	char path[LIM_PATH_FS_BYTES];
	size_t i;
	int ret = 0, n = 0;

	for (i = 0; ret >= 0 && i < sizeof(names) / sizeof(names[0]); i++) {
		ret = path_join(path, sizeof(path), home, names[i]);
		if (ret == 0 && i == 0)
			file_temp_clean(path);
		if (ret == 0)
			ret = remove_one(path, i == 1);
		if (ret > 0 && i != 1)
			n++;   /* the lock alone is no login */
	}
	return ret < 0 ? ret : n;
}
