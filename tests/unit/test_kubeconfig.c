/*
 * test_kubeconfig.c: unit tests of proto/kubeconfig: the reader of the
 * YAML kubectl writes and the merge of one cluster's entries.
 *
 * The inputs are kubeconfigs as kubectl writes them (`kubectl config
 * view --raw`, `set-cluster`, `set-credentials --exec-*`): keys in
 * kubectl's order (the item's name after its body), embedded
 * certificate-authority-data, exec stanzas with env lists, quoted
 * strings holding ": " and " #", a plain scalar folded over two lines
 * (gcloud's installHint), empty forms (null, [], {}).  Every input is
 * read from a copy that ends at a guard page, and so is every prefix of
 * the realistic ones.
 */
#include "base/errors.h"
#include "proto/kubeconfig.h"

#include <stdlib.h>

#include "test.h"

/* As `kubectl config view --raw` writes a kind cluster and an exec user. */
static const char KUBECTL[] =
    "apiVersion: v1\n"
    "clusters:\n"
    "- cluster:\n"
    "    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSURCVENDQWUyZ0F3SUJBZ0lJ\n"
    "    server: https://127.0.0.1:40123\n"
    "  name: kind-kind\n"
    "- cluster:\n"
    "    insecure-skip-tls-verify: true\n"
    "    server: \"https://10.0.0.1:6443/a: b # not a comment\"\n"
    "  name: 'it''s: odd'\n"
    "contexts:\n"
    "- context:\n"
    "    cluster: kind-kind\n"
    "    user: kind-kind\n"
    "  name: kind-kind\n"
    "current-context: kind-kind\n"
    "kind: Config\n"
    "preferences: {}\n"
    "users:\n"
    "- name: kind-kind\n"
    "  user:\n"
    "    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n"
    "    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==\n"
    "- name: gke_proj_zone_c1\n"
    "  user:\n"
    "    exec:\n"
    "      apiVersion: client.authentication.k8s.io/v1beta1\n"
    "      args: null\n"
    "      command: gke-gcloud-auth-plugin\n"
    "      env:\n"
    "      - name: HTTPS_PROXY\n"
    "        value: \"http://proxy:3128\"   # the office proxy\n"
    "      installHint: Install gke-gcloud-auth-plugin for use with kubectl by following\n"
    "        https://cloud.google.com/blog/products/containers-kubernetes/kubectl-auth-changes-in-gke\n"
    "      interactiveMode: IfAvailable\n"
    "      provideClusterInfo: true\n";

/* Ours, as kube_config writes it for a cluster named edge1. */
static const char NEU[] =
    "apiVersion: v1\nkind: Config\nclusters:\n"
    "- name: \"edge1\"\n"
    "  cluster:\n"
    "    server: \"https://c1.us-south.containers.cloud.ibm.com:30001\"\n"
    "    certificate-authority-data: TkVX\n"
    "contexts:\n"
    "- name: \"edge1\"\n"
    "  context:\n"
    "    cluster: \"edge1\"\n"
    "    user: \"edge1\"\n"
    "    namespace: \"default\"\n"
    "current-context: \"edge1\"\n"
    "preferences: {}\nusers:\n"
    "- name: \"edge1\"\n"
    "  user:\n"
    "    exec:\n"
    "      apiVersion: client.authentication.k8s.io/v1\n"
    "      command: \"/usr/bin/iksctl\"\n"
    "      args:\n"
    "      - kube-credential\n"
    "      - --cluster\n"
    "      - \"c1\"\n"
    "      env:\n"
    "      - name: \"IKSCTL_HOME\"\n"
    "        value: \"/var/lib/iksctl\"\n"
    "      interactiveMode: Never\n"
    "      provideClusterInfo: false\n";

static char out_buf[256 * 1024];
static struct kc_scan scan;

