resource "kubernetes_namespace_v1" "serving" {
  metadata {
    name = "model-serving"
    labels = {
      workload = "llm-inference"
    }
  }
}

resource "kubernetes_network_policy_v1" "default_deny_egress" {
  metadata {
    name      = "default-deny-egress"
    namespace = kubernetes_namespace_v1.serving.metadata[0].name
  }

  spec {
    pod_selector {}
    policy_types = ["Egress"]

    egress {
      to {
        namespace_selector {
          match_labels = {
            "kubernetes.io/metadata.name" = "kube-system"
          }
        }
        pod_selector {
          match_labels = {
            "k8s-app" = "kube-dns"
          }
        }
      }
      ports {
        port     = "53"
        protocol = "UDP"
      }
      ports {
        port     = "53"
        protocol = "TCP"
      }
    }
  }
}

# the inference server may reach the feature store inside the VNet only
resource "kubernetes_network_policy_v1" "inference_to_features" {
  metadata {
    name      = "inference-to-features"
    namespace = kubernetes_namespace_v1.serving.metadata[0].name
  }

  spec {
    pod_selector {
      match_labels = {
        app = "inference"
      }
    }
    policy_types = ["Egress"]

    egress {
      to {
        ip_block {
          cidr = "10.20.0.0/16"
        }
      }
      ports {
        port     = "443"
        protocol = "TCP"
      }
    }
  }
}
