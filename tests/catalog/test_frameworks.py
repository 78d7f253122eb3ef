"""Framework catalogue: every id the control relies on is present, and bad refs fail helpfully."""
from __future__ import annotations

import importlib
import tomllib

import pytest

import crownjewel.catalog
from crownjewel.catalog.frameworks import (
    CatalogError,
    UnknownFrameworkRef,
    entry,
    frameworks,
    parse_frameworks,
    title_of,
    validate_refs,
)

# Written out independently of frameworks.toml, so deleting or retitling an entry fails here.
EXPECTED: dict[str, dict[str, str]] = {
    "atlas": {
        "AML.T0040": "AI Model Inference API Access",
        "AML.T0007": "Discover AI Artifacts",
        "AML.T0035": "AI Artifact Collection",
        "AML.T0025": "Exfiltration via Cyber Means",
        "AML.T0024.002": "Extract AI Model",
        "AML.T0044": "Full AI Model Access",
        "AML.T0048.004": "AI Intellectual Property Theft",
        "AML.M0005": "Control Access to AI Models and Data at Rest",
        "AML.M0012": "Encrypt Sensitive Information",
        "AML.M0024": "AI Telemetry Logging",
    },
    "attack": {
        "T1530": "Data from Cloud Storage",
        "T1537": "Transfer Data to Cloud Account",
        "T1567.002": "Exfiltration to Cloud Storage",
        "T1048": "Exfiltration Over Alternative Protocol",
        "T1030": "Data Transfer Size Limits",
        "T1619": "Cloud Storage Object Discovery",
        "T1078.004": "Cloud Accounts",
        "T1562.008": "Disable or Modify Cloud Logs",
    },
    "owasp-ml": {"ML05:2023": "Model Theft"},
    "owasp-llm": {"LLM10:2025": "Unbounded Consumption"},
    "nist-800-53": {
        "SC-28(1)": "Protection of Information at Rest | Cryptographic Protection",
        "SC-12": "Cryptographic Key Establishment and Management",
        "AC-3": "Access Enforcement",
        "AC-6": "Least Privilege",
        "AC-22": "Publicly Accessible Content",
        "AU-9": "Protection of Audit Information",
        "AU-12": "Audit Record Generation",
        "SC-7(10)": "Boundary Protection | Prevent Exfiltration",
        "SI-4(4)": "System Monitoring | Inbound and Outbound Communications Traffic",
        "SI-4(18)": "System Monitoring | Analyze Traffic and Covert Exfiltration",
    },
    "iso-27001": {
        "5.15": "Access control",
        "8.12": "Data leakage prevention",
        "8.15": "Logging",
        "8.16": "Monitoring activities",
        "8.24": "Use of cryptography",
    },
    "iso-42001": {
        "A.4.3": "Data resources",
        "A.6.2.8": "AI system recording of event logs",
    },
    "eu-ai-act": {"Art. 15(5)": "Accuracy, robustness and cybersecurity"},
    "soc2": {
        # SOC 2 criteria have no short titles: the title is the criterion sentence.
        "CC6.1": "The entity implements logical access security software, infrastructure, and "
        "architectures over protected information assets to protect them from security events "
        "to meet the entity's objectives.",
        "CC6.7": "The entity restricts the transmission, movement, and removal of information to "
        "authorized internal and external users and processes, and protects it during "
        "transmission, movement, or removal to meet the entity's objectives.",
        "CC7.2": "The entity monitors system components and the operation of those controls for "
        "anomalies that are indicative of malicious acts, natural disasters, and errors "
        "affecting the entity's ability to meet its objectives; anomalies are analyzed to "
        "determine whether they represent security events.",
    },
}

CASES = [(key, ref, title) for key, ids in EXPECTED.items() for ref, title in ids.items()]


@pytest.mark.parametrize(("key", "ref", "title"), CASES, ids=[f"{k}:{r}" for k, r, _ in CASES])
def test_expected_id_present_with_official_title(key: str, ref: str, title: str) -> None:
    assert title_of(key, ref) == title


def test_every_entry_has_title_and_kind_and_every_framework_a_name_and_version() -> None:
    catalogue = frameworks()
    assert set(EXPECTED) <= set(catalogue)
    for key, framework in catalogue.items():
        assert framework.key == key
        assert framework.name.strip() and framework.version.strip()
        for ref, item in framework.entries.items():
            assert item.id == ref
            assert item.title.strip(), f"{key}:{ref} has an empty title"
            assert item.kind.strip(), f"{key}:{ref} has an empty kind"


