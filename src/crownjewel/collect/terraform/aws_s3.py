"""S3 buckets: the legacy inline arguments of `aws_s3_bucket` and the split resources of AWS
provider v4+ (`aws_s3_bucket_versioning`, `..._policy`, `..._acl`, ...), merged onto one asset.

Each bucket pulls the split resources that name it (see `_Index`), so precedence is explicit
(a split resource overrides the inline argument it replaces; bucket and account Block Public
Access settings combine per setting) instead of depending on the order of patches. A split
resource whose bucket is not declared in the scanned configuration (or whose bucket name is
ambiguous) becomes an OBJECT_STORE asset of its own, with the address of the split resource,
knowing only what that resource says: its findings then point at the code that sets them.

Defaults (AWS provider / S3 service): no encryption configuration -> SSE-S3 (S3 encrypts every
new object since January 2023), i.e. "provider-managed"; `aws:kms` without a key -> the
AWS-managed `aws/s3` key, also "provider-managed"; versioning off; no access logging. Block
Public Access and object ownership count only when declared (here or account-wide): S3 turns
them on for buckets created since April 2023, but Terraform cannot tell a bucket's age and does
not restore settings it does not manage.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crownjewel.collect.problems import WARNING, InputProblem
from crownjewel.collect.terraform.aws_common import (
    PROVIDER_MANAGED,
    add,
    apply_key,
    asset_id,
    bucket_display_name,
    bucket_name_of,
    cached,
    find_bucket,
    ref,
    source_pair,
    text,
)
from crownjewel.collect.terraform.aws_iam_policy import (
    AUTHENTICATED_GROUP,
    PUBLIC_GROUP,
    PolicyDoc,
    load_policy,
    public_statements,
)
from crownjewel.collect.terraform.loader import TfResource
from crownjewel.collect.terraform.normalize import (
    TfContext,
    blocks,
    first_block,
    is_ref,
    normalizes,
)
from crownjewel.model.assets import EdgeKind, Kind

SPLIT_ASPECTS: Mapping[str, str] = {
    "aws_s3_bucket_server_side_encryption_configuration": "encryption",
    "aws_s3_bucket_public_access_block": "public_access_block",
    "aws_s3_bucket_policy": "policy",
    "aws_s3_bucket_acl": "acl",
    "aws_s3_bucket_versioning": "versioning",
    "aws_s3_bucket_object_lock_configuration": "object_lock",
    "aws_s3_bucket_logging": "logging",
    "aws_s3_bucket_replication_configuration": "replication",
    "aws_s3_bucket_ownership_controls": "ownership",
}
PAB_KEYS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
CANNED_ACLS = {
    "private": None, "aws-exec-read": None, "bucket-owner-read": None,
    "bucket-owner-full-control": None, "log-delivery-write": None,
    "public-read": "public", "public-read-write": "public", "authenticated-read": "authenticated",
}
SSE_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")


# ------------------------------------------------------------------------------ the index


@dataclass(slots=True)
class _Index:
    """Which split resources belong to which bucket, computed once per scan."""

    splits: dict[int, dict[str, list[TfResource]]] = field(default_factory=lambda: defaultdict(dict))
    attached: set[int] = field(default_factory=set)


def _build_index(ctx: TfContext) -> _Index:
    index = _Index()
    for tf_type, aspect in SPLIT_ASPECTS.items():
        for res in ctx.by_type.get(tf_type, ()):
            bucket = find_bucket(ctx, res.values.get("bucket"), res)
            if bucket is not None:
                index.splits[id(bucket)].setdefault(aspect, []).append(res)
                index.attached.add(id(res))
    return index


def _index(ctx: TfContext) -> _Index:
    return cached(ctx, "s3_splits", lambda: _build_index(ctx))  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------ aspects


@dataclass(slots=True)
class _Bucket:
    """Attributes being assembled for one bucket asset."""

    ctx: TfContext
    asset_id: str
    attrs: dict[str, Any] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)
    sources: list[tuple[str, Any]] = field(default_factory=list)
    policies: list[tuple[str, str]] = field(default_factory=list)
    public: list[str] = field(default_factory=list)
    authenticated: list[str] = field(default_factory=list)
    grants_unknown: str | None = None

    def use(self, aspect: str, res: TfResource) -> None:
        self.sources.extend(source_pair(aspect, res))


def _sse_rule(b: _Bucket, res: TfResource, config: Mapping[str, Any]) -> None:
    """Encryption from a `rule { apply_server_side_encryption_by_default {...} }` container."""
    defaults = None
    for rule in blocks(config.get("rule")):
        found = first_block(rule.get("apply_server_side_encryption_by_default"))
        if found:
            defaults = found
            if rule.get("bucket_key_enabled") is not None:
                b.attrs["bucket_key_enabled"] = rule.get("bucket_key_enabled") is True
            break
    if defaults is None:
        # A `dynamic "rule"` tfparse could not expand, or no rule: S3's default SSE-S3 applies.
        b.attrs["encryption"] = PROVIDER_MANAGED
        return
    algorithm = defaults.get("sse_algorithm")
    if is_ref(algorithm) or (isinstance(algorithm, str) and "${" in algorithm):
        b.unknown["encryption"] = b.ctx.unresolved(res, "sse_algorithm", algorithm)
        return
    if algorithm is None and "sse_algorithm" in defaults:
        # tfparse writes null for an expression it could not evaluate (an undeclared variable).
        b.unknown["encryption"] = f"{res.address}.sse_algorithm could not be evaluated"
        return
    if algorithm not in SSE_ALGORITHMS:
        where = res.source.file if res.source else res.address
        b.ctx.problems.append(InputProblem(
            where, f"{res.address}: sse_algorithm {algorithm!r} is not one S3 accepts "
            f"({', '.join(SSE_ALGORITHMS)}); the bucket keeps S3's default SSE-S3",
            res.source.line if res.source else None, WARNING))
        b.attrs["encryption"] = PROVIDER_MANAGED
        return
    key = defaults.get("kms_master_key_id") if algorithm != "AES256" else None
    apply_key(b.ctx, res, "kms_master_key_id", key, b.asset_id, b.attrs, b.unknown)


def _acl(b: _Bucket, res: TfResource, values: Mapping[str, Any]) -> None:
    acl = values.get("acl")
    if acl is not None:
        if is_ref(acl) or (isinstance(acl, str) and "${" in acl):
            b.grants_unknown = b.ctx.unresolved(res, "acl", acl)
        elif isinstance(acl, str) and acl in CANNED_ACLS:
            kind = CANNED_ACLS[acl]
            evidence = f"{res.address} sets the canned ACL {acl!r}"
            if kind == "public":
                b.public.append(evidence)
            elif kind == "authenticated":
                b.authenticated.append(evidence)
        else:
            where = res.source.file if res.source else res.address
            b.ctx.problems.append(InputProblem(
                where, f"{res.address}: acl {acl!r} is not a canned ACL S3 accepts",
                res.source.line if res.source else None, WARNING))
    grants = list(blocks(values.get("grant")))  # legacy inline `grant` blocks of aws_s3_bucket
    for policy in blocks(values.get("access_control_policy")):
        grants.extend(blocks(policy.get("grant")))
    for grant in grants:
        grantee = first_block(grant.get("grantee")) or grant
        uri = grantee.get("uri")
        perms = grant.get("permissions", grant.get("permission"))
        perms_text = ", ".join(perms) if isinstance(perms, list) else str(perms)
        if uri == PUBLIC_GROUP:
            b.public.append(f"{res.address} grants {perms_text} to the AllUsers group")
        elif uri == AUTHENTICATED_GROUP:
            b.authenticated.append(f"{res.address} grants {perms_text} to the AuthenticatedUsers group")
        elif is_ref(uri):
            b.grants_unknown = b.ctx.unresolved(res, "grant.grantee.uri", uri)


def _policy(b: _Bucket, res: TfResource, aspect: str) -> None:
    doc: PolicyDoc = load_policy(b.ctx, res, "policy", res.values.get("policy"))
    if doc.unknown:
        b.grants_unknown = doc.unknown
        return
    if doc.json_text:
        b.policies.append((aspect, doc.json_text))
    b.public.extend(evidence for _, evidence in public_statements(doc, f"{res.address} policy"))
    for st in doc.statements:
        for op, key, values in st.conditions:
            if (not st.allows and key.lower() == "aws:securetransport" and op.lower() == "bool"
                    and any(str(v).lower() == "false" for v in values)):
                b.attrs["secure_transport_required"] = True


def _public_access_block(b: _Bucket, res: TfResource | None, account: list[TfResource]) -> None:
    """Combine bucket and account Block Public Access per setting (S3 applies the stricter)."""
    settings: dict[str, bool | None] = {}
    reasons: list[str] = []
    for key in PAB_KEYS:
        state: bool | None = False
        for source in ([res] if res is not None else []) + account:
            value = source.values.get(key)
            if value is True or (isinstance(value, str) and value.lower() == "true"):
                state = True
                break
            if is_ref(value):
                state = None
                reasons.append(b.ctx.unresolved(source, key, value))
        settings[key] = state
    if all(v is True for v in settings.values()):
        b.attrs["public_access_prevention"] = True
    elif any(v is False for v in settings.values()):
        b.attrs["public_access_prevention"] = False
    else:
        b.unknown["public_access_prevention"] = "; ".join(reasons)


def _versioning(b: _Bucket, res: TfResource, values: Mapping[str, Any], split: bool) -> None:
    if split:
        status = first_block(values.get("versioning_configuration")).get("status")
        if is_ref(status) or (isinstance(status, str) and "${" in status):
            b.unknown["versioning"] = b.ctx.unresolved(res, "versioning_configuration.status", status)
        else:
            b.attrs["versioning"] = status == "Enabled"
        return
    block = first_block(values.get("versioning"))
    enabled = block.get("enabled", False) if block else False
    if is_ref(enabled) or (isinstance(enabled, str) and "${" in enabled):
        b.unknown["versioning"] = b.ctx.unresolved(res, "versioning.enabled", enabled)
    else:
        b.attrs["versioning"] = enabled is True or str(enabled).lower() == "true"


def _logging(b: _Bucket, res: TfResource, target: Any) -> None:
    b.attrs["access_logging"] = True
    found = find_bucket(b.ctx, target, res)
    if found is not None:
        b.attrs["log_target"] = asset_id(b.ctx, found)
        b.ctx.builder.link(b.asset_id, EdgeKind.LOGS_TO, b.attrs["log_target"])
    elif is_ref(target):
        b.attrs["log_target"] = ref(target)
    elif target is not None:
        b.attrs["log_target"] = bucket_name_of(target) or str(target)


def _object_lock(b: _Bucket, config: Mapping[str, Any]) -> None:
    retention = first_block(first_block(config.get("rule")).get("default_retention"))
    b.attrs["retention_locked"] = retention.get("mode") == "COMPLIANCE"


def _replication(b: _Bucket, config: Mapping[str, Any]) -> None:
    found: list[str] = []
    for rule in blocks(config.get("rule")) + blocks(config.get("rules")):
        dest = first_block(rule.get("destination"))
        bucket = dest.get("bucket")
        where = ref(bucket)
        account = dest.get("account") or dest.get("account_id")
        found.append(f"{where} (account {account})" if text(account) else where)
    b.attrs["replication_destinations"] = tuple(found)


# ------------------------------------------------------------------------------ normalizers


def _assemble(b: _Bucket, bucket: TfResource | None, splits: Mapping[str, list[TfResource]],
              account_pab: list[TfResource]) -> None:
    """Fill `b` from the bucket's inline arguments (when declared) and its split resources."""
    values = bucket.values if bucket is not None else {}
    one = {aspect: items[-1] for aspect, items in splits.items()}
    for aspect, res in one.items():
        b.use(aspect, res)
    outside = f"bucket {bucket_display_name(next(iter(one.values())))!r} is declared outside the " \
              "scanned Terraform" if bucket is None and one else ""

    if "encryption" in one:
        _sse_rule(b, one["encryption"], one["encryption"].values)
    elif bucket is not None and first_block(values.get("server_side_encryption_configuration")):
        _sse_rule(b, bucket, first_block(values.get("server_side_encryption_configuration")))
    elif bucket is not None:
        b.attrs["encryption"] = PROVIDER_MANAGED
    else:
        b.unknown["encryption"] = outside

    if bucket is not None:
        _acl(b, bucket, values)
        if values.get("policy") is not None:
            _policy(b, bucket, "inline_policy")
    if "acl" in one:
        _acl(b, one["acl"], one["acl"].values)
    if "policy" in one:
        _policy(b, one["policy"], "policy")
    if bucket is None and "acl" not in one and "policy" not in one:
        b.unknown["public_grants"] = b.unknown["authenticated_grants"] = outside
    else:
        # A bucket (or an ACL / policy of a bucket declared elsewhere) is judged on the grants
        # the configuration declares; an unreadable source makes an empty result unknown.
        for key, found in (("public_grants", b.public), ("authenticated_grants", b.authenticated)):
            if found or not b.grants_unknown:
                b.attrs[key] = tuple(found)
            else:
                b.unknown[key] = b.grants_unknown
        b.attrs.setdefault("secure_transport_required", False)
    if b.policies:
        b.attrs["tf_policies"] = tuple(b.policies)

    if bucket is not None or "public_access_block" in one or account_pab:
        _public_access_block(b, one.get("public_access_block"), account_pab)
        if bucket is None and b.attrs.get("public_access_prevention") is False and \
                "public_access_block" not in one:
            b.attrs.pop("public_access_prevention")
            b.unknown["public_access_prevention"] = outside
    else:
        b.unknown["public_access_prevention"] = outside

    if "ownership" in one:
        rule = first_block(one["ownership"].values.get("rule"))
        b.attrs["uniform_access"] = rule.get("object_ownership") == "BucketOwnerEnforced"
    elif bucket is not None:
        b.attrs["uniform_access"] = False
    else:
        b.unknown["uniform_access"] = outside

    if "versioning" in one:
        _versioning(b, one["versioning"], one["versioning"].values, split=True)
    elif bucket is not None:
        _versioning(b, bucket, values, split=False)
    else:
        b.unknown["versioning"] = outside

    if "logging" in one:
        _logging(b, one["logging"], one["logging"].values.get("target_bucket"))
    elif bucket is not None and first_block(values.get("logging")):
        _logging(b, bucket, first_block(values.get("logging")).get("target_bucket"))
    elif bucket is not None:
        b.attrs["access_logging"] = False
    else:
        b.unknown["access_logging"] = outside

    if "object_lock" in one:
        _object_lock(b, one["object_lock"].values)
    elif bucket is not None:
        _object_lock(b, first_block(values.get("object_lock_configuration")))

    if "replication" in one:
        _replication(b, one["replication"].values)
    elif bucket is not None:
        _replication(b, first_block(values.get("replication_configuration")))

    if b.sources:
        b.attrs["tf_sources"] = tuple(b.sources)


