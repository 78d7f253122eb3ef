"""Egress-monitor AI networks and namespaces: flow logs and egress-restricting network policies."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crownjewel.model.assets import Asset, EdgeKind, Kind
from crownjewel.model.findings import Severity
from crownjewel.rules._common import EGRESS, EXFIL
from crownjewel.rules.engine import EvalContext
from crownjewel.rules.registry import Fail, Outcome, Unknown, attr_is, rule

_OPEN_CIDRS = {"0.0.0.0/0", "::/0"}


@rule(
    "network.ai-network-no-flow-logs", kind=(Kind.NETWORK, Kind.SUBNET), severity=Severity.MEDIUM,
    title="No flow logs on a network hosting AI workloads",
    message="{name} carries AI workloads but records no flow logs: large artefact transfers go unseen",
    remediation="Enable VPC flow logs (GCP subnet log_config with sampling 1.0 for AI subnets; AWS "
                "aws_flow_log on the VPC with traffic_type ALL) and alert on large egress.",
    atlas=("AML.M0024",) + EXFIL, attack=("T1048", "T1030"), frameworks=EGRESS,
    requires=("flow_logs",), control_step="egress-monitoring",
    peers={"checkov": ("CKV_GCP_26", "CKV2_AWS_11")},
)
def ai_network_no_flow_logs(asset: Asset, ctx: EvalContext) -> Outcome:
    """A VPC or subnet where notebooks, endpoints or training jobs run, without flow logs: the
    seed card's pitfall "gigabyte exfil goes undetected"."""
    return attr_is("flow_logs", True, "flow logs are disabled")(asset, ctx)


def _policies_by_namespace(ctx: EvalContext) -> dict[str, list[Asset]]:
    def build() -> dict[str, list[Asset]]:
        index: dict[str, list[Asset]] = {}
        for policy in ctx.graph.assets(Kind.NETWORK_POLICY):
            index.setdefault(str(policy.get("namespace")), []).append(policy)
        return index

    return ctx.memo("policies-by-namespace", build)


def _selects_all(policy: Asset) -> bool:
    selector = policy.get("pod_selector") or {}
    return not any(selector.values()) if isinstance(selector, Mapping) else False


def _open_rule(rule_: Mapping[str, Any]) -> str | None:
    """Why an egress rule lets traffic reach any destination, or None."""
    to = rule_.get("to") or ()
    if not to:
        return "an egress rule without `to` allows every destination"
    for peer in to:
        cidr = ((peer or {}).get("ip_block") or {}).get("cidr") if isinstance(peer, Mapping) else None
        if cidr in _OPEN_CIDRS:
            return f"an egress rule allows {cidr}"
    return None


@rule(
    "k8s.ai-namespace-egress-unrestricted", kind=Kind.NAMESPACE, severity=Severity.HIGH,
    title="AI namespace without default-deny egress",
    message="Pods in {name} can send data anywhere: {why}",
    remediation="Add a NetworkPolicy selecting every pod (podSelector {}) with policyTypes [Egress] that "
                "allows only DNS and the destinations the workload needs; never 0.0.0.0/0.",
    atlas=("AML.M0005",) + EXFIL, attack=("T1048", "T1567.002", "T1030"), frameworks=EGRESS,
    control_step="egress-monitoring",
)
def ai_namespace_egress_unrestricted(asset: Asset, ctx: EvalContext) -> Outcome:
    """An AI namespace where no NetworkPolicy denies egress by default, or where a policy allows
    egress to any address: serving and training pods can stream weights out (policies are
    additive, so one allow-all policy reopens what a default deny closed)."""
    policies = {p.id: p for p in ctx.graph.sources(asset.id, EdgeKind.IN_NAMESPACE)
                if p.kind is Kind.NETWORK_POLICY}
    for policy in _policies_by_namespace(ctx).get(asset.name, ()):
        policies[policy.id] = policy
    for policy in policies.values():
        for key in ("policy_types", "egress", "pod_selector"):
            if not policy.knows(key) and key in policy.unknown:
                return Unknown(policy.unknown[key])
    egress = [p for p in policies.values() if "Egress" in (p.get("policy_types") or ())]
    problems = []
    if not any(_selects_all(p) for p in egress):
        problems.append("no NetworkPolicy selects all pods for Egress (no default deny)")
    for policy in egress:
        for rule_ in policy.get("egress") or ():
            why = _open_rule(rule_) if isinstance(rule_, Mapping) else None
            if why:
                problems.append(f"{policy.id}: {why}")
    if problems:
        return Fail.because(*problems, why="; ".join(problems))
    return True
