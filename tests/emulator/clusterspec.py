"""What the emulator's cluster requests may ask for, and how their bodies are read: the
versions, zones, flavors and locations the containers API knows, the table of its
request errors, field lookup as Go's encoding/json does it, and the checks of a create
body (classic or VPC) and of a version. A refused request raises BadRequest(code, ...).

Facts follow /work/shared/IBM-LIFECYCLE.md; anything it does not say is marked
"invented" here and in README.md. Used by lifecycle.py and pools.py.
"""
import json
import re

# (kind, major, minor) -> (newest patch, build). The builds of 1.29, 1.30 and 4.15 are
# those of the built-in clusters; the others are invented.
VERSIONS = {("kubernetes", 1, 28): (14, "1559"), ("kubernetes", 1, 29): (8, "1548"),
            ("kubernetes", 1, 30): (4, "1532"), ("openshift", 4, 14): (35, "1570"),
            ("openshift", 4, 15): (28, "1563")}
DEFAULT_MINOR = {"kubernetes": (1, 30), "openshift": (4, 15)}

CLASSIC_ZONES = {}
for _r, _zs in (("us-south", ("dal10", "dal12", "dal13")), ("us-east", ("wdc04", "wdc06", "wdc07")),
                ("eu-de", ("fra02", "fra04", "fra05")), ("eu-gb", ("lon02", "lon04", "lon06")),
                ("jp-tok", ("tok02", "tok04", "tok05")), ("au-syd", ("syd01", "syd04", "syd05"))):
    for _z in _zs:
        CLASSIC_ZONES[_z] = _r
VPC_ZONES = {"%s-%d" % (r, i): r for r in set(CLASSIC_ZONES.values()) for i in (1, 2, 3)}
LOCATIONS = {"us-south": "Dallas", "us-east": "Washington DC", "eu-de": "Frankfurt",
             "eu-gb": "London", "jp-tok": "Tokyo", "au-syd": "Sydney"}
CLASSIC_FLAVORS = ("b3c.4x16", "b3c.8x32")
VPC_FLAVORS = ("bx2.4x16", "bx2.8x32", "cx2.2x4", "mx2.4x32")

VERSIONS_CLI = "To list supported versions, run 'ibmcloud ks versions'."
# code -> (status, description, type, recoveryCLI). "invented" = not in IBM-LIFECYCLE.md.
ERRORS = {
    "E0007": (409, "A cluster with the same name already exists. Choose another name.", "Provisioning", ""),
    "E0156": (400, "A previous patch was specified. Only the most recent patch for a particular minor "
              "version can be specified during cluster create.", "Versions", VERSIONS_CLI),
    "E4e5b": (400, "Could not find flavor in the requested zone.", "BadRequest",
              "To list available flavors, run 'ibmcloud ks flavors --zone <zone>'."),
    "E60b6": (403, "The cluster quota for this account is reached. Delete a cluster that you no longer "
              "need, or request a higher quota.", "Provisioning", ""),           # text invented
    "E0120": (409, "The master is already up to date for the specified version.", "Versions", ""),
    "A0006": (404, "The specified cluster could not be found. If applicable, make sure that you target "
              "the correct resource group or region.", "Authentication", ""),
    # invented:
    "E0013": (400, "The request body could not be parsed. Provide a valid JSON object.", "BadRequest", ""),
    "E0040": (400, "The request is not valid: %s", "BadRequest", ""),
    "E0153": (400, "The specified version is not supported: %s", "Versions", VERSIONS_CLI),
    "E0121": (409, "The cluster is in state '%s'. The operation cannot be started now. Wait for the "
              "current operation to finish and try again.", "Provisioning", ""),
}


def jget(d, key, default=None):
    """Field lookup as Go's encoding/json does it: exact name first, then case-insensitive."""
    if key in d:
        return d[key]
    for k, v in d.items():
        if k.lower() == key.lower():
            return v
    return default


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


class BadRequest(Exception):
    def __init__(self, code, *args):
        self.code, self.args_ = code, args


def parse(body):
    """A request body that must be a JSON object."""
    try:
        d = json.loads(body or b"")
    except ValueError:
        raise BadRequest("E0013")
    if not isinstance(d, dict):
        raise BadRequest("E0013")
    return d


def field(d, key, kind, required=False, where=""):
    """d's field key (Go's lookup) if of that kind (str, bool, int, obj, list); None if absent."""
    v = jget(d, key)
    name = where + key
    if v is None:
        if required:
            raise BadRequest("E0040", "the field '%s' is required." % name)
        return None
    ok = {"str": isinstance(v, str), "bool": isinstance(v, bool), "int": is_int(v),
          "obj": isinstance(v, dict), "list": isinstance(v, list)}[kind]
    if not ok:
        raise BadRequest("E0040", "the field '%s' has the wrong type (%s expected)." % (name, {
            "str": "string", "bool": "boolean", "int": "integer", "obj": "object", "list": "array"}[kind]))
    if required and kind == "str" and not v.strip():
        raise BadRequest("E0040", "the field '%s' must not be empty." % name)
    return v


