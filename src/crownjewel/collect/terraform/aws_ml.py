"""SageMaker: models (and the buckets holding their artefacts), notebooks, endpoint
configurations, domains and model package groups.

Defaults (AWS provider / SageMaker documentation): `enable_network_isolation = false`;
notebook `direct_internet_access = "Enabled"` and `root_access = "Enabled"`; a notebook without
`subnet_id` runs in SageMaker's own network; domain `app_network_access_type =
"PublicInternetOnly"`; without `kms_key_id` volumes and EFS are encrypted with AWS-managed
keys ("provider-managed"). Endpoints are invoked through the IAM-authenticated SageMaker
runtime API, not on an address of their own, so `public_endpoint` is false.
"""
from __future__ import annotations

from typing import Any

from crownjewel.collect.terraform.aws_common import (
    add,
    apply_key,
    asset_id,
    bucket_name_of,
    find_bucket,
    flag,
    grouped,
    source_pair,
    text,
)
from crownjewel.collect.terraform.aws_iam_policy import load_policy, public_statements
from crownjewel.collect.terraform.loader import TfResource
from crownjewel.collect.terraform.normalize import (
    TfContext,
    blocks,
    first_block,
    is_ref,
    normalizes,
)
from crownjewel.model.assets import EdgeKind, Kind

_ROLE_TYPES = ("aws_iam_role",)


def _role(ctx: TfContext, res: TfResource, key: str, attrs: dict[str, Any]) -> None:
    """`execution_role`: the IAM role the workload runs as (asset id when declared here)."""
    value = res.values.get(key)
    if value is None:
        return
    role = ctx.resolve(value, *_ROLE_TYPES, name_keys=("name",))
    if role is not None:
        attrs["execution_role"] = asset_id(ctx, role)
    elif is_ref(value):
        attrs["execution_role"] = str(value["__attribute__"])
    elif isinstance(value, str):
        attrs["execution_role"] = value


def _subnets(ctx: TfContext, res: TfResource, values: list[Any], me: str) -> None:
    for value in values:
        found = ctx.resolve(value, "aws_subnet", name_keys=())
        if found is not None:
            ctx.builder.link(me, EdgeKind.IN_NETWORK, asset_id(ctx, found))


def _artifact_uris(res: TfResource) -> list[Any]:
    uris: list[Any] = []
    for container in blocks(res.values.get("primary_container")) + blocks(res.values.get("container")):
        if container.get("model_data_url") is not None:
            uris.append(container["model_data_url"])
        source = first_block(first_block(container.get("model_data_source")).get("s3_data_source"))
        if source.get("s3_uri") is not None:
            uris.append(source["s3_uri"])
    return uris


@normalizes("aws_sagemaker_model")
def sagemaker_model(res: TfResource, ctx: TfContext) -> None:
    """A SageMaker model: where its artefacts live, and whether its container is isolated."""
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    me = asset_id(ctx, res)
    uris = _artifact_uris(res)
    for uri in uris:
        name = bucket_name_of(uri)
        if name is None and not is_ref(uri):
            continue
        bucket = find_bucket(ctx, name if name else uri, res)
        if bucket is not None:
            ctx.builder.link(me, EdgeKind.STORES_ARTEFACTS_IN, asset_id(ctx, bucket))
    if uris:
        first = uris[0]
        if is_ref(first):
            unknown["artifact_uri"] = ctx.unresolved(res, "model_data_url", first)
        else:
            attrs["artifact_uri"] = str(first)
    isolated = flag(res, "enable_network_isolation", False, unknown, ctx, "network_isolation")
    if isolated is not None:
        attrs["network_isolation"] = isolated
    vpc = first_block(res.values.get("vpc_config"))
    attrs["in_private_network"] = bool(vpc)
    _subnets(ctx, res, list(vpc.get("subnets") or ()) if isinstance(vpc.get("subnets"), list) else [], me)
    _role(ctx, res, "execution_role_arn", attrs)
    add(ctx, res, Kind.MODEL, name=text(res.values.get("name")), attrs=attrs, unknown=unknown)


@normalizes("aws_sagemaker_notebook_instance")
def sagemaker_notebook(res: TfResource, ctx: TfContext) -> None:
    """A notebook instance: volume key, internet access, root, and whether it runs in a VPC."""
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    me = asset_id(ctx, res)
    apply_key(ctx, res, "kms_key_id", res.values.get("kms_key_id"), me, attrs, unknown)
    public = flag(res, "direct_internet_access", True, unknown, ctx, "public_ip", truthy=("Enabled",))
    if public is not None:
        attrs["public_ip"] = public
    root = flag(res, "root_access", True, unknown, ctx, "root_access", truthy=("Enabled",))
    if root is not None:
        attrs["root_access"] = root
    subnet = res.values.get("subnet_id")
    # Any subnet, even one chosen at apply, puts the instance's network interface in a VPC.
    attrs["in_private_network"] = subnet is not None and subnet != ""
    if subnet is not None:
        _subnets(ctx, res, [subnet], me)
    _role(ctx, res, "role_arn", attrs)
    add(ctx, res, Kind.NOTEBOOK, name=text(res.values.get("name")), attrs=attrs, unknown=unknown)


