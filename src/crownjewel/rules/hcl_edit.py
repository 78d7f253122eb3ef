"""Text-level edits of one Terraform (HCL2) block.

Fixes are generated from the user's real source, so an edit must change only what it
is asked to change: comments, formatting, references, heredocs and everything else of
the block stay byte-for-byte as they were.  A full HCL parser would lose that (and
would be one more dependency), so this module uses a small scanner instead.

The scanner knows just enough HCL2 to find statement boundaries: it tracks the nesting
depth of ``{}``/``[]``/``()`` and skips over double-quoted strings (with escapes and
``${ ... }`` / ``%{ ... }`` templates, which may themselves hold braces and nested
strings), heredocs (``<<EOF`` / ``<<-EOF`` up to the closing marker line) and comments
(``#``, ``//``, ``/* */``).  Expressions are never interpreted.

All public functions are pure: they take the complete text of one block (from its
``resource "type" "name" {`` line to its closing ``}`` line) and return new text.
Text that is not one well-formed block raises :class:`HclEditError`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

__all__ = [
    "HclEditError",
    "ensure_in_block_path",
    "find_attribute",
    "find_block",
    "hcl_ident",
    "hcl_string",
    "remove_attribute",
    "remove_block",
    "render_block",
    "set_attribute",
    "set_block",
]

DEFAULT_INDENT = "  "


class HclEditError(ValueError):
    """The text is not one well-formed HCL block, or the requested edit is not possible."""


# --------------------------------------------------------------------------- scanner

_NL = "nl"
_COMMENT = "comment"
_STRING = "string"
_HEREDOC = "heredoc"
_OPEN = "open"
_CLOSE = "close"
_IDENT = "ident"
_EQ = "eq"
_OTHER = "other"

_PAIRS = {"{": "}", "[": "]", "(": ")"}
_IDENT_FULL_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
# HCL only treats `<<` as a heredoc when the marker is immediately followed by a newline.
_HEREDOC_RE = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)\r?\n")


class _Tok(NamedTuple):
    # A NamedTuple rather than a frozen dataclass: a scan creates hundreds of thousands
    # of tokens, and a frozen dataclass's __init__ (one object.__setattr__ per field)
    # made building them the largest cost of lexing.
    kind: str
    start: int
    end: int
    # Heredocs only: True for `<<-` (indented) heredocs.
    flush: bool = False


def _line_no(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _error(text: str, pos: int, message: str) -> HclEditError:
    return HclEditError(f"line {_line_no(text, pos)}: {message}")


def _line_comment_end(text: str, i: int) -> int:
    """End of a `#`/`//` comment: the newline (and a CR before it) is not part of it."""
    j = text.find("\n", i)
    if j < 0:
        return len(text)
    return j - 1 if j > i and text[j - 1] == "\r" else j


def _block_comment_end(text: str, i: int) -> int:
    j = text.find("*/", i + 2)
    if j < 0:
        raise _error(text, i, "unterminated /* comment")
    return j + 2


def _skip_heredoc(text: str, m: re.Match[str]) -> int:
    """Return the end of the heredoc's closing marker line (before its newline)."""
    marker = m.group(2)
    pos = m.end()
    while pos <= len(text):
        eol = text.find("\n", pos)
        line_end = len(text) if eol < 0 else eol
        line = text[pos:line_end]
        if line.endswith("\r"):
            line = line[:-1]
            line_end -= 1
        # HCL accepts an indented closing marker for both `<<` and `<<-` heredocs.
        if line.strip(" \t") == marker:
            return line_end
        if eol < 0:
            break
        pos = eol + 1
    raise _error(text, m.start(), f"unterminated heredoc (no closing {marker!r} line)")


# The only characters at which the meaning of a quoted string's text can change; the
# runs between them are skipped in one regex step instead of character by character.
_QUOTED_STOP_RE = re.compile(r'["\\$%\r\n]')


