"""The command-line contract: targets, formats, outputs, exit codes, config, suppressions."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

BAD_BUCKET = """resource "google_storage_bucket" "models" {
  name     = "acme-model-weights"
  location = "EU"
}
"""

SECURE = """resource "google_kms_key_ring" "ai" {
  name     = "ai"
  location = "europe-west4"
}

resource "google_kms_crypto_key" "weights" {
  name            = "weights"
  key_ring        = google_kms_key_ring.ai.id
  rotation_period = "7776000s"
}

resource "google_storage_bucket" "models" {
  name                        = "acme-model-weights"
  location                    = "EU"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  encryption {
    default_kms_key_name = google_kms_crypto_key.weights.id
  }
  versioning {
    enabled = true
  }
  logging {
    log_bucket = "acme-access-logs"
  }
}
"""


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crownjewel.cli", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    (tmp_path / "main.tf").write_text(BAD_BUCKET)
    return tmp_path


def test_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0 and "crownjewel" in proc.stdout and "0." in proc.stdout


def test_scan_json_contract_and_exit_1(bad: Path) -> None:
    proc = run("scan", str(bad), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["tool"]["name"] == "crownjewel"
    f = next(f for f in report["findings"] if f["rule_id"] == "storage.model-store-not-cmek")
    assert set(f) >= {"rule_id", "status", "severity", "title", "message", "asset", "evidence",
                      "remediation", "fix", "frameworks"}
    assert f["status"] == "FAIL" and f["severity"] == "critical"
    assert f["asset"]["id"] == "google_storage_bucket.models" and f["asset"]["kind"] == "object_store"
    assert f["asset"]["source"]["file"].endswith("main.tf") and f["asset"]["source"]["line"] == 1
    assert "AML.M0012" in f["frameworks"]["atlas"]
    assert "google_kms_crypto_key" in f["fix"] and "models" in f["fix"]
    assert any("acme-model-weights" in e for e in f["crown_jewel"])
    assert report["summary"]["failed"] >= 1


def test_clean_estate_exits_0(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(SECURE)
    proc = run("scan", str(tmp_path), "--format", "json", "--skip-rule", "logging.model-store-reads-not-audited")
    report = json.loads(proc.stdout)
    failed = [(f["rule_id"], f["asset"]["id"]) for f in report["findings"] if f["status"] == "FAIL"]
    assert proc.returncode == 0, failed


def test_severity_threshold_and_soft_fail(bad: Path) -> None:
    assert run("scan", str(bad), "--severity-threshold", "critical", "-f", "json").returncode == 1
    assert run("scan", str(bad), "--soft-fail", "-f", "json").returncode == 0
    assert run("scan", str(bad), "--severity-threshold", "bogus").returncode == 2


def test_rule_selection(bad: Path) -> None:
    proc = run("scan", str(bad), "-f", "json", "--rule", "storage.model-store-versioning-off")
    assert {f["rule_id"] for f in json.loads(proc.stdout)["findings"]} == {"storage.model-store-versioning-off"}
    proc = run("scan", str(bad), "-f", "json", "--skip-rule", "storage.*", "--skip-rule", "logging.*")
    assert not [f for f in json.loads(proc.stdout)["findings"] if f["rule_id"].startswith("storage.")]
    assert run("scan", str(bad), "--rule", "no.such-rule").returncode == 2


def test_several_formats_into_a_directory(bad: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    proc = run("scan", str(bad), "-f", "json", "-f", "sarif", "-f", "table", "-o", str(out))
    assert proc.returncode == 1
    assert json.loads((out / "crownjewel.json").read_text())["findings"]
    sarif = json.loads((out / "crownjewel.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert "storage.model-store-not-cmek" in (out / "crownjewel.txt").read_text()


def test_table_output_shows_findings_and_summary(bad: Path) -> None:
    proc = run("scan", str(bad))
    assert "storage.model-store-not-cmek" in proc.stdout and "failed" in proc.stdout


def test_config_unknown_key_is_an_error(bad: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "cj.yaml"
    cfg.write_text("crown_jewel: [x]\n")
    proc = run("scan", str(bad), "--config", str(cfg))
    assert proc.returncode == 2 and "crown_jewel" in proc.stderr and "Traceback" not in proc.stderr


def test_config_declares_crown_jewels_and_out_of_scope(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(BAD_BUCKET.replace("acme-model-weights", "acme-web-assets")
                                      .replace('"models"', '"web"'))
    assert not json.loads(run("scan", str(tmp_path), "-f", "json").stdout)["findings"]
    cfg = tmp_path / "cj.yaml"
    cfg.write_text("crown_jewels: ['acme-web-*']\n")
    report = json.loads(run("scan", str(tmp_path), "-f", "json", "--config", str(cfg)).stdout)
    assert any(f["status"] == "FAIL" for f in report["findings"])
    cfg.write_text("crown_jewels: ['acme-web-*']\nout_of_scope: ['google_storage_bucket.web']\n")
    assert not json.loads(run("scan", str(tmp_path), "-f", "json", "--config", str(cfg)).stdout)["findings"]


def test_inline_suppression(tmp_path: Path) -> None:
    text = BAD_BUCKET.replace('location = "EU"\n', 'location = "EU"\n  # crownjewel:ignore=storage.model-store-versioning-off scratch copies only\n')
    (tmp_path / "main.tf").write_text(text)
    report = json.loads(run("scan", str(tmp_path), "-f", "json").stdout)
    f = next(f for f in report["findings"] if f["rule_id"] == "storage.model-store-versioning-off")
    assert f["status"] == "FAIL" and f["suppressed"] == {"reason": "scratch copies only", "by": "inline",
                                                         "owner": None, "expires": None}
    other = next(f for f in report["findings"] if f["rule_id"] == "storage.model-store-not-cmek")
    assert other["suppressed"] is None


def test_suppressions_file_with_owner_and_expiry(bad: Path, tmp_path: Path) -> None:
    sup = tmp_path / "sup.yaml"
    sup.write_text("- rule: '*'\n  asset: google_storage_bucket.models\n  reason: migrating next sprint\n"
                   "  owner: ml-platform@acme.example\n  expires: 2999-01-01\n")
    proc = run("scan", str(bad), "-f", "json", "--suppressions", str(sup))
    report = json.loads(proc.stdout)
    assert proc.returncode == 0, [f["rule_id"] for f in report["findings"] if f["status"] == "FAIL" and not f["suppressed"]]
    assert report["summary"]["suppressed"] >= 1
    sup.write_text(sup.read_text().replace("2999-01-01", "2000-01-01"))
    proc = run("scan", str(bad), "-f", "json", "--suppressions", str(sup))
    assert proc.returncode == 1 and "expired on 2000-01-01" in proc.stderr


def test_rules_listing_filters() -> None:
    all_rules = json.loads(run("rules", "--format", "json").stdout)["rules"]
    gcp = json.loads(run("rules", "--provider", "gcp", "--format", "json").stdout)["rules"]
    assert len(gcp) < len(all_rules) and all(r["providers"] is None or "gcp" in r["providers"] for r in gcp)
    crit = json.loads(run("rules", "--severity", "critical", "--format", "json").stdout)["rules"]
    assert crit and all(r["severity"] == "critical" for r in crit)
    m12 = json.loads(run("rules", "--framework", "atlas:AML.M0012", "--format", "json").stdout)["rules"]
    assert m12 and all("AML.M0012" in r["frameworks"]["atlas"] for r in m12)
    assert len(m12) < len(all_rules)


def test_explain_rule_control_and_unknown() -> None:
    proc = run("explain", "storage.model-store-not-cmek")
    assert proc.returncode == 0 and "Remediation" in proc.stdout and "AML.M0012" in proc.stdout
    proc = run("explain", "ml-ip-theft")
    assert proc.returncode == 0 and "How are model weights encrypted" in proc.stdout
    proc = run("explain", "storage.model-store-not-cmk")
    assert proc.returncode == 2 and "did you mean storage.model-store-not-cmek" in proc.stderr


def test_scan_is_read_only(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[1] / "src" / "crownjewel" / "examples" / "estate" / "terraform"
    import shutil
    shutil.copytree(src, tmp_path / "estate")

    def digest() -> dict[str, str]:
        return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((tmp_path / "estate").rglob("*"))
                if p.is_file()}

    before = digest()
    run("scan", str(tmp_path / "estate"), "-f", "json", "-o", str(tmp_path / "out.json"))
    assert digest() == before


def test_demo_runs_the_main_job(tmp_path: Path) -> None:
    proc = run("demo", "--output", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Crown jewels" in proc.stdout and "critical" in proc.stdout.lower()
    report = json.loads((tmp_path / "out" / "crownjewel.json").read_text())
    failed = {f["rule_id"] for f in report["findings"] if f["status"] == "FAIL"}
    assert {"storage.model-store-public", "storage.model-store-not-cmek",
            "kms.key-rotation-over-90-days"} <= failed


def test_several_formats_need_an_output_directory(bad: Path, tmp_path: Path) -> None:
    proc = run("scan", str(bad), "-f", "json", "-f", "sarif")
    assert proc.returncode == 2 and "--output DIR" in proc.stderr and not proc.stdout
    (tmp_path / "a-file").write_text("x")
    proc = run("scan", str(bad), "-f", "json", "-f", "sarif", "-o", str(tmp_path / "a-file"))
    assert proc.returncode == 2 and "is a file" in proc.stderr


def test_unwritable_output_is_a_clear_error(bad: Path) -> None:
    proc = run("scan", str(bad), "-f", "json", "-o", "/proc/crownjewel-cannot/x.json")
    assert proc.returncode == 2 and "cannot write /proc/crownjewel-cannot/x.json" in proc.stderr
