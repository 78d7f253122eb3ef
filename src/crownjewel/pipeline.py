"""scan(): collect -> graph -> classify -> evaluate -> suppress. Reporters take it from there."""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crownjewel import suppress
from crownjewel.classify import Classification, ClassifyOptions, classify
from crownjewel.collect.problems import ERROR, InputProblem
from crownjewel.collect.targets import collect_targets
from crownjewel.config import Config, SuppressionEntry
from crownjewel.model.findings import Finding
from crownjewel.model.graph import EstateGraph
from crownjewel.rules.engine import EvalContext, Thresholds, evaluate, select_rules
from crownjewel.rules.registry import Rule, load_rules


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """What to evaluate and how."""

    all_assets: bool = False
    only_rules: tuple[str, ...] = ()
    skip_rules: tuple[str, ...] = ()
    config: Config = field(default_factory=Config)
    extra_suppressions: tuple[SuppressionEntry, ...] = ()
    fixes: bool = True


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything one scan produced."""

    targets: tuple[str, ...]
    graph: EstateGraph
    classes: Mapping[str, Classification]
    findings: tuple[Finding, ...]
    problems: tuple[InputProblem, ...]
    rules: tuple[Rule, ...]
    sources: Mapping[str, str]
    stats: Mapping[str, object]
    coverage: tuple[Any, ...] = ()  # live clouds: what each (account, region, service) let us see

    @property
    def input_errors(self) -> bool:
        """Whether any input could not be read (exit code 2)."""
        return any(p.level == ERROR for p in self.problems)


def scan_paths(paths: Iterable[str | Path], all_assets: bool = False,
               options: ScanOptions | None = None) -> ScanResult:
    """Scan Terraform directories, files and plans; the library entry point of `crownjewel scan`."""
    options = options or ScanOptions(all_assets=all_assets)
    if all_assets and not options.all_assets:
        options = dataclasses.replace(options, all_assets=True)
    started = time.perf_counter()
    targets = tuple(str(p) for p in paths)
    # Configured accounts are what `scan` covers when it is given no target.
    collected = collect_targets(targets, () if targets else options.config.aws_accounts)
    graph = collected.builder.freeze()
    cfg = options.config
    classes = classify(graph, ClassifyOptions(crown_jewels=cfg.crown_jewels, out_of_scope=cfg.out_of_scope,
                                              all_assets=options.all_assets))
    rules = select_rules(load_rules(), options.only_rules, options.skip_rules)
    ctx = EvalContext(graph, classes,
                      Thresholds(max_rotation_days=cfg.thresholds.max_rotation_days, org_domains=cfg.org_domains),
                      collected.sources, fixes=options.fixes)
    findings = evaluate(rules, ctx)
    findings, warnings = suppress.apply(findings, collected.sources,
                                        tuple(cfg.suppressions) + options.extra_suppressions)
    stats = {
        "files": collected.files, "resources": collected.resources, "assets": len(graph),
        "crown_jewels": len(classes), "unmodelled_types": collected.unmodelled,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return ScanResult(targets, graph, classes, tuple(findings), tuple(collected.problems) + tuple(warnings),
                      tuple(rules), collected.sources, stats, tuple(collected.coverage))
