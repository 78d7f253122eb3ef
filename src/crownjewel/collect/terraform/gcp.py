"""Google Cloud Terraform normalizers: projects, Cloud KMS, log buckets and VPC networks here;
storage, IAM and Vertex AI in the `gcp_*` modules imported below (they register on import).

Provider defaults applied when an attribute is unset: a crypto key without `rotation_period`
never rotates; a log bucket keeps logs 30 days and is not locked; a network without
`auto_create_subnetworks = false` is in auto mode, whose subnets have no flow logs.
"""
from __future__ import annotations

import re
from typing import Any

from crownjewel.collect.problems import WARNING, InputProblem
from crownjewel.collect.terraform import gcp_ai, gcp_iam, gcp_storage  # noqa: F401  (register)
from crownjewel.collect.terraform.gcp_common import (
    KEY_PATH,
    add,
    bool_attr,
    display_name,
    find_network,
    labels,
    literal,
    managed_only,
    project_account,
    project_of,
    resolve_ring,
)
from crownjewel.collect.terraform.gcp_iam import find_bucket, grant_defaults
from crownjewel.collect.terraform.loader import TfResource
from crownjewel.collect.terraform.normalize import TfContext, blocks, is_ref, normalizes
from crownjewel.model.assets import EdgeKind, Kind

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)s$")
SECONDS_PER_DAY = 86400.0
# Subnets that carry no VM traffic (proxies, PSC): flow logs cannot be enabled on them.
_NO_FLOW_LOG_PURPOSES = {"INTERNAL_HTTPS_LOAD_BALANCER", "REGIONAL_MANAGED_PROXY",
                         "GLOBAL_MANAGED_PROXY", "PRIVATE_SERVICE_CONNECT", "PRIVATE_NAT"}


@normalizes("google_project")
@managed_only
def project(res: TfResource, ctx: TfContext) -> None:
    """A declared project: the ACCOUNT asset its resources link IN_ACCOUNT to."""
    pid = literal(res.values.get("project_id"))
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    if pid:
        attrs["project"] = pid
    else:
        unknown["project"] = ctx.unresolved(res, "project_id", res.values.get("project_id"))
    add(ctx, res, Kind.ACCOUNT, name=pid or display_name(res, "name"), attrs=attrs, unknown=unknown,
        project=pid, tags=labels(res), link_account=False)


# --------------------------------------------------------------------------------------- KMS


@normalizes("google_kms_key_ring")
@managed_only
def key_ring(res: TfResource, ctx: TfContext) -> None:
    """A Cloud KMS key ring."""
    location = res.values.get("location")
    attrs = {"location": location} if literal(location) else {}
    add(ctx, res, Kind.KEY_RING, name=display_name(res, "name"), attrs=attrs,
        project=project_of(res), region=location)


def rotation_days(ctx: TfContext, res: TfResource, attrs: dict[str, Any], unknown: dict[str, str]) -> None:
    """`rotation_period` ("7776000s") as days; absent means the key never rotates."""
    value = res.values.get("rotation_period")
    if is_ref(value):
        unknown["rotation_period_days"] = ctx.unresolved(res, "rotation_period", value)
        return
    if value is None or value == "":
        attrs["rotation_period_days"] = None
        return
    m = _DURATION.match(str(value).strip())
    if m is None:
        # The provider rejects it ("Invalid rotation period format"): no valid rotation is set.
        where = res.source.file if res.source else res.address
        ctx.problems.append(InputProblem(
            where, f"{res.address}: rotation_period {value!r} is not a duration like \"7776000s\"; "
            "treated as no rotation", res.source.line if res.source else None, WARNING))
        attrs["rotation_period_days"] = None
        return
    attrs["rotation_period_days"] = float(m.group(1)) / SECONDS_PER_DAY


@normalizes("google_kms_crypto_key")
@managed_only
def crypto_key(res: TfResource, ctx: TfContext) -> None:
    """A Cloud KMS key: rotation, purpose, protection level, key ring."""
    values = res.values
    attrs: dict[str, Any] = {"managed_by": "customer", "enabled": True}
    unknown: dict[str, str] = {}
    rotation_days(ctx, res, attrs, unknown)
    purpose = values.get("purpose")
    attrs["purpose"] = purpose if literal(purpose) else "ENCRYPT_DECRYPT"
    template = next(iter(blocks(values.get("version_template"))), {})
    attrs["protection_level"] = literal(template.get("protection_level")) or "SOFTWARE"
    grant_defaults(ctx, res.address, attrs, unknown)
    ring_value = values.get("key_ring")
    ring = resolve_ring(ctx, ring_value)
    project_value: Any = None
    region: Any = None
    if ring is not None:
        attrs["key_ring"] = ring.address
        project_value, region = ring.values.get("project"), ring.values.get("location")
    elif isinstance(ring_value, str) and (m := KEY_PATH.search(ring_value)):
        attrs["key_ring"] = ring_value
        project_value, region = m.group("project"), m.group("location")
    elif literal(ring_value):
        attrs["key_ring"] = ring_value
    asset = add(ctx, res, Kind.CRYPTO_KEY, name=display_name(res, "name"), attrs=attrs,
                unknown=unknown, project=project_value, region=region, tags=labels(res))
    if ring is not None:
        ctx.builder.link(asset.id, EdgeKind.PART_OF, ring.address)


# ----------------------------------------------------------------------------------- logging


