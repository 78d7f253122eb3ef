"""IAM grants that reach model artefacts: one ROLE_BINDING per policy statement that allows S3,
SageMaker, KMS or ECR actions (or `*`), GRANTS to the estate's assets its resources cover, and
GRANTED_TO the roles, users and groups the policy is attached to (PRINCIPAL assets).

Binding ids are `<policy holder address>.statement[<n>]` (n counts from 0 in the document),
`<role address>.inline_policy[<name>].statement[<n>]` for inline policies, and the attachment's
address for AWS-managed policies (whose documents are not in the configuration: a table of
the common ones stands in for them).
"""
from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Sequence
from types import MappingProxyType
from typing import Any

from crownjewel.collect.terraform.aws_common import (
    PROVIDER,
    asset_id,
    bucket_arn_matches,
    cached,
    find_bucket,
    grouped,
    text,
)
from crownjewel.collect.terraform.aws_iam_policy import PolicyDoc, Statement, load_policy
from crownjewel.collect.terraform.loader import TfResource
from crownjewel.collect.terraform.normalize import TfContext, blocks, is_ref, normalizes
from crownjewel.model.assets import Asset, EdgeKind, Kind, frozen_map

_SERVICES = ("s3", "s3-object-lambda", "sagemaker", "kms", "ecr")
_TARGET_TYPES = {  # service -> (resource type, name attribute, ARN resource prefix)
    "s3": ("aws_s3_bucket", "bucket", None),
    "kms": ("aws_kms_key", None, "key/"),
    "ecr": ("aws_ecr_repository", "name", "repository/"),
    "sagemaker": ("aws_sagemaker_model_package_group", "model_package_group_name", "model-package"),
}
MANAGED_POLICIES = MappingProxyType({
    "AdministratorAccess": ("*",),
    "PowerUserAccess": ("*",),
    "AmazonS3FullAccess": ("s3:*", "s3-object-lambda:*"),
    "AmazonS3ReadOnlyAccess": ("s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*"),
    "ReadOnlyAccess": ("s3:Get*", "s3:List*", "sagemaker:Describe*", "sagemaker:List*", "ecr:Get*",
                       "ecr:BatchGetImage", "kms:Describe*", "kms:Get*", "kms:List*"),
    "AmazonSageMakerFullAccess": ("sagemaker:*", "s3:GetObject", "s3:PutObject", "ecr:BatchGetImage"),
    "AmazonSageMakerReadOnly": ("sagemaker:Describe*", "sagemaker:List*", "sagemaker:Get*"),
    "AmazonEC2ContainerRegistryFullAccess": ("ecr:*",),
    "AmazonEC2ContainerRegistryPowerUser": ("ecr:Get*", "ecr:BatchGetImage", "ecr:Put*",
                                            "ecr:InitiateLayerUpload", "ecr:UploadLayerPart"),
    "AmazonEC2ContainerRegistryReadOnly": ("ecr:Get*", "ecr:BatchGetImage", "ecr:Describe*", "ecr:List*"),
})
_PRINCIPAL_TYPES = {"aws_iam_role": "role", "aws_iam_user": "user", "aws_iam_group": "group"}


def _relevant(actions: Iterable[str]) -> bool:
    for action in actions:
        service = action.split(":", 1)[0].lower()
        if action.strip() == "*" or service in _SERVICES or (service.endswith("*") and
                                                            any(s.startswith(service[:-1]) for s in _SERVICES)):
            return True
    return False


def _services(actions: Iterable[str], not_action: bool) -> set[str]:
    if not_action:
        return set(_SERVICES)
    found: set[str] = set()
    for action in actions:
        service = action.split(":", 1)[0].lower()
        found.update(s for s in _SERVICES if fnmatch.fnmatchcase(s, service) or action.strip() == "*")
    return found


def _targets(ctx: TfContext, patterns: Iterable[str], services: set[str], everything: bool) -> list[str]:
    """Asset ids of the estate's stores, keys, repositories and registries the patterns cover."""
    found: list[str] = []
    patterns = ["*"] if everything else list(patterns)
    for pattern in patterns:
        if pattern in ctx.by_uid:  # `aws_kms_key.k.arn` and other unknown-before-apply ARNs
            found.append(asset_id(ctx, ctx.by_uid[pattern]))
            continue
        for service in services:
            if service not in _TARGET_TYPES:
                continue
            tf_type, name_key, prefix = _TARGET_TYPES[service]
            bucket_part = pattern[len("arn:aws:s3:::"):].split("/", 1)[0]
            if service == "s3" and pattern.startswith("arn:aws:s3:::") and not any(c in bucket_part for c in "*?["):
                exact = find_bucket(ctx, bucket_part)
                found.extend([asset_id(ctx, exact)] if exact is not None else [])
                continue
            for res in ctx.by_type.get(tf_type, ()):
                name = text(res.values.get(name_key)) if name_key else None
                if pattern == "*" or service == "s3" and name and bucket_arn_matches(pattern, name):
                    found.append(asset_id(ctx, res))
                elif prefix and name and pattern.startswith(f"arn:aws:{service}:"):
                    resource = pattern.split(":", 5)[-1]
                    if resource.startswith(prefix) and fnmatch.fnmatchcase(name, resource.split("/")[1]
                                                                           if "/" in resource else "*"):
                        found.append(asset_id(ctx, res))
    return list(dict.fromkeys(found))


