"""azurerm storage: storage accounts and blob containers as `OBJECT_STORE` assets.

Defaults taken when an attribute is not set (azurerm provider documentation, v3 and v4 alike):
- encryption: Azure Storage always encrypts at rest with Microsoft-managed keys, so an account
  without `customer_managed_key` (inline or `azurerm_storage_account_customer_managed_key`) is
  "provider-managed", never "none".
- `allow_nested_items_to_be_public` defaults to `true` in both the v3 and v4 provider docs
  (Azure's own REST default became `false` for new accounts in 2023, but azurerm sends its own
  default explicitly), so an account that does not set it lets containers opt into anonymous
  access: `public_access_prevention = False`. The azurerm v2 name `allow_blob_public_access`
  (default `false` in v2) is honoured when set.
- `public_network_access_enabled` defaults to `true`; without a `network_rules` block (or an
  `azurerm_storage_account_network_rules` resource) the network default action is Allow.
- `blob_properties.versioning_enabled` defaults to `false`; https-only defaults to `true`.
- Blob read logging exists only through a diagnostic setting on `<account>/blobServices/default`
  with StorageRead (or the audit / allLogs category groups): absent -> `access_logging = False`.

A container inherits the account-level settings (its blobs are encrypted, versioned and
network-filtered by the account), gets `container_of` and a PART_OF edge to the account, and
carries `public_grants` when its access type is `blob` / `container` and the account allows
nested items to be public. Such grants are also patched onto the account, since its data is then
public through that container.
"""
from __future__ import annotations

from typing import Any

from crownjewel.collect.terraform import azure_ml  # noqa: F401  (registers the AI/IAM/network types)
from crownjewel.collect.terraform.azure_common import (
    as_bool,
    index,
    literal,
    location,
    parent_of,
    read_bool,
    resolve_any,
    resolve_prefix,
)
from crownjewel.collect.terraform.loader import TfResource
from crownjewel.collect.terraform.normalize import (
    TfContext,
    blocks,
    first_block,
    is_ref,
    normalizes,
)
from crownjewel.model.assets import EdgeKind, Gap, Kind

ACCOUNT = "azurerm_storage_account"
# Settings a container inherits from its account.
INHERITED = ("encryption", "kms_key", "public_access_prevention", "public_network_access",
             "network_default_deny", "versioning", "access_logging", "log_target",
             "secure_transport_required", "retention_locked", "shared_key_access")
# Diagnostic-setting categories that record blob reads.
_READ_LOG_CATEGORIES = {"storageread"}
_READ_LOG_GROUPS = {"audit", "alllogs"}


def account_state(res: TfResource, ctx: TfContext) -> tuple[dict[str, Any], dict[str, str],
                                                             list[tuple[str, Any]], str | None]:
    """Normalized attrs, unknown reasons, split-resource sources and key reference of an account."""
    v, idx = res.values, index(ctx)
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    sources: list[tuple[str, Any]] = []
    key_ref = _encryption(res, ctx, idx.of(res, "azurerm_storage_account_customer_managed_key"),
                          attrs, unknown, sources)
    if "allow_nested_items_to_be_public" in v or "allow_blob_public_access" not in v:
        read_bool(res, ctx, ("allow_nested_items_to_be_public",), True,
                  "public_access_prevention", attrs, unknown, invert=True)
    else:  # azurerm v2 name; its own default was false
        read_bool(res, ctx, ("allow_blob_public_access",), False,
                  "public_access_prevention", attrs, unknown, invert=True)
    read_bool(res, ctx, ("public_network_access_enabled",), True, "public_network_access", attrs, unknown)
    read_bool(res, ctx, ("https_traffic_only_enabled", "enable_https_traffic_only"), True,
              "secure_transport_required", attrs, unknown)
    read_bool(res, ctx, ("shared_access_key_enabled",), True, "shared_key_access", attrs, unknown)
    _network(res, ctx, idx.of(res, "azurerm_storage_account_network_rules"), attrs, unknown, sources)
    props = v.get("blob_properties")
    if is_ref(props):
        unknown["versioning"] = ctx.unresolved(res, "blob_properties", props)
    else:
        versioning = first_block(props).get("versioning_enabled", False)
        if as_bool(versioning) is None:
            unknown["versioning"] = ctx.unresolved(res, "blob_properties.versioning_enabled", versioning)
        else:
            attrs["versioning"] = as_bool(versioning)
    state = literal(first_block(v.get("immutability_policy")).get("state"))
    attrs["retention_locked"] = (state or "").lower() == "locked"
    tls = v.get("min_tls_version", "TLS1_2")
    if literal(tls):
        attrs["min_tls_version"] = tls
    _logging(res, ctx, idx.of(res, "azurerm_monitor_diagnostic_setting"), attrs, unknown)
    return attrs, unknown, sources, key_ref


