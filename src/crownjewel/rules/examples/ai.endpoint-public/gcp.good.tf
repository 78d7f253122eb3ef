# The model is served only through Private Service Connect.

resource "google_vertex_ai_endpoint" "llm" {
  name         = "support-llm"
  display_name = "support-llm"
  location     = "europe-west4"
  region       = "europe-west4"
  project      = "acme-research"

  private_service_connect_config {
    enable_private_service_connect = true
    project_allowlist              = ["acme-research"]
  }
}
