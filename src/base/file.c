/*
 * file.c: whole-file reads, crash-safe replacement of a file, and the
 * few directory operations iksctl needs (see file.h).  Every path lives
 * in a caller's buffer or a LIM_PATH_FS_BYTES array on the stack.
 */
#include "base/file.h"
#include "base/errors.h"
#include "base/limits.h"
#include "base/str.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static unsigned long temp_counter;  /* makes temporary names unique */

static int dir_of(const char *path, const char *base, char *dir, size_t cap);

/* errno_name: the symbol of the errnos a user can act on, else "". */
static const char *
errno_name(int e)
{
	switch (e) {
	case ENOSPC:
		return " (ENOSPC)";
	case EDQUOT:
		return " (EDQUOT)";
	case EROFS:
		return " (EROFS)";
	case EACCES:
		return " (EACCES)";
	default:
		return "";
	}
}

/* io_fail: record ERR_IO for op on path from errno; returns ERR_IO. */
static int
io_fail(const char *op, const char *path)
{
	int e = errno;

	return err_set(ERR_IO, "%s %s: %s%s", op, path, strerror(e),
	    errno_name(e));
}

int
path_join(char *out, size_t cap, const char *dir, const char *name)
{
	size_t n = strlen(dir);
	int r;

	r = snprintf(out, cap, "%s%s%s", dir,
	    n > 0 && dir[n - 1] == '/' ? "" : "/", name);
	if (r < 0 || (size_t)r >= cap) {
		if (cap > 0)
			out[0] = '\0';
		return err_set(ERR_LIMIT, "path %s/%s over %zu bytes", dir,
		    name, cap > 0 ? cap - 1 : 0);
	}
	return 0;
}

int
path_abs(char *out, size_t cap, const char *path)
{
	char in[LIM_PATH_FS_BYTES];
	const char *p, *e;
	size_t n = 0, k;
	int r;

	in[0] = '\0';
	if (path[0] != '/' && getcwd(in, sizeof(in) - 1) == NULL)
		return err_set(ERR_IO, "the working directory: %s", strerror(errno));
	n = strlen(in);
	if ((r = str_copy(in + n + 1, sizeof(in) - n - 1, path, "path")) != 0)
		return r;
	in[n] = '/';    /* a doubled '/' is fine: empty components go */
	n = 0;
	/* Each component once: "." dropped, ".." takes the last one back. */
	for (p = in; *p != '\0'; p = e) {
		while (*p == '/')
			p++;
		for (e = p; *e != '\0' && *e != '/'; e++)
			;
		k = (size_t)(e - p);
		if (k == 0 || (k == 1 && p[0] == '.'))
			continue;
		if (k == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 0 && out[--n] != '/')
				;
			continue;
		}
		if (n + k + 2 > cap)
			return err_set(ERR_LIMIT, "path %s over %zu bytes", path,
			    cap - 1);
		out[n++] = '/';
		memcpy(out + n, p, k);
		n += k;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return 0;
}

int
path_exe(char *out, size_t cap, const char *argv0)
{
	const char *p = getenv("PATH");
	ssize_t n;

	if (strchr(argv0, '/') != NULL)
		return path_abs(out, cap, argv0);
	/* A bare name: the first on PATH, as the shell found it. */
	for (; p != NULL && *p != '\0'; p += n + (p[n] == ':')) {
		n = (ssize_t)strcspn(p, ":");
		if ((size_t)snprintf(out, cap, "%.*s/%s", n ? (int)n : 1,
		    n ? p : ".", argv0) < cap && access(out, X_OK) == 0)
			return path_abs(out, cap, out);  /* it copies first */
	}
	return ERR_IO;
}

int
path_follow(char *path, size_t cap)
{
	char t[LIM_PATH_FS_BYTES], d[LIM_PATH_FS_BYTES];
	const char *base;
	ssize_t n;
	int hops, r;

	for (hops = 0; hops < 40; hops++) {
		n = readlink(path, t, sizeof(t) - 1);
		if (n < 0)
			return errno == EINVAL || errno == ENOENT ? 0 :
			    io_fail("readlink", path);
		t[n] = '\0';
		base = strrchr(path, '/');
		base = base ? base + 1 : path;
		if (t[0] == '/')
			r = str_copy(path, cap, t, "link target");
		else if ((r = dir_of(path, base, d, sizeof(d))) == 0)
			r = path_join(path, cap, d, t);
		if (r != 0)
			return r;
	}
	return err_set(ERR_IO, "%s: too many symbolic links", path);
}

const char *
file_kind(mode_t m)
{
	return S_ISREG(m) ? "regular file" : S_ISDIR(m) ? "directory" :
	    S_ISFIFO(m) ? "FIFO" : S_ISSOCK(m) ? "socket" :
	    S_ISLNK(m) ? "symbolic link" : "device";
}

/* not_regular: ERR_IO "<path> is a <kind>, not a regular file". */
static int
not_regular(const char *path, mode_t m)
{
	return err_set(ERR_IO, "%s is a %s, not a regular file", path,
	    file_kind(m));
}

