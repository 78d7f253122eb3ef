# The ML project audits only storage, and lets the research group read without a trace.
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

resource "google_project_iam_audit_config" "storage" {
  project = google_project.ml.project_id
  service = "storage.googleapis.com"
  audit_log_config {
    log_type         = "DATA_READ"
    exempted_members = ["group:ml-research@acme.example"]
  }
}