@normalizes("aws_s3_bucket")
def s3_bucket(res: TfResource, ctx: TfContext) -> None:
    """An S3 bucket with everything its split resources and the account's settings say."""
    splits = _index(ctx).splits.get(id(res), {})
    b = _Bucket(ctx, asset_id(ctx, res))
    _assemble(b, res, splits, list(ctx.by_type.get("aws_s3_account_public_access_block", ())))
    add(ctx, res, Kind.OBJECT_STORE, name=bucket_display_name(res), attrs=b.attrs, unknown=b.unknown)


@normalizes(*SPLIT_ASPECTS)
def s3_bucket_split(res: TfResource, ctx: TfContext) -> None:
    """A split resource: merged by its bucket, or an asset of its own when the bucket is not here."""
    if id(res) in _index(ctx).attached:
        return
    bucket = res.values.get("bucket")
    name = bucket_name_of(bucket) or (ref(bucket) if is_ref(bucket) else res.address)
    b = _Bucket(ctx, asset_id(ctx, res))
    _assemble(b, None, {SPLIT_ASPECTS[res.type]: [res]},
              list(ctx.by_type.get("aws_s3_account_public_access_block", ())))
    add(ctx, res, Kind.OBJECT_STORE, name=name, attrs=b.attrs, unknown=b.unknown, tags={})


@normalizes("aws_s3_account_public_access_block")
def s3_account_public_access_block(res: TfResource, ctx: TfContext) -> None:
    """Account-wide Block Public Access: read by every bucket's normalizer (nothing to add)."""


__all__ = ["SPLIT_ASPECTS", "s3_bucket", "s3_bucket_split"]
