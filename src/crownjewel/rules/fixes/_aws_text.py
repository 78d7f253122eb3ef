"""Text helpers of the AWS fix generators: supporting-resource names, HCL rendering of policy
documents, and `terraform fmt`-style alignment of edited blocks (the generic ones are in `_text`)."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from crownjewel.model.assets import Asset, SourceRef
from crownjewel.model.findings import Fix, TextEdit
from crownjewel.rules import hcl_edit as hcl
from crownjewel.rules.engine import EvalContext
from crownjewel.rules.fixes._text import block_text, memo, replace
from crownjewel.rules.registry import Fail

_TMP_BLOCK = "crownjewel_new_block"
FixFn = Callable[[Asset, EvalContext, Fail], Fix | None]


def tf_source(asset: Asset, aspect: str) -> SourceRef | None:
    """The split resource that sets `aspect` of the asset (see the normalizer's `tf_sources`)."""
    return dict(asset.get("tf_sources") or ()).get(aspect)


def free_name(ctx: EvalContext, tf_type: str, base: str) -> str:
    """`base`, or `base_2`, ... when a `tf_type` resource of that name is already declared."""
    def build() -> set[str]:
        pattern = re.compile(rf'resource\s+"{re.escape(tf_type)}"\s+"([^"]+)"')
        return {name for text in ctx.sources.values() for name in pattern.findall(text)}

    taken = memo(ctx, ("taken", tf_type), build)
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def append_nested(text: str, name: str, body: str) -> str:
    """Add one more nested block `name` (hcl_edit's set_block replaces the first one)."""
    added = hcl.set_block(text, _TMP_BLOCK, body)
    return added.replace(_TMP_BLOCK + " {", name + " {", 1)


def drop_blocks(text: str, name: str, drop: Callable[[str], bool]) -> str:
    """Remove the top-level nested blocks `name` of `text` for which `drop(block text)` holds."""
    masked, spans = text, []
    while (span := hcl.find_block(masked, name)) is not None:
        start, end = span
        if drop(text[start:end]):
            spans.append(span)
        masked = masked[:start] + re.sub(r"[^\n]", " ", masked[start:end]) + masked[end:]
    for start, end in reversed(spans):
        text = text[:start] + text[end:]
    return text


def in_nested(text: str, name: str, edit: Callable[[str], str]) -> str:
    """Apply `edit` to the first nested block `name` of `text`."""
    span = hcl.find_block(text, name)
    if span is None:
        return text
    return text[:span[0]] + edit(text[span[0]:span[1]]) + text[span[1]:]


def hcl_value(value: Any) -> str:
    """Decoded JSON as an HCL expression (for `jsonencode(...)`)."""
    if isinstance(value, dict):
        if set(value) == {"__tf_ref__"} or "__attribute__" in value:
            return str(value.get("__tf_ref__") or value["__attribute__"])
        if set(value) == {"__tf_tpl__"}:
            return '"' + str(value["__tf_tpl__"]) + '"'
        if not value:
            return "{}"
        pairs = [(k if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k) else hcl.hcl_string(k), hcl_value(v))
                 for k, v in value.items()]
        # Like `terraform fmt`: runs of one-line items align their "=", multi-line ones do not.
        items: list[str] = []
        run: list[tuple[str, str]] = []
        for name, rendered in pairs + [("", "\n")]:
            if "\n" not in rendered:
                run.append((name, rendered))
                continue
            width = max((len(n) for n, _ in run), default=0)
            items.extend(f"{n.ljust(width)} = {r}" for n, r in run)
            run = []
            if name:
                items.append(f"{name} = {rendered}")
        return "{\n" + "\n".join(items) + "\n}"
    if isinstance(value, list):
        inner = [hcl_value(v) for v in value]
        if any("\n" in i for i in inner) or sum(len(i) for i in inner) > 60:
            return "[\n" + ",\n".join(inner) + ",\n]"
        return "[" + ", ".join(inner) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return hcl.hcl_string(str(value))


_ATTR_LINE = re.compile(r'^(?P<indent>[ \t]*)(?P<name>[A-Za-z_][\w-]*|"[^"]*")[ \t]*=(?![=>])[ \t]*(?P<value>.*)$')
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_HEREDOC_START = re.compile(r"<<-?([A-Za-z_][\w-]*)\s*$")


def aligned(text: str) -> str:
    """Align the "=" of runs of one-line attributes as `terraform fmt` does (whitespace only)."""
    lines = text.split("\n")
    out: list[str] = []
    run: list[tuple[str, str, str]] = []
    heredoc: str | None = None

    def flush() -> None:
        width = max((len(n) for _, n, _ in run), default=0)
        out.extend(f"{i}{n.ljust(width)} = {v}" for i, n, v in run)
        run.clear()

    for line in lines:
        if heredoc is not None:
            out.append(line)
            heredoc = None if line.strip() == heredoc else heredoc
            continue
        m = _ATTR_LINE.match(line)
        bare = _STRINGS.sub('""', line.split("#", 1)[0] if '"' not in line else line)
        depth = sum(bare.count(c) for c in "{[(") - sum(bare.count(c) for c in "}])")
        start = _HEREDOC_START.search(line)
        if m and depth == 0 and not start and not (run and run[0][0] != m.group("indent")):
            run.append((m.group("indent"), m.group("name"), m.group("value").rstrip()))
            continue
        flush()
        if m and depth == 0 and not start:
            run.append((m.group("indent"), m.group("name"), m.group("value").rstrip()))
            continue
        out.append(line)
        if start:
            heredoc = start.group(1)
    flush()
    return "\n".join(out)


def make_fix(*changes: tuple[SourceRef, str, str], new: str = "", where: SourceRef | None = None) -> Fix:
    """A fix from (source, old text, new text) block changes plus new blocks appended at `where`."""
    changes = tuple((src, before, aligned(after) if after != before else after) for src, before, after in changes)
    edits = [replace(src, after) for src, before, after in changes if after != before]
    shown = [after for _, before, after in changes if after != before and after.strip()]
    shown += [f"# removed: {before.splitlines()[0].strip()} ... }}" for _, before, after in changes
              if not after.strip()]
    if new:
        new = aligned(new)
        target = where or next((src for src, _, _ in changes), None)
        if target is not None and target.file.endswith(".tf"):  # never append HCL to a plan file
            edits.append(TextEdit(target.file, new))
        shown.append(new)
    return Fix(terraform="\n".join(s.rstrip("\n") + "\n" for s in shown), edits=tuple(edits))


def on_block(transform: Callable[[str], str]) -> FixFn:
    """A fixer applying `transform` to the asset's own block."""

    def fix(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
        text = block_text(ctx, asset.source)
        if text is None or asset.source is None:
            return None
        return make_fix((asset.source, text, transform(text)))

    return fix
