"""The ECR, GuardDuty and Bedrock normalize steps on replies in AWS's response shape (no moto)."""
from __future__ import annotations

import json

from crownjewel.collect.aws import bedrock, ecr, guardduty
from crownjewel.collect.aws.common import KeyIndex, Scope
from crownjewel.collect.aws.session import Reply
from crownjewel.model.assets import Asset, Kind, frozen_map
from crownjewel.model.graph import GraphBuilder

SCOPE = Scope("111122223333", "eu-west-1")
KEY = "arn:aws:kms:eu-west-1:111122223333:key/c1"
REPO = "arn:aws:ecr:eu-west-1:111122223333:repository/llm"
MODEL = "arn:aws:bedrock:eu-west-1:111122223333:custom-model/amazon.titan/abc"


def builder_with_account() -> GraphBuilder:
    builder = GraphBuilder()
    builder.add(Asset(id=SCOPE.account_id, kind=Kind.ACCOUNT, provider="aws", name=SCOPE.account,
                      native_type="AWS::Account", attrs=frozen_map({"project": SCOPE.account})))
    return builder


def test_ecr_repository_kms_and_malformed_policy() -> None:
    repo = {"repositoryArn": REPO, "repositoryName": "llm", "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
            "encryptionConfiguration": {"encryptionType": "KMS"}}
    raw = ecr.EcrRaw(Reply("DescribeRepositories", [repo]),
                     [ecr.RepoRaw(repo, Reply("GetRepositoryPolicy", {"policyText": "{not json"}))])
    builder = builder_with_account()
    ecr.normalize(raw, SCOPE, KeyIndex(), builder)
    asset = builder.freeze()[REPO]
    assert asset.get("encryption") == "provider-managed"  # KMS without a key: the AWS-managed aws/ecr key
    assert asset.get("tag_immutable") is True
    assert not asset.knows("public_grants") and "not JSON" in str(asset.why_unknown("public_grants"))


def test_ecr_customer_key_and_no_policy() -> None:
    repo = {"repositoryArn": REPO, "repositoryName": "llm", "imageTagMutability": "MUTABLE",
            "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": KEY}}
    raw = ecr.EcrRaw(Reply("DescribeRepositories", [repo]),
                     [ecr.RepoRaw(repo, Reply("GetRepositoryPolicy", status="absent"))])
    builder = builder_with_account()
    ecr.normalize(raw, SCOPE, KeyIndex(managers={KEY: "CUSTOMER"}), builder)  # KMS described it
    asset = builder.freeze()[REPO]
    assert (asset.get("encryption"), asset.get("kms_key"), asset.get("tag_immutable")) == (
        "customer-managed", KEY, False)
    assert asset.get("public_grants") == () and asset.get("authenticated_grants") == ()


def test_guardduty_features_override_legacy_data_sources() -> None:
    on = {"Status": "ENABLED", "Features": [{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}]}
    off = {"Status": "ENABLED", "Features": [{"Name": "S3_DATA_EVENTS", "Status": "DISABLED"}],
           "DataSources": {"S3Logs": {"Status": "ENABLED"}}}
    assert guardduty.s3_protected(on) and not guardduty.s3_protected(off)
    assert not guardduty.s3_protected({**on, "Status": "DISABLED"})
    regions = [
        (Scope(SCOPE.account, "eu-west-1"), guardduty.GuardDutyRaw(Reply("ListDetectors", ["d1"]),
                                                                   {"d1": Reply("GetDetector", on)})),
        (Scope(SCOPE.account, "us-east-1"), guardduty.GuardDutyRaw(Reply("ListDetectors", []))),
        (Scope(SCOPE.account, "ap-south-1"), guardduty.GuardDutyRaw(Reply(
            "ListDetectors", status="denied", error="guardduty:ListDetectors denied (AccessDenied)"))),
    ]
    builder = builder_with_account()
    guardduty.summarize(regions, SCOPE, builder)
    account = builder.freeze()[SCOPE.account_id]
    assert account.get("guardduty_s3_protection") == ("eu-west-1",)
    assert account.get("guardduty_checked_regions") == ("eu-west-1", "us-east-1")  # ap-south-1 unseen


def test_bedrock_custom_model_key_and_logging() -> None:
    detail = Reply("GetCustomModel", {"modelArn": MODEL, "modelName": "tuned", "modelKmsKeyArn": KEY,
                                      "trainingDataConfig": {"s3Uri": "s3://corpus/train.jsonl"}})
    raw = bedrock.BedrockRaw(Reply("ListCustomModels", [{"modelArn": MODEL}]),
                             Reply("GetModelInvocationLoggingConfiguration", {}), [(MODEL, "tuned", detail)])
    builder = builder_with_account()
    bedrock.normalize(raw, SCOPE, KeyIndex(managers={KEY: "CUSTOMER"}), builder)
    bedrock.summarize([(SCOPE, raw)], SCOPE, builder)
    graph = builder.freeze()
    model = graph[MODEL]
    assert (model.kind, model.get("encryption"), model.get("kms_key")) == (Kind.MODEL, "customer-managed", KEY)
    account = graph[SCOPE.account_id]
    assert account.get("bedrock_invocation_logging") == ()  # read, and off
    assert account.get("bedrock_logging_checked_regions") == ("eu-west-1",)
    json.dumps(list(account.attrs))
