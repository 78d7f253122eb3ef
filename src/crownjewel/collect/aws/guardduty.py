"""GuardDuty: detectors and whether they protect S3 (S3 data events), per region.

GuardDuty is regional and has no asset of its own in the model: the result is a pair of
attributes on the ACCOUNT asset (`aws-account:<id>`), over the regions whose detectors could be
read: `guardduty_s3_protection` (regions where an enabled detector has S3 protection on) and
`guardduty_checked_regions` (regions read; a region missing there was not seen, and its coverage
record says why).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crownjewel.collect.aws.common import Scope
from crownjewel.collect.aws.session import Calls, Recorder, Reply, client
from crownjewel.model.graph import GraphBuilder

OPERATIONS: Mapping[str, str] = {
    "ListDetectors": "guardduty:ListDetectors",
    "GetDetector": "guardduty:GetDetector",
}


@dataclass(slots=True)
class GuardDutyRaw:
    """The detectors of one region."""

    listing: Reply
    detectors: dict[str, Reply] = field(default_factory=dict)


def fetch(session: Any, scope: Scope, recorder: Recorder) -> GuardDutyRaw:
    """List the region's detectors and read each one."""
    calls = Calls(client(session, "guardduty", scope.region), OPERATIONS, recorder)
    listing = calls.pages("ListDetectors", "DetectorIds")
    raw = GuardDutyRaw(listing)
    if not listing.ok:
        recorder.listing_failed(listing)
        return raw
    for detector in listing.value:
        if isinstance(detector, str):
            raw.detectors[detector] = calls.call("GetDetector", DetectorId=detector)
    return raw


def s3_protected(detector: Mapping[str, Any]) -> bool:
    """An enabled detector with S3 protection (the `S3_DATA_EVENTS` feature or legacy S3Logs)."""
    if detector.get("Status") != "ENABLED":
        return False
    for feature in detector.get("Features") or ():
        if isinstance(feature, Mapping) and feature.get("Name") == "S3_DATA_EVENTS":
            return feature.get("Status") == "ENABLED"
    logs = (detector.get("DataSources") or {}).get("S3Logs") or {}
    return logs.get("Status") == "ENABLED"


def region_state(raw: GuardDutyRaw) -> bool | str:
    """True / False (S3 protection on in the region), or why it could not be told."""
    if not raw.listing.ok:
        return raw.listing.error or "guardduty:ListDetectors failed"
    failed = [r for r in raw.detectors.values() if not r.ok]
    if any(r.ok and s3_protected(r.value) for r in raw.detectors.values()):
        return True
    if failed:
        return failed[0].error or "guardduty:GetDetector failed"
    return False


def normalize(raw: GuardDutyRaw, scope: Scope, builder: GraphBuilder) -> None:
    """Nothing per region: see `summarize`."""


def summarize(regions: list[tuple[Scope, Any]], scope: Scope, builder: GraphBuilder) -> None:
    """Patch the ACCOUNT asset with the regions read and those with S3 protection on."""
    states = {here.region: region_state(raw) for here, raw in regions}
    checked = tuple(sorted(r for r, s in states.items() if isinstance(s, bool)))
    if not checked:  # nothing read: "off everywhere" would be a guess
        reason = "; ".join(dict.fromkeys(str(s) for s in states.values())) or "GuardDuty not read"
        builder.patch(scope.account_id, unknown=dict.fromkeys(
            ("guardduty_s3_protection", "guardduty_checked_regions"), reason))
        return
    builder.patch(scope.account_id, {
        "guardduty_s3_protection": tuple(sorted(r for r, s in states.items() if s is True)),
        "guardduty_checked_regions": checked,
    })