@normalizes("google_logging_project_bucket_config", "google_logging_folder_bucket_config",
            "google_logging_organization_bucket_config", "google_logging_billing_account_bucket_config")
@managed_only
def log_bucket(res: TfResource, ctx: TfContext) -> None:
    """A Cloud Logging bucket: retention (30 days unless set) and whether it is locked."""
    values = res.values
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    retention = values.get("retention_days")
    if is_ref(retention):
        unknown["retention_days"] = ctx.unresolved(res, "retention_days", retention)
    else:
        attrs["retention_days"] = int(retention) if isinstance(retention, (int, float)) else 30
    bool_attr(ctx, res, values, "locked", False, attrs, unknown, "locked")
    project_value = project_of(res) if res.type == "google_logging_project_bucket_config" else None
    if isinstance(project_value, str) and project_value.startswith("projects/"):
        project_value = project_value.split("/")[1]
    add(ctx, res, Kind.LOG_BUCKET, name=display_name(res, "bucket_id", "name"), attrs=attrs,
        unknown=unknown, project=project_value, region=values.get("location"))


@normalizes("google_logging_project_sink")
@managed_only
def log_sink(res: TfResource, ctx: TfContext) -> None:
    """A project log sink: links the project LOGS_TO the log bucket or GCS bucket it exports to
    (no asset of its own), so the audit trail of a project can be followed to where it is kept."""
    destination = literal(res.values.get("destination"))
    account, _ = project_account(ctx, project_of(res))
    if destination is None or account is None:
        return
    target: str | None = None
    if m := re.search(r"logging\.googleapis\.com/projects/[^/]+/locations/[^/]+/buckets/([^/]+)", destination):
        for bucket in ctx.by_type.get("google_logging_project_bucket_config", ()):
            if bucket.values.get("bucket_id") == m.group(1) and bucket.mode == "managed":
                target = bucket.address
    elif destination.startswith("storage.googleapis.com/"):
        target = find_bucket(ctx, destination.split("/", 1)[1])
    if target is not None:
        ctx.builder.link(account, EdgeKind.LOGS_TO, target)


# ----------------------------------------------------------------------------------- network


def subnet_flow_logs(res: TfResource) -> bool | None:
    """Whether a subnetwork records flow logs; None where flow logs do not apply (proxy-only,
    PSC and NAT subnets) or depend on an unresolved value."""
    values = res.values
    if values.get("purpose") in _NO_FLOW_LOG_PURPOSES:
        return None
    config = values.get("log_config")
    if is_ref(config):
        return None
    if blocks(config):
        return True
    legacy = values.get("enable_flow_logs")  # removed in provider 5.x, still in older code
    return None if is_ref(legacy) else legacy is True


@normalizes("google_compute_subnetwork")
@managed_only
def subnetwork(res: TfResource, ctx: TfContext) -> None:
    """A VPC subnetwork: flow logs (a `log_config` block) and its network."""
    values = res.values
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    purpose = values.get("purpose")
    if literal(purpose):
        attrs["purpose"] = purpose
    flow = subnet_flow_logs(res)
    if flow is not None:
        attrs["flow_logs"] = flow
    elif purpose in _NO_FLOW_LOG_PURPOSES:
        unknown["flow_logs"] = f"flow logs do not apply to {purpose} subnets ({res.address})"
    else:
        unknown["flow_logs"] = ctx.unresolved(res, "log_config", values.get("log_config")
                                              or values.get("enable_flow_logs"))
    network = find_network(ctx, values.get("network"))
    if network is not None:
        attrs["network"] = network.address
    elif literal(values.get("network")):
        attrs["network"] = values["network"]
    asset = add(ctx, res, Kind.SUBNET, name=display_name(res, "name"), attrs=attrs, unknown=unknown,
                project=project_of(res), region=values.get("region"))
    if network is not None:
        ctx.builder.link(asset.id, EdgeKind.IN_NETWORK, network.address)


@normalizes("google_compute_network")
@managed_only
def network(res: TfResource, ctx: TfContext) -> None:
    """A VPC network. GCP flow logs are per subnet: the network records them when it is in
    custom mode and every declared subnet does."""
    values = res.values
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    bool_attr(ctx, res, values, "auto_create_subnetworks", True, attrs, unknown, "auto_create_subnetworks")
    subnets = [s for s in ctx.by_type.get("google_compute_subnetwork", ())
               if find_network(ctx, s.values.get("network")) is res]
    flows = [subnet_flow_logs(s) for s in subnets if s.values.get("purpose") not in _NO_FLOW_LOG_PURPOSES]
    if "auto_create_subnetworks" in unknown:
        unknown["flow_logs"] = unknown["auto_create_subnetworks"]
    elif attrs["auto_create_subnetworks"]:
        attrs["flow_logs"] = False  # auto-mode subnets are created without flow logs
    elif False in flows:
        attrs["flow_logs"] = False
    elif None in flows:
        unknown["flow_logs"] = f"flow logs of a subnetwork of {res.address} are unknown before apply"
    elif flows:
        attrs["flow_logs"] = True
    else:
        unknown["flow_logs"] = (f"no subnetwork of custom-mode network {res.address} is declared in "
                                "the scanned Terraform")
    add(ctx, res, Kind.NETWORK, name=display_name(res, "name"), attrs=attrs, unknown=unknown,
        project=project_of(res))