def _encryption(res: TfResource, ctx: TfContext, cmk_resources: list[TfResource],
                attrs: dict[str, Any], unknown: dict[str, str],
                sources: list[tuple[str, Any]]) -> str | None:
    """Customer-managed when a key is configured inline or by the split CMK resource."""
    inline = first_block(res.values.get("customer_managed_key"))
    key_value = inline.get("key_vault_key_id") or inline.get("managed_hsm_key_id")
    key_res = None
    if not key_value and cmk_resources:
        cmk = cmk_resources[0]
        sources.append(("encryption", cmk.source))
        key_res, key_value = _split_cmk_key(cmk, ctx)
    if not key_value and not key_res:
        attrs["encryption"] = "provider-managed"
        return None
    attrs["encryption"] = "customer-managed"
    key_res = key_res or resolve_any(key_value, ctx, "azurerm_key_vault_key")
    if key_res is not None:
        attrs["kms_key"] = key_res.address
        return key_res.address
    if is_ref(key_value):
        unknown["kms_key"] = ctx.unresolved(res, "customer_managed_key.key_vault_key_id", key_value)
        return None
    attrs["kms_key"] = str(key_value)
    return None


def _split_cmk_key(cmk: TfResource, ctx: TfContext) -> tuple[TfResource | None, Any]:
    """The key an `azurerm_storage_account_customer_managed_key` names (vault + key name)."""
    v = cmk.values
    hsm = v.get("managed_hsm_key_id")
    if hsm:
        return resolve_any(hsm, ctx, "azurerm_key_vault_key"), hsm
    name = v.get("key_name")
    vault = resolve_any(v.get("key_vault_id"), ctx, "azurerm_key_vault")
    for key in ctx.by_type.get("azurerm_key_vault_key", ()):
        same_vault = vault is None or resolve_any(key.values.get("key_vault_id"), ctx,
                                                  "azurerm_key_vault") in (None, vault)
        if key.values.get("name") == name and same_vault:
            return key, key.address
    key_res = ctx.resolve(name, "azurerm_key_vault_key")
    return key_res, (name if name else f"{cmk.address} key")


def _network(res: TfResource, ctx: TfContext, split: list[TfResource], attrs: dict[str, Any],
             unknown: dict[str, str], sources: list[tuple[str, Any]]) -> None:
    """Default action Deny from the inline block or the split resource (the latter wins)."""
    action: Any = None
    owner, key = res, "network_rules.default_action"
    rules = res.values.get("network_rules")
    if is_ref(rules):
        unknown["network_default_deny"] = ctx.unresolved(res, "network_rules", rules)
        return
    if blocks(rules):
        action = first_block(rules).get("default_action")
    if split:
        owner, key = split[-1], "default_action"
        sources.append(("network", owner.source))
        action = owner.values.get("default_action")
    if action is None:
        attrs["network_default_deny"] = False
    elif literal(action):
        attrs["network_default_deny"] = str(action).lower() == "deny"
    else:
        unknown["network_default_deny"] = ctx.unresolved(owner, key, action)


def _logging(res: TfResource, ctx: TfContext, settings: list[TfResource], attrs: dict[str, Any],
             unknown: dict[str, str]) -> None:
    """Blob reads are logged when a diagnostic setting on the blob service enables StorageRead."""
    unsure = None
    for setting in settings:
        target = setting.values.get("target_resource_id")
        _, suffix = resolve_prefix(target, ctx, ACCOUNT)
        if not reads_logged(setting):
            continue
        if _is_blob_service(suffix, setting, ctx):
            attrs["access_logging"] = True
            attrs["log_target"] = _log_destination(setting, ctx)
            return
        if is_ref(target):  # a plan keeps only the reference: which service is not known
            unsure = ctx.unresolved(setting, "target_resource_id", target)
    if unsure:
        unknown["access_logging"] = unsure
    else:
        attrs["access_logging"] = False


