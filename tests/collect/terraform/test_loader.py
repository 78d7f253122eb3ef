"""Loader behaviour found in review: nothing is skipped silently."""
from __future__ import annotations

import json
from pathlib import Path

from crownjewel.model.findings import Status
from crownjewel.pipeline import scan_paths

BUCKET = 'resource "google_storage_bucket" "models" {\n  name     = "acme-model-weights"\n  location = "EU"\n}\n'


def test_tf_json_files_are_scanned(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text(json.dumps(
        {"resource": {"google_storage_bucket": {"models": {"name": "acme-model-weights", "location": "EU"}}}}))
    result = scan_paths([str(tmp_path)])
    assert "google_storage_bucket.models" in result.graph


def test_directory_without_terraform_is_reported(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("nothing here")
    result = scan_paths([str(tmp_path)])
    assert any("no Terraform files" in p.message for p in result.problems)


def test_remote_module_not_downloaded_is_reported(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'module "weights_bucket" {\n  source = "terraform-aws-modules/s3-bucket/aws"\n  acl = "public-read"\n}\n')
    result = scan_paths([str(tmp_path)])
    assert any("terraform init" in p.message and p.line == 1 for p in result.problems), result.problems


def test_nested_local_module_source_is_relative_to_its_caller(tmp_path: Path) -> None:
    (tmp_path / "modules" / "a").mkdir(parents=True)
    (tmp_path / "modules" / "b").mkdir(parents=True)
    (tmp_path / "main.tf").write_text('module "a" {\n  source = "./modules/a"\n}\n')
    (tmp_path / "modules" / "a" / "main.tf").write_text('module "b" {\n  source = "../b"\n}\n')
    (tmp_path / "modules" / "b" / "main.tf").write_text(BUCKET)
    result = scan_paths([str(tmp_path)])
    assert not [p for p in result.problems if "not a directory" in p.message], result.problems
    assert "module.a.module.b.google_storage_bucket.models" in result.graph


def test_file_name_with_a_space_is_reported_and_the_rest_still_scanned(tmp_path: Path) -> None:
    (tmp_path / "good.tf").write_text(BUCKET)
    (tmp_path / "bad file.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = \n}\n')
    result = scan_paths([str(tmp_path)])
    assert any(p.path.endswith("bad file.tf") and p.line == 2 for p in result.problems), result.problems
    assert "google_storage_bucket.models" in result.graph


def test_single_file_sees_the_variables_and_modules_of_its_directory(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text('variable "key" {\n  default = "projects/p/locations/eu/keyRings/r/cryptoKeys/k"\n}\n')
    (tmp_path / "other.tf").write_text(BUCKET.replace('"models"', '"other"').replace("weights", "other"))
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text(BUCKET.replace('"models"', '"inner"'))
    (tmp_path / "main.tf").write_text(
        'resource "google_storage_bucket" "models" {\n  name     = "acme-model-weights"\n  location = "EU"\n'
        '  encryption {\n    default_kms_key_name = var.key\n  }\n}\nmodule "m" {\n  source = "./mod"\n}\n')
    result = scan_paths([str(tmp_path / "main.tf")])
    cmek = next(f for f in result.findings if f.rule_id == "storage.model-store-not-cmek"
                and f.asset.id == "google_storage_bucket.models")
    assert cmek.status is Status.PASS, cmek.evidence
    assert "module.m.google_storage_bucket.inner" in result.graph
    assert "google_storage_bucket.other" not in result.graph


def test_the_scanned_root_keeps_bare_addresses_beside_other_roots(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(BUCKET)
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "demo.tf").write_text(BUCKET)
    ids = {a.id for a in scan_paths([str(tmp_path)]).graph.assets()}
    assert {"google_storage_bucket.models", "examples/google_storage_bucket.models"} <= ids


def test_a_target_inside_another_is_scanned_once(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(BUCKET)
    result = scan_paths([str(tmp_path), str(tmp_path / "main.tf"), str(tmp_path)])
    assert [a.id for a in result.graph.assets()].count("google_storage_bucket.models") == 1
    assert not [a for a in result.graph.assets() if "@" in a.id]
    assert sum("already scanned" in p.message for p in result.problems) == 2


def test_dynamic_blocks_make_what_they_configure_unknown(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('''
resource "kubernetes_namespace_v1" "serving" {
  metadata {
    name = "model-serving"
  }
}
resource "kubernetes_network_policy_v1" "p" {
  metadata {
    name      = "p"
    namespace = "model-serving"
  }
  spec {
    pod_selector {}
    policy_types = ["Egress"]
    dynamic "egress" {
      for_each = ["0.0.0.0/0"]
      content {
        to {
          ip_block {
            cidr = egress.value
          }
        }
      }
    }
  }
}
resource "google_storage_bucket" "b" {
  name     = "acme-model-weights"
  location = "EU"
  dynamic "encryption" {
    for_each = ["projects/p/locations/eu/keyRings/r/cryptoKeys/k"]
    content {
      default_kms_key_name = encryption.value
    }
  }
  versioning {
    enabled = true
  }
}
''')
    result = scan_paths([str(tmp_path)])
    status = {(f.rule_id, f.asset.id): f.status for f in result.findings}
    # tfparse drops both dynamic blocks: neither a false PASS on egress nor a false FAIL on CMEK
    assert status[("k8s.ai-namespace-egress-unrestricted", "kubernetes_namespace_v1.serving")] is Status.UNKNOWN
    assert status[("storage.model-store-not-cmek", "google_storage_bucket.b")] is Status.UNKNOWN
    assert status[("storage.model-store-versioning-off", "google_storage_bucket.b")] is Status.PASS
    assert sum("dynamic block" in p.message for p in result.problems) == 2