def _skip_quoted(text: str, i: int) -> int:
    """`text[i]` is an opening quote; return the index just after the closing quote."""
    n = len(text)
    j = i + 1
    while m := _QUOTED_STOP_RE.search(text, j):
        j = m.start()
        c = text[j]
        if c == '"':
            return j + 1
        if c == "\\":
            if j + 1 < n and text[j + 1] in "\r\n":
                break
            # May step past the end (a trailing backslash): the search then fails.
            j += 2
            continue
        if c in "\r\n":
            break
        # `c` is `$` or `%`.  `$${` and `%%{` are escapes for a literal `${` / `%{`,
        # not templates.
        if text.startswith(c + c + "{", j):
            j += 3
            continue
        if text.startswith(c + "{", j):
            j = _skip_template(text, j + 2)
            continue
        j += 1
    raise _error(text, i, "unterminated string")


# Inside a template sequence only these characters start something to skip or change
# the bracket depth; everything between them is jumped over.
_TEMPLATE_STOP_RE = re.compile(r'["#/<{}\[\]()]')


def _skip_template(text: str, j: int) -> int:
    """`j` is just after `${` or `%{`; return the index just after the matching `}`.

    The inside of a template sequence is an expression, so it may contain object
    braces, brackets, nested quoted strings (with their own templates) and comments.
    """
    start = j - 2
    depth = 0
    while m := _TEMPLATE_STOP_RE.search(text, j):
        j = m.start()
        c = text[j]
        if c == '"':
            j = _skip_quoted(text, j)
            continue
        if c == "#" or text.startswith("//", j):
            j = _line_comment_end(text, j)
            continue
        if text.startswith("/*", j):
            j = _block_comment_end(text, j)
            continue
        if c == "<" and (hm := _HEREDOC_RE.match(text, j)):
            j = _skip_heredoc(text, hm)
            continue
        if c in "{[(":
            depth += 1
        elif c in "}])":
            if depth == 0:
                if c != "}":
                    raise _error(text, j, f"unexpected {c!r} in template interpolation")
                return j + 1
            depth -= 1
        j += 1
    raise _error(text, start, "unterminated template interpolation")


# One step of the lexer: optional whitespace, then exactly one token.  The alternatives
# are tried in order, which encodes the precedence of the old char-by-char lexer
# (e.g. `//` is a comment before `/` is an operator, `<<EOF` is a heredoc before `<`
# is one).  `==` and `=>` are operators: only a lone `=` introduces an attribute value.
# A bare CR (not part of CRLF) counts as whitespace.
#
# Double-quoted strings without templates (nearly all of them) are matched whole by
# the `string` alternative; its possessive `*+` reproduces the scanner's one-way,
# left-to-right reading of escapes, so it cannot match differently from
# `_skip_quoted`.  A string holding a `${`/`%{` template, or an unterminated one,
# only matches `quote`, and `_skip_quoted` handles it (and reports the error).
# Block comments and heredocs likewise only match their opening here and are skipped
# by the functions above, which also produce the error messages.
_TOKEN_RE = re.compile(
    r"""
    [ \t\f\v\ufeff]*+(?:\r(?!\n)[ \t\f\v\ufeff]*+)*+
    (?:
        (?P<ident>[A-Za-z_][A-Za-z0-9_-]*+)
      | (?P<nl>\r?\n)
      | (?P<open>[{\[(])
      | (?P<close>[}\])])
      | (?P<line_comment>(?:\#|//)[^\r\n]*+(?:\r(?!\n)[^\r\n]*+)*+)
      | (?P<block_comment>/\*)
      | (?P<string>"(?:[^"\\\r\n$%]++|\\[^\r\n]|\$\$\{|%%\{|[$%](?!\{))*+")
      | (?P<quote>")
      | (?P<heredoc><<-?[A-Za-z_][A-Za-z0-9_-]*\r?\n)
      | (?P<op>=[=>]|[!<>]=)
      | (?P<eq>=)
      | (?P<other>.)
    )
    """,
    re.VERBOSE | re.DOTALL,
)
# Token kind of each alternative, indexed by group number; None for the openings that
# a skipping function must finish.
_GROUP_KINDS: dict[str, str | None] = {
    "ident": _IDENT,
    "nl": _NL,
    "open": _OPEN,
    "close": _CLOSE,
    "line_comment": _COMMENT,
    "block_comment": None,
    "string": _STRING,
    "quote": None,
    "heredoc": None,
    "op": _OTHER,
    "eq": _EQ,
    "other": _OTHER,
}
_KIND_BY_GROUP: tuple[str | None, ...] = (
    None,
    *(_GROUP_KINDS[name] for name, _ in sorted(_TOKEN_RE.groupindex.items(), key=lambda kv: kv[1])),
)
_QUOTE_GROUP = _TOKEN_RE.groupindex["quote"]
_BLOCK_COMMENT_GROUP = _TOKEN_RE.groupindex["block_comment"]
# Builds a `_Tok` without going through the NamedTuple's Python-level `__new__` (as
# `_Tok._make` does): half the cost, for the tokens the lexer builds in its hot loop.
_new_tok = tuple.__new__


