"""hashicorp/kubernetes namespaces and NetworkPolicies become NAMESPACE / NETWORK_POLICY assets."""
from __future__ import annotations

from pathlib import Path

import pytest

from crownjewel.collect.terraform.loader import TfInput, load_directory
from crownjewel.collect.terraform.normalize import normalize
from crownjewel.model.assets import EdgeKind, Kind
from crownjewel.model.findings import Status
from crownjewel.model.graph import EstateGraph, GraphBuilder
from crownjewel.pipeline import scan_paths

NAMESPACES = """
resource "kubernetes_namespace_v1" "serving" {
  metadata {
    name = "model-serving"
    labels = {
      team = "ml-platform"
    }
  }
}
resource "kubernetes_namespace" "tenants" {
  for_each = toset(["web", "billing"])
  metadata {
    name = each.key
  }
}
"""

DNS_ONLY = """
resource "kubernetes_network_policy_v1" "deny" {
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
      }
      ports {
        port     = "53"
        protocol = "UDP"
      }
    }
  }
}
"""


def load(tmp_path: Path, text: str) -> EstateGraph:
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    inp = TfInput()
    load_directory(tmp_path, inp)
    builder = GraphBuilder()
    normalize(inp.resources, builder, inp.problems)
    return builder.freeze()


def test_namespaces(tmp_path: Path) -> None:
    graph = load(tmp_path, NAMESPACES)
    serving = graph["kubernetes_namespace_v1.serving"]
    assert serving.kind is Kind.NAMESPACE and serving.provider == "kubernetes" and serving.account is None
    assert serving.name == "model-serving" and serving.attrs["labels"] == {"team": "ml-platform"}
    web = graph['kubernetes_namespace.tenants["web"]']
    assert web.name == "web" and web.attrs["labels"] == {}


def test_network_policy_shapes(tmp_path: Path) -> None:
    text = NAMESPACES + DNS_ONLY + """
resource "kubernetes_network_policy" "open" {
  metadata {
    name      = "open"
    namespace = "model-serving"
  }
  spec {
    pod_selector {
      match_labels = {
        app = "inference"
      }
    }
    egress {}
    egress {
      to {
        ip_block {
          cidr   = "0.0.0.0/0"
          except = ["169.254.169.254/32"]
        }
      }
    }
  }
}
resource "kubernetes_network_policy_v1" "in_default" {
  metadata {
    name = "ingress-only"
  }
  spec {
    pod_selector {
      match_expressions {
        key      = "tier"
        operator = "In"
        values   = ["web"]
      }
    }
    ingress {}
  }
}
"""
    graph = load(tmp_path, text)
    deny = graph["kubernetes_network_policy_v1.deny"]
    assert deny.kind is Kind.NETWORK_POLICY and deny.name == "default-deny-egress"
    # the namespace is a reference to the namespace resource: resolved to its name, and linked
    assert deny.attrs["namespace"] == "model-serving"
    assert deny.attrs["pod_selector"] == {} and deny.attrs["policy_types"] == ("Egress",)
    assert deny.attrs["egress"] == ({
        "to": ({"namespace_selector": {"match_labels": {"kubernetes.io/metadata.name": "kube-system"}}},),
        "ports": ({"port": "53", "protocol": "UDP"},),
    },)
    assert ("kubernetes_network_policy_v1.deny", "kubernetes_namespace_v1.serving") in {
        (e.src, e.dst) for e in graph.edges if e.kind is EdgeKind.IN_NAMESPACE}
    open_ = graph["kubernetes_network_policy.open"]
    assert open_.attrs["pod_selector"] == {"match_labels": {"app": "inference"}}
    # no policy_types: the API server derives Ingress, plus Egress because egress rules exist
    assert open_.attrs["policy_types"] == ("Ingress", "Egress")
    assert open_.attrs["egress"] == ({}, {"to": ({"ip_block": {"cidr": "0.0.0.0/0",
                                                              "except": ("169.254.169.254/32",)}},)})
    spans = dict(open_.attrs["tf_sources"])
    lines = text.splitlines()
    assert lines[spans["egress[0]"].line - 1].strip() == "egress {}"
    assert lines[spans["egress[1]"].end_line - 1].strip() == "}"
    in_default = graph["kubernetes_network_policy_v1.in_default"]
    assert in_default.attrs["namespace"] == "default" and in_default.attrs["policy_types"] == ("Ingress",)
    assert in_default.attrs["pod_selector"]["match_expressions"][0]["key"] == "tier"


def test_unresolved_namespace_is_unknown(tmp_path: Path) -> None:
    graph = load(tmp_path, """
variable "ns" {}
resource "kubernetes_network_policy_v1" "p" {
  metadata {
    name      = "p"
    namespace = var.ns
  }
  spec {
    pod_selector {}
    policy_types = ["Egress"]
  }
}
""")
    policy = graph["kubernetes_network_policy_v1.p"]
    assert "namespace" not in policy.attrs and "var.ns" in policy.why_unknown("namespace")


def _egress_status(tmp_path: Path, text: str) -> dict[str, Status]:
    tmp_path.mkdir()
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    result = scan_paths([str(tmp_path)])
    return {f.asset.id: f.status for f in result.findings if f.rule_id == "k8s.ai-namespace-egress-unrestricted"}


