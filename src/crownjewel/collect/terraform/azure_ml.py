"""azurerm AI, keys, IAM and networks: ML workspaces, Key Vault, role assignments, VNets, flow logs.

Defaults (azurerm provider documentation):
- `azurerm_machine_learning_workspace.public_network_access_enabled` defaults to `true`; the
  deprecated `public_access_behind_virtual_network_enabled` is honoured when it is the one set.
  Without an `encryption` block the workspace's data is encrypted with Microsoft-managed keys.
- A Key Vault key without a `rotation_policy` (or without its `automatic` block) never rotates.
  `time_after_creation` is the rotation period; `time_before_expiry` rotates every
  `expire_after - time_before_expiry`.
- A Key Vault is modelled as a `KEY_RING` (it holds keys but is not itself key material);
  its keys are `CRYPTO_KEY`s PART_OF it.
- A role assignment is a `ROLE_BINDING`; its scope (ARM id, reference or `"${x.id}/..."`) resolves
  to the storage account / container / workspace / vault / key it grants on. A resource-group,
  subscription or management-group scope grants on every such asset inside it, so a GRANTS edge
  goes to each of them (resource_level "resource_group" / "account" / "organization").
"""
from __future__ import annotations

from typing import Any

from crownjewel.collect.terraform.azure_common import (
    as_bool,
    duration_days,
    literal,
    location,
    parse_arm_id,
    read_bool,
    resolve_any,
    resolve_prefix,
)
from crownjewel.collect.terraform.loader import TfResource
from crownjewel.collect.terraform.normalize import TfContext, first_block, is_ref, normalizes
from crownjewel.model.assets import EdgeKind, Kind

WORKSPACE = "azurerm_machine_learning_workspace"
# Types a role assignment can grant on that we model, and how to find their resource group.
_GRANTABLE = ("azurerm_storage_account", "azurerm_storage_container", WORKSPACE,
              "azurerm_key_vault", "azurerm_key_vault_key")
# Built-in role definition GUIDs (stable across tenants) of the roles rules care about.
BUILTIN_ROLES = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
    "f6c7c914-8db3-469d-8ca1-694a8f32e121": "AzureML Data Scientist",
    "17d1049b-9a84-46fb-8f53-869881c3d3ab": "Storage Account Contributor",
    "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
    "e147488a-f6f5-4113-8e2d-b22465e65bf6": "Key Vault Crypto Service Encryption User",
}


@normalizes(WORKSPACE)
def ml_workspace(res: TfResource, ctx: TfContext) -> None:
    """An Azure ML workspace: the model registry of Azure, with its storage account."""
    v = res.values
    attrs: dict[str, Any] = {"public_grants": (), "authenticated_grants": ()}
    unknown: dict[str, str] = {}
    if "public_network_access_enabled" in v or "public_access_behind_virtual_network_enabled" not in v:
        read_bool(res, ctx, ("public_network_access_enabled",), True, "public_network_access",
                  attrs, unknown)
    else:
        read_bool(res, ctx, ("public_access_behind_virtual_network_enabled",), False,
                  "public_network_access", attrs, unknown)
    read_bool(res, ctx, ("high_business_impact",), False, "high_business_impact", attrs, unknown)
    encryption = v.get("encryption")
    key_value = first_block(encryption).get("key_id")
    key_res = None
    if is_ref(encryption):
        unknown["encryption"] = ctx.unresolved(res, "encryption", encryption)
    elif key_value:
        attrs["encryption"] = "customer-managed"
        key_res = resolve_any(key_value, ctx, "azurerm_key_vault_key")
        if key_res is not None:
            attrs["kms_key"] = key_res.address
        elif is_ref(key_value):
            unknown["kms_key"] = ctx.unresolved(res, "encryption.key_id", key_value)
        else:
            attrs["kms_key"] = str(key_value)
    else:
        attrs["encryption"] = "provider-managed"
    storage = resolve_any(v.get("storage_account_id"), ctx, "azurerm_storage_account")
    if storage is not None:
        attrs["storage_account"] = storage.address
    ctx.asset(res, Kind.MODEL_REGISTRY, name=v.get("name"), attrs=attrs, unknown=unknown,
              region=location(res), tags=v.get("tags"))
    if key_res is not None:
        ctx.builder.link(res.address, EdgeKind.ENCRYPTED_BY, key_res.address)
    if storage is not None:
        # The workspace's default datastore: models, run outputs and registered data live there.
        ctx.builder.link(res.address, EdgeKind.STORES_ARTEFACTS_IN, storage.address)


