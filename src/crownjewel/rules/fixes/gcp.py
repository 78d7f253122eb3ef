"""Terraform fixes for Google Cloud findings, edited into the user's own resource blocks.

Each fixer takes the failing asset's real block (`EvalContext.source_lines`), changes only what
the rule needs with `hcl_edit`, and appends supporting resources (a key ring and a 90-day key
for CMEK, the service agent's permission on it, a log bucket) named after the real resource,
e.g. `google_kms_crypto_key.<bucket>_cmek`. Fixes for grants edit or remove the IAM resources
that make the grant (see `fixes/gcp_grants.py`).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from crownjewel.model.assets import Asset, EdgeKind, Kind, SourceRef
from crownjewel.model.findings import Fix, TextEdit
from crownjewel.rules import hcl_edit as hcl
from crownjewel.rules.engine import EvalContext
from crownjewel.rules.fixes._text import (
    Repeat,
    block_text,
    expr,
    label,
    literal,
    per_instance,
    repeat,
    replace,
    templated,
)
from crownjewel.rules.registry import Fail, fixer

ROTATION_90_DAYS = '"7776000s"'
ENCRYPTER = '"roles/cloudkms.cryptoKeyEncrypterDecrypter"'
_PLACEHOLDER = "crownjewel_new_block"
# Multi- and dual-region GCS locations -> the Cloud KMS location their keys must live in.
_KMS_LOCATION = {"EU": "europe", "US": "us", "ASIA": "asia", "EUR4": "europe", "EUR5": "europe",
                 "EUR7": "europe", "EUR8": "europe", "NAM4": "us", "ASIA1": "asia"}
_STORAGE_AGENT = "storage"
_AGENT_DOMAINS = {
    "aiplatform": "gcp-sa-aiplatform.iam.gserviceaccount.com",
    "compute": "compute-system.iam.gserviceaccount.com",
    "artifactregistry": "gcp-sa-artifactregistry.iam.gserviceaccount.com",
}


@dataclass(frozen=True, slots=True)
class Block:
    """The text of one resource block and where it sits."""

    file: str
    start: int
    end: int
    text: str

    def edit(self, new_text: str) -> TextEdit:
        """Replace this block with `new_text` (an empty text deletes it)."""
        return replace(SourceRef(self.file, self.start, self.end), new_text)


def block_of(ctx: EvalContext, asset: Asset) -> Block | None:
    """The asset's declaring block, or None when its source is not at hand."""
    return block_at(ctx, asset.source)


def block_at(ctx: EvalContext, ref: SourceRef | None) -> Block | None:
    """The block at a source location, or None."""
    text = block_text(ctx, ref)
    if text is None or ref is None:
        return None
    return Block(ref.file, ref.line, ref.end_line or ref.line, text)


def add_block(block: str, name: str, body: str) -> str:
    """Add a nested block `name` even when blocks of that type already exist."""
    text = hcl.set_block(block, _PLACEHOLDER, body)
    return text.replace(_PLACEHOLDER, name, 1)


def make_fix(main: Block | None, new_main: str | None, *, extra_edits: tuple[TextEdit, ...] = (),
             shown: tuple[str, ...] = (), appended: tuple[str, ...] = (), note: str = "") -> Fix:
    """A fix replacing `main` with `new_main`, applying `extra_edits`, appending `appended`
    resources to the main file; `shown` are extra blocks to display (edited elsewhere)."""
    edits: list[TextEdit] = []
    texts: list[str] = [f"# {note}"] if note else []
    if main is not None and new_main is not None:
        edits.append(main.edit(new_main))
        texts.append(new_main.rstrip("\n"))
    edits.extend(extra_edits)
    texts.extend(t.rstrip("\n") for t in shown if t.strip())
    file = main.file if main is not None else (extra_edits[0].file if extra_edits else None)
    for text in appended:
        if file is not None:
            edits.append(TextEdit(file, text))
        texts.append(text.rstrip("\n"))
    return Fix(terraform="\n\n".join(texts) + "\n", edits=tuple(edits))


# ------------------------------------------------------------------------------------ CMEK keys


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key ring, a 90-day key and the service agent's right to use it, named after `base`."""

    reference: str  # HCL expression of the key id
    blocks: tuple[str, ...]