def _lex(text: str) -> list[_Tok]:
    """Split `text` into the few token kinds the edits need (whitespace is dropped)."""
    toks: list[_Tok] = []
    append = toks.append
    kinds = _KIND_BY_GROUP
    pos = 0
    while True:
        # `finditer` steps from token to token in C.  Its matches are contiguous:
        # every position starts a match except in trailing whitespace, where the
        # iteration simply ends.  Only strings with templates, block comments and
        # heredocs leave the loop, to be skipped by hand and the iteration resumed.
        for m in _TOKEN_RE.finditer(text, pos):
            group = m.lastindex
            assert group is not None  # every alternative is a group
            start, end = m.span(group)
            kind = kinds[group]
            if kind is not None:
                append(_new_tok(_Tok, (kind, start, end, False)))
                continue
            if group == _QUOTE_GROUP:
                pos = _skip_quoted(text, start)
                append(_Tok(_STRING, start, pos))
            elif group == _BLOCK_COMMENT_GROUP:
                pos = _block_comment_end(text, start)
                append(_Tok(_COMMENT, start, pos))
            else:  # heredoc
                hm = _HEREDOC_RE.match(text, start)
                assert hm is not None  # same pattern as the `heredoc` alternative
                pos = _skip_heredoc(text, hm)
                append(_Tok(_HEREDOC, start, pos, hm.group(1) == "-"))
            break
        else:
            return toks


def _match_brackets(text: str, toks: Sequence[_Tok]) -> dict[int, int]:
    """Map each opening bracket's token index to its closing one; raise if unbalanced."""
    stack: list[int] = []
    match: dict[int, int] = {}
    for k, tok in enumerate(toks):
        if tok.kind == _OPEN:
            stack.append(k)
        elif tok.kind == _CLOSE:
            closer = text[tok.start]
            if not stack:
                raise _error(text, tok.start, f"unbalanced {closer!r}")
            opener = text[toks[stack[-1]].start]
            if _PAIRS[opener] != closer:
                raise _error(
                    text,
                    tok.start,
                    f"{closer!r} does not match {opener!r} opened on line "
                    f"{_line_no(text, toks[stack[-1]].start)}",
                )
            match[stack.pop()] = k
    if stack:
        unclosed = toks[stack[-1]]
        raise _error(text, unclosed.start, f"unclosed {text[unclosed.start]!r}")
    return match


# ---------------------------------------------------------------------------- parser


class _Item(NamedTuple):
    """One statement directly inside the block: an attribute or a nested block."""

    # A NamedTuple for the same reason as `_Tok`: created often, and cheaper to build.
    kind: Literal["attribute", "block"]
    name: str
    start: int  # first character of the name
    value_start: int  # attribute: first character of the expression; block: its "{"
    expr_end: int  # attribute: end of the expression; block: just after its "}"
    end: int  # end of the statement's last token, trailing comment included


@dataclass(frozen=True, slots=True)
class _Block:
    text: str
    open: int  # index of the block's "{"
    close: int  # index of the block's "}"
    items: tuple[_Item, ...]
    indent: str  # indentation of the header line
    unit: str  # one indentation step
    newline: str

    @property
    def one_line(self) -> bool:
        return "\n" not in self.text[self.open : self.close]

    def attribute(self, name: str) -> _Item | None:
        return next((it for it in self.items if it.kind == "attribute" and it.name == name), None)

    def block(self, name: str) -> _Item | None:
        return next((it for it in self.items if it.kind == "block" and it.name == name), None)


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


