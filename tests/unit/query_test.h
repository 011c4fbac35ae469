/*
 * query_test.h: what the query tests share: realistic JSON answers
 * (test_query.c runs -q on them parsed whole, test_query_stream.c as
 * they stream, and compares the two) and the emit callback that
 * collects the output in out[] (calls counts its calls).
 */
#ifndef IKSCTL_TEST_QUERY_TEST_H
#define IKSCTL_TEST_QUERY_TEST_H

#include "base/errors.h"

#include <string.h>

static char out[70000];
static size_t outn;
static int calls;

static int
capture(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	calls++;
	if (n == 0 || outn + n >= sizeof(out))
		return ERR_LIMIT;
	memcpy(out + outn, p, n);
	outn += n;
	out[outn] = '\0';
	return 0;
}

/* A cluster list, as GET /v1/clusters answers (a top-level array). */
static const char clusters[] =
    "[\n"
    "  {\"id\": \"cbsqftpt0thsm9b20hig\", \"name\": \"itzroks-demo\",\n"
    "   \"region\": \"jp-tok\", \"type\": \"openshift\", \"workerCount\": 3,\n"
    "   \"workerZones\": [\"tok02\"], \"multiAzCapable\": true,\n"
    "   \"serverURL\":\n"
    "   \"https://c115-e.jp-tok.containers.cloud.ibm.com:32726\",\n"
    "   \"addons\": [], \"lifecycle\": null,\n"
    "   \"ingress-hostname\":\n"
    "   \"demo-0000.jp-tok.containers.appdomain.cloud\"},\n"
    "  {\"id\": \"cfgm29vf0a9mevqne4ag\", \"name\": \"edge \\\"east\\\"\",\n"
    "   \"region\": \"us-south\", \"type\": \"kubernetes\",\n"
    "   \"workerCount\": 6,\n"
    "   \"workerZones\": [\"dal10\", \"dal12\", \"dal13\"],\n"
    "   \"multiAzCapable\": false, \"serverURL\": \"\",\n"
    "   \"masterURL\":\n"
    "   \"https://c2.private.us-south.containers.cloud.ibm.com:30422\",\n"
    "   \"addons\": [{\"name\": \"istio\", \"version\": \"1.19\"}],\n"
    "   \"status\": \"\\u003cwarning\\u003e caf\\u00e9\\tok\"},\n"
    "  {\"id\": \"0123456789abcdef0123456789abcdef\", \"name\": \"old\",\n"
    "   \"workerZones\": []}\n"
    "]\n";

/* A Kubernetes list (a PodList trimmed to what a query touches). */
static const char pod_list[] =
    "{\"kind\": \"PodList\", \"apiVersion\": \"v1\",\n"
    " \"metadata\": {\"resourceVersion\": \"123456\"},\n"
    " \"items\": [\n"
    "  {\"metadata\": {\"name\": \"coredns-6d8f\", \"namespace\": \"kube-system\",\n"
    "    \"labels\": {\"k8s-app\": \"kube-dns\"}},\n"
    "   \"spec\": {\"containers\": [{\"name\": \"coredns\", \"ports\": [53, 9153]}],\n"
    "    \"nodeName\": \"10.240.0.4\"},\n"
    "   \"status\": {\"phase\": \"Running\", \"podIP\": \"172.17.0.5\"}},\n"
    "  {\"metadata\": {\"name\": \"calico-node-x\\u00e9\", \"namespace\": \"kube-system\"},\n"
    "   \"spec\": {\"containers\": [{\"name\": \"calico\"}, {\"name\": \"init\"}]},\n"
    "   \"status\": {\"phase\": \"Pending\", \"conditions\": null}}\n"
    " ],\n"
    " \"k\\u0069nd2\": [\"escaped key\"], \"empty\": {}, \"none\": []}\n";

#endif
