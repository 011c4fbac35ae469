/*
 * metadata.h: an IAM access token from the VPC instance's own identity
 * (DESIGN.md F23, `login --vpc-instance`), with no secret on the device.
 *
 * Two calls to the instance's metadata service, IKSCTL_METADATA_URL
 * (default http://api.metadata.cloud.ibm.com): an identity token, then
 * its exchange for an access token of a trusted profile linked to the
 * instance.  The service is the one host iksctl talks to in plain HTTP
 * (an https:// URL is verified like any other host), never through a
 * proxy, and no IAM token is ever sent to it.  There is no refresh
 * token: every renewal makes the two calls again.
 */
#ifndef IKSCTL_METADATA_H
#define IKSCTL_METADATA_H

#include "cloud/iam.h"

#define METADATA_DEFAULT "http://api.metadata.cloud.ibm.com"

/*
 * metadata_iam_token: the access token of the trusted profile (an id,
 * or a CRN: "crn:...") into *t (t->access, t->expires_in).  The newest
 * API first; on a 404 the next of its paths, then the older
 * /instance_identity/ ones.  Returns 0; ERR_AUTH when the service
 * refuses (a 4xx: the detail has its code and message, and what to do
 * for profile_not_linked); ERR_NET_REFUSED saying to enable the
 * instance's metadata service; another transport or HTTP error.
 */
int metadata_iam_token(const char *profile, struct iam_tokens *t);

#endif
