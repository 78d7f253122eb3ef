"""Orchestration of a live AWS scan: identity, regions, concurrent fetches, then normalization.

Fetch tasks (one per region and service of the registry in registry.py, plus one for S3, which
lists buckets account-wide) run in a bounded ThreadPoolExecutor, each with its own boto3 session
and clients (with the target's assumed-role credentials, obtained once). They return plain replies; normalization runs afterwards in the calling thread, KMS first so that every other
service can tell AWS-managed keys from customer-managed ones.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from crownjewel.collect.aws import AwsTarget, cloudtrail, ec2, kms, s3
from crownjewel.collect.aws import session as sessions
from crownjewel.collect.aws.common import KeyIndex, Scope, account_asset_id
from crownjewel.collect.aws.coverage import DENIED, ERROR, Coverage
from crownjewel.collect.aws.permissions import STS_OPERATIONS
from crownjewel.collect.aws.registry import REGIONAL, SERVICES, Service
from crownjewel.collect.aws.session import Calls, Recorder
from crownjewel.collect.problems import ERROR as PROBLEM_ERROR
from crownjewel.collect.problems import WARNING, InputProblem
from crownjewel.model.assets import Asset, Gap, Kind, frozen_map
from crownjewel.model.graph import GraphBuilder

MAX_WORKERS = 8
DEFAULT_REGION = "us-east-1"
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]+$")
Credentials = Mapping[str, str]


@dataclass(slots=True)
class TaskResult:
    """What one fetch task brought back."""

    service: str
    region: str
    raw: Any = None
    recorders: list[Recorder] = field(default_factory=list)
    crash: str | None = None  # a collector bug, reported as coverage "error"


def _regional(service: Service, profile: str | None, credentials: Credentials | None, scope: Scope,
              scanned: tuple[str, ...]) -> TaskResult:
    rec = Recorder(scope.account, scope.region, service.name)
    result = TaskResult(service.name, scope.region, recorders=[rec])
    try:
        result.raw = service.fetch(sessions.make_session(profile, credentials), scope, rec, scanned)
    except Exception as exc:  # a collector bug must not abort the other tasks
        result.crash = f"{service.name} collection crashed in {scope.region}: {type(exc).__name__}: {exc}"
    return result


def _s3(profile: str | None, credentials: Credentials | None, scope: Scope, regions: tuple[str, ...] | None,
        scanned: tuple[str, ...]) -> TaskResult:
    recorders: dict[str, Recorder] = {r: Recorder(scope.account, r, "s3") for r in scanned}

    def recorder_for(region: str) -> Recorder:
        return recorders.setdefault(region, Recorder(scope.account, region, "s3"))

    result = TaskResult("s3", scope.region)
    try:
        result.raw = s3.fetch(sessions.make_session(profile, credentials), scope, regions, recorder_for)
        if not result.raw.listing.ok:
            for rec in recorders.values():
                rec.listing_failed(result.raw.listing)
        elif not result.raw.account_pab.ok:
            for rec in recorders.values():
                if rec.region != scope.region:
                    rec.failures.append(result.raw.account_pab)
    except Exception as exc:
        result.crash = f"s3 collection crashed: {type(exc).__name__}: {exc}"
    result.recorders = list(recorders.values())
    return result


def _assume(session: Any, target: AwsTarget, home: str, label: str, problems: list[InputProblem]
            ) -> tuple[Credentials | None, Coverage | None]:
    """Credentials of `target.role_arn` (one sts:AssumeRole per scan), or the problem and coverage."""
    role = str(target.role_arn)
    match = ROLE_ARN.match(role)
    account = match.group(1) if match else "unknown"
    if match is None:
        reason = "sts:AssumeRole not attempted: malformed role ARN (ValidationError)"
        problems.append(InputProblem(label, f"cannot assume role {role!r}: {reason}", level=PROBLEM_ERROR))
        return None, Coverage(account, "global", "sts", ERROR, reason)
    rec = Recorder(account, "global", "sts")
    extra = {"ExternalId": target.external_id} if target.external_id else {}
    reply = Calls(sessions.client(session, "sts", home), STS_OPERATIONS, rec).call(
        "AssumeRole", RoleArn=role, RoleSessionName=target.session_name or "crownjewel", **extra)
    creds = reply.get("Credentials")
    if reply.ok and isinstance(creds, Mapping) and creds.get("AccessKeyId") and creds.get("SecretAccessKey"):
        return {k: str(v) for k, v in creds.items() if k in ("AccessKeyId", "SecretAccessKey", "SessionToken")}, None
    reason = reply.error or "sts:AssumeRole returned no credentials"
    problems.append(InputProblem(label, f"cannot assume role {role}: {reason}", level=PROBLEM_ERROR))
    return None, Coverage(account, "global", "sts", DENIED if reply.status == "denied" else ERROR,
                          f"{role}: {reason}")


def _identify(session: Any, home: str, label: str, problems: list[InputProblem]
              ) -> tuple[Scope | None, Coverage | None]:
    rec = Recorder("unknown", "global", "sts")
    reply = Calls(sessions.client(session, "sts", home), STS_OPERATIONS, rec).call("GetCallerIdentity")
    account, arn = reply.get("Account"), str(reply.get("Arn") or "arn:aws:")
    if not reply.ok or not account:
        reason = reply.error or "sts:GetCallerIdentity returned no account"
        problems.append(InputProblem(label, f"cannot identify the AWS account: {reason}", level=PROBLEM_ERROR))
        return None, Coverage("unknown", "global", "sts", DENIED if reply.status == "denied" else ERROR, reason)
    return Scope(str(account), home, arn.split(":")[1] or "aws"), None


def _regions(target: AwsTarget, session: Any, scope: Scope, label: str, problems: list[InputProblem],
             coverage: list[Coverage]) -> tuple[str, ...]:
    if target.regions:
        return tuple(dict.fromkeys(target.regions))
    rec = Recorder(scope.account, "global", "ec2")
    reply = ec2.enabled_regions(session, scope.region, rec)
    names = [str(r.get("RegionName")) for r in reply.get("Regions") or () if r.get("RegionName")]
    if reply.ok and names:
        return tuple(sorted(names))
    reason = reply.error or "ec2:DescribeRegions returned no regions"
    problems.append(InputProblem(label, f"cannot list enabled regions ({reason}); scanning {scope.region} only",
                                 level=WARNING))
    coverage.append(Coverage(scope.account, "global", "ec2", DENIED if reply.status == "denied" else ERROR,
                             f"{reason}: only {scope.region} scanned"))
    return (scope.region,)


def _normalize(results: list[TaskResult], scope: Scope, builder: GraphBuilder,
               problems: list[InputProblem], label: str) -> dict[tuple[str, str], str]:
    """Normalize every task's replies; returns (service, region) -> crash text for failures.

    KMS first (its keys are indexed so other services tell AWS-managed keys from customer ones),
    then S3, then the registry's services in order; then each service's account-wide summary.
    """
    crashes: dict[tuple[str, str], str] = {(r.service, r.region): r.crash for r in results if r.crash}
    keys = KeyIndex()
    order = {"kms": 0, "s3": 1, **{service.name: 2 + n for n, service in enumerate(REGIONAL)}}
    ordered = sorted(results, key=lambda r: order[r.service])
    for result in ordered:
        if result.service == "kms" and result.raw is not None:
            kms.index(result.raw, Scope(scope.account, result.region, scope.partition), keys)
    trails: list[str] = []
    buckets: list[str] = []
    seen: dict[str, list[tuple[Scope, Any]]] = {}
    for result in ordered:
        if result.raw is None:
            continue
        here = Scope(scope.account, result.region, scope.partition)
        try:
            if result.service == "s3":
                s3.normalize(result.raw, here, keys, builder)
            else:
                SERVICES[result.service].normalize(result.raw, here, keys, builder)
                seen.setdefault(result.service, []).append((here, result.raw))
        except Exception as exc:  # an unexpected response shape: the rest of the scan goes on
            crash = f"{result.service} replies in {result.region} not understood: {type(exc).__name__}: {exc}"
            crashes[(result.service, result.region)] = crash
            problems.append(InputProblem(label, crash, level=WARNING))
        if result.service == "s3":
            buckets.extend(s3.bucket_arn_list(result.raw, scope.partition))
        if result.service == "cloudtrail":
            trails.extend(str(t.trail["TrailARN"]) for t in result.raw.trails)
    for service in REGIONAL:
        if service.summarize is not None and seen.get(service.name):
            try:
                service.summarize(seen[service.name], scope, builder)
            except Exception as exc:
                crash = f"{service.name} replies not understood: {type(exc).__name__}: {exc}"
                for here, _ in seen[service.name]:
                    crashes[(service.name, here.region)] = crash
                problems.append(InputProblem(label, crash, level=WARNING))
    cloudtrail.link_all_buckets(builder, trails, [b for b in buckets if builder.has(b)])
    return crashes


def run(target: AwsTarget, builder: GraphBuilder, problems: list[InputProblem]) -> list[Coverage]:
    """Scan the account of `target` (see `collect_aws`)."""
    label = f"aws://{target.profile or ''}" + (f" as {target.role_arn}" if target.role_arn else "")
    try:
        session = sessions.make_session(target.profile)
    except Exception as exc:  # unknown profile, broken config file
        problems.append(InputProblem(label, f"cannot open the AWS profile: {exc}"))
        return [Coverage("unknown", "global", "sts", ERROR, str(exc))]
    home = (target.regions[0] if target.regions else None) or session.region_name or DEFAULT_REGION
    credentials: Credentials | None = None
    if target.role_arn is not None:
        credentials, failed = _assume(session, target, home, label, problems)
        if credentials is None:
            return [failed] if failed else []
        session = sessions.make_session(target.profile, credentials)
    scope, failed = _identify(session, home, label, problems)
    if scope is None:
        return [failed] if failed else []
    if credentials is None:
        credentials = _resolved_once(session)
    coverage: list[Coverage] = [Coverage(scope.account, "global", "sts", "complete")]
    if not builder.has(account_asset_id(scope.account)):
        builder.add(Asset(id=account_asset_id(scope.account), kind=Kind.ACCOUNT, provider="aws",
                          name=scope.account, native_type="AWS::Account", account=scope.account,
                          attrs=frozen_map({"project": scope.account})))
    regions = _regions(target, session, scope, label, problems, coverage)
    results: list[TaskResult] = []
    with ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="crownjewel-aws") as pool:
        futures = [pool.submit(_s3, target.profile, credentials, scope, target.regions, regions)]
        futures += [pool.submit(_regional, service, target.profile, credentials,
                                Scope(scope.account, region, scope.partition), regions)
                    for region in regions for service in REGIONAL]
        results = _wait(futures, f"AWS {scope.account}")
    crashes = _normalize(results, scope, builder, problems, label)
    for result in results:
        for rec in result.recorders:
            crash = crashes.get((result.service, rec.region)) or crashes.get((result.service, result.region))
            status, detail = (ERROR, crash) if crash else rec.status()
            coverage.append(Coverage(rec.account, rec.region, rec.service, status, detail))
            if status in (DENIED, ERROR):
                builder.gap(Gap(f"aws {rec.service} in account {rec.account}, region {rec.region}", detail))
    return coverage


def _wait(futures: list[Any], label: str) -> list[TaskResult]:
    """The tasks' results in submission order, with a progress bar on an interactive terminal."""
    import sys
    from concurrent.futures import as_completed

    if not sys.stderr.isatty():
        return [f.result() for f in futures]
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task(f"{label}: regions x services", total=len(futures))
        for _ in as_completed(futures):
            progress.advance(task)
    return [f.result() for f in futures]


def _resolved_once(session: Any) -> Credentials | None:
    """The session's credentials, resolved once for every task: a role profile would otherwise
    call sts:AssumeRole (and prompt for MFA) per task, and instance credentials hit IMDS per task."""
    try:
        found = session.get_credentials()
        frozen = found.get_frozen_credentials() if found is not None else None
    except Exception:  # a provider that fails now failed for _identify too; let tasks retry it
        return None
    if frozen is None or not frozen.access_key:
        return None
    creds = {"AccessKeyId": frozen.access_key, "SecretAccessKey": frozen.secret_key}
    if frozen.token:
        creds["SessionToken"] = frozen.token
    return creds
