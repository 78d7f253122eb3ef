"""Score crownjewel against Checkov's own Terraform fixtures (../shared/corpus/checkov).

For each Checkov check that one of our rules names as a peer, scan its fixture with
`--all-assets` (fixtures are not AI-named) and compare our FAIL/not-FAIL per resource with the
addresses Checkov's tests expect to fail or pass. Shared by the conformance test and by
`python tests/conformance/write_accuracy.py`, which writes docs/accuracy.md.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from crownjewel.model.findings import Status
from crownjewel.pipeline import ScanOptions, scan_paths
from crownjewel.rules.registry import load_rules

REPO = Path(__file__).resolve().parents[2]
_ROOT_PREFIX = re.compile(r"^[^\[\]\"]*/")

# Resources where we disagree with Checkov on purpose: (check id, address) -> why.
_INVALID_HCL = ("the fixture's main.tf is invalid HCL (`status = \"Enabled\"}` at line 160), which Terraform "
                "rejects too; we report the parse error and score nothing from the file")
_SSE_S3 = ("SSE-S3 (AES256) encrypts with keys AWS holds and uses for anyone S3 lets read the object; "
           "model stores need a customer-managed KMS key")
DISAGREEMENTS: dict[tuple[str, str], str] = {
    ("CKV_AWS_70", "aws_s3_bucket.pass_w_condition"):
        "`ArnNotEquals aws:PrincipalArn` admits every principal except one: still public",
    ("CKV_AWS_70", "aws_s3_bucket_policy.pass_w_condition"):
        "`ArnNotEquals aws:PrincipalArn` admits every principal except one: still public",
    ("CKV_AWS_375", "aws_s3_bucket_acl.pass2"): "a READ grant to the AllUsers group lists the bucket publicly",
    ("CKV_AWS_7", "aws_kms_key.pass1"):
        "rotation on with the default 365-day period; the control asks for 90 days or less "
        "(AWS accepts rotation_period_in_days = 90)",
    ("CKV_AWS_7", "aws_kms_key.pass2"):
        "rotation on with the default 365-day period; the control asks for 90 days or less",
    ("CKV_AWS_32", "aws_ecr_repository_policy.pass_conditional"):
        "`ForAllValues:` conditions are true when the key is absent, so callers outside any organisation pass",
    ("CKV2_AWS_6", "aws_s3_bucket.bucket_good_1"):
        "only two of the four Block Public Access settings are on; a public policy can still be attached",
    ("CKV_AWS_145", "aws_s3_bucket.bucket_bad_5"):
        "its encryption is set in a `dynamic` block (present or not depending on a variable); tfparse "
        "drops dynamic blocks, so we report UNKNOWN with that reason rather than guess",
    ("CKV_AWS_145", "aws_s3_bucket.bucket_good_6"):
        "aws:kms without a key id uses the AWS-managed aws/s3 key, not a customer-managed one",
    ("CKV_AWS_20", "aws_s3_bucket.public_read"):
        "the fixture declares aws_s3_bucket.public_read twice (main.tf fails, same_resource_name/ passes) "
        "and Checkov lists the address as both expected to pass and to fail; we fail the public one",
    ("CKV_AWS_21", "aws_s3_bucket.default"): _INVALID_HCL,
    ("CKV_AWS_21", "aws_s3_bucket.disabled"): _INVALID_HCL,
    ("CKV_AWS_21", "aws_s3_bucket.disabled_v4"): _INVALID_HCL,
    ("CKV_AWS_20", "aws_s3_bucket.website"): "`website` is not a canned ACL S3 accepts; reported as a warning",
    ("CKV_AWS_20", "aws_s3_bucket.website_v4"): "`website` is not a canned ACL S3 accepts; reported as a warning",
    ("CKV2_AZURE_49", "azurerm_machine_learning_workspace.pass1"):
        "public_network_access_enabled is not set and the azurerm provider defaults it to true, so the "
        "workspace is reachable from public networks; Checkov passes an unset value",
}


def corpus_dir() -> Path:
    """The corpus: $CROWNJEWEL_CORPUS or ../shared/corpus beside the repository."""
    return Path(os.environ.get("CROWNJEWEL_CORPUS") or REPO.parent / "shared" / "corpus")


@dataclass
class Score:
    check_id: str
    check_name: str
    rules: tuple[str, ...]
    tp: list[str] = field(default_factory=list)
    fn: list[str] = field(default_factory=list)
    fp: list[str] = field(default_factory=list)
    tn: list[str] = field(default_factory=list)
    excused: dict[str, str] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return len(self.tp) / (len(self.tp) + len(self.fp)) if self.tp or self.fp else 1.0

    @property
    def recall(self) -> float:
        return len(self.tp) / (len(self.tp) + len(self.fn)) if self.tp or self.fn else 1.0


def peers() -> dict[str, tuple[str, ...]]:
    """Checkov check id -> our rule ids that claim it."""
    out: dict[str, list[str]] = {}
    for rule in load_rules().values():
        for check in rule.peers.get("checkov", ()):
            out.setdefault(check, []).append(rule.id)
    return {k: tuple(v) for k, v in out.items()}


def manifest_entries(root: Path) -> list[dict]:
    data = json.loads((root / "checkov" / "MANIFEST.json").read_text(encoding="utf-8"))
    return [e for key in ("resource_checks", "graph_checks") for e in data[key]]


def score_all(root: Path) -> list[Score]:
    """One Score per Checkov check we claim, over its fixture."""
    claimed = peers()
    scores: list[Score] = []
    for entry in manifest_entries(root):
        rules = claimed.get(entry["check_id"])
        if not rules:
            continue
        fixture = root / "checkov" / entry["fixture_dir"]
        result = scan_paths([str(fixture)], options=ScanOptions(all_assets=True, only_rules=rules))
        # Fixtures with sub-directories are several root modules: our ids then carry the root's
        # path (`same_resource_name/aws_s3_bucket.x`); Checkov's expectations use bare addresses.
        failed = {_ROOT_PREFIX.sub("", f.asset.id) for f in result.findings if f.status is Status.FAIL}
        # Checkov reports some failures on the resource that causes them (an IAM member, a policy
        # resource); ours sit on the asset they expose, with the cause named in the evidence.
        blamed = " ".join(e for f in result.findings if f.status is Status.FAIL for e in f.evidence)
        failed |= {a for a in entry["expected_fail"] + entry["expected_pass"]
                   if re.search(rf"(?<![\w.]){re.escape(a)}(?![\w\[])", blamed)}
        score = Score(entry["check_id"], entry["check_name"], rules)
        for address in entry["expected_fail"]:
            key = (entry["check_id"], address)
            if key in DISAGREEMENTS:
                score.excused[address] = DISAGREEMENTS[key]
            (score.tp if address in failed else score.fn).append(address)
        for address in entry["expected_pass"]:
            key = (entry["check_id"], address)
            if key in DISAGREEMENTS:
                score.excused[address] = DISAGREEMENTS[key]
            (score.fp if address in failed else score.tn).append(address)
        scores.append(score)
    return scores
