"""ECR: repositories, their encryption, tag mutability and repository policy grants.

Mirrors `collect/terraform/aws.py` (`aws_ecr_repository`): AES256 is provider-managed, KMS without a
key is the AWS-managed `aws/ecr` key (provider-managed), a customer key is customer-managed; a
repository without a policy has no grants (RepositoryPolicyNotFoundException is an answer).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crownjewel.collect.aws.common import KeyIndex, Scope, add_asset, apply_key, unknown_all
from crownjewel.collect.aws.session import Calls, Recorder, Reply, client
from crownjewel.collect.terraform.aws_iam_policy import parse_document, public_statements
from crownjewel.model.assets import Kind
from crownjewel.model.graph import GraphBuilder

OPERATIONS: Mapping[str, str] = {
    "DescribeRepositories": "ecr:DescribeRepositories",
    "GetRepositoryPolicy": "ecr:GetRepositoryPolicy",
}
_GRANTS = ("public_grants", "authenticated_grants")


@dataclass(slots=True)
class RepoRaw:
    """One repository from the listing and its policy reply."""

    repo: Mapping[str, Any]
    policy: Reply


@dataclass(slots=True)
class EcrRaw:
    """Everything ECR answered in one region."""

    listing: Reply
    repos: list[RepoRaw] = field(default_factory=list)


def fetch(session: Any, scope: Scope, recorder: Recorder) -> EcrRaw:
    """Repositories of one region and each one's repository policy."""
    calls = Calls(client(session, "ecr", scope.region), OPERATIONS, recorder)
    listing = calls.pages("DescribeRepositories", "repositories")
    raw = EcrRaw(listing)
    if not listing.ok:
        recorder.listing_failed(listing)
        return raw
    for repo in listing.value:
        if not isinstance(repo, Mapping) or not repo.get("repositoryName") or not repo.get("repositoryArn"):
            continue
        policy = calls.call("GetRepositoryPolicy", absent=("RepositoryPolicyNotFoundException",),
                            repositoryName=repo["repositoryName"])
        raw.repos.append(RepoRaw(repo, policy))
    return raw


def _grants(item: RepoRaw, name: str, attrs: dict[str, Any], unknown: dict[str, str]) -> None:
    reply = item.policy
    if reply.absent:
        attrs["public_grants"] = attrs["authenticated_grants"] = ()
        return
    if not reply.ok:
        unknown_all(unknown, _GRANTS, reply)
        return
    try:
        doc = parse_document(json.loads(str(reply.get("policyText") or "")))
    except ValueError:
        doc = None
    if doc is None or doc.unknown:
        reason = (doc.unknown if doc is not None and doc.unknown
                  else f"ecr:GetRepositoryPolicy returned a policy that is not JSON for {name}")
        for key in _GRANTS:
            unknown[key] = reason
        return
    attrs["public_grants"] = tuple(ev for _, ev in public_statements(doc, f"repository policy of {name}"))
    attrs["authenticated_grants"] = ()


def normalize(raw: EcrRaw, scope: Scope, keys: KeyIndex, builder: GraphBuilder) -> None:
    """Add one CONTAINER_REGISTRY per repository (id: repository ARN)."""
    for item in raw.repos:
        repo = item.repo
        arn, name = str(repo["repositoryArn"]), str(repo["repositoryName"])
        attrs: dict[str, Any] = {}
        unknown: dict[str, str] = {}
        config = repo.get("encryptionConfiguration") or {}
        kind = config.get("encryptionType") or "AES256"
        if kind in ("KMS", "KMS_DSSE"):
            apply_key(config.get("kmsKey"), scope, keys, arn, attrs, builder, unknown)
        else:
            attrs["encryption"] = "provider-managed"
        mutability = repo.get("imageTagMutability")
        if isinstance(mutability, str):
            attrs["tag_immutable"] = mutability.startswith("IMMUTABLE")
        else:
            unknown["tag_immutable"] = f"ecr:DescribeRepositories did not report the tag mutability of {name}"
        _grants(item, name, attrs, unknown)
        add_asset(builder, scope, arn, Kind.CONTAINER_REGISTRY, name, "AWS::ECR::Repository", attrs, unknown)
