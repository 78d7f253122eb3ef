"""S3: buckets and everything that decides whether their objects can be taken.

Fetch: ListBuckets, then per bucket (with a client in the bucket's region) encryption, policy,
policy status, ACL, Block Public Access, ownership, versioning, object lock, logging,
replication, tags and a bounded sample of object keys; plus the account's Block Public Access
(s3control). Normalize mirrors `collect/terraform/aws_s3.py`: the same keys with the same
meanings. A bucket without an encryption configuration is SSE-S3 (real AWS answers SSE-S3 since
January 2023; moto raises ServerSideEncryptionConfigurationNotFoundError), i.e. provider-managed.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from crownjewel.collect.aws.common import (
    PROVIDER_MANAGED,
    KeyIndex,
    Scope,
    add_asset,
    apply_key,
    bucket_arn,
    tags_of,
    unknown_all,
)
from crownjewel.collect.aws.session import Calls, Recorder, Reply, client
from crownjewel.collect.terraform.aws_iam_policy import (
    AUTHENTICATED_GROUP,
    PUBLIC_GROUP,
    parse_document,
    public_statements,
)
from crownjewel.model.assets import EdgeKind, Kind
from crownjewel.model.graph import GraphBuilder

OPERATIONS: Mapping[str, str] = {
    "ListBuckets": "s3:ListAllMyBuckets",
    "GetBucketLocation": "s3:GetBucketLocation",
    "GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "GetBucketPolicy": "s3:GetBucketPolicy",
    "GetBucketPolicyStatus": "s3:GetBucketPolicyStatus",
    "GetBucketAcl": "s3:GetBucketAcl",
    "GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "GetBucketOwnershipControls": "s3:GetBucketOwnershipControls",
    "GetBucketVersioning": "s3:GetBucketVersioning",
    "GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "GetBucketLogging": "s3:GetBucketLogging",
    "GetBucketReplication": "s3:GetReplicationConfiguration",
    "GetBucketTagging": "s3:GetBucketTagging",
    "ListObjectsV2": "s3:ListBucket",
}
S3CONTROL_OPERATIONS: Mapping[str, str] = {"GetPublicAccessBlock": "s3:GetAccountPublicAccessBlock"}
BUCKET_WORKERS = 16
SAMPLE_KEYS = 200
PAB_KEYS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
# Error codes meaning "not configured" (a definite answer), per call.
_ABSENT = {
    "GetBucketEncryption": ("ServerSideEncryptionConfigurationNotFoundError",),
    "GetBucketPolicy": ("NoSuchBucketPolicy",),
    "GetBucketPolicyStatus": ("NoSuchBucketPolicy",),
    "GetPublicAccessBlock": ("NoSuchPublicAccessBlockConfiguration",),
    "GetBucketOwnershipControls": ("OwnershipControlsNotFoundError",),
    "GetObjectLockConfiguration": ("ObjectLockConfigurationNotFoundError",),
    "GetBucketReplication": ("ReplicationConfigurationNotFoundError",),
    "GetBucketTagging": ("NoSuchTagSet",),
}


@dataclass(slots=True)
class BucketRaw:
    """The replies about one bucket."""

    name: str
    region: str
    replies: dict[str, Reply] = field(default_factory=dict)


@dataclass(slots=True)
class S3Raw:
    """Everything S3 answered for one account."""

    listing: Reply
    account_pab: Reply
    buckets: list[BucketRaw] = field(default_factory=list)


def _region_of(location: Reply, fallback: str) -> str | None:
    if not location.ok:
        return None
    value = location.get("LocationConstraint")
    if value in (None, ""):
        return "us-east-1"
    return "eu-west-1" if value == "EU" else str(value)


def fetch(session: Any, scope: Scope, regions: tuple[str, ...] | None,
          recorder_for: Callable[[str], Recorder]) -> S3Raw:
    """List buckets (in `regions`, or all) and read each one's configuration."""
    home = scope.region
    calls = Calls(client(session, "s3", home), OPERATIONS, recorder_for(home))
    listing = calls.pages("ListBuckets", "Buckets")
    control = Calls(client(session, "s3control", home), S3CONTROL_OPERATIONS, recorder_for(home))
    account_pab = control.call("GetPublicAccessBlock", absent=("NoSuchPublicAccessBlockConfiguration",),
                               AccountId=scope.account)
    raw = S3Raw(listing, account_pab)
    if not listing.ok:
        return raw
    by_region: dict[str, Calls] = {home: calls}
    lock = threading.Lock()

    def regional(region: str) -> Calls:
        with lock:  # boto3 sessions are not thread-safe; the clients they make are
            if region not in by_region:
                by_region[region] = Calls(client(session, "s3", region), OPERATIONS, recorder_for(region))
            return by_region[region]

    def read(bucket: Any) -> BucketRaw | None:
        name = bucket.get("Name") if isinstance(bucket, Mapping) else None
        if not isinstance(name, str):
            return None
        location = calls.call("GetBucketLocation", Bucket=name)
        region = bucket.get("BucketRegion") or _region_of(location, home)
        if region is None:
            return BucketRaw(name, home, {"GetBucketLocation": location})
        if regions is not None and region not in regions:
            return None
        rc = regional(str(region))
        item = BucketRaw(name, str(region), {"GetBucketLocation": location})
        for op in ("GetBucketEncryption", "GetBucketPolicy", "GetBucketPolicyStatus", "GetBucketAcl",
                   "GetPublicAccessBlock", "GetBucketOwnershipControls", "GetBucketVersioning",
                   "GetObjectLockConfiguration", "GetBucketLogging", "GetBucketReplication",
                   "GetBucketTagging"):
            item.replies[op] = rc.call(op, absent=_ABSENT.get(op, ()), Bucket=name)
        item.replies["ListObjectsV2"] = rc.call("ListObjectsV2", Bucket=name, MaxKeys=SAMPLE_KEYS)
        return item

    # Buckets are read concurrently (each needs ~13 calls); results keep the listing's order.
    with ThreadPoolExecutor(max_workers=BUCKET_WORKERS, thread_name_prefix="crownjewel-s3") as pool:
        raw.buckets.extend(item for item in pool.map(read, listing.value) if item is not None)
    return raw


