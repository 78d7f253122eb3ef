"""KMS keys, CloudTrail trails, VPC flow logs and ECR repositories become the shared model."""
from __future__ import annotations

from pathlib import Path

from crownjewel.collect.terraform.loader import TfInput, load_directory
from crownjewel.collect.terraform.normalize import normalize
from crownjewel.model.assets import EdgeKind, Kind
from crownjewel.model.graph import EstateGraph, GraphBuilder


def graph_of(tmp_path: Path, text: str) -> EstateGraph:
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    inp = TfInput()
    load_directory(tmp_path, inp)
    assert not [p for p in inp.problems if p.level == "error"], [str(p) for p in inp.problems]
    builder = GraphBuilder()
    unmodelled = normalize(inp.resources, builder, inp.problems)
    assert not {t for t in unmodelled if t.startswith("aws_")}, unmodelled
    return builder.freeze()


def edges(graph: EstateGraph, kind: EdgeKind) -> set[tuple[str, str]]:
    return {(e.src, e.dst) for e in graph.edges if e.kind is kind}


def test_kms_rotation_defaults_and_specs(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
variable "period" {}
resource "aws_kms_key" "never" {}
resource "aws_kms_key" "yearly" {
  enable_key_rotation = true
}
resource "aws_kms_key" "quarterly" {
  enable_key_rotation     = true
  rotation_period_in_days = 90
  is_enabled              = false
}
resource "aws_kms_key" "asymmetric" {
  customer_master_key_spec = "RSA_2048"
  key_usage                = "SIGN_VERIFY"
}
resource "aws_kms_key" "unknown" {
  enable_key_rotation     = true
  rotation_period_in_days = var.period
}
resource "aws_kms_alias" "quarterly" {
  name          = "alias/model-weights"
  target_key_id = aws_kms_key.quarterly.key_id
}
""")
    assert g["aws_kms_key.never"].get("rotation_period_days") is None
    assert g["aws_kms_key.never"].knows("rotation_period_days")
    assert g["aws_kms_key.yearly"].get("rotation_period_days") == 365.0
    quarterly = g["aws_kms_key.quarterly"]
    assert quarterly.get("rotation_period_days") == 90.0 and quarterly.get("enabled") is False
    assert quarterly.name == "alias/model-weights" and quarterly.get("managed_by") == "customer"
    assert g["aws_kms_key.asymmetric"].get("rotation_period_days") is None
    unknown = g["aws_kms_key.unknown"]
    assert not unknown.knows("rotation_period_days") and "var.period" in unknown.why_unknown("rotation_period_days")
    assert g["aws_kms_key.never"].get("policy_defined") is False
    assert "aws_kms_alias.quarterly" not in g


def test_kms_key_policy_wildcards(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "aws_kms_key" "open" {
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Principal = { AWS = ["arn:aws:iam::111122223333:root", "*"] }, Action = "kms:*", Resource = "*" }
    ]
  })
}
resource "aws_kms_key" "account" {
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Principal = "*", Action = "kms:Decrypt", Resource = "*",
        Condition = { StringEquals = { "kms:CallerAccount" = "111122223333" } } }
    ]
  })
}
resource "aws_kms_key" "split" {}
resource "aws_kms_key_policy" "split" {
  key_id = aws_kms_key.split.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = "*", Action = "kms:Decrypt", Resource = "*" }]
  })
}
""")
    assert len(g["aws_kms_key.open"].get("public_grants")) == 1
    account = g["aws_kms_key.account"]
    assert account.get("public_grants") == () and account.get("policy_defined") is True
    assert "kms:CallerAccount" in account.get("wildcard_principals")[0]
    split = g["aws_kms_key.split"]
    assert len(split.get("public_grants")) == 1 and "aws_kms_key_policy.split" in split.get("public_grants")[0]
    assert dict(split.get("tf_sources"))["policy"].line > 1


