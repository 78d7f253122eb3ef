"""Google Cloud Storage buckets, their ACLs and objects, and container registries, from Terraform.

Defaults follow the Google provider and API: no `encryption` block means Google-managed keys
("provider-managed"), no `versioning` block means versioning off, `uniform_bucket_level_access`
defaults to false, and `public_access_prevention` "inherited" (the default) does not prevent
public grants on the bucket itself.
"""
from __future__ import annotations

from typing import Any

from crownjewel.collect.terraform.gcp_common import (
    add,
    bool_attr,
    display_name,
    kms_encryption,
    labels,
    literal,
    managed_only,
    member_kind,
    project_of,
)
from crownjewel.collect.terraform.gcp_iam import find_bucket, gcr_bucket_name, grant_defaults
from crownjewel.collect.terraform.loader import TfResource
from crownjewel.collect.terraform.normalize import TfContext, first_block, is_ref, normalizes
from crownjewel.model.assets import EdgeKind, Kind

# Predefined ACLs that open a bucket or its objects beyond the project.
_PUBLIC_ACLS = {"publicRead": "public", "publicReadWrite": "public",
                "authenticatedRead": "authenticated"}


@normalizes("google_storage_bucket")
@managed_only
def storage_bucket(res: TfResource, ctx: TfContext) -> None:
    """A GCS bucket: encryption, versioning, uniform access, public access prevention, logging."""
    values = res.values
    name = display_name(res, "name")
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}

    encryption = values.get("encryption")
    if is_ref(encryption):
        unknown["encryption"] = ctx.unresolved(res, "encryption", encryption)
        key_id = None
    else:
        key_id = kms_encryption(ctx, res, first_block(encryption).get("default_kms_key_name"),
                                "encryption.default_kms_key_name", attrs, unknown)

    versioning = values.get("versioning")
    if is_ref(versioning):
        unknown["versioning"] = ctx.unresolved(res, "versioning", versioning)
    else:
        bool_attr(ctx, res, first_block(versioning), "enabled", False, attrs, unknown, "versioning")
    bool_attr(ctx, res, values, "uniform_bucket_level_access", False, attrs, unknown, "uniform_access")

    pap = values.get("public_access_prevention")
    if is_ref(pap):
        unknown["public_access_prevention"] = ctx.unresolved(res, "public_access_prevention", pap)
    else:
        # "inherited" defers to an organisation policy the Terraform does not show: not prevented here.
        attrs["public_access_prevention"] = pap == "enforced"

    target_id = _logging(ctx, res, name, attrs, unknown)

    retention = first_block(values.get("retention_policy"))
    locked = retention.get("is_locked")
    if is_ref(locked):
        unknown["retention_locked"] = ctx.unresolved(res, "retention_policy.is_locked", locked)
    else:
        attrs["retention_locked"] = bool(retention) and locked is True

    grant_defaults(ctx, res.address, attrs, unknown)
    asset = add(ctx, res, Kind.OBJECT_STORE, name=name, attrs=attrs, unknown=unknown,
                project=project_of(res), region=values.get("location"), tags=labels(res))
    if key_id:
        ctx.builder.link(asset.id, EdgeKind.ENCRYPTED_BY, key_id)
    if target_id:
        ctx.builder.link(asset.id, EdgeKind.LOGS_TO, target_id)


def _logging(ctx: TfContext, res: TfResource, name: str, attrs: dict[str, Any],
             unknown: dict[str, str]) -> str | None:
    """Fill access_logging / log_target; returns the log bucket's asset id when declared.

    A bucket that logs into itself gets `log_target` = its own address, which the logging rule
    treats as no independent log.
    """
    logging = res.values.get("logging")
    if is_ref(logging):
        unknown["access_logging"] = ctx.unresolved(res, "logging", logging)
        return None
    block = first_block(logging)
    if not block:
        attrs["access_logging"] = False
        return None
    target = block.get("log_bucket")
    if target is None or target == "":
        unknown["access_logging"] = (f"{res.address}.logging has no log_bucket (required by the "
                                     "provider); the log destination is unknown")
        return None
    attrs["access_logging"] = True
    if target == name or (is_ref(target) and ctx.resolve(target) is res):
        attrs["log_target"] = res.address
        return None
    found = find_bucket(ctx, target)
    if found is not None:
        attrs["log_target"] = found
        return found
    if is_ref(target):
        unknown["log_target"] = ctx.unresolved(res, "logging.log_bucket", target)
    else:
        attrs["log_target"] = str(target)
    return None


