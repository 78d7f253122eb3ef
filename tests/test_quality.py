"""The style gates of DESIGN.md, enforced in CI: ruff on everything, mypy --strict on the package."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *cmd], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean() -> None:
    proc = _run("ruff", "check", "src", "tests", "bench")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_mypy_strict_is_clean() -> None:
    proc = _run("mypy", "--strict", "src/crownjewel")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
