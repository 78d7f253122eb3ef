# Serving images are encrypted with a customer-managed key.

resource "google_kms_key_ring" "ai" {
  name     = "ai-models"
  location = "europe-west4"
  project  = "acme-research"
}

resource "google_kms_crypto_key" "model_weights" {
  name            = "model-weights-key"
  key_ring        = google_kms_key_ring.ai.id
  rotation_period = "7776000s" # 90 days
}

resource "google_artifact_registry_repository" "model_serving" {
  repository_id = "model-serving"
  location      = "europe-west4"
  project       = "acme-research"
  format        = "DOCKER"
  kms_key_name  = google_kms_crypto_key.model_weights.id
}
