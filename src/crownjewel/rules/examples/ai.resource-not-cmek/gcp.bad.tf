# The training dataset is encrypted with Google-managed keys only.

resource "google_vertex_ai_dataset" "training" {
  display_name        = "support-chat-training"
  metadata_schema_uri = "gs://google-cloud-aiplatform/schema/dataset/metadata/text_1.0.0.yaml"
  region              = "europe-west4"
  project             = "acme-research"
}