/* merge: old merged with NEU for edge1 into out_buf; the result code. */
static int
merge(const char *old)
{
	size_t n = strlen(old);
	char *g = guard_copy(old, n);
	struct sbuf o;
	int r;

	sbuf_init(&o, out_buf, sizeof(out_buf));
	r = kc_merge(&scan, g, n, NEU, sizeof(NEU) - 1, "edge1", &o);
	guard_free(g, n);
	return r;
}

/* count: events in doc (-1 if refused); items named name in *named. */
static int
count(const char *doc, const char *name, int *named)
{
	struct kc_scan s;
	struct kc_ev ev;
	int r, k = 0;

	*named = 0;
	kc_scan_init(&s, doc, strlen(doc));
	while ((r = kc_next(&s, &ev)) > 0) {
		k++;
		if (ev.kind == KC_EV_ITEM && kc_scalar_eq(ev.name, name))
			(*named)++;
	}
	return r < 0 ? -1 : k;
}

/* has: 1 if out_buf holds s. */
static int
has(const char *s)
{
	return strstr(out_buf, s) != NULL;
}

TEST(test_events_of_kubectl_file)
{
	static const int kinds[] = { KC_EV_KEY, KC_EV_HEAD, KC_EV_ITEM,
	    KC_EV_ITEM, KC_EV_END, KC_EV_HEAD, KC_EV_ITEM, KC_EV_END,
	    KC_EV_KEY, KC_EV_KEY, KC_EV_KEY, KC_EV_HEAD, KC_EV_ITEM,
	    KC_EV_ITEM, KC_EV_END };
	static const char *const names[] = { "", "", "kind-kind",
	    "'it''s: odd'", "", "", "kind-kind", "", "", "", "", "",
	    "kind-kind", "gke_proj_zone_c1", "" };
	size_t n = sizeof(KUBECTL) - 1, at = 0;
	char *g = guard_copy(KUBECTL, n);
	struct kc_scan s;
	struct kc_ev ev;
	int r, k = 0;

	kc_scan_init(&s, g, n);
	while ((r = kc_next(&s, &ev)) > 0 && k < 15) {
		CHECK_EQ_INT(ev.kind, kinds[k]);
		CHECK_EQ_INT(ev.start, at);     /* the events tile the file */
		if (ev.kind == KC_EV_ITEM)
			CHECK(kc_scalar_eq(ev.name, names[k]) ||
			    slice_eq(ev.name, names[k]));
		at = ev.end;
		k++;
	}
	CHECK_EQ_INT(r, 0);
	CHECK_EQ_INT(k, 15);
	CHECK_EQ_INT(at, n);
	guard_free(g, n);
}

TEST(test_scalars)
{
	CHECK(kc_scalar_eq(SLICE_LIT("edge1"), "edge1"));
	CHECK(kc_scalar_eq(SLICE_LIT("\"edge1\""), "edge1"));
	CHECK(kc_scalar_eq(SLICE_LIT("'edge1'"), "edge1"));
	/* Escapes are not read: our names have none. */
	CHECK(!kc_scalar_eq(SLICE_LIT("'a''b'"), "a'b"));
	CHECK(!kc_scalar_eq(SLICE_LIT("\"a\\nb\""), "a\nb"));
	CHECK(!kc_scalar_eq(SLICE_LIT("\"edge\""), "edge1"));
	CHECK(!kc_scalar_eq(SLICE_LIT("\"edge1x\""), "edge1"));
	CHECK(!kc_scalar_eq((struct slice){ NULL, 0 }, "name"));
}

