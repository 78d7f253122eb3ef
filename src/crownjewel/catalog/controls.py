"""Control catalogue: the control card(s) crownjewel implements, as validated, immutable data.

Each ``controls/<id>.toml`` file next to this module is one control. Files are read on first use
and cached. Loading is strict: unknown or missing keys, empty sections, duplicate ids and framework
ids absent from the framework catalogue are all errors that name the file.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from crownjewel.catalog.frameworks import CatalogError, UnknownFrameworkRef, validate_refs

__all__ = [
    "AuditQuestion",
    "Capability",
    "Control",
    "CostFigure",
    "CostOfNonCompliance",
    "CrossReference",
    "Detection",
    "EffortEstimate",
    "IacFix",
    "RemediationStep",
    "UnknownControl",
    "controls",
    "get_control",
    "parse_control",
]

_PACKAGE = __name__.rpartition(".")[0]
_DIRECTORY = "controls"

FrameworkRefs = Mapping[str, tuple[str, ...]]


class UnknownControl(KeyError):
    """No control with the requested id exists in the catalogue."""

    def __str__(self) -> str:
        # KeyError's default __str__ repr()s the message, quoting it; show it as written.
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True, slots=True)
class Capability:
    """One way crownjewel detects the control's condition (scan, graph, logs, evidence, watch)."""

    id: str
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Detection:
    """How crownjewel detects violations of the control."""

    summary: str
    capabilities: tuple[Capability, ...]


@dataclass(frozen=True, slots=True)
class RemediationStep:
    """One remediation sentence of the card, with a stable id rules and reports refer to."""

    id: str
    text: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class CostFigure:
    """A cost figure with its source as attributed on the card (empty when the card gives none)."""

    label: str
    value: str
    source: str = ""


