"""The validated configuration file: crown jewels, scope, thresholds, suppressions.

Untrusted input enters here. The settings are plain frozen dataclasses; pydantic validates a file
against them (unknown keys are errors, every error names the file and the key) and is imported
only when a file is read, so a scan without one starts faster.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import annotated_types as at

# pydantic reads this from stdlib dataclasses: reject unknown keys.
_STRICT = {"extra": "forbid"}


class ConfigError(ValueError):
    """A configuration or suppressions file that cannot be used; the message names file and key."""


@dataclass(frozen=True, slots=True)
class SuppressionEntry:
    """Accept one finding (or a pattern of them) until `expires`, with an owner and a reason."""

    __pydantic_config__ = _STRICT

    rule: str  # rule id or fnmatch pattern
    reason: Annotated[str, at.MinLen(3)]
    asset: str = "*"  # asset id or name, fnmatch pattern
    owner: str | None = None
    expires: dt.date | None = None

    def expired(self, today: dt.date | None = None) -> bool:
        """Whether the entry no longer applies."""
        return self.expires is not None and self.expires < (today or dt.date.today())


@dataclass(frozen=True, slots=True)
class ThresholdsConfig:
    """Limits the rules read."""

    __pydantic_config__ = _STRICT

    max_rotation_days: Annotated[int, at.Ge(1), at.Le(3650)] = 90


def is_a_region(value: str) -> bool:
    """AWS region names look like eu-west-1 or us-gov-west-1."""
    import re

    return re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d{1,2}", value) is not None


def is_an_arn(value: str) -> bool:
    """Role ARNs look like arn:aws:iam::123456789012:role/name."""
    return value.startswith("arn:") and value.count(":") >= 5


@dataclass(frozen=True, slots=True)
class AwsAccount:
    """One AWS account to scan live: a profile and/or a role to assume, and regions."""

    __pydantic_config__ = _STRICT

    name: str | None = None
    profile: str | None = None
    role_arn: Annotated[str, at.Predicate(is_an_arn)] | None = None
    external_id: str | None = None
    regions: tuple[Annotated[str, at.Predicate(is_a_region)], ...] | None = None


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration file."""

    __pydantic_config__ = _STRICT

    crown_jewels: tuple[str, ...] = ()
    out_of_scope: tuple[str, ...] = ()
    org_domains: tuple[str, ...] = ()
    thresholds: ThresholdsConfig = field(default_factory=ThresholdsConfig)
    severity_threshold: str | None = None
    suppressions: tuple[SuppressionEntry, ...] = ()
    aws_accounts: tuple[AwsAccount, ...] = ()  # scanned when `crownjewel scan` is given no target


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


def _errors(path: Path, err: Any) -> str:
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
    from pydantic import TypeAdapter, ValidationError

    try:
        config = TypeAdapter(Config).validate_python(data)
    except ValidationError as err:
        raise ConfigError(_errors(path, err)) from None
    if config.severity_threshold is not None:
        from crownjewel.model.findings import Severity

        try:
            Severity.parse(config.severity_threshold)
        except ValueError as err:
            raise ConfigError(f"{path}: severity_threshold: {err}") from None
    return config


def load_suppressions(path: str | Path) -> tuple[SuppressionEntry, ...]:
    """A suppressions file: a YAML list of entries, or a mapping with a `suppressions` list."""
    path = Path(path)
    data = _read_yaml(path)
    if isinstance(data, dict) and set(data) == {"suppressions"}:
        data = data["suppressions"]
    if not isinstance(data, list):
        raise ConfigError(f"{path}: expected a list of suppressions")
    from pydantic import TypeAdapter, ValidationError

    adapter = TypeAdapter(SuppressionEntry)
    entries = []
    for i, item in enumerate(data):
        try:
            entries.append(adapter.validate_python(item))
        except ValidationError as err:
            raise ConfigError(_errors(path, err).replace(f"{path}: ", f"{path}: [{i}].")) from None
    return tuple(entries)
