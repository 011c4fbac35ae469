/*
 * store.h: the token store, one bounded text file at <home>/store.
 *
 * The caller owns the struct store (it is big: keep it static).  The
 * file is "iksctl-store 1", then one "key value" line per non-empty
 * field, "tls host:port saved_at hex" per TLS session, and last
 * "end <crc32>" over every byte before it, so a truncated or damaged
 * file is always detected.  Every field has the fixed size of its
 * array; the file is written 0600 in a 0700 directory through
 * file_write_atomic(), so a crash leaves the old or the new store.
 * Loading never changes the file.  <home>/lock serialises refreshes
 * across processes; <home>/clusters and <home>/kube hold cluster files
 * that store_remove() deletes on logout.
 */
#ifndef IKSCTL_STORE_H
#define IKSCTL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"

#define STORE_VERSION 3  /* the format store_save writes (1: no clock_offset,
			  * 2: no login_id) */

struct store_tls {
	char host[LIM_HOSTPORT_BYTES];    /* "host:port"; "" = empty slot */
	uint8_t data[LIM_TLS_SESSION_BYTES]; /* serialized session */
	size_t len;                       /* bytes used in data */
	int64_t saved_at;                 /* unix time it was saved */
};

struct store {
	char iam_url[LIM_URL_BYTES];      /* IAM base URL used at login */
	char accounts_url[LIM_URL_BYTES]; /* account management base URL */
	char cs_url[LIM_URL_BYTES];       /* containers base URL */
	char account[LIM_FIELD_BYTES];    /* account id the token is for */
	char region[LIM_FIELD_BYTES];     /* targeted region or "" */
	char iam_id[LIM_FIELD_BYTES];     /* IAM id of the user or profile */
	char user[LIM_FIELD_BYTES];       /* user name or e-mail, for show */
	char access_token[LIM_TOKEN_BYTES]; /* IAM access token (JWT) */
	int64_t access_iat;               /* its issue time, unix s */
	int64_t access_exp;               /* its expiry time, unix s */
	char refresh_token[LIM_TOKEN_BYTES]; /* IAM refresh token or "" */
	int64_t refresh_exp;              /* its expiry time, 0 unknown */
	char kube_token[LIM_TOKEN_BYTES]; /* Kubernetes id_token or "" */
	int64_t kube_iat;                 /* its issue time, unix s */
	int64_t kube_exp;                 /* its expiry time, unix s */
	char cred_kind[LIM_CRED_KIND_BYTES]; /* "apikey", "password",
					   * "passcode", "cr-token" or "" */
	char cred_source[LIM_CRED_SOURCE_BYTES]; /* "env:NAME", "file:/path"
					   * or "": never the secret */
	char profile_id[LIM_FIELD_BYTES]; /* trusted profile id or "" */
	char profile_name[LIM_FIELD_BYTES]; /* trusted profile name or "" */
	int64_t clock_offset;             /* the service's clock minus this
					   * machine's, s, at IAM's last answer */
	int64_t login_id;                 /* random, new at every login (0:
					   * from before they had one): a
					   * writer that finds another here,
					   * or no store, throws its result
					   * away */
	struct store_tls tls[LIM_STORE_TLS]; /* saved TLS sessions */
};

/*
 * store_warn_mode: the one-line warning that what ("store", "directory",
 * "credential file") at path has mode bits open to group or others,
 * with the chmod (700 for a directory, else 600) that fixes it.
 */
void store_warn_mode(const char *what, const char *path, unsigned mode);

/* store_init: make s empty (all strings "", numbers 0, no sessions). */
void store_init(struct store *s);

/*
 * store_home: the store directory into out[cap]: $IKSCTL_HOME, else
 * $HOME/.iksctl.  Returns 0, ERR_STORE "HOME is not set: ..." if
 * neither variable is set, or ERR_LIMIT naming the variable and
 * LIM_PATH_FS_BYTES (cap - 1) if the path does not fit.
 */
int store_home(char *out, size_t cap);

/*
 * store_subdir: <home>/<name> (clusters, kube) into out[cap], created
 * with mode 0700 if create and missing.  Nothing under the home is
 * followed through a link: if the entry exists and is not a directory
 * (a symbolic link included) it is ERR_STORE, advising logout, which
 * removes it.  Returns 0, 1 if missing and !create, or an error.
 */
int store_subdir(char *out, size_t cap, const char *home, const char *name,
    int create);

/*
 * store_load: read <home>/store into s.  Returns 0 if loaded; 1 if
 * there is no store yet; ERR_STORE (corrupt, truncated, over a limit,
 * not a regular file: a symbolic link is never followed, a FIFO never
 * waited on;
 * the detail says where and how to fix it), ERR_STORE_VERSION (newer
 * format) or ERR_IO.  On any result but 0, s is empty.  Warns once on
 * stderr if the file or the directory is open to group or others.
 */
int store_load(const char *home, struct store *s);

/*
 * store_parse: parse the n bytes at buf (a store file; name is used in
 * messages) into s.  Returns what store_load returns, except 1 and
 * ERR_IO.  Never reads outside buf[0..n).
 */
int store_parse(const char *name, const char *buf, size_t n,
    struct store *s);

/*
 * store_save: write s to <home>/store (mode 0600; home is created 0700).
 * Returns 0; ERR_STORE if a field holds a control character, is not
 * NUL-terminated or is negative, or the store is not a regular file; ERR_LIMIT; or ERR_IO (the old store is
 * then untouched).
 */
int store_save(const char *home, const struct store *s);

/*
 * store_lock: take the exclusive lock <home>/lock, waiting up to
 * timeout_ms; the holder's pid is written into the file ("N\n") and
 * emptied by store_unlock.  Returns 0 with *fd set (give it to
 * store_unlock), ERR_STORE_LOCK on timeout ("the store is locked by pid
 * N: gave up after 30 s"), ERR_STORE if the lock is a symbolic link
 * (never followed), FIFO or anything but a regular file, or ERR_IO.
 */
int store_lock(const char *home, int *fd, int timeout_ms);

/* store_unlock: release a lock from store_lock; fd < 0 is a no-op. */
void store_unlock(int fd);

/*
 * store_remove: log out: delete <home>/store, <home>/lock,
 * <home>/clusters and <home>/kube whatever they are (corrupt, newer, a
 * FIFO, a folder with all it holds; a symbolic link itself, never its
 * target; a lock another process holds now stays), and the temporary
 * files of dead writers.  Returns how many of store, clusters and kube were there (0:
 * nothing to remove), or ERR_IO.
 */
int store_remove(const char *home);

/* store_tls_find: the session saved for "host:port", or NULL. */
struct store_tls *store_tls_find(struct store *s, const char *hostport);

/*
 * store_tls_put: save a session for hostport, replacing the one for the
 * same host, else taking an empty slot, else the oldest.  Returns 0, or
 * ERR_LIMIT if hostport or data is too long, or ERR_STORE if hostport
 * is empty or holds a space or control character, len is 0 or now < 0.
 */
int store_tls_put(struct store *s, const char *hostport,
    const uint8_t *data, size_t len, int64_t now);

#endif
