"""Time crownjewel against Checkov (and a plain python-hcl2 parse) on one generated Terraform tree.

What it does, in one run:

1. Creates ``bench/.venv-checkov`` if absent and installs a pinned Checkov there (PyPI, once).
2. Generates ``bench/.work/tf-<N>`` with ``gen_terraform.py`` (skipped when an identical tree,
   same generator, resources and seed, is already there).
3. Times, ``--repeat`` times each, interleaved, after one untimed warm-up run per tool:
   - Checkov restricted to the checks equivalent to crownjewel's rules,
   - ``crownjewel scan TREE --all-assets --format json --output /dev/null --soft-fail``,
   - a plain parse of every ``.tf`` file with python-hcl2 (Checkov's parser), no checks;
   and ``crownjewel --version`` (``--version-runs`` times).
4. Prints a Markdown table (min, median, ratio to crownjewel, peak RSS, findings); with
   ``--write-docs`` it also replaces its own section of ``docs/benchmarks.md``.

Checkov runs fully offline: ``--skip-download`` plus ``BC_SKIP_MAPPING=TRUE`` and
``CKV_SKIP_PACKAGE_UPDATE_CHECK=true`` (otherwise it calls bridgecrew.cloud and PyPI on start-up).

Usage::

    python bench/terraform_vs_checkov.py                      # 5,000 resources, 3 repetitions
    python bench/terraform_vs_checkov.py --resources 500      # quick run
    python bench/terraform_vs_checkov.py --write-docs         # also update docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work"
CHECKOV_VENV = BENCH / ".venv-checkov"
CHECKOV_PIN = "3.3.30"
SECTION = "terraform_vs_checkov"

sys.path.insert(0, str(BENCH))
import gen_terraform  # noqa: E402  (a sibling script, found through the path set above)

# Checkov checks covering the same ground as crownjewel's Terraform rules on these resource types.
CHECKOV_CHECKS: tuple[str, ...] = (
    "CKV_GCP_29",
    "CKV_GCP_114",
    "CKV_GCP_78",
    "CKV_GCP_43",
    "CKV_GCP_26",
    "CKV_GCP_89",
    "CKV_GCP_92",
    "CKV_GCP_96",
    "CKV2_GCP_24",
    "CKV2_GCP_25",
    "CKV2_GCP_26",
    "CKV2_GCP_27",
    "CKV2_GCP_28",
    "CKV2_GCP_6",
    "CKV_GCP_112",
    "CKV2_GCP_5",
    "CKV_AWS_19",
    "CKV_AWS_145",
    "CKV2_AWS_6",
    "CKV_AWS_21",
    "CKV_AWS_18",
    "CKV_AWS_20",
    "CKV_AWS_70",
    "CKV_AWS_7",
    "CKV_AWS_33",
    "CKV_AWS_32",
    "CKV_AWS_187",
    "CKV_AWS_307",
    "CKV_AWS_370",
    "CKV_AWS_251",
    "CKV_AWS_35",
    "CKV2_AWS_11",
    "CKV_AZURE_59",
    "CKV_AZURE_190",
    "CKV_AZURE_35",
    "CKV2_AZURE_1",
    "CKV2_AZURE_49",
)

CHECKOV_ENV = {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"}

# Run by the Checkov venv's interpreter: parse every .tf file, count resource blocks, no checks.
PARSE_SCRIPT = """
import json, pathlib, sys
import hcl2
files = resources = 0
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.tf")):
    with path.open(encoding="utf-8") as fh:
        doc = hcl2.load(fh)
    files += 1
    for block in doc.get("resource", []):
        for by_name in block.values():
            resources += len(by_name)
json.dump({"files": files, "resources": resources}, sys.stdout)
"""


# --------------------------------------------------------------------------------------------------
# Running and timing commands.


@dataclass(slots=True)
class Run:
    """One finished process: wall time, exit code, peak RSS and where its output went."""

    seconds: float
    returncode: int
    max_rss_mb: float
    stdout: Path
    stderr: Path

    def stderr_tail(self, lines: int = 15) -> str:
        text = self.stderr.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        return "\n".join(text[-lines:])


def run_timed(
    cmd: list[str],
    stdout: Path,
    stderr: Path,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> Run:
    """Run ``cmd`` with output to files; measure wall time and the child's peak RSS (wait4)."""
    full_env = {**os.environ, **(env or {})}
    with stdout.open("wb") as out, stderr.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=full_env)
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            if timer:
                timer.cancel()
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
    return Run(seconds, proc.returncode, usage.ru_maxrss / 1024, stdout, stderr)


