# The same model registry, built as the control's IaC fix asks.
resource "google_kms_key_ring" "ai" {
  name     = "ai-keys-secure"
  project  = "acme-ml-secure"
  location = "europe-west4"
}

resource "google_kms_crypto_key" "model_weights" {
  name            = "model-weights-key"
  key_ring        = google_kms_key_ring.ai.id
  rotation_period = "7776000s" # 90 days
}

resource "google_storage_bucket" "model_registry" {
  name                        = "acme-secure-model-registry"
  project                     = "acme-ml-secure"
  location                    = "EU"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  encryption {
    default_kms_key_name = google_kms_crypto_key.model_weights.id
  }
  versioning {
    enabled = true
  }
  logging {
    log_bucket = "acme-secure-access-logs"
  }
}

resource "google_storage_bucket_iam_member" "serving" {
  bucket = google_storage_bucket.model_registry.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:serving@acme-ml-secure.iam.gserviceaccount.com"
}

resource "google_project_iam_audit_config" "all" {
  project = "acme-ml-secure"
  service = "allServices"
  audit_log_config {
    log_type = "ADMIN_READ"
  }
  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = "DATA_WRITE"
  }
}

resource "google_logging_project_bucket_config" "audit" {
  project        = "acme-ml-secure"
  location       = "global"
  bucket_id      = "model-access-audit"
  retention_days = 400
  locked         = true
}