def _member(ctx: TfContext, value: Any, tf_type: str) -> tuple[str, str | None]:
    """(member text, principal asset id) for a role / user / group attribute value."""
    res = ctx.resolve(value, tf_type, name_keys=("name",))
    if res is not None:
        return asset_id(ctx, res), asset_id(ctx, res)
    return ctx.ref_text(value) if is_ref(value) else str(value), None


def _add_binding(ctx: TfContext, holder: TfResource, binding_id: str, actions: tuple[str, ...],
                 not_action: bool, resources: tuple[str, ...], everything: bool,
                 members: Sequence[tuple[str, str | None]], condition: str | None,
                 extra: dict[str, Any] | None = None) -> None:
    targets = _targets(ctx, resources, _services(actions, not_action), everything)
    wildcard = everything or any(r == "*" for r in resources)
    resource = targets[0] if len(targets) == 1 and not wildcard else (
        "*" if wildcard else ", ".join(resources))
    attrs: dict[str, Any] = {
        "role": "*" if not_action else ", ".join(actions),
        "members": tuple(m for m, _ in members),
        "resource": resource,
        "resource_level": "account" if wildcard else "resource",
        "condition": condition,
        **(extra or {}),
    }
    if not_action:
        attrs["not_actions"] = actions
    ctx.builder.add(Asset(id=binding_id, kind=Kind.ROLE_BINDING, provider=PROVIDER,
                          name=binding_id.split(".", 1)[-1], native_type=holder.type,
                          attrs=frozen_map(attrs), source=holder.source))
    for target in targets:
        ctx.builder.link(binding_id, EdgeKind.GRANTS, target)
    for _, principal in members:
        if principal:
            ctx.builder.link(binding_id, EdgeKind.GRANTED_TO, principal)


def _bind_document(ctx: TfContext, holder: TfResource, prefix: str, doc: PolicyDoc,
                   members: Sequence[tuple[str, str | None]], aspect: str) -> None:
    """One binding per relevant Allow statement of an identity policy."""
    if doc.unknown:
        ctx.builder.add(Asset(id=f"{prefix}.policy", kind=Kind.ROLE_BINDING, provider=PROVIDER,
                              name=f"{prefix}.policy", native_type=holder.type,
                              attrs=frozen_map({"members": tuple(m for m, _ in members)}),
                              unknown=frozen_map({"role": doc.unknown, "resource": doc.unknown}),
                              source=holder.source))
        return
    extra = {"tf_policies": ((aspect, doc.json_text),)} if doc.json_text else {}
    for st in doc.statements:
        if not _statement_grants(st):
            continue
        condition = json.dumps({op: {k: list(v)} for op, k, v in st.conditions}) if st.conditions else None
        _add_binding(ctx, holder, f"{prefix}.statement[{st.index}]", st.actions, st.not_action,
                     st.resources, st.not_resource, members, condition,
                     {**extra, "statement_index": st.index})


def _statement_grants(st: Statement) -> bool:
    return st.allows and (st.not_action or _relevant(st.actions))


_ATTACHMENTS = (("aws_iam_role_policy_attachment", "role", "aws_iam_role"),
                ("aws_iam_user_policy_attachment", "user", "aws_iam_user"),
                ("aws_iam_group_policy_attachment", "group", "aws_iam_group"),
                ("aws_iam_policy_attachment", "roles", "aws_iam_role"),
                ("aws_iam_policy_attachment", "users", "aws_iam_user"),
                ("aws_iam_policy_attachment", "groups", "aws_iam_group"))