/* kind_check: 0 if path is missing or (through links) a regular file. */
static int
kind_check(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno == ENOENT ? 0 : io_fail("stat", path);
	return S_ISREG(st.st_mode) ? 0 : not_regular(path, st.st_mode);
}

/*
 * read_path: file_read, or with only_reg file_read_regular: the last
 * component is not followed (O_NOFOLLOW), a FIFO does not block the
 * open (O_NONBLOCK) and anything but a regular file is refused.
 */
static int
read_path(const char *path, char *buf, size_t cap, size_t *len, int only_reg)
{
	struct stat st;
	size_t n = 0;
	ssize_t r;
	char extra;
	int fd, ret = ERR_IO;

	assert(cap > 0);
	*len = 0;
	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC | (only_reg ? O_NOFOLLOW |
	    O_NONBLOCK : 0));
	if (fd < 0 && only_reg && errno == ELOOP)
		return not_regular(path, S_IFLNK);
	if (fd < 0)
		return errno == ENOENT ? 1 : io_fail("open", path);
	if (only_reg && fstat(fd, &st) != 0) {
		io_fail("stat", path);
		goto out;
	}
	if (only_reg && !S_ISREG(st.st_mode)) {
		not_regular(path, st.st_mode);
		goto out;
	}
	for (;;) {
		/* Once buf is full, one more byte tells "exactly full". */
		if (n < cap - 1)
			r = read(fd, buf + n, cap - 1 - n);
		else
			r = read(fd, &extra, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			io_fail("read", path);
			goto out;
		}
		if (r == 0)
			break;
		if (n == cap - 1) {
			ret = err_set(ERR_LIMIT, "%s is over %zu bytes", path,
			    cap - 1);
			goto out;
		}
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	ret = 0;
out:
	close(fd);
	if (ret != 0)
		mem_wipe(buf, n);
	return ret;
}

int
file_read(const char *path, char *buf, size_t cap, size_t *len)
{
	return read_path(path, buf, cap, len, 0);
}

int
file_read_regular(const char *path, char *buf, size_t cap, size_t *len)
{
	return read_path(path, buf, cap, len, 1);
}

/* write_all: write n bytes, across short writes and EINTR; 0 or -1. */
static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = ENOSPC;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* dir_of: the directory part of path (base points into path) in dir. */
static int
dir_of(const char *path, const char *base, char *dir, size_t cap)
{
	struct slice s = { path, (size_t)(base - path) };

	if (s.n == 0)
		s = SLICE_LIT(".");
	else if (s.n > 1)
		s.n--;  /* drop the slash, but keep "/" itself */
	return slice_copy(dir, cap, s, "directory path");
}

/* dir_sync: fsync the directory so that a rename in it is durable. */
static int
dir_sync(const char *dir)
{
	int fd, ret = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return io_fail("open", dir);
	/* Some file systems cannot fsync a directory: nothing to do. */
	if (fsync(fd) != 0 && errno != EINVAL)
		ret = io_fail("fsync", dir);
	close(fd);
	return ret;
}

/*
 * temp_clean: remove the files ".<base>.tmp-<pid>-<n>" in dir whose
 * process no longer exists (killed during a write).  A reused pid only
 * delays the removal.  Errors are ignored: this is housekeeping.
 */
static void
temp_clean(const char *dir, const char *base)
{
	size_t bl = strlen(base);
	struct dirent *e;
	const char *p;
	uint64_t pid;
	DIR *d;

	d = opendir(dir);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		p = e->d_name;
		if (p[0] != '.' || strncmp(p + 1, base, bl) != 0 ||
		    strncmp(p + 1 + bl, ".tmp-", 5) != 0)
			continue;
		p += bl + 6;
		if (parse_u64(&p, p + strlen(p), INT_MAX, &pid) != 0 ||
		    *p != '-' || (pid_t)pid == getpid())
			continue;
		if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

void
file_temp_clean(const char *path)
{
	char dir[LIM_PATH_FS_BYTES];
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (dir_of(path, base, dir, sizeof(dir)) == 0)
		temp_clean(dir, base);
}

int
file_write_atomic(const char *path, const void *p, size_t n, mode_t mode)
{
	char dir[LIM_PATH_FS_BYTES], tmp[LIM_PATH_FS_BYTES];
	const char *base = strrchr(path, '/');
	int fd, r, ret;

	base = base ? base + 1 : path;
	ret = kind_check(path);
	if (ret == 0)
		ret = dir_of(path, base, dir, sizeof(dir));
	if (ret != 0)
		return ret;
	r = snprintf(tmp, sizeof(tmp), "%.*s.%s.tmp-%ld-%lu",
	    (int)(base - path), path, base, (long)getpid(), ++temp_counter);
	if (r < 0 || (size_t)r >= sizeof(tmp))
		return err_limit("temporary path", "LIM_PATH_FS_BYTES",
		    LIM_PATH_FS_BYTES - 1);
	temp_clean(dir, base);
	fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd < 0)
		return io_fail("create", tmp);
	ret = ERR_IO;
	if (fchmod(fd, mode) != 0)
		io_fail("chmod", tmp);
	else if (write_all(fd, p, n) != 0)
		io_fail("write", tmp);
	else if (fsync(fd) != 0)
		io_fail("fsync", tmp);
	else
		ret = 0;
	if (close(fd) != 0 && ret == 0)
		ret = io_fail("close", tmp);
	if (ret == 0 && rename(tmp, path) != 0)
		ret = io_fail("rename to", path);
	if (ret != 0) {
		unlink(tmp);
		return ret;
	}
	return dir_sync(dir);
}

