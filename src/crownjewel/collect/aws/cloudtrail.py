"""CloudTrail: trails, whether they log, and which S3 object reads they record.

`describe_trails(includeShadowTrails=True)` also returns, in every region, the multi-region and
organisation trails created elsewhere ("shadow trails"). A trail's details are read in its home
region when that region is scanned; otherwise in the first scanned region that sees it. Trail
ids are ARNs, so duplicates across regions collapse into one asset.

Data events mirror `collect/terraform/aws.py`: only selectors recording reads (not WriteOnly) of
`AWS::S3::Object` count; `arn:aws:s3` / `arn:aws:s3:::` mean every bucket ('*').
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crownjewel.collect.aws.common import KeyIndex, Scope, add_asset, apply_key, bucket_arn, unknown_all
from crownjewel.collect.aws.session import Calls, Recorder, Reply, client
from crownjewel.collect.cloudtrail_selectors import (
    ALL_BUCKETS,
    advanced_selector_values,
    api_fields,
    basic_selector_values,
    bucket_value,
)
from crownjewel.model.assets import EdgeKind, Kind
from crownjewel.model.graph import GraphBuilder

OPERATIONS: Mapping[str, str] = {
    "DescribeTrails": "cloudtrail:DescribeTrails",
    "GetTrailStatus": "cloudtrail:GetTrailStatus",
    "GetEventSelectors": "cloudtrail:GetEventSelectors",
}


@dataclass(slots=True)
class TrailRaw:
    """One trail's description and the replies about it."""

    trail: Mapping[str, Any]
    replies: dict[str, Reply] = field(default_factory=dict)


@dataclass(slots=True)
class TrailsRaw:
    """Everything CloudTrail answered in one region."""

    listing: Reply
    trails: list[TrailRaw] = field(default_factory=list)


def fetch(session: Any, scope: Scope, recorder: Recorder, scanned: tuple[str, ...]) -> TrailsRaw:
    """Trails visible in the region; details for those homed here (or homed in unscanned regions)."""
    calls = Calls(client(session, "cloudtrail", scope.region), OPERATIONS, recorder)
    listing = calls.call("DescribeTrails", includeShadowTrails=True)
    raw = TrailsRaw(listing)
    if not listing.ok:
        recorder.listing_failed(listing)
        return raw
    for trail in listing.get("trailList") or ():
        if not isinstance(trail, Mapping) or not trail.get("TrailARN"):
            continue
        home = trail.get("HomeRegion") or scope.region
        if home != scope.region and home in scanned:
            continue  # its home region's task reads it
        arn = str(trail["TrailARN"])
        item = TrailRaw(trail)
        item.replies["GetTrailStatus"] = calls.call("GetTrailStatus", Name=arn)
        item.replies["GetEventSelectors"] = calls.call("GetEventSelectors", TrailName=arn)
        raw.trails.append(item)
    return raw


def data_event_buckets(reply: Mapping[str, Any]) -> tuple[str, ...]:
    """Buckets (ARN prefixes, or '*') whose object reads the trail's selectors record."""
    covered: list[str] = []
    for selector in reply.get("EventSelectors") or ():
        values = basic_selector_values(selector.get("ReadWriteType"), (
            (d.get("Type"), d.get("Values") or ()) for d in selector.get("DataResources") or ()))
        covered.extend(bucket_value(str(v)) for v in values or ())
    for selector in reply.get("AdvancedEventSelectors") or ():
        covered.extend(bucket_value(str(v)) for v in advanced_selector_values(api_fields(selector)) or ())
    return tuple(dict.fromkeys(covered))


def normalize(raw: TrailsRaw, scope: Scope, keys: KeyIndex, builder: GraphBuilder) -> None:
    """Add one AUDIT_LOG per trail (id: trail ARN), LOGS_TO its bucket, MONITORS covered buckets."""
    for item in raw.trails:
        trail = item.trail
        me = str(trail["TrailARN"])
        if builder.has(me):
            continue
        home = str(trail.get("HomeRegion") or scope.region)
        here = Scope(me.split(":")[4] or scope.account, home, scope.partition)
        attrs: dict[str, Any] = {
            "log_file_validation": trail.get("LogFileValidationEnabled") is True,
            "multi_region": trail.get("IsMultiRegionTrail") is True,
            "organization_trail": trail.get("IsOrganizationTrail") is True,
        }
        unknown: dict[str, str] = {}
        status = item.replies["GetTrailStatus"]
        if status.ok and isinstance(status.get("IsLogging"), bool):
            attrs["logging_enabled"] = status.get("IsLogging")
        elif status.ok:
            unknown["logging_enabled"] = "cloudtrail:GetTrailStatus returned no IsLogging"
        else:
            unknown_all(unknown, ("logging_enabled",), status)
        selectors = item.replies["GetEventSelectors"]
        if selectors.ok and isinstance(selectors.value, dict):
            attrs["data_event_buckets"] = data_event_buckets(selectors.value)
        else:
            unknown_all(unknown, ("data_event_buckets",), selectors)
        bucket = trail.get("S3BucketName")
        if bucket:
            attrs["log_bucket"] = bucket_arn(str(bucket), scope.partition)
            builder.link(me, EdgeKind.LOGS_TO, attrs["log_bucket"])
        key = trail.get("KmsKeyId")
        if key:
            apply_key(key, here, keys, me, attrs, builder, unknown)
        else:
            attrs["encryption"] = "provider-managed"  # SSE-S3 on the log bucket by default
        for covered in attrs.get("data_event_buckets", ()):
            if covered != ALL_BUCKETS and covered.startswith("arn:") and ":s3:::" in covered:
                name = covered.split(":::", 1)[1].split("/", 1)[0]
                if name:
                    builder.link(me, EdgeKind.MONITORS, bucket_arn(name, scope.partition))
        add_asset(builder, Scope(here.account, home, scope.partition), me, Kind.AUDIT_LOG,
                  str(trail.get("Name") or me), "AWS::CloudTrail::Trail", attrs, unknown, account=here.account)


def link_all_buckets(builder: GraphBuilder, trail_ids: list[str], bucket_ids: list[str]) -> None:
    """Trails recording every bucket's reads MONITOR every bucket (called once all are known)."""
    for trail_id in trail_ids:
        trail = builder.get(trail_id)
        if trail is not None and ALL_BUCKETS in (trail.get("data_event_buckets") or ()):
            for bucket_id in bucket_ids:
                builder.link(trail_id, EdgeKind.MONITORS, bucket_id)
