# The model is served on a public endpoint: open to model extraction.

resource "google_vertex_ai_endpoint" "llm" {
  name         = "support-llm"
  display_name = "support-llm"
  location     = "europe-west4"
  region       = "europe-west4"
  project      = "acme-research"
}
