"""SARIF 2.1.0 reporter for GitHub code scanning and other SARIF consumers.

The reporter is a pure function over the JSON report dict (the one the JSON reporter writes):
``to_sarif(report)`` returns the SARIF log as a dict, ``write_sarif`` serialises it.

Choices worth knowing (each follows SARIF 2.1.0 errata01 or GitHub code scanning's documented
behaviour):

* Only FAIL and UNKNOWN findings become results; a PASS is not a result a reviewer should see.
* UNKNOWN is ``kind: "review"`` with ``level: "none"``: SARIF section 3.27.9 says a result whose
  ``level`` is anything but ``"none"`` must have ``kind: "fail"``, so "needs a human look" cannot
  be a note or a warning. It still shows in GitHub, and keeps the rule's ``security-severity``.
* Every result has a physical location. GitHub rejects the whole upload when a result has no
  location or only a logical one, so a finding without a source file (a live cloud asset) points
  at a stable pseudo-path naming the asset (``<provider>/<account>/<asset id>``) and carries the
  asset as a logical location too.
* The Terraform fix goes into ``result.properties.fix``: a SARIF ``fix`` needs byte-exact
  replacements of regions of the scanned file, and the reporter only has the corrected text.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import IO, Any
from urllib.parse import quote

__all__ = [
    "FINGERPRINT_KEY",
    "SARIF_SCHEMA_URI",
    "SARIF_VERSION",
    "SECURITY_SEVERITY",
    "SRCROOT",
    "fingerprint",
    "to_sarif",
    "write_sarif",
]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
# Versioned hierarchical key (SARIF 3.27.17): bump the version if the hashed inputs ever change,
# so consumers do not match old and new fingerprints by accident.
FINGERPRINT_KEY = "crownjewel/v1"

# GitHub maps security-severity to critical (>= 9.0), high (7.0-8.9), medium (4.0-6.9), low.
SECURITY_SEVERITY: Mapping[str, str] = {
    "critical": "9.5",
    "high": "8.0",
    "medium": "5.5",
    "low": "3.0",
    "info": "0.0",
}
_FAIL_LEVEL: Mapping[str, str] = {
    "critical": "error",
    "high": "error",
    "medium": "warning",
    "low": "note",
    "info": "note",
}
_FRAMEWORK_TAG: Mapping[str, str] = {
    "atlas": "MITRE-ATLAS",
    "attack": "MITRE-ATTACK",
    "nist-800-53": "NIST-800-53",
}
_SUPPRESSION_KIND: Mapping[str, str] = {"inline": "inSource", "file": "external"}
_DEFAULT_PRECISION = "high"
_PRECISIONS = frozenset({"very-high", "high", "medium", "low"})
# RFC 3986 pchar minus the percent sign: kept as-is inside path segments.
_PCHAR_SAFE = "!$&'()*+,;=:@"


def to_sarif(report: Mapping[str, Any]) -> dict[str, Any]:
    """Convert a crownjewel JSON report dict into a SARIF 2.1.0 log with one run.

    Rules become ``tool.driver.rules`` (with GitHub's ``security-severity``, ``precision`` and
    framework tags); FAIL and UNKNOWN findings become results, PASS findings are left out.
    Source files are made relative to ``report["base_dir"]`` under ``%SRCROOT%`` when they lie
    below it. The input is not modified.
    """
    base_dir = _base_dir(report.get("base_dir"))
    rules, index_of = _rule_table(report.get("rules") or ())
    results: list[dict[str, Any]] = []
    for finding in report.get("findings") or ():
        status = str(finding.get("status", "")).upper()
        if status not in ("FAIL", "UNKNOWN"):
            continue
        rule_id = str(finding.get("rule_id") or "unknown")
        if rule_id not in index_of:
            # A finding whose rule is missing from the table still needs a valid ruleIndex.
            index_of[rule_id] = len(rules)
            rules.append(_rule_descriptor(_rule_from_finding(rule_id, finding)))
        results.append(_result(finding, status, rule_id, index_of[rule_id], base_dir))

    tool = report.get("tool") or {}
    driver: dict[str, Any] = {"name": str(tool.get("name") or "crownjewel")}
    version = tool.get("version")
    if version:
        driver["version"] = str(version)
        driver["semanticVersion"] = str(version)
    if tool.get("information_uri"):
        driver["informationUri"] = str(tool["information_uri"])
    driver["rules"] = rules

    run: dict[str, Any] = {"tool": {"driver": driver}}
    if base_dir is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": _dir_uri(base_dir)}}
    run["invocations"] = [_invocation(report.get("gaps") or ())]
    run["results"] = results
    summary = report.get("summary")
    if summary:
        run["properties"] = {"summary": _jsonable(summary)}
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def write_sarif(
    report: Mapping[str, Any], path_or_stream: str | os.PathLike[str] | IO[Any]
) -> None:
    """Write ``to_sarif(report)`` as UTF-8 JSON to a file path or an open text or binary stream."""
    text = json.dumps(to_sarif(report), indent=2, ensure_ascii=False) + "\n"
    if isinstance(path_or_stream, (str, os.PathLike)):
        with open(path_or_stream, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        return
    try:
        path_or_stream.write(text)
    except TypeError:  # a binary stream
        path_or_stream.write(text.encode("utf-8"))


# --- rules ---------------------------------------------------------------------------------


def _rule_table(
    raw_rules: Iterable[Mapping[str, Any]],
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    rules: list[dict[str, Any]] = []
    index_of: dict[str, int] = {}
    for rule in raw_rules:
        rule_id = str(rule.get("id") or "")
        if not rule_id or rule_id in index_of:
            continue
        index_of[rule_id] = len(rules)
        rules.append(_rule_descriptor(rule))
    return rules, index_of


def _rule_from_finding(rule_id: str, finding: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": rule_id,
        "title": finding.get("title"),
        "description": finding.get("title"),
        "severity": finding.get("severity"),
        "remediation": finding.get("remediation"),
        "frameworks": finding.get("frameworks"),
        "help_uri": None,
    }


def _rule_descriptor(rule: Mapping[str, Any]) -> dict[str, Any]:
    rule_id = str(rule["id"])
    severity = str(rule.get("severity") or "").lower()
    title = _text(rule.get("title"), rule_id)
    description = _text(rule.get("description"), title)
    remediation = _text(rule.get("remediation"), "")
    frameworks = _frameworks(rule.get("frameworks"))
    help_uri = rule.get("help_uri")

    descriptor: dict[str, Any] = {
        "id": rule_id,
        "name": _camel(rule_id),
        "shortDescription": {"text": title},
        "fullDescription": {"text": description},
        "help": {
            "text": _help_text(description, remediation, frameworks, help_uri),
            "markdown": _help_markdown(description, remediation, frameworks, help_uri),
        },
        "defaultConfiguration": {"level": _FAIL_LEVEL.get(severity, "warning")},
    }
    if help_uri:
        descriptor["helpUri"] = str(help_uri)
    # "security" is what makes GitHub treat the rule as a security query and read
    # security-severity; the framework ids become filterable tags.
    tags = [
        "security",
        *(_framework_tag(fw, ident) for fw, idents in frameworks for ident in idents),
    ]
    properties: dict[str, Any] = {"tags": list(dict.fromkeys(tags))}
    if severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[severity]
        properties["severity"] = severity
    precision = rule.get("precision")
    properties["precision"] = precision if precision in _PRECISIONS else _DEFAULT_PRECISION
    descriptor["properties"] = properties
    return descriptor


def _frameworks(raw: Any) -> list[tuple[str, list[str]]]:
    if not isinstance(raw, Mapping):
        return []
    out: list[tuple[str, list[str]]] = []
    for name, idents in raw.items():
        if isinstance(idents, str):
            idents = [idents]
        values = [str(i) for i in idents or () if str(i)]
        if values:
            out.append((str(name), values))
    return out


def _framework_tag(framework: str, ident: str) -> str:
    return f"{_FRAMEWORK_TAG.get(framework, framework.upper())}/{ident}"


def _help_text(
    description: str, remediation: str, frameworks: list[tuple[str, list[str]]], help_uri: Any
) -> str:
    parts = [description]
    if remediation:
        parts.append(f"Remediation: {remediation}")
    if frameworks:
        parts.append(
            "Frameworks: "
            + "; ".join(
                f"{_FRAMEWORK_TAG.get(fw, fw.upper())} {', '.join(ids)}" for fw, ids in frameworks
            )
        )
    if help_uri:
        parts.append(f"More: {help_uri}")
    return "\n\n".join(parts)


def _help_markdown(
    description: str, remediation: str, frameworks: list[tuple[str, list[str]]], help_uri: Any
) -> str:
    parts = [description]
    if remediation:
        parts.append(f"## Remediation\n\n{remediation}")
    if frameworks:
        lines = [
            f"- **{_FRAMEWORK_TAG.get(fw, fw.upper())}**: {', '.join(ids)}"
            for fw, ids in frameworks
        ]
        parts.append("## Framework mappings\n\n" + "\n".join(lines))
    if help_uri:
        parts.append(f"[More information]({help_uri})")
    return "\n\n".join(parts)


def _camel(rule_id: str) -> str:
    words = [
        w for w in rule_id.replace(".", "-").replace("_", "-").replace("/", "-").split("-") if w
    ]
    return "".join(w[:1].upper() + w[1:] for w in words) or "Rule"


# --- results -------------------------------------------------------------------------------


def _result(
    finding: Mapping[str, Any],
    status: str,
    rule_id: str,
    rule_index: int,
    base_dir: PurePath | None,
) -> dict[str, Any]:
    severity = str(finding.get("severity") or "").lower()
    asset = finding.get("asset") or {}
    asset_id = str(asset.get("id") or "")
    message = _text(finding.get("message"), _text(finding.get("title"), rule_id))

    result: dict[str, Any] = {"ruleId": rule_id, "ruleIndex": rule_index}
    if status == "FAIL":
        result["kind"] = "fail"
        result["level"] = _FAIL_LEVEL.get(severity, "warning")
    else:
        # UNKNOWN: the scanner could not see enough to decide. SARIF 3.27.9 allows a non-"fail"
        # kind only with level "none", and "review" is its kind for "a human must look".
        result["kind"] = "review"
        result["level"] = "none"
    result["message"] = {"text": message}
    result["locations"] = [_location(asset, base_dir)]
    result["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint(rule_id, asset_id)}

    suppressed = finding.get("suppressed")
    if isinstance(suppressed, Mapping):
        suppression: dict[str, Any] = {
            "kind": _SUPPRESSION_KIND.get(str(suppressed.get("by") or ""), "external"),
            # The suppression is in force: crownjewel applied it from the user's own config.
            "status": "accepted",
        }
        if suppressed.get("reason"):
            suppression["justification"] = str(suppressed["reason"])
        result["suppressions"] = [suppression]

    # The finding's own severity (raised on crown jewels), beside the rule's default one.
    properties: dict[str, Any] = {"status": status, "severity": severity}
    if severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[severity]
    if severity:
        properties["severity"] = severity
    if finding.get("title"):
        properties["title"] = str(finding["title"])
    properties["asset"] = {
        key: _jsonable(asset.get(key)) for key in ("id", "kind", "provider", "account", "name")
    }
    if finding.get("evidence"):
        properties["evidence"] = [str(e) for e in finding["evidence"]]
    if finding.get("remediation"):
        properties["remediation"] = str(finding["remediation"])
    if finding.get("fix"):
        properties["fix"] = str(finding["fix"])
    if finding.get("frameworks"):
        properties["frameworks"] = _jsonable(finding["frameworks"])
    result["properties"] = properties
    return result


def fingerprint(rule_id: str, asset_id: str) -> str:
    """Stable hash of a finding's identity (rule and asset), independent of file and line."""
    return hashlib.sha256(f"{rule_id}\x00{asset_id}".encode()).hexdigest()


