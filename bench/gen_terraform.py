"""Generate a deterministic, realistic Terraform tree for scanner benchmarks.

The tree is a set of root folders ("stacks"), one cloud each, about 100 resources per folder spread
over files of 20 to 50 resources. Every folder has a ``variable`` with a default and a ``locals``
block; resources reference each other (buckets to keys, split S3 resources to their bucket, Vertex AI
resources to a Cloud KMS key, ...). Settings are a seeded mix of secure and insecure, and about a
third of the storage and ML resources carry AI-ish names (``ml-models-123``, ``training-data-7``) so
classifiers have something to find.

Only the resource types listed in ``RESOURCE_TYPES`` are emitted. The output is what ``terraform fmt``
produces (attribute ``=`` signs aligned, two-space indents), and the same ``--seed`` and
``--resources`` always give byte-identical files.

Usage::

    python bench/gen_terraform.py --resources 5000 --out bench/.work/tf-5000 --seed 1
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

RESOURCE_TYPES: tuple[str, ...] = (
    # Google Cloud
    "google_storage_bucket",
    "google_storage_bucket_iam_member",
    "google_kms_key_ring",
    "google_kms_crypto_key",
    "google_kms_crypto_key_iam_member",
    "google_project_iam_audit_config",
    "google_compute_subnetwork",
    "google_vertex_ai_dataset",
    "google_vertex_ai_endpoint",
    "google_vertex_ai_featurestore",
    "google_vertex_ai_tensorboard",
    "google_notebooks_instance",
    "google_workbench_instance",
    # AWS
    "aws_s3_bucket",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_acl",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_logging",
    "aws_kms_key",
    "aws_sagemaker_model",
    "aws_sagemaker_notebook_instance",
    "aws_sagemaker_endpoint_configuration",
    "aws_cloudtrail",
    "aws_flow_log",
    "aws_ecr_repository",
    # Azure
    "azurerm_storage_account",
    "azurerm_storage_container",
    "azurerm_key_vault_key",
    "azurerm_machine_learning_workspace",
)

RESOURCES_PER_FOLDER = 100
FILE_MIN, FILE_MAX = 20, 50
AI_SHARE = 0.35
CLOUD_WEIGHTS = {"gcp": 45, "aws": 40, "azure": 15}

AI_PREFIXES = (
    "ml-models",
    "training-data",
    "model-weights",
    "checkpoints",
    "llm-finetune",
    "embeddings",
    "datasets",
    "feature-store",
    "eval-results",
    "tokenizers",
)
PLAIN_PREFIXES = (
    "app-logs",
    "web-assets",
    "backups",
    "billing-exports",
    "static-site",
    "terraform-state",
    "reports",
    "uploads",
    "media",
    "archive",
)


# --------------------------------------------------------------------------------------------------
# A tiny HCL writer that formats like `terraform fmt`.


@dataclass(frozen=True, slots=True)
class Expr:
    """A raw HCL expression written verbatim (a reference, function call, ...)."""

    text: str


Value = Union[str, int, float, bool, Expr, list["Value"], "Obj"]


@dataclass(frozen=True, slots=True)
class Obj:
    """An HCL object expression ``{ k = v }``, written over several lines."""

    items: tuple[tuple[str, Value], ...]


@dataclass(slots=True)
class Block:
    """A block (``resource "t" "n" { ... }``) holding attributes and nested blocks in order."""

    type: str
    labels: tuple[str, ...] = ()
    body: list[tuple[str, object]] = field(default_factory=list)

    def attr(self, key: str, value: Value) -> Block:
        self.body.append(("attr", (key, value)))
        return self

    def block(self, child: Block) -> Block:
        self.body.append(("block", child))
        return self


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _render_value(value: Value, indent: int) -> list[str]:
    """Render a value; the first line is appended after ``key = ``, the rest are full lines."""
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, (int, float)):
        return [repr(value)]
    if isinstance(value, str):
        return [_quote(value)]
    if isinstance(value, Expr):
        return value.text.split("\n")
    if isinstance(value, list):
        parts = [_render_value(v, indent) for v in value]
        if all(len(p) == 1 for p in parts):
            return ["[" + ", ".join(p[0] for p in parts) + "]"]
        # A list of multi-line objects: `[{`, ..., `}, {`, ..., `}]`
        lines = ["[" + parts[0][0]]
        for i, p in enumerate(parts):
            if i:
                lines[-1] += ", " + p[0]
            lines.extend(p[1:])
        lines[-1] += "]"
        return lines
    if isinstance(value, Obj):
        pad = "  " * (indent + 1)
        return ["{", *_render_items(value.items, indent + 1, pad), "  " * indent + "}"]
    raise TypeError(f"cannot render {value!r}")


def _render_items(
    items: tuple[tuple[str, Value], ...] | list[tuple[str, Value]], indent: int, pad: str
) -> list[str]:
    """Render ``key = value`` items, aligning ``=`` across runs of single-line items.

    terraform fmt aligns the equals signs of consecutive single-line attributes; an attribute whose
    value spans several lines stands alone and ends the run.
    """
    out: list[str] = []
    run: list[tuple[str, list[str]]] = []

    def flush() -> None:
        if not run:
            return
        width = max(len(k) for k, _ in run)
        for k, lines in run:
            out.append(f"{pad}{k.ljust(width)} = {lines[0]}")
            out.extend(lines[1:])
        run.clear()

    for key, value in items:
        lines = _render_value(value, indent)
        if len(lines) > 1:
            flush()
            out.append(f"{pad}{key} = {lines[0]}")
            out.extend(lines[1:])
        else:
            run.append((key, lines))
    flush()
    return out


def render_block(block: Block, indent: int = 0) -> list[str]:
    """Render a block and its body as terraform fmt would."""
    pad = "  " * indent
    head = " ".join([block.type, *(_quote(label) for label in block.labels)])
    lines = [f"{pad}{head} {{"]
    pending: list[tuple[str, Value]] = []
    first = True
    for kind, item in block.body:
        if kind == "attr":
            pending.append(item)  # type: ignore[arg-type]
            continue
        if pending:
            lines.extend(_render_items(pending, indent + 1, pad + "  "))
            pending = []
            first = False
        if not first:
            lines.append("")
        lines.extend(render_block(item, indent + 1))  # type: ignore[arg-type]
        first = False
    if pending:
        if not first:
            lines.append("")
        lines.extend(_render_items(pending, indent + 1, pad + "  "))
    lines.append(f"{pad}}}")
    return lines


def ref(text: str) -> Expr:
    return Expr(text)


# --------------------------------------------------------------------------------------------------
# Resource bundles per cloud.


@dataclass(slots=True)
class Folder:
    """State of one root folder while it is being filled."""

    index: int
    cloud: str
    rng: random.Random
    counter: Counter[str] = field(default_factory=Counter)
    resources: list[Block] = field(default_factory=list)
    kms_keys: list[str] = field(default_factory=list)  # Terraform addresses of keys
    key_ring: str | None = None
    log_bucket: str | None = None
    key_vault_keys: list[str] = field(default_factory=list)
    storage_accounts: list[str] = field(default_factory=list)
    s3_buckets: list[str] = field(default_factory=list)
    sagemaker_models: list[str] = field(default_factory=list)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def name(self, kind: str, ai: bool | None = None) -> tuple[str, str]:
        """Return (terraform local name, cloud resource name) for a new resource."""
        if ai is None:
            ai = self.chance(AI_SHARE)
        prefix = self.rng.choice(AI_PREFIXES if ai else PLAIN_PREFIXES)
        self.counter[kind] += 1
        cloud_name = f"{prefix}-{self.index:02d}-{self.counter[kind]}"
        return cloud_name.replace("-", "_"), cloud_name

    def add(self, block: Block) -> str:
        self.resources.append(block)
        return f"{block.labels[0]}.{block.labels[1]}"


def resource(rtype: str, name: str) -> Block:
    assert rtype in RESOURCE_TYPES, rtype
    return Block("resource", (rtype, name))


# Google Cloud --------------------------------------------------------------------------------------


def gcp_kms(f: Folder, budget: int) -> int:
    """A key ring with one to three crypto keys, sometimes shared too widely."""
    used = 0
    if f.key_ring is None:
        f.counter["ring"] += 1
        ring = resource("google_kms_key_ring", f"ring_{f.counter['ring']}")
        ring.attr("name", f"keyring-{f.index:02d}-{f.counter['ring']}")
        ring.attr("location", ref("var.region"))
        ring.attr("project", ref("local.project"))
        f.key_ring = f.add(ring)
        used += 1
    for _ in range(f.rng.randint(1, 3)):
        if used >= budget:
            break
        tf, name = f.name("key")
        key = resource("google_kms_crypto_key", f"{tf}_key")
        key.attr("name", f"{name}-key")
        key.attr("key_ring", ref(f"{f.key_ring}.id"))
        key.attr("purpose", "ENCRYPT_DECRYPT")
        if f.chance(0.7):
            key.attr("rotation_period", f.rng.choice(["7776000s", "2592000s"]))
        elif f.chance(0.5):
            key.attr("rotation_period", "31536000s")
        life = Block("lifecycle").attr("prevent_destroy", True)
        key.block(life)
        addr = f.add(key)
        f.kms_keys.append(addr)
        used += 1
        if used < budget and f.chance(0.3):
            member = resource("google_kms_crypto_key_iam_member", f"{tf}_key_decrypter")
            member.attr("crypto_key_id", ref(f"{addr}.id"))
            member.attr("role", "roles/cloudkms.cryptoKeyEncrypterDecrypter")
            member.attr(
                "member",
                "allUsers" if f.chance(0.15) else ref('"serviceAccount:${local.service_account}"'),
            )
            f.add(member)
            used += 1
    return used


def gcp_audit(f: Folder, budget: int) -> int:
    cfg = resource("google_project_iam_audit_config", f"audit_{f.index:02d}")
    cfg.attr("project", ref("local.project"))
    cfg.attr("service", "allServices" if f.chance(0.7) else "storage.googleapis.com")
    kinds = ["ADMIN_READ", "DATA_READ", "DATA_WRITE"] if f.chance(0.6) else ["ADMIN_READ"]
    for kind in kinds:
        alc = Block("audit_log_config").attr("log_type", kind)
        if kind == "DATA_READ" and f.chance(0.3):
            alc.attr("exempted_members", ["user:ci-bot@example.com"])
        cfg.block(alc)
    f.add(cfg)
    return 1


def gcp_bucket(f: Folder, budget: int) -> int:
    tf, name = f.name("bucket")
    b = resource("google_storage_bucket", tf)
    b.attr("name", name)
    b.attr("project", ref("local.project"))
    b.attr("location", ref("var.region"))
    b.attr("force_destroy", False)
    b.attr("uniform_bucket_level_access", f.chance(0.75))
    if f.chance(0.7):
        b.attr("public_access_prevention", "enforced" if f.chance(0.85) else "inherited")
    b.attr("labels", ref("local.labels"))
    if f.chance(0.65):
        b.block(Block("versioning").attr("enabled", f.chance(0.8)))
    if f.kms_keys and f.chance(0.6):
        key = f.rng.choice(f.kms_keys)
        b.block(Block("encryption").attr("default_kms_key_name", ref(f"{key}.id")))
    if f.chance(0.3):
        b.block(Block("logging").attr("log_bucket", f"{f.index:02d}-access-logs"))
    addr = f.add(b)
    used = 1
    if used < budget and f.chance(0.3):
        public = f.chance(0.3)
        m = resource("google_storage_bucket_iam_member", f"{tf}_{'public' if public else 'reader'}")
        m.attr("bucket", ref(f"{addr}.name"))
        m.attr("role", "roles/storage.objectViewer")
        m.attr("member", "allUsers" if public else ref('"serviceAccount:${local.service_account}"'))
        f.add(m)
        used += 1
    return used


def _encryption_spec(f: Folder, block: Block, p: float = 0.6) -> None:
    if f.kms_keys and f.chance(p):
        key = f.rng.choice(f.kms_keys)
        block.block(Block("encryption_spec").attr("kms_key_name", ref(f"{key}.id")))


def gcp_vertex(f: Folder, budget: int) -> int:
    kind = f.rng.choice(["dataset", "endpoint", "featurestore", "tensorboard"])
    tf, name = f.name("vertex", ai=True)
    if kind == "dataset":
        r = resource("google_vertex_ai_dataset", f"{tf}_dataset")
        r.attr("display_name", name.replace("-", "_"))
        r.attr(
            "metadata_schema_uri",
            "gs://google-cloud-aiplatform/schema/dataset/metadata/image_1.0.0.yaml",
        )
        r.attr("region", ref("var.region"))
        r.attr("labels", ref("local.labels"))
    elif kind == "endpoint":
        r = resource("google_vertex_ai_endpoint", f"{tf}_endpoint")
        r.attr("name", str(1000 + f.counter["vertex"]))
        r.attr("display_name", name)
        r.attr("location", ref("var.region"))
        r.attr("region", ref("var.region"))
        r.attr("labels", ref("local.labels"))
    elif kind == "featurestore":
        r = resource("google_vertex_ai_featurestore", f"{tf}_featurestore")
        r.attr("name", tf)
        r.attr("region", ref("var.region"))
        r.attr("labels", ref("local.labels"))
        r.attr("force_destroy", False)
        r.block(Block("online_serving_config").attr("fixed_node_count", f.rng.randint(1, 3)))
    else:
        r = resource("google_vertex_ai_tensorboard", f"{tf}_tensorboard")
        r.attr("display_name", name)
        r.attr("region", ref("var.region"))
        r.attr("labels", ref("local.labels"))
    _encryption_spec(f, r)
    f.add(r)
    return 1


def gcp_notebook(f: Folder, budget: int) -> int:
    tf, name = f.name("notebook", ai=f.chance(0.8))
    if f.chance(0.5):
        r = resource("google_notebooks_instance", f"{tf}_notebook")
        r.attr("name", f"{name}-nb")
        r.attr("location", ref('"${var.region}-a"'))
        r.attr("machine_type", f.rng.choice(["e2-standard-4", "n1-standard-8"]))
        r.attr("no_public_ip", f.chance(0.6))
        r.attr("no_proxy_access", False)
        if f.kms_keys and f.chance(0.6):
            r.attr("disk_encryption", "CMEK")
            r.attr("kms_key", ref(f"{f.rng.choice(f.kms_keys)}.id"))
        r.block(
            Block("vm_image")
            .attr("project", "deeplearning-platform-release")
            .attr("image_family", "pytorch-latest-gpu")
        )
    else:
        r = resource("google_workbench_instance", f"{tf}_workbench")
        r.attr("name", f"{name}-wb")
        r.attr("location", ref('"${var.region}-a"'))
        setup = Block("gce_setup")
        setup.attr("machine_type", f.rng.choice(["e2-standard-4", "n1-standard-8"]))
        setup.attr("disable_public_ip", f.chance(0.6))
        if f.chance(0.5):
            setup.block(
                Block("boot_disk")
                .attr("disk_size_gb", 150)
                .attr("disk_encryption", "CMEK")
                .attr(
                    "kms_key",
                    ref(f"{f.rng.choice(f.kms_keys)}.id")
                    if f.kms_keys
                    else "projects/p/locations/l/keyRings/r/cryptoKeys/k",
                )
            )
        setup.block(
            Block("network_interfaces")
            .attr("network", ref("local.network"))
            .attr("subnet", ref('"${local.network}/subnetworks/default"'))
        )
        r.block(setup)
    f.add(r)
    return 1


def gcp_subnet(f: Folder, budget: int) -> int:
    f.counter["subnet"] += 1
    n = f.counter["subnet"]
    r = resource("google_compute_subnetwork", f"subnet_{n}")
    r.attr("name", f"subnet-{f.index:02d}-{n}")
    r.attr("ip_cidr_range", f"10.{f.index % 256}.{n % 256}.0/24")
    r.attr("region", ref("var.region"))
    r.attr("network", ref("local.network"))
    r.attr("private_ip_google_access", f.chance(0.7))
    if f.chance(0.6):
        r.block(
            Block("log_config")
            .attr("aggregation_interval", "INTERVAL_10_MIN")
            .attr("flow_sampling", 0.5)
            .attr("metadata", "INCLUDE_ALL_METADATA")
        )
    f.add(r)
    return 1


# AWS -------------------------------------------------------------------------------------------------


def aws_kms(f: Folder, budget: int) -> int:
    tf, name = f.name("kms")
    k = resource("aws_kms_key", f"{tf}_key")
    k.attr("description", f"Key for {name}")
    k.attr("deletion_window_in_days", 30)
    k.attr("enable_key_rotation", f.chance(0.7))
    principal = "*" if f.chance(0.2) else Expr('"arn:aws:iam::${local.account_id}:root"')
    k.attr(
        "policy",
        Expr(
            "jsonencode("
            + "\n".join(
                _render_value(_policy_obj("Enable IAM policies", principal, "kms:*", "*"), 1)
            )
            + ")"
        ),
    )
    k.attr("tags", ref("local.tags"))
    f.kms_keys.append(f.add(k))
    return 1


def _policy_obj(sid: str, principal: Value, action: Value, res: Value) -> Obj:
    stmt = Obj(
        (
            ("Sid", sid),
            ("Effect", "Allow"),
            ("Principal", principal if principal == "*" else Obj((("AWS", principal),))),
            ("Action", action),
            ("Resource", res),
        )
    )
    return Obj((("Version", "2012-10-17"), ("Statement", [stmt])))


def aws_log_bucket(f: Folder, budget: int) -> int:
    tf = f"access_logs_{f.index:02d}"
    b = resource("aws_s3_bucket", tf)
    b.attr("bucket", f"access-logs-{f.index:02d}-${{local.account_id}}")
    b.attr("tags", ref("local.tags"))
    f.log_bucket = f.add(b)
    f.s3_buckets.append(f.log_bucket)
    return 1


def aws_trail(f: Folder, budget: int) -> int:
    used = 0
    f.counter["trail"] += 1
    t = resource("aws_cloudtrail", f"trail_{f.index:02d}_{f.counter['trail']}")
    t.attr("name", f"org-trail-{f.index:02d}-{f.counter['trail']}")
    t.attr("s3_bucket_name", ref(f"{f.log_bucket}.id") if f.log_bucket else "central-trail-logs")
    t.attr("include_global_service_events", True)
    t.attr("is_multi_region_trail", f.chance(0.8))
    t.attr("enable_log_file_validation", f.chance(0.8))
    t.attr("enable_logging", f.chance(0.85))
    if f.kms_keys and f.chance(0.6):
        t.attr("kms_key_id", ref(f"{f.rng.choice(f.kms_keys)}.arn"))
    if f.chance(0.5):
        sel = Block("event_selector").attr("read_write_type", "All")
        sel.attr("include_management_events", True)
        sel.block(
            Block("data_resource").attr("type", "AWS::S3::Object").attr("values", ["arn:aws:s3"])
        )
        t.block(sel)
    t.attr("tags", ref("local.tags"))
    f.add(t)
    used += 1
    if used < budget:
        f.counter["flow"] += 1
        fl = resource("aws_flow_log", f"vpc_flow_{f.index:02d}_{f.counter['flow']}")
        fl.attr("vpc_id", ref("local.vpc_id"))
        fl.attr("traffic_type", f.rng.choice(["ALL", "ALL", "REJECT"]))
        fl.attr("log_destination_type", "s3")
        fl.attr(
            "log_destination",
            ref(f"{f.log_bucket}.arn") if f.log_bucket else "arn:aws:s3:::central-flow-logs",
        )
        fl.attr("tags", ref("local.tags"))
        f.add(fl)
        used += 1
    return used


def aws_bucket(f: Folder, budget: int) -> int:
    """An S3 bucket with a random subset of its split configuration resources."""
    tf, name = f.name("s3")
    b = resource("aws_s3_bucket", tf)
    b.attr("bucket", f"{name}-${{local.account_id}}")
    b.attr("force_destroy", False)
    b.attr("tags", ref("local.tags"))
    addr = f.add(b)
    f.s3_buckets.append(addr)
    used = 1
    extras: list[Callable[[], Block]] = []

    def sse() -> Block:
        r = resource("aws_s3_bucket_server_side_encryption_configuration", tf)
        r.attr("bucket", ref(f"{addr}.id"))
        default = Block("apply_server_side_encryption_by_default")
        if f.kms_keys and f.chance(0.65):
            default.attr("sse_algorithm", "aws:kms")
            default.attr("kms_master_key_id", ref(f"{f.rng.choice(f.kms_keys)}.arn"))
        else:
            default.attr("sse_algorithm", "AES256")
        rule = Block("rule").block(default)
        rule.attr("bucket_key_enabled", True)
        return r.block(rule)

    def pab() -> Block:
        r = resource("aws_s3_bucket_public_access_block", tf)
        r.attr("bucket", ref(f"{addr}.id"))
        strict = f.chance(0.8)
        r.attr("block_public_acls", strict)
        r.attr("block_public_policy", strict)
        r.attr("ignore_public_acls", strict)
        r.attr("restrict_public_buckets", strict)
        return r

    def policy() -> Block:
        r = resource("aws_s3_bucket_policy", tf)
        r.attr("bucket", ref(f"{addr}.id"))
        public = f.chance(0.25)
        principal: Value = "*" if public else Expr('"arn:aws:iam::${local.account_id}:root"')
        # Half reference the bucket, half spell the ARN out (both are common in the wild).
        if f.chance(0.5):
            arns: list[Value] = [Expr(f"{addr}.arn"), Expr(f'"${{{addr}.arn}}/*"')]
        else:
            arn = f"arn:aws:s3:::{name}-${{local.account_id}}"
            arns = [arn, f"{arn}/*"]
        obj = _policy_obj("Read", principal, ["s3:GetObject", "s3:ListBucket"], arns)
        r.attr("policy", Expr("jsonencode(" + "\n".join(_render_value(obj, 1)) + ")"))
        return r

    def acl() -> Block:
        r = resource("aws_s3_bucket_acl", tf)
        r.attr("bucket", ref(f"{addr}.id"))
        r.attr("acl", "public-read" if f.chance(0.15) else "private")
        return r

    def versioning() -> Block:
        r = resource("aws_s3_bucket_versioning", tf)
        r.attr("bucket", ref(f"{addr}.id"))
        r.block(
            Block("versioning_configuration").attr(
                "status", "Enabled" if f.chance(0.8) else "Suspended"
            )
        )
        return r

    def logging() -> Block:
        r = resource("aws_s3_bucket_logging", tf)
        r.attr("bucket", ref(f"{addr}.id"))
        r.attr(
            "target_bucket", ref(f"{f.log_bucket}.id") if f.log_bucket else "central-access-logs"
        )
        r.attr("target_prefix", f"{name}/")
        return r

    for p, make in (
        (0.75, sse),
        (0.7, pab),
        (0.35, policy),
        (0.4, acl),
        (0.6, versioning),
        (0.5, logging),
    ):
        if f.chance(p):
            extras.append(make)
    for make in extras:
        if used >= budget:
            break
        f.add(make())
        used += 1
    return used


def aws_sagemaker(f: Folder, budget: int) -> int:
    kind = f.rng.choice(["model", "model", "notebook"])
    tf, name = f.name("sagemaker", ai=True)
    if kind == "notebook":
        r = resource("aws_sagemaker_notebook_instance", f"{tf}_notebook")
        r.attr("name", f"{name}-nb")
        r.attr("role_arn", ref("local.sagemaker_role_arn"))
        r.attr("instance_type", f.rng.choice(["ml.t3.medium", "ml.g5.xlarge"]))
        r.attr("direct_internet_access", "Disabled" if f.chance(0.6) else "Enabled")
        r.attr("root_access", "Disabled" if f.chance(0.5) else "Enabled")
        if f.kms_keys and f.chance(0.6):
            r.attr("kms_key_id", ref(f"{f.rng.choice(f.kms_keys)}.id"))
        r.attr("tags", ref("local.tags"))
        f.add(r)
        return 1
    r = resource("aws_sagemaker_model", f"{tf}_model")
    r.attr("name", f"{name}-model")
    r.attr("execution_role_arn", ref("local.sagemaker_role_arn"))
    r.attr("enable_network_isolation", f.chance(0.5))
    container = Block("primary_container")
    container.attr(
        "image", ref('"${local.account_id}.dkr.ecr.${var.region}.amazonaws.com/serve:1"')
    )
    bucket = f.rng.choice(f.s3_buckets) if f.s3_buckets else None
    container.attr(
        "model_data_url",
        ref(f'"s3://${{{bucket}.bucket}}/{name}/model.tar.gz"')
        if bucket
        else f"s3://{name}/model.tar.gz",
    )
    r.block(container)
    r.attr("tags", ref("local.tags"))
    addr = f.add(r)
    used = 1
    if used < budget and f.chance(0.7):
        c = resource("aws_sagemaker_endpoint_configuration", f"{tf}_endpoint")
        c.attr("name", f"{name}-endpoint-config")
        if f.kms_keys and f.chance(0.6):
            c.attr("kms_key_arn", ref(f"{f.rng.choice(f.kms_keys)}.arn"))
        c.block(
            Block("production_variants")
            .attr("variant_name", "primary")
            .attr("model_name", ref(f"{addr}.name"))
            .attr("initial_instance_count", 1)
            .attr("instance_type", "ml.g5.2xlarge")
        )
        c.attr("tags", ref("local.tags"))
        f.add(c)
        used += 1
    return used


def aws_ecr(f: Folder, budget: int) -> int:
    tf, name = f.name("ecr")
    r = resource("aws_ecr_repository", tf)
    r.attr("name", name)
    r.attr("image_tag_mutability", "IMMUTABLE" if f.chance(0.6) else "MUTABLE")
    r.block(Block("image_scanning_configuration").attr("scan_on_push", f.chance(0.7)))
    if f.kms_keys and f.chance(0.5):
        r.block(
            Block("encryption_configuration")
            .attr("encryption_type", "KMS")
            .attr("kms_key", ref(f"{f.rng.choice(f.kms_keys)}.arn"))
        )
    r.attr("tags", ref("local.tags"))
    f.add(r)
    return 1


# Azure -----------------------------------------------------------------------------------------------


def az_key(f: Folder, budget: int) -> int:
    tf, name = f.name("kvkey")
    r = resource("azurerm_key_vault_key", f"{tf}_key")
    r.attr("name", f"{name}-key")
    r.attr("key_vault_id", ref("local.key_vault_id"))
    r.attr("key_type", "RSA")
    r.attr("key_size", 2048 if f.chance(0.5) else 4096)
    r.attr("key_opts", ["decrypt", "encrypt", "unwrapKey", "wrapKey"])
    if f.chance(0.6):
        r.attr("expiration_date", "2030-12-31T00:00:00Z")
    if f.chance(0.5):
        r.block(
            Block("rotation_policy")
            .attr("expire_after", "P90D")
            .attr("notify_before_expiry", "P29D")
            .block(Block("automatic").attr("time_before_expiry", "P30D"))
        )
    f.key_vault_keys.append(f.add(r))
    return 1


def az_storage(f: Folder, budget: int) -> int:
    tf, name = f.name("sa")
    f.counter["sa_n"] += 1
    acct_name = (name.replace("-", "")[:18] + f"{f.index:02d}{f.counter['sa_n']}")[:24]
    r = resource("azurerm_storage_account", tf)
    r.attr("name", acct_name)
    r.attr("resource_group_name", ref("local.resource_group_name"))
    r.attr("location", ref("var.location"))
    r.attr("account_tier", "Standard")
    r.attr("account_replication_type", f.rng.choice(["LRS", "GRS", "ZRS"]))
    r.attr("min_tls_version", "TLS1_2")
    r.attr("allow_nested_items_to_be_public", f.chance(0.3))
    r.attr("public_network_access_enabled", f.chance(0.4))
    r.attr("shared_access_key_enabled", f.chance(0.5))
    if f.chance(0.6):
        r.block(
            Block("network_rules")
            .attr("default_action", "Deny" if f.chance(0.8) else "Allow")
            .attr("bypass", ["AzureServices"])
        )
    if f.chance(0.5):
        r.block(Block("identity").attr("type", "SystemAssigned"))
    r.attr("tags", ref("local.tags"))
    addr = f.add(r)
    f.storage_accounts.append(addr)
    used = 1
    containers = ["models", "checkpoints", "datasets", "logs", "artifacts"]
    for cname in f.rng.sample(containers, f.rng.randint(0, 2)):
        if used >= budget:
            break
        c = resource("azurerm_storage_container", f"{tf}_{cname}")
        c.attr("name", cname)
        c.attr("storage_account_name", ref(f"{addr}.name"))
        c.attr("container_access_type", "blob" if f.chance(0.15) else "private")
        f.add(c)
        used += 1
    return used


def az_workspace(f: Folder, budget: int) -> int:
    tf, name = f.name("mlw", ai=True)
    r = resource("azurerm_machine_learning_workspace", tf)
    r.attr("name", f"{name}-mlw")
    r.attr("location", ref("var.location"))
    r.attr("resource_group_name", ref("local.resource_group_name"))
    r.attr("application_insights_id", ref("local.application_insights_id"))
    r.attr("key_vault_id", ref("local.key_vault_id"))
    r.attr(
        "storage_account_id",
        ref(f"{f.rng.choice(f.storage_accounts)}.id")
        if f.storage_accounts
        else ref("local.default_storage_account_id"),
    )
    r.attr("public_network_access_enabled", f.chance(0.4))
    r.block(Block("identity").attr("type", "SystemAssigned"))
    if f.key_vault_keys and f.chance(0.5):
        r.block(
            Block("encryption")
            .attr("key_vault_id", ref("local.key_vault_id"))
            .attr("key_id", ref(f"{f.rng.choice(f.key_vault_keys)}.id"))
        )
    r.attr("tags", ref("local.tags"))
    f.add(r)
    return 1


Bundle = Callable[[Folder, int], int]

# (bundle, weight) per cloud; preambles run once at the start of each folder.
PREAMBLE: dict[str, tuple[Bundle, ...]] = {
    "gcp": (gcp_kms, gcp_audit),
    "aws": (aws_kms, aws_kms, aws_log_bucket, aws_trail),
    "azure": (az_key, az_key),
}
BUNDLES: dict[str, tuple[tuple[Bundle, int], ...]] = {
    "gcp": ((gcp_bucket, 40), (gcp_kms, 8), (gcp_vertex, 20), (gcp_notebook, 8), (gcp_subnet, 10)),
    "aws": ((aws_bucket, 45), (aws_kms, 8), (aws_sagemaker, 20), (aws_ecr, 8), (aws_trail, 2)),
    "azure": ((az_storage, 50), (az_key, 15), (az_workspace, 20)),
}


# --------------------------------------------------------------------------------------------------
# Folder files.

PROVIDERS: dict[str, tuple[str, str, str]] = {
    "gcp": ("google", "hashicorp/google", "~> 5.40"),
    "aws": ("aws", "hashicorp/aws", "~> 5.60"),
    "azure": ("azurerm", "hashicorp/azurerm", "~> 3.110"),
}


def variables_tf(f: Folder) -> str:
    """``variables.tf``: terraform settings, one variable with a default, and locals."""
    team = f.rng.choice(["research", "platform", "inference", "data", "web"])
    env = f.rng.choice(["prod", "staging", "dev"])
    local, source, version = PROVIDERS[f.cloud]
    settings = (
        Block("terraform")
        .attr("required_version", ">= 1.5.0")
        .block(
            Block("required_providers").attr(local, Obj((("source", source), ("version", version))))
        )
    )
    if f.cloud == "gcp":
        var = (
            Block("variable", ("region",))
            .attr("type", Expr("string"))
            .attr("default", f.rng.choice(["us-central1", "europe-west4", "asia-northeast1"]))
            .attr("description", "Region for regional resources")
        )
        loc = (
            Block("locals")
            .attr("project", f"{team}-{env}-{f.index:02d}")
            .attr("env", env)
            .attr("network", f"projects/{team}-{env}-{f.index:02d}/global/networks/main")
            .attr(
                "service_account",
                f"{team}-runner@{team}-{env}-{f.index:02d}.iam.gserviceaccount.com",
            )
            .attr("labels", Obj((("team", team), ("env", env), ("managed_by", "terraform"))))
        )
    elif f.cloud == "aws":
        var = (
            Block("variable", ("region",))
            .attr("type", Expr("string"))
            .attr("default", f.rng.choice(["us-east-1", "eu-west-1", "ap-southeast-2"]))
            .attr("description", "AWS region")
        )
        account = f"{100000000000 + f.index * 7919:012d}"
        loc = (
            Block("locals")
            .attr("account_id", account)
            .attr("env", env)
            .attr("vpc_id", f"vpc-0{f.index:04x}abcd{f.index:04x}")
            .attr("sagemaker_role_arn", f"arn:aws:iam::{account}:role/{team}-sagemaker")
            .attr("tags", Obj((("Team", team), ("Environment", env), ("ManagedBy", "terraform"))))
        )
    else:
        var = (
            Block("variable", ("location",))
            .attr("type", Expr("string"))
            .attr("default", f.rng.choice(["westeurope", "eastus2", "swedencentral"]))
            .attr("description", "Azure region")
        )
        sub = f"00000000-0000-0000-0000-{f.index:012d}"
        rg = f"rg-{team}-{env}-{f.index:02d}"
        base = f"/subscriptions/{sub}/resourceGroups/{rg}/providers"
        loc = (
            Block("locals")
            .attr("resource_group_name", rg)
            .attr("env", env)
            .attr("key_vault_id", f"{base}/Microsoft.KeyVault/vaults/kv-{team}-{f.index:02d}")
            .attr(
                "application_insights_id",
                f"{base}/Microsoft.Insights/components/ai-{team}-{f.index:02d}",
            )
            .attr(
                "default_storage_account_id",
                f"{base}/Microsoft.Storage/storageAccounts/st{team}{f.index:02d}",
            )
            .attr("tags", Obj((("team", team), ("environment", env), ("managed_by", "terraform"))))
        )
    return "\n\n".join("\n".join(render_block(b)) for b in (settings, var, loc)) + "\n"


THEMES = {
    "google_kms": "kms",
    "aws_kms": "kms",
    "azurerm_key_vault": "kms",
    "google_storage": "storage",
    "aws_s3": "storage",
    "azurerm_storage": "storage",
    "google_vertex": "ml",
    "google_notebooks": "ml",
    "google_workbench": "ml",
    "aws_sagemaker": "ml",
    "azurerm_machine_learning": "ml",
    "aws_ecr": "ml",
    "google_compute": "network",
    "aws_flow": "network",
    "google_project": "logging",
    "aws_cloudtrail": "logging",
}


def _theme(rtype: str) -> str:
    for prefix, theme in THEMES.items():
        if rtype.startswith(prefix):
            return theme
    return "main"


def fill_folder(f: Folder, budget: int) -> None:
    """Add resources to the folder until it holds exactly ``budget`` of them."""
    for bundle in PREAMBLE[f.cloud]:
        left = budget - len(f.resources)
        if left <= 0:
            return
        bundle(f, left)
    choices = BUNDLES[f.cloud]
    population = [b for b, _ in choices]
    weights = [w for _, w in choices]
    while (left := budget - len(f.resources)) > 0:
        f.rng.choices(population, weights)[0](f, left)


def write_folder(f: Folder, root: Path) -> dict[str, int]:
    """Write the folder's files; returns resource counts per file name."""
    folder = root / f"{f.cloud}-{f.index:03d}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "variables.tf").write_text(variables_tf(f), encoding="utf-8")
    files: dict[str, int] = {}
    i = 0
    part = 0
    while i < len(f.resources):
        size = f.rng.randint(FILE_MIN, FILE_MAX)
        chunk = f.resources[i : i + size]
        # Avoid a tiny trailing file: fold it into this one.
        if 0 < len(f.resources) - (i + size) < FILE_MIN:
            chunk = f.resources[i:]
        i += len(chunk)
        part += 1
        theme = Counter(_theme(b.labels[0]) for b in chunk).most_common(1)[0][0]
        fname = f"{theme}_{part:02d}.tf"
        text = "\n\n".join("\n".join(render_block(b)) for b in chunk) + "\n"
        (folder / fname).write_text(text, encoding="utf-8")
        files[fname] = len(chunk)
    return files


