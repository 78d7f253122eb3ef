# Model weights encrypted only with Google-managed keys.
resource "google_storage_bucket" "model_weights" {
  name     = "acme-model-weights"
  location = "EU"
  project  = "acme-research"

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }
}