@normalizes("google_storage_bucket_object")
@managed_only
def bucket_object(res: TfResource, ctx: TfContext) -> None:
    """An object declared in Terraform: its name is evidence of what the bucket holds."""
    bucket = find_bucket(ctx, res.values.get("bucket"))
    name = literal(res.values.get("name"))
    if bucket and name:
        ctx.builder.patch(bucket, {"sample_objects": (name,)})


@normalizes("google_storage_bucket_acl", "google_storage_default_object_acl", "google_storage_object_acl",
            "google_storage_bucket_access_control", "google_storage_default_object_access_control",
            "google_storage_object_access_control")
@managed_only
def bucket_acl(res: TfResource, ctx: TfContext) -> None:
    """ACL entries and predefined ACLs granting allUsers / allAuthenticatedUsers on a bucket, its
    default object ACL, or one of its objects: evidence on the bucket."""
    bucket = find_bucket(ctx, res.values.get("bucket"))
    if bucket is None:
        return
    what = res.type.removeprefix("google_storage_").replace("_", " ")
    found: list[tuple[str, str]] = []
    predefined = res.values.get("predefined_acl")
    if isinstance(predefined, str) and predefined in _PUBLIC_ACLS:
        found.append((_PUBLIC_ACLS[predefined], f"{res.address} sets {what} predefined_acl {predefined}"))
    for entry in res.values.get("role_entity") or ():
        if isinstance(entry, str) and ":" in entry:
            role, entity = entry.split(":", 1)
            kind = member_kind(entity)
            if kind in ("public", "authenticated"):
                found.append((kind, f"{res.address} grants {what} {role} to {entity}"))
    single = res.values.get("entity")  # the *_access_control resources: one entity each
    if member_kind(single) in ("public", "authenticated"):
        found.append((member_kind(single),
                      f"{res.address} grants {what} {res.values.get('role')} to {single}"))
    for kind, evidence in found:
        key = "public_grants" if kind == "public" else "authenticated_grants"
        ctx.builder.patch(bucket, {key: (evidence,)})
    if found and res.source is not None:
        # Fixes edit the ACL resource, which is not an asset of its own.
        ctx.builder.patch(bucket, {"tf_sources": ((f"acl:{res.address}", res.source),)})


@normalizes("google_container_registry")
@managed_only
def container_registry(res: TfResource, ctx: TfContext) -> None:
    """Container Registry: a GCS bucket of images with Google-managed encryption."""
    attrs: dict[str, Any] = {"encryption": "provider-managed", "tag_immutable": False}
    unknown: dict[str, str] = {}
    grant_defaults(ctx, res.address, attrs, unknown)
    add(ctx, res, Kind.CONTAINER_REGISTRY, name=gcr_bucket_name(res) or res.address.split(".")[-1],
        attrs=attrs, unknown=unknown, project=project_of(res), region=res.values.get("location"))


@normalizes("google_artifact_registry_repository")
@managed_only
def artifact_registry(res: TfResource, ctx: TfContext) -> None:
    """An Artifact Registry repository: CMEK (`kms_key_name`) and immutable tags."""
    values = res.values
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    key_id = kms_encryption(ctx, res, values.get("kms_key_name"), "kms_key_name", attrs, unknown)
    docker = first_block(values.get("docker_config"))
    bool_attr(ctx, res, docker, "immutable_tags", False, attrs, unknown, "tag_immutable")
    if literal(values.get("format")):
        attrs["format"] = values["format"]
    grant_defaults(ctx, res.address, attrs, unknown)
    asset = add(ctx, res, Kind.CONTAINER_REGISTRY, name=display_name(res, "repository_id", "name"),
                attrs=attrs, unknown=unknown, project=project_of(res),
                region=values.get("location"), tags=labels(res))
    if key_id:
        ctx.builder.link(asset.id, EdgeKind.ENCRYPTED_BY, key_id)
