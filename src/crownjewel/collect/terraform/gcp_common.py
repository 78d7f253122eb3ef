"""Helpers shared by the Google Cloud Terraform normalizers.

Projects: every asset with a literal `project` (or a reference to a `google_project`) is linked
IN_ACCOUNT to an ACCOUNT asset. A declared `google_project` is its own account asset (id = its
address); a project id seen only as a literal gets a synthetic account asset `gcp-project:<id>`.

IAM grants: `members` of bindings are classified as public (allUsers), authenticated
(allAuthenticatedUsers), unresolved (a variable, a null list element) or ordinary. Grants whose
members or policy cannot be read make the target's `public_grants` / `authenticated_grants`
unknown instead of an empty tuple (see `gcp_iam.unreadable_grants`).
"""
from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crownjewel.collect.terraform.loader import TfResource
from crownjewel.collect.terraform.normalize import (
    Normalizer,
    TfContext,
    as_json,
    blocks,
    first_block,
    is_ref,
)
from crownjewel.model.assets import Asset, EdgeKind, Kind, SourceRef, frozen_map

PROVIDER = "gcp"
PUBLIC_MEMBER = "allUsers"
AUTHENTICATED_MEMBER = "allAuthenticatedUsers"
GRANT_KEYS = ("public_grants", "authenticated_grants")

KEY_PATH = re.compile(r"projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/keyRings/"
                       r"(?P<ring>[^/]+)(?:/cryptoKeys/(?P<key>[^/]+))?")
_INTERPOLATED_REF = re.compile(r"\$\{(?P<ref>[a-z0-9_]+\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?)\.[a-z_]+\}")


# ----------------------------------------------------------------------------- assets & projects


def managed_only(fn: Normalizer) -> Normalizer:
    """Skip data sources: they describe existing resources whose settings the Terraform does not
    show (a `data "google_kms_crypto_key"` says nothing about its rotation)."""

    @functools.wraps(fn)
    def wrapper(res: TfResource, ctx: TfContext) -> None:
        if res.mode == "managed":
            fn(res, ctx)

    return wrapper


def add(ctx: TfContext, res: TfResource, kind: Kind, *, name: Any = None,
        attrs: Mapping[str, Any] | None = None, unknown: Mapping[str, str] | None = None,
        project: Any = None, region: Any = None, tags: Any = None, link_account: bool = True) -> Asset:
    """Add the asset of `res`, linked IN_ACCOUNT to its project when the project is known.
    A duplicate address gets the id `address@line` (see `TfContext.asset`).
    """
    account_id, project_id = project_account(ctx, project) if link_account else (None, literal(project))
    asset = ctx.asset(res, kind, name=name, attrs=attrs, unknown=unknown,
                      account=project_id if project_id else None, region=region, tags=tags)
    if account_id and account_id != asset.id:
        ctx.builder.link(asset.id, EdgeKind.IN_ACCOUNT, account_id)
    return asset


def project_account(ctx: TfContext, value: Any) -> tuple[str | None, str | None]:
    """(account asset id, project id) for a `project` attribute value; (None, None) when unknown.

    References to a `google_project` resolve to its address (by tfparse id or by `project_id`);
    other literal ids get a synthetic `gcp-project:<id>` account asset, created on first use.
    """
    if value is None or value == "":
        return None, None
    if isinstance(value, str) and value.startswith("projects/"):
        value = value.split("/")[1]
    found = ctx.resolve(value, "google_project", name_keys=("project_id",))
    if found is not None and found.mode == "managed":
        pid = found.values.get("project_id")
        return found.address, pid if isinstance(pid, str) and not is_ref(pid) else None
    if found is not None:  # a data source: an existing project, known by its id if literal
        value = found.values.get("project_id")
    if not isinstance(value, str) or not value or "${" in value:
        return None, None
    account_id = f"gcp-project:{value}"
    if not ctx.builder.has(account_id):
        ctx.builder.add(Asset(id=account_id, kind=Kind.ACCOUNT, provider=PROVIDER, name=value,
                              native_type="google_project", account=value,
                              attrs=frozen_map({"project": value})))
    return account_id, value


def project_of(res: TfResource) -> Any:
    """The resource's `project` value (None when it uses the provider's default project)."""
    return res.values.get("project")


def literal(value: Any) -> str | None:
    """`value` when it is a non-empty string without unresolved interpolation, else None."""
    if isinstance(value, str) and value and "${" not in value:
        return value
    return None


def labels(res: TfResource) -> Mapping[str, str]:
    """The resource's labels as tags (empty when unset or unresolved)."""
    value = res.values.get("labels")
    if isinstance(value, Mapping) and not is_ref(value):
        return {str(k): str(v) for k, v in value.items() if isinstance(v, (str, int, float, bool))}
    return {}


