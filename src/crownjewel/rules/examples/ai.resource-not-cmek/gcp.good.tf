# The training dataset is encrypted with a customer-managed key.

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

resource "google_vertex_ai_dataset" "training" {
  display_name        = "support-chat-training"
  metadata_schema_uri = "gs://google-cloud-aiplatform/schema/dataset/metadata/text_1.0.0.yaml"
  region              = "europe-west4"
  project             = "acme-research"

  encryption_spec {
    kms_key_name = google_kms_crypto_key.model_weights.id
  }
}