def test_cloudtrail_data_events(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "aws_s3_bucket" "models" { bucket = "acme-models" }
resource "aws_s3_bucket" "other" { bucket = "acme-other" }
resource "aws_s3_bucket" "trail" { bucket = "acme-trail" }
resource "aws_kms_key" "trail" {}
resource "aws_cloudtrail" "specific" {
  name           = "specific"
  s3_bucket_name = aws_s3_bucket.trail.id
  kms_key_id     = aws_kms_key.trail.arn
  event_selector {
    read_write_type = "All"
    data_resource {
      type   = "AWS::S3::Object"
      values = ["${aws_s3_bucket.models.arn}/"]
    }
  }
}
resource "aws_cloudtrail" "everything" {
  name                       = "everything"
  s3_bucket_name             = "external-trail-bucket"
  enable_logging             = false
  enable_log_file_validation = true
  is_multi_region_trail      = true
  event_selector {
    data_resource {
      type   = "AWS::S3::Object"
      values = ["arn:aws:s3"]
    }
  }
}
resource "aws_cloudtrail" "writes" {
  name           = "writes"
  s3_bucket_name = "x"
  event_selector {
    read_write_type = "WriteOnly"
    data_resource {
      type   = "AWS::S3::Object"
      values = ["arn:aws:s3"]
    }
  }
}
resource "aws_cloudtrail" "advanced" {
  name           = "advanced"
  s3_bucket_name = "x"
  advanced_event_selector {
    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }
    field_selector {
      field  = "resources.type"
      equals = ["AWS::S3::Object"]
    }
    field_selector {
      field       = "resources.ARN"
      starts_with = ["arn:aws:s3:::acme-other/"]
    }
  }
}
""")
    specific = g["aws_cloudtrail.specific"]
    assert specific.kind is Kind.AUDIT_LOG
    assert specific.get("logging_enabled") is True and specific.get("log_file_validation") is False
    assert specific.get("data_event_buckets") == ("arn:aws:s3:::acme-models/",)
    assert specific.get("log_bucket") == "aws_s3_bucket.trail" and specific.get("kms_key") == "aws_kms_key.trail"
    everything = g["aws_cloudtrail.everything"]
    assert everything.get("data_event_buckets") == ("*",) and everything.get("logging_enabled") is False
    assert everything.get("multi_region") is True and everything.get("log_bucket") == "external-trail-bucket"
    assert g["aws_cloudtrail.writes"].get("data_event_buckets") == ()
    assert g["aws_cloudtrail.advanced"].get("data_event_buckets") == ("arn:aws:s3:::acme-other/",)
    monitors = edges(g, EdgeKind.MONITORS)
    assert ("aws_cloudtrail.specific", "aws_s3_bucket.models") in monitors
    assert ("aws_cloudtrail.specific", "aws_s3_bucket.other") not in monitors
    assert ("aws_cloudtrail.everything", "aws_s3_bucket.other") in monitors
    assert ("aws_cloudtrail.specific", "aws_s3_bucket.trail") in edges(g, EdgeKind.LOGS_TO)


def test_vpc_subnet_flow_logs(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "aws_vpc" "logged" {
  cidr_block = "10.0.0.0/16"
  tags       = { Name = "ml-vpc" }
}
resource "aws_vpc" "dark" { cidr_block = "10.1.0.0/16" }
resource "aws_vpc" "rejects" { cidr_block = "10.2.0.0/16" }
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.logged.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_subnet" "b" {
  vpc_id     = aws_vpc.dark.id
  cidr_block = "10.1.1.0/24"
}
resource "aws_flow_log" "logged" {
  vpc_id          = aws_vpc.logged.id
  traffic_type    = "ALL"
  log_destination = "arn:aws:s3:::flow"
}
resource "aws_flow_log" "rejects" {
  vpc_id          = aws_vpc.rejects.id
  traffic_type    = "REJECT"
  log_destination = "arn:aws:s3:::flow"
}
""")
    assert g["aws_vpc.logged"].name == "ml-vpc" and g["aws_vpc.logged"].get("flow_logs") is True
    assert g["aws_vpc.dark"].get("flow_logs") is False
    assert g["aws_vpc.rejects"].get("flow_logs") is False
    assert g["aws_subnet.a"].get("flow_logs") is True and g["aws_subnet.a"].get("network") == "aws_vpc.logged"
    assert g["aws_subnet.b"].get("flow_logs") is False
    assert ("aws_flow_log.logged", "aws_vpc.logged") in edges(g, EdgeKind.MONITORS)
    assert ("aws_subnet.a", "aws_vpc.logged") in edges(g, EdgeKind.IN_NETWORK)
    assert g["aws_flow_log.logged"].get("target") == "aws_vpc.logged"


def test_ecr_repositories(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "aws_kms_key" "ecr" {}
resource "aws_ecr_repository" "default" { name = "acme/model-serving" }
resource "aws_ecr_repository" "cmek" {
  name                 = "acme/llm-serving"
  image_tag_mutability = "IMMUTABLE"
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.ecr.arn
  }
}
resource "aws_ecr_repository" "aws_kms" {
  name = "acme/aws-kms"
  encryption_configuration { encryption_type = "KMS" }
}
resource "aws_ecr_repository_policy" "default" {
  repository = aws_ecr_repository.default.name
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = "*", Action = ["ecr:BatchGetImage"] }]
  })
}
resource "aws_ecr_repository_policy" "external" {
  repository = "someone-elses-repo"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" }, Action = ["ecr:BatchGetImage"] }]
  })
}
""")
    default = g["aws_ecr_repository.default"]
    assert default.kind is Kind.CONTAINER_REGISTRY and default.get("encryption") == "provider-managed"
    assert default.get("tag_immutable") is False and len(default.get("public_grants")) == 1
    cmek = g["aws_ecr_repository.cmek"]
    assert cmek.get("encryption") == "customer-managed" and cmek.get("tag_immutable") is True
    assert ("aws_ecr_repository.cmek", "aws_kms_key.ecr") in edges(g, EdgeKind.ENCRYPTED_BY)
    assert g["aws_ecr_repository.aws_kms"].get("encryption") == "provider-managed"
    external = g["aws_ecr_repository_policy.external"]
    assert external.name == "someone-elses-repo" and external.get("public_grants") == ()
    assert not external.knows("encryption")
