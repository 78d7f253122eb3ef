"""AWS Terraform normalizers: KMS keys, CloudTrail, VPC flow logs and ECR here; S3 in `aws_s3`,
SageMaker in `aws_ml`, IAM grants in `aws_iam` (imported below so one import registers all).

Defaults applied when an argument is not set (AWS provider documentation):
- `aws_kms_key`: `enable_key_rotation = false` (no rotation), rotation every 365 days when
  enabled without `rotation_period_in_days`; only symmetric encryption keys can rotate;
  `is_enabled = true`; no `policy` -> the default key policy (account root only).
- `aws_cloudtrail`: `enable_logging = true`, `enable_log_file_validation = false`,
  `is_multi_region_trail = false`, no data events.
- `aws_ecr_repository`: AES256 encryption, `image_tag_mutability = "MUTABLE"`.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crownjewel.collect.cloudtrail_selectors import (
    ALL_BUCKETS,
    advanced_selector_values,
    basic_selector_values,
    bucket_value,
)
from crownjewel.collect.terraform import aws_iam, aws_ml, aws_s3  # noqa: F401  (registration)
from crownjewel.collect.terraform.aws_common import (
    KEY_TYPES,
    PROVIDER_MANAGED,
    add,
    apply_key,
    asset_id,
    bucket_name_of,
    find_bucket,
    flag,
    grouped,
    ref,
    source_pair,
    text,
)
from crownjewel.collect.terraform.aws_iam_policy import (
    load_policy,
    public_statements,
    wildcard_statements,
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

# ------------------------------------------------------------------------------------- KMS


def _key_policy(ctx: TfContext, res: TfResource, attrs: dict[str, Any], unknown: dict[str, str]) -> None:
    """Key policy from the key's `policy` or an `aws_kms_key_policy` naming the key."""
    holder, value = res, res.values.get("policy")
    for split in grouped(ctx, "aws_kms_key_policy", _policy_key(ctx)).get(id(res), ()):
        holder, value = split, split.values.get("policy")
        attrs["tf_sources"] = source_pair("policy", split)
    attrs["policy_defined"] = value is not None and value != ""
    doc = load_policy(ctx, holder, "policy", value)
    if doc.unknown:
        for key in ("public_grants", "authenticated_grants", "wildcard_principals"):
            unknown[key] = doc.unknown
        return
    where = f"{holder.address} key policy"
    attrs["public_grants"] = tuple(ev for _, ev in public_statements(doc, where))
    attrs["authenticated_grants"] = ()
    attrs["wildcard_principals"] = wildcard_statements(doc, where)
    if doc.json_text:
        attrs["tf_policies"] = (("policy" if holder is not res else "inline_policy", doc.json_text),)


def _policy_key(ctx: TfContext) -> Callable[[TfResource], TfResource | None]:
    def key_of(split: TfResource) -> TfResource | None:
        return ctx.resolve(split.values.get("key_id"), *KEY_TYPES, name_keys=())
    return key_of


def _alias_target(ctx: TfContext) -> Callable[[TfResource], TfResource | None]:
    def target_of(alias: TfResource) -> TfResource | None:
        return ctx.resolve(alias.values.get("target_key_id"), *KEY_TYPES, name_keys=())
    return target_of


def _alias_name(ctx: TfContext, res: TfResource) -> str | None:
    for alias in grouped(ctx, "aws_kms_alias", _alias_target(ctx)).get(id(res), ()):
        if isinstance(alias.values.get("name"), str):
            return str(alias.values["name"])
    return None


