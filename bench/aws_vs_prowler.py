"""Time crownjewel against Prowler on one emulated AWS account (moto_server on 127.0.0.1).

What it does, in one run:

1. Creates ``bench/.venv-prowler`` if absent and installs a pinned Prowler there (PyPI, once).
2. Starts ``python -m moto.server -H 127.0.0.1 -p PORT`` from the crownjewel venv, its request log
   captured to ``bench/.work/aws/moto_server.log``, and seeds one account: ``--buckets`` S3 buckets
   (every ``--share-every``-th a model share holding ``*.safetensors``; a seeded mix of default /
   SSE-S3 / SSE-KMS encryption, public / TLS-only / no policy, versioning, public access blocks,
   access logging), ``--keys`` KMS keys (about half rotating), ``--roles`` IAM roles, SageMaker
   models pointing at the buckets and notebook instances, and a CloudTrail trail.
3. Runs each tool once untimed (warm-up; its output fills the findings column, and its requests
   are recorded by moto's recorder to break the API calls down by service and operation), then
   ``--repeat`` timed runs, interleaved. Each run's API calls are the request lines moto_server's
   (werkzeug) log gained during the run:
   - ``crownjewel scan aws://?regions=us-east-1 -f json -o FILE --soft-fail``,
   - ``prowler aws --region us-east-1 --checks ...`` restricted to the equivalent checks
     (S3 encryption, public access, versioning, logging; KMS rotation; CloudTrail; SageMaker
     notebook internet access and model network isolation).
4. Stops moto_server, prints a Markdown report; ``--write-docs`` replaces its own section of
   ``docs/benchmarks.md``.

Both tools get AWS_ENDPOINT_URL=http://127.0.0.1:PORT, dummy credentials, AWS_CONFIG_FILE and
AWS_SHARED_CREDENTIALS_FILE=/dev/null, and HTTP(S)_PROXY pointing at a closed loopback port with
NO_PROXY=127.0.0.1,localhost: any request a tool builds for a real AWS (or other) host fails at once
instead of leaving the machine.

Usage::

    python bench/aws_vs_prowler.py                       # 200 buckets, 50 keys, 100 roles, 3 runs
    python bench/aws_vs_prowler.py --buckets 40 --repeat 1   # quick run
    python bench/aws_vs_prowler.py --write-docs          # also update docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import base64
import collections
import json
import os
import platform
import random
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work" / "aws"
PROWLER_VENV = BENCH / ".venv-prowler"
PROWLER_PIN = "5.46.0"
SECTION = "aws_vs_prowler"
REGION = "us-east-1"
CJ_VENV_PY = REPO / ".venv" / "bin" / "python"

# Prowler checks covering the same ground as crownjewel's AWS rules on these services. Ids the
# installed Prowler does not list are dropped (and reported).
PROWLER_CHECKS: tuple[str, ...] = (
    # S3: encryption, public access, versioning, logging, TLS
    "s3_bucket_default_encryption",
    "s3_bucket_kms_encryption",
    "s3_bucket_level_public_access_block",
    "s3_account_level_public_access_blocks",
    "s3_bucket_public_access",
    "s3_bucket_policy_public_write_access",
    "s3_bucket_public_list_acl",
    "s3_bucket_public_write_acl",
    "s3_bucket_object_versioning",
    "s3_bucket_server_access_logging_enabled",
    "s3_bucket_secure_transport_policy",
    # KMS
    "kms_cmk_rotation_enabled",
    # CloudTrail
    "cloudtrail_multi_region_enabled",
    "cloudtrail_s3_dataevents_read_enabled",
    "cloudtrail_s3_dataevents_write_enabled",
    "cloudtrail_kms_encryption_enabled",
    # SageMaker
    "sagemaker_notebook_instance_without_direct_internet_access_configured",
    "sagemaker_notebook_instance_root_access_disabled",
    "sagemaker_notebook_instance_vpc_settings_configured",
    "sagemaker_notebook_instance_encryption_enabled",
    "sagemaker_models_network_isolation_enabled",
    "sagemaker_models_vpc_settings_configured",
)

# Observed with Prowler 5.46.0 against moto 5.2.5 (see the README); printed under the table.
NOTES: tuple[str, ...] = (
    "Notes on the comparison:",
    "",
    "- Prowler honours AWS_ENDPOINT_URL: its requests, including sts:GetCallerIdentity and "
    "organizations:DescribeAccount at start-up, reach moto_server (checked with --log-level DEBUG on a small account).",
    "- Without AWS_DISABLE_HOST_PREFIX_INJECTION=true, Prowler's s3control calls go to "
    "`123456789012.127.0.0.1:PORT`, fail, and botocore retries them with back-off (about 10 s per run); "
    "crownjewel turns the prefix off itself when an endpoint override is set. Both tools get the variable.",
    "- Some of Prowler's calls are not implemented by moto (sagemaker:ListMonitoringSchedules answers 500) "
    "and are retried with back-off by botocore, and moto's kms:DescribeKey omits `MultiRegion`, which "
    "Prowler's KMS service logs as a KeyError for some keys: Prowler's time and call count include these "
    "retries, and its KMS findings may be incomplete. Neither would happen against AWS.",
    "- Prowler spends several seconds before its first API call loading its check and compliance "
    "metadata, and writes compliance CSVs next to its JSON-OCSF output; both are part of what a user waits for.",
    "- Findings are not one to one: Prowler reports one finding per check and resource (PASS or FAIL); "
    "crownjewel one per rule and asset, on every asset in scope, plus crown-jewel classification.",
)

# Closed loopback port used as HTTP(S) proxy: traffic to any non-loopback host fails immediately.
BLACKHOLE_PROXY = "http://127.0.0.1:9"


# --------------------------------------------------------------------------------------------------
# Running and timing commands.


@dataclass(slots=True)
class Run:
    seconds: float
    returncode: int
    max_rss_mb: float
    calls: int
    stdout: Path
    stderr: Path

    def stderr_tail(self, lines: int = 15) -> str:
        text = self.stderr.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        return "\n".join(text[-lines:])


@dataclass(slots=True)
class Tool:
    name: str
    cmd: list[str]
    env: dict[str, str] = field(default_factory=dict)
    ok_codes: tuple[int, ...] = (0,)
    report: Path | None = None  # the tool's findings file (or folder), read after the warm-up
    times: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)
    by_operation: dict[str, int] = field(default_factory=dict)  # from the warm-up's recording
    result: str = ""
    error: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def minimum(self) -> float | None:
        return min(self.times) if self.times else None


class Moto:
    """moto_server on 127.0.0.1, its werkzeug request log going to a file we count lines in."""

    def __init__(self, python: Path, port: int, log: Path, recording: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self.recording = recording
        self._log_fh = log.open("wb")
        env = {
            **os.environ,
            "MOTO_RECORDER_FILEPATH": str(recording),
            "NO_PROXY": "127.0.0.1,localhost",
        }
        self.proc = subprocess.Popen(
            [str(python), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=self._log_fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                self.api("GET", "/moto-api/")
                break
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(
                        f"moto_server exited with {self.proc.returncode}; log:\n"
                        + log.read_text(errors="replace")[-2000:]
                    ) from None
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("moto_server did not answer within 60 s") from None
                time.sleep(0.2)

    def api(self, method: str, path: str) -> bytes:
        req = urllib.request.Request(self.url + path, method=method, data=b"" if method == "POST" else None)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
        with opener.open(req, timeout=10) as resp:
            return resp.read()

    def request_lines(self) -> int:
        """Request lines logged so far (werkzeug: '127.0.0.1 - - [date] "GET /x HTTP/1.1" 200 -')."""
        self._log_fh.flush()
        n = 0
        with self.log.open("rb") as fh:
            for line in fh:
                if line.startswith(b"127.0.0.1 - - [") and b"/moto-api/" not in line:
                    n += 1
        return n

    def record(self, on: bool) -> None:
        if on:
            self.api("POST", "/moto-api/recorder/reset-recording")
            self.api("POST", "/moto-api/recorder/start-recording")
        else:
            self.api("POST", "/moto-api/recorder/stop-recording")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self._log_fh.close()


def run_timed(cmd: list[str], stdout: Path, stderr: Path, env: dict[str, str], timeout: float,
              moto: Moto) -> Run:
    """Run ``cmd``; wall time, peak RSS (wait4) and the moto_server requests made meanwhile."""
    before = moto.request_lines()
    with stdout.open("wb") as out, stderr.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env,
                                start_new_session=True)
        deadline = start + timeout
        status = usage = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.killpg(proc.pid, 9)
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if seconds >= timeout:
        err_note = f"\n[killed by aws_vs_prowler.py after {timeout:.0f} s]\n"
        with stderr.open("a") as fh:
            fh.write(err_note)
    time.sleep(0.05)  # let moto_server flush its last log lines
    calls = moto.request_lines() - before
    return Run(seconds, proc.returncode, usage.ru_maxrss / 1024, calls, stdout, stderr)


def execute(tool: Tool, tag: str, timeout: float, moto: Moto) -> Run | None:
    safe = tool.name.split()[0].lower()
    run = run_timed(tool.cmd, WORK / f"{safe}.{tag}.out", WORK / f"{safe}.{tag}.err",
                    tool.env, timeout, moto)
    if run.returncode not in tool.ok_codes:
        last = (run.stderr_tail(1) or run.stdout.read_text(errors="replace").strip()[-160:]
                or "no output")[:160].replace("|", "\\|")
        tool.error = f"exit code {run.returncode} after {run.seconds:.1f} s: {last}"
        print(f"  {tool.name}: {tool.error}\n    " + run.stderr_tail().replace("\n", "\n    "),
              file=sys.stderr)
        return None
    return run


# --------------------------------------------------------------------------------------------------
# The account.


def seed_account(endpoint: str, buckets: int, keys: int, roles: int, share_every: int,
                 seed: int) -> dict[str, int]:
    """Create the estate through moto_server (only ever an emulator); return what was created."""
    import boto3
    from botocore.config import Config

    rnd = random.Random(seed)
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                            region_name=REGION)
    cfg = Config(retries={"max_attempts": 2}, proxies={})

    def client(name: str) -> Any:
        return session.client(name, endpoint_url=endpoint, config=cfg)

    s3, kms, iam, sm, ct = (client(n) for n in ("s3", "kms", "iam", "sagemaker", "cloudtrail"))
    counts: collections.Counter[str] = collections.Counter()

    key_ids: list[str] = []
    for i in range(keys):
        kid = kms.create_key(Description=f"bench key {i}", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=f"alias/bench-{i:03d}", TargetKeyId=kid)
        if rnd.random() < 0.5:
            kms.enable_key_rotation(KeyId=kid)
            counts["kms keys rotating"] += 1
        key_ids.append(kid)
    counts["kms keys"] = keys

    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"Service": "sagemaker.amazonaws.com"}}]})
    role_arns = [iam.create_role(RoleName=f"bench-role-{i:03d}", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
                 for i in range(roles)]
    counts["iam roles"] = roles

    log_bucket = "bench-access-logs"
    trail_bucket = "bench-cloudtrail-logs"
    for name in (log_bucket, trail_bucket):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_acl(Bucket=log_bucket, ACL="log-delivery-write")
    names = [log_bucket, trail_bucket]
    shares: list[str] = []
    for i in range(max(0, buckets - 2)):
        share = i % share_every == 0
        name = f"bench-{'model-share' if share else 'data'}-{i:03d}"
        s3.create_bucket(Bucket=name)
        names.append(name)
        if share:
            shares.append(name)
            for j in range(rnd.randint(1, 3)):
                s3.put_object(Bucket=name, Key=f"llm-{i}/model-{j + 1:05d}.safetensors", Body=b"\0" * 1024)
            s3.put_object(Bucket=name, Key=f"llm-{i}/config.json", Body=b"{}")
            counts["model shares (*.safetensors)"] += 1
        else:
            s3.put_object(Bucket=name, Key="part-0000.parquet", Body=b"PAR1")
        enc = rnd.random()
        if enc < 0.4:
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                        "KMSMasterKeyID": rnd.choice(key_ids)}}]} if key_ids else
                {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
            counts["buckets SSE-KMS"] += 1
        elif enc < 0.7:
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
            counts["buckets explicit SSE-S3"] += 1
        pol = rnd.random()
        if pol < 0.15:
            stmt = [{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                     "Resource": f"arn:aws:s3:::{name}/*"}]
            counts["buckets public-read policy"] += 1
        elif pol < 0.55:
            stmt = [{"Sid": "TLSOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                     "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
                     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]
            counts["buckets TLS-only policy"] += 1
        else:
            stmt = []
        if stmt:
            s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": stmt}))
        if pol >= 0.15 and rnd.random() < 0.6:
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
                "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True})
            counts["buckets with public access block"] += 1
        if rnd.random() < 0.5:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
            counts["buckets versioned"] += 1
        if rnd.random() < 0.3:
            s3.put_bucket_logging(Bucket=name, BucketLoggingStatus={"LoggingEnabled": {
                "TargetBucket": log_bucket, "TargetPrefix": f"{name}/"}})
            counts["buckets with access logging"] += 1
    counts["s3 buckets"] = len(names)

    ct.create_trail(Name="bench-main", S3BucketName=trail_bucket, IsMultiRegionTrail=True)
    ct.start_logging(Name="bench-main")
    counts["cloudtrail trails"] = 1

    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.1"
    data_buckets = shares or names
    n_models = max(1, len(names) // 5)
    for i in range(n_models):
        bucket = data_buckets[i % len(data_buckets)]
        kwargs: dict[str, Any] = {}
        if rnd.random() < 0.5:
            kwargs["EnableNetworkIsolation"] = True
            counts["sagemaker models network-isolated"] += 1
        sm.create_model(ModelName=f"bench-model-{i:03d}", ExecutionRoleArn=rnd.choice(role_arns),
                        PrimaryContainer={"Image": image, "ModelDataUrl": f"s3://{bucket}/llm/model.tar.gz"},
                        **kwargs)
    counts["sagemaker models"] = n_models
    n_notebooks = max(1, len(names) // 10)
    for i in range(n_notebooks):
        internet = rnd.random() < 0.5
        kwargs = {"DirectInternetAccess": "Enabled" if internet else "Disabled"}
        if not internet:
            kwargs["SubnetId"] = f"subnet-{i:08x}"
            kwargs["SecurityGroupIds"] = [f"sg-{i:08x}"]
        if rnd.random() < 0.5 and key_ids:
            kwargs["KmsKeyId"] = rnd.choice(key_ids)
        sm.create_notebook_instance(NotebookInstanceName=f"bench-notebook-{i:03d}", InstanceType="ml.t3.medium",
                                    RoleArn=rnd.choice(role_arns), **kwargs)
        counts["sagemaker notebooks with direct internet access"] += int(internet)
    counts["sagemaker notebook instances"] = n_notebooks
    return dict(counts)


# --------------------------------------------------------------------------------------------------
# Prowler.


def prowler_version(exe: Path) -> str:
    try:
        proc = subprocess.run([str(exe), "--version"], check=False, capture_output=True, text=True,
                              timeout=120, env=sandbox_env({}))
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    words = proc.stdout.split()
    return next((w for w in words if w[:1].isdigit()), "?") if proc.returncode == 0 else "?"


def ensure_prowler(pin: str | None) -> tuple[Path, str]:
    """Return the Prowler executable and its version, creating the venv / installing if needed."""
    exe = PROWLER_VENV / "bin" / "prowler"
    if exe.exists():
        installed = prowler_version(exe)
        if pin is None or installed == pin:
            return exe, installed
        print(f"Prowler {installed} in {PROWLER_VENV}, want {pin}: reinstalling", file=sys.stderr)
    else:
        print(f"Creating {PROWLER_VENV} and installing prowler=={pin} (several minutes, once)",
              file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(PROWLER_VENV)], check=True)
    pip = [str(PROWLER_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
           "--disable-pip-version-check"]
    subprocess.run([*pip, f"prowler=={pin}" if pin else "prowler"], check=True, timeout=1800)
    return exe, prowler_version(exe)


def known_prowler_checks(exe: Path, timeout: float) -> set[str] | None:
    """Check ids the installed Prowler lists for AWS (None when the listing fails)."""
    try:
        proc = subprocess.run([str(exe), "aws", "--list-checks-json"], capture_output=True, text=True,
                              timeout=timeout, env=sandbox_env({}), check=False)
        data = json.loads(proc.stdout[proc.stdout.find("{"):])
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return None
    ids: set[str] = set()
    for value in data.values() if isinstance(data, dict) else []:
        ids.update(value if isinstance(value, list) else [])
    return ids or None


# --------------------------------------------------------------------------------------------------
# Reading results.


def summarize_crownjewel(path: Path) -> str:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"no JSON report ({exc})"
    status: collections.Counter[str] = collections.Counter(f.get("status", "?") for f in doc.get("findings", []))
    assets = {(f.get("asset") or {}).get("id") for f in doc.get("findings", [])} - {None}
    parts = [f"{status.get(s, 0)} {s}" for s in ("FAIL", "UNKNOWN", "PASS")]
    parts += [f"{n} {s}" for s, n in sorted(status.items()) if s not in ("FAIL", "UNKNOWN", "PASS")]
    gaps = len(doc.get("gaps", []) or [])
    jewels = len(doc.get("crown_jewels", []) or [])
    return f"{', '.join(parts)} findings on {len(assets)} assets; {jewels} crown jewels; {gaps} gaps"


def summarize_prowler(outdir: Path) -> str:
    files = sorted(outdir.glob("*.ocsf.json"))
    if not files:
        return "no JSON-OCSF output"
    status: collections.Counter[str] = collections.Counter()
    resources: set[str] = set()
    checks: set[str] = set()
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace").strip()
        items = json.loads(text) if text else []
        for item in items:
            status[str(item.get("status_code", "?")).upper()] += 1
            checks.add(((item.get("metadata") or {}).get("event_code")) or "?")
            for r in item.get("resources") or []:
                resources.add(r.get("uid") or r.get("name") or "?")
    parts = [f"{status.get(s, 0)} {s}" for s in ("FAIL", "MANUAL", "PASS")]
    parts += [f"{n} {s}" for s, n in sorted(status.items()) if s not in ("FAIL", "MANUAL", "PASS")]
    return f"{', '.join(parts)} findings on {len(resources)} resources from {len(checks)} checks"


def operations_from_recording(path: Path) -> dict[str, int]:
    """'service:Operation' -> count, from moto's recorder file (one JSON request per line)."""
    ops: collections.Counter[str] = collections.Counter()
    if not path.exists():
        return {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        headers = {k.lower(): v for k, v in (entry.get("headers") or {}).items()}
        auth = headers.get("authorization", "")
        service = "?"
        if "Credential=" in auth:
            scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
            service = scope[3] if len(scope) > 3 else "?"
        target = headers.get("x-amz-target")
        url = urllib.parse.urlsplit(entry.get("url", ""))
        if target:
            op = target.rsplit(".", 1)[-1]
        else:
            body = entry.get("body") or ""
            if entry.get("body_encoded"):
                try:
                    body = base64.b64decode(body).decode("utf-8", "replace")
                except ValueError:
                    body = ""
            query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            form = urllib.parse.parse_qs(body, keep_blank_values=True) if "Action=" in body else {}
            action = (form.get("Action") or query.get("Action") or [None])[0]
            if action:
                op = action
            elif service == "s3":
                sub = sorted(k for k in query if k not in ("prefix", "max-keys", "list-type",
                                                            "continuation-token", "encoding-type",
                                                            "delimiter", "start-after"))
                depth = "bucket" if url.path.strip("/") and "/" not in url.path.strip("/") else (
                    "object" if url.path.strip("/") else "service")
                op = f"{entry.get('method')} {depth}" + (f" ?{'&'.join(sub)}" if sub else "")
            else:
                op = f"{entry.get('method')} {url.path}"
        ops[f"{service}:{op}"] += 1
    return dict(sorted(ops.items(), key=lambda kv: (-kv[1], kv[0])))


def by_service(ops: dict[str, int]) -> dict[str, int]:
    out: collections.Counter[str] = collections.Counter()
    for key, n in ops.items():
        out[key.split(":", 1)[0]] += n
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


# --------------------------------------------------------------------------------------------------
# Report.


def machine_info() -> dict[str, str]:
    mem = cpu = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count() or 0
    try:
        import moto
        moto_v = moto.__version__
    except ImportError:
        moto_v = "?"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "cpu": f"{cpu} ({nproc} CPUs available)",
        "memory": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "moto": moto_v,
    }