@dataclass(slots=True)
class Tool:
    """A benchmarked command, its timings and what its output says."""

    name: str
    cmd: list[str]
    env: dict[str, str] = field(default_factory=dict)
    ok_codes: tuple[int, ...] = (0,)
    times: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    result: str = ""  # findings summary, filled after the warm-up run
    error: str | None = None  # set when the tool could not run; its row says why

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def minimum(self) -> float | None:
        return min(self.times) if self.times else None


def execute(tool: Tool, tag: str, timeout: float, cmd: list[str] | None = None) -> Run | None:
    """Run a tool once; on an unexpected exit code, record the error and return None."""
    safe = tool.name.split()[0].lower()
    run = run_timed(
        cmd or tool.cmd, WORK / f"{safe}.{tag}.out", WORK / f"{safe}.{tag}.err", tool.env, timeout
    )
    if run.returncode not in tool.ok_codes:
        last = (run.stderr_tail(1) or "no stderr")[:160].replace("|", "\\|")
        tool.error = f"exit code {run.returncode}: {last}"
        print(
            f"  {tool.name}: {tool.error}\n    " + run.stderr_tail().replace("\n", "\n    "),
            file=sys.stderr,
        )
        return None
    return run


# --------------------------------------------------------------------------------------------------
# Setup: Checkov venv, tree, check ids.


def ensure_checkov(pin: str) -> Path:
    """Return the Checkov executable, creating the venv and installing ``checkov==pin`` if needed."""
    exe = CHECKOV_VENV / "bin" / "checkov"
    if exe.exists():
        installed = checkov_version(exe)
        if installed == pin:
            return exe
        print(f"Checkov {installed} in {CHECKOV_VENV}, want {pin}: reinstalling", file=sys.stderr)
    else:
        print(
            f"Creating {CHECKOV_VENV} and installing checkov=={pin} (a few minutes, once)",
            file=sys.stderr,
        )
        subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
    pip = [
        str(CHECKOV_VENV / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, f"checkov=={pin}"], check=True)
    return exe


def checkov_version(exe: Path) -> str:
    proc = subprocess.run(
        [str(exe), "--version"],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, **CHECKOV_ENV},
    )
    return proc.stdout.strip().splitlines()[-1] if proc.returncode == 0 and proc.stdout else "?"


def known_checkov_checks(exe: Path) -> set[str]:
    """Check ids the installed Checkov lists for Terraform."""
    proc = subprocess.run(
        [str(exe), "--list", "--framework", "terraform"],
        capture_output=True,
        text=True,
        env={**os.environ, **CHECKOV_ENV},
        check=True,
    )
    ids: set[str] = set()
    for line in proc.stdout.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 2 and cells[2].startswith("CKV"):
            ids.add(cells[2])
    return ids


def ensure_tree(resources: int, seed: int, force: bool) -> tuple[Path, dict[str, int]]:
    """Generate the tree unless the same generator already wrote it with the same arguments."""
    tree = WORK / f"tf-{resources}"
    manifest = WORK / f"tf-{resources}.manifest.json"
    digest = hashlib.sha256(Path(gen_terraform.__file__).read_bytes()).hexdigest()
    want = {"resources": resources, "seed": seed, "generator_sha256": digest}
    if not force and tree.is_dir() and manifest.exists():
        saved = json.loads(manifest.read_text(encoding="utf-8"))
        if {k: saved.get(k) for k in want} == want:
            return tree, saved["counts"]
    print(f"Generating {resources} resources into {tree}", file=sys.stderr)
    counts = gen_terraform.generate(tree, resources, seed)
    ordered = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    manifest.write_text(json.dumps({**want, "counts": ordered}, indent=2) + "\n", encoding="utf-8")
    return tree, ordered


# --------------------------------------------------------------------------------------------------
# Reading results.


def load_json_docs(path: Path) -> list[Any]:
    """Parse one or more concatenated JSON documents (Checkov may print several)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    decoder = json.JSONDecoder()
    docs: list[Any] = []
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return docs
        if text[i] not in "[{":  # a stray banner line: skip it
            i = text.find("\n", i) + 1 or len(text)
            continue
        doc, i = decoder.raw_decode(text, i)
        docs.append(doc)


def summarize_checkov(path: Path) -> str:
    """'N failed, M passed, R resources, E parse errors' from Checkov's JSON (list or dict)."""
    totals = {"failed": 0, "passed": 0, "resource_count": 0, "parsing_errors": 0}
    for doc in load_json_docs(path):
        for report in doc if isinstance(doc, list) else [doc]:
            summary = report.get("summary", {}) if isinstance(report, dict) else {}
            for key in totals:
                totals[key] += int(summary.get(key, 0) or 0)
    return (
        f"{totals['failed']} failed, {totals['passed']} passed checks; "
        f"{totals['resource_count']} resources, {totals['parsing_errors']} parse errors"
    )


