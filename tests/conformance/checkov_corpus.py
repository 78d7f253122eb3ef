"""Score crownjewel against Checkov's own Terraform fixtures (../shared/corpus/checkov).

For each Checkov check that one of our rules names as a peer, scan its fixture with
`--all-assets` (fixtures are not AI-named) and compare our FAIL/not-FAIL per resource with the
addresses Checkov's tests expect to fail or pass. Shared by the conformance test and by
`python tests/conformance/write_accuracy.py`, which writes docs/accuracy.md.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from crownjewel.model.findings import Status
from crownjewel.pipeline import ScanOptions, scan_paths
from crownjewel.rules.registry import load_rules

REPO = Path(__file__).resolve().parents[2]

# Resources where we disagree with Checkov on purpose: (check id, address) -> why.
DISAGREEMENTS: dict[tuple[str, str], str] = {
    ("CKV2_AZURE_49", "azurerm_machine_learning_workspace.pass1"):
        "public_network_access_enabled is not set and the azurerm provider defaults it to true, so the "
        "workspace is reachable from public networks; Checkov passes an unset value",
}


def corpus_dir() -> Path:
    """The corpus: $CROWNJEWEL_CORPUS or ../shared/corpus beside the repository."""
    return Path(os.environ.get("CROWNJEWEL_CORPUS") or REPO.parent / "shared" / "corpus")


@dataclass
class Score:
    check_id: str
    check_name: str
    rules: tuple[str, ...]
    tp: list[str] = field(default_factory=list)
    fn: list[str] = field(default_factory=list)
    fp: list[str] = field(default_factory=list)
    tn: list[str] = field(default_factory=list)
    excused: dict[str, str] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return len(self.tp) / (len(self.tp) + len(self.fp)) if self.tp or self.fp else 1.0

    @property
    def recall(self) -> float:
        return len(self.tp) / (len(self.tp) + len(self.fn)) if self.tp or self.fn else 1.0


def peers() -> dict[str, tuple[str, ...]]:
    """Checkov check id -> our rule ids that claim it."""
    out: dict[str, list[str]] = {}
    for rule in load_rules().values():
        for check in rule.peers.get("checkov", ()):
            out.setdefault(check, []).append(rule.id)
    return {k: tuple(v) for k, v in out.items()}


def manifest_entries(root: Path) -> list[dict]:
    data = json.loads((root / "checkov" / "MANIFEST.json").read_text(encoding="utf-8"))
    return [e for key in ("resource_checks", "graph_checks") for e in data[key]]


def score_all(root: Path) -> list[Score]:
    """One Score per Checkov check we claim, over its fixture."""
    claimed = peers()
    scores: list[Score] = []
    for entry in manifest_entries(root):
        rules = claimed.get(entry["check_id"])
        if not rules:
            continue
        fixture = root / "checkov" / entry["fixture_dir"]
        result = scan_paths([str(fixture)], options=ScanOptions(all_assets=True, only_rules=rules))
        failed = {f.asset.id for f in result.findings if f.status is Status.FAIL}
        # Checkov reports some failures on the resource that causes them (an IAM member, a policy
        # resource); ours sit on the asset they expose, with the cause named in the evidence.
        blamed = " ".join(e for f in result.findings if f.status is Status.FAIL for e in f.evidence)
        failed |= {a for a in entry["expected_fail"] + entry["expected_pass"]
                   if re.search(rf"(?<![\w.]){re.escape(a)}(?![\w\[])", blamed)}
        score = Score(entry["check_id"], entry["check_name"], rules)
        for address in entry["expected_fail"]:
            key = (entry["check_id"], address)
            if key in DISAGREEMENTS:
                score.excused[address] = DISAGREEMENTS[key]
            (score.tp if address in failed else score.fn).append(address)
        for address in entry["expected_pass"]:
            key = (entry["check_id"], address)
            if key in DISAGREEMENTS:
                score.excused[address] = DISAGREEMENTS[key]
            (score.fp if address in failed else score.tn).append(address)
        scores.append(score)
    return scores
