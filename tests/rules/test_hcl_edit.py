"""Tests for crownjewel.rules.hcl_edit: text-level edits of one Terraform block.

Every edited result is also re-parsed with tfparse (the HCL parser crownjewel already
depends on) to prove it is still valid HCL and that the values are the intended ones;
when a `terraform` binary is on PATH, `terraform fmt` checks the syntax as well.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import tfparse
from hypothesis import given
from hypothesis import strategies as st

from crownjewel.rules.hcl_edit import (
    HclEditError,
    ensure_in_block_path,
    find_attribute,
    find_block,
    hcl_ident,
    hcl_string,
    remove_attribute,
    remove_block,
    render_block,
    set_attribute,
    set_block,
)

_counter = itertools.count()

# A block exercising everything the scanner has to skip: braces and quotes inside
# `${}`, comments holding braces and fake attributes, a heredoc holding `}` and
# `acl = ...` lines, a multi-line jsonencode, and a nested block with a same-named
# attribute.
BUCKET = """\
resource "aws_s3_bucket" "models" {
  # the { bucket } holds model weights
  bucket = "models-${lookup({ env = "prod}" }, "env", "x")}-${var.suffix}" // keep }
  /* a { comment } with braces
     acl = "public-read" */
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = "s3:*" }]
  })
  notes = <<EOF
  }