_INDENT_RE = re.compile(r"[ \t]*")


def _leading_ws(text: str, pos: int) -> str:
    """Indentation of the line holding `pos`."""
    m = _INDENT_RE.match(text, _line_start(text, pos), pos)
    return m.group(0) if m else ""


def _starts_line(text: str, pos: int) -> bool:
    return text[_line_start(text, pos) : pos].strip(" \t") == ""


def _parse(text: str, unit: str | None = None) -> _Block:
    """Parse one block; `unit`, when given, replaces the detected indentation step."""
    b = _parse_text(text)
    if unit is None or unit == b.unit:
        return b
    return dataclasses.replace(b, unit=unit)


# An edit parses the same text several times: the fixes of several rules look at the
# same resource block (find_attribute, then set_attribute, ...), a multi-step edit
# re-parses its intermediate text, and values such as `true` or `"AES256"` are
# validated again and again.  A `_Block` is immutable, so the result can be shared;
# the unit is applied afterwards (above) so that it is not part of the key.  About two
# parses in three hit this cache in a scan; the hits are close together, so a larger
# size gains nothing.
@functools.lru_cache(maxsize=256)
def _parse_text(text: str) -> _Block:
    toks = _lex(text)
    match = _match_brackets(text, toks)
    k = 0
    while k < len(toks) and toks[k].kind in (_NL, _COMMENT):
        k += 1
    if k == len(toks):
        raise HclEditError("no block found in the text")
    if toks[k].kind != _IDENT:
        raise _error(text, toks[k].start, "expected a block type such as 'resource'")
    header = toks[k]
    k += 1
    while k < len(toks) and toks[k].kind in (_STRING, _IDENT):
        k += 1
    if k == len(toks) or text[toks[k].start] != "{":
        raise _error(text, header.start, "expected '{' after the block header")
    oi, ci = k, match[k]
    for tok in toks[ci + 1 :]:
        if tok.kind not in (_NL, _COMMENT):
            raise _error(text, tok.start, "text after the block's closing brace")
    items = _parse_items(text, toks, match, oi + 1, ci)

    open_pos, close_pos = toks[oi].start, toks[ci].start
    indent = _leading_ws(text, header.start)
    unit = DEFAULT_INDENT
    for it in items:
        if _starts_line(text, it.start):
            ws = _leading_ws(text, it.start)
            if len(ws) > len(indent) and ws.startswith(indent):
                unit = ws[len(indent) :]
                break
    newline = "\r\n" if "\r\n" in text else "\n"
    return _Block(text, open_pos, close_pos, tuple(items), indent, unit, newline)


def _parse_items(text: str, toks: Sequence[_Tok], match: dict[int, int], k: int, ci: int) -> list[_Item]:
    """Parse the statements of `toks[k:ci]`, the inside of a block's braces."""
    items: list[_Item] = []
    while k < ci:
        tok = toks[k]
        if tok.kind in (_NL, _COMMENT):
            k += 1
            continue
        if tok.kind != _IDENT:
            raise _error(text, tok.start, "expected an attribute or a nested block")
        name = text[tok.start : tok.end]
        if k + 1 < ci and toks[k + 1].kind == _EQ:
            m = k + 2
            first: _Tok | None = None
            last_expr: _Tok | None = None
            last: _Tok = toks[k + 1]
            # The expression runs to the first newline outside brackets, or to the
            # block's own "}" in a one-line block.
            while m < ci and toks[m].kind != _NL:
                t = toks[m]
                if t.kind == _OPEN:
                    t = _Tok(_OTHER, t.start, toks[match[m]].end)
                    m = match[m]
                if t.kind != _COMMENT:
                    first = first or t
                    last_expr = t
                last = t
                m += 1
            if first is None or last_expr is None:
                raise _error(text, tok.start, f"attribute {name!r} has no value")
            items.append(_Item("attribute", name, tok.start, first.start, last_expr.end, last.end))
            k = m
            continue
        m = k + 1
        while m < ci and toks[m].kind in (_STRING, _IDENT):
            m += 1
        if m >= ci or toks[m].kind != _OPEN or text[toks[m].start] != "{":
            raise _error(text, tok.start, f"expected '=' or '{{' after {name!r}")
        open_k, close_k = m, match[m]
        last = toks[close_k]
        m = close_k + 1
        while m < ci and toks[m].kind != _NL:
            if toks[m].kind != _COMMENT:
                raise _error(text, toks[m].start, f"unexpected text after block {name!r}")
            last = toks[m]
            m += 1
        items.append(
            _Item(
                "block",
                name,
                tok.start,
                toks[open_k].start,
                toks[close_k].end,
                last.end,
            )
        )
        k = m
    return items


