# The key encrypting the weights rotates every 90 days.

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

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }

  encryption {
    default_kms_key_name = google_kms_crypto_key.model_weights.id
  }
}
