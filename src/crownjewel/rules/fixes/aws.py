"""Terraform fixes for AWS findings, built from the user's own blocks.

Settings that the AWS provider v4+ splits out of `aws_s3_bucket` are fixed where they are
declared: the split resource recorded in the bucket's `tf_sources` is edited, a legacy inline
argument of the bucket is edited in place, and otherwise a new split resource is appended
(with the bucket's own `count` / `for_each`, so every instance is covered). A missing
customer-managed key is added as `aws_kms_key.<name>_cmek` rotating every 90 days.

Policies are rewritten from the parsed document the normalizer kept (`tf_policies`) as
`jsonencode(...)`: public statements are dropped (bucket, key and registry policies) and broad
actions narrowed to read-only ones (identity policies). References tfparse had resolved come
back as references (`aws_s3_bucket.b.arn`, `"${aws_kms_key.k.arn}"`) when the resource is
declared in the same module; other values (variables, locals) appear as their literal values.
"""
from __future__ import annotations

import json
import os
import re
from typing import Any

from crownjewel.collect.terraform.aws_iam_policy import parse_document, public_statements
from crownjewel.model.assets import Asset, EdgeKind, Kind, SourceRef
from crownjewel.model.findings import Fix
from crownjewel.rules import hcl_edit as hcl
from crownjewel.rules.engine import EvalContext
from crownjewel.rules.fixes._aws_text import (
    FixFn,
    append_nested,
    drop_blocks,
    free_name,
    hcl_value,
    in_nested,
    make_fix,
    on_block,
    tf_source,
)
from crownjewel.rules.fixes._text import block_ref, block_text, expr, ident, instances, local_ref, memo, templated
from crownjewel.rules.registry import Fail, fixer

BUCKET = "aws_s3_bucket"
SSE = "aws_s3_bucket_server_side_encryption_configuration"
PAB = "aws_s3_bucket_public_access_block"
ACL = "aws_s3_bucket_acl"
POLICY = "aws_s3_bucket_policy"
VERSIONING = "aws_s3_bucket_versioning"
LOGGING = "aws_s3_bucket_logging"
NOTEBOOK = "aws_sagemaker_notebook_instance"
_PUBLIC_ACLS = {'"public-read"', '"public-read-write"', '"authenticated-read"'}
_OPEN_GROUPS = ("acs.amazonaws.com/groups/global/AllUsers", "acs.amazonaws.com/groups/global/AuthenticatedUsers")


# ------------------------------------------------------------------------------------ keys


def new_key(ctx: EvalContext, asset: Asset) -> tuple[str, str]:
    """(reference, block) of a new customer-managed key rotating every 90 days."""
    name = free_name(ctx, "aws_kms_key", f"{ident(asset)}_cmek")
    body = (f"description             = {hcl.hcl_string(f'Customer-managed key for {ident(asset)}')}\n"
            "enable_key_rotation     = true\nrotation_period_in_days = 90\ndeletion_window_in_days = 30")
    return f"aws_kms_key.{name}.arn", hcl.render_block("resource", ["aws_kms_key", name], body)


def _sse(text: str, path: list[str], key: str) -> str:
    text = hcl.ensure_in_block_path(text, path + ["apply_server_side_encryption_by_default"],
                                    "sse_algorithm", '"aws:kms"')
    return hcl.ensure_in_block_path(text, path + ["apply_server_side_encryption_by_default"],
                                    "kms_master_key_id", key)