acl = "in-heredoc"
EOF
  versioning {
    enabled = false
    acl     = "nested"
  }
  acl = "private"
  force_destroy = false
}
"""


def _terraform_syntax_ok(text: str) -> None:
    """`terraform fmt -` exits non-zero on any HCL syntax error (no providers needed)."""
    binary = shutil.which("terraform")
    if binary is None:
        return
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull, CHECKPOINT_DISABLE="1")
    proc = subprocess.run(
        [binary, "fmt", "-no-color", "-"],
        input=text.encode(),
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode() + "\n" + text


def _strip_meta(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_meta(v) for k, v in value.items() if k not in ("id", "__tfmeta")}
    if isinstance(value, list):
        return [_strip_meta(v) for v in value]
    return value


def load(tmp_path: Path, text: str) -> dict[str, Any]:
    """Parse `text` as main.tf; tfparse returns {} on a syntax error, so insist on content."""
    _terraform_syntax_ok(text)
    directory = tmp_path / f"tf{next(_counter)}"
    directory.mkdir()
    (directory / "main.tf").write_bytes(text.encode())
    parsed = tfparse.load_from_path(str(directory))
    assert parsed, "tfparse could not parse:\n" + text
    return parsed


def resource(tmp_path: Path, text: str, rtype: str) -> dict[str, Any]:
    parsed = load(tmp_path, text)
    assert len(parsed[rtype]) == 1
    return _strip_meta(parsed[rtype][0])


def without(attrs: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in attrs.items() if k not in names}


# ----------------------------------------------------------------------- find_*


def test_find_attribute_skips_strings_comments_heredocs_and_nested_blocks() -> None:
    span = find_attribute(BUCKET, "acl")
    assert span is not None
    assert BUCKET[span[0] : span[1]] == 'acl = "private"'
    # The match is the real top-level line, after the nested block.
    assert BUCKET.index('acl = "private"') == span[0]


def test_find_attribute_covers_multiline_expression_without_trailing_comment() -> None:
    span = find_attribute(BUCKET, "policy")
    assert span is not None
    assert BUCKET[span[0] : span[1]] == (
        "policy = jsonencode({\n"
        '    Version = "2012-10-17"\n'
        '    Statement = [{ Effect = "Deny", Action = "s3:*" }]\n'
        "  })"
    )
    span = find_attribute(BUCKET, "bucket")
    assert span is not None
    assert BUCKET[span[0] : span[1]].endswith('${var.suffix}"')
    span = find_attribute(BUCKET, "notes")
    assert span is not None
    assert BUCKET[span[0] : span[1]] == 'notes = <<EOF\n  }\nacl = "in-heredoc"\nEOF'


def test_find_attribute_ignores_nested_attributes_and_blocks_of_that_name() -> None:
    assert find_attribute(BUCKET, "enabled") is None  # only inside `versioning`
    assert find_attribute(BUCKET, "versioning") is None  # a block, not an attribute
    assert find_block(BUCKET, "acl") is None  # an attribute, not a block
    assert find_attribute(BUCKET, "public") is None


def test_find_attribute_only_in_heredoc_or_comment_is_absent() -> None:
    block = 'resource "a" "b" {\n  x = <<-EOT\n    y = 1\n    EOT\n  # z = 2\n}\n'
    assert find_attribute(block, "y") is None
    assert find_attribute(block, "z") is None


def test_find_block_returns_whole_lines() -> None:
    span = find_block(BUCKET, "versioning")
    assert span is not None
    assert BUCKET[span[0] : span[1]] == (
        '  versioning {\n    enabled = false\n    acl     = "nested"\n  }\n'
    )


def test_find_block_first_of_several_and_with_labels() -> None:
    block = (
        'resource "aws_security_group" "sg" {\n'
        '  dynamic "ingress" {\n'
        "    for_each = var.rules\n"
        "    content {\n"
        "      from_port = ingress.value\n"
        "    }\n"
        "  }\n"
        "  egress { from_port = 0 }\n"
        "  egress { from_port = 1 }\n"
        "}\n"
    )
    span = find_block(block, "egress")
    assert span is not None
    assert block[span[0] : span[1]] == "  egress { from_port = 0 }\n"
    span = find_block(block, "dynamic")
    assert span is not None
    assert block[span[0] : span[1]].startswith('  dynamic "ingress" {\n')
    assert block[span[0] : span[1]].endswith("    }\n  }\n")
    assert find_block(block, "content") is None  # nested two levels down


# --------------------------------------------------------------- set_attribute


def test_set_attribute_replaces_only_the_value(tmp_path: Path) -> None:
    before = resource(tmp_path, BUCKET, "aws_s3_bucket")
    out = set_attribute(BUCKET, "acl", '"log-delivery-write"')
    assert out == BUCKET.replace('acl = "private"', 'acl = "log-delivery-write"')
    after = resource(tmp_path, out, "aws_s3_bucket")
    assert after["acl"] == "log-delivery-write"
    assert after["versioning"]["acl"] == "nested"
    assert after["notes"] == '  }\nacl = "in-heredoc"\n'
    assert without(after, "acl") == without(before, "acl")


def test_set_attribute_does_not_touch_nested_same_named_attribute(tmp_path: Path) -> None:
    out = set_attribute(BUCKET, "enabled", "true")
    # Inserted at top level, before the closing brace; the nested one is unchanged.
    assert out == BUCKET.replace(
        "  force_destroy = false\n}", "  force_destroy = false\n  enabled = true\n}"
    )
    after = resource(tmp_path, out, "aws_s3_bucket")
    assert after["enabled"] is True
    assert after["versioning"]["enabled"] is False


def test_set_attribute_keeps_trailing_comment_and_interpolation(tmp_path: Path) -> None:
    out = set_attribute(BUCKET, "bucket", '"models-${var.env}"')
    assert '  bucket = "models-${var.env}" // keep }\n' in out
    after = resource(tmp_path, out + 'variable "env" { default = "dev" }\n', "aws_s3_bucket")
    assert after["bucket"] == "models-dev"


def test_set_attribute_replaces_multiline_jsonencode(tmp_path: Path) -> None:
    before = resource(tmp_path, BUCKET, "aws_s3_bucket")
    value = 'jsonencode({\nVersion = "2012-10-17"\nStatement = [\n{\nEffect = "Allow"\n},\n]\n})'
    out = set_attribute(BUCKET, "policy", value)
    assert (
        "  policy = jsonencode({\n"
        '    Version = "2012-10-17"\n'
        "    Statement = [\n"
        "      {\n"
        '        Effect = "Allow"\n'
        "      },\n"
        "    ]\n"
        "  })\n"
        "  notes = <<EOF\n"
    ) in out
    after = resource(tmp_path, out, "aws_s3_bucket")
    assert after["policy"] == '{"Statement":[{"Effect":"Allow"}],"Version":"2012-10-17"}'
    assert without(after, "policy") == without(before, "policy")
    # A multi-line value replaced by a one-line one collapses cleanly.
    out2 = set_attribute(out, "policy", "null")
    assert "  policy = null\n  notes = <<EOF\n" in out2
    resource(tmp_path, out2, "aws_s3_bucket")


def test_set_attribute_replaces_a_heredoc_value(tmp_path: Path) -> None:
    out = set_attribute(BUCKET, "notes", '"short"')
    assert "in-heredoc" not in out
    assert '  notes = "short"\n  versioning {\n' in out
    assert resource(tmp_path, out, "aws_s3_bucket")["notes"] == "short"


def test_set_attribute_inserts_into_one_line_block(tmp_path: Path) -> None:
    out = set_attribute('resource "a" "b" { x = 1 }', "y", '"two"')
    assert out == 'resource "a" "b" {\n  x = 1\n  y = "two"\n}'
    assert resource(tmp_path, out, "a") == {"x": 1, "y": "two"}
    out = set_attribute('resource "a" "b" {}\n', "y", "2")
    assert out == 'resource "a" "b" {\n  y = 2\n}\n'
    assert resource(tmp_path, out, "a") == {"y": 2}


def test_set_attribute_in_one_line_block_keeps_it_one_line(tmp_path: Path) -> None:
    assert set_attribute('resource "a" "b" { x = 1 }', "x", "2") == 'resource "a" "b" { x = 2 }'
    out = set_attribute('resource "a" "b" { x = 1 }', "x", "[\n1,\n2,\n]")
    assert out == 'resource "a" "b" {\n  x = [\n    1,\n    2,\n  ]\n}'
    assert resource(tmp_path, out, "a") == {"x": [1, 2]}


def test_set_attribute_is_idempotent() -> None:
    for name, value in [
        ("acl", '"private"'),
        ("acl", '"public-read"'),
        ("new", '{\na = "}"\nb = [1, 2]\n}'),
        ("notes", "<<-EOT\nline }\n  more\nEOT"),
        ("policy", 'jsonencode({\nx = "${var.y}"\n})'),
    ]:
        once = set_attribute(BUCKET, name, value)
        assert set_attribute(once, name, value) == once
    assert set_attribute(BUCKET, "acl", '"private"') == BUCKET


def test_set_attribute_value_with_template_directive_and_escapes(tmp_path: Path) -> None:
    value = '"%{ if true }}%{ endif }$${literal}\\"}"'
    out = set_attribute(BUCKET, "acl", value)
    after = resource(tmp_path, out, "aws_s3_bucket")
    assert after["acl"] == '}${literal}"}'
    assert after["force_destroy"] is False


def test_escaped_template_introducers_are_literal(tmp_path: Path) -> None:
    # `$${` and `%%{` are literal text: a scanner that took them for templates would
    # look for a closing `}` and swallow the rest of the block.
    block = 'resource "a" "b" {\n  e = "$${"\n  f = "%%{"\n  y = 1\n}\n'
    assert find_attribute(block, "y") == (block.index("y = 1"), block.index("y = 1") + 5)
    out = set_attribute(block, "y", "2")
    assert resource(tmp_path, out, "a") == {"e": "${", "f": "%{", "y": 2}


def test_set_attribute_with_operators_does_not_confuse_scanner(tmp_path: Path) -> None:
    block = (
        'resource "a" "b" {\n'
        '  cond = var.a == "x" ? 1 : 2\n'
        "  m = { for k, v in { p = 1 } : k => v }\n"
        "  y = 1\n"
        "}\n"
    )
    out = set_attribute(block, "y", "3")
    assert out == block.replace("y = 1", "y = 3")
    assert resource(tmp_path, out, "a")["m"] == {"p": 1}
    assert find_attribute(block, "cond") == (block.index("cond"), block.index(" : 2") + 4)


def test_tab_indented_block_inserts_with_tabs(tmp_path: Path) -> None:
    block = 'resource "a" "b" {\n\tx = 1\n\tinner {\n\t\ty = 2\n\t}\n}\n'
    out = set_attribute(block, "z", "3")
    assert out == 'resource "a" "b" {\n\tx = 1\n\tinner {\n\t\ty = 2\n\t}\n\tz = 3\n}\n'
    out = ensure_in_block_path(out, ["inner"], "w", "4")
    assert "\t\ty = 2\n\t\tw = 4\n\t}\n" in out
    assert resource(tmp_path, out, "a") == {"x": 1, "z": 3, "inner": {"y": 2, "w": 4}}


def test_indented_block_keeps_its_indentation() -> None:
    block = "    inner {\n        y = 2\n    }"
    assert set_attribute(block, "z", "3") == "    inner {\n        y = 2\n        z = 3\n    }"


# --------------------------------------------------------------------- CRLF


def test_crlf_line_endings_are_preserved(tmp_path: Path) -> None:
    block = BUCKET.replace("\n", "\r\n")
    before = resource(tmp_path, block, "aws_s3_bucket")
    out = set_attribute(block, "acl", '"log-delivery-write"')
    out = set_attribute(out, "tags", '{\nowner = "ml"\n}')
    out = set_block(out, "versioning", "enabled = true")
    out = ensure_in_block_path(out, ["rule", "apply"], "sse", '"aws:kms"')
    out = remove_attribute(out, "force_destroy")
    assert "\n" not in out.replace("\r\n", "")
    assert '  tags = {\r\n    owner = "ml"\r\n  }\r\n' in out
    after = resource(tmp_path, out, "aws_s3_bucket")
    assert after["acl"] == "log-delivery-write"
    assert after["tags"] == {"owner": "ml"}
    assert after["versioning"] == {"enabled": True}
    assert after["rule"] == {"apply": {"sse": "aws:kms"}}
    assert after["notes"] == before["notes"] == '  }\r\nacl = "in-heredoc"\r\n'
    assert "force_destroy" not in after


# ----------------------------------------------------------------- heredocs


INDENTED_HEREDOC = """\
resource "aws_iam_policy" "p" {
  name = "p"
  description = <<-EOT
    closing } brace
      name = "not an attribute"
    EOT
  path = "/"
}
"""


def test_indented_heredoc_is_skipped_and_preserved(tmp_path: Path) -> None:
    assert find_attribute(INDENTED_HEREDOC, "name") == (
        INDENTED_HEREDOC.index('name = "p"'),
        INDENTED_HEREDOC.index('name = "p"') + len('name = "p"'),
    )
    out = set_attribute(INDENTED_HEREDOC, "name", '"q"')
    out = set_attribute(out, "path", '"/ml/"')
    after = resource(tmp_path, out, "aws_iam_policy")
    assert after == {
        "name": "q",
        "description": 'closing } brace\n  name = "not an attribute"\n',
        "path": "/ml/",
    }


def test_setting_indented_heredoc_value_keeps_its_content(tmp_path: Path) -> None:
    value = '<<-EOT\n{\n  "Version": "2012-10-17"\n}\nEOT'
    out = ensure_in_block_path(INDENTED_HEREDOC, ["inner"], "doc", value)
    assert (
        '  inner {\n    doc = <<-EOT\n    {\n      "Version": "2012-10-17"\n    }\n    EOT\n  }\n'
    ) in out
    after = resource(tmp_path, out, "aws_iam_policy")
    assert after["inner"]["doc"] == '{\n  "Version": "2012-10-17"\n}\n'
    assert ensure_in_block_path(out, ["inner"], "doc", value) == out


def test_plain_heredoc_value_is_not_reindented(tmp_path: Path) -> None:
    value = "<<EOT\nraw }\n  kept\nEOT"
    out = set_block(INDENTED_HEREDOC, "inner", f"doc = {value}")
    assert "  inner {\n    doc = <<EOT\nraw }\n  kept\nEOT\n  }\n" in out
    assert resource(tmp_path, out, "aws_iam_policy")["inner"]["doc"] == "raw }\n  kept\n"


def test_remove_attribute_with_heredoc_value(tmp_path: Path) -> None:
    out = remove_attribute(INDENTED_HEREDOC, "description")
    assert out == 'resource "aws_iam_policy" "p" {\n  name = "p"\n  path = "/"\n}\n'
    assert resource(tmp_path, out, "aws_iam_policy") == {"name": "p", "path": "/"}


# ------------------------------------------------------------------ comments


def test_comments_with_braces_do_not_break_insertion(tmp_path: Path) -> None:
    block = (
        'resource "a" "b" { # opening { comment\n'
        "  x = 1 // }\n"
        "  /* } */ y = 2\n"
        "  # }\n"
        "} # trailing }\n"
    )
    out = set_attribute(block, "z", "3")
    assert out == block.replace("  # }\n}", "  # }\n  z = 3\n}")
    assert resource(tmp_path, out, "a") == {"x": 1, "y": 2, "z": 3}
    out = set_attribute(out, "x", "10")
    assert "  x = 10 // }\n" in out
    assert resource(tmp_path, out, "a") == {"x": 10, "y": 2, "z": 3}


# ------------------------------------------------------------------ set_block


def test_set_block_replaces_body_keeping_siblings(tmp_path: Path) -> None:
    before = resource(tmp_path, BUCKET, "aws_s3_bucket")
    out = set_block(BUCKET, "versioning", "enabled = true\nmfa_delete = false")
    assert "  versioning {\n    enabled = true\n    mfa_delete = false\n  }\n  acl = " in out
    after = resource(tmp_path, out, "aws_s3_bucket")
    assert after["versioning"] == {"enabled": True, "mfa_delete": False}
    assert without(after, "versioning") == without(before, "versioning")


def test_set_block_inserts_nested_body_reindented(tmp_path: Path) -> None:
    body = 'rule {\napply_server_side_encryption_by_default {\nsse_algorithm = "aws:kms"\n}\n}'
    out = set_block(BUCKET, "server_side_encryption_configuration", body)
    assert out.endswith(
        "  force_destroy = false\n"
        "  server_side_encryption_configuration {\n"
        "    rule {\n"
        "      apply_server_side_encryption_by_default {\n"
        '        sse_algorithm = "aws:kms"\n'
        "      }\n"
        "    }\n"
        "  }\n"
        "}\n"
    )
    after = resource(tmp_path, out, "aws_s3_bucket")
    sse = after["server_side_encryption_configuration"]["rule"]
    assert sse["apply_server_side_encryption_by_default"]["sse_algorithm"] == "aws:kms"


def test_set_block_is_idempotent_and_keeps_labels_and_comment() -> None:
    block = (
        'resource "aws_security_group" "sg" {\n'
        '  dynamic "ingress" { # rules\n'
        "    for_each = var.old\n"
        "  } # end\n"
        "}\n"
    )
    body = "for_each = var.rules\ncontent {\nfrom_port = ingress.value\n}"
    once = set_block(block, "dynamic", body)
    assert once == (
        'resource "aws_security_group" "sg" {\n'
        '  dynamic "ingress" {\n'
        "    for_each = var.rules\n"
        "    content {\n"
        "      from_port = ingress.value\n"
        "    }\n"
        "  } # end\n"
        "}\n"
    )
    assert set_block(once, "dynamic", body) == once
    inserted = set_block('resource "a" "b" { x = 1 }', "c", "y = 2")
    assert inserted == 'resource "a" "b" {\n  x = 1\n  c {\n    y = 2\n  }\n}'
    assert set_block(inserted, "c", "y = 2") == inserted


def test_set_block_empty_body(tmp_path: Path) -> None:
    out = set_block(BUCKET, "versioning", "")
    assert "  versioning {}\n" in out
    assert resource(tmp_path, out, "aws_s3_bucket")["versioning"] == {}


def test_set_block_replaces_one_line_nested_block(tmp_path: Path) -> None:
    block = 'resource "a" "b" {\n  c { y = 1 }\n  z = 0\n}\n'
    out = set_block(block, "c", "y = 2\nw = 3")
    assert out == 'resource "a" "b" {\n  c {\n    y = 2\n    w = 3\n  }\n  z = 0\n}\n'
    assert resource(tmp_path, out, "a") == {"c": {"y": 2, "w": 3}, "z": 0}


# ------------------------------------------------------------------ removals


def test_remove_attribute_and_block(tmp_path: Path) -> None:
    before = resource(tmp_path, BUCKET, "aws_s3_bucket")
    out = remove_attribute(BUCKET, "policy")
    assert "jsonencode" not in out
    assert '  /* a { comment } with braces\n     acl = "public-read" */\n  notes = <<EOF\n' in out
    out = remove_block(out, "versioning")
    assert "versioning" not in out
    assert '  acl = "private"\n' in out  # the top-level one stays
    after = resource(tmp_path, out, "aws_s3_bucket")
    assert after == without(before, "policy", "versioning")
    # Absent names are a no-op.
    assert remove_attribute(out, "policy") == out
    assert remove_block(out, "versioning") == out
    assert remove_attribute(BUCKET, "enabled") == BUCKET  # nested only


def test_remove_attribute_from_one_line_block(tmp_path: Path) -> None:
    out = remove_attribute('resource "a" "b" { x = 1 }\n', "x")
    assert out == 'resource "a" "b" {}\n'
    load(tmp_path, out)


# ---------------------------------------------------------- ensure_in_block_path


def test_ensure_in_block_path_creates_missing_blocks(tmp_path: Path) -> None:
    block = (
        'resource "aws_s3_bucket_server_side_encryption_configuration" "sse" {\n'
        "  bucket = aws_s3_bucket.models.id\n"
        "}\n"
    )
    path = ["rule", "apply_server_side_encryption_by_default"]
    out = ensure_in_block_path(block, path, "sse_algorithm", '"aws:kms"')
    assert out == (
        'resource "aws_s3_bucket_server_side_encryption_configuration" "sse" {\n'
        "  bucket = aws_s3_bucket.models.id\n"
        "  rule {\n"
        "    apply_server_side_encryption_by_default {\n"
        '      sse_algorithm = "aws:kms"\n'
        "    }\n"
        "  }\n"
        "}\n"
    )
    assert ensure_in_block_path(out, path, "sse_algorithm", '"aws:kms"') == out
    out2 = ensure_in_block_path(out, path, "kms_master_key_id", "aws_kms_key.models.arn")
    rtype = "aws_s3_bucket_server_side_encryption_configuration"
    rule = resource(tmp_path, out2, rtype)["rule"]
    inner = rule["apply_server_side_encryption_by_default"]
    assert inner["sse_algorithm"] == "aws:kms"
    assert inner["kms_master_key_id"]["__attribute__"] == "aws_kms_key.models.arn"


def test_ensure_in_block_path_edits_existing_blocks_only(tmp_path: Path) -> None:
    block = (
        'resource "x" "y" {\n'
        "  rule {\n"
        "    bucket_key_enabled = true # keep\n"
        '    apply { sse_algorithm = "AES256" }\n'
        "  }\n"
        "  rule {\n"
        '    id = "second"\n'
        "  }\n"
        "}\n"
    )
    out = ensure_in_block_path(block, ["rule", "apply"], "sse_algorithm", '"aws:kms"')
    assert out == block.replace('"AES256"', '"aws:kms"')
    out = ensure_in_block_path(block, ["rule", "apply"], "key", '"k"')
    assert out == block.replace(
        '    apply { sse_algorithm = "AES256" }\n',
        '    apply {\n      sse_algorithm = "AES256"\n      key = "k"\n    }\n',
    )
    parsed = load(tmp_path, out)["x"][0]
    rules = parsed["rule"] if isinstance(parsed["rule"], list) else [parsed["rule"]]
    assert _strip_meta(rules[0])["apply"] == {"sse_algorithm": "AES256", "key": "k"}


def test_ensure_in_block_path_empty_path_sets_top_level() -> None:
    assert ensure_in_block_path(BUCKET, [], "acl", '"x"') == set_attribute(BUCKET, "acl", '"x"')


# ----------------------------------------------------------------- render_block


def test_render_block(tmp_path: Path) -> None:
    body = (
        'name = "models-cmek"\n'
        "key_ring = google_kms_key_ring.models.id\n"
        'rotation_period = "7776000s"\n'
        "lifecycle {\n"
        "prevent_destroy = true\n"
        "}\n"
        "labels = {\n"
        'owner = "ml"\n'
        "}\n"
    )
    out = render_block("resource", ["google_kms_crypto_key", "models_cmek"], body)
    assert out == (
        'resource "google_kms_crypto_key" "models_cmek" {\n'
        '  name = "models-cmek"\n'
        "  key_ring = google_kms_key_ring.models.id\n"
        '  rotation_period = "7776000s"\n'
        "  lifecycle {\n"
        "    prevent_destroy = true\n"
        "  }\n"
        "  labels = {\n"
        '    owner = "ml"\n'
        "  }\n"
        "}\n"
    )
    after = resource(tmp_path, out, "google_kms_crypto_key")
    assert after["name"] == "models-cmek"
    assert after["labels"] == {"owner": "ml"}
    assert render_block("locals", [], "") == "locals {}\n"
    # The output is itself editable.
    assert set_attribute(out, "name", '"x"').startswith(out.split("\n")[0] + '\n  name = "x"\n')


# ------------------------------------------------------- scanner edge cases


def test_strings_with_escapes_and_templates_are_skipped_whole() -> None:
    # Escaped quotes and backslashes, escaped template introducers (`$${`, `%%{`), lone
    # `$`/`%`, and templates holding quotes, braces and objects: none of it ends the
    # string early, and the `}` in the trailing comment is not a brace.
    value = r'"q\\\" $${x} %%{y} $ % 100% ${"}"} %{ if "{" }${ {a = "}"}["a"] }%{ endif }"'
    block = f'r {{\n  s = {value} # "c" }}\n  t = 2\n}}\n'
    span = find_attribute(block, "s")
    assert span is not None
    assert block[span[0] : span[1]] == f"s = {value}"
    assert set_attribute(block, "t", '"${"}"}"') == block.replace("t = 2", 't = "${"}"}"')


def test_bare_carriage_return_is_whitespace() -> None:
    block = 'r {\n  x = 1\r  \n  y = "a"\n}\n'
    assert set_attribute(block, "y", '"b"') == block.replace('"a"', '"b"')
    with pytest.raises(HclEditError, match="line 2: unterminated string"):
        find_attribute('r {\n  x = "a\rb"\n}\n', "x")


def test_body_errors_are_reported_as_in_the_wrapped_block() -> None:
    # Line numbers count a `x {` line before the body, as they always have.
    with pytest.raises(HclEditError, match="line 3: unterminated string"):
        set_block(BUCKET, "c", 'a = 1\nb = "oops')
    with pytest.raises(HclEditError, match="line 4: text after the block's closing brace"):
        render_block("r", ["a"], "a = 1\n}\nb {")
    # A heredoc marker at the very end of a body still starts an (unterminated) heredoc.
    with pytest.raises(HclEditError, match="line 2: unterminated heredoc"):
        render_block("r", ["a"], "v = <<EOF")
    assert render_block("r", ["a"], "v = <<EOF\nx\nEOF") == 'r "a" {\n  v = <<EOF\nx\nEOF\n}\n'


def test_indentation_unit_of_a_nested_edit_does_not_stick_to_its_text() -> None:
    # `ensure_in_block_path` edits the nested block with the outer block's unit; a
    # later edit of that same nested text on its own detects the nested unit again.
    nested = "  x {\n      y = 1\n  }"
    block = 'resource "a" "b" {\n' + nested + "\n}\n"
    for _ in range(2):
        assert ensure_in_block_path(block, ["x"], "w", "1") == (
            'resource "a" "b" {\n  x {\n      y = 1\n    w = 1\n  }\n}\n'
        )
        assert set_attribute(nested, "w", "1") == "  x {\n      y = 1\n      w = 1\n  }"


# ------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('resource "a" "b" {\n  x = 1\n', "unclosed"),
        ('resource "a" "b" {\n  x = (1]\n}\n', "does not match"),
        ('resource "a" "b" {\n  x = 1\n}\n}\n', "unbalanced"),
        ('resource "a" "b" {\n  x = "abc\n}\n', "unterminated string"),
        ('resource "a" "b" {\n  x = "${var.a"\n}\n', "unterminated"),
        ('resource "a" "b" {\n  x = <<EOT\nabc\n}\n', "unterminated heredoc"),
        ('resource "a" "b" {\n  /* x = 1\n}\n', "unterminated /* comment"),
        ('resource "a" "b" {\n  x =\n}\n', "has no value"),
        ('resource "a" "b" {\n  "x" = 1\n}\n', "expected an attribute"),
        ('resource "a" "b" {\n}\nresource "c" "d" {\n}\n', "after the block's closing brace"),
        ("", "no block"),
        ("x = 1\n", "expected '{'"),
    ],
)
def test_malformed_block_raises(text: str, message: str) -> None:
    with pytest.raises(HclEditError, match=re.escape(message)):
        set_attribute(text, "y", "1")
    with pytest.raises(HclEditError):
        find_attribute(text, "y")


def test_error_reports_line_number() -> None:
    with pytest.raises(HclEditError, match="line 3: unterminated string"):
        find_block('resource "a" "b" {\n  x = 1\n  y = "oops\n}\n', "c")


@pytest.mark.parametrize(
    "value",
    ["", "   ", "1\ny = 2", "[1, 2", '"abc', "1 # comment", "<<EOT\nabc"],
)
def test_invalid_value_raises(value: str) -> None:
    with pytest.raises(HclEditError):
        set_attribute(BUCKET, "acl", value)


def test_invalid_names_and_kind_conflicts_raise() -> None:
    with pytest.raises(HclEditError, match="not a valid HCL identifier"):
        set_attribute(BUCKET, "bad name", "1")
    with pytest.raises(HclEditError, match="not a valid HCL identifier"):
        ensure_in_block_path(BUCKET, ["rule", "1x"], "a", "1")
    with pytest.raises(HclEditError, match="nested block here"):
        set_attribute(BUCKET, "versioning", "true")
    with pytest.raises(HclEditError, match="attribute here"):
        set_block(BUCKET, "acl", "x = 1")
    with pytest.raises(HclEditError):
        set_block(BUCKET, "versioning", "enabled = {")
    assert issubclass(HclEditError, ValueError)


# ------------------------------------------------------------ hcl_string/ident


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", '"plain"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("${var.x}", '"$${var.x}"'),
        ("%{ if x }", '"%%{ if x }"'),
        ("line\nbreak\ttab", '"line\\nbreak\\ttab"'),
        ("\x01", '"\\u0001"'),
    ],
)
def test_hcl_string_escapes(value: str, expected: str) -> None:
    assert hcl_string(value) == expected


def test_hcl_string_round_trips_through_tfparse(tmp_path: Path) -> None:
    values = [
        "plain",
        'quote " and } brace',
        "${var.not_interpolated} and %{ if true }x%{ endif }",
        "$${already} %%{escaped}",
        "back\\slash\\",
        "multi\nline\r\nand\ttab",
        "unicodé ✓",
        "",
    ]
    body = "\n".join(f"v{i} = {hcl_string(v)}" for i, v in enumerate(values))
    out = render_block("resource", ["t", "n"], body)
    after = resource(tmp_path, out, "t")
    assert after == {f"v{i}": v for i, v in enumerate(values)}


@given(st.text(max_size=40))
def test_hcl_string_is_always_one_valid_value(value: str) -> None:
    quoted = hcl_string(value)
    block = set_attribute('resource "a" "b" {\n}\n', "v", quoted)
    span = find_attribute(block, "v")
    assert span is not None
    assert block[span[0] : span[1]] == f"v = {quoted}"
    assert "\n" not in quoted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Models CMEK", "models_cmek"),
        ("gs://my-bucket/weights", "gs_my-bucket_weights"),
        ("café-Modèle", "cafe-modele"),
        ("123 keys", "_123_keys"),
        ("__x__", "x"),
        ("-dash", "dash"),
        ("!!!", "unnamed"),
        ("", "unnamed"),
    ],
)
def test_hcl_ident_examples(text: str, expected: str) -> None:
    assert hcl_ident(text) == expected


@given(st.text(max_size=40))
def test_hcl_ident_is_always_a_valid_resource_name(text: str) -> None:
    ident = hcl_ident(text)
    assert re.fullmatch(r"[a-z_][a-z0-9_-]*", ident)
    render_block("resource", ["t", ident], "")
