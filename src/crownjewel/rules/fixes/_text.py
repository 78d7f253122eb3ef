"""Helpers every fix generator shares: the Terraform address of an asset as written in its own
module, the text of the user's blocks, edits, and how a new supporting resource covers every
instance of a block with `count` / `for_each`.

Asset ids are not always plain addresses: several scanned roots prefix them with the root's
directory (`insecure/aws_s3_bucket.b`), modules with their path (`module.m.aws_s3_bucket.b`),
a duplicate address gets `@<line>` and a binding of an IAM policy `#<role>`. A reference written
into a fix is always the in-module address (`local_ref`), and a supporting resource is named
after the declaring block (`ident`), never after one instance, so that the fixes of every
instance of a block append the same text (which `fixapply` adds once).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crownjewel.model.assets import Asset, SourceRef
from crownjewel.model.findings import TextEdit
from crownjewel.rules import hcl_edit as hcl
from crownjewel.rules.engine import EvalContext

_DUPLICATE = re.compile(r"@\d+$")  # the second declaration of one address: `x.y@37`
_BINDING = re.compile(r"^((?:[^\[#]|\[[^\]]*\])*)#.*$", re.DOTALL)  # `x.p#roles/...` of a policy
_ROOT_PREFIX = re.compile(r"^[^\[]*/")  # `envs/prod/aws_s3_bucket.x` when several roots are scanned
_MODULE_PREFIX = re.compile(r"^(?:module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.)+")
_INDEX = re.compile(r"\[[^\]]*\]$")
_LITERAL = re.compile(r'"[^"$%\\]*"')  # a quoted string without interpolation or escapes
_PER_INSTANCE = re.compile(r"\b(?:count\.index|each\.(?:key|value))\b")


def local_ref(asset_id: str) -> str:
    """The address as written inside its own module, instance key kept:
    `prod/module.m.aws_s3_bucket.b[0]@12` -> `aws_s3_bucket.b[0]`."""
    address = _DUPLICATE.sub("", asset_id)
    binding = _BINDING.match(address)
    if binding:
        address = binding.group(1)
    return _MODULE_PREFIX.sub("", _ROOT_PREFIX.sub("", address))


def block_ref(asset_id: str) -> str:
    """The address of the declaring block: `local_ref` without the instance key."""
    return _INDEX.sub("", local_ref(asset_id))


def label(asset_id: str) -> str:
    """The name label of the declaring block (`module.m.google_x.name["k"]` -> `name`)."""
    return block_ref(asset_id).rsplit(".", 1)[-1]


def ident(asset: Asset) -> str:
    """A name for supporting resources: the declaring block's name (type and name for a data
    source or a statement of a policy), the same for every instance of the block."""
    return hcl.hcl_ident(block_ref(asset.id).split(".", 1)[-1])


_MEMO: list[tuple[object, object, dict[Any, Any]]] = []


def memo(ctx: EvalContext, key: Any, build: Callable[[], Any]) -> Any:
    """A value computed once per scan (per sources and graph): split files, taken names.

    One slot: the next scan replaces it, so nothing accumulates across scans.
    """
    entry = _MEMO[0] if _MEMO else None  # one read: another thread may swap the slot
    if entry is None or entry[0] is not ctx.sources or entry[1] is not ctx.graph:
        entry = (ctx.sources, ctx.graph, {})
        _MEMO[:] = [entry]
    cache = entry[2]
    if key not in cache:
        cache[key] = build()
    return cache[key]


def block_text(ctx: EvalContext, source: SourceRef | None) -> str | None:
    """The text of the block declared at `source`, or None when its file is not at hand."""
    if source is None or source.file not in ctx.sources or not source.file.endswith(".tf"):
        return None  # plan JSON and other non-HCL inputs cannot be edited as blocks
    lines = memo(ctx, ("lines", source.file), lambda: ctx.sources[source.file].splitlines(keepends=True))
    end = source.end_line or source.line
    if end > len(lines):
        return None  # the file changed since the scan
    return "".join(lines[source.line - 1:end])


def replace(source: SourceRef, text: str) -> TextEdit:
    """An edit replacing the block at `source` with `text` (an empty text deletes it)."""
    return TextEdit(source.file, text, source.line, source.end_line or source.line)


def append(source: SourceRef, text: str) -> TextEdit:
    """An edit appending new blocks to the file of `source`."""
    return TextEdit(source.file, text)


def expr(text: str, name: str) -> str | None:
    """The raw HCL expression of a top-level attribute, as the user wrote it."""
    span = hcl.find_attribute(text, name)
    return text[span[0]:span[1]].split("=", 1)[1].strip() if span else None


def literal(raw: str | None) -> str | None:
    """The value of a plain quoted string expression (no interpolation), else None."""
    if raw is None or not _LITERAL.fullmatch(raw):
        return None
    return raw[1:-1]


def per_instance(*exprs: str | None) -> bool:
    """Whether any expression differs between instances (uses `count.index` or `each`)."""
    return any(e and _PER_INSTANCE.search(e) for e in exprs)


@dataclass(frozen=True, slots=True)
class Repeat:
    """How a new resource covers every instance of the asset's block."""

    ref: str  # the asset's address as the new resource refers to it: `x.y[count.index]`
    meta: str = ""  # `count = ...\n\n` / `for_each = ...\n\n`: the new resource starts with it
    key: str = ""  # `count.index` / `each.key`; empty when the block has one instance

    def index(self, address: str) -> str:
        """`address` of another repeated new resource, indexed like this instance."""
        return f"{address}[{self.key}]" if self.key else address

    def name(self, text: str) -> str:
        """A quoted name unique per instance: `"<text>-${count.index}"`."""
        return hcl.hcl_string(text)[:-1] + (f"-${{{self.key}}}" if self.key else "") + '"'


def repeat(asset: Asset, ctx: EvalContext) -> Repeat:
    """The asset's block `count` / `for_each` for a new resource (`aws_s3_bucket.b[0]` gives
    `count = 2` and `aws_s3_bucket.b[count.index]`), or the asset's own address."""
    local = local_ref(asset.id)
    if _INDEX.search(local):
        text = block_text(ctx, asset.source) or ""
        for meta, key in (("count", "count.index"), ("for_each", "each.key")):
            value = expr(text, meta) if text else None
            if value:
                return Repeat(f"{_INDEX.sub('', local)}[{key}]", f"{meta} = {value}\n\n", key)
    return Repeat(local)


def instances(asset: Asset, ctx: EvalContext, attr: str = "id") -> tuple[str, str]:
    """(meta-argument line, reference) reaching every instance of the asset's block: a new
    resource for `aws_s3_bucket.b[0]` repeats the bucket's `count` (or `for_each`)."""
    r = repeat(asset, ctx)
    return r.meta[:-1], f"{r.ref}.{attr}"


def templated(raw: str | None, suffix: str, fallback: str) -> str:
    """A quoted name: the user's name expression `raw` followed by `suffix` (`"${var.n}-logs"`,
    `"models-${count.index}-logs"`), or `fallback` + `suffix` when there is no expression."""
    if raw is None:
        return hcl.hcl_string(fallback + suffix)
    if re.fullmatch(r'"(?:[^"\\]|\\.)*"', raw):  # a quoted literal or template
        return raw[:-1] + hcl.hcl_string(suffix)[1:]
    return f'"${{{raw}}}' + hcl.hcl_string(suffix)[1:]
