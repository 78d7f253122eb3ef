"""CloudTrail coverage of model buckets: whole-bucket data events on a trail known to log."""
from __future__ import annotations

from crownjewel.classify import classify
from crownjewel.model.assets import Asset, Kind, frozen_map
from crownjewel.model.findings import Status
from crownjewel.model.graph import GraphBuilder
from crownjewel.rules.engine import EvalContext, evaluate, select_rules
from crownjewel.rules.registry import RULES, load_rules

load_rules()
RULE = "logging.model-store-reads-not-audited"


def _status(trail_attrs: dict, trail_unknown: dict | None = None) -> tuple[Status, tuple[str, ...]]:
    b = GraphBuilder()
    b.add(Asset(id="arn:aws:s3:::acme-models", kind=Kind.OBJECT_STORE, provider="aws", name="acme-models",
                native_type="AWS::S3::Bucket"))
    b.add(Asset(id="arn:aws:cloudtrail:us-east-1:1:trail/main", kind=Kind.AUDIT_LOG, provider="aws", name="main",
                native_type="AWS::CloudTrail::Trail", attrs=frozen_map(trail_attrs),
                unknown=frozen_map(trail_unknown or {})))
    graph = b.freeze()
    [f] = evaluate(select_rules(RULES, [RULE]), EvalContext(graph, classify(graph)))
    return f.status, f.evidence


def test_whole_bucket_data_events_on_a_logging_trail_pass() -> None:
    assert _status({"logging_enabled": True, "data_event_buckets": ("arn:aws:s3:::acme-models/",)})[0] is Status.PASS
    assert _status({"logging_enabled": True, "data_event_buckets": ("*",)})[0] is Status.PASS


def test_a_prefix_is_not_the_whole_bucket() -> None:
    status, evidence = _status({"logging_enabled": True, "data_event_buckets": ("arn:aws:s3:::acme-models/logs/",)})
    assert status is Status.FAIL and any("logs only" in e for e in evidence)


def test_unread_trail_status_is_unknown_not_pass() -> None:
    status, evidence = _status({"data_event_buckets": ("*",)},
                               {"logging_enabled": "cloudtrail:GetTrailStatus denied (AccessDenied)"})
    assert status is Status.UNKNOWN and "GetTrailStatus" in evidence[0]


def test_unread_selectors_are_unknown_not_fail() -> None:
    status, _ = _status({"logging_enabled": True},
                        {"data_event_buckets": "cloudtrail:GetEventSelectors denied (AccessDenied)"})
    assert status is Status.UNKNOWN


def test_stopped_trail_fails() -> None:
    assert _status({"logging_enabled": False, "data_event_buckets": ("*",)})[0] is Status.FAIL
