"""The IAM actions each fetch step uses, and the least-privilege read-only policy they add up to.

Every guarded call looks its operation up in its service's OPERATIONS table (an undeclared
operation is a KeyError, caught by the tests), so this policy is exactly what a scan calls.
"""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from crownjewel.collect.aws import cloudtrail, ec2, kms, s3, sagemaker

STS_OPERATIONS: Mapping[str, str] = {"GetCallerIdentity": "sts:GetCallerIdentity"}

# boto3 service name -> API operation -> IAM action
OPERATIONS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "sts": STS_OPERATIONS,
    "ec2": ec2.OPERATIONS,
    "s3": s3.OPERATIONS,
    "s3control": s3.S3CONTROL_OPERATIONS,
    "kms": kms.OPERATIONS,
    "cloudtrail": cloudtrail.OPERATIONS,
    "sagemaker": sagemaker.OPERATIONS,
})

# service -> the IAM actions its fetch step needs
PERMISSIONS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    service: tuple(sorted(set(ops.values()))) for service, ops in OPERATIONS.items()})


def least_privilege_policy() -> dict[str, Any]:
    """An IAM policy document allowing exactly the read-only actions a live AWS scan uses."""
    actions = sorted({action for actions in PERMISSIONS.values() for action in actions})
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "CrownjewelReadOnlyScan",
            "Effect": "Allow",
            "Action": actions,
            "Resource": "*",
        }],
    }
