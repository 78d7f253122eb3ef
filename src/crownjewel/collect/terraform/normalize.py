"""Turn Terraform resources into the shared model through per-type normalizers.

Provider modules (`gcp.py`, `aws.py`, `azure.py`, `kubernetes.py`) register one function per
resource type with `@normalizes("google_storage_bucket")`. A normalizer adds assets, patches
attributes onto assets declared by other resources (split resources such as
`aws_s3_bucket_versioning`, IAM members), and links edges, all through the `GraphBuilder`.
"""
from __future__ import annotations

import importlib
import json
import logging
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from crownjewel.collect.problems import WARNING, InputProblem
from crownjewel.collect.terraform.loader import TfResource
from crownjewel.model.assets import Asset, Kind, frozen_map
from crownjewel.model.graph import GraphBuilder

log = logging.getLogger(__name__)
Normalizer = Callable[[TfResource, "TfContext"], None]
NORMALIZERS: dict[str, Normalizer] = {}
PROVIDER_MODULES = ("gcp", "aws", "azure", "kubernetes")
_PROVIDER_OF_PREFIX = {"google": "gcp", "aws": "aws", "azurerm": "azure", "kubernetes": "kubernetes"}


def normalizes(*types: str) -> Callable[[Normalizer], Normalizer]:
    """Register a normalizer for one or more Terraform resource types."""

    def register(fn: Normalizer) -> Normalizer:
        for t in types:
            if t in NORMALIZERS:
                raise ValueError(f"duplicate normalizer for {t}")
            NORMALIZERS[t] = fn
        return fn

    return register


def provider_of(tf_type: str) -> str:
    """`google_storage_bucket` -> `gcp`."""
    return _PROVIDER_OF_PREFIX.get(tf_type.split("_", 1)[0], tf_type.split("_", 1)[0])


def is_ref(value: Any) -> bool:
    """Whether tfparse left `value` as an unresolved reference."""
    return isinstance(value, dict) and "__attribute__" in value


def blocks(value: Any) -> list[Mapping[str, Any]]:
    """Nested blocks as a list whatever the source (tfparse gives a dict for one block)."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [value] if not is_ref(value) else []
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, Mapping) and not is_ref(v)]
    return []


def first_block(value: Any) -> Mapping[str, Any]:
    """The first nested block, or an empty mapping."""
    found = blocks(value)
    return found[0] if found else {}


def as_json(value: Any) -> Any:
    """A policy given as JSON text (jsonencode, heredoc) or already as data."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