@normalizes("aws_sagemaker_endpoint_configuration")
def sagemaker_endpoint_configuration(res: TfResource, ctx: TfContext) -> None:
    """An endpoint configuration: the key of the serving instances' storage volumes."""
    attrs: dict[str, Any] = {"public_endpoint": False}
    unknown: dict[str, str] = {}
    me = asset_id(ctx, res)
    apply_key(ctx, res, "kms_key_id", res.values.get("kms_key_id"), me, attrs, unknown)
    models = [v.get("model_name") for v in blocks(res.values.get("production_variants"))]
    for value in models:
        model = ctx.resolve(value, "aws_sagemaker_model", name_keys=("name",))
        if model is not None:
            attrs.setdefault("models", ())
            attrs["models"] += (asset_id(ctx, model),)
    add(ctx, res, Kind.ENDPOINT, name=text(res.values.get("name")), attrs=attrs, unknown=unknown)


@normalizes("aws_sagemaker_domain")
def sagemaker_domain(res: TfResource, ctx: TfContext) -> None:
    """A SageMaker (Studio) domain: EFS key and whether apps reach the internet directly."""
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    me = asset_id(ctx, res)
    apply_key(ctx, res, "kms_key_id", res.values.get("kms_key_id"), me, attrs, unknown)
    access = res.values.get("app_network_access_type") or "PublicInternetOnly"
    if is_ref(access):
        unknown["public_internet"] = ctx.unresolved(res, "app_network_access_type", access)
    else:
        attrs["public_internet"] = access != "VpcOnly"
    subnets = res.values.get("subnet_ids")
    _subnets(ctx, res, list(subnets) if isinstance(subnets, list) else [], me)
    network = ctx.resolve(res.values.get("vpc_id"), "aws_vpc", name_keys=())
    if network is not None:
        ctx.builder.link(me, EdgeKind.IN_NETWORK, asset_id(ctx, network))
    role = first_block(res.values.get("default_user_settings")).get("execution_role")
    if role is not None:
        found = ctx.resolve(role, *_ROLE_TYPES, name_keys=("name",))
        attrs["execution_role"] = asset_id(ctx, found) if found else ctx.ref_text(role)
    add(ctx, res, Kind.AI_DOMAIN, name=text(res.values.get("domain_name")), attrs=attrs, unknown=unknown)


def _group_policies(ctx: TfContext, res: TfResource) -> list[TfResource]:
    def group_of(policy: TfResource) -> TfResource | None:
        return ctx.resolve(policy.values.get("model_package_group_name"), "aws_sagemaker_model_package_group",
                           name_keys=("model_package_group_name",))
    return grouped(ctx, "aws_sagemaker_model_package_group_policy", group_of).get(id(res), [])


def _registry_grants(ctx: TfContext, holders: list[TfResource], attrs: dict[str, Any],
                     unknown: dict[str, str]) -> None:
    public: list[str] = []
    reason = None
    for holder in holders:
        doc = load_policy(ctx, holder, "resource_policy", holder.values.get("resource_policy"))
        if doc.unknown:
            reason = doc.unknown
            continue
        public.extend(ev for _, ev in public_statements(doc, f"{holder.address} resource policy"))
        if holder.source is not None:
            attrs["tf_policies"] = attrs.get("tf_policies", ()) + (("resource_policy", doc.json_text or "{}"),)
            attrs["tf_sources"] = attrs.get("tf_sources", ()) + source_pair("resource_policy", holder)
    if public or reason is None:
        attrs["public_grants"] = tuple(public)
        attrs["authenticated_grants"] = ()
    else:
        unknown["public_grants"] = unknown["authenticated_grants"] = reason


_METADATA_ONLY = ("a SageMaker model package group holds metadata only; its model artefacts are "
                  "encrypted as the S3 buckets they are stored in")


@normalizes("aws_sagemaker_model_package_group")
def sagemaker_model_package_group(res: TfResource, ctx: TfContext) -> None:
    """A model registry (package group) and the grants of its resource policy."""
    attrs: dict[str, Any] = {"public_network_access": False}
    unknown: dict[str, str] = {"encryption": _METADATA_ONLY}
    _registry_grants(ctx, _group_policies(ctx, res), attrs, unknown)
    add(ctx, res, Kind.MODEL_REGISTRY, name=text(res.values.get("model_package_group_name")),
        attrs=attrs, unknown=unknown)


@normalizes("aws_sagemaker_model_package_group_policy")
def sagemaker_model_package_group_policy(res: TfResource, ctx: TfContext) -> None:
    """A package group policy: read by its group, or a registry asset of its own when the group
    is declared outside the scanned configuration."""
    value = res.values.get("model_package_group_name")
    if ctx.resolve(value, "aws_sagemaker_model_package_group",
                   name_keys=("model_package_group_name",)) is not None:
        return
    attrs: dict[str, Any] = {"public_network_access": False}
    unknown: dict[str, str] = {"encryption": _METADATA_ONLY}
    _registry_grants(ctx, [res], attrs, unknown)
    add(ctx, res, Kind.MODEL_REGISTRY, name=text(value) or ctx.ref_text(value), attrs=attrs,
        unknown=unknown, tags={})
