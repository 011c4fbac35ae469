"""Account Management for the emulator: GET /coe/v2/accounts and /v1/accounts (paginated,
`next_url` a path or, with config next_url_base, absolute) and .../{guid}, for the
accounts the token's identity is a member of. Facts follow /work/shared/IBM-API.md
section 3; the error body is IBM's platform error shape."""
import hashlib
import uuid

from httpd import json_resp


def make_accounts():
    """The three fake accounts, the same every run."""
    names = ["FAKE Account One", "FAKE Account Two", "FAKE Account Three"]
    return [{"guid": hashlib.md5(("fake-acct-%d" % i).encode()).hexdigest(),
             "name": nm, "created": "2019-0%d-1%dT18:44:57.115Z" % (i + 3, i)} for i, nm in enumerate(names)]


def acct_error(status, code, msg):
    body = {"errors": [{"code": code, "message": msg, "more_info": ""}],
            "trace": uuid.uuid4().hex, "status_code": status}
    return json_resp(status, body, [("Transaction-Id", body["trace"])])


class Accounts:
    def __init__(self, emu):
        self.emu = emu

    def acct_obj(self, a, prefix):
        return {"metadata": {"guid": a["guid"], "url": "%s/%s" % (prefix, a["guid"]),
                             "created_at": a["created"], "updated_at": "2024-04-28T23:46:03.739Z",
                             "origin": "BSS", "linked_accounts": [], "anonymousId": "a" + a["guid"][:31],
                             "update_comments": "", "updated_by": ""},
                "entity": {"name": a["name"], "type": "STANDARD", "state": "ACTIVE", "sub_state": "",
                           "owner": "IBMid-6620000FAKE", "owner_iam_id": "IBMid-6620000FAKE",
                           "owner_userid": "fake.user@example.com", "owner_unique_id": "6620000FAKE",
                           "customer_id": "%d" % (int(a["guid"][:6], 16)), "country_code": "USA",
                           "currency_code": "USD", "billing_country_code": "USA", "isIBMer": False,
                           "team_directory_enabled": True,
                           "organizations_region": [{"guid": a["guid"][::-1], "region": "us-south"}],
                           "linkages": [{"origin": "IMS", "state": "COMPLETE"}],
                           "bluemix_subscriptions": [{"type": "PAYG", "state": "ACTIVE",
                                                      "softlayer_account_id": "%d" % (2000000 + int(a["guid"][:4], 16)),
                                                      "part_number": "COE-Trial", "subscription_id": a["guid"][:24]}],
                           "current_billing_system": "BSS", "terms_and_conditions": {"required": False, "accepted": True},
                           "tags": [], "onboarded": 1,
                           "primary_owner": {"ibmid": "6620000FAKE", "url": "/v1/users/6620000FAKE"},
                           "subscriptions": {"total": 1, "url": "%s/%s/subscriptions" % (prefix, a["guid"])},
                           "traits": {"total": 0, "url": "%s/%s/traits" % (prefix, a["guid"])}}}

    def serve(self, req, method, path, q, body, fault=None):
        if path.rstrip("/") not in ("/coe/v2/accounts", "/v1/accounts") and \
                not path.startswith(("/coe/v2/accounts/", "/v1/accounts/")):
            return acct_error(404, "not_found", "The requested resource was not found.")
        claims = self.emu.iam.bearer(req)
        if not claims:
            return acct_error(401, "not_authorized", "The provided IAM token is invalid or expired.")
        if method != "GET":
            return acct_error(405, "method_not_allowed", "Method not allowed.")
        ident = self.emu.iam.idents.get(claims["iam_id"])
        mine = [a for a in self.emu.accounts if ident and a["guid"] in ident["accounts"]]
        prefix = "/coe/v2/accounts" if path.startswith("/coe") else "/v1/accounts"
        rest = path[len(prefix):].strip("/")
        if rest:
            for a in mine:
                if a["guid"] == rest:
                    return json_resp(200, self.acct_obj(a, prefix))
            return acct_error(404, "not_found", "Account %s was not found." % rest)
        size = self.emu.cfg["page_size"]
        try:
            size = max(1, int(q.get("limit", size)))
        except ValueError:
            pass
        start = 0
        doc = q.get("next_docid")
        if doc:
            idx = [i for i, a in enumerate(mine) if a["guid"] == doc]
            if not idx:
                return acct_error(400, "invalid_next_docid", "The next_docid parameter is invalid.")
            start = idx[0]
        page = mine[start:start + size]
        nxt = None
        if start + size < len(mine):
            nxt = "%s?next_docid=%s&limit=%d" % (prefix, mine[start + size]["guid"], size)
            nxt = self.emu.cfg["next_url_base"] + nxt   # "" keeps it a path
        res = [self.acct_obj(a, prefix) for a in page]
        if prefix == "/v1/accounts":
            prev = None
            if start > 0:
                prev = "%s?next_docid=%s&limit=%d" % (prefix, mine[max(0, start - size)]["guid"], size)
            return json_resp(200, {"total_results": len(mine), "total_pages": (len(mine) + size - 1) // size,
                                   "prev_url": prev, "next_url": nxt, "resources": res})
        return json_resp(200, {"next_url": nxt, "total_results": len(mine), "resources": res})
