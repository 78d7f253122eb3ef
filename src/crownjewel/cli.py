"""The command line: a thin layer over pipeline, catalog and reporters. Exit codes: 0 clean,
1 findings at or above the threshold, 2 usage or input errors."""
from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from crownjewel import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _json_out(report: dict[str, Any], stream: Any) -> None:
    from crownjewel.report.json_report import write_json

    write_json(report, stream)


def _sarif_out(report: dict[str, Any], stream: Any) -> None:
    from crownjewel.report.sarif import to_sarif

    json.dump(to_sarif(report), stream, indent=2)
    stream.write("\n")


FORMATS: dict[str, tuple[str, Callable[[dict[str, Any], Any], None] | None]] = {
    "table": ("txt", None),
    "json": ("json", _json_out),
    "sarif": ("sarif", _sarif_out),
}


def _console(stream: Any = None, width: int | None = None) -> Any:
    from rich.console import Console

    console = Console(file=stream, width=width, highlight=False)
    if width is None and not console.is_terminal and "COLUMNS" not in __import__("os").environ:
        console = Console(file=stream, width=120, highlight=False)  # pipes and CI logs: not 80
    return console


def _fail(message: str) -> None:
    click.echo(f"crownjewel: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="crownjewel")
def main() -> None:
    """crownjewel keeps AI model weights, training data and architecture from being stolen.

    It implements the ML Intellectual Property Theft control (`crownjewel explain ml-ip-theft`).
    """


def _emit(report: dict[str, Any], formats: tuple[str, ...], output: str | None) -> list[str]:
    """Write each format; returns the paths written. One format goes to stdout unless --output
    names a file; several formats need --output DIR (checked by the caller) and go one file each."""
    written: list[str] = []
    for fmt in formats:
        ext, writer = FORMATS[fmt]
        if output in (None, "-"):
            if fmt == "table":
                from crownjewel.report.console import render

                render(report, _console())
            else:
                assert writer is not None
                writer(report, sys.stdout)
            continue
        assert output is not None
        path = Path(output) / f"crownjewel.{ext}" if len(formats) > 1 else Path(output)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8") as fh:
                if fmt == "table":
                    from crownjewel.report.console import render

                    render(report, _console(fh, width=160))
                else:
                    assert writer is not None
                    writer(report, fh)
        except OSError as err:
            _fail(f"cannot write {path}: {err.strerror or err}")
        written.append(str(path))
    return written


def _check_outputs(formats: tuple[str, ...], output: str | None) -> tuple[str, ...]:
    """The formats to write, once each; several need an output directory (exit 2 otherwise)."""
    formats = tuple(dict.fromkeys(formats)) or ("table",)
    if len(formats) > 1 and output in (None, "-"):
        _fail("several --format values need --output DIR: one file per format is written there")
    if len(formats) > 1 and output is not None and Path(output).is_file():
        _fail(f"--output {output} is a file; several formats need a directory")
    return formats


def _exit_code(result: Any, threshold: str | None, soft_fail: bool) -> int:
    from crownjewel.model.findings import Severity

    if result.input_errors:
        return EXIT_ERROR
    if soft_fail:
        return EXIT_CLEAN
    limit = Severity.parse(threshold) if threshold else Severity.INFO
    if any(f.counts and f.severity.rank >= limit.rank for f in result.findings):
        return EXIT_FINDINGS
    return EXIT_CLEAN


@main.command()
@click.argument("targets", nargs=-1, metavar="[TARGET ...]")
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(list(FORMATS)),
              help="Output format; repeat for several (default: table).")
@click.option("--output", "-o", metavar="PATH", help="Write to PATH (a directory when several formats).")
@click.option("--severity-threshold", metavar="SEVERITY",
              help="Exit 1 only for failures at or above this severity (info, low, medium, high, critical).")
@click.option("--soft-fail", is_flag=True, help="Exit 0 even when findings fail (input errors still exit 2).")
@click.option("--config", "config_path", metavar="FILE", help="Configuration file (YAML).")
@click.option("--suppressions", "suppressions_path", metavar="FILE", help="Suppressions file (YAML).")
@click.option("--rule", "only_rules", multiple=True, metavar="ID", help="Only these rules (ids or patterns).")
@click.option("--skip-rule", "skip_rules", multiple=True, metavar="ID", help="Skip these rules.")
@click.option("--all-assets", is_flag=True,
              help="Evaluate every asset as if it held model artefacts (conformance suites, fixtures).")
