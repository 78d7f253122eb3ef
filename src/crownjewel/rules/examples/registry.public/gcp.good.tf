# Only the serving cluster pulls the images.

resource "google_artifact_registry_repository" "model_serving" {
  repository_id = "model-serving"
  location      = "europe-west4"
  project       = "acme-research"
  format        = "DOCKER"
}

resource "google_artifact_registry_repository_iam_member" "pull" {
  repository = google_artifact_registry_repository.model_serving.name
  location   = "europe-west4"
  project    = "acme-research"
  role       = "roles/artifactregistry.reader"
  member     = "serviceAccount:gke-nodes@acme-research.iam.gserviceaccount.com"
}
