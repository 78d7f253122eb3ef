"""Vertex AI resources, user-managed notebooks and Workbench instances from Terraform.

Vertex AI resources are encrypted with Google-managed keys unless `encryption_spec.kms_key_name`
is set. A Vertex endpoint without `network` (VPC peering) and without Private Service Connect
is served publicly. Notebooks get a public IP unless told otherwise (`no_public_ip`,
`gce_setup.disable_public_ip`), and users get root unless the `notebook-disable-root` metadata is
"true".
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crownjewel.collect.terraform.gcp_common import (
    add,
    bool_attr,
    display_name,
    find_network,
    kms_encryption,
    labels,
    managed_only,
    project_of,
    region_from_location,
)
from crownjewel.collect.terraform.gcp_iam import grant_defaults
from crownjewel.collect.terraform.loader import TfResource
from crownjewel.collect.terraform.normalize import (
    TfContext,
    blocks,
    first_block,
    is_ref,
    normalizes,
)
from crownjewel.model.assets import Asset, EdgeKind, Kind

_DATA_STORES = {
    "google_vertex_ai_dataset": ("display_name", "name"),
    "google_vertex_ai_featurestore": ("name",),
    "google_vertex_ai_metadata_store": ("name",),
    "google_vertex_ai_tensorboard": ("display_name", "name"),
}


def _encryption_spec(ctx: TfContext, res: TfResource, attrs: dict[str, Any],
                     unknown: dict[str, str]) -> str | None:
    spec = res.values.get("encryption_spec")
    if is_ref(spec):
        unknown["encryption"] = ctx.unresolved(res, "encryption_spec", spec)
        return None
    return kms_encryption(ctx, res, first_block(spec).get("kms_key_name"),
                          "encryption_spec.kms_key_name", attrs, unknown)


def _link_key(ctx: TfContext, asset: Asset, key_id: str | None) -> None:
    if key_id:
        ctx.builder.link(asset.id, EdgeKind.ENCRYPTED_BY, key_id)


def _link_networks(ctx: TfContext, asset: Asset, network: Any, subnet: Any) -> None:
    for value, tf_type in ((subnet, "google_compute_subnetwork"), (network, "google_compute_network")):
        if value is None:
            continue
        found = find_network(ctx, value, tf_type)
        if found is not None:
            ctx.builder.link(asset.id, EdgeKind.IN_NETWORK, found.address)


@normalizes(*_DATA_STORES)
@managed_only
def vertex_data_store(res: TfResource, ctx: TfContext) -> None:
    """Vertex AI datasets, featurestores, metadata stores and tensorboards."""
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    key_id = _encryption_spec(ctx, res, attrs, unknown)
    grant_defaults(ctx, res.address, attrs, unknown)
    asset = add(ctx, res, Kind.AI_DATA_STORE, name=display_name(res, *_DATA_STORES[res.type]),
                attrs=attrs, unknown=unknown, project=project_of(res),
                region=res.values.get("region"), tags=labels(res))
    _link_key(ctx, asset, key_id)


@normalizes("google_vertex_ai_endpoint")
@managed_only
def vertex_endpoint(res: TfResource, ctx: TfContext) -> None:
    """A Vertex AI endpoint: CMEK, and public unless peered to a VPC or behind PSC."""
    values = res.values
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    key_id = _encryption_spec(ctx, res, attrs, unknown)
    network = values.get("network")
    psc = first_block(values.get("private_service_connect_config"))
    psc_on = psc.get("enable_private_service_connect")
    if is_ref(psc_on):
        unknown["public_endpoint"] = ctx.unresolved(
            res, "private_service_connect_config.enable_private_service_connect", psc_on)
    else:
        attrs["public_endpoint"] = not network and psc_on is not True
    attrs["in_private_network"] = bool(network) or psc_on is True
    grant_defaults(ctx, res.address, attrs, unknown)
    asset = add(ctx, res, Kind.ENDPOINT, name=display_name(res, "display_name", "name"), attrs=attrs,
                unknown=unknown, project=project_of(res),
                region=values.get("region") or values.get("location"), tags=labels(res))
    _link_key(ctx, asset, key_id)
    _link_networks(ctx, asset, network, None)


def _root_access(metadata: Any, attrs: dict[str, Any], unknown: dict[str, str], reason: str) -> None:
    if is_ref(metadata):
        unknown["root_access"] = reason
        return
    flag = metadata.get("notebook-disable-root") if isinstance(metadata, Mapping) else None
    attrs["root_access"] = str(flag).lower() != "true"


def _disk_cmek(ctx: TfContext, res: TfResource, disks: list[tuple[str, Mapping[str, Any]]],
               attrs: dict[str, Any], unknown: dict[str, str]) -> str | None:
    """customer-managed only when every disk is CMEK; returns the key asset id to link."""
    key_id: str | None = None
    for path, disk in disks:
        mode = disk.get("disk_encryption")
        prefix = f"{path}." if path else ""
        if is_ref(mode):
            unknown["encryption"] = ctx.unresolved(res, f"{prefix}disk_encryption", mode)
            return None
        if str(mode or "GMEK").upper() != "CMEK":
            attrs["encryption"] = "provider-managed"
            attrs.pop("kms_key", None)
            unknown.pop("kms_key", None)
            return None
        found = kms_encryption(ctx, res, disk.get("kms_key"), f"{prefix}kms_key", attrs, unknown)
        if attrs.get("encryption") == "provider-managed":
            # CMEK without a key is rejected by the API; say what is missing rather than guess.
            attrs.pop("encryption")
            unknown["encryption"] = f"{res.address}.{prefix}disk_encryption is CMEK but no kms_key is set"
            return None
        key_id = key_id or found
    if not disks:
        attrs["encryption"] = "provider-managed"
    return key_id


@normalizes("google_notebooks_instance")
@managed_only
def notebooks_instance(res: TfResource, ctx: TfContext) -> None:
    """A user-managed notebook (google_notebooks_instance)."""
    values = res.values
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    bool_attr(ctx, res, values, "no_public_ip", False, attrs, unknown, "no_public_ip")
    if "no_public_ip" in attrs:
        attrs["public_ip"] = not attrs.pop("no_public_ip")
    else:
        unknown["public_ip"] = unknown.pop("no_public_ip")
    network, subnet = values.get("network"), values.get("subnet")
    attrs["in_private_network"] = bool(network or subnet)
    key_id = _disk_cmek(ctx, res, [("", values)], attrs, unknown)
    _root_access(values.get("metadata"), attrs, unknown, ctx.unresolved(res, "metadata", values.get("metadata")))
    grant_defaults(ctx, res.address, attrs, unknown)
    asset = add(ctx, res, Kind.NOTEBOOK, name=display_name(res, "name"), attrs=attrs, unknown=unknown,
                project=project_of(res), region=region_from_location(values.get("location")),
                tags=labels(res))
    _link_key(ctx, asset, key_id)
    _link_networks(ctx, asset, network, subnet)


@normalizes("google_workbench_instance")
@managed_only
def workbench_instance(res: TfResource, ctx: TfContext) -> None:
    """A Vertex AI Workbench instance (google_workbench_instance); settings live in gce_setup."""
    values = res.values
    gce = first_block(values.get("gce_setup"))
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    bool_attr(ctx, res, gce, "disable_public_ip", False, attrs, unknown, "disable_public_ip")
    if "disable_public_ip" in attrs:
        attrs["public_ip"] = not attrs.pop("disable_public_ip")
    else:
        unknown["public_ip"] = unknown.pop("disable_public_ip")
    interfaces = blocks(gce.get("network_interfaces"))
    network = next((i.get("network") for i in interfaces if i.get("network")), None)
    subnet = next((i.get("subnet") for i in interfaces if i.get("subnet")), None)
    attrs["in_private_network"] = bool(network or subnet)
    disks = [("gce_setup.boot_disk", first_block(gce.get("boot_disk")))]
    disks += [(f"gce_setup.data_disks[{i}]", d) for i, d in enumerate(blocks(gce.get("data_disks")))]
    key_id = _disk_cmek(ctx, res, disks, attrs, unknown)
    _root_access(gce.get("metadata"), attrs, unknown,
                 ctx.unresolved(res, "gce_setup.metadata", gce.get("metadata")))
    grant_defaults(ctx, res.address, attrs, unknown)
    asset = add(ctx, res, Kind.NOTEBOOK, name=display_name(res, "name"), attrs=attrs, unknown=unknown,
                project=project_of(res), region=region_from_location(values.get("location")),
                tags=labels(res))
    _link_key(ctx, asset, key_id)
    _link_networks(ctx, asset, network, subnet)
