"""References inside modules resolve inside the module, in .tf directories and in plans."""
from __future__ import annotations

import json
from pathlib import Path

from crownjewel.model.findings import Status
from crownjewel.pipeline import scan_paths

MODULE = """variable "name" {}
resource "google_storage_bucket" "b" {
  name     = var.name
  location = "EU"
}
resource "google_storage_bucket_iam_member" "pub" {
  bucket = google_storage_bucket.b.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}
"""

ROOT = """variable "env" {}
module "weights" {
  source = "./modules/pub"
  name   = "acme-model-weights-${var.env}"
}
resource "google_storage_bucket" "b" {
  name                     = "acme-model-registry"
  location                 = "EU"
  public_access_prevention = "enforced"
}
"""


def _status(result, rule: str, asset: str) -> Status:
    return next(f.status for f in result.findings if f.rule_id == rule and f.asset.id == asset)


def test_grant_in_a_module_lands_on_the_modules_bucket_not_the_roots(tmp_path: Path) -> None:
    (tmp_path / "modules" / "pub").mkdir(parents=True)
    (tmp_path / "modules" / "pub" / "main.tf").write_text(MODULE)
    (tmp_path / "main.tf").write_text(ROOT)
    result = scan_paths([str(tmp_path)], all_assets=True)
    assert _status(result, "storage.model-store-public", "module.weights.google_storage_bucket.b") is Status.FAIL
    assert _status(result, "storage.model-store-public", "google_storage_bucket.b") is Status.PASS
    assert not [a for a in result.graph.assets() if a.id.endswith(".name")], "no made-up asset for the reference"


def _res(address: str, type_: str, values: dict) -> dict:
    return {"address": address, "mode": "managed", "type": type_, "name": address.rsplit(".", 1)[-1],
            "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0, "values": values}


def test_plan_module_reference_resolves_inside_the_module(tmp_path: Path) -> None:
    plan = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"child_modules": [{"address": "module.store", "resources": [
            _res("module.store.aws_kms_key.k", "aws_kms_key", {"enable_key_rotation": True, "rotation_period_in_days": 90}),
            _res("module.store.aws_s3_bucket.models", "aws_s3_bucket", {"bucket": "acme-models"}),
            _res("module.store.aws_s3_bucket_server_side_encryption_configuration.e",
                 "aws_s3_bucket_server_side_encryption_configuration",
                 {"bucket": None, "rule": [{"apply_server_side_encryption_by_default": [
                     {"kms_master_key_id": None, "sse_algorithm": "aws:kms"}]}]}),
        ]}]}},
        "configuration": {"root_module": {"module_calls": {"store": {"source": "./store", "module": {"resources": [
            {"address": "aws_s3_bucket_server_side_encryption_configuration.e",
             "type": "aws_s3_bucket_server_side_encryption_configuration", "name": "e",
             "expressions": {"bucket": {"references": ["aws_s3_bucket.models.id", "aws_s3_bucket.models"]},
                             "rule": [{"apply_server_side_encryption_by_default": [
                                 {"kms_master_key_id": {"references": ["aws_kms_key.k.arn", "aws_kms_key.k"]},
                                  "sse_algorithm": {"constant_value": "aws:kms"}}]}]}},
        ]}}}}},
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=1))
    result = scan_paths([str(path)], all_assets=True)
    assert _status(result, "storage.model-store-not-cmek", "module.store.aws_s3_bucket.models") is Status.PASS