@normalizes("azurerm_key_vault")
def key_vault(res: TfResource, ctx: TfContext) -> None:
    """A Key Vault: the container of keys (a key ring), with its own network exposure."""
    v = res.values
    attrs: dict[str, Any] = {"location": location(res)}
    unknown: dict[str, str] = {}
    read_bool(res, ctx, ("purge_protection_enabled",), False, "purge_protection", attrs, unknown)
    read_bool(res, ctx, ("public_network_access_enabled",), True, "public_network_access", attrs, unknown)
    read_bool(res, ctx, ("rbac_authorization_enabled", "enable_rbac_authorization"), False,
              "rbac_authorization", attrs, unknown)
    action = first_block(v.get("network_acls")).get("default_action")
    attrs["network_default_deny"] = str(action).lower() == "deny" if literal(action) else False
    ctx.asset(res, Kind.KEY_RING, name=v.get("name"), attrs=attrs, unknown=unknown,
              region=location(res), tags=v.get("tags"))


@normalizes("azurerm_key_vault_key")
def key_vault_key(res: TfResource, ctx: TfContext) -> None:
    """A Key Vault key: customer-managed, rotated by its rotation policy (or never)."""
    v = res.values
    attrs: dict[str, Any] = {"managed_by": "customer", "enabled": True}
    unknown: dict[str, str] = {}
    days, reason = rotation_days(res, ctx)
    if reason:
        unknown["rotation_period_days"] = reason
    else:
        attrs["rotation_period_days"] = days
    vault = resolve_any(v.get("key_vault_id"), ctx, "azurerm_key_vault")
    if vault is not None:
        attrs["key_ring"] = vault.address
    if literal(v.get("key_type")):
        attrs["key_type"] = v["key_type"]
    ctx.asset(res, Kind.CRYPTO_KEY, name=v.get("name"), attrs=attrs, unknown=unknown,
              region=location(vault) if vault else None, tags=v.get("tags"))
    if vault is not None:
        ctx.builder.link(res.address, EdgeKind.PART_OF, vault.address)


def rotation_days(res: TfResource, ctx: TfContext) -> tuple[float | None, str | None]:
    """(days between automatic rotations or None when it never rotates, reason when unknown)."""
    policy = res.values.get("rotation_policy")
    if is_ref(policy):
        return None, ctx.unresolved(res, "rotation_policy", policy)
    auto = first_block(first_block(policy).get("automatic"))
    if not auto:
        return None, None
    after = auto.get("time_after_creation")
    if after:
        days = duration_days(after)
        if days is None:
            return None, ctx.unresolved(res, "rotation_policy.automatic.time_after_creation", after)
        return days, None
    before = auto.get("time_before_expiry")
    if before:
        expire = first_block(policy).get("expire_after")
        before_days, expire_days = duration_days(before), duration_days(expire)
        if before_days is None:
            return None, ctx.unresolved(res, "rotation_policy.automatic.time_before_expiry", before)
        if expire_days is None:
            if expire is None:
                return None, (f"{res.address} rotates {before} before expiry but sets no "
                              "rotation_policy.expire_after, so the rotation interval is unknown")
            return None, ctx.unresolved(res, "rotation_policy.expire_after", expire)
        return max(expire_days - before_days, 0.0), None
    return None, None


