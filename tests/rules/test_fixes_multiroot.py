"""Fixes stay valid Terraform when one scan covers several roots, modules called more than once,
and blocks with `count` / `for_each`: references are in-module addresses and every supporting
resource is declared once."""
from __future__ import annotations

import re
import shutil
from importlib import resources
from pathlib import Path

import pytest
import tfparse

from crownjewel.fixapply import apply_fixes, findings_fixes
from crownjewel.pipeline import ScanOptions, scan_paths
from crownjewel.rules.fixes._text import block_ref, label, local_ref, templated

_HEADER = re.compile(r'^(resource|data)\s+"([^"]+)"\s+"([^"]+)"', re.MULTILINE)


def fix_all(path: Path, rounds: int = 10) -> list[str]:
    """Scan `path` and apply every fix until none is left; returns the last scan's problems."""
    for _ in range(rounds):
        result = scan_paths([str(path)], options=ScanOptions())
        assert not result.input_errors, [str(p) for p in result.problems]
        fixes = findings_fixes(result.findings)
        if not fixes:
            return [str(p) for p in result.problems]
        apply_fixes(fixes)
    raise AssertionError("fixes did not converge: " + str([(f.rule_id, f.asset.id) for f in result.findings
                                                          if f.counts and f.fix]))


def assert_valid(path: Path, roots: list[Path], problems: list[str]) -> None:
    """No duplicate address, every root parses, no root prefix inside an expression."""
    assert not [p for p in problems if "duplicate resource address" in p], problems
    for root in roots:
        tfparse.load_from_path(str(root), stop_on_hcl_error=True)  # raises on invalid HCL
    for file in path.rglob("*.tf"):
        text = file.read_text(encoding="utf-8")
        headers = _HEADER.findall(text)
        assert len(headers) == len(set(headers)), sorted(h for h in headers if headers.count(h) > 1)
        for n, line in enumerate(text.splitlines(), 1):
            code = line.split("#", 1)[0]
            assert not re.search(r"\b(?:insecure|secure)/", code), f"{file}:{n}: {line}"
            assert "module." not in code or "source" in code, f"{file}:{n}: {line}"


def test_estate_fixes_across_two_roots_are_valid_terraform(tmp_path: Path) -> None:
    estate = resources.files("crownjewel.examples") / "estate" / "terraform"
    with resources.as_file(estate) as src:
        shutil.copytree(src, tmp_path / "estate")
    path = tmp_path / "estate"
    problems = fix_all(path)
    assert_valid(path, [path / "insecure", path / "secure"], problems)
    fixed = (path / "insecure" / "azure_k8s.tf").read_text(encoding="utf-8")
    assert "storage_account_id = azurerm_storage_account.models.id" in fixed
    assert "namespace = kubernetes_namespace_v1.serving.metadata[0].name" in fixed


COUNTED = """
variable "regions" {
  default = ["europe-west4", "us-central1"]
}

resource "google_storage_bucket" "cnt" {
  count    = 2
  name     = "acme-model-weights-${count.index}"
  location = "EU"
  project  = "acme-ml"
}

resource "google_storage_bucket" "fe" {
  for_each = toset(["a", "b"])
  name     = "acme-model-${each.key}"
  location = each.key == "a" ? "EU" : "US"
}

resource "google_vertex_ai_dataset" "ds" {
  count               = 2
  display_name        = "training-${count.index}"
  metadata_schema_uri = "gs://google-cloud-aiplatform/schema/dataset/metadata/image_1.0.0.yaml"
  region              = var.regions[count.index]
}

resource "google_compute_network" "net" {
  count = 2
  name  = "ml-net-${count.index}"
}

resource "aws_s3_bucket" "models" {
  count  = 2
  bucket = "acme-models-${count.index}"
}

resource "aws_vpc" "ml" {
  count      = 2
  cidr_block = "10.${count.index}.0.0/16"
  tags = {
    data_classification = "model-weights"
  }
}

resource "azurerm_resource_group" "rg" {
  name     = "ml"
  location = "westeurope"
}

resource "azurerm_storage_account" "weights" {
  count                    = 2
  name                     = "acmeweights${count.index}"
  resource_group_name      = azurerm_resource_group.rg.name
  location                 = azurerm_resource_group.rg.location
  account_tier             = "Standard"
  account_replication_type = "GRS"
  tags = {
    data_classification = "model-weights"
  }
}

resource "kubernetes_namespace_v1" "ml" {
  for_each = toset(["training", "inference"])
  metadata {
    name = each.key
    labels = {
      "ai" = "true"
    }
  }
}
"""