def new_key(base: str, location: str, project: str | None, agent: str, rep: Repeat | None = None) -> NewKey:
    """Supporting resources for CMEK: `google_kms_key_ring.<base>_cmek`,
    `google_kms_crypto_key.<base>_cmek` (rotated every 90 days) and the encrypt/decrypt grant
    for the service agent of `agent` (storage, aiplatform, compute, artifactregistry).

    With a repeating `rep` (the location or project differs between instances of a block with
    `count` / `for_each`) each resource repeats the block's meta-argument; otherwise the
    instances of the block share one key."""
    rep = rep or Repeat("")
    meta = rep.meta
    name = f"{base}_cmek"
    kms_text = hcl.hcl_ident(base).replace("_", "-") + "-cmek"
    ring_name, kms_name = rep.name(kms_text), hcl.hcl_string(kms_text)
    project_line = f"\nproject  = {project}" if project else ""
    ring = hcl.render_block("resource", ["google_kms_key_ring", name],
                            f"{meta}name     = {ring_name}\nlocation = {location}{project_line}")
    key = hcl.render_block("resource", ["google_kms_crypto_key", name],
                           f"{meta}name            = {kms_name}\n"
                           f"key_ring        = {rep.index(f'google_kms_key_ring.{name}')}.id\n"
                           f"rotation_period = {ROTATION_90_DAYS} # 90 days")
    data_meta = meta if per_instance(project) else ""
    data_rep = rep if data_meta else Repeat("")
    if agent == _STORAGE_AGENT:
        data = hcl.render_block("data", ["google_storage_project_service_account", f"{base}_gcs"],
                                data_meta + (f"project = {project}" if project else ""))
        account = data_rep.index(f"data.google_storage_project_service_account.{base}_gcs")
        member = f'"serviceAccount:${{{account}.email_address}}"'
    else:
        data = hcl.render_block("data", ["google_project", f"{base}_project"],
                                data_meta + (f"project_id = {project}" if project else ""))
        number = data_rep.index(f"data.google_project.{base}_project")
        member = f'"serviceAccount:service-${{{number}.number}}@{_AGENT_DOMAINS[agent]}"'
    reference = f"{rep.index(f'google_kms_crypto_key.{name}')}.id"
    grant = hcl.render_block("resource", ["google_kms_crypto_key_iam_member", f"{name}_agent"],
                             f"{meta}crypto_key_id = {reference}\nrole          = {ENCRYPTER}\n"
                             f"member        = {member}")
    return NewKey(reference, (ring, key, data, grant))


def kms_location(asset: Asset, block: str, attr: str) -> str:
    """The KMS location (HCL) for a key that must sit with the asset's location.

    Only what the block says counts (not the value one instance resolved to), so that every
    instance of the block (`count`, `for_each`, a module called twice) gets the same key text."""
    raw = expr(block, attr)
    region = literal(raw) if raw is not None else asset.region
    if region:
        return hcl.hcl_string(_KMS_LOCATION.get(region.upper(), region.lower()))
    if raw:
        return f'lookup({{ EU = "europe", US = "us", ASIA = "asia" }}, upper({raw}), lower({raw}))'
    return "data.google_client_config.current.region"


def shared_or_repeated(asset: Asset, ctx: EvalContext, *exprs: str | None) -> Repeat:
    """How new resources cover the asset's block: once for all its instances, unless one of
    `exprs` (copied into them) differs between instances: then they repeat its meta-argument."""
    rep = repeat(asset, ctx)
    return rep if rep.key and per_instance(*exprs) else Repeat(rep.ref)


def _new_key_for(asset: Asset, ctx: EvalContext, block: Block, location_attr: str,
                 agent: str) -> tuple[str, str, NewKey]:
    """(base name, KMS location, new key) for a CMEK fix of `asset`."""
    base = label(asset.id)
    location = kms_location(asset, block.text, location_attr)
    project = expr(block.text, "project")
    return base, location, new_key(base, location, project, agent,
                                   shared_or_repeated(asset, ctx, location, project))


def _depends_on(block: str, resource: str) -> str:
    if hcl.find_attribute(block, "depends_on") is not None:
        return block
    return hcl.set_attribute(block, "depends_on", f"[{resource}]")