# ------------------------------------------------------------------------ rendering


def _check_name(name: str, what: str = "name") -> None:
    if not isinstance(name, str) or not _IDENT_FULL_RE.match(name):
        raise HclEditError(f"{what} {name!r} is not a valid HCL identifier")


# Token kinds that may span lines; any other token ends on the line it starts on.
_MULTILINE_KINDS = frozenset((_STRING, _COMMENT, _HEREDOC))


def _reindent(text: str, base: str, unit: str, newline: str, *, keep_first: bool) -> str:
    """Indent the lines of `text` (``\\n``-separated) by `base` plus one `unit` per level.

    Levels follow ``terraform fmt``: a line that leaves brackets open indents the
    following lines by one step however many brackets it opened (``jsonencode({``), and
    a line starting with closers goes back out.  Lines that begin inside a multi-line
    token are not code and keep their text: plain heredoc content would change value if
    re-indented; ``<<-`` content gets one uniform prefix, which HCL strips again.

    `text` must already be validated (by `_normalize_expr` or `_normalize_body`, or be
    built from such parts): it is lexed here, but its brackets are not checked again.
    """
    if "\n" not in text:
        # The common case of a one-line value: no level, nothing inside a token.
        stripped = text.strip(" \t")
        if keep_first:
            return stripped
        return base + stripped if stripped else ""

    lines = text.split("\n")
    # The tokens starting on each line (newline tokens left out: they end their line
    # and play no part in the levels), and the multi-line token each line continues.
    by_line: list[list[_Tok]] = [[] for _ in lines]
    covered: list[_Tok | None] = [None] * len(lines)
    li = 0
    for tok in _statement_tokens(text):
        if tok.kind == _NL:
            li += 1
            continue
        by_line[li].append(tok)
        if tok.kind in _MULTILINE_KINDS:
            # Every newline is either a newline token or inside such a token.
            last = li + text.count("\n", tok.start, tok.end)
            for covered_li in range(li + 1, last + 1):
                covered[covered_li] = tok
            li = last

    stack: list[int] = []
    flush_prefix: dict[int, str] = {}  # start of a `<<-` heredoc -> its content prefix
    out: list[str] = []
    for li, line in enumerate(lines):
        line_toks = by_line[li]
        cover = covered[li]
        k = 0
        if cover is None:
            # Closers at the start of the line belong to the enclosing level.
            while k < len(line_toks) and line_toks[k].kind == _CLOSE:
                if stack:
                    stack[-1] -= 1
                    if stack[-1] == 0:
                        stack.pop()
                k += 1
        level = len(stack)
        opened = 0
        for tok in line_toks[k:]:
            if tok.kind == _OPEN:
                opened += 1
            elif tok.kind == _CLOSE:
                if opened:
                    opened -= 1
                elif stack:
                    stack[-1] -= 1
                    if stack[-1] == 0:
                        stack.pop()
        if opened:
            stack.append(opened)

        if cover is not None:
            prefix = flush_prefix.get(cover.start, "") if cover.kind == _HEREDOC else ""
            out.append(prefix + line if line.strip() else line)
            continue
        indent = base + unit * level
        stripped = line.strip(" \t")
        if li == 0 and keep_first:
            out.append(stripped)
        else:
            out.append(indent + stripped if stripped else "")
        for tok in line_toks:
            if tok.kind == _HEREDOC and tok.flush:
                flush_prefix[tok.start] = indent
    return newline.join(out)


