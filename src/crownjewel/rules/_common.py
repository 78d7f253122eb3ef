"""Framework mappings shared by rule themes (so each rule states only what is specific to it)."""
from __future__ import annotations

from typing import Any

from crownjewel.model.assets import Asset
from crownjewel.rules.registry import Fail, Outcome, Unknown

ENCRYPTION = {
    "nist-800-53": ("SC-28(1)", "SC-12"), "iso-27001": ("8.24",), "iso-42001": ("A.4.3",),
    "owasp-ml": ("ML05:2023",), "eu-ai-act": ("Art. 15(5)",), "soc2": ("CC6.1",),
}
ACCESS = {
    "nist-800-53": ("AC-3", "AC-6"), "iso-27001": ("5.15", "8.12"), "iso-42001": ("A.4.3",),
    "owasp-ml": ("ML05:2023",), "eu-ai-act": ("Art. 15(5)",), "soc2": ("CC6.1",),
}
PUBLIC = {
    "nist-800-53": ("AC-3", "AC-22"), "iso-27001": ("5.15", "8.12"), "iso-42001": ("A.4.3",),
    "owasp-ml": ("ML05:2023",), "eu-ai-act": ("Art. 15(5)",), "soc2": ("CC6.1", "CC6.7"),
}
AUDIT = {
    "nist-800-53": ("AU-12", "AU-9"), "iso-27001": ("8.15",), "iso-42001": ("A.6.2.8",),
    "soc2": ("CC7.2",),
}
EGRESS = {
    "nist-800-53": ("SC-7(10)", "SI-4(4)", "SI-4(18)"), "iso-27001": ("8.12", "8.16"),
    "iso-42001": ("A.6.2.6",), "soc2": ("CC6.7", "CC7.2"), "owasp-ml": ("ML05:2023",),
}

THEFT = ("AML.T0035", "AML.T0048.004")  # collecting artefacts -> IP theft
EXFIL = ("AML.T0025", "AML.T0048.004")


def grants_outcome(asset: Asset, key: str, what: str) -> Outcome:
    """Fail when the asset has evidence strings under `key` (public / authenticated grants).

    Absent means no grant was declared; a collector that could not read a policy records the
    key in `unknown`, and then the outcome is UNKNOWN.
    """
    if not asset.knows(key) and key in asset.unknown:
        return Unknown(asset.unknown[key])
    grants: Any = asset.get(key) or ()
    if grants:
        return Fail.because(*grants, who=what, count=len(grants))
    return True


def any_grants_outcome(asset: Asset, *keys_and_labels: tuple[str, str]) -> Outcome:
    """Fail on the first kind of grant present; UNKNOWN only when none is known and one is unread."""
    unknown: Outcome = True
    for key, label in keys_and_labels:
        outcome = grants_outcome(asset, key, label)
        if isinstance(outcome, Fail):
            return outcome
        if isinstance(outcome, Unknown) and unknown is True:
            unknown = outcome
    return unknown
