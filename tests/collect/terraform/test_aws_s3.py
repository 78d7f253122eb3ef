"""aws_s3_bucket and its split resources become one OBJECT_STORE asset with the shared attributes."""
from __future__ import annotations

from pathlib import Path

from crownjewel.collect.problems import InputProblem
from crownjewel.collect.terraform.loader import TfInput, load_directory
from crownjewel.collect.terraform.normalize import normalize
from crownjewel.model.assets import EdgeKind, Kind
from crownjewel.model.graph import EstateGraph, GraphBuilder


def load(tmp_path: Path, text: str) -> tuple[EstateGraph, list[InputProblem]]:
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    inp = TfInput()
    load_directory(tmp_path, inp)
    assert not [p for p in inp.problems if p.level == "error"], [str(p) for p in inp.problems]
    builder = GraphBuilder()
    normalize(inp.resources, builder, inp.problems)
    return builder.freeze(), inp.problems


def graph_of(tmp_path: Path, text: str) -> EstateGraph:
    return load(tmp_path, text)[0]


def edges(graph: EstateGraph, kind: EdgeKind) -> set[tuple[str, str]]:
    return {(e.src, e.dst) for e in graph.edges if e.kind is kind}


def test_bucket_defaults(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "aws_s3_bucket" "models" {
  bucket = "acme-models"
  tags   = { team = "ml" }
}
""")
    b = g["aws_s3_bucket.models"]
    assert b.kind is Kind.OBJECT_STORE and b.provider == "aws" and b.name == "acme-models"
    assert b.tags == {"team": "ml"}
    assert dict(b.attrs) == {
        "encryption": "provider-managed", "public_grants": (), "authenticated_grants": (),
        "secure_transport_required": False, "public_access_prevention": False,
        "uniform_access": False, "versioning": False, "access_logging": False,
        "retention_locked": False, "replication_destinations": (),
    }
    assert not b.unknown


def test_split_resources_merge_onto_the_right_bucket(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "aws_kms_key" "models" {
  enable_key_rotation = true
}
resource "aws_s3_bucket" "models" {
  bucket = "acme-models"
}
resource "aws_s3_bucket" "other" {
  bucket = "acme-other"
}
resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
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
resource "aws_s3_bucket_versioning" "models" {
  bucket = aws_s3_bucket.models.bucket
  versioning_configuration { status = "Enabled" }
}
resource "aws_s3_bucket_public_access_block" "models" {
  bucket                  = aws_s3_bucket.models.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
resource "aws_s3_bucket_logging" "models" {
  bucket        = aws_s3_bucket.models.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "models/"
}
resource "aws_s3_bucket_ownership_controls" "models" {
  bucket = aws_s3_bucket.models.id
  rule { object_ownership = "BucketOwnerEnforced" }
}
resource "aws_s3_bucket_object_lock_configuration" "models" {
  bucket = aws_s3_bucket.models.id
  rule {
    default_retention {
      mode = "COMPLIANCE"
      days = 30
    }
  }
}
resource "aws_s3_bucket_versioning" "other" {
  bucket = aws_s3_bucket.other.id
  versioning_configuration { status = "Suspended" }
}
""")
    models, other = g["aws_s3_bucket.models"], g["aws_s3_bucket.other"]
    assert models.get("encryption") == "customer-managed" and models.get("kms_key") == "aws_kms_key.models"
    assert models.get("versioning") is True and other.get("versioning") is False
    assert models.get("public_access_prevention") is True and other.get("public_access_prevention") is False
    assert models.get("access_logging") is True and models.get("log_target") == "aws_s3_bucket.logs"
    assert models.get("uniform_access") is True and models.get("retention_locked") is True
    assert ("aws_s3_bucket.models", "aws_kms_key.models") in edges(g, EdgeKind.ENCRYPTED_BY)
    assert ("aws_s3_bucket.models", "aws_s3_bucket.logs") in edges(g, EdgeKind.LOGS_TO)
    aspects = dict(models.get("tf_sources"))
    assert set(aspects) == {"encryption", "versioning", "public_access_block", "logging", "ownership",
                            "object_lock"}
    assert aspects["versioning"].line > 1
    # split resources of buckets in the estate are not assets of their own
    assert "aws_s3_bucket_versioning.models" not in g


