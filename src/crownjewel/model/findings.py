"""Findings: the tri-state outcome of one rule on one asset."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from crownjewel.model.assets import EMPTY, Asset


class Status(StrEnum):
    """PASS, FAIL, or UNKNOWN when the data needed to decide was not seen."""

    PASS = "PASS"
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"


class Severity(StrEnum):
    """Severities, ordered by `rank`."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for info up to 4 for critical."""
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Case-insensitive parse; raises ValueError naming the valid values."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(
                f"unknown severity {text!r}; expected one of {', '.join(s.value for s in cls)}"
            ) from None


_RANK = {s: i for i, s in enumerate(Severity)}


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace lines `start..end` (1-based, inclusive) of `file`; `start=None` appends."""

    file: str
    replacement: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Fix:
    """A Terraform fix: the text shown to people and the edits that apply it to the source."""

    terraform: str
    edits: tuple[TextEdit, ...] = ()


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a failing finding is accepted, and by whom (inline comment or suppressions file)."""

    reason: str
    by: str  # "inline" | "file"
    owner: str | None = None
    expires: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """The outcome of one rule on one asset."""

    rule_id: str
    status: Status
    severity: Severity
    title: str
    message: str
    asset: Asset
    evidence: tuple[str, ...] = ()
    remediation: str = ""
    fix: Fix | None = None
    frameworks: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: EMPTY)
    crown_jewel: tuple[str, ...] = ()  # why the asset counts as a crown jewel
    suppressed: Suppression | None = None
    details: Mapping[str, Any] = field(default_factory=lambda: EMPTY)

    @property
    def counts(self) -> bool:
        """Whether this finding counts against the exit code: a failure not suppressed."""
        return self.status is Status.FAIL and self.suppressed is None
