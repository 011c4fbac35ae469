/*
 * fs_helpers.h: a scratch directory and small file helpers shared by
 * the unit tests of the file layer and the store (test_file.c,
 * test_store.c).  Each test binary includes it once.
 */
#ifndef IKSCTL_FS_HELPERS_H
#define IKSCTL_FS_HELPERS_H

#include "test.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];             /* the mkdtemp directory */

/*
 * root_make: a fresh root under $TMPDIR (else /tmp) named after the test
 * binary; 0, or 1 after saying why (main returns it).
 */
static inline int
root_make(const char *name)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/%s.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp", name);
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	return 0;
}

/* at: root "/" name in one of 4 static buffers used in turn. */
static inline const char *
at(const char *name)
{
	static char buf[4][1024];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", root, name);
	return buf[k];
}

/* HOME_AT: declare char home[] = root "/" name, for a whole test. */
#define HOME_AT(name) char home[1024]; \
	snprintf(home, sizeof(home), "%s/%s", root, name)

static inline void
rm_tree(const char *path)
{
	char sub[2048];
	struct dirent *e;
	DIR *d = opendir(path);

	if (d == NULL) {
		unlink(path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		rm_tree(sub);
	}
	closedir(d);
	rmdir(path);
}

static inline void
put_file(const char *path, const char *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0);
	CHECK_EQ_INT(write(fd, p, n), n);
	close(fd);
}

static inline int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static inline unsigned
mode_of(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return 0xffff;
	return st.st_mode & 07777;
}

/* count_temps: files in dir whose name contains ".tmp-". */
static inline int
count_temps(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += strstr(e->d_name, ".tmp-") != NULL;
	closedir(d);
	return n;
}

#endif