def _location(asset: Mapping[str, Any], base_dir: PurePath | None) -> dict[str, Any]:
    asset_id = str(asset.get("id") or "")
    logical: dict[str, Any] = {"fullyQualifiedName": asset_id or "unknown"}
    if asset.get("name"):
        logical["name"] = str(asset["name"])
    if asset.get("kind"):
        logical["kind"] = str(asset["kind"])
    source = asset.get("source")
    physical: dict[str, Any]
    if isinstance(source, Mapping) and source.get("file"):
        physical = {"artifactLocation": _artifact_location(str(source["file"]), base_dir)}
        region = _region(source.get("line"), source.get("end_line"))
        if region:
            physical["region"] = region
    else:
        physical = {"artifactLocation": _asset_artifact_location(asset)}
    return {"physicalLocation": physical, "logicalLocations": [logical]}


def _region(line: Any, end_line: Any) -> dict[str, int] | None:
    if not isinstance(line, int) or isinstance(line, bool) or line < 1:
        return None
    region = {"startLine": line}
    if isinstance(end_line, int) and not isinstance(end_line, bool) and end_line >= line:
        region["endLine"] = end_line
    return region


def _artifact_location(file: str, base_dir: PurePath | None) -> dict[str, Any]:
    path = PurePath(file)
    if base_dir is not None:
        absolute = path if path.is_absolute() else base_dir / path
        relative = _relative_to(absolute, base_dir)
        if relative is not None:
            return {"uri": _quote_path(relative), "uriBaseId": SRCROOT}
        return {"uri": _file_uri(absolute)}
    if path.is_absolute():
        return {"uri": _file_uri(path)}
    # No base known: a relative path is relative to the repository root for GitHub.
    return {"uri": _quote_path(posixpath.normpath(path.as_posix()))}