def test_ai_namespace_egress_rule(tmp_path: Path) -> None:
    # only the AI namespace is a crown jewel; without a policy it fails
    assert _egress_status(tmp_path / "none", NAMESPACES) == {"kubernetes_namespace_v1.serving": Status.FAIL}
    assert _egress_status(tmp_path / "dns", NAMESPACES + DNS_ONLY) == {"kubernetes_namespace_v1.serving": Status.PASS}
    reopened = NAMESPACES + DNS_ONLY + """
resource "kubernetes_network_policy_v1" "reopen" {
  metadata {
    name      = "reopen"
    namespace = "model-serving"
  }
  spec {
    pod_selector {
      match_labels = {
        app = "downloader"
      }
    }
    policy_types = ["Egress"]
    egress {}
  }
}
"""
    assert _egress_status(tmp_path / "reopened", reopened) == {"kubernetes_namespace_v1.serving": Status.FAIL}


def test_plan_json_blocks_are_lists(tmp_path: Path) -> None:
    """In `terraform show -json`, absent nested blocks are [] and must not read as `{}` selectors."""
    import json

    policy = {"metadata": [{"name": "deny", "namespace": "model-serving", "labels": None}],
              "spec": [{"pod_selector": [{"match_expressions": [], "match_labels": None}],
                        "policy_types": ["Egress"], "ingress": [],
                        "egress": [{"ports": [], "to": [{"ip_block": [{"cidr": "10.0.0.0/8", "except": None}],
                                                         "namespace_selector": [], "pod_selector": []}]},
                                   {"ports": [], "to": []}]}]}
    plan = {"format_version": "1.2", "planned_values": {"root_module": {"resources": [
        {"address": "kubernetes_namespace_v1.serving", "mode": "managed", "type": "kubernetes_namespace_v1",
         "name": "serving", "values": {"metadata": [{"name": "model-serving", "labels": None}]}},
        {"address": "kubernetes_network_policy_v1.deny", "mode": "managed",
         "type": "kubernetes_network_policy_v1", "name": "deny", "values": policy},
    ]}}}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    result = scan_paths([str(path)])
    deny = result.graph["kubernetes_network_policy_v1.deny"]
    assert deny.attrs["pod_selector"] == {}
    assert deny.attrs["egress"] == ({"to": ({"ip_block": {"cidr": "10.0.0.0/8", "except": ()}},)}, {})
    assert result.graph["kubernetes_namespace_v1.serving"].attrs["labels"] == {}
    status = {f.asset.id: f.status for f in result.findings if f.rule_id == "k8s.ai-namespace-egress-unrestricted"}
    assert status == {"kubernetes_namespace_v1.serving": Status.FAIL}  # the empty rule allows everything


def test_for_each_policy_takes_the_namespace_of_its_instance(tmp_path: Path) -> None:
    # tfparse leaves `kubernetes_namespace_v1.ml[each.key].metadata[0].name` null and lists the
    # instance among the block's references: it is that namespace, not "default"
    graph = load(tmp_path, """
resource "kubernetes_namespace_v1" "ml" {
  for_each = toset(["training", "inference"])
  metadata {
    name = each.key
  }
}

resource "kubernetes_network_policy_v1" "deny" {
  for_each = toset(["training", "inference"])
  metadata {
    name      = "default-deny-egress"
    namespace = kubernetes_namespace_v1.ml[each.key].metadata[0].name
  }
  spec {
    pod_selector {}
    policy_types = ["Egress"]
  }
}
""")
    for key in ("training", "inference"):
        policy = graph[f'kubernetes_network_policy_v1.deny["{key}"]']
        assert policy.attrs["namespace"] == key
        (namespace,) = graph.targets(policy.id, EdgeKind.IN_NAMESPACE)
        assert namespace.id == f'kubernetes_namespace_v1.ml["{key}"]'


def test_policies_find_their_namespace_by_name_in_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from crownjewel.collect.terraform import kubernetes
    from crownjewel.collect.terraform.loader import TfResource

    n = 400
    namespaces = [TfResource(f'kubernetes_namespace_v1.ns["{i}"]', "kubernetes_namespace_v1", "managed",
                             {"metadata": [{"name": f"ns-{i}"}]}, None, uid=f"ns{i}", root="r")
                  for i in range(n)]
    policies = [TfResource(f'kubernetes_network_policy_v1.p["{i}"]', "kubernetes_network_policy_v1", "managed",
                           {"metadata": [{"name": "deny", "namespace": f"ns-{i}"}],
                            "spec": [{"pod_selector": [{}], "policy_types": ["Egress"]}]}, None, uid=f"p{i}",
                           root="r")
                for i in range(n)]
    calls = 0
    real = kubernetes.namespace_name

    def counting(res: TfResource) -> str | None:
        nonlocal calls
        calls += 1
        return real(res)

    monkeypatch.setattr(kubernetes, "namespace_name", counting)
    builder = GraphBuilder()
    normalize(namespaces + policies, builder, [])
    graph = builder.freeze()
    assert calls <= 4 * n, calls  # namespaces are indexed once, not scanned per policy
    (namespace,) = graph.targets(f'kubernetes_network_policy_v1.p["{n - 1}"]', EdgeKind.IN_NAMESPACE)
    assert namespace.id == f'kubernetes_namespace_v1.ns["{n - 1}"]'
