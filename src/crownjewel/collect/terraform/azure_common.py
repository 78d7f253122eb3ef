"""Helpers shared by the azurerm normalizers: typed reads with provider defaults, ARM ids, indexes.

Terraform values arrive from tfparse as evaluated literals, tfparse uids (for `x.id` references),
or unresolved references (`{"__attribute__": ...}`). The readers here apply the azurerm
provider's documented default when an attribute is absent and record the reason in `unknown`
when the value is only known at apply time, so no normalizer guesses.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crownjewel.collect.terraform.loader import TfResource
from crownjewel.collect.terraform.normalize import TfContext, is_ref

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
_DURATION = re.compile(
    r"^P(?:(?P<y>\d+(?:\.\d+)?)Y)?(?:(?P<mo>\d+(?:\.\d+)?)M)?(?:(?P<w>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<mi>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$", re.IGNORECASE)
# ARM ids: /subscriptions/S/resourceGroups/RG/providers/NS/TYPE/NAME[/SUBTYPE/SUBNAME...]
_ARM = re.compile(r"^/subscriptions/(?P<sub>[^/]+)(?:/resourceGroups/(?P<rg>[^/]+))?"
                  r"(?:/providers/(?P<rest>.+))?$", re.IGNORECASE)
_MGMT_GROUP = re.compile(r"^/providers/Microsoft\.Management/managementGroups/", re.IGNORECASE)

# ARM provider/type -> the Terraform type that declares it (for literal scope ids).
ARM_TYPES: Mapping[str, str] = {
    "microsoft.storage/storageaccounts": "azurerm_storage_account",
    "microsoft.machinelearningservices/workspaces": "azurerm_machine_learning_workspace",
    "microsoft.keyvault/vaults": "azurerm_key_vault",
    "microsoft.network/virtualnetworks": "azurerm_virtual_network",
    "microsoft.network/networksecuritygroups": "azurerm_network_security_group",
}

MISSING = object()


def read_bool(res: TfResource, ctx: TfContext, keys: tuple[str, ...], default: Any,
              out: str, attrs: dict[str, Any], unknown: dict[str, str], invert: bool = False) -> None:
    """Read the first set attribute of `keys` (newest provider name first) as a bool into
    `attrs[out]`; absent -> `default` (documented provider default); a reference -> unknown."""
    for key in keys:
        value = res.values.get(key)
        if value is None:
            continue
        parsed = as_bool(value)
        if parsed is None:
            unknown[out] = ctx.unresolved(res, key, value)
            return
        attrs[out] = (not parsed) if invert else parsed
        return
    if default is not MISSING:
        attrs[out] = (not default) if invert and isinstance(default, bool) else default


def as_bool(value: Any) -> bool | None:
    """A Terraform bool (true / "true"), or None when not a literal bool."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE:
        return True
    if isinstance(value, str) and value.strip().lower() in _FALSE:
        return False
    return None


def literal(value: Any) -> str | None:
    """A literal, non-empty string value (not a reference), else None."""
    return value if isinstance(value, str) and value and not is_ref(value) else None


def duration_days(text: Any) -> float | None:
    """An ISO-8601 duration ("P90D", "P3M", "P1Y", "PT12H") in days; months count 30 days and
    years 365 (Key Vault's own approximation); None when not a duration."""
    if not isinstance(text, str):
        return None
    m = _DURATION.match(text.strip())
    if not m or text.strip().upper() in ("P", "PT"):
        return None
    part = {k: float(v) for k, v in m.groupdict().items() if v}
    return (part.get("y", 0) * 365 + part.get("mo", 0) * 30 + part.get("w", 0) * 7 + part.get("d", 0)
            + part.get("h", 0) / 24 + part.get("mi", 0) / 1440 + part.get("s", 0) / 86400)


@dataclass(frozen=True, slots=True)
class ArmId:
    """The parts of an Azure Resource Manager id that scope decisions need."""

    subscription: str | None
    resource_group: str | None
    tf_type: str | None  # the Terraform type of the top-level resource, when modelled
    name: str | None  # the top-level resource's name
    sub_path: tuple[str, ...] = ()  # what follows it, e.g. ("blobServices", "default", ...)
    management_group: bool = False


