"""A seeded AI estate in moto (in-process `mock_aws`) and helpers to scan it."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from crownjewel.collect.aws import AwsTarget, Coverage, collect_aws
from crownjewel.collect.aws import session as sessions
from crownjewel.collect.problems import InputProblem
from crownjewel.model.graph import EstateGraph, GraphBuilder

REGION = "us-east-1"
ACCOUNT = "123456789012"
MODELS = "acme-prod-7"  # a name that says nothing: classification must come from the objects
LOGS = "acme-trail-logs"
PUBLIC_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Share", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                   "Resource": f"arn:aws:s3:::{MODELS}/*"}],
}


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                       ("AWS_SESSION_TOKEN", "testing"), ("AWS_DEFAULT_REGION", REGION)):
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def seed() -> dict[str, str]:
    """The AI estate: returns the ids the tests look for."""
    kms = boto3.client("kms", region_name=REGION)
    key = kms.create_key(Description="model weights key")["KeyMetadata"]
    kms.create_alias(AliasName="alias/models", TargetKeyId=key["KeyId"])

    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=MODELS)
    s3.put_bucket_encryption(Bucket=MODELS, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}}]})
    s3.put_bucket_policy(Bucket=MODELS, Policy=json.dumps(PUBLIC_POLICY))
    s3.put_object(Bucket=MODELS, Key="llama/model-00001.safetensors", Body=b"x" * 100)
    s3.put_object(Bucket=MODELS, Key="llama/config.json", Body=b"{}")
    s3.create_bucket(Bucket=LOGS)

    ct = boto3.client("cloudtrail", region_name=REGION)
    trail = ct.create_trail(Name="main", S3BucketName=LOGS)
    ct.start_logging(Name="main")

    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]
    subnet = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.8.1.0/24")["Subnet"]

    sm = boto3.client("sagemaker", region_name=REGION)
    role = f"arn:aws:iam::{ACCOUNT}:role/sagemaker"
    model = sm.create_model(ModelName="fraud", ExecutionRoleArn=role, PrimaryContainer={
        "Image": "111.dkr.ecr.us-east-1.amazonaws.com/x:1", "ModelDataUrl": f"s3://{MODELS}/llama/model.tar.gz"})
    notebook = sm.create_notebook_instance(NotebookInstanceName="research", InstanceType="ml.t3.medium",
                                           RoleArn=role, DirectInternetAccess="Enabled")
    return {"key": key["Arn"], "bucket": f"arn:aws:s3:::{MODELS}", "logs": f"arn:aws:s3:::{LOGS}",
            "trail": trail["TrailARN"], "model": model["ModelArn"], "notebook": notebook["NotebookInstanceArn"],
            "vpc": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{vpc['VpcId']}",
            "subnet": f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/{subnet['SubnetId']}"}


Scan = Callable[..., tuple[EstateGraph, list[Coverage], list[InputProblem]]]


@pytest.fixture
def estate(aws: None) -> dict[str, str]:
    """The seeded estate's asset ids (inside mock_aws)."""
    return seed()


@pytest.fixture
def scan(monkeypatch: pytest.MonkeyPatch) -> Scan:
    """`scan(hook=None)`: collect the mocked account; `hook` sees every boto3 session made."""
    def run(hook: Callable[[Any], None] | None = None) -> tuple[EstateGraph, list[Coverage], list[InputProblem]]:
        return _scan(monkeypatch, hook)
    return run


def _scan(monkeypatch: pytest.MonkeyPatch,
          hook: Callable[[Any], None] | None = None) -> tuple[EstateGraph, list[Coverage], list[InputProblem]]:
    if hook is not None:
        original = sessions.make_session

        def make(profile: str | None, credentials: Any = None) -> Any:
            made = original(profile, credentials)
            hook(made)
            return made

        monkeypatch.setattr(sessions, "make_session", make)
    builder = GraphBuilder()
    problems: list[InputProblem] = []
    coverage = collect_aws(AwsTarget(regions=(REGION,)), builder, problems)
    return builder.freeze(), coverage, problems
