"""Google Cloud fixes: built from the user's real blocks, valid Terraform, and passing on rescan."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from crownjewel.fixapply import apply_fixes
from crownjewel.model.findings import Finding, Status
from crownjewel.pipeline import ScanOptions, scan_paths
from crownjewel.rules.fixes.gcp import kms_location, label
from crownjewel.rules.fixes.gcp_grants import narrow_role, strip_tokens

BUCKET = """
resource "google_storage_bucket" "models" {
  name     = "acme-model-weights"
  location = "EU"
  project  = "acme-ml"
}
"""


def failing(tmp_path: Path, rule_id: str) -> list[Finding]:
    result = scan_paths([str(tmp_path)], options=ScanOptions(only_rules=(rule_id,)))
    assert not result.input_errors, [str(p) for p in result.problems]
    return [f for f in result.findings if f.status is Status.FAIL]


def fix_and_rescan(tmp_path: Path, text: str, rule_id: str) -> str:
    """Apply the rule's fixes (up to three rounds) and return the fixed file; the rule must pass."""
    main = tmp_path / "main.tf"
    main.write_text(text, encoding="utf-8")
    assert failing(tmp_path, rule_id), "the input should fail the rule"
    for _ in range(3):
        failed = failing(tmp_path, rule_id)
        if not failed:
            break
        assert all(f.fix is not None for f in failed)
        apply_fixes(f.fix for f in failed if f.fix)
    assert not failing(tmp_path, rule_id), main.read_text()
    return main.read_text()


def test_cmek_fix_keeps_the_block_and_maps_the_location(tmp_path: Path) -> None:
    text = BUCKET.replace('  project  = "acme-ml"\n', '  project  = "acme-ml" # prod\n')
    fixed = fix_and_rescan(tmp_path, text, "storage.model-store-not-cmek")
    assert 'project  = "acme-ml" # prod' in fixed  # comments and layout survive
    assert 'resource "google_kms_crypto_key" "models_cmek"' in fixed
    assert 'location = "europe"' in fixed  # the KMS location of the EU multi-region
    assert 'rotation_period = "7776000s"' in fixed
    assert "default_kms_key_name = google_kms_crypto_key.models_cmek.id" in fixed
    assert "google_storage_project_service_account" in fixed and "depends_on" in fixed


def test_public_grants_removed_from_bindings_data_policies_and_acls(tmp_path: Path) -> None:
    text = BUCKET + """
resource "google_storage_bucket_iam_binding" "readers" {
  bucket  = google_storage_bucket.models.name
  role    = "roles/storage.objectViewer"
  members = ["allUsers", "serviceAccount:serving@acme-ml.iam.gserviceaccount.com"]
}

data "google_iam_policy" "p" {
  binding {
    role    = "roles/storage.legacyObjectReader"
    members = ["allUsers"]
  }
  binding {
    role    = "roles/storage.objectAdmin"
    members = ["group:pipeline@acme.example"]
  }
}

resource "google_storage_bucket_iam_policy" "p" {
  bucket      = google_storage_bucket.models.name
  policy_data = data.google_iam_policy.p.policy_data
}

resource "google_storage_default_object_access_control" "public" {
  bucket = google_storage_bucket.models.name
  role   = "READER"
  entity = "allUsers"
}
"""
    fixed = fix_and_rescan(tmp_path, text, "storage.model-store-public")
    assert "allUsers" not in fixed
    assert 'members = ["serviceAccount:serving@acme-ml.iam.gserviceaccount.com"]' in fixed
    assert "roles/storage.legacyObjectReader" not in fixed and "group:pipeline@acme.example" in fixed
    assert "google_storage_default_object_access_control" not in fixed
    assert 'public_access_prevention = "enforced"' in fixed


def test_inline_json_policy_stays_json(tmp_path: Path) -> None:
    text = BUCKET + """
resource "google_storage_bucket_iam_policy" "p" {
  bucket      = google_storage_bucket.models.name
  policy_data = <<EOT
{"bindings": [{"role": "roles/storage.objectViewer",
               "members": ["user:ana@acme.example", "allAuthenticatedUsers"]}]}
EOT
}
"""
    fixed = fix_and_rescan(tmp_path, text, "storage.model-store-authenticated-users")
    heredoc = fixed.split("<<EOT\n", 1)[1].split("EOT", 1)[0]
    assert json.loads(heredoc) == {"bindings": [{"role": "roles/storage.objectViewer",
                                                 "members": ["user:ana@acme.example"]}]}


def test_broad_binding_narrowed_and_domain_dropped(tmp_path: Path) -> None:
    text = BUCKET + """
resource "google_storage_bucket_iam_binding" "research" {
  bucket = google_storage_bucket.models.name
  role   = "roles/storage.admin"
  members = [
    "domain:acme.example",
    "serviceAccount:trainer@acme-ml.iam.gserviceaccount.com",
  ]
}
"""
    fixed = fix_and_rescan(tmp_path, text, "iam.broad-role-on-model-store")
    assert 'role   = "roles/storage.objectViewer"' in fixed
    assert "domain:acme.example" not in fixed and "serviceAccount:trainer@" in fixed