def test_legacy_inline_arguments(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "aws_s3_bucket" "legacy" {
  bucket = "acme-legacy-models"
  acl    = "public-read"
  versioning {
    enabled = true
  }
  logging {
    target_bucket = "acme-logs"
  }
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }
  replication_configuration {
    role = "arn:aws:iam::111122223333:role/replication"
    rules {
      status = "Enabled"
      destination {
        bucket     = "arn:aws:s3:::acme-dr"
        account_id = "444455556666"
      }
    }
  }
  grant {
    type        = "Group"
    uri         = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
    permissions = ["READ"]
  }
}
""")
    b = g["aws_s3_bucket.legacy"]
    assert b.get("encryption") == "provider-managed" and b.get("versioning") is True
    assert b.get("access_logging") is True and b.get("log_target") == "acme-logs"
    assert b.get("public_grants") == ("aws_s3_bucket.legacy sets the canned ACL 'public-read'",)
    assert b.get("authenticated_grants") == ("aws_s3_bucket.legacy grants READ to the AuthenticatedUsers group",)
    assert b.get("replication_destinations") == ("arn:aws:s3:::acme-dr (account 444455556666)",)


def test_encryption_interpretation(tmp_path: Path) -> None:
    g, problems = load(tmp_path, """
variable "algo" {}
resource "aws_s3_bucket" "aws_managed" { bucket = "a" }
resource "aws_s3_bucket" "alias" { bucket = "b" }
resource "aws_s3_bucket" "external" { bucket = "c" }
resource "aws_s3_bucket" "unknown" { bucket = "d" }
resource "aws_s3_bucket" "invalid" { bucket = "e" }
resource "aws_s3_bucket_server_side_encryption_configuration" "aws_managed" {
  bucket = aws_s3_bucket.aws_managed.id
  rule {
    apply_server_side_encryption_by_default { sse_algorithm = "aws:kms" }
  }
}
resource "aws_s3_bucket_server_side_encryption_configuration" "alias" {
  bucket = aws_s3_bucket.alias.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "alias/aws/s3"
    }
  }
}
resource "aws_s3_bucket_server_side_encryption_configuration" "external" {
  bucket = aws_s3_bucket.external.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms:dsse"
      kms_master_key_id = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }
}
resource "aws_s3_bucket_server_side_encryption_configuration" "unknown" {
  bucket = aws_s3_bucket.unknown.id
  rule {
    apply_server_side_encryption_by_default { sse_algorithm = var.algo }
  }
}
resource "aws_s3_bucket_server_side_encryption_configuration" "invalid" {
  bucket = aws_s3_bucket.invalid.id
  rule {
    apply_server_side_encryption_by_default { sse_algorithm = "rot13" }
  }
}
""")
    assert g["aws_s3_bucket.aws_managed"].get("encryption") == "provider-managed"
    assert g["aws_s3_bucket.alias"].get("encryption") == "provider-managed"
    external = g["aws_s3_bucket.external"]
    assert external.get("encryption") == "customer-managed" and external.get("kms_key").startswith("arn:aws:kms:")
    unknown = g["aws_s3_bucket.unknown"]
    assert not unknown.knows("encryption") and "var.algo" in unknown.why_unknown("encryption")
    assert g["aws_s3_bucket.invalid"].get("encryption") == "provider-managed"
    assert any("rot13" in p.message for p in problems)


def test_policies_public_and_restricted(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "aws_s3_bucket" "public" { bucket = "acme-public-models" }
resource "aws_s3_bucket" "vpce" { bucket = "acme-vpce-models" }
resource "aws_s3_bucket" "doc" { bucket = "acme-doc-models" }
resource "aws_s3_bucket_policy" "public" {
  bucket = aws_s3_bucket.public.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Anyone", Effect = "Allow", Principal = { AWS = "*" }, Action = "s3:GetObject",
        Resource = "${aws_s3_bucket.public.arn}/*" },
      { Sid = "TLS", Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "${aws_s3_bucket.public.arn}/*",
        Condition = { Bool = { "aws:SecureTransport" = "false" } } },
      { Sid = "NotReally", Effect = "Allow", Principal = "*", Action = "s3:GetObject",
        Resource = "${aws_s3_bucket.public.arn}/*",
        Condition = { "ForAllValues:StringEquals" = { "aws:PrincipalOrgID" = "o-abc" } } },
    ]
  })
}
resource "aws_s3_bucket_policy" "vpce" {
  bucket = aws_s3_bucket.vpce.id
  policy = <<POLICY
{
  "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::acme-vpce-models/*",
    "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1234"}}
  }]
}
POLICY
}
data "aws_iam_policy_document" "doc" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.doc.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}
resource "aws_s3_bucket_policy" "doc" {
  bucket = aws_s3_bucket.doc.id
  policy = data.aws_iam_policy_document.doc.json
}
""")
    public = g["aws_s3_bucket.public"]
    grants = public.get("public_grants")
    assert len(grants) == 2 and "'Anyone'" in grants[0] and "'NotReally'" in grants[1]
    assert public.get("secure_transport_required") is True
    assert g["aws_s3_bucket.vpce"].get("public_grants") == ()
    assert len(g["aws_s3_bucket.doc"].get("public_grants")) == 1
    policy = dict(public.get("tf_policies"))["policy"]
    assert '"__tf_tpl__": "${aws_s3_bucket.public.arn}/*"' in policy


