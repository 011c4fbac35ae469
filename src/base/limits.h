/*
 * limits.h: every size limit of iksctl, in one place.
 *
 * Buffers are fixed and live in static storage or on the stack; these
 * numbers size them.  Going over one is an error that names the limit
 * (see err_limit() in errors.h), never a silent truncation.  Untouched
 * .bss costs no resident memory, so the limits can be generous.
 */
#ifndef IKSCTL_LIMITS_H
#define IKSCTL_LIMITS_H

/* URLs and names. */
#define LIM_URL_BYTES        2048  /* one URL, scheme to query */
#define LIM_HOST_BYTES        256  /* one host name (RFC 1035: 253) */
#define LIM_PATH_BYTES       2048  /* request path with query */
#define LIM_URL_USERINFO_BYTES 256  /* user or password in a URL (proxy) */

/* DNS (src/net/dns.c). */
#define LIM_DNS_ADDRS          16  /* addresses of one host name tried */
#define LIM_DNS_SERVERS         3  /* nameserver lines used (as musl, MAXNS) */
#define LIM_DNS_SEARCH          6  /* search domains used (as glibc) */
#define LIM_DNS_UDP_BYTES     512  /* one UDP message (RFC 1035, no EDNS) */
#define LIM_DNS_TCP_BYTES   65535  /* one TCP message (its 2-byte length) */
#define LIM_DNS_LINE_BYTES    512  /* one line of hosts or resolv.conf */
#define LIM_DNS_CNAMES          8  /* CNAME hops followed in one answer */

/* HTTP. */
#define LIM_HTTP_HEAD_BYTES  16384  /* status line plus all response headers */
#define LIM_HTTP_HEADERS        64  /* response header fields */
#define LIM_HTTP_REQ_BYTES   32768  /* one request: line, headers, small body */
#define LIM_HTTP_BODY_BYTES  (8 * 1024 * 1024) /* a response body we parse */
#define LIM_HTTP_CHUNK_LINE    256  /* a chunk-size line with extensions */
#define LIM_HTTP_TRAILER_BYTES 16384 /* all trailer fields of a chunked body */
#define LIM_HTTP_CONNS           4  /* open connections (one per host) */
#define LIM_HTTP_ATTEMPTS        3  /* tries of one retryable request */
#define LIM_HTTP_429_ATTEMPTS    8  /* tries of a request answered 429 */
#define LIM_RETRY_WAIT_MS    30000  /* total backoff of one request */

/* JSON and tokens. */
#define LIM_JSON_TOKENS     262144  /* jsmn tokens in one document */
#define LIM_TOKEN_BYTES       8192  /* one access, refresh or id token */
#define LIM_JWT_CLAIMS_BYTES  8192  /* the decoded JWT payload */
#define LIM_FIELD_BYTES        256  /* one short field: account id, region */
#define LIM_QUERY_BYTES        512  /* a -q expression */
#define LIM_QUERY_STEPS         32  /* steps in a -q expression */
#define LIM_JSON_DEPTH        512  /* nesting of arrays and objects */
#define LIM_JWT_TOKENS        256  /* jsmn tokens in a JWT's claims */

/* Output. */
#define LIM_TABLE_BYTES   (1024 * 1024) /* text of all table cells */
#define LIM_TABLE_ROWS        16384  /* rows of one table */

/* The store. */
#define LIM_STORE_BYTES     (96 * 1024) /* the store file (a full one: 70 KB) */
#define LIM_TLS_SESSION_BYTES 4096 /* one serialized TLS session */
#define LIM_PATH_FS_BYTES     4096 /* one file system path */
#define LIM_SECRET_BYTES      4096 /* one secret read from a file or stdin */

/* Zip and inflate. */
#define LIM_ZIP_BYTES       (1024 * 1024) /* the config zip */
#define LIM_ZIP_ENTRY_BYTES (256 * 1024)  /* one inflated entry */

/* mbedTLS. */
#define LIM_TLS_ARENA_BYTES (160 * 1024) /* static heap for mbedTLS */

/* libc's own allocations (opendir, getaddrinfo): src/base/alloc.c. */
#define LIM_LIBC_HEAP_BYTES (256 * 1024) /* static heap for libc (peak ~2 KB) */

/* The store's own fields (src/cloud/store.h). */
#define LIM_STORE_TLS            4  /* TLS sessions kept in the store */
#define LIM_HOSTPORT_BYTES (LIM_HOST_BYTES + 24) /* "host:port[#trust]" */
#define LIM_CRED_KIND_BYTES     16  /* "apikey", "password", "cr-token" ... */
#define LIM_CRED_SOURCE_BYTES (LIM_PATH_FS_BYTES + 8) /* "env:NAME", "file:/p" */

/* Added for the HTTP transport (issue 4). */
#define LIM_HTTP_STREAM_WINDOW 16384 /* rx bytes a streamed body passes through */
#define LIM_HTTP_RX_SLACK     16384 /* rx room for chunk framing past a full body */
#define LIM_TLS_ROOTS           512 /* certificates indexed in a CA bundle file */
#define LIM_TLS_CERT_DER_BYTES 9216 /* one trust anchor, DER */

/* Clusters and Kubernetes (issue 6). */
#define LIM_CLUSTER_CA_BYTES  16384 /* a cluster's CA PEM (ca-*.pem of the zip) */
#define LIM_CLUSTER_FILE_BYTES (LIM_CLUSTER_CA_BYTES + 8192) /* one cache file */
#define LIM_CLUSTER_FILES       256 /* cache files read to find a name */
#define LIM_KUBECONFIG_BYTES  (2 * LIM_CLUSTER_CA_BYTES + 4 * LIM_PATH_FS_BYTES)
				    /* the kubeconfig cluster config writes */
#define LIM_PROC_STAT_BYTES  1024 /* /proc/<pid>/stat: 52 numbers and a name */
#define LIM_KUBECONFIG_FILE_BYTES (1024 * 1024) /* the kubeconfig merged into:
				    * a cluster with an embedded CA is ~3 KB, an
				    * admin user with its key ~8 KB: 100 such
				    * clusters fit; untouched .bss costs nothing */
#define LIM_REQ_BODY_BYTES  (1024 * 1024) /* a -d DATA or @FILE request body */
#define LIM_REQ_HEADER_BYTES   8192 /* the -H lines of one api call */
#define LIM_TABLE_ROW_BYTES   16384 /* the cells of one table row, as built */
#define LIM_WORKERS            512 /* workers of a cluster a wait remembers */
#define LIM_WORKER_ID_BYTES    128 /* one worker id */
#define LIM_ZONES               16 /* --zone/--subnet-id pairs of a create */
#define LIM_JSONW_DEPTH          8 /* nesting of a JSON body iksctl writes */
#define LIM_JSON_BODY_BYTES  16384 /* a JSON body iksctl writes (create ...) */
#define LIM_WAIT_OBJECT_BYTES (256 * 1024) /* the object a wait last read */

#endif
