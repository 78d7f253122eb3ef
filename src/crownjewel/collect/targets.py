"""Targets: what a path or connection on the command line is, and which collector reads it.

Each target kind registers a detector and a loader; the kind is detected, never guessed from
flags. Live connections (aws://, gcp://, ...) plug in here as their collectors land.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crownjewel.collect.problems import WARNING, InputProblem
from crownjewel.collect.terraform.loader import TfInput, load_directory, load_file
from crownjewel.model.graph import GraphBuilder


@dataclass(slots=True)
class Collected:
    """What all targets together produced."""

    builder: GraphBuilder = field(default_factory=GraphBuilder)
    problems: list[InputProblem] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    files: int = 0
    resources: int = 0
    unmodelled: dict[str, int] = field(default_factory=dict)
    coverage: list[Any] = field(default_factory=list)  # live clouds: (account, region, service) status


TargetLoader = Callable[[Path, TfInput], None]


def _is_plan(path: Path) -> bool:
    """Any JSON file: the plan loader says clearly when it is not a plan."""
    return path.suffix.lower() == ".json" and path.is_file()


def _load_plan(path: Path, into: TfInput) -> None:
    from crownjewel.collect.terraform.plan import load_plan

    load_plan(path, into)


# Order matters: the first detector that accepts a path wins.
DETECTORS: list[tuple[str, Callable[[Path], bool], TargetLoader]] = [
    ("terraform-directory", lambda p: p.is_dir(), load_directory),
    ("terraform-file", lambda p: p.is_file() and p.suffix == ".tf", load_file),
    ("terraform-plan", _is_plan, _load_plan),
]


_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
_CONNECTION = re.compile(r"^(?P<scheme>[a-z0-9]+)://(?P<rest>.*)$")


def _collect_connection(m: re.Match[str], target: str, out: Collected) -> None:
    """A live connection: `aws://[profile][?regions=eu-west-1,us-east-1]`."""
    scheme, rest = m.group("scheme"), m.group("rest")
    if scheme != "aws":
        out.problems.append(InputProblem(target, f"{scheme}:// connections are not supported yet; "
                                                 "supported: aws://[profile][?regions=r1,r2]"))
        return
    profile, _, query = rest.partition("?")
    params = dict(part.partition("=")[::2] for part in query.split("&") if part)
    unknown = set(params) - {"regions"}
    if unknown:
        out.problems.append(InputProblem(target, f"unknown connection option(s) {', '.join(sorted(unknown))}; "
                                                 "supported: regions"))
        return
    regions = tuple(r.strip() for r in params.get("regions", "").split(",") if r.strip()) or None
    bad = [r for r in regions or () if not _REGION.match(r)]
    if bad:
        out.problems.append(InputProblem(target, f"not an AWS region name: {', '.join(bad)} (e.g. eu-west-1)"))
        return
    from crownjewel.collect.aws import AwsTarget, collect_aws

    out.coverage.extend(collect_aws(AwsTarget(profile=profile or None, regions=regions), out.builder, out.problems))


def detect(path: Path) -> tuple[str, TargetLoader] | None:
    """The kind of target and its loader, or None when nothing recognises it."""
    for name, accepts, loader in DETECTORS:
        if accepts(path):
            return name, loader
    return None


def collect_targets(targets: tuple[str, ...], aws_accounts: tuple[Any, ...] = ()) -> Collected:
    """Read every target (and every configured AWS account) into one graph builder; problems are
    collected, never raised."""
    from crownjewel.collect.terraform.normalize import normalize

    out = Collected()
    tf = TfInput()
    covered: list[tuple[str, str]] = []  # (real path, target) of directories already scanned
    for target in targets:
        connection = _CONNECTION.match(target)
        if connection:
            _collect_connection(connection, target, out)
            continue
        path = Path(target)
        if not os.path.lexists(path):
            out.problems.append(InputProblem(target, "no such file or directory"))
            continue
        real = os.path.realpath(path)
        inside = next((t for r, t in covered if real == r or real.startswith(r.rstrip(os.sep) + os.sep)), None)
        if inside is not None:
            out.problems.append(InputProblem(target, f"already scanned as part of {inside}; skipped", level=WARNING))
            continue
        if path.is_dir():
            covered.append((real, target))
        found = detect(path)
        if found is None:
            out.problems.append(InputProblem(target, "unrecognised input: expected a Terraform directory, "
                                                     "a .tf file or `terraform show -json` output"))
            continue
        found[1](path, tf)
    for account in aws_accounts:
        from crownjewel.collect.aws import AwsTarget, collect_aws

        aws_target = AwsTarget(profile=account.profile, regions=account.regions, role_arn=account.role_arn,
                               external_id=account.external_id)
        out.coverage.extend(collect_aws(aws_target, out.builder, out.problems))
    out.unmodelled = normalize(tf.resources, out.builder, tf.problems, targets)
    out.problems.extend(tf.problems)
    out.sources = tf.sources
    out.files = tf.files
    out.resources = len(tf.resources)
    return out
