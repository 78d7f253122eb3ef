"""Maintain an immutable audit log of model access: data-access logging, trails, locked retention."""
from __future__ import annotations

from collections.abc import Callable

from crownjewel.model.assets import Asset, EdgeKind, Kind
from crownjewel.model.findings import Severity
from crownjewel.rules._common import AUDIT
from crownjewel.rules.engine import EvalContext
from crownjewel.rules.registry import ALL, Fail, Outcome, Unknown, attr_is, rule

_TAMPER = ("AML.M0024",)


@rule(
    "logging.model-store-access-logging-off", kind=Kind.OBJECT_STORE, severity=Severity.MEDIUM,
    title="No access logs for a model store",
    message="{name} writes no server access logs{detail}",
    remediation="Enable server access / usage logging of the store into a separate, locked log bucket.",
    atlas=_TAMPER, attack=("T1530",), frameworks=AUDIT, providers=("aws", "gcp"),
    requires=("access_logging",), control_step="immutable-audit-log",
    peers={"checkov": ("CKV_AWS_18", "CKV_GCP_63")},
)
def model_store_access_logging_off(asset: Asset, ctx: EvalContext) -> Outcome:
    """A model store whose object reads leave no access log, or whose log lands in the store
    itself (where whoever takes the weights can also erase the trace)."""
    if not asset.get("access_logging"):
        return Fail.because("access logging is disabled", detail="")
    target = asset.get("log_target")
    if target and target in (asset.name, asset.id):
        return Fail.because(f"logs are written to {target}, the store itself",
                            detail=" elsewhere: it logs into itself")
    return True


def _gcp_reads_audited(store: Asset, ctx: EvalContext) -> Outcome:
    configs = list(ctx.graph.assets(Kind.AUDIT_LOG, provider="gcp"))
    if not configs:
        return Unknown("no Data Access audit configuration in the scanned estate (it may be set "
                       "on the organisation or folder, outside what was scanned)")
    project = store.account
    for config in configs:
        scopes = {t.get("project") or t.name for t in ctx.graph.targets(config.id, EdgeKind.MONITORS)}
        org_wide = config.get("resource_level") in ("folder", "organization")
        if not org_wide and (project is None or (scopes and project not in scopes)
                             or (not scopes and config.account not in (None, project))):
            continue  # another project's config (or the bucket's project is unknown) says nothing here
        if config.get("service") in ("allServices", "storage.googleapis.com") and \
                "DATA_READ" in (config.get("log_types") or ()):
            return True
    if project is None:
        return Unknown("the bucket's project is not known before apply (provider default or a variable), "
                       "so which audit configuration applies cannot be decided")
    return Fail.because(f"no audit config logs DATA_READ for storage.googleapis.com or allServices in project {project}")


def _aws_reads_audited(store: Asset, ctx: EvalContext) -> Outcome:
    trails = list(ctx.graph.assets(Kind.AUDIT_LOG, provider="aws"))
    if not trails:
        return Unknown("no CloudTrail trail in the scanned estate (an organisation trail may exist outside it)")
    arn = f"arn:aws:s3:::{store.name}"
    unread: list[str] = []
    partial: list[str] = []
    for trail in trails:
        covers = None
        if trail.knows("data_event_buckets"):
            for covered in map(str, trail.get("data_event_buckets") or ()):
                if covered in ("*", store.name, store.id, arn) or covered in (arn + "/", arn + "/*"):
                    covers = True
                elif covered.startswith(arn + "/"):
                    partial.append(f"{trail.name} logs only {covered}")  # a prefix: other reads unlogged
        else:
            unread.append(trail.why_unknown("data_event_buckets"))
        if not covers:
            continue
        if trail.get("logging_enabled") is True:
            return True
        if not trail.knows("logging_enabled"):
            unread.append(trail.why_unknown("logging_enabled"))
    if unread:
        return Unknown("; ".join(unread))
    return Fail.because("no logging trail records S3 data events (GetObject) for the whole bucket", *partial)


