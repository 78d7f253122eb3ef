"""hashicorp/kubernetes resources: namespaces and NetworkPolicies (egress control of AI namespaces).

Shapes (snake_case, as the Terraform provider writes them; the rules read these):
- NAMESPACE: name from `metadata.name`, `labels` from `metadata.labels`.
- NETWORK_POLICY: `namespace` (metadata.namespace; Kubernetes' "default" when unset, the
  referenced namespace's name when it is a reference to a namespace resource), `pod_selector`
  `{"match_labels": {...}, "match_expressions": (...)}` with empty parts dropped (so an empty
  `pod_selector {}` is `{}` and selects every pod), `policy_types` (Kubernetes defaults to
  ["Ingress"], plus "Egress" when the policy has egress rules, when unset), `egress`: one mapping
  per egress rule `{"to": ({"ip_block": {"cidr", "except"}, "namespace_selector": {...},
  "pod_selector": {...}}, ...), "ports": ({"port", "protocol", "end_port"}, ...)}`; an empty
  `egress {}` is `{}` (allows everything). `tf_sources` holds ("egress[i]", SourceRef) pairs:
  the lines of each egress rule, for fixes that remove an allow-all rule.
Kubernetes assets have provider "kubernetes" and no account.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crownjewel.collect.terraform.aws_common import cached
from crownjewel.collect.terraform.loader import TfResource
from crownjewel.collect.terraform.normalize import (
    TfContext,
    blocks,
    first_block,
    is_ref,
    normalizes,
)
from crownjewel.model.assets import EdgeKind, Kind, SourceRef

_META_KEYS = {"__tfmeta", "id"}
NAMESPACE_TYPES = ("kubernetes_namespace", "kubernetes_namespace_v1")


def clean(value: Any) -> Any:
    """A tfparse value without its bookkeeping keys (`__tfmeta`, block `id`), recursively."""
    if isinstance(value, Mapping) and not is_ref(value):
        return {k: clean(v) for k, v in value.items() if k not in _META_KEYS}
    if isinstance(value, (list, tuple)):
        return tuple(clean(v) for v in value)
    return value


def _selector(value: Any) -> dict[str, Any]:
    """A label selector with empty parts dropped: {} selects everything."""
    block = first_block(value)
    out: dict[str, Any] = {}
    labels = block.get("match_labels")
    if isinstance(labels, Mapping) and labels:
        out["match_labels"] = dict(clean(labels))
    elif isinstance(labels, dict) and is_ref(labels):
        # Unknown labels narrow the selector to some pods: never read as "selects every pod".
        out["match_labels"] = {"(unresolved)": str(labels["__attribute__"])}
    expressions = tuple(clean(e) for e in blocks(block.get("match_expressions")))
    if expressions:
        out["match_expressions"] = expressions
    return out


def _peer(block: Mapping[str, Any]) -> dict[str, Any]:
    peer: dict[str, Any] = {}
    ip = first_block(block.get("ip_block"))
    if ip:
        peer["ip_block"] = {"cidr": ip.get("cidr"), "except": tuple(ip.get("except") or ())}
    for key in ("namespace_selector", "pod_selector"):
        if blocks(block.get(key)):  # plans list absent blocks as []; `{}` present selects all
            peer[key] = _selector(block.get(key))
    return peer


def egress_rules(spec: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
    """The egress rules of a policy spec, in the documented shape."""
    rules = []
    for block in blocks(spec.get("egress")):
        rule: dict[str, Any] = {}
        peers = tuple(_peer(p) for p in blocks(block.get("to")))
        if peers:
            rule["to"] = peers
        ports = tuple({k: v for k, v in clean(p).items() if v is not None}
                      for p in blocks(block.get("ports")))
        if ports:
            rule["ports"] = ports
        rules.append(rule)
    return tuple(rules)


def _egress_sources(res: TfResource, spec: Mapping[str, Any]) -> tuple[tuple[str, SourceRef], ...]:
    """Where each egress rule is written ("egress[i]" -> lines), so fixes can remove open ones."""
    if res.source is None:
        return ()
    found = []
    for i, block in enumerate(blocks(spec.get("egress"))):
        meta = block.get("__tfmeta") or {}
        if "line_start" in meta:
            found.append((f"egress[{i}]", SourceRef(res.source.file, int(meta["line_start"]),
                                                     int(meta.get("line_end", meta["line_start"])))))
    return tuple(found)


def namespace_name(res: TfResource) -> str | None:
    """The literal `metadata.name` of a namespace resource."""
    name = first_block(res.values.get("metadata")).get("name")
    return name if isinstance(name, str) and name else None


def namespaces_by_name(ctx: TfContext) -> dict[str, TfResource]:
    """Namespace resources by literal name (the first declared wins), built once per scan."""
    def build() -> dict[str, TfResource]:
        index: dict[str, TfResource] = {}
        for tf_type in NAMESPACE_TYPES:
            for res in ctx.by_type.get(tf_type, ()):
                name = namespace_name(res)
                if name:
                    index.setdefault(name, res)
        return index

    found: dict[str, TfResource] = cached(ctx, "kubernetes_namespaces_by_name", build)
    return found


def _referenced_namespaces(meta: Mapping[str, Any], ctx: TfContext) -> list[TfResource]:
    """Namespace resources the `metadata` block refers to (tfparse's references)."""
    refs = (meta.get("__tfmeta") or {}).get("references") or ()
    found = [ctx.by_uid.get(str(r.get("id"))) for r in refs if isinstance(r, Mapping)]
    return list({id(r): r for r in found if r is not None and r.type in NAMESPACE_TYPES}.values())


@normalizes(*NAMESPACE_TYPES)
def namespace(res: TfResource, ctx: TfContext) -> None:
    """A Kubernetes namespace with its labels (AI namespaces are classified by name / labels)."""
    meta = first_block(res.values.get("metadata"))
    labels = meta.get("labels")
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    if is_ref(labels):
        unknown["labels"] = ctx.unresolved(res, "metadata.labels", labels)
    else:
        attrs["labels"] = dict(clean(labels or {}))
    name = namespace_name(res) or meta.get("generate_name")
    ctx.asset(res, Kind.NAMESPACE, name=name if isinstance(name, str) else None, attrs=attrs,
              unknown=unknown, tags=attrs.get("labels"))


@normalizes("kubernetes_network_policy", "kubernetes_network_policy_v1")
def network_policy(res: TfResource, ctx: TfContext) -> None:
    """A NetworkPolicy: which pods of which namespace it selects and where they may send traffic."""
    meta = first_block(res.values.get("metadata"))
    spec = first_block(res.values.get("spec"))
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    ns_value = meta.get("namespace")
    ns_res = None
    if ns_value is None and (referenced := _referenced_namespaces(meta, ctx)):
        # tfparse leaves a reference it cannot evaluate, such as `kubernetes_namespace_v1.x[each.key]
        # .metadata[0].name`, null, with the instance it points to among the block's references
        if len(referenced) == 1 and namespace_name(referenced[0]):
            ns_res = referenced[0]
            attrs["namespace"] = namespace_name(ns_res)
        else:
            unknown["namespace"] = (f"{res.address}.metadata.namespace refers to "
                                    f"{', '.join(r.address for r in referenced)}, unknown before apply")
    elif ns_value is None:
        attrs["namespace"] = "default"
    elif isinstance(ns_value, str):
        attrs["namespace"] = ns_value
    else:
        ns_res = ctx.resolve(ns_value, *NAMESPACE_TYPES)
        if ns_res is not None and namespace_name(ns_res):
            attrs["namespace"] = namespace_name(ns_res)
        else:
            unknown["namespace"] = ctx.unresolved(res, "metadata.namespace", ns_value)
    if ns_res is None and "namespace" in attrs:
        ns_res = namespaces_by_name(ctx).get(attrs["namespace"])
    pod_selector = spec.get("pod_selector")
    if is_ref(pod_selector):
        unknown["pod_selector"] = ctx.unresolved(res, "spec.pod_selector", pod_selector)
    else:
        attrs["pod_selector"] = _selector(pod_selector)
    egress = egress_rules(spec)
    types = spec.get("policy_types")
    if is_ref(types):
        unknown["policy_types"] = ctx.unresolved(res, "spec.policy_types", types)
    elif types:
        attrs["policy_types"] = tuple(str(t) for t in types)
    else:  # the API server's default
        attrs["policy_types"] = ("Ingress", "Egress") if egress else ("Ingress",)
    attrs["egress"] = egress
    spans = _egress_sources(res, spec)
    if spans:
        attrs["tf_sources"] = spans
    ctx.asset(res, Kind.NETWORK_POLICY, name=meta.get("name") if isinstance(meta.get("name"), str) else None,
              attrs=attrs, unknown=unknown)
    if ns_res is not None:
        ctx.builder.link(res.address, EdgeKind.IN_NAMESPACE, ns_res.address)
