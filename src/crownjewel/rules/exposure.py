"""Who can reach model stores and registries: public exposure, broad roles, object controls."""
from __future__ import annotations

import re

from crownjewel.model.assets import Asset, Kind
from crownjewel.model.findings import Severity
from crownjewel.rules._common import ACCESS, PUBLIC, THEFT, any_grants_outcome, grants_outcome
from crownjewel.rules.engine import EvalContext
from crownjewel.rules.registry import Fail, Outcome, Unknown, attr_is, rule

_PUBLIC_FIX = ("Remove every grant to allUsers / allAuthenticatedUsers / Principal \"*\" / public ACLs "
               "from the {what}, then turn on the provider's public-access guard so none can come back.")


@rule(
    "storage.model-store-public", kind=Kind.OBJECT_STORE, severity=Severity.CRITICAL,
    title="Model store readable by anyone on the internet",
    message="{name} is open to {who}: {count} public grant(s)",
    remediation=_PUBLIC_FIX.format(what="bucket or container"),
    atlas=("AML.M0005", "AML.T0007") + THEFT, attack=("T1530", "T1619"), frameworks=PUBLIC,
    control_step="registry-access-audit",
    peers={"checkov": ("CKV_AWS_20", "CKV_AWS_375", "CKV_AWS_70")},
)
def model_store_public(asset: Asset, ctx: EvalContext) -> Outcome:
    """A bucket or container holding model artefacts or training data that anonymous users can
    read or list (allUsers, Principal "*", public ACLs, anonymous blob access): the weights can
    be downloaded by anyone who finds the name. The seed card's first pitfall."""
    return grants_outcome(asset, "public_grants", "everyone")


@rule(
    "storage.model-store-authenticated-users", kind=Kind.OBJECT_STORE, severity=Severity.CRITICAL,
    title="Model store readable by any authenticated user of the provider",
    message="{name} is open to {who}: {count} grant(s)",
    remediation=_PUBLIC_FIX.format(what="bucket"),
    atlas=("AML.M0005",) + THEFT, attack=("T1530", "T1078.004"), frameworks=PUBLIC,
    control_step="registry-access-audit",
    peers={"checkov": ("CKV2_AWS_43", "CKV_AWS_20")},
)
def model_store_authenticated_users(asset: Asset, ctx: EvalContext) -> Outcome:
    """A model store granted to allAuthenticatedUsers or the AWS AuthenticatedUsers group: any
    account holder at the provider, not just your organisation, can read it."""
    return grants_outcome(asset, "authenticated_grants", "every authenticated account")


@rule(
    "storage.model-store-public-access-not-prevented", kind=Kind.OBJECT_STORE, severity=Severity.HIGH,
    title="Public access prevention not enforced on a model store",
    message="{name} does not enforce the provider's public access prevention",
    remediation="Enforce public access prevention (GCS public_access_prevention = \"enforced\"; S3 Block "
                "Public Access with all four settings; Azure allow_nested_items_to_be_public = false).",
    atlas=("AML.M0005",) + THEFT, attack=("T1530",), frameworks=PUBLIC,
    requires=("public_access_prevention",), control_step="registry-access-audit",
    peers={"checkov": ("CKV_GCP_114", "CKV2_AWS_6", "CKV2_AZURE_47", "CKV_AZURE_190")},
)
def model_store_public_access_not_prevented(asset: Asset, ctx: EvalContext) -> Outcome:
    """A model store without the guard that blocks public grants: one mistaken policy or ACL
    later, the weights are public. The guard turns that mistake into an error."""
    return attr_is("public_access_prevention", True, "public access prevention is off")(asset, ctx)


@rule(
    "storage.model-store-uniform-access-off", kind=Kind.OBJECT_STORE, severity=Severity.MEDIUM,
    title="Object ACLs still active on a model bucket",
    message="{name} allows per-object ACLs (uniform bucket-level access is off)",
    remediation="Set uniform_bucket_level_access = true so only IAM decides who reads model objects.",
    atlas=("AML.M0005",), attack=("T1530",), frameworks=ACCESS, providers=("gcp",),
    requires=("uniform_access",), control_step="registry-access-audit",
    peers={"checkov": ("CKV_GCP_29",)},
)
def model_store_uniform_access_off(asset: Asset, ctx: EvalContext) -> Outcome:
    """A GCS bucket of model artefacts with fine-grained object ACLs: access can be granted per
    object, invisible to a review of the bucket's IAM policy."""
    return attr_is("uniform_access", True, "uniform bucket-level access is off")(asset, ctx)


@rule(
    "storage.model-store-public-network", kind=Kind.OBJECT_STORE, severity=Severity.HIGH,
    title="Model storage account reachable from public networks",
    message="{name} accepts connections from public networks",
    remediation="Set public_network_access_enabled = false and reach the account through private endpoints.",
    atlas=("AML.M0005",) + THEFT, attack=("T1530",), frameworks=PUBLIC, providers=("azure",),
    requires=("public_network_access",), control_step="export-paths",
    peers={"checkov": ("CKV_AZURE_59",)},
)
def model_store_public_network(asset: Asset, ctx: EvalContext) -> Outcome:
    """An Azure storage account of model artefacts that accepts traffic from any network."""
    return attr_is("public_network_access", False, "public network access is enabled")(asset, ctx)


@rule(
    "storage.model-store-network-open", kind=Kind.OBJECT_STORE, severity=Severity.MEDIUM,
    title="Model storage account network rules allow by default",
    message="{name} network rules default to Allow",
    remediation="Set network_rules default_action = \"Deny\" and allow only the networks that need access.",
    atlas=("AML.M0005",), attack=("T1530",), frameworks=PUBLIC, providers=("azure",),
    requires=("network_default_deny",), control_step="export-paths",
    peers={"checkov": ("CKV_AZURE_35",)},
)
def model_store_network_open(asset: Asset, ctx: EvalContext) -> Outcome:
    """An Azure storage account whose network rules allow every network unless denied."""
    return attr_is("network_default_deny", True, "default network action is Allow")(asset, ctx)


