"""Terminal rendering of controls and framework references with rich.

rich is imported inside the functions so that importing the catalogue stays cheap. Catalogue text
is always wrapped in ``Text`` objects, never interpreted as rich markup, so brackets in prose or
Terraform cannot be mistaken for styling.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from crownjewel.catalog.frameworks import frameworks, validate_refs

if TYPE_CHECKING:
    from rich.console import Group, RenderableType

    from crownjewel.catalog.controls import Control

__all__ = ["SECTION_TITLES", "framework_table", "render_control"]

# Section headings in display order, keyed by the Control field each one shows.
SECTION_TITLES: Mapping[str, str] = {
    "description": "Description",
    "risk_impact": "Risk Impact",
    "detection": "How crownjewel Detects This",
    "remediation": "Remediation",
    "attack_scenario": "Real-World Attack Scenario",
    "cost_of_non_compliance": "Cost of Non-Compliance",
    "audit_questions": "Audit Questions",
    "frameworks": "Framework Mapping",
    "iac_fix": "Infrastructure as Code Fix",
    "common_pitfalls": "Common Pitfalls",
    "business_value": "Business Value",
    "effort_estimate": "Effort Estimate",
    "cross_framework_references": "Cross-Framework References",
}

_SEVERITY_STYLE = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "bold yellow",
    "low": "bold blue",
    "info": "dim",
}


def _panel(field: str, body: RenderableType) -> RenderableType:
    from rich.panel import Panel

    return Panel(body, title=SECTION_TITLES[field], title_align="left", border_style="cyan")


def _prose(text: str) -> RenderableType:
    from rich.text import Text

    return Text(text)


def framework_table(refs: Mapping[str, Iterable[str]]) -> Group:
    """Return framework references as one table per framework: id, official title and kind.

    Raises :class:`~crownjewel.catalog.frameworks.UnknownFrameworkRef` for ids not in the catalogue.
    """
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    materialised = {key: tuple(ids) for key, ids in refs.items()}
    validate_refs(materialised)
    catalogue = frameworks()
    tables: list[RenderableType] = []
    for key, ids in materialised.items():
        if not ids:
            continue
        framework = catalogue[key]
        table = Table(
            title=Text(framework.label, style="bold"),
            title_justify="left",
            expand=True,
            header_style="bold",
        )
        # Fixed widths keep the columns aligned from one framework's table to the next.
        table.add_column("ID", style="cyan", no_wrap=True, width=14)
        table.add_column("Title", ratio=1)
        table.add_column("Kind", style="dim", width=20)
        for ref in ids:
            entry = framework.entries[ref]
            title = Text(entry.title)
            if entry.tactics:
                title.append(f"\ntactic: {', '.join(entry.tactics)}", style="dim")
            table.add_row(Text(ref), title, Text(entry.kind))
        tables.append(table)
    return Group(*tables)


def _detection(control: Control) -> RenderableType:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=False, box=None, expand=True, padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1)
    for capability in control.detection.capabilities:
        table.add_row(Text(capability.name), Text(capability.text))
    return Group(Text(control.detection.summary), Text(""), table)


def _remediation(control: Control) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    table = Table(expand=True, header_style="bold")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("ID", style="cyan", no_wrap=True)
    table.add_column("Step", ratio=1)
    for number, step in enumerate(control.remediation, start=1):
        cell = Text(step.text, style="bold")
        if step.detail:
            cell.append("\n" + step.detail, style="not bold dim")
        table.add_row(str(number), Text(step.id), cell)
    return table


def _cost(control: Control) -> RenderableType:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    cost = control.cost_of_non_compliance
    table = Table(expand=True, header_style="bold")
    table.add_column("Figure", ratio=3)
    table.add_column("Value", style="bold", ratio=2)
    table.add_column("Source", ratio=3)
    for figure in cost.figures:
        source = Text(figure.source) if figure.source else Text("not given", style="dim")
        table.add_row(Text(figure.label), Text(figure.value), source)
    parts: list[RenderableType] = [Text(cost.summary), table]
    if cost.note:
        parts.append(Text(cost.note, style="dim italic"))
    return Group(*parts)


def _audit_questions(control: Control) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column(ratio=1)
    for index, question in enumerate(control.audit_questions):
        cell = Text(question.text, style="bold")
        if question.evidence:
            cell.append("\nevidence: " + question.evidence, style="not bold dim")
        if index:
            grid.add_row("", "")
        grid.add_row(Text(question.id), cell)
    return grid


def _iac_fix(control: Control) -> RenderableType:
    from rich.console import Group
    from rich.syntax import Syntax
    from rich.text import Text

    fix = control.iac_fix
    code = Syntax(
        fix.code.rstrip("\n"),
        fix.language,
        theme="ansi_dark",
        background_color="default",
        word_wrap=True,
    )
    return Group(Text(fix.description), Text(""), code)


def _pitfalls(control: Control) -> RenderableType:
    from rich.text import Text

    text = Text()
    for index, pitfall in enumerate(control.common_pitfalls):
        if index:
            text.append("\n")
        text.append("✗ ", style="bold red")
        text.append(pitfall)
    return text


def _effort(control: Control) -> RenderableType:
    from rich.text import Text

    effort = control.effort_estimate
    text = Text(effort.summary, style="bold")
    text.append("\nworkstreams: " + ", ".join(effort.workstreams), style="dim")
    return text


def _crosswalk(control: Control) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    catalogue = frameworks()
    table = Table(expand=True, show_lines=True, header_style="bold")
    table.add_column("Topic", ratio=3)
    table.add_column("Remediation", style="cyan", no_wrap=True)
    table.add_column("References", ratio=5)
    for row in control.cross_framework_references:
        refs = Text()
        for index, (key, ids) in enumerate(row.refs.items()):
            if index:
                refs.append("\n")
            refs.append(f"{catalogue[key].name}: ", style="bold")
            refs.append(", ".join(ids))
        table.add_row(Text(row.topic), Text(row.remediation or "-"), refs)
    return table


def _header(control: Control) -> RenderableType:
    from rich.panel import Panel
    from rich.text import Text

    text = Text(control.title, style="bold")
    text.append(f"   {control.id}", style="dim")
    text.append("   ")
    text.append(f" {control.severity.upper()} ", style=_SEVERITY_STYLE.get(control.severity, ""))
    return Panel(text, border_style="bold cyan")


def render_control(control: Control) -> Group:
    """Return a rich renderable showing every section of ``control``, ready for Console.print."""
    from rich.console import Group

    bodies: dict[str, RenderableType] = {
        "description": _prose(control.description),
        "risk_impact": _prose(control.risk_impact),
        "detection": _detection(control),
        "remediation": _remediation(control),
        "attack_scenario": _prose(control.attack_scenario),
        "cost_of_non_compliance": _cost(control),
        "audit_questions": _audit_questions(control),
        "frameworks": framework_table(control.frameworks),
        "iac_fix": _iac_fix(control),
        "common_pitfalls": _pitfalls(control),
        "business_value": _prose(control.business_value),
        "effort_estimate": _effort(control),
        "cross_framework_references": _crosswalk(control),
    }
    return Group(_header(control), *(_panel(field, bodies[field]) for field in SECTION_TITLES))
