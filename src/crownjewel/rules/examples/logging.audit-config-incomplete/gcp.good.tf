# Every read and write of every service is audited, no exemptions.

resource "google_kms_key_ring" "ai" {
  name     = "ai-models"
  location = "europe"
  project  = "acme-research"
}

resource "google_kms_crypto_key" "model_weights" {
  name            = "model-weights-key"
  key_ring        = google_kms_key_ring.ai.id
  rotation_period = "7776000s" # 90 days
}

resource "google_storage_bucket" "model_weights" {
  name     = "acme-model-weights"
  location = "EU"
  project  = "acme-research"

  encryption {
    default_kms_key_name = google_kms_crypto_key.model_weights.id
  }
}

resource "google_project_iam_audit_config" "allservices" {
  project = "acme-research"
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
