"""Helpers shared by the AWS Terraform normalizers: asset creation, key and bucket lookups.

Keys: a KMS key reference becomes `(encryption, kms_key, key asset id)`. A reference to an
`aws_kms_key` (resolved by tfparse id, or left as `aws_kms_key.x.arn` when the key is outside
the configuration) is customer-managed by definition; `alias/aws/<service>` and data sources
reading such an alias are AWS-managed keys, i.e. "provider-managed"; a literal key ARN or a
custom alias is customer-managed; a variable is unknown until apply.

Buckets: split resources (`aws_s3_bucket_versioning`, ...) name their bucket by reference,
which tfparse resolves to the bucket's name (`.id`, `.bucket`), to its tfparse id (for buckets
named by `bucket_prefix`), or leaves unresolved (`var.x`); see `find_bucket`.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from crownjewel.collect.terraform.loader import TfResource
from crownjewel.collect.terraform.normalize import TfContext, is_ref
from crownjewel.model.assets import Asset, EdgeKind, Kind, SourceRef

PROVIDER = "aws"
CUSTOMER = "customer-managed"
PROVIDER_MANAGED = "provider-managed"
NONE = "none"
KEY_TYPES = ("aws_kms_key", "aws_kms_external_key", "aws_kms_replica_key",
             "aws_kms_replica_external_key")


def add(ctx: TfContext, res: TfResource, kind: Kind, *, name: Any = None,
        attrs: Mapping[str, Any] | None = None, unknown: Mapping[str, str] | None = None,
        tags: Any = None) -> Asset:
    """Add the asset of `res` (id = Terraform address).
    A duplicate address gets the id `address@line` (see `TfContext.asset`).
    """
    region = res.values.get("region")
    asset = ctx.asset(res, kind, name=name, attrs=attrs, unknown=unknown, region=region,
                      tags=tags if tags is not None else res.values.get("tags"))
    return asset


def asset_id(ctx: TfContext, res: TfResource) -> str:
    """The asset id `add` gave (or will give) `res`: its address, unless it is a duplicate."""
    def build() -> dict[str, TfResource]:
        first: dict[str, TfResource] = {}
        for r in ctx.resources:
            first.setdefault(r.address, r)
        return first

    first = cached(ctx, "first_by_address", build).get(res.address)
    if first is None or first is res or res.source is None:
        return res.address
    return f"{res.address}@{res.source.line}"


def grouped(ctx: TfContext, tf_type: str, target_of: Callable[[TfResource], TfResource | None]
            ) -> dict[int, list[TfResource]]:
    """Resources of `tf_type` grouped by the resource each one targets (keyed by `id()`), once
    per scan: a repository's policies, a key's aliases, a VPC's flow logs."""
    def build() -> dict[int, list[TfResource]]:
        groups: dict[int, list[TfResource]] = {}
        for res in ctx.by_type.get(tf_type, ()):
            target = target_of(res)
            if target is not None:
                groups.setdefault(id(target), []).append(res)
        return groups

    key = f"grouped:{tf_type}:{getattr(target_of, '__qualname__', id(target_of))}"
    return cached(ctx, key, build)  # type: ignore[no-any-return]


def ref(value: Any) -> str:
    """The expression text of an unresolved reference (`var.x`, `aws_kms_key.k.arn`)."""
    return str(value["__attribute__"]) if isinstance(value, Mapping) else str(value)


def text(value: Any) -> str | None:
    """A literal string value, or None for references, nulls and other types."""
    return value if isinstance(value, str) and "${" not in value else None


def flag(res: TfResource, key: str, default: bool, unknown: dict[str, str], ctx: TfContext,
         out_key: str | None = None, *, truthy: Iterable[str] = ()) -> bool | None:
    """A boolean attribute with its provider default; None (and a reason) when unresolved.

    `truthy` lists the string values that mean True for "Enabled"/"Disabled"-style attributes.
    """
    value = res.values.get(key)
    if value is None:
        return default
    if is_ref(value) or (isinstance(value, str) and "${" in value):
        unknown[out_key or key] = ctx.unresolved(res, key, value)
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if truthy:
            return lowered in {t.lower() for t in truthy}
        if lowered in ("true", "false"):
            return lowered == "true"
    unknown[out_key or key] = f"{res.address}.{key} has an unexpected value {value!r}"
    return None


def source_pair(aspect: str, res: TfResource) -> tuple[tuple[str, SourceRef], ...]:
    """A `tf_sources` patch entry pointing a fixer at the split resource that sets `aspect`."""
    return ((aspect, res.source),) if res.source is not None else ()


