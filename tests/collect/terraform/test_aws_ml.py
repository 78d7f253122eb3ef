"""SageMaker resources and IAM grants become the shared model (MODEL, NOTEBOOK, ROLE_BINDING...)."""
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
    normalize(inp.resources, builder, inp.problems)
    return builder.freeze()


def edges(graph: EstateGraph, kind: EdgeKind) -> set[tuple[str, str]]:
    return {(e.src, e.dst) for e in graph.edges if e.kind is kind}


NETWORK = """
resource "aws_vpc" "ml" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "ml" {
  vpc_id     = aws_vpc.ml.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_kms_key" "ml" { enable_key_rotation = true }
resource "aws_iam_role" "sm" {
  name               = "sagemaker"
  assume_role_policy = "{}"
}
"""


def test_model_artefacts_and_isolation(tmp_path: Path) -> None:
    g = graph_of(tmp_path, NETWORK + """
resource "aws_s3_bucket" "weights" { bucket = "acme-weights" }
resource "aws_sagemaker_model" "m" {
  name               = "m"
  execution_role_arn = aws_iam_role.sm.arn
  primary_container {
    image          = "x"
    model_data_url = "s3://${aws_s3_bucket.weights.bucket}/m/model.tar.gz"
  }
  vpc_config {
    subnets            = [aws_subnet.ml.id]
    security_group_ids = ["sg-1"]
  }
}
resource "aws_sagemaker_model" "isolated" {
  name                     = "isolated"
  execution_role_arn       = "arn:aws:iam::111122223333:role/x"
  enable_network_isolation = true
  container {
    image          = "x"
    model_data_url = "s3://someone-elses-bucket/model.tar.gz"
  }
}
""")
    m = g["aws_sagemaker_model.m"]
    assert m.kind is Kind.MODEL and m.get("artifact_uri") == "s3://acme-weights/m/model.tar.gz"
    assert m.get("network_isolation") is False and m.get("execution_role") == "aws_iam_role.sm"
    assert ("aws_sagemaker_model.m", "aws_s3_bucket.weights") in edges(g, EdgeKind.STORES_ARTEFACTS_IN)
    assert ("aws_sagemaker_model.m", "aws_subnet.ml") in edges(g, EdgeKind.IN_NETWORK)
    isolated = g["aws_sagemaker_model.isolated"]
    assert isolated.get("network_isolation") is True and isolated.get("execution_role").endswith("role/x")


def test_notebook_defaults_and_settings(tmp_path: Path) -> None:
    g = graph_of(tmp_path, NETWORK + """
variable "internet" {}
resource "aws_sagemaker_notebook_instance" "defaults" {
  name          = "defaults"
  role_arn      = aws_iam_role.sm.arn
  instance_type = "ml.t3.medium"
}
resource "aws_sagemaker_notebook_instance" "locked" {
  name                   = "locked"
  role_arn               = aws_iam_role.sm.arn
  instance_type          = "ml.t3.medium"
  kms_key_id             = aws_kms_key.ml.arn
  subnet_id              = aws_subnet.ml.id
  security_groups        = ["sg-1"]
  direct_internet_access = "Disabled"
  root_access            = "Disabled"
}
resource "aws_sagemaker_notebook_instance" "unknown" {
  name                   = "unknown"
  role_arn               = aws_iam_role.sm.arn
  instance_type          = "ml.t3.medium"
  kms_key_id             = aws_kms_key.outside.arn
  direct_internet_access = var.internet
}
""")
    d = g["aws_sagemaker_notebook_instance.defaults"]
    assert d.kind is Kind.NOTEBOOK
    assert (d.get("encryption"), d.get("public_ip"), d.get("root_access"), d.get("in_private_network")) == \
        ("provider-managed", True, True, False)
    locked = g["aws_sagemaker_notebook_instance.locked"]
    assert (locked.get("encryption"), locked.get("public_ip"), locked.get("root_access"),
            locked.get("in_private_network")) == ("customer-managed", False, False, True)
    assert ("aws_sagemaker_notebook_instance.locked", "aws_kms_key.ml") in edges(g, EdgeKind.ENCRYPTED_BY)
    assert ("aws_sagemaker_notebook_instance.locked", "aws_subnet.ml") in edges(g, EdgeKind.IN_NETWORK)
    unknown = g["aws_sagemaker_notebook_instance.unknown"]
    # a key resource declared outside the configuration is still a customer-managed key
    assert unknown.get("encryption") == "customer-managed" and unknown.get("kms_key") == "aws_kms_key.outside.arn"
    assert not unknown.knows("public_ip") and "var.internet" in unknown.why_unknown("public_ip")