@normalizes("azurerm_role_assignment")
def role_assignment(res: TfResource, ctx: TfContext) -> None:
    """An Azure RBAC role assignment: a grant of one role to one principal at one scope."""
    v = res.values
    attrs: dict[str, Any] = {"condition": literal(v.get("condition"))}
    unknown: dict[str, str] = {}
    role = _role_name(res, ctx)
    if role is None:
        unknown["role"] = ctx.unresolved(res, "role_definition_id", v.get("role_definition_id"))
    else:
        attrs["role"] = role
    principal = v.get("principal_id")
    members = ctx.ref_text(principal) if principal is not None else "(unset)"
    if literal(v.get("principal_type")):
        members = f"{v['principal_type']}:{members}"
    attrs["members"] = (members,)
    targets, level, resource = _scope_targets(res, ctx)
    if level is None:
        unknown["resource"] = ctx.unresolved(res, "scope", v.get("scope"))
        unknown["resource_level"] = unknown["resource"]
    else:
        attrs["resource"], attrs["resource_level"] = resource, level
    ctx.asset(res, Kind.ROLE_BINDING, name=res.address.split(".", 1)[-1], attrs=attrs, unknown=unknown)
    for target in targets:
        ctx.builder.link(res.address, EdgeKind.GRANTS, target)


def _role_name(res: TfResource, ctx: TfContext) -> str | None:
    v = res.values
    name = literal(v.get("role_definition_name"))
    if name:
        return name
    ref = v.get("role_definition_id")
    definition = ctx.resolve(ref, "azurerm_role_definition")
    if definition is not None and literal(definition.values.get("name")):
        return str(definition.values["name"])
    text = literal(ref)
    if text:
        guid = text.rstrip("/").rsplit("/", 1)[-1].lower()
        return BUILTIN_ROLES.get(guid, text)
    return None


def _scope_targets(res: TfResource, ctx: TfContext) -> tuple[list[str], str | None, str]:
    """(asset ids granted on, resource_level, resource) of a role assignment's scope."""
    scope = res.values.get("scope")
    target, suffix = resolve_prefix(scope, ctx)
    if target is not None:
        if target.type == "azurerm_resource_group":
            return _in_group(ctx, literal(target.values.get("name"))), "resource_group", target.address
        if target.type in ("azurerm_subscription", "azurerm_client_config"):
            return _in_group(ctx, None), "account", target.address
        if target.type == "azurerm_storage_account" and "/containers/" in f"/{suffix}":
            name = suffix.rstrip("/").rsplit("/", 1)[-1]
            container = _container_named(ctx, target, name)
            if container is not None:
                return [container.address], "resource", container.address
        if target.type in _GRANTABLE:
            return [target.address], "resource", target.address
        return [], "resource", target.address
    text = literal(scope)
    if not text:
        return [], None, ""
    arm = parse_arm_id(text)
    if arm is None:
        return [], "resource", text
    if arm.management_group:
        return _in_group(ctx, None), "organization", text
    if arm.tf_type is None:
        if arm.resource_group is None and arm.name is None:
            return _in_group(ctx, None), "account", text
        if arm.name is None:
            return _in_group(ctx, arm.resource_group), "resource_group", text
        return [], "resource", text
    found = ctx.resolve(arm.name, arm.tf_type, name_keys=("name",))
    if found is None:
        return [], "resource", text
    if found.type == "azurerm_storage_account" and "containers" in arm.sub_path:
        container = _container_named(ctx, found, arm.sub_path[-1])
        if container is not None:
            return [container.address], "resource", container.address
    return [found.address], "resource", found.address


def _container_named(ctx: TfContext, account: TfResource, name: str) -> TfResource | None:
    for container in ctx.by_type.get("azurerm_storage_container", ()):
        if container.values.get("name") != name:
            continue
        for key in ("storage_account_id", "storage_account_name"):
            if resolve_any(container.values.get(key), ctx, "azurerm_storage_account") is account:
                return container
    return None


def _in_group(ctx: TfContext, group: str | None) -> list[str]:
    """Modelled grantable assets in a resource group (None: in the whole subscription)."""
    found: list[str] = []
    for tf_type in _GRANTABLE:
        for res in ctx.by_type.get(tf_type, ()):
            if res.mode != "managed":
                continue
            if group is None or _group_of(res, ctx) == group:
                found.append(res.address)
    return found


