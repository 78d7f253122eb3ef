"""`crownjewel explain RULE`: what fails, why it matters, how to fix it, where it maps."""
from __future__ import annotations

from importlib import resources
from typing import Any

from crownjewel.rules.registry import Rule


def examples(rule_id: str) -> dict[str, str]:
    """The bundled bad/good Terraform examples of a rule: file name -> text."""
    folder = resources.files("crownjewel.rules") / "examples" / rule_id
    if not folder.is_dir():
        return {}
    return {f.name: f.read_text(encoding="utf-8") for f in sorted(folder.iterdir(), key=lambda f: f.name)
            if f.name.endswith(".tf")}


def render_rule(rule: Rule) -> Any:
    """A rich renderable describing one rule."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.syntax import Syntax
    from rich.text import Text

    from crownjewel.catalog.render import framework_table

    applies = ", ".join(k.value for k in rule.kinds)
    if rule.providers:
        applies += f" ({', '.join(rule.providers)})"
    scope = ("crown-jewel assets (or every asset with --all-assets); severity becomes critical on them"
             if rule.applies == "crown_jewel" else "every asset of these kinds; critical on crown jewels")
    head = Text.assemble((rule.id, "bold"), "  ", (rule.severity.value.upper(), "red"), "\n",
                         (rule.title, "bold"), "\n\n", rule.description, "\n\n",
                         ("Applies to: ", "bold"), applies, "\n", ("Evaluated on: ", "bold"), scope, "\n",
                         ("Control step: ", "bold"), f"ml-ip-theft / {rule.control_step or '-'}", "\n",
                         ("Remediation: ", "bold"), rule.remediation)
    if rule.peers:
        head.append("\n")
        head.append("Peers: ", style="bold")
        head.append("; ".join(f"{k}: {', '.join(v)}" for k, v in rule.peers.items()))
    parts: list[Any] = [Panel(head, title="Rule", title_align="left"), framework_table(rule.frameworks)]
    for name, text in examples(rule.id).items():
        parts.append(Panel(Syntax(text.rstrip(), "hcl", theme="ansi_dark"), title=name, title_align="left"))
    return Group(*parts)