def summarize_crownjewel(path: Path) -> str:
    """'N FAIL, M UNKNOWN, P PASS on A assets' from crownjewel's JSON report."""
    docs = load_json_docs(path)
    if not docs or not isinstance(docs[0], dict):
        return "no JSON report"
    findings = docs[0].get("findings", [])
    status: dict[str, int] = {}
    assets: set[str] = set()
    for f in findings:
        status[f.get("status", "?")] = status.get(f.get("status", "?"), 0) + 1
        asset = f.get("asset") or {}
        if asset.get("id"):
            assets.add(asset["id"])
    parts = [f"{status.get(s, 0)} {s}" for s in ("FAIL", "UNKNOWN", "PASS")]
    parts += [f"{n} {s}" for s, n in sorted(status.items()) if s not in ("FAIL", "UNKNOWN", "PASS")]
    gaps = len(docs[0].get("gaps", []) or [])
    return f"{', '.join(parts)} findings on {len(assets)} assets; {gaps} gaps"


def summarize_parse(path: Path) -> str:
    data = load_json_docs(path)[0]
    return f"{data['resources']} resources in {data['files']} files"


# --------------------------------------------------------------------------------------------------
# Report.


def machine_info(checkov_exe: Path) -> dict[str, str]:
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or "?"
    try:
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
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "cpu": f"{cpu} ({nproc} CPUs available)",
        "nproc": str(nproc),
        "memory": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "checkov": checkov_version(checkov_exe),
    }


def fmt_s(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.2f}" if value >= 1 else f"{value:.3f}"


def render_table(tools: list[Tool], base: Tool | None) -> str:
    rows = [
        "| tool | min (s) | median (s) | time / crownjewel --no-fixes | peak RSS (MB) | result |",
        "|---|---:|---:|---:|---:|---|",
    ]
    base_median = base.median if base and not base.error else None
    for t in tools:
        ratio = "n/a"
        if t.median is not None and base_median:
            ratio = f"{t.median / base_median:.1f}x"
        rss = f"{max(t.rss):.0f}" if t.rss else "n/a"
        result = t.error or t.result
        rows.append(
            f"| {t.name} | {fmt_s(t.minimum)} | {fmt_s(t.median)} | {ratio} | {rss} | {result} |"
        )
    return "\n".join(rows)


def render_report(
    args: argparse.Namespace,
    tree: Path,
    counts: dict[str, int],
    tools: list[Tool],
    version_tool: Tool,
    info: dict[str, str],
    dropped: list[str],
    checks: list[str],
    headline: str,
) -> str:
    files = sum(1 for _ in tree.rglob("*.tf"))
    folders = sum(1 for p in tree.iterdir() if p.is_dir())
    repro = (
        f"python bench/terraform_vs_checkov.py --resources {args.resources} "
        f"--seed {args.seed} --repeat {args.repeat} --write-docs"
    )
    lines = [
        f"## Terraform: crownjewel vs Checkov ({sum(counts.values())} resources)",
        "",
        headline,
        "",
        (
            f"Input: `bench/gen_terraform.py --resources {args.resources} --seed {args.seed}`: "
            f"{sum(counts.values())} resources of {len(counts)} types in {files} `.tf` files, "
            f"{folders} root folders (GCP, AWS, Azure; secure and insecure settings mixed)."
        ),
        (
            f"Each tool ran once untimed (warm-up; its output gives the result column), then "
            f"{args.repeat} timed runs, interleaved. Wall-clock seconds per whole process."
        ),
        "",
        render_table(tools, next((t for t in tools if t.name.endswith("--no-fixes")), None)),
        "",
        (
            f"`crownjewel --version`: {version_tool.error}."
            if version_tool.error or not version_tool.times
            else f"`crownjewel --version`: median {fmt_s(version_tool.median)} s over "
            f"{len(version_tool.times)} runs (design budget: 0.3 s)."
        ),
        "",
        "Commands (TREE is the generated folder):",
        "",
    ]
    for t in tools:
        argv = [
            "<PARSE_SCRIPT in bench/terraform_vs_checkov.py>" if c == PARSE_SCRIPT else c
            for c in t.cmd
        ]
        cmd = " ".join(shlex.quote(c) for c in argv).replace(str(tree), "TREE")
        cmd = cmd.replace(str(REPO) + "/", "")
        env = " ".join(f"{k}={v}" for k, v in t.env.items())
        lines.append(f"- {t.name}: `{(env + ' ') if env else ''}{cmd}`")
    lines += [
        "",
        f"Checkov checks used ({len(checks)}): {', '.join(checks)}."
        + (f" Unknown to this Checkov, dropped: {', '.join(dropped)}." if dropped else ""),
        "",
        (
            f"Machine: {info['cpu']}, {info['memory']} RAM, {info['os']}; Python {info['python']}; "
            f"Checkov {info['checkov']}; run on {info['date']}."
        ),
        "",
        f"Reproduce: `{repro}`",
        "",
        "<details><summary>Resource types in the generated tree</summary>",
        "",
        "| resource type | count |",
        "|---|---:|",
        *(f"| {rtype} | {n} |" for rtype, n in counts.items()),
        "",
        "</details>",
    ]
    return "\n".join(lines) + "\n"


