"""Bad input: one clear line naming file and line, the rest still scanned, no traceback, exit 2."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crownjewel.pipeline import scan_paths

GOOD = 'resource "google_storage_bucket" "models" {\n  name     = "acme-model-weights"\n  location = "EU"\n}\n'


def _cli(*args: str, drop_dac: bool = False) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "crownjewel.cli", *args]
    if drop_dac:
        # Root reads every directory; without these capabilities it obeys permission bits.
        cmd = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
               "--inh-caps=-dac_override,-dac_read_search", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _assert_clean_error(proc: subprocess.CompletedProcess[str], needle: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert needle in proc.stderr, proc.stderr


def _tree(tmp_path: Path) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "good.tf").write_text(GOOD)
    return tmp_path


def _scanned_good(result) -> bool:
    return "google_storage_bucket.models" in result.graph


def test_unparsable_hcl_names_file_and_line_and_other_files_are_scanned(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "broken.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = \n}\n')
    (root / "also_broken.tf").write_text('resource "aws_s3_bucket" "y" {\n  bucket = "ok"\n\n  acl = [\n')
    result = scan_paths([str(root)])
    msgs = [str(p) for p in result.problems]
    assert any("broken.tf:2:" in m and "invalid HCL" in m for m in msgs), msgs
    assert any("also_broken.tf:" in m for m in msgs), msgs
    assert result.input_errors and _scanned_good(result)
    proc = _cli("scan", str(root), "--format", "json")
    _assert_clean_error(proc, "broken.tf:2: invalid HCL")
    report = json.loads(proc.stdout)
    assert any(f["asset"]["id"] == "google_storage_bucket.models" for f in report["findings"])


def test_invalid_plan_json_names_line(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text('{\n  "format_version": "1.2",\n  "planned_values": {,\n}\n')
    proc = _cli("scan", str(plan), str(_tree(tmp_path / "tf")))
    _assert_clean_error(proc, f"{plan}:3: invalid JSON")


def test_json_that_is_not_a_plan(tmp_path: Path) -> None:
    other = tmp_path / "package.json"
    other.write_text('{"name": "x"}')
    proc = _cli("scan", str(other))
    _assert_clean_error(proc, "not `terraform show -json` output")


def test_unknown_resource_type_is_a_warning_not_an_error(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "odd.tf").write_text('resource "acme_model_vault" "v" {\n  name = "x"\n}\n')
    result = scan_paths([str(root)])
    warnings = [str(p) for p in result.problems]
    assert any("acme_model_vault" in w and "odd.tf:1" in w for w in warnings), warnings
    assert not result.input_errors and _scanned_good(result)


def test_unresolvable_reference_makes_the_finding_unknown_not_pass(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "google_storage_bucket" "models" {\n  name = "acme-model-weights"\n  location = "EU"\n'
        '  versioning {\n    enabled = var.undeclared\n  }\n}\n')
    result = scan_paths([str(tmp_path)], all_assets=True)
    versioning = [f for f in result.findings if f.rule_id == "storage.model-store-versioning-off"]
    assert versioning and versioning[0].status.value == "UNKNOWN", [(f.status, f.evidence) for f in versioning]
    assert "var.undeclared" in versioning[0].evidence[0]


def test_empty_file_is_reported_and_does_not_break_the_module(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "empty.tf").write_text("")
    result = scan_paths([str(root)])
    assert any("empty.tf" in str(p) and "empty" in p.message for p in result.problems)
    assert _scanned_good(result)


def test_binary_file(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "blob.tf").write_bytes(b"\x7fELF\x00\x01\x02\x03" * 64)
    proc = _cli("scan", str(root), "--format", "json")
    _assert_clean_error(proc, "blob.tf: binary file")
    assert "google_storage_bucket.models" in proc.stdout


def test_huge_file_is_skipped_with_a_clear_line(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    with (root / "huge.tf").open("w") as fh:
        fh.write("# padding\n" * (2 * 1024 * 1024 + 10))  # just over 20 MiB
    result = scan_paths([str(root)])
    assert any("huge.tf" in str(p) and "limit" in p.message for p in result.problems)
    assert result.input_errors and _scanned_good(result)


def test_symlink_loop_is_reported_once_and_scan_finishes(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "sub").mkdir()
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
    result = scan_paths([str(root)])
    assert any("symlink loop" in p.message for p in result.problems)
    assert _scanned_good(result)


def test_missing_target(tmp_path: Path) -> None:
    proc = _cli("scan", str(tmp_path / "nope"))
    _assert_clean_error(proc, "no such file or directory")


@pytest.mark.skipif(os.geteuid() == 0 and shutil.which("setpriv") is None,
                    reason="as root every directory is readable, and setpriv (util-linux) is missing")
def test_unreadable_directory(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    locked = root / "locked"
    locked.mkdir()
    (locked / "secret.tf").write_text(GOOD.replace("models", "hidden"))
    os.chmod(locked, 0o000)
    try:
        proc = _cli("scan", str(root), "--format", "json", drop_dac=os.geteuid() == 0)
        _assert_clean_error(proc, "cannot read directory")
        assert "google_storage_bucket.models" in proc.stdout
    finally:
        os.chmod(locked, 0o755)