def fmt_s(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.2f}" if value >= 1 else f"{value:.3f}"


def fmt_calls(values: list[int]) -> str:
    if not values:
        return "n/a"
    lo, hi = min(values), max(values)
    return f"{lo}" if lo == hi else f"{lo}-{hi}"


def render_table(tools: list[Tool], base: Tool | None) -> str:
    rows = ["| tool | min (s) | median (s) | time / crownjewel | API calls per run | calls / crownjewel "
            "| peak RSS (MB) | findings (warm-up run) |",
            "|---|---:|---:|---:|---:|---:|---:|---|"]
    for t in tools:
        ratio = calls_ratio = "n/a"
        if base and t.median is not None and base.median:
            ratio = f"{t.median / base.median:.1f}x"
        if base and t.calls and base.calls and statistics.median(base.calls):
            calls_ratio = f"{statistics.median(t.calls) / statistics.median(base.calls):.1f}x"
        rss = f"{max(t.rss):.0f}" if t.rss else "n/a"
        result = (t.error + (f" (findings of the warm-up run: {t.result})" if t.result else "")
                  if t.error else t.result)
        rows.append(f"| {t.name} | {fmt_s(t.minimum)} | {fmt_s(t.median)} | {ratio} | {fmt_calls(t.calls)} "
                    f"| {calls_ratio} | {rss} | {result} |")
    return "\n".join(rows)


