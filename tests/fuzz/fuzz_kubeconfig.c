/*
 * fuzz_kubeconfig: a kubeconfig as cluster config reads it before it
 * merges into it (src/proto/kubeconfig.c): the events of the whole
 * input, then the merge of one cluster's entries.  The events must tile
 * the input in order; a merge that succeeds must give a document the
 * reader takes again, with exactly one cluster, context and user of
 * ours, and merging it again must change nothing.
 */
#include "fuzz.h"

#include "base/errors.h"
#include "proto/kubeconfig.h"

static const char neu[] =
    "apiVersion: v1\nkind: Config\nclusters:\n"
    "- name: \"edge1\"\n  cluster:\n    server: \"https://c1:30001\"\n"
    "    certificate-authority-data: TkVX\ncontexts:\n"
    "- name: \"edge1\"\n  context:\n    cluster: \"edge1\"\n"
    "    user: \"edge1\"\n    namespace: \"default\"\n"
    "current-context: \"edge1\"\npreferences: {}\nusers:\n"
    "- name: \"edge1\"\n  user:\n    exec:\n      command: \"/x\"\n"
    "      args:\n      - kube-credential\n      env:\n"
    "      - name: \"IKSCTL_HOME\"\n        value: \"/h\"\n"
    "      interactiveMode: Never\n";

static char out[2][1 << 20];
static struct kc_scan s;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct sbuf o, o2;
	struct kc_ev ev;
	size_t at = 0;
	int r, named = 0, n;

	if (size > 256 * 1024)
		return 0;
	kc_scan_init(&s, p, size);
	for (n = 0; (r = kc_next(&s, &ev)) > 0; n++) {
		FUZZ_ASSERT(ev.start == at && ev.end >= ev.start &&
		    ev.end <= size && n < (int)size * 2 + 2);
		FUZZ_ASSERT(ev.kind != KC_EV_ITEM || ev.name.n == 0 ||
		    (ev.name.p >= p && ev.name.p + ev.name.n <= p + ev.end));
		at = ev.end;
	}
	FUZZ_ASSERT(r == 0 ? at == size : r == ERR_FAIL && s.why != NULL);
	sbuf_init(&o, out[0], sizeof(out[0]));
	if (kc_merge(&s, p, size, neu, sizeof(neu) - 1, "edge1", &o) != 0)
		return 0;
	kc_scan_init(&s, o.p, o.len);
	while ((r = kc_next(&s, &ev)) > 0)
		if (ev.kind == KC_EV_ITEM && kc_scalar_eq(ev.name, "edge1"))
			named++;
	FUZZ_ASSERT(r == 0 && named == 3);
	sbuf_init(&o2, out[1], sizeof(out[1]));
	FUZZ_ASSERT(kc_merge(&s, o.p, o.len, neu, sizeof(neu) - 1, "edge1",
	    &o2) == 0 && o2.len == o.len && memcmp(o.p, o2.p, o.len) == 0);
	return 0;
}
