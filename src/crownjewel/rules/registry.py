"""The rule registry: metadata plus one predicate per rule, registered by a decorator.

A predicate receives the asset and an `EvalContext` and returns:
- `None` or `True`: the asset passes;
- `False` or `Fail(...)`: it fails (`Fail` carries evidence and message fields);
- `Unknown(reason)`: the data needed to decide was not seen.
Attributes listed in `requires` are checked before the predicate runs: when one is unknown the
finding is UNKNOWN with the collector's reason, so predicates never turn "not seen" into PASS.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from crownjewel.model.assets import Asset, Kind
from crownjewel.model.findings import Fix, Severity

if TYPE_CHECKING:
    from crownjewel.rules.engine import EvalContext

CROWN_JEWEL = "crown_jewel"  # evaluated on assets classified as crown jewels (or --all-assets)
ALL = "all"  # evaluated on every asset of the kind

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Fail:
    """A failing outcome: `evidence` lines and extra fields for the message template."""

    evidence: tuple[str, ...] = ()
    fields: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def because(cls, *evidence: str, **fields: Any) -> Fail:
        """A failure with evidence lines and message-template fields."""
        return cls(tuple(evidence), MappingProxyType(fields))


@dataclass(frozen=True, slots=True)
class Unknown:
    """The rule could not decide; `reason` says what was missing."""

    reason: str


Outcome = bool | None | Fail | Unknown
Predicate = Callable[[Asset, "EvalContext"], Outcome]
Fixer = Callable[[Asset, "EvalContext", "Fail"], Fix | None]


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: what fails, why it matters, how to fix it, where it maps."""

    id: str
    kinds: tuple[Kind, ...]
    severity: Severity
    title: str
    message: str  # template: {asset.name}, {asset.id}, {provider}, plus Fail fields
    remediation: str
    description: str
    check: Predicate
    frameworks: Mapping[str, tuple[str, ...]]
    providers: tuple[str, ...] | None = None
    requires: tuple[str, ...] = ()
    applies: str = CROWN_JEWEL
    control_step: str = ""
    peers: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    fixers: dict[str, Fixer] = field(default_factory=dict, compare=False, hash=False)

    def applies_to(self, asset: Asset) -> bool:
        """Whether the asset's kind and provider are in this rule's scope."""
        return asset.kind in self.kinds and (self.providers is None or asset.provider in self.providers)


RULES: dict[str, Rule] = {}
_PENDING_FIXERS: dict[str, dict[str, Fixer]] = {}


def rule(
    id: str,
    *,
    kind: Kind | Iterable[Kind],
    severity: Severity,
    title: str,
    message: str,
    remediation: str,
    atlas: Iterable[str] = (),
    attack: Iterable[str] = (),
    frameworks: Mapping[str, Iterable[str]] | None = None,
    providers: Iterable[str] | None = None,
    requires: Iterable[str] = (),
    applies: str = CROWN_JEWEL,
    control_step: str = "",
    peers: Mapping[str, Iterable[str]] | None = None,
) -> Callable[[Predicate], Predicate]:
    """Register a rule. Its docstring is its description: what fails and why it matters."""
    if not _ID.match(id):
        raise ValueError(f"rule id {id!r} must read as words: 'theme.bad-state'")
    if applies not in (CROWN_JEWEL, ALL):
        raise ValueError(f"rule {id}: applies must be {CROWN_JEWEL!r} or {ALL!r}")
    refs: dict[str, tuple[str, ...]] = {}
    if atlas:
        refs["atlas"] = tuple(atlas)
    if attack:
        refs["attack"] = tuple(attack)
    for key, ids in (frameworks or {}).items():
        refs[key] = tuple(ids)

    def register(fn: Predicate) -> Predicate:
        if id in RULES:
            raise ValueError(f"duplicate rule id {id!r}")
        _validate_frameworks(id, refs)
        doc = " ".join((fn.__doc__ or "").split())
        if not doc:
            raise ValueError(f"rule {id} needs a docstring saying what fails and why it matters")
        kinds = (kind,) if isinstance(kind, Kind) else tuple(kind)
        RULES[id] = Rule(
            id=id, kinds=kinds, severity=severity, title=title, message=message,
            remediation=remediation, description=doc, check=fn,
            frameworks=MappingProxyType(refs),
            providers=tuple(providers) if providers else None,
            requires=tuple(requires), applies=applies, control_step=control_step,
            peers=MappingProxyType({k: tuple(v) for k, v in (peers or {}).items()}),
            fixers=_PENDING_FIXERS.pop(id, {}),
        )
        return fn

    return register


def fixer(rule_id: str, *native_types: str) -> Callable[[Fixer], Fixer]:
    """Register a Terraform fix generator of `rule_id` for assets of these native types."""

    def register(fn: Fixer) -> Fixer:
        target = RULES[rule_id].fixers if rule_id in RULES else _PENDING_FIXERS.setdefault(rule_id, {})
        for native in native_types:
            if native in target:
                raise ValueError(f"duplicate fixer for {rule_id} on {native}")
            target[native] = fn
        return fn

    return register


def attr_is(key: str, expected: Any, evidence: str | None = None) -> Predicate:
    """The one-line case: the asset passes when attribute `key` equals `expected`."""

    def check(asset: Asset, ctx: EvalContext) -> Outcome:
        value = asset.get(key)
        if value == expected:
            return True
        return Fail.because(evidence or f"{key} is {value!r}, expected {expected!r}")

    return check


def _validate_frameworks(rule_id: str, refs: Mapping[str, tuple[str, ...]]) -> None:
    from crownjewel.catalog.frameworks import validate_refs

    try:
        validate_refs(refs)
    except ValueError as exc:
        raise ValueError(f"rule {rule_id}: {exc}") from None


def load_rules() -> Mapping[str, Rule]:
    """Import every rule and fixer module once and return the registry."""
    import importlib
    import pkgutil

    import crownjewel.rules as pkg
    import crownjewel.rules.fixes as fixes_pkg

    for pkg_obj in (pkg, fixes_pkg):
        for info in pkgutil.iter_modules(pkg_obj.__path__):
            if info.name.startswith("_") or info.name in _NOT_RULE_MODULES:
                continue
            importlib.import_module(f"{pkg_obj.__name__}.{info.name}")
    if _PENDING_FIXERS:
        raise ValueError(f"fixers registered for unknown rules: {sorted(_PENDING_FIXERS)}")
    return RULES


_NOT_RULE_MODULES = {"registry", "engine", "hcl_edit", "fixes", "examples"}
