"""AWS fixes: built from the user's real blocks, valid Terraform, and passing on rescan."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from crownjewel.fixapply import apply_fixes
from crownjewel.model.findings import Finding, Status
from crownjewel.pipeline import ScanOptions, scan_paths
from crownjewel.rules.fixes._aws_text import aligned, drop_blocks, hcl_value

BUCKET = """
resource "aws_s3_bucket" "models" {
  bucket = "acme-model-weights" # prod
}
"""


def failing(tmp_path: Path, rule_id: str) -> list[Finding]:
    result = scan_paths([str(tmp_path)], options=ScanOptions(only_rules=(rule_id,)))
    assert not result.input_errors, [str(p) for p in result.problems]
    return [f for f in result.findings if f.status is Status.FAIL]


def fix_and_rescan(tmp_path: Path, text: str, rule_id: str) -> str:
    """Apply the rule's fixes (up to three rounds) and return the fixed file; the rule must pass."""
    main = tmp_path / "main.tf"
    main.write_text(text, encoding="utf-8")
    assert failing(tmp_path, rule_id), "the input should fail the rule"
    for _ in range(3):
        failed = failing(tmp_path, rule_id)
        if not failed:
            break
        assert all(f.fix is not None for f in failed), [f.asset.id for f in failed if f.fix is None]
        apply_fixes(f.fix for f in failed if f.fix)
    fixed = main.read_text()
    assert not failing(tmp_path, rule_id), fixed
    if shutil.which("terraform"):  # the fixed file is formatted as `terraform fmt` would
        check = subprocess.run(["terraform", "fmt", "-check", "-diff", "-"], input=fixed, text=True,
                               capture_output=True, check=False)
        assert check.returncode == 0, check.stdout
    return fixed


def test_cmek_appends_split_resource_and_key(tmp_path: Path) -> None:
    fixed = fix_and_rescan(tmp_path, BUCKET, "storage.model-store-not-cmek")
    assert 'bucket = "acme-model-weights" # prod' in fixed
    assert 'resource "aws_kms_key" "models_cmek"' in fixed and "rotation_period_in_days = 90" in fixed
    assert 'resource "aws_s3_bucket_server_side_encryption_configuration" "models"' in fixed
    assert "kms_master_key_id = aws_kms_key.models_cmek.arn" in fixed


def test_cmek_edits_inline_legacy_block(tmp_path: Path) -> None:
    text = """
resource "aws_s3_bucket" "models" {
  bucket = "acme-model-weights"

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }
}
"""
    fixed = fix_and_rescan(tmp_path, text, "storage.model-store-not-cmek")
    assert fixed.count("server_side_encryption_configuration") == 1
    assert '"aws:kms"' in fixed and "AES256" not in fixed


def test_versioning_repeats_for_each(tmp_path: Path) -> None:
    text = """
resource "aws_s3_bucket" "models" {
  for_each = toset(["weights", "checkpoints"])
  bucket   = "acme-model-${each.key}"
}
"""
    fixed = fix_and_rescan(tmp_path, text, "storage.model-store-versioning-off")
    assert fixed.count('resource "aws_s3_bucket_versioning" "models"') == 1
    assert 'for_each = toset(["weights", "checkpoints"])' in fixed.split("aws_s3_bucket_versioning")[1]
    assert "bucket   = aws_s3_bucket.models[each.key].id" in fixed


def test_versioning_edits_existing_split_resource(tmp_path: Path) -> None:
    text = BUCKET + """
resource "aws_s3_bucket_versioning" "models" {
  bucket = aws_s3_bucket.models.id
  versioning_configuration {
    status = "Suspended"
  }
}
"""
    fixed = fix_and_rescan(tmp_path, text, "storage.model-store-versioning-off")
    assert 'status = "Enabled"' in fixed and fixed.count("aws_s3_bucket_versioning") == 1


def test_public_acl_grants_and_heredoc_policy(tmp_path: Path) -> None:
    text = BUCKET + """
resource "aws_s3_bucket_acl" "models" {
  bucket = aws_s3_bucket.models.id
  access_control_policy {
    grant {
      grantee {
        id   = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
        type = "CanonicalUser"
      }
      permission = "FULL_CONTROL"
    }
    grant {
      grantee {
        type = "Group"
        uri  = "http://acs.amazonaws.com/groups/global/AllUsers"
      }
      permission = "READ"
    }
    owner {
      id = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
    }
  }
}

resource "aws_s3_bucket_policy" "models" {
  bucket = aws_s3_bucket.models.id
  policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::acme-model-weights/*"},
    {"Sid": "Home", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
     "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-model-weights/home/$${aws:username}/*"}
  ]
}
POLICY
}
"""
    fixed = fix_and_rescan(tmp_path, text, "storage.model-store-public")
    assert "AllUsers" not in fixed and "CanonicalUser" in fixed  # only the public grant goes
    assert '"Public"' not in fixed and 'Sid    = "Home"' in fixed
    # the IAM policy variable stays a literal, the bucket ARN becomes a reference again
    assert '"${aws_s3_bucket.models.arn}/home/$${aws:username}/*"' in fixed