def render_report(args: argparse.Namespace, counts: dict[str, int], tools: list[Tool], info: dict[str, str],
                  prowler_v: str, checks: list[str], dropped: list[str], headline: str,
                  notes: list[str]) -> str:
    cj = next((t for t in tools if t.name.startswith("crownjewel")), None)
    repro = (f"python bench/aws_vs_prowler.py --buckets {args.buckets} --keys {args.keys} --roles {args.roles} "
             f"--share-every {args.share_every} --seed {args.seed} --repeat {args.repeat} --write-docs")
    estate = ", ".join(f"{n} {k}" for k, n in counts.items())
    lines = [
        f"## AWS: crownjewel vs Prowler ({counts.get('s3 buckets', 0)} buckets, moto_server)",
        "",
        headline,
        "",
        f"Input: one emulated account in moto_server {info['moto']} on 127.0.0.1, region {REGION}: {estate}.",
        (f"Each tool ran once untimed (warm-up; its output gives the findings column and its recorded "
         f"requests the per-service breakdown below), then {args.repeat} timed runs, interleaved. Wall-clock "
         f"seconds per whole process; API calls are the request lines moto_server logged during each run."),
        "",
        render_table(tools, cj),
        "",
    ]
    lines += notes
    lines += ["", "Commands (PORT is moto_server's port, OUT a scratch folder):", ""]
    env_txt = ("AWS_ENDPOINT_URL=http://127.0.0.1:PORT AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "
               "AWS_SESSION_TOKEN=testing AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null "
               "AWS_DISABLE_HOST_PREFIX_INJECTION=true "
               f"AWS_SHARED_CREDENTIALS_FILE=/dev/null HTTPS_PROXY={BLACKHOLE_PROXY} HTTP_PROXY={BLACKHOLE_PROXY} "
               "NO_PROXY=127.0.0.1,localhost")
    lines.append("- moto_server: `.venv/bin/python -m moto.server -H 127.0.0.1 -p PORT` (output captured "
                 "to a log file; seeded by `seed_account` in `bench/aws_vs_prowler.py`)")
    lines.append(f"- environment of both tools: `{env_txt}`")
    for t in tools:
        cmd = " ".join(shlex.quote(c) for c in t.cmd).replace(str(WORK), "OUT").replace(str(REPO) + "/", "")
        extra = " ".join(f"{k}={v}" for k, v in t.env.items() if k in ("PROWLER_NO_BANNER",))
        lines.append(f"- {t.name}: `{(extra + ' ') if extra else ''}{cmd}`")
    lines += [
        "",
        f"Prowler checks used ({len(checks)}): {', '.join(checks)}."
        + (f" Unknown to this Prowler, dropped: {', '.join(dropped)}." if dropped else ""),
        "",
    ]
    if any(t.by_operation for t in tools):
        lines += ["API calls of the warm-up run by service (from moto's request recorder):", "",
                  "| tool | " + " | ".join(["total", "by service"]) + " |", "|---|---:|---|"]
        for t in tools:
            if t.by_operation:
                svc = by_service(t.by_operation)
                lines.append(f"| {t.name} | {sum(svc.values())} | "
                             + ", ".join(f"{k} {n}" for k, n in svc.items()) + " |")
        lines.append("")
        for t in tools:
            if t.by_operation:
                lines += [f"<details><summary>{t.name}: calls by operation</summary>", "",
                          "| service:operation | calls |", "|---|---:|",
                          *(f"| {k} | {n} |" for k, n in t.by_operation.items()), "", "</details>", ""]
    lines += [
        (f"Machine: {info['cpu']}, {info['memory']} RAM, {info['os']}; Python {info['python']}; "
         f"Prowler {prowler_v}; moto {info['moto']}; run on {info['date']}."),
        "",
        f"Reproduce: `{repro}`",
    ]
    return "\n".join(lines) + "\n"