def refs_of(res: TfResource) -> tuple[str, ...]:
    """tfparse ids of the resources `res` references (when the loader kept them).

    Split resources naming their bucket by `aws_s3_bucket.x.bucket` arrive with the bucket's
    name, which is ambiguous when several buckets share it; the reference list is not.
    """
    found: list[str] = []
    for item in getattr(res, "references", None) or ():
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, Mapping) and isinstance(item.get("id"), str):
            found.append(item["id"])
    return tuple(found)


_CACHE: list[tuple[list[TfResource], dict[str, Any]]] = []


def scan_cache(ctx: TfContext) -> dict[str, Any]:
    """A dict living as long as this scan's resource list: indexes built once, not per resource.

    One slot only: a new scan (a new resource list) replaces it, so nothing accumulates.
    """
    entry = _CACHE[0] if _CACHE else None  # one read: another thread may swap the slot
    if entry is not None and entry[0] is ctx.resources:
        return entry[1]
    cache: dict[str, Any] = {}
    _CACHE[:] = [(ctx.resources, cache)]
    return cache


def cached(ctx: TfContext, key: str, build: Callable[[], Any]) -> Any:
    """`scan_cache(ctx)[key]`, built by `build()` on first use."""
    cache = scan_cache(ctx)
    if key not in cache:
        cache[key] = build()
    return cache[key]


def _buckets_by_name(ctx: TfContext) -> dict[str, list[TfResource]]:
    def build() -> dict[str, list[TfResource]]:
        index: dict[str, list[TfResource]] = {}
        for bucket in ctx.by_type.get("aws_s3_bucket", ()):
            name = bucket.values.get("bucket")
            key = f"ref:{ref(name)}" if is_ref(name) else name
            if isinstance(key, str):
                index.setdefault(key, []).append(bucket)
        return index

    return cached(ctx, "buckets_by_name", build)  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------------ keys


@dataclass(frozen=True, slots=True)
class KeyRef:
    """What a KMS key reference tells: the encryption kind, the key text and its asset id."""

    encryption: str | None  # None: unknown before apply
    key: str | None  # asset id when in the estate, else ARN / alias / reference text
    asset_id: str | None
    reason: str = ""


def _is_aws_alias(value: str) -> bool:
    return value.startswith("alias/aws/") or ":alias/aws/" in value


def key_ref(ctx: TfContext, res: TfResource, key: str, value: Any) -> KeyRef:
    """Interpret the KMS key named by attribute `key` of `res` (value not None)."""
    if isinstance(value, str) and value in ctx.by_uid:
        target = ctx.by_uid[value]
        return _resolved_key(ctx, res, key, target)
    if is_ref(value):
        ref = str(value["__attribute__"])
        found = ctx.resolve(value, *KEY_TYPES, "aws_kms_alias")
        if found is not None:
            return _resolved_key(ctx, res, key, found)
        if ref.split(".")[0] in KEY_TYPES:
            # A key resource declared outside the scanned configuration: still a customer key.
            return KeyRef(CUSTOMER, ref, None)
        if ref.startswith(("data.aws_kms_alias.", "data.aws_kms_key.")):
            return KeyRef(None, ref, None, ctx.unresolved(res, key, value))
        return KeyRef(None, ref, None, ctx.unresolved(res, key, value))
    if isinstance(value, str) and value:
        if "${" in value:
            return KeyRef(None, value, None, f"{res.address}.{key} is an unresolved expression {value!r}")
        if _is_aws_alias(value):
            return KeyRef(PROVIDER_MANAGED, value, None)
        alias = _alias_named(ctx, value)
        if alias is not None:
            return _resolved_key(ctx, res, key, alias)
        return KeyRef(CUSTOMER, value, None)
    return KeyRef(None, None, None, f"{res.address}.{key} has an unexpected value {value!r}")


def _alias_named(ctx: TfContext, value: str) -> TfResource | None:
    name = value.split(":", 5)[-1] if value.startswith("arn:") else value
    if not name.startswith("alias/"):
        return None
    for alias in ctx.by_type.get("aws_kms_alias", ()):
        if alias.values.get("name") == name:
            return alias
    return None