def test_counted_blocks_get_each_supporting_resource_once(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(COUNTED, encoding="utf-8")
    problems = fix_all(tmp_path)
    assert_valid(tmp_path, [tmp_path], problems)
    fixed = (tmp_path / "main.tf").read_text(encoding="utf-8")
    # one log bucket per model bucket, named from the block's own name expression
    assert fixed.count('resource "google_storage_bucket" "cnt_access_logs"') == 1
    assert 'name                        = "access-logs-${substr(sha256("acme-model-weights-${count.index}"), 0, 12)}"' \
        in fixed
    assert "log_bucket = google_storage_bucket.cnt_access_logs[count.index].name" in fixed
    # the same location for every instance: one shared key; per-instance locations: a key each
    assert "default_kms_key_name = google_kms_crypto_key.cnt_cmek.id" in fixed
    assert "default_kms_key_name = google_kms_crypto_key.fe_cmek[each.key].id" in fixed
    assert 'name     = "ds-cmek-${count.index}"' in fixed
    assert "upper(var.regions[count.index])" in fixed
    assert "network       = google_compute_network.net[count.index].id" in fixed
    assert 'name          = "ml-net-${count.index}-logged"' in fixed
    assert 'target_prefix = "acme-models-${count.index}/"' in fixed
    assert "vpc_id                   = aws_vpc.ml[count.index].id" in fixed
    assert "storage_account_id = azurerm_storage_account.weights[count.index].id" in fixed
    assert 'name         = "acmeweights${count.index}-cmek"' in fixed
    assert "namespace = kubernetes_namespace_v1.ml[each.key].metadata[0].name" in fixed


def test_module_called_twice_gets_one_text_per_supporting_resource(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    (tmp_path / "main.tf").write_text("""
module "a" {
  source   = "./mod"
  name     = "acme-model-a"
  location = "EU"
}

module "b" {
  source   = "./mod"
  name     = "acme-model-b"
  location = "US"
}
""", encoding="utf-8")
    (tmp_path / "mod" / "main.tf").write_text("""
variable "name" {}
variable "location" {}

resource "google_storage_bucket" "m" {
  name     = var.name
  location = var.location
}
""", encoding="utf-8")
    problems = fix_all(tmp_path)
    assert_valid(tmp_path, [tmp_path], problems)
    fixed = (tmp_path / "mod" / "main.tf").read_text(encoding="utf-8")
    # what differs between the calls is left to Terraform, not resolved from one call
    assert 'name                        = "access-logs-${substr(sha256(var.name), 0, 12)}"' in fixed
    assert "upper(var.location)" in fixed


@pytest.mark.parametrize(("asset_id", "local", "name"), [
    ("google_storage_bucket.b", "google_storage_bucket.b", "b"),
    ("insecure/google_storage_bucket.b[0]", "google_storage_bucket.b[0]", "b"),
    ('module.m.google_storage_bucket.b["k"]', 'google_storage_bucket.b["k"]', "b"),
    ("google_storage_bucket.b@12", "google_storage_bucket.b", "b"),
    ('envs/prod/module.m["x/y"].aws_s3_bucket.b["a/b"]@7', 'aws_s3_bucket.b["a/b"]', "b"),
    ('aws_s3_bucket.b["x@1"]', 'aws_s3_bucket.b["x@1"]', "b"),
    ("prod/google_storage_bucket_iam_policy.p#roles/storage.admin", "google_storage_bucket_iam_policy.p", "p"),
    ("google_project_iam_policy.p#roles/owner#2@40", "google_project_iam_policy.p", "p"),
    ("data.aws_iam_policy_document.d", "data.aws_iam_policy_document.d", "d"),
])
def test_addresses_written_into_fixes(asset_id: str, local: str, name: str) -> None:
    assert local_ref(asset_id) == local
    assert label(asset_id) == name
    assert block_ref(asset_id) == re.sub(r"\[[^\]]*\]$", "", local)


def test_templated_names() -> None:
    assert templated('"models"', "-logs", "x") == '"models-logs"'
    assert templated('"m-${count.index}"', "-logs", "x") == '"m-${count.index}-logs"'
    assert templated("var.name", "-logs", "x") == '"${var.name}-logs"'
    assert templated(None, "-logs", "x") == '"x-logs"'