def test_reads_audit_fix_appends_a_storage_config_next_to_an_unrelated_one(tmp_path: Path) -> None:
    text = BUCKET + """
resource "google_project_iam_audit_config" "bq" {
  project = "acme-ml"
  service = "bigquery.googleapis.com"
  audit_log_config { log_type = "DATA_READ" }
}
"""
    fixed = fix_and_rescan(tmp_path, text, "logging.model-store-reads-not-audited")
    assert 'resource "google_project_iam_audit_config" "models_data_access"' in fixed
    assert 'service = "storage.googleapis.com"' in fixed and fixed.count('log_type = "DATA_READ"') == 2


def test_auto_mode_network_becomes_custom_with_a_logged_subnet(tmp_path: Path) -> None:
    text = """
resource "google_compute_network" "ml" {
  name = "ml-vpc"
}
"""
    fixed = fix_and_rescan(tmp_path, text, "network.ai-network-no-flow-logs")
    assert "auto_create_subnetworks = false" in fixed
    assert 'resource "google_compute_subnetwork" "ml_logged"' in fixed and "log_config" in fixed


def test_fix_of_a_vertex_resource_without_region_uses_the_provider_region(tmp_path: Path) -> None:
    text = """
resource "google_vertex_ai_tensorboard" "runs" {
  display_name = "runs"
}
"""
    fixed = fix_and_rescan(tmp_path, text, "ai.resource-not-cmek")
    assert 'data "google_client_config" "current"' in fixed
    assert "location = data.google_client_config.current.region" in fixed
    assert "gcp-sa-aiplatform.iam.gserviceaccount.com" in fixed


@pytest.mark.parametrize(("address", "expected"), [
    ("google_storage_bucket.models", "models"),
    ('module.ml.google_storage_bucket.each["a.b"]', "each"),
    ("google_storage_bucket_iam_policy.p#roles/storage.admin", "p"),
    ("google_project_iam_audit_config.dup@37", "dup"),
])
def test_label(address: str, expected: str) -> None:
    assert label(address) == expected


def test_strip_tokens_keeps_lists_valid() -> None:
    token = r'"(?:[A-Za-z]+:)?(?:allUsers|allAuthenticatedUsers)"'
    assert strip_tokens('m = ["allUsers", "user:a"]', token) == 'm = ["user:a"]'
    assert strip_tokens('m = ["user:a", "allUsers"]', token) == 'm = ["user:a"]'
    assert strip_tokens('m = ["allUsers"]', token) == "m = []"
    assert strip_tokens('m = [\n  "user:a",\n  "allUsers",\n]\n', token) == 'm = [\n  "user:a"\n]\n'
    assert strip_tokens('e = ["READER:allUsers", "OWNER:user-a"]', token) == 'e = ["OWNER:user-a"]'


def test_narrow_role() -> None:
    assert narrow_role("roles/aiplatform.admin", "google_project_iam_member") == "roles/aiplatform.viewer"
    assert narrow_role("roles/owner", "google_kms_crypto_key_iam_binding") == "roles/cloudkms.viewer"
    assert narrow_role("roles/editor", "google_artifact_registry_repository_iam_member") == \
        "roles/artifactregistry.reader"


def test_kms_location_for_a_referenced_location() -> None:
    from crownjewel.model.assets import Asset, Kind

    asset = Asset("google_storage_bucket.b", Kind.OBJECT_STORE, "gcp", "b", "google_storage_bucket")
    block = 'resource "google_storage_bucket" "b" {\n  location = var.location\n}\n'
    assert kms_location(asset, block, "location") == (
        'lookup({ EU = "europe", US = "us", ASIA = "asia" }, upper(var.location), lower(var.location))')


def fixed_once(tmp_path: Path, text: str, rule_id: str) -> str:
    """Fix until the rule passes; the rescan must not find two resources with one address."""
    fixed = fix_and_rescan(tmp_path, text, rule_id)
    result = scan_paths([str(tmp_path)], options=ScanOptions(only_rules=(rule_id,)))
    assert not [p for p in result.problems if "duplicate resource address" in str(p)], \
        [str(p) for p in result.problems]
    return fixed


COUNTED_BUCKET = """
resource "google_storage_bucket" "cnt" {
  count    = 2
  name     = "acme-model-weights-${count.index}"
  location = "EU"
  project  = "acme-ml"
}
"""


def test_access_logs_of_a_counted_bucket_are_declared_once(tmp_path: Path) -> None:
    fixed = fixed_once(tmp_path, COUNTED_BUCKET, "logging.model-store-access-logging-off")
    assert fixed.count('resource "google_storage_bucket" "cnt_access_logs"') == 1
    assert fixed.count('resource "google_storage_bucket_iam_member" "cnt_access_logs_writer"') == 1
    # one log bucket per model bucket: it repeats the count, named from the block's name expression
    assert "log_bucket = google_storage_bucket.cnt_access_logs[count.index].name" in fixed
    assert '"access-logs-${substr(sha256("acme-model-weights-${count.index}"), 0, 12)}"' in fixed


