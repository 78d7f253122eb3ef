"""Encrypt model artefacts at rest with customer-managed keys, rotated at least every 90 days."""
from __future__ import annotations

from crownjewel.model.assets import Asset, Kind
from crownjewel.model.findings import Severity
from crownjewel.rules._common import ENCRYPTION, PUBLIC, THEFT, any_grants_outcome
from crownjewel.rules.engine import EvalContext
from crownjewel.rules.registry import Fail, Outcome, rule

_CMEK_REMEDIATION = (
    "Create a customer-managed key (rotation at most 90 days), restrict who may use it, and set "
    "it as the default encryption key of the {kind}. Existing objects keep their old key until "
    "rewritten: re-encrypt them after the change."
)


def _customer_managed(asset: Asset, ctx: EvalContext) -> Outcome:
    encryption = asset.get("encryption")
    if encryption == "customer-managed":
        return True
    return Fail.because(f"encryption is {encryption}", encryption=encryption)


@rule(
    "storage.model-store-not-cmek", kind=Kind.OBJECT_STORE, severity=Severity.HIGH,
    title="Model store not encrypted with a customer-managed key",
    message="{name} holds crown-jewel data but is encrypted with a {encryption} key, not a customer-managed one",
    remediation=_CMEK_REMEDIATION.format(kind="bucket or storage account"),
    atlas=("AML.M0012",) + THEFT, attack=("T1530",), frameworks=ENCRYPTION,
    requires=("encryption",), control_step="cmek",
    peers={"checkov": ("CKV_AWS_145", "CKV2_AZURE_1")},
)
def model_store_not_cmek(asset: Asset, ctx: EvalContext) -> Outcome:
    """A store of model artefacts or training data encrypted only with provider-managed keys.

    With provider-managed keys, anyone the provider's IAM lets read the objects gets plaintext;
    a customer-managed key adds an independent access decision (who may decrypt), key-usage
    audit logs, and a kill switch (disable the key) when theft is suspected.
    """
    return _customer_managed(asset, ctx)


@rule(
    "ai.resource-not-cmek",
    kind=(Kind.AI_DATA_STORE, Kind.ENDPOINT, Kind.NOTEBOOK, Kind.AI_DOMAIN, Kind.MODEL_REGISTRY,
          Kind.TRAINING_JOB),
    severity=Severity.HIGH,
    title="AI resource not encrypted with a customer-managed key",
    message="{name} ({asset.native_type}) stores models, data or artefacts with a {encryption} key, not a customer-managed one",
    remediation=_CMEK_REMEDIATION.format(kind="AI resource (encryption_spec / kms_key_id / encryption block)"),
    atlas=("AML.M0012",) + THEFT, attack=("T1530",), frameworks=ENCRYPTION,
    requires=("encryption",), control_step="cmek",
    peers={"checkov": ("CKV_GCP_92", "CKV_GCP_96", "CKV2_GCP_24", "CKV2_GCP_25", "CKV2_GCP_26",
                       "CKV2_GCP_27", "CKV_AWS_187")},
)
def ai_resource_not_cmek(asset: Asset, ctx: EvalContext) -> Outcome:
    """A Vertex AI, SageMaker or Azure ML resource whose stored models, datasets, features,
    notebooks disks or endpoint artefacts are encrypted with provider-managed keys only."""
    return _customer_managed(asset, ctx)


@rule(
    "registry.not-cmek", kind=Kind.CONTAINER_REGISTRY, severity=Severity.HIGH,
    title="Model image registry not encrypted with a customer-managed key",
    message="{name} holds model-serving images with a {encryption} key, not a customer-managed one",
    remediation=_CMEK_REMEDIATION.format(kind="repository (set at creation: recreate and copy images)"),
    atlas=("AML.M0012",) + THEFT, attack=("T1530",), frameworks=ENCRYPTION,
    requires=("encryption",), control_step="cmek",
    peers={"checkov": ("CKV_GCP_84",)},
)
def registry_not_cmek(asset: Asset, ctx: EvalContext) -> Outcome:
    """A container repository of model-serving images (which often bake in the weights) that is
    not encrypted with a customer-managed key."""
    return _customer_managed(asset, ctx)


@rule(
    "kms.key-rotation-over-90-days", kind=Kind.CRYPTO_KEY, severity=Severity.MEDIUM,
    title="Key protecting model artefacts rotates less often than every 90 days",
    message="{name} {rotation}; keys protecting model artefacts must rotate at least every {limit} days",
    remediation="Set automatic rotation to 90 days or less (GCP rotation_period = \"7776000s\"; AWS "
                "enable_key_rotation = true with rotation_period_in_days = 90; Key Vault rotation_policy "
                "time_after_creation = \"P90D\").",
    atlas=("AML.M0012",), frameworks={"nist-800-53": ("SC-12",), "iso-27001": ("8.24",), "soc2": ("CC6.1",)},
    requires=("rotation_period_days",), control_step="cmek",
    peers={"checkov": ("CKV_GCP_43", "CKV_AWS_7")},
)
def key_rotation_over_90_days(asset: Asset, ctx: EvalContext) -> Outcome:
    """A customer-managed key that never rotates, or rotates less often than the limit (90 days by
    default; exactly 90 passes). Long-lived key material widens the window in which a leaked key
    decrypts every artefact written with it."""
    if asset.get("managed_by") == "provider":
        return True  # the provider rotates its own keys; not ours to configure
    if asset.get("purpose") not in (None, "ENCRYPT_DECRYPT"):
        return True  # asymmetric / MAC keys cannot rotate automatically and encrypt no artefacts
    days = asset.get("rotation_period_days")
    limit = ctx.thresholds.max_rotation_days
    if days is None:
        return Fail.because("no automatic rotation", rotation="never rotates", limit=limit)
    if float(days) > limit:
        return Fail.because(f"rotation period {float(days):g} days", rotation=f"rotates every {float(days):g} days",
                            limit=limit)
    return True


@rule(
    "kms.key-public", kind=Kind.CRYPTO_KEY, severity=Severity.HIGH,
    title="Key protecting model artefacts usable by anyone",
    message="{name} grants key use to {who}: {count} grant(s)",
    remediation="Remove allUsers / allAuthenticatedUsers members and Principal \"*\" statements from the "
                "key's IAM policy; grant encrypt/decrypt only to the service identities that need it.",
    atlas=("AML.M0012", "AML.M0005") + THEFT, attack=("T1530",), frameworks=PUBLIC,
    control_step="cmek",
    peers={"checkov": ("CKV_GCP_112", "CKV2_GCP_6", "CKV_AWS_33")},
)
def key_public(asset: Asset, ctx: EvalContext) -> Outcome:
    """A crypto key whose IAM or key policy lets anyone (or any authenticated identity) use it:
    customer-managed encryption then protects nothing."""
    return any_grants_outcome(asset, ("public_grants", "everyone"),
                              ("authenticated_grants", "every authenticated identity"))
