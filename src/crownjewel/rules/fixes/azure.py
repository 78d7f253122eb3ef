"""Terraform fixes for Azure findings, built from the user's own azurerm blocks.

Account-level settings (encryption, public access, networks, versioning) live on the storage
account: a finding on a container is fixed on its account (`container_of`). A customer-managed
key is added the way the azurerm docs recommend for an existing account: a system-assigned
identity on the account, a Key Vault key with a 90-day rotation policy (in the vault already in
the module when there is one, else a new purge-protected vault), an access policy (or, for RBAC
vaults, a role assignment) letting the account's identity wrap / unwrap with it, and an
`azurerm_storage_account_customer_managed_key` tying them together.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable

from crownjewel.model.assets import Asset, EdgeKind, Kind
from crownjewel.model.findings import Fix
from crownjewel.rules import hcl_edit as hcl
from crownjewel.rules.engine import EvalContext
from crownjewel.rules.fixes._text import (
    Repeat,
    append,
    block_text,
    expr,
    ident,
    literal,
    local_ref,
    memo,
    repeat,
    replace,
    templated,
)
from crownjewel.rules.registry import Fail, fixer

ACCOUNT = "azurerm_storage_account"
CONTAINER = "azurerm_storage_container"
NETWORK_RULES = "azurerm_storage_account_network_rules"
STORES = (ACCOUNT, CONTAINER)
WORKSPACE = "azurerm_machine_learning_workspace"
_CLIENT_CONFIG = re.compile(r'^\s*data\s+"azurerm_client_config"\s+"([A-Za-z0-9_-]+)"', re.MULTILINE)
ROTATION_BODY = """automatic {
  time_after_creation = "P90D"
}
expire_after         = "P180D"
notify_before_expiry = "P30D\""""


def _account(asset: Asset, ctx: EvalContext) -> Asset | None:
    """The storage account a finding is fixed on (a container's account, or itself)."""
    if asset.native_type == CONTAINER:
        return ctx.graph.get(str(asset.get("container_of") or ""))
    return asset


def _note(asset: Asset, account: Asset) -> str:
    if asset.id == account.id:
        return ""
    return (f"# {asset.id} ({asset.name}) inherits this setting from its storage account "
            f"{account.id}\n")