def test_access_log_bucket_of_a_literal_name_keeps_its_hashed_name(tmp_path: Path) -> None:
    import hashlib

    fixed = fixed_once(tmp_path, BUCKET, "logging.model-store-access-logging-off")
    assert f'"access-logs-{hashlib.sha256(b"acme-model-weights").hexdigest()[:12]}"' in fixed
    assert "log_bucket = google_storage_bucket.models_access_logs.name" in fixed


def test_cmek_of_a_counted_bucket_shares_one_key(tmp_path: Path) -> None:
    fixed = fixed_once(tmp_path, COUNTED_BUCKET, "storage.model-store-not-cmek")
    assert fixed.count('resource "google_kms_crypto_key" "cnt_cmek"') == 1
    assert fixed.count('resource "google_kms_key_ring" "cnt_cmek"') == 1
    assert "default_kms_key_name = google_kms_crypto_key.cnt_cmek.id" in fixed


def test_cmek_of_instances_in_different_locations_repeats_the_key(tmp_path: Path) -> None:
    text = """
resource "google_vertex_ai_dataset" "ds" {
  for_each            = { eu = "europe-west4", us = "us-central1" }
  display_name        = "training-${each.key}"
  metadata_schema_uri = "gs://google-cloud-aiplatform/schema/dataset/metadata/image_1.0.0.yaml"
  region              = each.value
}
"""
    fixed = fixed_once(tmp_path, text, "ai.resource-not-cmek")
    assert fixed.count('resource "google_kms_key_ring" "ds_cmek"') == 1
    ring = fixed.split('resource "google_kms_key_ring" "ds_cmek"')[1].split("\n}\n")[0]
    assert 'for_each = { eu = "europe-west4", us = "us-central1" }' in ring
    assert 'name     = "ds-cmek-${each.key}"' in ring and "upper(each.value)" in ring
    assert "kms_key_name = google_kms_crypto_key.ds_cmek[each.key].id" in fixed
    assert "crypto_key_id = google_kms_crypto_key.ds_cmek[each.key].id" in fixed


def test_flow_logs_of_a_counted_network_add_one_subnet_block(tmp_path: Path) -> None:
    text = """
resource "google_compute_network" "net" {
  count = 2
  name  = "ml-net-${count.index}"
  labels = {
    data_classification = "model-weights"
  }
}
"""
    path = tmp_path / "main.tf"
    path.write_text(text, encoding="utf-8")
    result = scan_paths([str(tmp_path)], options=ScanOptions(only_rules=("network.ai-network-no-flow-logs",),
                                                             all_assets=True))
    fixes = [f.fix for f in result.findings if f.status is Status.FAIL and f.fix]
    assert len(fixes) == 2
    appended = [e.replacement for fix in fixes for e in fix.edits if e.start is None]
    assert len(appended) == 2 and appended[0] == appended[1]  # the same text: added once
    assert 'name          = "ml-net-${count.index}-logged"' in appended[0]
    assert "network       = google_compute_network.net[count.index].id" in appended[0]


def test_project_audit_config_of_a_counted_project(tmp_path: Path) -> None:
    text = """
resource "google_project" "p" {
  count      = 2
  name       = "ml-${count.index}"
  project_id = "acme-ml-${count.index}"
}
"""
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    result = scan_paths([str(tmp_path)], options=ScanOptions(
        only_rules=("logging.project-data-access-not-audited",), all_assets=True))
    appended = {e.replacement for f in result.findings if f.status is Status.FAIL and f.fix
                for e in f.fix.edits if e.start is None}
    assert len(appended) == 1, appended
    (config,) = appended
    assert "project = google_project.p[count.index].project_id" in config and "count = 2" in config


@pytest.mark.parametrize(("address", "expected"), [
    ("insecure/google_storage_bucket.b[0]", "b"),
    ('module.m.google_storage_bucket.b["k"]', "b"),
    ("google_storage_bucket.b@12", "b"),
    ("prod/google_storage_bucket_iam_policy.p#roles/storage.admin@3", "p"),
])
def test_label_of_prefixed_and_indexed_addresses(address: str, expected: str) -> None:
    assert label(address) == expected


def test_kms_location_follows_the_block_not_one_instance() -> None:
    from crownjewel.model.assets import Asset, Kind

    # a module called with "US" resolved this instance's location; the block says var.location
    asset = Asset("module.a.google_storage_bucket.b", Kind.OBJECT_STORE, "gcp", "b", "google_storage_bucket",
                  region="US")
    block = 'resource "google_storage_bucket" "b" {\n  location = var.location\n}\n'
    assert "upper(var.location)" in kms_location(asset, block, "location")
    assert kms_location(asset, block.replace("var.location", '"EU"'), "location") == '"europe"'
    assert kms_location(asset, 'resource "google_storage_bucket" "b" {\n}\n', "location") == '"us"'
