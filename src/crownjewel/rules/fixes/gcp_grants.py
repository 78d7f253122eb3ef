"""Terraform fixes for Google Cloud grants: public members and broad roles.

A grant lives in an IAM resource (`*_iam_member`, `*_iam_binding`, `*_iam_policy` with inline
JSON or a `data.google_iam_policy` binding) or a bucket ACL resource; the fix edits that
resource's text: a member resource that only grants to the offending member is removed, list
items are taken out of `members` / `role_entity` (the resource goes when nothing is left), and
broad roles are replaced by read-only ones.
"""
from __future__ import annotations

import re

from crownjewel.model.assets import Asset, EdgeKind, Kind
from crownjewel.model.findings import Fix, TextEdit
from crownjewel.rules import hcl_edit as hcl
from crownjewel.rules.engine import EvalContext
from crownjewel.rules.exposure import BROAD_MEMBERS, BROAD_ROLES
from crownjewel.rules.fixes.gcp import Block, block_at, block_of, make_fix
from crownjewel.rules.registry import Fail, fixer

_PUBLIC = r'"(?:[A-Za-z]+:)?(?:allUsers|allAuthenticatedUsers)"'
_BROAD = r'"(?:domain:[^"]*|projectViewer:[^"]*|projectEditor:[^"]*|allUsers|allAuthenticatedUsers|\*)"'
_EMPTY_LIST = re.compile(r'(?:\bmembers|"members"|\brole_entity)\s*[=:]\s*\[\s*\]')
_FAMILIES = {
    "google_storage_bucket": "roles/storage.objectViewer",
    "google_kms_crypto_key": "roles/cloudkms.viewer",
    "google_kms_key_ring": "roles/cloudkms.viewer",
    "google_artifact_registry_repository": "roles/artifactregistry.reader",
    "google_project": "roles/storage.objectViewer",
    "google_vertex_ai_endpoint": "roles/aiplatform.viewer",
    "google_vertex_ai_featurestore": "roles/aiplatform.viewer",
    "google_notebooks_instance": "roles/notebooks.viewer",
    "google_workbench_instance": "roles/notebooks.viewer",
}
IAM_TYPES = tuple(f"{family}{suffix}" for family in _FAMILIES
                  for suffix in ("_iam_member", "_iam_binding", "_iam_policy"))
# Read-only replacements of broad roles, by the role's service.
_NARROW_BY_SERVICE = {
    "storage": "roles/storage.objectViewer",
    "aiplatform": "roles/aiplatform.viewer",
    "ml": "roles/ml.viewer",
    "cloudkms": "roles/cloudkms.viewer",
    "artifactregistry": "roles/artifactregistry.reader",
    "notebooks": "roles/notebooks.viewer",
}


def strip_tokens(text: str, token: str) -> str:
    """Remove quoted list items matching `token` (HCL lists, jsonencode, JSON heredocs)."""
    text = re.sub(rf"(?m)^[ \t]*{token}[ \t]*,?[ \t]*(?:(?:#|//).*)?\r?\n", "", text)
    text = re.sub(rf"{token}[ \t]*,[ \t]*", "", text)
    text = re.sub(rf",[ \t]*{token}", "", text)
    text = re.sub(rf"\[[ \t]*{token}[ \t]*\]", "[]", text)
    # A trailing comma before `]` is fine in HCL but not in JSON heredocs: drop it.
    return re.sub(r",(\s*)\]", r"\1]", text)


def _is_member_resource(native_type: str, data_binding: bool) -> bool:
    return native_type.endswith("_iam_member") and not data_binding


def _stripped_grant(block: Block, native_type: str, data_binding: bool, token: str) -> str:
    """The grant's text without the matching members; empty when nothing would be left."""
    if _is_member_resource(native_type, data_binding):
        return ""
    text = strip_tokens(block.text, token)
    if _EMPTY_LIST.search(text) and (data_binding or native_type.endswith("_iam_binding")):
        return ""
    return text


def _grant_block(ctx: EvalContext, binding: Asset) -> tuple[Block | None, bool]:
    """The block to edit for a ROLE_BINDING (a data source binding block when there is one)."""
    sources = dict(binding.get("tf_sources") or ())
    if "binding" in sources:
        return block_at(ctx, sources["binding"]), True
    return block_of(ctx, binding), False