def generate(out: Path, resources: int = 5000, seed: int = 1) -> Counter[str]:
    """Generate the tree under ``out`` (replacing it) and return resource counts per type."""
    if resources < 1:
        raise ValueError("--resources must be at least 1")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rng = random.Random(seed)
    nfolders = max(1, round(resources / RESOURCES_PER_FOLDER))
    base, extra = divmod(resources, nfolders)
    clouds = list(CLOUD_WEIGHTS)
    weights = list(CLOUD_WEIGHTS.values())
    counts: Counter[str] = Counter()
    for idx in range(nfolders):
        budget = base + (1 if idx < extra else 0)
        # Cycle clouds deterministically for small trees so each cloud appears; random after.
        cloud = clouds[idx] if idx < len(clouds) else rng.choices(clouds, weights)[0]
        folder = Folder(index=idx, cloud=cloud, rng=random.Random(rng.getrandbits(64)))
        fill_folder(folder, budget)
        assert len(folder.resources) == budget, (len(folder.resources), budget)
        write_folder(folder, out)
        counts.update(b.labels[0] for b in folder.resources)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--resources",
        type=int,
        default=5000,
        help="number of resource blocks to generate (default 5000)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output directory, replaced if it exists (default bench/.work/tf-<resources>)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = Path(__file__).resolve().parent / ".work" / f"tf-{args.resources}"
    counts = generate(args.out, args.resources, args.seed)
    files = sum(1 for _ in args.out.rglob("*.tf"))
    folders = sum(1 for p in args.out.iterdir() if p.is_dir())
    print(f"wrote {sum(counts.values())} resources in {files} files, {folders} folders: {args.out}")
    for rtype, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {n:6d}  {rtype}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
