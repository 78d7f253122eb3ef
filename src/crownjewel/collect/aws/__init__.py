"""Live AWS collection with boto3: S3, KMS, CloudTrail, SageMaker, EC2 networks, ECR, GuardDuty, Bedrock.

Each service has a fetch step (guarded read-only API calls, run concurrently per region in a
bounded thread pool, one boto3 session per task) and a pure normalize step (replies -> assets,
patches and edges on the GraphBuilder, in the calling thread). Nothing heavy is imported here:
boto3 loads when `collect_aws` runs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crownjewel.collect.aws.coverage import Coverage

if TYPE_CHECKING:
    from crownjewel.collect.problems import InputProblem
    from crownjewel.model.graph import GraphBuilder


@dataclass(frozen=True, slots=True)
class AwsTarget:
    """What to scan: a profile (None: the default credential chain) and regions (None: all enabled).

    With `role_arn`, the scan reads with the credentials of sts:AssumeRole (with `external_id`
    when set, session name `session_name`) made once from the profile / default chain.
    """

    profile: str | None = None
    regions: tuple[str, ...] | None = None
    role_arn: str | None = None
    external_id: str | None = None
    session_name: str = "crownjewel"


def collect_aws(target: AwsTarget, builder: GraphBuilder, problems: list[InputProblem]) -> list[Coverage]:
    """Scan one AWS account into `builder`; never raises for API failures.

    What could not be read is in the assets' `unknown` (with the API call and error code), in
    `builder` gaps (a whole service unreadable) and in the returned Coverage records; a scan that
    cannot even identify the account adds an error to `problems`.
    """
    from crownjewel.collect.aws.scan import run

    return run(target, builder, problems)


def least_privilege_policy() -> dict[str, Any]:
    """The read-only IAM policy a live AWS scan needs (every action the collector calls)."""
    from crownjewel.collect.aws.permissions import least_privilege_policy as policy

    return policy()


__all__ = ["AwsTarget", "Coverage", "collect_aws", "least_privilege_policy"]
