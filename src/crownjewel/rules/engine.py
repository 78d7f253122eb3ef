"""Evaluate rules over the estate graph: pure, deterministic, tri-state."""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from crownjewel.classify import HOLDS_MODELS, Classification
from crownjewel.model.assets import Asset
from crownjewel.model.findings import Finding, Fix, Severity, Status
from crownjewel.model.graph import EstateGraph
from crownjewel.rules.registry import ALL, Fail, Rule, Unknown

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Tunable limits rules read (from the config file)."""

    max_rotation_days: int = 90
    org_domains: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EvalContext:
    """What a predicate may look at besides its asset: the graph, classes, thresholds, sources."""

    graph: EstateGraph
    classes: Mapping[str, Classification]
    thresholds: Thresholds = field(default_factory=Thresholds)
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # file -> text, for fix generation
    fixes: bool = True  # generate Terraform fixes for failures (off: --no-fixes)
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def memo(self, key: Any, build: Callable[[], T]) -> T:
        """A value computed once per scan (an index rules share instead of rescanning the graph)."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]  # type: ignore[no-any-return]

    def is_crown_jewel(self, asset: Asset | str) -> bool:
        """Whether the asset (or id) was classified as a crown jewel."""
        return (asset if isinstance(asset, str) else asset.id) in self.classes

    def source_lines(self, asset: Asset) -> list[str] | None:
        """The lines of the asset's declaring block, or None when the source is not at hand."""
        if asset.source is None or asset.source.file not in self.sources:
            return None
        lines = _split(self.sources[asset.source.file])
        end = asset.source.end_line or asset.source.line
        return list(lines[asset.source.line - 1:end])


@functools.lru_cache(maxsize=64)
def _split(text: str) -> tuple[str, ...]:
    # Fixes of many findings read blocks of the same file: split it once.
    return tuple(text.splitlines(keepends=True))


def select_rules(rules: Mapping[str, Rule], only: Iterable[str] = (),
                 skip: Iterable[str] = ()) -> list[Rule]:
    """Rules chosen by `--rule` / `--skip-rule` (ids or fnmatch patterns); unknown ids are errors."""
    import fnmatch

    only, skip = tuple(only), tuple(skip)
    for pattern in only + skip:
        if not any(fnmatch.fnmatchcase(rid, pattern) for rid in rules):
            raise ValueError(f"no rule matches {pattern!r}; see `crownjewel rules`")
    chosen = [r for rid, r in sorted(rules.items())
              if (not only or any(fnmatch.fnmatchcase(rid, p) for p in only))
              and not any(fnmatch.fnmatchcase(rid, p) for p in skip)]
    return chosen


def evaluate(rules: Iterable[Rule], ctx: EvalContext) -> list[Finding]:
    """Every applicable (rule, asset) pair, as PASS, FAIL or UNKNOWN findings."""
    findings: list[Finding] = []
    rules = list(rules)
    for asset in ctx.graph.assets():
        jewel = ctx.classes.get(asset.id)
        for r in rules:
            if not r.applies_to(asset):
                continue
            if r.applies != ALL and jewel is None:
                continue
            findings.append(_run(r, asset, ctx, jewel))
    return findings


def _run(r: Rule, asset: Asset, ctx: EvalContext, jewel: Classification | None) -> Finding:
    missing = [key for key in r.requires if not asset.knows(key)]
    outcome: Any
    status: Status
    evidence: tuple[str, ...]
    fields: dict[str, Any]
    if missing:
        outcome = Unknown("; ".join(asset.why_unknown(key) for key in missing))
    else:
        try:
            outcome = r.check(asset, ctx)
        except Exception as exc:  # a rule bug must not abort the scan nor read as PASS
            log.debug("rule %s failed on %s", r.id, asset.id, exc_info=True)
            outcome = Unknown(f"internal error in rule {r.id}: {exc!r}")
    if outcome is None or outcome is True:
        status, evidence, fields = Status.PASS, (), {}
    elif outcome is False:
        status, evidence, fields = Status.FAIL, (), {}
    elif isinstance(outcome, Fail):
        status, evidence, fields = Status.FAIL, outcome.evidence, dict(outcome.fields)
    elif isinstance(outcome, Unknown):
        status, evidence, fields = Status.UNKNOWN, (outcome.reason,), {}
    else:
        raise TypeError(f"rule {r.id} returned {outcome!r}")
    # An UNKNOWN carries the severity its failure would have: what is at stake decides triage.
    severity = _severity(r.severity, jewel) if status is not Status.PASS else r.severity
    if status is Status.FAIL:
        message = _format(r.message, asset, fields)
    elif status is Status.UNKNOWN:
        message = f"Could not decide {r.title.lower()!r} for {asset.name}: {evidence[0]}"
    else:
        message = f"{asset.name}: passes {r.id}"
    fix: Fix | None = None
    if status is Status.FAIL and ctx.fixes:
        fixer = r.fixers.get(asset.native_type)
        if fixer is not None:
            try:
                fix = fixer(asset, ctx, outcome if isinstance(outcome, Fail) else Fail())
            except Exception:  # a fix we cannot build is omitted, the finding stays
                log.debug("fixer of %s failed on %s", r.id, asset.id, exc_info=True)
    return Finding(
        rule_id=r.id, status=status, severity=severity, title=r.title, message=message,
        asset=asset, evidence=tuple(evidence), remediation=r.remediation, fix=fix,
        frameworks=r.frameworks, crown_jewel=jewel.evidence if jewel else (),
        details=MappingProxyType(fields),
    )


def _severity(base: Severity, jewel: Classification | None) -> Severity:
    """Critical on what holds model artefacts, training data or registries (or serves models);
    one level up on what protects, hosts or contains them; the rule's own severity elsewhere."""
    if jewel is None:
        return base
    if jewel.categories & HOLDS_MODELS:
        return Severity.CRITICAL
    return list(Severity)[min(base.rank + 1, Severity.CRITICAL.rank)]


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _format(template: str, asset: Asset, fields: Mapping[str, Any]) -> str:
    values = _Fields(asset=asset, name=asset.name, id=asset.id, provider=asset.provider)
    values.update(fields)
    return template.format_map(values)
