"""Read `terraform show -json` plan (or state) files into the same resources as .tf directories.

Planned values are already evaluated; values known only after apply are null there, so where
the configuration section shows the expression referenced another resource, the reference is
restored (`{"__attribute__": "aws_kms_key.k.arn"}`) for normalizers to resolve, as with tfparse.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from crownjewel.collect.problems import InputProblem
from crownjewel.collect.terraform.loader import MAX_FILE_BYTES, TfInput, TfResource
from crownjewel.model.assets import SourceRef

_INDEX = re.compile(r"\[[^\]]*\]")


def load_plan(path: Path, into: TfInput) -> None:
    """Load one plan/state JSON file; problems are reported with file and line."""
    shown = str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES * 10:
            into.problems.append(InputProblem(shown, "plan file is too large; skipped"))
            return
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except OSError as err:
        into.problems.append(InputProblem(shown, f"cannot read file: {err.strerror or err}"))
        return
    except UnicodeDecodeError:
        into.problems.append(InputProblem(shown, "not UTF-8 text (binary?); skipped"))
        return
    into.files += 1
    if not text.strip():
        into.problems.append(InputProblem(shown, "file is empty"))
        return
    try:
        plan = json.loads(text)
    except json.JSONDecodeError as err:
        into.problems.append(InputProblem(shown, f"invalid JSON: {err.msg} (column {err.colno})", err.lineno))
        return
    if not isinstance(plan, dict) or not ({"planned_values", "values"} & set(plan)):
        into.problems.append(InputProblem(shown, "JSON but not `terraform show -json` output "
                                                 "(no planned_values or values)", 1))
        return
    into.sources[shown] = text
    root = (plan.get("planned_values") or plan.get("values") or {}).get("root_module") or {}
    config = _config_expressions((plan.get("configuration") or {}).get("root_module") or {}, "")
    lines = _address_lines(text)
    for item in _walk(root):
        address = str(item.get("address", ""))
        values = dict(item.get("values") or {})
        exprs = config.get(_INDEX.sub("", address))
        if exprs:
            _restore_refs(values, exprs)
        mode = "data" if item.get("mode") == "data" else "managed"
        into.resources.append(TfResource(
            address=address, type=str(item.get("type", "")), mode=mode, values=values,
            source=SourceRef(shown, lines.get(address, 1)), uid=None, root=shown))


def _walk(module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from module.get("resources") or ()
    for child in module.get("child_modules") or ():
        yield from _walk(child)


def _config_expressions(module: Mapping[str, Any], prefix: str,
                        inputs: Mapping[str, str] | None = None) -> dict[str, Mapping[str, Any]]:
    """Configuration expressions per resource address; `var.x` references inside a module are
    replaced by what the calling module passes as `x` (when that is itself a reference)."""
    out: dict[str, Mapping[str, Any]] = {}
    for res in module.get("resources") or ():
        exprs = res.get("expressions") or {}
        out[prefix + str(res.get("address"))] = _bind_vars(exprs, inputs or {}, prefix)
    for name, call in (module.get("module_calls") or {}).items():
        passed: dict[str, str] = {}
        for var, expr in (call.get("expressions") or {}).items():
            refs = expr.get("references") if isinstance(expr, Mapping) else None
            if refs:
                ref = str(refs[0])
                # a reference to the caller's own variable resolves one level further up
                passed[var] = (inputs or {}).get(ref[4:], ref) if ref.startswith("var.") else prefix + ref
        out.update(_config_expressions(call.get("module") or {}, f"{prefix}module.{name}.", passed))
    return out


_NOT_RESOURCES = ("var.", "local.", "each.", "count.", "path.", "terraform.", "self.")


def _bind_vars(exprs: Any, inputs: Mapping[str, str], prefix: str) -> Any:
    """Make a module's references absolute: `var.x` becomes what the caller passed as `x`, and a
    resource reference gets the module's address prefix (`module.m.aws_kms_key.k`)."""
    if isinstance(exprs, Mapping):
        if "references" in exprs:
            refs = []
            for ref in map(str, exprs["references"]):
                if ref.startswith("var."):
                    refs.append(inputs.get(ref[4:], ref))
                elif ref.startswith(_NOT_RESOURCES) or not prefix:
                    refs.append(ref)
                else:
                    refs.append(prefix + ref)
            return {**exprs, "references": refs}
        return {k: _bind_vars(v, inputs, prefix) for k, v in exprs.items()}
    if isinstance(exprs, list):
        return [_bind_vars(v, inputs, prefix) for v in exprs]
    return exprs


def _restore_refs(values: dict[str, Any], exprs: Mapping[str, Any]) -> None:
    for key, expr in exprs.items():
        if isinstance(expr, Mapping) and "references" in expr:
            if values.get(key) in (None, "") and expr["references"]:
                values[key] = {"__attribute__": str(expr["references"][0])}
        elif isinstance(expr, list) and isinstance(values.get(key), list):
            for sub_values, sub_expr in zip(values[key], expr):
                if isinstance(sub_values, dict) and isinstance(sub_expr, Mapping):
                    _restore_refs(sub_values, sub_expr)


def _address_lines(text: str) -> dict[str, int]:
    """Line of the first `"address": "..."` of each resource, for locations in reports."""
    lines: dict[str, int] = {}
    line, pos = 1, 0
    for m in re.finditer(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"', text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        lines.setdefault(json.loads(f'"{m.group(1)}"'), line)
    return lines
