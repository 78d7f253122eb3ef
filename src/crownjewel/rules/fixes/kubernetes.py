"""Terraform fix for AI namespaces with unrestricted egress (hashicorp/kubernetes provider).

The fix adds a default-deny egress `kubernetes_network_policy_v1` for the namespace that selects
every pod and allows only DNS to kube-system, and removes the allow-all egress rules (an empty
`egress {}`, a rule without `to`, or `to` 0.0.0.0/0 / ::/0) from the namespace's other policies:
NetworkPolicies are additive, so one allow-all rule reopens what the default deny closed.
Workloads that need other destinations get their own narrow policies.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crownjewel.model.assets import Asset, EdgeKind, Kind, SourceRef
from crownjewel.model.findings import Fix, TextEdit
from crownjewel.rules import hcl_edit as hcl
from crownjewel.rules.engine import EvalContext
from crownjewel.rules.fixes._text import block_text, ident, repeat, replace
from crownjewel.rules.registry import Fail, fixer

_OPEN_CIDRS = {"0.0.0.0/0", "::/0"}
DENY_BODY = """metadata {{
  name      = "default-deny-egress"
  namespace = {namespace}
}}

spec {{
  pod_selector {{}}
  policy_types = ["Egress"]

  # Only DNS, to the cluster DNS in kube-system; add narrow policies for what workloads need.
  egress {{
    to {{
      namespace_selector {{
        match_labels = {{
          "kubernetes.io/metadata.name" = "kube-system"
        }}
      }}
      pod_selector {{
        match_labels = {{
          "k8s-app" = "kube-dns"
        }}
      }}
    }}
    ports {{
      port     = "53"
      protocol = "UDP"
    }}
    ports {{
      port     = "53"
      protocol = "TCP"
    }}
  }}
}}"""


def is_open(rule: Any) -> bool:
    """Whether an egress rule (normalized shape) lets pods reach any destination."""
    if not isinstance(rule, Mapping):
        return False
    peers = rule.get("to") or ()
    if not peers:
        return True
    return any(((p or {}).get("ip_block") or {}).get("cidr") in _OPEN_CIDRS
               for p in peers if isinstance(p, Mapping))


def _selects_all(policy: Asset) -> bool:
    selector = policy.get("pod_selector")
    return isinstance(selector, Mapping) and not any(selector.values())


def _policies(namespace: Asset, ctx: EvalContext) -> list[Asset]:
    found = {p.id: p for p in ctx.graph.sources(namespace.id, EdgeKind.IN_NAMESPACE)
             if p.kind is Kind.NETWORK_POLICY}
    for policy in ctx.graph.assets(Kind.NETWORK_POLICY):
        if policy.get("namespace") == namespace.name:
            found[policy.id] = policy
    return list(found.values())


def _without_open_rules(policy: Asset, ctx: EvalContext) -> tuple[str, TextEdit] | None:
    """The policy block without its allow-all egress rules, or None when it has none."""
    text = block_text(ctx, policy.source)
    if text is None or policy.source is None:
        return None
    spans = dict(policy.get("tf_sources") or ())
    drop: list[SourceRef] = []
    for i, rule in enumerate(policy.get("egress") or ()):
        span = spans.get(f"egress[{i}]")
        if is_open(rule) and isinstance(span, SourceRef):
            drop.append(span)
    if not drop:
        return None
    lines = text.splitlines(keepends=True)
    base = policy.source.line
    remove: set[int] = set()
    for span in drop:
        first, last = lines[span.line - base], lines[(span.end_line or span.line) - base]
        if not first.lstrip().startswith("egress") or not last.rstrip().endswith("}"):
            return None  # shares its lines with other statements: leave it to a person
        remove.update(range(span.line - base, (span.end_line or span.line) - base + 1))
    kept = [i for i in range(len(lines)) if i not in remove]
    # A blank line that separated a removed rule from what preceded it goes too, when the
    # removal leaves it right before a closing brace.
    tidy = [i for n, i in enumerate(kept)
            if not (lines[i].strip() == "" and i + 1 in remove and n + 1 < len(kept)
                    and lines[kept[n + 1]].lstrip().startswith("}"))]
    new = "".join(lines[i] for i in tidy)
    hcl.find_block(new, "spec")  # raises when the result is not a well-formed block
    return new, replace(policy.source, new)


@fixer("k8s.ai-namespace-egress-unrestricted", "kubernetes_namespace", "kubernetes_namespace_v1")
def fix_namespace_egress(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Default-deny egress for the namespace, and no allow-all rule left in its policies."""
    if asset.source is None:
        return None
    policies = _policies(asset, ctx)
    shown: list[str] = []
    edits: list[TextEdit] = []
    for policy in policies:
        fixed = _without_open_rules(policy, ctx)
        if fixed is not None:
            shown.append(fixed[0])
            edits.append(fixed[1])
    # A proper default deny already there (not one whose rules we just removed) needs no twin.
    has_deny = any(_selects_all(p) and "Egress" in (p.get("policy_types") or ())
                   and not any(is_open(r) for r in p.get("egress") or ()) for p in policies)
    if not has_deny:
        name = ident(asset) + "_default_deny_egress"
        # appended next to the namespace, so a reference keeps the two in step (one policy per
        # instance of a namespace block with count / for_each: every instance appends the same)
        rep = repeat(asset, ctx)
        body = rep.meta + DENY_BODY.format(namespace=f"{rep.ref}.metadata[0].name")
        block = hcl.render_block("resource", ["kubernetes_network_policy_v1", name], body)
        shown.append(f"# default-deny egress for namespace {asset.name}\n" + block)
        edits.append(TextEdit(asset.source.file, block))
    if not edits:
        return None
    header = f"# namespace {asset.name} ({asset.id}): deny egress by default, allow only DNS\n"
    return Fix(terraform=header + "\n".join(s.rstrip("\n") + "\n" for s in shown), edits=tuple(edits))