@click.option("--no-fixes", is_flag=True, help="Skip generating Terraform fixes (faster pass/fail gates).")
def scan(targets: tuple[str, ...], formats: tuple[str, ...], output: str | None,
         severity_threshold: str | None, soft_fail: bool, config_path: str | None,
         suppressions_path: str | None, only_rules: tuple[str, ...], skip_rules: tuple[str, ...],
         all_assets: bool, no_fixes: bool) -> None:
    """Scan Terraform directories, .tf files, `terraform show -json` plans, or live AWS accounts
    (`aws://[profile][?regions=eu-west-1,us-east-1]`, read-only: see `crownjewel permissions aws`)."""
    from crownjewel.config import ConfigError, load_config, load_suppressions
    from crownjewel.model.findings import Severity
    from crownjewel.pipeline import ScanOptions, scan_paths
    from crownjewel.report.json_report import build_report

    formats = _check_outputs(formats, output)
    try:
        config = load_config(config_path)
        extra = load_suppressions(suppressions_path) if suppressions_path else ()
        threshold = severity_threshold or config.severity_threshold
        if threshold:
            Severity.parse(threshold)
    except (ConfigError, ValueError) as err:
        _fail(str(err))
    if not targets and not config.aws_accounts:
        _fail("no target given: pass Terraform directories, .tf files, plan JSON files or aws://[profile], "
              "or list aws_accounts in --config")
    try:
        result = scan_paths(targets, options=ScanOptions(
            all_assets=all_assets, only_rules=only_rules, skip_rules=skip_rules, config=config,
            extra_suppressions=tuple(extra), fixes=not no_fixes))
    except ValueError as err:  # e.g. --rule matching nothing
        _fail(str(err))
    report = build_report(result)
    written = _emit(report, formats, output)
    for problem in result.problems:
        click.echo(f"crownjewel: {problem}", err=True)
    for path in written:
        click.echo(f"crownjewel: wrote {path}", err=True)
    sys.exit(_exit_code(result, threshold, soft_fail))


