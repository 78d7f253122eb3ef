"""Live AWS collection against moto: the normalized model, honest gaps, read-only calls."""
from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from crownjewel.classify import MODEL_ARTEFACTS, PROTECTS_CROWN_JEWEL, classify
from crownjewel.collect.aws import least_privilege_policy
from crownjewel.collect.aws.permissions import OPERATIONS
from crownjewel.model.assets import EdgeKind, Kind
from crownjewel.model.findings import Status
from crownjewel.model.graph import EstateGraph
from crownjewel.model.schema import SCHEMA
from crownjewel.rules.engine import EvalContext, evaluate, select_rules
from crownjewel.rules.registry import RULES, load_rules

load_rules()
REGION = "us-east-1"
ACCOUNT = "123456789012"
MODELS = "acme-prod-7"
LOGS = "acme-trail-logs"
# Keys the live collector emits that model/schema.py does not document yet (proposed there).
PROPOSED_KEYS = {Kind.OBJECT_STORE: {"mfa_delete"}}


def outcomes(graph: EstateGraph, *rule_ids: str) -> dict[tuple[str, str], Status]:
    findings = evaluate(select_rules(RULES, rule_ids), EvalContext(graph, classify(graph)))
    return {(f.rule_id, f.asset.id): f.status for f in findings}


def deny(*operations: str, code: str = "AccessDenied") -> Any:
    """A session hook making operations fail as IAM would (moto cannot deny): this simulates the
    denial at the client boundary, before any request leaves."""
    def hook(session: Any) -> None:
        for operation in operations:
            def handler(operation: str = operation, **kwargs: Any) -> None:
                raise ClientError({"Error": {"Code": code, "Message": "simulated"}}, operation.split(".")[-1])
            session.events.register(f"before-call.{operation}", handler)
    return hook


def test_ai_estate_is_normalized_like_terraform(estate: dict[str, str], scan: Any) -> None:
    ids = estate
    graph, coverage, problems = scan()
    assert problems == []
    assert {c.service: c.status for c in coverage} == {
        "sts": "complete", "s3": "complete", "kms": "complete", "cloudtrail": "complete",
        "sagemaker": "complete", "ec2": "complete", "ecr": "complete", "guardduty": "complete",
        "bedrock": "complete"}

    bucket = graph[ids["bucket"]]
    assert (bucket.kind, bucket.provider, bucket.account, bucket.region, bucket.native_type) == (
        Kind.OBJECT_STORE, "aws", ACCOUNT, REGION, "AWS::S3::Bucket")
    assert bucket.get("encryption") == "customer-managed" and bucket.get("kms_key") == ids["key"]
    assert bucket.get("public_grants") == (
        f"bucket policy of {MODELS} statement 'Share' allows s3:GetObject to Principal \"*\"",)
    assert bucket.get("authenticated_grants") == ()
    assert bucket.get("public_access_prevention") is False
    assert bucket.get("versioning") is False and bucket.get("access_logging") is False
    assert set(bucket.get("sample_objects")) == {"llama/model-00001.safetensors", "llama/config.json"}
    assert bucket.get("bytes") == 102
    assert graph[ids["logs"]].get("encryption") == "provider-managed"  # no configuration: SSE-S3

    key = graph[ids["key"]]
    assert key.name == "alias/models"
    assert key.get("managed_by") == "customer" and key.get("enabled") is True
    assert key.knows("rotation_period_days") and key.get("rotation_period_days") is None
    assert key.get("public_grants") == () and key.get("wildcard_principals") == ()

    trail = graph[ids["trail"]]
    assert trail.get("logging_enabled") is True and trail.get("data_event_buckets") == ()
    assert trail.get("log_file_validation") is False and trail.get("multi_region") is False
    assert trail.get("log_bucket") == ids["logs"]

    model = graph[ids["model"]]
    assert model.get("artifact_uri") == f"s3://{MODELS}/llama/model.tar.gz"
    assert model.get("network_isolation") is False and model.get("in_private_network") is False
    notebook = graph[ids["notebook"]]
    assert notebook.get("public_ip") is True and notebook.get("root_access") is True
    assert notebook.get("encryption") == "provider-managed"
    assert graph[ids["vpc"]].get("flow_logs") is False
    assert graph[ids["subnet"]].get("network") == ids["vpc"]

    edges = {(e.src, e.kind, e.dst) for e in graph.edges}
    assert (ids["bucket"], EdgeKind.ENCRYPTED_BY, ids["key"]) in edges
    assert (ids["model"], EdgeKind.STORES_ARTEFACTS_IN, ids["bucket"]) in edges
    assert (ids["trail"], EdgeKind.LOGS_TO, ids["logs"]) in edges
    assert (ids["subnet"], EdgeKind.IN_NETWORK, ids["vpc"]) in edges
    assert all((a.id, EdgeKind.IN_ACCOUNT, f"aws-account:{ACCOUNT}") in edges
               for a in graph.assets() if a.kind is not Kind.ACCOUNT)

    classes = classify(graph)
    evidence = classes[ids["bucket"]].evidence
    assert MODEL_ARTEFACTS in classes[ids["bucket"]].categories
    assert "object llama/model-00001.safetensors" in evidence
    assert f"{ids['model']} keeps its model artefacts here" in evidence
    assert PROTECTS_CROWN_JEWEL in classes[ids["key"]].categories

    found = outcomes(graph, "storage.model-store-public", "kms.key-rotation-over-90-days",
                     "logging.model-store-reads-not-audited", "ai.notebook-public-ip",
                     "ai.model-network-isolation-off", "storage.model-store-not-cmek")
    assert found[("storage.model-store-public", ids["bucket"])] is Status.FAIL
    assert found[("kms.key-rotation-over-90-days", ids["key"])] is Status.FAIL
    assert found[("logging.model-store-reads-not-audited", ids["bucket"])] is Status.FAIL
    assert found[("ai.notebook-public-ip", ids["notebook"])] is Status.FAIL
    assert found[("ai.model-network-isolation-off", ids["model"])] is Status.FAIL
    assert found[("storage.model-store-not-cmek", ids["bucket"])] is Status.PASS


