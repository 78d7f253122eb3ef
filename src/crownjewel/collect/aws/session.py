"""Boto3 sessions and the one guarded way every fetch step calls AWS.

`Calls.call` never raises: an API error becomes a `Reply` whose `error` names the IAM action and
the error code ("s3:GetBucketPolicy denied (AccessDenied)"), and the failure is recorded on the
task's `Recorder`, which becomes the (account, region, service) `Coverage`. Error codes that mean
"this is not configured" (NoSuchBucketPolicy, ...) are declared per call and become
`Reply.absent`, a definite answer rather than a gap.

Throttling is retried by botocore's adaptive mode before it is reported; boto3 is imported
lazily so `crownjewel --version` stays fast. Clients are never shared between threads.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

DENIED = frozenset({
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess",
    "AuthorizationError", "AuthorizationErrorException", "Forbidden", "AllAccessDisabled",
    "403",
})
THROTTLED = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "RequestLimitExceeded", "SlowDown", "RequestThrottled",
    "ProvisionedThroughputExceededException", "BandwidthLimitExceeded",
})
UNAVAILABLE = frozenset({
    "OptInRequired", "UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure",
    "SubscriptionRequiredException", "UnknownOperationException", "InvalidAction",
    "UnsupportedOperation", "UnsupportedOperationException", "NotImplemented",
    "InvalidSignatureException", "SignatureDoesNotMatch",
})
RETRIES: Mapping[str, Any] = {"mode": "adaptive", "max_attempts": 10}
MAX_PAGES = 50  # a bound on any one listing: a scan must finish even on enormous accounts


@dataclass(frozen=True, slots=True)
class Reply:
    """The outcome of one API call (or one paginated listing)."""

    op: str
    value: Any = None
    status: str = "ok"  # ok | absent | denied | throttled | unavailable | error
    error: str | None = None  # why it failed, naming the IAM action and the error code
    code: str | None = None

    @property
    def ok(self) -> bool:
        """The call answered (possibly with "not configured")."""
        return self.status in ("ok", "absent")

    @property
    def absent(self) -> bool:
        """The call answered that the thing asked about is not configured."""
        return self.status == "absent"

    def get(self, key: str, default: Any = None) -> Any:
        """A top-level field of a successful response (default otherwise)."""
        return self.value.get(key, default) if self.status == "ok" and isinstance(self.value, dict) else default


@dataclass(slots=True)
class Recorder:
    """What went wrong in one (account, region, service) task: becomes its Coverage."""

    account: str
    region: str
    service: str
    calls: int = 0
    failures: list[Reply] = field(default_factory=list)
    listing: Reply | None = None  # set when the service's primary listing failed: nothing seen
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record(self, reply: Reply) -> None:
        """Count a call; keep it when it failed (S3 reads buckets on several threads)."""
        with self._lock:
            self.calls += 1
            if not reply.ok:
                self.failures.append(reply)

    def listing_failed(self, reply: Reply) -> None:
        """The primary listing failed: the service is not covered at all in this region."""
        if self.listing is None:
            self.listing = reply

    def status(self) -> tuple[str, str]:
        """(status, detail): complete | partial | denied | error."""
        if self.listing is not None:
            return ("denied" if self.listing.status == "denied" else "error"), self.listing.error or ""
        if not self.failures:
            return "complete", ""
        reasons = list(dict.fromkeys(r.error or r.op for r in self.failures))
        more = f" (+{len(reasons) - 3} more)" if len(reasons) > 3 else ""
        return "partial", f"{len(self.failures)} of {self.calls} calls failed: " + "; ".join(reasons[:3]) + more


def _code_and_message(exc: Exception) -> tuple[str, str]:
    response = getattr(exc, "response", None)
    if isinstance(response, Mapping):
        err = response.get("Error") or {}
        code = str(err.get("Code") or "") if isinstance(err, Mapping) else ""
        message = str(err.get("Message") or "") if isinstance(err, Mapping) else ""
        if not code:
            meta = response.get("ResponseMetadata") or {}
            code = str(meta.get("HTTPStatusCode", "")) if isinstance(meta, Mapping) else ""
        return code or type(exc).__name__, message
    return type(exc).__name__, str(exc)


def failure(op: str, action: str, exc: Exception, region: str) -> Reply:
    """The Reply for a call that raised `exc`."""
    code, message = _code_and_message(exc)
    if code in DENIED:
        return Reply(op, status="denied", error=f"{action} denied ({code})", code=code)
    if code in THROTTLED:
        return Reply(op, status="throttled", error=f"{action} throttled after retries ({code})", code=code)
    if code in UNAVAILABLE or type(exc).__name__ in ("EndpointConnectionError", "UnknownEndpointError"):
        return Reply(op, status="unavailable", error=f"{action} unavailable in {region} ({code})", code=code)
    detail = f"{code}: {message[:160]}" if message else code
    return Reply(op, status="error", error=f"{action} failed ({detail})", code=code)


class Calls:
    """Guarded calls on one client: every failure is a Reply and a Recorder entry, never a raise."""

    def __init__(self, client: Any, operations: Mapping[str, str], recorder: Recorder) -> None:
        self.client = client
        self.operations = operations
        self.recorder = recorder
        self.region = str(getattr(getattr(client, "meta", None), "region_name", "") or recorder.region)

    def _action(self, op: str) -> str:
        # Undeclared operations are a bug: the least-privilege policy would miss them.
        return self.operations[op]

    def call(self, op: str, *, absent: Iterable[str] = (), **kwargs: Any) -> Reply:
        """One API call; `absent` lists error codes meaning "not configured"."""
        from botocore import xform_name

        action = self._action(op)
        try:
            value = getattr(self.client, xform_name(op))(**kwargs)
            reply = Reply(op, value) if isinstance(value, dict) else Reply(
                op, status="error", error=f"{action} failed (unexpected response {type(value).__name__})")
        except Exception as exc:  # a scan must survive any API failure
            code, _ = _code_and_message(exc)
            reply = Reply(op, status="absent", code=code) if code in set(absent) else failure(
                op, action, exc, self.region)
        self.recorder.record(reply)
        return reply

    def pages(self, op: str, key: str, *, limit: int | None = None, **kwargs: Any) -> Reply:
        """All items under `key` of a paginated listing (at most `limit` items, MAX_PAGES pages)."""
        from botocore import xform_name

        action = self._action(op)
        name = xform_name(op)
        items: list[Any] = []
        try:
            if self.client.can_paginate(name):
                pages = self.client.get_paginator(name).paginate(**kwargs)
            else:
                pages = iter([getattr(self.client, name)(**kwargs)])
            for count, page in enumerate(pages):
                found = page.get(key) if isinstance(page, dict) else None
                if found is not None and not isinstance(found, list):
                    raise TypeError(f"{key} is a {type(found).__name__}, not a list")
                items.extend(found or ())
                if (limit is not None and len(items) >= limit) or count + 1 >= MAX_PAGES:
                    break
            reply = Reply(op, items[:limit] if limit is not None else items)
        except Exception as exc:
            reply = failure(op, action, exc, self.region)
        self.recorder.record(reply)
        return reply


def make_session(profile: str | None, credentials: Mapping[str, str] | None = None) -> Any:
    """A new boto3 session (one per thread: sessions and clients are not shared).

    `credentials` (AccessKeyId, SecretAccessKey, SessionToken: an sts:AssumeRole reply's
    Credentials) replace the profile's or the default chain's; the profile's region still applies.
    """
    import boto3

    keys: dict[str, Any] = {}
    if credentials is not None:
        keys = {"aws_access_key_id": credentials["AccessKeyId"],
                "aws_secret_access_key": credentials["SecretAccessKey"],
                "aws_session_token": credentials.get("SessionToken")}
    return boto3.session.Session(profile_name=profile, **keys) if profile else boto3.session.Session(**keys)


def client(session: Any, service: str, region: str | None) -> Any:
    """A client with adaptive retries; AWS_ENDPOINT_URL (moto_server, proxies) is honoured by boto3."""
    import os

    from botocore.config import Config

    made = session.client(service, region_name=region, config=Config(retries=dict(RETRIES)))
    if service == "s3control" and (os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL_S3_CONTROL")):
        made.meta.events.register("before-send.s3-control.*", _strip_account_host)
    return made


def _strip_account_host(request: Any, **_: Any) -> None:
    """S3 Control puts the account id in front of the host; a custom endpoint (moto_server on
    loopback, a proxy) has no such names, so the request goes to the endpoint itself."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(request.url)
    first, _, rest = parts.netloc.partition(".")
    if first.isdigit() and len(first) == 12 and rest:
        request.url = urlunsplit(parts._replace(netloc=rest))
        request.headers["Host"] = rest