def _remove_public(asset: Asset, ctx: EvalContext, bucket: bool) -> Fix | None:
    edits: list[TextEdit] = []
    shown: list[str] = []
    seen: set[tuple[str, int]] = set()
    for binding in ctx.graph.sources(asset.id, EdgeKind.GRANTS):
        members = [str(m) for m in binding.get("members") or ()]
        if binding.kind is not Kind.ROLE_BINDING or not any(re.fullmatch(_PUBLIC, f'"{m}"') for m in members):
            continue
        block, data_binding = _grant_block(ctx, binding)
        if block is None or (block.file, block.start) in seen:
            continue
        seen.add((block.file, block.start))
        new = _stripped_grant(block, binding.native_type, data_binding, _PUBLIC)
        edits.append(block.edit(new))
        shown.append(new or f"# removed {binding.id}")
    for aspect, ref in asset.get("tf_sources") or ():
        if not str(aspect).startswith("acl:"):
            continue
        block = block_at(ctx, ref)
        if block is None or (block.file, block.start) in seen:
            continue
        seen.add((block.file, block.start))
        address = str(aspect)[4:]
        if address.split(".")[-2].endswith("_access_control"):
            new = ""
        else:
            new = strip_tokens(block.text, _PUBLIC)
            if re.search(r'predefined_acl\s*=\s*"(publicRead|publicReadWrite|authenticatedRead)"', new):
                new = hcl.set_attribute(new, "predefined_acl", '"projectPrivate"')
        edits.append(block.edit(new))
        shown.append(new or f"# removed {address}")
    if not edits:
        return None
    note = f"{asset.id}: grants to allUsers / allAuthenticatedUsers removed"
    if bucket:
        main = block_of(ctx, asset)
        if main is not None:
            text = hcl.set_attribute(main.text, "public_access_prevention", '"enforced"')
            return make_fix(main, text, extra_edits=tuple(edits), shown=tuple(shown), note=note)
    return make_fix(None, None, extra_edits=tuple(edits), shown=tuple(shown), note=note)


@fixer("storage.model-store-public", "google_storage_bucket")
def bucket_not_public(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Remove allUsers / allAuthenticatedUsers grants and ACLs, then enforce public access
    prevention so none can come back."""
    return _remove_public(asset, ctx, bucket=True)


@fixer("storage.model-store-authenticated-users", "google_storage_bucket")
def bucket_not_authenticated(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Remove allAuthenticatedUsers (and allUsers) grants and enforce public access prevention."""
    return _remove_public(asset, ctx, bucket=True)


@fixer("kms.key-public", "google_kms_crypto_key")
def key_not_public(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Remove allUsers / allAuthenticatedUsers from the key's and its key ring's IAM."""
    return _remove_public(asset, ctx, bucket=False)


@fixer("registry.public", "google_artifact_registry_repository", "google_container_registry")
def registry_not_public(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Remove allUsers / allAuthenticatedUsers from the repository's (or GCR bucket's) IAM."""
    return _remove_public(asset, ctx, bucket=False)


def narrow_role(role: str, native_type: str) -> str:
    """A read-only role to replace a broad one: same service when it has one, else by what the
    grant is on (objects for buckets and projects, key metadata for keys, pulls for repos)."""
    m = re.match(r"roles/([a-zA-Z]+)\.", role)
    if m and m.group(1) in _NARROW_BY_SERVICE:
        return _NARROW_BY_SERVICE[m.group(1)]
    family = re.sub(r"_iam_(member|binding|policy)$", "", native_type)
    return _FAMILIES.get(family, "roles/storage.objectViewer")


@fixer("iam.broad-role-on-model-store", *IAM_TYPES)
def narrow_grant(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Replace a broad role with a read-only one and drop whole-population members (domains,
    project roles, allUsers); grant write access separately to the pipeline that needs it."""
    role = str(asset.get("role") or "")
    block, data_binding = _grant_block(ctx, asset)
    if block is None:
        return None
    members = [str(m) for m in asset.get("members") or ()]
    broad_members = [m for m in members if BROAD_MEMBERS.match(m)]
    narrow = narrow_role(role, asset.native_type) if BROAD_ROLES.match(role) else None
    note = f"{asset.id}: " + (f"{role} narrowed to {narrow}" if narrow else "broad members removed")
    if _is_member_resource(asset.native_type, data_binding):
        if broad_members:
            return make_fix(None, None, extra_edits=(block.edit(""),), note=note + "; member removed")
        text = hcl.set_attribute(block.text, "role", hcl.hcl_string(narrow or role))
        return make_fix(block, text, note=note)
    text = block.text
    if narrow:
        if data_binding or asset.native_type.endswith("_iam_binding"):
            text = hcl.set_attribute(text, "role", hcl.hcl_string(narrow))
        else:  # inline policy JSON: replace this binding's role string
            text = text.replace(f'"{role}"', f'"{narrow}"')
    if broad_members:
        text = strip_tokens(text, _BROAD)
        if _EMPTY_LIST.search(text) and (data_binding or asset.native_type.endswith("_iam_binding")):
            text = ""
    if text == block.text:
        return None
    return make_fix(block, text, note=note) if text else \
        make_fix(None, None, extra_edits=(block.edit(""),), note=note)