def test_atlas_kinds_and_tactics() -> None:
    atlas = frameworks()["atlas"]
    assert atlas.version == "5.6.0"
    assert atlas.entries["AML.T0025"].tactics == ("Exfiltration",)
    assert atlas.entries["AML.T0048.004"].tactics == ("Impact",)
    for ref, item in atlas.entries.items():
        expected_kind = "mitigation" if ref.startswith("AML.M") else "technique"
        assert item.kind == expected_kind, ref


def test_unknown_id_is_rejected_with_framework_id_and_suggestion() -> None:
    with pytest.raises(UnknownFrameworkRef) as info:
        validate_refs({"atlas": ["AML.T0040", "AML.T0O40"]})
    message = str(info.value)
    assert "'atlas'" in message
    assert "'AML.T0O40'" in message
    assert "did you mean 'AML.T0040'" in message
    assert info.value.problems == (("atlas", "AML.T0O40"),)
    assert isinstance(info.value, ValueError)


def test_wrong_case_suggests_the_exact_id() -> None:
    with pytest.raises(UnknownFrameworkRef, match=r"did you mean 'SC-28\(1\)'"):
        validate_refs({"nist-800-53": ["sc-28(1)"]})


def test_every_bad_ref_is_reported_not_just_the_first() -> None:
    with pytest.raises(UnknownFrameworkRef) as info:
        validate_refs({"attack": ["T1530", "T9999"], "soc2": ["CC9.9"]})
    assert info.value.problems == (("attack", "T9999"), ("soc2", "CC9.9"))
    assert "'T9999'" in str(info.value) and "'CC9.9'" in str(info.value)


def test_unknown_framework_key_is_rejected_with_suggestion() -> None:
    with pytest.raises(UnknownFrameworkRef) as info:
        validate_refs({"nist-800-35": ["AC-3"]})
    assert "unknown framework 'nist-800-35'" in str(info.value)
    assert "did you mean 'nist-800-53'" in str(info.value)
    assert info.value.problems == (("nist-800-35", None),)


def test_bare_string_is_a_type_error_not_a_per_character_check() -> None:
    with pytest.raises(TypeError, match="list of ids"):
        validate_refs({"attack": "T1530"})


def test_valid_refs_pass_from_any_iterable() -> None:
    validate_refs({"attack": ("T1530",), "atlas": iter(["AML.M0012"]), "soc2": []})


def test_title_of_and_entry_raise_for_unknown_ids() -> None:
    assert entry("attack", "T1537").kind == "technique"
    with pytest.raises(UnknownFrameworkRef, match="T1537.001"):
        title_of("attack", "T1537.001")


def test_catalogue_is_cached_and_read_only() -> None:
    assert frameworks() is frameworks()
    # The package re-exports the function ``frameworks``, which shadows the submodule attribute.
    module = importlib.import_module("crownjewel.catalog.frameworks")
    assert module.FRAMEWORKS is frameworks()
    assert crownjewel.catalog.FRAMEWORKS is frameworks()
    with pytest.raises(TypeError):
        frameworks()["atlas"].entries["x"] = None  # type: ignore[index]


def _parse(text: str) -> object:
    return parse_frameworks(tomllib.loads(text), "test.toml")


def test_parse_rejects_duplicate_ids_ignoring_case() -> None:
    text = """
    [x]
    name = "X"
    version = "1"
    [[x.entries]]
    id = "A-1"
    title = "One"
    kind = "control"
    [[x.entries]]
    id = "a-1"
    title = "Again"
    kind = "control"
    """
    with pytest.raises(CatalogError, match=r"test.toml: \[x\]: duplicate id 'a-1'"):
        _parse(text)


def test_parse_rejects_unknown_keys_and_empty_titles() -> None:
    base = '[x]\nname = "X"\nversion = "1"\n[[x.entries]]\nid = "A-1"\nkind = "control"\n'
    with pytest.raises(CatalogError, match="unknown key"):
        _parse(base + 'title = "One"\ntitel = "typo"\n')
    with pytest.raises(CatalogError, match="'title' must be a non-empty string"):
        _parse(base + 'title = "  "\n')


def test_parse_rejects_framework_without_entries() -> None:
    with pytest.raises(CatalogError, match="at least one"):
        _parse('[x]\nname = "X"\nversion = "1"\n')