def _normalize_expr(value_hcl: str) -> str:
    """Validate one HCL expression and return it stripped with ``\\n`` line ends."""
    if not isinstance(value_hcl, str):
        raise HclEditError(f"value must be HCL text (str), got {type(value_hcl).__name__}")
    value = value_hcl.replace("\r\n", "\n").strip()
    if not value:
        raise HclEditError("empty value")
    # Parsing it as the only attribute of a block rejects unbalanced text as well as a
    # value that would smuggle in more statements after a newline.
    parsed = _parse("x {\nv = " + value + "\n}")
    if len(parsed.items) != 1 or parsed.items[0].kind != "attribute":
        raise HclEditError(f"value is not a single HCL expression: {value_hcl!r}")
    if parsed.items[0].end != parsed.items[0].expr_end:
        # A trailing line comment would swallow whatever follows the value on its line.
        raise HclEditError(f"value must not end with a comment: {value_hcl!r}")
    return value


@functools.lru_cache(maxsize=16)
def _statement_tokens(text: str) -> tuple[_Tok, ...]:
    """Tokens of `text` (statements or one expression) as it is placed in a block.

    A newline follows the text there, and it matters at the very end: ``<<EOF`` only
    starts a heredoc when a newline follows it.  For valid text the result is simply
    the tokens of `text` plus one newline token.  Cached because a body is lexed to be
    validated by `_normalize_body` and then again, right after, by `_reindent`.
    """
    return tuple(_lex(text + "\n"))


def _normalize_body(body: str) -> str:
    """Validate a block body (attributes and nested blocks) and return it stripped."""
    if not isinstance(body, str):
        raise HclEditError(f"body must be HCL text (str), got {type(body).__name__}")
    text = body.replace("\r\n", "\n").strip()
    if text:
        # The body is valid when ``x {\n<body>\n}`` is one well-formed block.  Its
        # statements are checked directly instead, which is equivalent: lexing has no
        # state across a newline, so the block's tokens are `x`, `{`, a newline, the
        # tokens of ``<body>\n`` and `}`, which matches its `{` exactly when the body's
        # own brackets balance.  Working on the body's own tokens leaves them cached
        # for `_reindent`.
        try:
            toks = _statement_tokens(text)
            _parse_items(text, toks, _match_brackets(text, toks), 0, len(toks))
        except HclEditError:
            # Report the error as found in the wrapped block, as always (the line
            # numbers count the `x {` line).
            _parse("x {\n" + text + "\n}")
            raise
    return text


def _expand(b: _Block) -> _Block:
    """Turn a one-line block (``x { a = 1 }``) into the multi-line form."""
    text, nl = b.text, b.newline
    inner = text[b.open + 1 : b.close].strip(" \t")
    new = text[: b.open + 1] + nl
    if inner:
        new += b.indent + b.unit + inner + nl
    new += b.indent + text[b.close :]
    return _parse(new, b.unit)


def _insert_statement(b: _Block, statement: str) -> str:
    """Insert `statement` (first line unindented) as the block's last statement."""
    if b.one_line:
        b = _expand(b)
    text, nl = b.text, b.newline
    line = b.indent + b.unit + statement
    ls = _line_start(text, b.close)
    if text[ls : b.close].strip(" \t") == "":
        return text[:ls] + line + nl + text[ls:]
    # The closing brace shares its line with content: put it on its own line.
    head = text[: b.close].rstrip(" \t")
    return head + nl + line + nl + b.indent + text[b.close :]


def _remove_item(b: _Block, item: _Item) -> str:
    text = b.text
    if b.one_line:
        return text[: b.open + 1] + text[b.close :]
    ls = _line_start(text, item.start)
    if _starts_line(text, item.start):
        eol = text.find("\n", item.end)
        if text[item.end : eol if eol >= 0 else len(text)].strip(" \t\r") == "":
            return text[:ls] + text[eol + 1 if eol >= 0 else len(text) :]
    return text[: item.start].rstrip(" \t") + text[item.end :]