@dataclass(slots=True)
class TfContext:
    """Lookups normalizers share: resources by address, by tfparse id, and by name."""

    resources: list[TfResource]
    builder: GraphBuilder
    problems: list[InputProblem]
    by_uid: dict[str, TfResource] = field(default_factory=dict)
    by_address: dict[str, TfResource] = field(default_factory=dict)
    by_type: dict[str, list[TfResource]] = field(default_factory=lambda: defaultdict(list))
    _names: dict[tuple[str, tuple[str, ...]], dict[str, TfResource]] = field(default_factory=dict)
    current: TfResource | None = None  # the resource being normalized (for module-relative references)

    def __post_init__(self) -> None:
        for res in self.resources:
            self.by_address[res.address] = res
            if res.local_address:
                self.by_address.setdefault(res.local_address, res)
            self.by_type[res.type].append(res)
            if res.uid:
                self.by_uid[res.uid] = res

    def resolve(self, value: Any, *types: str, name_keys: Iterable[str] = ("name", "bucket", "id")) -> TfResource | None:
        """The resource a value refers to: a resolved reference id, an unresolved
        `type.name.attr` reference, or a literal matching a resource's name attribute."""
        if isinstance(value, str) and value in self.by_uid:
            found = self.by_uid[value]
            return found if not types or found.type in types else None
        if is_ref(value):
            text = str(value["__attribute__"])
            own = _leading_modules(text)  # plans carry absolute references: module.m.aws_x.y.id
            parts = text[len(own):].split(".")
            # A relative reference inside a module names a resource of that module: try the
            # referring resource's module path first, then the enclosing ones up to the root.
            for prefix in [own] if own else _module_prefixes(self.current):
                for n in (3, 2):  # data.type.name / type.name, optionally with an index
                    if len(parts) >= n:
                        addr = prefix + ".".join(parts[:n])
                        for candidate in (addr, addr.split("[")[0]):
                            hit = self.by_address.get(candidate)
                            if hit and (not types or hit.type in types):
                                return hit
            return None
        if isinstance(value, str) and types:
            keys = tuple(name_keys)
            for t in types:
                hit = self._name_index(t, keys).get(value)
                if hit is not None:
                    return hit
        return None

    def _name_index(self, tf_type: str, keys: tuple[str, ...]) -> dict[str, TfResource]:
        """value of any of `keys` (or the address) -> resource, built once per (type, keys)."""
        cache_key = (tf_type, keys)
        index = self._names.get(cache_key)
        if index is None:
            index = {}
            for res in self.by_type.get(tf_type, ()):
                index.setdefault(res.address, res)
                for k in keys:
                    v = res.values.get(k)
                    if isinstance(v, str):
                        index.setdefault(v, res)
            self._names[cache_key] = index
        return index

    def ref_text(self, value: Any) -> str:
        """A readable form of a value for evidence (the reference text when unresolved)."""
        if is_ref(value):
            return str(value["__attribute__"])
        res = self.resolve(value)
        if res is not None:
            return res.address
        return str(value)

    def unresolved(self, res: TfResource, key: str, value: Any) -> str:
        """Reason text for an attribute that depends on a reference Terraform resolves at apply."""
        where = f"{res.source.file}:{res.source.line}" if res.source else res.address
        return f"{res.address}.{key} depends on {self.ref_text(value)}, unknown before apply ({where})"

    def asset(self, res: TfResource, kind: Kind, *, name: Any = None, attrs: Mapping[str, Any] | None = None,
              unknown: Mapping[str, str] | None = None, account: Any = None, region: Any = None,
              tags: Any = None) -> Asset:
        """Build and add the asset for `res` (its id is the Terraform address).

        Terraform rejects two resources with one address but tfparse reports both: the second
        gets the id `address@line` so neither is lost, and the duplicate is reported as a warning.
        """
        asset_id = res.address
        if self.builder.has(asset_id):
            line = res.source.line if res.source else len(self.problems)
            where = res.source.file if res.source else res.address
            self.problems.append(InputProblem(where, f"duplicate resource address {res.address} "
                                              "(Terraform rejects this); kept both", line, WARNING))
            asset_id = f"{res.address}@{line}"
        label = name if isinstance(name, str) and name else res.address.split(".")[-1]
        asset = Asset(
            id=asset_id, kind=kind, provider=provider_of(res.type), name=label,
            native_type=res.type,
            account=account if isinstance(account, str) else None,
            region=region if isinstance(region, str) else None,
            attrs=frozen_map(attrs), unknown=frozen_map(unknown),
            tags=MappingProxyType({str(k): str(v) for k, v in (tags or {}).items()}
                                  if isinstance(tags, Mapping) and not is_ref(tags) else {}),
            source=res.source,
        )
        self.builder.add(asset)
        return asset


    def external(self, ref_text: str, kind: Kind, native_type: str, by: TfResource,
                 attrs: Mapping[str, Any] | None = None) -> str:
        """An asset the scanned code refers to but does not declare (a bucket or key made in
        another state): added once, with every schema attribute unknown except `attrs`, so grants
        on it are still evaluated and nothing about it reads as PASS by default."""
        from crownjewel.model.schema import SCHEMA

        asset_id = ref_text
        if not self.builder.has(asset_id):
            where = f"{by.source.file}:{by.source.line}" if by.source else by.address
            reason = f"{ref_text} is referenced by {by.address} ({where}) but declared outside the scanned Terraform"
            known = dict(attrs or {})
            name = ref_text.split(".")[-1] if "." in ref_text and "/" not in ref_text else ref_text.rsplit("/", 1)[-1]
            self.builder.add(Asset(
                id=asset_id, kind=kind, provider=provider_of(native_type), name=name, native_type=native_type,
                attrs=frozen_map(known),
                unknown=frozen_map({k: reason for k in SCHEMA.get(kind, {}) if k not in known}),
            ))
        return asset_id


_MODULE_STEP = re.compile(r"module\.[^.\[]+(?:\[[^\]]*\])?\.")


def _leading_modules(address: str) -> str:
    """`module.a["k"].module.b.x.y` -> `module.a["k"].module.b.`; "" for a root address."""
    pos = 0
    while (m := _MODULE_STEP.match(address, pos)) is not None:
        pos = m.end()
    return address[:pos]


def _module_prefixes(res: TfResource | None) -> list[str]:
    """`module.a.module.b.x.y` -> ["module.a.module.b.", "module.a.", ""] (innermost first)."""
    if res is None:
        return [""]
    modules = _leading_modules(res.local_address or res.address)
    steps = [m.end() for m in _MODULE_STEP.finditer(modules)]
    return [modules[:end] for end in reversed(steps)] + [""]