def write_docs(path: Path, body: str) -> None:
    """Replace (or append) this benchmark's section of the docs page, leaving others alone."""
    begin, end = f"<!-- BEGIN {SECTION} -->", f"<!-- END {SECTION} -->"
    block = f"{begin}\n{body}{end}\n"
    if path.exists():
        text = path.read_text(encoding="utf-8")
    else:
        text = (
            "# Benchmarks\n\nProduced by the scripts in `bench/`; each script rewrites its own "
            "section between its BEGIN/END markers.\n\n"
        )
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1].lstrip("\n")
        text = head + block + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--resources", type=int, default=5000, help="size of the generated tree")
    p.add_argument("--seed", type=int, default=1, help="generator seed")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per tool (default 3)")
    p.add_argument("--version-runs", type=int, default=10, help="runs of `crownjewel --version`")
    p.add_argument(
        "--crownjewel",
        type=Path,
        default=REPO / ".venv" / "bin" / "crownjewel",
        help="crownjewel executable (default <repo>/.venv/bin/crownjewel)",
    )
    p.add_argument("--checkov-version", default=CHECKOV_PIN, help="Checkov version to install")
    p.add_argument(
        "--tools",
        default="checkov,crownjewel,parse",
        help="comma-separated subset of checkov,crownjewel,parse",
    )
    p.add_argument("--regenerate", action="store_true", help="regenerate the tree even if present")
    p.add_argument("--timeout", type=float, default=1800, help="seconds before a run is killed")
    p.add_argument("--write-docs", action="store_true", help="update the docs page section")
    p.add_argument(
        "--docs-file",
        type=Path,
        default=REPO / "docs" / "benchmarks.md",
        help="docs page to update (default <repo>/docs/benchmarks.md)",
    )
    args = p.parse_args(argv)
    if args.repeat < 1 or args.resources < 1:
        p.error("--repeat and --resources must be at least 1")
    return args


