"""SageMaker: models (and the buckets holding their artefacts), notebook instances, endpoint
configurations, training jobs and model package groups.

Mirrors `collect/terraform/aws_ml.py`. Endpoints are invoked through the IAM-authenticated
SageMaker runtime API, so `public_endpoint` is false; without a KMS key, volumes are encrypted
with AWS-managed keys ("provider-managed"). Training jobs are bounded to the most recent
`TRAINING_JOBS` (a busy account has many thousands).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crownjewel.collect.aws.common import (
    KeyIndex,
    Scope,
    add_asset,
    apply_key,
    bucket_arn,
    bucket_of_uri,
    unknown_all,
)
from crownjewel.collect.aws.session import Calls, Recorder, Reply, client
from crownjewel.collect.terraform.aws_iam_policy import parse_document, public_statements
from crownjewel.model.assets import EdgeKind, Kind
from crownjewel.model.graph import GraphBuilder

OPERATIONS: Mapping[str, str] = {
    "ListModels": "sagemaker:ListModels",
    "DescribeModel": "sagemaker:DescribeModel",
    "ListNotebookInstances": "sagemaker:ListNotebookInstances",
    "DescribeNotebookInstance": "sagemaker:DescribeNotebookInstance",
    "ListEndpointConfigs": "sagemaker:ListEndpointConfigs",
    "DescribeEndpointConfig": "sagemaker:DescribeEndpointConfig",
    "ListTrainingJobs": "sagemaker:ListTrainingJobs",
    "DescribeTrainingJob": "sagemaker:DescribeTrainingJob",
    "ListModelPackageGroups": "sagemaker:ListModelPackageGroups",
    "GetModelPackageGroupPolicy": "sagemaker:GetModelPackageGroupPolicy",
}
TRAINING_JOBS = 100
_METADATA_ONLY = ("a SageMaker model package group holds metadata only; its model artefacts are "
                  "encrypted as the S3 buckets they are stored in")
# (listing, result key, arn key, name key, describe op, describe parameter)
_KINDS = (
    ("ListModels", "Models", "ModelArn", "ModelName", "DescribeModel", "ModelName"),
    ("ListNotebookInstances", "NotebookInstances", "NotebookInstanceArn", "NotebookInstanceName",
     "DescribeNotebookInstance", "NotebookInstanceName"),
    ("ListEndpointConfigs", "EndpointConfigs", "EndpointConfigArn", "EndpointConfigName",
     "DescribeEndpointConfig", "EndpointConfigName"),
    ("ListTrainingJobs", "TrainingJobSummaries", "TrainingJobArn", "TrainingJobName",
     "DescribeTrainingJob", "TrainingJobName"),
    ("ListModelPackageGroups", "ModelPackageGroupSummaryList", "ModelPackageGroupArn",
     "ModelPackageGroupName", "GetModelPackageGroupPolicy", "ModelPackageGroupName"),
)


@dataclass(slots=True)
class Item:
    """One SageMaker resource: its ARN and name from the listing, and its detail reply."""

    arn: str
    name: str
    detail: Reply


@dataclass(slots=True)
class SageMakerRaw:
    """Everything SageMaker answered in one region, per listing operation."""

    listings: dict[str, Reply] = field(default_factory=dict)
    items: dict[str, list[Item]] = field(default_factory=dict)


def fetch(session: Any, scope: Scope, recorder: Recorder) -> SageMakerRaw:
    """List each resource type and describe every resource listed."""
    calls = Calls(client(session, "sagemaker", scope.region), OPERATIONS, recorder)
    raw = SageMakerRaw()
    for listing_op, key, arn_key, name_key, detail_op, param in _KINDS:
        extra: dict[str, Any] = {}
        limit = None
        if listing_op == "ListTrainingJobs":
            extra, limit = {"SortBy": "CreationTime", "SortOrder": "Descending"}, TRAINING_JOBS
        listing = raw.listings[listing_op] = calls.pages(listing_op, key, limit=limit, **extra)
        raw.items[listing_op] = []
        for entry in (listing.value if listing.ok else None) or ():
            if not isinstance(entry, Mapping) or not entry.get(arn_key) or not entry.get(name_key):
                continue
            absent = ("ResourceNotFound",) if detail_op == "GetModelPackageGroupPolicy" else ()
            detail = calls.call(detail_op, absent=absent, **{param: entry[name_key]})
            raw.items[listing_op].append(Item(str(entry[arn_key]), str(entry[name_key]), detail))
    failed = [r for r in raw.listings.values() if not r.ok]
    if failed and len(failed) == len(raw.listings):
        recorder.listing_failed(failed[0])
    return raw


def _subnets(scope: Scope, me: str, subnets: Any, builder: GraphBuilder) -> None:
    for subnet in subnets or ():
        builder.link(me, EdgeKind.IN_NETWORK, scope.arn("ec2", f"subnet/{subnet}"))


def _artifact_uris(detail: Reply) -> list[str]:
    containers = [detail.get("PrimaryContainer") or {}] + list(detail.get("Containers") or ())
    uris: list[str] = []
    for container in containers:
        if container.get("ModelDataUrl"):
            uris.append(str(container["ModelDataUrl"]))
        source = (container.get("ModelDataSource") or {}).get("S3DataSource") or {}
        if source.get("S3Uri"):
            uris.append(str(source["S3Uri"]))
    return uris


def _model(item: Item, scope: Scope, builder: GraphBuilder) -> None:
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    d = item.detail
    if d.ok:
        uris = _artifact_uris(d)
        for uri in uris:
            bucket = bucket_of_uri(uri)
            if bucket:
                builder.link(item.arn, EdgeKind.STORES_ARTEFACTS_IN, bucket_arn(bucket, scope.partition))
        if uris:
            attrs["artifact_uri"] = uris[0]
        attrs["network_isolation"] = d.get("EnableNetworkIsolation") is True
        vpc = d.get("VpcConfig") or {}
        attrs["in_private_network"] = bool(vpc.get("Subnets"))
        _subnets(scope, item.arn, vpc.get("Subnets"), builder)
        if d.get("ExecutionRoleArn"):
            attrs["execution_role"] = str(d.get("ExecutionRoleArn"))
    else:
        unknown_all(unknown, ("artifact_uri", "network_isolation", "in_private_network", "execution_role"), d)
    add_asset(builder, scope, item.arn, Kind.MODEL, item.name, "AWS::SageMaker::Model", attrs, unknown)


def _notebook(item: Item, scope: Scope, keys: KeyIndex, builder: GraphBuilder) -> None:
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    d = item.detail
    if d.ok:
        apply_key(d.get("KmsKeyId"), scope, keys, item.arn, attrs, builder, unknown)
        attrs["public_ip"] = d.get("DirectInternetAccess", "Enabled") == "Enabled"
        attrs["root_access"] = d.get("RootAccess", "Enabled") == "Enabled"
        attrs["in_private_network"] = bool(d.get("SubnetId"))
        _subnets(scope, item.arn, [d.get("SubnetId")] if d.get("SubnetId") else (), builder)
        if d.get("RoleArn"):
            attrs["execution_role"] = str(d.get("RoleArn"))
    else:
        unknown_all(unknown, ("encryption", "kms_key", "public_ip", "root_access", "in_private_network",
                              "execution_role"), d)
    add_asset(builder, scope, item.arn, Kind.NOTEBOOK, item.name, "AWS::SageMaker::NotebookInstance",
              attrs, unknown)


def _endpoint_config(item: Item, scope: Scope, keys: KeyIndex, models: Mapping[str, str],
                     builder: GraphBuilder) -> None:
    attrs: dict[str, Any] = {"public_endpoint": False}
    unknown: dict[str, str] = {}
    d = item.detail
    if d.ok:
        apply_key(d.get("KmsKeyId"), scope, keys, item.arn, attrs, builder, unknown)
        names = [v.get("ModelName") for v in d.get("ProductionVariants") or () if v.get("ModelName")]
        attrs["models"] = tuple(models.get(str(n)) or scope.arn("sagemaker", f"model/{str(n).lower()}")
                                for n in names)
    else:
        unknown_all(unknown, ("encryption", "kms_key", "models"), d)
    add_asset(builder, scope, item.arn, Kind.ENDPOINT, item.name, "AWS::SageMaker::EndpointConfig",
              attrs, unknown)


def _training_job(item: Item, scope: Scope, keys: KeyIndex, builder: GraphBuilder) -> None:
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    d = item.detail
    if d.ok:
        attrs["network_isolation"] = d.get("EnableNetworkIsolation") is True
        output = d.get("OutputDataConfig") or {}
        apply_key(output.get("KmsKeyId"), scope, keys, item.arn, attrs, builder, unknown)
        out_bucket = bucket_of_uri(output.get("S3OutputPath"))
        if out_bucket:
            builder.link(item.arn, EdgeKind.STORES_ARTEFACTS_IN, bucket_arn(out_bucket, scope.partition))
        for channel in d.get("InputDataConfig") or ():
            uri = ((channel.get("DataSource") or {}).get("S3DataSource") or {}).get("S3Uri")
            bucket = bucket_of_uri(uri)
            if bucket:
                builder.link(item.arn, EdgeKind.READS_DATA_FROM, bucket_arn(bucket, scope.partition))
        _subnets(scope, item.arn, (d.get("VpcConfig") or {}).get("Subnets"), builder)
    else:
        unknown_all(unknown, ("network_isolation", "encryption", "kms_key"), d)
    add_asset(builder, scope, item.arn, Kind.TRAINING_JOB, item.name, "AWS::SageMaker::TrainingJob",
              attrs, unknown)


def _package_group(item: Item, scope: Scope, builder: GraphBuilder) -> None:
    attrs: dict[str, Any] = {"public_network_access": False}
    unknown: dict[str, str] = {"encryption": _METADATA_ONLY}
    d = item.detail
    if d.absent:
        attrs["public_grants"] = attrs["authenticated_grants"] = ()
    elif d.ok:
        try:
            doc = parse_document(json.loads(str(d.get("ResourcePolicy") or "")))
        except ValueError:
            doc = None
        if doc is None or doc.unknown:
            reason = f"the resource policy of {item.arn} could not be read"
            unknown["public_grants"] = unknown["authenticated_grants"] = reason
        else:
            attrs["public_grants"] = tuple(
                ev for _, ev in public_statements(doc, f"resource policy of {item.name}"))
            attrs["authenticated_grants"] = ()
    else:
        unknown_all(unknown, ("public_grants", "authenticated_grants"), d)
    add_asset(builder, scope, item.arn, Kind.MODEL_REGISTRY, item.name, "AWS::SageMaker::ModelPackageGroup",
              attrs, unknown)


def normalize(raw: SageMakerRaw, scope: Scope, keys: KeyIndex, builder: GraphBuilder) -> None:
    """Add MODEL, NOTEBOOK, ENDPOINT, TRAINING_JOB and MODEL_REGISTRY assets (ids: ARNs)."""
    models = {item.name: item.arn for item in raw.items.get("ListModels", ())}
    for item in raw.items.get("ListModels", ()):
        _model(item, scope, builder)
    for item in raw.items.get("ListNotebookInstances", ()):
        _notebook(item, scope, keys, builder)
    for item in raw.items.get("ListEndpointConfigs", ()):
        _endpoint_config(item, scope, keys, models, builder)
    for item in raw.items.get("ListTrainingJobs", ()):
        _training_job(item, scope, keys, builder)
    for item in raw.items.get("ListModelPackageGroups", ()):
        _package_group(item, scope, builder)

