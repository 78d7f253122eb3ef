"""End to end as a user would: the `crownjewel` CLI against moto_server on 127.0.0.1."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from crownjewel.examples.aws_estate import REGION, TRAINING_BUCKET, WEIGHTS_BUCKET, seed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def aws_env(endpoint: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    import boto3

    saved = {k: os.environ.get(k) for k in env if k.startswith("AWS_")}
    os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})
    try:
        seed(boto3.Session(region_name=REGION))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crownjewel.cli", *args], env=env, capture_output=True,
                          text=True, timeout=300)


def test_scan_live_account_finds_the_exposed_weights(aws_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = _cli(aws_env, "scan", f"aws://?regions={REGION}", "-f", "json", "-o", str(out))
    assert proc.returncode == 1, proc.stderr[-3000:]
    report = json.loads(out.read_text())
    failed = {(f["rule_id"], f["asset"]["name"]) for f in report["findings"] if f["status"] == "FAIL"}
    assert ("storage.model-store-public", WEIGHTS_BUCKET) in failed, failed
    assert ("storage.model-store-not-cmek", WEIGHTS_BUCKET) in failed
    assert any(r == "kms.key-rotation-over-90-days" for r, _ in failed)
    assert any(r == "ai.notebook-public-ip" for r, _ in failed)
    jewels = {j["asset"]["name"]: j for j in report["crown_jewels"]}
    assert any("safetensors" in e for e in jewels[WEIGHTS_BUCKET]["evidence"]), jewels[WEIGHTS_BUCKET]
    assert TRAINING_BUCKET in jewels
    assert report["coverage"] and {c["service"] for c in report["coverage"]} >= {"s3", "kms"}


def test_unknown_profile_is_a_clear_error(aws_env: dict[str, str]) -> None:
    proc = _cli(aws_env, "scan", "aws://no-such-profile", "-f", "json")
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "no-such-profile" in proc.stderr and "Traceback" not in proc.stderr


def test_permissions_policy_is_read_only(aws_env: dict[str, str]) -> None:
    proc = _cli(aws_env, "permissions", "aws")
    assert proc.returncode == 0, proc.stderr
    policy = json.loads(proc.stdout)
    reads = [st for st in policy["Statement"] if st.get("Sid") != "AssumeScanRole"]
    assume = [st for st in policy["Statement"] if st.get("Sid") == "AssumeScanRole"]
    assert assume and assume[0]["Action"] in ("sts:AssumeRole", ["sts:AssumeRole"])  # the one non-read, for roles
    actions = {a for st in reads for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])}
    assert "s3:GetBucketPolicy" in actions and "kms:GetKeyRotationStatus" in actions
    verbs = ("Get", "List", "Describe", "Head")
    assert all(a.split(":", 1)[1].startswith(verbs) for a in actions), sorted(actions)


def test_configured_accounts_are_scanned_through_assume_role(aws_env: dict[str, str], tmp_path: Path) -> None:
    import boto3

    saved = {k: os.environ.get(k) for k in aws_env if k.startswith("AWS_")}
    os.environ.update({k: v for k, v in aws_env.items() if k.startswith("AWS_")})
    try:
        creds = boto3.client("sts", region_name=REGION).assume_role(
            RoleArn="arn:aws:iam::222222222222:role/crownjewel-scan", RoleSessionName="seed")["Credentials"]
        other = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                              aws_session_token=creds["SessionToken"], region_name=REGION)
        other.client("s3").create_bucket(Bucket="acme-second-account-checkpoints")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    cfg = tmp_path / "crownjewel.yaml"
    cfg.write_text(f"aws_accounts:\n  - regions: [{REGION}]\n"
                   f"  - role_arn: arn:aws:iam::222222222222:role/crownjewel-scan\n    regions: [{REGION}]\n")
    out = tmp_path / "report.json"
    proc = _cli(aws_env, "scan", "--config", str(cfg), "-f", "json", "-o", str(out))
    assert proc.returncode == 1, proc.stderr[-3000:]
    report = json.loads(out.read_text())
    accounts = {c["account"] for c in report["coverage"]}
    assert {"123456789012", "222222222222"} <= accounts, accounts
    second = [f for f in report["findings"] if f["asset"]["name"] == "acme-second-account-checkpoints"]
    assert second and all(f["asset"]["account"] == "222222222222" for f in second)