def _resolved_key(ctx: TfContext, res: TfResource, key: str, target: TfResource) -> KeyRef:
    if target.mode == "data":
        wanted = target.values.get("key_id") if target.type == "aws_kms_key" else target.values.get("name")
        if isinstance(wanted, str) and _is_aws_alias(wanted):
            return KeyRef(PROVIDER_MANAGED, wanted, None)
        if isinstance(wanted, str) and wanted:
            return KeyRef(CUSTOMER, wanted, None)
        return KeyRef(None, target.address, None, f"{res.address}.{key} reads {target.address}, "
                      "whose key is unknown before apply")
    if target.type == "aws_kms_alias":
        name = target.values.get("name")
        if isinstance(name, str) and name.startswith("alias/aws/"):
            return KeyRef(PROVIDER_MANAGED, name, None)
        inner = target.values.get("target_key_id")
        if inner is not None and inner != target.uid:
            found = key_ref(ctx, target, "target_key_id", inner)
            if found.encryption is not None:
                return found
        return KeyRef(CUSTOMER, target.address, None)
    return KeyRef(CUSTOMER, asset_id(ctx, target), asset_id(ctx, target))


def apply_key(ctx: TfContext, res: TfResource, key: str, value: Any, src_id: str,
              attrs: dict[str, Any], unknown: dict[str, str], *,
              default: str = PROVIDER_MANAGED) -> None:
    """Set `encryption` / `kms_key` from a key attribute and link ENCRYPTED_BY when in the estate.

    `value` None (not set) means the service's default encryption, `default`.
    """
    if value is None or value == "":
        attrs["encryption"] = default
        return
    ref = key_ref(ctx, res, key, value)
    if ref.encryption is None:
        unknown["encryption"] = ref.reason
        if ref.key:
            attrs["kms_key"] = ref.key
        return
    attrs["encryption"] = ref.encryption
    if ref.key and ref.encryption == CUSTOMER:
        attrs["kms_key"] = ref.key
    if ref.asset_id:
        ctx.builder.link(src_id, EdgeKind.ENCRYPTED_BY, ref.asset_id)


# --------------------------------------------------------------------------------- buckets


def bucket_name_of(value: Any) -> str | None:
    """A bucket name from a name, an S3 ARN or an s3:// URI."""
    name = text(value)
    if not name:
        return None
    if name.startswith("arn:aws"):
        name = name.split(":::", 1)[-1] if ":::" in name else ""
    elif name.startswith(("s3://", "s3a://", "s3n://")):
        name = name.split("://", 1)[1]
    name = name.split("/", 1)[0]
    return name or None


def bucket_display_name(res: TfResource) -> str:
    """The bucket's name: `bucket`, else `bucket_prefix` (Terraform appends a random suffix)."""
    for key in ("bucket", "bucket_prefix"):
        value = res.values.get(key)
        if isinstance(value, str) and value:
            return value
        if is_ref(value):
            return ref(value)
    return res.address.rsplit(".", 1)[-1]


def find_bucket(ctx: TfContext, value: Any, referrer: TfResource | None = None) -> TfResource | None:
    """The `aws_s3_bucket` a bucket attribute names, or None when not exactly one matches.

    A literal name shared by several buckets is resolved through the referrer's reference list
    when the loader kept it; otherwise it stays ambiguous (None).
    """
    buckets = ctx.by_type.get("aws_s3_bucket", [])
    if not buckets or value is None:
        return None
    if isinstance(value, str) and value in ctx.by_uid:
        found = ctx.by_uid[value]
        return found if found.type == "aws_s3_bucket" else None
    if is_ref(value):
        hit = ctx.resolve(value, "aws_s3_bucket")
        if hit is not None:
            return hit
        # `bucket = var.name` on both the bucket and its versioning: the same expression.
        same = _buckets_by_name(ctx).get(f"ref:{ref(value)}", [])
        return same[0] if len(same) == 1 else None
    name = bucket_name_of(value)
    if name is None:
        return None
    same = _buckets_by_name(ctx).get(name, [])
    if len(same) == 1:
        return same[0]
    if len(same) > 1 and referrer is not None:
        uids = set(refs_of(referrer))
        picked = [b for b in same if b.uid in uids]
        if len(picked) == 1:
            return picked[0]
    return None


def bucket_arn_matches(pattern: str, name: str) -> bool:
    """Whether an IAM resource pattern (`arn:aws:s3:::models*`, `*`) covers bucket `name`."""
    if pattern == "*":
        return True
    if not pattern.startswith("arn:"):
        return False
    parts = pattern.split(":", 5)
    if len(parts) < 6 or not fnmatch.fnmatchcase("s3", parts[2]):
        return False
    resource = parts[5]
    bucket_part = resource.split("/", 1)[0]
    return fnmatch.fnmatchcase(name, bucket_part)
