"""google_* resources become the shared model: buckets, keys, IAM, audit configs, networks, Vertex AI."""
from __future__ import annotations

from pathlib import Path

from crownjewel.collect.problems import InputProblem
from crownjewel.collect.terraform.loader import TfInput, load_directory
from crownjewel.collect.terraform.normalize import normalize
from crownjewel.model.assets import EdgeKind, Kind
from crownjewel.model.graph import EstateGraph, GraphBuilder


def load(tmp_path: Path, text: str) -> tuple[EstateGraph, list[InputProblem]]:
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    inp = TfInput()
    load_directory(tmp_path, inp)
    assert not [p for p in inp.problems if p.level == "error"], [str(p) for p in inp.problems]
    builder = GraphBuilder()
    normalize(inp.resources, builder, inp.problems)
    return builder.freeze(), inp.problems


def graph_of(tmp_path: Path, text: str) -> EstateGraph:
    return load(tmp_path, text)[0]


def edges(graph: EstateGraph, kind: EdgeKind) -> set[tuple[str, str]]:
    return {(e.src, e.dst) for e in graph.edges if e.kind is kind}


KEY = """
resource "google_kms_key_ring" "ai" {
  name     = "ai"
  location = "europe"
  project  = "acme-ml"
}

resource "google_kms_crypto_key" "weights" {
  name            = "weights"
  key_ring        = google_kms_key_ring.ai.id
  rotation_period = "7776000s"
}
"""


def test_bucket_defaults(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "google_storage_bucket" "models" {
  name     = "acme-models"
  location = "EU"
  project  = "acme-ml"
  labels   = { team = "research" }
}
""")
    b = g["google_storage_bucket.models"]
    assert b.kind is Kind.OBJECT_STORE and b.provider == "gcp" and b.name == "acme-models"
    assert dict(b.attrs) == {
        "encryption": "provider-managed", "versioning": False, "uniform_access": False,
        "public_access_prevention": False, "access_logging": False, "retention_locked": False,
        "public_grants": (), "authenticated_grants": (),
    }
    assert b.account == "acme-ml" and b.region == "EU" and dict(b.tags) == {"team": "research"}
    assert g["gcp-project:acme-ml"].kind is Kind.ACCOUNT
    assert g["gcp-project:acme-ml"].get("project") == "acme-ml"
    assert ("google_storage_bucket.models", "gcp-project:acme-ml") in edges(g, EdgeKind.IN_ACCOUNT)


def test_bucket_fully_configured_with_key_and_log_bucket(tmp_path: Path) -> None:
    g = graph_of(tmp_path, KEY + """
resource "google_storage_bucket" "logs" {
  name     = "acme-logs"
  location = "EU"
}

resource "google_storage_bucket" "models" {
  name                        = "acme-models"
  location                    = "EU"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  versioning { enabled = true }
  encryption { default_kms_key_name = google_kms_crypto_key.weights.id }
  logging { log_bucket = google_storage_bucket.logs.name }
  retention_policy {
    retention_period = 86400
    is_locked        = true
  }
}
""")
    b = g["google_storage_bucket.models"]
    assert b.get("encryption") == "customer-managed"
    assert b.get("kms_key") == "google_kms_crypto_key.weights"
    assert b.get("versioning") is True and b.get("uniform_access") is True
    assert b.get("public_access_prevention") is True and b.get("retention_locked") is True
    assert b.get("access_logging") is True and b.get("log_target") == "google_storage_bucket.logs"
    assert ("google_storage_bucket.models", "google_kms_crypto_key.weights") in edges(g, EdgeKind.ENCRYPTED_BY)
    assert ("google_storage_bucket.models", "google_storage_bucket.logs") in edges(g, EdgeKind.LOGS_TO)


def test_inherited_prevention_versioning_attribute_form_and_self_logging(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "google_storage_bucket" "models" {
  name                     = "acme-models"
  location                 = "EU"
  public_access_prevention = "inherited"
  versioning = {
    enabled = false
  }
  logging { log_bucket = "acme-models" }
  encryption { default_kms_key_name = "projects/p/locations/europe/keyRings/r/cryptoKeys/k" }
}
""")
    b = g["google_storage_bucket.models"]
    assert b.get("public_access_prevention") is False and b.get("versioning") is False
    assert b.get("log_target") == "google_storage_bucket.models"
    # a key outside the estate: customer-managed, kept by name, no edge
    assert b.get("encryption") == "customer-managed"
    assert b.get("kms_key") == "projects/p/locations/europe/keyRings/r/cryptoKeys/k"
    assert not edges(g, EdgeKind.ENCRYPTED_BY)