def test_unresolved_policy_and_acl_are_unknown(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
variable "policy" {}
variable "acl" {}
resource "aws_s3_bucket" "models" {
  bucket = "acme-models"
  acl    = var.acl
}
resource "aws_s3_bucket_policy" "models" {
  bucket = aws_s3_bucket.models.id
  policy = var.policy
}
""")
    b = g["aws_s3_bucket.models"]
    assert not b.knows("public_grants") and "var." in b.why_unknown("public_grants")
    assert not b.knows("authenticated_grants")


def test_split_resource_of_an_external_bucket_is_its_own_asset(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "aws_s3_bucket_acl" "external" {
  bucket = "acme-external-models"
  access_control_policy {
    grant {
      grantee {
        type = "Group"
        uri  = "http://acs.amazonaws.com/groups/global/AllUsers"
      }
      permission = "READ"
    }
    owner {
      id = "abc"
    }
  }
}
""")
    stub = g["aws_s3_bucket_acl.external"]
    assert stub.kind is Kind.OBJECT_STORE and stub.name == "acme-external-models"
    assert stub.native_type == "aws_s3_bucket_acl"
    assert stub.get("public_grants") == ("aws_s3_bucket_acl.external grants READ to the AllUsers group",)
    assert not stub.knows("versioning") and "outside the scanned Terraform" in stub.why_unknown("versioning")


def test_account_public_access_block_and_for_each(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "aws_s3_account_public_access_block" "this" {
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
resource "aws_s3_bucket" "models" {
  for_each = toset(["weights", "checkpoints"])
  bucket   = "acme-${each.key}"
}
resource "aws_s3_bucket_versioning" "models" {
  for_each = toset(["weights", "checkpoints"])
  bucket   = aws_s3_bucket.models[each.key].id
  versioning_configuration { status = "Enabled" }
}
""")
    for key in ("weights", "checkpoints"):
        b = g[f'aws_s3_bucket.models["{key}"]']
        assert b.name == f"acme-{key}"
        assert b.get("public_access_prevention") is True and b.get("versioning") is True


def test_unresolved_bucket_name_matches_split_by_expression(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
variable "bucket_name" {}
resource "aws_s3_bucket" "models" {
  bucket = var.bucket_name
}
resource "aws_s3_bucket_versioning" "models" {
  bucket = var.bucket_name
  versioning_configuration { status = "Enabled" }
}
""")
    assert g["aws_s3_bucket.models"].get("versioning") is True
    assert "aws_s3_bucket_versioning.models" not in g


def test_bucket_prefix_and_count(tmp_path: Path) -> None:
    g = graph_of(tmp_path, """
resource "aws_s3_bucket" "ckpt" {
  count         = 2
  bucket_prefix = "acme-checkpoints-${count.index}-"
}
resource "aws_s3_bucket_versioning" "ckpt" {
  count  = 2
  bucket = aws_s3_bucket.ckpt[count.index].id
  versioning_configuration { status = "Enabled" }
}
""")
    assert g["aws_s3_bucket.ckpt[0]"].name == "acme-checkpoints-0-"
    assert g["aws_s3_bucket.ckpt[1]"].get("versioning") is True