@normalizes("aws_kms_key", "aws_kms_external_key", "aws_kms_replica_key", "aws_kms_replica_external_key")
def kms_key(res: TfResource, ctx: TfContext) -> None:
    """A customer-managed KMS key: rotation, state and key policy grants."""
    attrs: dict[str, Any] = {"managed_by": "customer"}
    unknown: dict[str, str] = {}
    spec = res.values.get("customer_master_key_spec") or res.values.get("key_spec") or "SYMMETRIC_DEFAULT"
    usage = res.values.get("key_usage") or "ENCRYPT_DECRYPT"
    attrs["key_spec"] = spec
    rotates = flag(res, "enable_key_rotation", False, unknown, ctx, "rotation_period_days")
    if res.type in ("aws_kms_external_key", "aws_kms_replica_external_key"):
        attrs["rotation_period_days"] = None  # imported key material never rotates automatically
    elif spec != "SYMMETRIC_DEFAULT" or usage != "ENCRYPT_DECRYPT":
        attrs["rotation_period_days"] = None  # AWS rotates only symmetric encryption keys
    elif rotates is True:
        period = res.values.get("rotation_period_in_days")
        if is_ref(period):
            unknown["rotation_period_days"] = ctx.unresolved(res, "rotation_period_in_days", period)
        else:
            attrs["rotation_period_days"] = float(period) if isinstance(period, (int, float)) else 365.0
    elif rotates is False:
        attrs["rotation_period_days"] = None
    enabled = flag(res, "is_enabled", True, unknown, ctx, "enabled")
    if enabled is not None:
        attrs["enabled"] = enabled
    _key_policy(ctx, res, attrs, unknown)
    add(ctx, res, Kind.CRYPTO_KEY, name=_alias_name(ctx, res) or res.values.get("description") or None,
        attrs=attrs, unknown=unknown)


@normalizes("aws_kms_alias", "aws_kms_key_policy")
def kms_lookup_only(res: TfResource, ctx: TfContext) -> None:
    """Aliases and split key policies are read by the key's normalizer."""


# ------------------------------------------------------------------------------ CloudTrail


def _data_event_buckets(res: TfResource, ctx: TfContext) -> tuple[tuple[str, ...], str | None]:
    """S3 buckets whose object reads the trail records, and why unknown if it cannot tell."""
    covered: list[str] = []
    reason: str | None = None
    found: list[tuple[str, Any]] = []
    for selector in blocks(res.values.get("event_selector")):
        values = basic_selector_values(selector.get("read_write_type"), (
            (d.get("type"), d.get("values")) for d in blocks(selector.get("data_resource"))))
        found.extend(("event_selector.data_resource.values", v) for v in values or ())
    for selector in blocks(res.values.get("advanced_event_selector")):
        fields = {str(f.get("field")): f for f in blocks(selector.get("field_selector"))}
        values = advanced_selector_values(fields)
        found.extend(("advanced_event_selector.resources.ARN", v) for v in values or ())
    for key, value in found:
        if is_ref(value) or not isinstance(value, str) or "${" in value:
            reason = ctx.unresolved(res, key, value)
        else:
            covered.append(bucket_value(value))
    return tuple(dict.fromkeys(covered)), (None if covered else reason)


@normalizes("aws_cloudtrail")
def cloudtrail(res: TfResource, ctx: TfContext) -> None:
    """A CloudTrail trail: whether it logs, signs its files, and which S3 reads it records."""
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    me = asset_id(ctx, res)
    for key, out, default in (("enable_logging", "logging_enabled", True),
                              ("enable_log_file_validation", "log_file_validation", False),
                              ("is_multi_region_trail", "multi_region", False),
                              ("is_organization_trail", "organization_trail", False)):
        value = flag(res, key, default, unknown, ctx, out)
        if value is not None:
            attrs[out] = value
    buckets, reason = _data_event_buckets(res, ctx)
    if reason:
        unknown["data_event_buckets"] = reason
    else:
        attrs["data_event_buckets"] = buckets
    log_bucket = res.values.get("s3_bucket_name")
    found = find_bucket(ctx, log_bucket, res)
    if found is not None:
        attrs["log_bucket"] = asset_id(ctx, found)
        ctx.builder.link(me, EdgeKind.LOGS_TO, attrs["log_bucket"])
    elif is_ref(log_bucket):
        attrs["log_bucket"] = ref(log_bucket)
    elif log_bucket is not None:
        attrs["log_bucket"] = bucket_name_of(log_bucket) or str(log_bucket)
    apply_key(ctx, res, "kms_key_id", res.values.get("kms_key_id"), me, attrs, unknown)
    for bucket in ctx.by_type.get("aws_s3_bucket", ()):
        name = text(bucket.values.get("bucket"))
        if ALL_BUCKETS in buckets or (name and any(
                b.rstrip("/") == f"arn:aws:s3:::{name}" or b.startswith(f"arn:aws:s3:::{name}/")
                for b in buckets)):
            ctx.builder.link(me, EdgeKind.MONITORS, asset_id(ctx, bucket))
    add(ctx, res, Kind.AUDIT_LOG, name=text(res.values.get("name")), attrs=attrs, unknown=unknown)


