resource "kubernetes_namespace_v1" "serving" {
  metadata {
    name = "model-serving"
    labels = {
      workload = "llm-inference"
    }
  }
}

# "temporary" allow-all egress for pulling from the internet: also lets pods upload the weights
resource "kubernetes_network_policy_v1" "allow_all_egress" {
  metadata {
    name      = "allow-all-egress"
    namespace = kubernetes_namespace_v1.serving.metadata[0].name
  }

  spec {
    pod_selector {}
    policy_types = ["Egress"]

    egress {
      to {
        ip_block {
          cidr = "0.0.0.0/0"
        }
      }
    }
  }
}