def _on_account(transform: Callable[[str], str]) -> Callable[[Asset, EvalContext, Fail], Fix | None]:
    """A fixer applying `transform` to the storage account block of the asset."""

    def fix(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
        account = _account(asset, ctx)
        text = block_text(ctx, account.source) if account else None
        if account is None or account.source is None or text is None:
            return None
        new = transform(text)
        return Fix(terraform=_note(asset, account) + new, edits=(replace(account.source, new),))

    return fix


def _disallow_nested_public(text: str) -> str:
    if hcl.find_attribute(text, "allow_blob_public_access") is not None:
        return hcl.set_attribute(text, "allow_blob_public_access", "false")
    return hcl.set_attribute(text, "allow_nested_items_to_be_public", "false")


fixer("storage.model-store-public-access-not-prevented", *STORES)(_on_account(_disallow_nested_public))
fixer("storage.model-store-public-network", *STORES)(
    _on_account(lambda t: hcl.set_attribute(t, "public_network_access_enabled", "false")))
fixer("storage.model-store-versioning-off", *STORES)(
    _on_account(lambda t: hcl.ensure_in_block_path(t, ["blob_properties"], "versioning_enabled", "true")))


@fixer("storage.model-store-public", *STORES)
def fix_public(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Make the container private; on an account, stop every container from being public."""
    if asset.native_type == CONTAINER:
        text = block_text(ctx, asset.source)
        if text is None or asset.source is None:
            return None
        new = hcl.set_attribute(text, "container_access_type", '"private"')
        return Fix(terraform=new, edits=(replace(asset.source, new),))
    return _on_account(_disallow_nested_public)(asset, ctx, fail)


@fixer("storage.model-store-network-open", ACCOUNT, CONTAINER, NETWORK_RULES)
def fix_network_open(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Default-deny network rules, where the account declares them (split resource or block)."""
    account = _account(asset, ctx) if asset.native_type != NETWORK_RULES else asset
    if account is None:
        return None
    split = dict(account.get("tf_sources") or ()).get("network")
    if asset.native_type == NETWORK_RULES:
        split = asset.source
    if split is not None:
        text = block_text(ctx, split)
        if text is None:
            return None
        new = hcl.set_attribute(text, "default_action", '"Deny"')
        return Fix(terraform=_note(asset, account) + new, edits=(replace(split, new),))
    return _on_account(lambda t: hcl.ensure_in_block_path(
        t, ["network_rules"], "default_action", '"Deny"'))(asset, ctx, fail)


def _client_configs(ctx: EvalContext) -> dict[str, str]:
    """Folder -> name of its first `azurerm_client_config` data source, computed once per scan."""
    def build() -> dict[str, str]:
        found: dict[str, str] = {}
        for path, text in ctx.sources.items():
            if "azurerm_client_config" in text and (m := _CLIENT_CONFIG.search(text)):
                found.setdefault(os.path.dirname(path), m.group(1))
        return found

    configs: dict[str, str] = memo(ctx, "azurerm_client_configs", build)
    return configs


def _client_config(ctx: EvalContext, file: str) -> tuple[str, str]:
    """The name of a `data "azurerm_client_config"` of the file's module, and the declaration
    to add when there is none."""
    name = _client_configs(ctx).get(os.path.dirname(file))
    if name:
        return name, ""
    return "current", 'data "azurerm_client_config" "current" {}\n'


def _vault_near(asset: Asset, ctx: EvalContext) -> Asset | None:
    """A Key Vault declared in the same module as the asset."""
    folder = os.path.dirname(asset.source.file) if asset.source else None
    for vault in ctx.graph.assets(Kind.KEY_RING, provider="azure"):
        if vault.source and os.path.dirname(vault.source.file) == folder and vault.native_type == "azurerm_key_vault":
            return vault
    return None


def _derived_name(asset: Asset, ctx: EvalContext, make: Callable[[str], str],
                  template: Callable[[str], str]) -> str:
    """A quoted name for a supporting resource derived from the asset's `name`: `make(name)`
    when the user wrote a plain string, else `template(expression)`, which Terraform evaluates
    per instance (so every instance of a counted block, or of a module, gets the same text)."""
    raw = expr(block_text(ctx, asset.source) or "", "name")
    if raw is None or literal(raw) is not None:
        return hcl.hcl_string(make(asset.name))
    return template(raw)


def _key_name(asset: Asset, ctx: EvalContext) -> str:
    """A Key Vault key name (letters, digits and hyphens) derived from the asset's name."""
    return _derived_name(
        asset, ctx, lambda name: (re.sub(r"[^A-Za-z0-9-]+", "-", name).strip("-") or "models")[:120] + "-cmek",
        lambda raw: templated(raw if asset.native_type == ACCOUNT else  # account names are alphanumeric
                              f'replace({raw}, "/[^0-9A-Za-z-]+/", "-")', "-cmek", "models"))


def _key_block(name: str, key_name: str, vault_id: str, depends: list[str], rep: Repeat,
               comment: str = "") -> str:
    """A Key Vault key for wrapping data keys, rotated every 90 days (one per instance of `rep`)."""
    body = (f"{rep.meta}name         = {key_name}\nkey_vault_id = {vault_id}\n"
            "key_type     = \"RSA\"\nkey_size     = 3072\nkey_opts     = [\"unwrapKey\", \"wrapKey\"]\n\n"
            f"rotation_policy {{\n{ROTATION_BODY}\n}}")
    if depends:
        body += f"\n\ndepends_on = [{', '.join(depends)}]"
    return comment + hcl.render_block("resource", ["azurerm_key_vault_key", name], body)


def _identity_with_system(text: str) -> str:
    """The account block with a system-assigned identity (kept when it already has one)."""
    span = hcl.find_block(text, "identity")
    if span is None:
        return hcl.set_block(text, "identity", 'type = "SystemAssigned"')
    m = re.search(r'\btype\s*=\s*"([^"]*)"', text[span[0]:span[1]])
    if m and "SystemAssigned" in m.group(1):
        return text
    return hcl.ensure_in_block_path(text, ["identity"], "type", '"SystemAssigned, UserAssigned"')


@fixer("storage.model-store-not-cmek", *STORES)
def fix_not_cmek(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Encrypt the account with a rotated Key Vault key (see the module docstring).

    Supporting resources are named after the account's block and, for a block with `count` /
    `for_each`, repeat it: every instance's fix appends the same text.
    """
    account = _account(asset, ctx)
    text = block_text(ctx, account.source) if account else None
    if account is None or account.source is None or text is None:
        return None
    rep = repeat(account, ctx)
    ref, name, meta = rep.ref, ident(account), rep.meta
    new_account = _identity_with_system(text)
    edits = [replace(account.source, new_account)]
    shown = [new_account]
    added: list[str] = []
    vault = _vault_near(account, ctx)
    key_depends: list[str] = []
    if vault is None:
        client, declare = _client_config(ctx, account.source.file)
        vault_ref = rep.index(f"azurerm_key_vault.{name}_cmek")
        vault_name = _derived_name(
            account, ctx, lambda n: (re.sub(r"[^a-z0-9-]", "", n.lower())[:19] or "models") + "-cmek",
            lambda raw: f'"${{substr({raw}, 0, 19)}}-cmek"')
        if declare:
            added.append(declare)
        added.append(hcl.render_block("resource", ["azurerm_key_vault", f"{name}_cmek"], (
            f"{meta}name                       = {vault_name}\n"
            f"location                   = {ref}.location\n"
            f"resource_group_name        = {ref}.resource_group_name\n"
            f"tenant_id                  = data.azurerm_client_config.{client}.tenant_id\n"
            "sku_name                   = \"standard\"\n"
            "purge_protection_enabled   = true\n"
            "soft_delete_retention_days = 90")))
        added.append(hcl.render_block("resource", ["azurerm_key_vault_access_policy", f"{name}_cmek_deployer"], (
            f"{meta}key_vault_id    = {vault_ref}.id\n"
            f"tenant_id       = data.azurerm_client_config.{client}.tenant_id\n"
            f"object_id       = data.azurerm_client_config.{client}.object_id\n"
            "key_permissions = [\"Create\", \"Delete\", \"Get\", \"Purge\", \"Recover\", \"Update\", "
            "\"GetRotationPolicy\", \"SetRotationPolicy\"]")))
        key_depends.append(f"azurerm_key_vault_access_policy.{name}_cmek_deployer")
    else:
        vault_ref = local_ref(vault.id)
        vault_text = block_text(ctx, vault.source)
        if vault.get("purge_protection") is not True and vault_text is not None and vault.source:
            # Azure Storage refuses a key from a vault without purge protection.
            fixed_vault = hcl.set_attribute(vault_text, "purge_protection_enabled", "true")
            edits.append(replace(vault.source, fixed_vault))
            shown.append(fixed_vault)
    key_ref = rep.index(f"azurerm_key_vault_key.{name}_cmek")
    added.append(_key_block(f"{name}_cmek", _key_name(account, ctx), f"{vault_ref}.id", key_depends, rep))
    if vault is not None and vault.get("rbac_authorization") is True:
        grant = f"azurerm_role_assignment.{name}_cmek"
        added.append(hcl.render_block("resource", ["azurerm_role_assignment", f"{name}_cmek"], (
            f"{meta}scope                = {key_ref}.resource_versionless_id\n"
            "role_definition_name = \"Key Vault Crypto Service Encryption User\"\n"
            f"principal_id         = {ref}.identity[0].principal_id")))
    else:
        grant = f"azurerm_key_vault_access_policy.{name}_cmek"
        added.append(hcl.render_block("resource", ["azurerm_key_vault_access_policy", f"{name}_cmek"], (
            f"{meta}key_vault_id    = {vault_ref}.id\n"
            f"tenant_id       = {ref}.identity[0].tenant_id\n"
            f"object_id       = {ref}.identity[0].principal_id\n"
            "key_permissions = [\"Get\", \"UnwrapKey\", \"WrapKey\"]")))
    added.append(hcl.render_block("resource", ["azurerm_storage_account_customer_managed_key", name], (
        f"{meta}storage_account_id = {ref}.id\n"
        f"key_vault_id       = {vault_ref}.id\n"
        f"key_name           = {key_ref}.name\n\n"
        f"depends_on = [{grant}]")))
    new_text = "\n".join(a.rstrip("\n") + "\n" for a in added)
    edits.append(append(account.source, new_text))
    return Fix(terraform=_note(asset, account) + "\n".join(shown) + "\n" + new_text, edits=tuple(edits))


@fixer("kms.key-rotation-over-90-days", "azurerm_key_vault_key")
def fix_key_rotation(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Rotate the key automatically every 90 days."""
    text = block_text(ctx, asset.source)
    if text is None or asset.source is None:
        return None
    new = hcl.set_block(text, "rotation_policy", ROTATION_BODY)
    return Fix(terraform=new, edits=(replace(asset.source, new),))


def _narrow_role(binding: Asset, ctx: EvalContext) -> str:
    """A least-privilege built-in role for what the binding grants on."""
    kinds = {t.kind for t in ctx.graph.targets(binding.id, EdgeKind.GRANTS)}
    if Kind.OBJECT_STORE in kinds or not kinds:
        return "Storage Blob Data Reader"
    if kinds & {Kind.CRYPTO_KEY, Kind.KEY_RING}:
        return "Key Vault Crypto Service Encryption User"
    return "Reader"


@fixer("iam.broad-role-on-model-store", "azurerm_role_assignment")
def fix_broad_role(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Replace the broad role with a read-only data role (write access belongs to the pipeline)."""
    text = block_text(ctx, asset.source)
    if text is None or asset.source is None:
        return None
    role = _narrow_role(asset, ctx)
    new = hcl.remove_attribute(text, "role_definition_id")
    new = hcl.set_attribute(new, "role_definition_name", hcl.hcl_string(role))
    note = (f"# {asset.get('role')} -> {role}; grant write roles only to the training pipeline's "
            "identity, and scope grants to the model store rather than its resource group\n")
    return Fix(terraform=note + new, edits=(replace(asset.source, new),))


@fixer("ai.workspace-public-network", WORKSPACE)
def fix_workspace_public(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Turn off public network access (reach the workspace through private endpoints)."""
    text = block_text(ctx, asset.source)
    if text is None or asset.source is None:
        return None
    new = hcl.remove_attribute(text, "public_access_behind_virtual_network_enabled")
    new = hcl.set_attribute(new, "public_network_access_enabled", "false")
    return Fix(terraform=new, edits=(replace(asset.source, new),))


@fixer("ai.resource-not-cmek", WORKSPACE)
def fix_workspace_cmek(asset: Asset, ctx: EvalContext, fail: Fail) -> Fix | None:
    """Encrypt the workspace with a rotated key in its own Key Vault."""
    text = block_text(ctx, asset.source)
    if text is None or asset.source is None:
        return None
    span = hcl.find_attribute(text, "key_vault_id")
    if span is None:
        return None
    vault_expr = text[span[0]:span[1]].split("=", 1)[1].strip()
    name, rep = ident(asset), repeat(asset, ctx)
    key_ref = rep.index(f"azurerm_key_vault_key.{name}_cmek")
    new = hcl.set_block(text, "encryption", f"key_vault_id = {vault_expr}\nkey_id       = {key_ref}.id")
    comment = ("# Grant the workspace identity get / wrapKey / unwrapKey on this key before applying;\n"
               "# changing `encryption` recreates the workspace.\n")
    key = _key_block(f"{name}_cmek", _key_name(asset, ctx), vault_expr, [], rep, comment)
    return Fix(terraform=new + "\n" + key, edits=(replace(asset.source, new), append(asset.source, key)))
