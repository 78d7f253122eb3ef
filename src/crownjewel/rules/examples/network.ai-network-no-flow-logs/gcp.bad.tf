# Notebooks run in a subnet without flow logs: bulk egress goes unseen.

resource "google_compute_network" "ai" {
  name                    = "ai-vpc"
  project                 = "acme-research"
  auto_create_subnetworks = false
}

resource "google_compute_subnetwork" "notebooks" {
  name          = "notebooks"
  project       = "acme-research"
  region        = "europe-west4"
  network       = google_compute_network.ai.id
  ip_cidr_range = "10.20.0.0/20"
}

resource "google_workbench_instance" "research" {
  name     = "llm-research"
  location = "europe-west4-a"
  project  = "acme-research"

  gce_setup {
    machine_type      = "n1-standard-8"
    disable_public_ip = true

    network_interfaces {
      network = google_compute_network.ai.id
      subnet  = google_compute_subnetwork.notebooks.id
    }
  }
}