def _attachments(ctx: TfContext, policy: TfResource) -> list[tuple[str, str | None]]:
    """Members a customer-managed policy is attached to (attachments, `managed_policy_arns`)."""
    def policy_of(att: TfResource) -> TfResource | None:
        return ctx.resolve(att.values.get("policy_arn"), "aws_iam_policy", name_keys=("arn",))

    members: list[tuple[str, str | None]] = []
    for tf_type, key, member_type in _ATTACHMENTS:
        for att in grouped(ctx, tf_type, policy_of).get(id(policy), ()):
            values = att.values.get(key)
            for value in values if isinstance(values, list) else ([values] if values is not None else []):
                members.append(_member(ctx, value, member_type))

    def roles_by_policy() -> dict[str, list[TfResource]]:
        index: dict[str, list[TfResource]] = {}
        for role in ctx.by_type.get("aws_iam_role", ()):
            arns = role.values.get("managed_policy_arns")
            for arn in arns if isinstance(arns, list) else ():
                if isinstance(arn, str):
                    index.setdefault(arn, []).append(role)
        return index

    for role in cached(ctx, "roles_by_managed_policy", roles_by_policy).get(policy.uid or "", ()):
        members.append((asset_id(ctx, role), asset_id(ctx, role)))
    return members


@normalizes("aws_iam_policy")
def iam_policy(res: TfResource, ctx: TfContext) -> None:
    """A customer-managed policy: bindings for its statements, members from its attachments."""
    members = _attachments(ctx, res)
    doc = load_policy(ctx, res, "policy", res.values.get("policy"))
    _bind_document(ctx, res, asset_id(ctx, res), doc, members, "policy")


@normalizes("aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy")
def iam_inline_policy(res: TfResource, ctx: TfContext) -> None:
    """An inline policy resource of a role, user or group."""
    key = {"aws_iam_role_policy": "role", "aws_iam_user_policy": "user", "aws_iam_group_policy": "group"}[res.type]
    member = _member(ctx, res.values.get(key), f"aws_iam_{key}")
    doc = load_policy(ctx, res, "policy", res.values.get("policy"))
    _bind_document(ctx, res, asset_id(ctx, res), doc, [member], "policy")


def _managed_binding(ctx: TfContext, holder: TfResource, binding_id: str, arn: Any,
                     members: Sequence[tuple[str, str | None]]) -> None:
    name = text(arn)
    if not name or not name.startswith("arn:aws:iam::aws:policy/"):
        return  # customer-managed policies are bound by their own normalizer
    actions = MANAGED_POLICIES.get(name.rsplit("/", 1)[-1])
    if actions is None:
        return
    _add_binding(ctx, holder, binding_id, actions, False, ("*",), True, members, None,
                 {"managed_policy": name})


@normalizes("aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment",
            "aws_iam_group_policy_attachment", "aws_iam_policy_attachment")
def iam_attachment(res: TfResource, ctx: TfContext) -> None:
    """Attachments of AWS-managed policies become bindings (custom ones are read by the policy)."""
    members = []
    for key, member_type in (("role", "aws_iam_role"), ("user", "aws_iam_user"), ("group", "aws_iam_group")):
        if res.values.get(key) is not None:
            members.append(_member(ctx, res.values.get(key), member_type))
    for key, member_type in (("roles", "aws_iam_role"), ("users", "aws_iam_user"), ("groups", "aws_iam_group")):
        for value in res.values.get(key) or ():
            members.append(_member(ctx, value, member_type))
    _managed_binding(ctx, res, asset_id(ctx, res), res.values.get("policy_arn"), members)


@normalizes("aws_iam_role", "aws_iam_user", "aws_iam_group")
def iam_principal(res: TfResource, ctx: TfContext) -> None:
    """A role, user or group (PRINCIPAL), with bindings for a role's inline policies."""
    me = asset_id(ctx, res)
    kind = _PRINCIPAL_TYPES[res.type]
    name = text(res.values.get("name"))
    ctx.builder.add(Asset(id=me, kind=Kind.PRINCIPAL, provider=PROVIDER, name=name or me.rsplit(".", 1)[-1],
                          native_type=res.type, attrs=frozen_map({"principal_type": kind}),
                          tags=MappingProxyType({str(k): str(v) for k, v in (res.values.get("tags") or {}).items()}
                                                if isinstance(res.values.get("tags"), dict) else {}),
                          source=res.source))
    if res.type != "aws_iam_role":
        return
    member = [(me, me)]
    for n, block in enumerate(blocks(res.values.get("inline_policy"))):
        label = text(block.get("name")) or str(n)
        doc = load_policy(ctx, res, "inline_policy.policy", block.get("policy"))
        _bind_document(ctx, res, f"{me}.inline_policy[{label}]", doc, member, f"inline_policy[{n}]")
    if res.values.get("policy") is not None:  # not an aws_iam_role argument, but seen in the wild
        doc = load_policy(ctx, res, "policy", res.values.get("policy"))
        _bind_document(ctx, res, f"{me}.policy", doc, member, "policy")
    for n, arn in enumerate(res.values.get("managed_policy_arns") or ()):
        _managed_binding(ctx, res, f"{me}.managed_policy_arns[{n}]", arn, member)