@fixer("storage.model-store-not-cmek", BUCKET, SSE)
def bucket_cmek(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Default-encrypt the bucket with a new rotated KMS key (SSE-KMS with an S3 Bucket Key)."""
    key, key_block = new_key(ctx, asset)
    split = tf_source(asset, "encryption")
    if split is not None:
        text = block_text(ctx, split)
        return None if text is None else make_fix((split, text, _sse(text, ["rule"], key)), new=key_block)
    text = block_text(ctx, asset.source)
    if text is None or asset.source is None:
        return None
    if hcl.find_block(text, "server_side_encryption_configuration") is not None:
        return make_fix((asset.source, text, _sse(text, ["server_side_encryption_configuration", "rule"], key)),
                        new=key_block)
    meta, bucket = instances(asset, ctx)
    name = free_name(ctx, SSE, ident(asset))
    body = (f"{meta}bucket = {bucket}\n\nrule {{\napply_server_side_encryption_by_default {{\n"
            f"sse_algorithm     = \"aws:kms\"\nkms_master_key_id = {key}\n}}\nbucket_key_enabled = true\n}}")
    return make_fix(new=key_block + "\n" + hcl.render_block("resource", [SSE, name], body), where=asset.source)


def _kms_key_attr(attr: str) -> FixFn:
    def fix(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
        text = block_text(ctx, asset.source)
        if text is None or asset.source is None:
            return None
        key, key_block = new_key(ctx, asset)
        return make_fix((asset.source, text, hcl.set_attribute(text, attr, key)), new=key_block)

    return fix


fixer("ai.resource-not-cmek", NOTEBOOK, "aws_sagemaker_domain",
      "aws_sagemaker_endpoint_configuration")(_kms_key_attr("kms_key_id"))


@fixer("registry.not-cmek", "aws_ecr_repository")
def ecr_cmek(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Encrypt the repository with a new rotated KMS key (replaces the repository: copy images)."""
    text = block_text(ctx, asset.source)
    if text is None or asset.source is None:
        return None
    key, key_block = new_key(ctx, asset)
    new = hcl.set_block(text, "encryption_configuration", f'encryption_type = "KMS"\nkms_key         = {key}')
    return make_fix((asset.source, text, new), new=key_block)


@fixer("kms.key-rotation-over-90-days", "aws_kms_key", "aws_kms_replica_key")
def key_rotation(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Rotate the key every 90 days (only symmetric encryption keys can rotate automatically)."""
    if asset.get("key_spec", "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT":
        return None
    # 90 days is both the control's limit and the shortest period AWS accepts (90..2560).
    return on_block(lambda t: hcl.set_attribute(hcl.set_attribute(t, "enable_key_rotation", "true"),
                                                 "rotation_period_in_days", "90"))(asset, ctx, fail)


# ---------------------------------------------------------------------------- S3 settings


@fixer("storage.model-store-public-access-not-prevented", BUCKET, PAB, ACL, POLICY)
def bucket_block_public_access(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Turn on all four Block Public Access settings for the bucket."""
    split = tf_source(asset, "public_access_block")
    if split is not None:
        text = block_text(ctx, split)
        if text is None:
            return None
        new = text
        for key in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
            new = hcl.set_attribute(new, key, "true")
        return make_fix((split, text, new))
    if asset.native_type != BUCKET or asset.source is None:
        return None
    meta, bucket = instances(asset, ctx)
    body = (f"{meta}bucket = {bucket}\n\nblock_public_acls       = true\nblock_public_policy     = true\n"
            "ignore_public_acls      = true\nrestrict_public_buckets = true")
    return make_fix(new=hcl.render_block("resource", [PAB, free_name(ctx, PAB, ident(asset))], body),
                    where=asset.source)


@fixer("storage.model-store-versioning-off", BUCKET, VERSIONING)
def bucket_versioning(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Enable versioning (split resource, inline block, or a new `aws_s3_bucket_versioning`)."""
    split = tf_source(asset, "versioning")
    if split is not None:
        text = block_text(ctx, split)
        return None if text is None else make_fix(
            (split, text, hcl.ensure_in_block_path(text, ["versioning_configuration"], "status", '"Enabled"')))
    text = block_text(ctx, asset.source)
    if text is None or asset.source is None:
        return None
    if hcl.find_block(text, "versioning") is not None:
        return make_fix((asset.source, text, hcl.ensure_in_block_path(text, ["versioning"], "enabled", "true")))
    meta, bucket = instances(asset, ctx)
    body = f'{meta}bucket = {bucket}\n\nversioning_configuration {{\nstatus = "Enabled"\n}}'
    return make_fix(new=hcl.render_block("resource", [VERSIONING, free_name(ctx, VERSIONING, ident(asset))],
                                         body), where=asset.source)


def _log_bucket(asset: Asset, ctx: EvalContext) -> tuple[str, str]:
    """(target bucket reference, new blocks): a bucket the estate already logs to, or a new one."""
    def log_buckets() -> dict[str, list[str]]:
        by_folder: dict[str, list[str]] = {}
        for store in ctx.graph.assets(Kind.OBJECT_STORE, provider="aws"):
            target = store.get("log_target")
            found = ctx.graph.get(str(target)) if target else None
            if found is not None and found.native_type == BUCKET and found.source:
                by_folder.setdefault(os.path.dirname(found.source.file), []).append(found.id)
        return by_folder

    folder = os.path.dirname(asset.source.file) if asset.source else ""
    for found in memo(ctx, "log_buckets", log_buckets).get(folder, ()):
        if block_ref(found) != block_ref(asset.id):  # the same for every instance of the block
            return f"{local_ref(found)}.id", ""
    name = free_name(ctx, BUCKET, f"{ident(asset)}_access_logs")
    bucket = hcl.render_block("resource", [BUCKET, name], 'bucket_prefix = "s3-access-logs-"')
    statement = {
        "Sid": "S3ServerAccessLogsPolicy", "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
        "Resource": f"${{aws_s3_bucket.{name}.arn}}/*",
    }
    policy_value = "jsonencode(" + hcl_value({"Version": "2012-10-17", "Statement": [statement]}) + ")"
    policy_value = policy_value.replace(f'"$${{aws_s3_bucket.{name}.arn}}/*"', f'"${{aws_s3_bucket.{name}.arn}}/*"')
    policy = hcl.render_block("resource", [POLICY, name], f"bucket = aws_s3_bucket.{name}.id\npolicy = {policy_value}")
    return f"aws_s3_bucket.{name}.id", bucket + "\n" + policy


@fixer("logging.model-store-access-logging-off", BUCKET, LOGGING)
def bucket_access_logging(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Write server access logs to a separate bucket (new when the module has none)."""
    target, new_blocks = _log_bucket(asset, ctx)
    split = tf_source(asset, "logging")
    if split is not None:
        text = block_text(ctx, split)
        return None if text is None else make_fix((split, text, hcl.set_attribute(text, "target_bucket", target)),
                                                  new=new_blocks)
    text = block_text(ctx, asset.source)
    if text is None or asset.source is None or asset.native_type != BUCKET:
        return None
    if hcl.find_block(text, "logging") is not None:
        return make_fix((asset.source, text, hcl.ensure_in_block_path(text, ["logging"], "target_bucket", target)),
                        new=new_blocks)
    meta, bucket = instances(asset, ctx)
    # the bucket's name as its block writes it: the same text for every instance of the block
    prefix = templated(expr(text, "bucket"), "/", asset.name)
    body = f"{meta}bucket = {bucket}\n\ntarget_bucket = {target}\ntarget_prefix = {prefix}"
    logging = hcl.render_block("resource", [LOGGING, free_name(ctx, LOGGING, ident(asset))], body)
    return make_fix(new=(new_blocks + "\n" if new_blocks else "") + logging, where=asset.source)


# --------------------------------------------------------------------------- public grants


def _without_public(policy_json: str) -> dict[str, Any] | None:
    """The document without its public statements, or None when it has none."""
    doc = json.loads(policy_json)
    public = {st.index for st, _ in public_statements(parse_document(doc), "")}
    if not public:
        return None
    statements = doc.get("Statement")
    statements = statements if isinstance(statements, list) else [statements]
    return {**doc, "Statement": [st for i, st in enumerate(statements) if i not in public]}


def _rewrite_policy(text: str, attr: str, doc: dict[str, Any]) -> str:
    if not doc.get("Statement"):
        return hcl.remove_attribute(text, attr)
    return hcl.set_attribute(text, attr, "jsonencode(" + hcl_value(doc) + ")")


def _private_acl(text: str) -> str:
    if expr(text, "acl") in _PUBLIC_ACLS:
        text = hcl.set_attribute(text, "acl", '"private"')

    def open_grant(block: str) -> bool:
        return any(group in block for group in _OPEN_GROUPS)

    text = drop_blocks(text, "grant", open_grant)
    return in_nested(text, "access_control_policy", lambda sub: drop_blocks(sub, "grant", open_grant))


def _grant_changes(asset: Asset, ctx: EvalContext) -> list[tuple[SourceRef, str, str]]:
    """Block changes removing public / authenticated ACL grants and public policy statements."""
    changes: list[tuple[SourceRef, str, str]] = []
    policies = dict(asset.get("tf_policies") or ())
    own = {BUCKET: "bucket", ACL: "acl", POLICY: "policy"}.get(asset.native_type, "")
    blocks = [(own, asset.source)] + [(a, s) for a, s in asset.get("tf_sources") or () if s != asset.source]
    for aspect, source in blocks:
        text = block_text(ctx, source)
        if text is None or source is None:
            continue
        new = text
        if aspect in ("bucket", "acl"):
            new = _private_acl(new)
        key = {"bucket": "inline_policy", "policy": "policy"}.get(aspect)
        doc = _without_public(policies[key]) if key in policies else None
        if doc is not None:
            # An aws_s3_bucket_policy left without statements is removed altogether.
            new = "" if aspect == "policy" and not doc.get("Statement") else _rewrite_policy(new, "policy", doc)
        if new != text:
            changes.append((source, text, new))
    return changes


@fixer("storage.model-store-public", BUCKET, ACL, POLICY)
@fixer("storage.model-store-authenticated-users", BUCKET, ACL, POLICY)
def bucket_private(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Make the ACL private, drop AllUsers / AuthenticatedUsers grants and public statements."""
    changes = _grant_changes(asset, ctx)
    return make_fix(*changes) if changes else None


def _policy_owner_fix(attr: str, remove_empty_resource: bool) -> FixFn:
    """Drop public statements from the policies listed in `tf_policies` / `tf_sources`."""

    def fix(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
        policies = list(asset.get("tf_policies") or ())
        sources = list(asset.get("tf_sources") or ())
        changes = []
        for n, (aspect, policy) in enumerate(policies):
            source = asset.source if aspect == "inline_policy" else (sources[n][1] if n < len(sources) else None)
            text = block_text(ctx, source)
            doc = _without_public(policy)
            if text is None or source is None or doc is None:
                continue
            if not doc.get("Statement") and remove_empty_resource and aspect != "inline_policy":
                changes.append((source, text, ""))
            else:
                changes.append((source, text, _rewrite_policy(text, attr if aspect != "inline_policy"
                                                              else "policy", doc)))
        return make_fix(*changes) if changes else None

    return fix


fixer("kms.key-public", "aws_kms_key", "aws_kms_external_key", "aws_kms_replica_key")(
    _policy_owner_fix("policy", remove_empty_resource=True))
fixer("registry.public", "aws_ecr_repository", "aws_ecr_repository_policy")(
    _policy_owner_fix("policy", remove_empty_resource=True))
fixer("registry.public", "aws_sagemaker_model_package_group", "aws_sagemaker_model_package_group_policy")(
    _policy_owner_fix("resource_policy", remove_empty_resource=True))


# -------------------------------------------------------------------------------- logging


fixer("logging.trail-not-logging", "aws_cloudtrail")(
    on_block(lambda t: hcl.set_attribute(t, "enable_logging", "true")))
fixer("logging.trail-log-validation-off", "aws_cloudtrail")(
    on_block(lambda t: hcl.set_attribute(t, "enable_log_file_validation", "true")))


def _trail_for(asset: Asset, ctx: EvalContext) -> Asset | None:
    """The trail to extend: a logging one, preferably multi-region, preferably in the same file."""
    trails = [t for t in ctx.graph.assets(Kind.AUDIT_LOG, provider="aws")
              if t.native_type == "aws_cloudtrail" and t.source and t.get("logging_enabled") is not False]
    same = asset.source.file if asset.source else None
    trails.sort(key=lambda t: (t.source.file != same if t.source else True, not t.get("multi_region")))
    return trails[0] if trails else None


@fixer("logging.model-store-reads-not-audited", BUCKET)
def bucket_reads_audited(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Record S3 data events (GetObject included) for the bucket on an existing trail."""
    trail = _trail_for(asset, ctx)
    text = block_text(ctx, trail.source) if trail else None
    if trail is None or trail.source is None or text is None:
        return None
    same_module = trail.source.file.rsplit("/", 1)[0] == asset.source.file.rsplit("/", 1)[0] \
        if asset.source else False
    arn = (f'"${{{local_ref(asset.id)}.arn}}/"' if asset.native_type == BUCKET and same_module
           else hcl.hcl_string(f"arn:aws:s3:::{asset.name}/"))
    if hcl.find_block(text, "advanced_event_selector") is not None:
        body = (f"name = {hcl.hcl_string(f'S3 object reads of {asset.name}')}\n\n"
                'field_selector {\nfield  = "eventCategory"\nequals = ["Data"]\n}\n\n'
                'field_selector {\nfield  = "resources.type"\nequals = ["AWS::S3::Object"]\n}\n\n'
                f'field_selector {{\nfield       = "resources.ARN"\nstarts_with = [{arn}]\n}}')
        new = append_nested(text, "advanced_event_selector", body)
    else:
        management = "false" if hcl.find_block(text, "event_selector") is not None else "true"
        body = (f'read_write_type           = "All"\ninclude_management_events = {management}\n\n'
                f'data_resource {{\ntype   = "AWS::S3::Object"\nvalues = [{arn}]\n}}')
        new = append_nested(text, "event_selector", body)
    fix = make_fix((trail.source, text, new))
    return Fix(terraform=f"# {trail.id} now records reads of {asset.name} ({local_ref(asset.id)})\n"
               + fix.terraform, edits=fix.edits)


# ------------------------------------------------------------------------------ SageMaker


fixer("ai.notebook-root-access", NOTEBOOK)(
    on_block(lambda t: hcl.set_attribute(t, "root_access", '"Disabled"')))
fixer("ai.model-network-isolation-off", "aws_sagemaker_model")(
    on_block(lambda t: hcl.set_attribute(t, "enable_network_isolation", "true")))
fixer("ai.workspace-public-network", "aws_sagemaker_domain")(
    on_block(lambda t: hcl.set_attribute(t, "app_network_access_type", '"VpcOnly"')))


def _private_network(asset: Asset, ctx: EvalContext, text: str) -> tuple[str, str]:
    """The notebook block placed in a subnet of the module (or one chosen by new variables)."""
    if hcl.find_attribute(text, "subnet_id") is not None:
        return text, ""
    folder = os.path.dirname(asset.source.file) if asset.source else ""
    subnets = [s for s in ctx.graph.assets(Kind.SUBNET, provider="aws")
               if s.source and os.path.dirname(s.source.file) == folder]
    subnets.sort(key=lambda s: not ctx.is_crown_jewel(s))
    groups = sorted(set(re.findall(r'resource\s+"aws_security_group"\s+"([A-Za-z0-9_-]+)"',
                                   "".join(t for f, t in ctx.sources.items() if os.path.dirname(f) == folder))))
    new_blocks = []
    name = ident(asset)
    if subnets:
        subnet = f"{local_ref(subnets[0].id)}.id"
    else:
        subnet = f"var.{name}_subnet_id"
        new_blocks.append(hcl.render_block("variable", [f"{name}_subnet_id"], 'type        = string\n'
                                           'description = "Private subnet (no internet route) for the notebook"'))
    if groups:
        group = f"aws_security_group.{groups[0]}.id"
    else:
        group = f"var.{name}_security_group_id"
        new_blocks.append(hcl.render_block("variable", [f"{name}_security_group_id"], 'type        = string\n'
                                           'description = "Security group of the notebook (egress to VPC endpoints only)"'))
    text = hcl.set_attribute(text, "subnet_id", subnet)
    text = hcl.set_attribute(text, "security_groups", f"[{group}]")
    return text, "\n".join(new_blocks)


@fixer("ai.notebook-public-ip", NOTEBOOK)
def notebook_no_internet(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Disable direct internet access (which needs the notebook in a VPC subnet)."""
    text = block_text(ctx, asset.source)
    if text is None or asset.source is None:
        return None
    new, blocks = _private_network(asset, ctx, text)
    return make_fix((asset.source, text, hcl.set_attribute(new, "direct_internet_access", '"Disabled"')),
                    new=blocks)


@fixer("ai.notebook-outside-private-network", NOTEBOOK)
def notebook_in_vpc(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Launch the notebook in a VPC subnet so its traffic crosses your controls and flow logs."""
    text = block_text(ctx, asset.source)
    if text is None or asset.source is None:
        return None
    new, blocks = _private_network(asset, ctx, text)
    return make_fix((asset.source, text, new), new=blocks)


# -------------------------------------------------------------------------------- network


@fixer("network.ai-network-no-flow-logs", "aws_vpc", "aws_default_vpc", "aws_subnet")
def vpc_flow_logs(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Flow logs of all traffic of the VPC (a subnet's finding is fixed on its VPC), to S3."""
    vpc = asset
    if asset.kind is Kind.SUBNET:
        nets = ctx.graph.targets(asset.id, EdgeKind.IN_NETWORK)
        vpc = nets[0] if nets else asset
    if vpc.source is None:
        return None
    name = ident(vpc)
    log_bucket = free_name(ctx, BUCKET, f"{name}_flow_logs")
    key = "subnet_id" if vpc.kind is Kind.SUBNET else "vpc_id"
    meta, network = instances(vpc, ctx)  # one flow log per instance of a counted VPC
    blocks = (hcl.render_block("resource", [BUCKET, log_bucket], 'bucket_prefix = "vpc-flow-logs-"') + "\n"
              + hcl.render_block("resource", ["aws_flow_log", free_name(ctx, "aws_flow_log", name)],
                                 f"{meta}{key}                   = {network}\n"
                                 'traffic_type             = "ALL"\nlog_destination_type     = "s3"\n'
                                 f"log_destination          = aws_s3_bucket.{log_bucket}.arn\n"
                                 "max_aggregation_interval = 60"))
    fix = make_fix(new=blocks, where=vpc.source)
    if vpc is asset:
        return fix
    return Fix(terraform=f"# {local_ref(asset.id)} ({asset.name}) is covered by flow logs of its VPC\n"
               + fix.terraform, edits=fix.edits)


# ------------------------------------------------------------------------------------ IAM

_READ_ONLY = {
    "s3": ["s3:GetObject", "s3:ListBucket"],
    "kms": ["kms:Decrypt", "kms:DescribeKey"],
    "ecr": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    "sagemaker": ["sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"],
}
_SERVICE_OF_KIND = {Kind.OBJECT_STORE: "s3", Kind.CRYPTO_KEY: "kms", Kind.CONTAINER_REGISTRY: "ecr",
                    Kind.MODEL_REGISTRY: "sagemaker", Kind.MODEL: "sagemaker"}


def _narrow(actions: list[str], services: list[str]) -> list[str]:
    """Replace catch-all actions with the read-only actions of their service."""
    from crownjewel.rules.exposure import BROAD_ACTIONS

    out: list[str] = []
    for action in actions:
        if not BROAD_ACTIONS.match(action):
            out.append(action)
            continue
        service = action.split(":", 1)[0].lower()
        out.extend(_READ_ONLY.get(service) or [a for s in services for a in _READ_ONLY[s]])
    return list(dict.fromkeys(out))


@fixer("iam.broad-role-on-model-store", "aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy",
       "aws_iam_group_policy", "aws_iam_role")
def narrow_statement(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Narrow the statement's catch-all actions to read-only ones on the same resources."""
    policies = list(asset.get("tf_policies") or ())
    index = asset.get("statement_index")
    text = block_text(ctx, asset.source)
    if not policies or index is None or text is None or asset.source is None:
        return None
    aspect, policy = policies[0]
    doc = json.loads(policy)
    statements = doc["Statement"] if isinstance(doc.get("Statement"), list) else [doc.get("Statement")]
    st = dict(statements[index])
    services = sorted({_SERVICE_OF_KIND[t.kind] for t in ctx.graph.targets(asset.id, EdgeKind.GRANTS)
                       if t.kind in _SERVICE_OF_KIND}) or ["s3"]
    actions = ["*"] if "NotAction" in st else st.get("Action")
    narrowed = _narrow([str(a) for a in actions] if isinstance(actions, list) else [str(actions)], services)
    statements[index] = {(k if k != "NotAction" else "Action"): (narrowed if k in ("Action", "NotAction") else v)
                         for k, v in st.items()}
    value = "jsonencode(" + hcl_value({**doc, "Statement": statements}) + ")"
    match = re.fullmatch(r"inline_policy\[(\d+)\]", aspect)
    if match:
        if match.group(1) != "0":
            return None  # hcl_edit reaches the first inline_policy block only
        new = in_nested(text, "inline_policy", lambda sub: hcl.set_attribute(sub, "policy", value))
    else:
        new = hcl.set_attribute(text, "policy", value)
    return make_fix((asset.source, text, new))


def _target_arns(asset: Asset, ctx: EvalContext) -> list[str]:
    """ARN expressions of what a binding grants on, for targets declared beside it."""
    folder = os.path.dirname(asset.source.file) if asset.source else None
    arns: list[str] = []
    for target in ctx.graph.targets(asset.id, EdgeKind.GRANTS):
        if not target.source or os.path.dirname(target.source.file) != folder or "@" in target.id:
            continue
        ref = local_ref(target.id)
        arns.append(f"{ref}.arn")
        if target.kind is Kind.OBJECT_STORE:
            arns.append(f'"${{{ref}.arn}}/*"')
    return arns


@fixer("iam.broad-role-on-model-store", "aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment",
       "aws_iam_group_policy_attachment", "aws_iam_policy_attachment")
def replace_managed_policy(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Attach a read-only policy scoped to the model stores instead of a broad AWS-managed one."""
    text = block_text(ctx, asset.source)
    arns = _target_arns(asset, ctx)
    if text is None or asset.source is None or not arns:
        return None
    services = sorted({_SERVICE_OF_KIND[t.kind] for t in ctx.graph.targets(asset.id, EdgeKind.GRANTS)
                       if t.kind in _SERVICE_OF_KIND})
    actions = ", ".join(hcl.hcl_string(a) for s in services for a in _READ_ONLY[s])
    name = free_name(ctx, "aws_iam_policy", f"{ident(asset)}_read_only")
    policy = (f'name = {hcl.hcl_string(name.replace("_", "-"))}\npolicy = jsonencode({{\nVersion = "2012-10-17"\n'
              f'Statement = [{{\nEffect   = "Allow"\nAction   = [{actions}]\nResource = [{", ".join(arns)}]\n}}]\n}})')
    new = hcl.set_attribute(text, "policy_arn", f"aws_iam_policy.{name}.arn")
    return make_fix((asset.source, text, new), new=hcl.render_block("resource", ["aws_iam_policy", name], policy))