def _client_config(location: str) -> tuple[str, ...]:
    if location.startswith("data.google_client_config.current"):
        return (hcl.render_block("data", ["google_client_config", "current"], ""),)
    return ()


@fixer("storage.model-store-not-cmek", "google_storage_bucket")
def bucket_cmek(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Default-encrypt the bucket with a new 90-day key the Cloud Storage service agent may use."""
    block = block_of(ctx, asset)
    if block is None:
        return None
    base, _, key = _new_key_for(asset, ctx, block, "location", _STORAGE_AGENT)
    text = hcl.ensure_in_block_path(block.text, ["encryption"], "default_kms_key_name", key.reference)
    text = _depends_on(text, f"google_kms_crypto_key_iam_member.{base}_cmek_agent")
    return make_fix(block, text, appended=key.blocks,
                    note="new objects are encrypted with the key; rewrite existing ones to re-encrypt them")


def _spec_cmek(asset: Asset, ctx: EvalContext, agent: str, location_attr: str) -> Fix | None:
    block = block_of(ctx, asset)
    if block is None:
        return None
    base, location, key = _new_key_for(asset, ctx, block, location_attr, agent)
    text = hcl.ensure_in_block_path(block.text, ["encryption_spec"], "kms_key_name", key.reference)
    text = _depends_on(text, f"google_kms_crypto_key_iam_member.{base}_cmek_agent")
    return make_fix(block, text, appended=_client_config(location) + key.blocks,
                    note="encryption_spec can only be set at creation: Terraform recreates the resource")


@fixer("ai.resource-not-cmek", "google_vertex_ai_dataset", "google_vertex_ai_featurestore",
       "google_vertex_ai_metadata_store", "google_vertex_ai_tensorboard", "google_vertex_ai_endpoint")
def vertex_cmek(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Set encryption_spec.kms_key_name to a new 90-day key the Vertex AI service agent may use."""
    return _spec_cmek(asset, ctx, "aiplatform", "region")


@fixer("ai.resource-not-cmek", "google_notebooks_instance", "google_workbench_instance")
def notebook_cmek(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Encrypt the notebook's disks with a new 90-day key the Compute Engine agent may use."""
    block = block_of(ctx, asset)
    if block is None:
        return None
    base, location, key = _new_key_for(asset, ctx, block, "location", "compute")
    text = block.text
    if asset.native_type == "google_notebooks_instance":
        text = hcl.set_attribute(text, "disk_encryption", '"CMEK"')
        text = hcl.set_attribute(text, "kms_key", key.reference)
    else:
        disks = ["boot_disk"]
        gce = hcl.find_block(text, "gce_setup")
        if gce is not None and hcl.find_block(text[gce[0]:gce[1]], "data_disks") is not None:
            disks.append("data_disks")
        for disk in disks:
            text = hcl.ensure_in_block_path(text, ["gce_setup", disk], "disk_encryption", '"CMEK"')
            text = hcl.ensure_in_block_path(text, ["gce_setup", disk], "kms_key", key.reference)
    text = _depends_on(text, f"google_kms_crypto_key_iam_member.{base}_cmek_agent")
    return make_fix(block, text, appended=_client_config(location) + key.blocks,
                    note="disk encryption is set at creation: Terraform recreates the instance")


@fixer("registry.not-cmek", "google_artifact_registry_repository")
def repository_cmek(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Set kms_key_name to a new 90-day key the Artifact Registry service agent may use."""
    block = block_of(ctx, asset)
    if block is None:
        return None
    base, location, key = _new_key_for(asset, ctx, block, "location", "artifactregistry")
    text = hcl.set_attribute(block.text, "kms_key_name", key.reference)
    text = _depends_on(text, f"google_kms_crypto_key_iam_member.{base}_cmek_agent")
    return make_fix(block, text, appended=_client_config(location) + key.blocks,
                    note="kms_key_name is set at creation: create the repository anew and copy the images")


@fixer("kms.key-rotation-over-90-days", "google_kms_crypto_key")
def key_rotation(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Rotate the key automatically every 90 days."""
    block = block_of(ctx, asset)
    if block is None:
        return None
    return make_fix(block, hcl.set_attribute(block.text, "rotation_period", ROTATION_90_DAYS))


# ------------------------------------------------------------------------------ bucket settings


def _bucket_setting(asset: Asset, ctx: EvalContext, name: str, value: str) -> Fix | None:
    block = block_of(ctx, asset)
    if block is None:
        return None
    return make_fix(block, hcl.set_attribute(block.text, name, value))


@fixer("storage.model-store-public-access-not-prevented", "google_storage_bucket")
def bucket_pap(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Enforce public access prevention on the bucket."""
    return _bucket_setting(asset, ctx, "public_access_prevention", '"enforced"')


@fixer("storage.model-store-uniform-access-off", "google_storage_bucket")
def bucket_uniform(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Turn on uniform bucket-level access (IAM only, no object ACLs)."""
    return _bucket_setting(asset, ctx, "uniform_bucket_level_access", "true")


@fixer("storage.model-store-versioning-off", "google_storage_bucket")
def bucket_versioning(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Enable object versioning (block form, or the attribute form the user wrote)."""
    block = block_of(ctx, asset)
    if block is None:
        return None
    if hcl.find_attribute(block.text, "versioning") is not None:
        text = hcl.set_attribute(block.text, "versioning", "{\nenabled = true\n}")
    else:
        text = hcl.ensure_in_block_path(block.text, ["versioning"], "enabled", "true")
    return make_fix(block, text)


@fixer("logging.model-store-access-logging-off", "google_storage_bucket")
def bucket_access_logs(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Write usage logs to a new, separate, versioned log bucket that only the Cloud Storage
    analytics group may write to."""
    block = block_of(ctx, asset)
    if block is None:
        return None
    logs = f"{label(asset.id)}_access_logs"
    # A neutral name: a log bucket named after the model bucket would itself count as one. It is
    # the hash of the bucket's name as the block writes it (Terraform's sha256 for an expression),
    # so every instance of the block (count, for_each, module calls) gets the same text.
    raw_name = expr(block.text, "name")
    plain = literal(raw_name) if raw_name is not None else asset.name
    if plain is not None:
        name = hcl.hcl_string(f"access-logs-{hashlib.sha256(plain.encode()).hexdigest()[:12]}")
    else:
        name = f'"access-logs-${{substr(sha256({raw_name}), 0, 12)}}"'
    location = expr(block.text, "location") or '"US"'
    project = expr(block.text, "project")
    rep = shared_or_repeated(asset, ctx, raw_name, location, project)
    body = f"{rep.meta}name                        = {name}\nlocation                    = {location}\n"
    if project:
        body += f"project                     = {project}\n"
    body += ('uniform_bucket_level_access = true\npublic_access_prevention    = "enforced"\n'
             "versioning {\nenabled = true\n}")
    bucket = hcl.render_block("resource", ["google_storage_bucket", logs], body)
    log_bucket = f"{rep.index(f'google_storage_bucket.{logs}')}.name"
    writer = hcl.render_block("resource", ["google_storage_bucket_iam_member", f"{logs}_writer"],
                              f"{rep.meta}bucket = {log_bucket}\n"
                              'role   = "roles/storage.objectCreator"\n'
                              'member = "group:cloud-storage-analytics@google.com"')
    text = hcl.ensure_in_block_path(block.text, ["logging"], "log_bucket", log_bucket)
    return make_fix(block, text, appended=(bucket, writer))


# --------------------------------------------------------------------------------- audit logs

_ALL_TYPES = ("ADMIN_READ", "DATA_READ", "DATA_WRITE")


def _log_types_block(text: str, types: tuple[str, ...]) -> str:
    for log_type in types:
        text = add_block(text, "audit_log_config", f"log_type = {hcl.hcl_string(log_type)}")
    return text


@fixer("logging.audit-config-incomplete", "google_project_iam_audit_config",
       "google_folder_iam_audit_config", "google_organization_iam_audit_config")
def audit_config_complete(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Log ADMIN_READ, DATA_READ and DATA_WRITE with no exempted members."""
    block = block_of(ctx, asset)
    if block is None:
        return None
    text = block.text
    while hcl.find_block(text, "audit_log_config") is not None:
        text = hcl.remove_block(text, "audit_log_config")
    text = re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", text)
    return make_fix(block, _log_types_block(text, _ALL_TYPES),
                    note="exempted members would read model artefacts without a trace: none are kept")


def _configs_covering(asset: Asset, ctx: EvalContext) -> list[Asset]:
    """Audit configs of the store's project (or of a folder / organisation)."""
    accounts = {a.id for a in ctx.graph.targets(asset.id, EdgeKind.IN_ACCOUNT)}
    found = []
    for config in ctx.graph.assets(Kind.AUDIT_LOG, provider="gcp"):
        scopes = {t.id for t in ctx.graph.targets(config.id, EdgeKind.MONITORS)}
        if not scopes or scopes & accounts or (not accounts and config.account == asset.account):
            found.append(config)
    return found


@fixer("logging.project-data-access-not-audited", "google_project")
def project_audited(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Drop exemptions from the project's audit configs, complete its allServices config, or add
    one next to the project when it has none."""
    from crownjewel.rules.logging import project_audit_configs

    edits: list[TextEdit] = []
    texts: list[str] = []
    has_all = False
    for config in project_audit_configs(asset, ctx):
        is_all = config.get("service") == "allServices"
        has_all = has_all or is_all
        if config.source is None or not (is_all or config.get("exempted_members")):
            continue
        fix = audit_config_complete(config, ctx, fail)
        if fix is not None:
            edits.extend(fix.edits)
            texts.append(fix.terraform.rstrip("\n"))
    block = block_of(ctx, asset)
    if not has_all and block is not None:
        rep = repeat(asset, ctx)  # one per instance of a counted project
        meta, project = rep.meta, f"{rep.ref}.project_id"
        config_text = _log_types_block(
            hcl.render_block("resource", ["google_project_iam_audit_config", f"{label(asset.id)}_all_services"],
                             f"{meta}project = {project}\n"
                             'service = "allServices"'), _ALL_TYPES)
        edits.append(TextEdit(block.file, config_text))
        texts.append(f"# audit every service and every user of {asset.name}\n{config_text.rstrip()}")
    if not edits:
        return None
    return Fix(terraform="\n\n".join(texts) + "\n", edits=tuple(edits))


@fixer("logging.model-store-reads-not-audited", "google_storage_bucket")
def bucket_reads_audited(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Log Data Access (DATA_READ, DATA_WRITE) for Cloud Storage in the bucket's project: in the
    project's existing storage.googleapis.com or allServices audit config when there is one
    (one config per service is allowed), else in a new one."""
    configs = sorted(_configs_covering(asset, ctx),
                     key=lambda c: (c.get("service") != "storage.googleapis.com",
                                    c.get("service") != "allServices"))
    for config in configs:
        if config.get("service") not in ("storage.googleapis.com", "allServices"):
            continue
        block = block_of(ctx, config)
        if block is None:
            continue
        have = set(config.get("log_types") or ())
        missing = tuple(t for t in ("DATA_READ", "DATA_WRITE") if t not in have)
        return make_fix(block, _log_types_block(block.text, missing),
                        note=f"audit reads of {asset.name} ({asset.id})")
    block = block_of(ctx, asset)
    if block is None:
        return None
    project = expr(block.text, "project")
    body = (shared_or_repeated(asset, ctx, project).meta + (f"project = {project}\n" if project else "")
            + 'service = "storage.googleapis.com"')
    config_text = _log_types_block(
        hcl.render_block("resource", ["google_project_iam_audit_config", f"{label(asset.id)}_data_access"],
                         body), _ALL_TYPES)
    return make_fix(block, None, appended=(config_text,),
                    note=f"audit reads of {asset.name} ({asset.id}) and of every bucket in its project")


@fixer("logging.audit-log-not-locked", "google_logging_project_bucket_config",
       "google_logging_folder_bucket_config", "google_logging_organization_bucket_config",
       "google_logging_billing_account_bucket_config")
def log_bucket_locked(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Lock the log bucket's retention (irreversible: the retention can no longer be reduced)."""
    block = block_of(ctx, asset)
    if block is None:
        return None
    text = hcl.set_attribute(block.text, "locked", "true")
    if hcl.find_attribute(text, "retention_days") is None:
        text = hcl.set_attribute(text, "retention_days", "400")
    return make_fix(block, text, note="locking is permanent: the retention can no longer be shortened")


# -------------------------------------------------------------------------------------- network

_LOG_CONFIG = 'aggregation_interval = "INTERVAL_5_SEC"\nflow_sampling        = 1.0\nmetadata             = "INCLUDE_ALL_METADATA"'


def _subnet_logged(text: str) -> str:
    text = hcl.remove_attribute(text, "enable_flow_logs")
    return hcl.set_block(text, "log_config", _LOG_CONFIG)


@fixer("network.ai-network-no-flow-logs", "google_compute_subnetwork")
def subnet_flow_logs(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Record every flow of the subnet (5-second aggregation, full sampling, all metadata)."""
    block = block_of(ctx, asset)
    if block is None:
        return None
    return make_fix(block, _subnet_logged(block.text))


@fixer("network.ai-network-no-flow-logs", "google_compute_network")
def network_flow_logs(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Turn on flow logs on every subnet of the network; an auto-mode network becomes custom
    mode with one logged subnet (auto-created subnets cannot carry flow logs)."""
    block = block_of(ctx, asset)
    if block is None:
        return None
    edits: list[TextEdit] = []
    shown: list[str] = []
    for subnet in ctx.graph.sources(asset.id, EdgeKind.IN_NETWORK):
        if subnet.kind is not Kind.SUBNET or subnet.get("flow_logs") is not False:
            continue
        sub_block = block_of(ctx, subnet)
        if sub_block is not None:
            fixed = _subnet_logged(sub_block.text)
            edits.append(sub_block.edit(fixed))
            shown.append(fixed)
    new_main: str | None = None
    appended: tuple[str, ...] = ()
    note = ""
    if asset.get("auto_create_subnetworks") is not False:
        new_main = hcl.set_attribute(block.text, "auto_create_subnetworks", "false")
        # named after the network as the block writes it: the same text for every instance
        rep = repeat(asset, ctx)
        meta, network = rep.meta, f"{rep.ref}.id"
        raw = expr(block.text, "name")
        plain = literal(raw) if raw is not None else asset.name
        name = (hcl.hcl_string(hcl.hcl_ident(plain).replace("_", "-") + "-logged") if plain is not None
                else templated(raw, "-logged", asset.name))
        subnet_text = hcl.render_block(
            "resource", ["google_compute_subnetwork", f"{label(asset.id)}_logged"],
            f"{meta}name          = {name}\n"
            f"network       = {network}\n"
            f'ip_cidr_range = "10.128.0.0/20"\nlog_config {{\n{_LOG_CONFIG}\n}}')
        appended = (subnet_text,)
        note = ("auto mode cannot carry flow logs: custom mode recreates the network; "
                "set the subnet's range and region to yours")
    if new_main is None and not edits:
        return None
    return make_fix(block, new_main, extra_edits=tuple(edits), shown=tuple(shown),
                    appended=appended, note=note)


# -------------------------------------------------------------------------------- AI exposure


@fixer("ai.notebook-public-ip", "google_notebooks_instance", "google_workbench_instance")
def notebook_private(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Remove the notebook's public IP (reach the internet, if needed, through Cloud NAT)."""
    block = block_of(ctx, asset)
    if block is None:
        return None
    if asset.native_type == "google_notebooks_instance":
        text = hcl.set_attribute(block.text, "no_public_ip", "true")
    else:
        text = hcl.ensure_in_block_path(block.text, ["gce_setup"], "disable_public_ip", "true")
    return make_fix(block, text, note="without a public IP the notebook needs Cloud NAT or Private "
                                      "Google Access for outbound traffic; the instance is recreated")


@fixer("ai.endpoint-public", "google_vertex_ai_endpoint")
def endpoint_private(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Serve the endpoint through Private Service Connect, limited to its own project."""
    block = block_of(ctx, asset)
    if block is None:
        return None
    text = hcl.ensure_in_block_path(block.text, ["private_service_connect_config"],
                                    "enable_private_service_connect", "true")
    project = expr(block.text, "project")
    if project:
        text = hcl.ensure_in_block_path(text, ["private_service_connect_config"],
                                        "project_allowlist", f"[{project}]")
    return make_fix(block, text, note="Private Service Connect is set at creation: Terraform "
                                      "recreates the endpoint; callers reach it through a PSC endpoint")

