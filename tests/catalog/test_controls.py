"""Control catalogue: the ml-ip-theft card is complete, validated, and renders every section."""
from __future__ import annotations

import copy
import dataclasses
import importlib
import re
import shutil
import subprocess
import tomllib
from importlib import resources
from typing import Any

import pytest
from rich.console import Console

import crownjewel.catalog
from crownjewel.catalog.controls import (
    Control,
    UnknownControl,
    controls,
    get_control,
    parse_control,
)
from crownjewel.catalog.frameworks import CatalogError, UnknownFrameworkRef, validate_refs
from crownjewel.catalog.render import SECTION_TITLES, render_control

SEED_QUESTIONS = [
    "How are model weights encrypted? With which KMS?",
    "Who has access to the model registry? When was it last audited?",
    "What egress monitoring is in place on AI namespaces?",
    "Show me the audit log of model artefact access.",
]


@pytest.fixture(scope="module")
def control() -> Control:
    return get_control("ml-ip-theft")


@pytest.fixture()
def raw() -> dict[str, Any]:
    """The packaged TOML, parsed afresh so each test can corrupt its own copy."""
    path = resources.files("crownjewel.catalog").joinpath("controls", "ml-ip-theft.toml")
    return copy.deepcopy(tomllib.loads(path.read_text(encoding="utf-8")))