def _asset_artifact_location(asset: Mapping[str, Any]) -> dict[str, Any]:
    """A stable pseudo-artifact for an asset with no source file (GitHub needs a physical one)."""
    raw_id = str(asset.get("id") or "unknown")
    asset_id = raw_id.lstrip("/") or "unknown"
    segments = [quote(str(asset.get("provider") or "unknown"), safe="")]
    if asset.get("account"):
        segments.append(quote(str(asset["account"]).strip("/"), safe=_PCHAR_SAFE + "/"))
    segments.append(quote(asset_id, safe=_PCHAR_SAFE + "/"))
    return {
        "uri": "/".join(segments),
        "description": {"text": f"Cloud asset {raw_id} (no source file)"},
    }


def _relative_to(path: PurePath, base: PurePath) -> str | None:
    normalized = PurePath(os.path.normpath(path))
    try:
        relative = normalized.relative_to(base)
    except ValueError:
        return None
    text = relative.as_posix()
    return None if text in ("", ".") else text


def _quote_path(posix_path: str) -> str:
    # Colons are escaped too, so a first segment like "c:x.tf" cannot read as a URI scheme.
    return quote(posix_path, safe="/")


def _file_uri(path: PurePath) -> str:
    return PurePath(os.path.normpath(path)).as_uri()


