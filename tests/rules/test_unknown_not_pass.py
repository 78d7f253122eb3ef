"""What could not be read reads UNKNOWN, never PASS (cases found in review)."""
from __future__ import annotations

from pathlib import Path

from crownjewel.model.findings import Status
from crownjewel.pipeline import scan_paths


def _scan(tmp_path: Path, text: str, rule: str) -> dict[str, Status]:
    (tmp_path / "main.tf").write_text(text)
    result = scan_paths([str(tmp_path)], all_assets=True)
    return {f.asset.id: f.status for f in result.findings if f.rule_id == rule}


def test_grant_to_a_member_from_a_variable_is_unknown(tmp_path: Path) -> None:
    got = _scan(tmp_path, """variable "member" {}
variable "role" {}
resource "google_storage_bucket" "w" {
  name     = "acme-model-weights"
  location = "EU"
}
resource "google_storage_bucket_iam_member" "who" {
  bucket = google_storage_bucket.w.name
  role   = "roles/storage.objectViewer"
  member = var.member
}
resource "google_storage_bucket_iam_member" "domain" {
  bucket = google_storage_bucket.w.name
  role   = var.role
  member = "domain:example.com"
}
""", "iam.broad-role-on-model-store")
    assert got["google_storage_bucket_iam_member.who"] is Status.UNKNOWN
    assert got["google_storage_bucket_iam_member.domain"] is Status.FAIL  # a whole domain, whatever the role


def test_reads_audited_needs_the_buckets_project(tmp_path: Path) -> None:
    got = _scan(tmp_path, """variable "project" {}
resource "google_storage_bucket" "w" {
  name     = "acme-model-weights"
  location = "EU"
  project  = var.project
}
resource "google_project_iam_audit_config" "other" {
  project = "some-unrelated-sandbox"
  service = "allServices"
  audit_log_config {
    log_type = "DATA_READ"
  }
}
""", "logging.model-store-reads-not-audited")
    assert got["google_storage_bucket.w"] is Status.UNKNOWN
