"""Writes to the emulator's cluster masters: POST, PUT and PATCH of ConfigMaps at
/api/v1/namespaces/{ns}/configmaps[/{name}], answered as Kubernetes does (201 or 200
with the object; 404, 405, 409, 415, 400 and 422 with a Status body).

A PATCH is a merge patch (application/merge-patch+json, and
application/strategic-merge-patch+json: a ConfigMap has no lists to merge by key), a JSON
patch (application/json-patch+json: add, replace, remove, test) or a server-side apply
(application/apply-patch+yaml: JSON is YAML; needs ?fieldManager=, may create); any other
content type is 415 UnsupportedMediaType.

For the tests, every object written says what arrived in its metadata.annotations:
"emulator/content-type" (the header), "emulator/content-length" (the header),
"emulator/body-bytes" and "emulator/sha256" (of the body read). Objects are kept per
cluster and namespace while the emulator runs (reads do not see them).
"""
import copy
import hashlib
import json
import threading
import uuid

from httpd import json_resp

METHODS = ("POST", "PUT", "PATCH")
PATCH_TYPES = ("application/merge-patch+json", "application/strategic-merge-patch+json",
               "application/json-patch+json", "application/apply-patch+yaml")

_lock = threading.Lock()
_store = {}         # (cluster id, namespace, name) -> ConfigMap
_seq = [2000]


def status(code, reason, message):
    return json_resp(code, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                            "status": "Failure", "message": message, "reason": reason, "code": code})


def merge(target, patch):
    """RFC 7386 merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge(out.get(k), v)
    return out


def _walk(doc, ptr):
    keys = [k.replace("~1", "/").replace("~0", "~") for k in ptr.split("/")[1:]]
    if not ptr.startswith("/") or not keys:
        raise ValueError("bad path %r" % ptr)
    cur = doc
    for k in keys[:-1]:
        cur = cur[int(k)] if isinstance(cur, list) else cur[k]
    return cur, keys[-1]


def json_patch(doc, ops):
    """RFC 6902, the operations kubectl sends for a ConfigMap."""
    doc = copy.deepcopy(doc)
    if not isinstance(ops, list):
        raise ValueError("a JSON patch is a list of operations")
    for op in ops:
        parent, key = _walk(doc, op.get("path", ""))
        o = op.get("op")
        if isinstance(parent, list):
            key = len(parent) if key == "-" else int(key)
        if o in ("add", "replace"):
            if o == "replace" and (key not in parent if isinstance(parent, dict) else key >= len(parent)):
                raise ValueError("replace operation does not apply: doc is missing path: %s" % op["path"])
            if isinstance(parent, list) and o == "add":
                parent.insert(key, op["value"])
            else:
                parent[key] = op["value"]
        elif o == "remove":
            del parent[key]
        elif o == "test":
            if parent[key] != op.get("value"):
                raise ValueError("testing value %s failed" % op["path"])
        else:
            raise ValueError("unexpected kind of operation %r" % o)
    return doc


def serve(masters, req, method, parts, q, body):
    """parts: [ns, "configmaps"] or [ns, "configmaps", name]."""
    cid, ns = req.server.cluster["id"], parts[0]
    name = parts[2] if len(parts) == 3 else None
    ctype = req.headers.get("Content-Type", "")
    if (method == "POST") != (name is None):
        return status(405, "MethodNotAllowed", "the server does not allow this method on the "
                      "requested resource")
    if method == "PATCH" and ctype.split(";")[0].strip() not in PATCH_TYPES:
        return status(415, "UnsupportedMediaType", "the body of the request was in an unknown "
                      "format - accepted media types include: application/json-patch+json, "
                      "application/merge-patch+json, application/apply-patch+yaml")
    if method == "PATCH" and ctype.startswith("application/apply-patch") and not q.get("fieldManager"):
        return status(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: '
                      "Required value: is required for apply patch")
    try:
        doc = json.loads(body)
    except ValueError as e:
        return status(400, "BadRequest", "error decoding from json: %s" % e)
    with _lock:
        old = _store.get((cid, ns, name))
        if method == "POST":
            name = (doc.get("metadata") or {}).get("name") if isinstance(doc, dict) else None
            if not name:
                return status(422, "Invalid", 'ConfigMap "" is invalid: metadata.name: Required '
                              "value: name or generateName is required")
            if (cid, ns, name) in _store:
                return status(409, "AlreadyExists", 'configmaps "%s" already exists' % name)
            obj, code = doc, 201
        elif method == "PUT":
            if old is None:
                return status(404, "NotFound", 'configmaps "%s" not found' % name)
            got = (doc.get("metadata") or {}).get("name") if isinstance(doc, dict) else None
            if got != name:
                return status(400, "BadRequest", "the name of the object (%s) does not match the "
                              "name on the URL (%s)" % (got, name))
            obj, code = doc, 200
        else:
            apply = ctype.startswith("application/apply-patch")
            if old is None and not apply:
                return status(404, "NotFound", 'configmaps "%s" not found' % name)
            base = old or {"metadata": {"name": name}}
            try:
                obj = json_patch(base, doc) if ctype.startswith("application/json-patch") else merge(base, doc)
            except (ValueError, KeyError, IndexError, TypeError) as e:
                return status(422, "Invalid", "the server rejected our request due to an error in "
                              "our request: %s" % e)
            code = 201 if old is None else 200
        if not isinstance(obj, dict):
            return status(400, "BadRequest", "the body is not a ConfigMap object")
        obj = dict(obj, kind="ConfigMap", apiVersion="v1")
        md = dict(obj.get("metadata") or {}, name=name, namespace=ns)
        _seq[0] += 1
        md.setdefault("uid", str(uuid.uuid4()))
        md.setdefault("creationTimestamp", "2024-08-15T02:10:00Z")
        md["resourceVersion"] = str(_seq[0])
        md["annotations"] = dict(md.get("annotations") or {}, **{
            "emulator/content-type": ctype,
            "emulator/content-length": req.headers.get("Content-Length", ""),
            "emulator/body-bytes": str(len(body)),
            "emulator/sha256": hashlib.sha256(body).hexdigest()})
        obj["metadata"] = md
        _store[(cid, ns, name)] = obj
        return json_resp(code, obj)

