"""The terminal report: a table of failures and unknowns, crown jewels, and a summary by severity."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
        table = Table(title=f"Crown jewels ({len(jewels)})", title_justify="left", show_lines=False)
        table.add_column("Asset", overflow="fold")
        table.add_column("Holds")
        table.add_column("Why", overflow="fold")
        for j in jewels[:25]:
            table.add_row(j["asset"]["id"], ", ".join(j["categories"]), "; ".join(j["evidence"][:2]))
        if len(jewels) > 25:
            table.add_row(f"... and {len(jewels) - 25} more", "", "")
        console.print(table)

    shown = [f for f in report["findings"] if f["status"] != "PASS" or show_passed]
    table = Table(title=f"Findings ({len(shown)})", title_justify="left", show_lines=False)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Rule", no_wrap=True)
    table.add_column("Asset / location", overflow="fold")
    table.add_column("Message", overflow="fold")
    for f in shown:
        src = f["asset"]["source"]
        where = f"{f['asset']['id']}\n[dim]{src['file']}:{src['line']}[/dim]" if src else f["asset"]["id"]
        status = f["status"] + (" (suppressed)" if f["suppressed"] else "")
        table.add_row(Text(f["severity"].upper(), style=_STYLE.get(f["severity"], "")), status,
                      f["rule_id"], where, f["message"])
    console.print(table)

    fixes = [f for f in shown if f["fix"] and f["status"] == "FAIL" and not f["suppressed"]]
    for f in fixes[:show_fixes]:
        console.print(Panel(Syntax(f["fix"], "hcl", theme="ansi_dark", word_wrap=True),
                            title=f"Terraform fix: {f['rule_id']} on {f['asset']['id']}", title_align="left"))
    if len(fixes) > show_fixes:
        console.print(f"[dim]{len(fixes) - show_fixes} more fixes in the JSON / SARIF output (field `fix`).[/dim]")

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
        f"resources in {s.get('files', 0)} files, {s.get('seconds', 0)} s",
        title="crownjewel · ML Intellectual Property Theft (ml-ip-theft)", title_align="left"))