def _azure_reads_audited(store: Asset, ctx: EvalContext) -> Outcome:
    # Azure's data-access audit log of blobs is the StorageRead diagnostic category, which the
    # collector reports as access_logging.
    if not store.knows("access_logging"):
        return Unknown(store.why_unknown("access_logging"))
    if store.get("access_logging"):
        return True
    return Fail.because("no diagnostic setting sends StorageRead logs of the blob service anywhere")


_READS_AUDITED: dict[str, Callable[[Asset, EvalContext], Outcome]] = {
    "gcp": _gcp_reads_audited,
    "aws": _aws_reads_audited,
    "azure": _azure_reads_audited,
}


@rule(
    "logging.model-store-reads-not-audited", kind=Kind.OBJECT_STORE, severity=Severity.HIGH,
    title="Reads of model artefacts are not audit-logged",
    message="Reads of {name} leave no data-access audit record",
    remediation="Log data access for the store: GCP Data Access audit logs (DATA_READ, DATA_WRITE) for "
                "storage.googleapis.com and aiplatform.googleapis.com; AWS CloudTrail S3 data events "
                "covering the bucket.",
    atlas=_TAMPER, attack=("T1530",), frameworks=AUDIT, providers=tuple(_READS_AUDITED),
    control_step="immutable-audit-log",
)
def model_store_reads_not_audited(asset: Asset, ctx: EvalContext) -> Outcome:
    """A model store whose object reads no audit log records: "show me the audit log of model
    artefact access" (audit question 4) has no answer, and bulk downloads go unseen."""
    return _READS_AUDITED[asset.provider](asset, ctx)


@rule(
    "logging.audit-config-incomplete", kind=Kind.AUDIT_LOG, severity=Severity.MEDIUM,
    title="Audit configuration leaves reads or users out",
    message="{name} for {service} {problem}",
    remediation="Audit allServices with ADMIN_READ, DATA_READ and DATA_WRITE and no exempted members.",
    atlas=_TAMPER, attack=("T1562.008",), frameworks=AUDIT, providers=("gcp",), applies=ALL,
    requires=("log_types",), control_step="immutable-audit-log",
)
def audit_config_incomplete(asset: Asset, ctx: EvalContext) -> Outcome:
    """A Data Access audit configuration that skips log types or exempts members: exempted
    identities can read model artefacts without a trace."""
    types = set(asset.get("log_types") or ())
    missing = sorted({"ADMIN_READ", "DATA_READ", "DATA_WRITE"} - types)
    exempted = tuple(asset.get("exempted_members") or ())
    problems = []
    if missing:
        problems.append(f"does not log {', '.join(missing)}")
    if exempted:
        problems.append(f"exempts {', '.join(exempted)}")
    if not problems:
        return True
    return Fail.because(*problems, service=asset.get("service", "?"), problem=" and ".join(problems))


@rule(
    "logging.trail-not-logging", kind=Kind.AUDIT_LOG, severity=Severity.HIGH,
    title="CloudTrail trail is not logging",
    message="{name} exists but logging is turned off",
    remediation="Set enable_logging = true and alert on StopLogging.",
    atlas=_TAMPER, attack=("T1562.008",), frameworks=AUDIT, providers=("aws",), applies=ALL,
    requires=("logging_enabled",), control_step="immutable-audit-log",
    peers={"checkov": ("CKV_AWS_251",)},
)
def trail_not_logging(asset: Asset, ctx: EvalContext) -> Outcome:
    """A CloudTrail trail that records nothing: the usual first step of an intruder (T1562.008)."""
    return attr_is("logging_enabled", True, "enable_logging is false")(asset, ctx)


