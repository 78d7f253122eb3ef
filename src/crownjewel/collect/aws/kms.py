"""KMS: keys, their rotation, state and key policy grants, named by their aliases.

Mirrors `collect/terraform/aws.py`: managed_by customer | provider, rotation_period_days None
when the key never rotates (rotation off, asymmetric / HMAC keys, imported key material),
365 for AWS-managed keys (AWS rotates them yearly), the key policy's wildcard principals.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crownjewel.collect.aws.common import KeyIndex, Scope, add_asset, tags_of, unknown_all
from crownjewel.collect.aws.session import Calls, Recorder, Reply, client
from crownjewel.collect.terraform.aws_iam_policy import parse_document, public_statements, wildcard_statements
from crownjewel.model.assets import Kind
from crownjewel.model.graph import GraphBuilder

OPERATIONS: Mapping[str, str] = {
    "ListKeys": "kms:ListKeys",
    "ListAliases": "kms:ListAliases",
    "DescribeKey": "kms:DescribeKey",
    "GetKeyRotationStatus": "kms:GetKeyRotationStatus",
    "GetKeyPolicy": "kms:GetKeyPolicy",
    "ListResourceTags": "kms:ListResourceTags",
}
AWS_MANAGED_ROTATION_DAYS = 365.0
_POLICY_KEYS = ("public_grants", "authenticated_grants", "wildcard_principals", "policy_defined")


@dataclass(slots=True)
class KeyRaw:
    """The replies about one key."""

    key_id: str
    arn: str
    replies: dict[str, Reply] = field(default_factory=dict)


@dataclass(slots=True)
class KmsRaw:
    """Everything KMS answered in one region."""

    listing: Reply
    aliases: Reply
    keys: list[KeyRaw] = field(default_factory=list)


def _rotates(meta: Mapping[str, Any]) -> bool:
    spec = meta.get("KeySpec") or meta.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
    return (spec == "SYMMETRIC_DEFAULT" and meta.get("KeyUsage", "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT"
            and meta.get("Origin", "AWS_KMS") == "AWS_KMS")


def fetch(session: Any, scope: Scope, recorder: Recorder) -> KmsRaw:
    """Keys and aliases of one region, with each key's description, rotation and policy."""
    calls = Calls(client(session, "kms", scope.region), OPERATIONS, recorder)
    listing = calls.pages("ListKeys", "Keys")
    raw = KmsRaw(listing, calls.pages("ListAliases", "Aliases"))
    if not listing.ok:
        recorder.listing_failed(listing)
        return raw
    for entry in listing.value:
        key_id = entry.get("KeyId") if isinstance(entry, Mapping) else None
        if not isinstance(key_id, str):
            continue
        item = KeyRaw(key_id, str(entry.get("KeyArn") or scope.arn("kms", f"key/{key_id}")))
        described = item.replies["DescribeKey"] = calls.call("DescribeKey", KeyId=key_id)
        meta = described.get("KeyMetadata") or {}
        customer = meta.get("KeyManager") == "CUSTOMER"
        if not described.ok or (customer and _rotates(meta) and meta.get("KeyState") != "PendingDeletion"):
            item.replies["GetKeyRotationStatus"] = calls.call("GetKeyRotationStatus", KeyId=key_id)
        item.replies["GetKeyPolicy"] = calls.call("GetKeyPolicy", KeyId=key_id, PolicyName="default")
        if customer:
            item.replies["ListResourceTags"] = calls.call("ListResourceTags", KeyId=key_id)
        raw.keys.append(item)
    return raw


def index(raw: KmsRaw, scope: Scope, keys: KeyIndex) -> None:
    """Record key managers and alias targets so other services can resolve key references."""
    if not raw.listing.ok:
        keys.unread[scope.region] = (f"kms:ListKeys failed in {scope.region} ({raw.listing.error or raw.listing.status}): "
                                     "whether its keys are AWS-managed or customer-managed is unknown")
    for item in raw.keys:
        described = item.replies["DescribeKey"]
        meta = described.get("KeyMetadata") or {}
        if meta.get("KeyManager"):
            keys.managers[item.arn] = str(meta["KeyManager"])
        elif not described.ok:
            keys.unread[item.arn] = f"kms:DescribeKey failed for {item.arn} ({described.error or described.status})"
    if raw.aliases.ok:
        for alias in raw.aliases.value:
            if isinstance(alias, Mapping) and alias.get("AliasArn") and alias.get("TargetKeyId"):
                keys.aliases[str(alias["AliasArn"])] = scope.arn("kms", f"key/{alias['TargetKeyId']}")