def _render_nested(header: str, body: str, indent: str, unit: str, newline: str) -> str:
    """`header {` + body + `}`; the first line unindented, the rest relative to `indent`."""
    if not body:
        return header + " {}"
    inner = _reindent(body, indent + unit, unit, newline, keep_first=False)
    return header + " {" + newline + inner + newline + indent + "}"


def _set_attribute(text: str, name: str, value: str, unit: str | None) -> str:
    b = _parse(text, unit)
    item = b.attribute(name)
    if item is None:
        if b.block(name) is not None:
            raise HclEditError(f"{name!r} is a nested block here, not an attribute")
        rendered = _reindent(value, b.indent + b.unit, b.unit, b.newline, keep_first=True)
        return _insert_statement(b, f"{name} = {rendered}")
    if b.one_line and "\n" in value:
        b = _expand(b)
        item = b.attribute(name)
        if item is None:  # expanding never drops the block's only attribute
            raise HclEditError(f"internal error: lost attribute {name!r} while expanding")
    text = b.text
    rendered = _reindent(value, _leading_ws(text, item.start), b.unit, b.newline, keep_first=True)
    return text[: item.value_start] + rendered + text[item.expr_end :]


def _set_block(text: str, name: str, body: str, unit: str | None) -> str:
    b = _parse(text, unit)
    item = b.block(name)
    if item is None:
        if b.attribute(name) is not None:
            raise HclEditError(f"{name!r} is an attribute here, not a nested block")
        return _insert_statement(
            b, _render_nested(name, body, b.indent + b.unit, b.unit, b.newline)
        )
    text = b.text
    indent = _leading_ws(text, item.start) if _starts_line(text, item.start) else b.indent + b.unit
    # Keep the existing header (labels, spacing) and any comment after the "}".
    header = text[item.start : item.value_start].rstrip(" \t")
    new = _render_nested(header, body, indent, b.unit, b.newline)
    return text[: item.start] + new + text[item.expr_end :]


def _path_body(path: list[str], attr: str, value: str) -> str:
    body = f"{attr} = {value}"
    for name in reversed(path):
        body = f"{name} {{\n{body}\n}}"
    return body


def _ensure(text: str, path: list[str], attr: str, value: str, unit: str | None) -> str:
    if not path:
        return _set_attribute(text, attr, value, unit)
    b = _parse(text, unit)
    item = b.block(path[0])
    if item is None:
        return _set_block(text, path[0], _path_body(path[1:], attr, value), b.unit)
    # Recurse on the nested block's own text, from the start of its line so that its
    # indentation is seen, then splice the result back.
    start = _line_start(text, item.start) if _starts_line(text, item.start) else item.start
    sub = _ensure(text[start : item.end], path[1:], attr, value, b.unit)
    return text[:start] + sub + text[item.end :]


# ------------------------------------------------------------------------ public API


def find_attribute(block: str, name: str) -> tuple[int, int] | None:
    """Return the span of the top-level attribute `name` in `block`, or None.

    The span covers ``name = <expr>`` from the first character of the name to the end
    of the expression, multi-line expressions (brackets, heredocs) included, and
    excludes a trailing comment.  Only attributes directly inside the block's braces
    match: attributes of nested blocks and nested blocks called `name` do not.
    """
    item = _parse(block).attribute(name)
    return None if item is None else (item.start, item.expr_end)


def find_block(block: str, name: str) -> tuple[int, int] | None:
    """Return the span of the first top-level nested block of type `name`, or None.

    The span covers whole lines: from the start of the line holding the block type
    (indentation included) to just after the newline that follows its closing brace.
    """
    b = _parse(block)
    item = b.block(name)
    if item is None:
        return None
    if not _starts_line(block, item.start):
        return item.start, item.end
    eol = block.find("\n", item.end)
    return _line_start(block, item.start), len(block) if eol < 0 else eol + 1


