/*
 * api.h: what every IBM service call shares: parsing a JSON body with
 * the one static token array, and turning an error answer (IAM's
 * errorCode/errorMessage, the containers API's code/description/
 * incidentID, Kubernetes' Status) into one error line.
 */
#ifndef IKSCTL_API_H
#define IKSCTL_API_H

#include "proto/http.h"
#include "proto/json.h"

/*
 * api_parse: parse body[0..len) into d, using the shared token array
 * (a later api_parse() reuses it).  Returns 0 or ERR_JSON / ERR_LIMIT
 * with a detail naming `what`.
 */
int api_parse(const char *what, const char *body, size_t len,
    struct json_doc *d);

/* api_parse_bare: the same, failing with json_parse()'s own detail. */
int api_parse_bare(const char *body, size_t len, struct json_doc *d);

/* api_parse_error: api_parse's error for json_parse()'s result r != 0. */
int api_parse_error(const char *what, int r);

/*
 * api_error: record the error of a non-2xx answer to `what` and return
 * its code: ERR_AUTH for 401 and for IAM's refusals (400, 401, 403 from
 * /identity/token), else ERR_HTTP_STATUS.  The detail carries the
 * service's own code and message and its incident or transaction id.
 */
int api_error(const char *what, const struct http_resp *rs, int is_iam);

/* api_ok: 1 for a 2xx status. */
int api_ok(const struct http_resp *rs);

#endif