def _is_blob_service(suffix: str, setting: TfResource, ctx: TfContext) -> bool:
    if suffix:
        return suffix.lower().startswith("blobservices")
    text = literal(setting.values.get("target_resource_id")) or ""
    return "/blobservices/" in text.lower() or text.lower().endswith("/blobservices/default")


def reads_logged(setting: TfResource) -> bool:
    """Whether a diagnostic setting enables a category that records blob reads."""
    for block in blocks(setting.values.get("enabled_log")) + blocks(setting.values.get("log")):
        if as_bool(block.get("enabled", True)) is False:
            continue
        category = str(block.get("category") or "").lower()
        group = str(block.get("category_group") or "").lower()
        if category in _READ_LOG_CATEGORIES or group in _READ_LOG_GROUPS:
            return True
    return False


def _log_destination(setting: TfResource, ctx: TfContext) -> str:
    for key in ("log_analytics_workspace_id", "storage_account_id", "eventhub_name",
                "eventhub_authorization_rule_id", "partner_solution_id"):
        value = setting.values.get(key)
        if value:
            return ctx.ref_text(value)
    return setting.address


@normalizes(ACCOUNT)
def storage_account(res: TfResource, ctx: TfContext) -> None:
    """An Azure storage account: encryption, public access guard, network exposure, versioning."""
    attrs, unknown, sources, key_ref = account_state(res, ctx)
    grants, grants_unknown = _account_public_grants(res, ctx)
    if grants_unknown:
        unknown["public_grants"] = grants_unknown
    else:
        attrs["public_grants"] = tuple(grants)
    if sources:
        attrs["tf_sources"] = tuple((aspect, src) for aspect, src in sources if src is not None)
    v = res.values
    ctx.asset(res, Kind.OBJECT_STORE, name=v.get("name"), attrs=attrs, unknown=unknown,
              region=location(res), tags=v.get("tags"))
    if key_ref:
        ctx.builder.link(res.address, EdgeKind.ENCRYPTED_BY, key_ref)


def _account_public_grants(res: TfResource, ctx: TfContext) -> tuple[list[str], str | None]:
    """Anonymous read through this account's containers (possible only while the account lets
    nested items be public)."""
    grants: list[str] = []
    for container in index(ctx).of(res, "azurerm_storage_container"):
        grant, reason = container_grant(container, res, ctx)
        if reason:
            return [], reason
        if grant:
            grants.append(grant)
    return grants, None


def container_grant(container: TfResource, account: TfResource | None,
                    ctx: TfContext) -> tuple[str | None, str | None]:
    """(evidence, None) when the container is anonymously readable, (None, reason) when that
    depends on values unknown before apply, (None, None) when it is private."""
    access = container.values.get("container_access_type", "private")
    if is_ref(access):
        return None, ctx.unresolved(container, "container_access_type", access)
    if str(access).lower() not in ("blob", "container"):
        return None, None
    if account is not None:
        attrs: dict[str, Any] = {}
        unknown: dict[str, str] = {}
        if "allow_nested_items_to_be_public" in account.values or "allow_blob_public_access" not in account.values:
            read_bool(account, ctx, ("allow_nested_items_to_be_public",), True, "allowed", attrs, unknown)
        else:
            read_bool(account, ctx, ("allow_blob_public_access",), False, "allowed", attrs, unknown)
        if "allowed" in unknown:
            return None, unknown["allowed"]
        if not attrs.get("allowed"):
            return None, None
    what = "list and read blobs" if str(access).lower() == "container" else "read blobs"
    # Without the account in view, the container's own request for public access is taken at its
    # word (the account default allows it); the evidence says what could still block it.
    caveat = "" if account is not None else (
        ", unless its storage account (not in the scanned Terraform) disallows public nested items")
    return (f"{container.address} lets anonymous users {what} "
            f"(container_access_type = \"{access}\"){caveat}"), None