# -------------------------------------------------------------------------------- networks


def _name_tag(res: TfResource) -> str | None:
    tags = res.values.get("tags")
    return text(tags.get("Name")) if isinstance(tags, dict) else None


def _captures(flow: TfResource) -> bool:
    """Whether a flow log records accepted traffic (REJECT-only logs miss an exfiltration)."""
    return flow.values.get("traffic_type") in ("ALL", "ACCEPT", None) or is_ref(flow.values.get("traffic_type"))


def _flow_target(ctx: TfContext, key: str) -> Callable[[TfResource], TfResource | None]:
    types = ("aws_vpc", "aws_default_vpc") if key == "vpc_id" else ("aws_subnet",)

    def target_of(flow: TfResource) -> TfResource | None:
        return ctx.resolve(flow.values.get(key), *types, name_keys=()) if _captures(flow) else None
    target_of.__qualname__ = f"flow_target_{key}"
    return target_of


def _flow_logged(ctx: TfContext, res: TfResource, key: str) -> bool:
    return bool(grouped(ctx, "aws_flow_log", _flow_target(ctx, key)).get(id(res)))


@normalizes("aws_vpc", "aws_default_vpc")
def vpc(res: TfResource, ctx: TfContext) -> None:
    """A VPC; `flow_logs` is true when an `aws_flow_log` on the VPC records accepted traffic."""
    add(ctx, res, Kind.NETWORK, name=_name_tag(res),
        attrs={"flow_logs": _flow_logged(ctx, res, "vpc_id")})


@normalizes("aws_subnet")
def subnet(res: TfResource, ctx: TfContext) -> None:
    """A subnet, in its VPC; flow logs on the subnet or on its VPC cover it."""
    attrs: dict[str, Any] = {}
    me = asset_id(ctx, res)
    network = ctx.resolve(res.values.get("vpc_id"), "aws_vpc", "aws_default_vpc", name_keys=())
    logged = _flow_logged(ctx, res, "subnet_id")
    if network is not None:
        attrs["network"] = asset_id(ctx, network)
        ctx.builder.link(me, EdgeKind.IN_NETWORK, attrs["network"])
        logged = logged or _flow_logged(ctx, network, "vpc_id")
    attrs["flow_logs"] = logged
    add(ctx, res, Kind.SUBNET, name=_name_tag(res), attrs=attrs)


@normalizes("aws_flow_log")
def flow_log(res: TfResource, ctx: TfContext) -> None:
    """A VPC / subnet / ENI flow log, MONITORS what it captures."""
    attrs: dict[str, Any] = {"traffic_type": res.values.get("traffic_type")}
    unknown: dict[str, str] = {}
    me = asset_id(ctx, res)
    for key, types in (("vpc_id", ("aws_vpc", "aws_default_vpc")), ("subnet_id", ("aws_subnet",)),
                       ("eni_id", ()), ("transit_gateway_id", ())):
        value = res.values.get(key)
        if value is None:
            continue
        target = ctx.resolve(value, *types, name_keys=()) if types else None
        if target is not None:
            attrs["target"] = asset_id(ctx, target)
            ctx.builder.link(me, EdgeKind.MONITORS, attrs["target"])
        elif is_ref(value):
            unknown["target"] = ctx.unresolved(res, key, value)
        else:
            attrs["target"] = str(value)
        break
    add(ctx, res, Kind.FLOW_LOG, attrs=attrs, unknown=unknown)