def load_normalizers() -> Mapping[str, Normalizer]:
    """Import the provider modules once and return the registry."""
    for name in PROVIDER_MODULES:
        try:
            importlib.import_module(f"crownjewel.collect.terraform.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"crownjewel.collect.terraform.{name}":
                raise
    return NORMALIZERS


# What a dynamic block of this name may configure, in normalized attributes.
_DYNAMIC_ATTRS: dict[str, tuple[str, ...]] = {
    "encryption": ("encryption", "kms_key"), "encryption_spec": ("encryption", "kms_key"),
    "encryption_configuration": ("encryption", "kms_key"), "rule": ("encryption", "kms_key"),
    "server_side_encryption_configuration": ("encryption", "kms_key"),
    "apply_server_side_encryption_by_default": ("encryption", "kms_key"),
    "customer_managed_key": ("encryption", "kms_key"), "disk_encryption": ("encryption", "kms_key"),
    "versioning": ("versioning",), "versioning_configuration": ("versioning",),
    "logging": ("access_logging", "log_target"), "log_config": ("flow_logs",),
    "egress": ("egress",), "to": ("egress",), "ingress": (),
    "statement": ("public_grants", "authenticated_grants", "role", "members"),
    "principals": ("public_grants", "authenticated_grants", "members"),
    "condition": ("public_grants", "authenticated_grants", "condition"),
    "grant": ("public_grants", "authenticated_grants"),
    "access_control_policy": ("public_grants", "authenticated_grants"),
    "binding": ("public_grants", "authenticated_grants", "role", "members"),
    "audit_log_config": ("log_types", "exempted_members"),
    "network_rules": ("network_default_deny",), "rotation_policy": ("rotation_period_days",),
    "event_selector": ("data_event_buckets",), "advanced_event_selector": ("data_event_buckets",),
    "data_resource": ("data_event_buckets",),
}


def _forget_dynamic(res: TfResource, ctx: TfContext) -> None:
    """tfparse drops `dynamic` blocks: make what they may configure unknown, and say so."""
    from crownjewel.model.schema import SCHEMA

    asset = ctx.builder.get(res.address)
    names = ", ".join(res.dynamic_blocks)
    where = f"{res.source.file}:{res.source.line}" if res.source else res.address
    reason = f"{res.address} sets it in a dynamic block ({names}, {where}), which crownjewel does not evaluate"
    ctx.problems.append(InputProblem(res.source.file if res.source else res.address,
                                     f"{res.address}: dynamic block(s) {names} not evaluated; findings that "
                                     "depend on them are UNKNOWN", res.source.line if res.source else None, WARNING))
    if asset is None:
        return
    known = SCHEMA.get(asset.kind, {})
    keys: set[str] = set()
    for name in res.dynamic_blocks:
        mapped = _DYNAMIC_ATTRS.get(name)
        if mapped is None:  # unknown block: anything of the asset that mentions it, else everything
            mapped = tuple(k for k in known if name in k or k in name) or tuple(known)
        keys.update(k for k in mapped if k in known)
    ctx.builder.forget(asset.id, keys, reason)


def root_prefixes(resources: list[TfResource], targets: Iterable[str] = ()) -> list[TfResource]:
    """Addresses are unique only inside one root module: when several roots are scanned, prefix
    each address with its root's path relative to their common directory (`prod/aws_s3_bucket.x`).
    The root that is itself the scanned directory keeps bare addresses, so ids (and SARIF
    fingerprints, suppressions) do not change when an unrelated folder appears beside it."""
    roots = sorted({res.root for res in resources})
    if len(roots) < 2:
        return resources
    absolute = {root: os.path.abspath(root) for root in roots}
    target_dirs = {os.path.abspath(t if os.path.isdir(t) else os.path.dirname(t) or ".") for t in targets}
    scanned_roots = [r for r in roots if absolute[r] in target_dirs]
    bare = scanned_roots[0] if len(scanned_roots) == 1 else None
    base = os.path.commonpath(list(absolute.values()))
    prefix = {}
    for root in roots:
        rel = os.path.relpath(absolute[root], base)
        prefix[root] = "" if root == bare else (rel if rel != "." else os.path.basename(base)).replace(os.sep, "/") + "/"
    return [res if not prefix[res.root] else replace(res, address=prefix[res.root] + res.address,
                                                     local_address=res.address)
            for res in resources]


def normalize(resources: list[TfResource], builder: GraphBuilder, problems: list[InputProblem],
              targets: Iterable[str] = ()) -> dict[str, int]:
    """Run the normalizers over all resources, one root module at a time (references resolve
    inside their own root, as in Terraform); returns counts of resource types not modelled."""
    registry = load_normalizers()
    unmodelled: dict[str, int] = defaultdict(int)
    first_seen: dict[str, TfResource] = {}
    by_root: dict[str, list[TfResource]] = defaultdict(list)
    for res in root_prefixes(resources, targets):
        by_root[res.root].append(res)
    for root_resources in by_root.values():
        ctx = TfContext(root_resources, builder, problems)
        for res in root_resources:
            ctx.current = res
            fn = registry.get(res.type)
            if fn is None:
                if res.mode == "managed":
                    unmodelled[res.type] += 1
                    first_seen.setdefault(res.type, res)
                continue
            try:
                fn(res, ctx)
                if res.dynamic_blocks:
                    _forget_dynamic(res, ctx)
            except Exception as exc:  # a normalizer bug must not lose the other resources
                log.debug("normalizer for %s failed on %s", res.type, res.address, exc_info=True)
                problems.append(InputProblem(
                    res.source.file if res.source else res.address,
                    f"{res.address}: crownjewel could not model this resource ({type(exc).__name__}: {exc}); "
                    "its findings are missing, please report this",
                    res.source.line if res.source else None))
    for tf_type, res in sorted(first_seen.items()):
        if provider_of(tf_type) not in PROVIDER_MODULES:
            where = res.source.file if res.source else res.address
            problems.append(InputProblem(where, f"resource type {tf_type} is not modelled by crownjewel "
                                         f"({unmodelled[tf_type]} resource(s)); ignored",
                                         res.source.line if res.source else None, WARNING))
    return dict(unmodelled)
