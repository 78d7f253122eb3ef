"""End to end on the bundled insecure estate: findings, SARIF that validates, fixes that work."""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema

from crownjewel.fixapply import apply_fixes, findings_fixes
from crownjewel.model.findings import Status
from crownjewel.pipeline import scan_paths

ESTATE = Path(__file__).resolve().parents[1] / "src" / "crownjewel" / "examples" / "estate" / "terraform"


def _load_sarif_test_module():
    spec = importlib.util.spec_from_file_location("_sarif_test", Path(__file__).parent / "report" / "test_sarif.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_real_scan_sarif_validates_against_the_official_schema(tmp_path: Path) -> None:
    out = tmp_path / "scan.sarif"
    proc = subprocess.run([sys.executable, "-m", "crownjewel.cli", "scan", str(ESTATE / "insecure"),
                           "-f", "sarif", "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    log = json.loads(out.read_text())
    schema = _load_sarif_test_module()._load_schema()
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls(schema, format_checker=validator_cls.FORMAT_CHECKER).validate(log)
    results = log["runs"][0]["results"]
    assert results
    located = [r for r in results if r["locations"][0]["physicalLocation"].get("region")]
    assert located
    for r in located:
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].endswith(".tf") and loc["region"]["startLine"] >= 1


def test_insecure_estate_fails_and_its_generated_fixes_remove_the_failures(tmp_path: Path) -> None:
    work = tmp_path / "estate"
    shutil.copytree(ESTATE / "insecure", work)
    before = scan_paths([str(work)])
    failed_before = {(f.rule_id, f.asset.id) for f in before.findings if f.status is Status.FAIL}
    fixable = {(f.rule_id, f.asset.id) for f in before.findings if f.status is Status.FAIL and f.fix and f.fix.edits}
    assert len(failed_before) >= 15, sorted(failed_before)
    assert len(fixable) >= 0.8 * len(failed_before), sorted(failed_before - fixable)

    result = before
    for _ in range(8):  # fixes touching the same block are applied over several rounds
        fixes = findings_fixes(result.findings)
        if not fixes:
            break
        changed, _ = apply_fixes(fixes)
        assert changed
        result = scan_paths([str(work)])
        assert not result.input_errors, [str(p) for p in result.problems]
    still = {(f.rule_id, f.asset.id) for f in result.findings if f.status is Status.FAIL}
    assert not (still & fixable), sorted(still & fixable)
