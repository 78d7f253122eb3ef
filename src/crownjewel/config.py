"""The validated configuration file: crown jewels, scope, thresholds, suppressions.

Untrusted input enters here, so it is parsed with pydantic, unknown keys are errors, and every
error names the file and the key (and the line, when YAML can tell).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class ConfigError(ValueError):
    """A configuration or suppressions file that cannot be used; the message names file and key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SuppressionEntry(_Strict):
    """Accept one finding (or a pattern of them) until `expires`, with an owner and a reason."""

    rule: str = Field(description="rule id or fnmatch pattern")
    asset: str = Field(default="*", description="asset id or name, fnmatch pattern")
    reason: str = Field(min_length=3)
    owner: str | None = None
    expires: dt.date | None = None

    def expired(self, today: dt.date | None = None) -> bool:
        """Whether the entry no longer applies."""
        return self.expires is not None and self.expires < (today or dt.date.today())


class ThresholdsConfig(_Strict):
    """Limits the rules read."""

    max_rotation_days: int = Field(default=90, ge=1, le=3650)


class Config(_Strict):
    """The whole configuration file."""

    crown_jewels: tuple[str, ...] = ()
    out_of_scope: tuple[str, ...] = ()
    org_domains: tuple[str, ...] = ()
    thresholds: ThresholdsConfig = ThresholdsConfig()
    severity_threshold: str | None = None
    suppressions: tuple[SuppressionEntry, ...] = ()

    @field_validator("severity_threshold")
    @classmethod
    def _severity(cls, value: str | None) -> str | None:
        from crownjewel.model.findings import Severity

        return None if value is None else Severity.parse(value).value


def _read_yaml(path: Path) -> Any:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read: {err}") from None
    try:
        return yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ConfigError(f"{where}: invalid YAML: {getattr(err, 'problem', err)}") from None


def _errors(path: Path, err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(top level)"
        parts.append(f"{path}: {loc}: {e['msg']}")
    return "\n".join(parts)


def load_config(path: str | Path | None) -> Config:
    """Load and validate a config file; None gives the defaults."""
    if path is None:
        return Config()
    path = Path(path)
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    try:
        return Config.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_errors(path, err)) from None


def load_suppressions(path: str | Path) -> tuple[SuppressionEntry, ...]:
    """A suppressions file: a YAML list of entries, or a mapping with a `suppressions` list."""
    path = Path(path)
    data = _read_yaml(path)
    if isinstance(data, dict) and set(data) == {"suppressions"}:
        data = data["suppressions"]
    if not isinstance(data, list):
        raise ConfigError(f"{path}: expected a list of suppressions")
    entries = []
    for i, item in enumerate(data):
        try:
            entries.append(SuppressionEntry.model_validate(item))
        except ValidationError as err:
            raise ConfigError(_errors(path, err).replace(f"{path}: ", f"{path}: [{i}].")) from None
    return tuple(entries)