def test_policy_of_external_bucket_is_removed_when_nothing_is_left(tmp_path: Path) -> None:
    text = """
resource "aws_s3_bucket_policy" "external" {
  bucket = "acme-shared-models"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "arn:aws:s3:::acme-shared-models/*" }]
  })
}

resource "aws_s3_bucket" "keep" {
  bucket = "unrelated"
}
"""
    fixed = fix_and_rescan(tmp_path, text, "storage.model-store-public")
    assert "aws_s3_bucket_policy" not in fixed and 'resource "aws_s3_bucket" "keep"' in fixed


def test_authenticated_read_canned_acl(tmp_path: Path) -> None:
    text = BUCKET.replace('# prod\n', '# prod\n  acl    = "authenticated-read"\n')
    fixed = fix_and_rescan(tmp_path, text, "storage.model-store-authenticated-users")
    assert 'acl    = "private"' in fixed


def test_block_public_access_edits_partial_block(tmp_path: Path) -> None:
    text = BUCKET + """
resource "aws_s3_bucket_public_access_block" "models" {
  bucket            = aws_s3_bucket.models.id
  block_public_acls = true
}
"""
    fixed = fix_and_rescan(tmp_path, text, "storage.model-store-public-access-not-prevented")
    assert fixed.count("restrict_public_buckets = true") == 1


def test_access_logging_reuses_the_module_log_bucket(tmp_path: Path) -> None:
    text = BUCKET + """
resource "aws_s3_bucket" "datasets" {
  bucket = "acme-training-datasets"
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-s3-access-logs"
}

resource "aws_s3_bucket_logging" "datasets" {
  bucket        = aws_s3_bucket.datasets.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "datasets/"
}
"""
    fixed = fix_and_rescan(tmp_path, text, "logging.model-store-access-logging-off")
    assert "target_bucket = aws_s3_bucket.logs.id" in fixed.split('"aws_s3_bucket_logging" "models"')[1]
    assert "s3-access-logs-" not in fixed  # no new log bucket


def test_reads_audited_with_advanced_selectors(tmp_path: Path) -> None:
    text = BUCKET + """
resource "aws_cloudtrail" "org" {
  name           = "org"
  s3_bucket_name = "acme-trail"
  advanced_event_selector {
    name = "Management"
    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }
  }
}
"""
    fixed = fix_and_rescan(tmp_path, text, "logging.model-store-reads-not-audited")
    assert fixed.count("advanced_event_selector {") == 2 and "event_selector {" not in fixed.replace(
        "advanced_event_selector {", "")
    assert 'starts_with = ["${aws_s3_bucket.models.arn}/"]' in fixed


def test_key_rotation_and_asymmetric_keys(tmp_path: Path) -> None:
    text = BUCKET + """
resource "aws_kms_key" "models" {
  enable_key_rotation = false
}

resource "aws_s3_bucket_server_side_encryption_configuration" "models" {
  bucket = aws_s3_bucket.models.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.models.arn
    }
  }
}
"""
    fixed = fix_and_rescan(tmp_path, text, "kms.key-rotation-over-90-days")
    assert "enable_key_rotation     = true" in fixed and "rotation_period_in_days = 90" in fixed


def test_notebook_without_subnet_gets_variables(tmp_path: Path) -> None:
    text = """
resource "aws_sagemaker_notebook_instance" "research" {
  name          = "llm-research"
  role_arn      = "arn:aws:iam::111122223333:role/notebook"
  instance_type = "ml.t3.medium"
}
"""
    fixed = fix_and_rescan(tmp_path, text, "ai.notebook-public-ip")
    assert 'direct_internet_access = "Disabled"' in fixed
    assert 'variable "research_subnet_id"' in fixed and "subnet_id              = var.research_subnet_id" in fixed


def test_broad_inline_role_policy_is_narrowed(tmp_path: Path) -> None:
    text = BUCKET + """
resource "aws_iam_role" "training" {
  name               = "training"
  assume_role_policy = "{}"

  inline_policy {
    name = "models"
    policy = jsonencode({
      Statement = [{ Effect = "Allow", NotAction = "iam:*", Resource = aws_s3_bucket.models.arn }]
    })
  }
}
"""
    fixed = fix_and_rescan(tmp_path, text, "iam.broad-role-on-model-store")
    assert "NotAction" not in fixed and '"s3:GetObject", "s3:ListBucket"' in fixed
    assert "Resource = aws_s3_bucket.models.arn" in fixed


