# Serving images (with baked-in weights) use Google-managed keys.

resource "google_artifact_registry_repository" "model_serving" {
  repository_id = "model-serving"
  location      = "europe-west4"
  project       = "acme-research"
  format        = "DOCKER"
}
