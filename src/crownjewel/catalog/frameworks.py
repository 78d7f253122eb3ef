"""Framework catalogue: MITRE ATLAS, ATT&CK, OWASP, NIST, ISO, EU AI Act and SOC 2 identifiers.

The data lives in ``frameworks.toml`` next to this module and is read on first use, never at
import. Everything that cites a framework id (the control card, rules, detections) goes through
:func:`validate_refs`, so a mistyped id fails loudly with a suggestion instead of reaching a report.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

__all__ = [
    "CatalogError",
    "Framework",
    "FrameworkEntry",
    "UnknownFrameworkRef",
    "entry",
    "frameworks",
    "parse_frameworks",
    "title_of",
    "validate_refs",
]

_PACKAGE = __name__.rpartition(".")[0]
_RESOURCE = "frameworks.toml"
_FRAMEWORK_KEYS = frozenset({"name", "version", "url", "entries"})
_ENTRY_KEYS = frozenset({"id", "title", "kind", "tactics", "note"})


class CatalogError(ValueError):
    """A catalogue file is malformed: unknown or missing keys, wrong types, duplicate ids."""


class UnknownFrameworkRef(ValueError):
    """A reference names a framework or an id that the framework catalogue does not contain.

    ``problems`` holds one ``(framework, id)`` pair per bad reference; ``id`` is ``None`` when the
    framework key itself is unknown.
    """

    def __init__(self, message: str, problems: tuple[tuple[str, str | None], ...]) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True, slots=True)
class FrameworkEntry:
    """One identifier in a framework (a technique, mitigation, control, criterion, ...)."""

    id: str
    title: str
    kind: str
    tactics: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Framework:
    """A framework with its display name, version and the entries crownjewel maps to."""

    key: str
    name: str
    version: str
    entries: Mapping[str, FrameworkEntry]
    url: str = ""

    @property
    def label(self) -> str:
        """Display name with version, e.g. ``MITRE ATLAS 5.6.0``."""
        return f"{self.name} {self.version}"


def _require_str(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _check_keys(table: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise CatalogError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )


def _parse_entry(raw: Any, where: str) -> FrameworkEntry:
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{where}: each entry must be a table")
    _check_keys(raw, _ENTRY_KEYS, where)
    entry_id = _require_str(raw, "id", where)
    where = f"{where} {entry_id!r}"
    tactics = raw.get("tactics", [])
    if not isinstance(tactics, list) or not all(isinstance(t, str) and t for t in tactics):
        raise CatalogError(f"{where}: 'tactics' must be a list of non-empty strings")
    note = raw.get("note", "")
    if not isinstance(note, str):
        raise CatalogError(f"{where}: 'note' must be a string")
    return FrameworkEntry(
        id=entry_id,
        title=" ".join(_require_str(raw, "title", where).split()),
        kind=_require_str(raw, "kind", where),
        tactics=tuple(tactics),
        note=" ".join(note.split()),
    )


def parse_frameworks(data: Mapping[str, Any], source: str = _RESOURCE) -> Mapping[str, Framework]:
    """Build the framework catalogue from parsed TOML, rejecting malformed or duplicate entries.

    ``source`` names the file in error messages. Raises :class:`CatalogError`.
    """
    result: dict[str, Framework] = {}
    for key, table in data.items():
        where = f"{source}: [{key}]"
        if not isinstance(table, Mapping):
            raise CatalogError(f"{where}: a framework must be a table")
        _check_keys(table, _FRAMEWORK_KEYS, where)
        raw_entries = table.get("entries")
        if not isinstance(raw_entries, list) or not raw_entries:
            raise CatalogError(f"{where}: needs at least one [[{key}.entries]]")
        entries: dict[str, FrameworkEntry] = {}
        folded: set[str] = set()
        for raw in raw_entries:
            parsed = _parse_entry(raw, f"{where} entry")
            if parsed.id.casefold() in folded:
                raise CatalogError(f"{where}: duplicate id {parsed.id!r}")
            entries[parsed.id] = parsed
            folded.add(parsed.id.casefold())
        url = table.get("url", "")
        if not isinstance(url, str):
            raise CatalogError(f"{where}: 'url' must be a string")
        result[key] = Framework(
            key=key,
            name=_require_str(table, "name", where),
            version=_require_str(table, "version", where),
            entries=MappingProxyType(entries),
            url=url,
        )
    return MappingProxyType(result)


@cache
def frameworks() -> Mapping[str, Framework]:
    """Return the framework catalogue keyed by framework key (``atlas``, ``attack``, ...).

    Read from the packaged ``frameworks.toml`` on first call and cached; the mapping is read-only.
    """
    import tomllib  # deferred: importing the catalogue should not pay for the parser
    from importlib import resources

    text = resources.files(_PACKAGE).joinpath(_RESOURCE).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{_RESOURCE}: {exc}") from exc
    return parse_frameworks(data, _RESOURCE)


def _suggest(bad: str, framework: Framework) -> list[str]:
    # Compare case-folded so "aml.t0040" suggests exactly "AML.T0040"; only runs on the error path.
    folded = {known.casefold(): known for known in framework.entries}
    probe = bad.strip().casefold()
    if probe in folded:
        return [folded[probe]]
    return [folded[f] for f in difflib.get_close_matches(probe, list(folded), n=3, cutoff=0.6)]


def _hint(candidates: list[str]) -> str:
    if not candidates:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in candidates) + "?)"


def validate_refs(refs: Mapping[str, Iterable[str]]) -> None:
    """Check that every ``framework key -> ids`` reference exists in the catalogue.

    Raises :class:`UnknownFrameworkRef` naming each unknown framework key or id, with close
    matches suggested; raises :class:`TypeError` when a value is a bare string (a common slip
    that would otherwise be validated character by character).
    """
    catalogue = frameworks()
    problems: list[tuple[str, str | None]] = []
    messages: list[str] = []
    for key, ids in refs.items():
        if isinstance(ids, str):
            raise TypeError(
                f"framework refs for {key!r} must be a list of ids, not the string {ids!r}"
            )
        framework = catalogue.get(key)
        if framework is None:
            close = difflib.get_close_matches(key, list(catalogue), n=3, cutoff=0.5)
            problems.append((key, None))
            messages.append(
                f"unknown framework {key!r}{_hint(close)}; known: {', '.join(sorted(catalogue))}"
            )
            continue
        for ref in ids:
            if ref in framework.entries:
                continue
            problems.append((key, ref))
            messages.append(
                f"unknown {framework.label} id {ref!r} in framework {key!r}"
                f"{_hint(_suggest(str(ref), framework))}"
            )
    if problems:
        raise UnknownFrameworkRef("; ".join(messages), tuple(problems))


def entry(framework: str, id: str) -> FrameworkEntry:
    """Return the catalogue entry for ``id`` in ``framework``; raise UnknownFrameworkRef if absent."""
    validate_refs({framework: (id,)})
    return frameworks()[framework].entries[id]


def title_of(framework: str, id: str) -> str:
    """Return the official title of ``id`` in ``framework``, e.g. ``title_of("attack", "T1530")``."""
    return entry(framework, id).title


def __getattr__(name: str) -> Any:
    # ``FRAMEWORKS`` reads like a constant but is loaded on first access, not at import.
    if name == "FRAMEWORKS":
        return frameworks()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