# ------------------------------------------------------------------------------ normalize


def _encryption(b: BucketRaw, scope: Scope, keys: KeyIndex, me: str, attrs: dict[str, Any],
                unknown: dict[str, str], builder: GraphBuilder) -> None:
    reply = b.replies["GetBucketEncryption"]
    if reply.absent:
        attrs["encryption"] = PROVIDER_MANAGED  # S3 encrypts every object with SSE-S3 by default
        return
    if not reply.ok:
        unknown_all(unknown, ("encryption", "kms_key"), reply)
        return
    rules = (reply.get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []
    for rule in rules:
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        algorithm = default.get("SSEAlgorithm")
        if rule.get("BucketKeyEnabled") is not None:
            attrs["bucket_key_enabled"] = rule.get("BucketKeyEnabled") is True
        if algorithm in ("aws:kms", "aws:kms:dsse"):
            apply_key(default.get("KMSMasterKeyID"), scope, keys, me, attrs, builder, unknown)
            return
        if algorithm is not None:
            attrs["encryption"] = PROVIDER_MANAGED
            return
    attrs["encryption"] = PROVIDER_MANAGED


def _grants(b: BucketRaw, attrs: dict[str, Any], unknown: dict[str, str]) -> None:
    public: list[str] = []
    authenticated: list[str] = []
    reasons: list[str] = []
    policy = b.replies["GetBucketPolicy"]
    if policy.ok and not policy.absent:
        try:
            doc = parse_document(json.loads(str(policy.get("Policy") or "")))
        except ValueError:
            reasons.append(f"s3:GetBucketPolicy returned a policy that is not JSON for {b.name}")
        else:
            if doc.unknown:
                reasons.append(doc.unknown)
            public.extend(ev for _, ev in public_statements(doc, f"bucket policy of {b.name}"))
            attrs["secure_transport_required"] = any(
                not st.allows and key.lower() == "aws:securetransport" and op.lower() == "bool"
                and any(str(v).lower() == "false" for v in values)
                for st in doc.statements for op, key, values in st.conditions)
    elif policy.absent:
        attrs["secure_transport_required"] = False
    else:
        reasons.append(policy.error or "s3:GetBucketPolicy failed")
        unknown["secure_transport_required"] = policy.error or "s3:GetBucketPolicy failed"
    status = b.replies["GetBucketPolicyStatus"]
    if status.ok and (status.get("PolicyStatus") or {}).get("IsPublic") is True and not public:
        public.append(f"S3 reports the bucket policy of {b.name} as public (GetBucketPolicyStatus IsPublic)")
    acl = b.replies["GetBucketAcl"]
    if acl.ok:
        for grant in acl.get("Grants") or ():
            uri = (grant.get("Grantee") or {}).get("URI")
            perm = grant.get("Permission")
            if uri == PUBLIC_GROUP:
                public.append(f"ACL of {b.name} grants {perm} to the AllUsers group")
            elif uri == AUTHENTICATED_GROUP:
                authenticated.append(f"ACL of {b.name} grants {perm} to the AuthenticatedUsers group")
    else:
        reasons.append(acl.error or "s3:GetBucketAcl failed")
    for key, found in (("public_grants", public), ("authenticated_grants", authenticated)):
        if found or not reasons:
            attrs[key] = tuple(found)
        else:
            unknown[key] = "; ".join(reasons)


def _settings(reply: Reply) -> dict[str, bool] | None:
    if reply.absent:
        return dict.fromkeys(PAB_KEYS, False)
    if not reply.ok:
        return None
    config = reply.get("PublicAccessBlockConfiguration") or {}
    return {key: config.get(key) is True for key in PAB_KEYS}


def _public_access_block(bucket: Reply, account: Reply, attrs: dict[str, Any], unknown: dict[str, str]) -> None:
    """Bucket and account settings combine per setting (S3 applies the stricter)."""
    levels = [_settings(bucket), _settings(account)]
    states: list[bool | None] = []
    for key in PAB_KEYS:
        if any(level is not None and level[key] for level in levels):
            states.append(True)
        elif all(level is not None for level in levels):
            states.append(False)
        else:
            states.append(None)
    if all(s is True for s in states):
        attrs["public_access_prevention"] = True
    elif any(s is False for s in states):
        attrs["public_access_prevention"] = False
    else:
        unknown["public_access_prevention"] = "; ".join(r.error or r.op for r in (bucket, account) if not r.ok)


def _simple(b: BucketRaw, me: str, attrs: dict[str, Any], unknown: dict[str, str], builder: GraphBuilder,
            partition: str) -> None:
    own = b.replies["GetBucketOwnershipControls"]
    if own.ok:
        rules = ((own.get("OwnershipControls") or {}).get("Rules") or []) if not own.absent else []
        attrs["uniform_access"] = any(r.get("ObjectOwnership") == "BucketOwnerEnforced" for r in rules)
    else:
        unknown_all(unknown, ("uniform_access",), own)
    ver = b.replies["GetBucketVersioning"]
    if ver.ok:
        attrs["versioning"] = ver.get("Status") == "Enabled"
        attrs["mfa_delete"] = ver.get("MFADelete") == "Enabled"
    else:
        unknown_all(unknown, ("versioning", "mfa_delete"), ver)
    lock = b.replies["GetObjectLockConfiguration"]
    if lock.ok:
        rule = (lock.get("ObjectLockConfiguration") or {}).get("Rule") or {}
        attrs["retention_locked"] = (rule.get("DefaultRetention") or {}).get("Mode") == "COMPLIANCE"
    else:
        unknown_all(unknown, ("retention_locked",), lock)
    log = b.replies["GetBucketLogging"]
    if log.ok:
        target = (log.get("LoggingEnabled") or {}).get("TargetBucket")
        attrs["access_logging"] = bool(target)
        if target:
            attrs["log_target"] = bucket_arn(str(target), partition)
            builder.link(me, EdgeKind.LOGS_TO, attrs["log_target"])
    else:
        unknown_all(unknown, ("access_logging", "log_target"), log)
    rep = b.replies["GetBucketReplication"]
    if rep.ok:
        found = []
        for rule in (rep.get("ReplicationConfiguration") or {}).get("Rules") or ():
            dest = rule.get("Destination") or {}
            where = str(dest.get("Bucket"))
            found.append(f"{where} (account {dest['Account']})" if dest.get("Account") else where)
        attrs["replication_destinations"] = tuple(found)
    else:
        unknown_all(unknown, ("replication_destinations",), rep)


def _objects(b: BucketRaw, attrs: dict[str, Any], unknown: dict[str, str]) -> None:
    listed = b.replies["ListObjectsV2"]
    if not listed.ok:
        unknown_all(unknown, ("sample_objects", "bytes"), listed)
        return
    contents = listed.get("Contents") or []
    attrs["sample_objects"] = tuple(str(o.get("Key")) for o in contents)
    if listed.get("IsTruncated"):
        unknown["bytes"] = (f"more than {SAMPLE_KEYS} objects in {b.name}: only a sample was listed, "
                            "so the total size was not measured")
    else:
        attrs["bytes"] = sum(int(o.get("Size") or 0) for o in contents)


def normalize(raw: S3Raw, scope: Scope, keys: KeyIndex, builder: GraphBuilder) -> None:
    """Add one OBJECT_STORE per bucket (id: bucket ARN)."""
    for b in raw.buckets:
        here = Scope(scope.account, b.region, scope.partition)
        me = bucket_arn(b.name, scope.partition)
        attrs: dict[str, Any] = {}
        unknown: dict[str, str] = {}
        location = b.replies["GetBucketLocation"]
        if "GetBucketEncryption" not in b.replies:  # the bucket's region could not be read
            reason = location.error or "s3:GetBucketLocation failed"
            for key in ("encryption", "public_grants", "authenticated_grants", "public_access_prevention",
                        "uniform_access", "versioning", "access_logging", "sample_objects"):
                unknown[key] = reason
            add_asset(builder, Scope(scope.account, "", scope.partition), me, Kind.OBJECT_STORE, b.name,
                      "AWS::S3::Bucket", attrs, unknown)
            continue
        _encryption(b, here, keys, me, attrs, unknown, builder)
        _grants(b, attrs, unknown)
        _public_access_block(b.replies["GetPublicAccessBlock"], raw.account_pab, attrs, unknown)
        _simple(b, me, attrs, unknown, builder, scope.partition)
        _objects(b, attrs, unknown)
        tagging = b.replies["GetBucketTagging"]
        tags = tags_of(tagging.get("TagSet")) if tagging.ok else {}
        add_asset(builder, here, me, Kind.OBJECT_STORE, b.name, "AWS::S3::Bucket", attrs, unknown, tags)


def bucket_arn_list(raw: S3Raw, partition: str) -> list[str]:
    """The asset ids of the buckets in `raw`."""
    return [bucket_arn(b.name, partition) for b in raw.buckets]
