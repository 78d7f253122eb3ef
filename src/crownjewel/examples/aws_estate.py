"""A small AI estate in one AWS account, for the demo (moto, in process) and the end-to-end tests
(moto_server on loopback). Everything here is a write: it only ever runs against an emulator."""
from __future__ import annotations

import json
from typing import Any

REGION = "us-east-1"
WEIGHTS_BUCKET = "acme-llm-weights"
TRAINING_BUCKET = "acme-training-corpus"
TRAIL_BUCKET = "acme-cloudtrail-logs"


def seed(session: Any) -> dict[str, str]:
    """Create the estate with `session` (a boto3 Session pointed at an emulator); returns names."""
    s3 = session.client("s3", region_name=REGION)
    kms = session.client("kms", region_name=REGION)
    iam = session.client("iam", region_name=REGION)
    sagemaker = session.client("sagemaker", region_name=REGION)
    cloudtrail = session.client("cloudtrail", region_name=REGION)
    ec2 = session.client("ec2", region_name=REGION)

    for bucket in (WEIGHTS_BUCKET, TRAINING_BUCKET, TRAIL_BUCKET):
        s3.create_bucket(Bucket=bucket)
    # The weights: public for "convenience", default encryption only.
    for key, size in (("llama-3-8b-ft/model-00001-of-00002.safetensors", 4096),
                      ("llama-3-8b-ft/model-00002-of-00002.safetensors", 2048),
                      ("llama-3-8b-ft/config.json", 64)):
        s3.put_object(Bucket=WEIGHTS_BUCKET, Key=key, Body=b"\0" * size)
    s3.put_bucket_policy(Bucket=WEIGHTS_BUCKET, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": f"arn:aws:s3:::{WEIGHTS_BUCKET}/*"}],
    }))
    # The training data: a customer-managed key, but one that never rotates.
    key_id = kms.create_key(Description="training data", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    s3.put_bucket_encryption(Bucket=TRAINING_BUCKET, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_id}}]})
    s3.put_bucket_versioning(Bucket=TRAINING_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=TRAINING_BUCKET, Key="corpus/part-0000.parquet", Body=b"PAR1")

    role = iam.create_role(RoleName="sagemaker-exec", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "sagemaker.amazonaws.com"}}]}))["Role"]["Arn"]
    sagemaker.create_model(
        ModelName="llama-3-8b-ft", ExecutionRoleArn=role,
        PrimaryContainer={"Image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.1",
                          "ModelDataUrl": f"s3://{WEIGHTS_BUCKET}/llama-3-8b-ft/model.tar.gz"})
    sagemaker.create_notebook_instance(NotebookInstanceName="research", InstanceType="ml.t3.medium",
                                       RoleArn=role, DirectInternetAccess="Enabled")
    # A trail that logs management events only, and a VPC without flow logs.
    cloudtrail.create_trail(Name="main", S3BucketName=TRAIL_BUCKET)
    cloudtrail.start_logging(Name="main")
    ec2.create_vpc(CidrBlock="10.20.0.0/16")
    return {"weights_bucket": WEIGHTS_BUCKET, "training_bucket": TRAINING_BUCKET, "key_id": key_id, "role": role}
