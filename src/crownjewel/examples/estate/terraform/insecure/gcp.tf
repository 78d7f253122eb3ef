# Acme's first ML platform on Google Cloud: everything the control warns about.
variable "project" {
  default = "acme-ml-prod"
}

locals {
  region = "europe-west4"
}

resource "google_kms_key_ring" "ai" {
  name     = "ai-keys"
  project  = var.project
  location = local.region
}

# Rotates once a year: too slow for keys that protect model weights.
resource "google_kms_crypto_key" "model_weights" {
  name            = "model-weights-key"
  key_ring        = google_kms_key_ring.ai.id
  rotation_period = "31536000s"
}

resource "google_storage_bucket" "model_registry" {
  name     = "acme-model-registry"
  project  = var.project
  location = "EU"
  # No CMEK, no versioning, fine-grained ACLs, public access prevention inherited.
}

# "Public read for convenience": the seed card's first pitfall.
resource "google_storage_bucket_iam_member" "registry_public" {
  bucket = google_storage_bucket.model_registry.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

# The broad "researcher" grant on the model registry.
resource "google_storage_bucket_iam_member" "researchers" {
  bucket = google_storage_bucket.model_registry.name
  role   = "roles/storage.admin"
  member = "group:ml-researchers@acme.example"
}

# Encrypted with the customer-managed key above, which rotates only once a year.
resource "google_storage_bucket" "training_data" {
  name                        = "acme-training-data"
  project                     = var.project
  location                    = "EU"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  encryption {
    default_kms_key_name = google_kms_crypto_key.model_weights.id
  }
  versioning {
    enabled = true
  }
}

resource "google_project_iam_audit_config" "storage" {
  project = var.project
  service = "storage.googleapis.com"
  audit_log_config {
    log_type = "ADMIN_READ"
  }
}

resource "google_compute_network" "ml" {
  name                    = "ml-vpc"
  project                 = var.project
  auto_create_subnetworks = false
}

resource "google_compute_subnetwork" "training" {
  name          = "ml-training"
  project       = var.project
  region        = local.region
  network       = google_compute_network.ml.id
  ip_cidr_range = "10.10.0.0/20"
}

resource "google_workbench_instance" "research" {
  name     = "research-notebook"
  project  = var.project
  location = "europe-west4-a"
  gce_setup {
    machine_type = "n1-standard-8"
    network_interfaces {
      network = google_compute_network.ml.id
      subnet  = google_compute_subnetwork.training.id
    }
  }
}

resource "google_vertex_ai_endpoint" "llm" {
  name         = "llm-endpoint"
  display_name = "llm-endpoint"
  project      = var.project
  location     = local.region
}