def test_registry_and_key_policies_drop_public_statements(tmp_path: Path) -> None:
    text = """
resource "aws_ecr_repository" "serving" {
  name = "acme/model-serving"
}

resource "aws_ecr_repository_policy" "serving" {
  repository = aws_ecr_repository.serving.name
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = "*", Action = ["ecr:BatchGetImage"] }]
  })
}
"""
    fixed = fix_and_rescan(tmp_path, text, "registry.public")
    assert "aws_ecr_repository_policy" not in fixed and 'resource "aws_ecr_repository" "serving"' in fixed


def test_subnet_and_vpc_share_one_flow_log(tmp_path: Path) -> None:
    text = """
resource "aws_vpc" "ml" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "training" {
  vpc_id     = aws_vpc.ml.id
  cidr_block = "10.0.1.0/24"
}
"""
    fixed = fix_and_rescan(tmp_path, text, "network.ai-network-no-flow-logs")
    assert fixed.count('resource "aws_flow_log"') == 1 and 'traffic_type             = "ALL"' in fixed


@pytest.mark.parametrize(("value", "expected"), [
    ({"A": 1, "Long": "x"}, '{\nA    = 1\nLong = "x"\n}'),
    ({"__tf_ref__": "aws_kms_key.k.arn"}, "aws_kms_key.k.arn"),
    (["a", {"b:c": True}], '[\n"a",\n{\n"b:c" = true\n},\n]'),
    ("${literal}", '"$${literal}"'),
])
def test_hcl_value(value: object, expected: str) -> None:
    assert hcl_value(value) == expected


def test_drop_blocks_and_aligned() -> None:
    block = 'x {\n  grant {\n    a = 1\n  }\n  grant {\n    a = 2\n  }\n}\n'
    assert drop_blocks(block, "grant", lambda b: "2" in b) == 'x {\n  grant {\n    a = 1\n  }\n}\n'
    assert aligned('x {\n  a = 1\n  long = <<EOF\n b = 2\nEOF\n  cc = 3\n}') == \
        'x {\n  a = 1\n  long = <<EOF\n b = 2\nEOF\n  cc = 3\n}'
    assert aligned('x {\n  a = 1\n  long = 2\n}') == 'x {\n  a    = 1\n  long = 2\n}'


def test_plan_inputs_are_never_edited(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text("""{"format_version": "1.2", "planned_values": {"root_module": {"resources": [
      {"address": "aws_s3_bucket.models", "mode": "managed", "type": "aws_s3_bucket", "name": "models",
       "values": {"bucket": "acme-models", "versioning": [], "grant": [], "logging": []}}]}}}""")
    result = scan_paths([str(plan)], options=ScanOptions(only_rules=("storage.model-store-public-access-not-prevented",
                                                                     "storage.model-store-versioning-off")))
    failed = [f for f in result.findings if f.status is Status.FAIL]
    assert failed
    assert not [e for f in failed if f.fix for e in f.fix.edits]


def no_duplicates(tmp_path: Path) -> None:
    result = scan_paths([str(tmp_path)])
    assert not [p for p in result.problems if "duplicate resource address" in str(p)], \
        [str(p) for p in result.problems]


def test_access_logging_of_a_counted_bucket_is_declared_once(tmp_path: Path) -> None:
    text = """
resource "aws_s3_bucket" "models" {
  count  = 2
  bucket = "acme-models-${count.index}"
}
"""
    fixed = fix_and_rescan(tmp_path, text, "logging.model-store-access-logging-off")
    no_duplicates(tmp_path)
    assert fixed.count('resource "aws_s3_bucket_logging" "models"') == 1
    assert fixed.count('resource "aws_s3_bucket" "models_access_logs"') == 1
    assert 'target_prefix = "acme-models-${count.index}/"' in fixed  # as the block names the bucket


def test_flow_logs_of_a_counted_vpc_are_declared_once(tmp_path: Path) -> None:
    text = """
resource "aws_vpc" "ml" {
  count      = 2
  cidr_block = "10.${count.index}.0.0/16"
}
"""
    fixed = fix_and_rescan(tmp_path, text, "network.ai-network-no-flow-logs")
    no_duplicates(tmp_path)
    assert fixed.count('resource "aws_flow_log" "ml"') == 1
    assert "vpc_id                   = aws_vpc.ml[count.index].id" in fixed


def test_references_of_a_second_root_have_no_root_prefix(tmp_path: Path) -> None:
    for root in ("prod", "staging"):
        (tmp_path / root).mkdir()
        (tmp_path / root / "main.tf").write_text("""
resource "aws_vpc" "ml" {
  cidr_block = "10.0.0.0/16"
}
""", encoding="utf-8")
    result = scan_paths([str(tmp_path)], options=ScanOptions(only_rules=("network.ai-network-no-flow-logs",)))
    fixes = [f.fix for f in result.findings if f.status is Status.FAIL and f.fix]
    assert len(fixes) == 2
    for fix in fixes:
        assert "vpc_id                   = aws_vpc.ml.id" in fix.terraform
