"""The regional services a live AWS scan collects: name -> fetch / normalize / summarize.

A new service plugs in with one `Service` entry here (plus its module): the scan runs its fetch
per region in the thread pool, its normalize per region in the calling thread (in the order of
`REGIONAL`, after KMS has indexed its keys), then its optional summarize once over all regions
(for account-level settings such as GuardDuty S3 protection). Its OPERATIONS table feeds the
least-privilege policy. S3 is not here: it lists buckets once for the whole account (see scan.py).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from crownjewel.collect.aws import bedrock, cloudtrail, ec2, ecr, guardduty, kms, sagemaker
from crownjewel.collect.aws.common import KeyIndex, Scope
from crownjewel.collect.aws.session import Recorder
from crownjewel.model.graph import GraphBuilder

Fetch = Callable[[Any, Scope, Recorder, tuple[str, ...]], Any]
Normalize = Callable[[Any, Scope, KeyIndex, GraphBuilder], None]
Summarize = Callable[[list[tuple[Scope, Any]], Scope, GraphBuilder], None]


@dataclass(frozen=True, slots=True)
class Service:
    """One regional service of the scan."""

    name: str  # the coverage name (boto3 service name)
    operations: Mapping[str, str]  # API operation -> IAM action (boto3 client `name`)
    fetch: Fetch  # (session, scope, recorder, scanned regions) -> raw replies; never raises for API errors
    normalize: Normalize  # (raw, scope, keys, builder): pure
    summarize: Summarize | None = None  # (per-region raws, account scope, builder): pure


REGIONAL: tuple[Service, ...] = (
    Service("kms", kms.OPERATIONS, lambda s, sc, r, _: kms.fetch(s, sc, r),
            lambda raw, sc, _, b: kms.normalize(raw, sc, b)),
    Service("cloudtrail", cloudtrail.OPERATIONS, cloudtrail.fetch, cloudtrail.normalize),
    Service("sagemaker", sagemaker.OPERATIONS, lambda s, sc, r, _: sagemaker.fetch(s, sc, r), sagemaker.normalize),
    Service("ec2", ec2.OPERATIONS, lambda s, sc, r, _: ec2.fetch(s, sc, r),
            lambda raw, sc, _, b: ec2.normalize(raw, sc, b)),
    Service("ecr", ecr.OPERATIONS, lambda s, sc, r, _: ecr.fetch(s, sc, r), ecr.normalize),
    Service("guardduty", guardduty.OPERATIONS, lambda s, sc, r, _: guardduty.fetch(s, sc, r),
            lambda raw, sc, _, b: guardduty.normalize(raw, sc, b), guardduty.summarize),
    Service("bedrock", bedrock.OPERATIONS, lambda s, sc, r, _: bedrock.fetch(s, sc, r), bedrock.normalize,
            bedrock.summarize),
)

SERVICES: Mapping[str, Service] = MappingProxyType({service.name: service for service in REGIONAL})
