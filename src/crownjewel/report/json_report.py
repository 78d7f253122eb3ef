"""The JSON report: the contract users' scripts rely on (see DESIGN.md). Extend, never break."""
from __future__ import annotations

import functools
import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import IO, TYPE_CHECKING, Any

from crownjewel import __version__
from crownjewel.model.assets import Asset
from crownjewel.model.findings import Finding, Severity, Status
from crownjewel.rules.registry import Rule

if TYPE_CHECKING:
    from crownjewel.pipeline import ScanResult

TOOL = {"name": "crownjewel", "version": __version__,
        "information_uri": "https://github.com/crownjewel/crownjewel"}


def asset_dict(asset: Asset) -> dict[str, Any]:
    """The JSON form of an asset reference."""
    src = asset.source
    return {
        "id": asset.id, "kind": str(asset.kind), "provider": asset.provider,
        "account": asset.account, "name": asset.name, "native_type": asset.native_type,
        "region": asset.region,
        "source": {"file": src.file, "line": src.line, "end_line": src.end_line} if src else None,
    }


def _frameworks(refs: Mapping[str, tuple[str, ...]]) -> dict[str, list[str]]:
    # Findings of one rule share its mapping: convert it once per rule, not per finding.
    return _frameworks_of(tuple(refs.items()))


@functools.lru_cache(maxsize=256)
def _frameworks_of(items: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, list[str]]:
    return {k: list(v) for k, v in items}


def finding_dict(f: Finding, assets: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The JSON form of one finding (`assets` caches asset dicts across findings of one asset)."""
    if assets is None:
        asset = asset_dict(f.asset)
    else:
        asset = assets.get(f.asset.id) or assets.setdefault(f.asset.id, asset_dict(f.asset))
    return {
        "rule_id": f.rule_id, "status": str(f.status), "severity": str(f.severity),
        "title": f.title, "message": f.message, "asset": asset,
        "evidence": list(f.evidence), "crown_jewel": list(f.crown_jewel),
        "remediation": f.remediation,
        "fix": f.fix.terraform if f.fix else None,
        "fix_edits": [{"file": e.file, "start": e.start, "end": e.end, "replacement": e.replacement}
                      for e in f.fix.edits] if f.fix else [],
        "frameworks": _frameworks(f.frameworks),
        "suppressed": ({"reason": f.suppressed.reason, "by": f.suppressed.by, "owner": f.suppressed.owner,
                        "expires": f.suppressed.expires} if f.suppressed else None),
    }


def rule_dict(r: Rule) -> dict[str, Any]:
    """The JSON form of a rule's metadata."""
    return {
        "id": r.id, "title": r.title, "description": r.description, "severity": r.severity.value,
        "kinds": [k.value for k in r.kinds], "providers": list(r.providers) if r.providers else None,
        "remediation": r.remediation, "frameworks": {k: list(v) for k, v in r.frameworks.items()},
        "control": "ml-ip-theft", "control_step": r.control_step,
        "peers": {k: list(v) for k, v in r.peers.items()}, "help_uri": None,
    }


def summarize(findings: Iterable[Finding]) -> dict[str, Any]:
    """Counts by status and, for unsuppressed failures, by severity."""
    findings = list(findings)
    by_status = Counter(f.status.value for f in findings)
    failed = [f for f in findings if f.counts]
    by_sev = Counter(f.severity.value for f in failed)
    return {
        "total": len(findings),
        "passed": by_status.get(Status.PASS.value, 0),
        "failed": len(failed),
        "unknown": by_status.get(Status.UNKNOWN.value, 0),
        "suppressed": sum(1 for f in findings if f.suppressed is not None),
        "failed_by_severity": {s.value: by_sev.get(s.value, 0) for s in reversed(Severity)},
    }


def _base_dir(targets: Iterable[str]) -> str | None:
    """What source paths are relative to: the working directory when every target lies below it
    (CI runs from the repository root, and code scanning wants paths from there), else the
    targets' common directory."""
    paths = [os.path.abspath(t) for t in targets]
    if not paths:
        return None
    cwd = os.getcwd()
    if all(p == cwd or p.startswith(cwd.rstrip(os.sep) + os.sep) for p in paths):
        return cwd
    base = os.path.commonpath(paths)
    return os.path.dirname(base) if os.path.isfile(base) else base


def build_report(result: ScanResult) -> dict[str, Any]:
    """The whole report as plain data (JSON, SARIF and other reporters start from it)."""
    findings = sorted(result.findings, key=lambda f: (-f.severity.rank, f.status.value, f.rule_id, f.asset.id))
    asset_cache: dict[str, dict[str, Any]] = {}
    base = _base_dir(result.targets)
    return {
        "tool": TOOL,
        "control": "ml-ip-theft",
        "targets": list(result.targets),
        "base_dir": base,
        "rules": [rule_dict(r) for r in result.rules],
        "findings": [finding_dict(f, asset_cache) for f in findings],
        "crown_jewels": [
            {"asset": asset_dict(result.graph[aid]), "categories": sorted(c.categories),
             "evidence": list(c.evidence)}
            for aid, c in result.classes.items()
        ],
        "gaps": [{"asset": g.asset_id, "what": g.what, "reason": g.reason} for g in result.graph.gaps]
                + [{"asset": f.asset.id, "what": f.rule_id, "reason": f.evidence[0] if f.evidence else ""}
                   for f in findings if f.status is Status.UNKNOWN],
        "problems": [p.as_dict() for p in result.problems],
        "coverage": [{"account": c.account, "region": c.region, "service": c.service, "status": c.status,
                      "detail": c.detail} for c in result.coverage],
        "summary": {**summarize(result.findings), **{k: v for k, v in result.stats.items()
                                                      if k != "unmodelled_types"}},
    }


def write_json(report: Mapping[str, Any], stream: IO[str]) -> None:
    """Write the report: top-level keys one per line, each finding, rule or problem on a line of
    its own. Readable and greppable, and fast: json's C encoder only runs without `indent`."""
    dumps = json.JSONEncoder(default=str).encode  # one encoder: json.dumps(default=...) builds one per call
    stream.write("{\n")
    keys = list(report)
    for i, key in enumerate(keys):
        value = report[key]
        stream.write(f"  {dumps(key)}: ")
        if isinstance(value, list) and value:
            stream.write("[\n")
            stream.write(",\n".join("    " + dumps(item) for item in value))
            stream.write("\n  ]")
        else:
            stream.write(dumps(value))
        stream.write(",\n" if i < len(keys) - 1 else "\n")
    stream.write("}\n")
