"""Bedrock: custom models (their KMS key and training data) and model invocation logging.

Custom models are MODEL assets (id: model ARN); without `modelKmsKeyArn` their weights are
encrypted with an AWS-owned key ("provider-managed"). Invocation logging is a per-region account
setting: `bedrock_invocation_logging` on the ACCOUNT asset lists the regions where it delivers to
S3 or CloudWatch Logs, `bedrock_logging_checked_regions` the regions where it could be read.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crownjewel.collect.aws.common import KeyIndex, Scope, add_asset, apply_key, bucket_arn, bucket_of_uri, unknown_all
from crownjewel.collect.aws.session import Calls, Recorder, Reply, client
from crownjewel.model.assets import EdgeKind, Kind
from crownjewel.model.graph import GraphBuilder

OPERATIONS: Mapping[str, str] = {
    "ListCustomModels": "bedrock:ListCustomModels",
    "GetCustomModel": "bedrock:GetCustomModel",
    "GetModelInvocationLoggingConfiguration": "bedrock:GetModelInvocationLoggingConfiguration",
}


@dataclass(slots=True)
class BedrockRaw:
    """Custom models and the invocation logging configuration of one region."""

    listing: Reply
    logging: Reply
    models: list[tuple[str, str, Reply]] = field(default_factory=list)  # (arn, name, GetCustomModel)


def fetch(session: Any, scope: Scope, recorder: Recorder) -> BedrockRaw:
    """List custom models, read each one, and read the invocation logging configuration."""
    calls = Calls(client(session, "bedrock", scope.region), OPERATIONS, recorder)
    listing = calls.pages("ListCustomModels", "modelSummaries")
    raw = BedrockRaw(listing, calls.call("GetModelInvocationLoggingConfiguration"))
    if not listing.ok and not raw.logging.ok:
        recorder.listing_failed(listing)
    for entry in (listing.value if listing.ok else None) or ():
        if isinstance(entry, Mapping) and entry.get("modelArn"):
            arn = str(entry["modelArn"])
            raw.models.append((arn, str(entry.get("modelName") or arn),
                               calls.call("GetCustomModel", modelIdentifier=arn)))
    return raw


def logging_on(reply: Reply) -> bool:
    """Invocation logging delivers somewhere (S3 or CloudWatch Logs)."""
    config = reply.get("loggingConfig") or {}
    s3 = config.get("s3Config") or {}
    logs = config.get("cloudWatchConfig") or {}
    return bool(s3.get("bucketName") or logs.get("logGroupName"))


def normalize(raw: BedrockRaw, scope: Scope, keys: KeyIndex, builder: GraphBuilder) -> None:
    """Add one MODEL per custom model; invocation logging is summarized on the account."""
    for arn, name, detail in raw.models:
        attrs: dict[str, Any] = {}
        unknown: dict[str, str] = {}
        if detail.ok:
            apply_key(detail.get("modelKmsKeyArn"), scope, keys, arn, attrs, builder, unknown)
            training = bucket_of_uri((detail.get("trainingDataConfig") or {}).get("s3Uri"))
            if training:
                builder.link(arn, EdgeKind.READS_DATA_FROM, bucket_arn(training, scope.partition))
        else:
            unknown_all(unknown, ("encryption", "kms_key"), detail)
        add_asset(builder, scope, arn, Kind.MODEL, str(detail.get("modelName") or name),
                  "AWS::Bedrock::CustomModel", attrs, unknown)


def summarize(regions: list[tuple[Scope, Any]], scope: Scope, builder: GraphBuilder) -> None:
    """Patch the ACCOUNT asset with the regions where invocation logging is on / was read."""
    read = [(here.region, raw.logging) for here, raw in regions if raw.logging.ok]
    if not read:  # nothing read: "off everywhere" would be a guess
        reason = "; ".join(dict.fromkeys(raw.logging.error or "not read" for _, raw in regions))
        builder.patch(scope.account_id, unknown=dict.fromkeys(
            ("bedrock_invocation_logging", "bedrock_logging_checked_regions"), reason))
        return
    builder.patch(scope.account_id, {
        "bedrock_invocation_logging": tuple(sorted(r for r, reply in read if logging_on(reply))),
        "bedrock_logging_checked_regions": tuple(sorted(r for r, _ in read)),
    })
