"""The control catalogue and the framework catalogue, as data plus a loader, validator and renderer.

Nothing is read at import: :func:`frameworks` and :func:`controls` load the packaged TOML on first
call and cache it (``FRAMEWORKS`` and ``CONTROLS`` are the same mappings, loaded on first access).
:func:`render_control` imports rich only when called.

Note that the re-exported functions ``frameworks`` and ``controls`` shadow the submodules of the
same name as attributes of this package; import submodule-only names with
``from crownjewel.catalog.frameworks import ...``.
"""
from __future__ import annotations

from typing import Any

from crownjewel.catalog.controls import Control, UnknownControl, controls, get_control
from crownjewel.catalog.frameworks import (
    CatalogError,
    Framework,
    FrameworkEntry,
    UnknownFrameworkRef,
    frameworks,
    title_of,
    validate_refs,
)
from crownjewel.catalog.render import render_control

__all__ = [
    "CONTROLS",
    "FRAMEWORKS",
    "CatalogError",
    "Control",
    "Framework",
    "FrameworkEntry",
    "UnknownControl",
    "UnknownFrameworkRef",
    "controls",
    "frameworks",
    "get_control",
    "render_control",
    "title_of",
    "validate_refs",
]


def __getattr__(name: str) -> Any:
    # Lazy constants: loading the catalogue at import would be an import-time side effect.
    if name == "FRAMEWORKS":
        return frameworks()
    if name == "CONTROLS":
        return controls()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