def crownjewel_usable(exe: Path) -> str | None:
    """None when ``exe --version`` works, else a message saying why crownjewel is skipped."""
    if not exe.exists():
        return f"not found at {exe} (pass --crownjewel PATH)"
    try:
        proc = subprocess.run(
            [str(exe), "--version"], check=False, capture_output=True, text=True, timeout=60
        )
    except OSError as exc:
        return f"cannot run {exe}: {exc}"
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return f"`crownjewel --version` failed with {last}; the CLI may not be written yet"
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wanted = {t.strip() for t in args.tools.split(",") if t.strip()}
    WORK.mkdir(parents=True, exist_ok=True)
    checkov = ensure_checkov(args.checkov_version)
    tree, counts = ensure_tree(args.resources, args.seed, args.regenerate)
    print(f"Tree: {tree} ({sum(counts.values())} resources)", file=sys.stderr)

    known = known_checkov_checks(checkov)
    checks = [c for c in CHECKOV_CHECKS if c in known]
    dropped = [c for c in CHECKOV_CHECKS if c not in known]
    if dropped:
        print(
            f"Checkov {args.checkov_version} does not know {', '.join(dropped)}: dropped",
            file=sys.stderr,
        )

    py_checkov = str(CHECKOV_VENV / "bin" / "python")
    cj = str(args.crownjewel)
    tools: list[Tool] = []
    if "checkov" in wanted:
        tools.append(
            Tool(
                f"Checkov {args.checkov_version} ({len(checks)} checks)",
                [
                    str(checkov),
                    "-d",
                    str(tree),
                    "--framework",
                    "terraform",
                    "--check",
                    ",".join(checks),
                    "--compact",
                    "--quiet",
                    "-o",
                    "json",
                    "--skip-download",
                ],
                env=CHECKOV_ENV,
                ok_codes=(0, 1),
            )
        )

    def cj_scan(output: str) -> list[str]:
        return [
            cj,
            "scan",
            str(tree),
            "--all-assets",
            "--format",
            "json",
            "--output",
            output,
            "--soft-fail",
        ]

    cj_tool = Tool("crownjewel scan --all-assets (with Terraform fixes)", cj_scan(os.devnull), ok_codes=(0, 1))
    # Checkov's JSON carries no fixes: the like-for-like comparison skips fix generation.
    cj_nofix = Tool("crownjewel scan --all-assets --no-fixes", cj_scan(os.devnull) + ["--no-fixes"],
                    ok_codes=(0, 1))
    if "crownjewel" in wanted:
        tools.extend([cj_tool, cj_nofix])
    if "parse" in wanted:
        tools.append(Tool("python-hcl2 parse only", [py_checkov, "-c", PARSE_SCRIPT, str(tree)]))
    version_tool = Tool("crownjewel --version", [cj, "--version"])

    problem = crownjewel_usable(args.crownjewel) if "crownjewel" in wanted else None
    if problem:
        print(f"crownjewel skipped: {problem}", file=sys.stderr)
        cj_tool.error = cj_nofix.error = version_tool.error = f"skipped: {problem}"

    # Warm-up (untimed): fills caches and .pyc files and gives the result column.
    for t in tools:
        if t.error:
            continue
        print(f"warm-up: {t.name}", file=sys.stderr)
        # crownjewel: the same command, but keep the report to count findings.
        report_path = str(WORK / "crownjewel-report.json")
        cmd = cj_scan(report_path) + t.cmd[len(cj_scan(os.devnull)):] if t in (cj_tool, cj_nofix) else t.cmd
        run = execute(t, "warmup", args.timeout, cmd)
        if run is None:
            continue
        try:
            if t in (cj_tool, cj_nofix):
                t.result = summarize_crownjewel(WORK / "crownjewel-report.json")
            elif t.name.startswith("Checkov"):
                t.result = summarize_checkov(run.stdout)
            else:
                t.result = summarize_parse(run.stdout)
        except (ValueError, KeyError, IndexError, OSError) as exc:
            t.result = f"could not read output: {exc}"

    for rep in range(args.repeat):
        for t in tools:
            if t.error:
                continue
            run = execute(t, f"run{rep}", args.timeout)
            if run is not None:
                t.times.append(run.seconds)
                t.rss.append(run.max_rss_mb)
                print(
                    f"run {rep + 1}/{args.repeat}: {t.name}: {run.seconds:.2f} s", file=sys.stderr
                )

    if not version_tool.error and "crownjewel" in wanted:
        for i in range(args.version_runs):
            run = execute(version_tool, f"version{i}", 60)
            if run is None:
                break
            version_tool.times.append(run.seconds)

    ck = next((t for t in tools if t.name.startswith("Checkov")), None)
    if ck and ck.median and cj_tool.median and cj_nofix.median:
        headline = (
            f"**Checkov / crownjewel (median): {ck.median / cj_nofix.median:.1f}x like for like "
            f"(--no-fixes), {ck.median / cj_tool.median:.1f}x with Terraform fixes generated** "
            f"({fmt_s(ck.median)} s vs {fmt_s(cj_nofix.median)} s and {fmt_s(cj_tool.median)} s)."
        )
    elif ck and ck.median:
        headline = f"Checkov median {fmt_s(ck.median)} s; crownjewel: {cj_tool.error or 'not run'}."
    else:
        headline = "Checkov was not timed."
    info = machine_info(checkov)
    report = render_report(args, tree, counts, tools, version_tool, info, dropped, checks, headline)
    print(report)
    if args.write_docs:
        write_docs(args.docs_file, report)
        print(f"updated {args.docs_file}", file=sys.stderr)
    return 0 if all(t.error is None or t.error.startswith("skipped") for t in tools) else 1


if __name__ == "__main__":
    sys.exit(main())