TEST(test_merge_adds)
{
	int named;
	char *p;

	CHECK_EQ_INT(merge(KUBECTL), 0);
	/* Every byte of the old file is kept, in order, with ours added. */
	CHECK(has("apiVersion: v1\nclusters:\n- cluster:\n    certificate-"
	    "authority-data: LS0t"));
	CHECK(has("  name: 'it''s: odd'\n- name: \"edge1\"\n  cluster:\n"
	    "    server: \"https://c1.us-south.containers.cloud.ibm.com:30001\"\n"
	    "    certificate-authority-data: TkVX\ncontexts:\n- context:\n"));
	CHECK(has("  name: kind-kind\n- name: \"edge1\"\n  context:\n"));
	CHECK(has("    namespace: \"default\"\ncurrent-context: \"edge1\"\n"
	    "kind: Config\npreferences: {}\nusers:\n- name: kind-kind\n"));
	CHECK(has("kubectl-auth-changes-in-gke\n      interactiveMode: "
	    "IfAvailable\n      provideClusterInfo: true\n- name: \"edge1\"\n"));
	CHECK(!has("current-context: kind-kind"));
	p = strstr(out_buf, "- name: \"edge1\"\n  user:");
	CHECK(p != NULL && strcmp(p + sizeof(NEU) - 1 - (strstr(NEU,
	    "- name: \"edge1\"\n  user:") - NEU), "") == 0);
	CHECK(count(out_buf, "edge1", &named) > 0);
	CHECK_EQ_INT(named, 3);
	CHECK(count(out_buf, "kind-kind", &named) > 0);
	CHECK_EQ_INT(named, 3);
}

TEST(test_merge_replaces_in_place)
{
	static const char old[] =
	    "apiVersion: v1\n"
	    "clusters:\n"
	    "- cluster:\n"
	    "    server: https://a:1\n"
	    "  name: a\n"
	    "- cluster:\n"
	    "    server: https://old:1\n"
	    "  name: edge1\n"
	    "- cluster:\n"
	    "    server: https://b:1\n"
	    "  name: b\n"
	    "- name: \"edge1\"\n"          /* a second one goes */
	    "  cluster: {}\n"
	    "contexts:\n"
	    "- context:\n"
	    "    cluster: edge1\n"
	    "    user: edge1\n"
	    "  name: edge1\n"
	    "# a comment kept with it\n"
	    "current-context: a\n"
	    "kind: Config\n"
	    "users:\n"
	    "- name: 'edge1'\n"
	    "  user:\n"
	    "    token: old\n"
	    "- name: a\n"
	    "  user:\n"
	    "    token: \"x: y # z\"\n";
	int named;

	CHECK_EQ_INT(merge(old), 0);
	CHECK(!has("https://old:1"));
	CHECK(!has("token: old"));
	CHECK(!has("cluster: {}"));
	CHECK(has("  name: a\n- name: \"edge1\"\n  cluster:\n"));
	CHECK(has("TkVX\n- cluster:\n    server: https://b:1\n  name: b\n"
	    "contexts:\n- name: \"edge1\"\n"));
	CHECK(has("\ncurrent-context: \"edge1\"\nkind: Config\nusers:\n"
	    "- name: \"edge1\"\n"));
	CHECK(has("namespace: \"default\"\n# a comment kept with it\ncurrent-"));
	CHECK(has("provideClusterInfo: false\n- name: a\n  user:\n    "
	    "token: \"x: y # z\"\n"));
	CHECK(count(out_buf, "edge1", &named) > 0);
	CHECK_EQ_INT(named, 3);
	/* Merging again changes nothing. */
	memcpy(out_buf + sizeof(out_buf) / 2, out_buf, strlen(out_buf) + 1);
	CHECK_EQ_INT(merge(out_buf + sizeof(out_buf) / 2), 0);
	CHECK_STR(out_buf, out_buf + sizeof(out_buf) / 2);
}

TEST(test_merge_empty_forms)
{
	/* What `kubectl config set-cluster` and `set preferences` leave. */
	CHECK_EQ_INT(merge("apiVersion: v1\nclusters: null\ncontexts: []\n"
	    "current-context: \"\"\nkind: Config\npreferences: {}\n"
	    "users: ~ # none\n"), 0);
	CHECK(has("apiVersion: v1\nclusters:\n- name: \"edge1\"\n"));
	CHECK(has("TkVX\ncontexts:\n- name: \"edge1\"\n"));
	CHECK(has("\"default\"\ncurrent-context: \"edge1\"\nkind: Config\n"
	    "preferences: {}\nusers:\n- name: \"edge1\"\n"));
	CHECK(!has("null") && !has("[]") && !has("~"));
}