def test_live_attributes_are_documented_in_the_schema(estate: dict[str, str], scan: Any) -> None:
    graph, _, _ = scan()
    undocumented = {(a.kind.value, k) for a in graph.assets() for k in list(a.attrs) + list(a.unknown)
                    if k not in SCHEMA.get(a.kind, {}) and k not in PROPOSED_KEYS.get(a.kind, set())}
    assert not undocumented


def test_denied_bucket_policy_is_unknown_not_pass(estate: dict[str, str], scan: Any) -> None:
    ids = estate
    graph, coverage, _ = scan(deny("s3.GetBucketPolicy", "s3.GetBucketPolicyStatus"))
    bucket = graph[ids["bucket"]]
    reason = "s3:GetBucketPolicy denied (AccessDenied)"
    # The ACL was read, but a grant in the unread policy may exist: no "no public grants".
    assert not bucket.knows("public_grants") and bucket.why_unknown("public_grants") == reason
    assert bucket.why_unknown("secure_transport_required") == reason
    assert bucket.get("authenticated_grants") is None and reason in bucket.why_unknown("authenticated_grants")
    assert bucket.get("encryption") == "customer-managed"  # what was read stays known
    s3 = next(c for c in coverage if c.service == "s3")
    assert s3.status == "partial" and reason in s3.detail
    found = outcomes(graph, "storage.model-store-public")
    assert found[("storage.model-store-public", ids["bucket"])] is Status.UNKNOWN


def test_policy_status_still_proves_a_public_policy_it_could_not_read(estate: dict[str, str], scan: Any) -> None:
    graph, coverage, _ = scan(deny("s3.GetBucketPolicy"))
    bucket = graph[estate["bucket"]]
    assert bucket.get("public_grants") == (
        f"S3 reports the bucket policy of {MODELS} as public (GetBucketPolicyStatus IsPublic)",)
    assert next(c for c in coverage if c.service == "s3").status == "partial"
    found = outcomes(graph, "storage.model-store-public")
    assert found[("storage.model-store-public", estate["bucket"])] is Status.FAIL


def test_throttled_rotation_status_is_unknown(estate: dict[str, str], scan: Any) -> None:
    ids = estate
    graph, coverage, _ = scan(deny("kms.GetKeyRotationStatus", code="ThrottlingException"))
    key = graph[ids["key"]]
    assert key.why_unknown("rotation_period_days") == \
        "kms:GetKeyRotationStatus throttled after retries (ThrottlingException)"
    assert next(c for c in coverage if c.service == "kms").status == "partial"
    found = outcomes(graph, "kms.key-rotation-over-90-days")
    assert found[("kms.key-rotation-over-90-days", ids["key"])] is Status.UNKNOWN


