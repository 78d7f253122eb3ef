"""The immutable estate graph: assets, typed edges and gaps, with the indexes rules need."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from crownjewel.model.assets import Asset, Edge, EdgeKind, Gap, Kind, frozen_map


class GraphError(ValueError):
    """Inconsistent input to the graph builder (a collector bug, not a user error)."""


@dataclass(frozen=True, slots=True)
class EstateGraph:
    """Everything collected about an estate. Build it with `GraphBuilder`; never mutate it."""

    _assets: Mapping[str, Asset]
    _edges: tuple[Edge, ...]
    gaps: tuple[Gap, ...]
    _out: Mapping[str, tuple[Edge, ...]] = field(repr=False)
    _in: Mapping[str, tuple[Edge, ...]] = field(repr=False)
    _by_kind: Mapping[Kind, tuple[Asset, ...]] = field(repr=False)

    def __len__(self) -> int:
        return len(self._assets)

    def __contains__(self, asset_id: object) -> bool:
        return asset_id in self._assets

    def get(self, asset_id: str) -> Asset | None:
        """The asset with this id, or None."""
        return self._assets.get(asset_id)

    def __getitem__(self, asset_id: str) -> Asset:
        return self._assets[asset_id]

    def assets(self, kind: Kind | None = None, provider: str | None = None) -> Iterator[Asset]:
        """Assets, optionally of one kind and/or provider, in insertion order."""
        pool: Iterable[Asset] = self._by_kind.get(kind, ()) if kind else self._assets.values()
        for asset in pool:
            if provider is None or asset.provider == provider:
                yield asset

    @property
    def edges(self) -> tuple[Edge, ...]:
        """All edges."""
        return self._edges

    def out_edges(self, asset_id: str, kind: EdgeKind | None = None) -> tuple[Edge, ...]:
        """Edges leaving `asset_id`, optionally of one kind."""
        edges = self._out.get(asset_id, ())
        return edges if kind is None else tuple(e for e in edges if e.kind == kind)

    def in_edges(self, asset_id: str, kind: EdgeKind | None = None) -> tuple[Edge, ...]:
        """Edges arriving at `asset_id`, optionally of one kind."""
        edges = self._in.get(asset_id, ())
        return edges if kind is None else tuple(e for e in edges if e.kind == kind)

    def targets(self, asset_id: str, kind: EdgeKind) -> list[Asset]:
        """Assets that `asset_id` points to through edges of `kind`."""
        return [self._assets[e.dst] for e in self.out_edges(asset_id, kind) if e.dst in self._assets]

    def sources(self, asset_id: str, kind: EdgeKind) -> list[Asset]:
        """Assets pointing at `asset_id` through edges of `kind`."""
        return [self._assets[e.src] for e in self.in_edges(asset_id, kind) if e.src in self._assets]

    def gaps_for(self, asset_id: str) -> tuple[Gap, ...]:
        """Gaps recorded against one asset."""
        return tuple(g for g in self.gaps if g.asset_id == asset_id)


@dataclass(slots=True)
class GraphBuilder:
    """Accumulates assets, attribute patches and edges from collectors, then freezes them.

    Patches let a later record (an `aws_s3_bucket_versioning`, a bucket IAM member) add
    attributes to an asset declared elsewhere without collectors sharing mutable state.
    """

    _assets: dict[str, Asset] = field(default_factory=dict)
    _patches: dict[str, list[tuple[dict[str, Any], dict[str, str]]]] = field(
        default_factory=lambda: defaultdict(list))
    _edges: list[Edge] = field(default_factory=list)
    _gaps: list[Gap] = field(default_factory=list)
    _forget: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, asset: Asset) -> None:
        """Add an asset; a second asset with the same id is a collector bug."""
        if asset.id in self._assets:
            raise GraphError(f"duplicate asset id {asset.id!r}")
        self._assets[asset.id] = asset

    def has(self, asset_id: str) -> bool:
        """Whether an asset with this id was added."""
        return asset_id in self._assets

    def get(self, asset_id: str) -> Asset | None:
        """An asset added so far (without the patches, which apply at freeze time)."""
        return self._assets.get(asset_id)

    def patch(self, asset_id: str, attrs: Mapping[str, Any] | None = None,
              unknown: Mapping[str, str] | None = None) -> None:
        """Merge attributes into an asset (applied at freeze time, in call order)."""
        self._patches[asset_id].append((dict(attrs or {}), dict(unknown or {})))

    def forget(self, asset_id: str, keys: Iterable[str], reason: str) -> None:
        """Make attributes unknown whatever collectors derived for them (applied after patches):
        for what a collector could only partly read."""
        self._forget.setdefault(asset_id, {}).update({key: reason for key in keys})

    def link(self, src: str, kind: EdgeKind, dst: str, **attrs: Any) -> None:
        """Add an edge."""
        self._edges.append(Edge(src, kind, dst, MappingProxyType(attrs)))

    def gap(self, gap: Gap) -> None:
        """Record something that could not be seen."""
        self._gaps.append(gap)

    def freeze(self) -> EstateGraph:
        """The immutable graph. Patches for unknown assets become gaps; edges are de-duplicated."""
        assets = dict(self._assets)
        for asset_id, patches in self._patches.items():
            asset = assets.get(asset_id)
            if asset is None:
                continue
            attrs, unknown = dict(asset.attrs), dict(asset.unknown)
            for add, add_unknown in patches:
                for key, value in add.items():
                    attrs[key] = _merge(attrs.get(key), value)
                    unknown.pop(key, None)
                for key, reason in add_unknown.items():
                    if key not in attrs:
                        unknown[key] = reason
            assets[asset_id] = replace(asset, attrs=frozen_map(attrs), unknown=frozen_map(unknown))
        for asset_id, forgotten in self._forget.items():
            asset = assets.get(asset_id)
            if asset is not None:
                assets[asset_id] = replace(
                    asset, attrs=frozen_map({k: v for k, v in asset.attrs.items() if k not in forgotten}),
                    unknown=frozen_map({**asset.unknown, **forgotten}))
        seen: set[tuple[str, EdgeKind, str]] = set()
        edges: list[Edge] = []
        out: dict[str, list[Edge]] = defaultdict(list)
        inn: dict[str, list[Edge]] = defaultdict(list)
        for edge in self._edges:
            edge_key = (edge.src, edge.kind, edge.dst)
            if edge_key in seen:
                continue
            seen.add(edge_key)
            edges.append(edge)
            out[edge.src].append(edge)
            inn[edge.dst].append(edge)
        by_kind: dict[Kind, list[Asset]] = defaultdict(list)
        for asset in assets.values():
            by_kind[asset.kind].append(asset)
        return EstateGraph(
            _assets=MappingProxyType(assets),
            _edges=tuple(edges),
            gaps=tuple(self._gaps),
            _out=MappingProxyType({k: tuple(v) for k, v in out.items()}),
            _in=MappingProxyType({k: tuple(v) for k, v in inn.items()}),
            _by_kind=MappingProxyType({k: tuple(v) for k, v in by_kind.items()}),
        )


def _merge(old: Any, new: Any) -> Any:
    """Lists accumulate (several policies, several grants); anything else is replaced."""
    if isinstance(old, (list, tuple)) and isinstance(new, (list, tuple)):
        return tuple(old) + tuple(new)
    return new