def test_unresolved_references_are_unknown(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
variable "key" {}
variable "ubla" {}
variable "pap" {}

resource "google_storage_bucket" "models" {
  name                        = "acme-models"
  location                    = "EU"
  uniform_bucket_level_access = var.ubla
  public_access_prevention    = var.pap
  encryption { default_kms_key_name = var.key }
}
""")
    b = g["google_storage_bucket.models"]
    for key in ("encryption", "uniform_access", "public_access_prevention"):
        assert not b.knows(key)
        assert "var." in b.why_unknown(key), b.why_unknown(key)
    assert b.get("versioning") is False


def test_capitalised_boolean_reads_the_source(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "google_storage_bucket" "on" {
  name                        = "a-models"
  location                    = "EU"
  uniform_bucket_level_access = True
}

resource "google_storage_bucket" "off" {
  name                        = "b-models"
  location                    = "EU"
  uniform_bucket_level_access = False
}
""")
    assert g["google_storage_bucket.on"].get("uniform_access") is True
    assert g["google_storage_bucket.off"].get("uniform_access") is False


def test_grants_land_on_the_right_bucket_among_several(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
variable "names" { default = ["a-models", "b-models"] }

resource "google_storage_bucket" "each" {
  for_each = toset(var.names)
  name     = each.value
  location = "EU"
}

resource "google_storage_bucket" "counted" {
  count    = 2
  name     = "c-models-${count.index}"
  location = "EU"
}

resource "google_storage_bucket_iam_member" "pub" {
  bucket = google_storage_bucket.each["b-models"].name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

resource "google_storage_bucket_iam_binding" "auth" {
  bucket  = "c-models-1"
  role    = "roles/storage.objectViewer"
  members = ["allAuthenticatedUsers", "user:ana@acme.example"]
}

data "google_iam_policy" "viewers" {
  binding {
    role    = "roles/storage.objectViewer"
    members = ["allUsers"]
  }
  binding {
    role    = "roles/storage.admin"
    members = ["group:ml@acme.example"]
  }
}

resource "google_storage_bucket_iam_policy" "policy" {
  bucket      = google_storage_bucket.counted[0].name
  policy_data = data.google_iam_policy.viewers.policy_data
}

resource "google_storage_bucket_acl" "acl" {
  bucket         = "a-models"
  predefined_acl = "publicRead"
}
""")
    a, b = g['google_storage_bucket.each["a-models"]'], g['google_storage_bucket.each["b-models"]']
    c0, c1 = g["google_storage_bucket.counted[0]"], g["google_storage_bucket.counted[1]"]
    assert b.get("public_grants") == (
        "google_storage_bucket_iam_member.pub grants roles/storage.objectViewer to allUsers",)
    assert b.get("authenticated_grants") == ()
    assert c1.get("authenticated_grants") == (
        "google_storage_bucket_iam_binding.auth grants roles/storage.objectViewer to allAuthenticatedUsers",)
    assert c1.get("public_grants") == ()
    assert c0.get("public_grants") == (("google_storage_bucket_iam_policy.policy#roles/storage.objectViewer "
                                       "grants roles/storage.objectViewer to allUsers"),)
    assert a.get("public_grants") == ("google_storage_bucket_acl.acl sets bucket acl predefined_acl publicRead",)
    assert dict(a.get("tf_sources"))["acl:google_storage_bucket_acl.acl"].line > 1
    # one ROLE_BINDING per binding of the policy, each pointing at its data-source block
    admin = g["google_storage_bucket_iam_policy.policy#roles/storage.admin"]
    assert admin.kind is Kind.ROLE_BINDING and admin.get("members") == ("group:ml@acme.example",)
    assert admin.get("resource") == "google_storage_bucket.counted[0]"
    assert admin.get("resource_level") == "resource" and admin.get("condition") is None
    assert dict(admin.get("tf_sources"))["binding"].line > 1
    grants = edges(g, EdgeKind.GRANTS)
    assert ("google_storage_bucket_iam_member.pub", 'google_storage_bucket.each["b-models"]') in grants
    assert ("google_storage_bucket_iam_binding.auth", "google_storage_bucket.counted[1]") in grants


def test_unresolvable_members_make_grants_unknown(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
variable "who" {}

resource "google_storage_bucket" "models" {
  name     = "acme-models"
  location = "EU"
}

resource "google_storage_bucket" "data" {
  name     = "acme-training-data"
  location = "EU"
}

resource "google_storage_bucket_iam_member" "who" {
  bucket = google_storage_bucket.models.name
  role   = "roles/storage.objectViewer"
  member = var.who
}

resource "google_storage_bucket_iam_member" "sa" {
  bucket = google_storage_bucket.data.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.trainer.email}"
}

resource "google_service_account" "trainer" { account_id = "trainer" }
""")
    models = g["google_storage_bucket.models"]
    assert not models.knows("public_grants") and "google_storage_bucket_iam_member.who" in models.why_unknown(
        "public_grants")
    assert not g["google_storage_bucket_iam_member.who"].knows("members")
    # a typed member with an unresolved email is still not public
    assert g["google_storage_bucket.data"].get("public_grants") == ()


def test_kms_keys_rotation_purpose_ring_and_ring_grants(tmp_path: Path) -> None:
    g, problems = load(tmp_path, KEY + """
resource "google_kms_crypto_key" "never" {
  name     = "never"
  key_ring = google_kms_key_ring.ai.id
  purpose  = "ASYMMETRIC_SIGN"
}

resource "google_kms_crypto_key" "broken" {
  name            = "broken"
  key_ring        = google_kms_key_ring.ai.id
  rotation_period = 90
}

resource "google_kms_key_ring_iam_member" "everyone" {
  key_ring_id = google_kms_key_ring.ai.id
  role        = "roles/cloudkms.cryptoKeyDecrypter"
  member      = "allUsers"
}
""")
    key = g["google_kms_crypto_key.weights"]
    assert key.kind is Kind.CRYPTO_KEY and key.get("rotation_period_days") == 90.0
    assert key.get("managed_by") == "customer" and key.get("purpose") == "ENCRYPT_DECRYPT"
    assert key.get("key_ring") == "google_kms_key_ring.ai"
    assert key.account == "acme-ml" and key.region == "europe"
    never = g["google_kms_crypto_key.never"]
    assert never.knows("rotation_period_days") and never.get("rotation_period_days") is None
    assert never.get("purpose") == "ASYMMETRIC_SIGN"
    assert g["google_kms_crypto_key.broken"].get("rotation_period_days") is None
    assert any("rotation_period 90" in p.message for p in problems)
    for address in ("google_kms_crypto_key.weights", "google_kms_crypto_key.never"):
        assert g[address].get("public_grants") == (
            "google_kms_key_ring_iam_member.everyone grants roles/cloudkms.cryptoKeyDecrypter to allUsers",)
    assert ("google_kms_crypto_key.weights", "google_kms_key_ring.ai") in edges(g, EdgeKind.PART_OF)
    assert g["google_kms_key_ring.ai"].get("location") == "europe"


def test_key_policies_in_json_and_heredoc(tmp_path: Path) -> None:
    g, problems = load(tmp_path, KEY + """
resource "google_kms_crypto_key_iam_policy" "json" {
  crypto_key_id = google_kms_crypto_key.weights.id
  policy_data = jsonencode({
    bindings = [{ role = "roles/cloudkms.cryptoKeyDecrypter", members = ["allAuthenticatedUsers"] }]
  })
}

resource "google_kms_crypto_key_iam_policy" "broken" {
  crypto_key_id = google_kms_crypto_key.weights.id
  policy_data   = <<EOT
    "bindings"
EOT
}
""")
    assert g["google_kms_crypto_key.weights"].get("authenticated_grants") == (
        ("google_kms_crypto_key_iam_policy.json#roles/cloudkms.cryptoKeyDecrypter grants "
        "roles/cloudkms.cryptoKeyDecrypter to allAuthenticatedUsers"),)
    assert any("not a JSON IAM policy" in p.message for p in problems)


def test_projects_project_iam_and_audit_configs(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "google_project" "ml" {
  name       = "ML"
  project_id = "acme-ml"
}

resource "google_storage_bucket" "models" {
  name     = "acme-models"
  location = "EU"
  project  = google_project.ml.project_id
}

resource "google_project_iam_member" "editors" {
  project = google_project.ml.project_id
  role    = "roles/editor"
  member  = "group:researchers@acme.example"
}

resource "google_project_iam_audit_config" "all" {
  project = google_project.ml.id
  service = "allServices"
  audit_log_config { log_type = "ADMIN_READ" }
  audit_log_config {
    log_type         = "DATA_READ"
    exempted_members = ["user:ops@acme.example"]
  }
}

resource "google_organization_iam_audit_config" "org" {
  org_id  = "1234"
  service = "storage.googleapis.com"
  audit_log_config { log_type = "DATA_READ" }
}
""")
    project = g["google_project.ml"]
    assert project.kind is Kind.ACCOUNT and project.get("project") == "acme-ml" and project.account == "acme-ml"
    assert "gcp-project:acme-ml" not in g  # the declared project is the account
    assert ("google_storage_bucket.models", "google_project.ml") in edges(g, EdgeKind.IN_ACCOUNT)
    binding = g["google_project_iam_member.editors"]
    assert binding.get("resource") == "google_project.ml" and binding.get("resource_level") == "project"
    assert binding.get("role") == "roles/editor"
    assert ("google_project_iam_member.editors", "google_project.ml") in edges(g, EdgeKind.GRANTS)
    audit = g["google_project_iam_audit_config.all"]
    assert audit.kind is Kind.AUDIT_LOG and audit.get("service") == "allServices"
    assert audit.get("log_types") == ("ADMIN_READ", "DATA_READ")
    assert audit.get("exempted_members") == ("user:ops@acme.example",)
    assert ("google_project_iam_audit_config.all", "google_project.ml") in edges(g, EdgeKind.MONITORS)
    org = g["google_organization_iam_audit_config.org"]
    assert org.get("resource_level") == "organization" and not g.out_edges(org.id, EdgeKind.MONITORS)


def test_log_bucket_defaults(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "google_logging_project_bucket_config" "audit" {
  project   = "projects/acme-ml"
  location  = "global"
  bucket_id = "audit"
}

resource "google_logging_project_bucket_config" "locked" {
  project        = "acme-ml"
  location       = "global"
  bucket_id      = "locked"
  retention_days = 400
  locked         = true
}
""")
    audit, locked = g["google_logging_project_bucket_config.audit"], g["google_logging_project_bucket_config.locked"]
    assert audit.kind is Kind.LOG_BUCKET and audit.name == "audit"
    assert audit.get("retention_days") == 30 and audit.get("locked") is False and audit.account == "acme-ml"
    assert locked.get("retention_days") == 400 and locked.get("locked") is True


def test_networks_and_subnet_flow_logs(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "google_compute_network" "auto" { name = "auto" }

resource "google_compute_network" "custom" {
  name                    = "ai-vpc"
  auto_create_subnetworks = false
}

resource "google_compute_network" "empty" {
  name                    = "empty"
  auto_create_subnetworks = false
}

resource "google_compute_subnetwork" "logged" {
  name          = "logged"
  network       = google_compute_network.custom.id
  ip_cidr_range = "10.0.0.0/20"
  log_config { flow_sampling = 0.5 }
}

resource "google_compute_subnetwork" "proxy" {
  name          = "proxy"
  network       = google_compute_network.custom.id
  ip_cidr_range = "10.1.0.0/24"
  purpose       = "REGIONAL_MANAGED_PROXY"
}

resource "google_compute_subnetwork" "dark" {
  name          = "dark"
  network       = google_compute_network.auto.name
  ip_cidr_range = "10.2.0.0/20"
}
""")
    assert g["google_compute_subnetwork.logged"].get("flow_logs") is True
    assert g["google_compute_subnetwork.dark"].get("flow_logs") is False
    assert not g["google_compute_subnetwork.proxy"].knows("flow_logs")
    assert g["google_compute_network.custom"].get("flow_logs") is True  # the proxy subnet does not count
    assert g["google_compute_network.auto"].get("flow_logs") is False
    assert not g["google_compute_network.empty"].knows("flow_logs")
    assert g["google_compute_subnetwork.logged"].get("network") == "google_compute_network.custom"
    assert ("google_compute_subnetwork.dark", "google_compute_network.auto") in edges(g, EdgeKind.IN_NETWORK)


def test_vertex_resources_and_notebooks(tmp_path: Path) -> None:
    g = graph_of(tmp_path, KEY + """
resource "google_compute_network" "ai" {
  name                    = "ai-vpc"
  auto_create_subnetworks = false
}

resource "google_compute_subnetwork" "nb" {
  name          = "nb"
  network       = google_compute_network.ai.id
  ip_cidr_range = "10.0.0.0/20"
}

resource "google_vertex_ai_dataset" "plain" {
  display_name        = "chats"
  metadata_schema_uri = "gs://google-cloud-aiplatform/schema/dataset/metadata/text_1.0.0.yaml"
  region              = "europe-west4"
}

resource "google_vertex_ai_featurestore" "cmek" {
  name   = "features"
  region = "europe-west4"
  encryption_spec { kms_key_name = google_kms_crypto_key.weights.id }
}

resource "google_vertex_ai_endpoint" "public" {
  name         = "public"
  display_name = "public"
  location     = "europe-west4"
}

resource "google_vertex_ai_endpoint" "peered" {
  name         = "peered"
  display_name = "peered"
  location     = "europe-west4"
  network      = "projects/123/global/networks/${google_compute_network.ai.name}"
}

resource "google_vertex_ai_endpoint" "psc" {
  name         = "psc"
  display_name = "psc"
  location     = "europe-west4"
  private_service_connect_config { enable_private_service_connect = true }
}

resource "google_notebooks_instance" "legacy" {
  name         = "legacy"
  location     = "europe-west4-a"
  machine_type = "e2-medium"
  no_public_ip = true
  subnet       = google_compute_subnetwork.nb.id
  network      = google_compute_network.ai.id
  disk_encryption = "CMEK"
  kms_key         = google_kms_crypto_key.weights.id
  metadata = { "notebook-disable-root" = "true" }
}

resource "google_workbench_instance" "bare" {
  name     = "bare"
  location = "europe-west4-a"
}

resource "google_workbench_instance" "half" {
  name     = "half"
  location = "europe-west4-a"
  gce_setup {
    disable_public_ip = true
    boot_disk {
      disk_encryption = "CMEK"
      kms_key         = google_kms_crypto_key.weights.id
    }
    data_disks { disk_encryption = "GMEK" }
  }
}
""")
    assert g["google_vertex_ai_dataset.plain"].kind is Kind.AI_DATA_STORE
    assert g["google_vertex_ai_dataset.plain"].get("encryption") == "provider-managed"
    assert g["google_vertex_ai_dataset.plain"].name == "chats"
    assert g["google_vertex_ai_featurestore.cmek"].get("kms_key") == "google_kms_crypto_key.weights"
    assert g["google_vertex_ai_endpoint.public"].get("public_endpoint") is True
    assert g["google_vertex_ai_endpoint.peered"].get("public_endpoint") is False
    assert g["google_vertex_ai_endpoint.psc"].get("public_endpoint") is False
    legacy = g["google_notebooks_instance.legacy"]
    assert legacy.kind is Kind.NOTEBOOK and legacy.get("public_ip") is False
    assert legacy.get("encryption") == "customer-managed" and legacy.get("root_access") is False
    assert legacy.get("in_private_network") is True and legacy.region == "europe-west4"
    bare = g["google_workbench_instance.bare"]
    assert bare.get("public_ip") is True and bare.get("encryption") == "provider-managed"
    assert bare.get("in_private_network") is False and bare.get("root_access") is True
    half = g["google_workbench_instance.half"]
    assert half.get("public_ip") is False and half.get("encryption") == "provider-managed"
    in_network = edges(g, EdgeKind.IN_NETWORK)
    assert ("google_vertex_ai_endpoint.peered", "google_compute_network.ai") in in_network
    assert ("google_notebooks_instance.legacy", "google_compute_subnetwork.nb") in in_network
    assert ("google_notebooks_instance.legacy", "google_kms_crypto_key.weights") in edges(g, EdgeKind.ENCRYPTED_BY)


def test_registries(tmp_path: Path) -> None:
    g = graph_of(tmp_path, KEY + """
resource "google_artifact_registry_repository" "serving" {
  repository_id = "model-serving"
  location      = "europe"
  format        = "DOCKER"
  kms_key_name  = google_kms_crypto_key.weights.id
  docker_config { immutable_tags = true }
}

resource "google_artifact_registry_repository_iam_member" "pull" {
  repository = google_artifact_registry_repository.serving.name
  location   = "europe"
  role       = "roles/artifactregistry.reader"
  member     = "allUsers"
}

resource "google_container_registry" "gcr" {
  project  = "acme-ml"
  location = "EU"
}

resource "google_storage_bucket_iam_member" "gcr_pull" {
  bucket = google_container_registry.gcr.id
  role   = "roles/storage.objectViewer"
  member = "allAuthenticatedUsers"
}
""")
    repo = g["google_artifact_registry_repository.serving"]
    assert repo.kind is Kind.CONTAINER_REGISTRY and repo.name == "model-serving"
    assert repo.get("encryption") == "customer-managed" and repo.get("tag_immutable") is True
    assert repo.get("public_grants") == (
        "google_artifact_registry_repository_iam_member.pull grants roles/artifactregistry.reader to allUsers",)
    gcr = g["google_container_registry.gcr"]
    assert gcr.name == "eu.artifacts.acme-ml.appspot.com" and gcr.get("encryption") == "provider-managed"
    assert gcr.get("authenticated_grants") == (
        "google_storage_bucket_iam_member.gcr_pull grants roles/storage.objectViewer to allAuthenticatedUsers",)


def test_bucket_objects_are_classification_evidence(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "google_storage_bucket" "b" {
  name     = "acme-bucket"
  location = "EU"
}

resource "google_storage_bucket_object" "w" {
  bucket = google_storage_bucket.b.name
  name   = "llama/model.safetensors"
  source = "model.safetensors"
}
""")
    assert g["google_storage_bucket.b"].get("sample_objects") == ("llama/model.safetensors",)


def test_duplicate_addresses_and_data_sources(tmp_path: Path) -> None:
    g, problems = load(tmp_path, """
data "google_kms_crypto_key" "existing" {
  name     = "k"
  key_ring = "projects/p/locations/europe/keyRings/r"
}

resource "google_storage_bucket" "models" {
  name     = "acme-models"
  location = "EU"
  encryption { default_kms_key_name = data.google_kms_crypto_key.existing.id }
}

resource "google_project_iam_audit_config" "dup" {
  project = "acme-ml"
  service = "allServices"
  audit_log_config { log_type = "DATA_READ" }
}

resource "google_project_iam_audit_config" "dup" {
  project = "acme-ml"
  service = "storage.googleapis.com"
  audit_log_config { log_type = "DATA_WRITE" }
}
""")
    assert "data.google_kms_crypto_key.existing" not in g  # data sources are not assets
    assert g["google_storage_bucket.models"].get("encryption") == "customer-managed"
    dups = [a for a in g.assets(Kind.AUDIT_LOG)]
    assert len(dups) == 2 and {a.get("service") for a in dups} == {"allServices", "storage.googleapis.com"}
    assert any("duplicate resource address" in p.message for p in problems)


def test_grants_on_vertex_endpoints_and_notebooks(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "google_vertex_ai_endpoint" "llm" {
  name         = "llm"
  display_name = "llm"
  location     = "europe-west4"
}

resource "google_vertex_ai_endpoint_iam_member" "anyone" {
  endpoint = google_vertex_ai_endpoint.llm.name
  location = "europe-west4"
  role     = "roles/aiplatform.user"
  member   = "allUsers"
}

resource "google_workbench_instance" "wb" {
  name     = "research"
  location = "europe-west4-a"
}

resource "google_workbench_instance_iam_binding" "team" {
  name     = google_workbench_instance.wb.name
  location = "europe-west4-a"
  role     = "roles/workbench.instances.admin"
  members  = ["domain:acme.example"]
}
""")
    assert g["google_vertex_ai_endpoint.llm"].get("public_grants") == (
        "google_vertex_ai_endpoint_iam_member.anyone grants roles/aiplatform.user to allUsers",)
    assert ("google_workbench_instance_iam_binding.team", "google_workbench_instance.wb") in edges(
        g, EdgeKind.GRANTS)
    assert g["google_workbench_instance.wb"].get("public_grants") == ()


def test_log_sinks_link_the_project_to_where_logs_are_kept(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "google_logging_project_bucket_config" "audit" {
  project   = "acme-ml"
  location  = "global"
  bucket_id = "audit"
}

resource "google_logging_project_sink" "audit" {
  project     = "acme-ml"
  name        = "audit"
  destination = "logging.googleapis.com/projects/acme-ml/locations/global/buckets/audit"
  filter      = "logName:cloudaudit.googleapis.com"
}
""")
    assert ("gcp-project:acme-ml", "google_logging_project_bucket_config.audit") in edges(g, EdgeKind.LOGS_TO)
