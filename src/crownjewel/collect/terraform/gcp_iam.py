"""Google Cloud IAM grants and audit configurations from Terraform.

Every `*_iam_member`, `*_iam_binding` and `*_iam_policy` becomes ROLE_BINDING assets (one per
binding of a policy) linked GRANTS to what they grant on. Grants to allUsers and
allAuthenticatedUsers also patch evidence strings onto the target's `public_grants` /
`authenticated_grants`. IAM conditions cannot restrict allUsers/allAuthenticatedUsers in Google
Cloud (the API rejects such bindings), so those grants count whatever their condition says.
A grant on a key ring applies to every key in the ring.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from crownjewel.collect.problems import WARNING, InputProblem
from crownjewel.collect.terraform.gcp_common import (
    GRANT_KEYS,
    add,
    iter_grants,
    literal,
    managed_only,
    member_kind,
    member_text,
    project_account,
    resolve_key,
    resolve_ring,
)
from crownjewel.collect.terraform.loader import TfResource
from crownjewel.collect.terraform.normalize import TfContext, blocks, is_ref, normalizes
from crownjewel.model.assets import EdgeKind, Kind

_IAM_SUFFIXES = ("_iam_member", "_iam_binding", "_iam_policy")


@dataclass(frozen=True, slots=True)
class Target:
    """What an IAM resource grants on: the asset linked GRANTS, the assets that get evidence."""

    resource: str  # asset id, or the native name / reference text when not in the estate
    level: str  # project | resource
    edges: tuple[str, ...]  # asset ids linked GRANTS
    holders: tuple[str, ...]  # asset ids that get public / authenticated grant evidence
    project: Any = None


def _bucket_target(ctx: TfContext, res: TfResource) -> Target:
    value = res.values.get("bucket")
    found = find_bucket(ctx, value)
    if found is None:
        if value is None or (not isinstance(value, str) and not is_ref(value)):
            return Target(_native(ctx, value), "resource", (), ())
        found = ctx.external(_native(ctx, value), Kind.OBJECT_STORE, "google_storage_bucket", res)
    return Target(found, "resource", (found,), (found,))


def find_bucket(ctx: TfContext, value: Any) -> str | None:
    """The asset id of a GCS bucket (or Container Registry bucket) named or referenced."""
    if isinstance(value, str) and value.startswith("b/"):
        value = value[2:]
    if isinstance(value, str) and value.startswith("gs://"):
        value = value[5:].split("/", 1)[0]
    found = ctx.resolve(value, "google_storage_bucket", "google_container_registry", name_keys=("name",))
    if found is not None:
        return found.address
    if isinstance(value, str):
        for gcr in ctx.by_type.get("google_container_registry", ()):
            if gcr_bucket_name(gcr) == value:
                return gcr.address
    return None


def gcr_bucket_name(res: TfResource) -> str | None:
    """The bucket Container Registry creates: [eu.|us.|asia.]artifacts.<project>.appspot.com."""
    project = literal(res.values.get("project"))
    if project is None:
        return None
    location = literal(res.values.get("location"))
    prefix = f"{location.lower()}." if location else ""
    return f"{prefix}artifacts.{project}.appspot.com"


def _key_target(ctx: TfContext, res: TfResource) -> Target:
    value = res.values.get("crypto_key_id")
    key = resolve_key(ctx, value)
    if key is None:
        if value is None or (not isinstance(value, str) and not is_ref(value)):
            return Target(_native(ctx, value), "resource", (), ())
        # Cloud KMS keys are customer-managed by definition.
        stub = ctx.external(_native(ctx, value), Kind.CRYPTO_KEY, "google_kms_crypto_key", res,
                            {"managed_by": "customer"})
        return Target(stub, "resource", (stub,), (stub,))
    return Target(key.address, "resource", (key.address,), (key.address,))


def keys_in_ring(ctx: TfContext, ring: TfResource) -> tuple[str, ...]:
    """Addresses of the declared keys of a key ring."""
    return tuple(k.address for k in ctx.by_type.get("google_kms_crypto_key", ())
                 if resolve_ring(ctx, k.values.get("key_ring")) is ring)


def _ring_target(ctx: TfContext, res: TfResource) -> Target:
    value = res.values.get("key_ring_id")
    ring = resolve_ring(ctx, value)
    if ring is None:
        return Target(_native(ctx, value), "resource", (), ())
    keys = keys_in_ring(ctx, ring)
    return Target(ring.address, "resource", (ring.address, *keys), keys)


def _repo_target(ctx: TfContext, res: TfResource) -> Target:
    value = res.values.get("repository")
    if isinstance(value, str) and "/repositories/" in value:
        value = value.rsplit("/", 1)[-1]
    found = ctx.resolve(value, "google_artifact_registry_repository",
                        name_keys=("repository_id", "name"))
    if found is None:
        return Target(_native(ctx, value), "resource", (), ())
    return Target(found.address, "resource", (found.address,), (found.address,))


def _project_target(ctx: TfContext, res: TfResource) -> Target:
    value = res.values.get("project")
    account, _ = project_account(ctx, value)
    if account is None:
        return Target(_native(ctx, value), "project", (), (), value)
    return Target(account, "project", (account,), (), value)


def _native(ctx: TfContext, value: Any) -> str:
    return ctx.ref_text(value) if value is not None else "(provider default)"


def _named_target(attr: str, tf_type: str, *name_keys: str) -> Callable[[TfContext, TfResource], Target]:
    """Target resolution for IAM resources naming their resource by one attribute."""

    def target(ctx: TfContext, res: TfResource) -> Target:
        value = res.values.get(attr)
        if isinstance(value, str) and "/" in value:
            value = value.rstrip("/").rsplit("/", 1)[-1]
        found = ctx.resolve(value, tf_type, name_keys=name_keys)
        if found is None:
            return Target(_native(ctx, value), "resource", (), ())
        return Target(found.address, "resource", (found.address,), (found.address,))

    return target


_TARGETS: dict[str, Callable[[TfContext, TfResource], Target]] = {
    "google_storage_bucket": _bucket_target,
    "google_kms_crypto_key": _key_target,
    "google_kms_key_ring": _ring_target,
    "google_artifact_registry_repository": _repo_target,
    "google_project": _project_target,
    "google_vertex_ai_endpoint": _named_target("endpoint", "google_vertex_ai_endpoint", "name"),
    "google_vertex_ai_featurestore": _named_target("featurestore", "google_vertex_ai_featurestore", "name"),
    "google_notebooks_instance": _named_target("instance_name", "google_notebooks_instance", "name"),
    "google_workbench_instance": _named_target("name", "google_workbench_instance", "name"),
}
IAM_TYPES = tuple(f"{family}{suffix}" for family in _TARGETS for suffix in _IAM_SUFFIXES)


def _family(tf_type: str) -> str:
    for suffix in _IAM_SUFFIXES:
        if tf_type.endswith(suffix):
            return tf_type[: -len(suffix)]
    raise ValueError(tf_type)


# Per-scan index of targets whose grants cannot be read: {asset id: reason}. Keyed by the id of the
# TfContext (which cannot be weakly referenced); the context is kept to detect id reuse.
_UNREADABLE: dict[int, tuple[TfContext, dict[str, str]]] = {}


def unreadable_grants(ctx: TfContext, asset_id: str) -> str | None:
    """Why the grants on `asset_id` cannot be fully read (a variable member, an unreadable
    policy), or None. Targets use it to leave public/authenticated grants unknown."""
    entry = _UNREADABLE.get(id(ctx))
    if entry is None or entry[0] is not ctx:
        index: dict[str, str] = {}
        for tf_type in IAM_TYPES:
            family = _family(tf_type)
            if family == "google_project":
                continue
            for res in ctx.by_type.get(tf_type, ()):
                reason = _unreadable_reason(ctx, res)
                if reason:
                    for holder in _TARGETS[family](ctx, res).holders:
                        index.setdefault(holder, reason)
        if len(_UNREADABLE) > 8:
            _UNREADABLE.clear()
        entry = _UNREADABLE[id(ctx)] = (ctx, index)
    return entry[1].get(asset_id)


def _unreadable_reason(ctx: TfContext, res: TfResource) -> str | None:
    where = f"{res.source.file}:{res.source.line}" if res.source else res.address
    for grant in iter_grants(ctx, res):
        if grant.role == "(unreadable)":
            return f"the policy of {res.address} cannot be read before apply ({where})"
        if grant.members is None or any(member_kind(m) == "unresolved" for m in grant.members):
            return f"members of {res.address} ({grant.role}) are unknown before apply ({where})"
    return None


def grant_defaults(ctx: TfContext, address: str, attrs: dict[str, Any], unknown: dict[str, str]) -> None:
    """No public grants unless an IAM resource or ACL adds some; unknown when a grant on the
    asset cannot be read before apply."""
    reason = unreadable_grants(ctx, address)
    for key in GRANT_KEYS:
        if reason:
            unknown[key] = reason
        else:
            attrs[key] = ()


@normalizes(*IAM_TYPES)
@managed_only
def iam_grant(res: TfResource, ctx: TfContext) -> None:
    """One IAM member / binding / policy: ROLE_BINDING assets, GRANTS edges, public evidence."""
    target = _TARGETS[_family(res.type)](ctx, res)
    grants = list(iter_grants(ctx, res))
    is_policy = res.type.endswith("_iam_policy")
    if is_policy and grants and grants[0].role == "(unreadable)" and \
            isinstance(res.values.get("policy_data"), str):
        where = res.source.file if res.source else res.address
        ctx.problems.append(InputProblem(where, f"{res.address}: policy_data is not a JSON IAM policy",
                                         res.source.line if res.source else None, WARNING))
    seen: set[str] = set()
    for index, grant in enumerate(grants):
        role, members = grant.role, grant.members
        binding_res = res
        if is_policy:
            # One ROLE_BINDING per binding of the policy: `<policy address>#<role>`.
            suffix = f"#{role}" if role not in seen else f"#{role}#{index}"
            seen.add(role)
            binding_res = replace(res, address=res.address + suffix)
        attrs: dict[str, Any] = {"resource": target.resource, "resource_level": target.level,
                                 "condition": grant.condition}
        if grant.source is not None:
            attrs["tf_sources"] = (("binding", grant.source),)
        unknown: dict[str, str] = {}
        if role.startswith("(") and not is_ref(grant.raw_role):
            unknown["role"] = _unreadable_reason(ctx, res) or f"role of {res.address} is unknown"
        elif is_ref(grant.raw_role):
            unknown["role"] = ctx.unresolved(res, "role", grant.raw_role)
        else:
            attrs["role"] = role
        if members is None:
            unknown["members"] = _unreadable_reason(ctx, res) or f"members of {res.address} are unknown"
        else:
            attrs["members"] = tuple(member_text(m) for m in members)
        binding = add(ctx, binding_res, Kind.ROLE_BINDING, name=binding_res.address.split(res.type + ".", 1)[-1],
                      attrs=attrs, unknown=unknown, project=target.project, link_account=target.project is not None)
        for dst in target.edges:
            ctx.builder.link(binding.id, EdgeKind.GRANTS, dst)
        public = [m for m in members or () if member_kind(m) == "public"]
        authenticated = [m for m in members or () if member_kind(m) == "authenticated"]
        for holder in target.holders:
            if public:
                ctx.builder.patch(holder, {"public_grants": (
                    f"{binding.id} grants {role} to {', '.join(public)}",)})
            if authenticated:
                ctx.builder.patch(holder, {"authenticated_grants": (
                    f"{binding.id} grants {role} to {', '.join(authenticated)}",)})


# ---------------------------------------------------------------------------- audit configs


@normalizes("google_project_iam_audit_config", "google_folder_iam_audit_config",
            "google_organization_iam_audit_config")
@managed_only
def audit_config(res: TfResource, ctx: TfContext) -> None:
    """A Data Access audit configuration: which log types of which service, and who is exempt.

    Project configs MONITOR their project; folder and organisation configs are kept without a
    MONITORS edge, meaning they cover every project the scan sees.
    """
    values = res.values
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    service = values.get("service")
    if literal(service):
        attrs["service"] = service
    else:
        unknown["service"] = ctx.unresolved(res, "service", service)
    log_types: list[str] = []
    exempted: list[str] = []
    configs = values.get("audit_log_config")
    if is_ref(configs):
        unknown["log_types"] = ctx.unresolved(res, "audit_log_config", configs)
    for config in blocks(configs):
        log_type = config.get("log_type")
        if isinstance(log_type, str):
            if log_type not in log_types:
                log_types.append(log_type)
        else:
            unknown["log_types"] = ctx.unresolved(res, "audit_log_config.log_type", log_type)
        members = config.get("exempted_members")
        if is_ref(members):
            unknown["exempted_members"] = ctx.unresolved(res, "exempted_members", members)
        for member in members if isinstance(members, list) else ():
            text = member_text(member)
            if text not in exempted:
                exempted.append(text)
    if "log_types" not in unknown:
        attrs["log_types"] = tuple(log_types)
    if "exempted_members" not in unknown:
        attrs["exempted_members"] = tuple(exempted)
    level = res.type.split("_")[1]  # project | folder | organization
    attrs["resource_level"] = level
    project = values.get("project") if level == "project" else None
    if level != "project":
        attrs["resource"] = ctx.ref_text(values.get("folder") or values.get("org_id"))
    asset = add(ctx, res, Kind.AUDIT_LOG, name=res.address.split(".")[-1], attrs=attrs,
                unknown=unknown, project=project)
    account, _ = project_account(ctx, project) if level == "project" else (None, None)
    if account is not None:
        ctx.builder.link(asset.id, EdgeKind.MONITORS, account)
