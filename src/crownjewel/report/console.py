"""The terminal report: a table of failures and unknowns, crown jewels, and a summary by severity."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _short(path: str, base: str | None) -> str:
    """A path relative to the scanned directory (or the working directory) when it is inside."""
    import os

    absolute = os.path.abspath(path)
    for root in (base, os.getcwd()):
        if root and (absolute == root or absolute.startswith(root.rstrip(os.sep) + os.sep)):
            return os.path.relpath(absolute, root)
    return path


_FIX_ORDER = ["storage.model-store-not-cmek", "storage.model-store-public", "kms.key-rotation-over-90-days"]

_STYLE = {"critical": "bold white on red", "high": "bold red", "medium": "yellow", "low": "cyan",
          "info": "dim"}


def render(report: Mapping[str, Any], console: Any, show_fixes: int = 3, show_passed: bool = False) -> None:
    """Print the report to a rich console."""
    from rich.panel import Panel
    from rich.syntax import Syntax
    from rich.table import Table
    from rich.text import Text

    jewels = report.get("crown_jewels", [])
    if jewels:
        table = Table(title=f"Crown jewels ({len(jewels)}): what holds model artefacts, training data "
                            "or registries, and why", title_justify="left", show_lines=False, expand=True)
        table.add_column("Asset", overflow="fold", ratio=3)
        table.add_column("Holds", ratio=2)
        table.add_column("Why", overflow="fold", ratio=5)
        for j in jewels[:25]:
            table.add_row(j["asset"]["id"], ", ".join(c.replace("_", " ") for c in j["categories"]),
                          "; ".join(j["evidence"][:2]))
        if len(jewels) > 25:
            table.add_row(f"... and {len(jewels) - 25} more", "", "")
        console.print(table)

    shown = [f for f in report["findings"] if f["status"] != "PASS" or show_passed]
    base = report.get("base_dir")
    table = Table(title=f"Findings ({len(shown)})", title_justify="left", show_lines=False, expand=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Rule", overflow="fold", ratio=3)
    table.add_column("Asset  [dim]file:line[/dim]", overflow="fold", ratio=3)
    table.add_column("Message", overflow="fold", ratio=4)
    for f in shown:
        src = f["asset"]["source"]
        where = f"{_short(src['file'], base)}:{src['line']}" if src else (f["asset"]["account"] or "")
        rule = f["rule_id"] + ("" if f["status"] == "FAIL" else f" [dim]({f['status'].lower()})[/dim]")
        if f["suppressed"]:
            rule += " [dim](suppressed)[/dim]"
        table.add_row(Text(f["severity"].upper(), style=_STYLE.get(f["severity"], "")), rule,
                      f"{f['asset']['id']}\n[dim]{where}[/dim]", f["message"])
    console.print(table)

    fixes = [f for f in shown if f["fix"] and f["status"] == "FAIL" and not f["suppressed"]]
    # Lead with the control's own remediation (the seed card's CMEK fix), one fix per rule.
    fixes.sort(key=lambda f: (_FIX_ORDER.index(f["rule_id"]) if f["rule_id"] in _FIX_ORDER else len(_FIX_ORDER),
                              f["asset"]["provider"] != "gcp"))  # the card's own example is Google Cloud
    firsts: list[Any] = []
    rest: list[Any] = []
    seen: set[str] = set()
    for f in fixes:
        (rest if f["rule_id"] in seen else firsts).append(f)
        seen.add(f["rule_id"])
    fixes = firsts + rest
    for f in fixes[:show_fixes]:
        console.print(Panel(Syntax(f["fix"], "hcl", theme="ansi_dark", word_wrap=True),
                            title=f"Terraform fix: {f['rule_id']} on {f['asset']['id']}", title_align="left"))
    if len(fixes) > show_fixes:
        console.print(f"[dim]{len(fixes) - show_fixes} more fixes in the JSON / SARIF output (field `fix`).[/dim]")

    coverage = report.get("coverage") or []
    if coverage:
        table = Table(title="Coverage of live accounts (what each service let crownjewel see)",
                      title_justify="left", expand=True)
        for col in ("Account", "Region", "Service", "Status", "Detail"):
            table.add_column(col, overflow="fold")
        for c in coverage:
            style = {"complete": "green", "partial": "yellow"}.get(c["status"], "red")
            table.add_row(c["account"], c["region"], c["service"], Text(c["status"], style=style), c["detail"])
        console.print(table)

    for p in report.get("problems", []):
        where = f"{p['file']}:{p['line']}" if p.get("line") else p["file"]
        style = "red" if p["level"] == "error" else "yellow"
        console.print(f"[{style}]{p['level']}[/{style}]: {where}: {p['message']}", highlight=False)

    s = report["summary"]
    sev = "  ".join(f"[{_STYLE[k]}]{k}[/]: {v}" for k, v in s["failed_by_severity"].items())
    console.print(Panel(
        f"[bold]{s['failed']}[/bold] failed  ·  {s['passed']} passed  ·  {s['unknown']} unknown  ·  "
        f"{s['suppressed']} suppressed\n{sev}\n"
        f"{s.get('assets', 0)} assets ({s.get('crown_jewels', 0)} crown jewels) from {s.get('resources', 0)} "
        f"Terraform resources in {s.get('files', 0)} files"
        + (f" and {len({c['account'] for c in coverage})} live account(s)" if coverage else "")
        + f", {s.get('seconds', 0)} s",
        title="crownjewel · ML Intellectual Property Theft (ml-ip-theft)", title_align="left"))