def _policy(item: KeyRaw, attrs: dict[str, Any], unknown: dict[str, str]) -> None:
    reply = item.replies["GetKeyPolicy"]
    if not reply.ok:
        unknown_all(unknown, _POLICY_KEYS, reply)
        return
    try:
        doc = parse_document(json.loads(str(reply.get("Policy") or "")))
    except ValueError:
        for key in _POLICY_KEYS:
            unknown[key] = f"kms:GetKeyPolicy returned a policy that is not JSON for {item.arn}"
        return
    if doc.unknown:
        for key in _POLICY_KEYS:
            unknown[key] = doc.unknown
        return
    where = f"key policy of {item.arn}"
    attrs["policy_defined"] = True
    attrs["public_grants"] = tuple(ev for _, ev in public_statements(doc, where))
    attrs["authenticated_grants"] = ()
    attrs["wildcard_principals"] = wildcard_statements(doc, where)


def _rotation(item: KeyRaw, meta: Mapping[str, Any], attrs: dict[str, Any], unknown: dict[str, str]) -> None:
    if meta.get("KeyManager") == "AWS":
        attrs["rotation_period_days"] = AWS_MANAGED_ROTATION_DAYS
        return
    reply = item.replies.get("GetKeyRotationStatus")
    if reply is None:
        if meta.get("KeyState") == "PendingDeletion" and _rotates(meta):
            unknown["rotation_period_days"] = f"{item.arn} is pending deletion: rotation status not readable"
        else:
            attrs["rotation_period_days"] = None  # only symmetric AWS_KMS encryption keys rotate
        return
    if not reply.ok:
        unknown_all(unknown, ("rotation_period_days",), reply)
        return
    if reply.get("KeyRotationEnabled") is True:
        period = reply.get("RotationPeriodInDays")
        attrs["rotation_period_days"] = float(period) if isinstance(period, (int, float)) else 365.0
    else:
        attrs["rotation_period_days"] = None


def normalize(raw: KmsRaw, scope: Scope, builder: GraphBuilder) -> None:
    """Add one CRYPTO_KEY per key (id: key ARN)."""
    names: dict[str, str] = {}
    if raw.aliases.ok:
        for alias in raw.aliases.value:
            target, name = alias.get("TargetKeyId"), alias.get("AliasName")
            if target and name and (target not in names or names[target].startswith("alias/aws/")):
                names[str(target)] = str(name)
    for item in raw.keys:
        attrs: dict[str, Any] = {}
        unknown: dict[str, str] = {}
        described = item.replies["DescribeKey"]
        meta: Mapping[str, Any] = described.get("KeyMetadata") or {}
        if described.ok:
            attrs["managed_by"] = "provider" if meta.get("KeyManager") == "AWS" else "customer"
            attrs["enabled"] = meta.get("KeyState") == "Enabled"
            attrs["key_spec"] = meta.get("KeySpec") or meta.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
            _rotation(item, meta, attrs, unknown)
        else:
            unknown_all(unknown, ("managed_by", "enabled", "key_spec"), described)
            rotation = item.replies.get("GetKeyRotationStatus")
            unknown_all(unknown, ("rotation_period_days",), rotation if rotation and not rotation.ok else described)
        _policy(item, attrs, unknown)
        tagged = item.replies.get("ListResourceTags")
        tags = tags_of(tagged.get("Tags"), "TagKey", "TagValue") if tagged and tagged.ok else {}
        name = names.get(item.key_id) or str(meta.get("Description") or "") or item.key_id
        add_asset(builder, scope, item.arn, Kind.CRYPTO_KEY, name, "AWS::KMS::Key", attrs, unknown, tags)