def set_attribute(block: str, name: str, value_hcl: str) -> str:
    """Set the top-level attribute `name` to the HCL expression `value_hcl`.

    An existing attribute keeps its position, spacing and trailing comment; only its
    expression is replaced.  A missing one is added as ``name = value_hcl`` on a new
    line just before the block's closing brace (a one-line block is first expanded).
    Continuation lines of a multi-line value are re-indented by bracket depth, except
    heredoc content.  Setting the same value again returns the text unchanged.
    """
    _check_name(name, "attribute name")
    return _set_attribute(block, name, _normalize_expr(value_hcl), None)


def set_block(block: str, name: str, body: str) -> str:
    """Replace (or add) the first top-level nested block `name` with one holding `body`.

    `body` is the nested block's content without indentation, possibly holding its own
    nested blocks; it is re-indented by depth.  An existing block keeps its header line
    (labels included) and position; a new one is added before the closing brace.
    """
    _check_name(name, "block name")
    return _set_block(block, name, _normalize_body(body), None)


def remove_attribute(block: str, name: str) -> str:
    """Remove the top-level attribute `name` (its whole line(s)); no-op when absent."""
    b = _parse(block)
    item = b.attribute(name)
    return block if item is None else _remove_item(b, item)


def remove_block(block: str, name: str) -> str:
    """Remove the first top-level nested block `name` (whole lines); no-op when absent."""
    b = _parse(block)
    item = b.block(name)
    return block if item is None else _remove_item(b, item)


def ensure_in_block_path(block: str, path: list[str], attr: str, value_hcl: str) -> str:
    """Set `attr` to `value_hcl` inside the nested blocks `path`, creating missing ones.

    Each step descends into the first nested block of that type, e.g. ``["rule",
    "apply_server_side_encryption_by_default"]`` with ``"sse_algorithm"``.  An empty
    path sets a top-level attribute.
    """
    for step in path:
        _check_name(step, "block name")
    _check_name(attr, "attribute name")
    return _ensure(block, list(path), attr, _normalize_expr(value_hcl), None)


def render_block(kind: str, labels: list[str], body: str) -> str:
    """Render a new block ``kind "label" ... { body }`` with 2-space indentation.

    Labels are quoted with :func:`hcl_string`; `body` lines are written as given (HCL
    expressions) and indented by nesting depth.  The result ends with a newline.
    """
    _check_name(kind, "block type")
    header = kind + "".join(" " + hcl_string(label) for label in labels)
    # The result is not parsed again: the body was validated by `_normalize_body`,
    # re-indenting only changes whitespace at line starts outside multi-line tokens,
    # and the header is a checked identifier followed by quoted strings.
    return _render_nested(header, _normalize_body(body), "", DEFAULT_INDENT, "\n") + "\n"


# Control characters as `\uXXXX`, except those with a short escape; `str.translate`
# applies the table in one pass in C.
_STRING_ESCAPES: dict[int, str] = {
    **{c: f"\\u{c:04x}" for c in (*range(0x20), 0x7F)},
    ord("\\"): "\\\\",
    ord('"'): '\\"',
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
}


def hcl_string(value: str) -> str:
    """Quote `value` as an HCL string literal whose value is exactly `value`.

    Besides backslash, quote and control characters, template introducers are escaped
    (``${`` -> ``$${``, ``%{`` -> ``%%{``) so the text is never interpolated.
    """
    escaped = value.translate(_STRING_ESCAPES).replace("${", "$${").replace("%{", "%%{")
    return f'"{escaped}"'


def hcl_ident(text: str) -> str:
    """Derive a valid Terraform resource name from arbitrary text.

    The result is lowercase ASCII of ``[a-z0-9_-]`` starting with a letter or an
    underscore: accents are dropped (``café`` -> ``cafe``), other runs of characters
    become one ``_``, and a leading digit gets a ``_`` prefix.  Text with nothing
    usable gives ``"unnamed"``.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ident = re.sub(r"[^a-z0-9_-]+", "_", ascii_text.lower())
    ident = re.sub(r"_{2,}", "_", ident).strip("_-")
    if not ident:
        return "unnamed"
    if ident[0].isdigit():
        ident = "_" + ident
    return ident