def parse_arm_id(text: str) -> ArmId | None:
    """Split an ARM id; None when the text is not one."""
    if _MGMT_GROUP.match(text):
        return ArmId(None, None, None, None, management_group=True)
    m = _ARM.match(text.rstrip("/"))
    if not m:
        return None
    rest = (m.group("rest") or "").split("/")
    if len(rest) >= 3:
        arm_type = f"{rest[0]}/{rest[1]}".lower()
        return ArmId(m.group("sub"), m.group("rg"), ARM_TYPES.get(arm_type), rest[2], tuple(rest[3:]))
    return ArmId(m.group("sub"), m.group("rg"), None, None)


def resolve_prefix(value: Any, ctx: TfContext, *types: str) -> tuple[TfResource | None, str]:
    """Resolve a value that may be `"${x.id}/suffix"` (tfparse gives `"<uid>/suffix"`): the
    referenced resource and the suffix after it."""
    if isinstance(value, str) and "/" in value and not value.startswith("/"):
        head, _, tail = value.partition("/")
        res = ctx.resolve(head, *types)
        if res is not None:
            return res, tail
    return ctx.resolve(value, *types), ""


def resolve_any(value: Any, ctx: TfContext, tf_type: str,
                name_keys: tuple[str, ...] = ("name",)) -> TfResource | None:
    """The resource of `tf_type` a value designates: a tfparse uid, a reference, an ARM id or
    `"${x.id}/..."` string naming it, or its name."""
    if value is None or value == "":
        return None
    res, _ = resolve_prefix(value, ctx, tf_type)
    if res is not None:
        return res
    text = literal(value)
    if text and text.startswith("/"):
        arm = parse_arm_id(text)
        if arm and arm.tf_type == tf_type and arm.name:
            return ctx.resolve(arm.name, tf_type, name_keys=name_keys)
        return None
    return ctx.resolve(value, tf_type, name_keys=name_keys) if text else None


@dataclass(slots=True)
class AzureIndex:
    """Which split resources point at which parent resource (built once per normalize run)."""

    children: dict[tuple[str, str], list[TfResource]] = field(
        default_factory=lambda: defaultdict(list))  # (parent address, child type) -> children

    def of(self, parent: TfResource, child_type: str) -> list[TfResource]:
        """Children of `child_type` that point at `parent`."""
        return self.children.get((parent.address, child_type), [])


# (child type, attributes naming the parent, parent type) for the pull-style merge of split
# resources. The parent normalizer reads them, so a container (which inherits account-level
# settings) sees exactly what the account sees, whatever the order of resources.
_CHILD_LINKS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("azurerm_storage_account_network_rules", ("storage_account_id", "storage_account_name"),
     "azurerm_storage_account"),
    ("azurerm_storage_account_customer_managed_key", ("storage_account_id",), "azurerm_storage_account"),
    ("azurerm_storage_container", ("storage_account_id", "storage_account_name"),
     "azurerm_storage_account"),
    ("azurerm_monitor_diagnostic_setting", ("target_resource_id",), "azurerm_storage_account"),
)

_CACHE: list[tuple[list[TfResource], AzureIndex]] = []


def index(ctx: TfContext) -> AzureIndex:
    """The split-resource index of this normalize run (cached for the run's resource list)."""
    if _CACHE and _CACHE[0][0] is ctx.resources:
        return _CACHE[0][1]
    idx = AzureIndex()
    for child_type, keys, parent_type in _CHILD_LINKS:
        for child in ctx.by_type.get(child_type, ()):
            parent = parent_of(child, ctx, keys, parent_type)
            if parent is not None:
                idx.children[(parent.address, child_type)].append(child)
    _CACHE[:] = [(ctx.resources, idx)]
    return idx


def parent_of(child: TfResource, ctx: TfContext, keys: tuple[str, ...],
              parent_type: str) -> TfResource | None:
    """The parent a split resource names through the first of `keys` that resolves."""
    for key in keys:
        parent = resolve_any(child.values.get(key), ctx, parent_type)
        if parent is not None:
            return parent
    return None


def location(res: TfResource) -> str | None:
    """The resource's literal location (region)."""
    return literal(res.values.get("location"))