def version(v, create):
    """(type, full version) for a requested version string; BadRequest otherwise."""
    m = re.fullmatch(r"(\d+)\.(\d+)(?:\.(\d+))?(?:_(\d+))?(_openshift)?", v.strip())
    if not m:
        raise BadRequest("E0153", v)
    major, minor = int(m.group(1)), int(m.group(2))
    typ = "openshift" if (m.group(5) or major == 4) else "kubernetes"
    known = VERSIONS.get((typ, major, minor))
    if not known:
        raise BadRequest("E0153", v)
    patch, build = known
    if m.group(3) is not None:
        p = int(m.group(3))
        if p > patch:
            raise BadRequest("E0153", v)
        if p < patch:
            raise BadRequest("E0156" if create else "E0153", v)
    return typ, full(typ, major, minor)


def full(typ, major, minor):
    patch, build = VERSIONS[(typ, major, minor)]
    return "%d.%d.%d_%s%s" % (major, minor, patch, build, "_openshift" if typ == "openshift" else "")


def default_version(typ):
    return full(typ, *DEFAULT_MINOR[typ])


def validate(body, vpc):
    """The create request's spec (dict) from a classic or VPC create body."""
    d = parse(body)
    f = field
    s = {"vpc": vpc, "name": f(d, "name", "str", True).strip()}
    s["pod_subnet"] = f(d, "podSubnet", "str") or ""
    s["service_subnet"] = f(d, "serviceSubnet", "str") or ""
    if vpc:
        prov = f(d, "provider", "str")
        if prov not in (None, "vpc-gen2"):
            raise BadRequest("E0040", "the field 'provider' must be 'vpc-gen2'.")
        ver = f(d, "kubeVersion", "str")
        dis = f(d, "disablePublicServiceEndpoint", "bool")
        f(d, "cosInstanceCRN", "str")
        wp = jget(d, "workerPool")
        if wp is None:
            raise BadRequest("E0040", "the field 'workerPool' is required.")
        if not isinstance(wp, dict):
            raise BadRequest("E0040", "the field 'workerPool' must be an object.")
        w = "workerPool."
        s["pool_name"] = f(wp, "name", "str", where=w) or "default"
        s["flavor"] = f(wp, "flavor", "str", True, w)
        s["vpc_id"] = f(wp, "vpcID", "str", True, w)
        n = f(wp, "workerCount", "int", True, w)
        if n < 1:
            raise BadRequest("E0040", "the field 'workerPool.workerCount' must be at least 1.")
        f(wp, "labels", "obj", where=w)
        zones = f(wp, "zones", "list", True, w)
        if not zones:
            raise BadRequest("E0040", "the field 'workerPool.zones' must not be empty.")
        s["zones"], s["subnets"] = [], {}
        for i, z in enumerate(zones):
            if not isinstance(z, dict):
                raise BadRequest("E0040", "workerPool.zones[%d] must be an object." % i)
            zid = f(z, "id", "str", True, "workerPool.zones[%d]." % i)
            s["subnets"][zid] = f(z, "subnetID", "str", True, "workerPool.zones[%d]." % i)
            if zid not in s["zones"]:
                s["zones"].append(zid)
        s["per_zone"] = n
        s["public"] = not dis
        s["private"] = True
        ok_zone, flavors = VPC_ZONES, VPC_FLAVORS
    else:
        s["zones"] = [f(d, "dataCenter", "str", True)]
        s["flavor"] = f(d, "machineType", "str", True)
        n = f(d, "workerNum", "int")
        if n is not None and n < 1:
            raise BadRequest("E0040", "the field 'workerNum' must be at least 1.")
        s["per_zone"] = 1 if n is None else n
        ver = f(d, "masterVersion", "str")
        for k in ("privateVlan", "publicVlan", "isolation", "defaultWorkerPoolName", "operatingSystem"):
            f(d, k, "str")
        for k in ("diskEncryption", "noSubnet", "privateSeviceEndpoint", "publicServiceEndpoint"):
            f(d, k, "bool")
        iso = jget(d, "isolation") or ""
        if iso not in ("", "public", "private"):
            raise BadRequest("E0040", "the field 'isolation' must be 'public' or 'private'.")
        s["isolation"], s["private_vlan"], s["public_vlan"] = iso, jget(d, "privateVlan") or "", jget(d, "publicVlan") or ""
        s["pool_name"] = jget(d, "defaultWorkerPoolName") or "default"
        # the real key is misspelt "privateSeviceEndpoint"; "privateServiceEndpoint" is ignored
        s["private"] = bool(jget(d, "privateSeviceEndpoint"))
        s["public"] = bool(jget(d, "publicServiceEndpoint", True)) if s["private"] else True
        ok_zone, flavors = CLASSIC_ZONES, CLASSIC_FLAVORS
    if ver:
        s["type"], s["version"] = version(ver, True)
    else:
        s["type"], s["version"] = "kubernetes", default_version("kubernetes")
    for z in s["zones"]:
        if z not in ok_zone or s["flavor"] not in flavors:
            raise BadRequest("E4e5b")
    return s
