"""Suppressions: inline `# crownjewel:ignore=<rule-id> <reason>` comments and a file with owners
and expiry dates. A suppressed failure stays in the report (marked), but no longer fails the run."""
from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from crownjewel.collect.problems import WARNING, InputProblem
from crownjewel.config import SuppressionEntry
from crownjewel.model.findings import Finding, Status, Suppression

INLINE = re.compile(r"(?:#|//)\s*crownjewel:ignore=(?P<rules>[\w.*,-]+)(?:\s+(?P<reason>.*?))?\s*(?:\*/)?$")


def inline_suppressions(lines: Iterable[str]) -> dict[str, str]:
    """Rule id (or pattern) -> reason, from the comments of one block."""
    found: dict[str, str] = {}
    for line in lines:
        m = INLINE.search(line.rstrip("\r\n"))
        if m:
            for rid in m.group("rules").split(","):
                if rid:
                    found[rid] = (m.group("reason") or "").strip() or "no reason given"
    return found


def apply(findings: list[Finding], sources: Mapping[str, str],
          entries: Iterable[SuppressionEntry] = (), today: dt.date | None = None
          ) -> tuple[list[Finding], list[InputProblem]]:
    """Mark suppressed failures; returns the findings and warnings about expired entries."""
    problems: list[InputProblem] = []
    active: list[SuppressionEntry] = []
    for entry in entries:
        if entry.expired(today):
            problems.append(InputProblem(
                "suppressions", f"suppression of {entry.rule} on {entry.asset} (owner "
                f"{entry.owner or 'none'}) expired on {entry.expires}; not applied", level=WARNING))
        else:
            active.append(entry)
    split_lines: dict[str, list[str]] = {}
    out: list[Finding] = []
    for finding in findings:
        if finding.status is not Status.FAIL:
            out.append(finding)
            continue
        suppression = _inline(finding, sources, split_lines) or _from_file(finding, active)
        out.append(replace(finding, suppressed=suppression) if suppression else finding)
    return out, problems


def _inline(finding: Finding, sources: Mapping[str, str], cache: dict[str, list[str]]) -> Suppression | None:
    src = finding.asset.source
    if src is None or src.file not in sources:
        return None
    lines = cache.get(src.file)
    if lines is None:
        lines = cache[src.file] = sources[src.file].splitlines()
    # The comment may sit inside the block or on the line right above it.
    block = lines[max(src.line - 2, 0):(src.end_line or src.line)]
    for pattern, reason in inline_suppressions(block).items():
        if fnmatch.fnmatchcase(finding.rule_id, pattern):
            return Suppression(reason=reason, by="inline")
    return None


def _from_file(finding: Finding, entries: list[SuppressionEntry]) -> Suppression | None:
    for entry in entries:
        if fnmatch.fnmatchcase(finding.rule_id, entry.rule) and (
                fnmatch.fnmatchcase(finding.asset.id, entry.asset)
                or fnmatch.fnmatchcase(finding.asset.name, entry.asset)):
            return Suppression(reason=entry.reason, by="file", owner=entry.owner,
                               expires=entry.expires.isoformat() if entry.expires else None)
    return None