# -------------------------------------------------------------------------------------- ECR


def _repo_policies(ctx: TfContext, res: TfResource | None, holders: list[TfResource],
                   attrs: dict[str, Any], unknown: dict[str, str]) -> None:
    """Grants of repository policies; `tf_policies` and `tf_sources` list them in one order."""
    public: list[str] = []
    reason: str | None = None
    policies: list[tuple[str, str]] = []
    sources: list[Any] = []
    for holder in holders:
        doc = load_policy(ctx, holder, "policy", holder.values.get("policy"))
        if doc.unknown:
            reason = doc.unknown
            continue
        public.extend(ev for _, ev in public_statements(doc, f"{holder.address} policy"))
        if holder.source is not None:
            policies.append(("policy", doc.json_text or "{}"))
            sources.extend(source_pair("policy", holder))
    if public or reason is None:
        attrs["public_grants"] = tuple(public)
        attrs["authenticated_grants"] = ()
    else:
        unknown["public_grants"] = unknown["authenticated_grants"] = reason
    if policies:
        attrs["tf_policies"] = tuple(policies)
        attrs["tf_sources"] = tuple(sources)


def _policy_repo(ctx: TfContext, policy: TfResource) -> TfResource | None:
    return ctx.resolve(policy.values.get("repository"), "aws_ecr_repository", name_keys=("name",))


@normalizes("aws_ecr_repository")
def ecr_repository(res: TfResource, ctx: TfContext) -> None:
    """An ECR repository: encryption, tag mutability and the grants of its repository policy."""
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    me = asset_id(ctx, res)
    config = first_block(res.values.get("encryption_configuration"))
    kind = config.get("encryption_type") or "AES256"
    if is_ref(kind):
        unknown["encryption"] = ctx.unresolved(res, "encryption_configuration.encryption_type", kind)
    elif kind in ("KMS", "KMS_DSSE"):
        apply_key(ctx, res, "encryption_configuration.kms_key", config.get("kms_key"), me, attrs, unknown)
    else:
        attrs["encryption"] = PROVIDER_MANAGED
    mutability = res.values.get("image_tag_mutability") or "MUTABLE"
    if is_ref(mutability):
        unknown["tag_immutable"] = ctx.unresolved(res, "image_tag_mutability", mutability)
    else:
        attrs["tag_immutable"] = str(mutability).startswith("IMMUTABLE")
    holders = grouped(ctx, "aws_ecr_repository_policy", lambda p: _policy_repo(ctx, p)).get(id(res), [])
    _repo_policies(ctx, res, holders, attrs, unknown)
    add(ctx, res, Kind.CONTAINER_REGISTRY, name=text(res.values.get("name")), attrs=attrs, unknown=unknown)


@normalizes("aws_ecr_repository_policy")
def ecr_repository_policy(res: TfResource, ctx: TfContext) -> None:
    """A repository policy: read by its repository, or a registry asset of its own when the
    repository is declared outside the scanned configuration."""
    if _policy_repo(ctx, res) is not None:
        return
    repo = res.values.get("repository")
    outside = f"repository {ctx.ref_text(repo)!r} is declared outside the scanned Terraform"
    attrs: dict[str, Any] = {}
    unknown = {"encryption": outside, "tag_immutable": outside}
    _repo_policies(ctx, None, [res], attrs, unknown)
    add(ctx, res, Kind.CONTAINER_REGISTRY, name=text(repo) or ctx.ref_text(repo), attrs=attrs,
        unknown=unknown, tags={})


@normalizes("aws_ecrpublic_repository")
def ecr_public_repository(res: TfResource, ctx: TfContext) -> None:
    """An ECR Public repository: anyone on the internet can pull its images, by design."""
    add(ctx, res, Kind.CONTAINER_REGISTRY, name=text(res.values.get("repository_name")), attrs={
        "public_grants": (f"{res.address} is an ECR Public repository: anyone can pull its images",),
        "authenticated_grants": (), "encryption": PROVIDER_MANAGED, "tag_immutable": False,
    })