def test_domain_endpoint_registry(tmp_path: Path) -> None:
    g = graph_of(tmp_path, NETWORK + """
resource "aws_sagemaker_domain" "public" {
  domain_name = "studio"
  auth_mode   = "IAM"
  vpc_id      = aws_vpc.ml.id
  subnet_ids  = [aws_subnet.ml.id]
  default_user_settings { execution_role = aws_iam_role.sm.arn }
}
resource "aws_sagemaker_domain" "vpc_only" {
  domain_name             = "studio-private"
  auth_mode               = "IAM"
  vpc_id                  = aws_vpc.ml.id
  subnet_ids              = [aws_subnet.ml.id]
  kms_key_id              = aws_kms_key.ml.arn
  app_network_access_type = "VpcOnly"
  default_user_settings { execution_role = aws_iam_role.sm.arn }
}
resource "aws_sagemaker_endpoint_configuration" "serving" {
  name = "serving"
  production_variants {
    variant_name  = "main"
    model_name    = "m"
    instance_type = "ml.m5.large"
  }
}
resource "aws_sagemaker_model_package_group" "registry" {
  model_package_group_name = "fraud-models"
}
resource "aws_sagemaker_model_package_group_policy" "registry" {
  model_package_group_name = aws_sagemaker_model_package_group.registry.model_package_group_name
  resource_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = "*", Action = "sagemaker:DescribeModelPackage",
                   Resource = "*" }]
  })
}
""")
    public = g["aws_sagemaker_domain.public"]
    assert public.kind is Kind.AI_DOMAIN and public.get("public_internet") is True
    assert public.get("encryption") == "provider-managed" and public.get("execution_role") == "aws_iam_role.sm"
    private = g["aws_sagemaker_domain.vpc_only"]
    assert private.get("public_internet") is False and private.get("encryption") == "customer-managed"
    assert ("aws_sagemaker_domain.public", "aws_vpc.ml") in edges(g, EdgeKind.IN_NETWORK)
    serving = g["aws_sagemaker_endpoint_configuration.serving"]
    assert serving.kind is Kind.ENDPOINT and serving.get("public_endpoint") is False
    assert serving.get("encryption") == "provider-managed"
    registry = g["aws_sagemaker_model_package_group.registry"]
    assert registry.kind is Kind.MODEL_REGISTRY and len(registry.get("public_grants")) == 1
    assert not registry.knows("encryption")


def test_iam_bindings(tmp_path: Path) -> None:
    g = graph_of(tmp_path, NETWORK + """
resource "aws_s3_bucket" "weights" { bucket = "acme-weights" }
resource "aws_s3_bucket" "logs" { bucket = "acme-logs" }
resource "aws_iam_policy" "read_weights" {
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.weights.arn}/*" },
      { Effect = "Allow", Action = "ec2:Describe*", Resource = "*" },
    ]
  })
}
resource "aws_iam_role_policy_attachment" "read_weights" {
  role       = aws_iam_role.sm.name
  policy_arn = aws_iam_policy.read_weights.arn
}
resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.sm.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
resource "aws_iam_user" "researcher" { name = "researcher" }
resource "aws_iam_user_policy" "researcher" {
  user = aws_iam_user.researcher.name
  policy = jsonencode({
    Statement = [{ Effect = "Allow", NotAction = "iam:*", Resource = "*" }]
  })
}
""")
    read = g["aws_iam_policy.read_weights.statement[0]"]
    assert read.kind is Kind.ROLE_BINDING and read.get("role") == "s3:GetObject"
    assert read.get("members") == ("aws_iam_role.sm",) and read.get("resource") == "aws_s3_bucket.weights"
    assert "aws_iam_policy.read_weights.statement[1]" not in g  # EC2 actions do not reach artefacts
    grants = edges(g, EdgeKind.GRANTS)
    assert ("aws_iam_policy.read_weights.statement[0]", "aws_s3_bucket.weights") in grants
    assert ("aws_iam_policy.read_weights.statement[0]", "aws_s3_bucket.logs") not in grants
    admin = g["aws_iam_role_policy_attachment.admin"]
    assert admin.get("role") == "*" and admin.get("resource") == "*"
    assert ("aws_iam_role_policy_attachment.admin", "aws_s3_bucket.logs") in grants
    assert ("aws_iam_role_policy_attachment.admin", "aws_iam_role.sm") in edges(g, EdgeKind.GRANTED_TO)
    researcher = g["aws_iam_user_policy.researcher.statement[0]"]
    assert researcher.get("role") == "*" and researcher.get("not_actions") == ("iam:*",)
    assert g["aws_iam_role.sm"].kind is Kind.PRINCIPAL