def write_docs(path: Path, body: str) -> None:
    """Replace (or append) this benchmark's section of the docs page, leaving others alone."""
    begin, end = f"<!-- BEGIN {SECTION} -->", f"<!-- END {SECTION} -->"
    block = f"{begin}\n{body}{end}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else (
        "# Benchmarks\n\nProduced by the scripts in `bench/`; each script rewrites its own "
        "section between its BEGIN/END markers.\n\n")
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1].lstrip("\n")
        text = head + block + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------------------------------


def sandbox_env(extra: dict[str, str], endpoint: str | None = None) -> dict[str, str]:
    """The environment of every tool run: no real AWS config, dummy credentials, loopback only."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k.lower() not in ("http_proxy", "https_proxy", "no_proxy",
                                                             "all_proxy")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_SESSION_TOKEN="testing",
               AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
               # s3control puts the account id in front of the host (123456789012.127.0.0.1), which
               # cannot reach the emulator; botocore's own switch turns that prefix off.
               AWS_DISABLE_HOST_PREFIX_INJECTION="true",
               HTTPS_PROXY=BLACKHOLE_PROXY, HTTP_PROXY=BLACKHOLE_PROXY, https_proxy=BLACKHOLE_PROXY,
               http_proxy=BLACKHOLE_PROXY, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--buckets", type=int, default=200, help="S3 buckets (default 200)")
    p.add_argument("--keys", type=int, default=50, help="KMS keys (default 50)")
    p.add_argument("--roles", type=int, default=100, help="IAM roles (default 100)")
    p.add_argument("--share-every", type=int, default=5,
                   help="every Nth bucket is a model share holding *.safetensors (default 5)")
    p.add_argument("--seed", type=int, default=1, help="seed of the settings mix")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per tool (default 3)")
    p.add_argument("--crownjewel", type=Path, default=REPO / ".venv" / "bin" / "crownjewel",
                   help="crownjewel executable (default <repo>/.venv/bin/crownjewel)")
    p.add_argument("--prowler-version", default=None,
                   help=f"Prowler version to install (default: keep the installed one, else {PROWLER_PIN})")
    p.add_argument("--tools", default="crownjewel,prowler", help="comma-separated subset of crownjewel,prowler")
    p.add_argument("--timeout", type=float, default=900, help="seconds before a run is killed")
    p.add_argument("--port", type=int, default=0, help="moto_server port (default: a free one)")
    p.add_argument("--write-docs", action="store_true", help="update the docs page section")
    p.add_argument("--docs-file", type=Path, default=REPO / "docs" / "benchmarks.md",
                   help="docs page to update (default <repo>/docs/benchmarks.md)")
    args = p.parse_args(argv)
    if args.repeat < 1 or args.buckets < 3 or args.keys < 0 or args.roles < 1 or args.share_every < 1:
        p.error("--repeat, --roles, --share-every must be at least 1, --buckets at least 3")
    return args


def crownjewel_usable(exe: Path) -> str | None:
    if not exe.exists():
        return f"not found at {exe} (pass --crownjewel PATH)"
    try:
        proc = subprocess.run([str(exe), "--version"], check=False, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"cannot run {exe}: {exc}"
    if proc.returncode != 0:
        return f"`crownjewel --version` failed: {(proc.stderr.strip().splitlines() or ['no output'])[-1]}"
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError:
        if CJ_VENV_PY.exists() and Path(sys.executable).resolve() != CJ_VENV_PY.resolve():
            # Seeding needs boto3 and moto_server: both live in the crownjewel venv.
            os.execv(str(CJ_VENV_PY), [str(CJ_VENV_PY), __file__, *(argv if argv is not None else sys.argv[1:])])
        print(f"boto3 and moto[server] are needed (expected in {CJ_VENV_PY})", file=sys.stderr)
        return 2
    wanted = {t.strip() for t in args.tools.split(",") if t.strip()}
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)

    prowler_exe, prowler_v = (None, "not run")
    checks: list[str] = list(PROWLER_CHECKS)
    dropped: list[str] = []
    if "prowler" in wanted:
        prowler_exe, prowler_v = ensure_prowler(args.prowler_version or (
            None if (PROWLER_VENV / "bin" / "prowler").exists() else PROWLER_PIN))
        known = known_prowler_checks(prowler_exe, args.timeout)
        if known:
            checks = [c for c in PROWLER_CHECKS if c in known]
            dropped = [c for c in PROWLER_CHECKS if c not in known]
        if dropped:
            print(f"Prowler {prowler_v} does not know {', '.join(dropped)}: dropped", file=sys.stderr)

    port = args.port or free_port()
    print(f"Starting moto_server on 127.0.0.1:{port}", file=sys.stderr)
    moto_srv = Moto(Path(sys.executable), port, WORK / "moto_server.log", WORK / "moto_recording.jsonl")
    try:
        t0 = time.perf_counter()
        counts = seed_account(moto_srv.url, args.buckets, args.keys, args.roles, args.share_every, args.seed)
        print(f"Seeded in {time.perf_counter() - t0:.1f} s: {counts}", file=sys.stderr)
        env = sandbox_env({}, moto_srv.url)
        tools: list[Tool] = []
        if "crownjewel" in wanted:
            report = WORK / "crownjewel-report.json"
            cj = Tool("crownjewel scan aws", [str(args.crownjewel), "scan", f"aws://?regions={REGION}", "-f", "json",
                                              "-o", str(report), "--soft-fail"], env=env, report=report)
            problem = crownjewel_usable(args.crownjewel)
            if problem:
                cj.error = f"skipped: {problem}"
            tools.append(cj)
        if "prowler" in wanted and prowler_exe:
            out = WORK / "prowler-out"
            pw = Tool(f"Prowler {prowler_v} ({len(checks)} checks)",
                      [str(prowler_exe), "aws", "--region", REGION, "--checks", *checks,
                       "--output-formats", "json-ocsf", "--output-directory", str(out),
                       "--output-filename", "prowler", "--no-banner", "--ignore-exit-code-3"],
                      env=env, ok_codes=(0, 3), report=out)
            tools.append(pw)

        for t in tools:
            if t.error:
                continue
            print(f"warm-up: {t.name}", file=sys.stderr)
            moto_srv.record(True)
            run = execute(t, "warmup", args.timeout, moto_srv)
            moto_srv.record(False)
            t.by_operation = operations_from_recording(moto_srv.recording)
            shutil.copy(moto_srv.recording, WORK / f"{t.name.split()[0].lower()}.recording.jsonl")
            if t.report:
                t.result = (summarize_crownjewel(t.report) if t.name.startswith("crownjewel")
                            else summarize_prowler(t.report))
            if run is not None:
                print(f"  {run.seconds:.2f} s, {run.calls} API calls; {t.result}", file=sys.stderr)

        for rep in range(args.repeat):
            for t in tools:
                if t.error:
                    continue
                run = execute(t, f"run{rep}", args.timeout, moto_srv)
                if run is not None:
                    t.times.append(run.seconds)
                    t.rss.append(run.max_rss_mb)
                    t.calls.append(run.calls)
                    print(f"run {rep + 1}/{args.repeat}: {t.name}: {run.seconds:.2f} s, {run.calls} API calls",
                          file=sys.stderr)
    finally:
        moto_srv.stop()

    cjt = next((t for t in tools if t.name.startswith("crownjewel")), None)
    pwt = next((t for t in tools if t.name.startswith("Prowler")), None)
    notes = list(NOTES) if pwt else []
    if cjt and pwt and cjt.median and pwt.median:
        speed = pwt.median / cjt.median
        cj_calls, pw_calls = statistics.median(cjt.calls), statistics.median(pwt.calls)
        verdict = ("met" if speed >= 5 and cj_calls <= pw_calls else "not met")
        headline = (f"**Prowler / crownjewel (median wall time): {speed:.1f}x; API calls per run: crownjewel "
                    f"{cj_calls:.0f}, Prowler {pw_calls:.0f} ({pw_calls / cj_calls:.2f}x).** "
                    f"({fmt_s(pwt.median)} s vs {fmt_s(cjt.median)} s.) Target from issue 3 (crownjewel at "
                    f"least 5x faster with no more API calls): {verdict}.")
    elif pwt and pwt.error:
        headline = f"Prowler could not be timed against the emulator: {pwt.error}."
    elif cjt and cjt.error:
        headline = f"crownjewel could not be timed: {cjt.error}."
    else:
        headline = "Not enough runs to compare."
    info = machine_info()
    report_md = render_report(args, counts, tools, info, prowler_v, checks, dropped, headline, notes)
    print(report_md)
    if args.write_docs:
        write_docs(args.docs_file, report_md)
        print(f"updated {args.docs_file}", file=sys.stderr)
    return 0 if all(t.error is None or t.error.startswith("skipped") for t in tools) else 1


if __name__ == "__main__":
    sys.exit(main())
