# Audit logs of model access can be purged.

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

resource "google_logging_project_bucket_config" "audit" {
  project        = "acme-research"
  location       = "global"
  bucket_id      = "model-access-audit"
  retention_days = 400
  locked         = false
}
