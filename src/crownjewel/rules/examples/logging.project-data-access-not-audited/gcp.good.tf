resource "google_project" "ml" {
  name       = "acme-ml"
  project_id = "acme-ml-prod"
  org_id     = "123456789012"
}

resource "google_storage_bucket" "model_weights" {
  name     = "acme-model-weights"
  location = "EU"
  project  = google_project.ml.project_id
}

resource "google_project_iam_audit_config" "all" {
  project = google_project.ml.project_id
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