def _nonempty(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if dataclasses.is_dataclass(value):
        return all(_nonempty(getattr(value, f.name)) for f in dataclasses.fields(value)
                   if f.name not in {"detail", "source", "note", "remediation"})
    if isinstance(value, (tuple, list)):
        return bool(value) and all(_nonempty(v) for v in value)
    if hasattr(value, "items"):
        return bool(value) and all(_nonempty(v) for v in value.values())  # type: ignore[union-attr]
    return value is not None


def test_every_section_is_present_and_non_empty(control: Control) -> None:
    assert control.id == "ml-ip-theft"
    assert control.title == "ML Intellectual Property Theft"
    assert control.severity == "critical"
    for field in dataclasses.fields(control):
        assert _nonempty(getattr(control, field.name)), f"section {field.name} is empty"


def test_exactly_four_audit_questions_matching_the_seed(control: Control) -> None:
    assert [q.id for q in control.audit_questions] == ["q1", "q2", "q3", "q4"]
    assert [q.text for q in control.audit_questions] == SEED_QUESTIONS
    assert all(q.evidence for q in control.audit_questions)


def test_remediation_has_one_stable_step_per_card_sentence(control: Control) -> None:
    assert [s.id for s in control.remediation] == [
        "cmek",
        "registry-access-audit",
        "export-paths",
        "egress-monitoring",
        "immutable-audit-log",
    ]
    assert control.remediation_step("cmek").text == (
        "Encrypt model artefacts at rest with customer-managed keys."
    )
    with pytest.raises(KeyError, match="known: cmek"):
        control.remediation_step("nope")


def test_iac_fix_keeps_the_seed_terraform(control: Control) -> None:
    code = control.iac_fix.code
    assert control.iac_fix.language == "hcl"
    assert 'rotation_period = "7776000s"' in code
    assert "default_kms_key_name" in code
    assert 'resource "google_kms_crypto_key" "model_weights"' in code
    assert 'resource "google_storage_bucket" "model_registry"' in code
    assert "uniform_bucket_level_access = true" in code
    assert code.count("{") == code.count("}")
    for line in code.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        assert "\t" not in line and indent % 2 == 0, f"bad indentation: {line!r}"


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform binary not installed")
def test_iac_fix_is_terraform_fmt_clean(control: Control) -> None:
    result = subprocess.run(
        ["terraform", "fmt", "-"],
        input=control.iac_fix.code,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == control.iac_fix.code


def test_cost_keeps_figures_and_attribution(control: Control) -> None:
    cost = control.cost_of_non_compliance
    assert "$4.6M" in cost.summary
    ibm = [f for f in cost.figures if f.value == "$4.6M per case"]
    assert ibm and ibm[0].source == "IBM 2024 X-Force Threat Intelligence Index"
    assert any("2-3×" in f.value for f in cost.figures)


def test_vendor_wording_is_rewritten(control: Control) -> None:
    text = repr(control)
    assert "EchelonGraph" not in text and "Start Free" not in text
    assert {c.id for c in control.detection.capabilities} == {
        "scan", "graph", "detect", "prove", "watch",
    }
    scan = next(c for c in control.detection.capabilities if c.id == "scan").text
    for target in ("AWS", "Google Cloud", "Azure", "Kubernetes", "Terraform"):
        assert target in scan


def test_framework_mapping_is_valid_and_includes_the_card_mapping(control: Control) -> None:
    validate_refs(control.frameworks)
    assert control.frameworks["atlas"][0] == "AML.T0040"
    for ref in ("AML.T0048.004", "AML.T0025", "AML.M0012"):
        assert ref in control.frameworks["atlas"]
    assert set(control.frameworks) == {
        "atlas", "attack", "owasp-ml", "owasp-llm", "nist-800-53",
        "iso-27001", "iso-42001", "eu-ai-act", "soc2",
    }
    first = control.cross_framework_references[0]
    assert "AML.T0040" in first.refs["atlas"]
    step_ids = {s.id for s in control.remediation}
    linked = {r.remediation for r in control.cross_framework_references if r.remediation}
    assert linked == step_ids  # every remediation step has a crosswalk row


def test_unknown_control_lists_known_ids() -> None:
    with pytest.raises(UnknownControl) as info:
        get_control("model-theft")
    assert isinstance(info.value, KeyError)
    assert "ml-ip-theft" in str(info.value) and "'model-theft'" in str(info.value)


def test_catalogue_is_cached_and_keyed_by_id() -> None:
    assert controls() is controls()
    module = importlib.import_module("crownjewel.catalog.controls")
    assert module.CONTROLS is controls()
    assert crownjewel.catalog.CONTROLS is controls()
    assert list(controls()) == ["ml-ip-theft"]


def test_bad_framework_ref_in_a_control_is_rejected(raw: dict[str, Any]) -> None:
    raw["frameworks"]["attack"].append("T1530.001")
    with pytest.raises(UnknownFrameworkRef) as info:
        parse_control(raw, "bad.toml")
    assert "bad.toml" in str(info.value) and "'T1530.001'" in str(info.value)


def test_crosswalk_may_not_cite_ids_outside_the_mapping(raw: dict[str, Any]) -> None:
    raw["frameworks"]["attack"].remove("T1048")
    with pytest.raises(CatalogError, match="T1048 not in the control's"):
        parse_control(raw, "bad.toml")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(summary="typo"), "unknown key"),
        (lambda d: d.pop("risk_impact"), "missing required key 'risk_impact'"),
        (lambda d: d.update(business_value="  "), "business_value: must be a non-empty"),
        (lambda d: d["audit_questions"].append(dict(d["audit_questions"][0])), "duplicate id"),
        (lambda d: d["remediation"][0].update(extra="x"), r"remediation\[0\]: unknown key"),
        (lambda d: d["cross_framework_references"][1].update(remediation="cmk"), "unknown step"),
        (lambda d: d["effort_estimate"].update(weeks_min=9), "weeks_min exceeds"),
        (lambda d: d.update(severity="severe"), "unknown severity"),
    ],
)
def test_malformed_control_is_rejected(raw: dict[str, Any], mutate: Any, message: str) -> None:
    mutate(raw)
    with pytest.raises(CatalogError, match=message):
        parse_control(raw, "bad.toml")


def _rendered(control: Control) -> str:
    console = Console(record=True, width=100)
    console.print(render_control(control))
    text = console.export_text()
    # Strip box drawing and re-join wrapped lines so assertions see the words, not the layout.
    text = re.sub(r"[\u2500-\u257f]", " ", text)
    return " ".join(text.split())


def test_render_contains_every_section_and_question(control: Control) -> None:
    text = _rendered(control)
    assert len(SECTION_TITLES) == 13
    for heading in SECTION_TITLES.values():
        assert heading in text, heading
    for question in SEED_QUESTIONS:
        assert question in text, question
    assert control.title in text


def test_render_shows_framework_titles_terraform_and_pitfalls(control: Control) -> None:
    text = _rendered(control)
    assert "AML.T0048.004 AI Intellectual Property Theft" in text
    assert "T1530 Data from Cloud Storage technique tactic: Collection" in text
    assert "MITRE ATLAS 5.6.0" in text
    assert 'rotation_period = "7776000s" # 90 days' in text
    assert "IBM 2024 X-Force Threat Intelligence Index" in text
    for pitfall in control.common_pitfalls:
        assert pitfall in text
    for step in control.remediation:
        assert step.id in text