@normalizes("azurerm_storage_container")
def storage_container(res: TfResource, ctx: TfContext) -> None:
    """A blob container: account-level settings inherited, own anonymous-access grants."""
    account = parent_of(res, ctx, ("storage_account_id", "storage_account_name"), ACCOUNT)
    attrs: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    key_ref = None
    if account is not None:
        acc_attrs, acc_unknown, sources, key_ref = account_state(account, ctx)
        attrs.update({k: acc_attrs[k] for k in INHERITED if k in acc_attrs})
        unknown.update({k: acc_unknown[k] for k in INHERITED if k in acc_unknown})
        attrs["container_of"] = account.address
        if sources:
            attrs["tf_sources"] = tuple((a, s) for a, s in sources if s is not None)
    else:
        ref = res.values.get("storage_account_id") or res.values.get("storage_account_name")
        reason = (f"{res.address}: its storage account ({ctx.ref_text(ref)}) is not declared in "
                  "the scanned Terraform; account-level settings unknown")
        unknown.update({k: reason for k in INHERITED if k != "log_target"})
    grant, grant_reason = container_grant(res, account, ctx)
    if grant_reason:
        unknown["public_grants"] = grant_reason
    else:
        attrs["public_grants"] = (grant,) if grant else ()
    attrs["access_type"] = str(res.values.get("container_access_type", "private"))
    name = res.values.get("name")
    ctx.asset(res, Kind.OBJECT_STORE, name=name, attrs=attrs, unknown=unknown,
              region=location(account) if account else None)
    if account is not None:
        ctx.builder.link(res.address, EdgeKind.PART_OF, account.address)
    if key_ref:
        ctx.builder.link(res.address, EdgeKind.ENCRYPTED_BY, key_ref)


@normalizes("azurerm_storage_account_network_rules", "azurerm_storage_account_customer_managed_key")
def storage_split(res: TfResource, ctx: TfContext) -> None:
    """Merged by the account normalizer when the account is in the scanned Terraform.

    Otherwise (the account lives in another module or state, common for network rules) the split
    resource stands in for the account: an OBJECT_STORE asset under the split resource's own
    address carrying the one setting it declares, every other account-level setting unknown.
    """
    keys = ("storage_account_id", "storage_account_name")
    if parent_of(res, ctx, keys, ACCOUNT) is not None:
        return
    ref = next((res.values[k] for k in keys if res.values.get(k)), None)
    shown = ctx.ref_text(ref) if ref else "(unset)"
    reason = (f"{res.address} configures storage account {shown}, which is not declared in the "
              "scanned Terraform; its other settings are unknown")
    attrs: dict[str, Any] = {}
    unknown = {k: reason for k in INHERITED + ("public_grants",) if k != "log_target"}
    if res.type == "azurerm_storage_account_network_rules":
        unknown.pop("network_default_deny")
        _network(res, ctx, [res], attrs, unknown, [])
    else:
        unknown.pop("encryption")
        unknown.pop("kms_key")
        attrs["encryption"] = "customer-managed"
        key_res, key_value = _split_cmk_key(res, ctx)
        if key_res is not None:
            attrs["kms_key"] = key_res.address
            ctx.builder.link(res.address, EdgeKind.ENCRYPTED_BY, key_res.address)
        elif literal(key_value):
            attrs["kms_key"] = key_value
    name = literal(ref) if ref is not None and not ctx.resolve(ref) else None
    if name is None and isinstance(ref, dict) and is_ref(ref):
        name = str(ref.get("__name__") or "") or None
    ctx.asset(res, Kind.OBJECT_STORE, name=name, attrs=attrs, unknown=unknown)
    ctx.builder.gap(Gap(what=f"{res.address}: storage account settings", reason=reason,
                        asset_id=res.address, source=res.source))


@normalizes("azurerm_monitor_diagnostic_setting")
def diagnostic_setting(res: TfResource, ctx: TfContext) -> None:
    """A diagnostic setting: an AUDIT_LOG asset monitoring its target (blob logs of an account)."""
    target, suffix = resolve_prefix(res.values.get("target_resource_id"), ctx)
    categories: list[str] = []
    for block in blocks(res.values.get("enabled_log")) + blocks(res.values.get("log")):
        if as_bool(block.get("enabled", True)) is False:
            continue
        categories.append(str(block.get("category") or block.get("category_group") or ""))
    attrs: dict[str, Any] = {
        "service": suffix.split("/")[0] if suffix else (target.type if target else "unknown"),
        "log_types": tuple(c for c in categories if c),
        "logging_enabled": bool(categories),
        "log_bucket": _log_destination(res, ctx),
    }
    if target is not None:
        attrs["target"] = target.address
    ctx.asset(res, Kind.AUDIT_LOG, name=res.values.get("name"), attrs=attrs)
    if target is not None:
        ctx.builder.link(res.address, EdgeKind.MONITORS, target.address)
        if target.type == ACCOUNT and reads_logged(res) and _is_blob_service(suffix, res, ctx):
            ctx.builder.link(target.address, EdgeKind.LOGS_TO, res.address)


__all__ = ["account_state", "container_grant", "reads_logged"]
