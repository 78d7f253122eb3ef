"""`terraform show -json` plans become the same assets as .tf directories."""
from __future__ import annotations

from pathlib import Path

from crownjewel.model.assets import EdgeKind
from crownjewel.model.findings import Status
from crownjewel.pipeline import scan_paths

PLAN = Path(__file__).parent / "fixtures" / "plan.json"


def test_plan_resources_with_modules_and_indexes() -> None:
    result = scan_paths([str(PLAN)])
    assert not result.problems, [str(p) for p in result.problems]
    bucket = result.graph["module.registry.google_storage_bucket.models[0]"]
    assert bucket.name == "acme-model-registry"
    assert bucket.attrs["versioning"] is True and bucket.attrs["uniform_access"] is True
    assert bucket.source is not None and bucket.source.file == str(PLAN) and bucket.source.line > 1
    key = result.graph["google_kms_crypto_key.weights"]
    assert key.attrs["rotation_period_days"] == 180


def test_reference_through_a_module_variable_is_followed() -> None:
    result = scan_paths([str(PLAN)])
    by_rule = {(f.rule_id, f.asset.id): f for f in result.findings}
    cmek = by_rule[("storage.model-store-not-cmek", "module.registry.google_storage_bucket.models[0]")]
    # The key is null in planned_values (known after apply); the configuration says the module's
    # var.key is google_kms_crypto_key.weights.id, so the bucket is customer-managed with that key.
    assert cmek.status is Status.PASS, (cmek.status, cmek.evidence)
    assert result.graph.targets(cmek.asset.id, EdgeKind.ENCRYPTED_BY)[0].id == "google_kms_crypto_key.weights"
    rotation = by_rule[("kms.key-rotation-over-90-days", "google_kms_crypto_key.weights")]
    assert rotation.status is Status.FAIL