def display_name(res: TfResource, *keys: str) -> str:
    """The first literal of `keys` (name, display_name ...), else the Terraform resource name."""
    for key in keys:
        text = literal(res.values.get(key))
        if text:
            return text
    return res.address.split(".")[-1]


def source_bool(res: TfResource, key: str) -> bool | None:
    """A boolean written with a capital (`True`) that tfparse evaluated to null.

    Terraform itself rejects `True`, but older HCL tooling accepted it and corpora contain it:
    reading the intent from the source is better than calling it unset.
    """
    if res.source is None:
        return None
    try:
        lines = Path(res.source.file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=\s*(true|false)\s*(#.*|//.*)?$", re.IGNORECASE)
    for line in lines[res.source.line - 1:res.source.end_line or res.source.line]:
        if m := pattern.match(line):
            return m.group(1).lower() == "true"
    return None


def bool_attr(ctx: TfContext, res: TfResource, values: Mapping[str, Any], key: str, default: bool,
              attrs: dict[str, Any], unknown: dict[str, str], out: str) -> None:
    """Normalize a boolean attribute into `attrs[out]`, the provider default when unset or null,
    `unknown[out]` when it is an unresolved reference."""
    value = values.get(key)
    if is_ref(value):
        unknown[out] = ctx.unresolved(res, key, value)
    elif isinstance(value, bool):
        attrs[out] = value
    elif isinstance(value, str) and value.lower() in ("true", "false"):
        attrs[out] = value.lower() == "true"
    elif value is None and key in values and values is res.values:
        found = source_bool(res, key)
        attrs[out] = default if found is None else found
    else:
        attrs[out] = default


# ----------------------------------------------------------------------------------- lookups


def resolve_key(ctx: TfContext, value: Any) -> TfResource | None:
    """The `google_kms_crypto_key` a key name / id / reference points to, if declared."""
    found = ctx.resolve(value, "google_kms_crypto_key", name_keys=("name",))
    if found is not None or not isinstance(value, str):
        return found
    m = KEY_PATH.search(value)
    if m and m.group("key"):
        for key in ctx.by_type.get("google_kms_crypto_key", ()):
            if key.values.get("name") != m.group("key"):
                continue
            ring = ctx.resolve(key.values.get("key_ring"), "google_kms_key_ring")
            if ring is None or ring.values.get("name") == m.group("ring"):
                return key
    if m := _INTERPOLATED_REF.search(value):
        return ctx.resolve({"__attribute__": m.group("ref") + ".id"}, "google_kms_crypto_key")
    return None


def resolve_ring(ctx: TfContext, value: Any) -> TfResource | None:
    """The `google_kms_key_ring` a ring id / reference points to, if declared."""
    found = ctx.resolve(value, "google_kms_key_ring", name_keys=("name",))
    if found is not None or not isinstance(value, str):
        return found
    m = KEY_PATH.search(value)
    if m:
        for ring in ctx.by_type.get("google_kms_key_ring", ()):
            if ring.values.get("name") == m.group("ring"):
                return ring
    if m := _INTERPOLATED_REF.search(value):
        return ctx.resolve({"__attribute__": m.group("ref") + ".id"}, "google_kms_key_ring")
    return None


def kms_encryption(ctx: TfContext, res: TfResource, value: Any, attr: str, asset_attrs: dict[str, Any],
                   unknown: dict[str, str]) -> str | None:
    """Fill `encryption` / `kms_key` from a KMS key setting; returns the key asset id to link.

    A key given as a resource reference or literal means customer-managed even when the exact
    key is not in the estate; a variable without a value leaves encryption unknown.
    """
    if value is None or value == "" or value == []:
        asset_attrs["encryption"] = "provider-managed"
        return None
    key = resolve_key(ctx, value)
    if key is not None:
        asset_attrs["encryption"] = "customer-managed"
        asset_attrs["kms_key"] = key.address
        return key.address if key.mode == "managed" else None
    if is_ref(value):
        ref = str(value["__attribute__"])
        if ref.startswith(("google_kms_crypto_key.", "data.google_kms_crypto_key.")):
            asset_attrs["encryption"] = "customer-managed"
            unknown["kms_key"] = ctx.unresolved(res, attr, value)
        else:
            unknown["encryption"] = ctx.unresolved(res, attr, value)
            unknown["kms_key"] = unknown["encryption"]
        return None
    asset_attrs["encryption"] = "customer-managed"
    asset_attrs["kms_key"] = str(value)
    return None


def region_from_location(value: Any) -> str | None:
    """A region from a location or zone (`us-central1-a` -> `us-central1`; `EU` stays)."""
    text = literal(value)
    if text is None:
        return None
    parts = text.split("-")
    if len(parts) == 3 and len(parts[2]) == 1:
        return "-".join(parts[:2])
    return text


# -------------------------------------------------------------------------------------- grants


def member_kind(member: Any) -> str:
    """'public' | 'authenticated' | 'unresolved' | 'principal' for one IAM member value."""
    if member == PUBLIC_MEMBER:
        return "public"
    if member == AUTHENTICATED_MEMBER:
        return "authenticated"
    if not isinstance(member, str) or not member or member.startswith("${") or is_ref(member):
        return "unresolved"
    return "principal"


def member_text(member: Any) -> str:
    """A member as shown in evidence (unresolved ones name their reference when known)."""
    if isinstance(member, str):
        return member
    if is_ref(member):
        return "${" + str(member["__attribute__"]) + "}"
    return "(unresolved)"


@dataclass(frozen=True, slots=True)
class Grant:
    """One role grant of an IAM member / binding / policy resource."""

    role: str  # the role, "(unresolved)" or "(unreadable)" (a policy that cannot be read)
    raw_role: Any
    members: list[Any] | None  # None when the whole member list is unresolved
    condition: str | None
    source: SourceRef | None = None  # a `data.google_iam_policy` binding block, for fixes


def policy_bindings(ctx: TfContext, res: TfResource) -> list[tuple[Mapping[str, Any], SourceRef | None]] | None:
    """The bindings of an `*_iam_policy` resource (JSON text or a `data.google_iam_policy`, whose
    binding blocks come with their lines); None when the policy cannot be read."""
    value = res.values.get("policy_data")
    if is_ref(value):
        data = ctx.resolve(value, "google_iam_policy")
        if data is None:
            return None
        return [(b, _block_source(data, b)) for b in blocks(data.values.get("binding"))]
    doc = as_json(value)
    if not isinstance(doc, Mapping):
        return None
    found = doc.get("bindings") or []
    if not isinstance(found, list):
        return None
    return [(b, None) for b in found if isinstance(b, Mapping)]


def _block_source(res: TfResource, block: Mapping[str, Any]) -> SourceRef | None:
    meta = block.get("__tfmeta")
    if res.source is None or not isinstance(meta, Mapping) or "line_start" not in meta:
        return None
    file = res.source.file
    if meta.get("filename") and os.path.basename(file) != meta["filename"]:
        file = os.path.normpath(os.path.join(os.path.dirname(file), str(meta["filename"])))
    return SourceRef(file, int(meta["line_start"]), int(meta.get("line_end", meta["line_start"])))


def grant_members(value: Any) -> list[Any] | None:
    """A binding's members as a list, or None when the whole list is unresolved."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        return [value]
    return None


def condition_text(value: Any) -> str | None:
    """A binding condition's expression (None when unconditional)."""
    cond = first_block(value)
    if not cond:
        return None
    expr = cond.get("expression")
    return str(expr) if expr is not None else str(cond.get("title") or "condition")


def iter_grants(ctx: TfContext, res: TfResource) -> Iterator[Grant]:
    """Each grant of an IAM member / binding / policy resource. A policy that cannot be read
    yields one grant with role '(unreadable)'."""
    if res.type.endswith("_iam_policy"):
        bindings = policy_bindings(ctx, res)
        if bindings is None:
            yield Grant("(unreadable)", None, None, None)
            return
        for binding, source in bindings:
            role = binding.get("role")
            yield Grant(str(role) if isinstance(role, str) else "(unresolved)", role,
                        grant_members(binding.get("members")), condition_text(binding.get("condition")),
                        source)
        return
    role = res.values.get("role")
    members = grant_members(res.values["member"]) if "member" in res.values else \
        grant_members(res.values.get("members"))
    role_text = role if isinstance(role, str) else "(unresolved)"
    yield Grant(role_text, role, members, condition_text(res.values.get("condition")))


def find_network(ctx: TfContext, value: Any, tf_type: str = "google_compute_network") -> TfResource | None:
    """The declared network (or subnetwork, with `tf_type`) a reference, name, self link or
    `projects/.../networks/NAME` path points to."""
    found = ctx.resolve(value, tf_type, name_keys=("name",))
    if found is not None or not isinstance(value, str):
        return found
    if m := _INTERPOLATED_REF.search(value.rsplit("/", 1)[-1]):
        return ctx.resolve({"__attribute__": m.group("ref") + ".id"}, tf_type)
    last = value.rstrip("/").rsplit("/", 1)[-1]
    if last != value:
        return ctx.resolve(last, tf_type, name_keys=("name",))
    return None