def test_denied_listing_is_a_denied_service_and_a_gap(estate: dict[str, str], scan: Any) -> None:
    graph, coverage, problems = scan(deny("cloudtrail.DescribeTrails", code="AccessDeniedException"))
    trail = next(c for c in coverage if c.service == "cloudtrail")
    assert trail.status == "denied" and trail.detail == "cloudtrail:DescribeTrails denied (AccessDeniedException)"
    assert not list(graph.assets(Kind.AUDIT_LOG))
    assert any("cloudtrail" in g.what and "DescribeTrails denied" in g.reason for g in graph.gaps)
    # Without a trail in view, whether reads of the models are audited cannot be decided.
    found = outcomes(graph, "logging.model-store-reads-not-audited")
    assert found[("logging.model-store-reads-not-audited", f"arn:aws:s3:::{MODELS}")] is Status.UNKNOWN


def test_unidentified_account_is_an_input_problem(aws: None, scan: Any) -> None:
    graph, coverage, problems = scan(deny("sts.GetCallerIdentity", code="InvalidClientTokenId"))
    assert len(graph) == 0
    assert [c.status for c in coverage] == ["error"]
    assert problems and "cannot identify the AWS account" in problems[0].message


def test_scan_is_read_only_and_within_the_policy(estate: dict[str, str], scan: Any) -> None:
    boto3.client("sagemaker", region_name=REGION).create_model_package_group(ModelPackageGroupName="registry")
    called: set[tuple[str, str]] = set()

    def record(session: Any) -> None:
        def handler(model: Any, **kwargs: Any) -> None:
            called.add((model.service_model.service_name, model.name))
        session.events.register("before-call.*.*", handler)

    scan(record)
    assert {op for _, op in called} >= {"ListBuckets", "GetBucketPolicy", "ListKeys", "GetKeyRotationStatus",
                                        "DescribeTrails", "GetEventSelectors", "DescribeModel",
                                        "DescribeNotebookInstance", "DescribeFlowLogs", "GetCallerIdentity"}
    allowed = set(least_privilege_policy()["Statement"][0]["Action"])
    for service, op in called:
        assert op.startswith(("Describe", "Get", "List", "Head")), op
        assert OPERATIONS[service][op] in allowed, (service, op)


def test_least_privilege_policy_is_read_only() -> None:
    policy = least_privilege_policy()
    statement = policy["Statement"][0]
    assert policy["Version"] == "2012-10-17" and statement["Resource"] == "*" and statement["Effect"] == "Allow"
    for action in statement["Action"]:
        service, _, name = action.partition(":")
        assert service in {"s3", "kms", "cloudtrail", "sagemaker", "ec2", "sts", "ecr", "guardduty", "bedrock"}
        assert name.startswith(("Describe", "Get", "List")), action
    assert "s3:GetEncryptionConfiguration" in statement["Action"]  # IAM names, not API names
    # The one non-read call is separate: only scans that assume a role make it.
    assert policy["Statement"][1] == {"Sid": "AssumeScanRole", "Effect": "Allow", "Action": ["sts:AssumeRole"],
                                      "Resource": "*"}
    assert len(policy["Statement"]) == 2
    json.dumps(policy)


def test_account_block_public_access_and_public_acl(estate: dict[str, str], scan: Any) -> None:
    ids = estate
    s3 = boto3.client("s3", region_name=REGION)
    s3.put_bucket_acl(Bucket=LOGS, ACL="public-read")
    boto3.client("s3control", region_name=REGION).put_public_access_block(
        AccountId=ACCOUNT, PublicAccessBlockConfiguration=dict.fromkeys(
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True))
    graph, _, _ = scan()
    logs = graph[ids["logs"]]
    assert logs.get("public_access_prevention") is True  # account-level BPA covers every bucket
    assert logs.get("public_grants") == (f"ACL of {LOGS} grants READ to the AllUsers group",)


def test_scan_over_http_against_moto_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS_ENDPOINT_URL is honoured (nothing hard-coded), S3 Control included, over loopback."""
    import socket

    from moto.server import ThreadedMotoServer

    from crownjewel.collect.aws import AwsTarget, collect_aws
    from crownjewel.model.graph import GraphBuilder

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
        boto3.client("s3", region_name=REGION).create_bucket(Bucket="weights-over-http")
        builder = GraphBuilder()
        coverage = collect_aws(AwsTarget(regions=(REGION,)), builder, [])
    finally:
        server.stop()
    assert {c.status for c in coverage} == {"complete"}
    assert builder.freeze()["arn:aws:s3:::weights-over-http"].get("public_access_prevention") is False
