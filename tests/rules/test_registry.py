"""Registry-wide checks: every rule is well-formed, fails on its bad example, passes on its good
example, and passes again after its own generated fix is applied to the bad example."""
from __future__ import annotations

import string
from importlib import resources
from pathlib import Path

import pytest

from crownjewel.catalog import get_control
from crownjewel.catalog.frameworks import validate_refs
from crownjewel.fixapply import apply_fixes
from crownjewel.model.findings import Status
from crownjewel.pipeline import ScanOptions, scan_paths
from crownjewel.rules.registry import load_rules

RULES = load_rules()
EXAMPLES = resources.files("crownjewel.rules") / "examples"


def _examples() -> list[tuple[str, str]]:
    pairs = []
    for rule_id in sorted(RULES):
        folder = EXAMPLES / rule_id
        if not folder.is_dir():
            continue
        for f in sorted(folder.iterdir(), key=lambda f: f.name):
            if f.name.endswith(".bad.tf"):
                pairs.append((rule_id, f.name[: -len(".bad.tf")]))
    return pairs


PAIRS = _examples()


def _scan(tmp: Path, rule_id: str) -> list:
    result = scan_paths([str(tmp)], options=ScanOptions(only_rules=(rule_id,)))
    assert not result.input_errors, [str(p) for p in result.problems]
    return [f for f in result.findings if f.rule_id == rule_id]


def _write(tmp: Path, rule_id: str, name: str) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    text = (EXAMPLES / rule_id / name).read_text(encoding="utf-8")
    (tmp / "main.tf").write_text(text, encoding="utf-8")
    return tmp


def test_registry_is_not_empty_and_ids_are_words() -> None:
    assert len(RULES) >= 25
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id
        theme, _, name = rule_id.partition(".")
        assert theme and name and rule_id == rule_id.lower()


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_metadata(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert rule.remediation.strip() and rule.description.strip() and rule.title.strip()
    assert rule.frameworks.get("atlas"), "every rule maps to MITRE ATLAS"
    validate_refs(rule.frameworks)
    control = get_control("ml-ip-theft")
    assert control.remediation_step(rule.control_step) is not None, rule.control_step
    # the message template only uses fields a formatter can fill
    for _, field, _, _ in string.Formatter().parse(rule.message):
        assert field is None or field.split(".")[0] in {"asset", "name", "id", "provider"} or field.isidentifier()


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_has_examples(rule_id: str) -> None:
    folder = EXAMPLES / rule_id
    assert folder.is_dir(), f"{rule_id} has no examples folder"
    names = {f.name for f in folder.iterdir()}
    bad = {n[: -len(".bad.tf")] for n in names if n.endswith(".bad.tf")}
    good = {n[: -len(".good.tf")] for n in names if n.endswith(".good.tf")}
    assert bad and bad == good, f"{rule_id}: bad {sorted(bad)} vs good {sorted(good)}"


@pytest.mark.parametrize(("rule_id", "provider"), PAIRS)
def test_fails_on_bad_example(tmp_path: Path, rule_id: str, provider: str) -> None:
    findings = _scan(_write(tmp_path, rule_id, f"{provider}.bad.tf"), rule_id)
    failed = [f for f in findings if f.status is Status.FAIL]
    assert failed, f"{rule_id} did not fail on its bad example: {[(f.asset.id, f.status) for f in findings]}"
    if RULES[rule_id].applies == "crown_jewel":
        assert all(f.crown_jewel for f in failed)


@pytest.mark.parametrize(("rule_id", "provider"), PAIRS)
def test_passes_on_good_example(tmp_path: Path, rule_id: str, provider: str) -> None:
    findings = _scan(_write(tmp_path, rule_id, f"{provider}.good.tf"), rule_id)
    assert [f for f in findings if f.status is Status.PASS], f"{rule_id}: nothing passed on the good example"
    assert not [f for f in findings if f.status is not Status.PASS], [
        (f.asset.id, f.status, f.evidence) for f in findings if f.status is not Status.PASS]


@pytest.mark.parametrize(("rule_id", "provider"), PAIRS)
def test_passes_after_its_own_fix(tmp_path: Path, rule_id: str, provider: str) -> None:
    tmp = _write(tmp_path, rule_id, f"{provider}.bad.tf")
    for _ in range(3):  # overlapping edits are applied on the next round
        failed = [f for f in _scan(tmp, rule_id) if f.status is Status.FAIL]
        if not failed:
            break
        missing = [f.asset.id for f in failed if f.fix is None or not f.fix.edits]
        assert not missing, f"{rule_id}: no generated fix for {missing}"
        for f in failed:
            assert f.asset.name in f.fix.terraform or f.asset.id.split(".")[1].split("[")[0] in f.fix.terraform
        changed, _ = apply_fixes(f.fix for f in failed)
        assert changed
    after = _scan(tmp, rule_id)
    assert not [f for f in after if f.status is Status.FAIL], (tmp / "main.tf").read_text()
    assert [f for f in after if f.status is Status.PASS]