def _dir_uri(path: PurePath) -> str:
    uri = path.as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _base_dir(raw: Any) -> PurePath | None:
    if not raw:
        return None
    path = PurePath(os.path.normpath(str(raw)))
    # The contract says absolute; a relative one is anchored at the working directory.
    return path if path.is_absolute() else PurePath(os.path.abspath(path))


# --- invocation and helpers ----------------------------------------------------------------


def _invocation(gaps: Iterable[Any]) -> dict[str, Any]:
    """Collection gaps (what the scanner could not read) as tool execution notifications."""
    notifications: list[dict[str, Any]] = []
    for gap in gaps:
        if not isinstance(gap, Mapping):
            continue
        asset = gap.get("asset")
        asset_id = str(asset.get("id") or "") if isinstance(asset, Mapping) else str(asset or "")
        what = _text(gap.get("what"), "data")
        reason = _text(gap.get("reason"), "unknown reason")
        text = f"Could not read {what}" + (f" of {asset_id}" if asset_id else "") + f": {reason}"
        # No location: GitHub insists on physical locations, and the asset id is in the text.
        notification: dict[str, Any] = {
            "message": {"text": text},
            "level": "warning",
            "properties": {"gap": _jsonable(gap)},
        }
        notifications.append(notification)
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _text(value: Any, fallback: str) -> str:
    text = str(value).strip() if value is not None else ""
    return text or fallback


def _jsonable(value: Any) -> Any:
    """A JSON-safe deep copy, so the SARIF log never aliases the caller's report."""
    return json.loads(json.dumps(value, default=str))