TEST(test_merge_missing_and_indented)
{
	int named;

	/* No lists at all, no newline at the end. */
	CHECK_EQ_INT(merge("# mine\nkind: Config"), 0);
	CHECK(has("# mine\nkind: Config\nclusters:\n- name: \"edge1\"\n"));
	CHECK(has("contexts:\n- name") && has("users:\n- name") &&
	    has("current-context: \"edge1\"\n"));
	CHECK(count(out_buf, "edge1", &named) > 0 && named == 3);
	/* Items indented under their key: ours are indented alike. */
	CHECK_EQ_INT(merge("clusters:\n  - name: a\n    cluster:\n"
	    "      server: https://a:1\n\n  - cluster:\n      server: "
	    "https://old\n    name: edge1\nusers:\n  -   name: u\n      "
	    "user: {}\n"), 0);
	CHECK(has("clusters:\n  - name: a\n    cluster:\n      server: "
	    "https://a:1\n\n  - name: \"edge1\"\n    cluster:\n      server: "
	    "\"https://c1"));
	CHECK(has("users:\n  -   name: u\n      user: {}\n  - name: \"edge1\"\n"
	    "    user:\n      exec:\n"));
	CHECK(!has("https://old"));
	CHECK(count(out_buf, "edge1", &named) > 0 && named == 3);
	/* A block scalar and a multi-line quoted string are text. */
	CHECK_EQ_INT(merge("users:\n- name: u\n  user:\n    exec:\n      "
	    "installHint: |\n        - name: edge1\nx: y\n"), 0);
	CHECK(count(out_buf, "edge1", &named) > 0 && named == 3);
	CHECK_EQ_INT(merge("users:\n- name: u\n  user:\n    exec:\n      "
	    "installHint: |-\n        - name: edge1\n        &x *y\n"
	    "      command: \"a\n- name: edge1\n  b\"\n"), 0);
	CHECK(count(out_buf, "edge1", &named) > 0 && named == 3);
	CHECK(has("        &x *y\n      command: \"a\n- name: edge1\n  b\"\n"
	    "- name: \"edge1\"\n"));
}

/* refused: old is refused at line with why holding what. */
static void
refused(const char *old, unsigned line, const char *what)
{
	CHECK_EQ_INT(merge(old), ERR_FAIL);
	CHECK_EQ_INT(scan.line, line);
	CHECK(scan.why != NULL && strstr(scan.why, what) != NULL);
	if (scan.line != line || scan.why == NULL || strstr(scan.why, what) == NULL)
		fprintf(stderr, "  for %s: line %u: %s\n", old, scan.line,
		    scan.why ? scan.why : "(none)");
}

TEST(test_refusals)
{
	refused("clusters:\n- cluster: &c\n    server: x\n  name: a\n", 2,
	    "anchor");
	refused("users:\n- name: a\n  user: *u\n", 3, "alias");
	refused("kind: !!str Config\n", 1, "tag");
	refused("%YAML 1.2\n---\nkind: Config\n", 1, "directive");
	refused("kind: Config\n---\nkind: Config\n", 2, "document");
	refused("kind: Config\n...\n", 2, "document");
	refused("preferences: {colors: true}\n", 1, "flow");
	refused("clusters: [a]\n", 1, "flow");
	refused("users:\n- name: a\n  user:\n    exec:\n      args: [a, b]\n",
	    5, "flow");
	refused("kind: Config\nusers:\n- name: a\n\tuser: {}\n", 4, "tab");
	CHECK_EQ_INT(merge("kind: Config\r\n"), 0);  /* CRLF: read */
	refused("kind: \"Config\n", 1, "unclosed");
	refused("kind: Config\nclusters:\n- name: a\nclusters:\n- name: b\n",
	    4, "twice");
	refused("current-context: a\ncurrent-context: b\n", 2, "twice");
	refused("clusters: a\n", 1, "a list");
	refused("clusters:\n  a:\n    server: x\n", 2, "a list");
	refused("users: []\n- name: a\n", 2, "a list");
	refused("users:\n  - name: a\n - name: b\n", 3, "indentation");
	refused("users:\n  - name: a\n  user: {}\n", 3, "indentation");
	refused("just a scalar\n", 1, "key: value");
	refused("# a list\n- a\nkind: Config\n", 2, "key: value");
	refused("kind: Config x: y\n", 1, "text after");
	refused("kind: \"Config\" x\n", 1, "text after");
	refused("a:\n  b: \"x\n  y\" z\n", 3, "text after");
}