@rule(
    "storage.model-store-versioning-off", kind=Kind.OBJECT_STORE, severity=Severity.MEDIUM,
    title="Versioning off on a model store",
    message="{name} keeps no object versions: overwritten or deleted weights cannot be recovered",
    remediation="Enable object versioning (the seed card's `versioning { enabled = true }`).",
    atlas=("AML.M0005",), frameworks={"nist-800-53": ("AU-9",), "iso-27001": ("8.12",)},
    requires=("versioning",), control_step="immutable-audit-log",
    peers={"checkov": ("CKV_GCP_78", "CKV_AWS_21")},
)
def model_store_versioning_off(asset: Asset, ctx: EvalContext) -> Outcome:
    """A model store without versioning: an attacker who takes the weights can also destroy or
    silently replace them, and forensic comparison of what changed is impossible."""
    return attr_is("versioning", True, "versioning is disabled")(asset, ctx)


@rule(
    "registry.public", kind=(Kind.CONTAINER_REGISTRY, Kind.MODEL_REGISTRY), severity=Severity.CRITICAL,
    title="Model registry open to everyone",
    message="{name} grants access to {who}: {count} grant(s)",
    remediation=_PUBLIC_FIX.format(what="registry or repository policy"),
    atlas=("AML.M0005", "AML.T0007") + THEFT, attack=("T1530",), frameworks=PUBLIC,
    control_step="registry-access-audit",
    peers={"checkov": ("CKV_AWS_32", "CKV2_GCP_9")},
)
def registry_public(asset: Asset, ctx: EvalContext) -> Outcome:
    """A model or image registry whose policy lets anyone pull: model images and packages
    usually contain the weights."""
    return any_grants_outcome(asset, ("public_grants", "everyone"),
                              ("authenticated_grants", "every authenticated identity"))


_WORKLOADS = (Kind.NOTEBOOK, Kind.MODEL, Kind.TRAINING_JOB, Kind.AI_DOMAIN, Kind.ENDPOINT)


def _workloads_by_role(ctx: EvalContext, provider: str) -> list[Asset]:
    """Workloads of a provider that run as a role, listed once per scan (not once per binding)."""
    return ctx.memo(("workloads-with-role", provider), lambda: [
        w for kind in _WORKLOADS for w in ctx.graph.assets(kind, provider=provider) if w.get("execution_role")])
BROAD_ROLES = re.compile(
    r"^(roles/(owner|editor|viewer|storage\.admin|storage\.objectAdmin|storage\.legacyBucketOwner|"
    r"aiplatform\.admin|aiplatform\.user|ml\.admin|artifactregistry\.admin|cloudkms\.admin|"
    r"iam\.serviceAccountTokenCreator)"
    r"|Owner|Contributor|Storage Blob Data Owner|Storage Blob Data Contributor|AzureML Data Scientist"
    r"|.*researcher.*)$", re.IGNORECASE)
BROAD_ACTIONS = re.compile(r"^(\*|s3:\*|s3:Get\*|s3:\*Object|sagemaker:\*|kms:\*|ecr:\*|iam:\*)$", re.IGNORECASE)
BROAD_MEMBERS = re.compile(r"^(domain:|projectViewer:|projectEditor:|allUsers$|allAuthenticatedUsers$|\*$)")


@rule(
    "iam.broad-role-on-model-store", kind=Kind.ROLE_BINDING, severity=Severity.HIGH,
    title="Broad role grants access to model artefacts",
    message="{name} grants {role} to {members} on {resource}",
    remediation="Replace basic and admin roles with narrow ones (roles/storage.objectViewer for the "
                "serving identity, write only for the training pipeline), grant to named service "
                "accounts rather than whole groups or domains, and review the grants each quarter.",
    atlas=("AML.M0005", "AML.T0044") + THEFT, attack=("T1530", "T1078.004"), frameworks=ACCESS,
    control_step="registry-access-audit",
    peers={"checkov": ("CKV2_AWS_68",)},
)
def broad_role_on_model_store(asset: Asset, ctx: EvalContext) -> Outcome:
    """A grant of a basic, admin or catch-all 'researcher' role (or `*` actions) on a model store,
    registry or key, or on the project holding them, or to a whole domain: the seed card's
    pitfall of granting a broad researcher role to the model registry."""
    role = str(asset.get("role") or "")
    members = tuple(str(m) for m in asset.get("members") or ())
    actions = [a.strip() for a in role.split(",")] if "," in role or ":" in role else [role]
    broad_role = asset.knows("role") and (bool(BROAD_ROLES.match(role)) or any(BROAD_ACTIONS.match(a) for a in actions))
    broad_members = [m for m in members if BROAD_MEMBERS.match(m)]
    if not broad_role and not broad_members:
        # A known narrow part says nothing about the part that could not be read.
        for key in ("role", "members"):
            if not asset.knows(key):
                return Unknown(asset.why_unknown(key))
        return True
    evidence = []
    if broad_role:
        evidence.append(f"role {role} is broad")
    if broad_members:
        evidence.append(f"members {', '.join(broad_members)} are whole populations")
    # Workloads that run as a member inherit the grant: name them, they are what gets exploited.
    for workload in _workloads_by_role(ctx, asset.provider):
        role_of = workload.get("execution_role")
        if role_of in members:
            evidence.append(f"{workload.id} runs as {role_of}")
    return Fail.because(*evidence, role=role, members=", ".join(members) or "(none)",
                        resource=asset.get("resource") or "(unknown)")
