"""The IAM actions each fetch step uses, and the least-privilege policy they add up to.

Every guarded call looks its operation up in its service's OPERATIONS table (an undeclared
operation is a KeyError, caught by the tests), so this policy is exactly what a scan calls.
Everything is a read except `sts:AssumeRole`, which a scan makes only when a target names a role
to assume; it is a separate statement (Sid "AssumeScanRole"), needed by the identity that starts
the scan, while the read-only statement is needed by the role the scan reads with.
"""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from crownjewel.collect.aws import s3
from crownjewel.collect.aws.registry import REGIONAL

STS_OPERATIONS: Mapping[str, str] = {"GetCallerIdentity": "sts:GetCallerIdentity", "AssumeRole": "sts:AssumeRole"}
NON_READ_ACTIONS = frozenset({"sts:AssumeRole"})

# boto3 service name -> API operation -> IAM action
OPERATIONS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "sts": STS_OPERATIONS,
    "s3": s3.OPERATIONS,
    "s3control": s3.S3CONTROL_OPERATIONS,
    **{service.name: service.operations for service in REGIONAL},
})

# service -> the IAM actions its fetch step needs
PERMISSIONS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    service: tuple(sorted(set(ops.values()))) for service, ops in OPERATIONS.items()})


def least_privilege_policy() -> dict[str, Any]:
    """An IAM policy document with the read-only actions a live AWS scan uses (first statement)
    and, separately, the one non-read call: sts:AssumeRole into the scan role (Sid AssumeScanRole;
    narrow its Resource to your scan roles' ARNs)."""
    every = {action for actions in PERMISSIONS.values() for action in actions}
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "CrownjewelReadOnlyScan",
            "Effect": "Allow",
            "Action": sorted(every - NON_READ_ACTIONS),
            "Resource": "*",
        }, {
            "Sid": "AssumeScanRole",
            "Effect": "Allow",
            "Action": sorted(every & NON_READ_ACTIONS),
            "Resource": "*",
        }],
    }
