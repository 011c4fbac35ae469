/*
 * file.h: whole-file reads, crash-safe whole-file writes, directories.
 *
 * The caller owns every buffer.  file_write_atomic() writes a temporary
 * file beside the target, fsyncs it, renames it over the target and
 * fsyncs the directory: a crash at any instant leaves the old file or
 * the new one, never a torn one.  Temporary files are named
 * ".<name>.tmp-<pid>-<n>"; a later write to the same target removes
 * those whose process is gone (a SIGKILL leaves one behind).  (A writer
 * in another pid namespace sharing the directory may see its temporary
 * file removed: its rename then fails with ERR_IO, the file stays whole.)
 */
#ifndef IKSCTL_FILE_H
#define IKSCTL_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * file_read: read the whole file at path into buf[cap] (cap >= 1) and
 * NUL-terminate it; *len gets the length without the NUL.  Returns 0;
 * 1 if the file does not exist (buf is then "" and *len 0); ERR_LIMIT
 * if it holds more than cap - 1 bytes; ERR_IO with the path and the
 * reason otherwise.
 */
int file_read(const char *path, char *buf, size_t cap, size_t *len);

/*
 * file_read_regular: file_read for a file iksctl owns (the store): the
 * last component is never followed (O_NOFOLLOW), a FIFO never blocks,
 * and anything but a regular file is ERR_IO "<path> is a FIFO, not a
 * regular file" (a symbolic link, directory, socket, device likewise).
 */
int file_read_regular(const char *path, char *buf, size_t cap, size_t *len);

/* file_kind: "regular file", "directory", "FIFO", "socket", "symbolic
 * link" or "device" for a st_mode. */
const char *file_kind(mode_t m);

/*
 * file_check_target: the cheap check, before any network call, that
 * file_write_atomic(path) can work: path is missing or (through links)
 * a regular file, else ERR_IO "<path> is a FIFO, not a regular file"
 * (directory, socket, device); and its directory exists and is
 * writable, else ERR_IO naming the directory.  Returns 0 or ERR_IO.
 */
int file_check_target(const char *path);

/*
 * file_write_atomic: replace the file at path with the n bytes at p,
 * with exactly the given mode.  An existing path that is not a regular
 * file (a device, FIFO, socket or directory, through links) is refused
 * with ERR_IO and never replaced.  Returns 0, or ERR_IO (naming ENOSPC,
 * EROFS, EACCES when they are the cause) with the old file untouched and
 * the temporary file removed, or ERR_LIMIT if a path does not fit.  Only
 * an ERR_IO from the last step, the directory fsync, comes after the new
 * file is in place.
 */
int file_write_atomic(const char *path, const void *p, size_t n,
    mode_t mode);

/*
 * file_lock: take kubectl's lock on the file at path: create lock[cap]
 * = "<path>.lock" exclusively, trying every 10 ms for up to timeout_ms.
 * Until file_unlock(lock), SIGINT, SIGTERM, SIGHUP and SIGQUIT wait, so
 * that no lock is left behind.  Returns 0; ERR_FAIL if the lock is still
 * there at timeout_ms (saying whose it may be); ERR_IO; ERR_LIMIT.
 */
int file_lock(const char *path, char *lock, size_t cap, int timeout_ms);

/* file_unlock: remove the lock file_lock took; the signals then come. */
void file_unlock(const char *lock);

/*
 * dir_ensure: create the directory path and any missing parents with
 * mode; an existing directory is fine and keeps its mode.  Returns 0,
 * ERR_IO, or ERR_LIMIT if path is too long.
 */
int dir_ensure(const char *path, mode_t mode);

/*
 * file_remove_tree: remove path[0..n) whatever it is: a file, a link
 * (itself, never followed) or a folder with all it holds; a missing path
 * is fine.  path is one buffer of LIM_PATH_FS_BYTES that each level
 * extends by a name and cuts back, so its size bounds the depth.
 * Returns 0 or ERR_IO.
 */
int file_remove_tree(char *path, size_t n);

/*
 * file_temp_clean: remove the temporary files that writes of path left
 * behind when their process was killed.  Errors are ignored.
 */
void file_temp_clean(const char *path);

/*
 * path_join: out = dir "/" name (no doubled slash).  Returns 0, or
 * ERR_LIMIT if it does not fit in cap (out is then "").
 */
int path_join(char *out, size_t cap, const char *dir, const char *name);

/*
 * path_abs: path made absolute into out[cap] (cap >= 2): a relative one
 * is joined to the working directory, then empty and "." components go
 * and ".." takes back the one before, by the text alone: links are kept
 * as they are, to be resolved when the path is used (a mounted secret
 * swapped by a link keeps working).  Returns 0, ERR_LIMIT, or ERR_IO if
 * the working directory cannot be had.
 */
int path_abs(char *out, size_t cap, const char *path);

/*
 * path_exe: the absolute path this program was run by, into out[cap],
 * links kept (an upgrade that moves a link keeps working): argv0 made
 * absolute if it holds a '/', else the first executable of that name on
 * $PATH.  Returns 0, ERR_LIMIT, or ERR_IO with no message recorded (not
 * on PATH: the caller says what to do).
 */
int path_exe(char *out, size_t cap, const char *argv0);

/*
 * path_follow: follow path (in path[cap]) through symbolic links to
 * the file they name, which may be missing (a link's relative target is
 * taken from the link's directory); a path that is no link stays as it
 * is.  Returns 0, ERR_IO (40 links, or readlink failed), or ERR_LIMIT.
 */
int path_follow(char *path, size_t cap);

#endif
