"""Multi-account scans through sts:AssumeRole, and the ECR, GuardDuty and Bedrock collectors, on moto."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from crownjewel.collect.aws import AwsTarget, Coverage, collect_aws, least_privilege_policy
from crownjewel.collect.aws import session as sessions
from crownjewel.collect.aws.permissions import OPERATIONS
from crownjewel.collect.problems import InputProblem
from crownjewel.model.assets import EdgeKind, Kind
from crownjewel.model.graph import EstateGraph, GraphBuilder
from crownjewel.model.schema import SCHEMA

REGION = "us-east-1"
ACCOUNT = "123456789012"
SECOND = "222222222222"
ROLE = f"arn:aws:iam::{SECOND}:role/scan"
PUBLIC_PULL = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Pull", "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}]}


def scan_targets(monkeypatch: pytest.MonkeyPatch, *targets: AwsTarget,
                 hook: Callable[[Any], None] | None = None
                 ) -> tuple[EstateGraph, list[Coverage], list[InputProblem]]:
    if hook is not None:
        original = sessions.make_session

        def make(profile: str | None, credentials: Any = None) -> Any:
            made = original(profile, credentials)
            hook(made)
            return made

        monkeypatch.setattr(sessions, "make_session", make)
    builder = GraphBuilder()
    problems: list[InputProblem] = []
    coverage = [c for target in targets for c in collect_aws(target, builder, problems)]
    return builder.freeze(), coverage, problems


def deny(operation: str, code: str = "AccessDenied") -> Callable[[Any], None]:
    def hook(session: Any) -> None:
        def handler(**_: Any) -> None:
            raise ClientError({"Error": {"Code": code, "Message": "simulated"}}, operation.split(".")[-1])
        session.events.register(f"before-call.{operation}", handler)
    return hook


def second_account() -> boto3.session.Session:
    creds = boto3.client("sts", region_name=REGION).assume_role(
        RoleArn=ROLE, RoleSessionName="seed")["Credentials"]
    return boto3.session.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                                 aws_session_token=creds["SessionToken"], region_name=REGION)


def test_two_accounts_through_assume_role(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="first-weights")
    other = second_account()
    other.client("s3").create_bucket(Bucket="second-weights")
    assert other.client("sts").get_caller_identity()["Account"] == SECOND
    called: list[tuple[str, dict[str, Any]]] = []

    def record(session: Any) -> None:
        def handler(model: Any, params: Any, **_: Any) -> None:
            called.append((f"{model.service_model.service_name}.{model.name}", dict(params)))
        session.events.register("before-call.*.*", handler)

    graph, coverage, problems = scan_targets(
        monkeypatch, AwsTarget(regions=(REGION,)),
        AwsTarget(regions=(REGION,), role_arn=ROLE, external_id="xyz", session_name="audit"), hook=record)
    assert problems == []
    assert graph["arn:aws:s3:::first-weights"].account == ACCOUNT
    assert graph["arn:aws:s3:::second-weights"].account == SECOND
    assert {a.id for a in graph.assets(Kind.ACCOUNT)} == {f"aws-account:{ACCOUNT}", f"aws-account:{SECOND}"}
    assert ("arn:aws:s3:::second-weights", EdgeKind.IN_ACCOUNT, f"aws-account:{SECOND}") in {
        (e.src, e.kind, e.dst) for e in graph.edges}
    assert {c.account for c in coverage} == {ACCOUNT, SECOND}
    assumed = [{k: v for k, v in params["body"].items() if k in ("RoleArn", "RoleSessionName", "ExternalId")}
               for op, params in called if op == "sts.AssumeRole"]
    assert assumed == [{"RoleArn": ROLE, "RoleSessionName": "audit", "ExternalId": "xyz"}]  # once per scan
    for op, _ in called:
        service, _, name = op.partition(".")
        assert name.startswith(("Describe", "Get", "List", "Head")) or op == "sts.AssumeRole", op
        assert name in OPERATIONS[service], op


def test_role_that_cannot_be_assumed_is_an_error_and_others_still_scanned(
        aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="first-weights")
    graph, coverage, problems = scan_targets(
        monkeypatch, AwsTarget(regions=(REGION,), role_arn=ROLE), AwsTarget(regions=(REGION,)),
        AwsTarget(regions=(REGION,), role_arn="scan-role"), hook=deny("sts.AssumeRole"))
    assert [p.level for p in problems] == ["error", "error"]
    assert ROLE in problems[0].message and "sts:AssumeRole denied (AccessDenied)" in problems[0].message
    assert "'scan-role'" in problems[1].message and "ValidationError" in problems[1].message
    assert graph["arn:aws:s3:::first-weights"].account == ACCOUNT
    assert not [a for a in graph.assets() if a.account == SECOND]
    sts = [c for c in coverage if c.service == "sts"]
    assert (sts[0].account, sts[0].status) == (SECOND, "denied") and ROLE in sts[0].detail
    assert any(c.account == ACCOUNT and c.service == "s3" and c.status == "complete" for c in coverage)


def test_ecr_guardduty_and_bedrock(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]
    ecr = boto3.client("ecr", region_name=REGION)
    locked = ecr.create_repository(repositoryName="serving", imageTagMutability="IMMUTABLE",
                                   encryptionConfiguration={"encryptionType": "KMS", "kmsKey": key})["repository"]
    open_repo = ecr.create_repository(repositoryName="public-ish")["repository"]
    ecr.set_repository_policy(repositoryName="public-ish", policyText=json.dumps(PUBLIC_PULL))
    boto3.client("guardduty", region_name=REGION).create_detector(
        Enable=True, DataSources={"S3Logs": {"Enable": True}})
    bedrock = boto3.client("bedrock", region_name=REGION)
    bedrock.create_model_customization_job(
        jobName="tune", customModelName="tuned", roleArn=f"arn:aws:iam::{ACCOUNT}:role/bedrock",
        baseModelIdentifier="amazon.titan-text-express-v1", trainingDataConfig={"s3Uri": "s3://train-data/x.jsonl"},
        outputDataConfig={"s3Uri": "s3://train-out/"}, hyperParameters={}, customModelKmsKeyId=key)
    bedrock.put_model_invocation_logging_configuration(loggingConfig={
        "s3Config": {"bucketName": "invocations"}, "textDataDeliveryEnabled": True})

    graph, coverage, problems = scan_targets(monkeypatch, AwsTarget(regions=(REGION,)))
    assert problems == []
    assert {c.service: c.status for c in coverage if c.service in ("ecr", "guardduty", "bedrock")} == dict.fromkeys(
        ("ecr", "guardduty", "bedrock"), "complete")
    serving = graph[locked["repositoryArn"]]
    assert (serving.kind, serving.native_type) == (Kind.CONTAINER_REGISTRY, "AWS::ECR::Repository")
    assert serving.get("encryption") == "customer-managed" and serving.get("kms_key") == key
    assert serving.get("tag_immutable") is True and serving.get("public_grants") == ()
    pub = graph[open_repo["repositoryArn"]]
    assert pub.get("encryption") == "provider-managed" and pub.get("tag_immutable") is False
    assert pub.get("public_grants") == (
        "repository policy of public-ish statement 'Pull' allows ecr:BatchGetImage to Principal \"*\"",)
    account = graph[f"aws-account:{ACCOUNT}"]
    assert account.get("guardduty_s3_protection") == (REGION,)
    assert account.get("guardduty_checked_regions") == (REGION,)
    assert account.get("bedrock_invocation_logging") == (REGION,)
    models = [a for a in graph.assets(Kind.MODEL) if a.native_type == "AWS::Bedrock::CustomModel"]
    # moto invents modelKmsKeyArn (`key/<model>-kms-key`) instead of echoing the job's key: see
    # test_normalize_aws_services.py for AWS's own response shape.
    # That invented key does not exist in the account's KMS: whether it is AWS- or customer-managed
    # cannot be known, so encryption is UNKNOWN with the reason (never assumed customer-managed).
    assert [m.name for m in models] == ["tuned"] and not models[0].knows("encryption")
    assert "not seen by the scan" in models[0].why_unknown("encryption")
    assert str(models[0].get("kms_key")).startswith(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/")
    assert (models[0].id, EdgeKind.READS_DATA_FROM, "arn:aws:s3:::train-data") in {
        (e.src, e.kind, e.dst) for e in graph.edges}
    undocumented = {(a.kind.value, k) for a in graph.assets() for k in list(a.attrs) + list(a.unknown)
                    if k not in SCHEMA.get(a.kind, {})}
    assert not undocumented


def test_denied_new_services_are_unknown_not_off(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    ecr = boto3.client("ecr", region_name=REGION)
    repo = ecr.create_repository(repositoryName="serving")["repository"]
    hooks = [deny("ecr.GetRepositoryPolicy"), deny("guardduty.ListDetectors", "AccessDeniedException"),
             deny("bedrock.GetModelInvocationLoggingConfiguration", "AccessDeniedException")]

    def hook(session: Any) -> None:
        for each in hooks:
            each(session)

    graph, coverage, _ = scan_targets(monkeypatch, AwsTarget(regions=(REGION,)), hook=hook)
    assert graph[repo["repositoryArn"]].why_unknown("public_grants") == "ecr:GetRepositoryPolicy denied (AccessDenied)"
    account = graph[f"aws-account:{ACCOUNT}"]
    assert not account.knows("guardduty_s3_protection")
    assert "guardduty:ListDetectors denied" in str(account.why_unknown("guardduty_s3_protection"))
    assert not account.knows("bedrock_invocation_logging")
    status = {c.service: c.status for c in coverage}
    assert (status["ecr"], status["guardduty"], status["bedrock"]) == ("partial", "denied", "partial")
    assert any("guardduty" in g.what for g in graph.gaps)


def test_policy_separates_the_assume_role_statement() -> None:
    policy = least_privilege_policy()
    read, assume = policy["Statement"]
    assert "sts:AssumeRole" not in read["Action"] and assume["Sid"] == "AssumeScanRole"
    assert {"ecr:DescribeRepositories", "guardduty:GetDetector", "bedrock:GetCustomModel",
            "bedrock:GetModelInvocationLoggingConfiguration"} <= set(read["Action"])