@main.command()
@click.option("--provider", help="Only rules for this provider (aws, gcp, azure, kubernetes).")
@click.option("--severity", help="Only rules of this base severity.")
@click.option("--framework", help="Only rules mapped to a framework (atlas) or an id (AML.M0012, "
                                  "nist-800-53:SC-28(1)).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def rules(provider: str | None, severity: str | None, framework: str | None, fmt: str) -> None:
    """List the rules, optionally filtered."""
    from crownjewel.model.findings import Severity
    from crownjewel.report.json_report import rule_dict
    from crownjewel.rules.registry import load_rules

    chosen = list(load_rules().values())
    if provider:
        chosen = [r for r in chosen if r.providers is None or provider in r.providers]
    if severity:
        try:
            sev = Severity.parse(severity)
        except ValueError as err:
            _fail(str(err))
        chosen = [r for r in chosen if r.severity is sev]
    if framework:
        chosen = [r for r in chosen if _maps_to(r.frameworks, framework)]
    chosen.sort(key=lambda r: r.id)
    if fmt == "json":
        _json_out({"rules": [rule_dict(r) for r in chosen]}, sys.stdout)
        return
    from rich.table import Table

    table = Table(title=f"{len(chosen)} rules · control ml-ip-theft", title_justify="left")
    for col in ("Rule", "Severity", "Applies to", "Title", "ATLAS", "Checkov peers"):
        table.add_column(col, overflow="fold")
    for r in chosen:
        applies = ", ".join(k.value for k in r.kinds) + (f" ({', '.join(r.providers)})" if r.providers else "")
        table.add_row(r.id, r.severity.value, applies, r.title, ", ".join(r.frameworks.get("atlas", ())),
                      ", ".join(r.peers.get("checkov", ())))
    _console().print(table)


def _maps_to(refs: Any, wanted: str) -> bool:
    """`atlas` (a framework key), `atlas:AML.M0012` (key and id) or `AML.M0012` (an id anywhere)."""
    from crownjewel.catalog import frameworks

    key, sep, ident = wanted.partition(":")
    if sep and key in frameworks():
        return ident in refs.get(key, ())
    if wanted in frameworks():
        return wanted in refs
    return any(wanted in ids for ids in refs.values())


@main.command()
@click.argument("provider", type=click.Choice(["aws"]))
def permissions(provider: str) -> None:
    """Print the least-privilege, read-only IAM policy a live scan of PROVIDER needs."""
    from crownjewel.collect.aws import least_privilege_policy

    _json_out_plain(least_privilege_policy())


def _json_out_plain(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2)
    sys.stdout.write("\n")


@main.command()
@click.argument("name", metavar="RULE|CONTROL")
def explain(name: str) -> None:
    """Explain a rule (what fails, why, how to fix, mappings) or the control (ml-ip-theft)."""
    from crownjewel.catalog import controls, get_control
    from crownjewel.catalog.render import render_control
    from crownjewel.rules.registry import load_rules

    console = _console()
    if name in controls():
        console.print(render_control(get_control(name)))
        return
    registry = load_rules()
    if name not in registry:
        import difflib

        close = difflib.get_close_matches(name, list(registry) + list(controls()), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see `crownjewel rules`"
        _fail(f"no rule or control named {name!r}{hint}")
    from crownjewel.report.explain import render_rule

    console.print(render_rule(registry[name]))


@main.command()
@click.option("--output", "-o", default="crownjewel-out", show_default=True, metavar="DIR",
              help="Where the JSON and SARIF reports are written.")
def demo(output: str) -> None:
    """The main job on the bundled example estate (no cloud credentials needed)."""
    from importlib import resources

    from crownjewel.pipeline import scan_paths
    from crownjewel.report.console import render
    from crownjewel.report.json_report import build_report

    estate = resources.files("crownjewel") / "examples" / "estate"
    with resources.as_file(estate) as path, _emulated_aws_account() as aws_target:
        console = _console()
        console.print(f"[bold]crownjewel {__version__}[/bold] · scanning the bundled example estate "
                      f"([dim]{path}[/dim])" + (" and an emulated AWS account (moto, in process)" if aws_target else ""))
        result = scan_paths([str(path / "terraform")] + ([aws_target] if aws_target else []))
        report = build_report(result)
        render(report, console)
        written = _emit(report, ("json", "sarif"), output)  # a directory: two formats
    for p in written:
        console.print(f"wrote {p}")
    console.print("Next: [bold]crownjewel explain ml-ip-theft[/bold] · [bold]crownjewel rules[/bold] · "
                  "[bold]crownjewel scan YOUR_TERRAFORM_DIR[/bold]")


@contextlib.contextmanager
def _emulated_aws_account() -> Iterator[str | None]:
    """An AWS account seeded with an AI estate inside moto's in-process emulator (no network, no
    real credentials used); yields the `aws://` target, or None when moto is not installed."""
    import os

    try:
        from moto import mock_aws
    except ImportError:
        click.echo("crownjewel: moto is not installed: the demo skips its emulated AWS account", err=True)
        yield None
        return
    import boto3

    from crownjewel.examples.aws_estate import REGION, seed

    fake = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}
    saved = {k: os.environ.get(k) for k in [*fake, "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"]}
    os.environ.update(fake)
    for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(k, None)
    try:
        with mock_aws():
            seed(boto3.Session(region_name=REGION))
            yield f"aws://?regions={REGION}"
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run() -> None:
    """Entry point: no traceback for users unless CROWNJEWEL_DEBUG is set."""
    import os

    try:
        main()
    except Exception as exc:
        if os.environ.get("CROWNJEWEL_DEBUG"):
            raise
        click.echo(f"crownjewel: internal error: {type(exc).__name__}: {exc} "
                   "(set CROWNJEWEL_DEBUG=1 for the traceback, and please report it)", err=True)
        sys.exit(EXIT_ERROR)


if __name__ == "__main__":  # pragma: no cover
    run()