@rule(
    "logging.trail-log-validation-off", kind=Kind.AUDIT_LOG, severity=Severity.MEDIUM,
    title="CloudTrail log file validation is off",
    message="{name} does not sign its log files: deleted or edited records go unnoticed",
    remediation="Set enable_log_file_validation = true.",
    atlas=_TAMPER, attack=("T1562.008",), frameworks=AUDIT, providers=("aws",), applies=ALL,
    requires=("log_file_validation",), control_step="immutable-audit-log",
)
def trail_log_validation_off(asset: Asset, ctx: EvalContext) -> Outcome:
    """A trail without digest files: the audit log of model access is not tamper-evident."""
    return attr_is("log_file_validation", True, "log file validation is disabled")(asset, ctx)


@rule(
    "logging.audit-log-not-locked", kind=Kind.LOG_BUCKET, severity=Severity.MEDIUM,
    title="Audit log retention is not locked",
    message="{name} keeps audit logs with a retention that can be shortened or removed",
    remediation="Set a retention period and lock it (google_logging_project_bucket_config locked = true; "
                "S3 Object Lock in compliance mode for trail buckets).",
    atlas=_TAMPER, attack=("T1562.008",), frameworks=AUDIT, applies=ALL,
    requires=("locked",), control_step="immutable-audit-log",
)
def audit_log_not_locked(asset: Asset, ctx: EvalContext) -> Outcome:
    """A log bucket whose retention is not locked: the control asks for an immutable audit log
    of model access, and an unlocked one can be purged by whoever stole the weights."""
    return attr_is("locked", True, "retention is not locked")(asset, ctx)


_PROJECT_NEEDS = ("ADMIN_READ", "DATA_READ")


def project_audit_configs(project: Asset, ctx: EvalContext) -> list[Asset]:
    """GCP audit configs that apply to a project: its own, and folder / organisation ones
    (recorded without a MONITORS edge, as they cover every project below them)."""
    found = []
    for config in ctx.graph.assets(Kind.AUDIT_LOG, provider="gcp"):
        scopes = {t.id for t in ctx.graph.targets(config.id, EdgeKind.MONITORS)}
        if project.id in scopes or (not scopes and config.get("resource_level") in ("folder", "organization")):
            found.append(config)
    return found


@rule(
    "logging.project-data-access-not-audited", kind=Kind.ACCOUNT, severity=Severity.HIGH,
    title="Project holding model artefacts does not audit data access for all services and users",
    message="{name}: {problem}",
    remediation="Add a google_project_iam_audit_config for allServices logging ADMIN_READ, DATA_READ "
                "and DATA_WRITE, with no exempted members (or set it on the folder / organisation).",
    atlas=_TAMPER, attack=("T1562.008", "T1530"), frameworks=AUDIT, providers=("gcp",),
    control_step="immutable-audit-log",
    peers={"checkov": ("CKV2_GCP_5",)},
)
def project_data_access_not_audited(asset: Asset, ctx: EvalContext) -> Outcome:
    """A Google Cloud project whose Data Access audit logs do not cover every service and every
    user: reads of model artefacts (and of Vertex AI models) by the uncovered services or the
    exempted identities leave no record. DATA_WRITE is recommended; ADMIN_READ and DATA_READ
    are required (the reads are what theft consists of)."""
    configs = project_audit_configs(asset, ctx)
    if not configs:
        if asset.source is None:  # a project id seen only in references: its IAM lives elsewhere
            return Unknown(f"project {asset.name} is not declared in the scanned Terraform; its audit "
                           "configuration may be managed elsewhere")
        return Fail.because("no audit configuration applies to the project",
                            problem="no Data Access audit configuration applies")
    exempted = sorted({m for c in configs for m in (c.get("exempted_members") or ())})
    everything = [c for c in configs if c.get("service") == "allServices"
                  and all(t in (c.get("log_types") or ()) for t in _PROJECT_NEEDS)]
    problems = []
    if not everything:
        problems.append("no allServices audit config logs " + " and ".join(_PROJECT_NEEDS))
    if exempted:
        problems.append(f"exempts {', '.join(exempted)}")
    if problems:
        evidence = [f"{c.id}: {c.get('service')} logs {', '.join(c.get('log_types') or ()) or 'nothing'}"
                    for c in configs]
        return Fail.because(*problems, *evidence, problem="; ".join(problems))
    return True
