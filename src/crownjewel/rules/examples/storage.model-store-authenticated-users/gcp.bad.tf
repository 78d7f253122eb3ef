# Any Google account can read the training checkpoints.

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

resource "google_storage_bucket_iam_binding" "weights_readers" {
  bucket = google_storage_bucket.model_weights.name
  role   = "roles/storage.objectViewer"
  members = [
    "allAuthenticatedUsers",
    "group:ml-research@acme.example",
  ]
}