TEST(test_prefixes_and_flips)
{
	size_t n = sizeof(KUBECTL) - 1, k;
	char buf[sizeof(KUBECTL)];
	struct sbuf o;
	char *g;

	/* Every prefix and every one-byte change: no crash, no over-read. */
	for (k = 0; k <= n; k++) {
		g = guard_copy(KUBECTL, k);
		sbuf_init(&o, out_buf, sizeof(out_buf));
		(void)kc_merge(&scan, g, k, NEU, sizeof(NEU) - 1, "edge1", &o);
		guard_free(g, k);
	}
	for (k = 0; k < n; k += 3) {
		memcpy(buf, KUBECTL, n);
		buf[k] = "-:#'\"&[ \n"[k % 9];
		g = guard_copy(buf, n);
		sbuf_init(&o, out_buf, sizeof(out_buf));
		(void)kc_merge(&scan, g, n, NEU, sizeof(NEU) - 1, "edge1", &o);
		guard_free(g, n);
	}
	/* A full output buffer is ERR_LIMIT. */
	sbuf_init(&o, out_buf, 100);
	CHECK_EQ_INT(kc_merge(&scan, KUBECTL, n, NEU, sizeof(NEU) - 1, "edge1",
	    &o), ERR_LIMIT);
}

/* crlf: doc[n] with every "\n" made "\r\n", into buf[cap]; its length. */
static size_t
crlf(const char *doc, size_t n, char *buf, size_t cap)
{
	size_t i, k = 0;

	for (i = 0; i < n && k + 2 < cap; i++) {
		if (doc[i] == '\n')
			buf[k++] = '\r';
		buf[k++] = doc[i];
	}
	buf[k] = '\0';
	return k;
}

TEST(test_crlf)
{
	static char in[sizeof(KUBECTL) * 2], want[sizeof(out_buf)];
	int named;

	crlf(KUBECTL, sizeof(KUBECTL) - 1, in, sizeof(in));
	/* Read as the LF file is: the same events, the same names. */
	CHECK_EQ_INT(count(in, "kind-kind", &named), count(KUBECTL, "kind-kind",
	    &named));
	CHECK_EQ_INT(named, 3);
	CHECK(count(in, "it's: odd", &named) > 0);
	/* Merged: the LF merge with every line ended by CRLF. */
	CHECK_EQ_INT(merge(KUBECTL), 0);
	crlf(out_buf, strlen(out_buf), want, sizeof(want));
	CHECK_EQ_INT(merge(in), 0);
	CHECK_STR(out_buf, want);
	/* An empty list made one: its key line ends in CRLF too. */
	CHECK_EQ_INT(merge("kind: Config\r\nusers: null\r\n"), 0);
	CHECK(has("kind: Config\r\nusers:\r\n- name: \"edge1\"\r\n"));
	/* A lone CR inside a line is still refused. */
	refused("kind: Con\rfig\n", 1, "control character");
}

int
main(void)
{
	RUN(test_events_of_kubectl_file);
	RUN(test_scalars);
	RUN(test_merge_adds);
	RUN(test_merge_replaces_in_place);
	RUN(test_merge_empty_forms);
	RUN(test_merge_missing_and_indented);
	RUN(test_refusals);
	RUN(test_prefixes_and_flips);
	RUN(test_crlf);
	return test_done();
}
