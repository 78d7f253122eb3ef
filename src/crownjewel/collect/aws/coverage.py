"""Coverage: how completely one (account, region, service) was read."""
from __future__ import annotations

from dataclasses import dataclass

COMPLETE = "complete"
PARTIAL = "partial"
DENIED = "denied"
ERROR = "error"


@dataclass(frozen=True, slots=True)
class Coverage:
    """How completely one (account, region, service) was read.

    complete: every call answered; partial: some calls failed (the affected attributes are in
    their assets' `unknown`); denied / error: the service's listing failed, nothing was seen.
    """

    account: str
    region: str
    service: str
    status: str  # "complete" | "partial" | "denied" | "error"
    detail: str = ""