def _group_of(res: TfResource, ctx: TfContext) -> str | None:
    """A resource's resource group name (containers and keys: their parent's)."""
    group = literal(res.values.get("resource_group_name"))
    if group:
        return group
    for key, parent_type in (("storage_account_id", "azurerm_storage_account"),
                             ("storage_account_name", "azurerm_storage_account"),
                             ("key_vault_id", "azurerm_key_vault")):
        parent = resolve_any(res.values.get(key), ctx, parent_type)
        if parent is not None:
            return literal(parent.values.get("resource_group_name"))
    return None


@normalizes("azurerm_virtual_network")
def virtual_network(res: TfResource, ctx: TfContext) -> None:
    """A VNet; flow_logs is set by flow logs that capture it (or an NSG of its subnets)."""
    v = res.values
    ctx.asset(res, Kind.NETWORK, name=v.get("name"), attrs={"flow_logs": False},
              region=location(res), tags=v.get("tags"))


@normalizes("azurerm_subnet")
def subnet(res: TfResource, ctx: TfContext) -> None:
    """A subnet, IN_NETWORK of its VNet."""
    v = res.values
    vnet = _vnet_of(res, ctx)
    attrs: dict[str, Any] = {"flow_logs": False}
    if vnet is not None:
        attrs["network"] = vnet.address
    ctx.asset(res, Kind.SUBNET, name=v.get("name"), attrs=attrs,
              region=location(vnet) if vnet else None)
    if vnet is not None:
        ctx.builder.link(res.address, EdgeKind.IN_NETWORK, vnet.address)


def _vnet_of(res: TfResource, ctx: TfContext) -> TfResource | None:
    name = res.values.get("virtual_network_name")
    group = literal(res.values.get("resource_group_name"))
    if literal(name):
        candidates = [n for n in ctx.by_type.get("azurerm_virtual_network", ())
                      if n.values.get("name") == name]
        same_group = [n for n in candidates if literal(n.values.get("resource_group_name")) == group]
        found = same_group or candidates
        return found[0] if found else None
    return ctx.resolve(name, "azurerm_virtual_network")


@normalizes("azurerm_network_watcher_flow_log")
def flow_log(res: TfResource, ctx: TfContext) -> None:
    """An NSG / VNet flow log: MONITORS its target and sets flow_logs on the networks it covers."""
    v = res.values
    ref = v.get("target_resource_id") or v.get("network_security_group_id")
    target = resolve_any(ref, ctx, "azurerm_virtual_network") or resolve_any(
        ref, ctx, "azurerm_subnet") or resolve_any(ref, ctx, "azurerm_network_security_group")
    enabled = as_bool(v.get("enabled", True))
    attrs: dict[str, Any] = {"enabled": enabled is not False}
    unknown: dict[str, str] = {}
    if target is not None:
        attrs["target"] = target.address
    elif ref is not None:
        unknown["target"] = ctx.unresolved(res, "target_resource_id", ref)
    days = first_block(v.get("retention_policy")).get("days")
    if isinstance(days, (int, float)):
        attrs["retention_days"] = int(days)
    ctx.asset(res, Kind.FLOW_LOG, name=v.get("name"), attrs=attrs, unknown=unknown,
              region=location(res), tags=v.get("tags"))
    if target is None:
        return
    covered = [target.address]
    if target.type == "azurerm_network_security_group":
        covered = _subnets_behind(target, ctx)
    for address in covered:
        ctx.builder.link(res.address, EdgeKind.MONITORS, address)
        if enabled is not False:
            ctx.builder.patch(address, {"flow_logs": True})


def _subnets_behind(nsg: TfResource, ctx: TfContext) -> list[str]:
    """Subnets whose traffic an NSG flow log sees (NSG associations)."""
    found = []
    for assoc in ctx.by_type.get("azurerm_subnet_network_security_group_association", ()):
        if resolve_any(assoc.values.get("network_security_group_id"), ctx,
                       "azurerm_network_security_group") is nsg:
            sub = resolve_any(assoc.values.get("subnet_id"), ctx, "azurerm_subnet")
            if sub is not None:
                found.append(sub.address)
    return found or [nsg.address]