int
file_check_target(const char *path)
{
	char dir[LIM_PATH_FS_BYTES];
	const char *base = strrchr(path, '/');
	struct stat st;
	int ret;

	base = base ? base + 1 : path;
	if ((ret = kind_check(path)) != 0 ||
	    (ret = dir_of(path, base, dir, sizeof(dir))) != 0)
		return ret;
	if (stat(dir, &st) != 0 || (!S_ISDIR(st.st_mode) &&
	    (errno = ENOTDIR) != 0) || access(dir, W_OK | X_OK) != 0)
		return io_fail("cannot write in", dir);
	return 0;
}

/* mkdir_one: make one directory with exactly mode unless it exists. */
static int
mkdir_one(const char *p, mode_t mode)
{
	struct stat st;

	if (stat(p, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		errno = ENOTDIR;
		return io_fail("mkdir", p);
	}
	if (mkdir(p, mode) != 0)
		return errno == EEXIST ? 0 : io_fail("mkdir", p);
	if (chmod(p, mode) != 0)
		return io_fail("chmod", p);
	return 0;
}

int
dir_ensure(const char *path, mode_t mode)
{
	char buf[LIM_PATH_FS_BYTES];
	size_t i;
	char c;
	int ret;

	ret = str_copy(buf, sizeof(buf), path, "directory path");
	if (ret != 0)
		return ret;
	if (buf[0] == '\0')
		return err_set(ERR_IO, "mkdir: empty path");
	for (i = 1;; i++) {
		c = buf[i];
		if (c != '/' && c != '\0')
			continue;
		buf[i] = '\0';
		ret = mkdir_one(buf, mode);
		buf[i] = c;
		if (ret != 0 || c == '\0')
			return ret;
	}
}

int
file_remove_tree(char *path, size_t n)
{
	struct dirent *e;
	size_t k;
	DIR *d;
	int ret = 0;

	path[n] = '\0';
	if (unlink(path) == 0 || errno == ENOENT)
		return 0;
	if ((errno == EISDIR || errno == EPERM) && (d = opendir(path)) != NULL) {
		errno = 0;
		while (ret == 0 && (e = readdir(d)) != NULL) {
			k = strlen(e->d_name);
			if (e->d_name[0] == '.' && k <= 2 && e->d_name[k - 1] == '.')
				continue;   /* . and .. */
			errno = ENAMETOOLONG;
			if (n + 1 + k >= LIM_PATH_FS_BYTES)
				break;
			path[n] = '/';
			memcpy(path + n + 1, e->d_name, k);
			ret = file_remove_tree(path, n + 1 + k);
			path[n] = '\0';
			errno = 0;
		}
		closedir(d);
		if (ret != 0 || (errno == 0 && (rmdir(path) == 0 ||
		    errno == ENOENT)))
			return ret;
	}
	return err_set(ERR_IO, "remove %s: %s", path, strerror(errno));
}

/*
 * The signal mask before a lock: the kernel's 64-bit mask, set by the
 * system call, not sigprocmask, whose sigset_t helpers cost more than
 * the rest of the lock.
 */
static uint64_t lock_mask;

/* lock_sigs: block the stop signals (1), or restore the mask (0). */
static void
lock_sigs(int block)
{
	static const uint64_t stop = 1u << (SIGINT - 1) | 1u << (SIGTERM - 1) |
	    1u << (SIGHUP - 1) | 1u << (SIGQUIT - 1);

	syscall(SYS_rt_sigprocmask, block ? SIG_BLOCK : SIG_SETMASK,
	    block ? &stop : &lock_mask, block ? &lock_mask : NULL, 8);
}

int
file_lock(const char *path, char *lock, size_t cap, int timeout_ms)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	int fd, e, r = snprintf(lock, cap, "%s.lock", path);

	if (r < 0 || (size_t)r >= cap)
		return err_limit("lock path", "LIM_PATH_FS_BYTES", cap - 1);
	/* No signal between the lock and its removal leaves it behind. */
	for (r = 0;; r += 10) {
		lock_sigs(1);
		fd = open(lock, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
		if (fd >= 0)
			break;
		e = errno;
		lock_sigs(0);
		if ((errno = e) != EEXIST)
			return io_fail("create", lock);
		if (r >= timeout_ms)
			return err_set(ERR_FAIL, "%s exists: gave up after %d s", lock,
			    timeout_ms / 1000);
		nanosleep(&nap, NULL);
	}
	close(fd);
	return 0;
}

void
file_unlock(const char *lock)
{
	unlink(lock);
	lock_sigs(0);
}