@dataclass(frozen=True, slots=True)
class CostOfNonCompliance:
    """The card's cost-of-non-compliance statement and its individual figures."""

    summary: str
    figures: tuple[CostFigure, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class AuditQuestion:
    """An auditor's question, and the evidence crownjewel collects to answer it."""

    id: str
    text: str
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class IacFix:
    """Infrastructure-as-code that brings a deployment into line with the control."""

    language: str
    provider: str
    description: str
    code: str


@dataclass(frozen=True, slots=True)
class EffortEstimate:
    """How long implementing the control typically takes, and what the work consists of."""

    summary: str
    weeks_min: int
    weeks_max: int
    workstreams: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CrossReference:
    """Equivalent ids across frameworks for one part of the control (a crosswalk row)."""

    topic: str
    refs: FrameworkRefs
    remediation: str = ""


@dataclass(frozen=True, slots=True)
class Control:
    """A security control card: what it protects against, how to fix it, how to prove it."""

    id: str
    title: str
    severity: str
    description: str
    risk_impact: str
    detection: Detection
    remediation: tuple[RemediationStep, ...]
    attack_scenario: str
    cost_of_non_compliance: CostOfNonCompliance
    audit_questions: tuple[AuditQuestion, ...]
    frameworks: FrameworkRefs
    iac_fix: IacFix
    common_pitfalls: tuple[str, ...]
    business_value: str
    effort_estimate: EffortEstimate
    cross_framework_references: tuple[CrossReference, ...]

    def remediation_step(self, step_id: str) -> RemediationStep:
        """Return the remediation step with ``step_id``; raise KeyError naming the known ids."""
        for step in self.remediation:
            if step.id == step_id:
                return step
        known = ", ".join(s.id for s in self.remediation)
        raise KeyError(f"control {self.id!r} has no remediation step {step_id!r}; known: {known}")


# ---------------------------------------------------------------------------------------------
# Parsing: small strict readers so every error names the file and the key path.


class _Reader:
    """Reads one TOML table, tracking which keys were consumed so leftovers can be rejected."""

    def __init__(self, table: Any, where: str) -> None:
        if not isinstance(table, Mapping):
            raise CatalogError(f"{where}: expected a table")
        self.table = table
        self.where = where
        self.seen: set[str] = set()

    def _get(self, key: str, required: bool) -> Any:
        self.seen.add(key)
        if key not in self.table:
            if required:
                raise CatalogError(f"{self.where}: missing required key '{key}'")
            return None
        return self.table[key]

    def text(self, key: str, required: bool = True) -> str:
        value = self._get(key, required)
        if value is None:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise CatalogError(f"{self.where}.{key}: must be a non-empty string")
        # Prose is wrapped in the TOML file for readability; the catalogue holds it unwrapped.
        return " ".join(value.split())

    def block(self, key: str) -> str:
        """A string whose line structure matters (code): kept verbatim, trailing newline ensured."""
        value = self._get(key, True)
        if not isinstance(value, str) or not value.strip():
            raise CatalogError(f"{self.where}.{key}: must be a non-empty string")
        return value.strip("\n") + "\n"

    def integer(self, key: str) -> int:
        value = self._get(key, True)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise CatalogError(f"{self.where}.{key}: must be a non-negative integer")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self._get(key, True)
        if not isinstance(value, list) or not value:
            raise CatalogError(f"{self.where}.{key}: must be a non-empty list of strings")
        if not all(isinstance(v, str) and v.strip() for v in value):
            raise CatalogError(f"{self.where}.{key}: every item must be a non-empty string")
        return tuple(" ".join(v.split()) for v in value)

    def sub(self, key: str) -> _Reader:
        return _Reader(self._get(key, True), f"{self.where}.{key}")

    def subs(self, key: str) -> list[_Reader]:
        value = self._get(key, True)
        if not isinstance(value, list) or not value:
            raise CatalogError(f"{self.where}.{key}: must be a non-empty array of tables")
        return [_Reader(item, f"{self.where}.{key}[{i}]") for i, item in enumerate(value)]

    def refs(self, key: str) -> FrameworkRefs:
        reader = self.sub(key)
        result: dict[str, tuple[str, ...]] = {}
        for framework in reader.table:
            ids = reader.strings(framework)
            if len(set(ids)) != len(ids):
                raise CatalogError(f"{reader.where}.{framework}: duplicate ids")
            result[framework] = ids
        reader.done()
        try:
            validate_refs(result)
        except UnknownFrameworkRef as exc:  # say which file and table cite the bad id
            raise UnknownFrameworkRef(f"{reader.where}: {exc}", exc.problems) from exc
        return MappingProxyType(result)

    def done(self) -> None:
        unknown = sorted(set(self.table) - self.seen)
        if unknown:
            raise CatalogError(f"{self.where}: unknown key(s) {', '.join(unknown)}")


def _unique_ids(items: tuple[Any, ...], where: str) -> None:
    ids = [item.id for item in items]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise CatalogError(f"{where}: duplicate id(s) {', '.join(duplicates)}")


def parse_control(data: Mapping[str, Any], source: str) -> Control:
    """Build a :class:`Control` from parsed TOML, validating structure and framework refs.

    ``source`` names the file in error messages. Raises :class:`CatalogError` for malformed data
    and :class:`UnknownFrameworkRef` for framework ids missing from the framework catalogue.
    """
    top = _Reader(data, source)

    det = top.sub("detection")
    capabilities = []
    for cap in det.subs("capabilities"):
        capabilities.append(Capability(cap.text("id"), cap.text("name"), cap.text("text")))
        cap.done()
    detection = Detection(det.text("summary"), tuple(capabilities))
    det.done()
    _unique_ids(detection.capabilities, f"{source}: detection.capabilities")

    remediation = []
    for step in top.subs("remediation"):
        remediation.append(RemediationStep(step.text("id"), step.text("text"), step.text("detail")))
        step.done()
    _unique_ids(tuple(remediation), f"{source}: remediation")

    cost_reader = top.sub("cost_of_non_compliance")
    figures = []
    for fig in cost_reader.subs("figures"):
        figures.append(
            CostFigure(fig.text("label"), fig.text("value"), fig.text("source", required=False))
        )
        fig.done()
    cost = CostOfNonCompliance(
        cost_reader.text("summary"), tuple(figures), cost_reader.text("note", required=False)
    )
    cost_reader.done()

    questions = []
    for q in top.subs("audit_questions"):
        questions.append(AuditQuestion(q.text("id"), q.text("text"), q.text("evidence")))
        q.done()
    _unique_ids(tuple(questions), f"{source}: audit_questions")

    iac = top.sub("iac_fix")
    iac_fix = IacFix(iac.text("language"), iac.text("provider"), iac.text("description"),
                     iac.block("code"))
    iac.done()

    eff = top.sub("effort_estimate")
    effort = EffortEstimate(
        eff.text("summary"), eff.integer("weeks_min"), eff.integer("weeks_max"),
        eff.strings("workstreams"),
    )
    eff.done()
    if effort.weeks_min > effort.weeks_max:
        raise CatalogError(f"{source}: effort_estimate.weeks_min exceeds weeks_max")

    mapping = top.refs("frameworks")
    step_ids = {step.id for step in remediation}
    crosswalk = []
    for row in top.subs("cross_framework_references"):
        ref = CrossReference(row.text("topic"), row.refs("refs"),
                             row.text("remediation", required=False))
        row.done()
        if ref.remediation and ref.remediation not in step_ids:
            raise CatalogError(
                f"{row.where}.remediation: unknown step {ref.remediation!r}; "
                f"known: {', '.join(sorted(step_ids))}"
            )
        # A crosswalk may only cite what the control itself maps to, so the two cannot drift.
        for framework, ids in ref.refs.items():
            missing = [i for i in ids if i not in mapping.get(framework, ())]
            if missing:
                raise CatalogError(
                    f"{row.where}.refs.{framework}: {', '.join(missing)} not in the control's "
                    f"[frameworks] mapping"
                )
        crosswalk.append(ref)

    control = Control(
        id=top.text("id"),
        title=top.text("title"),
        severity=top.text("severity"),
        description=top.text("description"),
        risk_impact=top.text("risk_impact"),
        detection=detection,
        remediation=tuple(remediation),
        attack_scenario=top.text("attack_scenario"),
        cost_of_non_compliance=cost,
        audit_questions=tuple(questions),
        frameworks=mapping,
        iac_fix=iac_fix,
        common_pitfalls=top.strings("common_pitfalls"),
        business_value=top.text("business_value"),
        effort_estimate=effort,
        cross_framework_references=tuple(crosswalk),
    )
    top.done()
    if control.severity not in {"critical", "high", "medium", "low", "info"}:
        raise CatalogError(f"{source}.severity: unknown severity {control.severity!r}")
    return control


@cache
def controls() -> Mapping[str, Control]:
    """Return every control in the catalogue keyed by id, loading and validating on first call."""
    import tomllib  # deferred: importing the catalogue should not pay for the parser
    from importlib import resources

    directory = resources.files(_PACKAGE).joinpath(_DIRECTORY)
    found: dict[str, Control] = {}
    for path in sorted(directory.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".toml"):
            continue
        source = f"{_DIRECTORY}/{path.name}"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise CatalogError(f"{source}: {exc}") from exc
        control = parse_control(data, source)
        if control.id != path.name.removesuffix(".toml"):
            raise CatalogError(f"{source}: id {control.id!r} does not match the file name")
        found[control.id] = control
    return MappingProxyType(found)


def get_control(id: str) -> Control:
    """Return the control with ``id``; raise :class:`UnknownControl` listing the known ids."""
    catalogue = controls()
    try:
        return catalogue[id]
    except KeyError:
        known = ", ".join(sorted(catalogue)) or "(none)"
        raise UnknownControl(f"unknown control {id!r}; known controls: {known}") from None


def __getattr__(name: str) -> Any:
    # ``CONTROLS`` reads like a constant but is loaded on first access, not at import.
    if name == "CONTROLS":
        return controls()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
